//! Stemming languages: the project's `language` code mapped to tantivy's Snowball stemmers.

use tantivy::tokenizer::{
    Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer,
    TokenizerManager,
};

/// ISO 639-1 code, English name, stemmer. Codes are what `ambit.toml` holds.
const LANGUAGES: &[(&str, &str, Language)] = &[
    ("ar", "arabic", Language::Arabic),
    ("da", "danish", Language::Danish),
    ("nl", "dutch", Language::Dutch),
    ("en", "english", Language::English),
    ("fi", "finnish", Language::Finnish),
    ("fr", "french", Language::French),
    ("de", "german", Language::German),
    ("el", "greek", Language::Greek),
    ("hu", "hungarian", Language::Hungarian),
    ("it", "italian", Language::Italian),
    ("no", "norwegian", Language::Norwegian),
    ("pt", "portuguese", Language::Portuguese),
    ("ro", "romanian", Language::Romanian),
    ("ru", "russian", Language::Russian),
    ("es", "spanish", Language::Spanish),
    ("sv", "swedish", Language::Swedish),
    ("ta", "tamil", Language::Tamil),
    ("tr", "turkish", Language::Turkish),
];

/// Words longer than this (in bytes) are dropped from the index: they are URLs or base64,
/// not words anyone searches for, and they bloat the term dictionary.
const MAX_TOKEN_BYTES: usize = 60;

/// The tokenizer of the unstemmed field that prefix queries run against.
pub(crate) const RAW_TOKENIZER: &str = "ambit_raw";

/// How words are reduced before indexing: a Snowball stemmer for one language, or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stemming(Option<usize>);

impl Stemming {
    /// No stemming: words are only lower-cased.
    pub const NONE: Stemming = Stemming(None);

    /// The stemming for a language code (`en`, `fi`, `nb`, …) or English name
    /// (`english`), case-insensitive. `None` for a language without a stemmer.
    pub fn for_language(code: &str) -> Option<Stemming> {
        let code = code.trim().to_lowercase();
        // Norwegian Bokmål and Nynorsk share the Norwegian stemmer.
        let code = match code.as_str() {
            "nb" | "nn" => "no".to_string(),
            _ => code,
        };
        if code == "none" {
            return Some(Stemming::NONE);
        }
        LANGUAGES
            .iter()
            .position(|(c, name, _)| *c == code || *name == code)
            .map(|i| Stemming(Some(i)))
    }

    /// The language codes that have a stemmer, for messages.
    pub fn supported() -> Vec<&'static str> {
        LANGUAGES.iter().map(|(c, _, _)| *c).collect()
    }

    /// `english`, `finnish`, … or `none`.
    pub fn name(self) -> &'static str {
        self.0.map_or("none", |i| LANGUAGES[i].1)
    }

    /// The name the stemmed text field's tokenizer is registered under; the schema
    /// records it, so an index says by itself which stemmer built it.
    pub(crate) fn tokenizer_name(self) -> String {
        format!("ambit_{}", self.name())
    }

    /// The stemming an index's tokenizer name stands for.
    pub(crate) fn from_tokenizer_name(name: &str) -> Option<Stemming> {
        let lang = name.strip_prefix("ambit_")?;
        Stemming::for_language(lang)
    }
}

/// The analyzer of a stemming: simple word splitting (Unicode letters and digits),
/// lower-casing, then the stemmer.
pub(crate) fn analyzer(stemming: Stemming) -> TextAnalyzer {
    let base = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser);
    match stemming.0 {
        None => base.build(),
        Some(i) => base.filter(Stemmer::new(LANGUAGES[i].2)).build(),
    }
}

/// The analyzer of the unstemmed field.
pub(crate) fn raw_analyzer() -> TextAnalyzer {
    analyzer(Stemming::NONE)
}

/// Registers every analyzer, so any index Ambit wrote opens whatever its language.
pub(crate) fn register(manager: &TokenizerManager) {
    manager.register(RAW_TOKENIZER, raw_analyzer());
    manager.register(&Stemming::NONE.tokenizer_name(), analyzer(Stemming::NONE));
    for i in 0..LANGUAGES.len() {
        let s = Stemming(Some(i));
        manager.register(&s.tokenizer_name(), analyzer(s));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(code: &str, expected: &str) {
        let got = Stemming::for_language(code).map_or("unsupported", Stemming::name);
        assert_eq!(got, expected, "{code}");
    }

    #[test]
    fn languages() {
        check("en", "english");
        check("EN", "english");
        check("fi", "finnish");
        check("nb", "norwegian");
        check("german", "german");
        check("none", "none");
        check("ja", "unsupported");
    }

    #[test]
    fn tokenizer_names_round_trip() {
        for code in Stemming::supported() {
            let s = Stemming::for_language(code).unwrap();
            assert_eq!(Stemming::from_tokenizer_name(&s.tokenizer_name()), Some(s));
        }
    }
}
