//! Dataset codes (信息资源代码): a classification code and a sequence number,
//! written `分类码/顺序码` as in the national catalog guide, e.g. `202015/000031`.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DatasetCode {
    classification: String,
    sequence: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DatasetCodeError {
    #[error("数据集代码应为“分类码/顺序码”的形式，例如 202015/000031")]
    Shape,
    #[error("分类码应为 1 至 12 位数字")]
    Classification,
    #[error("顺序码应为 6 位数字，且不能为 000000")]
    Sequence,
}

impl DatasetCode {
    pub const MAX_SEQUENCE: u32 = 999_999;

    pub fn new(classification: &str, sequence: u32) -> Result<Self, DatasetCodeError> {
        let ok = (1..=12).contains(&classification.len())
            && classification.bytes().all(|b| b.is_ascii_digit());
        if !ok {
            return Err(DatasetCodeError::Classification);
        }
        if sequence == 0 || sequence > Self::MAX_SEQUENCE {
            return Err(DatasetCodeError::Sequence);
        }
        Ok(Self {
            classification: classification.to_owned(),
            sequence,
        })
    }

    pub fn classification(&self) -> &str {
        &self.classification
    }

    pub fn sequence(&self) -> u32 {
        self.sequence
    }
}

impl fmt::Display for DatasetCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{:06}", self.classification, self.sequence)
    }
}

impl FromStr for DatasetCode {
    type Err = DatasetCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (class, seq) = s.trim().split_once('/').ok_or(DatasetCodeError::Shape)?;
        if seq.len() != 6 || !seq.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DatasetCodeError::Sequence);
        }
        let sequence = seq.parse().map_err(|_| DatasetCodeError::Sequence)?;
        Self::new(class, sequence)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_with_a_six_digit_sequence() {
        let c = DatasetCode::new("202015", 31).unwrap();
        assert_eq!(c.to_string(), "202015/000031");
        assert_eq!("202015/000031".parse(), Ok(c));
    }

    #[test]
    fn rejects_malformed_codes() {
        assert_eq!(
            "202015".parse::<DatasetCode>(),
            Err(DatasetCodeError::Shape)
        );
        assert_eq!(
            "20A015/000001".parse::<DatasetCode>(),
            Err(DatasetCodeError::Classification)
        );
        assert_eq!(
            "/000001".parse::<DatasetCode>(),
            Err(DatasetCodeError::Classification)
        );
        assert_eq!(
            "202015/000000".parse::<DatasetCode>(),
            Err(DatasetCodeError::Sequence)
        );
        assert_eq!(
            "202015/31".parse::<DatasetCode>(),
            Err(DatasetCodeError::Sequence)
        );
        assert_eq!(
            "202015/-00001".parse::<DatasetCode>(),
            Err(DatasetCodeError::Sequence)
        );
        assert_eq!(
            DatasetCode::new("1", 1_000_000),
            Err(DatasetCodeError::Sequence)
        );
        assert!(DatasetCode::new("1234567890123", 1).is_err());
    }
}
