//! A small pull reader over quick-xml for office XML: local names, resolved entities, and a check that every element is closed.

use std::borrow::Cow;

use quick_xml::encoding::Decoder;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

/// An element start: its local name (namespace prefix dropped) and attributes.
#[derive(Debug)]
pub(crate) struct Tag {
    /// `p` for `<w:p>` or `<text:p>`.
    pub name: String,
    attrs: Vec<(String, String)>,
}

impl Tag {
    /// The value of the attribute with this local name (`val` for `w:val`).
    pub fn attr(&self, local: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == local)
            .map(|(_, v)| v.as_str())
    }
}

/// What the reader saw next.
#[derive(Debug)]
pub(crate) enum Ev {
    /// `<x>`; `empty` for `<x/>` (no `End` follows).
    Start { tag: Tag, empty: bool },
    /// `</x>`, with the local name.
    End(String),
    /// Character data, entities resolved.
    Text(String),
    /// The end of the document, every element closed.
    Eof,
}

/// Reads one XML part of an archive.
pub(crate) struct Xml<'a> {
    reader: Reader<&'a [u8]>,
    open: Vec<String>,
}

impl<'a> Xml<'a> {
    pub fn new(bytes: &'a [u8]) -> Xml<'a> {
        let mut reader = Reader::from_reader(bytes);
        let config = reader.config_mut();
        config.check_end_names = true;
        config.trim_text(false);
        Xml {
            reader,
            open: Vec::new(),
        }
    }

    /// The next event; the error says what is malformed and where.
    pub fn next(&mut self) -> Result<Ev, String> {
        loop {
            let at = self.reader.buffer_position();
            let decoder = self.reader.decoder();
            let event = self
                .reader
                .read_event()
                .map_err(|e| format!("malformed XML near byte {at}: {e}"))?;
            return Ok(match event {
                Event::Start(e) => {
                    let tag = tag(&e, decoder)?;
                    self.open.push(tag.name.clone());
                    Ev::Start { tag, empty: false }
                }
                Event::Empty(e) => Ev::Start {
                    tag: tag(&e, decoder)?,
                    empty: true,
                },
                Event::End(e) => {
                    self.open.pop();
                    Ev::End(local(e.local_name().as_ref()))
                }
                Event::Text(t) => Ev::Text(
                    t.xml_content()
                        .map_err(|e| format!("bad text near byte {at}: {e}"))?
                        .into_owned(),
                ),
                Event::CData(t) => Ev::Text(
                    t.decode()
                        .map_err(|e| format!("bad CDATA near byte {at}: {e}"))?
                        .into_owned(),
                ),
                Event::GeneralRef(r) => {
                    if let Some(c) = r
                        .resolve_char_ref()
                        .map_err(|e| format!("bad character reference near byte {at}: {e}"))?
                    {
                        Ev::Text(c.to_string())
                    } else {
                        // Only the five predefined entities; anything declared in a DTD is
                        // dropped, which also rules out entity-expansion bombs.
                        let name: &[u8] = &r;
                        let s = match name {
                            b"amp" => "&",
                            b"lt" => "<",
                            b"gt" => ">",
                            b"quot" => "\"",
                            b"apos" => "'",
                            _ => continue,
                        };
                        Ev::Text(s.to_owned())
                    }
                }
                Event::Eof => match self.open.last() {
                    Some(name) => {
                        return Err(format!(
                        "the XML ends before `{name}` is closed (the file is truncated or damaged)"
                    ))
                    }
                    None => Ev::Eof,
                },
                Event::Decl(_) | Event::PI(_) | Event::DocType(_) | Event::Comment(_) => continue,
            });
        }
    }
}

fn tag(e: &BytesStart<'_>, decoder: Decoder) -> Result<Tag, String> {
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|err| format!("malformed attribute: {err}"))?;
        let value = a
            .decode_and_unescape_value(decoder)
            .unwrap_or(Cow::Borrowed(""))
            .into_owned();
        attrs.push((local(a.key.local_name().as_ref()), value));
    }
    Ok(Tag {
        name: local(e.local_name().as_ref()),
        attrs,
    })
}

fn local(name: &[u8]) -> String {
    String::from_utf8_lossy(name).into_owned()
}
