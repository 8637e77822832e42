//! Console pages' words with arguments (issue 20): the templates call these on their
//! `layout`, so a message keeps its arguments inside the translation.

use std::fmt::Display;

use fluent_templates::fluent_bundle::FluentValue;

use crate::web::layout::Layout;

/// A value as Fluent reads it: whole numbers stay numbers (for plural selection).
fn value(v: String) -> FluentValue<'static> {
    match v.parse::<i64>() {
        Ok(n) if !v.starts_with('0') || v == "0" => FluentValue::from(n),
        _ => FluentValue::from(v),
    }
}

/// The console's messages with arguments, on the page's layout.
pub trait ConsoleText {
    /// The message `id` with one argument.
    fn cx1(&self, id: &str, k: &'static str, v: impl Display) -> String;
    /// The message `id` with two arguments.
    fn cx2(
        &self,
        id: &str,
        k1: &'static str,
        v1: impl Display,
        k2: &'static str,
        v2: impl Display,
    ) -> String;
    /// The message `{prefix}-{key}`: the words for a value the code owns (a status, a kind).
    fn cx_key(&self, prefix: &str, key: impl Display) -> String;
}

impl ConsoleText for Layout {
    fn cx1(&self, id: &str, k: &'static str, v: impl Display) -> String {
        self.lang.t_args(id, &[(k, value(v.to_string()))])
    }

    fn cx2(
        &self,
        id: &str,
        k1: &'static str,
        v1: impl Display,
        k2: &'static str,
        v2: impl Display,
    ) -> String {
        self.lang.t_args(
            id,
            &[(k1, value(v1.to_string())), (k2, value(v2.to_string()))],
        )
    }

    fn cx_key(&self, prefix: &str, key: impl Display) -> String {
        self.lang.t(&format!("{prefix}-{key}"))
    }
}

#[cfg(test)]
mod tests {
    use crate::i18n::Lang;

    const TEMPLATES: [&str; 12] = [
        include_str!("../../../../templates/console/index.html"),
        include_str!("../../../../templates/console/form.html"),
        include_str!("../../../../templates/console/history.html"),
        include_str!("../../../../templates/console/resources.html"),
        include_str!("../../../../templates/console/resource.html"),
        include_str!("../../../../templates/console/version.html"),
        include_str!("../../../../templates/console/reviews.html"),
        include_str!("../../../../templates/console/review.html"),
        include_str!("../../../../templates/console/requests.html"),
        include_str!("../../../../templates/console/emergencies.html"),
        include_str!("../../../../templates/console/emergency.html"),
        include_str!("../../../../templates/social/reported.html"),
    ];

    /// Whether both languages define `id` (messages with arguments cannot be looked up bare).
    fn exists(id: &str) -> bool {
        let defined = |ftl: &[&str]| {
            ftl.iter()
                .any(|f| f.lines().any(|l| l.starts_with(&format!("{id} ="))))
        };
        defined(&[
            include_str!("../../../../locales/zh-CN/console.ftl"),
            include_str!("../../../../locales/zh-CN/main.ftl"),
        ]) && defined(&[
            include_str!("../../../../locales/en/console.ftl"),
            include_str!("../../../../locales/en/main.ftl"),
        ]) && Lang::En.t(id) != id
    }

    #[test]
    fn the_console_messages_with_arguments_exist() {
        let mut missing = Vec::new();
        for text in TEMPLATES {
            for call in [".cx1(\"", ".cx2(\""] {
                for piece in text.split(call).skip(1) {
                    let id = piece.split('"').next().unwrap_or("");
                    if !exists(id) {
                        missing.push(id.to_owned());
                    }
                }
            }
        }
        assert!(missing.is_empty(), "{missing:?}");
    }

    #[test]
    fn every_value_the_console_names_has_words() {
        use crate::domain::{DatasetStatus, RequestStatus, ReviewStatus};
        let mut ids: Vec<String> = Vec::new();
        ids.extend(
            DatasetStatus::ALL
                .iter()
                .map(|s| format!("console-status-{}", s.as_str())),
        );
        ids.extend(
            ReviewStatus::ALL
                .iter()
                .map(|s| format!("console-review-{}", s.as_str())),
        );
        ids.extend(
            RequestStatus::ALL
                .iter()
                .map(|s| format!("console-request-{}", s.as_str())),
        );
        for s in [
            "processing",
            "ready",
            "blocked",
            "failed",
            "unknown",
            "retired",
        ] {
            ids.push(format!("console-vstatus-{s}"));
        }
        for a in [
            "create",
            "update",
            "publish",
            "withdraw",
            "class_request",
            "class_approve",
            "class_reject",
        ] {
            ids.push(format!("console-action-{a}"));
        }
        let missing: Vec<_> = ids.into_iter().filter(|id| !exists(id)).collect();
        assert!(missing.is_empty(), "{missing:?}");
    }

    #[test]
    fn numbers_stay_numbers_and_codes_stay_text() {
        use fluent_templates::fluent_bundle::FluentValue;
        assert!(matches!(super::value("12".into()), FluentValue::Number(_)));
        assert!(matches!(super::value("0".into()), FluentValue::Number(_)));
        assert!(matches!(
            super::value("0123".into()),
            FluentValue::String(_)
        ));
        assert!(matches!(
            super::value("1.2 KB".into()),
            FluentValue::String(_)
        ));
    }
}
