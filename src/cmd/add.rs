//! `ambit add`: import files, folders or a manifest into the project.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use ambit_core::{Date, DocKind};
use ambit_pipeline::{BatchReport, DocDefaults, FileReport, ImportOptions, Outcome};
use anyhow::{bail, Result};
use serde_json::json;

/// Import transcripts, interviews, field notes, documents, e-mail and surveys.
///
/// Formats: plain text (.txt), Markdown (.md), subtitles (.vtt, .srt), Word (.docx),
/// OpenDocument (.odt), PDF with a text layer (.pdf), web pages (.html, .htm), e-mail (.eml, and
/// .mbox archives: one document per message), and surveys (.csv, .xlsx: one document per row,
/// with --text-column). RTF and old .doc files are refused with advice to save as .docx.
///
/// Folders are searched recursively; files of other formats found there (and tables, unless
/// --text-column is given) are skipped and listed. Each file is imported in one transaction: a bad file is reported and the others
/// go in; the exit code is 1 when any file failed.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files or folders to import.
    #[arg(required_unless_present = "manifest")]
    paths: Vec<PathBuf>,
    /// A CSV listing files: columns path,kind,date,phase,title (only path required); other
    /// columns become document attributes; paths are relative to the manifest.
    #[arg(long, value_name = "FILE.csv", conflicts_with_all = ["kind", "date", "phase", "title", "text_columns", "id_column"])]
    manifest: Option<PathBuf>,
    /// Kind of material.
    #[arg(long, value_parser = parse_kind)]
    kind: Option<DocKind>,
    /// Date of the material (YYYY-MM-DD); places it on the timeline.
    #[arg(long, value_parser = parse_date)]
    date: Option<Date>,
    /// Put the document in this phase whatever its date.
    #[arg(long, value_name = "ID")]
    phase: Option<String>,
    /// Title (only with a single file).
    #[arg(long)]
    title: Option<String>,
    /// A document attribute, e.g. --attr organisation="Kaleva Systems Oy" (repeatable).
    #[arg(long = "attr", value_name = "KEY=VALUE", value_parser = parse_attr)]
    attrs: Vec<(String, String)>,
    /// Survey column whose answers become passages, one per column (repeatable); each row of a
    /// .csv or .xlsx becomes a document, the other columns its attributes.
    #[arg(long = "text-column", value_name = "NAME")]
    text_columns: Vec<String>,
    /// Survey column naming the respondent; titles use it instead of the row number.
    #[arg(long = "id-column", value_name = "NAME")]
    id_column: Option<String>,
    /// Replace an earlier version with the same path or title (refused when it has manual codings).
    #[arg(long)]
    replace: bool,
    /// Output format of the per-file report.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    format: ReportFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ReportFormat {
    Text,
    Json,
}

pub(crate) fn parse_kind(s: &str) -> Result<DocKind, String> {
    DocKind::parse(s).map_err(|e| e.to_string())
}

pub(crate) fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse(s).map_err(|e| e.to_string())
}

fn parse_attr(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.trim().to_string())),
        _ => Err(format!("expected KEY=VALUE, got {s:?}")),
    }
}

pub fn run(ctx: &crate::Ctx, args: Args) -> Result<ExitCode> {
    let mut project = ctx.open_project()?;
    if let Some(phase) = &args.phase {
        project.config.timeline.require(phase)?;
    }
    let (items, mut early) = match &args.manifest {
        Some(manifest) => {
            if !args.paths.is_empty() {
                bail!("give either files or --manifest, not both");
            }
            ambit_pipeline::read_manifest(manifest, &project.config.timeline)?
        }
        None => {
            let single_file = args.paths.len() == 1 && !args.paths[0].is_dir();
            if args.title.is_some() && !single_file {
                bail!("--title names one document; give exactly one file (or use a manifest)");
            }
            let defaults = DocDefaults {
                kind: args.kind,
                date: args.date,
                phase: args.phase.clone(),
                title: args.title.clone(),
                attributes: args.attrs.iter().cloned().collect::<BTreeMap<_, _>>(),
                text_columns: args.text_columns.clone(),
                id_column: args.id_column.clone(),
            };
            ambit_pipeline::expand_paths(&args.paths, &defaults)
        }
    };

    let before = project.store.revision()?;
    let bar = crate::args::progress_bar(items.len() as u64, "importing");
    let text = args.format == ReportFormat::Text;
    let mut report = ambit_pipeline::import(
        &mut project,
        &items,
        ImportOptions {
            replace: args.replace,
        },
        &mut |file| {
            if let Some(bar) = &bar {
                bar.inc(1);
                bar.suspend(|| print_file(file, text));
            } else {
                print_file(file, text);
            }
        },
    )?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    for f in &early {
        print_file(f, text);
    }
    report.files.append(&mut early);
    // Keep an existing search index in step; without one, the next search builds it.
    let changed: Vec<ambit_core::DocId> = report
        .files
        .iter()
        .flat_map(|f| match &f.outcome {
            Outcome::Added { id, .. } | Outcome::Replaced { id, .. } => vec![*id],
            Outcome::AddedSeveral { ids, .. } => ids.clone(),
            _ => Vec::new(),
        })
        .collect();
    if !changed.is_empty() {
        if let Err(e) = ambit_pipeline::search::refresh_documents(&project, &changed, before) {
            eprintln!(
                "warning: the search index was not updated ({e:#}); the next search rebuilds it"
            );
        }
    }
    if text {
        eprintln!("{}", summary(&report));
    } else {
        crate::output::write_json(&mut crate::output::stdout(), &json_report(&report))?;
    }
    Ok(if report.failed() > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Prints one file's outcome: results on stdout, failures and warnings on stderr.
fn print_file(file: &FileReport, text: bool) {
    for w in &file.warnings {
        eprintln!("warning: {w}");
    }
    let path = file.path.display();
    match &file.outcome {
        Outcome::Failed { message } => eprintln!("error: {message}"),
        _ if !text => {}
        Outcome::Added {
            id,
            passages,
            words,
        } => {
            let _ = writeln!(
                std::io::stdout(),
                "added      {id:<5} {path}  ({passages} passages, {words} words)"
            );
        }
        Outcome::AddedSeveral {
            ids,
            passages,
            words,
        } => {
            let range = match (ids.first(), ids.last()) {
                (Some(first), Some(last)) if ids.len() > 1 => format!("{first}–{last}"),
                (Some(first), _) => first.to_string(),
                _ => String::new(),
            };
            let _ = writeln!(
                std::io::stdout(),
                "added      {range:<5} {path}  ({} documents, {passages} passages, {words} words)",
                ids.len()
            );
        }
        Outcome::Replaced {
            id,
            passages,
            words,
        } => {
            let _ = writeln!(
                std::io::stdout(),
                "replaced   {id:<5} {path}  ({passages} passages, {words} words)"
            );
        }
        Outcome::Unchanged { id } => {
            let _ = writeln!(
                std::io::stdout(),
                "unchanged  {id:<5} {path}  (same content already imported)"
            );
        }
        Outcome::Skipped { reason } => {
            let _ = writeln!(
                crate::output::stdout(),
                "skipped          {path}  ({reason})"
            );
        }
    }
}

fn summary(r: &BatchReport) -> String {
    let count = |f: fn(&Outcome) -> bool| r.files.iter().filter(|x| f(&x.outcome)).count();
    format!(
        "{} added, {} replaced, {} unchanged, {} skipped, {} failed",
        count(|o| matches!(o, Outcome::Added { .. } | Outcome::AddedSeveral { .. })),
        count(|o| matches!(o, Outcome::Replaced { .. })),
        count(|o| matches!(o, Outcome::Unchanged { .. })),
        count(|o| matches!(o, Outcome::Skipped { .. })),
        count(|o| matches!(o, Outcome::Failed { .. })),
    )
}

fn json_report(r: &BatchReport) -> serde_json::Value {
    let files: Vec<_> = r
        .files
        .iter()
        .map(|f| {
            let (status, id, passages, words, message) = match &f.outcome {
                Outcome::Added {
                    id,
                    passages,
                    words,
                } => (
                    "added",
                    Some(id.to_string()),
                    Some(*passages),
                    Some(*words),
                    None,
                ),
                Outcome::AddedSeveral {
                    ids,
                    passages,
                    words,
                } => (
                    "added",
                    ids.first().map(ToString::to_string),
                    Some(*passages),
                    Some(*words),
                    None,
                ),
                Outcome::Replaced {
                    id,
                    passages,
                    words,
                } => (
                    "replaced",
                    Some(id.to_string()),
                    Some(*passages),
                    Some(*words),
                    None,
                ),
                Outcome::Unchanged { id } => ("unchanged", Some(id.to_string()), None, None, None),
                Outcome::Skipped { reason } => ("skipped", None, None, None, Some(reason.clone())),
                Outcome::Failed { message } => ("failed", None, None, None, Some(message.clone())),
            };
            let docs: Vec<String> = match &f.outcome {
                Outcome::AddedSeveral { ids, .. } => ids.iter().map(ToString::to_string).collect(),
                _ => id.iter().cloned().collect(),
            };
            json!({
                "path": f.path.display().to_string(),
                "docs": docs,
                "status": status,
                "doc": id,
                "passages": passages,
                "words": words,
                "message": message,
                "warnings": f.warnings,
            })
        })
        .collect();
    json!(files)
}
