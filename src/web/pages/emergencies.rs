//! The emergency zone: `/emergencies` (active first, then the archive), an event page with its
//! latest figures, a chart per indicator drawn on the server, the timeline and linked datasets;
//! the page's Server-Sent Events (`/live`) and Atom feeds.

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

// One module per job: the feeds, the departments' console, the administrators' page.
pub mod admin;
pub mod console;
pub mod feed;

use super::render;
use crate::services::emergencies::{self, EventPage, EventSummary, Series, UpdateView};
use crate::web::auth::Viewer;
use crate::web::charts::{LineChart, line_chart};
use crate::web::layout::{Layout, NAV_NONE};
use crate::web::{AppError, AppState};

#[derive(Template)]
#[template(path = "emergencies/index.html")]
pub struct IndexPage {
    pub layout: Layout,
    pub active: Vec<EventSummary>,
    pub closed: Vec<EventSummary>,
}

pub async fn index(state: web::Data<AppState>, viewer: Viewer) -> Result<web::Html, AppError> {
    let now = state.clock.now();
    let all = state.db(move |c| Ok(emergencies::list(c, now)?)).await?;
    let (active, closed) = all.into_iter().partition(|e| e.is_active());
    render(&IndexPage {
        layout: Layout::new(&state, &viewer, viewer.lang.t("em-title"), NAV_NONE),
        active,
        closed,
    })
}

#[derive(Template)]
#[template(path = "emergencies/show.html")]
pub struct ShowPage {
    pub layout: Layout,
    pub s: EventSummary,
    pub series: Vec<(Series, LineChart)>,
    pub updates: Vec<UpdateView>,
    pub datasets: Vec<emergencies::LinkedDataset>,
}

async fn load(state: &AppState, slug: String) -> Result<EventPage, AppError> {
    let now = state.clock.now();
    state
        .db(move |c| Ok(emergencies::page(c, &slug, now)?))
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn show(
    state: web::Data<AppState>,
    viewer: Viewer,
    slug: web::Path<String>,
) -> Result<web::Html, AppError> {
    let page = load(&state, slug.into_inner()).await?;
    let event = &page.summary.event;
    let title = match viewer.lang {
        crate::i18n::Lang::En => event.title_en.clone().filter(|t| !t.trim().is_empty()),
        crate::i18n::Lang::Zh => None,
    }
    .unwrap_or_else(|| event.title.clone());
    render(&ShowPage {
        layout: Layout::new(&state, &viewer, title, NAV_NONE),
        series: page
            .series
            .into_iter()
            .map(|s| {
                let c = line_chart(&s);
                (s, c)
            })
            .collect(),
        s: page.summary,
        updates: page.updates,
        datasets: page.datasets,
    })
}

pub use super::emergency_live::live;

/// `GET /emergencies/{slug}/attachments/{id}`: an update's attachment, public like the event,
/// served with the type told from its bytes when it was received.
pub async fn attachment(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let id = crate::web::forms::path_id(&id)?;
    let a = state
        .db(move |c| Ok(emergencies::public_attachment(c, &slug, id)?))
        .await?
        .ok_or(AppError::NotFound)?;
    let path = state.store.path(&a.file_key).ok_or(AppError::NotFound)?;
    let media_type: mime::Mime = a.media_type.parse().map_err(AppError::internal)?;
    let file = actix_files::NamedFile::open_async(&path)
        .await
        .map_err(|_| AppError::NotFound)?
        .set_content_type(media_type)
        .set_content_disposition(crate::web::downloads::disposition(
            // Idempotent: rows stored before names followed the type are corrected here too.
            &crate::domain::attachment::named_as(&a.file_name, &a.media_type),
            crate::domain::attachment::named_as(&format!("attachment-{}", a.id), &a.media_type),
        ));
    Ok(file.into_response(&req))
}
