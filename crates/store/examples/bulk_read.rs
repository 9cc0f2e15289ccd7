//! Times the store's bulk reads on a generated project: `cargo run --release -p ambit-store
//! --example bulk_read [STORE_URL]` (SQLite in a temporary folder without a URL).
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::time::Instant;

use ambit_core::{DocKind, Origin, PassageSpan};
use ambit_store::{NewCoding, NewDocument, NewPassage, Origins, Store};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let mut store = Store::open_or_create(&dir.path().join("store.db"))?;
    let text = "word ".repeat(2000);
    let mut ids = Vec::new();
    for i in 0..100 {
        ids.push(
            store.insert_document(&NewDocument {
                title: format!("d{i}"),
                kind: DocKind::Interview,
                date: None,
                phase: None,
                source: format!("d{i}.txt"),
                content_hash: format!("h{i}"),
                format: "txt".into(),
                encoding: "UTF-8".into(),
                text: text.clone(),
                words: 2000,
                attributes: BTreeMap::new(),
                passages: (0..200)
                    .map(|p| NewPassage {
                        span: PassageSpan {
                            speaker: Some(if p % 2 == 0 { "I" } else { "R" }.into()),
                            ..PassageSpan::new(p * 50, p * 50 + 49)
                        },
                        words: 10,
                    })
                    .collect(),
                original: None,
            })?,
        );
    }
    let codings: Vec<NewCoding> = (0..400_000)
        .map(|i| NewCoding {
            doc: ids[i % ids.len()],
            start: (i / 100) % 9000,
            end: (i / 100) % 9000 + 5,
            code: format!("c{}", i % 40),
            coder: "rules".into(),
            origin: Origin::Rule(format!("c{}.1", i % 40)),
            memo: None,
        })
        .collect();
    let t = Instant::now();
    store.replace_rule_codings("rules", None, &codings)?;
    println!("write 400000 codings: {:.3} s", t.elapsed().as_secs_f64());
    for _ in 0..3 {
        let t = Instant::now();
        let cs = store.coding_columns()?;
        let ps = store.passage_columns()?;
        let mut n = 0usize;
        store.for_each_coding_row(None, Origins::All, |r| -> Result<(), ambit_store::Error> {
            n += r.code.len();
            Ok(())
        })?;
        println!(
            "coding_columns + passage_columns + for_each_coding_row ({} codings, {} passages, {n}): {:.3} s",
            cs.len(),
            ps.len(),
            t.elapsed().as_secs_f64()
        );
    }
    Ok(())
}
