#!/bin/sh
# Start-up cost of the terminal UI at 80x24: time to the first complete
# frame and peak memory (max RSS), against `dialog --msgbox` (another
# ncursesw program) measured in the same run on the same pseudo-terminal
# setup.  Run by hand: bench/tui-startup.sh [RUNS]   (default 30)
# The first frame is "done" when the program's last expected text has
# arrived on the pty (the status bar for qoltanba, the OK button for
# dialog: it draws its text last); each program is then told to quit
# and its max RSS is read by /usr/bin/time (GNU time), which wraps it
# (not getrusage of a child forked from python: that would count the
# python pages it had before exec).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
Q=${QOLTANBA:-$top/qoltanba}
RUNS=${1:-30}
command -v dialog >/dev/null || { echo "dialog is not installed" >&2; exit 1; }
command -v python3 >/dev/null || { echo "python3 is not installed" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "GNU time (/usr/bin/time) is not installed" >&2; exit 1; }
export LC_ALL=C.UTF-8 TERM=xterm-256color
H=$(mktemp -d)
trap 'rm -rf "$H"' EXIT
export HOME="$H" XDG_CONFIG_HOME="$H/.config"

python3 - "$RUNS" "$Q" <<'PY'
import os, pty, sys, time, select, resource, struct, fcntl, termios, statistics

runs = int(sys.argv[1])
q = sys.argv[2]

rssfile = os.path.join(os.environ["HOME"], "rss")

def one(argv, marker, quit_keys):
    pid, fd = pty.fork()
    if pid == 0:
        os.execv("/usr/bin/time", ["/usr/bin/time", "-f", "%M", "-o", rssfile] + argv)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    # The size is set right after fork; the child reads it at start-up.
    t0 = time.perf_counter()
    buf = b""
    first = None
    while True:
        r, _, _ = select.select([fd], [], [], 5)
        if not r:
            break
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        buf += data
        if marker in buf:
            first = time.perf_counter() - t0
            break
    os.write(fd, quit_keys)
    while True:
        r, _, _ = select.select([fd], [], [], 2)
        if not r:
            break
        try:
            if not os.read(fd, 65536):
                break
        except OSError:
            break
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    with open(rssfile) as f:
        rss = int(f.read().split()[-1])
    return first, rss

def measure(argv, marker, quit_keys):
    out = []
    for _ in range(runs):
        t, rss = one(argv, marker, quit_keys)
        if t is not None:
            out.append((t, rss))
    return out

progs = [
    ("qoltanba", [q], "Quit".encode(), b"\x18"),
    ("dialog --msgbox", ["dialog", "--msgbox", "qoltanba start-up benchmark", "8", "40"],
     b"benchmark", b"\n"),
]
res = {}
for name, argv, marker, quit_keys in progs:
    m = measure(argv, marker, quit_keys)
    if not m:
        print("%s: no first frame seen" % name)
        sys.exit(1)
    ts = sorted(t for t, _ in m)
    rss = max(r for _, r in m)
    res[name] = (statistics.median(ts) * 1000, ts[int(len(ts) * 0.9) - 1] * 1000 if len(ts) >= 10 else ts[-1] * 1000, rss / 1024)
    print("%-16s first frame median %6.2f ms  p90 %6.2f ms  max RSS %5.2f MiB  (%d runs)"
          % (name, res[name][0], res[name][1], res[name][2], len(m)))
a, b = res["qoltanba"], res["dialog --msgbox"]
print("ratio qoltanba/dialog: first frame %.2fx, max RSS %.2fx" % (a[0] / b[0], a[2] / b[2]))
print("targets: first frame < 30 ms: %s; RSS < 8 MiB: %s"
      % ("met" if a[0] < 30 else "MISSED", "met" if a[2] < 8 else "MISSED"))
PY
