//! REFI-QDA interchange of a project: `ambit qdpx export|import` and the `.qdc` side of `ambit codebook export|import`.
//!
//! [`export_qdpx`] turns the store, the codebook and the timeline into the interchange
//! model of `ambit-qdpx` and writes it: documents with their stored text (and original
//! file), codes, codings, memos, attributes as variables, phases as sets. GUIDs the store
//! keeps (those other tools made) are used again; every other GUID is derived from the
//! project key, so two exports of the same project are byte-identical. Detached codings
//! (their text was deleted by an edit) and codings of codes the codebook lacks are left
//! out and reported.
//!
//! [`import_qdpx`] reads an archive, maps it onto the project and writes it in one store
//! transaction: documents (one whose text the project already has is matched, not
//! added), passages read from the text (or the original file) by the readers of `ambit
//! add`, codings, memos, attributes and GUIDs. Then the codebook is merged into
//! `codebook.toml` by name path ([`CodeMerge`]) and the timeline restored into `ambit.toml`
//! when the project has none; both files are checked before the store is written, so a
//! refused import changes nothing. A dry run computes the same report and writes nothing.
//!
//! Memo targets map both ways: `doc:D7` is a note on the source, `code:ID` a note on the
//! code, `passage:D7:12` a note on the passage's range (a selection); a coding's memo is a
//! note the coding refers to.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use ambit_coding::Codebook;
use ambit_core::{DocId, DocKind, PassageId, PassageSpan, Phase, UNPHASED};
use ambit_ingest::Format;
use ambit_qdpx::{
    read_qdc, read_qdpx, write_qdc, write_qdpx, Case, Code, CodeTree, Coding, Guid, Note,
    NoteTarget, Original, Project as Model, ReadOptions, Selection, Source, User, VarType,
    Variable, WriteOptions, VAR_DATE, VAR_KIND, VAR_PHASE,
};
use ambit_store::{
    guid_kind, BatchCoding, BatchDoc, BatchDocument, BatchMemo, BatchTarget, CodingFilter, Config,
    DocRow, GuidRow, ImportBatch, NewDocument, Project, CONFIG_FILE,
};
use serde::Serialize;
use sha2::{Digest, Sha256};

pub use ambit_qdpx::{ExportReport, SelectionReport, Tolerated, Unit, Unplaced};

use crate::coding::{codebook_path, read_codebook, save_codebook};
use crate::error::{Error, Result};
use crate::import::{checked_passages, hex, reader_options, speaker_pattern};
use crate::overview::phase_of;

/// Which part of the project `ambit qdpx export` writes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportOptions {
    /// Only these coders' codings and memos (empty: everyone's).
    pub coders: Vec<String>,
    /// Only these documents (empty: every document, or those of `phases`).
    pub docs: Vec<DocId>,
    /// Only documents in these phases (`unphased` for documents in none). With `docs`,
    /// documents must be in both.
    pub phases: Vec<String>,
    /// Group the documents into cases by this attribute (`--cases ATTR`).
    pub cases: Option<String>,
}

/// Something not exported or not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skip {
    /// What it is (`Coding`, `Note`, `PictureSource`, `Set`, …).
    pub element: String,
    /// Which one.
    pub name: String,
    /// Its line in the `.qde`, when it came from a file.
    pub line: Option<usize>,
    /// Why.
    pub reason: String,
}

impl Skip {
    fn new(element: &str, name: impl Into<String>, reason: impl Into<String>) -> Skip {
        Skip {
            element: element.to_owned(),
            name: name.into(),
            line: None,
            reason: reason.into(),
        }
    }
}

/// **API boundary**: what `ambit qdpx export` wrote (its `--format json` output).
#[derive(Debug, Clone, Serialize)]
pub struct Exported {
    /// The file written.
    pub file: PathBuf,
    /// What is in it; `warnings` says what was changed to keep it valid.
    #[serde(flatten)]
    pub written: ExportReport,
    /// What was left out, and why.
    pub skipped: Vec<Skip>,
}

/// Writes the project (or the part `options` chooses) as a `.qdpx` archive at `file`,
/// replacing it atomically.
pub fn export_qdpx(
    project: &mut Project,
    file: &Path,
    options: &ExportOptions,
) -> Result<Exported> {
    let (model, skipped, warnings) = export_model(project, options)?;
    let mut written = write_file(file, |w| {
        Ok(write_qdpx(&model, w, &WriteOptions::default())?)
    })?;
    written.warnings.extend(warnings);
    Ok(Exported {
        file: file.to_path_buf(),
        written,
        skipped,
    })
}

/// [`export_qdpx`] with the names of a key replaced in everything the archive holds (see
/// [`Exporter::qdpx`](crate::pseudonymise::Exporter::qdpx)): texts with their positions,
/// titles, attribute values, memos, users and cases; original files and import paths are
/// left out. The project is not changed.
pub fn export_qdpx_pseudonymised(
    project: &mut Project,
    file: &Path,
    options: &ExportOptions,
    names: crate::pseudonymise::Pseudonymiser,
) -> Result<Exported> {
    let (mut model, skipped, warnings) = export_model(project, options)?;
    crate::pseudonymise::Exporter::new(project, names).qdpx(&mut model);
    let mut written = write_file(file, |w| {
        Ok(write_qdpx(&model, w, &WriteOptions::default())?)
    })?;
    written.warnings.extend(warnings);
    Ok(Exported {
        file: file.to_path_buf(),
        written,
        skipped,
    })
}

/// Writes the project's codebook as a `.qdc` at `file`, with the GUIDs its `.qdpx` export
/// gives the codes.
pub fn export_qdc(project: &mut Project, file: &Path) -> Result<ExportReport> {
    let cb = crate::coding::load_codebook(project)?;
    let mut warnings = Vec::new();
    let key = project_key(project, &mut warnings)?;
    let mut tree = CodeTree::from_codebook(&cb);
    let guids = stored_guids(project, guid_kind::CODE)?;
    for c in &mut tree.codes {
        c.guid = guids.get(&c.id).copied();
    }
    let mut report = write_file(file, |w| Ok(write_qdc(&tree, &key, w)?))?;
    report.warnings.extend(warnings);
    Ok(report)
}

/// Writes `file` through a temporary file next to it, renamed into place once complete.
fn write_file<T>(file: &Path, write: impl FnOnce(&mut BufWriter<File>) -> Result<T>) -> Result<T> {
    let name = file
        .file_name()
        .map_or_else(|| "export".into(), |n| n.to_string_lossy().into_owned());
    let tmp = file.with_file_name(format!(".{name}.tmp"));
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Io { path, source }
    };
    let done = (|| -> Result<T> {
        let mut out = BufWriter::new(File::create(&tmp).map_err(io(&tmp))?);
        let value = write(&mut out)?;
        out.flush().map_err(io(&tmp))?;
        drop(out);
        std::fs::rename(&tmp, file).map_err(io(file))?;
        Ok(value)
    })();
    if done.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    done
}

/// The project key; a read-only store that has none yet gets one made from the name.
fn project_key(project: &mut Project, warnings: &mut Vec<String>) -> Result<String> {
    match project.store.project_key() {
        Ok(k) => Ok(k),
        Err(ambit_store::Error::ReadOnly { .. }) => {
            warnings.push(
                "the project store is read-only and the project has no key yet, so the GUIDs \
                 are derived from the project name; export it once where it can be written to \
                 give it a lasting key"
                    .to_owned(),
            );
            Ok(format!("name:{}", project.config.name))
        }
        Err(e) => Err(e.into()),
    }
}

/// The GUIDs of one kind the store keeps, by key; a value that is not a GUID is ignored.
fn stored_guids(project: &Project, kind: &str) -> Result<HashMap<String, Guid>> {
    Ok(project
        .store
        .guids(kind)?
        .into_iter()
        .filter_map(|(k, g)| Some((k, g.parse::<Guid>().ok()?)))
        .collect())
}

/// Keeps the GUIDs these codes export with now, before their ids change (a rename, or
/// the code another is merged into): a code's GUID is derived from its id, so without a
/// kept one a renamed code would look like a new code to the tools it was exported to.
pub(crate) fn pin_code_guids(project: &mut Project, ids: &[String]) -> Result<()> {
    let stored = project.store.guids(guid_kind::CODE)?;
    let missing: Vec<&String> = ids.iter().filter(|id| !stored.contains_key(*id)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let key = project.store.project_key()?;
    let rows: Vec<GuidRow> = missing
        .into_iter()
        .map(|id| {
            let g = Guid::derive(&key, ambit_qdpx::GuidKind::Code, id);
            GuidRow::new(guid_kind::CODE, id, &g.to_string())
        })
        .collect();
    project.store.put_guids(&rows)?;
    Ok(())
}

/// What a memo target (`doc:D7`, `code:ID`, `passage:D7:12`) names.
enum MemoTarget {
    Doc(DocId),
    Code(String),
    Passage(PassageId),
}

fn parse_target(t: &str) -> Option<MemoTarget> {
    if let Some(d) = t.strip_prefix("doc:") {
        return DocId::parse(d).ok().map(MemoTarget::Doc);
    }
    if let Some(c) = t.strip_prefix("code:") {
        return Some(MemoTarget::Code(c.to_owned()));
    }
    if let Some(p) = t.strip_prefix("passage:") {
        return PassageId::parse(p).ok().map(MemoTarget::Passage);
    }
    None
}

/// A memo's title in other tools: its first line, shortened.
fn memo_title(text: &str, id: i64) -> String {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty());
    match line {
        Some(l) if l.chars().count() > 60 => {
            format!("{}…", l.chars().take(59).collect::<String>())
        }
        Some(l) => l.to_owned(),
        None => format!("Memo {id}"),
    }
}

/// The narrowest variable type all values fit, as the writer would infer it.
fn var_type(values: &[&str]) -> VarType {
    let int = |v: &str| {
        let d = v.strip_prefix(['+', '-']).unwrap_or(v);
        !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit())
    };
    let float = |v: &str| {
        let d = v.strip_prefix(['+', '-']).unwrap_or(v);
        match d.split_once('.') {
            Some((a, b)) => {
                (!a.is_empty() || !b.is_empty())
                    && a.bytes().all(|c| c.is_ascii_digit())
                    && b.bytes().all(|c| c.is_ascii_digit())
            }
            None => int(d),
        }
    };
    let all = |f: &dyn Fn(&str) -> bool| !values.is_empty() && values.iter().all(|v| f(v));
    if all(&int) {
        VarType::Integer
    } else if all(&float) {
        VarType::Float
    } else if all(&|v| v == "true" || v == "false") {
        VarType::Boolean
    } else if all(&|v| v.len() == 10 && ambit_core::Date::parse(v).is_ok()) {
        VarType::Date
    } else {
        VarType::Text
    }
}

/// The interchange model of the project part `options` chooses, what was left out, and
/// warnings.
fn export_model(
    project: &mut Project,
    options: &ExportOptions,
) -> Result<(Model, Vec<Skip>, Vec<String>)> {
    let mut warnings = Vec::new();
    let mut skipped = Vec::new();
    let key = project_key(project, &mut warnings)?;
    for p in options.phases.iter().filter(|p| *p != UNPHASED) {
        project.config.timeline.require(p)?;
    }
    let rows = project.store.documents()?;
    for d in &options.docs {
        if !rows.iter().any(|r| r.doc.id == *d) {
            return Err(ambit_store::Error::NoSuchDocument(d.to_string()).into());
        }
    }
    let chosen: Vec<&DocRow> = rows
        .iter()
        .filter(|r| options.docs.is_empty() || options.docs.contains(&r.doc.id))
        .filter(|r| options.phases.is_empty() || options.phases.contains(&phase_of(project, r)))
        .collect();
    let all_docs = chosen.len() == rows.len();

    let path = codebook_path(project);
    let codebook = if path.is_file() {
        Some(read_codebook(&path)?)
    } else {
        None
    };
    let mut model = Model::new(&project.config.name, &key);
    if let Some(cb) = &codebook {
        model.codebook = CodeTree::from_codebook(cb);
    }
    let code_guids = stored_guids(project, guid_kind::CODE)?;
    for c in &mut model.codebook.codes {
        c.guid = code_guids.get(&c.id).copied();
    }
    let known: HashSet<String> = model.codebook.codes.iter().map(|c| c.id.clone()).collect();
    model.phases = project.config.timeline.phases().to_vec();
    let set_guids = stored_guids(project, guid_kind::SET)?;
    model.phase_guids = model
        .phases
        .iter()
        .filter_map(|p| Some((p.id.clone(), *set_guids.get(&p.id)?)))
        .collect();

    let source_guids = stored_guids(project, guid_kind::SOURCE)?;
    let times = project.store.import_times()?;
    let pattern = speaker_pattern(&project.config)?;
    let mut index: HashMap<DocId, usize> = HashMap::new();
    for row in &chosen {
        let d = &row.doc;
        let key = d.id.to_string();
        let mut s = Source::new(&key, &d.title, &project.store.text(d.id)?);
        s.kind = Some(d.kind);
        s.date = d.date;
        s.phase = d.phase.clone();
        s.path = Some(d.source.clone());
        s.attributes = d.attributes.clone();
        s.created = times.get(&d.id).cloned();
        s.original = project.store.original(d.id)?.map(|o| Original {
            file_name: o.name,
            bytes: o.bytes,
        });
        s.guid = source_guids.get(&key).copied();
        s.passages = passages_to_keep(project, pattern.as_ref(), &s, d.kind)?;
        s.passages_kept = !s.passages.is_empty();
        index.insert(d.id, model.sources.len());
        model.sources.push(s);
    }

    let mut users: BTreeSet<String> = BTreeSet::new();
    let filter = CodingFilter {
        coders: options.coders.clone(),
        docs: if all_docs {
            Vec::new()
        } else {
            chosen.iter().map(|r| r.doc.id).collect()
        },
        ..CodingFilter::default()
    };
    let detached = project.store.detached_codings()?;
    for &id in &detached {
        let c = project.store.coding(id)?;
        let coder_ok = options.coders.is_empty() || options.coders.contains(&c.coder);
        if index.contains_key(&c.doc) && coder_ok {
            skipped.push(Skip::new(
                "Coding",
                format!("coding {id} of {} in {} by {}", c.code, c.doc, c.coder),
                "detached: its text was deleted when the document was edited, so it points at \
                 no text (see `ambit codings`)",
            ));
        }
    }
    let selection_guids = stored_guids(project, guid_kind::SELECTION)?;
    let coding_guids = stored_guids(project, guid_kind::CODING)?;
    let mut orphans: BTreeMap<String, usize> = BTreeMap::new();
    for c in project.store.codings(&filter)? {
        if detached.contains(&c.id) {
            continue;
        }
        let Some(&si) = index.get(&c.doc) else {
            continue;
        };
        if !known.contains(&c.code) {
            *orphans.entry(c.code).or_default() += 1;
            continue;
        }
        let id = c.id.to_string();
        users.insert(c.coder.clone());
        let coding = Coding {
            code: c.code,
            coder: c.coder,
            origin: c.origin,
            created: Some(c.created),
            memo: c.memo,
            guid: coding_guids.get(&id).copied(),
        };
        let src = &mut model.sources[si];
        // Codings come in document, start, end order: one range is one selection.
        match src.selections.last_mut() {
            Some(sel) if sel.start == c.start && sel.end == c.end => {
                if sel.guid.is_none() {
                    sel.guid = selection_guids.get(&id).copied();
                }
                sel.codings.push(coding);
            }
            _ => {
                let mut sel = Selection::new(c.start, c.end);
                sel.guid = selection_guids.get(&id).copied();
                sel.codings.push(coding);
                src.selections.push(sel);
            }
        }
    }
    for (code, n) in orphans {
        skipped.push(Skip::new(
            "Coding",
            format!("{n} coding(s) of `{code}`"),
            format!(
                "the codebook has no code `{code}` (see `ambit codebook check`); add it back \
                 to export them"
            ),
        ));
    }

    let note_guids = stored_guids(project, guid_kind::NOTE)?;
    let mut passages: HashMap<DocId, Vec<ambit_core::Passage>> = HashMap::new();
    for m in project.store.memos()? {
        if !options.coders.is_empty() && !options.coders.contains(&m.author) {
            continue;
        }
        let skip =
            |reason: String| Skip::new("Note", format!("memo {} on {}", m.id, m.target), reason);
        let target = match parse_target(&m.target) {
            Some(MemoTarget::Doc(d)) => {
                if !index.contains_key(&d) {
                    continue;
                }
                NoteTarget::Source(d.to_string())
            }
            Some(MemoTarget::Code(c)) => {
                if !known.contains(&c) {
                    skipped.push(skip(format!("the codebook has no code `{c}`")));
                    continue;
                }
                NoteTarget::Code(c)
            }
            Some(MemoTarget::Passage(p)) => {
                if !index.contains_key(&p.doc) {
                    continue;
                }
                let list = match passages.entry(p.doc) {
                    std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                    std::collections::hash_map::Entry::Vacant(e) => {
                        e.insert(project.store.passages(p.doc)?)
                    }
                };
                match list.iter().find(|x| x.id == p) {
                    Some(x) => NoteTarget::Selection {
                        source: p.doc.to_string(),
                        start: x.span.start,
                        end: x.span.end,
                    },
                    None => {
                        skipped.push(skip(format!("{p} is no longer a passage of {}", p.doc)));
                        continue;
                    }
                }
            }
            None => {
                skipped.push(skip(
                    "a memo on `doc:D7`, `code:ID` or `passage:D7:12` can be exported, not this"
                        .to_owned(),
                ));
                continue;
            }
        };
        users.insert(m.author.clone());
        let id = m.id.to_string();
        model.notes.push(Note {
            name: memo_title(&m.text, m.id),
            guid: note_guids.get(&id).copied(),
            key: id,
            text: m.text,
            author: Some(m.author),
            created: Some(m.created),
            targets: vec![target],
        });
    }
    for c in &options.coders {
        if !users.contains(c) {
            warnings.push(format!(
                "coder `{c}` has no codings or memos in what was exported"
            ));
        }
    }
    let user_guids = stored_guids(project, guid_kind::USER)?;
    model.users = users
        .into_iter()
        .map(|name| User {
            guid: user_guids.get(&name).copied(),
            name,
        })
        .collect();

    // Variables whose GUIDs came from another tool; the writer derives the others.
    let var_guids = stored_guids(project, guid_kind::VARIABLE)?;
    if !var_guids.is_empty() {
        let s = &model.sources;
        let mut names: BTreeSet<&str> = BTreeSet::new();
        for src in s {
            names.extend(src.attributes.keys().map(String::as_str));
        }
        let mut vars = Vec::new();
        let mut ours = |name: &str, kind: VarType, used: bool| {
            if let (true, Some(g)) = (used, var_guids.get(name)) {
                vars.push(Variable {
                    name: name.to_owned(),
                    kind,
                    description: String::new(),
                    guid: Some(*g),
                });
            }
        };
        ours(VAR_DATE, VarType::Date, s.iter().any(|x| x.date.is_some()));
        let placed = s.iter().any(|x| {
            matches!(
                project.config.timeline.place(x.date, x.phase.as_deref()),
                Ok(ambit_core::Placement::Phase(_))
            )
        });
        ours(VAR_PHASE, VarType::Text, placed);
        ours(VAR_KIND, VarType::Text, !s.is_empty());
        for name in names {
            let values: Vec<&str> = s
                .iter()
                .filter_map(|x| x.attributes.get(name).map(String::as_str))
                .collect();
            ours(name, var_type(&values), true);
        }
        model.variables = vars;
    }

    if let Some(attr) = &options.cases {
        let case_guids = stored_guids(project, guid_kind::CASE)?;
        let mut by_value: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for s in &model.sources {
            if let Some(v) = s.attributes.get(attr) {
                by_value.entry(v.clone()).or_default().push(s.key.clone());
            }
        }
        if by_value.is_empty() {
            warnings.push(format!(
                "no exported document has the attribute `{attr}`, so there are no cases"
            ));
        }
        for (value, sources) in by_value {
            let key = format!("{attr}={value}");
            model.cases.push(Case {
                guid: case_guids.get(&key).copied(),
                key,
                name: value.clone(),
                description: format!("Documents whose {attr} is {value}"),
                values: BTreeMap::from([(attr.clone(), value)]),
                sources,
                codes: Vec::new(),
            });
        }
    }
    Ok((model, skipped, warnings))
}

/// How `ambit qdpx import` imports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// Users of the file that become other coders (`--coder-map OLD=NEW`).
    pub coder_map: Vec<(String, String)>,
    /// Work out and report everything, write nothing.
    pub dry_run: bool,
}

/// A user of the file and the coder it becomes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoderRow {
    /// The user's name in the file.
    pub user: String,
    /// The coder in the project.
    pub coder: String,
    /// Whether the project had no work of this coder before.
    pub new: bool,
}

/// A source of the file and the document it becomes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentRow {
    /// The source's name in the file.
    pub source: String,
    /// The document: the new one (none in a dry run) or the one it matched.
    pub document: Option<DocId>,
    /// Whether the project had a document with exactly this text, which is used instead.
    pub matched: bool,
    /// The title it gets (names are made unique in the project).
    pub title: String,
    /// Characters of its text.
    pub chars: usize,
    /// Its passages, as `ambit add` reads the text.
    pub passages: usize,
    /// Selections placed in it.
    pub selections: usize,
    /// How the file counted positions.
    pub unit: Unit,
    /// Why that unit.
    pub unit_reason: String,
}

/// A code of the file and the project code it became.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeRow {
    /// The code's name path (`Knowledge boundaries / Semantic`).
    pub path: String,
    /// Its id in the project.
    pub id: String,
    /// Its id as read from the file.
    pub file_id: String,
}

/// A field of a matched code that the file has and the project's code had empty: filled in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeField {
    /// The code's name path.
    pub path: String,
    /// Its id in the project.
    pub id: String,
    /// The field (`description`, `color`, …).
    pub field: &'static str,
}

/// A field in which a matched code differs: the project's value is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeConflict {
    /// The code's name path.
    pub path: String,
    /// Its id in the project.
    pub id: String,
    /// The field (`description`, `include`, `exclude`, `examples`, `color`, `rules`).
    pub field: &'static str,
    /// The project's value (kept).
    pub project: String,
    /// The file's value (not imported).
    pub file: String,
}

/// What merging a codebook from a file into the project's did: codes matched by name path
/// (the names from the top-level code down, compared without regard to case), new codes
/// added under their matched parents, and where a matched code differs, the project's
/// value kept. Codes are only ever added or filled in, so no coding loses its code.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CodeMerge {
    /// Codes added to the project's codebook.
    pub added: Vec<CodeRow>,
    /// Codes the project's codebook has under the same name path.
    pub matched: Vec<CodeRow>,
    /// Empty fields of matched codes filled in from the file.
    pub filled: Vec<CodeField>,
    /// Fields of matched codes that differ; the project's value is kept.
    pub conflicts: Vec<CodeConflict>,
}

/// A codebook merged, before anything is written.
struct Merged {
    /// The codebook to write, when it changes.
    codebook: Option<Codebook>,
    /// File code id → project code id.
    ids: HashMap<String, String>,
    report: CodeMerge,
    /// GUID rows of the codes added.
    guids: Vec<GuidRow>,
}

/// Short text of a value for a conflict report.
fn shown(v: &str) -> String {
    let one = v.trim().replace('\n', " ");
    if one.chars().count() > 80 {
        format!("{}…", one.chars().take(79).collect::<String>())
    } else {
        one
    }
}

/// A colour in one spelling (`#RRGGBB`, upper case), to compare.
fn colour_key(c: &str) -> String {
    let t = c.trim().trim_start_matches('#').to_ascii_uppercase();
    if t.len() == 3 {
        t.chars().flat_map(|c| [c, c]).collect()
    } else {
        t
    }
}

/// Merges `incoming` into `existing` (the project's codebook, if it has one).
fn merge_codes(existing: Option<&Codebook>, incoming: &CodeTree) -> Result<Merged> {
    let mut report = CodeMerge::default();
    let mut ours = match existing {
        Some(cb) => CodeTree::from_codebook(cb),
        None => CodeTree {
            name: if incoming.name.trim().is_empty() {
                "Imported codebook".to_owned()
            } else {
                incoming.name.clone()
            },
            description: incoming.description.clone(),
            ..CodeTree::default()
        },
    };
    // Name paths of the project's codes.
    let mut info: HashMap<String, (String, Option<String>)> = ours
        .codes
        .iter()
        .map(|c| (c.id.clone(), (c.name.clone(), c.parent.clone())))
        .collect();
    let path_of = |info: &HashMap<String, (String, Option<String>)>, id: &str| -> Vec<String> {
        let mut out = Vec::new();
        let mut at = Some(id.to_owned());
        let mut guard = 0;
        while let Some(i) = at {
            let Some((name, parent)) = info.get(&i) else {
                break;
            };
            out.push(name.trim().to_lowercase());
            at = parent.clone();
            guard += 1;
            if guard > info.len() {
                break;
            }
        }
        out.reverse();
        out
    };
    let mut by_path: HashMap<Vec<String>, String> = ours
        .codes
        .iter()
        .map(|c| (path_of(&info, &c.id), c.id.clone()))
        .collect();
    let mut taken: HashSet<String> = ours.codes.iter().map(|c| c.id.clone()).collect();

    // The file's codes, parents first.
    let mut children: HashMap<&str, Vec<usize>> = HashMap::new();
    let ids_in: HashSet<&str> = incoming.codes.iter().map(|c| c.id.as_str()).collect();
    let mut roots = Vec::new();
    for (i, c) in incoming.codes.iter().enumerate() {
        match c.parent.as_deref().filter(|p| ids_in.contains(p)) {
            Some(p) => children.entry(p).or_default().push(i),
            None => roots.push(i),
        }
    }
    let mut order = Vec::with_capacity(incoming.codes.len());
    let mut stack: Vec<usize> = roots.into_iter().rev().collect();
    while let Some(i) = stack.pop() {
        order.push(i);
        if let Some(kids) = children.get(incoming.codes[i].id.as_str()) {
            stack.extend(kids.iter().rev());
        }
    }

    let mut ids: HashMap<String, String> = HashMap::new();
    let mut with_rules: HashSet<String> = HashSet::new();
    let mut guids = Vec::new();
    let mut changed = existing.is_none() && !incoming.codes.is_empty();
    for i in order {
        let c = &incoming.codes[i];
        let parent = c.parent.as_ref().and_then(|p| ids.get(p)).cloned();
        let mut path = parent
            .as_deref()
            .map(|p| path_of(&info, p))
            .unwrap_or_default();
        path.push(c.name.trim().to_lowercase());
        if let Some(id) = by_path.get(&path).cloned() {
            let Some(o) = ours.codes.iter_mut().find(|x| x.id == id) else {
                continue;
            };
            let shown_path = display_path(&info, &id);
            let mut fields: Vec<(&'static str, String, String, bool)> = vec![
                (
                    "description",
                    o.description.clone(),
                    c.description.clone(),
                    false,
                ),
                ("include", o.include.clone(), c.include.clone(), false),
                ("exclude", o.exclude.clone(), c.exclude.clone(), false),
                (
                    "examples",
                    o.examples.join(" | "),
                    c.examples.join(" | "),
                    false,
                ),
            ];
            let colours = (
                o.color.clone().unwrap_or_default(),
                c.color.clone().unwrap_or_default(),
            );
            let same_colour = colour_key(&colours.0) == colour_key(&colours.1);
            fields.push(("color", colours.0, colours.1, same_colour));
            let rules_differ = o.rules != c.rules;
            fields.push((
                "rules",
                if o.rules.is_empty() {
                    String::new()
                } else {
                    format!("{} rule(s)", o.rules.len())
                },
                if c.rules.is_empty() {
                    String::new()
                } else {
                    format!("{} rule(s)", c.rules.len())
                },
                !rules_differ,
            ));
            for (field, mine, theirs, same) in fields {
                if same || mine == theirs || theirs.trim().is_empty() {
                    continue;
                }
                if mine.trim().is_empty() {
                    match field {
                        "description" => o.description = c.description.clone(),
                        "include" => o.include = c.include.clone(),
                        "exclude" => o.exclude = c.exclude.clone(),
                        "examples" => o.examples = c.examples.clone(),
                        "color" => o.color = c.color.clone(),
                        _ => {
                            o.rules = c.rules.clone();
                            with_rules.insert(id.clone());
                        }
                    }
                    changed = true;
                    report.filled.push(CodeField {
                        path: shown_path.clone(),
                        id: id.clone(),
                        field,
                    });
                } else {
                    report.conflicts.push(CodeConflict {
                        path: shown_path.clone(),
                        id: id.clone(),
                        field,
                        project: shown(&mine),
                        file: shown(&theirs),
                    });
                }
            }
            ids.insert(c.id.clone(), id.clone());
            report.matched.push(CodeRow {
                path: shown_path,
                id,
                file_id: c.id.clone(),
            });
            continue;
        }
        // A new code: its own id when free, else one made unique.
        let fits = |id: &str| !taken.contains(id) && (parent.is_some() || !id.contains('.'));
        let id = if fits(&c.id) {
            c.id.clone()
        } else {
            let last = c.id.rsplit('.').next().unwrap_or(&c.id);
            let base = match &parent {
                Some(p) => format!("{p}.{last}"),
                None => last.to_owned(),
            };
            let mut id = base.clone();
            let mut n = 1;
            while !fits(&id) {
                n += 1;
                id = format!("{base}-{n}");
            }
            id
        };
        let mut code: Code = c.clone();
        if id != c.id {
            for r in &mut code.rules {
                if let Some(rest) = r.id.strip_prefix(&format!("{}.", c.id)) {
                    r.id = format!("{id}.{rest}");
                }
            }
        }
        code.id = id.clone();
        code.parent = parent.clone();
        if let Some(g) = c.guid {
            guids.push(GuidRow::new(guid_kind::CODE, &id, &g.to_string()));
        }
        code.guid = None;
        if !code.rules.is_empty() {
            with_rules.insert(id.clone());
        }
        // After its parent's last descendant, so each subtree stays together.
        let at = match &parent {
            Some(p) => {
                let mut inside: HashSet<String> = HashSet::from([p.clone()]);
                let mut last = None;
                for (k, x) in ours.codes.iter().enumerate() {
                    if x.parent.as_ref().is_some_and(|q| inside.contains(q)) || x.id == *p {
                        inside.insert(x.id.clone());
                        last = Some(k);
                    }
                }
                last.map_or(ours.codes.len(), |k| k + 1)
            }
            None => ours.codes.len(),
        };
        info.insert(id.clone(), (code.name.clone(), parent.clone()));
        by_path.insert(path, id.clone());
        taken.insert(id.clone());
        ids.insert(c.id.clone(), id.clone());
        report.added.push(CodeRow {
            path: display_path(&info, &id),
            id: id.clone(),
            file_id: c.id.clone(),
        });
        ours.codes.insert(at, code);
        changed = true;
    }
    // Rules from the file name codes by the file's ids.
    for c in ours.codes.iter_mut().filter(|c| with_rules.contains(&c.id)) {
        for r in &mut c.rules {
            if let Some(w) = r.within.as_ref().and_then(|w| ids.get(w)) {
                r.within = Some(w.clone());
            }
        }
    }
    let codebook = if changed {
        Some(ours.to_codebook()?)
    } else {
        None
    };
    Ok(Merged {
        codebook,
        ids,
        report,
        guids,
    })
}

/// `Knowledge boundaries / Semantic`.
fn display_path(info: &HashMap<String, (String, Option<String>)>, id: &str) -> String {
    let mut out = Vec::new();
    let mut at = Some(id.to_owned());
    while let Some(i) = at {
        let Some((name, parent)) = info.get(&i) else {
            break;
        };
        out.push(name.clone());
        at = parent.clone();
        if out.len() > info.len() {
            break;
        }
    }
    out.reverse();
    out.join(" / ")
}

/// **API boundary**: what `ambit qdpx import` did or, in a dry run, would do (its
/// `--format json` output).
#[derive(Debug, Clone, Serialize)]
pub struct Imported {
    /// The file read.
    pub file: PathBuf,
    /// Whether nothing was written.
    pub dry_run: bool,
    /// The tool that wrote the file.
    pub origin: Option<String>,
    /// Users of the file → coders.
    pub coders: Vec<CoderRow>,
    /// The codebook merge.
    pub codes: CodeMerge,
    /// Sources → documents.
    pub documents: Vec<DocumentRow>,
    /// Codings added.
    pub codings: usize,
    /// Codings the project had already (a second import of the same file) or that the file
    /// holds twice (same range, code, coder and origin), not added.
    pub duplicate_codings: usize,
    /// Memos added (on documents, codes, passages and codings).
    pub memos: usize,
    /// Memos the project had already, not added.
    pub duplicate_memos: usize,
    /// Attributes the documents get (variables, and values of the cases they are in).
    pub attributes: Vec<String>,
    /// Study phases restored into `ambit.toml`.
    pub phases: Vec<String>,
    /// Every placed selection with its text, for checking where it landed.
    pub selections: Vec<SelectionReport>,
    /// Selections that could not be placed (their codings are not imported).
    pub unplaced: Vec<Unplaced>,
    /// What was not imported, and why.
    pub skipped: Vec<Skip>,
    /// Deviations from the standard that were read anyway.
    pub tolerated: Vec<Tolerated>,
    /// What was imported differently from the file, for a look.
    pub warnings: Vec<String>,
}

/// Whether `file` holds XML (a `.qdc`), judged by its content: after a byte-order mark
/// and white space it starts with `<`.
pub fn is_xml(file: &Path) -> Result<bool> {
    let mut head = [0u8; 512];
    let mut f = File::open(file).map_err(|source| Error::Io {
        path: file.to_path_buf(),
        source,
    })?;
    let n = f.read(&mut head).map_err(|source| Error::Io {
        path: file.to_path_buf(),
        source,
    })?;
    let bytes = &head[..n];
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    Ok(bytes
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|&b| b == b'<'))
}

/// **API boundary**: what `ambit codebook import FILE.qdc` did (its `--format json`
/// output).
#[derive(Debug, Clone, Serialize)]
pub struct QdcImported {
    /// The file read.
    pub file: PathBuf,
    /// The tool that wrote it.
    pub origin: Option<String>,
    /// Codes in the file.
    pub file_codes: usize,
    /// The merge into the project's codebook.
    pub codes: CodeMerge,
    /// What was not imported (code sets), and why.
    pub skipped: Vec<Skip>,
    /// Deviations from the standard that were read anyway.
    pub tolerated: Vec<Tolerated>,
}

/// Merges the codebook in the `.qdc` `file` into the project's (or makes it the project's
/// codebook when there is none): codes matched by name path, new ones added, conflicts
/// reported with the project's value kept. No code is removed, so no coding is orphaned.
pub fn import_qdc(project: &mut Project, file: &Path) -> Result<QdcImported> {
    let f = File::open(file).map_err(|source| Error::Io {
        path: file.to_path_buf(),
        source,
    })?;
    let options = ReadOptions {
        name: file.display().to_string(),
        ..ReadOptions::default()
    };
    let (tree, read) = read_qdc(BufReader::new(f), &options)?;
    let path = codebook_path(project);
    let existing = if path.is_file() {
        Some(read_codebook(&path)?)
    } else {
        None
    };
    let merged = merge_codes(existing.as_ref(), &tree)?;
    let skipped = tree
        .sets
        .iter()
        .map(|s| {
            Skip::new(
                "Set",
                s.name.clone(),
                "Ambit has no sets of codes; the codes are imported without it",
            )
        })
        .collect();
    if let Some(cb) = &merged.codebook {
        // The store first, then the file, as every codebook edit: a second run finishes
        // an interrupted one.
        project.store.put_guids(&merged.guids)?;
        save_codebook(project, cb)?;
    }
    Ok(QdcImported {
        file: file.to_path_buf(),
        origin: read.origin,
        file_codes: tree.codes.len(),
        codes: merged.report,
        skipped,
        tolerated: read.tolerated,
    })
}

/// A time from a file when it can be stored as one (`YYYY-MM-DDThh:mm:ss…`).
fn stored_time(t: Option<&str>) -> Option<String> {
    let t = t?.trim();
    let b = t.as_bytes();
    let shape = b.len() >= 19
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && ambit_core::Date::parse(&t[..10]).is_ok();
    shape.then(|| t.to_owned())
}

/// The reader name a file name's extension gives, for formats read one document a file.
fn single_format(file_name: &str) -> Option<(Format, String)> {
    let ext = Path::new(file_name)
        .extension()?
        .to_str()?
        .to_ascii_lowercase();
    let f = Format::from_extension(&ext)?;
    (!f.is_multi_document() && f != Format::Rtf).then_some((f, ext))
}

/// How the archive's reader reads each text: as `ambit add` reads a plain-text file of no
/// particular kind in this project, with the archive's own size limit.
fn text_options(config: &Config, pattern: Option<&regex::Regex>) -> ambit_ingest::Options {
    let mut opts = reader_options(config, DocKind::Other, pattern);
    let defaults = ReadOptions::default().ingest;
    opts.max_bytes = opts.max_bytes.max(defaults.max_bytes);
    opts.zip = defaults.zip;
    opts
}

/// The passages of an exported document that an import could not find again in its text
/// or original file (survey answers with their questions, the messages of a mailbox): all
/// of them, to keep in the archive's Ambit data; none when reading finds them.
fn passages_to_keep(
    project: &Project,
    pattern: Option<&regex::Regex>,
    src: &Source,
    kind: DocKind,
) -> Result<Vec<PassageSpan>> {
    let Some(doc) = DocId::parse(&src.key).ok() else {
        return Ok(Vec::new());
    };
    // As stored: the text holds the speaker labels, not the names `[speakers]` gives them.
    let stored: Vec<PassageSpan> = project
        .store
        .passages_as_stored(doc)?
        .into_iter()
        .map(|p| p.span)
        .collect();
    let (found, _, _) = read_passages(&project.config, pattern, src, kind);
    Ok(if found == stored { Vec::new() } else { stored })
}

/// A source's passages as `ambit add` reads them: from its original file when that gives
/// exactly its text, else from the text; with the reader's name and the encoding.
fn read_passages(
    config: &Config,
    pattern: Option<&regex::Regex>,
    src: &Source,
    kind: DocKind,
) -> (Vec<PassageSpan>, String, String) {
    let plain = ("txt".to_owned(), "UTF-8".to_owned());
    if src.passages_kept {
        return (src.passages.clone(), plain.0, plain.1);
    }
    let opts = reader_options(config, kind, pattern);
    if let Some(o) = &src.original {
        if let Some((format, name)) = single_format(&o.file_name) {
            if let Ok(x) = ambit_ingest::extract(&o.file_name, &o.bytes, format, &opts) {
                if x.text == src.text {
                    return (x.passages, name, x.encoding.to_owned());
                }
            }
        }
    }
    // The archive's reader read the text with the options of a document of no particular
    // kind ([`text_options`]); only archival material is read otherwise (no speaker turns).
    if kind != DocKind::Archival && !src.passages.is_empty() {
        return (src.passages.clone(), plain.0, plain.1);
    }
    let name = format!("{}.txt", src.name);
    match ambit_ingest::extract(&name, src.text.as_bytes(), Format::Text, &opts) {
        Ok(x) if x.text == src.text => (x.passages, plain.0, plain.1),
        _ => (src.passages.clone(), plain.0, plain.1),
    }
}

/// A document a source becomes, or the one it matched.
struct Placed {
    doc: BatchDoc,
    /// Passage ranges, for memos on ranges.
    passages: Vec<(usize, usize)>,
}

/// An import worked out before anything is written: the store batch, and what the
/// report says about it.
struct Plan<'m> {
    model: &'m Model,
    /// User of the file → coder.
    coders: HashMap<&'m str, String>,
    /// Code id of the file → code id of the project.
    codes: HashMap<String, String>,
    /// Coders and memo authors the project has work of.
    known_coders: HashSet<String>,
    batch: ImportBatch,
    /// Source key → its document.
    placed: HashMap<&'m str, Placed>,
    skipped: Vec<Skip>,
    warnings: Vec<String>,
}

impl<'m> Plan<'m> {
    fn coder(&self, user: &str) -> String {
        self.coders
            .get(user)
            .cloned()
            .unwrap_or_else(|| user.to_owned())
    }

    fn code(&self, id: &str) -> String {
        self.codes.get(id).cloned().unwrap_or_else(|| id.to_owned())
    }

    /// The coders of the file's users (`--coder-map` applied), checking the map.
    fn map_coders(&mut self, project: &Project, map: &[(String, String)]) -> Result<Vec<CoderRow>> {
        let m = self.model;
        let mut named: BTreeSet<&'m str> = m.users.iter().map(|u| u.name.as_str()).collect();
        for s in &m.sources {
            for sel in &s.selections {
                named.extend(sel.codings.iter().map(|c| c.coder.as_str()));
            }
        }
        named.extend(m.notes.iter().filter_map(|n| n.author.as_deref()));
        for (old, new) in map {
            let Some(&user) = named.get(old.as_str()) else {
                return Err(Error::Request(format!(
                    "--coder-map {old}={new}: the file has no user `{old}`; its users are: {}",
                    named.iter().copied().collect::<Vec<_>>().join(", ")
                )));
            };
            self.coders.insert(user, new.clone());
        }
        let known = &mut self.known_coders;
        project
            .store
            .for_each_coding_span(|_, _, _, _, c| -> Result<()> {
                if !known.contains(c) {
                    known.insert(c.to_owned());
                }
                Ok(())
            })?;
        known.extend(project.store.memos()?.into_iter().map(|m| m.author));
        Ok(named
            .iter()
            .map(|u| {
                let coder = self.coder(u);
                CoderRow {
                    user: (*u).to_owned(),
                    new: !self.known_coders.contains(&coder),
                    coder,
                }
            })
            .collect())
    }

    /// The documents the sources become: matched by text, or new with their passages.
    fn documents(
        &mut self,
        project: &Project,
        file: &Path,
        read: &ambit_qdpx::ImportReport,
        timeline: &ambit_core::Timeline,
    ) -> Result<(Vec<DocumentRow>, Vec<BatchDoc>)> {
        let m = self.model;
        let rows = project.store.documents()?;
        let mut titles: HashSet<String> = rows.iter().map(|r| r.doc.title.clone()).collect();
        let texts: Vec<&str> = m.sources.iter().map(|s| s.text.as_str()).collect();
        let matches = project.store.match_texts(&texts)?;
        let pattern = speaker_pattern(&project.config)?;
        let shown_file = project.relative_source(file);
        let mut same_text: HashMap<&str, usize> = HashMap::new();
        let mut documents = Vec::with_capacity(m.sources.len());
        let mut docs = Vec::with_capacity(m.sources.len());
        for (i, src) in m.sources.iter().enumerate() {
            let attrs = m.attributes_with_cases(src);
            let chars = src.text.chars().count();
            let (doc, passages, title): (BatchDoc, Vec<(usize, usize)>, String) =
                if let Some(id) = matches[i] {
                    let row = rows.iter().find(|r| r.doc.id == id);
                    for (k, v) in &attrs {
                        if row.is_some_and(|r| !r.doc.attributes.contains_key(k)) {
                            self.batch.attributes.push((id, k.clone(), v.clone()));
                        }
                    }
                    let spans = project
                        .store
                        .passages(id)?
                        .into_iter()
                        .map(|p| (p.span.start, p.span.end))
                        .collect();
                    let title = row.map_or_else(String::new, |r| r.doc.title.clone());
                    (BatchDoc::Existing(id), spans, title)
                } else if let Some(&k) = same_text.get(src.text.as_str()) {
                    let first = &self.batch.documents[k].document;
                    self.warnings.push(format!(
                        "source \"{}\" has the same text as source \"{}\" and is imported as the \
                     same document",
                        src.name, first.title
                    ));
                    let spans = first
                        .passages
                        .iter()
                        .map(|p| (p.span.start, p.span.end))
                        .collect();
                    (BatchDoc::New(k), spans, first.title.clone())
                } else {
                    let mut title = src.name.trim().to_owned();
                    if title.is_empty() {
                        title = "Untitled source".to_owned();
                    }
                    let base = title.clone();
                    let mut n = 1;
                    while titles.contains(&title) {
                        n += 1;
                        title = format!("{base} ({n})");
                    }
                    titles.insert(title.clone());
                    let document = self.new_document(
                        project,
                        pattern.as_ref(),
                        src,
                        title.clone(),
                        attrs,
                        timeline,
                        &shown_file,
                    )?;
                    let spans = document
                        .passages
                        .iter()
                        .map(|p| (p.span.start, p.span.end))
                        .collect();
                    let k = self.batch.documents.len();
                    self.batch.documents.push(BatchDocument {
                        document,
                        guid: src.guid.map(|g| g.to_string()),
                    });
                    same_text.insert(src.text.as_str(), k);
                    (BatchDoc::New(k), spans, title)
                };
            let report = read.sources.get(i);
            documents.push(DocumentRow {
                source: src.name.clone(),
                document: match doc {
                    BatchDoc::Existing(id) => Some(id),
                    BatchDoc::New(_) => None,
                },
                matched: matches!(doc, BatchDoc::Existing(_)),
                title,
                chars,
                passages: passages.len(),
                selections: report.map_or(src.selections.len(), |r| r.selections),
                unit: report.map_or(Unit::STANDARD, |r| r.unit),
                unit_reason: report.map(|r| r.unit_reason.clone()).unwrap_or_default(),
            });
            docs.push(doc);
            self.placed
                .insert(src.key.as_str(), Placed { doc, passages });
        }
        Ok((documents, docs))
    }

    /// A new document from a source: its passages as `ambit add` reads them, its phase
    /// kept when the timeline has it.
    #[allow(clippy::too_many_arguments)]
    fn new_document(
        &mut self,
        project: &Project,
        pattern: Option<&regex::Regex>,
        src: &Source,
        title: String,
        attributes: BTreeMap<String, String>,
        timeline: &ambit_core::Timeline,
        shown_file: &str,
    ) -> Result<NewDocument> {
        let kind = src.kind.unwrap_or(DocKind::Other);
        let (spans, format, encoding) = read_passages(&project.config, pattern, src, kind);
        let (passages, words) = match checked_passages(&src.name, &src.text, spans) {
            Ok(x) => x,
            Err(_) => {
                let whole = vec![PassageSpan::new(0, src.text.chars().count())];
                checked_passages(&src.name, &src.text, whole)
                    .map_err(|e| Error::Request(e.to_string()))?
            }
        };
        let phase = match &src.phase {
            Some(p) if timeline.require(p).is_err() => {
                self.warnings.push(format!(
                    "source \"{}\" was given phase `{p}`, which the study timeline lacks; it is \
                     placed by its date",
                    src.name
                ));
                None
            }
            other => other.clone(),
        };
        let hash = match &src.original {
            Some(o) => hex(&Sha256::digest(&o.bytes)),
            None => hex(&Sha256::digest(src.text.as_bytes())),
        };
        Ok(NewDocument {
            title,
            kind,
            date: src.date,
            phase,
            source: src
                .path
                .clone()
                .unwrap_or_else(|| format!("{shown_file}#{}", src.name)),
            content_hash: hash,
            format,
            encoding,
            text: src.text.clone(),
            words,
            attributes,
            passages,
            original: src.original.as_ref().map(|o| ambit_store::Original {
                name: o.file_name.clone(),
                bytes: o.bytes.clone(),
            }),
        })
    }

    /// The codings, without those the project has (a second import of the same file);
    /// returns how many it had.
    fn codings(&mut self, project: &Project) -> Result<usize> {
        let m = self.model;
        let matched: Vec<DocId> = self
            .placed
            .values()
            .filter_map(|p| match p.doc {
                BatchDoc::Existing(id) => Some(id),
                BatchDoc::New(_) => None,
            })
            .collect();
        // The codings of matched documents, and those of the batch so far: a file that
        // holds the same coding twice stores it once, as a second import of it does.
        let mut have: HashSet<(BatchDoc, usize, usize, String, String, String)> = HashSet::new();
        if !matched.is_empty() {
            let filter = CodingFilter {
                docs: matched,
                ..CodingFilter::default()
            };
            for c in project.store.codings(&filter)? {
                let doc = BatchDoc::Existing(c.doc);
                have.insert((doc, c.start, c.end, c.code, c.coder, c.origin.to_string()));
            }
        }
        let mut duplicates = 0;
        let mut empty: BTreeMap<&str, usize> = BTreeMap::new();
        for src in &m.sources {
            let doc = self.placed[src.key.as_str()].doc;
            for sel in &src.selections {
                if sel.start == sel.end {
                    if !sel.codings.is_empty() {
                        *empty.entry(src.name.as_str()).or_default() += sel.codings.len();
                    }
                    continue;
                }
                let mut first = true;
                for c in &sel.codings {
                    let (code, coder) = (self.code(&c.code), self.coder(&c.coder));
                    let origin = c.origin.to_string();
                    let key = (doc, sel.start, sel.end, code.clone(), coder.clone(), origin);
                    if !have.insert(key) {
                        duplicates += 1;
                        continue;
                    }
                    self.batch.codings.push(BatchCoding {
                        doc,
                        start: sel.start,
                        end: sel.end,
                        code,
                        coder,
                        origin: c.origin.clone(),
                        created: stored_time(c.created.as_deref()),
                        memo: c.memo.clone(),
                        guid: c.guid.map(|g| g.to_string()),
                        selection_guid: sel.guid.filter(|_| first).map(|g| g.to_string()),
                    });
                    first = false;
                }
            }
        }
        for (source, n) in empty {
            self.skipped.push(Skip::new(
                "PlainTextSelection",
                source,
                format!(
                    "{n} coding(s) of empty ranges (start = end): Ambit codes text, not points"
                ),
            ));
        }
        Ok(duplicates)
    }

    /// Where a memo on `start..end` of a source goes: the passage of exactly that range,
    /// else the passage holding its start, else the document.
    fn range_target(
        &mut self,
        memo: &str,
        source: &str,
        start: usize,
        end: usize,
    ) -> Option<BatchTarget> {
        let p = self.placed.get(source)?;
        if let Some(k) = p.passages.iter().position(|&r| r == (start, end)) {
            return Some(BatchTarget::Passage(p.doc, (k + 1) as u32));
        }
        let name = source_name(self.model, source);
        let holding = p
            .passages
            .iter()
            .position(|&(a, b)| a <= start && (start < b || a == b));
        Some(match holding {
            Some(k) => {
                self.warnings.push(format!(
                    "memo \"{memo}\" is about {start}..{end} of \"{name}\", which is no passage; \
                     it is kept on passage {} that holds its start",
                    k + 1
                ));
                BatchTarget::Passage(p.doc, (k + 1) as u32)
            }
            None => {
                self.warnings.push(format!(
                    "memo \"{memo}\" is about {start}..{end} of \"{name}\", in no passage; it is \
                     kept on the document"
                ));
                BatchTarget::Doc(p.doc)
            }
        })
    }

    /// The memos, without those the project has; returns how many it had.
    fn memos(&mut self, existing: &[ambit_store::Memo]) -> usize {
        let have: HashSet<(&str, &str, &str)> = existing
            .iter()
            .map(|m| (m.target.as_str(), m.author.as_str(), m.text.as_str()))
            .collect();
        let mut duplicates = 0;
        for n in &self.model.notes {
            let name = if n.name.is_empty() { &n.key } else { &n.name };
            if n.targets.is_empty() {
                self.skipped.push(Skip::new(
                    "Note",
                    name.clone(),
                    "a memo about nothing in particular: Ambit keeps memos on documents, codes \
                     and passages",
                ));
            }
            let mut first = true;
            for t in &n.targets {
                let target = match t {
                    NoteTarget::Source(k) => match self.placed.get(k.as_str()) {
                        Some(p) => BatchTarget::Doc(p.doc),
                        None => continue,
                    },
                    NoteTarget::Code(id) => BatchTarget::Code(self.code(id)),
                    NoteTarget::Selection { source, start, end } => {
                        match self.range_target(name, source, *start, *end) {
                            Some(t) => t,
                            None => continue,
                        }
                    }
                    NoteTarget::Project => {
                        self.skipped.push(Skip::new(
                            "Note",
                            name.clone(),
                            "a memo on the project: Ambit keeps memos on documents, codes and \
                             passages",
                        ));
                        continue;
                    }
                    _ => continue,
                };
                let author = n
                    .author
                    .as_deref()
                    .map_or_else(|| "unknown".to_owned(), |a| self.coder(a));
                let key = match &target {
                    BatchTarget::Doc(BatchDoc::Existing(d)) => Some(format!("doc:{d}")),
                    BatchTarget::Code(c) => Some(format!("code:{c}")),
                    BatchTarget::Passage(BatchDoc::Existing(d), k) => {
                        Some(format!("passage:{d}:{k}"))
                    }
                    _ => None,
                };
                if key
                    .is_some_and(|k| have.contains(&(k.as_str(), author.as_str(), n.text.as_str())))
                {
                    duplicates += 1;
                    continue;
                }
                self.batch.memos.push(BatchMemo {
                    target,
                    author,
                    created: stored_time(n.created.as_deref()),
                    text: n.text.clone(),
                    guid: n.guid.filter(|_| first).map(|g| g.to_string()),
                });
                first = false;
            }
        }
        duplicates
    }

    /// GUIDs of what is new to the project and that the store does not hold yet: a second
    /// import of the same file writes none.
    fn guids(&mut self, project: &Project, codes: &[GuidRow], phases: bool) -> Result<()> {
        let m = self.model;
        let mut rows = codes.to_vec();
        for u in &m.users {
            let coder = self.coder(&u.name);
            if let (Some(g), false) = (u.guid, self.known_coders.contains(&coder)) {
                rows.push(GuidRow::new(guid_kind::USER, &coder, &g.to_string()));
            }
        }
        let attr_keys: HashSet<String> = project
            .store
            .documents_brief()?
            .into_iter()
            .flat_map(|d| d.attributes.into_keys())
            .collect();
        for v in &m.variables {
            if let (Some(g), false) = (v.guid, attr_keys.contains(&v.name)) {
                rows.push(GuidRow::new(guid_kind::VARIABLE, &v.name, &g.to_string()));
            }
        }
        for c in &m.cases {
            if let Some(g) = c.guid {
                rows.push(GuidRow::new(guid_kind::CASE, &c.key, &g.to_string()));
            }
        }
        if phases {
            for (id, g) in &m.phase_guids {
                rows.push(GuidRow::new(guid_kind::SET, id, &g.to_string()));
            }
        }
        let mut held: HashSet<(String, String)> = HashSet::new();
        let mut held_guids: HashSet<String> = HashSet::new();
        for kind in [
            guid_kind::USER,
            guid_kind::CODE,
            guid_kind::VARIABLE,
            guid_kind::CASE,
            guid_kind::SET,
        ] {
            for (k, g) in project.store.guids(kind)? {
                held.insert((kind.to_owned(), k));
                held_guids.insert(g);
            }
        }
        rows.retain(|r| {
            !held.contains(&(r.kind.clone(), r.key.clone())) && !held_guids.contains(&r.guid)
        });
        self.batch.guids = rows;
        Ok(())
    }
}

/// Imports the `.qdpx` archive `file` into the project, in one store transaction; or, with
/// `dry_run`, reports what that would do and writes nothing.
pub fn import_qdpx(
    project: &mut Project,
    file: &Path,
    options: &ImportOptions,
) -> Result<Imported> {
    let f = File::open(file).map_err(|source| Error::Io {
        path: file.to_path_buf(),
        source,
    })?;
    let pattern = speaker_pattern(&project.config)?;
    let read_options = ReadOptions {
        name: file.display().to_string(),
        ingest: text_options(&project.config, pattern.as_ref()),
        ..ReadOptions::default()
    };
    let (model, read) = read_qdpx(BufReader::new(f), &read_options)?;
    let mut plan = Plan {
        model: &model,
        coders: HashMap::new(),
        codes: HashMap::new(),
        known_coders: HashSet::new(),
        batch: ImportBatch::default(),
        placed: HashMap::new(),
        skipped: read
            .skipped
            .iter()
            .map(|s| Skip {
                element: s.element.clone(),
                name: s.name.clone(),
                line: Some(s.line),
                reason: s.reason.clone(),
            })
            .collect(),
        warnings: Vec::new(),
    };
    let coders = plan.map_coders(project, &options.coder_map)?;

    let cb_path = codebook_path(project);
    let existing_cb = if cb_path.is_file() {
        Some(read_codebook(&cb_path)?)
    } else {
        None
    };
    let merged = merge_codes(existing_cb.as_ref(), &model.codebook)?;
    plan.codes = merged.ids.clone();
    for s in model.sets.iter().chain(&model.codebook.sets) {
        plan.skipped.push(Skip::new(
            "Set",
            s.name.clone(),
            "Ambit has no sets of documents or codes; their members are imported without them",
        ));
    }

    // The timeline, checked now and written after the store.
    let mut new_config: Option<(String, Config)> = None;
    if !model.phases.is_empty() {
        if project.config.timeline.phases().is_empty() {
            new_config = Some(config_with_phases(project, &model.phases)?);
        } else if project.config.timeline.phases() != model.phases.as_slice() {
            plan.skipped.push(Skip::new(
                "Set",
                format!("{} phases", model.phases.len()),
                "the project has a study timeline of its own, which is kept",
            ));
        }
    }
    let timeline = new_config
        .as_ref()
        .map_or(&project.config.timeline, |(_, c)| &c.timeline)
        .clone();

    let (documents, docs) = plan.documents(project, file, &read, &timeline)?;
    let duplicate_codings = plan.codings(project)?;
    let duplicate_memos = plan.memos(&project.store.memos()?);
    plan.guids(project, &merged.guids, new_config.is_some())?;

    let attributes: BTreeSet<String> = model
        .sources
        .iter()
        .flat_map(|s| model.attributes_with_cases(s).into_keys())
        .collect();
    let coding_memos = plan
        .batch
        .codings
        .iter()
        .filter(|c| c.memo.is_some())
        .count();
    let mut out = Imported {
        file: file.to_path_buf(),
        dry_run: options.dry_run,
        origin: read.origin.clone(),
        coders,
        codes: merged.report.clone(),
        documents,
        codings: plan.batch.codings.len(),
        duplicate_codings,
        memos: plan.batch.memos.len() + coding_memos,
        duplicate_memos,
        attributes: attributes.into_iter().collect(),
        phases: match &new_config {
            Some(_) => model.phases.iter().map(|p| p.id.clone()).collect(),
            None => Vec::new(),
        },
        selections: read
            .selections
            .into_iter()
            .map(|mut s| {
                s.codes = s.codes.iter().map(|c| plan.code(c)).collect();
                s
            })
            .collect(),
        unplaced: read.unplaced,
        skipped: std::mem::take(&mut plan.skipped),
        tolerated: read.tolerated,
        warnings: std::mem::take(&mut plan.warnings),
    };
    if options.dry_run {
        return Ok(out);
    }
    let b = &plan.batch;
    let nothing = b.documents.is_empty()
        && b.attributes.is_empty()
        && b.codings.is_empty()
        && b.memos.is_empty()
        && b.guids.is_empty();
    if !nothing {
        let written = project.store.import_batch(b)?;
        // What the store found it had already (the same coding twice in the file).
        out.codings = written.codings as usize;
        out.duplicate_codings += written.duplicate_codings as usize;
        out.memos = written.memos as usize + coding_memos;
        out.duplicate_memos += written.duplicate_memos as usize;
        for (row, doc) in out.documents.iter_mut().zip(&docs) {
            if let BatchDoc::New(k) = doc {
                row.document = written.documents.get(*k).copied();
            }
        }
    }
    // The files after the store, as every codebook edit: running the import again finishes
    // an interrupted one (its documents are matched, its codings not added twice).
    if let Some(cb) = &merged.codebook {
        save_codebook(project, cb)?;
    }
    if let Some((src, config)) = new_config {
        write_config(project, &src)?;
        project.config = config;
    }
    Ok(out)
}

fn source_name<'a>(model: &'a Model, key: &'a str) -> &'a str {
    model
        .sources
        .iter()
        .find(|s| s.key == key)
        .map_or(key, |s| s.name.as_str())
}

/// `ambit.toml` with these phases appended, and what it parses to. Nothing else in the file
/// changes: its comments and settings stay as they are.
fn config_with_phases(project: &Project, phases: &[Phase]) -> Result<(String, Config)> {
    let path = project.root.join(CONFIG_FILE);
    let mut src = std::fs::read_to_string(&path).map_err(|source| Error::Io {
        path: path.clone(),
        source,
    })?;
    if !src.is_empty() && !src.ends_with('\n') {
        src.push('\n');
    }
    src.push_str("\n# The study timeline, restored by `ambit qdpx import`.\n");
    for p in phases {
        src.push_str(&format!(
            "[[phase]]\nid = {}\nlabel = {}\nstart = {}\nend = {}\n\n",
            toml_string(&p.id),
            toml_string(&p.label),
            p.start,
            p.end
        ));
    }
    let config = Config::parse(&path, &src)?;
    Ok((src, config))
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Replaces `ambit.toml` atomically.
fn write_config(project: &Project, src: &str) -> Result<()> {
    let path = project.root.join(CONFIG_FILE);
    write_file(&path, |w| {
        w.write_all(src.as_bytes()).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn tree(toml: &str) -> CodeTree {
        CodeTree::from_codebook(&Codebook::parse(toml).unwrap())
    }

    const OURS: &str = r##"
[codebook]
name = "Ours"
[[code]]
id = "kb"
name = "Knowledge boundaries"
color = "#47A"
[[code]]
id = "kb.semantic"
name = "Semantic"
description = "Same word, different meaning."
[[code]]
id = "su"
name = "Shared understanding"
"##;

    #[test]
    fn codes_merge_by_name_path() {
        let theirs = tree(
            r##"
[codebook]
name = "Theirs"
[[code]]
id = "kb"
name = "knowledge boundaries"
color = "#4477AA"
description = "Where knowledge stops."
[[code]]
id = "kb.semantic"
name = "Semantic"
description = "Another definition."
[[code]]
id = "kb.pragmatic"
name = "Pragmatic"
  [[code.rule]]
  keywords = ["cost*"]
  within = "kb"
[[code]]
id = "su"
name = "Other"
"##,
        );
        let ours = Codebook::parse(OURS).unwrap();
        let m = merge_codes(Some(&ours), &theirs).unwrap();
        let added: Vec<(&str, &str)> = m
            .report
            .added
            .iter()
            .map(|c| (c.id.as_str(), c.file_id.as_str()))
            .collect();
        // `su` is taken by another name path: the file's `su` gets a new id.
        assert_eq!(added, [("kb.pragmatic", "kb.pragmatic"), ("su-2", "su")]);
        assert_eq!(m.report.matched.len(), 2);
        assert_eq!(
            m.report.filled,
            [CodeField {
                path: "Knowledge boundaries".into(),
                id: "kb".into(),
                field: "description"
            }]
        );
        assert_eq!(m.report.conflicts.len(), 1);
        let c = &m.report.conflicts[0];
        assert_eq!((c.id.as_str(), c.field), ("kb.semantic", "description"));
        assert_eq!(c.project, "Same word, different meaning.");
        let cb = m.codebook.unwrap();
        let ids: Vec<&str> = cb.codes().iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["kb", "kb.semantic", "kb.pragmatic", "su", "su-2"]);
        // The project's values stay; the colour spelled otherwise is no conflict.
        assert_eq!(cb.code("kb").unwrap().color.as_deref(), Some("#47A"));
        assert_eq!(
            cb.code("kb.pragmatic").unwrap().rules[0].within.as_deref(),
            Some("kb")
        );
        assert_eq!(m.ids["su"], "su-2");
    }

    #[test]
    fn the_same_codebook_merges_to_no_change() {
        let ours = Codebook::parse(OURS).unwrap();
        let m = merge_codes(Some(&ours), &CodeTree::from_codebook(&ours)).unwrap();
        assert!(m.codebook.is_none());
        assert!(m.report.added.is_empty() && m.report.conflicts.is_empty());
        assert_eq!(m.report.matched.len(), 3);
    }

    #[test]
    fn a_file_codebook_becomes_the_first_one() {
        let theirs = tree(OURS);
        let m = merge_codes(None, &theirs).unwrap();
        assert_eq!(m.codebook.unwrap(), Codebook::parse(OURS).unwrap());
        assert_eq!(m.report.added.len(), 3);
    }

    #[test]
    fn variable_types() {
        for (values, kind) in [
            (vec!["7", "-2"], VarType::Integer),
            (vec!["3.5", "2"], VarType::Float),
            (vec!["true", "false"], VarType::Boolean),
            (vec!["2013-03-20"], VarType::Date),
            (vec!["Saimaa Paper Oy", "7"], VarType::Text),
            (vec![], VarType::Text),
        ] {
            assert_eq!(var_type(&values), kind, "{values:?}");
        }
    }

    #[test]
    fn times_and_titles() {
        assert_eq!(
            stored_time(Some("2022-05-10T02:05:59Z")).as_deref(),
            Some("2022-05-10T02:05:59Z")
        );
        assert_eq!(stored_time(Some("10.5.2022 02:05")), None);
        assert_eq!(stored_time(None), None);
        assert_eq!(memo_title("\n  First line\nsecond", 3), "First line");
        assert_eq!(memo_title("", 3), "Memo 3");
        assert_eq!(memo_title(&"x".repeat(70), 3).chars().count(), 60);
    }
}
