//! What the site layout (`templates/base.html`) needs on every page.

use super::AppState;
use super::auth::Viewer;
use crate::domain::Role;
use crate::i18n::Lang;

/// Which main-navigation entry a page belongs to (compared in `base.html`).
pub type Nav = &'static str;
pub const NAV_HOME: Nav = "home";
pub const NAV_CATALOG: Nav = "catalog";
pub const NAV_DEPARTMENTS: Nav = "departments";
pub const NAV_ACCOUNT: Nav = "account";
pub const NAV_CONSOLE: Nav = "console";
pub const NAV_ADMIN: Nav = "admin";
pub const NAV_NONE: Nav = "";

/// The logged-in user as the navigation shows them.
#[derive(Debug, Clone)]
pub struct NavUser {
    pub name: String,
    pub is_publisher: bool,
    pub is_admin: bool,
}

#[derive(Debug, Clone)]
pub struct Layout {
    pub site_name: String,
    pub site_name_en: String,
    /// The page's own title; the `<title>` is "{title} - {site_name}".
    pub title: String,
    /// `/static/{version}`: asset URLs change whenever an asset does.
    pub static_prefix: String,
    pub nav: Nav,
    pub user: Option<NavUser>,
    /// For the logout form in the header (and any form on the page).
    pub csrf: String,
    pub flash: Option<String>,
    /// Active emergency events: a banner on every page while there are any.
    pub active_emergencies: i64,
    /// The page's language, and its path and query without the language prefix (for the
    /// switcher and the `hreflang` alternates).
    pub lang: Lang,
    pub path: String,
    /// Elder-friendly mode (长辈模式, `elder_mode::COOKIE`): `class="elder"` on `<body>`.
    pub elder: bool,
}

impl Layout {
    /// The message `id` with one argument (whole numbers stay numbers, for plurals).
    pub fn cx1(&self, id: &str, k: &'static str, v: impl std::fmt::Display) -> String {
        self.lang.t_args(id, &[(k, fluent_value(v.to_string()))])
    }

    /// The message `id` with two arguments.
    pub fn cx2(
        &self,
        id: &str,
        k1: &'static str,
        v1: impl std::fmt::Display,
        k2: &'static str,
        v2: impl std::fmt::Display,
    ) -> String {
        self.lang.t_args(
            id,
            &[
                (k1, fluent_value(v1.to_string())),
                (k2, fluent_value(v2.to_string())),
            ],
        )
    }

    /// The message `{prefix}-{key}`: the words for a value the code owns (a status, a kind).
    pub fn cx_key(&self, prefix: &str, key: impl std::fmt::Display) -> String {
        self.lang.t(&format!("{prefix}-{key}"))
    }

    pub fn new(state: &AppState, viewer: &Viewer, title: impl Into<String>, nav: Nav) -> Self {
        let mut layout = Self::anonymous(state, title, nav);
        layout.user = viewer.user.as_ref().map(|u| NavUser {
            name: u.user.display_name.clone(),
            is_publisher: u.user.role == Role::Publisher,
            is_admin: u.user.role == Role::Admin,
        });
        layout.csrf = viewer.csrf.clone().unwrap_or_default();
        layout.flash = viewer.flash.clone();
        layout.lang = viewer.lang;
        layout.path = viewer.path.clone();
        layout.elder = viewer.elder;
        layout
    }

    /// For pages rendered without knowing the viewer (error pages).
    pub fn anonymous(state: &AppState, title: impl Into<String>, nav: Nav) -> Self {
        Self {
            site_name: state.settings.site.name.clone(),
            site_name_en: state.settings.site.name_en.clone(),
            title: title.into(),
            static_prefix: state.assets.prefix(),
            nav,
            user: None,
            csrf: String::new(),
            flash: None,
            active_emergencies: state
                .active_emergencies
                .load(std::sync::atomic::Ordering::Relaxed),
            lang: Lang::Zh,
            path: "/".to_owned(),
            elder: false,
        }
    }

    /// An anonymous layout (error pages) that follows the request's language and elder-mode
    /// cookie. It names no path (the switches lead home): a hidden dataset's 404 is the same
    /// page, byte for byte, as a missing one's.
    pub fn for_request(
        state: &AppState,
        req: &actix_web::HttpRequest,
        title: impl Into<String>,
        nav: Nav,
    ) -> Self {
        let mut layout = Self::anonymous(state, title, nav);
        layout.elder = super::elder_mode::is_on(req);
        layout.lang = super::lang::of(req);
        layout
    }

    /// An English text of the data, on an English page (else the Chinese one is shown).
    pub fn en<'a>(&self, text: &'a Option<String>) -> Option<&'a str> {
        match self.lang {
            Lang::En => text.as_deref().filter(|t| !t.trim().is_empty()),
            Lang::Zh => None,
        }
    }

    /// Whether the page is English (markup that only an English page needs).
    /// A message a service composed, in the page's language.
    pub fn msg(&self, message: &str) -> String {
        self.lang.msg(message).into_owned()
    }

    pub fn is_en(&self) -> bool {
        self.lang == Lang::En
    }

    /// A UI string in the page's language (`locales/*/main.ftl`).
    pub fn t(&self, id: &str) -> String {
        self.lang.t(id)
    }

    /// A UI string about a count ("3 datasets", "3 个数据集").
    pub fn tc(&self, id: &str, count: impl std::borrow::Borrow<i64>) -> String {
        self.lang.count(id, *count.borrow())
    }

    /// The message `id`, or `fallback` (a value the messages do not know, shown as stored).
    pub fn t_or(&self, id: &str, fallback: &str) -> String {
        self.lang.try_t(id).unwrap_or_else(|| fallback.to_owned())
    }

    /// A field's data type in words; an unknown one as it is stored.
    pub fn field_type(&self, t: &str) -> String {
        self.lang
            .try_t(&format!("type-{t}"))
            .unwrap_or_else(|| t.to_owned())
    }

    /// "The first 10 of 1,234 rows."
    pub fn preview_rows(
        &self,
        shown: impl std::borrow::Borrow<i64>,
        total: impl std::borrow::Borrow<i64>,
    ) -> String {
        use fluent_templates::fluent_bundle::FluentValue;
        let (shown, total) = (*shown.borrow(), total.borrow());
        self.lang.t_args(
            "ds-preview-rows",
            &[
                ("shown", FluentValue::from(shown)),
                ("count", FluentValue::from(*total)),
                ("total", FluentValue::from(self.lang.number(*total))),
            ],
        )
    }

    /// "4.5 stars on average (3 ratings)."
    pub fn rating(&self, mean: String, count: impl std::borrow::Borrow<i64>) -> String {
        let count = count.borrow();
        use fluent_templates::fluent_bundle::FluentValue;
        self.lang.t_args(
            "ds-rating",
            &[
                ("mean", FluentValue::from(mean)),
                ("count", FluentValue::from(*count)),
            ],
        )
    }

    /// A number as the page's language writes it.
    pub fn number(&self, n: &i64) -> String {
        self.lang.number(*n)
    }

    /// A large number as statistics are read (万/亿, million/billion).
    pub fn large(&self, n: &i64) -> String {
        self.lang.large(*n)
    }

    /// The site's name in the page's language.
    pub fn site(&self) -> &str {
        match self.lang {
            Lang::Zh => &self.site_name,
            Lang::En => &self.site_name_en,
        }
    }

    /// This page in Chinese and in English (for `hreflang` and the switcher).
    pub fn zh_href(&self) -> &str {
        &self.path
    }

    pub fn en_href(&self) -> String {
        super::lang::english(&self.path)
    }
}

/// A value as Fluent reads it: whole numbers stay numbers (for plural selection), codes with a
/// leading zero stay text.
fn fluent_value(v: String) -> fluent_templates::fluent_bundle::FluentValue<'static> {
    use fluent_templates::fluent_bundle::FluentValue;
    match v.parse::<i64>() {
        Ok(n) if !v.starts_with('0') || v == "0" => FluentValue::from(n),
        _ => FluentValue::from(v),
    }
}

#[cfg(test)]
mod fluent_value_tests {
    use fluent_templates::fluent_bundle::FluentValue;

    #[test]
    fn numbers_stay_numbers_and_codes_stay_text() {
        let v = super::fluent_value;
        assert!(matches!(v("12".into()), FluentValue::Number(_)));
        assert!(matches!(v("0".into()), FluentValue::Number(_)));
        assert!(matches!(v("0123".into()), FluentValue::String(_)));
        assert!(matches!(v("1.2 KB".into()), FluentValue::String(_)));
    }
}
