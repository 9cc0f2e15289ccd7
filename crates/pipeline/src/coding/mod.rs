//! Coding workflows: the project codebook, manual coding, auto-coding, retrieval, queries.
//!
//! - [`codebook_file`]: `codebook.toml`, and edits that touch codings too;
//! - [`manual`]: coding by hand;
//! - [`autocode`](mod@autocode): the rules in one pass;
//! - [`retrieve`]: coded segments and the counts behind table cells;
//! - [`query`](mod@query): passages selected by code expressions.

pub mod autocode;
pub mod codebook_file;
pub mod manual;
pub mod query;
pub mod retrieve;

pub use self::autocode::{autocode, AutocodeReport, AutocodeRow};
pub use self::codebook_file::{
    codebook_path, delete_code, import_codebook, load_codebook, merge_code, orphaned_codings,
    read_codebook, rename_code, save_codebook, write_codebook_source, CodebookImport,
    CODEBOOK_FILE,
};
pub use self::manual::{code_manually, Coded, ManualCoding, Selection, Target};
pub use self::query::{count_by_phase, query, QueryHit};
pub use self::retrieve::{
    count_segments, document_segments, listing, segments, theme_by_phase, CountUnit, Segment,
    SegmentFilter, ThemeRow,
};
