//! URL slugs: lower-case ASCII letters and digits in hyphen-separated words.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Slug(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlugError {
    #[error("标识不能为空")]
    Empty,
    #[error("标识最长 {max} 个字符")]
    TooLong { max: usize },
    #[error("标识只能包含小写字母、数字和连字符，且连字符不能位于开头、结尾或连续出现")]
    Invalid,
}

impl Slug {
    pub const MAX_LEN: usize = 80;

    pub fn parse(s: &str) -> Result<Self, SlugError> {
        if s.is_empty() {
            return Err(SlugError::Empty);
        }
        if s.len() > Self::MAX_LEN {
            return Err(SlugError::TooLong { max: Self::MAX_LEN });
        }
        let words_ok = s.split('-').all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
        if !words_ok {
            return Err(SlugError::Invalid);
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Slug {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_words_of_letters_and_digits() {
        for ok in ["a", "hefei-bus-routes", "2023-tongji", "x1-y2-z3"] {
            assert_eq!(Slug::parse(ok).unwrap().as_str(), ok);
        }
    }

    #[test]
    fn rejects_everything_else() {
        assert_eq!(Slug::parse(""), Err(SlugError::Empty));
        for bad in [
            "-a", "a-", "a--b", "A", "a b", "a_b", "合肥", "a/b", "../etc", "a'b", "<b>", "é",
        ] {
            assert_eq!(Slug::parse(bad), Err(SlugError::Invalid), "{bad}");
        }
    }

    #[test]
    fn has_a_length_limit() {
        assert!(Slug::parse(&"a".repeat(Slug::MAX_LEN)).is_ok());
        assert_eq!(
            Slug::parse(&"a".repeat(2048)),
            Err(SlugError::TooLong { max: Slug::MAX_LEN })
        );
    }
}
