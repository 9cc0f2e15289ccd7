//! Screenshots of the app at 1280×800 in headless Chromium, for the README and for looking
//! at the app before calling a change done.
//!
//! `cargo run -p ambit-web --example screenshots -- PROJECT OUT_DIR [PATH…]` serves PROJECT
//! and writes one PNG per page (default: overview, reader, code × phase, codebook) into
//! OUT_DIR. Needs `chromium` and `chromium-driver`.
#![allow(clippy::unwrap_used)]

#[path = "../tests/common/browser.rs"]
mod browser;

use std::path::PathBuf;

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(project), Some(out)) = (args.next(), args.next()) else {
        eprintln!("usage: screenshots PROJECT OUT_DIR [NAME=PATH…]");
        std::process::exit(2);
    };
    let mut pages: Vec<(String, String)> = args
        .filter_map(|a| {
            a.split_once('=')
                .map(|(n, p)| (n.to_string(), p.to_string()))
        })
        .collect();
    if pages.is_empty() {
        pages = [
            ("overview", "/"),
            ("reader", "/documents/D1"),
            ("timeline", "/tables"),
            ("codebook", "/codebook"),
        ]
        .iter()
        .map(|(n, p)| (n.to_string(), p.to_string()))
        .collect();
    }
    let Some((chromium, driver)) = browser::tools() else {
        browser::skip("screenshots");
        std::process::exit(1);
    };
    let out = PathBuf::from(out);
    std::fs::create_dir_all(&out).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let token = "screenshots";
        let port = browser::serve(std::path::Path::new(&project), token).await;
        let b = browser::Browser::start(&chromium, &driver).await;
        let c = &b.client;
        c.set_window_size(1280, 800).await.unwrap();
        c.goto(&format!("http://127.0.0.1:{port}/?token={token}"))
            .await
            .unwrap();
        for (name, path) in &pages {
            c.goto(&format!("http://127.0.0.1:{port}{path}"))
                .await
                .unwrap();
            tokio::time::sleep(std::time::Duration::from_millis(600)).await;
            let png = c.screenshot().await.unwrap();
            let file = out.join(format!("{name}.png"));
            std::fs::write(&file, png).unwrap();
            println!("{}", file.display());
        }
        b.stop().await;
    });
}
