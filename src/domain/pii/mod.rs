//! Personal data in cells: resident ID numbers (valid GB 11643 check character, and 15-digit
//! first-generation numbers), mobile numbers, bank-card numbers (Luhn) and e-mail addresses,
//! found anywhere in a cell's text, and the masks that replace them before data is opened.
//!
//! # Notations
//!
//! Numbers are matched on a normalised view of the text, while every [`Found`] range stays a
//! byte range of the original text:
//!
//! - full-width digits `０`–`９` count as digits, full-width `Ｘ`/`ｘ` as the check character `X`;
//! - a *digit group* is a maximal run of digits in which a single separator (space, `-`,
//!   U+2010–U+2015, U+3000, U+FF0D) may sit between two digits; two separators in a row, or any
//!   other character, end it. The separator-free runs of a group are its *pieces*:
//!   `138 1234 5678` is one group of three pieces;
//! - a group is never preceded or followed by a digit, but it may touch anything else: ASCII
//!   letters (`ID…`, `tel…`), CJK (`身份证…`), punctuation;
//! - `+86`, `86` or `0086` in front of a mobile is part of it (`+86 138 1234 5678`), and the
//!   range starts at the `+` when there is one (a `tel`/`Tel:` prefix is not part of it);
//! - 17 digits followed by `X` (ASCII or full-width, directly or after one separator) are an
//!   18-character resident ID candidate.
//!
//! Each group is first tried whole (any grouping of its digits). If that is not a finding and
//! the group has several pieces, it is split: from each piece, left to right, the longest run of
//! adjacent whole pieces (at most 19 digits, every piece at least 2 digits) that is a finding is
//! taken, and the search resumes after it. Digits inside a piece are never split apart, so
//! `13812345678 13912345678` gives two mobiles, while a 25-digit measurement code gives nothing.
//!
//! # Look-alikes
//!
//! - a group of 17 digits followed by an ASCII letter (other than a valid ID's `X`) is an
//!   18-character code such as a unified social credit code (`91110108551385082Q`): never a
//!   finding;
//! - the digits after a decimal point (`3.14159265358979`) are never a finding;
//! - a run of ASCII digits strictly inside a hexadecimal token of 16 or more characters
//!   (`…a13812345678bc…`, hashes) is not a finding;
//! - a 15-digit group is a first-generation ID only if its first two digits are a province
//!   code (the same list the 18-digit check uses, so the first digit is 1–8) and `19YYMMDD` is a
//!   real date; about 1 % of arbitrary 15-digit numbers still pass, which is accepted;
//! - a card number written in several pieces (`6222 0212 3456 7890 128`) must also start like
//!   an issued card (first digit 3–9, or 2221–2720), so lists such as `1998 2003 2010 2015` are
//!   not cards; a card in one piece only needs the Luhn check, as before.

mod mask;

use serde::{Deserialize, Serialize};

use super::{RegionCode, ResidentId};

pub use self::mask::{mask, mask_all};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PiiKind {
    ResidentId,
    Mobile,
    BankCard,
    Email,
}

impl PiiKind {
    pub const ALL: [PiiKind; 4] = [Self::ResidentId, Self::Mobile, Self::BankCard, Self::Email];

    pub fn label(self) -> &'static str {
        match self {
            Self::ResidentId => "公民身份号码",
            Self::Mobile => "手机号码",
            Self::BankCard => "银行卡号",
            Self::Email => "电子邮箱",
        }
    }
}

/// One occurrence: its kind and byte range in the cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    pub kind: PiiKind,
    pub start: usize,
    pub end: usize,
}

/// The most digits any finding spans: a 19-digit card (`0086` + mobile is 15).
const MAX_DIGITS: usize = 19;

fn luhn(digits: &[u8]) -> bool {
    let mut sum = 0u32;
    for (i, d) in digits.iter().rev().enumerate() {
        let mut v = u32::from(d - b'0');
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    sum.is_multiple_of(10)
}

fn is_email_local(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-')
}

fn is_email_domain(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-')
}

/// The digit (as ASCII) at byte `i` and its length: `0`–`9` or full-width U+FF10–U+FF19.
#[inline]
fn digit_at(b: &[u8], i: usize) -> Option<(u8, usize)> {
    let c = *b.get(i)?;
    if c.is_ascii_digit() {
        return Some((c, 1));
    }
    if c == 0xEF
        && b.get(i + 1) == Some(&0xBC)
        && let Some(&d) = b.get(i + 2)
        && (0x90..=0x99).contains(&d)
    {
        return Some((d - 0x90 + b'0', 3));
    }
    None
}

/// Whether the character that ends just before byte `i` is a digit.
fn digit_before(b: &[u8], i: usize) -> bool {
    (i >= 1 && b[i - 1].is_ascii_digit())
        || (i >= 3 && b[i - 3] == 0xEF && digit_at(b, i - 3).is_some())
}

/// The length of a separator allowed between two digits of a group, at byte `i`.
#[inline]
fn separator_at(b: &[u8], i: usize) -> Option<usize> {
    let tail = |x: u8, y: u8| b.get(i + 1) == Some(&x) && b.get(i + 2) == Some(&y);
    match *b.get(i)? {
        b' ' | b'-' => Some(1),
        // U+2010..U+2015: hyphen, non-breaking hyphen, figure dash, en dash, em dash, bar.
        0xE2 if b.get(i + 1) == Some(&0x80) && matches!(b.get(i + 2), Some(0x90..=0x95)) => Some(3),
        0xE3 if tail(0x80, 0x80) => Some(3), // U+3000 ideographic space
        0xEF if tail(0xBC, 0x8D) => Some(3), // U+FF0D full-width hyphen-minus
        _ => None,
    }
}

/// The length of a check character `X` at byte `i`: `X`, `x`, `Ｘ` or `ｘ`.
fn x_at(b: &[u8], i: usize) -> Option<usize> {
    match *b.get(i)? {
        b'X' | b'x' => Some(1),
        0xEF if matches!(
            (b.get(i + 1), b.get(i + 2)),
            (Some(0xBC), Some(0xB8)) | (Some(0xBD), Some(0x98))
        ) =>
        {
            Some(3)
        }
        _ => None,
    }
}

/// The length of an `@` or full-width `＠` at byte `i`.
fn at_sign(b: &[u8], i: usize) -> Option<usize> {
    match *b.get(i)? {
        b'@' => Some(1),
        0xEF if b.get(i + 1) == Some(&0xBC) && b.get(i + 2) == Some(&0xA0) => Some(3),
        _ => None,
    }
}

/// Whether the text can hold any finding at all: an ASCII digit, an `@`, a full-width digit or
/// a full-width `＠`. Checked on bytes, so the common cell costs one pass and no allocation.
fn may_hold_pii(b: &[u8]) -> bool {
    if b.iter().any(|&c| c.is_ascii_digit() || c == b'@') {
        return true;
    }
    // Full-width forms all start with 0xEF (full-width punctuation too, so look at each).
    let mut rest = b;
    while let Some(k) = rest.iter().position(|&c| c == 0xEF) {
        if rest.get(k + 1) == Some(&0xBC) && matches!(rest.get(k + 2), Some(0x90..=0x99 | 0xA0)) {
            return true;
        }
        rest = &rest[k + 1..];
    }
    false
}

/// A maximal digit group (see the module documentation).
struct Group {
    start: usize,
    /// Just after the last digit.
    end: usize,
    digits: usize,
    pieces: usize,
    /// Only ASCII digits.
    ascii: bool,
}

fn walk_group(b: &[u8], start: usize) -> Group {
    let mut g = Group {
        start,
        end: start,
        digits: 0,
        pieces: 1,
        ascii: true,
    };
    let mut i = start;
    loop {
        while let Some((_, len)) = digit_at(b, i) {
            g.ascii &= len == 1;
            g.digits += 1;
            i += len;
        }
        if let Some(sep) = separator_at(b, i)
            && digit_at(b, i + sep).is_some()
        {
            g.pieces += 1;
            i += sep;
            continue;
        }
        break;
    }
    g.end = i;
    g
}

/// The piece starting at byte `start`: where it ends, how many digits it has, and where the next
/// piece of the same group starts.
fn next_piece(b: &[u8], start: usize) -> (usize, usize, Option<usize>) {
    let mut i = start;
    let mut n = 0;
    while let Some((_, len)) = digit_at(b, i) {
        n += 1;
        i += len;
    }
    let next = separator_at(b, i)
        .map(|sep| i + sep)
        .filter(|&s| digit_at(b, s).is_some());
    (i, n, next)
}

/// The ASCII digits of `b[start..end]` (digits and separators only) appended to `out`; returns
/// how many were written. The caller makes sure they fit.
fn decode(b: &[u8], start: usize, end: usize, out: &mut [u8]) -> usize {
    let mut i = start;
    let mut n = 0;
    while i < end {
        if let Some((d, len)) = digit_at(b, i) {
            out[n] = d;
            n += 1;
            i += len;
        } else {
            i += separator_at(b, i).unwrap_or(1);
        }
    }
    n
}

fn is_mobile(d: &[u8]) -> bool {
    d.len() == 11 && d[0] == b'1' && (b'3'..=b'9').contains(&d[1])
}

/// The 11-digit subscriber number of a mobile written with or without `86`/`0086`.
fn subscriber(d: &[u8]) -> Option<&[u8]> {
    let rest = match d.len() {
        11 => d,
        13 if d.starts_with(b"86") => &d[2..],
        15 if d.starts_with(b"0086") => &d[4..],
        _ => return None,
    };
    is_mobile(rest).then_some(rest)
}

fn is_province(d: &[u8]) -> bool {
    let code = [d[0], d[1], b'0', b'0', b'0', b'0'];
    std::str::from_utf8(&code).is_ok_and(|s| RegionCode::parse(s).is_ok())
}

/// 17 digits and a check character (`0`–`9` or `X`) that [`ResidentId::parse`] accepts.
fn is_id18(first17: &[u8], check: u8) -> bool {
    if super::resident_id::check_character(first17) != Some(check) {
        return false;
    }
    let mut id = [0u8; 18];
    id[..17].copy_from_slice(first17);
    id[17] = check;
    std::str::from_utf8(&id).is_ok_and(|s| ResidentId::parse(s).is_ok())
}

/// A first-generation ID: region (province first digit 1–8), `YYMMDD` born 19YY, 3-digit
/// sequence, no check character.
fn is_id15(d: &[u8]) -> bool {
    let two = |i: usize| u32::from(d[i] - b'0') * 10 + u32::from(d[i + 1] - b'0');
    d.len() == 15
        && (b'1'..=b'8').contains(&d[0])
        && is_province(d)
        && chrono::NaiveDate::from_ymd_opt(1900 + two(6) as i32, two(8), two(10)).is_some()
}

/// Whether a card number starts like an issued card: first digit 3–9, or 2221–2720.
fn plausible_card_start(d: &[u8]) -> bool {
    match d[0] {
        b'3'..=b'9' => true,
        b'2' => {
            let four = d[..4]
                .iter()
                .fold(0u32, |n, &c| n * 10 + u32::from(c - b'0'));
            (2221..=2720).contains(&four)
        }
        _ => false,
    }
}

/// What a candidate's digits are. `pieces`: it was written in more than one piece; `x_after`:
/// an `X` follows the last digit; `letter_after`: an ASCII letter follows the last digit.
/// Returns the kind and whether the `X` belongs to it.
fn classify(d: &[u8], pieces: bool, x_after: bool, letter_after: bool) -> Option<(PiiKind, bool)> {
    let n = d.len();
    if n == 17 {
        if x_after && is_id18(d, b'X') {
            return Some((PiiKind::ResidentId, true));
        }
        if letter_after {
            // 18 characters ending in a letter: a credit code or similar, not a number.
            return None;
        }
    }
    let kind = match n {
        11 | 13 if subscriber(d).is_some() => PiiKind::Mobile,
        15 if is_id15(d) => PiiKind::ResidentId,
        15 if subscriber(d).is_some() => PiiKind::Mobile,
        18 if is_id18(&d[..17], d[17]) => PiiKind::ResidentId,
        16..=19 if (!pieces || plausible_card_start(d)) && luhn(d) => PiiKind::BankCard,
        _ => return None,
    };
    Some((kind, false))
}

/// Whether the ASCII digits `b[start..end]` sit strictly inside a hexadecimal token of 16 or
/// more characters (a hash), which holds digits by chance.
fn inside_hex_token(b: &[u8], start: usize, end: usize) -> bool {
    let mut l = start;
    while l > 0 && b[l - 1].is_ascii_hexdigit() {
        l -= 1;
    }
    let mut r = end;
    while r < b.len() && b[r].is_ascii_hexdigit() {
        r += 1;
    }
    l < start
        && r > end
        && r - l >= 16
        && (l == 0 || !b[l - 1].is_ascii_alphanumeric())
        && (r == b.len() || !b[r].is_ascii_alphanumeric())
}

/// What follows or precedes a group and can belong to a finding.
struct Around {
    /// The end of an `X` after the last digit (directly or after one separator).
    x_end: Option<usize>,
    /// An ASCII letter directly after the last digit.
    letter_after: bool,
    /// A `+` directly before the first digit.
    plus: bool,
}

fn scan_group(b: &[u8], g: &Group, out: &mut Vec<Found>) {
    // Digits after a decimal point are a fraction, not a number of their own.
    if g.start >= 2 && b[g.start - 1] == b'.' && digit_before(b, g.start - 1) {
        return;
    }
    if g.pieces == 1 && g.ascii && inside_hex_token(b, g.start, g.end) {
        return;
    }
    let x_end = x_at(b, g.end).map(|len| g.end + len).or_else(|| {
        let sep = separator_at(b, g.end)?;
        x_at(b, g.end + sep).map(|len| g.end + sep + len)
    });
    let around = Around {
        x_end,
        letter_after: b.get(g.end).is_some_and(u8::is_ascii_alphabetic),
        plus: g.start > 0 && b[g.start - 1] == b'+',
    };
    let found = |kind: PiiKind, took_x: bool, n: usize, start: usize, end: usize| {
        let start = if start == g.start && around.plus && kind == PiiKind::Mobile && n > 11 {
            start - 1
        } else {
            start
        };
        let end = match around.x_end {
            Some(x_end) if took_x => x_end,
            _ => end,
        };
        Found { kind, start, end }
    };

    // The whole group, however its digits are grouped.
    if g.digits <= MAX_DIGITS {
        let mut buf = [0u8; MAX_DIGITS];
        let n = decode(b, g.start, g.end, &mut buf);
        if let Some((kind, took_x)) = classify(
            &buf[..n],
            g.pieces > 1,
            around.x_end.is_some(),
            around.letter_after,
        ) {
            out.push(found(kind, took_x, n, g.start, g.end));
            return;
        }
    }
    if g.pieces == 1 {
        return;
    }

    // Several values in one group: from each piece, the longest run of whole pieces that is a
    // finding; pieces of one digit are never part of one.
    let mut piece = Some(g.start);
    while let Some(p_start) = piece {
        let (p_end, p_digits, p_next) = next_piece(b, p_start);
        piece = p_next;
        if p_digits < 2 {
            continue;
        }
        let mut buf = [0u8; MAX_DIGITS];
        let mut n = 0;
        let mut count = 0;
        let mut best = None;
        let (mut q_start, mut q_end, mut q_digits, mut q_next) = (p_start, p_end, p_digits, p_next);
        while q_digits >= 2 && n + q_digits <= MAX_DIGITS {
            n += decode(b, q_start, q_end, &mut buf[n..]);
            count += 1;
            let last = q_next.is_none();
            if let Some((kind, took_x)) = classify(
                &buf[..n],
                count > 1,
                last && around.x_end.is_some(),
                last && around.letter_after,
            ) {
                best = Some((found(kind, took_x, n, p_start, q_end), q_next));
            }
            let Some(next) = q_next else { break };
            q_start = next;
            (q_end, q_digits, q_next) = next_piece(b, next);
        }
        if let Some((f, after)) = best {
            out.push(f);
            piece = after;
        }
    }
}

/// Every piece of personal data in `text`, left to right, not overlapping. Ranges are byte
/// ranges of `text`, covering any separators, `+86` prefix or `X` that belong to the finding.
pub fn scan(text: &str) -> Vec<Found> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    // Fast path: cells without digits or '@' (ASCII or full-width) cannot hold any of the kinds.
    if !may_hold_pii(b) {
        return out;
    }
    let mut i = 0;
    while i < b.len() {
        // Skip to the next byte that can start a digit or an '@'.
        match b[i..]
            .iter()
            .position(|&c| c.is_ascii_digit() || c == b'@' || c == 0xEF)
        {
            Some(skip) => i += skip,
            None => break,
        }
        if digit_at(b, i).is_some() {
            let g = walk_group(b, i);
            // Fewer than 11 digits cannot be any number this module looks for.
            if g.digits >= 11 {
                scan_group(b, &g, &mut out);
            }
            i = g.end;
            continue;
        }
        if let Some(at_len) = at_sign(b, i)
            && i > 0
        {
            let mut s = i;
            while s > 0 && is_email_local(b[s - 1]) {
                s -= 1;
            }
            let mut e = i + at_len;
            while e < b.len() && is_email_domain(b[e]) {
                e += 1;
            }
            while e > i + at_len && b[e - 1] == b'.' {
                e -= 1;
            }
            let domain = &text[i + at_len..e];
            let tld_ok = domain.rsplit_once('.').is_some_and(|(name, tld)| {
                !name.is_empty() && tld.len() >= 2 && tld.bytes().all(|c| c.is_ascii_alphabetic())
            });
            if s < i && tld_ok {
                // Drop any earlier find the address overlaps (digits in its local part).
                out.retain(|f: &Found| f.end <= s);
                out.push(Found {
                    kind: PiiKind::Email,
                    start: s,
                    end: e,
                });
                i = e;
                continue;
            }
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests;
