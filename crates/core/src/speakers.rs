//! Speaker aliases: one person under one name, however the transcripts label them.
//!
//! Transcripts label the same person `I`, `Interviewer`, `ERIK` or `Erik Nyström`; the
//! `[speakers]` table of `ambit.toml` says who is who, for the whole study, for documents
//! of one kind, or for one document:
//!
//! ```toml
//! [speakers]
//! "I" = "Interviewer"
//!
//! [speakers.interview]
//! "R" = "Respondent"
//!
//! [speakers.D3]
//! "R" = "Päivi Mäkelä"
//! ```
//!
//! Aliases apply when passages are read (the store keeps each label as written), so
//! editing the table renames speakers everywhere at once, without re-importing. A
//! document's own table wins over its kind's, which wins over the study's.
//!
//! ```
//! use ambit_core::{DocId, DocKind, SpeakerAliases};
//!
//! let mut aliases = SpeakerAliases::default();
//! aliases.insert_global("I", "Interviewer");
//! aliases.insert_for_kind(DocKind::Interview, "R", "Respondent");
//! aliases.insert_for_doc(DocId(3), "R", "Päivi Mäkelä");
//! assert_eq!(aliases.resolve(DocId(1), DocKind::Interview, "I"), "Interviewer");
//! assert_eq!(aliases.resolve(DocId(1), DocKind::Interview, "R"), "Respondent");
//! assert_eq!(aliases.resolve(DocId(3), DocKind::Interview, "R"), "Päivi Mäkelä");
//! assert_eq!(aliases.resolve(DocId(1), DocKind::Workshop, "R"), "R");
//! ```

use std::collections::BTreeMap;

use crate::ids::DocId;
use crate::model::DocKind;

/// Who is who among transcript labels; see the module documentation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpeakerAliases {
    global: BTreeMap<String, String>,
    by_kind: BTreeMap<DocKind, BTreeMap<String, String>>,
    by_doc: BTreeMap<DocId, BTreeMap<String, String>>,
}

impl SpeakerAliases {
    /// Whether there is no alias at all (then reading passages changes nothing).
    pub fn is_empty(&self) -> bool {
        self.global.is_empty() && self.by_kind.is_empty() && self.by_doc.is_empty()
    }

    /// `label` is `name` everywhere.
    pub fn insert_global(&mut self, label: &str, name: &str) {
        self.global.insert(label.to_string(), name.to_string());
    }

    /// `label` is `name` in documents of `kind`.
    pub fn insert_for_kind(&mut self, kind: DocKind, label: &str, name: &str) {
        self.by_kind
            .entry(kind)
            .or_default()
            .insert(label.to_string(), name.to_string());
    }

    /// `label` is `name` in document `doc`.
    pub fn insert_for_doc(&mut self, doc: DocId, label: &str, name: &str) {
        self.by_doc
            .entry(doc)
            .or_default()
            .insert(label.to_string(), name.to_string());
    }

    /// The name of `label` in a document: its own alias, its kind's, the study's, or the
    /// label itself.
    pub fn resolve<'a>(&'a self, doc: DocId, kind: DocKind, label: &'a str) -> &'a str {
        self.by_doc
            .get(&doc)
            .and_then(|m| m.get(label))
            .or_else(|| self.by_kind.get(&kind).and_then(|m| m.get(label)))
            .or_else(|| self.global.get(label))
            .map_or(label, String::as_str)
    }

    /// A stable text that changes whenever any alias does: derived data that holds
    /// speakers (the search index) records it and is rebuilt when it differs.
    pub fn fingerprint(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let mut table = |scope: &str, m: &BTreeMap<String, String>| {
            for (k, v) in m {
                let _ = write!(s, "{scope}\u{1f}{k}\u{1f}{v}\u{1e}");
            }
        };
        table("*", &self.global);
        for (kind, m) in &self.by_kind {
            table(kind.as_str(), m);
        }
        for (doc, m) in &self.by_doc {
            table(&doc.to_string(), m);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_narrowest_table_wins() {
        let mut a = SpeakerAliases::default();
        assert!(a.is_empty());
        a.insert_global("R", "Respondent");
        a.insert_for_kind(DocKind::Workshop, "R", "Researcher");
        a.insert_for_doc(DocId(7), "R", "Kari Järvinen");
        assert_eq!(a.resolve(DocId(1), DocKind::Interview, "R"), "Respondent");
        assert_eq!(a.resolve(DocId(1), DocKind::Workshop, "R"), "Researcher");
        assert_eq!(a.resolve(DocId(7), DocKind::Workshop, "R"), "Kari Järvinen");
        assert_eq!(a.resolve(DocId(7), DocKind::Workshop, "ERIK"), "ERIK");
    }

    #[test]
    fn fingerprints_follow_every_alias() {
        let mut a = SpeakerAliases::default();
        let empty = a.fingerprint();
        a.insert_for_doc(DocId(2), "I", "Anna");
        let one = a.fingerprint();
        assert_ne!(empty, one);
        a.insert_for_doc(DocId(2), "I", "Anna V.");
        assert_ne!(one, a.fingerprint());
        let mut b = SpeakerAliases::default();
        b.insert_for_doc(DocId(2), "I", "Anna V.");
        assert_eq!(a.fingerprint(), b.fingerprint());
    }
}
