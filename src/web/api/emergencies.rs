//! `GET /api/v1/emergencies[/{slug}]` and `POST /api/v1/emergencies/{slug}/updates` (a
//! publisher of the responsible department: `{text, indicators: [{name, value, unit, region}],
//! at?}`, DESIGN.md §5).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::{ApiError, ApiUser};
use crate::domain::emergency::ValueInput;
use crate::services::Actor;
use crate::services::emergencies::{self, EventSummary};
use crate::web::AppState;
use crate::web::auth::client_ip;
use crate::web::emergency_json;
use crate::web::format::iso;

fn summary(e: &EventSummary) -> Value {
    json!({
        "slug": e.event.slug,
        "url": format!("/emergencies/{}", e.event.slug),
        "title": e.event.title,
        "category": e.event.category,
        "level": e.event.level,
        "regions": e.event.regions.split(',').filter(|r| !r.is_empty()).collect::<Vec<_>>(),
        "department": e.department,
        "status": e.event.status,
        "started_at": iso(&e.event.started_at),
        "ended_at": e.event.ended_at.as_ref().map(iso),
        "update_interval_minutes": e.event.update_interval_minutes,
        "last_update": e.last_update.as_ref().map(iso),
        "overdue": e.overdue,
    })
}

pub async fn index(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let now = state.clock.now();
    let all = state
        .db_as(move |c| Ok::<_, ApiError>(emergencies::list(c, now)?))
        .await?;
    Ok(HttpResponse::Ok().json(json!({ "items": all.iter().map(summary).collect::<Vec<_>>() })))
}

pub async fn show(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let now = state.clock.now();
    let slug = slug.into_inner();
    let page = state
        .db_as(move |c| Ok::<_, ApiError>(emergencies::page(c, &slug, now)?))
        .await?
        .ok_or_else(ApiError::not_found)?;
    let mut value = summary(&page.summary);
    value["summary"] = json!(page.summary.event.summary);
    let slug = page.summary.event.slug.clone();
    value["updates"] = page
        .updates
        .iter()
        .map(|u| emergency_json::update(&slug, u))
        .collect();
    value["series"] = page
        .series
        .iter()
        .map(|s| {
            json!({
                "indicator": s.indicator,
                "unit": s.unit,
                "points": s.points.iter().map(|(t, v)| json!([iso(t), v])).collect::<Vec<_>>(),
            })
        })
        .collect();
    value["datasets"] = page
        .datasets
        .iter()
        .map(|d| {
            json!({
                "slug": d.slug,
                "title": d.title,
                "url": format!("/datasets/{}", d.slug),
                "open_class": if d.open { "unconditional" } else { "conditional" },
                "last_updated_at": iso(&d.last_updated_at),
                "downloads": if d.open {
                    d.files.iter().map(|(id, name)| json!({
                        "name": name,
                        "csv": format!("/datasets/{}/resources/{id}/download?format=csv", d.slug),
                    })).collect::<Vec<_>>()
                } else {
                    Vec::new()
                },
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(value))
}

/// A JSON value as text for the checks (numbers and strings alike).
fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

pub async fn post_update(
    state: web::Data<AppState>,
    req: HttpRequest,
    ApiUser(user): ApiUser,
    slug: web::Path<String>,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let Value::Object(body) = body else {
        return Err(ApiError::bad_request("请求体应为 JSON 对象"));
    };
    if let Some(k) = body
        .keys()
        .find(|k| !["text", "indicators", "at"].contains(&k.as_str()))
    {
        return Err(ApiError::bad_request(format!(
            "未知的字段“{k}”；可用：text、indicators、at"
        )));
    }
    // The members have the types the OpenAPI document gives them: text and names strings,
    // values numbers.
    let wrong = |m: &str| ApiError::bad_request(m.to_owned());
    let text = match body.get("text") {
        Some(Value::String(s)) => s.clone(),
        None | Some(Value::Null) => String::new(),
        Some(_) => return Err(wrong("text 应为字符串")),
    };
    let string = |i: &Value, k: &str, required: bool| match i.get(k) {
        Some(Value::String(s)) => Ok(s.clone()),
        None | Some(Value::Null) if !required => Ok(String::new()),
        _ => Err(wrong(&format!("indicators 的每一项应有字符串 {k}"))),
    };
    let values: Vec<ValueInput> = match body.get("indicators") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| {
                if !i.is_object() {
                    return Err(wrong("indicators 的每一项应为对象"));
                }
                // A number, or a number written as text (as the console's form sends it).
                let value = match i.get("value") {
                    Some(v @ (Value::Number(_) | Value::String(_))) => text_of(v),
                    _ => return Err(wrong("indicators 的每一项应有数值 value")),
                };
                Ok(ValueInput {
                    name: string(i, "name", true)?,
                    value,
                    unit: string(i, "unit", true)?,
                    region: string(i, "region", false)?,
                })
            })
            .collect::<Result<_, ApiError>>()?,
        Some(_) => return Err(ApiError::bad_request("indicators 应为数组")),
    };
    // PostgreSQL cannot store a NUL character: refused on both back-ends.
    let texts =
        std::iter::once(&text).chain(values.iter().flat_map(|v| [&v.name, &v.unit, &v.region]));
    for t in texts {
        if t.contains('\0') {
            return Err(ApiError::bad_request("文字中不能含有 NUL 字符（\\u0000）"));
        }
    }
    let at = match body.get("at") {
        None | Some(Value::Null) => None,
        Some(Value::String(v)) => Some(crate::web::machine::parse_since(v).map_err(|_| {
            ApiError::bad_request("at 应为 RFC 3339 时间，如 2026-07-01T08:00:00+08:00")
        })?),
        Some(_) => return Err(ApiError::bad_request("at 应为字符串")),
    };
    let now = state.clock.now();
    let actor = Actor::user(user.id, client_ip(&req, &state.settings.auth));
    let slug = slug.into_inner();
    let posted = state
        .db_as(move |c| {
            let by_database = emergencies::announced_by_database(c);
            let posted = emergencies::Posted {
                text: &text,
                values: &values,
                reported_at: at,
                attachment: None,
            };
            emergencies::post_update(c, &user, &slug, posted, now, &actor)
                .map(|(e, u)| (e, u, by_database))
                .map_err(ApiError::from)
        })
        .await?;
    let (event, posted, by_database) = posted;
    emergencies::announce(&state.live, by_database, &event, &posted);
    Ok(HttpResponse::Created().json(json!({
        "update": {
            "id": posted.id,
            "at": iso(&posted.reported_at),
            "posted_at": iso(&posted.posted_at),
            "text": posted.body,
        },
        "url": format!("/emergencies/{}#update-{}", event.slug, posted.id),
    })))
}

#[derive(Debug, serde::Deserialize)]
pub struct AttachQuery {
    #[serde(default)]
    pub name: String,
}

/// `POST /api/v1/emergencies/{slug}/updates/{id}/attachments?name=…`: the raw body (or a
/// multipart `file`) as an attachment of an update already posted. PDF, PNG or JPEG, told from
/// the bytes; up to 10 MB and five per update.
pub async fn attach(
    state: web::Data<AppState>,
    req: HttpRequest,
    ApiUser(user): ApiUser,
    path: web::Path<(String, String)>,
    query: web::Query<AttachQuery>,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let (slug, id) = path.into_inner();
    let id: i32 = id.parse().map_err(|_| ApiError::not_found())?;
    // Who may attach, to which update, and whether it has room, before the body is read.
    {
        let (user, slug) = (user.clone(), slug.clone());
        state
            .db_as(move |c| emergencies::check_attach(c, &user, &slug, id).map_err(ApiError::from))
            .await?;
    }
    let multipart = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("multipart/form-data"));
    let limit = emergencies::MAX_ATTACHMENT;
    let received = if multipart {
        crate::web::upload::multipart(
            actix_multipart::Multipart::new(req.headers(), body),
            &state.store,
            limit,
            None,
        )
        .await
    } else {
        crate::web::upload::raw(body, &state.store, limit, query.name.trim()).await
    };
    let received = received.map_err(|e| match e {
        crate::web::upload::UploadError::TooLarge(_) => {
            ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", e.to_string())
        }
        crate::web::upload::UploadError::StorageFull => ApiError::new(
            StatusCode::INSUFFICIENT_STORAGE,
            "insufficient_storage",
            e.to_string(),
        ),
        crate::web::upload::UploadError::Io(e) => ApiError::internal(e),
        e => ApiError::bad_request(e.to_string()),
    })?;
    if let Some(k) = received.fields.keys().next() {
        return Err(ApiError::bad_request(format!("未知的字段“{k}”；只有 file")));
    }
    let Some(media_type) = crate::domain::attachment::media_type(&received.head) else {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "附件必须是 PDF、PNG 或 JPEG 文件",
        ));
    };
    // The name it is offered under follows the type (`x.html` holding a PDF is `x.pdf`): the
    // service decides it when it stores the row.
    let name = crate::web::upload::clean_file_name(&received.file_name, "附件");
    let size = received.size as i64;
    let added = !emergencies::already_stored(&state.store, &received.sha256);
    let store = state.store.clone();
    let stored = web::block(move || received.adopt(&store))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    let kept = Some(stored.key.clone()).filter(|_| added);
    let file = emergencies::NewFile {
        key: stored.key,
        name,
        media_type,
        size,
    };
    let now = state.clock.now();
    let actor = Actor::user(user.id, client_ip(&req, &state.settings.auth));
    let attached = state
        .db_as(move |c| {
            let by_database = emergencies::announced_by_database(c);
            emergencies::attach(c, &user, &slug, id, &file, now, &actor)
                .map(|(e, u, a)| (e, u, a, by_database))
                .map_err(ApiError::from)
        })
        .await;
    // Refused after all (the update filled up, the event closed meanwhile): the file this
    // request added goes again.
    if attached.is_err()
        && let Some(key) = kept
    {
        let store = state.store.clone();
        let forgotten = state
            .db_as(move |c| emergencies::forget_attachment(c, &store, &key).map_err(ApiError::from))
            .await;
        if forgotten.is_err() {
            tracing::warn!("could not forget a refused attachment");
        }
    }
    let (event, posted, a, by_database) = attached?;
    emergencies::announce(&state.live, by_database, &event, &posted);
    Ok(HttpResponse::Created()
        .json(json!({ "attachment": emergency_json::attachment(&event.slug, &a) })))
}
