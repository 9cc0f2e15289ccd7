//! Speaker labels at the start of a transcript line (`Päivi Mäkelä:`, `[00:01:02] P1:`) and clock times.

use std::sync::LazyLock;

use regex::Regex;

/// A speaker label found at the start of a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Label {
    /// The speaker as written, without timestamp or markup.
    pub speaker: String,
    /// The timestamp written with the label, in milliseconds.
    pub time_ms: Option<u64>,
    /// A timestamp that was written but could not be read.
    pub bad_time: Option<String>,
    /// Byte index in the line where the utterance may begin.
    pub end: usize,
}

/// A clock time as labels write it (`1:02`, `00:01:02.500`).
pub(crate) const TIME: &str = r"\d{1,2}(?::\d{2}){1,2}(?:[.,]\d{1,3})?";

/// A timestamp before a label: `[00:01:02]`, `(01:02)` or bare `00:01:02`, then whitespace.
const TIME_BEFORE: &str =
    r"(?:(?:\[(?P<t1>TIME)\]|\((?P<t2>TIME)\)|(?P<t3>TIME))[ \t]+(?:\*\*|__)?)?";

/// `Name:` labels. The speaker is either a name of capitalised words (`Päivi Mäkelä`,
/// `Respondent 2`, `SPEAKER_01`) or, in group `id`, one lower-case token (`admin-1`, `p03`,
/// `interviewer_2`) that [`built_in`] accepts only with a digit or underscore in it.
static BUILT_IN: LazyLock<Regex> = LazyLock::new(|| {
    let before = TIME_BEFORE.replace("TIME", TIME);
    let pattern = format!(
        r"^[ \t]*(?:\*\*|__)?{before}(?P<speaker>\p{{Lu}}[\p{{L}}\p{{M}}\p{{N}}.'’_\-]*(?:[ \t]+[\p{{L}}\p{{N}}][\p{{L}}\p{{M}}\p{{N}}.'’_\-]*){{0,4}}|(?P<id>\p{{Ll}}[\p{{L}}\p{{M}}\p{{N}}_\-]*))(?:[ \t]*(?:\((?P<t4>{TIME})\)|\[(?P<t5>{TIME})\]))?[ \t]*(?::(?:\*\*|__)|(?:\*\*|__):|:)(?:[ \t]|$)"
    );
    Regex::new(&pattern).expect("the built-in label pattern is valid")
});

/// `[P2] Yes.`, `[id1] So what …`, `[Speaker 1]`: an id in square brackets at the start of a
/// line, then whitespace (or the end of the line). [`built_in`] accepts only ids with a digit,
/// so `[laughter]`, `[Music]` and footnote marks `[1]` stay text. A colon after the bracket is
/// refused: `[id1]: https://…` is a Markdown link definition.
static BRACKETED: LazyLock<Regex> = LazyLock::new(|| {
    let before = TIME_BEFORE.replace("TIME", TIME);
    let pattern = format!(
        r"^[ \t]*{before}\[(?P<speaker>\p{{L}}[\p{{L}}\p{{M}}\p{{N}}_\-]*(?:[ \t]\p{{N}}+)?)\](?:[ \t]+|$)"
    );
    Regex::new(&pattern).expect("the bracketed label pattern is valid")
});

/// Words that end in a colon at the start of prose lines without being speakers.
pub(crate) const NOT_SPEAKERS: &[&str] = &[
    "abstract",
    "address",
    "agenda",
    "attendees",
    "audio",
    "background",
    "caution",
    "cc",
    "bcc",
    "conclusion",
    "conclusions",
    "context",
    "date",
    "duration",
    "edit",
    "email",
    "example",
    "examples",
    "file",
    "fixme",
    "from",
    "fw",
    "fwd",
    "important",
    "keywords",
    "link",
    "location",
    "method",
    "methods",
    "nb",
    "note",
    "notes",
    "objective",
    "objectives",
    "p.s",
    "phone",
    "place",
    "present",
    "ps",
    "purpose",
    "re",
    "recording",
    "reference",
    "references",
    "results",
    "see",
    "sent",
    "setting",
    "source",
    "sources",
    "subject",
    "summary",
    "tags",
    "tel",
    "time",
    "tip",
    "title",
    "to",
    "todo",
    "topic",
    "transcribed by",
    "transcriber",
    "transcript",
    "update",
    "url",
    "venue",
    "warning",
    "where",
    "when",
    "why",
    "how",
    "what",
];

/// Lower-case words allowed inside a name ("Ludwig van Beethoven", "Maria de la Cruz").
const PARTICLES: &[&str] = &[
    "af", "al", "av", "bin", "da", "das", "de", "del", "della", "der", "di", "do", "dos", "du",
    "el", "ibn", "la", "le", "ten", "ter", "van", "von", "y", "zu",
];

const MAX_LABEL_CHARS: usize = 40;

/// The built-in label detector.
///
/// A label is at most 40 chars and either
///
/// - a name of at most five words that starts with a capital letter and has only capitalised
///   words, numbers or name particles (`Päivi Mäkelä`, `Respondent 2`, `Ludwig van Beethoven`),
/// - or one lower-case id token with a digit or an underscore (`admin-1`, `p03`,
///   `interviewer_2`): a lower-case word alone (`so:`, `follow-up:`) is too often prose,
///
/// may carry a timestamp before it or after it in brackets, and is followed by `:` and
/// whitespace (or the end of the line); any padding after the colon is not part of the turn.
/// Common prose lead-ins such as `Note:` or `Subject:` are not labels. An id with a digit in
/// square brackets (`[P2] Yes.`) is a label without a colon.
pub(crate) fn built_in(line: &str) -> Option<Label> {
    named(line).or_else(|| bracketed(line))
}

fn named(line: &str) -> Option<Label> {
    let caps = BUILT_IN.captures(line)?;
    let whole = caps.get(0)?;
    let speaker = caps.name("speaker")?.as_str();
    if speaker.chars().count() > MAX_LABEL_CHARS {
        return None;
    }
    if caps.name("id").is_some() && !is_id(speaker) {
        return None;
    }
    let mut words = speaker.split([' ', '\t']).filter(|w| !w.is_empty());
    words.next()?;
    let all_named = words.all(|w| {
        w.chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c.is_numeric())
            || PARTICLES.contains(&w)
            || is_elided_particle(w)
    });
    if !all_named {
        return None;
    }
    let folded = speaker.trim_end_matches('.').to_lowercase();
    if NOT_SPEAKERS.contains(&folded.as_str()) {
        return None;
    }
    let time = ["t1", "t2", "t3", "t4", "t5"]
        .iter()
        .find_map(|g| caps.name(g))
        .map(|m| m.as_str());
    Some(label(speaker, time, whole.end()))
}

/// `[P2] Yes.`: see [`BRACKETED`].
fn bracketed(line: &str) -> Option<Label> {
    let caps = BRACKETED.captures(line)?;
    let whole = caps.get(0)?;
    let speaker = caps.name("speaker")?.as_str();
    if speaker.chars().count() > MAX_LABEL_CHARS || !speaker.chars().any(|c| c.is_numeric()) {
        return None;
    }
    let time = ["t1", "t2", "t3"]
        .iter()
        .find_map(|g| caps.name(g))
        .map(|m| m.as_str());
    Some(label(speaker, time, whole.end()))
}

/// A lower-case token is an id, not a word, when it has a digit or an underscore and ends in
/// a letter or digit (`p03`, `admin-1`, `interviewer_2`; not `re-` or `so`).
fn is_id(token: &str) -> bool {
    token.chars().any(|c| c.is_numeric() || c == '_')
        && token.chars().next_back().is_some_and(char::is_alphanumeric)
}

/// `d’Arc`, `l'Ouverture`: a short lower-case particle elided onto a capitalised name.
fn is_elided_particle(word: &str) -> bool {
    word.split_once(['\'', '’'])
        .is_some_and(|(particle, name)| {
            (1..=3).contains(&particle.chars().count())
                && particle.chars().all(char::is_lowercase)
                && name.chars().next().is_some_and(char::is_uppercase)
        })
}

/// A project's own label pattern: it must match at the start of the line (after indentation)
/// and have a non-empty `speaker` group; an optional `time` group is read as a clock time.
pub(crate) fn custom(pattern: &Regex, line: &str) -> Option<Label> {
    let caps = pattern.captures(line)?;
    let whole = caps.get(0)?;
    if !line[..whole.start()].trim().is_empty() {
        return None;
    }
    let speaker = caps.name("speaker")?.as_str().trim();
    if speaker.is_empty() {
        return None;
    }
    let time = caps.name("time").map(|m| m.as_str());
    Some(label(speaker, time, whole.end()))
}

fn label(speaker: &str, time: Option<&str>, end: usize) -> Label {
    let time_ms = time.and_then(parse_clock);
    let bad_time = match (time, time_ms) {
        (Some(raw), None) => Some(raw.to_owned()),
        _ => None,
    };
    Label {
        speaker: speaker.trim().to_owned(),
        time_ms,
        bad_time,
        end,
    }
}

/// Reads `h:mm:ss`, `mm:ss`, with an optional `.ttt` or `,ttt` fraction, as milliseconds.
///
/// Minutes and seconds must be below 60 when a larger unit precedes them.
pub(crate) fn parse_clock(s: &str) -> Option<u64> {
    let s = s.trim();
    let (clock, fraction) = match s.rfind(['.', ',']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let millis = match fraction {
        None => 0,
        Some(f) if (1..=3).contains(&f.len()) && f.bytes().all(|b| b.is_ascii_digit()) => {
            let padded = format!("{f:0<3}");
            padded.parse::<u64>().ok()?
        }
        Some(_) => return None,
    };
    let number = |p: &str, max_len: usize| -> Option<u64> {
        if p.is_empty() || p.len() > max_len || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        p.parse().ok()
    };
    let parts: Vec<&str> = clock.split(':').collect();
    let (h, m, sec) = match parts.as_slice() {
        [m, s] => (0, number(m, 4)?, number(s, 2)?),
        [h, m, s] => (number(h, 4)?, number(m, 2)?, number(s, 2)?),
        _ => return None,
    };
    if sec >= 60 || (parts.len() == 3 && m >= 60) {
        return None;
    }
    Some(((h * 60 + m) * 60 + sec) * 1000 + millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_clock(input: &str, expected: Option<u64>) {
        assert_eq!(parse_clock(input), expected, "{input:?}");
    }

    #[test]
    fn clocks() {
        check_clock("01:02", Some(62_000));
        check_clock("00:01:02", Some(62_000));
        check_clock("1:00:00", Some(3_600_000));
        check_clock("00:01:02.500", Some(62_500));
        check_clock("00:00:05,000", Some(5_000));
        check_clock("00:00:05.5", Some(5_500));
        check_clock("123:05.000", Some(7_385_000));
        check_clock("00:61:00", None);
        check_clock("00:00:60", None);
        check_clock("00:00", Some(0));
        check_clock("5", None);
        check_clock("aa:bb", None);
        check_clock("00:00:05.0000", None);
        check_clock("", None);
    }
}
