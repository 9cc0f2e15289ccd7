//! Word (.docx) and OpenDocument (.odt) text: body in reading order, tables, lists, notes after the body, document properties.

use std::collections::BTreeMap;

use crate::archive::Archive;
use crate::blocks::{self, Block, Collector};
use crate::xml::{Ev, Xml};
use crate::{Diagnostic, Error, Meta, Options, Result};

/// Reads the blocks and document properties of a .docx.
pub(crate) fn docx(archive: &mut Archive<'_>) -> Result<(Vec<Block>, Meta)> {
    let body = archive.require("word/document.xml", "a Word document (.docx)")?;
    let mut notes = Notes::default();
    let mut blocks =
        docx_body(&body, &mut notes).map_err(|r| part_err(archive, "word/document.xml", r))?;
    if !notes.order.is_empty() {
        let mut texts = BTreeMap::new();
        for (entry, kind) in [
            ("word/footnotes.xml", "footnote"),
            ("word/endnotes.xml", "endnote"),
        ] {
            if let Some(xml) = archive.read(entry)? {
                docx_notes(&xml, kind, &mut texts).map_err(|r| part_err(archive, entry, r))?;
            }
        }
        let mut found = Vec::new();
        for (n, key) in notes.order.iter().enumerate() {
            if let Some(text) = texts.get(key) {
                found.push(format!("[{}] {}", n + 1, text.trim()));
            }
        }
        push_notes(&mut blocks, found);
    }
    let meta = match archive.read("docProps/core.xml")? {
        Some(xml) => properties(&xml, "created", &["creator"]),
        None => Meta::default(),
    };
    Ok((blocks, meta))
}

/// Reads the blocks and document properties of an .odt.
pub(crate) fn odt(archive: &mut Archive<'_>) -> Result<(Vec<Block>, Meta)> {
    if let Some(mime) = archive.read("mimetype")? {
        let mime = String::from_utf8_lossy(&mime);
        let mime = mime.trim();
        if mime.starts_with("application/vnd.oasis.opendocument.")
            && !mime.starts_with("application/vnd.oasis.opendocument.text")
        {
            return Err(archive.corrupt(format!(
                "it is an OpenDocument file of another kind ({mime}), not a text document; \
                 export the text as .odt or .docx"
            )));
        }
    }
    let content = archive.require("content.xml", "an OpenDocument text (.odt)")?;
    let mut blocks = Vec::new();
    let mut notes = Vec::new();
    odt_body(&content, &mut blocks, &mut notes).map_err(|r| part_err(archive, "content.xml", r))?;
    let notes = notes
        .iter()
        .enumerate()
        .map(|(i, t)| format!("[{}] {}", i + 1, t.trim()))
        .collect();
    push_notes(&mut blocks, notes);
    let meta = match archive.read("meta.xml")? {
        Some(xml) => properties(&xml, "creation-date", &["initial-creator", "creator"]),
        None => Meta::default(),
    };
    Ok((blocks, meta))
}

/// Turns a reader's blocks into the stored text and passages.
pub(crate) fn finish(
    blocks: &[Block],
    opts: &Options,
    diags: &mut Vec<Diagnostic>,
) -> (String, Vec<crate::Segment>) {
    blocks::assemble(blocks, opts, diags)
}

fn part_err(archive: &Archive<'_>, entry: &str, reason: String) -> Error {
    archive.corrupt(format!("{entry}: {reason}"))
}

/// Notes go after the body, under a heading, each marked `[n]` as in the body.
fn push_notes(blocks: &mut Vec<Block>, notes: Vec<String>) {
    if notes.is_empty() {
        return;
    }
    blocks::push_block(blocks, "Notes".to_owned(), true);
    for note in notes {
        blocks::push_block(blocks, note, false);
    }
}

/// Footnote and endnote references in the order the body cites them.
#[derive(Default)]
struct Notes {
    /// (kind, id) per cited note.
    order: Vec<(&'static str, String)>,
}

fn is_heading_style(style: &str) -> bool {
    let s = style.to_ascii_lowercase();
    s.starts_with("heading") || s == "title"
}

fn docx_body(xml: &[u8], notes: &mut Notes) -> std::result::Result<Vec<Block>, String> {
    let mut x = Xml::new(xml);
    let mut c = Collector::default();
    // Inside `w:t`, text is content; everywhere else character data is layout whitespace.
    let mut in_t = false;
    // Depth inside subtrees whose text is not part of the document (the VML copy of a text
    // box, deleted and field-code text).
    let mut skip = 0usize;
    // Headings are known from `w:pStyle` inside `w:pPr`, which comes after the paragraph
    // starts; the paragraph is re-marked when its style is seen.
    loop {
        match x.next()? {
            Ev::Eof => break,
            Ev::Start { tag, empty } => {
                if skip > 0 {
                    if !empty {
                        skip += 1;
                    }
                    continue;
                }
                match tag.name.as_str() {
                    "Fallback" | "delText" | "instrText" | "del" | "tabs" if !empty => skip = 1,
                    "p" if !empty => c.start_paragraph(false),
                    "pStyle" | "outlineLvl" => {
                        let heading = tag.name == "outlineLvl"
                            || tag.attr("val").is_some_and(is_heading_style);
                        if heading {
                            c.mark_heading();
                        }
                    }
                    "t" if !empty => in_t = true,
                    "tab" if c.in_text() => c.text("\t"),
                    "br" | "cr" => c.text("\n"),
                    "noBreakHyphen" => c.text("-"),
                    "tbl" if !empty => c.start_table(),
                    "tr" if !empty => c.start_row(),
                    "tc" if !empty => c.start_cell(),
                    "footnoteReference" | "endnoteReference" => {
                        let kind = if tag.name == "footnoteReference" {
                            "footnote"
                        } else {
                            "endnote"
                        };
                        if let Some(id) = tag.attr("id") {
                            notes.order.push((kind, id.to_owned()));
                            c.text(&format!("[{}]", notes.order.len()));
                        }
                    }
                    _ => {}
                }
            }
            Ev::End(name) => {
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                match name.as_str() {
                    "t" => in_t = false,
                    "p" => c.end_paragraph(),
                    "tc" => c.end_cell(),
                    "tr" => c.end_row(),
                    "tbl" => c.end_table(),
                    _ => {}
                }
            }
            Ev::Text(t) => {
                if in_t && skip == 0 {
                    c.text(&t);
                }
            }
        }
    }
    Ok(c.finish())
}

/// Collects the text of each footnote (or endnote), keyed by (kind, id).
fn docx_notes(
    xml: &[u8],
    kind: &'static str,
    out: &mut BTreeMap<(&'static str, String), String>,
) -> std::result::Result<(), String> {
    let mut x = Xml::new(xml);
    let mut current: Option<(String, String)> = None;
    let mut in_t = false;
    loop {
        match x.next()? {
            Ev::Eof => break,
            Ev::Start { tag, empty } => match tag.name.as_str() {
                "footnote" | "endnote" if !empty => {
                    let id = tag.attr("id").unwrap_or_default().to_owned();
                    current = Some((id, String::new()));
                }
                "t" if !empty => in_t = true,
                "tab" | "br" => {
                    if let Some((_, text)) = &mut current {
                        text.push(' ');
                    }
                }
                _ => {}
            },
            Ev::End(name) => match name.as_str() {
                "t" => in_t = false,
                "p" => {
                    if let Some((_, text)) = &mut current {
                        text.push(' ');
                    }
                }
                "footnote" | "endnote" => {
                    if let Some((id, text)) = current.take() {
                        out.insert((kind, id), collapse(&text));
                    }
                }
                _ => {}
            },
            Ev::Text(t) => {
                if let (true, Some((_, text))) = (in_t, &mut current) {
                    text.push_str(&t);
                }
            }
        }
    }
    Ok(())
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn odt_body(
    xml: &[u8],
    blocks: &mut Vec<Block>,
    notes: &mut Vec<String>,
) -> std::result::Result<(), String> {
    let mut x = Xml::new(xml);
    let mut c = Collector::default();
    let mut in_body = false;
    let mut skip = 0usize;
    // Inside `text:note`: the citation is dropped (we number notes ourselves), the body is
    // collected apart from the running text.
    let mut note: Option<(usize, String)> = None;
    let mut depth = 0usize;
    loop {
        let ev = x.next()?;
        match ev {
            Ev::Eof => break,
            Ev::Start { tag, empty } => {
                if !empty {
                    depth += 1;
                }
                if skip > 0 {
                    if !empty {
                        skip += 1;
                    }
                    continue;
                }
                let name = tag.name.as_str();
                if name == "text" && !in_body {
                    in_body = !empty;
                    continue;
                }
                if !in_body {
                    continue;
                }
                if let Some((_, text)) = &mut note {
                    match name {
                        "note-citation" if !empty => skip = 1,
                        "s" | "tab" | "line-break" => text.push(' '),
                        _ => {}
                    }
                    continue;
                }
                match name {
                    "tracked-changes" | "annotation" | "sequence-decls" | "forms" | "desc"
                    | "title"
                        if !empty =>
                    {
                        skip = 1
                    }
                    "p" | "h" if !empty => c.start_paragraph(name == "h"),
                    "s" => {
                        let n = tag
                            .attr("c")
                            .and_then(|v| v.parse::<usize>().ok())
                            .unwrap_or(1)
                            .min(1000);
                        c.text(&" ".repeat(n));
                    }
                    "tab" => c.text("\t"),
                    "line-break" => c.text("\n"),
                    "table" if !empty => c.start_table(),
                    "table-row" if !empty => c.start_row(),
                    "table-cell" if !empty => c.start_cell(),
                    "note" if !empty => note = Some((depth, String::new())),
                    _ => {}
                }
            }
            Ev::End(name) => {
                depth = depth.saturating_sub(1);
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                if !in_body {
                    continue;
                }
                if let Some((at, text)) = &mut note {
                    if name == "p" {
                        text.push(' ');
                    }
                    if name == "note" && depth + 1 == *at {
                        notes.push(collapse(text));
                        note = None;
                        c.text(&format!("[{}]", notes.len()));
                    }
                    continue;
                }
                match name.as_str() {
                    "p" | "h" => c.end_paragraph(),
                    "table-cell" => c.end_cell(),
                    "table-row" => c.end_row(),
                    "table" => c.end_table(),
                    "text" => in_body = false,
                    _ => {}
                }
            }
            Ev::Text(t) => {
                if skip > 0 || !in_body {
                    continue;
                }
                // ODF collapses white space in text content: runs become one space, and
                // extra spaces are written as `text:s`.
                let mut collapsed = String::with_capacity(t.len());
                for ch in t.chars() {
                    if matches!(ch, ' ' | '\t' | '\n' | '\r') {
                        if !collapsed.ends_with(' ') {
                            collapsed.push(' ');
                        }
                    } else {
                        collapsed.push(ch);
                    }
                }
                match &mut note {
                    Some((_, text)) => text.push_str(&collapsed),
                    None => {
                        let s = if c.ends_in_space() {
                            collapsed.trim_start_matches(' ')
                        } else {
                            &collapsed
                        };
                        c.text(s);
                    }
                }
            }
        }
    }
    blocks.extend(c.finish());
    Ok(())
}

/// Title, creation date and author from `docProps/core.xml` or `meta.xml`.
fn properties(xml: &[u8], date_tag: &str, author_tags: &[&str]) -> Meta {
    let mut meta = Meta::default();
    let mut x = Xml::new(xml);
    let mut current: Option<String> = None;
    let mut authors: BTreeMap<usize, String> = BTreeMap::new();
    // Properties are defaults only: a damaged properties part is ignored, not fatal.
    while let Ok(ev) = x.next() {
        match ev {
            Ev::Eof => break,
            Ev::Start { tag, empty: false } => current = Some(tag.name),
            Ev::Start { .. } | Ev::End(_) => current = None,
            Ev::Text(t) => {
                let t = t.trim();
                if t.is_empty() {
                    continue;
                }
                match current.as_deref() {
                    Some("title") => meta.title = Some(t.to_owned()),
                    Some(tag) if tag == date_tag => {
                        meta.date = Some(t.get(..10).unwrap_or(t).to_owned());
                    }
                    Some(tag) => {
                        if let Some(rank) = author_tags.iter().position(|a| *a == tag) {
                            authors.insert(rank, t.to_owned());
                        }
                    }
                    None => {}
                }
            }
        }
    }
    if let Some((_, author)) = authors.into_iter().next() {
        meta.attributes.insert("author".to_owned(), author);
    }
    meta
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_docx(xml: &str, expected: &[&str]) {
        let mut notes = Notes::default();
        let blocks = docx_body(xml.as_bytes(), &mut notes).unwrap();
        let got: Vec<String> = blocks
            .iter()
            .map(|b| format!("{}{}", if b.heading { "# " } else { "" }, b.text))
            .collect();
        assert_eq!(got, expected);
    }

    fn check_odt(xml: &str, expected: &[&str]) {
        let mut blocks = Vec::new();
        let mut notes = Vec::new();
        odt_body(xml.as_bytes(), &mut blocks, &mut notes).unwrap();
        let got: Vec<String> = blocks
            .iter()
            .map(|b| format!("{}{}", if b.heading { "# " } else { "" }, b.text))
            .chain(notes.iter().map(|n| format!("note: {n}")))
            .collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn docx_runs_headings_tables_and_deleted_text() {
        check_docx(
            r#"<w:document xmlns:w="w"><w:body>
              <w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>Intro</w:t></w:r></w:p>
              <w:p><w:r><w:t xml:space="preserve">Päivi: we </w:t></w:r><w:del><w:r><w:delText>never</w:delText></w:r></w:del><w:r><w:t>agree &amp; sign</w:t><w:tab/><w:t>off</w:t></w:r></w:p>
              <w:tbl><w:tr><w:tc><w:p><w:r><w:t>Term</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Order</w:t></w:r></w:p></w:tc></w:tr>
              <w:tr><w:tc><w:p><w:r><w:t>Kaleva</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>ticket</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
              <w:p><w:r><w:t>Line</w:t><w:br/><w:t>two</w:t></w:r></w:p>
            </w:body></w:document>"#,
            &[
                "# Intro",
                "Päivi: we agree & sign\toff",
                "Term\tOrder\nKaleva\tticket",
                "Line\ntwo",
            ],
        );
    }

    #[test]
    fn odt_spaces_notes_and_lists() {
        check_odt(
            r#"<office:document-content xmlns:office="o" xmlns:text="t"><office:body><office:text>
              <text:sequence-decls><text:sequence-decl text:name="x"/></text:sequence-decls>
              <text:h text:outline-level="1">Bakgrund</text:h>
              <text:p>Two<text:s text:c="2"/>spaces and a note<text:note><text:note-citation>1</text:note-citation><text:note-body><text:p>Carlile 2002.</text:p></text:note-body></text:note> here.</text:p>
              <text:list><text:list-item><text:p>first</text:p></text:list-item><text:list-item><text:p>second <text:span>item</text:span></text:p></text:list-item></text:list>
            </office:text></office:body></office:document-content>"#,
            &[
                "# Bakgrund",
                "Two  spaces and a note[1] here.",
                "first",
                "second item",
                "note: Carlile 2002.",
            ],
        );
    }

    #[test]
    fn malformed_xml_is_an_error() {
        let mut notes = Notes::default();
        let err = docx_body(b"<w:document><w:body><w:p></w:body>", &mut notes).unwrap_err();
        assert!(err.contains("malformed"), "{err}");
        let err = docx_body(b"<w:document><w:body><w:p>", &mut notes).unwrap_err();
        assert!(err.contains("truncated"), "{err}");
    }
}
