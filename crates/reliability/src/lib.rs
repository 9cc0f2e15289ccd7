//! Inter-coder reliability statistics: Krippendorff's alpha, Cohen's and Fleiss' kappa, percent agreement.
//!
//! Everything here is pure computation on in-memory values; CSV input is
//! read from any [`std::io::Read`], never from a path.
//!
//! - [`alpha`] / [`alpha_nominal`] / [`ReliabilityData::alpha`]:
//!   Krippendorff's alpha for nominal, ordinal, interval and ratio data with
//!   missing values, through the coincidence matrix (Krippendorff 2011), and
//!   [`Alpha::bootstrap`] for its distribution (Hayes & Krippendorff 2007).
//! - [`cohen_kappa_table`] / [`ReliabilityData::cohen_kappa`]: Cohen's kappa,
//!   unweighted or with linear / quadratic weights, with the standard error of
//!   Fleiss, Cohen & Everitt (1969).
//! - [`fleiss_kappa_counts`] / [`CountTable::fleiss_kappa`] /
//!   [`ReliabilityData::fleiss_kappa`]: Fleiss' kappa (1971).
//! - [`percent_agreement`] and [`binary_agreement`], the summary Ambit prints
//!   for each code.
//! - [`read_matrix_with`] / [`read_counts`]: CSV files as researchers keep
//!   them, read by one rule ([`layout`]) that finds the id column and the
//!   layout (coders in columns or in rows), refuses what it cannot tell, and
//!   returns the [`Reading`] it used.
//!
//! A coefficient that is mathematically undefined (no variation in the data)
//! is [`Estimate::Undefined`], never NaN.
//!
//! ```
//! use ambit_reliability::{read_matrix, Level, UnitsIn};
//!
//! // Krippendorff (2011): four coders, twelve units, `.` = missing.
//! let csv = "coder,1,2,3,4,5,6,7,8,9,10,11,12
//! A,1,2,3,3,2,1,4,1,2,.,.,.
//! B,1,2,3,3,2,2,4,1,2,5,.,3
//! C,.,3,3,3,2,3,4,2,2,5,1,.
//! D,1,2,3,3,2,4,4,1,2,5,1,.
//! ";
//! let data = read_matrix(csv.as_bytes(), ".", UnitsIn::Columns)?;
//! let alpha = data.alpha(Level::Nominal)?;
//! assert_eq!(format!("{:.3}", alpha.estimate), "0.743");
//! assert_eq!(alpha.pairable_values, 40);
//!
//! let boot = alpha.bootstrap(1000, 42)?;
//! assert!(boot.ci_low < 0.743 && 0.743 < boot.ci_high);
//! # Ok::<(), ambit_reliability::Error>(())
//! ```
#![warn(missing_docs)]

mod agreement;
mod alpha;
mod bootstrap;
mod coded;
mod data;
mod error;
mod estimate;
mod fleiss;
mod kappa;
pub mod layout;
mod read;

pub use agreement::{binary_agreement, percent_agreement, AgreementSummary, PercentAgreement};
pub use alpha::{alpha, alpha_nominal, Alpha, CoincidenceMatrix, Level};
pub use bootstrap::{Bootstrap, ALPHA_MIN_RELIABLE, ALPHA_MIN_TENTATIVE};
pub use data::{ReliabilityData, Values};
pub use error::{Error, Place, Result};
pub use estimate::{Estimate, UndefinedReason};
pub use fleiss::{fleiss_kappa_counts, CountTable, FleissKappa};
pub use kappa::{cohen_kappa_table, Kappa, Weights};
pub use layout::{Basis, Column, IdColumn, Reading};
pub use read::{read_counts, read_matrix, read_matrix_with, ReadOptions, UnitsIn};
