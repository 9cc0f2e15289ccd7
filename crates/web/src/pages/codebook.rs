//! `/codebook`: the code tree with definitions, criteria, colours and counts; creating,
//! renaming, moving, recolouring, describing and deleting codes through the pipeline's
//! codebook operations (the store first, then `codebook.toml` rewritten atomically).

use std::collections::{BTreeSet, HashMap};

use ambit_coding::Codebook;
use ambit_core::DocId;
use ambit_pipeline::coding::{self, codebook_file};
use ambit_store::{CodingFilter, Project};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};

use super::{field, form, layout, notice, redirect, respond, swatch, thousands, Ctx, Nav};
use crate::fail::{Fail, PageError};
use crate::params::{query, segment, Params};
use crate::state::App;

/// Codings and documents per code (its own codings, not its children's).
fn counts(p: &Project) -> Result<HashMap<String, (u64, BTreeSet<DocId>)>, Fail> {
    let mut out: HashMap<String, (u64, BTreeSet<DocId>)> = HashMap::new();
    p.store
        .for_each_coding_span(|doc, _, _, code, _| -> Result<(), Fail> {
            match out.get_mut(code) {
                Some(e) => {
                    e.0 += 1;
                    e.1.insert(doc);
                }
                None => {
                    out.insert(code.to_string(), (1, BTreeSet::from([doc])));
                }
            }
            Ok(())
        })?;
    Ok(out)
}

fn parent_options(cb: &Codebook, of: Option<&str>, current: Option<&str>) -> Markup {
    let inside = |id: &str| of.is_some_and(|o| id == o || cb.ancestors(id).any(|a| a == o));
    html! {
        option value="" selected[current.is_none()] { "(top level)" }
        @for i in cb.tree_order() {
            @let c = &cb.codes()[i];
            @if !inside(&c.id) {
                option value=(c.id) selected[current == Some(c.id.as_str())] {
                    ("\u{a0}".repeat(c.depth * 2)) (c.id) " · " (c.name)
                }
            }
        }
    }
}

/// The page, with a notice on top (an edit that was done or refused).
fn render(p: &Project, ctx: &Ctx, note: Option<(&str, &str)>) -> Result<Markup, Fail> {
    let cb = match coding::load_codebook(p) {
        Ok(cb) => Some(cb),
        Err(ambit_pipeline::Error::Request(_)) => None,
        Err(e) => return Err(e.into()),
    };
    let counts = counts(p)?;
    let orphans = match &cb {
        Some(cb) => coding::orphaned_codings(p, cb)?,
        None => Vec::new(),
    };
    let body = html! {
        main.wide.codebook {
            h1 { "Codebook" @if let Some(cb) = &cb { span.sub.plain { (cb.name()) } } }
            @if let Some((kind, text)) = note { (notice(kind, text)) }
            @if !orphans.is_empty() {
                div.notice.warn {
                    "Codings use codes the codebook lacks (tables do not count them): "
                    @for (c, n) in &orphans { code { (c) } " (" (n) ") " }
                }
            }
            details.create open[cb.as_ref().is_none_or(|c| c.codes().is_empty())] {
                summary { "New code" }
                form.codeform method="post" action="/codebook/codes" {
                    label { "Id " input name="id" required placeholder="kb.pragmatic" pattern="[\\p{L}\\p{N}_.\\-]+" title="letters, digits, _, - and ."; }
                    label { "Name " input name="name" required placeholder="Pragmatic boundary"; }
                    label { "Parent "
                        select name="parent" {
                            @if let Some(cb) = &cb { (parent_options(cb, None, None)) } @else { option value="" { "(top level)" } }
                        }
                    }
                    label { "Colour " input name="color" placeholder="#4477AA" size="8"; }
                    label.wide { "Definition " textarea name="description" rows="2" {} }
                    button { "Create code" }
                }
            }
            @match &cb {
                None => p.muted { "This project has no codebook yet. Create its first code above, or start from the bundled template with `ambit codebook init --template ambidexterity`." },
                Some(cb) => {
                    ol.tree {
                        @for i in cb.tree_order() {
                            @let c = &cb.codes()[i];
                            @let (n, docs) = counts.get(&c.id).map_or((0, 0), |(n, d)| (*n, d.len()));
                            li class={ "code d" (c.depth.min(4)) } id={ "code-" (c.id) } {
                                div.head {
                                    (swatch(Some(i)))
                                    a.cid href={ "/codes/" (segment(&c.id)) } { (c.id) }
                                    span.cname { (c.name) }
                                    span.counts title="codings of this code (not its children) · documents" {
                                        a href={ "/codes/" (segment(&c.id)) } { (thousands(n)) " codings" } " · " (docs) " docs"
                                    }
                                    @if !c.rules.is_empty() { span.rules { (c.rules.len()) " rule(s)" } }
                                }
                                @if !c.description.is_empty() { p.def { (c.description) } }
                                @if !c.include.is_empty() || !c.exclude.is_empty() {
                                    dl.crit {
                                        @if !c.include.is_empty() { div { dt { "Include" } dd { (c.include) } } }
                                        @if !c.exclude.is_empty() { div { dt { "Exclude" } dd { (c.exclude) } } }
                                    }
                                }
                                details.edit {
                                    summary { "Edit" }
                                    form.codeform method="post" action={ "/codebook/codes/" (segment(&c.id)) } {
                                        label { "Id " input name="id" value=(c.id) required title="Renaming changes every coding of the code (and of its dotted children)"; }
                                        label { "Name " input name="name" value=(c.name) required; }
                                        label { "Parent " select name="parent" { (parent_options(cb, Some(&c.id), c.parent.as_deref())) } }
                                        label { "Colour " input name="color" value=(c.color.as_deref().unwrap_or("")) placeholder="inherited" size="8"; }
                                        label.wide { "Definition " textarea name="description" rows="3" { (c.description) } }
                                        label.wide { "Include when " textarea name="include" rows="2" { (c.include) } }
                                        label.wide { "Exclude when " textarea name="exclude" rows="2" { (c.exclude) } }
                                        button { "Save" }
                                    }
                                    form.delete method="post" action={ "/codebook/codes/" (segment(&c.id)) "/delete" } {
                                        button.danger { "Delete code…" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(layout(ctx, "Codebook", Nav::Codebook, body))
}

/// `GET /codebook?done=…`.
pub async fn page(
    State(app): State<App>,
    headers: HeaderMap,
    params: Params,
) -> Result<Response, PageError> {
    let m = app
        .read(move |p| {
            let ctx = Ctx::new(p, &headers);
            let done = params.get("done").map(|d| ("ok", d));
            render(p, &ctx, done)
        })
        .await?;
    Ok(respond(m))
}

/// The codebook page again with the refusal on top, as a 400.
fn refused(p: &Project, ctx: &Ctx, e: Fail) -> Result<Response, Fail> {
    let m = render(p, ctx, Some(("err", &e.message)))?;
    Ok((e.status, respond(m)).into_response())
}

fn done(msg: &str, anchor: &str) -> Response {
    redirect(&format!(
        "/codebook?{}#code-{anchor}",
        query(&[("done", msg)])
    ))
}

fn opt(s: &str) -> Option<&str> {
    let s = s.trim();
    (!s.is_empty()).then_some(s)
}

/// `POST /codebook/codes` (form: id, name, parent, color, description).
pub async fn create(
    State(app): State<App>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = form(&body);
    let res = app
        .edit_codebook(move |p| {
            let ctx = Ctx::new(p, &headers);
            let id = field(&f, "id").trim().to_string();
            let attempt = (|| -> Result<(), Fail> {
                if !coding::codebook_path(p).is_file() {
                    let header = format!(
                        "[codebook]\nname = {:?}\n",
                        format!("{} codebook", p.config.name)
                    );
                    coding::write_codebook_source(p, &header)?;
                }
                codebook_file::edit_codebook(p, |cb| {
                    cb.add_code(&id, field(&f, "name"), opt(field(&f, "parent")))?;
                    cb.set_color(&id, opt(field(&f, "color")))?;
                    cb.set_description(&id, field(&f, "description"))
                })?;
                Ok(())
            })();
            match attempt {
                Ok(()) => Ok(done(&format!("Created {id}"), &id)),
                Err(e) => refused(p, &ctx, e),
            }
        })
        .await?;
    Ok(res)
}

/// `POST /codebook/codes/{id}` (form: id, name, parent, color, description, include,
/// exclude): a new id renames the code and its codings first; the rest is one write.
pub async fn update(
    State(app): State<App>,
    headers: HeaderMap,
    Path(old): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = form(&body);
    let res = app
        .edit_codebook(move |p| {
            let ctx = Ctx::new(p, &headers);
            let attempt = (|| -> Result<String, Fail> {
                let cb = coding::load_codebook(p)?;
                if !cb.contains(&old) {
                    return Err(Fail::not_found(format!("no code `{old}` in the codebook")));
                }
                let new = opt(field(&f, "id")).unwrap_or(&old).to_string();
                if new != old {
                    coding::rename_code(p, &old, &new)?;
                }
                codebook_file::edit_codebook(p, |cb| {
                    cb.set_name(&new, field(&f, "name"))?;
                    cb.set_description(&new, field(&f, "description"))?;
                    cb.set_include(&new, field(&f, "include"))?;
                    cb.set_exclude(&new, field(&f, "exclude"))?;
                    cb.set_color(&new, opt(field(&f, "color")))?;
                    let parent = opt(field(&f, "parent"));
                    if cb.code(&new).and_then(|c| c.parent.as_deref()) != parent {
                        cb.set_parent(&new, parent)?;
                    }
                    Ok(())
                })?;
                Ok(new)
            })();
            match attempt {
                Ok(new) => Ok(done(&format!("Saved {new}"), &new)),
                Err(e) if e.status == StatusCode::NOT_FOUND => Err(e),
                Err(e) => refused(p, &ctx, e),
            }
        })
        .await?;
    Ok(res)
}

/// `POST /codebook/codes/{id}/delete` (form: confirm): a code with codings is deleted only
/// after a page has said what goes with it.
pub async fn delete(
    State(app): State<App>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = form(&body);
    let res = app
        .edit_codebook(move |p| {
            let ctx = Ctx::new(p, &headers);
            let cb = coding::load_codebook(p)?;
            let orphan = !cb.contains(&id);
            let codings = p.store.codings(&CodingFilter {
                codes: vec![id.clone()],
                ..Default::default()
            })?;
            if orphan && codings.is_empty() {
                return Err(Fail::not_found(format!("no code `{id}` in the codebook")));
            }
            if !codings.is_empty() && field(&f, "confirm") != "yes" {
                let docs: BTreeSet<DocId> = codings.iter().map(|c| c.doc).collect();
                let coders: BTreeSet<&str> = codings.iter().map(|c| c.coder.as_str()).collect();
                let manual = codings
                    .iter()
                    .filter(|c| c.origin == ambit_core::Origin::Manual)
                    .count();
                let body = html! {
                    main.narrow {
                        h1 { "Delete " code { (id) } "?" }
                        p { "The code has " b { (codings.len()) " coding(s)" } " in " (docs.len()) " document(s), by " (coders.into_iter().collect::<Vec<_>>().join(", ")) "; " (manual) " of them made by hand. Deleting the code deletes these codings too. This cannot be undone." }
                        form method="post" action={ "/codebook/codes/" (segment(&id)) "/delete" } {
                            input type="hidden" name="confirm" value="yes";
                            button.danger { "Delete the code and its " (codings.len()) " coding(s)" }
                            " "
                            a href={ "/codebook#code-" (id) } { "Keep it" }
                        }
                    }
                };
                return Ok(respond(layout(&ctx, "Delete a code", Nav::Codebook, body)));
            }
            match coding::delete_code(p, &id, true) {
                Ok(n) => Ok(redirect(&format!(
                    "/codebook?{}",
                    query(&[("done", &format!("Deleted {id} and {n} coding(s)"))])
                ))),
                Err(e) => refused(p, &ctx, e.into()),
            }
        })
        .await?;
    Ok(res)
}
