//! Codebooks, auto-coding rules and code queries for Ambit.
//!
//! - [`Codebook`]: codes (themes) with definitions, inclusion/exclusion criteria, examples,
//!   colours and auto-coding rules, parsed from TOML and validated with every problem reported.
//! - [`Matcher`]: all rules of a codebook compiled into one Aho-Corasick automaton and
//!   regexes gated by its literals, run over passages in parallel; see [`PassageInput`] and
//!   [`RuleHit`].
//! - [`Query`]: the code query language (`kb.semantic AND NOT su`, `a NEAR/2 b`).
//! - [`template`]: the bundled theory codebook (`"ambidexterity"`).
//!
//! The crate never does IO: codebooks come in as `&str`, passages as borrowed slices.
//!
//! ```
//! use ambit_coding::{Codebook, Matcher, PassageInput, Query, PassageCodes};
//!
//! let codebook = Codebook::parse(r#"
//! [codebook]
//! name = "Demo"
//!
//! [[code]]
//! id = "kb"
//! name = "Knowledge boundaries"
//!
//! [[code]]
//! id = "kb.semantic"
//! name = "Semantic boundary"
//!   [[code.rule]]
//!   phrases = ["what do you mean by"]
//! "#)?;
//!
//! let matcher = Matcher::compile(&codebook, None)?;
//! let passages = [PassageInput {
//!     doc: 1,
//!     text: "Sorry, what do you\nmean by an order?",
//!     speaker: Some("Kari Järvinen"),
//!     kind: ambit_core::DocKind::Workshop,
//!     phase: Some("I1"),
//!     codes: &[],
//! }];
//! let hits = matcher.run(&passages);
//! assert_eq!(hits[0].code, "kb.semantic");
//! assert_eq!(hits[0].rule, "kb.semantic.1");
//!
//! let coded = [PassageCodes { doc: 1, ordinal: 0, codes: vec![hits[0].code.clone()] }];
//! let query = Query::parse("kb AND NOT su")?;
//! assert_eq!(query.eval_in(&codebook, &coded), vec![0]);
//! # Ok::<(), ambit_coding::Error>(())
//! ```
#![warn(missing_docs)]

mod codebook;
mod error;
mod gate;
mod matcher;
mod query;
mod template;
mod text;

pub use codebook::{Code, Codebook, Near, Rule};
pub use error::{Diagnostic, Error, Result, UnknownCode};
pub use matcher::{Matcher, PassageInput, RuleHit, RuleInfo};
pub use query::{PassageCodes, Query};
pub use template::{template, TEMPLATE_NAMES};
