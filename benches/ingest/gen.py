#!/usr/bin/env python3
"""Per-format copies of the sample study's files for the ingest throughput benchmark.

    python3 gen.py OUT [COPIES]        # default 200 copies of each sample file

Writes OUT/<format>/NNNN-<name> for txt, md, vtt, docx, pdf, html, eml and csv. Every copy
differs in its bytes (Ambit skips byte-identical files as `unchanged`) without changing the
reader's work: a numbered line for text formats, an extra zip entry for docx, a trailing
comment after %%EOF for pdf, an HTML comment, an extra header for e-mail, and a new row id
for the survey.
"""
import io
import os
import shutil
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLES = os.path.join(HERE, "..", "..", "data-samples")


def variants(path, ext, n):
    data = open(path, "rb").read()
    if ext in ("txt", "md"):
        return data + f"\n\n(copy {n})\n".encode()
    if ext == "vtt":
        return data + f"\n\n99:00:0{n % 10}.000 --> 99:00:09.000\ncopy {n}\n".encode()
    if ext == "html":
        return data + f"\n<!-- copy {n} -->\n".encode()
    if ext == "eml":
        return f"X-Copy: {n}\r\n".encode() + data
    if ext == "pdf":
        return data + f"\n% copy {n}\n".encode()
    if ext == "csv":
        # A survey copy: the respondent ids get the copy number, so the rows differ.
        lines = data.decode("utf-8").splitlines()
        return ("\n".join([lines[0]] + [f"C{n}-{l}" for l in lines[1:]]) + "\n").encode()
    if ext == "docx":
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for item in src.infolist():
                dst.writestr(item, src.read(item.filename))
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
