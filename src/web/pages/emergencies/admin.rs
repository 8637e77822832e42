//! `/admin/emergencies`: every event, the declaration form and the review of fast tracks.

use actix_web::{HttpResponse, web};
use askama::Template;

use crate::services::emergencies::{self, EventSummary};
use crate::web::auth::Viewer;
use crate::web::layout::Layout;
use crate::web::pages::{render, see_other};
use crate::web::{AppError, AppState};

/// `/admin/emergencies`: every event, and the declaration form.
#[derive(Template)]
#[template(path = "admin/emergencies.html")]
pub struct AdminPage {
    pub layout: Layout,
    pub events: Vec<EventSummary>,
    pub draft: emergencies::EventDraft,
    pub departments: Vec<emergencies::Department>,
    pub categories: &'static [crate::domain::EventCategory],
    pub errors: crate::web::forms::FormErrors,
    /// Fast-tracked publications, those awaiting review first.
    pub fast_tracks: Vec<emergencies::FastTrackView>,
    /// The review note typed for one fast track and why it was refused.
    pub note: (i32, String, Option<String>),
}

impl AdminPage {
    /// What a fast-tracked dataset was before: its open class and status ("有条件开放·草稿").
    pub fn from_label(&self, f: &emergencies::FastTrackView) -> String {
        let lang = self.layout.lang;
        let class = f
            .fast_track
            .from_class
            .parse::<crate::domain::OpenClass>()
            .map(|c| lang.t(&format!("class-{}", c.as_str())))
            .unwrap_or_default();
        let status = f
            .fast_track
            .from_status
            .parse::<crate::domain::DatasetStatus>()
            .map(|s| lang.t(&format!("admin-dataset-{}", s.as_str())))
            .unwrap_or_default();
        format!("{class}·{status}")
    }
}

async fn admin_page(
    state: &AppState,
    viewer: &Viewer,
    draft: emergencies::EventDraft,
    errors: crate::web::forms::FormErrors,
) -> Result<AdminPage, AppError> {
    let now = state.clock.now();
    let emergencies::AdminOverview {
        events,
        departments,
        fast_tracks,
    } = state
        .db(move |c| Ok(emergencies::admin_overview(c, now)?))
        .await?;
    Ok(AdminPage {
        layout: Layout::new(
            state,
            viewer,
            viewer.lang.t("admin-nav-emergencies"),
            crate::web::layout::NAV_ADMIN,
        ),
        events,
        draft,
        departments,
        categories: crate::domain::EventCategory::ALL,
        errors,
        fast_tracks,
        note: (0, String::new(), None),
    })
}

pub async fn index(state: web::Data<AppState>, viewer: Viewer) -> Result<web::Html, AppError> {
    viewer.require_admin()?;
    let draft = emergencies::EventDraft {
        level: "4".into(),
        interval: "120".into(),
        ..Default::default()
    };
    render(&admin_page(&state, &viewer, draft, crate::web::forms::FormErrors::new()).await?)
}

/// `POST /admin/emergencies`: declares an event.
pub async fn declare(
    state: web::Data<AppState>,
    viewer: Viewer,
    session: actix_session::Session,
    crate::web::auth::CsrfForm(draft): crate::web::auth::CsrfForm<emergencies::EventDraft>,
) -> Result<HttpResponse, AppError> {
    viewer.require_admin()?;
    let actor = viewer.actor();
    let now = state.clock.now();
    let kept = draft.clone();
    let result = state
        .db(move |c| Ok(emergencies::declare(c, &draft, now, &actor)?))
        .await?;
    match result {
        Ok(event) => {
            state
                .active_emergencies
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            crate::web::auth::set_flash(&session, &viewer.lang.t("admin-em-declared"));
            Ok(see_other(&format!("/emergencies/{}", event.slug)))
        }
        Err(fields) => {
            let errors = crate::web::forms::FormErrors::from_list(fields);
            crate::web::pages::render_with_status(
                actix_web::http::StatusCode::BAD_REQUEST,
                &admin_page(&state, &viewer, kept, errors).await?,
            )
        }
    }
}

/// `POST /admin/emergencies/fast-tracks/{id}/review`: an administrator reviews a fast-tracked
/// publication afterwards.
pub async fn review(
    state: web::Data<AppState>,
    viewer: Viewer,
    session: actix_session::Session,
    id: web::Path<String>,
    pairs: crate::web::auth::CsrfPairs,
) -> Result<HttpResponse, AppError> {
    viewer.require_admin()?;
    let id = crate::web::forms::path_id(&id)?;
    let (actor, now, note) = (viewer.actor(), state.clock.now(), pairs.get("note"));
    let kept = note.clone();
    let result = state
        .db(move |c| {
            Ok(
                match emergencies::review_fast_track(c, &actor, id, &note, now) {
                    Err(e @ emergencies::ReviewError::Database(_)) => return Err(e.into()),
                    other => other,
                },
            )
        })
        .await?;
    match result {
        Ok(_) => {
            crate::web::auth::set_flash(&session, &viewer.lang.t("admin-ft-saved"));
            Ok(see_other("/admin/emergencies#fast-tracks"))
        }
        Err(emergencies::ReviewError::Invalid(message)) => {
            let errors = crate::web::forms::FormErrors::new();
            let draft = emergencies::EventDraft {
                level: "4".into(),
                interval: "120".into(),
                ..Default::default()
            };
            let mut page = admin_page(&state, &viewer, draft, errors).await?;
            page.note = (id, kept, Some(message));
            crate::web::pages::render_with_status(actix_web::http::StatusCode::BAD_REQUEST, &page)
        }
        Err(e) => Err(e.into()),
    }
}
