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
    /// On an English page, the handler's own words when it gave some (in English when the
    /// catalog has them).
    pub detail: Option<String>,
}

impl ErrorPage {
    /// Whether the detail stayed Chinese (then it is marked `lang="zh-CN"`).
    pub fn detail_is_chinese(&self) -> bool {
        self.detail
            .as_deref()
            .is_some_and(|d| d.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)))
    }
}
