//! Ambit's local web app (`ambit serve`): read documents, code them with the mouse, keep the
//! codebook, and see the study along its timeline, in the browser, on the project's store.
//!
//! The server is axum on tokio, bound to loopback by default. Pages are rendered on the
//! server (maud) and use a little hand-written JavaScript (selection → character offsets,
//! the code picker, margin stripes); every asset is compiled into the binary. Handlers are
//! thin: they parse the request, open the project, call the same pipeline functions the CLI
//! calls, and render. Each request opens the project inside `spawn_blocking`, so the CLI and
//! the app share one store with the same transactions, and a write is committed before its
//! response is sent.
//!
//! Every request needs the session token (see [`auth`](mod@auth) for the rules), so a
//! router built for tests is used like this:
//!
//! ```
//! use ambit_web::App;
//! use axum::body::Body;
//! use axum::http::{Request, StatusCode};
//! use tower::ServiceExt;
//!
//! let dir = tempfile::tempdir()?;
//! ambit_store::Project::init(dir.path(), "Study")?;
//! let app = App::new(dir.path(), "secret-token".into(), 0);
//! let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
//! let status = rt.block_on(async {
//!     let res = ambit_web::router(app)
//!         .oneshot(Request::get("/api/documents").body(Body::empty()).unwrap())
//!         .await
//!         .unwrap();
//!     res.status()
//! });
//! assert_eq!(status, StatusCode::UNAUTHORIZED);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

mod api;
mod assets;
pub mod auth;
mod error;
mod fail;
mod pages;
mod params;
mod render;
mod segments;
mod state;

pub use crate::error::{Error, Result};
pub use crate::state::App;

/// How to serve a project.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The project folder (with `ambit.toml`).
    pub root: PathBuf,
    /// The address to listen on; loopback unless `allow_remote`.
    pub host: IpAddr,
    /// The port; 0 picks a free one.
    pub port: u16,
    /// Allow a non-loopback `host`.
    pub allow_remote: bool,
    /// Pseudonymise the app's CSV exports with this key.
    pub pseudonyms: Option<ambit_pipeline::pseudonymise::Pseudonymiser>,
}

/// A server that is listening, as [`serve`] reports it before it starts answering.
#[derive(Debug, Clone)]
pub struct Serving {
    /// The project's name (`ambit.toml`).
    pub project: String,
    /// Where it listens.
    pub addr: SocketAddr,
    /// The link to open: the address with the session token.
    pub url: String,
}

/// The router of the app: every page, the JSON API and the assets, behind the token check
/// and with the security headers on every response.
pub fn router(app: App) -> axum::Router {
    state::router(app)
}

/// Serves the project until Ctrl-C. `ready` is called once the port is bound, with the link
/// to open, before the first request is answered. A non-loopback host is refused unless
/// `allow_remote`.
pub fn serve(options: ServeOptions, ready: impl FnOnce(&Serving)) -> Result<()> {
    if !options.host.is_loopback() && !options.allow_remote {
        return Err(Error::RemoteRefused(options.host));
    }
    // Opened once up front, so a folder that is not a project fails here with the store's
    // own message rather than on the first request.
    let project = ambit_store::Project::open(&options.root)?;
    let name = project.config.name.clone();
    drop(project);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(Error::Runtime)?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind((options.host, options.port))
            .await
            .map_err(|source| Error::Bind {
                addr: SocketAddr::new(options.host, options.port),
                source,
            })?;
        let addr = listener.local_addr().map_err(Error::Runtime)?;
        let token = auth::new_token()?;
        let url = format!("http://{}/?token={token}", url_host(addr));
        let mut app = App::new(&options.root, token, addr.port());
        if let Some(names) = options.pseudonyms {
            app = app.with_pseudonyms(names);
        }
        ready(&Serving {
            project: name,
            addr,
            url,
        });
        axum::serve(listener, router(app))
            .with_graceful_shutdown(async {
                // Without a signal handler there is no clean shutdown to wait for; the
                // process then ends on the signal's default action.
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(Error::Runtime)
    })
}

/// `127.0.0.1:8080`, or `[::1]:8080` for IPv6.
fn url_host(addr: SocketAddr) -> String {
    match addr {
        SocketAddr::V4(a) => a.to_string(),
        SocketAddr::V6(a) => format!("[{}]:{}", a.ip(), a.port()),
    }
}

/// Opens `url` in the desktop's browser, when there is a desktop. Returns whether a browser
/// launcher was started.
pub fn open_browser(url: &str) -> bool {
    use std::process::{Command, Stdio};
    let mut cmd = if cfg!(target_os = "macos") {
        let mut c = Command::new("open");
        c.arg(url);
        c
    } else if cfg!(windows) {
        // `start` treats its first quoted argument as a window title.
        let mut c = Command::new("cmd");
        c.args(["/C", "start", "", url]);
        c
    } else {
        let desktop =
            std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some();
        if !desktop {
            return false;
        }
        let mut c = Command::new("xdg-open");
        c.arg(url);
        c
    };
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .is_ok()
}
