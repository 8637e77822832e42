//! Dataset keywords: typed as one string separated by commas (half or full width),
//! 顿号 or semicolons; stored joined by `,`.

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Keywords(Vec<String>);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeywordsError {
    #[error("关键词最多 {max} 个")]
    TooMany { max: usize },
    #[error("每个关键词最多 {max} 个字")]
    TooLong { max: usize },
}

const SEPARATORS: [char; 5] = [',', '，', '、', ';', '；'];

impl Keywords {
    pub const MAX_COUNT: usize = 20;
    pub const MAX_CHARS: usize = 30;

    pub fn parse(s: &str) -> Result<Self, KeywordsError> {
        let mut out: Vec<String> = Vec::new();
        for word in s.split(SEPARATORS).map(str::trim).filter(|w| !w.is_empty()) {
            if word.chars().count() > Self::MAX_CHARS {
                return Err(KeywordsError::TooLong {
                    max: Self::MAX_CHARS,
                });
            }
            if !out.iter().any(|w| w == word) {
                out.push(word.to_owned());
            }
        }
        if out.len() > Self::MAX_COUNT {
            return Err(KeywordsError::TooMany {
                max: Self::MAX_COUNT,
            });
        }
        Ok(Self(out))
    }

    /// Reads the stored form; never fails because stored keywords were parsed on the way in.
    pub fn from_stored(s: &str) -> Self {
        Self(
            s.split(',')
                .map(str::trim)
                .filter(|w| !w.is_empty())
                .map(str::to_owned)
                .collect(),
        )
    }

    pub fn to_stored(&self) -> String {
        self.0.join(",")
    }

    pub fn as_slice(&self) -> &[String] {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_chinese_and_ascii_separators() {
        let k = Keywords::parse("公交，线路、出行;公交 , 站点").unwrap();
        assert_eq!(k.as_slice(), ["公交", "线路", "出行", "站点"]);
        assert_eq!(Keywords::from_stored(&k.to_stored()), k);
        assert!(Keywords::parse("  ").unwrap().is_empty());
    }

    #[test]
    fn limits_count_and_length() {
        let many: Vec<String> = (0..21).map(|i| format!("词{i}")).collect();
        assert_eq!(
            Keywords::parse(&many.join(",")),
            Err(KeywordsError::TooMany { max: 20 })
        );
        assert_eq!(
            Keywords::parse(&"长".repeat(31)),
            Err(KeywordsError::TooLong { max: 30 })
        );
    }
}
