#!/bin/sh
# The Russian and Kazakh catalogues are complete: msgfmt --check finds no
# error, no fuzzy and no untranslated message in po/ru.po and po/kk.po,
# and every message of the sources (a template made afresh here from
# po/POTFILES.in with the keywords of po/Makevars) has a translation, so
# a string added in the source but not yet translated fails the test
# with its text.  Nothing in po/ is regenerated or written.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
command -v msgfmt >/dev/null || skip "msgfmt (gettext) not installed"
command -v msgmerge >/dev/null || skip "msgmerge (gettext) not installed"
command -v msgattrib >/dev/null || skip "msgattrib (gettext) not installed"

po="$top_srcdir/po"
langs=$(sed -e 's/#.*//' "$po/LINGUAS")
[ -n "$langs" ] || fail "po/LINGUAS lists no language"

# The template as `make -C po qoltanba.pot-update` would make it now.
pot=
if command -v xgettext >/dev/null; then
	opts=$(sed -n 's/^XGETTEXT_OPTIONS *= *//p' "$po/Makevars")
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$po/POTFILES.in" > "$T/potfiles"
	checks=$((checks + 1))
	# $opts is split into words on purpose: it is a list of options.
	# shellcheck disable=SC2086
	if xgettext --default-domain=qoltanba --directory="$top_srcdir" \
		--files-from="$T/potfiles" $opts -o "$T/qoltanba.pot" 2> "$T/xgettext.err"; then
		pot="$T/qoltanba.pot"
	else
		fail "xgettext cannot read the sources: $(cat "$T/xgettext.err")"
	fi
elif [ -f "$top_builddir/po/qoltanba.pot" ]; then
	pot="$top_builddir/po/qoltanba.pot"
fi
[ -z "$pot" ] || [ -f "$pot" ] || pot=
if [ -n "$pot" ]; then
	total=$(msgattrib --no-obsolete "$pot" 2>/dev/null | grep -c '^msgid ' || true)
	# The header entry (msgid "") is not a message.
	total=$((total - 1))
	checks=$((checks + 1))
	[ "$total" -gt 100 ] || fail "the template from the sources has only $total messages"
fi

for l in $langs; do
	f="$po/$l.po"
	checks=$((checks + 1))
	if [ ! -f "$f" ]; then
		fail "po/$l.po is missing (po/LINGUAS lists $l)"
		continue
	fi
	# Format strings, newlines at the ends, plural forms and the header.
	if ! msgfmt --check --statistics -o /dev/null "$f" > "$T/stat" 2>&1; then
		fail "msgfmt --check rejects po/$l.po: $(cat "$T/stat")"
		continue
	fi
	stat=$(tail -n 1 "$T/stat")
	checks=$((checks + 1))
	case $stat in
	*fuzzy* | *untranslated*) fail "po/$l.po: $stat" ;;
	*" translated message"*) ;;
	*) fail "po/$l.po: unexpected statistics: $stat" ;;
	esac
	checks=$((checks + 1))
	grep -q '^"Content-Type: text/plain; charset=UTF-8\\n"' "$f" ||
		fail "po/$l.po is not declared UTF-8"
	checks=$((checks + 1))
	grep -q '^"Plural-Forms: nplurals=' "$f" || fail "po/$l.po has no Plural-Forms"

	[ -n "$pot" ] || continue
	# Every message of the sources: merged without guessing (no fuzzy
	# matching), whatever is left untranslated is missing from po/$l.po.
	checks=$((checks + 1))
	msgmerge --quiet --no-fuzzy-matching --no-wrap -o "$T/$l.merged" "$f" "$pot" ||
		{ fail "msgmerge cannot merge po/$l.po"; continue; }
	# Translations revived from obsolete (#~) entries are checked too.
	checks=$((checks + 1))
	msgfmt --check -o /dev/null "$T/$l.merged" 2> "$T/$l.check" ||
		fail "po/$l.po merged with the sources does not pass msgfmt --check: $(cat "$T/$l.check")"
	msgattrib --untranslated --no-obsolete --no-wrap "$T/$l.merged" 2>/dev/null |
		grep -E '^(msgctxt|msgid) ' | grep -v '^msgid ""$' > "$T/$l.missing" || true
	msgattrib --only-fuzzy --no-obsolete --no-wrap "$T/$l.merged" 2>/dev/null |
		grep -E '^(msgctxt|msgid) ' | grep -v '^msgid ""$' >> "$T/$l.missing" || true
	if [ -s "$T/$l.missing" ]; then
		fail "po/$l.po lacks $(grep -c '^msgid ' "$T/$l.missing") of the $total messages of the sources (translate them: make -C po update-po, then edit po/$l.po):"
		sed 's/^/    /' "$T/$l.missing" >&2
	fi
	echo "$l: $stat (sources: $total messages)"
done

finish
