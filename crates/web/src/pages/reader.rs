//! `/documents/{id}`: reading and coding a document. Passages in order with speaker, time
//! and id; codings as highlights in their codes' colours with stripes in the margin; the
//! script (`assets/reader.js`) turns a mouse selection into a character range and a code.

use ambit_core::{DocId, Origin};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use maud::{html, Markup};
use serde::Serialize;

use super::{clock, layout_with, respond, script_json, swatch, thousands, Ctx, Nav};
use crate::fail::PageError;
use crate::render::{pieces, Span};
use crate::state::App;

#[derive(Serialize)]
struct CodingData<'a> {
    id: i64,
    code: &'a str,
    name: &'a str,
    k: Option<usize>,
    coder: &'a str,
    origin: String,
    memo: Option<&'a str>,
    start: usize,
    end: usize,
    passage: Option<String>,
}

#[derive(Serialize)]
struct CodeData<'a> {
    id: &'a str,
    name: &'a str,
    k: usize,
    depth: usize,
}

#[derive(Serialize)]
struct ReaderData<'a> {
    doc: String,
    coder: &'a str,
    codings: Vec<CodingData<'a>>,
    codes: Vec<CodeData<'a>>,
}

/// `GET /documents/{id}`.
pub async fn page(
    State(app): State<App>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: DocId = crate::api::doc_id(&id)?;
    let m = app
        .read(move |p| {
            let ctx = Ctx::new(p, &headers);
            let view = ambit_pipeline::document_view(p, id)?;
            let segs = crate::segments::of_document(p, id)?;
            let cb = ambit_pipeline::coding::load_codebook(p).ok();
            let memos: Vec<_> = p
                .store
                .memos()?
                .into_iter()
                .filter(|m| m.target == format!("doc:{id}"))
                .collect();
            let pos = |code: &str| cb.as_ref().and_then(|cb| cb.position(code));
            let name_of = |code: &str| {
                cb.as_ref()
                    .and_then(|cb| cb.code(code))
                    .map_or("(not in the codebook)", |c| c.name.as_str())
            };
            let mut spans: Vec<Span> = segs
                .iter()
                .map(|s| Span {
                    id: s.coding,
                    start: s.start,
                    end: s.end,
                    code: pos(&s.code).unwrap_or(usize::MAX),
                    manual: s.origin == Origin::Manual,
                })
                .collect();
            spans.sort_by_key(|s| (s.start, s.end, s.id));
            let data = ReaderData {
                doc: id.to_string(),
                coder: &ctx.coder,
                codings: segs
                    .iter()
                    .map(|s| CodingData {
                        id: s.coding,
                        code: &s.code,
                        name: name_of(&s.code),
                        k: pos(&s.code),
                        coder: &s.coder,
                        origin: s.origin.to_string(),
                        memo: s.memo.as_deref(),
                        start: s.start,
                        end: s.end,
                        passage: s.passage.map(|p| p.to_string()),
                    })
                    .collect(),
                codes: cb
                    .as_ref()
                    .map(|cb| {
                        cb.tree_order()
                            .into_iter()
                            .map(|i| {
                                let c = &cb.codes()[i];
                                CodeData {
                                    id: &c.id,
                                    name: &c.name,
                                    k: i,
                                    depth: c.depth,
                                }
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            };
            // Codes used here, in codebook order, with how often and by whom.
            let mut used: Vec<(Option<usize>, &str, usize, usize)> = Vec::new();
            for s in &segs {
                match used.iter_mut().find(|u| u.1 == s.code) {
                    Some(u) => {
                        u.2 += 1;
                        if s.origin == Origin::Manual {
                            u.3 += 1;
                        }
                    }
                    None => used.push((
                        pos(&s.code),
                        &s.code,
                        1,
                        usize::from(s.origin == Origin::Manual),
                    )),
                }
            }
            used.sort_by_key(|u| (u.0.unwrap_or(usize::MAX), u.1.to_string()));

            let (mut next, mut active) = (0usize, Vec::new());
            let passages: Vec<Markup> = view
                .passages
                .iter()
                .map(|pv| {
                    let ps = pieces(&pv.text, pv.start, &spans, &mut next, &mut active);
                    html! {
                        div.p id={ "p" (pv.ordinal) } data-pid=(pv.id) {
                            div.pm {
                                a.pid href={ "#p" (pv.ordinal) } title={ "passage " (pv.id) } { (pv.ordinal) }
                                @if let Some(s) = &pv.speaker { span.who { (s) } }
                                @if let Some(ms) = pv.start_ms { span.ts { (clock(ms)) } }
                            }
                            div.tx {
                                @for piece in ps {
                                    @if piece.covered.is_empty() {
                                        span.t data-s=(piece.start) { (piece.text) }
                                    } @else {
                                        @let first = spans[piece.covered[0]];
                                        @let second = piece.covered.get(1).map(|i| spans[*i]);
                                        @let ids = piece.covered.iter().map(|i| spans[*i].id.to_string()).collect::<Vec<_>>().join(" ");
                                        span class={
                                            "t hl"
                                            @if first.manual { " man" }
                                            @if first.code != usize::MAX { " k" (first.code) }
                                            @if let Some(s) = second {
                                                " ov"
                                                @if s.code != usize::MAX { " j" (s.code) }
                                            }
                                        } data-s=(piece.start) data-c=(ids) { (piece.text) }
                                    }
                                }
                            }
                        }
                    }
                })
                .collect();

            let head = html! { script src="/assets/reader.js" defer {} };
            let body = html! {
                main.reader {
                    aside.side {
                        p.crumbs { a href="/documents" { "Documents" } " / " (view.id) }
                        h1 { (view.title) }
                        dl.meta {
                            div { dt { "kind" } dd { (view.kind.as_str()) } }
                            div { dt { "date" } dd { (view.date.map(|d| d.to_string()).unwrap_or_else(|| "no date".into())) } }
                            div { dt { "phase" } dd { a href={ "/documents?phase=" (view.phase) } { (view.phase) } } }
                            div { dt { "passages" } dd { (thousands(view.passages.len() as u64)) } }
                            div { dt { "words" } dd { (thousands(view.words)) } }
                            @for (k, v) in &view.attributes { div { dt { (k) } dd { (v) } } }
                        }
                        section.used {
                            h2 { "Codes here " span.count { (segs.len()) } }
                            @if used.is_empty() {
                                p.muted { "No codings yet. Select words in the text to code them." }
                            }
                            ul.codes-here {
                                @for (k, code, n, manual) in &used {
                                    li {
                                        button.filter-code type="button" data-code=(code) title={ "Show only this code's highlights: " (n) " coding(s), " (manual) " by hand" } {
                                            (swatch(*k)) span.cid { (code) }
                                            @if *manual > 0 { span.man { "✎ " (manual) } }
                                            span.n { (n) }
                                        }
                                    }
                                }
                            }
                        }
                        section.memos {
                            h2 { "Memos on this document" }
                            @for m in &memos {
                                div.memo { p { (m.text) } p.by { (m.author) " · " (m.created.get(..10).unwrap_or(&m.created)) } }
                            }
                            form method="post" action="/memos" {
                                input type="hidden" name="target" value={ "doc:" (view.id) };
                                input type="hidden" name="back" value={ "/documents/" (view.id) };
                                textarea name="text" rows="2" placeholder="Write a memo on this document…" required {}
                                button { "Add memo" }
                            }
                        }
                        section.help {
                            h2 { "Coding" }
                            p { "Select words with the mouse, within a passage or across passages; type to filter the codes, " kbd { "↑" } kbd { "↓" } " to move, " kbd { "Enter" } " to apply, " kbd { "Shift" } "+" kbd { "Enter" } " to pick several. Click a highlight for its codings. " kbd { "Ctrl" } "+" kbd { "Z" } " undoes your last coding." }
                        }
                    }
                    article #doc data-doc=(view.id) {
                        div.toolbar {
                            span.hint { "Select text to code it" }
                            span.coderis { "coding as " b #coder-name { (ctx.coder) } }
                            button #undo type="button" disabled { "Undo last coding" }
                            span #status role="status" {}
                        }
                        div #passages {
                            div #stripes aria-hidden="true" {}
                            @for p in passages { (p) }
                        }
                    }
                    div #picker.pop hidden role="dialog" aria-label="Choose codes" {
                        input #pick-q type="search" placeholder="Type to find a code…" autocomplete="off" aria-label="Find a code";
                        div #pick-sel.muted.small {}
                        ul #pick-list role="listbox" {}
                        input #pick-memo type="text" placeholder="Memo on the coding (optional)" autocomplete="off" aria-label="Memo on the coding";
                        div.pick-foot.muted.small { kbd { "Enter" } " apply · " kbd { "Shift" } "+" kbd { "Enter" } " pick several · " kbd { "Tab" } " memo · " kbd { "Esc" } " cancel" }
                    }
                    div #coding-pop.pop hidden role="dialog" aria-label="Codings here" {}
                    script #reader-data type="application/json" { (script_json(&data)) }
                }
            };
            Ok(layout_with(&ctx, &view.title, Nav::Documents, head, body))
        })
        .await?;
    Ok(respond(m))
}
