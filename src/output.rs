//! Printing: aligned text tables, CSV and JSON to standard output.

use std::io::Write;

use anyhow::Result;

/// Output formats for listings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    /// An aligned table for reading.
    Table,
    /// JSON for scripts.
    Json,
    /// CSV for spreadsheets and scripts.
    Csv,
}

/// A simple table: the same rows print as aligned text or CSV.
pub struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
    numeric: Vec<bool>,
}

impl Table {
    pub fn new(headers: &[&str]) -> Table {
        Table {
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
            numeric: vec![true; headers.len()],
        }
    }

    pub fn push(&mut self, row: Vec<String>) {
        for (i, cell) in row.iter().enumerate() {
            if !cell.is_empty() && cell.parse::<f64>().is_err() {
                if let Some(n) = self.numeric.get_mut(i) {
                    *n = false;
                }
            }
        }
        self.rows.push(row);
    }

    /// Aligned columns; numbers right-aligned.
    pub fn write_text(&self, out: &mut impl Write) -> Result<()> {
        let width = |i: usize| {
            self.rows
                .iter()
                .filter_map(|r| r.get(i))
                .chain(std::iter::once(&self.headers[i]))
                .map(|c| c.chars().count())
                .max()
                .unwrap_or(0)
        };
        let widths: Vec<usize> = (0..self.headers.len()).map(width).collect();
        let line = |out: &mut dyn Write, cells: &[String]| -> Result<()> {
            let mut s = String::new();
            for (i, c) in cells.iter().enumerate() {
                let w = widths.get(i).copied().unwrap_or(0);
                let pad = w.saturating_sub(c.chars().count());
                let last = i + 1 == cells.len();
                if self.numeric.get(i).copied().unwrap_or(false) {
                    s.push_str(&" ".repeat(pad));
                    s.push_str(c);
                } else {
                    s.push_str(c);
                    if !last {
                        s.push_str(&" ".repeat(pad));
                    }
                }
                if !last {
                    s.push_str("  ");
                }
            }
            writeln!(out, "{}", s.trim_end())?;
            Ok(())
        };
        line(out, &self.headers)?;
        for r in &self.rows {
            line(out, r)?;
        }
        Ok(())
    }

    /// A Markdown table, to paste into a paper draft.
    pub fn write_markdown(&self, out: &mut impl Write) -> Result<()> {
        let esc = |c: &str| c.replace('|', "\\|");
        writeln!(
            out,
            "| {} |",
            self.headers
                .iter()
                .map(|h| esc(h))
                .collect::<Vec<_>>()
                .join(" | ")
        )?;
        let align: Vec<&str> = (0..self.headers.len())
            .map(|i| {
                if self.numeric.get(i).copied().unwrap_or(false) {
                    "---:"
                } else {
                    "---"
                }
            })
            .collect();
        writeln!(out, "| {} |", align.join(" | "))?;
        for r in &self.rows {
            writeln!(
                out,
                "| {} |",
                r.iter().map(|c| esc(c)).collect::<Vec<_>>().join(" | ")
            )?;
        }
        Ok(())
    }

    pub fn write_csv(&self, out: &mut impl Write) -> Result<()> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(&self.headers)?;
        for r in &self.rows {
            w.write_record(r)?;
        }
        w.flush()?;
        Ok(())
    }
}

/// Writes pretty JSON and a final newline.
pub fn write_json(out: &mut impl Write, value: &impl serde::Serialize) -> Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)?;
    Ok(())
}

/// `1234567` → `1,234,567`, for counts people read.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `65123` ms → `00:01:05`.
pub fn clock(ms: u64) -> String {
    let s = ms / 1000;
    format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}
