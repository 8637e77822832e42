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

/// The usual extension of a media type [`media_type`] accepts (`None` for any other).
pub fn extension(media_type: &str) -> Option<&'static str> {
    match media_type {
        "application/pdf" => Some("pdf"),
        "image/png" => Some("png"),
        "image/jpeg" => Some("jpg"),
        _ => None,
    }
}

/// A file name that says what the file is: the client's name, its extension replaced by the
/// one of the type told from the bytes (`通报.html` holding a PDF is `通报.pdf`; `受灾范围图`
/// becomes `受灾范围图.png`). A name already ending in a matching extension, whatever its case
/// (`.PDF`, `.jpeg`), is kept; an empty stem becomes `附件`. At most 120 characters, as
/// [`crate::web::upload::clean_file_name`] keeps them. Idempotent.
pub fn named_as(name: &str, media_type: &str) -> String {
    let Some(ext) = extension(media_type) else {
        return name.to_owned();
    };
    let name = name.trim();
    // An extension: after the last dot, 1 to 10 ASCII letters or digits, at least one a
    // letter (`通报 2024.07` has none).
    let (stem, current) = match name.rsplit_once('.') {
        Some((stem, e))
            if (1..=10).contains(&e.len())
                && e.bytes().all(|b| b.is_ascii_alphanumeric())
                && e.bytes().any(|b| b.is_ascii_alphabetic()) =>
        {
            (stem, Some(e))
        }
        _ => (name, None),
    };
    let stem = stem.trim_end().trim_end_matches('.').trim_end();
    let stem = if stem.is_empty() { "附件" } else { stem };
    let matches = current.is_some_and(|e| {
        e.eq_ignore_ascii_case(ext) || (ext == "jpg" && e.eq_ignore_ascii_case("jpeg"))
    });
    let ext = if matches { current.unwrap_or(ext) } else { ext };
    let room = 120usize.saturating_sub(ext.chars().count() + 1);
    let stem: String = stem.chars().take(room).collect();
    format!("{}.{ext}", stem.trim_end())
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

    #[test]
    fn names_take_the_extension_of_what_the_file_is() {
        let pdf = "application/pdf";
        assert_eq!(named_as("x.html", pdf), "x.pdf");
        assert_eq!(named_as("防汛通报.html", pdf), "防汛通报.pdf");
        assert_eq!(named_as("防汛通报", pdf), "防汛通报.pdf");
        assert_eq!(named_as("报告.PDF", pdf), "报告.PDF");
        assert_eq!(named_as("v1.2 通报", pdf), "v1.2 通报.pdf");
        assert_eq!(named_as("a.tar.html", pdf), "a.tar.pdf");
        assert_eq!(named_as(".html", pdf), "附件.pdf");
        assert_eq!(named_as("", pdf), "附件.pdf");
        assert_eq!(named_as("a.", pdf), "a.pdf");
        assert_eq!(named_as("通报 2024.07", pdf), "通报 2024.07.pdf");
        assert_eq!(named_as("图.jpeg", "image/jpeg"), "图.jpeg");
        assert_eq!(named_as("图.png", "image/jpeg"), "图.jpg");
        assert_eq!(named_as("图.svg", "image/png"), "图.png");
        let long = format!("{}.html", "长".repeat(118));
        let named = named_as(&long, pdf);
        assert!(
            named.ends_with(".pdf") && named.chars().count() <= 120,
            "{named}"
        );
        for n in ["x.html", "防汛通报", ".html", "报告.PDF", &long] {
            let once = named_as(n, pdf);
            assert_eq!(named_as(&once, pdf), once, "idempotent");
        }
        assert_eq!(named_as("x.html", "text/html"), "x.html");
    }
}
