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
