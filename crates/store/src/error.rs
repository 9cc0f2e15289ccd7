//! The error type of the project store.
//!
//! SQLite's own errors reach the user as one sentence that names the store file and says
//! what to do ([`Error::Damaged`], [`Error::Locked`], [`Error::DiskFull`],
//! [`Error::ReadOnly`], [`Error::CannotOpen`], [`Error::StoreIo`]); only errors a user cannot
//! meet through Ambit's commands stay [`Error::Sqlite`].

use std::path::{Path, PathBuf};

use rusqlite::ErrorCode;

/// What can go wrong opening or writing a project.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No `ambit.toml` in the directory or any parent.
    #[error("not inside an Ambit project (no ambit.toml in {start} or any parent directory); create one with `ambit init [DIR]` or pass --project DIR")]
    NotAProject {
        /// Where the search started.
        start: PathBuf,
    },
    /// `ambit init` on a directory that already holds a project with its store.
    #[error("{0} already holds an Ambit project (ambit.toml and its store exist)")]
    AlreadyAProject(PathBuf),
    /// `ambit.toml` does not parse or breaks a rule.
    #[error("{path}: {message}")]
    Config {
        /// The config file.
        path: PathBuf,
        /// What is wrong, with the line where known.
        message: String,
    },
    /// Reading or writing a project file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The store file is not there (deleted, moved, or the project copied without `.ambit/`).
    /// Only `ambit init` creates a store, so a lost one is never replaced by an empty one.
    #[error("the project store {path} is missing: restore it from a backup, or run `{}` to start this project again with an empty store", init_command(.path))]
    StoreMissing {
        /// The store file.
        path: PathBuf,
    },
    /// The store file holds nothing: no bytes, or no tables (emptied, or a creation that
    /// never finished).
    #[error("the project store {path} is empty: restore it from a backup, or run `{}` to start this project again with an empty store", init_command(.path))]
    StoreEmpty {
        /// The store file.
        path: PathBuf,
    },
    /// The store file has no bytes but its write-ahead log holds some: what is left of the
    /// store is in the log, which SQLite would discard on opening, so it is not opened.
    #[error("the project store {path} is empty but its write-ahead log {path}-wal still holds {wal_bytes} bytes: leave both files as they are and restore the store from a backup")]
    StoreTruncated {
        /// The store file.
        path: PathBuf,
        /// Size of the `-wal` file.
        wal_bytes: u64,
    },
    /// The store file is damaged or is not an SQLite database.
    #[error("the project store {path} is damaged ({detail}): restore it from a backup; `sqlite3 {path} .recover` may rescue part of it")]
    Damaged {
        /// The store file.
        path: PathBuf,
        /// SQLite's description ("database disk image is malformed", "file is not a database").
        detail: String,
    },
    /// Another process held the store's write lock for longer than the wait.
    #[error("the project store {path} stayed locked by another Ambit command for {seconds} s: wait until it has finished (or stop it) and run this command again")]
    Locked {
        /// The store file.
        path: PathBuf,
        /// How long this command waited.
        seconds: u64,
    },
    /// The disk holding the store is full; the step was rolled back.
    #[error("the disk holding the project store {path} is full, so nothing was written: free some space and run this command again")]
    DiskFull {
        /// The store file.
        path: PathBuf,
    },
    /// A command that changes the project ran on a store that can only be read.
    #[error("the project store {path} is read-only (a read-only folder or file, or no write permission), so this command cannot change the project: make {} and the files in it writable, or copy the project to a folder you can write", data_dir(.path))]
    ReadOnly {
        /// The store file.
        path: PathBuf,
    },
    /// A read-only store of an older schema: upgrading it needs write access.
    #[error("the project store {path} has schema version {found} and must be upgraded to {known} by a write, but it is read-only: open it once where it is writable, or copy the project to a folder you can write")]
    ReadOnlyOutdated {
        /// The store file.
        path: PathBuf,
        /// Version in the file.
        found: i64,
        /// Version this build needs.
        known: i64,
    },
    /// A read-only store whose write-ahead log holds changes that cannot be read without
    /// write access to the folder (SQLite needs a `-shm` file next to the log).
    #[error("the project store {path} is read-only and its write-ahead log {path}-wal holds changes that can only be read with write access to {}: open the project once where it is writable", data_dir(.path))]
    ReadOnlyWithLog {
        /// The store file.
        path: PathBuf,
    },
    /// SQLite could not open the store file.
    #[error("cannot open the project store {path} ({detail}): check that the file exists and that you may read it")]
    CannotOpen {
        /// The store file.
        path: PathBuf,
        /// SQLite's description.
        detail: String,
    },
    /// The operating system failed to read or write the store (a failing disk or network
    /// share).
    #[error("reading or writing the project store {path} failed ({detail}): check the disk or the network share, then run this command again")]
    StoreIo {
        /// The store file.
        path: PathBuf,
        /// SQLite's description.
        detail: String,
    },
    /// Another database error (not one a user meets through Ambit's commands).
    #[error("project store: {0}")]
    Sqlite(rusqlite::Error),
    /// A PostgreSQL error not (yet) tied to the store's URL.
    #[error("project store: {0}")]
    Postgres(postgres::Error),
    /// The PostgreSQL server of a team store could not be reached or refused the
    /// connection.
    #[error("cannot connect to the team store {url} ({detail}): {hint}")]
    ServerUnreachable {
        /// The store's URL, without its password.
        url: String,
        /// What the client or server said.
        detail: String,
        /// What to do.
        hint: String,
    },
    /// A PostgreSQL error on a team store, named by its URL.
    #[error("the team store {url} failed ({detail}): {hint}")]
    Server {
        /// The store's URL, without its password.
        url: String,
        /// What the server said.
        detail: String,
        /// What to do.
        hint: String,
    },
    /// A team store URL that cannot be used.
    #[error("the store URL {url} is not usable: {problem}")]
    BadStoreUrl {
        /// The URL as given, without its password.
        url: String,
        /// What is wrong and what to write instead.
        problem: String,
    },
    /// The project's schema on the server does not exist (or holds no Ambit tables).
    #[error("the team store {url} has no project {project:?} (schema {schema} is missing or empty): create it with `ambit init DIR --store URL`, or check the `project=` part of the URL")]
    NoServerProject {
        /// The store's URL, without its password.
        url: String,
        /// The project name.
        project: String,
        /// The schema.
        schema: String,
    },
    /// `ambit init --store` on a server project that exists already (without `--join`).
    #[error("the team store {url} already holds the project {project:?}: join it with `ambit init DIR --store URL --join`")]
    ServerProjectExists {
        /// The store's URL, without its password.
        url: String,
        /// The project name.
        project: String,
    },
    /// `ambit store copy` onto a store that holds documents or codings.
    #[error("the target store {0} is not empty: copy into a new project (a new SQLite file, or a new `project=` on the server)")]
    TargetNotEmpty(String),
    /// The store was written by a newer Ambit.
    #[error("the project store has schema version {found}, but this Ambit knows up to {known}: upgrade Ambit to open it")]
    TooNew {
        /// Version in the file.
        found: i64,
        /// Newest version this build knows.
        known: i64,
    },
    /// A document id that is not in the project.
    #[error("no document {0} in this project (see `ambit docs`)")]
    NoSuchDocument(String),
    /// A passage id that is not in the project.
    #[error("no passage {0} in this project (see `ambit show DOC`)")]
    NoSuchPassage(String),
    /// A coding id that is not in the project.
    #[error("no coding {0} in this project (see `ambit codings`)")]
    NoSuchCoding(i64),
    /// Replacing a document whose codings a person made by hand.
    #[error("{doc} has {count} manual coding(s); replacing it would lose them. Export or remove those codings first")]
    HasManualCodings {
        /// The document.
        doc: String,
        /// How many manual codings it has.
        count: u64,
    },
    /// A value read back from the store breaks a domain rule (a damaged or hand-edited store).
    #[error("project store holds an invalid value: {0}")]
    Corrupt(String),
    /// SQLite gave up the transaction of a batch of inserts after an error in one of them
    /// (a full disk, an I/O error): none of the batch's documents were stored.
    #[error("the project store {path} rolled back a batch of documents after an error, so none of them were stored: fix what the error said and run the command again")]
    BatchLost {
        /// The store file.
        path: PathBuf,
    },
    /// A domain rule was broken.
    #[error(transparent)]
    Core(#[from] ambit_core::Error),
}

// Not `#[from]`: that would make the SQLite error the source too, and the chain would
// repeat its text ("database is locked: database is locked: Error code 5: …").
impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Error {
        Error::Sqlite(e)
    }
}

impl From<postgres::Error> for Error {
    fn from(e: postgres::Error) -> Error {
        Error::Postgres(e)
    }
}

impl Error {
    /// The error a user should see for a database error on the store at `path`: the SQLite
    /// failures a user can meet become their own variants; anything else is unchanged.
    pub(crate) fn in_store(self, path: &Path, wait: std::time::Duration) -> Error {
        if let Error::Postgres(e) = self {
            return server_error(&path.to_string_lossy(), &e);
        }
        let Error::Sqlite(e) = self else { return self };
        let Some(code) = e.sqlite_error_code() else {
            return Error::Sqlite(e);
        };
        let path = path.to_path_buf();
        let detail = e.to_string();
        match code {
            ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase => Error::Damaged { path, detail },
            ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => Error::Locked {
                path,
                seconds: wait.as_secs(),
            },
            ErrorCode::DiskFull => Error::DiskFull { path },
            ErrorCode::ReadOnly => Error::ReadOnly { path },
            ErrorCode::CannotOpen | ErrorCode::PermissionDenied => {
                Error::CannotOpen { path, detail }
            }
            ErrorCode::SystemIoFailure => Error::StoreIo { path, detail },
            _ => Error::Sqlite(e),
        }
    }
}

impl Error {
    /// Whether the server gave the transaction up to resolve a conflict with another one
    /// (serialization failure, deadlock), so running it again may succeed.
    pub(crate) fn is_transient(&self) -> bool {
        use postgres::error::SqlState;
        match self {
            Error::Postgres(e) => e.code().is_some_and(|c| {
                *c == SqlState::T_R_SERIALIZATION_FAILURE || *c == SqlState::T_R_DEADLOCK_DETECTED
            }),
            _ => false,
        }
    }
}

/// The sentence for a PostgreSQL error on the store at `url` (shown without password).
pub(crate) fn server_error(url: &str, e: &postgres::Error) -> Error {
    use postgres::error::SqlState;
    let url = url.to_string();
    let Some(db) = e.as_db_error() else {
        let detail = std::error::Error::source(e).map_or_else(|| e.to_string(), |s| s.to_string());
        let hint = if e.is_closed() {
            "the connection was closed; check that the server is running and run this command again"
        } else {
            "check that the server is running and reachable, then run this command again"
        };
        return Error::ServerUnreachable {
            url,
            detail,
            hint: hint.into(),
        };
    };
    let detail = db.message().to_string();
    let code = db.code();
    let hint = if *code == SqlState::INVALID_PASSWORD
        || *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION
    {
        "check the user name and the password (PGPASSWORD, ~/.pgpass or `password_command` in ambit.toml)"
    } else if *code == SqlState::INVALID_CATALOG_NAME {
        "create the database on the server (`createdb NAME`) or fix the URL"
    } else if *code == SqlState::INSUFFICIENT_PRIVILEGE {
        "ask the database's owner to grant this user the rights on the project's schema"
    } else if *code == SqlState::DISK_FULL {
        "the server's disk is full; nothing was written"
    } else if *code == SqlState::LOCK_NOT_AVAILABLE || *code == SqlState::QUERY_CANCELED {
        "another Ambit command held the project's write lock too long; run this command again"
    } else {
        "run this command again; if it fails again, ask the database's administrator"
    };
    let unreachable = [
        SqlState::INVALID_PASSWORD,
        SqlState::INVALID_AUTHORIZATION_SPECIFICATION,
        SqlState::INVALID_CATALOG_NAME,
        SqlState::CANNOT_CONNECT_NOW,
        SqlState::TOO_MANY_CONNECTIONS,
    ];
    if unreachable.contains(code) {
        Error::ServerUnreachable {
            url,
            detail,
            hint: hint.into(),
        }
    } else {
        Error::Server {
            url,
            detail,
            hint: hint.into(),
        }
    }
}

/// The command that starts the project of the store at `path` again.
fn init_command(path: &Path) -> String {
    match project_root(path) {
        Some(root) if root.as_os_str().is_empty() => "ambit init".to_string(),
        Some(root) => format!("ambit init {}", root.display()),
        None => "ambit init".to_string(),
    }
}

/// The folder holding the store file.
fn data_dir(path: &Path) -> String {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| ".".to_string(), |p| p.display().to_string())
}

/// The project folder of a store at `ROOT/.ambit/store.db`.
fn project_root(path: &Path) -> Option<&Path> {
    let data = path.parent()?;
    (data.file_name()? == crate::project::DATA_DIR)
        .then(|| data.parent())
        .flatten()
}

/// The result type of the store.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::ffi;

    /// The SQLite failures a user can meet, as each reads: one sentence with the file and
    /// the way out, and no source to repeat it.
    #[test]
    fn sqlite_failures_become_sentences() {
        fn check(code: i32, message: &str, expected: &str) {
            let raw = rusqlite::Error::SqliteFailure(ffi::Error::new(code), Some(message.into()));
            let path = Path::new("study/.ambit/store.db");
            let err = Error::from(raw).in_store(path, std::time::Duration::from_secs(30));
            assert_eq!(err.to_string(), expected, "code {code}");
            assert!(std::error::Error::source(&err).is_none(), "code {code}");
        }
        check(
            ffi::SQLITE_CORRUPT,
            "database disk image is malformed",
            "the project store study/.ambit/store.db is damaged (database disk image is malformed): restore it from a backup; `sqlite3 study/.ambit/store.db .recover` may rescue part of it",
        );
        check(
            ffi::SQLITE_NOTADB,
            "file is not a database",
            "the project store study/.ambit/store.db is damaged (file is not a database): restore it from a backup; `sqlite3 study/.ambit/store.db .recover` may rescue part of it",
        );
        check(
            ffi::SQLITE_BUSY,
            "database is locked",
            "the project store study/.ambit/store.db stayed locked by another Ambit command for 30 s: wait until it has finished (or stop it) and run this command again",
        );
        check(
            ffi::SQLITE_FULL,
            "database or disk is full",
            "the disk holding the project store study/.ambit/store.db is full, so nothing was written: free some space and run this command again",
        );
        check(
            ffi::SQLITE_READONLY,
            "attempt to write a readonly database",
            "the project store study/.ambit/store.db is read-only (a read-only folder or file, or no write permission), so this command cannot change the project: make study/.ambit and the files in it writable, or copy the project to a folder you can write",
        );
        check(
            ffi::SQLITE_CANTOPEN,
            "unable to open database file",
            "cannot open the project store study/.ambit/store.db (unable to open database file): check that the file exists and that you may read it",
        );
        check(
            ffi::SQLITE_IOERR_READ,
            "disk I/O error",
            "reading or writing the project store study/.ambit/store.db failed (disk I/O error): check the disk or the network share, then run this command again",
        );
        // Not one a user meets: kept as SQLite says it.
        check(
            ffi::SQLITE_CONSTRAINT,
            "UNIQUE constraint failed: x",
            "project store: UNIQUE constraint failed: x",
        );
    }

    #[test]
    fn lost_store_advice_names_the_project_folder() {
        let missing = |p: &str| {
            Error::StoreMissing {
                path: PathBuf::from(p),
            }
            .to_string()
        };
        assert!(missing("study/.ambit/store.db").contains("`ambit init study`"));
        assert!(missing(".ambit/store.db").contains("`ambit init`"));
        assert!(missing("elsewhere/s.db").contains("`ambit init`"));
    }
}
