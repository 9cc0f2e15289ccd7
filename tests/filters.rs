//! One document filter: the same `--phase/--kind/--doc/--attr/--month/--speaker` flags
//! select the same documents in every command that narrows the study (docs, codings,
//! query, search, kwic, agreement).
//!
//! For each set of flags F, `ambit docs F` names the documents D(F); every other command
//! run with F must give exactly what it gives without F, restricted to D(F) (and, with
//! `--speaker`, to that speaker's passages).

use std::collections::BTreeSet;

use serde_json::Value;

use crate::util::{repo, Workdir};

fn demo() -> (Workdir, std::path::PathBuf) {
    let w = Workdir::new();
    let samples = repo().join("data-samples");
    w.run(&["demo", "demo", "--samples", samples.to_str().unwrap()])
        .ok();
    let dir = w.path().join("demo");
    (w, dir)
}

fn json(w: &Workdir, dir: &std::path::Path, args: &[&str]) -> Value {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--format", "json"]);
    let r = w.run_in(dir, &all);
    assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
    r.json()
}

fn docs_of(rows: &Value, field: &str) -> BTreeSet<String> {
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| r[field].as_str().unwrap().to_string())
        .collect()
}

/// Rows of an unfiltered listing whose document is in `docs`.
fn restricted(rows: &Value, field: &str, docs: &BTreeSet<String>) -> Vec<Value> {
    rows.as_array()
        .unwrap()
        .iter()
        .filter(|r| docs.contains(r[field].as_str().unwrap()))
        .cloned()
        .collect()
}

#[test]
fn every_command_selects_the_same_documents() {
    let (w, dir) = demo();
    let flag_sets: &[&[&str]] = &[
        &["--phase", "I1"],
        &["--phase", "I1", "--phase", "I2"],
        &["--kind", "interview"],
        &["--kind", "workshop", "--phase", "I2"],
        &["--doc", "D1", "--doc", "D7"],
        &["--attr", "organisation=Kaleva Systems Oy"],
        // Same key twice: either value.
        &[
            "--attr",
            "organisation=Kaleva Systems Oy",
            "--attr",
            "organisation=Saimaa Paper Oy",
        ],
        // Different keys: both hold.
        &[
            "--attr",
            "organisation=Kaleva Systems Oy",
            "--attr",
            "role=service manager",
        ],
        // `(none)`: the attribute is missing.
        &["--attr", "author=(none)"],
        &["--month", "2013-03", "--month", "undated"],
        &["--phase", "unphased"],
    ];
    let all_codings = json(&w, &dir, &["codings"]);
    let all_query = json(&w, &dir, &["query", "kb OR coord OR su"]);
    let all_search = json(&w, &dir, &["search", "order OR customer", "--limit", "0"]);
    let all_kwic = json(&w, &dir, &["kwic", "order"]);
    for flags in flag_sets {
        let with = |args: &[&str]| {
            let mut a = args.to_vec();
            a.extend_from_slice(flags);
            json(&w, &dir, &a)
        };
        let docs = docs_of(&with(&["docs"]), "id");
        assert!(!docs.is_empty(), "{flags:?} selects no document");
        let codings = with(&["codings"]);
        assert_eq!(
            codings.as_array().unwrap(),
            &restricted(&all_codings, "doc", &docs),
            "codings {flags:?}"
        );
        assert_eq!(
            with(&["query", "kb OR coord OR su"]).as_array().unwrap(),
            &restricted(&all_query, "doc", &docs),
            "query {flags:?}"
        );
        let mut search = with(&["search", "order OR customer", "--limit", "0"]);
        let mut expected = restricted(&all_search, "doc", &docs);
        // Scores depend on the whole index, not on the filter; compare the passages.
        let passages = |v: &mut Vec<Value>| -> Vec<String> {
            let mut p: Vec<String> = v
                .iter()
                .map(|h| h["passage"].as_str().unwrap().to_string())
                .collect();
            p.sort();
            p
        };
        assert_eq!(
            passages(search.as_array_mut().unwrap()),
            passages(&mut expected),
            "search {flags:?}"
        );
        assert_eq!(
            with(&["kwic", "order"]).as_array().unwrap(),
            &restricted(&all_kwic, "doc", &docs),
            "kwic {flags:?}"
        );
    }
}

#[test]
fn speakers_select_passages_everywhere() {
    let (w, dir) = demo();
    for speaker in ["R", "(no speaker)"] {
        let f = ["--speaker", speaker];
        let wanted = |s: &Value| match speaker {
            "(no speaker)" => s.is_null(),
            name => s.as_str() == Some(name),
        };
        let docs = docs_of(&json(&w, &dir, &["docs", f[0], f[1]]), "id");
        let search = json(&w, &dir, &["search", "order", "--limit", "0", f[0], f[1]]);
        assert!(!search.as_array().unwrap().is_empty(), "{speaker}");
        for h in search.as_array().unwrap() {
            assert!(wanted(&h["speaker"]), "search {speaker}: {h}");
            assert!(docs.contains(h["doc"].as_str().unwrap()));
        }
        for l in json(&w, &dir, &["kwic", "order", f[0], f[1]])
            .as_array()
            .unwrap()
        {
            assert!(wanted(&l["speaker"]), "kwic {speaker}: {l}");
        }
        for q in json(&w, &dir, &["query", "kb", f[0], f[1]])
            .as_array()
            .unwrap()
        {
            assert!(wanted(&q["speaker"]), "query {speaker}: {q}");
        }
        let codings = json(&w, &dir, &["codings", f[0], f[1]]);
        assert!(!codings.as_array().unwrap().is_empty(), "{speaker}");
        for c in codings.as_array().unwrap() {
            assert!(docs.contains(c["doc"].as_str().unwrap()), "codings {c}");
        }
    }
}

#[test]
fn bad_filter_values_are_usage_errors() {
    let (w, dir) = demo();
    for (args, hint) in [
        (&["docs", "--attr", "=x"][..], "KEY=VALUE"),
        (&["codings", "--attr", "novalue"][..], "KEY=VALUE"),
        (&["search", "order", "--month", "2013"][..], "YYYY-MM"),
        (&["kwic", "order", "--kind", "worshop"][..], "workshop"),
    ] {
        let r = w.run_in(&dir, args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(hint), "{args:?}: {}", r.stderr);
    }
    let r = w.run_in(&dir, &["search", "order", "--phase", "I9"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("baseline, I1"), "{}", r.stderr);
}

#[test]
fn every_listing_takes_text_and_table() {
    let (w, dir) = demo();
    for cmd in [
        &["docs"][..],
        &["phases"],
        &["codings", "--count"],
        &["search", "order"],
        &["kwic", "order"],
        &["memo", "list"],
    ] {
        for f in ["text", "table"] {
            let mut a = cmd.to_vec();
            a.extend(["--format", f]);
            let r = w.run_in(&dir, &a);
            assert_eq!(r.code, 0, "{a:?}: {}", r.stderr);
        }
    }
}
