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
//!   transcript;
//! - Word (.docx) and OpenDocument (.odt): zip + quick-xml; paragraphs, headings, tables (a row
//!   per line, tab-separated cells), notes after the body; transcripts split into turns;
//! - PDF (lopdf): the text layer page by page, each passage with its page;
//! - HTML (html5gum): visible text, headings and paragraphs;
//! - e-mail (mail-parser): .eml, and .mbox with one document per message, quotes marked;
//! - surveys (.csv, .xlsx via calamine): one document per row, one passage per answer column.
//!
//! ZIP containers are checked against zip bombs and unsafe entry paths ([`ZipLimits`]) before
//! anything reads them. Files holding several documents are read with [`extract_all`].
//!
//! Readers are lenient: an odd line becomes a [`Diagnostic`] with its line number, not a lost
//! file. Only files that cannot be imported at all are an [`Error`]. Two warnings guard against
//! results that would otherwise be silently wrong: UTF-8 with a few invalid bytes is read as
//! UTF-8 and the replaced bytes are named (see [`decode`]), and when many paragraphs open with
//! the same label-like shape that is not read as a speaker (`anna:`, `[Anna]`), the warning
//! names it and suggests an [`Options::speaker_pattern`] that reads it.
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

mod archive;
mod blocks;
mod cues;
mod decode;
mod email;
mod error;
mod html;
mod label;
mod lines;
mod markdown;
mod office;
mod pdf;
mod shapes;
mod sniff;
mod survey;
mod text;
mod xml;

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

pub use archive::ZipLimits;
pub use decode::{decode, Decoded};
pub use error::{Error, Result};
pub use sniff::{sniff, Sniffed};

/// The formats this crate reads.
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
    /// Word documents (Office Open XML).
    Docx,
    /// OpenDocument text (LibreOffice, Google Docs export).
    Odt,
    /// PDF documents with a text layer.
    Pdf,
    /// HTML pages.
    Html,
    /// One e-mail message (RFC 5322).
    Eml,
    /// An mbox archive of e-mail messages: one document per message.
    Mbox,
    /// A survey exported as CSV: one document per row.
    Csv,
    /// A survey workbook (Excel): one document per row of the first sheet.
    Xlsx,
    /// Rich Text Format: recognised so that it is refused with advice, not read.
    Rtf,
}

impl Format {
    /// The format for a file extension (without the dot, any case): txt, text, md, markdown,
    /// vtt, srt, docx, odt, pdf, html, htm, eml, mbox, csv, xlsx, rtf.
    pub fn from_extension(ext: &str) -> Option<Format> {
        match ext.to_ascii_lowercase().as_str() {
            "txt" | "text" => Some(Format::Text),
            "md" | "markdown" => Some(Format::Markdown),
            "vtt" => Some(Format::Vtt),
            "srt" => Some(Format::Srt),
            "docx" => Some(Format::Docx),
            "odt" => Some(Format::Odt),
            "pdf" => Some(Format::Pdf),
            "html" | "htm" | "xhtml" => Some(Format::Html),
            "eml" => Some(Format::Eml),
            "mbox" | "mbx" => Some(Format::Mbox),
            "csv" => Some(Format::Csv),
            "xlsx" => Some(Format::Xlsx),
            "rtf" => Some(Format::Rtf),
            _ => None,
        }
    }

    /// Whether one file of this format holds several documents (an mbox archive, a survey):
    /// read it with [`extract_all`].
    pub fn is_multi_document(self) -> bool {
        matches!(self, Format::Mbox | Format::Csv | Format::Xlsx)
    }

    /// What the file's first bytes must look like.
    fn magic(self) -> Sniffed {
        match self {
            Format::Docx | Format::Odt | Format::Xlsx => Sniffed::Zip,
            Format::Pdf => Sniffed::Pdf,
            Format::Rtf => Sniffed::Rtf,
            _ => Sniffed::Text,
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
            Format::Docx => "Word document (.docx)",
            Format::Odt => "OpenDocument text (.odt)",
            Format::Pdf => "PDF document (.pdf)",
            Format::Html => "HTML page (.html)",
            Format::Eml => "e-mail message (.eml)",
            Format::Mbox => "mbox e-mail archive (.mbox)",
            Format::Csv => "CSV table (.csv)",
            Format::Xlsx => "Excel workbook (.xlsx)",
            Format::Rtf => "Rich Text (.rtf)",
        })
    }
}

/// The format a path's extension names, if this crate reads it.
///
/// ```
/// use ambit_ingest::{format_for_path, Format};
/// use std::path::Path;
/// assert_eq!(format_for_path(Path::new("notes/Interview 3.TXT")), Some(Format::Text));
/// assert_eq!(format_for_path(Path::new("report.docx")), Some(Format::Docx));
/// assert_eq!(format_for_path(Path::new("slides.pptx")), None);
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
    /// Limits on unpacking docx, odt and xlsx containers (and PDF streams).
    pub zip: ZipLimits,
    /// Survey columns whose answers become passages (csv, xlsx); at least one is needed.
    pub text_columns: Vec<String>,
    /// The survey column naming each respondent; row numbers (`#12`) otherwise.
    pub id_column: Option<String>,
}

/// The default [`Options::max_bytes`]: 64 MiB, far above any transcript.
pub const DEFAULT_MAX_BYTES: u64 = 64 * 1024 * 1024;

impl Default for Options {
    fn default() -> Self {
        Options {
            speaker_pattern: None,
            transcript: None,
            max_bytes: DEFAULT_MAX_BYTES,
            zip: ZipLimits::default(),
            text_columns: Vec::new(),
            id_column: None,
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
    /// For one of several documents from a file: what tells it apart from its siblings, for
    /// titles (`#12` for a row or message, or the survey's id column).
    pub part: Option<String>,
}

/// A passage: a char range of the stored text, end exclusive, with what the source said
/// about it. The same type the store keeps ([`ambit_core::PassageSpan`]).
pub use ambit_core::PassageSpan as Segment;

/// What a file states about itself (front matter, document properties, e-mail headers).
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

/// Reads a file's bytes as `format`, which must hold one document.
///
/// `name` is only used in messages. Refuses files over [`Options::max_bytes`], empty files,
/// binary content and content of another kind than `format` (a PDF named `.txt`). An mbox
/// archive or survey with more than one document is refused with [`Error::SeveralDocuments`]:
/// use [`extract_all`] for those.
pub fn extract(name: &str, bytes: &[u8], format: Format, opts: &Options) -> Result<Extracted> {
    let mut all = extract_all(name, bytes, format, opts)?;
    match all.len() {
        1 => Ok(all.remove(0)),
        count => Err(Error::SeveralDocuments {
            name: name.to_owned(),
            count,
        }),
    }
}

/// Reads a file's bytes as `format`: one [`Extracted`] per document it holds (a message of an
/// mbox archive, a row of a survey), a single one for every other format.
///
/// The checks of [`extract`] apply; a file is refused as a whole or read as a whole.
///
/// ```
/// use ambit_ingest::{char_slice, extract_all, Format, Options};
///
/// let csv = "respondent,organisation,Q5\nR1,Saimaa Paper Oy,Ordern betyder — inköp\nR2,Norrvik,\n";
/// let opts = Options {
///     text_columns: vec!["Q5".into()],
///     id_column: Some("respondent".into()),
///     ..Options::default()
/// };
/// let docs = extract_all("survey.csv", csv.as_bytes(), Format::Csv, &opts).unwrap();
/// assert_eq!(docs.len(), 1); // R2 gave no answer
/// let p = &docs[0].passages[0];
/// assert_eq!(char_slice(&docs[0].text, p.start, p.end), Some("Ordern betyder — inköp"));
/// assert_eq!(p.question.as_deref(), Some("Q5")); // the question it answers, not a speaker
/// assert_eq!(docs[0].part.as_deref(), Some("R1"));
/// assert_eq!(docs[0].meta.attributes["organisation"], "Saimaa Paper Oy");
/// ```
pub fn extract_all(
    name: &str,
    bytes: &[u8],
    format: Format,
    opts: &Options,
) -> Result<Vec<Extracted>> {
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
    if found != format.magic() {
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
    let mut diagnostics = Vec::new();
    let one = |text: String, passages: Vec<Segment>, meta: Meta, diagnostics, encoding| {
        Ok(vec![Extracted {
            text,
            passages,
            meta,
            diagnostics,
            encoding,
            part: None,
        }])
    };
    match format {
        Format::Docx | Format::Odt => {
            let mut archive = archive::Archive::open(name, bytes, format, &opts.zip)?;
            let (blocks, meta) = if format == Format::Docx {
                office::docx(&mut archive)?
            } else {
                office::odt(&mut archive)?
            };
            let (text, passages) = office::finish(&blocks, opts, &mut diagnostics);
            if passages.is_empty() {
                return Err(Error::Empty {
                    name: name.to_owned(),
                });
            }
            one(text, passages, meta, diagnostics, "UTF-8")
        }
        Format::Xlsx => {
            let archive = archive::Archive::open(name, bytes, format, &opts.zip)?;
            let table = survey::xlsx_table(name, archive, bytes)?;
            survey::documents(name, table, opts)
        }
        Format::Pdf => {
            let (text, passages, meta) = pdf::extract(name, bytes, opts, &mut diagnostics)?;
            one(text, passages, meta, diagnostics, "UTF-8")
        }
        Format::Eml => Ok(vec![email::eml(name, bytes)?]),
        Format::Mbox => email::mbox(name, bytes),
        Format::Rtf => Err(Error::Unsupported {
            name: name.to_owned(),
            format,
            advice: "no maintained Rust crate reads RTF well enough to trust its text; \
                     open it in Word or LibreOffice and save it as .docx or .odt",
        }),
        _ => {
            let decoded = decode(name, bytes)?;
            diagnostics.extend(decoded.warning.into_iter().map(|message| Diagnostic {
                line: None,
                message,
            }));
            let encoding = decoded.encoding;
            match format {
                Format::Markdown => {
                    let (text, passages, meta) =
                        markdown::extract(&decoded.text, opts, &mut diagnostics);
                    one(text, passages, meta, diagnostics, encoding)
                }
                Format::Vtt | Format::Srt => {
                    let (text, passages) =
                        cues::extract(name, &decoded.text, format, opts, &mut diagnostics)?;
                    one(text, passages, Meta::default(), diagnostics, encoding)
                }
                Format::Html => {
                    let (blocks, meta) = html::extract(&decoded.text);
                    let (text, passages) = blocks::assemble(&blocks, opts, &mut diagnostics);
                    if passages.is_empty() {
                        return Err(Error::NothingToImport {
                            name: name.to_owned(),
                            reason: "the page has no visible text".to_owned(),
                        });
                    }
                    one(text, passages, meta, diagnostics, encoding)
                }
                Format::Csv => {
                    let table = survey::csv_table(name, &decoded.text)?;
                    let mut docs = survey::documents(name, table, opts)?;
                    if let Some(first) = docs.first_mut() {
                        first.diagnostics.splice(0..0, diagnostics);
                    }
                    for d in &mut docs {
                        d.encoding = encoding;
                    }
                    Ok(docs)
                }
                _ => {
                    let passages = text::segment(&decoded.text, 1, false, opts, &mut diagnostics);
                    one(
                        decoded.text,
                        passages,
                        Meta::default(),
                        diagnostics,
                        encoding,
                    )
                }
            }
        }
    }
}

/// The part of `text` from char `start` to char `end` (end exclusive); `None` when the range is
/// reversed or runs past the end. The one conversion in [`ambit_core::text`].
///
/// ```
/// assert_eq!(ambit_ingest::char_slice("Äiti 🙂 sanoi", 5, 6), Some("🙂"));
/// ```
pub use ambit_core::text::char_slice;
