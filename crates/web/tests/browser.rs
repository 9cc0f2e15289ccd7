//! The app in headless Chromium, for what only a browser does: a selection made in the DOM
//! becomes the exact character range of the stored text (emoji, ä, combining marks, a
//! start inside a highlight), codes are applied with the keyboard, a coding is removed
//! from its pop-up and undone; and hostile text in documents and code names runs nothing.
#![allow(clippy::unwrap_used)]

mod common;

use ambit_core::DocId;
use ambit_pipeline::coding::{code_manually, ManualCoding, Selection, Target};
use ambit_store::{CodingFilter, Project};
use common::browser::{eventually, serve, skip, tools, Browser};
use common::{offset, slice, TOKEN};
use fantoccini::{key::Key, Locator};

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn codings(dir: &std::path::Path, code: &str) -> Vec<ambit_core::Coding> {
    Project::open(dir)
        .unwrap()
        .store
        .codings(&CodingFilter {
            codes: vec![code.into()],
            ..Default::default()
        })
        .unwrap()
}

/// Selects from just after the first `from` to just after the first `to` in the reader
/// (UTF-16 positions in the DOM, as a mouse would), and opens the code picker through the
/// app's own code path.
const SELECT: &str = r#"
const [from, fromAfter, to] = arguments;
const pieces = [...document.querySelectorAll('#passages .t')];
function at(s, after) {
  for (const p of pieces) {
    const t = p.firstChild;
    const i = t.data.indexOf(s);
    if (i >= 0) return [t, i + (after ? s.length : 0)];
  }
  throw new Error('not found: ' + s);
}
const [sn, so] = at(from, fromAfter);
const [en, eo] = at(to, true);
const r = document.createRange();
r.setStart(sn, so);
r.setEnd(en, eo);
const sel = window.getSelection();
sel.removeAllRanges();
sel.addRange(r);
return [window.ambitReader.rangeOfSelection(), window.ambitReader.openPickerForSelection()];
"#;

#[test]
fn select_code_remove_and_undo_in_the_browser() {
    let Some((chromium, driver)) = tools() else {
        return skip("select_code_remove_and_undo_in_the_browser");
    };
    let dir = tempfile::tempdir().unwrap();
    let mut project = common::project(dir.path());
    // An existing coding over "new ordering", so a selection can start inside a highlight.
    let hl = offset(&project, DocId(1), "new ordering");
    code_manually(
        &mut project,
        &ManualCoding {
            target: Target::Doc(DocId(1)),
            selection: Selection::Span(hl, hl + "new ordering".chars().count()),
            code: "su".into(),
            coder: "erik".into(),
            memo: Some("<b>memo</b> stays text".into()),
        },
    )
    .unwrap();
    drop(project);
    rt().block_on(async {
        let port = serve(dir.path(), TOKEN).await;
        let b = Browser::start(&chromium, &driver).await;
        let c = &b.client;
        c.goto(&format!("http://127.0.0.1:{port}/?token={TOKEN}"))
            .await
            .unwrap();
        // The link's token went into the cookie and out of the address.
        assert!(!c.current_url().await.unwrap().as_str().contains("token"));
        c.goto(&format!("http://127.0.0.1:{port}/documents/D1"))
            .await
            .unwrap();
        c.find(Locator::Css("#passages .t")).await.unwrap();

        // 1. After the emoji to after the ä, crossing into the highlight.
        let got = c
            .execute(SELECT, vec!["👍 ".into(), true.into(), "ä".into()])
            .await
            .unwrap();
        let project = Project::open(dir.path()).unwrap();
        let start = offset(&project, DocId(1), "the new");
        let end = offset(&project, DocId(1), "ä bit") + 1;
        assert_eq!(got[0]["start"], start, "{got}");
        assert_eq!(got[0]["end"], end, "{got}");
        assert_eq!(got[1], true);
        let q = c.find(Locator::Id("pick-q")).await.unwrap();
        q.send_keys("semantic").await.unwrap();
        let memo = c.find(Locator::Id("pick-memo")).await.unwrap();
        memo.send_keys("first sign <b>👍</b>").await.unwrap();
        memo.send_keys(&Key::Enter.to_string()).await.unwrap();
        let made = eventually("the coding", || codings(dir.path(), "kb.semantic").pop()).await;
        assert_eq!(made.memo.as_deref(), Some("first sign <b>👍</b>"));
        assert_eq!((made.start, made.end), (start, end));
        assert_eq!(
            slice(&project, DocId(1), made.start, made.end),
            "the new ordering — it was ä"
        );
        assert_eq!(made.coder, "researcher");

        // 2. Remove it from its pop-up: click its highlight, then Remove.
        let selector = format!("#passages .t[data-c~=\"{}\"]", made.id);
        let piece = loop {
            if let Ok(e) = c.find(Locator::Css(&selector)).await {
                break e;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        };
        // The first piece of the coding is "the ", outside the older highlight.
        piece.click().await.unwrap();
        let remove = c
            .find(Locator::Css(&format!(
                "#coding-pop .cp-item[data-id=\"{}\"] button.danger",
                made.id
            )))
            .await
            .unwrap();
        remove.click().await.unwrap();
        eventually("the removal", || {
            codings(dir.path(), "kb.semantic").is_empty().then_some(())
        })
        .await;

        // 3. From inside the highlight ("dering") across the passage break to after the
        //    combining accent of "café", with two codes picked by keyboard (Shift+Enter
        //    picks, Enter applies).
        let got = c
            .execute(SELECT, vec!["or".into(), false.into(), "e\u{301}".into()])
            .await
            .unwrap();
        let start = offset(&project, DocId(1), "ordering");
        let end = offset(&project, DocId(1), "e\u{301} said") + 2;
        assert_eq!(got[0]["start"], start, "{got}");
        assert_eq!(got[0]["end"], end, "{got}");
        let q = c.find(Locator::Id("pick-q")).await.unwrap();
        q.send_keys("knowledge").await.unwrap();
        q.send_keys(&(Key::Shift + &Key::Enter.to_string()))
            .await
            .unwrap();
        q.send_keys(&(Key::Control + "a")).await.unwrap();
        q.send_keys(&Key::Backspace.to_string()).await.unwrap();
        q.send_keys("semantic").await.unwrap();
        q.send_keys(&(Key::Shift + &Key::Enter.to_string()))
            .await
            .unwrap();
        q.send_keys(&Key::Enter.to_string()).await.unwrap();
        let kb = eventually("two codings", || {
            let a = codings(dir.path(), "kb");
            let b = codings(dir.path(), "kb.semantic");
            (a.len() == 1 && b.len() == 1).then(|| (a[0].clone(), b[0].clone()))
        })
        .await;
        for made in [&kb.0, &kb.1] {
            assert_eq!((made.start, made.end), (start, end));
        }
        assert!(slice(&project, DocId(1), start, end).ends_with("The cafe\u{301}"));
        assert!(slice(&project, DocId(1), start, end).starts_with("ordering — it was"));

        // 4. Undo removes both (one action, two codes).
        let undo = c.find(Locator::Id("undo")).await.unwrap();
        undo.click().await.unwrap();
        eventually("the undo", || {
            (codings(dir.path(), "kb").is_empty() && codings(dir.path(), "kb.semantic").is_empty())
                .then_some(())
        })
        .await;
        // The older coding is untouched throughout.
        assert_eq!(codings(dir.path(), "su").len(), 1);
        b.stop().await;
    });
}

#[test]
fn hostile_text_runs_nothing_in_the_browser() {
    let Some((chromium, driver)) = tools() else {
        return skip("hostile_text_runs_nothing_in_the_browser");
    };
    let dir = tempfile::tempdir().unwrap();
    let mut project = common::project(dir.path());
    // A coding of the code named `</script>…` on the hostile notes, so its name is in the
    // reader's data block, highlights and pop-ups.
    code_manually(
        &mut project,
        &ManualCoding {
            target: Target::Doc(DocId(2)),
            selection: Selection::Span(0, 40),
            code: "xss".into(),
            coder: "\"><img src=x onerror=\"window.pwned=3\">".into(),
            memo: Some("<script>window.pwned=4</script>".into()),
        },
    )
    .unwrap();
    drop(project);
    rt().block_on(async {
        let port = serve(dir.path(), TOKEN).await;
        let b = Browser::start(&chromium, &driver).await;
        let c = &b.client;
        c.goto(&format!("http://127.0.0.1:{port}/?token={TOKEN}")).await.unwrap();
        for path in ["/documents/D2", "/codebook", "/codes/xss", "/search?q=script", "/memos", "/documents"] {
            c.goto(&format!("http://127.0.0.1:{port}{path}")).await.unwrap();
            let state = c
                .execute(
                    "const p = document.querySelector('#passages');
                     const hl = document.querySelector('#passages .t.hl');
                     if (hl) hl.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
                     return [window.pwned === undefined,
                             document.querySelectorAll('main img, main script:not([type])').length,
                             document.body.innerText];",
                    vec![],
                )
                .await
                .unwrap();
            assert_eq!(state[0], true, "{path}: a script ran");
            assert_eq!(state[1], 0, "{path}: markup from the project became elements");
            assert!(c.get_alert_text().await.is_err(), "{path}: an alert is open");
            let text = state[2].as_str().unwrap();
            if path == "/documents/D2" {
                assert!(text.contains("<script>window.pwned=1;alert(1)</script>"), "{text}");
                assert!(text.contains("\"><img src=x onerror=\"window.pwned=2;alert(1)\">"), "{text}");
            }
            if path == "/codebook" {
                assert!(text.contains("</script><img src=x onerror=alert(1)>"), "{text}");
            }
        }
        // The pop-up of the hostile coding shows its coder and memo as text.
        c.goto(&format!("http://127.0.0.1:{port}/documents/D2")).await.unwrap();
        c.find(Locator::Css("#passages .t.hl")).await.unwrap().click().await.unwrap();
        let pop = c.find(Locator::Id("coding-pop")).await.unwrap().text().await.unwrap();
        assert!(pop.contains("<script>window.pwned=4</script>"), "{pop}");
        let pwned = c.execute("return window.pwned === undefined && document.querySelectorAll('#coding-pop img').length === 0;", vec![]).await.unwrap();
        assert_eq!(pwned, true);
        b.stop().await;
    });
}
