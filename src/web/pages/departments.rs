//! `/departments` and `/departments/{slug}`.

use actix_web::web;
use askama::Template;

use super::render;
use crate::domain::{RegionLevel, Slug};
use crate::services::catalog::{self, DepartmentCount, DepartmentPage};
use crate::web::auth::Viewer;
use crate::web::layout::{Layout, NAV_DEPARTMENTS};
use crate::web::{AppError, AppState};

pub struct LevelGroup {
    pub title: String,
    pub departments: Vec<DepartmentCount>,
    /// The largest count in the group, for the bar lengths.
    pub max: i64,
}

#[derive(Template)]
#[template(path = "departments/index.html")]
pub struct DepartmentsView {
    pub layout: Layout,
    pub groups: Vec<LevelGroup>,
}

impl DepartmentsView {
    /// Bar length in percent of the widest bar.
    pub fn bar(&self, count: &i64, max: &i64) -> u32 {
        if *max <= 0 {
            0
        } else {
            (*count * 100 / *max) as u32
        }
    }
}

pub async fn index(state: web::Data<AppState>, viewer: Viewer) -> Result<web::Html, AppError> {
    let all = state.db(|c| Ok(catalog::departments(c)?)).await?;
    let groups = RegionLevel::ALL
        .into_iter()
        .map(|level| {
            let departments: Vec<DepartmentCount> =
                all.iter().filter(|d| d.level == level).cloned().collect();
            LevelGroup {
                title: viewer.lang.t(&format!("departments-{}", level.as_str())),
                max: departments.iter().map(|d| d.count).max().unwrap_or(0),
                departments,
            }
        })
        .filter(|g| !g.departments.is_empty())
        .collect();
    render(&DepartmentsView {
        layout: Layout::new(
            &state,
            &viewer,
            viewer.lang.t("nav-departments"),
            NAV_DEPARTMENTS,
        ),
        groups,
    })
}

#[derive(Template)]
#[template(path = "departments/show.html")]
pub struct DepartmentView {
    pub layout: Layout,
    pub page: DepartmentPage,
    pub catalog_href: String,
}

pub async fn show(
    state: web::Data<AppState>,
    viewer: Viewer,
    slug: web::Path<String>,
) -> Result<web::Html, AppError> {
    let slug = Slug::parse(&slug).map_err(|_| AppError::NotFound)?;
    let n = state.settings.catalog.per_page;
    let catalog_href = format!("/datasets?dept={slug}");
    let page = state
        .db(move |c| Ok(catalog::department(c, &slug, n)?))
        .await?
        .ok_or(AppError::NotFound)?;
    render(&DepartmentView {
        layout: Layout::new(
            &state,
            &viewer,
            page.department.name.clone(),
            NAV_DEPARTMENTS,
        ),
        page,
        catalog_href,
    })
}
