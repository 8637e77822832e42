//! `GET /api/v1/emergencies[/{slug}]` and `POST /api/v1/emergencies/{slug}/updates` (a
//! publisher of the responsible department: `{text, indicators: [{name, value, unit, region}],
//! at?}`, DESIGN.md §5).

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::{ApiError, ApiUser};
use crate::domain::emergency::ValueInput;
use crate::services::Actor;
use crate::services::emergencies::{self, EmergencyError, EventSummary, UpdateView};
use crate::web::AppState;
use crate::web::auth::client_ip;
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

fn update(u: &UpdateView) -> Value {
    json!({
        "id": u.update.id,
        "at": iso(&u.update.reported_at),
        "posted_at": iso(&u.update.posted_at),
        "text": u.update.body,
        "indicators": u.values.iter().map(|v| json!({
            "name": v.indicator, "value": v.value, "unit": v.unit, "region": v.region,
        })).collect::<Vec<_>>(),
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
    value["updates"] = page.updates.iter().map(update).collect();
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
    let text = body.get("text").map(text_of).unwrap_or_default();
    let values: Vec<ValueInput> = match body.get("indicators") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| ValueInput {
                name: text_of(&i["name"]),
                value: text_of(&i["value"]),
                unit: text_of(&i["unit"]),
                region: text_of(&i["region"]),
            })
            .collect(),
        Some(_) => return Err(ApiError::bad_request("indicators 应为数组")),
    };
    let at = match body.get("at") {
        None | Some(Value::Null) => None,
        Some(v) => Some(super::read::parse_since(&text_of(v)).map_err(|_| {
            ApiError::bad_request("at 应为 RFC 3339 时间，如 2026-07-01T08:00:00+08:00")
        })?),
    };
    let now = state.clock.now();
    let actor = Actor::user(user.id, client_ip(&req, &state.settings.auth));
    let slug = slug.into_inner();
    let posted = state
        .db_as(move |c| {
            let by_database = emergencies::announced_by_database(c);
            match emergencies::post_update(c, &user, &slug, &text, &values, at, now, &actor) {
                Ok((e, u)) => Ok((e, u, by_database)),
                Err(EmergencyError::NotFound) => Err(ApiError::not_found()),
                Err(e @ EmergencyError::Forbidden(_)) => Err(ApiError::forbidden(e.to_string())),
                Err(e @ EmergencyError::Closed) => Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "conflict",
                    e.to_string(),
                )),
                Err(EmergencyError::Invalid(fields)) => {
                    Err(ApiError::bad_request("提交的内容有误")
                        .with_fields(fields.into_iter().collect::<BTreeMap<_, _>>()))
                }
                Err(EmergencyError::Database(e)) => Err(ApiError::from(e)),
            }
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
