# Driving qoltanba in a headless tmux pane; sourced after tests/lib.sh.
# The caller sets $SOCK (the server's socket) before using these.

screen_now() { tmux -S "$SOCK" capture-pane -p; }
keys() { tmux -S "$SOCK" send-keys "$@"; }
text() { tmux -S "$SOCK" send-keys -l "$1"; }

# tmux_wait TEXT TENTHS: polls the pane until TEXT shows, at most TENTHS
# tenths of a second (not a timing check: it costs nothing when things
# are fast); counts a check, and fails it with the screen when TEXT
# never shows (returns 1).
tmux_wait() {
	i=0
	checks=$((checks + 1))
	while [ $i -lt "$2" ]; do
		if screen_now | grep -qF -- "$1"; then return 0; fi
		sleep 0.1
		i=$((i + 1))
	done
	fail "the terminal never showed \"$1\"; it shows:"
	screen_now >&2
	return 1
}

# tmux_place_keys FILTER PICK FOLDER PASSWORD: on the application's place
# page, the region typed to filter and chosen with PICK (tmux key names),
# the first city, then a PC folder and the key password twice; ends on
# the summary with its Apply button.
tmux_place_keys() {
	tmux_wait 'Type to filter' 200 || exit 1
	text "$1"
	keys $2
	tmux_wait 'City' 200 || exit 1
	keys Enter
	tmux_wait 'Where should the keys be made?' 200 || exit 1
	keys 1
	tmux_wait 'Folder for the keys' 200 || exit 1
	keys BTab C-u
	text "$3"
	keys Tab
	text "$4"
	keys Tab
	text "$4"
	keys F2
	tmux_wait '[ Apply ]' 200 || exit 1
}
