//! The masks that replace personal data before data is opened.

use super::{Found, PiiKind, digit_at, scan, subscriber};

/// The digits of `value` in ASCII (full-width folded, `X`/`x`/`Ｘ`/`ｘ` as `X`), everything
/// else dropped; `None` if there are more than fit in `buf`.
fn fold_digits<'a>(value: &str, buf: &'a mut [u8; 24]) -> Option<&'a [u8]> {
    let mut n = 0;
    for c in value.chars() {
        let d = match c {
            '0'..='9' => c as u8,
            '０'..='９' => b'0' + (c as u32 - '０' as u32) as u8,
            'X' | 'x' | 'Ｘ' | 'ｘ' => b'X',
            _ => continue,
        };
        *buf.get_mut(n)? = d;
        n += 1;
    }
    Some(&buf[..n])
}

fn ascii(d: &[u8]) -> &str {
    std::str::from_utf8(d).unwrap_or_default()
}

/// The masked form of one occurrence, in whatever notation it was found: the digits are
/// normalised first, so `+86 138-1234-5678` becomes `138****5678` and a full-width ID
/// `340104********123X`.
pub fn mask(kind: PiiKind, value: &str) -> String {
    if kind == PiiKind::Email {
        return match value.find(['@', '＠']) {
            Some(at) => {
                let first: String = value[..at].chars().take(1).collect();
                format!("{first}***{}", &value[at..])
            }
            None => "***".to_owned(),
        };
    }
    let mut buf = [0u8; 24];
    let Some(d) = fold_digits(value, &mut buf) else {
        return "*".repeat(value.chars().count());
    };
    let n = d.len();
    if kind == PiiKind::Mobile {
        // Without any 86 prefix: 138****5678.
        return match subscriber(d) {
            Some(m) => format!("{}****{}", ascii(&m[..3]), ascii(&m[7..])),
            None => "*".repeat(value.chars().count()),
        };
    }
    match kind {
        // Keep the region and the last four characters: 340104********123X.
        PiiKind::ResidentId if n == 18 => format!("{}********{}", ascii(&d[..6]), ascii(&d[14..])),
        // First generation: the region and the 3-digit sequence.
        PiiKind::ResidentId if n == 15 => format!("{}******{}", ascii(&d[..6]), ascii(&d[12..])),
        PiiKind::BankCard if n > 4 && d.iter().all(u8::is_ascii_digit) => {
            format!("{}{}", "*".repeat(n - 4), ascii(&d[n - 4..]))
        }
        _ => "*".repeat(value.chars().count()),
    }
}

fn mask_found(text: &str, found: &[Found]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for f in found {
        out.push_str(&text[at..f.start]);
        out.push_str(&mask(f.kind, &text[f.start..f.end]));
        at = f.end;
    }
    out.push_str(&text[at..]);
    out
}

/// The cell with every occurrence of personal data masked.
///
/// The digits a mask keeps can join digits next to the occurrence into a new one (a card's
/// last four and a following number); the result is scanned again until nothing is found, so
/// `scan(&mask_all(x))` is always empty.
pub fn mask_all(text: &str) -> String {
    let found = scan(text);
    if found.is_empty() {
        return text.to_owned();
    }
    let mut out = mask_found(text, &found);
    // Every round replaces digits by '*', and masked e-mail addresses are not found again, so
    // this ends quickly; the bound is a guard.
    for _ in 0..8 {
        let again = scan(&out);
        if again.is_empty() {
            return out;
        }
        out = mask_found(&out, &again);
    }
    let b = out.as_bytes();
    let mut stars = String::with_capacity(out.len());
    for (i, c) in out.char_indices() {
        stars.push(if digit_at(b, i).is_some() { '*' } else { c });
    }
    stars
}
