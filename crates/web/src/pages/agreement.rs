//! `/agreement?coders=a,b`: percent agreement, κ and α per code between two or more coders,
//! and the passages where they differ, linking into the reader.

use ambit_core::PassageId;
use ambit_pipeline::agreement::{agreement, AgreementRequest, Unit};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use maud::html;

use super::{layout, notice, respond, Ctx, Nav};
use crate::fail::{Fail, PageError};
use crate::params::{segment, Params};
use crate::state::App;

/// Disagreements shown on the page (the CLI lists them all).
const SHOWN: usize = 300;

fn num(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_string(), |x| format!("{x:.3}"))
}

/// `GET /agreement?coders=anna&coders=erik&code=`.
pub async fn page(
    State(app): State<App>,
    headers: HeaderMap,
    params: Params,
) -> Result<Response, PageError> {
    let m = app
        .read(move |p| {
            let ctx = Ctx::new(p, &headers);
            let mut coders: Vec<String> = Vec::new();
            p.store
                .for_each_coding_span(|_, _, _, _, coder| -> Result<(), Fail> {
                    if !coders.iter().any(|c| c == coder) {
                        coders.push(coder.to_string());
                    }
                    Ok(())
                })?;
            coders.sort();
            let chosen = params.all("coders");
            let codes = params.all("code");
            let report = (chosen.len() >= 2).then(|| -> Result<_, Fail> {
                Ok(agreement(
                    p,
                    &AgreementRequest {
                        coders: chosen.clone(),
                        codes: codes.clone(),
                        filter: params.doc_filter(p)?,
                        unit: Unit::Passage,
                    },
                )?)
            });
            let two = chosen.len() == 2;
            let body = html! {
                main.wide.agreement {
                    h1 { "Agreement" }
                    form.filters method="get" action="/agreement" {
                        fieldset {
                            legend { "Coders (two or more)" }
                            @for c in &coders {
                                label.check { input type="checkbox" name="coders" value=(c) checked[chosen.contains(c)]; " " (c) }
                            }
                            @if coders.len() < 2 { span.muted { "Only " (coders.len()) " coder has coded so far." } }
                        }
                        label { "Code " input name="code" value=(codes.join(",")) placeholder="all codes"; }
                        button { "Compare" }
                    }
                    @match report {
                        None => { p.muted { "Choose two or more coders. Units are passages: a coder coded a passage with a code when one of their codings of it (or of a child) overlaps it." } }
                        Some(Err(e)) => { (notice("err", &e.message)) }
                        Some(Ok(r)) => {
                            p.muted { (r.documents.len()) " document(s) coded by at least two of: " (r.coders.join(", ")) }
                            table.grid.agree {
                                thead { tr {
                                    th { "code" } th.num { "units" }
                                    @for c in &r.coders { th.num { "coded: " (c) } }
                                    th.num { "agreement" }
                                    @if two { th.num { "Cohen's κ" } } @else { th.num { "Fleiss' κ" } }
                                    th.num { "Krippendorff's α" }
                                    th { "note" }
                                } }
                                tbody {
                                    @for row in &r.rows {
                                        tr {
                                            th { @if row.code.starts_with('(') { (row.code) } @else { a href={ "/codes/" (segment(&row.code)) } { (row.code) } } }
                                            td.num { (row.units) }
                                            @for n in &row.coded_by { td.num { (n) } }
                                            td.num { (row.percent_agreement.map_or_else(|| "–".to_string(), |v| format!("{:.1} %", v * 100.0))) }
                                            td.num { (num(if two { row.cohen_kappa } else { row.fleiss_kappa })) }
                                            td.num { (num(row.alpha)) }
                                            td.small.muted { (row.note.as_deref().unwrap_or("")) }
                                        }
                                    }
                                }
                            }
                            h2 { "Where they differ " span.count { (r.disagreements.len()) } }
                            ol.seglist {
                                @for d in r.disagreements.iter().take(SHOWN) {
                                    @let link = PassageId::parse(&d.passage).map(|id| format!("/documents/{}#p{}", id.doc, id.ordinal)).unwrap_or_else(|_| "/documents".into());
                                    li.seg {
                                        div.seghead {
                                            a.doc href=(link) { (d.passage) }
                                            span.sub { (d.code) }
                                            span.phase { (d.phase) }
                                            @if let Some(s) = &d.speaker { span.who { (s) } }
                                            @for (c, dec) in &d.decisions {
                                                span class={ "dec " (match dec { Some(true) => "yes", Some(false) => "no", None => "missing" }) } {
                                                    (c) ": " (match dec { Some(true) => "coded", Some(false) => "not coded", None => "missing" })
                                                }
                                            }
                                        }
                                        blockquote { (d.text) }
                                        @for (c, m) in &d.memos { p.memo { (c) ": " (m) } }
                                    }
                                }
                            }
                            @if r.disagreements.len() > SHOWN {
                                p.muted { "The first " (SHOWN) " are shown; `ambit agreement --disagreements` lists all." }
                            }
                        }
                    }
                }
            };
            Ok(layout(&ctx, "Agreement", Nav::Agreement, body))
        })
        .await?;
    Ok(respond(m))
}
