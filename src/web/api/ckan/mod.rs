//! The CKAN-compatible Action API (`/api/3/action/{name}`): enough of CKAN 2.10 for ckanapi,
//! harvesters and CKAN client libraries. Searches go through the catalog's search index
//! (`services::ckan`); this module reads parameters and writes CKAN's dictionaries.

mod datastore;
pub mod envelope;
mod params;
mod shapes;

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};
use serde_json::{Map, Value, json};

use self::envelope::{error_response, help_url};
use self::params::{Params, boolean, integer, missing, text};
use super::ApiError;
use super::read::base_url;
use crate::domain::OpenClass;
use crate::services::Actor;
use crate::services::ckan::{self as service, CkanError, Owner};
use crate::web::AppState;
use crate::web::auth::client_ip;
use crate::web::ratelimit::Caller;

pub use self::params::BOOLEAN_WORDS;
pub use self::shapes::package;

/// The CKAN version we answer as (the Action API of 2.10).
const CKAN_VERSION: &str = "2.10.4";

/// An action's failure, in CKAN's terms.
#[derive(Debug)]
pub enum Failure {
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
            StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => {
                Self::Validation(BTreeMap::from([("message".to_owned(), e.message)]))
            }
            _ => Self::Api(e),
        }
    }
}

impl From<CkanError> for Failure {
    fn from(e: CkanError) -> Self {
        match e {
            CkanError::Db(e) => Self::Api(ApiError::from(e)),
            CkanError::Search(e) => Self::Api(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                e.to_string(),
            )),
        }
    }
}

impl From<crate::web::AppError> for Failure {
    fn from(e: crate::web::AppError) -> Self {
        Self::from(ApiError::from(e))
    }
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
            let lang = crate::i18n::Lang::current();
            for (k, v) in fields {
                error.insert(k, json!([lang.msg(&v)]));
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

/// `/api/3/action/{name}` and `/api/action/{name}`.
pub async fn action(
    state: web::Data<AppState>,
    req: HttpRequest,
    name: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let path = req.path().to_owned();
    let result = match params::params(&req, &body) {
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

/// A number outside what the action takes.
fn out_of_range(name: &str, min: i64, max: i64) -> Failure {
    let rule = if max == i64::MAX {
        format!("Must be at least {min}")
    } else {
        format!("Must be between {min} and {max}")
    };
    Failure::Validation(std::collections::BTreeMap::from([(name.to_owned(), rule)]))
}

fn not_found(what: &str) -> Failure {
    Failure::NotFound(format!("Not found: {what}"))
}

async fn dispatch(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    name: &str,
    p: Params,
) -> Result<Value, Failure> {
    let base = base_url(state, req);
    let index = state.search.clone();
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
            let limit = integer(&p, "limit", i64::MAX)?.max(0);
            let offset = integer(&p, "offset", 0)?.max(0);
            let names = state
                .db_as::<_, Failure, _>(move |c| Ok(service::names(c, offset, limit)?))
                .await?;
            Ok(json!(names))
        }
        "package_show" => {
            let id = text(&p, "id")
                .or_else(|| text(&p, "name"))
                .ok_or_else(|| missing("id"))?;
            let page = state
                .db_as::<_, Failure, _>(move |c| Ok(service::package(c, &id)?))
                .await?
                .ok_or_else(|| not_found("数据集不存在或未开放"))?;
            Ok(package(&base, &page))
        }
        "current_package_list_with_resources" => {
            let limit = integer(&p, "limit", 100)?;
            if !(1..=1000).contains(&limit) {
                return Err(out_of_range("limit", 1, 1000));
            }
            let page = integer(&p, "page", 1)?;
            if page < 1 {
                return Err(out_of_range("page", 1, i64::MAX));
            }
            // `offset` is read (and refused when it is not a number) even when `page` wins.
            let offset = integer(&p, "offset", 0)?.max(0);
            let offset = match p.get("page") {
                Some(_) => (page - 1).saturating_mul(limit),
                None => offset,
            };
            let pages = state
                .db_as::<_, Failure, _>(move |c| Ok(service::recent(c, offset, limit)?))
                .await?;
            Ok(json!(
                pages
                    .iter()
                    .map(|page| package(&base, page))
                    .collect::<Vec<_>>()
            ))
        }
        "package_autocomplete" | "format_autocomplete" => {
            let q = text(&p, "q")
                .or_else(|| text(&p, "incomplete"))
                .ok_or_else(|| missing("q"))?;
            if q.chars().count() > 100 {
                return Err(out_of_range("q", 1, 100));
            }
            let formats = name == "format_autocomplete";
            let limit = integer(&p, "limit", if formats { 5 } else { 10 })?;
            if !(1..=100).contains(&limit) {
                return Err(out_of_range("limit", 1, 100));
            }
            if formats {
                let found = state
                    .db_as::<_, Failure, _>(move |c| Ok(service::formats(c, &q, limit)?))
                    .await?;
                return Ok(json!(found));
            }
            let needle = q.to_lowercase();
            let found = state
                .db_as::<_, Failure, _>(move |c| Ok(service::autocomplete(c, &q, limit)?))
                .await?;
            Ok(json!(
                found
                    .into_iter()
                    .map(|(name, title)| {
                        let by_name = name.to_lowercase().contains(&needle);
                        json!({
                            "name": name,
                            "title": title,
                            "match_field": if by_name { "name" } else { "title" },
                            "match_displayed": if by_name { &name } else { &title },
                        })
                    })
                    .collect::<Vec<_>>()
            ))
        }
        "package_search" => {
            let search = params::search(&p, state.clock.now())?;
            let q = search.query.clone();
            let started = std::time::Instant::now();
            let found = state
                .db_as::<_, Failure, _>(move |c| Ok(service::search(c, &*index, &q)?))
                .await?;
            state.metrics.search_took(started.elapsed());
            Ok(search_result(&base, &search, found))
        }
        "organization_list" | "group_list" => {
            let orgs = name == "organization_list";
            let all_fields = boolean(&p, "all_fields")?;
            let items: Vec<Value> = if orgs {
                state
                    .db_as::<_, Failure, _>(move |c| Ok(service::organizations(c, &*index)?))
                    .await?
                    .iter()
                    .map(|(d, n)| shapes::organization(d, *n))
                    .collect()
            } else {
                state
                    .db_as::<_, Failure, _>(move |c| Ok(service::groups(c, &*index)?))
                    .await?
                    .iter()
                    .map(|(t, n)| shapes::group(t, *n))
                    .collect()
            };
            Ok(if all_fields {
                json!(items)
            } else {
                json!(items.iter().map(|i| i["name"].clone()).collect::<Vec<_>>())
            })
        }
        "organization_show" | "group_show" => {
            let orgs = name == "organization_show";
            let id = text(&p, "id").ok_or_else(|| missing("id"))?;
            let first = if boolean(&p, "include_datasets")? {
                params::MAX_ROWS
            } else {
                0
            };
            let (owner, found) = state
                .db_as::<_, Failure, _>(move |c| Ok(service::owner(c, &*index, orgs, &id, first)?))
                .await?
                .ok_or_else(|| {
                    not_found(if orgs {
                        "没有这个部门"
                    } else {
                        "没有这个主题"
                    })
                })?;
            let mut value = match &owner {
                Owner::Department(d) => shapes::organization(d, found.total),
                Owner::Theme(t) => shapes::group(t, found.total),
            };
            if first > 0 {
                value["packages"] = json!(
                    found
                        .packages
                        .iter()
                        .map(|page| package(&base, page))
                        .collect::<Vec<_>>()
                );
            }
            Ok(value)
        }
        "tag_list" => {
            let query = text(&p, "query");
            let tags = state
                .db_as::<_, Failure, _>(move |c| Ok(service::tags(c, query.as_deref())?))
                .await?;
            Ok(json!(tags))
        }
        "license_list" => {
            let licenses = state
                .db_as::<_, Failure, _>(move |c| Ok(service::licenses(c)?))
                .await?;
            Ok(json!(
                licenses
                    .into_iter()
                    .map(|(id, title)| json!({"id": id, "title": title, "status": "active", "url": ""}))
                    .collect::<Vec<_>>()
            ))
        }
        "resource_show" | "resource_view_list" => {
            let id = text(&p, "id").ok_or_else(|| missing("id"))?;
            let (page, r) = state
                .db_as::<_, Failure, _>(move |c| Ok(service::resource(c, &id)?))
                .await?
                .ok_or_else(|| not_found("资源不存在或未开放"))?;
            if name == "resource_show" {
                return Ok(shapes::resource(&base, &page, &r));
            }
            let open = page.dataset.open_class == OpenClass::Unconditional;
            Ok(json!(if open {
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
            }))
        }
        "datastore_search" => {
            let request = datastore::read(&p)?;
            let user = req
                .extensions()
                .get::<Caller>()
                .cloned()
                .and_then(|c| c.user);
            let actor = match &user {
                Some(u) => Actor::user(u.id, client_ip(req, &state.settings.auth)),
                None => Actor::anonymous(client_ip(req, &state.settings.auth)),
            };
            let now = state.clock.now();
            let id = request.resource_id.clone();
            let params = request.params.clone();
            let (resource_id, rows) = state
                .db_as::<_, Failure, _>(move |c| {
                    let (page, r) = service::resource(c, &id)?
                        .ok_or_else(|| not_found("资源不存在或未开放"))?;
                    let (_, _, rows) = super::resources::query_rows(
                        c,
                        user.as_ref(),
                        &actor,
                        &page.dataset.slug,
                        r.resource.id,
                        &params,
                        now,
                    )?;
                    Ok((r.resource.id, rows))
                })
                .await?;
            let total = rows.total;
            let (fields, records) = crate::web::rows_json::records(rows);
            datastore::answer(&request, resource_id, total, fields, records)
        }
        other => Err(Failure::BadRequest(format!(
            "Bad request - Action name not known: {other}"
        ))),
    }
}

/// `package_search`'s result: the page, the count and the facets asked for.
fn search_result(base: &str, search: &params::Search, found: service::Found) -> Value {
    let mut facets = Map::new();
    let mut search_facets = Map::new();
    for field in &search.facet_fields {
        let f = &found.facets;
        let counts = match field.as_str() {
            "organization" => &f.department,
            "groups" => &f.theme,
            "tags" => &f.tag,
            "res_format" => &f.format,
            "license_id" => &f.license,
            "open_class" => &f.open_class,
            _ => &f.frequency,
        };
        let mut items: Vec<&(String, u64)> = counts.iter().collect();
        items.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        if search.facet_limit >= 0 {
            items.truncate(search.facet_limit as usize);
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
    json!({
        "count": found.total,
        "sort": search.sort,
        "results": found.packages.iter().map(|page| package(base, page)).collect::<Vec<_>>(),
        "facets": facets,
        "search_facets": search_facets,
    })
}
