//! `ambit`: qualitative research data analysis from the command line.
//!
//! This binary is glue: each subcommand in `cmd/` turns flags into calls to the library
//! crates and prints the result.
//!
//! Exit codes: 0 success; 1 an error, or a batch in which some file failed; 2 bad usage
//! (unknown flag, missing argument).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};

mod cmd;
mod output;

/// Ambit: ingest qualitative material, code it, and count themes across a study timeline.
#[derive(Debug, Parser)]
#[command(name = "ambit", version, about, propagate_version = true)]
struct Cli {
    /// The project folder (default: the nearest folder with ambit.toml, from the current one up).
    #[arg(long, global = true, value_name = "DIR")]
    project: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Init(cmd::init::Args),
    Add(cmd::add::Args),
    Docs(cmd::docs::Args),
    Show(cmd::show::Args),
    Phases(cmd::phases::Args),
    Demo(cmd::demo::Args),
    Codebook(cmd::codebook::Args),
    Code(cmd::code::Args),
    Uncode(cmd::code::UncodeArgs),
    Autocode(cmd::autocode::Args),
    Memo(cmd::memo::Args),
    Codings(cmd::codings::Args),
    Query(cmd::codings::QueryArgs),
    Index(cmd::index::Args),
    Search(cmd::search::Args),
    Kwic(cmd::kwic::Args),
    Table(cmd::table::Args),
    Chart(cmd::chart::Args),
    Agreement(cmd::agreement::Args),
    Stats(cmd::stats::Args),
}

/// What every command gets besides its own flags.
pub struct Ctx {
    project: Option<PathBuf>,
}

impl Ctx {
    /// Opens the project given by `--project`, or the one around the current folder.
    pub fn open_project(&self) -> Result<ambit_store::Project> {
        Ok(match &self.project {
            Some(dir) => {
                if !dir.join(ambit_store::CONFIG_FILE).is_file() {
                    anyhow::bail!(
                        "{} is not an Ambit project (no ambit.toml); create one with `ambit init {}`",
                        dir.display(),
                        dir.display()
                    );
                }
                ambit_store::Project::open(dir)?
            }
            None => ambit_store::Project::discover(Path::new("."))?,
        })
    }
}

/// Whether progress bars and colour make sense: standard error is a terminal.
pub fn interactive() -> bool {
    std::io::stderr().is_terminal()
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let ctx = Ctx {
        project: cli.project,
    };
    let result = match cli.command {
        Command::Init(a) => cmd::init::run(&ctx, a),
        Command::Add(a) => cmd::add::run(&ctx, a),
        Command::Docs(a) => cmd::docs::run(&ctx, a),
        Command::Show(a) => cmd::show::run(&ctx, a),
        Command::Phases(a) => cmd::phases::run(&ctx, a),
        Command::Demo(a) => cmd::demo::run(&ctx, a),
        Command::Codebook(a) => cmd::codebook::run(&ctx, a),
        Command::Code(a) => cmd::code::run(&ctx, a),
        Command::Uncode(a) => cmd::code::run_uncode(&ctx, a),
        Command::Autocode(a) => cmd::autocode::run(&ctx, a),
        Command::Memo(a) => cmd::memo::run(&ctx, a),
        Command::Codings(a) => cmd::codings::run(&ctx, a),
        Command::Query(a) => cmd::codings::run_query(&ctx, a),
        Command::Index(a) => cmd::index::run(&ctx, a),
        Command::Search(a) => cmd::search::run(&ctx, a),
        Command::Kwic(a) => cmd::kwic::run(&ctx, a),
        Command::Table(a) => cmd::table::run(&ctx, a),
        Command::Chart(a) => cmd::chart::run(&ctx, a),
        Command::Agreement(a) => cmd::agreement::run(&ctx, a),
        Command::Stats(a) => cmd::stats::run(a).map(|()| ExitCode::SUCCESS),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            let broken_pipe = err.chain().any(|e| {
                e.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            });
            if broken_pipe {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
