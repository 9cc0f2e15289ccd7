//! Readers on files a real office suite wrote (LibreOffice), and on the hostile-file corpus in the repository's `tests/corpus/`.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use ambit_ingest::{char_slice, extract_all, Error, Format, Options};

fn corpus(name: &str) -> (String, Vec<u8>) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/corpus")
        .join(name);
    (name.to_owned(), std::fs::read(&path).unwrap())
}

/// Reads a fixture and compares (speaker, page, text) of every passage whose text contains one
/// of the `expected` snippets, in order; every snippet must be found.
fn check(name: &str, opts: &Options, expected: &[(Option<&str>, Option<u32>, &str)]) {
    let (shown, bytes) = corpus(name);
    let format = ambit_ingest::format_for_path(std::path::Path::new(name)).unwrap();
    let docs = extract_all(&shown, &bytes, format, opts).unwrap();
    let mut got = Vec::new();
    for doc in &docs {
        let chars = doc.text.chars().count();
        for p in &doc.passages {
            assert!(p.start < p.end && p.end <= chars, "{name}: {p:?}");
            let slice = char_slice(&doc.text, p.start, p.end).unwrap();
            assert_eq!(
                slice,
                slice.trim(),
                "{name}: passage with surrounding space"
            );
            // Who said it, or (in a survey) which question it answers.
            assert!(p.speaker.is_none() || p.question.is_none(), "{name}: {p:?}");
            let label = p.speaker.clone().or_else(|| p.question.clone());
            got.push((label, p.page, slice.to_owned()));
        }
    }
    let mut from = 0;
    for (speaker, page, snippet) in expected {
        let at = got[from..]
            .iter()
            .position(|(_, _, t)| t.contains(snippet))
            .unwrap_or_else(|| {
                panic!("{name}: no passage with {snippet:?} after #{from} in {got:#?}")
            });
        let (s, p, _) = &got[from + at];
        assert_eq!(
            (s.as_deref(), *p),
            (*speaker, *page),
            "{name}: passage with {snippet:?}"
        );
        from += at + 1;
    }
}

const TRANSCRIPT: &[(Option<&str>, Option<u32>, &str)] = &[
    (None, None, "Interview with Björn Ekström"),
    (
        Some("Erik Nyström"),
        None,
        "what changed after the workshop in Tampere?",
    ),
    (
        Some("Björn Ekström"),
        None,
        "Åsa said “now I see what you mean”",
    ),
    (
        Some("Björn Ekström"),
        None,
        "For us an order is a work order in SAP PM.",
    ),
    (
        None,
        None,
        "Term\tMeaning at Norrvik\norder\twork order (SAP PM)",
    ),
    (None, None, "shared glossary 👍"),
    (None, None, "Page two: Björn Ekström: We still disagree"),
    (
        None,
        None,
        "[1] The as-is swimlane map drawn on 20 March 2013.",
    ),
];

#[test]
fn docx_made_by_libreoffice() {
    check("good/transcript.docx", &Options::default(), TRANSCRIPT);
}

#[test]
fn odt_made_by_libreoffice() {
    check("good/transcript.odt", &Options::default(), TRANSCRIPT);
}

#[test]
fn docx_and_odt_properties() {
    for name in ["good/transcript.docx", "good/transcript.odt"] {
        let (shown, bytes) = corpus(name);
        let format = ambit_ingest::format_for_path(std::path::Path::new(name)).unwrap();
        let doc = &extract_all(&shown, &bytes, format, &Options::default()).unwrap()[0];
        assert_eq!(
            doc.meta.title.as_deref(),
            Some("Interview: Björn Ekström (Norrvik Energi)"),
            "{name}"
        );
        assert_eq!(doc.meta.date.as_deref(), Some("2013-04-09"), "{name}");
    }
}

#[test]
fn pdf_made_by_libreoffice_has_pages() {
    check(
        "good/transcript.pdf",
        &Options::default(),
        &[
            // A PDF has lines, not paragraphs: page 1 is one passage here.
            (None, Some(1), "what changed after the workshop"),
            (None, Some(2), "We still disagree about who pays"),
        ],
    );
}

#[test]
fn html_page() {
    check(
        "good/page.html",
        &Options::default(),
        &[
            (None, None, "Piloting the shared map"),
            (None, None, "Päivi Mäkelä’s office & at Norrvik."),
        ],
    );
}

#[test]
fn eml_and_mbox() {
    let opts = Options {
        transcript: Some(false),
        ..Options::default()
    };
    check(
        "good/thread.eml",
        &opts,
        &[
            (
                Some("Åsa Ström"),
                None,
                "I agree the SLA must say it — but not in the map 👍",
            ),
            (
                Some("Kari Järvinen (quoted)"),
                None,
                "> Who pays when Lars's team",
            ),
        ],
    );
    check(
        "good/glossary.mbox",
        &opts,
        &[
            (Some("Åsa Ström"), None, "An order is a work order for us."),
            (
                Some("Kari Järvinen"),
                None,
                "For Saimaa an order is a purchase order.",
            ),
        ],
    );
}

#[test]
fn csv_survey() {
    let opts = Options {
        text_columns: vec![
            "What works better now?".into(),
            "What still annoys you?".into(),
        ],
        id_column: Some("respondent".into()),
        ..Options::default()
    };
    check(
        "good/survey.csv",
        &opts,
        &[
            (
                Some("What works better now?"),
                None,
                "We agree what an order is — finally.",
            ),
            (
                Some("What still annoys you?"),
                None,
                "Who pays for call-outs.",
            ),
            (
                Some("What works better now?"),
                None,
                "I know when the technician comes.\nReally!",
            ),
        ],
    );
}

/// Every hostile file is an error of the expected kind, never a panic.
#[test]
fn hostile_files_are_refused() {
    type Pred = fn(&Error) -> bool;
    let cases: &[(&str, Pred)] = &[
        ("hostile/truncated.docx", |e| {
            matches!(e, Error::Corrupt { .. })
        }),
        ("hostile/corrupt.docx", |e| {
            matches!(e, Error::Corrupt { .. })
        }),
        ("hostile/malformed.docx", |e| {
            matches!(e, Error::Corrupt { .. })
        }),
        ("hostile/malformed.odt", |e| {
            matches!(e, Error::Corrupt { .. })
        }),
        ("hostile/bomb.docx", |e| {
            matches!(e, Error::ArchiveLimit { .. })
        }),
        ("hostile/traversal.docx", |e| {
            matches!(e, Error::UnsafeArchivePath { .. })
        }),
        ("hostile/absolute.odt", |e| {
            matches!(e, Error::UnsafeArchivePath { .. })
        }),
        ("hostile/broken-xref.pdf", |e| {
            matches!(e, Error::Corrupt { .. })
        }),
        ("hostile/really-a-pdf.docx", |e| {
            matches!(e, Error::ExtensionMismatch { .. })
        }),
        ("hostile/really-an-odt.pdf", |e| {
            matches!(e, Error::ExtensionMismatch { .. })
        }),
        ("hostile/really-text.xlsx", |e| {
            matches!(e, Error::ExtensionMismatch { .. })
        }),
        ("hostile/memo.rtf", |e| {
            matches!(e, Error::Unsupported { .. })
        }),
    ];
    for (name, pred) in cases {
        let (shown, bytes) = corpus(name);
        let format = ambit_ingest::format_for_path(std::path::Path::new(name)).unwrap();
        let Err(err) = extract_all(&shown, &bytes, format, &Options::default()) else {
            panic!("{name} was accepted");
        };
        assert!(pred(&err), "{name}: {err}");
        assert!(err.to_string().contains(name), "{name}: {err}");
    }
}

#[test]
fn multi_document_formats_need_extract_all() {
    let (shown, bytes) = corpus("good/glossary.mbox");
    let err = ambit_ingest::extract(&shown, &bytes, Format::Mbox, &Options::default()).unwrap_err();
    assert!(
        matches!(err, Error::SeveralDocuments { count: 2, .. }),
        "{err}"
    );
}
