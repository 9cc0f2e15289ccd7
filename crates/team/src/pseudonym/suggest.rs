//! Candidate names for a pseudonym key, so a researcher starts from a list.
//!
//! The heuristic, in order of evidence:
//! 1. **Speaker labels** are listed (except role labels such as `Interviewer`, `Q`, `P1`,
//!    `Speaker 2`: labels with a digit, of one letter, or made only of role words).
//! 2. **Runs of two or three capitalised words** joined by single spaces (`Päivi Järvinen`)
//!    that occur in at least two documents. A run that opens a sentence counts both with
//!    and without its first word (`Then Päivi Järvinen` is `Päivi Järvinen`), and only
//!    without it when that word is common (written in lower case somewhere, or a stop word:
//!    `In Kaleva Works` is `Kaleva Works`).
//! 3. **Single capitalised words** (first letter upper case, some lower-case letter, no
//!    digit, possessive `'s` dropped) that occur in at least two documents, are not all
//!    inside a listed run, and look like names rather than ordinary words:
//!    - a word never written in lower case anywhere in the texts qualifies when it occurs
//!      once in mid-sentence, or at least twice at sentence starts;
//!    - a word also written in lower case qualifies only when it is capitalised in
//!      mid-sentence more than twice as often as it is written in lower case (`Will` the
//!      person; not `Well`, which opens sentences but is lower case elsewhere).
//!
//!    Sentence starts are the text start, a line start, and after `.`, `!`, `?`, `:`, `;`
//!    or `…` (opening quotes and brackets skipped). Month and weekday names (English and
//!    German), titles, role words and common interjections (`Yes`, `Okay`) are never listed.
//!
//! With a single document, "at least two documents" becomes one. Candidates come speakers
//! first, then by number of documents, then occurrences, then name.

use std::collections::{BTreeSet, HashMap};

use ambit_core::text::word_spans;
use ambit_core::DocId;
use serde::Serialize;

use super::fold::fold_name;

/// A name that may belong in the pseudonym key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Candidate {
    /// The name, as most often written.
    pub name: String,
    /// In how many documents it occurs (as a speaker or in the text).
    pub documents: usize,
    /// How often it occurs: speaker turns plus occurrences in texts.
    pub occurrences: usize,
    /// Whether it is a speaker label.
    pub speaker: bool,
}

/// Never listed as single words.
const STOP: &[&str] = &[
    // Months and weekdays, English and German (other languages of the studies write them
    // in lower case).
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "januar",
    "februar",
    "märz",
    "mai",
    "juni",
    "juli",
    "oktober",
    "dezember",
    "montag",
    "dienstag",
    "mittwoch",
    "donnerstag",
    "freitag",
    "samstag",
    "sonntag",
    // Titles.
    "mr",
    "mrs",
    "ms",
    "mx",
    "dr",
    "prof",
    "miss",
    "sir",
    // Interjections that open turns and may never occur in lower case.
    "yes",
    "yeah",
    "no",
    "okay",
    "ok",
    "well",
    "so",
    "oh",
    "hmm",
    "mm",
    "um",
    "uh",
    "hi",
    "hello",
    "thanks",
    "right",
    "sure",
    "exactly",
];

/// Words of role labels, not names.
const ROLES: &[&str] = &[
    "interviewer",
    "interviewee",
    "facilitator",
    "moderator",
    "researcher",
    "participant",
    "respondent",
    "speaker",
    "unknown",
    "all",
    "group",
    "everyone",
    "audience",
    "chair",
    "host",
    "note",
    "observer",
    "teacher",
    "student",
    "manager",
    "haastattelija",
    "haastateltava",
    "fasilitaattori",
    "osallistuja",
    "tutkija",
    "intervjuare",
];

#[derive(Default)]
struct Tally {
    forms: HashMap<String, usize>,
    docs: BTreeSet<DocId>,
    /// Capitalised in mid-sentence.
    mid: usize,
    /// Capitalised at a sentence start.
    start: usize,
    /// Occurrences inside runs, by run key.
    in_runs: HashMap<String, usize>,
    turns: usize,
    speaker: bool,
}

impl Tally {
    fn note(&mut self, doc: DocId, written: &str) {
        *self.forms.entry(written.to_string()).or_default() += 1;
        self.docs.insert(doc);
    }

    fn name(&self) -> String {
        let mut forms: Vec<(&String, &usize)> = self.forms.iter().collect();
        forms.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        forms.first().map(|f| f.0.clone()).unwrap_or_default()
    }
}

/// Whether the word starting at character `at` opens a sentence.
fn opens_sentence(chars: &[char], at: usize) -> bool {
    for &c in chars[..at].iter().rev() {
        match c {
            '\n' => return true,
            '.' | '!' | '?' | ':' | ';' | '…' => return true,
            c if c.is_whitespace() => {}
            '"' | '\'' | '“' | '”' | '‘' | '’' | '(' | '[' | '«' | '»' | '*' | '>' | '—' | '–'
            | '-' => {}
            _ => return false,
        }
    }
    true
}

/// The word without a possessive ending.
fn strip_possessive(word: &str) -> &str {
    for ending in ["'s", "’s"] {
        if let Some(stem) = word.strip_suffix(ending) {
            if !stem.is_empty() {
                return stem;
            }
        }
    }
    word
}

fn is_capitalised(word: &str) -> bool {
    let mut chars = word.chars();
    let first_upper = chars.next().is_some_and(char::is_uppercase);
    first_upper
        && word.chars().any(char::is_lowercase)
        && !word.chars().any(|c| c.is_numeric())
        && !word.starts_with("I'")
        && !word.starts_with("I’")
}

fn is_lower_case(word: &str) -> bool {
    word.chars().any(char::is_lowercase) && !word.chars().any(char::is_uppercase)
}

/// Whether a speaker label names a role rather than a person.
fn is_role(label: &str) -> bool {
    label.chars().any(|c| c.is_numeric())
        || label.chars().filter(|c| c.is_alphabetic()).count() <= 1
        || label.split_whitespace().all(|w| {
            ROLES.contains(&fold_name(w.trim_matches(|c: char| !c.is_alphanumeric())).as_str())
        })
}

/// Candidate names from document texts and speaker labels (`(document, label)`, one per
/// turn); see the module documentation for the heuristic.
pub fn suggest_names(texts: &[(DocId, &str)], speakers: &[(DocId, &str)]) -> Vec<Candidate> {
    let documents: BTreeSet<DocId> = texts.iter().map(|t| t.0).collect();
    let min_docs = if documents.len() >= 2 { 2 } else { 1 };
    let mut lower: HashMap<String, usize> = HashMap::new();
    let mut words: HashMap<String, Tally> = HashMap::new();
    // Runs as found: the document, the words (written form), whether it opens a sentence.
    let mut runs: Vec<(DocId, Vec<String>, bool)> = Vec::new();

    for &(doc, text) in texts {
        let chars: Vec<char> = text.chars().collect();
        let mut run: Vec<String> = Vec::new();
        let mut run_opens = false;
        let mut prev_end: Option<usize> = None;
        for (a, b) in word_spans(text) {
            let written: String = chars[a..b].iter().collect();
            let word = strip_possessive(&written);
            if is_lower_case(word) {
                *lower.entry(fold_name(word)).or_default() += 1;
            }
            let joined = prev_end.is_some_and(|p| a == p + 1 && matches!(chars[p], ' ' | '\u{a0}'));
            if !is_capitalised(word) {
                flush(&mut runs, doc, &mut run, run_opens);
                prev_end = None;
                continue;
            }
            let opens = opens_sentence(&chars, a);
            let t = words.entry(fold_name(word)).or_default();
            t.note(doc, word);
            if opens {
                t.start += 1;
            } else {
                t.mid += 1;
            }
            if !joined || run.len() == 3 {
                flush(&mut runs, doc, &mut run, run_opens);
                run_opens = opens;
            }
            run.push(word.to_string());
            // A possessive ends a run: `Päivi's Järvinen` is not a name.
            prev_end = (word.len() == written.len()).then_some(b);
        }
        flush(&mut runs, doc, &mut run, run_opens);
    }

    let is_common = |w: &str| {
        let key = fold_name(w);
        STOP.contains(&key.as_str()) || lower.get(&key).copied().unwrap_or(0) > 0
    };
    let mut multi: HashMap<String, Tally> = HashMap::new();
    for (doc, run, opens) in runs {
        // A capitalised word opening a sentence may be a name (`Päivi Järvinen said`) or not
        // (`Then Päivi Järvinen`): unless it is a common word, the run counts both ways.
        let mut variants: Vec<&[String]> = Vec::new();
        if !(opens && run.first().is_some_and(|w| is_common(w))) {
            variants.push(&run);
        }
        if opens {
            variants.push(&run[1..]);
        }
        for run in variants {
            if run.len() < 2 || run.iter().any(|w| STOP.contains(&fold_name(w).as_str())) {
                continue;
            }
            let written = run.join(" ");
            let key = fold_name(&written);
            multi.entry(key.clone()).or_default().note(doc, &written);
            for w in run {
                if let Some(t) = words.get_mut(&fold_name(w)) {
                    *t.in_runs.entry(key.clone()).or_default() += 1;
                }
            }
        }
    }
    multi.retain(|_, t| t.docs.len() >= min_docs);

    let mut out: HashMap<String, Tally> = HashMap::new();
    for (key, t) in words {
        let lower_count = lower.get(&key).copied().unwrap_or(0);
        let name_like = if lower_count == 0 {
            t.mid >= 1 || t.start >= 2
        } else {
            t.mid > 2 * lower_count
        };
        let occurrences = t.mid + t.start;
        let in_listed_runs: usize = t
            .in_runs
            .iter()
            .filter(|(run, _)| multi.contains_key(*run))
            .map(|(_, n)| n)
            .sum();
        if name_like
            && !STOP.contains(&key.as_str())
            && !ROLES.contains(&key.as_str())
            && t.docs.len() >= min_docs
            && occurrences > in_listed_runs
        {
            out.insert(key, t);
        }
    }
    out.extend(multi);

    for &(doc, label) in speakers {
        let label = label.trim();
        if label.is_empty() || is_role(label) {
            continue;
        }
        let t = out.entry(fold_name(label)).or_default();
        t.note(doc, label);
        t.turns += 1;
        t.speaker = true;
    }

    let mut list: Vec<Candidate> = out
        .into_values()
        .map(|t| Candidate {
            name: t.name(),
            documents: t.docs.len(),
            occurrences: t.forms.values().sum(),
            speaker: t.speaker,
        })
        .collect();
    list.sort_by(|a, b| {
        b.speaker
            .cmp(&a.speaker)
            .then(b.documents.cmp(&a.documents))
            .then(b.occurrences.cmp(&a.occurrences))
            .then(a.name.cmp(&b.name))
    });
    list
}

/// Ends the current run of capitalised words.
fn flush(
    runs: &mut Vec<(DocId, Vec<String>, bool)>,
    doc: DocId,
    run: &mut Vec<String>,
    opens: bool,
) {
    if run.len() >= 2 {
        runs.push((doc, std::mem::take(run), opens));
    }
    run.clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(texts: &[&str], speakers: &[(u32, &str)], expected: &[(&str, usize, bool)]) {
        let texts: Vec<(DocId, &str)> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| (DocId(i as u32 + 1), *t))
            .collect();
        let speakers: Vec<(DocId, &str)> = speakers.iter().map(|&(d, s)| (DocId(d), s)).collect();
        let got: Vec<(String, usize, bool)> = suggest_names(&texts, &speakers)
            .into_iter()
            .map(|c| (c.name, c.documents, c.speaker))
            .collect();
        let expected: Vec<(String, usize, bool)> = expected
            .iter()
            .map(|&(n, d, s)| (n.to_string(), d, s))
            .collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn finds_names_across_documents() {
        check(
            &[
                "In March we met Päivi Järvinen at the depot. Well, it was cold.\nKari said no.",
                "Then Päivi Järvinen called. Kari's team agreed in May. Well done.",
                "We asked Kari again. The Monday meeting was well attended.",
            ],
            &[
                (1, "Interviewer"),
                (1, "Päivi"),
                (2, "Päivi"),
                (2, "P2"),
                (3, "Q"),
            ],
            &[
                ("Päivi", 2, true),
                ("Kari", 3, false),
                ("Päivi Järvinen", 2, false),
            ],
        );
    }

    #[test]
    fn keeps_sentence_starts_and_common_words_out() {
        check(
            &[
                "Yes. The plan was fine. However the team left.",
                "Yes. The plan changed. However nobody cared. the end however.",
            ],
            &[],
            &[],
        );
        // A name at sentence starts only, never written in lower case, still counts.
        check(
            &["Anneli agreed. We left.", "Anneli did not. Fine."],
            &[],
            &[("Anneli", 2, false)],
        );
        // A run opening a sentence loses a common first word.
        check(
            &[
                "In Kaleva Works it failed. in fact.",
                "In Kaleva Works again.",
            ],
            &[],
            &[("Kaleva Works", 2, false)],
        );
    }

    #[test]
    fn single_document_and_roles() {
        check(
            &["We met Päivi twice."],
            &[
                (1, "Speaker 1"),
                (1, "I"),
                (1, "Moderator"),
                (1, "Kari Mäkelä"),
            ],
            &[("Kari Mäkelä", 1, true), ("Päivi", 1, false)],
        );
    }
}
