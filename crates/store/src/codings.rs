//! Codings and memos in the store: the researcher's work, written only in transactions.
//!
//! A detached coding (its text was deleted when its document was corrected) stays in the
//! store with its quote and a `0..0` range, but the readers that count or cut out text
//! never meet it: [`Store::codings`] leaves it out unless [`CodingFilter::detached`] asks
//! for it, and [`Store::for_each_coding_span`] (tables, the search index) never gives it.

use crate::db::{params, Db, Param, Row};
use ambit_core::{Coding, CodingStatus, DocId, Origin};

use crate::error::{Error, Result};
use crate::store::{now_utc, record_all_changed, record_changes, Store};

/// A coding to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCoding {
    /// The document.
    pub doc: DocId,
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
    /// Optional memo.
    pub memo: Option<String>,
}

/// Which codings to read. Empty lists mean "any".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodingFilter {
    /// Only these code ids (exact; expand children before calling).
    pub codes: Vec<String>,
    /// Only these documents.
    pub docs: Vec<DocId>,
    /// Only these coders.
    pub coders: Vec<String>,
    /// Also detached codings, which point at no text (off: only codings with a range).
    pub detached: bool,
}

/// A memo attached to a code, a document or a passage.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Memo {
    /// Store id.
    pub id: i64,
    /// What it is about: `code:kb.semantic`, `doc:D7` or `passage:D7:12`.
    pub target: String,
    /// Who wrote it.
    pub author: String,
    /// When (RFC 3339 UTC).
    pub created: String,
    /// The memo.
    pub text: String,
}

pub(crate) fn coding_from_row(r: &Row<'_>) -> Result<Coding> {
    let origin: String = r.get(6)?;
    let status: Option<String> = r.get(9)?;
    Ok(Coding {
        id: r.get(0)?,
        doc: DocId(r.get(1)?),
        start: r.get::<i64>(2)? as usize,
        end: r.get::<i64>(3)? as usize,
        code: r.get(4)?,
        coder: r.get(5)?,
        origin: Origin::parse(&origin).unwrap_or(Origin::Import),
        created: r.get(7)?,
        memo: r.get(8)?,
        // An unknown status (a newer Ambit's) is treated as needing a look.
        status: CodingStatus::parse(status.as_deref()).unwrap_or(CodingStatus::NeedsReview),
        quote: r.get(10)?,
    })
}

/// The columns [`coding_from_row`] reads, in its order.
pub(crate) const CODING_COLUMNS: &str =
    "id, doc, start, \"end\", code, coder, origin, created, memo, status, quote";

/// The SQL condition of codings that point at text.
pub(crate) const ATTACHED: &str = "(status IS NULL OR status <> 'detached')";

impl Store {
    /// Stores one coding after checking its range is not empty and fits the document.
    /// Returns its id and `true`; when the same coder already coded exactly this range
    /// with this code in the same way (origin), nothing is written and the earlier
    /// coding's id comes back with `false`. Both the check and the write happen in one
    /// write transaction, so two identical requests at once store one coding.
    pub fn add_coding(&mut self, c: &NewCoding) -> Result<(i64, bool)> {
        self.write_if_changed(|tx| {
            let chars: Option<i64> = tx.query_opt(
                "SELECT chars FROM documents WHERE id = ?1",
                params![c.doc.0],
                |r| r.get(0),
            )?;
            let chars = chars.ok_or_else(|| Error::NoSuchDocument(c.doc.to_string()))? as usize;
            if c.start >= c.end || c.end > chars {
                return Err(ambit_core::Error::RangeOutOfBounds {
                    start: c.start,
                    end: c.end,
                    len: chars,
                }
                .into());
            }
            let earlier: Option<i64> = tx.query_opt(
                "SELECT id FROM codings WHERE doc = ?1 AND start = ?2 AND \"end\" = ?3
                     AND code = ?4 AND coder = ?5 AND origin = ?6 ORDER BY id LIMIT 1",
                params![
                    c.doc.0,
                    c.start as i64,
                    c.end as i64,
                    c.code,
                    c.coder,
                    c.origin.to_string()
                ],
                |r| r.get(0),
            )?;
            if let Some(id) = earlier {
                return Ok(((id, false), false));
            }
            let id = insert_coding(tx, c, &now_utc())?;
            Ok(((id, true), true))
        })
    }

    /// One coding by id.
    pub fn coding(&self, id: i64) -> Result<Coding> {
        self.reading(|| {
            let sql = format!("SELECT {CODING_COLUMNS} FROM codings WHERE id = ?1");
            self.conn
                .query_opt(&sql, params![id], coding_from_row)?
                .ok_or(Error::NoSuchCoding(id))
        })
    }

    /// Sets (or, with `None` or blank text, clears) a coding's memo, in one transaction;
    /// returns the coding as it is now.
    pub fn set_coding_memo(&mut self, id: i64, memo: Option<&str>) -> Result<Coding> {
        let memo = memo.filter(|m| !m.trim().is_empty());
        self.write(|tx| {
            let changed = tx.execute(
                "UPDATE codings SET memo = ?2 WHERE id = ?1",
                params![id, memo],
            )?;
            if changed == 0 {
                return Err(Error::NoSuchCoding(id));
            }
            let sql = format!("SELECT {CODING_COLUMNS} FROM codings WHERE id = ?1");
            tx.query_row(&sql, params![id], coding_from_row)
        })
    }

    /// Removes one coding and returns it.
    pub fn remove_coding(&mut self, id: i64) -> Result<Coding> {
        self.write(|tx| {
            let sql = format!("SELECT {CODING_COLUMNS} FROM codings WHERE id = ?1");
            let found = tx.query_opt(&sql, params![id], coding_from_row)?;
            let coding = found.ok_or(Error::NoSuchCoding(id))?;
            record_changes(tx, "codings WHERE id = ?1", params![id])?;
            tx.execute("DELETE FROM codings WHERE id = ?1", params![id])?;
            Ok(coding)
        })
    }

    /// Codings matching a filter, ordered by document, start, id; detached codings (which
    /// point at no text) only when [`CodingFilter::detached`] asks for them.
    pub fn codings(&self, filter: &CodingFilter) -> Result<Vec<Coding>> {
        self.reading(|| {
            fn list<'a>(
                conds: &mut Vec<String>,
                values: &mut Vec<&'a dyn Param>,
                col: &str,
                items: Vec<&'a dyn Param>,
            ) {
                if !items.is_empty() {
                    let marks: Vec<String> = (values.len() + 1..=values.len() + items.len())
                        .map(|i| format!("?{i}"))
                        .collect();
                    conds.push(format!("{col} IN ({})", marks.join(", ")));
                    values.extend(items);
                }
            }
            let mut conds = Vec::new();
            let mut values: Vec<&dyn Param> = Vec::new();
            let (c, v) = (&mut conds, &mut values);
            list(
                c,
                v,
                "code",
                filter.codes.iter().map(|c| c as &dyn Param).collect(),
            );
            list(
                c,
                v,
                "doc",
                filter.docs.iter().map(|d| &d.0 as &dyn Param).collect(),
            );
            list(
                c,
                v,
                "coder",
                filter.coders.iter().map(|c| c as &dyn Param).collect(),
            );
            if !filter.detached {
                conds.push(ATTACHED.to_string());
            }
            let cond = if conds.is_empty() {
                String::new()
            } else {
                format!("WHERE {}", conds.join(" AND "))
            };
            let sql = format!(
                "SELECT {CODING_COLUMNS} FROM codings {cond} ORDER BY doc, start, \"end\", id"
            );
            self.conn.query_vec(&sql, &values, coding_from_row)
        })
    }

    /// Calls `f(doc, start, end, code, coder)` for every coding that points at text (not
    /// detached), in the order of [`Store::codings`], without building a [`Coding`] per
    /// row: tables over millions of codings need only these fields.
    pub fn for_each_coding_span<E: From<Error>>(
        &self,
        mut f: impl FnMut(DocId, usize, usize, &str, &str) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        self.conn.query_each(
            &format!(
                "SELECT doc, start, \"end\", code, coder FROM codings WHERE {ATTACHED}
                 ORDER BY doc, start, \"end\", id"
            ),
            params![],
            |r| {
                let row = (|| -> Result<_> {
                    Ok((
                        DocId(r.get(0)?),
                        r.get::<i64>(1)? as usize,
                        r.get::<i64>(2)? as usize,
                        r.str(3)?,
                        r.str(4)?,
                    ))
                })()
                .map_err(|e| self.fail(e))?;
                f(row.0, row.1, row.2, row.3, row.4)
            },
        )
    }

    /// Replaces `coder`'s rule-made codings (of `scope` codes only, when given) with `new`,
    /// in one transaction. Manual and imported codings are never touched.
    /// Returns (removed, added).
    pub fn replace_rule_codings(
        &mut self,
        coder: &str,
        scope: Option<&[String]>,
        new: &[NewCoding],
    ) -> Result<(u64, u64)> {
        self.replace_rule_codings_with(coder, scope, || new.iter().cloned())
    }

    /// [`Store::replace_rule_codings`] with the new codings made as they are stored, a
    /// thousand at a time, so they are never all in memory (900,000 codings with their
    /// strings took 180 MB). `new` is called once per attempt of the transaction.
    pub fn replace_rule_codings_with<I: Iterator<Item = NewCoding>>(
        &mut self,
        coder: &str,
        scope: Option<&[String]>,
        new: impl Fn() -> I,
    ) -> Result<(u64, u64)> {
        const CHUNK: usize = 1000;
        self.write(|tx| {
            let removed = match scope {
                None => {
                    record_all_changed(tx)?;
                    tx.execute(
                        "DELETE FROM codings WHERE coder = ?1 AND origin LIKE 'rule:%'",
                        params![coder],
                    )?
                }
                Some(codes) => {
                    let mut n = 0;
                    record_all_changed(tx)?;
                    for code in codes {
                        n += tx.execute(
                            "DELETE FROM codings WHERE coder = ?1 AND origin LIKE 'rule:%'
                             AND code = ?2",
                            params![coder, code],
                        )?;
                    }
                    n
                }
            };
            let now = now_utc();
            let (mut added, mut chunk) = (0u64, Vec::with_capacity(CHUNK));
            for c in new() {
                chunk.push(c);
                if chunk.len() == CHUNK {
                    insert_codings(tx, &chunk, &now)?;
                    added += chunk.len() as u64;
                    chunk.clear();
                }
            }
            insert_codings(tx, &chunk, &now)?;
            added += chunk.len() as u64;
            Ok((removed as u64, added))
        })
    }

    /// Stores many codings in one transaction (imports); all or nothing.
    pub fn add_codings(&mut self, new: &[NewCoding]) -> Result<u64> {
        self.write(|tx| {
            insert_codings(tx, new, &now_utc())?;
            Ok(new.len() as u64)
        })
    }

    /// Changes code ids on codings and memos (`rename`, `merge`), in one transaction.
    /// Returns how many codings changed.
    pub fn recode(&mut self, mapping: &[(String, String)]) -> Result<u64> {
        self.write(|tx| {
            let mut n = 0;
            for (old, new) in mapping {
                record_changes(tx, "codings WHERE code = ?1", params![old])?;
                n += tx.execute(
                    "UPDATE codings SET code = ?2 WHERE code = ?1",
                    params![old, new],
                )?;
                tx.execute(
                    "UPDATE memos SET target = ?2 WHERE target = ?1",
                    params![format!("code:{old}"), format!("code:{new}")],
                )?;
                crate::guids::recode_guids(tx, old, new)?;
            }
            Ok(n as u64)
        })
    }

    /// Deletes all codings of these codes, in one transaction; returns how many went.
    pub fn delete_codings_of(&mut self, codes: &[String]) -> Result<u64> {
        self.write(|tx| {
            let mut n = 0;
            for code in codes {
                record_changes(tx, "codings WHERE code = ?1", params![code])?;
                n += tx.execute("DELETE FROM codings WHERE code = ?1", params![code])?;
            }
            Ok(n as u64)
        })
    }

    /// Adds a memo.
    pub fn add_memo(&mut self, target: &str, author: &str, text: &str) -> Result<i64> {
        self.write(|tx| {
            tx.query_row(
                "INSERT INTO memos (target, author, created, text) VALUES (?1, ?2, ?3, ?4)
                 RETURNING id",
                params![target, author, now_utc(), text],
                |r| r.get(0),
            )
        })
    }

    /// All memos in the order they were written.
    pub fn memos(&self) -> Result<Vec<Memo>> {
        self.reading(|| {
            self.conn.query_vec(
                "SELECT id, target, author, created, text FROM memos ORDER BY id",
                params![],
                |r| {
                    Ok(Memo {
                        id: r.get(0)?,
                        target: r.get(1)?,
                        author: r.get(2)?,
                        created: r.get(3)?,
                        text: r.get(4)?,
                    })
                },
            )
        })
    }
}

/// Stores one coding; returns its id.
fn insert_coding(tx: &Db, c: &NewCoding, now: &str) -> Result<i64> {
    tx.query_row(
        "INSERT INTO codings (doc, start, \"end\", code, coder, origin, created, memo)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id",
        params![
            c.doc.0,
            c.start as i64,
            c.end as i64,
            c.code,
            c.coder,
            c.origin.to_string(),
            now,
            c.memo
        ],
        |r| r.get(0),
    )
}

/// Codings a PostgreSQL statement inserts at once: a round trip per row made auto-coding
/// wait on the network; 8 parameters each stays far below the server's limit of 65,535.
const PG_INSERT_ROWS: usize = 1000;

/// Stores many codings. SQLite inserts them one by one with its cached statement (as fast
/// as a multi-row insert there, since nothing crosses a network); PostgreSQL gets them a
/// thousand rows per statement.
fn insert_codings(tx: &Db, new: &[NewCoding], now: &str) -> Result<()> {
    const INSERT: &str =
        "INSERT INTO codings (doc, start, \"end\", code, coder, origin, created, memo) VALUES ";
    if !tx.is_pg() {
        for c in new {
            tx.execute(
                "INSERT INTO codings (doc, start, \"end\", code, coder, origin, created, memo)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    c.doc.0,
                    c.start as i64,
                    c.end as i64,
                    c.code,
                    c.coder,
                    c.origin.to_string(),
                    now,
                    c.memo
                ],
            )?;
        }
        return Ok(());
    }
    for chunk in new.chunks(PG_INSERT_ROWS) {
        let mut sql = String::from(INSERT);
        for i in 0..chunk.len() {
            let b = i * 8;
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&format!(
                "(?{},?{},?{},?{},?{},?{},?{},?{})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6,
                b + 7,
                b + 8
            ));
        }
        let origins: Vec<String> = chunk.iter().map(|c| c.origin.to_string()).collect();
        let ranges: Vec<(i64, i64)> = chunk
            .iter()
            .map(|c| (c.start as i64, c.end as i64))
            .collect();
        let mut values: Vec<&dyn Param> = Vec::with_capacity(chunk.len() * 8);
        for ((c, o), (s, e)) in chunk.iter().zip(&origins).zip(&ranges) {
            values.extend([
                &c.doc.0 as &dyn Param,
                s,
                e,
                &c.code,
                &c.coder,
                o,
                &now,
                &c.memo,
            ]);
        }
        tx.execute(&sql, &values)?;
    }
    Ok(())
}
