//! Manifests: a CSV listing files with their kind, date, phase, title and attributes.
//!
//! Columns `path,kind,date,phase,title` (only `path` is required, in any order), and for
//! surveys `text_columns` (answer columns separated by `;`) and `id_column`; every
//! other column becomes a document attribute. Paths are relative to the manifest's folder.
//! A bad row becomes a failed file naming the manifest line, and the other rows go in.

use std::collections::BTreeMap;
use std::path::Path;

use ambit_core::{Date, DocKind, Timeline};

use crate::error::{Error, Result};
use crate::import::{DocDefaults, FileReport, ImportError, ImportItem, Outcome};

const KNOWN: [&str; 7] = [
    "path",
    "kind",
    "date",
    "phase",
    "title",
    "text_columns",
    "id_column",
];

/// Reads a manifest into import items and, for rows that cannot be imported, failure reports.
pub fn read_manifest(
    path: &Path,
    timeline: &Timeline,
) -> Result<(Vec<ImportItem>, Vec<FileReport>)> {
    let err = |message: String| Error::Manifest {
        path: path.to_path_buf(),
        message,
    };
    let bytes = std::fs::read(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => err("no such manifest file".into()),
        _ => err(e.to_string()),
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        err(format!(
            "not UTF-8 at byte {}; save the manifest as UTF-8 CSV",
            e.utf8_error().valid_up_to()
        ))
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let base = path.parent().unwrap_or(Path::new("."));
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| err(format!("cannot read the header row: {e}")))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let col = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let path_col = col("path").ok_or_else(|| {
        err(format!(
            "no `path` column; the header must name it (found: {})",
            headers.join(", ")
        ))
    })?;
    let (kind_col, date_col, phase_col, title_col) =
        (col("kind"), col("date"), col("phase"), col("title"));
    let (text_cols_col, id_col) = (col("text_columns"), col("id_column"));

    let mut items = Vec::new();
    let mut failures = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            err(format!("line {line}: {e}"))
        })?;
        let line = record.position().map_or(0, |p| p.line());
        let origin = format!("{} line {line}", path.display());
        let get = |c: Option<usize>| {
            c.and_then(|c| record.get(c))
                .map(str::trim)
                .filter(|s| !s.is_empty())
        };
        let Some(rel) = get(Some(path_col)) else {
            failures.push(FileReport {
                path: path.to_path_buf(),
                outcome: Outcome::Failed {
                    error: ImportError::Manifest {
                        message: format!("{origin}: empty `path`"),
                    },
                },
                warnings: vec![],
            });
            continue;
        };
        let file = base.join(rel);
        let row = (|| -> std::result::Result<DocDefaults, String> {
            let kind = get(kind_col)
                .map(DocKind::parse)
                .transpose()
                .map_err(|e| e.to_string())?;
            let date = get(date_col)
                .map(Date::parse)
                .transpose()
                .map_err(|e| e.to_string())?;
            let phase = get(phase_col).map(str::to_string);
            if let Some(p) = &phase {
                timeline.require(p).map_err(|e| e.to_string())?;
            }
            let mut attributes = BTreeMap::new();
            for (i, h) in headers.iter().enumerate() {
                let known = KNOWN.iter().any(|k| h.eq_ignore_ascii_case(k));
                if !known && !h.is_empty() {
                    if let Some(v) = get(Some(i)) {
                        attributes.insert(h.clone(), v.to_string());
                    }
                }
            }
            Ok(DocDefaults {
                kind,
                date,
                phase,
                title: get(title_col).map(str::to_string),
                attributes,
                text_columns: get(text_cols_col)
                    .map(|v| {
                        v.split(';')
                            .map(str::trim)
                            .filter(|c| !c.is_empty())
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default(),
                id_column: get(id_col).map(str::to_string),
            })
        })();
        match row {
            Ok(defaults) => items.push(ImportItem {
                path: file,
                defaults,
                origin: Some(origin),
            }),
            Err(message) => failures.push(FileReport {
                path: file,
                outcome: Outcome::Failed {
                    error: ImportError::Manifest {
                        message: format!("{origin}: {message}"),
                    },
                },
                warnings: vec![],
            }),
        }
    }
    Ok((items, failures))
}
