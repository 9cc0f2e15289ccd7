//! `ambit man`: the manual pages, generated from the same definitions as `--help`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};

/// Prints the manual page ambit(1), or writes it and one page per subcommand to a folder.
///
/// `ambit man | man -l -` reads it at once; `ambit man --out ~/.local/share/man/man1`
/// installs ambit.1, ambit-table.1, ambit-chart-timeline.1, … for `man ambit-table`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Write ambit.1 and a page for every subcommand into DIR (created if missing) instead
    /// of printing ambit.1.
    #[arg(long = "out", value_name = "DIR")]
    out: Option<PathBuf>,
}

pub fn run(args: Args, cli: clap::Command) -> Result<ExitCode> {
    // Built once, as clap_mangen's own `generate_to` does, so each subcommand knows its
    // full name (`ambit-chart-timeline`) and `help` does not get a page of its own.
    let mut cli = cli.disable_help_subcommand(true);
    cli.build();
    match args.out {
        None => {
            let mut page = Vec::new();
            page_of(cli)
                .render(&mut page)
                .context("rendering the manual page")?;
            let mut out = crate::output::stdout();
            out.write_all(&page)
                .and_then(|()| out.flush())
                .context("writing the manual page")?;
        }
        Some(dir) => {
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("creating the folder {}", dir.display()))?;
            let mut written = Vec::new();
            write_pages(&cli, &dir, &mut written)?;
            eprintln!("wrote {} manual pages to {}", written.len(), dir.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes the page of `cmd` and, before it, those of its visible subcommands.
fn write_pages(cmd: &clap::Command, dir: &Path, written: &mut Vec<PathBuf>) -> Result<()> {
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        write_pages(sub, dir, written)?;
    }
    let path = page_of(cmd.clone())
        .generate_to(dir)
        .with_context(|| format!("writing a manual page into {}", dir.display()))?;
    written.push(path);
    Ok(())
}

/// A page whose footer names the program and its version, also for a subcommand (whose
/// own name alone, "timeline 0.1.0", would say little).
fn page_of(cmd: clap::Command) -> clap_mangen::Man {
    clap_mangen::Man::new(cmd).source(format!("ambit {}", env!("CARGO_PKG_VERSION")))
}
