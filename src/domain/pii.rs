//! Personal data in cells: resident ID numbers (valid GB 11643 check character), mobile numbers,
//! bank-card numbers (Luhn) and e-mail addresses, found anywhere in a cell's text, and the masks
//! that replace them before data is opened.

use serde::{Deserialize, Serialize};

use super::ResidentId;

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

/// Every piece of personal data in `text`, left to right, not overlapping.
pub fn scan(text: &str) -> Vec<Found> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    // Fast path: cells without digits or '@' cannot hold any of the four kinds.
    if !b.iter().any(|c| c.is_ascii_digit() || *c == b'@') {
        return out;
    }
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() && (i == 0 || !b[i - 1].is_ascii_alphanumeric()) {
            let mut j = i;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            let run = j - i;
            // A resident ID: 17 digits and a check digit or X.
            let id_end = if run == 17 && j < b.len() && (b[j] == b'X' || b[j] == b'x') {
                j + 1
            } else {
                j
            };
            let bounded = |end: usize| end == b.len() || !b[end].is_ascii_alphanumeric();
            if id_end - i == 18 && bounded(id_end) && ResidentId::parse(&text[i..id_end]).is_ok() {
                out.push(Found {
                    kind: PiiKind::ResidentId,
                    start: i,
                    end: id_end,
                });
                i = id_end;
                continue;
            }
            if bounded(j) {
                if run == 11 && b[i] == b'1' && (b'3'..=b'9').contains(&b[i + 1]) {
                    out.push(Found {
                        kind: PiiKind::Mobile,
                        start: i,
                        end: j,
                    });
                } else if (16..=19).contains(&run) && luhn(&b[i..j]) {
                    out.push(Found {
                        kind: PiiKind::BankCard,
                        start: i,
                        end: j,
                    });
                }
            }
            i = j;
            continue;
        }
        if b[i] == b'@' && i > 0 {
            let mut s = i;
            while s > 0 && is_email_local(b[s - 1]) {
                s -= 1;
            }
            let mut e = i + 1;
            while e < b.len() && is_email_domain(b[e]) {
                e += 1;
            }
            while e > i + 1 && b[e - 1] == b'.' {
                e -= 1;
            }
            let domain = &text[i + 1..e];
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

/// The masked form of one occurrence.
pub fn mask(kind: PiiKind, value: &str) -> String {
    match kind {
        // Keep the region and the last four characters: 340104********123X.
        PiiKind::ResidentId if value.len() == 18 => {
            format!("{}********{}", &value[..6], &value[14..])
        }
        PiiKind::Mobile if value.len() == 11 => format!("{}****{}", &value[..3], &value[7..]),
        PiiKind::BankCard if value.len() > 4 => {
            format!(
                "{}{}",
                "*".repeat(value.len() - 4),
                &value[value.len() - 4..]
            )
        }
        PiiKind::Email => match value.split_once('@') {
            Some((local, domain)) => {
                let first: String = local.chars().take(1).collect();
                format!("{first}***@{domain}")
            }
            None => "***".to_owned(),
        },
        _ => "*".repeat(value.chars().count()),
    }
}

/// The cell with every occurrence of personal data masked.
pub fn mask_all(text: &str) -> String {
    let found = scan(text);
    if found.is_empty() {
        return text.to_owned();
    }
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
}
