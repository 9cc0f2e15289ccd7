//! The one rule for reading a reliability CSV: which column names the rows, and whether units or coders run down them.
//!
//! Researchers' files come in two layouts (a row per unit with a column per
//! coder, or Krippendorff's row per coder with a column per unit), with or
//! without a first column of ids. Guessing wrong does not fail: it gives a
//! wrong coefficient (a subject number counted as a seventh rater). So the
//! rule reads the header and the values, decides only on clear evidence, and
//! refuses otherwise; the caller states the [`Reading`] it used.
//!
//! **Id column.** The first column holds ids when
//! 1. its header is empty, `#`, or a word for units or coders (`subject`,
//!    `unit`, `item`, `id`, `case`, `coder`, `rater`, … in any case, also as
//!    `Unit ID`, `subject_no`), unless every header cell names its column the
//!    same way (`rater1, rater2, rater3`: then all are coders);
//! 2. or the other headers name their columns alike (`rater1, rater2`,
//!    `coder_a, coder_b`, `1, 2, 3`) and the first one does not;
//! 3. or its values are all present and distinct, and either not all numbers
//!    and found in no other column (`s01, s02, …` or `anna, erik, …`), or
//!    whole numbers that outnumber the other columns' distinct values at
//!    least two to one (subjects `1…30` rated on five categories).
//!
//! A first column that repeats a value, has an empty cell, holds fractions or
//! shares its labels with the ratings is a coder's. Distinct whole numbers
//! with about as many distinct ratings are unclear, and refused.
//!
//! **Layout.** With an id column, a header word for units (`subject`, …)
//! means a row per unit and one for coders (`coder`, `rater`, …) a row per
//! coder. Otherwise the labels decide: a header that numbers its columns
//! (`1, 2, 3`, `u1, u2`, `item_1`) or a first column that names coders alike
//! (`rater1, rater2`) means a row per coder; a header that names coders alike
//! (`rater1`, `coder_a`) or a first column of unit numbers means a row per
//! unit. No evidence, or evidence both ways, is refused. Without an id column
//! there is one row per unit, unless the header numbers units.

use std::collections::BTreeSet;
use std::fmt;

use crate::{Error, Result, UnitsIn};

/// Which column of a reliability CSV names the rows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum IdColumn {
    /// Decided by the rule of this module from the header and the values.
    #[default]
    Auto,
    /// The first column.
    First,
    /// The column with this header, compared ignoring case and surrounding spaces.
    Named(String),
    /// No column: every column holds ratings (or counts).
    None,
}

/// A column of the file: its 0-based position and its header.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Column {
    /// 0-based position in the header.
    pub index: usize,
    /// The header cell (trimmed).
    pub header: String,
}

/// Where a decision of a [`Reading`] came from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Basis {
    /// The caller said so (a flag, or a format whose layout is fixed).
    Given,
    /// The rule found this clue, e.g. "its header `subject` names units".
    Detected(String),
}

impl Basis {
    /// The clue, for a detected decision.
    pub fn clue(&self) -> Option<&str> {
        match self {
            Basis::Given => None,
            Basis::Detected(clue) => Some(clue),
        }
    }
}

/// How a file was read: the layout, the id column, and the resulting size.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Reading {
    /// Which way the units run.
    pub units_in: UnitsIn,
    /// Why the layout is `units_in`.
    pub layout_basis: Basis,
    /// The column naming the rows (units with [`UnitsIn::Rows`], coders with
    /// [`UnitsIn::Columns`]); `None` when the rows are numbered.
    pub id_column: Option<Column>,
    /// Why the id column is `id_column`.
    pub id_basis: Basis,
    /// Number of units (subjects).
    pub units: usize,
    /// Number of coders (raters; for a count table, ratings per subject).
    pub coders: usize,
}

impl Reading {
    /// One line for the user, with the caller's words for units and coders:
    /// `describe("subjects", "raters")` gives "30 subjects × 6 raters
    /// (subjects in rows), first column `subject` taken as ids".
    pub fn describe(&self, units: &str, coders: &str) -> String {
        let in_rows = match self.units_in {
            UnitsIn::Rows => units,
            UnitsIn::Columns => coders,
        };
        let id = match &self.id_column {
            None => "no id column".to_string(),
            Some(c) => {
                let which = if c.index == 0 {
                    "first column".to_string()
                } else {
                    format!("column {}", c.index + 1)
                };
                let name = if c.header.is_empty() {
                    String::new()
                } else {
                    format!(" `{}`", c.header)
                };
                let role = match self.units_in {
                    UnitsIn::Rows => "ids",
                    UnitsIn::Columns => "names",
                };
                format!("{which}{name} taken as {role}")
            }
        };
        format!(
            "{} {units} × {} {coders} ({in_rows} in rows), {id}",
            self.units, self.coders
        )
    }
}

impl fmt::Display for Reading {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe("units", "coders"))
    }
}

/// The decisions of the rule, before the data is split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Plan {
    pub units_in: UnitsIn,
    pub layout_basis: Basis,
    pub id_column: Option<Column>,
    pub id_basis: Basis,
}

impl Plan {
    /// The reading, once the data's size is known.
    pub fn reading(self, units: usize, coders: usize) -> Reading {
        Reading {
            units_in: self.units_in,
            layout_basis: self.layout_basis,
            id_column: self.id_column,
            id_basis: self.id_basis,
            units,
            coders,
        }
    }
}

/// Decides how to read a table: `header` and `rows` as read (cells trimmed,
/// every row as long as the header, missing cells `None`). `units_in: None`
/// detects the layout. This is the only place the rule lives; every reader
/// of reliability data goes through it.
pub(crate) fn detect(
    header: &[String],
    rows: &[Vec<Option<String>>],
    id: &IdColumn,
    units_in: Option<UnitsIn>,
) -> Result<Plan> {
    let column = |index: usize| Column {
        index,
        header: header.get(index).cloned().unwrap_or_default(),
    };
    let (id_column, id_basis) = match id {
        IdColumn::First => (Some(column(0)), Basis::Given),
        IdColumn::None => (None, Basis::Given),
        IdColumn::Named(name) => {
            let wanted = name.trim().to_lowercase();
            let index = header
                .iter()
                .position(|h| h.to_lowercase() == wanted)
                .ok_or_else(|| Error::UnknownColumn {
                    name: name.clone(),
                    header: header.to_vec(),
                })?;
            (Some(column(index)), Basis::Given)
        }
        IdColumn::Auto => match first_column_verdict(header, rows) {
            Verdict::Ids(clue) => (Some(column(0)), Basis::Detected(clue)),
            Verdict::Ratings(clue) => (None, Basis::Detected(clue)),
            Verdict::Unclear(why) => {
                return Err(Error::UnclearIdColumn {
                    column: header.first().cloned().unwrap_or_default(),
                    why,
                })
            }
        },
    };
    let (units_in, layout_basis) = match units_in {
        Some(u) => (u, Basis::Given),
        None => {
            let (u, clue) = layout(header, rows, id_column.as_ref().map(|c| c.index))?;
            (u, Basis::Detected(clue))
        }
    };
    Ok(Plan {
        units_in,
        layout_basis,
        id_column,
        id_basis,
    })
}

/// What the first column holds, by the rule's id-column clauses.
#[derive(Debug)]
enum Verdict {
    Ids(String),
    Ratings(String),
    Unclear(String),
}

fn first_column_verdict(header: &[String], rows: &[Vec<Option<String>>]) -> Verdict {
    let Some(h0) = header.first() else {
        return Verdict::Ratings("the file has no columns".into());
    };
    if header.len() < 2 {
        return Verdict::Ratings("it is the only column".into());
    }
    let all: Vec<&str> = header.iter().map(String::as_str).collect();
    if series(&all).is_some() {
        return Verdict::Ratings(format!(
            "the header names every column alike ({})",
            preview(&all)
        ));
    }
    if let Some(word) = header_word(h0) {
        return Verdict::Ids(match word.role {
            Some(role) => format!("its header `{h0}` names {role}"),
            None if h0.is_empty() => "its header is empty, as above row names".to_string(),
            None => format!("its header `{h0}` names ids"),
        });
    }
    if series(&all[1..]).is_some() {
        return Verdict::Ids(format!(
            "the other headers name their columns alike ({}) and `{h0}` does not",
            preview(&all[1..])
        ));
    }
    if rows.is_empty() {
        return Verdict::Ratings("there are no rows to tell from".into());
    }
    let Some(values) = rows
        .iter()
        .map(|r| r.first().and_then(Option::as_deref))
        .collect::<Option<Vec<&str>>>()
    else {
        return Verdict::Ratings("it has empty cells, which ids never are".into());
    };
    if let Some(v) = first_repeat(&values) {
        return Verdict::Ratings(format!("it holds {v:?} twice, which ids never do"));
    }
    let others: BTreeSet<&str> = rows
        .iter()
        .flat_map(|r| r.iter().skip(1).flatten().map(String::as_str))
        .collect();
    if values.iter().any(|v| !is_number(v)) {
        return match values.iter().find(|v| others.contains(*v)) {
            None => Verdict::Ids(format!(
                "its values ({}) are distinct labels that no other column holds",
                preview(&values)
            )),
            Some(v) => Verdict::Ratings(format!("its value {v:?} is a rating in other columns")),
        };
    }
    if let Some(v) = values.iter().find(|v| !is_integer(v)) {
        return Verdict::Ratings(format!("it holds {v:?}, which is not a whole number"));
    }
    if 2 * others.len() <= values.len() {
        return Verdict::Ids(format!(
            "its {} distinct whole numbers ({}) outnumber the {} values of the other columns",
            values.len(),
            preview(&values),
            others.len()
        ));
    }
    Verdict::Unclear(format!(
        "its {} values ({}) are distinct whole numbers, like ids, but the other columns hold {} different values, like ratings",
        values.len(),
        preview(&values),
        others.len()
    ))
}

fn layout(
    header: &[String],
    rows: &[Vec<Option<String>>],
    id: Option<usize>,
) -> Result<(UnitsIn, String)> {
    let Some(k) = id else {
        let all: Vec<&str> = header.iter().map(String::as_str).collect();
        return Ok(match role(&all) {
            Some(Role::Units) => (
                UnitsIn::Columns,
                format!("the header ({}) names units", preview(&all)),
            ),
            _ => (
                UnitsIn::Rows,
                "without an id column the header names the coders".into(),
            ),
        });
    };
    let name = header.get(k).map_or("", String::as_str);
    if let Some(role) = header_word(name).and_then(|w| w.role) {
        let clue = format!("the id column's header `{name}` names {role}");
        return Ok(match role {
            Role::Units => (UnitsIn::Rows, clue),
            Role::Coders => (UnitsIn::Columns, clue),
        });
    }
    let others: Vec<&str> = header
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != k)
        .map(|(_, h)| h.as_str())
        .collect();
    let ids: Vec<&str> = rows
        .iter()
        .filter_map(|r| r.get(k).and_then(Option::as_deref))
        .collect();
    let by_header = role(&others);
    let by_ids = role(&ids);
    let header_clue = |r: Role| format!("the header ({}) names {r}", preview(&others));
    let ids_clue = |r: Role| format!("the id column ({}) names {r}", preview(&ids));
    // A header of coders, or ids of units, means units run down the rows;
    // the two can only disagree by naming the same thing.
    match (by_header, by_ids) {
        (Some(h), Some(i)) if h == i => Err(Error::UnclearLayout {
            why: format!(
                "both the header ({}) and the id column ({}) name {h}",
                preview(&others),
                preview(&ids)
            ),
        }),
        (Some(Role::Coders), i) => Ok((
            UnitsIn::Rows,
            match i {
                Some(_) => format!("{} and {}", header_clue(Role::Coders), ids_clue(Role::Units)),
                None => header_clue(Role::Coders),
            },
        )),
        (Some(Role::Units), i) => Ok((
            UnitsIn::Columns,
            match i {
                Some(_) => format!("{} and {}", header_clue(Role::Units), ids_clue(Role::Coders)),
                None => header_clue(Role::Units),
            },
        )),
        (None, Some(Role::Units)) => Ok((UnitsIn::Rows, ids_clue(Role::Units))),
        (None, Some(Role::Coders)) => Ok((UnitsIn::Columns, ids_clue(Role::Coders))),
        (None, None) => Err(Error::UnclearLayout {
            why: format!(
                "neither the header ({}) nor the id column ({}) names coders alike (rater1, rater2; coder_a, coder_b) or numbers units (1, 2; u1, u2)",
                preview(&others),
                preview(&ids)
            ),
        }),
    }
}

/// What a set of labels names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Coders,
    Units,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Coders => "coders",
            Role::Units => "units",
        })
    }
}

/// Words that name coders, in headers (`coder`, `Rater ID`) and as the stem
/// of a series (`rater1`, `coder_a`, `r2`).
const CODER_WORDS: &[&str] = &[
    "coder",
    "rater",
    "judge",
    "annotator",
    "observer",
    "reviewer",
    "assessor",
    "evaluator",
];

/// Words that name units.
const UNIT_WORDS: &[&str] = &[
    "subject",
    "unit",
    "item",
    "case",
    "participant",
    "respondent",
    "patient",
    "passage",
    "segment",
    "excerpt",
    "question",
    "document",
];

/// Words that make a header an id column without saying of what.
const ID_WORDS: &[&str] = &[
    "id", "no", "nr", "number", "name", "label", "key", "index", "row",
];

/// Single letters that stand for a word only as the stem of a series.
const CODER_LETTERS: &[&str] = &["r"];
const UNIT_LETTERS: &[&str] = &["u", "s", "q"];

/// A header that makes its column an id column, and what its word names.
struct HeaderWord {
    role: Option<Role>,
}

fn header_word(h: &str) -> Option<HeaderWord> {
    let h = h.trim().to_lowercase();
    if !h.chars().any(char::is_alphanumeric) {
        // Empty (R's row names) or `#`.
        return Some(HeaderWord { role: None });
    }
    let (mut coder, mut unit, mut id) = (false, false, false);
    for token in h
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
    {
        // `unitid`, `subjectno`: a word glued to its qualifier.
        let bare = ID_WORDS
            .iter()
            .filter_map(|q| token.strip_suffix(q))
            .find(|rest| word_role(rest).is_some())
            .unwrap_or(token);
        match word_role(bare) {
            Some(Role::Coders) => coder = true,
            Some(Role::Units) => unit = true,
            None if bare != token || ID_WORDS.contains(&singular(token)) => id = true,
            None => {}
        }
        if bare != token {
            id = true;
        }
    }
    let role = match (coder, unit) {
        (true, false) => Some(Role::Coders),
        (false, true) => Some(Role::Units),
        // `coder\unit`, Krippendorff's corner cell, names both axes.
        (true, true) => None,
        (false, false) if id => None,
        (false, false) => return None,
    };
    Some(HeaderWord { role })
}

fn singular(word: &str) -> &str {
    match word.strip_suffix('s') {
        Some(stem) if !stem.is_empty() => stem,
        _ => word,
    }
}

fn word_role(word: &str) -> Option<Role> {
    let one = singular(word);
    if CODER_WORDS.contains(&word) || CODER_WORDS.contains(&one) {
        Some(Role::Coders)
    } else if UNIT_WORDS.contains(&word) || UNIT_WORDS.contains(&one) {
        Some(Role::Units)
    } else {
        None
    }
}

const SEPARATORS: &[char] = &['_', '-', ' ', '.', '#', ':'];

/// A label split into stem and distinguishing suffix: `rater12` → (`rater`,
/// `12`), `Coder B` → (`coder`, `b`), `7` → (``, `7`), `c` → (``, `c`),
/// `coder_anna` → (`coder`, `anna`) (a known word before a separator).
fn shape(label: &str) -> Option<(String, String)> {
    let l = label.trim().to_lowercase();
    let digits = l.trim_end_matches(|c: char| c.is_ascii_digit());
    if digits.len() < l.len() {
        let stem = digits.trim_end_matches(SEPARATORS);
        return Some((stem.to_string(), l[digits.len()..].to_string()));
    }
    let mut chars = l.chars();
    if let Some(last) = chars.next_back().filter(|c| c.is_alphabetic()) {
        let rest = chars.as_str();
        if rest.is_empty() {
            return Some((String::new(), last.to_string()));
        }
        if rest.ends_with(SEPARATORS) {
            let stem = rest.trim_end_matches(SEPARATORS);
            if !stem.is_empty() {
                return Some((stem.to_string(), last.to_string()));
            }
        }
    }
    let (stem, rest) = l.split_once(SEPARATORS)?;
    (word_role(stem).is_some() && !rest.is_empty()).then(|| (stem.to_string(), rest.to_string()))
}

/// The common stem if the labels name their columns alike: at least two,
/// the same stem, distinct suffixes.
fn series(labels: &[&str]) -> Option<String> {
    if labels.len() < 2 {
        return None;
    }
    let shapes = labels
        .iter()
        .map(|l| shape(l))
        .collect::<Option<Vec<_>>>()?;
    let stem = &shapes[0].0;
    if shapes.iter().any(|(s, _)| s != stem) {
        return None;
    }
    let suffixes: BTreeSet<&str> = shapes.iter().map(|(_, s)| s.as_str()).collect();
    (suffixes.len() == shapes.len()).then(|| stem.clone())
}

/// What a series of labels names: a known stem, or numbers for units.
fn role(labels: &[&str]) -> Option<Role> {
    let stem = series(labels)?;
    if stem.is_empty() {
        return labels.iter().all(|l| is_integer(l)).then_some(Role::Units);
    }
    if CODER_LETTERS.contains(&stem.as_str()) {
        return Some(Role::Coders);
    }
    if UNIT_LETTERS.contains(&stem.as_str()) {
        return Some(Role::Units);
    }
    word_role(&stem)
}

/// True for a finite number, the values interval and ratio alpha can use.
pub(crate) fn is_number(s: &str) -> bool {
    s.parse::<f64>().is_ok_and(f64::is_finite)
}

fn is_integer(s: &str) -> bool {
    s.parse::<i64>().is_ok()
}

fn first_repeat<'a>(values: &[&'a str]) -> Option<&'a str> {
    let mut seen = BTreeSet::new();
    values.iter().copied().find(|v| !seen.insert(*v))
}

/// `a, b, c, …` from the first few labels.
fn preview(labels: &[&str]) -> String {
    const SHOWN: usize = 4;
    let mut s = labels
        .iter()
        .take(SHOWN)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if labels.len() > SHOWN {
        s.push_str(", …");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Renders what the rule decides for a CSV-like text (`,` separated, one
    /// row a line, empty cells missing): `rows, id 0 | …clues` or the error.
    fn decide(input: &str, id: &IdColumn, units_in: Option<UnitsIn>) -> String {
        let mut lines = input.lines().map(|l| {
            l.split(',')
                .map(|c| c.trim().to_string())
                .collect::<Vec<_>>()
        });
        let header = lines.next().unwrap_or_default();
        let rows: Vec<Vec<Option<String>>> = lines
            .map(|r| {
                r.into_iter()
                    .map(|c| (!c.is_empty()).then_some(c))
                    .collect()
            })
            .collect();
        match detect(&header, &rows, id, units_in) {
            Ok(plan) => {
                let layout = match plan.units_in {
                    UnitsIn::Rows => "rows",
                    UnitsIn::Columns => "columns",
                };
                let id = match &plan.id_column {
                    Some(c) => format!("id {}", c.index),
                    None => "no id".to_string(),
                };
                format!("{layout}, {id}")
            }
            Err(e) => format!("error: {e}"),
        }
    }

    fn check(input: &str, expected: &str) {
        assert_eq!(decide(input, &IdColumn::Auto, None), expected, "{input}");
    }

    /// Thirty subjects, six raters on five categories (Fleiss 1971's shape).
    fn fleiss_like(header: &str) -> String {
        let mut s = format!("{header}\n");
        for i in 1..=30 {
            let r = |k: usize| (i * 7 + k) % 5 + 1;
            s.push_str(&format!(
                "{i},{},{},{},{},{},{}\n",
                r(0),
                r(1),
                r(2),
                r(3),
                r(4),
                r(5)
            ));
        }
        s
    }

    #[test]
    fn id_column_by_header_word() {
        check("subject,a,b\n1,x,y\n2,x,x\n", "rows, id 0");
        check("Unit,ann,bob\n1,x,y\n1,x,x\n", "rows, id 0");
        check("ITEM,ann,bob\n1,x,y\n", "rows, id 0");
        check("id,ann,bob\n1,x,y\n2,x,x\n", "rows, id 0");
        check("Case,ann,bob\n1,x,y\n", "rows, id 0");
        check("Unit ID,ann,bob\n1,x,y\n", "rows, id 0");
        check("subject_no,ann,bob\n1,x,y\n", "rows, id 0");
        check("unitid,ann,bob\n1,x,y\n", "rows, id 0");
        check("Subjects,ann,bob\n1,x,y\n", "rows, id 0");
        check("coder,1,2,3\nann,1,2,3\nbob,1,2,2\n", "columns, id 0");
        check("Rater ID,u1,u2\nann,1,2\nbob,1,1\n", "columns, id 0");
        // R's write.csv puts an empty cell above the row names.
        check(",rater1,rater2\n1,a,b\n2,b,b\n", "rows, id 0");
        check("#,rater1,rater2\n1,a,b\n2,b,b\n", "rows, id 0");
    }

    #[test]
    fn the_issue_files() {
        check(
            &fleiss_like("subject,rater1,rater2,rater3,rater4,rater5,rater6"),
            "rows, id 0",
        );
        // Raters numbered in the header: the word `subject` decides.
        check(&fleiss_like("subject,1,2,3,4,5,6"), "rows, id 0");
        check("item,rater1,rater2\n1,a,a\n2,a,b\n3,b,b\n", "rows, id 0");
        check(
            "coder,1,2,3,4,5,6,7,8,9,10,11,12\nA,1,2,3,3,2,1,4,1,2,,,\nB,1,2,3,3,2,2,4,1,2,5,,3\n",
            "columns, id 0",
        );
    }

    #[test]
    fn id_column_by_header_series() {
        check("patient,rater1,rater2\n1,a,b\n2,b,b\n", "rows, id 0");
        check("x,coder_a,coder_b\n1,a,b\n1,b,b\n", "rows, id 0");
        check("who,1,2,3\nann,1,2,3\nbob,1,2,2\n", "columns, id 0");
        check("who,u1,u2,u3\nann,1,2,3\nbob,1,2,2\n", "columns, id 0");
        check("who,Unit 1,Unit 2\nann,1,2\nbob,1,2\n", "columns, id 0");
        // Every column named alike: all are coders, or all units.
        check("rater1,rater2,rater3\n1,2,3\n2,2,2\n", "rows, no id");
        check("coder_a,coder_b\n1,2\n3,4\n", "rows, no id");
        check("A,B,C,D\n1,1,2,1\n", "rows, no id");
        check("1,2,3\n1,2,3\n1,2,2\n", "columns, no id");
        check("u1,u2,u3\na,b,a\na,b,b\n", "columns, no id");
    }

    #[test]
    fn id_column_by_values() {
        // Labels that are no rating.
        check("x,ann,bob\ns01,1,2\ns02,2,2\n", "rows, id 0");
        check(",u1,u2,u3\nanna,1,2,3\nerik,1,2,2\n", "columns, id 0");
        check("x,u1,u2,u3\nanna,1,2,3\nerik,1,2,2\n", "columns, id 0");
        check(&fleiss_like("x,ann,bob,cem,dan,eve,fay"), "rows, id 0");
        // A coder's ratings: repeated, missing, fractional, or shared with others.
        check("ann,bob\n1,2\n1,1\n", "rows, no id");
        check("ann,bob\n1,2\n,1\n", "rows, no id");
        check("ann,bob\n1.5,2\n2.5,1\n", "rows, no id");
        check("ann,bob\nyes,no\nno,no\n", "rows, no id");
        check(
            "ann,bob\n1,2\n2,2\n3,3\n",
            "error: cannot tell whether the first column `ann` holds ids or ratings: its 3 values (1, 2, 3) are distinct whole numbers, like ids, but the other columns hold 2 different values, like ratings; pass --id-column ann if it holds ids, or --no-id-column if it holds ratings",
        );
    }

    #[test]
    fn layout_refusals() {
        check(
            "x,greeting,closing\nanna,1,2\nerik,1,1\n",
            "error: cannot tell whether coders are in rows or in columns: neither the header (greeting, closing) nor the id column (anna, erik) names coders alike (rater1, rater2; coder_a, coder_b) or numbers units (1, 2; u1, u2); pass --units-in rows (one row per unit, a column per coder) or --units-in columns (one row per coder, a column per unit)",
        );
        check(
            ",1,2,3\n1,a,b,a\n2,a,a,b\n",
            "error: cannot tell whether coders are in rows or in columns: both the header (1, 2, 3) and the id column (1, 2) name units; pass --units-in rows (one row per unit, a column per coder) or --units-in columns (one row per coder, a column per unit)",
        );
        // Krippendorff's corner cell names both axes; the labels decide.
        check("coder\\unit,1,2,3\nA,1,2,3\nB,1,2,2\n", "columns, id 0");
    }

    #[test]
    fn given_options_win() {
        let input = "x,greeting,closing\nanna,1,2\nerik,1,1\n";
        assert_eq!(
            decide(input, &IdColumn::Auto, Some(UnitsIn::Columns)),
            "columns, id 0"
        );
        assert_eq!(
            decide("ann,bob\n1,2\n2,2\n3,3\n", &IdColumn::None, None),
            "rows, no id"
        );
        assert_eq!(
            decide(
                "ann,bob\n1,2\n2,2\n3,3\n",
                &IdColumn::First,
                Some(UnitsIn::Rows)
            ),
            "rows, id 0"
        );
        assert_eq!(
            decide(
                "ann,Subject,bob\n1,s1,2\n",
                &IdColumn::Named("subject".into()),
                None
            ),
            "rows, id 1"
        );
        assert_eq!(
            decide("ann,bob\n1,2\n", &IdColumn::Named("unit".into()), None),
            "error: no column is named \"unit\"; the header has `ann`, `bob`; pass --id-column with one of these"
        );
    }

    #[test]
    fn shapes() {
        let s = |l: &str| shape(l).map(|(a, b)| format!("{a}|{b}"));
        assert_eq!(s("rater12").as_deref(), Some("rater|12"));
        assert_eq!(s("Coder B").as_deref(), Some("coder|b"));
        assert_eq!(s("7").as_deref(), Some("|7"));
        assert_eq!(s("c").as_deref(), Some("|c"));
        assert_eq!(s("coder_anna").as_deref(), Some("coder|anna"));
        assert_eq!(s("anna"), None);
        assert_eq!(s("id"), None);
    }

    #[test]
    fn describe() {
        let reading = Reading {
            units_in: UnitsIn::Rows,
            layout_basis: Basis::Given,
            id_column: Some(Column {
                index: 0,
                header: "subject".into(),
            }),
            id_basis: Basis::Given,
            units: 30,
            coders: 6,
        };
        assert_eq!(
            reading.describe("subjects", "raters"),
            "30 subjects × 6 raters (subjects in rows), first column `subject` taken as ids"
        );
        let coders_in_rows = Reading {
            units_in: UnitsIn::Columns,
            id_column: Some(Column {
                index: 0,
                header: String::new(),
            }),
            units: 12,
            coders: 4,
            ..reading.clone()
        };
        assert_eq!(
            coders_in_rows.to_string(),
            "12 units × 4 coders (coders in rows), first column taken as names"
        );
        let plain = Reading {
            id_column: None,
            ..reading
        };
        assert_eq!(
            plain.to_string(),
            "30 units × 6 coders (units in rows), no id column"
        );
    }
}
