//! What the site layout (`templates/base.html`) needs on every page.

use super::AppState;
use super::auth::Viewer;
use crate::domain::Role;

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
    /// Elder-friendly mode (长辈模式, `elder_mode::COOKIE`): `class="elder"` on `<html>`.
    pub elder: bool,
    /// This page's path and query, where the elder-mode switch comes back to.
    pub here: String,
}

impl Layout {
    pub fn new(state: &AppState, viewer: &Viewer, title: impl Into<String>, nav: Nav) -> Self {
        let mut layout = Self::anonymous(state, title, nav);
        layout.user = viewer.user.as_ref().map(|u| NavUser {
            name: u.user.display_name.clone(),
            is_publisher: u.user.role == Role::Publisher,
            is_admin: u.user.role == Role::Admin,
        });
        layout.csrf = viewer.csrf.clone().unwrap_or_default();
        layout.flash = viewer.flash.clone();
        layout.elder = viewer.elder;
        layout.here = viewer.path.clone();
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
            elder: false,
            here: "/".to_owned(),
        }
    }

    /// An anonymous layout (error pages) that follows the request's elder-mode cookie. The
    /// switch leads home from here: an error page names no path, so a hidden dataset's 404 is
    /// the same page, byte for byte, as a missing one's.
    pub fn for_request(
        state: &AppState,
        req: &actix_web::HttpRequest,
        title: impl Into<String>,
        nav: Nav,
    ) -> Self {
        let mut layout = Self::anonymous(state, title, nav);
        layout.elder = super::elder_mode::is_on(req);
        layout
    }
}
