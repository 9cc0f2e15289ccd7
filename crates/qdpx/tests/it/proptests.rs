//! Property: any project Ambit can hold comes back from a `.qdpx` as it went in, and its re-export is byte-identical.

use ambit_core::{Date, DocKind, Origin, Phase};
use ambit_qdpx::{Code, Coding, Note, NoteTarget, Original, Project, Source, User};
use proptest::prelude::*;

use crate::roundtrip::normalize;
use crate::util::{export, read};

/// Text as names, definitions and memos hold it: any character XML can carry, including
/// markup characters, CR, tabs, combining marks and emoji.
fn any_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            4 => proptest::char::range('a', 'z'),
            1 => Just(' '),
            1 => prop::sample::select(vec!['&', '<', '>', '"', '\'', '\n', '\r', '\t', 'ä', '\u{301}', '🙂', '語', '\u{FFFD}']),
        ],
        0..24,
    )
    .prop_map(|cs| cs.into_iter().collect())
}

/// A document text as Ambit stores it: LF line ends, no CR, at least one letter.
fn doc_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            6 => proptest::char::range('a', 'z'),
            2 => Just(' '),
            1 => prop::sample::select(vec!['\n', '\t', '&', '<', 'ä', 'e', '\u{301}', '🙂', '語', '𝔘', ':']),
        ],
        1..80,
    )
    .prop_map(|cs| format!("x{}", cs.into_iter().collect::<String>()))
}

fn time() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        (2000u32..2030, 1u32..13, 1u32..29, 0u32..24)
            .prop_map(|(y, m, d, h)| Some(format!("{y:04}-{m:02}-{d:02}T{h:02}:15:00Z"))),
    ]
}

const USERS: [&str; 3] = ["Päivi", "kari", "R & D <team>"];

/// A code: parent (any earlier code), name, definition, criteria, colour, dotted id.
type CodePlan = (
    Option<usize>,
    String,
    String,
    String,
    Option<&'static str>,
    bool,
);

/// A coding: start, end (any, wrapped into the text), code, coder, origin, time, memo.
type CodingPlan = (
    usize,
    usize,
    usize,
    usize,
    u8,
    Option<String>,
    Option<String>,
);

#[derive(Debug, Clone)]
struct Plan {
    codes: Vec<CodePlan>,
    docs: Vec<DocPlan>,
    notes: Vec<(String, Option<usize>, u8)>,
    phases: bool,
    description: String,
}

#[derive(Debug, Clone)]
struct DocPlan {
    text: String,
    name: String,
    date: Option<(u16, u8)>,
    kind: Option<usize>,
    phase: Option<bool>,
    attrs: Vec<(usize, String)>,
    codings: Vec<CodingPlan>,
    original: bool,
}

fn plan() -> impl Strategy<Value = Plan> {
    let code = (
        any::<Option<usize>>(),
        any_text(),
        any_text(),
        any_text(),
        prop::option::of(prop::sample::select(vec!["#47A", "#4477aa", "#A1B2C3"])),
        any::<bool>(),
    );
    let coding = (
        any::<usize>(),
        any::<usize>(),
        any::<usize>(),
        0usize..3,
        0u8..3,
        time(),
        prop::option::of(any_text()),
    );
    let doc = (
        doc_text(),
        any_text(),
        prop::option::of((2012u16..2015, 1u8..13)),
        prop::option::of(0usize..6),
        prop::option::of(any::<bool>()),
        proptest::collection::vec(
            (
                0usize..4,
                prop_oneof![
                    Just("7".to_owned()),
                    Just("-3.25".to_owned()),
                    Just("true".to_owned()),
                    Just("2013-03-18".to_owned()),
                    any_text()
                ],
            ),
            0..3,
        ),
        proptest::collection::vec(coding, 0..6),
        any::<bool>(),
    )
        .prop_map(
            |(text, name, date, kind, phase, attrs, codings, original)| DocPlan {
                text,
                name,
                date,
                kind,
                phase,
                attrs,
                codings,
                original,
            },
        );
    (
        proptest::collection::vec(code, 1..6),
        proptest::collection::vec(doc, 0..4),
        proptest::collection::vec((any_text(), any::<Option<usize>>(), 0u8..4), 0..4),
        any::<bool>(),
        any_text(),
    )
        .prop_map(|(codes, docs, notes, phases, description)| Plan {
            codes,
            docs,
            notes,
            phases,
            description,
        })
}

fn build(plan: &Plan) -> Project {
    let mut p = Project::new("Prop & <test>", "prop-key");
    p.description = plan.description.clone();
    p.users = USERS.iter().map(|u| User::new(u)).collect();
    let mut ids: Vec<String> = Vec::new();
    for (i, (parent, name, def, include, color, dotted)) in plan.codes.iter().enumerate() {
        let parent = parent.filter(|_| i > 0).map(|x| x % i);
        let id = match parent {
            Some(pi) if *dotted => format!("{}.k{i}", ids[pi]),
            _ => format!("k{i}"),
        };
        let mut c = Code::new(&id, name);
        c.parent = parent.map(|pi| ids[pi].clone());
        c.description = def.clone();
        c.include = include.clone();
        c.examples = vec![include.clone(), def.clone()];
        c.color = color.map(str::to_owned);
        ids.push(id);
        p.codebook.codes.push(c);
    }
    p.codebook.name = "Codebook".into();
    if plan.phases {
        let d = |s: &str| Date::parse(s).unwrap();
        p.phases = vec![
            Phase::new("P1", "One", d("2012-01-01"), d("2012-12-31")),
            Phase::new("P2", "Two & more", d("2013-01-01"), d("2013-12-31")),
        ];
    }
    let attr_names = ["organisation", "role", "age", "score"];
    for (di, d) in plan.docs.iter().enumerate() {
        let mut s = Source::new(&format!("D{}", di + 1), &d.name, &d.text);
        s.date = d.date.map(|(y, m)| Date::from_ymd(y, m, 10).unwrap());
        s.kind = d.kind.map(|k| DocKind::ALL[k]);
        s.phase = d
            .phase
            .map(|two| if two { "P2".into() } else { "gone".into() });
        for (k, v) in &d.attrs {
            s.attributes.insert(attr_names[*k].into(), v.clone());
        }
        if d.original {
            s.original = Some(Original {
                file_name: format!("doc{di}.docx"),
                bytes: vec![0, 1, 2, 255],
            });
        }
        let n = d.text.chars().count();
        for (a, b, code, user, origin, created, memo) in &d.codings {
            let (a, b) = (a % (n + 1), b % (n + 1));
            let (start, end) = (a.min(b), a.max(b));
            let origin = match origin {
                0 => Origin::Manual,
                1 => Origin::Import,
                _ => Origin::Rule(format!("{}.1", ids[code % ids.len()])),
            };
            let mut c = Coding::new(&ids[code % ids.len()], USERS[*user], origin);
            c.created = created.clone();
            c.memo = memo.clone();
            s.add_coding(start, end, c);
        }
        p.sources.push(s);
    }
    for (i, (text, target, kind)) in plan.notes.iter().enumerate() {
        let target = match (kind, target) {
            (_, None) => None,
            (0, _) => Some(NoteTarget::Project),
            (1, Some(c)) => Some(NoteTarget::Code(ids[c % ids.len()].clone())),
            (_, Some(x)) if !p.sources.is_empty() => {
                let s = &p.sources[x % p.sources.len()];
                if *kind == 2 {
                    Some(NoteTarget::Source(s.key.clone()))
                } else {
                    let n = s.text.chars().count();
                    Some(NoteTarget::Selection {
                        source: s.key.clone(),
                        start: x % (n + 1) / 2,
                        end: x % (n + 1),
                    })
                }
            }
            _ => None,
        };
        p.notes.push(Note {
            key: format!("M{i}"),
            name: text.clone(),
            text: text.clone(),
            author: Some(USERS[i % 3].to_owned()),
            created: None,
            targets: target.into_iter().collect(),
            guid: None,
        });
    }
    p
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn model_qdpx_model(plan in plan()) {
        let p = build(&plan);
        let bytes = export(&p);
        let (mut back, report) = read(&bytes).unwrap();
        prop_assert!(report.unplaced.is_empty(), "{:?}", report.unplaced);
        prop_assert_eq!(normalize(&back), normalize(&p));
        for (s, b) in p.sources.iter().zip(&back.sources) {
            prop_assert_eq!(s.text.as_bytes(), b.text.as_bytes());
        }
        back.key = p.key.clone();
        prop_assert!(export(&back) == bytes, "the re-export differs");
    }
}
