//! Shared helpers: run a reader, check the offset invariants, render passages compactly.

use ambit_ingest::{char_slice, extract, Extracted, Format, Options};

/// Reads `input` as `format` and checks the passage invariants.
pub fn read(input: &str, format: Format, opts: &Options) -> Extracted {
    let got = extract("test", input.as_bytes(), format, opts).unwrap();
    assert_invariants(&got);
    got
}

/// Every passage lies inside the text, in order, without overlap, and is trimmed and non-empty.
pub fn assert_invariants(got: &Extracted) {
    let len = got.text.chars().count();
    let mut prev_end = 0;
    for p in &got.passages {
        assert!(p.start <= p.end && p.end <= len, "{p:?} outside 0..{len}");
        assert!(
            p.start >= prev_end,
            "{p:?} overlaps or precedes the passage before"
        );
        let s = char_slice(&got.text, p.start, p.end).unwrap();
        assert_eq!(s, s.trim(), "{p:?} is not trimmed");
        assert!(!s.is_empty(), "{p:?} is empty");
        prev_end = p.end;
    }
    assert!(!got.text.contains('\r'));
    assert!(!got.text.starts_with('\u{FEFF}'));
}

/// One line per passage: `# ` for headings, the speaker (or `-`), `@start`, `-end`, then
/// `| text` with line breaks shown as `⏎`.
pub fn render(got: &Extracted) -> String {
    let mut out = String::new();
    for p in &got.passages {
        let mut head = String::new();
        if p.heading {
            head.push_str("# ");
        }
        head.push_str(p.speaker.as_deref().unwrap_or("-"));
        if let Some(ms) = p.start_ms {
            head.push_str(&format!(" @{ms}"));
        }
        if let Some(ms) = p.end_ms {
            head.push_str(&format!("-{ms}"));
        }
        let text = char_slice(&got.text, p.start, p.end).unwrap();
        out.push_str(&format!("{head} | {}\n", text.replace('\n', "⏎")));
    }
    out
}

/// Diagnostics as `line: message` (`-` for none), one a line.
pub fn render_diagnostics(got: &Extracted) -> String {
    got.diagnostics
        .iter()
        .map(|d| {
            format!(
                "{}: {}\n",
                d.line.map_or("-".to_owned(), |l| l.to_string()),
                d.message
            )
        })
        .collect()
}

/// Indented expectations read better in tests; compare them line by line, trimmed.
pub fn trim_lines(s: &str) -> String {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| format!("{l}\n"))
        .collect()
}

#[track_caller]
pub fn assert_same(got: &str, expected: &str) {
    let (got, expected) = (trim_lines(got), trim_lines(expected));
    assert!(
        got == expected,
        "\n--- got:\n{got}--- expected:\n{expected}"
    );
}
