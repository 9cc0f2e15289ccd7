//! PDF documents: the text layer page by page (lopdf); every passage records its page. Encrypted, scanned and badly damaged files are refused.

use std::panic::{catch_unwind, AssertUnwindSafe};

use lopdf::{Document, LoadOptions, Object};

use crate::{text, Diagnostic, Error, Format, Meta, Options, Result, Segment};

/// The stored text (pages separated by a blank line), passages with page numbers, and the
/// document information (title, creation date, author).
pub(crate) fn extract(
    name: &str,
    bytes: &[u8],
    opts: &Options,
    diags: &mut Vec<Diagnostic>,
) -> Result<(String, Vec<Segment>, Meta)> {
    let corrupt = |reason: String| Error::Corrupt {
        name: name.to_owned(),
        format: Format::Pdf,
        reason,
    };
    let limit = usize::try_from(opts.zip.entry_bytes).unwrap_or(usize::MAX);
    // lopdf is a manipulation library and still has panicking paths on crafted input
    // (fuzzing found some); a panic in it must refuse the file, not abort the whole batch.
    let outcome = catch_unwind(AssertUnwindSafe(|| read(bytes, limit)));
    let pages = match outcome {
        Ok(Ok(read)) => read,
        Ok(Err(problem)) => {
            return Err(match problem {
                Problem::Encrypted(reason) => Error::Encrypted {
                    name: name.to_owned(),
                    reason,
                },
                Problem::Corrupt(reason) => corrupt(reason),
            })
        }
        Err(_) => {
            return Err(corrupt(
                "the PDF reader gave up on its internal structure".to_owned(),
            ))
        }
    };
    let Read {
        pages,
        meta,
        warnings,
    } = pages;
    diags.extend(warnings.into_iter().map(|message| Diagnostic {
        line: None,
        message,
    }));
    if pages.iter().all(|p| p.trim().is_empty()) {
        return Err(Error::NoTextLayer {
            name: name.to_owned(),
        });
    }

    let mut stored = String::new();
    // (first char, page number) of each page in the stored text.
    let mut starts = Vec::with_capacity(pages.len());
    let mut chars = 0;
    for (i, page) in pages.iter().enumerate() {
        let page = tidy(page);
        if page.is_empty() {
            continue;
        }
        if !stored.is_empty() {
            stored.push_str("\n\n");
            chars += 2;
        }
        starts.push((chars, u32::try_from(i + 1).unwrap_or(u32::MAX)));
        chars += page.chars().count();
        stored.push_str(&page);
    }
    stored.push('\n');
    let mut found = Vec::new();
    let passages = text::segment(&stored, 1, false, opts, &mut found);
    diags.extend(found.into_iter().map(|d| Diagnostic {
        line: None,
        message: d.message,
    }));
    Ok((stored.clone(), paginate(&stored, passages, &starts), meta))
}

/// Splits passages that run over a page break and gives each its page.
fn paginate(text: &str, passages: Vec<Segment>, starts: &[(usize, u32)]) -> Vec<Segment> {
    let chars: Vec<char> = text.chars().collect();
    let page_of = |at: usize| match starts.binary_search_by(|(s, _)| s.cmp(&at)) {
        Ok(i) => i,
        Err(i) => i.saturating_sub(1),
    };
    let mut out = Vec::with_capacity(passages.len());
    for p in passages {
        let mut start = p.start;
        let mut first = true;
        loop {
            let i = page_of(start);
            let page_end = starts.get(i + 1).map_or(chars.len(), |(s, _)| *s);
            let end = p.end.min(page_end);
            // Trim the piece so it never starts or ends in the blank line between pages.
            let (mut s, mut e) = (start, end);
            while s < e && chars[s].is_whitespace() {
                s += 1;
            }
            while e > s && chars[e - 1].is_whitespace() {
                e -= 1;
            }
            if s < e {
                out.push(Segment {
                    start: s,
                    end: e,
                    page: starts.get(i).map(|(_, n)| *n),
                    speaker: if first { p.speaker.clone() } else { None },
                    start_ms: if first { p.start_ms } else { None },
                    ..Segment::new(s, e)
                });
                first = false;
            }
            if end >= p.end {
                break;
            }
            start = end;
        }
    }
    out
}

/// A page's text with trailing spaces, blank-line runs and edge blank lines removed.
fn tidy(page: &str) -> String {
    let mut out = String::with_capacity(page.len());
    let mut blank = 0;
    // Symbol fonts map bullets and ornaments to the private use area; they are not text.
    let page: String = page
        .chars()
        .filter(|c| !('\u{E000}'..='\u{F8FF}').contains(c))
        .collect();
    for line in page.replace("\r\n", "\n").replace('\r', "\n").split('\n') {
        let line = line.trim_end();
        if line.trim().is_empty() {
            blank += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank > 0 { "\n\n" } else { "\n" });
        }
        blank = 0;
        out.push_str(line);
    }
    out
}

enum Problem {
    Encrypted(String),
    Corrupt(String),
}

struct Read {
    pages: Vec<String>,
    meta: Meta,
    warnings: Vec<String>,
}

fn read(bytes: &[u8], limit: usize) -> std::result::Result<Read, Problem> {
    let options = LoadOptions {
        max_decompressed_size: Some(limit),
        ..LoadOptions::default()
    };
    let doc = Document::load_mem_with_options(bytes, options).map_err(|e| match e {
        lopdf::Error::Decryption(_) | lopdf::Error::InvalidPassword => {
            Problem::Encrypted("it is protected with a password".to_owned())
        }
        other => Problem::Corrupt(format!("it cannot be read as a PDF ({other})")),
    })?;
    if doc.was_encrypted() || doc.is_encrypted() {
        return Err(Problem::Encrypted(
            "it is encrypted (its author restricted copying or opening it)".to_owned(),
        ));
    }
    let mut warnings = Vec::new();
    match doc.xref_recovery {
        Some(lopdf::xref::XrefRecovery::OffsetCorrected) | None => {}
        Some(_) => {
            return Err(Problem::Corrupt(
                "its cross-reference table is broken, so pages may be missing or come from an \
                 older version of the file"
                    .to_owned(),
            ))
        }
    }
    let numbers: Vec<u32> = doc.get_pages().keys().copied().collect();
    if numbers.is_empty() {
        return Err(Problem::Corrupt("it has no pages".to_owned()));
    }
    let mut pages = Vec::with_capacity(numbers.len());
    let mut failed = 0;
    for n in &numbers {
        match doc.extract_text_with_limit(&[*n], limit) {
            Ok(t) => pages.push(t),
            Err(e) => {
                failed += 1;
                warnings.push(format!(
                    "page {n}: its text could not be read ({e}); the page is left out"
                ));
                pages.push(String::new());
            }
        }
    }
    if failed == numbers.len() {
        return Err(Problem::Corrupt(format!(
            "no page's text could be read ({})",
            warnings.first().map_or("", String::as_str)
        )));
    }
    Ok(Read {
        pages,
        meta: info(&doc),
        warnings,
    })
}

/// Title, creation date and author from the document information dictionary.
fn info(doc: &Document) -> Meta {
    let mut meta = Meta::default();
    let Some(dict) = doc.trailer.get(b"Info").ok().and_then(|o| match o {
        Object::Reference(id) => doc.get_dictionary(*id).ok(),
        Object::Dictionary(d) => Some(d),
        _ => None,
    }) else {
        return meta;
    };
    let get = |key: &[u8]| {
        dict.get(key)
            .ok()
            .and_then(|o| lopdf::decode_text_string(o).ok())
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    meta.title = get(b"Title");
    if let Some(author) = get(b"Author") {
        meta.attributes.insert("author".to_owned(), author);
    }
    // `D:20130115093000+02'00'` → 2013-01-15.
    if let Some(d) = get(b"CreationDate") {
        let digits = d.trim_start_matches("D:");
        if digits.len() >= 8 && digits.as_bytes()[..8].iter().all(u8::is_ascii_digit) {
            meta.date = Some(format!(
                "{}-{}-{}",
                &digits[..4],
                &digits[4..6],
                &digits[6..8]
            ));
        }
    }
    meta
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::char_slice;

    fn check(pages: &[&str], expected: &[(&str, u32)]) {
        let mut text = String::new();
        let mut starts = Vec::new();
        for (i, p) in pages.iter().enumerate() {
            if !text.is_empty() {
                text.push_str("\n\n");
            }
            starts.push((text.chars().count(), i as u32 + 1));
            text.push_str(p);
        }
        text.push('\n');
        let passages = text::segment(&text, 1, false, &Options::default(), &mut Vec::new());
        let got: Vec<(&str, u32)> = paginate(&text, passages, &starts)
            .iter()
            .map(|p| (char_slice(&text, p.start, p.end).unwrap(), p.page.unwrap()))
            .collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn passages_get_their_page() {
        check(
            &["Förord\n\nÅsa — ok", "Sida två\nrad två"],
            &[("Förord", 1), ("Åsa — ok", 1), ("Sida två\nrad två", 2)],
        );
    }

    #[test]
    fn tidy_pages() {
        assert_eq!(tidy("  \nA  \r\nB\n\n\n\nC \n\n"), "A\nB\n\nC");
    }
}
