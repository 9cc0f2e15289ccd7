//! `ambit autocode`: run the codebook's rules over every passage.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use ambit_pipeline::coding;
use anyhow::Result;

use crate::args::{OutputFormat, TEXT_JSON};
use crate::output::{write_json, Table};

/// Auto-code all passages with the codebook's rules, in one pass.
///
/// Re-running replaces this coder's earlier rule codings in one transaction; manual
/// codings are never touched.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Use this codebook file instead of the project's.
    #[arg(long, value_name = "FILE")]
    codebook: Option<PathBuf>,
    /// Only these codes (and their children); repeatable.
    #[arg(long = "code", value_name = "ID")]
    codes: Vec<String>,
    /// Coder recorded on the codings (default: `coder` in ambit.toml).
    #[arg(long)]
    coder: Option<String>,
    /// Show what would be added and removed per code, without writing.
    #[arg(long)]
    dry_run: bool,
    /// Output format.
    #[arg(long, default_value = "text", value_parser = TEXT_JSON)]
    format: OutputFormat,
}

pub fn run(ctx: &crate::Ctx, args: Args) -> Result<ExitCode> {
    let mut project = ctx.open_project()?;
    let cb = match &args.codebook {
        Some(f) => coding::read_codebook(f)?,
        None => coding::load_codebook(&project)?,
    };
    let coder = args.coder.unwrap_or_else(|| project.config.coder.clone());
    let codes = (!args.codes.is_empty()).then_some(args.codes.as_slice());
    let spinner = crate::args::interactive().then(|| {
        let s = indicatif::ProgressBar::new_spinner();
        s.set_message("auto-coding");
        s.enable_steady_tick(std::time::Duration::from_millis(120));
        s
    });
    let report = coding::autocode(&mut project, &cb, codes, &coder, args.dry_run)?;
    if let Some(s) = spinner {
        s.finish_and_clear();
    }
    let out = &mut crate::output::stdout();
    if args.format == OutputFormat::Json {
        write_json(out, &report)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut t = Table::new(&["code", "passages", "added", "removed"]);
    for r in &report.codes {
        t.push(vec![
            r.code.clone(),
            r.coded.to_string(),
            r.added.to_string(),
            r.removed.to_string(),
        ]);
    }
    t.write_text(out)?;
    let (a, r): (u64, u64) = report
        .codes
        .iter()
        .fold((0, 0), |(a, r), x| (a + x.added, r + x.removed));
    let verb = if args.dry_run { "would add" } else { "added" };
    let verb2 = if args.dry_run { "remove" } else { "removed" };
    writeln!(
        out,
        "{} passages; {verb} {a}, {verb2} {r} coding(s) for coder {coder:?}",
        report.passages
    )?;
    Ok(ExitCode::SUCCESS)
}
