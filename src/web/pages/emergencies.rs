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
