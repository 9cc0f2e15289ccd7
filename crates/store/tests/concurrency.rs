//! Several connections writing one store at once: every write waits its turn, none fails
//! with "database is locked".
#![allow(clippy::unwrap_used)]

use ambit_core::{DocId, DocKind, Origin};
use ambit_store::{CodingFilter, NewCoding, NewDocument, NewPassage};
use std::collections::BTreeMap;

mod backend;
use backend::{each, init, Opener};

const CODERS: usize = 2;
const CODINGS_EACH: usize = 300;

fn document(chars: usize) -> NewDocument {
    let text = "x".repeat(chars);
    NewDocument {
        title: "long".into(),
        kind: DocKind::Interview,
        date: None,
        phase: None,
        source: "long.txt".into(),
        content_hash: "hash".into(),
        format: "txt".into(),
        encoding: "UTF-8".into(),
        passages: vec![NewPassage {
            span: ambit_core::PassageSpan {
                start: 0,
                end: chars,
                speaker: None,
                start_ms: None,
                end_ms: None,
                page: None,
                ..Default::default()
            },
            words: 1,
        }],
        words: ambit_core::text::word_count(&text),
        text,
        original: None,
        attributes: BTreeMap::new(),
    }
}

fn coding(start: usize, coder: &str, origin: Origin) -> NewCoding {
    NewCoding {
        doc: DocId(1),
        start,
        end: start + 1,
        code: "kb".into(),
        coder: coder.into(),
        origin,
        memo: None,
    }
}

/// Two coders adding codings one by one (each a read, then a write) while auto-coding
/// replaces thousands of codings: with deferred transactions about one in twenty of the
/// coders' writes failed at once, without waiting.
#[test]
fn writers_wait_for_each_other() {
    each(|b| {
        let mut p = init(b, "t");
        p.store.insert_document(&document(20_000)).unwrap();
        let db = &p.opener();
        std::thread::scope(|s| {
            let coders: Vec<_> = (0..CODERS)
                .map(|c| s.spawn(move || add_one_by_one(db, c)))
                .collect();
            let auto = s.spawn(|| {
                let mut store = db.open_store();
                let rules: Vec<NewCoding> = (0..20_000)
                    .map(|i| coding(i % 19_999, "auto", Origin::Rule("r".into())))
                    .collect();
                for _ in 0..3 {
                    store.replace_rule_codings("auto", None, &rules).unwrap();
                }
            });
            for c in coders {
                let failures = c.join().unwrap();
                assert!(
                    failures.is_empty(),
                    "{} failed: {:?}",
                    failures.len(),
                    failures.first()
                );
            }
            auto.join().unwrap();
        });
        let store = db.open_store();
        let all = store.codings(&CodingFilter::default()).unwrap();
        let manual = all.iter().filter(|c| c.origin == Origin::Manual).count();
        assert_eq!(manual, CODERS * CODINGS_EACH);
        assert_eq!(all.len() - manual, 20_000);
    });
}

/// Adds this coder's codings, each on its own connection as a command would; returns the
/// errors.
fn add_one_by_one(db: &Opener, coder: usize) -> Vec<String> {
    let mut failures = Vec::new();
    for i in 0..CODINGS_EACH {
        let mut store = db.open_store();
        let added = store.add_coding(&coding(i, &format!("coder{coder}"), Origin::Manual));
        if let Err(e) = added {
            failures.push(e.to_string());
        }
    }
    failures
}
