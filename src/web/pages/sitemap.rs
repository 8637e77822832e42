//! `/sitemap.xml`, `/sitemaps/{n}.xml` and `/robots.txt` for crawlers. What they list comes from
//! `services::sitemap` (public pages only); this module writes the XML.

use std::fmt::Write as _;

use actix_web::{HttpRequest, HttpResponse, web};

use crate::services::sitemap::{self, Entry, Sitemap};
use crate::web::format::iso;
use crate::web::machine::base_url;
use crate::web::{AppError, AppState};

const XML_HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
const NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";

fn xml(body: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/xml; charset=utf-8")
        .body(body)
}

/// A `<urlset>`. Paths are built from slugs (`[a-z0-9-]`), so nothing needs escaping.
fn urlset(base: &str, entries: &[Entry]) -> String {
    let mut out = format!("{XML_HEAD}<urlset xmlns=\"{NS}\">\n");
    for e in entries {
        let _ = write!(out, "  <url><loc>{base}{}</loc>", e.path);
        if let Some(t) = &e.modified {
            let _ = write!(out, "<lastmod>{}</lastmod>", iso(t));
        }
        out.push_str("</url>\n");
    }
    out.push_str("</urlset>\n");
    out
}

/// `GET /sitemap.xml`: every public page, or, past 50,000 URLs, the index of the files that
/// hold them.
pub async fn sitemap(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let map = state.db(|c| Ok(sitemap::root(c)?)).await?;
    let base = base_url(&state, &req);
    Ok(xml(match map {
        Sitemap::Urls(entries) => urlset(&base, &entries),
        Sitemap::Index { files } => {
            let mut out = format!("{XML_HEAD}<sitemapindex xmlns=\"{NS}\">\n");
            for n in 1..=files {
                let _ = writeln!(
                    out,
                    "  <sitemap><loc>{base}/sitemaps/{n}.xml</loc></sitemap>"
                );
            }
            out.push_str("</sitemapindex>\n");
            out
        }
    }))
}

/// `GET /sitemaps/{n}.xml`: one file of the index.
pub async fn part(
    state: web::Data<AppState>,
    req: HttpRequest,
    n: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let n: i64 = n.parse().map_err(|_| AppError::NotFound)?;
    let entries = state
        .db(move |c| Ok(sitemap::part(c, n)?))
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(xml(urlset(&base_url(&state, &req), &entries)))
}

/// `GET /robots.txt`: everything public may be crawled; private areas and the API may not.
pub async fn robots(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    let base = base_url(&state, &req);
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body(format!(
            "User-agent: *\nAllow: /\nDisallow: /static/\nDisallow: /account\nDisallow: /console\n\
             Disallow: /admin\nDisallow: /api/\nDisallow: /login\nDisallow: /register\nDisallow: /elder\n\
             Disallow: /*/download\n\nSitemap: {base}/sitemap.xml\n"
        ))
}
