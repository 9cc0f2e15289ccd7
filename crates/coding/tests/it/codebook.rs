//! Codebook parsing, validation diagnostics, TOML round trip and in-memory edits.

use ambit_coding::{Codebook, Error, UnknownCode};
use ambit_core::{Date, DocKind, Phase, Timeline};

const BASE: &str = r##"
[codebook]
name = "Demo"
description = "A demo codebook"

[[code]]
id = "kb"
name = "Knowledge boundaries"
description = "Carlile 2004"
color = "#4477AA"

[[code]]
id = "kb.semantic"
name = "Semantic boundary"
include = "Same word, different meaning"
exclude = "Format problems"
examples = ["what do you mean by order?"]
  [[code.rule]]
  id = "kb.semantic.terms"
  keywords = ["meaning*"]
  phrases = ["what do you mean by"]
  [[code.rule]]
  regex = ['(?i)\bmeans? something else\b']

[[code]]
id = "kb.syntactic"
name = "Syntactic boundary"
  [[code.rule]]
  keywords = ["xml", "excel"]
  within = "kb"

[[code]]
id = "su"
name = "Shared understanding"
color = "#228833"
  [[code.rule]]
  phrases = ["now I see"]
  near = [{ terms = ["agree*", "order"], within = 5 }]
"##;

/// Diagnostics of `src`, one per line, compared with `expected`.
fn check_errors(src: &str, expected: &str) {
    let got: Vec<String> = Codebook::check(src)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(got.join("\n"), expected.trim(), "\nsource:\n{src}");
    assert!(matches!(Codebook::parse(src), Err(Error::Codebook(d)) if d.len() == got.len()));
}

/// Codebook with BASE's header and the given code tables.
fn with_codes(codes: &str) -> String {
    format!("[codebook]\nname = \"T\"\n\n{codes}")
}

#[test]
fn base_parses_with_hierarchy_in_file_order() {
    let cb = Codebook::parse(BASE).unwrap();
    assert!(Codebook::check(BASE).is_empty());
    let got: Vec<String> = cb
        .codes()
        .iter()
        .map(|c| {
            format!(
                "{} depth={} parent={} children=[{}] rules=[{}]",
                c.id,
                c.depth,
                c.parent.as_deref().unwrap_or("-"),
                c.children.join(","),
                c.rules
                    .iter()
                    .map(|r| r.id.as_str())
                    .collect::<Vec<_>>()
                    .join(",")
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            "kb depth=0 parent=- children=[kb.semantic,kb.syntactic] rules=[]",
            "kb.semantic depth=1 parent=kb children=[] rules=[kb.semantic.terms,kb.semantic.2]",
            "kb.syntactic depth=1 parent=kb children=[] rules=[kb.syntactic.1]",
            "su depth=0 parent=- children=[] rules=[su.1]",
        ]
    );
    let desc: Vec<&str> = cb.descendants("kb").iter().map(|c| c.id.as_str()).collect();
    assert_eq!(desc, ["kb.semantic", "kb.syntactic"]);
    assert!(cb.descendants("su").is_empty());
    assert!(cb.descendants("nope").is_empty());
    assert_eq!(
        cb.with_ancestors(&["kb.semantic", "x"]),
        ["kb", "kb.semantic", "x"]
    );
    assert_eq!(cb.name(), "Demo");
}

#[test]
fn explicit_parent_and_deep_nesting() {
    let src = with_codes(
        r##"
[[code]]
id = "c.a.b"
name = "deep"
[[code]]
id = "c"
name = "top"
[[code]]
id = "c.a"
name = "mid"
[[code]]
id = "loose"
name = "explicit child"
parent = "c.a.b"
"##,
    );
    let cb = Codebook::parse(&src).unwrap();
    let got: Vec<(String, usize)> = cb.codes().iter().map(|c| (c.id.clone(), c.depth)).collect();
    let want = [("c.a.b", 2), ("c", 0), ("c.a", 1), ("loose", 3)];
    assert_eq!(got, want.map(|(a, b)| (a.to_owned(), b)));
    let desc: Vec<&str> = cb.descendants("c").iter().map(|c| c.id.as_str()).collect();
    assert_eq!(desc, ["c.a.b", "c.a", "loose"]);
}

#[test]
fn error_toml_syntax() {
    check_errors(
        "[codebook\nname = 1",
        "line 1: unclosed table, expected `]`",
    );
}

#[test]
fn error_unknown_keys_everywhere_with_lines() {
    let src = with_codes(
        r##"
[[code]]
id = "a"
name = "A"
colour = "#fff"
  [[code.rule]]
  keyword = ["x"]
  phrases = ["y"]
  near = [{ terms = ["a"], within = 1, distance = 2 }]
[extra]
"##,
    );
    check_errors(
        &src,
        r##"
line 8: code `a`: unknown key `colour` in [[code]] (did you mean `color`?)
line 10: code `a`, rule `a.1`: unknown key `keyword` in [[code.rule]] (did you mean `keywords`?)
line 12: code `a`, rule `a.1`: unknown key `distance` in a `near` entry (expected one of: terms, within)
line 13: unknown key `extra` in the top level (expected one of: codebook, code)
"##,
    );
}

#[test]
fn error_wrong_type_and_missing_name() {
    let src = with_codes(
        r##"
[[code]]
id = "a"
name = 5

[[code]]
id = "b"
"##,
    );
    let diags = Codebook::check(&src);
    let got: Vec<String> = diags.iter().map(ToString::to_string).collect();
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(
        got[0].starts_with("line 7: code `a`: invalid type: integer `5`, expected a string"),
        "{got:?}"
    );
    assert!(
        got[1].starts_with("line 9: code `b`: missing field `name`"),
        "{got:?}"
    );
}

#[test]
fn error_unknown_parent_duplicate_code_empty_id() {
    check_errors(
        &with_codes(
            r##"
[[code]]
id = "kb.semantic"
name = "S"
[[code]]
id = "su"
name = "U"
[[code]]
id = "su"
name = "U again"
[[code]]
id = ""
name = "nothing"
[[code]]
id = "x"
name = "X"
parent = "su2"
"##,
        ),
        r##"
line 5: code `kb.semantic`: unknown parent `kb`; define a code with id `kb` or set `parent`
line 11: code `su`: duplicate code id (first defined on line 8)
line 14: code id is empty
line 17: code `x`: unknown parent `su2` (did you mean `su`?); define a code with id `su2` or set `parent`
"##,
    );
}

#[test]
fn error_bad_ids() {
    check_errors(
        &with_codes(
            r##"
[[code]]
id = "kb semantic"
name = "S"
[[code]]
id = "AND"
name = "op"
[[code]]
id = "a..b"
name = "dots"
"##,
        ),
        r##"
line 5: code `kb semantic`: code id `kb semantic` contains ` `; use letters, digits, `_`, `-` and `.` only
line 8: code `AND`: code id `AND` is a query operator; choose another id
line 11: code `a..b`: code id `a..b` has an empty part between dots
"##,
    );
}

#[test]
fn error_parent_cycle() {
    check_errors(
        &with_codes(
            r##"
[[code]]
id = "a"
name = "A"
parent = "b"
[[code]]
id = "b"
name = "B"
parent = "c"
[[code]]
id = "c"
name = "C"
parent = "a"
[[code]]
id = "self"
name = "S"
parent = "self"
"##,
        ),
        r##"
line 5: code `a`: parent cycle: a → b → c → a
line 17: code `self`: code is its own parent
"##,
    );
}

#[test]
fn error_rules() {
    let src = with_codes(
        r##"
[[code]]
id = "a"
name = "A"
color = "blue"
  [[code.rule]]
  id = "r"
  speaker = ["Päivi Mäkelä"]
  [[code.rule]]
  id = "r"
  keywords = ["or*der", "*", "  "]
  within = "kb"
  [[code.rule]]
  keywords = ["ok"]
  all = ["!!"]
  exclude_keywords = ["fine"]
  near = [{ terms = [], within = 2 }]
"##,
    );
    check_errors(
        &src,
        r##"
line 5: code `a`: bad colour `blue`: write `#RRGGBB` or `#RGB` in hexadecimal, e.g. `#4477AA`
line 9: code `a`, rule `r`: rule has no match part: give it `keywords`, `phrases`, `regex` or `near`
line 12: code `a`, rule `r`: duplicate rule id (first defined on line 9)
line 12: code `a`, rule `r`: in `keywords`: `or*der`: `*` is only allowed at the start or the end of a term
line 12: code `a`, rule `r`: in `keywords`: `*` has no letters or digits to match
line 12: code `a`, rule `r`: in `keywords`: `  ` has no letters or digits to match
line 12: code `a`, rule `r`: `within` names unknown code `kb`
line 16: code `a`, rule `a.3`: in `all`: `!!` has no letters or digits to match
line 16: code `a`, rule `a.3`: a `near` entry has no terms
"##,
    );
}

#[test]
fn error_unknown_rule_kind_with_line_and_hint() {
    // `worshop` used to pass the check and make the rule silently never match.
    let src = with_codes(
        r##"
[[code]]
id = "a"
name = "A"
  [[code.rule]]
  keywords = ["x"]
  kind = ["worshop"]
  [[code.rule]]
  id = "a.multi"
  keywords = ["y"]
  kind = [
    "Interview",
    " survey ",
    "memo",
  ]
"##,
    );
    check_errors(
        &src,
        r##"
line 10: code `a`, rule `a.1`: unknown document kind `worshop` in `kind` (did you mean `workshop`?); the kinds are interview, workshop, observation, archival, survey, other
line 17: code `a`, rule `a.multi`: unknown document kind `memo` in `kind`; the kinds are interview, workshop, observation, archival, survey, other
"##,
    );
}

#[test]
fn rule_kinds_are_typed() {
    let src = with_codes(
        r##"
[[code]]
id = "a"
name = "A"
  [[code.rule]]
  keywords = ["x"]
  kind = ["Workshop", " survey "]
"##,
    );
    let cb = Codebook::parse(&src).unwrap();
    assert_eq!(
        cb.codes()[0].rules[0].kind,
        [DocKind::Workshop, DocKind::Survey]
    );
    let v: serde_json::Value = serde_json::to_value(&cb).unwrap();
    assert_eq!(v["codes"][0]["rules"][0]["kind"][0], "workshop");
    assert!(cb
        .to_toml()
        .unwrap()
        .contains(r#"kind = ["workshop", "survey"]"#));
}

/// Diagnostics of checking the rule phases of `src` against a timeline with `phases` (ids,
/// one month each), one per line, compared with `expected`.
fn check_phases(src: &str, phases: &[&str], expected: &str) {
    let phases: Vec<Phase> = phases
        .iter()
        .zip(1u8..)
        .map(|(id, month)| {
            let start = Date::from_ymd(2013, month, 1).unwrap();
            let end = Date::from_ymd(2013, month, 28).unwrap();
            Phase::new(id, id, start, end)
        })
        .collect();
    let timeline = Timeline::new(phases).unwrap();
    let cb = Codebook::parse(src).unwrap();
    let got: Vec<String> = cb
        .check_phases(&timeline)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(got.join("\n"), expected.trim(), "\nsource:\n{src}");
}

const PHASED: &str = r##"
[codebook]
name = "T"

[[code]]
id = "a"
name = "A"
  [[code.rule]]
  keywords = ["x"]
  phase = ["I1", "i2", "unphased"]
  [[code.rule]]
  keywords = ["y"]
  phase = [
    "I1",
    "I3",
    "baseline",
  ]
[[code]]
id = "b"
name = "B"
  [[code.rule]]
  keywords = ["z"]
"##;

#[test]
fn rule_phases_checked_against_the_timeline() {
    check_phases(PHASED, &["I1", "I2", "I3", "baseline"], "");
    check_phases(
        PHASED,
        &["I1", "I2"],
        r##"
line 15: code `a`, rule `a.2`: phase `I3` is not in the study timeline (did you mean `I1`?); the phases are I1, I2 (and `unphased` for documents in none of them)
line 16: code `a`, rule `a.2`: phase `baseline` is not in the study timeline; the phases are I1, I2 (and `unphased` for documents in none of them)
"##,
    );
    check_phases(
        PHASED,
        &[],
        r##"
line 10: code `a`, rule `a.1`: phase `I1` is not in the study timeline, which has no phases: add [[phase]] tables to ambit.toml (until then every document is `unphased`)
line 10: code `a`, rule `a.1`: phase `i2` is not in the study timeline, which has no phases: add [[phase]] tables to ambit.toml (until then every document is `unphased`)
line 14: code `a`, rule `a.2`: phase `I1` is not in the study timeline, which has no phases: add [[phase]] tables to ambit.toml (until then every document is `unphased`)
line 15: code `a`, rule `a.2`: phase `I3` is not in the study timeline, which has no phases: add [[phase]] tables to ambit.toml (until then every document is `unphased`)
line 16: code `a`, rule `a.2`: phase `baseline` is not in the study timeline, which has no phases: add [[phase]] tables to ambit.toml (until then every document is `unphased`)
"##,
    );
}

#[test]
fn check_with_timeline_lists_every_problem_by_line() {
    let src = PHASED.replace(
        "keywords = [\"z\"]",
        "keywords = [\"z\"]\n  kind = [\"worshop\"]",
    );
    let timeline = Timeline::new(vec![Phase::new(
        "I1",
        "first",
        Date::from_ymd(2013, 4, 1).unwrap(),
        Date::from_ymd(2013, 4, 30).unwrap(),
    )])
    .unwrap();
    let got: Vec<(Option<usize>, String)> = Codebook::check_with_timeline(&src, &timeline)
        .into_iter()
        .map(|d| {
            (
                d.line,
                d.message.split(' ').take(3).collect::<Vec<_>>().join(" "),
            )
        })
        .collect();
    let want = [
        (10, "phase `i2` is"),
        (15, "phase `I3` is"),
        (16, "phase `baseline` is"),
        (23, "unknown document kind"),
    ];
    assert_eq!(got, want.map(|(l, m)| (Some(l), m.to_owned())));
    // Without a timeline, only the kind is a problem.
    assert_eq!(Codebook::check(&src).len(), 1);
}

#[test]
fn phase_lines_follow_a_renamed_rule() {
    let mut cb = Codebook::parse(PHASED).unwrap();
    cb.rename("a", "top").unwrap();
    let timeline = Timeline::new(Vec::new()).unwrap();
    let got: Vec<(Option<usize>, Option<String>)> = cb
        .check_phases(&timeline)
        .into_iter()
        .map(|d| (d.line, d.rule))
        .collect();
    let rule = |r: &str| Some(r.to_owned());
    assert_eq!(
        got,
        [
            (Some(10), rule("top.1")),
            (Some(10), rule("top.1")),
            (Some(14), rule("top.2")),
            (Some(15), rule("top.2")),
            (Some(16), rule("top.2")),
        ]
    );
}

#[test]
fn unknown_codes_list_close_matches() {
    let cb = Codebook::parse(BASE).unwrap();
    let show = "; run `ambit codebook show` to list the codes";
    let cases: &[(&[&str], &str)] = &[
        (
            &["kb.semantc"],
            "unknown code id: kb.semantc (did you mean `kb.semantic`?)",
        ),
        // The last dotted part, the name, and any case.
        (
            &["semantic"],
            "unknown code id: semantic (did you mean `kb.semantic`?)",
        ),
        (
            &["shared understandng"],
            "unknown code id: shared understandng (did you mean `su`?)",
        ),
        (&["KB"], "unknown code id: KB (did you mean `kb`?)"),
        // Closest first, then in codebook order.
        (&["sb"], "unknown code id: sb (did you mean `kb` or `su`?)"),
        (&["nope"], "unknown code id: nope"),
        (
            &["x", "kb.syntactik", "x", "su"],
            "unknown code ids: x, kb.syntactik (did you mean `kb.syntactic`?)",
        ),
    ];
    for (ids, expected) in cases {
        let err = cb.require_codes(ids).unwrap_err();
        assert_eq!(err.to_string(), format!("{expected}{show}"), "{ids:?}");
    }
    assert!(cb.require_codes(&["kb", "su"]).is_ok());
    assert_eq!(cb.require("su").unwrap(), 3);
    let Err(Error::UnknownCodes(unknown)) = cb.require("kb.semantc") else {
        panic!("an unknown code is an `UnknownCodes` error");
    };
    assert_eq!(
        unknown,
        [UnknownCode {
            id: "kb.semantc".to_owned(),
            close: vec!["kb.semantic".to_owned()]
        }]
    );
}

/// The ids of `src`'s codes in [`Codebook::tree_order`], compared with `expected`.
fn check_tree_order(src: &str, expected: &[&str]) {
    let cb = Codebook::parse(src).unwrap();
    let got: Vec<&str> = cb
        .tree_order()
        .into_iter()
        .map(|i| cb.codes()[i].id.as_str())
        .collect();
    assert_eq!(got, expected);
}

#[test]
fn tree_order_puts_each_subtree_after_its_parent() {
    check_tree_order(BASE, &["kb", "kb.semantic", "kb.syntactic", "su"]);
    check_tree_order(
        &with_codes(
            r##"
[[code]]
id = "b.x"
name = "child of b, written first"
[[code]]
id = "a"
name = "A"
[[code]]
id = "b"
name = "B"
[[code]]
id = "a.y"
name = "child of a"
[[code]]
id = "a.y.z"
name = "grandchild of a"
[[code]]
id = "c"
name = "explicit child of a"
parent = "a"
"##,
        ),
        &["a", "a.y", "a.y.z", "c", "b", "b.x"],
    );
    check_tree_order("[codebook]\nname = \"empty\"", &[]);
}

#[test]
fn error_invalid_regex_names_code_and_rule_with_regex_message() {
    let src = with_codes(
        r##"
[[code]]
id = "a"
name = "A"
  [[code.rule]]
  id = "a.bad"
  regex = ["(?i)mean(s|t"]
"##,
    );
    let diags = Codebook::check(&src);
    assert_eq!(diags.len(), 1);
    let d = &diags[0];
    assert_eq!(
        (d.line, d.code.as_deref(), d.rule.as_deref()),
        (Some(8), Some("a"), Some("a.bad"))
    );
    assert!(
        d.message.contains("invalid regex `(?i)mean(s|t`"),
        "{}",
        d.message
    );
    assert!(d.message.contains("unclosed group"), "{}", d.message);
}

#[test]
fn round_trip_to_toml() {
    for src in [
        BASE,
        &with_codes(
            r##"
[[code]]
id = "top"
name = "T"
description = """Line one
line "two" with 'quotes' and \\ backslash"""
examples = ["Päivi: “no, no — that's not an order” 👍"]
[[code]]
id = "child"
name = "C"
parent = "top"
  [[code.rule]]
  keywords = ["a*"]
  phrases = ["b c"]
  regex = ['\d{4}-\d{2}']
  near = [{ terms = ["x", "y*"], within = 0 }, { terms = ["z"], within = 9 }]
  all = ["q"]
  speaker = ["Åsa Ström"]
  kind = ["interview"]
  phase = ["I1", "I2"]
  within = "top"
  exclude_keywords = ["nope"]
"##,
        ),
    ] {
        let cb = Codebook::parse(src).unwrap();
        let toml = cb.to_toml().unwrap();
        let again = Codebook::parse(&toml).unwrap_or_else(|e| panic!("{e}\n{toml}"));
        assert_eq!(again, cb, "\n{toml}");
        assert_eq!(again.to_toml().unwrap(), toml);
    }
}

#[test]
fn json_view_has_hierarchy() {
    let cb = Codebook::parse(BASE).unwrap();
    let v: serde_json::Value = serde_json::to_value(&cb).unwrap();
    assert_eq!(v["name"], "Demo");
    assert_eq!(v["codes"][1]["id"], "kb.semantic");
    assert_eq!(v["codes"][1]["parent"], "kb");
    assert_eq!(v["codes"][1]["depth"], 1);
    assert_eq!(v["codes"][0]["children"][1], "kb.syntactic");
    assert_eq!(
        v["codes"][1]["rules"][0]["phrases"][0],
        "what do you mean by"
    );
}

/// Applies `edit` to BASE and compares a one-line-per-code summary.
fn check_edit(edit: impl FnOnce(&mut Codebook), expected: &[&str]) {
    let mut cb = Codebook::parse(BASE).unwrap();
    edit(&mut cb);
    let got: Vec<String> = cb
        .codes()
        .iter()
        .map(|c| {
            let rules: Vec<String> = c
                .rules
                .iter()
                .map(|r| match &r.within {
                    Some(w) => format!("{}@{w}", r.id),
                    None => r.id.clone(),
                })
                .collect();
            format!(
                "{} <{}> [{}] {}",
                c.id,
                c.parent.as_deref().unwrap_or("-"),
                c.children.join(","),
                rules.join(",")
            )
        })
        .collect();
    assert_eq!(got, expected);
    // Edits keep the codebook valid and writable.
    let again = Codebook::parse(&cb.to_toml().unwrap()).unwrap();
    assert_eq!(again, cb);
}

#[test]
fn rename_cascades_to_dotted_children_rules_and_within() {
    check_edit(
        |cb| {
            let changes = cb.rename("kb", "boundary").unwrap();
            assert_eq!(
                changes,
                [
                    ("kb".to_owned(), "boundary".to_owned()),
                    ("kb.semantic".to_owned(), "boundary.semantic".to_owned()),
                    ("kb.syntactic".to_owned(), "boundary.syntactic".to_owned()),
                ]
            );
        },
        &[
            "boundary <-> [boundary.semantic,boundary.syntactic] ",
            "boundary.semantic <boundary> [] boundary.semantic.terms,boundary.semantic.2",
            "boundary.syntactic <boundary> [] boundary.syntactic.1@boundary",
            "su <-> [] su.1",
        ],
    );
    check_edit(
        |cb| {
            cb.rename("su", "common").unwrap();
        },
        &[
            "kb <-> [kb.semantic,kb.syntactic] ",
            "kb.semantic <kb> [] kb.semantic.terms,kb.semantic.2",
            "kb.syntactic <kb> [] kb.syntactic.1@kb",
            "common <-> [] common.1",
        ],
    );
}

#[test]
fn merge_moves_rules_children_and_within() {
    check_edit(
        |cb| cb.merge("kb.syntactic", "kb.semantic").unwrap(),
        &[
            "kb <-> [kb.semantic] ",
            "kb.semantic <kb> [] kb.semantic.terms,kb.semantic.2,kb.syntactic.1@kb",
            "su <-> [] su.1",
        ],
    );
    check_edit(
        |cb| cb.merge("kb", "su").unwrap(),
        &[
            "kb.semantic <su> [] kb.semantic.terms,kb.semantic.2",
            "kb.syntactic <su> [] kb.syntactic.1@su",
            "su <-> [kb.semantic,kb.syntactic] su.1",
        ],
    );
}

#[test]
fn remove_leaf() {
    check_edit(
        |cb| {
            let gone = cb.remove("kb.semantic").unwrap();
            assert_eq!(gone.id, "kb.semantic");
        },
        &[
            "kb <-> [kb.syntactic] ",
            "kb.syntactic <kb> [] kb.syntactic.1@kb",
            "su <-> [] su.1",
        ],
    );
}

#[test]
fn edits_refused() {
    type Edit = fn(&mut Codebook) -> ambit_coding::Result<()>;
    let cases: &[(&str, Edit, &str)] = &[
        ("rename unknown", |cb| cb.rename("nope", "x").map(drop), "unknown code id: nope; run `ambit codebook show` to list the codes"),
        ("rename clash", |cb| cb.rename("su", "kb").map(drop), "cannot rename code `su`: renaming `su` to `kb` would clash with an existing code"),
        ("rename bad id", |cb| cb.rename("su", "s u").map(drop), "cannot rename code `su`: code id `s u` contains ` `; use letters, digits, `_`, `-` and `.` only"),
        ("merge self", |cb| cb.merge("su", "su"), "cannot merge code `su`: a code cannot be merged into itself"),
        ("merge into child", |cb| cb.merge("kb", "kb.semantic"), "cannot merge code `kb`: `kb.semantic` is a descendant of `kb`; merge the other way round or move it first"),
        ("merge unknown", |cb| cb.merge("x", "y"), "unknown code ids: x, y; run `ambit codebook show` to list the codes"),
        ("remove typo", |cb| cb.remove("kb.semantik").map(drop), "unknown code id: kb.semantik (did you mean `kb.semantic`?); run `ambit codebook show` to list the codes"),
        ("remove parent", |cb| cb.remove("kb").map(drop), "cannot remove code `kb`: it has children (kb.semantic, kb.syntactic); remove or merge them first"),
    ];
    for (name, edit, expected) in cases {
        let mut cb = Codebook::parse(BASE).unwrap();
        let before = cb.clone();
        let err = edit(&mut cb).unwrap_err();
        assert_eq!(err.to_string(), *expected, "{name}");
        assert_eq!(cb, before, "{name}: a refused edit changes nothing");
    }
}

#[test]
fn remove_refused_when_within_refers_to_it() {
    let src = with_codes(
        r##"
[[code]]
id = "a"
name = "A"
[[code]]
id = "b"
name = "B"
  [[code.rule]]
  keywords = ["x"]
  within = "a"
"##,
    );
    let mut cb = Codebook::parse(&src).unwrap();
    assert_eq!(
        cb.remove("a").unwrap_err().to_string(),
        "cannot remove code `a`: rules b.1 use `within = \"a\"`"
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Any text in names, definitions and examples survives `to_toml` → `parse`.
    #[test]
    fn round_trip_any_text(
        name in "\\PC*",
        description in "(\\PC|\n|\t|\"|'|\\\\){0,40}",
        examples in proptest::collection::vec("\\PC{0,20}", 0..3),
        keyword in "[a-zäöå]{1,8}\\*?",
    ) {
        let mut src = String::from("[codebook]\nname = \"p\"\n");
        let lit = |s: &str| toml_string(s);
        src.push_str(&format!(
            "[[code]]\nid = \"a\"\nname = {}\ndescription = {}\nexamples = [{}]\n[[code.rule]]\nkeywords = [{}]\n",
            lit(&name),
            lit(&description),
            examples.iter().map(|e| lit(e)).collect::<Vec<_>>().join(", "),
            lit(&keyword),
        ));
        let cb = Codebook::parse(&src).unwrap();
        let again = Codebook::parse(&cb.to_toml().unwrap()).unwrap();
        proptest::prop_assert_eq!(again, cb);
    }
}

/// A TOML basic string holding `s`.
pub(crate) fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[test]
fn add_code_goes_after_its_parents_subtree() {
    check_edit(
        |cb| {
            cb.add_code("kb.pragmatic", "Pragmatic boundary", None)
                .unwrap()
        },
        &[
            "kb <-> [kb.semantic,kb.syntactic,kb.pragmatic] ",
            "kb.semantic <kb> [] kb.semantic.terms,kb.semantic.2",
            "kb.syntactic <kb> [] kb.syntactic.1@kb",
            "kb.pragmatic <kb> [] ",
            "su <-> [] su.1",
        ],
    );
    check_edit(
        |cb| cb.add_code("trust", "Trust", Some("su")).unwrap(),
        &[
            "kb <-> [kb.semantic,kb.syntactic] ",
            "kb.semantic <kb> [] kb.semantic.terms,kb.semantic.2",
            "kb.syntactic <kb> [] kb.syntactic.1@kb",
            "su <-> [trust] su.1",
            "trust <su> [] ",
        ],
    );
    check_edit(
        |cb| cb.add_code("coord", "Coordination", None).unwrap(),
        &[
            "kb <-> [kb.semantic,kb.syntactic] ",
            "kb.semantic <kb> [] kb.semantic.terms,kb.semantic.2",
            "kb.syntactic <kb> [] kb.syntactic.1@kb",
            "su <-> [] su.1",
            "coord <-> [] ",
        ],
    );
}

/// The error of an edit of BASE, as its message.
fn edit_error(edit: impl FnOnce(&mut Codebook) -> Result<(), Error>) -> String {
    let mut cb = Codebook::parse(BASE).unwrap();
    let before = cb.clone();
    let e = edit(&mut cb).unwrap_err().to_string();
    assert_eq!(cb, before, "a refused edit changes nothing");
    e
}

/// An edit of a codebook, as a test case runs it.
type Edit = Box<dyn Fn(&mut Codebook) -> Result<(), Error>>;

#[test]
fn edits_refused_with_reasons() {
    let cases: &[(&str, Edit)] = &[
        (
            "cannot create code `kb`: a code with this id exists already",
            Box::new(|cb| cb.add_code("kb", "Again", None)),
        ),
        (
            "cannot create code `x.y`: its parent `x` is not in the codebook; create `x` first or choose another parent",
            Box::new(|cb| cb.add_code("x.y", "Y", None)),
        ),
        (
            "cannot create code `a b`: code id `a b` contains ` `; use letters, digits, `_`, `-` and `.` only",
            Box::new(|cb| cb.add_code("a b", "AB", None)),
        ),
        (
            "cannot create code `n`: give the code a name",
            Box::new(|cb| cb.add_code("n", "  ", None)),
        ),
        (
            "cannot move code `kb`: `kb.semantic` is inside `kb`; move `kb.semantic` out first",
            Box::new(|cb| cb.set_parent("kb", Some("kb.semantic"))),
        ),
        (
            "cannot move code `kb`: a code cannot be its own parent",
            Box::new(|cb| cb.set_parent("kb", Some("kb"))),
        ),
        (
            "cannot move code `kb.semantic`: its dotted id implies a parent; rename it without the dot (e.g. `semantic`) to make it top-level",
            Box::new(|cb| cb.set_parent("kb.semantic", None)),
        ),
        (
            "cannot recolour code `su`: bad colour `red`: write `#RRGGBB` or `#RGB` in hexadecimal, e.g. `#4477AA`",
            Box::new(|cb| cb.set_color("su", Some("red"))),
        ),
        (
            "cannot edit code `su`: a code needs a name",
            Box::new(|cb| cb.set_name("su", "")),
        ),
    ];
    for (expected, edit) in cases {
        assert_eq!(edit_error(edit), *expected);
    }
    let unknown = edit_error(|cb| cb.set_parent("nope", Some("kb")));
    assert!(unknown.starts_with("unknown code id: nope"), "{unknown}");
}

#[test]
fn move_keeps_the_id_and_writes_the_parent() {
    check_edit(
        |cb| cb.set_parent("kb.syntactic", Some("su")).unwrap(),
        &[
            "kb <-> [kb.semantic] ",
            "kb.semantic <kb> [] kb.semantic.terms,kb.semantic.2",
            "kb.syntactic <su> [] kb.syntactic.1@kb",
            "su <-> [kb.syntactic] su.1",
        ],
    );
    check_edit(
        |cb| cb.set_parent("su", Some("kb.semantic")).unwrap(),
        &[
            "kb <-> [kb.semantic,kb.syntactic] ",
            "kb.semantic <kb> [su] kb.semantic.terms,kb.semantic.2",
            "kb.syntactic <kb> [] kb.syntactic.1@kb",
            "su <kb.semantic> [] su.1",
        ],
    );
    let mut cb = Codebook::parse(BASE).unwrap();
    cb.set_parent("su", Some("kb.semantic")).unwrap();
    assert_eq!(cb.code("su").unwrap().depth, 2);
    cb.set_parent("su", None).unwrap();
    assert_eq!(cb, Codebook::parse(BASE).unwrap());
}

#[test]
fn recolour_and_describe_round_trip() {
    let mut cb = Codebook::parse(BASE).unwrap();
    cb.set_color("su", Some(" #abc ")).unwrap();
    cb.set_color("kb", None).unwrap();
    cb.set_name("su", " Common ground ").unwrap();
    cb.set_description("su", "Definition with \"quotes\" and ä, 👍\n")
        .unwrap();
    cb.set_include("su", "When they agree").unwrap();
    cb.set_exclude("su", "").unwrap();
    let again = Codebook::parse(&cb.to_toml().unwrap()).unwrap();
    assert_eq!(again, cb);
    let su = again.code("su").unwrap();
    assert_eq!(su.color.as_deref(), Some("#abc"));
    assert_eq!(su.name, "Common ground");
    assert_eq!(su.description, "Definition with \"quotes\" and ä, 👍");
    assert_eq!(su.include, "When they agree");
    assert_eq!(again.code("kb").unwrap().color, None);
}
