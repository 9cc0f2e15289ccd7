//! The code tree as written into a project and a `.qdc`: nesting, GUIDs, and Ambit's data in each description.

use std::collections::HashMap;
use std::io::Write;

use super::guids::Guids;
use crate::ambit::{export_colour, with_data};
use crate::guid::Kind;
use crate::model::{Code, CodeTree};
use crate::xml::XmlOut;
use crate::{Error, Guid, Result};

/// The codes' tree: children in codebook order, GUIDs, checks.
pub(crate) struct CodesOut<'a> {
    pub codes: &'a [Code],
    guids: Vec<Guid>,
    children: Vec<Vec<usize>>,
    pub roots: Vec<usize>,
    index: HashMap<&'a str, usize>,
    /// Whether nesting changes the codebook's order, so each code carries its position.
    reordered: bool,
}

impl<'a> CodesOut<'a> {
    pub fn new(tree: &'a CodeTree, guids: &mut Guids<'_>) -> Result<CodesOut<'a>> {
        let codes = &tree.codes;
        let mut index = HashMap::with_capacity(codes.len());
        for (i, c) in codes.iter().enumerate() {
            if index.insert(c.id.as_str(), i).is_some() {
                return Err(Error::Model(format!("two codes have the id `{}`", c.id)));
            }
        }
        let mut children = vec![Vec::new(); codes.len()];
        let mut roots = Vec::new();
        for (i, c) in codes.iter().enumerate() {
            match &c.parent {
                None => roots.push(i),
                Some(p) => match index.get(p.as_str()) {
                    Some(&pi) if pi != i => children[pi].push(i),
                    _ => {
                        return Err(Error::Model(format!(
                            "code `{}` has parent `{p}`, which is not a code",
                            c.id
                        )))
                    }
                },
            }
        }
        // Every code must be reachable from a root, or it sits in a parent cycle.
        let mut reached = vec![false; codes.len()];
        let mut stack = roots.clone();
        while let Some(i) = stack.pop() {
            reached[i] = true;
            stack.extend(&children[i]);
        }
        if let Some(i) = reached.iter().position(|r| !r) {
            return Err(Error::Model(format!(
                "code `{}` is in a parent cycle",
                codes[i].id
            )));
        }
        let guids = codes
            .iter()
            .map(|c| guids.get(c.guid, Kind::Code, &c.id, &format!("code `{}`", c.id)))
            .collect::<Result<Vec<_>>>()?;
        // The order the XML nests codes in: each parent followed by its subtree.
        let mut tree_order = Vec::with_capacity(codes.len());
        let mut stack: Vec<usize> = roots.iter().rev().copied().collect();
        while let Some(i) = stack.pop() {
            tree_order.push(i);
            stack.extend(children[i].iter().rev());
        }
        let reordered = tree_order.iter().enumerate().any(|(k, &i)| k != i);
        Ok(CodesOut {
            codes,
            guids,
            children,
            roots,
            index,
            reordered,
        })
    }

    pub fn guid(&self, id: &str) -> Option<Guid> {
        self.index.get(id).map(|&i| self.guids[i])
    }

    /// The description with Ambit's data: id, criteria, examples, colour spelling, rules,
    /// and the code's position in the codebook when nesting changes the order.
    fn description(&self, i: usize) -> Result<String> {
        let c = &self.codes[i];
        let mut data = toml::Table::new();
        data.insert("id".into(), c.id.clone().into());
        if self.reordered {
            data.insert("order".into(), toml::Value::Integer(i as i64));
        }
        for (k, v) in [("include", &c.include), ("exclude", &c.exclude)] {
            if !v.is_empty() {
                data.insert(k.into(), v.clone().into());
            }
        }
        if !c.examples.is_empty() {
            data.insert("examples".into(), c.examples.clone().into());
        }
        if let Some(col) = &c.color {
            if export_colour(col).as_deref() != Some(col.as_str()) {
                data.insert("color".into(), col.clone().into());
            }
        }
        if !c.rules.is_empty() {
            let rules = c
                .rules
                .iter()
                .map(toml::Value::try_from)
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(|e| Error::Model(format!("rules of code `{}`: {e}", c.id)))?;
            data.insert("rule".into(), rules.into());
        }
        Ok(with_data(&c.description, &data))
    }

    pub fn write<W: Write>(
        &self,
        x: &mut XmlOut<W>,
        i: usize,
        refs: &dyn Fn(&str) -> Vec<Guid>,
    ) -> Result<()> {
        let c = &self.codes[i];
        let guid = self.guids[i].to_string();
        let colour = c.color.as_deref().and_then(export_colour);
        let mut attrs = vec![
            ("guid", guid.as_str()),
            ("name", c.name.as_str()),
            ("isCodable", if c.codable { "true" } else { "false" }),
        ];
        if let Some(col) = &colour {
            attrs.push(("color", col));
        }
        x.start("Code", &attrs)?;
        x.text_element("Description", &self.description(i)?)?;
        for g in refs(&c.id) {
            x.empty("NoteRef", &[("targetGUID", &g.to_string())])?;
        }
        for &k in &self.children[i] {
            self.write(x, k, refs)?;
        }
        x.end("Code")?;
        Ok(())
    }
}
