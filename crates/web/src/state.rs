//! The app's shared state (project folder, session token) and the router.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ambit_pipeline::pseudonymise::Pseudonymiser;
use ambit_store::Project;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post, put};
use axum::Router;

use crate::fail::Fail;

/// Largest request body: a coding or a codebook form is a few hundred bytes.
pub const BODY_LIMIT: usize = 1 << 20;

/// What every handler gets: where the project is and the session's token.
#[derive(Clone)]
pub struct App(Arc<Inner>);

struct Inner {
    root: PathBuf,
    token: String,
    cookie: String,
    /// Codebook edits read, change and rewrite `codebook.toml`; two tabs editing at once
    /// must not overwrite each other's change.
    codebook: tokio::sync::Mutex<()>,
    /// The key the app's CSV exports are pseudonymised with (`ambit serve --pseudonymise`).
    pseudonyms: Option<Pseudonymiser>,
    /// A connection to an SQLite store held open while the app runs, never used: when the
    /// last connection to an SQLite store closes, SQLite checkpoints the write-ahead log
    /// into the store and syncs it, which was 10 of the 16 ms of every coding request. With
    /// this one open, a request's own connection closes without that; SQLite still
    /// checkpoints as the log grows. Opened by the first request, on the blocking pool (a
    /// server store's client must not be made on the async runtime); `None` inside for a
    /// server store, which has no such cost.
    keeper: std::sync::OnceLock<Option<std::sync::Mutex<Project>>>,
}

impl App {
    /// The app for the project in `root`, accepting `token`. `port` only names the session
    /// cookie: cookies do not tell ports apart, and two projects served at once on one
    /// machine must not take each other's token.
    pub fn new(root: &Path, token: String, port: u16) -> App {
        App(Arc::new(Inner {
            root: root.to_path_buf(),
            token,
            cookie: format!("ambit_token_{port}"),
            codebook: tokio::sync::Mutex::new(()),
            pseudonyms: None,
            keeper: std::sync::OnceLock::new(),
        }))
    }

    /// The same app with its CSV exports pseudonymised with `names` (pages still show
    /// the project as it is: the team works on the real texts). Call it before serving.
    pub fn with_pseudonyms(self, names: Pseudonymiser) -> App {
        let i = &self.0;
        App(Arc::new(Inner {
            root: i.root.clone(),
            token: i.token.clone(),
            cookie: i.cookie.clone(),
            codebook: tokio::sync::Mutex::new(()),
            pseudonyms: Some(names),
            keeper: std::sync::OnceLock::new(),
        }))
    }

    /// The key exports are pseudonymised with, if any.
    pub(crate) fn pseudonyms(&self) -> Option<&Pseudonymiser> {
        self.0.pseudonyms.as_ref()
    }

    pub(crate) fn token(&self) -> &str {
        &self.0.token
    }

    pub(crate) fn cookie_name(&self) -> &str {
        &self.0.cookie
    }

    /// Runs `f` on a freshly opened project on the blocking pool. Each request opens its
    /// own connection, so `ambit.toml` and codebook edits made by the CLI are seen at once.
    pub(crate) async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Project) -> Result<T, Fail> + Send + 'static,
    ) -> Result<T, Fail> {
        let app = self.clone();
        blocking(move || {
            let project = app.open()?;
            f(&project)
        })
        .await
    }

    /// Runs a write on a freshly opened project; it has committed when this returns.
    pub(crate) async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Project) -> Result<T, Fail> + Send + 'static,
    ) -> Result<T, Fail> {
        let app = self.clone();
        blocking(move || {
            let mut project = app.open()?;
            f(&mut project)
        })
        .await
    }

    /// Opens the project for one request (on the blocking pool), and the first time also
    /// the idle connection that keeps an SQLite store's log from being checkpointed at
    /// every request's end.
    fn open(&self) -> Result<Project, Fail> {
        let project = Project::open(&self.0.root)?;
        self.0.keeper.get_or_init(|| {
            if project.store.is_server() {
                return None;
            }
            // When this fails the requests still work, only slower; each reports its own
            // errors.
            Project::open(&self.0.root).ok().map(std::sync::Mutex::new)
        });
        Ok(project)
    }

    /// Runs a codebook edit, one at a time.
    pub(crate) async fn edit_codebook<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Project) -> Result<T, Fail> + Send + 'static,
    ) -> Result<T, Fail> {
        let _one_at_a_time = self.0.codebook.lock().await;
        self.write(f).await
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, Fail> + Send + 'static,
) -> Result<T, Fail> {
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => r,
        // A bug, never a request's fault; the server goes on serving.
        Err(e) => Err(Fail::internal(format!(
            "internal error while answering this request ({e}); please report it"
        ))),
    }
}

pub(crate) fn router(app: App) -> Router {
    use crate::{api, assets, pages};
    Router::new()
        .route("/", get(pages::overview::page))
        .route("/documents", get(pages::documents::page))
        .route("/documents/{id}", get(pages::reader::page))
        .route("/codebook", get(pages::codebook::page))
        .route("/codebook/codes", post(pages::codebook::create))
        .route("/codebook/codes/{id}", post(pages::codebook::update))
        .route("/codebook/codes/{id}/delete", post(pages::codebook::delete))
        .route("/codes/{id}", get(pages::codes::page))
        .route("/search", get(pages::search::page))
        .route("/tables", get(pages::tables::page))
        .route("/agreement", get(pages::agreement::page))
        .route("/memos", get(pages::memos::page).post(pages::memos::add))
        .route("/coder", post(pages::set_coder))
        .route("/codes.css", get(assets::code_colours))
        .route("/assets/{name}", get(assets::asset))
        .route("/api/documents", get(api::documents))
        .route("/api/documents/{id}", get(api::document))
        .route("/api/codebook", get(api::codebook))
        .route("/api/codings", get(api::codings).post(api::add_coding))
        .route(
            "/api/codings/{id}",
            axum::routing::delete(api::remove_coding),
        )
        .route("/api/codings/{id}/memo", put(api::set_memo))
        .route("/api/search", get(api::search))
        .route("/api/tables/freq", get(api::freq))
        .fallback(pages::not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            crate::auth::guard,
        ))
        .layer(axum::middleware::map_response(crate::auth::headers))
        .with_state(app)
}
