//! Mainland mobile numbers: 11 digits starting with 13–19. Personal data: shown masked.

use std::fmt;

#[derive(Clone, PartialEq, Eq)]
pub struct Mobile(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("手机号码应为 11 位数字，以 13 至 19 开头")]
pub struct MobileError;

impl Mobile {
    pub fn parse(s: &str) -> Result<Self, MobileError> {
        let s: String = s
            .trim()
            .chars()
            .filter(|c| !matches!(c, ' ' | '-'))
            .collect();
        let s = s.strip_prefix("+86").unwrap_or(&s).to_owned();
        let b = s.as_bytes();
        let ok = b.len() == 11
            && b.iter().all(u8::is_ascii_digit)
            && b[0] == b'1'
            && (b'3'..=b'9').contains(&b[1]);
        if ok { Ok(Self(s)) } else { Err(MobileError) }
    }

    pub fn masked(&self) -> String {
        super::masking::mask_mobile(&self.0)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Mobile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Mobile({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_masks() {
        let m = Mobile::parse(" 138-1234-5678 ").unwrap();
        assert_eq!(m.as_str(), "13812345678");
        assert_eq!(m.masked(), "138****5678");
        assert_eq!(format!("{m:?}"), "Mobile(138****5678)");
        assert!(Mobile::parse("+8613812345678").is_ok());
        for bad in [
            "",
            "1381234567",
            "123456789012",
            "12812345678",
            "1381234567a",
            "２３８１２３４５６７８",
        ] {
            assert_eq!(Mobile::parse(bad), Err(MobileError), "{bad}");
        }
    }
}
