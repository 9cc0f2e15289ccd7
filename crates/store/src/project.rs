//! Finding, creating and opening a project folder.

use std::path::{Path, PathBuf};

use crate::config::{Config, CONFIG_FILE};
use crate::error::{Error, Result};
use crate::pg::StoreUrl;
use crate::store::Store;

/// The codebook file of a project, which a team store keeps for all its coders.
pub const CODEBOOK_FILE: &str = "codebook.toml";

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
    ///
    /// A folder whose `ambit.toml` is there but whose store is missing or empty (deleted,
    /// emptied, or a creation that was interrupted) gets a new empty store and keeps its
    /// `ambit.toml`; `name` is used only when `ambit.toml` is written. A folder with a store
    /// is refused. A store without `ambit.toml` is kept and opened.
    pub fn init(dir: &Path, name: &str) -> Result<Project> {
        let config_path = dir.join(CONFIG_FILE);
        if config_path.exists() {
            let store = dir.join(DATA_DIR).join(STORE_FILE);
            return match Store::open(&store) {
                Err(Error::StoreMissing { .. } | Error::StoreEmpty { .. }) => Project::create(dir),
                Err(e) => Err(e),
                Ok(_) => Err(Error::AlreadyAProject(dir.to_path_buf())),
            };
        }
        std::fs::create_dir_all(dir).map_err(|source| Error::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        write_new(&config_path, &Config::template(name))?;
        Project::create(dir)
    }

    /// Creates the store of the project whose `ambit.toml` is already in `root` (`ambit
    /// demo` copies the sample study's there) and opens the project. A store that exists
    /// is opened as it is.
    pub fn create(root: &Path) -> Result<Project> {
        let config = Config::load(root)?;
        let data = root.join(DATA_DIR);
        std::fs::create_dir_all(&data).map_err(|source| Error::Io {
            path: data.clone(),
            source,
        })?;
        let mut store = Store::open_or_create(&data.join(STORE_FILE))?;
        store.set_speaker_aliases(config.speakers.clone());
        Ok(Project {
            root: root.to_path_buf(),
            config,
            store,
        })
    }

    /// Creates a working folder `dir` for a project on a PostgreSQL server. Without
    /// `join` the project is made on the server (refused when it is there already) from a
    /// new `ambit.toml`, whose settings (and, once there is one, the codebook) the server
    /// keeps for the coders who join; with `join` the project must exist there and
    /// `ambit.toml` and `codebook.toml` are written from what the server keeps. Either way
    /// `ambit.toml` names the store (never with a password). The folder's `.ambit/` holds
    /// only derived data (index, tables).
    pub fn init_server(dir: &Path, name: &str, url: &StoreUrl, join: bool) -> Result<Project> {
        if url.has_password() {
            return Err(Error::BadStoreUrl {
                url: url.shown().to_string(),
                problem: "it holds a password, which Ambit would write into ambit.toml: leave it out of the URL and give it in PGPASSWORD, ~/.pgpass or `password_command = \"…\"` in ambit.toml".into(),
            });
        }
        let config_path = dir.join(CONFIG_FILE);
        if config_path.exists() {
            return Err(Error::AlreadyAProject(dir.to_path_buf()));
        }
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| Error::Io { path, source }
        };
        let (store, settings) = if join {
            let store = Store::open_server(url, None)?;
            let settings = store
                .shared_file(CONFIG_FILE)?
                .unwrap_or_else(|| Config::template(name));
            (store, settings)
        } else {
            let mut store = Store::create_server(url, None)?;
            let settings = Config::template(name);
            store.put_shared_file(CONFIG_FILE, &settings)?;
            (store, settings)
        };
        std::fs::create_dir_all(dir.join(DATA_DIR)).map_err(io(dir))?;
        write_new(
            &config_path,
            &Config::with_store(&settings, &url.to_config()),
        )?;
        if let Some(codebook) = store.shared_file(CODEBOOK_FILE)? {
            std::fs::write(dir.join(CODEBOOK_FILE), codebook)
                .map_err(io(&dir.join(CODEBOOK_FILE)))?;
        }
        drop(store);
        // Both sides agree now: what a coder changes from here on is told apart from what
        // the server's copy gains (see `sync_settings`).
        let base = dir.join(DATA_DIR).join(SETTINGS_BASE);
        std::fs::write(&base, shared_settings(&settings)).map_err(io(&base))?;
        Project::open(dir)
    }

    /// Opens the project whose root is `root`. Its store must exist: a missing or empty
    /// store is an error saying what to do, never replaced by an empty one. A store that
    /// cannot be written is opened for reading only ([`Store::is_read_only`]). A project
    /// on a server opens its store there; its `codebook.toml` is brought up to the
    /// codebook the server keeps (another coder's edit is seen by the next command).
    pub fn open(root: &Path) -> Result<Project> {
        let config = Config::load(root)?;
        if let Some(url) = &config.store {
            let url = StoreUrl::parse(url)?;
            let mut store = Store::open_server(&url, config.password_command.as_deref())?;
            let config = if sync_settings(root, &mut store)? {
                Config::load(root)?
            } else {
                config
            };
            store.set_speaker_aliases(config.speakers.clone());
            let mut project = Project {
                root: root.to_path_buf(),
                config,
                store,
            };
            project.sync_codebook()?;
            return Ok(project);
        }
        let mut store = Store::open(&root.join(DATA_DIR).join(STORE_FILE))?;
        store.set_speaker_aliases(config.speakers.clone());
        Ok(Project {
            root: root.to_path_buf(),
            config,
            store,
        })
    }

    /// For a team store: brings `codebook.toml` and the codebook the server keeps
    /// together. `.ambit/codebook.base` holds the text both had when they last agreed: a
    /// file edited since (by hand) is sent to the server, a server text changed since (by
    /// another coder) is written to the file; when both changed, the server's wins and
    /// the file's text is kept beside it as `codebook.toml.mine`.
    pub fn sync_codebook(&mut self) -> Result<()> {
        if !self.store.is_server() {
            return Ok(());
        }
        let path = self.root.join(CODEBOOK_FILE);
        let base_path = self.root.join(DATA_DIR).join("codebook.base");
        let server = self.store.shared_file(CODEBOOK_FILE)?;
        let local = std::fs::read_to_string(&path).ok();
        let base = std::fs::read_to_string(&base_path).ok();
        let io = |p: &Path| {
            let p = p.to_path_buf();
            move |source| Error::Io { path: p, source }
        };
        let agreed = match (&server, &local) {
            (None, None) => return Ok(()),
            (Some(s), Some(l)) if s == l => s.clone(),
            (Some(s), l) if l.is_none() || *l == base => {
                write_atomically(&self.root, &path, s)?;
                s.clone()
            }
            (s, Some(l)) if s.is_none() || *s == base => {
                self.store.put_shared_file(CODEBOOK_FILE, l)?;
                l.clone()
            }
            (Some(s), Some(l)) => {
                let mine = self.root.join(format!("{CODEBOOK_FILE}.mine"));
                std::fs::write(&mine, l).map_err(io(&mine))?;
                write_atomically(&self.root, &path, s)?;
                s.clone()
            }
            (None, Some(_)) | (Some(_), None) => return Ok(()),
        };
        if base.as_deref() != Some(&agreed) {
            std::fs::create_dir_all(self.root.join(DATA_DIR)).map_err(io(&base_path))?;
            std::fs::write(&base_path, &agreed).map_err(io(&base_path))?;
        }
        Ok(())
    }

    /// For a team store: keeps `text`, just written to `codebook.toml`, on the server (on a
    /// connection of its own, so that callers holding the project only for reading can
    /// share an edit), so the other coders' next commands use it.
    pub fn share_codebook(&self, text: &str) -> Result<()> {
        let Some(url) = &self.config.store else {
            return Ok(());
        };
        let url = StoreUrl::parse(url)?;
        let mut store = Store::open_server(&url, self.config.password_command.as_deref())?;
        store.put_shared_file(CODEBOOK_FILE, text)?;
        let base_path = self.root.join(DATA_DIR).join("codebook.base");
        std::fs::write(&base_path, text).map_err(|source| Error::Io {
            path: base_path.clone(),
            source,
        })
    }

    /// Puts this folder's `codebook.toml` and the team's part of `ambit.toml` into `target`
    /// as the project files a team store keeps (after `ambit store copy` to a server, so
    /// the coders who join get them).
    pub fn share_files_to(&self, target: &mut Store) -> Result<()> {
        let config = self.root.join(CONFIG_FILE);
        let text = std::fs::read_to_string(&config).map_err(|source| Error::Io {
            path: config.clone(),
            source,
        })?;
        target.put_shared_file(CONFIG_FILE, &shared_settings(&text))?;
        if let Ok(codebook) = std::fs::read_to_string(self.root.join(CODEBOOK_FILE)) {
            target.put_shared_file(CODEBOOK_FILE, &codebook)?;
        }
        Ok(())
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

/// Where a team project's folder keeps the shared settings it last agreed on with the server.
const SETTINGS_BASE: &str = "settings.base";

/// Whether an `ambit.toml` line is this folder's own, not the team's: the store line (and
/// the comment `ambit init` writes above it) and `password_command`.
fn own_line(line: &str) -> bool {
    let t = line.trim_start();
    ["store ", "store=", "password_command ", "password_command="]
        .iter()
        .any(|k| t.starts_with(k))
        || t.starts_with("# The team store: this project lives")
        || t.starts_with("# from PGPASSWORD, ~/.pgpass or `password_command`")
}

/// The team's part of an `ambit.toml`: every line but this folder's own.
fn shared_settings(text: &str) -> String {
    let mut out = String::new();
    for l in text.lines().filter(|l| !own_line(l)) {
        out.push_str(l);
        out.push('\n');
    }
    out
}

/// For a team store: brings the shared settings of `ambit.toml` (name, language, timeline,
/// speakers, …) and the server's copy together, as [`Project::sync_codebook`] does the
/// codebook; this folder's `store` and `password_command` lines stay as they are. Returns
/// whether `ambit.toml` was rewritten.
fn sync_settings(root: &Path, store: &mut Store) -> Result<bool> {
    let path = root.join(CONFIG_FILE);
    let base_path = root.join(DATA_DIR).join(SETTINGS_BASE);
    let io = |p: &Path| {
        let p = p.to_path_buf();
        move |source| Error::Io { path: p, source }
    };
    let local_text = std::fs::read_to_string(&path).map_err(io(&path))?;
    let local = shared_settings(&local_text);
    let server = store.shared_file(CONFIG_FILE)?.map(|s| shared_settings(&s));
    let base = std::fs::read_to_string(&base_path).ok();
    let (agreed, rewrite) = match &server {
        Some(s) if *s == local => (local.clone(), false),
        Some(s) if base.as_deref() == Some(local.as_str()) => (s.clone(), true),
        // Edited here since the last agreement (or never agreed): the edit goes to the
        // server, unless the server's copy changed too, in which case the server's wins
        // and this folder's text is kept beside it.
        Some(s) if base.is_some() && base.as_deref() != Some(s.as_str()) => {
            let mine = root.join(format!("{CONFIG_FILE}.mine"));
            std::fs::write(&mine, &local_text).map_err(io(&mine))?;
            (s.clone(), true)
        }
        _ => {
            store.put_shared_file(CONFIG_FILE, &local)?;
            (local.clone(), false)
        }
    };
    if rewrite {
        // This folder's own lines go back at the top, before the first table.
        let own: String = local_text
            .lines()
            .filter(|l| own_line(l))
            .map(|l| format!("{l}\n"))
            .collect();
        let at = agreed
            .lines()
            .scan(0, |pos, l| {
                let start = *pos;
                *pos += l.len() + 1;
                Some((start, l))
            })
            .find(|(_, l)| l.trim_start().starts_with('['))
            .map_or(agreed.len(), |(start, _)| start);
        let mut text = agreed.clone();
        text.insert_str(at, &format!("{own}\n"));
        write_atomically(root, &path, &text)?;
    }
    if base.as_deref() != Some(agreed.as_str()) {
        std::fs::create_dir_all(root.join(DATA_DIR)).map_err(io(&base_path))?;
        std::fs::write(&base_path, &agreed).map_err(io(&base_path))?;
    }
    Ok(rewrite)
}

/// Replaces `path` with `text` whole: a temporary file in the data folder, renamed over it.
fn write_atomically(root: &Path, path: &Path, text: &str) -> Result<()> {
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let data = root.join(DATA_DIR);
    std::fs::create_dir_all(&data).map_err(io)?;
    let tmp = data.join(".pull.tmp");
    std::fs::write(&tmp, text).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
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
