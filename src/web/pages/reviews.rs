//! Error reviews (复核): the report form on every public dataset, the public status page, and
//! the department's queue in the console.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::{render, render_with_status, see_other};
use crate::services::reviews::{self as service, PublicReview, ReportForm, ReviewError};
use crate::web::auth::{CsrfPairs, Viewer, csrf_token, set_flash};
use crate::web::forms::{FormErrors, path_id};
use crate::web::layout::{Layout, NAV_CONSOLE, NAV_NONE};
use crate::web::{AppError, AppState};

#[derive(Template)]
#[template(path = "reviews/form.html")]
pub struct FormPage {
    pub layout: Layout,
    pub slug: String,
    pub title: String,
    pub title_en: Option<String>,
    pub resources: Vec<(i32, String)>,
    pub form: ReportForm,
    pub errors: FormErrors,
    pub anonymous: bool,
    pub due_on: String,
}

impl FormPage {
    pub fn chose(&self, id: &i32) -> bool {
        self.form.resource == id.to_string()
    }
}

async fn form_page(
    state: &AppState,
    viewer: &Viewer,
    slug: String,
    form: ReportForm,
    errors: FormErrors,
) -> Result<FormPage, AppError> {
    let today = state.clock.today();
    let s = slug.clone();
    let (d, resources, due_on) = state
        .db(move |c| match service::report_form(c, &s, today) {
            Ok(x) => Ok(x),
            Err(e @ ReviewError::Database(_)) => Err(e.into()),
            Err(_) => Err(AppError::NotFound),
        })
        .await?;
    let shown = match viewer.lang {
        crate::i18n::Lang::En => d.title_en.clone().filter(|t| !t.trim().is_empty()),
        crate::i18n::Lang::Zh => None,
    }
    .unwrap_or_else(|| d.title.clone());
    let page_title = viewer
        .lang
        .t_args("public-review-page-title", &[("title", shown.into())]);
    Ok(FormPage {
        layout: Layout::new(state, viewer, page_title, NAV_NONE),
        slug,
        title: d.title,
        title_en: d.title_en,
        resources,
        form,
        errors,
        anonymous: viewer.user.is_none(),
        due_on: crate::web::format::day(&due_on),
    })
}

/// `GET /datasets/{slug}/feedback`
pub async fn form(
    state: web::Data<AppState>,
    viewer: Viewer,
    session: Session,
    slug: web::Path<String>,
) -> Result<web::Html, AppError> {
    let mut page = form_page(
        &state,
        &viewer,
        slug.into_inner(),
        ReportForm::default(),
        FormErrors::new(),
    )
    .await?;
    page.layout.csrf = csrf_token(&session);
    render(&page)
}

/// `POST /datasets/{slug}/feedback`: urlencoded, or multipart with an optional evidence file
/// (PDF, PNG or JPEG up to 5 MB). Anyone may report; without an account, with a contact.
pub async fn submit(
    state: web::Data<AppState>,
    viewer: Viewer,
    session: Session,
    req: HttpRequest,
    slug: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    let mut errors = FormErrors::new();
    let (pairs, file) = super::form_with_file(
        &state,
        &viewer,
        &req,
        payload,
        service::MAX_EVIDENCE,
        &mut errors,
    )
    .await?;
    let form = ReportForm {
        resource: pairs.get("resource"),
        row: pairs.get("row"),
        field: pairs.get("field"),
        description: pairs.get("description"),
        correction: pairs.get("correction"),
        contact: pairs.get("contact"),
    };
    let media_type = file
        .as_ref()
        .map(|f| crate::domain::attachment::media_type(&f.head));
    if media_type == Some(None) {
        errors.add("file", viewer.lang.t("public-review-not-evidence"));
    }
    let user = viewer.user.as_ref().map(|u| u.user.clone());
    let actor = viewer.actor();
    let now = state.clock.now();
    // Checked before the evidence is kept: a refused report leaves no file.
    let checked = {
        let (s, f, user, who) = (slug.clone(), form.clone(), user.clone(), actor.clone());
        state
            .db(move |c| Ok(service::check_report(c, &s, &f, user.as_ref(), now, &who)))
            .await?
    };
    match checked {
        Ok(()) => {}
        Err(ReviewError::Invalid(list)) => {
            errors.extend(list);
        }
        Err(e) => return Err(e.into()),
    }
    if !errors.is_empty() {
        let page = form_page(&state, &viewer, slug, form, errors).await?;
        return render_with_status(StatusCode::BAD_REQUEST, &page);
    }
    let (evidence, added) = match (file, media_type.flatten()) {
        (Some(received), Some(media_type)) => {
            let added =
                !crate::services::emergencies::already_stored(&state.store, &received.sha256);
            // i18n: a stored file's name, data
            let (key, name, _) = super::keep_file(&state, received, "证明材料").await?;
            let evidence = service::Evidence {
                key,
                name,
                media_type,
            };
            (Some(evidence), added)
        }
        _ => (None, false),
    };
    let kept = evidence.as_ref().map(|e| e.key.clone()).filter(|_| added);
    let (s, f) = (slug.clone(), form.clone());
    let result = state
        .db(move |c| {
            Ok(service::submit(
                c,
                &s,
                &f,
                user.as_ref(),
                evidence.as_ref(),
                now,
                &actor,
            ))
        })
        .await;
    // Refused after all (the budget spent meanwhile): the file this request added goes again.
    if !matches!(result, Ok(Ok(_)))
        && let Some(key) = kept
    {
        let store = state.store.clone();
        let forgotten = state
            .db(move |c| Ok(service::forget_evidence(c, &store, &key)?))
            .await;
        if let Err(e) = forgotten {
            tracing::warn!(error = %e, "could not forget refused evidence");
        }
    }
    match result? {
        Ok(r) => {
            set_flash(
                &session,
                &viewer.lang.t_args(
                    "public-review-submitted",
                    &[
                        ("id", r.id.to_string().into()),
                        ("due", r.due_on.to_string().into()),
                    ],
                ),
            );
            Ok(see_other(&format!("/feedback/{}", r.id)))
        }
        Err(ReviewError::Invalid(list)) => {
            let mut errors = FormErrors::new();
            errors.extend(list);
            let page = form_page(&state, &viewer, slug, form, errors).await?;
            render_with_status(StatusCode::BAD_REQUEST, &page)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "reviews/show.html")]
pub struct ShowPage {
    pub layout: Layout,
    pub r: PublicReview,
}

/// `GET /feedback/{id}`: the public status of a report (no reporter, no contact).
pub async fn show(
    state: web::Data<AppState>,
    viewer: Viewer,
    id: web::Path<String>,
) -> Result<web::Html, AppError> {
    let id = path_id(&id)?;
    let today = state.clock.today();
    let r = state
        .db(move |c| Ok(service::public(c, id, today)?))
        .await?
        .ok_or(AppError::NotFound)?;
    render(&ShowPage {
        layout: Layout::new(
            &state,
            &viewer,
            format!("{}{}", viewer.lang.t("public-review-number"), r.review.id),
            NAV_NONE,
        ),
        r,
    })
}

#[derive(Template)]
#[template(path = "console/reviews.html")]
pub struct QueuePage {
    pub layout: Layout,
    pub reviews: Vec<PublicReview>,
}

/// `GET /console/feedback`: the department's reports, open ones by deadline.
pub async fn queue(state: web::Data<AppState>, viewer: Viewer) -> Result<web::Html, AppError> {
    let p = viewer.require_publisher()?;
    let today = state.clock.today();
    let reviews = state
        .db(move |c| Ok(service::queue(c, p.department_id, today)?))
        .await?;
    render(&QueuePage {
        layout: Layout::new(
            &state,
            &viewer,
            viewer.lang.t("console-feedback"),
            NAV_CONSOLE,
        ),
        reviews,
    })
}

#[derive(Template)]
#[template(path = "console/review.html")]
pub struct WorkPage {
    pub layout: Layout,
    pub r: PublicReview,
    /// The reporter as the department may see it: an account's e-mail or the contact given.
    pub reporter: String,
    pub versions: Vec<(i32, String)>,
    pub input: CsrfPairs,
    pub errors: FormErrors,
    pub max_extension: u32,
}

impl WorkPage {
    pub fn typed(&self, key: &str) -> String {
        self.input.get(key)
    }
}

async fn work_page(
    state: &AppState,
    viewer: &Viewer,
    id: i32,
    input: CsrfPairs,
    errors: FormErrors,
) -> Result<WorkPage, AppError> {
    let user = viewer.require_user()?.user.clone();
    let today = state.clock.today();
    let (r, reporter, versions) = state
        .db(move |c| Ok(service::work_view(c, &user, id, today)))
        .await?
        .map_err(AppError::from)?;
    Ok(WorkPage {
        layout: Layout::new(
            state,
            viewer,
            viewer
                .lang
                .t_args("console-review-title", &[("id", r.review.id.into())]),
            NAV_CONSOLE,
        ),
        r,
        reporter,
        versions,
        input,
        errors,
        max_extension: service::MAX_EXTENSION,
    })
}

/// `GET /console/feedback/{id}`
pub async fn work(
    state: web::Data<AppState>,
    viewer: Viewer,
    id: web::Path<String>,
) -> Result<web::Html, AppError> {
    viewer.require_publisher()?;
    let id = path_id(&id)?;
    render(
        &work_page(
            &state,
            &viewer,
            id,
            CsrfPairs(Vec::new()),
            FormErrors::new(),
        )
        .await?,
    )
}

/// `POST /console/feedback/{id}/{action}`: start, extend or answer.
pub async fn act(
    state: web::Data<AppState>,
    viewer: Viewer,
    session: Session,
    path: web::Path<(String, String)>,
    pairs: CsrfPairs,
) -> Result<HttpResponse, AppError> {
    viewer.require_publisher()?;
    let (id, action) = path.into_inner();
    let id = path_id(&id)?;
    let user = viewer.require_user()?.user.clone();
    let (actor, now) = (viewer.actor(), state.clock.now());
    let (a, b, c3) = match action.as_str() {
        "start" => (String::new(), String::new(), String::new()),
        "extend" => (
            pairs.get("days"),
            pairs.get("extension_reason"),
            String::new(),
        ),
        "answer" => (
            pairs.get("outcome"),
            pairs.get("answer"),
            pairs.get("version"),
        ),
        _ => return Err(AppError::NotFound),
    };
    let act = action.clone();
    let result = state
        .db(move |c| {
            Ok(match act.as_str() {
                "start" => service::start(c, &user, id, now, &actor),
                "extend" => service::extend(c, &user, id, &a, &b, now, &actor),
                _ => {
                    let answer = service::Answer {
                        outcome: &a,
                        text: &b,
                        version: &c3,
                    };
                    service::answer(c, &user, id, answer, now, &actor)
                }
            })
        })
        .await?;
    match result {
        Ok(r) => {
            let lang = viewer.lang;
            let message = match action.as_str() {
                "start" => lang.t("console-review-started"),
                "extend" => lang.t_args(
                    "console-review-extended-flash",
                    &[("due", r.deadline().to_string().into())],
                ),
                _ => lang.t("console-review-answered-flash"),
            };
            set_flash(&session, &message);
            Ok(see_other(&format!("/console/feedback/{id}")))
        }
        Err(ReviewError::Invalid(list)) => {
            let mut errors = FormErrors::new();
            errors.extend(list);
            let page = work_page(&state, &viewer, id, pairs, errors).await?;
            render_with_status(StatusCode::BAD_REQUEST, &page)
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /console/feedback/{id}/evidence`: the reporter's file, for the department only.
pub async fn evidence(
    state: web::Data<AppState>,
    viewer: Viewer,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    viewer.require_publisher()?;
    let user = viewer.require_user()?.user.clone();
    let id = path_id(&id)?;
    let r = state
        .db(move |c| Ok(service::workable(c, &user, id).map(|(r, _)| r)))
        .await?
        .map_err(AppError::from)?;
    let (Some(key), Some(name), Some(media_type)) =
        (r.evidence_key, r.evidence_name, r.evidence_type)
    else {
        return Err(AppError::NotFound);
    };
    let path = state.store.path(&key).ok_or(AppError::NotFound)?;
    // Idempotent: reports filed before names followed the type are corrected here too.
    let name = crate::domain::attachment::named_as(&name, &media_type);
    let fallback = crate::domain::attachment::named_as(&format!("evidence-{id}"), &media_type);
    let media_type: mime::Mime = media_type.parse().map_err(AppError::internal)?;
    let file = actix_files::NamedFile::open_async(&path)
        .await
        .map_err(|_| AppError::NotFound)?
        .set_content_type(media_type)
        .set_content_disposition(crate::web::downloads::disposition(&name, fallback));
    Ok(file.into_response(&req))
}
