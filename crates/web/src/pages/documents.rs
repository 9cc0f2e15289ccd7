//! `/documents`: the documents, filterable by phase, kind, attribute and text.

use std::collections::HashMap;

use ambit_core::{DocId, DocKind};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use maud::html;

use super::{layout, respond, thousands, Ctx, Nav};
use crate::fail::{Fail, PageError};
use crate::params::Params;
use crate::state::App;

/// `GET /documents?phase=&kind=&attr=KEY=VALUE&q=`.
pub async fn page(
    State(app): State<App>,
    headers: HeaderMap,
    params: Params,
) -> Result<Response, PageError> {
    let m = app
        .read(move |p| {
            let ctx = Ctx::new(p, &headers);
            let filter = params.doc_filter(p)?;
            let text = params.get("q").map(str::to_lowercase);
            let rows: Vec<_> = ambit_pipeline::documents(p, &filter)?
                .into_iter()
                .filter(|d| {
                    text.as_deref().is_none_or(|t| {
                        d.title.to_lowercase().contains(t)
                            || d.attributes
                                .values()
                                .any(|v| v.to_lowercase().contains(t))
                    })
                })
                .collect();
            let mut codings: HashMap<DocId, u64> = HashMap::new();
            p.store
                .for_each_coding_span(|doc, _, _, _, _| -> Result<(), Fail> {
                    *codings.entry(doc).or_default() += 1;
                    Ok(())
                })?;
            let phases = p.config.timeline.phases();
            let sel_phase = params.get("phase").unwrap_or("");
            let sel_kind = params.get("kind").unwrap_or("");
            let body = html! {
                main.wide {
                    h1 { "Documents" }
                    form.filters method="get" action="/documents" {
                        label { "Phase "
                            select name="phase" {
                                option value="" { "any" }
                                @for ph in phases {
                                    option value=(ph.id) selected[sel_phase == ph.id] { (ph.id) " · " (ph.label) }
                                }
                                option value="unphased" selected[sel_phase == "unphased"] { "unphased" }
                            }
                        }
                        label { "Kind "
                            select name="kind" {
                                option value="" { "any" }
                                @for k in DocKind::ALL {
                                    option value=(k.as_str()) selected[sel_kind == k.as_str()] { (k.as_str()) }
                                }
                            }
                        }
                        label { "Attribute "
                            input name="attr" placeholder="key=value" value=(params.get("attr").unwrap_or(""));
                        }
                        label { "Text "
                            input type="search" name="q" placeholder="in titles and attributes" value=(params.get("q").unwrap_or(""));
                        }
                        button { "Filter" }
                        @if !params.0.is_empty() { a.reset href="/documents" { "clear" } }
                    }
                    p.muted { (rows.len()) " document(s)" }
                    table.list.docs {
                        thead { tr {
                            th { "id" } th { "title" } th { "kind" } th { "date" } th { "phase" }
                            th.num { "passages" } th.num { "words" } th.num { "codings" }
                        } }
                        tbody {
                            @for d in &rows {
                                tr {
                                    td.id { (d.id) }
                                    td.title {
                                        a href={ "/documents/" (d.id) } { (d.title) }
                                        @if !d.attributes.is_empty() {
                                            span.attrs {
                                                @for (k, v) in &d.attributes { span.attr { (k) "=" (v) } }
                                            }
                                        }
                                    }
                                    td { span class={ "kind " (d.kind.as_str()) } { (d.kind.as_str()) } }
                                    td.date { (d.date.map(|x| x.to_string()).unwrap_or_default()) }
                                    td { (d.phase) }
                                    td.num { (thousands(d.passages)) }
                                    td.num { (thousands(d.words)) }
                                    td.num { (thousands(codings.get(&d.id).copied().unwrap_or(0))) }
                                }
                            }
                        }
                    }
                }
            };
            Ok(layout(&ctx, "Documents", Nav::Documents, body))
        })
        .await?;
    Ok(respond(m))
}
