//! The app's files, compiled into the binary, and the code colours as a style sheet.
//!
//! Nothing is read from the file system: `/assets/{name}` answers only the names below,
//! so no path (`..` or otherwise) can reach a file. The colours come as classes from
//! `/codes.css` rather than as inline styles, which the content security policy forbids.

use ambit_coding::Codebook;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};

use crate::fail::PageError;
use crate::state::App;

const FILES: &[(&str, &str, &str)] = &[
    (
        "app.css",
        "text/css; charset=utf-8",
        include_str!("../assets/app.css"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_str!("../assets/app.js"),
    ),
    (
        "reader.js",
        "text/javascript; charset=utf-8",
        include_str!("../assets/reader.js"),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_str!("../assets/favicon.svg"),
    ),
];

/// `GET /assets/{name}`.
pub async fn asset(Path(name): Path<String>) -> Response {
    match FILES.iter().find(|(n, _, _)| *n == name) {
        Some((_, mime, body)) => {
            let mut res = (*body).into_response();
            res.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
            // Compiled in, so they change only with the binary; a restart serves them anew.
            res.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            res
        }
        None => crate::pages::not_found().await.into_response(),
    }
}

/// Okabe & Ito's colour-blind-safe colours (as the charts use), then a few more.
const PALETTE: [&str; 10] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#8C6D31", "#6B6ECF",
    "#B5CF6B", "#7F7F7F",
];

/// The colour of each code, in codebook order: its own, else its nearest ancestor's, else a
/// palette colour by its top-level code, so a theme's codes share a hue.
pub fn colours(cb: &Codebook) -> Vec<String> {
    let tops: Vec<&str> = cb
        .codes()
        .iter()
        .filter(|c| c.parent.is_none())
        .map(|c| c.id.as_str())
        .collect();
    cb.codes()
        .iter()
        .map(|c| {
            std::iter::once(c.id.as_str())
                .chain(cb.ancestors(&c.id))
                .find_map(|id| cb.code(id).and_then(|x| x.color.as_deref()).and_then(hex))
                .unwrap_or_else(|| {
                    let top = cb.ancestors(&c.id).last().unwrap_or(&c.id);
                    let i = tops.iter().position(|t| *t == top).unwrap_or(0);
                    PALETTE[i % PALETTE.len()].to_string()
                })
        })
        .collect()
}

/// `#abc` or `#aabbcc`, normalised to six digits; anything else is no colour.
fn hex(c: &str) -> Option<String> {
    let h = c.trim().strip_prefix('#')?;
    if !h.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    match h.len() {
        6 => Some(format!("#{h}")),
        3 => Some(h.chars().fold("#".to_string(), |mut s, d| {
            s.push(d);
            s.push(d);
            s
        })),
        _ => None,
    }
}

/// `GET /codes.css`: `.kN` sets `--c` (and `.jN` sets `--c2`) to code N's colour.
pub async fn code_colours(State(app): State<App>) -> Result<Response, PageError> {
    let css = app
        .read(|project| {
            let cb = match ambit_pipeline::coding::load_codebook(project) {
                Ok(cb) => cb,
                Err(_) => return Ok(String::new()),
            };
            let mut css = String::new();
            for (i, c) in colours(&cb).iter().enumerate() {
                css.push_str(&format!(".k{i}{{--c:{c}}}.j{i}{{--c2:{c}}}\n"));
            }
            Ok(css)
        })
        .await?;
    let mut res = css.into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/css; charset=utf-8"),
    );
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_inherit_and_fall_back() {
        let cb = Codebook::parse(
            "[[code]]\nid = \"a\"\nname = \"A\"\ncolor = \"#abc\"\n[[code]]\nid = \"a.b\"\nname = \"B\"\n[[code]]\nid = \"c\"\nname = \"C\"\n[[code]]\nid = \"c.d\"\nname = \"D\"\ncolor = \"#123456\"\n",
        );
        let cb = match cb {
            Ok(cb) => cb,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(colours(&cb), ["#aabbcc", "#aabbcc", PALETTE[1], "#123456"]);
        assert_eq!(hex("#12345g"), None);
    }
}
