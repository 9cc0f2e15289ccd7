//! `ambit demo` on the bundled sample study.

use crate::util::{repo, Workdir};

#[test]
fn demo_builds_the_sample_study() {
    let w = Workdir::new();
    let samples = repo().join("data-samples");
    let out = w
        .run(&["demo", "d", "--samples", samples.to_str().unwrap()])
        .ok();
    assert!(out.contains("Built the demo project"), "{out}");
    let docs = w
        .run_in(&w.path().join("d"), &["docs", "--format", "json"])
        .json();
    let docs = docs.as_array().unwrap();
    assert!(docs.len() >= 16, "{} documents", docs.len());
    let phases = w
        .run_in(&w.path().join("d"), &["phases", "--format", "json"])
        .json();
    for p in phases.as_array().unwrap() {
        if p["id"] != "unphased" {
            assert!(
                p["documents"].as_u64().unwrap() > 0,
                "phase {} is empty",
                p["id"]
            );
        }
    }
    let words: u64 = phases
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["words"].as_u64().unwrap())
        .sum();
    assert!(words >= 25_000, "{words} words");
    // Running again replaces the demo; a foreign folder is refused.
    w.run(&["demo", "d", "--samples", samples.to_str().unwrap()])
        .ok();
    w.write("mine/thesis.txt", "weeks of work\n");
    let err = w
        .run(&["demo", "mine", "--samples", samples.to_str().unwrap()])
        .fails();
    assert!(err.contains("not an Ambit demo"), "{err}");
    assert!(w.path().join("mine/thesis.txt").is_file());
}
