//! Writing `.qdpx` and `.qdc`: the XML streamed element by element in the schema's order, GUIDs derived, the archive byte-identical on every run.
//!
//! `project` plans and streams a project, `codes` the code tree both files share,
//! `guids` hands out GUIDs, `values` checks and infers variable values.

mod codes;
mod guids;
mod project;
mod values;

use std::io::{BufWriter, Seek, Write};

use crate::ambit::with_data;
use crate::guid::Kind;
use crate::model::CodeTree;
use crate::model::Project;
use crate::xml::XmlOut;
use crate::{Error, Result};

use codes::CodesOut;
use guids::Guids;
use project::Plan;

/// The project namespace and schema location, as REFI's examples write them.
pub(crate) const PROJECT_NS: &str = "urn:QDA-XML:project:1.0";
pub(crate) const PROJECT_XSD: &str =
    "urn:QDA-XML:project:1.0 http://schema.qdasoftware.org/versions/Project/v1.0/Project.xsd";
const CODEBOOK_NS: &str = "urn:QDA-XML:codebook:1.0";
const CODEBOOK_XSD: &str =
    "urn:QDA-XML:codebook:1.0 http://schema.qdasoftware.org/versions/Codebook/v1.0/Codebook.xsd";
pub(crate) const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// What the writer puts in `origin`; the reader recognises Ambit's own files by it.
pub(crate) const ORIGIN_PREFIX: &str = "Ambit";

pub(crate) fn origin() -> String {
    format!("{ORIGIN_PREFIX} {}", env!("CARGO_PKG_VERSION"))
}

/// How to write a `.qdpx`.
#[derive(Debug, Clone, Default)]
pub struct WriteOptions {
    /// Group the sources into cases by this attribute (`--cases ATTR`): one `Case` per
    /// value, holding its sources and the value. `None` makes no cases.
    pub cases_by: Option<String>,
}

/// What an export wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ExportReport {
    /// Users (coders).
    pub users: usize,
    /// Codes.
    pub codes: usize,
    /// Variables.
    pub variables: usize,
    /// Cases.
    pub cases: usize,
    /// Sources (documents).
    pub sources: usize,
    /// Original files written with their sources (`richTextPath`).
    pub originals: usize,
    /// Selections.
    pub selections: usize,
    /// Codings.
    pub codings: usize,
    /// Notes (memos, including memos on codings).
    pub notes: usize,
    /// Sets (one per phase, and any others).
    pub sets: usize,
    /// What was changed to keep the file valid, for the user to check.
    pub warnings: Vec<String>,
}

/// Writes `project` as a `.qdpx` archive: `project.qde` and a lower-case `sources/` folder
/// with each text as `<GUID>.txt` (UTF-8, no BOM, byte-identical to [`Source::text`]) and
/// each original file. The XML is streamed into the archive; nothing is built in memory but
/// lookup tables. Two exports of the same project are byte-identical.
///
/// Refuses a project it cannot write validly: a coding of a code that is not in the
/// codebook, a selection past its text, a parent that is not a code, duplicate GUIDs.
pub fn write_qdpx<W: Write + Seek>(
    project: &Project,
    writer: W,
    options: &WriteOptions,
) -> Result<ExportReport> {
    let mut report = ExportReport::default();
    let mut plan = Plan::new(project, options, &mut report)?;
    let mut zip = zip::ZipWriter::new(writer).set_auto_large_file();
    let file = |large: bool| {
        zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(6))
            .last_modified_time(zip::DateTime::default())
            .unix_permissions(0o644)
            .large_file(large)
    };
    let zerr = |e: zip::result::ZipError| Error::Io(std::io::Error::other(e));
    // Codings take about 400 bytes of XML each; past 2 GB the entry needs ZIP64 sizes.
    let codings: usize = project
        .sources
        .iter()
        .map(|s| {
            s.selections
                .iter()
                .map(|x| x.codings.len() + 1)
                .sum::<usize>()
        })
        .sum();
    let text: usize = project.sources.iter().map(|s| s.text.len()).sum();
    zip.start_file("project.qde", file(codings * 400 + text / 4 > 2 << 30))
        .map_err(zerr)?;
    {
        let out = BufWriter::with_capacity(256 * 1024, &mut zip);
        let (mut out, replaced) = plan.write_qde(XmlOut::new(out), &mut report)?;
        out.flush()?;
        if replaced > 0 {
            report.warnings.push(format!(
                "{replaced} characters that XML cannot hold (control characters) in names, \
                 descriptions or memos were written as U+FFFD"
            ));
        }
    }
    for (i, (s, guid)) in project.sources.iter().zip(&plan.source_guids).enumerate() {
        zip.start_file(format!("sources/{guid}.txt"), file(s.text.len() > 2 << 30))
            .map_err(zerr)?;
        zip.write_all(s.text.as_bytes())?;
        if let Some((path, o)) = plan.original_path(i) {
            zip.start_file(path, file(o.bytes.len() > 2 << 30))
                .map_err(zerr)?;
            zip.write_all(&o.bytes)?;
            report.originals += 1;
        }
    }
    zip.finish().map_err(zerr)?;
    Ok(report)
}

/// Writes a codebook as a `.qdc` (the `CodeBook` XML alone). `project_key` is what the
/// GUIDs derive from: the same key as the project's `.qdpx`, so a tool that imports both
/// sees the same codes. Refuses an empty codebook (the schema needs at least one code).
pub fn write_qdc<W: Write>(tree: &CodeTree, project_key: &str, writer: W) -> Result<ExportReport> {
    if tree.codes.is_empty() {
        return Err(Error::Model(
            "the codebook has no codes, and a .qdc needs at least one".to_owned(),
        ));
    }
    let mut report = ExportReport::default();
    let mut guids = Guids::new(project_key);
    let codes = CodesOut::new(tree, &mut guids)?;
    let mut x = XmlOut::new(BufWriter::new(writer));
    x.decl()?;
    let origin = origin();
    x.start(
        "CodeBook",
        &[
            ("xmlns", CODEBOOK_NS),
            ("xmlns:xsi", XSI),
            ("xsi:schemaLocation", CODEBOOK_XSD),
            ("origin", &origin),
        ],
    )?;
    x.start("Codes", &[])?;
    let no_refs = |_: &str| Vec::new();
    for &r in &codes.roots {
        codes.write(&mut x, r, &no_refs)?;
    }
    x.end("Codes")?;
    if !tree.sets.is_empty() {
        x.start("Sets", &[])?;
        for set in &tree.sets {
            let g = guids.get(set.guid, Kind::Set, &set.key, &format!("set `{}`", set.key))?;
            let mut data = toml::Table::new();
            data.insert("key".into(), set.key.clone().into());
            x.start("Set", &[("guid", &g.to_string()), ("name", &set.name)])?;
            x.text_element("Description", &with_data(&set.description, &data))?;
            for c in &set.codes {
                let g = codes.guid(c).ok_or_else(|| {
                    Error::Model(format!(
                        "set `{}` holds code `{c}`, which is not a code",
                        set.key
                    ))
                })?;
                x.empty("MemberCode", &[("guid", &g.to_string())])?;
            }
            x.end("Set")?;
        }
        x.end("Sets")?;
    }
    x.end("CodeBook")?;
    let (mut out, replaced) = x.finish()?;
    out.flush()?;
    report.codes = tree.codes.len();
    report.sets = tree.sets.len();
    if replaced > 0 {
        report.warnings.push(format!(
            "{replaced} characters that XML cannot hold were written as U+FFFD"
        ));
    }
    Ok(report)
}
