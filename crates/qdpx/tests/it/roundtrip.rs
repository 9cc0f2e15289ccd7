//! Ambit → qdpx → Ambit loses nothing, and exports are stable.

use std::io::Cursor;

use ambit_coding::Codebook;
use ambit_core::Origin;
use ambit_qdpx::{
    write_qdc, write_qdpx, Code, CodeTree, Coding, Error, Project, Source, WriteOptions, VAR_DATE,
    VAR_KIND, VAR_PHASE,
};

use crate::util::{demo, entries, entry, export, export_with, read, CODEBOOK};

/// The model without what a file adds or derives: GUIDs (kept on import), passages (found
/// on import), variable definitions (made from the attributes), selection creators that
/// are their first coding's, uncoded selections made for passage memos.
pub fn normalize(p: &Project) -> Project {
    let mut p = p.clone();
    p.key.clear();
    p.origin = None;
    p.variables.clear();
    p.phase_guids.clear();
    for u in &mut p.users {
        u.guid = None;
    }
    for c in &mut p.codebook.codes {
        c.guid = None;
    }
    for s in &mut p.sets {
        s.guid = None;
    }
    for c in &mut p.cases {
        c.guid = None;
    }
    for n in &mut p.notes {
        n.guid = None;
    }
    for s in &mut p.sources {
        s.guid = None;
        s.passages.clear();
        s.selections.retain(|x| !x.codings.is_empty());
        for sel in &mut s.selections {
            sel.guid = None;
            let first = &sel.codings[0];
            if sel.creating_user.as_deref() == Some(first.coder.as_str()) {
                sel.creating_user = None;
            }
            if sel.created == first.created {
                sel.created = None;
            }
            for c in &mut sel.codings {
                c.guid = None;
            }
        }
    }
    p
}

#[test]
fn demo_round_trips() {
    let p = demo();
    let (back, report) = read(&export(&p)).unwrap();
    assert_eq!(normalize(&back), normalize(&p));
    // The codebook is Ambit's again, rules and all.
    assert_eq!(
        back.codebook.to_codebook().unwrap(),
        Codebook::parse(CODEBOOK).unwrap()
    );
    assert_eq!(
        report.origin.as_deref(),
        Some(concat!("Ambit ", env!("CARGO_PKG_VERSION")))
    );
    assert_eq!(report.sources.len(), 3);
    assert_eq!(report.codings, 7);
    assert!(report.tolerated.is_empty(), "{:?}", report.tolerated);
    assert!(report.unplaced.is_empty() && report.skipped.is_empty());
    let vars: Vec<&str> = back.variables.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(
        vars,
        [
            VAR_DATE,
            VAR_PHASE,
            VAR_KIND,
            "organisation",
            "participants",
            "recorded",
            "score"
        ]
    );
    let kinds: Vec<&str> = back.variables.iter().map(|v| v.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["Date", "Text", "Text", "Text", "Integer", "Boolean", "Float"]
    );
    // Every selection's text is in the report, exactly.
    let texts: Vec<&str> = report.selections.iter().map(|s| s.text.as_str()).collect();
    assert!(
        texts.contains(&"what do you mean by an order?"),
        "{texts:?}"
    );
    assert!(texts.contains(&"XML format, e\u{301}h"), "{texts:?}");
    assert!(texts.contains(&"🙂"), "{texts:?}");
    // Passages come from Ambit's own reader: speaker turns.
    let speakers: Vec<Option<&str>> = back.sources[0]
        .passages
        .iter()
        .map(|x| x.speaker.as_deref())
        .collect();
    assert_eq!(speakers, [Some("Päivi"), Some("Kari")]);
}

#[test]
fn origins_survive_and_rule_codings_are_marked_for_other_tools() {
    let bytes = export(&demo());
    let qde = String::from_utf8(entry(&bytes, "project.qde")).unwrap();
    assert!(qde.contains("Auto-coded kb.semantic by Ambit rule kb.semantic.1 (coder Päivi)"));
    let (back, _) = read(&bytes).unwrap();
    let origins: Vec<Origin> = back.sources[0].selections[0]
        .codings
        .iter()
        .map(|c| c.origin.clone())
        .collect();
    assert_eq!(
        origins,
        [
            Origin::Manual,
            Origin::Rule("kb.semantic.1".into()),
            Origin::Import
        ]
    );
    // The rule's coding is its coder's.
    assert_eq!(back.sources[0].selections[0].codings[1].coder, "Päivi");
}

#[test]
fn two_exports_are_byte_identical() {
    let p = demo();
    assert_eq!(export(&p), export(&p));
    let with_cases = WriteOptions {
        cases_by: Some("organisation".into()),
    };
    assert_eq!(export_with(&p, &with_cases), export_with(&p, &with_cases));
}

#[test]
fn re_export_of_an_import_is_byte_identical() {
    let p = demo();
    let first = export(&p);
    let (mut back, _) = read(&first).unwrap();
    back.key = p.key.clone();
    assert_eq!(export(&back), first);
}

#[test]
fn guids_depend_on_the_project_key() {
    let mut p = demo();
    let a = export(&p);
    p.key = "another-project".into();
    let b = export(&p);
    let (pa, _) = read(&a).unwrap();
    let (pb, _) = read(&b).unwrap();
    assert_ne!(pa.sources[0].guid, pb.sources[0].guid);
    assert_ne!(pa.codebook.codes[0].guid, pb.codebook.codes[0].guid);
    // Stored GUIDs win over derived ones.
    let (mut kept, _) = read(&a).unwrap();
    kept.key = "another-project".into();
    assert_eq!(export(&kept), a);
}

#[test]
fn archive_layout() {
    let p = demo();
    let bytes = export(&p);
    let names = entries(&bytes);
    assert_eq!(names[0], "project.qde");
    let (back, _) = read(&bytes).unwrap();
    let g = back.sources[0].guid.unwrap();
    assert!(names.contains(&format!("sources/{g}.txt")), "{names:?}");
    assert!(names
        .iter()
        .any(|n| n.starts_with("sources/") && n.ends_with(".docx")));
    assert!(names.iter().all(|n| !n.starts_with("Sources/")));
    // The text file is the stored text, byte for byte: UTF-8, no BOM.
    assert_eq!(
        entry(&bytes, &format!("sources/{g}.txt")),
        p.sources[0].text.as_bytes()
    );
    let qde = entry(&bytes, "project.qde");
    assert!(qde.starts_with(b"<?xml version=\"1.0\" encoding=\"utf-8\"?>"));
    // Fixed timestamps: 1980-01-01 00:00, ZIP's epoch.
    let mut z = zip::ZipArchive::new(Cursor::new(&bytes)).unwrap();
    for i in 0..z.len() {
        let f = z.by_index(i).unwrap();
        let t = f.last_modified().unwrap();
        assert_eq!((t.year(), t.month(), t.day(), t.hour()), (1980, 1, 1, 0));
    }
    assert_eq!(
        back.sources[0].original.as_ref().unwrap().file_name,
        "workshop1.docx"
    );
    assert_eq!(back.sources[0].original, p.sources[0].original);
}

#[test]
fn positions_are_chars_of_the_exported_text() {
    let bytes = export(&demo());
    let qde = String::from_utf8(entry(&bytes, "project.qde")).unwrap();
    let text = demo().sources[0].text.clone();
    // 🙂 is one char (two UTF-16 units): the standard counts chars.
    let start = text[..text.find('🙂').unwrap()].chars().count();
    assert!(
        qde.contains(&format!(
            "startPosition=\"{start}\" endPosition=\"{}\"",
            start + 1
        )),
        "{start}"
    );
}

#[test]
fn cases_group_sources_by_an_attribute() {
    let p = demo();
    let opts = WriteOptions {
        cases_by: Some("organisation".into()),
    };
    let (back, report) = read(&export_with(&p, &opts)).unwrap();
    assert_eq!(report.cases, 2);
    let names: Vec<&str> = back.cases.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["Norrvik", "Saimaa Paper Oy"]);
    assert_eq!(back.cases[1].sources, ["D1"]);
    assert_eq!(back.cases[1].values["organisation"], "Saimaa Paper Oy");
    let merged = back.attributes_with_cases(&back.sources[2]);
    assert!(merged.is_empty());
}

#[test]
fn the_bundled_template_round_trips_through_a_project_and_a_qdc() {
    let src = ambit_coding::template("ambidexterity").unwrap();
    let cb = Codebook::parse(src).unwrap();
    let mut p = Project::new("T", "t");
    p.codebook = CodeTree::from_codebook(&cb);
    let (back, report) = read(&export(&p)).unwrap();
    assert!(report.tolerated.is_empty(), "{:?}", report.tolerated);
    assert_eq!(back.codebook.to_codebook().unwrap(), cb);

    let mut qdc = Vec::new();
    write_qdc(&p.codebook, "t", &mut qdc).unwrap();
    let (tree, report) = ambit_qdpx::read_qdc(&qdc[..], &Default::default()).unwrap();
    assert!(report.tolerated.is_empty(), "{:?}", report.tolerated);
    let mut expected = CodeTree::from_codebook(&cb);
    // A .qdc has no place for the codebook's name.
    expected.name.clear();
    expected.description.clear();
    assert_eq!(tree.to_codebook().unwrap(), expected.to_codebook().unwrap());
}

fn model_error(p: &Project) -> String {
    match write_qdpx(p, Cursor::new(Vec::new()), &WriteOptions::default()) {
        Err(e @ Error::Model(_)) => e.to_string(),
        other => panic!("expected a model error, got {other:?}"),
    }
}

#[test]
fn a_project_that_cannot_be_written_validly_is_refused() {
    let mut p = Project::new("P", "p");
    p.codebook.codes.push(Code::new("a", "A"));
    let mut s = Source::new("D1", "Doc", "short");
    s.add_coding(0, 3, Coding::new("nope", "x", Origin::Manual));
    p.sources.push(s.clone());
    assert!(model_error(&p).contains("`nope`"));
    p.sources[0].selections.clear();
    p.sources[0].add_coding(2, 9, Coding::new("a", "x", Origin::Manual));
    assert!(model_error(&p).contains("2..9 outside its text of 5 characters"));
    p.sources[0].selections.clear();
    let mut orphan = Code::new("b", "B");
    orphan.parent = Some("zz".into());
    p.codebook.codes.push(orphan);
    assert!(model_error(&p).contains("parent `zz`"));
}

#[test]
fn characters_xml_cannot_hold_are_replaced_and_reported() {
    let mut p = Project::new("P", "p");
    let mut c = Code::new("a", "Bell\u{7}");
    c.description = "NUL\u{0}".into();
    p.codebook.codes.push(c);
    let report = write_qdpx(&p, Cursor::new(Vec::new()), &WriteOptions::default()).unwrap();
    assert!(
        report.warnings[0].contains("2 characters"),
        "{:?}",
        report.warnings
    );
}

#[test]
fn export_report_counts() {
    let report = write_qdpx(&demo(), Cursor::new(Vec::new()), &WriteOptions::default()).unwrap();
    assert_eq!(
        (
            report.sources,
            report.codings,
            report.codes,
            report.sets,
            report.originals
        ),
        (3, 7, 5, 2, 1)
    );
    // Four memos and the memo on a coding.
    assert_eq!(report.notes, 5);
    // Five coded selections and the uncoded one the passage memo needs.
    assert_eq!(report.selections, 6);
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
}
