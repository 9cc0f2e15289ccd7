//! The rule engine: every rule kind, word boundaries with non-ASCII text, filters, `within`,
//! vetoes, selection, and parallel runs equal to sequential ones.

use ambit_coding::{Codebook, Matcher, PassageInput, RuleHit};
use ambit_core::DocKind;
use proptest::prelude::*;

/// A passage with metadata; defaults are an unlabelled workshop passage in phase I1.
#[derive(Clone, Copy)]
struct P<'a> {
    text: &'a str,
    speaker: Option<&'a str>,
    kind: DocKind,
    phase: Option<&'a str>,
    codes: &'a [&'a str],
}

fn p(text: &str) -> P<'_> {
    P {
        text,
        speaker: None,
        kind: DocKind::Workshop,
        phase: Some("I1"),
        codes: &[],
    }
}

fn input<'a>(ps: &[P<'a>]) -> Vec<PassageInput<'a>> {
    ps.iter()
        .map(|p| PassageInput {
            doc: 1,
            text: p.text,
            speaker: p.speaker,
            kind: p.kind,
            phase: p.phase,
            codes: p.codes,
        })
        .collect()
}

/// One code `c` with the rule given as the body of a `[[code.rule]]` table, plus a code `ctx`
/// that `within` can refer to.
fn check_rule(rule: &str, cases: &[(P<'_>, bool)]) {
    let src = format!(
        "[codebook]\nname = \"t\"\n[[code]]\nid = \"ctx\"\nname = \"context\"\n[[code]]\nid = \"ctx.sub\"\nname = \"sub\"\n[[code]]\nid = \"c\"\nname = \"c\"\n[[code.rule]]\n{rule}\n"
    );
    let cb = Codebook::parse(&src).unwrap_or_else(|e| panic!("{e}"));
    let m = Matcher::compile(&cb, None).unwrap();
    let passages: Vec<P<'_>> = cases.iter().map(|(p, _)| *p).collect();
    let hits = m.run(&input(&passages));
    for (i, (p, want)) in cases.iter().enumerate() {
        let got = hits.iter().any(|h| h.passage == i);
        assert_eq!(got, *want, "rule {rule}\ntext: {:?}", p.text);
    }
}

/// Shorthand for text-only cases.
fn check_texts(rule: &str, cases: &[(&str, bool)]) {
    let cases: Vec<(P<'_>, bool)> = cases.iter().map(|(t, w)| (p(t), *w)).collect();
    check_rule(rule, &cases);
}

#[test]
fn keywords_whole_words_case_insensitive() {
    check_texts(
        r#"keywords = ["order", "SAP"]"#,
        &[
            ("The ORDER was late", true),
            ("an order.", true),
            ("orders", false),
            ("reorder", false),
            ("work-order", true),
            ("sap pm export", true),
            ("sapling", false),
            ("order_id", false),
            ("nothing here", false),
        ],
    );
}

#[test]
fn keywords_non_ascii_boundaries() {
    check_texts(
        r#"keywords = ["kää", "Järvinen", "öljy", "ÅSA"]"#,
        &[
            ("kääntää", false),
            ("me kää", true),
            ("Kari Järvinen said", true),
            ("JÄRVINEN", true),
            ("järvinen's point", true),
            ("Järvisen", false),
            ("öljyä", false),
            ("Öljy!", true),
            ("åsa ström", true),
            ("Kåsa", false),
        ],
    );
}

#[test]
fn wildcards_prefix_and_suffix() {
    check_texts(
        r#"keywords = ["coordinat*", "*ability", "*glossar*"]"#,
        &[
            ("coordination call", true),
            ("Coordinating", true),
            ("coordinat", true),
            ("precoordination", false),
            ("accountability matters", true),
            ("ability", true),
            ("abilitys", false),
            ("the shared-glossary page", true),
            ("glossaries", true),
        ],
    );
}

#[test]
fn phrases_across_line_breaks_and_spacing() {
    check_texts(
        r#"phrases = ["what do you mean by", "Päivi’s map"]"#,
        &[
            ("Sorry — what do you\nmean by order?", true),
            ("WHAT  DO\tYOU\r\n  MEAN BY", true),
            ("what do you meanby", false),
            ("somewhat do you mean by", false),
            ("what do you mean byte", false),
            ("PÄIVI'S MAP", true),
            ("päivi’s  map", true),
        ],
    );
}

#[test]
fn regexes_on_original_text() {
    check_texts(
        r#"regex = ['(?i)\bmean(s|t)? (different|something else)\b', '\bSLA-\d+\b']"#,
        &[
            ("For us it MEANS something else", true),
            ("it meant different things", true),
            ("meaning different", false),
            ("see SLA-12 now", true),
            ("see sla-12", false),
        ],
    );
}

/// Regexes run only on passages where the keyword scan saw one of their required literals; the
/// literals are compared in normalised form (lower case, folded whitespace, straight
/// apostrophes), so none of these may hide a match.
#[test]
fn regex_literal_gates_never_hide_matches() {
    check_texts(
        r#"regex = ['(?i)\bwho (pays|will pay)\b', '(?i)\broles?\b', "(?i)nobody(['’]s)? job", '(?i)\bbalanc\w*', 'Ärger über', '\bre-?typ\w*']"#,
        &[
            ("WHO PAYS for it?", true),
            ("who   pays", false),
            ("who\nwill pay", false),
            ("who will pay", true),
            ("My ROLES here", true),
            ("the rolé here", false),
            ("nobody’s job", true),
            ("NOBODY'S JOB", true),
            ("BALANCING act", true),
            // Unicode case folding: the long s matches `s` under (?i).
            ("who paſ", false),
            ("who payſ", true),
            ("ÄRGER über", false),
            ("Ärger über", true),
            ("Päivi retyped it", true),
            ("retro", false),
        ],
    );
}

#[test]
fn near_windows() {
    let rule = r#"near = [{ terms = ["order", "differ*"], within = 3 }]"#;
    check_texts(
        rule,
        &[
            ("order is different", true),
            ("different order", true),
            ("the order is quite a different thing", false),
            ("the order, you know, is really different", false),
            ("order a b different", true),
            ("order a b c different", false),
            ("different a b c d e order x differs", true),
            ("order only", false),
            ("differences only", false),
        ],
    );
    check_texts(
        r#"near = [{ terms = ["order", "order*"], within = 0 }]"#,
        &[("order", true)],
    );
    check_texts(
        r#"near = [{ terms = ["work order", "Björn"], within = 2 }]"#,
        &[
            ("Björn: a work\norder", true),
            ("work order by a b c Björn", false),
        ],
    );
    check_texts(
        r#"near = [{ terms = ["a", "b", "c"], within = 4 }]"#,
        &[("a x b x c", true), ("a x b x x c", false), ("c b a", true)],
    );
}

#[test]
fn all_and_veto() {
    check_texts(
        r#"keywords = ["order"]
all = ["purchase", "ticket*"]
exclude_keywords = ["pizza"]"#,
        &[
            ("order purchase tickets", true),
            ("order purchase", false),
            ("purchase tickets", false),
            ("order purchase ticket pizza", false),
            ("order purchase ticket pizzas", true),
        ],
    );
}

#[test]
fn filters_speaker_kind_phase() {
    let base = p("the order");
    check_rule(
        r#"keywords = ["order"]
speaker = ["Päivi Mäkelä", "Åsa Ström"]
kind = ["Workshop", "interview"]
phase = ["I1", "i2"]"#,
        &[
            (
                P {
                    speaker: Some("Päivi Mäkelä"),
                    ..base
                },
                true,
            ),
            (
                P {
                    speaker: Some(" PÄIVI MÄKELÄ "),
                    ..base
                },
                true,
            ),
            (
                P {
                    speaker: Some("åsa ström"),
                    phase: Some("I2"),
                    ..base
                },
                true,
            ),
            (
                P {
                    speaker: Some("Päivi"),
                    ..base
                },
                false,
            ),
            (
                P {
                    speaker: None,
                    ..base
                },
                false,
            ),
            (
                P {
                    speaker: Some("Åsa Ström"),
                    kind: DocKind::Observation,
                    ..base
                },
                false,
            ),
            (
                P {
                    speaker: Some("Åsa Ström"),
                    kind: DocKind::Interview,
                    ..base
                },
                true,
            ),
            (
                P {
                    speaker: Some("Åsa Ström"),
                    phase: Some("I3"),
                    ..base
                },
                false,
            ),
            (
                P {
                    speaker: Some("Åsa Ström"),
                    phase: None,
                    ..base
                },
                false,
            ),
        ],
    );
}

#[test]
fn within_existing_codes_and_descendants() {
    let base = p("a workshop");
    check_rule(
        r#"keywords = ["workshop"]
within = "ctx""#,
        &[
            (base, false),
            (
                P {
                    codes: &["ctx"],
                    ..base
                },
                true,
            ),
            (
                P {
                    codes: &["ctx.sub"],
                    ..base
                },
                true,
            ),
            (
                P {
                    codes: &["c"],
                    ..base
                },
                false,
            ),
            (
                P {
                    codes: &["unknown", "ctx"],
                    ..base
                },
                true,
            ),
        ],
    );
}

const CHAIN: &str = r#"
[codebook]
name = "chain"
[[code]]
id = "act"
name = "activity"
  [[code.rule]]
  keywords = ["workshop"]
[[code]]
id = "late"
name = "needs mid"
  [[code.rule]]
  keywords = ["map"]
  within = "mid"
[[code]]
id = "mid"
name = "needs act"
  [[code.rule]]
  keywords = ["swimlane"]
  within = "act"
[[code]]
id = "other"
name = "other"
  [[code.rule]]
  id = "other.kw"
  keywords = ["map", "swimlane"]
  [[code.rule]]
  id = "other.re"
  regex = ["(?i)swim"]
"#;

fn summary(hits: &[RuleHit]) -> Vec<String> {
    hits.iter()
        .map(|h| format!("{} {} {}", h.passage, h.code, h.rule))
        .collect()
}

#[test]
fn within_sees_this_runs_hits_in_codebook_order() {
    let cb = Codebook::parse(CHAIN).unwrap();
    let m = Matcher::compile(&cb, None).unwrap();
    let texts = [
        "the swimlane map from the workshop",
        "the swimlane map",
        "workshop swimlane",
        "nothing",
    ];
    let ps: Vec<P<'_>> = texts.iter().map(|t| p(t)).collect();
    let hits = m.run(&input(&ps));
    assert_eq!(
        summary(&hits),
        [
            "0 act act.1",
            "0 late late.1",
            "0 mid mid.1",
            "0 other other.kw",
            "0 other other.re",
            "1 other other.kw",
            "1 other other.re",
            "2 act act.1",
            "2 mid mid.1",
            "2 other other.kw",
            "2 other other.re",
        ]
    );
}

#[test]
fn selected_codes_include_descendants() {
    let src = r#"
[codebook]
name = "s"
[[code]]
id = "kb"
name = "kb"
  [[code.rule]]
  keywords = ["boundary"]
[[code]]
id = "kb.semantic"
name = "sem"
  [[code.rule]]
  keywords = ["meaning"]
[[code]]
id = "su"
name = "su"
  [[code.rule]]
  keywords = ["agree"]
"#;
    let cb = Codebook::parse(src).unwrap();
    let ps = [p("boundary meaning agree")];
    let check = |sel: Option<&[String]>, want: &[&str]| {
        let m = Matcher::compile(&cb, sel).unwrap();
        let got: Vec<String> = m.run(&input(&ps)).into_iter().map(|h| h.code).collect();
        assert_eq!(got, want, "{sel:?}");
    };
    check(None, &["kb", "kb.semantic", "su"]);
    check(Some(&["kb".to_owned()]), &["kb", "kb.semantic"]);
    check(
        Some(&["kb.semantic".to_owned(), "su".to_owned()]),
        &["kb.semantic", "su"],
    );
    check(Some(&[]), &[]);
    let err = Matcher::compile(&cb, Some(&["kb.semantc".to_owned()])).unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown code id: kb.semantc (did you mean `kb.semantic`?); run `ambit codebook show` to list the codes"
    );
}

#[test]
fn empty_inputs() {
    let cb = Codebook::parse(CHAIN).unwrap();
    let m = Matcher::compile(&cb, None).unwrap();
    assert!(m.run(&[]).is_empty());
    assert!(m.run(&input(&[p(""), p("   \n ")])).is_empty());
    let none = Codebook::parse("[codebook]\nname = \"empty\"").unwrap();
    let m = Matcher::compile(&none, None).unwrap();
    assert_eq!(m.rule_count(), 0);
    assert!(m.run(&input(&[p("workshop")])).is_empty());
}

const WORDS: &[&str] = &[
    "workshop",
    "swimlane",
    "map",
    "order",
    "Järvinen",
    "kääntää",
    "meaning",
    "differ",
    "the",
    "a",
    "swim",
    "pizza",
    "\n",
    "—",
    "ÖLJY",
    "😀",
];

fn vocab_text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(WORDS), 0..24).prop_map(|w| w.join(" "))
}

const GATED_REGEXES: &[&str] = &[
    r"(?i)\b(my|our|the) roles?\b",
    r"(?i)\bwho (pays|will pay)\b",
    r"(?i)\bmeans? (something else|different things?)\b",
    r"(?i)\b(weekly|daily) (call|list)s?\b",
    r"\bJärvinen\b",
];

fn regex_text() -> impl Strategy<Value = String> {
    let words = prop::sample::select(
        &[
            "my",
            "ROLE",
            "roles",
            "rolé",
            "our",
            "the",
            "who",
            "WHO",
            "pays",
            "paſ",
            "will",
            "pay",
            "means",
            "Mean",
            "something",
            "else",
            "different",
            "things",
            "weekly",
            "Daily",
            "call",
            "lists",
            "Järvinen",
            "JÄRVINEN",
            "järvinen",
            "ä",
            "—",
            "\n",
            "  ",
            "Päivi",
            "’s",
        ][..],
    );
    prop::collection::vec(words, 0..16).prop_map(|w| w.join(" "))
}

/// Every regex of the bundled template, each alone in its own code.
fn template_regexes() -> Vec<String> {
    let src = ambit_coding::template("ambidexterity").unwrap();
    let cb = Codebook::parse(src).unwrap();
    let mut out: Vec<String> = cb
        .codes()
        .iter()
        .flat_map(|c| c.rules.iter().flat_map(|r| r.regex.iter().cloned()))
        .collect();
    out.dedup();
    out
}

/// A codebook with one code per regex, `c0`, `c1`, …
fn one_code_per_regex(regexes: &[String]) -> Codebook {
    let mut src = String::from("[codebook]\nname = \"t\"\n");
    for (i, r) in regexes.iter().enumerate() {
        let quoted = crate::codebook::toml_string(r);
        src.push_str(&format!(
            "[[code]]\nid = \"c{i}\"\nname = \"c{i}\"\n[[code.rule]]\nregex = [{quoted}]\n"
        ));
    }
    Codebook::parse(&src).unwrap()
}

/// Text made of the template regexes' own words in random case, with typographic quotes,
/// long s, non-ASCII words and irregular whitespace: the material that would expose a gate
/// that hides a match.
fn template_text() -> impl Strategy<Value = String> {
    let mut vocab: Vec<String> = Vec::new();
    for r in template_regexes() {
        let r = r
            .replace(r"\b", " ")
            .replace(r"\w", " ")
            .replace(r"\d", " ");
        for w in r.split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '’' && c != '-') {
            if w.len() > 1 && !vocab.iter().any(|v| v == w) {
                vocab.push(w.to_string());
            }
        }
    }
    vocab.extend(
        [
            "’s",
            "'s",
            "“",
            "”",
            "ſ",
            "Järvinen",
            "työ",
            "?",
            ".",
            "KELVIN",
            "\u{212A}",
            "rules",
            "roles",
        ]
        .map(String::from),
    );
    let word = (prop::sample::select(vocab), 0u8..4).prop_map(|(w, case)| match case {
        0 => w.to_uppercase(),
        1 => {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect())
                .unwrap_or_default()
        }
        _ => w,
    });
    let sep = prop::sample::select(vec![" ", " ", " ", "  ", "\n", " \t", ", ", ""]);
    prop::collection::vec((word, sep), 0..24).prop_map(|ws| {
        ws.into_iter()
            .map(|(w, s)| format!("{w}{s}"))
            .collect::<String>()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The gates of every template regex (inner literals, case-folded classes, quotes) hide
    /// nothing: each regex, alone in its code, codes exactly the passages it matches.
    #[test]
    fn template_regex_gates_hide_nothing(texts in prop::collection::vec(template_text(), 1..60)) {
        // Compiled once: dozens of Unicode regexes take a while in a debug build.
        static COMPILED: std::sync::OnceLock<(Matcher, Vec<regex::Regex>)> = std::sync::OnceLock::new();
        let (m, res) = COMPILED.get_or_init(|| {
            let regexes = template_regexes();
            let m = Matcher::compile(&one_code_per_regex(&regexes), None).unwrap();
            (m, regexes.iter().map(|r| regex::Regex::new(r).unwrap()).collect())
        });
        let passages: Vec<PassageInput<'_>> = texts
            .iter()
            .map(|text| PassageInput { doc: 1, text, speaker: None, kind: DocKind::Workshop, phase: None, codes: &[] })
            .collect();
        let mut got: Vec<(usize, String)> = m.run(&passages).into_iter().map(|h| (h.passage, h.code)).collect();
        got.sort();
        let mut want: Vec<(usize, String)> = Vec::new();
        for (i, t) in texts.iter().enumerate() {
            for (k, r) in res.iter().enumerate() {
                if r.is_match(t) {
                    want.push((i, format!("c{k}")));
                }
            }
        }
        want.sort();
        prop_assert_eq!(got, want);
    }

    /// The literal gates are an optimisation only: a regex rule codes exactly the passages its
    /// regex matches.
    #[test]
    fn regex_rules_equal_plain_regex(texts in prop::collection::vec(regex_text(), 1..40)) {
        let list: Vec<String> = GATED_REGEXES.iter().map(|r| format!("'{r}'")).collect();
        let src = format!(
            "[codebook]\nname = \"t\"\n[[code]]\nid = \"c\"\nname = \"c\"\n[[code.rule]]\nregex = [{}]\n",
            list.join(", ")
        );
        let cb = Codebook::parse(&src).unwrap();
        let m = Matcher::compile(&cb, None).unwrap();
        let res: Vec<regex::Regex> = GATED_REGEXES.iter().map(|r| regex::Regex::new(r).unwrap()).collect();
        let passages: Vec<PassageInput<'_>> = texts
            .iter()
            .map(|text| PassageInput { doc: 1, text, speaker: None, kind: DocKind::Workshop, phase: None, codes: &[] })
            .collect();
        let got: Vec<usize> = m.run(&passages).iter().map(|h| h.passage).collect();
        let want: Vec<usize> = (0..texts.len())
            .filter(|&i| res.iter().any(|r| r.is_match(&texts[i])))
            .collect();
        prop_assert_eq!(got, want);
    }

    #[test]
    fn parallel_equals_sequential(
        docs in prop::collection::vec((0u32..6, vocab_text()), 0..120)
    ) {
        let src = format!("{CHAIN}\n[[code]]\nid = \"n\"\nname = \"n\"\n  [[code.rule]]\n  near = [{{ terms = [\"order\", \"differ*\"], within = 2 }}]\n  exclude_keywords = [\"pizza\"]\n  [[code.rule]]\n  keywords = [\"järvinen\", \"öljy\"]\n");
        let cb = Codebook::parse(&src).unwrap();
        let m = Matcher::compile(&cb, None).unwrap();
        let passages: Vec<PassageInput<'_>> = docs
            .iter()
            .map(|(doc, text)| PassageInput { doc: *doc, text, speaker: None, kind: DocKind::Workshop, phase: None, codes: &[] })
            .collect();
        let par = m.run(&passages);
        let seq = m.run_sequential(&passages);
        prop_assert_eq!(&par, &seq);
        // Deterministic order: by passage, then codebook order.
        let order: Vec<(usize, usize)> = par
            .iter()
            .map(|h| (h.passage, cb.position(&h.code).unwrap()))
            .collect();
        let mut sorted = order.clone();
        sorted.sort();
        prop_assert_eq!(order, sorted);
    }
}
