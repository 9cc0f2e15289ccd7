//! Reading reliability data and count tables from CSV (any `Read`; the crate never opens files).

use std::io::Read;
use std::str::FromStr;

use crate::fleiss::CountTable;
use crate::{Error, ReliabilityData, Result, Values};

/// Which way the units run in a reliability-data CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UnitsIn {
    /// One row per unit, one column per coder (the usual spreadsheet layout).
    #[default]
    Rows,
    /// One row per coder, one column per unit (Krippendorff's layout).
    Columns,
}

impl FromStr for UnitsIn {
    type Err = Error;

    fn from_str(s: &str) -> Result<UnitsIn> {
        match s.to_ascii_lowercase().as_str() {
            "rows" => Ok(UnitsIn::Rows),
            "columns" => Ok(UnitsIn::Columns),
            _ => Err(Error::InvalidArgument(format!(
                "unknown layout {s:?} (expected rows or columns)"
            ))),
        }
    }
}

/// How to read a reliability-data CSV.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadOptions {
    /// A cell holding exactly this (after trimming) is missing; empty cells
    /// are always missing.
    pub missing: String,
    /// Layout of units and coders.
    pub units_in: UnitsIn,
    /// Whether the first column names the row (the unit with `Rows`, the
    /// coder with `Columns`). Without it, units or coders are numbered from 1.
    pub id_column: bool,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            missing: String::new(),
            units_in: UnitsIn::Rows,
            id_column: true,
        }
    }
}

/// Reads reliability data whose first column is the row id (unit or coder)
/// and whose header row names the other axis.
///
/// With [`UnitsIn::Rows`] the header is `unit, coder1, coder2, …` and each
/// row `id, value, value, …`; with [`UnitsIn::Columns`] it is
/// `coder, unit1, unit2, …` and each row one coder's values. Values are
/// numbers when every non-missing cell parses as a finite number, labels
/// otherwise.
pub fn read_matrix(r: impl Read, missing: &str, units_in: UnitsIn) -> Result<ReliabilityData> {
    read_matrix_with(
        r,
        &ReadOptions {
            missing: missing.to_string(),
            units_in,
            id_column: true,
        },
    )
}

/// [`read_matrix`] with every option.
pub fn read_matrix_with(r: impl Read, options: &ReadOptions) -> Result<ReliabilityData> {
    let (header, rows) = records(r)?;
    let skip = usize::from(options.id_column);
    let names: Vec<String> = header.iter().skip(skip).cloned().collect();
    let mut ids = Vec::with_capacity(rows.len());
    let mut cells: Vec<Vec<Option<String>>> = Vec::with_capacity(rows.len());
    for (i, (line, row)) in rows.into_iter().enumerate() {
        if row.len() != header.len() {
            return Err(Error::RaggedRow {
                line,
                expected: header.len(),
                found: row.len(),
            });
        }
        ids.push(match (options.id_column, row.first()) {
            (true, Some(id)) => id.clone(),
            _ => (i + 1).to_string(),
        });
        cells.push(
            row.into_iter()
                .skip(skip)
                .map(|c| (!c.is_empty() && c != options.missing).then_some(c))
                .collect(),
        );
    }
    let (coders, units, cells) = match options.units_in {
        UnitsIn::Rows => (names, ids, cells),
        UnitsIn::Columns => {
            let by_unit = (0..names.len())
                .map(|u| cells.iter().map(|row| row[u].clone()).collect())
                .collect();
            let coders = if options.id_column {
                ids
            } else {
                (1..=cells.len()).map(|i| format!("coder {i}")).collect()
            };
            (coders, names, by_unit)
        }
    };
    Ok(ReliabilityData {
        coders,
        units,
        values: classify(cells),
    })
}

/// Reads a subjects × categories count table for Fleiss' kappa: a header of
/// category names, then one row of counts per subject, all rows with the same
/// total (raters per subject). Empty cells count as 0.
pub fn read_counts(r: impl Read, id_column: bool) -> Result<CountTable> {
    let (header, rows) = records(r)?;
    let skip = usize::from(id_column);
    let mut table = CountTable {
        categories: header.iter().skip(skip).cloned().collect(),
        subjects: Vec::with_capacity(rows.len()),
        counts: Vec::with_capacity(rows.len()),
    };
    let mut raters = None;
    for (i, (line, row)) in rows.into_iter().enumerate() {
        if row.len() != header.len() {
            return Err(Error::RaggedRow {
                line,
                expected: header.len(),
                found: row.len(),
            });
        }
        let mut counts = Vec::with_capacity(row.len());
        for cell in row.iter().skip(skip) {
            let count = if cell.is_empty() {
                0
            } else {
                cell.parse::<u64>().map_err(|_| Error::BadCount {
                    line,
                    value: cell.clone(),
                })?
            };
            counts.push(count);
        }
        let total = counts.iter().sum();
        match raters {
            None => raters = Some(total),
            Some(expected) if expected != total => {
                return Err(Error::UnequalRaters {
                    place: format!("line {line}"),
                    expected,
                    found: total,
                })
            }
            Some(_) => {}
        }
        table.subjects.push(match (id_column, row.first()) {
            (true, Some(id)) => id.clone(),
            _ => (i + 1).to_string(),
        });
        table.counts.push(counts);
    }
    Ok(table)
}

/// A header and the non-blank rows with their 1-based line numbers, cells trimmed.
type Records = (Vec<String>, Vec<(u64, Vec<String>)>);

fn records(r: impl Read) -> Result<Records> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(r);
    let mut header = None;
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| Error::Csv {
            line: e.position().map_or(0, csv::Position::line),
            message: e.to_string(),
        })?;
        if record.iter().all(str::is_empty) {
            continue;
        }
        let line = record.position().map_or(0, csv::Position::line);
        let cells: Vec<String> = record.iter().map(str::to_string).collect();
        if header.is_none() {
            header = Some(cells);
        } else {
            rows.push((line, cells));
        }
    }
    Ok((header.ok_or(Error::Empty)?, rows))
}

fn classify(cells: Vec<Vec<Option<String>>>) -> Values {
    let numbers: Option<Vec<Vec<Option<f64>>>> = cells
        .iter()
        .map(|row| {
            row.iter()
                .map(|c| match c {
                    None => Some(None),
                    Some(s) => s.parse::<f64>().ok().filter(|v| v.is_finite()).map(Some),
                })
                .collect()
        })
        .collect();
    match numbers {
        Some(n) => Values::Numeric(n),
        None => Values::Labels(cells),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::Level;

    /// Renders the data as `coders | unit: v v v | …` with `.` for missing.
    fn render(d: &ReliabilityData) -> String {
        let rows: Vec<String> = match &d.values {
            Values::Numeric(v) => v
                .iter()
                .map(|r| {
                    r.iter()
                        .map(|x| x.map_or(".".into(), |x| x.to_string()))
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect(),
            Values::Labels(v) => v
                .iter()
                .map(|r| {
                    r.iter()
                        .map(|x| x.clone().unwrap_or(".".into()))
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect(),
        };
        let units: Vec<String> = d
            .units
            .iter()
            .zip(rows)
            .map(|(u, r)| format!("{u}: {r}"))
            .collect();
        let kind = if d.is_numeric() { "numeric" } else { "labels" };
        format!("{kind} {} | {}", d.coders.join(","), units.join(" | "))
    }

    fn check(input: &str, options: ReadOptions, expected: &str) {
        let got = match read_matrix_with(input.as_bytes(), &options) {
            Ok(d) => render(&d),
            Err(e) => format!("error: {e}"),
        };
        assert_eq!(got, expected);
    }

    fn rows() -> ReadOptions {
        ReadOptions::default()
    }

    #[test]
    fn numeric_rows() {
        check(
            "unit,ann,bob\nu1,1,2\nu2, 3 ,\n",
            rows(),
            "numeric ann,bob | u1: 1 2 | u2: 3 .",
        );
    }

    #[test]
    fn labels_rows() {
        check(
            "unit,ann,bob\nu1,yes,no\nu2,2,\n",
            rows(),
            "labels ann,bob | u1: yes no | u2: 2 .",
        );
    }

    #[test]
    fn missing_token() {
        let options = ReadOptions {
            missing: "NA".into(),
            ..rows()
        };
        check(
            "id,a,b\n1,NA,4\n2,,5\n",
            options,
            "numeric a,b | 1: . 4 | 2: . 5",
        );
        check("id,a,b\n1,NA,4\n", rows(), "labels a,b | 1: NA 4");
    }

    #[test]
    fn units_in_columns() {
        let options = ReadOptions {
            units_in: UnitsIn::Columns,
            ..rows()
        };
        check(
            "coder,u1,u2,u3\nA,1,2,.\nB,1,,3\n",
            ReadOptions {
                missing: ".".into(),
                ..options
            },
            "numeric A,B | u1: 1 1 | u2: 2 . | u3: . 3",
        );
    }

    #[test]
    fn without_id_column() {
        let options = ReadOptions {
            id_column: false,
            ..rows()
        };
        check(
            "ann,bob\na,b\n\nc,c\n",
            options,
            "labels ann,bob | 1: a b | 2: c c",
        );
    }

    #[test]
    fn ragged_row_names_its_line() {
        check(
            "unit,a,b\nu1,1,2\nu2,1\n",
            rows(),
            "error: line 3: expected 3 cells like the header, found 2",
        );
    }

    #[test]
    fn empty_input() {
        check("", rows(), "error: the data has no header row");
        check("\n\n", rows(), "error: the data has no header row");
    }

    #[test]
    fn non_numeric_refuses_ordinal() {
        let d = read_matrix(
            "unit,a,b\n1,low,high\n2,low,low\n".as_bytes(),
            "",
            UnitsIn::Rows,
        )
        .unwrap();
        let err = d.alpha(Level::Ordinal).unwrap_err().to_string();
        assert_eq!(err, "ordinal alpha needs numeric values, but the data has non-numeric labels such as \"high\"");
        assert!(d.alpha(Level::Nominal).is_ok());
    }

    #[test]
    fn krippendorff_2011_from_csv() {
        // The Krippendorff (2011) section C data in his coders-as-rows layout.
        let csv = "coder,1,2,3,4,5,6,7,8,9,10,11,12\n\
                   A,1,2,3,3,2,1,4,1,2,.,.,.\n\
                   B,1,2,3,3,2,2,4,1,2,5,.,3\n\
                   C,.,3,3,3,2,3,4,2,2,5,1,.\n\
                   D,1,2,3,3,2,4,4,1,2,5,1,.\n";
        let d = read_matrix(csv.as_bytes(), ".", UnitsIn::Columns).unwrap();
        assert_eq!(
            format!("{:.3}", d.alpha(Level::Interval).unwrap().estimate),
            "0.849"
        );
    }

    fn check_counts(input: &str, id_column: bool, expected: &str) {
        let got = match read_counts(input.as_bytes(), id_column) {
            Ok(t) => format!("{:?} {:?} {:?}", t.categories, t.subjects, t.counts),
            Err(e) => format!("error: {e}"),
        };
        assert_eq!(got, expected);
    }

    #[test]
    fn counts() {
        check_counts(
            "subject,yes,no\ns1,2,1\ns2,,3\n",
            true,
            r#"["yes", "no"] ["s1", "s2"] [[2, 1], [0, 3]]"#,
        );
        check_counts("yes,no\n2,1\n", false, r#"["yes", "no"] ["1"] [[2, 1]]"#);
        check_counts(
            "yes,no\n2,1\n2,2\n",
            false,
            "error: line 3: 4 ratings, but earlier subjects have 3",
        );
        check_counts(
            "yes,no\n2,x\n",
            false,
            "error: line 2: \"x\" is not a count (a whole number ≥ 0)",
        );
        check_counts(
            "yes,no\n2,-1\n",
            false,
            "error: line 2: \"-1\" is not a count (a whole number ≥ 0)",
        );
    }
}
