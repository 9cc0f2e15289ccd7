//! Building a whole index beside the one in use and swapping it in, so a search never
//! sees a half-built index and no build, failed or killed, leaves its folder behind.
//!
//! For an index at `.ambit/index`, a build writes `.ambit/.index.tmp-<pid>/` and holds
//! `.ambit/.index.tmp-<pid>.lock` (an OS file lock, released when the process ends,
//! however it ends) until the new index is in place. A build that fails removes its
//! folder; a build that starts removes the folders of builds whose lock nobody holds
//! any more (killed processes), and leaves those of builds still running alone.

use std::path::{Path, PathBuf};

use tantivy::directory::error::LockError;
use tantivy::directory::{Directory, DirectoryLock, Lock, MmapDirectory};

use crate::error::{Error, Result};
use crate::index::Index;
use crate::language::Stemming;

/// An empty index being built in a temporary folder beside `dir`; [`Staging::finish`]
/// puts it in place of the old one. Dropped unfinished (an error on the way), it removes
/// its folder.
pub struct Staging {
    // Declared before `cleanup`, so it is closed before its folder is removed.
    index: Index,
    cleanup: Cleanup,
}

impl std::fmt::Debug for Staging {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Staging")
            .field("dir", &self.cleanup.dir)
            .field("tmp", &self.cleanup.tmp)
            .finish()
    }
}

impl Staging {
    /// Starts building the index that will live in `dir`: removes what builds of no
    /// running process left behind, then creates an empty index in a fresh temporary
    /// folder. [`Error::Busy`] when this process is already building `dir`.
    pub fn create(dir: &Path, stemming: Stemming) -> Result<Staging> {
        let (parent, prefix) = tmp_prefix(dir)?;
        std::fs::create_dir_all(&parent).map_err(|source| Error::Io {
            path: parent.clone(),
            source,
        })?;
        let stem = format!("{prefix}{}", std::process::id());
        let lock = BuildLock::acquire(&parent, &stem)?.ok_or(Error::Busy)?;
        remove_leftovers(&parent, &prefix, &stem);
        let cleanup = Cleanup {
            dir: dir.to_path_buf(),
            tmp: parent.join(&stem),
            lock: Some(lock),
        };
        // A folder of our own name was left by an earlier process with the same id.
        remove_dir(&cleanup.tmp)?;
        let index = Index::create(&cleanup.tmp, stemming)?;
        Ok(Staging { index, cleanup })
    }

    /// The index being built: write it with [`Index::writer`] and commit.
    pub fn index(&self) -> &Index {
        &self.index
    }

    /// The temporary folder the index is built in.
    pub fn path(&self) -> &Path {
        &self.cleanup.tmp
    }

    /// Replaces the index in `dir` (if any) with the built one and opens it there.
    pub fn finish(self) -> Result<Index> {
        let Staging { index, cleanup } = self;
        // Closed first: its files must not be open while the folder is renamed.
        drop(index);
        remove_dir(&cleanup.dir)?;
        std::fs::rename(&cleanup.tmp, &cleanup.dir).map_err(|source| Error::Io {
            path: cleanup.dir.clone(),
            source,
        })?;
        Index::open(&cleanup.dir)
    }
}

/// Removes a build's temporary folder (gone already after a rename) and releases its lock.
struct Cleanup {
    dir: PathBuf,
    tmp: PathBuf,
    lock: Option<BuildLock>,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        // Unless the build succeeded, this runs on an error path, which has its own error
        // to report: removing is best effort, and the next build tries again.
        let _ = remove_dir(&self.tmp);
        if let Some(lock) = self.lock.take() {
            lock.release();
        }
    }
}

/// The folder that holds `dir` and the name prefix of its builds' temporary folders
/// (`.index.tmp-` for `index`).
fn tmp_prefix(dir: &Path) -> Result<(PathBuf, String)> {
    let name = dir.file_name().ok_or_else(|| Error::Io {
        path: dir.to_path_buf(),
        source: std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "an index folder needs a name",
        ),
    })?;
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Ok((parent, format!(".{}.tmp-", name.to_string_lossy())))
}

/// Removes the temporary folders (and lock files) of builds other than `own` whose lock
/// no process holds. Best effort: a leftover that cannot be removed now is tried again
/// by the next build, and must not stop this one.
fn remove_leftovers(parent: &Path, prefix: &str, own: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let mut stems: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|name| name.starts_with(prefix))
        .map(|name| name.strip_suffix(LOCK_SUFFIX).unwrap_or(&name).to_string())
        .filter(|stem| stem != own)
        .collect();
    stems.sort();
    stems.dedup();
    for stem in stems {
        if let Ok(Some(lock)) = BuildLock::acquire(parent, &stem) {
            let _ = remove_dir(&parent.join(&stem));
            lock.release();
        }
    }
}

const LOCK_SUFFIX: &str = ".lock";

/// The lock a running build holds on `<stem>.lock` beside its folder.
pub(crate) struct BuildLock {
    _lock: DirectoryLock,
    path: PathBuf,
}

impl BuildLock {
    /// Takes the lock of build `stem` in `parent`; `None` when a build holds it.
    pub(crate) fn acquire(parent: &Path, stem: &str) -> Result<Option<BuildLock>> {
        let io = |e: std::io::Error| Error::Io {
            path: parent.to_path_buf(),
            source: e,
        };
        let directory =
            MmapDirectory::open(parent).map_err(|e| io(std::io::Error::other(e.to_string())))?;
        let name = format!("{stem}{LOCK_SUFFIX}");
        let lock = Lock {
            filepath: PathBuf::from(&name),
            is_blocking: false,
        };
        match directory.acquire_lock(&lock) {
            Ok(lock) => Ok(Some(BuildLock {
                _lock: lock,
                path: parent.join(name),
            })),
            Err(LockError::LockBusy) => Ok(None),
            Err(LockError::IoError(e)) => Err(io(std::io::Error::new(e.kind(), e.to_string()))),
        }
    }

    /// Releases the lock and removes its file.
    pub(crate) fn release(self) {
        let path = self.path.clone();
        // The file is unlocked when its handle closes; removed after that, because an
        // open file cannot be removed everywhere.
        drop(self);
        let _ = std::fs::remove_file(path);
    }
}

fn remove_dir(dir: &Path) -> Result<()> {
    match std::fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(Error::Io {
            path: dir.to_path_buf(),
            source,
        }),
    }
}
