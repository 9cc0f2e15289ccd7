//! Short, stable ids: documents are `D7`, passages `D7:12` (document and 1-based ordinal).

use std::fmt;

use crate::error::{Error, Result};

/// A document id, printed as `D<n>`. Ids are never reused within a project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DocId(pub u32);

/// A passage id: the document and the passage's 1-based ordinal in it, printed `D7:12`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PassageId {
    /// The document.
    pub doc: DocId,
    /// 1-based position of the passage in its document.
    pub ordinal: u32,
}

impl DocId {
    /// Parses `D7` (case-insensitive `d7` too).
    pub fn parse(s: &str) -> Result<DocId> {
        let err = || Error::InvalidId {
            input: s.to_string(),
            expected: "a document id like D7",
        };
        let rest = s.trim().strip_prefix(['D', 'd']).ok_or_else(err)?;
        if rest.is_empty() || !rest.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        rest.parse::<u32>().map(DocId).map_err(|_| err())
    }
}

impl PassageId {
    /// Parses `D7:12`.
    pub fn parse(s: &str) -> Result<PassageId> {
        let err = || Error::InvalidId {
            input: s.to_string(),
            expected: "a passage id like D7:12",
        };
        let (doc, ord) = s.trim().split_once(':').ok_or_else(err)?;
        let doc = DocId::parse(doc).map_err(|_| err())?;
        if ord.is_empty() || !ord.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        let ordinal = ord.parse::<u32>().map_err(|_| err())?;
        if ordinal == 0 {
            return Err(err());
        }
        Ok(PassageId { doc, ordinal })
    }
}

impl fmt::Display for DocId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "D{}", self.0)
    }
}

impl fmt::Display for PassageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.doc, self.ordinal)
    }
}

impl serde::Serialize for DocId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl serde::Serialize for PassageId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        assert_eq!(DocId::parse("D7").unwrap().to_string(), "D7");
        assert_eq!(DocId::parse("d12").unwrap(), DocId(12));
        let p = PassageId::parse("D7:12").unwrap();
        assert_eq!(
            p,
            PassageId {
                doc: DocId(7),
                ordinal: 12
            }
        );
        assert_eq!(p.to_string(), "D7:12");
    }

    #[test]
    fn refuses_malformed() {
        for bad in [
            "",
            "D",
            "7",
            "Dx",
            "D-1",
            "D7:",
            "D7:0",
            ":3",
            "D7:1:2",
            "D7:a",
            "D99999999999",
        ] {
            assert!(
                DocId::parse(bad).is_err() || PassageId::parse(bad).is_err(),
                "{bad}"
            );
        }
        assert!(PassageId::parse("D7").is_err());
        assert!(DocId::parse("D7:1").is_err());
    }
}
