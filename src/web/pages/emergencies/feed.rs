//! The Atom feeds of the emergency zone: `/emergencies/feed.atom` and one per event.

use std::fmt::Write as _;

use actix_web::{HttpRequest, HttpResponse, web};

use super::load;
use crate::services::emergencies::{self, EventSummary, UpdateView};
use crate::web::format::iso;
use crate::web::{AppError, AppState};

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
                // i18n: the Atom feeds are Chinese documents, like the data they carry
                "\n{}：{} {}",
                v.indicator,
                crate::services::preview::format_number(v.value),
                v.unit
            );
        }
        let mut enclosures = String::new();
        for a in &u.attachments {
            let _ = writeln!(
                enclosures,
                "    <link rel=\"enclosure\" type=\"{}\" length=\"{}\" title=\"{}\" href=\"{base}/emergencies/{}/attachments/{}\"/>",
                a.media_type,
                a.size,
                xml(&a.file_name),
                e.event.slug,
                a.id
            );
        }
        let _ = write!(
            out,
            // i18n: the Atom feeds are Chinese documents, like the data they carry
            "  <entry>\n    <id>{base}/emergencies/{slug}#update-{id}</id>\n    <title>{title}：{when}</title>\n    <updated>{posted}</updated>\n    <link rel=\"alternate\" href=\"{base}/emergencies/{slug}#update-{id}\"/>\n{enclosures}    <author><name>{dept}</name></author>\n    <content type=\"text\">{text}</content>\n  </entry>\n",
            slug = e.event.slug,
            id = u.update.id,
            title = xml(&e.event.title),
            when = crate::web::format::datetime_in(crate::i18n::Lang::Zh, &u.update.reported_at),
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
    let base = crate::web::machine::base_url(&state, &req);
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
    let base = crate::web::machine::base_url(&state, &req);
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
        // i18n: the Atom feeds are Chinese documents, like the data they carry
        &format!("{}：突发事件数据更新", state.settings.site.name),
        &iso(&updated),
        &body,
    ))
}
