//! In-memory edits of a codebook (create, rename, move, recolour, describe, merge, remove)
//! that keep it valid.

use std::collections::{HashMap, HashSet};

use super::validate::{colour_ok, dotted_parent, id_problem};
use super::{Code, Codebook};
use crate::error::{Error, Result};

impl Codebook {
    /// Renames code `old` to `new`. Descendants whose ids start with `old.` and rule ids that
    /// start with `old.` are renamed along (`kb.semantic` → `boundary.semantic`), and `parent` and
    /// `within` references follow. Returns every code id change, `(old, new)`, so that stored
    /// codings can be updated.
    pub fn rename(&mut self, old: &str, new: &str) -> Result<Vec<(String, String)>> {
        let refuse = |reason: String| Error::Edit {
            action: "rename",
            code: old.to_owned(),
            reason,
        };
        self.require(old)?;
        if let Some(problem) = id_problem(new) {
            return Err(refuse(problem));
        }
        if old == new {
            return Ok(Vec::new());
        }
        let prefix = format!("{old}.");
        let descendant_ids: HashSet<String> = self
            .descendants(old)
            .into_iter()
            .map(|c| c.id.clone())
            .collect();
        let mut map: HashMap<String, String> = HashMap::new();
        map.insert(old.to_owned(), new.to_owned());
        for id in &descendant_ids {
            if let Some(rest) = id.strip_prefix(&prefix) {
                map.insert(id.clone(), format!("{new}.{rest}"));
            }
        }
        for (from, to) in &map {
            if self.contains(to) && !map.contains_key(to) {
                return Err(refuse(format!(
                    "renaming `{from}` to `{to}` would clash with an existing code"
                )));
            }
        }
        let renamed_code = |id: &str| map.contains_key(id);
        let rule_map: HashMap<String, String> = self
            .codes
            .iter()
            .filter(|c| renamed_code(&c.id))
            .flat_map(|c| c.rules.iter())
            .filter_map(|r| {
                r.id.strip_prefix(&prefix)
                    .map(|rest| (r.id.clone(), format!("{new}.{rest}")))
            })
            .collect();
        let all_rules: HashSet<&str> = self
            .codes
            .iter()
            .flat_map(|c| c.rules.iter().map(|r| r.id.as_str()))
            .collect();
        if let Some((_, to)) = rule_map
            .iter()
            .find(|(_, to)| all_rules.contains(to.as_str()) && !rule_map.contains_key(to.as_str()))
        {
            return Err(refuse(format!("the renamed rule id `{to}` already exists")));
        }
        let rename = |s: &mut String, m: &HashMap<String, String>| {
            if let Some(n) = m.get(s.as_str()) {
                *s = n.clone();
            }
        };
        for code in &mut self.codes {
            rename(&mut code.id, &map);
            if let Some(p) = &mut code.parent {
                rename(p, &map);
            }
            for rule in &mut code.rules {
                rename(&mut rule.id, &rule_map);
                if let Some(w) = &mut rule.within {
                    rename(w, &map);
                }
            }
        }
        // The rules keep their lines in the source until it is rewritten. All entries are
        // taken out before any is put back, as a new id may be another rule's old one.
        let moved: Vec<(String, Vec<usize>)> = rule_map
            .iter()
            .filter_map(|(from, to)| self.phase_lines.remove(from).map(|l| (to.clone(), l)))
            .collect();
        self.phase_lines.extend(moved);
        self.rebuild();
        let mut changes: Vec<(String, String)> = map.into_iter().collect();
        changes.sort_by_key(|(_, to)| self.position(to));
        Ok(changes)
    }

    /// Merges code `from` into `into`: `from`'s rules and examples move to `into`, its children
    /// become `into`'s children, `within = from` becomes `within = into`, and `from` is removed.
    /// Codings on passages are the store's business.
    pub fn merge(&mut self, from: &str, into: &str) -> Result<()> {
        let refuse = |reason: String| Error::Edit {
            action: "merge",
            code: from.to_owned(),
            reason,
        };
        self.require_codes(&[from, into])?;
        if from == into {
            return Err(refuse("a code cannot be merged into itself".to_owned()));
        }
        if self.ancestors(into).any(|a| a == from) {
            return Err(refuse(format!(
                "`{into}` is a descendant of `{from}`; merge the other way round or move it first"
            )));
        }
        let i = self.require(from)?;
        let removed = self.codes.remove(i);
        self.rebuild_index();
        let j = self.require(into)?;
        self.codes[j].rules.extend(removed.rules);
        self.codes[j].examples.extend(removed.examples);
        for code in &mut self.codes {
            if code.parent.as_deref() == Some(from) {
                code.parent = Some(into.to_owned());
            }
            for rule in &mut code.rules {
                if rule.within.as_deref() == Some(from) {
                    rule.within = Some(into.to_owned());
                }
            }
        }
        self.rebuild();
        Ok(())
    }

    /// Removes a code and returns it. Refused while the code has children or another rule
    /// refers to it with `within`, so the codebook stays valid.
    pub fn remove(&mut self, id: &str) -> Result<Code> {
        let refuse = |reason: String| Error::Edit {
            action: "remove",
            code: id.to_owned(),
            reason,
        };
        let i = self.require(id)?;
        if !self.codes[i].children.is_empty() {
            return Err(refuse(format!(
                "it has children ({}); remove or merge them first",
                self.codes[i].children.join(", ")
            )));
        }
        let users: Vec<&str> = self
            .codes
            .iter()
            .filter(|c| c.id != id)
            .flat_map(|c| c.rules.iter())
            .filter(|r| r.within.as_deref() == Some(id))
            .map(|r| r.id.as_str())
            .collect();
        if !users.is_empty() {
            return Err(refuse(format!(
                "rules {} use `within = \"{id}\"`",
                users.join(", ")
            )));
        }
        let mut code = self.codes.remove(i);
        // A code's own `within` pointing at itself would dangle once it is gone.
        for rule in &mut code.rules {
            if rule.within.as_deref() == Some(id) {
                rule.within = None;
            }
            self.phase_lines.remove(&rule.id);
        }
        self.rebuild();
        Ok(code)
    }

    /// Adds a code `id` named `name` under `parent` (or, when `parent` is `None`, under the
    /// parent its dotted id implies: `kb.new` goes under `kb`). It is placed after its
    /// parent's last descendant in file order (at the end for a top-level code), so the
    /// file keeps each subtree together.
    pub fn add_code(&mut self, id: &str, name: &str, parent: Option<&str>) -> Result<()> {
        let refuse = |reason: String| Error::Edit {
            action: "create",
            code: id.to_owned(),
            reason,
        };
        if let Some(problem) = id_problem(id) {
            return Err(refuse(problem));
        }
        if self.contains(id) {
            return Err(refuse("a code with this id exists already".to_owned()));
        }
        let name = name.trim();
        if name.is_empty() {
            return Err(refuse("give the code a name".to_owned()));
        }
        let parent = match parent.or_else(|| dotted_parent(id)) {
            Some(p) => {
                if !self.contains(p) {
                    return Err(refuse(format!(
                        "its parent `{p}` is not in the codebook; create `{p}` first or choose another parent"
                    )));
                }
                Some(p.to_owned())
            }
            None => None,
        };
        let at = match &parent {
            Some(p) => {
                let mut last = self.require(p)?;
                for d in self.descendants(p) {
                    last = last.max(self.require(&d.id)?);
                }
                last + 1
            }
            None => self.codes.len(),
        };
        self.codes.insert(
            at,
            Code {
                id: id.to_owned(),
                name: name.to_owned(),
                parent,
                depth: 0,
                children: Vec::new(),
                description: String::new(),
                include: String::new(),
                exclude: String::new(),
                examples: Vec::new(),
                color: None,
                rules: Vec::new(),
            },
        );
        self.rebuild();
        Ok(())
    }

    /// Moves code `id` (with its subtree) under `parent`, or to the top level. Its id stays:
    /// codings keep pointing at it. A dotted id implies its parent, so a dotted code cannot
    /// be made top-level; rename it first.
    pub fn set_parent(&mut self, id: &str, parent: Option<&str>) -> Result<()> {
        let refuse = |reason: String| Error::Edit {
            action: "move",
            code: id.to_owned(),
            reason,
        };
        let i = self.require(id)?;
        match parent {
            Some(p) => {
                self.require(p)?;
                if p == id {
                    return Err(refuse("a code cannot be its own parent".to_owned()));
                }
                if self.ancestors(p).any(|a| a == id) {
                    return Err(refuse(format!(
                        "`{p}` is inside `{id}`; move `{p}` out first"
                    )));
                }
            }
            None => {
                if dotted_parent(id).is_some() {
                    return Err(refuse(format!(
                        "its dotted id implies a parent; rename it without the dot (e.g. `{}`) to make it top-level",
                        id.rsplit('.').next().unwrap_or(id)
                    )));
                }
            }
        }
        self.codes[i].parent = parent.map(str::to_owned);
        self.rebuild();
        Ok(())
    }

    /// Sets or clears the display colour (`#RGB` or `#RRGGBB`).
    pub fn set_color(&mut self, id: &str, color: Option<&str>) -> Result<()> {
        let i = self.require(id)?;
        let color = color.map(str::trim).filter(|c| !c.is_empty());
        if let Some(c) = color {
            if !colour_ok(c) {
                return Err(Error::Edit {
                    action: "recolour",
                    code: id.to_owned(),
                    reason: format!(
                        "bad colour `{c}`: write `#RRGGBB` or `#RGB` in hexadecimal, e.g. `#4477AA`"
                    ),
                });
            }
        }
        self.codes[i].color = color.map(str::to_owned);
        Ok(())
    }

    /// Sets the code's name (not empty).
    pub fn set_name(&mut self, id: &str, name: &str) -> Result<()> {
        let i = self.require(id)?;
        let name = name.trim();
        if name.is_empty() {
            return Err(Error::Edit {
                action: "edit",
                code: id.to_owned(),
                reason: "a code needs a name".to_owned(),
            });
        }
        self.codes[i].name = name.to_owned();
        Ok(())
    }

    /// Sets the code's definition (empty clears it).
    pub fn set_description(&mut self, id: &str, text: &str) -> Result<()> {
        let i = self.require(id)?;
        self.codes[i].description = text.trim_end().to_owned();
        Ok(())
    }

    /// Sets the code's inclusion criteria: when to apply it (empty clears them).
    pub fn set_include(&mut self, id: &str, text: &str) -> Result<()> {
        let i = self.require(id)?;
        self.codes[i].include = text.trim_end().to_owned();
        Ok(())
    }

    /// Sets the code's exclusion criteria: when not to apply it (empty clears them).
    pub fn set_exclude(&mut self, id: &str, text: &str) -> Result<()> {
        let i = self.require(id)?;
        self.codes[i].exclude = text.trim_end().to_owned();
        Ok(())
    }
}
