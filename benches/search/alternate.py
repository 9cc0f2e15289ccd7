#!/usr/bin/env python3
"""Times commands side by side in alternating runs: round after round, each command once
per round, so a machine shared with other builds slows every command alike.

    python3 alternate.py [--warmup N] [--prepare 'name=command']... [--csv FILE]
                         ROUNDS 'name=command' 'name=command' ...   (commands run by sh)

Prints, per command, the median wall time, the median CPU time (user + system) and the
largest peak RSS over the rounds. Pairs `X` and `X/REF` (same name, one with a `/REF`
suffix, e.g. `phrase-top20` and `phrase-top20/sqlite`) also get their ratio of medians
(Ambit ÷ reference), measured in the same run. `--prepare name=command` runs a command,
untimed, before every run of `name` (a fresh project for an import, say); `--warmup N`
runs each command N times first (default 3: page cache, the first run of each binary).
`--csv FILE` also writes name,wall_s,cpu_s,rss_kb,runs. A command's output (and error
output) is discarded; it must exit 0.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time


def run(cmd):
    """Wall time, CPU time and peak RSS (KiB) of one run. `os.wait4` gives the rusage of
    this child alone (with the descendants it waited for), so the peak is per command."""
    t = time.perf_counter()
    # exec: the shell is replaced by the command, so only the command is timed (as
    # hyperfine -N does), give or take the fork; `a && b` stays a shell and is timed whole.
    proc = subprocess.Popen(["sh", "-c", "exec " + cmd], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"alternate.py: `{cmd}` exited with {proc.returncode}; run it by hand to see why")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def prepare(cmd):
    if cmd:
        subprocess.run(["sh", "-c", cmd], stdout=subprocess.DEVNULL, check=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--prepare", action="append", default=[])
    ap.add_argument("--csv")
    ap.add_argument("rounds", type=int)
    ap.add_argument("commands", nargs="+")
    args = ap.parse_args()
    cmds = [a.split("=", 1) for a in args.commands]
    preps = dict(p.split("=", 1) for p in args.prepare)
    walls = {n: [] for n, _ in cmds}
    cpus = {n: [] for n, _ in cmds}
    rss = {n: 0 for n, _ in cmds}
    for n, c in cmds:
        for _ in range(args.warmup):
            prepare(preps.get(n))
            run(c)
    for r in range(args.rounds):
        # Every other round backwards, so no command always follows the same one.
        order = cmds if r % 2 == 0 else cmds[::-1]
        for n, c in order:
            prepare(preps.get(n))
            w, u, m = run(c)
            walls[n].append(w)
            cpus[n].append(u)
            rss[n] = max(rss[n], m)
    ms = lambda v: statistics.median(v) * 1000
    print(f"{'command':<28} {'wall ms':>9} {'cpu ms':>9} {'peak MB':>8}   (medians of {args.rounds} alternating rounds)")
    for n, _ in cmds:
        print(f"{n:<28} {ms(walls[n]):9.1f} {ms(cpus[n]):9.1f} {rss[n] / 1024:8.1f}")
    for n, _ in cmds:
        for ref in (m for m, _ in cmds if m.startswith(n + "/")):
            print(
                f"ratio {n} ÷ {ref}: wall {ms(walls[n]) / ms(walls[ref]):.2f}"
                f"   cpu {ms(cpus[n]) / ms(cpus[ref]):.2f}"
            )
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    if args.csv:
        with open(args.csv, "w", encoding="utf-8") as f:
            f.write("name,wall_s,cpu_s,rss_kb,runs\n")
            for n, _ in cmds:
                f.write(f"{n},{statistics.median(walls[n]):.4f},{statistics.median(cpus[n]):.4f},{rss[n]},{args.rounds}\n")


if __name__ == "__main__":
    main()
