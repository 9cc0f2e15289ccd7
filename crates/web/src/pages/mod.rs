//! The pages: one module per page, sharing the layout, the header and small helpers here.
//!
//! Every value from the project (titles, text, speaker and code names, memos) goes into
//! the HTML through maud's escaping; the only raw markup inserted is the SVG the tables
//! crate draws (which escapes its text) and JSON made safe for a script data block.

use ambit_store::Project;
use axum::body::Bytes;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use maud::{html, Markup, PreEscaped, DOCTYPE};

use crate::fail::{Fail, PageError};

pub mod agreement;
pub mod codebook;
pub mod codes;
pub mod documents;
pub mod memos;
pub mod overview;
pub mod reader;
pub mod search;
pub mod tables;

/// The cookie that remembers the coder's name (not the session: it outlives restarts).
pub const CODER_COOKIE: &str = "ambit_coder";

/// What the header of every page shows.
pub struct Ctx {
    pub project: String,
    pub coder: String,
}

impl Ctx {
    pub fn new(project: &Project, headers: &HeaderMap) -> Ctx {
        Ctx {
            project: project.config.name.clone(),
            coder: coder_cookie(headers).unwrap_or_else(|| project.config.coder.clone()),
        }
    }
}

/// The coder named in the cookie, if any.
pub fn coder_cookie(headers: &HeaderMap) -> Option<String> {
    let raw = crate::auth::cookie(headers, CODER_COOKIE)?;
    let decoded = form_urlencoded::parse(format!("v={raw}").as_bytes())
        .next()
        .map(|(_, v)| v.trim().to_string())?;
    (!decoded.is_empty()).then_some(decoded)
}

/// The sections in the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    Overview,
    Documents,
    Codebook,
    Search,
    Tables,
    Agreement,
    Memos,
}

/// A whole page: header with navigation, search box and coder, then `body`.
pub fn layout(ctx: &Ctx, title: &str, nav: Nav, body: Markup) -> Markup {
    layout_with(ctx, title, nav, html! {}, body)
}

/// A page with extra elements in `<head>` (a page's own script).
pub fn layout_with(ctx: &Ctx, title: &str, nav: Nav, head: Markup, body: Markup) -> Markup {
    let item = |n: Nav, href: &str, label: &str| {
        html! { a href=(href) class=[if n == nav { Some("on") } else { None }] { (label) } }
    };
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · " (ctx.project) " · Ambit" }
                link rel="icon" href="/assets/favicon.svg" type="image/svg+xml";
                link rel="stylesheet" href="/assets/app.css";
                link rel="stylesheet" href="/codes.css";
                script src="/assets/app.js" defer {}
                (head)
            }
            body {
                header.top {
                    a.brand href="/" { span.logo { "A" } span.pname { (ctx.project) } }
                    nav {
                        (item(Nav::Overview, "/", "Overview"))
                        (item(Nav::Documents, "/documents", "Documents"))
                        (item(Nav::Codebook, "/codebook", "Codebook"))
                        (item(Nav::Tables, "/tables", "Timeline"))
                        (item(Nav::Search, "/search", "Search"))
                        (item(Nav::Memos, "/memos", "Memos"))
                        (item(Nav::Agreement, "/agreement", "Agreement"))
                    }
                    form.qbox action="/search" method="get" role="search" {
                        input type="search" name="q" placeholder="Search passages…" aria-label="Search passages";
                    }
                    form.coder method="post" action="/coder" title="Your coder name: new codings are recorded under it" {
                        label { span { "Coder" } input name="coder" value=(ctx.coder) size="10" aria-label="Coder name"; }
                    }
                }
                (body)
            }
        }
    }
}

/// A rendered page as a response.
pub fn respond(m: Markup) -> Response {
    Html(m.into_string()).into_response()
}

/// A page for a failed request, without the project's data (it may be a 401).
pub fn error_page(status: StatusCode, message: &str) -> Response {
    let m = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { (status.as_u16()) " · Ambit" }
                @if status != StatusCode::UNAUTHORIZED {
                    link rel="stylesheet" href="/assets/app.css";
                }
            }
            body.errorpage {
                main.narrow {
                    h1 { (status.canonical_reason().unwrap_or("Error")) }
                    p.err { (message) }
                    @if status != StatusCode::UNAUTHORIZED {
                        p { a href="/" { "Back to the overview" } }
                    }
                }
            }
        }
    };
    Html(m.into_string()).into_response()
}

/// Any route the app does not have.
pub async fn not_found() -> PageError {
    PageError(Fail::not_found(
        "there is no such page in this app; start from the overview",
    ))
}

/// `POST /coder` (form: `coder`, `back`): remembers the coder's name in a cookie.
pub async fn set_coder(headers: HeaderMap, body: Bytes) -> Result<Response, PageError> {
    let form = form(&body);
    let coder = field(&form, "coder").trim().to_string();
    if coder.chars().count() > 100 || coder.chars().any(char::is_control) {
        return Err(
            Fail::bad_request("a coder name is at most 100 characters, on one line").into(),
        );
    }
    let encoded: String = form_urlencoded::byte_serialize(coder.as_bytes()).collect();
    let cookie = if coder.is_empty() {
        format!("{CODER_COOKIE}=; Max-Age=0; Path=/; SameSite=Strict; HttpOnly")
    } else {
        format!("{CODER_COOKIE}={encoded}; Max-Age=31536000; Path=/; SameSite=Strict; HttpOnly")
    };
    // Back to the page the form was on, when that is one of ours.
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.find("://").map(|i| &r[i + 3..]))
        .and_then(|r| r.find('/').map(|i| r[i..].to_string()))
        .filter(|p| p.starts_with('/') && !p.starts_with("//"))
        .unwrap_or_else(|| "/".to_string());
    let mut res = redirect(&back);
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(res)
}

/// A 303 to a path of the app.
pub fn redirect(to: &str) -> Response {
    let mut res = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(to) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res
}

/// The pairs of a form body (`application/x-www-form-urlencoded`).
pub fn form(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// A form field, or "".
pub fn field<'f>(form: &'f [(String, String)], key: &str) -> &'f str {
    form.iter()
        .find(|(k, _)| k == key)
        .map_or("", |(_, v)| v.as_str())
}

/// `12,345`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `[00:01:02]` from milliseconds.
pub fn clock(ms: u64) -> String {
    let s = ms / 1000;
    format!("{:02}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
}

/// JSON for a `<script type="application/json">` block: `<`, `>` and `&` are written as
/// `\u003c` and so on, so no text in it (`</script>`, `<!--`) can end the block.
pub fn script_json(v: &impl serde::Serialize) -> PreEscaped<String> {
    let s = serde_json::to_string(v).unwrap_or_else(|_| "null".to_string());
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    PreEscaped(out)
}

/// A small coloured square for a code (its class sets the colour).
pub fn swatch(pos: Option<usize>) -> Markup {
    match pos {
        Some(i) => html! { span class={ "sw k" (i) } {} },
        None => html! { span.sw.none {} },
    }
}

/// The label of a phase id, or the id.
pub fn phase_label(project: &Project, id: &str) -> String {
    project
        .config
        .timeline
        .phases()
        .iter()
        .find(|p| p.id == id)
        .map_or_else(
            || {
                if id == ambit_core::UNPHASED {
                    "No phase".to_string()
                } else {
                    id.to_string()
                }
            },
            |p| p.label.clone(),
        )
}

/// A message box above a page's content (an edit that was refused, a note).
pub fn notice(kind: &str, text: &str) -> Markup {
    html! { div class={ "notice " (kind) } role="status" { (text) } }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_json_cannot_close_the_block() {
        let s = script_json(&serde_json::json!({"name": "</script><!-- & \u{2028}"})).0;
        assert!(
            !s.contains('<') && !s.contains('>') && !s.contains('&'),
            "{s}"
        );
        let back: serde_json::Value = serde_json::from_str(&s).unwrap_or_default();
        assert_eq!(back["name"], "</script><!-- & \u{2028}");
    }

    #[test]
    fn numbers() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(clock(3_723_000), "01:02:03");
    }
}
