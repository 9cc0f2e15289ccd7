#!/usr/bin/env python3
"""Times commands side by side in alternating runs: round after round, each command once
per round, so a machine shared with other builds slows every command alike.

    python3 alternate.py ROUNDS 'name=command' 'name=command' ...   (commands run by sh)

Prints, per command, the median wall time and the median CPU time (user + system) over
the rounds, and writes nothing else. Pairs `X` and `X/sqlite` (same name, one with the
`/sqlite` suffix) also get their ratio of medians (Ambit ÷ sqlite3), measured in the
same run. A command's output (and error output) is discarded; it must exit 0.
"""
import os
import resource
import statistics
import subprocess
import sys
import time


def run(cmd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    # exec: the shell is replaced by the command, so only the command is timed (as
    # hyperfine -N does), give or take the fork.
    subprocess.run(["sh", "-c", "exec " + cmd], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main():
    rounds = int(sys.argv[1])
    cmds = [a.split("=", 1) for a in sys.argv[2:]]
    walls = {n: [] for n, _ in cmds}
    cpus = {n: [] for n, _ in cmds}
    for n, c in cmds:  # warm-up: page cache, and the first run of each binary
        for _ in range(3):
            run(c)
    for r in range(rounds):
        # Every other round backwards, so no command always follows the same one.
        order = cmds if r % 2 == 0 else cmds[::-1]
        for n, c in order:
            w, u = run(c)
            walls[n].append(w)
            cpus[n].append(u)
    ms = lambda v: statistics.median(v) * 1000
    print(f"{'command':<28} {'wall ms':>8} {'cpu ms':>8}   (medians of {rounds} alternating rounds)")
    for n, _ in cmds:
        print(f"{n:<28} {ms(walls[n]):8.1f} {ms(cpus[n]):8.1f}")
    for n, _ in cmds:
        ref = n + "/sqlite"
        if ref in walls:
            print(
                f"ratio {n:<22} wall {ms(walls[n]) / ms(walls[ref]):.2f}"
                f"   cpu {ms(cpus[n]) / ms(cpus[ref]):.2f}"
            )
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
