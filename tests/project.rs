//! `init`, `phases`, `docs`, `show` and finding the project.

use crate::util::Workdir;

#[test]
fn init_creates_a_project_and_refuses_twice() {
    let w = Workdir::new();
    let out = w.run(&["init", "study", "--name", "My study"]).ok();
    assert!(out.contains("Created Ambit project \"My study\""), "{out}");
    assert!(w.path().join("study/ambit.toml").is_file());
    assert!(w.path().join("study/.ambit/store.db").is_file());
    let err = w.run(&["init", "study"]).fails();
    assert!(err.contains("already holds an Ambit project"), "{err}");
}

#[test]
fn every_command_outside_a_project_says_how_to_make_one() {
    let w = Workdir::new();
    for args in [
        &["docs"][..],
        &["phases"],
        &["show", "D1"],
        &["add", "x.txt"],
    ] {
        let err = w.run(args).fails();
        assert!(
            err.contains("not inside an Ambit project") && err.contains("ambit init"),
            "{args:?}: {err}"
        );
    }
    let err = w.run(&["--project", "nowhere", "docs"]).fails();
    assert!(
        err.contains("not an Ambit project") && err.contains("ambit init"),
        "{err}"
    );
}

#[test]
fn commands_find_the_project_from_a_subfolder() {
    let w = Workdir::project();
    std::fs::create_dir_all(w.path().join("notes/deep")).unwrap();
    w.write("notes/deep/a.txt", "A field note.\n");
    let out = w
        .run_in(
            &w.path().join("notes/deep"),
            &["add", "a.txt", "--date", "2013-03-20"],
        )
        .ok();
    assert!(out.contains("added      D1"), "{out}");
    let out = w.run_in(&w.path().join("notes"), &["docs"]).ok();
    assert!(out.contains("I1"), "{out}");
}

#[test]
fn phases_keep_timeline_order_with_zero_rows_and_unphased() {
    let w = Workdir::project();
    w.write("a.txt", "One two three.\n\nFour five.\n");
    w.write("b.txt", "Six seven.\n");
    w.run(&["add", "a.txt", "--date", "2013-06-12"]).ok();
    w.run(&["add", "b.txt"]).ok();
    let rows = w.run(&["phases", "--format", "json"]).json();
    let ids: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["baseline", "I1", "between", "I2", "I3", "followup", "unphased"]
    );
    let i2 = &rows[3];
    assert_eq!(
        (
            i2["documents"].as_u64(),
            i2["passages"].as_u64(),
            i2["words"].as_u64()
        ),
        (Some(1), Some(2), Some(5))
    );
    assert_eq!(rows[6]["documents"].as_u64(), Some(1));
    let csv = w.run(&["phases", "--format", "csv"]).ok();
    assert!(
        csv.starts_with("phase,start,end,documents,passages,words,label\nbaseline,2013-01-07"),
        "{csv}"
    );
}

#[test]
fn editing_the_timeline_replaces_documents_without_reimport() {
    let w = Workdir::project();
    w.write("a.txt", "Text.\n");
    w.run(&["add", "a.txt", "--date", "2013-05-01"]).ok();
    let phase = |w: &Workdir| {
        w.run(&["docs", "--format", "json"]).json()[0]["phase"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(phase(&w), "between");
    w.write(
        "ambit.toml",
        "name = \"t\"\n[[phase]]\nid = \"spring\"\nstart = 2013-04-01\nend = 2013-06-30\n",
    );
    assert_eq!(phase(&w), "spring");
}

#[test]
fn bad_timeline_is_an_error_naming_the_phases() {
    let w = Workdir::project();
    w.write(
        "ambit.toml",
        "[[phase]]\nid = \"A\"\nstart = 2013-01-01\nend = 2013-02-01\n[[phase]]\nid = \"B\"\nstart = 2013-01-15\nend = 2013-03-01\n",
    );
    let err = w.run(&["phases"]).fails();
    assert!(
        err.contains("\"A\"") && err.contains("\"B\"") && err.contains("overlap"),
        "{err}"
    );
    w.write(
        "ambit.toml",
        "[[phase]]\nid = \"A\"\nstart = 2013-03-01\nend = 2013-02-01\n",
    );
    let err = w.run(&["docs"]).fails();
    assert!(err.contains("\"A\" ends"), "{err}");
}

#[test]
fn docs_and_show_json_have_the_documented_keys() {
    let w = Workdir::project();
    w.write(
        "i.txt",
        "Interview at Saimaa.\n\n[00:00:05] Erik Nyström: What is an order?\n[00:00:09] Kari Järvinen: For us — a purchase order 👍\n",
    );
    w.run(&[
        "add",
        "i.txt",
        "--kind",
        "interview",
        "--date",
        "2013-02-05",
        "--attr",
        "organisation=Saimaa Paper Oy",
        "--title",
        "Kari",
    ])
    .ok();
    let docs = w.run(&["docs", "--format", "json"]).json();
    let d = docs[0].as_object().unwrap();
    let mut keys: Vec<&str> = d.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "attributes",
            "date",
            "id",
            "kind",
            "passages",
            "phase",
            "title",
            "words"
        ]
    );
    assert_eq!(d["phase"], "baseline");
    assert_eq!(d["attributes"]["organisation"], "Saimaa Paper Oy");

    let show = w.run(&["show", "D1", "--format", "json"]).json();
    let text = show["text"].as_str().unwrap();
    let ps = show["passages"].as_array().unwrap();
    assert_eq!(ps.len(), 3);
    for p in ps {
        let mut keys: Vec<&str> = p.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(
            keys,
            ["end", "end_ms", "id", "ordinal", "speaker", "start", "start_ms", "text"]
        );
        let (s, e) = (
            p["start"].as_u64().unwrap() as usize,
            p["end"].as_u64().unwrap() as usize,
        );
        let slice: String = text.chars().skip(s).take(e - s).collect();
        assert_eq!(slice, p["text"].as_str().unwrap(), "offsets are characters");
    }
    assert_eq!(ps[2]["speaker"], "Kari Järvinen");
    assert_eq!(ps[2]["text"], "For us — a purchase order 👍");
    assert_eq!(ps[2]["start_ms"], 9000);
    assert_eq!(ps[2]["id"], "D1:3");
    assert!(ps[0]["speaker"].is_null());

    let out = w.run(&["show", "D1"]).ok();
    assert!(
        out.contains("D1:3 [00:00:09] Kari Järvinen: For us — a purchase order 👍"),
        "{out}"
    );
    let err = w.run(&["show", "D9"]).fails();
    assert!(err.contains("no document D9"), "{err}");
    // A malformed id is bad usage (exit 2), with the shape of a good one.
    let r = w.run(&["show", "nine"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("D7"), "{}", r.stderr);
}

#[test]
fn docs_filters_by_phase_and_kind() {
    let w = Workdir::project();
    w.write("a.txt", "a\n");
    w.write("b.txt", "b\n");
    w.run(&[
        "add",
        "a.txt",
        "--kind",
        "interview",
        "--date",
        "2013-02-01",
    ])
    .ok();
    w.run(&["add", "b.txt", "--kind", "observation", "--phase", "I3"])
        .ok();
    let n = |args: &[&str]| w.run(args).json().as_array().unwrap().len();
    assert_eq!(n(&["docs", "--format", "json", "--phase", "I3"]), 1);
    assert_eq!(n(&["docs", "--format", "json", "--kind", "interview"]), 1);
    assert_eq!(
        n(&[
            "docs",
            "--format",
            "json",
            "--kind",
            "interview",
            "--phase",
            "I3"
        ]),
        0
    );
    let err = w.run(&["docs", "--phase", "I9"]).fails();
    assert!(
        err.contains("baseline, I1, between, I2, I3, followup"),
        "{err}"
    );
}

#[test]
fn a_project_speaker_pattern_replaces_the_built_in_labels() {
    let w = Workdir::project();
    let toml = std::fs::read_to_string(w.path().join("ambit.toml")).unwrap();
    w.write(
        "ambit.toml",
        &format!("speaker_pattern = '^<(?P<speaker>[^>]+)> '\n{toml}"),
    );
    w.write("chat.txt", "<Päivi> Hei kaikki!\n<Åsa> Hej — hello 👍\n");
    w.run(&["add", "chat.txt", "--kind", "workshop"]).ok();
    let show = w.run(&["show", "D1", "--format", "json"]).json();
    let ps = show["passages"].as_array().unwrap();
    assert_eq!(ps.len(), 2);
    assert_eq!(ps[1]["speaker"], "Åsa");
    assert_eq!(ps[1]["text"], "Hej — hello 👍");
}

#[test]
fn killing_an_import_leaves_only_whole_documents() {
    let w = Workdir::project();
    for i in 0..400 {
        let body: String = (0..40)
            .map(|t| {
                format!(
                    "[00:{:02}:{:02}] Päivi Mäkelä: turn {t} of file {i} — ok\n\n",
                    t / 60,
                    t % 60
                )
            })
            .collect();
        w.write(&format!("batch/f{i:03}.txt"), &body);
    }
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("ambit"))
        .current_dir(w.path())
        .args(["add", "batch", "--kind", "workshop"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(150));
    let _ = child.kill();
    let _ = child.wait();
    // Whatever got in is whole: every stored document has all 40 turns.
    let docs = w.run(&["docs", "--format", "json"]).json();
    for d in docs.as_array().unwrap() {
        assert_eq!(d["passages"], 40, "half-imported document {}", d["id"]);
    }
    // Running the import again completes it; nothing is duplicated.
    w.run(&["add", "batch", "--kind", "workshop"]).ok();
    assert_eq!(w.doc_count(), 400);
}

#[test]
fn speaker_aliases_name_people_everywhere_and_follow_edits() {
    let w = Workdir::project();
    w.write(
        "i.txt",
        "I: How do you order spare parts?\n\nR: By phone, always by phone.\n\nI: And the portal?\n\nR: Nobody orders there.\n",
    );
    w.write(
        "ws.txt",
        "ERIK: What is an order for you?\n\nR: For us an order is a purchase order.\n",
    );
    w.run(&[
        "add",
        "i.txt",
        "--kind",
        "interview",
        "--date",
        "2013-02-05",
    ])
    .ok();
    w.run(&[
        "add",
        "ws.txt",
        "--kind",
        "workshop",
        "--date",
        "2013-03-20",
    ])
    .ok();
    // Search before the aliases: the index holds the labels as written.
    let by = w
        .run(&["search", "order*", "--by", "speaker", "--format", "json"])
        .json();
    assert!(by.to_string().contains("\"R\""), "{by}");
    let toml = std::fs::read_to_string(w.path().join("ambit.toml")).unwrap();
    w.write(
        "ambit.toml",
        &format!(
            "{toml}\n[speakers]\n\"I\" = \"Interviewer\"\nERIK = \"Erik Nyström\"\n\n[speakers.interview]\nR = \"Respondent\"\n\n[speakers.D2]\nR = \"Kari Järvinen\"\n"
        ),
    );
    let d1 = w.run(&["show", "D1", "--format", "json"]).json();
    let who: Vec<&str> = d1["passages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["speaker"].as_str().unwrap())
        .collect();
    assert_eq!(
        who,
        ["Interviewer", "Respondent", "Interviewer", "Respondent"]
    );
    let d2 = w.run(&["show", "D2"]).ok();
    assert!(
        d2.contains("Erik Nyström: What is an order") && d2.contains("Kari Järvinen: For us"),
        "{d2}"
    );
    // The index follows the edit of ambit.toml, and says why it was rebuilt.
    let r = w.run(&["search", "order*", "--by", "speaker", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("speaker names in ambit.toml changed"),
        "{}",
        r.stderr
    );
    let by = r.json().to_string();
    assert!(
        by.contains("Respondent") && by.contains("Kari Järvinen") && !by.contains("\"R\""),
        "{by}"
    );
    let hits = w
        .run(&[
            "search",
            "phone",
            "--speaker",
            "Respondent",
            "--format",
            "json",
        ])
        .json();
    assert_eq!(hits.as_array().unwrap().len(), 1);
    // Speakers in tables and codings are the names too.
    w.run(&["codebook", "init"]).ok();
    w.run(&["code", "D1:2", "--code", "kb"]).ok();
    let segs = w.run(&["codings", "--format", "json"]).json();
    assert_eq!(segs[0]["speaker"], "Respondent");
    let t = w
        .run(&["table", "freq", "--by", "speaker", "--format", "csv"])
        .ok();
    assert!(t.contains("Respondent") && !t.contains(",R,"), "{t}");
}

#[test]
fn survey_questions_are_not_speakers() {
    let w = Workdir::project();
    w.write(
        "s.csv",
        "respondent,What is still difficult?\nR01,Costs — always costs.\nR02,Nothing much.\n",
    );
    w.run(&[
        "add",
        "s.csv",
        "--text-column",
        "What is still difficult?",
        "--id-column",
        "respondent",
    ])
    .ok();
    let d = w.run(&["show", "D1", "--format", "json"]).json();
    let p = &d["passages"][0];
    assert!(p["speaker"].is_null(), "{p}");
    assert_eq!(p["question"], "What is still difficult?");
    let text = w.run(&["show", "D1"]).ok();
    assert!(text.contains("[What is still difficult?] Costs"), "{text}");
    let by = w
        .run(&["search", "costs", "--by", "speaker", "--format", "json"])
        .json();
    assert!(!by.to_string().contains("difficult"), "{by}");
}
