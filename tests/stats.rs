//! `ambit stats`: the three coefficients read researchers' files by one rule and say how they read them.

use crate::util::{repo, Workdir};

/// Fleiss (1971), 30 subjects × 6 raters, as `subject,rater1,…,rater6`.
fn fleiss_1971() -> String {
    std::fs::read_to_string(repo().join("crates/reliability/tests/data/fleiss1971.csv"))
        .expect("Fleiss 1971 fixture")
}

/// Krippendorff (2011) section C in his layout: a row per coder.
const KRIPPENDORFF_CODERS_IN_ROWS: &str = "coder,1,2,3,4,5,6,7,8,9,10,11,12
A,1,2,3,3,2,1,4,1,2,,,
B,1,2,3,3,2,2,4,1,2,5,,3
C,,3,3,3,2,3,4,2,2,5,1,
D,1,2,3,3,2,4,4,1,2,5,1,
";

/// Two raters on six items with an id column: Po = 4/6, Pe = 1/2, κ = 1/3.
const ITEM_RATERS: &str =
    "item,rater1,rater2\n1,yes,yes\n2,yes,no\n3,no,no\n4,no,no\n5,yes,yes\n6,no,yes\n";

#[test]
fn fleiss_takes_a_subject_column_as_ids() {
    let w = Workdir::new();
    w.write("fleiss.csv", &fleiss_1971());
    let r = w.run(&["stats", "fleiss", "fleiss.csv"]);
    assert!(
        r.stderr.contains(
            "reading fleiss.csv as 30 subjects × 6 raters (subjects in rows), first column `subject` taken as ids"
        ),
        "{}",
        r.stderr
    );
    let out = r.ok();
    // Was 0.286 with 7 raters and 30 categories.
    assert!(out.contains("Fleiss' kappa: 0.430"), "{out}");
    assert!(
        out.contains("subjects: 30, raters per subject: 6, categories: 5"),
        "{out}"
    );

    let r = w.run(&["stats", "fleiss", "fleiss.csv", "--format", "json"]);
    assert!(!r.stderr.contains("reading"), "{}", r.stderr);
    let v = r.json();
    assert_eq!(format!("{:.7}", v["kappa"].as_f64().unwrap()), "0.4302445");
    assert_eq!(v["reading"]["id_column"]["header"], "subject");
    assert_eq!(v["reading"]["units_in"], "rows");
    assert_eq!(v["reading"]["units"], 30);
    assert_eq!(v["reading"]["coders"], 6);
    assert!(v["reading"]["id_column_detected"].is_string(), "{v}");
}

#[test]
fn fleiss_count_table_with_a_subject_column() {
    let w = Workdir::new();
    let mut csv = String::from("subject,depression,personality,schizophrenia,neurosis,other\n");
    for line in fleiss_1971().lines().skip(1) {
        let mut cells = line.split(',');
        let subject = cells.next().unwrap();
        let ratings: Vec<&str> = cells.collect();
        let counts: Vec<String> = ["1", "2", "3", "4", "5"]
            .iter()
            .map(|c| ratings.iter().filter(|r| *r == c).count().to_string())
            .collect();
        csv.push_str(&format!("{subject},{}\n", counts.join(",")));
    }
    w.write("counts.csv", &csv);
    let r = w.run(&["stats", "fleiss", "counts.csv", "--counts"]);
    assert!(r.stderr.contains("30 subjects × 6 raters"), "{}", r.stderr);
    assert!(r.ok().contains("Fleiss' kappa: 0.430"));
}

#[test]
fn kappa_takes_an_item_column_as_ids() {
    let w = Workdir::new();
    w.write("k.csv", ITEM_RATERS);
    let r = w.run(&["stats", "kappa", "k.csv"]);
    assert!(
        r.stderr
            .contains("6 units × 2 coders (units in rows), first column `item` taken as ids"),
        "{}",
        r.stderr
    );
    let out = r.ok();
    // Was "Cohen's kappa needs exactly 2 coders, found 3".
    assert!(
        out.contains("Cohen's kappa (unweighted), rater1 vs rater2: 0.333"),
        "{out}"
    );
    let v = w
        .run(&["stats", "kappa", "k.csv", "--format", "json"])
        .json();
    assert_eq!(v["coders"], serde_json::json!(["rater1", "rater2"]));
    assert_eq!(v["reading"]["id_column"]["index"], 0);

    // `--id-column` was a switch; both of its old placements still work.
    for args in [
        ["stats", "kappa", "--id-column", "k.csv"],
        ["stats", "kappa", "k.csv", "--id-column"],
    ] {
        let out = w.run(&args).ok();
        assert!(out.contains("0.333"), "{args:?}: {out}");
    }
    let out = w
        .run(&["stats", "kappa", "--id-column", "ITEM", "k.csv"])
        .ok();
    assert!(out.contains("0.333"), "{out}");
    let err = w
        .run(&["stats", "kappa", "--id-column", "unit", "k.csv"])
        .fails();
    assert!(
        err.contains("no column is named \"unit\"; the header has `item`, `rater1`, `rater2`"),
        "{err}"
    );
}

#[test]
fn alpha_detects_coders_in_rows() {
    let w = Workdir::new();
    w.write("k.csv", KRIPPENDORFF_CODERS_IN_ROWS);
    let r = w.run(&["stats", "alpha", "k.csv"]);
    assert!(
        r.stderr
            .contains("12 units × 4 coders (coders in rows), first column `coder` taken as names"),
        "{}",
        r.stderr
    );
    // Was about -0.05 with the file read as 4 units × 12 coders.
    let out = r.ok();
    assert!(
        out.contains("Krippendorff's alpha (nominal): 0.743"),
        "{out}"
    );
    assert!(out.contains("4 coders"), "{out}");
    let v = w
        .run(&[
            "stats", "alpha", "k.csv", "--level", "interval", "--format", "json",
        ])
        .json();
    assert_eq!(format!("{:.3}", v["alpha"].as_f64().unwrap()), "0.849");
    assert_eq!(v["reading"]["units_in"], "columns");
    // The old explicit flag still reads the same.
    let out = w
        .run(&["stats", "alpha", "k.csv", "--units-in", "columns"])
        .ok();
    assert!(out.contains("0.743"), "{out}");
}

#[test]
fn an_unclear_layout_is_refused_with_the_flags_to_pass() {
    let w = Workdir::new();
    // Coder names down the side, unit names across: nothing says which is which.
    w.write(
        "u.csv",
        "who,greeting,closing,intro\nanna,a,b,a\nerik,a,a,b\n",
    );
    for cmd in ["alpha", "kappa", "fleiss"] {
        let err = w.run(&["stats", cmd, "u.csv"]).fails();
        assert!(
            err.contains("reading u.csv: cannot tell whether coders are in rows or in columns"),
            "{cmd}: {err}"
        );
        assert!(
            err.contains(
                "pass --units-in rows (one row per unit, a column per coder) or --units-in columns"
            ),
            "{cmd}: {err}"
        );
        let r = w.run(&["stats", cmd, "u.csv", "--units-in", "columns"]);
        assert!(
            r.stderr
                .contains("in rows), first column `who` taken as names"),
            "{cmd}: {}",
            r.stderr
        );
        r.ok();
    }
    // A first column of distinct small numbers could be ids or a coder's ratings.
    w.write("n.csv", "ann,bob\n1,2\n2,2\n3,3\n");
    let err = w.run(&["stats", "kappa", "n.csv"]).fails();
    assert!(
        err.contains("cannot tell whether the first column `ann` holds ids or ratings")
            && err.contains(
                "pass --id-column ann if it holds ids, or --no-id-column if it holds ratings"
            ),
        "{err}"
    );
    let r = w.run(&["stats", "kappa", "n.csv", "--no-id-column"]);
    assert!(r.stderr.contains("no id column"), "{}", r.stderr);
    assert!(r.ok().contains("ann vs bob"));
}

#[test]
fn interval_alpha_names_the_labels_that_are_not_numbers() {
    let w = Workdir::new();
    w.write(
        "l.csv",
        "unit,ann,bob\nu1,3,mid\nu2,high,3\nu3,4,low\nu4,low,4\n",
    );
    let err = w
        .run(&["stats", "alpha", "l.csv", "--level", "interval"])
        .fails();
    // Was: non-numeric labels such as "3".
    assert!(
        err.contains(
            "interval alpha needs numeric values, but \"mid\", \"high\", \"low\" are not numbers \
             (the first, \"mid\", for unit u1 by coder bob)"
        ),
        "{err}"
    );
}

#[test]
fn help_documents_the_reading_rule() {
    let w = Workdir::new();
    for cmd in ["alpha", "kappa", "fleiss"] {
        let out = w.run(&["stats", cmd, "--help"]).ok();
        for needle in [
            "Reading the file:",
            "subject, unit, item, id, case",
            "--units-in",
            "--id-column",
            "--no-id-column",
        ] {
            assert!(out.contains(needle), "{cmd} --help lacks {needle}:\n{out}");
        }
    }
}
