//! Bytes to text: detect the encoding, refuse binary content, normalise line endings to LF.

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8};

use crate::{sniff, Error, Result};

/// A file's text after decoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text, without byte-order mark, with LF line endings.
    pub text: String,
    /// The encoding it was read in, as encoding_rs names it ("UTF-8", "UTF-16LE", "windows-1252").
    pub encoding: &'static str,
    /// Set when the encoding was guessed or bytes had to be replaced; the text is still usable.
    pub warning: Option<String>,
}

/// Decode a file's bytes to text.
///
/// UTF-8 (with or without BOM) and UTF-16 with a BOM are read as they are; UTF-16 without a BOM
/// is recognised by its pattern of NUL bytes; anything else that is not valid UTF-8 is decoded
/// in the encoding chardetng guesses, with a warning naming it. CRLF and lone CR become LF, so
/// line numbers in the text are line numbers in the file.
///
/// Refuses empty input (also whitespace only) and binary content (NUL bytes outside UTF-16, or
/// many control characters), naming the byte offset of the first offending byte.
///
/// ```
/// let d = ambit_ingest::decode("a.txt", b"\xEF\xBB\xBFHei\r\nmaailma\r\n").unwrap();
/// assert_eq!(d.text, "Hei\nmaailma\n");
/// assert_eq!(d.encoding, "UTF-8");
/// ```
pub fn decode(name: &str, bytes: &[u8]) -> Result<Decoded> {
    if bytes.is_empty() {
        return Err(Error::Empty {
            name: name.to_owned(),
        });
    }
    let sniffed = sniff(bytes);
    if !sniffed.is_text() {
        return Err(not_text(name, 0, sniffed.describe().to_owned()));
    }
    let (text, encoding, warning) = match Encoding::for_bom(bytes) {
        Some((enc, bom_len)) if enc == UTF_8 => {
            decode_utf8(name, &bytes[bom_len..], bom_len as u64)?
        }
        Some((enc, bom_len)) => decode_utf16(name, enc, &bytes[bom_len..], bom_len as u64, None)?,
        None => match guess_utf16(bytes) {
            Some(enc) => decode_utf16(
                name,
                enc,
                bytes,
                0,
                Some(format!(
                    "decoded as {} (guessed: the file has no byte-order mark)",
                    enc.name()
                )),
            )?,
            None => decode_utf8(name, bytes, 0)?,
        },
    };
    let text = normalize_newlines(text);
    if text.trim().is_empty() {
        return Err(Error::Empty {
            name: name.to_owned(),
        });
    }
    Ok(Decoded {
        text,
        encoding,
        warning,
    })
}

type Parts = (String, &'static str, Option<String>);

/// Decodes bytes that are UTF-8 if valid, or else in chardetng's guess.
fn decode_utf8(name: &str, bytes: &[u8], base: u64) -> Result<Parts> {
    check_binary(
        name,
        bytes.len(),
        bytes
            .iter()
            .enumerate()
            .map(|(i, &b)| (base + i as u64, u32::from(b))),
    )?;
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok((s.to_owned(), UTF_8.name(), None)),
        Err(e) if base > 0 => {
            // A UTF-8 BOM is a clear statement; replacing the bad bytes beats guessing.
            let text = String::from_utf8_lossy(bytes).into_owned();
            let warning = format!(
                "the file says it is UTF-8 but byte {} is not; bad bytes were replaced with \u{FFFD}",
                base + e.valid_up_to() as u64
            );
            Ok((text, UTF_8.name(), Some(warning)))
        }
        Err(e) => {
            let mut detector = EncodingDetector::new(Iso2022JpDetection::Deny);
            detector.feed(bytes, true);
            let enc = detector.guess(None, Utf8Detection::Deny);
            let (text, had_errors) = enc.decode_without_bom_handling(bytes);
            let mut warning = format!(
                "decoded as {} (guessed: the file is not UTF-8 from byte {} on)",
                enc.name(),
                e.valid_up_to()
            );
            if had_errors {
                warning
                    .push_str("; some bytes could not be decoded and were replaced with \u{FFFD}");
            }
            warning.push_str("; if letters look wrong, save the file as UTF-8 and import it again");
            Ok((text.into_owned(), enc.name(), Some(warning)))
        }
    }
}

fn decode_utf16(
    name: &str,
    enc: &'static Encoding,
    bytes: &[u8],
    base: u64,
    guessed: Option<String>,
) -> Result<Parts> {
    let (text, had_errors) = enc.decode_without_bom_handling(bytes);
    // NUL bytes are normal in UTF-16, so the binary check looks at the decoded characters.
    let mut offset = base;
    let units = text.chars().map(|c| {
        let at = offset;
        offset += 2 * c.len_utf16() as u64;
        (at, u32::from(c))
    });
    check_binary(name, text.chars().count(), units)?;
    let mut warning = guessed;
    if had_errors {
        let msg = format!(
            "some bytes are not valid {} and were replaced with \u{FFFD}",
            enc.name()
        );
        warning = Some(match warning {
            Some(w) => format!("{w}; {msg}"),
            None => msg,
        });
    }
    Ok((text.into_owned(), enc.name(), warning))
}

/// Recognises BOM-less UTF-16 text: mostly-ASCII UTF-16 has a NUL in every other byte.
fn guess_utf16(bytes: &[u8]) -> Option<&'static Encoding> {
    let sample = &bytes[..bytes.len().min(4096)];
    let pairs = sample.len() / 2;
    if pairs < 2 {
        return None;
    }
    let (mut even, mut odd) = (0usize, 0usize);
    for pair in sample.chunks_exact(2) {
        even += usize::from(pair[0] == 0);
        odd += usize::from(pair[1] == 0);
    }
    if odd * 10 >= pairs * 7 && even == 0 {
        Some(UTF_16LE)
    } else if even * 10 >= pairs * 7 && odd == 0 {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// Refuses NUL characters and a high share of control characters.
///
/// `units` yields (byte offset in the file, code point) for each byte or character; `len` is
/// how many it yields.
fn check_binary(name: &str, len: usize, units: impl Iterator<Item = (u64, u32)>) -> Result<()> {
    let mut bad = 0usize;
    let mut first_bad = None;
    for (offset, c) in units {
        if c == 0 {
            return Err(not_text(
                name,
                offset,
                "has a NUL byte, which text files never have (a binary file, or UTF-16 without a byte-order mark?)"
                    .to_owned(),
            ));
        }
        // Tab, LF, VT, FF, CR are layout; SUB ends old DOS files; ESC starts ANSI colour codes.
        let control = (c < 0x20 && !matches!(c, 0x09..=0x0D | 0x1A | 0x1B)) || c == 0x7F;
        if control {
            bad += 1;
            first_bad.get_or_insert(offset);
        }
    }
    match first_bad {
        Some(offset) if bad * 20 > len => Err(not_text(
            name,
            offset,
            format!("has many control characters ({bad} of {len}), as binary files do"),
        )),
        _ => Ok(()),
    }
}

fn not_text(name: &str, offset: u64, what: String) -> Error {
    Error::NotText {
        name: name.to_owned(),
        offset,
        what,
    }
}

/// CRLF and lone CR to LF, in one pass.
pub(crate) fn normalize_newlines(text: String) -> String {
    if !text.contains('\r') {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(i) = rest.find('\r') {
        out.push_str(&rest[..i]);
        out.push('\n');
        rest = &rest[i + 1..];
        if let Some(after) = rest.strip_prefix('\n') {
            rest = after;
        }
    }
    out.push_str(rest);
    out
}
