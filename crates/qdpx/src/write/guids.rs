//! GUIDs for an export: the one kept in the model, or one derived, each used once.

use std::collections::HashSet;

use crate::guid::Kind;
use crate::{Error, Guid, Result};

/// Hands out GUIDs: the explicit one or a derived one, each used once.
pub(crate) struct Guids<'a> {
    pub project: &'a str,
    used: HashSet<Guid>,
}

impl<'a> Guids<'a> {
    pub fn new(project: &'a str) -> Guids<'a> {
        Guids {
            project,
            used: HashSet::new(),
        }
    }

    /// `explicit`, or the GUID derived from `kind` and `key`. A second object with the same
    /// key gets `key#1`, `key#2`, …: still stable, since objects come in model order.
    pub fn get(
        &mut self,
        explicit: Option<Guid>,
        kind: Kind,
        key: &str,
        what: &str,
    ) -> Result<Guid> {
        self.make(explicit, None, kind, key, what)
    }

    /// Like [`Guids::get`], derived from the parent's GUID instead of the project key.
    pub fn child(
        &mut self,
        explicit: Option<Guid>,
        parent: Guid,
        kind: Kind,
        key: &str,
        what: &str,
    ) -> Result<Guid> {
        self.make(explicit, Some(parent), kind, key, what)
    }

    fn make(
        &mut self,
        explicit: Option<Guid>,
        parent: Option<Guid>,
        kind: Kind,
        key: &str,
        what: &str,
    ) -> Result<Guid> {
        if let Some(g) = explicit {
            if !self.used.insert(g) {
                return Err(Error::Model(format!(
                    "{what} has GUID {g}, which another object already has; GUIDs must be unique"
                )));
            }
            return Ok(g);
        }
        let derive = |key: &str| match parent {
            Some(p) => Guid::child(p, kind, key),
            None => Guid::derive(self.project, kind, key),
        };
        let mut g = derive(key);
        let mut n = 0;
        while !self.used.insert(g) {
            n += 1;
            g = derive(&format!("{key}#{n}"));
        }
        Ok(g)
    }
}
