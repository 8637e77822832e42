//! `/account/sessions`: where the account is logged in, and ending those sessions.

use actix_session::Session;
use actix_web::{HttpResponse, web};
use askama::Template;

use crate::services::accounts::{self, Session as SessionRow};
use crate::web::auth::{CsrfForm, Viewer, set_flash};
use crate::web::forms::{EmptyForm, path_id};
use crate::web::layout::{Layout, NAV_ACCOUNT};
use crate::web::pages::{render, see_other};
use crate::web::{AppError, AppState};

#[derive(Template)]
#[template(path = "account/sessions.html")]
pub struct SessionsPage {
    pub layout: Layout,
    pub sessions: Vec<SessionRow>,
    pub current: i32,
}

pub async fn index(state: web::Data<AppState>, viewer: Viewer) -> Result<web::Html, AppError> {
    let u = viewer.require_user()?.clone();
    let user_id = u.user.id;
    let since = state.clock.now() - chrono::Duration::days(state.settings.auth.session_idle_days);
    let sessions = state
        .db(move |c| Ok(accounts::sessions_since(c, user_id, since)?))
        .await?;
    render(&SessionsPage {
        layout: Layout::new(
            &state,
            &viewer,
            viewer.lang.t("account-sessions"),
            NAV_ACCOUNT,
        ),
        sessions,
        current: u.session_id,
    })
}

pub async fn end(
    state: web::Data<AppState>,
    viewer: Viewer,
    session: Session,
    id: web::Path<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> Result<HttpResponse, AppError> {
    let u = viewer.require_user()?.clone();
    let id = path_id(&id)?;
    let (actor, now) = (viewer.actor(), state.clock.now());
    let ended = state
        .db(move |c| Ok(accounts::end_session(c, u.user.id, id, now, &actor)?))
        .await?;
    if !ended {
        return Err(AppError::NotFound);
    }
    if id == u.session_id {
        session.purge();
        return Ok(see_other("/login"));
    }
    set_flash(&session, &viewer.lang.t("account-session-ended"));
    Ok(see_other("/account/sessions"))
}

pub async fn end_all(
    state: web::Data<AppState>,
    viewer: Viewer,
    session: Session,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> Result<HttpResponse, AppError> {
    let u = viewer.require_user()?.clone();
    let (actor, now) = (viewer.actor(), state.clock.now());
    state
        .db(move |c| Ok(accounts::logout_everywhere(c, u.user.id, now, &actor)?))
        .await?;
    session.purge();
    Ok(see_other("/login"))
}
