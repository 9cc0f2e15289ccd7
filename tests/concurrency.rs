//! Several commands writing one project at once: every write waits its turn. Two coders
//! each run `ambit code` 500 times while `ambit autocode` runs in the middle; all 1,000
//! manual codings are stored and no command fails with "database is locked".

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
const CODERS: usize = 2;
const CALLS_EACH: usize = 500;

/// Four interviews of 500 turns: small enough that each `ambit code` stays quick in a
/// debug build.
fn project() -> Workdir {
    let w = Workdir::project();
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
    w
}

#[test]
fn two_coders_and_autocode_at_once() {
    let w = project();
    let (started, autocode_start) = mpsc::channel::<()>();
    let failures: Vec<String> = std::thread::scope(|s| {
        let coders: Vec<_> = (0..CODERS)
            .map(|coder| {
                let started = started.clone();
                let w = &w;
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
        let w = &w;
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
    let (manual, rule) = counts(&w.path().join(".ambit/store.db"));
    assert_eq!(manual, CODERS * CALLS_EACH);
    assert_eq!(
        rule,
        DOCS * TURNS_EACH * RULE_CODES.len(),
        "autocode's codings"
    );
}

/// Manual and rule-made codings in the store.
fn counts(db: &Path) -> (usize, usize) {
    let store = ambit_store::Store::open(db).expect("store");
    let all = store
        .codings(&ambit_store::CodingFilter::default())
        .expect("codings");
    let manual = all
        .iter()
        .filter(|c| c.origin == ambit_core::Origin::Manual)
        .count();
    (manual, all.len() - manual)
}
