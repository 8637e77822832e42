//! Data requests (开放需求): the public list, filing and voting, the administrators' routing and
//! the departments' answers.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::{render, render_with_status, see_other};
use crate::services::requests::{
    self as service, Department, RequestError, RequestForm, RequestView,
};
use crate::web::auth::{CsrfPairs, Viewer, set_flash};
use crate::web::forms::{FormErrors, path_id};
use crate::web::layout::{Layout, NAV_ADMIN, NAV_CONSOLE, NAV_NONE};
use crate::web::{AppError, AppState};

#[derive(Template)]
#[template(path = "requests/index.html")]
pub struct IndexPage {
    pub layout: Layout,
    pub requests: Vec<RequestView>,
    pub logged_in: bool,
}

/// `GET /requests`
pub async fn index(state: web::Data<AppState>, viewer: Viewer) -> Result<web::Html, AppError> {
    let today = state.clock.today();
    let requests = state.db(move |c| Ok(service::list(c, today)?)).await?;
    render(&IndexPage {
        layout: Layout::new(
            &state,
            &viewer,
            viewer.lang.t("public-requests-title"),
            NAV_NONE,
        ),
        requests,
        logged_in: viewer.user.is_some(),
    })
}

#[derive(Template)]
#[template(path = "requests/new.html")]
pub struct NewPage {
    pub layout: Layout,
    pub form: RequestForm,
    pub departments: Vec<Department>,
    pub errors: FormErrors,
}

async fn new_page(
    state: &AppState,
    viewer: &Viewer,
    form: RequestForm,
    errors: FormErrors,
) -> Result<NewPage, AppError> {
    let departments = state.db(|c| Ok(service::departments(c)?)).await?;
    Ok(NewPage {
        layout: Layout::new(
            state,
            viewer,
            viewer.lang.t("public-requests-new"),
            NAV_NONE,
        ),
        form,
        departments,
        errors,
    })
}

/// `GET /requests/new`
pub async fn new(state: web::Data<AppState>, viewer: Viewer) -> Result<web::Html, AppError> {
    viewer.require_user()?;
    render(&new_page(&state, &viewer, RequestForm::default(), FormErrors::new()).await?)
}

/// `POST /requests/new`
pub async fn create(
    state: web::Data<AppState>,
    viewer: Viewer,
    session: Session,
    crate::web::auth::CsrfForm(form): crate::web::auth::CsrfForm<RequestForm>,
) -> Result<HttpResponse, AppError> {
    let user = viewer.require_user()?.user.clone();
    let (f, actor, now) = (form.clone(), viewer.actor(), state.clock.now());
    let result = state
        .db(move |c| Ok(service::submit(c, &user, &f, now, &actor)))
        .await?;
    match result {
        Ok(r) => {
            set_flash(&session, &viewer.lang.t("public-requests-submitted"));
            Ok(see_other(&format!("/requests/{}", r.id)))
        }
        Err(RequestError::Invalid(list)) => render_with_status(
            StatusCode::BAD_REQUEST,
            &new_page(&state, &viewer, form, FormErrors::from_list(list)).await?,
        ),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "requests/show.html")]
pub struct ShowPage {
    pub layout: Layout,
    pub r: RequestView,
    /// None when not logged in; otherwise whether this account voted.
    pub voted: Option<bool>,
}

/// `GET /requests/{id}`
pub async fn show(
    state: web::Data<AppState>,
    viewer: Viewer,
    id: web::Path<String>,
) -> Result<web::Html, AppError> {
    let id = path_id(&id)?;
    let today = state.clock.today();
    let user = viewer.user.as_ref().map(|u| u.user.id);
    let (r, voted) = state
        .db(move |c| Ok(service::one_for(c, id, today, user)?))
        .await?
        .ok_or(AppError::NotFound)?;
    render(&ShowPage {
        layout: Layout::new(&state, &viewer, r.request.title.clone(), NAV_NONE),
        r,
        voted,
    })
}

/// `POST /requests/{id}/vote`: "I need this too".
pub async fn vote(
    state: web::Data<AppState>,
    viewer: Viewer,
    session: Session,
    id: web::Path<String>,
    _csrf: CsrfPairs,
) -> Result<HttpResponse, AppError> {
    let user = viewer.require_user()?.user.clone();
    let id = path_id(&id)?;
    let now = state.clock.now();
    let counted = state
        .db(move |c| Ok(service::vote(c, &user, id, now)))
        .await?
        .map_err(AppError::from)?;
    set_flash(
        &session,
        &viewer.lang.t(if counted {
            "public-requests-vote-counted"
        } else {
            "public-requests-vote-again"
        }),
    );
    Ok(see_other(&format!("/requests/{id}")))
}

/// A refused action on a list page: which request, what was typed, what was wrong.
#[derive(Default)]
pub struct Refused {
    pub id: i32,
    pub input: Vec<(String, String)>,
    pub errors: FormErrors,
}

impl Refused {
    pub fn typed(&self, id: &i32, key: &str) -> String {
        if self.id != *id {
            return String::new();
        }
        CsrfPairs(self.input.clone()).get(key)
    }
    pub fn error(&self, id: &i32, key: &str) -> Option<String> {
        (self.id == *id).then(|| self.errors.get(key)).flatten()
    }
}

#[derive(Template)]
#[template(path = "admin/requests.html")]
pub struct AdminPage {
    pub layout: Layout,
    pub requests: Vec<RequestView>,
    pub departments: Vec<Department>,
    pub refused: Refused,
    pub answer_days: u32,
}

async fn admin_page(
    state: &AppState,
    viewer: &Viewer,
    refused: Refused,
) -> Result<AdminPage, AppError> {
    let today = state.clock.today();
    let (requests, departments) = state.db(move |c| Ok(service::routing(c, today)?)).await?;
    Ok(AdminPage {
        layout: Layout::new(state, viewer, viewer.lang.t("admin-req-title"), NAV_ADMIN),
        requests,
        departments,
        refused,
        answer_days: state.settings.participation.request_answer_days,
    })
}

/// `GET /admin/requests`
pub async fn admin_index(
    state: web::Data<AppState>,
    viewer: Viewer,
) -> Result<web::Html, AppError> {
    viewer.require_admin()?;
    render(&admin_page(&state, &viewer, Refused::default()).await?)
}

/// `POST /admin/requests/{id}/route`
pub async fn route(
    state: web::Data<AppState>,
    viewer: Viewer,
    session: Session,
    id: web::Path<String>,
    pairs: CsrfPairs,
) -> Result<HttpResponse, AppError> {
    viewer.require_admin()?;
    let id = path_id(&id)?;
    let days = state.settings.participation.request_answer_days;
    let (department, actor, now) = (pairs.get("department"), viewer.actor(), state.clock.now());
    let result = state
        .db(move |c| Ok(service::route(c, id, &department, days, now, &actor)))
        .await?;
    match result {
        Ok(r) => {
            set_flash(
                &session,
                &viewer.lang.t_args(
                    "admin-req-routed-flash",
                    &[(
                        "due",
                        r.due_on.map(|d| d.to_string()).unwrap_or_default().into(),
                    )],
                ),
            );
            Ok(see_other("/admin/requests"))
        }
        Err(RequestError::Invalid(list)) => {
            let refused = Refused {
                id,
                input: pairs.0,
                errors: FormErrors::from_list(list),
            };
            render_with_status(
                StatusCode::BAD_REQUEST,
                &admin_page(&state, &viewer, refused).await?,
            )
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "console/requests.html")]
pub struct ConsolePage {
    pub layout: Layout,
    pub requests: Vec<RequestView>,
    /// The department's public datasets, to link.
    pub datasets: Vec<(String, String)>,
    pub refused: Refused,
}

async fn console_page(
    state: &AppState,
    viewer: &Viewer,
    refused: Refused,
) -> Result<ConsolePage, AppError> {
    let p = viewer.require_publisher()?;
    let today = state.clock.today();
    let (requests, datasets) = state
        .db(move |c| Ok(service::console(c, p.department_id, today)?))
        .await?;
    Ok(ConsolePage {
        layout: Layout::new(
            state,
            viewer,
            viewer.lang.t("console-requests"),
            NAV_CONSOLE,
        ),
        requests,
        datasets,
        refused,
    })
}

/// `GET /console/requests`
pub async fn console_index(
    state: web::Data<AppState>,
    viewer: Viewer,
) -> Result<web::Html, AppError> {
    render(&console_page(&state, &viewer, Refused::default()).await?)
}

/// `POST /console/requests/{id}/{action}`: answer or link.
pub async fn console_act(
    state: web::Data<AppState>,
    viewer: Viewer,
    session: Session,
    path: web::Path<(String, String)>,
    pairs: CsrfPairs,
) -> Result<HttpResponse, AppError> {
    viewer.require_publisher()?;
    let (id, action) = path.into_inner();
    let id = path_id(&id)?;
    if !matches!(action.as_str(), "answer" | "link") {
        return Err(AppError::NotFound);
    }
    let user = viewer.require_user()?.user.clone();
    let (actor, now) = (viewer.actor(), state.clock.now());
    let (a, b) = match action.as_str() {
        "answer" => (pairs.get("outcome"), pairs.get("answer")),
        _ => (pairs.get("dataset"), String::new()),
    };
    let act = action.clone();
    let result = state
        .db(move |c| {
            Ok(if act == "answer" {
                service::answer(c, &user, id, &a, &b, now, &actor)
            } else {
                service::link(c, &user, id, &a, now, &actor)
            })
        })
        .await?;
    match result {
        Ok(_) => {
            set_flash(
                &session,
                &viewer.lang.t(if action == "answer" {
                    "console-request-answered-flash"
                } else {
                    "console-request-linked-flash"
                }),
            );
            Ok(see_other("/console/requests"))
        }
        Err(RequestError::Invalid(list)) => {
            let refused = Refused {
                id,
                input: pairs.0,
                errors: FormErrors::from_list(list),
            };
            render_with_status(
                StatusCode::BAD_REQUEST,
                &console_page(&state, &viewer, refused).await?,
            )
        }
        Err(e) => Err(e.into()),
    }
}
