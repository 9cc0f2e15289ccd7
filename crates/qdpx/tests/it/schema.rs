//! Every export is valid against the REFI schemas (`xmllint --schema`; skipped without xmllint).

use ambit_qdpx::{write_qdc, CodeTree, Project, WriteOptions};

use crate::util::{assert_valid, demo, entry, export, export_with};

#[test]
fn the_demo_project_is_schema_valid() {
    assert_valid("Project.xsd", &entry(&export(&demo()), "project.qde"));
}

#[test]
fn a_project_with_cases_is_schema_valid() {
    let opts = WriteOptions {
        cases_by: Some("organisation".into()),
    };
    assert_valid(
        "Project.xsd",
        &entry(&export_with(&demo(), &opts), "project.qde"),
    );
}

#[test]
fn an_empty_project_is_schema_valid() {
    assert_valid(
        "Project.xsd",
        &entry(&export(&Project::new("Empty", "e")), "project.qde"),
    );
}

#[test]
fn a_re_export_of_another_tools_file_is_schema_valid() {
    let sample = include_bytes!("../fixtures/atlasti23_codes-no-sources.qdpx");
    let (p, _) = crate::util::read(sample).unwrap();
    assert_valid("Project.xsd", &entry(&export(&p), "project.qde"));
}

#[test]
fn codebook_exports_are_schema_valid() {
    let mut out = Vec::new();
    write_qdc(&demo().codebook, "k", &mut out).unwrap();
    assert_valid("Codebook.xsd", &out);
    let template = ambit_coding::template("ambidexterity").unwrap();
    let tree = CodeTree::from_codebook(&ambit_coding::Codebook::parse(template).unwrap());
    let mut out = Vec::new();
    write_qdc(&tree, "k", &mut out).unwrap();
    assert_valid("Codebook.xsd", &out);
}

#[test]
fn the_validator_catches_an_invalid_file() {
    // Guards the guard: a file the schema refuses must fail here.
    let bad = br#"<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0"><Users/></Project>"#;
    if let Some(result) = crate::util::xmllint("Project.xsd", bad) {
        assert!(result.is_err());
    }
}
