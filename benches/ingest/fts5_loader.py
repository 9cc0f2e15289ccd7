#!/usr/bin/env python3
"""The reference for `ambit add` + `ambit index`: a researcher's script that loads the same
transcripts into SQLite FTS5, in one transaction.

    python3 fts5_loader.py DB PATH...        # files or folders (.txt, .md; recursive, sorted)

What it does, roughly as Ambit's plain-text reader does:
- reads each file, hashes its bytes (SHA-256, as Ambit does to recognise re-imports),
  decodes it as UTF-8 (a BOM dropped, bad bytes replaced) and turns CRLF/CR into LF;
- keeps the text in a `documents` table (path, title = the file's name, hash, text);
- splits the text into passages at blank lines; a passage that starts with a speaker label
  (`Päivi Mäkelä:`, `[00:01:02] P1:`: up to five words, the first capitalised, then a
  colon and a space) becomes a turn of that speaker, the label left out of its text;
- loads every passage into an FTS5 table (`porter unicode61`, the stemming and word rule
  closest to Ambit's English stemmer) with its speaker, document and ordinal.

What it does not do that Ambit does: other formats, encoding detection, Markdown structure,
timestamps, word counts, titles kept unique, the original file kept, per-file atomicity
(one transaction for the whole load: a failure loses everything), an index that follows
later edits. Prints files, passages, bytes and seconds.
"""
import hashlib
import os
import re
import sqlite3
import sys
import time

BLANK = re.compile(r"\n[ \t]*\n")
# An optional [clock time], then up to five words of which the first starts with a capital
# letter, then a colon and a space (or the end of the line).
LABEL = re.compile(
    r"[ \t]*(?:\[\d{1,2}(?::\d{2}){1,2}(?:[.,]\d{1,3})?\][ \t]+)?"
    r"([^\W\d_][\w.'’-]*(?:[ \t]+\w[\w.'’-]*){0,4})[ \t]*:(?:[ \t]+|$)"
)


def files(paths):
    for path in paths:
        if os.path.isdir(path):
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(names):
                    if name.endswith((".txt", ".md")) and not name.startswith("."):
                        yield os.path.join(root, name)
        else:
            yield path


def passages(text):
    for block in BLANK.split(text):
        block = block.strip()
        if not block:
            continue
        m = LABEL.match(block)
        if m and m.group(1)[0].isupper():
            rest = block[m.end():].strip()
            if rest:
                yield m.group(1), rest
                continue
        yield None, block


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    db = sys.argv[1]
    for suffix in ("", "-wal", "-shm", "-journal"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    started = time.perf_counter()
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute(
        "CREATE TABLE documents (id INTEGER PRIMARY KEY, path TEXT, title TEXT, hash TEXT, text TEXT)"
    )
    conn.execute(
        "CREATE VIRTUAL TABLE passages USING fts5(text, speaker, doc UNINDEXED, ordinal UNINDEXED,"
        " tokenize = 'porter unicode61')"
    )
    n_files = n_passages = n_bytes = 0
    conn.execute("BEGIN")
    for path in files(sys.argv[2:]):
        with open(path, "rb") as f:
            data = f.read()
        n_bytes += len(data)
        digest = hashlib.sha256(data).hexdigest()
        text = data.decode("utf-8-sig", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
        title = os.path.splitext(os.path.basename(path))[0]
        doc = conn.execute(
            "INSERT INTO documents (path, title, hash, text) VALUES (?, ?, ?, ?)",
            (path, title, digest, text),
        ).lastrowid
        rows = [(t, s, doc, i) for i, (s, t) in enumerate(passages(text), 1)]
        conn.executemany(
            "INSERT INTO passages (text, speaker, doc, ordinal) VALUES (?, ?, ?, ?)", rows
        )
        n_files += 1
        n_passages += len(rows)
    conn.execute("COMMIT")
    conn.close()
    secs = time.perf_counter() - started
    print(f"{n_files} files, {n_passages} passages, {n_bytes} bytes in {secs:.2f} s")


if __name__ == "__main__":
    main()
