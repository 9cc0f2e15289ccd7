//! The interchange model: a REFI-QDA project as plain in-memory values, keyed the way Ambit keys things.
//!
//! References between objects use Ambit's keys, not GUIDs: a coding names its code by id
//! and its coder by name, a note names its source by [`Source::key`]. Every object may carry
//! the GUID it had in a file (or that the store kept); the writer derives the others
//! ([`Guid::derive`]), so the same project always exports the same GUIDs.

use std::collections::BTreeMap;

use ambit_coding::Rule;
use ambit_core::{Date, DocKind, Origin, PassageSpan, Phase};

use crate::Guid;

/// The variable holding a document's date.
pub const VAR_DATE: &str = "ambit:date";
/// The variable holding the phase a document falls in on the study timeline.
pub const VAR_PHASE: &str = "ambit:phase";
/// The variable holding a document's kind (interview, workshop, …).
pub const VAR_KIND: &str = "ambit:kind";

/// A whole project: what a `.qdpx` holds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Project {
    /// The project's name (`Project@name`).
    pub name: String,
    /// What derived GUIDs are derived from besides the object: stable for the life of the
    /// project and different between projects (the store keeps one). Not written to the file.
    pub key: String,
    /// The tool that wrote the file (`Project@origin`), when read; the writer always writes
    /// `Ambit <version>`.
    pub origin: Option<String>,
    /// The user who created the project, by name.
    pub creating_user: Option<String>,
    /// When the project was created (`xsd:dateTime`, e.g. `2024-03-01T09:30:00Z`).
    pub created: Option<String>,
    /// The user who last changed the project, by name.
    pub modifying_user: Option<String>,
    /// When the project was last changed (`xsd:dateTime`).
    pub modified: Option<String>,
    /// The project's description, without Ambit's own data.
    pub description: String,
    /// Users (coders). The writer adds any user that a coding, note or source names.
    pub users: Vec<User>,
    /// The codes.
    pub codebook: CodeTree,
    /// The study timeline: one `Set` per phase on export, restored from those sets on import.
    pub phases: Vec<Phase>,
    /// The GUIDs of the phase sets, by phase id, as read or stored; derived when missing.
    pub phase_guids: BTreeMap<String, Guid>,
    /// Variable definitions. The writer adds one for each document attribute and for
    /// [`VAR_DATE`], [`VAR_PHASE`] and [`VAR_KIND`] when they are used.
    pub variables: Vec<Variable>,
    /// Cases. Ambit has none of its own; [`WriteOptions::cases_by`](crate::WriteOptions)
    /// makes them from an attribute.
    pub cases: Vec<Case>,
    /// Documents.
    pub sources: Vec<Source>,
    /// Memos on the project, documents, codes and passages. Memos on codings are
    /// [`Coding::memo`].
    pub notes: Vec<Note>,
    /// Sets other than the phase sets.
    pub sets: Vec<Set>,
}

impl Project {
    /// An empty project named `name`, whose derived GUIDs derive from `key`.
    pub fn new(name: &str, key: &str) -> Project {
        Project {
            name: name.to_owned(),
            key: key.to_owned(),
            ..Project::default()
        }
    }

    /// A source's attributes together with those of the cases it belongs to (the source's
    /// own value wins). NVivo keeps participants' attributes on cases, ATLAS.ti on
    /// documents; Ambit keeps them on documents.
    pub fn attributes_with_cases(&self, source: &Source) -> BTreeMap<String, String> {
        let mut out = source.attributes.clone();
        for case in &self.cases {
            if case.sources.contains(&source.key) {
                for (k, v) in &case.values {
                    out.entry(k.clone()).or_insert_with(|| v.clone());
                }
            }
        }
        out
    }
}

/// A user (a coder).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// The name; Ambit's coder name, and the key other objects use.
    pub name: String,
    /// The GUID from the file or the store; derived from the name when `None`.
    pub guid: Option<Guid>,
}

impl User {
    /// A user with a derived GUID.
    pub fn new(name: &str) -> User {
        User {
            name: name.to_owned(),
            guid: None,
        }
    }
}

/// The codes: what a `.qdc` holds, and the `CodeBook` of a project.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CodeTree {
    /// Ambit's codebook name (REFI has no element for it; kept in the project's description).
    pub name: String,
    /// Ambit's codebook description (kept like the name).
    pub description: String,
    /// Codes in codebook order; a parent need not come before its children.
    pub codes: Vec<Code>,
    /// Sets of codes. In a `.qdc` they are its `Sets`; in a project the writer writes them
    /// with [`Project::sets`] and the reader returns every set there.
    pub sets: Vec<Set>,
}

/// A code (theme).
#[derive(Debug, Clone, PartialEq)]
pub struct Code {
    /// Ambit's code id (`kb.semantic`), the key codings use. On import it comes from the
    /// Ambit data in the description, or is made from the names (`parent_name.name`).
    pub id: String,
    /// The name shown in every tool.
    pub name: String,
    /// The parent's id; the `Code` element it is nested in.
    pub parent: Option<String>,
    /// The definition.
    pub description: String,
    /// Inclusion criteria.
    pub include: String,
    /// Exclusion criteria.
    pub exclude: String,
    /// Example quotes.
    pub examples: Vec<String>,
    /// Colour as Ambit writes it (`#RGB` or `#RRGGBB`); exported as `#RRGGBB`.
    pub color: Option<String>,
    /// `isCodable`: false for a grouping code that holds no codings. Ambit's codes are all
    /// codable.
    pub codable: bool,
    /// Ambit's auto-coding rules (REFI has no element for them; kept in the description).
    pub rules: Vec<Rule>,
    /// The GUID from the file or the store; derived from the id when `None`.
    pub guid: Option<Guid>,
}

impl Code {
    /// A codable code with nothing but an id and a name.
    pub fn new(id: &str, name: &str) -> Code {
        Code {
            id: id.to_owned(),
            name: name.to_owned(),
            parent: None,
            description: String::new(),
            include: String::new(),
            exclude: String::new(),
            examples: Vec::new(),
            color: None,
            codable: true,
            rules: Vec::new(),
            guid: None,
        }
    }
}

/// The type of a variable (`typeOfVariable`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[non_exhaustive]
pub enum VarType {
    /// Any text.
    Text,
    /// `true` or `false`.
    Boolean,
    /// An integer (`xsd:integer`).
    Integer,
    /// A decimal number (`xsd:decimal`: no exponent).
    Float,
    /// A calendar date (`YYYY-MM-DD`).
    Date,
    /// A date and time (`xsd:dateTime`).
    DateTime,
}

impl VarType {
    /// The schema's name for it.
    pub fn as_str(self) -> &'static str {
        match self {
            VarType::Text => "Text",
            VarType::Boolean => "Boolean",
            VarType::Integer => "Integer",
            VarType::Float => "Float",
            VarType::Date => "Date",
            VarType::DateTime => "DateTime",
        }
    }

    /// The type named by `typeOfVariable`.
    pub fn parse(s: &str) -> Option<VarType> {
        [
            VarType::Text,
            VarType::Boolean,
            VarType::Integer,
            VarType::Float,
            VarType::Date,
            VarType::DateTime,
        ]
        .into_iter()
        .find(|t| t.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

/// A variable definition (an attribute across documents).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variable {
    /// The name, e.g. `organisation`; the key of [`Source::attributes`].
    pub name: String,
    /// Its type.
    pub kind: VarType,
    /// Its description.
    pub description: String,
    /// The GUID from the file or the store; derived from the name when `None`.
    pub guid: Option<Guid>,
}

/// A case: a group of sources sharing variable values (a participant, an organisation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// What its derived GUID derives from.
    pub key: String,
    /// The name.
    pub name: String,
    /// The description.
    pub description: String,
    /// Variable values, by variable name, as written (lexical form).
    pub values: BTreeMap<String, String>,
    /// Member sources, by key.
    pub sources: Vec<String>,
    /// Codes the case is linked to, by id.
    pub codes: Vec<String>,
    /// The GUID from the file; derived from the key when `None`.
    pub guid: Option<Guid>,
}

/// A set (NVivo's sets, ATLAS.ti's document and code groups).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Set {
    /// What its derived GUID derives from.
    pub key: String,
    /// The name.
    pub name: String,
    /// The description.
    pub description: String,
    /// Member codes, by id.
    pub codes: Vec<String>,
    /// Member sources, by key.
    pub sources: Vec<String>,
    /// Member notes, by key.
    pub notes: Vec<String>,
    /// The GUID from the file; derived from the key when `None`.
    pub guid: Option<Guid>,
}

/// A document.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    /// The key other objects use: Ambit's document id (`D7`) on export; on import the
    /// key kept in the file by Ambit, or the source's GUID.
    pub key: String,
    /// The title.
    pub name: String,
    /// The text: LF line endings, no BOM. Positions count its chars.
    pub text: String,
    /// The description, without Ambit's own data.
    pub description: String,
    /// The document kind ([`VAR_KIND`]).
    pub kind: Option<DocKind>,
    /// The document date ([`VAR_DATE`]).
    pub date: Option<Date>,
    /// A phase given explicitly (Ambit's stored phase, which wins over the date). The
    /// phase the document falls in is computed from the timeline for [`VAR_PHASE`] and the
    /// phase sets.
    pub phase: Option<String>,
    /// Where Ambit imported the document from.
    pub path: Option<String>,
    /// Attributes (organisation, role, …) by name, as text.
    pub attributes: BTreeMap<String, String>,
    /// Who created it, by user name.
    pub creating_user: Option<String>,
    /// When it was created (`xsd:dateTime`).
    pub created: Option<String>,
    /// Who last changed it, by user name.
    pub modifying_user: Option<String>,
    /// When it was last changed (`xsd:dateTime`).
    pub modified: Option<String>,
    /// The original file (docx, odt, pdf), exported as `richTextPath`.
    pub original: Option<Original>,
    /// Coded (or memoed) ranges.
    pub selections: Vec<Selection>,
    /// Passages of the text. On import: those the exporting Ambit kept in its data (then
    /// `passages_kept` is set), else as `ambit add` would find them in the text. On export:
    /// written into the Ambit data when `passages_kept` is set.
    pub passages: Vec<PassageSpan>,
    /// Whether `passages` are kept in the archive: the exporting Ambit's own, which its
    /// reader would not find again in the text (survey answers with their questions, the
    /// messages of a mailbox).
    pub passages_kept: bool,
    /// The GUID from the file or the store; derived from the key when `None`.
    pub guid: Option<Guid>,
}

impl Source {
    /// A source with only a key, a title and its text.
    pub fn new(key: &str, name: &str, text: &str) -> Source {
        Source {
            key: key.to_owned(),
            name: name.to_owned(),
            text: text.to_owned(),
            description: String::new(),
            kind: None,
            date: None,
            phase: None,
            path: None,
            attributes: BTreeMap::new(),
            creating_user: None,
            created: None,
            modifying_user: None,
            modified: None,
            original: None,
            selections: Vec::new(),
            passages: Vec::new(),
            passages_kept: false,
            guid: None,
        }
    }

    /// Adds a coding of `start..end`, joining the selection of that range if there is one:
    /// one range coded with several codes is one selection with several codings.
    pub fn add_coding(&mut self, start: usize, end: usize, coding: Coding) {
        match self
            .selections
            .iter_mut()
            .rev()
            .find(|s| s.start == start && s.end == end)
        {
            Some(sel) => sel.codings.push(coding),
            None => {
                let mut sel = Selection::new(start, end);
                sel.codings.push(coding);
                self.selections.push(sel);
            }
        }
    }
}

/// A source's original file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Original {
    /// Its file name; the extension names the format (`interview.docx`).
    pub file_name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// A range of a source's text (`PlainTextSelection`) and its codings.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    /// Start, in chars of [`Source::text`].
    pub start: usize,
    /// End (exclusive), in chars.
    pub end: usize,
    /// The selection's name (other tools often put the quoted text here).
    pub name: Option<String>,
    /// The description, without Ambit's own data.
    pub description: String,
    /// Who made it, by user name; the first coding's coder when `None`.
    pub creating_user: Option<String>,
    /// When (`xsd:dateTime`); the first coding's time when `None`.
    pub created: Option<String>,
    /// Its codings.
    pub codings: Vec<Coding>,
    /// The GUID from the file or the store; derived from source and range when `None`.
    pub guid: Option<Guid>,
}

impl Selection {
    /// An uncoded selection of `start..end`.
    pub fn new(start: usize, end: usize) -> Selection {
        Selection {
            start,
            end,
            name: None,
            description: String::new(),
            creating_user: None,
            created: None,
            codings: Vec::new(),
            guid: None,
        }
    }
}

/// One code applied to a selection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coding {
    /// The code, by Ambit id.
    pub code: String,
    /// The coder, by user name. A rule's coding is its coder's.
    pub coder: String,
    /// How it was made. REFI has no element for it: rule-made and previously imported
    /// codings are marked in the selection's description; codings in a file Ambit wrote
    /// are manual unless marked, codings in other tools' files are [`Origin::Import`].
    pub origin: Origin,
    /// When (`xsd:dateTime`).
    pub created: Option<String>,
    /// A memo on the coding, exported as a note the coding refers to.
    pub memo: Option<String>,
    /// The GUID from the file or the store; derived when `None`.
    pub guid: Option<Guid>,
}

impl Coding {
    /// A coding of `code` by `coder` made in the given way, without time or memo.
    pub fn new(code: &str, coder: &str, origin: Origin) -> Coding {
        Coding {
            code: code.to_owned(),
            coder: coder.to_owned(),
            origin,
            created: None,
            memo: None,
            guid: None,
        }
    }
}

/// A memo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// What its derived GUID derives from (Ambit's memo id).
    pub key: String,
    /// The title.
    pub name: String,
    /// The text.
    pub text: String,
    /// The author, by user name.
    pub author: Option<String>,
    /// When (`xsd:dateTime`).
    pub created: Option<String>,
    /// What it is about; empty for a note nothing refers to.
    pub targets: Vec<NoteTarget>,
    /// The GUID from the file or the store; derived from the key when `None`.
    pub guid: Option<Guid>,
}

/// What a note is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum NoteTarget {
    /// The project as a whole.
    Project,
    /// A source, by key.
    Source(String),
    /// A code, by id.
    Code(String),
    /// A range of a source (an Ambit passage memo): a selection of that range carries the
    /// reference, made uncoded if no coding has that range.
    Selection {
        /// The source, by key.
        source: String,
        /// Start, in chars.
        start: usize,
        /// End (exclusive), in chars.
        end: usize,
    },
}
