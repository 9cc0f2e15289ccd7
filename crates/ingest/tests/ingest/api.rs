//! Small public helpers: format by path, sniffing, char slices, word counts.

use std::path::Path;

use ambit_ingest::{char_slice, format_for_path, sniff, Format, Sniffed};

#[test]
fn formats_by_extension() {
    let check = |path: &str, expected: Option<Format>| {
        assert_eq!(format_for_path(Path::new(path)), expected, "{path}")
    };
    check("a.txt", Some(Format::Text));
    check("a.TEXT", Some(Format::Text));
    check("dir.d/Notes.Md", Some(Format::Markdown));
    check("a.markdown", Some(Format::Markdown));
    check("talk.VTT", Some(Format::Vtt));
    check("talk.srt", Some(Format::Srt));
    check("a.docx", Some(Format::Docx));
    check("a.ODT", Some(Format::Odt));
    check("scan.pdf", Some(Format::Pdf));
    check("page.htm", Some(Format::Html));
    check("m.eml", Some(Format::Eml));
    check("box.mbox", Some(Format::Mbox));
    check("survey.csv", Some(Format::Csv));
    check("survey.xlsx", Some(Format::Xlsx));
    check("memo.rtf", Some(Format::Rtf));
    check("slides.pptx", None);
    check("old.doc", None);
    check("txt", None);
    check("a.", None);
}

#[test]
fn sniffing_magic_bytes() {
    let check = |bytes: &[u8], expected: Sniffed| assert_eq!(sniff(bytes), expected, "{bytes:?}");
    check(b"PK\x03\x04rest", Sniffed::Zip);
    check(b"%PDF-1.7", Sniffed::Pdf);
    check(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", Sniffed::Ole);
    check(b"{\\rtf1\\ansi", Sniffed::Rtf);
    check(b"\x1F\x8B\x08", Sniffed::Gzip);
    check(b"\x89PNG\r\n\x1A\n", Sniffed::Png);
    check(b"\xFF\xD8\xFF\xE0", Sniffed::Jpeg);
    check(b"GIF89a", Sniffed::Gif);
    check(b"\x7FELF\x02", Sniffed::Elf);
    check(b"MZ\x90\x00\x03\x00", Sniffed::Exe);
    check(b"MZ: hello, a transcript", Sniffed::Text);
    check(b"PK: not a zip", Sniffed::Text);
    check(b"", Sniffed::Text);
    check("Päivi".as_bytes(), Sniffed::Text);
}

#[test]
fn char_slices() {
    let check = |text: &str, start: usize, end: usize, expected: Option<&str>| {
        assert_eq!(
            char_slice(text, start, end),
            expected,
            "{text:?} {start}..{end}"
        )
    };
    check("Äiti 🙂 sanoi", 0, 4, Some("Äiti"));
    check("Äiti 🙂 sanoi", 5, 6, Some("🙂"));
    check("Äiti 🙂 sanoi", 7, 12, Some("sanoi"));
    check("Äiti 🙂 sanoi", 12, 12, Some(""));
    check("Äiti 🙂 sanoi", 0, 13, None);
    check("Äiti 🙂 sanoi", 13, 13, None);
    check("Äiti", 3, 2, None);
    check("", 0, 0, Some(""));
    check("ab", 1, 1, Some(""));
}
