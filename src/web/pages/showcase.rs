//! The showcase (应用展示): the public gallery, the submission form, the screenshots and the
//! administrators' review.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::{render, render_with_status, see_other};
use crate::services::outbound::Outbound;
use crate::services::showcase::{self as service, ItemView, ShowcaseError, ShowcaseForm};
use crate::web::auth::{CsrfPairs, Viewer, set_flash};
use crate::web::forms::{FormErrors, path_id};
use crate::web::layout::{Layout, NAV_ADMIN, NAV_NONE};
use crate::web::{AppError, AppState};

#[derive(Template)]
#[template(path = "showcase/index.html")]
pub struct IndexPage {
    pub layout: Layout,
    pub items: Vec<ItemView>,
    pub logged_in: bool,
}

/// `GET /showcase`
pub async fn index(state: web::Data<AppState>, viewer: Viewer) -> Result<web::Html, AppError> {
    let items = state.db(|c| Ok(service::in_status(c, "approved")?)).await?;
    render(&IndexPage {
        layout: Layout::new(&state, &viewer, viewer.lang.t("footer-showcase"), NAV_NONE),
        items,
        logged_in: viewer.user.is_some(),
    })
}

#[derive(Template)]
#[template(path = "showcase/new.html")]
pub struct NewPage {
    pub layout: Layout,
    pub form: ShowcaseForm,
    pub kinds: &'static [(&'static str, &'static str)],
    pub errors: FormErrors,
}

fn new_page(state: &AppState, viewer: &Viewer, form: ShowcaseForm, errors: FormErrors) -> NewPage {
    NewPage {
        layout: Layout::new(
            state,
            viewer,
            viewer.lang.t("public-showcase-new-title"),
            NAV_NONE,
        ),
        form,
        kinds: service::KINDS,
        errors,
    }
}

/// `GET /showcase/new?dataset=`
pub async fn new(
    state: web::Data<AppState>,
    viewer: Viewer,
    query: web::Query<std::collections::HashMap<String, String>>,
) -> Result<web::Html, AppError> {
    viewer.require_user()?;
    let form = ShowcaseForm {
        kind: "application".into(),
        datasets: query.get("dataset").cloned().unwrap_or_default(),
        ..ShowcaseForm::default()
    };
    render(&new_page(&state, &viewer, form, FormErrors::new()))
}

/// How long a screenshot waits for its turn to be decoded (one of
/// [`service::DECODES_AT_ONCE`]) before the form says the server is busy (503, input kept).
const DECODE_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// The screenshot's header, then (in its turn) its pixels: the shrunk JPEG, or the status and
/// message the form answers with.
async fn shrink(
    received: crate::web::upload::Received,
    lang: crate::i18n::Lang,
) -> Result<Result<Vec<u8>, (StatusCode, String)>, AppError> {
    let Some(path) = received.file.path().map(std::path::Path::to_path_buf) else {
        return Ok(Err((
            StatusCode::BAD_REQUEST,
            lang.t("public-showcase-unreadable"),
        )));
    };
    // Sizes over the cap are refused from the header, without allocating their pixels.
    let header = path.clone();
    if let Err(m) = web::block(move || service::screenshot_size(&header))
        .await
        .map_err(AppError::internal)?
    {
        return Ok(Err((StatusCode::BAD_REQUEST, m)));
    }
    let permit = match tokio::time::timeout(DECODE_WAIT, service::DECODES.acquire()).await {
        Ok(Ok(permit)) => permit,
        _ => {
            return Ok(Err((
                StatusCode::SERVICE_UNAVAILABLE,
                service::BUSY.to_owned(),
            )));
        }
    };
    let shrunk = web::block(move || {
        let _turn = permit;
        let _keep = received;
        service::thumbnail(&path)
    })
    .await
    .map_err(AppError::internal)?;
    Ok(shrunk.map_err(|m| (StatusCode::BAD_REQUEST, m)))
}

/// `POST /showcase/new`: urlencoded, or multipart with a screenshot (`file`, PNG or JPEG up
/// to 5 MB and [`service::MAX_PIXELS`]), resized and re-encoded before it is kept.
///
/// In this order, so that an invalid or over-budget submission costs neither a decode nor a
/// file: the session and the form's token (`form_with_file`), the fields (and the file's first
/// bytes), the account's and the address's daily budget, the image's header, then its pixels
/// (two decodes at a time in the process), and only then the file store. A stored screenshot
/// whose submission then fails is removed again.
pub async fn create(
    state: web::Data<AppState>,
    viewer: Viewer,
    session: Session,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let user = viewer.require_user()?.user.clone();
    let mut errors = FormErrors::new();
    let (pairs, file) = super::form_with_file(
        &state,
        &viewer,
        &req,
        payload,
        service::MAX_SCREENSHOT,
        &mut errors,
    )
    .await?;
    let form = ShowcaseForm {
        title: pairs.get("title"),
        description: pairs.get("description"),
        link: pairs.get("link"),
        kind: pairs.get("kind"),
        datasets: pairs.get("datasets"),
    };
    // Of the screenshot, only its first bytes until the rest is known to be good.
    if file
        .as_ref()
        .is_some_and(|f| !service::looks_like_screenshot(&f.head))
    {
        errors.add("file", viewer.lang.t("public-showcase-not-image"));
    }
    let f = form.clone();
    match state.db(move |c| Ok(service::check(c, &f))).await? {
        Ok(_) => {}
        Err(ShowcaseError::Invalid(list)) => {
            errors.extend(list);
        }
        Err(e) => return Err(e.into()),
    }
    if !errors.is_empty() {
        return render_with_status(
            StatusCode::BAD_REQUEST,
            &new_page(&state, &viewer, form, errors),
        );
    }
    let (u, actor, now) = (user.clone(), viewer.actor(), state.clock.now());
    state
        .db(move |c| Ok(service::within_budget(c, &u, now, &actor)))
        .await?
        .map_err(AppError::from)?;
    let thumbnail = match file {
        Some(received) => match shrink(received, viewer.lang).await? {
            Ok(bytes) => Some(bytes),
            Err((status, m)) => {
                errors.add("file", m);
                return render_with_status(status, &new_page(&state, &viewer, form, errors));
            }
        },
        None => None,
    };
    let kept = match thumbnail {
        Some(bytes) => {
            let store = state.store.clone();
            Some(
                web::block(move || service::keep_screenshot(&store, &bytes))
                    .await
                    .map_err(AppError::internal)?
                    .map_err(AppError::internal)?,
            )
        }
        None => None,
    };
    let key = kept.as_ref().map(|(key, _)| key.clone());
    let (f, actor, now) = (form.clone(), viewer.actor(), state.clock.now());
    let result = state
        .db(move |c| Ok(service::submit(c, &user, &f, key.as_deref(), now, &actor)))
        .await;
    // Refused after all (the budget spent meanwhile, the form no longer valid, the database
    // gone): the screenshot this request added leaves the store again.
    if !matches!(result, Ok(Ok(_)))
        && let Some((key, true)) = kept
    {
        let store = state.store.clone();
        let forgotten = state
            .db(move |c| Ok(service::forget_screenshot(c, &store, &key)?))
            .await;
        if let Err(e) = forgotten {
            tracing::warn!(error = %e, "could not forget a refused screenshot");
        }
    }
    match result? {
        Ok(_) => {
            set_flash(&session, &viewer.lang.t("public-showcase-submitted"));
            Ok(see_other("/showcase"))
        }
        Err(ShowcaseError::Invalid(list)) => {
            let mut errors = FormErrors::new();
            errors.extend(list);
            render_with_status(
                StatusCode::BAD_REQUEST,
                &new_page(&state, &viewer, form, errors),
            )
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /showcase/{id}/screenshot`: public once approved; before that, for the submitter and
/// administrators only.
pub async fn screenshot(
    state: web::Data<AppState>,
    viewer: Viewer,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = path_id(&id)?;
    let user = viewer.user.map(|u| u.user);
    let key = state
        .db(move |c| Ok(service::screenshot_key(c, id, user.as_ref())?))
        .await?
        .ok_or(AppError::NotFound)?;
    let path = state.store.path(&key).ok_or(AppError::NotFound)?;
    let file = actix_files::NamedFile::open_async(&path)
        .await
        .map_err(|_| AppError::NotFound)?
        .set_content_type(mime::IMAGE_JPEG)
        .disable_content_disposition();
    Ok(file.into_response(&req))
}

#[derive(Template)]
#[template(path = "admin/showcase.html")]
pub struct AdminPage {
    pub layout: Layout,
    pub pending: Vec<ItemView>,
    pub approved: Vec<ItemView>,
    /// The item whose rejection was refused, its reason as typed, and why.
    pub refused: (i32, String, String),
}

async fn admin_page(
    state: &AppState,
    viewer: &Viewer,
    refused: (i32, String, String),
) -> Result<AdminPage, AppError> {
    let (pending, approved) = state
        .db(|c| {
            Ok((
                service::in_status(c, "pending")?,
                service::in_status(c, "approved")?,
            ))
        })
        .await?;
    Ok(AdminPage {
        layout: Layout::new(state, viewer, viewer.lang.t("admin-sc-title"), NAV_ADMIN),
        pending,
        approved,
        refused,
    })
}

/// `GET /admin/showcase`
pub async fn admin_index(
    state: web::Data<AppState>,
    viewer: Viewer,
) -> Result<web::Html, AppError> {
    viewer.require_admin()?;
    render(&admin_page(&state, &viewer, (0, String::new(), String::new())).await?)
}

/// `POST /admin/showcase/{id}/decide`
pub async fn decide(
    state: web::Data<AppState>,
    viewer: Viewer,
    session: Session,
    id: web::Path<String>,
    pairs: CsrfPairs,
) -> Result<HttpResponse, AppError> {
    let admin = viewer.require_admin()?.user.clone();
    let id = path_id(&id)?;
    let (decision, reason) = (pairs.get("decision"), pairs.get("reason"));
    let (actor, now, kept) = (viewer.actor(), state.clock.now(), reason.clone());
    let result = state
        .db(move |c| {
            Ok(service::decide(
                c, &admin, id, &decision, &reason, now, &actor,
            ))
        })
        .await?;
    match result {
        Ok(item) => {
            set_flash(
                &session,
                &viewer.lang.t(if item.status == "approved" {
                    "admin-sc-approved-flash"
                } else {
                    "admin-sc-rejected-flash"
                }),
            );
            Ok(see_other("/admin/showcase"))
        }
        Err(ShowcaseError::Invalid(list)) => {
            let message = list
                .into_iter()
                .map(|(_, m)| m)
                .collect::<Vec<_>>()
                .join("；"); // i18n: a separator inside a value
            render_with_status(
                StatusCode::BAD_REQUEST,
                &admin_page(&state, &viewer, (id, kept, message)).await?,
            )
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /admin/showcase/check-links`: checks every approved item's link now.
pub async fn check_links(
    state: web::Data<AppState>,
    viewer: Viewer,
    session: Session,
    _csrf: CsrfPairs,
) -> Result<HttpResponse, AppError> {
    viewer.require_admin()?;
    let now = state.clock.now();
    let (alive, dead) = state
        .db(move |c| Ok(service::check_links(c, &Outbound::new(), now)?))
        .await?;
    set_flash(
        &session,
        &viewer.lang.t_args(
            "admin-sc-checked",
            &[
                ("alive", alive.to_string().into()),
                ("dead", dead.to_string().into()),
            ],
        ),
    );
    Ok(see_other("/admin/showcase"))
}
