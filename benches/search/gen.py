#!/usr/bin/env python3
"""Deterministic generator of a large Ambit study for the search benchmark.

Writes OUT/docs/d0000.txt ... (speaker-turn transcripts), OUT/manifest.csv for
`ambit add --manifest`, OUT/ambit.toml (the sample timeline) and OUT/passages.tsv
(passage id, phase, text) for the sqlite3 FTS5 comparison.

    python3 gen.py OUT [PASSAGES] [PER_DOC]      # defaults: 1000000 passages, 1000 per document
"""
import os
import random
import sys

PHASES = [  # id, first day, length in days (the sample study's timeline)
    ("baseline", (2013, 1, 7), 60),
    ("I1", (2013, 3, 18), 25),
    ("between", (2013, 4, 15), 50),
    ("I2", (2013, 6, 10), 80),
    ("I3", (2013, 9, 2), 55),
    ("followup", (2013, 11, 1), 100),
]
MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

WORDS = (
    "order purchase repair service customer process map shared phone e-mail form "
    "workshop model simulation rule routine team manager technician invoice spare part "
    "delivery schedule priority backlog ticket coordination coordinating knowledge boundary "
    "meaning practice tool object artefact whiteboard sticky note agreement change pilot "
    "we they it is was are were have has had do does not never always sometimes often "
    "the a an of to in on for with by at from about into over after before because but and or "
    "so then now when where how why what who which this that these those our their your my "
    "työ järjestelmä tilaus huolto asiakas kari päivi åsa jussi"
).split()
SPEAKERS = ["Päivi Mäkelä", "Kari Järvinen", "Åsa Ström", "Jussi Häkkinen", "Interviewer", "Manager"]


def add_days(ymd, n):
    y, m, d = ymd
    d += n
    while d > MONTH_DAYS[m - 1]:
        d -= MONTH_DAYS[m - 1]
        m += 1
        if m > 12:
            m, y = 1, y + 1
    return y, m, d


def main():
    out = sys.argv[1]
    total = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    per_doc = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    rng = random.Random(20130107)
    # Zipf-like word weights: a few words are very common, most are rare.
    weights = [1.0 / (i + 1) for i in range(len(WORDS))]
    os.makedirs(os.path.join(out, "docs"), exist_ok=True)
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "..", "..", "data-samples", "ambit.toml"), encoding="utf-8") as f:
        toml = f.read()
    with open(os.path.join(out, "ambit.toml"), "w", encoding="utf-8") as f:
        f.write(toml)
    manifest = open(os.path.join(out, "manifest.csv"), "w", encoding="utf-8")
    manifest.write("path,kind,date,org\n")
    tsv = open(os.path.join(out, "passages.tsv"), "w", encoding="utf-8")
    docs = (total + per_doc - 1) // per_doc
    for d in range(docs):
        phase, start, length = PHASES[d % len(PHASES)]
        date = add_days(start, rng.randrange(length))
        name = f"docs/d{d:05}.txt"
        kind = "workshop" if d % 3 == 0 else "interview"
        manifest.write(f"{name},{kind},{date[0]:04}-{date[1]:02}-{date[2]:02},org{d % 7}\n")
        n = min(per_doc, total - d * per_doc)
        lines = []
        for p in range(n):
            words = rng.choices(WORDS, weights, k=rng.randint(8, 60))
            text = " ".join(words).capitalize() + "."
            speaker = SPEAKERS[rng.randrange(len(SPEAKERS))]
            lines.append(f"{speaker}: {text}")
            tsv.write(f"D{d + 1}:{p + 1}\t{phase}\t{text}\n")
        with open(os.path.join(out, name), "w", encoding="utf-8") as f:
            f.write("\n\n".join(lines) + "\n")
    manifest.close()
    tsv.close()


if __name__ == "__main__":
    main()
