#!/usr/bin/env python3
"""The tables of the benchmark, computed with pandas from the CSV exports.

    pandas_crosstab.py freq|cooccur|per1k PREFIX [-o OUT.csv]

PREFIX is what gen_project.py wrote next to the project (PREFIX.codings.csv, one row per
coding and passage it overlaps; PREFIX.passages.csv, one row per passage). Each table means
what `ambit table` computes, so the outputs can be compared cell by cell (compare.py):

- freq: coded passages per code and phase, a parent code counting the distinct passages
  coded with it or any child (`ambit table freq`);
- cooccur: per phase, code x code, the passages coded with both (a code counts with its
  children; `ambit table cooccur --by phase`);
- per1k: coded words per 1,000 words of the phase, the coded words of one code in one
  passage being the union of its codings' word ranges (`ambit table freq --measure per1k`).

Time is read_csv plus the pandas operations, as a researcher would write them.
"""

import argparse

import numpy as np
import pandas as pd

PHASES = ["baseline", "I1", "between", "I2", "I3", "followup", "unphased"]


def with_parents(df):
    """Each row again under its parent code (`t3.c1` also counts for `t3`). Codes are
    categories, so the parent is looked up once per code, not once per row."""
    codes = list(df["code"].cat.categories)
    parent = {c: c.rsplit(".", 1)[0] for c in codes if "." in c}
    every = pd.CategoricalDtype(codes_in_order(set(codes) | set(parent.values())))
    up = df["code"].map(parent).dropna()
    parents = df.loc[up.index].assign(code=up.astype(every))
    return pd.concat([df.astype({"code": every}), parents], ignore_index=True)


def codes_in_order(codes):
    return sorted(codes, key=lambda c: [int(x[1:]) for x in c.split(".")])


def read(prefix, *extra):
    return pd.read_csv(
        f"{prefix}.codings.csv",
        usecols=["doc", "passage", "phase", "code", *extra],
        dtype={"code": "category", "phase": "category"},
    )


def freq(prefix):
    df = read(prefix)
    df = with_parents(df).drop_duplicates(["code", "doc", "passage"])
    t = pd.crosstab(df["code"], df["phase"])
    cols = [p for p in PHASES if p in t.columns]
    return t.reindex(index=codes_in_order(t.index), columns=cols, fill_value=0)


def cooccur(prefix):
    df = read(prefix)
    df = with_parents(df).drop_duplicates(["code", "doc", "passage"])
    pairs = df.merge(df[["doc", "passage", "code"]], on=["doc", "passage"], suffixes=("", "_b"))
    t = pd.crosstab([pairs["phase"], pairs["code"]], pairs["code_b"])
    order = codes_in_order(df["code"].unique())
    phases = [p for p in PHASES if p in set(df["phase"])]
    index = pd.MultiIndex.from_product([phases, order], names=["phase", "code"])
    return t.reindex(index=index, columns=order, fill_value=0)


def per1k(prefix):
    df = read(prefix, "first_word", "end_word")
    df = with_parents(df).sort_values(["code", "doc", "passage", "first_word"])
    # The union of each (code, passage)'s word ranges: a range counts from where the ranges
    # before it reached.
    key = [df["code"], df["doc"], df["passage"]]
    reach = df.groupby(key)["end_word"].cummax()
    before = reach.groupby(key).shift(1).fillna(0).astype("int64")
    df["covered"] = (df["end_word"] - np.maximum(df["first_word"], before)).clip(lower=0)
    coded = pd.crosstab(df["code"], df["phase"], values=df["covered"], aggfunc="sum").fillna(0)
    passages = pd.read_csv(f"{prefix}.passages.csv", usecols=["phase", "words"])
    words = passages.groupby("phase")["words"].sum()
    cols = [p for p in PHASES if p in words.index]
    coded = coded.reindex(index=codes_in_order(coded.index), columns=cols, fill_value=0)
    return (coded * 1000 / words[cols]).round(2)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("table", choices=["freq", "cooccur", "per1k"])
    ap.add_argument("prefix")
    ap.add_argument("-o", "--output")
    a = ap.parse_args()
    t = {"freq": freq, "cooccur": cooccur, "per1k": per1k}[a.table](a.prefix)
    if a.output:
        t.to_csv(a.output)


if __name__ == "__main__":
    main()
