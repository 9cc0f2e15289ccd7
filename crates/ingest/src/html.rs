//! HTML pages: the visible text with paragraph and heading structure; scripts, styles and navigation dropped; `<title>` and `<meta name="date">` as defaults.

use html5gum::{DefaultEmitter, Token, Tokenizer};

use crate::blocks::{Block, Collector};
use crate::Meta;

/// Elements whose content is never visible text, or is site chrome rather than the page.
const SKIP: &[&str] = &[
    "script", "style", "noscript", "template", "nav", "footer", "svg", "math", "iframe", "object",
    "select", "button",
];

/// Elements that start and end a paragraph.
const BLOCK: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "header",
    "main",
    "aside",
    "blockquote",
    "li",
    "dd",
    "dt",
    "figcaption",
    "figure",
    "address",
    "pre",
    "ul",
    "ol",
    "dl",
    "hr",
    "form",
    "fieldset",
    "details",
    "summary",
    "body",
    "html",
    "center",
];

const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// Reads an HTML page into blocks and its title/date/author.
pub(crate) fn extract(html: &str) -> (Vec<Block>, Meta) {
    let mut emitter = DefaultEmitter::default();
    // Script, style, textarea and title content must be read as raw text, not as markup.
    emitter.naively_switch_states(true);
    let mut c = Collector::default();
    let mut meta = Meta::default();
    // Open skipped elements by name; an element inside one is ignored until it closes.
    let mut skipping: Vec<String> = Vec::new();
    let mut in_title = false;
    let mut title = String::new();
    let mut pre = 0usize;
    // Tables nested in a cell are flattened into it.
    let mut tables = 0usize;
    for token in Tokenizer::new_with_emitter(html, emitter).flatten() {
        match token {
            Token::StartTag(tag) => {
                let name = String::from_utf8_lossy(&tag.name).to_ascii_lowercase();
                let attr = |key: &str| {
                    tag.attributes
                        .get(key.as_bytes())
                        .map(|v| String::from_utf8_lossy(v).trim().to_owned())
                };
                if name == "meta" {
                    read_meta(attr("name"), attr("content"), &mut meta);
                    continue;
                }
                if name == "title" {
                    in_title = !tag.self_closing;
                    continue;
                }
                if !skipping.is_empty() {
                    if !tag.self_closing && !VOID.contains(&name.as_str()) {
                        skipping.push(name);
                    }
                    continue;
                }
                let role = attr("role").unwrap_or_default();
                if SKIP.contains(&name.as_str())
                    || matches!(role.as_str(), "navigation" | "banner" | "contentinfo")
                    || attr("hidden").is_some()
                {
                    if !tag.self_closing && !VOID.contains(&name.as_str()) {
                        skipping.push(name);
                    }
                    continue;
                }
                match name.as_str() {
                    "br" => c.text("\n"),
                    "h1" | "h2" | "h3" | "h4" | "h5" | "h6" if tables == 0 => {
                        c.end_paragraph();
                        c.start_paragraph(true);
                    }
                    "table" => {
                        if tables == 0 {
                            c.end_paragraph();
                            c.start_table();
                        }
                        tables += 1;
                    }
                    "tr" if tables == 1 => {
                        c.end_row();
                        c.start_row();
                    }
                    "td" | "th" if tables == 1 => {
                        c.end_cell();
                        c.start_cell();
                    }
                    "pre" => {
                        pre += 1;
                        paragraph_break(&mut c, tables);
                    }
                    _ if BLOCK.contains(&name.as_str()) => paragraph_break(&mut c, tables),
                    "img" => {
                        // Alternative text is what a reader of the page is told is there.
                        if let Some(alt) = attr("alt").filter(|a| !a.is_empty()) {
                            add_text(&mut c, &format!(" {alt} "), pre > 0);
                        }
                    }
                    _ => {}
                }
            }
            Token::EndTag(tag) => {
                let name = String::from_utf8_lossy(&tag.name).to_ascii_lowercase();
                if name == "title" {
                    in_title = false;
                    continue;
                }
                if let Some(pos) = skipping.iter().rposition(|s| *s == name) {
                    skipping.truncate(pos);
                    continue;
                }
                if !skipping.is_empty() {
                    continue;
                }
                match name.as_str() {
                    "h1" | "h2" | "h3" | "h4" | "h5" | "h6" if tables == 0 => c.end_paragraph(),
                    "table" => {
                        tables = tables.saturating_sub(1);
                        if tables == 0 {
                            c.end_table();
                        }
                    }
                    "tr" if tables == 1 => c.end_row(),
                    "td" | "th" if tables == 1 => c.end_cell(),
                    "pre" => {
                        pre = pre.saturating_sub(1);
                        paragraph_break(&mut c, tables);
                    }
                    _ if BLOCK.contains(&name.as_str()) => paragraph_break(&mut c, tables),
                    _ => {}
                }
            }
            Token::String(s) => {
                let s = String::from_utf8_lossy(&s);
                if in_title {
                    title.push_str(&s);
                } else if skipping.is_empty() {
                    add_text(&mut c, &s, pre > 0);
                }
            }
            Token::Comment(_) | Token::Doctype(_) | Token::Error(_) => {}
        }
    }
    let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
    if !title.is_empty() {
        meta.title = Some(title);
    }
    (c.finish(), meta)
}

/// Ends the open paragraph (inside a table, a cell's paragraphs just run on).
fn paragraph_break(c: &mut Collector, tables: usize) {
    if tables == 0 {
        c.end_paragraph();
    }
}

/// Adds text, opening a paragraph for text outside any; white space collapses outside `<pre>`.
fn add_text(c: &mut Collector, s: &str, pre: bool) {
    if !c.in_text() {
        if s.trim().is_empty() {
            return;
        }
        c.start_paragraph(false);
    }
    if pre {
        c.text(s);
        return;
    }
    let mut out = String::with_capacity(s.len());
    let mut space = c.ends_in_space();
    for ch in s.chars() {
        if ch.is_whitespace() && ch != '\u{a0}' {
            if !space {
                out.push(' ');
                space = true;
            }
        } else {
            out.push(ch);
            space = false;
        }
    }
    c.text(&out);
}

fn read_meta(name: Option<String>, content: Option<String>, meta: &mut Meta) {
    let (Some(name), Some(content)) = (name, content) else {
        return;
    };
    if content.is_empty() {
        return;
    }
    match name.to_ascii_lowercase().as_str() {
        "date" | "dc.date" | "dcterms.date" | "dcterms.created" | "article:published_time"
            if meta.date.is_none() =>
        {
            meta.date = Some(content.get(..10).unwrap_or(&content).to_owned());
        }
        "author" | "dc.creator" => {
            meta.attributes.insert("author".to_owned(), content);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(html: &str, expected: &[&str]) {
        let (blocks, _) = extract(html);
        let got: Vec<String> = blocks
            .iter()
            .map(|b| format!("{}{}", if b.heading { "# " } else { "" }, b.text))
            .collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn visible_text_only() {
        check(
            "<html><head><title>T</title><style>p{color:red}</style><script>var x = '<p>no</p>';</script></head>\
             <body><nav><a href=/>Home</a></nav><h1>Huolto &amp; tuki</h1>\
             <p>First   para\ngraph <b>bold</b>.<p>Second<br>line</p>\
             <ul><li>one<li>two</ul><table><tr><th>Term<th>Meaning<tr><td>order<td>ticket</table>\
             <footer>© 2013</footer></body></html>",
            &[
                "# Huolto & tuki",
                "First para graph bold.",
                "Second\nline",
                "one",
                "two",
                "Term\tMeaning\norder\tticket",
            ],
        );
    }

    #[test]
    fn title_and_date_from_head() {
        let (_, meta) = extract(
            r#"<title> Kaleva  news </title><meta name="date" content="2013-05-02T10:00"><meta name="author" content="Päivi">"#,
        );
        assert_eq!(meta.title.as_deref(), Some("Kaleva news"));
        assert_eq!(meta.date.as_deref(), Some("2013-05-02"));
        assert_eq!(meta.attributes["author"], "Päivi");
    }

    #[test]
    fn tag_soup_does_not_lose_text() {
        check("<div><p>a<div>b</span></i>c", &["a", "bc"]);
        check("<script>never closed", &[]);
    }
}
