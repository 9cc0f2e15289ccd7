//! A project as written: everything looked up first (users, codes, sources, notes, variables, cases), then streamed in the schema's order.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io::Write;

use ambit_core::{Origin, Timeline};

use super::codes::CodesOut;
use super::guids::Guids;
use super::values::{fits, infer, is_datetime, value_element};
use super::{origin, ExportReport, WriteOptions, PROJECT_NS, PROJECT_XSD, XSI};
use crate::ambit::{passages_data, with_data};
use crate::guid::Kind;
use crate::model::{
    Coding, NoteTarget, Project, Selection, Source, VarType, VAR_DATE, VAR_KIND, VAR_PHASE,
};
use crate::xml::XmlOut;
use crate::{Error, Guid, Result};

/// A case as written.
struct CaseOut {
    guid: Guid,
    name: String,
    description: String,
    values: BTreeMap<String, String>,
    members: Vec<Guid>,
}

struct VarOut {
    name: String,
    kind: VarType,
    description: String,
    guid: Guid,
}

/// A note as written: the model's notes and the memos on codings.
struct NoteOut {
    guid: Guid,
    name: String,
    text: String,
    author: Option<String>,
    created: Option<String>,
    description: String,
}

/// Everything looked up before streaming.
pub(crate) struct Plan<'a> {
    project: &'a Project,
    users: Vec<(&'a str, Guid)>,
    user_index: HashMap<&'a str, Guid>,
    codes: CodesOut<'a>,
    vars: Vec<VarOut>,
    var_index: HashMap<String, usize>,
    cases: Vec<CaseOut>,
    pub source_guids: Vec<Guid>,
    original_guids: Vec<Option<Guid>>,
    /// Note GUIDs by what they are about.
    refs: HashMap<NoteTarget, Vec<Guid>>,
    /// Per source, ranges that only a note refers to: written as uncoded selections.
    extra_selections: Vec<Vec<(usize, usize)>>,
    placed: Vec<Option<String>>,
    timeline: Timeline,
    note_guids: Vec<Guid>,
    guids: Guids<'a>,
    /// Times left out because they are not `xsd:dateTime`.
    bad_times: std::cell::Cell<usize>,
}

impl<'a> Plan<'a> {
    pub fn new(
        project: &'a Project,
        options: &WriteOptions,
        report: &mut ExportReport,
    ) -> Result<Plan<'a>> {
        let key = if project.key.is_empty() {
            project.name.as_str()
        } else {
            project.key.as_str()
        };
        let mut guids = Guids::new(key);
        let timeline = Timeline::new(project.phases.clone())
            .map_err(|e| Error::Model(format!("the study timeline: {e}")))?;

        // Users: the listed ones, then every name something refers to, in order of use.
        let mut users: Vec<(&str, Guid)> = Vec::new();
        let mut user_index: HashMap<&str, Guid> = HashMap::new();
        for u in &project.users {
            if user_index.contains_key(u.name.as_str()) {
                return Err(Error::Model(format!("two users are named `{}`", u.name)));
            }
            let g = guids.get(u.guid, Kind::User, &u.name, &format!("user `{}`", u.name))?;
            user_index.insert(&u.name, g);
            users.push((&u.name, g));
        }
        let mut named: Vec<&str> = Vec::new();
        named.extend(project.creating_user.as_deref());
        named.extend(project.modifying_user.as_deref());
        for s in &project.sources {
            named.extend(s.creating_user.as_deref());
            named.extend(s.modifying_user.as_deref());
            for sel in &s.selections {
                named.extend(sel.creating_user.as_deref());
                named.extend(sel.codings.iter().map(|c| c.coder.as_str()));
            }
        }
        named.extend(project.notes.iter().filter_map(|n| n.author.as_deref()));
        for name in named {
            if !user_index.contains_key(name) {
                let g = guids.get(None, Kind::User, name, "user")?;
                user_index.insert(name, g);
                users.push((name, g));
            }
        }

        let codes = CodesOut::new(&project.codebook, &mut guids)?;

        let mut source_index: HashMap<&str, usize> = HashMap::new();
        let mut source_guids = Vec::with_capacity(project.sources.len());
        let mut original_guids = Vec::with_capacity(project.sources.len());
        let mut chars = Vec::with_capacity(project.sources.len());
        for (i, s) in project.sources.iter().enumerate() {
            if source_index.insert(&s.key, i).is_some() {
                return Err(Error::Model(format!(
                    "two sources have the key `{}`",
                    s.key
                )));
            }
            let what = format!("source `{}`", s.key);
            let sg = guids.get(s.guid, Kind::Source, &s.key, &what)?;
            source_guids.push(sg);
            original_guids.push(match &s.original {
                Some(_) => Some(guids.child(None, sg, Kind::Original, "", &what)?),
                None => None,
            });
            let n = s.text.chars().count();
            for sel in &s.selections {
                if sel.start > sel.end || sel.end > n {
                    return Err(Error::Model(format!(
                        "source `{}` has a selection {}..{} outside its text of {n} characters",
                        s.key, sel.start, sel.end
                    )));
                }
                for c in &sel.codings {
                    if codes.guid(&c.code).is_none() {
                        return Err(Error::Model(format!(
                            "source `{}` has a coding of `{}` at {}..{}, which is not a code \
                             of the codebook",
                            s.key, c.code, sel.start, sel.end
                        )));
                    }
                }
            }
            chars.push(n);
        }

        // Notes and what refers to them.
        let mut refs: HashMap<NoteTarget, Vec<Guid>> = HashMap::new();
        let mut extra_selections = vec![Vec::new(); project.sources.len()];
        let mut ranges: Vec<Option<HashSet<(usize, usize)>>> = vec![None; project.sources.len()];
        let mut note_guids = Vec::with_capacity(project.notes.len());
        for n in &project.notes {
            let g = guids.get(n.guid, Kind::Note, &n.key, &format!("note `{}`", n.key))?;
            note_guids.push(g);
            for t in &n.targets {
                match t {
                    NoteTarget::Project => {}
                    NoteTarget::Source(k) => {
                        if !source_index.contains_key(k.as_str()) {
                            return Err(Error::Model(format!(
                                "note `{}` is about source `{k}`, which is not in the project",
                                n.key
                            )));
                        }
                    }
                    NoteTarget::Code(id) => {
                        if codes.guid(id).is_none() {
                            return Err(Error::Model(format!(
                                "note `{}` is about code `{id}`, which is not in the codebook",
                                n.key
                            )));
                        }
                    }
                    NoteTarget::Selection { source, start, end } => {
                        let Some(&si) = source_index.get(source.as_str()) else {
                            return Err(Error::Model(format!(
                                "note `{}` is about source `{source}`, which is not in the project",
                                n.key
                            )));
                        };
                        if start > end || *end > chars[si] {
                            return Err(Error::Model(format!(
                                "note `{}` is about {start}..{end} of source `{source}`, outside \
                                 its text of {} characters",
                                n.key, chars[si]
                            )));
                        }
                        let have = ranges[si].get_or_insert_with(|| {
                            project.sources[si]
                                .selections
                                .iter()
                                .map(|s| (s.start, s.end))
                                .collect()
                        });
                        if have.insert((*start, *end)) {
                            extra_selections[si].push((*start, *end));
                        }
                    }
                }
                let list = refs.entry(t.clone()).or_default();
                if !list.contains(&g) {
                    list.push(g);
                }
            }
        }

        let placed: Vec<Option<String>> = project
            .sources
            .iter()
            .map(|s| {
                let p = timeline.place(s.date, s.phase.as_deref()).ok()?;
                match p {
                    ambit_core::Placement::Phase(i) => Some(timeline.phases()[i].id.clone()),
                    ambit_core::Placement::Unphased => None,
                }
            })
            .collect();

        // Variables: the defined ones, then Ambit's, then one per attribute.
        let mut wanted: Vec<(String, Option<VarType>)> = Vec::new();
        let any = |f: &dyn Fn(&Source) -> bool| project.sources.iter().any(f);
        if any(&|s| s.date.is_some()) {
            wanted.push((VAR_DATE.to_owned(), Some(VarType::Date)));
        }
        if placed.iter().any(Option::is_some) {
            wanted.push((VAR_PHASE.to_owned(), Some(VarType::Text)));
        }
        if any(&|s| s.kind.is_some()) {
            wanted.push((VAR_KIND.to_owned(), Some(VarType::Text)));
        }
        let attr_names: BTreeSet<&str> = project
            .sources
            .iter()
            .flat_map(|s| s.attributes.keys().map(String::as_str))
            .collect();
        wanted.extend(attr_names.iter().map(|n| ((*n).to_owned(), None)));
        let values_of = |name: &str| -> Vec<&str> {
            project
                .sources
                .iter()
                .filter_map(|s| s.attributes.get(name).map(String::as_str))
                .chain(
                    project
                        .cases
                        .iter()
                        .filter_map(|c| c.values.get(name).map(String::as_str)),
                )
                .collect()
        };
        let mut vars: Vec<VarOut> = Vec::new();
        let mut var_index: HashMap<String, usize> = HashMap::new();
        for v in &project.variables {
            if var_index.contains_key(&v.name) {
                return Err(Error::Model(format!(
                    "two variables are named `{}`",
                    v.name
                )));
            }
            let values = values_of(&v.name);
            let kind = if values.iter().all(|x| fits(v.kind, x)) {
                v.kind
            } else {
                report.warnings.push(format!(
                    "variable `{}` is declared {} but not every value is one; written as Text",
                    v.name,
                    v.kind.as_str()
                ));
                VarType::Text
            };
            let g = guids.get(
                v.guid,
                Kind::Variable,
                &v.name,
                &format!("variable `{}`", v.name),
            )?;
            var_index.insert(v.name.clone(), vars.len());
            vars.push(VarOut {
                name: v.name.clone(),
                kind,
                description: v.description.clone(),
                guid: g,
            });
        }
        for (name, kind) in wanted {
            if var_index.contains_key(&name) {
                continue;
            }
            let kind = kind.unwrap_or_else(|| infer(&values_of(&name)));
            let g = guids.get(None, Kind::Variable, &name, "variable")?;
            var_index.insert(name.clone(), vars.len());
            vars.push(VarOut {
                name,
                kind,
                description: String::new(),
                guid: g,
            });
        }

        // Cases: the model's, then one per value of `cases_by`.
        let mut cases = Vec::new();
        for c in &project.cases {
            let g = guids.get(c.guid, Kind::Case, &c.key, &format!("case `{}`", c.key))?;
            let mut members = Vec::new();
            for k in &c.sources {
                let si = source_index.get(k.as_str()).ok_or_else(|| {
                    Error::Model(format!(
                        "case `{}` holds source `{k}`, which is not in the project",
                        c.key
                    ))
                })?;
                members.push(source_guids[*si]);
            }
            for name in c.values.keys() {
                if !var_index.contains_key(name) {
                    let g = guids.get(None, Kind::Variable, name, "variable")?;
                    var_index.insert(name.clone(), vars.len());
                    vars.push(VarOut {
                        name: name.clone(),
                        kind: infer(&values_of(name)),
                        description: String::new(),
                        guid: g,
                    });
                }
            }
            let mut data = toml::Table::new();
            data.insert("key".into(), c.key.clone().into());
            let desc = with_data(&c.description, &data);
            cases.push(CaseOut {
                guid: g,
                name: c.name.clone(),
                description: desc,
                values: c.values.clone(),
                members,
            });
        }
        if let Some(attr) = &options.cases_by {
            let mut by_value: BTreeMap<&str, Vec<Guid>> = BTreeMap::new();
            for (s, g) in project.sources.iter().zip(&source_guids) {
                if let Some(v) = s.attributes.get(attr) {
                    by_value.entry(v).or_default().push(*g);
                }
            }
            if by_value.is_empty() {
                report.warnings.push(format!(
                    "no document has the attribute `{attr}`, so there are no cases"
                ));
            }
            for (value, members) in by_value {
                let key = format!("{attr}={value}");
                let g = guids.get(None, Kind::Case, &key, "case")?;
                let mut data = toml::Table::new();
                data.insert("key".into(), key.clone().into());
                let desc = with_data(&format!("Documents whose {attr} is {value}"), &data);
                let values = BTreeMap::from([(attr.clone(), value.to_owned())]);
                cases.push(CaseOut {
                    guid: g,
                    name: value.to_owned(),
                    description: desc,
                    values,
                    members,
                });
            }
        }

        Ok(Plan {
            project,
            users,
            user_index,
            codes,
            vars,
            var_index,
            cases,
            source_guids,
            original_guids,
            refs,
            extra_selections,
            placed,
            timeline,
            note_guids,
            guids,
            bad_times: std::cell::Cell::new(0),
        })
    }

    /// `t` when it is an `xsd:dateTime`; otherwise nothing, counted for the report.
    fn time<'t>(&self, t: Option<&'t str>) -> Option<&'t str> {
        let t = t?;
        if is_datetime(t) {
            Some(t)
        } else {
            self.bad_times.set(self.bad_times.get() + 1);
            None
        }
    }

    pub fn original_path(&self, i: usize) -> Option<(String, &'a crate::Original)> {
        let o = self.project.sources[i].original.as_ref()?;
        let g = self.original_guids[i]?;
        Some((format!("sources/{g}{}", extension(&o.file_name)), o))
    }

    fn user(&self, name: &str) -> String {
        // Every name was collected in `new`.
        self.user_index
            .get(name)
            .map(Guid::to_string)
            .unwrap_or_default()
    }

    fn note_refs(&self, target: &NoteTarget) -> Vec<Guid> {
        self.refs.get(target).cloned().unwrap_or_default()
    }

    pub fn write_qde<W: Write>(
        &mut self,
        mut x: XmlOut<W>,
        report: &mut ExportReport,
    ) -> Result<(W, usize)> {
        let p = self.project;
        x.decl()?;
        let origin = origin();
        let creating = p.creating_user.as_deref().map(|u| self.user(u));
        let modifying = p.modifying_user.as_deref().map(|u| self.user(u));
        let mut attrs: Vec<(&str, &str)> = vec![
            ("xmlns", PROJECT_NS),
            ("xmlns:xsi", XSI),
            ("xsi:schemaLocation", PROJECT_XSD),
            ("name", &p.name),
            ("origin", &origin),
        ];
        if let Some(u) = &creating {
            attrs.push(("creatingUserGUID", u));
        }
        if let Some(t) = self.time(p.created.as_deref()) {
            attrs.push(("creationDateTime", t));
        }
        if let Some(u) = &modifying {
            attrs.push(("modifyingUserGUID", u));
        }
        if let Some(t) = self.time(p.modified.as_deref()) {
            attrs.push(("modifiedDateTime", t));
        }
        x.start("Project", &attrs)?;

        if !self.users.is_empty() {
            x.start("Users", &[])?;
            for (name, g) in &self.users {
                x.empty("User", &[("guid", &g.to_string()), ("name", name)])?;
            }
            x.end("Users")?;
            report.users = self.users.len();
        }

        if !self.codes.codes.is_empty() {
            x.start("CodeBook", &[])?;
            x.start("Codes", &[])?;
            let refs = |id: &str| self.note_refs(&NoteTarget::Code(id.to_owned()));
            for &r in &self.codes.roots {
                self.codes.write(&mut x, r, &refs)?;
            }
            x.end("Codes")?;
            x.end("CodeBook")?;
            report.codes = self.codes.codes.len();
        }

        if !self.vars.is_empty() {
            x.start("Variables", &[])?;
            for v in &self.vars {
                let g = v.guid.to_string();
                let attrs = [
                    ("guid", g.as_str()),
                    ("name", v.name.as_str()),
                    ("typeOfVariable", v.kind.as_str()),
                ];
                if v.description.is_empty() {
                    x.empty("Variable", &attrs)?;
                } else {
                    x.start("Variable", &attrs)?;
                    x.text_element("Description", &v.description)?;
                    x.end("Variable")?;
                }
            }
            x.end("Variables")?;
            report.variables = self.vars.len();
        }

        if !self.cases.is_empty() {
            x.start("Cases", &[])?;
            for c in &self.cases {
                x.start("Case", &[("guid", &c.guid.to_string()), ("name", &c.name)])?;
                x.text_element_nonempty("Description", &c.description)?;
                for (var, value) in &c.values {
                    self.variable_value(&mut x, var, value)?;
                }
                for m in &c.members {
                    x.empty("SourceRef", &[("targetGUID", &m.to_string())])?;
                }
                x.end("Case")?;
            }
            x.end("Cases")?;
            report.cases = self.cases.len();
        }

        let mut coding_notes: Vec<NoteOut> = Vec::new();
        if !p.sources.is_empty() {
            x.start("Sources", &[])?;
            for (i, s) in p.sources.iter().enumerate() {
                self.write_source(&mut x, i, s, &mut coding_notes, report)?;
            }
            x.end("Sources")?;
            report.sources = p.sources.len();
        }

        let mut notes: Vec<NoteOut> = Vec::with_capacity(p.notes.len() + coding_notes.len());
        for (n, &g) in p.notes.iter().zip(&self.note_guids) {
            let mut data = toml::Table::new();
            data.insert("key".into(), n.key.clone().into());
            notes.push(NoteOut {
                guid: g,
                name: n.name.clone(),
                text: n.text.clone(),
                author: n.author.clone(),
                created: n.created.clone(),
                description: with_data("", &data),
            });
        }
        notes.extend(coding_notes);
        if !notes.is_empty() {
            x.start("Notes", &[])?;
            for n in &notes {
                let g = n.guid.to_string();
                let author = n.author.as_deref().map(|a| self.user(a));
                let mut attrs = vec![("guid", g.as_str()), ("name", n.name.as_str())];
                if let Some(a) = &author {
                    attrs.push(("creatingUser", a));
                }
                if let Some(t) = self.time(n.created.as_deref()) {
                    attrs.push(("creationDateTime", t));
                }
                x.start("Note", &attrs)?;
                x.text_element_nonempty("Description", &n.description)?;
                x.text_element("PlainTextContent", &n.text)?;
                x.end("Note")?;
            }
            x.end("Notes")?;
            report.notes = notes.len();
        }

        let phases = self.timeline.phases().to_vec();
        if !phases.is_empty() || !p.sets.is_empty() || !p.codebook.sets.is_empty() {
            x.start("Sets", &[])?;
            for ph in &phases {
                let g = self.guids.get(
                    p.phase_guids.get(&ph.id).copied(),
                    Kind::Set,
                    &format!("phase:{}", ph.id),
                    &format!("the set of phase `{}`", ph.id),
                )?;
                let mut t = toml::Table::new();
                t.insert("id".into(), ph.id.clone().into());
                t.insert("label".into(), ph.label.clone().into());
                t.insert("start".into(), ph.start.to_string().into());
                t.insert("end".into(), ph.end.to_string().into());
                let mut data = toml::Table::new();
                data.insert("phase".into(), t.into());
                let desc = with_data(
                    &format!(
                        "Documents in phase {} of the study timeline ({} to {})",
                        ph.id, ph.start, ph.end
                    ),
                    &data,
                );
                let name = if ph.label.is_empty() || ph.label == ph.id {
                    format!("Phase {}", ph.id)
                } else {
                    format!("Phase {}: {}", ph.id, ph.label)
                };
                x.start("Set", &[("guid", &g.to_string()), ("name", &name)])?;
                x.text_element("Description", &desc)?;
                for (s, placed) in self.source_guids.iter().zip(&self.placed) {
                    if placed.as_deref() == Some(ph.id.as_str()) {
                        x.empty("MemberSource", &[("targetGUID", &s.to_string())])?;
                    }
                }
                x.end("Set")?;
                report.sets += 1;
            }
            for set in p.sets.iter().chain(&p.codebook.sets) {
                let g =
                    self.guids
                        .get(set.guid, Kind::Set, &set.key, &format!("set `{}`", set.key))?;
                let mut data = toml::Table::new();
                data.insert("key".into(), set.key.clone().into());
                x.start("Set", &[("guid", &g.to_string()), ("name", &set.name)])?;
                x.text_element("Description", &with_data(&set.description, &data))?;
                for c in &set.codes {
                    let g = self.codes.guid(c).ok_or_else(|| {
                        Error::Model(format!(
                            "set `{}` holds code `{c}`, which is not a code",
                            set.key
                        ))
                    })?;
                    x.empty("MemberCode", &[("targetGUID", &g.to_string())])?;
                }
                for k in &set.sources {
                    let i = p.sources.iter().position(|s| s.key == *k).ok_or_else(|| {
                        Error::Model(format!(
                            "set `{}` holds source `{k}`, which is not in the project",
                            set.key
                        ))
                    })?;
                    x.empty(
                        "MemberSource",
                        &[("targetGUID", &self.source_guids[i].to_string())],
                    )?;
                }
                for k in &set.notes {
                    let n = p.notes.iter().position(|n| n.key == *k).ok_or_else(|| {
                        Error::Model(format!(
                            "set `{}` holds note `{k}`, which is not in the project",
                            set.key
                        ))
                    })?;
                    let g = self.note_guids[n];
                    x.empty("MemberNote", &[("targetGUID", &g.to_string())])?;
                }
                x.end("Set")?;
                report.sets += 1;
            }
            x.end("Sets")?;
        }

        let mut data = toml::Table::new();
        if !p.codebook.name.is_empty() {
            data.insert("codebook".into(), p.codebook.name.clone().into());
        }
        if !p.codebook.description.is_empty() {
            data.insert(
                "codebook_description".into(),
                p.codebook.description.clone().into(),
            );
        }
        x.text_element_nonempty("Description", &with_data(&p.description, &data))?;
        for g in self.note_refs(&NoteTarget::Project) {
            x.empty("NoteRef", &[("targetGUID", &g.to_string())])?;
        }
        x.end("Project")?;
        let bad_times = self.bad_times.get();
        if bad_times > 0 {
            report.warnings.push(format!(
                "{bad_times} times were not xsd:dateTime values (like 2024-03-01T09:30:00Z) and \
                 were left out"
            ));
        }
        Ok(x.finish()?)
    }

    fn variable_value<W: Write>(&self, x: &mut XmlOut<W>, var: &str, value: &str) -> Result<()> {
        let Some(&vi) = self.var_index.get(var) else {
            return Ok(());
        };
        let v = &self.vars[vi];
        x.start("VariableValue", &[])?;
        x.empty("VariableRef", &[("targetGUID", &v.guid.to_string())])?;
        x.text_element(value_element(v.kind), value)?;
        x.end("VariableValue")?;
        Ok(())
    }

    fn write_source<W: Write>(
        &mut self,
        x: &mut XmlOut<W>,
        i: usize,
        s: &'a Source,
        coding_notes: &mut Vec<NoteOut>,
        report: &mut ExportReport,
    ) -> Result<()> {
        let guid = self.source_guids[i].to_string();
        let plain = format!("internal://{guid}.txt");
        let rich = s
            .original
            .as_ref()
            .zip(self.original_guids[i])
            .map(|(o, g)| format!("internal://{g}{}", extension(&o.file_name)));
        let creating = s.creating_user.as_deref().map(|u| self.user(u));
        let modifying = s.modifying_user.as_deref().map(|u| self.user(u));
        let mut attrs: Vec<(&str, &str)> = vec![("guid", &guid), ("name", &s.name)];
        if let Some(r) = &rich {
            attrs.push(("richTextPath", r));
        }
        attrs.push(("plainTextPath", &plain));
        if let Some(u) = &creating {
            attrs.push(("creatingUser", u));
        }
        if let Some(t) = self.time(s.created.as_deref()) {
            attrs.push(("creationDateTime", t));
        }
        if let Some(u) = &modifying {
            attrs.push(("modifyingUser", u));
        }
        if let Some(t) = self.time(s.modified.as_deref()) {
            attrs.push(("modifiedDateTime", t));
        }
        x.start("TextSource", &attrs)?;
        let mut data = toml::Table::new();
        data.insert("key".into(), s.key.clone().into());
        if let Some(ph) = &s.phase {
            data.insert("phase".into(), ph.clone().into());
        }
        if let Some(path) = &s.path {
            data.insert("path".into(), path.clone().into());
        }
        if let Some(o) = &s.original {
            data.insert("original".into(), o.file_name.clone().into());
        }
        if s.passages_kept {
            data.insert("passages".into(), passages_data(&s.passages));
        }
        x.text_element("Description", &with_data(&s.description, &data))?;

        let mut attached: HashSet<(usize, usize)> = HashSet::new();
        let extra: Vec<Selection> = self.extra_selections[i]
            .iter()
            .map(|&(a, b)| Selection::new(a, b))
            .collect();
        for sel in s.selections.iter().chain(&extra) {
            let refs = if attached.insert((sel.start, sel.end)) {
                self.note_refs(&NoteTarget::Selection {
                    source: s.key.clone(),
                    start: sel.start,
                    end: sel.end,
                })
            } else {
                Vec::new()
            };
            self.write_selection(x, self.source_guids[i], sel, &refs, coding_notes, report)?;
        }
        for g in self.note_refs(&NoteTarget::Source(s.key.clone())) {
            x.empty("NoteRef", &[("targetGUID", &g.to_string())])?;
        }
        if let Some(d) = s.date {
            self.variable_value(x, VAR_DATE, &d.to_string())?;
        }
        if let Some(ph) = self.placed[i].clone() {
            self.variable_value(x, VAR_PHASE, &ph)?;
        }
        if let Some(k) = s.kind {
            self.variable_value(x, VAR_KIND, k.as_str())?;
        }
        for (k, v) in &s.attributes {
            if !matches!(k.as_str(), VAR_DATE | VAR_PHASE | VAR_KIND) {
                self.variable_value(x, k, v)?;
            }
        }
        x.end("TextSource")?;
        Ok(())
    }

    fn write_selection<W: Write>(
        &mut self,
        x: &mut XmlOut<W>,
        source_guid: Guid,
        sel: &Selection,
        note_refs: &[Guid],
        coding_notes: &mut Vec<NoteOut>,
        report: &mut ExportReport,
    ) -> Result<()> {
        let sg = self.guids.child(
            sel.guid,
            source_guid,
            Kind::Selection,
            &format!("{}-{}", sel.start, sel.end),
            "selection",
        )?;
        let g = sg.to_string();
        let coding_guids: Vec<Guid> = sel
            .codings
            .iter()
            .map(|c| {
                let key = format!("{}\u{1f}{}\u{1f}{}", c.code, c.coder, c.origin);
                self.guids.child(c.guid, sg, Kind::Coding, &key, "coding")
            })
            .collect::<Result<_>>()?;
        let (start, end) = (sel.start.to_string(), sel.end.to_string());
        let first = sel.codings.first();
        let creator = sel
            .creating_user
            .as_deref()
            .or(first.map(|c| c.coder.as_str()))
            .map(|u| self.user(u));
        let created = sel
            .created
            .clone()
            .or_else(|| first.and_then(|c| c.created.clone()));
        let mut attrs: Vec<(&str, &str)> = vec![("guid", &g)];
        if let Some(n) = &sel.name {
            attrs.push(("name", n));
        }
        attrs.push(("startPosition", &start));
        attrs.push(("endPosition", &end));
        if let Some(u) = &creator {
            attrs.push(("creatingUser", u));
        }
        if let Some(t) = self.time(created.as_deref()) {
            attrs.push(("creationDateTime", t));
        }
        x.start("PlainTextSelection", &attrs)?;
        x.text_element_nonempty("Description", &selection_description(sel, &coding_guids))?;
        for (c, cg) in sel.codings.iter().zip(&coding_guids) {
            let cgs = cg.to_string();
            let coder = self.user(&c.coder);
            let mut attrs: Vec<(&str, &str)> = vec![("guid", &cgs), ("creatingUser", &coder)];
            if let Some(t) = self.time(c.created.as_deref()) {
                attrs.push(("creationDateTime", t));
            }
            x.start("Coding", &attrs)?;
            let code = self.codes.guid(&c.code).unwrap_or(*cg);
            x.empty("CodeRef", &[("targetGUID", &code.to_string())])?;
            if let Some(memo) = &c.memo {
                let ng = self.guids.child(None, *cg, Kind::Note, "memo", "note")?;
                x.empty("NoteRef", &[("targetGUID", &ng.to_string())])?;
                coding_notes.push(coding_note(c, memo, ng));
            }
            x.end("Coding")?;
            report.codings += 1;
        }
        for n in note_refs {
            x.empty("NoteRef", &[("targetGUID", &n.to_string())])?;
        }
        x.end("PlainTextSelection")?;
        report.selections += 1;
        Ok(())
    }
}

fn coding_note(c: &Coding, memo: &str, guid: Guid) -> NoteOut {
    NoteOut {
        guid,
        name: format!("Memo on a coding of {}", c.code),
        text: memo.to_owned(),
        author: Some(c.coder.clone()),
        created: c.created.clone(),
        description: String::new(),
    }
}

/// The selection's description: its own text, a line per rule-made coding, and the origin
/// of each coding that is not manual under Ambit's marker.
fn selection_description(sel: &Selection, guids: &[Guid]) -> String {
    let mut human = sel.description.clone();
    let mut origins = toml::Table::new();
    for (c, g) in sel.codings.iter().zip(guids) {
        if c.origin == Origin::Manual {
            continue;
        }
        if let Origin::Rule(rule) = &c.origin {
            if !human.is_empty() {
                human.push('\n');
            }
            human.push_str(&format!(
                "Auto-coded {} by Ambit rule {rule} (coder {})",
                c.code, c.coder
            ));
        }
        origins.insert(g.to_string(), c.origin.to_string().into());
    }
    if origins.is_empty() {
        return human;
    }
    let mut data = toml::Table::new();
    data.insert("codings".into(), origins.into());
    with_data(&human, &data)
}

/// `.docx` for `interview.docx`; empty when the name has no extension.
fn extension(file_name: &str) -> String {
    match file_name.rsplit_once('.') {
        Some((stem, ext))
            if !stem.is_empty()
                && !ext.is_empty()
                && ext.chars().all(|c| c.is_ascii_alphanumeric()) =>
        {
            format!(".{}", ext.to_ascii_lowercase())
        }
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions() {
        assert_eq!(extension("interview.DOCX"), ".docx");
        assert_eq!(extension("notes"), "");
        assert_eq!(extension(".hidden"), "");
        assert_eq!(extension("a.tar gz"), "");
    }
}
