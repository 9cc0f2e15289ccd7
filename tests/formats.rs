//! `ambit add` on rich formats (docx, odt, pdf, html, eml, mbox, csv) and on the hostile-file corpus in `tests/corpus/`.

use crate::util::{repo, Workdir};

/// Copies corpus files into the work folder under their own names.
fn copy(w: &Workdir, names: &[&str]) {
    for name in names {
        let bytes = std::fs::read(repo().join("tests/corpus").join(name)).unwrap();
        let file = std::path::Path::new(name)
            .file_name()
            .unwrap()
            .to_str()
            .unwrap();
        w.write_bytes(file, &bytes);
    }
}

/// Adds `file` (with extra args) and checks that a document with `sentence` was stored.
fn check(file: &str, args: &[&str], sentence: &str) {
    let w = Workdir::project();
    copy(&w, &[file]);
    let name = std::path::Path::new(file)
        .file_name()
        .unwrap()
        .to_str()
        .unwrap();
    let mut all = vec!["add", name];
    all.extend_from_slice(args);
    w.run(&all).ok();
    let docs = w.run(&["docs", "--format", "json"]).json();
    let found = docs.as_array().unwrap().iter().any(|d| {
        let id = d["id"].as_str().unwrap();
        let show = w.run(&["show", id, "--format", "json"]).json();
        show["text"].as_str().unwrap().contains(sentence)
    });
    assert!(found, "{file}: no document contains {sentence:?}");
}

#[test]
fn every_format_is_imported() {
    check(
        "good/transcript.docx",
        &[],
        "Åsa said “now I see what you mean”",
    );
    check(
        "good/transcript.odt",
        &[],
        "For us an order is a work order in SAP PM.",
    );
    check(
        "good/transcript.pdf",
        &[],
        "We still disagree about who pays",
    );
    check("good/page.html", &[], "Päivi Mäkelä’s office & at Norrvik.");
    check(
        "good/thread.eml",
        &[],
        "I agree the SLA must say it — but not in the map 👍",
    );
    check(
        "good/glossary.mbox",
        &[],
        "For Saimaa an order is a purchase order.",
    );
    check(
        "good/survey.csv",
        &[
            "--text-column",
            "What works better now?",
            "--id-column",
            "respondent",
        ],
        "I know when the technician comes.",
    );
}

#[test]
fn several_documents_from_one_file_get_unique_titles_and_kinds() {
    let w = Workdir::project();
    copy(&w, &["good/survey.csv", "good/glossary.mbox"]);
    let out = w
        .run(&[
            "add",
            "survey.csv",
            "--text-column",
            "What works better now?",
            "--text-column",
            "What still annoys you?",
            "--id-column",
            "respondent",
        ])
        .ok();
    assert!(out.contains("2 documents"), "{out}");
    w.run(&["add", "glossary.mbox"]).ok();
    let docs = w.run(&["docs", "--format", "json"]).json();
    let docs = docs.as_array().unwrap();
    let titles: Vec<&str> = docs.iter().map(|d| d["title"].as_str().unwrap()).collect();
    assert_eq!(
        titles,
        [
            "survey.csv R01",
            "survey.csv R03",
            "Glossary (2013-08-28 09:12)",
            "Glossary (2013-08-29 10:00)"
        ]
    );
    assert_eq!(docs[0]["kind"], "survey");
    assert_eq!(docs[0]["attributes"]["organisation"], "Saimaa Paper Oy");
    assert_eq!(docs[2]["kind"], "archival");
    assert_eq!(docs[3]["date"], "2013-08-29");
    // The same file again is unchanged; a survey without text columns says what to give.
    let out = w.run(&["add", "glossary.mbox"]).ok();
    assert!(out.contains("unchanged"), "{out}");
    w.write("other.csv", "id,Q1\n1,yes\n");
    let err = w.run(&["add", "other.csv"]).fails();
    assert!(
        err.contains("--text-column") && err.contains("`Q1`"),
        "{err}"
    );
}

#[test]
fn hostile_files_are_refused_and_the_rest_imported() {
    let w = Workdir::project();
    let hostile = [
        ("hostile/truncated.docx", "ZIP"),
        ("hostile/corrupt.docx", "damaged"),
        ("hostile/malformed.docx", "malformed XML"),
        ("hostile/malformed.odt", "content.xml"),
        ("hostile/bomb.docx", "zip bomb"),
        ("hostile/traversal.docx", "unsafe path `../../evil.sh`"),
        ("hostile/absolute.odt", "unsafe path `/etc/cron.d/evil`"),
        ("hostile/broken-xref.pdf", "PDF"),
        ("hostile/really-a-pdf.docx", "looks like a PDF"),
        ("hostile/really-an-odt.pdf", "looks like a ZIP"),
        ("hostile/really-text.xlsx", "looks like text"),
        ("hostile/memo.rtf", "save it as .docx or .odt"),
    ];
    let names: Vec<&str> = hostile.iter().map(|(n, _)| *n).collect();
    copy(&w, &names);
    copy(&w, &["good/transcript.docx"]);
    let mut args = vec!["add", "transcript.docx"];
    let files: Vec<String> = names
        .iter()
        .map(|n| n.rsplit('/').next().unwrap().to_owned())
        .collect();
    args.extend(files.iter().map(String::as_str));
    let err = w.run(&args).fails();
    for ((_, reason), file) in hostile.iter().zip(&files) {
        let line = err
            .lines()
            .find(|l| l.starts_with("error:") && l.contains(file.as_str()))
            .unwrap_or_else(|| panic!("no error for {file}:\n{err}"));
        assert!(
            line.contains(reason),
            "{file}: expected {reason:?} in {line}"
        );
    }
    assert!(
        err.contains("1 added") && err.contains("12 failed"),
        "{err}"
    );
    assert!(
        err.contains("max_file_mb"),
        "zip bomb advice missing:\n{err}"
    );
    assert_eq!(w.doc_count(), 1);
}

#[test]
fn files_over_the_size_limit_are_refused_with_the_setting_to_raise() {
    let w = Workdir::project();
    let toml = std::fs::read_to_string(w.path().join("ambit.toml")).unwrap();
    w.write("ambit.toml", &format!("max_file_mb = 1\n{toml}"));
    w.write_bytes("big.html", &vec![b'a'; 1024 * 1024 + 10]);
    let err = w.run(&["add", "big.html"]).fails();
    assert!(
        err.contains("big.html") && err.contains("max_file_mb"),
        "{err}"
    );
    assert_eq!(w.doc_count(), 0);
}
