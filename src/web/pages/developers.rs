//! `/developers`: how to use the API, with the quotas in force and the error codes.

use actix_web::{HttpRequest, web};
use askama::Template;

use super::render;
use crate::settings::ApiSettings;
use crate::web::auth::Viewer;
use crate::web::layout::{Layout, NAV_NONE};
use crate::web::{AppError, AppState};

#[derive(Template)]
#[template(path = "developers/index.html")]
pub struct DevelopersPage {
    pub layout: Layout,
    pub api: ApiSettings,
    pub base: String,
    /// An open dataset for the examples.
    pub example: String,
}

pub async fn show(
    state: web::Data<AppState>,
    viewer: Viewer,
    req: HttpRequest,
) -> Result<web::Html, AppError> {
    // An unconditionally open dataset, so that every example works as written.
    let example = state
        .db(|c| Ok(crate::services::catalog::example_slug(c)?))
        .await?
        .unwrap_or_else(|| viewer.lang.t("public-dev-ph-dataset"));
    render(&DevelopersPage {
        layout: Layout::new(&state, &viewer, viewer.lang.t("public-dev-title"), NAV_NONE),
        api: state.settings.api.clone(),
        base: crate::web::machine::base_url(&state, &req),
        example,
    })
}
