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
pub mod query;
pub mod search;
pub mod serve;
pub mod show;
pub mod stats;
pub mod table;
pub mod uncode;
