//! REFI-QDA interchange for Ambit: `.qdpx` projects and `.qdc` codebooks in and out, with
//! positions right for every real tool's files.
//!
//! The crate works on plain in-memory values, the interchange model ([`Project`]: users,
//! the code tree, sources with their text, selections with codings, notes with their
//! targets, variables, cases, sets, the study timeline), and never opens Ambit's store.
//! References inside the model use Ambit's keys (a code id, a coder name, a document key);
//! GUIDs are kept where a file or the store gave them and otherwise derived with UUID v5
//! from the project key, the object kind and its key ([`Guid::derive`]), so two exports of
//! the same project are byte-identical.
//!
//! - [`write_qdpx`] streams `project.qde` (quick-xml, element by element in the schema's
//!   order) into a ZIP with fixed timestamps, the texts in `sources/<GUID>.txt` as UTF-8
//!   without BOM, byte-identical to [`Source::text`]. Positions are REFI's: chars of that
//!   text. [`write_qdc`] writes a codebook alone.
//! - [`read_qdpx`] and [`read_qdc`] read leniently what real tools write (no XML
//!   declaration, `sources/` in lower case, `plainTextPath` without `internal://`, GUIDs in
//!   any case or braces, the `urn:QDA-XML:codebook:0:4` namespace, empty containers,
//!   unknown attributes, `standalone="no"`, extra files, a `.qde` named after the project),
//!   each noted in [`ImportReport::tolerated`], and refuse what would import wrongly, naming
//!   the element and line (see [`Error`]).
//! - Positions on import are mapped through the text exactly as it is in the archive (BOM,
//!   CRLF, surrogate pairs) into Ambit's text (LF, chars), in the unit detected per file
//!   ([`Unit`]): the tool's own from `origin` where known, checked against which reading
//!   puts every selection inside the text and the most boundaries between words. Every
//!   placed selection's text is in [`ImportReport::selections`]; one that cannot be placed
//!   is in [`ImportReport::unplaced`], never moved.
//!
//! What REFI has no element for (dotted code ids, inclusion and exclusion criteria,
//! examples, auto-coding rules, how a coding was made, the study phases) travels in a
//! marked part of the `Description` elements, below the line [`MARKER`], as TOML; other
//! tools keep it as text, and Ambit restores it on import. The study timeline also becomes
//! variables ([`VAR_DATE`], [`VAR_PHASE`], [`VAR_KIND`]) and one `Set` per phase, so other
//! tools show phases as document groups.
//!
//! ```
//! use ambit_core::Origin;
//! use ambit_qdpx::{read_qdpx, write_qdpx, Code, Coding, Project, ReadOptions, Source, WriteOptions};
//!
//! let mut project = Project::new("Workshops", "a6f1c1de-study");
//! project.codebook.codes.push(Code::new("kb", "Knowledge boundaries"));
//! let mut doc = Source::new("D1", "Workshop 1", "Anna: Ordern betyder 🙂 inköp.\n");
//! doc.add_coding(6, 20, Coding::new("kb", "anna", Origin::Manual));
//! project.sources.push(doc);
//!
//! let mut file = std::io::Cursor::new(Vec::new());
//! write_qdpx(&project, &mut file, &WriteOptions::default())?;
//! file.set_position(0);
//! let (back, report) = read_qdpx(file, &ReadOptions::default())?;
//! assert_eq!(back.sources[0].text, project.sources[0].text);
//! assert_eq!(report.selections[0].text, "Ordern betyder");
//! assert_eq!(back.sources[0].selections[0].codings[0].origin, Origin::Manual);
//! # Ok::<(), ambit_qdpx::Error>(())
//! ```
#![warn(missing_docs)]

mod ambit;
mod error;
mod guid;
mod model;
mod positions;
mod read;
mod write;
mod xml;

pub use crate::ambit::MARKER;
pub use crate::error::{Error, Place, Result};
pub use crate::guid::{Guid, Kind as GuidKind};
pub use crate::model::{
    Case, Code, CodeTree, Coding, Note, NoteTarget, Original, Project, Selection, Set, Source,
    User, VarType, Variable, VAR_DATE, VAR_KIND, VAR_PHASE,
};
pub use crate::positions::Unit;
pub use crate::read::{
    read_qdc, read_qdpx, ImportReport, ReadOptions, SelectionReport, Skipped, SourceReport,
    Tolerated, Unplaced,
};
pub use crate::write::{write_qdc, write_qdpx, ExportReport, WriteOptions};
