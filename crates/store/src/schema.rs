//! The schema of both backends and its forward migrations.
//!
//! SQLite keeps the schema version in `PRAGMA user_version`, PostgreSQL in the `meta` row
//! `schema_version`. Migrations only ever move forward, each in one transaction, so a
//! project written by an older Ambit opens in a newer one and a failed migration leaves the
//! store as it was. Migration `i` of [`MIGRATIONS`] and of [`PG_MIGRATIONS`] make the same
//! tables, columns and rules, each in its server's types: PostgreSQL ids come from identity
//! columns, whose sequences never give an id twice (SQLite's AUTOINCREMENT), blobs are
//! BYTEA, and text compares byte-wise (`COLLATE "C"`) as SQLite's does, so listings come in
//! the same order from both.

use crate::db::{params, Db};

use crate::error::{Error, Result};

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
    // Version 4: what changed since a revision, so derived data (the tables snapshot) is
    // brought up to date document by document instead of being rebuilt after every write.
    // Each write transaction leaves a random token for the revision it makes, so derived
    // data built at a revision can tell this store's history from another's (a backup put
    // back and written to again reaches the same revision numbers with other contents).
    // Not triggers: a row trigger doubled the time of replacing 400,000 rule codings.
    r#"
    CREATE TABLE revisions (
        revision INTEGER PRIMARY KEY,
        token    INTEGER NOT NULL
    );
    INSERT INTO revisions (revision, token)
        SELECT CAST(value AS INTEGER), random() FROM meta WHERE key = 'revision';

    -- The revision counter's value while a write last deleted or changed a document's
    -- passages or codings, or gave one of them an id of its own (`record_changes` in
    -- store.rs); what new ids add is found by id. Derived data built at revision R reads
    -- again the documents with `revision >= R`.
    CREATE TABLE document_changes (
        doc      INTEGER PRIMARY KEY,
        revision INTEGER NOT NULL
    );

    -- Listings with word counts (`ambit docs`, `ambit phases`) read the index, not the
    -- table: `words` comes after `text` in a row, so reading it walked every text's pages
    -- (a 280 MB store read whole for a list of 1,000 documents).
    DROP INDEX documents_listing;
    CREATE INDEX documents_listing ON documents (id, title, kind, date, phase, source, words);

    -- And from this version on, an original whose bytes are its document's text exactly
    -- is stored empty (`Store::original` gives the text): a plain-text file is not kept
    -- twice. Older versions refuse this store, so none of them reads an empty original.
    "#,
];

/// The PostgreSQL migrations, one for each of [`MIGRATIONS`].
const PG_MIGRATIONS: &[&str] = &[
    r#"
    CREATE TABLE meta (
        key   TEXT COLLATE "C" PRIMARY KEY,
        value TEXT NOT NULL
    );
    INSERT INTO meta (key, value) VALUES ('revision', '0');

    CREATE TABLE documents (
        id           BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        title        TEXT COLLATE "C" NOT NULL,
        kind         TEXT COLLATE "C" NOT NULL,
        date         TEXT COLLATE "C",
        phase        TEXT COLLATE "C",
        source       TEXT COLLATE "C" NOT NULL,
        content_hash TEXT COLLATE "C" NOT NULL,
        format       TEXT COLLATE "C" NOT NULL,
        encoding     TEXT COLLATE "C" NOT NULL,
        text         TEXT COLLATE "C" NOT NULL,
        chars        BIGINT NOT NULL,
        words        BIGINT NOT NULL,
        imported_at  TEXT COLLATE "C" NOT NULL
    );
    CREATE INDEX documents_hash ON documents (content_hash);
    CREATE INDEX documents_source ON documents (source);
    CREATE INDEX documents_title ON documents (title);

    CREATE TABLE attributes (
        doc   BIGINT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        key   TEXT COLLATE "C" NOT NULL,
        value TEXT COLLATE "C" NOT NULL,
        PRIMARY KEY (doc, key)
    );

    CREATE TABLE passages (
        doc      BIGINT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
        ordinal  BIGINT NOT NULL,
        start    BIGINT NOT NULL,
        "end"    BIGINT NOT NULL,
        speaker  TEXT COLLATE "C",
        start_ms BIGINT,
        end_ms   BIGINT,
        page     BIGINT,
        words    BIGINT NOT NULL,
        PRIMARY KEY (doc, ordinal),
        CHECK (start <= "end")
    );

    CREATE TABLE codings (
        id      BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        doc     BIGINT NOT NULL REFERENCES documents (id) ON DELETE RESTRICT,
        start   BIGINT NOT NULL,
        "end"   BIGINT NOT NULL,
        code    TEXT COLLATE "C" NOT NULL,
        coder   TEXT COLLATE "C" NOT NULL,
        origin  TEXT COLLATE "C" NOT NULL,
        created TEXT COLLATE "C" NOT NULL,
        memo    TEXT COLLATE "C",
        CHECK (start <= "end")
    );
    CREATE INDEX codings_doc ON codings (doc, start);
    CREATE INDEX codings_code ON codings (code);

    CREATE TABLE memos (
        id      BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        target  TEXT COLLATE "C" NOT NULL,
        author  TEXT COLLATE "C" NOT NULL,
        created TEXT COLLATE "C" NOT NULL,
        text    TEXT COLLATE "C" NOT NULL
    );
    "#,
    r#"
    CREATE INDEX documents_listing ON documents (id, title, kind, date, phase, source);
    "#,
    r#"
    ALTER TABLE passages ADD COLUMN heading BOOLEAN NOT NULL DEFAULT false;
    ALTER TABLE passages ADD COLUMN question TEXT COLLATE "C";

    CREATE TABLE originals (
        doc   BIGINT PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
        name  TEXT COLLATE "C" NOT NULL,
        bytes BYTEA NOT NULL
    );

    ALTER TABLE codings ADD COLUMN status TEXT COLLATE "C";
    ALTER TABLE codings ADD COLUMN quote TEXT COLLATE "C";

    CREATE TABLE guids (
        kind TEXT COLLATE "C" NOT NULL,
        key  TEXT COLLATE "C" NOT NULL,
        guid TEXT COLLATE "C" NOT NULL,
        PRIMARY KEY (kind, key)
    );
    CREATE UNIQUE INDEX guids_guid ON guids (guid);
    "#,
    // Version 4, as SQLite's.
    r#"
    CREATE TABLE revisions (
        revision BIGINT PRIMARY KEY,
        token    BIGINT NOT NULL
    );
    INSERT INTO revisions (revision, token)
        SELECT CAST(value AS BIGINT), CAST(random() * 9.0e18 AS BIGINT)
        FROM meta WHERE key = 'revision';

    CREATE TABLE document_changes (
        doc      BIGINT PRIMARY KEY,
        revision BIGINT NOT NULL
    );

    DROP INDEX documents_listing;
    CREATE INDEX documents_listing ON documents (id, title, kind, date, phase, source, words);

    "#,
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

const _: () = assert!(PG_MIGRATIONS.len() == MIGRATIONS.len());

/// The schema version of an SQLite connection.
pub(crate) fn sqlite_version(conn: &rusqlite::Connection) -> Result<i64> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// The schema version of an open database (0 for a PostgreSQL schema without tables).
pub(crate) fn version(conn: &Db) -> Result<i64> {
    match conn {
        Db::Sqlite(c) => sqlite_version(c),
        Db::Pg(_) => {
            let has_meta =
                conn.query_row("SELECT to_regclass('meta') IS NOT NULL", params![], |r| {
                    r.get::<bool>(0)
                })?;
            if !has_meta {
                return Ok(0);
            }
            let v = conn.query_opt(
                "SELECT value FROM meta WHERE key = 'schema_version'",
                params![],
                |r| r.get::<String>(0),
            )?;
            v.map_or(Ok(0), |v| {
                v.parse()
                    .map_err(|_| Error::Corrupt(format!("schema version {v:?}")))
            })
        }
    }
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
pub(crate) fn migrate(conn: &Db) -> Result<()> {
    // Read outside a write transaction first: most opens need nothing, and a reader must
    // not wait for the write lock.
    if !check(version(conn)?)? {
        return Ok(());
    }
    loop {
        // The version is read again inside the write transaction: two commands opening an
        // old store at once both see it old, and the second must not migrate it twice.
        conn.begin_write()?;
        let step = (|| -> Result<bool> {
            let found = version(conn)?;
            if !check(found)? {
                return Ok(false);
            }
            let list = if conn.is_pg() {
                PG_MIGRATIONS
            } else {
                MIGRATIONS
            };
            let sql = usize::try_from(found)
                .ok()
                .and_then(|i| list.get(i))
                .ok_or_else(|| Error::Corrupt(format!("schema version {found}")))?;
            conn.batch(sql)?;
            if conn.is_pg() {
                conn.execute(
                    "INSERT INTO meta (key, value) VALUES ('schema_version', ?1)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    params![(found + 1).to_string()],
                )?;
            } else {
                conn.batch(&format!("PRAGMA user_version = {}", found + 1))?;
            }
            Ok(true)
        })();
        match step {
            Ok(more) => {
                conn.commit()?;
                if !more {
                    return Ok(());
                }
            }
            Err(e) => {
                if conn.in_transaction() {
                    let _ = conn.rollback();
                }
                return Err(e);
            }
        }
    }
}
