//! Calendar dates (`YYYY-MM-DD`) without time zones: all a study timeline needs.

use std::fmt;

use crate::error::{Error, Result};

/// A proleptic Gregorian calendar date.
///
/// Ordering is chronological, so dates sort along the study timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// Builds a date, checking that it exists (leap years included).
    pub fn from_ymd(year: u16, month: u8, day: u8) -> Result<Date> {
        let input = || format!("{year:04}-{month:02}-{day:02}");
        if !(1..=12).contains(&month) {
            return Err(Error::InvalidDate {
                input: input(),
                reason: "month must be 01..12",
            });
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err(Error::InvalidDate {
                input: input(),
                reason: "no such day in that month",
            });
        }
        Ok(Date { year, month, day })
    }

    /// Parses `YYYY-MM-DD` (surrounding whitespace allowed). A trailing time part such as
    /// `T10:00:00` or ` 10:00` is ignored, because archival metadata often carries one.
    pub fn parse(input: &str) -> Result<Date> {
        let s = input.trim();
        let err = |reason| Error::InvalidDate {
            input: input.to_string(),
            reason,
        };
        let b = s.as_bytes();
        if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(err("not in YYYY-MM-DD form"));
        }
        if b.len() > 10 && !matches!(b[10], b'T' | b't' | b' ') {
            return Err(err("unexpected text after the date"));
        }
        let num = |r: std::ops::Range<usize>| -> Result<u16> {
            let part = &s[r];
            if !part.bytes().all(|c| c.is_ascii_digit()) {
                return Err(err("year, month and day must be digits"));
            }
            part.parse::<u16>().map_err(|_| err("number out of range"))
        };
        let year = num(0..4)?;
        let month = num(5..7)?;
        let day = num(8..10)?;
        Date::from_ymd(year, month as u8, day as u8).map_err(|_| err("no such calendar date"))
    }

    /// The year.
    pub fn year(self) -> u16 {
        self.year
    }

    /// The month, 1..=12.
    pub fn month(self) -> u8 {
        self.month
    }

    /// The day of the month, 1..=31.
    pub fn day(self) -> u8 {
        self.day
    }

    /// The calendar month the date falls in.
    pub fn month_of(self) -> Month {
        Month {
            year: self.year,
            month: self.month,
        }
    }
}

/// The label of documents without a date, where months or dates are listed.
pub const UNDATED: &str = "undated";

/// A calendar month (`YYYY-MM`): what `--month` filters and month columns group by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    year: u16,
    month: u8,
}

impl Month {
    /// Parses `YYYY-MM` (surrounding whitespace allowed).
    pub fn parse(input: &str) -> Result<Month> {
        let s = input.trim();
        let err = |reason| Error::InvalidMonth {
            input: input.to_string(),
            reason,
        };
        let b = s.as_bytes();
        if b.len() != 7
            || b[4] != b'-'
            || !s[..4]
                .bytes()
                .chain(s[5..].bytes())
                .all(|c| c.is_ascii_digit())
        {
            return Err(err("not in YYYY-MM form"));
        }
        let year: u16 = s[..4].parse().map_err(|_| err("year out of range"))?;
        let month: u8 = s[5..].parse().map_err(|_| err("month out of range"))?;
        if !(1..=12).contains(&month) {
            return Err(err("month must be 01..12"));
        }
        Ok(Month { year, month })
    }

    /// The year.
    pub fn year(self) -> u16 {
        self.year
    }

    /// The month, 1..=12.
    pub fn month(self) -> u8 {
        self.month
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl std::str::FromStr for Month {
    type Err = Error;
    fn from_str(s: &str) -> Result<Month> {
        Month::parse(s)
    }
}

impl serde::Serialize for Month {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ => {
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
            if leap {
                29
            } else {
                28
            }
        }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl std::str::FromStr for Date {
    type Err = Error;
    fn from_str(s: &str) -> Result<Date> {
        Date::parse(s)
    }
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Date, D::Error> {
        let s = String::deserialize(d)?;
        Date::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: Option<&str>) {
        let got = Date::parse(input).ok().map(|d| d.to_string());
        assert_eq!(got.as_deref(), expected, "input {input:?}");
    }

    #[test]
    fn months() {
        let m = Month::parse("2013-03").unwrap();
        assert_eq!(m.to_string(), "2013-03");
        assert_eq!(Date::parse("2013-03-20").unwrap().month_of(), m);
        assert!(Month::parse("2013-3").is_err());
        assert!(Month::parse("2013-13").is_err());
        assert!(Month::parse("2013-03-01").is_err());
        assert!(Month::parse("undated").is_err());
        assert!(Month::parse("2013-02").unwrap() < m);
    }

    #[test]
    fn parses_real_dates() {
        check("2013-03-20", Some("2013-03-20"));
        check(" 2013-03-20 ", Some("2013-03-20"));
        check("2012-02-29", Some("2012-02-29"));
        check("2000-02-29", Some("2000-02-29"));
        check("2013-03-20T10:00:00Z", Some("2013-03-20"));
        check("2013-03-20 10:00", Some("2013-03-20"));
    }

    #[test]
    fn refuses_impossible_dates() {
        check("2013-02-29", None);
        check("1900-02-29", None);
        check("2013-13-01", None);
        check("2013-04-31", None);
        check("2013-00-10", None);
        check("13-03-2013", None);
        check("2013/03/20", None);
        check("2013-3-20", None);
        check("", None);
        check("2013-03-20x", None);
        check("２０13-03-20", None);
    }

    #[test]
    fn orders_chronologically() {
        let a = Date::parse("2013-12-31").unwrap();
        let b = Date::parse("2014-01-01").unwrap();
        assert!(a < b);
        assert_eq!(b.month_of().to_string(), "2014-01");
    }
}
