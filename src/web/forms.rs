//! What form pages share: errors keyed by field name, and reading ids from paths.

use std::collections::BTreeMap;

use super::AppError;

/// Field name → message. Templates ask `errors.has("email")` and `errors.get("email")`.
#[derive(Debug, Clone, Default)]
pub struct FormErrors(BTreeMap<String, String>);

impl FormErrors {
    pub fn new() -> Self {
        Self::default()
    }

    /// Errors from a service's `(field, message)` list.
    pub fn from_list(list: Vec<(String, String)>) -> Self {
        let mut errors = Self::new();
        errors.extend(list);
        errors
    }

    /// Adds a service's `(field, message)` list (the first message of a field stays).
    pub fn extend(&mut self, list: Vec<(String, String)>) {
        for (field, message) in list {
            self.add(&field, message);
        }
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0
            .entry(field.to_owned())
            .or_insert_with(|| message.into());
    }

    pub fn has(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }

    /// A field's message, in the language of the request.
    pub fn get(&self, field: &str) -> Option<String> {
        let lang = crate::i18n::Lang::current();
        self.0.get(field).map(|m| lang.msg(m).into_owned())
    }

    /// A message of the form's frame ("please correct …"), in the language of the request.
    pub fn t(&self, id: &str) -> String {
        crate::i18n::Lang::current().t(id)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Field → message, in the language of the request.
    pub fn iter(&self) -> impl Iterator<Item = (&String, String)> {
        let lang = crate::i18n::Lang::current();
        self.0
            .iter()
            .map(move |(f, m)| (f, lang.msg(m).into_owned()))
    }

    /// `aria-describedby` for a field: its hint (when it has one) and its error.
    pub fn described_by(&self, field: &str, has_hint: bool) -> String {
        let mut ids = Vec::new();
        if has_hint {
            ids.push(format!("f-{field}-hint"));
        }
        if self.has(field) {
            ids.push(format!("f-{field}-error"));
        }
        ids.join(" ")
    }
}

impl From<BTreeMap<String, String>> for FormErrors {
    fn from(m: BTreeMap<String, String>) -> Self {
        Self(m)
    }
}

/// A form with nothing but its CSRF token (buttons that act).
#[derive(Debug, Default, serde::Deserialize)]
pub struct EmptyForm {}

/// A numeric id from a path segment; anything else is a 404.
pub fn path_id(s: &str) -> Result<i32, AppError> {
    s.parse::<i32>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or(AppError::NotFound)
}

/// A local path to return to after logging in; anything else (another site, `//host`) is
/// replaced by the account page.
pub fn safe_next(next: &str) -> String {
    // Browsers drop tabs and newlines from URLs and read `\` as `/`, so `/\t/evil` would become
    // `//evil`: refuse any control character or backslash anywhere.
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.chars().any(|c| c.is_control() || c == '\\')
        && next.len() < 2000;
    if ok {
        next.to_owned()
    } else {
        "/account".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next("/console?x=1"), "/console?x=1");
        for bad in [
            "https://evil.example/",
            "//evil.example",
            "/\\evil",
            "/\t/evil.example",
            "/\t\\evil",
            "/\n/evil",
            "/ok\\..",
            "",
            "javascript:alert(1)",
        ] {
            assert_eq!(safe_next(bad), "/account", "{bad}");
        }
    }

    #[test]
    fn ids_come_from_digits_only() {
        assert_eq!(path_id("12").unwrap(), 12);
        for bad in ["0", "-1", "1e3", "abc", "99999999999"] {
            assert!(path_id(bad).is_err(), "{bad}");
        }
    }
}
