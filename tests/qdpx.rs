//! `ambit qdpx export|import` and `ambit codebook export|import FILE.qdc`: REFI-QDA round trips of the demo study, schema validity, other tools' files, refusals.

use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::util::{repo, Workdir};

/// The demo study in `w`/`dir`, with work of the kinds the demo lacks: manual codings (one
/// with a memo) by two more coders, and memos on a document, a code and a passage.
fn demo(w: &Workdir, dir: &str) -> PathBuf {
    let samples = repo().join("data-samples");
    w.run(&["demo", dir, "--samples", samples.to_str().unwrap()])
        .ok();
    let d = w.path().join(dir);
    for args in [
        &[
            "code",
            "D1:3",
            "--code",
            "kb.semantic",
            "--coder",
            "anna",
            "--memo",
            "Clear case.\nSecond line.",
        ][..],
        &[
            "code", "D2", "--code", "su", "--span", "10..40", "--coder", "kari",
        ],
        &["memo", "add", "--doc", "D1", "About the baseline interview"],
        &["memo", "add", "--code", "kb", "About the code & <its> use"],
        &[
            "memo",
            "add",
            "--passage",
            "D3:2",
            "--author",
            "anna",
            "About a passage",
        ],
    ] {
        w.run_in(&d, args).ok();
    }
    d
}

fn json(w: &Workdir, dir: &Path, args: &[&str]) -> Value {
    w.run_in(dir, args).json()
}

/// What a project holds, for comparing two projects.
fn contents(w: &Workdir, dir: &Path) -> Vec<(&'static str, Value)> {
    let codings: Vec<Value> = json(w, dir, &["codings", "--format", "json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            serde_json::json!([
                c["doc"],
                c["start"],
                c["end"],
                c["code"],
                c["coder"],
                c["origin"],
                c["memo"]
            ])
        })
        .collect();
    let mut memos: Vec<Value> = json(w, dir, &["memo", "list", "--format", "json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|m| serde_json::json!([m["target"], m["author"], m["text"], m["created"]]))
        .collect();
    memos.sort_by_key(|m| m.to_string());
    vec![
        ("documents", json(w, dir, &["docs", "--format", "json"])),
        (
            "codebook",
            json(w, dir, &["codebook", "show", "--format", "json"]),
        ),
        ("codings", Value::Array(codings)),
        ("memos", Value::Array(memos)),
        ("phases", json(w, dir, &["phases", "--format", "json"])),
    ]
}

fn texts(dir: &Path) -> Vec<String> {
    let p = ambit_store::Project::open(dir).unwrap();
    p.store.texts().unwrap().into_values().collect()
}

/// The store revision and the counts a refused import must leave as they are, with the
/// bytes of the two files an import may write.
fn state(dir: &Path) -> (u64, usize, usize, usize, Option<Vec<u8>>, Vec<u8>) {
    let p = ambit_store::Project::open(dir).unwrap();
    let codings = p
        .store
        .codings(&ambit_store::CodingFilter::default())
        .unwrap()
        .len();
    (
        p.store.revision().unwrap(),
        p.store.documents().unwrap().len(),
        codings,
        p.store.memos().unwrap().len(),
        std::fs::read(dir.join("codebook.toml")).ok(),
        std::fs::read(dir.join("ambit.toml")).unwrap(),
    )
}

fn entry(archive: &[u8], name: &str) -> Vec<u8> {
    let mut z = zip::ZipArchive::new(Cursor::new(archive)).unwrap();
    let mut f = z.by_name(name).unwrap();
    let mut out = Vec::new();
    f.read_to_end(&mut out).unwrap();
    out
}

fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        w.start_file(*name, opts).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// Validates `xml` with `xmllint --schema` against a schema of `crates/qdpx/tests/schema/`;
/// skips (saying so) when xmllint is not installed.
fn assert_valid(schema: &str, xml: &[u8]) {
    let xsd = repo().join("crates/qdpx/tests/schema").join(schema);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("doc.xml");
    std::fs::write(&file, xml).unwrap();
    let Ok(out) = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&xsd)
        .arg(&file)
        .output()
    else {
        let _ = writeln!(
            std::io::stderr(),
            "tests/qdpx.rs: skipping schema validation: xmllint is not installed \
             (Debian/Ubuntu: apt-get install -y libxml2-utils)"
        );
        return;
    };
    assert!(
        out.status.success(),
        "not valid against {schema}:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_demo_round_trips_through_qdpx_and_exports_byte_identically() {
    let w = Workdir::new();
    let a = demo(&w, "a");
    let out = w.run_in(&a, &["qdpx", "export", "../a.qdpx"]).ok();
    assert!(out.contains("27 document(s)"), "{out}");
    w.run_in(&a, &["qdpx", "export", "../a2.qdpx"]).ok();
    let bytes = std::fs::read(w.path().join("a.qdpx")).unwrap();
    assert_eq!(bytes, std::fs::read(w.path().join("a2.qdpx")).unwrap());

    w.run(&["init", "b"]).ok();
    let b = w.path().join("b");
    let report = json(&w, &b, &["qdpx", "import", "../a.qdpx", "--format", "json"]);
    assert_eq!(report["dry_run"], false);
    assert_eq!(report["documents"].as_array().unwrap().len(), 27);
    assert_eq!(report["codes"]["added"].as_array().unwrap().len(), 25);
    assert_eq!(report["memos"], 4, "{report}");
    assert_eq!(
        report["phases"],
        serde_json::json!(["baseline", "I1", "between", "I2", "I3", "followup"])
    );
    assert_eq!(report["skipped"], serde_json::json!([]));

    assert_eq!(texts(&a), texts(&b), "texts are byte-identical");
    for ((what, left), (_, right)) in contents(&w, &a).into_iter().zip(contents(&w, &b)) {
        assert_eq!(left, right, "{what} differ");
    }
    let freq = |dir: &Path| w.run_in(dir, &["table", "freq"]).ok();
    assert_eq!(freq(&a), freq(&b));
    // Every document gets the passages `ambit add` gave it: read again from its original
    // file, or, for survey answers (with their questions) and mailbox messages, kept in the
    // archive's Ambit data.
    let show = |dir: &Path, doc: &str| json(&w, dir, &["show", doc, "--format", "json"]);
    for n in 1..=27 {
        let doc = format!("D{n}");
        let (left, right) = (show(&a, &doc), show(&b, &doc));
        assert_eq!(left["passages"], right["passages"], "{doc}");
    }
    let survey = show(&b, "D23");
    assert_eq!(
        survey["passages"][0]["question"], "What has changed in how you work with the network?",
        "{survey}"
    );
}

#[test]
fn exports_are_valid_against_the_schemas() {
    let w = Workdir::new();
    let a = demo(&w, "a");
    w.run_in(
        &a,
        &["qdpx", "export", "../a.qdpx", "--cases", "organisation"],
    )
    .ok();
    let bytes = std::fs::read(w.path().join("a.qdpx")).unwrap();
    assert_valid("Project.xsd", &entry(&bytes, "project.qde"));
    let r = json(
        &w,
        &a,
        &[
            "qdpx",
            "export",
            "../part.qdpx",
            "--doc",
            "D1",
            "--doc",
            "D3",
            "--coder",
            "anna",
            "--format",
            "json",
        ],
    );
    assert_eq!(
        (r["sources"].as_u64(), r["codings"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(r["notes"], 2, "the coding's memo and the passage memo: {r}");
    let part = std::fs::read(w.path().join("part.qdpx")).unwrap();
    assert_valid("Project.xsd", &entry(&part, "project.qde"));
    let r = json(
        &w,
        &a,
        &[
            "qdpx",
            "export",
            "../i1.qdpx",
            "--phase",
            "I1",
            "--format",
            "json",
        ],
    );
    let phases = json(&w, &a, &["phases", "--format", "json"]);
    let i1 = phases
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "I1")
        .unwrap();
    assert_eq!(r["sources"], i1["documents"], "{r}");
    w.run_in(&a, &["codebook", "export", "../cb.qdc"]).ok();
    assert_valid(
        "Codebook.xsd",
        &std::fs::read(w.path().join("cb.qdc")).unwrap(),
    );
    let err = w
        .run_in(&a, &["qdpx", "export", "../x.qdpx", "--phase", "nope"])
        .fails();
    assert!(err.contains("nope"), "{err}");
}

#[test]
fn a_second_import_matches_documents_and_adds_nothing_twice() {
    let w = Workdir::new();
    let a = demo(&w, "a");
    w.run_in(&a, &["qdpx", "export", "../a.qdpx"]).ok();
    w.run(&["init", "b"]).ok();
    let b = w.path().join("b");
    w.run_in(
        &b,
        &[
            "qdpx",
            "import",
            "../a.qdpx",
            "--coder-map",
            "researcher=robot",
        ],
    )
    .ok();
    let before = state(&b);
    let again = json(
        &w,
        &b,
        &[
            "qdpx",
            "import",
            "../a.qdpx",
            "--coder-map",
            "researcher=robot",
            "--format",
            "json",
        ],
    );
    let docs = again["documents"].as_array().unwrap();
    assert!(docs.iter().all(|d| d["matched"] == true), "{again}");
    assert_eq!(docs[6]["document"], "D7");
    assert_eq!(again["codings"], 0);
    assert_eq!(again["duplicate_codings"], 992);
    assert_eq!(again["codes"]["matched"].as_array().unwrap().len(), 25);
    assert_eq!(state(&b), before, "nothing was written");
    let coders: Vec<Value> = again["coders"].as_array().unwrap().to_vec();
    assert!(
        coders.contains(&serde_json::json!({"user": "researcher", "coder": "robot", "new": false}))
    );
    let codings = json(&w, &b, &["codings", "--coder", "robot", "--format", "json"]);
    assert_eq!(codings.as_array().unwrap().len(), 990);
    let err = w
        .run_in(
            &b,
            &["qdpx", "import", "../a.qdpx", "--coder-map", "nobody=x"],
        )
        .fails();
    assert!(
        err.contains("no user `nobody`") && err.contains("researcher"),
        "{err}"
    );
}

#[test]
fn a_dry_run_reports_everything_and_writes_nothing() {
    let w = Workdir::new();
    let a = demo(&w, "a");
    w.run_in(&a, &["qdpx", "export", "../a.qdpx"]).ok();
    w.run(&["init", "b"]).ok();
    let b = w.path().join("b");
    let before = state(&b);
    let text = w
        .run_in(&b, &["qdpx", "import", "../a.qdpx", "--dry-run"])
        .ok();
    assert!(text.contains("Dry run, nothing written"), "{text}");
    assert!(
        text.contains("coders: anna (new), kari (new), researcher (new)"),
        "{text}"
    );
    assert!(text.contains("codings: 992"), "{text}");
    let r = json(
        &w,
        &b,
        &[
            "qdpx",
            "import",
            "../a.qdpx",
            "--dry-run",
            "--format",
            "json",
        ],
    );
    assert_eq!(r["dry_run"], true);
    assert!(r["documents"][0]["document"].is_null());
    let sel = r["selections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["codes"] == serde_json::json!(["su"]) && s["start"] == 10)
        .unwrap_or_else(|| panic!("{}", r["selections"]));
    assert_eq!(sel["end"], 40);
    assert_eq!(
        sel["source"],
        "Baseline interview: Åsa Ström (Norrvik Energi)"
    );
    let d2 = &texts(&a)[1];
    assert_eq!(
        sel["text"].as_str().unwrap(),
        d2.chars().skip(10).take(30).collect::<String>()
    );
    assert_eq!(state(&b), before);
    assert!(!b.join("codebook.toml").exists());
}

/// A project from another tool: one source, one code, one user, selections at `sels`.
fn foreign(origin: &str, text: &[u8], sels: &[(usize, usize)], extra: &str) -> Vec<u8> {
    const USER: &str = "3F2504E0-4F89-11D3-9A0C-0305E82C3301";
    const CODE: &str = "6B29FC40-CA47-1067-B31D-00DD010662DA";
    const SRC: &str = "A7C5E2D1-3B4F-4E8A-9C6D-2F1E0B9A8C7D";
    let sels: String = sels
        .iter()
        .enumerate()
        .map(|(i, (s, e))| {
            format!(
                r#"<PlainTextSelection guid="00000000-0000-4000-8000-{i:012}" startPosition="{s}" endPosition="{e}" creatingUser="{USER}"><Coding guid="00000000-0000-4000-9000-{i:012}" creatingUser="{USER}"><CodeRef targetGUID="{CODE}"/></Coding></PlainTextSelection>"#
            )
        })
        .collect();
    let qde = format!(
        r##"<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="P" origin="{origin}">
  <Users><User guid="{USER}" name="Päivi"/></Users>
  <CodeBook><Codes><Code guid="{CODE}" name="Names" isCodable="true" color="#FF0000"/></Codes></CodeBook>
  <Sources>
    <TextSource guid="{SRC}" name="Haastattelu" plainTextPath="internal://{SRC}.txt">{sels}</TextSource>
  </Sources>
  {extra}
</Project>
"##
    );
    zip(&[
        ("project.qde", qde.as_bytes()),
        (&format!("Sources/{SRC}.txt"), text),
    ])
}

#[test]
fn nvivo_positions_land_on_the_right_words() {
    // NVivo for Windows counts UTF-16 code units of the file as stored: CRLF as two, an
    // emoji as two, the BOM not at all.
    let text =
        "Haastattelija: Kerro 🙂🙂 lisää.\r\n\r\nPäivi Mäkelä: Tilaus 👍 tarkoittaa hankintaa.\r\n";
    let at = |needle: &str| {
        let b = text.find(needle).unwrap();
        let s = text[..b].encode_utf16().count();
        (s, s + needle.encode_utf16().count())
    };
    let mut file = b"\xEF\xBB\xBF".to_vec();
    file.extend_from_slice(text.as_bytes());
    let w = Workdir::project();
    w.write_bytes(
        "nvivo.qdpx",
        &foreign(
            "NVivo 14",
            &file,
            &[at("Päivi Mäkelä"), at("tarkoittaa hankintaa")],
            "",
        ),
    );
    let r = w
        .run(&[
            "qdpx",
            "import",
            "nvivo.qdpx",
            "--dry-run",
            "--format",
            "json",
        ])
        .json();
    let got: Vec<&str> = r["selections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["text"].as_str().unwrap())
        .collect();
    assert_eq!(got, ["Päivi Mäkelä", "tarkoittaa hankintaa"]);
    assert!(
        r["documents"][0]["unit_reason"]
            .as_str()
            .unwrap()
            .contains("NVivo"),
        "{r}"
    );
    w.run(&["qdpx", "import", "nvivo.qdpx"]).ok();
    let codings = w.run(&["codings", "--format", "json"]).json();
    let got: Vec<(&str, &str, &str)> = codings
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["text"].as_str().unwrap(),
                c["coder"].as_str().unwrap(),
                c["origin"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("Päivi Mäkelä", "Päivi", "import"),
            ("tarkoittaa hankintaa", "Päivi", "import")
        ]
    );
    // Speaker turns come from the text, as `ambit add` reads it.
    let show = w.run(&["show", "D1", "--format", "json"]).json();
    let speakers: Vec<&Value> = show["passages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["speaker"])
        .collect();
    assert_eq!(
        speakers,
        [
            &serde_json::json!("Haastattelija"),
            &serde_json::json!("Päivi Mäkelä")
        ]
    );
    let cb = std::fs::read_to_string(w.path().join("codebook.toml")).unwrap();
    assert!(cb.contains("name = \"Names\""), "{cb}");
    // A re-export gives the objects the GUIDs the other tool gave them.
    w.run(&["qdpx", "export", "back.qdpx"]).ok();
    let back = std::fs::read(w.path().join("back.qdpx")).unwrap();
    let qde = String::from_utf8(entry(&back, "project.qde")).unwrap();
    for guid in [
        "3F2504E0-4F89-11D3-9A0C-0305E82C3301",
        "6B29FC40-CA47-1067-B31D-00DD010662DA",
        "A7C5E2D1-3B4F-4E8A-9C6D-2F1E0B9A8C7D",
        "00000000-0000-4000-8000-000000000001",
        "00000000-0000-4000-9000-000000000001",
    ] {
        assert!(qde.contains(&format!("guid=\"{guid}\"")), "{guid}:\n{qde}");
    }
    assert_valid("Project.xsd", qde.as_bytes());
}

#[test]
fn the_sample_files_import_through_the_cli() {
    let fixtures = repo().join("crates/qdpx/tests/fixtures");
    let atlas = fixtures.join("atlasti23_codes-no-sources.qdpx");
    let atlas = atlas.to_str().unwrap();
    let w = Workdir::project();
    let before = state(w.path());
    let r = w
        .run(&["qdpx", "import", atlas, "--dry-run", "--format", "json"])
        .json();
    assert!(r["origin"].as_str().unwrap().starts_with("ATLAS.ti"), "{r}");
    let users: Vec<&str> = r["coders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["coder"].as_str().unwrap())
        .collect();
    assert_eq!(users, ["ATLAS.ti", "Enric Llagostera"]);
    assert_eq!(r["codes"]["added"].as_array().unwrap().len(), 3);
    assert_eq!(state(w.path()), before);
    let text = w.run(&["qdpx", "import", atlas]).ok();
    assert!(text.contains("codes: 3 added"), "{text}");
    let cb = w.run(&["codebook", "show", "--format", "json"]).json();
    assert_eq!(cb["codes"][0]["name"], "Commits", "{cb}");
    assert_eq!(cb["codes"][1]["parent"], "commits", "{cb}");

    let qdc = fixtures.join("portableqda_small.qdc");
    let text = w.run(&["codebook", "import", qdc.to_str().unwrap()]).ok();
    assert!(text.contains("2 added"), "{text}");
    assert!(text.contains("skipped Set"), "{text}");
    let cb = w.run(&["codebook", "show", "--format", "json"]).json();
    assert_eq!(cb["codes"].as_array().unwrap().len(), 5);
}

#[test]
fn a_refused_archive_leaves_the_project_unchanged() {
    let w = Workdir::new();
    let a = demo(&w, "a");
    w.run_in(
        &a,
        &["qdpx", "export", "../a.qdpx", "--doc", "D1", "--doc", "D2"],
    )
    .ok();
    let good = std::fs::read(w.path().join("a.qdpx")).unwrap();
    let qde = String::from_utf8(entry(&good, "project.qde")).unwrap();
    let mut z = zip::ZipArchive::new(Cursor::new(&good[..])).unwrap();
    let names: Vec<String> = z.file_names().map(str::to_owned).collect();
    let files: Vec<(String, Vec<u8>)> = names
        .iter()
        .filter(|n| *n != "project.qde")
        .map(|n| {
            let mut out = Vec::new();
            z.by_name(n).unwrap().read_to_end(&mut out).unwrap();
            (n.clone(), out)
        })
        .collect();
    let with_qde = |qde: &str, drop: Option<&str>| {
        let mut all: Vec<(&str, &[u8])> = vec![("project.qde", qde.as_bytes())];
        for (n, b) in &files {
            if Some(n.as_str()) != drop {
                all.push((n, b));
            }
        }
        zip(&all)
    };
    // The first CodeRef's target, the first text file, a selection's end.
    let code_ref = qde.split("<CodeRef targetGUID=\"").nth(1).unwrap()[..36].to_owned();
    let text_file = names.iter().find(|n| n.ends_with(".txt")).unwrap().clone();
    let end = qde
        .split("endPosition=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let first_guid = qde.split("guid=\"").nth(1).unwrap()[..36].to_owned();
    let second_guid = qde.split("guid=\"").nth(2).unwrap()[..36].to_owned();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "not a zip",
            b"PK\x03\x04 truncated".to_vec(),
            "not a readable REFI-QDA project",
        ),
        (
            "unknown code",
            with_qde(
                &qde.replacen(&code_ref, "DEADBEEF-0000-4000-8000-000000000000", 1),
                None,
            ),
            "CodeRef",
        ),
        (
            "missing text",
            with_qde(&qde, Some(&text_file)),
            "not in the archive",
        ),
        (
            "outside the text",
            with_qde(
                &qde.replacen(
                    &format!("endPosition=\"{end}\""),
                    "endPosition=\"99999999\"",
                    1,
                ),
                None,
            ),
            "outside the text",
        ),
        (
            "duplicate GUID",
            with_qde(&qde.replacen(&second_guid, &first_guid, 1), None),
            "GUIDs must be unique",
        ),
        (
            "not XML",
            with_qde(&qde.replacen("</Project>", "</Projec>", 1), None),
            "project.qde",
        ),
        (
            "unsafe entry",
            zip(&[("project.qde", qde.as_bytes()), ("../evil.txt", b"x")]),
            "unsafe path",
        ),
    ];
    // A project with work in it, that a refused import must leave exactly as it is.
    let b = w.path().join("b");
    w.run(&["init", "b"]).ok();
    w.run_in(&b, &["qdpx", "import", "../a.qdpx"]).ok();
    let before = state(&b);
    for (what, bytes, needle) in cases {
        std::fs::write(w.path().join("bad.qdpx"), &bytes).unwrap();
        for dry in [true, false] {
            let mut args = vec!["qdpx", "import", "../bad.qdpx"];
            if dry {
                args.push("--dry-run");
            }
            let err = w.run_in(&b, &args).fails();
            assert!(err.contains(needle), "{what}: {err}");
            assert!(err.contains("bad.qdpx"), "{what}: names the file: {err}");
            assert_eq!(state(&b), before, "{what}");
        }
    }
}

#[test]
fn codebooks_round_trip_through_qdc_and_merge_with_conflicts() {
    let w = Workdir::project();
    w.run(&["codebook", "init"]).ok();
    w.run(&["codebook", "export", "cb.qdc"]).ok();
    let qdc = std::fs::read(w.path().join("cb.qdc")).unwrap();
    assert_valid("Codebook.xsd", &qdc);
    // Twice the same bytes: the GUIDs are the project's.
    w.run(&["codebook", "export", "cb2.qdc"]).ok();
    assert_eq!(qdc, std::fs::read(w.path().join("cb2.qdc")).unwrap());

    // Into a project without a codebook: the same codebook, rules and all.
    let other = Workdir::project();
    std::fs::copy(w.path().join("cb.qdc"), other.path().join("book.xml")).unwrap();
    let out = other.run(&["codebook", "import", "book.xml"]).ok();
    assert!(out.contains("25 added"), "{out}");
    let show = |w: &Workdir| w.run(&["codebook", "show", "--format", "json"]).json();
    // A .qdc has no codebook name; the codes come back as they were.
    assert_eq!(show(&w)["codes"], show(&other)["codes"]);

    // Into a project that has codes and codings: merged, conflicts reported, nothing lost.
    let p = Workdir::project();
    p.write(
        "codebook.toml",
        r##"[codebook]
name = "Mine"

[[code]]
id = "kb"
name = "Knowledge boundaries"
description = "My own definition."

[[code]]
id = "mine"
name = "My own code"
"##,
    );
    p.write(
        "i.txt",
        "I: How do you order repairs?\n\nR: By phone, always by phone.\n",
    );
    p.run(&["add", "i.txt"]).ok();
    p.run(&["code", "D1:2", "--code", "mine"]).ok();
    p.run(&["code", "D1:1", "--code", "kb"]).ok();
    std::fs::copy(w.path().join("cb.qdc"), p.path().join("cb.qdc")).unwrap();
    let r = p
        .run(&["codebook", "import", "cb.qdc", "--format", "json"])
        .json();
    assert_eq!(r["codes"]["matched"].as_array().unwrap().len(), 1, "{r}");
    assert_eq!(r["codes"]["added"].as_array().unwrap().len(), 24, "{r}");
    let conflicts = r["codes"]["conflicts"].as_array().unwrap();
    assert_eq!(conflicts.len(), 1, "{r}");
    assert_eq!(conflicts[0]["id"], "kb");
    assert_eq!(conflicts[0]["field"], "description");
    assert_eq!(conflicts[0]["project"], "My own definition.");
    let cb = show(&p);
    let ids: Vec<&str> = cb["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 26);
    assert!(
        ids.contains(&"mine") && ids.contains(&"kb.semantic"),
        "{ids:?}"
    );
    assert_eq!(cb["codes"][0]["description"], "My own definition.");
    let codings = p.run(&["codings", "--format", "json"]).json();
    assert_eq!(codings.as_array().unwrap().len(), 2);
    p.run(&["codebook", "check"]).ok();

    // A TOML codebook import still refuses to orphan codings.
    p.write(
        "small.toml",
        "[codebook]\nname = \"S\"\n\n[[code]]\nid = \"kb\"\nname = \"K\"\n",
    );
    let err = p.run(&["codebook", "import", "small.toml"]).fails();
    assert!(err.contains("mine"), "{err}");
}

#[test]
fn renamed_codes_keep_their_guids() {
    let w = Workdir::project();
    w.run(&["codebook", "init"]).ok();
    w.run(&["codebook", "export", "before.qdc"]).ok();
    w.run(&["codebook", "rename", "kb.semantic", "kb.meaning"])
        .ok();
    w.run(&["codebook", "export", "after.qdc"]).ok();
    let guid_of = |file: &str, name: &str| {
        let xml = std::fs::read_to_string(w.path().join(file)).unwrap();
        let at = xml.find(&format!("name=\"{name}\"")).unwrap();
        let start = xml[..at].rfind("guid=\"").unwrap() + 6;
        xml[start..start + 36].to_owned()
    };
    assert_eq!(
        guid_of("before.qdc", "Semantic boundary"),
        guid_of("after.qdc", "Semantic boundary")
    );
}

#[test]
fn detached_and_orphaned_codings_are_left_out_and_reported() {
    let w = Workdir::project();
    w.write(
        "codebook.toml",
        "[codebook]\nname = \"T\"\n\n[[code]]\nid = \"kb\"\nname = \"K\"\n\n[[code]]\nid = \"gone\"\nname = \"G\"\n",
    );
    w.write(
        "i.txt",
        "I: How do you order repairs?\n\nR: By phone, always by phone.\n",
    );
    w.run(&["add", "i.txt"]).ok();
    w.run(&["code", "D1:1", "--code", "kb"]).ok();
    w.run(&["code", "D1:2", "--code", "kb"]).ok();
    w.run(&["code", "D1:2", "--code", "gone"]).ok();
    // The document was edited and the first coding's text deleted.
    let db = rusqlite::Connection::open(w.path().join(".ambit/store.db")).unwrap();
    db.execute(
        "UPDATE codings SET status = 'detached', quote = 'How do you', start = 0, end = 0 WHERE id = 1",
        [],
    )
    .unwrap();
    drop(db);
    w.write(
        "codebook.toml",
        "[codebook]\nname = \"T\"\n\n[[code]]\nid = \"kb\"\nname = \"K\"\n",
    );
    let r = w
        .run(&["qdpx", "export", "x.qdpx", "--format", "json"])
        .json();
    assert_eq!(r["codings"], 1, "{r}");
    let skipped = r["skipped"].as_array().unwrap();
    assert_eq!(skipped.len(), 2, "{r}");
    assert!(
        skipped[0]["reason"].as_str().unwrap().contains("detached"),
        "{r}"
    );
    assert!(
        skipped[1]["name"].as_str().unwrap().contains("`gone`"),
        "{r}"
    );
    let text = w.run(&["qdpx", "export", "x.qdpx"]).ok();
    assert!(
        text.contains("skipped Coding coding 1 of kb in D1"),
        "{text}"
    );
    assert_valid(
        "Project.xsd",
        &entry(
            &std::fs::read(w.path().join("x.qdpx")).unwrap(),
            "project.qde",
        ),
    );
}

#[test]
fn tolerated_deviations_and_skipped_parts_are_reported() {
    // No XML declaration, GUIDs in braces and lower case, a lower-case `sources/`, a
    // plainTextPath without `internal://`, an empty <Sets/>, a picture and a graph.
    let qde = r#"<Project xmlns="urn:QDA-XML:project:1.0" name="P" origin="QualCoder 3.5" extra="1">
  <Users><User guid="{3f2504e0-4f89-11d3-9a0c-0305e82c3301}" name="Anna" id="7"/></Users>
  <CodeBook><Codes><Code guid="6B29FC40-CA47-1067-B31D-00DD010662DA" name="Names" isCodable="true"/></Codes></CodeBook>
  <Sources>
    <TextSource guid="A7C5E2D1-3B4F-4E8A-9C6D-2F1E0B9A8C7D" name="Doc" plainTextPath="doc.txt">
      <PlainTextSelection guid="00000000-0000-4000-8000-000000000001" startPosition="0" endPosition="5" creatingUser="3F2504E0-4F89-11D3-9A0C-0305E82C3301">
        <Coding guid="00000000-0000-4000-9000-000000000001" creatingUser="3F2504E0-4F89-11D3-9A0C-0305E82C3301"><CodeRef targetGUID="6B29FC40-CA47-1067-B31D-00DD010662DA"/></Coding>
      </PlainTextSelection>
    </TextSource>
    <PictureSource guid="B7C5E2D1-3B4F-4E8A-9C6D-2F1E0B9A8C7D" name="Photo" path="internal://B7C5E2D1-3B4F-4E8A-9C6D-2F1E0B9A8C7D.jpg"/>
  </Sources>
  <Sets/>
  <Graphs><Graph guid="C7C5E2D1-3B4F-4E8A-9C6D-2F1E0B9A8C7D" name="Map"/></Graphs>
</Project>
"#;
    let w = Workdir::project();
    w.write_bytes(
        "other.qdpx",
        &zip(&[
            ("project.qde", qde.as_bytes()),
            ("sources/doc.txt", "Hello there, world.\n".as_bytes()),
            ("notes.txt", b"an extra file"),
        ]),
    );
    let r = w
        .run(&[
            "qdpx",
            "import",
            "other.qdpx",
            "--dry-run",
            "--format",
            "json",
        ])
        .json();
    let tolerated = r["tolerated"].to_string();
    for needle in [
        "XML declaration",
        "internal://",
        "sources/",
        "braces",
        "extra",
    ] {
        assert!(tolerated.contains(needle), "{needle}: {tolerated}");
    }
    let skipped = r["skipped"].to_string();
    assert!(
        skipped.contains("PictureSource") && skipped.contains("Graph"),
        "{skipped}"
    );
    assert_eq!(r["selections"][0]["text"], "Hello");
    let text = w.run(&["qdpx", "import", "other.qdpx"]).ok();
    assert!(text.contains("skipped PictureSource Photo"), "{text}");
    assert!(text.contains("tolerated"), "{text}");
}
