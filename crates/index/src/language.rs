//! Stemming languages: the project's `language` code mapped to tantivy's Snowball stemmers.

use std::collections::HashMap;

use rust_stemmers::Algorithm;

use tantivy::tokenizer::{
    LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer, Token, TokenFilter, TokenStream,
    Tokenizer, TokenizerManager,
};

/// ISO 639-1 code, English name, stemmer. Codes are what `ambit.toml` holds.
const LANGUAGES: &[(&str, &str, Algorithm)] = &[
    ("ar", "arabic", Algorithm::Arabic),
    ("da", "danish", Algorithm::Danish),
    ("nl", "dutch", Algorithm::Dutch),
    ("en", "english", Algorithm::English),
    ("fi", "finnish", Algorithm::Finnish),
    ("fr", "french", Algorithm::French),
    ("de", "german", Algorithm::German),
    ("el", "greek", Algorithm::Greek),
    ("hu", "hungarian", Algorithm::Hungarian),
    ("it", "italian", Algorithm::Italian),
    ("no", "norwegian", Algorithm::Norwegian),
    ("pt", "portuguese", Algorithm::Portuguese),
    ("ro", "romanian", Algorithm::Romanian),
    ("ru", "russian", Algorithm::Russian),
    ("es", "spanish", Algorithm::Spanish),
    ("sv", "swedish", Algorithm::Swedish),
    ("ta", "tamil", Algorithm::Tamil),
    ("tr", "turkish", Algorithm::Turkish),
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
        Some(i) => base.filter(CachedStemmer(LANGUAGES[i].2)).build(),
    }
}

/// Most words of a study are stemmed again and again; this many distinct words are remembered
/// per analyzer (a few MB), the rest stemmed each time.
const STEM_CACHE_WORDS: usize = 100_000;

/// The Snowball stemmer tantivy uses, remembering the stems of the words it has seen: the
/// Snowball algorithms took a third of the indexing time.
#[derive(Clone, Copy)]
struct CachedStemmer(Algorithm);

impl TokenFilter for CachedStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> CachedStemmerFilter<T> {
        CachedStemmerFilter {
            algorithm: self.0,
            stemmer: rust_stemmers::Stemmer::create(self.0),
            cache: StemCache::default(),
            inner,
        }
    }
}

/// FNV-1a: words are short, and SipHash was a tenth of the cached stemmer's time.
#[derive(Clone, Copy)]
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

type StemCache = HashMap<String, String, std::hash::BuildHasherDefault<Fnv>>;

struct CachedStemmerFilter<T> {
    algorithm: Algorithm,
    stemmer: rust_stemmers::Stemmer,
    cache: StemCache,
    inner: T,
}

/// A clone starts with an empty cache (analyzers are cloned per indexing thread).
impl<T: Clone> Clone for CachedStemmerFilter<T> {
    fn clone(&self) -> Self {
        CachedStemmerFilter {
            algorithm: self.algorithm,
            stemmer: rust_stemmers::Stemmer::create(self.algorithm),
            cache: StemCache::default(),
            inner: self.inner.clone(),
        }
    }
}

impl<T: Tokenizer> Tokenizer for CachedStemmerFilter<T> {
    type TokenStream<'a> = CachedStemmerStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CachedStemmerStream {
            tail: self.inner.token_stream(text),
            stemmer: &self.stemmer,
            cache: &mut self.cache,
        }
    }
}

struct CachedStemmerStream<'a, T> {
    tail: T,
    stemmer: &'a rust_stemmers::Stemmer,
    cache: &'a mut StemCache,
}

impl<T: TokenStream> TokenStream for CachedStemmerStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if let Some(stem) = self.cache.get(&token.text) {
            token.text.clone_from(stem);
            return true;
        }
        let stem = self.stemmer.stem(&token.text).into_owned();
        if self.cache.len() < STEM_CACHE_WORDS {
            self.cache.insert(token.text.clone(), stem.clone());
        }
        token.text = stem;
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
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
