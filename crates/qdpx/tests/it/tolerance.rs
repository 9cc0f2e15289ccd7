//! Files that imitate each deviation real tools' exports have: read, and noted in the report.

use ambit_core::Origin;
use ambit_qdpx::ImportReport;

use crate::util::{qdpx, read, zip};

pub const USER: &str = "3F2504E0-4F89-11D3-9A0C-0305E82C3301";
pub const CODE: &str = "6B29FC40-CA47-1067-B31D-00DD010662DA";
pub const CHILD: &str = "0D8C6A1E-9A7B-4E6C-8F59-1B7E2B7C9D10";
pub const SRC: &str = "A7C5E2D1-3B4F-4E8A-9C6D-2F1E0B9A8C7D";
pub const SEL: &str = "11111111-2222-4333-8444-555555555555";
pub const CODING: &str = "99999999-8888-4777-8666-555555555555";
pub const NOTE: &str = "AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE";
pub const SET: &str = "12345678-90AB-4CDE-8F01-234567890ABC";

/// The source text, and where "boundary" lies in it (chars = UTF-16 units here).
pub const TEXT: &str = "Anna: We crossed a boundary today.\n";
pub const START: usize = 19;
pub const END: usize = 27;

/// A small, valid project in the shape other tools write.
pub fn base_qde() -> String {
    format!(
        r##"<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Tolerance" origin="Some QDA tool 1.0" creatingUserGUID="{USER}">
  <Users>
    <User guid="{USER}" name="Enric" id="u1"/>
  </Users>
  <CodeBook>
    <Codes>
      <Code guid="{CODE}" name="Boundaries" isCodable="false" color="#FF0000">
        <Description>Where knowledge stops.</Description>
        <Code guid="{CHILD}" name="Crossing" isCodable="true"/>
      </Code>
    </Codes>
  </CodeBook>
  <Sources>
    <TextSource guid="{SRC}" name="Interview A" plainTextPath="internal://{SRC}.txt" creatingUser="{USER}">
      <PlainTextSelection guid="{SEL}" name="boundary" startPosition="{START}" endPosition="{END}" creatingUser="{USER}">
        <Coding guid="{CODING}" creatingUser="{USER}">
          <CodeRef targetGUID="{CHILD}"/>
          <NoteRef targetGUID="{NOTE}"/>
        </Coding>
      </PlainTextSelection>
    </TextSource>
  </Sources>
  <Notes>
    <Note guid="{NOTE}" name="On crossing" creatingUser="{USER}">
      <PlainTextContent>Crossing, clearly.</PlainTextContent>
    </Note>
  </Notes>
  <Sets>
    <Set guid="{SET}" name="Interviews">
      <MemberSource targetGUID="{SRC}"/>
    </Set>
  </Sets>
</Project>
"##
    )
}

pub fn source_entry() -> String {
    format!("Sources/{SRC}.txt")
}

pub fn base() -> Vec<u8> {
    qdpx(&base_qde(), &[(&source_entry(), TEXT.as_bytes())])
}

/// Reads `bytes`, checks that the selection still lands on "boundary", and returns the
/// report's tolerated messages.
fn tolerated(bytes: &[u8]) -> (ImportReport, Vec<String>) {
    let (p, report) = read(bytes).unwrap_or_else(|e| panic!("refused: {e}"));
    assert_eq!(report.selections.len(), 1, "{report:?}");
    assert_eq!(report.selections[0].text, "boundary");
    assert_eq!(p.sources[0].selections[0].codings[0].origin, Origin::Import);
    let notes = report.tolerated.iter().map(|t| t.message.clone()).collect();
    (report, notes)
}

fn check(bytes: &[u8], expected: &str) {
    let (_, notes) = tolerated(bytes);
    assert!(
        notes.iter().any(|n| n.contains(expected)),
        "no note containing {expected:?} in {notes:#?}"
    );
}

#[test]
fn the_base_file_needs_no_tolerance() {
    let (report, notes) = tolerated(&base());
    assert!(notes.is_empty(), "{notes:?}");
    assert_eq!(report.users, ["Enric"]);
    assert_eq!(report.sets, 1);
    assert_eq!(report.memos, 1);
}

#[test]
fn no_xml_declaration() {
    let qde = base_qde().replacen("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n", "", 1);
    check(
        &qdpx(&qde, &[(&source_entry(), TEXT.as_bytes())]),
        "no XML declaration",
    );
}

#[test]
fn standalone_no() {
    let qde = base_qde().replacen(
        "encoding=\"utf-8\"?>",
        "encoding=\"utf-8\" standalone=\"no\"?>",
        1,
    );
    check(
        &qdpx(&qde, &[(&source_entry(), TEXT.as_bytes())]),
        "standalone=\"no\"",
    );
}

#[test]
fn a_byte_order_mark_on_the_qde() {
    let qde = format!("\u{FEFF}{}", base_qde());
    check(
        &qdpx(&qde, &[(&source_entry(), TEXT.as_bytes())]),
        "byte-order mark",
    );
}

#[test]
fn lower_case_sources_folder() {
    let lower = format!("sources/{SRC}.txt");
    check(
        &qdpx(&base_qde(), &[(&lower, TEXT.as_bytes())]),
        "lower-case `sources/`",
    );
}

#[test]
fn plain_text_path_without_internal() {
    let qde = base_qde().replace(&format!("internal://{SRC}.txt"), &format!("{SRC}.txt"));
    check(
        &qdpx(&qde, &[(&source_entry(), TEXT.as_bytes())]),
        "without `internal://`",
    );
    // A Windows path to the file, as some tools leave it.
    let qde = base_qde().replace(
        &format!("internal://{SRC}.txt"),
        &format!("C:\\Users\\enric\\export\\{SRC}.txt"),
    );
    check(
        &qdpx(&qde, &[(&source_entry(), TEXT.as_bytes())]),
        "without `internal://`",
    );
}

#[test]
fn guids_in_lower_case() {
    // Defined in lower case, referred to in upper case: the same GUID.
    let qde = base_qde().replacen(
        &format!("<Code guid=\"{CHILD}\""),
        &format!("<Code guid=\"{}\"", CHILD.to_lowercase()),
        1,
    );
    check(
        &qdpx(&qde, &[(&source_entry(), TEXT.as_bytes())]),
        "lower or mixed case",
    );
}

#[test]
fn guids_in_braces() {
    let qde = base_qde().replace(
        &format!("targetGUID=\"{CHILD}\""),
        &format!("targetGUID=\"{{{CHILD}}}\""),
    );
    check(
        &qdpx(&qde, &[(&source_entry(), TEXT.as_bytes())]),
        "{braces}",
    );
}

#[test]
fn empty_sets() {
    let qde = base_qde().replace(
        &format!(
            "<Sets>\n    <Set guid=\"{SET}\" name=\"Interviews\">\n      <MemberSource targetGUID=\"{SRC}\"/>\n    </Set>\n  </Sets>"
        ),
        "<Sets/>",
    );
    assert!(qde.contains("<Sets/>"));
    check(
        &qdpx(&qde, &[(&source_entry(), TEXT.as_bytes())]),
        "empty `<Sets/>`",
    );
}

#[test]
fn unknown_attributes() {
    let qde = base_qde()
        .replacen(
            "name=\"Tolerance\"",
            "name=\"Tolerance\" nvivoVersion=\"14\"",
            1,
        )
        .replacen("name=\"Crossing\"", "name=\"Crossing\" weight=\"3\"", 1);
    let (_, notes) = tolerated(&qdpx(&qde, &[(&source_entry(), TEXT.as_bytes())]));
    assert!(
        notes
            .iter()
            .any(|n| n.contains("`nvivoVersion` on `Project`")),
        "{notes:?}"
    );
    assert!(
        notes.iter().any(|n| n.contains("`weight` on `Code`")),
        "{notes:?}"
    );
}

#[test]
fn extra_files_in_the_archive() {
    let bytes = zip(&[
        ("project.qde", base_qde().as_bytes()),
        (&source_entry(), TEXT.as_bytes()),
        ("Sources/thumbnail.png", b"\x89PNG"),
        ("settings.xml", b"<x/>"),
    ]);
    check(&bytes, "2 files in the archive that nothing refers to");
}

#[test]
fn qde_named_after_the_project() {
    let bytes = zip(&[
        ("Tolerance.qde", base_qde().as_bytes()),
        (&source_entry(), TEXT.as_bytes()),
    ]);
    check(&bytes, "the project document is `Tolerance.qde`");
}

#[test]
fn colours_in_other_spellings() {
    let qde = base_qde().replace("color=\"#FF0000\"", "color=\"rgb(255, 0, 0)\"");
    check(
        &qdpx(&qde, &[(&source_entry(), TEXT.as_bytes())]),
        "read as `#FF0000`",
    );
    let qde = base_qde().replace("color=\"#FF0000\"", "color=\"#FF000080\"");
    let (p, _) = read(&qdpx(&qde, &[(&source_entry(), TEXT.as_bytes())])).unwrap();
    assert_eq!(p.codebook.codes[0].color.as_deref(), Some("#FF0000"));
}

#[test]
fn unknown_elements_are_skipped_with_a_note() {
    let qde = base_qde().replacen("<Users>", "<Extensions><Any/></Extensions>\n  <Users>", 1);
    check(
        &qdpx(&qde, &[(&source_entry(), TEXT.as_bytes())]),
        "unknown element `Extensions`",
    );
}

#[test]
fn what_other_tools_files_become() {
    let (p, report) = read(&base()).unwrap();
    // Ids from names, nested; flags and colours kept; the coding's note is its memo.
    let ids: Vec<&str> = p.codebook.codes.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["boundaries", "boundaries.crossing"]);
    assert!(!p.codebook.codes[0].codable);
    assert_eq!(p.codebook.codes[0].color.as_deref(), Some("#FF0000"));
    let coding = &p.sources[0].selections[0].codings[0];
    assert_eq!(coding.coder, "Enric");
    assert_eq!(coding.memo.as_deref(), Some("Crossing, clearly."));
    assert!(
        p.notes.is_empty(),
        "a memo on a coding is not a memo of its own"
    );
    assert_eq!(p.sets[0].sources, [p.sources[0].key.clone()]);
    assert_eq!(p.sources[0].key, SRC);
    assert_eq!(p.sources[0].selections[0].name.as_deref(), Some("boundary"));
    assert_eq!(report.sources[0].passages, 1);
    assert_eq!(report.selections[0].codes, ["boundaries.crossing"]);
}
