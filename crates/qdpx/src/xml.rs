//! Writing XML with quick-xml events, escaped so that every character survives any conforming reader.
//!
//! quick-xml escapes `&<>"'` but leaves tabs and line breaks in attribute values, which a
//! conforming reader turns into spaces, and a CR in text, which it turns into LF. Ambit's
//! names, definitions and memos must come back exactly, so those are written as character
//! references. Characters XML 1.0 cannot hold at all (most C0 controls, U+FFFE, U+FFFF) are
//! replaced by U+FFFD and counted, so the report can say so.

use std::borrow::Cow;
use std::io::{self, Write};

use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

/// Whether XML 1.0 can hold `c` at all.
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Escapes `s` for an attribute value (`attr`) or element text, counting replaced
/// characters in `replaced`.
fn escape<'a>(s: &'a str, attr: bool, replaced: &mut usize) -> Cow<'a, str> {
    let needs = |c: char| {
        matches!(c, '&' | '<' | '>' | '"' | '\r')
            || (attr && matches!(c, '\t' | '\n'))
            || !is_xml_char(c)
    };
    if !s.chars().any(needs) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attr => out.push_str("&quot;"),
            '\r' => out.push_str("&#13;"),
            '\t' if attr => out.push_str("&#9;"),
            '\n' if attr => out.push_str("&#10;"),
            c if !is_xml_char(c) => {
                *replaced += 1;
                out.push('\u{FFFD}');
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// An XML document being written: elements indented by two spaces.
pub(crate) struct XmlOut<W: Write> {
    w: quick_xml::Writer<W>,
    /// Characters replaced because XML cannot hold them.
    pub replaced: usize,
}

impl<W: Write> XmlOut<W> {
    pub fn new(inner: W) -> XmlOut<W> {
        XmlOut {
            w: quick_xml::Writer::new_with_indent(inner, b' ', 2),
            replaced: 0,
        }
    }

    /// `<?xml version="1.0" encoding="utf-8"?>`, as the REFI examples write it.
    pub fn decl(&mut self) -> io::Result<()> {
        self.w
            .write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)))
    }

    fn tag<'a>(&mut self, name: &'a str, attrs: &[(&str, &str)]) -> BytesStart<'a> {
        let mut tag = BytesStart::new(name);
        for (k, v) in attrs {
            let v = escape(v, true, &mut self.replaced);
            tag.push_attribute(Attribute::from((k.as_bytes(), v.as_bytes())));
        }
        tag
    }

    pub fn start(&mut self, name: &str, attrs: &[(&str, &str)]) -> io::Result<()> {
        let tag = self.tag(name, attrs);
        self.w.write_event(Event::Start(tag))
    }

    pub fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) -> io::Result<()> {
        let tag = self.tag(name, attrs);
        self.w.write_event(Event::Empty(tag))
    }

    pub fn end(&mut self, name: &str) -> io::Result<()> {
        self.w.write_event(Event::End(BytesEnd::new(name)))
    }

    /// `<name>text</name>`, the text exact.
    pub fn text_element(&mut self, name: &str, text: &str) -> io::Result<()> {
        self.start(name, &[])?;
        let escaped = escape(text, false, &mut self.replaced);
        self.w
            .write_event(Event::Text(BytesText::from_escaped(escaped)))?;
        self.end(name)
    }

    /// `<name>text</name>` unless `text` is empty.
    pub fn text_element_nonempty(&mut self, name: &str, text: &str) -> io::Result<()> {
        if text.is_empty() {
            return Ok(());
        }
        self.text_element(name, text)
    }

    pub fn finish(mut self) -> io::Result<(W, usize)> {
        self.w.get_mut().write_all(b"\n")?;
        let replaced = self.replaced;
        Ok((self.w.into_inner(), replaced))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, attr: bool, expected: &str, replaced: usize) {
        let mut n = 0;
        assert_eq!(escape(input, attr, &mut n), expected, "{input:?}");
        assert_eq!(n, replaced, "{input:?}");
    }

    #[test]
    fn escapes() {
        check("plain ääkköset 🙂", true, "plain ääkköset 🙂", 0);
        check("a&b<c>\"d\"", true, "a&amp;b&lt;c&gt;&quot;d&quot;", 0);
        check("a&b<c>\"d\"", false, "a&amp;b&lt;c&gt;\"d\"", 0);
        check("l1\r\nl2\tx", true, "l1&#13;&#10;l2&#9;x", 0);
        check("l1\r\nl2\tx", false, "l1&#13;\nl2\tx", 0);
        check("bell\u{7}end\u{FFFE}", false, "bell\u{FFFD}end\u{FFFD}", 2);
    }
}
