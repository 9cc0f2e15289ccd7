//! `ambit pseudonyms suggest`: candidate names for a pseudonym key.

use std::io::Write;
use std::process::ExitCode;

use ambit_pipeline::pseudonymise::suggest;
use anyhow::Result;

use crate::args::{OutputFormat, TEXT_JSON_CSV};
use crate::output::{write_json, write_listing, Table};

/// Pseudonym keys: the file (`pseudonyms.csv`, `name,pseudonym`) that `--pseudonymise`
/// reads on every export. Keep it outside what is shared.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, clap::Subcommand)]
enum Action {
    /// List candidate names for the key: speaker labels, and capitalised words that look
    /// like person names in several documents (texts, titles, attribute values). With
    /// `--format csv` the list is a key to start from, pseudonyms filled in (`P01`, …;
    /// a first name of one listed person shares that person's pseudonym): review it,
    /// remove what is not a name, add what is missing (e.g. inflected forms), and pass
    /// it to `--pseudonymise`.
    Suggest(SuggestArgs),
}

#[derive(Debug, clap::Args)]
struct SuggestArgs {
    /// Output format.
    #[arg(long, default_value = "text", value_parser = TEXT_JSON_CSV)]
    format: OutputFormat,
}

pub fn run(ctx: &crate::Ctx, args: Args) -> Result<ExitCode> {
    let Action::Suggest(a) = args.action;
    let project = ctx.open_project()?;
    let lines = suggest(&project)?;
    let out = &mut crate::output::stdout();
    if a.format == OutputFormat::Json {
        write_json(out, &lines)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut table = Table::new(&["name", "pseudonym", "documents", "occurrences", "speaker"]);
    for l in &lines {
        let speaker = match (a.format, l.speaker) {
            (OutputFormat::Csv, s) => s.to_string(),
            (_, true) => "yes".to_string(),
            (_, false) => String::new(),
        };
        table.push(vec![
            l.name.clone(),
            l.pseudonym.clone(),
            l.documents.to_string(),
            l.occurrences.to_string(),
            speaker,
        ]);
    }
    write_listing(out, a.format, &table, &lines)?;
    if a.format == OutputFormat::Text {
        out.flush()?;
        eprintln!(
            "{} candidate(s). Start a key with `ambit pseudonyms suggest --format csv > pseudonyms.csv`, review it (remove what is not a name, add spellings it missed), keep it out of what you share, and export with --pseudonymise pseudonyms.csv",
            lines.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}
