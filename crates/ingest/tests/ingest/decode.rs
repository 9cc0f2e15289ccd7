//! Decoding: BOMs, UTF-16, guessed legacy encodings, binary refusal, line endings, refusals in `extract`.

use ambit_ingest::{decode, extract, Error, Format, Options};

/// Decodes and compares text, encoding and whether a warning mentions `warning`.
#[track_caller]
fn check(bytes: &[u8], text: &str, encoding: &str, warning: Option<&str>) {
    let got = decode("f.txt", bytes).unwrap();
    assert_eq!(got.text, text);
    assert_eq!(got.encoding, encoding);
    match (warning, &got.warning) {
        (None, None) => {}
        (Some(part), Some(w)) => assert!(w.contains(part), "{w:?} lacks {part:?}"),
        (want, got) => panic!("warning: expected {want:?}, got {got:?}"),
    }
}

/// Decoding fails; the message names the file and contains each of `parts`.
#[track_caller]
fn check_err(bytes: &[u8], parts: &[&str]) -> Error {
    let err = decode("f.txt", bytes).unwrap_err();
    let msg = err.to_string();
    assert!(msg.starts_with("f.txt: "), "{msg}");
    for part in parts {
        assert!(msg.contains(part), "{msg:?} lacks {part:?}");
    }
    err
}

fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
    let mut units: Vec<u16> = text.encode_utf16().collect();
    if bom {
        units.insert(0, 0xFEFF);
    }
    units
        .into_iter()
        .flat_map(|u| {
            if big_endian {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            }
        })
        .collect()
}

#[test]
fn utf8_plain_and_with_bom() {
    check(
        "Päivi: hei 🙂\n".as_bytes(),
        "Päivi: hei 🙂\n",
        "UTF-8",
        None,
    );
    check(
        "\u{FEFF}Päivi: hei\n".as_bytes(),
        "Päivi: hei\n",
        "UTF-8",
        None,
    );
}

#[test]
fn utf16_with_bom() {
    let text = "Päivi: hei 🙂\r\nÅsa: tack\r\n";
    let expected = "Päivi: hei 🙂\nÅsa: tack\n";
    check(&utf16(text, false, true), expected, "UTF-16LE", None);
    check(&utf16(text, true, true), expected, "UTF-16BE", None);
}

#[test]
fn utf16_without_bom_is_guessed() {
    let text = "Anna: hello there\nBob: hi\n";
    check(
        &utf16(text, false, false),
        text,
        "UTF-16LE",
        Some("guessed"),
    );
    check(&utf16(text, true, false), text, "UTF-16BE", Some("guessed"));
}

#[test]
fn legacy_encoding_is_guessed_with_warning() {
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(
        "Päivi Mäkelä: Hyvää huomenta, tässä on pöytäkirja. Café – naïve, déjà vu.\r\n\
         Åsa Öberg: Tack så mycket, vi ses på fredag i Göteborg.\r\n",
    );
    check(
        &bytes,
        "Päivi Mäkelä: Hyvää huomenta, tässä on pöytäkirja. Café – naïve, déjà vu.\n\
         Åsa Öberg: Tack så mycket, vi ses på fredag i Göteborg.\n",
        "windows-1252",
        Some("decoded as windows-1252 (guessed"),
    );
}

#[test]
fn invalid_utf8_after_bom_is_replaced_with_warning() {
    check(
        b"\xEF\xBB\xBFab\xFFc",
        "ab\u{FFFD}c",
        "UTF-8",
        Some("byte 5"),
    );
}

#[test]
fn line_endings_become_lf() {
    check(b"a\r\nb\rc\n\r\nd\r", "a\nb\nc\n\nd\n", "UTF-8", None);
}

#[test]
fn nul_byte_is_refused_with_its_offset() {
    let err = check_err(b"Anna: hi\x00there and some more text", &["byte 8", "NUL"]);
    assert!(matches!(err, Error::NotText { offset: 8, .. }));
}

#[test]
fn control_characters_are_refused_with_first_offset() {
    let err = check_err(b"ab\x01\x02\x03\x04\x05\x06cd", &["byte 2", "control"]);
    assert!(matches!(err, Error::NotText { offset: 2, .. }));
}

#[test]
fn a_stray_control_character_is_tolerated() {
    let mut bytes = b"x".repeat(100);
    bytes[50] = 0x07;
    bytes.extend_from_slice(b"\x0c\x1a");
    assert!(decode("f.txt", &bytes).is_ok());
}

#[test]
fn nul_in_utf16_text_is_refused_at_its_byte() {
    let mut bytes = utf16("ab", false, true);
    bytes.extend_from_slice(&[0, 0]);
    let err = check_err(&bytes, &["byte 6"]);
    assert!(matches!(err, Error::NotText { offset: 6, .. }));
}

#[test]
fn binary_magic_is_refused() {
    check_err(b"PK\x03\x04\x14\x00rest", &["ZIP archive", ".docx"]);
    check_err(b"%PDF-1.4\n%\xe2\xe3", &["PDF"]);
}

#[test]
fn empty_inputs() {
    for bytes in [&b""[..], b"\xEF\xBB\xBF", b" \n\r\n\t", b"\xFF\xFE"] {
        let err = check_err(bytes, &["empty"]);
        assert!(matches!(err, Error::Empty { .. }));
    }
}

#[test]
fn extract_refuses_other_content_under_a_text_name() {
    let opts = Options::default();
    let err = extract("report.txt", b"%PDF-1.7 ...", Format::Text, &opts).unwrap_err();
    assert!(matches!(err, Error::ExtensionMismatch { .. }));
    let msg = err.to_string();
    assert!(
        msg.contains("report.txt") && msg.contains("PDF") && msg.contains("plain text (.txt)"),
        "{msg}"
    );
    let err = extract("notes.md", b"PK\x03\x04....", Format::Markdown, &opts).unwrap_err();
    assert!(err.to_string().contains(".docx"), "{err}");
}

#[test]
fn extract_refuses_too_large() {
    let opts = Options {
        max_bytes: 4,
        ..Options::default()
    };
    let err = extract("big.txt", b"hello", Format::Text, &opts).unwrap_err();
    assert!(matches!(
        err,
        Error::TooLarge {
            size: 5,
            limit: 4,
            ..
        }
    ));
    let msg = err.to_string();
    assert!(
        msg.contains("big.txt") && msg.contains("max_bytes"),
        "{msg}"
    );
}

#[test]
fn extract_reports_the_guessed_encoding() {
    let got = extract(
        "old.txt",
        b"Caf\xe9 au lait, tr\xe8s bien.\n",
        Format::Text,
        &Options::default(),
    )
    .unwrap();
    assert_eq!(got.encoding, "windows-1252");
    assert_eq!(got.text, "Café au lait, très bien.\n");
    assert_eq!(got.diagnostics.len(), 1);
    assert_eq!(got.diagnostics[0].line, None);
}

/// UTF-8 with a few invalid sequences stays UTF-8: the text with U+FFFD for each, and one
/// warning naming every `place` (`byte 44 (line 2)`).
#[track_caller]
fn check_replaced(bytes: &[u8], text: &str, places: &[&str]) {
    let got = decode("f.txt", bytes).unwrap();
    assert_eq!(got.encoding, "UTF-8");
    assert_eq!(got.text, text);
    let warning = got.warning.unwrap();
    for place in places {
        assert!(warning.contains(place), "{warning:?} lacks {place:?}");
    }
    assert_eq!(
        warning.matches("byte").count(),
        places.len(),
        "{warning:?} names other places than {places:?}"
    );
}

#[test]
fn almost_utf8_is_utf8_with_the_bad_bytes_replaced() {
    // A stray Windows quote in a UTF-8 transcript.
    check_replaced(
        b"P\xC3\xA4ivi: caf\xC3\xA9 \xE2\x80\x94 na\xC3\xAFve \xF0\x9F\x99\x82\nAnna: a stray \x92quote\n",
        "Päivi: café — naïve 🙂\nAnna: a stray \u{FFFD}quote\n",
        &["byte 44 (line 2)"],
    );
    // Cut short in the middle of a character.
    check_replaced(
        &["café naïve\n".as_bytes(), b"\xC3"].concat(),
        "café naïve\n\u{FFFD}",
        &["byte 13 (line 2)"],
    );
    // A broken three-byte sequence is one place; CRLF counts as one line break, lone CR too.
    check_replaced(
        &["Ääkkönen: hyvä\r\nx ".as_bytes(), b"\xE2\x80 y"].concat(),
        "Ääkkönen: hyvä\nx \u{FFFD} y",
        &["bytes 22–23 (line 2)"],
    );
    check_replaced(
        b"\xC3\xA9\r\xC3\xB6\r\xFF",
        "é\nö\n\u{FFFD}",
        &["byte 6 (line 3)"],
    );
}

#[test]
fn many_bad_bytes_are_listed_then_counted() {
    let mut bytes = "ä".repeat(30).into_bytes();
    for _ in 0..12 {
        bytes.extend_from_slice(b" \x92");
    }
    let got = decode("f.txt", &bytes).unwrap();
    assert_eq!(got.encoding, "UTF-8");
    assert_eq!(got.text.matches('\u{FFFD}').count(), 12);
    let warning = got.warning.unwrap();
    assert!(
        warning.contains("byte 61 (line 1), byte 63 (line 1)"),
        "{warning}"
    );
    assert!(
        warning.contains("byte 79 (line 1) and 2 more places"),
        "{warning}"
    );
}

#[test]
fn real_legacy_files_are_still_guessed() {
    check(
        b"caf\xe9 au lait",
        "café au lait",
        "windows-1252",
        Some("guessed"),
    );
    // `ß“` is by chance a valid UTF-8 sequence; the file's other letters outweigh it.
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode("„Spaß“ – Größe, Übung, schön, Bär.\r\n");
    assert!(std::str::from_utf8(&bytes[4..6]).is_ok());
    check(
        &bytes,
        "„Spaß“ – Größe, Übung, schön, Bär.\n",
        "windows-1252",
        Some("guessed"),
    );
    // As many valid as invalid sequences: replacing would damage as much as guessing, so the
    // guess stands.
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode("Spaß“ schön");
    check(&bytes, "Spaß“ schön", "windows-1252", Some("guessed"));
}

#[test]
fn almost_utf8_is_reported_once_by_extract() {
    let got = extract(
        "mixed.txt",
        b"Anna: caf\xC3\xA9 \xE2\x80\x94 \x93ok\x94\nBob: na\xC3\xAFve\n",
        Format::Text,
        &Options::default(),
    )
    .unwrap();
    assert_eq!(got.encoding, "UTF-8");
    assert_eq!(got.text, "Anna: café — \u{FFFD}ok\u{FFFD}\nBob: naïve\n");
    assert_eq!(got.diagnostics.len(), 1, "{:#?}", got.diagnostics);
    assert_eq!(got.diagnostics[0].line, None);
    let msg = &got.diagnostics[0].message;
    assert!(
        msg.contains("byte 16 (line 1) and byte 19 (line 1)"),
        "{msg}"
    );
    assert_eq!(got.passages.len(), 2);
}
