#!/usr/bin/env python3
"""Checks that Ambit's table (CSV) and pandas' (pandas_crosstab.py -o) hold the same cells.

    compare.py AMBIT.csv PANDAS.csv

Ambit's CSV has `name` and `depth` columns that pandas does not compute; they are ignored.
Rates may differ by one in the last decimal (rounding half away from zero vs half to even).
Exits 1 and names the first differing cell.
"""

import csv
import sys


def cells(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    head = rows[0]
    keys = [i for i, h in enumerate(head) if h in ("phase", "code")]
    skip = {i for i, h in enumerate(head) if h in ("name", "depth")} | set(keys)
    out = {}
    for r in rows[1:]:
        key = tuple(r[i] for i in keys)
        for i, v in enumerate(r):
            if i not in skip:
                out[key + (head[i],)] = float(v)
    return out


def main():
    a, p = cells(sys.argv[1]), cells(sys.argv[2])
    if a.keys() != p.keys():
        only = sorted(a.keys() ^ p.keys())[:5]
        sys.exit(f"different cells: {only}")
    for k in sorted(a):
        if abs(a[k] - p[k]) > 0.0100001:
            sys.exit(f"{'/'.join(k)}: ambit {a[k]}, pandas {p[k]}")
    print(f"{len(a)} cells equal")


if __name__ == "__main__":
    main()
