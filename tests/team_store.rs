//! Team stores on PostgreSQL through the real binary: two working folders on one server
//! project, a codebook edit seen by the other coder, `ambit store copy` there and back with
//! identical digests, and a writer killed in the middle of its transaction. These need a
//! server: `AMBIT_TEST_PG=postgres://user@host/db` (`.ci/run` starts a throw-away one);
//! without it they say so and check only what SQLite can.

use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Once;

use crate::util::{repo, Workdir};

/// The server's database URL, or `None` (said once) when no server is set.
pub fn pg_base() -> Option<String> {
    static SAID: Once = Once::new();
    match std::env::var("AMBIT_TEST_PG") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            SAID.call_once(|| {
                use std::io::Write;
                let _ = writeln!(
                    std::io::stderr(),
                    "PostgreSQL team-store tests skipped: set AMBIT_TEST_PG=postgres://user@host/db (see .ci/run)"
                );
            });
            None
        }
    }
}

/// A URL for a new project on the test server.
pub fn pg_project(base: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let sep = if base.contains('?') { '&' } else { '?' };
    format!(
        "{base}{sep}project=e{}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed),
        nanos % 1_000_000
    )
}

/// A project on the server at `url`, with the sample study's timeline, in a new folder.
pub fn server_project(url: &str) -> Workdir {
    let w = Workdir::new();
    w.run(&["init", ".", "--name", "test", "--store", url]).ok();
    let sample =
        std::fs::read_to_string(repo().join("data-samples/ambit.toml")).expect("sample toml");
    w.write(
        "ambit.toml",
        &format!("store = {}\n{sample}", toml_string(url)),
    );
    w
}

fn toml_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

const CODEBOOK: &str =
    "[codebook]\nname = \"Test\"\n\n[[code]]\nid = \"kb\"\nname = \"Knowledge\"\n";

#[test]
fn two_folders_on_one_server_project_share_codings_and_codebook() {
    let Some(base) = pg_base() else { return };
    let url = pg_project(&base);
    let a = Workdir::new();
    let out = a
        .run(&["init", ".", "--name", "Study", "--store", &url])
        .ok();
    assert!(out.contains("--join"), "{out}");
    let toml = std::fs::read_to_string(a.path().join("ambit.toml")).expect("ambit.toml");
    assert!(
        toml.contains(&format!("store = {}", toml_string(&url))),
        "{toml}"
    );
    a.write("codebook.toml", CODEBOOK);
    a.write(
        "i.txt",
        "Päivi: the order came late.\n\nPäivi: another order.\n",
    );
    a.run(&["add", "i.txt"]).ok();

    let b = Workdir::new();
    b.run(&["init", ".", "--store", &url, "--join"]).ok();
    // The codebook came from the server (it was sent there by `a`'s `add`).
    let cb = std::fs::read_to_string(b.path().join("codebook.toml")).expect("codebook");
    assert_eq!(cb, CODEBOOK);
    b.run(&[
        "code", "D1", "--code", "kb", "--span", "0..5", "--coder", "bob",
    ])
    .ok();
    a.run(&[
        "code", "D1", "--code", "kb", "--span", "7..12", "--coder", "ann",
    ])
    .ok();
    for w in [&a, &b] {
        let n = w.run(&["codings", "--count"]).ok();
        assert_eq!(n.trim(), "2", "both codings seen from each folder");
    }
    // So is a change of the shared settings (the timeline); each folder keeps its own
    // store line.
    let settings = std::fs::read_to_string(a.path().join("ambit.toml")).expect("ambit.toml");
    a.write(
        "ambit.toml",
        &format!("{settings}\n[[phase]]\nid = \"P1\"\nstart = 2013-01-01\nend = 2013-12-31\n"),
    );
    a.run(&["docs"]).ok();
    b.run(&["docs"]).ok();
    let theirs = std::fs::read_to_string(b.path().join("ambit.toml")).expect("ambit.toml");
    assert!(theirs.contains("id = \"P1\""), "{theirs}");
    assert_eq!(theirs.matches("store = ").count(), 1, "{theirs}");
    // A codebook edit by one coder is the other's at their next command.
    b.run(&["codebook", "rename", "kb", "know"]).ok();
    let shown = a.run(&["codebook", "show"]).ok();
    assert!(shown.contains("know"), "{shown}");
    let codings = a.run(&["codings", "--format", "json"]).json();
    assert!(codings
        .as_array()
        .expect("rows")
        .iter()
        .all(|c| c["code"] == "know"));
    // A second project on the same database is its own.
    let other = Workdir::new();
    other
        .run(&["init", ".", "--store", &pg_project(&base)])
        .ok();
    assert_eq!(other.doc_count(), 0);
    // Joining twice into a folder, or creating a project that exists, is refused.
    let again = Workdir::new();
    let err = again.run(&["init", ".", "--store", &url]).fails();
    assert!(err.contains("--join"), "{err}");
    let missing = Workdir::new();
    let err = missing
        .run(&["init", ".", "--store", &pg_project(&base), "--join"])
        .fails();
    assert!(err.contains("has no project"), "{err}");
}

#[test]
fn a_password_in_the_url_is_refused_and_a_dead_server_is_named() {
    let w = Workdir::new();
    let err = w
        .run(&[
            "init",
            ".",
            "--store",
            "postgres://ann:s3cret@127.0.0.1:1/db",
        ])
        .fails();
    assert!(err.contains("PGPASSWORD"), "{err}");
    assert!(!err.contains("s3cret"), "{err}");
    let err = w
        .run(&[
            "init",
            ".",
            "--store",
            "postgres://ann@127.0.0.1:1/db?project=x",
        ])
        .fails();
    assert!(
        err.contains("cannot connect to the team store postgres://ann@127.0.0.1:1/db?project=x"),
        "{err}"
    );
    assert!(!w.path().join("ambit.toml").exists());
}

/// Documents, passages, attributes, originals, codings (one detached), memos and GUIDs,
/// with ids that were deleted so the sequences are ahead of the rows.
fn rich_project(w: &Workdir) {
    w.write("codebook.toml", CODEBOOK);
    w.write("a.txt", "Päivi: the order came late 👍.\n\nErik: yes.\n");
    w.write("b.md", "# Notes\n\nAn order is a ticket.\n");
    w.write("c.txt", "Gone soon.\n");
    w.run(&["add", "a.txt", "b.md", "c.txt"]).ok();
    w.run(&["attr", "set", "D1", "site=Norrvik"]).ok();
    w.run(&["code", "D1", "--code", "kb", "--span", "0..5"])
        .ok();
    w.run(&[
        "code", "D2", "--code", "kb", "--span", "3..8", "--coder", "erik",
    ])
    .ok();
    w.run(&["memo", "add", "--code", "kb", "Orders mean two things."])
        .ok();
    w.run(&["rm", "D3"]).ok();
}

fn digest(w: &Workdir) -> String {
    let out = w.run(&["store", "digest"]).ok();
    out.lines()
        .find_map(|l| l.strip_prefix("sha256"))
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|| panic!("no digest in {out}"))
}

#[test]
fn store_copy_there_and_back_gives_the_same_digest() {
    let w = Workdir::project();
    rich_project(&w);
    let before = digest(&w);
    // SQLite → SQLite file: always.
    let file = w.path().join("copy.db");
    let out = w
        .run(&["store", "copy", "--to", file.to_str().expect("utf-8")])
        .ok();
    assert!(out.contains("The copy is identical."), "{out}");
    assert_eq!(out.matches(&before).count(), 2, "{out}");
    let err = w
        .run(&["store", "copy", "--to", file.to_str().expect("utf-8")])
        .fails();
    assert!(err.contains("exists already"), "{err}");

    let Some(base) = pg_base() else { return };
    // SQLite → server → a working folder there → a new SQLite file: the same project.
    let url = pg_project(&base);
    let out = w.run(&["store", "copy", "--to", &url]).ok();
    assert!(out.contains(&before), "{out}");
    let err = w.run(&["store", "copy", "--to", &url]).fails();
    assert!(err.contains("already holds"), "{err}");
    let there = Workdir::new();
    there.run(&["init", ".", "--store", &url, "--join"]).ok();
    assert_eq!(digest(&there), before);
    // The codebook and the timeline went along.
    assert_eq!(
        std::fs::read_to_string(there.path().join("codebook.toml")).expect("codebook"),
        CODEBOOK
    );
    let settings = std::fs::read_to_string(there.path().join("ambit.toml")).expect("toml");
    assert!(settings.contains("[[phase]]"), "{settings}");
    // Ids deleted on SQLite are not given on the server either.
    there.write("d.txt", "New here.\n");
    let added = there.run(&["add", "d.txt"]).ok();
    assert!(added.contains("D4"), "{added}");
    there.run(&["rm", "D4"]).ok();
    let back = there.path().join("back.db");
    there
        .run(&["store", "copy", "--to", back.to_str().expect("utf-8")])
        .ok();
    let store = ambit_store::Store::open(&back).expect("the copy opens");
    assert_eq!(store.digest().expect("digest").sha256, digest(&there));
    assert_eq!(store.stamp().expect("stamp").documents, 4);
    // And a copy onto a server project that has documents is refused.
    let full = server_project(&pg_project(&base));
    full.write("e.txt", "Something.\n");
    full.run(&["add", "e.txt"]).ok();
    let err = there
        .run(&["store", "copy", "--to", &full_url(&full)])
        .fails();
    assert!(
        err.contains("already holds") || err.contains("not empty"),
        "{err}"
    );
}

fn full_url(w: &Workdir) -> String {
    let toml = std::fs::read_to_string(w.path().join("ambit.toml")).expect("toml");
    toml.lines()
        .find_map(|l| l.strip_prefix("store = \""))
        .map(|l| l.trim_end_matches('"').to_string())
        .expect("a store line")
}

/// `ambit autocode` killed with SIGKILL at several moments of its one transaction: the
/// project is as before it or as after it, never in between, and the next writers work.
fn kill_a_writer(w: &Workdir) {
    crate::concurrency::fill(w);
    w.run(&["code", "D1", "--code", "kb", "--span", "0..3"])
        .ok();
    let expected = crate::concurrency::RULE_CODINGS;
    let bin = assert_cmd::cargo::cargo_bin("ambit");
    for (manual_before, delay_ms) in (1..).zip([150, 400, 800, 1500]) {
        let mut child = Command::new(&bin)
            .current_dir(w.path())
            .args(["autocode", "--coder", "rules"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start autocode");
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        let (manual, rule) = crate::concurrency::counts(w.path());
        assert_eq!(
            manual, manual_before,
            "manual codings untouched after a kill at {delay_ms} ms"
        );
        assert!(
            rule == 0 || rule == expected,
            "a kill at {delay_ms} ms left {rule} of {expected} rule codings"
        );
        // The lock died with the process: another writer goes on.
        w.run(&[
            "code",
            "D2",
            "--code",
            "kb",
            "--span",
            &format!("{delay_ms}..{}", delay_ms + 1),
        ])
        .ok();
    }
    w.run(&["autocode", "--coder", "rules"]).ok();
    assert_eq!(crate::concurrency::counts(w.path()).1, expected);
}

#[test]
fn a_killed_writer_leaves_the_sqlite_project_before_or_after() {
    kill_a_writer(&Workdir::project());
}

#[test]
fn a_killed_writer_leaves_the_server_project_before_or_after() {
    let Some(base) = pg_base() else { return };
    kill_a_writer(&server_project(&pg_project(&base)));
}

/// `ambit serve` on a team store: two coders each run their own server on the same
/// project, code over HTTP, and see each other's codings.
#[test]
fn serve_works_on_a_team_store() {
    use std::io::BufRead;
    let Some(base) = pg_base() else { return };
    let url = pg_project(&base);
    let a = server_project(&url);
    a.write("codebook.toml", CODEBOOK);
    a.write(
        "i.txt",
        "Päivi: the order came late.\n\nPäivi: another order.\n",
    );
    a.run(&["add", "i.txt"]).ok();
    let b = Workdir::new();
    b.run(&["init", ".", "--store", &full_url(&a), "--join"])
        .ok();
    let bin = assert_cmd::cargo::cargo_bin("ambit");
    let mut servers = Vec::new();
    for (w, coder) in [(&a, "ann"), (&b, "bob")] {
        let mut child = Command::new(&bin)
            .current_dir(w.path())
            .args(["serve", "--no-open"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start ambit serve");
        let stdout = child.stdout.take().expect("stdout");
        let server = crate::web::Server(child);
        let mut line = String::new();
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read the link");
        let link = line
            .trim()
            .split_once("http://127.0.0.1:")
            .map(|(_, l)| l.to_string())
            .unwrap_or_else(|| panic!("unexpected first line: {line:?}"));
        let (port, token) = link.split_once("/?token=").expect("a token");
        let port: u16 = port.parse().expect("a port");
        for i in 0..5 {
            let body = format!(
                r#"{{"doc": "D1", "start": {i}, "end": {}, "code": "kb", "coder": "{coder}"}}"#,
                i + 3
            );
            let (status, answer) = crate::web::request(port, token, "POST", "/api/codings", &body);
            assert_eq!(status, 201, "{answer}");
        }
        servers.push(server);
    }
    drop(servers);
    for w in [&a, &b] {
        assert_eq!(w.run(&["codings", "--count"]).ok().trim(), "10");
    }
}
