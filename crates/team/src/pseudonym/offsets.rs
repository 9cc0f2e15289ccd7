//! The offset map from an original text to its pseudonymised form.

use serde::Serialize;

/// One name replaced by its pseudonym: character ranges in the original and the new text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Replacement {
    /// Start of the name in the original text.
    pub old_start: usize,
    /// End (exclusive) of the name in the original text.
    pub old_end: usize,
    /// Start of the pseudonym in the pseudonymised text.
    pub new_start: usize,
    /// End (exclusive) of the pseudonym in the pseudonymised text.
    pub new_end: usize,
}

/// Moves character offsets of an original text to its pseudonymised form.
///
/// Text outside replaced names shifts by what the replacements before it added or removed.
/// A position strictly inside a replaced name has no counterpart; the rule is that **a
/// range that cuts a name covers its whole pseudonym**: a start inside a name moves to the
/// start of the pseudonym, an end inside a name to its end. So exported coded text never
/// shows part of a name or part of a pseudonym, and a coding that touched a name still
/// touches it. Positions past the end of the original text shift like the end.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OffsetMap {
    edits: Vec<Replacement>,
}

impl OffsetMap {
    pub(crate) fn new(edits: Vec<Replacement>) -> OffsetMap {
        OffsetMap { edits }
    }

    /// The replacements, in text order.
    pub fn replacements(&self) -> &[Replacement] {
        &self.edits
    }

    /// Whether nothing was replaced (every offset maps to itself).
    pub fn is_identity(&self) -> bool {
        self.edits.is_empty()
    }

    /// Splits around `p`: the replacement that `p` lies strictly inside (if any), and the
    /// shift of the text at `p` otherwise.
    fn locate(&self, p: usize) -> (Option<&Replacement>, isize) {
        let i = self.edits.partition_point(|r| r.old_end <= p);
        let shift = i.checked_sub(1).map_or(0, |i| {
            let r = &self.edits[i];
            r.new_end as isize - r.old_end as isize
        });
        let inside = self.edits.get(i).filter(|r| r.old_start < p);
        (inside, shift)
    }

    fn shifted(p: usize, shift: isize) -> usize {
        p.saturating_add_signed(shift)
    }

    /// Where a start offset goes: a start inside a name goes to the start of its pseudonym.
    pub fn map_start(&self, p: usize) -> usize {
        match self.locate(p) {
            (Some(r), _) => r.new_start,
            (None, shift) => Self::shifted(p, shift),
        }
    }

    /// Where an end offset goes: an end inside a name goes to the end of its pseudonym.
    pub fn map_end(&self, p: usize) -> usize {
        match self.locate(p) {
            (Some(r), _) => r.new_end,
            (None, shift) => Self::shifted(p, shift),
        }
    }

    /// Where the range `start..end` goes (see the type's rule for ranges that cut a name).
    /// An empty range stays empty, at [`map_start`](Self::map_start).
    pub fn map_range(&self, start: usize, end: usize) -> (usize, usize) {
        if start >= end {
            let p = self.map_start(start);
            return (p, p);
        }
        (self.map_start(start), self.map_end(end))
    }

    /// Whether `start..end` cuts a replaced name: starts or ends strictly inside one.
    pub fn cuts_name(&self, start: usize, end: usize) -> bool {
        self.locate(start).0.is_some() || self.locate(end).0.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_offsets_around_and_inside_names() {
        // "Päivi Järvinen said hi to Kari." -> "P03 said hi to P07."
        let map = OffsetMap::new(vec![
            Replacement {
                old_start: 0,
                old_end: 14,
                new_start: 0,
                new_end: 3,
            },
            Replacement {
                old_start: 26,
                old_end: 30,
                new_start: 15,
                new_end: 18,
            },
        ]);
        let check = |range: (usize, usize), expected: (usize, usize)| {
            assert_eq!(map.map_range(range.0, range.1), expected, "{range:?}");
        };
        check((0, 14), (0, 3)); // the whole name
        check((15, 19), (4, 8)); // "said"
        check((0, 19), (0, 8));
        check((6, 19), (0, 8)); // starts inside the name
        check((20, 28), (9, 18)); // ends inside "Kari"
        check((30, 31), (18, 19)); // the full stop
        check((31, 31), (19, 19));
        check((3, 3), (0, 0)); // empty inside a name
        check((40, 45), (28, 33)); // past the end shifts like the end
        assert!(map.cuts_name(6, 19));
        assert!(!map.cuts_name(0, 14));
        assert!(OffsetMap::default().is_identity());
        assert_eq!(OffsetMap::default().map_range(3, 5), (3, 5));
    }
}
