//! `ambit index`: build or refresh the full-text search index.

use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

use ambit_pipeline::search;
use anyhow::Result;

/// Build the full-text search index in .ambit/index, or check that it is current.
///
/// Searching keeps the index current by itself (a changed project is re-indexed before
/// the search runs); this command does it ahead of time, or from scratch with --rebuild.
/// Stemming follows `language` in ambit.toml (English by default).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Rebuild from scratch even when the index is current.
    #[arg(long)]
    rebuild: bool,
}

/// A progress callback that shows a bar on a terminal, created once the total is known.
pub fn progress() -> impl FnMut(u64, u64) {
    let mut bar: Option<Option<indicatif::ProgressBar>> = None;
    move |done, total| {
        let b = bar.get_or_insert_with(|| crate::args::progress_bar(total, "indexing"));
        if let Some(b) = b {
            b.set_position(done);
            if done >= total {
                b.finish_and_clear();
            }
        }
    }
}

/// Tells the researcher on standard error that the index was rebuilt first, and why.
pub fn note_rebuild(rebuilt: Option<&search::Rebuilt>) {
    if let Some(r) = rebuilt {
        eprintln!("indexed {} passages first: {}", r.passages, r.reason);
    }
}

pub fn run(ctx: &crate::Ctx, args: Args) -> Result<ExitCode> {
    let project = ctx.open_project()?;
    let started = Instant::now();
    let ready = search::ensure_index(&project, args.rebuild, &mut progress())?;
    let out = &mut crate::output::stdout();
    let stemming = ready.index.stemming().name();
    match ready.rebuilt {
        Some(r) => {
            let secs = started.elapsed().as_secs_f64();
            let mb = r.bytes as f64 / 1e6;
            writeln!(
                out,
                "indexed {} passages ({mb:.1} MB of text) in {secs:.1} s; stemming: {stemming} ({})",
                r.passages, r.reason
            )?;
        }
        None => writeln!(
            out,
            "the index is up to date: {} passages; stemming: {stemming}",
            ready.index.len()
        )?,
    }
    Ok(ExitCode::SUCCESS)
}
