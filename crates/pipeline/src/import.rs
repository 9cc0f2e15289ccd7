//! Importing files into a project: one transaction per file, a report line per file.
//!
//! A batch never stops at a bad file: each file is read, parsed and stored on its own, and
//! its outcome (added, unchanged, replaced, skipped, failed with a reason) is reported. A
//! failed file leaves nothing of itself in the store.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ambit_core::text::{word_count, CharIndex};
use ambit_core::{Date, DocId, DocKind};
use ambit_ingest::{Extracted, Format, Options, ZipLimits};
use ambit_store::{NewDocument, NewPassage, Project};
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// Metadata the user gave for a file (flags or a manifest row); it wins over metadata found
/// in the file itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocDefaults {
    /// Kind of material; `other` when nobody says.
    pub kind: Option<DocKind>,
    /// Date.
    pub date: Option<Date>,
    /// Explicit phase id.
    pub phase: Option<String>,
    /// Title; the file's own title or its name otherwise.
    pub title: Option<String>,
    /// Attributes.
    pub attributes: BTreeMap<String, String>,
    /// Survey columns (csv, xlsx) whose answers become passages.
    pub text_columns: Vec<String>,
    /// Survey column naming the respondent; used in document titles.
    pub id_column: Option<String>,
}

/// One file to import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportItem {
    /// The file.
    pub path: PathBuf,
    /// What the user said about it.
    pub defaults: DocDefaults,
    /// Where the request came from, for messages (`manifest.csv line 4`).
    pub origin: Option<String>,
}

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Stored as a new document.
    Added {
        /// Its id.
        id: DocId,
        /// Number of passages.
        passages: usize,
        /// Number of words.
        words: usize,
    },
    /// Stored as several new documents (an mbox archive, a survey), all in one transaction.
    AddedSeveral {
        /// Their ids, in file order.
        ids: Vec<DocId>,
        /// Number of passages, all documents together.
        passages: usize,
        /// Number of words, all documents together.
        words: usize,
    },
    /// Replaced an earlier version of the same document (`--replace`).
    Replaced {
        /// The kept id.
        id: DocId,
        /// Number of passages.
        passages: usize,
        /// Number of words.
        words: usize,
    },
    /// The same content was imported before; nothing done.
    Unchanged {
        /// The existing document.
        id: DocId,
    },
    /// Not a format Ambit reads; left alone (only for files found in directories).
    Skipped {
        /// Why.
        reason: String,
    },
    /// Refused; nothing of it was stored.
    Failed {
        /// What is wrong and what to do.
        message: String,
    },
}

/// The outcome of one file, with warnings from its reader.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileReport {
    /// The file.
    pub path: PathBuf,
    /// What happened.
    pub outcome: Outcome,
    /// Warnings (the file was still imported).
    pub warnings: Vec<String>,
}

/// The outcome of a batch, one report per file in request order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchReport {
    /// Per-file reports.
    pub files: Vec<FileReport>,
}

impl BatchReport {
    /// Number of files that failed.
    pub fn failed(&self) -> usize {
        self.files
            .iter()
            .filter(|f| matches!(f.outcome, Outcome::Failed { .. }))
            .count()
    }

    /// Number of files added or replaced.
    pub fn stored(&self) -> usize {
        self.files
            .iter()
            .filter(|f| {
                matches!(
                    f.outcome,
                    Outcome::Added { .. } | Outcome::AddedSeveral { .. } | Outcome::Replaced { .. }
                )
            })
            .count()
    }
}

/// Options for a batch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// Replace a different earlier version with the same source or title.
    pub replace: bool,
}

/// Expands paths into import items: files as given, directories recursively (sorted, hidden
/// entries left out). Files of unsupported formats found in directories come back as
/// skipped reports; named files of unsupported formats fail, so a typo is never silent.
pub fn expand_paths(
    paths: &[PathBuf],
    defaults: &DocDefaults,
) -> (Vec<ImportItem>, Vec<FileReport>) {
    let mut items = Vec::new();
    let mut reports = Vec::new();
    for path in paths {
        if path.is_dir() {
            let walker = walkdir::WalkDir::new(path)
                .sort_by_file_name()
                .into_iter()
                .filter_entry(|e| {
                    e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.')
                });
            for entry in walker {
                match entry {
                    Ok(e) if e.file_type().is_file() => {
                        let p = e.into_path();
                        let format = ambit_ingest::format_for_path(&p);
                        // A table in a folder is as likely a manifest or codebook export as
                        // a survey; it is read only when answer columns were given.
                        let table = matches!(format, Some(Format::Csv | Format::Xlsx))
                            && defaults.text_columns.is_empty();
                        if table {
                            reports.push(FileReport {
                                path: p,
                                outcome: Outcome::Skipped {
                                    reason: "a table: name it, with --text-column, to import it as a survey".into(),
                                },
                                warnings: vec![],
                            });
                        } else if format.is_some() {
                            items.push(ImportItem {
                                path: p,
                                defaults: defaults.clone(),
                                origin: None,
                            });
                        } else {
                            reports.push(FileReport {
                                path: p,
                                outcome: Outcome::Skipped {
                                    reason: "not a supported format".into(),
                                },
                                warnings: vec![],
                            });
                        }
                    }
                    Ok(_) => {}
                    Err(e) => reports.push(FileReport {
                        path: e.path().map_or_else(|| path.clone(), Path::to_path_buf),
                        outcome: Outcome::Failed {
                            message: format!("cannot read directory entry: {e}"),
                        },
                        warnings: vec![],
                    }),
                }
            }
        } else {
            items.push(ImportItem {
                path: path.clone(),
                defaults: defaults.clone(),
                origin: None,
            });
        }
    }
    (items, reports)
}

/// Imports items in order, each in its own transaction, calling `progress` after each.
/// Files are read and parsed a few at a time in parallel; storing stays sequential, so
/// document ids follow the order of `items` and a failed file never stops the batch.
pub fn import(
    project: &mut Project,
    items: &[ImportItem],
    opts: ImportOptions,
    progress: &mut dyn FnMut(&FileReport),
) -> Result<BatchReport> {
    let speaker_pattern = match &project.config.speaker_pattern {
        None => None,
        Some(p) => Some(regex::Regex::new(p).map_err(|e| {
            Error::Request(format!(
                "ambit.toml: speaker_pattern is not a valid regex: {e}"
            ))
        })?),
    };
    let mut report = BatchReport::default();
    let window = 4 * rayon::current_num_threads().max(1);
    let mut next = 0;
    while next < items.len() {
        // A window of files is read and parsed in parallel (bounded in files and bytes, so
        // memory stays flat); then they are stored one by one, in order, each in its own
        // transaction, exactly as if they had been parsed one at a time.
        let mut end = next;
        let mut bytes = 0u64;
        while end < items.len() && end - next < window && (end == next || bytes < WINDOW_BYTES) {
            bytes += std::fs::metadata(&items[end].path).map_or(0, |m| m.len());
            end += 1;
        }
        let config = &project.config;
        let pattern = speaker_pattern.as_ref();
        let parsed: Vec<Parsed> = items[next..end]
            .par_iter()
            .map(|item| parse_file(config, item, pattern))
            .collect();
        for (item, parsed) in items[next..end].iter().zip(parsed) {
            let mut warnings = Vec::new();
            let outcome = match store_file(project, item, parsed, opts, &mut warnings) {
                Ok(o) => o,
                Err(message) => {
                    let message = match &item.origin {
                        Some(origin) => format!("{origin}: {message}"),
                        None => message,
                    };
                    Outcome::Failed { message }
                }
            };
            let file = FileReport {
                path: item.path.clone(),
                outcome,
                warnings,
            };
            progress(&file);
            report.files.push(file);
        }
        next = end;
    }
    Ok(report)
}

/// Bytes of files parsed together at most (a single larger file still goes alone).
const WINDOW_BYTES: u64 = 64 << 20;

/// A file read and parsed, before the store is looked at: the part of an import that runs
/// in parallel. `hash` is set whenever the file could be read, so that a file identical to
/// a stored one is reported unchanged even if it no longer parses.
struct Parsed {
    hash: Option<String>,
    result: std::result::Result<(Format, DocKind, Vec<Extracted>), String>,
}

/// Reads, checks and parses one file. Touches no store.
fn parse_file(
    config: &ambit_store::Config,
    item: &ImportItem,
    speaker_pattern: Option<&regex::Regex>,
) -> Parsed {
    let mut hash = None;
    let result = read_and_parse(config, item, speaker_pattern, &mut hash);
    Parsed { hash, result }
}

fn read_and_parse(
    config: &ambit_store::Config,
    item: &ImportItem,
    speaker_pattern: Option<&regex::Regex>,
    hash_out: &mut Option<String>,
) -> std::result::Result<(Format, DocKind, Vec<Extracted>), String> {
    let path = &item.path;
    let shown = path.display().to_string();
    let format = ambit_ingest::format_for_path(path).ok_or_else(|| {
        format!(
            "{shown}: not a supported format (supported: {SUPPORTED}); \
             convert it to one of these or leave it out"
        )
    })?;
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => format!("{shown}: no such file"),
        _ => format!("{shown}: {e}"),
    })?;
    if !meta.is_file() {
        return Err(format!("{shown}: not a regular file"));
    }
    let limit = config.max_file_mb.saturating_mul(1024 * 1024);
    if meta.len() > limit {
        return Err(format!(
            "{shown}: {} MiB is over the import limit of {} MiB; raise `max_file_mb` in ambit.toml if it really is one document",
            meta.len().div_ceil(1024 * 1024),
            config.max_file_mb
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("{shown}: {e}"))?;
    *hash_out = Some(hex(&Sha256::digest(&bytes)));

    let d = &item.defaults;
    let kind = d.kind.unwrap_or(match format {
        Format::Eml | Format::Mbox => DocKind::Archival,
        Format::Csv | Format::Xlsx => DocKind::Survey,
        _ => DocKind::Other,
    });
    let options = Options {
        speaker_pattern: speaker_pattern.cloned(),
        // Archival material (e-mails with `From:` lines, memos with `Subject:`) must not be
        // cut into fake speaker turns; everything else is detected from its content.
        transcript: if kind == DocKind::Archival {
            Some(false)
        } else {
            None
        },
        max_bytes: limit,
        zip: ZipLimits::for_file_limit(limit),
        text_columns: d.text_columns.clone(),
        id_column: d.id_column.clone(),
    };
    let all = ambit_ingest::extract_all(&shown, &bytes, format, &options).map_err(|e| match e {
        ambit_ingest::Error::ArchiveLimit { .. } => format!(
            "{e}; if the file is genuine, raise `max_file_mb` in ambit.toml \
             (now {} MiB: an entry may unpack to twice that, the whole file to four times)",
            config.max_file_mb
        ),
        other => other.to_string(),
    })?;
    Ok((format, kind, all))
}

/// Stores one parsed file; the error is the message shown to the user.
fn store_file(
    project: &mut Project,
    item: &ImportItem,
    parsed: Parsed,
    opts: ImportOptions,
    warnings: &mut Vec<String>,
) -> std::result::Result<Outcome, String> {
    let shown = item.path.display().to_string();
    if let Some(hash) = &parsed.hash {
        if let Some(existing) = project
            .store
            .find_by_hash(hash)
            .map_err(|e| e.to_string())?
        {
            return Ok(Outcome::Unchanged { id: existing.id });
        }
    }
    let (format, kind, mut all) = parsed.result?;
    let hash = parsed.hash.unwrap_or_default();
    if format.is_multi_document() {
        return import_several(project, item, format, kind, &hash, all, opts, warnings);
    }
    if all.len() != 1 {
        return Err(format!(
            "{shown}: holds {} documents, expected one",
            all.len()
        ));
    }
    let extracted = all.remove(0);
    for diag in &extracted.diagnostics {
        warnings.push(match diag.line {
            Some(line) => format!("{shown}:{line}: {}", diag.message),
            None => format!("{shown}: {}", diag.message),
        });
    }
    if extracted.encoding != "UTF-8" && !extracted.encoding.starts_with("UTF-16") {
        warnings.push(format!(
            "{shown}: decoded as {}; check special characters",
            extracted.encoding
        ));
    }

    let new = build_document(project, item, format, kind, &hash, extracted, warnings)?;
    let existing = project
        .store
        .find_by_source_or_title(&new.source, &new.title)
        .map_err(|e| e.to_string())?;
    match existing {
        None => {
            let (passages, words) = counts(&new);
            let id = project
                .store
                .insert_document(&new)
                .map_err(|e| format!("{shown}: {e}"))?;
            Ok(Outcome::Added {
                id,
                passages,
                words,
            })
        }
        Some(old) if opts.replace => {
            let (passages, words) = counts(&new);
            project
                .store
                .replace_document(old.id, &new)
                .map_err(|e| format!("{shown}: {e}"))?;
            Ok(Outcome::Replaced {
                id: old.id,
                passages,
                words,
            })
        }
        Some(old) => {
            let same = if old.source == new.source {
                "path"
            } else {
                "title"
            };
            Err(format!(
                "{shown}: {} ({:?}) has the same {same} but different content; \
                 pass --replace to replace it (refused if it has manual codings), or give this file another --title",
                old.id, old.title
            ))
        }
    }
}

/// Stores the documents of an mbox archive or survey: all of them in one transaction, or
/// none when any of them collides with an existing document.
#[allow(clippy::too_many_arguments)]
fn import_several(
    project: &mut Project,
    item: &ImportItem,
    format: Format,
    kind: DocKind,
    hash: &str,
    all: Vec<Extracted>,
    opts: ImportOptions,
    warnings: &mut Vec<String>,
) -> std::result::Result<Outcome, String> {
    let path = &item.path;
    let shown = path.display().to_string();
    let source = project.relative_source(path);
    if let Some(old) = project
        .store
        .find_by_source_or_title(&source, "")
        .map_err(|e| e.to_string())?
    {
        return Err(format!(
            "{shown}: an earlier version was imported ({} and the documents after it) with different content; \
             {}remove its documents first, or import the new version under another file name",
            old.id,
            if opts.replace {
                "--replace does not work for files holding several documents; "
            } else {
                ""
            }
        ));
    }
    let file_name = path
        .file_name()
        .map_or_else(|| shown.clone(), |s| s.to_string_lossy().into_owned());
    let mut used = std::collections::BTreeSet::new();
    let mut docs = Vec::with_capacity(all.len());
    for (i, extracted) in all.into_iter().enumerate() {
        let part = extracted
            .part
            .clone()
            .unwrap_or_else(|| format!("#{}", i + 1));
        let mut title = match (&item.defaults.title, &extracted.meta.title) {
            (Some(base), _) => format!("{base} {part}"),
            (None, Some(subject)) => match extracted.meta.attributes.get("sent") {
                Some(sent) => format!("{subject} ({sent})"),
                None => format!("{subject} ({part})"),
            },
            (None, None) => format!("{file_name} {part}"),
        };
        if !used.insert(title.clone()) {
            title = format!("{title} {part}");
            used.insert(title.clone());
        }
        for diag in &extracted.diagnostics {
            warnings.push(format!("{shown} {part}: {}", diag.message));
        }
        let mut one = item.clone();
        one.defaults.title = Some(title);
        // Each message or row carries its own date; the user's date is only the fallback.
        if extracted
            .meta
            .date
            .as_deref()
            .is_some_and(|d| Date::parse(d).is_ok())
        {
            one.defaults.date = None;
        }
        let new = build_document(project, &one, format, kind, hash, extracted, warnings)?;
        if let Some(old) = project
            .store
            .find_by_source_or_title(&new.source, &new.title)
            .map_err(|e| e.to_string())?
        {
            return Err(format!(
                "{shown}: {part} would be titled {:?}, which {} already has; \
                 give the file another --title (used as the prefix of every title)",
                new.title, old.id
            ));
        }
        docs.push(new);
    }
    let passages = docs.iter().map(|d| d.passages.len()).sum();
    let words = docs.iter().map(|d| word_count(&d.text)).sum();
    let ids = project
        .store
        .insert_documents(&docs)
        .map_err(|e| format!("{shown}: {e}"))?;
    Ok(Outcome::AddedSeveral {
        ids,
        passages,
        words,
    })
}

fn build_document(
    project: &Project,
    item: &ImportItem,
    format: Format,
    kind: DocKind,
    hash: &str,
    extracted: Extracted,
    warnings: &mut Vec<String>,
) -> std::result::Result<NewDocument, String> {
    let path = &item.path;
    let shown = path.display().to_string();
    let d = &item.defaults;
    let Extracted {
        text,
        passages,
        meta,
        encoding,
        ..
    } = extracted;

    let date = match d.date {
        Some(date) => Some(date),
        None => match meta.date.as_deref().map(Date::parse) {
            Some(Ok(date)) => Some(date),
            Some(Err(e)) => {
                warnings.push(format!("{shown}: date in the file ignored: {e}"));
                None
            }
            None => None,
        },
    };
    if let Some(phase) = &d.phase {
        project
            .config
            .timeline
            .require(phase)
            .map_err(|e| format!("{shown}: {e}"))?;
    }
    let title = d
        .title
        .clone()
        .or(meta.title)
        .filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| {
            path.file_stem()
                .map_or_else(|| shown.clone(), |s| s.to_string_lossy().into_owned())
        });
    let mut attributes = meta.attributes;
    attributes.extend(d.attributes.clone());

    // The reader promises these invariants; checking them here means a reader bug can never
    // store offsets that point outside the text.
    let index = CharIndex::new(&text);
    let mut last_end = 0;
    let mut stored = Vec::with_capacity(passages.len());
    for seg in passages {
        let slice = index
            .slice(&text, seg.start, seg.end)
            .filter(|_| seg.start >= last_end);
        let Some(slice) = slice else {
            return Err(format!(
                "{shown}: internal error: passage {}..{} does not fit the text; please report this file",
                seg.start, seg.end
            ));
        };
        last_end = seg.end;
        stored.push(NewPassage {
            start: seg.start,
            end: seg.end,
            speaker: seg.speaker,
            start_ms: seg.start_ms,
            end_ms: seg.end_ms,
            page: seg.page,
            words: word_count(slice),
        });
    }
    Ok(NewDocument {
        title,
        kind,
        date,
        phase: d.phase.clone(),
        source: project.relative_source(path),
        content_hash: hash.to_string(),
        format: format_name(format).to_string(),
        encoding: encoding.to_string(),
        text,
        attributes,
        passages: stored,
    })
}

/// The short name stored with a document for the reader that produced it.
fn format_name(format: Format) -> &'static str {
    match format {
        Format::Text => "txt",
        Format::Markdown => "md",
        Format::Vtt => "vtt",
        Format::Srt => "srt",
        Format::Docx => "docx",
        Format::Odt => "odt",
        Format::Pdf => "pdf",
        Format::Html => "html",
        Format::Eml => "eml",
        Format::Mbox => "mbox",
        Format::Csv => "csv",
        Format::Xlsx => "xlsx",
        _ => "other",
    }
}

/// The extensions `ambit add` reads, for messages.
const SUPPORTED: &str = ".txt, .md, .vtt, .srt, .docx, .odt, .pdf, .html, .eml, .mbox, .csv, .xlsx";

fn counts(doc: &NewDocument) -> (usize, usize) {
    (doc.passages.len(), word_count(&doc.text))
}

/// Lower-case hex of a digest.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}
