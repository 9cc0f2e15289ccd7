//! Reading `.qdpx` and `.qdc`: lenient with what real tools write, strict with what would import wrongly, every deviation and every skipped part in the report.

mod archive;
mod build;
mod parse;
mod xmlin;

use std::collections::HashMap;
use std::io::{BufRead, Read, Seek};

use ambit_ingest::ZipLimits;

use crate::model::{CodeTree, Project};
use crate::positions::Unit;
use crate::{Error, Result};

use xmlin::{Item, Tag, XmlIn};

/// How to read a `.qdpx` or `.qdc`.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// The file as the user named it, for messages.
    pub name: String,
    /// Limits on unpacking (zip bombs). The default allows an archive to unpack to 4 GiB
    /// in all and 2 GiB per entry, at most 100 times its compressed size past 128 MiB.
    pub zip: ZipLimits,
    /// How `ambit add` would read the texts, for their passages (speaker turns).
    pub ingest: ambit_ingest::Options,
    /// Whether the report lists every selection with its text
    /// ([`ImportReport::selections`]); off for very large imports that are not checked.
    pub selection_texts: bool,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            name: "project.qdpx".to_owned(),
            zip: ZipLimits::for_file_limit(1 << 30),
            ingest: ambit_ingest::Options {
                max_bytes: 1 << 30,
                ..ambit_ingest::Options::default()
            },
            selection_texts: true,
        }
    }
}

/// What an import found: what would be added, what was skipped and why, what was
/// tolerated. The `--dry-run --format json` output.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportReport {
    /// The tool that wrote the file (`origin`).
    pub origin: Option<String>,
    /// Users, by the names they become coders under.
    pub users: Vec<String>,
    /// Codes.
    pub codes: usize,
    /// Sources imported as documents.
    pub sources: Vec<SourceReport>,
    /// Every placed selection with its text in Ambit's positions (empty when
    /// [`ReadOptions::selection_texts`] is off).
    pub selections: Vec<SelectionReport>,
    /// Codings imported.
    pub codings: usize,
    /// Memos: notes, and notes on codings.
    pub memos: usize,
    /// Variables (document attributes).
    pub variables: Vec<String>,
    /// Cases.
    pub cases: usize,
    /// Sets other than phases.
    pub sets: usize,
    /// Study phases restored from phase sets.
    pub phases: usize,
    /// Selections that could not be placed: not imported, never moved.
    pub unplaced: Vec<Unplaced>,
    /// What was not imported, and why.
    pub skipped: Vec<Skipped>,
    /// Deviations from the standard that were read anyway.
    pub tolerated: Vec<Tolerated>,
}

/// One imported source.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SourceReport {
    /// Its name (the document title).
    pub name: String,
    /// Its GUID.
    pub guid: String,
    /// Characters of its text (LF line endings).
    pub chars: usize,
    /// Passages `ambit add` finds in it.
    pub passages: usize,
    /// Selections placed.
    pub selections: usize,
    /// The unit its positions were read in.
    pub unit: Unit,
    /// Why that unit, in a sentence.
    pub unit_reason: String,
}

/// A placed selection: where it landed and what it says, for the user to check.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SelectionReport {
    /// The source's name.
    pub source: String,
    /// Start in Ambit's text (chars, LF line endings).
    pub start: usize,
    /// End (exclusive).
    pub end: usize,
    /// The text in that range.
    pub text: String,
    /// The codes applied, by Ambit id.
    pub codes: Vec<String>,
}

/// A selection that could not be placed in its source's text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Unplaced {
    /// The source's name.
    pub source: String,
    /// Line of the selection in the `.qde`.
    pub line: usize,
    /// Its positions as written.
    pub start: i64,
    /// Its end as written.
    pub end: i64,
    /// Why it cannot be placed.
    pub reason: String,
    /// The codes it carried, by Ambit id: these codings are not imported.
    pub codes: Vec<String>,
}

/// Something not imported.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Skipped {
    /// The element (`PictureSource`, `Graphs`, …).
    pub element: String,
    /// Its name, or what it is.
    pub name: String,
    /// Its line in the `.qde`.
    pub line: usize,
    /// Why.
    pub reason: String,
}

/// A deviation read anyway; the same deviation is counted, not repeated.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Tolerated {
    /// What was tolerated and how it was read.
    pub message: String,
    /// The first line where it occurs, when it is in the XML.
    pub line: Option<usize>,
    /// How many times it occurs.
    pub count: usize,
}

/// Collects deviations, one entry per kind.
#[derive(Debug, Default)]
pub(crate) struct Tolerance {
    items: Vec<Tolerated>,
    index: HashMap<String, usize>,
}

impl Tolerance {
    /// Notes a deviation of kind `key`; `message` is built the first time only.
    pub fn note(&mut self, key: &str, line: Option<usize>, message: impl FnOnce() -> String) {
        match self.index.get(key) {
            Some(&i) => self.items[i].count += 1,
            None => {
                self.index.insert(key.to_owned(), self.items.len());
                self.items.push(Tolerated {
                    message: message(),
                    line,
                    count: 1,
                });
            }
        }
    }

    /// Drops the note of kind `key`, if any.
    pub fn forget(&mut self, key: &str) {
        if let Some(i) = self.index.remove(key) {
            self.items.remove(i);
            for v in self.index.values_mut() {
                if *v > i {
                    *v -= 1;
                }
            }
        }
    }

    pub fn into_vec(self) -> Vec<Tolerated> {
        self.items
    }
}

/// The namespaces of the two schemas, and the pre-standard codebook one.
const PROJECT_NS: &str = "urn:QDA-XML:project:1.0";
const CODEBOOK_NS: &str = "urn:QDA-XML:codebook:1.0";
const CODEBOOK_NS_04: &str = "urn:QDA-XML:codebook:0:4";

/// The root element, after the declaration; notes a missing declaration, a BOM and
/// `standalone="no"`.
fn root<R: Read>(x: &mut XmlIn<R>, expected: &str, tol: &mut Tolerance) -> Result<Tag> {
    if x.skip_bom() {
        tol.note("xml bom", Some(1), || {
            "the XML starts with a byte-order mark, which a .qde must not".to_owned()
        });
    }
    loop {
        match x.next()? {
            Item::Start(tag) => {
                if !x.saw_decl {
                    tol.note("no decl", Some(1), || {
                        "no XML declaration (`<?xml version=\"1.0\" encoding=\"utf-8\"?>`); read as UTF-8"
                            .to_owned()
                    });
                }
                if x.standalone_no {
                    tol.note("standalone", Some(1), || {
                        "`standalone=\"no\"` in the XML declaration ignored".to_owned()
                    });
                }
                if tag.name != expected {
                    return Err(x.error_at(
                        tag.line,
                        format!("the root element is `{}`, not `{expected}`", tag.name),
                    ));
                }
                return Ok(tag);
            }
            Item::Text(t) if t.trim().is_empty() => {}
            Item::Text(_) => return Err(x.error("text before the root element")),
            Item::End => return Err(x.error("an end tag before the root element")),
            Item::Eof => return Err(x.error("the XML has no root element")),
        }
    }
}

/// Reads to the end of the document after the root element.
fn finish<R: Read>(x: &mut XmlIn<R>) -> Result<()> {
    loop {
        match x.next()? {
            Item::Eof => return Ok(()),
            Item::Text(t) if t.trim().is_empty() => {}
            _ => return Err(x.error("content after the root element")),
        }
    }
}

/// The project document's entry: `project.qde`, or the one `.qde` there is.
fn find_qde(entries: &[String], name: &str, tol: &mut Tolerance) -> Result<String> {
    if entries.iter().any(|e| e == "project.qde") {
        return Ok("project.qde".to_owned());
    }
    let qdes: Vec<&String> = entries
        .iter()
        .filter(|e| e.to_ascii_lowercase().ends_with(".qde"))
        .collect();
    match qdes.as_slice() {
        [one] => {
            tol.note("qde name", None, || {
                format!("the project document is `{one}`, not `project.qde`")
            });
            Ok((*one).clone())
        }
        [] => Err(Error::NoProject {
            name: name.to_owned(),
            entries: entries
                .iter()
                .take(5)
                .map(|e| format!("`{e}`"))
                .collect::<Vec<_>>()
                .join(", ")
                + if entries.len() > 5 { ", …" } else { "" },
        }),
        several => Err(Error::NoProject {
            name: name.to_owned(),
            entries: format!(
                "{} .qde files and none is `project.qde`: {}",
                several.len(),
                several
                    .iter()
                    .map(|e| format!("`{e}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }),
    }
}

/// Reads a `.qdpx` project archive into the interchange model and a report.
///
/// Nothing is returned when the file is refused: not a ZIP archive or truncated, a zip
/// bomb or an unsafe entry name, no `.qde` or one that is not well-formed, a reference to a
/// GUID that does not exist, a `plainTextPath` naming a missing file, positions outside the
/// text in every reading or with start after end, duplicate GUIDs. Each error names the
/// element and its line.
///
/// Deviations that real tools' files have are read and listed in
/// [`ImportReport::tolerated`]. Positions are mapped into Ambit's text (LF line endings,
/// chars) through the text exactly as it is in the archive, in the unit detected for each
/// source ([`SourceReport::unit`]).
pub fn read_qdpx<R: Read + Seek>(
    reader: R,
    options: &ReadOptions,
) -> Result<(Project, ImportReport)> {
    let mut tol = Tolerance::default();
    let mut archive = archive::Archive::open(reader, &options.name, options.zip)?;
    let qde = find_qde(&archive.entries, &options.name, &mut tol)?;
    let raw = {
        let stream = archive.stream(&qde)?.ok_or_else(|| Error::NoProject {
            name: options.name.clone(),
            entries: qde.clone(),
        })?;
        let mut x = XmlIn::new(stream, &options.name, &qde);
        let root = root(&mut x, "Project", &mut tol)?;
        let raw = parse::project(&mut x, root, &mut tol)?;
        finish(&mut x)?;
        raw
    };
    match raw.namespace.as_deref() {
        Some(PROJECT_NS) => {}
        Some(ns) => tol.note("ns", Some(1), || {
            format!("the project's namespace is `{ns}`, not `{PROJECT_NS}`; read as 1.0")
        }),
        None => tol.note("ns", Some(1), || {
            format!("the project has no namespace (`xmlns=\"{PROJECT_NS}\"`); read as 1.0")
        }),
    }
    build::project(raw, &mut archive, &qde, options, tol)
}

/// Reads a `.qdc` codebook (the `CodeBook` XML alone; also in the pre-standard namespace
/// `urn:QDA-XML:codebook:0:4`). Codes get Ambit ids as on project import.
pub fn read_qdc<R: BufRead>(reader: R, options: &ReadOptions) -> Result<(CodeTree, ImportReport)> {
    let mut tol = Tolerance::default();
    let mut x = XmlIn::new(reader, &options.name, &options.name);
    let root = root(&mut x, "CodeBook", &mut tol)?;
    let raw = parse::codebook(&mut x, root, &mut tol)?;
    finish(&mut x)?;
    match raw.namespace.as_deref() {
        Some(CODEBOOK_NS) => {}
        Some(CODEBOOK_NS_04) => tol.note("ns", Some(1), || {
            format!("the codebook is in the pre-standard namespace `{CODEBOOK_NS_04}`; read as 1.0")
        }),
        Some(ns) => tol.note("ns", Some(1), || {
            format!("the codebook's namespace is `{ns}`, not `{CODEBOOK_NS}`; read as 1.0")
        }),
        None => tol.note("ns", Some(1), || {
            format!("the codebook has no namespace (`xmlns=\"{CODEBOOK_NS}\"`); read as 1.0")
        }),
    }
    build::codebook(raw, &options.name, tol)
}
