#!/usr/bin/env python3
"""tui-fg.py [--background] DIR CMD [ARG...]: runs CMD as the foreground
job of the terminal on standard input, the way an interactive shell runs
a job, and writes what the test needs into DIR.  With --background it
starts as a background job (cmd &) with SIGTTIN and SIGTTOU ignored, as
a non-interactive shell in a tmux pane passes them on, and gets the
terminal only when it has stopped and the test says "resume" (fg).

Unlike a shell, it never saves or restores the terminal settings
itself: bash's fg samples the settings before it gives the terminal to
the job and writes them back when the job stops or ends, which hides
whether the program restored them (and, when the program got there
first, puts the program's own raw settings back).  So what is measured
here is what the program left behind.

DIR/pid          the job's pid (and process group)
DIR/before.g/.a  stty -g / stty -a before the start
DIR/stopped      "same" or "changed" when the job stopped (Ctrl-Z),
                 with DIR/stopped.g/.a; DIR/resume (made by the test)
                 brings it back to the foreground with SIGCONT
DIR/after.g/.a   stty -g / stty -a after it ended
DIR/stty         "same" or "changed" after it ended
DIR/exit         its exit status (128 + N when killed by signal N),
                 written last
Then it waits (at most 10 minutes) so that the pane and its last
screen stay; the hangup of tmux kill-server ends it.
"""
import os
import signal
import subprocess
import sys
import time

TTY = 0


def stty(d, name):
    """Records the terminal settings as DIR/NAME.g and DIR/NAME.a."""
    for flag in ("g", "a"):
        with open(os.path.join(d, name + "." + flag), "w") as f:
            subprocess.run(["stty", "-" + flag], stdin=TTY, stdout=f, check=False)
    with open(os.path.join(d, name + ".g")) as f:
        return f.read()


def put(d, name, text):
    """Writes DIR/NAME atomically (the test polls for it)."""
    tmp = os.path.join(d, name + ".tmp")
    with open(tmp, "w") as f:
        f.write(text + "\n")
    os.rename(tmp, os.path.join(d, name))


def main():
    args = sys.argv[1:]
    background = args[0] == "--background"
    if background:
        args = args[1:]
    d, argv = args[0], args[1:]
    # The shell's side of job control: it gives the terminal away
    # and takes it back from the background without being stopped.
    for s in (signal.SIGTTOU, signal.SIGTTIN, signal.SIGTSTP):
        signal.signal(s, signal.SIG_IGN)
    before = stty(d, "before")
    pid = os.fork()
    if pid == 0:
        # The job: its own process group, in the foreground before
        # exec (as bash does in the child), with the default actions
        # an interactive shell gives its jobs.
        try:
            os.setpgid(0, 0)
            dfl = [signal.SIGTSTP, signal.SIGINT, signal.SIGQUIT, signal.SIGTERM,
                   signal.SIGHUP, signal.SIGPIPE, signal.SIGXFSZ]
            if not background:
                os.tcsetpgrp(TTY, os.getpgrp())
                dfl += [signal.SIGTTOU, signal.SIGTTIN]
            for s in dfl:
                signal.signal(s, signal.SIG_DFL)
            # Here, not in the parent: the program may draw its first
            # page (and the test read DIR/pid) before the parent runs.
            put(d, "pid", str(os.getpid()))
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)
    try:
        os.setpgid(pid, pid)
        if not background:
            os.tcsetpgrp(TTY, pid)
    except OSError:
        pass            # the child did both first and has exec'd
    while True:
        _, status = os.waitpid(pid, os.WUNTRACED)
        os.tcsetpgrp(TTY, os.getpgrp())
        if not os.WIFSTOPPED(status):
            break
        put(d, "stopped", "same" if stty(d, "stopped") == before else "changed")
        resume = os.path.join(d, "resume")
        while not os.path.exists(resume):
            time.sleep(0.05)
        os.unlink(resume)
        os.tcsetpgrp(TTY, pid)
        os.killpg(pid, signal.SIGCONT)
    if os.WIFSIGNALED(status):
        rc = 128 + os.WTERMSIG(status)
    else:
        rc = os.WEXITSTATUS(status)
    put(d, "stty", "same" if stty(d, "after") == before else "changed")
    put(d, "exit", str(rc))
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    time.sleep(600)


main()
