//! The one error type of the crate: why a file cannot be read or written, naming the element and line.

/// Result with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

/// Why a `.qdpx` or `.qdc` cannot be imported (nothing is returned then), or a project
/// cannot be exported.
///
/// `name` is the file as the caller named it ([`ReadOptions::name`](crate::ReadOptions));
/// errors inside the XML say where with a [`Place`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Not a ZIP archive, truncated, or an entry that cannot be unpacked.
    #[error(
        "{name}: not a readable REFI-QDA project: {reason}; export it again from the program \
         that made it (a .qdpx is a ZIP archive)"
    )]
    Archive {
        /// The file.
        name: String,
        /// What is wrong.
        reason: String,
    },
    /// An entry unpacks to more than the limits allow: a zip bomb, or a project larger than
    /// the limits (raise [`ReadOptions::zip`](crate::ReadOptions)).
    #[error("{name}: refused as a possible zip bomb: entry `{entry}` {what}")]
    ArchiveLimit {
        /// The file.
        name: String,
        /// The entry that hit the limit.
        entry: String,
        /// Which limit, with its value.
        what: String,
    },
    /// An entry whose path is absolute or climbs out with `..`, which no QDA program writes.
    #[error(
        "{name}: refused: the archive has an entry with an unsafe path `{entry}` \
         (absolute or with `..`), which no QDA program writes"
    )]
    UnsafeEntry {
        /// The file.
        name: String,
        /// The entry's path as stored.
        entry: String,
    },
    /// The archive has no `.qde` project document.
    #[error(
        "{name}: not a REFI-QDA project: it has no `project.qde` (entries: {entries}); \
         check that it is a .qdpx export, not another ZIP file"
    )]
    NoProject {
        /// The file.
        name: String,
        /// The first entries of the archive, for the message.
        entries: String,
    },
    /// The XML is not well-formed, or not the structure the schema describes.
    #[error("{at}: {message}")]
    Xml {
        /// Where.
        at: Box<Place>,
        /// What is wrong, naming the element.
        message: String,
    },
    /// A reference (`CodeRef`, `NoteRef`, `creatingUser`, `MemberSource`, …) to a GUID that no
    /// object in the file has.
    #[error(
        "{at}: `{element}` {attribute}=\"{guid}\" points at no {expected} in the file; \
         the export is incomplete, export it again"
    )]
    UnknownGuid {
        /// Where the reference is.
        at: Box<Place>,
        /// The element holding the reference.
        element: &'static str,
        /// The attribute holding it.
        attribute: &'static str,
        /// The GUID as written.
        guid: String,
        /// What it should name ("code", "user", …).
        expected: &'static str,
    },
    /// Two objects with the same GUID.
    #[error(
        "{at}: `{element}` has GUID {guid}, which `{first_element}` on line {first_line} \
         already has; GUIDs must be unique, export the project again"
    )]
    DuplicateGuid {
        /// Where the second object is.
        at: Box<Place>,
        /// The second object's element.
        element: String,
        /// The GUID.
        guid: String,
        /// 1-based line of the first object.
        first_line: usize,
        /// The first object's element.
        first_element: String,
    },
    /// A `plainTextPath` naming a file that is not in the archive.
    #[error(
        "{at}: `{element}` plainTextPath=\"{path}\" names a file that is not in the archive \
         (looked for {looked_for}); export the project again with its sources"
    )]
    MissingFile {
        /// Where the source is.
        at: Box<Place>,
        /// The element (`TextSource`, `Note`, …).
        element: &'static str,
        /// The path as written.
        path: String,
        /// The entry names tried.
        looked_for: String,
    },
    /// A selection whose positions lie outside its source's text in every reading, or
    /// start after they end.
    #[error("{at}: `{element}` of source \"{source_name}\": {reason}")]
    Position {
        /// Where the selection is.
        at: Box<Place>,
        /// The element (`PlainTextSelection`).
        element: &'static str,
        /// The source's name.
        source_name: String,
        /// What is wrong, with the positions and the text length.
        reason: String,
    },
    /// The in-memory project cannot be exported as it is (a coding of an unknown code, a
    /// range past the text); the message names the object.
    #[error("cannot export: {0}")]
    Model(String),
    /// The Ambit codebook could not be built from the codes.
    #[error("the codes do not make a valid Ambit codebook: {0}")]
    Codebook(#[from] ambit_coding::Error),
    /// Writing failed.
    #[error("writing the export failed: {0}")]
    Io(#[from] std::io::Error),
}

/// Where in a file something is: the file, the part of the archive, the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The file as the caller named it ([`ReadOptions::name`](crate::ReadOptions)).
    pub file: String,
    /// The archive entry (`project.qde`), or the `.qdc` file itself.
    pub entry: String,
    /// 1-based line in that entry.
    pub line: usize,
}

impl Place {
    pub(crate) fn boxed(file: &str, entry: &str, line: usize) -> Box<Place> {
        Box::new(Place {
            file: file.to_owned(),
            entry: entry.to_owned(),
            line,
        })
    }
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {} line {}", self.file, self.entry, self.line)
    }
}
