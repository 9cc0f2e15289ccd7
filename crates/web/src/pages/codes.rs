//! `/codes/{id}`: every coded segment of a code and its children, with its quote in
//! context, filterable by phase, coder, kind (and any document filter); `?format=csv`
//! gives the CSV of `ambit codings --format csv`.

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use ambit_core::text::CharIndex;
use ambit_core::{DocId, DocKind};
use ambit_pipeline::coding::{self, SegmentFilter};
use ambit_pipeline::pseudonymise::Exporter;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use maud::html;

use super::{layout, phase_label, respond, swatch, Ctx, Nav};
use crate::fail::{Fail, PageError};
use crate::params::{query, segment, Params};
use crate::state::App;

/// Characters of context either side of a quote.
const CONTEXT: usize = 140;

/// `GET /codes/{id}?phase=&coder=&kind=&format=csv`.
pub async fn page(
    State(app): State<App>,
    headers: HeaderMap,
    Path(code): Path<String>,
    params: Params,
) -> Result<Response, PageError> {
    let names = app.pseudonyms().cloned();
    let res = app
        .read(move |p| {
            let ctx = Ctx::new(p, &headers);
            let cb = coding::load_codebook(p)?;
            let Some(pos) = cb.position(&code) else {
                return Err(Fail::not_found(format!(
                    "no code `{code}` in the codebook; see the codebook page for the codes"
                )));
            };
            let c = &cb.codes()[pos];
            let filter = SegmentFilter {
                codes: vec![code.clone()],
                coders: params.all("coder"),
                doc: params.doc_filter(p)?,
            };
            let segs = coding::segments(p, &filter)?;
            let pseudonymised = names.is_some();
            if params.get("format") == Some("csv") {
                // What leaves the app is pseudonymised when the server was given a key.
                let segs = match names {
                    Some(n) => Exporter::new(p, n).segments(segs)?,
                    None => segs,
                };
                let mut w = csv::Writer::from_writer(Vec::new());
                for s in &segs {
                    w.serialize(s)
                        .map_err(|e| Fail::internal(format!("writing CSV: {e}")))?;
                }
                let bytes = w
                    .into_inner()
                    .map_err(|e| Fail::internal(format!("writing CSV: {e}")))?;
                let mut res = bytes.into_response();
                res.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/csv; charset=utf-8"),
                );
                let name: String = code
                    .chars()
                    .map(|ch| if ch.is_ascii_alphanumeric() || ch == '.' || ch == '-' { ch } else { '_' })
                    .collect();
                if let Ok(v) =
                    HeaderValue::from_str(&format!("attachment; filename=\"codings-{name}.csv\""))
                {
                    res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
                }
                return Ok(res);
            }
            let mut texts: HashMap<DocId, (String, CharIndex)> = HashMap::new();
            let mut titles: HashMap<DocId, String> = HashMap::new();
            for s in &segs {
                if let Entry::Vacant(slot) = texts.entry(s.doc) {
                    let t = p.store.text(s.doc)?;
                    let ix = CharIndex::new(&t);
                    slot.insert((t, ix));
                    titles.insert(s.doc, p.store.document(s.doc)?.doc.title);
                }
            }
            let coders: Vec<String> = {
                let mut v: Vec<String> = Vec::new();
                p.store
                    .for_each_coding_span(|_, _, _, _, coder| -> Result<(), Fail> {
                        if !v.iter().any(|x| x == coder) {
                            v.push(coder.to_string());
                        }
                        Ok(())
                    })?;
                v.sort();
                v
            };
            let sel = |k: &str| params.get(k).unwrap_or("").to_string();
            let keep = params.keep(&["phase", "coder", "kind", "doc", "attr", "month", "speaker"]);
            let body = html! {
                main.wide.segments {
                    p.crumbs { a href="/codebook" { "Codebook" } " / " (code) }
                    h1 { (swatch(Some(pos))) " " (c.name) " " span.sub { (code) } }
                    @if !c.description.is_empty() { p.def { (c.description) } }
                    @if !c.children.is_empty() {
                        p.muted { "Includes its children: "
                            @for ch in &c.children { a href={ "/codes/" (segment(ch)) } { (ch) } " " }
                        }
                    }
                    form.filters method="get" {
                        label { "Phase "
                            select name="phase" {
                                option value="" { "any" }
                                @for ph in p.config.timeline.phases() {
                                    option value=(ph.id) selected[sel("phase") == ph.id] { (ph.id) " · " (ph.label) }
                                }
                                option value="unphased" selected[sel("phase") == "unphased"] { "unphased" }
                            }
                        }
                        label { "Coder "
                            select name="coder" {
                                option value="" { "any" }
                                @for c in &coders { option value=(c) selected[sel("coder") == *c] { (c) } }
                            }
                        }
                        label { "Kind "
                            select name="kind" {
                                option value="" { "any" }
                                @for k in DocKind::ALL { option value=(k.as_str()) selected[sel("kind") == k.as_str()] { (k.as_str()) } }
                            }
                        }
                        button { "Filter" }
                        a.button href={ "/codes/" (segment(&code)) "?" (keep) (if keep.is_empty() { "" } else { "&" }) "format=csv" } { (if pseudonymised { "Export CSV (pseudonymised)" } else { "Export CSV" }) }
                    }
                    p.muted { (segs.len()) " coded segment(s), in timeline order" }
                    ol.seglist {
                        @for s in &segs {
                            @let (t, ix) = &texts[&s.doc];
                            @let len = ix.len_chars();
                            @let before = ix.slice(t, s.start.saturating_sub(CONTEXT), s.start).unwrap_or("");
                            @let after = ix.slice(t, s.end, (s.end + CONTEXT).min(len)).unwrap_or("");
                            @let anchor = s.passage.map(|p| format!("#p{}", p.ordinal)).unwrap_or_default();
                            li.seg {
                                div.seghead {
                                    a.doc href={ "/documents/" (s.doc) (anchor) } { (s.passage.map_or_else(|| s.doc.to_string(), |p| p.to_string())) " · " (titles[&s.doc]) }
                                    span.phase title=(phase_label(p, &s.phase)) { (s.phase) }
                                    @if let Some(d) = s.date { span.date { (d) } }
                                    @if let Some(sp) = &s.speaker { span.who { (sp) } }
                                    @if s.code != code { span.sub { (s.code) } }
                                    span.coder { (s.coder) " · " (s.origin.to_string()) }
                                }
                                blockquote.kwic {
                                    @if s.start > CONTEXT { "…" }
                                    span.ctx { (before) }
                                    mark { (s.text) }
                                    span.ctx { (after) }
                                    @if s.end + CONTEXT < len { "…" }
                                }
                                @if let Some(m) = &s.memo { p.memo { "Memo: " (m) } }
                            }
                        }
                    }
                    @if segs.is_empty() {
                        p.muted { "No segments. " a href={ "/codes/" (segment(&code)) } { "Clear the filters" } " or code some passages in a document." }
                    }
                    section.memos {
                        h2 { "Memos on this code" }
                        @for m in p.store.memos()?.into_iter().filter(|m| m.target == format!("code:{code}")) {
                            div.memo { p { (m.text) } p.by { (m.author) " · " (m.created.get(..10).unwrap_or(&m.created)) } }
                        }
                        form method="post" action="/memos" {
                            input type="hidden" name="target" value={ "code:" (code) };
                            input type="hidden" name="back" value={ "/codes/" (segment(&code)) "?" (query(&[])) };
                            textarea name="text" rows="2" placeholder="Write a memo on this code…" required {}
                            button { "Add memo" }
                        }
                    }
                }
            };
            Ok(respond(layout(&ctx, &c.name, Nav::Codebook, body)))
        })
        .await?;
    Ok(res)
}
