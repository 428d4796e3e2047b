#!/usr/bin/env python3
"""Times two commands run alternately (A, B, A, B, ...), so that a
machine whose load changes during the run slows both alike.  Prints the
mean and standard deviation of wall time and of CPU time (user + system
of the child), and the ratios A/B.

    bench/interleave.py RUNS NAME_A CMD_A NAME_B CMD_B

CMD is run with sh -c, its output discarded; it must exit 0."""
import os
import statistics
import subprocess
import sys
import time


def run(cmd):
    t0 = time.perf_counter()
    p = subprocess.Popen(["sh", "-c", cmd], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit("failed: " + cmd)
    return wall, ru.ru_utime + ru.ru_stime


def main():
    runs = int(sys.argv[1])
    names, cmds = sys.argv[2::2], sys.argv[3::2]
    res = {n: ([], []) for n in names}
    for c in cmds:          # warm-up: page cache, dynamic linker
        run(c)
    for i in range(runs):
        order = zip(names, cmds) if i % 2 == 0 else reversed(list(zip(names, cmds)))
        for n, c in order:
            w, cpu = run(c)
            res[n][0].append(w)
            res[n][1].append(cpu)
    out = []
    for n in names:
        w, c = res[n]
        out.append("%s: wall %.1f ms ± %.1f, cpu %.1f ms ± %.1f" % (
            n, 1000 * statistics.mean(w), 1000 * statistics.stdev(w),
            1000 * statistics.mean(c), 1000 * statistics.stdev(c)))
    a, b = res[names[0]], res[names[1]]
    out.append("ratio %s/%s: wall %.2f, cpu %.2f  (%d runs each, interleaved)" % (
        names[0], names[1], statistics.mean(a[0]) / statistics.mean(b[0]),
        statistics.mean(a[1]) / statistics.mean(b[1]), runs))
    print("\n".join(out))


main()
