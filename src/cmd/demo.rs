//! `ambit demo`: build a project from the bundled sample study and show what is in it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use ambit_core::DocKind;
use ambit_pipeline::Outcome;
use anyhow::{Context, Result};

use crate::args::{OutputFormat, TEXT_JSON};
use crate::output::{thousands, write_json, Table};

/// Build a fresh demo project from the sample study in data-samples/ and summarise it.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Folder for the demo project; an earlier demo there is replaced, anything else refused.
    #[arg(default_value = "ambit-demo")]
    dir: PathBuf,
    /// The sample study (default: ./data-samples, or the one shipped with the source).
    #[arg(long, value_name = "DIR")]
    samples: Option<PathBuf>,
    /// Replace an earlier demo even when someone worked in it since (codings, memos).
    #[arg(long)]
    force: bool,
    /// Output format.
    #[arg(long, default_value = "text", value_parser = TEXT_JSON)]
    format: OutputFormat,
}

fn default_samples() -> PathBuf {
    let here = Path::new("data-samples");
    if here.join("manifest.csv").is_file() {
        return here.to_path_buf();
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data-samples")
}

pub fn run(_ctx: &crate::Ctx, args: Args) -> Result<ExitCode> {
    let samples = args.samples.unwrap_or_else(default_samples);
    let bar = crate::args::progress_bar(32, "importing the sample study");
    let report = ambit_pipeline::demo(&samples, &args.dir, args.force, &mut |_| {
        if let Some(b) = &bar {
            b.inc(1);
        }
    })
    .with_context(|| format!("building the demo project in {}", args.dir.display()))?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let failed: Vec<String> = report
        .import
        .files
        .iter()
        .filter_map(|f| match &f.outcome {
            Outcome::Failed { error } => Some(error.to_string()),
            _ => None,
        })
        .collect();
    for m in &failed {
        eprintln!("error: {m}");
    }
    for f in &report.import.files {
        for w in &f.warnings {
            eprintln!("warning: {w}");
        }
    }
    let out = &mut crate::output::stdout();
    if args.format == OutputFormat::Json {
        write_json(out, &report)?;
    } else {
        writeln!(out, "Built the demo project in {}", report.dir.display())?;
        writeln!(
            out,
            "{} documents, {} passages, {} words from {}\n",
            report.documents,
            thousands(report.passages),
            thousands(report.words),
            samples.display()
        )?;
        writeln!(out, "Documents per phase and kind:")?;
        let mut headers = vec!["phase"];
        headers.extend(DocKind::ALL.iter().map(|k| k.as_str()));
        headers.extend(["documents", "passages", "words"]);
        let mut t = Table::new(&headers);
        for ((phase, kinds), row) in report.kinds.iter().zip(&report.phases) {
            let mut cells = vec![phase.clone()];
            cells.extend(kinds.iter().map(u64::to_string));
            cells.extend([
                row.documents.to_string(),
                row.passages.to_string(),
                row.words.to_string(),
            ]);
            t.push(cells);
        }
        t.write_text(out)?;
        writeln!(out, "\nSpeakers ({}), by turns:", report.speakers.len())?;
        let line: Vec<String> = report
            .speakers
            .iter()
            .map(|(s, n)| format!("{s} ({n})"))
            .collect();
        writeln!(out, "  {}", line.join(", "))?;
        let coded: u64 = report.autocode.codes.iter().map(|c| c.coded).sum();
        writeln!(
            out,
            "\nAuto-coded with the bundled {:?} codebook: {coded} codings.",
            ambit_pipeline::DEMO_TEMPLATE,
        )?;
        writeln!(out)?;
        ambit_tables::write::write_tables(
            out,
            std::slice::from_ref(&report.table),
            ambit_tables::write::Format::Text,
            false,
        )?;
        let files: Vec<String> = report
            .outputs
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        writeln!(
            out,
            "\nWrote for your paper (in {}): {}",
            report.dir.display(),
            files.join(", ")
        )?;
        writeln!(
            out,
            "\nExplore it: cd {} && ambit phases; ambit docs; ambit show D1; ambit codings --code kb.semantic; ambit query \"kb AND coord.objects\" --by phase; ambit table freq --totals; ambit chart timeline -o timeline.svg",
            report.dir.display()
        )?;
        if let Some(hint) = install_hint() {
            writeln!(out, "{hint}")?;
        }
    }
    Ok(if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// When `ambit` is not on the PATH (right after `cargo run --release -- demo`), how to get
/// it there, or the path to use instead.
fn install_hint() -> Option<String> {
    let exe = std::env::current_exe().ok()?;
    let on_path = std::env::var_os("PATH").is_some_and(|paths| {
        std::env::split_paths(&paths).any(|dir| {
            let candidate = dir.join(exe.file_name().unwrap_or_default());
            candidate.is_file()
                && std::fs::canonicalize(&candidate).ok() == std::fs::canonicalize(&exe).ok()
        })
    });
    (!on_path).then(|| {
        format!(
            "(`ambit` is not on your PATH yet: run `cargo install --path .` in the Ambit source folder, or call it as {})",
            exe.display()
        )
    })
}
