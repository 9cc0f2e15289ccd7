//! Writing tables: aligned text, Markdown, CSV, JSON, Parquet and XLSX, wide or long.
//!
//! Every writer is deterministic: the same tables give the same bytes, so a rerun of a
//! study's scripts leaves files unchanged. XLSX and Parquet carry fixed metadata (no
//! creation time, no random ids).

use std::io::Write;
use std::str::FromStr;

use serde_json::{json, Value};

use crate::error::{Error, Result};
use crate::table::Table;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Aligned columns for the terminal.
    #[default]
    Text,
    /// A pipe table to paste into a paper draft.
    Md,
    /// Comma-separated values.
    Csv,
    /// JSON.
    Json,
    /// Apache Parquet (binary).
    Parquet,
    /// An Excel workbook, one sheet per table (binary).
    Xlsx,
}

impl Format {
    /// Whether the format is binary (not for a terminal).
    pub fn is_binary(self) -> bool {
        matches!(self, Format::Parquet | Format::Xlsx)
    }

    /// The format a file name's extension implies.
    pub fn from_extension(path: &std::path::Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Format::from_str(&ext).ok()
    }
}

impl FromStr for Format {
    type Err = Error;
    fn from_str(s: &str) -> Result<Format> {
        Ok(match s {
            "text" | "txt" => Format::Text,
            "md" | "markdown" => Format::Md,
            "csv" => Format::Csv,
            "json" => Format::Json,
            "parquet" => Format::Parquet,
            "xlsx" => Format::Xlsx,
            _ => {
                return Err(Error::Parse(format!(
                    "unknown format {s:?}; use text, md, csv, json, parquet or xlsx"
                )))
            }
        })
    }
}

/// Writes tables in a format. `long` gives tidy rows (one per cell) instead of one row per
/// code (CSV, JSON, Parquet, XLSX); text and Markdown are always wide.
pub fn write_tables(
    out: &mut dyn Write,
    tables: &[Table],
    format: Format,
    long: bool,
) -> Result<()> {
    match format {
        Format::Text => write_text(out, tables),
        Format::Md => write_markdown(out, tables),
        Format::Csv => write_csv(out, tables, long),
        Format::Json => {
            let v = to_json(tables, long);
            serde_json::to_writer_pretty(&mut *out, &v).map_err(std::io::Error::from)?;
            writeln!(out)?;
            Ok(())
        }
        Format::Parquet => Ok(out.write_all(&to_parquet(tables, long)?)?),
        Format::Xlsx => Ok(out.write_all(&to_xlsx(tables, long)?)?),
    }
}

/// Columns whose label says more than the id, for a legend under the table.
fn legend(t: &Table) -> Option<Vec<String>> {
    let items: Vec<String> = t
        .columns
        .iter()
        .filter(|c| c.label != c.id && !c.total)
        .map(|c| format!("{} = {}", c.id, c.label))
        .collect();
    (!items.is_empty() && t.group != "code" && t.group != "doc").then_some(items)
}

fn write_text(out: &mut dyn Write, tables: &[Table]) -> Result<()> {
    for (i, t) in tables.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        writeln!(out, "{}", t.title)?;
        let mut header = vec!["code".to_string()];
        header.extend(t.columns.iter().map(|c| c.id.clone()));
        header.push("name".into());
        let mut lines = vec![header];
        for r in &t.rows {
            let mut cells = vec![format!("{}{}", "  ".repeat(r.depth), r.code)];
            cells.extend(r.values.iter().map(|v| t.format_value(*v)));
            cells.push(r.name.clone());
            lines.push(cells);
        }
        let ncols = lines[0].len();
        let widths: Vec<usize> = (0..ncols)
            .map(|c| {
                lines
                    .iter()
                    .map(|l| l[c].chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        for l in &lines {
            let mut s = String::new();
            for (c, cell) in l.iter().enumerate() {
                let pad = widths[c] - cell.chars().count();
                if c == 0 {
                    s.push_str(cell);
                    s.push_str(&" ".repeat(pad));
                } else if c == ncols - 1 {
                    s.push_str("  ");
                    s.push_str(cell);
                } else {
                    s.push_str("  ");
                    s.push_str(&" ".repeat(pad));
                    s.push_str(cell);
                }
            }
            writeln!(out, "{}", s.trim_end())?;
        }
        if let Some(l) = legend(t) {
            for item in l {
                writeln!(out, "  {item}")?;
            }
        }
    }
    Ok(())
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|")
}

fn write_markdown(out: &mut dyn Write, tables: &[Table]) -> Result<()> {
    for (i, t) in tables.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        writeln!(out, "**{}**\n", md_escape(&t.title))?;
        let mut head = String::from("| Code | Name |");
        let mut rule = String::from("|:-----|:-----|");
        for c in &t.columns {
            head.push_str(&format!(" {} |", md_escape(&c.id)));
            rule.push_str(" ---: |");
        }
        writeln!(out, "{head}\n{rule}")?;
        for r in &t.rows {
            let name = format!("{}{}", "&emsp;".repeat(r.depth), md_escape(&r.name));
            let code = if r.total {
                "**total**".to_string()
            } else {
                format!("`{}`", r.code)
            };
            let mut line = format!("| {code} | {name} |");
            for v in &r.values {
                line.push_str(&format!(" {} |", t.format_value(*v)));
            }
            writeln!(out, "{line}")?;
        }
        if let Some(l) = legend(t) {
            writeln!(out, "\n{}", md_escape(&l.join("; ")))?;
        }
    }
    Ok(())
}

/// The heading of the column dimension in long tables (co-occurrence: the other code).
fn long_key(t: &Table) -> &str {
    if t.group == "code" {
        "with"
    } else {
        &t.group
    }
}

fn write_csv(out: &mut dyn Write, tables: &[Table], long: bool) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let csv_err = |e: csv::Error| Error::Io(std::io::Error::other(e));
    for (i, t) in tables.iter().enumerate() {
        let slice = t.slice.as_ref();
        let mut header: Vec<String> = slice.iter().map(|(k, _)| k.clone()).collect();
        header.extend(["code".into(), "name".into(), "depth".into()]);
        if long {
            header.extend([long_key(t).to_string(), t.measure.as_str().to_string()]);
        } else {
            header.extend(t.columns.iter().map(|c| c.id.clone()));
        }
        if i == 0 {
            w.write_record(&header).map_err(csv_err)?;
        }
        for r in &t.rows {
            let mut base: Vec<String> = slice.iter().map(|(_, v)| v.clone()).collect();
            base.extend([r.code.clone(), r.name.clone(), r.depth.to_string()]);
            if long {
                for (c, v) in t.columns.iter().zip(&r.values) {
                    let mut rec = base.clone();
                    rec.extend([c.id.clone(), t.format_value(*v)]);
                    w.write_record(&rec).map_err(csv_err)?;
                }
            } else {
                base.extend(r.values.iter().map(|v| t.format_value(*v)));
                w.write_record(&base).map_err(csv_err)?;
            }
        }
    }
    w.flush()?;
    Ok(())
}

fn json_value(t: &Table, v: f64) -> Value {
    if t.measure.is_count() {
        json!(v as u64)
    } else {
        json!(v)
    }
}

/// The tables as JSON: one object per table (an array when there are several), or with
/// `long`, one flat array of records.
pub fn to_json(tables: &[Table], long: bool) -> Value {
    if long {
        let mut recs = Vec::new();
        for t in tables {
            for r in &t.rows {
                for (c, v) in t.columns.iter().zip(&r.values) {
                    let mut rec = serde_json::Map::new();
                    if let Some((k, val)) = &t.slice {
                        rec.insert(k.clone(), json!(val));
                    }
                    rec.insert("code".into(), json!(r.code));
                    rec.insert("name".into(), json!(r.name));
                    rec.insert("depth".into(), json!(r.depth));
                    rec.insert(long_key(t).into(), json!(c.id));
                    rec.insert(t.measure.as_str().into(), json_value(t, *v));
                    recs.push(Value::Object(rec));
                }
            }
        }
        return Value::Array(recs);
    }
    let one = |t: &Table| {
        json!({
            "title": t.title,
            "measure": t.measure.as_str(),
            "by": t.group,
            "slice": t.slice.as_ref().map(|(k, v)| {
                let mut m = serde_json::Map::new();
                m.insert(k.clone(), json!(v));
                Value::Object(m)
            }),
            "columns": t.columns.iter().map(|c| json!({"id": c.id, "label": c.label})).collect::<Vec<_>>(),
            "rows": t.rows.iter().map(|r| json!({
                "code": r.code,
                "name": r.name,
                "depth": r.depth,
                "values": r.values.iter().map(|v| json_value(t, *v)).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })
    };
    match tables {
        [t] => one(t),
        many => Value::Array(many.iter().map(one).collect()),
    }
}

#[cfg(not(feature = "parquet"))]
fn to_parquet(_tables: &[Table], _long: bool) -> Result<Vec<u8>> {
    Err(Error::Parquet(
        "this build has no Parquet support (feature `parquet`)".into(),
    ))
}

/// The tables as a polars `DataFrame`: wide (one row per code, one column per group) or
/// long (one row per cell). Several tables are stacked with their slice column first.
#[cfg(feature = "parquet")]
pub fn to_dataframe(tables: &[Table], long: bool) -> Result<polars::prelude::DataFrame> {
    use polars::prelude::*;
    let pe = |e: PolarsError| Error::Parquet(e.to_string());
    let Some(first) = tables.first() else {
        return DataFrame::new(0, vec![]).map_err(pe);
    };
    let count = first.measure.is_count();
    let mut slice: Vec<String> = Vec::new();
    let mut code: Vec<String> = Vec::new();
    let mut name: Vec<String> = Vec::new();
    let mut depth: Vec<u32> = Vec::new();
    let mut group: Vec<String> = Vec::new();
    let mut values: Vec<Vec<f64>> = vec![Vec::new(); if long { 1 } else { first.columns.len() }];
    for t in tables {
        if !long && t.columns.len() != first.columns.len() {
            return Err(Error::Parquet(
                "tables with different columns cannot be stacked wide; use --long".into(),
            ));
        }
        for r in &t.rows {
            let mut push_keys = || {
                slice.push(t.slice.as_ref().map(|s| s.1.clone()).unwrap_or_default());
                code.push(r.code.clone());
                name.push(r.name.clone());
                depth.push(r.depth as u32);
            };
            if long {
                for (c, v) in t.columns.iter().zip(&r.values) {
                    push_keys();
                    group.push(c.id.clone());
                    values[0].push(*v);
                }
            } else {
                push_keys();
                for (k, v) in r.values.iter().enumerate() {
                    values[k].push(*v);
                }
            }
        }
    }
    let n = code.len();
    let mut cols: Vec<Column> = Vec::new();
    if let Some((k, _)) = &first.slice {
        cols.push(Column::new(k.as_str().into(), slice));
    }
    cols.push(Column::new("code".into(), code));
    cols.push(Column::new("name".into(), name));
    cols.push(Column::new("depth".into(), depth));
    let headings: Vec<String> = if long {
        cols.push(Column::new(long_key(first).into(), group));
        vec![first.measure.as_str().to_string()]
    } else {
        first.columns.iter().map(|c| c.id.clone()).collect()
    };
    for (h, v) in headings.into_iter().zip(values) {
        cols.push(if count {
            Column::new(
                h.as_str().into(),
                v.into_iter().map(|x| x as u64).collect::<Vec<u64>>(),
            )
        } else {
            Column::new(h.as_str().into(), v)
        });
    }
    DataFrame::new(n, cols).map_err(pe)
}

/// The tables as a Parquet file (uncompressed, no statistics that vary, fixed metadata).
#[cfg(feature = "parquet")]
pub fn to_parquet(tables: &[Table], long: bool) -> Result<Vec<u8>> {
    use polars::prelude::*;
    let mut df = to_dataframe(tables, long)?;
    let mut buf = Vec::new();
    ParquetWriter::new(&mut buf)
        .with_compression(ParquetCompression::Uncompressed)
        .set_parallel(false)
        .finish(&mut df)
        .map_err(|e| Error::Parquet(e.to_string()))?;
    Ok(buf)
}

/// A worksheet name Excel accepts: at most 31 characters, none of `[]:*?/\`, unique.
fn sheet_name(name: &str, taken: &[String]) -> String {
    let clean: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .take(31)
        .collect();
    let mut out = clean.clone();
    let mut k = 2;
    while taken.iter().any(|t| t.eq_ignore_ascii_case(&out)) {
        let suffix = format!(" {k}");
        out = clean.chars().take(31 - suffix.len()).collect::<String>() + &suffix;
        k += 1;
    }
    out
}

/// The tables as an XLSX workbook: one sheet per table, bold header, frozen header row (and
/// code column), numbers stored as numbers. Wide sheets have a row per code with names
/// indented by depth; `long` sheets a row per cell (slice, code, name, depth, group, value).
pub fn to_xlsx(tables: &[Table], long: bool) -> Result<Vec<u8>> {
    use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format as XFormat, Workbook};
    let xe = |e: rust_xlsxwriter::XlsxError| Error::Xlsx(e.to_string());
    let mut wb = Workbook::new();
    // A fixed creation time: the default (now) would make every run's file different.
    let epoch = ExcelDateTime::from_ymd(2000, 1, 1).map_err(xe)?;
    wb.set_properties(&DocProperties::new().set_creation_datetime(&epoch));
    let bold = XFormat::new().set_bold();
    let bold_right = XFormat::new()
        .set_bold()
        .set_align(rust_xlsxwriter::FormatAlign::Right);
    let rate = XFormat::new().set_num_format("0.00");
    let mut taken: Vec<String> = Vec::new();
    for t in tables {
        let name = sheet_name(&t.name, &taken);
        taken.push(name.clone());
        let ws = wb.add_worksheet();
        ws.set_name(&name).map_err(xe)?;
        let number = |ws: &mut rust_xlsxwriter::Worksheet, y: u32, x: u16, v: f64| {
            if t.measure.is_count() {
                ws.write_number(y, x, v).map(|_| ())
            } else {
                ws.write_number_with_format(y, x, v, &rate).map(|_| ())
            }
        };
        let code_w = t
            .rows
            .iter()
            .map(|r| r.code.len())
            .max()
            .unwrap_or(4)
            .max(6);
        if long {
            let mut header: Vec<&str> = t.slice.iter().map(|(k, _)| k.as_str()).collect();
            header.extend(["code", "name", "depth", long_key(t), t.measure.as_str()]);
            for (x, h) in header.iter().enumerate() {
                ws.write_string_with_format(0, x as u16, *h, &bold)
                    .map_err(xe)?;
            }
            let s = u16::from(t.slice.is_some());
            let name_w = t.rows.iter().map(|r| r.name.chars().count()).max();
            let key_w = t.columns.iter().map(|c| c.id.chars().count()).max();
            ws.set_column_width(s, (code_w + 2) as f64).map_err(xe)?;
            ws.set_column_width(s + 1, (name_w.unwrap_or(4).max(6) + 2).min(60) as f64)
                .map_err(xe)?;
            ws.set_column_width(s + 3, (key_w.unwrap_or(4).max(6) + 2).min(40) as f64)
                .map_err(xe)?;
            let mut y = 1u32;
            for r in &t.rows {
                for (c, v) in t.columns.iter().zip(&r.values) {
                    if let Some((_, value)) = &t.slice {
                        ws.write_string(y, 0, value).map_err(xe)?;
                    }
                    ws.write_string(y, s, &r.code).map_err(xe)?;
                    ws.write_string(y, s + 1, &r.name).map_err(xe)?;
                    ws.write_number(y, s + 2, r.depth as f64).map_err(xe)?;
                    ws.write_string(y, s + 3, &c.id).map_err(xe)?;
                    number(ws, y, s + 4, *v).map_err(xe)?;
                    y += 1;
                }
            }
            ws.set_freeze_panes(1, 0).map_err(xe)?;
            continue;
        }
        ws.write_string_with_format(0, 0, "code", &bold)
            .map_err(xe)?;
        ws.write_string_with_format(0, 1, "name", &bold)
            .map_err(xe)?;
        for (c, col) in t.columns.iter().enumerate() {
            let x = (c + 2) as u16;
            ws.write_string_with_format(0, x, &col.id, &bold_right)
                .map_err(xe)?;
            ws.set_column_width(x, (col.id.chars().count() + 2).max(8) as f64)
                .map_err(xe)?;
        }
        let name_w = t
            .rows
            .iter()
            .map(|r| r.name.chars().count() + 2 * r.depth)
            .max()
            .unwrap_or(4)
            .max(6);
        ws.set_column_width(0, (code_w + 2) as f64).map_err(xe)?;
        ws.set_column_width(1, (name_w + 2).min(60) as f64)
            .map_err(xe)?;
        for (i, r) in t.rows.iter().enumerate() {
            let y = (i + 1) as u32;
            let indent = XFormat::new().set_indent(r.depth.min(15) as u8);
            let (code_fmt, name_fmt) = if r.total {
                (bold.clone(), bold.clone())
            } else {
                (XFormat::new(), indent)
            };
            ws.write_string_with_format(y, 0, &r.code, &code_fmt)
                .map_err(xe)?;
            ws.write_string_with_format(y, 1, &r.name, &name_fmt)
                .map_err(xe)?;
            for (c, v) in r.values.iter().enumerate() {
                number(ws, y, (c + 2) as u16, *v).map_err(xe)?;
            }
        }
        ws.set_freeze_panes(1, 2).map_err(xe)?;
    }
    wb.save_to_buffer().map_err(xe)
}
