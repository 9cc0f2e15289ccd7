//! GUIDs, REFI-QDA's object identity: derived by name (UUID v5) on export so that exports are stable, read leniently on import.

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

/// A REFI-QDA GUID. It prints in the upper-case hyphenated form other tools write
/// (`4B73E49B-CF68-5E6E-82E9-46FB00B2CEFE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Guid(Uuid);

/// The namespace of every GUID Ambit derives. Fixed forever: changing it would give every
/// object of every project a new identity in the tools the project was exported to.
const NAMESPACE: Uuid = Uuid::from_u128(0xc626_d544_14be_4a77_9a16_18fa_3c33_ea7a);

/// What kind of object a derived GUID belongs to; part of the name it is derived from, so
/// a code and a document with the same key still get different GUIDs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Kind {
    /// A `User` (coder), keyed by name.
    User,
    /// A `Code`, keyed by its Ambit id.
    Code,
    /// A source (document), keyed by [`Source::key`](crate::Source::key).
    Source,
    /// A source's original file (`richTextPath`), keyed like its source.
    Original,
    /// A `PlainTextSelection`, keyed by source key and range.
    Selection,
    /// A `Coding`, keyed by its selection, code, coder, origin and occurrence.
    Coding,
    /// A `Note`, keyed by [`Note::key`](crate::Note::key).
    Note,
    /// A `Variable`, keyed by name.
    Variable,
    /// A `Case`, keyed by [`Case::key`](crate::Case::key).
    Case,
    /// A `Set`, keyed by [`Set::key`](crate::Set::key).
    Set,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::User => "user",
            Kind::Code => "code",
            Kind::Source => "source",
            Kind::Original => "original",
            Kind::Selection => "selection",
            Kind::Coding => "coding",
            Kind::Note => "note",
            Kind::Variable => "variable",
            Kind::Case => "case",
            Kind::Set => "set",
        }
    }
}

/// How a GUID read from a file was written, when not in the schema's plain form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Spelling {
    /// In `{braces}`.
    pub braces: bool,
    /// With lower-case hex digits.
    pub lower: bool,
    /// Without hyphens (not schema-valid, but unambiguous).
    pub unhyphenated: bool,
}

impl Guid {
    /// The GUID of object `key` of `kind` in the project identified by `project`: UUID v5 in
    /// Ambit's namespace over the three, so it is the same on every export and differs
    /// between projects.
    ///
    /// ```
    /// use ambit_qdpx::{Guid, GuidKind};
    /// let a = Guid::derive("study-2013", GuidKind::Code, "kb.semantic");
    /// assert_eq!(a, Guid::derive("study-2013", GuidKind::Code, "kb.semantic"));
    /// assert_ne!(a, Guid::derive("study-2014", GuidKind::Code, "kb.semantic"));
    /// assert_ne!(a, Guid::derive("study-2013", GuidKind::User, "kb.semantic"));
    /// ```
    pub fn derive(project: &str, kind: Kind, key: &str) -> Guid {
        // Unit separators keep `("a\u{1f}b", "c")` and `("a", "b\u{1f}c")` apart only if keys
        // never hold U+001F; lengths make the name unambiguous whatever the keys hold.
        let name = format!(
            "{}:{project}\u{1f}{}\u{1f}{}:{key}",
            project.len(),
            kind.as_str(),
            key.len()
        );
        Guid(Uuid::new_v5(&NAMESPACE, name.as_bytes()))
    }

    /// The GUID of object `key` of `kind` inside `parent` (a selection in its source, a
    /// coding in its selection): UUID v5 with the parent as namespace. Children then keep
    /// their GUIDs as long as their parent keeps its own, whatever the project key.
    pub fn child(parent: Guid, kind: Kind, key: &str) -> Guid {
        let name = format!("{}\u{1f}{key}", kind.as_str());
        Guid(Uuid::new_v5(&parent.0, name.as_bytes()))
    }

    /// Reads a GUID in any case, with or without braces or hyphens, and says how it was
    /// written. `None` when it is not a GUID at all.
    pub(crate) fn parse_lenient(s: &str) -> Option<(Guid, Spelling)> {
        let t = s.trim();
        let (inner, braces) = match t.strip_prefix('{').and_then(|r| r.strip_suffix('}')) {
            Some(inner) => (inner, true),
            None => (t, false),
        };
        let hyphenated = inner.len() == 36;
        if !(hyphenated || inner.len() == 32) {
            return None;
        }
        let uuid = Uuid::try_parse(inner).ok()?;
        let spelling = Spelling {
            braces,
            lower: inner.bytes().any(|b| b.is_ascii_lowercase()),
            unhyphenated: !hyphenated,
        };
        Some((Guid(uuid), spelling))
    }
}

impl fmt::Display for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = [0u8; uuid::fmt::Hyphenated::LENGTH];
        f.write_str(self.0.hyphenated().encode_upper(&mut buf))
    }
}

impl FromStr for Guid {
    type Err = crate::Error;

    /// Parses a GUID as [`Guid::parse_lenient`] does: any case, braces allowed.
    fn from_str(s: &str) -> crate::Result<Guid> {
        Guid::parse_lenient(s)
            .map(|(g, _)| g)
            .ok_or_else(|| crate::Error::Model(format!("`{s}` is not a GUID")))
    }
}

impl serde::Serialize for Guid {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: Option<(&str, Spelling)>) {
        let got = Guid::parse_lenient(input).map(|(g, s)| (g.to_string(), s));
        let expected = expected.map(|(g, s)| (g.to_owned(), s));
        assert_eq!(got, expected, "{input}");
    }

    #[test]
    fn spellings() {
        let plain = "4B73E49B-CF68-5E6E-82E9-46FB00B2CEFE";
        let none = Spelling::default();
        check(plain, Some((plain, none)));
        check(
            "4b73e49b-cf68-5e6e-82e9-46fb00b2cefe",
            Some((
                plain,
                Spelling {
                    lower: true,
                    ..none
                },
            )),
        );
        check(
            "{4B73E49B-CF68-5E6E-82E9-46FB00B2CEFE}",
            Some((
                plain,
                Spelling {
                    braces: true,
                    ..none
                },
            )),
        );
        check(
            "4B73E49BCF685E6E82E946FB00B2CEFE",
            Some((
                plain,
                Spelling {
                    unhyphenated: true,
                    ..none
                },
            )),
        );
        check("4B73E49B-CF68-5E6E-82E9", None);
        check("urn:uuid:4B73E49B-CF68-5E6E-82E9-46FB00B2CEFE", None);
        check("", None);
    }

    #[test]
    fn derivation_is_fixed() {
        // A frozen value: if this changes, every exported project changes identity.
        let g = Guid::derive("demo", Kind::Code, "kb");
        assert_eq!(g.to_string(), "23E86BA0-DF74-5607-96CC-A6E197B872BB");
        assert_ne!(
            Guid::derive("a", Kind::Code, "bc"),
            Guid::derive("ab", Kind::Code, "c")
        );
    }
}
