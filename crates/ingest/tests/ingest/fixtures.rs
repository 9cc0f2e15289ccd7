//! The sample files in tests/fixtures read as a researcher would expect.

use std::path::Path;

use ambit_ingest::{extract, format_for_path, Extracted, Options};

use crate::util::{assert_invariants, assert_same, render, render_diagnostics};

fn load(file: &str) -> Extracted {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(file);
    let bytes = std::fs::read(&path).unwrap();
    let format = format_for_path(&path).unwrap();
    let got = extract(file, &bytes, format, &Options::default()).unwrap();
    assert_invariants(&got);
    got
}

#[test]
fn interview_txt() {
    let got = load("interview.txt");
    assert_same(
        &render(&got),
        "
        - | Interview 7 — community garden, Kallio⏎Recorded 12 March 2024. Transcribed by P. M.
        Interviewer @5000 | Could you start by telling me how you first came to the garden?
        Päivi Mäkelä @12000 | Well, it was spring 2019 — my neighbour Anna-Liisa⏎dragged me along. [laughs] I didn't know anything about plants.
        Interviewer @62000 | And now?
        Päivi Mäkelä @65000 | Now I run the Tuesday group. Note: we meet at 10:30, not 10.⏎See https://example.org/garden for the rota.
        - | [break]
        Anna-Liisa O'Brien @940000 | Can I add something? She's too modest 🙂
        ",
    );
    assert!(got.diagnostics.is_empty());
}

#[test]
fn workshop_vtt() {
    let got = load("workshop.vtt");
    assert_same(
        &render(&got),
        "
        Päivi Mäkelä @1000-7000 | Tervetuloa kaikki, welcome everyone. Let's start with a round of names.
        Åsa Öberg @8000-11000 | Hej, I'm Åsa & I work at the library. (laughter)
        Päivi Mäkelä @12000-14000 | Thanks — next?
        ",
    );
    assert!(got.text.starts_with("Päivi Mäkelä: Tervetuloa kaikki"));
    assert!(got.diagnostics.is_empty());
}

#[test]
fn focus_group_srt() {
    let got = load("focus-group.srt");
    assert_same(
        &render(&got),
        "
        MODERATOR @1000-6000 | Welcome to the second session. Let's begin.
        P1 @6500-9000 | I think the bus schedule changed everything.
        P2 | Not for me.
        P2 @10000-12000 | I always cycled.
        ",
    );
    assert_same(
        &render_diagnostics(&got),
        "15: the cue ends (00:00:08.000) before it starts (00:00:09.000); its text is kept as its own passage without a time",
    );
}

#[test]
fn fieldnotes_md() {
    let got = load("fieldnotes.md");
    assert_eq!(got.meta.title.as_deref(), Some("Fieldnotes: market day"));
    assert_eq!(got.meta.date.as_deref(), Some("2024-05-04"));
    assert_eq!(
        got.meta.attributes.get("observer").map(String::as_str),
        Some("P. M.")
    );
    assert!(got.text.starts_with("# Morning\n"));
    assert_same(
        &render(&got),
        "
        # - | Morning
        - | Arrived 8:40. Stalls still setting up; the coffee van was first.
        - | Vendors talked about the renovation:⏎prices, parking, the old hall.
        # - | Afternoon
        Vendor A | Since the hall closed we lost the regulars.
        Vendor B | Not me — tourists come anyway.
        ",
    );
}

#[test]
fn legacy_encoding_txt() {
    let got = load("legacy-1252.txt");
    assert_eq!(got.encoding, "windows-1252");
    assert_same(
        &render(&got),
        "
        Haastattelija | Miten päivä meni?
        Vastaaja | Hyvin, kiitos. Kävimme torilla ja söimme lohikeittoa – herkullista!
        ",
    );
    assert_same(&render_diagnostics(&got), "-: decoded as windows-1252 (guessed: the file is not UTF-8 from byte 22 on); if letters look wrong, save the file as UTF-8 and import it again");
}

#[test]
fn almost_utf8_txt() {
    let got = load("almost-utf8.txt");
    assert_eq!(got.encoding, "UTF-8");
    assert_same(
        &render(&got),
        "
        Haastattelija | Miten päivä meni?
        Vastaaja | Hyvin, kiitos. Kävimme torilla — café oli kiinni.
        Haastattelija | Ja sitten?
        Vastaaja | Hän sanoi �näin on�.
        Haastattelija | Kiitos 🙂 ja hei�
        ",
    );
    assert_same(
        &render_diagnostics(&got),
        "-: the file was read as UTF-8, but it is not valid UTF-8 at byte 149 (line 4), byte 158 (line 4) and bytes 195–196 (line 5); each such place now reads �. Check the text there: the original characters are lost unless the file is fixed (saved as UTF-8) and imported again",
    );
}

#[test]
fn label_ids_txt() {
    let got = load("ids.txt");
    assert_same(
        &render(&got),
        "
        - | Support call 12 (chat export)
        admin-1 | Hi, how can I help?
        user-7 | My login fails — “konto låst”.
        admin-1 | Sure.   Let me check.
        id1 | So what happened next?
        id2 | We waited 🙂 and it worked.
        ",
    );
    assert!(got.diagnostics.is_empty(), "{:?}", got.diagnostics);
}
