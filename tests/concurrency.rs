//! Several commands writing one project at once: every write waits its turn. Four coders
//! each run `ambit code` 500 times while `ambit autocode` runs in the middle; all 2,000
//! manual codings are stored and no command fails ("database is locked" on SQLite, a
//! serialization failure on PostgreSQL). On the project's SQLite file and on a team store.

use std::path::Path;
use std::sync::mpsc;

use crate::util::Workdir;

/// Eight codes whose rules all code every turn: auto-coding's one transaction writes
/// 16,000 codings and holds the write lock while the coders wait.
fn codebook() -> String {
    let mut toml = String::from("[codebook]\nname = \"Test\"\n");
    for code in RULE_CODES {
        toml.push_str(&format!(
            "\n[[code]]\nid = \"{code}\"\nname = \"{code}\"\n  [[code.rule]]\n  id = \"{code}.order\"\n  keywords = [\"order\"]\n"
        ));
    }
    toml
}

const RULE_CODES: [&str; 8] = ["kb", "c1", "c2", "c3", "c4", "c5", "c6", "c7"];
const DOCS: usize = 4;
const TURNS_EACH: usize = 500;
const CODERS: usize = 4;
/// The rule codings auto-coding stores.
pub const RULE_CODINGS: usize = DOCS * TURNS_EACH * RULE_CODES.len();
const CALLS_EACH: usize = 500;

/// Four interviews of 500 turns: small enough that each `ambit code` stays quick in a
/// debug build.
fn project() -> Workdir {
    let w = Workdir::project();
    fill(&w);
    w
}

/// The codebook and the four interviews, added to the project in `w`.
pub fn fill(w: &Workdir) {
    w.write("codebook.toml", &codebook());
    for i in 0..DOCS {
        let turns: Vec<String> = (0..TURNS_EACH)
            .map(|t| format!("Päivi: order {i}-{t} came late again, so we re-typed it."))
            .collect();
        w.write(&format!("interview{i}.txt"), &turns.join("\n\n"));
    }
    let files: Vec<String> = (0..DOCS).map(|i| format!("interview{i}.txt")).collect();
    let mut args = vec!["add"];
    args.extend(files.iter().map(String::as_str));
    w.run(&args).ok();
}

#[test]
fn four_coders_and_autocode_at_once() {
    coders_and_autocode_at_once(&project());
}

#[test]
fn four_coders_and_autocode_at_once_on_a_team_store() {
    let Some(base) = crate::team_store::pg_base() else {
        return;
    };
    let w = crate::team_store::server_project(&crate::team_store::pg_project(&base));
    fill(&w);
    coders_and_autocode_at_once(&w);
}

fn coders_and_autocode_at_once(w: &Workdir) {
    let (started, autocode_start) = mpsc::channel::<()>();
    let failures: Vec<String> = std::thread::scope(|s| {
        let coders: Vec<_> = (0..CODERS)
            .map(|coder| {
                let started = started.clone();
                s.spawn(move || {
                    let mut failed = Vec::new();
                    for i in 0..CALLS_EACH {
                        if coder == 0 && i == CALLS_EACH / 2 {
                            let _ = started.send(());
                        }
                        // Distinct ranges: no coding is a duplicate of another.
                        let at = CODERS * i + coder;
                        let span = format!("{at}..{}", at + 1);
                        let who = format!("coder{coder}");
                        let r = w.run(&[
                            "code", "D1", "--code", "kb", "--span", &span, "--coder", &who,
                        ]);
                        if r.code != 0 {
                            failed.push(format!("{who} call {i}: {}", r.stderr.trim()));
                        }
                    }
                    failed
                })
            })
            .collect();
        drop(started);
        let auto = s.spawn(move || {
            autocode_start.recv().expect("coder 0 reached the middle");
            w.run(&["autocode"])
        });
        let mut failures: Vec<String> = coders
            .into_iter()
            .flat_map(|c| c.join().expect("coder thread"))
            .collect();
        let auto = auto.join().expect("autocode thread");
        if auto.code != 0 {
            failures.push(format!("autocode: {}", auto.stderr.trim()));
        }
        failures
    });
    assert!(
        failures.is_empty(),
        "{} of {} commands failed, first: {}",
        failures.len(),
        CODERS * CALLS_EACH + 1,
        failures[0]
    );
    let (manual, rule) = counts(w.path());
    assert_eq!(manual, CODERS * CALLS_EACH);
    assert_eq!(rule, RULE_CODINGS, "autocode's codings");
}

/// Manual and rule-made codings in the project at `root` (on either backend).
pub fn counts(root: &Path) -> (usize, usize) {
    let project = ambit_store::Project::open(root).expect("project");
    let all = project
        .store
        .codings(&ambit_store::CodingFilter::default())
        .expect("codings");
    let manual = all
        .iter()
        .filter(|c| c.origin == ambit_core::Origin::Manual)
        .count();
    (manual, all.len() - manual)
}
