//! What the store keeps for exchange with other tools (REFI-QDA): the project key, the GUIDs of objects that came from or went to other tools, and the import of a whole archive in one transaction.
//!
//! The `guids` table maps `(kind, key)` to a GUID. Kinds are named as `ambit-qdpx` names
//! them ([`guid_kind`]); keys are Ambit's own: a coder name, a code id, a document id
//! (`D7`), a memo id, an attribute name, a case or set key (a phase set's key is the phase
//! id), and for codings and selections imported from a file the coding id. An object
//! without a row gets a GUID derived from the project key on every export, so only GUIDs
//! that cannot be derived (those other tools made) need a row.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::db::{params, Db};
use ambit_core::{DocId, Origin};

use crate::error::{Error, Result};
use crate::store::{now_utc, NewDocument, Store};

/// The kinds of object the `guids` table holds, as `ambit_qdpx::GuidKind` names them.
pub mod guid_kind {
    /// A user (coder), keyed by name.
    pub const USER: &str = "user";
    /// A code, keyed by its id.
    pub const CODE: &str = "code";
    /// A document, keyed by its id (`D7`).
    pub const SOURCE: &str = "source";
    /// A memo, keyed by its id.
    pub const NOTE: &str = "note";
    /// A variable, keyed by the attribute name.
    pub const VARIABLE: &str = "variable";
    /// A case, keyed by its key (`organisation=Norrvik`).
    pub const CASE: &str = "case";
    /// A set, keyed by its key; a phase's set by the phase id.
    pub const SET: &str = "set";
    /// An imported selection, keyed by the id of its first coding.
    pub const SELECTION: &str = "selection";
    /// An imported coding, keyed by its id.
    pub const CODING: &str = "coding";
}

/// The `meta` key of the project key.
const PROJECT_KEY: &str = "project_key";

/// A row of the `guids` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuidRow {
    /// One of [`guid_kind`].
    pub kind: String,
    /// The object's Ambit key.
    pub key: String,
    /// The GUID, as written to files.
    pub guid: String,
}

impl GuidRow {
    /// A row of `kind` for `key`.
    pub fn new(kind: &str, key: &str, guid: &str) -> GuidRow {
        GuidRow {
            kind: kind.to_owned(),
            key: key.to_owned(),
            guid: guid.to_owned(),
        }
    }
}

/// A document of an [`ImportBatch`]: one stored by the batch, or one the project has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BatchDoc {
    /// The batch's document at this index of [`ImportBatch::documents`].
    New(usize),
    /// A document already in the project (one whose text is the imported text).
    Existing(DocId),
}

/// A new document of an [`ImportBatch`], with the GUID it had in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchDocument {
    /// The document.
    pub document: NewDocument,
    /// Its GUID, kept as a `source` row under its new id.
    pub guid: Option<String>,
}

/// A coding of an [`ImportBatch`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchCoding {
    /// The document.
    pub doc: BatchDoc,
    /// Start, in characters.
    pub start: usize,
    /// End (exclusive), in characters.
    pub end: usize,
    /// The code id.
    pub code: String,
    /// Who coded.
    pub coder: String,
    /// How it was made.
    pub origin: Origin,
    /// When, as the file said (RFC 3339); now when `None`.
    pub created: Option<String>,
    /// The coding's memo.
    pub memo: Option<String>,
    /// The coding's GUID, kept as a `coding` row under its new id.
    pub guid: Option<String>,
    /// Its selection's GUID, kept as a `selection` row under the coding's id (for the
    /// first coding of each selection only: GUIDs are unique).
    pub selection_guid: Option<String>,
}

/// What a memo of an [`ImportBatch`] is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchTarget {
    /// A document.
    Doc(BatchDoc),
    /// A code, by id.
    Code(String),
    /// A passage of a document, by ordinal.
    Passage(BatchDoc, u32),
}

/// A memo of an [`ImportBatch`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchMemo {
    /// What it is about.
    pub target: BatchTarget,
    /// Who wrote it.
    pub author: String,
    /// When, as the file said (RFC 3339); now when `None`.
    pub created: Option<String>,
    /// The memo.
    pub text: String,
    /// Its GUID, kept as a `note` row under its new id.
    pub guid: Option<String>,
}

/// A whole import (a REFI-QDA archive): everything [`Store::import_batch`] writes in one
/// transaction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportBatch {
    /// New documents, with passages, attributes and originals.
    pub documents: Vec<BatchDocument>,
    /// Attributes for documents the project has, each added only where the document has
    /// no value for that key.
    pub attributes: Vec<(DocId, String, String)>,
    /// Codings. One the project has already (same document, range, code, coder and
    /// origin) is not stored twice.
    pub codings: Vec<BatchCoding>,
    /// Memos. One the project has already (same target, author and text) is not stored
    /// twice.
    pub memos: Vec<BatchMemo>,
    /// GUIDs of other objects (users, codes, variables, cases, sets). A row whose
    /// `(kind, key)` or GUID the store holds already is left out: the first GUID an
    /// object got stays its GUID.
    pub guids: Vec<GuidRow>,
}

/// What [`Store::import_batch`] wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchOutcome {
    /// The ids of [`ImportBatch::documents`], in order.
    pub documents: Vec<DocId>,
    /// Attributes added to documents the project had.
    pub attributes: u64,
    /// Codings stored.
    pub codings: u64,
    /// Codings left out because the project had them.
    pub duplicate_codings: u64,
    /// Memos stored.
    pub memos: u64,
    /// Memos left out because the project had them.
    pub duplicate_memos: u64,
    /// GUID rows stored.
    pub guids: u64,
    /// GUID rows left out because their object or GUID had one already.
    pub guids_kept: u64,
}

impl Store {
    /// The project key, if one was made ([`Store::project_key`]).
    pub fn stored_project_key(&self) -> Result<Option<String>> {
        self.reading(|| {
            self.conn.query_opt(
                "SELECT value FROM meta WHERE key = ?1",
                params![PROJECT_KEY],
                |r| r.get(0),
            )
        })
    }

    /// The project key: a random UUID made the first time it is asked for and never
    /// changed, from which exported GUIDs are derived. Making it does not bump the
    /// revision: nothing derived depends on it. Two commands asking at once get the same key.
    pub fn project_key(&mut self) -> Result<String> {
        if let Some(key) = self.stored_project_key()? {
            return Ok(key);
        }
        self.write_if_changed(|tx| {
            let bytes = random_bytes();
            tx.execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                params![PROJECT_KEY, uuid_v4(&bytes)],
            )?;
            let key: String = tx.query_row(
                "SELECT value FROM meta WHERE key = ?1",
                params![PROJECT_KEY],
                |r| r.get(0),
            )?;
            Ok((key, false))
        })
    }

    /// The GUIDs of one kind ([`guid_kind`]), by key.
    pub fn guids(&self, kind: &str) -> Result<BTreeMap<String, String>> {
        self.reading(|| {
            let mut out = BTreeMap::new();
            self.conn.query_each(
                "SELECT key, guid FROM guids WHERE kind = ?1 ORDER BY key",
                params![kind],
                |r| -> Result<()> {
                    out.insert(r.get(0)?, r.get(1)?);
                    Ok(())
                },
            )?;
            Ok(out)
        })
    }

    /// Stores GUID rows, in one transaction, leaving out each row whose `(kind, key)` or
    /// GUID the store holds already. Returns how many were stored.
    pub fn put_guids(&mut self, rows: &[GuidRow]) -> Result<u64> {
        self.write_if_changed(|tx| {
            let n = insert_guids(tx, rows)?;
            Ok((n, n > 0))
        })
    }

    /// For each text, the first document (lowest id) whose stored text is exactly it.
    pub fn match_texts(&self, texts: &[&str]) -> Result<Vec<Option<DocId>>> {
        self.reading(|| {
            let mut wanted: HashMap<&str, Vec<usize>> = HashMap::new();
            for (i, t) in texts.iter().enumerate() {
                wanted.entry(t).or_default().push(i);
            }
            let mut out = vec![None; texts.len()];
            if wanted.is_empty() {
                return Ok(out);
            }
            self.conn.query_each(
                "SELECT id, text FROM documents ORDER BY id",
                params![],
                |r| -> Result<()> {
                    if wanted.is_empty() {
                        return Ok(());
                    }
                    if let Some(at) = wanted.remove(r.str(1)?) {
                        let id = DocId(r.get(0)?);
                        for i in at {
                            out[i] = Some(id);
                        }
                    }
                    Ok(())
                },
            )?;
            Ok(out)
        })
    }

    /// The ids of codings whose text was deleted by an edit of their document
    /// (`status = 'detached'`): they no longer point at what they coded.
    pub fn detached_codings(&self) -> Result<BTreeSet<i64>> {
        self.reading(|| {
            Ok(self
                .conn
                .query_vec(
                    "SELECT id FROM codings WHERE status = 'detached' ORDER BY id",
                    params![],
                    |r| r.get::<i64>(0),
                )?
                .into_iter()
                .collect())
        })
    }

    /// When each document was imported (RFC 3339 UTC), by id.
    pub fn import_times(&self) -> Result<BTreeMap<DocId, String>> {
        self.reading(|| {
            let mut out = BTreeMap::new();
            self.conn.query_each(
                "SELECT id, imported_at FROM documents ORDER BY id",
                params![],
                |r| -> Result<()> {
                    out.insert(DocId(r.get(0)?), r.get(1)?);
                    Ok(())
                },
            )?;
            Ok(out)
        })
    }

    /// Writes a whole import in one write transaction: its documents (with passages,
    /// attributes and originals), attributes of documents the project has, codings,
    /// memos and GUIDs. All of it or, on any error, none of it.
    pub fn import_batch(&mut self, batch: &ImportBatch) -> Result<BatchOutcome> {
        self.write(|tx| {
            let mut out = BatchOutcome::default();
            let now = now_utc();
            let mut guid_rows: Vec<GuidRow> = Vec::new();
            for d in &batch.documents {
                let id = insert_document(tx, &d.document, &now)?;
                if let Some(g) = &d.guid {
                    guid_rows.push(GuidRow::new(guid_kind::SOURCE, &id.to_string(), g));
                }
                out.documents.push(id);
            }
            let ids = out.documents.clone();
            let resolve = |doc: BatchDoc| -> Result<DocId> {
                match doc {
                    BatchDoc::Existing(id) => Ok(id),
                    BatchDoc::New(i) => ids.get(i).copied().ok_or_else(|| {
                        Error::Corrupt(format!("import batch: document {i} is not in the batch"))
                    }),
                }
            };
            for (doc, k, v) in &batch.attributes {
                out.attributes += tx.execute(
                    "INSERT INTO attributes (doc, key, value) VALUES (?1, ?2, ?3)
                     ON CONFLICT DO NOTHING",
                    params![doc.0, k, v],
                )? as u64;
            }
            let mut chars: HashMap<DocId, usize> = HashMap::new();
            for c in &batch.codings {
                let doc = resolve(c.doc)?;
                let len = match chars.get(&doc) {
                    Some(&n) => n,
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
                if c.start > c.end || c.end > len {
                    return Err(ambit_core::Error::RangeOutOfBounds {
                        start: c.start,
                        end: c.end,
                        len,
                    }
                    .into());
                }
                let origin = c.origin.to_string();
                let same = tx.exists(
                    "SELECT 1 FROM codings WHERE doc = ?1 AND start = ?2 AND \"end\" = ?3
                     AND code = ?4 AND coder = ?5 AND origin = ?6 LIMIT 1",
                    params![doc.0, c.start as i64, c.end as i64, c.code, c.coder, origin],
                )?;
                if same {
                    out.duplicate_codings += 1;
                    continue;
                }
                let id: i64 = tx.query_row(
                    "INSERT INTO codings (doc, start, \"end\", code, coder, origin, created, memo)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id",
                    params![
                        doc.0,
                        c.start as i64,
                        c.end as i64,
                        c.code,
                        c.coder,
                        origin,
                        c.created.as_deref().unwrap_or(&now),
                        c.memo,
                    ],
                    |r| r.get(0),
                )?;
                let id = id.to_string();
                if let Some(g) = &c.guid {
                    guid_rows.push(GuidRow::new(guid_kind::CODING, &id, g));
                }
                if let Some(g) = &c.selection_guid {
                    guid_rows.push(GuidRow::new(guid_kind::SELECTION, &id, g));
                }
                out.codings += 1;
            }
            for m in &batch.memos {
                let target = match &m.target {
                    BatchTarget::Doc(d) => format!("doc:{}", resolve(*d)?),
                    BatchTarget::Code(c) => format!("code:{c}"),
                    BatchTarget::Passage(d, n) => format!("passage:{}:{n}", resolve(*d)?),
                };
                if tx.exists(
                    "SELECT 1 FROM memos WHERE target = ?1 AND author = ?2 AND text = ?3 LIMIT 1",
                    params![target, m.author, m.text],
                )? {
                    out.duplicate_memos += 1;
                    continue;
                }
                let id: i64 = tx.query_row(
                    "INSERT INTO memos (target, author, created, text) VALUES (?1, ?2, ?3, ?4)
                     RETURNING id",
                    params![
                        target,
                        m.author,
                        m.created.as_deref().unwrap_or(&now),
                        m.text
                    ],
                    |r| r.get(0),
                )?;
                let id = id.to_string();
                if let Some(g) = &m.guid {
                    guid_rows.push(GuidRow::new(guid_kind::NOTE, &id, g));
                }
                out.memos += 1;
            }
            guid_rows.extend(batch.guids.iter().cloned());
            out.guids = insert_guids(tx, &guid_rows)?;
            out.guids_kept = guid_rows.len() as u64 - out.guids;
            Ok(out)
        })
    }
}

/// Keeps the `code` GUID rows in step with codes whose ids change (`rename`, `merge`): a
/// row moves to the new id unless the new id has one, and the old id's row goes.
pub(crate) fn recode_guids(tx: &Db, old: &str, new: &str) -> Result<()> {
    tx.execute(
        "UPDATE guids SET key = ?3 WHERE kind = ?1 AND key = ?2
         AND NOT EXISTS (SELECT 1 FROM guids g WHERE g.kind = ?1 AND g.key = ?3)",
        params![guid_kind::CODE, old, new],
    )?;
    tx.execute(
        "DELETE FROM guids WHERE kind = ?1 AND key = ?2",
        params![guid_kind::CODE, old],
    )?;
    Ok(())
}

fn insert_guids(tx: &Db, rows: &[GuidRow]) -> Result<u64> {
    let mut n = 0;
    for r in rows {
        n += tx.execute(
            "INSERT INTO guids (kind, key, guid) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
            params![r.kind, r.key, r.guid],
        )? as u64;
    }
    Ok(n)
}

fn insert_document(tx: &Db, doc: &NewDocument, now: &str) -> Result<DocId> {
    crate::store::insert_new(tx, doc, now)
}

/// 16 bytes from the standard library's per-process random hasher keys and the clock: a
/// project key needs to differ between projects, not to be secret.
fn random_bytes() -> [u8; 16] {
    use std::hash::{BuildHasher, Hasher};
    let mut out = [0u8; 16];
    for (i, half) in out.chunks_mut(8).enumerate() {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_usize(i);
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
        );
        h.write_u32(std::process::id());
        half.copy_from_slice(&h.finish().to_le_bytes());
    }
    out
}

/// A version 4 UUID in its hyphenated lower-case form, from 16 random bytes.
fn uuid_v4(random: &[u8]) -> String {
    let mut b = [0u8; 16];
    for (d, s) in b.iter_mut().zip(random) {
        *d = *s;
    }
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::{CodingFilter, NewPassage};
    use ambit_core::{DocKind, PassageSpan};

    fn doc(title: &str, text: &str) -> NewDocument {
        NewDocument {
            title: title.into(),
            kind: DocKind::Interview,
            date: None,
            phase: None,
            source: format!("{title}.txt"),
            content_hash: format!("hash-{title}"),
            format: "txt".into(),
            encoding: "UTF-8".into(),
            text: text.into(),
            words: ambit_core::text::word_count(text),
            attributes: BTreeMap::from([("organisation".into(), "Norrvik".into())]),
            passages: vec![NewPassage {
                span: PassageSpan::new(0, text.chars().count()),
                words: 2,
            }],
            original: None,
        }
    }

    fn coding(doc: BatchDoc, start: usize, end: usize, code: &str) -> BatchCoding {
        BatchCoding {
            doc,
            start,
            end,
            code: code.into(),
            coder: "anna".into(),
            origin: Origin::Import,
            created: Some("2022-05-10T02:05:59Z".into()),
            memo: None,
            guid: None,
            selection_guid: None,
        }
    }

    #[test]
    fn the_project_key_is_made_once_and_bumps_nothing() {
        crate::testing::each("t", |e| {
            let other = e.open_store();
            let p = &mut e.project;
            assert_eq!(p.store.stored_project_key().unwrap(), None);
            let r = p.store.revision().unwrap();
            let key = p.store.project_key().unwrap();
            assert_eq!(key.len(), 36);
            assert_eq!(&key[14..15], "4");
            assert_eq!(p.store.project_key().unwrap(), key);
            assert_eq!(p.store.stored_project_key().unwrap(), Some(key));
            assert_eq!(p.store.revision().unwrap(), r);
            drop(other);
        });
    }

    #[test]
    fn a_batch_is_written_whole_with_its_guids() {
        crate::testing::each("t", |e| {
            let other = e.open_store();
            let p = &mut e.project;
            let old = p.store.insert_document(&doc("old", "Kept text.")).unwrap();
            let mut with_coding = coding(BatchDoc::New(0), 0, 5, "kb");
            with_coding.guid = Some("C-1".into());
            with_coding.selection_guid = Some("S-1".into());
            with_coding.memo = Some("A memo on the coding".into());
            let batch = ImportBatch {
                documents: vec![BatchDocument {
                    document: doc("new", "Hello world."),
                    guid: Some("D-1".into()),
                }],
                attributes: vec![
                    (old, "organisation".into(), "ignored: it has one".into()),
                    (old, "role".into(), "planner".into()),
                ],
                codings: vec![with_coding, coding(BatchDoc::Existing(old), 0, 4, "su")],
                memos: vec![
                    BatchMemo {
                        target: BatchTarget::Passage(BatchDoc::New(0), 1),
                        author: "anna".into(),
                        created: None,
                        text: "On the passage".into(),
                        guid: Some("N-1".into()),
                    },
                    BatchMemo {
                        target: BatchTarget::Code("kb".into()),
                        author: "anna".into(),
                        created: None,
                        text: "On the code".into(),
                        guid: None,
                    },
                ],
                guids: vec![
                    GuidRow::new(guid_kind::USER, "anna", "U-1"),
                    GuidRow::new(guid_kind::CODE, "kb", "K-1"),
                ],
            };
            let r = p.store.revision().unwrap();
            let out = p.store.import_batch(&batch).unwrap();
            assert_eq!(p.store.revision().unwrap(), r + 1);
            assert_eq!(out.documents, [DocId(2)]);
            assert_eq!((out.codings, out.memos, out.attributes), (2, 2, 1));
            assert_eq!((out.guids, out.guids_kept), (6, 0));
            let docs = p.store.documents().unwrap();
            assert_eq!(docs[0].doc.attributes["organisation"], "Norrvik");
            assert_eq!(docs[0].doc.attributes["role"], "planner");
            let codings = p.store.codings(&CodingFilter::default()).unwrap();
            assert_eq!(codings.len(), 2);
            assert_eq!(codings[1].created, "2022-05-10T02:05:59Z");
            assert_eq!(codings[1].memo.as_deref(), Some("A memo on the coding"));
            let memos = p.store.memos().unwrap();
            assert_eq!(memos[0].target, "passage:D2:1");
            assert_eq!(memos[1].target, "code:kb");
            let id = codings[1].id.to_string();
            assert_eq!(p.store.guids(guid_kind::CODING).unwrap()[&id], "C-1");
            assert_eq!(p.store.guids(guid_kind::SELECTION).unwrap()[&id], "S-1");
            assert_eq!(p.store.guids(guid_kind::SOURCE).unwrap()["D2"], "D-1");
            assert_eq!(
                p.store.guids(guid_kind::NOTE).unwrap()[&memos[0].id.to_string()],
                "N-1"
            );

            // The same batch again adds no codings or memos twice, and keeps the first GUIDs.
            let again = ImportBatch {
                documents: Vec::new(),
                codings: vec![coding(BatchDoc::Existing(DocId(2)), 0, 5, "kb")],
                memos: vec![BatchMemo {
                    target: BatchTarget::Code("kb".into()),
                    author: "anna".into(),
                    created: None,
                    text: "On the code".into(),
                    guid: None,
                }],
                guids: vec![
                    GuidRow::new(guid_kind::CODE, "kb", "K-2"),
                    GuidRow::new(guid_kind::CODE, "su", "K-1"),
                ],
                ..ImportBatch::default()
            };
            let out = p.store.import_batch(&again).unwrap();
            assert_eq!((out.codings, out.duplicate_codings), (0, 1));
            assert_eq!((out.memos, out.duplicate_memos), (0, 1));
            assert_eq!((out.guids, out.guids_kept), (0, 2));
            assert_eq!(p.store.guids(guid_kind::CODE).unwrap()["kb"], "K-1");
            drop(other);
        });
    }

    #[test]
    fn a_failing_batch_writes_nothing() {
        crate::testing::each("t", |e| {
            let other = e.open_store();
            let p = &mut e.project;
            let r = p.store.revision().unwrap();
            let batch = ImportBatch {
                documents: vec![BatchDocument {
                    document: doc("new", "Short."),
                    guid: Some("D-1".into()),
                }],
                // Past the end of the text: refused, and the document goes with it.
                codings: vec![coding(BatchDoc::New(0), 2, 60, "kb")],
                ..ImportBatch::default()
            };
            assert!(p.store.import_batch(&batch).is_err());
            assert_eq!(p.store.revision().unwrap(), r);
            assert!(p.store.documents().unwrap().is_empty());
            assert!(p.store.guids(guid_kind::SOURCE).unwrap().is_empty());
            drop(other);
        });
    }

    #[test]
    fn texts_match_documents_exactly() {
        crate::testing::each("t", |e| {
            let other = e.open_store();
            let p = &mut e.project;
            let a = p.store.insert_document(&doc("a", "Same text.")).unwrap();
            p.store.insert_document(&doc("b", "Same text.")).unwrap();
            let got = p
                .store
                .match_texts(&["Same text.", "Same text.\n", "Other.", "Same text."])
                .unwrap();
            assert_eq!(got, [Some(a), None, None, Some(a)]);
            drop(other);
        });
    }

    #[test]
    fn code_guids_follow_renames_and_merges() {
        crate::testing::each("t", |e| {
            let other = e.open_store();
            let p = &mut e.project;
            p.store
                .put_guids(&[
                    GuidRow::new(guid_kind::CODE, "kb", "G-KB"),
                    GuidRow::new(guid_kind::CODE, "su", "G-SU"),
                    GuidRow::new(guid_kind::CODE, "old", "G-OLD"),
                ])
                .unwrap();
            // Renamed: the GUID moves. Merged into a code with a GUID: the merged one's goes.
            p.store
                .recode(&[("kb".into(), "kb2".into()), ("old".into(), "su".into())])
                .unwrap();
            let codes = p.store.guids(guid_kind::CODE).unwrap();
            assert_eq!(
                codes,
                BTreeMap::from([
                    ("kb2".to_string(), "G-KB".to_string()),
                    ("su".to_string(), "G-SU".to_string())
                ])
            );
            drop(other);
        });
    }

    #[test]
    fn uuids_are_version_4() {
        assert_eq!(uuid_v4(&[0xff; 16]), "ffffffff-ffff-4fff-bfff-ffffffffffff");
        assert_eq!(uuid_v4(&[0; 16]), "00000000-0000-4000-8000-000000000000");
    }
}
