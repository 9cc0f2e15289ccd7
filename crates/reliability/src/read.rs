//! Reading reliability data and count tables from CSV (any `Read`; the crate never opens files).

use std::io::Read;
use std::str::FromStr;

use crate::fleiss::CountTable;
use crate::layout::{self, IdColumn, Reading};
use crate::{Error, ReliabilityData, Result, Values};

/// Which way the units run in a reliability-data CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
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

/// How to read a reliability-data CSV. The default detects the id column and
/// the layout by the rule of [`crate::layout`] and refuses what it cannot tell.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReadOptions {
    /// A cell holding exactly this (after trimming) is missing; empty cells
    /// are always missing.
    pub missing: String,
    /// Layout of units and coders; `None` detects it.
    pub units_in: Option<UnitsIn>,
    /// The column that names the rows (the unit with `Rows`, the coder with
    /// `Columns`). Without one, units or coders are numbered from 1.
    pub id_column: IdColumn,
}

/// Reads reliability data whose first column is the row id (unit or coder)
/// and whose header row names the other axis: nothing is detected.
///
/// With [`UnitsIn::Rows`] the header is `unit, coder1, coder2, …` and each
/// row `id, value, value, …`; with [`UnitsIn::Columns`] it is
/// `coder, unit1, unit2, …` and each row one coder's values. Values are
/// numbers when every non-missing cell parses as a finite number, labels
/// otherwise.
pub fn read_matrix(r: impl Read, missing: &str, units_in: UnitsIn) -> Result<ReliabilityData> {
    let options = ReadOptions {
        missing: missing.to_string(),
        units_in: Some(units_in),
        id_column: IdColumn::First,
    };
    Ok(read_matrix_with(r, &options)?.0)
}

/// Reads reliability data as `options` say, detecting what they leave open,
/// and returns it with the [`Reading`] used, for the caller to state.
pub fn read_matrix_with(r: impl Read, options: &ReadOptions) -> Result<(ReliabilityData, Reading)> {
    let (header, rows) = records(r)?;
    let mut lines = Vec::with_capacity(rows.len());
    let mut grid: Vec<Vec<Option<String>>> = Vec::with_capacity(rows.len());
    for (line, row) in rows {
        if row.len() != header.len() {
            return Err(Error::RaggedRow {
                line,
                expected: header.len(),
                found: row.len(),
            });
        }
        lines.push(line);
        grid.push(
            row.into_iter()
                .map(|c| (!c.is_empty() && c != options.missing).then_some(c))
                .collect(),
        );
    }
    let plan = layout::detect(&header, &grid, &options.id_column, options.units_in)?;
    let id = plan.id_column.as_ref().map(|c| c.index);
    let names: Vec<String> = header
        .iter()
        .enumerate()
        .filter(|&(i, _)| Some(i) != id)
        .map(|(_, h)| h.clone())
        .collect();
    let mut ids = Vec::with_capacity(grid.len());
    let mut cells: Vec<Vec<Option<String>>> = Vec::with_capacity(grid.len());
    for (i, row) in grid.into_iter().enumerate() {
        let mut row_cells = Vec::with_capacity(names.len());
        let mut row_id = None;
        for (j, cell) in row.into_iter().enumerate() {
            if Some(j) == id {
                row_id = Some(cell.unwrap_or_default());
            } else {
                row_cells.push(cell);
            }
        }
        ids.push(row_id.unwrap_or_else(|| (i + 1).to_string()));
        cells.push(row_cells);
    }
    let (coders, units, cells) = match plan.units_in {
        UnitsIn::Rows => (names, ids, cells),
        UnitsIn::Columns => {
            let by_unit = (0..names.len())
                .map(|u| cells.iter().map(|row| row[u].clone()).collect())
                .collect();
            let coders = if id.is_some() {
                ids
            } else {
                (1..=cells.len()).map(|i| format!("coder {i}")).collect()
            };
            (coders, names, by_unit)
        }
    };
    let reading = plan.reading(units.len(), coders.len());
    let data = ReliabilityData {
        coders,
        units,
        values: classify(cells),
    };
    Ok((data, reading))
}

/// Reads a subjects × categories count table for Fleiss' kappa: a header of
/// category names, then one row of counts per subject, all rows with the same
/// total (raters per subject). Empty cells count as 0. The id column is found
/// by the same rule as for [`read_matrix_with`]; subjects run down the rows.
pub fn read_counts(r: impl Read, id_column: &IdColumn) -> Result<(CountTable, Reading)> {
    let (header, rows) = records(r)?;
    for (line, row) in &rows {
        if row.len() != header.len() {
            return Err(Error::RaggedRow {
                line: *line,
                expected: header.len(),
                found: row.len(),
            });
        }
    }
    let grid: Vec<Vec<Option<String>>> = rows
        .iter()
        .map(|(_, row)| {
            row.iter()
                .map(|c| (!c.is_empty()).then(|| c.clone()))
                .collect()
        })
        .collect();
    let plan = layout::detect(&header, &grid, id_column, Some(UnitsIn::Rows))?;
    let id = plan.id_column.as_ref().map(|c| c.index);
    let mut table = CountTable {
        categories: header
            .iter()
            .enumerate()
            .filter(|&(i, _)| Some(i) != id)
            .map(|(_, h)| h.clone())
            .collect(),
        subjects: Vec::with_capacity(rows.len()),
        counts: Vec::with_capacity(rows.len()),
    };
    let mut raters = None;
    for (i, (line, row)) in rows.into_iter().enumerate() {
        let mut counts = Vec::with_capacity(row.len());
        let mut subject = None;
        for (j, cell) in row.into_iter().enumerate() {
            if Some(j) == id {
                subject = Some(cell);
                continue;
            }
            counts.push(if cell.is_empty() {
                0
            } else {
                cell.parse::<u64>()
                    .map_err(|_| Error::BadCount { line, value: cell })?
            });
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
        table
            .subjects
            .push(subject.unwrap_or_else(|| (i + 1).to_string()));
        table.counts.push(counts);
    }
    let raters = usize::try_from(raters.unwrap_or(0)).unwrap_or(usize::MAX);
    let reading = plan.reading(table.subjects.len(), raters);
    Ok((table, reading))
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
            Ok((d, _)) => render(&d),
            Err(e) => format!("error: {e}"),
        };
        assert_eq!(got, expected);
    }

    /// The explicit reading: a row per unit, the first column its id.
    fn rows() -> ReadOptions {
        ReadOptions {
            units_in: Some(UnitsIn::Rows),
            id_column: IdColumn::First,
            ..ReadOptions::default()
        }
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
            units_in: Some(UnitsIn::Columns),
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
            id_column: IdColumn::None,
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
        assert_eq!(
            err,
            "ordinal alpha needs numeric values, but \"low\", \"high\" are not numbers \
             (the first, \"low\", for unit 1 by coder a)"
        );
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
        let id_column = if id_column {
            IdColumn::First
        } else {
            IdColumn::None
        };
        let got = match read_counts(input.as_bytes(), &id_column) {
            Ok((t, _)) => format!("{:?} {:?} {:?}", t.categories, t.subjects, t.counts),
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

    /// Reads with every option detected: the reading, then the data.
    fn check_auto(input: &str, expected: &str) {
        let got = match read_matrix_with(input.as_bytes(), &ReadOptions::default()) {
            Ok((d, reading)) => format!("{reading} | {}", render(&d)),
            Err(e) => format!("error: {e}"),
        };
        assert_eq!(got, expected, "{input}");
    }

    #[test]
    fn detected_readings() {
        check_auto(
            "item,rater1,rater2\n1,a,a\n2,a,b\n",
            "2 units × 2 coders (units in rows), first column `item` taken as ids \
             | labels rater1,rater2 | 1: a a | 2: a b",
        );
        check_auto(
            "coder,1,2,3\nann,1,2,\nbob,1,,3\n",
            "3 units × 2 coders (coders in rows), first column `coder` taken as names \
             | numeric ann,bob | 1: 1 1 | 2: 2 . | 3: . 3",
        );
        check_auto(
            "rater1,rater2\n1,2\n1,1\n",
            "2 units × 2 coders (units in rows), no id column | numeric rater1,rater2 | 1: 1 2 | 2: 1 1",
        );
        check_auto(
            "ann,bob\n1,2\n2,2\n3,3\n",
            "error: cannot tell whether the first column `ann` holds ids or ratings: its 3 values \
             (1, 2, 3) are distinct whole numbers, like ids, but the other columns hold 2 different \
             values, like ratings; pass --id-column ann if it holds ids, or --no-id-column if it holds ratings",
        );
        // The named id column need not be the first; the missing token counts as empty.
        let options = ReadOptions {
            missing: "NA".into(),
            id_column: IdColumn::Named("Unit".into()),
            ..ReadOptions::default()
        };
        let (d, reading) =
            read_matrix_with("ann,unit,bob\n1,u1,NA\n2,u2,2\n".as_bytes(), &options).unwrap();
        assert_eq!(render(&d), "numeric ann,bob | u1: 1 . | u2: 2 2");
        assert_eq!(reading.id_basis, crate::Basis::Given);
        assert_eq!(
            reading.to_string(),
            "2 units × 2 coders (units in rows), column 2 `unit` taken as ids"
        );
    }

    #[test]
    fn kappa_with_an_item_column() {
        // Was: "Cohen's kappa needs exactly 2 coders, found 3".
        let csv =
            "item,rater1,rater2\n1,yes,yes\n2,yes,no\n3,no,no\n4,no,no\n5,yes,yes\n6,no,yes\n";
        let (d, _) = read_matrix_with(csv.as_bytes(), &ReadOptions::default()).unwrap();
        let k = d.cohen_kappa(crate::Weights::None).unwrap();
        // Po = 4/6, Pe = 1/2: κ = 1/3.
        assert_eq!(format!("{:.3}", k.estimate), "0.333");
        assert_eq!(k.n, 6);
    }

    #[test]
    fn alpha_coders_in_rows_detected() {
        // Krippendorff (2011) C in his layout, read without saying so.
        let csv = "coder,1,2,3,4,5,6,7,8,9,10,11,12\n\
                   A,1,2,3,3,2,1,4,1,2,,,\n\
                   B,1,2,3,3,2,2,4,1,2,5,,3\n\
                   C,,3,3,3,2,3,4,2,2,5,1,\n\
                   D,1,2,3,3,2,4,4,1,2,5,1,\n";
        let (d, reading) = read_matrix_with(csv.as_bytes(), &ReadOptions::default()).unwrap();
        assert_eq!(reading.units_in, UnitsIn::Columns);
        assert_eq!((reading.units, reading.coders), (12, 4));
        assert_eq!(
            format!("{:.3}", d.alpha(Level::Nominal).unwrap().estimate),
            "0.743"
        );
        assert_eq!(
            format!("{:.3}", d.alpha(Level::Interval).unwrap().estimate),
            "0.849"
        );
        // The same with an empty corner cell.
        let bare = csv.replacen("coder,", ",", 1);
        let (d, _) = read_matrix_with(bare.as_bytes(), &ReadOptions::default()).unwrap();
        assert_eq!(
            format!("{:.3}", d.alpha(Level::Interval).unwrap().estimate),
            "0.849"
        );
    }

    #[test]
    fn non_numeric_names_the_labels_that_are() {
        // Labels sort digits first; the message used to blame "3".
        let csv = "unit,ann,bob\nu1,low,mid\nu2,high,3\nu3,4,low\n";
        let (d, _) = read_matrix_with(csv.as_bytes(), &ReadOptions::default()).unwrap();
        assert_eq!(
            d.alpha(Level::Interval).unwrap_err().to_string(),
            "interval alpha needs numeric values, but \"low\", \"mid\", \"high\" are not numbers \
             (the first, \"low\", for unit u1 by coder ann)"
        );
        assert_eq!(
            d.cohen_kappa(crate::Weights::Linear).unwrap_err().to_string(),
            "linear-weighted kappa needs numeric values, but \"low\", \"mid\", \"high\" are not numbers \
             (the first, \"low\", for unit u1 by coder ann)"
        );
    }

    #[test]
    fn counts_find_their_id_column() {
        let (t, reading) = read_counts(
            "subject,yes,no\ns1,2,1\ns2,,3\n".as_bytes(),
            &IdColumn::Auto,
        )
        .unwrap();
        assert_eq!(t.subjects, ["s1", "s2"]);
        assert_eq!(
            reading.describe("subjects", "raters"),
            "2 subjects × 3 raters (subjects in rows), first column `subject` taken as ids"
        );
        let (t, _) = read_counts("yes,no\n2,1\n1,2\n2,1\n".as_bytes(), &IdColumn::Auto).unwrap();
        assert_eq!(t.categories, ["yes", "no"]);
    }
}
