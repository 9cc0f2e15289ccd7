//! The index itself: creating, opening, and what it records about itself.

use std::path::{Path, PathBuf};

use tantivy::schema::FieldType;
use tantivy::{IndexReader, ReloadPolicy};

use crate::error::{Error, Result};
use crate::language::{register, Stemming};
use crate::schema::{fields, schema, Fields, Payload, SCHEMA_VERSION};

/// A full-text index of passages, on disk or in memory.
pub struct Index {
    pub(crate) index: tantivy::Index,
    pub(crate) reader: IndexReader,
    pub(crate) fields: Fields,
    pub(crate) stemming: Stemming,
    pub(crate) path: Option<PathBuf>,
}

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Index")
            .field("path", &self.path)
            .field("stemming", &self.stemming)
            .finish()
    }
}

impl Index {
    /// Creates an empty index in `dir` (made when missing; it must not hold an index).
    pub fn create(dir: &Path, stemming: Stemming) -> Result<Index> {
        std::fs::create_dir_all(dir).map_err(|source| Error::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let index = tantivy::Index::create_in_dir(dir, schema(stemming))?;
        Index::wrap(index, Some(dir.to_path_buf()))
    }

    /// Creates an empty index in memory (tests, one-off analyses).
    pub fn create_in_ram(stemming: Stemming) -> Result<Index> {
        Index::wrap(tantivy::Index::create_in_ram(schema(stemming)), None)
    }

    /// Opens the index in `dir`. Anything unreadable is [`Error::Corrupt`]: the caller
    /// rebuilds it from the store.
    pub fn open(dir: &Path) -> Result<Index> {
        let corrupt = |message: String| Error::Corrupt {
            path: dir.to_path_buf(),
            message,
        };
        let index = tantivy::Index::open_in_dir(dir).map_err(|e| corrupt(e.to_string()))?;
        Index::wrap(index, Some(dir.to_path_buf())).map_err(|e| match e {
            Error::Tantivy(m) => corrupt(m),
            other => other,
        })
    }

    fn wrap(index: tantivy::Index, path: Option<PathBuf>) -> Result<Index> {
        register(index.tokenizers());
        let schema = index.schema();
        let fields = fields(&schema).map_err(|_| {
            Error::Tantivy("its fields are those of another version of Ambit".into())
        })?;
        let stemming = match schema.get_field_entry(fields.text).field_type() {
            FieldType::Str(opts) => opts
                .get_indexing_options()
                .and_then(|i| Stemming::from_tokenizer_name(i.tokenizer())),
            _ => None,
        }
        .ok_or_else(|| Error::Tantivy("the text field has no Ambit tokenizer".into()))?;
        // Opening the reader opens every segment, so missing or truncated files show up
        // here rather than halfway through a search.
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Index {
            index,
            reader,
            fields,
            stemming,
            path,
        })
    }

    /// The stemming the index was built with.
    pub fn stemming(&self) -> Stemming {
        self.stemming
    }

    /// The store revision recorded by the last commit; `None` for an index that was never
    /// committed or was written with another schema version (both mean: rebuild).
    pub fn revision(&self) -> Result<Option<u64>> {
        let metas = self.index.load_metas()?;
        Ok(metas
            .payload
            .and_then(|p| serde_json::from_str::<Payload>(&p).ok())
            .filter(|p| p.schema == SCHEMA_VERSION)
            .map(|p| p.revision))
    }

    /// The settings recorded by the last commit (see [`crate::Writer::set_settings`]);
    /// `None` like [`Index::revision`].
    pub fn settings(&self) -> Result<Option<String>> {
        let metas = self.index.load_metas()?;
        Ok(metas
            .payload
            .and_then(|p| serde_json::from_str::<Payload>(&p).ok())
            .filter(|p| p.schema == SCHEMA_VERSION)
            .map(|p| p.settings))
    }

    /// Number of passages in the index.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Whether the index holds no passage.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
