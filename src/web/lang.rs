//! The language of a request, from its URL: `/en/…` is the English portal, everything else
//! Chinese. The prefix is taken off before routing, so every route serves both languages;
//! on the way out an English page's local links, form targets and redirects get it back, so
//! a reader stays in English however a page built its links. A first visit (no language
//! cookie yet) to a Chinese page whose `Accept-Language` prefers English is redirected once;
//! after that the cookie, set by every page, keeps the reader's own choice.

use actix_web::body::{self, BoxBody, MessageBody};
use actix_web::cookie::{Cookie, SameSite, time::Duration};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode, Uri, header};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, HttpResponse};

pub use crate::i18n::Lang;

/// The cookie holding the reader's language (`zh-CN` or `en`).
pub const COOKIE: &str = "kaifang_lang";

/// The language the request was made in (set by [`language`]).
pub fn of(req: &actix_web::HttpRequest) -> Lang {
    req.extensions().get::<Lang>().copied().unwrap_or_default()
}

/// Paths that are pages a person reads (a first visit may be sent to English); files, feeds,
/// machine formats and the API are the same in both languages.
fn is_page(path: &str) -> bool {
    const NOT_PAGES: [&str; 6] = [
        "/static/",
        "/api/",
        "/healthz",
        "/metrics",
        "/.well-known/",
        "/robots.txt",
    ];
    let last = path.rsplit('/').next().unwrap_or("");
    !NOT_PAGES.iter().any(|p| path.starts_with(p))
        && !last.contains('.')
        && !path.ends_with("/live")
        && !path.contains("/download")
}

/// `/en/x` → `/x`, `/en` → `/`; `None` for a Chinese path.
fn strip(path: &str) -> Option<&str> {
    match path {
        "/en" | "/en/" => Some("/"),
        p => p.strip_prefix("/en").filter(|rest| rest.starts_with('/')),
    }
}

/// A local path as the English portal writes it.
pub fn english(path: &str) -> String {
    if path == "/" {
        "/en/".to_owned()
    } else {
        format!("/en{path}")
    }
}

/// Whether a local link target keeps out of the English prefix: assets, the API and what is
/// already English.
fn stays(rest: &[u8]) -> bool {
    [&b"static/"[..], b"api/", b"en/", b"en\"", b"/"]
        .iter()
        .any(|p| rest.starts_with(p))
}

/// Every `href="/…"` and `action="/…"` (double quotes: the language switcher and the
/// `hreflang` alternates use single quotes, so they keep their language) gets `/en`.
fn rewrite_links(html: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(html.len() + html.len() / 16);
    let mut i = 0;
    while i < html.len() {
        let rest = &html[i..];
        let attr = [&b" href=\"/"[..], b" action=\"/"]
            .into_iter()
            .find(|a| rest.starts_with(a));
        match attr {
            Some(a) if !stays(&rest[a.len()..]) => {
                out.extend_from_slice(&a[..a.len() - 1]);
                out.extend_from_slice(b"/en/");
                i += a.len();
            }
            Some(a) => {
                out.extend_from_slice(a);
                i += a.len();
            }
            None => {
                out.push(html[i]);
                i += 1;
            }
        }
    }
    out
}

fn set_path(req: &mut ServiceRequest, path: &str) {
    let pq = match req.query_string() {
        "" => path.to_owned(),
        q => format!("{path}?{q}"),
    };
    let mut parts = req.head().uri.clone().into_parts();
    if let Ok(pq) = pq.parse() {
        parts.path_and_query = Some(pq);
        if let Ok(uri) = Uri::from_parts(parts) {
            req.match_info_mut().get_mut().update(&uri);
            req.head_mut().uri = uri;
        }
    }
}

pub async fn language(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let lang = match strip(req.path()).map(str::to_owned) {
        Some(path) => {
            set_path(&mut req, &path);
            Lang::En
        }
        None => Lang::Zh,
    };
    let chosen = req.cookie(COOKIE).map(|c| c.value().to_owned());
    if lang == Lang::Zh
        && chosen.is_none()
        && matches!(*req.method(), Method::GET | Method::HEAD)
        && is_page(req.path())
        && req
            .headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(Lang::from_accept_language)
            == Some(Lang::En)
    {
        let target = match req.query_string() {
            "" => english(req.path()),
            q => format!("{}?{q}", english(req.path())),
        };
        let res = HttpResponse::Found()
            .insert_header((header::LOCATION, target))
            .insert_header((header::VARY, "Accept-Language, Cookie"))
            .finish();
        return Ok(req.into_response(res));
    }
    // Pages speak the language of their URL; the API the one its client asks for.
    let speaks = if req.path().starts_with("/api/") {
        req.headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(Lang::from_accept_language)
            .unwrap_or(lang)
    } else {
        lang
    };
    req.extensions_mut().insert(lang);
    let mut res = speaks.scope(next.call(req)).await?.map_into_boxed_body();
    let is_html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("text/html"));
    if is_html && chosen.as_deref() != Some(lang.tag()) {
        let cookie = Cookie::build(COOKIE, lang.tag())
            .path("/")
            .max_age(Duration::days(365))
            .same_site(SameSite::Lax)
            .http_only(true)
            .finish();
        res.response_mut().add_cookie(&cookie).ok();
    }
    if lang == Lang::Zh {
        return Ok(res);
    }
    if let Some(location) = res
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        && location.starts_with('/')
        && !location.starts_with("//")
        && strip(location.split('?').next().unwrap_or("")).is_none()
    {
        let english = english(location);
        if let Ok(v) = header::HeaderValue::from_str(&english) {
            res.headers_mut().insert(header::LOCATION, v);
        }
    }
    if !is_html || res.status() == StatusCode::NOT_MODIFIED {
        return Ok(res);
    }
    let (req, response) = res.into_parts();
    let (head, body) = response.into_parts();
    let bytes = match body::to_bytes(body).await {
        Ok(b) => b,
        Err(_) => return Err(actix_web::error::ErrorInternalServerError("page body")),
    };
    let rewritten = rewrite_links(&bytes);
    let mut response = head.set_body(BoxBody::new(rewritten));
    response.headers_mut().remove(header::CONTENT_LENGTH);
    Ok(ServiceResponse::new(req, response))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_get_the_prefix_and_assets_do_not() {
        let html = br#"<a href="/datasets?q=1">x</a><a href='/datasets'>zh</a><link href="/static/v1/site.css"><form action="/logout"><a href="/en/x"><a href="//cdn"><a href="/">"#;
        let out = String::from_utf8(rewrite_links(html)).unwrap();
        assert_eq!(
            out,
            r#"<a href="/en/datasets?q=1">x</a><a href='/datasets'>zh</a><link href="/static/v1/site.css"><form action="/en/logout"><a href="/en/x"><a href="//cdn"><a href="/en/">"#
        );
    }

    #[test]
    fn the_prefix_comes_off() {
        assert_eq!(strip("/en/datasets"), Some("/datasets"));
        assert_eq!(strip("/en"), Some("/"));
        assert_eq!(strip("/en/"), Some("/"));
        assert_eq!(strip("/english"), None);
        assert_eq!(strip("/datasets"), None);
    }
}
