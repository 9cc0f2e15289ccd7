//! `ambit add`: formats, batches, re-imports and every kind of bad input.

use crate::util::Workdir;

#[test]
fn batch_reports_bad_files_and_imports_the_rest() {
    let w = Workdir::project();
    w.write("good.txt", "A good note.\n");
    w.write("empty.txt", "");
    w.write_bytes("image.txt", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0");
    w.write_bytes("blob.txt", b"hello there\0\0\x01\x02\x03world\0\0\0\x05");
    let r = w.run(&[
        "add",
        "good.txt",
        "empty.txt",
        "image.txt",
        "blob.txt",
        "missing.txt",
    ]);
    let err = r.fails();
    assert!(err.contains("empty.txt") && err.contains("empty"), "{err}");
    assert!(err.contains("image.txt") && err.contains("PNG"), "{err}");
    assert!(
        err.contains("blob.txt") && err.contains("at byte 11"),
        "{err}"
    );
    assert!(err.contains("missing.txt: no such file"), "{err}");
    assert!(
        err.contains("1 added, 0 replaced, 0 unchanged, 0 skipped, 4 failed"),
        "{err}"
    );
    assert_eq!(w.doc_count(), 1);
}

#[test]
fn a_zip_or_pdf_named_txt_is_refused_for_what_it_is() {
    let w = Workdir::project();
    w.write_bytes("report.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n");
    w.write_bytes("memo.txt", b"PK\x03\x04\x14\0\0\0\x08\0");
    let err = w.run(&["add", "report.txt", "memo.txt"]).fails();
    assert!(
        err.contains("report.txt") && err.to_lowercase().contains("pdf"),
        "{err}"
    );
    assert!(
        err.contains("memo.txt") && err.to_lowercase().contains("zip"),
        "{err}"
    );
    assert_eq!(w.doc_count(), 0);
}

#[test]
fn re_adding_is_unchanged_and_changed_content_needs_replace() {
    let w = Workdir::project();
    w.write("n.txt", "Version one.\n");
    w.run(&["add", "n.txt"]).ok();
    let out = w.run(&["add", "n.txt"]).ok();
    assert!(out.contains("unchanged  D1"), "{out}");
    w.write("n.txt", "Version two, longer.\n");
    let err = w.run(&["add", "n.txt"]).fails();
    assert!(
        err.contains("imported from this path") && err.contains("--replace"),
        "{err}"
    );
    let out = w.run(&["add", "n.txt", "--replace"]).ok();
    assert!(out.contains("replaced   D1"), "{out}");
    let show = w.run(&["show", "D1", "--format", "json"]).json();
    assert_eq!(show["text"], "Version two, longer.\n");
    assert_eq!(w.doc_count(), 1);
    // A different file given a title another document has is refused, naming it.
    w.write("other.txt", "Something else.\n");
    let title = show["title"].as_str().unwrap().to_string();
    let err = w.run(&["add", "other.txt", "--title", &title]).fails();
    assert!(
        err.contains("is taken by D1") && err.contains("another --title"),
        "{err}"
    );
}

#[test]
fn same_named_files_in_different_folders_are_different_documents() {
    let w = Workdir::project();
    w.write(
        "study/site1/transcript.txt",
        "I: How do you order?\n\nR: By phone.\n",
    );
    w.write(
        "study/site2/transcript.txt",
        "I: How do you order?\n\nR: By the portal.\n",
    );
    w.run(&["add", "study"]).ok();
    let docs = w.run(&["docs", "--format", "json"]).json();
    let titles: Vec<&str> = docs
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["transcript (site1)", "transcript (site2)"]);
    // Site 2's transcript is corrected: --replace replaces site 2's document only,
    // keeping its title; site 1's interview is untouched.
    w.write(
        "study/site2/transcript.txt",
        "I: How do you order?\n\nR: By the portal, mostly.\n",
    );
    let err = w.run(&["add", "study"]).fails();
    assert!(err.contains("D2") && err.contains("--replace"), "{err}");
    w.run(&["add", "study", "--replace"]).ok();
    let d1 = w.run(&["show", "D1", "--format", "json"]).json();
    let d2 = w.run(&["show", "D2", "--format", "json"]).json();
    assert!(d1["text"].as_str().unwrap().contains("By phone."));
    assert!(d2["text"].as_str().unwrap().contains("mostly"));
    assert_eq!(d2["title"], "transcript (site2)");
    // A later file whose name another document already has gets its folder in the
    // title, with a warning naming the other document.
    w.write("a/notes.txt", "Notes from site A.\n");
    w.write("b/notes.txt", "Notes from site B.\n");
    w.run(&["add", "a/notes.txt"]).ok();
    let r = w.run(&["add", "b/notes.txt"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("titled \"notes (b)\", because D3"),
        "{}",
        r.stderr
    );
    let d4 = w.run(&["show", "D4", "--format", "json"]).json();
    assert_eq!(d4["title"], "notes (b)");
}

#[test]
fn a_manifest_after_a_folder_import_updates_the_documents() {
    let w = Workdir::project();
    w.write("interviews/2013-02-05_kari.txt", "I: Hello.\n\nR: Hi.\n");
    w.write("interviews/notes.txt", "Just notes.\n");
    w.run(&["add", "interviews/"]).ok();
    let docs = w.run(&["docs", "--format", "json"]).json();
    // A leading ISO date in the file name dates the document.
    assert_eq!(docs[0]["date"], "2013-02-05");
    assert_eq!(docs[0]["phase"], "baseline");
    assert_eq!(docs[1]["date"], serde_json::Value::Null);
    w.write(
        "manifest.csv",
        "path,kind,date,title,organisation\ninterviews/notes.txt,observation,2013-03-20,Site notes,Kaleva\ninterviews/2013-02-05_kari.txt,interview,,,\n",
    );
    let out = w.run(&["add", "--manifest", "manifest.csv"]).ok();
    assert!(out.contains("updated    D2"), "{out}");
    assert!(out.contains("updated    D1"), "{out}");
    let docs = w.run(&["docs", "--format", "json"]).json();
    assert_eq!(docs[1]["title"], "Site notes");
    assert_eq!(docs[1]["kind"], "observation");
    assert_eq!(docs[1]["date"], "2013-03-20");
    assert_eq!(docs[1]["phase"], "I1");
    assert_eq!(docs[1]["attributes"]["organisation"], "Kaleva");
    assert_eq!(docs[0]["kind"], "interview");
    // Again: nothing left to change.
    let out = w.run(&["add", "--manifest", "manifest.csv"]).ok();
    assert!(
        out.contains("unchanged  D1") && out.contains("unchanged  D2"),
        "{out}"
    );
}

#[test]
fn folders_recurse_and_list_skipped_files() {
    let w = Workdir::project();
    w.write("in/a.txt", "a\n");
    w.write(
        "in/sub/b.md",
        "---\ntitle: Site visit\ndate: 2013-01-24\nauthor: Erik Nyström\n---\n# Notes\n\nWe met.\n",
    );
    w.write("in/sub/c.xyz", "?");
    w.write("in/.hidden/d.txt", "hidden\n");
    let out = w.run(&["add", "in"]).ok();
    assert!(out.contains("skipped") && out.contains("c.xyz"), "{out}");
    assert!(!out.contains("d.txt"), "{out}");
    let docs = w.run(&["docs", "--format", "json"]).json();
    assert_eq!(docs.as_array().unwrap().len(), 2);
    let md = &docs[1];
    assert_eq!(md["title"], "Site visit");
    assert_eq!(md["date"], "2013-01-24");
    assert_eq!(md["phase"], "baseline");
    assert_eq!(md["attributes"]["author"], "Erik Nyström");
    // A named file of an unsupported format is an error, not a silent skip.
    let err = w.run(&["add", "in/sub/c.xyz"]).fails();
    assert!(err.contains("not a supported format"), "{err}");
}

#[test]
fn encodings_are_detected_and_named() {
    let w = Workdir::project();
    // "Päivi Mäkelä: hyvä" in windows-1252.
    w.write_bytes(
        "latin.txt",
        b"P\xe4ivi M\xe4kel\xe4 sanoi: hyv\xe4 ty\xf6, kiitos paljon. T\xe4m\xe4 on hyv\xe4.\n",
    );
    let mut utf16 = vec![0xFF, 0xFE];
    for u in "Åsa Ström — ok\r\n".encode_utf16() {
        utf16.extend(u.to_le_bytes());
    }
    w.write_bytes("wide.txt", &utf16);
    let r = w.run(&["add", "latin.txt", "wide.txt"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("windows-1252"), "{}", r.stderr);
    let t1 = w.run(&["show", "D1", "--format", "json"]).json();
    assert!(t1["text"]
        .as_str()
        .unwrap()
        .starts_with("Päivi Mäkelä sanoi: hyvä työ"));
    let t2 = w.run(&["show", "D2", "--format", "json"]).json();
    assert_eq!(t2["text"], "Åsa Ström — ok\n");
}

#[test]
fn manifest_rows_fail_alone_with_line_numbers() {
    let w = Workdir::project();
    w.write("m/a.txt", "a\n");
    w.write("m/b.txt", "b\n");
    w.write("m/c.txt", "c\n");
    w.write(
        "m/manifest.csv",
        "path,kind,date,phase,title,organisation\n\
         a.txt,interview,2013-02-05,,Interview A,\"Kaleva Systems Oy\"\n\
         b.txt,interview,2013-02-30,,Interview B,x\n\
         c.txt,archival,,I9,Memo C,y\n\
         gone.txt,archival,2013-03-01,,Gone,z\n",
    );
    let err = w.run(&["add", "--manifest", "m/manifest.csv"]).fails();
    assert!(
        err.contains("line 3") && err.contains("2013-02-30"),
        "{err}"
    );
    assert!(
        err.contains("line 4") && err.contains("I9") && err.contains("baseline, I1, between"),
        "{err}"
    );
    assert!(
        err.contains("line 5") && err.contains("no such file"),
        "{err}"
    );
    let docs = w.run(&["docs", "--format", "json"]).json();
    assert_eq!(docs.as_array().unwrap().len(), 1);
    assert_eq!(docs[0]["title"], "Interview A");
    assert_eq!(docs[0]["attributes"]["organisation"], "Kaleva Systems Oy");
    assert_eq!(docs[0]["kind"], "interview");
}

#[test]
fn unknown_phase_and_bad_date_flags_are_refused_up_front() {
    let w = Workdir::project();
    w.write("a.txt", "a\n");
    let err = w.run(&["add", "a.txt", "--phase", "I7"]).fails();
    assert!(err.contains("I7") && err.contains("baseline, I1"), "{err}");
    let r = w.run(&["add", "a.txt", "--date", "2013-13-01"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("2013-13-01"), "{}", r.stderr);
    assert_eq!(w.doc_count(), 0);
}

#[test]
fn subtitles_with_broken_timing_keep_text_and_warn() {
    let w = Workdir::project();
    w.write(
        "w.vtt",
        "WEBVTT\n\n1\n00:00:01.000 --> 00:00:04.000\n<v Päivi Mäkelä>We draw the map first.\n\n2\n00:00:04.500 -> banana\n<v Jussi Häkkinen>And the XML interface?\n\n3\n00:00:09.000 --> 00:00:12.000\n<v Jussi Häkkinen>It needs the asset id.\n",
    );
    let r = w.run(&["add", "w.vtt", "--kind", "workshop"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("warning") && r.stderr.contains("w.vtt:"),
        "{}",
        r.stderr
    );
    let show = w.run(&["show", "D1", "--format", "json"]).json();
    let text = show["text"].as_str().unwrap();
    assert!(text.contains("And the XML interface?"), "text kept: {text}");
    let ps = show["passages"].as_array().unwrap();
    let who_said = |needle: &str| {
        ps.iter()
            .find(|p| p["text"].as_str().unwrap().contains(needle))
            .map(|p| p["speaker"].clone())
    };
    assert_eq!(who_said("We draw the map"), Some("Päivi Mäkelä".into()));
    assert_eq!(who_said("asset id"), Some("Jussi Häkkinen".into()));

    w.write("s.srt", "1\n00:00:01,000 --> 00:00:02,000\nAnna: Hello.\n\n2\n00:00:03,000 --> 00:00:04,000\nKari: Moi.\n");
    w.run(&["add", "s.srt"]).ok();
    let show = w.run(&["show", "D2", "--format", "json"]).json();
    assert_eq!(
        show["text"],
        "Anna: Hello.\n\nKari: Moi.\n"
            .trim_end_matches('\n')
            .to_string()
            + "\n"
    );

    w.write("bad.srt", "this is not\na subtitle file\n");
    let err = w.run(&["add", "bad.srt"]).fails();
    assert!(err.contains("bad.srt"), "{err}");
}

#[test]
fn json_report_for_scripts() {
    let w = Workdir::project();
    w.write("a.txt", "a\n");
    let r = w.run(&["add", "a.txt", "nope.txt", "--format", "json"]);
    assert_eq!(r.code, 1);
    let v = r.json();
    assert_eq!(v[0]["status"], "added");
    assert_eq!(v[0]["doc"], "D1");
    assert_eq!(v[1]["status"], "failed");
}

/// Files are parsed several at a time in parallel but stored in order: ids follow the
/// command line across parse windows, a file identical to an earlier one in the same batch
/// is `unchanged`, and a bad file in the middle fails alone.
#[test]
fn parallel_parsing_keeps_the_batch_order() {
    let w = Workdir::project();
    let mut args = vec!["add".to_string()];
    for i in 0..40 {
        let name = format!("n{i:02}.txt");
        let text = if i == 17 {
            String::new()
        } else {
            format!("Note number {i}: the order came by phone.\n")
        };
        w.write(&name, &text);
        args.push(name);
    }
    w.write("copy.txt", "Note number 3: the order came by phone.\n");
    args.push("copy.txt".into());
    args.extend([
        "--kind".into(),
        "observation".into(),
        "--format".into(),
        "json".into(),
    ]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = w.run(&args);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let files = report.as_array().unwrap();
    assert_eq!(files.len(), 41);
    let mut next_id = 1;
    for (i, f) in files.iter().enumerate().take(40) {
        assert!(
            f["path"]
                .as_str()
                .unwrap()
                .ends_with(&format!("n{i:02}.txt")),
            "{f}"
        );
        if i == 17 {
            assert_eq!(f["status"], "failed", "{f}");
        } else {
            assert_eq!(f["status"], "added", "{f}");
            assert_eq!(f["doc"], format!("D{next_id}"), "{f}");
            next_id += 1;
        }
    }
    assert_eq!(files[40]["status"], "unchanged", "{}", files[40]);
    assert_eq!(files[40]["doc"], "D4");
    assert_eq!(w.doc_count(), 39);
}

#[test]
fn reparse_applies_a_new_speaker_pattern_and_keeps_codings() {
    let w = Workdir::project();
    w.write(
        "t.txt",
        "ANNA >> How do you order?\n\nERIK >> By phone, mostly.\n\nANNA >> And then?\n\nERIK >> Then we wait.\n",
    );
    w.run(&["add", "t.txt"]).ok();
    w.run(&["codebook", "init"]).ok();
    w.run(&["code", "D1", "--code", "kb", "--quote", "By phone"])
        .ok();
    let before = w.run(&["codings", "--format", "json"]).json();
    assert!(before[0]["speaker"].is_null());
    // The file is even gone: the store keeps the original.
    std::fs::remove_file(w.path().join("t.txt")).unwrap();
    let toml = std::fs::read_to_string(w.path().join("ambit.toml")).unwrap();
    w.write(
        "ambit.toml",
        &format!("speaker_pattern = '^(?P<speaker>[A-Z]+) >> '\n{toml}"),
    );
    let out = w.run(&["add", "--reparse", "D1"]).ok();
    assert!(
        out.contains("reparsed   D1    4 → 4 passages, 0 → 4 with a speaker"),
        "{out}"
    );
    let after = w.run(&["codings", "--format", "json"]).json();
    assert_eq!(after[0]["text"], "By phone");
    assert_eq!(after[0]["start"], before[0]["start"]);
    assert_eq!(after[0]["speaker"], "ERIK");
    // Search sees the new speakers at once.
    let hits = w
        .run(&["search", "phone", "--speaker", "ERIK", "--format", "json"])
        .json();
    assert_eq!(hits.as_array().unwrap().len(), 1);
    let again = w.run(&["add", "--reparse", "--all"]).ok();
    assert!(again.contains("unchanged  D1"), "{again}");
}

#[test]
fn reparse_without_an_original_says_what_to_do() {
    let w = Workdir::project();
    w.write("i.txt", "I: Hello?\n\nR: Yes.\n");
    w.run(&["add", "i.txt"]).ok();
    // A store made before originals were kept: the row is missing, and the file changed.
    let db = w.path().join(".ambit/store.db");
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute("DELETE FROM originals", []).unwrap();
    drop(conn);
    w.write("i.txt", "I: Hello? Edited.\n\nR: Yes.\n");
    let err = w.run(&["add", "--reparse", "D1"]).fails();
    assert!(
        err.contains("has changed since") && err.contains("--replace"),
        "{err}"
    );
}

#[test]
fn a_replaced_document_keeps_what_the_researcher_said_about_it() {
    let w = Workdir::project();
    w.write("n.txt", "I: Version one?\n\nR: Yes.\n");
    w.run(&[
        "add",
        "n.txt",
        "--kind",
        "interview",
        "--date",
        "2013-02-05",
        "--attr",
        "organisation=Saimaa",
        "--title",
        "Kari, first interview",
    ])
    .ok();
    w.write("n.txt", "I: Version two?\n\nR: Yes, corrected.\n");
    w.run(&["add", "n.txt", "--replace"]).ok();
    let d = &w.run(&["docs", "--format", "json"]).json()[0];
    assert_eq!(d["title"], "Kari, first interview");
    assert_eq!(d["kind"], "interview");
    assert_eq!(d["date"], "2013-02-05");
    assert_eq!(d["attributes"]["organisation"], "Saimaa");
    // What the flags say now wins.
    w.write("n.txt", "I: Version three?\n\nR: Yes.\n");
    w.run(&["add", "n.txt", "--replace", "--kind", "observation"])
        .ok();
    let d = &w.run(&["docs", "--format", "json"]).json()[0];
    assert_eq!(d["kind"], "observation");
    assert_eq!(d["date"], "2013-02-05");
}
