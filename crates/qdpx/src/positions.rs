//! Selection positions of other tools mapped into Ambit's text: the unit each file was counted in, detected, and every boundary placed or reported.
//!
//! REFI means positions to count characters of the plain text, but tools count differently
//! (the shared README): NVivo counts UTF-16 code units of the `.txt` as stored (CRLF as two,
//! the UTF-8 BOM not counted), ATLAS.ti reportedly counts CRLF once, Python tools count code
//! points, and a tool that reads the BOM as a character counts it. Ambit's text is the file's
//! text with LF line endings, counted in chars. So each reading is a walk over the text as
//! it is in the archive, counting units one way and Ambit's chars the other, placing every
//! boundary on the way. A boundary that falls inside a CRLF pair or a surrogate pair in a
//! reading cannot be placed in it; one past the end lies outside.

use std::fmt;

use ambit_core::text::is_word_char;

/// How a file's positions were counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Unit {
    /// UTF-16 code units (a character outside the BMP, like most emoji, counts two);
    /// otherwise code points.
    pub utf16: bool,
    /// CRLF counted as one (the text had CRLF line ends); otherwise as two.
    pub crlf_as_one: bool,
    /// The byte-order mark counted as a character.
    pub bom_counted: bool,
}

impl Unit {
    /// The standard's reading: characters (code points) of the text file as stored.
    pub const STANDARD: Unit = Unit {
        utf16: false,
        crlf_as_one: false,
        bom_counted: false,
    };

    /// The unit a tool is known to count in, from the project's `origin` attribute.
    pub(crate) fn of_origin(origin: &str) -> Option<(Unit, &'static str)> {
        let o = origin.to_lowercase();
        let unit = |utf16, crlf_as_one| Unit {
            utf16,
            crlf_as_one,
            bom_counted: false,
        };
        if o.contains("nvivo") {
            Some((unit(true, false), "NVivo"))
        } else if o.contains("atlas.ti") || o.contains("atlasti") {
            Some((unit(true, true), "ATLAS.ti"))
        } else if o.contains("qualcoder") {
            Some((unit(false, true), "QualCoder"))
        } else if o.contains("transana") {
            Some((unit(false, true), "Transana"))
        } else if o.starts_with(crate::write::ORIGIN_PREFIX.to_lowercase().as_str()) {
            Some((Unit::STANDARD, "Ambit"))
        } else {
            None
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.utf16 {
            "UTF-16 code units"
        } else {
            "characters (code points)"
        })?;
        f.write_str(if self.crlf_as_one {
            ", CRLF counted once"
        } else {
            ", CRLF counted as two"
        })?;
        if self.bom_counted {
            f.write_str(", the byte-order mark counted")?;
        }
        Ok(())
    }
}

/// Where a boundary lands in Ambit's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Landing {
    /// At this char position.
    At(usize),
    /// Inside a CRLF pair or a surrogate pair.
    Split,
    /// Past the end of the text.
    Outside,
}

/// The boundaries of one reading.
#[derive(Debug, Clone)]
pub(crate) struct Reading {
    pub unit: Unit,
    /// One landing per boundary, in the order given.
    pub landings: Vec<Landing>,
    /// Boundaries past the end.
    pub outside: usize,
    /// Boundaries inside a pair.
    pub split: usize,
    /// Boundaries that are not inside a word.
    pub on_word: usize,
}

/// Places `boundaries` (positions as a tool wrote them) into the LF text of `raw` (the
/// text as in the archive, BOM removed) counting in `unit`. One pass over the text.
pub(crate) fn read(raw: &str, unit: Unit, boundaries: &[u64]) -> Reading {
    let mut order: Vec<usize> = (0..boundaries.len()).collect();
    order.sort_unstable_by_key(|&i| boundaries[i]);
    let mut landings = vec![Landing::Outside; boundaries.len()];
    let (mut outside, mut split, mut on_word) = (0, 0, 0);
    let offset = u64::from(unit.bom_counted);
    let mut u = offset;
    let mut p = 0usize;
    let mut prev: Option<char> = None;
    let mut chars = raw.chars().peekable();
    let mut k = 0;
    loop {
        let next = chars.peek().map(|&c| if c == '\r' { '\n' } else { c });
        while let Some(&i) = order.get(k) {
            let b = boundaries[i];
            if b > u {
                break;
            }
            landings[i] = if b == u || b < offset {
                // A boundary before a counted BOM is the start of the text.
                let at = if b < offset { 0 } else { p };
                let first = if b < offset { None } else { prev };
                let inside_word = first.is_some_and(is_word_char) && next.is_some_and(is_word_char);
                if !inside_word {
                    on_word += 1;
                }
                Landing::At(at)
            } else {
                split += 1;
                Landing::Split
            };
            k += 1;
        }
        let Some(c) = chars.next() else { break };
        let (width, lf) = if c == '\r' {
            if chars.peek() == Some(&'\n') {
                chars.next();
                (if unit.crlf_as_one { 1 } else { 2 }, '\n')
            } else {
                (1, '\n')
            }
        } else if unit.utf16 {
            (c.len_utf16() as u64, c)
        } else {
            (1, c)
        };
        u += width;
        p += 1;
        prev = Some(lf);
    }
    outside += boundaries.len() - k;
    Reading {
        unit,
        landings,
        outside,
        split,
        on_word,
    }
}

/// The readings that differ for this text, each once, with the preferred spelling of the
/// unit when several read the same (a text without CRLF reads the same whether CRLF
/// counts once or twice).
fn candidates(raw: &str, bom: bool, prefer: Unit) -> Vec<Unit> {
    let crlf = raw.contains("\r\n");
    let astral = raw.chars().any(|c| c > '\u{FFFF}');
    let pick = |matters: bool, pref: bool| -> Vec<bool> {
        if matters {
            vec![pref, !pref]
        } else {
            vec![pref]
        }
    };
    let mut out = Vec::new();
    for bom_counted in pick(bom, prefer.bom_counted) {
        for utf16 in pick(astral, prefer.utf16) {
            for crlf_as_one in pick(crlf, prefer.crlf_as_one) {
                out.push(Unit {
                    utf16,
                    crlf_as_one,
                    bom_counted,
                });
            }
        }
    }
    out
}

/// The reading chosen for one file, and why.
pub(crate) struct Choice {
    pub reading: Reading,
    /// Why this unit, in a sentence for the report.
    pub reason: String,
}

/// Chooses the reading of `boundaries` (start, end pairs flattened) for `raw`: one that
/// puts every boundary inside the text if any does, without splitting a pair if any does,
/// then the one with the most boundaries outside words, then the tool's own unit (`prior`,
/// from `origin`), then the standard's. The tool's own unit wins unless another puts
/// clearly more boundaries between words (two more, or a tenth of them), since people
/// select inside words too; Ambit's own files are read in the standard's unit whenever it
/// fits, because Ambit wrote them so. `None` when every reading puts some boundary past
/// the end.
pub(crate) fn choose(
    raw: &str,
    bom: bool,
    boundaries: &[u64],
    prior: Option<(Unit, &'static str)>,
) -> Option<Choice> {
    let prefer = prior.map_or(Unit::STANDARD, |(u, _)| u);
    let units = candidates(raw, bom, prefer);
    let readings: Vec<Reading> = units.iter().map(|&u| read(raw, u, boundaries)).collect();
    // Candidates come in preference order, so the first of equals wins.
    let best = readings
        .iter()
        .enumerate()
        .filter(|(_, r)| r.outside == 0)
        .max_by_key(|(i, r)| {
            (
                r.split == 0,
                r.on_word,
                std::cmp::Reverse(r.split),
                std::cmp::Reverse(*i),
            )
        })
        .map(|(i, _)| i)?;
    let total = boundaries.len();
    let fits = |r: &Reading| r.outside == 0 && r.split == 0;
    // Candidates start with the prior's unit.
    let best = match prior {
        Some((_, "Ambit")) if fits(&readings[0]) => 0,
        Some(_) if fits(&readings[0]) && best != 0 => {
            let margin = (total / 10).max(2);
            if readings[best].on_word >= readings[0].on_word + margin {
                best
            } else {
                0
            }
        }
        _ => best,
    };
    let chosen = &readings[best];
    let mut reason = match (prior, units.len()) {
        (_, 1) if total == 0 => "no selections to place".to_owned(),
        (Some((_, tool)), 1) => format!(
            "every reading agrees for this text (no CRLF{}, no characters outside the BMP); \
             counted as {tool} does",
            if bom { ", only the BOM" } else { "" }
        ),
        (None, 1) => {
            "every reading agrees for this text (no CRLF, no characters outside the BMP)".to_owned()
        }
        _ => format!(
            "{} of {total} selection boundaries fall between words in this reading",
            chosen.on_word
        ),
    };
    if units.len() > 1 {
        if let Some((pu, tool)) = prior {
            if chosen.unit == pu {
                reason.push_str(&format!(", the unit {tool} is known to count in"));
            } else if let Some(r) = readings.iter().find(|r| r.unit == pu) {
                let theirs = if r.outside > 0 {
                    format!("puts {} boundaries past the end", r.outside)
                } else if r.split > 0 {
                    format!("splits {} line breaks or surrogate pairs", r.split)
                } else {
                    format!("puts only {} between words", r.on_word)
                };
                reason.push_str(&format!(
                    "; the file is from {tool}, whose usual unit ({pu}) {theirs}"
                ));
            }
        }
        // The runner-up, unless it is the tool's unit, which was just named.
        let runner = readings
            .iter()
            .filter(|r| r.unit != chosen.unit && r.outside == 0)
            .filter(|r| prior.is_none_or(|(pu, _)| chosen.unit == pu || r.unit != pu))
            .max_by_key(|r| r.on_word);
        if let Some(r) = runner.filter(|_| total > 0) {
            reason.push_str(&format!(
                "; the next best reading, {}, puts {} between words",
                r.unit, r.on_word
            ));
        }
    }
    let reading = readings.into_iter().nth(best)?;
    Some(Choice { reading, reason })
}

/// CRLF and lone CR to LF: Ambit's text of the archive's text.
pub(crate) fn to_lf(raw: &str) -> String {
    if !raw.contains('\r') {
        return raw.to_owned();
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            if chars.peek() == Some(&'\n') {
                chars.next();
            }
            out.push('\n');
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const UTF16: Unit = Unit {
        utf16: true,
        crlf_as_one: false,
        bom_counted: false,
    };
    const ONCE: Unit = Unit {
        utf16: false,
        crlf_as_one: true,
        bom_counted: false,
    };

    fn check(raw: &str, unit: Unit, boundaries: &[u64], expected: &[Landing]) {
        let r = read(raw, unit, boundaries);
        assert_eq!(r.landings, expected, "{raw:?} in {unit}");
    }

    use Landing::{At, Outside, Split};

    #[test]
    fn readings() {
        // "a🙂b\r\nc": chars a 🙂 b \n c in Ambit's text.
        let raw = "a🙂b\r\nc";
        check(
            raw,
            Unit::STANDARD,
            &[0, 1, 2, 3, 4, 5, 6, 7],
            &[At(0), At(1), At(2), At(3), Split, At(4), At(5), Outside],
        );
        check(
            raw,
            UTF16,
            &[1, 2, 3, 4, 5, 6, 7, 8],
            &[At(1), Split, At(2), At(3), Split, At(4), At(5), Outside],
        );
        check(raw, ONCE, &[3, 4, 5, 6], &[At(3), At(4), At(5), Outside]);
        let bom = Unit {
            bom_counted: true,
            ..Unit::STANDARD
        };
        check(
            "ab",
            bom,
            &[0, 1, 2, 3, 4],
            &[At(0), At(0), At(1), At(2), Outside],
        );
        // A lone CR is a line break of one unit in every reading.
        check("a\rb", Unit::STANDARD, &[1, 2, 3], &[At(1), At(2), At(3)]);
        check("", Unit::STANDARD, &[0, 1], &[At(0), Outside]);
    }

    #[test]
    fn word_boundaries_are_counted() {
        let r = read("hello world", Unit::STANDARD, &[0, 5, 6, 11, 2]);
        assert_eq!(r.on_word, 4);
    }

    #[test]
    fn nvivo_text_is_read_in_utf16() {
        // NVivo: BOM not counted, CRLF as two, emoji as two; "Mäkelä" selected.
        let raw = "P1 🙂🙂:\r\n\r\nWe met Mäkelä today.\r\n";
        let start = "P1 🙂🙂:\r\n\r\nWe met ".encode_utf16().count() as u64;
        let end = start + 6;
        let c = choose(raw, true, &[start, end], Some((UTF16, "NVivo"))).unwrap();
        assert_eq!(c.reading.unit, UTF16, "{}", c.reason);
        let text = to_lf(raw);
        let Landing::At(s) = c.reading.landings[0] else {
            panic!()
        };
        let Landing::At(e) = c.reading.landings[1] else {
            panic!()
        };
        assert_eq!(ambit_core::text::char_slice(&text, s, e), Some("Mäkelä"));
        // Without the origin the word boundaries alone find it too.
        let c = choose(raw, true, &[start, end], None).unwrap();
        assert_eq!(c.reading.unit, UTF16, "{}", c.reason);
    }

    #[test]
    fn atlas_counts_crlf_once() {
        let raw = "Line one\r\nLine two\r\nLine three word\r\n";
        let lf = to_lf(raw);
        let start = lf.find("three").unwrap() as u64;
        let c = choose(raw, false, &[start, start + 5], None).unwrap();
        assert_eq!(c.reading.unit, ONCE, "{}", c.reason);
    }

    #[test]
    fn nothing_fits() {
        assert!(choose("short", false, &[2, 40], None).is_none());
    }

    #[test]
    fn lf() {
        assert_eq!(to_lf("a\r\nb\rc\n"), "a\nb\nc\n");
        assert_eq!(to_lf("plain"), "plain");
    }
}
