//! Merging another coder's copy of a project into this one (`ambit merge OTHER`).
//!
//! Both projects are read into plain values and [`ambit_team::merge::plan_merge`] says what
//! to add (see its rules: documents matched by the content hash of their stored text, codes
//! by id, codings by document, range, code, coder and origin). Then, unless it is a dry
//! run:
//! 1. the store gets the new documents, codings and memos in one transaction (which skips
//!    what it already has, so merging twice adds nothing the second time);
//! 2. `codebook.toml` is replaced atomically with the merged codebook, new codes in their
//!    place, so an interrupted merge is finished by running it again;
//! 3. the search index follows the documents that changed.
//!
//! Code conflicts (same id, other name, parent or definition) stop the merge before
//! anything is written unless a side is preferred. A coding keeps its coder's name; its
//! status (needs review) and creation time come along. Detached codings of the other
//! project point at no text and are not merged (the report counts them).
//!
//! The other project is opened for reading only and never changed. Refused: a folder that
//! is not a project, this project itself, a store of a newer (or older) schema.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use ambit_coding::Codebook;
use ambit_core::{CodingStatus, DocId};
use ambit_store::{
    CodingFilter, DocRef, Incoming, IncomingCoding, IncomingDocument, IncomingMemo, IncomingTarget,
    Project, Store,
};
use ambit_team::merge::{
    self, ChangedDoc, CodeConflict, MemoTarget, MergeOptions, MergePlan, SkipReason,
};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::coding::{codebook_path, read_codebook, write_codebook_source};
use crate::error::{Error, Result};

pub use ambit_team::merge::Prefer;

/// What to merge.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MergeRequest {
    /// The other project's folder.
    pub other: PathBuf,
    /// Only these coders' codings and memos (`--coder`); empty: everyone's.
    pub coders: Vec<String>,
    /// Also add the documents this project lacks (`--documents`).
    pub documents: bool,
    /// The side that wins code conflicts; `None` refuses them.
    pub prefer: Option<Prefer>,
    /// Say what would happen and write nothing.
    pub dry_run: bool,
}

/// A document of theirs added, or that would be added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AddedDoc {
    /// Its id in the other project.
    pub theirs: DocId,
    /// Its id here; `None` in a dry run.
    pub ours: Option<DocId>,
    /// Its title.
    pub title: String,
}

/// A document of theirs this project lacks, not added (no `--documents`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MissingDoc {
    /// Its id in the other project.
    pub theirs: DocId,
    /// Its title.
    pub title: String,
}

/// What happened to the other project's documents.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DocumentsMerged {
    /// Documents both projects hold (same stored text).
    pub matched: usize,
    /// Documents added.
    pub added: Vec<AddedDoc>,
    /// Documents not added because `--documents` was not given.
    pub missing: Vec<MissingDoc>,
    /// Documents with the title of one here but another text: never merged.
    pub changed: Vec<ChangedDoc>,
}

/// What happened to the codebook.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CodesMerged {
    /// Codes added, in their codebook order.
    pub added: Vec<String>,
    /// Codes of this project overwritten with theirs (`--prefer theirs`).
    pub updated: Vec<String>,
    /// Codes with the same id and other content.
    pub conflicts: Vec<CodeConflict>,
    /// How conflicts were resolved.
    pub prefer: Option<Prefer>,
}

/// What the merge did for one coder of the other project.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CoderMerged {
    /// The coder.
    pub coder: String,
    /// Codings added.
    pub added: usize,
    /// Codings this project has already.
    pub present: usize,
    /// Codings skipped, by reason (`document-missing`, `unknown-code`, …).
    pub skipped: BTreeMap<SkipReason, usize>,
    /// Whether this project has codings by a coder of the same name already.
    pub also_here: bool,
}

/// What happened to memos.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MemosMerged {
    /// Memos added.
    pub added: usize,
    /// Memos this project has already.
    pub present: usize,
    /// Memos skipped (their document or code is not merged, or their author not selected).
    pub skipped: usize,
}

/// What [`merge`] did, or in a dry run would do.
///
/// **API boundary**: `ambit merge --format json`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MergeReport {
    /// The other project's folder, as given.
    pub other: String,
    /// Whether nothing was to be written.
    pub dry_run: bool,
    /// Whether the project changed.
    pub written: bool,
    /// Documents.
    pub documents: DocumentsMerged,
    /// The codebook.
    pub codes: CodesMerged,
    /// Per coder of the other project, by name.
    pub coders: Vec<CoderMerged>,
    /// Memos.
    pub memos: MemosMerged,
    /// Detached codings of the other project (they point at no text), not merged.
    pub detached_skipped: usize,
    /// What to look at (a coder name used in both projects, a phase this timeline lacks).
    pub warnings: Vec<String>,
    /// Why the search index could not follow, if it could not.
    pub index_warning: Option<String>,
}

impl MergeReport {
    /// Whether code conflicts stopped the merge (only in a dry run; otherwise they are an
    /// error).
    pub fn blocked(&self) -> bool {
        self.codes.prefer.is_none() && !self.codes.conflicts.is_empty()
    }
}

/// Merges the other project's codings, memos and codes (and documents, when asked) into
/// this one; see the module documentation.
pub fn merge(project: &mut Project, req: &MergeRequest) -> Result<MergeReport> {
    let other = open_other(project, &req.other)?;
    if !req.dry_run && project.store.is_read_only() {
        return Err(ambit_store::Error::ReadOnly {
            path: project.store.path().to_path_buf(),
        }
        .into());
    }
    let ours = Side::read(project)?;
    let theirs = Side::read(&other)?;
    let options = MergeOptions {
        prefer: req.prefer,
        coders: req.coders.clone(),
        documents: req.documents,
    };
    let plan = match merge::plan_merge(&ours.plan, &theirs.plan, &options) {
        Ok(plan) => plan,
        Err(ambit_team::Error::CodeConflicts { plan, .. }) if req.dry_run => *plan,
        Err(e) => {
            return Err(Error::Request(format!(
                "merging {}: {e}; nothing was written",
                req.other.display()
            )))
        }
    };
    let mut report = report_of(req, &plan, &theirs);
    // A coder whose codings are partly here already was merged before; one with codings
    // here but none of these may be another person of the same name.
    for c in plan
        .coders
        .iter()
        .filter(|c| c.also_here && c.added > 0 && c.present == 0)
    {
        report.warnings.push(format!(
            "coder {:?} has codings in both projects: theirs are added under the same name; if these are two people, one of them should code under another name (`coder` in ambit.toml)",
            c.coder
        ));
    }
    let codebook = merged_codebook(project, &other, &plan)?;
    let batch = batch_of(project, &other, &plan, &theirs, &mut report.warnings)?;
    if req.dry_run || report.blocked() {
        return Ok(report);
    }
    let before = project.store.revision()?;
    let added = project.store.add_incoming(&batch)?;
    for (entry, id) in report.documents.added.iter_mut().zip(&added.documents) {
        entry.ours = Some(*id);
    }
    if let Some(src) = &codebook {
        write_codebook_source(project, src)?;
    }
    report.written = added.codings > 0 || added.memos > 0 || !added.documents.is_empty();
    report.written |= codebook.is_some();
    let mut changed: Vec<DocId> = added.documents.clone();
    changed.extend(batch.codings.iter().filter_map(|c| match c.doc {
        DocRef::Existing(id) => Some(id),
        DocRef::New(_) => None,
    }));
    changed.sort_unstable();
    changed.dedup();
    if !changed.is_empty() && project.store.revision()? != before {
        report.index_warning = crate::search::refresh_documents(project, &changed, before)
            .err()
            .map(|e| {
                format!("the search index was not updated ({e}); the next search rebuilds it")
            });
    }
    Ok(report)
}

/// Opens the other project for reading only, refusing what cannot be merged.
fn open_other(project: &Project, dir: &Path) -> Result<Project> {
    let shown = dir.display();
    if !dir.join(ambit_store::CONFIG_FILE).is_file() {
        return Err(Error::Request(format!(
            "{shown} is not an Ambit project (no ambit.toml there); give the folder of the other coder's copy of the project"
        )));
    }
    let same = match (
        std::fs::canonicalize(dir),
        std::fs::canonicalize(&project.root),
    ) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if same {
        return Err(Error::Request(format!(
            "{shown} is this project itself; give the folder of another coder's copy"
        )));
    }
    let config = ambit_store::Config::load(dir)?;
    let path = dir
        .join(ambit_store::DATA_DIR)
        .join(ambit_store::STORE_FILE);
    let store = Store::open_read_only(&path).map_err(|e| match e {
        ambit_store::Error::TooNew { found, known } => Error::Request(format!(
            "{shown} was written by a newer Ambit (store schema {found}; this one knows up to {known}): upgrade Ambit before merging it"
        )),
        ambit_store::Error::ReadOnlyOutdated { found, known, .. } => Error::Request(format!(
            "{shown} was written by an older Ambit (store schema {found}, this one writes {known}) and is only read here: open it once with this Ambit (`ambit --project {shown} docs`) to upgrade it, then merge again"
        )),
        other => Error::Request(format!("{shown}: {other}")),
    })?;
    Ok(Project {
        root: dir.to_path_buf(),
        config,
        store,
    })
}

/// One side of the merge: the plan's view of it, and what it takes to write from it.
struct Side {
    plan: merge::Project,
    /// Creation time, status and quote of each coding, by its plan identity.
    extra: HashMap<CodingKey, (String, CodingStatus, Option<String>)>,
    /// Detached codings, left out of the plan.
    detached: usize,
}

type CodingKey = (String, usize, usize, String, String, String);

fn key_of(c: &merge::Coding) -> CodingKey {
    (
        c.doc.clone(),
        c.start,
        c.end,
        c.code.clone(),
        c.coder.clone(),
        c.origin.to_string(),
    )
}

/// The content hash of a stored text, as the merge matches documents by.
fn text_hash(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Side {
    fn read(project: &Project) -> Result<Side> {
        let titles: HashMap<DocId, String> = project
            .store
            .documents_brief()?
            .into_iter()
            .map(|d| (d.id, d.title))
            .collect();
        let mut hashes: HashMap<DocId, String> = HashMap::new();
        let mut documents = Vec::new();
        for (id, text) in project.store.texts()? {
            let hash = text_hash(&text);
            hashes.insert(id, hash.clone());
            documents.push(merge::Document {
                id,
                hash,
                title: titles.get(&id).cloned().unwrap_or_default(),
                chars: text.chars().count(),
            });
        }
        let path = codebook_path(project);
        let codes = if path.is_file() {
            read_codebook(&path)?
                .codes()
                .iter()
                .map(|c| merge::Code {
                    id: c.id.clone(),
                    name: c.name.clone(),
                    parent: c.parent.clone(),
                    definition: Some(c.description.clone()).filter(|d| !d.is_empty()),
                })
                .collect()
        } else {
            Vec::new()
        };
        let mut codings = Vec::new();
        let mut extra = HashMap::new();
        let mut detached = 0;
        for c in project.store.codings(&CodingFilter {
            detached: true,
            ..Default::default()
        })? {
            if c.status == CodingStatus::Detached {
                detached += 1;
                continue;
            }
            let Some(hash) = hashes.get(&c.doc) else {
                continue;
            };
            let coding = merge::Coding {
                doc: hash.clone(),
                start: c.start,
                end: c.end,
                code: c.code,
                coder: c.coder,
                origin: c.origin,
                memo: c.memo,
            };
            extra.insert(key_of(&coding), (c.created, c.status, c.quote));
            codings.push(coding);
        }
        let memos = project
            .store
            .memos()?
            .into_iter()
            .filter_map(|m| {
                let target = memo_target(&m.target, &hashes)?;
                Some(merge::Memo {
                    target,
                    author: m.author,
                    created: m.created,
                    text: m.text,
                })
            })
            .collect();
        Ok(Side {
            plan: merge::Project {
                documents,
                codes,
                codings,
                memos,
            },
            extra,
            detached,
        })
    }
}

/// A stored memo target in the plan's terms; `None` for a document the project lacks.
fn memo_target(target: &str, hashes: &HashMap<DocId, String>) -> Option<MemoTarget> {
    let hash = |d: &str| DocId::parse(d).ok().and_then(|id| hashes.get(&id).cloned());
    if let Some(id) = target.strip_prefix("code:") {
        return Some(MemoTarget::Code { id: id.to_string() });
    }
    if let Some(d) = target.strip_prefix("doc:") {
        return hash(d).map(|doc| MemoTarget::Doc { doc });
    }
    if let Some(p) = target.strip_prefix("passage:") {
        let (d, n) = p.split_once(':')?;
        let ordinal = n.parse().ok()?;
        return hash(d).map(|doc| MemoTarget::Passage { doc, ordinal });
    }
    Some(MemoTarget::Other {
        target: target.to_string(),
    })
}

fn report_of(req: &MergeRequest, plan: &MergePlan, theirs: &Side) -> MergeReport {
    let title = |id: DocId| {
        theirs
            .plan
            .documents
            .iter()
            .find(|d| d.id == id)
            .map(|d| d.title.clone())
            .unwrap_or_default()
    };
    MergeReport {
        other: req.other.display().to_string(),
        dry_run: req.dry_run,
        written: false,
        documents: DocumentsMerged {
            matched: plan.documents.matched.len(),
            added: plan
                .documents
                .to_add
                .iter()
                .map(|d| AddedDoc {
                    theirs: d.id,
                    ours: None,
                    title: title(d.id),
                })
                .collect(),
            missing: plan
                .documents
                .missing
                .iter()
                .map(|d| MissingDoc {
                    theirs: d.id,
                    title: title(d.id),
                })
                .collect(),
            changed: plan.documents.changed.clone(),
        },
        codes: CodesMerged {
            added: plan.codes.new.iter().map(|c| c.code.id.clone()).collect(),
            updated: plan.codes.updates.iter().map(|c| c.id.clone()).collect(),
            conflicts: plan.codes.conflicts.clone(),
            prefer: plan.codes.prefer,
        },
        coders: plan
            .coders
            .iter()
            .map(|c| CoderMerged {
                coder: c.coder.clone(),
                added: c.added,
                present: c.present,
                skipped: c.skipped.clone(),
                also_here: c.also_here,
            })
            .collect(),
        memos: MemosMerged {
            added: plan.memos.add.len(),
            present: plan.memos.present,
            skipped: plan.memos.skipped.len(),
        },
        detached_skipped: theirs.detached,
        warnings: Vec::new(),
        index_warning: None,
    }
}

/// The store batch of a plan.
fn batch_of(
    project: &Project,
    other: &Project,
    plan: &MergePlan,
    theirs: &Side,
    warnings: &mut Vec<String>,
) -> Result<Incoming> {
    let mut batch = Incoming::default();
    let mut new: HashMap<&str, usize> = HashMap::new();
    for d in &plan.documents.to_add {
        let mut doc = other.store.stored_document(d.id)?;
        if let Some(phase) = &doc.phase {
            if project.config.timeline.require(phase).is_err() {
                warnings.push(format!(
                    "{} {:?} was in phase {phase:?}, which this project's timeline lacks; it is placed by its date",
                    d.id, doc.title
                ));
                doc.phase = None;
            }
        }
        new.insert(d.hash.as_str(), batch.documents.len());
        batch.documents.push(IncomingDocument { doc, id: None });
    }
    let doc_ref = |hash: &str, ours: Option<DocId>| -> Result<DocRef> {
        match (ours, new.get(hash)) {
            (Some(id), _) => Ok(DocRef::Existing(id)),
            (None, Some(&i)) => Ok(DocRef::New(i)),
            (None, None) => Err(Error::Request(format!(
                "the merge plan names a document ({hash}) it neither matched nor adds"
            ))),
        }
    };
    for p in &plan.codings {
        let c = &p.coding;
        let (created, status, quote) = theirs
            .extra
            .get(&key_of(c))
            .cloned()
            .unwrap_or_else(|| (String::new(), CodingStatus::Ok, None));
        batch.codings.push(IncomingCoding {
            id: None,
            doc: doc_ref(&c.doc, p.ours_doc)?,
            start: c.start,
            end: c.end,
            code: c.code.clone(),
            coder: c.coder.clone(),
            origin: c.origin.clone(),
            created: Some(created).filter(|s| !s.is_empty()),
            memo: c.memo.clone(),
            status,
            quote,
        });
    }
    for p in &plan.memos.add {
        let m = &p.memo;
        let target = match &m.target {
            MemoTarget::Code { id } => IncomingTarget::Other(format!("code:{id}")),
            MemoTarget::Doc { doc } => IncomingTarget::Doc(doc_ref(doc, p.ours_doc)?),
            MemoTarget::Passage { doc, ordinal } => {
                IncomingTarget::Passage(doc_ref(doc, p.ours_doc)?, *ordinal)
            }
            MemoTarget::Other { target } => IncomingTarget::Other(target.clone()),
        };
        batch.memos.push(IncomingMemo {
            target,
            author: m.author.clone(),
            created: m.created.clone(),
            text: m.text.clone(),
        });
    }
    Ok(batch)
}

/// The merged `codebook.toml`, when the merge changes the codebook: this project's codes
/// with theirs' new ones in their place (every field as they wrote it: rules, examples,
/// colour) and, with `--prefer theirs`, their name, parent and definition on conflicting
/// codes. Checked before anything is written.
fn merged_codebook(project: &Project, other: &Project, plan: &MergePlan) -> Result<Option<String>> {
    if plan.codes.new.is_empty() && plan.codes.updates.is_empty() {
        return Ok(None);
    }
    let read = |p: &Project| -> Result<Option<(PathBuf, toml::Table)>> {
        let path = codebook_path(p);
        if !path.is_file() {
            return Ok(None);
        }
        let src = std::fs::read_to_string(&path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        let table = src.parse::<toml::Table>().map_err(|e| {
            Error::Request(format!("{}: not readable as TOML: {e}", path.display()))
        })?;
        Ok(Some((path, table)))
    };
    let codes_of = |t: &toml::Table| -> HashMap<String, toml::Table> {
        t.get("code")
            .and_then(toml::Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|c| c.as_table())
            .filter_map(|c| Some((c.get("id")?.as_str()?.to_string(), c.clone())))
            .collect()
    };
    let Some((their_path, their_table)) = read(other)? else {
        return Ok(None);
    };
    let (mut doc, ours) = match read(project)? {
        Some((_, t)) => {
            let codes = codes_of(&t);
            (t, codes)
        }
        None => {
            let mut t = their_table.clone();
            t.remove("code");
            (t, HashMap::new())
        }
    };
    let theirs = codes_of(&their_table);
    let mut merged = Vec::new();
    for id in &plan.codes.order {
        let mut code = match (ours.get(id), theirs.get(id)) {
            (Some(o), _) => o.clone(),
            (None, Some(t)) => t.clone(),
            (None, None) => continue,
        };
        if plan.codes.updates.iter().any(|u| &u.id == id) {
            if let Some(t) = theirs.get(id) {
                for field in ["name", "parent", "description"] {
                    match t.get(field) {
                        Some(v) => code.insert(field.to_string(), v.clone()),
                        None => code.remove(field),
                    };
                }
            }
        }
        merged.push(toml::Value::Table(code));
    }
    doc.insert("code".to_string(), toml::Value::Array(merged));
    let src = toml::to_string(&doc)
        .map_err(|e| Error::Request(format!("cannot write the merged codebook: {e}")))?;
    let cb = Codebook::parse(&src).map_err(|e| {
        Error::Request(format!(
            "the codebook merged from {} would not be valid ({e}); nothing was written: make the two codebooks agree first",
            their_path.display()
        ))
    })?;
    Ok(Some(cb.to_toml()?))
}
