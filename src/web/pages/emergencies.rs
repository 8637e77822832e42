//! The emergency zone: `/emergencies` (active first, then the archive), an event page with its
//! latest figures, a chart per indicator drawn on the server, the timeline and linked datasets;
//! the page's Server-Sent Events (`/live`) and Atom feeds.

use std::fmt::Write as _;
use std::time::Duration;

use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::render;
use crate::services::emergencies::{self, EventPage, EventSummary, LineChart, Series, UpdateView};
use crate::web::auth::Viewer;
use crate::web::format::iso;
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
        layout: Layout::new(&state, &viewer, "突发事件数据专区", NAV_NONE),
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
    render(&ShowPage {
        layout: Layout::new(&state, &viewer, page.summary.event.title.clone(), NAV_NONE),
        series: page
            .series
            .into_iter()
            .map(|s| {
                let c = emergencies::line_chart(&s);
                (s, c)
            })
            .collect(),
        s: page.summary,
        updates: page.updates,
        datasets: page.datasets,
    })
}

/// `GET /emergencies/{slug}/live`: an `update` event whenever an update is posted to this
/// event (in this process), a comment every 15 s to keep proxies from closing the stream.
pub async fn live(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    let known = slug.clone();
    state
        .db(move |c| Ok(crate::db::emergencies::by_slug(c, &known)?))
        .await?
        .ok_or(AppError::NotFound)?;
    let rx = state.live.subscribe();
    let stream =
        futures_util::stream::unfold((rx, slug, true), |(mut rx, slug, first)| async move {
            use tokio::sync::broadcast::error::RecvError;
            if first {
                let hello = Bytes::from_static(b"retry: 5000\n: connected\n\n");
                return Some((Ok::<_, actix_web::Error>(hello), (rx, slug, false)));
            }
            loop {
                match tokio::time::timeout(Duration::from_secs(15), rx.recv()).await {
                    Err(_) => {
                        return Some((
                            Ok(Bytes::from_static(b": keep-alive\n\n")),
                            (rx, slug, false),
                        ));
                    }
                    Ok(Ok(u)) if u.slug == slug => {
                        let msg = format!(
                            "event: update\nid: {}\ndata: {}\n\n",
                            u.update_id, u.update_id
                        );
                        return Some((Ok(Bytes::from(msg)), (rx, slug, false)));
                    }
                    Ok(Ok(_)) => continue,
                    // Missed some: tell the page to refresh anyway.
                    Ok(Err(RecvError::Lagged(_))) => {
                        return Some((
                            Ok(Bytes::from_static(b"event: update\ndata: lagged\n\n")),
                            (rx, slug, false),
                        ));
                    }
                    Ok(Err(RecvError::Closed)) => return None,
                }
            }
        });
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(("cache-control", "no-cache"))
        .insert_header(("x-accel-buffering", "no"))
        .streaming(stream))
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// An Atom entry per update (newest first).
fn entries(out: &mut String, base: &str, e: &EventSummary, updates: &[UpdateView]) {
    for u in updates {
        let mut text = u.update.body.clone();
        for v in &u.values {
            let _ = write!(
                text,
                "\n{}：{} {}",
                v.indicator,
                crate::services::preview::format_number(v.value),
                v.unit
            );
        }
        let _ = write!(
            out,
            "  <entry>\n    <id>{base}/emergencies/{slug}#update-{id}</id>\n    <title>{title}：{when}</title>\n    <updated>{posted}</updated>\n    <link rel=\"alternate\" href=\"{base}/emergencies/{slug}#update-{id}\"/>\n    <author><name>{dept}</name></author>\n    <content type=\"text\">{text}</content>\n  </entry>\n",
            slug = e.event.slug,
            id = u.update.id,
            title = xml(&e.event.title),
            when = crate::web::format::datetime(&u.update.reported_at),
            posted = iso(&u.update.posted_at),
            dept = xml(&e.department),
            text = xml(&text),
        );
    }
}

fn atom(base: &str, id: &str, title: &str, updated: &str, body: &str) -> HttpResponse {
    let doc = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"zh-CN\">\n  <id>{base}{id}</id>\n  <title>{}</title>\n  <updated>{updated}</updated>\n  <link rel=\"self\" href=\"{base}{id}\"/>\n  <author><name>{}</name></author>\n{body}</feed>\n",
        xml(title),
        xml(title),
    );
    HttpResponse::Ok()
        .content_type("application/atom+xml; charset=utf-8")
        .body(doc)
}

/// `GET /emergencies/{slug}/feed.atom`
pub async fn event_feed(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let page = load(&state, slug.into_inner()).await?;
    let base = crate::web::api::read::base_url(&state, &req);
    let mut body = String::new();
    entries(&mut body, &base, &page.summary, &page.updates);
    let updated = page
        .summary
        .last_update
        .unwrap_or(page.summary.event.started_at);
    Ok(atom(
        &base,
        &format!("/emergencies/{}/feed.atom", page.summary.event.slug),
        &page.summary.event.title,
        &iso(&updated),
        &body,
    ))
}

/// `GET /emergencies/feed.atom`: the latest updates of every event.
pub async fn feed(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, AppError> {
    let now = state.clock.now();
    let pages = state
        .db(move |c| {
            let mut pages = Vec::new();
            for e in emergencies::list(c, now)? {
                if let Some(p) = emergencies::page(c, &e.event.slug, now)? {
                    pages.push(p);
                }
            }
            Ok(pages)
        })
        .await?;
    let base = crate::web::api::read::base_url(&state, &req);
    let mut body = String::new();
    let mut updated = None;
    for p in &pages {
        // The twenty latest updates of each event.
        let latest: Vec<UpdateView> = p.updates.iter().take(20).cloned().collect();
        entries(&mut body, &base, &p.summary, &latest);
        updated = updated.max(p.summary.last_update);
    }
    let updated = updated.unwrap_or(now);
    Ok(atom(
        &base,
        "/emergencies/feed.atom",
        &format!("{}：突发事件数据更新", state.settings.site.name),
        &iso(&updated),
        &body,
    ))
}

/// The console list: the events of the publisher's department.
#[derive(Template)]
#[template(path = "console/emergencies.html")]
pub struct ConsoleList {
    pub layout: Layout,
    pub events: Vec<EventSummary>,
}

pub async fn console_index(
    state: web::Data<AppState>,
    viewer: Viewer,
) -> Result<web::Html, AppError> {
    let publisher = viewer.require_publisher()?;
    let now = state.clock.now();
    let events = state
        .db(move |c| Ok(emergencies::list(c, now)?))
        .await?
        .into_iter()
        .filter(|e| e.event.department_id == publisher.department_id)
        .collect();
    render(&ConsoleList {
        layout: Layout::new(
            &state,
            &viewer,
            "突发事件更新",
            crate::web::layout::NAV_CONSOLE,
        ),
        events,
    })
}

/// One indicator row of the console form, as typed.
#[derive(Debug, Clone, Default)]
pub struct Row {
    pub name: String,
    pub value: String,
    pub unit: String,
    pub region: String,
}

/// How many indicator rows the console form offers.
const ROWS: usize = 6;

#[derive(Template)]
#[template(path = "console/emergency.html")]
pub struct ConsoleForm {
    pub layout: Layout,
    pub s: EventSummary,
    pub text: String,
    pub rows: Vec<Row>,
    pub units: &'static [&'static str],
    pub errors: crate::web::forms::FormErrors,
}

impl ConsoleForm {
    pub fn field_id(&self, i: &usize, f: &str) -> String {
        format!("f-indicators[{i}].{f}")
    }
    pub fn error_of(&self, i: &usize, f: &str) -> Option<&String> {
        self.errors.get(&format!("indicators[{i}].{f}"))
    }
}

/// The event, if it belongs to the publisher's department (another department's is a 403).
async fn own_event(
    state: &AppState,
    viewer: &Viewer,
    slug: String,
) -> Result<EventSummary, AppError> {
    let publisher = viewer.require_publisher()?;
    let page = load(state, slug).await?;
    if page.summary.event.department_id != publisher.department_id {
        return Err(AppError::Forbidden(format!(
            "该事件由{}负责，只有其工作人员可以发布更新",
            page.summary.department
        )));
    }
    Ok(page.summary)
}

fn blank_rows() -> Vec<Row> {
    vec![Row::default(); ROWS]
}

pub async fn console_form(
    state: web::Data<AppState>,
    viewer: Viewer,
    slug: web::Path<String>,
) -> Result<web::Html, AppError> {
    let s = own_event(&state, &viewer, slug.into_inner()).await?;
    render(&ConsoleForm {
        layout: Layout::new(
            &state,
            &viewer,
            format!("发布更新：{}", s.event.title),
            crate::web::layout::NAV_CONSOLE,
        ),
        s,
        text: String::new(),
        rows: blank_rows(),
        units: crate::domain::emergency::UNITS,
        errors: crate::web::forms::FormErrors::new(),
    })
}

pub async fn console_post(
    state: web::Data<AppState>,
    viewer: Viewer,
    session: actix_session::Session,
    slug: web::Path<String>,
    crate::web::auth::CsrfPairs(pairs): crate::web::auth::CsrfPairs,
) -> Result<HttpResponse, AppError> {
    let s = own_event(&state, &viewer, slug.into_inner()).await?;
    let get = |k: String| {
        pairs
            .iter()
            .rev()
            .find(|(key, _)| *key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let text = get("text".into());
    let rows: Vec<Row> = (0..ROWS)
        .map(|i| Row {
            name: get(format!("name_{i}")),
            value: get(format!("value_{i}")),
            unit: get(format!("unit_{i}")),
            region: get(format!("region_{i}")),
        })
        .collect();
    // Empty rows are not indicators; their positions stay, so errors point at the right row.
    let filled: Vec<(usize, crate::domain::emergency::ValueInput)> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| !(r.name.trim().is_empty() && r.value.trim().is_empty()))
        .map(|(i, r)| {
            (
                i,
                crate::domain::emergency::ValueInput {
                    name: r.name.clone(),
                    value: r.value.clone(),
                    unit: r.unit.clone(),
                    region: r.region.clone(),
                },
            )
        })
        .collect();
    let values: Vec<_> = filled.iter().map(|(_, v)| v.clone()).collect();
    let user = viewer.require_user()?.user.clone();
    let actor = viewer.actor();
    let now = state.clock.now();
    let slug = s.event.slug.clone();
    let result = state
        .db(move |c| {
            let by_database = emergencies::announced_by_database(c);
            Ok(
                match emergencies::post_update(c, &user, &slug, &text, &values, None, now, &actor) {
                    Ok((e, u)) => Ok((e, u, by_database)),
                    Err(emergencies::EmergencyError::Invalid(fields)) => Err(fields),
                    Err(emergencies::EmergencyError::Closed) => {
                        return Err(AppError::Conflict("该事件已结束，不能再发布更新".into()));
                    }
                    Err(emergencies::EmergencyError::NotFound) => return Err(AppError::NotFound),
                    Err(e @ emergencies::EmergencyError::Forbidden(_)) => {
                        return Err(AppError::Forbidden(e.to_string()));
                    }
                    Err(emergencies::EmergencyError::Database(e)) => return Err(e.into()),
                },
            )
        })
        .await?;
    match result {
        Ok((event, update, by_database)) => {
            emergencies::announce(&state.live, by_database, &event, &update);
            crate::web::auth::set_flash(&session, "更新已发布，事件页面上的读者会立即看到。");
            Ok(super::see_other(&format!(
                "/emergencies/{}#update-{}",
                event.slug, update.id
            )))
        }
        Err(fields) => {
            let mut errors = crate::web::forms::FormErrors::new();
            for (field, message) in fields {
                // `indicators[k]` counts filled rows; the form's rows keep their own numbers.
                let field = match field
                    .strip_prefix("indicators[")
                    .and_then(|r| r.split_once(']'))
                    .and_then(|(k, rest)| Some((k.parse::<usize>().ok()?, rest)))
                {
                    Some((k, rest)) => match filled.get(k) {
                        Some((row, _)) => format!("indicators[{row}]{rest}"),
                        None => "indicators".into(),
                    },
                    None => field,
                };
                errors.add(&field, message);
            }
            let text = pairs
                .iter()
                .rev()
                .find(|(k, _)| k == "text")
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            super::render_with_status(
                actix_web::http::StatusCode::BAD_REQUEST,
                &ConsoleForm {
                    layout: Layout::new(
                        &state,
                        &viewer,
                        format!("发布更新：{}", s.event.title),
                        crate::web::layout::NAV_CONSOLE,
                    ),
                    s,
                    text,
                    rows,
                    units: crate::domain::emergency::UNITS,
                    errors,
                },
            )
        }
    }
}

/// `POST /console/emergencies/{slug}/close`: the event moves to the archive.
pub async fn console_close(
    state: web::Data<AppState>,
    viewer: Viewer,
    session: actix_session::Session,
    slug: web::Path<String>,
    _csrf: crate::web::auth::CsrfPairs,
) -> Result<HttpResponse, AppError> {
    let s = own_event(&state, &viewer, slug.into_inner()).await?;
    let actor = viewer.actor();
    let now = state.clock.now();
    let slug = s.event.slug.clone();
    state
        .db(move |c| Ok(emergencies::close_event(c, &slug, now, &actor)?))
        .await?;
    state.active_emergencies.fetch_sub(
        i64::from(s.is_active()),
        std::sync::atomic::Ordering::Relaxed,
    );
    crate::web::auth::set_flash(&session, "事件已结束，已移入归档；其页面和数据继续公开。");
    Ok(super::see_other(&format!("/emergencies/{}", s.event.slug)))
}

/// `/admin/emergencies`: every event, and the declaration form.
#[derive(Template)]
#[template(path = "admin/emergencies.html")]
pub struct AdminPage {
    pub layout: Layout,
    pub events: Vec<EventSummary>,
    pub draft: emergencies::EventDraft,
    pub departments: Vec<crate::db::departments::Department>,
    pub categories: &'static [crate::domain::EventCategory],
    pub errors: crate::web::forms::FormErrors,
}

async fn admin_page(
    state: &AppState,
    viewer: &Viewer,
    draft: emergencies::EventDraft,
    errors: crate::web::forms::FormErrors,
) -> Result<AdminPage, AppError> {
    let now = state.clock.now();
    let (events, departments) = state
        .db(move |c| Ok((emergencies::list(c, now)?, crate::db::departments::all(c)?)))
        .await?;
    Ok(AdminPage {
        layout: Layout::new(state, viewer, "突发事件", crate::web::layout::NAV_ADMIN),
        events,
        draft,
        departments,
        categories: crate::domain::EventCategory::ALL,
        errors,
    })
}

pub async fn admin_index(
    state: web::Data<AppState>,
    viewer: Viewer,
) -> Result<web::Html, AppError> {
    viewer.require_admin()?;
    let draft = emergencies::EventDraft {
        level: "4".into(),
        interval: "120".into(),
        ..Default::default()
    };
    render(&admin_page(&state, &viewer, draft, crate::web::forms::FormErrors::new()).await?)
}

/// `POST /admin/emergencies`: declares an event.
pub async fn admin_declare(
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
            crate::web::auth::set_flash(&session, "突发事件已发布，负责部门现在可以发布更新。");
            Ok(super::see_other(&format!("/emergencies/{}", event.slug)))
        }
        Err(fields) => {
            let mut errors = crate::web::forms::FormErrors::new();
            for (f, m) in fields {
                errors.add(&f, m);
            }
            super::render_with_status(
                actix_web::http::StatusCode::BAD_REQUEST,
                &admin_page(&state, &viewer, kept, errors).await?,
            )
        }
    }
}
