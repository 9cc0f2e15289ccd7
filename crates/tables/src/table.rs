//! The computed table: rows (codes), columns (groups), one number per cell, plus the
//! grouping and measure names that say what the numbers are.

use std::fmt;
use std::str::FromStr;

use crate::error::Error;

/// What a row or column is grouped by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grouping {
    /// Study phases in timeline order, every phase even when empty, then `unphased`.
    Phase,
    /// Document kinds that occur.
    Kind,
    /// Documents in timeline order.
    Doc,
    /// Passage speakers, by name.
    Speaker,
    /// Calendar months of the document dates, every month from the first to the last.
    Month,
    /// Values of a document attribute.
    Attr(String),
}

impl Grouping {
    /// The column heading of the group in long tables (`phase`, `attr:role` → `role`).
    pub fn key(&self) -> &str {
        match self {
            Grouping::Phase => "phase",
            Grouping::Kind => "kind",
            Grouping::Doc => "doc",
            Grouping::Speaker => "speaker",
            Grouping::Month => "month",
            Grouping::Attr(name) => name,
        }
    }
}

impl FromStr for Grouping {
    type Err = Error;
    fn from_str(s: &str) -> Result<Grouping, Error> {
        Ok(match s {
            "phase" => Grouping::Phase,
            "kind" => Grouping::Kind,
            "doc" => Grouping::Doc,
            "speaker" => Grouping::Speaker,
            "month" => Grouping::Month,
            _ => match s.strip_prefix("attr:") {
                Some(name) if !name.is_empty() => Grouping::Attr(name.to_string()),
                _ => {
                    return Err(Error::Parse(format!(
                        "unknown grouping {s:?}; use phase, kind, doc, speaker, month or attr:NAME"
                    )))
                }
            },
        })
    }
}

impl fmt::Display for Grouping {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Grouping::Attr(name) => write!(f, "attr:{name}"),
            other => f.write_str(other.key()),
        }
    }
}

/// What a cell counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Measure {
    /// Codings (segments); a coding is counted once per cell it touches.
    Codings,
    /// Distinct coded passages (the default).
    #[default]
    Passages,
    /// Documents with at least one coding.
    Documents,
    /// Coded words (overlapping codings counted once).
    Words,
    /// Coded words per 1,000 words of text in the column.
    Per1k,
    /// Coded passages as a percentage of the column's passages.
    Share,
}

impl Measure {
    /// Every measure, in the order the help lists them.
    pub const ALL: [Measure; 6] = [
        Measure::Codings,
        Measure::Passages,
        Measure::Documents,
        Measure::Words,
        Measure::Per1k,
        Measure::Share,
    ];

    /// The flag value (`passages`).
    pub fn as_str(self) -> &'static str {
        match self {
            Measure::Codings => "codings",
            Measure::Passages => "passages",
            Measure::Documents => "documents",
            Measure::Words => "words",
            Measure::Per1k => "per1k",
            Measure::Share => "share",
        }
    }

    /// Whether cells are whole numbers.
    pub fn is_count(self) -> bool {
        !matches!(self, Measure::Per1k | Measure::Share)
    }

    /// A caption for titles and axes.
    pub fn describe(self) -> &'static str {
        match self {
            Measure::Codings => "Codings",
            Measure::Passages => "Coded passages",
            Measure::Documents => "Documents with codings",
            Measure::Words => "Coded words",
            Measure::Per1k => "Coded words per 1,000 words",
            Measure::Share => "Coded passages (% of passages)",
        }
    }
}

impl FromStr for Measure {
    type Err = Error;
    fn from_str(s: &str) -> Result<Measure, Error> {
        Measure::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| {
                Error::Parse(format!(
                    "unknown measure {s:?}; use codings, passages, documents, words, per1k or share"
                ))
            })
    }
}

impl fmt::Display for Measure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A column heading.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Short id (`I1`, `D7`, `2013-04`, `total`).
    pub id: String,
    /// Longer label (the phase label, the document title); may equal `id`.
    pub label: String,
    /// The `total` column added by `--totals`.
    pub total: bool,
}

/// A row: one code, or the total over the selected codes.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Code id, or `total`.
    pub code: String,
    /// Code name.
    pub name: String,
    /// 0 for top-level codes; the hierarchy shown by indentation.
    pub depth: usize,
    /// The codebook colour, if any.
    pub color: Option<String>,
    /// The row added by `--totals`: any selected code.
    pub total: bool,
    /// One value per column.
    pub values: Vec<f64>,
}

/// A finished table.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Sheet / section name (`freq`, `cooccur I1`).
    pub name: String,
    /// One-line title (`Coded passages per code and phase`).
    pub title: String,
    /// What the cells count.
    pub measure: Measure,
    /// Heading of the column dimension in long output (`phase`, `code`).
    pub group: String,
    /// For one table of several (co-occurrence per phase): the key and value it is for.
    pub slice: Option<(String, String)>,
    /// Columns, in display order.
    pub columns: Vec<Column>,
    /// Rows, in codebook order.
    pub rows: Vec<Row>,
}

impl Table {
    /// The value at a row (by code id) and column (by id), if both exist.
    pub fn get(&self, code: &str, column: &str) -> Option<f64> {
        let c = self.columns.iter().position(|c| c.id == column)?;
        let r = self.rows.iter().find(|r| r.code == code)?;
        r.values.get(c).copied()
    }

    /// A cell formatted the way every output shows it: counts as integers, rates with two
    /// decimals.
    pub fn format_value(&self, v: f64) -> String {
        if self.measure.is_count() {
            format!("{v:.0}")
        } else {
            format!("{v:.2}")
        }
    }
}
