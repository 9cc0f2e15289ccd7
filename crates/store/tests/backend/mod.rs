//! Runs each store test on both backends: the project's SQLite file always, and a fresh
//! project on the PostgreSQL server named by `AMBIT_TEST_PG` (`.ci/run` starts one) when
//! that variable is set; without it the PostgreSQL half says once how to run it.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Once;

use ambit_store::{Project, Store, StoreUrl};

/// A backend the tests run on.
#[derive(Debug, Clone)]
pub enum Backend {
    /// `.ambit/store.db`.
    Sqlite,
    /// A server: the URL of a database (each test makes its own project schema).
    Pg(String),
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Backend::Sqlite => f.write_str("SQLite"),
            Backend::Pg(url) => write!(f, "PostgreSQL {url}"),
        }
    }
}

/// The backends to run on.
pub fn backends() -> Vec<Backend> {
    static SAID: Once = Once::new();
    match std::env::var("AMBIT_TEST_PG") {
        Ok(url) if !url.is_empty() => vec![Backend::Sqlite, Backend::Pg(url)],
        _ => {
            // Written to the process's stderr itself: the test harness would capture an
            // `eprintln!` of a passing test, and this must be seen.
            SAID.call_once(|| {
                use std::io::Write;
                let _ = writeln!(
                    std::io::stderr(),
                    "PostgreSQL store tests skipped: set AMBIT_TEST_PG=postgres://user@host/db (see .ci/run, which starts a throw-away server)"
                );
            });
            vec![Backend::Sqlite]
        }
    }
}

/// Runs `test` on every backend, naming the backend when it fails.
pub fn each(test: impl Fn(&Backend)) {
    for b in backends() {
        eprintln!("-- on {b}");
        test(&b);
    }
}

/// A new project for one test, its folder and (on a server) its schema removed afterwards.
pub struct TestProject {
    pub project: Project,
    pub dir: tempfile::TempDir,
    pub backend: Backend,
    pub url: Option<StoreUrl>,
}

impl std::ops::Deref for TestProject {
    type Target = Project;
    fn deref(&self) -> &Project {
        &self.project
    }
}

impl std::ops::DerefMut for TestProject {
    fn deref_mut(&mut self) -> &mut Project {
        &mut self.project
    }
}

/// A unique project name for this process.
pub fn fresh_name() -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "t{}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed),
        nanos % 1_000_000
    )
}

/// A server URL for a new project on `base`.
pub fn project_url(base: &str, name: &str) -> StoreUrl {
    let sep = if base.contains('?') { '&' } else { '?' };
    StoreUrl::parse(&format!("{base}{sep}project={name}")).unwrap()
}

/// Makes a project named `name` on backend `b`.
pub fn init(b: &Backend, name: &str) -> TestProject {
    let dir = tempfile::tempdir().unwrap();
    match b {
        Backend::Sqlite => TestProject {
            project: Project::init(dir.path(), name).unwrap(),
            dir,
            backend: b.clone(),
            url: None,
        },
        Backend::Pg(base) => {
            let url = project_url(base, &fresh_name());
            let project = Project::init_server(dir.path(), name, &url, false).unwrap();
            TestProject {
                project,
                dir,
                backend: b.clone(),
                url: Some(url),
            }
        }
    }
}

/// Opens connections to a test project's store, from any thread.
#[derive(Debug, Clone)]
pub struct Opener {
    db: PathBuf,
    url: Option<StoreUrl>,
}

impl Opener {
    /// Another connection to the store.
    pub fn open_store(&self) -> Store {
        match &self.url {
            None => Store::open(&self.db).unwrap(),
            Some(url) => Store::open_server(url, None).unwrap(),
        }
    }
}

impl TestProject {
    /// What opens connections to this store from other threads.
    pub fn opener(&self) -> Opener {
        Opener {
            db: self.db_path(),
            url: self.url.clone(),
        }
    }

    /// Whether this runs on PostgreSQL.
    pub fn is_pg(&self) -> bool {
        matches!(self.backend, Backend::Pg(_))
    }

    /// The SQLite file (only for SQLite).
    pub fn db_path(&self) -> PathBuf {
        self.dir.path().join(".ambit/store.db")
    }

    /// The project folder.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Another connection to the same store.
    pub fn open_store(&self) -> Store {
        match &self.url {
            None => Store::open(&self.db_path()).unwrap(),
            Some(url) => Store::open_server(url, None).unwrap(),
        }
    }

    /// Another connection for reading (a server store has no read-only mode).
    pub fn open_read_only(&self) -> Store {
        match &self.url {
            None => Store::open_read_only(&self.db_path()).unwrap(),
            Some(url) => Store::open_server(url, None).unwrap(),
        }
    }

    /// Runs SQL on the store through a connection of its own (as a hand edit would).
    pub fn sql(&self, sql: &str) {
        match &self.url {
            None => rusqlite::Connection::open(self.db_path())
                .unwrap()
                .execute_batch(sql)
                .unwrap(),
            Some(url) => {
                let mut c = client(&self.backend);
                c.batch_execute(&format!("SET search_path TO {}; {sql}", url.schema()))
                    .unwrap();
            }
        }
    }
}

fn client(b: &Backend) -> postgres::Client {
    let Backend::Pg(base) = b else {
        unreachable!("SQLite has no server")
    };
    postgres::Client::connect(base, postgres::NoTls).unwrap()
}

impl Drop for TestProject {
    fn drop(&mut self) {
        if let Some(url) = &self.url {
            if let Ok(mut c) = postgres::Client::connect(
                match &self.backend {
                    Backend::Pg(base) => base,
                    Backend::Sqlite => return,
                },
                postgres::NoTls,
            ) {
                let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", url.schema()));
            }
        }
    }
}
