//! Fuzz target: the html readers must refuse or read any bytes, never panic.
#![no_main]

use ambit_ingest::{extract_all, Format, Options, ZipLimits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let opts = Options {
        text_columns: vec!["Q1".into(), "answer".into()],
        zip: ZipLimits::for_file_limit(1 << 20),
        ..Options::default()
    };
    for format in [Format::Html] {
        let _ = extract_all("fuzz", data, format, &opts);
    }
});
