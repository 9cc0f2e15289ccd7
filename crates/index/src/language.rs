//! Stemming languages: the project's `language` code mapped to tantivy's Snowball stemmers.

use std::cell::RefCell;
use std::collections::HashMap;

use rust_stemmers::Algorithm;

use tantivy::tokenizer::{
    TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer, TokenizerManager,
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

/// Words: runs of Unicode letters and digits, at most [`MAX_TOKEN_BYTES`], lower-cased.
macro_rules! words {
    () => {
        TextAnalyzer::builder(Words::default())
    };
}

/// tantivy's `SimpleTokenizer`, `RemoveLongFilter` and `LowerCaser` in one pass, with a
/// fast path for ASCII: the same tokens, positions and offsets (a proptest compares them),
/// in about half the time (tokenizing was a sixth of indexing).
#[derive(Clone, Default)]
pub(crate) struct Words {
    token: Token,
}

pub(crate) struct WordStream<'a> {
    text: &'a str,
    at: usize,
    token: &'a mut Token,
}

impl Tokenizer for Words {
    type TokenStream<'a> = WordStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordStream<'a> {
        self.token.reset();
        WordStream {
            text,
            at: 0,
            token: &mut self.token,
        }
    }
}

impl WordStream<'_> {
    /// The character at byte `at` when it belongs to a word (its length), else `None`.
    fn word_char(&self, at: usize) -> Option<usize> {
        let b = self.text.as_bytes()[at];
        if b < 0x80 {
            return b.is_ascii_alphanumeric().then_some(1);
        }
        let c = self.text[at..].chars().next()?;
        c.is_alphanumeric().then(|| c.len_utf8())
    }

    fn skip_char(&self, at: usize) -> usize {
        self.text[at..].chars().next().map_or(1, char::len_utf8)
    }
}

impl TokenStream for WordStream<'_> {
    fn advance(&mut self) -> bool {
        let len = self.text.len();
        loop {
            while self.at < len && self.word_char(self.at).is_none() {
                self.at += self.skip_char(self.at);
            }
            if self.at >= len {
                return false;
            }
            let start = self.at;
            let mut ascii = true;
            while self.at < len {
                match self.word_char(self.at) {
                    Some(n) => {
                        ascii &= n == 1;
                        self.at += n;
                    }
                    None => break,
                }
            }
            // Every word takes a position, also one dropped for its length.
            self.token.position = self.token.position.wrapping_add(1);
            if self.at - start >= MAX_TOKEN_BYTES {
                continue;
            }
            let word = &self.text[start..self.at];
            self.token.text.clear();
            if ascii {
                self.token.text.push_str(word);
                self.token.text.make_ascii_lowercase();
            } else {
                for c in word.chars() {
                    self.token.text.extend(c.to_lowercase());
                }
            }
            self.token.offset_from = start;
            self.token.offset_to = self.at;
            return true;
        }
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

/// The analyzer of a stemming for queries and highlights: simple word splitting (Unicode
/// letters and digits), lower-casing, then the stemmer.
pub(crate) fn analyzer(stemming: Stemming) -> TextAnalyzer {
    let base = words!();
    match stemming.0 {
        None => base.build(),
        Some(i) => base
            .filter(CachedStemmer {
                algorithm: Some(LANGUAGES[i].2),
                vocabulary: false,
            })
            .build(),
    }
}

/// The analyzer of the indexed text field: the same tokens as [`analyzer`], from values
/// that start with a document number (see [`index_value`]), and as a side effect the
/// document's vocabulary for the [`VocabTokenizer`].
pub(crate) fn index_analyzer(stemming: Stemming) -> TextAnalyzer {
    words!()
        .filter(CachedStemmer {
            algorithm: stemming.0.map(|i| LANGUAGES[i].2),
            vocabulary: true,
        })
        .build()
}

/// Separates the document number from the passage text in an indexed text value.
const DOC_SEPARATOR: char = '\u{1F}';

/// The value of the text field for a passage of document `doc`: the index analyzer reads
/// the number to know where a document's vocabulary starts; it is not a token.
pub(crate) fn index_value(doc: u32, text: &str, into: &mut String) {
    use std::fmt::Write;
    into.clear();
    let _ = write!(into, "{doc}{DOC_SEPARATOR}");
    into.push_str(text);
}

/// Most words of a study are stemmed again and again; the stems of this many distinct
/// words are remembered per analyzer (a few MB); a document's own words always are.
const STEM_CACHE_WORDS: usize = 100_000;

/// The Snowball stemmer tantivy uses, remembering the stems of the words it has seen: the
/// Snowball algorithms took a third of the indexing time. With `vocabulary`, it also notes
/// the first occurrence of each word in a document (see [`VocabTokenizer`]).
#[derive(Clone, Copy)]
struct CachedStemmer {
    algorithm: Option<Algorithm>,
    vocabulary: bool,
}

impl TokenFilter for CachedStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> CachedStemmerFilter<T> {
        CachedStemmerFilter {
            config: self,
            stemmer: self.algorithm.map(rust_stemmers::Stemmer::create),
            cache: StemCache::default(),
            doc: String::new(),
            generation: 0,
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

/// A word's stem, and the last document (by generation) it was seen in.
struct Cached {
    stem: String,
    generation: u32,
}

type StemCache = HashMap<String, Cached, std::hash::BuildHasherDefault<Fnv>>;

thread_local! {
    /// Words the index analyzer saw for the first time in the current document while
    /// tokenizing a passage's text, waiting for the vocabulary field of the same passage.
    /// tantivy indexes a document's fields in schema order on one thread, and the text
    /// field comes before the vocabulary field.
    static NEW_WORDS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

struct CachedStemmerFilter<T> {
    config: CachedStemmer,
    stemmer: Option<rust_stemmers::Stemmer>,
    cache: StemCache,
    /// The document number of the values being indexed.
    doc: String,
    /// Bumped for each new document; a cached word seen in another generation is new.
    generation: u32,
    inner: T,
}

/// A clone starts with an empty cache (analyzers are cloned per indexing thread).
impl<T: Tokenizer> Clone for CachedStemmerFilter<T> {
    fn clone(&self) -> Self {
        self.config.transform(self.inner.clone())
    }
}

impl<T: Tokenizer> Tokenizer for CachedStemmerFilter<T> {
    type TokenStream<'a> = CachedStemmerStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, value: &'a str) -> Self::TokenStream<'a> {
        let mut text = value;
        if self.config.vocabulary {
            let (doc, rest) = value.split_once(DOC_SEPARATOR).unwrap_or(("", value));
            text = rest;
            if doc != self.doc {
                self.doc.clear();
                self.doc.push_str(doc);
                self.generation = self.generation.wrapping_add(1);
                if self.cache.len() > STEM_CACHE_WORDS {
                    self.cache.clear();
                }
            }
            NEW_WORDS.with(|w| w.borrow_mut().clear());
        }
        CachedStemmerStream {
            tail: self.inner.token_stream(text),
            stemmer: self.stemmer.as_ref(),
            cache: &mut self.cache,
            vocabulary: self.config.vocabulary.then_some(self.generation),
        }
    }
}

struct CachedStemmerStream<'a, T> {
    tail: T,
    stemmer: Option<&'a rust_stemmers::Stemmer>,
    cache: &'a mut StemCache,
    /// The current generation, when collecting the vocabulary.
    vocabulary: Option<u32>,
}

impl<T: TokenStream> TokenStream for CachedStemmerStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        let generation = self.vocabulary.unwrap_or(0);
        if let Some(c) = self.cache.get_mut(&token.text) {
            if self.vocabulary.is_some() && c.generation != generation {
                c.generation = generation;
                NEW_WORDS.with(|w| w.borrow_mut().push(token.text.clone()));
            }
            token.text.clone_from(&c.stem);
            return true;
        }
        let stem = match self.stemmer {
            Some(s) => s.stem(&token.text).into_owned(),
            None => token.text.clone(),
        };
        if self.vocabulary.is_some() {
            NEW_WORDS.with(|w| w.borrow_mut().push(token.text.clone()));
        }
        // The vocabulary needs every word of the current document remembered; without
        // it the cache is only a speed-up, and bounded.
        if self.vocabulary.is_some() || self.cache.len() < STEM_CACHE_WORDS {
            let word = std::mem::replace(&mut token.text, stem.clone());
            self.cache.insert(word, Cached { stem, generation });
        } else {
            token.text = stem;
        }
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// The analyzer of prefixes: words as the index analyzer splits them, unstemmed.
pub(crate) fn raw_analyzer() -> TextAnalyzer {
    analyzer(Stemming::NONE)
}

/// The tokenizer of the vocabulary field: the words the text field's analyzer just saw for
/// the first time in the passage's document (in this segment), unstemmed. Its value is
/// ignored. So each document contributes each of its words to the field once, and the
/// field's term dictionary lists every word of every live document (passages are only
/// ever deleted a whole document at a time) at a small fraction of the cost of indexing
/// the text twice.
#[derive(Clone, Default)]
pub(crate) struct VocabTokenizer {
    tokens: Vec<Token>,
}

impl Tokenizer for VocabTokenizer {
    type TokenStream<'a> = VecTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, _value: &'a str) -> VecTokenStream<'a> {
        self.tokens.clear();
        NEW_WORDS.with(|w| {
            for (position, text) in w.borrow_mut().drain(..).enumerate() {
                self.tokens.push(Token {
                    position,
                    text,
                    ..Token::default()
                });
            }
        });
        VecTokenStream {
            tokens: &mut self.tokens,
            at: None,
        }
    }
}

pub(crate) struct VecTokenStream<'a> {
    tokens: &'a mut Vec<Token>,
    at: Option<usize>,
}

impl TokenStream for VecTokenStream<'_> {
    fn advance(&mut self) -> bool {
        let next = self.at.map_or(0, |i| i + 1);
        self.at = Some(next);
        next < self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self
            .at
            .unwrap_or(0)
            .min(self.tokens.len().saturating_sub(1))]
    }

    fn token_mut(&mut self) -> &mut Token {
        let i = self
            .at
            .unwrap_or(0)
            .min(self.tokens.len().saturating_sub(1));
        &mut self.tokens[i]
    }
}

/// The tokenizer name of the vocabulary field.
pub(crate) const VOCAB_TOKENIZER: &str = "ambit_vocabulary";

/// Registers every index analyzer, so any index Ambit wrote opens whatever its language.
pub(crate) fn register(manager: &TokenizerManager) {
    manager.register(
        VOCAB_TOKENIZER,
        TextAnalyzer::from(VocabTokenizer::default()),
    );
    manager.register(
        &Stemming::NONE.tokenizer_name(),
        index_analyzer(Stemming::NONE),
    );
    for i in 0..LANGUAGES.len() {
        let s = Stemming(Some(i));
        manager.register(&s.tokenizer_name(), index_analyzer(s));
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

    fn tantivy_words(text: &str) -> Vec<(String, usize, usize, usize)> {
        use tantivy::tokenizer::{LowerCaser, RemoveLongFilter, SimpleTokenizer};
        let mut a = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
            .filter(LowerCaser)
            .build();
        all(&mut a, text)
    }

    fn all(a: &mut TextAnalyzer, text: &str) -> Vec<(String, usize, usize, usize)> {
        let mut out = Vec::new();
        let mut s = a.token_stream(text);
        while let Some(t) = s.next() {
            out.push((t.text.clone(), t.position, t.offset_from, t.offset_to));
        }
        out
    }

    #[test]
    fn words_like_tantivy() {
        for text in [
            "Hello, happy TAX payer!",
            "Kari Järvinen: työ — 👍 ÅSA e-mail x10",
            "İstanbul ΣΊΣΥΦΟΣ ǅ ẞ ﬁ",
            &format!("short {} long {} end", "a".repeat(59), "b".repeat(60)),
            "",
            "  \n\t",
        ] {
            assert_eq!(
                all(&mut words!().build(), text),
                tantivy_words(text),
                "{text:?}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn words_like_tantivy_on_any_text(text in "(\\PC|[a-zA-Z0-9 ]){0,80}") {
            proptest::prop_assert_eq!(all(&mut words!().build(), &text), tantivy_words(&text));
        }

        #[test]
        fn words_like_tantivy_on_long_words(text in "([a-zäÖ]{0,70}[ ,.—]){0,5}") {
            proptest::prop_assert_eq!(all(&mut words!().build(), &text), tantivy_words(&text));
        }
    }

    #[test]
    fn tokenizer_names_round_trip() {
        for code in Stemming::supported() {
            let s = Stemming::for_language(code).unwrap();
            assert_eq!(Stemming::from_tokenizer_name(&s.tokenizer_name()), Some(s));
        }
    }
}
