//! `ambit serve`: the local web app on this project.

use std::net::IpAddr;
use std::process::ExitCode;

use anyhow::Result;

/// Open the project in the browser: read and code documents with the mouse, keep the
/// codebook, search, and see codes across the timeline.
///
/// Serves on this machine only (127.0.0.1) and prints a link with a fresh session token;
/// every request needs that token. The CLI can be used on the same project at the same
/// time. Ctrl-C stops the server. With --pseudonymise, the app's CSV exports are
/// pseudonymised; its pages show the project as it is.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Port to listen on (default: a free one).
    #[arg(long, value_name = "N")]
    port: Option<u16>,
    /// Address to listen on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    host: IpAddr,
    /// Allow an address other machines can reach (with --host); anyone with the link can
    /// then read and change the project.
    #[arg(long)]
    allow_remote: bool,
    /// Do not open a browser.
    #[arg(long)]
    no_open: bool,
    #[command(flatten)]
    pseudonyms: crate::args::PseudonymArgs,
}

pub fn run(ctx: &crate::Ctx, args: Args) -> Result<ExitCode> {
    let pseudonyms = args.pseudonyms.load()?;
    let root = ctx.open_project()?.root;
    let root = std::path::absolute(&root).unwrap_or(root);
    let options = ambit_web::ServeOptions {
        root,
        host: args.host,
        port: args.port.unwrap_or(0),
        allow_remote: args.allow_remote,
        pseudonyms,
    };
    let remote = !args.host.is_loopback();
    ambit_web::serve(options, |s| {
        if remote {
            eprintln!(
                "WARNING: serving on {}, which other machines can reach: anyone with the link below can read and change this project",
                s.addr
            );
        }
        println!("Ambit is serving {} at {}", s.project, s.url);
        if !args.no_open && !ambit_web::open_browser(&s.url) {
            eprintln!("(open the link in your browser; press Ctrl-C to stop)");
        }
    })?;
    Ok(ExitCode::SUCCESS)
}
