//! `POST /api/v1/datasets` and `PATCH /api/v1/datasets/{slug}` for publishers, with the same
//! validation as the console.

use actix_web::{HttpRequest, HttpResponse, web};

use super::records::{DatasetBody, record_of};
use super::{ApiError, ApiUser};
use crate::domain::{DatasetStatus, Role};
use crate::services::Actor;
use crate::services::accounts::User;
use crate::services::publishing::{self, FieldErrors, Publisher};
use crate::web::AppState;
use crate::web::auth::client_ip;
use crate::web::error_map::invalid_publication;

pub(super) fn publisher(user: &User, ip: Option<String>) -> Result<Publisher, ApiError> {
    match (user.role, user.department_id) {
        (Role::Publisher, Some(department_id)) => Ok(Publisher {
            user_id: user.id,
            department_id,
            actor: Actor::user(user.id, ip),
        }),
        _ => Err(ApiError::forbidden("只有数据提供部门的账号可以发布数据集")),
    }
}

/// Keywords and formats as the document describes them: no blank item, no keyword holding a
/// separator (each item is one keyword), at most 20 keywords. The console's form splits a
/// text; the API takes the list as given.
fn check_lists(body: &DatasetBody) -> Result<(), ApiError> {
    let separators = [',', '，', '、', ';', '；'];
    let field = |k: &str, m: &str| {
        ApiError::bad_request("提交的内容有误").with_fields([(k.to_owned(), m.to_owned())].into())
    };
    if body.keywords.len() > crate::domain::Keywords::MAX_COUNT {
        return Err(field("keywords", "关键词最多 20 个"));
    }
    if body
        .keywords
        .iter()
        .any(|k| k.trim().is_empty() || k.contains(separators))
    {
        return Err(field(
            "keywords",
            "每个关键词不能为空，也不能含有逗号、顿号或分号",
        ));
    }
    if body.formats.iter().any(|f| f.trim().is_empty()) {
        return Err(field("formats", "数据格式不能为空"));
    }
    // PostgreSQL cannot store a NUL character (SQLite could): refused on both, before storing.
    let texts = [
        &body.slug,
        &body.title,
        &body.summary,
        &body.theme,
        &body.maintainer,
    ]
    .into_iter()
    .chain([
        &body.open_class,
        &body.update_frequency,
        &body.spatial_coverage,
    ])
    .chain([&body.license])
    .chain(body.keywords.iter().chain(body.formats.iter()))
    .chain(body.open_conditions.iter().chain(body.legal_basis.iter()))
    .chain(body.reason.iter())
    .chain(body.title_en.iter().chain(body.summary_en.iter()))
    .chain(
        body.fields
            .iter()
            .flat_map(|f| [&f.name, &f.data_type, &f.description, &f.unit]),
    );
    for t in texts {
        if t.contains('\0') {
            return Err(ApiError::bad_request("文字中不能含有 NUL 字符（\\u0000）"));
        }
    }
    Ok(())
}

/// A body `publishing::validate` refused. A malformed slug breaks the document's pattern, so
/// all the problems come back as a 400; only a well-formed slug can break a rule beyond the
/// schema (a public dataset keeps its slug), which the 422 of [`invalid_publication`] covers.
fn refused(body: &DatasetBody) -> impl FnOnce(FieldErrors) -> ApiError + '_ {
    move |fields| {
        if crate::domain::Slug::parse(body.slug.trim()).is_err() {
            ApiError::bad_request("提交的内容有误").with_fields(fields)
        } else {
            invalid_publication(fields)
        }
    }
}

fn parse_body(mut value: serde_json::Value) -> Result<DatasetBody, ApiError> {
    // JSON has one kind of number: 600.0 is the integer 600, as the document's schema says.
    if let Some(n) = value
        .get("record_count")
        .and_then(serde_json::Value::as_f64)
        && n.fract() == 0.0
        && n.abs() < 9.2e18
    {
        value["record_count"] = serde_json::json!(n as i64);
    }
    let body: DatasetBody = serde_json::from_value(value)
        .map_err(|e| ApiError::bad_request(format!("请求体字段有误：{e}")))?;
    check_lists(&body)?;
    Ok(body)
}

fn status_of(body: &DatasetBody) -> Result<Option<DatasetStatus>, ApiError> {
    match body.status.as_deref() {
        None => Ok(None),
        Some(s) => match s.parse::<DatasetStatus>() {
            Ok(st) if st != DatasetStatus::Draft => Ok(Some(st)),
            _ => Err(ApiError::bad_request(
                "status 只能是 published 或 withdrawn",
            )),
        },
    }
}

pub async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    ApiUser(user): ApiUser,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let p = publisher(&user, client_ip(&req, &state.settings.auth))?;
    let body = parse_body(body.into_inner())?;
    let status = status_of(&body)?;
    let input = publishing::validate(&body.to_draft()).map_err(refused(&body))?;
    let (reason, now) = (body.reason.clone().unwrap_or_default(), state.clock.now());
    // Creating and publishing succeed or fail together.
    let record = record_of(
        state
            .db_as(move |c| {
                publishing::create_with_status(c, &p, &input, status, &reason, now)
                    .map_err(ApiError::from)
            })
            .await?,
    );
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/datasets/{}", record.slug)))
        .json(serde_json::json!({ "dataset": record })))
}

pub async fn update(
    state: web::Data<AppState>,
    req: HttpRequest,
    ApiUser(user): ApiUser,
    path: web::Path<String>,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let p = publisher(&user, client_ip(&req, &state.settings.auth))?;
    let slug = path.into_inner();
    let patch = body.into_inner();
    let Some(patch) = patch.as_object().cloned() else {
        return Err(ApiError::bad_request("请求体应为 JSON 对象"));
    };
    // The edit and the status change succeed or fail together.
    let now = state.clock.now();
    let edited = state
        .db_as(move |c| {
            publishing::edit(c, &p, &slug, now, |draft| {
                // The stored record, overlaid with what the request sends.
                let mut merged = serde_json::to_value(DatasetBody::from_draft(&draft))
                    .map_err(ApiError::internal)?;
                if let Some(m) = merged.as_object_mut() {
                    m.extend(patch);
                }
                let body = parse_body(merged)?;
                let status = status_of(&body)?;
                let input = publishing::validate(&body.to_draft()).map_err(refused(&body))?;
                Ok((input, status, body.reason.clone().unwrap_or_default()))
            })
            .map_err(ApiError::from)
        })
        .await?;
    let pending = edited
        .pending
        .map(|r| serde_json::json!({ "from": r.from_class, "to": r.to_class, "status": r.status }));
    let (record, changed) = (record_of(edited.stored), edited.changed);
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "dataset": record,
        "changed": changed,
        "pending_class_change": pending,
    })))
}
