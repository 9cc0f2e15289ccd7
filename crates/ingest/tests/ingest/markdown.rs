//! Markdown: front matter into Meta, headings and paragraphs, fences, Markdown transcripts.

use ambit_ingest::{Format, Options};

use crate::util::{assert_same, read, render, render_diagnostics};

/// Reads Markdown and compares passages and stored text.
#[track_caller]
fn check(input: &str, expected: &str, text: &str) {
    let got = read(input, Format::Markdown, &Options::default());
    assert_same(&render(&got), expected);
    assert_eq!(got.text, text);
}

#[test]
fn front_matter_goes_to_meta_and_out_of_the_text() {
    let input = "---\ntitle: \"Fieldnotes: day 1\"\ndate: 2024-03-12\nsite: 'Kallio library'\nquote: 'it''s'\ntags:\n  - walk\n  - library\nsummary: >\n  long text\n  over lines\n---\n\n# Morning\n\nWe arrived.\n";
    let got = read(input, Format::Markdown, &Options::default());
    assert_eq!(got.meta.title.as_deref(), Some("Fieldnotes: day 1"));
    assert_eq!(got.meta.date.as_deref(), Some("2024-03-12"));
    let attrs: Vec<(&str, &str)> = got
        .meta
        .attributes
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        attrs,
        [
            ("quote", "it's"),
            ("site", "Kallio library"),
            ("summary", "long text over lines"),
            ("tags", "walk, library"),
        ]
    );
    assert_eq!(got.text, "# Morning\n\nWe arrived.\n");
    assert_same(&render(&got), "# - | Morning\n- | We arrived.");
    assert!(got.diagnostics.is_empty(), "{:?}", got.diagnostics);
}

#[test]
fn front_matter_oddities_are_reported_with_input_lines() {
    let input = "---\ntitle: A\n  continued\nnot a pair\ntitle: B\n---\nText\nAnna:\n";
    let got = read(
        input,
        Format::Markdown,
        &Options {
            transcript: Some(true),
            ..Options::default()
        },
    );
    assert_eq!(got.meta.title.as_deref(), Some("B"));
    assert_same(
        &render_diagnostics(&got),
        "
        4: front matter line not understood (only `key: value` lines and `- item` lists are read); it was left out
        5: front matter key `title` repeats; the last value is kept
        8: speaker label `Anna` has no words after it; no passage was made
        ",
    );
}

#[test]
fn unclosed_front_matter_is_a_rule() {
    check(
        "---\ntitle: x\n\nBody\n",
        "- | title: x\n- | Body",
        "---\ntitle: x\n\nBody\n",
    );
}

#[test]
fn headings_exclude_their_marks() {
    check(
        "# Title\nIntro line\n## Section ##\n\n###   Spaced   \n#NotHeading\n####### seven\n#\n",
        "
        # - | Title
        - | Intro line
        # - | Section
        # - | Spaced
        - | #NotHeading⏎####### seven
        ",
        "# Title\nIntro line\n## Section ##\n\n###   Spaced   \n#NotHeading\n####### seven\n#\n",
    );
}

#[test]
fn setext_headings_and_rules() {
    check(
        "Title\n=====\n\nPara one\n\n---\n\nSub\n---\nText\n***\n",
        "# - | Title\n- | Para one\n# - | Sub\n- | Text",
        "Title\n=====\n\nPara one\n\n---\n\nSub\n---\nText\n***\n",
    );
}

#[test]
fn code_fences_keep_hashes_and_blank_lines() {
    check(
        "Before\n\n```\n# not a heading\n\nstill code\n```\n\nAfter\n",
        "- | Before\n- | ```⏎# not a heading⏎⏎still code⏎```\n- | After",
        "Before\n\n```\n# not a heading\n\nstill code\n```\n\nAfter\n",
    );
}

#[test]
fn markdown_transcript_with_bold_labels() {
    check(
        "---\ntitle: Interview 4\n---\n# Part 1\n\n**Päivi:** Hei 🙂\n\n**Bob:** Hi\nmore\n",
        "# - | Part 1\nPäivi | Hei 🙂\nBob | Hi⏎more",
        "# Part 1\n\n**Päivi:** Hei 🙂\n\n**Bob:** Hi\nmore\n",
    );
}

#[test]
fn crlf_markdown() {
    check(
        "---\r\ntitle: T\r\n---\r\n# Ä 🙂\r\nText — ok\r\n",
        "# - | Ä 🙂\n- | Text — ok",
        "# Ä 🙂\nText — ok\n",
    );
}
