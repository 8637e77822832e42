//! `/admin`: the data authority's tools. Every page requires the admin role.

// One module per URL segment under /admin.
pub mod audit;
pub mod calendar;
pub mod class_changes;
pub mod departments;
pub mod uploads;
pub mod users;

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{Datelike, NaiveDate, NaiveDateTime};
use serde::Deserialize;

use super::{render, render_with_status, see_other};
use crate::domain::{AccountStatus, Role};
use crate::services::admin::{
    self, AdminError, CalendarDay, ClassChangeRequest, Dataset, Department, DepartmentDraft, User,
};
use crate::services::audit::{AuditEvent, AuditFilter};
use crate::web::auth::{CsrfForm, Viewer, set_flash};
use crate::web::forms::{EmptyForm, FormErrors, path_id};
use crate::web::layout::{Layout, NAV_ADMIN};
use crate::web::{AppError, AppState};

#[derive(Template)]
#[template(path = "admin/index.html")]
pub struct Dashboard {
    pub layout: Layout,
    pub unverified: i64,
    pub pending: usize,
    pub departments: i64,
    /// Pending applications past their due date: (id, due on, dataset title).
    pub overdue: Vec<(i32, chrono::NaiveDate, String)>,
}

pub async fn index(state: web::Data<AppState>, viewer: Viewer) -> Result<web::Html, AppError> {
    viewer.require_admin()?;
    let today = state.clock.today();
    let admin::Dashboard {
        unverified,
        pending,
        departments,
        overdue,
    } = state.db(move |c| Ok(admin::dashboard(c, today)?)).await?;
    render(&Dashboard {
        layout: Layout::new(&state, &viewer, viewer.lang.t("admin-title"), NAV_ADMIN),
        unverified,
        pending,
        departments,
        overdue,
    })
}
