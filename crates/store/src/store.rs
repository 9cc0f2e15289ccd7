//! The SQLite database of a project: documents with their text, passages and codings.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use ambit_core::{Date, DocId, DocKind, Document, Passage, PassageId, PassageSpan, SpeakerAliases};
use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags};

use crate::db::{params, Db, Param, Row};
use crate::error::{Error, Result};
use crate::pg::StoreUrl;
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
    /// Words in the whole text, by [`ambit_core::text::word_count`] (the importer counts
    /// them once, with the passages').
    pub words: usize,
    /// Attributes.
    pub attributes: BTreeMap<String, String>,
    /// Passages in order; ordinals are assigned 1.. in this order.
    pub passages: Vec<NewPassage>,
    /// The original file, kept so the document can be read again (`ambit add --reparse`)
    /// and exported as it came; `None` for documents that share a file (survey rows, the
    /// messages of an mbox).
    pub original: Option<Original>,
}

/// How a document was imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportInfo {
    /// The reader's name (`txt`, `vtt`, `docx`, …; the file extension it reads).
    pub format: String,
    /// The encoding the bytes were decoded from.
    pub encoding: String,
    /// Hash of the original file's bytes.
    pub content_hash: String,
    /// Where it came from.
    pub source: String,
}

/// The file a document was read from, as it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Original {
    /// Its file name (`interview.docx`).
    pub name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// A passage of a [`NewDocument`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPassage {
    /// Where it lies and what the source said about it.
    pub span: PassageSpan,
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
/// The one exception is a batch of document inserts ([`Store::begin_batch`]): they share
/// one transaction, each under its own savepoint, and the batch bumps the revision once.
///
/// A store is opened only if it exists and holds Ambit's tables: a missing or emptied file
/// is an error ([`Error::StoreMissing`], params![`Error::StoreEmpty`]), never silently replaced by
/// an empty store; [`Store::open_or_create`] (used by `ambit init`) is the one way to make
/// one. A store that cannot be written (read-only mount, files of another user) is opened
/// for reading only: reads work, and writes fail with [`Error::ReadOnly`].
#[derive(Debug)]
pub struct Store {
    pub(crate) conn: Db,
    path: PathBuf,
    read_only: bool,
    /// Who is who among speaker labels (`[speakers]` in ambit.toml): every passage read
    /// from the store carries the name, the table keeps the label as written.
    speakers: SpeakerAliases,
    /// The open batch of document inserts, if any.
    batch: Option<Batch>,
    /// Revisions this connection committed (see [`Store::revisions_written`]).
    revisions_written: u64,
}

/// A batch of document inserts sharing one write transaction (see [`Store::begin_batch`]).
#[derive(Debug)]
struct Batch {
    /// Documents stored in it so far.
    inserted: usize,
}

/// How long a command waits for another command's write to finish before giving up with
/// [`Error::Locked`]. Auto-coding a large project holds the lock for seconds.
const BUSY_WAIT: Duration = Duration::from_secs(30);

/// What is at a store's path, looked at before SQLite opens it.
enum Presence {
    Missing,
    /// No bytes and no write-ahead log.
    Empty,
    /// No bytes, but a `-wal` file of this many bytes.
    Truncated(u64),
    Present,
}

impl Store {
    /// Opens the existing store at `path` and brings its schema up to date. When the store
    /// cannot be written it is opened for reading only (see [`Store::is_read_only`]).
    /// A missing or empty file is refused, with the way out in the error.
    pub fn open(path: &Path) -> Result<Store> {
        require_present(path)?;
        match Store::connect(path, false) {
            Err(Error::ReadOnly { .. } | Error::CannotOpen { .. }) => {
                Store::connect_read_only(path)
            }
            opened => opened,
        }
    }

    /// Opens the store at `path`, creating it (and its schema) when the file is missing or
    /// empty. Only `ambit init` and `ambit demo` make stores.
    pub fn open_or_create(path: &Path) -> Result<Store> {
        if let Presence::Truncated(wal_bytes) = presence(path)? {
            return Err(Error::StoreTruncated {
                path: path.to_path_buf(),
                wal_bytes,
            });
        }
        Store::connect(path, true)
    }

    /// Opens the existing store at `path` for reading only, whether or not it could be
    /// written. Writes fail with [`Error::ReadOnly`].
    pub fn open_read_only(path: &Path) -> Result<Store> {
        require_present(path)?;
        Store::connect_read_only(path)
    }

    /// Opens the existing project on a PostgreSQL server (see [`StoreUrl`]) and brings its
    /// schema up to date. A project missing on the server is refused
    /// ([`Error::NoServerProject`]), never made.
    pub fn open_server(url: &StoreUrl, password_command: Option<&str>) -> Result<Store> {
        let db = crate::pg::connect(url, password_command, crate::pg::Want::Existing)?;
        Ok(Store::from_db(db, PathBuf::from(url.shown())))
    }

    /// Creates the project's schema on a PostgreSQL server and opens it; a project that
    /// exists there already is refused ([`Error::ServerProjectExists`]).
    pub fn create_server(url: &StoreUrl, password_command: Option<&str>) -> Result<Store> {
        let db = crate::pg::connect(url, password_command, crate::pg::Want::New)?;
        Ok(Store::from_db(db, PathBuf::from(url.shown())))
    }

    fn from_db(conn: Db, path: PathBuf) -> Store {
        Store {
            conn,
            path,
            read_only: false,
            speakers: SpeakerAliases::default(),
            batch: None,
            revisions_written: 0,
        }
    }

    /// Whether the store is on a PostgreSQL server (a team store).
    pub fn is_server(&self) -> bool {
        self.conn.is_pg()
    }

    /// Whether the store was opened for reading only (it cannot be written).
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// The store file; for a server store, its URL without the password.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn connect(path: &Path, create: bool) -> Result<Store> {
        let fail = |e: Error| e.in_store(path, BUSY_WAIT);
        let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        if create {
            flags |= OpenFlags::SQLITE_OPEN_CREATE;
        }
        let conn = Connection::open_with_flags(path, flags).map_err(|e| fail(e.into()))?;
        conn.busy_timeout(BUSY_WAIT).map_err(|e| fail(e.into()))?;
        // Every statement of the store is cached once prepared; they are fewer than this.
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        plan_once(&conn).map_err(fail)?;
        // SQLite opens a file it may not write for reading only, without saying so.
        if conn
            .is_readonly(rusqlite::MAIN_DB)
            .map_err(|e| fail(e.into()))?
        {
            return Err(Error::ReadOnly {
                path: path.to_path_buf(),
            });
        }
        // The first read opens the write-ahead log and its index (`-wal`, `-shm`), so a
        // folder where those cannot be made shows here, before anything is changed.
        let (_, tables) = probe(&conn).map_err(fail)?;
        if tables == 0 && !create {
            return Err(Error::StoreEmpty {
                path: path.to_path_buf(),
            });
        }
        let conn = (|| -> Result<Db> {
            conn.pragma_update(None, "journal_mode", "WAL")?;
            conn.pragma_update(None, "foreign_keys", true)?;
            // NORMAL in WAL mode keeps every commit atomic and durable across a process
            // kill; only a power loss may drop the last commits, never corrupt the file.
            conn.pragma_update(None, "synchronous", "NORMAL")?;
            let db = Db::Sqlite(conn);
            schema::migrate(&db)?;
            Ok(db)
        })()
        .map_err(fail)?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            read_only: false,
            speakers: SpeakerAliases::default(),
            batch: None,
            revisions_written: 0,
        })
    }

    /// Opens a store that cannot be written.
    ///
    /// A read-only connection to a WAL database still needs the `-shm` index next to it.
    /// When the `-shm` exists (or the folder is writable) a plain read-only connection reads
    /// the store with the usual locking, so a process of another user writing at the same
    /// time is seen correctly, and committed changes still in the `-wal` are read. When
    /// the `-shm` is absent and cannot be made (a read-only mount, a folder of another
    /// user), no process has the store open: a process using a WAL database keeps its
    /// `-shm` in existence. If the `-wal` is empty too, the main file holds every committed
    /// change, and SQLite's `immutable=1` reads it without the `-shm` and without locks.
    /// That is correct as long as no writer starts while this command reads, which on a
    /// read-only mount none can. A `-wal` with content and no way to read it is refused
    /// ([`Error::ReadOnlyWithLog`]) rather than read without the changes it holds.
    fn connect_read_only(path: &Path) -> Result<Store> {
        let fail = |e: Error| e.in_store(path, BUSY_WAIT);
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let plain = Connection::open_with_flags(path, flags)
            .map_err(Error::from)
            .and_then(|conn| {
                conn.busy_timeout(BUSY_WAIT)?;
                let found = probe(&conn)?;
                Ok((conn, found))
            })
            .map_err(fail);
        let (conn, (version, tables)) = match plain {
            Err(Error::CannotOpen { .. }) => {
                let wal = std::fs::metadata(sibling(path, "-wal")).map_or(0, |m| m.len());
                if wal > 0 {
                    return Err(Error::ReadOnlyWithLog {
                        path: path.to_path_buf(),
                    });
                }
                let conn = Connection::open_with_flags(
                    immutable_uri(path),
                    flags | OpenFlags::SQLITE_OPEN_URI,
                )
                .map_err(|e| fail(e.into()))?;
                let found = probe(&conn).map_err(fail)?;
                (conn, found)
            }
            other => other?,
        };
        if tables == 0 {
            return Err(Error::StoreEmpty {
                path: path.to_path_buf(),
            });
        }
        if schema::check(version)? {
            return Err(Error::ReadOnlyOutdated {
                path: path.to_path_buf(),
                found: version,
                known: schema::SCHEMA_VERSION,
            });
        }
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        plan_once(&conn).map_err(fail)?;
        Ok(Store {
            conn: Db::Sqlite(conn),
            path: path.to_path_buf(),
            read_only: true,
            speakers: SpeakerAliases::default(),
            batch: None,
            revisions_written: 0,
        })
    }

    /// Runs `read` and turns the database errors it returns into the ones a user can act on.
    pub(crate) fn reading<T>(&self, read: impl FnOnce() -> Result<T>) -> Result<T> {
        read().map_err(|e| self.fail(e))
    }

    pub(crate) fn fail(&self, e: impl Into<Error>) -> Error {
        e.into().in_store(&self.path, BUSY_WAIT)
    }

    /// Runs `write` in one write transaction, bumps the revision and commits; on an error
    /// nothing is written. Every write of the store goes through here (or
    /// [`Store::write_if_changed`]).
    pub(crate) fn write<T>(&mut self, mut write: impl FnMut(&Db) -> Result<T>) -> Result<T> {
        self.write_if_changed(|tx| write(tx).map(|v| (v, true)))
    }

    /// Like [`Store::write`], for writes that may find nothing to do: `write` says whether
    /// it changed anything, and only then is the revision bumped (so derived data stays
    /// current after a no-op). An open batch of inserts is committed first.
    ///
    /// A transaction the server gave up to resolve a conflict (PostgreSQL's serialization
    /// failures and deadlocks) is run again from the start, a few times, after a short
    /// random pause: `write` may therefore run more than once, each time on a fresh
    /// transaction.
    pub(crate) fn write_if_changed<T>(
        &mut self,
        mut write: impl FnMut(&Db) -> Result<(T, bool)>,
    ) -> Result<T> {
        if self.read_only {
            return Err(Error::ReadOnly {
                path: self.path.clone(),
            });
        }
        self.commit_batch()?;
        let mut attempt = 0;
        loop {
            let conn = &self.conn;
            let done = (|| -> Result<(T, bool)> {
                conn.begin_write()?;
                let (value, changed) = write(conn)?;
                if changed {
                    bump_revision(conn)?;
                }
                conn.commit()?;
                Ok((value, changed))
            })();
            match done {
                Ok((value, changed)) => {
                    self.revisions_written += u64::from(changed);
                    return Ok(value);
                }
                Err(e) => {
                    if self.conn.in_transaction() {
                        let _ = self.conn.rollback();
                    }
                    if attempt < WRITE_RETRIES && e.is_transient() {
                        attempt += 1;
                        retry_pause(attempt);
                        continue;
                    }
                    return Err(self.fail(e));
                }
            }
        }
    }

    /// Starts a batch of document inserts: the [`Store::insert_document`] and
    /// [`Store::insert_documents`] calls that follow share one write transaction (taken at
    /// once, so other writers wait), each under its own savepoint: a document that fails
    /// leaves nothing and the batch goes on. Nothing of the batch is visible to other
    /// connections, or survives a crash, before [`Store::commit_batch`]; any other write
    /// commits it first. Reads see the batch. Starting a batch when one is open does
    /// nothing.
    ///
    /// Small files were dominated by the commit of their own transaction: SQLite rewrote
    /// the same index pages and the revision for every file.
    pub fn begin_batch(&mut self) -> Result<()> {
        if self.read_only {
            return Err(Error::ReadOnly {
                path: self.path.clone(),
            });
        }
        if self.batch.is_some() && self.conn.in_transaction() {
            return Ok(());
        }
        self.batch = None;
        // Each savepoint saves the pages the batch changed before it and changes again
        // (index and table ends, the id sequence): about 30 page writes per document to a
        // temporary file, as many as a commit of its own. In memory they cost a copy.
        if !self.conn.is_pg() {
            self.conn
                .batch("PRAGMA temp_store = MEMORY")
                .map_err(|e| self.fail(e))?;
        }
        if let Err(e) = self.conn.begin_write() {
            if self.conn.in_transaction() {
                let _ = self.conn.rollback();
            }
            return Err(self.fail(e));
        }
        self.batch = Some(Batch { inserted: 0 });
        Ok(())
    }

    /// Whether a batch of inserts is open: `false` again after [`Store::commit_batch`], and
    /// also when SQLite gave up the batch's transaction after an error (a full disk, an I/O
    /// error), in which case none of the batch's documents were stored.
    pub fn in_batch(&mut self) -> bool {
        if self.batch.is_some() && !self.conn.in_transaction() {
            self.batch = None;
        }
        self.batch.is_some()
    }

    /// Commits the open batch of inserts, bumping the revision once if it stored anything;
    /// without a batch, does nothing. On an error the batch is rolled back: none of its
    /// documents are stored.
    pub fn commit_batch(&mut self) -> Result<()> {
        let Some(batch) = self.batch.take() else {
            return Ok(());
        };
        if !self.conn.in_transaction() {
            // SQLite already rolled the transaction back; the failed insert said why.
            return Err(Error::BatchLost {
                path: self.path.clone(),
            });
        }
        let done = (|| -> Result<()> {
            if batch.inserted > 0 {
                bump_revision(&self.conn)?;
            }
            self.conn.commit()?;
            Ok(())
        })();
        match done {
            Ok(()) => {
                self.revisions_written += u64::from(batch.inserted > 0);
                // Only a speed setting: the commit stands whatever this says.
                if !self.conn.is_pg() {
                    let _ = self.conn.batch("PRAGMA temp_store = DEFAULT");
                }
                Ok(())
            }
            Err(e) => {
                if self.conn.in_transaction() {
                    let _ = self.conn.rollback();
                }
                Err(self.fail(e))
            }
        }
    }

    /// How many revisions this connection committed: one per write that changed something,
    /// one per batch that stored something. A caller that read [`Store::revision`] before
    /// its writes can tell from the two whether another process wrote in between.
    pub fn revisions_written(&self) -> u64 {
        self.revisions_written
    }

    /// Runs `write` under a savepoint of the open batch (or, without one, in a transaction
    /// of its own): on an error nothing of it stays, and the batch goes on.
    fn insert_write<T>(&mut self, mut write: impl FnMut(&Db) -> Result<T>) -> Result<T> {
        if !self.in_batch() {
            return self.write(write);
        }
        let conn = &self.conn;
        let done = (|| -> Result<T> {
            conn.simple("SAVEPOINT ambit_insert")?;
            let value = write(conn)?;
            conn.simple("RELEASE ambit_insert")?;
            Ok(value)
        })();
        match done {
            Ok(value) => {
                if let Some(b) = &mut self.batch {
                    b.inserted += 1;
                }
                Ok(value)
            }
            Err(e) => {
                // After some errors (a full disk, I/O) SQLite rolls back the whole
                // transaction itself; `in_batch` then says so.
                if self.conn.in_transaction() {
                    let _ = self
                        .conn
                        .batch("ROLLBACK TO ambit_insert; RELEASE ambit_insert");
                }
                Err(self.fail(e))
            }
        }
    }

    /// The revision counter: bumped by every write.
    pub fn revision(&self) -> Result<u64> {
        self.reading(|| {
            let v: String = self.conn.query_row(
                "SELECT value FROM meta WHERE key = 'revision'",
                params![],
                |r| r.get(0),
            )?;
            v.parse()
                .map_err(|_| Error::Corrupt(format!("revision {v:?}")))
        })
    }

    /// A project file the store keeps for everyone working on it (a team store keeps
    /// `codebook.toml` and the shared `ambit.toml` settings), if it keeps one by that name.
    pub fn shared_file(&self, name: &str) -> Result<Option<String>> {
        self.reading(|| {
            self.conn.query_opt(
                "SELECT value FROM meta WHERE key = ?1",
                params![format!("file:{name}")],
                |r| r.get(0),
            )
        })
    }

    /// Keeps `text` as the project file `name` (see [`Store::shared_file`]), in one
    /// transaction; returns whether it changed. The revision stays: as with the files of a
    /// project on SQLite, derived data does not depend on these texts.
    pub fn put_shared_file(&mut self, name: &str, text: &str) -> Result<bool> {
        let key = format!("file:{name}");
        self.write_if_changed(|tx| {
            let old: Option<String> =
                tx.query_opt("SELECT value FROM meta WHERE key = ?1", params![key], |r| {
                    r.get(0)
                })?;
            if old.as_deref() == Some(text) {
                return Ok((false, false));
            }
            tx.execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, text],
            )?;
            Ok((true, false))
        })
    }

    /// The document with exactly these bytes, if one was imported before.
    pub fn find_by_hash(&self, hash: &str) -> Result<Option<Existing>> {
        self.find("content_hash = ?1", hash)
    }

    /// The document imported from this source path, if any (the first, for a file that
    /// gave several).
    pub fn find_by_source(&self, source: &str) -> Result<Option<Existing>> {
        self.find("source = ?1", source)
    }

    /// A document with exactly this title, if any.
    pub fn find_by_title(&self, title: &str) -> Result<Option<Existing>> {
        self.find("title = ?1", title)
    }

    /// Changes a document's own fields (title, kind, date, phase, attributes) in one
    /// transaction; its text, passages and codings stay as they are.
    pub fn update_document(&mut self, doc: &Document) -> Result<()> {
        self.write(|tx| {
            let changed = tx.execute(
                "UPDATE documents SET title = ?2, kind = ?3, date = ?4, phase = ?5 WHERE id = ?1",
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
            Ok(())
        })
    }

    /// How a document was imported: its reader, encoding, content hash and source path.
    pub fn import_info(&self, id: DocId) -> Result<ImportInfo> {
        self.reading(|| {
            self.conn
                .query_opt(
                    "SELECT format, encoding, content_hash, source FROM documents WHERE id = ?1",
                    params![id.0],
                    |r| {
                        Ok(ImportInfo {
                            format: r.get(0)?,
                            encoding: r.get(1)?,
                            content_hash: r.get(2)?,
                            source: r.get(3)?,
                        })
                    },
                )?
                .ok_or_else(|| Error::NoSuchDocument(id.to_string()))
        })
    }

    /// Replaces a document's passages (a new reading of the same text, `ambit add
    /// --reparse`), in one transaction. The text and every coding stay: codings point at
    /// characters of the text, which does not change. Returns `false` (and writes nothing)
    /// when the passages are the ones stored.
    pub fn replace_passages(&mut self, id: DocId, passages: &[NewPassage]) -> Result<bool> {
        let stored = self.passages_as_stored(id)?;
        let same = stored.len() == passages.len()
            && stored
                .iter()
                .zip(passages)
                .all(|(a, b)| a.span == b.span && a.words as usize == b.words);
        if same {
            return Ok(false);
        }
        self.write(|tx| {
            record_change(tx, id)?;
            record_change(tx, id)?;
            tx.execute("DELETE FROM passages WHERE doc = ?1", params![id.0])?;
            insert_passages(tx, id, passages)?;
            Ok(true)
        })
    }

    /// The original file of a document, when the store keeps it.
    pub fn original(&self, id: DocId) -> Result<Option<Original>> {
        let found = self.reading(|| {
            self.conn.query_opt(
                "SELECT name, bytes FROM originals WHERE doc = ?1",
                params![id.0],
                |r| {
                    Ok(Original {
                        name: r.get(0)?,
                        bytes: r.get(1)?,
                    })
                },
            )
        })?;
        match found {
            // Stored empty: the original is the text (see `write_children`).
            Some(mut o) if o.bytes.is_empty() => {
                o.bytes = self.text(id)?.into_bytes();
                Ok(Some(o))
            }
            other => Ok(other),
        }
    }

    fn find(&self, cond: &str, value: &str) -> Result<Option<Existing>> {
        self.reading(|| {
            self.conn.query_opt(&find_sql(cond), params![value], |r| {
                Ok(Existing {
                    id: DocId(r.get(0)?),
                    title: r.get(1)?,
                    source: r.get(2)?,
                    content_hash: r.get(3)?,
                })
            })
        })
    }

    /// Stores a new document with its passages and attributes, in one transaction (or,
    /// in a batch, under a savepoint of the batch's transaction): all of it or nothing.
    pub fn insert_document(&mut self, doc: &NewDocument) -> Result<DocId> {
        let now = now_utc();
        self.insert_write(|conn| insert_new(conn, doc, &now))
    }

    /// Stores several new documents (the messages of an mbox, the rows of a survey) in one
    /// transaction (or, in a batch, under one savepoint): all of them or none.
    pub fn insert_documents(&mut self, docs: &[NewDocument]) -> Result<Vec<DocId>> {
        let now = now_utc();
        self.insert_write(|conn| docs.iter().map(|doc| insert_new(conn, doc, &now)).collect())
    }

    /// Replaces a document's content in place, keeping its id. Refused when a person coded
    /// it by hand; its rule-made codings are dropped (auto-coding remakes them).
    pub fn replace_document(&mut self, id: DocId, doc: &NewDocument) -> Result<()> {
        self.write(|tx| {
            let manual = count_manual(tx, id)?;
            if manual > 0 {
                return Err(Error::HasManualCodings {
                    doc: id.to_string(),
                    count: manual,
                });
            }
            record_change(tx, id)?;
            tx.execute("DELETE FROM codings WHERE doc = ?1", params![id.0])?;
            replace_content(tx, id, doc)
        })
    }

    /// How many codings of a document a person made by hand.
    pub fn manual_codings(&self, id: DocId) -> Result<u64> {
        self.reading(|| count_manual(&self.conn, id))
    }

    /// All documents in id order, with passage and word counts.
    pub fn documents(&self) -> Result<Vec<DocRow>> {
        self.document_rows(None)
    }

    /// All documents (`None`) or one, with passage and word counts.
    fn document_rows(&self, only: Option<DocId>) -> Result<Vec<DocRow>> {
        self.reading(|| {
            let mut attrs = self.attributes(only)?;
            let mut out = Vec::new();
            let mut row = |r: &Row<'_>| -> Result<()> {
                let (columns, words, passages) =
                    (doc_columns(r)?, r.get::<i64>(6)?, r.get::<i64>(7)?);
                out.push(DocRow {
                    doc: document(columns, &mut attrs)?,
                    passages: passages as u64,
                    words: words as u64,
                });
                Ok(())
            };
            // Two statements, not `?1 IS NULL OR …`, which SQLite plans as a scan.
            match only {
                None => self.conn.query_each(
                    "SELECT d.id, d.title, d.kind, d.date, d.phase, d.source, d.words,
                        (SELECT COUNT(*) FROM passages p WHERE p.doc = d.id)
                     FROM documents d ORDER BY d.id",
                    params![],
                    &mut row,
                )?,
                Some(id) => self.conn.query_each(
                    "SELECT d.id, d.title, d.kind, d.date, d.phase, d.source, d.words,
                        (SELECT COUNT(*) FROM passages p WHERE p.doc = d.id)
                     FROM documents d WHERE d.id = ?1",
                    params![id.0],
                    &mut row,
                )?,
            };
            Ok(out)
        })
    }

    /// These documents (those that exist), in id order, without counts: what search shows
    /// of the documents of its hits.
    pub fn documents_brief_of(&self, ids: &[DocId]) -> Result<Vec<Document>> {
        self.reading(|| {
            let mut ids = ids.to_vec();
            ids.sort_unstable();
            ids.dedup();
            let mut out = Vec::with_capacity(ids.len());
            for id in ids {
                let mut attrs = self.attributes(Some(id))?;
                self.conn.query_each(
                    "SELECT id, title, kind, date, phase, source FROM documents WHERE id = ?1",
                    params![id.0],
                    |r| -> Result<()> {
                        out.push(document(doc_columns(r)?, &mut attrs)?);
                        Ok(())
                    },
                )?;
            }
            Ok(out)
        })
    }

    /// All documents in id order, without counts: cheap whatever the number of passages
    /// (search reads it for every query that needs them all).
    pub fn documents_brief(&self) -> Result<Vec<Document>> {
        self.reading(|| {
            let mut attrs = self.attributes(None)?;
            // Only columns stored before `text`, all in the `documents_listing` index: reading
            // the table would read a page per document.
            let mut out = Vec::new();
            self.conn.query_each(
                "SELECT id, title, kind, date, phase, source FROM documents ORDER BY id",
                params![],
                |r| -> Result<()> {
                    out.push(document(doc_columns(r)?, &mut attrs)?);
                    Ok(())
                },
            )?;
            Ok(out)
        })
    }

    /// The attributes of every document (`None`) or of one.
    fn attributes(&self, only: Option<DocId>) -> Result<BTreeMap<u32, BTreeMap<String, String>>> {
        let mut attrs: BTreeMap<u32, BTreeMap<String, String>> = BTreeMap::new();
        let mut row = |r: &Row<'_>| -> Result<()> {
            attrs
                .entry(r.get::<u32>(0)?)
                .or_default()
                .insert(r.get(1)?, r.get(2)?);
            Ok(())
        };
        match only {
            None => self.conn.query_each(
                "SELECT doc, key, value FROM attributes ORDER BY doc, key",
                params![],
                &mut row,
            )?,
            Some(id) => self.conn.query_each(
                "SELECT doc, key, value FROM attributes WHERE doc = ?1 ORDER BY key",
                params![id.0],
                &mut row,
            )?,
        };
        Ok(attrs)
    }

    /// The passages with these ids and their texts, in the order asked (`None` for an id
    /// without a passage). The database cuts a few passages out of a document itself; a
    /// document with many passages asked is read once.
    pub fn passage_texts(&self, ids: &[PassageId]) -> Result<Vec<Option<(Passage, String)>>> {
        self.reading(|| {
            /// Above this many passages of one document, reading its text once is cheaper.
            const CUT_IN_SQL: usize = 16;
            let mut by_doc: BTreeMap<DocId, Vec<usize>> = BTreeMap::new();
            for (i, id) in ids.iter().enumerate() {
                by_doc.entry(id.doc).or_default().push(i);
            }
            let mut out: Vec<Option<(Passage, String)>> = vec![None; ids.len()];
            // `substr` counts characters, like passage offsets, in both databases.
            let cut =
                "SELECT p.start, p.\"end\", p.speaker, p.start_ms, p.end_ms, p.page, p.heading,
                        p.question, p.words, substr(d.text, CAST(p.start + 1 AS INTEGER), CAST(p.\"end\" - p.start AS INTEGER))
             FROM passages p JOIN documents d ON d.id = p.doc
             WHERE p.doc = ?1 AND p.ordinal = ?2";
            let passage = |id, r: &Row<'_>| passage_from(id, r, 0);
            for (doc, at) in by_doc {
                if at.len() <= CUT_IN_SQL {
                    for i in at {
                        let id = ids[i];
                        out[i] = self.conn.query_opt(cut, params![doc.0, id.ordinal], |r| {
                            Ok((passage(id, r)?, r.get::<String>(9)?))
                        })?;
                    }
                    continue;
                }
                let text = self.text(doc)?;
                let chars = ambit_core::text::CharIndex::new(&text);
                let one = format!(
                    "SELECT {PASSAGE_COLUMNS} FROM passages WHERE doc = ?1 AND ordinal = ?2"
                );
                for i in at {
                    let id = ids[i];
                    let found = self
                        .conn
                        .query_opt(&one, params![doc.0, id.ordinal], |r| passage(id, r))?;
                    if let Some(p) = found {
                        let slice =
                            chars
                                .slice(&text, p.span.start, p.span.end)
                                .ok_or_else(|| {
                                    Error::Corrupt(format!(
                                        "passage {id} lies outside its document"
                                    ))
                                })?;
                        out[i] = Some((p, slice.to_string()));
                    }
                }
            }
            if !self.speakers.is_empty() {
                let kinds = self.kinds()?;
                for (p, _) in out.iter_mut().flatten() {
                    let kind = kinds.get(&p.id.doc).copied().unwrap_or(DocKind::Other);
                    self.name_speakers(std::slice::from_mut(p), |_| kind);
                }
            }
            Ok(out)
        })
    }

    /// One document by id.
    pub fn document(&self, id: DocId) -> Result<DocRow> {
        // The listing's query narrowed to one row: the coding API reads one document per
        // request, and listing them all (with every passage counted) cost 10 ms on a
        // thousand documents.
        self.document_rows(Some(id))?
            .pop()
            .ok_or_else(|| Error::NoSuchDocument(id.to_string()))
    }

    /// The stored text of a document.
    pub fn text(&self, id: DocId) -> Result<String> {
        self.reading(|| {
            self.conn
                .query_opt(
                    "SELECT text FROM documents WHERE id = ?1",
                    params![id.0],
                    |r| r.get(0),
                )?
                .ok_or_else(|| Error::NoSuchDocument(id.to_string()))
        })
    }

    /// Sets the speaker aliases that passages are read with (the project does this from
    /// its `ambit.toml`).
    pub fn set_speaker_aliases(&mut self, aliases: SpeakerAliases) {
        self.speakers = aliases;
    }

    /// Gives passages their speakers' names; `kind_of` says each document's kind.
    fn name_speakers(&self, passages: &mut [Passage], kind_of: impl Fn(DocId) -> DocKind) {
        if self.speakers.is_empty() {
            return;
        }
        for p in passages {
            if let Some(label) = &p.span.speaker {
                let name = self.speakers.resolve(p.id.doc, kind_of(p.id.doc), label);
                if name != label {
                    p.span.speaker = Some(name.to_string());
                }
            }
        }
    }

    /// The kind of every document, for speaker aliases by kind.
    fn kinds(&self) -> Result<BTreeMap<DocId, DocKind>> {
        let mut out = BTreeMap::new();
        self.conn.query_each(
            "SELECT id, kind FROM documents",
            params![],
            |r| -> Result<()> {
                let kind = DocKind::parse(r.str(1)?).unwrap_or(DocKind::Other);
                out.insert(DocId(r.get(0)?), kind);
                Ok(())
            },
        )?;
        Ok(out)
    }

    /// The passages of a document in order, speakers named by the aliases.
    pub fn passages(&self, id: DocId) -> Result<Vec<Passage>> {
        let mut out = self.passages_as_stored(id)?;
        if !self.speakers.is_empty() {
            let kind = self.reading(|| {
                let k: String = self.conn.query_row(
                    "SELECT kind FROM documents WHERE id = ?1",
                    params![id.0],
                    |r| r.get(0),
                )?;
                Ok(DocKind::parse(&k).unwrap_or(DocKind::Other))
            })?;
            self.name_speakers(&mut out, |_| kind);
        }
        Ok(out)
    }

    /// The passages of a document as stored, speaker labels as written (what the text
    /// says; [`Store::passages`] gives the names `[speakers]` maps them to).
    pub fn passages_as_stored(&self, id: DocId) -> Result<Vec<Passage>> {
        self.reading(|| {
            self.conn.query_vec(
                &format!(
                    "SELECT ordinal, {PASSAGE_COLUMNS} FROM passages WHERE doc = ?1
                     ORDER BY ordinal"
                ),
                params![id.0],
                |r| {
                    let ordinal = r.get(0)?;
                    passage_from(PassageId { doc: id, ordinal }, r, 1)
                },
            )
        })
    }

    /// Every passage of the project, ordered by document and ordinal.
    pub fn all_passages(&self) -> Result<Vec<Passage>> {
        self.reading(|| {
            let mut out = self.conn.query_vec(
                &format!(
                    "SELECT doc, ordinal, {PASSAGE_COLUMNS} FROM passages ORDER BY doc, ordinal"
                ),
                params![],
                |r| {
                    let id = PassageId {
                        doc: DocId(r.get(0)?),
                        ordinal: r.get(1)?,
                    };
                    passage_from(id, r, 2)
                },
            )?;
            if !self.speakers.is_empty() {
                let kinds = self.kinds()?;
                self.name_speakers(&mut out, |d| {
                    kinds.get(&d).copied().unwrap_or(DocKind::Other)
                });
            }
            Ok(out)
        })
    }

    /// Number of passages in the project.
    pub fn passage_count(&self) -> Result<u64> {
        self.reading(|| {
            let n: i64 = self
                .conn
                .query_row("SELECT COUNT(*) FROM passages", params![], |r| r.get(0))?;
            Ok(n as u64)
        })
    }

    /// The texts of all documents, by id.
    pub fn texts(&self) -> Result<BTreeMap<DocId, String>> {
        self.reading(|| {
            let mut out = BTreeMap::new();
            self.conn.query_each(
                "SELECT id, text FROM documents ORDER BY id",
                params![],
                |r| -> Result<()> {
                    out.insert(DocId(r.get(0)?), r.get(1)?);
                    Ok(())
                },
            )?;
            Ok(out)
        })
    }

    /// Speakers of transcript turns (named by the aliases), with their passage counts,
    /// most frequent first.
    pub fn speakers(&self) -> Result<Vec<(String, u64)>> {
        self.reading(|| {
            if self.speakers.is_empty() {
                return self.conn.query_vec(
                    "SELECT speaker, COUNT(*) FROM passages WHERE speaker IS NOT NULL
                     GROUP BY speaker ORDER BY COUNT(*) DESC, speaker",
                    params![],
                    |r| Ok((r.get(0)?, r.get::<i64>(1)? as u64)),
                );
            }
            let kinds = self.kinds()?;
            let mut counts: BTreeMap<String, u64> = BTreeMap::new();
            self.conn.query_each(
                "SELECT doc, speaker, COUNT(*) FROM passages WHERE speaker IS NOT NULL
                 GROUP BY doc, speaker",
                params![],
                |r| -> Result<()> {
                    let doc = DocId(r.get(0)?);
                    let n = r.get::<i64>(2)? as u64;
                    let kind = kinds.get(&doc).copied().unwrap_or(DocKind::Other);
                    *counts
                        .entry(self.speakers.resolve(doc, kind, r.str(1)?).to_string())
                        .or_default() += n;
                    Ok(())
                },
            )?;
            let mut out: Vec<(String, u64)> = counts.into_iter().collect();
            out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            Ok(out)
        })
    }
}

/// The document's row and children replaced by `doc`'s (for [`Store::replace_document`]
/// and merges); its codings are left to the caller.
pub(crate) fn replace_content(tx: &Db, id: DocId, doc: &NewDocument) -> Result<()> {
    record_change(tx, id)?;
    tx.execute("DELETE FROM passages WHERE doc = ?1", params![id.0])?;
    tx.execute("DELETE FROM attributes WHERE doc = ?1", params![id.0])?;
    tx.execute("DELETE FROM originals WHERE doc = ?1", params![id.0])?;
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
            doc.words as i64,
            now_utc(),
        ],
    )?;
    if changed == 0 {
        return Err(Error::NoSuchDocument(id.to_string()));
    }
    write_children(tx, id, doc)
}

/// Inserts the row of a new document and its children; `now` is its import time.
pub(crate) fn insert_new(conn: &Db, doc: &NewDocument, now: &str) -> Result<DocId> {
    let id: u32 = conn.query_row(
        "INSERT INTO documents (title, kind, date, phase, source, content_hash, format,
                                encoding, text, chars, words, imported_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) RETURNING id",
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
            doc.words as i64,
            now,
        ],
        |r| r.get(0),
    )?;
    let id = DocId(id);
    write_children(conn, id, doc)?;
    Ok(id)
}

pub(crate) fn write_children(conn: &Db, id: DocId, doc: &NewDocument) -> Result<()> {
    for (k, v) in &doc.attributes {
        conn.execute(
            "INSERT INTO attributes (doc, key, value) VALUES (?1, ?2, ?3)",
            params![id.0, k, v],
        )?;
    }
    insert_passages(conn, id, &doc.passages)?;
    if let Some(o) = &doc.original {
        // An original that is the text byte for byte (a UTF-8 file with LF line ends) is
        // stored empty and read back from the text: a plain-text corpus is not kept twice.
        let empty = Vec::new();
        let bytes = if o.bytes == doc.text.as_bytes() {
            &empty
        } else {
            &o.bytes
        };
        conn.execute(
            "INSERT INTO originals (doc, name, bytes) VALUES (?1, ?2, ?3)",
            params![id.0, o.name, *bytes],
        )?;
    }
    Ok(())
}

fn insert_passages(conn: &Db, id: DocId, passages: &[NewPassage]) -> Result<()> {
    for (i, p) in passages.iter().enumerate() {
        let s = &p.span;
        conn.execute(
            "INSERT INTO passages (doc, ordinal, start, \"end\", speaker, start_ms, end_ms, page,
                                   heading, question, words)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                id.0,
                (i + 1) as i64,
                s.start as i64,
                s.end as i64,
                s.speaker,
                s.start_ms.map(|v| v as i64),
                s.end_ms.map(|v| v as i64),
                s.page,
                s.heading,
                s.question,
                p.words as i64,
            ],
        )?;
    }
    Ok(())
}

/// The passage columns `start, end, speaker, start_ms, end_ms, page, heading, question,
/// words`, in this order; [`passage_from`] reads them.
pub(crate) const PASSAGE_COLUMNS: &str =
    "start, \"end\", speaker, start_ms, end_ms, page, heading, question, words";

/// A passage from [`PASSAGE_COLUMNS`], read from column `at` on.
fn passage_from(id: PassageId, r: &Row<'_>, at: usize) -> Result<Passage> {
    Ok(Passage {
        id,
        span: PassageSpan {
            start: r.get::<i64>(at)? as usize,
            end: r.get::<i64>(at + 1)? as usize,
            speaker: r.get(at + 2)?,
            start_ms: r.get::<Option<i64>>(at + 3)?.map(|v| v as u64),
            end_ms: r.get::<Option<i64>>(at + 4)?.map(|v| v as u64),
            page: r.get(at + 5)?,
            heading: r.get(at + 6)?,
            question: r.get(at + 7)?,
        },
        words: r.get(at + 8)?,
    })
}
/// id, title, kind, date, phase, source: the first six columns of a document listing.
type DocColumns = (u32, String, String, Option<String>, Option<String>, String);

fn doc_columns(r: &Row<'_>) -> Result<DocColumns> {
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

fn count_manual(conn: &Db, id: DocId) -> Result<u64> {
    let n: i64 = conn.query_row(
        "SELECT COUNT(*) FROM codings WHERE doc = ?1 AND origin = 'manual'",
        params![id.0],
        |r| r.get(0),
    )?;
    Ok(n as u64)
}

/// How many times a write the server gave up on (a serialization failure, a deadlock) is
/// run again before its error is reported. Writers queue on the project's lock, so these
/// are rare: a retry is for a server that resolves a conflict by cancelling one side.
const WRITE_RETRIES: u32 = 5;

/// Prepared statements SQLite keeps per connection: every statement of the store is
/// cached (the default of 16 made auto-coding and imports prepare theirs again).
const STATEMENT_CACHE: usize = 128;

/// A pause of a random 10–60 ms times the attempt, so that two writers that conflicted do
/// not meet again at once.
fn retry_pause(attempt: u32) {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u32(attempt);
    let jitter = 10 + h.finish() % 50;
    std::thread::sleep(Duration::from_millis(jitter * u64::from(attempt)));
}

/// The first document (by id) where `cond` holds.
fn find_sql(cond: &str) -> String {
    format!(
        "SELECT id, title, source, content_hash FROM documents WHERE {cond} ORDER BY id LIMIT 1"
    )
}

/// Makes SQLite plan a cached statement once, whatever values are bound to it later.
/// Without this (the query planner stability guarantee), SQLite re-plans a statement
/// each time a new value is bound to a parameter it may use for the plan: the document
/// lookups of an import (`content_hash = ?1 ORDER BY id LIMIT 1`) were prepared again for
/// every file, a tenth of importing many small files.
fn plan_once(conn: &Connection) -> Result<()> {
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    Ok(())
}

/// The schema version and the number of schema objects: (0, 0) for a file without tables.
fn probe(conn: &Connection) -> Result<(i64, i64)> {
    let version = schema::sqlite_version(conn)?;
    let tables = conn.query_row("SELECT COUNT(*) FROM sqlite_master", [], |r| r.get(0))?;
    Ok((version, tables))
}

/// `path` with `suffix` appended to its file name (`store.db-wal`).
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn presence(path: &Path) -> Result<Presence> {
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Presence::Missing),
        Err(source) => Err(Error::Io {
            path: path.to_path_buf(),
            source,
        }),
        Ok(m) if m.len() == 0 => {
            // A legitimate store is never empty: setting WAL mode writes its first page.
            // A log next to an emptied file may hold what is left of the store, and SQLite
            // deletes the log of an empty file on opening it.
            let wal = std::fs::metadata(sibling(path, "-wal")).map_or(0, |m| m.len());
            Ok(if wal > 0 {
                Presence::Truncated(wal)
            } else {
                Presence::Empty
            })
        }
        Ok(_) => Ok(Presence::Present),
    }
}

/// Refuses a store that is missing or empty, before SQLite could create or change it.
fn require_present(path: &Path) -> Result<()> {
    let path_buf = || path.to_path_buf();
    match presence(path)? {
        Presence::Missing => Err(Error::StoreMissing { path: path_buf() }),
        Presence::Empty => Err(Error::StoreEmpty { path: path_buf() }),
        Presence::Truncated(wal_bytes) => Err(Error::StoreTruncated {
            path: path_buf(),
            wal_bytes,
        }),
        Presence::Present => Ok(()),
    }
}

/// An SQLite URI opening `path` as immutable (read-only media: no locks, no `-shm`).
fn immutable_uri(path: &Path) -> String {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    #[cfg(unix)]
    let bytes = std::os::unix::ffi::OsStrExt::as_bytes(abs.as_os_str()).to_vec();
    #[cfg(not(unix))]
    let bytes = abs.to_string_lossy().replace('\\', "/").into_bytes();
    let mut uri = String::from("file:");
    if bytes.first() != Some(&b'/') {
        // A Windows drive path: `file:/C:/…`.
        uri.push('/');
    }
    for b in bytes {
        if b.is_ascii_alphanumeric() || b"/-._~:".contains(&b) {
            uri.push(char::from(b));
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri.push_str("?immutable=1");
    uri
}

/// Records that this write deletes or changes the passages or codings of the documents
/// `SELECT doc FROM {docs_in}` finds (say `codings WHERE code = ?1`), or gives one of
/// them an id of its own: derived data built at an earlier revision reads those documents
/// again ([`Store::documents_changed_since`]). Call it before the statement, inside the
/// write. Rows inserted with new ids need nothing: they are found by id.
pub(crate) fn record_changes(tx: &Db, docs_in: &str, params: &[&dyn Param]) -> Result<()> {
    tx.execute(
        &format!(
            "INSERT INTO document_changes (doc, revision)
             SELECT DISTINCT c.doc, (SELECT CAST(value AS BIGINT) FROM meta WHERE key = 'revision')
             FROM (SELECT doc FROM {docs_in}) AS c WHERE true
             ON CONFLICT (doc) DO UPDATE SET revision = excluded.revision"
        ),
        params,
    )?;
    Ok(())
}

/// [`record_changes`] for every document: cheaper than finding which ones a bulk change
/// touches (replacing every rule coding touches nearly all, and a search for them cost a
/// quarter of the write).
pub(crate) fn record_all_changed(tx: &Db) -> Result<()> {
    record_changes(tx, "(SELECT id AS doc FROM documents) AS d", params![])
}

/// [`record_changes`] for one document.
pub(crate) fn record_change(tx: &Db, doc: DocId) -> Result<()> {
    tx.execute(
        "INSERT INTO document_changes (doc, revision)
         SELECT ?1, CAST(value AS BIGINT) FROM meta WHERE key = 'revision'
         ON CONFLICT (doc) DO UPDATE SET revision = excluded.revision",
        params![doc.0],
    )?;
    Ok(())
}

/// Revision tokens kept: derived data older than this many writes is rebuilt, not updated.
const REVISIONS_KEPT: i64 = 100_000;

/// Bumps the revision counter and leaves a random token for the new revision (see
/// [`Store::revision_token`]), forgetting the tokens of revisions long past.
pub(crate) fn bump_revision(conn: &Db) -> Result<()> {
    conn.execute(
        "UPDATE meta SET value = CAST(CAST(value AS BIGINT) + 1 AS TEXT) WHERE key = 'revision'",
        params![],
    )?;
    let random = if conn.is_pg() {
        "CAST(random() * 9.0e18 AS BIGINT)"
    } else {
        "random()"
    };
    conn.execute(
        &format!(
            "INSERT INTO revisions (revision, token)
             SELECT CAST(value AS BIGINT), {random} FROM meta WHERE key = 'revision'
             ON CONFLICT (revision) DO UPDATE SET token = excluded.token"
        ),
        params![],
    )?;
    conn.execute(
        "DELETE FROM revisions WHERE revision <= (
             SELECT CAST(value AS BIGINT) FROM meta WHERE key = 'revision') - ?1",
        params![REVISIONS_KEPT],
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every statement in the store's sources that deletes or changes passages, codings or
    /// documents, or inserts one with an id of its own, is preceded (within 12 lines)
    /// by `record_change`/`record_changes`: otherwise tables built before it would miss
    /// what it did. Memos on codings are not part of any table.
    #[test]
    fn every_change_of_passages_or_codings_is_recorded() {
        let sources = [
            ("store.rs", include_str!("store.rs")),
            ("codings.rs", include_str!("codings.rs")),
            ("team.rs", include_str!("team.rs")),
            ("guids.rs", include_str!("guids.rs")),
            ("copy.rs", include_str!("copy.rs")),
            ("tables.rs", include_str!("tables.rs")),
            ("stream.rs", include_str!("stream.rs")),
        ];
        let changes = [
            "DELETE FROM codings",
            "DELETE FROM passages",
            "DELETE FROM documents",
            "UPDATE codings SET",
            "UPDATE passages SET",
            "INSERT INTO codings (id",
            "INSERT INTO documents (id",
            "INSERT INTO passages (doc, ordinal",
        ];
        let mut checked = 0;
        for (file, text) in sources {
            // Only the code, not its tests (which change stores by hand on purpose).
            let code = text.split("#[cfg(test)]").next().unwrap_or(text);
            let lines: Vec<&str> = code.lines().collect();
            for (n, line) in lines.iter().enumerate() {
                let Some(what) = changes.iter().find(|c| line.contains(*c)) else {
                    continue;
                };
                let exempt = line.contains("SET memo")
                    // Passages of a document that was new, or whose passages were deleted
                    // (recorded) just before: see `insert_passages`.
                    || what.starts_with("INSERT INTO passages");
                if exempt || line.trim_start().starts_with("//") {
                    continue;
                }
                let before = &lines[n.saturating_sub(12)..n];
                assert!(
                    before
                        .iter()
                        .any(|l| l.contains("record_change") || l.contains("record_all_changed")),
                    "{file}:{}: `{what}` without record_change(s) before it",
                    n + 1
                );
                checked += 1;
            }
        }
        assert!(
            checked >= 12,
            "{checked} statements found: is the check still looking?"
        );
    }

    fn doc(title: &str) -> NewDocument {
        NewDocument {
            title: title.into(),
            kind: DocKind::Interview,
            date: None,
            phase: None,
            source: format!("{title}.txt"),
            content_hash: format!("hash-{title}"),
            format: "txt".into(),
            encoding: "UTF-8".into(),
            text: "text".into(),
            words: 1,
            attributes: BTreeMap::new(),
            passages: Vec::new(),
            original: None,
        }
    }

    /// A cached lookup is planned once: binding another value does not prepare it again
    /// (an import looks up every file's hash, source and title).
    #[test]
    fn lookups_are_not_prepared_again_for_each_value() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open_or_create(&dir.path().join("store.db")).unwrap();
        let mut ids = Vec::new();
        for t in ["a", "b", "c"] {
            ids.push(s.insert_document(&doc(t)).unwrap());
        }
        for (t, id) in ["a", "b", "c"].iter().zip(&ids) {
            let found = s.find_by_hash(&format!("hash-{t}")).unwrap().unwrap();
            assert_eq!(found.id, *id);
            assert_eq!(s.find_by_title(t).unwrap().unwrap().id, *id);
            assert_eq!(
                s.find_by_source(&format!("{t}.txt")).unwrap().unwrap().id,
                *id
            );
        }
        assert!(s.find_by_hash("hash-x").unwrap().is_none());
        let Db::Sqlite(c) = &s.conn else {
            panic!("a project store is SQLite")
        };
        for cond in ["content_hash = ?1", "title = ?1", "source = ?1"] {
            let stmt = c.prepare_cached(&find_sql(cond)).unwrap();
            let again = stmt.get_status(rusqlite::StatementStatus::RePrepare);
            assert_eq!(again, 0, "{cond}");
        }
    }

    /// A transaction the server gives up (serialization failure, deadlock) runs again from
    /// the start; another error is not retried.
    #[test]
    fn a_write_the_server_gave_up_runs_again() {
        crate::testing::each("t", |e| {
            let s = &mut e.project.store;
            if !s.is_server() {
                return;
            }
            let before = s.revision().unwrap();
            let mut runs = 0;
            s.write(|tx| {
                runs += 1;
                if runs < 3 {
                    let code = if runs == 1 { "40001" } else { "40P01" };
                    tx.batch(&format!(
                        "DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = '{code}'; END $$"
                    ))?;
                }
                Ok(())
            })
            .unwrap();
            assert_eq!(runs, 3);
            assert_eq!(s.revision().unwrap(), before + 1);
            let mut runs = 0;
            let err = s
                .write(|tx| {
                    runs += 1;
                    tx.batch("DO $$ BEGIN RAISE EXCEPTION 'no' USING ERRCODE = '22012'; END $$")
                })
                .unwrap_err();
            assert_eq!(runs, 1, "{err}");
            assert!(err.to_string().contains("team store"), "{err}");
        });
    }

    /// SQLite may give up a whole transaction after an error (a full disk, an I/O error):
    /// the batch is then gone, says so, and what follows is written on its own.
    #[test]
    fn a_batch_rolled_back_by_sqlite_is_reported_lost() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open_or_create(&dir.path().join("store.db")).unwrap();
        s.begin_batch().unwrap();
        s.insert_document(&doc("a")).unwrap();
        s.conn.batch("ROLLBACK").unwrap();
        let err = s.commit_batch().unwrap_err();
        assert!(matches!(err, Error::BatchLost { .. }), "{err}");
        assert!(!s.in_batch());

        s.begin_batch().unwrap();
        s.insert_document(&doc("b")).unwrap();
        s.conn.batch("ROLLBACK").unwrap();
        assert!(!s.in_batch());
        let c = s.insert_document(&doc("c")).unwrap();
        assert!(!s.in_batch());
        let titles: Vec<String> = s
            .documents()
            .unwrap()
            .into_iter()
            .map(|d| d.doc.title)
            .collect();
        assert_eq!(titles, ["c"]);
        assert_eq!(c.to_string(), "D1");
        assert_eq!(s.revisions_written(), 1);
    }
}
