//! Files people attach (an emergency update's notice or map, the evidence of an error report):
//! PDF, PNG or JPEG, told from the first bytes, never from the name or the type a client sends.

/// The media type of an acceptable attachment, or `None`.
pub fn media_type(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attachments_are_told_by_their_first_bytes() {
        assert_eq!(media_type(b"%PDF-1.7\n"), Some("application/pdf"));
        assert_eq!(media_type(b"\x89PNG\r\n\x1a\n\0\0"), Some("image/png"));
        assert_eq!(media_type(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(media_type(b"<svg xmlns="), None);
        assert_eq!(media_type(b"MZ\x90\0"), None);
        assert_eq!(media_type(b""), None);
    }
}
