//! Team work end to end: merging coders' copies of a project, codings that survive a
//! corrected transcript, removing and restoring documents, editing attributes and fields.
//! Every refusal leaves the store as it was (revision, documents, codings, memos, codebook).

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::util::{repo, Workdir};

/// The demo study built in `w/NAME`.
fn demo(w: &Workdir, name: &str) -> PathBuf {
    let samples = repo().join("data-samples");
    w.run(&["demo", name, "--samples", samples.to_str().unwrap()])
        .ok();
    w.path().join(name)
}

/// A copy of a project folder, as a coder gets one.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// What a refused command must leave as it is.
#[derive(Debug, PartialEq, Eq)]
struct State {
    revision: u64,
    documents: usize,
    /// (id, doc, start, end, code, coder, status) of every coding, detached ones too.
    codings: Vec<(i64, u32, usize, usize, String, String, String)>,
    memos: usize,
    codebook: Option<Vec<u8>>,
}

fn state(dir: &Path) -> State {
    let p = ambit_store::Project::open(dir).unwrap();
    let codings = p
        .store
        .codings(&ambit_store::CodingFilter {
            detached: true,
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .map(|c| {
            (
                c.id,
                c.doc.0,
                c.start,
                c.end,
                c.code,
                c.coder,
                c.status.to_string(),
            )
        })
        .collect();
    State {
        revision: p.store.revision().unwrap(),
        documents: p.store.documents().unwrap().len(),
        codings,
        memos: p.store.memos().unwrap().len(),
        codebook: std::fs::read(dir.join("codebook.toml")).ok(),
    }
}

fn coder_row<'a>(report: &'a Value, coder: &str) -> &'a Value {
    report["coders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["coder"] == coder)
        .unwrap_or_else(|| panic!("no coder {coder} in {report}"))
}

#[test]
fn two_coders_code_copies_of_the_demo_merge_them_and_measure_agreement() {
    let w = Workdir::new();
    let a = demo(&w, "anna");
    let b = w.path().join("erik");
    copy_dir(&a, &b);
    for (dir, coder, codings) in [
        (
            &a,
            "anna",
            [
                ("D1:3", "kb.semantic"),
                ("D1:7", "kb.pragmatic"),
                ("D2:4", "su"),
            ],
        ),
        (
            &b,
            "erik",
            [
                ("D1:3", "kb.semantic"),
                ("D1:5", "kb.pragmatic"),
                ("D2:4", "su"),
            ],
        ),
    ] {
        for (target, code) in codings {
            w.run_in(dir, &["code", target, "--code", code, "--coder", coder])
                .ok();
        }
    }
    w.run_in(
        &b,
        &[
            "memo",
            "add",
            "--doc",
            "D1",
            "--author",
            "erik",
            "why here?",
        ],
    )
    .ok();
    let other = b.to_str().unwrap();

    // A dry run reports and writes nothing.
    let before = state(&a);
    let dry = w
        .run_in(&a, &["merge", other, "--dry-run", "--format", "json"])
        .json();
    assert_eq!(state(&a), before);
    assert_eq!(dry["dry_run"], true);
    assert_eq!(coder_row(&dry, "erik")["added"], 3);

    let merged = w.run_in(&a, &["merge", other, "--format", "json"]).json();
    assert_eq!(merged["written"], true);
    assert_eq!(merged["documents"]["added"], Value::Array(vec![]));
    let erik = coder_row(&merged, "erik");
    assert_eq!(
        (erik["added"].as_u64(), erik["present"].as_u64()),
        (Some(3), Some(0))
    );
    // The rule codings both copies have from the demo are not added twice.
    let rules = coder_row(&merged, "researcher");
    assert_eq!(rules["added"], 0);
    assert!(rules["present"].as_u64().unwrap() > 500, "{rules}");
    assert_eq!(merged["memos"]["added"], 1);
    let dry_erik = coder_row(&dry, "erik").clone();
    assert_eq!(&dry_erik, erik, "the dry run said what the merge did");

    // Each coding keeps its coder.
    let eriks = w
        .run_in(&a, &["codings", "--coder", "erik", "--format", "json"])
        .json();
    let passages: Vec<&str> = eriks
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["passage"].as_str().unwrap())
        .collect();
    assert_eq!(passages, ["D1:3", "D1:5", "D2:4"]);
    let annas = w
        .run_in(&a, &["codings", "--coder", "anna", "--count"])
        .ok();
    assert_eq!(annas.trim(), "3");

    // That is the point of merging: agreement between the two coders.
    let agreement = w
        .run_in(
            &a,
            &["agreement", "--coders", "anna,erik", "--format", "json"],
        )
        .json();
    assert_eq!(agreement["documents"], serde_json::json!(["D1", "D2"]));
    let row = |code: &str| {
        agreement["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["code"] == code)
            .unwrap()
            .clone()
    };
    assert_eq!(row("kb.semantic")["coded_by"], serde_json::json!([1, 1]));
    assert_eq!(row("kb.semantic")["percent_agreement"], 1.0);
    assert!(row("kb.pragmatic")["percent_agreement"].as_f64().unwrap() < 1.0);

    // Merging the same project again adds nothing and writes nothing.
    let before = state(&a);
    let again = w.run_in(&a, &["merge", other, "--format", "json"]).json();
    assert_eq!(state(&a), before);
    assert_eq!(again["written"], false);
    let erik = coder_row(&again, "erik");
    assert_eq!(
        (erik["added"].as_u64(), erik["present"].as_u64()),
        (Some(0), Some(3))
    );
    assert_eq!(again["memos"]["present"], 1);
}

#[test]
fn merge_conflicts_are_listed_and_stop_the_merge_unless_a_side_is_preferred() {
    let w = Workdir::new();
    let a = demo(&w, "a");
    let b = w.path().join("b");
    copy_dir(&a, &b);
    let cb = std::fs::read_to_string(b.join("codebook.toml")).unwrap();
    let renamed = cb.replace(
        "name = \"Shared understanding / common ground\"",
        "name = \"Common ground\"",
    );
    assert_ne!(renamed, cb);
    let at = renamed.find("[[code]]\nid = \"coord\"").unwrap();
    let with_new = format!(
        "{}[[code]]\nid = \"su.repair\"\nname = \"Repairing misunderstanding\"\n\n{}",
        &renamed[..at],
        &renamed[at..]
    );
    std::fs::write(b.join("codebook.toml"), with_new).unwrap();
    w.run_in(
        &b,
        &["code", "D1:9", "--code", "su.repair", "--coder", "erik"],
    )
    .ok();
    let other = b.to_str().unwrap();

    let before = state(&a);
    let err = w.run_in(&a, &["merge", other]).fails();
    assert!(
        err.contains("1 code conflict")
            && err.contains(
                "`su`: name \"Shared understanding / common ground\" here, \"Common ground\" there"
            )
            && err.contains("--prefer ours|theirs"),
        "{err}"
    );
    assert_eq!(state(&a), before);
    // A dry run shows the conflicts and the plan, exits 1 and writes nothing.
    let dry = w.run_in(&a, &["merge", other, "--dry-run", "--format", "json"]);
    assert_eq!(dry.code, 1);
    let dry = dry.json();
    assert_eq!(
        dry["codes"]["conflicts"][0]["fields"],
        serde_json::json!(["name"])
    );
    assert_eq!(dry["codes"]["added"], serde_json::json!(["su.repair"]));
    assert_eq!(state(&a), before);

    // Ours: the name stays, the new code comes in right after the code it follows there.
    let ours = w
        .run_in(
            &a,
            &["merge", other, "--prefer", "ours", "--format", "json"],
        )
        .json();
    assert_eq!(coder_row(&ours, "erik")["added"], 1);
    let shown = w
        .run_in(&a, &["codebook", "show", "--format", "json"])
        .json();
    let ids: Vec<&str> = shown["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    let their_ids: Vec<String> = {
        let theirs = w
            .run_in(&b, &["codebook", "show", "--format", "json"])
            .json();
        theirs["codes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids, their_ids, "the new code keeps its place");
    let name_of = |v: &Value, id: &str| {
        v["codes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap()["name"]
            .clone()
    };
    assert_eq!(
        name_of(&shown, "su"),
        "Shared understanding / common ground"
    );
    // Theirs: the name is taken.
    w.run_in(&a, &["merge", other, "--prefer", "theirs"]).ok();
    let shown = w
        .run_in(&a, &["codebook", "show", "--format", "json"])
        .json();
    assert_eq!(name_of(&shown, "su"), "Common ground");
}

#[test]
fn merge_refusals_leave_the_store_unchanged() {
    let w = Workdir::new();
    let a = demo(&w, "a");
    let b = w.path().join("b");
    copy_dir(&a, &b);
    std::fs::create_dir_all(w.path().join("empty")).unwrap();
    let conn = rusqlite::Connection::open(b.join(".ambit/store.db")).unwrap();
    conn.pragma_update(None, "user_version", ambit_store::SCHEMA_VERSION + 1)
        .unwrap();
    drop(conn);
    let before = state(&a);
    let check = |other: &Path, expected: &str| {
        let err = w.run_in(&a, &["merge", other.to_str().unwrap()]).fails();
        assert!(err.contains(expected), "{err}");
        assert_eq!(state(&a), before, "{expected}");
    };
    check(&w.path().join("empty"), "is not an Ambit project");
    check(&a, "is this project itself");
    check(Path::new("."), "is this project itself");
    check(&b, "written by a newer Ambit");
}

/// A transcript as first transcribed: typos, and a turn later found to be misplaced.
const TRANSCRIPT: &str = "I: How do you recieve repair orders today?

P: Mostly by phone. The customer calls, and I write the order into our ticket sytem by hand.

P: Sometimes the same order comes by e-mail too, so it is typed twice.

I: And the process map?

P: But the map is still on paper only, nobody updates it.

P: The map helps. We look at the same picture on Tuesdays.
";

/// The corrected transcript: typos fixed, a turn inserted, the misplaced turn moved after
/// the one it answers, and a remark struck out.
const CORRECTED: &str = "I: How do you receive repair orders today?

P: Mostly by phone. The customer calls, and I write the order into our ticket system by hand.

I: Who writes the ticket when you are away?

P: My colleague Jussi, the same way.

P: Sometimes the same order comes by e-mail too.

I: And the process map?

P: The map helps. We look at the same picture on Tuesdays.

P: But the map is still on paper only, nobody updates it.
";

const CODEBOOK: &str = r#"
[codebook]
name = "Team"

[[code]]
id = "kb"
name = "Knowledge boundaries"
  [[code.rule]]
  id = "kb.order"
  keywords = ["order*"]

[[code]]
id = "coord"
name = "Coordination"

[[code]]
id = "obj"
name = "Objects"
"#;

fn coded_transcript() -> (Workdir, Vec<(i64, &'static str)>) {
    let w = Workdir::project();
    w.write("codebook.toml", CODEBOOK);
    w.write("interview.txt", TRANSCRIPT);
    w.run(&["add", "interview.txt", "--kind", "interview"]).ok();
    w.run(&["autocode"]).ok();
    let mut ids = Vec::new();
    for (target, code, quote) in [
        ("D1:1", "coord", "recieve repair orders"),
        ("D1:2", "obj", "ticket sytem"),
        ("D1:2", "coord", "Mostly by phone"),
        ("D1:3", "coord", "so it is typed twice"),
        (
            "D1:3",
            "kb",
            "the same order comes by e-mail too, so it is typed",
        ),
        ("D1:6", "obj", "The map helps"),
        ("D1:5", "obj", "nobody updates it"),
    ] {
        let out = w
            .run(&[
                "code", target, "--code", code, "--quote", quote, "--coder", "anna",
            ])
            .ok();
        let id = out
            .strip_prefix("coding ")
            .and_then(|r| r.split(':').next())
            .unwrap()
            .parse()
            .unwrap();
        ids.push((id, quote));
    }
    (w, ids)
}

#[test]
fn codings_survive_a_realistic_correction_of_a_transcript() {
    let (w, ids) = coded_transcript();
    let id_of = |quote: &str| ids.iter().find(|(_, q)| *q == quote).unwrap().0;
    let hits = |query: &str, code: &str| {
        w.run(&["search", query, "--code", code, "--format", "json"])
            .json()
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!(hits("sometimes", "coord"), 1);
    w.write("interview.txt", CORRECTED);

    // The dry run reports exactly what the replacement then does, and writes nothing.
    let before = state(w.path());
    let dry = w
        .run(&[
            "add",
            "interview.txt",
            "--replace",
            "--dry-run",
            "--format",
            "json",
        ])
        .json();
    assert_eq!(state(w.path()), before);
    assert_eq!(dry[0]["status"], "would-replace");
    let text = w
        .run(&["add", "interview.txt", "--replace", "--dry-run"])
        .ok();
    assert!(text.starts_with("would replace D1"), "{text}");
    let done = w
        .run(&["add", "interview.txt", "--replace", "--format", "json"])
        .json();
    assert_eq!(done[0]["status"], "replaced");
    let mut dry_codings = dry[0]["codings"].clone();
    dry_codings["dry_run"] = Value::Bool(false);
    assert_eq!(dry_codings, done[0]["codings"]);

    let report = &done[0]["codings"];
    assert!(report["rule_codings"].as_u64().unwrap() >= 2, "{report}");
    let fate = |quote: &str| {
        report["moved"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["coding"] == id_of(quote))
            .unwrap()
            .clone()
    };
    let check = |quote: &str, status: &str, text: Option<&str>, review: bool| {
        let f = fate(quote);
        assert_eq!(f["status"], status, "{quote}: {f}");
        assert_eq!(f["text"].as_str(), text, "{quote}: {f}");
        assert_eq!(f["needs_review"], review, "{quote}: {f}");
        assert_eq!(f["old_text"], quote);
    };
    check(
        "recieve repair orders",
        "edited",
        Some("receive repair orders"),
        true,
    );
    check("ticket sytem", "grown", Some("ticket system"), true);
    check("Mostly by phone", "kept", Some("Mostly by phone"), false);
    check("so it is typed twice", "lost", None, true);
    check(
        "the same order comes by e-mail too, so it is typed",
        "shrunk",
        Some("the same order comes by e-mail too"),
        true,
    );
    check("The map helps", "moved", Some("The map helps"), false);
    check(
        "nobody updates it",
        "moved",
        Some("nobody updates it"),
        false,
    );
    assert_eq!(report["moved"].as_array().unwrap().len(), 7);

    // Every coding that points at text points at its new text.
    let listed = w.run(&["codings", "--format", "json"]).json();
    for row in listed.as_array().unwrap() {
        let f = report["moved"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["coding"] == row["coding"]);
        let Some(f) = f else { continue };
        if f["status"] == "lost" {
            assert_eq!(row["status"], "detached");
            assert_eq!(row["text"], "");
            assert_eq!(row["passage"], Value::Null);
            assert_eq!(row["quote"], "so it is typed twice");
        } else {
            assert_eq!(row["text"], f["text"], "{row}");
            let start = row["start"].as_u64().unwrap() as usize;
            let end = row["end"].as_u64().unwrap() as usize;
            let cut: String = CORRECTED.chars().skip(start).take(end - start).collect();
            assert_eq!(row["text"].as_str().unwrap(), cut);
        }
    }
    let review = w
        .run(&["codings", "--needs-review", "--format", "json"])
        .json();
    let statuses: Vec<(i64, &str)> = review
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["coding"].as_i64().unwrap(), r["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        statuses,
        [
            (id_of("recieve repair orders"), "needs-review"),
            (id_of("ticket sytem"), "needs-review"),
            (
                id_of("the same order comes by e-mail too, so it is typed"),
                "needs-review"
            ),
            (id_of("so it is typed twice"), "detached"),
        ]
    );
    assert_eq!(review[0]["quote"], "recieve repair orders");

    // A detached coding points at no text: no table, count or search counts it.
    let count = |code: &str| {
        w.run(&["codings", "--code", code, "--count", "--measure", "codings"])
            .ok()
            .trim()
            .to_string()
    };
    assert_eq!(count("coord"), "2");
    let freq = w.run(&["table", "freq", "--format", "json"]).json();
    let coord = freq["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "coord")
        .unwrap()
        .clone();
    assert_eq!(
        coord["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap())
            .sum::<u64>(),
        2
    );
    assert_eq!(hits("sometimes", "coord"), 0);

    // Re-attached by hand: it counts again and needs no review; a coding that needs
    // review is confirmed the same way; a lost one can also be removed.
    let lost = id_of("so it is typed twice").to_string();
    let out = w
        .run(&[
            "code",
            "D1:5",
            "--quote",
            "comes by e-mail",
            "--reattach",
            &lost,
        ])
        .ok();
    assert!(out.contains("re-attached"), "{out}");
    assert_eq!(hits("sometimes", "coord"), 1);
    assert_eq!(count("coord"), "3");
    let typo = id_of("recieve repair orders").to_string();
    w.run(&[
        "code",
        "D1:1",
        "--quote",
        "receive repair orders",
        "--reattach",
        &typo,
    ])
    .ok();
    let left = w.run(&["codings", "--needs-review", "--count"]).ok();
    assert_eq!(left.trim(), "2");
    let err = w
        .run(&["code", "D1:1", "--quote", "nowhere", "--reattach", &typo])
        .fails();
    assert!(err.contains("not found"), "{err}");
    w.run(&["uncode", &id_of("ticket sytem").to_string()]).ok();
    let left = w.run(&["codings", "--needs-review", "--count"]).ok();
    assert_eq!(left.trim(), "1");

    // The rule codings come back with the next auto-coding.
    let after = w.run(&["autocode", "--format", "json"]).ok();
    assert!(after.contains("kb"), "{after}");
}

#[test]
fn a_detached_coding_is_listed_after_its_documents_codings_and_can_be_removed() {
    let (w, ids) = coded_transcript();
    w.write("interview.txt", CORRECTED);
    w.run(&["add", "interview.txt", "--replace"]).ok();
    let lost = ids
        .iter()
        .find(|(_, q)| *q == "so it is typed twice")
        .unwrap()
        .0;
    let listed = w.run(&["codings"]).ok();
    let last = listed.lines().rev().take(2).collect::<Vec<_>>();
    assert!(
        last[0].contains("detached") && last[0].contains("so it is typed twice"),
        "{listed}"
    );
    assert!(
        last[1].starts_with(&format!("#{lost} coord · D1 ·")),
        "{listed}"
    );
    w.run(&["uncode", &lost.to_string()]).ok();
    let review = w
        .run(&["codings", "--needs-review", "--format", "json"])
        .json();
    assert!(review
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["status"] == "needs-review"));
}

#[test]
fn removed_documents_leave_search_and_come_back_from_the_trash() {
    let w = Workdir::project();
    w.write("codebook.toml", CODEBOOK);
    w.write("interview.txt", TRANSCRIPT);
    w.write(
        "notes.txt",
        "The workshop notes mention the process map twice.\n",
    );
    w.run(&["add", "interview.txt", "notes.txt"]).ok();
    w.run(&["autocode"]).ok();
    w.run(&[
        "code",
        "D1:2",
        "--code",
        "coord",
        "--quote",
        "Mostly by phone",
    ])
    .ok();
    w.run(&[
        "code",
        "D1:5",
        "--code",
        "obj",
        "--quote",
        "nobody updates it",
    ])
    .ok();
    w.run(&["memo", "add", "--passage", "D1:5", "ask about the wiki"])
        .ok();
    w.run(&["memo", "add", "--code", "coord", "a code memo stays"])
        .ok();
    w.run(&["attr", "set", "D1", "site=north"]).ok();
    let hits = |query: &str| {
        w.run(&["search", query, "--format", "json"])
            .json()
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!(hits("phone"), 1);
    let full = state(w.path());
    let listed = w
        .run(&["codings", "--doc", "D1", "--format", "json"])
        .json();

    // Refused while a person's work is on it: nothing written, no trash.
    let err = w.run(&["rm", "D1"]).fails();
    assert!(
        err.contains("D1")
            && err.contains("2 coding(s) not made by rules, 1 memo(s)")
            && err.contains("--force"),
        "{err}"
    );
    assert_eq!(state(w.path()), full);
    assert!(!w.path().join(".ambit/trash").exists());
    let err = w.run(&["rm", "D9"]).fails();
    assert!(err.contains("no document D9"), "{err}");
    assert_eq!(state(w.path()), full);

    // A document without such work goes without --force (into the trash all the same).
    let out = w.run(&["rm", "D2"]).ok();
    assert!(out.contains("removed    D2"), "{out}");
    assert_eq!(hits("workshop"), 0);

    let report = w.run(&["rm", "D1", "--force", "--format", "json"]).json();
    assert_eq!(report["removed"][0]["human_codings"], 2);
    let trash = PathBuf::from(report["trash"].as_str().unwrap());
    assert!(
        trash.starts_with(w.path().join(".ambit/trash")),
        "{trash:?}"
    );
    assert_eq!(w.doc_count(), 0);
    assert_eq!(hits("phone"), 0);
    let left = state(w.path());
    assert_eq!((left.codings.len(), left.memos), (0, 1));

    // Restored: the same id, text, attributes, codings and memos; search finds it again.
    let restored = w
        .run(&["restore", trash.to_str().unwrap(), "--format", "json"])
        .json();
    assert_eq!(restored["documents"][0]["doc"], "D1");
    assert_eq!(restored["documents"][0]["stored_again"], true);
    assert_eq!(hits("phone"), 1);
    assert_eq!(
        w.run(&["codings", "--doc", "D1", "--format", "json"])
            .json(),
        listed
    );
    let docs = w.run(&["docs", "--format", "json"]).json();
    assert_eq!(docs[0]["attributes"]["site"], "north");
    let memos = w.run(&["memo", "list", "--format", "json"]).json();
    assert!(memos
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["target"] == "passage:D1:5" && m["text"] == "ask about the wiki"));
    let back = state(w.path());
    let of_d1: Vec<_> = full.codings.iter().filter(|c| c.1 == 1).cloned().collect();
    assert_eq!(back.codings, of_d1, "the same codings, under their old ids");
    assert_eq!((back.documents, back.memos), (1, full.memos));

    // Restoring again adds nothing.
    let again = w
        .run(&["restore", trash.to_str().unwrap(), "--format", "json"])
        .json();
    assert_eq!(again["codings"], 0);
    assert_eq!(again["documents"][0]["stored_again"], false);
    assert_eq!(state(w.path()), back);
    let err = w.run(&["restore", "codebook.toml"]).fails();
    assert!(err.contains("not an Ambit trash file"), "{err}");
    assert_eq!(state(w.path()), back);
}

#[test]
fn attributes_and_fields_edited_are_seen_by_tables_at_once() {
    let w = Workdir::project();
    w.write("codebook.toml", CODEBOOK);
    w.write(
        "a/interview.txt",
        "I: Who orders?\n\nR: I order by phone.\n",
    );
    w.write(
        "b/interview.txt",
        "I: Who orders?\n\nR: The order comes by e-mail.\n",
    );
    w.write("c/notes.txt", "Orders pile up on Fridays.\n");
    w.run(&["add", "a/interview.txt", "b/interview.txt", "c/notes.txt"])
        .ok();
    w.run(&["autocode"]).ok();
    w.run(&["attr", "set", "D1", "site=north", "team=A"]).ok();
    w.write(
        "sites.csv",
        "path,site,team\nb/interview.txt,south,\nc/notes.txt,north,B\n",
    );
    let out = w.run(&["attr", "import", "sites.csv"]).ok();
    assert!(
        out.contains("3 value(s) set on 2 document(s) (D2, D3)"),
        "{out}"
    );
    let crosstab = |by: &str| {
        w.run(&["table", "crosstab", "--by", by, "--format", "json"])
            .json()
    };
    let t = crosstab("attr:site");
    let labels: Vec<&str> = t["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["north", "south"]);
    let kb = |t: &Value| t["rows"][0]["values"].clone();
    assert_eq!(kb(&t), serde_json::json!([3, 2]));
    w.run(&["attr", "unset", "D3", "site"]).ok();
    assert_eq!(kb(&crosstab("attr:site")), serde_json::json!([2, 2, 1]));
    assert_eq!(kb(&crosstab("attr:team")), serde_json::json!([2, 1, 2]));

    // A bad row is refused with its line, and nothing is changed.
    let before = state(w.path());
    let refuse = |csv: &str, expected: &str| {
        w.write("bad.csv", csv);
        let err = w.run(&["attr", "import", "bad.csv"]).fails();
        assert!(err.contains(expected), "{err}");
        assert_eq!(state(w.path()), before, "{expected}");
    };
    refuse("doc,site\nD1,east\nD7,west\n", "bad.csv:3: no document D7");
    refuse("doc,site\nD1,east\nseven,west\n", "bad.csv:3:");
    refuse("doc,site\nD1,east,extra\n", "bad.csv:2: 3 field(s)");
    refuse(
        "path,site\nmissing.txt,east\n",
        "bad.csv:2: no document was imported from \"missing.txt\"",
    );
    refuse(
        "name,site\nD1,east\n",
        "bad.csv:1: the first column must be `doc`",
    );
    refuse(
        "doc,site,site\nD1,a,b\n",
        "bad.csv:1: column \"site\" appears twice",
    );
    let err = w.run(&["attr", "unset", "D1", "nope"]).fails();
    assert!(err.contains("D1 has no attribute \"nope\""), "{err}");
    assert_eq!(state(w.path()), before);

    // The document's own fields.
    w.run(&[
        "edit",
        "D3",
        "--kind",
        "observation",
        "--date",
        "2013-06-12",
        "--title",
        "Friday notes",
    ])
    .ok();
    let docs = w.run(&["docs", "--format", "json"]).json();
    assert_eq!(docs[2]["title"], "Friday notes");
    assert_eq!(docs[2]["kind"], "observation");
    assert_eq!(docs[2]["phase"], "I2");
    let observations = w
        .run(&["docs", "--kind", "observation", "--format", "json"])
        .json();
    assert_eq!(observations.as_array().unwrap().len(), 1);
    w.run(&["edit", "D1", "--phase", "baseline"]).ok();
    let before = state(w.path());
    for (args, expected) in [
        (vec!["edit", "D1", "--phase", "nowhere"], "nowhere"),
        (vec!["edit", "D1", "--title", "Friday notes"], "taken by D3"),
        (vec!["edit", "D1"], "nothing to change"),
        (vec!["edit", "D9", "--kind", "other"], "no document D9"),
    ] {
        let err = w.run(&args).fails();
        assert!(err.contains(expected), "{args:?}: {err}");
        assert_eq!(state(w.path()), before, "{args:?}");
    }
}
