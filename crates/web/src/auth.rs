//! Who may use the app: the session token, the write-origin rule and the security headers.
//!
//! - Every request needs the token. Opening `/?token=TOKEN` (the link `ambit serve`
//!   prints) sets it as an `HttpOnly`, `SameSite=Strict` cookie and redirects to the same
//!   address without it, so the token leaves the address bar and the history. Scripts may
//!   send `Authorization: Bearer TOKEN` instead. Without a valid token: 401 and no data.
//! - A write (`POST`, `PUT`, `DELETE`, `PATCH`) whose `Origin` names another site, or whose
//!   `Sec-Fetch-Site` says it came from another site, is refused (403) whatever it carries.
//!   A write authenticated by the cookie must also show it came from the app itself
//!   (`Origin` equal to the app's, or `Sec-Fetch-Site: same-origin`): browsers send the
//!   cookie along with requests that other pages make, but never add an `Authorization`
//!   header by themselves, so a bearer write needs nothing more.
//! - Every response carries a strict `Content-Security-Policy` (scripts only from the app's
//!   own files, no inline script), `X-Content-Type-Options: nosniff`, no framing, a
//!   referrer only within the app (whose addresses never hold the token), and no CORS
//!   headers.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::state::App;

/// A fresh session token: 128 bits from the operating system's random source, as 32
/// hexadecimal digits.
pub fn new_token() -> crate::Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| crate::Error::Random(e.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Compares in time independent of where the strings differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// How a request proved it holds the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Proof {
    Bearer,
    Cookie,
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub(crate) fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn refuse(status: StatusCode, api: bool, message: &str) -> Response {
    if api {
        (status, axum::Json(serde_json::json!({ "error": message }))).into_response()
    } else {
        (status, crate::pages::error_page(status, message)).into_response()
    }
}

const NO_TOKEN: &str = "this Ambit server needs its session token: open the link that `ambit serve` printed (it ends in ?token=…), or send the header `Authorization: Bearer TOKEN`";

/// The token check and the write-origin rule, in front of every route.
pub(crate) async fn guard(State(app): State<App>, req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    // The link's token: set the cookie and send the browser on without it in the address.
    if let Some(query) = req.uri().query() {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if let Some((_, given)) = pairs.iter().find(|(k, _)| k == "token") {
            if !same(given, app.token()) {
                return refuse(StatusCode::UNAUTHORIZED, api, NO_TOKEN);
            }
            let rest: Vec<&(String, String)> = pairs.iter().filter(|(k, _)| k != "token").collect();
            let mut location = req.uri().path().to_string();
            if !rest.is_empty() {
                let mut s = form_urlencoded::Serializer::new(String::new());
                for (k, v) in rest {
                    s.append_pair(k, v);
                }
                location.push('?');
                location.push_str(&s.finish());
            }
            let cookie = format!(
                "{}={}; HttpOnly; SameSite=Strict; Path=/",
                app.cookie_name(),
                app.token()
            );
            let mut res = Response::new(Body::empty());
            *res.status_mut() = StatusCode::SEE_OTHER;
            if let (Ok(loc), Ok(c)) = (
                HeaderValue::from_str(&location),
                HeaderValue::from_str(&cookie),
            ) {
                res.headers_mut().insert(header::LOCATION, loc);
                res.headers_mut().insert(header::SET_COOKIE, c);
            }
            return res;
        }
    }
    let headers = req.headers();
    let proof = match headers.get(header::AUTHORIZATION) {
        Some(value) => {
            let given = value
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(str::trim);
            match given {
                Some(t) if same(t, app.token()) => Proof::Bearer,
                _ => return refuse(StatusCode::UNAUTHORIZED, api, NO_TOKEN),
            }
        }
        None => match cookie(headers, app.cookie_name()) {
            Some(t) if same(t, app.token()) => Proof::Cookie,
            _ => return refuse(StatusCode::UNAUTHORIZED, api, NO_TOKEN),
        },
    };
    let writes = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if writes {
        if let Err(why) = check_origin(headers, proof) {
            return refuse(StatusCode::FORBIDDEN, api, why);
        }
    }
    next.run(req).await
}

/// The write-origin rule (see the module docs).
fn check_origin(headers: &HeaderMap, proof: Proof) -> Result<(), &'static str> {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let origin_ok = match headers.get(header::ORIGIN) {
        None => None,
        Some(o) => {
            let o = o.to_str().unwrap_or("");
            let own = host.is_some_and(|h| {
                o.strip_prefix("http://")
                    .is_some_and(|rest| rest.eq_ignore_ascii_case(h))
            });
            Some(own)
        }
    };
    if origin_ok == Some(false) {
        return Err("refused: this change was sent by another site (its Origin is not this app's)");
    }
    let site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if matches!(site, Some(s) if s != "same-origin" && s != "none") {
        return Err("refused: this change was sent by another site (Sec-Fetch-Site)");
    }
    if proof == Proof::Cookie && origin_ok != Some(true) && site != Some("same-origin") {
        return Err("refused: a change made with the session cookie must come from the app's own pages (send Origin), or use `Authorization: Bearer TOKEN`");
    }
    Ok(())
}

/// The content security policy: nothing inline, nothing from elsewhere.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Adds the security headers to every response.
pub(crate) async fn headers(mut res: Response) -> Response {
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_128_bit_hex_and_differ() {
        let a = new_token().unwrap_or_default();
        let b = new_token().unwrap_or_default();
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }

    fn check(pairs: &[(&str, &str)], proof: Proof, ok: bool) {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("127.0.0.1:4000"));
        for (k, v) in pairs {
            h.insert(
                axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap_or(header::ACCEPT),
                HeaderValue::from_str(v).unwrap_or(HeaderValue::from_static("")),
            );
        }
        assert_eq!(check_origin(&h, proof).is_ok(), ok, "{pairs:?} {proof:?}");
    }

    #[test]
    fn write_origin_rule() {
        use Proof::*;
        check(&[("origin", "http://127.0.0.1:4000")], Cookie, true);
        check(&[("sec-fetch-site", "same-origin")], Cookie, true);
        check(&[], Cookie, false);
        check(&[], Bearer, true);
        check(&[("origin", "http://evil.example")], Bearer, false);
        check(&[("origin", "http://evil.example")], Cookie, false);
        check(&[("origin", "null")], Cookie, false);
        check(&[("origin", "http://127.0.0.1:4001")], Cookie, false);
        check(&[("sec-fetch-site", "cross-site")], Bearer, false);
        check(&[("sec-fetch-site", "same-site")], Cookie, false);
        check(
            &[
                ("origin", "http://127.0.0.1:4000"),
                ("sec-fetch-site", "cross-site"),
            ],
            Cookie,
            false,
        );
    }

    #[test]
    fn cookie_lookup() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; ambit_token_7=xyz; b=2"),
        );
        assert_eq!(cookie(&h, "ambit_token_7"), Some("xyz"));
        assert_eq!(cookie(&h, "ambit_token"), None);
    }
}
