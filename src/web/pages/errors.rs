//! The error page, rendered by `middleware::error_pages` for every 4xx/5xx.

use askama::Template;

use crate::web::layout::Layout;

#[derive(Template)]
#[template(path = "errors/error.html")]
pub struct ErrorPage {
    pub layout: Layout,
    pub status: u16,
    pub title: String,
    pub message: String,
    /// On an English page, the handler's own words when it gave some (they are Chinese).
    pub detail: Option<String>,
}
