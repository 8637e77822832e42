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

use serde::{Deserialize, Serialize};

use super::{RegionCode, ResidentId};

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

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(s: &str) -> Vec<PiiKind> {
        scan(s).into_iter().map(|f| f.kind).collect()
    }

    #[test]
    fn finds_each_kind_alone_and_inside_text() {
        assert_eq!(kinds("11010519491231002X"), [PiiKind::ResidentId]);
        assert_eq!(
            kinds("身份证：440524188001010014，手机13812345678"),
            [PiiKind::ResidentId, PiiKind::Mobile]
        );
        assert_eq!(
            kinds("6222021234567890128"),
            [PiiKind::BankCard],
            "Luhn-valid 19 digits"
        );
        assert_eq!(kinds("联系 li.ming@data.ah.gov.cn。"), [PiiKind::Email]);
        assert_eq!(
            kinds("a13812345678@qq.com"),
            [PiiKind::Email],
            "digits inside an address are the address"
        );
    }

    #[test]
    fn leaves_look_alikes_alone() {
        for clean in [
            "110105194912310021",  // wrong check character
            "11010519491331002X",  // no such birth date
            "12812345678",         // not a mobile prefix
            "138123456789",        // 12 digits
            "6222021234567890123", // Luhn fails
            "0551-62781234",       // office landline
            "91110108551385082Q",  // credit code
            "138****5678",         // already masked
            "a@b",                 // no domain
            "2024-01-31",
            "合肥市蜀山区长江西路 1 号",
        ] {
            assert!(scan(clean).is_empty(), "{clean}: {:?}", scan(clean));
        }
    }

    #[test]
    fn masks_as_the_regulation_examples_show() {
        assert_eq!(
            mask_all("340104199003071234"),
            mask_all("340104199003071234")
        );
        let id = format!(
            "34010419900307123{}",
            crate::domain::resident_id::check_character(b"34010419900307123").unwrap() as char
        );
        assert_eq!(mask_all(&id), format!("340104********123{}", &id[17..]));
        assert_eq!(mask_all("电话13812345678"), "电话138****5678");
        assert_eq!(mask_all("6222021234567890128"), "***************0128");
        assert_eq!(mask_all("li.ming@data.ah.gov.cn"), "l***@data.ah.gov.cn");
        assert_eq!(mask_all("无个人信息"), "无个人信息");
        assert!(
            scan(&mask_all(&format!("{id} 13812345678"))).is_empty(),
            "masked text has no more finds"
        );
    }

    fn found(s: &str) -> Vec<(PiiKind, &str)> {
        scan(s)
            .into_iter()
            .map(|f| (f.kind, &s[f.start..f.end]))
            .collect()
    }

    #[test]
    fn finds_every_notation_of_the_examples() {
        use PiiKind::{BankCard, Mobile, ResidentId};
        for (text, kind, value) in [
            ("110105 19491231 002X", ResidentId, "110105 19491231 002X"),
            ("110105-19491231-002X", ResidentId, "110105-19491231-002X"),
            (
                "１１０１０５１９４９１２３１００２Ｘ",
                ResidentId,
                "１１０１０５１９４９１２３１００２Ｘ",
            ),
            (
                "１１０１０５１９４９１２３１００２ｘ号",
                ResidentId,
                "１１０１０５１９４９１２３１００２ｘ",
            ),
            ("ID11010519491231002X", ResidentId, "11010519491231002X"),
            ("身份证11010519491231002X", ResidentId, "11010519491231002X"),
            ("110105-19491231-002-X", ResidentId, "110105-19491231-002-X"),
            ("旧证110105491231002。", ResidentId, "110105491231002"),
            ("110105 491231 002", ResidentId, "110105 491231 002"),
            ("+8613812345678", Mobile, "+8613812345678"),
            ("8613812345678", Mobile, "8613812345678"),
            ("008613812345678", Mobile, "008613812345678"),
            ("电话：+86 138 1234 5678", Mobile, "+86 138 1234 5678"),
            ("+86-138-1234-5678", Mobile, "+86-138-1234-5678"),
            ("138-1234-5678", Mobile, "138-1234-5678"),
            ("138 1234 5678", Mobile, "138 1234 5678"),
            (
                "138\u{3000}1234\u{3000}5678",
                Mobile,
                "138\u{3000}1234\u{3000}5678",
            ),
            ("138－1234－5678", Mobile, "138－1234－5678"),
            ("138–1234—5678", Mobile, "138–1234—5678"),
            ("tel13812345678", Mobile, "13812345678"),
            ("Tel:13812345678", Mobile, "13812345678"),
            (
                "手机１３８１２３４５６７８",
                Mobile,
                "１３８１２３４５６７８",
            ),
            ("13812345678.0", Mobile, "13812345678"),
            ("第1ab.13812345678", Mobile, "13812345678"),
            ("ab.13812345678", Mobile, "13812345678"),
            (
                "6222 0212 3456 7890 128",
                BankCard,
                "6222 0212 3456 7890 128",
            ),
            (
                "6222-0212-3456-7890-128",
                BankCard,
                "6222-0212-3456-7890-128",
            ),
            (
                "卡号６２２２０２１２３４５６７８９０１２８",
                BankCard,
                "６２２２０２１２３４５６７８９０１２８",
            ),
            ("No6222021234567890128", BankCard, "6222021234567890128"),
        ] {
            assert_eq!(found(text), [(kind, value)], "{text}");
        }
        assert_eq!(
            found("li.ming＠data.ah.gov.cn，"),
            [(PiiKind::Email, "li.ming＠data.ah.gov.cn")]
        );
    }

    #[test]
    fn splits_groups_holding_several_values() {
        use PiiKind::{BankCard, Mobile, ResidentId};
        assert_eq!(
            found("11010519491231002X 440524188001010014"),
            [
                (ResidentId, "11010519491231002X"),
                (ResidentId, "440524188001010014")
            ]
        );
        assert_eq!(
            found("440524188001010014 440524188001010014"),
            [
                (ResidentId, "440524188001010014"),
                (ResidentId, "440524188001010014")
            ]
        );
        assert_eq!(
            found("13812345678 13912345678-15012345678"),
            [
                (Mobile, "13812345678"),
                (Mobile, "13912345678"),
                (Mobile, "15012345678")
            ]
        );
        assert_eq!(
            found("138 1234 5678 139 1234 5678"),
            [(Mobile, "138 1234 5678"), (Mobile, "139 1234 5678")]
        );
        assert_eq!(
            found("+86 13812345678 13912345678"),
            [(Mobile, "+86 13812345678"), (Mobile, "13912345678")]
        );
        assert_eq!(
            found("138-1234-5678-123"),
            [(Mobile, "138-1234-5678")],
            "an extension"
        );
        assert_eq!(
            found("6222 0212 3456 7890 128 13812345678"),
            [
                (BankCard, "6222 0212 3456 7890 128"),
                (Mobile, "13812345678")
            ]
        );
    }

    #[test]
    fn leaves_more_look_alikes_alone() {
        for clean in [
            "3.14159265358979",
            "3.1415926535897932", // 16 decimals, Luhn-valid
            "0.13812345678",      // a fraction, not a mobile
            "０.13812345678",
            "2024013112345678901234", // long measurement code
            "20240131 123456 789012 3456 78",
            "1998 2003 2010 2015", // years, not a card in groups of four
            "0551-6278 1234",
            "0551 62781234 0551 62781235",
            "2024-01-31 13:45:00",
            "91110108551385082Q",
            "91110108551385082X", // a credit code ending in X is not an ID
            "9111010855138508 2Q",
            "1 3 8 1 2 3 4 5 6 7 8 9", // twelve digits
            "138****5678",
            "6222 **** **** 0128",
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "a13812345678bcde", // a 16-character hex hash
            "110105********002X",
            "110105******002",
            "12100000400000624D",
        ] {
            assert!(scan(clean).is_empty(), "{clean}: {:?}", found(clean));
        }
    }

    #[test]
    fn masks_every_notation() {
        use PiiKind::{BankCard, Email, Mobile, ResidentId};
        assert_eq!(
            mask(ResidentId, "110105 19491231 002x"),
            "110105********002X"
        );
        assert_eq!(
            mask(ResidentId, "１１０１０５１９４９１２３１００２Ｘ"),
            "110105********002X"
        );
        assert_eq!(mask(ResidentId, "110105491231002"), "110105******002");
        assert_eq!(mask(Mobile, "+86 138 1234 5678"), "138****5678");
        assert_eq!(mask(Mobile, "008613812345678"), "138****5678");
        assert_eq!(mask(Mobile, "１３８－１２３４－５６７８"), "138****5678");
        assert_eq!(
            mask(BankCard, "6222-0212-3456-7890-128"),
            "***************0128"
        );
        assert_eq!(
            mask(Email, "li.ming＠data.ah.gov.cn"),
            "l***＠data.ah.gov.cn"
        );
        assert_eq!(
            mask_all("身份证110105-19491231-002X，电话+86 138 1234 5678。"),
            "身份证110105********002X，电话138****5678。"
        );
        // The card's last four and the next piece would read as a mobile: masked as well.
        let text = "6222021234567891381 2345678";
        assert!(luhn(b"6222021234567891381"));
        assert_eq!(found(text), [(BankCard, "6222021234567891381")]);
        let masked = mask_all(text);
        assert!(scan(&masked).is_empty(), "{masked}");
    }

    mod property {
        //! Every notation of every kind, in random surroundings: found with its exact range,
        //! and masked so that nothing is found again and the number's digits are gone.

        use std::fmt::Write;

        use rand::{Rng, SeedableRng, rngs::StdRng};

        use super::super::*;
        use crate::domain::resident_id::check_character;

        const CASES: usize = 10_000;

        /// Province codes with first digit 1–6 (what `ResidentId::parse` accepts).
        const PROVINCES: &[&str] = &[
            "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36",
            "37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62",
            "63", "64", "65",
        ];
        const CARD_PREFIXES: &[&str] = &["62", "622", "621", "4", "5", "35", "60", "9"];
        const CJK_WORDS: &[&str] = &[
            "姓名",
            "张三",
            "备注",
            "联系方式",
            "地址",
            "合肥市蜀山区",
            "已核实",
            "无",
            "户主李四",
        ];
        /// No word is made only of hexadecimal letters.
        const ASCII_WORDS: &[&str] = &[
            "name", "note", "user", "Wang", "Li", "remark", "status", "ok", "contact", "Zhou",
            "info",
        ];
        const PUNCT: &[&str] = &[
            "：", "，", "。", " ", "(", ")", "、", "/", ";", "#", "=", "\u{3000}", "|", "\"", "【",
            "】", "-", "_",
        ];
        const LETTER_PREFIXES: &[&str] = &["ID", "id", "No", "sfz", "tel", "Tel", "TEL", "z"];
        const CJK_PREFIXES: &[&str] = &["身份证", "身份证号码", "手机", "电话", "卡号", "银行卡"];
        const SPACES: &[&str] = &[" ", "\u{3000}"];
        const DASHES: &[&str] = &[
            "-", "\u{2010}", "\u{2011}", "\u{2012}", "\u{2013}", "\u{2014}", "\u{2015}", "\u{FF0D}",
        ];

        #[derive(Debug, Clone, Copy)]
        enum Value {
            Id18,
            Id15,
            Mobile,
            Card16,
            Card19,
        }

        #[derive(Debug, Clone, Copy)]
        enum Notation {
            Plain,
            Spaces,
            Dashes,
            FullWidth,
            FullWidthDashes,
            LetterPrefix,
            CjkPrefix,
            Plus86,
            Prefix86,
            Plus86Spaced,
            Prefix0086,
            Tel,
            TelColon,
        }

        fn pick<'a>(rng: &mut StdRng, from: &[&'a str]) -> &'a str {
            from[rng.random_range(0..from.len())]
        }

        fn push_digits(rng: &mut StdRng, s: &mut String, n: usize) {
            for _ in 0..n {
                s.push(char::from(b'0' + rng.random_range(0..10u8)));
            }
        }

        fn push_date(rng: &mut StdRng, s: &mut String, first: i32, last: i32, digits: usize) {
            loop {
                let (y, m, d) = (
                    rng.random_range(first..=last),
                    rng.random_range(1..=12),
                    rng.random_range(1..=31),
                );
                if chrono::NaiveDate::from_ymd_opt(y, m, d).is_some() {
                    let y = if digits == 2 { y % 100 } else { y };
                    let _ = write!(s, "{y:0digits$}{m:02}{d:02}");
                    return;
                }
            }
        }

        fn luhn_digit(body: &[u8]) -> char {
            let mut sum = 0u32;
            for (i, d) in body.iter().rev().enumerate() {
                let mut v = u32::from(d - b'0');
                if i % 2 == 0 {
                    v *= 2;
                    if v > 9 {
                        v -= 9;
                    }
                }
                sum += v;
            }
            char::from(b'0' + ((10 - sum % 10) % 10) as u8)
        }

        /// A valid number of this kind, in plain ASCII.
        fn generate(rng: &mut StdRng, value: Value) -> String {
            let mut s = String::with_capacity(19);
            match value {
                Value::Id18 | Value::Id15 => {
                    s.push_str(pick(rng, PROVINCES));
                    push_digits(rng, &mut s, 4);
                    if let Value::Id18 = value {
                        push_date(rng, &mut s, 1930, 2020, 4);
                        push_digits(rng, &mut s, 3);
                        let check = check_character(s.as_bytes()).expect("17 digits");
                        s.push(if check == b'X' && rng.random_bool(0.5) {
                            'x'
                        } else {
                            char::from(check)
                        });
                    } else {
                        push_date(rng, &mut s, 1930, 1999, 2);
                        push_digits(rng, &mut s, 3);
                    }
                }
                Value::Mobile => {
                    s.push('1');
                    s.push(char::from(rng.random_range(b'3'..=b'9')));
                    push_digits(rng, &mut s, 9);
                }
                Value::Card16 | Value::Card19 => {
                    let len = if let Value::Card16 = value { 16 } else { 19 };
                    s.push_str(pick(rng, CARD_PREFIXES));
                    let body = len - 1 - s.len();
                    push_digits(rng, &mut s, body);
                    let check = luhn_digit(s.as_bytes());
                    s.push(check);
                }
            }
            s
        }

        /// `v` cut after each of `sizes` characters, joined with `sep`.
        fn grouped(v: &str, sizes: &[usize], sep: &str) -> String {
            let mut out = String::with_capacity(v.len() + 3 * sizes.len() * sep.len());
            let mut at = 0;
            for &size in sizes {
                if at == v.len() {
                    break;
                }
                if at > 0 {
                    out.push_str(sep);
                }
                let end = (at + size).min(v.len());
                out.push_str(&v[at..end]);
                at = end;
            }
            out
        }

        fn full_width(rng: &mut StdRng, v: &str) -> String {
            v.chars()
                .map(|c| match c {
                    '0'..='9' => char::from_u32('０' as u32 + (c as u32 - '0' as u32)).unwrap(),
                    'X' | 'x' if rng.random_bool(0.5) => 'Ｘ',
                    'X' | 'x' => 'ｘ',
                    _ => c,
                })
                .collect()
        }

        /// Only the digits, full-width ones folded to ASCII.
        fn digits_of(s: &str) -> String {
            s.chars()
                .filter_map(|c| match c {
                    '0'..='9' => Some(c),
                    '０'..='９' => char::from_u32('0' as u32 + (c as u32 - '０' as u32)),
                    _ => None,
                })
                .collect()
        }

        /// The text before the finding that is not part of it, and the finding as written.
        fn render(rng: &mut StdRng, value: Value, notation: Notation, v: &str) -> (String, String) {
            let sizes: &[usize] = match value {
                Value::Id18 => &[6, 8, 4],
                Value::Id15 => &[6, 6, 3],
                Value::Mobile => &[3, 4, 4],
                Value::Card16 | Value::Card19 => &[4, 4, 4, 4, 4],
            };
            let mut outside = String::new();
            let shown = match notation {
                Notation::Plain => v.to_owned(),
                Notation::Spaces => grouped(v, sizes, pick(rng, SPACES)),
                Notation::Dashes => grouped(v, sizes, pick(rng, DASHES)),
                Notation::FullWidth => full_width(rng, v),
                Notation::FullWidthDashes => full_width(rng, &grouped(v, sizes, "－")),
                Notation::LetterPrefix => {
                    outside.push_str(pick(rng, LETTER_PREFIXES));
                    v.to_owned()
                }
                Notation::CjkPrefix => {
                    outside.push_str(pick(rng, CJK_PREFIXES));
                    v.to_owned()
                }
                Notation::Plus86 => format!("+86{v}"),
                Notation::Prefix86 => format!("86{v}"),
                Notation::Plus86Spaced => {
                    let sep = pick(rng, &[" ", "-"]);
                    format!("+86{sep}{}", grouped(v, sizes, sep))
                }
                Notation::Prefix0086 => format!("0086{v}"),
                Notation::Tel => {
                    outside.push_str("tel");
                    v.to_owned()
                }
                Notation::TelColon => {
                    outside.push_str("Tel:");
                    v.to_owned()
                }
            };
            (outside, shown)
        }

        fn push_words(rng: &mut StdRng, s: &mut String) {
            for _ in 0..rng.random_range(0..3) {
                let words = if rng.random_bool(0.5) {
                    CJK_WORDS
                } else {
                    ASCII_WORDS
                };
                s.push_str(pick(rng, words));
                if rng.random_bool(0.3) {
                    s.push(' ');
                }
            }
        }

        fn check(rng: &mut StdRng, value: Value, notation: Notation) {
            let kind = match value {
                Value::Id18 | Value::Id15 => PiiKind::ResidentId,
                Value::Mobile => PiiKind::Mobile,
                Value::Card16 | Value::Card19 => PiiKind::BankCard,
            };
            let v = generate(rng, value);
            let (outside, shown) = render(rng, value, notation, &v);
            let mut text = String::with_capacity(80);
            push_words(rng, &mut text);
            if rng.random_bool(0.5) {
                text.push_str(pick(rng, PUNCT));
            }
            text.push_str(&outside);
            let start = text.len();
            text.push_str(&shown);
            let end = text.len();
            if rng.random_bool(0.5) {
                text.push_str(pick(rng, PUNCT));
            }
            push_words(rng, &mut text);

            let case = format!("{value:?} in notation {notation:?}: {text:?}");
            let got = scan(&text);
            assert_eq!(got, [Found { kind, start, end }], "{case}");
            let masked = mask_all(&text);
            let again = scan(&masked);
            assert!(
                again.is_empty(),
                "{case}: masked {masked:?} still has {again:?}"
            );
            let left = digits_of(&masked);
            for secret in [digits_of(&v), digits_of(&shown)] {
                assert!(
                    !left.contains(&secret),
                    "{case}: masked {masked:?} still shows {secret}"
                );
            }
        }

        #[test]
        fn every_notation_is_found_and_masked() {
            use Notation::*;
            let common = [
                Plain,
                Spaces,
                Dashes,
                FullWidth,
                FullWidthDashes,
                LetterPrefix,
                CjkPrefix,
            ];
            let mobile_only = [Plus86, Prefix86, Plus86Spaced, Prefix0086, Tel, TelColon];
            let mut rng = StdRng::seed_from_u64(0x4B41_4946_414E_4721);
            for value in [
                Value::Id18,
                Value::Id15,
                Value::Mobile,
                Value::Card16,
                Value::Card19,
            ] {
                let extra: &[Notation] = match value {
                    Value::Mobile => &mobile_only,
                    _ => &[],
                };
                for &notation in common.iter().chain(extra) {
                    for _ in 0..CASES {
                        check(&mut rng, value, notation);
                    }
                }
            }
        }
    }
}
