//! `ambit merge`: bring another coder's copy of the project into this one.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use ambit_pipeline::merge::{MergeReport, MergeRequest, Prefer};
use anyhow::Result;

use crate::args::{OutputFormat, TEXT_JSON};
use crate::output::write_json;

/// Merge another coder's copy of this project: their codings, memos and codes (and, with
/// --documents, the documents this project lacks).
///
/// Documents are matched by their stored text; a document with a title of this project but
/// another text is listed and never merged (bring its codings across by replacing it with
/// `ambit add --replace` first). Codes are matched by id: a code with the same id and
/// another name, parent or definition stops the merge before anything is written, unless
/// --prefer says which side wins. New codes keep their place in the codebook. Codings keep
/// their coder's name; merging the same project twice adds nothing the second time. Then
/// `ambit agreement --coders A,B` compares the coders.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The other project's folder (it is only read).
    other: PathBuf,
    /// Only this coder's codings and memos (repeatable).
    #[arg(long = "coder", value_name = "NAME")]
    coders: Vec<String>,
    /// Also add the documents this project lacks.
    #[arg(long)]
    documents: bool,
    /// Which side wins a code conflict: keep ours, or take theirs.
    #[arg(long, value_enum)]
    prefer: Option<PreferArg>,
    /// Show what the merge would do, and write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Output format of the report.
    #[arg(long, default_value = "text", value_parser = TEXT_JSON)]
    format: OutputFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum PreferArg {
    /// Keep this project's codes.
    Ours,
    /// Take the other project's codes.
    Theirs,
}

pub fn run(ctx: &crate::Ctx, args: Args) -> Result<ExitCode> {
    let mut project = ctx.open_project()?;
    let req = MergeRequest {
        other: args.other.clone(),
        coders: args.coders.clone(),
        documents: args.documents,
        prefer: args.prefer.map(|p| match p {
            PreferArg::Ours => Prefer::Ours,
            PreferArg::Theirs => Prefer::Theirs,
        }),
        dry_run: args.dry_run,
    };
    let report = ambit_pipeline::merge::merge(&mut project, &req)?;
    for w in report.warnings.iter().chain(&report.index_warning) {
        eprintln!("warning: {w}");
    }
    let out = &mut crate::output::stdout();
    if args.format == OutputFormat::Json {
        write_json(out, &report)?;
    } else {
        print(out, &report)?;
    }
    if report.blocked() {
        eprintln!(
            "error: {} code conflict(s): resolve them in one of the codebooks, or choose a side with --prefer ours|theirs",
            report.codes.conflicts.len()
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

fn print(out: &mut impl Write, r: &MergeReport) -> Result<()> {
    let head = if r.dry_run {
        format!("dry run: merging {} would bring in", r.other)
    } else if r.written {
        format!("merged {}:", r.other)
    } else {
        format!("nothing new in {}:", r.other)
    };
    writeln!(out, "{head}")?;
    let d = &r.documents;
    writeln!(
        out,
        "  documents: {} matched, {} added, {} missing here (add them with --documents), {} with another text",
        d.matched,
        d.added.len(),
        d.missing.len(),
        d.changed.len()
    )?;
    for a in &d.added {
        let ours = a.ours.map_or_else(String::new, |id| format!(" as {id}"));
        writeln!(out, "    added {}{ours} {:?}", a.theirs, a.title)?;
    }
    for c in &d.changed {
        writeln!(
            out,
            "    not merged: their {} {:?} has another text than {} here (replace it with `ambit add --replace` to bring its codings across)",
            c.theirs, c.title, c.ours
        )?;
    }
    let c = &r.codes;
    writeln!(
        out,
        "  codes: {} added{}, {} updated{}",
        c.added.len(),
        list(&c.added),
        c.updated.len(),
        list(&c.updated)
    )?;
    for conflict in &c.conflicts {
        let how = match c.prefer {
            Some(Prefer::Ours) => " (kept ours)",
            Some(Prefer::Theirs) => " (took theirs)",
            None => "",
        };
        writeln!(out, "    conflict {conflict}{how}")?;
    }
    for coder in &r.coders {
        let mut line = format!(
            "  coder {}: {} added, {} already here",
            coder.coder, coder.added, coder.present
        );
        for (reason, n) in &coder.skipped {
            line.push_str(&format!(", {n} skipped ({})", reason.explain()));
        }
        writeln!(out, "{line}")?;
    }
    let m = &r.memos;
    writeln!(
        out,
        "  memos: {} added, {} already here, {} skipped",
        m.added, m.present, m.skipped
    )?;
    if r.detached_skipped > 0 {
        writeln!(
            out,
            "  {} detached coding(s) of theirs point at no text and were not merged",
            r.detached_skipped
        )?;
    }
    Ok(())
}

fn list(ids: &[String]) -> String {
    if ids.is_empty() {
        String::new()
    } else {
        format!(" ({})", ids.join(", "))
    }
}
