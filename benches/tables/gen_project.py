#!/usr/bin/env python3
"""Generates an Ambit project with about 900,000 codings for the tables benchmark.

    gen_project.py OUT_DIR --ambit target/release/ambit [--docs 3000] [--passages 200]
                   [--codings 900000] [--partial 10] [--seed 17]

OUT_DIR becomes a project (`ambit init` makes the store, so its schema is the current one);
documents, passages and codings are then written straight into `.ambit/store.db` with
sqlite3, in one transaction, because a million codings through the command line would take
an hour. Next to the project it writes what a researcher would export for pandas:

- OUT_DIR.codings.csv: one row per (coding, passage it overlaps): doc, passage, phase,
  coding, code, coder, first_word, end_word (the coded words of that passage);
- OUT_DIR.passages.csv: one row per passage: doc, passage, phase, words.

The data: a timeline of six phases; DOCS documents dated over 2013-2014 (about a tenth
outside every phase or undated), interviews with speaker turns, workshops, observations;
about PASSAGES passages each (5-80 words, a few non-ASCII words); a codebook of ten themes
with four sub-codes each; CODINGS codings by three coders: rule codings of whole passages
(`auto`) and manual ones (`anna`, `ben`), PARTIAL percent of all codings covering only
some words of a passage, a tenth of those running on into the next passage. Half a percent
are detached (their text was deleted: tables never count them) and one percent need review
(counted). The same arguments always give the same project.
"""

import argparse
import csv
import hashlib
import os
import random
import shutil
import sqlite3
import subprocess
import sys

PHASES = [
    ("baseline", "Baseline", "2013-01-07", "2013-03-17"),
    ("I1", "Intervention 1", "2013-03-18", "2013-04-14"),
    ("between", "Between interventions", "2013-04-15", "2013-06-09"),
    ("I2", "Intervention 2", "2013-06-10", "2013-09-01"),
    ("I3", "Intervention 3", "2013-09-02", "2013-10-31"),
    ("followup", "Follow-up", "2013-11-01", "2014-02-28"),
]
THEMES = 10
CHILDREN = 4
SPEAKERS = ["Anna", "Ben", "Päivi", "Mikko", "Sara", "Tiina", "Jussi", "Interviewer"]
ORGS = ["Kaleva", "Nordic Lift", "City Services", "Tekno", "Aalto Care"]


def phase_of(date):
    if date is None:
        return "unphased"
    for pid, _, start, end in PHASES:
        if start <= date <= end:
            return pid
    return "unphased"


def vocabulary(rng):
    letters = "abcdefghijklmnoprstuvy"
    words = set()
    while len(words) < 3000:
        words.add("".join(rng.choice(letters) for _ in range(rng.randint(2, 10))))
    words = sorted(words)
    # Some words are not ASCII, so character and byte offsets differ as in real transcripts.
    words += ["Jyväskylä", "päätös", "yhteistyö", "sähköposti", "työpaja", "Mäkelä"]
    return words


def write_config(out):
    with open(os.path.join(out, "ambit.toml"), "w", encoding="utf-8") as f:
        f.write('name = "Tables benchmark"\nlanguage = "en"\ncoder = "anna"\n')
        for pid, label, start, end in PHASES:
            f.write(f'\n[[phase]]\nid = "{pid}"\nlabel = "{label}"\nstart = {start}\nend = {end}\n')
    with open(os.path.join(out, "codebook.toml"), "w", encoding="utf-8") as f:
        f.write('[codebook]\nname = "Tables benchmark"\n')
        for t in range(THEMES):
            f.write(f'\n[[code]]\nid = "t{t}"\nname = "Theme {t}"\n')
            for c in range(CHILDREN):
                f.write(f'\n[[code]]\nid = "t{t}.c{c}"\nname = "Theme {t}, code {c}"\n')


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--ambit", required=True, help="the ambit binary (for `ambit init`)")
    ap.add_argument("--docs", type=int, default=3000)
    ap.add_argument("--passages", type=int, default=200, help="passages per document, on average")
    ap.add_argument("--codings", type=int, default=900_000)
    ap.add_argument("--partial", type=float, default=10.0, help="percent of codings covering part of a passage")
    ap.add_argument("--seed", type=int, default=17)
    a = ap.parse_args()

    rng = random.Random(a.seed)
    out = a.out
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(out)
    write_config(out)
    subprocess.run([a.ambit, "init", out], check=True, stdout=subprocess.DEVNULL)

    vocab = vocabulary(rng)
    codes = []
    for t in range(THEMES):
        codes.append(f"t{t}")
        codes += [f"t{t}.c{c}" for c in range(CHILDREN)]
    # Some codes are used far more than others, as in any study.
    code_weights = [1.0 / (1 + i % 17) for i in range(len(codes))]

    sizes = [rng.randint(a.passages // 2, a.passages * 3 // 2) for _ in range(a.docs)]
    total_passages = sum(sizes)
    per_passage = a.codings / total_passages

    db = sqlite3.connect(os.path.join(out, ".ambit", "store.db"))
    db.execute("PRAGMA synchronous = OFF")
    cur = db.cursor()
    cur.execute("BEGIN")
    cw = csv.writer(open(out + ".codings.csv", "w", newline="", encoding="utf-8"))
    cw.writerow(["doc", "passage", "phase", "coding", "code", "coder", "first_word", "end_word"])
    pw = csv.writer(open(out + ".passages.csv", "w", newline="", encoding="utf-8"))
    pw.writerow(["doc", "passage", "phase", "words"])

    coding_id = 0
    stored = 0
    for d in range(a.docs):
        doc_id = d + 1
        kind = rng.choice(["interview", "interview", "workshop", "observation"])
        if rng.random() < 0.02:
            date = None
        else:
            # 2012-12 to 2014-03: a few documents fall outside every phase.
            day = rng.randint(0, 480)
            y, m, dd = 2012, 12, 1 + day
            months = [31, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31, 31, 28, 31]
            i = 0
            while dd > months[i]:
                dd -= months[i]
                i += 1
            m = 12 + i
            y += (m - 1) // 12
            m = (m - 1) % 12 + 1
            date = f"{y:04d}-{m:02d}-{dd:02d}"
        phase = phase_of(date)
        turns = kind == "interview"
        passages = []  # (start, end, words list, speaker)
        text_parts = []
        at = 0
        for k in range(sizes[d]):
            words = rng.choices(vocab, k=rng.randint(5, 80))
            body = " ".join(words)
            speaker = rng.choice(SPEAKERS) if turns else None
            start = at
            passages.append((start, start + len(body), words, speaker))
            text_parts.append(body)
            at = start + len(body) + 2
        text = "\n\n".join(text_parts)
        words_total = sum(len(p[2]) for p in passages)
        cur.execute(
            "INSERT INTO documents (id, title, kind, date, phase, source, content_hash, format,"
            " encoding, text, chars, words, imported_at)"
            " VALUES (?, ?, ?, ?, NULL, ?, ?, 'txt', 'utf-8', ?, ?, ?, '2026-12-01T00:00:00Z')",
            (
                doc_id,
                f"Document {doc_id}",
                kind,
                date,
                f"docs/d{doc_id}.txt",
                hashlib.sha256(text.encode()).hexdigest(),
                text,
                len(text),
                words_total,
            ),
        )
        cur.execute(
            "INSERT INTO attributes (doc, key, value) VALUES (?, 'organisation', ?)",
            (doc_id, ORGS[d % len(ORGS)]),
        )
        cur.executemany(
            "INSERT INTO passages (doc, ordinal, start, end, speaker, words) VALUES (?, ?, ?, ?, ?, ?)",
            [(doc_id, k + 1, p[0], p[1], p[3], len(p[2])) for k, p in enumerate(passages)],
        )
        pw.writerows([(doc_id, k + 1, phase, len(p[2])) for k, p in enumerate(passages)])

        rows = []
        n = len(passages)
        ncod = int(per_passage * n + rng.random())
        for _ in range(ncod):
            k = rng.randrange(n)
            code = rng.choices(codes, weights=code_weights)[0]
            ps, pe, words, _ = passages[k]
            status = None
            r = rng.random() * 100
            if r < a.partial:
                coder = rng.choice(["anna", "ben"])
                origin = "manual"
                i = rng.randrange(len(words))
                offs = [ps]
                for w in words:
                    offs.append(offs[-1] + len(w) + 1)
                start = offs[i]
                if k + 1 < n and rng.random() < 0.1:
                    # Runs on into the next passage, ending inside it.
                    nxt = passages[k + 1]
                    j = rng.randint(1, len(nxt[2]))
                    end = nxt[0] + sum(len(w) + 1 for w in nxt[2][:j]) - 1
                    parts = [(k, i, len(words)), (k + 1, 0, j)]
                else:
                    j = rng.randint(i + 1, len(words))
                    end = offs[j] - 1
                    parts = [(k, i, j)]
            else:
                coder, origin = ("auto", f"rule:{code}.r1") if r < 70 else (rng.choice(["anna", "ben"]), "manual")
                start, end = ps, pe
                parts = [(k, 0, len(words))]
            s = rng.random() * 100
            if s < 0.5:
                rows.append((doc_id, 0, 0, code, coder, origin, "detached", text[start:end][:40]))
                continue
            if s < 1.5:
                status = "needs-review"
            rows.append((doc_id, start, end, code, coder, origin, status, None))
            coding_id += 1
            cw.writerows(
                [(doc_id, pk + 1, phase, coding_id, code, coder, fw, ew) for pk, fw, ew in parts]
            )
        cur.executemany(
            "INSERT INTO codings (doc, start, end, code, coder, origin, created, status, quote)"
            " VALUES (?, ?, ?, ?, ?, ?, '2026-12-01T00:00:00Z', ?, ?)",
            rows,
        )
        stored += len(rows)
    cur.execute("UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'revision'")
    # As the store's writes do: a token for the new revision, so derived data can be cached.
    cur.execute(
        "INSERT INTO revisions (revision, token) SELECT CAST(value AS INTEGER), random() "
        "FROM meta WHERE key = 'revision' ON CONFLICT (revision) DO UPDATE SET token = excluded.token"
    )
    db.commit()
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    print(
        f"{out}: {a.docs} documents, {total_passages} passages, {stored} codings "
        f"({coding_id} attached), seed {a.seed}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
