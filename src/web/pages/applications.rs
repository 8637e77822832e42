//! Conditional access on the web: the application form, the applicant's list, and the review
//! queue of the dataset's department (publishers of it, or administrators).

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::NaiveDate;

use super::{render, render_with_status, see_other};
use crate::domain::Role;
use crate::services::accounts::User;
use crate::services::application_views::{self as views, Dataset, Row, Thread};
use crate::services::applications::{
    self as service, ApplicationError, ApplicationForm, Approval, MAX_PERIOD_DAYS,
};
use crate::web::auth::{CsrfForm, CsrfPairs, Viewer, set_flash};
use crate::web::forms::{EmptyForm, FormErrors, path_id};
use crate::web::layout::{Layout, NAV_ACCOUNT, NAV_CONSOLE};
use crate::web::{AppError, AppState};

fn errors_of(list: Vec<(&'static str, String)>) -> FormErrors {
    let mut errors = FormErrors::new();
    for (k, m) in list {
        if !errors.has(k) {
            errors.add(k, m);
        }
    }
    errors
}

/// Inside `state.db`: a database failure is the closure's error (a 500 or 503, logged), any
/// other outcome goes back to the handler.
fn outcome<T>(r: Result<T, ApplicationError>) -> Result<Result<T, ApplicationError>, AppError> {
    match r {
        Err(e @ ApplicationError::Database(_)) => Err(e.into()),
        other => Ok(other),
    }
}

/// A dataset's title as the page's language shows it: the English one when there is one.
fn layout_title(viewer: &Viewer, title: &str, title_en: &Option<String>) -> String {
    match (viewer.lang, title_en.as_deref().map(str::trim)) {
        (crate::i18n::Lang::En, Some(t)) if !t.is_empty() => t.to_owned(),
        _ => title.to_owned(),
    }
}

#[derive(Template)]
#[template(path = "applications/apply.html")]
pub struct ApplyPage {
    pub layout: Layout,
    pub dataset: Dataset,
    pub fields: Vec<String>,
    pub form: ApplicationForm,
    pub errors: FormErrors,
    pub verified: bool,
    pub max_period: i32,
    pub due_if_today: NaiveDate,
}

impl ApplyPage {
    fn chosen(&self, f: &str) -> bool {
        self.form.fields.iter().any(|x| x == f)
    }

    /// "1 至 365 天".
    fn period_hint(&self) -> String {
        self.layout
            .lang
            .t_args("account-period-hint", &[("max", self.max_period.into())])
    }
}

async fn apply_page(
    state: &AppState,
    viewer: &Viewer,
    slug: String,
    form: ApplicationForm,
    errors: FormErrors,
) -> Result<ApplyPage, AppError> {
    let user = viewer.require_user()?.user.clone();
    let today = state.clock.today();
    let (dataset, fields, due) = state
        .db(move |c| outcome(views::apply_form(c, &slug, today)))
        .await?
        .map_err(AppError::from)?;
    Ok(ApplyPage {
        layout: Layout::new(
            state,
            viewer,
            viewer.lang.t_args(
                "account-apply-title",
                &[(
                    "title",
                    layout_title(viewer, &dataset.title, &dataset.title_en).into(),
                )],
            ),
            crate::web::layout::NAV_CATALOG,
        ),
        verified: user.status == crate::domain::AccountStatus::Verified
            || state.settings.auth.allow_unverified_applications,
        dataset,
        fields,
        form,
        errors,
        max_period: MAX_PERIOD_DAYS,
        due_if_today: due,
    })
}

/// `GET /datasets/{slug}/apply`
pub async fn apply_form(
    state: web::Data<AppState>,
    viewer: Viewer,
    slug: web::Path<String>,
) -> Result<web::Html, AppError> {
    let form = ApplicationForm {
        access_mode: "download".into(),
        period_days: "30".into(),
        ..ApplicationForm::default()
    };
    render(&apply_page(&state, &viewer, slug.into_inner(), form, FormErrors::new()).await?)
}

/// `POST /datasets/{slug}/apply`: a urlencoded form, or multipart with an optional PDF
/// (`file`, up to 10 MB, checked to start as a PDF does).
pub async fn apply_submit(
    state: web::Data<AppState>,
    viewer: Viewer,
    session: Session,
    req: actix_web::HttpRequest,
    slug: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let user = viewer.require_user()?.user.clone();
    let slug = slug.into_inner();
    let mut errors = FormErrors::new();
    let (pairs, file) = super::form_with_file(
        &state,
        &viewer,
        &req,
        payload,
        service::MAX_ATTACHMENT,
        &mut errors,
    )
    .await?;
    let form = ApplicationForm {
        purpose: pairs.get("purpose"),
        scenario: pairs.get("scenario"),
        fields: pairs.all("fields"),
        access_mode: pairs.get("access_mode"),
        period_days: pairs.get("period_days"),
        security_measures: pairs.get("security_measures"),
        undertaking: pairs.get("undertaking") == "yes",
    };
    if let Some(f) = &file
        && !f.head.starts_with(b"%PDF-")
    {
        errors.add("file", viewer.lang.t("account-error-pdf"));
    }
    // Everything is checked before the attachment is kept: a refused application leaves no file.
    let (f, s) = (form.clone(), slug.clone());
    let allow = state.settings.auth.allow_unverified_applications;
    let checked = {
        let user = user.clone();
        state
            .db(move |c| outcome(service::check_application(c, &user, &s, &f, allow)))
            .await?
    };
    match checked {
        Err(ApplicationError::Invalid(list)) => {
            for (k, m) in list {
                if !errors.has(k) {
                    errors.add(k, m);
                }
            }
        }
        Err(e) => return Err(e.into()),
        Ok(()) => {}
    }
    if !errors.is_empty() {
        let page = apply_page(&state, &viewer, slug, form, errors).await?;
        return render_with_status(StatusCode::BAD_REQUEST, &page);
    }
    let attachment = match file {
        Some(received) => {
            // i18n: a stored file name, data
            let (key, name, size) = super::keep_file(&state, received, "附件.pdf").await?;
            Some(service::Attachment { key, name, size })
        }
        None => None,
    };
    let (f, s, actor, now) = (
        form.clone(),
        slug.clone(),
        viewer.actor(),
        state.clock.now(),
    );
    let result = state
        .db(move |c| {
            let submission = service::Submission {
                form: &f,
                attachment: attachment.as_ref(),
                allow_unverified: allow,
            };
            outcome(service::submit(c, &user, &s, submission, now, &actor))
        })
        .await?;
    match result {
        Ok(a) => {
            set_flash(
                &session,
                &viewer.lang.t_args(
                    "account-applied",
                    &[
                        ("id", a.id.to_string().into()),
                        ("due", a.due_on.to_string().into()),
                    ],
                ),
            );
            Ok(see_other("/account/applications"))
        }
        Err(ApplicationError::Invalid(list)) => {
            let page = apply_page(&state, &viewer, slug, form, errors_of(list)).await?;
            render_with_status(StatusCode::BAD_REQUEST, &page)
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /account/applications/{id}/attachment` (the applicant) and
/// `GET /console/applications/{id}/attachment` (a reviewer): the PDF, if any.
pub async fn attachment(
    state: web::Data<AppState>,
    viewer: Viewer,
    req: actix_web::HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let user = viewer.require_user()?.user.clone();
    let id = path_id(&id)?;
    let found = state
        .db(move |c| Ok(views::attachment(c, &user, id)?))
        .await?
        .ok_or(AppError::NotFound)?;
    let (key, name) = found;
    let path = state.store.path(&key).ok_or(AppError::NotFound)?;
    let file = actix_files::NamedFile::open_async(&path)
        .await
        .map_err(|_| AppError::NotFound)?
        .set_content_type(mime::APPLICATION_PDF)
        .set_content_disposition(crate::web::downloads::disposition(
            &name,
            format!("application-{id}.pdf"),
        ));
    Ok(file.into_response(&req))
}

#[derive(Template)]
#[template(path = "applications/mine.html")]
pub struct MinePage {
    pub layout: Layout,
    pub rows: Vec<Row>,
}

/// `GET /account/applications`
pub async fn mine(state: web::Data<AppState>, viewer: Viewer) -> Result<web::Html, AppError> {
    let user_id = viewer.require_user()?.user.id;
    let today = state.clock.today();
    let rows = state
        .db(move |c| Ok(views::mine(c, user_id, today)?))
        .await?;
    render(&MinePage {
        layout: Layout::new(
            &state,
            &viewer,
            viewer.lang.t("account-applications"),
            NAV_ACCOUNT,
        ),
        rows,
    })
}

/// `POST /account/applications/{id}/withdraw`
pub async fn withdraw(
    state: web::Data<AppState>,
    viewer: Viewer,
    session: Session,
    id: web::Path<String>,
    _csrf: CsrfPairs,
) -> Result<HttpResponse, AppError> {
    let user = viewer.require_user()?.user.clone();
    let id = path_id(&id)?;
    let (actor, now) = (viewer.actor(), state.clock.now());
    state
        .db(move |c| outcome(service::withdraw(c, &user, id, now, &actor)))
        .await?
        .map_err(AppError::from)?;
    set_flash(&session, &viewer.lang.t("account-withdrawn"));
    Ok(see_other("/account/applications"))
}

/// The reviewer: a publisher (of some department) or an administrator.
fn reviewer(viewer: &Viewer) -> Result<User, AppError> {
    let u = viewer.require_user()?;
    match u.user.role {
        Role::Admin => Ok(u.user.clone()),
        Role::Publisher if u.user.department_id.is_some() => Ok(u.user.clone()),
        _ => Err(AppError::Forbidden(viewer.lang.t("account-reviewers-only"))),
    }
}

#[derive(Template)]
#[template(path = "applications/queue.html")]
pub struct QueuePage {
    pub layout: Layout,
    pub rows: Vec<Row>,
}

/// `GET /console/applications`: applications for the reviewer's datasets, the earliest due
/// first, overdue ones marked.
pub async fn queue(state: web::Data<AppState>, viewer: Viewer) -> Result<web::Html, AppError> {
    let user = reviewer(&viewer)?;
    let today = state.clock.today();
    let rows = state
        .db(move |c| Ok(views::queue(c, &user, today)?))
        .await?;
    render(&QueuePage {
        layout: Layout::new(&state, &viewer, viewer.lang.t("account-queue"), NAV_CONSOLE),
        rows,
    })
}

#[derive(Template)]
#[template(path = "applications/review.html")]
pub struct ReviewPage {
    pub layout: Layout,
    pub row: Row,
    /// The grant's uses (downloads, API calls), newest first: (when, channel, what).
    pub uses: Vec<(chrono::NaiveDateTime, &'static str, String)>,
    pub thread: Thread,
    pub requested: Vec<String>,
    pub approval: Approval,
    pub reason: String,
    pub errors: FormErrors,
}

impl ReviewPage {
    fn approved(&self, f: &str) -> bool {
        self.approval.fields.iter().any(|x| x == f)
    }

    /// "不超过申请的 30 天".
    fn period_hint(&self) -> String {
        self.layout.lang.t_args(
            "account-approve-period-hint",
            &[("days", self.row.application.period_days.into())],
        )
    }
}

async fn review_page(
    state: &AppState,
    viewer: &Viewer,
    id: i32,
    approval: Option<Approval>,
    reason: String,
    errors: FormErrors,
) -> Result<ReviewPage, AppError> {
    let user = reviewer(viewer)?;
    let today = state.clock.today();
    let views::Review { row, thread, uses } = state
        .db(move |c| Ok(views::review(c, &user, id, today)?))
        .await?
        // Another department's application is as invisible as a missing one.
        .ok_or(AppError::NotFound)?;
    let requested = row.application.field_names();
    let approval = approval.unwrap_or_else(|| Approval {
        fields: requested.clone(),
        period_days: row.application.period_days.to_string(),
        quota: String::new(),
    });
    Ok(ReviewPage {
        layout: Layout::new(
            state,
            viewer,
            viewer.lang.t_args(
                "account-review-title",
                &[("id", row.application.id.to_string().into())],
            ),
            NAV_CONSOLE,
        ),
        row,
        thread,
        uses,
        requested,
        approval,
        reason,
        errors,
    })
}

#[derive(Template)]
#[template(path = "applications/show.html")]
pub struct ShowPage {
    pub layout: Layout,
    pub row: Row,
    pub thread: Thread,
}

/// `GET /account/applications/{id}`: the applicant's own application, its grant and the
/// conversation with the department.
pub async fn show(
    state: web::Data<AppState>,
    viewer: Viewer,
    id: web::Path<String>,
) -> Result<web::Html, AppError> {
    let user_id = viewer.require_user()?.user.id;
    let id = path_id(&id)?;
    let today = state.clock.today();
    let (row, thread) = state
        .db(move |c| Ok(views::own(c, user_id, id, today)?))
        .await?
        .ok_or(AppError::NotFound)?;
    render(&ShowPage {
        layout: Layout::new(
            &state,
            &viewer,
            viewer.lang.t_args(
                "account-show-title",
                &[("id", row.application.id.to_string().into())],
            ),
            NAV_ACCOUNT,
        ),
        row,
        thread,
    })
}

/// `POST /account/applications/{id}/comments` (the applicant) and
/// `POST /console/applications/{id}/comments` (a reviewer): adds to the conversation.
pub async fn comment(
    state: web::Data<AppState>,
    viewer: Viewer,
    session: Session,
    req: actix_web::HttpRequest,
    id: web::Path<String>,
    pairs: CsrfPairs,
) -> Result<HttpResponse, AppError> {
    let user = viewer.require_user()?.user.clone();
    let id = path_id(&id)?;
    let (actor, now, body) = (viewer.actor(), state.clock.now(), pairs.get("body"));
    state
        .db(move |c| outcome(service::comment(c, &user, id, &body, now, &actor)))
        .await?
        .map_err(AppError::from)?;
    set_flash(&session, &viewer.lang.t("account-comment-sent"));
    let back = if req.path().starts_with("/console/") {
        format!("/console/applications/{id}")
    } else {
        format!("/account/applications/{id}")
    };
    Ok(see_other(&back))
}

/// `GET /console/applications/{id}`
pub async fn review(
    state: web::Data<AppState>,
    viewer: Viewer,
    id: web::Path<String>,
) -> Result<web::Html, AppError> {
    let id = path_id(&id)?;
    render(&review_page(&state, &viewer, id, None, String::new(), FormErrors::new()).await?)
}

/// `POST /console/applications/{id}/decide`: `decision=approve` (fields, period, quota) or
/// `decision=reject` (reason).
pub async fn decide(
    state: web::Data<AppState>,
    viewer: Viewer,
    session: Session,
    id: web::Path<String>,
    pairs: CsrfPairs,
) -> Result<HttpResponse, AppError> {
    let user = reviewer(&viewer)?;
    let id = path_id(&id)?;
    let (actor, now) = (viewer.actor(), state.clock.now());
    let approval = Approval {
        fields: pairs.all("fields"),
        period_days: pairs.get("period_days"),
        quota: pairs.get("quota"),
    };
    let reason = pairs.get("reason");
    let decision = pairs.get("decision");
    let lang = viewer.lang;
    let (a, r) = (approval.clone(), reason.clone());
    let result = state
        .db(move |c| {
            outcome(match decision.as_str() {
                "approve" => service::approve(c, &user, id, &a, now, &actor)
                    .map(|_| "account-decided-approved"),
                "reject" => service::reject(c, &user, id, &r, now, &actor)
                    .map(|_| "account-decided-rejected"),
                _ => Err(ApplicationError::Invalid(vec![(
                    "decision",
                    lang.t("account-error-decision"),
                )])),
            })
        })
        .await?;
    match result {
        Ok(done) => {
            set_flash(
                &session,
                &viewer.lang.t_args(
                    "account-decided",
                    &[
                        ("id", id.to_string().into()),
                        ("done", viewer.lang.t(done).into()),
                    ],
                ),
            );
            Ok(see_other(&format!("/console/applications/{id}")))
        }
        Err(ApplicationError::Invalid(list)) => {
            let page =
                review_page(&state, &viewer, id, Some(approval), reason, errors_of(list)).await?;
            render_with_status(StatusCode::BAD_REQUEST, &page)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "applications/inbox.html")]
pub struct InboxPage {
    pub layout: Layout,
    pub messages: Vec<service::Notification>,
}

impl InboxPage {
    pub fn any_unread(&self) -> bool {
        self.messages.iter().any(|n| n.read_at.is_none())
    }
}

/// `GET /account/inbox`: the user's messages, newest first (a GET changes nothing: they are
/// marked read with the form that posts to [`mark_inbox_read`]).
pub async fn inbox(state: web::Data<AppState>, viewer: Viewer) -> Result<web::Html, AppError> {
    let user_id = viewer.require_user()?.user.id;
    let messages = state.db(move |c| Ok(service::inbox(c, user_id)?)).await?;
    render(&InboxPage {
        layout: Layout::new(&state, &viewer, viewer.lang.t("account-inbox"), NAV_ACCOUNT),
        messages,
    })
}

/// `POST /account/inbox/read`: marks every message read.
pub async fn mark_inbox_read(
    state: web::Data<AppState>,
    viewer: Viewer,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> Result<HttpResponse, AppError> {
    let user_id = viewer.require_user()?.user.id;
    let now = state.clock.now();
    state
        .db(move |c| Ok(service::mark_inbox_read(c, user_id, now)?))
        .await?;
    Ok(see_other("/account/inbox"))
}

/// `POST /console/grants/{id}/revoke` (reason required).
pub async fn revoke(
    state: web::Data<AppState>,
    viewer: Viewer,
    session: Session,
    id: web::Path<String>,
    pairs: CsrfPairs,
) -> Result<HttpResponse, AppError> {
    let user = reviewer(&viewer)?;
    let id = path_id(&id)?;
    let (actor, now, reason) = (viewer.actor(), state.clock.now(), pairs.get("reason"));
    let application = state
        .db(move |c| outcome(service::revoke(c, &user, id, &reason, now, &actor)))
        .await?;
    match application {
        Ok(a) => {
            set_flash(&session, &viewer.lang.t("account-revoked"));
            Ok(see_other(&format!("/console/applications/{a}")))
        }
        Err(e) => Err(e.into()),
    }
}
