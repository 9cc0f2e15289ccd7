//! Codebook templates bundled with Ambit, embedded at compile time.

/// Names of the bundled templates, for listings and error hints.
pub const TEMPLATE_NAMES: &[&str] = &["ambidexterity"];

/// The TOML source of a bundled codebook template.
///
/// `"ambidexterity"`: knowledge boundaries, shared understanding, coordination mechanisms,
/// exploration/exploitation, contextual ambidexterity and intervention activities, with
/// definitions, criteria, examples and auto-coding rules.
pub fn template(name: &str) -> Option<&'static str> {
    match name {
        "ambidexterity" => Some(include_str!("../templates/ambidexterity.toml")),
        _ => None,
    }
}
