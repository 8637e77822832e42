//! Ratings and comments on a dataset's page, and the moderation of reported comments.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::{render, render_with_status, see_other};
use crate::services::social::Comment;
use crate::services::social::{self as service, SocialError};
use crate::web::auth::{CsrfPairs, Viewer, set_flash};
use crate::web::forms::{FormErrors, path_id};
use crate::web::layout::{Layout, NAV_CONSOLE, NAV_NONE};
use crate::web::{AppError, AppState};

/// `POST /datasets/{slug}/rating`
pub async fn rate(
    state: web::Data<AppState>,
    viewer: Viewer,
    session: Session,
    slug: web::Path<String>,
    pairs: CsrfPairs,
) -> Result<HttpResponse, AppError> {
    let user = viewer.require_user()?.user.clone();
    let (stars, now) = (pairs.get("stars"), state.clock.now());
    let slug = slug.into_inner();
    let d = state
        .db(move |c| Ok(service::rate(c, &user, &slug, &stars, now)))
        .await?
        .map_err(AppError::from)?;
    set_flash(&session, &viewer.lang.t("public-comment-rated"));
    Ok(see_other(&format!("/datasets/{}#ratings", d.slug)))
}

/// The comment form again, with what was typed and what was wrong.
#[derive(Template)]
#[template(path = "social/comment.html")]
pub struct CommentPage {
    pub layout: Layout,
    pub slug: String,
    pub body: String,
    pub errors: FormErrors,
}

/// `POST /datasets/{slug}/comments`
pub async fn comment(
    state: web::Data<AppState>,
    viewer: Viewer,
    session: Session,
    slug: web::Path<String>,
    pairs: CsrfPairs,
) -> Result<HttpResponse, AppError> {
    let user = viewer.require_user()?.user.clone();
    let slug = slug.into_inner();
    let (body, actor, now) = (pairs.get("body"), viewer.actor(), state.clock.now());
    let (s, b) = (slug.clone(), body.clone());
    match state
        .db(move |c| Ok(service::comment(c, &user, &s, &b, now, &actor)))
        .await?
    {
        Ok((d, c)) => {
            set_flash(&session, &viewer.lang.t("public-comment-posted"));
            Ok(see_other(&format!("/datasets/{}#comment-{}", d.slug, c.id)))
        }
        Err(SocialError::Invalid(field, message)) => {
            let mut errors = FormErrors::new();
            errors.add(field, message);
            render_with_status(
                StatusCode::BAD_REQUEST,
                &CommentPage {
                    layout: Layout::new(
                        &state,
                        &viewer,
                        viewer.lang.t("public-comment-title"),
                        NAV_NONE,
                    ),
                    slug,
                    body,
                    errors,
                },
            )
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /comments/{id}/report`: hidden until the department or an administrator reviews it.
pub async fn report(
    state: web::Data<AppState>,
    viewer: Viewer,
    session: Session,
    id: web::Path<String>,
    _csrf: CsrfPairs,
) -> Result<HttpResponse, AppError> {
    viewer.require_user()?;
    let id = path_id(&id)?;
    let (actor, now) = (viewer.actor(), state.clock.now());
    let d = state
        .db(move |c| Ok(service::report(c, id, now, &actor)))
        .await?
        .map_err(AppError::from)?;
    set_flash(&session, &viewer.lang.t("public-comment-reported"));
    Ok(see_other(&format!("/datasets/{}#comments", d.slug)))
}

/// `POST /comments/{id}/moderate`: `action` = restore (a reported one) or remove.
pub async fn moderate(
    state: web::Data<AppState>,
    viewer: Viewer,
    session: Session,
    id: web::Path<String>,
    pairs: CsrfPairs,
) -> Result<HttpResponse, AppError> {
    let user = viewer.require_user()?.user.clone();
    let id = path_id(&id)?;
    let (action, actor, now) = (pairs.get("action"), viewer.actor(), state.clock.now());
    let back = if user.role == crate::domain::Role::Admin {
        "/admin/comments"
    } else {
        "/console/comments"
    };
    let a = action.clone();
    state
        .db(move |c| Ok(service::moderate(c, &user, id, &a, now, &actor)))
        .await?
        .map_err(AppError::from)?;
    set_flash(
        &session,
        &viewer.lang.t(if action == "restore" {
            "console-reported-restored"
        } else {
            "console-reported-removed"
        }),
    );
    Ok(see_other(back))
}

#[derive(Template)]
#[template(path = "social/reported.html")]
pub struct ReportedPage {
    pub layout: Layout,
    pub comments: Vec<(Comment, String, String)>,
}

/// `GET /console/comments`: reported comments on the department's datasets.
pub async fn console_reported(
    state: web::Data<AppState>,
    viewer: Viewer,
) -> Result<web::Html, AppError> {
    viewer.require_publisher()?;
    reported(&state, &viewer, NAV_CONSOLE).await
}

/// `GET /admin/comments`: every reported comment.
pub async fn admin_reported(
    state: web::Data<AppState>,
    viewer: Viewer,
) -> Result<web::Html, AppError> {
    viewer.require_admin()?;
    reported(&state, &viewer, crate::web::layout::NAV_ADMIN).await
}

async fn reported(
    state: &AppState,
    viewer: &Viewer,
    nav: crate::web::layout::Nav,
) -> Result<web::Html, AppError> {
    let user = viewer.require_user()?.user.clone();
    let comments = state.db(move |c| Ok(service::reported(c, &user)?)).await?;
    render(&ReportedPage {
        layout: Layout::new(state, viewer, viewer.lang.t("console-reported"), nav),
        comments,
    })
}
