//! The web app's benchmark (a plain timing program, not criterion: the targets are
//! thresholds, not regression curves).
//!
//! 1. The reader page of one 100,000-word transcript with 2,000 codings: server time
//!    (request in, whole body out, in-process) and page weight.
//! 2. `POST /api/codings` on a project with 500,000 codings stored: p50 and p99.
//!
//! `cargo bench -p ambit-web --bench web -- [WORKDIR]` (see benches/web/run.sh).

use std::path::Path;
use std::time::{Duration, Instant};

use ambit_core::{DocId, Origin, PassageSpan};
use ambit_store::{NewCoding, NewDocument, NewPassage, Project};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use tower::ServiceExt;

const TOKEN: &str = "bench";

const WORDS: &[&str] = &[
    "order",
    "process",
    "map",
    "customer",
    "technician",
    "Päivi",
    "välillä",
    "the",
    "we",
    "call",
    "weekly",
    "priority",
    "—",
    "shared",
    "understanding",
    "Saimaa",
    "Norrvik",
    "and",
    "it",
    "was",
    "odd",
    "but",
    "now",
    "works",
    "👍",
    "asset",
    "code",
    "form",
];

const CODEBOOK: &str = "[codebook]\nname = \"Bench\"\n\n[[code]]\nid = \"kb\"\nname = \"Boundaries\"\ncolor = \"#4477AA\"\n\n[[code]]\nid = \"kb.semantic\"\nname = \"Semantic\"\n\n[[code]]\nid = \"kb.pragmatic\"\nname = \"Pragmatic\"\n\n[[code]]\nid = \"su\"\nname = \"Shared understanding\"\n\n[[code]]\nid = \"coord\"\nname = \"Coordination\"\n\n[[code]]\nid = \"coord.objects\"\nname = \"Objects\"\n";
const CODES: &[&str] = &[
    "kb",
    "kb.semantic",
    "kb.pragmatic",
    "su",
    "coord",
    "coord.objects",
];

/// A transcript of `turns` turns of `words_each` words, as stored text and passages.
fn transcript(turns: usize, words_each: usize, seed: usize) -> NewDocument {
    let mut text = String::new();
    let mut passages = Vec::with_capacity(turns);
    let mut chars = 0usize;
    for t in 0..turns {
        if t > 0 {
            text.push_str("\n\n");
            chars += 2;
        }
        let speaker = if t % 2 == 0 { "Päivi" } else { "Interviewer" };
        let label = format!("{speaker}: ");
        text.push_str(&label);
        chars += label.chars().count();
        let start = chars;
        let mut turn = String::new();
        for w in 0..words_each {
            if w > 0 {
                turn.push(' ');
            }
            turn.push_str(WORDS[(seed * 7 + t * 13 + w * 5) % WORDS.len()]);
        }
        turn.push('.');
        chars += turn.chars().count();
        text.push_str(&turn);
        passages.push(NewPassage {
            span: PassageSpan {
                start,
                end: chars,
                speaker: Some(speaker.to_string()),
                start_ms: Some(t as u64 * 15_000),
                ..Default::default()
            },
            words: ambit_core::text::word_count(&turn),
        });
    }
    NewDocument {
        title: format!("Interview {seed}"),
        kind: ambit_core::DocKind::Interview,
        date: ambit_core::Date::parse("2013-05-08").ok(),
        phase: None,
        source: format!("interview{seed}.txt"),
        content_hash: format!("hash{seed}"),
        format: "txt".into(),
        encoding: "utf-8".into(),
        words: ambit_core::text::word_count(&text),
        text,
        attributes: Default::default(),
        original: None,
        passages,
    }
}

/// `n` codings spread over a document's passages: short spans inside turns, some across
/// two turns, codes in turn.
fn codings(doc: DocId, d: &NewDocument, n: usize) -> Vec<NewCoding> {
    let ps = &d.passages;
    (0..n)
        .map(|i| {
            let p = &ps[(i * 7919) % ps.len()].span;
            let len = p.end - p.start;
            let s = p.start + (i * 31) % (len / 2).max(1);
            let e = if i % 10 == 0 {
                ps.get((i * 7919) % ps.len() + 1)
                    .map_or(p.end, |q| q.span.start + 5)
            } else {
                (s + 12 + i % 40).min(p.end)
            };
            NewCoding {
                doc,
                start: s,
                end: e.max(s + 1),
                code: CODES[i % CODES.len()].to_string(),
                coder: if i % 3 == 0 { "anna" } else { "researcher" }.to_string(),
                origin: if i % 2 == 0 {
                    Origin::Manual
                } else {
                    Origin::Rule(format!("{}.1", CODES[i % CODES.len()]))
                },
                memo: (i % 50 == 0).then(|| "a memo".to_string()),
            }
        })
        .collect()
}

fn project(dir: &Path) -> Project {
    let _ = std::fs::remove_dir_all(dir);
    let p = Project::init(dir, "Bench").expect("init");
    std::fs::write(dir.join("codebook.toml"), CODEBOOK).expect("codebook");
    p
}

fn percentile(sorted: &[Duration], q: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let work = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .unwrap_or_else(|| "/tmp/ambit-web-bench".into());
    let work = Path::new(&work);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");

    // 1. The reader page.
    let dir = work.join("page");
    let mut p = project(&dir);
    let doc = transcript(2_160, 50, 1);
    let words: usize = doc.passages.iter().map(|x| x.words).sum();
    let id = p.store.insert_document(&doc).expect("document");
    p.store
        .add_codings(&codings(id, &doc, 2_000))
        .expect("codings");
    drop(p);
    let app = ambit_web::router(ambit_web::App::new(&dir, TOKEN.into(), 0));
    let get = |path: String| {
        Request::get(path)
            .header("authorization", format!("Bearer {TOKEN}"))
            .body(Body::empty())
            .expect("request")
    };
    let mut times = Vec::new();
    let mut weight = 0;
    rt.block_on(async {
        for i in 0..25 {
            let t = Instant::now();
            let res = app
                .clone()
                .oneshot(get(format!("/documents/{id}")))
                .await
                .expect("page");
            assert_eq!(res.status(), StatusCode::OK);
            let body = axum::body::to_bytes(res.into_body(), usize::MAX)
                .await
                .expect("body");
            let took = t.elapsed();
            weight = body.len();
            if i > 1 {
                times.push(took);
            }
        }
    });
    times.sort();
    println!(
        "reader page, {words} words, 2,000 codings: p50 {} · p99 {} · max {} server time; {:.0} KiB of HTML (uncompressed)",
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.99)),
        ms(*times.last().expect("runs")),
        weight as f64 / 1024.0
    );

    // 2. Coding on a project with 500,000 codings: 1,000 documents of 1,000 words.
    let dir = work.join("post");
    let mut p = project(&dir);
    let mut first = None;
    let mut batch = Vec::new();
    for d in 0..1_000 {
        let doc = transcript(40, 25, d);
        let id = p.store.insert_document(&doc).expect("document");
        first.get_or_insert((id, doc.passages.clone()));
        batch.extend(codings(id, &doc, 500));
        if batch.len() >= 50_000 {
            p.store.add_codings(&batch).expect("codings");
            batch.clear();
        }
    }
    p.store.add_codings(&batch).expect("codings");
    let total = p
        .store
        .codings(&Default::default())
        .map(|c| c.len())
        .unwrap_or(0);
    drop(p);
    let (doc, passages) = first.expect("a document");
    let app = ambit_web::router(ambit_web::App::new(&dir, TOKEN.into(), 0));
    let mut times = Vec::new();
    rt.block_on(async {
        for i in 0..200usize {
            let pass = &passages[i % passages.len()].span;
            let body = format!(
                r#"{{"doc": "{doc}", "start": {}, "end": {}, "code": "su", "coder": "bench"}}"#,
                pass.start,
                // Distinct ranges: the same range again by the same coder stores nothing.
                pass.start + 3 + i / passages.len()
            );
            let req = Request::post("/api/codings")
                .header("authorization", format!("Bearer {TOKEN}"))
                .body(Body::from(body))
                .expect("request");
            let t = Instant::now();
            let res = app.clone().oneshot(req).await.expect("post");
            let status = res.status();
            let _ = axum::body::to_bytes(res.into_body(), usize::MAX).await;
            times.push(t.elapsed());
            assert_eq!(status, StatusCode::CREATED);
        }
    });
    times.sort();
    println!(
        "POST /api/codings with {total} codings stored (1,000 documents, 1M words): p50 {} · p99 {} · max {}",
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.99)),
        ms(*times.last().expect("runs"))
    );
}
