//! Unified social credit codes (统一社会信用代码, GB 32100-2015): 18 characters from
//! `0-9A-HJ-NP-RTUWXY` (no I, O, Z, S, V), the last a MOD 31 check character.

use std::fmt;

const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CreditCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreditCodeError {
    #[error("统一社会信用代码应为 18 位")]
    Length,
    #[error("统一社会信用代码含有不允许的字符（不使用 I、O、Z、S、V）")]
    Character,
    #[error("统一社会信用代码校验位不正确，请核对")]
    Checksum,
}

fn value(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|&a| a == c).map(|p| p as u32)
}

/// The check character for the first 17 characters, or `None` if one is not in the alphabet.
pub fn check_character(first17: &[u8; 17]) -> Option<char> {
    let mut sum = 0;
    for (c, w) in first17.iter().zip(WEIGHTS) {
        sum += value(*c)? * w;
    }
    let check = (31 - sum % 31) % 31;
    Some(ALPHABET[check as usize] as char)
}

impl CreditCode {
    pub fn parse(s: &str) -> Result<Self, CreditCodeError> {
        let s = s.trim().to_ascii_uppercase();
        let bytes: &[u8; 18] = s
            .as_bytes()
            .try_into()
            .map_err(|_| CreditCodeError::Length)?;
        if bytes.iter().any(|b| value(*b).is_none()) {
            return Err(CreditCodeError::Character);
        }
        let mut first17 = [0u8; 17];
        first17.copy_from_slice(&bytes[..17]);
        if check_character(&first17) != Some(bytes[17] as char) {
            return Err(CreditCodeError::Checksum);
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_a_valid_code() {
        assert_eq!(
            CreditCode::parse("91110108551385082q").unwrap().as_str(),
            "91110108551385082Q"
        );
    }

    #[test]
    fn rejects_wrong_check_length_and_alphabet() {
        assert_eq!(
            CreditCode::parse("91110108551385082A"),
            Err(CreditCodeError::Checksum)
        );
        assert_eq!(
            CreditCode::parse("9111010855138508"),
            Err(CreditCodeError::Length)
        );
        assert_eq!(
            CreditCode::parse("91110108551385082QQ"),
            Err(CreditCodeError::Length)
        );
        assert_eq!(
            CreditCode::parse("9111010855138508IQ"),
            Err(CreditCodeError::Character)
        );
        assert_eq!(
            CreditCode::parse("统一社会信用代码统一社会"),
            Err(CreditCodeError::Length)
        );
    }

    #[test]
    fn check_character_matches_parse() {
        let first17: [u8; 17] = *b"91340100MA2N0X1B2";
        let check = check_character(&first17).unwrap();
        let code = format!("91340100MA2N0X1B2{check}");
        assert!(CreditCode::parse(&code).is_ok(), "{code}");
    }
}
