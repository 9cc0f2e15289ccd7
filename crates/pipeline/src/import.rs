//! Importing files into a project: each file all or nothing, a report line per file.
//!
//! A batch never stops at a bad file: each file is read, parsed and stored on its own, and
//! its outcome (added, unchanged, replaced, skipped, failed with a reason) is reported. A
//! failed file leaves nothing of itself in the store.
//!
//! Files are read and parsed a window at a time on all cores while the previous window is
//! stored, in order, on this thread. The new documents of a window share one store
//! transaction, each file under its own savepoint, so a small file no longer pays for a
//! commit of its own; a file is reported once its window is committed, so a killed import
//! leaves whole documents only, and every file it reported is stored. When the search index
//! is current, the stored documents' passages go to it from the parsed text as each window
//! commits, rather than being read back from the store afterwards.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use ambit_core::text::{word_counts, CharIndex};
use ambit_core::{Date, DocId, DocKind};
use ambit_ingest::{Extracted, Format, Options, ZipLimits};
use ambit_store::{NewDocument, NewPassage, Original, Project};
use rayon::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::search::Feed;

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
#[derive(Debug)]
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
    /// Replaced an earlier version of the same document (`--replace`), or, in a dry run,
    /// would replace it.
    Replaced {
        /// The kept id.
        id: DocId,
        /// Number of passages.
        passages: usize,
        /// Number of words.
        words: usize,
        /// Where its codings went (or would go, in a dry run).
        codings: crate::reanchor::Reanchoring,
    },
    /// The same content was imported before; nothing done.
    Unchanged {
        /// The existing document.
        id: DocId,
    },
    /// The same content was imported before, and the metadata given now (a manifest row,
    /// `--date`, `--kind`, …) was applied to it.
    Updated {
        /// The existing document.
        id: DocId,
        /// The fields that changed: `title`, `kind`, `date`, `phase`, `attributes`.
        fields: Vec<&'static str>,
    },
    /// Not a format Ambit reads; left alone (only for files found in directories).
    Skipped {
        /// Why.
        reason: String,
    },
    /// Refused; nothing of it was stored.
    Failed {
        /// What is wrong and what to do.
        error: ImportError,
    },
}

impl Outcome {
    /// The documents this outcome stored or changed (whose index entries must follow).
    pub fn changed_documents(&self) -> &[DocId] {
        match self {
            Outcome::Replaced { codings, .. } if codings.dry_run => &[],
            Outcome::Added { id, .. } | Outcome::Replaced { id, .. } => std::slice::from_ref(id),
            Outcome::AddedSeveral { ids, .. } => ids,
            _ => &[],
        }
    }
}

/// Why one file of a batch could not be imported. The batch goes on without it, and
/// nothing of it is stored.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// The extension names no format Ambit reads.
    #[error("{path}: not a supported format (supported: {SUPPORTED}){advice}")]
    Unsupported {
        /// The file.
        path: String,
        /// What to do instead, for formats with a known way out.
        advice: &'static str,
    },
    /// The file does not exist.
    #[error("{path}: no such file")]
    NoSuchFile {
        /// The file.
        path: String,
    },
    /// A directory entry or device, not a file.
    #[error("{path}: not a regular file")]
    NotAFile {
        /// The path.
        path: String,
    },
    /// Larger than `max_file_mb`.
    #[error("{path}: {mib} MiB is over the import limit of {limit} MiB; raise `max_file_mb` in ambit.toml if it really is one document")]
    TooLarge {
        /// The file.
        path: String,
        /// Its size, rounded up.
        mib: u64,
        /// The limit.
        limit: u64,
    },
    /// The file system refused to read it (or a folder to list it).
    #[error("{path}: {reason}")]
    Read {
        /// The file.
        path: String,
        /// The operating system's message.
        reason: String,
    },
    /// The reader refused the content (it names the file itself).
    #[error("{source}{hint}")]
    Reader {
        /// The reader's error.
        source: ambit_ingest::Error,
        /// Advice added to it (how to raise a limit).
        hint: String,
    },
    /// A single-document format gave several documents.
    #[error("{path}: holds {count} documents, expected one")]
    NotOne {
        /// The file.
        path: String,
        /// How many it held.
        count: usize,
    },
    /// An explicit phase the timeline does not have.
    #[error("{path}: {source}")]
    Phase {
        /// The file.
        path: String,
        /// The timeline's refusal, listing the phases.
        source: ambit_core::Error,
    },
    /// A reader produced a passage outside the text: a bug, never stored.
    #[error("{path}: internal error: passage {start}..{end} does not fit the text; please report this file")]
    BadPassage {
        /// The file.
        path: String,
        /// Start of the passage.
        start: usize,
        /// End of the passage.
        end: usize,
    },
    /// A document was imported from this path before, with other content.
    #[error("{path}: {existing} ({title:?}) was imported from this path with other content; pass --replace to replace it (its codings move to the new text; add --dry-run first to see how)")]
    ChangedFile {
        /// The file.
        path: String,
        /// The document from the earlier version.
        existing: DocId,
        /// Its title.
        title: String,
    },
    /// A title the user gave is taken by a document from another file.
    #[error("{path}: the title {title:?} is taken by {existing} (from {source_path}); give this file another --title")]
    TitleTaken {
        /// The file.
        path: String,
        /// The title asked for.
        title: String,
        /// The document that has it.
        existing: DocId,
        /// Where that document came from.
        source_path: String,
    },
    /// A file of several documents (mbox, survey) was imported before with other content.
    #[error("{path}: an earlier version was imported ({first} and the documents after it) with different content; {}remove its documents first, or import the new version under another file name", if *.replace { "--replace does not work for files holding several documents; " } else { "" })]
    SeveralChanged {
        /// The file.
        path: String,
        /// The first document of the earlier version.
        first: DocId,
        /// Whether `--replace` was asked for.
        replace: bool,
    },
    /// One document of a several-document file would get a title another document has.
    #[error("{path}: {part} would be titled {title:?}, which {existing} already has; give the file another --title (used as the prefix of every title)")]
    PartTitleTaken {
        /// The file.
        path: String,
        /// Which of its documents (`#3`, a respondent id).
        part: String,
        /// The title it would get.
        title: String,
        /// The document that has it.
        existing: DocId,
    },
    /// The store refused the write.
    #[error("{path}: {source}")]
    Store {
        /// The file.
        path: String,
        /// The store's error.
        source: ambit_store::Error,
    },
    /// The file was stored in a transaction shared with other files, which the store
    /// rolled back after an error in another of them: nothing of it was stored.
    #[error("{path}: not stored, because the store rolled back the files imported with it ({reason}); run the import again")]
    RolledBack {
        /// The file.
        path: String,
        /// The store's error.
        reason: String,
    },
    /// A manifest row that cannot be imported.
    #[error("{message}")]
    Manifest {
        /// What is wrong, for the row.
        message: String,
    },
    /// A failure of a file named by a manifest row: where the row is, and the failure.
    #[error("{origin}: {source}")]
    At {
        /// `manifest.csv line 4`.
        origin: String,
        /// What went wrong with the file.
        source: Box<ImportError>,
    },
}

/// The outcome of one file, with warnings from its reader.
#[derive(Debug)]
pub struct FileReport {
    /// The file.
    pub path: PathBuf,
    /// What happened.
    pub outcome: Outcome,
    /// Warnings (the file was still imported).
    pub warnings: Vec<String>,
}

/// **API boundary**: one file of `ambit add --format json`; every field is always there.
#[derive(Serialize)]
struct FileRow<'a> {
    path: String,
    docs: Vec<DocId>,
    status: &'static str,
    doc: Option<DocId>,
    passages: Option<usize>,
    words: Option<usize>,
    message: Option<String>,
    warnings: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    updated: Option<&'a [&'static str]>,
    /// Replaced files only: where the document's codings went.
    #[serde(skip_serializing_if = "Option::is_none")]
    codings: Option<&'a crate::reanchor::Reanchoring>,
}

impl Serialize for FileReport {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let (status, passages, words, message) = match &self.outcome {
            Outcome::Added {
                passages, words, ..
            }
            | Outcome::AddedSeveral {
                passages, words, ..
            } => ("added", Some(*passages), Some(*words), None),
            Outcome::Replaced {
                passages,
                words,
                codings,
                ..
            } => (
                if codings.dry_run {
                    "would-replace"
                } else {
                    "replaced"
                },
                Some(*passages),
                Some(*words),
                None,
            ),
            Outcome::Unchanged { .. } => ("unchanged", None, None, None),
            Outcome::Updated { .. } => ("updated", None, None, None),
            Outcome::Skipped { reason } => ("skipped", None, None, Some(reason.clone())),
            Outcome::Failed { error } => ("failed", None, None, Some(error.to_string())),
        };
        let docs: Vec<DocId> = match &self.outcome {
            Outcome::Unchanged { id }
            | Outcome::Updated { id, .. }
            | Outcome::Replaced { id, .. } => vec![*id],
            other => other.changed_documents().to_vec(),
        };
        FileRow {
            path: self.path.display().to_string(),
            doc: docs.first().copied(),
            docs,
            status,
            passages,
            words,
            message,
            warnings: &self.warnings,
            updated: match &self.outcome {
                Outcome::Updated { fields, .. } => Some(fields),
                _ => None,
            },
            codings: match &self.outcome {
                Outcome::Replaced { codings, .. } => Some(codings),
                _ => None,
            },
        }
        .serialize(s)
    }
}

/// The outcome of a batch, one report per file in request order.
#[derive(Debug, Default)]
pub struct BatchReport {
    /// Per-file reports.
    pub files: Vec<FileReport>,
    /// Why the search index could not follow the import, if it could not (the next
    /// search rebuilds it).
    pub index_warning: Option<String>,
}

impl BatchReport {
    /// Number of files that failed.
    pub fn failed(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Failed { .. }))
    }

    /// Number of files added or replaced.
    pub fn stored(&self) -> usize {
        self.count(|o| !o.changed_documents().is_empty())
    }

    /// Number of files whose outcome satisfies `f`.
    pub fn count(&self, f: impl Fn(&Outcome) -> bool) -> usize {
        self.files.iter().filter(|x| f(&x.outcome)).count()
    }

    /// `3 added, 0 replaced, …`: the line `ambit add` ends with.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "{} added, {} replaced, {} unchanged",
            self.count(|o| matches!(o, Outcome::Added { .. } | Outcome::AddedSeveral { .. })),
            self.count(|o| matches!(o, Outcome::Replaced { codings, .. } if !codings.dry_run)),
            self.count(|o| matches!(o, Outcome::Unchanged { .. })),
        );
        let updated = self.count(|o| matches!(o, Outcome::Updated { .. }));
        if updated > 0 {
            s.push_str(&format!(", {updated} updated"));
        }
        s.push_str(&format!(
            ", {} skipped, {} failed",
            self.count(|o| matches!(o, Outcome::Skipped { .. })),
            self.failed()
        ));
        let previewed =
            self.count(|o| matches!(o, Outcome::Replaced { codings, .. } if codings.dry_run));
        if previewed > 0 {
            s.push_str(&format!(
                "; dry run: {previewed} would be replaced, nothing was written"
            ));
        }
        s
    }
}

/// Options for a batch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// Replace the document imported earlier from the same path when its content
    /// changed (never a document from another path), moving its codings.
    pub replace: bool,
    /// With `replace`: report what replacing would do to each document's codings, and
    /// write nothing (new files are skipped, known content is reported unchanged).
    pub dry_run: bool,
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
                            error: ImportError::Read {
                                path: e.path().unwrap_or(path.as_path()).display().to_string(),
                                reason: format!("cannot read the folder entry: {e}"),
                            },
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

/// Imports items, then keeps an existing search index in step with what changed (a
/// missing index is built by the next search, except on a project's first import, which
/// builds it as it goes). `early` are reports made before importing (files skipped in
/// folders, bad manifest rows); they join the batch report at the end. What `ambit add`
/// does.
pub fn add(
    project: &mut Project,
    items: &[ImportItem],
    early: Vec<FileReport>,
    opts: ImportOptions,
    progress: &mut dyn FnMut(&FileReport),
) -> Result<BatchReport> {
    let before = project.store.revision()?;
    let ours = project.store.revisions_written();
    // A current index is fed the new documents as they are stored; without one (or when it
    // cannot be written) the old way below patches it, or leaves it to the next search.
    let index = if opts.dry_run {
        None
    } else {
        match crate::search::current_index(project, before) {
            Ok(Ok(index)) => Some(index),
            // A project's first import: the index of no passages costs nothing to build,
            // and fed as the documents are stored, it is current when the import ends
            // instead of being built from the store by the next search.
            Ok(Err(crate::search::Reason::Missing)) if project.store.passage_count()? == 0 => {
                crate::search::rebuild(project, crate::search::Reason::Missing, &mut |_, _| {})
                    .ok()
                    .map(|(index, _)| index)
            }
            _ => None,
        }
    };
    let mut feed = index.as_ref().and_then(|i| Feed::new(project, i).ok());
    let mut report = import_into(project, items, opts, progress, feed.as_mut())?;
    for f in &early {
        progress(f);
    }
    report.files.extend(early);
    let changed: Vec<DocId> = report
        .files
        .iter()
        .flat_map(|f| f.outcome.changed_documents().iter().copied())
        .collect();
    let refreshed = match feed {
        // The documents this import added are in the feed already; replaced ones have
        // codings and are read back with them.
        Some(feed) if !changed.is_empty() => {
            let replaced: Vec<DocId> = report
                .files
                .iter()
                .filter(|f| matches!(f.outcome, Outcome::Replaced { .. }))
                .flat_map(|f| f.outcome.changed_documents().iter().copied())
                .collect();
            let ours = project.store.revisions_written() - ours;
            Some(feed.finish(project, &replaced, before, ours).map(|_| ()))
        }
        Some(_) => None,
        None if !changed.is_empty() => {
            Some(crate::search::refresh_documents(project, &changed, before).map(|_| ()))
        }
        None => None,
    };
    if let Some(Err(e)) = refreshed {
        report.index_warning = Some(format!(
            "the search index was not updated ({e}); the next search rebuilds it"
        ));
    }
    Ok(report)
}

/// Imports items in order, each file all or nothing, calling `progress` for each once it
/// is stored. Files are read and parsed a window at a time in parallel while the window
/// before is stored; storing stays sequential, so document ids follow the order of
/// `items` and a failed file never stops the batch.
pub fn import(
    project: &mut Project,
    items: &[ImportItem],
    opts: ImportOptions,
    progress: &mut dyn FnMut(&FileReport),
) -> Result<BatchReport> {
    import_into(project, items, opts, progress, None)
}

/// [`import`], handing every document it stores to `feed` once it is committed.
fn import_into(
    project: &mut Project,
    items: &[ImportItem],
    opts: ImportOptions,
    progress: &mut dyn FnMut(&FileReport),
    feed: Option<&mut Feed<'_>>,
) -> Result<BatchReport> {
    let speaker_pattern = speaker_pattern(&project.config)?;
    let shared_stems = shared_stems(items);
    // The parsing thread reads its own copy while this one stores (and may change the
    // project's store).
    let config = project.config.clone();
    let for_index = feed.is_some();
    let mut storing = Storing {
        report: BatchReport::default(),
        progress,
        feed,
        pending: Vec::new(),
    };
    std::thread::scope(|scope| -> Result<()> {
        // One parsed window waits while the next is parsed and the one before is stored:
        // memory stays at three windows whatever the batch size.
        let (send, windows) = std::sync::mpsc::sync_channel::<Vec<Parsed>>(1);
        let (config, pattern) = (&config, speaker_pattern.as_ref());
        let parser = scope.spawn(move || {
            let mut next = 0;
            while next < items.len() {
                let end = window_end(items, next);
                let parsed: Vec<Parsed> = items[next..end]
                    .par_iter()
                    .map(|item| parse_file(config, item, pattern, for_index))
                    .collect();
                if send.send(parsed).is_err() {
                    return;
                }
                next = end;
            }
        });
        let mut next = 0;
        for window in windows {
            let end = next + window.len();
            for (item, parsed) in items[next..end].iter().zip(window) {
                let mut warnings = Vec::new();
                let shared = item
                    .path
                    .file_stem()
                    .is_some_and(|s| shared_stems.contains(s));
                let mut stored = Vec::new();
                let result = store_file(
                    project,
                    item,
                    parsed,
                    opts,
                    shared,
                    &mut warnings,
                    &mut storing,
                    &mut stored,
                );
                storing.check_batch(project);
                let outcome = result.unwrap_or_else(|error| Outcome::Failed {
                    error: at_origin(item, error),
                });
                // Documents in the open batch wait for its commit; a file stored on its own
                // (no batch could be opened) is committed already.
                let batched = !outcome.changed_documents().is_empty() && project.store.in_batch();
                storing.pending.push(Pending {
                    file: FileReport {
                        path: item.path.clone(),
                        outcome,
                        warnings,
                    },
                    origin: item.origin.clone(),
                    batched,
                    stored,
                });
            }
            storing.settle(project);
            next = end;
        }
        // A reader that panicked: the import's panic, as when parsing ran on this thread.
        if let Err(panic) = parser.join() {
            std::panic::resume_unwind(panic);
        }
        Ok(())
    })?;
    storing.settle(project);
    Ok(storing.report)
}

/// A failure of a file named by a manifest row, with the row.
fn at_origin(item: &ImportItem, error: ImportError) -> ImportError {
    match &item.origin {
        Some(origin) => ImportError::At {
            origin: origin.clone(),
            source: Box::new(error),
        },
        None => error,
    }
}

/// The end of the window of files parsed together from `next`: bounded in files and bytes,
/// so memory stays flat (a single larger file still goes alone).
fn window_end(items: &[ImportItem], next: usize) -> usize {
    let mut end = next;
    let mut bytes = 0u64;
    while end < items.len() && end - next < WINDOW_FILES && (end == next || bytes < WINDOW_BYTES) {
        bytes += std::fs::metadata(&items[end].path).map_or(0, |m| m.len());
        end += 1;
    }
    end
}

/// A document stored by an import, kept until its batch commits for the search index.
struct StoredDoc {
    id: DocId,
    doc: NewDocument,
    /// Byte range of each passage in the text.
    bytes: Vec<(usize, usize)>,
}

/// A file whose report waits for the commit of its window.
struct Pending {
    file: FileReport,
    /// The manifest row it came from.
    origin: Option<String>,
    /// Whether it stored documents in the open batch (lost if the batch is).
    batched: bool,
    /// Its documents, when the index is fed.
    stored: Vec<StoredDoc>,
}

/// The storing side of an import: reports wait here, in order, until the batch holding
/// their documents is committed; then they are given and the documents go to the index.
struct Storing<'a, 'f> {
    report: BatchReport,
    progress: &'a mut dyn FnMut(&FileReport),
    feed: Option<&'a mut Feed<'f>>,
    pending: Vec<Pending>,
}

impl Storing<'_, '_> {
    /// Opens a batch for the next document if none is open. When none can be opened (a
    /// read-only or locked store), the document is written in its own transaction, and
    /// fails there with the store's reason, as it would have without batches.
    fn open_batch(&mut self, project: &mut Project) {
        self.check_batch(project);
        let _ = project.store.begin_batch();
    }

    /// Commits the open batch, then gives the reports waiting for it and feeds their
    /// documents to the index. When the commit fails, nothing of the batch is stored, and
    /// its files are reported failed with the store's reason.
    fn settle(&mut self, project: &mut Project) {
        if let Err(e) = project.store.commit_batch() {
            self.lose(&e.to_string());
        }
        for p in self.pending.drain(..) {
            if let Some(feed) = self.feed.as_deref_mut() {
                for d in &p.stored {
                    feed.add_document(&project.config.speakers, d.id, &d.doc, &d.bytes);
                }
            }
            (self.progress)(&p.file);
            self.report.files.push(p.file);
        }
    }

    /// Notices a batch that SQLite rolled back after an error in one of its inserts (a
    /// full disk, an I/O error): its files are reported failed, never stored.
    fn check_batch(&mut self, project: &mut Project) {
        if self.pending.iter().any(|p| p.batched) && !project.store.in_batch() {
            let e = ambit_store::Error::BatchLost {
                path: project.store.path().to_path_buf(),
            };
            self.lose(&e.to_string());
        }
    }

    /// Turns the files of a rolled-back batch into failures.
    fn lose(&mut self, reason: &str) {
        for p in self.pending.iter_mut().filter(|p| p.batched) {
            let error = ImportError::RolledBack {
                path: p.file.path.display().to_string(),
                reason: reason.to_string(),
            };
            p.file.outcome = Outcome::Failed {
                error: match &p.origin {
                    Some(origin) => ImportError::At {
                        origin: origin.clone(),
                        source: Box::new(error),
                    },
                    None => error,
                },
            };
            p.batched = false;
            p.stored.clear();
        }
    }
}

/// File stems that several items of the batch share and whose titles nobody gave: their
/// default titles name the folder too, so `site1/interview.txt` and `site2/interview.txt`
/// never look like two versions of one document.
fn shared_stems(items: &[ImportItem]) -> BTreeSet<&std::ffi::OsStr> {
    let mut seen = BTreeSet::new();
    let mut shared = BTreeSet::new();
    for item in items.iter().filter(|i| i.defaults.title.is_none()) {
        if let Some(stem) = item.path.file_stem() {
            if !seen.insert(stem) {
                shared.insert(stem);
            }
        }
    }
    shared
}

/// The project's own speaker-label pattern, compiled.
pub(crate) fn speaker_pattern(config: &ambit_store::Config) -> Result<Option<regex::Regex>> {
    config
        .speaker_pattern
        .as_deref()
        .map(|p| {
            regex::Regex::new(p).map_err(|e| {
                Error::Request(format!(
                    "ambit.toml: speaker_pattern is not a valid regex: {e}"
                ))
            })
        })
        .transpose()
}

/// How the readers read a file of this kind in this project (without survey columns).
pub(crate) fn reader_options(
    config: &ambit_store::Config,
    kind: DocKind,
    speaker_pattern: Option<&regex::Regex>,
) -> Options {
    let limit = config.max_file_mb.saturating_mul(1024 * 1024);
    Options {
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
        text_columns: Vec::new(),
        id_column: None,
    }
}

/// The passages a reader produced, checked against the text and with their words,
/// counted in one pass with the document's: `(passages, words of the whole text)`.
pub(crate) fn checked_passages(
    shown: &str,
    text: &str,
    passages: Vec<ambit_core::PassageSpan>,
) -> std::result::Result<(Vec<NewPassage>, usize), ImportError> {
    check_passages(shown, text, passages).map(|c| (c.passages, c.words))
}

/// Passages checked against their text, with their words and byte ranges.
struct Checked {
    passages: Vec<NewPassage>,
    /// Words of the whole text.
    words: usize,
    /// Byte range of each passage in the text.
    bytes: Vec<(usize, usize)>,
}

/// [`checked_passages`], with the byte range of each passage.
fn check_passages(
    shown: &str,
    text: &str,
    passages: Vec<ambit_core::PassageSpan>,
) -> std::result::Result<Checked, ImportError> {
    // The reader promises these invariants; checking them here means a reader bug can never
    // store offsets that point outside the text.
    let index = CharIndex::new(text);
    let mut last_end = 0;
    let mut bytes = Vec::with_capacity(passages.len());
    for seg in &passages {
        let range = (seg.start >= last_end && seg.start <= seg.end)
            .then(|| {
                Some((
                    index.byte_of(text, seg.start)?,
                    index.byte_of(text, seg.end)?,
                ))
            })
            .flatten();
        let Some(range) = range else {
            return Err(ImportError::BadPassage {
                path: shown.to_string(),
                start: seg.start,
                end: seg.end,
            });
        };
        bytes.push(range);
        last_end = seg.end;
    }
    let ranges: Vec<(usize, usize)> = passages.iter().map(|p| (p.start, p.end)).collect();
    let (words, per_passage) = word_counts(text, &ranges);
    let stored = passages
        .into_iter()
        .zip(per_passage)
        .map(|(span, words)| NewPassage { span, words })
        .collect();
    Ok(Checked {
        passages: stored,
        words,
        bytes,
    })
}

/// Bytes of files parsed together at most (a single larger file still goes alone). Three
/// windows are in memory at a time (being parsed, waiting, being stored), each about
/// twice its bytes (the file and its text), beside the search index's buffers.
const WINDOW_BYTES: u64 = 8 << 20;

/// Files parsed together, and stored in one transaction, at most: enough that a commit per
/// window costs little, few enough that progress is reported often. With 256, 9,844 files
/// of 2 KB took 39 commits, and SQLite wrote every index page those commits touched again
/// each time (45,000 page writes where the same bytes in 10 files took 23,000); windows
/// of small files are bounded by [`WINDOW_BYTES`] now.
const WINDOW_FILES: usize = 4096;

/// A file read and parsed, before the store is looked at: the part of an import that runs
/// in parallel. `hash` is set whenever the file could be read, so that a file identical to
/// a stored one is reported unchanged even if it no longer parses.
struct Parsed {
    hash: Option<String>,
    result: std::result::Result<(Format, DocKind, Vec<Prepared>), ImportError>,
    /// The file's bytes, kept with a single-document format's document.
    original: Option<Vec<u8>>,
}

/// A document a reader extracted, its passages already checked and its words counted:
/// that is done while parsing, on all cores, not while storing on one.
struct Prepared {
    /// The reader's output, its passages moved to `checked`.
    extracted: Extracted,
    checked: std::result::Result<Checked, ImportError>,
}

/// Reads, checks and parses one file. Touches no store. Byte ranges of passages are kept
/// only `for_index`.
fn parse_file(
    config: &ambit_store::Config,
    item: &ImportItem,
    speaker_pattern: Option<&regex::Regex>,
    for_index: bool,
) -> Parsed {
    let mut hash = None;
    let mut original = None;
    let result = read_and_parse(config, item, speaker_pattern, &mut hash, &mut original);
    let shown = item.path.display().to_string();
    let result = result.map(|(format, kind, all)| {
        let prepared = all
            .into_iter()
            .map(|mut extracted| {
                let spans = std::mem::take(&mut extracted.passages);
                let mut checked = check_passages(&shown, &extracted.text, spans);
                if let (Ok(c), false) = (&mut checked, for_index) {
                    c.bytes = Vec::new();
                }
                Prepared { extracted, checked }
            })
            .collect();
        (format, kind, prepared)
    });
    Parsed {
        hash,
        result,
        original,
    }
}

/// Advice for formats Ambit does not read but researchers often have.
fn advice_for(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "doc" => "; old Word .doc files: open the file in Word or LibreOffice and save it as .docx (LibreOffice: `soffice --headless --convert-to docx FILE.doc`)",
        "rtf" => "; save it as .docx or .odt (LibreOffice: `soffice --headless --convert-to docx FILE.rtf`)",
        "pptx" | "ppt" => "; export the slides' text (or save them as PDF) and import that",
        _ => "; convert it to one of these or leave it out",
    }
}

fn read_and_parse(
    config: &ambit_store::Config,
    item: &ImportItem,
    speaker_pattern: Option<&regex::Regex>,
    hash_out: &mut Option<String>,
    original_out: &mut Option<Vec<u8>>,
) -> std::result::Result<(Format, DocKind, Vec<Extracted>), ImportError> {
    let path = &item.path;
    let shown = path.display().to_string();
    let format = ambit_ingest::format_for_path(path).ok_or_else(|| ImportError::Unsupported {
        path: shown.clone(),
        advice: advice_for(path),
    })?;
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => ImportError::NoSuchFile {
            path: shown.clone(),
        },
        _ => ImportError::Read {
            path: shown.clone(),
            reason: e.to_string(),
        },
    })?;
    if !meta.is_file() {
        return Err(ImportError::NotAFile { path: shown });
    }
    let limit = config.max_file_mb.saturating_mul(1024 * 1024);
    if meta.len() > limit {
        return Err(ImportError::TooLarge {
            path: shown,
            mib: meta.len().div_ceil(1024 * 1024),
            limit: config.max_file_mb,
        });
    }
    let bytes = std::fs::read(path).map_err(|e| ImportError::Read {
        path: shown.clone(),
        reason: e.to_string(),
    })?;
    *hash_out = Some(hex(&Sha256::digest(&bytes)));

    let d = &item.defaults;
    let kind = d.kind.unwrap_or(match format {
        Format::Eml | Format::Mbox => DocKind::Archival,
        Format::Csv | Format::Xlsx => DocKind::Survey,
        _ => DocKind::Other,
    });
    let options = Options {
        text_columns: d.text_columns.clone(),
        id_column: d.id_column.clone(),
        ..reader_options(config, kind, speaker_pattern)
    };
    let all = ambit_ingest::extract_all(&shown, &bytes, format, &options).map_err(|e| {
        let hint = match e {
            ambit_ingest::Error::ArchiveLimit { .. } => format!(
                "; if the file is genuine, raise `max_file_mb` in ambit.toml \
                 (now {} MiB: an entry may unpack to twice that, the whole file to four times)",
                config.max_file_mb
            ),
            _ => String::new(),
        };
        ImportError::Reader { source: e, hint }
    })?;
    if !format.is_multi_document() {
        *original_out = Some(bytes);
    }
    Ok((format, kind, all))
}

/// Stores one parsed file: new documents in the open batch, keeping them in `stored` when
/// the index is fed; any other write commits the batch first.
#[allow(clippy::too_many_arguments)]
fn store_file(
    project: &mut Project,
    item: &ImportItem,
    parsed: Parsed,
    opts: ImportOptions,
    shared_stem: bool,
    warnings: &mut Vec<String>,
    storing: &mut Storing<'_, '_>,
    stored: &mut Vec<StoredDoc>,
) -> std::result::Result<Outcome, ImportError> {
    let shown = item.path.display().to_string();
    let store_err = |source| ImportError::Store {
        path: shown.clone(),
        source,
    };
    if let Some(hash) = &parsed.hash {
        if let Some(existing) = project.store.find_by_hash(hash).map_err(store_err)? {
            if opts.dry_run {
                return Ok(Outcome::Unchanged { id: existing.id });
            }
            return update_metadata(project, item, existing.id, storing);
        }
    }
    let (format, kind, mut all) = parsed.result?;
    let hash = parsed.hash.unwrap_or_default();
    if format.is_multi_document() {
        if opts.dry_run {
            return Ok(Outcome::Skipped {
                reason: "a file of several documents is never replaced; --dry-run wrote nothing"
                    .into(),
            });
        }
        return import_several(
            project, item, format, kind, &hash, all, opts, warnings, storing, stored,
        );
    }
    if all.len() != 1 {
        return Err(ImportError::NotOne {
            path: shown,
            count: all.len(),
        });
    }
    let prepared = all.remove(0);
    for diag in &prepared.extracted.diagnostics {
        warnings.push(match diag.line {
            Some(line) => format!("{shown}:{line}: {}", diag.message),
            None => format!("{shown}: {}", diag.message),
        });
    }

    let (mut new, bytes) = build_document(project, item, format, kind, &hash, prepared, warnings)?;
    new.original = parsed.original.map(|bytes| Original {
        name: item
            .path
            .file_name()
            .map_or_else(|| shown.clone(), |n| n.to_string_lossy().into_owned()),
        bytes,
    });
    let previous = project
        .store
        .find_by_source(&new.source)
        .map_err(store_err)?;
    if previous.is_none() {
        new.title = unique_title(project, item, new.title, shared_stem, warnings)?;
    }
    let (passages, words) = (new.passages.len(), new.words);
    match previous {
        None if opts.dry_run => Ok(Outcome::Skipped {
            reason: "a new file: --dry-run only shows what replacing documents does".into(),
        }),
        None => {
            storing.open_batch(project);
            let id = project.store.insert_document(&new).map_err(store_err)?;
            if storing.feed.is_some() {
                new.original = None;
                stored.push(StoredDoc {
                    id,
                    doc: new,
                    bytes,
                });
            }
            Ok(Outcome::Added {
                id,
                passages,
                words,
            })
        }
        Some(old) if opts.replace => {
            // A new version keeps what the researcher said about the document (title,
            // kind, date, phase, attributes) unless the flags or the manifest say
            // otherwise now: a corrected transcript is still the same interview.
            let d = &item.defaults;
            let was = project.store.document(old.id).map_err(store_err)?.doc;
            if d.title.is_none() {
                new.title = old.title.clone();
            }
            if d.kind.is_none() {
                new.kind = was.kind;
            }
            if d.date.is_none() {
                new.date = was.date.or(new.date);
            }
            if d.phase.is_none() {
                new.phase = was.phase;
            }
            let mut attributes = was.attributes;
            attributes.extend(std::mem::take(&mut new.attributes));
            new.attributes = attributes;
            storing.settle(project);
            let codings =
                crate::reanchor::replace(project, old.id, &new, opts.dry_run).map_err(store_err)?;
            Ok(Outcome::Replaced {
                id: old.id,
                passages,
                words,
                codings,
            })
        }
        Some(old) => Err(ImportError::ChangedFile {
            path: shown,
            existing: old.id,
            title: old.title,
        }),
    }
}

/// A title no document from another file has. A title the user gave is kept or refused;
/// a default one (the file's own title or name) names the folder too when another file of
/// the batch or the project has it, and gets a number when even that is taken.
fn unique_title(
    project: &Project,
    item: &ImportItem,
    title: String,
    shared_stem: bool,
    warnings: &mut Vec<String>,
) -> std::result::Result<String, ImportError> {
    let shown = item.path.display().to_string();
    let taken = |t: &str| {
        project
            .store
            .find_by_title(t)
            .map_err(|source| ImportError::Store {
                path: shown.clone(),
                source,
            })
    };
    let first = taken(&title)?;
    if item.defaults.title.is_some() {
        return match first {
            None => Ok(title),
            Some(e) => Err(ImportError::TitleTaken {
                path: shown,
                title,
                existing: e.id,
                source_path: e.source,
            }),
        };
    }
    if first.is_none() && !shared_stem {
        return Ok(title);
    }
    let folder = item
        .path
        .parent()
        .and_then(Path::file_name)
        .map(|f| f.to_string_lossy().into_owned());
    let base = match folder {
        Some(f) if !f.is_empty() => format!("{title} ({f})"),
        _ => title.clone(),
    };
    let mut candidate = base.clone();
    let mut n = 2;
    while taken(&candidate)?.is_some() {
        candidate = format!("{base} ({n})");
        n += 1;
    }
    if let Some(e) = first {
        warnings.push(format!(
            "{shown}: titled {candidate:?}, because {} (from {}) is titled {title:?}; give --title to choose another",
            e.id, e.source
        ));
    }
    Ok(candidate)
}

/// Applies the metadata given for a file whose content is already stored (a manifest row
/// after `ambit add FOLDER`, or `--date` on a second run); `Unchanged` when it changes
/// nothing.
fn update_metadata(
    project: &mut Project,
    item: &ImportItem,
    id: DocId,
    storing: &mut Storing<'_, '_>,
) -> std::result::Result<Outcome, ImportError> {
    let shown = item.path.display().to_string();
    let store_err = |source| ImportError::Store {
        path: shown.clone(),
        source,
    };
    // A survey or mbox gave several documents, each with its own date and attributes:
    // the file's metadata is not theirs to overwrite.
    if ambit_ingest::format_for_path(&item.path).is_some_and(|f| f.is_multi_document()) {
        return Ok(Outcome::Unchanged { id });
    }
    let d = &item.defaults;
    if let Some(phase) = &d.phase {
        project
            .config
            .timeline
            .require(phase)
            .map_err(|source| ImportError::Phase {
                path: shown.clone(),
                source,
            })?;
    }
    let row = project.store.document(id).map_err(store_err)?;
    let mut doc = row.doc.clone();
    let mut fields = Vec::new();
    if let Some(title) = d.title.as_ref().filter(|t| **t != doc.title) {
        if let Some(other) = project.store.find_by_title(title).map_err(store_err)? {
            return Err(ImportError::TitleTaken {
                path: shown,
                title: title.clone(),
                existing: other.id,
                source_path: other.source,
            });
        }
        doc.title = title.clone();
        fields.push("title");
    }
    if let Some(kind) = d.kind.filter(|k| *k != doc.kind) {
        doc.kind = kind;
        fields.push("kind");
    }
    if let Some(date) = d.date.filter(|x| Some(*x) != doc.date) {
        doc.date = Some(date);
        fields.push("date");
    }
    if d.phase.is_some() && d.phase != doc.phase {
        doc.phase = d.phase.clone();
        fields.push("phase");
    }
    let mut attributes = doc.attributes.clone();
    attributes.extend(d.attributes.clone());
    if attributes != doc.attributes {
        doc.attributes = attributes;
        fields.push("attributes");
    }
    if fields.is_empty() {
        return Ok(Outcome::Unchanged { id });
    }
    storing.settle(project);
    project.store.update_document(&doc).map_err(store_err)?;
    Ok(Outcome::Updated { id, fields })
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
    all: Vec<Prepared>,
    opts: ImportOptions,
    warnings: &mut Vec<String>,
    storing: &mut Storing<'_, '_>,
    stored: &mut Vec<StoredDoc>,
) -> std::result::Result<Outcome, ImportError> {
    let path = &item.path;
    let shown = path.display().to_string();
    let store_err = |source| ImportError::Store {
        path: shown.clone(),
        source,
    };
    let source = project.relative_source(path);
    if let Some(old) = project.store.find_by_source(&source).map_err(store_err)? {
        return Err(ImportError::SeveralChanged {
            path: shown,
            first: old.id,
            replace: opts.replace,
        });
    }
    let file_name = path
        .file_name()
        .map_or_else(|| shown.clone(), |s| s.to_string_lossy().into_owned());
    let mut used = BTreeSet::new();
    let mut docs = Vec::with_capacity(all.len());
    let mut ranges = Vec::with_capacity(all.len());
    for (i, prepared) in all.into_iter().enumerate() {
        let extracted = &prepared.extracted;
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
        let (new, bytes) = build_document(project, &one, format, kind, hash, prepared, warnings)?;
        if let Some(old) = project.store.find_by_title(&new.title).map_err(store_err)? {
            return Err(ImportError::PartTitleTaken {
                path: shown,
                part,
                title: new.title,
                existing: old.id,
            });
        }
        docs.push(new);
        ranges.push(bytes);
    }
    let passages = docs.iter().map(|d| d.passages.len()).sum();
    let words = docs.iter().map(|d| d.words).sum();
    storing.open_batch(project);
    let ids = project.store.insert_documents(&docs).map_err(store_err)?;
    if storing.feed.is_some() {
        for ((id, doc), bytes) in ids.iter().zip(docs).zip(ranges) {
            stored.push(StoredDoc {
                id: *id,
                doc,
                bytes,
            });
        }
    }
    Ok(Outcome::AddedSeveral {
        ids,
        passages,
        words,
    })
}

/// A date at the start of a file name: `2013-02-05_interview.txt`, `2013-02-05 notes.md`.
fn date_in_name(path: &Path) -> Option<Date> {
    let stem = path.file_stem()?.to_str()?;
    let head = stem.get(..10)?;
    let rest = &stem[10..];
    if !(rest.is_empty() || rest.starts_with(['_', '-', ' ', '.'])) {
        return None;
    }
    Date::parse(head).ok()
}

fn build_document(
    project: &Project,
    item: &ImportItem,
    format: Format,
    kind: DocKind,
    hash: &str,
    prepared: Prepared,
    warnings: &mut Vec<String>,
) -> std::result::Result<(NewDocument, Vec<(usize, usize)>), ImportError> {
    let path = &item.path;
    let shown = path.display().to_string();
    let d = &item.defaults;
    let Prepared { extracted, checked } = prepared;
    let Extracted {
        text,
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
            None => date_in_name(path),
        },
    };
    if let Some(phase) = &d.phase {
        project
            .config
            .timeline
            .require(phase)
            .map_err(|source| ImportError::Phase {
                path: shown.clone(),
                source,
            })?;
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

    let Checked {
        passages: stored,
        words,
        bytes,
    } = checked?;
    let doc = NewDocument {
        title,
        kind,
        date,
        phase: d.phase.clone(),
        source: project.relative_source(path),
        content_hash: hash.to_string(),
        format: format_name(format).to_string(),
        encoding: encoding.to_string(),
        text,
        words,
        attributes,
        passages: stored,
        original: None,
    };
    Ok((doc, bytes))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::{ensure_index, Reason, Search};
    use ambit_index::{Filter, Query, Sort};

    fn files(dir: &Path, texts: &[(&str, &str)]) -> Vec<ImportItem> {
        let paths: Vec<PathBuf> = texts
            .iter()
            .map(|(name, text)| {
                let path = dir.join(name);
                std::fs::write(&path, text).unwrap();
                path
            })
            .collect();
        expand_paths(&paths, &DocDefaults::default()).0
    }

    fn quiet_index(project: &Project) -> Option<Reason> {
        ensure_index(project, false, &mut |_, _| {})
            .unwrap()
            .rebuilt
            .map(|r| r.reason)
    }

    /// An import into a project with a current index feeds it the new passages from the
    /// parsed text, speakers named as the store names them, and leaves it current.
    #[test]
    fn an_import_feeds_a_current_index_speakers_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let mut project = Project::init(dir.path(), "Study").unwrap();
        project.config.speakers.insert_global("R", "Respondent");
        project
            .store
            .set_speaker_aliases(project.config.speakers.clone());
        assert_eq!(quiet_index(&project), Some(Reason::Missing));
        let items = files(
            dir.path(),
            &[
                (
                    "a.txt",
                    "I: How do you order repairs?\n\nR: By phone, always.\n",
                ),
                ("b.txt", "R: The phone again.\n\nI: And the portal?\n"),
            ],
        );
        let report = add(
            &mut project,
            &items,
            Vec::new(),
            ImportOptions::default(),
            &mut |_| {},
        )
        .unwrap();
        assert_eq!(report.stored(), 2);
        assert_eq!(report.index_warning, None);
        assert_eq!(quiet_index(&project), None, "the index followed the import");
        let mut quiet = |_, _| {};
        let mut search = Search::open(&project, &mut quiet).unwrap();
        let filter = Filter {
            doc: ambit_core::DocFilter {
                speakers: vec![Some("Respondent".to_string())],
                ..Default::default()
            },
            codes: Vec::new(),
        };
        let hits: Vec<String> = search
            .hits(&Query::parse("phone").unwrap(), &filter, Sort::Time, None)
            .unwrap()
            .iter()
            .map(|h| format!("{} {}", h.passage, h.text))
            .collect();
        assert_eq!(hits, ["D1:2 By phone, always.", "D2:1 The phone again."]);
    }

    /// Another command that writes while an import feeds the index (a coder coding a
    /// document): the index never claims a revision whose changes it lacks, so the next
    /// search rebuilds it.
    #[test]
    fn a_write_by_another_command_during_an_import_leaves_the_index_stale() {
        let dir = tempfile::tempdir().unwrap();
        let mut project = Project::init(dir.path(), "Study").unwrap();
        let first = files(dir.path(), &[("a.txt", "I: Orders?\n\nR: By phone.\n")]);
        add(
            &mut project,
            &first,
            Vec::new(),
            ImportOptions::default(),
            &mut |_| {},
        )
        .unwrap();
        assert_eq!(
            quiet_index(&project),
            None,
            "a project's first import builds its index as it goes"
        );
        let mut other = Project::open(dir.path()).unwrap();
        let items = files(dir.path(), &[("b.txt", "R: The phone again.\n")]);
        let report = add(
            &mut project,
            &items,
            Vec::new(),
            ImportOptions::default(),
            &mut |_| {
                other
                    .store
                    .add_coding(&ambit_store::NewCoding {
                        doc: DocId(1),
                        start: 0,
                        end: 2,
                        code: "kb".into(),
                        coder: "kari".into(),
                        origin: ambit_core::Origin::Manual,
                        memo: None,
                    })
                    .unwrap();
            },
        )
        .unwrap();
        assert_eq!(report.stored(), 1);
        assert_eq!(quiet_index(&project), Some(Reason::Stale));
    }
}
