//! A chart's size, resolution and title (`ambit chart --width --height --scale --title`),
//! and the text fitting that lets a chart shrink to a journal column: legend names wrap,
//! captions shorten to the room they have.

use crate::error::{Error, Result};

/// How large a chart is drawn and what its heading says. The default is each chart's own
/// layout: a 1280 × 720 timeline, a heatmap sized by its cells, at scale 1, with the
/// heading the table implies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartOptions {
    /// The width in chart pixels; `None` keeps the chart's own.
    pub width: Option<u32>,
    /// The height in chart pixels; `None` keeps the chart's own.
    pub height: Option<u32>,
    /// Output pixels per chart pixel: a PNG is rendered this many times larger each way
    /// (sharper in print, the same layout), an SVG declares that size and keeps its
    /// `viewBox`. At least 1.
    pub scale: u32,
    /// The heading; `None` keeps the chart's own and an empty text leaves it out (the
    /// figure caption of a paper usually says it).
    pub title: Option<String>,
}

impl Default for ChartOptions {
    fn default() -> ChartOptions {
        ChartOptions {
            width: None,
            height: None,
            scale: 1,
            title: None,
        }
    }
}

/// The largest scale: 10 × a 1280-pixel chart is already 12,800 pixels wide.
pub const MAX_SCALE: u32 = 10;
/// The largest width or height in chart pixels.
pub const MAX_SIDE: u32 = 20_000;
/// The most output pixels a PNG may have (three bytes each while it is drawn).
const MAX_PIXELS: u64 = 64_000_000;

impl ChartOptions {
    /// The heading to draw: the option's, or `default`; `None` for an empty one.
    pub(crate) fn heading(&self, default: &str) -> Option<String> {
        match &self.title {
            Some(t) if t.trim().is_empty() => None,
            Some(t) => Some(t.clone()),
            None => Some(default.to_string()),
        }
    }

    /// Refuses a scale or size that cannot be drawn, before anything is allocated.
    pub(crate) fn check_scale(&self) -> Result<()> {
        if self.scale == 0 || self.scale > MAX_SCALE {
            return Err(Error::Chart(format!(
                "scale {} is out of range; use 1 to {MAX_SCALE} (2 or 3 for print)",
                self.scale
            )));
        }
        for (what, v) in [("width", self.width), ("height", self.height)] {
            if let Some(v) = v.filter(|&v| v > MAX_SIDE) {
                return Err(Error::Chart(format!(
                    "a {what} of {v} pixels is more than {MAX_SIDE}; draw it smaller and \
                     raise the scale for a sharper PNG"
                )));
            }
        }
        Ok(())
    }

    /// Refuses a PNG whose output would be larger than [`MAX_PIXELS`].
    pub(crate) fn check_pixels(&self, size: (u32, u32)) -> Result<()> {
        let s = u64::from(self.scale);
        let pixels = u64::from(size.0) * s * u64::from(size.1) * s;
        if pixels > MAX_PIXELS {
            return Err(Error::Chart(format!(
                "a {} × {} chart at scale {} is {} megapixels, more than {}; lower the \
                 scale or the size",
                size.0,
                size.1,
                self.scale,
                pixels / 1_000_000,
                MAX_PIXELS / 1_000_000
            )));
        }
        Ok(())
    }
}

/// Breaks `text` into at most `max_lines` lines no wider than `width` by `measure`, at
/// spaces (a word wider than a line is broken where it must). What does not fit in the
/// last line is cut with "…".
pub(crate) fn wrap(
    text: &str,
    width: u32,
    max_lines: usize,
    measure: &dyn Fn(&str) -> u32,
) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let joined = if current.is_empty() {
            word.to_string()
        } else {
            format!("{current} {word}")
        };
        if measure(&joined) <= width {
            current = joined;
            continue;
        }
        if !current.is_empty() {
            lines.push(std::mem::take(&mut current));
        }
        // A word too long for any line is broken after its last character that fits.
        let mut rest = word.to_string();
        while measure(&rest) > width {
            let fit = longest_prefix(&rest, width, measure).max(1);
            let tail: String = rest.chars().skip(fit).collect();
            lines.push(rest.chars().take(fit).collect());
            rest = tail;
            if rest.is_empty() {
                break;
            }
        }
        current = rest;
    }
    if !current.is_empty() {
        lines.push(current);
    }
    if lines.len() > max_lines.max(1) {
        let keep = max_lines.max(1);
        let rest = lines[keep - 1..].join(" ");
        lines.truncate(keep - 1);
        lines.push(shorten_to(&rest, width, measure));
    }
    lines
}

/// `text`, or as much of it as fits in `width` followed by "…": whole words when the first
/// one fits, otherwise as many characters as fit.
pub(crate) fn shorten_to(text: &str, width: u32, measure: &dyn Fn(&str) -> u32) -> String {
    if measure(text) <= width {
        return text.to_string();
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    for n in (1..words.len()).rev() {
        let cut = format!("{}…", words[..n].join(" "));
        if measure(&cut) <= width {
            return cut;
        }
    }
    let chars: Vec<char> = text.chars().collect();
    for n in (1..chars.len()).rev() {
        let cut: String = chars[..n].iter().collect();
        let cut = format!("{}…", cut.trim_end());
        if measure(&cut) <= width {
            return cut;
        }
    }
    "…".to_string()
}

/// How many leading characters of `text` fit in `width`.
fn longest_prefix(text: &str, width: u32, measure: &dyn Fn(&str) -> u32) -> usize {
    let chars: Vec<char> = text.chars().collect();
    (1..=chars.len())
        .take_while(|&n| measure(&chars[..n].iter().collect::<String>()) <= width)
        .last()
        .unwrap_or(0)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Every character is 10 pixels wide.
    fn mono(s: &str) -> u32 {
        s.chars().count() as u32 * 10
    }

    fn check(text: &str, chars_per_line: u32, max_lines: usize, expected: &[&str]) {
        let got = wrap(text, chars_per_line * 10, max_lines, &mono);
        assert_eq!(got, expected, "{text:?} in {chars_per_line} characters");
    }

    #[test]
    fn legend_names_wrap_at_spaces() {
        check("Knowledge boundaries", 30, 3, &["Knowledge boundaries"]);
        check(
            "Shared understanding / common ground",
            34,
            3,
            &["Shared understanding / common", "ground"],
        );
        check("  spaced   out  ", 20, 3, &["spaced out"]);
        check("", 20, 3, &[]);
    }

    #[test]
    fn a_word_wider_than_the_line_is_broken() {
        check(
            "Interdisciplinarity",
            8,
            3,
            &["Interdis", "ciplinar", "ity"],
        );
        check(
            "a Interdisciplinarity",
            10,
            3,
            &["a", "Interdisci", "plinarity"],
        );
    }

    #[test]
    fn what_does_not_fit_the_last_line_is_cut() {
        check(
            "Shared understanding / common ground",
            12,
            3,
            &["Shared", "understandin", "g / common…"],
        );
        check("one two three four", 9, 1, &["one two…"]);
        check("one two three four", 9, 2, &["one two", "three…"]);
    }

    #[test]
    fn shortening_keeps_what_fits() {
        assert_eq!(shorten_to("followup", 80, &mono), "followup");
        assert_eq!(shorten_to("followup", 50, &mono), "foll…");
        assert_eq!(shorten_to("a b", 20, &mono), "a…");
        assert_eq!(shorten_to("abc", 5, &mono), "…");
    }

    #[test]
    fn options_out_of_range_are_refused_with_the_way_out() {
        let o = |scale, width| ChartOptions {
            scale,
            width,
            ..ChartOptions::default()
        };
        assert!(o(1, None).check_scale().is_ok());
        let e = o(0, None).check_scale().unwrap_err().to_string();
        assert!(e.contains("scale 0") && e.contains("1 to 10"), "{e}");
        let e = o(1, Some(50_000)).check_scale().unwrap_err().to_string();
        assert!(e.contains("50000") && e.contains("20000"), "{e}");
        let e = o(10, None)
            .check_pixels((1280, 720))
            .unwrap_err()
            .to_string();
        assert!(e.contains("scale 10") && e.contains("92 megapixels"), "{e}");
        assert!(o(3, None).check_pixels((1280, 720)).is_ok());
    }

    #[test]
    fn an_empty_title_leaves_the_heading_out() {
        let t = |title: Option<&str>| ChartOptions {
            title: title.map(String::from),
            ..ChartOptions::default()
        };
        assert_eq!(t(None).heading("Codings"), Some("Codings".into()));
        assert_eq!(t(Some("Fig. 2")).heading("Codings"), Some("Fig. 2".into()));
        assert_eq!(t(Some(" ")).heading("Codings"), None);
    }
}
