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
    #[arg(long, required_unless_present = "reattach")]
    code: Option<String>,
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
    /// Give this existing coding (see `ambit codings --needs-review`) the target's text
    /// instead of making a new one: a detached coding is attached again, one that needs
    /// review is confirmed. Its code, coder and memo stay.
    #[arg(long, value_name = "ID", conflicts_with_all = ["code", "coder", "memo"])]
    reattach: Option<i64>,
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
    let target = Target::parse(&args.target)?;
    if let Some(id) = args.reattach {
        let c = ambit_pipeline::reanchor::reattach(&mut project, id, target, &selection)?;
        writeln!(
            crate::output::stdout(),
            "coding {}: {} on {} {}..{} by {} (re-attached)",
            c.id,
            c.code,
            c.doc,
            c.start,
            c.end,
            c.coder
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    let code = args.code.clone().unwrap_or_default();
    let req = ManualCoding {
        target,
        selection,
        code: code.clone(),
        coder: args.coder.unwrap_or_else(|| project.config.coder.clone()),
        memo: args.memo,
    };
    let c = coding::code_manually(&mut project, &req)?;
    let out = &mut crate::output::stdout();
    if c.added {
        writeln!(
            out,
            "coding {}: {} on {} {}..{}",
            c.id, code, c.doc, c.start, c.end
        )?;
    } else {
        writeln!(
            out,
            "unchanged: coding {} already codes {} {}..{} with {} by {}",
            c.id, c.doc, c.start, c.end, code, req.coder
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
