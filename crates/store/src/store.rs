//! The SQLite database of a project: documents with their text, passages and codings.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use ambit_core::{Date, DocId, DocKind, Document, Passage, PassageId};
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use crate::error::{Error, Result};
use crate::schema;

/// A document ready to be stored: what an importer produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDocument {
    /// Title.
    pub title: String,
    /// Kind of material.
    pub kind: DocKind,
    /// Date, if known.
    pub date: Option<Date>,
    /// Explicit phase id (validated by the caller against the timeline).
    pub phase: Option<String>,
    /// Where it came from (path relative to the project when possible).
    pub source: String,
    /// Hash of the original file's bytes, to recognise re-imports.
    pub content_hash: String,
    /// Reader that produced it (`txt`, `md`, `vtt`, …).
    pub format: String,
    /// The encoding the bytes were decoded from.
    pub encoding: String,
    /// The normalised text all offsets point into.
    pub text: String,
    /// Attributes.
    pub attributes: BTreeMap<String, String>,
    /// Passages in order; ordinals are assigned 1.. in this order.
    pub passages: Vec<NewPassage>,
}

/// A passage of a [`NewDocument`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPassage {
    /// Start, in characters.
    pub start: usize,
    /// End (exclusive), in characters.
    pub end: usize,
    /// Speaker of a transcript turn.
    pub speaker: Option<String>,
    /// Start time (ms).
    pub start_ms: Option<u64>,
    /// End time (ms).
    pub end_ms: Option<u64>,
    /// Page (PDF).
    pub page: Option<u32>,
    /// Words in the passage.
    pub words: usize,
}

/// A document with the counts listings show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocRow {
    /// The document.
    pub doc: Document,
    /// Number of passages.
    pub passages: u64,
    /// Number of words in the whole text.
    pub words: u64,
}

/// An existing document that a new import collides with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Existing {
    /// Its id.
    pub id: DocId,
    /// Its title.
    pub title: String,
    /// Its source path.
    pub source: String,
    /// Its content hash.
    pub content_hash: String,
}

/// The open database of one project.
///
/// Every method that writes runs in one transaction and bumps the store's revision
/// counter, which derived data (the search index) compares against to know it is stale.
#[derive(Debug)]
pub struct Store {
    pub(crate) conn: Connection,
}

impl Store {
    /// Opens (creating when missing) the database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store> {
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(30))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "foreign_keys", true)?;
        // NORMAL in WAL mode keeps every commit atomic and durable across a process kill;
        // only a power loss may drop the last commits, never corrupt the file.
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        schema::migrate(&mut conn)?;
        Ok(Store { conn })
    }

    /// The revision counter: bumped by every write.
    pub fn revision(&self) -> Result<u64> {
        let v: String =
            self.conn
                .query_row("SELECT value FROM meta WHERE key = 'revision'", [], |r| {
                    r.get(0)
                })?;
        v.parse()
            .map_err(|_| Error::Corrupt(format!("revision {v:?}")))
    }

    /// The document with exactly these bytes, if one was imported before.
    pub fn find_by_hash(&self, hash: &str) -> Result<Option<Existing>> {
        self.find("content_hash = ?1", hash)
    }

    /// A document imported from the same source path, or else one with the same title.
    pub fn find_by_source_or_title(&self, source: &str, title: &str) -> Result<Option<Existing>> {
        match self.find("source = ?1", source)? {
            Some(e) => Ok(Some(e)),
            None => self.find("title = ?1", title),
        }
    }

    fn find(&self, cond: &str, value: &str) -> Result<Option<Existing>> {
        let sql = format!(
            "SELECT id, title, source, content_hash FROM documents WHERE {cond} ORDER BY id LIMIT 1"
        );
        Ok(self
            .conn
            .query_row(&sql, [value], |r| {
                Ok(Existing {
                    id: DocId(r.get(0)?),
                    title: r.get(1)?,
                    source: r.get(2)?,
                    content_hash: r.get(3)?,
                })
            })
            .optional()?)
    }

    /// Stores a new document with its passages and attributes, in one transaction.
    pub fn insert_document(&mut self, doc: &NewDocument) -> Result<DocId> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO documents (title, kind, date, phase, source, content_hash, format, encoding,
                                    text, chars, words, imported_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            params![
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
                ambit_core::text::word_count(&doc.text) as i64,
                now_utc(),
            ],
        )?;
        let id = DocId(tx.last_insert_rowid() as u32);
        write_children(&tx, id, doc)?;
        bump_revision(&tx)?;
        tx.commit()?;
        Ok(id)
    }

    /// Stores several new documents (the messages of an mbox, the rows of a survey) in one
    /// transaction: all of them or none.
    pub fn insert_documents(&mut self, docs: &[NewDocument]) -> Result<Vec<DocId>> {
        let tx = self.conn.transaction()?;
        let mut ids = Vec::with_capacity(docs.len());
        {
            let mut stmt = tx.prepare(
                "INSERT INTO documents (title, kind, date, phase, source, content_hash, format,
                                        encoding, text, chars, words, imported_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )?;
            let now = now_utc();
            for doc in docs {
                stmt.execute(params![
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
                    ambit_core::text::word_count(&doc.text) as i64,
                    now,
                ])?;
                let id = DocId(tx.last_insert_rowid() as u32);
                write_children(&tx, id, doc)?;
                ids.push(id);
            }
        }
        bump_revision(&tx)?;
        tx.commit()?;
        Ok(ids)
    }

    /// Replaces a document's content in place, keeping its id. Refused when a person coded
    /// it by hand; its rule-made codings are dropped (auto-coding remakes them).
    pub fn replace_document(&mut self, id: DocId, doc: &NewDocument) -> Result<()> {
        let tx = self.conn.transaction()?;
        let manual = count_manual(&tx, id)?;
        if manual > 0 {
            return Err(Error::HasManualCodings {
                doc: id.to_string(),
                count: manual,
            });
        }
        tx.execute("DELETE FROM codings WHERE doc = ?1", [id.0])?;
        tx.execute("DELETE FROM passages WHERE doc = ?1", [id.0])?;
        tx.execute("DELETE FROM attributes WHERE doc = ?1", [id.0])?;
        let changed = tx.execute(
            "UPDATE documents SET title = ?2, kind = ?3, date = ?4, phase = ?5, source = ?6,
                    content_hash = ?7, format = ?8, encoding = ?9, text = ?10, chars = ?11,
                    words = ?12, imported_at = ?13
             WHERE id = ?1",
            params![
                id.0,
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
                ambit_core::text::word_count(&doc.text) as i64,
                now_utc(),
            ],
        )?;
        if changed == 0 {
            return Err(Error::NoSuchDocument(id.to_string()));
        }
        write_children(&tx, id, doc)?;
        bump_revision(&tx)?;
        tx.commit()?;
        Ok(())
    }

    /// How many codings of a document a person made by hand.
    pub fn manual_codings(&self, id: DocId) -> Result<u64> {
        count_manual(&self.conn, id)
    }

    /// All documents in id order, with passage and word counts.
    pub fn documents(&self) -> Result<Vec<DocRow>> {
        let mut attrs = self.attributes()?;
        let mut stmt = self.conn.prepare(
            "SELECT d.id, d.title, d.kind, d.date, d.phase, d.source, d.words,
                    (SELECT COUNT(*) FROM passages p WHERE p.doc = d.id)
             FROM documents d ORDER BY d.id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((doc_columns(r)?, r.get::<_, i64>(6)?, r.get::<_, i64>(7)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (columns, words, passages) = row?;
            out.push(DocRow {
                doc: document(columns, &mut attrs)?,
                passages: passages as u64,
                words: words as u64,
            });
        }
        Ok(out)
    }

    /// All documents in id order, without counts: cheap whatever the number of passages
    /// (search reads it for every query).
    pub fn documents_brief(&self) -> Result<Vec<Document>> {
        let mut attrs = self.attributes()?;
        // Only columns stored before `text`, all in the `documents_listing` index: reading
        // the table would read a page per document.
        let mut stmt = self
            .conn
            .prepare("SELECT id, title, kind, date, phase, source FROM documents ORDER BY id")?;
        let rows = stmt.query_map([], doc_columns)?;
        let mut out = Vec::new();
        for row in rows {
            out.push(document(row?, &mut attrs)?);
        }
        Ok(out)
    }

    fn attributes(&self) -> Result<BTreeMap<u32, BTreeMap<String, String>>> {
        let mut attrs: BTreeMap<u32, BTreeMap<String, String>> = BTreeMap::new();
        let mut stmt = self
            .conn
            .prepare("SELECT doc, key, value FROM attributes ORDER BY doc, key")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, u32>(0)?, r.get(1)?, r.get(2)?)))?;
        for row in rows {
            let (doc, k, v) = row?;
            attrs.entry(doc).or_default().insert(k, v);
        }
        Ok(attrs)
    }

    /// The passages with these ids and their texts, in the order asked (`None` for an id
    /// without a passage). SQLite cuts a few passages out of a document itself; a
    /// document with many passages asked is read once.
    pub fn passage_texts(&self, ids: &[PassageId]) -> Result<Vec<Option<(Passage, String)>>> {
        /// Above this many passages of one document, reading its text once is cheaper.
        const CUT_IN_SQL: usize = 16;
        let mut by_doc: BTreeMap<DocId, Vec<usize>> = BTreeMap::new();
        for (i, id) in ids.iter().enumerate() {
            by_doc.entry(id.doc).or_default().push(i);
        }
        let mut out: Vec<Option<(Passage, String)>> = vec![None; ids.len()];
        // `substr` counts characters, like passage offsets.
        let mut cut = self.conn.prepare_cached(
            "SELECT p.start, p.end, p.speaker, p.start_ms, p.end_ms, p.page,
                    substr(d.text, p.start + 1, p.end - p.start)
             FROM passages p JOIN documents d ON d.id = p.doc
             WHERE p.doc = ?1 AND p.ordinal = ?2",
        )?;
        let passage = |id, r: &rusqlite::Row<'_>| passage_from(id, r, 0);
        for (doc, at) in by_doc {
            if at.len() <= CUT_IN_SQL {
                for i in at {
                    let id = ids[i];
                    out[i] = cut
                        .query_row(params![doc.0, id.ordinal], |r| {
                            Ok((passage(id, r)?, r.get::<_, String>(6)?))
                        })
                        .optional()?;
                }
                continue;
            }
            let text = self.text(doc)?;
            let chars = ambit_core::text::CharIndex::new(&text);
            let mut stmt = self.conn.prepare_cached(
                "SELECT start, end, speaker, start_ms, end_ms, page
                 FROM passages WHERE doc = ?1 AND ordinal = ?2",
            )?;
            for i in at {
                let id = ids[i];
                let found = stmt
                    .query_row(params![doc.0, id.ordinal], |r| passage(id, r))
                    .optional()?;
                if let Some(p) = found {
                    let slice = chars.slice(&text, p.start, p.end).ok_or_else(|| {
                        Error::Corrupt(format!("passage {id} lies outside its document"))
                    })?;
                    out[i] = Some((p, slice.to_string()));
                }
            }
        }
        Ok(out)
    }

    /// One document by id.
    pub fn document(&self, id: DocId) -> Result<DocRow> {
        // Listing all and picking one keeps one code path for reading documents; projects
        // hold hundreds of documents, not millions.
        self.documents()?
            .into_iter()
            .find(|d| d.doc.id == id)
            .ok_or_else(|| Error::NoSuchDocument(id.to_string()))
    }

    /// The stored text of a document.
    pub fn text(&self, id: DocId) -> Result<String> {
        self.conn
            .query_row("SELECT text FROM documents WHERE id = ?1", [id.0], |r| {
                r.get(0)
            })
            .optional()?
            .ok_or_else(|| Error::NoSuchDocument(id.to_string()))
    }

    /// The passages of a document in order.
    pub fn passages(&self, id: DocId) -> Result<Vec<Passage>> {
        let mut stmt = self.conn.prepare(
            "SELECT ordinal, start, end, speaker, start_ms, end_ms, page
             FROM passages WHERE doc = ?1 ORDER BY ordinal",
        )?;
        let rows = stmt.query_map([id.0], |r| {
            let ordinal = r.get(0)?;
            passage_from(PassageId { doc: id, ordinal }, r, 1)
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Every passage of the project, ordered by document and ordinal.
    pub fn all_passages(&self) -> Result<Vec<Passage>> {
        let mut stmt = self.conn.prepare(
            "SELECT doc, ordinal, start, end, speaker, start_ms, end_ms, page
             FROM passages ORDER BY doc, ordinal",
        )?;
        let rows = stmt.query_map([], |r| {
            let id = PassageId {
                doc: DocId(r.get(0)?),
                ordinal: r.get(1)?,
            };
            passage_from(id, r, 2)
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Number of passages in the project.
    pub fn passage_count(&self) -> Result<u64> {
        let n: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM passages", [], |r| r.get(0))?;
        Ok(n as u64)
    }

    /// The word count of every passage, in the order of [`Store::all_passages`].
    pub fn passage_words(&self) -> Result<Vec<u32>> {
        let mut stmt = self
            .conn
            .prepare("SELECT words FROM passages ORDER BY doc, ordinal")?;
        let rows = stmt.query_map([], |r| r.get::<_, u32>(0))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// The texts of all documents, by id.
    pub fn texts(&self) -> Result<BTreeMap<DocId, String>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, text FROM documents ORDER BY id")?;
        let rows = stmt.query_map([], |r| Ok((DocId(r.get(0)?), r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<BTreeMap<_, _>>>()?)
    }

    /// Speakers of transcript turns, with their passage counts, most frequent first.
    pub fn speakers(&self) -> Result<Vec<(String, u64)>> {
        let mut stmt = self.conn.prepare(
            "SELECT speaker, COUNT(*) FROM passages WHERE speaker IS NOT NULL
             GROUP BY speaker ORDER BY COUNT(*) DESC, speaker",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}

fn write_children(tx: &Transaction<'_>, id: DocId, doc: &NewDocument) -> Result<()> {
    let mut stmt = tx.prepare("INSERT INTO attributes (doc, key, value) VALUES (?1, ?2, ?3)")?;
    for (k, v) in &doc.attributes {
        stmt.execute(params![id.0, k, v])?;
    }
    let mut stmt = tx.prepare(
        "INSERT INTO passages (doc, ordinal, start, end, speaker, start_ms, end_ms, page, words)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for (i, p) in doc.passages.iter().enumerate() {
        stmt.execute(params![
            id.0,
            (i + 1) as i64,
            p.start as i64,
            p.end as i64,
            p.speaker,
            p.start_ms.map(|v| v as i64),
            p.end_ms.map(|v| v as i64),
            p.page,
            p.words as i64,
        ])?;
    }
    Ok(())
}

/// A passage from `start, end, speaker, start_ms, end_ms, page`, read from column `at` on.
fn passage_from(id: PassageId, r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<Passage> {
    Ok(Passage {
        id,
        start: r.get::<_, i64>(at)? as usize,
        end: r.get::<_, i64>(at + 1)? as usize,
        speaker: r.get(at + 2)?,
        start_ms: r.get::<_, Option<i64>>(at + 3)?.map(|v| v as u64),
        end_ms: r.get::<_, Option<i64>>(at + 4)?.map(|v| v as u64),
        page: r.get(at + 5)?,
    })
}

/// id, title, kind, date, phase, source: the first six columns of a document listing.
type DocColumns = (u32, String, String, Option<String>, Option<String>, String);

fn doc_columns(r: &rusqlite::Row<'_>) -> rusqlite::Result<DocColumns> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
    ))
}

fn document(
    (id, title, kind, date, phase, source): DocColumns,
    attrs: &mut BTreeMap<u32, BTreeMap<String, String>>,
) -> Result<Document> {
    Ok(Document {
        id: DocId(id),
        title,
        kind: DocKind::parse(&kind).map_err(|_| Error::Corrupt(format!("kind {kind:?}")))?,
        date: date.as_deref().map(Date::parse).transpose()?,
        phase,
        source,
        attributes: attrs.remove(&id).unwrap_or_default(),
    })
}

fn count_manual(conn: &Connection, id: DocId) -> Result<u64> {
    let n: i64 = conn.query_row(
        "SELECT COUNT(*) FROM codings WHERE doc = ?1 AND origin = 'manual'",
        [id.0],
        |r| r.get(0),
    )?;
    Ok(n as u64)
}

pub(crate) fn bump_revision(tx: &Transaction<'_>) -> Result<()> {
    tx.execute(
        "UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) WHERE key = 'revision'",
        [],
    )?;
    Ok(())
}

/// The current time as RFC 3339 UTC, seconds precision.
pub(crate) fn now_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil-from-days (Howard Hinnant's algorithm), valid for the whole u64 range we meet.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}
