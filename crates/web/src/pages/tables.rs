//! `/tables`: the longitudinal view. The code × phase table (or another grouping) with a
//! selectable measure, each cell linking to the coded segments behind it, and the CLI's
//! timeline chart and co-occurrence heatmap as inline SVG: the same tables and charts that
//! `ambit table` and `ambit chart` write.

use ambit_tables::chart::{self, ChartFormat};
use ambit_tables::{CooccurScope, FreqSpec, Grouping, Measure, Selection, Table};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use maud::{html, Markup, PreEscaped};

use super::{layout, respond, Ctx, Nav};
use crate::fail::PageError;
use crate::params::{query, segment, Params};
use crate::state::App;

/// The filter a cell's column stands for, as the segments page reads it (the CLI's
/// `ambit codings` flags).
fn cell_filter(by: &Grouping, column: &str) -> (String, String) {
    match by {
        Grouping::Phase => ("phase".into(), column.into()),
        Grouping::Kind => ("kind".into(), column.into()),
        Grouping::Doc => ("doc".into(), column.into()),
        Grouping::Speaker => ("speaker".into(), column.into()),
        Grouping::Month => ("month".into(), column.into()),
        Grouping::Attr(name) => ("attr".into(), format!("{name}={column}")),
    }
}

/// The segments page behind one cell.
fn cell_href(code: &str, by: &Grouping, column: &str, coder: Option<&str>) -> String {
    let (k, v) = cell_filter(by, column);
    let mut pairs = vec![(k.as_str(), v.as_str())];
    if let Some(c) = coder {
        pairs.push(("coder", c));
    }
    format!("/codes/{}?{}", segment(code), query(&pairs))
}

fn heat(v: f64, max: f64) -> usize {
    if v <= 0.0 || max <= 0.0 {
        0
    } else {
        1 + ((v / max) * 5.0).ceil().clamp(1.0, 5.0) as usize - 1
    }
}

fn table_html(t: &Table, by: &Grouping, coder: Option<&str>) -> Markup {
    let max = t
        .rows
        .iter()
        .filter(|r| !r.total)
        .flat_map(|r| {
            r.values
                .iter()
                .zip(&t.columns)
                .filter(|(_, c)| !c.total)
                .map(|(v, _)| *v)
        })
        .fold(0.0, f64::max);
    html! {
        table.grid.freq {
            thead { tr {
                th.code { "code" }
                @for c in &t.columns {
                    th.num title=(c.label) { (c.id) }
                }
            } }
            tbody {
                @for r in &t.rows {
                    tr class=[r.total.then_some("total")] {
                        th class={ "code d" (r.depth.min(4)) } {
                            @if r.total { "any code" } @else {
                                a href={ "/codes/" (segment(&r.code)) } title=(r.name) { (r.code) }
                                span.rname { (r.name) }
                            }
                        }
                        @for (v, c) in r.values.iter().zip(&t.columns) {
                            @let text = t.format_value(*v);
                            td class={ "num h" (if r.total || c.total { 0 } else { heat(*v, max) }) } {
                                @if r.total || c.total || *v == 0.0 {
                                    span class=[(*v == 0.0).then_some("zero")] { (text) }
                                } @else {
                                    a href=(cell_href(&r.code, by, &c.id, coder)) title={ (r.name) " · " (c.label) } { (text) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `GET /tables?by=&measure=&depth=&coder=&codes=&totals=`.
pub async fn page(
    State(app): State<App>,
    headers: HeaderMap,
    params: Params,
) -> Result<Response, PageError> {
    let m = app
        .read(move |p| {
            let ctx = Ctx::new(p, &headers);
            let spec = crate::api::freq_spec(&params)?;
            let input = ambit_pipeline::tables::table_input(p)?;
            let table = ambit_tables::freq(&input, &spec)?;
            let chart_sel = Selection {
                codes: spec.select.codes.clone(),
                coders: spec.select.coders.clone(),
                depth: spec
                    .select
                    .depth
                    .or(if spec.select.codes.is_empty() { Some(1) } else { None }),
            };
            let timeline = ambit_tables::freq(
                &input,
                &FreqSpec {
                    by: Grouping::Phase,
                    measure: spec.measure,
                    select: chart_sel.clone(),
                    totals: false,
                },
            )
            .ok()
            .and_then(|t| chart::timeline(&t, ChartFormat::Svg).ok());
            let cooccur = ambit_tables::cooccur(&input, &chart_sel, &CooccurScope::All)
                .ok()
                .and_then(|ts| ts.into_iter().next())
                .and_then(|t| chart::heatmap(&t, ChartFormat::Svg).ok());
            let coder = params.get("coder").map(str::to_string);
            let by_s = spec.by.to_string();
            let depth = spec.select.depth.map(|d| d.to_string()).unwrap_or_default();
            let body = html! {
                main.wide.tables {
                    h1 { "Across the timeline" }
                    form.filters method="get" action="/tables" {
                        label { "Cells "
                            select name="measure" {
                                @for m in Measure::ALL {
                                    option value=(m.as_str()) selected[m == spec.measure] { (m.describe()) }
                                }
                            }
                        }
                        label { "Columns "
                            select name="by" {
                                @for (v, l) in [("phase", "phases"), ("kind", "kinds"), ("month", "months"), ("speaker", "speakers"), ("doc", "documents")] {
                                    option value=(v) selected[by_s == v] { (l) }
                                }
                                @if by_s.starts_with("attr:") { option value=(by_s) selected { (by_s) } }
                            }
                        }
                        label { "Depth "
                            select name="depth" {
                                option value="" { "all levels" }
                                @for d in 1..=3usize { option value=(d) selected[depth == d.to_string()] { "down to " (d) } }
                            }
                        }
                        label.check { input type="checkbox" name="totals" value="1" checked[spec.totals]; " totals" }
                        @if let Some(c) = &coder { input type="hidden" name="coder" value=(c); }
                        button { "Show" }
                        a.button href={ "/api/tables/freq?" (params.keep(&["by", "measure", "depth", "coder", "codes", "totals"])) } { "JSON" }
                    }
                    p.muted.small { (table.title) ". A parent's cell counts distinct passages of it and its children, never a sum. Each cell links to the segments behind it." }
                    div.tablewrap { (table_html(&table, &spec.by, coder.as_deref())) }
                    div.cols {
                        @if let Some(svg) = &timeline {
                            section { h2 { "Timeline" } figure.chart { (PreEscaped(String::from_utf8_lossy(svg))) } }
                        }
                        @if let Some(svg) = &cooccur {
                            section { h2 { "Co-occurrence" } figure.chart { (PreEscaped(String::from_utf8_lossy(svg))) } p.muted.small { "Passages coded with both codes." } }
                        }
                    }
                }
            };
            Ok(layout(&ctx, "Timeline", Nav::Tables, body))
        })
        .await?;
    Ok(respond(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heat_buckets() {
        assert_eq!(heat(0.0, 10.0), 0);
        assert_eq!(heat(0.1, 10.0), 1);
        assert_eq!(heat(10.0, 10.0), 5);
        assert_eq!(heat(5.0, 0.0), 0);
    }

    #[test]
    fn cells_link_with_the_cli_filters() {
        assert_eq!(
            cell_filter(&Grouping::Phase, "I1"),
            ("phase".into(), "I1".into())
        );
        assert_eq!(
            cell_filter(&Grouping::Attr("org".into()), "(none)"),
            ("attr".into(), "org=(none)".into())
        );
    }
}
