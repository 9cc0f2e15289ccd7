//! Unit tests on both backends: SQLite always, PostgreSQL when `AMBIT_TEST_PG` names a
//! server (see `tests/backend/mod.rs`, which does the same for the integration tests).
#![allow(clippy::unwrap_used)]

use crate::{Project, Store, StoreUrl};

/// A test project and what removes it.
pub(crate) struct Each {
    pub(crate) project: Project,
    _dir: tempfile::TempDir,
    url: Option<StoreUrl>,
}

impl Each {
    /// Another connection to the project's store.
    pub(crate) fn open_store(&self) -> Store {
        match &self.url {
            None => Store::open(self.project.store.path()).unwrap(),
            Some(url) => Store::open_server(url, None).unwrap(),
        }
    }
}

impl Drop for Each {
    fn drop(&mut self) {
        if let Some(url) = &self.url {
            let _ = self
                .project
                .store
                .conn
                .batch(&format!("DROP SCHEMA IF EXISTS {} CASCADE", url.schema()));
        }
    }
}

/// Runs `test` with a new project named `name` on each backend.
pub(crate) fn each(name: &str, test: impl Fn(&mut Each)) {
    let dir = tempfile::tempdir().unwrap();
    let project = Project::init(dir.path(), name).unwrap();
    test(&mut Each {
        project,
        _dir: dir,
        url: None,
    });
    let Ok(base) = std::env::var("AMBIT_TEST_PG") else {
        return;
    };
    if base.is_empty() {
        return;
    }
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let sep = if base.contains('?') { '&' } else { '?' };
    let url = StoreUrl::parse(&format!(
        "{base}{sep}project=u{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ))
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let project = Project::init_server(dir.path(), name, &url, false).unwrap();
    eprintln!("-- on PostgreSQL {}", url.shown());
    test(&mut Each {
        project,
        _dir: dir,
        url: Some(url),
    });
}
