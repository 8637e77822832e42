//! Resident identity numbers (公民身份号码, GB 11643-1999): 17 digits (region, birth date,
//! sequence) and a MOD 11-2 check character (`0-9` or `X`).
//!
//! The number is personal data: this type never prints it (`Debug` and `masked` show
//! `3401**********123X`), and the database keeps only a keyed hash and the masked form.

use std::fmt;

use chrono::NaiveDate;

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: &[u8; 11] = b"10X98765432";

#[derive(Clone, PartialEq, Eq)]
pub struct ResidentId(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResidentIdError {
    #[error("公民身份号码应为 18 位")]
    Length,
    #[error("公民身份号码前 17 位应为数字，最后一位为数字或 X")]
    Characters,
    #[error("公民身份号码的地区代码不正确")]
    Region,
    #[error("公民身份号码中的出生日期不正确")]
    BirthDate,
    #[error("公民身份号码校验位不正确，请核对")]
    Checksum,
}

/// The check character for the first 17 digits.
pub fn check_character(first17: &[u8]) -> Option<u8> {
    if first17.len() != 17 || !first17.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    Some(CHECK[(sum % 11) as usize])
}

impl ResidentId {
    pub fn parse(s: &str) -> Result<Self, ResidentIdError> {
        let s = s.trim().to_ascii_uppercase();
        let b = s.as_bytes();
        if s.chars().count() != 18 || b.len() != 18 {
            return Err(ResidentIdError::Length);
        }
        if !b[..17].iter().all(u8::is_ascii_digit) || !(b[17].is_ascii_digit() || b[17] == b'X') {
            return Err(ResidentIdError::Characters);
        }
        if super::RegionCode::parse(&format!("{}0000", &s[..2])).is_err() {
            return Err(ResidentIdError::Region);
        }
        let birth = NaiveDate::parse_from_str(&s[6..14], "%Y%m%d")
            .map_err(|_| ResidentIdError::BirthDate)?;
        let year = chrono::Datelike::year(&birth);
        if !(1800..=2100).contains(&year) {
            return Err(ResidentIdError::BirthDate);
        }
        if check_character(&b[..17]) != Some(b[17]) {
            return Err(ResidentIdError::Checksum);
        }
        Ok(Self(s))
    }

    /// `3401**********123X`: the first four and last four characters.
    pub fn masked(&self) -> String {
        super::masking::mask_resident_id(&self.0)
    }

    /// The number itself, for hashing; never for display or logs.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ResidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ResidentId({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_valid_numbers_with_and_without_x() {
        for ok in [
            "11010519491231002X",
            "440524188001010014",
            "11010519491231002x",
        ] {
            assert!(ResidentId::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn rejects_each_kind_of_mistake() {
        assert_eq!(
            ResidentId::parse("11010519491231002"),
            Err(ResidentIdError::Length)
        );
        assert_eq!(
            ResidentId::parse("110105194912310021"),
            Err(ResidentIdError::Checksum)
        );
        assert_eq!(
            ResidentId::parse("11010519491231002Y"),
            Err(ResidentIdError::Characters)
        );
        assert_eq!(
            ResidentId::parse("1101051949123100X2"),
            Err(ResidentIdError::Characters)
        );
        assert_eq!(
            ResidentId::parse("99010519491231002X"),
            Err(ResidentIdError::Region)
        );
        assert_eq!(
            ResidentId::parse("110105194913310026"),
            Err(ResidentIdError::BirthDate)
        );
        assert_eq!(
            ResidentId::parse("一二三四五六七八九十一二三四五六七八"),
            Err(ResidentIdError::Length)
        );
    }

    #[test]
    fn never_shows_the_number() {
        let id = ResidentId::parse("11010519491231002X").unwrap();
        assert_eq!(id.masked(), "1101**********002X");
        assert_eq!(format!("{id:?}"), "ResidentId(1101**********002X)");
    }

    #[test]
    fn check_character_matches_parse() {
        let check = check_character(b"34010419900307123").unwrap() as char;
        assert!(ResidentId::parse(&format!("34010419900307123{check}")).is_ok());
    }
}
