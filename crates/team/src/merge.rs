//! Merge planning: what bringing another coder's project into this one would change.
//!
//! Both projects come in as plain values ([`Project`]); the plan says what to write and
//! why, and [`plan_merge`] never writes anything. Rules:
//! - **Documents** are matched by the content hash of their stored text. A document of
//!   theirs that ours lacks is added only when asked ([`MergeOptions::documents`]); one
//!   whose title matches a document of ours with another text is reported as changed and
//!   never added (its codings need re-anchoring, not merging).
//! - **Codes** are matched by id. The same id with another name, parent or definition
//!   (compared with surrounding whitespace trimmed, a missing definition equal to an empty
//!   one) is a conflict: without [`MergeOptions::prefer`], planning fails with every conflict
//!   listed ([`Error::CodeConflicts`], which still carries the plan for a dry run). With
//!   `Prefer::Theirs` the codes of ours are updated, with `Prefer::Ours` they stay. A new
//!   code goes right after the code it follows in their codebook (the nearest one before it
//!   that the merged codebook has), or first when none does.
//! - **Codings** are the same when document hash, start, end, code, coder and origin are
//!   (the memo does not count): such a coding is already present and not added again. So
//!   merging twice adds nothing the second time. A coding keeps its coder: nothing here
//!   renames one. Codings are skipped, with a reason, when their document is not merged,
//!   their code is in neither codebook, their range does not fit the document, or their
//!   coder was not selected ([`MergeOptions::coders`]).
//! - **Memos** are the same when target, author and text are; they follow the same rules
//!   for documents, codes and authors as codings.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use ambit_core::{DocId, Origin};
use serde::Serialize;

use crate::error::{Error, Result};

/// A code of a codebook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Code {
    /// Its id (`kb.semantic`).
    pub id: String,
    /// Its name.
    pub name: String,
    /// The id of its parent code.
    pub parent: Option<String>,
    /// Its definition.
    pub definition: Option<String>,
}

/// A document of a project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Document {
    /// Its id in that project.
    pub id: DocId,
    /// The content hash of its stored text.
    pub hash: String,
    /// Its title.
    pub title: String,
    /// The length of its text in characters.
    pub chars: usize,
}

/// A coding, with its document given by content hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Coding {
    /// The content hash of the document's text.
    pub doc: String,
    /// Start, in characters.
    pub start: usize,
    /// End (exclusive), in characters.
    pub end: usize,
    /// The code id.
    pub code: String,
    /// Who coded it.
    pub coder: String,
    /// How it was made.
    pub origin: Origin,
    /// Its memo.
    pub memo: Option<String>,
}

/// What a memo is about, with documents given by content hash.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum MemoTarget {
    /// A code, by id.
    Code {
        /// The code id.
        id: String,
    },
    /// A document.
    Doc {
        /// The document's content hash.
        doc: String,
    },
    /// A passage of a document, by its 1-based ordinal.
    Passage {
        /// The document's content hash.
        doc: String,
        /// The passage's ordinal.
        ordinal: u32,
    },
    /// Any other target, carried over as written.
    Other {
        /// The target as stored.
        target: String,
    },
}

/// A memo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Memo {
    /// What it is about.
    pub target: MemoTarget,
    /// Who wrote it.
    pub author: String,
    /// When, as stored (RFC 3339 UTC).
    pub created: String,
    /// The memo.
    pub text: String,
}

/// One side of a merge: what a project holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Project {
    /// Its documents.
    pub documents: Vec<Document>,
    /// Its codebook, in codebook order (parents before their children).
    pub codes: Vec<Code>,
    /// Its codings.
    pub codings: Vec<Coding>,
    /// Its memos.
    pub memos: Vec<Memo>,
}

/// Which side wins a code conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Prefer {
    /// Keep the codes of the current project.
    Ours,
    /// Take the codes of the other project.
    Theirs,
}

/// How to merge.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MergeOptions {
    /// How to resolve code conflicts; `None` refuses them.
    pub prefer: Option<Prefer>,
    /// Only these coders' codings and memos (`--coder`); empty means everyone.
    pub coders: Vec<String>,
    /// Also add the documents the current project lacks (`--documents`).
    pub documents: bool,
}

/// A document of theirs found in ours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocMatch {
    /// Its id in their project.
    pub theirs: DocId,
    /// Its id in ours.
    pub ours: DocId,
    /// The content hash both share.
    pub hash: String,
}

/// A document of theirs whose title matches one of ours with another text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangedDoc {
    /// The title.
    pub title: String,
    /// Its id in their project.
    pub theirs: DocId,
    /// The document of ours with that title.
    pub ours: DocId,
}

/// What happens to their documents.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DocumentPlan {
    /// Documents both projects hold.
    pub matched: Vec<DocMatch>,
    /// Documents to add (only with [`MergeOptions::documents`]).
    pub to_add: Vec<Document>,
    /// Documents ours lacks, not added because documents were not asked for.
    pub missing: Vec<Document>,
    /// Documents with a title of ours but another text: reported, never added.
    pub changed: Vec<ChangedDoc>,
}

/// A code id both codebooks have with different content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeConflict {
    /// The code as ours has it.
    pub ours: Code,
    /// The code as theirs has it.
    pub theirs: Code,
    /// What differs: `name`, `parent` and/or `definition`.
    pub fields: Vec<&'static str>,
}

impl fmt::Display for CodeConflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`:", self.ours.id)?;
        for (i, field) in self.fields.iter().enumerate() {
            let (o, t) = match *field {
                "name" => (
                    Some(self.ours.name.as_str()),
                    Some(self.theirs.name.as_str()),
                ),
                "parent" => (self.ours.parent.as_deref(), self.theirs.parent.as_deref()),
                _ => (
                    self.ours.definition.as_deref(),
                    self.theirs.definition.as_deref(),
                ),
            };
            let show = |v: Option<&str>| v.map_or_else(|| "none".to_string(), |v| format!("{v:?}"));
            let sep = if i == 0 { " " } else { "; " };
            write!(f, "{sep}{field} {} here, {} there", show(o), show(t))?;
        }
        Ok(())
    }
}

/// A code of theirs that ours lacks, and where it goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewCode {
    /// The code.
    pub code: Code,
    /// The code it follows in the merged codebook order; `None` puts it first.
    pub after: Option<String>,
}

/// What happens to the codebook.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CodePlan {
    /// Codes to add, in their codebook order.
    pub new: Vec<NewCode>,
    /// Codes with the same id and different content.
    pub conflicts: Vec<CodeConflict>,
    /// How the conflicts are resolved.
    pub prefer: Option<Prefer>,
    /// Codes of ours to overwrite with theirs (with `Prefer::Theirs`).
    pub updates: Vec<Code>,
    /// The merged codebook's code ids, in order.
    pub order: Vec<String>,
}

/// A coding to add.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedCoding {
    /// The coding, as theirs has it.
    pub coding: Coding,
    /// The document of ours it goes into; `None` when that document is added by the merge.
    pub ours_doc: Option<DocId>,
}

/// Why a coding or memo is not merged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SkipReason {
    /// Its document is not in the current project and documents were not asked for.
    DocumentMissing,
    /// Its document has the title of one of ours but another text.
    DocumentChanged,
    /// Its document is not among their documents.
    UnknownDocument,
    /// Its code is in neither codebook.
    UnknownCode,
    /// Its range does not fit its document.
    OutOfRange,
    /// Its coder (or author) was not selected.
    CoderNotSelected,
}

impl SkipReason {
    /// A short explanation for reports.
    pub fn explain(&self) -> &'static str {
        match self {
            SkipReason::DocumentMissing => {
                "its document is not in this project (add documents with --documents)"
            }
            SkipReason::DocumentChanged => {
                "its document has another text here (re-anchor it with `ambit add --replace`)"
            }
            SkipReason::UnknownDocument => "its document is not in the other project",
            SkipReason::UnknownCode => "its code is in neither codebook",
            SkipReason::OutOfRange => "its range does not fit its document",
            SkipReason::CoderNotSelected => "its coder was not selected with --coder",
        }
    }
}

/// A coding that is not merged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkippedCoding {
    /// The coding, as theirs has it.
    pub coding: Coding,
    /// Why.
    pub reason: SkipReason,
}

/// What the merge does for one coder of theirs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CoderSummary {
    /// The coder.
    pub coder: String,
    /// Codings to add.
    pub added: usize,
    /// Codings already present.
    pub present: usize,
    /// Codings skipped, by reason.
    pub skipped: BTreeMap<SkipReason, usize>,
    /// Whether ours already has codings of this coder. When these are two people who
    /// happen to use the same name, their codings would be mixed: the caller should warn.
    pub also_here: bool,
}

/// A memo to add.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedMemo {
    /// The memo, as theirs has it.
    pub memo: Memo,
    /// The document of ours a document or passage memo goes to; `None` for other targets
    /// and for documents added by the merge.
    pub ours_doc: Option<DocId>,
}

/// What happens to memos.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MemoPlan {
    /// Memos to add.
    pub add: Vec<PlannedMemo>,
    /// How many are already present.
    pub present: usize,
    /// Memos not merged, with the reason.
    pub skipped: Vec<(Memo, SkipReason)>,
}

/// Everything a merge would do.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MergePlan {
    /// Documents.
    pub documents: DocumentPlan,
    /// The codebook.
    pub codes: CodePlan,
    /// Codings to add, in their order.
    pub codings: Vec<PlannedCoding>,
    /// Codings not merged.
    pub skipped: Vec<SkippedCoding>,
    /// Per coder of theirs, by name.
    pub coders: Vec<CoderSummary>,
    /// Memos.
    pub memos: MemoPlan,
}

impl MergePlan {
    /// Whether the merge would change nothing.
    pub fn is_empty(&self) -> bool {
        self.documents.to_add.is_empty()
            && self.codes.new.is_empty()
            && self.codes.updates.is_empty()
            && self.codings.is_empty()
            && self.memos.add.is_empty()
    }
}

fn same_text(a: Option<&str>, b: Option<&str>) -> bool {
    a.unwrap_or("").trim() == b.unwrap_or("").trim()
}

fn differences(ours: &Code, theirs: &Code) -> Vec<&'static str> {
    let mut fields = Vec::new();
    if ours.name.trim() != theirs.name.trim() {
        fields.push("name");
    }
    if !same_text(ours.parent.as_deref(), theirs.parent.as_deref()) {
        fields.push("parent");
    }
    if !same_text(ours.definition.as_deref(), theirs.definition.as_deref()) {
        fields.push("definition");
    }
    fields
}

/// Identity of a coding for "already present".
type CodingKey<'a> = (&'a str, usize, usize, &'a str, &'a str, &'a Origin);

fn coding_key(c: &Coding) -> CodingKey<'_> {
    (&c.doc, c.start, c.end, &c.code, &c.coder, &c.origin)
}

/// Where a document of theirs goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DocFate {
    Into(DocId),
    Added,
    Skipped(SkipReason),
}

/// Plans merging `theirs` into `ours` (see the module documentation for the rules).
///
/// Fails only on code conflicts without a preference: [`Error::CodeConflicts`] lists every
/// one and carries the plan as it would be without them, for a dry run to show.
pub fn plan_merge(ours: &Project, theirs: &Project, options: &MergeOptions) -> Result<MergePlan> {
    let mut plan = MergePlan::default();

    // Documents.
    let mut our_docs: HashMap<&str, DocId> = HashMap::new();
    for d in &ours.documents {
        our_docs
            .entry(d.hash.as_str())
            .and_modify(|id| *id = (*id).min(d.id))
            .or_insert(d.id);
    }
    let our_titles: HashMap<&str, DocId> = ours
        .documents
        .iter()
        .rev()
        .map(|d| (d.title.as_str(), d.id))
        .collect();
    let mut fates: HashMap<&str, (DocFate, usize)> = HashMap::new();
    for d in &theirs.documents {
        if fates.contains_key(d.hash.as_str()) {
            continue;
        }
        let fate = if let Some(&id) = our_docs.get(d.hash.as_str()) {
            plan.documents.matched.push(DocMatch {
                theirs: d.id,
                ours: id,
                hash: d.hash.clone(),
            });
            DocFate::Into(id)
        } else if let Some(&id) = our_titles.get(d.title.as_str()) {
            plan.documents.changed.push(ChangedDoc {
                title: d.title.clone(),
                theirs: d.id,
                ours: id,
            });
            DocFate::Skipped(SkipReason::DocumentChanged)
        } else if options.documents {
            plan.documents.to_add.push(d.clone());
            DocFate::Added
        } else {
            plan.documents.missing.push(d.clone());
            DocFate::Skipped(SkipReason::DocumentMissing)
        };
        fates.insert(d.hash.as_str(), (fate, d.chars));
    }

    // Codes.
    let our_codes: HashMap<&str, &Code> = ours.codes.iter().map(|c| (c.id.as_str(), c)).collect();
    let mut order: Vec<String> = ours.codes.iter().map(|c| c.id.clone()).collect();
    let mut anchor: Option<String> = None;
    for t in &theirs.codes {
        if let Some(o) = our_codes.get(t.id.as_str()) {
            let fields = differences(o, t);
            if !fields.is_empty() {
                plan.codes.conflicts.push(CodeConflict {
                    ours: (*o).clone(),
                    theirs: t.clone(),
                    fields,
                });
                if options.prefer == Some(Prefer::Theirs) {
                    plan.codes.updates.push(t.clone());
                }
            }
        } else if !order.contains(&t.id) {
            let at = anchor
                .as_ref()
                .and_then(|a| order.iter().position(|id| id == a))
                .map_or(0, |i| i + 1);
            order.insert(at, t.id.clone());
            plan.codes.new.push(NewCode {
                code: t.clone(),
                after: anchor.clone(),
            });
        }
        anchor = Some(t.id.clone());
    }
    plan.codes.prefer = options.prefer;
    let known_codes: HashSet<&str> = order.iter().map(String::as_str).collect();

    // Codings.
    let selected =
        |coder: &str| options.coders.is_empty() || options.coders.iter().any(|c| c == coder);
    let mut present: HashSet<CodingKey<'_>> = ours.codings.iter().map(coding_key).collect();
    let coders_here: HashSet<&str> = ours.codings.iter().map(|c| c.coder.as_str()).collect();
    let mut summaries: BTreeMap<&str, CoderSummary> = BTreeMap::new();
    for c in &theirs.codings {
        let summary = summaries
            .entry(c.coder.as_str())
            .or_insert_with(|| CoderSummary {
                coder: c.coder.clone(),
                also_here: coders_here.contains(c.coder.as_str()),
                ..CoderSummary::default()
            });
        let doc = fates.get(c.doc.as_str()).copied();
        let reason = if !selected(&c.coder) {
            Some(SkipReason::CoderNotSelected)
        } else {
            match doc {
                None => Some(SkipReason::UnknownDocument),
                Some((DocFate::Skipped(r), _)) => Some(r),
                Some((_, chars)) if c.start > c.end || c.end > chars => {
                    Some(SkipReason::OutOfRange)
                }
                Some(_) if !known_codes.contains(c.code.as_str()) => Some(SkipReason::UnknownCode),
                Some(_) => None,
            }
        };
        if let Some(reason) = reason {
            *summary.skipped.entry(reason).or_default() += 1;
            plan.skipped.push(SkippedCoding {
                coding: c.clone(),
                reason,
            });
        } else if present.insert(coding_key(c)) {
            summary.added += 1;
            plan.codings.push(PlannedCoding {
                coding: c.clone(),
                ours_doc: match doc {
                    Some((DocFate::Into(id), _)) => Some(id),
                    _ => None,
                },
            });
        } else {
            summary.present += 1;
        }
    }
    plan.coders = summaries.into_values().collect();

    // Memos.
    let mut memos_here: HashSet<(&MemoTarget, &str, &str)> = ours
        .memos
        .iter()
        .map(|m| (&m.target, m.author.as_str(), m.text.as_str()))
        .collect();
    for m in &theirs.memos {
        let doc = match &m.target {
            MemoTarget::Doc { doc } | MemoTarget::Passage { doc, .. } => {
                Some(fates.get(doc.as_str()).copied())
            }
            _ => None,
        };
        let reason = if !selected(&m.author) {
            Some(SkipReason::CoderNotSelected)
        } else {
            match (&m.target, doc) {
                (_, Some(None)) => Some(SkipReason::UnknownDocument),
                (_, Some(Some((DocFate::Skipped(r), _)))) => Some(r),
                (MemoTarget::Code { id }, _) if !known_codes.contains(id.as_str()) => {
                    Some(SkipReason::UnknownCode)
                }
                _ => None,
            }
        };
        if let Some(reason) = reason {
            plan.memos.skipped.push((m.clone(), reason));
        } else if memos_here.insert((&m.target, &m.author, &m.text)) {
            plan.memos.add.push(PlannedMemo {
                memo: m.clone(),
                ours_doc: match doc {
                    Some(Some((DocFate::Into(id), _))) => Some(id),
                    _ => None,
                },
            });
        } else {
            plan.memos.present += 1;
        }
    }

    plan.codes.order = order;
    if options.prefer.is_none() && !plan.codes.conflicts.is_empty() {
        return Err(Error::CodeConflicts {
            conflicts: plan.codes.conflicts.clone(),
            plan: Box::new(plan),
        });
    }
    Ok(plan)
}

#[cfg(test)]
mod tests;
