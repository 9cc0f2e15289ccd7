//! Files that would import wrongly are refused as a whole, naming the element and line.

use std::io::Cursor;

use ambit_ingest::ZipLimits;
use ambit_qdpx::{read_qdpx, Error, ReadOptions};

use crate::tolerance::{base, base_qde, source_entry, CHILD, CODE, NOTE, SEL, SRC, TEXT, USER};
use crate::util::{qdpx, read, zip};

/// `bytes` is refused and the message holds every one of `expected`.
fn refused(bytes: &[u8], expected: &[&str]) -> Error {
    refused_with(bytes, &ReadOptions::default(), expected)
}

fn refused_with(bytes: &[u8], opts: &ReadOptions, expected: &[&str]) -> Error {
    let err = match read_qdpx(Cursor::new(bytes), opts) {
        Ok((_, report)) => panic!("imported: {report:?}"),
        Err(e) => e,
    };
    let msg = err.to_string();
    for e in expected {
        assert!(msg.contains(e), "{e:?} not in: {msg}");
    }
    err
}

fn with_qde(qde: &str) -> Vec<u8> {
    qdpx(qde, &[(&source_entry(), TEXT.as_bytes())])
}

#[test]
fn not_a_zip() {
    let e = refused(b"<Project/>", &["project.qdpx", "not a ZIP archive"]);
    assert!(matches!(e, Error::Archive { .. }));
}

#[test]
fn truncated_archive() {
    let bytes = base();
    let e = refused(&bytes[..bytes.len() / 2], &["truncated"]);
    assert!(matches!(e, Error::Archive { .. }));
}

#[test]
fn damaged_entry() {
    // A complete archive whose source file's compressed bytes were changed.
    let text = "Anna: We crossed a boundary today. ".repeat(200);
    let mut bytes = qdpx(&base_qde(), &[(&source_entry(), text.as_bytes())]);
    let at = bytes
        .windows(source_entry().len())
        .rposition(|w| w == source_entry().as_bytes())
        .unwrap();
    // The local header's name comes first; its data follows it. Damage the data.
    let first = bytes
        .windows(source_entry().len())
        .position(|w| w == source_entry().as_bytes())
        .unwrap();
    assert!(first < at);
    let data = first + source_entry().len() + 20;
    for b in &mut bytes[data..data + 8] {
        *b ^= 0x5A;
    }
    let e = refused(&bytes, &["damaged or truncated"]);
    assert!(matches!(e, Error::Archive { .. }), "{e}");
}

#[test]
fn zip_bomb_by_declared_size() {
    let opts = ReadOptions {
        zip: ZipLimits::for_file_limit(1 << 20),
        ..ReadOptions::default()
    };
    let zeros = vec![b' '; 3 << 20];
    let bytes = zip(&[
        ("project.qde", base_qde().as_bytes()),
        (&source_entry(), &zeros),
    ]);
    let e = refused_with(&bytes, &opts, &["zip bomb", "per-entry limit"]);
    assert!(matches!(e, Error::ArchiveLimit { .. }));
}

#[test]
fn zip_bomb_by_ratio() {
    let opts = ReadOptions {
        zip: ZipLimits::for_file_limit(1 << 20),
        ..ReadOptions::default()
    };
    let mut text = TEXT.as_bytes().to_vec();
    text.extend(std::iter::repeat_n(b' ', (3 << 20) / 2));
    let bytes = zip(&[
        ("project.qde", base_qde().as_bytes()),
        (&source_entry(), &text),
    ]);
    let e = refused_with(&bytes, &opts, &["zip bomb", "times its compressed size"]);
    assert!(matches!(e, Error::ArchiveLimit { .. }));
}

#[test]
fn unsafe_entry_names() {
    for name in ["../evil.txt", "Sources/../../evil.txt", "/etc/passwd"] {
        let bytes = zip(&[("project.qde", base_qde().as_bytes()), (name, b"x")]);
        let e = refused(&bytes, &[name, "unsafe path"]);
        assert!(matches!(e, Error::UnsafeEntry { .. }), "{name}");
    }
}

#[test]
fn no_project_document() {
    let bytes = zip(&[(&source_entry(), TEXT.as_bytes())]);
    let e = refused(&bytes, &["no `project.qde`", "Sources/"]);
    assert!(matches!(e, Error::NoProject { .. }));
}

#[test]
fn malformed_qde() {
    let qde = base_qde();
    let cut = &qde[..qde.find("<Sources>").unwrap()];
    refused(&with_qde(cut), &["project.qde line 14", "truncated"]);
    let bad = qde.replacen("</Users>", "</User>", 1);
    refused(&with_qde(&bad), &["project.qde line 5", "not well-formed"]);
    refused(&with_qde("garbage"), &["project.qde line 1"]);
    refused(&with_qde(""), &["no root element"]);
    refused(&with_qde("<CodeBook/>"), &["root element is `CodeBook`"]);
    let latin = qde.replacen("utf-8", "windows-1252", 1);
    refused(&with_qde(&latin), &["encoding `windows-1252`"]);
}

#[test]
fn references_to_guids_that_do_not_exist() {
    const GHOST: &str = "DEADBEEF-0000-4000-8000-000000000000";
    for (from, element, attr, expected, line) in [
        (
            format!("<CodeRef targetGUID=\"{CHILD}\"/>"),
            "CodeRef",
            "targetGUID",
            "code",
            18,
        ),
        (
            format!("<NoteRef targetGUID=\"{NOTE}\"/>"),
            "NoteRef",
            "targetGUID",
            "note",
            19,
        ),
        (
            format!("creatingUser=\"{USER}\">\n          <CodeRef"),
            "Coding",
            "creatingUser",
            "user",
            17,
        ),
        (
            format!("<MemberSource targetGUID=\"{SRC}\"/>"),
            "MemberSource",
            "targetGUID",
            "source",
            31,
        ),
    ] {
        let broken = from.replace(
            [CHILD, NOTE, USER, SRC]
                .into_iter()
                .find(|g| from.contains(g))
                .unwrap(),
            GHOST,
        );
        let qde = base_qde().replacen(&from, &broken, 1);
        assert_ne!(qde, base_qde(), "{from}");
        let e = refused(
            &with_qde(&qde),
            &[
                &format!("line {line}"),
                &format!("`{element}` {attr}=\"{GHOST}\""),
                expected,
            ],
        );
        assert!(matches!(e, Error::UnknownGuid { .. }), "{e}");
    }
    // A reference to the wrong kind of object is as wrong as one to nothing.
    let qde = base_qde().replacen(
        &format!("<CodeRef targetGUID=\"{CHILD}\"/>"),
        &format!("<CodeRef targetGUID=\"{USER}\"/>"),
        1,
    );
    refused(&with_qde(&qde), &["points at no code"]);
}

#[test]
fn plain_text_path_naming_a_missing_file() {
    let bytes = qdpx(&base_qde(), &[]);
    let e = refused(
        &bytes,
        &[
            "line 15",
            "`TextSource`",
            &format!("internal://{SRC}.txt"),
            "not in the archive",
        ],
    );
    assert!(matches!(e, Error::MissingFile { .. }));
}

#[test]
fn positions_outside_the_text() {
    let qde = base_qde().replacen("endPosition=\"27\"", "endPosition=\"90\"", 1);
    let e = refused(
        &with_qde(&qde),
        &[
            "line 16",
            "`PlainTextSelection`",
            "Interview A",
            "19..90",
            "35 characters",
        ],
    );
    assert!(matches!(e, Error::Position { .. }));
}

#[test]
fn start_after_end() {
    let qde = base_qde().replacen("startPosition=\"19\"", "startPosition=\"30\"", 1);
    refused(
        &with_qde(&qde),
        &["line 16", "startPosition 30 is after endPosition 27"],
    );
    let qde = base_qde().replacen("startPosition=\"19\"", "startPosition=\"-1\"", 1);
    refused(&with_qde(&qde), &["line 16", "negative"]);
    let qde = base_qde().replacen("startPosition=\"19\"", "startPosition=\"x\"", 1);
    refused(&with_qde(&qde), &["line 16", "not a whole number"]);
}

#[test]
fn duplicate_guids() {
    let qde = base_qde().replacen(&format!("guid=\"{SEL}\""), &format!("guid=\"{CODE}\""), 1);
    let e = refused(
        &with_qde(&qde),
        &[
            "line 16",
            "`PlainTextSelection` has GUID",
            "`Code` on line 8",
        ],
    );
    assert!(matches!(e, Error::DuplicateGuid { .. }));
    // The same GUID in another spelling is the same GUID.
    let qde = base_qde().replacen(
        &format!("guid=\"{SEL}\""),
        &format!("guid=\"{{{}}}\"", CODE.to_lowercase()),
        1,
    );
    refused(&with_qde(&qde), &["has GUID"]);
}

#[test]
fn missing_required_parts() {
    let qde = base_qde().replacen(&format!("<User guid=\"{USER}\""), "<User", 1);
    refused(&with_qde(&qde), &["line 4", "`User` has no `guid`"]);
    let qde = base_qde().replacen(&format!("<CodeRef targetGUID=\"{CHILD}\"/>"), "", 1);
    refused(&with_qde(&qde), &["`Coding` has no `CodeRef`"]);
    let qde = base_qde().replacen(&format!("guid=\"{SEL}\""), "guid=\"not-a-guid\"", 1);
    refused(&with_qde(&qde), &["line 16", "is not a GUID"]);
}

#[test]
fn the_unchanged_base_imports() {
    assert!(read(&base()).is_ok());
}
