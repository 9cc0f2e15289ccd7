//! The error type of starting and running the server (request errors are HTTP responses,
//! see `fail`).

use std::net::{IpAddr, SocketAddr};

/// What can stop `ambit serve`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The project could not be opened.
    #[error(transparent)]
    Store(#[from] ambit_store::Error),
    /// A non-loopback address without `--allow-remote`.
    #[error(
        "refusing to serve on {0}, which other machines can reach: anyone who gets the link could read and change the project; serve on 127.0.0.1 (the default), or pass --allow-remote if you really mean it"
    )]
    RemoteRefused(IpAddr),
    /// The address could not be bound (port in use, no permission).
    #[error("cannot listen on {addr}: {source}; choose another --port, or leave it out to get a free one")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
    /// The operating system's random source failed, so no session token could be made.
    #[error("cannot make a session token: the operating system's random source failed ({0})")]
    Random(String),
    /// The async runtime or the server failed.
    #[error("the web server failed: {0}")]
    Runtime(std::io::Error),
}

/// The result type of the server.
pub type Result<T, E = Error> = std::result::Result<T, E>;
