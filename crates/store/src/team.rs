//! Team work in the store: replacing a document's text while moving its codings, re-attaching
//! a coding, removing documents, bringing in work from elsewhere (a merge, a restore), and
//! editing several documents' fields at once. Each is one write transaction.
//!
//! How re-anchored codings are kept: a coding whose text changed gets the status
//! `needs-review`; one whose text was deleted becomes `detached`, with the range `0..0`.
//! Both keep, in `quote`, the text they coded before the first edit that changed them, so a
//! person can compare. Re-attaching a coding gives it a range again and clears both.

use std::collections::{BTreeSet, HashMap};

use crate::db::{params, Db};
use ambit_core::{Coding, CodingStatus, DocId, Document, Origin, PassageId};

use crate::codings::{coding_from_row, CODING_COLUMNS};
use crate::error::{Error, Result};
use crate::store::{
    now_utc, record_change, record_changes, replace_content, write_children, NewDocument,
    NewPassage, Store,
};

/// Where a coding goes when its document's text is replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reanchor {
    /// The coding.
    pub id: i64,
    /// Its range in the new text; `None` when its text was deleted (it becomes detached).
    pub range: Option<(usize, usize)>,
    /// Whether a person should look at it (its text changed, or the move is a guess).
    pub needs_review: bool,
    /// Its text in the old version, kept as its quote when it needs review or is detached.
    pub old_quote: String,
}

/// What [`Store::replace_document_reanchored`] did besides moving codings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Replaced {
    /// Rule-made codings dropped (the next `ambit autocode` makes them again).
    pub rule_codings: u64,
}

/// The outcome of [`Store::reattach_coding`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reattached {
    /// The coding as it is now.
    Done(Coding),
    /// Another coding (this id) already codes that range with the same code, coder and
    /// origin; nothing was written.
    Duplicate(i64),
}

/// What [`Store::remove_documents`] removed with the documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Removed {
    /// Documents removed.
    pub documents: u64,
    /// Codings removed.
    pub codings: u64,
    /// Memos on the documents or their passages removed.
    pub memos: u64,
}

/// A document of a batch: one the store has, or one the batch adds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocRef {
    /// A document of the store.
    Existing(DocId),
    /// The document at this index of [`Incoming::documents`].
    New(usize),
}

/// A document a batch adds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomingDocument {
    /// The document.
    pub doc: NewDocument,
    /// The id to give it when no document of the store has it (a restored document gets
    /// its old id back); otherwise it gets a new one.
    pub id: Option<DocId>,
}

/// A coding a batch adds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomingCoding {
    /// The id to give it when no coding of the store has it (a restored coding gets its old
    /// id back, so `ambit codings` listings and notes keep meaning it); otherwise a new one.
    pub id: Option<i64>,
    /// Its document.
    pub doc: DocRef,
    /// Start, in characters (`0` when detached).
    pub start: usize,
    /// End, exclusive (`0` when detached).
    pub end: usize,
    /// The code id.
    pub code: String,
    /// Who coded it.
    pub coder: String,
    /// How it was made.
    pub origin: Origin,
    /// When it was made, as stored where it comes from; `None`: now.
    pub created: Option<String>,
    /// Its memo.
    pub memo: Option<String>,
    /// Its status.
    pub status: CodingStatus,
    /// Its quote (see [`Coding::quote`]).
    pub quote: Option<String>,
}

/// What a memo of a batch is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IncomingTarget {
    /// A document.
    Doc(DocRef),
    /// A passage of a document, by ordinal.
    Passage(DocRef, u32),
    /// Anything else (`code:kb`), stored as written.
    Other(String),
}

/// A memo a batch adds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomingMemo {
    /// What it is about.
    pub target: IncomingTarget,
    /// Who wrote it.
    pub author: String,
    /// When (RFC 3339 UTC).
    pub created: String,
    /// The memo.
    pub text: String,
}

/// Work brought in from elsewhere: a merged project, a restored trash file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Incoming {
    /// Documents to add.
    pub documents: Vec<IncomingDocument>,
    /// Codings to add.
    pub codings: Vec<IncomingCoding>,
    /// Memos to add.
    pub memos: Vec<IncomingMemo>,
}

/// What [`Store::add_incoming`] wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Added {
    /// The ids of the documents added, in the batch's order.
    pub documents: Vec<DocId>,
    /// Codings added.
    pub codings: u64,
    /// Codings not added because the store already has them.
    pub codings_present: u64,
    /// Memos added.
    pub memos: u64,
    /// Memos not added because the store already has them.
    pub memos_present: u64,
}

impl Store {
    /// The codings that re-anchoring moves when a document's text is replaced: those not
    /// made by rules and not detached, by position.
    pub fn anchored_codings(&self, doc: DocId) -> Result<Vec<Coding>> {
        self.reading(|| anchored(&self.conn, doc))
    }

    /// Replaces a document's content in place, keeping its id, and moves its codings
    /// instead of refusing as [`Store::replace_document`] does. Inside the write
    /// transaction, `plan` gets the stored (old) text and [`Store::anchored_codings`], and
    /// says where each goes; rule-made codings are dropped. Refused (nothing written) when
    /// the plan does not cover exactly those codings or puts one outside the new text.
    pub fn replace_document_reanchored(
        &mut self,
        id: DocId,
        doc: &NewDocument,
        plan: impl FnOnce(&str, &[Coding]) -> Result<Vec<Reanchor>>,
    ) -> Result<Replaced> {
        // A write may run again when the server gives it up (see `Store::write_if_changed`);
        // the plan is made once, from the text the first run read.
        let mut plan = Some(plan);
        let mut planned: Option<(String, Vec<Reanchor>)> = None;
        self.write(|tx| {
            let old: String = tx
                .query_opt("SELECT text FROM documents WHERE id = ?1", params![id.0], |r| {
                    r.get(0)
                })?
                .ok_or_else(|| Error::NoSuchDocument(id.to_string()))?;
            let codings = anchored(tx, id)?;
            let moves = match (plan.take(), &planned) {
                (Some(plan), _) => {
                    let moves = plan(&old, &codings)?;
                    planned = Some((old.clone(), moves.clone()));
                    moves
                }
                (None, Some((text, moves))) if *text == old => moves.clone(),
                (None, _) => {
                    return Err(Error::Corrupt(format!(
                        "{id} changed while it was being replaced: run the command again"
                    )))
                }
            };
            let asked: BTreeSet<i64> = codings.iter().map(|c| c.id).collect();
            let given: BTreeSet<i64> = moves.iter().map(|m| m.id).collect();
            if asked != given || moves.len() != codings.len() {
                return Err(Error::Corrupt(format!(
                    "re-anchoring {id} placed codings {given:?}, but the document has {asked:?}"
                )));
            }
            let chars = doc.text.chars().count();
            if let Some(m) = moves
                .iter()
                .find(|m| m.range.is_some_and(|(s, e)| s > e || e > chars))
            {
                return Err(Error::Corrupt(format!(
                    "re-anchoring {id} put coding {} at {:?}, outside the new text of {chars} characters",
                    m.id, m.range
                )));
            }
            record_change(tx, id)?;
            let rule_codings = tx.execute(
                "DELETE FROM codings WHERE doc = ?1 AND origin LIKE 'rule:%'",
                params![id.0],
            )? as u64;
            replace_content(tx, id, doc)?;
            // The codings moved are the document's: recorded by record_change above.
            for m in &moves {
                match m.range {
                    Some((s, e)) => tx.execute(
                        "UPDATE codings SET start = ?2, \"end\" = ?3,
                            status = CASE WHEN ?4 THEN 'needs-review' ELSE status END,
                            quote = CASE WHEN ?4 THEN COALESCE(quote, ?5) ELSE quote END
                         WHERE id = ?1",
                        params![m.id, s as i64, e as i64, m.needs_review, m.old_quote],
                    )?,
                    None => tx.execute(
                        "UPDATE codings SET start = 0, \"end\" = 0, status = 'detached',
                            quote = COALESCE(quote, ?2)
                         WHERE id = ?1",
                        params![m.id, m.old_quote],
                    )?,
                };
            }
            Ok(Replaced { rule_codings })
        })
    }

    /// Gives a coding the range `start..end` of its document and clears its status and
    /// quote: a detached coding is attached again, one that needed review is confirmed.
    pub fn reattach_coding(&mut self, id: i64, start: usize, end: usize) -> Result<Reattached> {
        self.write_if_changed(|tx| {
            let sql = format!("SELECT {CODING_COLUMNS} FROM codings WHERE id = ?1");
            let c = tx
                .query_opt(&sql, params![id], coding_from_row)?
                .ok_or(Error::NoSuchCoding(id))?;
            let chars: i64 = tx.query_row(
                "SELECT chars FROM documents WHERE id = ?1",
                params![c.doc.0],
                |r| r.get(0),
            )?;
            if start >= end || end > chars as usize {
                return Err(ambit_core::Error::RangeOutOfBounds {
                    start,
                    end,
                    len: chars as usize,
                }
                .into());
            }
            let other: Option<i64> = tx.query_opt(
                "SELECT id FROM codings WHERE doc = ?1 AND start = ?2 AND \"end\" = ?3
                     AND code = ?4 AND coder = ?5 AND origin = ?6 AND id <> ?7
                     AND (status IS NULL OR status <> 'detached') ORDER BY id LIMIT 1",
                params![
                    c.doc.0,
                    start as i64,
                    end as i64,
                    c.code,
                    c.coder,
                    c.origin.to_string(),
                    id
                ],
                |r| r.get(0),
            )?;
            if let Some(other) = other {
                return Ok((Reattached::Duplicate(other), false));
            }
            record_changes(tx, "codings WHERE id = ?1", params![id])?;
            tx.execute(
                "UPDATE codings SET start = ?2, \"end\" = ?3, status = NULL, quote = NULL
                 WHERE id = ?1",
                params![id, start as i64, end as i64],
            )?;
            let now = tx.query_row(&sql, params![id], coding_from_row)?;
            Ok((Reattached::Done(now), true))
        })
    }

    /// Removes documents with their passages, attributes, original files, codings and the
    /// memos on them or their passages, in one transaction. Refused (nothing removed) when
    /// one of them is not in the store. Deciding about the codings is the caller's work:
    /// this removes them.
    pub fn remove_documents(&mut self, ids: &[DocId]) -> Result<Removed> {
        self.write(|tx| {
            let mut removed = Removed::default();
            for &id in ids.iter().collect::<BTreeSet<_>>() {
                record_change(tx, id)?;
                removed.codings +=
                    tx.execute("DELETE FROM codings WHERE doc = ?1", params![id.0])? as u64;
                removed.memos += tx.execute(
                    "DELETE FROM memos WHERE target = ?1 OR target LIKE ?2",
                    params![format!("doc:{id}"), format!("passage:{id}:%")],
                )? as u64;
                let n = tx.execute("DELETE FROM documents WHERE id = ?1", params![id.0])?;
                if n == 0 {
                    return Err(Error::NoSuchDocument(id.to_string()));
                }
                removed.documents += 1;
            }
            Ok(removed)
        })
    }

    /// Everything the store keeps of a document, as a [`NewDocument`] that would store it
    /// again: text, passages, attributes, original file and import details.
    pub fn stored_document(&self, id: DocId) -> Result<NewDocument> {
        let row = self.document(id)?;
        let passages = self
            .passages(id)?
            .into_iter()
            .map(|p| NewPassage {
                words: p.words as usize,
                span: p.span,
            })
            .collect();
        let original = self.original(id)?;
        let (content_hash, format, encoding, text, words) = self.reading(|| {
            self.conn.query_row(
                "SELECT content_hash, format, encoding, text, words FROM documents WHERE id = ?1",
                params![id.0],
                |r| {
                    Ok((
                        r.get::<String>(0)?,
                        r.get::<String>(1)?,
                        r.get::<String>(2)?,
                        r.get::<String>(3)?,
                        r.get::<i64>(4)?,
                    ))
                },
            )
        })?;
        let d = row.doc;
        Ok(NewDocument {
            title: d.title,
            kind: d.kind,
            date: d.date,
            phase: d.phase,
            source: d.source,
            content_hash,
            format,
            encoding,
            text,
            words: words as usize,
            attributes: d.attributes,
            passages,
            original,
        })
    }

    /// Adds documents, codings and memos from elsewhere in one transaction: all of them or
    /// none. Codings and memos the store already has are not added again (a coding is the
    /// same when document, range, code, coder and origin are, a detached one when its
    /// quote is; a memo when target, author and text are), so adding the same batch twice
    /// adds nothing the second time. A coding outside its document is refused.
    pub fn add_incoming(&mut self, batch: &Incoming) -> Result<Added> {
        self.write_if_changed(|tx| {
            let mut added = Added::default();
            for d in &batch.documents {
                added.documents.push(insert_document(tx, d)?);
            }
            let resolve = |r: DocRef| -> Result<DocId> {
                match r {
                    DocRef::Existing(id) => Ok(id),
                    DocRef::New(i) => added.documents.get(i).copied().ok_or_else(|| {
                        Error::Corrupt(format!("a batch names its document #{i}, which it lacks"))
                    }),
                }
            };
            let mut chars: HashMap<DocId, usize> = HashMap::new();
            let mut inserted = (0u64, 0u64, 0u64, 0u64);
            for c in &batch.codings {
                let doc = resolve(c.doc)?;
                let len = match chars.get(&doc) {
                    Some(n) => *n,
                    None => {
                        let n: i64 = tx
                            .query_opt(
                                "SELECT chars FROM documents WHERE id = ?1",
                                params![doc.0],
                                |r| r.get(0),
                            )?
                            .ok_or_else(|| Error::NoSuchDocument(doc.to_string()))?;
                        chars.insert(doc, n as usize);
                        n as usize
                    }
                };
                let detached = c.status == CodingStatus::Detached;
                if !detached && (c.start > c.end || c.end > len) {
                    return Err(ambit_core::Error::RangeOutOfBounds {
                        start: c.start,
                        end: c.end,
                        len,
                    }
                    .into());
                }
                if coding_present(tx, doc, c)? {
                    inserted.1 += 1;
                    continue;
                }
                let (start, end) = if detached { (0, 0) } else { (c.start, c.end) };
                let id = match c.id {
                    Some(id) => tx
                        .query_opt("SELECT 1 FROM codings WHERE id = ?1", params![id], |_| {
                            Ok(())
                        })?
                        .is_none()
                        .then_some(id),
                    None => None,
                };
                let created = c.created.clone().unwrap_or_else(now_utc);
                let origin = c.origin.to_string();
                let values = params![
                    doc.0,
                    start as i64,
                    end as i64,
                    c.code,
                    c.coder,
                    origin,
                    created,
                    c.memo,
                    c.status.stored(),
                    c.quote,
                    id.unwrap_or_default(),
                ];
                match id {
                    Some(id) => {
                        // An id of its own may be below ids given since derived data
                        // was built: it is not found by id.
                        record_change(tx, doc)?;
                        tx.execute(
                            "INSERT INTO codings (id, doc, start, \"end\", code, coder, origin,
                                                  created, memo, status, quote)
                             VALUES (?11, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                            values,
                        )?;
                        tx.after_explicit_id("codings", id)?;
                    }
                    None => {
                        tx.execute(
                            "INSERT INTO codings (doc, start, \"end\", code, coder, origin,
                                                  created, memo, status, quote)
                             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                            &values[..10],
                        )?;
                    }
                }
                inserted.0 += 1;
            }
            for m in &batch.memos {
                let target = match &m.target {
                    IncomingTarget::Doc(r) => format!("doc:{}", resolve(*r)?),
                    IncomingTarget::Passage(r, ordinal) => format!(
                        "passage:{}",
                        PassageId {
                            doc: resolve(*r)?,
                            ordinal: *ordinal,
                        }
                    ),
                    IncomingTarget::Other(t) => t.clone(),
                };
                let present: Option<i64> = tx.query_opt(
                    "SELECT id FROM memos WHERE target = ?1 AND author = ?2 AND text = ?3
                         LIMIT 1",
                    params![target, m.author, m.text],
                    |r| r.get(0),
                )?;
                if present.is_some() {
                    inserted.3 += 1;
                    continue;
                }
                tx.execute(
                    "INSERT INTO memos (target, author, created, text) VALUES (?1, ?2, ?3, ?4)",
                    params![target, m.author, m.created, m.text],
                )?;
                inserted.2 += 1;
            }
            (added.codings, added.codings_present) = (inserted.0, inserted.1);
            (added.memos, added.memos_present) = (inserted.2, inserted.3);
            let changed = !added.documents.is_empty() || added.codings > 0 || added.memos > 0;
            Ok((added, changed))
        })
    }

    /// Changes several documents' own fields (title, kind, date, phase, attributes) in one
    /// transaction, as [`Store::update_document`] does for one: all of them or none.
    pub fn update_documents(&mut self, docs: &[Document]) -> Result<()> {
        self.write(|tx| {
            for doc in docs {
                let changed = tx.execute(
                    "UPDATE documents SET title = ?2, kind = ?3, date = ?4, phase = ?5
                     WHERE id = ?1",
                    params![
                        doc.id.0,
                        doc.title,
                        doc.kind.as_str(),
                        doc.date.map(|d| d.to_string()),
                        doc.phase,
                    ],
                )?;
                if changed == 0 {
                    return Err(Error::NoSuchDocument(doc.id.to_string()));
                }
                tx.execute("DELETE FROM attributes WHERE doc = ?1", params![doc.id.0])?;
                for (k, v) in &doc.attributes {
                    tx.execute(
                        "INSERT INTO attributes (doc, key, value) VALUES (?1, ?2, ?3)",
                        params![doc.id.0, k, v],
                    )?;
                }
            }
            Ok(())
        })
    }
}

/// The current time as the store writes it (RFC 3339 UTC, seconds), for files written
/// next to the store (trash files).
pub fn timestamp() -> String {
    now_utc()
}

/// See [`Store::anchored_codings`].
fn anchored(conn: &Db, doc: DocId) -> Result<Vec<Coding>> {
    let sql = format!(
        "SELECT {CODING_COLUMNS} FROM codings
         WHERE doc = ?1 AND origin NOT LIKE 'rule:%' AND (status IS NULL OR status <> 'detached')
         ORDER BY start, \"end\", id"
    );
    conn.query_vec(&sql, params![doc.0], coding_from_row)
}

/// Stores a document of a batch, under its wanted id when that is free.
fn insert_document(tx: &Db, d: &IncomingDocument) -> Result<DocId> {
    let free = match d.id {
        Some(id) => tx
            .query_opt(
                "SELECT 1 FROM documents WHERE id = ?1",
                params![id.0],
                |_| Ok(()),
            )?
            .is_none(),
        None => false,
    };
    let doc = &d.doc;
    let Some(wanted) = d.id.filter(|_| free) else {
        return crate::store::insert_new(tx, doc, &now_utc());
    };
    record_change(tx, wanted)?;
    tx.execute(
        "INSERT INTO documents (id, title, kind, date, phase, source, content_hash, format,
                                encoding, text, chars, words, imported_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        params![
            wanted.0,
            doc.title,
            doc.kind.as_str(),
            doc.date.map(|d| d.to_string()),
            doc.phase,
            doc.source,
            doc.content_hash,
            doc.format,
            doc.encoding,
            doc.text,
            doc.text.chars().count() as i64,
            doc.words as i64,
            now_utc(),
        ],
    )?;
    tx.after_explicit_id("documents", i64::from(wanted.0))?;
    write_children(tx, wanted, doc)?;
    Ok(wanted)
}

/// Whether the store has this coding already (see [`Store::add_incoming`]).
fn coding_present(tx: &Db, doc: DocId, c: &IncomingCoding) -> Result<bool> {
    let origin = c.origin.to_string();
    let found: Option<i64> = if c.status == CodingStatus::Detached {
        tx.query_opt(
            "SELECT id FROM codings WHERE doc = ?1 AND code = ?2 AND coder = ?3 AND origin = ?4
             AND status = 'detached' AND quote IS NOT DISTINCT FROM ?5 LIMIT 1",
            params![doc.0, c.code, c.coder, origin, c.quote],
            |r| r.get(0),
        )?
    } else {
        tx.query_opt(
            "SELECT id FROM codings WHERE doc = ?1 AND start = ?2 AND \"end\" = ?3 AND code = ?4
             AND coder = ?5 AND origin = ?6 AND (status IS NULL OR status <> 'detached') LIMIT 1",
            params![doc.0, c.start as i64, c.end as i64, c.code, c.coder, origin],
            |r| r.get(0),
        )?
    };
    Ok(found.is_some())
}
