//! Turn a file's bytes into stored document text plus passages: char ranges with speaker and timing.
//!
//! Ambit imports interview and workshop transcripts, field notes and subtitle exports. This
//! crate decides what the stored text of such a file is and where its passages (paragraphs,
//! headings, speaker turns) lie in it. Everything downstream points into the stored text by
//! **char offsets** (Unicode scalar values, end exclusive), so every [`Segment`] here obeys:
//! `start <= end <= text.chars().count()`, segments are in order and do not overlap, and the
//! text in the range is exactly the utterance or paragraph: no speaker label, no timestamp, no
//! surrounding whitespace.
//!
//! The flow is [`sniff`] (refuse PDFs and ZIPs named `.txt`) → [`decode`] (encoding, line
//! endings) → a reader per [`Format`]:
//!
//! - plain text: paragraphs, or speaker turns when the file is a transcript (detected, or forced
//!   with [`Options::transcript`]); the stored text is the decoded file;
//! - Markdown: front matter into [`Meta`], headings and paragraphs (and turns) as passages;
//! - WebVTT and SubRip: cues merged into speaker turns, stored as a readable `Speaker: text`
//!   transcript.
//!
//! Readers are lenient: an odd line becomes a [`Diagnostic`] with its line number, not a lost
//! file. Only files that cannot be imported at all are an [`Error`].
//!
//! ```
//! use ambit_ingest::{char_slice, extract, Format, Options};
//!
//! let bytes = "[00:00:05] Päivi Mäkelä: Hyvää huomenta — welcome!\r\nP1: Thanks 🙂\r\n".as_bytes();
//! let got = extract("workshop.txt", bytes, Format::Text, &Options::default()).unwrap();
//! let first = &got.passages[0];
//! assert_eq!(first.speaker.as_deref(), Some("Päivi Mäkelä"));
//! assert_eq!(first.start_ms, Some(5_000));
//! assert_eq!(char_slice(&got.text, first.start, first.end), Some("Hyvää huomenta — welcome!"));
//! assert_eq!(got.passages[1].speaker.as_deref(), Some("P1"));
//! ```
#![warn(missing_docs)]

mod cues;
mod decode;
mod error;
mod label;
mod lines;
mod markdown;
mod sniff;
mod text;

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

pub use decode::{decode, Decoded};
pub use error::{Error, Result};
pub use sniff::{sniff, Sniffed};

/// The text formats this crate reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Format {
    /// Plain text: prose paragraphs or a speaker-labelled transcript.
    Text,
    /// Markdown, with optional YAML-style front matter.
    Markdown,
    /// WebVTT subtitles (Zoom, Teams, YouTube exports).
    Vtt,
    /// SubRip subtitles.
    Srt,
}

impl Format {
    /// The format for a file extension (without the dot, any case): txt, text, md, markdown, vtt, srt.
    pub fn from_extension(ext: &str) -> Option<Format> {
        match ext.to_ascii_lowercase().as_str() {
            "txt" | "text" => Some(Format::Text),
            "md" | "markdown" => Some(Format::Markdown),
            "vtt" => Some(Format::Vtt),
            "srt" => Some(Format::Srt),
            _ => None,
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Text => "plain text (.txt)",
            Format::Markdown => "Markdown (.md)",
            Format::Vtt => "WebVTT (.vtt)",
            Format::Srt => "SubRip (.srt)",
        })
    }
}

/// The format a path's extension names, if this crate reads it.
///
/// ```
/// use ambit_ingest::{format_for_path, Format};
/// use std::path::Path;
/// assert_eq!(format_for_path(Path::new("notes/Interview 3.TXT")), Some(Format::Text));
/// assert_eq!(format_for_path(Path::new("report.docx")), None);
/// ```
pub fn format_for_path(path: &Path) -> Option<Format> {
    Format::from_extension(path.extension()?.to_str()?)
}

/// How to read a file.
#[derive(Debug, Clone)]
pub struct Options {
    /// A project's own speaker-label pattern, replacing the built-in detection. It needs a named
    /// group `speaker` and may have a group `time` (read as `h:mm:ss` or `mm:ss`, optional
    /// `.ttt`). It must match at the start of a line; the utterance begins after the whole match.
    pub speaker_pattern: Option<regex::Regex>,
    /// Whether a plain-text or Markdown file is a transcript: `None` detects it (at least two
    /// labelled turns, and at least 30% of the blocks or lines start with a label).
    pub transcript: Option<bool>,
    /// Files larger than this many bytes are refused with [`Error::TooLarge`].
    pub max_bytes: u64,
}

/// The default [`Options::max_bytes`]: 64 MiB, far above any transcript.
pub const DEFAULT_MAX_BYTES: u64 = 64 * 1024 * 1024;

impl Default for Options {
    fn default() -> Self {
        Options {
            speaker_pattern: None,
            transcript: None,
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }
}

/// What a file turned into.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Extracted {
    /// The stored document text (LF line endings, no BOM). Passages point into it.
    pub text: String,
    /// Passages in text order, never overlapping.
    pub passages: Vec<Segment>,
    /// Title, date and other attributes the file states about itself.
    pub meta: Meta,
    /// Warnings: the file was imported, but something deserves a look.
    pub diagnostics: Vec<Diagnostic>,
    /// The encoding the file was read in, as encoding_rs names it ("UTF-8", "windows-1252").
    pub encoding: &'static str,
}

/// A passage: a char range of the stored text, end exclusive.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Segment {
    /// First char of the passage (a char offset, not a byte offset).
    pub start: usize,
    /// One past the last char of the passage.
    pub end: usize,
    /// The speaker as the label wrote it, for transcript turns.
    pub speaker: Option<String>,
    /// Start time in milliseconds, when the file gives one.
    pub start_ms: Option<u64>,
    /// End time in milliseconds (subtitle cues only).
    pub end_ms: Option<u64>,
    /// Page number, for paged formats (none of the current ones).
    pub page: Option<u32>,
    /// Whether the passage is a heading.
    pub heading: bool,
}

impl Segment {
    /// A passage covering `start..end` with no speaker, timing or page.
    pub fn new(start: usize, end: usize) -> Segment {
        Segment {
            start,
            end,
            speaker: None,
            start_ms: None,
            end_ms: None,
            page: None,
            heading: false,
        }
    }
}

/// What a file states about itself (Markdown front matter).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Meta {
    /// The document's title.
    pub title: Option<String>,
    /// The date as written; the caller validates it.
    pub date: Option<String>,
    /// Every other key, as written.
    pub attributes: BTreeMap<String, String>,
}

/// A warning about a file that was still imported.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Diagnostic {
    /// 1-based line in the input file, when the warning is about one line.
    pub line: Option<usize>,
    /// What is odd and what it means for the import.
    pub message: String,
}

impl Diagnostic {
    pub(crate) fn at(line: usize, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            line: Some(line),
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// Read a file's bytes as `format`.
///
/// `name` is only used in messages. Refuses files over [`Options::max_bytes`], empty files,
/// binary content and content of another kind than `format` (a PDF named `.txt`).
pub fn extract(name: &str, bytes: &[u8], format: Format, opts: &Options) -> Result<Extracted> {
    let size = bytes.len() as u64;
    if size > opts.max_bytes {
        return Err(Error::TooLarge {
            name: name.to_owned(),
            size,
            limit: opts.max_bytes,
        });
    }
    if bytes.is_empty() {
        return Err(Error::Empty {
            name: name.to_owned(),
        });
    }
    let found = sniff(bytes);
    if !found.is_text() {
        return Err(Error::ExtensionMismatch {
            name: name.to_owned(),
            expected: format,
            found,
        });
    }
    if let Some(pattern) = &opts.speaker_pattern {
        if !pattern.capture_names().any(|n| n == Some("speaker")) {
            return Err(Error::SpeakerPattern {
                pattern: pattern.as_str().to_owned(),
            });
        }
    }
    let decoded = decode(name, bytes)?;
    let mut diagnostics: Vec<Diagnostic> = decoded
        .warning
        .into_iter()
        .map(|message| Diagnostic {
            line: None,
            message,
        })
        .collect();
    let (text, passages, meta) = match format {
        Format::Text => {
            let passages = text::segment(&decoded.text, 1, false, opts, &mut diagnostics);
            (decoded.text, passages, Meta::default())
        }
        Format::Markdown => markdown::extract(&decoded.text, opts, &mut diagnostics),
        Format::Vtt | Format::Srt => {
            let (text, passages) =
                cues::extract(name, &decoded.text, format, opts, &mut diagnostics)?;
            (text, passages, Meta::default())
        }
    };
    Ok(Extracted {
        text,
        passages,
        meta,
        diagnostics,
        encoding: decoded.encoding,
    })
}

/// The part of `text` from char `start` to char `end` (end exclusive); `None` when the range is
/// reversed or runs past the end.
///
/// ```
/// assert_eq!(ambit_ingest::char_slice("Äiti 🙂 sanoi", 5, 6), Some("🙂"));
/// ```
pub fn char_slice(text: &str, start: usize, end: usize) -> Option<&str> {
    if start > end {
        return None;
    }
    // Byte offsets of char `start` and char `end`, found in one pass; the end of the text is
    // a valid position too.
    let mut positions = text
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(text.len()));
    let from = positions.nth(start)?;
    let to = if end == start {
        from
    } else {
        positions.nth(end - start - 1)?
    };
    Some(&text[from..to])
}

/// The number of words in `text`: runs of letters and digits, where an apostrophe or hyphen
/// between two of them (`O'Brien`, `Anna-Liisa`) does not split the word.
///
/// ```
/// assert_eq!(ambit_ingest::word_count("Anna-Liisa O'Brien said — well, 3 things 🙂"), 6);
/// ```
pub fn word_count(text: &str) -> usize {
    let is_word = |c: char| c.is_alphanumeric() || ('\u{300}'..='\u{36F}').contains(&c);
    let is_joiner = |c: char| matches!(c, '\'' | '’' | '-' | '\u{2010}' | '\u{2011}');
    let mut count = 0;
    let mut in_word = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if is_word(c) {
            if !in_word {
                count += 1;
                in_word = true;
            }
        } else if !(in_word && is_joiner(c) && chars.peek().is_some_and(|&n| is_word(n))) {
            in_word = false;
        }
    }
    count
}
