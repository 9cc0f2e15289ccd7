//! Codebook, manual coding, auto-coding, retrieval, queries and agreement through the CLI.

use crate::util::Workdir;

const CODEBOOK: &str = r#"
[codebook]
name = "Test"

[[code]]
id = "kb"
name = "Knowledge boundaries"

[[code]]
id = "kb.semantic"
name = "Semantic"
  [[code.rule]]
  id = "kb.semantic.order"
  keywords = ["order"]

[[code]]
id = "coord"
name = "Coordination"

[[code]]
id = "coord.objects"
name = "Objects"
  [[code.rule]]
  id = "coord.objects.map"
  keywords = ["map*"]
"#;

fn coded_project() -> Workdir {
    let w = Workdir::project();
    w.write("codebook.toml", CODEBOOK);
    w.write(
        "ws.txt",
        "[00:00:01] Päivi Mäkelä: What is an order for you?\n\n[00:00:05] Kari Järvinen: For us an order is a purchase order — 👍 really.\n\n[00:00:09] Åsa Ström: Let us draw the map together.\n\n[00:00:12] Jussi Häkkinen: The maps help.\n",
    );
    w.run(&[
        "add",
        "ws.txt",
        "--kind",
        "workshop",
        "--date",
        "2013-03-20",
    ])
    .ok();
    w
}

#[test]
fn codebook_init_show_and_check() {
    let w = Workdir::project();
    let err = w.run(&["codings"]).fails();
    assert!(err.contains("ambit codebook init"), "{err}");
    let out = w
        .run(&["codebook", "init", "--template", "ambidexterity"])
        .ok();
    assert!(out.contains("codes"), "{out}");
    let cb = w.run(&["codebook", "show", "--format", "json"]).json();
    let ids: Vec<&str> = cb["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    for id in [
        "kb.syntactic",
        "kb.semantic",
        "kb.pragmatic",
        "su",
        "coord.objects",
        "ee.explore",
        "amb.alignment",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    assert!(w.run(&["codebook", "check"]).ok().contains("ok"));
    w.write(
        "bad.toml",
        "[[code]]\nid = \"a.b\"\nname = \"x\"\n  [[code.rule]]\n  regex = [\"(unclosed\"]\n",
    );
    let err = w.run(&["codebook", "check", "bad.toml"]).fails();
    assert!(err.contains("a.b") && err.contains("regex"), "{err}");
    let err = w.run(&["codebook", "import", "bad.toml"]).fails();
    assert!(err.contains("bad.toml"), "{err}");
}

#[test]
fn manual_coding_with_quotes_spans_and_uncode() {
    let w = coded_project();
    let out = w
        .run(&[
            "code",
            "D1:2",
            "--code",
            "kb.semantic",
            "--quote",
            "purchase order — 👍",
            "--coder",
            "anna",
            "--memo",
            "two meanings",
        ])
        .ok();
    assert!(out.contains("coding 1"), "{out}");
    let segs = w.run(&["codings", "--format", "json"]).json();
    let s = &segs[0];
    assert_eq!(s["text"], "purchase order — 👍");
    assert_eq!(s["passage"], "D1:2");
    assert_eq!(s["speaker"], "Kari Järvinen");
    assert_eq!(s["phase"], "I1");
    assert_eq!(s["origin"], "manual");
    assert_eq!(s["memo"], "two meanings");
    assert_eq!(s["status"], "ok");
    assert_eq!(s["quote"], serde_json::Value::Null);
    let mut keys: Vec<&str> = s.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "code", "coder", "coding", "date", "doc", "end", "memo", "origin", "passage", "phase",
            "question", "quote", "speaker", "start", "status", "text"
        ]
    );
    // Character offsets into the document text.
    let doc = w.run(&["show", "D1", "--format", "json"]).json();
    let text: Vec<char> = doc["text"].as_str().unwrap().chars().collect();
    let (a, b) = (
        s["start"].as_u64().unwrap() as usize,
        s["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(text[a..b].iter().collect::<String>(), "purchase order — 👍");

    let err = w
        .run(&["code", "D1", "--code", "kb.semantic", "--quote", "order"])
        .fails();
    assert!(
        err.contains("3 times") && err.contains("D1:1") && err.contains("D1:2"),
        "{err}"
    );
    let err = w
        .run(&[
            "code",
            "D1:2",
            "--code",
            "kb.semantic",
            "--quote",
            "PURCHASE order",
        ])
        .fails();
    assert!(
        err.contains("not found") && err.contains("purchase order"),
        "{err}"
    );
    let err = w.run(&["code", "D1:2", "--code", "nope"]).fails();
    assert!(err.contains("unknown code"), "{err}");
    w.run(&["code", "D1:3", "--code", "coord.objects", "--span", "0..6"])
        .ok();
    let segs = w
        .run(&["codings", "--code", "coord", "--format", "json"])
        .json();
    assert_eq!(segs[0]["text"], "Let us");
    let err = w
        .run(&[
            "code",
            "D1:3",
            "--code",
            "coord.objects",
            "--span",
            "0..600",
        ])
        .fails();
    assert!(err.contains("does not fit"), "{err}");
    w.run(&["uncode", "2"]).ok();
    assert_eq!(w.run(&["codings", "--count"]).ok().trim(), "1");
    assert!(w.run(&["uncode", "2"]).fails().contains("no coding 2"));
}

#[test]
fn autocode_is_idempotent_and_leaves_manual_codings() {
    let w = coded_project();
    w.run(&[
        "code",
        "D1:4",
        "--code",
        "kb.semantic",
        "--coder",
        "researcher",
    ])
    .ok();
    let dry = w.run(&["autocode", "--dry-run", "--format", "json"]).json();
    assert_eq!(dry["dry_run"], true);
    assert_eq!(
        w.run(&["codings", "--count"]).ok().trim(),
        "1",
        "dry run writes nothing"
    );
    let first = w.run(&["autocode", "--format", "json"]).json();
    let row = |v: &serde_json::Value, code: &str| {
        v["codes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["code"] == code)
            .cloned()
            .unwrap()
    };
    assert_eq!(row(&first, "kb.semantic")["coded"], 2);
    assert_eq!(
        row(&first, "coord.objects")["coded"],
        2,
        "map and maps via wildcard"
    );
    w.run(&["index"]).ok();
    let again = w.run(&["autocode", "--format", "json"]).json();
    assert_eq!(row(&again, "kb.semantic")["added"], 0);
    assert_eq!(row(&again, "kb.semantic")["removed"], 0);
    // Nothing changed, so nothing was written: the search index is still current.
    assert!(w.run(&["index"]).ok().contains("up to date"));
    assert_eq!(w.run(&["codings", "--count"]).ok().trim(), "5");
    let manual = w.run(&["codings", "--format", "json"]).json();
    assert!(manual
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["origin"] == "manual" && s["passage"] == "D1:4"));
    let origins: Vec<String> = manual
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["origin"].as_str().unwrap().to_string())
        .collect();
    assert!(
        origins.contains(&"rule:kb.semantic.order".to_string()),
        "{origins:?}"
    );
}

#[test]
fn rename_merge_and_delete_keep_codings_safe() {
    let w = coded_project();
    w.run(&["code", "D1:1", "--code", "kb.semantic"]).ok();
    w.run(&["code", "D1:3", "--code", "coord.objects"]).ok();
    let out = w.run(&["codebook", "rename", "kb", "boundary"]).ok();
    assert!(out.contains("1 coding"), "{out}");
    let segs = w.run(&["codings", "--format", "json"]).json();
    assert_eq!(segs[0]["code"], "boundary.semantic");
    w.run(&["codebook", "merge", "coord.objects", "boundary.semantic"])
        .ok();
    assert_eq!(
        w.run(&["codings", "--code", "boundary.semantic", "--count"])
            .ok()
            .trim(),
        "2"
    );
    let err = w.run(&["codebook", "delete", "boundary.semantic"]).fails();
    assert!(err.contains("--force") && err.contains("2 coding"), "{err}");
    let out = w
        .run(&["codebook", "delete", "boundary.semantic", "--force"])
        .ok();
    assert!(out.contains("2 coding"), "{out}");
    assert_eq!(w.run(&["codings", "--count"]).ok().trim(), "0");
}

#[test]
fn queries_and_counts_by_phase() {
    let w = coded_project();
    w.run(&["autocode"]).ok();
    let hits = w
        .run(&["query", "kb.semantic OR coord", "--format", "json"])
        .json();
    assert_eq!(hits.as_array().unwrap().len(), 4);
    let hits = w
        .run(&["query", "kb AND NOT coord", "--format", "json"])
        .json();
    let ids: Vec<&str> = hits
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["passage"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["D1:1", "D1:2"]);
    let near = w
        .run(&[
            "query",
            "kb.semantic NEAR/1 coord.objects",
            "--format",
            "json",
        ])
        .json();
    let ids: Vec<&str> = near
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["passage"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["D1:2", "D1:3"]);
    let by = w
        .run(&["query", "kb", "--by", "phase", "--format", "json"])
        .json();
    let i1 = by
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["phase"] == "I1")
        .unwrap();
    assert_eq!(i1["passages"], 2);
    assert_eq!(by.as_array().unwrap().len(), 6, "every phase, zeros kept");
    // Provenance: the per-phase count equals the filtered listing.
    let listed = w
        .run(&["codings", "--code", "kb", "--phase", "I1", "--count"])
        .ok();
    assert_eq!(listed.trim(), "2");
    let err = w.run(&["query", "kb AND (coord"]).fails();
    assert!(err.contains("position"), "{err}");
    let err = w.run(&["query", "kb AND nothing"]).fails();
    assert!(err.contains("nothing"), "{err}");
}

#[test]
fn memos_on_codes_documents_and_passages() {
    let w = coded_project();
    w.run(&[
        "memo",
        "add",
        "--code",
        "kb.semantic",
        "Orders mean three things.",
    ])
    .ok();
    w.run(&["memo", "add", "--passage", "D1:2", "Key moment"])
        .ok();
    assert!(w
        .run(&["memo", "add", "--doc", "D9", "x"])
        .fails()
        .contains("D9"));
    let memos = w.run(&["memo", "list", "--format", "json"]).json();
    assert_eq!(memos[0]["target"], "code:kb.semantic");
    assert_eq!(memos[1]["target"], "passage:D1:2");
}

#[test]
fn agreement_between_two_coders() {
    let w = coded_project();
    // anna codes passages 1, 2; erik codes 2, 3 with kb.semantic. Units: 4 passages.
    for (p, who) in [
        ("D1:1", "anna"),
        ("D1:2", "anna"),
        ("D1:2", "erik"),
        ("D1:3", "erik"),
    ] {
        w.run(&[
            "code",
            p,
            "--code",
            "kb.semantic",
            "--coder",
            who,
            "--memo",
            &format!("{who} on {p}"),
        ])
        .ok();
    }
    let r = w
        .run(&[
            "agreement",
            "--coders",
            "anna,erik",
            "--code",
            "kb.semantic",
            "--format",
            "json",
        ])
        .json();
    let row = &r["rows"][0];
    assert_eq!(row["units"], 4);
    assert_eq!(row["coded_by"], serde_json::json!([2, 2]));
    // Agreement on D1:2 (both) and D1:4 (neither): 2/4. Cohen: po = .5, pe = .5 → κ = 0.
    assert!((row["percent_agreement"].as_f64().unwrap() - 0.5).abs() < 1e-9);
    assert!(row["cohen_kappa"].as_f64().unwrap().abs() < 1e-9);
    // Krippendorff's α nominal by hand: coincidences o00 = o11 = o01 = o10 = 2, n0 = n1 = 4,
    // n = 8; α = 1 − (n − 1)·(o01 + o10) / (n0·n1 + n1·n0) = 1 − 7·4/32 = 0.125.
    assert!(
        (row["alpha"].as_f64().unwrap() - 0.125).abs() < 1e-9,
        "{row}"
    );
    let d = w
        .run(&[
            "agreement",
            "--coders",
            "anna,erik",
            "--code",
            "kb.semantic",
            "--disagreements",
            "--format",
            "json",
        ])
        .json();
    let ids: Vec<&str> = d
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["passage"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["D1:1", "D1:3"]);
    assert_eq!(d[0]["memos"]["anna"], "anna on D1:1");
    // Character units: every character of D1; boundaries count.
    let chars = w
        .run(&[
            "agreement",
            "--coders",
            "anna,erik",
            "--code",
            "kb.semantic",
            "--unit",
            "char",
            "--format",
            "json",
        ])
        .json();
    let doc = w.run(&["show", "D1", "--format", "json"]).json();
    let len = doc["text"].as_str().unwrap().chars().count() as u64;
    assert_eq!(chars["rows"][0]["units"].as_u64(), Some(len));
    let md = w
        .run(&[
            "agreement",
            "--coders",
            "anna,erik",
            "--code",
            "kb.semantic",
            "--format",
            "md",
        ])
        .ok();
    assert!(md.starts_with("| code | units |"), "{md}");
    let text = w
        .run(&["agreement", "--coders", "anna,erik", "--code", "coord"])
        .ok();
    assert!(text.contains("undefined"), "{text}");
    let err = w.run(&["agreement", "--coders", "anna,nobody"]).fails();
    assert!(err.contains("nobody") && err.contains("anna"), "{err}");
}

#[test]
fn stats_alpha_on_krippendorffs_example() {
    let w = Workdir::new();
    // Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", 4 coders × 12 units.
    w.write(
        "k.csv",
        "unit,A,B,C,D\n1,1,1,,1\n2,2,2,3,2\n3,3,3,3,3\n4,3,3,3,3\n5,2,2,2,2\n6,1,2,3,4\n7,4,4,4,4\n8,1,1,2,1\n9,2,2,2,2\n10,,5,5,5\n11,,,1,1\n12,,3,,\n",
    );
    let out = w.run(&["stats", "alpha", "k.csv"]).ok();
    assert!(out.contains("0.743"), "{out}");
    let out = w
        .run(&["stats", "alpha", "k.csv", "--level", "interval"])
        .ok();
    assert!(out.contains("0.849"), "{out}");
    let err = w.run(&["stats", "alpha", "missing.csv"]).fails();
    assert!(err.contains("missing.csv"), "{err}");
}

#[test]
fn codebook_import_never_orphans_codings_silently() {
    let w = coded_project();
    w.run(&["autocode"]).ok();
    let coded = w.run(&["codings", "--count"]).ok();
    let coded: u64 = coded.trim().parse().unwrap();
    assert!(coded >= 2, "{coded}");
    w.write(
        "small.toml",
        "[codebook]\nname = \"Small\"\n\n[[code]]\nid = \"coord\"\nname = \"Coordination\"\n",
    );
    // Refused, naming the codes it would orphan; nothing changes.
    let err = w.run(&["codebook", "import", "small.toml"]).fails();
    assert!(
        err.contains("kb.semantic") && err.contains("--force"),
        "{err}"
    );
    let cb = w.run(&["codebook", "show", "--format", "json"]).json();
    assert!(cb.to_string().contains("kb.semantic"));
    // --force keeps the codings and says which are orphaned.
    let r = w.run(&["codebook", "import", "small.toml", "--force"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("`kb.semantic` now point at no code"),
        "{}",
        r.stderr
    );
    assert_eq!(
        w.run(&["codings", "--count"]).ok().trim(),
        coded.to_string()
    );
    // check lists them; delete --force removes them.
    let err = w.run(&["codebook", "check"]).fails();
    assert!(
        err.contains("kb.semantic") && err.contains("lacks"),
        "{err}"
    );
    w.run(&["codebook", "delete", "kb.semantic", "--force"])
        .ok();
    w.run(&["codebook", "delete", "coord.objects", "--force"])
        .ok();
    w.run(&["codebook", "check"]).ok();
}

#[test]
fn the_same_coding_twice_is_a_no_op_and_empty_or_reversed_spans_are_refused() {
    let w = coded_project();
    let args = [
        "code",
        "D1:2",
        "--code",
        "kb.semantic",
        "--span",
        "0..6",
        "--coder",
        "anna",
    ];
    let out = w.run(&args).ok();
    assert!(out.starts_with("coding 1:"), "{out}");
    let out = w.run(&args).ok();
    assert!(out.contains("unchanged: coding 1 already codes"), "{out}");
    assert_eq!(w.run(&["codings", "--count"]).ok().trim(), "1");
    // Another coder is another coding.
    let mut erik = args.to_vec();
    erik[7] = "erik";
    w.run(&erik).ok();
    assert_eq!(w.run(&["codings", "--count"]).ok().trim(), "2");
    let err = w
        .run(&["code", "D1:2", "--code", "kb.semantic", "--span", "5..5"])
        .fails();
    assert!(err.contains("empty"), "{err}");
    let err = w
        .run(&["code", "D1:2", "--code", "kb.semantic", "--span", "50..10"])
        .fails();
    assert!(err.contains("start is after its end"), "{err}");
    // An unknown code names the close ones and where to look.
    let err = w.run(&["code", "D1:2", "--code", "kb.semantc"]).fails();
    assert!(
        err.contains("kb.semantic") && err.contains("ambit codebook show"),
        "{err}"
    );
    assert_eq!(w.run(&["codings", "--count"]).ok().trim(), "2");
}

#[test]
fn output_into_a_closed_pipe_ends_quietly() {
    let w = coded_project();
    w.run(&["autocode"]).ok();
    for args in [
        &["show", "D1", "--format", "json"][..],
        &["codings", "--format", "csv"],
        &["codings", "--format", "json"],
        &["docs", "--format", "csv"],
    ] {
        // The reader reads nothing and goes away at once.
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("ambit"))
            .args(args)
            .current_dir(w.path())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("Broken pipe"), "{args:?}: {stderr}");
    }
}
