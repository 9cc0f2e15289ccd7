//! `ambit table` and `ambit chart` on a small hand-counted project: every grouping, the
//! measures, parents without double counting, zero and unphased columns, provenance
//! (each cell equals the filtered `ambit codings --count`), byte-identical reruns, the demo,
//! and the demo's tables and charts byte for byte against `tests/golden/tables/`.

use serde_json::Value;

use crate::util::{repo, Workdir};

const CODEBOOK: &str = r##"
[codebook]
name = "Test"

[[code]]
id = "kb"
name = "Knowledge boundaries"
color = "#0072b2"

[[code]]
id = "kb.semantic"
name = "Semantic"
  [[code.rule]]
  id = "kb.semantic.order"
  keywords = ["order"]

[[code]]
id = "coord"
name = "Coordination"
color = "#d55e00"

[[code]]
id = "coord.objects"
name = "Objects"
  [[code.rule]]
  id = "coord.objects.map"
  keywords = ["map*"]
"##;

/// D1 baseline interview (org=Customer), D2 I1 workshop (org=Kaleva), D3 undated note
/// (unphased, no org). Rules code "order" and "map*"; anna adds a manual kb.semantic on
/// D2:2, a passage the rule coded too.
fn project() -> Workdir {
    let w = Workdir::project();
    w.write("codebook.toml", CODEBOOK);
    w.write(
        "int.txt",
        "I: How do you order repairs?\n\nR: By phone, always by phone; the map is on the wall.\n",
    );
    w.write(
        "ws.txt",
        "[00:00:01] Päivi Mäkelä: What is an order for you?\n\n[00:00:05] Kari Järvinen: For us an order is a purchase order.\n\n[00:00:09] Åsa Ström: Let us draw the map together.\n\n[00:00:12] Jussi Häkkinen: The maps help.\n",
    );
    w.write("note.txt", "An order and a map.\n");
    let add = |args: &[&str]| w.run(args).ok();
    add(&[
        "add",
        "int.txt",
        "--kind",
        "interview",
        "--date",
        "2013-02-01",
        "--attr",
        "org=Customer",
    ]);
    add(&[
        "add",
        "ws.txt",
        "--kind",
        "workshop",
        "--date",
        "2013-03-20",
        "--attr",
        "org=Kaleva",
    ]);
    add(&["add", "note.txt", "--kind", "other"]);
    w.run(&["autocode"]).ok();
    w.run(&[
        "code",
        "D2:2",
        "--code",
        "kb.semantic",
        "--quote",
        "purchase order",
        "--coder",
        "anna",
    ])
    .ok();
    w
}

/// The table as `code: v v v` lines under a header of column ids.
fn render(t: &Value) -> String {
    let cols: Vec<&str> = t["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    let mut s = cols.join(" ") + "\n";
    for r in t["rows"].as_array().unwrap() {
        let vals: Vec<String> = r["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.to_string())
            .collect();
        s += &format!("{}: {}\n", r["code"].as_str().unwrap(), vals.join(" "));
    }
    s
}

fn check(w: &Workdir, args: &[&str], expected: &str) {
    let mut all = vec!["table"];
    all.extend_from_slice(args);
    all.extend(["--format", "json"]);
    let got = render(&w.run(&all).json());
    assert_eq!(got.trim(), expected.trim(), "ambit {}", all.join(" "));
}

#[test]
fn freq_by_phase_keeps_every_phase_and_never_double_counts() {
    let w = project();
    check(
        &w,
        &["freq"],
        "baseline I1 between I2 I3 followup unphased
kb: 1 2 0 0 0 0 1
kb.semantic: 1 2 0 0 0 0 1
coord: 1 2 0 0 0 0 1
coord.objects: 1 2 0 0 0 0 1",
    );
    // Three codings on the two I1 passages (the manual one overlaps a rule coding).
    check(
        &w,
        &["freq", "--measure", "codings", "--depth", "1"],
        "baseline I1 between I2 I3 followup unphased
kb: 1 3 0 0 0 0 1
coord: 1 2 0 0 0 0 1",
    );
    check(
        &w,
        &[
            "freq",
            "--measure",
            "documents",
            "--codes",
            "kb*",
            "--totals",
        ],
        "baseline I1 between I2 I3 followup unphased total
kb: 1 1 0 0 0 0 1 3
kb.semantic: 1 1 0 0 0 0 1 3
total: 1 1 0 0 0 0 1 3",
    );
    check(
        &w,
        &["freq", "--coder", "anna"],
        "baseline I1 between I2 I3 followup unphased
kb: 0 1 0 0 0 0 0
kb.semantic: 0 1 0 0 0 0 0
coord: 0 0 0 0 0 0 0
coord.objects: 0 0 0 0 0 0 0",
    );
    // D1 has 2 passages, D2 4, D3 1: shares of the column's passages, in per cent.
    check(
        &w,
        &["freq", "--measure", "share", "--depth", "1"],
        "baseline I1 between I2 I3 followup unphased
kb: 50.0 50.0 0.0 0.0 0.0 0.0 100.0
coord: 50.0 50.0 0.0 0.0 0.0 0.0 100.0",
    );
}

#[test]
fn other_groupings_matrix_and_crosstab() {
    let w = project();
    check(
        &w,
        &["freq", "--by", "kind", "--depth", "1"],
        "interview other workshop\nkb: 1 1 2\ncoord: 1 1 2",
    );
    check(
        &w,
        &["matrix", "--depth", "1"],
        "D1 D2 D3\nkb: 1 2 1\ncoord: 1 2 1",
    );
    check(
        &w,
        &["crosstab", "--by", "attr:org", "--depth", "1"],
        "Customer Kaleva (none)\nkb: 1 2 1\ncoord: 1 2 1",
    );
    check(
        &w,
        &["freq", "--by", "month", "--depth", "1"],
        "2013-02 2013-03 undated\nkb: 1 2 1\ncoord: 1 2 1",
    );
    check(
        &w,
        &["freq", "--by", "speaker", "--codes", "kb"],
        "I Jussi Häkkinen Kari Järvinen Päivi Mäkelä R Åsa Ström (no speaker)\nkb: 1 0 1 1 0 0 1",
    );
    let err = w.run(&["table", "crosstab", "--by", "attr:role"]).fails();
    assert!(err.contains("role") && err.contains("org"), "{err}");
    let err = w.run(&["table", "freq", "--codes", "nothing*"]).fails();
    assert!(err.contains("nothing*"), "{err}");
}

#[test]
fn cooccurrence_is_symmetric() {
    let w = project();
    // D3:1 "An order and a map." carries both codes; nothing else does.
    check(
        &w,
        &["cooccur"],
        "kb kb.semantic coord coord.objects
kb: 4 4 1 1
kb.semantic: 4 4 1 1
coord: 1 1 4 4
coord.objects: 1 1 4 4",
    );
    check(
        &w,
        &["cooccur", "--phase", "I1", "--depth", "1"],
        "kb coord\nkb: 2 0\ncoord: 0 2",
    );
    let per_phase = w
        .run(&["table", "cooccur", "--by", "phase", "--format", "json"])
        .json();
    assert_eq!(
        per_phase.as_array().unwrap().len(),
        7,
        "6 phases and unphased"
    );
    let long = w
        .run(&[
            "table", "cooccur", "--by", "phase", "--format", "csv", "--long",
        ])
        .ok();
    assert!(
        long.starts_with("phase,code,name,depth,with,passages\n"),
        "{long}"
    );
    assert!(
        long.contains("unphased,kb,Knowledge boundaries,0,coord,1\n"),
        "{long}"
    );
    // Long XLSX: a sheet per phase, a row per cell.
    w.run(&[
        "table", "cooccur", "--by", "phase", "--long", "-o", "co.xlsx",
    ])
    .ok();
    let bytes = std::fs::read(w.path().join("co.xlsx")).unwrap();
    assert_eq!(&bytes[..2], b"PK");
    // A heatmap of one phase's co-occurrence; the phase is named in the chart.
    w.run(&[
        "chart", "heatmap", "--table", "cooccur", "--phase", "I1", "-o", "co.svg",
    ])
    .ok();
    let svg = std::fs::read_to_string(w.path().join("co.svg")).unwrap();
    assert!(svg.contains("phase I1"), "{svg}");
    let err = w
        .run(&["chart", "heatmap", "--phase", "I1", "-o", "h.svg"])
        .fails();
    assert!(err.contains("--table cooccur"), "{err}");
    let err = w
        .run(&[
            "chart", "heatmap", "--table", "cooccur", "--phase", "I9", "-o", "h.svg",
        ])
        .fails();
    assert!(err.contains("I9"), "{err}");
}

/// The filter of `ambit codings` that selects one column of a grouping.
fn filter_for(by: &str, column: &str) -> Vec<String> {
    match by.strip_prefix("attr:") {
        Some(name) => vec!["--attr".into(), format!("{name}={column}")],
        None => vec![format!("--{by}"), column.to_string()],
    }
}

#[test]
fn every_cell_equals_the_filtered_codings_count() {
    let w = project();
    let cases: &[(&str, &[&str])] = &[
        ("phase", &["codings", "passages", "documents", "words"]),
        ("kind", &["passages"]),
        ("doc", &["passages", "words"]),
        ("speaker", &["passages", "codings"]),
        ("month", &["passages"]),
        ("attr:org", &["documents"]),
    ];
    let mut checked = 0;
    for (by, measures) in cases {
        for m in *measures {
            let t = w
                .run(&[
                    "table",
                    "freq",
                    "--by",
                    by,
                    "--measure",
                    m,
                    "--format",
                    "json",
                ])
                .json();
            let cols: Vec<String> = t["columns"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_str().unwrap().to_string())
                .collect();
            for row in t["rows"].as_array().unwrap() {
                let code = row["code"].as_str().unwrap();
                if *by != "phase" && code.contains('.') {
                    continue;
                }
                for (col, v) in cols.iter().zip(row["values"].as_array().unwrap()) {
                    let mut args: Vec<String> =
                        vec!["codings".into(), "--code".into(), code.into()];
                    args.extend(filter_for(by, col));
                    args.extend(["--count".into(), "--measure".into(), m.to_string()]);
                    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
                    let listed = w.run(&refs).ok();
                    assert_eq!(listed.trim(), v.to_string(), "ambit {}", refs.join(" "));
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 100, "{checked} cells");
    // The plain listing agrees with the codings measure too.
    let n = w
        .run(&["codings", "--code", "kb", "--phase", "I1", "--count"])
        .ok();
    assert_eq!(n.trim(), "3");
}

#[test]
fn outputs_are_byte_identical_on_rerun() {
    let w = project();
    for file in ["t.xlsx", "t.parquet", "t.csv", "t.md", "t.json"] {
        w.run(&["table", "freq", "--totals", "-o", file]).ok();
        let first = std::fs::read(w.path().join(file)).unwrap();
        w.run(&["table", "freq", "--totals", "-o", file]).ok();
        assert_eq!(first, std::fs::read(w.path().join(file)).unwrap(), "{file}");
        assert!(!first.is_empty());
    }
    for (chart, file) in [
        ("timeline", "c.svg"),
        ("timeline", "c.png"),
        ("heatmap", "h.png"),
    ] {
        w.run(&["chart", chart, "-o", file]).ok();
        let first = std::fs::read(w.path().join(file)).unwrap();
        w.run(&["chart", chart, "-o", file]).ok();
        assert_eq!(first, std::fs::read(w.path().join(file)).unwrap(), "{file}");
    }
    let svg = std::fs::read_to_string(w.path().join("c.svg")).unwrap();
    assert!(
        svg.contains("#0072B2") || svg.contains("#0072b2"),
        "codebook colour"
    );
    assert!(svg.contains("baseline") && svg.contains("followup"));
    let md = std::fs::read_to_string(w.path().join("t.md")).unwrap();
    assert!(
        md.contains("| `kb.semantic` | &emsp;Semantic | 1 | 2 | 0 | 0 | 0 | 0 | 1 | 4 |"),
        "{md}"
    );
    let err = w.run(&["chart", "timeline", "-o", "c.gif"]).fails();
    assert!(err.contains(".svg"), "{err}");
    let text = w.run(&["table", "freq"]).ok();
    assert!(text.contains("  kb.semantic"), "hierarchy indented: {text}");
    assert!(text.contains("ambit codings --code CODE --phase ID --count --measure passages"));
}

#[test]
fn demo_writes_the_paper_outputs() {
    let w = Workdir::new();
    let samples = repo().join("data-samples");
    let out = w
        .run(&["demo", "d", "--samples", samples.to_str().unwrap()])
        .ok();
    assert!(out.contains("Coded passages per code and phase"), "{out}");
    for f in [
        "tables/code-by-phase.csv",
        "tables/code-by-phase.xlsx",
        "tables/code-by-phase.md",
        "charts/timeline.svg",
        "charts/timeline.png",
    ] {
        assert!(w.path().join("d").join(f).is_file(), "{f} missing");
    }
    let csv = std::fs::read_to_string(w.path().join("d/tables/code-by-phase.csv")).unwrap();
    let table = w
        .run_in(&w.path().join("d"), &["table", "freq", "--format", "csv"])
        .ok();
    assert_eq!(csv, table, "the demo's file is the table command's output");
}

#[test]
fn demo_tables_and_charts_match_the_goldens_byte_for_byte() {
    let w = Workdir::new();
    let samples = repo().join("data-samples");
    w.run(&["demo", "demo", "--samples", samples.to_str().unwrap()])
        .ok();
    let demo = w.path().join("demo");
    let golden = repo().join("tests/golden/tables");
    let commands: Value =
        serde_json::from_str(&std::fs::read_to_string(golden.join("commands.json")).unwrap())
            .unwrap();
    let mut failures = Vec::new();
    for c in commands.as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let out = w.path().join(name);
        let args: Vec<&str> = c["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| match a.as_str().unwrap() {
                "OUT" => out.to_str().unwrap(),
                a => a,
            })
            .collect();
        let run = w.run_in(&demo, &args);
        if run.code != 0 {
            failures.push(format!("{name}: exit {}: {}", run.code, run.stderr));
            continue;
        }
        let got = if args.contains(&out.to_str().unwrap()) {
            std::fs::read(&out).unwrap()
        } else {
            run.stdout.into_bytes()
        };
        let want = std::fs::read(golden.join(name)).unwrap();
        if got != want {
            failures.push(format!("{name}: {}", first_difference(&want, &got)));
        }
    }
    assert!(
        failures.is_empty(),
        "outputs differ from tests/golden/tables (rerun its make.sh only for a deliberate \
         change):\n{}",
        failures.join("\n")
    );
}

/// The first line (of a text file) or byte where `got` differs from `want`.
fn first_difference(want: &[u8], got: &[u8]) -> String {
    if let (Ok(want), Ok(got)) = (std::str::from_utf8(want), std::str::from_utf8(got)) {
        let mut lines = want.lines().zip(got.lines()).enumerate();
        if let Some((i, (w, g))) = lines.find(|(_, (w, g))| w != g) {
            return format!("line {}: {g:?}, expected {w:?}", i + 1);
        }
    }
    match want.iter().zip(got).position(|(w, g)| w != g) {
        Some(at) => format!("byte {at} differs"),
        None => format!("{} bytes, expected {}", got.len(), want.len()),
    }
}
