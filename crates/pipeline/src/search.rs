//! Search workflows: keeping the full-text index in step with the store, and grouping hits.
//!
//! The index in `.ambit/index/` is derived data. Each commit records the store revision
//! it reflects; every store write bumps that revision (codings too), so comparing the two
//! says whether the index is current. A missing, stale, unreadable or other-language index
//! is rebuilt before it is used, never searched as it is. Rebuilds write a fresh index
//! beside the old one and swap it in ([`ambit_index::Staging`]), so an interrupted rebuild
//! leaves the old (stale) index, which the next command rebuilds again; the half-built
//! folder is removed when the build fails, or by the next build when its process was
//! killed.
//!
//! The index holds what varies by passage (words, speaker, codes). What varies by document
//! (title, kind, phase, date, attributes) and the passage texts are read from the store
//! for each search ([`Search`]), so they are never stale: a timeline edit in `ambit.toml`
//! moves hits to their new phases without re-indexing. Documents are filtered by the one
//! [`ambit_core::DocFilter`], as in every other command.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::PathBuf;

use ambit_coding::Codebook;
use ambit_core::text::CharIndex;
use ambit_core::{Date, DocId, DocKind, PassageId, TimelineKey, NO_VALUE, UNPHASED};
use ambit_index::{
    Catalogue, DocInfo, Filter, Found, Group, GroupBy, GroupKey, Index, Query, Record, Sort,
    Staging, Stemming,
};
use ambit_store::{CodingFilter, Project, DATA_DIR};
use serde::Serialize;

use crate::error::Result;
use crate::overview::placement;

/// The index folder inside the project's data folder.
pub const INDEX_DIR: &str = "index";

/// Progress of a (re)build: passages written so far, and how many there are.
pub type Progress<'a> = &'a mut dyn FnMut(u64, u64);

/// The folder of a project's search index.
pub fn index_path(project: &Project) -> PathBuf {
    project.root.join(DATA_DIR).join(INDEX_DIR)
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
    /// The speaker aliases of `ambit.toml` changed.
    Speakers,
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
            Reason::Speakers => f.write_str("the speaker names in ambit.toml changed"),
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

/// The project's index, opened, when it exists with the project's stemming; otherwise
/// why it must be rebuilt.
fn open_index(project: &Project) -> std::result::Result<Index, Reason> {
    let dir = index_path(project);
    if !dir.join("meta.json").is_file() {
        return Err(Reason::Missing);
    }
    let index = Index::open(&dir).map_err(|e| Reason::Corrupt(short(&e)))?;
    if index.stemming() != stemming_of(project) {
        return Err(Reason::Language);
    }
    Ok(index)
}

/// The open index when it is current; otherwise why it must be rebuilt.
fn check(project: &Project) -> Result<std::result::Result<Index, Reason>> {
    let index = match open_index(project) {
        Ok(i) => i,
        Err(why) => return Ok(Err(why)),
    };
    if index
        .settings()
        .ok()
        .flatten()
        .is_some_and(|s| s != settings(project))
    {
        return Ok(Err(Reason::Speakers));
    }
    let current = project.store.revision()?;
    Ok(match index.revision() {
        Ok(Some(r)) if r == current => Ok(index),
        Ok(_) => Err(Reason::Stale),
        Err(e) => Err(Reason::Corrupt(short(&e))),
    })
}

/// What the indexed passages depend on besides the store: the speaker aliases of
/// `ambit.toml` (speakers are indexed by name). A change rebuilds the index.
fn settings(project: &Project) -> String {
    project.config.speakers.fingerprint()
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
    let docs: Vec<DocId> = project
        .store
        .documents_brief()?
        .into_iter()
        .map(|d| d.id)
        .collect();
    // Dropped on any error below, which removes its folder.
    let staging = Staging::create(&index_path(project), stemming_of(project))?;
    let (passages, bytes) = {
        let mut writer = staging.index().writer()?;
        let total = project.store.passage_count()?;
        let written = write_documents(project, &mut writer, &docs, total, progress)?;
        writer.set_settings(&settings(project));
        writer.commit(revision)?;
        written
    };
    let index = staging.finish()?;
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
        let chars = CharIndex::new(&text);
        let n = chars.len_chars();
        for (p, codes) in passages.iter().zip(codes) {
            // Stored passages fit their text; clipped all the same, never a panic.
            let slice = chars
                .slice(&text, p.span.start.min(n), p.span.end.min(n))
                .unwrap_or_default();
            let codes: Vec<String> = codes.into_iter().collect();
            bytes += slice.len() as u64;
            writer.add(&Record {
                passage: p.id,
                text: slice,
                speaker: p.span.speaker.as_deref(),
                codes: &codes,
            })?;
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

/// Brings the index up to date after `docs` were added, replaced or removed, incrementally.
///
/// `before` is the store revision read before the change: only an index that was current
/// then can be patched; otherwise it is left for the next search to rebuild (it is
/// recognised as stale, so no search ever sees it as it is). One commit.
pub fn refresh_documents(project: &Project, docs: &[DocId], before: u64) -> Result<Refresh> {
    let index = match current_index(project, before)? {
        Ok(index) => index,
        Err(reason) => return Ok(Refresh::Skipped(reason)),
    };
    let revision = project.store.revision()?;
    let wanted: Vec<DocId> = docs
        .iter()
        .copied()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut writer = index.writer()?;
    for doc in &wanted {
        writer.delete_doc(*doc);
    }
    // Removed documents (`ambit rm`) only leave the index.
    let stored: HashSet<DocId> = project
        .store
        .documents_brief()?
        .iter()
        .map(|d| d.id)
        .collect();
    let wanted: Vec<DocId> = wanted.into_iter().filter(|d| stored.contains(d)).collect();
    let (written, _) = write_documents(project, &mut writer, &wanted, 0, &mut |_, _| {})?;
    writer.set_settings(&settings(project));
    writer.commit(revision)?;
    Ok(Refresh::Updated { passages: written })
}

/// The index, when it reflects store revision `before` with the project's stemming and
/// settings: the one a change made after `before` may patch. Otherwise why not.
pub(crate) fn current_index(
    project: &Project,
    before: u64,
) -> Result<std::result::Result<Index, Reason>> {
    let index = match open_index(project) {
        Ok(i) => i,
        Err(why) => return Ok(Err(why)),
    };
    if index.revision().ok().flatten() != Some(before)
        || index.settings().ok().flatten() != Some(settings(project))
    {
        return Ok(Err(Reason::Stale));
    }
    Ok(Ok(index))
}

/// A current index kept in step with an import while it stores documents: each new
/// document's passages come from the parsed text (no codings yet), not read back from the
/// store afterwards, and the index's threads work while the import goes on. Nothing is
/// visible before [`Feed::finish`] commits, which it does only when nobody else changed the
/// store or the index meanwhile; otherwise the index stays stale and the next search
/// rebuilds it.
pub(crate) struct Feed<'a> {
    writer: ambit_index::Writer<'a>,
    /// The index's `meta.json` when the feed began, and where it is: a rebuild by another
    /// process meanwhile replaces it.
    meta: (PathBuf, Option<Vec<u8>>),
    /// The first error writing to the index; nothing is written after it.
    error: Option<ambit_index::Error>,
    /// Passages queued.
    written: u64,
}

impl<'a> Feed<'a> {
    /// Starts feeding `index` (from [`current_index`]) of `project`.
    pub(crate) fn new(project: &Project, index: &'a Index) -> Result<Feed<'a>> {
        let meta = index_path(project).join("meta.json");
        let bytes = std::fs::read(&meta).ok();
        Ok(Feed {
            writer: index.writer()?,
            meta: (meta, bytes),
            error: None,
            written: 0,
        })
    }

    /// Queues the passages of a stored document: `bytes` are their ranges in its text.
    pub(crate) fn add_document(
        &mut self,
        speakers: &ambit_core::SpeakerAliases,
        id: DocId,
        doc: &ambit_store::NewDocument,
        bytes: &[(usize, usize)],
    ) {
        if self.error.is_some() {
            return;
        }
        for (i, (p, &(from, to))) in doc.passages.iter().zip(bytes).enumerate() {
            // The index holds speakers by name, as the store gives them.
            let speaker = p
                .span
                .speaker
                .as_deref()
                .map(|label| speakers.resolve(id, doc.kind, label));
            let added = self.writer.add(&Record {
                passage: PassageId {
                    doc: id,
                    ordinal: i as u32 + 1,
                },
                text: doc.text.get(from..to).unwrap_or_default(),
                speaker,
                codes: &[],
            });
            if let Err(e) = added {
                self.error = Some(e);
                return;
            }
            self.written += 1;
        }
    }

    /// Writes the `replaced` documents again from the store (they keep their codings) and
    /// commits at the store's revision, if the only writes since `before` were this
    /// import's `ours` and the index is still the one the feed began with.
    pub(crate) fn finish(
        mut self,
        project: &Project,
        replaced: &[DocId],
        before: u64,
        ours: u64,
    ) -> Result<Refresh> {
        if let Some(e) = self.error.take() {
            return Err(e.into());
        }
        for doc in replaced {
            self.writer.delete_doc(*doc);
        }
        let (again, _) = write_documents(project, &mut self.writer, replaced, 0, &mut |_, _| {})?;
        let revision = project.store.revision()?;
        let (meta, was) = &self.meta;
        if revision != before + ours || std::fs::read(meta).ok() != *was {
            return Ok(Refresh::Skipped(Reason::Stale));
        }
        self.writer.set_settings(&settings(project));
        self.writer.commit(revision)?;
        Ok(Refresh::Updated {
            passages: self.written + again,
        })
    }
}

/// One row of a `--by` table: a group and how many matching passages and documents it
/// has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRow {
    /// The group: a phase, kind, speaker, document or attribute value; `None` for
    /// passages without a speaker or attribute.
    pub group: Option<GroupKey>,
    /// Matching passages.
    pub passages: u64,
    /// Documents with at least one matching passage.
    pub docs: u64,
}

impl GroupRow {
    /// The group as tables print it: [`NO_VALUE`] for passages without a value.
    pub fn label(&self) -> String {
        self.group
            .as_ref()
            .map_or_else(|| NO_VALUE.to_string(), GroupKey::to_string)
    }
}

/// Orders [`Index::group`] counts for a table: every group of the project listed (zero
/// rows kept): phases in timeline order (then `unphased` when used), kinds in their
/// usual order, speakers and attribute values alphabetically, documents by id.
fn group_rows(
    project: &Project,
    catalogue: &Catalogue,
    found: Vec<Group>,
    by: &GroupBy,
) -> Result<Vec<GroupRow>> {
    let docs = || catalogue.iter().map(|d| &d.doc);
    let mut keys: Vec<Option<GroupKey>> = match by {
        GroupBy::Phase => {
            let mut k: Vec<GroupKey> = project
                .config
                .timeline
                .phases()
                .iter()
                .map(|p| GroupKey::Phase(p.id.clone()))
                .collect();
            if catalogue.iter().any(|d| d.phase == UNPHASED) {
                k.push(GroupKey::Phase(UNPHASED.to_string()));
            }
            k.into_iter().map(Some).collect()
        }
        GroupBy::Kind => {
            let used: BTreeSet<DocKind> = docs().map(|d| d.kind).collect();
            DocKind::ALL
                .into_iter()
                .filter(|k| used.contains(k))
                .map(|k| Some(GroupKey::Kind(k)))
                .collect()
        }
        GroupBy::Speaker => {
            let mut s: Vec<String> = project.store.speakers()?.into_iter().map(|s| s.0).collect();
            s.sort();
            s.into_iter().map(|s| Some(GroupKey::Speaker(s))).collect()
        }
        GroupBy::Doc => {
            let ids: BTreeSet<DocId> = docs().map(|d| d.id).collect();
            ids.into_iter().map(|d| Some(GroupKey::Doc(d))).collect()
        }
        GroupBy::Attr(name) => {
            let values: BTreeSet<&String> = docs().filter_map(|d| d.attributes.get(name)).collect();
            values
                .into_iter()
                .map(|v| Some(GroupKey::Attr(v.clone())))
                .collect()
        }
    };
    let mut listed: HashSet<Option<GroupKey>> = keys.iter().cloned().collect();
    let mut counts: HashMap<Option<GroupKey>, (u64, u64)> = HashMap::new();
    for g in found {
        if listed.insert(g.key.clone()) {
            // A value the store no longer lists cannot occur in a current index, except
            // for passages without a value; list it rather than drop its counts.
            keys.push(g.key.clone());
        }
        counts.insert(g.key, (g.passages, g.docs));
    }
    Ok(keys
        .into_iter()
        .map(|group| {
            let (passages, docs) = counts.get(&group).copied().unwrap_or((0, 0));
            GroupRow {
                group,
                passages,
                docs,
            }
        })
        .collect())
}

/// One matching passage, as `ambit search` shows it.
///
/// **API boundary**: a row of `ambit search --format json`. Field names, and the printed
/// forms of the typed values (`D7:12`, `D7`, `2013-03-20`, `interview`), are a contract.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    /// `D7:12`.
    pub passage: PassageId,
    /// `D7`.
    pub doc: DocId,
    /// Document title.
    pub title: String,
    /// Phase id.
    pub phase: String,
    /// Document date.
    pub date: Option<Date>,
    /// Document kind.
    pub kind: DocKind,
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
    /// Every document, read when a search first needs them all: a document filter, the
    /// timeline order or groups. A count or the top hits by relevance without them read
    /// only the documents of their hits (on 1,000 documents, reading them all was a third
    /// of `ambit search … --count`).
    catalogue: Option<Catalogue>,
    /// What a search that needs no document is given.
    none: Catalogue,
    rebuilt: Option<Rebuilt>,
}

/// The documents as search sees them: their phases on the current timeline and where they
/// sit along it.
fn doc_infos(project: &Project, docs: Vec<ambit_core::Document>) -> Catalogue {
    let mut catalogue = Catalogue::default();
    for doc in docs {
        let placed = placement(project, &doc);
        catalogue.insert(DocInfo {
            phase: project.config.timeline.label_of(placed).to_string(),
            timeline: TimelineKey::new(placed, doc.date, doc.id),
            doc,
        });
    }
    catalogue
}

/// Hits beyond this many documents read every document at once rather than each of them.
const FEW_DOCS: usize = 64;

impl<'p, 'f> Search<'p, 'f> {
    /// Opens the project's index, rebuilding it first when it is not current (with
    /// `progress`).
    pub fn open(project: &'p Project, progress: Progress<'f>) -> Result<Search<'p, 'f>> {
        let ready = ensure_index(project, false, progress)?;
        Ok(Search {
            project,
            progress,
            index: ready.index,
            catalogue: None,
            none: Catalogue::default(),
            rebuilt: ready.rebuilt,
        })
    }

    /// Reads every document, unless a search of this session did already.
    fn read_catalogue(&mut self) -> Result<()> {
        if self.catalogue.is_none() {
            let docs = self.project.store.documents_brief()?;
            self.catalogue = Some(doc_infos(self.project, docs));
        }
        Ok(())
    }

    /// Reads every document when a search with `filter` in `sort` order needs them: the
    /// index asks the catalogue only which documents a filter keeps and where a document
    /// sits on the timeline.
    fn catalogue_for(&mut self, filter: &Filter, sort: Option<Sort>) -> Result<()> {
        if filter.doc.narrows_documents() || sort == Some(Sort::Time) {
            self.read_catalogue()?;
        }
        Ok(())
    }

    /// The rebuild that made the index current, if one was needed.
    pub fn rebuilt(&self) -> Option<&Rebuilt> {
        self.rebuilt.as_ref()
    }

    /// Runs `f` on the index. When the index fails while being read (a file garbled
    /// after it was opened), it is rebuilt and `f` runs once more: a corrupt index is
    /// never fatal. Query syntax errors are returned as they are.
    fn run<T>(&mut self, f: impl Fn(&Index, &Catalogue) -> ambit_index::Result<T>) -> Result<T> {
        let catalogue = self.catalogue.as_ref().unwrap_or(&self.none);
        match f(&self.index, catalogue) {
            Ok(v) => Ok(v),
            Err(e @ (ambit_index::Error::Syntax { .. } | ambit_index::Error::Busy)) => {
                Err(e.into())
            }
            Err(e) => {
                let (index, rebuilt) =
                    rebuild(self.project, Reason::Corrupt(short(&e)), self.progress)?;
                self.index = index;
                self.rebuilt = Some(rebuilt);
                Ok(f(&self.index, catalogue)?)
            }
        }
    }

    /// Number of passages matching.
    pub fn count(&mut self, query: &Query, filter: &Filter) -> Result<u64> {
        self.catalogue_for(filter, None)?;
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
        Ok(self.hits_counted(query, filter, sort, limit)?.0)
    }

    /// [`Search::hits`], and how many passages match in all, from the same pass over the
    /// index (a `--limit` with the total shown does not search twice).
    pub fn hits_counted(
        &mut self,
        query: &Query,
        filter: &Filter,
        sort: Sort,
        limit: Option<usize>,
    ) -> Result<(Vec<Hit>, u64)> {
        self.catalogue_for(filter, Some(sort))?;
        let ((found, total), mut highlighter) = self.run(|ix, cat| {
            Ok((
                ix.search_counted(query, filter, cat, sort, limit)?,
                ix.highlighter(query)?,
            ))
        })?;
        let ids: Vec<_> = found.iter().map(|f| f.passage).collect();
        let texts = self.project.store.passage_texts(&ids)?;
        let docs: BTreeSet<DocId> = ids.iter().map(|p| p.doc).collect();
        let few;
        let catalogue = match &self.catalogue {
            Some(all) => all,
            None if docs.len() > FEW_DOCS => {
                self.read_catalogue()?;
                self.catalogue.as_ref().unwrap_or(&self.none)
            }
            None => {
                let docs: Vec<DocId> = docs.into_iter().collect();
                few = doc_infos(self.project, self.project.store.documents_brief_of(&docs)?);
                &few
            }
        };
        let mut hits = Vec::with_capacity(found.len());
        for (Found { passage, score }, text) in found.into_iter().zip(texts) {
            // A passage the store no longer has cannot be in a current index.
            let (Some((p, text)), Some(info)) = (text, catalogue.get(passage.doc)) else {
                continue;
            };
            hits.push(Hit {
                passage,
                doc: passage.doc,
                title: info.doc.title.clone(),
                phase: info.phase.clone(),
                date: info.doc.date,
                kind: info.doc.kind,
                speaker: p.span.speaker,
                start: p.span.start,
                end: p.span.end,
                highlights: highlighter.ranges(&text),
                text,
                score,
            });
        }
        Ok((hits, total))
    }

    /// Matching passages and documents per group, every group of the project listed (see
    /// [`GroupRow`]).
    pub fn groups(
        &mut self,
        query: &Query,
        filter: &Filter,
        by: &GroupBy,
    ) -> Result<Vec<GroupRow>> {
        self.read_catalogue()?;
        let found = self.run(|ix, cat| ix.group(query, filter, cat, by))?;
        group_rows(
            self.project,
            self.catalogue.as_ref().unwrap_or(&self.none),
            found,
            by,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    /// A project with an interview (speaker turns, `org=Kaleva`, dated) and field notes
    /// (no speakers, no attributes, undated).
    fn study() -> (tempfile::TempDir, Project) {
        use crate::{expand_paths, import, DocDefaults, ImportOptions};
        let dir = tempfile::tempdir().unwrap();
        let mut project = Project::init(dir.path(), "Study").unwrap();
        let interview = dir.path().join("interview.txt");
        std::fs::write(
            &interview,
            "I: How do you order repairs?\n\nR: By phone. Orders get lost.\n",
        )
        .unwrap();
        let notes = dir.path().join("notes.txt");
        std::fs::write(&notes, "The team ordered new forms.\n\nNo map yet.\n").unwrap();
        for (path, defaults) in [
            (
                interview,
                DocDefaults {
                    kind: Some(DocKind::Interview),
                    date: Date::parse("2013-02-01").ok(),
                    attributes: [("org".to_string(), "Kaleva".to_string())].into(),
                    ..DocDefaults::default()
                },
            ),
            (
                notes,
                DocDefaults {
                    kind: Some(DocKind::Observation),
                    ..DocDefaults::default()
                },
            ),
        ] {
            let (items, _) = expand_paths(&[path], &defaults);
            import(&mut project, &items, ImportOptions::default(), &mut |_| {}).unwrap();
        }
        (dir, project)
    }

    fn passages(
        search: &mut Search<'_, '_>,
        query: &str,
        doc: ambit_core::DocFilter,
    ) -> Vec<String> {
        let filter = Filter {
            doc,
            codes: Vec::new(),
        };
        let q = Query::parse(query).unwrap();
        search
            .hits(&q, &filter, Sort::Time, None)
            .unwrap()
            .iter()
            .map(|h| h.passage.to_string())
            .collect()
    }

    #[test]
    fn search_filters_mean_what_they_mean_everywhere() {
        use ambit_core::{parse_attr, parse_month, parse_speaker, DocFilter, NO_SPEAKER};
        let (_dir, project) = study();
        let mut quiet = |_, _| {};
        let mut search = Search::open(&project, &mut quiet).unwrap();
        let attrs = |a: &[&str]| DocFilter {
            attrs: a.iter().map(|a| parse_attr(a).unwrap()).collect(),
            ..DocFilter::default()
        };
        // Timeline order: both unphased, the undated notes first.
        let all = ["D2:1", "D1:1", "D1:2"];
        assert_eq!(passages(&mut search, "order", DocFilter::default()), all);
        // `(none)`: documents without the attribute.
        assert_eq!(
            passages(&mut search, "order", attrs(&["org=(none)"])),
            ["D2:1"]
        );
        assert_eq!(
            passages(&mut search, "order", attrs(&["org=Kaleva", "org=(none)"])),
            all
        );
        let speakers = |s: &[&str]| DocFilter {
            speakers: s.iter().map(|s| parse_speaker(s)).collect(),
            ..DocFilter::default()
        };
        assert_eq!(
            passages(&mut search, "order", speakers(&[NO_SPEAKER])),
            ["D2:1"]
        );
        assert_eq!(
            passages(&mut search, "order OR map", speakers(&["R", NO_SPEAKER])),
            ["D2:1", "D2:2", "D1:2"]
        );
        let months = |m: &[&str]| DocFilter {
            months: m.iter().map(|m| parse_month(m).unwrap()).collect(),
            ..DocFilter::default()
        };
        assert_eq!(
            passages(&mut search, "order", months(&["2013-02"])),
            ["D1:1", "D1:2"]
        );
        assert_eq!(
            passages(&mut search, "order", months(&["undated"])),
            ["D2:1"]
        );

        let hits = search
            .hits(
                &Query::parse("order").unwrap(),
                &Filter::default(),
                Sort::Time,
                None,
            )
            .unwrap();
        assert_eq!(hits[1].doc, DocId(1));
        assert_eq!(hits[1].kind, DocKind::Interview);
        assert_eq!(hits[1].date, Date::parse("2013-02-01").ok());
        assert_eq!(hits[1].phase, UNPHASED);
        assert_eq!(hits[1].speaker.as_deref(), Some("I"));
    }

    /// Hits by relevance read only their documents (or all of them, for hits in many):
    /// each shows what the store says of its document, as hits along the timeline do.
    #[test]
    fn hits_by_relevance_show_their_documents() {
        use crate::{expand_paths, import, DocDefaults, ImportOptions};
        let (dir, mut project) = study();
        let mut paths = Vec::new();
        for i in 0..FEW_DOCS + 6 {
            let path = dir.path().join(format!("more{i:03}.txt"));
            let words = "order ".repeat(i % 5 + 1);
            std::fs::write(&path, format!("Note {i}: {words}\n")).unwrap();
            paths.push(path);
        }
        let defaults = DocDefaults {
            kind: Some(DocKind::Observation),
            date: Date::parse("2013-04-02").ok(),
            attributes: [("org".to_string(), "Kaleva".to_string())].into(),
            ..DocDefaults::default()
        };
        let (items, _) = expand_paths(&paths, &defaults);
        import(&mut project, &items, ImportOptions::default(), &mut |_| {}).unwrap();
        let mut quiet = |_, _| {};
        let shown = |h: &Hit| (h.passage, h.title.clone(), h.phase.clone(), h.date, h.kind);
        let q = Query::parse("order").unwrap();
        let along = {
            let mut search = Search::open(&project, &mut quiet).unwrap();
            let mut hits: Vec<_> = search
                .hits(&q, &Filter::default(), Sort::Time, None)
                .unwrap()
                .iter()
                .map(shown)
                .collect();
            hits.sort();
            hits
        };
        assert_eq!(along.len(), FEW_DOCS + 6 + 3);
        for limit in [Some(5), Some(FEW_DOCS + 1), None] {
            // A new session each time: no earlier search has read the documents.
            let mut search = Search::open(&project, &mut quiet).unwrap();
            let (hits, total) = search
                .hits_counted(&q, &Filter::default(), Sort::Relevance, limit)
                .unwrap();
            assert_eq!(total as usize, along.len());
            assert_eq!(hits.len(), limit.unwrap_or(along.len()).min(along.len()));
            for h in &hits {
                assert!(along.contains(&shown(h)), "{limit:?}: {:?}", shown(h));
            }
        }
    }

    #[test]
    fn groups_are_typed_until_printed() {
        let (_dir, project) = study();
        let mut quiet = |_, _| {};
        let mut search = Search::open(&project, &mut quiet).unwrap();
        let q = Query::parse("order").unwrap();
        let rows = |by: GroupBy, search: &mut Search<'_, '_>| -> Vec<(String, u64, u64)> {
            search
                .groups(&q, &Filter::default(), &by)
                .unwrap()
                .iter()
                .map(|r| (r.label(), r.passages, r.docs))
                .collect()
        };
        let row = |k: &str, p, d| (k.to_string(), p, d);
        assert_eq!(
            rows(GroupBy::Kind, &mut search),
            [row("interview", 2, 1), row("observation", 1, 1)]
        );
        assert_eq!(
            rows(GroupBy::Doc, &mut search),
            [row("D1", 2, 1), row("D2", 1, 1)]
        );
        assert_eq!(
            rows(GroupBy::Attr("org".into()), &mut search),
            [row("Kaleva", 2, 1), row(NO_VALUE, 1, 1)]
        );
        assert_eq!(
            rows(GroupBy::Speaker, &mut search),
            [row("I", 1, 1), row("R", 1, 1), row(NO_VALUE, 1, 1)]
        );
        assert_eq!(rows(GroupBy::Phase, &mut search), [row(UNPHASED, 3, 2)]);
    }

    #[test]
    fn concordance_of_a_project() {
        use crate::kwic::KwicOrder;
        let (_dir, project) = study();
        let mut quiet = |_, _| {};
        let mut search = Search::open(&project, &mut quiet).unwrap();
        let q = Query::parse("order").unwrap();
        let c = search
            .concordance(&q, &Filter::default(), 8, KwicOrder::Right)
            .unwrap();
        assert_eq!(c.passages, 3);
        let lines: Vec<String> = c
            .lines
            .iter()
            .map(|l| format!("{} {}|{}|{}", l.passage, l.left, l.matched, l.right))
            .collect();
        assert_eq!(
            lines,
            [
                "D1:2  phone. |Orders| get los",
                "D2:1 he team |ordered| new for",
                "D1:1  do you |order| repairs",
            ]
        );
    }

    /// The entries of `.ambit` that index builds leave while they run.
    fn build_leftovers(project: &Project) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(project.root.join(DATA_DIR))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".index.tmp-"))
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_failed_rebuild_leaves_no_temporary_folder() {
        let (_dir, project) = study();
        // The new index is written, then cannot be put in place: a file is in the way.
        let blocker = index_path(&project);
        std::fs::write(&blocker, "not an index").unwrap();
        let err = ensure_index(&project, false, &mut |_, _| {}).unwrap_err();
        assert!(
            err.to_string().contains(&blocker.display().to_string()),
            "{err}"
        );
        assert_eq!(build_leftovers(&project), Vec::<String>::new());
        std::fs::remove_file(&blocker).unwrap();
        assert!(ensure_index(&project, false, &mut |_, _| {}).is_ok());
    }

    #[test]
    fn a_rebuild_removes_what_a_killed_build_left() {
        let (_dir, project) = study();
        let stale = project.root.join(DATA_DIR).join(".index.tmp-4000000");
        std::fs::create_dir(&stale).unwrap();
        std::fs::write(stale.join("meta.json"), "{").unwrap();
        let ready = ensure_index(&project, true, &mut |_, _| {}).unwrap();
        assert_eq!(ready.index.len(), 4);
        assert_eq!(build_leftovers(&project), Vec::<String>::new());
    }
}
