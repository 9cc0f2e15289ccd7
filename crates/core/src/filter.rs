//! The one document filter: which documents (and speakers' passages) a command looks at.
//!
//! Every front door that narrows the study (search, concordance, codings, queries,
//! agreement, the tables' provenance hints, the web app's query strings) builds a
//! [`DocFilter`] and asks [`DocFilter::passes`], so the same flags select the same
//! documents everywhere. The meaning, once:
//!
//! - an empty list means "any";
//! - values within one list are alternatives (`--phase I1 --phase I2`: either phase);
//! - different lists all apply (`--phase I1 --kind interview`: both);
//! - attributes with the same key are alternatives, different keys all apply
//!   (`--attr org=A --attr org=B --attr role=CIO`: org A or B, and role CIO); the value
//!   [`NO_VALUE`] matches documents that lack the attribute;
//! - months match the document date's month; `None` (written [`UNDATED`](crate::UNDATED))
//!   matches undated documents;
//! - speakers match passages, not documents; `None` (written [`NO_SPEAKER`]) matches
//!   passages without a speaker.
//!
//! ```
//! use ambit_core::{DocFilter, DocKind, Document, DocId, NO_VALUE};
//!
//! let doc = Document {
//!     id: DocId(3),
//!     title: "Interview with the CIO".into(),
//!     kind: DocKind::Interview,
//!     date: None,
//!     phase: None,
//!     source: "cio.txt".into(),
//!     attributes: [("org".to_string(), "Kaleva".to_string())].into(),
//! };
//! let mut f = DocFilter::default();
//! f.attrs = vec![("org".into(), "Kaleva".into()), ("org".into(), "Pohja".into())];
//! assert!(f.passes(&doc, "I1")); // same key: either value
//! f.attrs.push(("role".into(), NO_VALUE.into()));
//! assert!(f.passes(&doc, "I1")); // the document has no role
//! f.kinds = vec![DocKind::Workshop];
//! assert!(!f.passes(&doc, "I1"));
//! ```

use std::collections::BTreeMap;

use crate::date::{Month, UNDATED};
use crate::error::{Error, Result};
use crate::ids::DocId;
use crate::model::{DocKind, Document};

/// The attribute value that stands for "the document lacks this attribute", in filters
/// and in table rows.
pub const NO_VALUE: &str = "(none)";

/// The speaker label of passages without a speaker, in filters and in table rows.
pub const NO_SPEAKER: &str = "(no speaker)";

/// Which documents, and which speakers' passages, a command looks at. See the module
/// documentation for what combinations mean.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocFilter {
    /// Phase ids (or [`UNPHASED`](crate::UNPHASED)), checked against the timeline when the
    /// filter is built.
    pub phases: Vec<String>,
    /// Document kinds.
    pub kinds: Vec<DocKind>,
    /// Documents.
    pub docs: Vec<DocId>,
    /// `(key, value)` attribute conditions; value [`NO_VALUE`]: the attribute is missing.
    pub attrs: Vec<(String, String)>,
    /// Months of the document date; `None` for undated documents.
    pub months: Vec<Option<Month>>,
    /// Speakers, exactly as in the transcript; `None` for passages without a speaker.
    pub speakers: Vec<Option<String>>,
}

impl DocFilter {
    /// Whether the filter narrows nothing.
    pub fn is_empty(&self) -> bool {
        !self.narrows_documents() && self.speakers.is_empty()
    }

    /// Whether any document-level condition is set (everything but speakers).
    pub fn narrows_documents(&self) -> bool {
        !(self.phases.is_empty()
            && self.kinds.is_empty()
            && self.docs.is_empty()
            && self.attrs.is_empty()
            && self.months.is_empty())
    }

    /// Whether a document passes the document-level conditions; `phase` is its phase id
    /// on the current timeline (or `unphased`).
    pub fn passes(&self, doc: &Document, phase: &str) -> bool {
        (self.docs.is_empty() || self.docs.contains(&doc.id))
            && (self.phases.is_empty() || self.phases.iter().any(|p| p == phase))
            && (self.kinds.is_empty() || self.kinds.contains(&doc.kind))
            && (self.months.is_empty() || self.months.contains(&doc.date.map(|d| d.month_of())))
            && self.attrs_pass(&doc.attributes)
    }

    /// Whether a passage's speaker passes the speaker condition.
    pub fn passes_speaker(&self, speaker: Option<&str>) -> bool {
        self.speakers.is_empty() || self.speakers.iter().any(|s| s.as_deref() == speaker)
    }

    fn attrs_pass(&self, have: &BTreeMap<String, String>) -> bool {
        // Same key: alternatives; different keys: all apply. Conditions are few, so a
        // scan per key keeps this allocation-free.
        self.attrs.iter().all(|(key, _)| {
            let value = have.get(key).map_or(NO_VALUE, String::as_str);
            self.attrs.iter().any(|(k, v)| k == key && v == value)
        })
    }
}

/// Parses a `KEY=VALUE` attribute (from `--attr` or a query string): key and value are
/// trimmed, and the key must not be empty. The value may be [`NO_VALUE`].
pub fn parse_attr(s: &str) -> Result<(String, String)> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.trim().to_string())),
        _ => Err(Error::InvalidAttribute {
            input: s.to_string(),
        }),
    }
}

/// Parses a month condition: `YYYY-MM`, or [`UNDATED`](crate::UNDATED) for `None`.
pub fn parse_month(s: &str) -> Result<Option<Month>> {
    if s.trim().eq_ignore_ascii_case(UNDATED) {
        Ok(None)
    } else {
        Month::parse(s).map(Some)
    }
}

/// Parses a speaker condition: the name as written, or [`NO_SPEAKER`] for `None`.
pub fn parse_speaker(s: &str) -> Option<String> {
    (s != NO_SPEAKER).then(|| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::Date;

    fn doc(id: u32, kind: DocKind, date: Option<&str>, attrs: &[(&str, &str)]) -> Document {
        Document {
            id: DocId(id),
            title: format!("doc {id}"),
            kind,
            date: date.map(|d| Date::parse(d).unwrap()),
            phase: None,
            source: String::new(),
            attributes: attrs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    fn attrs(list: &[&str]) -> DocFilter {
        DocFilter {
            attrs: list.iter().map(|a| parse_attr(a).unwrap()).collect(),
            ..DocFilter::default()
        }
    }

    #[test]
    fn attributes_or_within_a_key_and_across_keys() {
        let a = doc(
            1,
            DocKind::Interview,
            None,
            &[("org", "A"), ("role", "CIO")],
        );
        let b = doc(2, DocKind::Interview, None, &[("org", "B")]);
        let c = doc(3, DocKind::Interview, None, &[]);
        let check = |f: &DocFilter, expected: [bool; 3]| {
            let got = [&a, &b, &c].map(|d| f.passes(d, "I1"));
            assert_eq!(got, expected, "{:?}", f.attrs);
        };
        check(&attrs(&["org=A"]), [true, false, false]);
        check(&attrs(&["org=A", "org=B"]), [true, true, false]);
        check(&attrs(&["org=A", "role=CIO"]), [true, false, false]);
        check(&attrs(&["org=B", "role=CIO"]), [false, false, false]);
        check(&attrs(&["role=(none)"]), [false, true, true]);
        check(&attrs(&["role=CIO", "role=(none)"]), [true, true, true]);
        check(&attrs(&["org=(none)", "org=B"]), [false, true, true]);
    }

    #[test]
    fn lists_are_alternatives_and_lists_all_apply() {
        let d = doc(
            4,
            DocKind::Workshop,
            Some("2013-03-20"),
            &[("org", "network")],
        );
        let mut f = DocFilter {
            phases: vec!["I1".into(), "I2".into()],
            kinds: vec![DocKind::Workshop, DocKind::Interview],
            ..DocFilter::default()
        };
        assert!(f.passes(&d, "I2"));
        assert!(!f.passes(&d, "baseline"));
        f.months = vec![parse_month("2013-03").unwrap()];
        assert!(f.passes(&d, "I1"));
        f.months = vec![parse_month("undated").unwrap()];
        assert!(!f.passes(&d, "I1"));
        assert!(f.passes(&doc(5, DocKind::Workshop, None, &[]), "I1"));
        f.months.clear();
        f.docs = vec![DocId(5)];
        assert!(!f.passes(&d, "I1"));
    }

    #[test]
    fn speakers() {
        let mut f = DocFilter::default();
        assert!(f.passes_speaker(None) && f.is_empty());
        f.speakers = vec![parse_speaker("Päivi"), parse_speaker(NO_SPEAKER)];
        assert!(f.passes_speaker(Some("Päivi")));
        assert!(f.passes_speaker(None));
        assert!(!f.passes_speaker(Some("Erik")));
        assert!(!f.narrows_documents());
    }

    #[test]
    fn parses_attributes_once() {
        assert_eq!(
            parse_attr(" org = Kaleva Oy ").unwrap(),
            ("org".into(), "Kaleva Oy".into())
        );
        assert_eq!(parse_attr("a=b=c").unwrap(), ("a".into(), "b=c".into()));
        assert_eq!(parse_attr("note=").unwrap(), ("note".into(), String::new()));
        for bad in ["=x", " =x", "novalue", ""] {
            let e = parse_attr(bad).unwrap_err().to_string();
            assert!(e.contains("KEY=VALUE"), "{bad:?}: {e}");
        }
        assert_eq!(parse_month("Undated").unwrap(), None);
        assert!(parse_month("2013").is_err());
    }
}
