//! The index schema: one tantivy document per passage, its fields by name, and the
//! commit payload that says which schema and store revision an index holds.

use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, INDEXED, STRING,
};

use crate::language::{Stemming, VOCAB_TOKENIZER};

/// Bumped when the schema changes; an index of another version is rebuilt, not read.
pub const SCHEMA_VERSION: u32 = 3;

/// The field names, as written into every index.
pub(crate) mod field {
    /// Document number (`D7` → 7): indexed to delete and filter by, fast to group by.
    pub(crate) const DOC: &str = "doc";
    /// The passage's ordinal in its document.
    pub(crate) const ORDINAL: &str = "ordinal";
    /// The passage text, stemmed, with positions.
    pub(crate) const TEXT: &str = "text";
    /// Every word of each document once, unstemmed (prefix expansion).
    pub(crate) const VOCAB: &str = "vocab";
    /// The speaker, as written in the transcript.
    pub(crate) const SPEAKER: &str = "speaker";
    /// The codes on the passage, with their ancestors.
    pub(crate) const CODE: &str = "code";
}

#[derive(Clone, Copy)]
pub(crate) struct Fields {
    pub(crate) doc: Field,
    pub(crate) ordinal: Field,
    pub(crate) text: Field,
    pub(crate) vocab: Field,
    pub(crate) speaker: Field,
    pub(crate) code: Field,
}

pub(crate) fn schema(stemming: Stemming) -> Schema {
    let mut b = Schema::builder();
    // Nothing is stored: hits are passage ids, and their texts come from the project
    // store. The doc store took a fifth of the indexing time.
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(&stemming.tokenizer_name())
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    // Every word of each document once, unstemmed: prefix queries find their words here.
    // It must come after `text` (see `language::VocabTokenizer`).
    let vocab = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(VOCAB_TOKENIZER)
            .set_index_option(IndexRecordOption::Basic),
    );
    b.add_u64_field(field::DOC, INDEXED | FAST);
    b.add_u64_field(field::ORDINAL, FAST);
    b.add_text_field(field::TEXT, text);
    b.add_text_field(field::VOCAB, vocab);
    b.add_text_field(field::SPEAKER, STRING | FAST);
    b.add_text_field(field::CODE, STRING);
    b.build()
}

pub(crate) fn fields(schema: &Schema) -> tantivy::Result<Fields> {
    let f = |n: &str| schema.get_field(n);
    let fields = Fields {
        doc: f(field::DOC)?,
        ordinal: f(field::ORDINAL)?,
        text: f(field::TEXT)?,
        vocab: f(field::VOCAB)?,
        speaker: f(field::SPEAKER)?,
        code: f(field::CODE)?,
    };
    if fields.vocab.field_id() < fields.text.field_id() {
        return Err(tantivy::TantivyError::SchemaError(
            "the vocabulary field precedes the text field".into(),
        ));
    }
    Ok(fields)
}

/// What a commit records, as its payload: the schema, the store revision, and the
/// caller's settings (see [`crate::Writer::set_settings`]).
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct Payload {
    pub(crate) schema: u32,
    pub(crate) revision: u64,
    #[serde(default)]
    pub(crate) settings: String,
}
