//! Match ranges inside a passage: which words a query found, as character offsets.

use std::collections::HashSet;

use tantivy::tokenizer::TextAnalyzer;

use crate::query::Node;

/// Finds the words a query matched in a passage text.
pub struct Highlighter {
    pub(crate) analyzer: TextAnalyzer,
    pub(crate) needles: Needles,
}

impl Highlighter {
    /// The matched ranges as `[start, end]` character offsets within `text`, sorted and
    /// not overlapping.
    pub fn ranges(&mut self, text: &str) -> Vec<[usize; 2]> {
        self.needles
            .ranges(&mut self.analyzer, text)
            .into_iter()
            .map(|(a, b)| [a, b])
            .collect()
    }
}

/// The positive terms of a query, analysed like the indexed text.
#[derive(Debug, Default)]
pub(crate) struct Needles {
    /// Stemmed single terms (prefixes too, expanded to the stems of their words).
    terms: HashSet<String>,
    /// Exact phrases (stemmed terms), highlighted as one range.
    phrases: Vec<Vec<String>>,
}

/// The stems a lower-cased prefix stands for in the index.
pub(crate) type Expand<'a> = &'a mut dyn FnMut(&str, &mut TextAnalyzer) -> Vec<String>;

pub(crate) fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while let Some(t) = stream.next() {
        out.push((t.text.clone(), t.offset_from, t.offset_to));
    }
    out
}

impl Needles {
    /// Collects the terms outside any NOT: words under NOT cannot be in a hit.
    pub(crate) fn of(
        node: &Node,
        stem: &mut TextAnalyzer,
        raw: &mut TextAnalyzer,
        expand: Expand<'_>,
    ) -> Needles {
        let mut n = Needles::default();
        n.collect(node, stem, raw, expand);
        n
    }

    fn collect(
        &mut self,
        node: &Node,
        stem: &mut TextAnalyzer,
        raw: &mut TextAnalyzer,
        expand: Expand<'_>,
    ) {
        match node {
            Node::Word { text, .. } | Node::Phrase { text, .. } => {
                let slop = match node {
                    Node::Phrase { slop, .. } => *slop,
                    _ => 0,
                };
                let words: Vec<String> = tokens(stem, text).into_iter().map(|t| t.0).collect();
                if words.len() > 1 && slop == 0 {
                    self.phrases.push(words);
                } else {
                    self.terms.extend(words);
                }
            }
            Node::Prefix { text, .. } => {
                for (prefix, _, _) in tokens(raw, text) {
                    self.terms.extend(expand(&prefix, stem));
                }
            }
            Node::And(items) | Node::Or(items) => {
                for i in items {
                    self.collect(i, stem, raw, expand);
                }
            }
            Node::Not(_) => {}
        }
    }

    /// The ranges (character offsets, end exclusive, sorted, non-overlapping) of `text`
    /// that the query matched.
    pub(crate) fn ranges(&self, stem: &mut TextAnalyzer, text: &str) -> Vec<(usize, usize)> {
        let toks = tokens(stem, text);
        let mut bytes: Vec<(usize, usize)> = Vec::new();
        for (term, from, to) in &toks {
            if self.terms.contains(term) {
                bytes.push((*from, *to));
            }
        }
        for phrase in &self.phrases {
            for w in toks.windows(phrase.len()) {
                if w.iter().zip(phrase).all(|(t, p)| &t.0 == p) {
                    bytes.push((w[0].1, w[w.len() - 1].2));
                }
            }
        }
        bytes.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::new();
        for (s, e) in bytes {
            match merged.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => merged.push((s, e)),
            }
        }
        to_chars(text, &merged)
    }
}

/// Converts sorted byte ranges on char boundaries to character ranges in one pass.
fn to_chars(text: &str, ranges: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let mut out = Vec::with_capacity(ranges.len());
    let mut chars = 0;
    let mut byte = 0;
    let mut advance = |target: usize| {
        if target >= byte {
            chars += text.get(byte..target).map_or(0, |s| s.chars().count());
            byte = target;
        }
        chars
    };
    for &(s, e) in ranges {
        let cs = advance(s);
        let ce = advance(e);
        out.push((cs, ce));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::language::{analyzer, raw_analyzer};
    use crate::{Query, Stemming};

    fn check(query: &str, text: &str, expected: &[&str]) {
        let q = Query::parse(query).unwrap();
        let mut stem = analyzer(Stemming::for_language("en").unwrap());
        let mut raw = raw_analyzer();
        // The vocabulary of an imaginary index, for prefixes.
        let words = ["coordinating", "coordination", "coördination", "cooking"];
        let needles = Needles::of(&q.root, &mut stem, &mut raw, &mut |prefix, stem| {
            words
                .iter()
                .filter(|w| w.starts_with(prefix))
                .flat_map(|w| tokens(stem, w).into_iter().map(|t| t.0))
                .collect()
        });
        let chars: Vec<char> = text.chars().collect();
        let got: Vec<String> = needles
            .ranges(&mut stem, text)
            .into_iter()
            .map(|(s, e)| chars[s..e].iter().collect())
            .collect();
        assert_eq!(got, expected, "{query:?} in {text:?}");
    }

    #[test]
    fn highlights() {
        check(
            "order",
            "Orders — ordered by order",
            &["Orders", "ordered", "order"],
        );
        check(
            "\"purchase order\"",
            "a purchase — purchase order",
            &["purchase order"],
        );
        check(
            "\"map together\"~2",
            "the map we draw together",
            &["map", "together"],
        );
        check(
            "coordinat*",
            "Coördination? coordinating, coordination",
            &["coordinating", "coordination"],
        );
        check("Järvinen -työ", "👍 Kari Järvinen: työ", &["Järvinen"]);
        check("työ", "työ työtä", &["työ"]);
    }
}
