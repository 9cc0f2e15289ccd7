//! `ambit add`: import files, folders or a manifest into the project.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use ambit_core::{Date, DocId, DocKind};
use ambit_pipeline::{DocDefaults, FileReport, ImportOptions, Outcome};
use anyhow::{bail, Result};

use crate::args::{parse_attr, parse_date, parse_kind, OutputFormat, TEXT_JSON};
use crate::output::write_json;

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
///
/// `ambit add --reparse D3 D7` (or `--reparse --all`) reads documents again from their
/// stored originals after `speaker_pattern` or a reader changed: new passages and speakers,
/// the same text, every coding kept.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files or folders to import (with --reparse: document ids).
    #[arg(required_unless_present_any = ["manifest", "all"])]
    paths: Vec<PathBuf>,
    /// Read the documents named (D3 D7 …) again from their originals: new passages and
    /// speakers from the current readers and `speaker_pattern`, text and codings unchanged.
    #[arg(long, conflicts_with_all = ["manifest", "kind", "date", "phase", "title", "attrs", "text_columns", "id_column", "replace"])]
    reparse: bool,
    /// With --reparse: every document of the project.
    #[arg(long, requires = "reparse")]
    all: bool,
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
    /// Replace the document imported earlier from the same path when the file changed
    /// and move its codings to where their text now is: each is reported kept, moved,
    /// shrunk, grown, edited or lost; changed ones are marked needs-review, lost ones are
    /// kept detached with their text (`ambit codings --needs-review` lists both). Rule
    /// codings are dropped until the next `ambit autocode`. A file never replaces a
    /// document that came from another path.
    #[arg(long)]
    replace: bool,
    /// With --replace: show what replacing would do to each coding, and write nothing.
    #[arg(long, requires = "replace")]
    dry_run: bool,
    /// Output format of the per-file report.
    #[arg(long, default_value = "text", value_parser = TEXT_JSON)]
    format: OutputFormat,
}

pub fn run(ctx: &crate::Ctx, args: Args) -> Result<ExitCode> {
    let mut project = ctx.open_project()?;
    if args.reparse {
        return reparse(&mut project, &args);
    }
    if let Some(phase) = &args.phase {
        project.config.timeline.require(phase)?;
    }
    let (items, early) = match &args.manifest {
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

    let bar = crate::args::progress_bar(items.len() as u64, "importing");
    let text = args.format == OutputFormat::Text;
    let mut out = Lines::new();
    let report = ambit_pipeline::add(
        &mut project,
        &items,
        early,
        ImportOptions {
            replace: args.replace,
            dry_run: args.dry_run,
        },
        &mut |file| match &bar {
            Some(bar) => {
                bar.inc(1);
                bar.suspend(|| print_file(file, text, &mut out));
            }
            None => print_file(file, text, &mut out),
        },
    )?;
    out.flush();
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if let Some(w) = &report.index_warning {
        eprintln!("warning: {w}");
    }
    if text {
        eprintln!("{}", report.summary());
    } else {
        write_json(&mut crate::output::stdout(), &report.files)?;
    }
    Ok(if report.failed() > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// The per-file lines of an import on standard output: a line per file written at once
/// to a terminal, gathered otherwise (a write per file was a tenth of importing 10,000
/// small files into a pipe). Flushed before anything goes to standard error, so that
/// `ambit add … 2>&1` keeps the order.
struct Lines {
    out: std::io::BufWriter<crate::output::Stdout>,
    terminal: bool,
}

impl Lines {
    fn new() -> Lines {
        use std::io::IsTerminal;
        Lines {
            out: std::io::BufWriter::with_capacity(64 * 1024, crate::output::stdout()),
            terminal: std::io::stdout().is_terminal(),
        }
    }

    fn line(&mut self, line: &str) {
        // A reader gone away ends the command quietly (main checks `broken_pipe`).
        let _ = writeln!(self.out, "{line}");
        if self.terminal {
            self.flush();
        }
    }

    fn flush(&mut self) {
        let _ = self.out.flush();
    }
}

/// Prints one file's outcome: results on stdout, failures and warnings on stderr.
fn print_file(file: &FileReport, text: bool, out: &mut Lines) {
    if !file.warnings.is_empty() || matches!(file.outcome, Outcome::Failed { .. }) {
        out.flush();
    }
    for w in &file.warnings {
        eprintln!("warning: {w}");
    }
    let path = file.path.display();
    let line = match &file.outcome {
        Outcome::Failed { error } => {
            eprintln!("error: {error}");
            return;
        }
        _ if !text => return,
        Outcome::Added {
            id,
            passages,
            words,
        } => format!("added      {id:<5} {path}  ({passages} passages, {words} words)"),
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
            format!(
                "added      {range:<5} {path}  ({} documents, {passages} passages, {words} words)",
                ids.len()
            )
        }
        Outcome::Replaced {
            id,
            passages,
            words,
            codings,
        } => replaced(*id, &path.to_string(), *passages, *words, codings),
        Outcome::Unchanged { id } => {
            format!("unchanged  {id:<5} {path}  (same content already imported)")
        }
        Outcome::Updated { id, fields } => format!(
            "updated    {id:<5} {path}  (same content; {} changed)",
            fields.join(", ")
        ),
        Outcome::Skipped { reason } => format!("skipped          {path}  ({reason})"),
    };
    out.line(&line);
}

/// `--reparse`: documents read again, reported like files.
fn reparse(project: &mut ambit_store::Project, args: &Args) -> Result<ExitCode> {
    use ambit_pipeline::reparse::Reparsed;
    let docs: Vec<DocId> = if args.all {
        if !args.paths.is_empty() {
            bail!("give document ids or --all, not both");
        }
        project
            .store
            .documents()?
            .iter()
            .map(|r| r.doc.id)
            .collect()
    } else {
        args.paths
            .iter()
            .map(|p| DocId::parse(&p.to_string_lossy()))
            .collect::<Result<_, _>>()?
    };
    let reports = ambit_pipeline::reparse::reparse(project, &docs)?;
    let mut failed = 0;
    let out = &mut crate::output::stdout();
    for r in &reports {
        for w in &r.warnings {
            eprintln!("warning: {w}");
        }
        match &r.outcome {
            Reparsed::Failed(e) => {
                failed += 1;
                eprintln!("error: {e}");
            }
            _ if args.format == OutputFormat::Json => {}
            Reparsed::Changed {
                before,
                after,
                speakers_before,
                speakers_after,
            } => writeln!(
                out,
                "reparsed   {:<5} {before} → {after} passages, {speakers_before} → {speakers_after} with a speaker",
                r.doc.to_string()
            )?,
            Reparsed::Unchanged => writeln!(
                out,
                "unchanged  {:<5} (the same passages)",
                r.doc.to_string()
            )?,
        }
    }
    if args.format == OutputFormat::Json {
        write_json(out, &reports)?;
    }
    Ok(if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// A replaced file's line, then a line per coding that did not stay where it was.
fn replaced(
    id: DocId,
    path: &str,
    passages: usize,
    words: usize,
    c: &ambit_pipeline::reanchor::Reanchoring,
) -> String {
    use ambit_pipeline::reanchor::Status;
    let verb = if c.dry_run {
        "would replace"
    } else {
        "replaced  "
    };
    let mut line = format!(
        "{verb} {:<5} {path}  ({passages} passages, {words} words; codings: {}",
        id.to_string(),
        c.summary()
    );
    let review = c.needing_review();
    if review > 0 {
        line.push_str(&format!("; {review} marked for review"));
    }
    if c.rule_codings > 0 {
        line.push_str(&format!(
            "; {} rule coding(s) dropped until `ambit autocode`",
            c.rule_codings
        ));
    }
    line.push(')');
    for f in c.moved.iter().filter(|f| f.status != Status::Kept) {
        let old = format!("{}..{}", f.old_start, f.old_end);
        let head = format!(
            "\n  coding {:<5} {:<7} {} ({})",
            f.coding,
            f.status.as_str(),
            f.code,
            f.coder
        );
        line.push_str(&head);
        match (f.start, f.end, &f.text) {
            (Some(s), Some(e), Some(text)) if f.status.is_changed() => line.push_str(&format!(
                " {old} → {s}..{e}: {:?} → {:?}, needs review",
                crate::cmd::codings::one_line(&f.old_text, 60),
                crate::cmd::codings::one_line(text, 60)
            )),
            (Some(s), Some(e), _) => {
                line.push_str(&format!(" {old} → {s}..{e}"));
                if f.needs_review {
                    line.push_str(" (found by its words alone: needs review)");
                }
            }
            _ => line.push_str(&format!(
                " {old}: {:?} is gone; {} detached: re-attach it with `ambit code {id}:N --reattach {}` or remove it with `ambit uncode {}`",
                crate::cmd::codings::one_line(&f.old_text, 60),
                if c.dry_run { "would be" } else { "kept" },
                f.coding,
                f.coding
            )),
        }
    }
    line
}
