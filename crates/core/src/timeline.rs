//! The study timeline: ordered, non-overlapping phases, and where a document falls in it.

use serde::Serialize;

use crate::date::Date;
use crate::error::{Error, Result};
use crate::ids::DocId;

/// The label of the pseudo-phase for documents that fall in no phase.
pub const UNPHASED: &str = "unphased";

/// One phase of a study, e.g. a developmental intervention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Phase {
    /// Short id used in commands and tables (`I1`).
    pub id: String,
    /// Human-readable label (`Intervention 1: process modelling workshop`).
    pub label: String,
    /// First day of the phase (inclusive).
    pub start: Date,
    /// Last day of the phase (inclusive).
    pub end: Date,
}

impl Phase {
    /// Builds a phase; [`Timeline::new`] validates it.
    pub fn new(id: &str, label: &str, start: Date, end: Date) -> Phase {
        Phase {
            id: id.to_string(),
            label: label.to_string(),
            start,
            end,
        }
    }

    /// Whether `date` falls in this phase (both ends inclusive).
    pub fn contains(&self, date: Date) -> bool {
        self.start <= date && date <= self.end
    }
}

/// Where a document falls on the timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Placement {
    /// In the phase with this index in timeline order.
    Phase(usize),
    /// In no phase: no date and no explicit phase, or a date outside every phase.
    Unphased,
}

/// Where a document sits along the study: its phase in timeline order (unphased after
/// every phase), then its date (undated documents first within their phase), then its id.
/// Every listing "in timeline order" sorts by this key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimelineKey {
    placement: Placement,
    date: Option<Date>,
    doc: DocId,
}

impl TimelineKey {
    /// The key of a document placed at `placement` with `date`.
    pub fn new(placement: Placement, date: Option<Date>, doc: DocId) -> TimelineKey {
        TimelineKey {
            placement,
            date,
            doc,
        }
    }

    /// The position of the phase on the timeline; `u32::MAX` for unphased documents.
    pub fn phase_order(&self) -> u32 {
        match self.placement {
            Placement::Phase(i) => u32::try_from(i).unwrap_or(u32::MAX - 1),
            Placement::Unphased => u32::MAX,
        }
    }
}

/// The study timeline: phases in the order the researcher listed them.
///
/// Invariants, checked by [`Timeline::new`]: phase ids are unique and well-formed, every
/// phase ends on or after its start, and no two date ranges overlap. The listed order is
/// the order used everywhere (tables, charts); it need not be chronological, although it
/// usually is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Timeline {
    phases: Vec<Phase>,
}

impl Timeline {
    /// Validates and builds a timeline.
    pub fn new(phases: Vec<Phase>) -> Result<Timeline> {
        for (i, p) in phases.iter().enumerate() {
            let id_ok = !p.id.is_empty()
                && p.id
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
            if !id_ok || p.id == UNPHASED {
                return Err(Error::InvalidPhaseId(p.id.clone()));
            }
            if phases[..i].iter().any(|q| q.id == p.id) {
                return Err(Error::DuplicatePhase(p.id.clone()));
            }
            if p.end < p.start {
                return Err(Error::PhaseEndsBeforeStart {
                    id: p.id.clone(),
                    start: p.start,
                    end: p.end,
                });
            }
        }
        // Sorting by start makes the overlap check linear after the sort; phases are few,
        // but a timeline check should never be the slow part of opening a project.
        let mut by_start: Vec<&Phase> = phases.iter().collect();
        by_start.sort_by_key(|p| (p.start, p.end));
        for pair in by_start.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            if b.start <= a.end {
                return Err(Error::PhasesOverlap {
                    first: a.id.clone(),
                    first_range: format!("{}..{}", a.start, a.end),
                    second: b.id.clone(),
                    second_range: format!("{}..{}", b.start, b.end),
                });
            }
        }
        Ok(Timeline { phases })
    }

    /// The phases in timeline order.
    pub fn phases(&self) -> &[Phase] {
        &self.phases
    }

    /// The index of the phase with this id.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.phases.iter().position(|p| p.id == id)
    }

    /// Checks that a phase id exists, with an error listing the valid ids.
    pub fn require(&self, id: &str) -> Result<usize> {
        self.index_of(id).ok_or_else(|| Error::UnknownPhase {
            id: id.to_string(),
            known: if self.phases.is_empty() {
                "(no phases: add [[phase]] tables to ambit.toml)".to_string()
            } else {
                self.phases
                    .iter()
                    .map(|p| p.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        })
    }

    /// Places a document: its explicit phase wins; otherwise the phase whose range contains
    /// its date; otherwise unphased.
    ///
    /// An explicit phase that the timeline no longer has (the researcher removed it from
    /// `ambit.toml`) falls back to the date, so editing the timeline never hides documents.
    pub fn place(&self, date: Option<Date>, explicit: Option<&str>) -> Result<Placement> {
        if let Some(id) = explicit {
            if let Some(i) = self.index_of(id) {
                return Ok(Placement::Phase(i));
            }
        }
        Ok(
            match date.and_then(|d| self.phases.iter().position(|p| p.contains(d))) {
                Some(i) => Placement::Phase(i),
                None => Placement::Unphased,
            },
        )
    }

    /// The phase id of a placement, or `unphased`.
    pub fn label_of(&self, placement: Placement) -> &str {
        match placement {
            Placement::Phase(i) => self.phases.get(i).map_or(UNPHASED, |p| p.id.as_str()),
            Placement::Unphased => UNPHASED,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn study() -> Timeline {
        Timeline::new(vec![
            Phase::new("baseline", "Baseline", d("2013-01-07"), d("2013-03-17")),
            Phase::new("I1", "Intervention 1", d("2013-03-18"), d("2013-04-14")),
            Phase::new("I2", "Intervention 2", d("2013-06-10"), d("2013-09-01")),
        ])
        .unwrap()
    }

    fn check(date: Option<&str>, explicit: Option<&str>, expected: &str) {
        let t = study();
        let placed = t.place(date.map(d), explicit).unwrap();
        assert_eq!(
            t.label_of(placed),
            expected,
            "date {date:?}, explicit {explicit:?}"
        );
    }

    #[test]
    fn places_documents() {
        check(Some("2013-01-07"), None, "baseline");
        check(Some("2013-03-17"), None, "baseline");
        check(Some("2013-03-18"), None, "I1");
        check(Some("2013-05-01"), None, UNPHASED); // in the gap between I1 and I2
        check(Some("2012-12-31"), None, UNPHASED);
        check(None, None, UNPHASED);
        check(Some("2013-05-01"), Some("I1"), "I1");
        check(None, Some("I2"), "I2");
        check(Some("2013-03-20"), Some("gone"), "I1");
    }

    #[test]
    fn refuses_bad_timelines() {
        let e = Timeline::new(vec![Phase::new(
            "I1",
            "x",
            d("2013-03-18"),
            d("2013-03-01"),
        )]);
        assert!(matches!(e, Err(Error::PhaseEndsBeforeStart { .. })));
        let e = Timeline::new(vec![
            Phase::new("I2", "x", d("2013-04-01"), d("2013-05-01")),
            Phase::new("I1", "x", d("2013-03-01"), d("2013-04-01")),
        ])
        .unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("\"I1\"") && msg.contains("\"I2\"") && msg.contains("overlap"),
            "{msg}"
        );
        let e = Timeline::new(vec![
            Phase::new("I1", "x", d("2013-03-01"), d("2013-03-02")),
            Phase::new("I1", "x", d("2013-04-01"), d("2013-04-02")),
        ]);
        assert!(matches!(e, Err(Error::DuplicatePhase(_))));
        assert!(Timeline::new(vec![Phase::new(
            "a b",
            "x",
            d("2013-03-01"),
            d("2013-03-02")
        )])
        .is_err());
        assert!(Timeline::new(vec![Phase::new(
            UNPHASED,
            "x",
            d("2013-03-01"),
            d("2013-03-02")
        )])
        .is_err());
    }

    #[test]
    fn timeline_keys_sort_phases_then_dates_then_ids() {
        let key = |p, date: Option<&str>, doc| TimelineKey::new(p, date.map(d), DocId(doc));
        let mut keys = [
            key(Placement::Unphased, None, 1),
            key(Placement::Phase(1), Some("2013-03-20"), 2),
            key(Placement::Phase(1), None, 9),
            key(Placement::Phase(0), Some("2013-09-01"), 3),
            key(Placement::Phase(1), Some("2013-03-19"), 8),
        ];
        keys.sort();
        let docs: Vec<u32> = keys.iter().map(|k| k.doc.0).collect();
        assert_eq!(docs, [3, 9, 8, 2, 1]);
        assert_eq!(keys[4].phase_order(), u32::MAX);
        assert_eq!(keys[1].phase_order(), 1);
    }

    #[test]
    fn require_lists_valid_ids() {
        let e = study().require("I9").unwrap_err().to_string();
        assert!(e.contains("baseline, I1, I2"), "{e}");
    }
}
