//! Masking (脱敏) of personal data before it is opened: names, mobile numbers, ID numbers.

/// `张三丰` → `张**`: keep the family name, hide the given name.
pub fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => {
            let rest = chars.count().max(1);
            format!("{first}{}", "*".repeat(rest))
        }
        None => String::new(),
    }
}

/// `13812345678` → `138****5678`. Anything that is not 11 digits is hidden completely.
pub fn mask_mobile(mobile: &str) -> String {
    if mobile.len() == 11 && mobile.bytes().all(|b| b.is_ascii_digit()) {
        format!("{}****{}", &mobile[..3], &mobile[7..])
    } else {
        "*".repeat(mobile.chars().count())
    }
}

/// `340104199001011234` → `3401**********1234`: keep the first and last four characters.
pub fn mask_resident_id(id: &str) -> String {
    if id.len() == 18 && id.is_ascii() {
        format!("{}**********{}", &id[..4], &id[14..])
    } else {
        "*".repeat(id.chars().count())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_personal_data() {
        assert_eq!(mask_name("张三丰"), "张**");
        assert_eq!(mask_name("李"), "李*");
        assert_eq!(mask_name(""), "");
        assert_eq!(mask_mobile("13812345678"), "138****5678");
        assert_eq!(mask_mobile("1381234"), "*******");
        assert_eq!(mask_resident_id("11010519491231002X"), "1101**********002X");
        assert_eq!(mask_resident_id("短"), "*");
    }
}
