//! `ambit code` and `ambit uncode`: manual coding.

use std::io::Write;
use std::process::ExitCode;

use ambit_pipeline::coding::{self, ManualCoding, Selection, Target};
use anyhow::{bail, Result};

/// Code a passage (D7:12) or a document (D7) by hand, whole or in part.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A passage (D7:12) or a document (D7).
    target: String,
    /// The code id.
    #[arg(long)]
    code: String,
    /// Code exactly these words (must occur once in the target).
    #[arg(long, conflicts_with = "span")]
    quote: Option<String>,
    /// Code a character range START..END, counted from the target's start.
    #[arg(long, value_name = "START..END")]
    span: Option<String>,
    /// Coder (default: `coder` in ambit.toml).
    #[arg(long)]
    coder: Option<String>,
    /// A memo on the coding.
    #[arg(long)]
    memo: Option<String>,
}

fn parse_span(s: &str) -> Result<(usize, usize)> {
    let Some((a, b)) = s.split_once("..") else {
        bail!("--span must look like 10..42, got {s:?}")
    };
    let parse = |x: &str| {
        x.trim()
            .parse::<usize>()
            .map_err(|_| anyhow::anyhow!("--span must look like 10..42, got {s:?}"))
    };
    Ok((parse(a)?, parse(b)?))
}

pub fn run(ctx: &crate::Ctx, args: Args) -> Result<ExitCode> {
    let mut project = ctx.open_project()?;
    let selection = match (&args.quote, &args.span) {
        (Some(q), _) => Selection::Quote(q.clone()),
        (None, Some(s)) => {
            let (a, b) = parse_span(s)?;
            Selection::Span(a, b)
        }
        (None, None) => Selection::All,
    };
    let req = ManualCoding {
        target: Target::parse(&args.target)?,
        selection,
        code: args.code.clone(),
        coder: args.coder.unwrap_or_else(|| project.config.coder.clone()),
        memo: args.memo,
    };
    let c = coding::code_manually(&mut project, &req)?;
    let out = &mut crate::output::stdout();
    if c.added {
        writeln!(
            out,
            "coding {}: {} on {} {}..{}",
            c.id, args.code, c.doc, c.start, c.end
        )?;
    } else {
        writeln!(
            out,
            "unchanged: coding {} already codes {} {}..{} with {} by {}",
            c.id, c.doc, c.start, c.end, args.code, req.coder
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
