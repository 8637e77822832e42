//! What the site layout (`templates/base.html`) needs on every page.

use super::AppState;

/// Which main-navigation entry a page belongs to (compared in `base.html`).
pub type Nav = &'static str;
pub const NAV_HOME: Nav = "home";
pub const NAV_CATALOG: Nav = "catalog";
pub const NAV_DEPARTMENTS: Nav = "departments";
pub const NAV_NONE: Nav = "";

#[derive(Debug, Clone)]
pub struct Layout {
    pub site_name: String,
    pub site_name_en: String,
    /// The page's own title; the `<title>` is "{title} - {site_name}".
    pub title: String,
    /// `/static/{version}`: asset URLs change whenever an asset does.
    pub static_prefix: String,
    pub nav: Nav,
}

impl Layout {
    pub fn new(state: &AppState, title: impl Into<String>, nav: Nav) -> Self {
        Self {
            site_name: state.settings.site.name.clone(),
            site_name_en: state.settings.site.name_en.clone(),
            title: title.into(),
            static_prefix: state.assets.prefix(),
            nav,
        }
    }
}
