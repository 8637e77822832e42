//! `/`: search, themes, newest and most downloaded datasets, departments, totals.

use actix_web::web;
use askama::Template;

use super::render;
use crate::services::catalog::{self, Home};
use crate::web::auth::Viewer;
use crate::web::layout::{Layout, NAV_HOME};
use crate::web::{AppError, AppState};

/// One segment of the open-class bar: its share of the width in percent.
pub struct Segment {
    pub class: &'static str,
    pub label: String,
    pub count: i64,
    pub x: f64,
    pub width: f64,
}

#[derive(Template)]
#[template(path = "home/index.html")]
pub struct HomePage {
    pub layout: Layout,
    pub home: Home,
    pub classes: Vec<Segment>,
}

pub async fn show(state: web::Data<AppState>, viewer: Viewer) -> Result<web::Html, AppError> {
    let n = state.settings.catalog.home_list_len;
    let home = state.db(move |c| Ok(catalog::home(c, n)?)).await?;
    let total: i64 = home.open_classes.iter().map(|f| f.count).sum();
    let mut x = 0.0;
    let classes = home
        .open_classes
        .iter()
        .map(|f| {
            let width = if total > 0 {
                f.count as f64 * 100.0 / total as f64
            } else {
                0.0
            };
            let s = Segment {
                class: if f.value == "conditional" {
                    "conditional"
                } else {
                    "unconditional"
                },
                label: f.label.clone(),
                count: f.count,
                x,
                width,
            };
            x += width;
            s
        })
        .collect();
    render(&HomePage {
        layout: Layout::new(&state, &viewer, viewer.lang.t("nav-home"), NAV_HOME),
        home,
        classes,
    })
}
