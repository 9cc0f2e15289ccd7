//! Plain text: prose paragraphs, transcript turns for every label form, false-positive guards.

use ambit_ingest::{extract, Error, Format, Options};
use regex::Regex;

use crate::util::{assert_same, read, render};

/// Reads `input` with transcript detection as given and compares the rendered passages.
#[track_caller]
fn check_with(input: &str, transcript: Option<bool>, expected: &str) {
    let opts = Options {
        transcript,
        ..Options::default()
    };
    assert_same(&render(&read(input, Format::Text, &opts)), expected);
}

/// Forced transcript mode: the label detector alone decides.
#[track_caller]
fn check(input: &str, expected: &str) {
    check_with(input, Some(true), expected);
}

/// Auto-detection.
#[track_caller]
fn check_auto(input: &str, expected: &str) {
    check_with(input, None, expected);
}

#[test]
fn prose_paragraphs_are_trimmed_blocks() {
    check_auto(
        "  First paragraph,\nsecond line.  \n\n\n   Second — with ä and 🙂.\n \t\nThird\n",
        "
        - | First paragraph,⏎second line.
        - | Second — with ä and 🙂.
        - | Third
        ",
    );
}

#[test]
fn plain_name() {
    check(
        "Anna: Hello there.\nBob: Hi!\n",
        "Anna | Hello there.\nBob | Hi!",
    );
}

#[test]
fn title_name_surname() {
    check(
        "Dr. Maria Virtanen: Welcome.\nMr. Smith: Thanks.",
        "Dr. Maria Virtanen | Welcome.\nMr. Smith | Thanks.",
    );
}

#[test]
fn upper_case_name() {
    check(
        "ANNA: yes\nINTERVIEWER: and then?",
        "ANNA | yes\nINTERVIEWER | and then?",
    );
}

#[test]
fn interview_roles_and_ids() {
    check(
        "I: How did it start?\nR: Slowly.\nP1: I agree.\nInterviewer: Go on.\nRespondent 2: Well…\nQ: And?\nA: Yes.",
        "
        I | How did it start?
        R | Slowly.
        P1 | I agree.
        Interviewer | Go on.
        Respondent 2 | Well…
        Q | And?
        A | Yes.
        ",
    );
}

#[test]
fn bracketed_timestamp_before_name() {
    check(
        "[00:01:02] Anna: Hello\n[00:01:10] Bob: Hi",
        "Anna @62000 | Hello\nBob @70000 | Hi",
    );
}

#[test]
fn bare_timestamp_before_name() {
    check(
        "00:01:02 Anna: Hello\n1:00:00 Bob: Hi",
        "Anna @62000 | Hello\nBob @3600000 | Hi",
    );
}

#[test]
fn parenthesised_minutes_before_name() {
    check(
        "(01:02) Anna: Hello\n(12:30) Bob: Hi",
        "Anna @62000 | Hello\nBob @750000 | Hi",
    );
}

#[test]
fn timestamp_after_name() {
    check(
        "Anna (00:01:02): Hello\nBob [00:02:00]: Hi",
        "Anna @62000 | Hello\nBob @120000 | Hi",
    );
}

#[test]
fn short_bracketed_timestamp() {
    check(
        "[01:02] Anna: Hello\n[1:03] Bob: Hi",
        "Anna @62000 | Hello\nBob @63000 | Hi",
    );
}

#[test]
fn timestamp_with_milliseconds() {
    check(
        "00:01:02.500 Anna: Hello\n[00:01:03,25] Bob: Hi",
        "Anna @62500 | Hello\nBob @63250 | Hi",
    );
}

#[test]
fn nordic_letters_hyphens_apostrophes() {
    check(
        "Päivi Mäkelä: Hyvää huomenta.\nAnna-Liisa O'Brien: Hej!\nÅsa Öberg: Tack.\nJean d’Arc: Oui.\nLudwig van Beethoven: Ja.",
        "
        Päivi Mäkelä | Hyvää huomenta.
        Anna-Liisa O'Brien | Hej!
        Åsa Öberg | Tack.
        Jean d’Arc | Oui.
        Ludwig van Beethoven | Ja.
        ",
    );
}

#[test]
fn markdown_bold_labels() {
    check("**Anna:** Hello\n**Bob**: Hi", "Anna | Hello\nBob | Hi");
}

#[test]
fn continuation_lines_belong_to_the_turn() {
    check(
        "Anna: It started\n   when we moved.\n[laughter] Really.\nBob: Hm.",
        "Anna | It started⏎   when we moved.⏎[laughter] Really.\nBob | Hm.",
    );
}

#[test]
fn unlabelled_block_after_blank_line_is_its_own_passage() {
    check(
        "Interview 3, 12 March 2024\n\nAnna: Hello.\n\n[break]\n\nBob: Back again.\n",
        "
        - | Interview 3, 12 March 2024
        Anna | Hello.
        - | [break]
        Bob | Back again.
        ",
    );
}

#[test]
fn label_alone_on_its_line() {
    check(
        "INTERVIEWER:\nSo tell me.\n\nRESPONDENT:\n\nWell, it was long ago.\n",
        "INTERVIEWER | So tell me.\nRESPONDENT | Well, it was long ago.",
    );
}

#[test]
fn label_with_nothing_after_it_is_reported() {
    let got = read("Anna:\nBob: Hi\n", Format::Text, &Options::default());
    assert_same(&render(&got), "Bob | Hi");
    assert_eq!(got.diagnostics.len(), 1);
    assert_eq!(got.diagnostics[0].line, Some(1));
}

#[test]
fn guard_note_subject_and_lead_ins() {
    check(
        "Anna: We met.\nNote: this was recorded.\nSubject: the move\nSummary: short\nNB: check\n",
        "Anna | We met.⏎Note: this was recorded.⏎Subject: the move⏎Summary: short⏎NB: check",
    );
}

#[test]
fn guard_clock_times_in_prose() {
    check(
        "Anna: Yes.\nat 10:30 we met\n10:30 we met again\n10:30: the bus\n",
        "Anna | Yes.⏎at 10:30 we met⏎10:30 we met again⏎10:30: the bus",
    );
}

#[test]
fn guard_urls() {
    check(
        "Anna: See\nhttps://example.org/a:b and\nHttps://example.org\nmailto:someone@example.org\n",
        "Anna | See⏎https://example.org/a:b and⏎Https://example.org⏎mailto:someone@example.org",
    );
}

#[test]
fn guard_sentences_with_colons() {
    check(
        "Anna: Then\nHe said: go home.\nThe Minister said: no.\nand she: left\nThe Very Long Name Of Someone: hi\nAbcdefghij Klmnopqrst Uvwxyzabcd Efghijklmn: hi\n",
        "Anna | Then⏎He said: go home.⏎The Minister said: no.⏎and she: left⏎The Very Long Name Of Someone: hi⏎Abcdefghij Klmnopqrst Uvwxyzabcd Efghijklmn: hi",
    );
}

#[test]
fn guard_colon_without_space() {
    check("Anna: a\nRatio:3\nB:x\n", "Anna | a⏎Ratio:3⏎B:x");
}

#[test]
fn auto_detects_a_transcript() {
    check_auto(
        "Focus group 2\n\nAnna: One.\n\nBob: Two.\n\nAnna: Three.\n",
        "- | Focus group 2\nAnna | One.\nBob | Two.\nAnna | Three.",
    );
}

#[test]
fn auto_detects_a_transcript_by_lines() {
    check_auto(
        "Header line\nAnna: One.\nBob: Two.\nmore of Bob\nAnna: Three.\n",
        "- | Header line\nAnna | One.\nBob | Two.⏎more of Bob\nAnna | Three.",
    );
}

#[test]
fn one_label_is_not_a_transcript() {
    check_auto(
        "We met Anna in May.\n\nAnna: she said it all.\n\nLater it rained.\n",
        "- | We met Anna in May.\n- | Anna: she said it all.\n- | Later it rained.",
    );
}

#[test]
fn few_labels_in_long_prose_are_not_a_transcript() {
    let mut input = String::from("Mary: one.\n\nJohn: two.\n\n");
    for i in 0..10 {
        input.push_str(&format!("Paragraph {i} of field notes.\n\n"));
    }
    let got = read(&input, Format::Text, &Options::default());
    assert!(got.passages.iter().all(|p| p.speaker.is_none()));
    assert_eq!(got.passages.len(), 12);
}

#[test]
fn transcript_off_keeps_paragraphs() {
    check_with(
        "Anna: One.\nBob: Two.\n",
        Some(false),
        "- | Anna: One.⏎Bob: Two.",
    );
}

#[test]
fn crlf_input() {
    check(
        "Päivi: Hei 🙂\r\n  jatkuu\r\n\r\nBob: Hi\r\n",
        "Päivi | Hei 🙂⏎  jatkuu\nBob | Hi",
    );
}

#[test]
fn project_speaker_pattern() {
    let opts = Options {
        speaker_pattern: Some(
            Regex::new(r"^(?P<speaker>[A-Z]{2,3})>\s*(?:\{(?P<time>[\d:]+)\}\s*)?").unwrap(),
        ),
        ..Options::default()
    };
    let got = read(
        "AB> {01:02} hello\nCD> hi there\ncontinued\nNote: x\n",
        Format::Text,
        &opts,
    );
    assert_same(
        &render(&got),
        "AB @62000 | hello\nCD | hi there⏎continued⏎Note: x",
    );
}

#[test]
fn project_speaker_pattern_bad_time_is_reported() {
    let opts = Options {
        speaker_pattern: Some(Regex::new(r"^(?P<speaker>\w+) \((?P<time>[^)]*)\):").unwrap()),
        ..Options::default()
    };
    let got = read("Anna (soon): hello\nBob (00:10): hi\n", Format::Text, &opts);
    assert_same(&render(&got), "Anna | hello\nBob @10000 | hi");
    assert_eq!(got.diagnostics.len(), 1);
    assert_eq!(got.diagnostics[0].line, Some(1));
}

#[test]
fn speaker_pattern_needs_a_speaker_group() {
    let opts = Options {
        speaker_pattern: Some(Regex::new(r"^(\w+):").unwrap()),
        ..Options::default()
    };
    let err = extract("t.txt", b"Anna: hi", Format::Text, &opts).unwrap_err();
    assert!(matches!(err, Error::SpeakerPattern { .. }), "{err}");
    assert!(err.to_string().contains("(?P<speaker>"));
}

#[test]
fn lower_case_ids_with_digits_hyphens_underscores_and_padding() {
    check(
        "admin-1:     Sure.\np03: Yes — ä 🙂\ninterviewer_2:\tWell…\nSPEAKER_01: Hi.\nSpeaker_2   :   Hm.\n[00:01:02] p04: Late.\n",
        "
        admin-1 | Sure.
        p03 | Yes — ä 🙂
        interviewer_2 | Well…
        SPEAKER_01 | Hi.
        Speaker_2 | Hm.
        p04 @62000 | Late.
        ",
    );
}

#[test]
fn bracketed_ids_at_the_start_of_a_line() {
    check(
        "[id1] So what … happened?\n[P2] Yes.\n[Speaker 1]   Hm, 🙂.\n[00:01:02] [P3] Later.\n[p4]\nOn the next line.\n",
        "
        id1 | So what … happened?
        P2 | Yes.
        Speaker 1 | Hm, 🙂.
        P3 @62000 | Later.
        p4 | On the next line.
        ",
    );
}

#[test]
fn new_label_styles_are_detected_as_transcripts() {
    check_auto(
        "Interview 4\n\n[id1] So what did you do?\n\n[id2] We waited.\n\n[id1] And then?\n",
        "- | Interview 4\nid1 | So what did you do?\nid2 | We waited.\nid1 | And then?",
    );
    check_auto(
        "admin-1:     Sure.\nuser-7:      No.\nadmin-1:     Why?\n",
        "admin-1 | Sure.\nuser-7 | No.\nadmin-1 | Why?",
    );
}

/// The passages of the new label styles point at exactly the utterance, in chars, after
/// multi-byte letters and emoji.
#[test]
fn new_label_styles_keep_exact_char_offsets() {
    let input = "Äö 🙂: x\n\nadmin-1:   Sää 🙂!\n\n[P2] Ünïcödé 👍🏽 ok\n";
    let opts = Options {
        transcript: Some(true),
        ..Options::default()
    };
    let got = read(input, Format::Text, &opts);
    let spans: Vec<(Option<&str>, usize, usize)> = got
        .passages
        .iter()
        .map(|p| (p.speaker.as_deref(), p.start, p.end))
        .collect();
    // "Äö 🙂: x" is 7 chars + LF + LF; "admin-1:   " is 11 chars; "Sää 🙂!" is 6; LF LF; "[P2] ".
    assert_eq!(
        spans,
        [
            (None, 0, 7),
            (Some("admin-1"), 20, 26),
            (Some("P2"), 33, 46),
        ]
    );
    assert_same(
        &render(&got),
        "- | Äö 🙂: x\nadmin-1 | Sää 🙂!\nP2 | Ünïcödé 👍🏽 ok",
    );
}

#[test]
fn guard_lower_case_words_brackets_and_link_definitions() {
    check(
        "Anna: We met.\nso: what now\nfollow-up: call them\nre-: x\ne.g.: this\n[laughter] Really.\n[1] A footnote.\n[Music]\n[id1]: https://example.org\n[P2]says nothing\nhttp://example.org\n10:30: the bus\n",
        "Anna | We met.⏎so: what now⏎follow-up: call them⏎re-: x⏎e.g.: this⏎[laughter] Really.⏎[1] A footnote.⏎[Music]⏎[id1]: https://example.org⏎[P2]says nothing⏎http://example.org⏎10:30: the bus",
    );
}
