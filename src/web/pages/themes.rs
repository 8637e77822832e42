//! `/themes/{slug}`.

use actix_web::web;
use askama::Template;

use super::render;
use crate::domain::Slug;
use crate::services::catalog::{self, ThemePage};
use crate::web::auth::Viewer;
use crate::web::layout::{Layout, NAV_CATALOG};
use crate::web::{AppError, AppState};

#[derive(Template)]
#[template(path = "themes/show.html")]
pub struct ThemeView {
    pub layout: Layout,
    pub page: ThemePage,
    pub catalog_href: String,
}

pub async fn show(
    state: web::Data<AppState>,
    viewer: Viewer,
    slug: web::Path<String>,
) -> Result<web::Html, AppError> {
    let slug = Slug::parse(&slug).map_err(|_| AppError::NotFound)?;
    let n = state.settings.catalog.per_page;
    let catalog_href = format!("/datasets?theme={slug}");
    let page = state
        .db(move |c| Ok(catalog::theme(c, &slug, n)?))
        .await?
        .ok_or(AppError::NotFound)?;
    render(&ThemeView {
        layout: Layout::new(
            &state,
            &viewer,
            match viewer.lang {
                // i18n: the Chinese arm of a match on the language
                crate::i18n::Lang::Zh => format!("{}主题", page.theme.name),
                crate::i18n::Lang::En => format!("Theme: {}", page.theme.name_en),
            },
            NAV_CATALOG,
        ),
        page,
        catalog_href,
    })
}
