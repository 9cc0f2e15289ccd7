//! `/`: the study timeline as a band of phases, documents per phase and kind, codings per
//! phase, and the themes across the phases (the CLI's timeline chart).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use ambit_core::{DocFilter, DocId, DocKind};
use ambit_tables::chart::{self, ChartFormat};
use ambit_tables::{FreqSpec, Grouping, Measure, Selection};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use maud::{html, PreEscaped};

use super::{layout, respond, thousands, Ctx, Nav};
use crate::fail::{Fail, PageError};
use crate::params::query;
use crate::state::App;

/// `GET /`.
pub async fn page(State(app): State<App>, headers: HeaderMap) -> Result<Response, PageError> {
    let m = app
        .read(move |p| {
            let ctx = Ctx::new(p, &headers);
            let phases = ambit_pipeline::phase_summary(p)?;
            let docs = ambit_pipeline::documents(p, &DocFilter::default())?;
            let phase_of: HashMap<DocId, &str> =
                docs.iter().map(|d| (d.id, d.phase.as_str())).collect();
            let mut kinds: BTreeMap<(&str, DocKind), u64> = BTreeMap::new();
            for d in &docs {
                *kinds.entry((d.phase.as_str(), d.kind)).or_default() += 1;
            }
            let used_kinds: BTreeSet<DocKind> = docs.iter().map(|d| d.kind).collect();
            let mut codings: HashMap<&str, u64> = HashMap::new();
            let mut coded_docs: HashMap<&str, BTreeSet<DocId>> = HashMap::new();
            let mut coders: BTreeSet<String> = BTreeSet::new();
            let mut total_codings = 0u64;
            p.store
                .for_each_coding_span(|doc, _, _, _, coder| -> Result<(), Fail> {
                    total_codings += 1;
                    if !coders.contains(coder) {
                        coders.insert(coder.to_string());
                    }
                    if let Some(ph) = phase_of.get(&doc) {
                        *codings.entry(ph).or_default() += 1;
                        coded_docs.entry(ph).or_default().insert(doc);
                    }
                    Ok(())
                })?;
            let cb = ambit_pipeline::coding::load_codebook(p).ok();
            // The CLI's own chart of the top-level themes; no codebook, no chart.
            let chart_svg = match &cb {
                Some(_) => {
                    let input = ambit_pipeline::tables::table_input(p)?;
                    let spec = FreqSpec {
                        by: Grouping::Phase,
                        measure: Measure::Passages,
                        select: Selection {
                            depth: Some(1),
                            ..Default::default()
                        },
                        totals: false,
                    };
                    let table = ambit_tables::freq(&input, &spec)?;
                    chart::timeline(&table, ChartFormat::Svg)
                        .ok()
                        .map(|b| String::from_utf8_lossy(&b).into_owned())
                }
                None => None,
            };
            let words: u64 = phases.iter().map(|r| r.words).sum();
            let passages: u64 = phases.iter().map(|r| r.passages).sum();
            let body = html! {
                main.wide {
                    section.hero {
                        h1 { (ctx.project) }
                        p.stats {
                            span { b { (thousands(docs.len() as u64)) } " documents" }
                            span { b { (thousands(passages)) } " passages" }
                            span { b { (thousands(words)) } " words" }
                            span { b { (thousands(total_codings)) } " codings" }
                            @if let Some(cb) = &cb {
                                span { b { (cb.codes().len()) } " codes" }
                            }
                            span { b { (coders.len()) } " coders" }
                        }
                    }
                    section {
                        h2 { "Study timeline" }
                        @if phases.is_empty() {
                            p.muted { "No phases yet: add [[phase]] entries (id, label, start, end) to ambit.toml and reload." }
                        }
                        ol.band {
                            @for (i, r) in phases.iter().enumerate() {
                                li class={ "phase p" (i % 6) @if r.id == ambit_core::UNPHASED { " unphased" } } {
                                    a.phase-link href={ "/documents?" (query(&[("phase", &r.id)])) } {
                                        span.pid { (r.id) }
                                        span.plabel { (r.label) }
                                        @if let (Some(s), Some(e)) = (&r.start, &r.end) {
                                            span.pdates { (s) " – " (e) }
                                        }
                                    }
                                    dl.pnums {
                                        div { dt { "documents" } dd { (r.documents) } }
                                        div { dt { "words" } dd { (thousands(r.words)) } }
                                        div { dt { "codings" } dd { (thousands(codings.get(r.id.as_str()).copied().unwrap_or(0))) } }
                                        div { dt { "coded docs" } dd { (coded_docs.get(r.id.as_str()).map_or(0, |s| s.len())) } }
                                    }
                                }
                            }
                        }
                    }
                    div.cols {
                        section {
                            h2 { "Documents per phase and kind" }
                            table.grid {
                                thead { tr {
                                    th { "phase" }
                                    @for k in &used_kinds { th.num { (k.as_str()) } }
                                    th.num { "all" }
                                } }
                                tbody {
                                    @for r in &phases {
                                        tr {
                                            th { a href={ "/documents?" (query(&[("phase", &r.id)])) } { (r.id) } }
                                            @for k in &used_kinds {
                                                @let n = kinds.get(&(r.id.as_str(), *k)).copied().unwrap_or(0);
                                                td.num {
                                                    @if n > 0 {
                                                        a href={ "/documents?" (query(&[("phase", &r.id), ("kind", k.as_str())])) } { (n) }
                                                    } @else { span.zero { "·" } }
                                                }
                                            }
                                            td.num { b { (r.documents) } }
                                        }
                                    }
                                }
                            }
                        }
                        section {
                            h2 { "Themes across the phases" }
                            @if let Some(svg) = &chart_svg {
                                figure.chart { (PreEscaped(svg)) }
                                p.muted { "Coded passages per top-level code. " a href="/tables" { "The code × phase table" } " has every code, measure and cell." }
                            } @else {
                                p.muted { "No codebook yet: create codes on the " a href="/codebook" { "codebook" } " page, or run `ambit codebook init`." }
                            }
                        }
                    }
                }
            };
            Ok(layout(&ctx, "Overview", Nav::Overview, body))
        })
        .await?;
    Ok(respond(m))
}
