//! `--pseudonymise KEY.csv` on every export, and `ambit pseudonyms suggest`.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::util::{repo, Workdir};

/// The characters `start..end` of `text`.
fn chars(text: &str, start: u64, end: u64) -> String {
    text.chars()
        .skip(start as usize)
        .take(end.saturating_sub(start) as usize)
        .collect()
}

/// Whitespace runs as one space, as concordance lines are written.
fn flat(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every occurrence of a name as a whole word, in any case, with any whitespace between
/// its words: `name: …context…` for each.
fn names_in(haystack: &str, names: &[String]) -> Vec<String> {
    let hay = flat(haystack).to_lowercase();
    let mut found = Vec::new();
    for name in names {
        let needle = flat(name).to_lowercase();
        let mut from = 0;
        while let Some(i) = hay[from..].find(&needle) {
            let (a, b) = (from + i, from + i + needle.len());
            let before = hay[..a].chars().next_back();
            let after = hay[b..].chars().next();
            let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '-');
            if !word(before) && !word(after) {
                let lo = hay[..a].char_indices().rev().nth(30).map_or(0, |x| x.0);
                let hi = hay[b..]
                    .char_indices()
                    .nth(30)
                    .map_or(hay.len(), |x| b + x.0);
                found.push(format!("{name}: …{}…", &hay[lo..hi]));
            }
            from = b;
        }
    }
    found
}

/// XML text with its character references and entities decoded.
fn xml_text(xml: &str) -> String {
    let mut out = String::with_capacity(xml.len());
    let mut rest = xml;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(end) = rest.find(';').filter(|&e| e < 12) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..end];
        let c = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            e => e
                .strip_prefix("#x")
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| e.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Every string of a JSON value (keys too), one a line.
fn json_strings(v: &Value, out: &mut String) {
    match v {
        Value::String(s) => {
            out.push_str(s);
            out.push('\n');
        }
        Value::Array(a) => a.iter().for_each(|x| json_strings(x, out)),
        Value::Object(m) => {
            for (k, x) in m {
                out.push_str(k);
                out.push('\n');
                json_strings(x, out);
            }
        }
        _ => {}
    }
}

/// What an exported file says, as text a name could be found in: XML decoded, every part
/// of a ZIP archive (XLSX, qdpx), JSON strings decoded, the bytes of a Parquet file.
fn readable(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    match ext {
        "xlsx" | "qdpx" => {
            let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
            let mut all = String::new();
            for i in 0..zip.len() {
                let mut entry = zip.by_index(i).unwrap();
                all.push_str(entry.name());
                all.push('\n');
                let mut part = Vec::new();
                entry.read_to_end(&mut part).unwrap();
                all.push_str(&xml_text(&String::from_utf8_lossy(&part)));
                all.push('\n');
            }
            all
        }
        "svg" | "qde" | "xml" => xml_text(&String::from_utf8_lossy(&bytes)),
        "json" => {
            let v: Value = serde_json::from_slice(&bytes)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let mut s = String::new();
            json_strings(&v, &mut s);
            s
        }
        // Parquet pages are written uncompressed (checked below: the pseudonyms are in
        // the bytes), so every string of the file is in its bytes as UTF-8.
        _ => String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// The key as `(name, pseudonym)` from the CSV `ambit pseudonyms suggest` wrote.
fn parse_key(csv_text: &str) -> Vec<(String, String)> {
    let mut r = csv::Reader::from_reader(csv_text.as_bytes());
    assert_eq!(
        r.headers().unwrap().iter().collect::<Vec<_>>(),
        ["name", "pseudonym", "documents", "occurrences", "speaker"]
    );
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            (rec[0].to_string(), rec[1].to_string())
        })
        .collect()
}

fn write_key(path: &Path, key: &[(String, String)]) {
    let mut w = csv::Writer::from_path(path).unwrap();
    w.write_record(["name", "pseudonym"]).unwrap();
    for (n, p) in key {
        w.write_record([n, p]).unwrap();
    }
    w.flush().unwrap();
}

/// The first names `--first-names` replaces alone: the first word of multi-word names
/// (after a title).
fn first_names(key: &[(String, String)]) -> Vec<String> {
    key.iter()
        .filter_map(|(n, _)| {
            let words: Vec<&str> = n
                .split_whitespace()
                .skip_while(|w| ["dr", "dr.", "prof", "prof."].contains(&w.to_lowercase().as_str()))
                .collect();
            (words.len() >= 2 && words[0].chars().all(char::is_alphabetic))
                .then(|| words[0].to_string())
        })
        .collect()
}

#[test]
fn pseudonymised_demo_exports_hold_no_name_and_keep_positions() {
    let w = Workdir::new();
    let samples = repo().join("data-samples");
    w.run(&["demo", "d", "--samples", samples.to_str().unwrap()])
        .ok();
    let d = w.path().join("d");
    let run = |args: &[&str]| w.run_in(&d, args);

    // A coding that starts inside a name (`Kari Järvinen`, characters 24..37 of D1:1),
    // with a memo naming people, so that cut names and memos are exported too.
    let d1_1 = run(&["show", "D1", "--format", "json"]).json()["passages"][0]["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(chars(&d1_1, 24, 37), "Kari Järvinen");
    run(&[
        "code",
        "D1:1",
        "--code",
        "kb.semantic",
        "--span",
        "26..60",
        "--memo",
        "Kari Järvinen and Sanna disagree here; Päivi's view differs.",
    ])
    .ok();
    let before: Vec<String> = [
        &["codings", "--format", "json"][..],
        &["docs", "--format", "json"],
        &["show", "D21", "--format", "json"],
        &["memo", "list", "--format", "json"],
    ]
    .iter()
    .map(|a| run(a).ok())
    .collect();

    // The key: what `suggest` lists, plus names picked by hand where it missed them.
    let suggested = run(&["pseudonyms", "suggest", "--format", "csv"]).ok();
    let mut key = parse_key(&suggested);
    let listed = |key: &[(String, String)], name: &str| {
        key.iter()
            .any(|(n, _)| n.to_lowercase() == name.to_lowercase())
    };
    // Every participant named in the documents' attributes is suggested.
    let docs = run(&["docs", "--format", "json"]).json();
    let docs = docs.as_array().unwrap();
    let mut participants: Vec<String> = docs
        .iter()
        .filter_map(|d| d["attributes"]["participants"].as_str())
        .flat_map(|p| p.split(';'))
        .map(|p| p.trim().trim_start_matches("Dr. ").to_string())
        .collect();
    participants.sort();
    participants.dedup();
    assert!(participants.len() >= 12, "{participants:?}");
    let missed: Vec<&String> = participants.iter().filter(|p| !listed(&key, p)).collect();
    assert!(missed.is_empty(), "not suggested: {missed:?}\n{suggested}");
    // E-mail addresses are suggested under their person's pseudonym.
    let pseudonym_of = |key: &[(String, String)], name: &str| {
        key.iter()
            .find(|(n, _)| n.to_lowercase() == name.to_lowercase())
            .map(|(_, p)| p.clone())
    };
    assert_eq!(
        pseudonym_of(&key, "paivi.makela@kaleva.example"),
        pseudonym_of(&key, "Päivi Mäkelä"),
        "{suggested}"
    );
    // As a researcher would, take out what is not a person: software and languages
    // (`Microsoft Excel` names the writer of every XLSX file).
    let not_people = [
        "Excel",
        "Visio",
        "English",
        "Finnish",
        "Swedish",
        "IDs",
        "PDFs",
        "Intervention",
    ];
    key.retain(|(n, _)| !not_people.contains(&n.as_str()));
    for name in ["Päivi Mäkelä", "Kari Järvinen", "Åsa Ström", "Erik Nyström"] {
        if !listed(&key, name) {
            key.push((name.to_string(), format!("X{}", key.len())));
        }
    }
    let key_file = w.path().join("pseudonyms.csv");
    write_key(&key_file, &key);
    let key_arg = key_file.to_str().unwrap();
    let kari = pseudonym_of(&key, "Kari Järvinen").unwrap();

    // Every export, written into `out/`.
    let out = w.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let mut files: Vec<PathBuf> = Vec::new();
    let mut export = |name: &str, args: &[&str]| -> String {
        let mut full: Vec<&str> = args.to_vec();
        full.extend(["--pseudonymise", key_arg, "--first-names"]);
        let file = out.join(name);
        if let Some(i) = full.iter().position(|a| *a == "-o") {
            full[i + 1] = file.to_str().unwrap();
            run(&full).ok();
        } else {
            let text = run(&full).ok();
            std::fs::write(&file, &text).unwrap();
        }
        files.push(file.clone());
        std::fs::read_to_string(&file).unwrap_or_default()
    };
    let mut texts: BTreeMap<String, Value> = BTreeMap::new();
    for doc in docs {
        let id = doc["id"].as_str().unwrap();
        let json = export(
            &format!("show-{id}.json"),
            &["show", id, "--format", "json"],
        );
        texts.insert(id.to_string(), serde_json::from_str(&json).unwrap());
        export(&format!("show-{id}.txt"), &["show", id]);
    }
    let codings = export("codings.json", &["codings", "--format", "json"]);
    export("codings.csv", &["codings", "--format", "csv"]);
    export("codings.txt", &["codings"]);
    let queried = export(
        "query.json",
        &["query", "kb OR coord.objects", "--format", "json"],
    );
    export(
        "query.csv",
        &["query", "kb OR coord.objects", "--format", "csv"],
    );
    export("query.txt", &["query", "kb AND coord.objects"]);
    let q = "Kari OR Päivi OR Järvinen OR maintenance";
    let found = export(
        "search.json",
        &["search", q, "--limit", "0", "--format", "json"],
    );
    export(
        "search.csv",
        &["search", q, "--limit", "0", "--format", "csv"],
    );
    export("search.txt", &["search", q, "--limit", "0"]);
    let speakers = export(
        "search-speaker.json",
        &[
            "search",
            "the OR and",
            "--by",
            "speaker",
            "--format",
            "json",
        ],
    );
    // Listed by pseudonym (the order of the real names would tell something), one row a
    // person, passages without a speaker last.
    let speakers: Vec<String> = serde_json::from_str::<Vec<Value>>(&speakers)
        .unwrap()
        .iter()
        .map(|r| r["speaker"].as_str().unwrap().to_string())
        .collect();
    let mut sorted = speakers[..speakers.len() - 1].to_vec();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, speakers[..speakers.len() - 1], "{speakers:?}");
    assert_eq!(speakers.last().unwrap(), "(none)");
    export(
        "search-attr.csv",
        &[
            "search",
            "the",
            "--by",
            "attr:participants",
            "--format",
            "csv",
        ],
    );
    export("search-from.txt", &["search", "the", "--by", "attr:from"]);
    let kwic = export("kwic.json", &["kwic", "Kari", "--format", "json"]);
    export("kwic.csv", &["kwic", "Päivi", "--format", "csv"]);
    export("kwic.txt", &["kwic", "order", "--sort", "left"]);
    for by in ["attr:participants", "speaker", "doc", "attr:to"] {
        let stem = format!("freq-{}", by.replace(':', "-"));
        for ext in ["csv", "json", "xlsx", "parquet", "txt", "md"] {
            let name = format!("{stem}.{ext}");
            let format = if ext == "txt" { "text" } else { ext };
            export(
                &name,
                &["table", "freq", "--by", by, "--format", format, "-o", "x"],
            );
        }
        export(
            &format!("{stem}-long.parquet"),
            &["table", "freq", "--by", by, "--long", "-o", "x.parquet"],
        );
    }
    for ext in ["csv", "xlsx", "parquet", "json"] {
        export(
            &format!("crosstab.{ext}"),
            &[
                "table",
                "crosstab",
                "--by",
                "attr:participants",
                "--format",
                ext,
                "-o",
                "x",
            ],
        );
    }
    export("matrix.xlsx", &["table", "matrix", "-o", "x.xlsx"]);
    export("timeline.svg", &["chart", "timeline", "-o", "x.svg"]);
    export(
        "heatmap-speaker.svg",
        &["chart", "heatmap", "--by", "speaker", "-o", "x.svg"],
    );
    export(
        "heatmap-participants.svg",
        &[
            "chart",
            "heatmap",
            "--by",
            "attr:participants",
            "-o",
            "x.svg",
        ],
    );

    // A REFI-QDA archive, cases made from the participants (names) too; its original
    // files are left out.
    let qdpx = out.join("demo.qdpx");
    let report = run(&[
        "qdpx",
        "export",
        qdpx.to_str().unwrap(),
        "--cases",
        "participants",
        "--format",
        "json",
        "--pseudonymise",
        key_arg,
        "--first-names",
    ])
    .json();
    assert_eq!(report["originals"], 0, "{report}");
    assert!(report["cases"].as_u64().unwrap() > 5, "{report}");
    files.push(qdpx.clone());
    let archive = readable(&qdpx);
    assert!(archive.contains("project.qde\n<?xml"), "no project.qde");
    assert!(archive.contains("PlainTextSelection"), "no selections");

    // No name of the key, and no first name alone, anywhere in any exported file.
    let mut names: Vec<String> = key.iter().map(|(n, _)| n.clone()).collect();
    names.extend(first_names(&key));
    let mut leaks = Vec::new();
    for f in &files {
        let text = readable(f);
        assert!(!text.trim().is_empty(), "{} is empty", f.display());
        for hit in names_in(&text, &names).into_iter().take(3) {
            leaks.push(format!(
                "{}: {hit}",
                f.file_name().unwrap().to_string_lossy()
            ));
        }
    }
    assert!(leaks.is_empty(), "names in exports:\n{}", leaks.join("\n"));
    // The pseudonyms are there instead, readable in the Parquet and XLSX files too (so
    // nothing there was hidden from the check above by compression).
    for f in [
        "freq-speaker.parquet",
        "freq-attr-to.parquet",
        "freq-speaker.xlsx",
    ] {
        let text = readable(&out.join(f));
        assert!(text.contains(&kari), "{f} lacks {kari}");
    }

    // Every exported position points at the exported text.
    let doc_text = |doc: &str| texts[doc]["text"].as_str().unwrap().to_string();
    for (id, view) in &texts {
        let text = view["text"].as_str().unwrap();
        for p in view["passages"].as_array().unwrap() {
            let (s, e) = (p["start"].as_u64().unwrap(), p["end"].as_u64().unwrap());
            assert_eq!(chars(text, s, e), p["text"].as_str().unwrap(), "{id} {p}");
        }
    }
    let codings: Vec<Value> = serde_json::from_str(&codings).unwrap();
    assert!(codings.len() > 500, "{} codings", codings.len());
    for c in &codings {
        let text = doc_text(c["doc"].as_str().unwrap());
        let (s, e) = (c["start"].as_u64().unwrap(), c["end"].as_u64().unwrap());
        assert_eq!(chars(&text, s, e), c["text"].as_str().unwrap(), "{c}");
    }
    // The coding that started inside `Kari Järvinen` starts at its pseudonym; its memo
    // names nobody.
    let cut = codings
        .iter()
        .find(|c| c["memo"].as_str().is_some_and(|m| m.contains("disagree")))
        .unwrap();
    assert!(
        cut["text"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{kari}, ")),
        "{cut}"
    );
    assert_eq!(
        cut["memo"].as_str().unwrap(),
        format!(
            "{kari} and {} disagree here; {}'s view differs.",
            pseudonym_of(&key, "Sanna Kääriäinen").unwrap(),
            pseudonym_of(&key, "Päivi Mäkelä").unwrap()
        )
    );
    for h in serde_json::from_str::<Vec<Value>>(&queried).unwrap() {
        let text = doc_text(h["doc"].as_str().unwrap());
        let (s, e) = (h["start"].as_u64().unwrap(), h["end"].as_u64().unwrap());
        assert_eq!(chars(&text, s, e), h["text"].as_str().unwrap(), "{h}");
    }
    let found: Vec<Value> = serde_json::from_str(&found).unwrap();
    assert!(found.len() > 50, "{} hits", found.len());
    let mut pseudonyms_highlighted = 0;
    for h in &found {
        let text = doc_text(h["doc"].as_str().unwrap());
        let (s, e) = (h["start"].as_u64().unwrap(), h["end"].as_u64().unwrap());
        let passage = h["text"].as_str().unwrap();
        assert_eq!(chars(&text, s, e), passage, "{h}");
        for hl in h["highlights"].as_array().unwrap() {
            let (a, b) = (hl[0].as_u64().unwrap(), hl[1].as_u64().unwrap());
            let marked = chars(passage, a, b);
            assert!(!marked.is_empty(), "{h}");
            pseudonyms_highlighted += usize::from(key.iter().any(|(_, p)| *p == marked));
        }
    }
    assert!(pseudonyms_highlighted > 10, "{pseudonyms_highlighted}");
    let passages: BTreeMap<String, String> = texts
        .values()
        .flat_map(|v| v["passages"].as_array().unwrap().clone())
        .map(|p| {
            (
                p["id"].as_str().unwrap().to_string(),
                p["text"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let kwic: Vec<Value> = serde_json::from_str(&kwic).unwrap();
    assert!(kwic.len() > 10, "{} lines", kwic.len());
    for l in &kwic {
        let text = &passages[l["passage"].as_str().unwrap()];
        let (s, e) = (l["start"].as_u64().unwrap(), l["end"].as_u64().unwrap());
        assert_eq!(
            flat(&chars(text, s, e)),
            l["match"].as_str().unwrap(),
            "{l}"
        );
        // `Kari` alone and `Kari` of `Kari Järvinen` are the pseudonym, whole.
        assert_eq!(l["match"].as_str().unwrap(), kari, "{l}");
    }

    // Counts do not change; speakers who are one person are one column.
    let values = |args: &[&str]| -> Vec<Value> {
        let v = run(args).json();
        v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["values"].clone())
            .collect()
    };
    assert_eq!(
        values(&["table", "freq", "--format", "json"]),
        values(&[
            "table",
            "freq",
            "--format",
            "json",
            "--pseudonymise",
            key_arg
        ])
    );
    let speakers = |args: &[&str]| {
        let v = run(args).json();
        v["columns"].as_array().unwrap().len()
    };
    let by_speaker = ["table", "freq", "--by", "speaker", "--format", "json"];
    let mut with_key = by_speaker.to_vec();
    with_key.extend(["--pseudonymise", key_arg, "--first-names"]);
    assert!(speakers(&with_key) < speakers(&by_speaker));

    // The archive's positions point at its texts: imported into a new project, every
    // coding has the text the pseudonymised listing gave it.
    let imported = w.path().join("imported");
    std::fs::create_dir_all(&imported).unwrap();
    w.run_in(&imported, &["init", "--name", "imported"]).ok();
    w.run_in(&imported, &["qdpx", "import", qdpx.to_str().unwrap()])
        .ok();
    let back = w.run_in(&imported, &["codings", "--format", "json"]).json();
    let quotes = |v: &[Value]| {
        let mut q: Vec<(String, String)> = v
            .iter()
            .map(|c| (c["code"].to_string(), c["text"].to_string()))
            .collect();
        q.sort();
        q
    };
    assert_eq!(quotes(back.as_array().unwrap()), quotes(&codings));

    // The stored project is unchanged.
    let after: Vec<String> = [
        &["codings", "--format", "json"][..],
        &["docs", "--format", "json"],
        &["show", "D21", "--format", "json"],
        &["memo", "list", "--format", "json"],
    ]
    .iter()
    .map(|a| run(a).ok())
    .collect();
    assert!(before == after, "the project changed");
}

/// A small project with one transcript naming people, for exact checks.
fn small() -> Workdir {
    let w = Workdir::project();
    w.write(
        "interview.txt",
        "Päivi Mäkelä: We met Kari Järvinen at the depot.\n\nKari: PÄIVI's plan works, Päivi.\n",
    );
    w.run(&[
        "add",
        "interview.txt",
        "--title",
        "Interview with Päivi Mäkelä",
    ])
    .ok();
    w.run(&["codebook", "init", "--template", "ambidexterity"])
        .ok();
    w
}

#[test]
fn positions_and_texts_follow_the_pseudonyms() {
    let w = small();
    w.write(
        "key.csv",
        "name,pseudonym\nPäivi Mäkelä,P1\nKari Järvinen,P2\n",
    );
    let shown = w.run(&["show", "D1", "--format", "json"]).json();
    let original = shown["text"].as_str().unwrap().to_string();
    let start = original.find("Kari Järvinen").unwrap();
    let start = original[..start].chars().count();
    // "Kari Järvinen at" and "Järvinen at the" (starting inside the name).
    for (s, e) in [(start, start + 16), (start + 5, start + 20)] {
        w.run(&["code", "D1", "--code", "kb", "--span", &format!("{s}..{e}")])
            .ok();
    }
    let check = |first_names: bool, text: &str, speakers: &[&str], quotes: &[&str]| {
        let mut args = vec!["--pseudonymise", "key.csv"];
        if first_names {
            args.push("--first-names");
        }
        let mut show = vec!["show", "D1", "--format", "json"];
        show.extend(&args);
        let v = w.run(&show).json();
        assert_eq!(v["text"], text);
        let got: Vec<&str> = v["passages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["speaker"].as_str().unwrap())
            .collect();
        assert_eq!(got, speakers);
        assert_eq!(v["title"], "Interview with P1");
        let mut codings = vec!["codings", "--format", "json"];
        codings.extend(&args);
        let c = w.run(&codings).json();
        let got: Vec<&str> = c
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["text"].as_str().unwrap())
            .collect();
        assert_eq!(got, quotes);
    };
    check(
        false,
        "P1: We met P2 at the depot.\n\nKari: PÄIVI's plan works, Päivi.\n",
        &["P1", "Kari"],
        &["P2 at", "P2 at the"],
    );
    check(
        true,
        "P1: We met P2 at the depot.\n\nP2: P1's plan works, P1.\n",
        &["P1", "P2"],
        &["P2 at", "P2 at the"],
    );
    // Without the key, nothing changed.
    let again = w.run(&["show", "D1", "--format", "json"]).json();
    assert_eq!(again["text"].as_str().unwrap(), original);
    let text = w.run(&["show", "D1", "--pseudonymise", "key.csv"]).ok();
    assert!(text.contains("not shown with --pseudonymise"), "{text}");
    assert!(!text.contains("interview.txt"), "{text}");
}

#[test]
fn bad_keys_are_refused_with_their_line_and_nothing_is_written() {
    let w = small();
    let cases = [
        (
            "name,pseudonym\nPäivi Mäkelä,P1\nKari,P2\nPÄIVI  MÄKELÄ,P3\n",
            "line 4 of the pseudonym key: \"PÄIVI  MÄKELÄ\" is already listed on line 2",
        ),
        (
            "name,pseudonym\nPäivi Mäkelä,P1\nKari,\n",
            "line 3 of the pseudonym key: \"Kari\" has no pseudonym",
        ),
        (
            "name,pseudonym\nPäivi Mäkelä,Kari\nKari,P2\n",
            "line 2 of the pseudonym key: pseudonym \"Kari\" contains \"Kari\", a name of the key (line 3)",
        ),
        ("who,alias\nKari,P2\n", "line 1 of the pseudonym key: expected the header"),
    ];
    for (i, (key, expected)) in cases.iter().enumerate() {
        let name = format!("bad{i}.csv");
        w.write(&name, key);
        for args in [
            &["table", "freq", "-o", "out.xlsx"][..],
            &["chart", "timeline", "-o", "out.svg"],
            &["codings", "--format", "csv"],
            &["show", "D1"],
            &["search", "plan"],
            &["kwic", "plan"],
            &["query", "kb"],
        ] {
            let mut full = args.to_vec();
            full.extend(["--pseudonymise", &name]);
            let r = w.run(&full);
            assert!(r.stdout.is_empty(), "{args:?}: {}", r.stdout);
            let err = r.fails();
            assert!(
                err.contains(&format!("{name}: {expected}")),
                "{args:?}: {err}"
            );
            assert!(!w.path().join("out.xlsx").exists());
            assert!(!w.path().join("out.svg").exists());
        }
    }
    let err = w.run(&["codings", "--pseudonymise", "missing.csv"]).fails();
    assert!(err.contains("missing.csv"), "{err}");
    // --first-names means nothing without a key.
    let r = w.run(&["codings", "--first-names"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}

#[test]
fn suggest_lists_speakers_names_and_addresses() {
    let w = Workdir::project();
    w.write(
        "a.txt",
        "Päivi Mäkelä: We met Kari Järvinen at the depot.\n\nInterviewer: And then?\n\nPäivi Mäkelä: Kari called. Write to kari.jarvinen@saimaa.example.\n",
    );
    w.write(
        "b.txt",
        "Kari Järvinen: Päivi Mäkelä was right.\n\nInterviewer: Who agreed?\n\nKari Järvinen: Kari Järvinen <kari.jarvinen@saimaa.example> agreed.\n",
    );
    w.run(&["add", "a.txt", "b.txt"]).ok();
    let v = w.run(&["pseudonyms", "suggest", "--format", "json"]).json();
    let got: Vec<(&str, &str, bool)> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap(),
                c["pseudonym"].as_str().unwrap(),
                c["speaker"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("Kari Järvinen", "P01", true),
            ("Päivi Mäkelä", "P02", true),
            ("Kari", "P01", false),
            ("kari.jarvinen@saimaa.example", "P01", false),
        ]
    );
    let csv = w.run(&["pseudonyms", "suggest", "--format", "csv"]).ok();
    assert!(
        csv.starts_with("name,pseudonym,documents,occurrences,speaker\nKari Järvinen,P01,2,"),
        "{csv}"
    );
    // The suggestion is a key as it stands.
    w.write("key.csv", &csv);
    let text = w.run(&["show", "D2", "--pseudonymise", "key.csv"]).ok();
    assert!(text.contains("P01: P02 was right."), "{text}");
    assert!(text.contains("P01: P01 <P01> agreed."), "{text}");
    let listing = w.run(&["pseudonyms", "suggest"]).ok();
    assert!(listing.contains("Päivi Mäkelä"), "{listing}");
}

/// Stops `ambit serve` when the test ends, however it ends.
struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A GET with the bearer token: the status and the body.
fn get(port: u16, token: &str, path: &str) -> (u16, String) {
    use std::io::Write;
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let status = out
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = out
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_string();
    (status, body)
}

#[test]
fn the_apps_csv_export_is_pseudonymised_when_served_with_a_key() {
    use std::io::BufRead;
    use std::process::{Command, Stdio};
    let w = small();
    w.write(
        "key.csv",
        "name,pseudonym\nPäivi Mäkelä,P1\nKari Järvinen,P2\n",
    );
    w.run(&[
        "code",
        "D1:1",
        "--code",
        "kb",
        "--quote",
        "We met Kari Järvinen",
    ])
    .ok();
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("ambit"))
        .current_dir(w.path())
        .args([
            "serve",
            "--no-open",
            "--pseudonymise",
            "key.csv",
            "--first-names",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let _server = Server(child);
    let mut line = String::new();
    std::io::BufReader::new(stdout)
        .read_line(&mut line)
        .unwrap();
    let url = line.trim().split_once("http://127.0.0.1:").unwrap().1;
    let (port, token) = url.split_once("/?token=").unwrap();
    let port: u16 = port.parse().unwrap();

    let (status, csv) = get(port, token, "/codes/kb?format=csv");
    assert_eq!(status, 200, "{csv}");
    assert!(csv.contains("We met P2"), "{csv}");
    let names = [
        "Päivi Mäkelä".to_string(),
        "Kari".to_string(),
        "Päivi".to_string(),
    ];
    assert!(names_in(&csv, &names).is_empty(), "{csv}");
    // The page itself shows the project as it is, and says what the export does.
    let (status, page) = get(port, token, "/codes/kb");
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Export CSV (pseudonymised)"), "{page}");
    assert!(page.contains("Kari Järvinen"), "{page}");
    // A refused key stops the server before it starts.
    w.write("bad.csv", "name,pseudonym\nKari,\n");
    let err = w
        .run(&["serve", "--no-open", "--pseudonymise", "bad.csv"])
        .fails();
    assert!(
        err.contains("bad.csv: line 2 of the pseudonym key"),
        "{err}"
    );
}
