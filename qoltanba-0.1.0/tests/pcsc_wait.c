/* Drives the engine's PC/SC waits for tests/tokens-pcsc.sh (not a test
 * by itself): prints one line per event so the script can react.
 *
 *   pcsc_wait events N TIMEOUT_MS   N events, each "inserted READER MEDIUM ATR"
 *                                   or "removed READER"; "timeout" if none
 *   pcsc_wait poll TIMEOUT_MS       the same with timeout 0 every 100 ms: "polled ..."
 *   pcsc_wait card TIMEOUT_MS       "card READER MEDIUM" once a card is in
 *   pcsc_wait cancel-thread MS      waits for ever; another thread calls
 *                                   qt_pcsc_cancel() after MS: "cancelled"
 *   pcsc_wait cancel-file PATH      the cancel callback returns true once
 *                                   PATH exists: "cancelled"
 */
#include <config.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <qoltanba/atr.h>
#include <qoltanba/pcsc.h>

static qt_pcsc *pcsc;

static bool file_exists(void *data)
{
	return access((const char *)data, F_OK) == 0;
}

static void *canceller(void *arg)
{
	long ms = *(long *)arg;
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
	qt_pcsc_cancel(pcsc);
	return NULL;
}

static int report(qt_err rc)
{
	if (rc == QT_ERR_CANCELLED)
		puts("cancelled");
	else if (rc == QT_ERR_TIMEOUT)
		puts("timeout");
	else
		printf("error %d %s (%s)\n", rc, qt_strerror(rc), qt_error_detail());
	fflush(stdout);
	return rc == QT_ERR_CANCELLED || rc == QT_ERR_TIMEOUT ? 0 : 1;
}

int main(int argc, char **argv)
{
	qt_err rc;

	if (argc < 3)
		return 64;
	rc = qt_pcsc_open(&pcsc);
	if (rc != QT_OK)
		return report(rc);
	if (strcmp(argv[1], "events") == 0 && argc == 4) {
		long n = strtol(argv[2], NULL, 10), i;
		int timeout = (int)strtol(argv[3], NULL, 10);
		struct qt_pcsc_event ev;

		puts("waiting");
		fflush(stdout);
		for (i = 0; i < n; i++) {
			rc = qt_pcsc_wait_event(pcsc, timeout, NULL, NULL, &ev);
			if (rc != QT_OK)
				return report(rc);
			if (ev.type == QT_PCSC_CARD_INSERTED)
				printf("inserted %s|%s|%s\n", ev.reader.name,
				       qt_medium_name(ev.reader.medium), ev.reader.atr_hex);
			else if (ev.type == QT_PCSC_CARD_REMOVED)
				printf("removed %s\n", ev.reader.name);
			else if (ev.type == QT_PCSC_READER_ADDED)
				printf("reader-added %s\n", ev.reader.name);
			else
				printf("reader-removed %s\n", ev.reader.name);
			fflush(stdout);
		}
	} else if (strcmp(argv[1], "poll") == 0) {
		/* A screen's idle loop: timeout 0, every 100 ms, until an
		 * insertion or TIMEOUT_MS. */
		long i, max = strtol(argv[2], NULL, 10) / 100;
		struct qt_pcsc_event ev;
		struct timespec ts = { 0, 100000000L };

		puts("waiting");
		fflush(stdout);
		for (i = 0; i < max; i++) {
			rc = qt_pcsc_wait_event(pcsc, 0, NULL, NULL, &ev);
			if (rc == QT_OK && ev.type == QT_PCSC_CARD_INSERTED) {
				printf("polled %s|%s\n", ev.reader.name, qt_medium_name(ev.reader.medium));
				qt_pcsc_close(pcsc);
				return 0;
			}
			if (rc != QT_OK && rc != QT_ERR_TIMEOUT)
				return report(rc);
			nanosleep(&ts, NULL);
		}
		return report(QT_ERR_TIMEOUT);
	} else if (strcmp(argv[1], "card") == 0) {
		struct qt_reader r;

		rc = qt_pcsc_wait_card(pcsc, NULL, (int)strtol(argv[2], NULL, 10), NULL, NULL, &r);
		if (rc != QT_OK)
			return report(rc);
		printf("card %s|%s\n", r.name, qt_medium_name(r.medium));
	} else if (strcmp(argv[1], "cancel-thread") == 0) {
		long ms = strtol(argv[2], NULL, 10);
		struct qt_pcsc_event ev;
		pthread_t th;

		pthread_create(&th, NULL, canceller, &ms);
		/* Events (a card removed just before) do not end the wait. */
		while ((rc = qt_pcsc_wait_event(pcsc, 10000, NULL, NULL, &ev)) == QT_OK)
			;
		pthread_join(th, NULL);
		return report(rc);
	} else if (strcmp(argv[1], "cancel-file") == 0) {
		struct qt_reader r;

		rc = qt_pcsc_wait_card(pcsc, "no such reader", -1, file_exists, argv[2], &r);
		return report(rc == QT_OK ? QT_ERR_INTERNAL : rc);
	} else {
		return 64;
	}
	qt_pcsc_close(pcsc);
	return 0;
}
