//! Printing: the one way to standard output, and aligned text tables, CSV and JSON.
//!
//! Every command writes its result through [`stdout`], whatever the format, so a reader
//! that goes away (`ambit codings --format csv | head`) ends the command quietly with
//! exit code 0, however deep inside a CSV or JSON writer the write failed.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Result;

static BROKEN_PIPE: AtomicBool = AtomicBool::new(false);

/// Standard output, remembering when its reader has gone away.
pub struct Stdout(std::io::StdoutLock<'static>);

/// Locks standard output for a command's result.
pub fn stdout() -> Stdout {
    Stdout(std::io::stdout().lock())
}

/// Whether a write to standard output failed because its reader went away.
pub fn broken_pipe() -> bool {
    BROKEN_PIPE.load(Ordering::Relaxed)
}

fn note<T>(r: std::io::Result<T>) -> std::io::Result<T> {
    if let Err(e) = &r {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            BROKEN_PIPE.store(true, Ordering::Relaxed);
        }
    }
    r
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        note(self.0.write(buf))
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        note(self.0.write_all(buf))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        note(self.0.flush())
    }
}

/// Writes a listing as aligned text, CSV or JSON (`Md` as a Markdown table).
pub fn write_listing(
    out: &mut impl Write,
    format: crate::args::OutputFormat,
    table: &Table,
    json: &impl serde::Serialize,
) -> Result<()> {
    use crate::args::OutputFormat;
    match format {
        OutputFormat::Json => write_json(out, json),
        OutputFormat::Csv => table.write_csv(out),
        OutputFormat::Md => table.write_markdown(out),
        OutputFormat::Text => table.write_text(out),
    }
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
