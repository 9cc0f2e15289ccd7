//! A term's positions read straight from a segment's positions file, at the offset its
//! posting list says, for checking phrases in one forward sweep ([`crate::phrase`]).
//!
//! tantivy reads positions only through `SegmentPostings`, one document at a time: each
//! call seeks the posting list to the document and sums the term frequencies before it
//! in its block. For a phrase of two frequent words (77,000 passages holding both in a
//! million) those calls were most of the search. Here the posting list is walked once,
//! block by block, to find each candidate's offset into the positions, and a
//! [`PositionReader`] (tantivy's own decoder) reads them in order.
//!
//! tantivy does not hand out a field's positions file, so [`FieldPositions::open`] reads
//! the layout of the segment's `.pos` file itself: tantivy's composite file (the fields'
//! data one after the other, then a footer: their count, and per field the offset from
//! the previous one, the field number and an index, then the footer's length). That
//! layout is tantivy 0.25's (the version is pinned in `crates/index/Cargo.toml`); anything
//! that does not read as it must gives `None`, and the phrase is checked the slower way
//! through tantivy's public API instead. The phrase tests compare both with tantivy's
//! own phrase query.

use std::ops::Range;

use tantivy::directory::OwnedBytes;
use tantivy::index::SegmentComponent;
use tantivy::positions::PositionReader;
use tantivy::postings::TermInfo;
use tantivy::schema::Field;
use tantivy::SegmentReader;

/// The positions of one field in one segment.
pub(crate) struct FieldPositions(OwnedBytes);

impl FieldPositions {
    /// The positions of `field` in the segment `reader` reads, or `None` when the
    /// segment's positions file is not laid out as this module expects.
    pub(crate) fn open(
        index: &tantivy::Index,
        reader: &SegmentReader,
        field: Field,
    ) -> Option<FieldPositions> {
        let meta = index.new_segment_meta(reader.segment_id(), reader.max_doc());
        let file = index
            .segment(meta)
            .open_read(SegmentComponent::Positions)
            .ok()?;
        // A memory-mapped index gives the mapping itself: nothing is copied.
        let bytes = file.read_bytes().ok()?;
        let range = field_range(bytes.as_slice(), field.field_id())?;
        Some(FieldPositions(bytes.slice(range)))
    }

    /// A reader of the positions of the term `info` describes.
    pub(crate) fn reader(&self, info: &TermInfo) -> Option<PositionReader> {
        let range = info.positions_range.clone();
        if range.start > range.end || range.end > self.0.len() {
            return None;
        }
        PositionReader::open(self.0.slice(range)).ok()
    }
}

/// Where the data of `field` is in a composite file.
fn field_range(file: &[u8], field: u32) -> Option<Range<usize>> {
    let n = file.len();
    let footer_len = u32::from_le_bytes(file.get(n.checked_sub(4)?..)?.try_into().ok()?) as usize;
    let footer_start = n.checked_sub(4)?.checked_sub(footer_len)?;
    let mut footer = file.get(footer_start..n - 4)?;
    let count = usize::try_from(vint(&mut footer)?).ok()?;
    let mut entries = Vec::new();
    let mut offset = 0usize;
    for _ in 0..count {
        offset = offset.checked_add(usize::try_from(vint(&mut footer)?).ok()?)?;
        let id = u32::from_le_bytes(footer.get(..4)?.try_into().ok()?);
        footer = &footer[4..];
        let idx = vint(&mut footer)?;
        entries.push((offset, id, idx));
    }
    if !footer.is_empty() || offset > footer_start {
        return None;
    }
    let at = entries.iter().position(|e| e.1 == field && e.2 == 0)?;
    let end = entries.get(at + 1).map_or(footer_start, |e| e.0);
    let start = entries[at].0;
    (start <= end).then_some(start..end)
}

/// tantivy's variable-length integer: seven bits a byte, least significant first, the
/// last byte marked by its high bit.
fn vint(bytes: &mut &[u8]) -> Option<u64> {
    let mut value = 0u64;
    for (i, &b) in bytes.iter().enumerate().take(10) {
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 != 0 {
            *bytes = &bytes[i + 1..];
            return Some(value);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A composite file as tantivy writes one: the data of each field, then the footer.
    fn composite(parts: &[(u32, u64, &[u8])]) -> Vec<u8> {
        let put = |out: &mut Vec<u8>, mut v: u64| loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                out.push(b | 0x80);
                return;
            }
            out.push(b);
        };
        let mut file = Vec::new();
        let mut footer = Vec::new();
        put(&mut footer, parts.len() as u64);
        let mut last = 0;
        for (field, idx, data) in parts {
            put(&mut footer, (file.len() - last) as u64);
            last = file.len();
            footer.extend_from_slice(&field.to_le_bytes());
            put(&mut footer, *idx);
            file.extend_from_slice(data);
        }
        let len = footer.len() as u32;
        file.extend(footer);
        file.extend_from_slice(&len.to_le_bytes());
        file
    }

    #[test]
    fn a_fields_data_is_found_in_a_composite_file() {
        let data: Vec<u8> = (0..300).map(|i| i as u8).collect();
        let file = composite(&[(1, 0, b"abc"), (2, 0, &data), (2, 1, b"zz"), (5, 0, b"")]);
        assert_eq!(field_range(&file, 1), Some(0..3));
        assert_eq!(&file[field_range(&file, 2).unwrap()], &data[..]);
        assert_eq!(field_range(&file, 5), Some(305..305));
        assert_eq!(field_range(&file, 3), None);
        // Whatever is cut or garbled reads as nothing, never as a wrong range.
        for cut in 0..file.len() {
            assert_eq!(field_range(&file[..cut], 7), None);
            let _ = field_range(&file[..cut], 2);
        }
        let mut bad = file.clone();
        let n = bad.len();
        bad[n - 4] = 0xff;
        assert_eq!(field_range(&bad, 2), None);
    }

    #[test]
    fn vints_read_as_tantivy_writes_them() {
        let mut b: &[u8] = &[0x85, 0x01, 0x81, 0x7f];
        assert_eq!(vint(&mut b), Some(5));
        assert_eq!(vint(&mut b), Some(1 | (1 << 7)));
        assert_eq!(vint(&mut b), None);
    }
}
