//! Label-like shapes the speaker detector does not read: one warning per shape, with a `speaker_pattern` that reads it.

use ambit_ingest::{extract, Diagnostic, Format, Options};
use regex::Regex;

use crate::util::{assert_same, read, render};

/// The `speaker_pattern = '…'` a warning suggests.
fn suggested(d: &Diagnostic) -> Regex {
    let (_, rest) = d
        .message
        .split_once("speaker_pattern = '")
        .unwrap_or_else(|| panic!("no pattern in {:?}", d.message));
    let (pattern, _) = rest.split_once('\'').unwrap();
    Regex::new(pattern).unwrap()
}

/// `input` gets exactly one unread-label warning, at `line`, naming `shape` and each of
/// `examples`; reading it again with the suggested pattern gives `expected`.
#[track_caller]
fn check(
    input: &str,
    format: Format,
    line: Option<usize>,
    shape: &str,
    examples: &[&str],
    expected: &str,
) {
    let got = read(input, format, &Options::default());
    let found: Vec<&Diagnostic> = got
        .diagnostics
        .iter()
        .filter(|d| d.message.contains("not read as a speaker"))
        .collect();
    assert_eq!(found.len(), 1, "{:#?}", got.diagnostics);
    let d = found[0];
    assert_eq!(d.line, line, "{d:?}");
    assert!(
        d.message.contains(&format!("`{shape}`")),
        "{d:?} lacks {shape}"
    );
    for e in examples {
        assert!(d.message.contains(&format!("`{e}`")), "{d:?} lacks {e}");
    }
    let opts = Options {
        speaker_pattern: Some(suggested(d)),
        ..Options::default()
    };
    let again = read(input, format, &opts);
    assert_same(&render(&again), expected);
    assert!(
        !again
            .diagnostics
            .iter()
            .any(|d| d.message.contains("not read as a speaker")),
        "{:#?}",
        again.diagnostics
    );
}

/// No unread-label warning.
#[track_caller]
fn check_none(input: &str, format: Format, transcript: Option<bool>) {
    let opts = Options {
        transcript,
        ..Options::default()
    };
    let got = read(input, format, &opts);
    assert!(
        !got.diagnostics
            .iter()
            .any(|d| d.message.contains("not read as a speaker")),
        "{:#?}",
        got.diagnostics
    );
}

#[test]
fn bracketed_names() {
    check(
        "Interview 9\n\n[Anna] So what … happened?\n\n[Interviewer] Go on 🙂.\n\n[Anna] We waited.\n",
        Format::Text,
        Some(3),
        "[Word]",
        &["[Anna]", "[Interviewer]"],
        "
        - | Interview 9
        Anna | So what … happened?
        Interviewer | Go on 🙂.
        Anna | We waited.
        ",
    );
}

#[test]
fn lower_case_names() {
    check(
        "notes from the call\nanna: hello\nbob:   hi there\nanna: ok, ä\n",
        Format::Text,
        Some(2),
        "word:",
        &["anna:", "bob:"],
        "- | notes from the call\nanna | hello\nbob | hi there\nanna | ok, ä",
    );
}

#[test]
fn roles_with_names_in_parentheses() {
    check(
        "Interviewer (Erik): Hur mår du?\nRespondent (Åsa): Bra.\nInterviewer (Erik): Och sen?\n",
        Format::Text,
        Some(1),
        "Word (Word):",
        &["Interviewer (Erik):", "Respondent (Åsa):"],
        "Interviewer (Erik) | Hur mår du?\nRespondent (Åsa) | Bra.\nInterviewer (Erik) | Och sen?",
    );
}

#[test]
fn timestamps_before_the_label_become_the_time_group() {
    check(
        "[00:00:05] anna: hi\n[00:00:09] bob: yo\n[00:00:12] anna: ok\n",
        Format::Text,
        Some(1),
        "[0:00] word:",
        &["anna:", "bob:"],
        "anna @5000 | hi\nbob @9000 | yo\nanna @12000 | ok",
    );
}

#[test]
fn apostrophes_stay_out_of_the_toml_quotes() {
    check(
        "d'arcy: one\no'neil: two\nd'arcy: three\n",
        Format::Text,
        Some(1),
        "word'word:",
        &["d'arcy:", "o'neil:"],
        "d'arcy | one\no'neil | two\nd'arcy | three",
    );
}

#[test]
fn markdown_paragraphs() {
    check(
        "---\ntitle: Call\n---\n\n# Call\n\n[Anna] Hi.\n\n[Bob] Hello.\n\n[Anna] Bye.\n",
        Format::Markdown,
        Some(7),
        "[Word]",
        &["[Anna]", "[Bob]"],
        "# - | Call\nAnna | Hi.\nBob | Hello.\nAnna | Bye.",
    );
}

#[test]
fn html_paragraphs_have_no_line_but_quote_the_labels() {
    check(
        "<html><body><p>[Anna] Hi.</p><p>[Bob] Hello.</p><p>[Anna] Bye.</p></body></html>",
        Format::Html,
        None,
        "[Word]",
        &["[Anna]", "[Bob]"],
        "Anna | Hi.\nBob | Hello.\nAnna | Bye.",
    );
}

#[test]
fn a_project_pattern_that_misses_them_is_named() {
    let opts = Options {
        speaker_pattern: Some(Regex::new(r"^(?P<speaker>[A-Z]{2})> ").unwrap()),
        ..Options::default()
    };
    let got = read("AB> hi\n[Anna] x\n[Bob] y\n[Anna] z\n", Format::Text, &opts);
    let d = got
        .diagnostics
        .iter()
        .find(|d| d.message.contains("not read as a speaker"))
        .unwrap();
    assert!(d.message.contains("current `speaker_pattern`"), "{d:?}");
    assert_eq!(d.line, Some(2));
}

#[test]
fn one_warning_per_shape_in_line_order() {
    let input = "[Anna] a\n[Bob] b\n[Anna] c\nanna: d\nbob: e\nanna: f\n";
    let got = extract("t.txt", input.as_bytes(), Format::Text, &Options::default()).unwrap();
    let lines: Vec<Option<usize>> = got.diagnostics.iter().map(|d| d.line).collect();
    assert_eq!(lines, [Some(1), Some(4)], "{:#?}", got.diagnostics);
}

#[test]
fn no_warning_for_headers_noises_prose_code_or_read_labels() {
    // A header of `key: value` lines never repeats a key.
    check_none(
        "site: Kallio\nweather: rain\nobserver: me\n\nWe arrived at ten.\n",
        Format::Text,
        None,
    );
    // What is heard is not who speaks.
    check_none(
        "[laughter] a\n\n[laughter] b\n\n[inaudible] c\n\n[pause] d\n",
        Format::Text,
        None,
    );
    // One speaker only, or too few lines.
    check_none("[Anna] a\n\n[Anna] b\n\n[Anna] c\n", Format::Text, None);
    check_none("anna: x\nbob: y\n", Format::Text, None);
    // Read labels, new styles included.
    check_none("Anna: x\nadmin-1: y\n[P2] z\nAnna: w\n", Format::Text, None);
    // URLs, times, prose lead-ins.
    check_none(
        "http://a.org\nhttps://b.org\nhttp://c.org\n10:30: bus\n11:00: tram\n10:30: bus\nnote: x\nnote: y\nsummary: z\n",
        Format::Text,
        None,
    );
    // Transcript detection off: the researcher said these are not turns.
    check_none("anna: x\nbob: y\nanna: z\n", Format::Text, Some(false));
    // Code in a Markdown fence.
    check_none("```\nkey: 1\nval: 2\nkey: 3\n```\n", Format::Markdown, None);
}

#[test]
fn rare_shapes_in_long_text_are_not_reported() {
    let mut input = String::from("anna: one\n\nbob: two\n\nanna: three\n\n");
    for i in 0..20 {
        input.push_str(&format!("Paragraph {i} of field notes.\n\n"));
    }
    check_none(&input, Format::Text, None);
}
