//! Reading XML as a stream of owned elements with line numbers, text and attribute values decoded exactly as XML prescribes.

use std::io::{self, BufRead, BufReader, Read};

use quick_xml::events::{BytesStart, Event};

use super::archive::LimitHit;
use super::Tolerance;
use crate::error::Place;
use crate::{Error, Result};

/// A `BufRead` that counts the line breaks quick-xml has consumed, so every event knows
/// its line without the document being held in memory.
pub(crate) struct Lines<R> {
    inner: BufReader<R>,
    newlines: usize,
}

impl<R: Read> Lines<R> {
    pub fn new(inner: R) -> Lines<R> {
        Lines {
            inner: BufReader::with_capacity(64 * 1024, inner),
            newlines: 0,
        }
    }
}

impl<R: Read> Read for Lines<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(out)?;
        self.newlines += out[..n].iter().filter(|&&b| b == b'\n').count();
        Ok(n)
    }
}

impl<R: Read> BufRead for Lines<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        let buf = self.inner.buffer();
        let amt = amt.min(buf.len());
        self.newlines += buf[..amt].iter().filter(|&&b| b == b'\n').count();
        self.inner.consume(amt);
    }
}

/// An element's start tag: local name, attributes (local names, values decoded), line.
#[derive(Debug)]
pub(crate) struct Tag {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub line: usize,
    /// Whether it was `<x/>`.
    pub empty: bool,
}

impl Tag {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// What the parser sees.
pub(crate) enum Item {
    Start(Tag),
    End,
    Text(String),
    Eof,
}

/// The XML of one archive entry (or a `.qdc`), read event by event.
pub(crate) struct XmlIn<R: Read> {
    reader: quick_xml::Reader<Lines<R>>,
    buf: Vec<u8>,
    pub file: String,
    pub entry: String,
    /// Line of the last item returned.
    pub line: usize,
    depth: usize,
    /// Whether anything but a declaration, comments and whitespace came before the root.
    seen_root: bool,
    pub saw_decl: bool,
    pub standalone_no: bool,
}

impl<R: Read> XmlIn<R> {
    pub fn new(inner: R, file: &str, entry: &str) -> XmlIn<R> {
        let mut reader = quick_xml::Reader::from_reader(Lines::new(inner));
        let config = reader.config_mut();
        config.check_end_names = true;
        config.expand_empty_elements = false;
        XmlIn {
            reader,
            buf: Vec::with_capacity(4096),
            file: file.to_owned(),
            entry: entry.to_owned(),
            line: 1,
            depth: 0,
            seen_root: false,
            saw_decl: false,
            standalone_no: false,
        }
    }

    /// Consumes a UTF-8 byte-order mark at the start; whether there was one.
    pub fn skip_bom(&mut self) -> bool {
        let lines = self.reader.get_mut();
        match lines.fill_buf() {
            Ok([0xEF, 0xBB, 0xBF, ..]) => {
                lines.consume(3);
                true
            }
            _ => false,
        }
    }

    /// An error at the current line.
    pub fn error(&self, message: impl Into<String>) -> Error {
        self.error_at(self.line, message)
    }

    pub fn error_at(&self, line: usize, message: impl Into<String>) -> Error {
        Error::Xml {
            at: Place::boxed(&self.file, &self.entry, line),
            message: message.into(),
        }
    }

    fn quick_error(&self, e: quick_xml::Error) -> Error {
        if let quick_xml::Error::Io(io) = &e {
            if let Some(hit) = io.get_ref().and_then(|i| i.downcast_ref::<LimitHit>()) {
                return hit.to_error(&self.file);
            }
            return Error::Archive {
                name: self.file.clone(),
                reason: format!("entry `{}` is damaged or truncated ({io})", self.entry),
            };
        }
        let line = 1 + self.reader.get_ref().newlines;
        self.error_at(
            line,
            format!("not well-formed XML ({e}); the file is damaged or was not written by a QDA program"),
        )
    }

    fn tag(&self, e: &BytesStart<'_>, empty: bool, line: usize) -> Result<Tag> {
        let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
        let mut attrs = Vec::new();
        for a in e.attributes() {
            let a = a.map_err(|err| {
                self.error_at(line, format!("`{name}` has a malformed attribute ({err})"))
            })?;
            let key = a.key;
            // Namespace declarations say nothing about the content here.
            if key.as_ref() == b"xmlns" || key.as_ref().starts_with(b"xmlns:") {
                let k = String::from_utf8_lossy(key.as_ref()).into_owned();
                let v = String::from_utf8_lossy(&a.value).into_owned();
                attrs.push((k, v));
                continue;
            }
            let k = String::from_utf8_lossy(key.local_name().as_ref()).into_owned();
            let raw = std::str::from_utf8(&a.value).map_err(|_| {
                self.error_at(line, format!("`{name}` attribute `{k}` is not UTF-8"))
            })?;
            let v = attr_value(raw)
                .map_err(|err| self.error_at(line, format!("`{name}` attribute `{k}`: {err}")))?;
            attrs.push((k, v));
        }
        Ok(Tag {
            name,
            attrs,
            line,
            empty,
        })
    }

    /// The next start tag, end tag, text or the end of the document. Comments and
    /// processing instructions are skipped.
    pub fn next(&mut self) -> Result<Item> {
        loop {
            let line = 1 + self.reader.get_ref().newlines;
            let mut buf = std::mem::take(&mut self.buf);
            buf.clear();
            let got = self.one(&mut buf, line);
            self.buf = buf;
            if let Some(item) = got? {
                return Ok(item);
            }
        }
    }

    /// One event as an item; `None` for what the parser never sees.
    fn one(&mut self, buf: &mut Vec<u8>, line: usize) -> Result<Option<Item>> {
        let ev = match self.reader.read_event_into(buf) {
            Ok(ev) => ev,
            Err(e) => return Err(self.quick_error(e)),
        };
        self.line = line;
        Ok(Some(match ev {
            Event::Decl(d) => {
                self.saw_decl = true;
                if let Some(Ok(s)) = d.standalone() {
                    if s.as_ref() == b"no" {
                        self.standalone_no = true;
                    }
                }
                if let Some(Ok(enc)) = d.encoding() {
                    let enc = String::from_utf8_lossy(&enc).to_ascii_lowercase();
                    if enc != "utf-8" && enc != "utf8" {
                        return Err(self.error(format!(
                            "the XML declares encoding `{enc}`; only UTF-8 is read, \
                             export the project again as UTF-8"
                        )));
                    }
                }
                return Ok(None);
            }
            Event::Start(e) => {
                let tag = self.tag(&e, false, line)?;
                self.depth += 1;
                self.seen_root = true;
                Item::Start(tag)
            }
            Event::Empty(e) => {
                let tag = self.tag(&e, true, line)?;
                self.seen_root = true;
                Item::Start(tag)
            }
            Event::End(_) => {
                self.depth = self.depth.saturating_sub(1);
                Item::End
            }
            Event::Text(t) => {
                let s = t
                    .xml10_content()
                    .map_err(|e| self.error(format!("text: {e}")))?;
                if self.depth == 0 && !s.trim().is_empty() {
                    return Err(self.error("text outside the root element"));
                }
                Item::Text(s.into_owned())
            }
            Event::CData(t) => {
                let raw = String::from_utf8_lossy(&t)
                    .replace("\r\n", "\n")
                    .replace('\r', "\n");
                Item::Text(raw)
            }
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref() {
                    Ok(Some(c)) => c,
                    Ok(None) => {
                        let name = String::from_utf8_lossy(&r).into_owned();
                        match predefined(&name) {
                            Some(c) => c,
                            None => {
                                return Err(self.error(format!(
                                    "unknown entity `&{name};`; only XML's five are defined"
                                )))
                            }
                        }
                    }
                    Err(e) => return Err(self.error(format!("bad character reference ({e})"))),
                };
                Item::Text(c.to_string())
            }
            Event::Eof => {
                if self.depth > 0 {
                    return Err(self
                        .error("the XML ends before its elements are closed (a truncated file?)"));
                }
                if !self.seen_root {
                    return Err(self.error("the XML has no root element (an empty file?)"));
                }
                Item::Eof
            }
            Event::DocType(_) => {
                return Err(self.error("a DOCTYPE is not allowed in a REFI-QDA file"));
            }
            Event::Comment(_) | Event::PI(_) => return Ok(None),
        }))
    }

    /// The text content of the element whose start tag was just read, up to its end.
    /// Child elements are not allowed.
    pub fn text(&mut self, tag: &Tag) -> Result<String> {
        if tag.empty {
            return Ok(String::new());
        }
        let mut out = String::new();
        loop {
            match self.next()? {
                Item::Text(t) => out.push_str(&t),
                Item::End => return Ok(out),
                Item::Start(t) => {
                    return Err(self.error(format!(
                        "`{}` holds an element `{}`, but it holds text only",
                        tag.name, t.name
                    )))
                }
                Item::Eof => return Err(self.error("the XML ends inside an element")),
            }
        }
    }

    /// Skips the rest of the element whose start tag was just read.
    pub fn skip(&mut self, tag: &Tag) -> Result<()> {
        if tag.empty {
            return Ok(());
        }
        let mut depth = 1usize;
        while depth > 0 {
            match self.next()? {
                Item::Start(t) if !t.empty => depth += 1,
                Item::End => depth -= 1,
                Item::Eof => return Err(self.error("the XML ends inside an element")),
                _ => {}
            }
        }
        Ok(())
    }

    /// Calls `f` for each child element of the element whose start tag was just read;
    /// text between children must be whitespace.
    pub fn children(
        &mut self,
        tag: &Tag,
        tol: &mut Tolerance,
        mut f: impl FnMut(&mut Self, Tag, &mut Tolerance) -> Result<()>,
    ) -> Result<()> {
        if tag.empty {
            return Ok(());
        }
        loop {
            match self.next()? {
                Item::Start(child) => f(self, child, tol)?,
                Item::End => return Ok(()),
                Item::Text(t) if t.trim().is_empty() => {}
                Item::Text(_) => {
                    return Err(self.error(format!(
                        "`{}` holds text, but it holds elements only",
                        tag.name
                    )))
                }
                Item::Eof => return Err(self.error("the XML ends inside an element")),
            }
        }
    }
}

fn predefined(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        _ => return None,
    })
}

/// An attribute value as XML prescribes: literal line breaks and tabs become spaces
/// (CRLF one space), then references are resolved, so `&#10;` stays a line break.
pub(crate) fn attr_value(raw: &str) -> std::result::Result<String, String> {
    let normalized: std::borrow::Cow<'_, str> = if raw.contains(['\t', '\n', '\r']) {
        std::borrow::Cow::Owned(raw.replace("\r\n", " ").replace(['\t', '\n', '\r'], " "))
    } else {
        std::borrow::Cow::Borrowed(raw)
    };
    quick_xml::escape::unescape(&normalized)
        .map(|c| c.into_owned())
        .map_err(|e| format!("{e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_values() {
        for (raw, value) in [
            ("plain", "plain"),
            ("a&amp;b &lt;c&gt; &quot;", "a&b <c> \""),
            ("l1&#13;&#10;l2&#9;x", "l1\r\nl2\tx"),
            ("l1\r\nl2\tx", "l1 l2 x"),
            ("&#x1F642;", "🙂"),
        ] {
            assert_eq!(attr_value(raw).as_deref(), Ok(value), "{raw}");
        }
        assert!(attr_value("&nbsp;").is_err());
    }

    #[test]
    fn texts_and_lines() {
        let xml = "<?xml version=\"1.0\"?>\n<A x=\"1\">\n  <B>one &amp; two&#13;\r\nthree</B>\n  <C/>\n</A>\n";
        let mut r = XmlIn::new(xml.as_bytes(), "t", "t.xml");
        let mut tol = Tolerance::default();
        let a = loop {
            match r.next().unwrap() {
                Item::Start(t) => break t,
                Item::Text(t) => assert!(t.trim().is_empty()),
                _ => panic!("no root"),
            }
        };
        assert_eq!((a.name.as_str(), a.line, a.get("x")), ("A", 2, Some("1")));
        let mut seen = Vec::new();
        r.children(&a, &mut tol, |r, t, _| {
            let text = if t.name == "B" {
                r.text(&t)?
            } else {
                String::new()
            };
            seen.push((t.name.clone(), t.line, text));
            Ok(())
        })
        .unwrap();
        assert_eq!(
            seen,
            vec![
                ("B".to_owned(), 3, "one & two\r\nthree".to_owned()),
                ("C".to_owned(), 5, String::new())
            ]
        );
        assert!(matches!(r.next().unwrap(), Item::Text(_)));
        assert!(matches!(r.next().unwrap(), Item::Eof));
    }

    #[test]
    fn truncated_xml_is_an_error_with_a_line() {
        let mut r = XmlIn::new("<A>\n<B>".as_bytes(), "t", "t.xml");
        let err = loop {
            match r.next() {
                Ok(Item::Eof) => panic!("no error"),
                Ok(_) => {}
                Err(e) => break e.to_string(),
            }
        };
        assert!(err.contains("line 2"), "{err}");
    }
}
