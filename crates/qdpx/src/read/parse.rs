//! The `.qde` (and `.qdc`) XML into raw values: every element read in one pass, GUIDs parsed, references collected for checking, nothing resolved yet.

use std::collections::HashMap;
use std::io::Read;

use super::xmlin::{Tag, XmlIn};
use super::{Skipped, Tolerance};
use crate::ambit::read_colour;
use crate::guid::Spelling;
use crate::model::VarType;
use crate::{Guid, Result};

/// What a GUID names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DefKind {
    User,
    Code,
    Variable,
    Case,
    Source,
    Selection,
    Coding,
    Note,
    Set,
    SyncPoint,
}

impl DefKind {
    pub fn noun(self) -> &'static str {
        match self {
            DefKind::User => "user",
            DefKind::Code => "code",
            DefKind::Variable => "variable",
            DefKind::Case => "case",
            DefKind::Source => "source",
            DefKind::Selection => "selection",
            DefKind::Coding => "coding",
            DefKind::Note => "note",
            DefKind::Set => "set",
            DefKind::SyncPoint => "sync point",
        }
    }
}

/// An object with a GUID. Kept small: a large project has millions (every selection
/// and coding), all held until the references are checked.
pub(crate) struct Def {
    pub guid: Guid,
    pub line: u32,
    pub kind: DefKind,
    /// Index into [`ELEMENTS`].
    element: u8,
}

impl Def {
    pub fn element(&self) -> &'static str {
        ELEMENTS[usize::from(self.element)]
    }
}

/// A reference to check; as small as [`Def`].
pub(crate) struct Ref {
    pub guid: Guid,
    pub line: u32,
    pub expect: DefKind,
    /// Indexes into [`ELEMENTS`] and [`ATTRIBUTES`].
    element: u8,
    attribute: u8,
}

impl Ref {
    pub fn element(&self) -> &'static str {
        ELEMENTS[usize::from(self.element)]
    }

    pub fn attribute(&self) -> &'static str {
        ATTRIBUTES[usize::from(self.attribute)]
    }
}

/// The elements that define GUIDs or refer to them, for messages; `element` for others.
const ELEMENTS: &[&str] = &[
    "element",
    "Project",
    "User",
    "Code",
    "Variable",
    "Case",
    "TextSource",
    "PDFSource",
    "PictureSource",
    "AudioSource",
    "VideoSource",
    "Representation",
    "TextDescription",
    "Transcript",
    "PlainTextSelection",
    "PDFSelection",
    "PictureSelection",
    "AudioSelection",
    "VideoSelection",
    "TranscriptSelection",
    "Coding",
    "CodeRef",
    "NoteRef",
    "SourceRef",
    "SelectionRef",
    "VariableRef",
    "Note",
    "Set",
    "MemberCode",
    "MemberSource",
    "MemberNote",
    "SyncPoint",
    "VariableValue",
];

/// The attributes that hold references.
const ATTRIBUTES: &[&str] = &[
    "targetGUID",
    "guid",
    "creatingUser",
    "modifyingUser",
    "creatingUserGUID",
    "modifyingUserGUID",
    "fromSyncPoint",
    "toSyncPoint",
];

fn index_of(table: &[&str], name: &str) -> u8 {
    table
        .iter()
        .position(|n| *n == name)
        .and_then(|i| u8::try_from(i).ok())
        .unwrap_or(0)
}

pub(crate) struct RawUser {
    pub guid: Guid,
    pub name: Option<String>,
    pub id: Option<String>,
}

pub(crate) struct RawCode {
    pub guid: Guid,
    pub name: String,
    pub codable: bool,
    pub color: Option<String>,
    pub description: String,
    pub parent: Option<usize>,
    pub notes: Vec<Guid>,
    pub line: usize,
}

pub(crate) struct RawVariable {
    pub guid: Guid,
    pub name: String,
    pub kind: VarType,
    pub description: String,
}

pub(crate) struct RawValue {
    pub var: Guid,
    pub value: String,
    pub line: usize,
}

pub(crate) struct RawCase {
    pub guid: Guid,
    pub name: String,
    pub description: String,
    pub codes: Vec<Guid>,
    pub values: Vec<RawValue>,
    pub sources: Vec<Guid>,
    pub selections: usize,
    pub line: usize,
}

pub(crate) struct RawSet {
    pub guid: Guid,
    pub name: String,
    pub description: String,
    pub codes: Vec<Guid>,
    pub sources: Vec<Guid>,
    pub notes: Vec<Guid>,
}

/// A position: a number, or a transcript's sync point.
#[derive(Clone, Copy)]
pub(crate) enum Pos {
    At(i64),
    Sync(Guid),
}

pub(crate) struct RawCoding {
    pub guid: Guid,
    pub code: Guid,
    pub user: Option<Guid>,
    pub created: Option<String>,
    pub notes: Vec<Guid>,
}

pub(crate) struct RawSelection {
    pub guid: Guid,
    pub line: usize,
    pub element: &'static str,
    pub name: Option<String>,
    pub start: Pos,
    pub end: Pos,
    pub creating_user: Option<Guid>,
    pub created: Option<String>,
    pub description: String,
    pub codings: Vec<RawCoding>,
    pub notes: Vec<Guid>,
}

/// A text-bearing source (a `TextSource`, a PDF's representation, a transcript) or a
/// `Note`; or a source without text, with the reason it is skipped.
pub(crate) struct RawSource {
    pub element: &'static str,
    pub guid: Guid,
    pub line: usize,
    pub name: Option<String>,
    pub plain_path: Option<String>,
    pub rich_path: Option<String>,
    pub inline: Option<String>,
    pub description: String,
    pub creating_user: Option<Guid>,
    pub created: Option<String>,
    pub modifying_user: Option<Guid>,
    pub modified: Option<String>,
    pub selections: Vec<RawSelection>,
    /// Codings of the whole source.
    pub codings: Vec<RawCoding>,
    pub notes: Vec<Guid>,
    pub values: Vec<RawValue>,
    /// Selections that have no text position (PDF regions, picture areas, media times):
    /// element and how many codings they held.
    pub skipped_selections: Vec<(&'static str, usize)>,
    pub skip: Option<String>,
    /// Other GUIDs that name this source: a PDF's `Representation`, a transcript.
    pub aliases: Vec<Guid>,
}

impl RawSource {
    fn new(element: &'static str, guid: Guid, line: usize) -> RawSource {
        RawSource {
            element,
            guid,
            line,
            name: None,
            plain_path: None,
            rich_path: None,
            inline: None,
            description: String::new(),
            creating_user: None,
            created: None,
            modifying_user: None,
            modified: None,
            selections: Vec::new(),
            codings: Vec::new(),
            notes: Vec::new(),
            values: Vec::new(),
            skipped_selections: Vec::new(),
            skip: None,
            aliases: Vec::new(),
        }
    }
}

#[derive(Default)]
pub(crate) struct RawProject {
    pub name: String,
    pub origin: Option<String>,
    pub creating_user: Option<Guid>,
    pub created: Option<String>,
    pub modifying_user: Option<Guid>,
    pub modified: Option<String>,
    pub description: String,
    pub namespace: Option<String>,
    pub users: Vec<RawUser>,
    pub codes: Vec<RawCode>,
    pub variables: Vec<RawVariable>,
    pub cases: Vec<RawCase>,
    pub sources: Vec<RawSource>,
    pub notes: Vec<RawSource>,
    pub sets: Vec<RawSet>,
    pub project_notes: Vec<Guid>,
    pub syncpoints: HashMap<Guid, i64>,
    pub defs: Vec<Def>,
    pub refs: Vec<Ref>,
    pub skipped: Vec<Skipped>,
}

/// Attributes every element may carry.
const ANY: &[&str] = &["schemaLocation", "noNamespaceSchemaLocation"];

/// Notes every attribute of `tag` that is not in `known`.
fn check_attrs(tag: &Tag, known: &[&str], tol: &mut Tolerance) {
    for (k, _) in &tag.attrs {
        if k == "xmlns"
            || k.starts_with("xmlns:")
            || known.contains(&k.as_str())
            || ANY.contains(&k.as_str())
        {
            continue;
        }
        tol.note(&format!("attr {}/{k}", tag.name), Some(tag.line), || {
            format!("unknown attribute `{k}` on `{}` ignored", tag.name)
        });
    }
}

fn note_spelling(s: Spelling, tag: &Tag, tol: &mut Tolerance) {
    if s.braces {
        tol.note("guid braces", Some(tag.line), || {
            "GUIDs written in {braces} read without them".to_owned()
        });
    }
    if s.lower {
        tol.note("guid case", Some(tag.line), || {
            "GUIDs in lower or mixed case read in upper case".to_owned()
        });
    }
    if s.unhyphenated {
        tol.note("guid hyphens", Some(tag.line), || {
            "GUIDs without hyphens (not schema-valid) read as GUIDs".to_owned()
        });
    }
}

impl RawProject {
    fn guid_of<R: Read>(
        &mut self,
        x: &XmlIn<R>,
        tag: &Tag,
        attr: &str,
        tol: &mut Tolerance,
    ) -> Result<Option<Guid>> {
        let Some(v) = tag.get(attr) else {
            return Ok(None);
        };
        match Guid::parse_lenient(v) {
            Some((g, s)) => {
                note_spelling(s, tag, tol);
                Ok(Some(g))
            }
            None => Err(x.error_at(
                tag.line,
                format!("`{}` {attr}=\"{v}\" is not a GUID", tag.name),
            )),
        }
    }

    /// The element's own GUID (`guid`), required; recorded for the duplicate check.
    fn define<R: Read>(
        &mut self,
        x: &XmlIn<R>,
        tag: &Tag,
        kind: DefKind,
        tol: &mut Tolerance,
    ) -> Result<Guid> {
        let g = self.guid_of(x, tag, "guid", tol)?.ok_or_else(|| {
            x.error_at(
                tag.line,
                format!(
                    "`{}` has no `guid` attribute, which the schema requires",
                    tag.name
                ),
            )
        })?;
        self.defs.push(Def {
            guid: g,
            line: u32::try_from(tag.line).unwrap_or(u32::MAX),
            kind,
            element: index_of(ELEMENTS, &tag.name),
        });
        Ok(g)
    }

    /// A reference in attribute `attr`, recorded for checking.
    fn refer<R: Read>(
        &mut self,
        x: &XmlIn<R>,
        tag: &Tag,
        attr: &'static str,
        expect: DefKind,
        tol: &mut Tolerance,
    ) -> Result<Option<Guid>> {
        let Some(g) = self.guid_of(x, tag, attr, tol)? else {
            return Ok(None);
        };
        self.refs.push(Ref {
            guid: g,
            line: u32::try_from(tag.line).unwrap_or(u32::MAX),
            expect,
            element: index_of(ELEMENTS, &tag.name),
            attribute: index_of(ATTRIBUTES, attr),
        });
        Ok(Some(g))
    }

    /// A `*Ref`/`Member*` element's target, required.
    fn target<R: Read>(
        &mut self,
        x: &XmlIn<R>,
        tag: &Tag,
        expect: DefKind,
        tol: &mut Tolerance,
    ) -> Result<Guid> {
        let attr = if tag.get("targetGUID").is_some() {
            "targetGUID"
        } else if tag.get("guid").is_some() {
            // A `.qdc` writes `MemberCode guid=…`; some tools write that in projects too.
            if tag.name != "MemberCode" {
                tol.note(
                    &format!("guid for targetGUID {}", tag.name),
                    Some(tag.line),
                    || {
                        format!(
                            "`{}` names its target with `guid`, not `targetGUID`",
                            tag.name
                        )
                    },
                );
            }
            "guid"
        } else {
            return Err(x.error_at(
                tag.line,
                format!("`{}` has no `targetGUID` attribute", tag.name),
            ));
        };
        check_attrs(tag, &["targetGUID", "guid"], tol);
        self.refer(x, tag, attr, expect, tol)?
            .ok_or_else(|| x.error_at(tag.line, format!("`{}` has no target", tag.name)))
    }
}

/// Skips an element the importer does not read, with a note.
fn unknown<R: Read>(x: &mut XmlIn<R>, parent: &str, tag: &Tag, tol: &mut Tolerance) -> Result<()> {
    tol.note(
        &format!("elem {parent}/{}", tag.name),
        Some(tag.line),
        || format!("unknown element `{}` in `{parent}` skipped", tag.name),
    );
    x.skip(tag)
}

/// A container that the schema says holds at least one element, found empty.
fn note_if_empty(tag: &Tag, count: usize, tol: &mut Tolerance) {
    if count == 0 {
        tol.note(&format!("empty {}", tag.name), Some(tag.line), || {
            format!(
                "an empty `<{}/>` (the schema wants at least one child) read as none",
                tag.name
            )
        });
    }
}

/// Reads a `Project` root.
pub(crate) fn project<R: Read>(
    x: &mut XmlIn<R>,
    root: Tag,
    tol: &mut Tolerance,
) -> Result<RawProject> {
    let mut p = RawProject::default();
    check_attrs(
        &root,
        &[
            "name",
            "origin",
            "creatingUserGUID",
            "creationDateTime",
            "modifyingUserGUID",
            "modifiedDateTime",
            "basePath",
        ],
        tol,
    );
    p.namespace = root.get("xmlns").map(str::to_owned);
    p.name = root.get("name").unwrap_or_default().to_owned();
    p.origin = root.get("origin").map(str::to_owned);
    p.created = root.get("creationDateTime").map(str::to_owned);
    p.modified = root.get("modifiedDateTime").map(str::to_owned);
    p.creating_user = p.refer(x, &root, "creatingUserGUID", DefKind::User, tol)?;
    p.modifying_user = p.refer(x, &root, "modifyingUserGUID", DefKind::User, tol)?;
    x.children(&root, tol, |x, tag, tol| {
        match tag.name.as_str() {
            "Users" => {
                let mut n = 0;
                x.children(&tag, tol, |x, u, tol| {
                    if u.name != "User" {
                        return unknown(x, "Users", &u, tol);
                    }
                    check_attrs(&u, &["guid", "name", "id"], tol);
                    let guid = p.define(x, &u, DefKind::User, tol)?;
                    p.users.push(RawUser {
                        guid,
                        name: u.get("name").map(str::to_owned),
                        id: u.get("id").map(str::to_owned),
                    });
                    n += 1;
                    x.skip(&u)
                })?;
                note_if_empty(&tag, n, tol);
            }
            "CodeBook" => {
                x.children(&tag, tol, |x, codes, tol| {
                    if codes.name != "Codes" {
                        return unknown(x, "CodeBook", &codes, tol);
                    }
                    let before = p.codes.len();
                    x.children(&codes, tol, |x, c, tol| {
                        if c.name != "Code" {
                            return unknown(x, "Codes", &c, tol);
                        }
                        code(x, c, None, &mut p, tol)
                    })?;
                    note_if_empty(&codes, p.codes.len() - before, tol);
                    Ok(())
                })?;
            }
            "Variables" => {
                let mut n = 0;
                x.children(&tag, tol, |x, v, tol| {
                    if v.name != "Variable" {
                        return unknown(x, "Variables", &v, tol);
                    }
                    check_attrs(&v, &["guid", "name", "typeOfVariable"], tol);
                    let guid = p.define(x, &v, DefKind::Variable, tol)?;
                    let kind = match v.get("typeOfVariable") {
                        Some(t) => VarType::parse(t).unwrap_or_else(|| {
                            tol.note("var type", Some(v.line), || {
                                format!(
                                    "variable type `{t}` is not one of the schema's; read as Text"
                                )
                            });
                            VarType::Text
                        }),
                        None => VarType::Text,
                    };
                    let mut description = String::new();
                    x.children(&v, tol, |x, d, tol| {
                        if d.name == "Description" {
                            description = x.text(&d)?;
                            Ok(())
                        } else {
                            unknown(x, "Variable", &d, tol)
                        }
                    })?;
                    p.variables.push(RawVariable {
                        guid,
                        name: v.get("name").unwrap_or_default().to_owned(),
                        kind,
                        description,
                    });
                    n += 1;
                    Ok(())
                })?;
                note_if_empty(&tag, n, tol);
            }
            "Cases" => {
                let mut n = 0;
                x.children(&tag, tol, |x, c, tol| {
                    if c.name != "Case" {
                        return unknown(x, "Cases", &c, tol);
                    }
                    check_attrs(&c, &["guid", "name"], tol);
                    let guid = p.define(x, &c, DefKind::Case, tol)?;
                    let mut case = RawCase {
                        guid,
                        name: c.get("name").unwrap_or_default().to_owned(),
                        description: String::new(),
                        codes: Vec::new(),
                        values: Vec::new(),
                        sources: Vec::new(),
                        selections: 0,
                        line: c.line,
                    };
                    x.children(&c, tol, |x, k, tol| {
                        match k.name.as_str() {
                            "Description" => case.description = x.text(&k)?,
                            "CodeRef" => {
                                case.codes.push(p.target(x, &k, DefKind::Code, tol)?);
                                x.skip(&k)?;
                            }
                            "SourceRef" => {
                                case.sources.push(p.target(x, &k, DefKind::Source, tol)?);
                                x.skip(&k)?;
                            }
                            "SelectionRef" => {
                                p.target(x, &k, DefKind::Selection, tol)?;
                                case.selections += 1;
                                x.skip(&k)?;
                            }
                            "VariableValue" => case.values.push(value(x, k, &mut p, tol)?),
                            _ => unknown(x, "Case", &k, tol)?,
                        }
                        Ok(())
                    })?;
                    p.cases.push(case);
                    n += 1;
                    Ok(())
                })?;
                note_if_empty(&tag, n, tol);
            }
            "Sources" => {
                let before = p.sources.len();
                x.children(&tag, tol, |x, s, tol| {
                    let out = match s.name.as_str() {
                        "TextSource" => vec![text_source(x, s, "TextSource", &mut p, tol)?],
                        "PDFSource" | "PictureSource" => media_with_text(x, s, &mut p, tol)?,
                        "AudioSource" | "VideoSource" => media_with_transcripts(x, s, &mut p, tol)?,
                        _ => {
                            unknown(x, "Sources", &s, tol)?;
                            Vec::new()
                        }
                    };
                    p.sources.extend(out);
                    Ok(())
                })?;
                note_if_empty(&tag, p.sources.len() - before, tol);
            }
            "Notes" => {
                let mut n = 0;
                x.children(&tag, tol, |x, s, tol| {
                    if s.name != "Note" {
                        return unknown(x, "Notes", &s, tol);
                    }
                    let note = text_source(x, s, "Note", &mut p, tol)?;
                    p.notes.push(note);
                    n += 1;
                    Ok(())
                })?;
                note_if_empty(&tag, n, tol);
            }
            "Sets" => {
                let mut n = 0;
                x.children(&tag, tol, |x, s, tol| {
                    if s.name != "Set" {
                        return unknown(x, "Sets", &s, tol);
                    }
                    let set = set(x, s, &mut p, tol)?;
                    p.sets.push(set);
                    n += 1;
                    Ok(())
                })?;
                note_if_empty(&tag, n, tol);
            }
            "Links" | "Graphs" => {
                let mut n = 0usize;
                x.children(&tag, tol, |x, g, _| {
                    n += 1;
                    x.skip(&g)
                })?;
                if n > 0 {
                    let what = if tag.name == "Links" {
                        "links"
                    } else {
                        "graphs (networks)"
                    };
                    p.skipped.push(Skipped {
                        element: tag.name.clone(),
                        name: format!("{n} {what}"),
                        line: tag.line,
                        reason: "Ambit has no place for them".to_owned(),
                    });
                }
            }
            "Description" => p.description = x.text(&tag)?,
            "NoteRef" => {
                let g = p.target(x, &tag, DefKind::Note, tol)?;
                p.project_notes.push(g);
                x.skip(&tag)?;
            }
            _ => unknown(x, "Project", &tag, tol)?,
        }
        Ok(())
    })?;
    Ok(p)
}

/// A `Code` and its children, in document order (parents before children).
pub(crate) fn code<R: Read>(
    x: &mut XmlIn<R>,
    tag: Tag,
    parent: Option<usize>,
    p: &mut RawProject,
    tol: &mut Tolerance,
) -> Result<()> {
    check_attrs(&tag, &["guid", "name", "isCodable", "color"], tol);
    let guid = p.define(x, &tag, DefKind::Code, tol)?;
    let name = match tag.get("name") {
        Some(n) => n.to_owned(),
        None => {
            tol.note("code no name", Some(tag.line), || {
                "a `Code` without the required `name` read as `(unnamed)`".to_owned()
            });
            "(unnamed)".to_owned()
        }
    };
    let codable = match tag.get("isCodable").map(str::trim) {
        Some("true" | "1") => true,
        Some("false" | "0") => false,
        other => {
            tol.note("code codable", Some(tag.line), || {
                format!(
                    "`isCodable` {} read as true",
                    other.map_or("missing".to_owned(), |o| format!("`{o}`"))
                )
            });
            true
        }
    };
    let color = match tag.get("color") {
        None => None,
        Some(c) => match read_colour(c) {
            Some((col, odd)) => {
                if odd {
                    tol.note("colour form", Some(tag.line), || {
                        format!("colours like `{c}` read as `{col}`")
                    });
                }
                Some(col)
            }
            None => {
                tol.note("colour bad", Some(tag.line), || {
                    format!("colour `{c}` is not a colour; left out")
                });
                None
            }
        },
    };
    let me = p.codes.len();
    p.codes.push(RawCode {
        guid,
        name,
        codable,
        color,
        description: String::new(),
        parent,
        notes: Vec::new(),
        line: tag.line,
    });
    x.children(&tag, tol, |x, c, tol| {
        match c.name.as_str() {
            "Description" => p.codes[me].description = x.text(&c)?,
            "NoteRef" => {
                let g = p.target(x, &c, DefKind::Note, tol)?;
                p.codes[me].notes.push(g);
                x.skip(&c)?;
            }
            "Code" => code(x, c, Some(me), p, tol)?,
            _ => unknown(x, "Code", &c, tol)?,
        }
        Ok(())
    })
}

fn value<R: Read>(
    x: &mut XmlIn<R>,
    tag: Tag,
    p: &mut RawProject,
    tol: &mut Tolerance,
) -> Result<RawValue> {
    let mut var = None;
    let mut value = None;
    x.children(&tag, tol, |x, c, tol| {
        match c.name.as_str() {
            "VariableRef" => {
                var = Some(p.target(x, &c, DefKind::Variable, tol)?);
                x.skip(&c)?;
            }
            "TextValue" => value = Some(x.text(&c)?),
            "BooleanValue" | "IntegerValue" | "FloatValue" | "DateValue" | "DateTimeValue" => {
                value = Some(x.text(&c)?.trim().to_owned())
            }
            _ => unknown(x, "VariableValue", &c, tol)?,
        }
        Ok(())
    })?;
    let var = var.ok_or_else(|| x.error_at(tag.line, "`VariableValue` has no `VariableRef`"))?;
    Ok(RawValue {
        var,
        value: value.unwrap_or_default(),
        line: tag.line,
    })
}

fn set<R: Read>(
    x: &mut XmlIn<R>,
    tag: Tag,
    p: &mut RawProject,
    tol: &mut Tolerance,
) -> Result<RawSet> {
    check_attrs(&tag, &["guid", "name"], tol);
    let guid = p.define(x, &tag, DefKind::Set, tol)?;
    let mut s = RawSet {
        guid,
        name: tag.get("name").unwrap_or_default().to_owned(),
        description: String::new(),
        codes: Vec::new(),
        sources: Vec::new(),
        notes: Vec::new(),
    };
    x.children(&tag, tol, |x, c, tol| {
        match c.name.as_str() {
            "Description" => s.description = x.text(&c)?,
            "MemberCode" => {
                s.codes.push(p.target(x, &c, DefKind::Code, tol)?);
                x.skip(&c)?;
            }
            "MemberSource" => {
                s.sources.push(p.target(x, &c, DefKind::Source, tol)?);
                x.skip(&c)?;
            }
            "MemberNote" => {
                s.notes.push(p.target(x, &c, DefKind::Note, tol)?);
                x.skip(&c)?;
            }
            _ => unknown(x, "Set", &c, tol)?,
        }
        Ok(())
    })?;
    Ok(s)
}

const SOURCE_ATTRS: &[&str] = &[
    "guid",
    "name",
    "richTextPath",
    "plainTextPath",
    "creatingUser",
    "creationDateTime",
    "modifyingUser",
    "modifiedDateTime",
    "path",
    "currentPath",
];

/// The attributes every source-like element shares.
fn source_head<R: Read>(
    x: &mut XmlIn<R>,
    tag: &Tag,
    element: &'static str,
    kind: DefKind,
    p: &mut RawProject,
    tol: &mut Tolerance,
) -> Result<RawSource> {
    check_attrs(tag, SOURCE_ATTRS, tol);
    let guid = p.define(x, tag, kind, tol)?;
    let mut s = RawSource::new(element, guid, tag.line);
    s.name = tag.get("name").map(str::to_owned);
    s.plain_path = tag.get("plainTextPath").map(str::to_owned);
    s.rich_path = tag
        .get("richTextPath")
        .or_else(|| tag.get("path"))
        .map(str::to_owned);
    s.created = tag.get("creationDateTime").map(str::to_owned);
    s.modified = tag.get("modifiedDateTime").map(str::to_owned);
    s.creating_user = p.refer(x, tag, "creatingUser", DefKind::User, tol)?;
    s.modifying_user = p.refer(x, tag, "modifyingUser", DefKind::User, tol)?;
    Ok(s)
}

/// A `TextSource` (also a `Note`, a PDF's `Representation`, a picture's `TextDescription`:
/// the same schema type).
fn text_source<R: Read>(
    x: &mut XmlIn<R>,
    tag: Tag,
    element: &'static str,
    p: &mut RawProject,
    tol: &mut Tolerance,
) -> Result<RawSource> {
    let kind = if element == "Note" {
        DefKind::Note
    } else {
        DefKind::Source
    };
    let mut s = source_head(x, &tag, element, kind, p, tol)?;
    x.children(&tag, tol, |x, c, tol| {
        match c.name.as_str() {
            "Description" => s.description = x.text(&c)?,
            "PlainTextContent" => s.inline = Some(x.text(&c)?),
            "PlainTextSelection" => {
                let sel = selection(x, c, "PlainTextSelection", p, tol)?;
                s.selections.push(sel);
            }
            "Coding" => s.codings.push(coding(x, c, p, tol)?),
            "NoteRef" => {
                s.notes.push(p.target(x, &c, DefKind::Note, tol)?);
                x.skip(&c)?;
            }
            "VariableValue" => s.values.push(value(x, c, p, tol)?),
            _ => unknown(x, element, &c, tol)?,
        }
        Ok(())
    })?;
    Ok(s)
}

/// A selection of any kind. Text and transcript selections keep their positions; the
/// others (regions, times) are read for their GUIDs and references only.
fn selection<R: Read>(
    x: &mut XmlIn<R>,
    tag: Tag,
    element: &'static str,
    p: &mut RawProject,
    tol: &mut Tolerance,
) -> Result<RawSelection> {
    let known: &[&str] = match element {
        "PlainTextSelection" => &["startPosition", "endPosition"],
        "TranscriptSelection" => &["fromSyncPoint", "toSyncPoint"],
        "AudioSelection" | "VideoSelection" => &["begin", "end"],
        "PDFSelection" => &["page", "firstX", "firstY", "secondX", "secondY"],
        _ => &["firstX", "firstY", "secondX", "secondY"],
    };
    let mut all = vec![
        "guid",
        "name",
        "creatingUser",
        "creationDateTime",
        "modifyingUser",
        "modifiedDateTime",
    ];
    all.extend_from_slice(known);
    check_attrs(&tag, &all, tol);
    let guid = p.define(x, &tag, DefKind::Selection, tol)?;
    let pos = |x: &XmlIn<R>, attr: &str| -> Result<Pos> {
        let v = tag.get(attr).ok_or_else(|| {
            x.error_at(
                tag.line,
                format!("`{}` has no `{attr}` attribute", tag.name),
            )
        })?;
        v.trim().parse::<i64>().map(Pos::At).map_err(|_| {
            x.error_at(
                tag.line,
                format!("`{}` {attr}=\"{v}\" is not a whole number", tag.name),
            )
        })
    };
    let (start, end) = match element {
        "PlainTextSelection" => (pos(x, "startPosition")?, pos(x, "endPosition")?),
        "TranscriptSelection" => {
            let from = p.refer(x, &tag, "fromSyncPoint", DefKind::SyncPoint, tol)?;
            let to = p.refer(x, &tag, "toSyncPoint", DefKind::SyncPoint, tol)?;
            match (from, to) {
                (Some(a), Some(b)) => (Pos::Sync(a), Pos::Sync(b)),
                _ => (Pos::At(-1), Pos::At(-1)),
            }
        }
        _ => (Pos::At(-1), Pos::At(-1)),
    };
    let creating_user = p.refer(x, &tag, "creatingUser", DefKind::User, tol)?;
    p.refer(x, &tag, "modifyingUser", DefKind::User, tol)?;
    let mut sel = RawSelection {
        guid,
        line: tag.line,
        element,
        name: tag.get("name").map(str::to_owned),
        start,
        end,
        creating_user,
        created: tag.get("creationDateTime").map(str::to_owned),
        description: String::new(),
        codings: Vec::new(),
        notes: Vec::new(),
    };
    x.children(&tag, tol, |x, c, tol| {
        match c.name.as_str() {
            "Description" => sel.description = x.text(&c)?,
            "Coding" => sel.codings.push(coding(x, c, p, tol)?),
            "NoteRef" => {
                sel.notes.push(p.target(x, &c, DefKind::Note, tol)?);
                x.skip(&c)?;
            }
            // A PDF selection's own text representation: its position is the PDF's, and
            // the selections of the PDF's `Representation` carry the text positions.
            "Representation" => x.skip(&c)?,
            _ => unknown(x, element, &c, tol)?,
        }
        Ok(())
    })?;
    Ok(sel)
}

fn coding<R: Read>(
    x: &mut XmlIn<R>,
    tag: Tag,
    p: &mut RawProject,
    tol: &mut Tolerance,
) -> Result<RawCoding> {
    check_attrs(&tag, &["guid", "creatingUser", "creationDateTime"], tol);
    let guid = p.define(x, &tag, DefKind::Coding, tol)?;
    let user = p.refer(x, &tag, "creatingUser", DefKind::User, tol)?;
    let mut code = None;
    let mut notes = Vec::new();
    x.children(&tag, tol, |x, c, tol| {
        match c.name.as_str() {
            "CodeRef" => {
                code = Some(p.target(x, &c, DefKind::Code, tol)?);
                x.skip(&c)?;
            }
            "NoteRef" => {
                notes.push(p.target(x, &c, DefKind::Note, tol)?);
                x.skip(&c)?;
            }
            _ => unknown(x, "Coding", &c, tol)?,
        }
        Ok(())
    })?;
    let code = code.ok_or_else(|| {
        x.error_at(
            tag.line,
            "`Coding` has no `CodeRef`, which the schema requires",
        )
    })?;
    Ok(RawCoding {
        guid,
        code,
        user,
        created: tag.get("creationDateTime").map(str::to_owned),
        notes,
    })
}

/// A `PDFSource` (text from its `Representation`) or `PictureSource` (text from its
/// `TextDescription`); without that text, a skipped source.
fn media_with_text<R: Read>(
    x: &mut XmlIn<R>,
    tag: Tag,
    p: &mut RawProject,
    tol: &mut Tolerance,
) -> Result<Vec<RawSource>> {
    let (element, text_child, region): (&'static str, &str, &'static str) =
        if tag.name == "PDFSource" {
            ("PDFSource", "Representation", "PDFSelection")
        } else {
            ("PictureSource", "TextDescription", "PictureSelection")
        };
    let mut head = source_head(x, &tag, element, DefKind::Source, p, tol)?;
    let mut text: Option<RawSource> = None;
    x.children(&tag, tol, |x, c, tol| {
        match c.name.as_str() {
            "Description" => head.description = x.text(&c)?,
            n if n == text_child => {
                let name = if element == "PDFSource" {
                    "Representation"
                } else {
                    "TextDescription"
                };
                text = Some(text_source(x, c, name, p, tol)?);
            }
            n if n == region => {
                let sel = selection(x, c, region, p, tol)?;
                head.skipped_selections.push((region, sel.codings.len()));
            }
            "Coding" => head.codings.push(coding(x, c, p, tol)?),
            "NoteRef" => {
                head.notes.push(p.target(x, &c, DefKind::Note, tol)?);
                x.skip(&c)?;
            }
            "VariableValue" => head.values.push(value(x, c, p, tol)?),
            _ => unknown(x, element, &c, tol)?,
        }
        Ok(())
    })?;
    Ok(vec![merge_text(head, text, element)])
}

/// The text part of a PDF or picture with the outer element's name, notes, values and
/// codings, or the outer element marked as skipped.
fn merge_text(mut head: RawSource, text: Option<RawSource>, element: &'static str) -> RawSource {
    let Some(mut t) = text else {
        head.skip = Some(if element == "PDFSource" {
            "a PDF without a text representation".to_owned()
        } else {
            "a picture without a text description".to_owned()
        });
        return head;
    };
    t.element = element;
    // Other objects refer to the PDF or picture, not to its text part.
    t.aliases.push(t.guid);
    t.guid = head.guid;
    if t.name.is_none() {
        t.name = head.name.take();
    }
    if t.description.is_empty() {
        t.description = std::mem::take(&mut head.description);
    }
    t.rich_path = t.rich_path.or(head.rich_path);
    t.creating_user = t.creating_user.or(head.creating_user);
    t.created = t.created.or(head.created);
    t.notes.extend(head.notes);
    t.values.extend(head.values);
    t.codings.extend(head.codings);
    t.skipped_selections.extend(head.skipped_selections);
    t
}

/// An `AudioSource` or `VideoSource`: each `Transcript` becomes a text source.
fn media_with_transcripts<R: Read>(
    x: &mut XmlIn<R>,
    tag: Tag,
    p: &mut RawProject,
    tol: &mut Tolerance,
) -> Result<Vec<RawSource>> {
    let (element, region): (&'static str, &'static str) = if tag.name == "AudioSource" {
        ("AudioSource", "AudioSelection")
    } else {
        ("VideoSource", "VideoSelection")
    };
    let mut head = source_head(x, &tag, element, DefKind::Source, p, tol)?;
    let mut transcripts: Vec<RawSource> = Vec::new();
    x.children(&tag, tol, |x, c, tol| {
        match c.name.as_str() {
            "Description" => head.description = x.text(&c)?,
            "Transcript" => {
                let mut t = source_head(x, &c, element, DefKind::Source, p, tol)?;
                x.children(&c, tol, |x, k, tol| {
                    match k.name.as_str() {
                        "Description" => t.description = x.text(&k)?,
                        "PlainTextContent" => t.inline = Some(x.text(&k)?),
                        "SyncPoint" => {
                            check_attrs(&k, &["guid", "timeStamp", "position"], tol);
                            let g = p.define(x, &k, DefKind::SyncPoint, tol)?;
                            let pos = k
                                .get("position")
                                .and_then(|v| v.trim().parse::<i64>().ok())
                                .unwrap_or(-1);
                            p.syncpoints.insert(g, pos);
                            x.skip(&k)?;
                        }
                        "TranscriptSelection" => {
                            let sel = selection(x, k, "TranscriptSelection", p, tol)?;
                            t.selections.push(sel);
                        }
                        "NoteRef" => {
                            t.notes.push(p.target(x, &k, DefKind::Note, tol)?);
                            x.skip(&k)?;
                        }
                        _ => unknown(x, "Transcript", &k, tol)?,
                    }
                    Ok(())
                })?;
                transcripts.push(t);
            }
            n if n == region => {
                let sel = selection(x, c, region, p, tol)?;
                head.skipped_selections.push((region, sel.codings.len()));
            }
            "Coding" => head.codings.push(coding(x, c, p, tol)?),
            "NoteRef" => {
                head.notes.push(p.target(x, &c, DefKind::Note, tol)?);
                x.skip(&c)?;
            }
            "VariableValue" => head.values.push(value(x, c, p, tol)?),
            _ => unknown(x, element, &c, tol)?,
        }
        Ok(())
    })?;
    if transcripts.is_empty() {
        head.skip = Some(format!(
            "{} without a transcript",
            if element == "AudioSource" {
                "audio"
            } else {
                "a video"
            }
        ));
        return Ok(vec![head]);
    }
    let several = transcripts.len() > 1;
    let base = head.name.clone();
    let mut first = true;
    for t in &mut transcripts {
        t.name = match (&base, &t.name, several) {
            (Some(b), Some(n), true) => Some(format!("{b} ({n})")),
            (Some(b), _, _) => Some(b.clone()),
            (None, n, _) => n.clone(),
        };
        t.rich_path = t.rich_path.take().or(head.rich_path.clone());
        if first {
            t.aliases.push(t.guid);
            t.guid = head.guid;
            // The media's own notes, values and codings go with its first transcript.
            t.notes.append(&mut head.notes);
            t.values.append(&mut head.values);
            t.skipped_selections.append(&mut head.skipped_selections);
            if !head.codings.is_empty() {
                t.codings.append(&mut head.codings);
            }
            if t.description.is_empty() {
                t.description = std::mem::take(&mut head.description);
            }
            first = false;
        }
    }
    Ok(transcripts)
}

/// A `.qdc`'s `CodeBook` root: codes and sets.
pub(crate) fn codebook<R: Read>(
    x: &mut XmlIn<R>,
    root: Tag,
    tol: &mut Tolerance,
) -> Result<RawProject> {
    let mut p = RawProject::default();
    check_attrs(&root, &["origin"], tol);
    p.namespace = root.get("xmlns").map(str::to_owned);
    p.origin = root.get("origin").map(str::to_owned);
    x.children(&root, tol, |x, tag, tol| {
        match tag.name.as_str() {
            "Codes" => {
                let before = p.codes.len();
                x.children(&tag, tol, |x, c, tol| {
                    if c.name != "Code" {
                        return unknown(x, "Codes", &c, tol);
                    }
                    code(x, c, None, &mut p, tol)
                })?;
                note_if_empty(&tag, p.codes.len() - before, tol);
            }
            "Sets" => {
                let mut n = 0;
                x.children(&tag, tol, |x, s, tol| {
                    if s.name != "Set" {
                        return unknown(x, "Sets", &s, tol);
                    }
                    let set = set(x, s, &mut p, tol)?;
                    p.sets.push(set);
                    n += 1;
                    Ok(())
                })?;
                note_if_empty(&tag, n, tol);
            }
            _ => unknown(x, "CodeBook", &tag, tol)?,
        }
        Ok(())
    })?;
    Ok(p)
}
