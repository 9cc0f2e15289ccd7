//! E-mail: `.eml` messages and `.mbox` archives, one document per message — body with quoted replies marked, headers as metadata, attachments listed.

use std::sync::LazyLock;

use mail_parser::{Address, MessageParser, MimeHeaders};
use regex::Regex;

use crate::{Diagnostic, Error, Extracted, Format, Meta, Result, Segment};

/// One message.
pub(crate) fn eml(name: &str, bytes: &[u8]) -> Result<Extracted> {
    message(bytes).ok_or_else(|| Error::Corrupt {
        name: name.to_owned(),
        format: Format::Eml,
        reason: "no e-mail headers (From:, Date:, Subject:) were found".to_owned(),
    })
}

/// Every message of an mbox archive; a message without headers is left out with a warning.
pub(crate) fn mbox(name: &str, bytes: &[u8]) -> Result<Vec<Extracted>> {
    if !bytes.starts_with(b"From ") {
        return Err(Error::Corrupt {
            name: name.to_owned(),
            format: Format::Mbox,
            reason: "an mbox archive starts with a `From ` line; save single messages as .eml"
                .to_owned(),
        });
    }
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    for (i, msg) in mail_parser::mailbox::mbox::MessageIterator::new(bytes).enumerate() {
        let msg = msg.map_err(|e| Error::Corrupt {
            name: name.to_owned(),
            format: Format::Mbox,
            reason: e.to_string(),
        })?;
        match message(msg.contents()) {
            Some(mut e) => {
                e.part = Some(format!("#{}", i + 1));
                out.push(e);
            }
            None => skipped.push(Diagnostic {
                line: None,
                message: format!("message {} has no e-mail headers; it was left out", i + 1),
            }),
        }
    }
    match out.first_mut() {
        Some(first) => first.diagnostics.extend(skipped),
        None => {
            return Err(Error::NothingToImport {
                name: name.to_owned(),
                reason: "the archive holds no readable messages".to_owned(),
            })
        }
    }
    Ok(out)
}

fn message(bytes: &[u8]) -> Option<Extracted> {
    let msg = MessageParser::default().parse(bytes)?;
    if msg.from().is_none() && msg.subject().is_none() && msg.date().is_none() {
        return None;
    }
    let mut meta = Meta {
        title: msg
            .subject()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned),
        ..Meta::default()
    };
    let mut when = None;
    if let Some(d) = msg.date() {
        meta.date = Some(format!("{:04}-{:02}-{:02}", d.year, d.month, d.day));
        when = Some(format!(
            "{:04}-{:02}-{:02} {:02}:{:02}",
            d.year, d.month, d.day, d.hour, d.minute
        ));
    }
    for (key, addr) in [("from", msg.from()), ("to", msg.to()), ("cc", msg.cc())] {
        if let Some(list) = addr.map(addresses).filter(|l| !l.is_empty()) {
            meta.attributes.insert(key.to_owned(), list);
        }
    }
    let mut diagnostics = Vec::new();
    let attachments: Vec<String> = msg
        .attachments()
        .map(|a| a.attachment_name().unwrap_or("(unnamed)").to_owned())
        .collect();
    if !attachments.is_empty() {
        diagnostics.push(Diagnostic {
            line: None,
            message: format!(
                "{} attachment(s) listed in the `attachments` attribute, not imported",
                attachments.len()
            ),
        });
        meta.attributes
            .insert("attachments".to_owned(), attachments.join("; "));
    }
    let sender = msg
        .from()
        .and_then(Address::first)
        .and_then(|a| a.name().or(a.address()))
        .map(|s| s.trim().to_owned());
    let mut body = String::new();
    for i in 0..msg.text_body_count() {
        if let Some(part) = msg.body_text(i) {
            if !body.is_empty() {
                body.push_str("\n\n");
            }
            body.push_str(&part);
        }
    }
    let (text, passages) = body_passages(&body, sender.as_deref());
    if let Some(when) = when {
        meta.attributes.insert("sent".to_owned(), when);
    }
    Some(Extracted {
        text,
        passages,
        meta,
        diagnostics,
        encoding: "UTF-8",
        part: None,
    })
}

fn addresses(a: &Address<'_>) -> String {
    a.iter()
        .map(|addr| match (addr.name(), addr.address()) {
            (Some(n), Some(e)) => format!("{n} <{e}>"),
            (Some(n), None) => n.to_owned(),
            (None, Some(e)) => e.to_owned(),
            (None, None) => String::new(),
        })
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

/// `On Tue, 27 Aug 2013 at 16:02, Kari Järvinen <kari@…> wrote:` (and a few languages).
static ATTRIBUTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?P<lead>.*?)\s*(?:wrote|schrieb|skrev|kirjoitti|a écrit)\s*:\s*$")
        .expect("the attribution pattern is valid")
});

static FORWARD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*-{2,}\s*(?:original message|forwarded message|alkuperäinen viesti|ursprungligt meddelande)\s*-{2,}\s*$")
        .expect("the separator pattern is valid")
});

/// The stored body (LF line endings, trimmed) and its passages: paragraphs of the sender's
/// own text, spoken by the sender, and blocks of quoted text kept with their `>` marks, spoken
/// by `"<author> (quoted)"` so that analyses can tell them apart.
fn body_passages(body: &str, sender: Option<&str>) -> (String, Vec<Segment>) {
    let normalised = body.replace("\r\n", "\n").replace('\r', "\n");
    let text = normalised
        .trim_matches(|c: char| c.is_whitespace())
        .to_owned();
    let mut passages = Vec::new();
    // (start char, end char, quoted) of the open block.
    let mut open: Option<(usize, usize, bool)> = None;
    let mut quote_author: Option<String> = None;
    // After an Outlook-style `-----Original Message-----` line everything is quoted.
    let mut rest_quoted = false;
    let mut at = 0;
    let flush = |open: &mut Option<(usize, usize, bool)>,
                 author: &Option<String>,
                 out: &mut Vec<Segment>| {
        if let Some((s, e, quoted)) = open.take() {
            let speaker = if quoted {
                Some(match author {
                    Some(a) => format!("{a} (quoted)"),
                    None => "(quoted)".to_owned(),
                })
            } else {
                sender.map(str::to_owned)
            };
            out.push(Segment {
                speaker,
                ..Segment::new(s, e)
            });
        }
    };
    for line in text.split('\n') {
        let len = line.chars().count();
        let trimmed = line.trim();
        if FORWARD.is_match(line) {
            rest_quoted = true;
        }
        let quoted = rest_quoted || trimmed.starts_with('>');
        if trimmed.is_empty() {
            if !quoted {
                flush(&mut open, &quote_author, &mut passages);
            }
        } else {
            let lead = line.len() - line.trim_start().len();
            let s = at + line[..lead].chars().count();
            let e = s + trimmed.chars().count();
            match &mut open {
                Some((_, end, q)) if *q == quoted => *end = e,
                _ => {
                    flush(&mut open, &quote_author, &mut passages);
                    open = Some((s, e, quoted));
                }
            }
            if !quoted {
                if let Some(caps) = ATTRIBUTION.captures(trimmed) {
                    quote_author = caps.name("lead").and_then(|m| author_of(m.as_str()));
                }
            }
        }
        at += len + 1;
    }
    flush(&mut open, &quote_author, &mut passages);
    let mut stored = text;
    if !stored.is_empty() {
        stored.push('\n');
    }
    (stored, passages)
}

/// The name in an attribution lead: the part after the last comma, without the address.
fn author_of(lead: &str) -> Option<String> {
    let without_addr = match lead.find('<') {
        Some(i) => &lead[..i],
        None => lead,
    };
    let name = without_addr
        .rsplit(',')
        .next()
        .unwrap_or(without_addr)
        .trim()
        .trim_matches('"')
        .trim();
    let name = name.strip_prefix("On ").unwrap_or(name).trim();
    (!name.is_empty() && name.chars().count() <= 60).then(|| name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::char_slice;

    fn check(body: &str, expected: &[(&str, Option<&str>)]) {
        let (text, passages) = body_passages(body, Some("Åsa Ström"));
        let got: Vec<(&str, Option<&str>)> = passages
            .iter()
            .map(|p| {
                (
                    char_slice(&text, p.start, p.end).unwrap(),
                    p.speaker.as_deref(),
                )
            })
            .collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn quoted_replies_are_marked() {
        check(
            "Hej Kari,\r\nagreed 👍\r\n\r\nOn 27 Aug 2013, at 16:02, Kari Järvinen <kari@saimaa.example> wrote:\r\n> Who pays?\r\n>\r\n> — Kari\r\n",
            &[
                ("Hej Kari,\nagreed 👍", Some("Åsa Ström")),
                (
                    "On 27 Aug 2013, at 16:02, Kari Järvinen <kari@saimaa.example> wrote:",
                    Some("Åsa Ström"),
                ),
                ("> Who pays?\n>\n> — Kari", Some("Kari Järvinen (quoted)")),
            ],
        );
    }

    #[test]
    fn outlook_separator_quotes_the_rest() {
        check(
            "Fine.\n\n-----Original Message-----\nFrom: Olli\n\nOld text",
            &[
                ("Fine.", Some("Åsa Ström")),
                (
                    "-----Original Message-----\nFrom: Olli\n\nOld text",
                    Some("(quoted)"),
                ),
            ],
        );
    }
}
