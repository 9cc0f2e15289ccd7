//! `.qdc` codebooks: written valid, read in both namespaces, ids made from names.

use ambit_qdpx::{read_qdc, write_qdc, CodeTree, ImportReport, ReadOptions, Result};

use crate::util::demo;

fn qdc(xml: &str) -> Result<(CodeTree, ImportReport)> {
    read_qdc(xml.as_bytes(), &ReadOptions::default())
}

const CODES: &str = r##"<Codes>
    <Code guid="C0000000-0000-4000-8000-000000000001" name="course" isCodable="false" color="#3366CC">
      <Description>Course feedback</Description>
      <Code guid="C0000000-0000-4000-8000-000000000002" name="positive" isCodable="true"/>
      <Code guid="C0000000-0000-4000-8000-000000000003" name="negative" isCodable="true"/>
    </Code>
    <Code guid="C0000000-0000-4000-8000-000000000004" name="teacher" isCodable="false">
      <Code guid="C0000000-0000-4000-8000-000000000005" name="positive" isCodable="true"/>
    </Code>
    <Code guid="C0000000-0000-4000-8000-000000000006" name="course.positive" isCodable="true"/>
  </Codes>"##;

#[test]
fn the_pre_standard_namespace() {
    let xml = format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:0:4">
  {CODES}
  <Sets>
    <Set guid="D0000000-0000-4000-8000-000000000001" name="Positives">
      <MemberCode guid="C0000000-0000-4000-8000-000000000002"/>
      <MemberCode guid="C0000000-0000-4000-8000-000000000005"/>
    </Set>
  </Sets>
</CodeBook>"#
    );
    let (tree, report) = qdc(&xml).unwrap();
    assert!(
        report.tolerated[0]
            .message
            .contains("urn:QDA-XML:codebook:0:4"),
        "{:?}",
        report.tolerated
    );
    // The same name under two parents is two codes; a dotted name is a name, not nesting.
    let ids: Vec<&str> = tree.codes.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "course",
            "course.positive",
            "course.negative",
            "teacher",
            "teacher.positive",
            "course_positive"
        ]
    );
    assert_eq!(tree.sets[0].codes, ["course.positive", "teacher.positive"]);
    assert!(!tree.codes[0].codable);
    let cb = tree.to_codebook().unwrap();
    assert_eq!(
        cb.code("teacher.positive").unwrap().parent.as_deref(),
        Some("teacher")
    );
}

#[test]
fn a_codebook_round_trips_with_sets() {
    let mut tree = demo().codebook;
    tree.sets.push(ambit_qdpx::Set {
        key: "s1".into(),
        name: "Boundaries".into(),
        description: "All of them".into(),
        codes: vec!["kb".into(), "kb.semantic".into()],
        sources: Vec::new(),
        notes: Vec::new(),
        guid: None,
    });
    let mut out = Vec::new();
    let report = write_qdc(&tree, "key", &mut out).unwrap();
    assert_eq!((report.codes, report.sets), (5, 1));
    crate::util::assert_valid("Codebook.xsd", &out);
    let (back, report) = read_qdc(&out[..], &ReadOptions::default()).unwrap();
    assert!(report.tolerated.is_empty(), "{:?}", report.tolerated);
    assert_eq!(back.sets[0].codes, tree.sets[0].codes);
    assert_eq!(back.sets[0].key, "s1");
    let mut expected = tree.clone();
    expected.name.clear();
    expected.description.clear();
    assert_eq!(back.to_codebook().unwrap(), expected.to_codebook().unwrap());
    // Stable: the same codebook gives the same bytes.
    let mut again = Vec::new();
    write_qdc(&tree, "key", &mut again).unwrap();
    assert_eq!(out, again);
}

#[test]
fn an_edited_ambit_description_keeps_the_edit() {
    // Another tool's user rewrote the definition above the marker and broke nothing else.
    let mut out = Vec::new();
    write_qdc(&demo().codebook, "key", &mut out).unwrap();
    let xml = String::from_utf8(out).unwrap().replace(
        "Same word, different meaning.",
        "Same word, two meanings (edited in NVivo).",
    );
    let (tree, _) = qdc(&xml).unwrap();
    let c = tree.codes.iter().find(|c| c.id == "kb.semantic").unwrap();
    assert_eq!(c.description, "Same word, two meanings (edited in NVivo).");
    assert_eq!(c.include, "Asking what a term means");
    assert_eq!(c.rules.len(), 2);
}

#[test]
fn broken_ambit_data_is_read_as_text() {
    let xml = r#"<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
  <Code guid="C0000000-0000-4000-8000-000000000001" name="x" isCodable="true"><Description>Def.

--- Ambit data (kept for a round trip; edit above this line) ---
id = "unterminated
</Description></Code></Codes></CodeBook>"#;
    let (tree, report) = qdc(xml).unwrap();
    assert!(tree.codes[0].description.contains("unterminated"));
    assert_eq!(tree.codes[0].id, "x");
    assert!(report
        .tolerated
        .iter()
        .any(|t| t.message.contains("not valid TOML")));
    assert!(report
        .tolerated
        .iter()
        .any(|t| t.message.contains("no XML declaration")));
}

#[test]
fn an_empty_codebook_cannot_be_a_qdc() {
    let err = write_qdc(&CodeTree::default(), "k", Vec::new()).unwrap_err();
    assert!(err.to_string().contains("at least one"));
}

#[test]
fn a_qdc_that_is_not_one() {
    let err = qdc("<Project name=\"x\"/>").unwrap_err().to_string();
    assert!(
        err.contains("line 1") && err.contains("not `CodeBook`"),
        "{err}"
    );
}
