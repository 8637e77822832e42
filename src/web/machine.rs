//! What the JSON API and the machine-readable exports (`pages::exports`) share: the portal's
//! absolute links, ETagged answers and the paging of harvests.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use chrono::NaiveDateTime;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::services::catalog::{self, DatasetPage};
use crate::web::AppState;
use crate::web::api_error::ApiError;

/// The portal's own address for absolute links: `site.public_url`, which startup fills in from
/// the bound address when it is unset (`startup::public_url`). Never the request's `Host`.
pub fn base_url(state: &AppState, _req: &HttpRequest) -> String {
    state
        .settings
        .site
        .public_url
        .trim_end_matches('/')
        .to_owned()
}

/// A JSON body with a strong ETag; `If-None-Match` with the same tag gets 304.
pub fn tagged(req: &HttpRequest, content_type: &str, body: Vec<u8>) -> HttpResponse {
    let tag = format!("\"{}\"", &hex::encode(Sha256::digest(&body))[..32]);
    let matches = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag || t.trim() == "*"));
    let mut res = if matches {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    res.insert_header((header::ETAG, tag))
        .insert_header((header::CACHE_CONTROL, "public, max-age=60"));
    if matches {
        res.finish()
    } else {
        res.content_type(content_type).body(body)
    }
}

pub fn tagged_json(req: &HttpRequest, value: &Value) -> HttpResponse {
    tagged(
        req,
        "application/json",
        serde_json::to_vec(value).unwrap_or_default(),
    )
}

/// The download links of a resource, one per format.
pub fn download_urls(base: &str, slug: &str, resource_id: i32) -> Value {
    let url =
        |f: &str| format!("{base}/datasets/{slug}/resources/{resource_id}/download?format={f}");
    json!({ "csv": url("csv"), "json": url("json"), "xlsx": url("xlsx") })
}

/// `modified_since=2026-11-01T00:00:00Z` (or a date), for incremental harvesting.
pub fn parse_since(value: &str) -> Result<NaiveDateTime, ApiError> {
    let v = value.trim();
    chrono::DateTime::parse_from_rfc3339(v)
        .map(|t| t.naive_utc())
        .or_else(|_| NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S"))
        .or_else(|_| {
            chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
                .map(|d| d.and_hms_opt(0, 0, 0).unwrap_or_default())
        })
        .map_err(|_| {
            ApiError::bad_request(format!(
                "modified_since“{v}”不是有效的时间，应为 RFC 3339（如 2026-11-01T00:00:00Z）或日期"
            ))
        })
}

/// The furthest page a harvest may ask for (a million pages of up to 100 datasets).
pub const MAX_HARVEST_PAGE: i64 = 1_000_000;

/// One page of a harvest: `modified_since`, `page` (from 1) and, where the caller may choose it,
/// `per_page` (1–100). Anything else is a 400 naming what is allowed.
pub struct HarvestQuery {
    pub since: Option<NaiveDateTime>,
    pub page: i64,
    pub per_page: i64,
}

impl HarvestQuery {
    /// `per_page`: `Some(default)` when the caller may set it, `None` for a fixed size.
    pub fn parse(pairs: &[(String, String)], per_page: Option<i64>) -> Result<Self, ApiError> {
        let choosable = per_page.is_some();
        let mut h = Self {
            since: None,
            page: 1,
            per_page: per_page.unwrap_or(100),
        };
        for (k, v) in pairs {
            match k.as_str() {
                "modified_since" => h.since = Some(parse_since(v)?),
                "page" => {
                    h.page = v
                        .parse()
                        .ok()
                        .filter(|n| (1..=MAX_HARVEST_PAGE).contains(n))
                        .ok_or_else(|| {
                            ApiError::bad_request(format!(
                                "page 应为 1 到 {MAX_HARVEST_PAGE} 之间的整数"
                            ))
                        })?
                }
                "per_page" if choosable => {
                    h.per_page = v
                        .parse()
                        .ok()
                        .filter(|n| (1..=100).contains(n))
                        .ok_or_else(|| ApiError::bad_request("per_page 应为 1 到 100 之间的整数"))?
                }
                other => {
                    let allowed = if choosable {
                        "modified_since、page、per_page"
                    } else {
                        "modified_since、page"
                    };
                    return Err(ApiError::bad_request(format!(
                        "不支持的参数“{other}”；可用：{allowed}"
                    )));
                }
            }
        }
        Ok(h)
    }

    /// The total and this page of public datasets changed since `since`.
    pub async fn run(&self, state: &AppState) -> Result<(i64, Vec<DatasetPage>), ApiError> {
        let offset = (self.page - 1)
            .checked_mul(self.per_page)
            .ok_or_else(|| ApiError::bad_request("page 过大"))?;
        let (since, limit) = (self.since, self.per_page);
        state
            .db_as(move |c| Ok::<_, ApiError>(catalog::harvest(c, since, offset, limit)?))
            .await
    }
}
