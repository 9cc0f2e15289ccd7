//! Unit tests of the index: search, filters, groups, deletes, prefixes, schema checks.

use std::collections::{BTreeMap, BTreeSet};

use ambit_core::{
    parse_attr, parse_month, parse_speaker, Date, DocFilter, DocId, DocKind, Document, PassageId,
    Placement, TimelineKey, NO_SPEAKER,
};
use tantivy::schema::{Schema, STRING};

use crate::highlight::tokens;
use crate::language::raw_analyzer;
use crate::staging::BuildLock;
use crate::{
    Catalogue, DocInfo, Error, Filter, GroupBy, GroupKey, Index, Query, Record, Sort, Staging,
    Stemming,
};

/// (doc, kind, phase, placement, date, attributes)
type DocRow = (
    u32,
    DocKind,
    &'static str,
    Placement,
    Option<&'static str>,
    &'static [(&'static str, &'static str)],
);
const DOCS: &[DocRow] = &[
    (
        1,
        DocKind::Workshop,
        "I1",
        Placement::Phase(1),
        Some("2013-03-20"),
        &[("org", "o1")],
    ),
    (
        2,
        DocKind::Interview,
        "baseline",
        Placement::Phase(0),
        Some("2013-02-01"),
        &[("org", "o0")],
    ),
    (
        3,
        DocKind::Workshop,
        "unphased",
        Placement::Unphased,
        None,
        &[("org", "o1")],
    ),
    // Undated, so first within I1; without `org`; numbered past 9, so documents sort
    // by number, not as text.
    (
        10,
        DocKind::Observation,
        "I1",
        Placement::Phase(1),
        None,
        &[],
    ),
];

/// (doc, ordinal, speaker, text, codes)
type PassageRow = (
    u32,
    u32,
    Option<&'static str>,
    &'static str,
    &'static [&'static str],
);
const PASSAGES: &[PassageRow] = &[
    (
        1,
        1,
        Some("Kari"),
        "We order spare parts by phone.",
        &["kb", "kb.semantic"],
    ),
    (
        1,
        2,
        Some("Åsa"),
        "The map of the process helps coordination.",
        &[],
    ),
    (2, 1, Some("Kari"), "Orders get lost in e-mail.", &["kb"]),
    (3, 1, None, "Työ jatkuu: coordinating the orders.", &[]),
    (10, 1, None, "Ordering new forms.", &[]),
];

fn catalogue() -> Catalogue {
    let mut cat = Catalogue::default();
    for &(id, kind, phase, placement, date, attrs) in DOCS {
        let doc = Document {
            id: DocId(id),
            title: format!("doc {id}"),
            kind,
            date: date.map(|d| Date::parse(d).unwrap()),
            phase: None,
            source: String::new(),
            attributes: attrs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        };
        cat.insert(DocInfo {
            timeline: TimelineKey::new(placement, doc.date, doc.id),
            phase: phase.into(),
            doc,
        });
    }
    cat
}

fn index() -> (Index, Catalogue) {
    let ix = Index::create_in_ram(Stemming::for_language("en").unwrap()).unwrap();
    let mut w = ix.writer().unwrap();
    for &(doc, ordinal, speaker, text, codes) in PASSAGES {
        let codes: Vec<String> = codes.iter().map(|c| c.to_string()).collect();
        w.add(&Record {
            passage: PassageId {
                doc: DocId(doc),
                ordinal,
            },
            text,
            speaker,
            codes: &codes,
        })
        .unwrap();
    }
    w.commit(3).unwrap();
    (ix, catalogue())
}

/// Hits in the order searched (by passage id for relevance, whose order is the scores').
fn check(query: &str, filter: Filter, sort: Sort, expected: &[&str]) {
    let (ix, cat) = index();
    let q = Query::parse(query).unwrap();
    let mut got: Vec<PassageId> = ix
        .search(&q, &filter, &cat, sort, None)
        .unwrap()
        .into_iter()
        .map(|h| h.passage)
        .collect();
    if sort == Sort::Relevance {
        got.sort();
    }
    let got: Vec<String> = got.iter().map(PassageId::to_string).collect();
    assert_eq!(got, expected, "{query:?} {filter:?}");
    assert_eq!(ix.count(&q, &filter, &cat).unwrap(), got.len() as u64);
}

/// A filter as the flags would give it: `phase=I1`, `kind=workshop`, `doc=D3`,
/// `attr=org=o1`, `month=2013-03` or `month=undated`, `speaker=Kari`, `code=kb`.
fn filter(conditions: &[&str]) -> Filter {
    let mut f = Filter::default();
    for c in conditions {
        let (flag, value) = c.split_once('=').unwrap();
        let d: &mut DocFilter = &mut f.doc;
        match flag {
            "phase" => d.phases.push(value.into()),
            "kind" => d.kinds.push(DocKind::parse(value).unwrap()),
            "doc" => d.docs.push(DocId::parse(value).unwrap()),
            "attr" => d.attrs.push(parse_attr(value).unwrap()),
            "month" => d.months.push(parse_month(value).unwrap()),
            "speaker" => d.speakers.push(parse_speaker(value)),
            "code" => f.codes.push(value.into()),
            other => panic!("no flag {other}"),
        }
    }
    f
}

#[test]
fn searches() {
    let all = Filter::default;
    check(
        "order",
        all(),
        Sort::Relevance,
        &["D1:1", "D2:1", "D3:1", "D10:1"],
    );
    check(
        "order",
        all(),
        Sort::Time,
        &["D2:1", "D10:1", "D1:1", "D3:1"],
    );
    check("coordinat*", all(), Sort::Time, &["D1:2", "D3:1"]);
    check("työ", all(), Sort::Time, &["D3:1"]);
    check("NOT order", all(), Sort::Time, &["D1:2"]);
}

#[test]
fn filters() {
    let no_speaker = format!("speaker={NO_SPEAKER}");
    let cases: &[(&str, &[&str], &[&str])] = &[
        (
            "order",
            &["phase=I1", "phase=baseline"],
            &["D2:1", "D10:1", "D1:1"],
        ),
        ("order", &["phase=unphased"], &["D3:1"]),
        ("order", &["speaker=Kari"], &["D2:1", "D1:1"]),
        ("order", &[&no_speaker], &["D10:1", "D3:1"]),
        (
            "order",
            &["speaker=Kari", &no_speaker],
            &["D2:1", "D10:1", "D1:1", "D3:1"],
        ),
        ("order OR map", &["speaker=Åsa", "phase=baseline"], &[]),
        ("order", &["code=kb"], &["D2:1", "D1:1"]),
        ("order", &["phase=I1", "code=kb.semantic"], &["D1:1"]),
        (
            "order OR map",
            &["attr=org=o1", "kind=workshop"],
            &["D1:1", "D1:2", "D3:1"],
        ),
        // The same key twice: either value.
        (
            "order",
            &["attr=org=o1", "attr=org=o0"],
            &["D2:1", "D1:1", "D3:1"],
        ),
        // `(none)`: the attribute is missing.
        ("order", &["attr=org=(none)"], &["D10:1"]),
        (
            "order",
            &["attr=org=(none)", "attr=org=o0"],
            &["D2:1", "D10:1"],
        ),
        (
            "order",
            &["attr=org=o1", "attr=role=(none)"],
            &["D1:1", "D3:1"],
        ),
        ("order", &["month=2013-03"], &["D1:1"]),
        ("order", &["month=undated"], &["D10:1", "D3:1"]),
        (
            "order",
            &["month=2013-02", "month=undated", "kind=interview"],
            &["D2:1"],
        ),
        ("order", &["doc=D10", "doc=D2"], &["D2:1", "D10:1"]),
        ("order", &["doc=D10", "kind=workshop"], &[]),
    ];
    for (query, conditions, expected) in cases {
        check(query, filter(conditions), Sort::Time, expected);
    }
}

/// Whatever the filter, the index gives what the core filter's own `passes` and
/// `passes_speaker` select from the same passages: one meaning everywhere.
#[test]
fn filters_agree_with_the_core_filter() {
    let (ix, cat) = index();
    let q = Query::parse("NOT zebra").unwrap();
    let no_speaker = format!("speaker={NO_SPEAKER}");
    for conditions in [
        &["phase=I1"][..],
        &["attr=org=o1", "attr=org=(none)"],
        &["attr=org=(none)"],
        &["month=undated", "speaker=Kari"],
        &[&no_speaker, "kind=observation", "kind=workshop"],
        &["speaker=Åsa", &no_speaker, "month=2013-03"],
    ] {
        let f = filter(conditions);
        let found: BTreeSet<PassageId> = ix
            .search(&q, &f, &cat, Sort::Time, None)
            .unwrap()
            .into_iter()
            .map(|h| h.passage)
            .collect();
        let expected: BTreeSet<PassageId> = PASSAGES
            .iter()
            .filter(|&&(doc, _, speaker, _, _)| {
                let info = cat.get(DocId(doc)).unwrap();
                f.doc.passes(&info.doc, &info.phase) && f.doc.passes_speaker(speaker)
            })
            .map(|&(doc, ordinal, ..)| PassageId {
                doc: DocId(doc),
                ordinal,
            })
            .collect();
        assert_eq!(found, expected, "{conditions:?}");
    }
}

#[test]
fn groups() {
    let (ix, cat) = index();
    let q = Query::parse("order OR map").unwrap();
    let show = |by: GroupBy| -> Vec<(Option<GroupKey>, u64, u64)> {
        ix.group(&q, &Filter::default(), &cat, &by)
            .unwrap()
            .into_iter()
            .map(|g| (g.key, g.passages, g.docs))
            .collect()
    };
    let phase = |x: &str| Some(GroupKey::Phase(x.to_string()));
    assert_eq!(
        show(GroupBy::Phase),
        [
            (phase("I1"), 3, 2),
            (phase("baseline"), 1, 1),
            (phase("unphased"), 1, 1)
        ]
    );
    let kind = |k| Some(GroupKey::Kind(k));
    assert_eq!(
        show(GroupBy::Kind),
        [
            (kind(DocKind::Interview), 1, 1),
            (kind(DocKind::Workshop), 3, 2),
            (kind(DocKind::Observation), 1, 1)
        ]
    );
    let speaker = |x: &str| Some(GroupKey::Speaker(x.to_string()));
    assert_eq!(
        show(GroupBy::Speaker),
        [
            (None, 2, 2),
            (speaker("Kari"), 2, 2),
            (speaker("Åsa"), 1, 1)
        ]
    );
    let doc = |n| Some(GroupKey::Doc(DocId(n)));
    assert_eq!(
        show(GroupBy::Doc),
        [
            (doc(1), 2, 1),
            (doc(2), 1, 1),
            (doc(3), 1, 1),
            (doc(10), 1, 1)
        ]
    );
    let attr = |x: &str| Some(GroupKey::Attr(x.to_string()));
    assert_eq!(
        show(GroupBy::Attr("org".into())),
        [(None, 1, 1), (attr("o0"), 1, 1), (attr("o1"), 3, 2)]
    );
    // Keys print as the tables show them.
    let printed: Vec<String> = [doc(10), kind(DocKind::Workshop), phase("I1")]
        .into_iter()
        .flatten()
        .map(|k| k.to_string())
        .collect();
    assert_eq!(printed, ["D10", "workshop", "I1"]);
}

#[test]
fn replaces_a_document() {
    let (ix, cat) = index();
    let mut w = ix.writer().unwrap();
    w.delete_doc(DocId(1));
    w.commit(4).unwrap();
    assert_eq!(ix.len(), 3);
    assert_eq!(ix.revision().unwrap(), Some(4));
    // Its words are gone from prefix searches too, though still in the dictionary.
    let q = Query::parse("coordinat*").unwrap();
    let hits = ix
        .search(&q, &Filter::default(), &cat, Sort::Time, None)
        .unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].passage.to_string(), "D3:1");
    assert!(ix.words_starting("map").unwrap().is_empty());
}

#[test]
fn an_index_of_another_schema_is_corrupt_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let mut b = Schema::builder();
    b.add_text_field("text", STRING);
    drop(tantivy::Index::create_in_dir(dir.path(), b.build()).unwrap());
    match Index::open(dir.path()) {
        Err(Error::Corrupt { message, .. }) => {
            assert!(message.contains("another version of Ambit"), "{message}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn vocabulary_holds_each_documents_words() {
    let (ix, _) = index();
    let words: Vec<String> = ix.words_starting("").unwrap().into_iter().collect();
    for w in [
        "coordination",
        "coordinating",
        "orders",
        "order",
        "työ",
        "e",
        "mail",
    ] {
        assert!(words.contains(&w.to_string()), "{w} in {words:?}");
    }
    assert!(
        !words.contains(&"coordin".to_string()),
        "stems are not words"
    );
    assert_eq!(
        ix.words_starting("or")
            .unwrap()
            .into_iter()
            .collect::<Vec<_>>(),
        ["order", "ordering", "orders"]
    );
}

#[test]
fn prefixes_stand_for_their_words() {
    let all = Filter::default;
    // "universit*" must find "university", whose stem "univers" does not start with it,
    // and "ski*" "skies" (stem "sky").
    let ix = Index::create_in_ram(Stemming::for_language("en").unwrap()).unwrap();
    let mut w = ix.writer().unwrap();
    for (i, text) in ["The university network", "a universe", "skies and skiing"]
        .iter()
        .enumerate()
    {
        w.add(&Record {
            passage: PassageId {
                doc: DocId(i as u32 + 1),
                ordinal: 1,
            },
            text,
            speaker: None,
            codes: &[],
        })
        .unwrap();
    }
    w.commit(1).unwrap();
    let cat = Catalogue::default();
    let found = |q: &str| -> Vec<String> {
        let q = Query::parse(q).unwrap();
        ix.search(&q, &all(), &cat, Sort::Time, None)
            .unwrap()
            .into_iter()
            .map(|f| f.passage.to_string())
            .collect()
    };
    // Stemming makes "university" and "universe" one word ("univers"); a prefix finds
    // what its words find, no more, no less.
    assert_eq!(found("universit*"), ["D1:1", "D2:1"]);
    assert_eq!(found("universit*"), found("university"));
    assert_eq!(found("universe*"), found("universe"));
    assert_eq!(found("ski*"), ["D3:1"]);
    assert_eq!(found("zzz*"), Vec::<String>::new());
    assert_eq!(found("NOT zzz*").len(), 3);
    let mut h = ix
        .highlighter(&Query::parse("universit*").unwrap())
        .unwrap();
    assert_eq!(h.ranges("The university network"), [[4, 14]]);
}

const WORDS: &[&str] = &[
    "order",
    "orders",
    "ordered",
    "ordinal",
    "organ",
    "organization",
    "organisations",
    "työ",
    "työtä",
    "tyyppi",
    "coordination",
    "coordinate",
    "cooperation",
    "university",
    "universe",
    "sky",
    "skies",
    "skiing",
    "Åsa",
    "åsa's",
    "e-mail",
    "x1",
    "x10",
];

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]

    /// A prefix finds exactly what searching each live word that starts with it finds,
    /// after documents were deleted and re-added over several commits.
    #[test]
    fn prefix_is_the_union_of_its_words(
        docs in proptest::collection::vec(
            proptest::collection::vec(
                proptest::collection::vec(0..WORDS.len(), 1..8), 1..6),
            1..8),
        deleted in proptest::collection::vec(0usize..8, 0..4),
        prefix in "(o|or|ord|org|organi|t|ty|työ|co|coo|u|univers|universit|s|sk|ski|å|x|x1|e)",
    ) {
        let ix = Index::create_in_ram(Stemming::for_language("en").unwrap()).unwrap();
        let text = |p: &Vec<usize>| -> String {
            p.iter().map(|&w| WORDS[w]).collect::<Vec<_>>().join(" ")
        };
        let mut live: BTreeMap<u32, Vec<String>> = BTreeMap::new();
        let mut w = ix.writer().unwrap();
        for (d, passages) in docs.iter().enumerate() {
            let d = d as u32 + 1;
            for (o, p) in passages.iter().enumerate() {
                let t = text(p);
                w.add(&Record {
                    passage: PassageId { doc: DocId(d), ordinal: o as u32 + 1 },
                    text: &t,
                    speaker: None,
                    codes: &[],
                }).unwrap();
            }
            live.insert(d, passages.iter().map(text).collect());
        }
        w.commit(1).unwrap();
        // Delete some documents and put one back shorter, in a second commit.
        let mut w = ix.writer().unwrap();
        for &d in &deleted {
            let d = d as u32 + 1;
            w.delete_doc(DocId(d));
            live.remove(&d);
        }
        if let Some(&d) = deleted.first() {
            let d = d as u32 + 1;
            if let Some(first) = docs.get(d as usize - 1).and_then(|p| p.first()) {
                let t = text(first);
                w.add(&Record {
                    passage: PassageId { doc: DocId(d), ordinal: 1 },
                    text: &t,
                    speaker: None,
                    codes: &[],
                }).unwrap();
                live.insert(d, vec![t]);
            }
        }
        w.commit(2).unwrap();
        let cat = Catalogue::default();
        let found = |q: &str| -> BTreeSet<String> {
            ix.search(&Query::parse(q).unwrap(), &Filter::default(), &cat, Sort::Time, None)
                .unwrap()
                .into_iter()
                .map(|f| f.passage.to_string())
                .collect()
        };
        // The live words starting with the prefix, as the analyzer splits and lowers them.
        let mut raw = raw_analyzer();
        let mut words = BTreeSet::new();
        for texts in live.values() {
            for t in texts {
                for (word, _, _) in tokens(&mut raw, t) {
                    if word.starts_with(prefix.as_str()) {
                        words.insert(word);
                    }
                }
            }
        }
        proptest::prop_assert_eq!(ix.words_starting(&prefix).unwrap(), words.clone());
        let mut union = BTreeSet::new();
        for word in &words {
            union.extend(found(word));
        }
        proptest::prop_assert_eq!(found(&format!("{prefix}*")), union);
    }
}

/// The entries of `parent` that builds of `parent/index` leave while they run.
fn build_leftovers(parent: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(parent)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".index.tmp-"))
        .collect();
    names.sort();
    names
}

fn one_passage(index: &Index) {
    let mut w = index.writer().unwrap();
    w.add(&Record {
        passage: PassageId {
            doc: DocId(1),
            ordinal: 1,
        },
        text: "An order.",
        speaker: None,
        codes: &[],
    })
    .unwrap();
    w.commit(1).unwrap();
}

#[test]
fn a_failed_build_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("index");
    {
        let staging = Staging::create(&target, Stemming::NONE).unwrap();
        one_passage(staging.index());
        assert!(staging.path().join("meta.json").is_file());
        assert_eq!(build_leftovers(dir.path()).len(), 2, "folder and lock");
        // This process builds it already.
        assert!(matches!(
            Staging::create(&target, Stemming::NONE),
            Err(Error::Busy)
        ));
        // Dropped unfinished: what an error half-way through a build does.
    }
    assert_eq!(build_leftovers(dir.path()), Vec::<String>::new());
    assert!(!target.exists());

    // The swap fails: a file stands where the index folder goes.
    std::fs::write(&target, "not an index").unwrap();
    let staging = Staging::create(&target, Stemming::NONE).unwrap();
    one_passage(staging.index());
    match staging.finish() {
        Err(Error::Io { path, .. }) => assert_eq!(path, target),
        other => panic!("{other:?}"),
    }
    assert_eq!(build_leftovers(dir.path()), Vec::<String>::new());
}

#[test]
fn a_build_removes_what_killed_builds_left_and_spares_running_ones() {
    let dir = tempfile::tempdir().unwrap();
    let at = |name: &str| dir.path().join(name);
    let target = at("index");
    // A killed build: its half-written folder and its lock file, unlocked by the OS.
    std::fs::create_dir(at(".index.tmp-4000000")).unwrap();
    std::fs::write(at(".index.tmp-4000000/meta.json"), "{").unwrap();
    std::fs::write(at(".index.tmp-4000000.lock"), "").unwrap();
    // One killed before it took a lock (or written by an older Ambit).
    std::fs::create_dir(at(".index.tmp-4000002")).unwrap();
    // A build that is still running, in another process: its lock is held.
    std::fs::create_dir(at(".index.tmp-4000001")).unwrap();
    let running = BuildLock::acquire(dir.path(), ".index.tmp-4000001")
        .unwrap()
        .unwrap();

    let staging = Staging::create(&target, Stemming::NONE).unwrap();
    one_passage(staging.index());
    let index = staging.finish().unwrap();
    assert_eq!(index.len(), 1);
    assert_eq!(
        build_leftovers(dir.path()),
        [".index.tmp-4000001", ".index.tmp-4000001.lock"]
    );
    // That process dies: the OS releases its lock, its files stay.
    drop(running);
    let staging = Staging::create(&target, Stemming::NONE).unwrap();
    one_passage(staging.index());
    staging.finish().unwrap();
    assert_eq!(build_leftovers(dir.path()), Vec::<String>::new());
    assert_eq!(Index::open(&target).unwrap().len(), 1);
}

/// The same passages written in a different order over several commits (so in other
/// segments) give the same relevance hits, ties broken by passage id: outputs are
/// reproducible whatever the indexing threads did.
#[test]
fn equal_scores_come_in_passage_order() {
    let write = |order: &[usize], commits: usize| {
        let ix = Index::create_in_ram(Stemming::for_language("en").unwrap()).unwrap();
        for (k, chunk) in order.chunks(order.len().div_ceil(commits)).enumerate() {
            let mut w = ix.writer().unwrap();
            for &i in chunk {
                w.add(&Record {
                    passage: PassageId {
                        doc: DocId(1 + (i / 10) as u32),
                        ordinal: 1 + (i % 10) as u32,
                    },
                    text: "the same words in every passage",
                    speaker: None,
                    codes: &[],
                })
                .unwrap();
            }
            w.commit(k as u64).unwrap();
        }
        ix
    };
    let forward: Vec<usize> = (0..40).collect();
    let backward: Vec<usize> = (0..40).rev().collect();
    let cat = Catalogue::default();
    let q = Query::parse("words").unwrap();
    let hits = |ix: &Index, limit| -> Vec<String> {
        ix.search(&q, &Filter::default(), &cat, Sort::Relevance, limit)
            .unwrap()
            .iter()
            .map(|h| h.passage.to_string())
            .collect()
    };
    let one = write(&forward, 1);
    let many = write(&backward, 4);
    let first: Vec<String> = ["D1:1", "D1:2", "D1:3", "D1:4", "D1:5"]
        .map(String::from)
        .to_vec();
    assert_eq!(hits(&one, Some(5)), first);
    assert_eq!(hits(&many, Some(5)), first);
    assert_eq!(hits(&one, None), hits(&many, None));
    // The total counted in the same pass is the count, whatever the limit and order;
    // the hits are those of a search.
    let f = Filter::default();
    for ix in [&one, &many] {
        let count = ix.count(&q, &f, &cat).unwrap();
        assert_eq!(count, 40);
        for sort in [Sort::Relevance, Sort::Time] {
            for limit in [None, Some(0), Some(5), Some(40), Some(100)] {
                let (found, total) = ix.search_counted(&q, &f, &cat, sort, limit).unwrap();
                assert_eq!(total, count, "{sort:?} {limit:?}");
                let plain = ix.search(&q, &f, &cat, sort, limit).unwrap();
                assert_eq!(found.len(), plain.len());
                assert!(found
                    .iter()
                    .zip(&plain)
                    .all(|(a, b)| a.passage == b.passage));
            }
        }
    }
}
