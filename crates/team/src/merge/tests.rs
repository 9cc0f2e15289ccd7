//! Merge planning cases: small projects as data, and properties over random ones.

use super::*;
use proptest::prelude::*;

fn doc(id: u32, hash: &str, title: &str) -> Document {
    Document {
        id: DocId(id),
        hash: hash.to_string(),
        title: title.to_string(),
        chars: 100,
    }
}

fn code(id: &str, name: &str, parent: Option<&str>) -> Code {
    Code {
        id: id.to_string(),
        name: name.to_string(),
        parent: parent.map(str::to_string),
        definition: None,
    }
}

fn coding(doc: &str, start: usize, end: usize, code: &str, coder: &str) -> Coding {
    Coding {
        doc: doc.to_string(),
        start,
        end,
        code: code.to_string(),
        coder: coder.to_string(),
        origin: Origin::Manual,
        memo: None,
    }
}

fn memo(target: MemoTarget, author: &str, text: &str) -> Memo {
    Memo {
        target,
        author: author.to_string(),
        created: "2024-05-01T10:00:00Z".to_string(),
        text: text.to_string(),
    }
}

/// The store after carrying out `plan`, as the caller would.
fn apply(ours: &Project, plan: &MergePlan) -> Project {
    let mut p = ours.clone();
    for (i, d) in plan.documents.to_add.iter().enumerate() {
        p.documents.push(Document {
            id: DocId(1000 + i as u32),
            ..d.clone()
        });
    }
    let mut codes: HashMap<String, Code> = p.codes.drain(..).map(|c| (c.id.clone(), c)).collect();
    for c in plan
        .codes
        .updates
        .iter()
        .chain(plan.codes.new.iter().map(|n| &n.code))
    {
        codes.insert(c.id.clone(), c.clone());
    }
    p.codes = plan
        .codes
        .order
        .iter()
        .filter_map(|id| codes.get(id).cloned())
        .collect();
    p.codings
        .extend(plan.codings.iter().map(|c| c.coding.clone()));
    p.memos
        .extend(plan.memos.add.iter().map(|m| m.memo.clone()));
    p
}

fn ours() -> Project {
    Project {
        documents: vec![doc(1, "h1", "Interview 1"), doc(2, "h2", "Interview 2")],
        codes: vec![
            code("kb", "Knowledge", None),
            code("kb.exp", "Exploration", Some("kb")),
            code("kb.expl", "Exploitation", Some("kb")),
        ],
        codings: vec![coding("h1", 0, 10, "kb.exp", "anna")],
        memos: vec![memo(MemoTarget::Code { id: "kb".into() }, "anna", "Broad.")],
    }
}

fn theirs() -> Project {
    Project {
        documents: vec![
            doc(4, "h1", "Interview 1"),
            doc(5, "h2-edited", "Interview 2"),
            doc(6, "h3", "Workshop 1"),
        ],
        codes: vec![
            code("kb", "Knowledge", None),
            code("kb.exp", "Exploration", Some("kb")),
            code("kb.new", "Recombination", Some("kb")),
            code("kb.expl", "Exploitation", Some("kb")),
            code("org", "Organisation", None),
        ],
        codings: vec![
            coding("h1", 0, 10, "kb.exp", "anna"),
            coding("h1", 0, 10, "kb.exp", "ben"),
            coding("h1", 12, 30, "kb.new", "ben"),
            coding("h1", 12, 30, "kb.new", "ben"),
            coding("h1", 40, 200, "kb.exp", "ben"),
            coding("h1", 40, 50, "gone", "ben"),
            coding("h2-edited", 0, 5, "kb.exp", "ben"),
            coding("h3", 0, 5, "org", "ben"),
            coding("h3", 5, 9, "org", "cleo"),
        ],
        memos: vec![
            memo(MemoTarget::Code { id: "kb".into() }, "anna", "Broad."),
            memo(
                MemoTarget::Doc { doc: "h1".into() },
                "ben",
                "Long interview.",
            ),
            memo(
                MemoTarget::Passage {
                    doc: "h3".into(),
                    ordinal: 2,
                },
                "cleo",
                "Key turn.",
            ),
            memo(MemoTarget::Code { id: "nope".into() }, "ben", "?"),
        ],
    }
}

#[test]
fn plans_documents_codes_codings_and_memos() {
    let plan = plan_merge(&ours(), &theirs(), &MergeOptions::default()).unwrap();
    assert_eq!(
        plan.documents.matched,
        [DocMatch {
            theirs: DocId(4),
            ours: DocId(1),
            hash: "h1".into()
        }]
    );
    assert_eq!(
        plan.documents.changed,
        [ChangedDoc {
            title: "Interview 2".into(),
            theirs: DocId(5),
            ours: DocId(2)
        }]
    );
    assert_eq!(plan.documents.missing, [doc(6, "h3", "Workshop 1")]);
    assert!(plan.documents.to_add.is_empty());

    let new: Vec<(&str, Option<&str>)> = plan
        .codes
        .new
        .iter()
        .map(|n| (n.code.id.as_str(), n.after.as_deref()))
        .collect();
    assert_eq!(new, [("kb.new", Some("kb.exp")), ("org", Some("kb.expl"))]);
    assert_eq!(
        plan.codes.order,
        ["kb", "kb.exp", "kb.new", "kb.expl", "org"]
    );

    let added: Vec<(&str, usize, &str, Option<DocId>)> = plan
        .codings
        .iter()
        .map(|c| {
            (
                c.coding.coder.as_str(),
                c.coding.start,
                c.coding.code.as_str(),
                c.ours_doc,
            )
        })
        .collect();
    assert_eq!(
        added,
        [
            ("ben", 0, "kb.exp", Some(DocId(1))),
            ("ben", 12, "kb.new", Some(DocId(1))),
        ]
    );
    /// Coder, added, present, skipped by reason, also here.
    type Summary<'a> = (&'a str, usize, usize, Vec<(SkipReason, usize)>, bool);
    let summary: Vec<Summary<'_>> = plan
        .coders
        .iter()
        .map(|s| {
            (
                s.coder.as_str(),
                s.added,
                s.present,
                s.skipped.iter().map(|(r, n)| (*r, *n)).collect(),
                s.also_here,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("anna", 0, 1, vec![], true),
            (
                "ben",
                2,
                1,
                vec![
                    (SkipReason::DocumentMissing, 1),
                    (SkipReason::DocumentChanged, 1),
                    (SkipReason::UnknownCode, 1),
                    (SkipReason::OutOfRange, 1),
                ],
                false
            ),
            ("cleo", 0, 0, vec![(SkipReason::DocumentMissing, 1)], false),
        ]
    );

    let memos: Vec<&str> = plan
        .memos
        .add
        .iter()
        .map(|m| m.memo.text.as_str())
        .collect();
    assert_eq!(memos, ["Long interview."]);
    assert_eq!(plan.memos.add[0].ours_doc, Some(DocId(1)));
    assert_eq!(plan.memos.present, 1);
    let skipped: Vec<(&str, SkipReason)> = plan
        .memos
        .skipped
        .iter()
        .map(|(m, r)| (m.text.as_str(), *r))
        .collect();
    assert_eq!(
        skipped,
        [
            ("Key turn.", SkipReason::DocumentMissing),
            ("?", SkipReason::UnknownCode)
        ]
    );
}

#[test]
fn adds_documents_when_asked() {
    let options = MergeOptions {
        documents: true,
        ..MergeOptions::default()
    };
    let plan = plan_merge(&ours(), &theirs(), &options).unwrap();
    assert_eq!(plan.documents.to_add, [doc(6, "h3", "Workshop 1")]);
    // A changed document is never added, documents or not.
    assert_eq!(plan.documents.changed.len(), 1);
    let into_new: Vec<(&str, Option<DocId>)> = plan
        .codings
        .iter()
        .filter(|c| c.coding.doc == "h3")
        .map(|c| (c.coding.coder.as_str(), c.ours_doc))
        .collect();
    assert_eq!(into_new, [("ben", None), ("cleo", None)]);
    assert_eq!(plan.memos.add.len(), 2);
}

#[test]
fn selects_coders() {
    let options = MergeOptions {
        coders: vec!["cleo".into()],
        documents: true,
        ..MergeOptions::default()
    };
    let plan = plan_merge(&ours(), &theirs(), &options).unwrap();
    assert!(plan.codings.iter().all(|c| c.coding.coder == "cleo"));
    assert_eq!(plan.codings.len(), 1);
    let ben = plan.coders.iter().find(|s| s.coder == "ben").unwrap();
    assert_eq!(ben.skipped.get(&SkipReason::CoderNotSelected), Some(&7));
    assert_eq!(plan.memos.add.len(), 1);
}

#[test]
fn lists_every_code_conflict_unless_a_side_is_preferred() {
    let mut theirs = theirs();
    theirs.codes[1].name = "Exploring".into();
    theirs.codes[1].definition = Some("Search, variation.".into());
    theirs.codes[3].parent = Some("org".into());
    // Whitespace and a missing vs empty definition are no conflict.
    theirs.codes[0].name = " Knowledge ".into();
    theirs.codes[0].definition = Some(String::new());
    let err = plan_merge(&ours(), &theirs, &MergeOptions::default()).unwrap_err();
    let message = err.to_string();
    assert!(message.starts_with("2 code conflicts"), "{message}");
    assert!(
        message.contains("`kb.exp`: name \"Exploration\" here, \"Exploring\" there; definition none here, \"Search, variation.\" there"),
        "{message}"
    );
    assert!(
        message.contains("`kb.expl`: parent \"kb\" here, \"org\" there"),
        "{message}"
    );
    assert!(message.contains("--prefer ours|theirs"), "{message}");
    let Error::CodeConflicts { conflicts, plan } = err else {
        panic!("{message}");
    };
    assert_eq!(conflicts.len(), 2);
    // The dry run still sees what would be added.
    assert_eq!(plan.codings.len(), 2);

    let prefer = |prefer| MergeOptions {
        prefer: Some(prefer),
        ..MergeOptions::default()
    };
    let plan = plan_merge(&ours(), &theirs, &prefer(Prefer::Theirs)).unwrap();
    let updated: Vec<&str> = plan.codes.updates.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(updated, ["kb.exp", "kb.expl"]);
    let plan = plan_merge(&ours(), &theirs, &prefer(Prefer::Ours)).unwrap();
    assert!(plan.codes.updates.is_empty());
    assert_eq!(plan.codes.conflicts.len(), 2);
}

#[test]
fn new_codes_keep_their_place() {
    let check = |ours: &[&str], theirs: &[&str], order: &[&str], after: &[(&str, Option<&str>)]| {
        let project = |ids: &[&str]| Project {
            codes: ids.iter().map(|id| code(id, id, None)).collect(),
            ..Project::default()
        };
        let plan = plan_merge(&project(ours), &project(theirs), &MergeOptions::default()).unwrap();
        assert_eq!(plan.codes.order, order, "{ours:?} + {theirs:?}");
        let got: Vec<(&str, Option<&str>)> = plan
            .codes
            .new
            .iter()
            .map(|n| (n.code.id.as_str(), n.after.as_deref()))
            .collect();
        assert_eq!(got, after);
    };
    check(
        &["a", "b", "c"],
        &["a", "x", "b", "y", "z", "c", "w"],
        &["a", "x", "b", "y", "z", "c", "w"],
        &[
            ("x", Some("a")),
            ("y", Some("b")),
            ("z", Some("y")),
            ("w", Some("c")),
        ],
    );
    check(&["a", "b"], &["n", "b"], &["n", "a", "b"], &[("n", None)]);
    check(
        &["a", "b"],
        &["b", "n", "a"],
        &["a", "b", "n"],
        &[("n", Some("b"))],
    );
    check(
        &[],
        &["p", "q"],
        &["p", "q"],
        &[("p", None), ("q", Some("p"))],
    );
}

#[test]
fn merging_twice_adds_nothing() {
    let options = MergeOptions {
        documents: true,
        prefer: Some(Prefer::Theirs),
        ..MergeOptions::default()
    };
    let mut theirs = theirs();
    theirs.codes[1].name = "Exploring".into();
    let first = plan_merge(&ours(), &theirs, &options).unwrap();
    assert!(!first.is_empty());
    let merged = apply(&ours(), &first);
    let second = plan_merge(&merged, &theirs, &options).unwrap();
    assert!(second.is_empty(), "{second:#?}");
    assert!(second.codes.conflicts.is_empty());
    assert_eq!(
        second.coders.iter().map(|s| s.present).sum::<usize>(),
        first
            .coders
            .iter()
            .map(|s| s.added + s.present)
            .sum::<usize>()
    );
}

#[test]
fn plans_serialise_for_json_reports() {
    let plan = plan_merge(&ours(), &theirs(), &MergeOptions::default()).unwrap();
    let json = serde_json::to_value(&plan).unwrap();
    assert_eq!(json["coders"][1]["skipped"]["document-missing"], 1);
    assert_eq!(json["codings"][0]["coding"]["origin"], "manual");
    assert_eq!(json["documents"]["matched"][0]["ours"], "D1");
}

fn arb_project() -> impl Strategy<Value = Project> {
    let hashes = ["h1", "h2", "h3"];
    let codes = ["a", "b", "c", "d"];
    let coders = ["anna", "ben"];
    (
        proptest::sample::subsequence(hashes.to_vec(), 0..=3),
        proptest::sample::subsequence(codes.to_vec(), 0..=4),
        proptest::collection::vec(
            (
                0usize..3,
                0usize..20,
                0usize..5,
                0usize..4,
                0usize..2,
                any::<bool>(),
            ),
            0..25,
        ),
    )
        .prop_map(move |(docs, codebook, rows)| Project {
            documents: docs
                .iter()
                .enumerate()
                .map(|(i, h)| doc(i as u32 + 1, h, &format!("Doc {h}")))
                .collect(),
            codes: codebook.iter().map(|id| code(id, id, None)).collect(),
            codings: rows
                .into_iter()
                .map(|(d, s, len, c, who, rule)| Coding {
                    origin: if rule {
                        Origin::Rule("r1".into())
                    } else {
                        Origin::Manual
                    },
                    ..coding(hashes[d], s, s + len, codes[c], coders[who])
                })
                .collect(),
            memos: Vec::new(),
        })
}

proptest! {
    #[test]
    fn merge_is_idempotent_and_keeps_coders(ours in arb_project(), theirs in arb_project()) {
        let options = MergeOptions { documents: true, ..MergeOptions::default() };
        let plan = plan_merge(&ours, &theirs, &options).unwrap();
        // Every planned coding is one of theirs, unchanged: same coder, same everything.
        for c in &plan.codings {
            prop_assert!(theirs.codings.contains(&c.coding));
        }
        // Each coder's summary adds up to their codings.
        for s in &plan.coders {
            let n = theirs.codings.iter().filter(|c| c.coder == s.coder).count();
            prop_assert_eq!(s.added + s.present + s.skipped.values().sum::<usize>(), n);
        }
        let merged = apply(&ours, &plan);
        let again = plan_merge(&merged, &theirs, &options).unwrap();
        prop_assert!(again.codings.is_empty() && again.is_empty());
    }
}
