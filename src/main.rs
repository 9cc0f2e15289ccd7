//! `ambit`: qualitative research data analysis from the command line.
//!
//! This binary is glue: each subcommand in `cmd/` turns flags into calls to the library
//! crates and prints the result.
//!
//! Exit codes: 0 success; 1 an error, or a batch in which some file failed; 2 bad usage
//! (unknown flag, missing argument).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use clap::{CommandFactory, Parser, Subcommand};

// mimalloc instead of the system allocator: short commands spent a third of their time in
// page faults of freshly mapped memory (see ARCHITECTURE.md, Choices).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod args;
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
    Qdpx(cmd::qdpx::Args),
    Code(cmd::code::Args),
    Uncode(cmd::uncode::Args),
    Autocode(cmd::autocode::Args),
    Memo(cmd::memo::Args),
    Codings(cmd::codings::Args),
    Query(cmd::query::Args),
    Index(cmd::index::Args),
    Search(cmd::search::Args),
    Serve(cmd::serve::Args),
    Kwic(cmd::kwic::Args),
    Table(cmd::table::Args),
    Chart(cmd::chart::Args),
    Agreement(cmd::agreement::Args),
    Stats(cmd::stats::Args),
    Store(cmd::store::Args),
    Merge(cmd::merge::Args),
    Rm(cmd::rm::Args),
    Restore(cmd::restore::Args),
    Attr(cmd::attr::Args),
    Edit(cmd::edit::Args),
    Pseudonyms(cmd::pseudonyms::Args),
    Completions(cmd::completions::Args),
    Man(cmd::man::Args),
}

/// What every command gets besides its own flags.
pub struct Ctx {
    project: Option<PathBuf>,
    /// The store of the opened project, when it could only be opened for reading; `main`
    /// says so once at the end.
    read_only: std::cell::OnceCell<PathBuf>,
}

impl Ctx {
    /// Opens the project given by `--project`, or the one around the current folder.
    pub fn open_project(&self) -> Result<ambit_store::Project> {
        let project = match &self.project {
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
        };
        if project.store.is_read_only() {
            let _ = self.read_only.set(project.store.path().to_path_buf());
        }
        Ok(project)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let ctx = Ctx {
        project: cli.project,
        read_only: std::cell::OnceCell::new(),
    };
    let result = match cli.command {
        Command::Init(a) => cmd::init::run(&ctx, a),
        Command::Add(a) => cmd::add::run(&ctx, a),
        Command::Docs(a) => cmd::docs::run(&ctx, a),
        Command::Show(a) => cmd::show::run(&ctx, a),
        Command::Phases(a) => cmd::phases::run(&ctx, a),
        Command::Demo(a) => cmd::demo::run(&ctx, a),
        Command::Codebook(a) => cmd::codebook::run(&ctx, a),
        Command::Qdpx(a) => cmd::qdpx::run(&ctx, a),
        Command::Code(a) => cmd::code::run(&ctx, a),
        Command::Uncode(a) => cmd::uncode::run(&ctx, a),
        Command::Autocode(a) => cmd::autocode::run(&ctx, a),
        Command::Memo(a) => cmd::memo::run(&ctx, a),
        Command::Codings(a) => cmd::codings::run(&ctx, a),
        Command::Query(a) => cmd::query::run(&ctx, a),
        Command::Index(a) => cmd::index::run(&ctx, a),
        Command::Search(a) => cmd::search::run(&ctx, a),
        Command::Serve(a) => cmd::serve::run(&ctx, a),
        Command::Kwic(a) => cmd::kwic::run(&ctx, a),
        Command::Table(a) => cmd::table::run(&ctx, a),
        Command::Chart(a) => cmd::chart::run(&ctx, a),
        Command::Agreement(a) => cmd::agreement::run(&ctx, a),
        Command::Stats(a) => cmd::stats::run(a).map(|()| ExitCode::SUCCESS),
        Command::Store(a) => cmd::store::run(&ctx, a),
        Command::Merge(a) => cmd::merge::run(&ctx, a),
        Command::Rm(a) => cmd::rm::run(&ctx, a),
        Command::Restore(a) => cmd::restore::run(&ctx, a),
        Command::Attr(a) => cmd::attr::run(&ctx, a),
        Command::Edit(a) => cmd::edit::run(&ctx, a),
        Command::Pseudonyms(a) => cmd::pseudonyms::run(&ctx, a),
        Command::Completions(a) => cmd::completions::run(a, Cli::command()),
        Command::Man(a) => cmd::man::run(a, Cli::command()),
    };
    let mut said = String::new();
    let code = match result {
        Ok(code) => code,
        Err(err) => {
            // However deep in a CSV or JSON writer the write failed, a reader that went
            // away (`| head`) is not an error.
            if output::broken_pipe() {
                return ExitCode::SUCCESS;
            }
            said = error_text(&err);
            eprintln!("error: {said}");
            ExitCode::FAILURE
        }
    };
    // Once: a write refused on a read-only store has said so in its error already.
    if let Some(path) = ctx.read_only.get() {
        if !said.contains(&format!("{} is read-only", path.display())) {
            eprintln!(
                "note: the project store {} cannot be written, so it was opened for reading only; commands that change the project will refuse",
                path.display()
            );
        }
    }
    code
}

/// The error and its causes on one line, each cause only if its text does not already
/// appear: library errors often include their source's message, and SQLite's repeats it
/// again ("database is locked: database is locked: Error code 5: …").
fn error_text(err: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in err.chain() {
        let part = cause.to_string();
        if part.is_empty() || text.contains(&part) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&part);
    }
    text
}
