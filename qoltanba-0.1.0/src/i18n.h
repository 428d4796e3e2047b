/* Internal: gettext shorthands shared by the engine, the CLI and the TUI. */
#ifndef QT_I18N_H
#define QT_I18N_H

#include <libintl.h>

#define _(s)  dgettext(PACKAGE, s)
#define N_(s) (s)
/* Message with context, for short strings that need disambiguation. */
#define C_(ctx, s) qt_pgettext(ctx "\004" s, s)

static inline const char *qt_pgettext(const char *ctx_msg, const char *msg)
{
	const char *t = dgettext(PACKAGE, ctx_msg);
	return t == ctx_msg ? msg : t;
}

#endif
