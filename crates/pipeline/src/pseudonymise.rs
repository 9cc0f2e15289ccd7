//! Pseudonymised exports: the names of a key replaced in everything a command writes, with
//! every exported position moved so that it still points at the exported text.
//!
//! The store is never changed: an [`Exporter`] takes the rows a workflow returned
//! (documents, coded segments, query and search hits, the tables input) and gives back the
//! same rows with names replaced. Each document text is pseudonymised once per export, with
//! its [`OffsetMap`], and every offset of that document (codings, passages, highlights) is
//! moved with that one map. So an exported coding's text is the exported document text at
//! the coding's exported positions, and a name is replaced the same way in every output of
//! a run.
//!
//! What is replaced: document texts, titles, attribute values, speaker labels, survey
//! questions, memos, the quotes of corrected codings, coder names (where a listing shows
//! them), phase labels and code names (in tables and REFI-QDA projects). What is kept:
//! identifiers (`D7`, `D7:12`, code ids, phase ids, attribute names), which scripts join
//! on, and every count: a table's numbers describe the study, not the words of the
//! pseudonyms. What cannot be pseudonymised is left out: original files (docx, pdf), the
//! paths documents were imported from (`paivi-makela.txt` spells a name no key line
//! matches) and auto-coding rules (in REFI-QDA projects). A range that starts or ends
//! inside a name covers the whole pseudonym, by the rule of [`OffsetMap`].
//!
//! [`suggest`] starts a key: candidate names of the project with pseudonyms filled in.
//!
//! ```
//! use ambit_pipeline::pseudonymise::{Key, Options, Pseudonymiser};
//!
//! let key = Key::parse("name,pseudonym\nPäivi Mäkelä,P03\n")?;
//! let names = Pseudonymiser::new(&key, Options::default())?;
//! assert_eq!(names.pseudonymise_str("Päivi Mäkelä's plan"), "P03's plan");
//! # Ok::<(), ambit_team::Error>(())
//! ```

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::LazyLock;

use ambit_core::text::CharIndex;
use ambit_core::DocId;
use ambit_index::{Filter, GroupBy, Query, Sort};
use ambit_qdpx::{
    Case, Code as QdpxCode, CodeTree, Note, NoteTarget, Project as QdpxProject,
    Selection as QdpxSelection, Source,
};
use ambit_store::Project;
use ambit_tables::{CodeInfo, DocInfo, PhaseInfo, TableInput};
use regex::Regex;
use serde::Serialize;

pub use ambit_team::pseudonym::{Candidate, Key, OffsetMap, Options, Pseudonymiser};

use crate::coding::{QueryHit, Segment};
use crate::error::{Error, Result};
use crate::kwic::{kwic_lines, Concordance, KwicOrder};
use crate::overview::{DocumentView, PassageView};
use crate::search::{GroupRow, Hit, Search};

/// Reads and checks a key file (`pseudonyms.csv`: `name,pseudonym`) and compiles it.
/// A refused line is reported with the file and the line.
pub fn load_key(path: &Path, options: Options) -> Result<Pseudonymiser> {
    let text = std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let text = String::from_utf8(text).map_err(|_| Error::Pseudonyms {
        path: path.to_path_buf(),
        source: ambit_team::Error::KeyCsv(
            "it is not UTF-8 text (save it as CSV UTF-8)".to_string(),
        ),
    })?;
    let key_error = |source| Error::Pseudonyms {
        path: path.to_path_buf(),
        source,
    };
    let key = Key::parse(&text).map_err(key_error)?;
    Pseudonymiser::new(&key, options).map_err(key_error)
}

/// A document text with its names replaced, and how to move its offsets.
struct Doc {
    text: String,
    index: CharIndex,
    map: OffsetMap,
}

impl Doc {
    fn new(names: &Pseudonymiser, text: &str) -> Doc {
        let out = names.pseudonymise(text);
        Doc {
            index: CharIndex::new(&out.text),
            text: out.text,
            map: out.map,
        }
    }

    /// The exported range of the original range `start..end`, and the exported text there.
    fn range(&self, start: usize, end: usize) -> (usize, usize, String) {
        let (s, e) = self.map.map_range(start, end);
        let text = self.index.slice(&self.text, s, e).unwrap_or("").to_string();
        (s, e, text)
    }
}

/// Replaces the names of a key in the rows of one export. Build one per command run, so
/// every document text is pseudonymised once and every output of the run agrees.
pub struct Exporter<'p> {
    project: &'p Project,
    names: Pseudonymiser,
    docs: HashMap<DocId, Doc>,
}

impl<'p> Exporter<'p> {
    /// An exporter of `project`'s rows with the names of `names`.
    pub fn new(project: &'p Project, names: Pseudonymiser) -> Exporter<'p> {
        Exporter {
            project,
            names,
            docs: HashMap::new(),
        }
    }

    /// A value whose offsets nobody keeps (a title, label, memo), names replaced.
    pub fn text(&self, s: &str) -> String {
        self.names.pseudonymise_str(s).into_owned()
    }

    fn opt(&self, s: Option<String>) -> Option<String> {
        s.map(|s| self.text(&s))
    }

    fn attributes(&self, attrs: BTreeMap<String, String>) -> BTreeMap<String, String> {
        attrs
            .into_iter()
            .map(|(k, v)| {
                let v = self.text(&v);
                (k, v)
            })
            .collect()
    }

    /// The pseudonymised text of a document, read from the store once.
    fn doc(&mut self, id: DocId) -> Result<&Doc> {
        if !self.docs.contains_key(&id) {
            let text = self.project.store.text(id)?;
            self.docs.insert(id, Doc::new(&self.names, &text));
        }
        Ok(&self.docs[&id])
    }

    // Every row below is taken apart field by field, without `..`: a field added to a row
    // type does not compile here until someone decides whether it can hold a name.

    /// A document as `ambit show` writes it: its text, title, attribute values, speakers,
    /// survey questions and passage texts pseudonymised, passage positions moved into the
    /// new text.
    pub fn document_view(&mut self, view: DocumentView) -> DocumentView {
        let DocumentView {
            id,
            title,
            kind,
            date,
            phase,
            source,
            passages,
            words,
            attributes,
            text,
        } = view;
        let doc = Doc::new(&self.names, &text);
        let passages = passages
            .into_iter()
            .map(|p| {
                let PassageView {
                    id,
                    ordinal,
                    speaker,
                    question,
                    start,
                    end,
                    start_ms,
                    end_ms,
                    page,
                    text: _,
                } = p;
                let (start, end, text) = doc.range(start, end);
                PassageView {
                    id,
                    ordinal,
                    speaker: self.opt(speaker),
                    question: self.opt(question),
                    start,
                    end,
                    start_ms,
                    end_ms,
                    page,
                    text,
                }
            })
            .collect();
        let out = DocumentView {
            id,
            title: self.text(&title),
            kind,
            date,
            phase,
            source: self.text(&source),
            passages,
            words,
            attributes: self.attributes(attributes),
            text: doc.text.clone(),
        };
        self.docs.insert(id, doc);
        out
    }

    /// Coded segments as `ambit codings` writes them: positions moved, the text cut from
    /// the pseudonymised document at those positions; speaker, survey question, coder,
    /// memo and the quote of a changed or detached coding replaced.
    pub fn segments(&mut self, segments: Vec<Segment>) -> Result<Vec<Segment>> {
        segments
            .into_iter()
            .map(|s| {
                let Segment {
                    coding,
                    code,
                    doc,
                    passage,
                    phase,
                    date,
                    speaker,
                    question,
                    coder,
                    origin,
                    start,
                    end,
                    text: _,
                    memo,
                    status,
                    quote,
                } = s;
                let (start, end, text) = self.doc(doc)?.range(start, end);
                Ok(Segment {
                    coding,
                    code,
                    doc,
                    passage,
                    phase,
                    date,
                    speaker: self.opt(speaker),
                    question: self.opt(question),
                    coder: self.text(&coder),
                    origin,
                    start,
                    end,
                    text,
                    memo: self.opt(memo),
                    status,
                    quote: self.opt(quote),
                })
            })
            .collect()
    }

    /// Passages selected by a code query: positions moved, texts and speakers replaced.
    pub fn query_hits(&mut self, hits: Vec<QueryHit>) -> Result<Vec<QueryHit>> {
        hits.into_iter()
            .map(|h| {
                let QueryHit {
                    passage,
                    doc,
                    phase,
                    date,
                    speaker,
                    codes,
                    start,
                    end,
                    text: _,
                } = h;
                let (start, end, text) = self.doc(doc)?.range(start, end);
                Ok(QueryHit {
                    passage,
                    doc,
                    phase,
                    date,
                    speaker: self.opt(speaker),
                    codes,
                    start,
                    end,
                    text,
                })
            })
            .collect()
    }

    /// Search hits: passage positions and highlights moved, texts, titles and speakers
    /// replaced. A highlighted name becomes its highlighted pseudonym.
    pub fn hits(&mut self, hits: Vec<Hit>) -> Result<Vec<Hit>> {
        hits.into_iter()
            .map(|h| {
                let Hit {
                    passage,
                    doc,
                    title,
                    phase,
                    date,
                    kind,
                    speaker,
                    start: old_start,
                    end,
                    text: _,
                    score,
                    highlights,
                } = h;
                let d = self.doc(doc)?;
                let (start, end, text) = d.range(old_start, end);
                let len = text.chars().count();
                // Highlights count within the passage; they move with the document's map.
                let highlights = highlights
                    .iter()
                    .map(|&[a, b]| {
                        let (a, b) = d.map.map_range(old_start + a, old_start + b);
                        let a = a.saturating_sub(start).min(len);
                        [a, b.saturating_sub(start).clamp(a, len)]
                    })
                    .collect();
                Ok(Hit {
                    passage,
                    doc,
                    title: self.text(&title),
                    phase,
                    date,
                    kind,
                    speaker: self.opt(speaker),
                    start,
                    end,
                    text,
                    score,
                    highlights,
                })
            })
            .collect()
    }

    /// A concordance of the pseudonymised passages: the lines are cut, and sorted, from
    /// the exported texts, so no context shows a name and the order gives none away.
    pub fn concordance(
        &mut self,
        search: &mut Search<'_, '_>,
        query: &Query,
        filter: &Filter,
        width: usize,
        order: KwicOrder,
    ) -> Result<Concordance> {
        let hits = self.hits(search.hits(query, filter, Sort::Time, None)?)?;
        Ok(Concordance {
            lines: kwic_lines(&hits, width, order),
            passages: hits.len(),
        })
    }

    /// `--by` rows of a search with their groups pseudonymised. Groups whose labels become
    /// one pseudonym (two spellings of one person) are one row: passages add up (a passage
    /// has one speaker, a document one value), and documents are counted again from the
    /// hits for speakers, since one document may hold both spellings.
    pub fn group_rows(
        &mut self,
        search: &mut Search<'_, '_>,
        query: &Query,
        filter: &Filter,
        by: &GroupBy,
        rows: Vec<GroupRow>,
    ) -> Result<Vec<LabelledRow>> {
        let relabel = matches!(by, GroupBy::Speaker | GroupBy::Attr(_));
        let mut out: Vec<LabelledRow> = Vec::with_capacity(rows.len());
        // Each output row with the original labels merged into it.
        let mut merged: Vec<Vec<String>> = Vec::with_capacity(rows.len());
        for r in rows {
            let original = r.label();
            let label = if relabel && r.group.is_some() {
                self.text(&original)
            } else {
                original.clone()
            };
            match out.iter().position(|o| o.label == label) {
                Some(i) => {
                    out[i].passages += r.passages;
                    out[i].docs += r.docs;
                    merged[i].push(original);
                }
                None => {
                    out.push(LabelledRow {
                        label,
                        passages: r.passages,
                        docs: r.docs,
                    });
                    merged.push(vec![original]);
                }
            }
        }
        if relabel {
            // Listed by the pseudonyms, as a table of the exported values would be: the
            // order of the real names would say something about them.
            let mut rows: Vec<(LabelledRow, Vec<String>)> = out.into_iter().zip(merged).collect();
            rows.sort_by(|a, b| {
                let no_value = |r: &LabelledRow| r.label == ambit_core::NO_VALUE;
                (no_value(&a.0), &a.0.label).cmp(&(no_value(&b.0), &b.0.label))
            });
            (out, merged) = rows.into_iter().unzip();
        }
        if matches!(by, GroupBy::Speaker) && merged.iter().any(|m| m.len() > 1) {
            let hits = search.hits(query, filter, Sort::Time, None)?;
            for (row, labels) in out.iter_mut().zip(&merged) {
                if labels.len() > 1 {
                    let docs: std::collections::BTreeSet<DocId> = hits
                        .iter()
                        .filter(|h| h.speaker.as_ref().is_some_and(|s| labels.contains(s)))
                        .map(|h| h.doc)
                        .collect();
                    row.docs = docs.len() as u64;
                }
            }
        }
        Ok(out)
    }

    /// The tables input with titles, attribute values, speakers, phase labels and code
    /// names pseudonymised. Speakers that become one pseudonym are one speaker, so a
    /// table by speaker has one column per person. Counts, ids and coders (which
    /// `--coder` selects by) are kept.
    pub fn table_input(&self, input: &mut TableInput) {
        let TableInput {
            phases,
            codes,
            documents,
            passages,
            speakers,
            coders: _,
            codings: _,
            overlaps: _,
        } = input;
        for PhaseInfo { id: _, label } in phases {
            *label = self.text(label);
        }
        for CodeInfo {
            id: _,
            name,
            parent: _,
            color: _,
        } in codes
        {
            *name = self.text(name);
        }
        for DocInfo {
            id: _,
            title,
            kind: _,
            date: _,
            phase: _,
            attributes,
        } in documents
        {
            *title = self.text(title);
            *attributes = self.attributes(std::mem::take(attributes));
        }
        let mut merged: Vec<String> = Vec::new();
        let mut index: HashMap<String, u32> = HashMap::new();
        let new_index: Vec<u32> = speakers
            .iter()
            .map(|s| {
                let s = self.text(s);
                *index.entry(s.clone()).or_insert_with(|| {
                    merged.push(s);
                    (merged.len() - 1) as u32
                })
            })
            .collect();
        for p in passages {
            p.speaker = p.speaker.and_then(|s| new_index.get(s as usize).copied());
        }
        *speakers = merged;
    }

    /// A REFI-QDA project as `ambit qdpx export` is about to write it: each source's text
    /// pseudonymised with its selections and the passage memos on it moved into the new
    /// text (selections that become one range are one selection), and every title, name,
    /// description, attribute value, memo, user and case replaced. What cannot be
    /// pseudonymised is left out: the original files (docx, pdf: their bytes would carry
    /// the names), the paths documents were imported from, and the codes' auto-coding
    /// rules.
    pub fn qdpx(&self, model: &mut QdpxProject) {
        let QdpxProject {
            name,
            key: _,
            origin: _,
            creating_user,
            created: _,
            modifying_user,
            modified: _,
            description,
            users,
            codebook,
            phases,
            phase_guids: _,
            variables,
            cases,
            sources,
            notes,
            sets,
        } = model;
        *name = self.text(name);
        *description = self.text(description);
        self.opt_in_place(creating_user);
        self.opt_in_place(modifying_user);
        let mut seen = HashSet::new();
        users.retain_mut(|u| {
            u.name = self.text(&u.name);
            seen.insert(u.name.clone())
        });
        let CodeTree {
            name,
            description,
            codes,
            sets: code_sets,
        } = codebook;
        *name = self.text(name);
        *description = self.text(description);
        for c in codes {
            // Ids and colours are the codebook's machinery, not its words. Auto-coding
            // rules are machinery that holds words: speakers, keywords, regexes (which
            // spell names in ways no key line matches, `K[aä]ri`); they are left out.
            let QdpxCode {
                id: _,
                name,
                parent: _,
                description,
                include,
                exclude,
                examples,
                color: _,
                codable: _,
                rules,
                guid: _,
            } = c;
            rules.clear();
            for t in [name, description, include, exclude] {
                *t = self.text(t);
            }
            for e in examples {
                *e = self.text(e);
            }
        }
        for set in code_sets.iter_mut().chain(sets.iter_mut()) {
            set.name = self.text(&set.name);
            set.description = self.text(&set.description);
        }
        for p in phases {
            p.label = self.text(&p.label);
        }
        for v in variables {
            v.description = self.text(&v.description);
        }
        for c in cases {
            let Case {
                key,
                name,
                description,
                values,
                sources: _,
                codes: _,
                guid: _,
            } = c;
            for t in [key, name, description] {
                *t = self.text(t);
            }
            *values = self.attributes(std::mem::take(values));
        }
        let mut maps: HashMap<String, OffsetMap> = HashMap::new();
        for source in sources {
            let map = self.qdpx_source(source);
            maps.insert(source.key.clone(), map);
        }
        for n in notes {
            let Note {
                key: _,
                name,
                text,
                author,
                created: _,
                targets,
                guid: _,
            } = n;
            *name = self.text(name);
            *text = self.text(text);
            self.opt_in_place(author);
            for t in targets {
                if let NoteTarget::Selection { source, start, end } = t {
                    if let Some(map) = maps.get(source.as_str()) {
                        (*start, *end) = map.map_range(*start, *end);
                    }
                }
            }
        }
    }

    /// One source of a REFI-QDA project; returns the map its positions moved by.
    fn qdpx_source(&self, source: &mut Source) -> OffsetMap {
        let Source {
            key: _,
            name,
            text,
            description,
            kind: _,
            date: _,
            phase: _,
            path,
            attributes,
            creating_user,
            created: _,
            modifying_user,
            modified: _,
            original,
            selections,
            passages,
            passages_kept: _,
            guid: _,
        } = source;
        let out = self.names.pseudonymise(text);
        *text = out.text;
        let map = out.map;
        *name = self.text(name);
        *description = self.text(description);
        *path = None;
        *original = None;
        *attributes = self.attributes(std::mem::take(attributes));
        self.opt_in_place(creating_user);
        self.opt_in_place(modifying_user);
        let mut moved: Vec<QdpxSelection> = Vec::with_capacity(selections.len());
        for mut sel in std::mem::take(selections) {
            (sel.start, sel.end) = map.map_range(sel.start, sel.end);
            sel.name = self.opt(sel.name);
            sel.description = self.text(&sel.description);
            self.opt_in_place(&mut sel.creating_user);
            for c in &mut sel.codings {
                c.coder = self.text(&c.coder);
                self.opt_in_place(&mut c.memo);
            }
            // Two ranges that cut one name the same way are one range now; the writer
            // keys a selection by its range.
            match moved
                .iter_mut()
                .find(|m| (m.start, m.end) == (sel.start, sel.end))
            {
                Some(m) => m.codings.append(&mut sel.codings),
                None => moved.push(sel),
            }
        }
        *selections = moved;
        for p in passages {
            (p.start, p.end) = map.map_range(p.start, p.end);
            self.opt_in_place(&mut p.speaker);
            self.opt_in_place(&mut p.question);
        }
        map
    }

    fn opt_in_place(&self, s: &mut Option<String>) {
        if let Some(v) = s {
            *v = self.text(v);
        }
    }
}

/// A `--by` row of a pseudonymised search: the group as printed, and its counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LabelledRow {
    /// The group (pseudonymised speaker or attribute value; phase, kind or document id).
    pub label: String,
    /// Matching passages.
    pub passages: u64,
    /// Documents with at least one matching passage.
    pub docs: u64,
}

/// A suggested key line: a candidate name with a pseudonym to start from.
///
/// **API boundary**: a row of `ambit pseudonyms suggest --format json|csv`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyLine {
    /// The candidate name (or e-mail address).
    pub name: String,
    /// `P01`, `P02`, …; aliases of one person share a pseudonym (see [`key_lines`]).
    pub pseudonym: String,
    /// In how many documents it occurs.
    pub documents: usize,
    /// How often it occurs.
    pub occurrences: usize,
    /// Whether it is a speaker label.
    pub speaker: bool,
}

/// An e-mail address found in a project, with the display name written before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    /// The address, as written.
    pub address: String,
    /// The display name of `Name <address>`, if the address was written so.
    pub display: Option<String>,
    /// In how many documents it occurs.
    pub documents: usize,
    /// How often it occurs.
    pub occurrences: usize,
}

/// A suggested key for a project: speaker labels, names in the texts, titles and
/// attribute values of several documents (by the heuristic of
/// [`ambit_team::pseudonym::suggest_names`]), then the e-mail addresses, which spell names
/// in ways no name matches (`paivi.makela@…`). Every line is a valid key line.
pub fn suggest(project: &Project) -> Result<Vec<KeyLine>> {
    let texts = project.store.texts()?;
    let docs = project.store.documents()?;
    // Titles and attribute values count as text of their document: names often sit only
    // there (`participants=Päivi Mäkelä;Kari Järvinen`). One value a line, so that a line
    // start opens a sentence and list separators end runs of words.
    let metadata: Vec<(DocId, String)> = docs
        .iter()
        .map(|r| {
            let mut lines = vec![r.doc.title.clone()];
            for v in r.doc.attributes.values() {
                lines.extend(v.split(';').map(|s| s.trim().to_string()));
            }
            (r.doc.id, lines.join("\n"))
        })
        .collect();
    let passages = project.store.all_passages()?;
    let all: Vec<(DocId, &str)> = texts
        .iter()
        .map(|(id, t)| (*id, t.as_str()))
        .chain(metadata.iter().map(|(id, t)| (*id, t.as_str())))
        .collect();
    let speakers: Vec<(DocId, &str)> = passages
        .iter()
        .filter_map(|p| p.span.speaker.as_deref().map(|s| (p.id.doc, s)))
        .collect();
    let found = addresses(&all);
    // Names are looked for without the addresses: their lower-case parts
    // (`anna.virtanen@…`) would make the names they spell look like common words, and a
    // common word opening a sentence is not taken for a name.
    let masked: Vec<(DocId, std::borrow::Cow<'_, str>)> = all
        .iter()
        .map(|&(id, t)| (id, ADDRESS.replace_all(t, " ")))
        .collect();
    let masked: Vec<(DocId, &str)> = masked.iter().map(|(id, t)| (*id, t.as_ref())).collect();
    let candidates = ambit_team::pseudonym::suggest_names(&masked, &speakers);
    Ok(key_lines(&candidates, &found))
}

/// An e-mail address.
const ADDRESS_PATTERN: &str = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+";

static ADDRESS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(ADDRESS_PATTERN).expect("the address pattern is valid"));

/// `Name <address>` or a bare address; a display name is letters, spaces, dots,
/// apostrophes and hyphens on the same line.
static NAMED_ADDRESS: LazyLock<Regex> = LazyLock::new(|| {
    let pattern = format!(r"(?:(\p{{L}}[\p{{L}}\p{{M}}.'’ -]*?)[ \t]*<)?({ADDRESS_PATTERN})");
    Regex::new(&pattern).expect("the named address pattern is valid")
});

/// The e-mail addresses of `texts`, in order of first occurrence.
pub fn addresses(texts: &[(DocId, &str)]) -> Vec<Address> {
    let pattern = &*NAMED_ADDRESS;
    let mut out: Vec<(Address, std::collections::BTreeSet<DocId>)> = Vec::new();
    for &(doc, text) in texts {
        for m in pattern.captures_iter(text) {
            let Some(address) = m.get(2).map(|a| a.as_str()) else {
                continue;
            };
            let display = m.get(1).map(|d| d.as_str().trim().to_string());
            let folded = address.to_lowercase();
            match out
                .iter_mut()
                .find(|(a, _)| a.address.to_lowercase() == folded)
            {
                Some((a, docs)) => {
                    a.occurrences += 1;
                    docs.insert(doc);
                    if a.display.is_none() {
                        a.display = display;
                    }
                }
                None => out.push((
                    Address {
                        address: address.to_string(),
                        display,
                        documents: 0,
                        occurrences: 1,
                    },
                    std::collections::BTreeSet::from([doc]),
                )),
            }
        }
    }
    out.into_iter()
        .map(|(mut a, docs)| {
            a.documents = docs.len();
            a
        })
        .collect()
}

/// The words of a name for finding aliases: lower case, without punctuation (`Dr.` is
/// `dr`, `(quoted)` is `quoted`).
fn name_words(name: &str) -> Vec<String> {
    name.split(|c: char| c.is_whitespace() || c == '.')
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// Whether `needle` is a run of consecutive words of `hay`.
fn holds(hay: &[String], needle: &[String]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

/// Candidates and addresses with pseudonyms, ready to be reviewed and saved as a key.
///
/// Pseudonyms are `P01`, `P02`, … in candidate order. Aliases of one person share one: a
/// candidate whose words are words of longer candidates that are all one person
/// (`Päivi` and `Mäkelä` of `Päivi Mäkelä`, `Anna Virtanen` of `Dr. Anna Virtanen`), and
/// an address whose display name holds a candidate (`Päivi Mäkelä <paivi.makela@…>`). A
/// first name of two people is a line of its own. An address that is also a candidate is
/// listed once.
pub fn key_lines(candidates: &[Candidate], addresses: &[Address]) -> Vec<KeyLine> {
    let words: Vec<Vec<String>> = candidates.iter().map(|c| name_words(&c.name)).collect();
    // The line whose pseudonym each line takes: longer names first, so that the lines a
    // shorter name is part of already know theirs.
    let mut root: Vec<usize> = (0..candidates.len()).collect();
    let mut by_length: Vec<usize> = (0..candidates.len()).collect();
    by_length.sort_by_key(|&i| std::cmp::Reverse(words[i].len()));
    for &i in &by_length {
        let mut people = (0..candidates.len())
            .filter(|&j| words[j].len() > words[i].len() && holds(&words[j], &words[i]))
            .map(|j| root[j]);
        if let Some(first) = people.next() {
            if people.all(|r| r == first) {
                root[i] = first;
            }
        }
    }
    let mut lines: Vec<(String, usize, usize, bool)> = candidates
        .iter()
        .map(|c| (c.name.clone(), c.documents, c.occurrences, c.speaker))
        .collect();
    for a in addresses {
        let folded = a.address.to_lowercase();
        if lines.iter().any(|l| l.0.to_lowercase() == folded) {
            continue;
        }
        // The longest candidate that is a run of words of the display name.
        let display = name_words(a.display.as_deref().unwrap_or(""));
        let person = (0..candidates.len())
            .filter(|&j| holds(&display, &words[j]))
            .max_by_key(|&j| words[j].len());
        root.push(person.map_or(lines.len(), |j| root[j]));
        lines.push((a.address.clone(), a.documents, a.occurrences, false));
    }
    let width = lines.len().to_string().len().max(2);
    let mut assigned: HashMap<usize, String> = HashMap::new();
    let mut out = Vec::with_capacity(lines.len());
    for (i, (name, documents, occurrences, speaker)) in lines.into_iter().enumerate() {
        let next = assigned.len() + 1;
        let pseudonym = assigned
            .entry(root[i])
            .or_insert_with(|| format!("P{next:0width$}"))
            .clone();
        out.push(KeyLine {
            name,
            pseudonym,
            documents,
            occurrences,
            speaker,
        });
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn candidate(name: &str) -> Candidate {
        Candidate {
            name: name.to_string(),
            documents: 2,
            occurrences: 3,
            speaker: false,
        }
    }

    fn check_key_lines(names: &[&str], addresses: &[Address], expected: &[(&str, &str)]) {
        let candidates: Vec<Candidate> = names.iter().map(|n| candidate(n)).collect();
        let lines = key_lines(&candidates, addresses);
        let got: Vec<(&str, &str)> = lines
            .iter()
            .map(|l| (l.name.as_str(), l.pseudonym.as_str()))
            .collect();
        assert_eq!(got, expected);
        // Whatever was suggested makes a key the team crate accepts.
        let mut csv = String::from("name,pseudonym\n");
        for l in &lines {
            csv.push_str(&format!("\"{}\",{}\n", l.name, l.pseudonym));
        }
        Key::parse(&csv).unwrap();
    }

    fn address(address: &str, display: Option<&str>) -> Address {
        Address {
            address: address.to_string(),
            display: display.map(str::to_string),
            documents: 1,
            occurrences: 1,
        }
    }

    #[test]
    fn suggested_lines_share_pseudonyms_of_one_person() {
        check_key_lines(
            &["Päivi", "Kari Järvinen", "Päivi Mäkelä", "Kari", "Järvinen"],
            &[
                address("paivi.makela@kaleva.example", Some("Päivi Mäkelä")),
                address("kari@saimaa.example", Some("Dr. Kari Järvinen")),
                address("info@kaleva.example", None),
                address("PAIVI.MAKELA@kaleva.example", None),
            ],
            &[
                ("Päivi", "P01"),
                ("Kari Järvinen", "P02"),
                ("Päivi Mäkelä", "P01"),
                ("Kari", "P02"),
                ("Järvinen", "P02"),
                ("paivi.makela@kaleva.example", "P01"),
                ("kari@saimaa.example", "P02"),
                ("info@kaleva.example", "P03"),
            ],
        );
        // A first name of two people is a person of its own until the researcher decides;
        // an address with only that first name as display name goes with it.
        check_key_lines(
            &["Anna Virtanen", "Anna Korhonen", "Anna"],
            &[address("anna@uni.example", Some("Anna"))],
            &[
                ("Anna Virtanen", "P01"),
                ("Anna Korhonen", "P02"),
                ("Anna", "P03"),
                ("anna@uni.example", "P03"),
            ],
        );
        // Shorter spellings of one person, however many longer spellings hold them.
        check_key_lines(
            &[
                "Dr. Anna Virtanen",
                "Olli Rönkkö",
                "Olli Rönkkö (quoted)",
                "Anna Virtanen",
                "Olli",
                "Kaleva Systems Oy",
                "Kaleva Systems",
                "Kaleva ServiceDesk",
                "Kaleva",
            ],
            &[address(
                "anna.virtanen@uni.example",
                Some("Dr. Anna Virtanen"),
            )],
            &[
                ("Dr. Anna Virtanen", "P01"),
                ("Olli Rönkkö", "P02"),
                ("Olli Rönkkö (quoted)", "P02"),
                ("Anna Virtanen", "P01"),
                ("Olli", "P02"),
                ("Kaleva Systems Oy", "P03"),
                ("Kaleva Systems", "P03"),
                ("Kaleva ServiceDesk", "P04"),
                ("Kaleva", "P05"),
                ("anna.virtanen@uni.example", "P01"),
            ],
        );
        check_key_lines(&[], &[], &[]);
    }

    #[test]
    fn pseudonymises_a_qdpx_model() {
        use ambit_core::Origin;
        use ambit_qdpx::{Coding, Original, User};

        let key = Key::parse("name,pseudonym\nPäivi Mäkelä,P1\nKari Järvinen,P2\n").unwrap();
        let names = Pseudonymiser::new(&key, Options { first_names: true }).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let project = Project::init(dir.path(), "Study").unwrap();
        let export = Exporter::new(&project, names);
        let mut model = QdpxProject::new("Study with Päivi Mäkelä", "k");
        let mut source = Source::new("D1", "Interview: Päivi", "We met Kari Järvinen there.");
        source.path = Some("/data/paivi-makela.txt".into());
        source.original = Some(Original {
            file_name: "paivi.docx".into(),
            bytes: b"Kari".to_vec(),
        });
        source
            .attributes
            .insert("who".into(), "Kari Järvinen;Päivi".into());
        let mut coding = Coding::new("kb", "Päivi", Origin::Manual);
        coding.memo = Some("Kari said so".into());
        // "Kari Järvinen there" and "Järvinen there" (cutting the name): one range now.
        source.add_coding(7, 26, coding.clone());
        source.add_coding(12, 26, Coding::new("su", "anna", Origin::Manual));
        source.selections[0].name = Some("Kari Järvinen there".into());
        model.sources.push(source);
        model.users.push(User::new("Päivi"));
        model.users.push(User::new("Päivi Mäkelä"));
        model.notes.push(Note {
            key: "1".into(),
            name: "About Kari".into(),
            text: "Kari Järvinen's view".into(),
            author: Some("Päivi".into()),
            created: None,
            targets: vec![NoteTarget::Selection {
                source: "D1".into(),
                start: 12,
                end: 26,
            }],
            guid: None,
        });
        export.qdpx(&mut model);
        let s = &model.sources[0];
        assert_eq!(model.name, "Study with P1");
        assert_eq!(
            (s.name.as_str(), s.text.as_str()),
            ("Interview: P1", "We met P2 there.")
        );
        assert_eq!((s.path.as_deref(), s.original.is_none()), (None, true));
        assert_eq!(s.attributes["who"], "P2;P1");
        assert_eq!(s.selections.len(), 1);
        let sel = &s.selections[0];
        assert_eq!(
            (sel.start, sel.end, sel.name.as_deref()),
            (7, 15, Some("P2 there"))
        );
        let coders: Vec<&str> = sel.codings.iter().map(|c| c.coder.as_str()).collect();
        assert_eq!(coders, ["P1", "anna"]);
        assert_eq!(sel.codings[0].memo.as_deref(), Some("P2 said so"));
        let users: Vec<&str> = model.users.iter().map(|u| u.name.as_str()).collect();
        assert_eq!(users, ["P1"]);
        let n = &model.notes[0];
        assert_eq!(
            (n.name.as_str(), n.text.as_str()),
            ("About P2", "P2's view")
        );
        assert_eq!(
            n.targets,
            [NoteTarget::Selection {
                source: "D1".into(),
                start: 7,
                end: 15
            }]
        );
    }

    #[test]
    fn finds_addresses_with_display_names() {
        let texts = [
            (
                DocId(1),
                "From: Päivi Mäkelä <paivi.makela@kaleva.example>\nWrite to info@kaleva.example.",
            ),
            (
                DocId(2),
                "cc=Dr. Anna Virtanen <anna.virtanen@uni.example>; Jussi <PAIVI.MAKELA@kaleva.example>",
            ),
        ];
        let got: Vec<(String, Option<String>, usize, usize)> = addresses(&texts)
            .into_iter()
            .map(|a| (a.address, a.display, a.documents, a.occurrences))
            .collect();
        let s = |x: &str| x.to_string();
        assert_eq!(
            got,
            [
                (
                    s("paivi.makela@kaleva.example"),
                    Some(s("Päivi Mäkelä")),
                    2,
                    2
                ),
                (s("info@kaleva.example"), None, 1, 1),
                (
                    s("anna.virtanen@uni.example"),
                    Some(s("Dr. Anna Virtanen")),
                    1,
                    1
                ),
            ]
        );
    }
}
