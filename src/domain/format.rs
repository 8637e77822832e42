//! File formats a dataset is offered in (CSV, JSON, XLSX, …), written in upper case.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Format(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("数据格式应为 1 至 10 个字母或数字，例如 CSV")]
pub struct FormatError;

impl Format {
    pub fn parse(s: &str) -> Result<Self, FormatError> {
        let s = s.trim();
        if s.is_empty() || s.len() > 10 || !s.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(FormatError);
        }
        Ok(Self(s.to_ascii_uppercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upper_cases_short_alphanumeric_names() {
        assert_eq!(Format::parse("csv").unwrap().as_str(), "CSV");
        assert_eq!(Format::parse(" Xlsx ").unwrap().as_str(), "XLSX");
        for bad in ["", "c s v", "csv;", "'", "ABCDEFGHIJK", "表格"] {
            assert_eq!(Format::parse(bad), Err(FormatError), "{bad}");
        }
    }
}
