//! Cell references, number formats and how numbers and date serials become text.

use std::fmt::Write as _;

/// "A1" for a zero-based row and column.
pub(super) fn cell_ref(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut n = u64::from(col) + 1;
    while n > 0 {
        letters.push(b'A' + ((n - 1) % 26) as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    format!(
        "{}{}",
        String::from_utf8(letters).unwrap_or_default(),
        u64::from(row) + 1
    )
}

/// A cell reference ("B2") as a zero-based (row, column).
pub(super) fn parse_ref(r: &[u8]) -> Option<(u32, u32)> {
    let letters = r.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    let digits = &r[letters..];
    if !(1..=3).contains(&letters)
        || !(1..=7).contains(&digits.len())
        || !digits.iter().all(u8::is_ascii_digit)
    {
        return None;
    }
    let col = r[..letters].iter().fold(0u32, |acc, b| {
        acc * 26 + u32::from(b.to_ascii_uppercase() - b'A' + 1)
    });
    let row = digits
        .iter()
        .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'));
    (row > 0).then(|| (row - 1, col - 1))
}

/// What a cell format makes of a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum NumKind {
    Plain,
    /// A date, with a time of day when it has one.
    Date,
    /// A time of day (a date too when the value is a day or more).
    Time,
    /// Elapsed time (`[h]:mm:ss`).
    Duration,
}

/// Built-in number formats: 14–22 and 45–47 everywhere, 27–36 and 50–58 in East Asian
/// versions of Excel (年/月/日, 时/分/秒), which reference them without defining them.
pub(super) fn builtin_kind(id: u32) -> NumKind {
    match id {
        14..=17 | 22 | 27..=31 | 36 | 50..=54 | 57 | 58 => NumKind::Date,
        18..=21 | 32..=35 | 45 | 47 | 55 | 56 => NumKind::Time,
        46 => NumKind::Duration,
        _ => NumKind::Plain,
    }
}

/// A custom format code's kind, from its first section: `d`/`y` (and a lone `m`) outside
/// quotes, escapes and brackets make a date, `h`/`s`/AM/PM a time, `[h]`/`[m]`/`[s]` a
/// duration.
pub(super) fn classify_format(code: &str) -> NumKind {
    let (mut date, mut time, mut month_or_minute, mut duration) = (false, false, false, false);
    let mut chars = code.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                for c in chars.by_ref() {
                    if c == '"' {
                        break;
                    }
                }
            }
            '\\' | '_' | '*' => {
                chars.next();
            }
            ';' => break,
            '[' => {
                let mut inner = String::new();
                for c in chars.by_ref() {
                    if c == ']' {
                        break;
                    }
                    if inner.len() < 16 {
                        inner.push(c.to_ascii_lowercase());
                    }
                }
                if let Some(first @ ('h' | 'm' | 's')) = inner.chars().next()
                    && inner.chars().all(|c| c == first)
                {
                    duration = true;
                }
            }
            'y' | 'Y' | 'd' | 'D' => date = true,
            'h' | 'H' | 's' | 'S' => time = true,
            'm' | 'M' => month_or_minute = true,
            'a' | 'A' => {
                // AM/PM and A/P.
                let rest: String = chars
                    .clone()
                    .take(4)
                    .collect::<String>()
                    .to_ascii_lowercase();
                if rest.starts_with("m/pm") || rest.starts_with("/p") {
                    time = true;
                }
            }
            _ => {}
        }
    }
    if duration {
        NumKind::Duration
    } else if date {
        NumKind::Date
    } else if time {
        NumKind::Time
    } else if month_or_minute {
        NumKind::Date
    } else {
        NumKind::Plain
    }
}

/// Days from 1899-12-30 to 9999-12-31, the last date Excel shows.
const LAST_SERIAL: f64 = 2_958_466.0;

/// A date/time serial as text: `YYYY-MM-DD`, or `YYYY-MM-DD HH:MM:SS` when it has a time of
/// day, or `HH:MM:SS` for a time-only format and a value under a day. The 1900 system counts
/// the fictitious 1900-02-29 (serial 60), so serials before it are shifted by a day; serial 60
/// itself shows as 1900-02-28, as calamine showed it. `false` if the value is no date.
pub(super) fn write_serial(serial: f64, kind: NumKind, date1904: bool, out: &mut String) -> bool {
    if !serial.is_finite() {
        return false;
    }
    if kind == NumKind::Duration {
        if serial.abs() >= 1e9 {
            return false;
        }
        let secs = (serial * 86_400.0).round() as i64;
        let sign = if secs < 0 { "-" } else { "" };
        let secs = secs.unsigned_abs();
        let _ = write!(
            out,
            "{sign}{}:{:02}:{:02}",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        );
        return true;
    }
    if serial < 0.0 {
        return false;
    }
    if kind == NumKind::Time && serial < 1.0 {
        let ms = (serial * 86_400_000.0).round() as i64;
        let secs = ms / 1000;
        if secs < 86_400 {
            let _ = write!(
                out,
                "{:02}:{:02}:{:02}",
                secs / 3600,
                secs / 60 % 60,
                secs % 60
            );
            return true;
        }
    }
    let days = if date1904 { serial + 1462.0 } else { serial };
    let days = if days >= 60.0 { days } else { days + 1.0 };
    if days >= LAST_SERIAL {
        return false;
    }
    let ms = (days * 86_400_000.0).round() as i64;
    let Some(epoch) = chrono::NaiveDate::from_ymd_opt(1899, 12, 30) else {
        return false;
    };
    let Some(t) = chrono::TimeDelta::try_milliseconds(ms)
        .and_then(|d| epoch.and_time(chrono::NaiveTime::MIN).checked_add_signed(d))
    else {
        return false;
    };
    if t.time() == chrono::NaiveTime::MIN {
        let _ = write!(out, "{}", t.format("%Y-%m-%d"));
    } else {
        let _ = write!(out, "{}", t.format("%Y-%m-%d %H:%M:%S"));
    }
    true
}

fn is_integer_literal(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// A number as text: integer literals as written (no precision lost), other numbers as f64,
/// integral ones under 1e15 without ".0" (as the calamine-based reader printed them).
pub(super) fn write_number(v: &str, out: &mut String) {
    if is_integer_literal(v) {
        out.push_str(v);
        return;
    }
    match v.parse::<f64>() {
        Ok(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 => {
            let _ = write!(out, "{}", f as i64);
        }
        Ok(f) if f.is_finite() => {
            let _ = write!(out, "{f}");
        }
        _ => out.push_str(v),
    }
}
