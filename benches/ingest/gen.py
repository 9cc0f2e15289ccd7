#!/usr/bin/env python3
"""Per-format copies of the sample study's files for the ingest throughput benchmark.

    python3 gen.py OUT [COPIES]        # default 200 copies of each sample file

Writes OUT/<format>/NNNN-<name> for txt, md, vtt, docx, pdf, html, eml and csv. Every copy
differs in its bytes (Ambit skips byte-identical files as `unchanged`) and in its title
(Ambit refuses a second document with the same title and different content) without
changing the reader's work: a numbered line and title for text formats, a numbered cue for
vtt, a numbered core-properties title and an extra zip entry for docx, a numbered title of
the same length for pdf, a numbered <title> for html, a numbered Subject for e-mail, and
numbered respondent ids for the survey.
"""
import io
import os
import shutil
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLES = os.path.join(HERE, "..", "..", "data-samples")


def variants(path, ext, n):
    """A copy whose bytes and title differ (Ambit refuses a second document with the same title
    and different content) while the reader's work stays the same."""
    data = open(path, "rb").read()
    tag = f" (copy {n})"
    if ext in ("txt", "md"):
        text = data.decode("utf-8")
        if text.startswith("---") and "\ntitle:" in text:
            head, _, rest = text.partition("\ntitle:")
            line, _, rest = rest.partition("\n")
            text = f"{head}\ntitle:{line}{tag}\n{rest}"
        return (text + f"\n\n(copy {n})\n").encode()
    if ext == "vtt":
        return data + f"\n\n99:00:0{n % 10}.000 --> 99:00:09.000\ncopy {n}\n".encode()
    if ext == "html":
        return data.replace(b"</title>", tag.encode() + b"</title>", 1)
    if ext == "eml":
        return data.replace(b"Subject: ", f"Subject: [{n}] ".encode(), 1)
    if ext == "pdf":
        # The title's last three characters ("1.0", UTF-16 hex) become the copy number: the
        # same length, so the cross-reference offsets stay right.
        digits = "".join(f"{ord(c):04X}" for c in f"{n:03d}")
        return data.replace(b"0031002E0030>", digits.encode() + b">")
    if ext == "csv":
        # A survey copy: the respondent ids get the copy number, so the rows differ.
        lines = data.decode("utf-8").splitlines()
        return ("\n".join([lines[0]] + [f"C{n}-{l}" for l in lines[1:]]) + "\n").encode()
    if ext == "docx":
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for item in src.infolist():
                body = src.read(item.filename)
                if item.filename == "docProps/core.xml":
                    body = body.replace(b"</dc:title>", tag.encode() + b"</dc:title>", 1)
                dst.writestr(item, body)
            dst.writestr("customXml/copy.txt", f"copy {n}")
        return out.getvalue()
    raise ValueError(ext)


def main():
    out = sys.argv[1]
    copies = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    shutil.rmtree(out, ignore_errors=True)
    for root, _, files in os.walk(SAMPLES):
        for name in sorted(files):
            ext = name.rsplit(".", 1)[-1].lower()
            if ext not in ("txt", "md", "vtt", "docx", "pdf", "html", "eml", "csv") or name in ("README.md", "manifest.csv"):
                continue
            d = os.path.join(out, ext)
            os.makedirs(d, exist_ok=True)
            for n in range(copies):
                with open(os.path.join(d, f"{n:04d}-{name}"), "wb") as f:
                    f.write(variants(os.path.join(root, name), ext, n))


if __name__ == "__main__":
    main()
