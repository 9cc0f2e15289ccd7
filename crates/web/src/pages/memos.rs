//! `/memos`: every memo, on documents, codes, passages and codings; `POST /memos` adds one
//! on a document, a code or a passage.

use ambit_core::{DocId, PassageId};
use ambit_pipeline::coding::{self, SegmentFilter};
use ambit_store::Project;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use maud::html;

use super::{coder_cookie, field, form, layout, redirect, respond, Ctx, Nav};
use crate::fail::{Fail, PageError};
use crate::params::segment;
use crate::state::App;

/// Where a memo's target links to.
fn target_link(target: &str) -> String {
    if let Some(d) = target.strip_prefix("doc:") {
        format!("/documents/{d}")
    } else if let Some(c) = target.strip_prefix("code:") {
        format!("/codes/{}", segment(c))
    } else if let Some(p) = target.strip_prefix("passage:") {
        match PassageId::parse(p) {
            Ok(id) => format!("/documents/{}#p{}", id.doc, id.ordinal),
            Err(_) => "/memos".to_string(),
        }
    } else {
        "/memos".to_string()
    }
}

/// `GET /memos`.
pub async fn page(State(app): State<App>, headers: HeaderMap) -> Result<Response, PageError> {
    let m = app
        .read(move |p| {
            let ctx = Ctx::new(p, &headers);
            let memos = p.store.memos()?;
            let on_codings: Vec<_> = match coding::segments(p, &SegmentFilter::default()) {
                Ok(segs) => segs.into_iter().filter(|s| s.memo.is_some()).collect(),
                Err(_) => Vec::new(),
            };
            let body = html! {
                main.wide {
                    h1 { "Memos" }
                    p.muted { "Memos on documents and codes are written on their pages; memos on codings come with the coding." }
                    section {
                        h2 { "On documents, codes and passages " span.count { (memos.len()) } }
                        @if memos.is_empty() { p.muted { "None yet." } }
                        ul.memolist {
                            @for m in memos.iter().rev() {
                                li.memo {
                                    a.target href=(target_link(&m.target)) { (m.target) }
                                    p { (m.text) }
                                    p.by { (m.author) " · " (m.created.get(..16).unwrap_or(&m.created).replace('T', " ")) }
                                }
                            }
                        }
                    }
                    section {
                        h2 { "On codings " span.count { (on_codings.len()) } }
                        ul.memolist {
                            @for s in &on_codings {
                                li.memo {
                                    a.target href={ "/documents/" (s.doc) (s.passage.map(|p| format!("#p{}", p.ordinal)).unwrap_or_default()) } {
                                        (s.code) " · " (s.passage.map_or_else(|| s.doc.to_string(), |p| p.to_string()))
                                    }
                                    blockquote { (s.text) }
                                    p { (s.memo.as_deref().unwrap_or("")) }
                                    p.by { (s.coder) }
                                }
                            }
                        }
                    }
                }
            };
            Ok(layout(&ctx, "Memos", Nav::Memos, body))
        })
        .await?;
    Ok(respond(m))
}

/// Checks a memo target names something in the project.
fn check_target(p: &Project, target: &str) -> Result<(), Fail> {
    if let Some(d) = target.strip_prefix("doc:") {
        let id = DocId::parse(d)?;
        p.store.document(id)?;
    } else if let Some(c) = target.strip_prefix("code:") {
        coding::load_codebook(p)?.require(c)?;
    } else if let Some(s) = target.strip_prefix("passage:") {
        let id = PassageId::parse(s)?;
        if !p.store.passages(id.doc)?.iter().any(|x| x.id == id) {
            return Err(Fail::bad_request(format!(
                "no passage {id} in this project"
            )));
        }
    } else {
        return Err(Fail::bad_request(format!(
            "a memo is on `doc:D7`, `code:ID` or `passage:D7:12`, not {target:?}"
        )));
    }
    Ok(())
}

/// `POST /memos` (form: target, text, back).
pub async fn add(
    State(app): State<App>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = form(&body);
    let author = coder_cookie(&headers);
    let back = {
        let b = field(&f, "back");
        if b.starts_with('/') && !b.starts_with("//") {
            b.to_string()
        } else {
            "/memos".to_string()
        }
    };
    app.write(move |p| {
        let target = field(&f, "target").trim();
        let text = field(&f, "text").trim();
        if text.is_empty() {
            return Err(Fail::bad_request(
                "the memo is empty; write something first",
            ));
        }
        check_target(p, target).map_err(Fail::in_body)?;
        let author = author.unwrap_or_else(|| p.config.coder.clone());
        p.store.add_memo(target, &author, text)?;
        Ok(())
    })
    .await?;
    Ok(redirect(&back))
}
