//! Helpers for the tests: archives built by hand, the demo project, xmllint.

use std::io::{Cursor, Read, Write};
use std::path::Path;
use std::process::Command;

use ambit_coding::Codebook;
use ambit_core::{Date, DocKind, Origin, Phase};
use ambit_qdpx::{
    read_qdpx, write_qdpx, CodeTree, Coding, ImportReport, Note, NoteTarget, Original, Project,
    ReadOptions, Result, Selection, Source, User, WriteOptions,
};

/// A ZIP archive of `entries`, deflated, as other tools would write one.
pub fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        w.start_file(*name, opts).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// The entry's bytes.
pub fn entry(archive: &[u8], name: &str) -> Vec<u8> {
    let mut z = zip::ZipArchive::new(Cursor::new(archive)).unwrap();
    let mut f = z.by_name(name).unwrap();
    let mut out = Vec::new();
    f.read_to_end(&mut out).unwrap();
    out
}

/// The archive's entry names.
pub fn entries(archive: &[u8]) -> Vec<String> {
    let z = zip::ZipArchive::new(Cursor::new(archive)).unwrap();
    z.file_names().map(str::to_owned).collect()
}

pub fn read(bytes: &[u8]) -> Result<(Project, ImportReport)> {
    read_qdpx(Cursor::new(bytes), &ReadOptions::default())
}

pub fn export(p: &Project) -> Vec<u8> {
    export_with(p, &WriteOptions::default())
}

pub fn export_with(p: &Project, opts: &WriteOptions) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    write_qdpx(p, &mut out, opts).unwrap();
    out.into_inner()
}

/// A project archive of one `.qde` and the given source files.
pub fn qdpx(qde: &str, files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut all: Vec<(&str, &[u8])> = vec![("project.qde", qde.as_bytes())];
    all.extend_from_slice(files);
    zip(&all)
}

/// Validates `xml` against one of the schemas in `tests/schema/`. `None` when xmllint is
/// not installed: the caller skips, after this prints how to install it.
pub fn xmllint(schema: &str, xml: &[u8]) -> Option<std::result::Result<(), String>> {
    let xsd = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/schema")
        .join(schema);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("doc.xml");
    std::fs::write(&file, xml).unwrap();
    let out = match Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&xsd)
        .arg(&file)
        .output()
    {
        Ok(out) => out,
        Err(_) => {
            // Straight to stderr, past the test harness's capture, once: a skipped
            // validation should be seen.
            static SAID: std::sync::Once = std::sync::Once::new();
            SAID.call_once(|| {
                let _ = writeln!(
                    std::io::stderr(),
                    "ambit-qdpx: skipping schema validation: xmllint is not installed \
                     (Debian/Ubuntu: apt-get update && apt-get install -y libxml2-utils)"
                );
            });
            return None;
        }
    };
    if out.status.success() {
        Some(Ok(()))
    } else {
        Some(Err(String::from_utf8_lossy(&out.stderr).into_owned()))
    }
}

/// Asserts that `xml` is valid against `schema` (or skips without xmllint).
pub fn assert_valid(schema: &str, xml: &[u8]) {
    if let Some(Err(e)) = xmllint(schema, xml) {
        panic!(
            "not valid against {schema}:\n{e}\n--- document ---\n{}",
            String::from_utf8_lossy(&xml[..xml.len().min(4000)])
        );
    }
}

pub const CODEBOOK: &str = r##"
[codebook]
name = "Ambidexterity (demo)"
description = "Knowledge boundaries and their crossing."

[[code]]
id = "kb"
name = "Knowledge boundaries"
description = "Where knowledge stops being shared.\n\nTwo paragraphs, trailing space. "
color = "#47A"

[[code]]
id = "kb.semantic"
name = "Semantic boundary"
description = "Same word, different meaning."
include = "Asking what a term means"
exclude = "Format problems (kb.syntactic)"
examples = ["what do you mean by an order?", "\"Ordern\" betyder — inköp"]
color = "#4477aa"
  [[code.rule]]
  phrases = ["what do you mean by"]
  [[code.rule]]
  id = "kb.semantic.near"
  near = [{ terms = ["order", "meaning*"], within = 8 }]
  kind = ["workshop"]
  phase = ["I1"]

[[code]]
id = "kb.syntactic"
name = "Syntactic boundary"
  [[code.rule]]
  keywords = ["format*", "xml"]
  within = "kb"
  exclude_keywords = ["weather"]

[[code]]
id = "su"
name = "Shared understanding & <agreement>"
description = "Line one\r\nwith a CR"

[[code]]
id = "coord"
name = "Coordination"
parent = "su"
"##;

/// A project with everything Ambit exports: coders, a codebook with criteria, examples,
/// colours and rules, phases, documents with dates, kinds, explicit phases, attributes,
/// an original file, codings of all three origins, memos on everything.
pub fn demo() -> Project {
    let mut p = Project::new("Demo study", "study-key-1");
    p.description = "A demo.".to_owned();
    p.created = Some("2024-03-01T09:30:00Z".to_owned());
    p.creating_user = Some("Päivi".to_owned());
    p.users = vec![User::new("Päivi"), User::new("kari")];
    p.codebook = CodeTree::from_codebook(&Codebook::parse(CODEBOOK).unwrap());
    let d = |s: &str| Date::parse(s).unwrap();
    p.phases = vec![
        Phase::new("baseline", "Baseline", d("2013-01-07"), d("2013-03-17")),
        Phase::new("I1", "Intervention 1", d("2013-03-18"), d("2013-04-14")),
    ];

    let text1 = "Päivi: Hyvää huomenta — what do you mean by an order? 🙂\n\nKari: The XML format, e\u{301}h.\n";
    let mut s1 = Source::new("D1", "Workshop 1", text1);
    s1.kind = Some(DocKind::Workshop);
    s1.date = Some(d("2013-03-20"));
    s1.path = Some("data/workshop1.docx".to_owned());
    s1.attributes
        .insert("organisation".into(), "Saimaa Paper Oy".into());
    s1.attributes.insert("participants".into(), "7".into());
    s1.attributes.insert("score".into(), "3.5".into());
    s1.attributes.insert("recorded".into(), "true".into());
    s1.original = Some(Original {
        file_name: "workshop1.docx".into(),
        bytes: b"PK\x03\x04 not really a docx".to_vec(),
    });
    s1.created = Some("2024-03-02T10:00:00Z".into());
    let at = |t: &str, needle: &str| {
        let b = t.find(needle).unwrap();
        let s = t[..b].chars().count();
        (s, s + needle.chars().count())
    };
    let (a, b) = at(text1, "what do you mean by an order?");
    let mut c = Coding::new("kb.semantic", "Päivi", Origin::Manual);
    c.created = Some("2024-03-03T11:00:00Z".into());
    c.memo = Some("Clear case.\r\nSecond line.".into());
    s1.add_coding(a, b, c);
    s1.add_coding(
        a,
        b,
        Coding::new("kb.semantic", "Päivi", Origin::Rule("kb.semantic.1".into())),
    );
    s1.add_coding(a, b, Coding::new("su", "kari", Origin::Import));
    let (a, b) = at(text1, "XML format, e\u{301}h");
    s1.add_coding(a, b, Coding::new("kb.syntactic", "kari", Origin::Manual));
    let (a, b) = at(text1, "🙂");
    s1.add_coding(a, b, Coding::new("coord", "kari", Origin::Manual));

    let text2 =
        "Interviewer: How do you order repairs?\n\nRespondent: By phone, always by phone.\n";
    let mut s2 = Source::new("D2", "Interview 1", text2);
    s2.kind = Some(DocKind::Interview);
    s2.date = Some(d("2013-02-01"));
    s2.phase = Some("I1".into());
    s2.attributes
        .insert("organisation".into(), "Norrvik".into());
    s2.attributes.insert("participants".into(), "2".into());
    let (a, b) = at(text2, "By phone");
    s2.add_coding(a, b, Coding::new("coord", "kari", Origin::Manual));
    let mut empty_sel = Selection::new(0, 0);
    empty_sel
        .codings
        .push(Coding::new("kb", "kari", Origin::Manual));
    s2.selections.push(empty_sel);

    let s3 = Source::new(
        "D3",
        "Field note, undated",
        "Observed the planning board.\n",
    );
    p.sources = vec![s1, s2, s3];

    let note = |key: &str, text: &str, target: NoteTarget| Note {
        key: key.into(),
        name: format!("Memo {key}"),
        text: text.into(),
        author: Some("Päivi".into()),
        created: Some("2024-03-04T08:00:00Z".into()),
        targets: vec![target],
        guid: None,
    };
    p.notes = vec![
        note("M1", "About the project.", NoteTarget::Project),
        note(
            "M2",
            "About workshop 1 & <its> tone.",
            NoteTarget::Source("D1".into()),
        ),
        note(
            "M3",
            "About the code.",
            NoteTarget::Code("kb.semantic".into()),
        ),
        note(
            "M4",
            "About a passage nobody coded.",
            NoteTarget::Selection {
                source: "D2".into(),
                start: 0,
                end: 11,
            },
        ),
    ];
    p
}
