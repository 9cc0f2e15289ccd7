//! Finding, creating and opening a project folder.

use std::path::{Path, PathBuf};

use crate::config::{Config, CONFIG_FILE};
use crate::error::{Error, Result};
use crate::store::Store;

/// Folder inside the project root that holds the store and derived data.
pub const DATA_DIR: &str = ".ambit";
/// The database file inside [`DATA_DIR`].
pub const STORE_FILE: &str = "store.db";

/// An open project: its root folder, its settings and its store.
#[derive(Debug)]
pub struct Project {
    /// The folder holding `ambit.toml`.
    pub root: PathBuf,
    /// The parsed `ambit.toml`.
    pub config: Config,
    /// The database.
    pub store: Store,
}

impl Project {
    /// Creates a project in `dir` (made when missing): `ambit.toml` and an empty store.
    pub fn init(dir: &Path, name: &str) -> Result<Project> {
        let config_path = dir.join(CONFIG_FILE);
        if config_path.exists() {
            return Err(Error::AlreadyAProject(dir.to_path_buf()));
        }
        std::fs::create_dir_all(dir).map_err(|source| Error::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        write_new(&config_path, &Config::template(name))?;
        Project::open(dir)
    }

    /// Opens the project whose root is `root`.
    pub fn open(root: &Path) -> Result<Project> {
        let config = Config::load(root)?;
        let data = root.join(DATA_DIR);
        std::fs::create_dir_all(&data).map_err(|source| Error::Io {
            path: data.clone(),
            source,
        })?;
        let store = Store::open(&data.join(STORE_FILE))?;
        Ok(Project {
            root: root.to_path_buf(),
            config,
            store,
        })
    }

    /// Finds the project containing `start` by walking up to the nearest `ambit.toml`, as
    /// git finds its repository.
    pub fn discover(start: &Path) -> Result<Project> {
        let start = std::path::absolute(start).unwrap_or_else(|_| start.to_path_buf());
        let mut dir = Some(start.as_path());
        while let Some(d) = dir {
            if d.join(CONFIG_FILE).is_file() {
                return Project::open(d);
            }
            dir = d.parent();
        }
        Err(Error::NotAProject { start })
    }

    /// The path of `file` relative to the project root when it lies inside it; otherwise
    /// the absolute path. Stored document sources use this so a project folder can move.
    pub fn relative_source(&self, file: &Path) -> String {
        let abs = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
        let root = std::path::absolute(&self.root).unwrap_or_else(|_| self.root.clone());
        let shown = abs
            .strip_prefix(&root)
            .map(Path::to_path_buf)
            .unwrap_or(abs);
        shown.to_string_lossy().replace('\\', "/")
    }
}

fn write_new(path: &Path, contents: &str) -> Result<()> {
    use std::io::Write;
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(io)?;
    f.write_all(contents.as_bytes()).map_err(io)?;
    f.sync_all().map_err(io)
}
