//! `GET /api/v1/datasets`: the catalog search as JSON, with the same parameters, results and
//! facet counts as the `/datasets` page. Public data, so no key is needed.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::ApiError;
use crate::services::catalog::{self, FacetValue, UnknownFilter};
use crate::web::AppState;
use crate::web::catalog_params;
use crate::web::format::iso;

fn facet(values: &[FacetValue]) -> Value {
    values
        .iter()
        .map(|f| json!({ "value": f.value, "label": f.label, "count": f.count }))
        .collect()
}

/// `?q=&theme=&dept=&open=&format=&freq=&sort=&page=&per_page=` (per_page 1–100); the old
/// `?modified_since=` harvest is redirected (308) to `/api/v1/harvest`.
pub async fn search(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
    // Harvesting has its own operation now: the old form goes there, query and all.
    if pairs.iter().any(|(k, _)| k == "modified_since") {
        return Ok(HttpResponse::PermanentRedirect()
            .insert_header((
                actix_web::http::header::LOCATION,
                format!("/api/v1/harvest?{}", req.query_string()),
            ))
            .finish());
    }
    let parsed = catalog_params::parse(req.query_string()).map_err(ApiError::bad_request)?;
    if !parsed.problems.is_empty() {
        return Err(ApiError::bad_request(parsed.problems.join("；"))); // i18n: a separator inside a value
    }
    // The page reads a blank `page` as page 1; the API, like `per_page`, wants a number.
    if let Some((_, v)) = pairs.iter().rev().find(|(k, _)| k == "page")
        && v.trim().parse::<u32>().ok().filter(|n| *n >= 1).is_none()
    {
        return Err(ApiError::bad_request("page 应为正整数"));
    }
    let per_page = match pairs.iter().rev().find(|(k, _)| k == "per_page") {
        None => state.settings.catalog.per_page,
        Some((_, v)) => v
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=100).contains(n))
            .ok_or_else(|| ApiError::bad_request("per_page 应为 1 到 100 之间的整数"))?,
    };
    let query = parsed.query.clone();
    let index = state.search.clone();
    let page = state
        .db(move |c| Ok(catalog::search(c, &query, per_page, &*index)?))
        .await?;
    if let Some(u) = page.unknown.first() {
        return Err(ApiError::bad_request(match u {
            UnknownFilter::Theme(s) => format!("没有主题“{s}”"),
            UnknownFilter::Department(s) => format!("没有部门“{s}”"),
        }));
    }
    let results: Vec<Value> = page
        .items
        .iter()
        .map(|d| {
            json!({
                "slug": d.slug,
                "url": format!("/datasets/{}", d.slug),
                "title": d.title,
                "summary": d.summary,
                "highlight": {
                    "title": d.title_html,
                    "summary": d.summary_html,
                },
                "theme": { "slug": d.theme_slug, "name": d.theme_name },
                "department": { "slug": d.department_slug, "name": d.department_name },
                "open_class": d.open_class.as_str(),
                "update_frequency": d.update_frequency.as_str(),
                "formats": d.formats,
                "last_updated_at": iso(&d.last_updated_at),
                "download_count": d.download_count,
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({
        "total": page.total,
        "page": page.page,
        "per_page": page.per_page,
        "pages": page.page_count(),
        "items": results,
        "facets": {
            "theme": facet(&page.facets.theme),
            "department": facet(&page.facets.department),
            "open_class": facet(&page.facets.open_class),
            "format": facet(&page.facets.format),
            "update_frequency": facet(&page.facets.frequency),
        },
    })))
}
