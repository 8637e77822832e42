//! Display helpers for templates: numbers, sizes and dates the way Chinese readers expect.

use crate::i18n::Lang;
use chrono::{NaiveDate, NaiveDateTime};

/// `1234567` → `1,234,567` (the pages' counts, `i18n::Lang::number`).
pub fn count(n: &i64) -> String {
    crate::i18n::Lang::Zh.number(*n)
}

/// Large numbers in 万 / 亿, as Chinese statistics are read: `123456` → `12.3万`
/// (`i18n::Lang::large`).
pub fn wan(n: &i64) -> String {
    crate::i18n::Lang::Zh.large(*n)
}

/// File sizes in binary units: `1536` → `1.5 KB`.
pub fn size(bytes: &i64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if *bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut v = *bytes as f64 / 1024.0;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    format!("{v:.1} {}", UNITS[unit])
}

/// Timestamps are stored in UTC and shown in Beijing time (UTC+8, no daylight saving).
fn beijing(t: &NaiveDateTime) -> NaiveDateTime {
    *t + chrono::Duration::hours(8)
}

/// How a day is written in the page's language: 2026-12-08 on Chinese pages (GB/T 7408, as
/// government sites write it), 8 Dec 2026 on English ones (a reader abroad need not guess
/// which number is the month).
fn day_format(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "%Y-%m-%d",
        Lang::En => "%-d %b %Y",
    }
}

pub fn date(t: &NaiveDateTime) -> String {
    let lang = Lang::current();
    beijing(t).format(day_format(lang)).to_string()
}

pub fn datetime(t: &NaiveDateTime) -> String {
    datetime_in(Lang::current(), t)
}

/// A moment in Beijing time, in `lang` (feeds and files say which language they are in).
pub fn datetime_in(lang: Lang, t: &NaiveDateTime) -> String {
    let format = format!("{} %H:%M", day_format(lang));
    beijing(t).format(&format).to_string()
}

pub fn day(d: &NaiveDate) -> String {
    d.format(day_format(Lang::current())).to_string()
}

/// The machine-readable form for `<time datetime=…>`.
pub fn iso(t: &NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The Chinese name of a data-dictionary type; unknown types are shown as stored.
pub fn field_type(t: &str) -> &str {
    match t {
        "string" => "字符型",
        "integer" => "整数型",
        "decimal" => "数值型",
        "date" => "日期型",
        "datetime" => "日期时间型",
        "boolean" => "布尔型",
        other => other,
    }
}

/// A dataset history action in words.
pub fn change_action(a: &str) -> &str {
    match a {
        "create" => "创建",
        "update" => "修改",
        "publish" => "发布",
        "withdraw" => "撤回",
        "class_request" => "申请收紧开放类型",
        "class_approve" => "批准开放类型变更",
        "class_reject" => "驳回开放类型变更",
        other => other,
    }
}

/// A measured value as people read it (no trailing zeros, at most two decimals).
pub fn number(n: &f64) -> String {
    crate::services::preview::format_number(*n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_numbers_sizes_and_dates() {
        assert_eq!(count(&0), "0");
        assert_eq!(count(&999), "999");
        assert_eq!(count(&1000), "1,000");
        assert_eq!(count(&1234567), "1,234,567");
        assert_eq!(count(&-1234), "-1,234");
        assert_eq!(wan(&9_999), "9,999");
        assert_eq!(wan(&123_456), "12.3万");
        assert_eq!(wan(&250_000_000), "2.5亿");
        assert_eq!(size(&0), "0 B");
        assert_eq!(size(&1536), "1.5 KB");
        assert_eq!(size(&(5 * 1024 * 1024)), "5.0 MB");
        let t = NaiveDate::from_ymd_opt(2026, 3, 5)
            .unwrap()
            .and_hms_opt(9, 7, 0)
            .unwrap();
        assert_eq!(date(&t), "2026-03-05");
        assert_eq!(datetime(&t), "2026-03-05 17:07", "shown in Beijing time");
        assert_eq!(iso(&t), "2026-03-05T09:07:00Z", "machine-readable in UTC");
        let late = NaiveDate::from_ymd_opt(2026, 3, 5)
            .unwrap()
            .and_hms_opt(20, 0, 0)
            .unwrap();
        assert_eq!(
            date(&late),
            "2026-03-06",
            "20:00 UTC is the next morning in Beijing"
        );
        assert_eq!(field_type("decimal"), "数值型");
        assert_eq!(field_type("geometry"), "geometry");
    }
}
