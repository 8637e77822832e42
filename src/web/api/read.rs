//! The read side of the JSON API beyond the search: one dataset, its resources, departments and
//! themes. Public metadata (conditional datasets included; never closed or draft ones), so no
//! key is needed. Metadata responses carry an `ETag` and answer `If-None-Match` with 304.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::ApiError;
// Named here too for `api::ckan`, which reaches them through this module.
use super::records::record_of_page;
use crate::domain::OpenClass;
use crate::services::catalog::{self, DatasetPage, PublicResource};
use crate::web::AppState;
use crate::web::format::iso;
use crate::web::machine::{HarvestQuery, tagged_json};
pub use crate::web::machine::{base_url, download_urls, parse_since};

fn resource_value(base: &str, page: &DatasetPage, r: &PublicResource) -> Value {
    let slug = &page.dataset.slug;
    let current = r
        .versions
        .iter()
        .find(|v| Some(v.id) == r.resource.current_version_id);
    json!({
        "id": r.resource.id,
        "name": r.resource.name,
        "format": r.resource.format,
        "row_count": current.and_then(|v| v.row_count).or(r.resource.row_count),
        "size": current.and_then(|v| v.data_size).unwrap_or(r.resource.size_bytes),
        "version": current.map(|v| v.number),
        "updated_at": current.map(|v| iso(&crate::services::resources::finished_or_created(v))),
        "versions": r.versions.iter().map(|v| json!({
            "number": v.number,
            "row_count": v.row_count,
            "created_at": iso(&v.created_at),
        })).collect::<Vec<_>>(),
        // Conditional data is served only inside a grant: the links answer 403 without one.
        "requires_grant": page.dataset.open_class == OpenClass::Conditional,
        "download": download_urls(base, slug, r.resource.id),
        "rows_url": format!("{base}/api/v1/datasets/{slug}/resources/{}/rows", r.resource.id),
    })
}

/// `GET /api/v1/datasets/{slug}`: the record as POST/PATCH take it, with resources and links.
pub async fn dataset(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let slug = slug.into_inner();
    let page = state
        .db_as(move |c| Ok::<_, ApiError>(catalog::public_metadata(c, &slug)?))
        .await?
        .ok_or_else(ApiError::not_found)?;
    let record = record_of_page(&page);
    let base = base_url(&state, &req);
    let slug = &page.dataset.slug;
    let mut value = serde_json::to_value(&record).map_err(ApiError::internal)?;
    value["modified_at"] = json!(iso(&page.dataset.modified_at));
    value["theme"] = json!({ "slug": page.theme.slug, "name": page.theme.name });
    value["department"] = json!({ "slug": page.department.slug, "name": page.department.name });
    value["resources"] = page
        .resources
        .iter()
        .map(|r| resource_value(&base, &page, r))
        .collect();
    value["links"] = json!({
        "page": format!("{base}/datasets/{slug}"),
        "datapackage": format!("{base}/datasets/{slug}/datapackage.json"),
        "apply": (page.dataset.open_class == OpenClass::Conditional)
            .then(|| format!("{base}/datasets/{slug}/apply")),
    });
    Ok(tagged_json(&req, &value))
}

/// `GET /api/v1/datasets/{slug}/resources` and `…/resources/{id}`.
pub async fn resources(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner();
    let page = state
        .db_as(move |c| Ok::<_, ApiError>(catalog::public_metadata(c, &slug)?))
        .await?
        .ok_or_else(ApiError::not_found)?;
    let base = base_url(&state, &req);
    let items: Vec<Value> = page
        .resources
        .iter()
        .map(|r| resource_value(&base, &page, r))
        .collect();
    Ok(tagged_json(&req, &json!({ "items": items })))
}

pub async fn resource(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let id: i32 = id.parse().map_err(|_| ApiError::not_found())?;
    let page = state
        .db_as(move |c| Ok::<_, ApiError>(catalog::public_metadata(c, &slug)?))
        .await?
        .ok_or_else(ApiError::not_found)?;
    let r = page
        .resources
        .iter()
        .find(|r| r.resource.id == id)
        .ok_or_else(ApiError::not_found)?;
    Ok(tagged_json(
        &req,
        &resource_value(&base_url(&state, &req), &page, r),
    ))
}

/// `GET /api/v1/departments`: every department with its count of public datasets.
pub async fn departments(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let list = state
        .db_as(|c| Ok::<_, ApiError>(catalog::departments(c)?))
        .await?;
    let items: Vec<Value> = list
        .iter()
        .map(|d| {
            json!({
                "slug": d.slug,
                "name": d.name,
                "level": d.level.as_str(),
                "dataset_count": d.count,
                "url": format!("/api/v1/departments/{}", d.slug),
            })
        })
        .collect();
    Ok(tagged_json(&req, &json!({ "items": items })))
}

pub async fn department(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let slug = slug.into_inner();
    let d = state
        .db_as(move |c| Ok::<_, ApiError>(catalog::department_by_slug(c, &slug)?))
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(tagged_json(
        &req,
        &json!({
            "slug": d.slug,
            "name": d.name,
            "region_code": d.region_code.as_str(),
            "level": d.level.as_str(),
            "description": d.description,
            "datasets": format!("/api/v1/datasets?dept={}", d.slug),
        }),
    ))
}

/// `GET /api/v1/themes` and `/api/v1/themes/{slug}`.
pub async fn themes(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let list = state
        .db_as(|c| Ok::<_, ApiError>(catalog::themes(c)?))
        .await?;
    let items: Vec<Value> = list.iter().map(theme_value).collect();
    Ok(tagged_json(&req, &json!({ "items": items })))
}

fn theme_value(t: &catalog::Theme) -> Value {
    json!({
        "slug": t.slug,
        "code": t.code,
        "name": t.name,
        "name_en": t.name_en,
        "description": t.description,
        "datasets": format!("/api/v1/datasets?theme={}", t.slug),
    })
}

pub async fn theme(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let slug = slug.into_inner();
    let t = state
        .db_as(move |c| Ok::<_, ApiError>(catalog::theme_by_slug(c, &slug)?))
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(tagged_json(&req, &theme_value(&t)))
}

/// `GET /api/v1/harvest?modified_since=…[&page=&per_page=]`.
pub async fn harvest_datasets(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(req.query_string())
        .map_err(|_| ApiError::bad_request("查询参数格式有误"))?;
    harvest(&state, &req, &pairs).await
}

/// `GET /api/v1/harvest?modified_since=…[&page=&per_page=]`: public datasets changed since
/// then, oldest change first, as full records; the last page's newest `modified_at` is where the
/// next harvest starts.
pub async fn harvest(
    state: &AppState,
    req: &HttpRequest,
    pairs: &[(String, String)],
) -> Result<HttpResponse, ApiError> {
    let h = HarvestQuery::parse(pairs, Some(100))?;
    let (page, per_page) = (h.page, h.per_page);
    let (total, pages) = h.run(state).await?;
    let base = base_url(state, req);
    let items: Vec<Value> = pages
        .iter()
        .map(|p| {
            json!({
                "slug": p.dataset.slug,
                "url": format!("{base}/api/v1/datasets/{}", p.dataset.slug),
                "title": p.dataset.title,
                "open_class": p.dataset.open_class.as_str(),
                "department": { "slug": p.department.slug, "name": p.department.name },
                "theme": { "slug": p.theme.slug, "name": p.theme.name },
                "modified_at": iso(&p.dataset.modified_at),
                "resources": p.resources.iter().map(|r| resource_value(&base, p, r)).collect::<Vec<_>>(),
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({
        "total": total,
        "page": page,
        "per_page": per_page,
        "pages": (total + per_page - 1) / per_page,
        "items": items,
    })))
}
