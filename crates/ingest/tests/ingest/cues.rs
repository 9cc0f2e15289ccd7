//! WebVTT and SubRip: voice tags, labels, merging, skipped blocks, broken timing.

use ambit_ingest::{extract, Error, Format, Options};

use crate::util::{assert_same, read, render, render_diagnostics};

/// Reads a subtitle file and compares passages and diagnostics (`line: message` lines).
#[track_caller]
fn check(input: &str, format: Format, expected: &str, diagnostics: &str) {
    let got = read(input, format, &Options::default());
    assert_same(&render(&got), expected);
    assert_same(&render_diagnostics(&got), diagnostics);
}

#[test]
fn vtt_voice_tags_and_merging() {
    let input = "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Anna>Hello <i>there</i>,\nhow are you?</v>\n\n00:00:04.500 --> 00:00:06.000 align:start\n<v Anna>Fine &amp; you?\n\n00:00:07.000 --> 00:00:09.000\n<v.loud Bob Smith>Good &lt;3&nbsp;thanks\n\n00:00:09.000 --> 00:00:10.000\nand more\n";
    let got = read(input, Format::Vtt, &Options::default());
    assert_same(
        &render(&got),
        "
        Anna @1000-6000 | Hello there, how are you? Fine & you?
        Bob Smith @7000-10000 | Good <3 thanks and more
        ",
    );
    assert_eq!(
        got.text,
        "Anna: Hello there, how are you? Fine & you?\n\nBob Smith: Good <3 thanks and more\n"
    );
    assert!(got.diagnostics.is_empty());
}

#[test]
fn vtt_header_note_style_region_are_skipped() {
    check(
        "WEBVTT - Zoom export\nKind: captions\nLanguage: fi\n\nNOTE this is\na comment --> with an arrow\n\nSTYLE\n::cue { color: red }\n\nREGION\nid:fred\n\nintro\n00:01.000 --> 00:02.000\nPäivi: Hei 🙂\n\n2\n00:02.000 --> 00:03.000\nÅsa: Hej\n",
        Format::Vtt,
        "Päivi @1000-2000 | Hei 🙂\nÅsa @2000-3000 | Hej",
        "",
    );
}

#[test]
fn vtt_label_speakers_and_several_voices_in_a_cue() {
    check(
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nAnna: Hi\nBob: Hello\n\n00:00:02.000 --> 00:00:03.000\n<v Bob>Yes</v> <v Anna>No\n",
        Format::Vtt,
        "Anna @1000-2000 | Hi\nBob @1000-3000 | Hello Yes\nAnna @2000-3000 | No",
        "",
    );
}

#[test]
fn vtt_without_speakers_is_one_turn() {
    check(
        "WEBVTT\n\n00:01.000 --> 00:02.000\nfirst\n\n00:02.000 --> 00:03.000\nsecond\n",
        Format::Vtt,
        "- @1000-3000 | first second",
        "",
    );
}

#[test]
fn vtt_missing_header_is_a_warning() {
    check(
        "00:01.000 --> 00:02.000\n<v Anna>Hi\n",
        Format::Vtt,
        "Anna @1000-2000 | Hi",
        "1: the file does not start with the `WEBVTT` header; it was read as WebVTT anyway",
    );
}

#[test]
fn vtt_broken_timing_keeps_text_without_time_or_guessed_speaker() {
    check(
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Anna>One\n\n00:00:xx.000 --> 00:00:03.000\ntwo\n\n00:00:03.000 --> 00:00:04.000\n<v Anna>Three\n\n00:00:06.000 --> 00:00:05.000\n<v Bob>Four\n\n00:00:02.000 --> 00:00:07.000\nfive\n\n00:00:08.000 --> 00:00:09.000\nsix\n",
        Format::Vtt,
        "
        Anna @1000-2000 | One
        - | two
        Anna @3000-4000 | Three
        Bob | Four
        - | five
        - @8000-9000 | six
        ",
        "
        6: timing line not understood: `00:00:xx.000 --> 00:00:03.000`; its text is kept as its own passage without a time
        12: the cue ends (00:00:05.000) before it starts (00:00:06.000); its text is kept as its own passage without a time
        15: the cue starts at 00:00:02.000, before the cue above it (00:00:03.000); its text is kept as its own passage without a time
        ",
    );
}

#[test]
fn vtt_mangled_arrow_and_orphan_text() {
    check(
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nAnna: One\n\n00:00:02.000 - 00:00:03.000\nBob: Two\n\nlost words\n",
        Format::Vtt,
        "Anna @1000-2000 | One\nBob | Two\n- | lost words",
        "
        6: timing line not understood: `00:00:02.000 - 00:00:03.000`; its text is kept as its own passage without a time
        9: text without a timing line; it is kept as its own passage without a time
        ",
    );
}

#[test]
fn vtt_without_any_usable_cue_is_an_error() {
    for input in [
        "WEBVTT\n\nJust some text.\n",
        "WEBVTT\n\n00:xx --> 00:yy\nHi\n",
    ] {
        let err = extract(
            "talk.vtt",
            input.as_bytes(),
            Format::Vtt,
            &Options::default(),
        )
        .unwrap_err();
        assert!(matches!(err, Error::BadTiming { .. }), "{err}");
        let msg = err.to_string();
        assert!(
            msg.starts_with("talk.vtt: ") && msg.contains("00:00:05.000 --> 00:00:12.500"),
            "{msg}"
        );
    }
}

#[test]
fn srt_basic() {
    check(
        "1\n00:00:01,000 --> 00:00:02,500\n<i>Anna:</i> Hello\nthere\n\n2\n00:00:03,000 --> 00:00:04,000\n{\\an8}Anna: again\n\n3\n00:00:05,000 --> 00:00:06,000\nBob: Hi &amp; bye\n",
        Format::Srt,
        "Anna @1000-4000 | Hello there again\nBob @5000-6000 | Hi & bye",
        "",
    );
}

#[test]
fn srt_missing_blank_line_does_not_merge_speakers() {
    check(
        "1\r\n00:00:01,000 --> 00:00:02,000\r\nAnna: Hello\r\n2\r\n00:00:03,000 --> 00:00:04,000\r\nBob: Hi\r\n",
        Format::Srt,
        "Anna @1000-2000 | Hello\nBob @3000-4000 | Hi",
        "5: no blank line before this cue; the cues were separated anyway",
    );
}

#[test]
fn srt_errors_name_the_comma_form() {
    let err = extract("x.srt", b"hello\n", Format::Srt, &Options::default()).unwrap_err();
    assert!(
        err.to_string().contains("00:00:05,000 --> 00:00:12,500"),
        "{err}"
    );
}

#[test]
fn srt_cues_with_only_tags_are_empty() {
    let err = extract(
        "x.srt",
        b"1\n00:00:01,000 --> 00:00:02,000\n<i></i>\n",
        Format::Srt,
        &Options::default(),
    )
    .unwrap_err();
    assert!(matches!(err, Error::Empty { .. }), "{err}");
}

#[test]
fn srt_lower_case_and_bracketed_ids_are_speakers() {
    check(
        "1\n00:00:01,000 --> 00:00:02,000\n[P1] Hei 🙂\n\n2\n00:00:02,000 --> 00:00:03,000\nadmin-2:   Hej då\n\n3\n00:00:03,000 --> 00:00:04,000\n[laughter] [P1] Ja\n",
        Format::Srt,
        "P1 @1000-2000 | Hei 🙂\nadmin-2 @2000-4000 | Hej då [laughter] [P1] Ja",
        "",
    );
}
