//! The SQLite schema and its forward migrations.
//!
//! `PRAGMA user_version` holds the schema version. Migrations only ever move forward, each
//! in one transaction, so a project written by an older Ambit opens in a newer one and a
//! failed migration leaves the file as it was.

use rusqlite::Connection;

use crate::error::{Error, Result};
use crate::store::begin_write;

/// Migration `i` moves the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // Version 1: documents, passages, attributes, codings, memos, and the revision counter.
    r#"
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    INSERT INTO meta (key, value) VALUES ('revision', '0');

    -- AUTOINCREMENT: a deleted document's id is never given to another one, so `D7`
    -- in a researcher's notes keeps meaning the same document.
    CREATE TABLE documents (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        title        TEXT NOT NULL,
        kind         TEXT NOT NULL,
        date         TEXT,
        phase        TEXT,
        source       TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        format       TEXT NOT NULL,
        encoding     TEXT NOT NULL,
        text         TEXT NOT NULL,
        chars        INTEGER NOT NULL,
        words        INTEGER NOT NULL,
        imported_at  TEXT NOT NULL
    );
    CREATE INDEX documents_hash ON documents (content_hash);
    CREATE INDEX documents_source ON documents (source);
    CREATE INDEX documents_title ON documents (title);

    CREATE TABLE attributes (
        doc   INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        key   TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (doc, key)
    ) WITHOUT ROWID;

    CREATE TABLE passages (
        doc      INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        ordinal  INTEGER NOT NULL,
        start    INTEGER NOT NULL,
        end      INTEGER NOT NULL,
        speaker  TEXT,
        start_ms INTEGER,
        end_ms   INTEGER,
        page     INTEGER,
        words    INTEGER NOT NULL,
        PRIMARY KEY (doc, ordinal),
        CHECK (start <= end)
    ) WITHOUT ROWID;

    -- Codings are weeks of human work: a document with codings cannot be deleted by a
    -- cascade; the code that removes documents must decide about codings explicitly.
    CREATE TABLE codings (
        id      INTEGER PRIMARY KEY AUTOINCREMENT,
        doc     INTEGER NOT NULL REFERENCES documents (id) ON DELETE RESTRICT,
        start   INTEGER NOT NULL,
        end     INTEGER NOT NULL,
        code    TEXT NOT NULL,
        coder   TEXT NOT NULL,
        origin  TEXT NOT NULL,
        created TEXT NOT NULL,
        memo    TEXT,
        CHECK (start <= end)
    );
    CREATE INDEX codings_doc ON codings (doc, start);
    CREATE INDEX codings_code ON codings (code);

    CREATE TABLE memos (
        id      INTEGER PRIMARY KEY AUTOINCREMENT,
        target  TEXT NOT NULL,
        author  TEXT NOT NULL,
        created TEXT NOT NULL,
        text    TEXT NOT NULL
    );
    "#,
    // Version 2: document listings without reading the table. Each document row holds its
    // text, so listing 1,000 documents read 1,000 pages; search lists them every time.
    r#"
    CREATE INDEX documents_listing ON documents (id, title, kind, date, phase, source);
    "#,
    // Version 3: what readers said and the store dropped (headings, survey questions), the
    // original files, codings that need a look after a document edit, and the GUIDs of
    // objects exchanged with other tools (REFI-QDA), so a re-export keeps them.
    r#"
    ALTER TABLE passages ADD COLUMN heading INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE passages ADD COLUMN question TEXT;

    CREATE TABLE originals (
        doc   INTEGER PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
        name  TEXT NOT NULL,
        bytes BLOB NOT NULL
    );

    -- NULL: fine; 'needs-review': its text changed when the document was corrected;
    -- 'detached': its text was deleted, `quote` keeps what it coded.
    ALTER TABLE codings ADD COLUMN status TEXT;
    ALTER TABLE codings ADD COLUMN quote TEXT;

    CREATE TABLE guids (
        kind TEXT NOT NULL,
        key  TEXT NOT NULL,
        guid TEXT NOT NULL,
        PRIMARY KEY (kind, key)
    ) WITHOUT ROWID;
    CREATE UNIQUE INDEX guids_guid ON guids (guid);
    "#,
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// The schema version of an open database.
pub(crate) fn version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Refuses a store written by a newer Ambit; returns whether it needs migrating.
pub(crate) fn check(found: i64) -> Result<bool> {
    if found > SCHEMA_VERSION {
        return Err(Error::TooNew {
            found,
            known: SCHEMA_VERSION,
        });
    }
    Ok(found < SCHEMA_VERSION)
}

/// Brings the database to [`SCHEMA_VERSION`].
pub(crate) fn migrate(conn: &mut Connection) -> Result<()> {
    // Read outside a write transaction first: most opens need nothing, and a reader must
    // not wait for the write lock.
    if !check(version(conn)?)? {
        return Ok(());
    }
    loop {
        // The version is read again inside the write transaction: two commands opening an
        // old store at once both see it old, and the second must not migrate it twice.
        let tx = begin_write(conn)?;
        let found = version(&tx)?;
        if !check(found)? {
            return Ok(());
        }
        let sql = usize::try_from(found)
            .ok()
            .and_then(|i| MIGRATIONS.get(i))
            .ok_or_else(|| Error::Corrupt(format!("schema version {found}")))?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", found + 1)?;
        tx.commit()?;
    }
}
