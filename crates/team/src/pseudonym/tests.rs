//! Pseudonymisation cases as data: key, options, text in, text out.

use super::*;

const KEY: &str = "name,pseudonym
Päivi Järvinen,P03
Järvinen,P03
Kari Mäkelä,P07
Anna-Liisa Virtanen,P11
Dr Åsa Lind,P12
O'Brien,P13
";

fn pseudonymiser(first_names: bool) -> Pseudonymiser {
    let key = Key::parse(KEY).unwrap();
    Pseudonymiser::new(&key, Options { first_names }).unwrap()
}

fn check(first_names: bool, text: &str, expected: &str) {
    let p = pseudonymiser(first_names);
    let out = p.pseudonymise(text);
    assert_eq!(out.text, expected, "{text:?}");
    // Every replacement covers exactly its pseudonym in the new text.
    for r in out.map.replacements() {
        let new: String = out
            .text
            .chars()
            .skip(r.new_start)
            .take(r.new_end - r.new_start)
            .collect();
        assert!(new.starts_with('P'), "{r:?} {new:?}");
    }
    assert_eq!(p.pseudonymise_str(text), expected);
}

#[test]
fn replaces_whole_names_in_any_case() {
    check(false, "Päivi Järvinen said so.", "P03 said so.");
    check(false, "PÄIVI JÄRVINEN and päivi järvinen", "P03 and P03");
    check(
        false,
        "Pa\u{308}ivi Ja\u{308}rvinen, decomposed",
        "P03, decomposed",
    );
    check(false, "Päivi\nJärvinen and Päivi   Järvinen", "P03 and P03");
    check(
        false,
        "Järvinen alone; Kari Mäkelä too",
        "P03 alone; P07 too",
    );
    check(
        false,
        "Päivi alone stays without first names",
        "Päivi alone stays without first names",
    );
}

#[test]
fn respects_word_edges() {
    check(
        false,
        "Järvinens and XJärvinen stay",
        "Järvinens and XJärvinen stay",
    );
    check(
        false,
        "Järvinen-Kivi stays, Kivi-Järvinen too",
        "Järvinen-Kivi stays, Kivi-Järvinen too",
    );
    check(
        false,
        "— Järvinen — (Järvinen) «Järvinen»",
        "— P03 — (P03) «P03»",
    );
    check(
        false,
        "Järvinen's and Järvinen’s plan",
        "P03's and P03’s plan",
    );
    check(false, "O'Brien and o’brien", "P13 and P13");
    check(false, "Anna\u{2010}Liisa Virtanen", "P11");
    check(
        false,
        "Anna-Liisa Virtanen, anna-liisa virtanen",
        "P11, P11",
    );
    check(false, "Järvinen- ok", "P03- ok");
    check(
        false,
        "Järvinen\u{301} is another word",
        "Järvinen\u{301} is another word",
    );
}

#[test]
fn first_names_alone() {
    check(true, "Päivi met Kari and Åsa.", "P03 met P07 and P12.");
    check(true, "Päivi's and Anna-Liisa’s", "P03's and P11’s");
    check(
        true,
        "Päivi Järvinen, not Päivi plus Järvinen",
        "P03, not P03 plus P03",
    );
    // "Dr" is a title, not a first name; "Anna" alone is not "Anna-Liisa".
    check(true, "Dr said Anna", "Dr said Anna");
}

#[test]
fn multi_word_names_before_their_parts() {
    let key = Key::parse("name,pseudonym\nAnna,P01\nAnna Virtanen,P02\nVirtanen Oy,C01\n").unwrap();
    let p = Pseudonymiser::new(&key, Options::default()).unwrap();
    assert_eq!(
        p.pseudonymise("Anna Virtanen, Anna, Virtanen Oy, Anna Virtanen Oy")
            .text,
        "P02, P01, C01, P02 Oy"
    );
}

#[test]
fn refuses_ambiguous_first_names() {
    let key = Key::parse("name,pseudonym\nAnna Virtanen,P01\nAnna Korhonen,P02\n").unwrap();
    let err = Pseudonymiser::new(&key, Options { first_names: true }).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.starts_with("line 3 of the pseudonym key: first name \"Anna\""),
        "{msg}"
    );
    assert!(msg.contains("also line 2"), "{msg}");
    // Without --first-names the key is fine.
    assert!(Pseudonymiser::new(&key, Options::default()).is_ok());
    // An explicit line decides whose it is.
    let key =
        Key::parse("name,pseudonym\nAnna Virtanen,P01\nAnna Korhonen,P02\nAnna,P01\n").unwrap();
    let p = Pseudonymiser::new(&key, Options { first_names: true }).unwrap();
    assert_eq!(p.pseudonymise("Anna and Anna Korhonen").text, "P01 and P02");
    // Aliases of one person may share a first name.
    let key = Key::parse("name,pseudonym\nAnna Virtanen,P01\nAnna V.,P01\n").unwrap();
    assert!(Pseudonymiser::new(&key, Options { first_names: true }).is_ok());
    // A pseudonym holding a first name would bring it back.
    let key = Key::parse("name,pseudonym\nAnna Virtanen,P01\nKari Mäkelä,Anna's colleague\n");
    let key = key.unwrap();
    let err = Pseudonymiser::new(&key, Options { first_names: true }).unwrap_err();
    assert!(err.to_string().contains("line 3"), "{err}");
}

#[test]
fn finds_names_with_char_offsets() {
    let p = pseudonymiser(true);
    let found: Vec<(usize, usize, String)> = p
        .find("👍 Åsa, ja Päivi Järvinen!")
        .into_iter()
        .map(|m| (m.start, m.end, m.pseudonym))
        .collect();
    assert_eq!(
        found,
        [(2, 5, "P12".to_string()), (10, 24, "P03".to_string())]
    );
    let out = p.pseudonymise("👍 Åsa, ja Päivi Järvinen!");
    assert_eq!(out.text, "👍 P12, ja P03!");
    assert_eq!(out.map.map_range(0, 1), (0, 1));
    assert_eq!(out.map.map_range(2, 5), (2, 5));
    assert_eq!(out.map.map_range(5, 10), (5, 10));
    assert_eq!(out.map.map_range(10, 25), (10, 14));
    assert_eq!(out.map.map_range(12, 17), (10, 13)); // cuts the name: the whole pseudonym
}

#[test]
fn empty_key_changes_nothing() {
    let key = Key::parse("name,pseudonym\n").unwrap();
    let p = Pseudonymiser::new(&key, Options { first_names: true }).unwrap();
    let out = p.pseudonymise("Päivi Järvinen");
    assert_eq!(out.text, "Päivi Järvinen");
    assert!(out.map.is_identity());
}
