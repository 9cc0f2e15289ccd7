//! Full-text search, counts by group, concordances and the self-healing index, end to end.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::util::Workdir;

const WORKSHOP: &str = "[00:00:01] Päivi Mäkelä: What is an order for you?\n\n\
[00:00:05] Kari Järvinen: For us an order is a purchase order — 👍 really. Työ goes on.\n\n\
[00:00:09] Åsa Ström: Let us draw the map of the process together.\n\n\
[00:00:12] Kari Järvinen: Coordination is hard; we are coordinating by phone.\n";

const INTERVIEW: &str = "I: How do you order repairs?\n\n\
R: By phone, always by phone. Orders get lost.\n\n\
I: And the map?\n\n\
R: We have no map, the coordination happens in e-mail.\n";

const NOTES: &str = "The team ordered new forms.\n\n\
Coordination meeting on Monday; the shared map is on the wall.\n\n\
Nobody mentioned the purchase system.\n";

/// A project with three documents in three phases, two organisations.
fn study() -> Workdir {
    let w = Workdir::project();
    w.write("ws.txt", WORKSHOP);
    w.write("int.txt", INTERVIEW);
    w.write("notes.txt", NOTES);
    for args in [
        &[
            "add",
            "ws.txt",
            "--kind",
            "workshop",
            "--date",
            "2013-03-20",
            "--attr",
            "org=Kaleva",
        ][..],
        &[
            "add",
            "int.txt",
            "--kind",
            "interview",
            "--date",
            "2013-02-01",
            "--attr",
            "org=Nord",
        ],
        &[
            "add",
            "notes.txt",
            "--kind",
            "observation",
            "--date",
            "2013-11-15",
        ],
    ] {
        w.run(args).ok();
    }
    w
}

fn search(w: &Workdir, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["search"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json", "--limit", "0"]);
    w.run(&all).json().as_array().unwrap().clone()
}

fn passages(hits: &[Value]) -> Vec<String> {
    let mut v: Vec<String> = hits
        .iter()
        .map(|h| h["passage"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

fn count(w: &Workdir, args: &[&str]) -> u64 {
    let mut all = vec!["search"];
    all.extend_from_slice(args);
    all.push("--count");
    w.run(&all).ok().trim().parse().unwrap()
}

/// The text of every highlight of a hit, by character offsets.
fn highlighted(hit: &Value) -> Vec<String> {
    let chars: Vec<char> = hit["text"].as_str().unwrap().chars().collect();
    hit["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let (s, e) = (
                r[0].as_u64().unwrap() as usize,
                r[1].as_u64().unwrap() as usize,
            );
            chars[s..e].iter().collect()
        })
        .collect()
}

/// Runs a query and compares the sorted passage ids.
fn check(w: &Workdir, args: &[&str], expected: &[&str]) {
    assert_eq!(passages(&search(w, args)), expected, "search {args:?}");
}

#[test]
fn words_phrases_proximity_prefix() {
    let w = study();
    // Stemming: "order" finds orders and ordered.
    check(&w, &["order"], &["D1:1", "D1:2", "D2:1", "D2:2", "D3:1"]);
    check(&w, &["\"purchase order\""], &["D1:2"]);
    check(&w, &["\"map together\""], &[]);
    check(&w, &["\"map together\"~4"], &["D1:3"]);
    check(&w, &["coordinat*"], &["D1:4", "D2:4", "D3:2"]);
    check(&w, &["map AND NOT coordination"], &["D1:3", "D2:3"]);
    check(&w, &["map -coordination"], &["D1:3", "D2:3"]);
    check(&w, &["(phone OR wall) +map"], &["D3:2"]);
    check(&w, &["purchase OR forms"], &["D1:2", "D3:1", "D3:3"]);
    check(&w, &["e-mail"], &["D2:4"]);
    let hit = &search(&w, &["\"purchase order\""])[0];
    assert_eq!(highlighted(hit), ["purchase order"]);
    let mut keys: Vec<&str> = hit
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "date",
            "doc",
            "end",
            "highlights",
            "kind",
            "passage",
            "phase",
            "score",
            "speaker",
            "start",
            "text",
            "title"
        ]
    );
}

#[test]
fn non_ascii_terms_and_character_offsets() {
    let w = study();
    let hits = search(&w, &["Järvinen OR työ"]);
    assert_eq!(passages(&hits), ["D1:2"]);
    assert_eq!(highlighted(&hits[0]), ["Työ"]);
    assert_eq!(hits[0]["speaker"], "Kari Järvinen");
    check(&w, &["--speaker", "Kari Järvinen", "coordinat*"], &["D1:4"]);
    // Passage offsets point into the document text, in characters.
    let doc = w.run(&["show", "D1", "--format", "json"]).json();
    let text: Vec<char> = doc["text"].as_str().unwrap().chars().collect();
    let (s, e) = (
        hits[0]["start"].as_u64().unwrap() as usize,
        hits[0]["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(text[s..e].iter().collect::<String>(), hits[0]["text"]);
}

#[test]
fn every_hit_satisfies_the_filters() {
    let w = study();
    let kaleva: BTreeSet<&str> = ["D1"].into();
    type Pred = fn(&Value, &BTreeSet<&str>) -> bool;
    let cases: &[(&[&str], Pred)] = &[
        (&["--phase", "I1"], |h, _| h["phase"] == "I1"),
        (&["--phase", "I1", "--phase", "followup"], |h, _| {
            h["phase"] == "I1" || h["phase"] == "followup"
        }),
        (&["--kind", "interview"], |h, _| h["kind"] == "interview"),
        (&["--speaker", "Kari Järvinen"], |h, _| {
            h["speaker"] == "Kari Järvinen"
        }),
        (&["--doc", "D3"], |h, _| h["doc"] == "D3"),
        (&["--attr", "org=Kaleva"], |h, k| {
            k.contains(h["doc"].as_str().unwrap())
        }),
        (&["--kind", "workshop", "--phase", "baseline"], |_, _| false),
        // The same key twice: either value; `(none)`: the attribute is missing.
        (&["--attr", "org=Kaleva", "--attr", "org=Nord"], |h, _| {
            h["doc"] != "D3"
        }),
        (&["--attr", "org=(none)"], |h, _| h["doc"] == "D3"),
        (&["--attr", "org=Kaleva", "--attr", "org=(none)"], |h, _| {
            h["doc"] != "D2"
        }),
        (&["--month", "2013-02", "--month", "2013-11"], |h, _| {
            h["doc"] == "D2" || h["doc"] == "D3"
        }),
        (&["--month", "undated"], |_, _| false),
        (&["--speaker", "(no speaker)"], |h, _| {
            h["speaker"].is_null()
        }),
        (&["--speaker", "(no speaker)", "--speaker", "R"], |h, _| {
            h["speaker"].is_null() || h["speaker"] == "R"
        }),
    ];
    for (filters, ok) in cases {
        for q in ["order OR map OR coordinat*", "NOT zebra"] {
            let mut args = vec![q];
            args.extend_from_slice(filters);
            let hits = search(&w, &args);
            assert!(hits.iter().all(|h| ok(h, &kaleva)), "{args:?}: {hits:#?}");
            let unfiltered = search(&w, &[q]);
            let expected = unfiltered.iter().filter(|h| ok(h, &kaleva)).count();
            assert_eq!(hits.len(), expected, "{args:?}");
        }
        // The concordance reads the same flags the same way.
        let mut args = vec!["kwic", "order OR map", "--format", "json"];
        args.extend_from_slice(filters);
        let lines = w.run(&args).json();
        let in_kwic: BTreeSet<String> = lines
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["passage"].as_str().unwrap().to_string())
            .collect();
        let mut args = vec!["order OR map"];
        args.extend_from_slice(filters);
        let in_search: BTreeSet<String> = passages(&search(&w, &args)).into_iter().collect();
        assert_eq!(in_kwic, in_search, "kwic {filters:?}");
    }
    let err = w.run(&["search", "order", "--phase", "nope"]).fails();
    assert!(err.contains("nope"), "{err}");
}

#[test]
fn counts_by_group_equal_filtered_searches() {
    let w = study();
    let q = "order OR map";
    let rows = w
        .run(&["search", q, "--by", "phase", "--format", "json"])
        .json();
    let rows = rows.as_array().unwrap();
    let phases: Vec<&str> = rows.iter().map(|r| r["phase"].as_str().unwrap()).collect();
    assert_eq!(
        phases,
        ["baseline", "I1", "between", "I2", "I3", "followup"]
    );
    let mut total = 0;
    for r in rows {
        let p = r["phase"].as_str().unwrap();
        let n = count(&w, &[q, "--phase", p]);
        assert_eq!(r["passages"].as_u64().unwrap(), n, "phase {p}");
        total += n;
    }
    assert_eq!(total, count(&w, &[q]));
    assert_eq!(rows[1]["docs"], 1);

    let text = w.run(&["search", q, "--by", "kind"]).ok();
    assert_eq!(
        text,
        "kind         passages  docs\ninterview           4     1\nworkshop            3     1\nobservation         2     1\n"
    );
    let by_attr = w
        .run(&[
            "search",
            "coordinat*",
            "--by",
            "attr:org",
            "--format",
            "csv",
        ])
        .ok();
    assert_eq!(
        by_attr,
        "org,passages,docs\nKaleva,1,1\nNord,1,1\n(none),1,1\n"
    );
    let by_speaker = w
        .run(&["search", "zebra", "--by", "speaker", "--format", "json"])
        .json();
    assert!(by_speaker
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["passages"] == 0));
    assert!(by_speaker.as_array().unwrap().len() >= 3, "{by_speaker}");
}

#[test]
fn time_sort_follows_the_timeline() {
    let w = study();
    let hits = search(&w, &["order OR map", "--sort", "time"]);
    let order: Vec<&str> = hits
        .iter()
        .map(|h| h["passage"].as_str().unwrap())
        .collect();
    assert_eq!(
        order,
        ["D2:1", "D2:2", "D2:3", "D2:4", "D1:1", "D1:2", "D1:3", "D3:1", "D3:2"]
    );
    let limited = w
        .run(&[
            "search",
            "order OR map",
            "--sort",
            "time",
            "--limit",
            "2",
            "--format",
            "json",
        ])
        .json();
    assert_eq!(limited.as_array().unwrap().len(), 2);
    assert_eq!(limited[0]["passage"], "D2:1");
}

#[test]
fn text_output_and_kwic() {
    let w = study();
    let out = w
        .run(&["search", "\"purchase order\"", "--context", "10"])
        .ok();
    assert_eq!(
        out,
        "D1:2 · ws · I1 2013-03-20 · Kari Järvinen\n    …rder is a purchase order — 👍 reall…\n"
    );
    let out = w
        .run(&["kwic", "order", "--width", "12", "--sort", "left"])
        .ok();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 6, "{out}");
    // Aligned: the term starts in the same column on every line.
    let col = |l: &str| l.chars().count() - l.trim_start_matches("D1:1").len();
    let starts: BTreeSet<usize> = lines
        .iter()
        .map(|l| {
            let chars: Vec<char> = l.chars().collect();
            let at = (0..chars.len())
                .find(|&i| {
                    chars[i..]
                        .iter()
                        .collect::<String>()
                        .to_lowercase()
                        .starts_with("order")
                })
                .unwrap();
            at
        })
        .collect();
    let _ = col;
    assert_eq!(starts.len(), 1, "{out}");
    let json = w.run(&["kwic", "order", "--format", "json"]).json();
    assert_eq!(json[0]["match"], "order"); // D2:1 comes first on the timeline
    assert_eq!(json[0]["passage"], "D2:1");
}

#[test]
fn stale_index_is_rebuilt_after_add_and_autocode() {
    let w = study();
    // The first `ambit add` built the index and the next two kept it current.
    assert!(w.run(&["index"]).ok().contains("up to date"));
    assert!(w
        .run(&["index", "--rebuild"])
        .ok()
        .contains("indexed 11 passages"));
    assert!(w.run(&["index"]).ok().contains("up to date"));
    assert_eq!(count(&w, &["procurement"]), 0);
    w.write("late.txt", "Procurement is now done in the shared map.\n");
    w.run(&["add", "late.txt", "--date", "2013-12-01"]).ok();
    // `ambit add` refreshed the existing index in place: no rebuild before the search.
    let r = w.run(&["search", "procurement", "--count"]);
    assert_eq!(r.stdout.trim(), "1");
    assert!(!r.stderr.contains("indexed"), "{}", r.stderr);
    assert!(w.run(&["index"]).ok().contains("up to date"));
    // Replacing it patches the index too, prefixes included: its old words are gone.
    assert_eq!(count(&w, &["procure*"]), 1);
    w.write("late.txt", "Purchasing is now done in the shared map.\n");
    w.run(&["add", "late.txt", "--date", "2013-12-01", "--replace"])
        .ok();
    let r = w.run(&["search", "procure*", "--count"]);
    assert_eq!(r.stdout.trim(), "0");
    assert!(!r.stderr.contains("indexed"), "{}", r.stderr);
    assert_eq!(count(&w, &["purchas*"]), 3);

    w.write(
        "codebook.toml",
        "[[code]]\nid = \"coord\"\nname = \"Coordination\"\n\n[[code]]\nid = \"coord.objects\"\nname = \"Objects\"\n  [[code.rule]]\n  id = \"coord.objects.map\"\n  keywords = [\"map\"]\n",
    );
    assert_eq!(count(&w, &["NOT zebra", "--code", "coord"]), 0);
    w.run(&["autocode"]).ok();
    check(
        &w,
        &["NOT zebra", "--code", "coord"],
        &["D1:3", "D2:3", "D2:4", "D3:2", "D4:1"],
    );
    check(&w, &["phone", "--code", "coord.objects"], &[]);
    let mut stemming = std::fs::read_to_string(w.path().join("ambit.toml")).unwrap();
    stemming = stemming.replace("language = \"en\"", "language = \"none\"");
    w.write("ambit.toml", &stemming);
    let r = w.run(&["search", "orders", "--count"]);
    assert_eq!(r.stdout.trim(), "1", "unstemmed: only the exact word");
    assert!(r.stderr.contains("language"), "{}", r.stderr);
}

#[test]
fn bad_query_syntax_is_reported_with_its_position() {
    let w = study();
    for (q, expected) in [
        (
            "\"purchase order",
            "character 1: this quote is never closed",
        ),
        (
            "map AND (phone OR",
            "character 16: OR needs a term after it",
        ),
        ("map)", "character 4: unmatched )"),
        ("—", "character 1: `—` has no letters or digits"),
    ] {
        let err = w.run(&["search", q]).fails();
        assert!(err.contains(expected), "{q}: {err}");
        assert!(err.contains('^'), "{err}");
    }
    let err = w.run(&["kwic", "co*rd"]).fails();
    assert!(err.contains("character 3"), "{err}");
}

#[test]
fn corrupt_index_is_rebuilt() {
    let w = study();
    w.run(&["index"]).ok();
    let dir = w.path().join(".ambit/index");
    std::fs::remove_file(dir.join("meta.json")).unwrap();
    let r = w.run(&["search", "map", "--count"]);
    assert_eq!(r.stdout.trim(), "4", "{}", r.stderr);
    // Garble every segment file, keep their names and sizes.
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        if !name.ends_with(".json") && !name.starts_with('.') {
            let len = std::fs::metadata(&p).unwrap().len() as usize;
            std::fs::write(&p, vec![0xAB; len]).unwrap();
        }
    }
    let r = w.run(&["search", "map", "--count"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.trim(), "4");
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    // A file gone missing.
    let seg = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "idx"))
        .unwrap();
    std::fs::remove_file(seg).unwrap();
    assert_eq!(count(&w, &["map"]), 4);
}

/// Phases are derived from the timeline when read, not stored: editing the timeline in
/// `ambit.toml` must not leave the index answering with the old phases.
#[test]
fn a_timeline_edit_moves_hits_without_reindexing() {
    let w = study();
    w.run(&["index"]).ok();
    // The interview (2013-02-01) is in the baseline.
    let before = count(&w, &["NOT zebra", "--phase", "baseline"]);
    assert!(before > 0);
    let toml = std::fs::read_to_string(w.path().join("ambit.toml")).unwrap();
    let moved = toml
        .replace("end = 2013-03-17", "end = 2013-01-31")
        .replace("start = 2013-03-18", "start = 2013-02-01");
    assert_ne!(moved, toml, "the sample timeline changed; update this test");
    w.write("ambit.toml", &moved);
    let r = w.run(&["search", "NOT zebra", "--phase", "baseline", "--count"]);
    assert_eq!(r.stdout.trim(), "0", "the interview moved to I1");
    // Phases are not in the index: nothing to rebuild.
    assert!(!r.stderr.contains("indexed"), "{}", r.stderr);
    assert_eq!(
        count(&w, &["NOT zebra", "--phase", "I1"]),
        count(&w, &["NOT zebra", "--doc", "D1"]) + count(&w, &["NOT zebra", "--doc", "D2"])
    );
    assert!(w.run(&["index"]).ok().contains("up to date"));
    let out = w
        .run(&["search", "NOT zebra", "--doc", "D2", "--format", "json"])
        .ok();
    assert!(out.contains("\"phase\": \"I1\""), "{out}");
    w.write("late.txt", "A late note.\n");
    w.run(&["add", "late.txt", "--date", "2013-12-01"]).ok();
    let r = w.run(&["search", "late", "--count"]);
    assert_eq!(r.stdout.trim(), "1");
    assert!(!r.stderr.contains("indexed"), "{}", r.stderr);
}

#[test]
fn table_is_a_synonym_of_text() {
    let w = study();
    for cmd in [
        &["search", "order"][..],
        &["kwic", "order"],
        &["search", "order", "--by", "kind"],
    ] {
        let text = w.run(cmd).ok();
        let mut table = cmd.to_vec();
        table.extend_from_slice(&["--format", "table"]);
        assert_eq!(w.run(&table).ok(), text, "{cmd:?}");
    }
}

/// Entries of `.ambit` that index builds leave while they run.
fn build_leftovers(w: &Workdir) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(w.path().join(".ambit"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".index.tmp-"))
        .collect();
    names.sort();
    names
}

#[test]
fn index_builds_leave_no_temporary_folders() {
    let w = study();
    // What a build killed half-way (disk full, kill -9) left behind.
    let stale = w.path().join(".ambit/.index.tmp-4000000");
    std::fs::create_dir(&stale).unwrap();
    std::fs::write(stale.join("meta.json"), "{").unwrap();
    assert!(w
        .run(&["index", "--rebuild"])
        .ok()
        .contains("indexed 11 passages"));
    assert_eq!(build_leftovers(&w), Vec::<String>::new());

    // A build that fails after writing its index: a file stands where it must go.
    let index = w.path().join(".ambit/index");
    std::fs::remove_dir_all(&index).unwrap();
    std::fs::write(&index, "not an index").unwrap();
    let shown = index.display().to_string();
    let err = w.run(&["index"]).fails();
    assert!(err.contains(&shown), "{err}");
    assert_eq!(build_leftovers(&w), Vec::<String>::new());
    let err = w.run(&["search", "order"]).fails();
    assert!(err.contains(&shown), "{err}");
    assert_eq!(build_leftovers(&w), Vec::<String>::new());
    std::fs::remove_file(&index).unwrap();
    assert_eq!(count(&w, &["order"]), 5);
}
