//! One module per subcommand: its flags (the doc comments are the help text) and `run`.

pub mod add;
pub mod agreement;
pub mod autocode;
pub mod chart;
pub mod code;
pub mod codebook;
pub mod codings;
pub mod demo;
pub mod docs;
pub mod index;
pub mod init;
pub mod kwic;
pub mod memo;
pub mod phases;
pub mod search;
pub mod show;
pub mod stats;
pub mod table;

/// A progress bar on standard error when it is a terminal, none otherwise.
pub fn progress_bar(len: u64, what: &str) -> Option<indicatif::ProgressBar> {
    if !crate::interactive() || len < 2 {
        return None;
    }
    let bar = indicatif::ProgressBar::new(len);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{msg} {bar:40} {pos}/{len} {elapsed}")
    {
        bar.set_style(style);
    }
    bar.set_message(what.to_string());
    Some(bar)
}
