//! `/account/keys`: the account's API keys.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::services::api_keys::{self, ApiKey};
use crate::web::auth::{CsrfForm, Viewer, set_flash};
use crate::web::forms::{EmptyForm, FormErrors, path_id};
use crate::web::layout::{Layout, NAV_ACCOUNT};
use crate::web::pages::{render, render_with_status, see_other};
use crate::web::{AppError, AppState};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct KeyForm {
    pub name: String,
}

#[derive(Template)]
#[template(path = "account/keys.html")]
pub struct KeysPage {
    pub layout: Layout,
    pub keys: Vec<ApiKey>,
    /// A key just created: shown this once.
    pub new_key: Option<String>,
    /// What was typed as the key's name (not `name`: the field macro has a parameter of that name).
    pub key_name: String,
    pub errors: FormErrors,
}

async fn keys_page(
    state: &AppState,
    viewer: &Viewer,
    new_key: Option<String>,
    key_name: String,
    errors: FormErrors,
) -> Result<KeysPage, AppError> {
    let user_id = viewer.require_user()?.user.id;
    let keys = state.db(move |c| Ok(api_keys::list(c, user_id)?)).await?;
    Ok(KeysPage {
        layout: Layout::new(state, viewer, viewer.lang.t("account-keys"), NAV_ACCOUNT),
        keys,
        new_key,
        key_name,
        errors,
    })
}

pub async fn index(state: web::Data<AppState>, viewer: Viewer) -> Result<web::Html, AppError> {
    render(&keys_page(&state, &viewer, None, String::new(), FormErrors::new()).await?)
}

pub async fn create(
    state: web::Data<AppState>,
    viewer: Viewer,
    CsrfForm(form): CsrfForm<KeyForm>,
) -> Result<HttpResponse, AppError> {
    let user_id = viewer.require_user()?.user.id;
    let (actor, name, now) = (viewer.actor(), form.name.clone(), state.clock.now());
    let created = state
        .db(
            move |c| match api_keys::create(c, user_id, &name, now, &actor) {
                Ok((_, key)) => Ok(Ok(key)),
                Err(e @ api_keys::KeyError::Name) => Ok(Err(e)),
                Err(e) => Err(e.into()),
            },
        )
        .await?;
    match created {
        Ok(key) => {
            let page =
                keys_page(&state, &viewer, Some(key), String::new(), FormErrors::new()).await?;
            render_with_status(StatusCode::CREATED, &page)
        }
        Err(e) => {
            let mut errors = FormErrors::new();
            errors.add("name", e.to_string());
            let page = keys_page(&state, &viewer, None, form.name, errors).await?;
            render_with_status(StatusCode::BAD_REQUEST, &page)
        }
    }
}

pub async fn revoke(
    state: web::Data<AppState>,
    viewer: Viewer,
    session: Session,
    id: web::Path<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> Result<HttpResponse, AppError> {
    let user_id = viewer.require_user()?.user.id;
    let id = path_id(&id)?;
    let (actor, now) = (viewer.actor(), state.clock.now());
    let revoked = state
        .db(move |c| Ok(api_keys::revoke(c, user_id, id, now, &actor)?))
        .await?;
    if !revoked {
        return Err(AppError::NotFound);
    }
    set_flash(&session, &viewer.lang.t("account-key-revoked"));
    Ok(see_other("/account/keys"))
}
