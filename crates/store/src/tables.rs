//! Reads for tables: every passage and every attached coding as flat integer columns.
//!
//! A table over a million codings used to spend nearly all its time reading them: one
//! `Passage` with owned strings per passage, and the codings walked through the
//! `codings_doc` index in timeline order, which costs a table lookup per row and a sort.
//! Here the codings come in one sequential scan of the table (rowid order, no sort: eight
//! times faster than the index walk, and twice as fast as a covering index, measured on
//! 900,000 codings), and codes, coders and speakers are interned as they are read, so the
//! caller gets integers and a few short lists of names.

use std::collections::HashMap;

use crate::db::{params, Row};
use ambit_core::DocId;

use crate::codings::ATTACHED;
use crate::error::{Error, Result};
use crate::store::Store;

/// What a table's derived data must match to be current: the revision counter and the
/// highest document and coding ids (see [`Store::stamp`]). Rows added later have higher
/// ids, which is how [`Store::documents_changed_since`] finds them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Stamp {
    /// The revision counter ([`Store::revision`]).
    pub revision: u64,
    /// The highest document id given (0 before the first document).
    pub documents: u64,
    /// The highest coding id given (0 before the first coding).
    pub codings: u64,
}

/// Every passage of the project as columns, in document and ordinal order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PassageColumns {
    /// The documents that have passages, in id order, with the index of their first
    /// passage; a document's passages run up to the next document's first.
    pub docs: Vec<(DocId, u32)>,
    /// Start of each passage, in characters.
    pub start: Vec<usize>,
    /// End (exclusive) of each passage, in characters.
    pub end: Vec<usize>,
    /// Words in each passage.
    pub words: Vec<u32>,
    /// Each passage's speaker label as an index into [`PassageColumns::labels`];
    /// `u32::MAX` for a passage without a speaker.
    pub speaker: Vec<u32>,
    /// Speaker labels as the store holds them (speaker aliases are not applied: they live
    /// in `ambit.toml`, so derived data keyed by the store must not contain them).
    pub labels: Vec<String>,
}

impl PassageColumns {
    /// The number of passages.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether the project has no passages.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Where the passages of the `k`-th entry of [`PassageColumns::docs`] are.
    pub fn range(&self, k: usize) -> std::ops::Range<usize> {
        let start = self.docs.get(k).map_or(self.len(), |d| d.1 as usize);
        let end = self.docs.get(k + 1).map_or(self.len(), |d| d.1 as usize);
        start..end
    }
}

/// Every coding that points at text (not detached) as columns, in id order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodingColumns {
    /// The id of each coding.
    pub id: Vec<u64>,
    /// The document of each coding.
    pub doc: Vec<DocId>,
    /// Start, in characters.
    pub start: Vec<usize>,
    /// End (exclusive), in characters.
    pub end: Vec<usize>,
    /// The code as an index into [`CodingColumns::codes`].
    pub code: Vec<u32>,
    /// The coder as an index into [`CodingColumns::coders`].
    pub coder: Vec<u32>,
    /// Code ids, in the order they were first met.
    pub codes: Vec<String>,
    /// Coder names, in the order they were first met.
    pub coders: Vec<String>,
}

impl CodingColumns {
    /// The number of codings.
    pub fn len(&self) -> usize {
        self.doc.len()
    }

    /// Whether there are no codings.
    pub fn is_empty(&self) -> bool {
        self.doc.is_empty()
    }
}

/// Gives each distinct name a number. Names repeat in runs (a coder's codings, a
/// document's two speakers), so the last few are compared before the map is hashed.
#[derive(Default)]
struct Interner {
    names: Vec<String>,
    index: HashMap<String, u32>,
    recent: [u32; 4],
    filled: usize,
}

impl Interner {
    fn get(&mut self, name: &str) -> u32 {
        for &i in &self.recent[..self.filled] {
            if self.names[i as usize] == name {
                return i;
            }
        }
        let i = match self.index.get(name) {
            Some(&i) => i,
            None => {
                let i = self.names.len() as u32;
                self.names.push(name.to_string());
                self.index.insert(name.to_string(), i);
                i
            }
        };
        self.recent.rotate_right(1);
        self.recent[0] = i;
        self.filled = (self.filled + 1).min(self.recent.len());
        i
    }
}

/// A stored offset or count as a number, refusing negative values (a hand-edited store).
fn count<T: TryFrom<i64>>(r: &Row<'_>, i: usize, what: &str) -> Result<T> {
    let v: i64 = r.get(i)?;
    T::try_from(v).map_err(|_| Error::Corrupt(format!("{what} {v}")))
}

impl Store {
    /// The store's [`Stamp`]: what derived data compares against to know it is current.
    pub fn stamp(&self) -> Result<Stamp> {
        let revision = self.revision()?;
        self.reading(|| {
            let mut stamp = Stamp {
                revision,
                documents: 0,
                codings: 0,
            };
            // SQLite: the highest id each table's sequence gave, deleted rows included
            // (`sqlite_sequence` is written in the inserting transaction). PostgreSQL: the
            // highest id this transaction sees. Its sequences are not transactional: one
            // may already count an id a writer has not committed, and a coding committed
            // after this read with that id would not be "newer" than the stamp. Writers
            // take the project's lock, so what a reader does not see has higher ids.
            let sql = if self.conn.is_pg() {
                "SELECT 'documents', COALESCE(MAX(id), 0) FROM documents
                 UNION ALL
                 SELECT 'codings', COALESCE(MAX(id), 0) FROM codings"
            } else {
                "SELECT name, seq FROM sqlite_sequence"
            };
            self.conn.query_each(sql, params![], |r| -> Result<()> {
                let seq = u64::try_from(r.get::<i64>(1)?).unwrap_or(0);
                match r.str(0)? {
                    "documents" => stamp.documents = seq,
                    "codings" => stamp.codings = seq,
                    _ => {}
                }
                Ok(())
            })?;
            Ok(stamp)
        })
    }

    /// Runs `read` inside one read transaction, so everything it reads from this store
    /// comes from the same moment even while another command writes. Inside a transaction
    /// already (a batch of inserts), `read` runs in it.
    pub fn read_consistently<T, E: From<Error>>(
        &self,
        read: impl FnOnce(&Store) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        if self.conn.in_transaction() {
            return read(self);
        }
        self.conn.begin_read().map_err(|e| self.fail(e))?;
        let value = read(self);
        match value {
            Ok(value) => {
                self.conn.commit().map_err(|e| self.fail(e))?;
                Ok(value)
            }
            Err(e) => {
                let _ = self.conn.rollback();
                Err(e)
            }
        }
    }

    /// Every passage as [`PassageColumns`], speaker labels as stored.
    pub fn passage_columns(&self) -> Result<PassageColumns> {
        self.reading(|| {
            let mut out = PassageColumns::default();
            let mut labels = Interner::default();
            // The primary key is (doc, ordinal): this order costs no sort.
            self.conn.query_each(
                "SELECT doc, start, \"end\", words, speaker FROM passages ORDER BY doc, ordinal",
                params![],
                |r| push_passage(&mut out, &mut labels, r),
            )?;
            out.labels = labels.names;
            Ok(out)
        })
    }

    /// The passages of `docs` (in increasing id order) as [`PassageColumns`], as
    /// [`Store::passage_columns`] gives them for those documents.
    pub fn passage_columns_of(&self, docs: &[DocId]) -> Result<PassageColumns> {
        self.reading(|| {
            let mut out = PassageColumns::default();
            let mut labels = Interner::default();
            for doc in docs {
                self.conn.query_each(
                    "SELECT doc, start, \"end\", words, speaker FROM passages WHERE doc = ?1
                     ORDER BY ordinal",
                    params![doc.0],
                    |r| push_passage(&mut out, &mut labels, r),
                )?;
            }
            out.labels = labels.names;
            Ok(out)
        })
    }

    /// Every coding that points at text as [`CodingColumns`]; detached codings are left
    /// out, as [`Store::for_each_coding_span`] leaves them out.
    pub fn coding_columns(&self) -> Result<CodingColumns> {
        self.reading(|| {
            let mut out = CodingColumns::default();
            let mut names = (Interner::default(), Interner::default());
            self.conn.query_each(
                &format!(
                    "SELECT doc, start, \"end\", code, coder, id FROM codings WHERE {ATTACHED}
                     ORDER BY id"
                ),
                params![],
                |r| push_coding(&mut out, &mut names, r),
            )?;
            (out.codes, out.coders) = (names.0.names, names.1.names);
            Ok(out)
        })
    }

    /// The codings of `docs` that point at text, as [`CodingColumns`] in id order, as
    /// [`Store::coding_columns`] gives them for those documents.
    pub fn coding_columns_of(&self, docs: &[DocId]) -> Result<CodingColumns> {
        self.reading(|| {
            let sql = format!(
                "SELECT doc, start, \"end\", code, coder, id FROM codings
                 WHERE doc = ?1 AND {ATTACHED}"
            );
            let mut rows = Vec::new();
            for doc in docs {
                self.conn
                    .query_each(&sql, params![doc.0], |r| -> Result<()> {
                        let id: u64 = count(r, 5, "coding id")?;
                        let start: usize = count(r, 1, "coding start")?;
                        let end: usize = count(r, 2, "coding end")?;
                        rows.push((
                            id,
                            *doc,
                            start,
                            end,
                            r.str(3)?.to_string(),
                            r.str(4)?.to_string(),
                        ));
                        Ok(())
                    })?;
            }
            rows.sort_unstable_by_key(|r| r.0);
            let mut out = CodingColumns::default();
            let (mut codes, mut coders) = (Interner::default(), Interner::default());
            for (id, doc, start, end, code, coder) in rows {
                out.id.push(id);
                out.doc.push(doc);
                out.start.push(start);
                out.end.push(end);
                out.code.push(codes.get(&code));
                out.coder.push(coders.get(&coder));
            }
            (out.codes, out.coders) = (codes.names, coders.names);
            Ok(out)
        })
    }

    /// The random token the write that made `revision` left, `None` when this store never
    /// had that revision or forgot it (a store older than the tokens, a revision over
    /// 100,000 writes ago). Derived data records the token of the revision it was built
    /// at: a store with the same revision and another token has another history (a backup
    /// put back and written to, another project's store copied in).
    pub fn revision_token(&self, revision: u64) -> Result<Option<u64>> {
        let Ok(revision) = i64::try_from(revision) else {
            return Ok(None);
        };
        self.reading(|| {
            self.conn.query_opt(
                "SELECT token FROM revisions WHERE revision = ?1",
                params![revision],
                // The token's bits: its sign means nothing.
                |r| Ok(r.get::<i64>(0)? as u64),
            )
        })
    }

    /// The documents (deleted ones too) whose passages or codings changed since the store
    /// was at `since`, in id order: what derived data built then must read again. Those a
    /// write deleted or changed something of (or gave an id of its own) are recorded by
    /// the write; documents and codings added with new ids are found by id (ids are given
    /// in increasing order and never again, see [`Stamp`]).
    pub fn documents_changed_since(&self, since: Stamp) -> Result<Vec<DocId>> {
        let big = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        self.reading(|| {
            self.conn.query_vec(
                "SELECT doc FROM document_changes WHERE revision >= ?1
                 UNION SELECT id FROM documents WHERE id > ?2
                 UNION SELECT doc FROM codings WHERE id > ?3
                 ORDER BY 1",
                params![
                    big(since.revision),
                    big(since.documents),
                    big(since.codings)
                ],
                |r| Ok(DocId(r.get(0)?)),
            )
        })
    }
}

fn push_passage(out: &mut PassageColumns, labels: &mut Interner, r: &Row<'_>) -> Result<()> {
    let doc = DocId(r.get(0)?);
    if out.docs.last().is_none_or(|d| d.0 != doc) {
        out.docs.push((doc, out.words.len() as u32));
    }
    out.start.push(count(r, 1, "passage start")?);
    out.end.push(count(r, 2, "passage end")?);
    out.words.push(count(r, 3, "passage words")?);
    let speaker = match r.opt_str(4)? {
        None => u32::MAX,
        Some(label) => labels.get(label),
    };
    out.speaker.push(speaker);
    Ok(())
}

fn push_coding(
    out: &mut CodingColumns,
    (codes, coders): &mut (Interner, Interner),
    r: &Row<'_>,
) -> Result<()> {
    out.doc.push(DocId(r.get(0)?));
    out.start.push(count(r, 1, "coding start")?);
    out.end.push(count(r, 2, "coding end")?);
    out.code.push(codes.get(r.str(3)?));
    out.coder.push(coders.get(r.str(4)?));
    out.id.push(count(r, 5, "coding id")?);
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use ambit_core::{DocKind, Origin, PassageSpan};

    use super::*;
    use crate::{NewCoding, NewDocument, NewPassage};

    /// A document of passages `(start, end, speaker)`; words are one per passage.
    fn doc(text: &str, passages: &[(usize, usize, Option<&str>)]) -> NewDocument {
        NewDocument {
            title: "t".into(),
            kind: DocKind::Interview,
            date: None,
            phase: None,
            source: format!("{}.txt", text.len()),
            content_hash: text.into(),
            format: "txt".into(),
            encoding: "UTF-8".into(),
            text: text.into(),
            words: passages.len(),
            attributes: Default::default(),
            passages: passages
                .iter()
                .map(|&(start, end, speaker)| NewPassage {
                    span: PassageSpan {
                        speaker: speaker.map(str::to_string),
                        ..PassageSpan::new(start, end)
                    },
                    words: 1,
                })
                .collect(),
            original: None,
        }
    }

    fn coding(doc: DocId, start: usize, end: usize, code: &str, coder: &str) -> NewCoding {
        NewCoding {
            doc,
            start,
            end,
            code: code.into(),
            coder: coder.into(),
            origin: Origin::Manual,
            memo: None,
        }
    }

    /// Passages in document and ordinal order with interned labels; codings in id order
    /// with interned codes and coders; a detached coding is not read.
    #[test]
    fn columns_hold_what_the_store_holds() {
        crate::testing::each("t", |e| {
            let other = e.open_store();
            let p = &mut e.project;
            let a = p
                .store
                .insert_document(&doc(
                    "aa bb cc",
                    &[(0, 2, Some("R")), (3, 5, None), (6, 8, Some("I"))],
                ))
                .unwrap();
            let b = p
                .store
                .insert_document(&doc("dd", &[(0, 2, Some("R"))]))
                .unwrap();
            p.store
                .add_codings(&[
                    coding(b, 0, 2, "x", "anna"),
                    coding(a, 3, 8, "y", "ben"),
                    coding(a, 0, 2, "x", "ben"),
                    coding(a, 1, 2, "z", "anna"),
                ])
                .unwrap();
            p.store
            .conn
            .execute(
                "UPDATE codings SET status = 'detached', start = 0, \"end\" = 0 WHERE code = 'z'",
                crate::db::params![],
            )
            .unwrap();
            let ps = p.store.passage_columns().unwrap();
            assert_eq!(ps.docs, [(a, 0), (b, 3)]);
            assert_eq!((ps.range(0), ps.range(1)), (0..3, 3..4));
            assert_eq!(ps.start, [0, 3, 6, 0]);
            assert_eq!(ps.end, [2, 5, 8, 2]);
            assert_eq!(ps.words, [1, 1, 1, 1]);
            assert_eq!(ps.speaker, [0, u32::MAX, 1, 0]);
            assert_eq!(ps.labels, ["R", "I"]);
            let cs = p.store.coding_columns().unwrap();
            assert_eq!(cs.doc, [b, a, a]);
            assert_eq!((cs.start, cs.end), (vec![0, 3, 0], vec![2, 8, 2]));
            assert_eq!(cs.code, [0, 1, 0]);
            assert_eq!(cs.codes, ["x", "y"]);
            assert_eq!(cs.coder, [0, 1, 1]);
            assert_eq!(cs.coders, ["anna", "ben"]);
            drop(other);
        });
    }

    /// Every write changes the stamp; a copy of the store from elsewhere at the same
    /// revision has other ids.
    #[test]
    fn the_stamp_follows_writes() {
        crate::testing::each("t", |e| {
            let other = e.open_store();
            let p = &mut e.project;
            let empty = p.store.stamp().unwrap();
            assert_eq!((empty.documents, empty.codings), (0, 0));
            let a = p
                .store
                .insert_document(&doc("aa", &[(0, 2, None)]))
                .unwrap();
            let one = p.store.stamp().unwrap();
            assert_eq!(one.documents, 1);
            assert_ne!(one, empty);
            let (id, _) = p.store.add_coding(&coding(a, 0, 2, "x", "anna")).unwrap();
            let two = p.store.stamp().unwrap();
            assert_eq!(two.codings, 1);
            p.store.remove_coding(id).unwrap();
            let three = p.store.stamp().unwrap();
            assert!(three.revision > two.revision);
            // SQLite counts the id given, PostgreSQL the highest it sees (none now); either
            // way the next coding is newer than the stamp.
            assert!(three.codings <= 1);
            let (again, _) = p.store.add_coding(&coding(a, 0, 1, "x", "anna")).unwrap();
            assert_eq!(again, 2, "ids are never given again");
            assert_eq!(p.store.stamp().unwrap().codings, 2);
            drop(other);
        });
    }

    /// A read transaction sees one moment: a write by another connection in between is
    /// not seen until it ends.
    #[test]
    fn a_consistent_read_sees_one_moment() {
        crate::testing::each("t", |e| {
            let other = e.open_store();
            let p = &mut e.project;
            let a = p
                .store
                .insert_document(&doc("aa", &[(0, 2, None)]))
                .unwrap();
            let mut other = other;
            let (before, after) = p
                .store
                .read_consistently(|s| -> Result<_> {
                    let before = s.coding_columns()?.len();
                    other.add_coding(&coding(a, 0, 2, "x", "anna"))?;
                    Ok((before, s.coding_columns()?.len()))
                })
                .unwrap();
            assert_eq!((before, after), (0, 0));
            assert_eq!(p.store.coding_columns().unwrap().len(), 1);
            drop(other);
        });
    }
}
