//! Resources through the API: uploads by publishers (multipart, or the raw body with
//! `?name=`), the processing status of a version, typed row queries and downloads.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::datasets::publisher;
use super::{ApiError, ApiUser};
use crate::services::Actor;
use crate::services::access::{self, Access};
use crate::services::applications;
use crate::services::ingest;
use crate::services::preview;
use crate::services::resources::{self, Resource, Upload, Version};
use crate::web::AppState;
use crate::web::auth::client_ip;
use crate::web::downloads::{self, Refusal};
use crate::web::upload::{self, UploadError};

fn upload_error(e: UploadError) -> ApiError {
    match e {
        UploadError::TooLarge(_) => {
            ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", e.to_string())
        }
        UploadError::StorageFull => ApiError::new(
            StatusCode::INSUFFICIENT_STORAGE,
            "insufficient_storage",
            e.to_string(),
        ),
        UploadError::Io(io) => ApiError::internal(io),
        other => ApiError::bad_request(other.to_string()),
    }
}

fn id_of(s: &str) -> Result<i32, ApiError> {
    s.parse::<i32>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(ApiError::not_found)
}

fn status_url(slug: &str, r: &Resource, v: &Version) -> String {
    format!(
        "/api/v1/datasets/{slug}/resources/{}/versions/{}",
        r.id, v.number
    )
}

fn resource_json(r: &Resource, v: &Version) -> serde_json::Value {
    serde_json::json!({
        "id": r.id,
        "name": r.name,
        "format": r.format,
        "size": r.size_bytes,
        "sha256": r.sha256,
        "row_count": r.row_count,
        "version": v.number,
        "status": v.status,
        "created_at": r.created_at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct UploadQuery {
    /// The file name (raw bodies).
    pub name: String,
    /// Upload a new version of this resource instead of a new resource.
    pub resource: Option<String>,
}

/// `POST /api/v1/datasets/{slug}/resources`
pub async fn upload(
    state: web::Data<AppState>,
    req: HttpRequest,
    ApiUser(user): ApiUser,
    path: web::Path<String>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let p = publisher(&user, client_ip(&req, &state.settings.auth))?;
    let slug = path.into_inner();
    let query: UploadQuery = serde_urlencoded::from_str(req.query_string())
        .map_err(|_| ApiError::bad_request("查询参数格式有误"))?;
    // Ownership first: nothing is received for another department's dataset.
    {
        let (p, slug) = (p.clone(), slug.clone());
        state
            .db_as(move |c| {
                crate::services::publishing::ensure_own(c, &p, &slug)
                    .map(drop)
                    .map_err(ApiError::from)
            })
            .await?;
    }
    let limit = state.settings.uploads.max_bytes;
    let is_multipart = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let received = if is_multipart {
        upload::multipart(Multipart::new(req.headers(), body), &state.store, limit, None).await
    } else {
        if query.name.trim().is_empty() {
            return Err(ApiError::bad_request(
                "请用 ?name= 给出文件名（如 ?name=线路.csv），或以 multipart/form-data 上传 file 字段",
            ));
        }
        upload::raw(body, &state.store, limit, query.name.trim()).await
    }
    .map_err(upload_error)?;
    // The parts the document names, and no others.
    if let Some(k) = received
        .fields
        .keys()
        .find(|k| !["name", "resource"].contains(&k.as_str()))
    {
        return Err(ApiError::bad_request(format!(
            "未知的字段“{k}”；可用：file、name、resource"
        )));
    }
    let resource_id = match received
        .fields
        .get("resource")
        .cloned()
        .or(query.resource.clone())
    {
        Some(s) if !s.trim().is_empty() => Some(id_of(s.trim())?),
        _ => None,
    };
    let given = received.fields.get("name").cloned().unwrap_or_default();
    let name = match resource_id {
        Some(_) => String::new(),
        None => resources::resource_name(&given, &received.file_name).map_err(|m| {
            ApiError::bad_request("提交的内容有误").with_fields([("name".to_owned(), m)].into())
        })?,
    };
    let format = ingest::format_of(&received.head, &received.file_name);
    let file_name = received.file_name.clone();
    let store = state.store.clone();
    let stored = web::block(move || received.adopt(&store))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    let up = Upload {
        file_name,
        format,
        stored,
    };
    let (p2, slug2, now) = (p.clone(), slug.clone(), state.clock.now());
    let (_, r, v) = state
        .db_as(move |c| {
            resources::start_upload(c, &p2, &slug2, resource_id, &name, &up, now)
                .map_err(ApiError::from)
        })
        .await?;
    state.ingest.submit(v.id);
    let url = status_url(&slug, &r, &v);
    Ok(HttpResponse::Created()
        .insert_header(("Location", url.clone()))
        .json(serde_json::json!({
            "resource": resource_json(&r, &v),
            "version": v.number,
            "status": v.status,
            "report_url": url,
        })))
}

/// `GET /api/v1/datasets/{slug}/resources/{id}/versions/{n}`: a publisher's view of one
/// version: status, progress, columns, personal data found, problems.
pub async fn version(
    state: web::Data<AppState>,
    req: HttpRequest,
    ApiUser(user): ApiUser,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, ApiError> {
    let p = publisher(&user, client_ip(&req, &state.settings.auth))?;
    let (slug, id, number) = path.into_inner();
    let (id, number) = (id_of(&id)?, id_of(&number)?);
    let (r, v) = state
        .db_as(move |c| {
            resources::own_version(c, &p, &slug, id, number)
                .map(|(_, r, v)| (r, v))
                .map_err(ApiError::from)
        })
        .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "resource": r.id,
        "version": v.number,
        "status": v.status,
        "current": r.current_version_id == Some(v.id),
        "progress": f64::from(v.progress) / 10.0,
        "rows_done": v.rows_done,
        "row_count": v.row_count,
        "encoding": v.encoding,
        "columns": ingest::columns_of(&v),
        "pii": ingest::findings_of(&v),
        "problems": ingest::problems_of(&v),
    })))
}

/// One page of typed rows of a resource, for the row API and CKAN's `datastore_search`.
/// Unconditionally open data for anyone; conditional data only inside the caller's live API
/// grant (the granted fields only, each call counted as a use); anything else is not found.
pub fn query_rows(
    c: &mut crate::web::state::Connection,
    user: Option<&crate::services::accounts::User>,
    actor: &Actor,
    slug: &str,
    id: i32,
    params: &[(String, String)],
    now: chrono::NaiveDateTime,
) -> Result<(i32, preview::Query, preview::RowsPage), ApiError> {
    let version = match params.iter().find(|(k, _)| k == "version") {
        Some((_, v)) => Some(
            v.parse::<i32>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| ApiError::bad_request(format!("版本号“{v}”无效")))?,
        ),
        None => None,
    };
    let (served, grant) = match access::public(c, slug, id, version)? {
        Access::Open(s) => (*s, None),
        Access::NotFound => return Err(ApiError::not_found()),
        // Conditional data: only inside the caller's live API grant.
        Access::Conditional(d) => {
            let Some(user) = user else {
                return Err(ApiError::forbidden(Refusal::conditional_message(&d.title)));
            };
            match applications::usable_grant(c, user.id, d.id, "api", now)? {
                Ok(g) => match access::granted(c, &d, id, version)? {
                    Some(s) => (s, Some(g)),
                    None => return Err(ApiError::not_found()),
                },
                Err(applications::Denial::NoGrant) => {
                    return Err(ApiError::forbidden(Refusal::conditional_message(&d.title)));
                }
                Err(denial) => return Err(ApiError::forbidden(denial.message())),
            }
        }
    };
    let mut columns = preview::columns(&served.version);
    if let Some(g) = &grant {
        let granted = g.field_names();
        columns.retain(|col| granted.contains(&col.name));
    }
    // A field the resource lacks, or a value not of its type, depends on the data: 422.
    let q = preview::parse_query(&columns, params).map_err(|e| match e.1 {
        preview::QueryFault::Form => ApiError::bad_request(e.0),
        preview::QueryFault::Field => {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "unprocessable", e.0)
        }
    })?;
    if let Some(g) = &grant
        && let Err(denial) =
            applications::use_grant(c, g, "api", &format!("resource:{id}"), now, actor)?
    {
        return Err(ApiError::forbidden(denial.message()));
    }
    let page = preview::query_columns(c, &served, columns, &q)?;
    Ok((served.version.number, q, page))
}

/// `GET /api/v1/datasets/{slug}/resources/{id}/rows`
pub async fn rows(
    state: web::Data<AppState>,
    req: HttpRequest,
    ApiUser(user): ApiUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let id = id_of(&id)?;
    let actor = Actor::user(user.id, client_ip(&req, &state.settings.auth));
    let now = state.clock.now();
    let params: Vec<(String, String)> = serde_urlencoded::from_str(req.query_string())
        .map_err(|_| ApiError::bad_request("查询参数格式有误"))?;
    let (number, q, page) = state
        .db_as(move |c| query_rows(c, Some(&user), &actor, &slug, id, &params, now))
        .await?;
    Ok(HttpResponse::Ok().json(crate::web::rows_json::answer(
        page,
        q.rows.limit,
        q.rows.offset,
        number,
    )))
}

/// `GET /api/v1/datasets/{slug}/resources/{id}/download?format=`
pub async fn download(
    state: web::Data<AppState>,
    req: HttpRequest,
    ApiUser(user): ApiUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let actor = Actor::user(user.id, client_ip(&req, &state.settings.auth));
    downloads::serve(&state, &req, slug, &id, Some((user, actor)))
        .await
        .map_err(ApiError::from)
}
