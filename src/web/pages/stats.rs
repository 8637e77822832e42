//! Public statistics: `/stats/applications`, how each department answers applications for
//! conditionally open data (counts and working days only; no applicant is named).

use actix_web::web;
use askama::Template;

use super::render;
use crate::services::applications::{self, Timeliness};
use crate::web::auth::Viewer;
use crate::web::layout::{Layout, NAV_NONE};
use crate::web::{AppError, AppState};

#[derive(Template)]
#[template(path = "stats/applications.html")]
pub struct ApplicationsPage {
    pub layout: Layout,
    pub lines: Vec<Timeliness>,
}

/// `GET /stats/applications`
pub async fn applications(
    state: web::Data<AppState>,
    viewer: Viewer,
) -> Result<web::Html, AppError> {
    let today = state.clock.today();
    let lines = state
        .db(move |c| Ok(applications::timeliness(c, today)?))
        .await?;
    render(&ApplicationsPage {
        layout: Layout::new(&state, &viewer, "开放申请答复情况", NAV_NONE),
        lines,
    })
}
