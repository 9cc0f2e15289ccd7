//! Writing a codebook back as TOML, in the shape people write it.

use serde::Serialize;

use super::read::RawHeader;
use super::validate::dotted_parent;
use super::{Codebook, Rule};
use crate::error::{Error, Result};

#[derive(Serialize)]
struct OutDoc<'a> {
    codebook: RawHeader,
    code: Vec<OutCode<'a>>,
}

#[derive(Serialize)]
struct OutCode<'a> {
    id: &'a str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    parent: Option<&'a str>,
    #[serde(skip_serializing_if = "str::is_empty")]
    description: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    include: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    exclude: &'a str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    examples: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    color: Option<&'a str>,
    #[serde(skip_serializing_if = "<[Rule]>::is_empty")]
    rule: &'a [Rule],
}

impl Codebook {
    /// Writes the codebook as TOML; [`Codebook::parse`] of the result gives an equal codebook.
    pub fn to_toml(&self) -> Result<String> {
        let doc = OutDoc {
            codebook: RawHeader {
                name: self.name.clone(),
                description: self.description.clone(),
            },
            code: self
                .codes
                .iter()
                .map(|c| OutCode {
                    id: &c.id,
                    name: &c.name,
                    // A parent implied by the dotted id stays implicit, as people write it.
                    parent: c
                        .parent
                        .as_deref()
                        .filter(|p| Some(*p) != dotted_parent(&c.id)),
                    description: &c.description,
                    include: &c.include,
                    exclude: &c.exclude,
                    examples: &c.examples,
                    color: c.color.as_deref(),
                    rule: &c.rules,
                })
                .collect(),
        };
        toml::to_string(&doc).map_err(|e| Error::Serialize(e.to_string()))
    }
}
