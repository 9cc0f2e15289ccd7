//! Survey spreadsheets (.csv, .xlsx): one document per respondent row, one passage per chosen answer column, the other columns as attributes.

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

use crate::archive::Archive;
use crate::{Diagnostic, Error, Extracted, Format, Meta, Options, Result, Segment};

/// A table read from a file: header names and rows of cell text.
pub(crate) struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Reads decoded CSV text; the delimiter (`,`, `;` or tab) is guessed from the header line.
pub(crate) fn csv_table(name: &str, text: &str) -> Result<Table> {
    let first = text.lines().next().unwrap_or_default();
    let delimiter = [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| first.bytes().filter(|b| b == d).count())
        .unwrap_or(b',');
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let corrupt = |e: csv::Error| Error::Corrupt {
        name: name.to_owned(),
        format: Format::Csv,
        reason: match e.position() {
            Some(p) => format!("line {}: {e}", p.line()),
            None => e.to_string(),
        },
    };
    let headers = reader
        .headers()
        .map_err(corrupt)?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        rows.push(record.map_err(corrupt)?.iter().map(str::to_owned).collect());
    }
    Ok(Table { headers, rows })
}

/// Reads the first worksheet of an .xlsx (already checked against zip bombs).
pub(crate) fn xlsx_table(name: &str, archive: Archive<'_>, bytes: &[u8]) -> Result<Table> {
    drop(archive);
    let corrupt = |reason: String| Error::Corrupt {
        name: name.to_owned(),
        format: Format::Xlsx,
        reason,
    };
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e| corrupt(format!("not a readable Excel workbook ({e})")))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| corrupt("the workbook has no worksheet".to_owned()))?
        .map_err(|e| corrupt(format!("the first worksheet cannot be read ({e})")))?;
    let mut rows = range
        .rows()
        .map(|row| row.iter().map(cell).collect::<Vec<String>>());
    let headers = rows
        .next()
        .unwrap_or_default()
        .into_iter()
        .map(|h| h.trim().to_owned())
        .collect();
    Ok(Table {
        headers,
        rows: rows.collect(),
    })
}

fn cell(d: &Data) -> String {
    match d {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => {
            let (y, m, d, h, min, s, _) = dt.to_ymd_hms_milli();
            if (h, min, s) == (0, 0, 0) {
                format!("{y:04}-{m:02}-{d:02}")
            } else {
                format!("{y:04}-{m:02}-{d:02} {h:02}:{min:02}:{s:02}")
            }
        }
    }
}

/// One document per row that answered at least one of [`Options::text_columns`].
pub(crate) fn documents(name: &str, table: Table, opts: &Options) -> Result<Vec<Extracted>> {
    let err = |reason: String| Error::Survey {
        name: name.to_owned(),
        reason,
    };
    let listing = || {
        table
            .headers
            .iter()
            .filter(|h| !h.is_empty())
            .map(|h| format!("`{h}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let find = |wanted: &str| {
        let wanted = wanted.trim();
        table.headers.iter().position(|h| h == wanted).or_else(|| {
            table
                .headers
                .iter()
                .position(|h| h.to_lowercase() == wanted.to_lowercase())
        })
    };
    if opts.text_columns.is_empty() {
        return Err(err(format!(
            "say which columns hold the answers to import, e.g. --text-column \"{}\" \
             (columns: {})",
            table.headers.first().map_or("Q1", String::as_str),
            listing()
        )));
    }
    let mut text_cols = Vec::new();
    for wanted in &opts.text_columns {
        let col = find(wanted)
            .ok_or_else(|| err(format!("no column `{wanted}` (columns: {})", listing())))?;
        if !text_cols.contains(&col) {
            text_cols.push(col);
        }
    }
    let id_col = match &opts.id_column {
        Some(wanted) => Some(
            find(wanted)
                .ok_or_else(|| err(format!("no id column `{wanted}` (columns: {})", listing())))?,
        ),
        None => None,
    };
    let date_col = table
        .headers
        .iter()
        .position(|h| h.eq_ignore_ascii_case("date"))
        .filter(|c| !text_cols.contains(c));

    let mut out = Vec::new();
    let mut skipped = Vec::new();
    let mut seen_ids: BTreeMap<String, usize> = BTreeMap::new();
    for (i, row) in table.rows.iter().enumerate() {
        let n = i + 1;
        let get = |c: usize| row.get(c).map_or("", |s| s.trim());
        let mut text = String::new();
        let mut passages = Vec::new();
        let mut chars = 0;
        for &c in &text_cols {
            let answer = get(c).replace("\r\n", "\n").replace('\r', "\n");
            let answer = answer.trim();
            if answer.is_empty() {
                continue;
            }
            if !text.is_empty() {
                text.push_str("\n\n");
                chars += 2;
            }
            let label = &table.headers[c];
            text.push_str(label);
            text.push('\n');
            chars += label.chars().count() + 1;
            let len = answer.chars().count();
            passages.push(Segment {
                // The question a passage answers is not a speaker: tables by speaker
                // and speaker filters leave survey answers alone.
                question: Some(label.clone()),
                ..Segment::new(chars, chars + len)
            });
            text.push_str(answer);
            chars += len;
        }
        if passages.is_empty() {
            if row.iter().any(|v| !v.trim().is_empty()) {
                skipped.push(n);
            }
            continue;
        }
        text.push('\n');
        let mut meta = Meta::default();
        for (c, header) in table.headers.iter().enumerate() {
            if text_cols.contains(&c) || header.is_empty() {
                continue;
            }
            let value = get(c);
            if !value.is_empty() {
                meta.attributes.insert(header.clone(), value.to_owned());
            }
        }
        if let Some(c) = date_col {
            meta.date = Some(get(c).to_owned()).filter(|d| !d.is_empty());
        }
        let part = match id_col.map(get).filter(|v| !v.is_empty()) {
            Some(id) => {
                if let Some(first) = seen_ids.insert(id.to_owned(), n) {
                    return Err(err(format!(
                        "the id column has `{id}` in rows {first} and {n}; ids must be unique \
                         (they make the document titles)"
                    )));
                }
                id.to_owned()
            }
            None => format!("#{n}"),
        };
        out.push(Extracted {
            text,
            passages,
            meta,
            diagnostics: Vec::new(),
            encoding: "UTF-8",
            part: Some(part),
        });
    }
    let Some(first) = out.first_mut() else {
        return Err(Error::NothingToImport {
            name: name.to_owned(),
            reason: "no row has an answer in the chosen text columns".to_owned(),
        });
    };
    if !skipped.is_empty() {
        let rows: Vec<String> = skipped.iter().map(usize::to_string).collect();
        first.diagnostics.push(Diagnostic {
            line: None,
            message: format!(
                "rows without any answer in the text columns were left out: {}",
                rows.join(", ")
            ),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::char_slice;

    fn check(csv: &str, cols: &[&str], id: Option<&str>, expected: &[(&str, &[(&str, &str)])]) {
        let opts = Options {
            text_columns: cols.iter().map(|c| (*c).to_owned()).collect(),
            id_column: id.map(str::to_owned),
            ..Options::default()
        };
        let docs = documents("s.csv", csv_table("s.csv", csv).unwrap(), &opts).unwrap();
        let got: Vec<(String, Vec<(String, String)>)> = docs
            .iter()
            .map(|d| {
                (
                    d.part.clone().unwrap(),
                    d.passages
                        .iter()
                        .map(|p| {
                            (
                                p.question.clone().unwrap(),
                                char_slice(&d.text, p.start, p.end).unwrap().to_owned(),
                            )
                        })
                        .collect(),
                )
            })
            .collect();
        let expected: Vec<(String, Vec<(String, String)>)> = expected
            .iter()
            .map(|(part, ps)| {
                (
                    (*part).to_owned(),
                    ps.iter()
                        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
                        .collect(),
                )
            })
            .collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn rows_become_documents() {
        check(
            "id;org;Q1;Q2\nR1;Saimaa;Ordern — oklar;\nR2;Norrvik;;\nR3;Pohjola;\"two\nlines\";👍\n",
            &["Q1", "q2"],
            Some("id"),
            &[
                ("R1", &[("Q1", "Ordern — oklar")]),
                ("R3", &[("Q1", "two\nlines"), ("Q2", "👍")]),
            ],
        );
        check("a,Q\nx,yes\n", &["Q"], None, &[("#1", &[("Q", "yes")])]);
    }

    #[test]
    fn column_errors_name_the_columns() {
        let table = || csv_table("s.csv", "id,Q1\n1,a\n1,b\n").unwrap();
        let opts = |cols: &[&str], id: Option<&str>| Options {
            text_columns: cols.iter().map(|c| (*c).to_owned()).collect(),
            id_column: id.map(str::to_owned),
            ..Options::default()
        };
        let e = documents("s.csv", table(), &opts(&[], None)).unwrap_err();
        assert!(e.to_string().contains("`id`, `Q1`"), "{e}");
        let e = documents("s.csv", table(), &opts(&["Q9"], None)).unwrap_err();
        assert!(e.to_string().contains("no column `Q9`"), "{e}");
        let e = documents("s.csv", table(), &opts(&["Q1"], Some("id"))).unwrap_err();
        assert!(e.to_string().contains("rows 1 and 2"), "{e}");
    }
}
