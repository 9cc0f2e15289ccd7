//! The value of a reliability coefficient, which may be mathematically undefined.

use std::fmt;

/// A coefficient's value, or the reason it has none.
///
/// Coefficients divide by a chance term (expected disagreement, `1 - Pe`)
/// that is zero when the data have no variation. Such a result is reported
/// as `Undefined` rather than NaN so that callers must decide how to print it.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Estimate {
    /// A finite value.
    Value(f64),
    /// No value exists for these data.
    Undefined {
        /// Why.
        reason: UndefinedReason,
    },
}

/// Why an [`Estimate`] is undefined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub enum UndefinedReason {
    /// All values are the same, so chance agreement is perfect (De = 0, Pe = 1).
    NoVariation,
    /// Nothing to compare: no unit has two values.
    NoData,
}

impl Estimate {
    pub(crate) fn undefined(reason: UndefinedReason) -> Self {
        Estimate::Undefined { reason }
    }

    /// The value, if defined.
    pub fn value(&self) -> Option<f64> {
        match self {
            Estimate::Value(v) => Some(*v),
            Estimate::Undefined { .. } => None,
        }
    }

    /// True if this estimate has a value.
    pub fn is_defined(&self) -> bool {
        matches!(self, Estimate::Value(_))
    }
}

impl fmt::Display for UndefinedReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            UndefinedReason::NoVariation => "no variation",
            UndefinedReason::NoData => "no pairable values",
        })
    }
}

/// Prints the value (honouring a precision such as `{:.3}`) or
/// `undefined (no variation)`.
impl fmt::Display for Estimate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Estimate::Value(v) => match f.precision() {
                Some(p) => write!(f, "{v:.p$}"),
                None => write!(f, "{v}"),
            },
            Estimate::Undefined { reason } => write!(f, "undefined ({reason})"),
        }
    }
}
