//! Opening a store that is missing, emptied, damaged or read-only: refused with one
//! sentence naming the file and the way out, or opened for reading only.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ambit_core::{DocKind, Origin};
use ambit_store::{Error, NewCoding, NewDocument, NewPassage, Project, Store};

fn doc(title: &str) -> NewDocument {
    let text = format!("Päivi: {title} was late again.");
    NewDocument {
        title: title.into(),
        kind: DocKind::Interview,
        date: None,
        phase: None,
        source: format!("{title}.txt"),
        content_hash: format!("hash-{title}"),
        format: "txt".into(),
        encoding: "UTF-8".into(),
        passages: vec![NewPassage {
            span: ambit_core::PassageSpan {
                start: 0,
                end: text.chars().count(),
                speaker: Some("Päivi".into()),
                start_ms: None,
                end_ms: None,
                page: None,
                ..Default::default()
            },
            words: 5,
        }],
        words: ambit_core::text::word_count(&text),
        text,
        original: None,
        attributes: BTreeMap::new(),
    }
}

fn coding() -> NewCoding {
    NewCoding {
        doc: ambit_core::DocId(1),
        start: 0,
        end: 5,
        code: "kb".into(),
        coder: "anna".into(),
        origin: Origin::Manual,
        memo: None,
    }
}

/// A project folder inside a temporary one.
struct Folder {
    _tmp: tempfile::TempDir,
    root: PathBuf,
}

impl Folder {
    fn path(&self) -> &Path {
        &self.root
    }
}

/// A project with one document, in a folder whose name needs escaping in an SQLite URI;
/// returns the folder and its store path.
fn project() -> (Folder, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("my study #1 ?100%");
    let mut p = Project::init(&root, "Study").unwrap();
    p.store.insert_document(&doc("first")).unwrap();
    let store = p.store.path().to_path_buf();
    (Folder { _tmp: tmp, root }, store)
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// What `Project::open` says about a project whose store was lost, and that it created
/// nothing.
#[test]
fn lost_store_is_refused_and_not_recreated() {
    #[derive(Debug, PartialEq)]
    enum Says {
        Missing,
        Empty,
        Truncated,
    }
    type Damage = fn(&Path, &Path);
    let cases: &[(&str, Damage, Says)] = &[
        (
            "rm .ambit/store.db",
            |_, db| std::fs::remove_file(db).unwrap(),
            Says::Missing,
        ),
        (
            "rm -rf .ambit",
            |root, _| std::fs::remove_dir_all(root.join(".ambit")).unwrap(),
            Says::Missing,
        ),
        (
            ": > .ambit/store.db",
            |_, db| std::fs::write(db, b"").unwrap(),
            Says::Empty,
        ),
        (
            "emptied, with a write-ahead log left",
            |_, db| {
                std::fs::write(db, b"").unwrap();
                std::fs::write(sibling(db, "-wal"), [7u8; 4096]).unwrap();
            },
            Says::Truncated,
        ),
    ];
    for (what, damage, says) in cases {
        let (dir, db) = project();
        damage(dir.path(), &db);
        let before: Vec<(String, u64)> = walk(dir.path());
        let err = Project::open(dir.path()).unwrap_err();
        let got = match &err {
            Error::StoreMissing { .. } => Says::Missing,
            Error::StoreEmpty { .. } => Says::Empty,
            Error::StoreTruncated { .. } => Says::Truncated,
            other => panic!("{what}: unexpected {other:?}"),
        };
        assert_eq!(&got, says, "{what}: {err}");
        let msg = err.to_string();
        assert!(msg.contains(&db.display().to_string()), "{what}: {msg}");
        assert!(msg.contains("backup"), "{what}: {msg}");
        if *says != Says::Truncated {
            let init = format!("ambit init {}", dir.path().display());
            assert!(msg.contains(&init), "{what}: {msg}");
        }
        assert_eq!(
            walk(dir.path()),
            before,
            "{what}: opening changed the files"
        );
    }
}

/// Every file under `dir` with its size.
fn walk(dir: &Path) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let m = e.metadata().unwrap();
            if m.is_dir() {
                stack.push(e.path());
            }
            out.push((e.path().display().to_string(), m.len()));
        }
    }
    out.sort();
    out
}

/// A file SQLite made but whose creation stopped before the schema: a header page, no
/// tables.
#[test]
fn store_without_tables_is_empty() {
    let (dir, db) = project();
    std::fs::remove_file(&db).unwrap();
    let conn = rusqlite::Connection::open(&db).unwrap();
    let _: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .unwrap();
    drop(conn);
    assert!(std::fs::metadata(&db).unwrap().len() > 0);
    let err = Project::open(dir.path()).unwrap_err();
    assert!(matches!(err, Error::StoreEmpty { .. }), "{err:?}");
}

/// A store whose committed changes are all still in its write-ahead log is not empty,
/// though its main file holds no table yet.
#[test]
fn store_held_in_its_log_opens() {
    let (dir, db) = project();
    std::fs::remove_file(&db).unwrap();
    let mut live = Store::open_or_create(&db).unwrap();
    live.insert_document(&doc("in the log")).unwrap();
    // Copy while `live` keeps the log un-checkpointed: what a kill -9 leaves behind.
    let copy = dir.path().join("copy.db");
    std::fs::copy(&db, &copy).unwrap();
    std::fs::copy(sibling(&db, "-wal"), sibling(&copy, "-wal")).unwrap();
    drop(live);
    let alone = dir.path().join("main file alone.db");
    std::fs::copy(&copy, &alone).unwrap();
    let main_file = rusqlite::Connection::open(&alone).unwrap();
    let tables: i64 = main_file
        .query_row("SELECT COUNT(*) FROM sqlite_master", [], |r| r.get(0))
        .unwrap();
    assert_eq!(tables, 0, "the main file alone should hold no table");
    drop(main_file);
    let s = Store::open(&copy).unwrap();
    assert_eq!(s.documents().unwrap()[0].doc.title, "in the log");
}

/// `ambit init` is the one way to make a store: in a project whose store is lost it makes
/// an empty one and keeps `ambit.toml`; in a project with a store it refuses.
#[test]
fn init_restarts_a_project_whose_store_is_lost() {
    let (dir, db) = project();
    std::fs::remove_dir_all(db.parent().unwrap()).unwrap();
    let p = Project::init(dir.path(), "other name").unwrap();
    assert_eq!(p.config.name, "Study", "ambit.toml must be kept");
    assert!(p.store.documents().unwrap().is_empty());
    drop(p);
    let err = Project::init(dir.path(), "again").unwrap_err();
    assert!(matches!(err, Error::AlreadyAProject(_)), "{err:?}");
    // The store that was made opens.
    assert!(Project::open(dir.path()).is_ok());
}

/// A file that is not a database, and a database with a damaged page: one sentence naming
/// the file and the way out, without SQLite's text repeated.
#[test]
fn damaged_store_names_the_file() {
    let (dir, db) = project();
    std::fs::write(&db, "this is a text file, not a database\n".repeat(200)).unwrap();
    let err = Project::open(dir.path()).unwrap_err();
    assert!(matches!(err, Error::Damaged { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains(&db.display().to_string()), "{msg}");
    assert!(
        msg.contains("not a database") && msg.contains("backup"),
        "{msg}"
    );
    assert!(
        std::error::Error::source(&err).is_none(),
        "the sentence is the whole message"
    );

    // Overwrite every page after the first: the schema page survives, tables do not.
    let (dir, db) = project();
    let mut bytes = std::fs::read(&db).unwrap();
    assert!(bytes.len() > 4096, "store should span pages");
    for b in &mut bytes[4096..] {
        *b = 0xA5;
    }
    std::fs::write(&db, bytes).unwrap();
    let err = Project::open(dir.path())
        .and_then(|p| p.store.documents().map(drop))
        .unwrap_err();
    assert!(matches!(err, Error::Damaged { .. }), "{err:?}");
    assert!(err.to_string().contains("malformed"), "{err}");
}

/// The read-only path itself, on any file system and any user: reads work, every write
/// is refused with [`Error::ReadOnly`] and changes nothing.
#[test]
fn read_only_store_reads_and_refuses_writes() {
    let (_dir, db) = project();
    let mut s = Store::open_read_only(&db).unwrap();
    assert!(s.is_read_only());
    let revision = s.revision().unwrap();
    assert_eq!(s.documents().unwrap().len(), 1);
    let err = s.insert_document(&doc("second")).unwrap_err();
    assert!(matches!(err, Error::ReadOnly { .. }), "{err:?}");
    assert!(err.to_string().contains(&db.display().to_string()), "{err}");
    let err = s.add_coding(&coding()).unwrap_err();
    assert!(matches!(err, Error::ReadOnly { .. }), "{err:?}");
    drop(s);
    let s = Store::open(&db).unwrap();
    assert!(!s.is_read_only());
    assert_eq!(s.revision().unwrap(), revision);
    assert_eq!(s.documents().unwrap().len(), 1);
}

/// Makes `paths` unwritable for this process, also as root: `chattr +i` (an immutable file
/// cannot be written or, for a folder, added to, even by root), else read-only modes (which
/// bind everyone but root). `None` when neither works here (a file system without
/// attributes, run as root).
struct Unwritable(Vec<(PathBuf, std::fs::Permissions, bool)>);

impl Unwritable {
    fn make(paths: &[&Path]) -> Option<Unwritable> {
        let mut guard = Unwritable(Vec::new());
        for &p in paths {
            let perms = std::fs::metadata(p).unwrap().permissions();
            let chattr = std::process::Command::new("chattr")
                .arg("+i")
                .arg(p)
                .output()
                .is_ok_and(|o| o.status.success());
            if !chattr {
                let mut ro = perms.clone();
                ro.set_readonly(true);
                std::fs::set_permissions(p, ro).unwrap();
            }
            guard.0.push((p.to_path_buf(), perms, chattr));
        }
        paths.iter().all(|p| !writable(p)).then_some(guard)
    }
}

impl Drop for Unwritable {
    fn drop(&mut self) {
        for (p, perms, chattr) in self.0.iter().rev() {
            if *chattr {
                let _ = std::process::Command::new("chattr")
                    .arg("-i")
                    .arg(p)
                    .status();
            }
            let _ = std::fs::set_permissions(p, perms.clone());
        }
    }
}

fn writable(p: &Path) -> bool {
    if p.is_dir() {
        let probe = p.join(".write-probe");
        let ok = std::fs::File::create(&probe).is_ok();
        let _ = std::fs::remove_file(probe);
        ok
    } else {
        std::fs::OpenOptions::new().append(true).open(p).is_ok()
    }
}

/// A project that cannot be written (the store file, its folder, or both, as on a
/// read-only mount) opens for reading; writes say it is read-only.
#[test]
fn unwritable_project_opens_read_only() {
    for (what, file, folder) in [
        ("store file", true, false),
        ("store folder", false, true),
        ("file and folder", true, true),
    ] {
        let (dir, db) = project();
        let data = db.parent().unwrap().to_path_buf();
        let before = files_in(&data);
        let mut paths: Vec<&Path> = Vec::new();
        if file {
            paths.push(&db);
        }
        if folder {
            paths.push(&data);
        }
        let Some(guard) = Unwritable::make(&paths) else {
            eprintln!("skipped {what}: cannot make files unwritable here");
            continue;
        };
        let mut p = Project::open(dir.path()).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert!(p.store.is_read_only(), "{what}");
        assert_eq!(p.store.documents().unwrap().len(), 1, "{what}");
        assert_eq!(
            p.store.text(ambit_core::DocId(1)).unwrap(),
            "Päivi: first was late again."
        );
        let err = p.store.add_coding(&coding()).unwrap_err();
        assert!(matches!(err, Error::ReadOnly { .. }), "{what}: {err:?}");
        drop(p);
        drop(guard);
        if folder {
            assert_eq!(files_in(&data), before, "{what}: files appeared");
        }
        let p = Project::open(dir.path()).unwrap();
        assert!(!p.store.is_read_only(), "{what}: writable again");
        assert!(p.store.codings(&Default::default()).unwrap().is_empty());
    }
}

/// A read-only copy of a store whose last changes are still in its write-ahead log: read
/// with them when the log's index (`-shm`) is there, refused when it is not, never read
/// without them.
#[test]
fn read_only_store_with_a_pending_log() {
    for with_shm in [true, false] {
        let (dir, db) = project();
        let mut live = Store::open(&db).unwrap();
        live.insert_document(&doc("only in the log")).unwrap();
        let copy_dir = dir.path().join("copy");
        std::fs::create_dir(&copy_dir).unwrap();
        let copy = copy_dir.join("store.db");
        let mut suffixes = vec!["", "-wal"];
        if with_shm {
            suffixes.push("-shm");
        }
        let mut copies = Vec::new();
        for suffix in suffixes {
            copies.push(sibling(&copy, suffix));
            std::fs::copy(sibling(&db, suffix), copies.last().unwrap()).unwrap();
        }
        drop(live);
        // As on a read-only mount: neither the files nor the folder can be written.
        let mut paths: Vec<&Path> = copies.iter().map(PathBuf::as_path).collect();
        paths.push(&copy_dir);
        let Some(guard) = Unwritable::make(&paths) else {
            eprintln!("skipped: cannot make a folder unwritable here");
            return;
        };
        let opened = Store::open(&copy);
        if with_shm {
            let s = opened.unwrap();
            assert!(s.is_read_only());
            let titles: Vec<String> = s
                .documents()
                .unwrap()
                .into_iter()
                .map(|d| d.doc.title)
                .collect();
            assert_eq!(titles, ["first", "only in the log"]);
        } else {
            let err = opened.unwrap_err();
            assert!(matches!(err, Error::ReadOnlyWithLog { .. }), "{err:?}");
            assert!(err.to_string().contains("-wal"), "{err}");
        }
        drop(guard);
    }
}
