//! `/search?q=`: the `ambit search` query language with its filters; hits as
//! keyword-in-context lines linking to the passage in the reader.

use ambit_core::DocKind;
use ambit_index::{Filter, Query, Sort};
use ambit_pipeline::search::{Hit, Search};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};

use super::{layout, notice, respond, Ctx, Nav};
use crate::fail::{Fail, PageError};
use crate::params::Params;
use crate::state::App;

/// Characters either side of the first match.
const CONTEXT: usize = 80;

/// A hit's passage cut around its first match: (…before, match, after…).
fn kwic(h: &Hit) -> Markup {
    let chars: Vec<char> = h.text.chars().collect();
    let n = chars.len();
    let (s, e) = h
        .highlights
        .first()
        .map_or((0, 0), |[s, e]| ((*s).min(n), (*e).min(n)));
    let from = s.saturating_sub(CONTEXT);
    let to = (e + CONTEXT).min(n);
    let take = |a: usize, b: usize| chars[a..b].iter().collect::<String>();
    // Later matches inside the right context are marked too.
    let mut right: Vec<(String, bool)> = Vec::new();
    let mut at = e;
    for [hs, he] in h.highlights.iter().skip(1) {
        let (hs, he) = ((*hs).min(to), (*he).min(to));
        if hs < at || hs >= to {
            continue;
        }
        right.push((take(at, hs), false));
        right.push((take(hs, he), true));
        at = he;
    }
    right.push((take(at, to), false));
    html! {
        span.l { @if from > 0 { "…" } (take(from, s)) }
        mark { (take(s, e)) }
        span.r {
            @for (t, m) in &right { @if *m { mark { (t) } } @else { (t) } }
            @if to < n { "…" }
        }
    }
}

/// `GET /search?q=&phase=&kind=&code=&sort=&limit=`.
pub async fn page(
    State(app): State<App>,
    headers: HeaderMap,
    params: Params,
) -> Result<Response, PageError> {
    let res = app
        .read(move |p| {
            let ctx = Ctx::new(p, &headers);
            let q = params.get("q").unwrap_or("").to_string();
            let limit = params.number("limit")?.unwrap_or(100);
            let result: Option<Result<(Vec<Hit>, u64), Fail>> = (!q.is_empty()).then(|| {
                let query = Query::parse(&q)?;
                let filter = Filter {
                    doc: params.doc_filter(p)?,
                    codes: params.all("code"),
                };
                let sort = if params.get("sort") == Some("time") {
                    Sort::Time
                } else {
                    Sort::Relevance
                };
                let mut quiet = |_, _| {};
                let mut session = Search::open(p, &mut quiet)?;
                let hits = session.hits(&query, &filter, sort, (limit > 0).then_some(limit))?;
                let total = if limit > 0 && hits.len() >= limit {
                    session.count(&query, &filter)?
                } else {
                    hits.len() as u64
                };
                Ok((hits, total))
            });
            let sel = |k: &str| params.get(k).unwrap_or("").to_string();
            let cb = ambit_pipeline::coding::load_codebook(p).ok();
            let status = match &result {
                Some(Err(e)) => e.status,
                _ => StatusCode::OK,
            };
            let body = html! {
                main.wide.search {
                    h1 { "Search" }
                    form.filters.searchform method="get" action="/search" {
                        input.big type="search" name="q" value=(q) placeholder="\"purchase order\" OR procur*" autofocus;
                        label { "Phase "
                            select name="phase" {
                                option value="" { "any" }
                                @for ph in p.config.timeline.phases() {
                                    option value=(ph.id) selected[sel("phase") == ph.id] { (ph.id) " · " (ph.label) }
                                }
                            }
                        }
                        label { "Kind "
                            select name="kind" {
                                option value="" { "any" }
                                @for k in DocKind::ALL { option value=(k.as_str()) selected[sel("kind") == k.as_str()] { (k.as_str()) } }
                            }
                        }
                        @if let Some(cb) = &cb {
                            label { "Coded "
                                select name="code" {
                                    option value="" { "any" }
                                    @for i in cb.tree_order() {
                                        @let c = &cb.codes()[i];
                                        option value=(c.id) selected[sel("code") == c.id] { ("\u{a0}".repeat(c.depth * 2)) (c.id) }
                                    }
                                }
                            }
                        }
                        label { "Order "
                            select name="sort" {
                                option value="relevance" { "best match" }
                                option value="time" selected[sel("sort") == "time"] { "timeline" }
                            }
                        }
                        button { "Search" }
                    }
                    p.muted.small { "Words (all must occur), \"exact phrases\", \"words near\"~5, AND, OR, NOT, -word, (parentheses), prefix*. Words match after stemming in the project's language." }
                    @match &result {
                        None => {}
                        Some(Err(e)) => { (notice("err", &e.message)) }
                        Some(Ok((hits, total))) => {
                            p.muted {
                                @if *total == hits.len() as u64 { (total) " passage(s)" }
                                @else { (hits.len()) " of " (total) " passage(s) shown" }
                            }
                            ol.hits {
                                @for h in hits {
                                    li.hit {
                                        div.hithead {
                                            a href={ "/documents/" (h.doc) "#p" (h.passage.ordinal) } { (h.passage) " · " (h.title) }
                                            span.phase { (h.phase) }
                                            @if let Some(d) = h.date { span.date { (d) } }
                                            @if let Some(s) = &h.speaker { span.who { (s) } }
                                        }
                                        p.kwicline { (kwic(h)) }
                                    }
                                }
                            }
                        }
                    }
                }
            };
            Ok((status, respond(layout(&ctx, "Search", Nav::Search, body))).into_response())
        })
        .await?;
    Ok(res)
}
