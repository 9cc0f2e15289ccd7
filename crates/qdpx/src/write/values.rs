//! Variable values: which lexical forms fit which `typeOfVariable`, and the type an attribute's values make.

use ambit_core::Date;

use crate::model::VarType;

/// Whether `s` is an `xsd:dateTime`: `YYYY-MM-DDThh:mm:ss`, optional fraction and zone.
pub(crate) fn is_datetime(s: &str) -> bool {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    if b.len() < 19
        || !(digits(0..4) && digits(5..7) && digits(8..10) && digits(11..13))
        || !(digits(14..16) && digits(17..19))
        || (b[4], b[7], b[10], b[13], b[16]) != (b'-', b'-', b'T', b':', b':')
        || Date::parse(&s[..10]).is_err()
    {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().unwrap_or(99);
    if num(11..13) > 24 || num(14..16) > 59 || num(17..19) > 59 {
        return false;
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = &frac[n..];
    }
    match rest.as_bytes() {
        [] | [b'Z'] => true,
        [sign, h1, h2, b':', m1, m2]
            if matches!(sign, b'+' | b'-')
                && [h1, h2, m1, m2].iter().all(|d| d.is_ascii_digit()) =>
        {
            true
        }
        _ => false,
    }
}

/// Whether `value` is a valid lexical form of `kind`.
pub(crate) fn fits(kind: VarType, value: &str) -> bool {
    let int = |s: &str| {
        let d = s.strip_prefix(['+', '-']).unwrap_or(s);
        !d.is_empty() && d.bytes().all(|c| c.is_ascii_digit())
    };
    match kind {
        VarType::Text => true,
        VarType::Boolean => matches!(value, "true" | "false" | "1" | "0"),
        VarType::Integer => int(value),
        VarType::Float => {
            let d = value.strip_prefix(['+', '-']).unwrap_or(value);
            match d.split_once('.') {
                Some((a, b)) => {
                    (!a.is_empty() || !b.is_empty())
                        && a.bytes().all(|c| c.is_ascii_digit())
                        && b.bytes().all(|c| c.is_ascii_digit())
                }
                None => int(d),
            }
        }
        VarType::Date => value.len() == 10 && Date::parse(value).is_ok(),
        VarType::DateTime => is_datetime(value),
    }
}

/// The narrowest type every value fits: Integer, Float, Boolean (`true`/`false` only),
/// Date, else Text.
pub(crate) fn infer(values: &[&str]) -> VarType {
    if values.is_empty() {
        return VarType::Text;
    }
    let all = |f: &dyn Fn(&str) -> bool| values.iter().all(|v| f(v));
    if all(&|v| fits(VarType::Integer, v)) {
        VarType::Integer
    } else if all(&|v| fits(VarType::Float, v)) {
        VarType::Float
    } else if all(&|v| matches!(v, "true" | "false")) {
        VarType::Boolean
    } else if all(&|v| fits(VarType::Date, v)) {
        VarType::Date
    } else {
        VarType::Text
    }
}

pub(crate) fn value_element(kind: VarType) -> &'static str {
    match kind {
        VarType::Text => "TextValue",
        VarType::Boolean => "BooleanValue",
        VarType::Integer => "IntegerValue",
        VarType::Float => "FloatValue",
        VarType::Date => "DateValue",
        VarType::DateTime => "DateTimeValue",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetimes() {
        for ok in [
            "2024-03-01T09:30:00Z",
            "2024-03-01T09:30:00",
            "2024-03-01T09:30:00.123+02:00",
            "2024-02-29T23:59:59-05:00",
        ] {
            assert!(is_datetime(ok), "{ok}");
        }
        for bad in [
            "2024-03-01",
            "2024-03-01 09:30:00",
            "2023-02-29T09:30:00Z",
            "2024-03-01T09:30:00.Z",
            "2024-03-01T25:30:00Z",
            "2024-03-01T09:30:00+0200",
        ] {
            assert!(!is_datetime(bad), "{bad}");
        }
    }

    #[test]
    fn types_are_inferred_from_every_value() {
        for (values, kind) in [
            (&["12", "-3", "+7"][..], VarType::Integer),
            (&["12", "3.5", ".5"][..], VarType::Float),
            (&["true", "false"][..], VarType::Boolean),
            (&["1", "0"][..], VarType::Integer),
            (&["2013-03-18", "2014-01-01"][..], VarType::Date),
            (&["2013-03-18", "soon"][..], VarType::Text),
            (&["1e5"][..], VarType::Text),
            (&[""][..], VarType::Text),
            (&[][..], VarType::Text),
        ] {
            assert_eq!(infer(values), kind, "{values:?}");
        }
    }
}
