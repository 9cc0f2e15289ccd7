//! Raw values into the interchange model: GUIDs checked, references resolved, texts read, positions placed, Ambit's own data restored.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{Read, Seek};

use ambit_core::{Date, DocKind, Origin, Phase, Timeline};
use ambit_ingest::Format;

use super::archive::Archive;
use super::parse::{Pos, RawCode, RawCoding, RawProject, RawSelection, RawSource};
use super::{
    ImportReport, ReadOptions, SelectionReport, Skipped, SourceReport, Tolerance, Unplaced,
};
use crate::ambit::{passages_from_data, slug, split_data, valid_code_id};
use crate::error::Place;
use crate::model::{
    Case, Code, CodeTree, Coding, Note, NoteTarget, Original, Project, Selection, Set, Source,
    User, Variable, VAR_DATE, VAR_KIND, VAR_PHASE,
};
use crate::positions::{self, Landing, Unit};
use crate::write::ORIGIN_PREFIX;
use crate::{Error, Guid, Result};

/// Refuses duplicate GUIDs and references to GUIDs that name nothing (or something of
/// another kind).
fn check_guids(raw: &RawProject, name: &str, entry: &str) -> Result<()> {
    let mut first: HashMap<Guid, usize> = HashMap::with_capacity(raw.defs.len());
    for (i, d) in raw.defs.iter().enumerate() {
        if let Some(&j) = first.get(&d.guid) {
            let f = &raw.defs[j];
            return Err(Error::DuplicateGuid {
                at: Place::boxed(name, entry, d.line as usize),
                element: d.element().to_owned(),
                guid: d.guid.to_string(),
                first_line: f.line as usize,
                first_element: f.element().to_owned(),
            });
        }
        first.insert(d.guid, i);
    }
    for r in &raw.refs {
        if first.get(&r.guid).map(|&i| raw.defs[i].kind) != Some(r.expect) {
            return Err(Error::UnknownGuid {
                at: Place::boxed(name, entry, r.line as usize),
                element: r.element(),
                attribute: r.attribute(),
                guid: r.guid.to_string(),
                expected: r.expect.noun(),
            });
        }
    }
    Ok(())
}

/// The description without the lines the writer appended for rule codings (each after
/// a line break, unless the description was empty).
fn strip_rule_lines(mut human: String) -> String {
    loop {
        let start = human.rfind('\n').map_or(0, |i| i + 1);
        let line = &human[start..];
        if !(line.starts_with("Auto-coded ") && line.contains(" by Ambit rule ")) {
            return human;
        }
        human.truncate(start.saturating_sub(1));
    }
}

/// `1 coding`, `2 codings`.
fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// `base`, or `base (2)`, `base (3)`, … when taken.
fn unique_name(base: &str, taken: &mut HashSet<String>) -> String {
    let mut name = base.to_owned();
    let mut n = 1;
    while !taken.insert(name.clone()) {
        n += 1;
        name = format!("{base} ({n})");
    }
    name
}

/// The codes with Ambit ids, and the rules kept in their descriptions.
pub(crate) fn codes(raw: &[RawCode], tol: &mut Tolerance) -> (Vec<Code>, HashMap<Guid, String>) {
    let mut out: Vec<Code> = Vec::with_capacity(raw.len());
    let mut ids: HashMap<Guid, String> = HashMap::with_capacity(raw.len());
    let mut taken: HashSet<String> = HashSet::with_capacity(raw.len());
    let mut pending: Vec<(usize, toml::Value)> = Vec::new();
    let mut orders: Vec<Option<usize>> = Vec::with_capacity(raw.len());
    for (i, c) in raw.iter().enumerate() {
        let (human, data) = split_data(&c.description);
        let (description, data) = match data {
            None => (human, toml::Table::new()),
            Some(Ok(t)) => (human, t),
            Some(Err(e)) => {
                tol.note(&format!("code data {i}"), Some(c.line), || {
                    format!(
                        "the Ambit data in the description of code `{}` is not valid TOML ({}); \
                         the description is read as text",
                        c.name,
                        e.lines().next().unwrap_or_default()
                    )
                });
                (c.description.clone(), toml::Table::new())
            }
        };
        let text = |k: &str| data.get(k).and_then(|v| v.as_str()).map(str::to_owned);
        let parent = c.parent.map(|p| out[p].id.clone());
        let kept = text("id").filter(|id| {
            let ok =
                valid_code_id(id) && (parent.is_some() || !id.contains('.')) && !taken.contains(id);
            if !ok {
                tol.note(&format!("code id {i}"), Some(c.line), || {
                    format!(
                        "code `{}` carries the Ambit id `{id}`, which cannot be kept here \
                         (invalid, taken, or dotted at the top level); a new id is made",
                        c.name
                    )
                });
            }
            ok
        });
        let id = kept.unwrap_or_else(|| {
            let base = match &parent {
                Some(p) => format!("{p}.{}", slug(&c.name)),
                None => slug(&c.name),
            };
            let mut id = base.clone();
            let mut n = 1;
            while taken.contains(&id) {
                n += 1;
                id = format!("{base}-{n}");
            }
            id
        });
        taken.insert(id.clone());
        ids.insert(c.guid, id.clone());
        if let Some(rules) = data.get("rule") {
            pending.push((i, rules.clone()));
        }
        orders.push(
            data.get("order")
                .and_then(|v| v.as_integer())
                .and_then(|o| usize::try_from(o).ok()),
        );
        let examples = data
            .get("examples")
            .and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|e| e.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        out.push(Code {
            id,
            name: c.name.clone(),
            parent,
            description,
            include: text("include").unwrap_or_default(),
            exclude: text("exclude").unwrap_or_default(),
            examples,
            color: text("color").or_else(|| c.color.clone()),
            codable: c.codable,
            rules: Vec::new(),
            guid: Some(c.guid),
        });
    }
    // Nesting put the codes in tree order; Ambit's codebook order comes back from the data.
    if orders.iter().any(Option::is_some) {
        let mut keyed: Vec<(usize, usize, Code)> = out
            .into_iter()
            .zip(&orders)
            .enumerate()
            .map(|(i, (c, o))| (o.unwrap_or(usize::MAX), i, c))
            .collect();
        keyed.sort_by_key(|(o, i, _)| (*o, *i));
        let moved: Vec<usize> = keyed.iter().map(|(_, i, _)| *i).collect();
        out = keyed.into_iter().map(|(_, _, c)| c).collect();
        pending = pending
            .into_iter()
            .map(|(i, r)| (moved.iter().position(|&m| m == i).unwrap_or(i), r))
            .collect();
    }
    if !pending.is_empty() {
        if let Err(e) = restore_rules(&mut out, pending) {
            tol.note("rules", None, || {
                format!(
                    "the auto-coding rules kept in code descriptions do not make a valid \
                     codebook, so the codes are imported without rules: {e}"
                )
            });
        }
    }
    (out, ids)
}

/// Rules come back through Ambit's own codebook parser, so they are validated (and
/// their defaults filled) exactly as in `codebook.toml`.
fn restore_rules(
    codes: &mut [Code],
    pending: Vec<(usize, toml::Value)>,
) -> std::result::Result<(), String> {
    let tree = CodeTree {
        codes: codes.to_vec(),
        ..CodeTree::default()
    };
    let src = tree.to_toml(false).map_err(|e| e.to_string())?;
    let mut doc: toml::Table = src.parse().map_err(|e: toml::de::Error| e.to_string())?;
    if let Some(toml::Value::Array(list)) = doc.get_mut("code") {
        for (i, rules) in pending {
            if let Some(toml::Value::Table(t)) = list.get_mut(i) {
                t.insert("rule".into(), rules);
            }
        }
    }
    let src = toml::to_string(&doc).map_err(|e| e.to_string())?;
    let cb = ambit_coding::Codebook::parse(&src).map_err(|e| e.to_string())?;
    for c in codes.iter_mut() {
        if let Some(parsed) = cb.code(&c.id) {
            c.rules = parsed.rules.clone();
        }
    }
    Ok(())
}

/// A text file's bytes as text (without BOM, line ends as stored), whether it had a BOM,
/// and a note when it was not clean UTF-8.
fn decode(bytes: &[u8]) -> (String, bool, Option<&'static str>) {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return match std::str::from_utf8(rest) {
            Ok(s) => (s.to_owned(), true, None),
            Err(_) => (
                String::from_utf8_lossy(rest).into_owned(),
                true,
                Some("not valid UTF-8; bad bytes read as U+FFFD"),
            ),
        };
    }
    let utf16 = |rest: &[u8], le: bool| -> String {
        let units = rest.chunks_exact(2).map(|p| {
            if le {
                u16::from_le_bytes([p[0], p[1]])
            } else {
                u16::from_be_bytes([p[0], p[1]])
            }
        });
        char::decode_utf16(units)
            .map(|c| c.unwrap_or('\u{FFFD}'))
            .collect()
    };
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return (utf16(rest, true), true, Some("UTF-16 (little-endian)"));
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return (utf16(rest, false), true, Some("UTF-16 (big-endian)"));
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_owned(), false, None),
        Err(_) => (
            String::from_utf8_lossy(bytes).into_owned(),
            false,
            Some("not valid UTF-8; bad bytes read as U+FFFD"),
        ),
    }
}

/// The archive entry a path names, trying the spellings real tools write; the names
/// tried when none exists.
fn locate(
    path: &str,
    entries: &[String],
    tol: &mut Tolerance,
    line: usize,
) -> std::result::Result<String, String> {
    let (file, internal) = match path.strip_prefix("internal://") {
        Some(rest) => (rest.to_owned(), true),
        None => {
            tol.note("path no internal", Some(line), || {
                format!("paths without `internal://` (like `{path}`) looked up in the archive")
            });
            let stripped = ["relative://", "absolute://", "file://"]
                .iter()
                .find_map(|p| path.strip_prefix(p))
                .unwrap_or(path);
            (stripped.to_owned(), false)
        }
    };
    let base = file.rsplit(['/', '\\']).next().unwrap_or(&file).to_owned();
    let mut tried = vec![format!("Sources/{base}"), format!("sources/{base}")];
    if !internal {
        tried.insert(0, file.replace('\\', "/"));
    }
    for t in &tried {
        if entries.iter().any(|e| e == t) {
            if t.starts_with("sources/") {
                tol.note("lower sources", None, || {
                    "source files in a lower-case `sources/` folder (the standard says `Sources/`)"
                        .to_owned()
                });
            }
            return Ok(t.clone());
        }
    }
    let lower: Vec<String> = tried.iter().map(|t| t.to_lowercase()).collect();
    if let Some(e) = entries.iter().find(|e| lower.contains(&e.to_lowercase())) {
        tol.note("path case", Some(line), || {
            format!("`{path}` found as `{e}`, in another case")
        });
        return Ok(e.clone());
    }
    Err(tried
        .iter()
        .map(|t| format!("`{t}`"))
        .collect::<Vec<_>>()
        .join(", "))
}

struct Ctx<'a, R: Read + Seek> {
    archive: &'a mut Archive<R>,
    name: String,
    entry: String,
    tol: Tolerance,
}

impl<R: Read + Seek> Ctx<'_, R> {
    /// The text behind `plainTextPath` or inline: (text as stored, BOM).
    fn text(&mut self, s: &RawSource) -> Result<Option<(String, bool)>> {
        let Some(path) = &s.plain_path else {
            return Ok(s.inline.clone().map(|t| (t, false)));
        };
        if s.inline.is_some() {
            self.tol.note("both texts", Some(s.line), || {
                "a source with both `plainTextPath` and `PlainTextContent`; the file is read"
                    .to_owned()
            });
        }
        let entries = self.archive.entries.clone();
        let entry = locate(path, &entries, &mut self.tol, s.line).map_err(|looked_for| {
            Error::MissingFile {
                at: Place::boxed(&self.name, &self.entry, s.line),
                element: s.element,
                path: path.clone(),
                looked_for,
            }
        })?;
        let bytes = self.archive.read(&entry)?.unwrap_or_default();
        let (text, bom, note) = decode(&bytes);
        if let Some(n) = note {
            self.tol.note(&format!("encoding {n}"), Some(s.line), || {
                format!("source text files in {n}")
            });
        }
        Ok(Some((text, bom)))
    }

    fn original(&mut self, s: &RawSource) -> Result<Option<Original>> {
        let Some(path) = &s.rich_path else {
            return Ok(None);
        };
        let entries = self.archive.entries.clone();
        let mut quiet = Tolerance::default();
        match locate(path, &entries, &mut quiet, s.line) {
            Ok(entry) => {
                let bytes = self.archive.read(&entry)?.unwrap_or_default();
                let file_name = entry.rsplit('/').next().unwrap_or(&entry).to_owned();
                Ok(Some(Original { file_name, bytes }))
            }
            Err(_) => {
                self.tol.note("original missing", Some(s.line), || {
                    format!("original files not in the archive (like `{path}`) left out")
                });
                Ok(None)
            }
        }
    }

    fn position_error(&self, sel: &RawSelection, source: &str, reason: String) -> Error {
        Error::Position {
            at: Place::boxed(&self.name, &self.entry, sel.line),
            element: sel.element,
            source_name: source.to_owned(),
            reason,
        }
    }
}

/// Builds the project from what the parser read.
pub(crate) fn project<R: Read + Seek>(
    mut raw: RawProject,
    archive: &mut Archive<R>,
    entry: &str,
    opts: &ReadOptions,
    tol: Tolerance,
) -> Result<(Project, ImportReport)> {
    check_guids(&raw, &opts.name, entry)?;
    // Millions of entries in a large project, no longer needed.
    drop(std::mem::take(&mut raw.defs));
    drop(std::mem::take(&mut raw.refs));
    let mut cx = Ctx {
        archive,
        name: opts.name.clone(),
        entry: entry.to_owned(),
        tol,
    };
    let mut report = ImportReport {
        origin: raw.origin.clone(),
        skipped: raw.skipped.clone(),
        ..ImportReport::default()
    };
    let ambit_file = raw
        .origin
        .as_deref()
        .is_some_and(|o| o.starts_with(ORIGIN_PREFIX));
    let prior = raw.origin.as_deref().and_then(Unit::of_origin);

    // Users, under unique names: codings refer to coders by name.
    let mut taken = HashSet::new();
    let mut users = Vec::with_capacity(raw.users.len());
    let mut user_names: HashMap<Guid, String> = HashMap::new();
    for u in &raw.users {
        let base = u
            .name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .or(u.id.as_deref())
            .map(str::to_owned)
            .unwrap_or_else(|| format!("user {}", &u.guid.to_string()[..8]));
        let name = unique_name(&base, &mut taken);
        if name != base {
            cx.tol.note("user dup", None, || {
                format!("two users are named `{base}`; the second is `{name}`")
            });
        }
        user_names.insert(u.guid, name.clone());
        users.push(User {
            name,
            guid: Some(u.guid),
        });
    }
    report.users = users.iter().map(|u| u.name.clone()).collect();
    let user = |g: Option<Guid>| g.and_then(|g| user_names.get(&g).cloned());

    let (codes, code_ids) = codes(&raw.codes, &mut cx.tol);
    report.codes = codes.len();

    let (description, data) = split_data(&raw.description);
    let data = data.and_then(|d| d.ok()).unwrap_or_default();
    let codebook_text = |k: &str| {
        data.get(k)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_owned()
    };

    let mut var_names: HashMap<Guid, String> = HashMap::new();
    let mut variables = Vec::with_capacity(raw.variables.len());
    for v in &raw.variables {
        var_names.insert(v.guid, v.name.clone());
        variables.push(Variable {
            name: v.name.clone(),
            kind: v.kind,
            description: v.description.clone(),
            guid: Some(v.guid),
        });
    }
    report.variables = variables.iter().map(|v| v.name.clone()).collect();

    // Notes, before anything refers to them.
    let mut notes: Vec<Note> = Vec::with_capacity(raw.notes.len());
    let mut note_index: HashMap<Guid, usize> = HashMap::new();
    let mut note_keys = HashSet::new();
    for n in &raw.notes {
        // Inline text is exact (XML already made its literal CRLFs LF); a memo in a file
        // gets Ambit's LF line ends like every stored text.
        let text = match cx.text(n)? {
            Some((t, _)) if n.plain_path.is_some() => positions::to_lf(&t),
            Some((t, _)) => t,
            None => String::new(),
        };
        let (_, data) = split_data(&n.description);
        let key = data
            .and_then(|d| d.ok())
            .and_then(|d| d.get("key").and_then(|k| k.as_str()).map(str::to_owned))
            .filter(|k| !note_keys.contains(k))
            .unwrap_or_else(|| n.guid.to_string());
        note_keys.insert(key.clone());
        if !n.selections.is_empty() {
            report.skipped.push(Skipped {
                element: "Note".to_owned(),
                name: n.name.clone().unwrap_or_default(),
                line: n.line,
                reason: format!(
                    "{} selections in a note: Ambit codes documents, not memos",
                    n.selections.len()
                ),
            });
        }
        note_index.insert(n.guid, notes.len());
        notes.push(Note {
            key,
            name: n.name.clone().unwrap_or_default(),
            text,
            author: user(n.creating_user),
            created: n.created.clone(),
            targets: Vec::new(),
            guid: Some(n.guid),
        });
    }
    // A note only codings refer to becomes their memo and is not a memo of its own.
    let mut by_coding = vec![false; notes.len()];
    let mut by_other = vec![false; notes.len()];

    let mut sources: Vec<Source> = Vec::with_capacity(raw.sources.len());
    let mut source_keys: HashMap<Guid, String> = HashMap::new();
    let mut keys_taken = HashSet::new();
    let project_user = user(raw.creating_user);
    // Each raw source is dropped once it is converted, so the raw and the converted
    // project are not both held whole.
    for s in std::mem::take(&mut raw.sources) {
        let s = &s;
        let display = s
            .name
            .clone()
            .unwrap_or_else(|| format!("source {}", &s.guid.to_string()[..8]));
        let codings_in = |s: &RawSource| {
            s.selections.iter().map(|x| x.codings.len()).sum::<usize>() + s.codings.len()
        };
        let skip = |reason: String, report: &mut ImportReport| {
            report.skipped.push(Skipped {
                element: s.element.to_owned(),
                name: display.clone(),
                line: s.line,
                reason,
            });
        };
        for (element, codings) in &s.skipped_selections {
            report.skipped.push(Skipped {
                element: (*element).to_owned(),
                name: display.clone(),
                line: s.line,
                reason: format!(
                    "a region or time selection ({}) has no position in the text",
                    plural(*codings, "coding")
                ),
            });
        }
        if let Some(reason) = &s.skip {
            let n = codings_in(s);
            skip(
                if n > 0 {
                    format!("{reason} ({} not imported)", plural(n, "coding"))
                } else {
                    reason.clone()
                },
                &mut report,
            );
            continue;
        }
        let Some((raw_text, bom)) = cx.text(s)? else {
            skip(
                "no text: neither `plainTextPath` nor `PlainTextContent`".to_owned(),
                &mut report,
            );
            continue;
        };

        // Positions as written, checked, then placed in the reading that fits.
        let mut bounds: Vec<u64> = Vec::with_capacity(2 * s.selections.len());
        for sel in &s.selections {
            let pos = |p: Pos| match p {
                Pos::At(v) => v,
                Pos::Sync(g) => raw.syncpoints.get(&g).copied().unwrap_or(-1),
            };
            let (a, b) = (pos(sel.start), pos(sel.end));
            if a < 0 || b < 0 {
                return Err(cx.position_error(
                    sel,
                    &display,
                    format!("a negative or missing position ({a}, {b})"),
                ));
            }
            if a > b {
                return Err(cx.position_error(
                    sel,
                    &display,
                    format!("startPosition {a} is after endPosition {b}"),
                ));
            }
            bounds.push(a as u64);
            bounds.push(b as u64);
        }
        let choice = match positions::choose(&raw_text, bom, &bounds, prior) {
            Some(c) => c,
            None => {
                let unit = prior.map_or(Unit::STANDARD, |(u, _)| u);
                let r = positions::read(&raw_text, unit, &bounds);
                let i = r
                    .landings
                    .iter()
                    .position(|l| *l == Landing::Outside)
                    .unwrap_or(0)
                    / 2;
                let sel = &s.selections[i];
                return Err(cx.position_error(
                    sel,
                    &display,
                    format!(
                        "positions {}..{} lie outside the text, which has {} characters \
                         ({} UTF-16 code units) as stored, however they are counted",
                        bounds[2 * i],
                        bounds[2 * i + 1],
                        raw_text.chars().count(),
                        raw_text.encode_utf16().count()
                    ),
                ));
            }
        };
        let text = positions::to_lf(&raw_text);
        drop(raw_text);
        let chars = text.chars().count();
        if text.trim().is_empty() {
            skip("its text is empty".to_owned(), &mut report);
            continue;
        }
        let passages = match ambit_ingest::extract(
            &format!("{display}.txt"),
            text.as_bytes(),
            Format::Text,
            &opts.ingest,
        ) {
            Ok(got) if got.text == text => got.passages,
            Ok(_) => {
                cx.tol.note("passages", Some(s.line), || {
                    "a text that Ambit's reader changes; imported without passages".to_owned()
                });
                Vec::new()
            }
            Err(e) => {
                skip(format!("Ambit cannot import its text: {e}"), &mut report);
                continue;
            }
        };

        let (human, data) = split_data(&s.description);
        let data = data.and_then(|d| d.ok()).unwrap_or_default();
        let text_of = |k: &str| data.get(k).and_then(|v| v.as_str()).map(str::to_owned);
        let key = text_of("key")
            .filter(|k| !keys_taken.contains(k))
            .unwrap_or_else(|| s.guid.to_string());
        keys_taken.insert(key.clone());
        source_keys.insert(s.guid, key.clone());
        for a in &s.aliases {
            source_keys.insert(*a, key.clone());
        }

        let mut src = Source::new(&key, &display, "");
        src.description = human;
        src.path = text_of("path");
        src.phase = text_of("phase");
        src.creating_user = user(s.creating_user);
        src.created = s.created.clone();
        src.modifying_user = user(s.modifying_user);
        src.modified = s.modified.clone();
        src.guid = Some(s.guid);
        src.original = cx.original(s)?;
        if let (Some(o), Some(n)) = (src.original.as_mut(), text_of("original")) {
            o.file_name = n;
        }
        src.passages = passages;
        if let Some(kept) = data.get("passages") {
            match passages_from_data(kept, chars) {
                Ok(p) => {
                    src.passages = p;
                    src.passages_kept = true;
                }
                Err(why) => cx.tol.note("kept passages", Some(s.line), || {
                    format!("the passages Ambit kept for this text do not fit it ({why}); read from the text instead")
                }),
            }
        }
        let marked_phase = data.contains_key("key");
        for v in &s.values {
            let Some(var) = var_names.get(&v.var) else {
                continue;
            };
            match var.as_str() {
                VAR_DATE => {
                    match Date::parse(&v.value) {
                        Ok(d) => src.date = Some(d),
                        Err(e) => {
                            cx.tol.note("bad date", Some(v.line), || {
                            format!("`{VAR_DATE}` values that are not dates ({e}) kept as attributes")
                        });
                            src.attributes.insert(var.clone(), v.value.clone());
                        }
                    }
                }
                VAR_KIND => match DocKind::parse(&v.value) {
                    Ok(k) => src.kind = Some(k),
                    Err(_) => {
                        cx.tol.note("bad kind", Some(v.line), || {
                            format!("`{VAR_KIND}` value `{}` is not a document kind; kept as an attribute", v.value)
                        });
                        src.attributes.insert(var.clone(), v.value.clone());
                    }
                },
                // In Ambit's files the phase is the timeline's placement; a phase given
                // explicitly is in the source's data. Elsewhere it is all there is.
                VAR_PHASE if marked_phase => {}
                VAR_PHASE => src.phase = Some(v.value.clone()),
                _ => {
                    src.attributes.insert(var.clone(), v.value.clone());
                }
            }
        }
        for g in &s.notes {
            if let Some(&i) = note_index.get(g) {
                notes[i].targets.push(NoteTarget::Source(key.clone()));
                by_other[i] = true;
            }
        }

        let coder_of = |c: &RawCoding, sel_user: Option<Guid>, tol: &mut Tolerance| -> String {
            user(c.user)
                .or_else(|| user(sel_user))
                .or_else(|| user(s.creating_user))
                .or_else(|| project_user.clone())
                .unwrap_or_else(|| {
                    tol.note("no coder", None, || {
                        "codings without a `creatingUser` anywhere up the tree are coder `unknown`"
                            .to_owned()
                    });
                    "unknown".to_owned()
                })
        };
        let mut placed = 0usize;
        let unit = choice.reading.unit;
        let index = ambit_core::text::CharIndex::new(&text);
        for (i, sel) in s.selections.iter().enumerate() {
            let code_list = |sel: &RawSelection| -> Vec<String> {
                sel.codings
                    .iter()
                    .filter_map(|c| code_ids.get(&c.code).cloned())
                    .collect()
            };
            let (start, end) = match (
                choice.reading.landings[2 * i],
                choice.reading.landings[2 * i + 1],
            ) {
                (Landing::At(a), Landing::At(b)) => (a, b),
                _ => {
                    report.unplaced.push(Unplaced {
                        source: display.clone(),
                        line: sel.line,
                        start: bounds[2 * i] as i64,
                        end: bounds[2 * i + 1] as i64,
                        reason: format!(
                            "counted in {unit}, a boundary falls inside a CRLF line break or \
                             inside a character outside the BMP (an emoji's surrogate pair)"
                        ),
                        codes: code_list(sel),
                    });
                    continue;
                }
            };
            let (human, data) = split_data(&sel.description);
            let origins = data
                .and_then(|d| d.ok())
                .and_then(|d| d.get("codings").and_then(|c| c.as_table()).cloned());
            // The lines the writer appends for rule codings come back from the data.
            let human = if origins.is_some() {
                strip_rule_lines(human)
            } else {
                human
            };
            let mut out = Selection::new(start, end);
            out.name = sel.name.clone();
            out.description = human;
            out.creating_user = user(sel.creating_user);
            out.created = sel.created.clone();
            out.guid = Some(sel.guid);
            for c in &sel.codings {
                let Some(code) = code_ids.get(&c.code) else {
                    continue;
                };
                let marked = origins
                    .as_ref()
                    .and_then(|o| o.get(&c.guid.to_string()))
                    .and_then(|v| v.as_str())
                    .and_then(Origin::parse);
                let origin = marked.unwrap_or(if ambit_file {
                    Origin::Manual
                } else {
                    Origin::Import
                });
                let mut memo: Option<String> = None;
                for g in &c.notes {
                    if let Some(&n) = note_index.get(g) {
                        by_coding[n] = true;
                        memo = Some(match memo {
                            Some(m) => format!("{m}\n\n{}", notes[n].text),
                            None => notes[n].text.clone(),
                        });
                    }
                }
                out.codings.push(Coding {
                    code: code.clone(),
                    coder: coder_of(c, sel.creating_user, &mut cx.tol),
                    origin,
                    created: c.created.clone(),
                    memo,
                    guid: Some(c.guid),
                });
            }
            for g in &sel.notes {
                if let Some(&n) = note_index.get(g) {
                    notes[n].targets.push(NoteTarget::Selection {
                        source: key.clone(),
                        start,
                        end,
                    });
                    by_other[n] = true;
                }
            }
            report.codings += out.codings.len();
            if opts.selection_texts {
                report.selections.push(SelectionReport {
                    source: display.clone(),
                    start,
                    end,
                    text: index
                        .slice(&text, start, end)
                        .unwrap_or_default()
                        .to_owned(),
                    codes: out.codings.iter().map(|c| c.code.clone()).collect(),
                });
            }
            placed += 1;
            src.selections.push(out);
        }
        if !s.codings.is_empty() {
            cx.tol.note("whole source", Some(s.line), || {
                "codings of a whole source read as codings of its whole text".to_owned()
            });
            let mut out = Selection::new(0, chars);
            for c in &s.codings {
                let Some(code) = code_ids.get(&c.code) else {
                    continue;
                };
                out.codings.push(Coding {
                    code: code.clone(),
                    coder: coder_of(c, None, &mut cx.tol),
                    origin: if ambit_file {
                        Origin::Manual
                    } else {
                        Origin::Import
                    },
                    created: c.created.clone(),
                    memo: None,
                    guid: Some(c.guid),
                });
            }
            report.codings += out.codings.len();
            src.selections.push(out);
            placed += 1;
        }
        report.sources.push(SourceReport {
            name: display.clone(),
            guid: s.guid.to_string(),
            chars,
            passages: src.passages.len(),
            selections: placed,
            unit,
            unit_reason: choice.reason,
        });
        src.text = text;
        sources.push(src);
    }

    for rc in &raw.codes {
        let Some(id) = code_ids.get(&rc.guid) else {
            continue;
        };
        for g in &rc.notes {
            if let Some(&n) = note_index.get(g) {
                notes[n].targets.push(NoteTarget::Code(id.clone()));
                by_other[n] = true;
            }
        }
    }
    for g in &raw.project_notes {
        if let Some(&n) = note_index.get(g) {
            notes[n].targets.push(NoteTarget::Project);
            by_other[n] = true;
        }
    }

    let code_id = |g: &Guid| code_ids.get(g).cloned();
    let source_key = |g: &Guid| source_keys.get(g).cloned();
    let note_key = |g: &Guid| note_index.get(g).map(|&i| notes[i].key.clone());

    let mut cases = Vec::with_capacity(raw.cases.len());
    for c in &raw.cases {
        let (human, data) = split_data(&c.description);
        let key = data
            .and_then(|d| d.ok())
            .and_then(|d| d.get("key").and_then(|k| k.as_str()).map(str::to_owned))
            .unwrap_or_else(|| c.guid.to_string());
        if c.selections > 0 {
            report.skipped.push(Skipped {
                element: "SelectionRef".to_owned(),
                name: c.name.clone(),
                line: c.line,
                reason: format!(
                    "{} selections of a case: Ambit's attributes are on documents",
                    c.selections
                ),
            });
        }
        cases.push(Case {
            key,
            name: c.name.clone(),
            description: human,
            values: c
                .values
                .iter()
                .filter_map(|v| Some((var_names.get(&v.var)?.clone(), v.value.clone())))
                .collect::<BTreeMap<_, _>>(),
            sources: c.sources.iter().filter_map(source_key).collect(),
            codes: c.codes.iter().filter_map(code_id).collect(),
            guid: Some(c.guid),
        });
    }
    report.cases = cases.len();

    let mut phases = Vec::new();
    let mut phase_guids = BTreeMap::new();
    let mut sets = Vec::new();
    for s in &raw.sets {
        let (human, data) = split_data(&s.description);
        let data = data.and_then(|d| d.ok()).unwrap_or_default();
        if let Some(ph) = data.get("phase").and_then(|p| p.as_table()) {
            let field = |k: &str| ph.get(k).and_then(|v| v.as_str()).unwrap_or_default();
            match (Date::parse(field("start")), Date::parse(field("end"))) {
                (Ok(a), Ok(b)) if !field("id").is_empty() => {
                    phases.push(Phase::new(field("id"), field("label"), a, b));
                    phase_guids.insert(field("id").to_owned(), s.guid);
                    continue;
                }
                _ => cx.tol.note("phase set", None, || {
                    format!(
                        "the phase data of set `{}` is incomplete; read as a set",
                        s.name
                    )
                }),
            }
        }
        let key = data
            .get("key")
            .and_then(|k| k.as_str())
            .map(str::to_owned)
            .unwrap_or_else(|| s.guid.to_string());
        sets.push(Set {
            key,
            name: s.name.clone(),
            description: human,
            codes: s.codes.iter().filter_map(code_id).collect(),
            sources: s.sources.iter().filter_map(source_key).collect(),
            notes: s.notes.iter().filter_map(note_key).collect(),
            guid: Some(s.guid),
        });
    }
    if let Err(e) = Timeline::new(phases.clone()) {
        cx.tol.note("timeline", None, || {
            format!("the phases in the file do not make a valid timeline ({e}); left out")
        });
        phases.clear();
        phase_guids.clear();
    }
    report.phases = phases.len();
    report.sets = sets.len();

    let notes: Vec<Note> = notes
        .into_iter()
        .enumerate()
        .filter(|(i, _)| by_other[*i] || !by_coding[*i])
        .map(|(_, n)| n)
        .collect();
    report.memos = notes.len()
        + sources
            .iter()
            .flat_map(|s| &s.selections)
            .flat_map(|s| &s.codings)
            .filter(|c| c.memo.is_some())
            .count();

    let extra: Vec<&String> = cx
        .archive
        .entries
        .iter()
        .filter(|e| !cx.archive.used.contains(*e))
        .collect();
    if !extra.is_empty() {
        let list: Vec<String> = extra.iter().take(5).map(|e| format!("`{e}`")).collect();
        let more = if extra.len() > 5 { ", …" } else { "" };
        let n = extra.len();
        cx.tol.note("extra files", None, || {
            format!(
                "{n} files in the archive that nothing refers to ignored: {}{more}",
                list.join(", ")
            )
        });
    }

    let project = Project {
        name: raw.name.clone(),
        key: String::new(),
        origin: raw.origin.clone(),
        creating_user: user(raw.creating_user),
        created: raw.created.clone(),
        modifying_user: user(raw.modifying_user),
        modified: raw.modified.clone(),
        description,
        users,
        codebook: CodeTree {
            name: codebook_text("codebook"),
            description: codebook_text("codebook_description"),
            codes,
            sets: Vec::new(),
        },
        phases,
        phase_guids,
        variables,
        cases,
        sources,
        notes,
        sets,
    };
    if ambit_file {
        // Ambit writes `sources/` on purpose: ATLAS.ti refuses `Sources/`.
        cx.tol.forget("lower sources");
    }
    report.tolerated = cx.tol.into_vec();
    Ok((project, report))
}

/// Builds a `.qdc`'s codes and sets.
pub(crate) fn codebook(
    raw: RawProject,
    name: &str,
    mut tol: Tolerance,
) -> Result<(CodeTree, ImportReport)> {
    check_guids(&raw, name, name)?;
    let (codes, ids) = codes(&raw.codes, &mut tol);
    let sets: Vec<Set> = raw
        .sets
        .iter()
        .map(|s| {
            let (human, data) = split_data(&s.description);
            let key = data
                .and_then(|d| d.ok())
                .and_then(|d| d.get("key").and_then(|k| k.as_str()).map(str::to_owned))
                .unwrap_or_else(|| s.guid.to_string());
            Set {
                key,
                name: s.name.clone(),
                description: human,
                codes: s.codes.iter().filter_map(|g| ids.get(g).cloned()).collect(),
                sources: Vec::new(),
                notes: Vec::new(),
                guid: Some(s.guid),
            }
        })
        .collect();
    let report = ImportReport {
        origin: raw.origin.clone(),
        codes: codes.len(),
        sets: sets.len(),
        tolerated: tol.into_vec(),
        ..ImportReport::default()
    };
    Ok((
        CodeTree {
            name: String::new(),
            description: String::new(),
            codes,
            sets,
        },
        report,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_lines_are_stripped_exactly() {
        let line = "Auto-coded kb by Ambit rule kb.1 (coder a)";
        for (given, expected) in [
            (line.to_owned(), ""),
            (format!("{line}\n{line}"), ""),
            (format!("Own\r\ntext\n{line}"), "Own\r\ntext"),
            (format!("Own\n\n{line}"), "Own\n"),
            ("No rule lines\n".to_owned(), "No rule lines\n"),
        ] {
            assert_eq!(strip_rule_lines(given.clone()), expected, "{given:?}");
        }
    }

    #[test]
    fn decoding() {
        assert_eq!(
            decode(b"\xEF\xBB\xBFhi\r\n"),
            ("hi\r\n".to_owned(), true, None)
        );
        assert_eq!(decode(b"hi"), ("hi".to_owned(), false, None));
        let le = [0xFF, 0xFE, b'h', 0, 0x3D, 0xD8, 0x42, 0xDE];
        assert_eq!(
            decode(&le),
            ("h🙂".to_owned(), true, Some("UTF-16 (little-endian)"))
        );
        assert_eq!(
            decode(b"caf\xE9").2,
            Some("not valid UTF-8; bad bytes read as U+FFFD")
        );
    }

    #[test]
    fn locating() {
        let entries: Vec<String> = ["project.qde", "Sources/A.txt", "sources/b.txt"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mut tol = Tolerance::default();
        assert_eq!(
            locate("internal://A.txt", &entries, &mut tol, 1),
            Ok("Sources/A.txt".into())
        );
        assert_eq!(
            locate("internal://b.txt", &entries, &mut tol, 1),
            Ok("sources/b.txt".into())
        );
        assert_eq!(
            locate("internal://a.TXT", &entries, &mut tol, 1),
            Ok("Sources/A.txt".into())
        );
        assert_eq!(
            locate("A.txt", &entries, &mut tol, 1),
            Ok("Sources/A.txt".into())
        );
        assert_eq!(
            locate("C:\\Users\\x\\A.txt", &entries, &mut tol, 1),
            Ok("Sources/A.txt".into())
        );
        assert!(locate("internal://C.txt", &entries, &mut tol, 1).is_err());
        assert_eq!(tol.into_vec().len(), 3);
    }
}
