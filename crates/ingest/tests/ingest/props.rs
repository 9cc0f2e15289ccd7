//! Property tests: generated transcripts slice back to their utterances; any input keeps the invariants.

use ambit_ingest::{char_slice, extract, Format, Options};
use proptest::prelude::*;

use crate::util::assert_invariants;

const NAMES: &[&str] = &[
    "Päivi Mäkelä",
    "Anna-Liisa O'Brien",
    "Åsa",
    "Dr. Öberg",
    "P1",
    "Interviewer",
    "I",
    "Zoë Ødegård",
    "JÜRGEN",
    "Respondent 2",
    "admin-1",
    "p03",
    "interviewer_2",
    "SPEAKER_01",
];

const WORDS: &[&str] = &[
    "hyvä",
    "öljy",
    "så",
    "—",
    "😀",
    "tack",
    "well",
    "über",
    "naïve",
    "🙂🎉",
    "l'été",
    "10:30",
    "ja",
    "[laughter]",
    "x:",
    "e\u{301}",
    "ok…",
];

/// One turn: speaker index, optional timestamp in seconds, lines of words.
fn turn() -> impl Strategy<Value = (usize, Option<u32>, Vec<Vec<usize>>)> {
    (
        0..NAMES.len(),
        proptest::option::of(0u32..36_000),
        prop::collection::vec(prop::collection::vec(0..WORDS.len(), 1..6), 1..4),
    )
}

fn clock(secs: u32) -> String {
    format!(
        "[{:02}:{:02}:{:02}]",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn generated_transcripts_slice_to_their_utterances(
        turns in prop::collection::vec(turn(), 2..8),
        crlf in any::<bool>(),
        blank_between in any::<bool>(),
        indent in "[ \t]{0,2}",
        bracketed in any::<bool>(),
    ) {
        let eol = if crlf { "\r\n" } else { "\n" };
        let mut input = String::new();
        let mut expected = Vec::new();
        for (name, secs, lines) in &turns {
            let name = NAMES[*name];
            let lines: Vec<String> = lines
                .iter()
                .map(|words| words.iter().map(|&w| WORDS[w]).collect::<Vec<_>>().join(" "))
                .collect();
            if let Some(secs) = secs {
                input.push_str(&clock(*secs));
                input.push(' ');
            }
            // Ids with a digit may also be written `[P1] words`.
            if bracketed && name.chars().any(|c| c.is_ascii_digit()) {
                input.push_str(&format!("[{name}] {}{eol}", lines[0]));
            } else {
                input.push_str(&format!("{name}: {}{eol}", lines[0]));
            }
            for line in &lines[1..] {
                input.push_str(&format!("{indent}{line}{eol}"));
            }
            if blank_between {
                input.push_str(eol);
            }
            let utterance = lines
                .iter()
                .enumerate()
                .map(|(i, l)| if i == 0 { l.clone() } else { format!("{indent}{l}") })
                .collect::<Vec<_>>()
                .join("\n");
            expected.push((name, secs.map(|s| u64::from(s) * 1000), utterance));
        }
        let got = extract("t.txt", input.as_bytes(), Format::Text, &Options::default()).unwrap();
        assert_invariants(&got);
        prop_assert_eq!(got.passages.len(), expected.len());
        for (p, (name, ms, utterance)) in got.passages.iter().zip(&expected) {
            prop_assert_eq!(p.speaker.as_deref(), Some(*name));
            prop_assert_eq!(p.start_ms, *ms);
            prop_assert_eq!(char_slice(&got.text, p.start, p.end), Some(utterance.as_str()));
        }
    }

    #[test]
    fn any_text_keeps_the_invariants(
        input in "[a-zA-ZäÖå🙂—:#\\-=*`~<>&;.\\[\\]() \t\r\n0-9]{0,300}",
        transcript in proptest::option::of(any::<bool>()),
    ) {
        let opts = Options { transcript, ..Options::default() };
        for format in [Format::Text, Format::Markdown] {
            if let Ok(got) = extract("t", input.as_bytes(), format, &opts) {
                assert_invariants(&got);
            }
        }
    }

    #[test]
    fn any_subtitles_keep_the_invariants(
        cues in prop::collection::vec(
            (0u32..5_000, 0u32..5_000, "(<v [A-ZÄ][a-zö]{0,5}>|[A-Z][a-z]{0,4}: )?[a-zäö🙂 &<>;.\\-]{0,30}", any::<bool>()),
            1..8,
        ),
        crlf in any::<bool>(),
    ) {
        let eol = if crlf { "\r\n" } else { "\n" };
        let mut vtt = format!("WEBVTT{eol}{eol}");
        let mut srt = String::new();
        for (i, (a, b, text, broken)) in cues.iter().enumerate() {
            let arrow = if *broken { "->" } else { "-->" };
            vtt.push_str(&format!("00:{:02}.{:03} {arrow} 00:{:02}.{:03}{eol}{text}{eol}{eol}", a / 100, a % 1000, b / 100, b % 1000));
            srt.push_str(&format!("{}{eol}00:00:{:02},{:03} {arrow} 00:00:{:02},{:03}{eol}{text}{eol}{eol}", i + 1, a / 100, a % 1000, b / 100, b % 1000));
        }
        for (input, format) in [(vtt, Format::Vtt), (srt, Format::Srt)] {
            if let Ok(got) = extract("t", input.as_bytes(), format, &Options::default()) {
                assert_invariants(&got);
                for p in &got.passages {
                    if let (Some(s), Some(e)) = (p.start_ms, p.end_ms) {
                        prop_assert!(s <= e);
                    }
                }
            }
        }
    }
}

proptest! {
    #[test]
    fn char_slice_agrees_with_chars(text in "\\PC{0,40}", a in 0usize..45, b in 0usize..45) {
        let n = text.chars().count();
        let expected = (a <= b && b <= n).then(|| text.chars().skip(a).take(b - a).collect::<String>());
        prop_assert_eq!(char_slice(&text, a, b).map(str::to_owned), expected);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        if let Ok(d) = ambit_ingest::decode("b", &bytes) {
            prop_assert!(!d.text.contains('\r'));
        }
        for format in [Format::Text, Format::Markdown, Format::Vtt, Format::Srt] {
            if let Ok(got) = extract("b", &bytes, format, &Options::default()) {
                assert_invariants(&got);
            }
        }
    }
}
