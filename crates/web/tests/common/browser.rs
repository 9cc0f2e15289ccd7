//! Headless Chromium through chromedriver (WebDriver), and the app on a real port, for the
//! browser tests and the screenshots. Without Chromium the tests say how to install it
//! and pass as skipped.
#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};

/// Chromium and chromedriver, when both are installed.
pub fn tools() -> Option<(PathBuf, PathBuf)> {
    let find = |env: &str, names: &[&str]| -> Option<PathBuf> {
        if let Some(p) = std::env::var_os(env) {
            return Some(PathBuf::from(p));
        }
        let path = std::env::var_os("PATH")?;
        std::env::split_paths(&path)
            .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
            .find(|p| p.is_file())
    };
    let chromium = find(
        "AMBIT_CHROMIUM",
        &["chromium", "chromium-browser", "google-chrome"],
    )?;
    let driver = find("AMBIT_CHROMEDRIVER", &["chromedriver"])?;
    Some((chromium, driver))
}

/// Says why a browser test does not run, and how to make it run. In CI (`CI` set) the
/// browser must be there: `.ci/run` installs it, and a silent skip would hide a lost install.
pub fn skip(test: &str) {
    assert!(
        std::env::var_os("CI").is_none(),
        "{test}: Chromium and chromedriver are missing in CI; .ci/run should have installed them"
    );
    eprintln!(
        "skipping {test}: Chromium and chromedriver are not installed. Install them with \
         `apt-get update && apt-get install -y chromium chromium-driver` (Debian/Ubuntu), \
         or point AMBIT_CHROMIUM and AMBIT_CHROMEDRIVER at them."
    );
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(9515)
}

/// The app served on a loopback port, in the current tokio runtime.
pub async fn serve(root: &Path, token: &str) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let app = ambit_web::router(ambit_web::App::new(root, token.to_string(), port));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    port
}

/// A headless Chromium session with a fresh profile, 1280×800.
pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub async fn start(chromium: &Path, chromedriver: &Path) -> Browser {
        // The port is free when chosen, but the app of a test running beside this one can
        // take it before chromedriver binds it (both ask for a free port): then the
        // session request reaches the app and fails. Such a start is tried again on a new
        // port, with the driver it started stopped.
        let mut last = String::new();
        for _ in 0..3 {
            match Browser::try_start(chromium, chromedriver).await {
                Ok(b) => return b,
                Err(e) => last = e,
            }
        }
        panic!("cannot start a Chromium session: {last}")
    }

    async fn try_start(chromium: &Path, chromedriver: &Path) -> Result<Browser, String> {
        let port = free_port();
        let mut driver = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", chromedriver.display()));
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if started.elapsed() > Duration::from_secs(20) {
                let _ = driver.kill();
                let _ = driver.wait();
                return Err("chromedriver did not start".into());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let profile = tempfile::tempdir().unwrap();
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--hide-scrollbars",
                    "--window-size=1280,800", "--force-device-scale-factor=1",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            }),
        );
        match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(client) => Ok(Browser {
                client,
                driver,
                _profile: profile,
            }),
            Err(e) => {
                let _ = driver.kill();
                let _ = driver.wait();
                Err(e.to_string())
            }
        }
    }

    /// Ends the session and the driver.
    pub async fn stop(mut self) {
        let _ = self.client.close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Polls `f` until it returns `Some`, for at most 15 seconds.
pub async fn eventually<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let started = Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
