//! `ambit qdpx`: REFI-QDA projects (`.qdpx`) out of and into the project, for NVivo, ATLAS.ti, MAXQDA, QualCoder and other tools.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use ambit_core::DocId;
use ambit_pipeline::qdpx::{self, Exported, Imported, Skip};
use anyhow::{Context, Result};

use crate::args::{parse_doc, OutputFormat, TEXT_JSON};
use crate::output::write_json;

/// Exchange the project with other QDA tools as a REFI-QDA project (.qdpx).
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Debug, clap::Subcommand)]
enum Cmd {
    /// Write the project (or a part of it) as FILE.qdpx: documents with their text and
    /// original files, the codebook, codings, memos, attributes as variables, and the study
    /// timeline as the variables ambit:date and ambit:phase and one set per phase. Two
    /// exports of the same project are byte-identical. With --pseudonymise, original files,
    /// import paths and auto-coding rules are left out, since the names in them cannot be
    /// replaced.
    Export {
        /// The .qdpx file to write (replaced if it exists).
        file: PathBuf,
        /// Only this coder's codings and memos (repeatable: either).
        #[arg(long = "coder", value_name = "NAME")]
        coders: Vec<String>,
        /// Only this document (repeatable: either).
        #[arg(long = "doc", value_name = "ID", value_parser = parse_doc)]
        docs: Vec<DocId>,
        /// Only documents in this phase (repeatable: either; `unphased` for documents in none).
        #[arg(long = "phase", value_name = "ID")]
        phases: Vec<String>,
        /// Group the documents into cases by this attribute (one case per value).
        #[arg(long, value_name = "ATTR")]
        cases: Option<String>,
        /// Output format of the report.
        #[arg(long, default_value = "text", value_parser = TEXT_JSON)]
        format: OutputFormat,
        #[command(flatten)]
        pseudonyms: crate::args::PseudonymArgs,
    },
    /// Import FILE.qdpx into this project, all of it or (when it is refused) nothing.
    /// Documents whose text the project already has are matched, not added twice; the
    /// codebook is merged into codebook.toml by name path; the file's study phases are
    /// restored into ambit.toml when the project has no timeline.
    Import {
        /// The .qdpx file to read.
        file: PathBuf,
        /// Import user OLD's codings and memos as coder NEW (repeatable).
        #[arg(long = "coder-map", value_name = "OLD=NEW", value_parser = parse_coder_map)]
        coder_map: Vec<(String, String)>,
        /// Write nothing: print what would be added and what would be skipped, and why.
        #[arg(long)]
        dry_run: bool,
        /// Output format of the report (`json` lists every selection with its text).
        #[arg(long, default_value = "text", value_parser = TEXT_JSON)]
        format: OutputFormat,
    },
}

fn parse_coder_map(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((old, new)) if !old.trim().is_empty() && !new.trim().is_empty() => {
            Ok((old.trim().to_owned(), new.trim().to_owned()))
        }
        _ => Err(format!(
            "expected OLD=NEW (a user of the file and a coder), got {s:?}"
        )),
    }
}

pub fn run(ctx: &crate::Ctx, args: Args) -> Result<ExitCode> {
    let mut project = ctx.open_project()?;
    let out = &mut crate::output::stdout();
    match args.cmd {
        Cmd::Export {
            file,
            coders,
            docs,
            phases,
            cases,
            format,
            pseudonyms,
        } => {
            let options = qdpx::ExportOptions {
                coders,
                docs,
                phases,
                cases,
            };
            let done = match pseudonyms.load()? {
                Some(names) => {
                    qdpx::export_qdpx_pseudonymised(&mut project, &file, &options, names)
                }
                None => qdpx::export_qdpx(&mut project, &file, &options),
            }
            .with_context(|| format!("exporting {}", file.display()))?;
            if format == OutputFormat::Json {
                write_json(out, &done)?;
            } else {
                print_export(out, &done)?;
            }
        }
        Cmd::Import {
            file,
            coder_map,
            dry_run,
            format,
        } => {
            let options = qdpx::ImportOptions { coder_map, dry_run };
            let done = qdpx::import_qdpx(&mut project, &file, &options)?;
            if format == OutputFormat::Json {
                write_json(out, &done)?;
            } else {
                print_import(out, &done)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_export(out: &mut impl Write, e: &Exported) -> Result<()> {
    let w = &e.written;
    writeln!(
        out,
        "Wrote {}: {} document(s) ({} with their original file), {} code(s), {} coding(s) in {} \
         selection(s), {} memo(s), {} coder(s), {} variable(s), {} case(s), {} set(s)",
        e.file.display(),
        w.sources,
        w.originals,
        w.codes,
        w.codings,
        w.selections,
        w.notes,
        w.users,
        w.variables,
        w.cases,
        w.sets
    )?;
    print_skipped(out, &e.skipped)?;
    for warning in &w.warnings {
        writeln!(out, "warning: {warning}")?;
    }
    Ok(())
}

fn print_import(out: &mut impl Write, r: &Imported) -> Result<()> {
    let from = r
        .origin
        .as_deref()
        .map_or_else(String::new, |o| format!(" (written by {o})"));
    if r.dry_run {
        writeln!(
            out,
            "Dry run, nothing written. Importing {}{from} would add:",
            r.file.display()
        )?;
    } else {
        writeln!(out, "Imported {}{from}:", r.file.display())?;
    }
    let coders: Vec<String> = r
        .coders
        .iter()
        .map(|c| {
            let new = if c.new { " (new)" } else { "" };
            if c.user == c.coder {
                format!("{}{new}", c.coder)
            } else {
                format!("{} → {}{new}", c.user, c.coder)
            }
        })
        .collect();
    writeln!(out, "  coders: {}", list(&coders))?;
    let c = &r.codes;
    writeln!(
        out,
        "  codes: {} added, {} matched by name, {} filled in, {} conflict(s)",
        c.added.len(),
        c.matched.len(),
        c.filled.len(),
        c.conflicts.len()
    )?;
    for a in &c.added {
        writeln!(out, "    added {}  {}", a.id, a.path)?;
    }
    for f in &c.conflicts {
        writeln!(
            out,
            "    conflict {} ({}): {} differs; kept the project's {:?}, not the file's {:?}",
            f.id, f.path, f.field, f.project, f.file
        )?;
    }
    let matched = r.documents.iter().filter(|d| d.matched).count();
    writeln!(
        out,
        "  documents: {} new, {matched} matched by their text",
        r.documents.len() - matched
    )?;
    for d in &r.documents {
        let id = d
            .document
            .map_or_else(|| "new".to_owned(), |id| id.to_string());
        let how = if d.matched { "matched" } else { "" };
        writeln!(
            out,
            "    {id:>5} {how:<7} {}: {} chars, {} passages, {} selections, positions in {}",
            d.title, d.chars, d.passages, d.selections, d.unit
        )?;
    }
    writeln!(
        out,
        "  codings: {}{}",
        r.codings,
        if r.duplicate_codings > 0 {
            format!(
                " (and {} the project has already or the file holds twice, not added again)",
                r.duplicate_codings
            )
        } else {
            String::new()
        }
    )?;
    writeln!(
        out,
        "  memos: {}{}",
        r.memos,
        if r.duplicate_memos > 0 {
            format!(" (and {} the project has already)", r.duplicate_memos)
        } else {
            String::new()
        }
    )?;
    writeln!(out, "  attributes: {}", list(&r.attributes))?;
    if !r.phases.is_empty() {
        writeln!(out, "  phases (into ambit.toml): {}", list(&r.phases))?;
    }
    for u in &r.unplaced {
        writeln!(
            out,
            "  not placed: a selection of \"{}\" at {}..{} (line {}): {}; its codings ({}) are not imported",
            u.source,
            u.start,
            u.end,
            u.line,
            u.reason,
            list(&u.codes)
        )?;
    }
    print_skipped(out, &r.skipped)?;
    for t in &r.tolerated {
        let at = t.line.map_or_else(String::new, |l| format!(" (line {l})"));
        let times = if t.count > 1 {
            format!(", {} times", t.count)
        } else {
            String::new()
        };
        writeln!(out, "  tolerated{at}{times}: {}", t.message)?;
    }
    for w in &r.warnings {
        writeln!(out, "  note: {w}")?;
    }
    Ok(())
}

fn print_skipped(out: &mut impl Write, skipped: &[Skip]) -> Result<()> {
    for s in skipped {
        let at = s.line.map_or_else(String::new, |l| format!(" (line {l})"));
        writeln!(out, "  skipped {} {}{at}: {}", s.element, s.name, s.reason)?;
    }
    Ok(())
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_owned()
    } else {
        items.join(", ")
    }
}
