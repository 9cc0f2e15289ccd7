//! The store's side of the team-store benchmark (`benches/pg/`): what `ambit autocode`
//! writes (400,000 rule codings in one transaction), what `ambit table freq` reads (every
//! passage and coding as columns), and the latency of one manual coding on a new
//! connection (what one `ambit code` does besides starting the process), on SQLite and on
//! PostgreSQL.
//!
//! `cargo run --release -p ambit-store --example bench_store -- [postgres://…/db]`
//! (without a URL: SQLite in a temporary folder; with one: a new project on that server,
//! dropped afterwards).
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::time::Instant;

use ambit_core::{DocKind, Origin, PassageSpan};
use ambit_store::{NewCoding, NewDocument, NewPassage, Origins, Store, StoreUrl};

const DOCS: usize = 100;
const PASSAGES: usize = 200;
const CODINGS: usize = 400_000;
const LATENCY_RUNS: usize = 200;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let url = std::env::args().nth(1).map(|base| {
        let sep = if base.contains('?') { '&' } else { '?' };
        StoreUrl::parse(&format!("{base}{sep}project=bench_{}", std::process::id())).unwrap()
    });
    let path = dir.path().join("store.db");
    let open = || -> ambit_store::Result<Store> {
        match &url {
            Some(u) => Store::open_server(u, None),
            None => Store::open(&path),
        }
    };
    let mut store = match &url {
        Some(u) => Store::create_server(u, None)?,
        None => Store::open_or_create(&path)?,
    };
    println!(
        "backend: {}",
        url.as_ref()
            .map_or("SQLite (temporary file)", |u| u.shown())
    );
    let text = "word ".repeat(2000);
    let mut ids = Vec::new();
    let t = Instant::now();
    for i in 0..DOCS {
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
                passages: (0..PASSAGES)
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
    println!(
        "insert {DOCS} documents × {PASSAGES} passages, one transaction each: {:.3} s",
        t.elapsed().as_secs_f64()
    );
    let codings: Vec<NewCoding> = (0..CODINGS)
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
    for round in 1..=2 {
        let t = Instant::now();
        store.replace_rule_codings("rules", None, &codings)?;
        println!(
            "replace_rule_codings, {CODINGS} codings in one transaction (round {round}): {:.3} s",
            t.elapsed().as_secs_f64()
        );
    }
    for _ in 0..3 {
        let t = Instant::now();
        let cs = store.coding_columns()?;
        let ps = store.passage_columns()?;
        let columns = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let mut n = 0usize;
        store.for_each_coding_row(None, Origins::All, |r| -> ambit_store::Result<()> {
            n += r.code.len();
            Ok(())
        })?;
        println!(
            "coding_columns + passage_columns ({} codings, {} passages): {columns:.3} s; for_each_coding_row: {:.3} s",
            cs.len(),
            ps.len(),
            t.elapsed().as_secs_f64()
        );
    }
    let mut times = Vec::new();
    for i in 0..LATENCY_RUNS {
        let t = Instant::now();
        let mut s = open()?;
        s.add_coding(&NewCoding {
            doc: ids[i % ids.len()],
            start: i,
            end: i + 3,
            code: "kb".into(),
            coder: "ann".into(),
            origin: Origin::Manual,
            memo: None,
        })?;
        drop(s);
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "one manual coding on a new connection ({LATENCY_RUNS} runs): median {:.2} ms, p95 {:.2} ms",
        times[times.len() / 2],
        times[times.len() * 95 / 100]
    );
    if let Some(u) = &url {
        drop(store);
        let mut c = postgres::Client::connect(&std::env::args().nth(1).unwrap(), postgres::NoTls)?;
        c.batch_execute(&format!("DROP SCHEMA {} CASCADE", u.schema()))?;
    }
    Ok(())
}
