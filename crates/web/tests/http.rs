//! Every endpoint in-process (`oneshot` on the router): the token and write-origin rules,
//! the JSON contract against the pipeline's own rows, bad input, escaping, and concurrent
//! writers.
#![allow(clippy::unwrap_used)]

mod common;

use ambit_core::DocId;
use ambit_pipeline::coding::{self, SegmentFilter};
use ambit_store::{CodingFilter, Project};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use serde_json::Value;

fn setup() -> (tempfile::TempDir, axum::Router) {
    let dir = tempfile::tempdir().unwrap();
    common::project(dir.path());
    let app = ambit_web::router(ambit_web::App::new(dir.path(), TOKEN.into(), 4000));
    (dir, app)
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn stored(dir: &std::path::Path) -> usize {
    Project::open(dir)
        .unwrap()
        .store
        .codings(&CodingFilter::default())
        .unwrap()
        .len()
}

#[test]
fn token_rules() {
    let (_dir, app) = setup();
    rt().block_on(async {
        // No token, a wrong token, a wrong cookie: 401 and no data.
        let res = send(
            &app,
            Request::get("/api/documents").body(Body::empty()).unwrap(),
        )
        .await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        let body = text(res).await;
        assert!(
            body.contains("session token") && !body.contains("interview"),
            "{body}"
        );
        for req in [
            Request::get("/api/documents")
                .header("authorization", "Bearer nope")
                .body(Body::empty())
                .unwrap(),
            Request::get("/?token=nope").body(Body::empty()).unwrap(),
            Request::get("/documents")
                .header("cookie", "ambit_token_4000=nope")
                .body(Body::empty())
                .unwrap(),
            // Another server's cookie name does not count.
            Request::get("/documents")
                .header("cookie", format!("ambit_token_4001={TOKEN}"))
                .body(Body::empty())
                .unwrap(),
        ] {
            let res = send(&app, req).await;
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
            assert!(!text(res).await.contains("Päivi"));
        }
        // The link sets the cookie and drops the token from the address.
        let res = send(
            &app,
            Request::get(format!("/documents?phase=I1&token={TOKEN}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(res.headers()["location"], "/documents?phase=I1");
        let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
        assert!(
            cookie.starts_with(&format!("ambit_token_4000={TOKEN};")),
            "{cookie}"
        );
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
            "{cookie}"
        );
        // The cookie works; so does the bearer header.
        let res = send(
            &app,
            Request::get("/documents?phase=I1")
                .header("cookie", format!("other=1; ambit_token_4000={TOKEN}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(res.status(), StatusCode::OK);
        assert!(text(res).await.contains("interview"));
        assert_eq!(
            send(&app, get("/api/documents")).await.status(),
            StatusCode::OK
        );
    });
}

/// A coding body; `n` picks the range, since the same range again stores nothing.
fn coding_body_at(n: usize) -> String {
    format!(
        r#"{{"doc": "D1", "start": {n}, "end": {}, "code": "kb"}}"#,
        n + 5
    )
}

fn coding_body() -> String {
    coding_body_at(0)
}

#[test]
fn write_origin_rule() {
    let (dir, app) = setup();
    let cookie = format!("ambit_token_4000={TOKEN}");
    let next = std::cell::Cell::new(0);
    let post = |headers: &[(&str, &str)]| {
        let mut b = Request::post("/api/codings").header("content-type", "application/json");
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        next.set(next.get() + 1);
        b.body(Body::from(coding_body_at(next.get()))).unwrap()
    };
    rt().block_on(async {
        let host = ("host", "127.0.0.1:4000");
        let auth = format!("Bearer {TOKEN}");
        let cases: Vec<(Vec<(&str, &str)>, StatusCode)> = vec![
            // The cookie alone, as another page's form would send it.
            (vec![host, ("cookie", &cookie)], StatusCode::FORBIDDEN),
            (
                vec![host, ("cookie", &cookie), ("origin", "http://evil.example")],
                StatusCode::FORBIDDEN,
            ),
            (
                vec![host, ("cookie", &cookie), ("sec-fetch-site", "cross-site")],
                StatusCode::FORBIDDEN,
            ),
            // A foreign origin is refused whatever it carries.
            (
                vec![
                    host,
                    ("authorization", &auth),
                    ("origin", "http://evil.example"),
                ],
                StatusCode::FORBIDDEN,
            ),
            (
                vec![host, ("authorization", &auth), ("origin", "null")],
                StatusCode::FORBIDDEN,
            ),
            // The app's own pages, and scripts with the token.
            (
                vec![
                    host,
                    ("cookie", &cookie),
                    ("origin", "http://127.0.0.1:4000"),
                ],
                StatusCode::CREATED,
            ),
            (
                vec![host, ("cookie", &cookie), ("sec-fetch-site", "same-origin")],
                StatusCode::CREATED,
            ),
            (vec![host, ("authorization", &auth)], StatusCode::CREATED),
        ];
        let mut created = 0;
        for (headers, status) in cases {
            let res = send(&app, post(&headers)).await;
            assert_eq!(res.status(), status, "{headers:?}");
            if status == StatusCode::CREATED {
                created += 1;
            } else {
                let v = json(res).await;
                assert!(v["error"].as_str().unwrap().contains("refused"), "{v}");
            }
            assert_eq!(stored(dir.path()), created, "{headers:?}");
        }
        // Forms of the app are held to the same rule.
        let res = send(
            &app,
            Request::post("/memos")
                .header("cookie", &cookie)
                .header("host", "127.0.0.1:4000")
                .body(Body::from("target=doc%3AD1&text=hi"))
                .unwrap(),
        )
        .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
    });
}

#[test]
fn security_headers_on_every_response_and_no_cors() {
    let (_dir, app) = setup();
    rt().block_on(async {
        for req in [
            get("/"),
            get("/api/documents"),
            get("/assets/reader.js"),
            get("/nope"),
            Request::get("/").body(Body::empty()).unwrap(),
            Request::get("/api/documents")
                .header("origin", "http://evil.example")
                .header("authorization", format!("Bearer {TOKEN}"))
                .body(Body::empty())
                .unwrap(),
        ] {
            let res = send(&app, req).await;
            let h = res.headers();
            let csp = h["content-security-policy"].to_str().unwrap();
            assert!(
                csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
                "{csp}"
            );
            assert!(csp.contains("default-src 'none'"));
            assert_eq!(h["x-content-type-options"], "nosniff");
            assert!(
                h.keys().all(|k| !k.as_str().starts_with("access-control-")),
                "{h:?}"
            );
        }
    });
}

#[test]
fn json_endpoints_are_the_cli_rows() {
    let (dir, app) = setup();
    let project = Project::open(dir.path()).unwrap();
    rt().block_on(async {
        // A coding to list.
        let res = send(
            &app,
            write(
                "POST",
                "/api/codings",
                r#"{"doc": "D1", "start": 0, "end": 5, "code": "kb.semantic", "memo": "first"}"#,
            ),
        )
        .await;
        assert_eq!(res.status(), StatusCode::CREATED);

        let docs = json(send(&app, get("/api/documents?phase=I1")).await).await;
        let expected = ambit_pipeline::documents(
            &project,
            &ambit_core::DocFilter {
                phases: vec!["I1".into()],
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(docs, serde_json::to_value(&expected).unwrap());
        assert_eq!(docs.as_array().unwrap().len(), 1);

        let one = json(send(&app, get("/api/documents/D1")).await).await;
        let mut view =
            serde_json::to_value(ambit_pipeline::document_view(&project, DocId(1)).unwrap())
                .unwrap();
        let segs = coding::segments(
            &project,
            &SegmentFilter {
                doc: ambit_core::DocFilter {
                    docs: vec![DocId(1)],
                    ..Default::default()
                },
                ..Default::default()
            },
        )
        .unwrap();
        view["codings"] = serde_json::to_value(&segs).unwrap();
        assert_eq!(one, view);
        assert_eq!(one["codings"][0]["memo"], "first");

        let cb = json(send(&app, get("/api/codebook")).await).await;
        assert_eq!(
            cb,
            serde_json::to_value(coding::load_codebook(&project).unwrap()).unwrap()
        );

        let rows =
            json(send(&app, get("/api/codings?code=kb&phase=I1&coder=researcher")).await).await;
        let expected = coding::segments(
            &project,
            &SegmentFilter {
                codes: vec!["kb".into()],
                coders: vec!["researcher".into()],
                doc: ambit_core::DocFilter {
                    phases: vec!["I1".into()],
                    ..Default::default()
                },
            },
        )
        .unwrap();
        assert_eq!(rows, serde_json::to_value(&expected).unwrap());
        assert_eq!(rows.as_array().unwrap().len(), 1);
        let none = json(send(&app, get("/api/codings?phase=I2")).await).await;
        assert_eq!(none, Value::Array(vec![]));

        let hits = json(send(&app, get("/api/search?q=order*&limit=5")).await).await;
        let query = ambit_index::Query::parse("order*").unwrap();
        let mut quiet = |_, _| {};
        let mut s = ambit_pipeline::search::Search::open(&project, &mut quiet).unwrap();
        let expected = s
            .hits(
                &query,
                &ambit_index::Filter::default(),
                ambit_index::Sort::Relevance,
                Some(5),
            )
            .unwrap();
        // Through text, as the CLI writes it (an f32 score reads back shorter).
        let cli: Value = serde_json::from_str(&serde_json::to_string(&expected).unwrap()).unwrap();
        assert_eq!(hits, cli);
        assert!(!expected.is_empty());

        let freq = json(send(&app, get("/api/tables/freq?by=phase&measure=codings")).await).await;
        let input = ambit_pipeline::tables::table_input(&project).unwrap();
        let table = ambit_tables::freq(
            &input,
            &ambit_tables::FreqSpec {
                measure: ambit_tables::Measure::Codings,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(freq, ambit_tables::write::to_json(&[table], false));
        assert_eq!(freq["measure"], "codings");
    });
}

#[test]
fn post_coding_stores_exactly_the_range() {
    let (dir, app) = setup();
    let project = Project::open(dir.path()).unwrap();
    // From just after the emoji to just after the ä: offsets count characters.
    let start = offset(&project, DocId(1), "the new");
    let end = offset(&project, DocId(1), "ä bit") + 1;
    rt().block_on(async {
        let body = format!(
            r#"{{"doc": "D1", "start": {start}, "end": {end}, "code": "kb", "coder": "anna"}}"#
        );
        let res = send(&app, write("POST", "/api/codings", &body)).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let seg = json(res).await;
        assert_eq!(seg["text"], "the new ordering — it was ä");
        assert_eq!(seg["start"], start);
        assert_eq!(seg["end"], end);
        assert_eq!(seg["coder"], "anna");
        assert_eq!(seg["origin"], "manual");
        assert_eq!(seg["passage"], "D1:1");
        assert_eq!(seg["speaker"], "Päivi");
        let id = seg["coding"].as_i64().unwrap();
        let c = &project.store.codings(&CodingFilter::default()).unwrap()[0];
        assert_eq!((c.id, c.start, c.end), (id, start, end));
        assert_eq!(
            slice(&project, DocId(1), c.start, c.end),
            "the new ordering — it was ä"
        );

        // The coder from the cookie when the body names none, else the project's.
        let res = send(
            &app,
            Request::post("/api/codings")
                .header("authorization", format!("Bearer {TOKEN}"))
                .header("cookie", "ambit_coder=Erik%20L")
                .body(Body::from(
                    r#"{"doc": 1, "start": 0, "end": 5, "code": "su"}"#,
                ))
                .unwrap(),
        )
        .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        assert_eq!(json(res).await["coder"], "Erik L");
        let res = send(
            &app,
            write(
                "POST",
                "/api/codings",
                r#"{"doc": "D2", "start": 0, "end": 5, "code": "su"}"#,
            ),
        )
        .await;
        assert_eq!(json(res).await["coder"], "researcher");
    });
}

#[test]
fn bad_coding_requests_store_nothing() {
    let (dir, app) = setup();
    let big = format!(
        r#"{{"doc": "D1", "start": 0, "end": 5, "code": "kb", "memo": "{}"}}"#,
        "x".repeat(1 << 20)
    );
    let cases: Vec<(&str, String, StatusCode, &str)> = vec![
        (
            "start = end",
            r#"{"doc": "D1", "start": 5, "end": 5, "code": "kb"}"#.into(),
            StatusCode::BAD_REQUEST,
            "must be before end",
        ),
        (
            "start > end",
            r#"{"doc": "D1", "start": 9, "end": 5, "code": "kb"}"#.into(),
            StatusCode::BAD_REQUEST,
            "must be before end",
        ),
        (
            "past the end",
            r#"{"doc": "D1", "start": 0, "end": 100000, "code": "kb"}"#.into(),
            StatusCode::BAD_REQUEST,
            "does not fit",
        ),
        (
            "unknown doc",
            r#"{"doc": "D99", "start": 0, "end": 5, "code": "kb"}"#.into(),
            StatusCode::BAD_REQUEST,
            "D99",
        ),
        (
            "bad doc id",
            r#"{"doc": "X1", "start": 0, "end": 5, "code": "kb"}"#.into(),
            StatusCode::BAD_REQUEST,
            "X1",
        ),
        (
            "unknown code",
            r#"{"doc": "D1", "start": 0, "end": 5, "code": "kb.semantik"}"#.into(),
            StatusCode::BAD_REQUEST,
            "kb.semantic",
        ),
        (
            "negative",
            r#"{"doc": "D1", "start": -1, "end": 5, "code": "kb"}"#.into(),
            StatusCode::BAD_REQUEST,
            "JSON",
        ),
        (
            "not JSON",
            "doc=D1&start=0".into(),
            StatusCode::BAD_REQUEST,
            "JSON",
        ),
        (
            "unknown field",
            r#"{"doc": "D1", "start": 0, "end": 5, "code": "kb", "colour": 1}"#.into(),
            StatusCode::BAD_REQUEST,
            "colour",
        ),
        (
            "missing field",
            r#"{"doc": "D1", "start": 0, "code": "kb"}"#.into(),
            StatusCode::BAD_REQUEST,
            "end",
        ),
        ("over 1 MB", big, StatusCode::PAYLOAD_TOO_LARGE, ""),
    ];
    rt().block_on(async {
        for (what, body, status, says) in cases {
            let res = send(&app, write("POST", "/api/codings", &body)).await;
            assert_eq!(res.status(), status, "{what}");
            let t = text(res).await;
            if !says.is_empty() {
                let v: Value = serde_json::from_str(&t).unwrap_or_else(|_| panic!("{what}: {t}"));
                assert!(v["error"].as_str().unwrap().contains(says), "{what}: {v}");
            }
            assert_eq!(stored(dir.path()), 0, "{what}");
        }
    });
}

#[test]
fn delete_and_memo() {
    let (dir, app) = setup();
    rt().block_on(async {
        let res = send(&app, write("POST", "/api/codings", &coding_body())).await;
        let id = json(res).await["coding"].as_i64().unwrap();
        let res = send(&app, write("DELETE", &format!("/api/codings/{id}"), "")).await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        assert_eq!(stored(dir.path()), 0);
        for path in [
            format!("/api/codings/{id}"),
            "/api/codings/abc".into(),
            "/api/codings/99999999999999999999".into(),
        ] {
            let res = send(&app, write("DELETE", &path, "")).await;
            assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
            assert!(json(res).await["error"].is_string());
        }
        // The memo of a stored coding: set, cleared, refused for unknown ids and bad bodies.
        let res = send(&app, write("POST", "/api/codings", &coding_body())).await;
        let id = json(res).await["coding"].as_i64().unwrap();
        let path = format!("/api/codings/{id}/memo");
        let res = send(&app, write("PUT", &path, r#"{"memo": "two meanings"}"#)).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(json(res).await["memo"], "two meanings");
        let res = send(&app, write("PUT", &path, r#"{"memo": null}"#)).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert!(json(res).await["memo"].is_null());
        let res = send(
            &app,
            write("PUT", "/api/codings/999999/memo", r#"{"memo": "x"}"#),
        )
        .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        let res = send(&app, write("PUT", &path, "nope")).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    });
}

#[test]
fn unknown_routes_ids_and_paths_404() {
    let (_dir, app) = setup();
    rt().block_on(async {
        for path in [
            "/nope",
            "/api/nope",
            "/documents/D99",
            "/documents/banana",
            "/api/documents/D99",
            "/api/documents/0",
            "/codes/nope",
            "/assets/nope.js",
            "/assets/../Cargo.toml",
            "/assets/..%2F..%2FCargo.toml",
            "/assets/%2e%2e/%2e%2e/Cargo.toml",
            "/../../etc/passwd",
            "/api/codings/1/memo/x",
        ] {
            let res = send(&app, get(path)).await;
            assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
            let t = text(res).await;
            assert!(!t.contains("[workspace]") && !t.contains("root:"), "{path}");
        }
        let res = send(&app, get("/api/search?q=%22unclosed")).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let res = send(&app, get("/api/documents?phase=nope")).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let res = send(&app, get("/api/tables/freq?measure=nope")).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let res = send(&app, get("/search?q=%22unclosed")).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    });
}

#[test]
fn every_page_renders_and_escapes() {
    let (_dir, app) = setup();
    rt().block_on(async {
        let res = send(
            &app,
            write(
                "POST",
                "/api/codings",
                r#"{"doc": "D2", "start": 0, "end": 11, "code": "xss"}"#,
            ),
        )
        .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        for path in [
            "/",
            "/documents",
            "/documents?phase=I1&kind=interview&q=interview",
            "/documents/D1",
            "/documents/D2",
            "/codebook",
            "/codes/kb",
            "/codes/xss?phase=I2",
            "/search?q=order",
            "/search?q=script",
            "/tables",
            "/tables?measure=per1k&by=kind&totals=1",
            "/agreement",
            "/agreement?coders=researcher&coders=anna",
            "/memos",
            "/codes.css",
        ] {
            let res = send(&app, get(path)).await;
            assert_eq!(res.status(), StatusCode::OK, "{path}");
            let t = text(res).await;
            // Nothing from the project comes through as markup.
            assert!(!t.contains("<script>window"), "{path}");
            assert!(!t.contains("<img src=x"), "{path}");
            assert!(!t.contains("<b>not bold"), "{path}");
            assert!(!t.contains("<test>"), "{path}");
            // The only scripts are the app's own files and the data block.
            for (i, _) in t.match_indices("<script") {
                let tag = &t[i..t[i..].find('>').map_or(t.len(), |e| i + e + 1)];
                assert!(
                    tag.contains("src=\"/assets/") || tag.contains("type=\"application/json\""),
                    "{path}: {tag}"
                );
            }
            assert_eq!(
                t.matches("</script>").count(),
                t.matches("<script").count(),
                "{path}"
            );
        }
        let notes = text(send(&app, get("/documents/D2")).await).await;
        assert!(
            notes.contains("&lt;script&gt;window.pwned=1;alert(1)&lt;/script&gt;"),
            "{notes}"
        );
        assert!(
            notes.contains("\\u003c/script\\u003e\\u003cimg"),
            "the data block escapes the code name"
        );
        let cb = text(send(&app, get("/codebook")).await).await;
        assert!(cb.contains("&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"));
    });
}

#[test]
fn codebook_edits_through_the_forms() {
    let (dir, app) = setup();
    let cookie = format!("ambit_token_4000={TOKEN}");
    let form = |path: &str, body: &str| {
        Request::post(path)
            .header("cookie", &cookie)
            .header("host", "127.0.0.1:4000")
            .header("origin", "http://127.0.0.1:4000")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body.to_string()))
            .unwrap()
    };
    rt().block_on(async {
        let res = send(&app, form("/codebook/codes", "id=kb.pragmatic&name=Pragmatic+boundary&parent=&color=%23abc&description=Interests")).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let res = send(&app, form("/codebook/codes", "id=kb&name=Again")).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        assert!(text(res).await.contains("a code with this id exists already"));
        // Code something, then rename and move the code: the coding follows.
        let res = send(&app, write("POST", "/api/codings", r#"{"doc": "D1", "start": 0, "end": 5, "code": "kb.pragmatic"}"#)).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let res = send(&app, form("/codebook/codes/kb.pragmatic", "id=interests&name=Interests&parent=su&color=&description=d&include=i&exclude=e")).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", text(res).await);
        let project = Project::open(dir.path()).unwrap();
        let cb = coding::load_codebook(&project).unwrap();
        let c = cb.code("interests").unwrap();
        assert_eq!((c.parent.as_deref(), c.include.as_str(), c.exclude.as_str(), c.color.as_deref()), (Some("su"), "i", "e", None));
        let codings = project.store.codings(&CodingFilter::default()).unwrap();
        assert_eq!(codings[0].code, "interests");
        // A cycle is refused and changes nothing.
        let before = std::fs::read_to_string(dir.path().join("codebook.toml")).unwrap();
        let res = send(&app, form("/codebook/codes/kb", "id=kb&name=Knowledge+boundaries&parent=kb.semantic")).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        assert_eq!(std::fs::read_to_string(dir.path().join("codebook.toml")).unwrap(), before);
        // Deleting a code with codings asks first and says what goes.
        let res = send(&app, form("/codebook/codes/interests/delete", "")).await;
        assert_eq!(res.status(), StatusCode::OK);
        let t = text(res).await;
        assert!(t.contains("1 coding(s)") && t.contains("confirm"), "{t}");
        assert_eq!(stored(dir.path()), 1);
        let res = send(&app, form("/codebook/codes/interests/delete", "confirm=yes")).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(stored(dir.path()), 0);
        assert!(!coding::load_codebook(&Project::open(dir.path()).unwrap()).unwrap().contains("interests"));
        let res = send(&app, form("/codebook/codes/nope/delete", "")).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
    });
}

#[test]
fn concurrent_writers_lose_nothing() {
    let (dir, app) = setup();
    let project = Project::open(dir.path()).unwrap();
    let len = project.store.text(DocId(1)).unwrap().chars().count();
    rt().block_on(async {
        let mut tasks = Vec::new();
        for t in 0..8usize {
            let app = app.clone();
            tasks.push(tokio::spawn(async move {
                let mut ok = 0;
                for i in 0..250usize {
                    // Distinct ranges per coder: the same range again stores nothing.
                    let start = i % (len - 1);
                    let end = start + 1 + i / (len - 1);
                    let body = format!(r#"{{"doc": "D1", "start": {start}, "end": {end}, "code": "kb", "coder": "c{t}"}}"#);
                    let res = send(&app, write("POST", "/api/codings", &body)).await;
                    assert_eq!(res.status(), StatusCode::CREATED, "{}", text(res).await);
                    ok += 1;
                }
                ok
            }));
        }
        let mut total = 0;
        for t in tasks {
            total += t.await.unwrap();
        }
        assert_eq!(total, 2000);
    });
    assert_eq!(stored(dir.path()), 2000);
}
