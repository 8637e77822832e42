//! The CKAN-compatible Action API (read side) at `/api/3/action/{name}` and
//! `/api/action/{name}`, so that `ckanapi`, harvesters and CKAN client libraries work unchanged.
//!
//! GET with query parameters, or POST with a JSON object or a form body. The key may come in
//! `Authorization` (raw or `Bearer …`) or `X-CKAN-API-Key` (resolved by the rate-limit
//! middleware). Answers are CKAN's envelope `{help, success, result}`; errors carry CKAN's
//! `__type` strings and status codes. Conditional datasets are listed with their metadata; their
//! rows only inside the caller's live API grant; closed and draft datasets never appear.

use std::collections::{BTreeMap, HashMap, HashSet};

use actix_web::http::StatusCode;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use chrono::NaiveDateTime;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::ApiError;
use super::read::{base_url, download_urls, parse_since};
use crate::db::datasets::Dataset;
use crate::db::{DbConnection, datasets as dataset_rows, departments, resources as resource_rows};
use crate::db::{catalog as catalog_rows, themes};
use crate::domain::OpenClass;
use crate::search::{SearchQuery, SearchSort};
use crate::services::Actor;
use crate::services::catalog::{self, DatasetPage, PublicResource};
use crate::web::AppState;
use crate::web::auth::client_ip;
use crate::web::format::iso;
use crate::web::ratelimit::Caller;

/// The CKAN version we answer as (the Action API of 2.10).
const CKAN_VERSION: &str = "2.10.4";
/// Most rows `package_search` returns at once (CKAN's own default limit).
const MAX_ROWS: usize = 1000;
/// Most hits a full-text `q` considers before the `fq` filters.
const MAX_TEXT_HITS: usize = 10_000;

/// The `help` link CKAN puts in every envelope.
fn help_url(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or_default();
    format!("/api/3/action/help_show?name={name}")
}

/// CKAN's error envelope: `{help, success: false, error: {__type, message}}`.
pub fn error_response(path: &str, status: StatusCode, kind: &str, message: &str) -> HttpResponse {
    HttpResponse::build(status).json(json!({
        "help": help_url(path),
        "success": false,
        "error": { "__type": kind, "message": message },
    }))
}

/// An action's failure, in CKAN's terms.
#[derive(Debug)]
enum Failure {
    NotFound(String),
    /// Missing or malformed parameters: 409 with the fields at fault.
    Validation(BTreeMap<String, String>),
    Authorization(String),
    Search(String),
    BadRequest(String),
    Api(ApiError),
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Self {
        match e.status {
            StatusCode::NOT_FOUND => Self::NotFound(e.message),
            StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED => Self::Authorization(e.message),
            StatusCode::BAD_REQUEST => {
                Self::Validation(BTreeMap::from([("message".to_owned(), e.message)]))
            }
            _ => Self::Api(e),
        }
    }
}

impl From<diesel::result::Error> for Failure {
    fn from(e: diesel::result::Error) -> Self {
        Self::Api(ApiError::from(e))
    }
}

impl From<crate::web::AppError> for Failure {
    fn from(e: crate::web::AppError) -> Self {
        Self::from(ApiError::from(e))
    }
}

fn missing(name: &str) -> Failure {
    Failure::Validation(BTreeMap::from([(
        name.to_owned(),
        "Missing value".to_owned(),
    )]))
}

fn failure_response(path: &str, f: Failure) -> HttpResponse {
    match f {
        Failure::NotFound(m) => error_response(path, StatusCode::NOT_FOUND, "Not Found Error", &m),
        Failure::Authorization(m) => {
            error_response(path, StatusCode::FORBIDDEN, "Authorization Error", &m)
        }
        Failure::Search(m) => error_response(path, StatusCode::CONFLICT, "Search Query Error", &m),
        Failure::BadRequest(m) => error_response(path, StatusCode::BAD_REQUEST, "Bad Request", &m),
        Failure::Validation(fields) => {
            let mut error = Map::new();
            error.insert("__type".into(), json!("Validation Error"));
            for (k, v) in fields {
                error.insert(k, json!([v]));
            }
            HttpResponse::Conflict().json(json!({
                "help": help_url(path),
                "success": false,
                "error": error,
            }))
        }
        Failure::Api(e) => {
            let kind = if e.status.is_server_error() {
                "Internal Server Error"
            } else {
                "Bad Request"
            };
            error_response(path, e.status, kind, &e.message)
        }
    }
}

/// The parameters of a call: the query string, then the JSON or form body on POST.
fn params(req: &HttpRequest, body: &[u8]) -> Result<Map<String, Value>, Failure> {
    let mut out = Map::new();
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(req.query_string())
        .map_err(|_| Failure::BadRequest("查询参数格式有误".into()))?;
    for (k, v) in pairs {
        out.insert(k, Value::String(v));
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(out);
    }
    let is_form = req
        .content_type()
        .starts_with("application/x-www-form-urlencoded");
    if is_form {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body)
            .map_err(|_| Failure::BadRequest("表单格式有误".into()))?;
        for (k, v) in pairs {
            out.insert(k, Value::String(v));
        }
    } else {
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(map)) => out.extend(map),
            _ => {
                return Err(Failure::BadRequest(
                    "Bad request - JSON Error: 请求体应为 JSON 对象".into(),
                ));
            }
        }
    }
    Ok(out)
}

fn text(p: &Map<String, Value>, name: &str) -> Option<String> {
    match p.get(name)? {
        Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

fn integer(p: &Map<String, Value>, name: &str, default: i64) -> Result<i64, Failure> {
    match p.get(name) {
        None | Some(Value::Null) => Ok(default),
        Some(Value::Number(n)) => n.as_i64().ok_or_else(|| invalid(name)),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(default),
        Some(Value::String(s)) => s.trim().parse().map_err(|_| invalid(name)),
        Some(_) => Err(invalid(name)),
    }
}

fn invalid(name: &str) -> Failure {
    Failure::Validation(BTreeMap::from([(
        name.to_owned(),
        "Invalid integer".to_owned(),
    )]))
}

fn boolean(p: &Map<String, Value>, name: &str) -> bool {
    match p.get(name) {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => matches!(s.trim().to_lowercase().as_str(), "true" | "1" | "yes"),
        _ => false,
    }
}

/// A list parameter: a JSON array, a JSON array in a string, or comma-separated.
fn list(p: &Map<String, Value>, name: &str) -> Vec<String> {
    match p.get(name) {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        Some(Value::String(s)) => match serde_json::from_str::<Vec<String>>(s) {
            Ok(v) => v,
            Err(_) => s
                .split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect(),
        },
        _ => Vec::new(),
    }
}

/// `/api/3/action/{name}` and `/api/action/{name}`.
pub async fn action(
    state: web::Data<AppState>,
    req: HttpRequest,
    name: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let path = req.path().to_owned();
    let result = match params(&req, &body) {
        Ok(p) => dispatch(&state, &req, &name, p).await,
        Err(f) => Err(f),
    };
    match result {
        Ok(result) => HttpResponse::Ok().json(json!({
            "help": help_url(&path),
            "success": true,
            "result": result,
        })),
        Err(f) => failure_response(&path, f),
    }
}

/// An action's database work, run on the blocking pool.
type DbWork = Box<dyn FnOnce(&mut DbConnection) -> Result<Value, Failure> + Send>;

async fn dispatch(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    name: &str,
    p: Map<String, Value>,
) -> Result<Value, Failure> {
    let base = base_url(state, req);
    let caller = req.extensions().get::<Caller>().cloned();
    let state2 = state.clone();
    let run = move |f: DbWork| async move { state2.db_as::<_, Failure, _>(move |c| f(c)).await };
    match name {
        "status_show" => Ok(json!({
            "site_title": state.settings.site.name,
            "site_description": state.settings.site.name_en,
            "site_url": base,
            "ckan_version": CKAN_VERSION,
            "locale_default": "zh_Hans_CN",
            "extensions": ["kaifang"],
        })),
        "package_list" => {
            let limit = integer(&p, "limit", i64::MAX)?.max(0) as usize;
            let offset = integer(&p, "offset", 0)?.max(0) as usize;
            run(Box::new(move |c| {
                let slugs = catalog_rows::public_slugs(c)?;
                Ok(json!(
                    slugs
                        .into_iter()
                        .skip(offset)
                        .take(limit)
                        .map(|(s, _)| s)
                        .collect::<Vec<_>>()
                ))
            }))
            .await
        }
        "package_show" => {
            let id = text(&p, "id").or_else(|| text(&p, "name")).ok_or_else(|| missing("id"))?;
            run(Box::new(move |c| {
                let page = catalog::public_metadata(c, &id)?
                    .ok_or_else(|| Failure::NotFound("Not found: 数据集不存在或未开放".into()))?;
                Ok(package(&base, &page))
            }))
            .await
        }
        "package_search" => {
            let index = state.search.clone();
            let metrics = state.metrics.clone();
            run(Box::new(move |c| {
                let started = std::time::Instant::now();
                let out = package_search(c, &*index, &base, &p);
                metrics.search_took(started.elapsed());
                out
            }))
            .await
        }
        "organization_list" | "group_list" => {
            let orgs = name == "organization_list";
            let all_fields = boolean(&p, "all_fields");
            run(Box::new(move |c| {
                let counts = Counts::load(c)?;
                let items: Vec<Value> = if orgs {
                    departments::all(c)?
                        .iter()
                        .map(|d| organization(d, counts.by_department(d.id)))
                        .collect()
                } else {
                    themes::all(c)?
                        .iter()
                        .map(|t| group(t, counts.by_theme(t.id)))
                        .collect()
                };
                Ok(if all_fields {
                    json!(items)
                } else {
                    json!(items.iter().map(|i| i["name"].clone()).collect::<Vec<_>>())
                })
            }))
            .await
        }
        "organization_show" | "group_show" => {
            let orgs = name == "organization_show";
            let id = text(&p, "id").ok_or_else(|| missing("id"))?;
            let with_datasets = boolean(&p, "include_datasets");
            run(Box::new(move |c| {
                let rows = light_rows(c)?;
                let counts = Counts::of(&rows);
                let (mut value, filter) = if orgs {
                    let d = departments::by_slug(c, &id)?
                        .ok_or_else(|| Failure::NotFound("Not found: 没有这个部门".into()))?;
                    (organization(&d, counts.by_department(d.id)), Fq::Organization(d.slug))
                } else {
                    let t = themes::by_slug(c, &id)?
                        .ok_or_else(|| Failure::NotFound("Not found: 没有这个主题".into()))?;
                    (group(&t, counts.by_theme(t.id)), Fq::Group(t.slug))
                };
                if with_datasets {
                    // The rows are public datasets already: no second lookup by slug.
                    let mut packages = Vec::new();
                    for r in rows.into_iter().filter(|r| filter.matches(r)).take(MAX_ROWS) {
                        packages.push(package(&base, &catalog::metadata(c, r.dataset)?));
                    }
                    value["packages"] = json!(packages);
                }
                Ok(value)
            }))
            .await
        }
        "tag_list" => {
            let query = text(&p, "query").map(|q| q.to_lowercase());
            run(Box::new(move |c| {
                let mut tags: Vec<String> = light_rows(c)?
                    .iter()
                    .flat_map(|r| r.dataset.keyword_list().as_slice().to_vec())
                    .filter(|t| query.as_ref().is_none_or(|q| t.to_lowercase().contains(q)))
                    .collect::<HashSet<_>>()
                    .into_iter()
                    .collect();
                tags.sort();
                Ok(json!(tags))
            }))
            .await
        }
        "license_list" => {
            run(Box::new(move |c| {
                let mut seen = BTreeMap::new();
                for r in light_rows(c)? {
                    seen.entry(license_id(&r.dataset.license))
                        .or_insert(r.dataset.license.clone());
                }
                Ok(json!(
                    seen.into_iter()
                        .map(|(id, title)| json!({"id": id, "title": title, "status": "active", "url": ""}))
                        .collect::<Vec<_>>()
                ))
            }))
            .await
        }
        "resource_show" | "resource_view_list" => {
            let views = name == "resource_view_list";
            let id = text(&p, "id").ok_or_else(|| missing("id"))?;
            run(Box::new(move |c| {
                let (page, r) = public_resource(c, &id)?;
                if views {
                    let open = page.dataset.open_class == OpenClass::Unconditional;
                    return Ok(json!(if open {
                        vec![json!({
                            "id": format!("{}-table", r.resource.id),
                            "resource_id": r.resource.id.to_string(),
                            "package_id": page.dataset.slug,
                            "view_type": "datatables_view",
                            "title": "数据预览",
                            "description": "",
                        })]
                    } else {
                        Vec::new()
                    }));
                }
                Ok(resource(&base, &page, &r))
            }))
            .await
        }
        "datastore_search" => {
            let user = caller.and_then(|c| c.user);
            let actor = match &user {
                Some(u) => Actor::user(u.id, client_ip(req, &state.settings.auth)),
                None => Actor::anonymous(client_ip(req, &state.settings.auth)),
            };
            let now = state.clock.now();
            run(Box::new(move |c| datastore_search(c, user.as_ref(), &actor, &p, now))).await
        }
        other => Err(Failure::BadRequest(format!(
            "Bad request - Action name not known: {other}"
        ))),
    }
}

/// A short, stable id for a license text (CKAN wants ids; ours are titles).
pub fn license_id(title: &str) -> String {
    format!(
        "kf-{}",
        &hex::encode(Sha256::digest(title.as_bytes()))[..10]
    )
}

/// Public dataset counts by department and theme.
struct Counts {
    departments: HashMap<i32, i64>,
    themes: HashMap<i32, i64>,
}

impl Counts {
    fn load(c: &mut DbConnection) -> Result<Self, Failure> {
        Ok(Self::of(&light_rows(c)?))
    }

    fn of(rows: &[LightRow]) -> Self {
        let mut departments = HashMap::new();
        let mut themes = HashMap::new();
        for r in rows {
            *departments.entry(r.dataset.department_id).or_default() += 1;
            *themes.entry(r.dataset.theme_id).or_default() += 1;
        }
        Self {
            departments,
            themes,
        }
    }
    fn by_department(&self, id: i32) -> i64 {
        self.departments.get(&id).copied().unwrap_or(0)
    }
    fn by_theme(&self, id: i32) -> i64 {
        self.themes.get(&id).copied().unwrap_or(0)
    }
}

fn organization(d: &departments::Department, count: i64) -> Value {
    json!({
        "id": d.slug,
        "name": d.slug,
        "title": d.name,
        "display_name": d.name,
        "description": d.description,
        "type": "organization",
        "is_organization": true,
        "state": "active",
        "approval_status": "approved",
        "image_url": "",
        "created": iso(&d.created_at),
        "package_count": count,
    })
}

fn group(t: &themes::Theme, count: i64) -> Value {
    json!({
        "id": t.slug,
        "name": t.slug,
        "title": t.name,
        "display_name": t.name,
        "description": t.description,
        "type": "group",
        "is_organization": false,
        "state": "active",
        "approval_status": "approved",
        "image_url": "",
        "package_count": count,
    })
}

fn resource(base: &str, page: &DatasetPage, r: &PublicResource) -> Value {
    let d = &page.dataset;
    let current = r
        .versions
        .iter()
        .find(|v| Some(v.id) == r.resource.current_version_id);
    let modified = current.map(crate::services::resources::finished_or_created);
    let position = page
        .resources
        .iter()
        .position(|x| x.resource.id == r.resource.id)
        .unwrap_or(0);
    json!({
        "id": r.resource.id.to_string(),
        "package_id": d.slug,
        "name": r.resource.name,
        "description": "",
        "format": "CSV",
        "mimetype": "text/csv",
        "url": download_urls(base, &d.slug, r.resource.id)["csv"],
        "url_type": Value::Null,
        "size": current.and_then(|v| v.data_size).unwrap_or(r.resource.size_bytes),
        "hash": current.and_then(|v| v.data_sha256.clone()).unwrap_or_default(),
        "created": iso(&r.resource.created_at),
        "last_modified": modified.map(|t| iso(&t)),
        "metadata_modified": modified.map(|t| iso(&t)),
        "position": position,
        "state": "active",
        // Rows through datastore_search for open data; conditional rows need a grant.
        "datastore_active": d.open_class == OpenClass::Unconditional,
        "access": if d.open_class == OpenClass::Conditional { "grant_required" } else { "open" },
    })
}

/// A dataset as CKAN's package dictionary.
pub fn package(base: &str, page: &DatasetPage) -> Value {
    let d = &page.dataset;
    let tags: Vec<Value> = page
        .keywords
        .as_slice()
        .iter()
        .map(|k| json!({"id": k, "name": k, "display_name": k, "state": "active", "vocabulary_id": Value::Null}))
        .collect();
    let resources: Vec<Value> = page
        .resources
        .iter()
        .map(|r| resource(base, page, r))
        .collect();
    let extras = [
        ("code", Some(d.code.clone())),
        ("open_class", Some(d.open_class.as_str().to_owned())),
        ("open_conditions", d.open_conditions.clone()),
        ("legal_basis", d.legal_basis.clone()),
        (
            "update_frequency",
            Some(d.update_frequency.as_str().to_owned()),
        ),
        ("spatial_coverage", Some(d.spatial_coverage.clone())),
        ("temporal_start", d.temporal_start.map(|t| t.to_string())),
        ("temporal_end", d.temporal_end.map(|t| t.to_string())),
        ("record_count", Some(d.record_count.to_string())),
    ];
    json!({
        "id": d.slug,
        "name": d.slug,
        "title": d.title,
        "notes": d.summary,
        "url": format!("{base}/datasets/{}", d.slug),
        "type": "dataset",
        "state": "active",
        "private": false,
        "author": page.department.name,
        "maintainer": d.maintainer,
        "license_id": license_id(&d.license),
        "license_title": d.license,
        "metadata_created": iso(&d.published_at.unwrap_or(d.created_at)),
        "metadata_modified": iso(&d.modified_at),
        "owner_org": page.department.slug,
        "organization": organization(&page.department, 0),
        "groups": [group(&page.theme, 0)],
        "tags": tags,
        "num_tags": page.keywords.as_slice().len(),
        "resources": resources,
        "num_resources": page.resources.len(),
        "open_class": d.open_class.as_str(),
        "extras": extras
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| json!({"key": k, "value": v})))
            .collect::<Vec<_>>(),
    })
}

/// A public resource by its id, with its dataset.
fn public_resource(
    c: &mut DbConnection,
    id: &str,
) -> Result<(DatasetPage, PublicResource), Failure> {
    let not_found = || Failure::NotFound("Not found: 资源不存在或未开放".into());
    let id: i32 = id.parse().map_err(|_| not_found())?;
    let r = resource_rows::by_id(c, id)?.ok_or_else(not_found)?;
    let slug = dataset_rows_slug(c, r.dataset_id)?;
    let page = catalog::public_metadata(c, &slug)?.ok_or_else(not_found)?;
    let found = page
        .resources
        .iter()
        .find(|x| x.resource.id == id)
        .cloned()
        .ok_or_else(not_found)?;
    Ok((page, found))
}

fn dataset_rows_slug(c: &mut DbConnection, dataset_id: i32) -> Result<String, Failure> {
    use crate::db::schema::datasets;
    use diesel::prelude::*;
    Ok(datasets::table
        .find(dataset_id)
        .select(datasets::slug)
        .first(c)?)
}

/// What `fq` and the facets look at, for every public dataset.
struct LightRow {
    dataset: Dataset,
    department: String,
    theme: String,
    formats: Vec<String>,
}

fn light_rows(c: &mut DbConnection) -> Result<Vec<LightRow>, Failure> {
    let (_, rows) = catalog_rows::changed_since(c, None, 0, i64::MAX)?;
    light(c, rows)
}

/// The public datasets among `ids` (the hits of a text search).
fn light_rows_among(c: &mut DbConnection, ids: &[i32]) -> Result<Vec<LightRow>, Failure> {
    let mut rows = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(5000) {
        rows.extend(catalog_rows::public_by_ids(c, chunk)?);
    }
    light(c, rows)
}

fn light(c: &mut DbConnection, rows: Vec<Dataset>) -> Result<Vec<LightRow>, Failure> {
    let departments: HashMap<i32, String> = departments::all(c)?
        .into_iter()
        .map(|d| (d.id, d.slug))
        .collect();
    let themes: HashMap<i32, String> = themes::all(c)?
        .into_iter()
        .map(|t| (t.id, t.slug))
        .collect();
    let ids: Vec<i32> = rows.iter().map(|d| d.id).collect();
    let mut formats: HashMap<i32, Vec<String>> = HashMap::new();
    for chunk in ids.chunks(5000) {
        for (id, f) in dataset_rows::formats_of(c, chunk)? {
            formats.entry(id).or_default().push(f);
        }
    }
    Ok(rows
        .into_iter()
        .map(|d| LightRow {
            department: departments
                .get(&d.department_id)
                .cloned()
                .unwrap_or_default(),
            theme: themes.get(&d.theme_id).cloned().unwrap_or_default(),
            formats: formats.remove(&d.id).unwrap_or_default(),
            dataset: d,
        })
        .collect())
}

/// One `field:value` term of `fq`.
#[derive(Debug, Clone)]
enum Fq {
    Organization(String),
    Group(String),
    Tag(String),
    Format(String),
    License(String),
    Name(String),
    OpenClass(String),
    Frequency(String),
    Modified(Option<NaiveDateTime>, Option<NaiveDateTime>),
}

impl Fq {
    fn parse(field: &str, value: &str) -> Result<Self, String> {
        let v = value.trim_matches('"').to_owned();
        Ok(match field {
            "organization" | "owner_org" => Self::Organization(v),
            "groups" => Self::Group(v),
            "tags" => Self::Tag(v),
            "res_format" => Self::Format(v.to_uppercase()),
            "license_id" => Self::License(v),
            "name" | "id" => Self::Name(v),
            "open_class" => Self::OpenClass(v),
            "update_frequency" => Self::Frequency(v),
            "metadata_modified" => {
                let inner = v
                    .strip_prefix('[')
                    .and_then(|s| s.strip_suffix(']'))
                    .ok_or_else(|| format!("metadata_modified 应为区间 [起 TO 止]，收到“{v}”"))?;
                let (from, to) = inner
                    .split_once(" TO ")
                    .ok_or_else(|| format!("metadata_modified 应为区间 [起 TO 止]，收到“{v}”"))?;
                let bound = |s: &str| -> Result<Option<NaiveDateTime>, String> {
                    let s = s.trim();
                    if s == "*" {
                        return Ok(None);
                    }
                    if s == "NOW" {
                        return Ok(Some(crate::services::now()));
                    }
                    if s.starts_with("NOW") {
                        return Err(format!(
                            "不支持日期运算“{s}”；请写具体时间（RFC 3339）、NOW 或 *"
                        ));
                    }
                    parse_since(s).map(Some).map_err(|e| e.message)
                };
                Self::Modified(bound(from)?, bound(to)?)
            }
            other => {
                return Err(format!(
                    "不支持按“{other}”筛选；可用：organization、groups、tags、res_format、license_id、name、open_class、update_frequency、metadata_modified"
                ));
            }
        })
    }

    fn matches(&self, r: &LightRow) -> bool {
        let d = &r.dataset;
        match self {
            Self::Organization(s) => &r.department == s,
            Self::Group(s) => &r.theme == s,
            Self::Tag(s) => d.keyword_list().as_slice().iter().any(|k| k == s),
            Self::Format(s) => r.formats.iter().any(|f| f.eq_ignore_ascii_case(s)),
            Self::License(s) => &license_id(&d.license) == s || &d.license == s,
            Self::Name(s) => &d.slug == s,
            Self::OpenClass(s) => d.open_class.as_str() == s,
            Self::Frequency(s) => d.update_frequency.as_str() == s,
            Self::Modified(from, to) => {
                from.is_none_or(|f| d.modified_at >= f) && to.is_none_or(|t| d.modified_at <= t)
            }
        }
    }
}

/// A parsed `fq`: clauses that must all hold; each clause is terms joined by `OR`, each term
/// possibly negated (`-field:value`).
type Clauses = Vec<Vec<(bool, Fq)>>;

/// Splits `fq` into tokens, keeping quoted values and `[… TO …]` ranges whole.
fn tokens(fq: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let (mut quote, mut bracket) = (false, 0);
    for ch in fq.chars() {
        match ch {
            '"' => {
                quote = !quote;
                cur.push(ch);
            }
            '[' if !quote => {
                bracket += 1;
                cur.push(ch);
            }
            ']' if !quote => {
                bracket -= 1;
                cur.push(ch);
            }
            c if c.is_whitespace() && !quote && bracket == 0 => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn parse_fq(fq: &str) -> Result<Clauses, String> {
    if fq.chars().filter(|c| *c == '"').count() % 2 == 1 {
        return Err("fq 中的引号没有配对".into());
    }
    let mut clauses: Clauses = Vec::new();
    let mut join_next = false;
    for tok in tokens(fq) {
        if tok == "OR" {
            if clauses.is_empty() {
                return Err("fq 不能以 OR 开头".into());
            }
            join_next = true;
            continue;
        }
        if tok == "AND" {
            continue;
        }
        let (negated, term) = match tok.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, tok.strip_prefix('+').unwrap_or(&tok)),
        };
        let (field, value) = term
            .split_once(':')
            .ok_or_else(|| format!("fq 的每一项应为 字段:值，收到“{tok}”"))?;
        let term = (negated, Fq::parse(field, value)?);
        match clauses.last_mut() {
            Some(last) if join_next => last.push(term),
            _ => clauses.push(vec![term]),
        }
        join_next = false;
    }
    if join_next {
        return Err("fq 不能以 OR 结尾".into());
    }
    Ok(clauses)
}

fn accepts(clauses: &Clauses, r: &LightRow) -> bool {
    clauses
        .iter()
        .all(|any| any.iter().any(|(neg, t)| t.matches(r) != *neg))
}

fn package_search(
    c: &mut DbConnection,
    index: &dyn crate::search::SearchIndex,
    base: &str,
    p: &Map<String, Value>,
) -> Result<Value, Failure> {
    let rows = integer(p, "rows", 10)?.clamp(0, MAX_ROWS as i64) as usize;
    let start = integer(p, "start", 0)?.max(0) as usize;
    let mut clauses = parse_fq(&text(p, "fq").unwrap_or_default()).map_err(Failure::Search)?;
    // `field:value` terms in `q` filter like `fq` (as Solr reads them); the rest is text.
    let mut words = Vec::new();
    for tok in tokens(&text(p, "q").unwrap_or_default()) {
        match tok.split_once(':').map(|(f, v)| Fq::parse(f, v)) {
            Some(Ok(term)) => clauses.push(vec![(false, term)]),
            _ => words.push(tok),
        }
    }
    let q = Some(words.join(" ")).filter(|q| !q.is_empty() && q != "*:*" && q != "*");
    // The text goes through the search index (folding, segmentation); its order is relevance.
    let mut rank: Option<HashMap<i32, usize>> = None;
    let mut candidates = if q.is_some() {
        Vec::new()
    } else {
        light_rows(c)?
    };
    if let Some(q) = &q {
        if let Err(e) = crate::services::search::drain(c, index) {
            tracing::warn!(error = %e, "search index update failed; searching the index as it is");
        }
        let found = index
            .search(&SearchQuery {
                text: q.clone(),
                themes: Vec::new(),
                departments: Vec::new(),
                open_classes: Vec::new(),
                formats: Vec::new(),
                frequencies: Vec::new(),
                sort: SearchSort::Relevance,
                offset: 0,
                limit: MAX_TEXT_HITS,
            })
            .map_err(|e| {
                Failure::Api(ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    e.to_string(),
                ))
            })?;
        let mut ranks: HashMap<i32, usize> = found
            .hits
            .iter()
            .enumerate()
            .map(|(i, h)| (h.id, i + 1))
            .collect();
        // A dataset's name (slug) finds it too, first.
        if let Some(d) = catalog_rows::public_by_slug(c, q)? {
            ranks.insert(d.id, 0);
        }
        let ids: Vec<i32> = ranks.keys().copied().collect();
        candidates = light_rows_among(c, &ids)?;
        rank = Some(ranks);
    }
    candidates.retain(|r| {
        rank.as_ref().is_none_or(|m| m.contains_key(&r.dataset.id)) && accepts(&clauses, r)
    });
    sort_rows(&mut candidates, text(p, "sort").as_deref(), rank.as_ref())?;
    // Facets over every match.
    let facet_fields = list(p, "facet.field");
    let facet_limit = integer(p, "facet.limit", 50)?;
    let mut facets = Map::new();
    let mut search_facets = Map::new();
    for field in &facet_fields {
        let mut counts: BTreeMap<String, i64> = BTreeMap::new();
        for r in &candidates {
            let values: Vec<String> = match field.as_str() {
                "organization" => vec![r.department.clone()],
                "groups" => vec![r.theme.clone()],
                "tags" => r.dataset.keyword_list().as_slice().to_vec(),
                "res_format" => r.formats.clone(),
                "license_id" => vec![license_id(&r.dataset.license)],
                "open_class" => vec![r.dataset.open_class.as_str().to_owned()],
                "update_frequency" => vec![r.dataset.update_frequency.as_str().to_owned()],
                other => {
                    return Err(Failure::Search(format!("不支持按“{other}”统计分面")));
                }
            };
            for v in values {
                *counts.entry(v).or_default() += 1;
            }
        }
        let mut items: Vec<(String, i64)> = counts.into_iter().collect();
        items.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        if facet_limit >= 0 {
            items.truncate(facet_limit as usize);
        }
        facets.insert(
            field.clone(),
            json!(
                items
                    .iter()
                    .map(|(k, n)| (k.clone(), json!(n)))
                    .collect::<Map<String, Value>>()
            ),
        );
        search_facets.insert(
            field.clone(),
            json!({
                "title": field,
                "items": items.iter().map(|(name, count)| json!({"name": name, "display_name": name, "count": count})).collect::<Vec<_>>(),
            }),
        );
    }
    let count = candidates.len();
    let mut results = Vec::new();
    for r in candidates.into_iter().skip(start).take(rows) {
        let page = catalog::metadata(c, r.dataset)?;
        results.push(package(base, &page));
    }
    Ok(json!({
        "count": count,
        "sort": text(p, "sort").unwrap_or_else(|| if q.is_some() { "score desc, metadata_modified desc".into() } else { "metadata_modified desc".into() }),
        "results": results,
        "facets": facets,
        "search_facets": search_facets,
    }))
}

/// CKAN's `sort`: `field [asc|desc]`, comma-separated; fields metadata_modified,
/// metadata_created, name, title, score.
fn sort_rows(
    rows: &mut [LightRow],
    sort: Option<&str>,
    rank: Option<&HashMap<i32, usize>>,
) -> Result<(), Failure> {
    let spec = sort.map(str::to_owned).unwrap_or_else(|| {
        if rank.is_some() {
            "score desc, metadata_modified desc".into()
        } else {
            "metadata_modified desc".into()
        }
    });
    let mut keys = Vec::new();
    for part in spec.split(',') {
        let mut it = part.split_whitespace();
        let Some(field) = it.next() else { continue };
        let desc = match it.next().unwrap_or("asc") {
            "asc" => false,
            "desc" => true,
            other => {
                return Err(Failure::Search(format!(
                    "排序方向只能是 asc 或 desc，不是“{other}”"
                )));
            }
        };
        if ![
            "metadata_modified",
            "metadata_created",
            "name",
            "title",
            "title_string",
            "score",
        ]
        .contains(&field)
        {
            return Err(Failure::Search(format!("不支持按“{field}”排序")));
        }
        keys.push((field.to_owned(), desc));
    }
    let score = |r: &LightRow| {
        rank.and_then(|m| m.get(&r.dataset.id))
            .copied()
            .unwrap_or(usize::MAX)
    };
    rows.sort_by(|a, b| {
        for (field, desc) in &keys {
            let o = match field.as_str() {
                "metadata_modified" => a.dataset.modified_at.cmp(&b.dataset.modified_at),
                "metadata_created" => a
                    .dataset
                    .published_at
                    .unwrap_or(a.dataset.created_at)
                    .cmp(&b.dataset.published_at.unwrap_or(b.dataset.created_at)),
                "name" => a.dataset.slug.cmp(&b.dataset.slug),
                "title" | "title_string" => a.dataset.title.cmp(&b.dataset.title),
                // Relevance: a lower rank is a higher score.
                _ => score(b).cmp(&score(a)),
            };
            let o = if *desc { o.reverse() } else { o };
            if o != std::cmp::Ordering::Equal {
                return o;
            }
        }
        a.dataset.id.cmp(&b.dataset.id)
    });
    Ok(())
}

/// `datastore_search`: rows of one resource, under the same rules as the row API.
fn datastore_search(
    c: &mut DbConnection,
    user: Option<&crate::db::users::User>,
    actor: &Actor,
    p: &Map<String, Value>,
    now: NaiveDateTime,
) -> Result<Value, Failure> {
    let id = text(p, "resource_id")
        .or_else(|| text(p, "id"))
        .ok_or_else(|| missing("resource_id"))?;
    let (page, r) = public_resource(c, &id)?;
    let limit = integer(p, "limit", 100)?;
    let offset = integer(p, "offset", 0)?;
    for (name, v) in [("limit", limit), ("offset", offset)] {
        if v < 0 {
            return Err(Failure::Validation(BTreeMap::from([(
                name.into(),
                "Must be a natural number".into(),
            )])));
        }
    }
    // Our row query's parameters, from CKAN's. `limit: 0` asks for the fields only (ckanapi
    // does that for every resource it dumps): one row is read and none returned.
    let mut params: Vec<(String, String)> = vec![
        ("limit".into(), limit.max(1).to_string()),
        ("offset".into(), offset.to_string()),
    ];
    if let Some(q) = text(p, "q") {
        params.push(("q".into(), q));
    }
    if let Some(sort) = text(p, "sort") {
        let spec: Vec<String> = sort
            .split(',')
            .filter_map(|part| {
                let mut it = part.split_whitespace();
                let field = it.next()?.trim_matches('"');
                Some(format!("{field}:{}", it.next().unwrap_or("asc")))
            })
            .collect();
        params.push(("sort".into(), spec.join(",")));
    }
    let filters = match p.get("filters") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(m)) => m.clone(),
        Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
            Ok(Value::Object(m)) => m,
            _ => {
                return Err(Failure::Validation(BTreeMap::from([(
                    "filters".into(),
                    "应为 JSON 对象，如 {\"字段\": \"值\"}".into(),
                )])));
            }
        },
        Some(_) => {
            return Err(Failure::Validation(BTreeMap::from([(
                "filters".into(),
                "应为 JSON 对象".into(),
            )])));
        }
    };
    for (k, v) in filters {
        if ["limit", "offset", "sort", "q", "version"].contains(&k.as_str()) {
            return Err(Failure::Validation(BTreeMap::from([(
                "filters".into(),
                format!("“{k}”不是字段名"),
            )])));
        }
        let v = match v {
            Value::String(s) => s,
            other => other.to_string(),
        };
        params.push((k, v));
    }
    let (_, _, rows) = super::resources::query_rows(
        c,
        user,
        actor,
        &page.dataset.slug,
        r.resource.id,
        &params,
        now,
    )?;
    let total = rows.total;
    let wanted = list(p, "fields");
    let (fields, mut records) = super::resources::records(rows);
    if limit == 0 {
        records.clear();
    }
    let mut fields: Vec<Value> = fields
        .into_iter()
        .map(|f| json!({"id": f["name"], "type": f["type"]}))
        .collect();
    if !wanted.is_empty() {
        if let Some(bad) = wanted
            .iter()
            .find(|w| !fields.iter().any(|f| f["id"] == **w))
        {
            return Err(Failure::Validation(BTreeMap::from([(
                "fields".into(),
                format!("没有名为“{bad}”的字段"),
            )])));
        }
        fields.retain(|f| wanted.iter().any(|w| f["id"] == *w));
        for rec in &mut records {
            if let Value::Object(m) = rec {
                m.retain(|k, _| wanted.contains(k));
            }
        }
    }
    let mut out = json!({
        "resource_id": r.resource.id.to_string(),
        "fields": fields,
        "records": records,
        "limit": limit,
        "offset": offset,
        "_links": {
            "start": format!("/api/3/action/datastore_search?resource_id={}&limit={limit}", r.resource.id),
            "next": format!("/api/3/action/datastore_search?resource_id={}&limit={limit}&offset={}", r.resource.id, offset.saturating_add(limit)),
        },
    });
    if p.get("include_total").is_none() || boolean(p, "include_total") {
        out["total"] = json!(total);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fq_reads_terms_negations_or_and_ranges() {
        let c = parse_fq("organization:a -tags:x groups:g1 OR groups:g2 metadata_modified:[2026-01-01T00:00:00Z TO *]").unwrap();
        assert_eq!(c.len(), 4);
        assert!(matches!(&c[1][0], (true, Fq::Tag(t)) if t == "x"));
        assert_eq!(c[2].len(), 2, "OR joins the two groups terms");
        assert!(matches!(&c[3][0], (false, Fq::Modified(Some(_), None))));
        assert!(parse_fq("bogus:1").is_err());
        assert!(parse_fq("OR groups:a").is_err());
        assert!(parse_fq("groups").is_err());
        assert!(parse_fq("name:\"a").is_err());
        assert!(parse_fq("").unwrap().is_empty());
        assert_eq!(
            tokens("name:\"a b\" x:[1 TO 2]"),
            ["name:\"a b\"", "x:[1 TO 2]"]
        );
    }
}
