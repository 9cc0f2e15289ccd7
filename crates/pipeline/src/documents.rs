//! Removing documents (`ambit rm`, with a trash file that `ambit restore` brings back) and
//! editing their fields (`ambit edit`) and attributes (`ambit attr`).
//!
//! Removing is refused while a document carries work a person did (codings not made by
//! rules, detached ones included, and memos on it or its passages) unless forced. Every
//! removal first writes what it removes to `.ambit/trash/<time>-<ids>.json`: the documents
//! with their text, passages, attributes and original file, and their codings and memos.
//! `ambit restore FILE` stores them again: a document whose text the project still (or
//! again) holds gets the codings and memos back; one it lacks is stored again under its old
//! id. Restoring twice adds nothing the second time. The search index follows both.
//!
//! Fields and attributes are not in the search index (searches read them from the store),
//! so edits need no re-indexing; tables and listings read them at once.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use ambit_core::{CodingStatus, Date, DocId, DocKind, Document, Origin, PassageSpan};
use ambit_store::{
    CodingFilter, DocRef, Incoming, IncomingCoding, IncomingDocument, IncomingMemo, IncomingTarget,
    NewDocument, NewPassage, Original, Project, DATA_DIR,
};
use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The folder of trash files inside the project's data folder.
pub const TRASH_DIR: &str = "trash";

/// The format version of trash files this build writes and reads.
const TRASH_VERSION: u32 = 1;

/// A document removed by [`remove`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemovedDoc {
    /// Its id.
    pub doc: DocId,
    /// Its title.
    pub title: String,
    /// All its codings, rule-made ones included.
    pub codings: u64,
    /// Its codings not made by rules (manual, imported; detached ones included).
    pub human_codings: u64,
    /// Memos on it or its passages.
    pub memos: u64,
}

/// What [`remove`] did.
///
/// **API boundary**: `ambit rm --format json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemoveReport {
    /// The documents removed, in id order.
    pub removed: Vec<RemovedDoc>,
    /// The trash file holding all of it, for `ambit restore`.
    pub trash: PathBuf,
    /// Why the search index could not follow, if it could not (the next search rebuilds it).
    pub index_warning: Option<String>,
}

/// Removes documents with everything attached to them, after writing all of it to a trash
/// file. Refused (nothing written) when a document is not in the project, or when one
/// carries codings not made by rules or memos and `force` is not given.
pub fn remove(project: &mut Project, docs: &[DocId], force: bool) -> Result<RemoveReport> {
    if docs.is_empty() {
        return Err(Error::Request(
            "name the documents to remove, e.g. `ambit rm D3`".into(),
        ));
    }
    let ids: Vec<DocId> = docs
        .iter()
        .copied()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let before = project.store.revision()?;
    let memos = project.store.memos()?;
    let mut removed = Vec::new();
    let mut trash = Trash {
        ambit_trash: TRASH_VERSION,
        removed: ambit_store::timestamp(),
        project: project.config.name.clone(),
        documents: Vec::new(),
    };
    for &id in &ids {
        let doc = project.store.stored_document(id)?;
        let codings = project.store.codings(&CodingFilter {
            docs: vec![id],
            detached: true,
            ..Default::default()
        })?;
        let on_doc: Vec<&ambit_store::Memo> = memos
            .iter()
            .filter(|m| memo_doc(&m.target) == Some(id))
            .collect();
        removed.push(RemovedDoc {
            doc: id,
            title: doc.title.clone(),
            codings: codings.len() as u64,
            human_codings: codings
                .iter()
                .filter(|c| !matches!(c.origin, Origin::Rule(_)))
                .count() as u64,
            memos: on_doc.len() as u64,
        });
        trash
            .documents
            .push(TrashDoc::of(id, doc, &codings, &on_doc));
    }
    let work: Vec<String> = removed
        .iter()
        .filter(|r| r.human_codings > 0 || r.memos > 0)
        .map(|r| {
            format!(
                "{} ({:?}: {} coding(s) not made by rules, {} memo(s))",
                r.doc, r.title, r.human_codings, r.memos
            )
        })
        .collect();
    if !work.is_empty() && !force {
        return Err(Error::Request(format!(
            "refusing to remove documents that carry a person's work: {}; pass --force to remove them anyway (their codings and memos are first written to {}, and `ambit restore FILE` brings them back)",
            work.join(", "),
            trash_dir(project).display()
        )));
    }
    let file = write_trash(project, &trash, &ids)?;
    if let Err(e) = project.store.remove_documents(&ids) {
        // Nothing was removed: the trash file would only mislead.
        let _ = std::fs::remove_file(&file);
        return Err(e.into());
    }
    let index_warning = crate::search::refresh_documents(project, &ids, before)
        .err()
        .map(|e| format!("the search index was not updated ({e}); the next search rebuilds it"));
    Ok(RemoveReport {
        removed,
        trash: file,
        index_warning,
    })
}

/// A document brought back by [`restore`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RestoredDoc {
    /// Its id when it was removed.
    pub was: DocId,
    /// Its id now.
    pub doc: DocId,
    /// Its title now.
    pub title: String,
    /// Whether it was stored again (`false`: the project holds its text, and its codings
    /// and memos went to that document).
    pub stored_again: bool,
}

/// What [`restore`] did.
///
/// **API boundary**: `ambit restore --format json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RestoreReport {
    /// The documents of the trash file.
    pub documents: Vec<RestoredDoc>,
    /// Codings added.
    pub codings: u64,
    /// Codings the project had already.
    pub codings_present: u64,
    /// Memos added.
    pub memos: u64,
    /// Memos the project had already.
    pub memos_present: u64,
    /// Warnings (a title changed because another document has it).
    pub warnings: Vec<String>,
    /// Why the search index could not follow, if it could not.
    pub index_warning: Option<String>,
}

/// Brings back what a trash file of [`remove`] holds, in one transaction (see the module
/// documentation). Refused, with nothing written, when the file is not a trash file.
pub fn restore(project: &mut Project, file: &Path) -> Result<RestoreReport> {
    let bad = |message: String| Error::Request(format!("{}: {message}", file.display()));
    let src = std::fs::read_to_string(file).map_err(|source| Error::Io {
        path: file.to_path_buf(),
        source,
    })?;
    let trash: Trash = serde_json::from_str(&src).map_err(|e| {
        bad(format!(
            "not an Ambit trash file ({e}); give a file from {}",
            trash_dir(project).display()
        ))
    })?;
    if trash.ambit_trash > TRASH_VERSION {
        return Err(bad(format!(
            "trash file version {} is newer than this Ambit reads ({TRASH_VERSION}); upgrade Ambit",
            trash.ambit_trash
        )));
    }
    let before = project.store.revision()?;
    let texts: HashMap<String, DocId> = project
        .store
        .texts()?
        .into_iter()
        .rev()
        .map(|(id, text)| (text, id))
        .collect();
    let mut batch = Incoming::default();
    let mut documents = Vec::new();
    let mut warnings = Vec::new();
    let mut titles: BTreeSet<String> = BTreeSet::new();
    for t in &trash.documents {
        let was = DocId::parse(&t.id).map_err(|e| bad(format!("document {:?}: {e}", t.id)))?;
        let (doc_ref, title, stored_again) = match texts.get(&t.text) {
            Some(&id) => (
                DocRef::Existing(id),
                project.store.document(id)?.doc.title,
                false,
            ),
            None => {
                let mut new = t.to_new().map_err(|e| bad(format!("{}: {e}", t.id)))?;
                let mut title = new.title.clone();
                let mut n = 1;
                while titles.contains(&title) || project.store.find_by_title(&title)?.is_some() {
                    title = if n == 1 {
                        format!("{} (restored)", new.title)
                    } else {
                        format!("{} (restored {n})", new.title)
                    };
                    n += 1;
                }
                if title != new.title {
                    warnings.push(format!(
                        "{was} is restored as {title:?}: another document is titled {:?}",
                        new.title
                    ));
                }
                new.title = title.clone();
                batch.documents.push(IncomingDocument {
                    doc: new,
                    id: Some(was),
                });
                (DocRef::New(batch.documents.len() - 1), title, true)
            }
        };
        titles.insert(title.clone());
        for c in &t.codings {
            batch.codings.push(
                c.to_incoming(doc_ref)
                    .map_err(|e| bad(format!("{}: {e}", t.id)))?,
            );
        }
        for m in &t.memos {
            batch.memos.push(IncomingMemo {
                target: match memo_target(&m.target) {
                    Some(MemoOn::Doc) => IncomingTarget::Doc(doc_ref),
                    Some(MemoOn::Passage(n)) => IncomingTarget::Passage(doc_ref, n),
                    None => IncomingTarget::Other(m.target.clone()),
                },
                author: m.author.clone(),
                created: m.created.clone(),
                text: m.text.clone(),
            });
        }
        documents.push((was, doc_ref, title, stored_again));
    }
    let added = project.store.add_incoming(&batch)?;
    let documents: Vec<RestoredDoc> = documents
        .into_iter()
        .map(|(was, r, title, stored_again)| RestoredDoc {
            was,
            doc: match r {
                DocRef::Existing(id) => id,
                DocRef::New(i) => added.documents.get(i).copied().unwrap_or(was),
            },
            title,
            stored_again,
        })
        .collect();
    let ids: Vec<DocId> = documents.iter().map(|d| d.doc).collect();
    let index_warning = if project.store.revision()? == before {
        None
    } else {
        crate::search::refresh_documents(project, &ids, before)
            .err()
            .map(|e| format!("the search index was not updated ({e}); the next search rebuilds it"))
    };
    Ok(RestoreReport {
        documents,
        codings: added.codings,
        codings_present: added.codings_present,
        memos: added.memos,
        memos_present: added.memos_present,
        warnings,
        index_warning,
    })
}

/// The trash folder of a project.
pub fn trash_dir(project: &Project) -> PathBuf {
    project.root.join(DATA_DIR).join(TRASH_DIR)
}

/// Writes a trash file under a name no other file has, atomically (a temporary file, then
/// a rename), so a trash file that exists is always whole.
fn write_trash(project: &Project, trash: &Trash, ids: &[DocId]) -> Result<PathBuf> {
    let dir = trash_dir(project);
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Io { path, source }
    };
    std::fs::create_dir_all(&dir).map_err(io(&dir))?;
    let mut what: String = ids.iter().take(5).map(|d| format!("-{d}")).collect();
    if ids.len() > 5 {
        what.push_str("-etc");
    }
    let stamp = trash.removed.replace(':', "");
    let mut file = dir.join(format!("{stamp}{what}.json"));
    let mut n = 2;
    while file.exists() {
        file = dir.join(format!("{stamp}{what}-{n}.json"));
        n += 1;
    }
    let json = serde_json::to_string_pretty(trash)
        .map_err(|e| Error::Request(format!("cannot write the trash file: {e}")))?;
    let tmp = file.with_extension("json.tmp");
    std::fs::write(&tmp, json).map_err(io(&tmp))?;
    std::fs::rename(&tmp, &file).map_err(io(&file))?;
    Ok(file)
}

/// The document a memo target (`doc:D7`, `passage:D7:12`) is about.
fn memo_doc(target: &str) -> Option<DocId> {
    if let Some(d) = target.strip_prefix("doc:") {
        return DocId::parse(d).ok();
    }
    let p = target.strip_prefix("passage:")?;
    DocId::parse(p.split_once(':')?.0).ok()
}

/// What a memo of a trash file is about, within its document.
enum MemoOn {
    Doc,
    Passage(u32),
}

fn memo_target(target: &str) -> Option<MemoOn> {
    if target.starts_with("doc:") {
        return Some(MemoOn::Doc);
    }
    let p = target.strip_prefix("passage:")?;
    p.split_once(':')?.1.parse().ok().map(MemoOn::Passage)
}

/// A trash file: what `ambit rm` removed.
#[derive(Debug, Serialize, Deserialize)]
struct Trash {
    /// The format version.
    ambit_trash: u32,
    /// When (RFC 3339 UTC).
    removed: String,
    /// The name of the project it was removed from.
    project: String,
    documents: Vec<TrashDoc>,
}

/// A removed document, with everything the store kept of it.
#[derive(Debug, Serialize, Deserialize)]
struct TrashDoc {
    id: String,
    title: String,
    kind: String,
    date: Option<String>,
    phase: Option<String>,
    source: String,
    content_hash: String,
    format: String,
    encoding: String,
    text: String,
    words: usize,
    attributes: BTreeMap<String, String>,
    passages: Vec<TrashPassage>,
    original: Option<TrashOriginal>,
    codings: Vec<TrashCoding>,
    memos: Vec<TrashMemo>,
}

#[derive(Debug, Serialize, Deserialize)]
struct TrashPassage {
    #[serde(flatten)]
    span: PassageSpan,
    words: usize,
}

#[derive(Debug, Serialize, Deserialize)]
struct TrashOriginal {
    name: String,
    /// The file's bytes, base64 (standard alphabet, padded).
    base64: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct TrashCoding {
    id: i64,
    start: usize,
    end: usize,
    code: String,
    coder: String,
    origin: String,
    created: String,
    memo: Option<String>,
    status: String,
    quote: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct TrashMemo {
    target: String,
    author: String,
    created: String,
    text: String,
}

impl TrashDoc {
    fn of(
        id: DocId,
        d: NewDocument,
        codings: &[ambit_core::Coding],
        memos: &[&ambit_store::Memo],
    ) -> TrashDoc {
        TrashDoc {
            id: id.to_string(),
            title: d.title,
            kind: d.kind.to_string(),
            date: d.date.map(|x| x.to_string()),
            phase: d.phase,
            source: d.source,
            content_hash: d.content_hash,
            format: d.format,
            encoding: d.encoding,
            text: d.text,
            words: d.words,
            attributes: d.attributes,
            passages: d
                .passages
                .into_iter()
                .map(|p| TrashPassage {
                    span: p.span,
                    words: p.words,
                })
                .collect(),
            original: d.original.map(|o| TrashOriginal {
                name: o.name,
                base64: base64::engine::general_purpose::STANDARD.encode(o.bytes),
            }),
            codings: codings
                .iter()
                .map(|c| TrashCoding {
                    id: c.id,
                    start: c.start,
                    end: c.end,
                    code: c.code.clone(),
                    coder: c.coder.clone(),
                    origin: c.origin.to_string(),
                    created: c.created.clone(),
                    memo: c.memo.clone(),
                    status: c.status.to_string(),
                    quote: c.quote.clone(),
                })
                .collect(),
            memos: memos
                .iter()
                .map(|m| TrashMemo {
                    target: m.target.clone(),
                    author: m.author.clone(),
                    created: m.created.clone(),
                    text: m.text.clone(),
                })
                .collect(),
        }
    }

    /// The document to store again; a value that does not read is an error naming it.
    fn to_new(&self) -> std::result::Result<NewDocument, String> {
        let original = match &self.original {
            None => None,
            Some(o) => Some(Original {
                name: o.name.clone(),
                bytes: base64::engine::general_purpose::STANDARD
                    .decode(&o.base64)
                    .map_err(|e| format!("its original file does not decode: {e}"))?,
            }),
        };
        let chars = self.text.chars().count();
        let mut last = 0;
        for p in &self.passages {
            if p.span.start < last || p.span.start > p.span.end || p.span.end > chars {
                return Err(format!(
                    "passage {}..{} does not fit its text of {chars} characters",
                    p.span.start, p.span.end
                ));
            }
            last = p.span.end;
        }
        Ok(NewDocument {
            title: self.title.clone(),
            kind: DocKind::parse(&self.kind).map_err(|e| e.to_string())?,
            date: self
                .date
                .as_deref()
                .map(Date::parse)
                .transpose()
                .map_err(|e| e.to_string())?,
            phase: self.phase.clone(),
            source: self.source.clone(),
            content_hash: self.content_hash.clone(),
            format: self.format.clone(),
            encoding: self.encoding.clone(),
            text: self.text.clone(),
            words: self.words,
            attributes: self.attributes.clone(),
            passages: self
                .passages
                .iter()
                .map(|p| NewPassage {
                    span: p.span.clone(),
                    words: p.words,
                })
                .collect(),
            original,
        })
    }
}

impl TrashCoding {
    fn to_incoming(&self, doc: DocRef) -> std::result::Result<IncomingCoding, String> {
        Ok(IncomingCoding {
            id: Some(self.id),
            doc,
            start: self.start,
            end: self.end,
            code: self.code.clone(),
            coder: self.coder.clone(),
            origin: Origin::parse(&self.origin)
                .ok_or_else(|| format!("coding {}: unknown origin {:?}", self.id, self.origin))?,
            created: Some(self.created.clone()),
            memo: self.memo.clone(),
            status: CodingStatus::parse(Some(&self.status))
                .ok_or_else(|| format!("coding {}: unknown status {:?}", self.id, self.status))?,
            quote: self.quote.clone(),
        })
    }
}

/// New values for a document's own fields; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocEdit {
    /// A new title (no other document may have it).
    pub title: Option<String>,
    /// A new date.
    pub date: Option<Date>,
    /// A new kind.
    pub kind: Option<DocKind>,
    /// A new explicit phase (one of the timeline's).
    pub phase: Option<String>,
}

/// Changes a document's own fields (`ambit edit`) in one transaction; returns it as it
/// is now. Refused when nothing is asked, the title is another document's, or the phase is
/// not on the timeline.
pub fn edit(project: &mut Project, id: DocId, edit: &DocEdit) -> Result<Document> {
    if edit == &DocEdit::default() {
        return Err(Error::Request(
            "nothing to change: give --title, --date, --kind or --phase".into(),
        ));
    }
    let mut doc = project.store.document(id)?.doc;
    if let Some(phase) = &edit.phase {
        project.config.timeline.require(phase)?;
        doc.phase = Some(phase.clone());
    }
    if let Some(title) = &edit.title {
        let title = title.trim();
        if title.is_empty() {
            return Err(Error::Request(
                "--title is empty; give the document a title".into(),
            ));
        }
        if let Some(other) = project.store.find_by_title(title)?.filter(|o| o.id != id) {
            return Err(Error::Request(format!(
                "the title {title:?} is taken by {} (from {}); choose another",
                other.id, other.source
            )));
        }
        doc.title = title.to_string();
    }
    if let Some(date) = edit.date {
        doc.date = Some(date);
    }
    if let Some(kind) = edit.kind {
        doc.kind = kind;
    }
    project.store.update_document(&doc)?;
    Ok(doc)
}

/// Sets attributes of a document (`ambit attr set`); returns it as it is now.
pub fn set_attributes(
    project: &mut Project,
    id: DocId,
    pairs: &[(String, String)],
) -> Result<Document> {
    let mut doc = project.store.document(id)?.doc;
    for (k, v) in pairs {
        let k = k.trim();
        if k.is_empty() {
            return Err(Error::Request(format!(
                "an attribute needs a name: KEY=VALUE, got {:?}",
                format!("={v}")
            )));
        }
        doc.attributes.insert(k.to_string(), v.trim().to_string());
    }
    project.store.update_document(&doc)?;
    Ok(doc)
}

/// Removes attributes of a document (`ambit attr unset`); refused, with nothing changed,
/// when it lacks one of them.
pub fn unset_attributes(project: &mut Project, id: DocId, keys: &[String]) -> Result<Document> {
    let mut doc = project.store.document(id)?.doc;
    for k in keys {
        if doc.attributes.remove(k.trim()).is_none() {
            let has: Vec<&str> = doc.attributes.keys().map(String::as_str).collect();
            return Err(Error::Request(format!(
                "{id} has no attribute {k:?}; its attributes: {}",
                if has.is_empty() {
                    "none".to_string()
                } else {
                    has.join(", ")
                }
            )));
        }
    }
    project.store.update_document(&doc)?;
    Ok(doc)
}

/// What [`import_attributes`] did.
///
/// **API boundary**: `ambit attr import --format json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttrImport {
    /// Documents whose attributes changed, in id order.
    pub documents: Vec<DocId>,
    /// Values set (cells with a value that differs from the stored one).
    pub values: usize,
    /// Rows read.
    pub rows: usize,
}

/// Sets attributes from a CSV file (`ambit attr import`): the first column is `doc` (ids,
/// `D7`) or `path` (the files documents were imported from, relative to the CSV's folder),
/// the others are attributes; an empty cell leaves that attribute as it is. Every row is
/// checked before anything is written, and a bad one is refused with its line; then all
/// changes are written in one transaction.
pub fn import_attributes(project: &mut Project, file: &Path) -> Result<AttrImport> {
    let at = |line: u64, message: String| {
        Error::Request(format!("{}:{line}: {message}", file.display()))
    };
    let bytes = std::fs::read(file).map_err(|source| Error::Io {
        path: file.to_path_buf(),
        source,
    })?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => return Err(at(1, format!("not readable as CSV: {e}"))),
        None => {
            return Err(at(
                1,
                "the file is empty; write a header `doc,KEY,…`".into(),
            ))
        }
    };
    let names: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();
    let by_path = match names.first().map(|n| n.to_lowercase()) {
        Some(n) if n == "doc" => false,
        Some(n) if n == "path" => true,
        _ => {
            return Err(at(
                1,
                format!(
                    "the first column must be `doc` (document ids) or `path` (imported files), found {:?}",
                    names.first().cloned().unwrap_or_default()
                ),
            ))
        }
    };
    let keys = &names[1..];
    if keys.is_empty() {
        return Err(at(1, "no attribute columns after the first one".into()));
    }
    let mut seen = BTreeSet::new();
    for k in keys {
        if k.is_empty() {
            return Err(at(
                1,
                "a column has no name; name every attribute column".into(),
            ));
        }
        if !seen.insert(k.as_str()) {
            return Err(at(1, format!("column {k:?} appears twice")));
        }
    }
    let base = file.parent().unwrap_or(Path::new("."));
    let mut docs: BTreeMap<DocId, Document> = BTreeMap::new();
    let (mut values, mut rows) = (0, 0);
    for record in records {
        let record = record.map_err(|e| {
            at(
                e.position().map_or(0, |p| p.line()),
                format!("not readable as CSV: {e}"),
            )
        })?;
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        rows += 1;
        if record.len() != names.len() {
            return Err(at(
                line,
                format!(
                    "{} field(s), but the header has {}; one value per column (leave a cell empty to keep that attribute)",
                    record.len(),
                    names.len()
                ),
            ));
        }
        let first = record.get(0).unwrap_or_default().trim();
        let id = if by_path {
            find_by_path(project, base, first).map_err(|m| at(line, m))?
        } else {
            let id = DocId::parse(first).map_err(|e| at(line, e.to_string()))?;
            project
                .store
                .document(id)
                .map_err(|e| at(line, e.to_string()))?;
            id
        };
        let doc = match docs.entry(id) {
            std::collections::btree_map::Entry::Occupied(o) => o.into_mut(),
            std::collections::btree_map::Entry::Vacant(v) => {
                v.insert(project.store.document(id)?.doc)
            }
        };
        for (k, cell) in keys.iter().zip(record.iter().skip(1)) {
            let v = cell.trim();
            if !v.is_empty() && doc.attributes.get(k).map(String::as_str) != Some(v) {
                doc.attributes.insert(k.clone(), v.to_string());
                values += 1;
            }
        }
    }
    let stored = project.store.documents_brief()?;
    let changed: Vec<Document> = docs
        .into_values()
        .filter(|d| {
            stored
                .iter()
                .any(|s| s.id == d.id && s.attributes != d.attributes)
        })
        .collect();
    if !changed.is_empty() {
        project.store.update_documents(&changed)?;
    }
    Ok(AttrImport {
        documents: changed.iter().map(|d| d.id).collect(),
        values,
        rows,
    })
}

/// The document imported from `value` (relative to `base`, or as stored).
fn find_by_path(project: &Project, base: &Path, value: &str) -> std::result::Result<DocId, String> {
    if value.is_empty() {
        return Err("the path is empty".into());
    }
    let source = project.relative_source(&base.join(value));
    for candidate in [source.as_str(), value] {
        if let Some(e) = project
            .store
            .find_by_source(candidate)
            .map_err(|e| e.to_string())?
        {
            return Ok(e.id);
        }
    }
    Err(format!(
        "no document was imported from {value:?} (looked for the source {source:?}); `ambit docs` lists each document's source"
    ))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn memo_targets_name_their_document() {
        fn check(target: &str, expected: Option<u32>) {
            assert_eq!(memo_doc(target).map(|d| d.0), expected, "{target}");
        }
        check("doc:D7", Some(7));
        check("passage:D7:12", Some(7));
        check("passage:D71:1", Some(71));
        check("code:kb", None);
        check("doc:seven", None);
    }
}
