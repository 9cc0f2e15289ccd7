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
/// is recognised by its pattern of NUL bytes. CRLF and lone CR become LF, so line numbers in the
/// text are line numbers in the file.
///
/// Bytes that are not valid UTF-8 are read in one of two ways, each with one warning:
///
/// - as **UTF-8 with the bad bytes replaced** by U+FFFD (the warning names their byte offsets
///   and lines) when the file starts with a UTF-8 BOM, or when more of its non-ASCII characters
///   are valid UTF-8 sequences than are not (a UTF-8 transcript with a stray Windows quote, or
///   cut short in the middle of a character);
/// - otherwise in the encoding chardetng guesses (`caf\xE9` is windows-1252 `café`).
///
/// The rule picks the reading that damages fewer characters: replacing loses the invalid
/// sequences, while a legacy reading garbles every valid multi-byte character (`café` →
/// `cafÃ©`). A real windows-1252 or latin-1 file almost never holds a valid UTF-8 sequence (that
/// takes a capital accented letter or `ß` directly followed by a symbol such as `“`), and
/// multi-byte legacy encodings (GBK, Shift_JIS, EUC) form one only now and then, so their
/// invalid sequences far outnumber any accidental valid ones. On a tie the guess is kept.
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

/// Decodes bytes that are UTF-8 if valid or almost so (see [`decode`]), or else in chardetng's
/// guess.
fn decode_utf8(name: &str, bytes: &[u8], base: u64) -> Result<Parts> {
    check_binary(
        name,
        bytes.len(),
        bytes
            .iter()
            .enumerate()
            .map(|(i, &b)| (base + i as u64, u32::from(b))),
    )?;
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok((s.to_owned(), UTF_8.name(), None));
    }
    let lossy = Lossy::read(bytes);
    // A UTF-8 BOM is a clear statement; replacing the bad bytes beats guessing.
    let has_bom = base > 0;
    if has_bom || lossy.valid > lossy.bad.len() {
        let lead = if has_bom {
            "the file starts with a UTF-8 byte-order mark, but it is not valid UTF-8 at"
        } else {
            "the file was read as UTF-8, but it is not valid UTF-8 at"
        };
        let warning = lossy.warning(lead, bytes, base);
        return Ok((lossy.text, UTF_8.name(), Some(warning)));
    }
    let mut detector = EncodingDetector::new(Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let enc = detector.guess(None, Utf8Detection::Deny);
    let (text, had_errors) = enc.decode_without_bom_handling(bytes);
    let first_bad = lossy.bad.first().map_or(0, |&(start, _)| start);
    let mut warning = format!(
        "decoded as {} (guessed: the file is not UTF-8 from byte {} on)",
        enc.name(),
        base + first_bad as u64
    );
    if had_errors {
        warning.push_str("; some bytes could not be decoded and were replaced with \u{FFFD}");
    }
    warning.push_str("; if letters look wrong, save the file as UTF-8 and import it again");
    Ok((text.into_owned(), enc.name(), Some(warning)))
}

/// Bytes read as UTF-8 with each invalid sequence replaced by one U+FFFD (the maximal-subpart
/// rule `String::from_utf8_lossy` follows).
struct Lossy {
    text: String,
    /// How many non-ASCII characters are valid UTF-8 sequences.
    valid: usize,
    /// Byte ranges (in the bytes read) of the invalid sequences, in order.
    bad: Vec<(usize, usize)>,
}

/// How many invalid sequences a warning lists before it only counts the rest.
const LISTED: usize = 10;

impl Lossy {
    fn read(bytes: &[u8]) -> Lossy {
        let mut text = String::with_capacity(bytes.len() + 8);
        let (mut valid, mut bad, mut at) = (0, Vec::new(), 0);
        for chunk in bytes.utf8_chunks() {
            let ok = chunk.valid();
            // Lead bytes of multi-byte characters start at 0xC0; continuation bytes are below.
            valid += ok.bytes().filter(|&b| b >= 0xC0).count();
            text.push_str(ok);
            at += ok.len();
            let invalid = chunk.invalid().len();
            if invalid > 0 {
                text.push('\u{FFFD}');
                bad.push((at, at + invalid));
                at += invalid;
            }
        }
        Lossy { text, valid, bad }
    }

    /// One warning naming every replaced sequence (the first [`LISTED`]) by byte offset in the
    /// file and line; `base` is the length of the BOM before `bytes`.
    fn warning(&self, lead: &str, bytes: &[u8], base: u64) -> String {
        let mut places = Vec::new();
        let (mut line, mut counted) = (1usize, 0usize);
        for &(start, end) in self.bad.iter().take(LISTED) {
            line += line_breaks(&bytes[counted..start]);
            counted = start;
            let (first, last) = (base + start as u64, base + end as u64 - 1);
            places.push(if first == last {
                format!("byte {first} (line {line})")
            } else {
                format!("bytes {first}–{last} (line {line})")
            });
        }
        let more = self.bad.len().saturating_sub(LISTED);
        let places = match (places.split_last(), more) {
            (Some((last, [])), 0) => last.clone(),
            (Some((last, rest)), 0) => format!("{} and {last}", rest.join(", ")),
            _ => format!("{} and {more} more places", places.join(", ")),
        };
        format!(
            "{lead} {places}; each such place now reads \u{FFFD}. Check the text there: the original characters are lost unless the file is fixed \
             (saved as UTF-8) and imported again"
        )
    }
}

/// Line breaks in `bytes` as [`normalize_newlines`] counts them: LF, CRLF and lone CR.
///
/// `bytes` always ends just before an invalid byte, so a CR at its end is a lone CR.
fn line_breaks(bytes: &[u8]) -> usize {
    let mut breaks = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let crlf = b == b'\r' && bytes.get(i + 1) == Some(&b'\n');
        breaks += usize::from(b == b'\n' || (b == b'\r' && !crlf));
    }
    breaks
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
