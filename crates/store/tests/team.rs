//! Team-work writes of the store: work brought in once, documents removed with what they
//! carry, re-anchored replacement refused when its plan is wrong. Refused writes leave the
//! store as it was.
#![allow(clippy::unwrap_used)]

use ambit_core::{CodingStatus, DocId, DocKind, Origin};
use ambit_store::{
    CodingFilter, DocRef, Error, Incoming, IncomingCoding, IncomingDocument, IncomingMemo,
    IncomingTarget, NewCoding, NewDocument, NewPassage, Project, Reanchor,
};

mod backend;
use backend::{each, init};

fn doc(title: &str, text: &str) -> NewDocument {
    NewDocument {
        title: title.into(),
        kind: DocKind::Interview,
        date: None,
        phase: None,
        source: format!("{title}.txt"),
        content_hash: format!("hash-of-{text}"),
        format: "txt".into(),
        encoding: "UTF-8".into(),
        text: text.into(),
        words: ambit_core::text::word_count(text),
        original: None,
        attributes: Default::default(),
        passages: vec![NewPassage {
            span: ambit_core::PassageSpan::new(0, text.chars().count()),
            words: 1,
        }],
    }
}

fn coding(doc: DocRef, start: usize, end: usize, status: CodingStatus) -> IncomingCoding {
    IncomingCoding {
        id: None,
        doc,
        start,
        end,
        code: "kb".into(),
        coder: "erik".into(),
        origin: Origin::Manual,
        created: Some("2013-03-20T10:00:00Z".into()),
        memo: None,
        status,
        quote: (status != CodingStatus::Ok).then(|| "old words".to_string()),
    }
}

fn all_codings(p: &Project) -> Vec<ambit_core::Coding> {
    p.store
        .codings(&CodingFilter {
            detached: true,
            ..Default::default()
        })
        .unwrap()
}

#[test]
fn incoming_work_is_added_once_and_keeps_free_ids() {
    each(|b| {
        let mut p = init(b, "t");
        let d1 = p
            .store
            .insert_document(&doc("a", "Päivi orders by phone."))
            .unwrap();
        let batch = Incoming {
            documents: vec![IncomingDocument {
                doc: doc("b", "The map helps."),
                id: Some(DocId(7)),
            }],
            codings: vec![
                IncomingCoding {
                    id: Some(40),
                    ..coding(DocRef::Existing(d1), 0, 5, CodingStatus::Ok)
                },
                coding(DocRef::New(0), 4, 7, CodingStatus::NeedsReview),
                coding(DocRef::Existing(d1), 0, 0, CodingStatus::Detached),
            ],
            memos: vec![IncomingMemo {
                target: IncomingTarget::Passage(DocRef::New(0), 1),
                author: "erik".into(),
                created: "2013-03-20T10:00:00Z".into(),
                text: "look".into(),
            }],
        };
        let added = p.store.add_incoming(&batch).unwrap();
        assert_eq!(added.documents, [DocId(7)]);
        assert_eq!((added.codings, added.memos), (3, 1));
        let codings = all_codings(&p);
        assert_eq!(codings.len(), 3);
        assert!(codings.iter().any(|c| c.id == 40 && c.doc == d1));
        let review = codings.iter().find(|c| c.doc == DocId(7)).unwrap();
        assert_eq!(review.status, CodingStatus::NeedsReview);
        assert_eq!(review.created, "2013-03-20T10:00:00Z");
        assert_eq!(p.store.memos().unwrap()[0].target, "passage:D7:1");
        // The detached coding is kept but not read as pointing at text.
        assert_eq!(p.store.codings(&CodingFilter::default()).unwrap().len(), 2);

        // The same work again: nothing added, nothing written. (The document is added again:
        // matching documents is the caller's work; its codings are then new.)
        let again = Incoming {
            documents: Vec::new(),
            codings: batch.codings[..1]
                .iter()
                .cloned()
                .chain([
                    coding(DocRef::Existing(DocId(7)), 4, 7, CodingStatus::NeedsReview),
                    coding(DocRef::Existing(d1), 0, 0, CodingStatus::Detached),
                ])
                .collect(),
            memos: vec![IncomingMemo {
                target: IncomingTarget::Passage(DocRef::Existing(DocId(7)), 1),
                ..batch.memos[0].clone()
            }],
        };
        let before = p.store.revision().unwrap();
        let added = p.store.add_incoming(&again).unwrap();
        assert_eq!((added.codings, added.codings_present), (0, 3));
        assert_eq!((added.memos, added.memos_present), (0, 1));
        assert_eq!(p.store.revision().unwrap(), before);

        // A coding outside its document refuses the whole batch.
        let bad = Incoming {
            documents: vec![IncomingDocument {
                doc: doc("c", "x"),
                id: None,
            }],
            codings: vec![coding(DocRef::Existing(d1), 0, 99, CodingStatus::Ok)],
            memos: Vec::new(),
        };
        assert!(p.store.add_incoming(&bad).is_err());
        assert_eq!(p.store.revision().unwrap(), before);
        assert_eq!(p.store.documents().unwrap().len(), 2);
    });
}

#[test]
fn removing_documents_takes_their_codings_and_memos_only() {
    each(|b| {
        let mut p = init(b, "t");
        for i in 1..=11 {
            p.store
                .insert_document(&doc(&format!("d{i}"), "some text here"))
                .unwrap();
        }
        for d in [1, 11] {
            p.store
                .add_coding(&NewCoding {
                    doc: DocId(d),
                    start: 0,
                    end: 4,
                    code: "kb".into(),
                    coder: "anna".into(),
                    origin: Origin::Manual,
                    memo: None,
                })
                .unwrap();
        }
        for target in [
            "doc:D1",
            "passage:D1:1",
            "passage:D11:1",
            "doc:D11",
            "code:kb",
        ] {
            p.store.add_memo(target, "anna", "note").unwrap();
        }
        let before = p.store.revision().unwrap();
        let err = p
            .store
            .remove_documents(&[DocId(1), DocId(12)])
            .unwrap_err();
        assert!(matches!(err, Error::NoSuchDocument(_)), "{err}");
        assert_eq!(p.store.revision().unwrap(), before);
        assert_eq!(p.store.documents().unwrap().len(), 11);

        let removed = p.store.remove_documents(&[DocId(1), DocId(1)]).unwrap();
        assert_eq!(
            (removed.documents, removed.codings, removed.memos),
            (1, 1, 2)
        );
        let left: Vec<String> = p
            .store
            .memos()
            .unwrap()
            .into_iter()
            .map(|m| m.target)
            .collect();
        assert_eq!(left, ["passage:D11:1", "doc:D11", "code:kb"]);
        assert_eq!(all_codings(&p).len(), 1);
        assert!(p.store.text(DocId(1)).is_err());
    });
}

#[test]
fn a_reanchoring_plan_that_misses_a_coding_changes_nothing() {
    each(|b| {
        let mut p = init(b, "t");
        let id = p.store.insert_document(&doc("a", "one two three")).unwrap();
        for (s, e) in [(0, 3), (4, 7)] {
            p.store
                .add_coding(&NewCoding {
                    doc: id,
                    start: s,
                    end: e,
                    code: "kb".into(),
                    coder: "anna".into(),
                    origin: Origin::Manual,
                    memo: None,
                })
                .unwrap();
        }
        let before = p.store.revision().unwrap();
        let codings = all_codings(&p);
        let place = |c: &ambit_core::Coding, range| Reanchor {
            id: c.id,
            range,
            needs_review: false,
            old_quote: String::new(),
        };
        let missing = p
            .store
            .replace_document_reanchored(id, &doc("a", "one two"), |_, cs| {
                Ok(vec![place(&cs[0], Some((0, 3)))])
            })
            .unwrap_err();
        assert!(missing.to_string().contains("placed codings"), "{missing}");
        let outside = p
            .store
            .replace_document_reanchored(id, &doc("a", "one two"), |_, cs| {
                Ok(vec![
                    place(&cs[0], Some((0, 3))),
                    place(&cs[1], Some((4, 9))),
                ])
            })
            .unwrap_err();
        assert!(
            outside.to_string().contains("outside the new text"),
            "{outside}"
        );
        assert_eq!(p.store.revision().unwrap(), before);
        assert_eq!(p.store.text(id).unwrap(), "one two three");
        assert_eq!(all_codings(&p), codings);
    });
}
