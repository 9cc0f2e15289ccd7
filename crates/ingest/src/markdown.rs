//! Markdown files: front matter into [`Meta`], then the body's headings and paragraphs as passages.

use crate::lines::lines;
use crate::{text, Diagnostic, Meta, Options, Segment};

/// Reads a decoded Markdown file: the stored text is the body after the front matter.
pub(crate) fn extract(
    input: &str,
    opts: &Options,
    diags: &mut Vec<Diagnostic>,
) -> (String, Vec<Segment>, Meta) {
    let (meta, body_at, body_line) = match front_matter(input, diags) {
        Some(found) => found,
        None => (Meta::default(), 0, 1),
    };
    let body = &input[body_at..];
    // Blank lines between the front matter and the first words would only pad the stored text.
    let trimmed = body.trim_start_matches('\n');
    let skipped = body.len() - trimmed.len();
    let passages = text::segment(trimmed, body_line + skipped, true, opts, diags);
    (trimmed.to_owned(), passages, meta)
}

/// Front matter between a `---` first line and the next `---` (or `...`) line: the metadata,
/// the byte offset where the body starts and the body's first line number.
///
/// Reads `key: value` lines, `- item` lists and indented continuation lines; anything else is
/// a diagnostic. Without a closing line there is no front matter: the `---` is a rule.
fn front_matter(input: &str, diags: &mut Vec<Diagnostic>) -> Option<(Meta, usize, usize)> {
    let mut all = lines(input, 1);
    if all.next()?.text.trim_end() != "---" {
        return None;
    }
    let mut entries: Vec<(String, String, usize)> = Vec::new();
    let mut found_diags = Vec::new();
    let mut offset = input.find('\n')? + 1;
    for line in all {
        let next = offset + line.text.len() + 1;
        let t = line.text.trim_end();
        if t == "---" || t == "..." {
            diags.extend(found_diags);
            return Some((
                into_meta(entries, diags),
                next.min(input.len()),
                line.no + 1,
            ));
        }
        offset = next;
        let indented = t.starts_with([' ', '\t']);
        let body = t.trim();
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        if let Some((_, value, _)) = entries
            .last_mut()
            .filter(|_| indented || body.starts_with('-'))
        {
            // A list item or continuation line belongs to the key above it.
            let item = body.strip_prefix('-').map_or(body, str::trim_start);
            let item = unquote(item);
            if value.is_empty() || value == "|" || value == ">" {
                *value = item;
            } else {
                value.push_str(if body.starts_with('-') { ", " } else { " " });
                value.push_str(&item);
            }
            continue;
        }
        match body.split_once(':') {
            Some((key, value)) if !key.trim().is_empty() && !indented => {
                entries.push((key.trim().to_owned(), unquote(value.trim()), line.no));
            }
            _ => found_diags.push(Diagnostic::at(
                line.no,
                "front matter line not understood (only `key: value` lines and `- item` lists are read); it was left out",
            )),
        }
    }
    // No closing line: not front matter after all.
    None
}

fn into_meta(entries: Vec<(String, String, usize)>, diags: &mut Vec<Diagnostic>) -> Meta {
    let mut meta = Meta::default();
    for (key, value, line) in entries {
        let slot = match key.to_lowercase().as_str() {
            "title" => &mut meta.title,
            "date" => &mut meta.date,
            _ => {
                if meta.attributes.insert(key.clone(), value).is_some() {
                    diags.push(Diagnostic::at(
                        line,
                        format!("front matter key `{key}` repeats; the last value is kept"),
                    ));
                }
                continue;
            }
        };
        if slot.replace(value).is_some() {
            diags.push(Diagnostic::at(
                line,
                format!("front matter key `{key}` repeats; the last value is kept"),
            ));
        }
    }
    meta
}

/// Strips matching YAML quotes, undoing their escapes (`\"` in double, `''` in single quotes).
fn unquote(value: &str) -> String {
    if value.len() >= 2 {
        if let Some(inner) = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
            return inner.replace("\\\"", "\"").replace("\\\\", "\\");
        }
        if let Some(inner) = value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')) {
            return inner.replace("''", "'");
        }
    }
    value.to_owned()
}
