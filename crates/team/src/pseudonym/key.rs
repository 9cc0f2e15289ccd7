//! The pseudonym key: `pseudonyms.csv` with the header `name,pseudonym`.

use std::collections::HashMap;

use ambit_core::text::is_word_char;

use super::fold::fold_name;
use super::Names;
use crate::error::{Error, KeyProblem, Result};

/// One line of the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The name as written (trimmed).
    pub name: String,
    /// Its pseudonym as written (trimmed).
    pub pseudonym: String,
    /// The 1-based line of the key file.
    pub line: u64,
}

/// A checked pseudonym key.
///
/// Rules, each refused with its line: the first line is the header `name,pseudonym`
/// (further columns, e.g. `notes`, are allowed and ignored); every line has a name with a
/// letter or digit and a non-empty pseudonym; no name appears twice (in any case, with any
/// spacing); no pseudonym contains a name of the key as a whole word (it would bring the
/// name back into what is shared, and would make replacing ambiguous). Several names may
/// share a pseudonym: they are aliases of one person (`Päivi Järvinen,P03` and
/// `Järvinen,P03`). Blank lines and lines starting with `#` are skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    entries: Vec<Entry>,
}

impl Key {
    /// Parses and checks the text of a key file (a leading byte-order mark is allowed).
    /// Errors name the line; the caller adds the file name.
    pub fn parse(text: &str) -> Result<Key> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .comment(Some(b'#'))
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let mut records = reader.records();
        let header = match records.next() {
            None => None,
            Some(r) => Some(r.map_err(|e| Error::KeyCsv(e.to_string()))?),
        };
        let header_ok = header.as_ref().is_some_and(|h| {
            h.get(0).is_some_and(|f| f.eq_ignore_ascii_case("name"))
                && h.get(1)
                    .is_some_and(|f| f.eq_ignore_ascii_case("pseudonym"))
        });
        if !header_ok {
            let found = header.map(|h| h.iter().collect::<Vec<_>>().join(","));
            let line = header_line(text);
            return Err(key_error(
                line,
                KeyProblem::Header(found.unwrap_or_default()),
            ));
        }
        let mut entries = Vec::new();
        let mut seen: HashMap<String, u64> = HashMap::new();
        for record in records {
            let record = record.map_err(|e| Error::KeyCsv(e.to_string()))?;
            // The reader's `line()` does not count the blank and comment lines it skipped.
            let line = record.position().map_or(0, |p| line_of(text, p.byte()));
            if record.iter().all(str::is_empty) {
                continue;
            }
            let (Some(name), Some(pseudonym)) = (record.get(0), record.get(1)) else {
                return Err(key_error(line, KeyProblem::MissingField));
            };
            if !name.chars().any(is_word_char) {
                return Err(key_error(line, KeyProblem::EmptyName));
            }
            if pseudonym.is_empty() {
                return Err(key_error(
                    line,
                    KeyProblem::EmptyPseudonym(name.to_string()),
                ));
            }
            if let Some(&first) = seen.get(&fold_name(name)) {
                let problem = KeyProblem::DuplicateName {
                    name: name.to_string(),
                    first,
                };
                return Err(key_error(line, problem));
            }
            seen.insert(fold_name(name), line);
            entries.push(Entry {
                name: name.to_string(),
                pseudonym: pseudonym.to_string(),
                line,
            });
        }
        let key = Key { entries };
        let names = Names::build(
            key.entries
                .iter()
                .map(|e| (e.name.clone(), e.line, e.pseudonym.clone())),
        )?;
        names.check_pseudonyms(&key.entries)?;
        Ok(key)
    }

    /// The lines of the key, in file order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Whether `name` is a name of the key (in any case, with any spacing).
    pub fn contains_name(&self, name: &str) -> bool {
        let folded = fold_name(name);
        self.entries.iter().any(|e| fold_name(&e.name) == folded)
    }
}

/// The 1-based line of the record whose reading started at byte `byte`: the reader reports
/// where it started, before the blank and comment lines it skipped.
fn line_of(text: &str, byte: u64) -> u64 {
    let byte = usize::try_from(byte).unwrap_or(usize::MAX).min(text.len());
    let before = text.get(..byte).unwrap_or(text);
    let mut line = 1 + before.matches('\n').count() as u64;
    let mut rest = text.get(byte..).unwrap_or("");
    while let Some((first, tail)) = rest.split_once('\n') {
        if !(first.trim().is_empty() || first.starts_with('#')) {
            break;
        }
        line += 1;
        rest = tail;
    }
    line
}

/// The line the header is on: comment and blank lines before it are skipped by the reader.
fn header_line(text: &str) -> u64 {
    text.lines()
        .position(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map_or(1, |i| i as u64 + 1)
}

pub(crate) fn key_error(line: u64, problem: KeyProblem) -> Error {
    Error::Key { line, problem }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_refused(text: &str, expected_line: u64, expected: &str) {
        let err = Key::parse(text).unwrap_err();
        let message = err.to_string();
        match &err {
            Error::Key { line, .. } => assert_eq!(*line, expected_line, "{message}"),
            other => panic!("{other}"),
        }
        assert!(message.contains(expected), "{message}");
    }

    #[test]
    fn parses_keys() {
        let key = Key::parse(
            "\u{feff}name,pseudonym,notes\nPäivi Järvinen,P03,team lead\n\n# aliases\n\"Järvinen, Päivi\", P03 \nKari,P07\n\"Anna\nKorhonen\",P09\n\nÅsa,P10",
        )
        .unwrap();
        let got: Vec<(&str, &str, u64)> = key
            .entries()
            .iter()
            .map(|e| (e.name.as_str(), e.pseudonym.as_str(), e.line))
            .collect();
        assert_eq!(
            got,
            [
                ("Päivi Järvinen", "P03", 2),
                ("Järvinen, Päivi", "P03", 5),
                ("Kari", "P07", 6),
                ("Anna\nKorhonen", "P09", 7),
                ("Åsa", "P10", 10),
            ]
        );
        assert!(key.contains_name("PÄIVI  järvinen"));
        assert!(!key.contains_name("Päivi"));
        assert!(Key::parse("Name,Pseudonym\n").unwrap().entries().is_empty());
    }

    #[test]
    fn refuses_bad_keys() {
        check_refused("", 1, "expected the header `name,pseudonym`");
        check_refused("person,alias\nA,B\n", 1, "found \"person,alias\"");
        check_refused("# key\nwho,alias\n", 2, "header");
        check_refused("name,pseudonym\nPäivi\n", 2, "expected two fields");
        check_refused("name,pseudonym\n — ,P1\n", 2, "no letter or digit");
        check_refused("name,pseudonym\nPäivi,\n", 2, "\"Päivi\" has no pseudonym");
        check_refused(
            "name,pseudonym\nPäivi Järvinen,P03\nKari,P07\nPÄIVI  JÄRVINEN,P04\n",
            4,
            "already listed on line 2",
        );
        check_refused(
            "name,pseudonym\nPäivi,Kari\nKari,P07\n",
            2,
            "pseudonym \"Kari\" contains \"Kari\", a name of the key (line 3)",
        );
        check_refused(
            "name,pseudonym\nPäivi,Päivi\n",
            2,
            "pseudonym \"Päivi\" contains \"Päivi\"",
        );
        check_refused(
            "name,pseudonym\nAnna,P01\nPäivi,Nurse Anna\n",
            3,
            "contains \"Anna\"",
        );
    }
}
