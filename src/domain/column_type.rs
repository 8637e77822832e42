//! Column types inferred from cell text: integer, decimal, boolean, date, datetime, text.

use std::fmt;

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnType {
    Integer,
    Decimal,
    Boolean,
    Date,
    DateTime,
    /// Named `string` like the field dictionary's types.
    #[serde(rename = "string", alias = "text")]
    Text,
}

impl ColumnType {
    pub const ALL: [ColumnType; 6] = [
        Self::Integer,
        Self::Decimal,
        Self::Boolean,
        Self::Date,
        Self::DateTime,
        Self::Text,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Integer => "integer",
            Self::Decimal => "decimal",
            Self::Boolean => "boolean",
            Self::Date => "date",
            Self::DateTime => "datetime",
            Self::Text => "string",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Integer => "整数型",
            Self::Decimal => "数值型",
            Self::Boolean => "布尔型",
            Self::Date => "日期型",
            Self::DateTime => "日期时间型",
            Self::Text => "字符型",
        }
    }

    fn bit(self) -> u8 {
        match self {
            Self::Integer => 1,
            Self::Decimal => 2,
            Self::Boolean => 4,
            Self::Date => 8,
            Self::DateTime => 16,
            Self::Text => 32,
        }
    }

    pub fn parse_name(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == s || t.label() == s)
    }

    pub fn is_numeric(self) -> bool {
        matches!(self, Self::Integer | Self::Decimal)
    }
}

impl fmt::Display for ColumnType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A cell's value once its column's type is known.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Integer(i64),
    Decimal(f64),
    Boolean(bool),
    Date(NaiveDate),
    DateTime(NaiveDateTime),
    Text(String),
}

pub fn parse_integer(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    // Leading zeros mark codes (postal codes, area codes): those stay text.
    let ok = !digits.is_empty()
        && digits.len() <= 18
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'));
    if ok { s.parse().ok() } else { None }
}

pub fn parse_decimal(s: &str) -> Option<f64> {
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    let ok = !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
        && (int == "0" || !int.starts_with('0'))
        // Beyond 15 digits f64 is no longer exact: such numbers are identifiers, kept as text.
        && int.len() <= 15
        && frac.len() <= 15;
    if ok {
        s.parse().ok().filter(|v: &f64| v.is_finite())
    } else {
        None
    }
}

pub fn parse_boolean(s: &str) -> Option<bool> {
    let is = |words: [&str; 3]| words.iter().any(|w| w.eq_ignore_ascii_case(s));
    if is(["是", "true", "yes"]) {
        Some(true)
    } else if is(["否", "false", "no"]) {
        Some(false)
    } else {
        None
    }
}

/// The number written by ASCII digits.
fn number(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |acc, d| {
        d.is_ascii_digit().then(|| acc * 10 + u32::from(d - b'0'))
    })
}

/// `YYYY-MM-DD`, the form nearly every file uses, without chrono's format interpreter (the
/// ingest reads millions of these).
fn iso_date(b: &[u8]) -> Option<NaiveDate> {
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = i32::try_from(number(&b[..4])?).ok()?;
    NaiveDate::from_ymd_opt(year, number(&b[5..7])?, number(&b[8..10])?)
}

/// `YYYY-MM-DD HH:MM:SS` (or with a `T`), likewise.
fn iso_datetime(b: &[u8]) -> Option<NaiveDateTime> {
    if b.len() != 19 || !matches!(b[10], b' ' | b'T') || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let time = chrono::NaiveTime::from_hms_opt(
        number(&b[11..13])?,
        number(&b[14..16])?,
        number(&b[17..19])?,
    )?;
    Some(iso_date(&b[..10])?.and_time(time))
}

pub fn parse_date(s: &str) -> Option<NaiveDate> {
    if let Some(d) = iso_date(s.as_bytes()) {
        return Some(d).filter(|d| (1800..=2200).contains(&chrono::Datelike::year(d)));
    }
    if s.len() > 20 || s.bytes().next().is_none_or(|b| !b.is_ascii_digit()) {
        return None; // no other accepted form is this long or starts otherwise
    }
    ["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日"] // i18n: a date format read from data
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(s, f).ok())
        .filter(|d| (1800..=2200).contains(&chrono::Datelike::year(d)))
}

pub fn parse_datetime(s: &str) -> Option<NaiveDateTime> {
    if let Some(t) = iso_datetime(s.as_bytes()) {
        return Some(t).filter(|d| (1800..=2200).contains(&chrono::Datelike::year(d)));
    }
    if s.len() > 19 || s.bytes().next().is_none_or(|b| !b.is_ascii_digit()) {
        return None;
    }
    [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y/%m/%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
    .filter(|d| (1800..=2200).contains(&chrono::Datelike::year(d)))
}

/// Reads a cell as a value of the type; `None` when it is not one (empty cells are `Null`).
pub fn parse_as(ty: ColumnType, s: &str) -> Option<Value> {
    let s = s.trim();
    if s.is_empty() {
        return Some(Value::Null);
    }
    Some(match ty {
        ColumnType::Integer => Value::Integer(parse_integer(s)?),
        ColumnType::Decimal => Value::Decimal(parse_decimal(s)?),
        ColumnType::Boolean => Value::Boolean(parse_boolean(s)?),
        ColumnType::Date => Value::Date(parse_date(s)?),
        ColumnType::DateTime => Value::DateTime(parse_datetime(s)?),
        ColumnType::Text => Value::Text(s.to_owned()),
    })
}

/// Narrows the possible types of a column as cells are seen: start with every type, keep the
/// ones each non-empty cell fits, and settle on the most specific one left.
#[derive(Debug, Clone, Copy)]
pub struct TypeGuess(u8);

impl Default for TypeGuess {
    fn default() -> Self {
        Self(0b11_1111)
    }
}

impl TypeGuess {
    pub fn see(&mut self, cell: &str) {
        let s = cell.trim();
        if s.is_empty() || self.0 == ColumnType::Text.bit() {
            return;
        }
        let mut fits = ColumnType::Text.bit();
        if self.0 & ColumnType::Integer.bit() != 0 && parse_integer(s).is_some() {
            fits |= ColumnType::Integer.bit();
        }
        if self.0 & ColumnType::Decimal.bit() != 0 && parse_decimal(s).is_some() {
            fits |= ColumnType::Decimal.bit();
        }
        if self.0 & ColumnType::Boolean.bit() != 0 && parse_boolean(s).is_some() {
            fits |= ColumnType::Boolean.bit();
        }
        if self.0 & ColumnType::Date.bit() != 0 && parse_date(s).is_some() {
            fits |= ColumnType::Date.bit();
        }
        if self.0 & ColumnType::DateTime.bit() != 0 && parse_datetime(s).is_some() {
            fits |= ColumnType::DateTime.bit();
        }
        self.0 &= fits;
    }

    /// The type: a column with no values at all is text.
    pub fn result(self) -> ColumnType {
        [
            ColumnType::Integer,
            ColumnType::Decimal,
            ColumnType::Boolean,
            ColumnType::Date,
            ColumnType::DateTime,
        ]
        .into_iter()
        .find(|t| self.0 & t.bit() != 0 && self.0 != 0b11_1111)
        .unwrap_or(ColumnType::Text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn infer(cells: &[&str]) -> ColumnType {
        let mut g = TypeGuess::default();
        for c in cells {
            g.see(c);
        }
        g.result()
    }

    #[test]
    fn infers_the_most_specific_type() {
        assert_eq!(infer(&["1", "-20", "", "300"]), ColumnType::Integer);
        assert_eq!(infer(&["1", "2.5", "0.25"]), ColumnType::Decimal);
        assert_eq!(infer(&["是", "否", "是"]), ColumnType::Boolean);
        assert_eq!(
            infer(&["2024-01-31", "2024/02/01", "2024年3月1日"]),
            ColumnType::Date
        );
        assert_eq!(
            infer(&["2024-01-31 08:00:00", "2024-01-31T09:30:00"]),
            ColumnType::DateTime
        );
        assert_eq!(
            infer(&["0551", "0553"]),
            ColumnType::Text,
            "leading zeros are codes"
        );
        assert_eq!(infer(&["1", "二"]), ColumnType::Text);
        assert_eq!(infer(&["", " "]), ColumnType::Text);
        assert_eq!(infer(&["NaN", "inf"]), ColumnType::Text);
        assert_eq!(
            infer(&["99999999999999999999"]),
            ColumnType::Text,
            "too big for an integer"
        );
    }

    #[test]
    fn parses_values_by_type() {
        assert_eq!(
            parse_as(ColumnType::Integer, " 42 "),
            Some(Value::Integer(42))
        );
        assert_eq!(parse_as(ColumnType::Integer, ""), Some(Value::Null));
        assert_eq!(parse_as(ColumnType::Integer, "4.2"), None);
        assert_eq!(
            parse_as(ColumnType::Boolean, "否"),
            Some(Value::Boolean(false))
        );
        assert_eq!(
            parse_as(ColumnType::Date, "2024年3月1日"),
            Some(Value::Date(NaiveDate::from_ymd_opt(2024, 3, 1).unwrap()))
        );
        assert_eq!(ColumnType::parse_name("数值型"), Some(ColumnType::Decimal));
        // The ISO fast paths and the general formats agree.
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(parse_date("2024-12-31"), Some(d(2024, 12, 31)));
        assert_eq!(parse_date("2024年12月31日"), Some(d(2024, 12, 31)));
        assert_eq!(parse_date("2024-1-5"), Some(d(2024, 1, 5)));
        assert_eq!(parse_date("2024-02-30"), None);
        assert_eq!(parse_date("1700-01-01"), None, "out of range");
        assert_eq!(parse_date("2024-0a-01"), None);
        assert_eq!(
            parse_datetime("2024-01-31T09:30:05"),
            d(2024, 1, 31).and_hms_opt(9, 30, 5)
        );
        assert_eq!(parse_datetime("2024-01-31 24:00:00"), None);
        assert_eq!(
            parse_datetime("2024/01/31 08:00:00"),
            d(2024, 1, 31).and_hms_opt(8, 0, 0)
        );
        assert_eq!(parse_boolean("TRUE"), Some(true));
        assert_eq!(parse_boolean("否"), Some(false));
        assert_eq!(parse_boolean("真"), None);
    }
}
