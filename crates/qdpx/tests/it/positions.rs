//! Positions other tools wrote, mapped into Ambit's text in the unit each file was counted in.

use ambit_qdpx::{ImportReport, Project, Unit};

use crate::util::{qdpx, read};

const USER: &str = "3F2504E0-4F89-11D3-9A0C-0305E82C3301";
const CODE: &str = "6B29FC40-CA47-1067-B31D-00DD010662DA";
const SRC: &str = "A7C5E2D1-3B4F-4E8A-9C6D-2F1E0B9A8C7D";

/// A project from `origin` with one source file and selections at `(start, end)`, all
/// coded with one code.
fn project(origin: &str, selections: &[(usize, usize)]) -> String {
    let sels: String = selections
        .iter()
        .enumerate()
        .map(|(i, (s, e))| {
            format!(
                r#"      <PlainTextSelection guid="00000000-0000-4000-8000-{i:012}" startPosition="{s}" endPosition="{e}" creatingUser="{USER}">
        <Coding guid="00000000-0000-4000-9000-{i:012}" creatingUser="{USER}"><CodeRef targetGUID="{CODE}"/></Coding>
      </PlainTextSelection>
"#
            )
        })
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="P" origin="{origin}">
  <Users><User guid="{USER}" name="coder"/></Users>
  <CodeBook><Codes><Code guid="{CODE}" name="Names" isCodable="true"/></Codes></CodeBook>
  <Sources>
    <TextSource guid="{SRC}" name="Doc" plainTextPath="internal://{SRC}.txt">
{sels}    </TextSource>
  </Sources>
</Project>
"#
    )
}

fn import(origin: &str, file: &[u8], selections: &[(usize, usize)]) -> (Project, ImportReport) {
    let bytes = qdpx(
        &project(origin, selections),
        &[(&format!("Sources/{SRC}.txt"), file)],
    );
    read(&bytes).unwrap_or_else(|e| panic!("{e}"))
}

fn texts(report: &ImportReport) -> Vec<&str> {
    report.selections.iter().map(|s| s.text.as_str()).collect()
}

/// Where `needle` is in `text`, counted in UTF-16 code units of the text as stored.
fn utf16_range(text: &str, needle: &str) -> (usize, usize) {
    let b = text.find(needle).unwrap();
    let s = text[..b].encode_utf16().count();
    (s, s + needle.encode_utf16().count())
}

fn chars_range(text: &str, needle: &str) -> (usize, usize) {
    let b = text.find(needle).unwrap();
    let s = text[..b].chars().count();
    (s, s + needle.chars().count())
}

const NVIVO_UNIT: Unit = Unit {
    utf16: true,
    crlf_as_one: false,
    bom_counted: false,
};

/// NVivo for Windows: a UTF-8 BOM (not counted), CRLF (two units), emoji (two units)
/// before the selections.
fn nvivo_file() -> (Vec<u8>, Vec<(usize, usize)>, &'static str) {
    let text = "Haastattelija: Kerro 🙂🙂 lisää.\r\n\r\nPäivi Mäkelä: Tilaus 👍 tarkoittaa hankintaa.\r\nLoppu.\r\n";
    let mut file = b"\xEF\xBB\xBF".to_vec();
    file.extend_from_slice(text.as_bytes());
    let sels = vec![
        utf16_range(text, "Päivi Mäkelä"),
        utf16_range(text, "tarkoittaa hankintaa"),
    ];
    (file, sels, text)
}

#[test]
fn nvivo_utf16_positions_with_a_bom_crlf_and_emoji() {
    let (file, sels, _) = nvivo_file();
    let (p, report) = import("NVivo 14 (Windows)", &file, &sels);
    assert_eq!(texts(&report), ["Päivi Mäkelä", "tarkoittaa hankintaa"]);
    assert_eq!(
        report.sources[0].unit, NVIVO_UNIT,
        "{}",
        report.sources[0].unit_reason
    );
    assert!(
        report.sources[0].unit_reason.contains("NVivo"),
        "{}",
        report.sources[0].unit_reason
    );
    // Stored as Ambit stores text: no BOM, LF line ends; positions are chars of it.
    let text = &p.sources[0].text;
    assert!(!text.contains('\r') && !text.starts_with('\u{FEFF}'));
    let sel = &p.sources[0].selections[0];
    assert_eq!(
        ambit_core::text::char_slice(text, sel.start, sel.end),
        Some("Päivi Mäkelä")
    );
    assert_eq!((sel.start, sel.end), chars_range(text, "Päivi Mäkelä"));
}

#[test]
fn the_unit_is_found_without_the_origin() {
    let (file, sels, _) = nvivo_file();
    let (_, report) = import("Unknown tool", &file, &sels);
    assert_eq!(texts(&report), ["Päivi Mäkelä", "tarkoittaa hankintaa"]);
    assert_eq!(
        report.sources[0].unit, NVIVO_UNIT,
        "{}",
        report.sources[0].unit_reason
    );
}

#[test]
fn words_win_over_a_wrong_origin() {
    // Code points, though the file claims NVivo: the reading that lands on words wins,
    // and the report says the tool's usual unit did not fit.
    let text = "Kerro 🙂🙂 lisää: Tilaus 👍 tarkoittaa hankintaa.\n";
    let sels = [
        chars_range(text, "Tilaus"),
        chars_range(text, "tarkoittaa hankintaa"),
    ];
    let (_, report) = import("NVivo 14", text.as_bytes(), &sels);
    assert_eq!(texts(&report), ["Tilaus", "tarkoittaa hankintaa"]);
    assert!(!report.sources[0].unit.utf16);
    assert!(
        report.sources[0].unit_reason.contains("from NVivo"),
        "{}",
        report.sources[0].unit_reason
    );
}

#[test]
fn atlas_ti_counts_crlf_once() {
    let text = "First line here.\r\nSecond line here.\r\nThird line with a phrase.\r\n";
    let lf = text.replace("\r\n", "\n");
    let sels = [chars_range(&lf, "Third line"), chars_range(&lf, "phrase")];
    let (_, report) = import("ATLAS.ti for Windows 23.2.3", text.as_bytes(), &sels);
    assert_eq!(texts(&report), ["Third line", "phrase"]);
    assert!(report.sources[0].unit.crlf_as_one);
}

#[test]
fn python_tools_count_code_points() {
    let text = "🙂🙂🙂 Tämä on 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 teksti.\n";
    let sels = [chars_range(text, "𝔘𝔫𝔦𝔠𝔬𝔡𝔢"), chars_range(text, "teksti")];
    let (_, report) = import("QualCoder 3.5", text.as_bytes(), &sels);
    assert_eq!(texts(&report), ["𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "teksti"]);
    assert!(
        !report.sources[0].unit.utf16,
        "{}",
        report.sources[0].unit_reason
    );
}

#[test]
fn a_tool_that_counts_the_bom() {
    let text = "Alpha beta gamma delta.\n";
    let mut file = b"\xEF\xBB\xBF".to_vec();
    file.extend_from_slice(text.as_bytes());
    let (a, b) = chars_range(text, "gamma");
    let (c, d) = chars_range(text, "beta");
    let (_, report) = import("Unknown", &file, &[(a + 1, b + 1), (c + 1, d + 1)]);
    assert_eq!(texts(&report), ["gamma", "beta"]);
    assert!(report.sources[0].unit.bom_counted);
}

#[test]
fn a_selection_that_cannot_be_placed_is_reported_not_moved() {
    // Only UTF-16 fits "word" at 5..9; in it, 2..3 starts inside the emoji's surrogate pair.
    let text = "a🙂b word";
    let (p, report) = import("NVivo", text.as_bytes(), &[(5, 9), (2, 3)]);
    assert_eq!(texts(&report), ["word"]);
    assert_eq!(report.unplaced.len(), 1);
    let u = &report.unplaced[0];
    assert_eq!(
        (u.start, u.end, u.codes.as_slice()),
        (2, 3, &["names".to_owned()][..])
    );
    assert!(u.reason.contains("surrogate pair"), "{}", u.reason);
    assert_eq!(p.sources[0].selections.len(), 1);
}

#[test]
fn inline_plain_text_content() {
    let qde = project("Some tool", &[(4, 9)]).replace(
        &format!(r#"plainTextPath="internal://{SRC}.txt">"#),
        r#"><PlainTextContent>One &amp; two&#13;
three</PlainTextContent>"#,
    );
    let (p, report) = read(&qdpx(&qde, &[])).unwrap();
    // XML makes the literal line end LF; the `&#13;` before it is a CR of the text.
    assert_eq!(p.sources[0].text, "One & two\nthree");
    assert_eq!(texts(&report), ["& two"]);
}

#[test]
fn the_dry_run_json_has_each_selection_with_its_text() {
    let (file, sels, text) = nvivo_file();
    let (_, report) = import("NVivo", &file, &sels);
    let (start, end) = chars_range(&text.replace("\r\n", "\n"), "Päivi Mäkelä");
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(
        json["selections"][0],
        serde_json::json!({
            "source": "Doc",
            "start": start,
            "end": end,
            "text": "Päivi Mäkelä",
            "codes": ["names"],
        })
    );
    assert_eq!(json["sources"][0]["unit"]["utf16"], true);
}
