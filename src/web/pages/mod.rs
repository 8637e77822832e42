//! Page handlers, each with its page struct beside it.

pub mod account;
pub mod admin;
pub mod applications;
pub mod console;
pub mod dataset_api;
pub mod datasets;
pub mod departments;
pub mod developers;
pub mod downloads;
pub mod elder;
pub mod emergencies;
pub mod emergency_live;
pub mod errors;
pub mod exports;
pub mod health;
pub mod home;
pub mod requests;
pub mod resources;
pub mod reviews;
pub mod showcase;
pub mod sitemap;
pub mod social;
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

/// A form posted either urlencoded or as multipart with an optional file (`file`): its
/// CSRF-checked pairs, and the file if one was chosen. A file over `limit` is an error on
/// `file` in `errors`, so that the form comes back with everything typed.
pub async fn form_with_file(
    state: &crate::web::AppState,
    viewer: &crate::web::auth::Viewer,
    req: &actix_web::HttpRequest,
    payload: web::Payload,
    limit: u64,
    errors: &mut crate::web::forms::FormErrors,
) -> Result<
    (
        crate::web::auth::CsrfPairs,
        Option<crate::web::upload::Received>,
    ),
    AppError,
> {
    use crate::web::auth::CsrfPairs;
    use crate::web::upload::{self, UploadError};
    let multipart = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("multipart/form-data"));
    if !multipart {
        let mut payload = payload.into_inner();
        let pairs = <CsrfPairs as actix_web::FromRequest>::from_request(req, &mut payload).await?;
        return Ok((pairs, None));
    }
    // No token in the session (nobody opened a form): nothing can match.
    let csrf = viewer.csrf.clone().ok_or(AppError::CsrfRejected)?;
    let form = actix_multipart::Multipart::new(req.headers(), payload);
    match upload::multipart_form(form, &state.store, limit, Some(&csrf)).await {
        Ok(mut f) => {
            if let Some(e) = f.too_large.take() {
                errors.add("file", e.to_string());
            }
            let pairs = std::mem::take(&mut f.pairs);
            Ok((CsrfPairs(pairs), f.into_received()))
        }
        Err(UploadError::Csrf) => Err(AppError::CsrfRejected),
        Err(UploadError::StorageFull) => Err(AppError::StorageFull),
        Err(e) => Err(AppError::BadRequest(e.to_string())),
    }
}

/// Moves a received upload into the file store: its key, its cleaned name (`fallback` when
/// none is left) and its size.
pub async fn keep_file(
    state: &crate::web::AppState,
    received: crate::web::upload::Received,
    fallback: &str,
) -> Result<(String, String, i64), AppError> {
    let name = crate::web::upload::clean_file_name(&received.file_name, fallback);
    let size = received.size as i64;
    let store = state.store.clone();
    let stored = web::block(move || received.adopt(&store))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)?;
    Ok((stored.key, name, size))
}
