//! E-mail addresses, normalised to lower case so that one person has one account.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("电子邮箱格式不正确，例如 zhangsan@example.com")]
pub struct EmailError;

impl Email {
    pub const MAX_LEN: usize = 254;

    pub fn parse(s: &str) -> Result<Self, EmailError> {
        let s = s.trim();
        if s.is_empty() || s.len() > Self::MAX_LEN || s.chars().any(char::is_whitespace) {
            return Err(EmailError);
        }
        let (local, domain) = s.split_once('@').ok_or(EmailError)?;
        let domain_ok = domain.contains('.')
            && !domain.contains('@')
            && domain
                .split('.')
                .all(|label| !label.is_empty() && !label.starts_with('-') && !label.ends_with('-'))
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '.');
        let local_ok = !local.is_empty() && local.len() <= 64 && !local.contains(['<', '>', '"']);
        if !(domain_ok && local_ok) {
            return Err(EmailError);
        }
        Ok(Self(s.to_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_and_spaces() {
        assert_eq!(
            Email::parse(" Li.Ming@Data.AH.gov.cn ").unwrap().as_str(),
            "li.ming@data.ah.gov.cn"
        );
        assert!(Email::parse("王@例子.中国").is_ok());
    }

    #[test]
    fn rejects_malformed_addresses() {
        for bad in [
            "", "a", "a@b", "@b.cn", "a@@b.cn", "a b@c.cn", "a@b..cn", "a@-b.cn", "<a>@b.cn",
        ] {
            assert_eq!(Email::parse(bad), Err(EmailError), "{bad}");
        }
        assert!(Email::parse(&format!("{}@b.cn", "a".repeat(65))).is_err());
    }
}
