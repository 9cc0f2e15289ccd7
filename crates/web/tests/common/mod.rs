//! A small project for the web tests: a transcript with emoji, ä, em-dashes and combining
//! marks, field notes full of markup that must stay text, and a codebook whose names are
//! hostile too.
#![allow(dead_code)]

pub mod browser;

use std::path::Path;

use ambit_core::{Date, DocKind};
use ambit_pipeline::{expand_paths, import, DocDefaults, ImportOptions};
use ambit_store::Project;
use axum::body::Body;
use axum::http::{Request, Response};
use tower::ServiceExt;

pub const TOKEN: &str = "0123456789abcdef0123456789abcdef";

pub const INTERVIEW: &str = "Päivi: We tried 👍 the new ordering — it was ä bit odd at first.\n\nErik: What do you mean by order? The cafe\u{301} said “no”.\n\nPäivi: Orders mean three different things here.\n";

pub const NOTES: &str = "Field notes with <script>window.pwned=1;alert(1)</script> in them.\n\nAnd \"><img src=x onerror=\"window.pwned=2;alert(1)\"> as well, & more.\n";

pub const CODEBOOK: &str = r##"[codebook]
name = "Test codebook"

[[code]]
id = "kb"
name = "Knowledge boundaries"
color = "#4477AA"

[[code]]
id = "kb.semantic"
name = "Semantic boundary"
description = "Same word, different meaning"

[[code]]
id = "su"
name = "Shared understanding"

[[code]]
id = "xss"
name = "</script><img src=x onerror=alert(1)>"
description = "<b>not bold</b>"
"##;

const CONFIG: &str = r#"name = "Web <test> study"
language = "en"
coder = "researcher"

[[phase]]
id = "I1"
label = "Intervention 1"
start = 2013-03-01
end = 2013-04-30

[[phase]]
id = "I2"
label = "Intervention 2"
start = 2013-05-01
end = 2013-06-30
"#;

/// A project in `dir` with two documents (D1 the interview in I1, D2 the notes in I2) and
/// the codebook.
pub fn project(dir: &Path) -> Project {
    Project::init(dir, "Web test").unwrap();
    std::fs::write(dir.join("ambit.toml"), CONFIG).unwrap();
    let mut project = Project::open(dir).unwrap();
    std::fs::write(dir.join("codebook.toml"), CODEBOOK).unwrap();
    let files = [
        ("interview.txt", INTERVIEW, DocKind::Interview, "2013-03-10"),
        ("notes.txt", NOTES, DocKind::Observation, "2013-05-20"),
    ];
    for (name, text, kind, date) in files {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        let defaults = DocDefaults {
            kind: Some(kind),
            date: Some(Date::parse(date).unwrap()),
            ..Default::default()
        };
        let (items, _) = expand_paths(&[path], &defaults);
        import(&mut project, &items, ImportOptions::default(), &mut |_| {}).unwrap();
    }
    project
}

/// The text of a document between two character offsets.
pub fn slice(project: &Project, doc: ambit_core::DocId, start: usize, end: usize) -> String {
    let text = project.store.text(doc).unwrap();
    text.chars().skip(start).take(end - start).collect()
}

/// The character offset of the first `needle` in document `doc`'s text.
pub fn offset(project: &Project, doc: ambit_core::DocId, needle: &str) -> usize {
    let text = project.store.text(doc).unwrap();
    let byte = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in {text:?}"));
    text[..byte].chars().count()
}

/// Sends one request to the app.
pub async fn send(app: &axum::Router, req: Request<Body>) -> Response<Body> {
    app.clone().oneshot(req).await.unwrap()
}

/// The body as text.
pub async fn text(res: Response<Body>) -> String {
    let bytes = axum::body::to_bytes(res.into_body(), 64 << 20)
        .await
        .unwrap();
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// The body as JSON.
pub async fn json(res: Response<Body>) -> serde_json::Value {
    let t = text(res).await;
    serde_json::from_str(&t).unwrap_or_else(|e| panic!("{e}: {t}"))
}

/// A GET with the bearer token.
pub fn get(path: &str) -> Request<Body> {
    Request::get(path)
        .header("authorization", format!("Bearer {TOKEN}"))
        .body(Body::empty())
        .unwrap()
}

/// A write with the bearer token and a JSON body.
pub fn write(method: &str, path: &str, body: &str) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(path)
        .header("authorization", format!("Bearer {TOKEN}"))
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}
