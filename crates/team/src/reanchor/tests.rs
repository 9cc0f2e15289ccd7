//! Re-anchoring cases, each as data: texts with the coding marked `⟦…⟧`.

use super::*;

/// Splits `⟦…⟧` out of `marked`: the plain text and the marked character range.
fn unmark(marked: &str) -> (String, Option<(usize, usize)>) {
    let mut text = String::new();
    let (mut start, mut end) = (None, None);
    let mut n = 0;
    for c in marked.chars() {
        match c {
            '⟦' => start = Some(n),
            '⟧' => end = Some(n),
            _ => {
                text.push(c);
                n += 1;
            }
        }
    }
    (text, start.zip(end))
}

/// Re-anchors the coding marked in `old` in the new text (`new` with the expected place
/// marked, or unmarked when the coding is lost) and checks the outcome.
fn check(old: &str, new: &str, status: Status, needs_review: bool) {
    let (old_text, range) = unmark(old);
    let (start, end) = range.expect("old text has a marked coding");
    let (new_text, expected) = unmark(new);
    let got = reanchor(&old_text, &new_text, &[Span { id: 1, start, end }]).unwrap();
    let got = &got[0];
    let at = got.new_start.zip(got.new_end);
    assert_eq!(
        (at, got.status, got.needs_review),
        (expected, status, needs_review),
        "{old:?} -> {new:?}: {got:?}"
    );
    assert_eq!(
        got.old_quote,
        old_text
            .chars()
            .skip(start)
            .take(end - start)
            .collect::<String>()
    );
    if let Some((s, e)) = at {
        let quote: String = new_text.chars().skip(s).take(e - s).collect();
        assert_eq!(got.new_quote.as_deref(), Some(quote.as_str()));
    }
}

#[test]
fn unchanged_and_shifted() {
    check(
        "A: ⟦we cut the budget⟧.",
        "A: ⟦we cut the budget⟧.",
        Status::Kept,
        false,
    );
    check(
        "A: ⟦we cut the budget⟧.",
        "Q: And then?\nA: ⟦we cut the budget⟧.",
        Status::Moved,
        false,
    );
    check("⟦we cut⟧ it", "⟦we cut⟧ it all", Status::Kept, false);
    check("x ⟦⟧y", "x z ⟦⟧y", Status::Moved, false);
}

#[test]
fn typos_fixed_inside_and_around() {
    check(
        "⟦teh budget was cut⟧.",
        "⟦the budget was cut⟧.",
        Status::Edited,
        true,
    );
    check(
        "We ⟦recieved the money⟧ late",
        "We ⟦received the money⟧ late",
        Status::Edited,
        true,
    );
    check(
        "We ⟦the money⟧ came",
        "We ⟦the mony⟧ came",
        Status::Shrunk,
        true,
    );
    check("tha ⟦money⟧ came", "the ⟦money⟧ came", Status::Kept, false);
    check("the ⟦money⟧ cmae", "the ⟦money⟧ came", Status::Kept, false);
    check(
        "so ⟦dog ran home⟧ fast",
        "so ⟦cat ran home⟧ fast",
        Status::Edited,
        true,
    );
    check(
        "so ⟦ran home⟧ fast",
        "so ⟦ran back home⟧ fast",
        Status::Grown,
        true,
    );
}

#[test]
fn turns_inserted_before_after_and_inside() {
    check(
        "P1: Hi.\n\nP2: ⟦We never had the time.⟧\n",
        "P1: Hi.\n\nP3: Sorry I'm late.\n\nP2: ⟦We never had the time.⟧\n",
        Status::Moved,
        false,
    );
    check(
        "P2: ⟦We never had the time.⟧\n\nP1: Why?",
        "P2: ⟦We never had the time.⟧\n\nP3: Indeed.\n\nP1: Why?",
        Status::Kept,
        false,
    );
    check(
        "⟦P1: We never.\n\nP2: Never.⟧",
        "⟦P1: We never.\n\nP3: Really?\n\nP2: Never.⟧",
        Status::Grown,
        true,
    );
}

#[test]
fn moved_paragraphs_carry_their_codings() {
    check(
        "Intro here.\n\nThe pilot started in March with ⟦three teams⟧ and a coach.\n\nClosing words.",
        "Intro here.\n\nClosing words.\n\nThe pilot started in March with ⟦three teams⟧ and a coach.",
        Status::Moved,
        false,
    );
    // Moved and corrected: found through the moves pass, changed.
    check(
        "Intro here.\n\nThe pilot startd in March with ⟦thre teams and one coach⟧ at first.\n\nClosing words that are long enough.",
        "Intro here.\n\nClosing words that are long enough.\n\nThe pilot started in March with ⟦three teams and one coach⟧ at first.",
        Status::Grown,
        true,
    );
}

#[test]
fn deleted_text_is_lost() {
    check(
        "Keep this. ⟦Drop that.⟧ End.",
        "Keep this. End.",
        Status::Lost,
        true,
    );
    check(
        "Keep this.\n\n⟦A whole turn goes.⟧\n\nEnd.",
        "Keep this.\n\nEnd.",
        Status::Lost,
        true,
    );
    // A sentence between two kept lines goes: what the diff leaves of it (its full stop)
    // codes nothing, so the coding is lost, not shrunk to the punctuation.
    check(
        "First line stays.\n⟦The map was wrong.⟧\nLast line stays.",
        "First line stays.\n.\nLast line stays.",
        Status::Lost,
        true,
    );
}

#[test]
fn partly_deleted_text_shrinks() {
    check(
        "⟦one two three⟧ four",
        "⟦one three⟧ four",
        Status::Shrunk,
        true,
    );
    check(
        "zero ⟦one two⟧ three",
        "zero ⟦one⟧ three",
        Status::Shrunk,
        true,
    );
}

#[test]
fn short_quote_found_elsewhere_needs_review() {
    // The coded turn is gone, but "Yes." occurs in another turn: moved there, as a guess.
    check(
        "A: Did it work?\nB: ⟦Yes.⟧\nA: And the second one, with the new coach?\nC: Yes. It did.",
        "A: Did it work?\nA: And the second one, with the new coach?\nC: ⟦Yes.⟧ It did.",
        Status::Moved,
        true,
    );
}

#[test]
fn non_ascii_text() {
    check(
        "Päivi: ⟦Hyvää huomenta — ok 👍⟧ ja",
        "Päivi Järvinen: ⟦Hyvää huomenta — ok 👍⟧ ja",
        Status::Moved,
        false,
    );
    check(
        "Åsa: ⟦déjà vu👍🏽⟧!",
        "Åsa: ⟦déjà vu 👍🏽⟧!",
        Status::Grown,
        true,
    );
    // Decomposed letters (e + combining acute) count as two characters each.
    check(
        "x ⟦ete\u{301} e\u{301}te\u{301}⟧ y",
        "x z ⟦ete\u{301} e\u{301}te\u{301}⟧ y",
        Status::Moved,
        false,
    );
}

#[test]
fn line_endings() {
    let old = "A: one\nB: two\nC: three";
    let crlf = "A: one\r\nB: two\r\nC: three";
    assert_eq!(normalise_newlines(crlf), old);
    assert_eq!(normalise_newlines("a\rb\r\n\rc"), "a\nb\n\nc");
    assert!(matches!(normalise_newlines(old), Cow::Borrowed(_)));
    // Normalised first, a CRLF save of the same transcript keeps every coding.
    let spans = [Span {
        id: 7,
        start: 3,
        end: 13,
    }];
    let got = reanchor(old, &normalise_newlines(crlf), &spans).unwrap();
    assert_eq!(got[0].status, Status::Kept);
    // Not normalised, offsets stay exact and the coding is seen as edited.
    let got = reanchor(old, crlf, &spans).unwrap();
    assert_eq!(got[0].new_quote.as_deref(), Some("one\r\nB: two"));
    assert_eq!(got[0].status, Status::Grown);
}

#[test]
fn refuses_ranges_outside_the_old_text() {
    let err = reanchor(
        "abc",
        "abc",
        &[Span {
            id: 9,
            start: 2,
            end: 4,
        }],
    )
    .unwrap_err();
    assert!(err.to_string().contains("coding 9"), "{err}");
    assert!(reanchor(
        "abc",
        "abc",
        &[Span {
            id: 9,
            start: 3,
            end: 2
        }]
    )
    .is_err());
}

/// A realistic correction of a transcript: typos fixed, a turn inserted, a paragraph moved,
/// a sentence deleted; each coding's outcome checked.
#[test]
fn realistic_transcript_correction() {
    let old = "Interviewer: How did the first phase go?\n\n\
Päivi: It was hard. We had to recieve the new guidelines and nobody had time to read them.\n\n\
Interviewer: And the team?\n\n\
Päivi: The team was split. Half wanted to explore new ways of working, half wanted to keep the old routines.\n\n\
Kari: I would add that the management did not help — they changed the targets twice.\n\n\
Päivi: Yes. And we lost two people in spring.\n";
    let new = "Interviewer: How did the first phase go?\n\n\
Päivi: It was hard. We had to receive the new guidelines and nobody had time to read them.\n\n\
Interviewer: And the team?\n\n\
Kari: I would add that the management did not help — they changed the targets twice.\n\n\
Päivi: The team was split. Half wanted to explore new ways of working, half wanted to keep the old routines.\n\n\
Interviewer: Was that a problem?\n\n\
Päivi: Yes. And we lost two people in spring.\n";
    let quotes = [
        "We had to recieve the new guidelines",
        "nobody had time to read them",
        "Half wanted to explore new ways of working",
        "half wanted to keep the old routines",
        "the management did not help — they changed the targets twice",
        "we lost two people in spring",
        "How did the first phase go?",
    ];
    let spans: Vec<Span> = quotes
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let b = old.find(q).unwrap();
            let start = old[..b].chars().count();
            Span {
                id: i as i64,
                start,
                end: start + q.chars().count(),
            }
        })
        .collect();
    let got = reanchor(old, new, &spans).unwrap();
    let outcome: Vec<(Status, Option<&str>)> = got
        .iter()
        .map(|a| (a.status, a.new_quote.as_deref()))
        .collect();
    assert_eq!(
        outcome,
        [
            (Status::Edited, Some("We had to receive the new guidelines")),
            (Status::Kept, Some("nobody had time to read them")),
            (
                Status::Moved,
                Some("Half wanted to explore new ways of working")
            ),
            (Status::Moved, Some("half wanted to keep the old routines")),
            (
                Status::Moved,
                Some("the management did not help — they changed the targets twice")
            ),
            (Status::Moved, Some("we lost two people in spring")),
            (Status::Kept, Some("How did the first phase go?")),
        ]
    );
    assert!(got.iter().all(|a| a.needs_review == a.status.is_changed()));
}
