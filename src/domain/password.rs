//! The password policy: at least 10 characters, not the user's ID number or mobile, not one of
//! the passwords everybody tries first.

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("密码至少需要 {0} 个字符")]
    TooShort(usize),
    #[error("密码最长 {0} 个字符")]
    TooLong(usize),
    #[error("密码不能包含身份证号码或手机号码")]
    Personal,
    #[error("密码过于简单，请避免连续或重复的字符和常见密码")]
    Common,
}

pub const MIN_CHARS: usize = 10;
pub const MAX_CHARS: usize = 128;

const COMMON: &[&str] = &[
    "1234567890",
    "0123456789",
    "12345678910",
    "qwertyuiop",
    "1qaz2wsx3edc",
    "password123",
    "passw0rd123",
    "abcdefghij",
    "a1234567890",
    "woaini1314",
    "iloveyou123",
    "admin12345",
    "1234567890a",
    "abc1234567",
    "1q2w3e4r5t",
];

/// Checks a new password. `personal` holds the account's identifiers (ID number, mobile) that
/// the password may not contain.
pub fn check(password: &str, personal: &[&str]) -> Result<(), PasswordError> {
    let n = password.chars().count();
    if n < MIN_CHARS {
        return Err(PasswordError::TooShort(MIN_CHARS));
    }
    if n > MAX_CHARS {
        return Err(PasswordError::TooLong(MAX_CHARS));
    }
    let lower = password.to_lowercase();
    if personal
        .iter()
        .filter(|p| p.len() >= 6)
        .any(|p| lower.contains(&p.to_lowercase()))
    {
        return Err(PasswordError::Personal);
    }
    let distinct: std::collections::HashSet<char> = lower.chars().collect();
    if distinct.len() < 4 || COMMON.contains(&lower.as_str()) {
        return Err(PasswordError::Common);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enforces_the_policy() {
        assert_eq!(check("短密码", &[]), Err(PasswordError::TooShort(10)));
        assert_eq!(
            check(&"a".repeat(129), &[]),
            Err(PasswordError::TooLong(128))
        );
        assert_eq!(check("aaaaaaaaaaaa", &[]), Err(PasswordError::Common));
        assert_eq!(check("1234567890", &[]), Err(PasswordError::Common));
        assert_eq!(
            check("x11010519491231002X", &["11010519491231002X"]),
            Err(PasswordError::Personal)
        );
        assert_eq!(
            check("13812345678", &["13812345678"]),
            Err(PasswordError::Personal)
        );
        assert!(check("晴天-合肥-2026-数据", &["13812345678"]).is_ok());
        assert!(check("correct horse battery", &[]).is_ok());
    }
}
