//! `ambit completions`: the shell completion script for bash, zsh, fish, PowerShell or elvish.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap_complete::Shell;

/// Prints a completion script for your shell; load it from your shell's startup file.
///
/// bash: `ambit completions bash > ~/.local/share/bash-completion/completions/ambit`;
/// zsh: `ambit completions zsh > ~/.zfunc/_ambit` (with `fpath+=~/.zfunc` before
/// `compinit`); fish: `ambit completions fish > ~/.config/fish/completions/ambit.fish`;
/// PowerShell: `ambit completions powershell | Out-String | Invoke-Expression` in `$PROFILE`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shell: bash, zsh, fish, powershell or elvish.
    #[arg(value_name = "SHELL")]
    shell: Shell,
}

pub fn run(args: Args, mut cli: clap::Command) -> Result<ExitCode> {
    // The generators panic on a failed write, so the script is made in memory and written
    // here, where a closed pipe (`| head`) is noticed like any other command's output.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cli, "ambit", &mut script);
    let mut out = crate::output::stdout();
    out.write_all(&script)
        .and_then(|()| out.flush())
        .context("writing the completion script")?;
    Ok(ExitCode::SUCCESS)
}
