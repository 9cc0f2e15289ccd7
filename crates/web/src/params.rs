//! Query strings: repeated keys (`?phase=I1&phase=I2`), and the one document filter read
//! from them with the CLI's meaning (same key: either; different keys: all).

use ambit_core::{DocFilter, DocId, DocKind};
use ambit_store::Project;
use axum::extract::{FromRequestParts, RawQuery};
use axum::http::request::Parts;

use crate::fail::{ApiError, Fail};

/// The query string's pairs, in order, decoded.
#[derive(Debug, Clone, Default)]
pub struct Params(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Params, ApiError> {
        let RawQuery(q) = RawQuery::from_request_parts(parts, state)
            .await
            .unwrap_or(RawQuery(None));
        Ok(Params::parse(q.as_deref().unwrap_or("")))
    }
}

impl Params {
    pub fn parse(query: &str) -> Params {
        Params(
            form_urlencoded::parse(query.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// The first non-empty value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, v)| k == key && !v.trim().is_empty())
            .map(|(_, v)| v.trim())
    }

    /// Every non-empty value of `key`; a value may also list several, comma-separated.
    pub fn all(&self, key: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .flat_map(|(_, v)| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
            .collect()
    }

    /// Every non-empty value of `key`, as given (no splitting at commas: attribute values
    /// and speaker names may contain them).
    pub fn each(&self, key: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, v)| k == key && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_string())
            .collect()
    }

    /// A number, or a bad request naming the key.
    pub fn number(&self, key: &str) -> Result<Option<usize>, Fail> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v.parse().map(Some).map_err(|_| {
                Fail::bad_request(format!("`{key}` must be a whole number, got {v:?}"))
            }),
        }
    }

    /// Whether a flag-like key is set (`1`, `true`, `on`, `yes`).
    pub fn flag(&self, key: &str) -> bool {
        self.get(key)
            .is_some_and(|v| matches!(v, "1" | "true" | "on" | "yes"))
    }

    /// The document filter of `phase`, `kind`, `doc`, `attr` (`KEY=VALUE`), `month`
    /// (`YYYY-MM` or `undated`) and `speaker`, phases checked against the timeline.
    pub fn doc_filter(&self, project: &Project) -> Result<DocFilter, Fail> {
        let phases = self.all("phase");
        for p in phases.iter().filter(|p| *p != ambit_core::UNPHASED) {
            project.config.timeline.require(p)?;
        }
        let kinds = self
            .all("kind")
            .iter()
            .map(|k| DocKind::parse(k))
            .collect::<Result<Vec<_>, _>>()?;
        let docs = self
            .all("doc")
            .iter()
            .map(|d| DocId::parse(d))
            .collect::<Result<Vec<_>, _>>()?;
        let attrs = self
            .each("attr")
            .iter()
            .map(|a| ambit_core::parse_attr(a))
            .collect::<Result<Vec<_>, _>>()?;
        let months = self
            .all("month")
            .iter()
            .map(|m| ambit_core::parse_month(m))
            .collect::<Result<Vec<_>, _>>()?;
        let speakers = self
            .each("speaker")
            .iter()
            .map(|s| ambit_core::parse_speaker(s))
            .collect();
        Ok(DocFilter {
            phases,
            kinds,
            docs,
            attrs,
            months,
            speakers,
        })
    }

    /// The pairs of `keys` as a query string (for links that keep the current filters).
    pub fn keep(&self, keys: &[&str]) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.0 {
            if keys.contains(&k.as_str()) && !v.trim().is_empty() {
                s.append_pair(k, v);
            }
        }
        s.finish()
    }
}

/// `a=1&b=2` from pairs, encoded.
pub fn query(pairs: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

/// A path segment, percent-encoded (code ids may hold characters a path cannot).
pub fn segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_and_comma_separated_values() {
        let p = Params::parse("phase=I1&phase=I2,I3&attr=org%3DA%2CB&q=&coder=anna");
        assert_eq!(p.all("phase"), ["I1", "I2", "I3"]);
        assert_eq!(p.each("attr"), ["org=A,B"]);
        assert_eq!(p.get("q"), None);
        assert_eq!(p.get("coder"), Some("anna"));
        assert_eq!(p.keep(&["phase"]), "phase=I1&phase=I2%2CI3");
    }

    #[test]
    fn segments_are_encoded() {
        assert_eq!(segment("kb.semantic"), "kb.semantic");
        assert_eq!(segment("</script>"), "%3C%2Fscript%3E");
        assert_eq!(segment("ä"), "%C3%A4");
    }
}
