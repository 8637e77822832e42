//! Page handlers, each with its page struct beside it.

pub mod account;
pub mod admin;
pub mod applications;
pub mod catalog_params;
pub mod console;
pub mod datasets;
pub mod departments;
pub mod developers;
pub mod downloads;
pub mod emergencies;
pub mod errors;
pub mod exports;
pub mod health;
pub mod home;
pub mod resources;
pub mod stats;
pub mod themes;

use actix_web::web;
use askama::Template;

use super::AppError;

/// Renders a page into an HTML response.
pub fn render<T: Template>(page: &T) -> Result<web::Html, AppError> {
    page.render()
        .map(web::Html::new)
        .map_err(AppError::internal)
}

/// Renders a page with a status other than 200 (e.g. a catalog page listing bad filters).
pub fn render_with_status<T: Template>(
    status: actix_web::http::StatusCode,
    page: &T,
) -> Result<actix_web::HttpResponse, AppError> {
    let html = page.render().map_err(AppError::internal)?;
    Ok(actix_web::HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(html))
}

/// After a successful form: "see" the next page (POST/redirect/GET).
pub fn see_other(to: &str) -> actix_web::HttpResponse {
    actix_web::HttpResponse::SeeOther()
        .insert_header((actix_web::http::header::LOCATION, to))
        .finish()
}

/// The default service: every unknown URL.
pub async fn not_found() -> Result<web::Html, AppError> {
    Err(AppError::NotFound)
}
