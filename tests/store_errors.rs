//! A project store that is missing, emptied, damaged or read-only, through the CLI: one
//! sentence naming `.ambit/store.db` and the way out, nothing created behind the user's
//! back, and reading still possible where writing is not.

use std::path::{Path, PathBuf};

use crate::util::Workdir;

const CODEBOOK: &str = r#"
[codebook]
name = "Test"

[[code]]
id = "kb"
name = "Knowledge boundaries"
  [[code.rule]]
  id = "kb.order"
  keywords = ["order"]
"#;

/// A project with a codebook, one coded interview and its auto-codings.
fn project() -> Workdir {
    let w = Workdir::project();
    w.write("codebook.toml", CODEBOOK);
    w.write(
        "interview.txt",
        "Päivi Mäkelä: What is an order for you?\n\nKari Järvinen: For us an order is a purchase order.\n",
    );
    w.run(&["add", "interview.txt", "--date", "2013-03-20"])
        .ok();
    w.run(&["code", "D1:1", "--code", "kb", "--quote", "order"])
        .ok();
    w.run(&["autocode"]).ok();
    w
}

fn store(w: &Workdir) -> PathBuf {
    w.path().join(".ambit/store.db")
}

/// The one line of an error, checked: it names the store file, and no part of it repeats.
#[track_caller]
fn one_sentence(stderr: &str, w: &Workdir) -> String {
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line expected:\n{stderr}");
    let line = lines[0];
    assert!(line.starts_with("error: "), "{line}");
    assert!(
        line.contains(&store(w).display().to_string()),
        "names the store: {line}"
    );
    assert!(!line.contains("Error code"), "raw SQLite error: {line}");
    line.to_string()
}

#[test]
fn damaged_store_is_one_sentence() {
    let w = project();
    let db = store(&w);
    std::fs::write(&db, "not a database at all\n".repeat(300)).unwrap();
    let err = w.run(&["docs"]).fails();
    let line = one_sentence(&err, &w);
    assert_eq!(line.matches("not a database").count(), 1, "{line}");
    assert!(line.contains("backup"), "{line}");

    // A real SQLite file with its tables overwritten.
    let w = project();
    let db = store(&w);
    let mut bytes = std::fs::read(&db).unwrap();
    for b in &mut bytes[4096..] {
        *b = 0x5A;
    }
    std::fs::write(&db, bytes).unwrap();
    let err = w.run(&["show", "D1"]).fails();
    let line = one_sentence(&err, &w);
    assert_eq!(line.matches("malformed").count(), 1, "{line}");
}

/// `rm .ambit/store.db`, `: > .ambit/store.db` and `rm -rf .ambit`: every command refuses,
/// says what to do, and creates nothing; `ambit init` starts the project again.
#[test]
fn lost_store_is_refused_and_nothing_created() {
    type Damage = fn(&Path);
    let cases: &[(&str, Damage, &str)] = &[
        (
            "rm .ambit/store.db",
            |root| std::fs::remove_file(root.join(".ambit/store.db")).unwrap(),
            "is missing",
        ),
        (
            ": > .ambit/store.db",
            |root| std::fs::write(root.join(".ambit/store.db"), b"").unwrap(),
            "is empty",
        ),
        (
            "rm -rf .ambit",
            |root| std::fs::remove_dir_all(root.join(".ambit")).unwrap(),
            "is missing",
        ),
    ];
    for (what, damage, says) in cases {
        let w = project();
        damage(w.path());
        let before = listing(w.path());
        for args in [
            &["docs"][..],
            &["show", "D1"],
            &["codings", "--count"],
            &["code", "D1", "--code", "kb"],
            &["add", "interview.txt", "--replace"],
        ] {
            let err = w.run(args).fails();
            let line = one_sentence(&err, &w);
            assert!(line.contains(says), "{what}, {args:?}: {line}");
            assert!(
                line.contains("backup") && line.contains("ambit init"),
                "{what}, {args:?}: {line}"
            );
            assert_eq!(listing(w.path()), before, "{what}, {args:?} changed files");
        }
        // The way out the message gives works, and keeps the timeline.
        w.run(&["init"]).ok();
        assert_eq!(w.doc_count(), 0, "{what}");
        let phases = w.run(&["phases"]).ok();
        assert!(phases.contains("baseline"), "{what}: {phases}");
    }
}

/// Every file and folder under `dir`, with sizes.
fn listing(dir: &Path) -> Vec<(PathBuf, u64)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let m = e.metadata().unwrap();
            if m.is_dir() {
                stack.push(e.path());
            }
            out.push((e.path(), if m.is_dir() { 0 } else { m.len() }));
        }
    }
    out.sort();
    out
}

/// Makes paths unwritable for this process, also when the tests run as root (as in CI
/// containers): `chattr +i` binds root too; read-only modes bind everyone else. `None`
/// where neither works.
struct Unwritable(Vec<(PathBuf, std::fs::Permissions, bool)>);

impl Unwritable {
    fn make(paths: &[PathBuf]) -> Option<Unwritable> {
        let mut guard = Unwritable(Vec::new());
        for p in paths {
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
            guard.0.push((p.clone(), perms, chattr));
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

/// A project on a read-only mount (or another user's): reading commands work and say once
/// that the store is read-only; changing commands refuse and say why, once.
#[test]
fn read_only_project_reads_and_refuses_writes() {
    let w = project();
    // Built while writable: a read-only project cannot build it.
    w.run(&["index"]).ok();
    let count = w.run(&["codings", "--count"]).ok();
    let mut paths = vec![store(&w), w.path().join(".ambit")];
    paths.extend(
        listing(&w.path().join(".ambit"))
            .into_iter()
            .map(|(p, _)| p)
            .filter(|p| *p != store(&w)),
    );
    paths.push(w.path().to_path_buf());
    let Some(guard) = Unwritable::make(&paths) else {
        eprintln!("skipped: cannot make the project unwritable here");
        return;
    };
    let note = format!("{} cannot be written", store(&w).display());
    for args in [
        &["docs"][..],
        &["show", "D1"],
        &["codings", "--count"],
        &["table", "freq"],
        &["phases"],
    ] {
        let r = w.run(args);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        assert_eq!(r.stderr.matches(&note).count(), 1, "{args:?}: {}", r.stderr);
    }
    assert!(w.run(&["docs"]).stdout.contains("interview"));
    for args in [
        &["code", "D1:2", "--code", "kb", "--quote", "purchase"][..],
        &["uncode", "1"],
        &["memo", "add", "--doc", "D1", "a thought"],
    ] {
        let err = w.run(args).fails();
        let line = one_sentence(&err, &w);
        assert!(line.contains("is read-only"), "{args:?}: {line}");
    }
    drop(guard);
    assert_eq!(
        w.run(&["codings", "--count"]).ok(),
        count,
        "nothing was written"
    );
}
