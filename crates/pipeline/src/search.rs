//! Search workflows: keeping the full-text index in step with the store, and grouping hits.
//!
//! The index in `.ambit/index/` is derived data. Each commit records the store revision
//! it reflects; every store write bumps that revision (codings too), so comparing the two
//! says whether the index is current. A missing, stale, unreadable or other-language index
//! is rebuilt before it is used, never searched as it is. Rebuilds write a fresh index
//! beside the old one and swap it in, so an interrupted rebuild leaves the old (stale)
//! index, which the next command rebuilds again.
//!
//! The index holds what varies by passage (words, speaker, codes). What varies by document
//! (title, kind, phase, date, attributes) and the passage texts are read from the store
//! for each search ([`Search`]), so they are never stale: a timeline edit in `ambit.toml`
//! moves hits to their new phases without re-indexing.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use ambit_coding::Codebook;
use ambit_core::{DocId, DocKind, Document, Placement};
use ambit_index::{
    Catalogue, DocInfo, Filter, Found, Group, GroupBy, Index, Query, Record, Sort, Stemming,
};
use ambit_store::{CodingFilter, Project, DATA_DIR};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::overview::placement;

/// The index folder inside the project's data folder.
pub const INDEX_DIR: &str = "index";

/// Progress of a (re)build: passages written so far, and how many there are.
pub type Progress<'a> = &'a mut dyn FnMut(u64, u64);

/// The folder of a project's search index.
pub fn index_path(project: &Project) -> PathBuf {
    project.root.join(DATA_DIR).join(INDEX_DIR)
}

// Index errors reach the user through the pipeline's request variant, message intact.
fn ix(e: ambit_index::Error) -> Error {
    Error::Request(e.to_string())
}

/// The stemming the project's `language` asks for; a language without a stemmer is
/// searched without stemming rather than refused.
pub fn stemming_of(project: &Project) -> Stemming {
    Stemming::for_language(&project.config.language).unwrap_or(Stemming::NONE)
}

/// Why an index was (re)built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// There was none.
    Missing,
    /// The store changed since it was built.
    Stale,
    /// `--rebuild` was asked for.
    Requested,
    /// The project's language changed.
    Language,
    /// Its files could not be read; the message says why.
    Corrupt(String),
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reason::Missing => f.write_str("there was no index yet"),
            Reason::Stale => f.write_str("the project changed since the last indexing"),
            Reason::Requested => f.write_str("a rebuild was requested"),
            Reason::Language => f.write_str("the project's language changed"),
            Reason::Corrupt(m) => write!(f, "the index was unreadable ({m})"),
        }
    }
}

/// What a (re)build did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rebuilt {
    /// Why it ran.
    pub reason: Reason,
    /// Passages indexed.
    pub passages: u64,
    /// Bytes of passage text indexed.
    pub bytes: u64,
    /// The store revision the index now reflects.
    pub revision: u64,
}

/// A current index, and the rebuild that made it current if one was needed.
#[derive(Debug)]
pub struct Ready {
    /// The index, in step with the store.
    pub index: Index,
    /// Set when it had to be (re)built first.
    pub rebuilt: Option<Rebuilt>,
}

/// Opens the project's index, rebuilding it first when it is missing, stale, unreadable
/// or built for another language (or always, with `force`).
pub fn ensure_index(project: &Project, force: bool, progress: Progress<'_>) -> Result<Ready> {
    let reason = if force {
        Reason::Requested
    } else {
        match check(project)? {
            Ok(index) => {
                return Ok(Ready {
                    index,
                    rebuilt: None,
                })
            }
            Err(reason) => reason,
        }
    };
    let (index, rebuilt) = rebuild(project, reason, progress)?;
    Ok(Ready {
        index,
        rebuilt: Some(rebuilt),
    })
}

/// The open index when it is current; otherwise why it must be rebuilt.
fn check(project: &Project) -> Result<std::result::Result<Index, Reason>> {
    let dir = index_path(project);
    if !dir.join("meta.json").is_file() {
        return Ok(Err(Reason::Missing));
    }
    let index = match Index::open(&dir) {
        Ok(i) => i,
        Err(e) => return Ok(Err(Reason::Corrupt(short(&e)))),
    };
    if index.stemming() != stemming_of(project) {
        return Ok(Err(Reason::Language));
    }
    let current = project.store.revision()?;
    Ok(match index.revision() {
        Ok(Some(r)) if r == current => Ok(index),
        Ok(_) => Err(Reason::Stale),
        Err(e) => Err(Reason::Corrupt(short(&e))),
    })
}

fn short(e: &ambit_index::Error) -> String {
    match e {
        ambit_index::Error::Corrupt { message, .. } => message.clone(),
        other => other.to_string(),
    }
}

/// Rebuilds the whole index from the store: written beside the old one, then swapped in.
pub fn rebuild(
    project: &Project,
    reason: Reason,
    progress: Progress<'_>,
) -> Result<(Index, Rebuilt)> {
    let revision = project.store.revision()?;
    let dir = index_path(project);
    let data = project.root.join(DATA_DIR);
    let tmp = data.join(format!(".{INDEX_DIR}.tmp-{}", std::process::id()));
    remove_dir(&tmp)?;
    let docs: Vec<DocId> = project
        .store
        .documents_brief()?
        .into_iter()
        .map(|d| d.id)
        .collect();
    let (passages, bytes) = {
        let index = Index::create(&tmp, stemming_of(project)).map_err(ix)?;
        let mut writer = index.writer().map_err(ix)?;
        let total = project.store.passage_count()?;
        let written = write_documents(project, &mut writer, &docs, total, progress)?;
        writer.commit(revision).map_err(ix)?;
        written
    };
    remove_dir(&dir)?;
    std::fs::rename(&tmp, &dir).map_err(|source| Error::Io {
        path: dir.clone(),
        source,
    })?;
    let index = Index::open(&dir).map_err(ix)?;
    Ok((
        index,
        Rebuilt {
            reason,
            passages,
            bytes,
            revision,
        },
    ))
}

fn remove_dir(dir: &Path) -> Result<()> {
    match std::fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(Error::Io {
            path: dir.to_path_buf(),
            source,
        }),
    }
}

/// The codebook when there is a readable one; ancestors come from it.
fn codebook(project: &Project) -> Option<Codebook> {
    let path = crate::coding::codebook_path(project);
    if path.is_file() {
        crate::coding::read_codebook(&path).ok()
    } else {
        None
    }
}

/// A code and its ancestors: from the codebook, or from the dotted id when the codebook
/// is missing or unreadable (`kb.semantic` → `kb`), so `--code kb` still finds children.
fn with_ancestors(cb: Option<&Codebook>, code: &str, out: &mut BTreeSet<String>) {
    out.insert(code.to_string());
    match cb {
        Some(cb) if cb.contains(code) => out.extend(cb.ancestors(code).map(str::to_string)),
        _ => {
            let mut rest = code;
            while let Some((head, _)) = rest.rsplit_once('.') {
                out.insert(head.to_string());
                rest = head;
            }
        }
    }
}

/// Queues every passage of `docs` (read from the store one document at a time, so memory
/// stays flat while the writer's threads index), with its codes and their ancestors.
/// Returns the passages and bytes of text written.
fn write_documents(
    project: &Project,
    writer: &mut ambit_index::Writer<'_>,
    docs: &[DocId],
    total: u64,
    progress: Progress<'_>,
) -> Result<(u64, u64)> {
    let cb = codebook(project);
    let codings = codings_of(project, docs)?;
    let (mut written, mut bytes) = (0u64, 0u64);
    for &id in docs {
        let text = project.store.text(id)?;
        let passages = project.store.passages(id)?;
        let mut codes: Vec<BTreeSet<String>> = vec![BTreeSet::new(); passages.len()];
        for (start, end, code) in codings.get(&id).into_iter().flatten() {
            let range = crate::corpus::overlapping(&passages, *start, *end);
            for set in &mut codes[range] {
                with_ancestors(cb.as_ref(), code, set);
            }
        }
        let mut chars = CharCursor::default();
        for (p, codes) in passages.iter().zip(codes) {
            let slice = chars.slice(&text, p.start, p.end);
            let codes: Vec<String> = codes.into_iter().collect();
            bytes += slice.len() as u64;
            writer
                .add(&Record {
                    passage: p.id,
                    text: slice,
                    speaker: p.speaker.as_deref(),
                    codes: &codes,
                })
                .map_err(ix)?;
            written += 1;
            if written % 4096 == 0 {
                progress(written, total.max(written));
            }
        }
    }
    progress(written, total.max(written));
    Ok((written, bytes))
}

/// (start, end, code) of each coding, per document.
type DocCodings = HashMap<DocId, Vec<(usize, usize, String)>>;

/// The codings of `docs`.
fn codings_of(project: &Project, docs: &[DocId]) -> Result<DocCodings> {
    /// Up to this many documents (an `ambit add` batch) are asked for by id; more (a
    /// rebuild) are picked out of one pass over every coding.
    const BY_ID: usize = 512;
    let mut out = DocCodings::new();
    if docs.len() <= BY_ID {
        let filter = CodingFilter {
            docs: docs.to_vec(),
            ..Default::default()
        };
        for c in project.store.codings(&filter)? {
            out.entry(c.doc).or_default().push((c.start, c.end, c.code));
        }
        return Ok(out);
    }
    let wanted: HashSet<DocId> = docs.iter().copied().collect();
    project
        .store
        .for_each_coding_span(|doc, start, end, code, _coder| -> Result<()> {
            if wanted.contains(&doc) {
                out.entry(doc)
                    .or_default()
                    .push((start, end, code.to_string()));
            }
            Ok(())
        })?;
    Ok(out)
}

/// Converts character offsets to byte offsets walking forward through a text: passages
/// come in order, so a document is walked once (it starts over for an offset behind it).
#[derive(Default)]
struct CharCursor {
    chars: usize,
    bytes: usize,
}

impl CharCursor {
    fn byte_of(&mut self, text: &str, char_pos: usize) -> usize {
        if char_pos < self.chars {
            *self = CharCursor::default();
        }
        // Count character starts (bytes that are not UTF-8 continuation bytes).
        let mut need = char_pos - self.chars;
        for (i, &b) in text.as_bytes()[self.bytes..].iter().enumerate() {
            if (b as i8) >= -0x40 {
                if need == 0 {
                    self.bytes += i;
                    self.chars = char_pos;
                    return self.bytes;
                }
                need -= 1;
            }
        }
        self.chars = char_pos - need;
        self.bytes = text.len();
        self.bytes
    }

    /// `text[start..end]` in characters; clipped to the text.
    fn slice<'t>(&mut self, text: &'t str, start: usize, end: usize) -> &'t str {
        let a = self.byte_of(text, start);
        let b = self.byte_of(text, end.max(start));
        &text[a..b]
    }
}

/// What [`refresh_documents`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refresh {
    /// The documents' passages were replaced; the index is current.
    Updated {
        /// Passages written.
        passages: u64,
    },
    /// Nothing was written: there is no index yet, or it was already behind the store
    /// before the change; the next search rebuilds it.
    Skipped(Reason),
}

/// Brings the index up to date after `docs` were added or replaced, incrementally.
///
/// `before` is the store revision read before the change: only an index that was current
/// then can be patched; otherwise it is left for the next search to rebuild (it is
/// recognised as stale, so no search ever sees it as it is). One commit.
pub fn refresh_documents(project: &Project, docs: &[DocId], before: u64) -> Result<Refresh> {
    let dir = index_path(project);
    if !dir.join("meta.json").is_file() {
        return Ok(Refresh::Skipped(Reason::Missing));
    }
    let index = match Index::open(&dir) {
        Ok(i) => i,
        Err(e) => return Ok(Refresh::Skipped(Reason::Corrupt(short(&e)))),
    };
    if index.stemming() != stemming_of(project) {
        return Ok(Refresh::Skipped(Reason::Language));
    }
    if index.revision().ok().flatten() != Some(before) {
        return Ok(Refresh::Skipped(Reason::Stale));
    }
    let revision = project.store.revision()?;
    let wanted: Vec<DocId> = docs
        .iter()
        .copied()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut writer = index.writer().map_err(ix)?;
    for doc in &wanted {
        writer.delete_doc(*doc);
    }
    let (written, _) = write_documents(project, &mut writer, &wanted, 0, &mut |_, _| {})?;
    writer.commit(revision).map_err(ix)?;
    Ok(Refresh::Updated { passages: written })
}

/// One row of a `--by` table.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GroupRow {
    /// The group: a phase id, kind, speaker, document id or attribute value; `(none)`
    /// for passages without a speaker or attribute.
    pub group: String,
    /// Matching passages.
    pub passages: u64,
    /// Documents with at least one matching passage.
    pub docs: u64,
}

/// Label of the group of passages that have no value.
pub const NO_VALUE: &str = "(none)";

/// Orders [`Index::group`] counts for a table: every group of the project listed (zero
/// rows kept): phases in timeline order (then `unphased` when used), kinds in their
/// usual order, speakers and attribute values alphabetically, documents by id.
fn group_rows(
    project: &Project,
    docs: &[Document],
    found: Vec<Group>,
    by: &GroupBy,
) -> Result<Vec<GroupRow>> {
    let mut keys: Vec<String> = match by {
        GroupBy::Phase => {
            let mut k: Vec<String> = project
                .config
                .timeline
                .phases()
                .iter()
                .map(|p| p.id.clone())
                .collect();
            if docs
                .iter()
                .any(|d| placement(project, d) == Placement::Unphased)
            {
                k.push(ambit_core::UNPHASED.to_string());
            }
            k
        }
        GroupBy::Kind => {
            let used: BTreeSet<DocKind> = docs.iter().map(|d| d.kind).collect();
            DocKind::ALL
                .iter()
                .filter(|k| used.contains(k))
                .map(|k| k.as_str().to_string())
                .collect()
        }
        GroupBy::Speaker => {
            let mut s: Vec<String> = project.store.speakers()?.into_iter().map(|s| s.0).collect();
            s.sort();
            s
        }
        GroupBy::Doc => docs.iter().map(|d| d.id.to_string()).collect(),
        GroupBy::Attr(name) => {
            let values: BTreeSet<String> = docs
                .iter()
                .filter_map(|d| d.attributes.get(name).cloned())
                .collect();
            values.into_iter().collect()
        }
    };
    let mut counts: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for g in found {
        let key = g.key.unwrap_or_else(|| NO_VALUE.to_string());
        if !keys.contains(&key) {
            // A value the store no longer lists cannot occur in a current index, except
            // for passages without a value; list it rather than drop its counts.
            keys.push(key.clone());
        }
        counts.insert(key, (g.passages, g.docs));
    }
    Ok(keys
        .into_iter()
        .map(|k| {
            let (passages, docs) = counts.get(&k).copied().unwrap_or((0, 0));
            GroupRow {
                group: k,
                passages,
                docs,
            }
        })
        .collect())
}

/// One matching passage, as `ambit search` shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    /// `D7:12`.
    pub passage: String,
    /// `D7`.
    pub doc: String,
    /// Document title.
    pub title: String,
    /// Phase id.
    pub phase: String,
    /// Document date.
    pub date: Option<String>,
    /// Document kind.
    pub kind: String,
    /// Speaker.
    pub speaker: Option<String>,
    /// Start of the passage in the document (characters).
    pub start: usize,
    /// End (exclusive).
    pub end: usize,
    /// The passage text.
    pub text: String,
    /// BM25 relevance.
    pub score: f32,
    /// Matched ranges as `[start, end]` character offsets within `text`.
    pub highlights: Vec<[usize; 2]>,
}

/// A search session: a current index and the project's documents as they are now.
pub struct Search<'p, 'f> {
    project: &'p Project,
    progress: Progress<'f>,
    index: Index,
    docs: Vec<Document>,
    catalogue: Catalogue,
    rebuilt: Option<Rebuilt>,
}

impl<'p, 'f> Search<'p, 'f> {
    /// Opens the project's index, rebuilding it first when it is not current (with
    /// `progress`), and reads the documents.
    pub fn open(project: &'p Project, progress: Progress<'f>) -> Result<Search<'p, 'f>> {
        let ready = ensure_index(project, false, progress)?;
        let docs = project.store.documents_brief()?;
        let mut catalogue = Catalogue::default();
        for d in &docs {
            let placed = placement(project, d);
            catalogue.insert(
                d.id,
                DocInfo {
                    kind: d.kind,
                    phase: project.config.timeline.label_of(placed).to_string(),
                    phase_order: match placed {
                        Placement::Phase(k) => k as u32,
                        Placement::Unphased => u32::MAX,
                    },
                    date: d.date,
                    attributes: d.attributes.clone(),
                },
            );
        }
        Ok(Search {
            project,
            progress,
            index: ready.index,
            docs,
            catalogue,
            rebuilt: ready.rebuilt,
        })
    }

    /// The rebuild that made the index current, if one was needed.
    pub fn rebuilt(&self) -> Option<&Rebuilt> {
        self.rebuilt.as_ref()
    }

    /// Runs `f` on the index. When the index fails while being read (a file garbled
    /// after it was opened), it is rebuilt and `f` runs once more: a corrupt index is
    /// never fatal. Query syntax errors are returned as they are.
    fn run<T>(&mut self, f: impl Fn(&Index, &Catalogue) -> ambit_index::Result<T>) -> Result<T> {
        match f(&self.index, &self.catalogue) {
            Ok(v) => Ok(v),
            Err(e @ (ambit_index::Error::Syntax { .. } | ambit_index::Error::Busy)) => Err(ix(e)),
            Err(e) => {
                let (index, rebuilt) =
                    rebuild(self.project, Reason::Corrupt(short(&e)), self.progress)?;
                self.index = index;
                self.rebuilt = Some(rebuilt);
                f(&self.index, &self.catalogue).map_err(ix)
            }
        }
    }

    /// Number of passages matching.
    pub fn count(&mut self, query: &Query, filter: &Filter) -> Result<u64> {
        self.run(|ix, cat| ix.count(query, filter, cat))
    }

    /// Matching passages in the given order, at most `limit` (`None`: all), with their
    /// texts and match ranges.
    pub fn hits(
        &mut self,
        query: &Query,
        filter: &Filter,
        sort: Sort,
        limit: Option<usize>,
    ) -> Result<Vec<Hit>> {
        let (found, mut highlighter) = self.run(|ix, cat| {
            Ok((
                ix.search(query, filter, cat, sort, limit)?,
                ix.highlighter(query)?,
            ))
        })?;
        let ids: Vec<_> = found.iter().map(|f| f.passage).collect();
        let texts = self.project.store.passage_texts(&ids)?;
        let docs: HashMap<DocId, &Document> = self.docs.iter().map(|d| (d.id, d)).collect();
        let mut hits = Vec::with_capacity(found.len());
        for (Found { passage, score }, text) in found.into_iter().zip(texts) {
            // A passage the store no longer has cannot be in a current index.
            let (Some((p, text)), Some(doc), Some(info)) = (
                text,
                docs.get(&passage.doc),
                self.catalogue.get(passage.doc),
            ) else {
                continue;
            };
            hits.push(Hit {
                passage: passage.to_string(),
                doc: passage.doc.to_string(),
                title: doc.title.clone(),
                phase: info.phase.clone(),
                date: doc.date.map(|d| d.to_string()),
                kind: doc.kind.as_str().to_string(),
                speaker: p.speaker,
                start: p.start,
                end: p.end,
                highlights: highlighter.ranges(&text),
                text,
                score,
            });
        }
        Ok(hits)
    }

    /// Matching passages and documents per group, every group of the project listed (see
    /// [`GroupRow`]).
    pub fn groups(
        &mut self,
        query: &Query,
        filter: &Filter,
        by: &GroupBy,
    ) -> Result<Vec<GroupRow>> {
        let found = self.run(|ix, cat| ix.group(query, filter, cat, by))?;
        group_rows(self.project, &self.docs, found, by)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn char_cursor_slices_like_chars() {
        let text = "Åsa: työ — 👍 ok";
        let mut c = CharCursor::default();
        let slice = |c: &mut CharCursor, a, b| c.slice(text, a, b).to_string();
        let want = |a: usize, b: usize| text.chars().skip(a).take(b - a).collect::<String>();
        for (a, b) in [
            (0, 3),
            (3, 5),
            (5, 9),
            (9, 12),
            (12, 16),
            (2, 4),
            (16, 16),
            (14, 99),
        ] {
            assert_eq!(slice(&mut c, a, b), want(a, b.min(16)), "{a}..{b}");
        }
    }

    fn check(code: &str, expected: &[&str]) {
        let mut out = BTreeSet::new();
        with_ancestors(None, code, &mut out);
        let got: Vec<&str> = out.iter().map(String::as_str).collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn dotted_ancestors_without_codebook() {
        check("kb", &["kb"]);
        check("kb.semantic", &["kb", "kb.semantic"]);
        check("a.b.c", &["a", "a.b", "a.b.c"]);
    }
}
