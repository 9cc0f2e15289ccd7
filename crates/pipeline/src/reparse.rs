//! Reading documents again: new passages from the same text, after a reader or a
//! `speaker_pattern` changed (`ambit add --reparse`).
//!
//! A document is read again from its original file as the store keeps it (or, for
//! documents imported before the store kept originals, from its source path when that file
//! still has the same bytes). Only the passages change: the text must come out exactly as
//! stored, so every coding keeps pointing at the same characters. A new reading that would
//! change the text is refused for that document, with the way out (`--replace`, which
//! re-anchors the codings).

use std::path::PathBuf;

use ambit_core::DocId;
use ambit_ingest::Format;
use ambit_store::Project;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::Result;
use crate::import::{checked_passages, hex, reader_options, speaker_pattern, ImportError};

/// Why one document could not be read again; the others still are.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReparseError {
    /// Neither the store nor the source path holds the original file.
    #[error("{doc}: the original file is not in the store (imported before Ambit kept originals) and {source_path} {why}; re-import it with `ambit add FILE --replace`")]
    NoOriginal {
        /// The document.
        doc: DocId,
        /// Where it was imported from.
        source_path: String,
        /// What is wrong with that path (missing, changed).
        why: &'static str,
    },
    /// Files that hold several documents (surveys, mbox archives) are read as a whole.
    #[error("{doc}: it came from a file of several documents ({format}), which cannot be read again one document at a time; re-import the file under another name")]
    SeveralDocuments {
        /// The document.
        doc: DocId,
        /// The format.
        format: String,
    },
    /// No reader for the stored format.
    #[error("{doc}: no reader for its format {format:?}")]
    UnknownFormat {
        /// The document.
        doc: DocId,
        /// The stored format name.
        format: String,
    },
    /// The new reading gives another text.
    #[error("{doc}: reading it again changes its text (the readers changed since it was imported), so its codings would no longer point at the same words; use `ambit add {source_path} --replace`, which moves the codings to where their text now is")]
    TextChanged {
        /// The document.
        doc: DocId,
        /// Where it was imported from.
        source_path: String,
    },
    /// The file could not be read or parsed.
    #[error("{doc}: {source}")]
    Read {
        /// The document.
        doc: DocId,
        /// What went wrong.
        source: Box<ImportError>,
    },
    /// The store refused.
    #[error("{doc}: {source}")]
    Store {
        /// The document.
        doc: DocId,
        /// The store's error.
        source: ambit_store::Error,
    },
}

/// What happened to one document.
#[derive(Debug)]
pub enum Reparsed {
    /// New passages were stored.
    Changed {
        /// Passages before.
        before: usize,
        /// Passages now.
        after: usize,
        /// Passages with a speaker before.
        speakers_before: usize,
        /// Passages with a speaker now.
        speakers_after: usize,
    },
    /// The new reading gives the passages already stored.
    Unchanged,
    /// Not read again.
    Failed(ReparseError),
}

/// One document's outcome.
#[derive(Debug)]
pub struct ReparseReport {
    /// The document.
    pub doc: DocId,
    /// What happened.
    pub outcome: Reparsed,
    /// Warnings of the reader (an unread label shape, say).
    pub warnings: Vec<String>,
}

/// **API boundary**: one document of `ambit add --reparse --format json`.
#[derive(Serialize)]
struct ReparseRow<'a> {
    doc: DocId,
    status: &'static str,
    passages_before: Option<usize>,
    passages: Option<usize>,
    turns_before: Option<usize>,
    turns: Option<usize>,
    message: Option<String>,
    warnings: &'a [String],
}

impl Serialize for ReparseReport {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut row = ReparseRow {
            doc: self.doc,
            status: "unchanged",
            passages_before: None,
            passages: None,
            turns_before: None,
            turns: None,
            message: None,
            warnings: &self.warnings,
        };
        match &self.outcome {
            Reparsed::Changed {
                before,
                after,
                speakers_before,
                speakers_after,
            } => {
                row.status = "reparsed";
                row.passages_before = Some(*before);
                row.passages = Some(*after);
                row.turns_before = Some(*speakers_before);
                row.turns = Some(*speakers_after);
            }
            Reparsed::Unchanged => {}
            Reparsed::Failed(e) => {
                row.status = "failed";
                row.message = Some(e.to_string());
            }
        }
        row.serialize(s)
    }
}

/// Reads documents again from their originals and stores their new passages, each in its
/// own transaction; keeps an existing search index in step.
pub fn reparse(project: &mut Project, docs: &[DocId]) -> Result<Vec<ReparseReport>> {
    let pattern = speaker_pattern(&project.config)?;
    let before = project.store.revision()?;
    let mut out = Vec::with_capacity(docs.len());
    for &doc in docs {
        let mut warnings = Vec::new();
        let outcome = match reparse_one(project, doc, pattern.as_ref(), &mut warnings) {
            Ok(o) => o,
            Err(e) => Reparsed::Failed(e),
        };
        out.push(ReparseReport {
            doc,
            outcome,
            warnings,
        });
    }
    let changed: Vec<DocId> = out
        .iter()
        .filter(|r| matches!(r.outcome, Reparsed::Changed { .. }))
        .map(|r| r.doc)
        .collect();
    if !changed.is_empty() {
        // A stale index is rebuilt by the next search; a failure here loses nothing.
        let _ = crate::search::refresh_documents(project, &changed, before);
    }
    Ok(out)
}

fn reparse_one(
    project: &mut Project,
    doc: DocId,
    pattern: Option<&regex::Regex>,
    warnings: &mut Vec<String>,
) -> std::result::Result<Reparsed, ReparseError> {
    let store_err = |source| ReparseError::Store { doc, source };
    let row = project.store.document(doc).map_err(store_err)?;
    let info = project.store.import_info(doc).map_err(store_err)?;
    let format =
        Format::from_extension(&info.format).ok_or_else(|| ReparseError::UnknownFormat {
            doc,
            format: info.format.clone(),
        })?;
    if format.is_multi_document() {
        return Err(ReparseError::SeveralDocuments {
            doc,
            format: info.format,
        });
    }
    let (name, bytes) = match project.store.original(doc).map_err(store_err)? {
        Some(o) => (o.name, o.bytes),
        None => {
            let path = {
                let p = PathBuf::from(&info.source);
                if p.is_absolute() {
                    p
                } else {
                    project.root.join(p)
                }
            };
            let no = |why| ReparseError::NoOriginal {
                doc,
                source_path: info.source.clone(),
                why,
            };
            let bytes = std::fs::read(&path).map_err(|_| no("cannot be read"))?;
            if hex(&Sha256::digest(&bytes)) != info.content_hash {
                return Err(no("has changed since"));
            }
            (info.source.clone(), bytes)
        }
    };
    let options = reader_options(&project.config, row.doc.kind, pattern);
    let extracted =
        ambit_ingest::extract(&name, &bytes, format, &options).map_err(|e| ReparseError::Read {
            doc,
            source: Box::new(ImportError::Reader {
                source: e,
                hint: String::new(),
            }),
        })?;
    for d in &extracted.diagnostics {
        warnings.push(match d.line {
            Some(line) => format!("{doc} ({name}):{line}: {}", d.message),
            None => format!("{doc} ({name}): {}", d.message),
        });
    }
    let text = project.store.text(doc).map_err(store_err)?;
    if extracted.text != text {
        return Err(ReparseError::TextChanged {
            doc,
            source_path: info.source,
        });
    }
    let (passages, _) = checked_passages(&name, &text, extracted.passages).map_err(|source| {
        ReparseError::Read {
            doc,
            source: Box::new(source),
        }
    })?;
    let old = project.store.passages(doc).map_err(store_err)?;
    let turns = |n: usize, f: &dyn Fn(usize) -> bool| (0..n).filter(|&i| f(i)).count();
    let speakers_before = turns(old.len(), &|i| old[i].span.speaker.is_some());
    let speakers_after = turns(passages.len(), &|i| passages[i].span.speaker.is_some());
    let (before, after) = (old.len(), passages.len());
    if project
        .store
        .replace_passages(doc, &passages)
        .map_err(store_err)?
    {
        Ok(Reparsed::Changed {
            before,
            after,
            speakers_before,
            speakers_after,
        })
    } else {
        Ok(Reparsed::Unchanged)
    }
}
