//! Rate limits for the machine-facing channels (governor, in process; DESIGN.md §3).
//!
//! - The JSON API, the CKAN API and the DCAT / Data Package exports share one bucket per caller:
//!   per API key for keyed callers (the key's tier sets the quota), per client address otherwise.
//!   Every response on these channels carries `RateLimit-Limit`, `RateLimit-Remaining` and
//!   `RateLimit-Reset`; a refusal is a `429` with `Retry-After` and the channel's error envelope.
//! - The website's catalog search has its own bucket per client address.
//! - Whole-file downloads (website and API) are limited in number at once per caller: a slot is
//!   held until the last byte of the response body has gone.
//!
//! The middleware also resolves the API key once, for the handlers ([`Caller`]): a key that is
//! presented but not live is refused here, so nobody is silently served as anonymous.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{Error, HttpMessage, HttpResponse, web};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

use super::auth::client_ip;
use super::{AppError, AppState};
use crate::services::accounts::User;
use crate::services::api_keys;
use crate::settings::ApiSettings;

type Limiter =
    RateLimiter<String, DefaultKeyedStateStore<String>, DefaultClock, StateInformationMiddleware>;

/// Which quota a caller gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    Anonymous,
    Registered,
    Partner,
}

impl Tier {
    pub fn of_key(tier: &str) -> Self {
        if tier == "partner" {
            Self::Partner
        } else {
            Self::Registered
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Anonymous => "anonymous",
            Self::Registered => "registered",
            Self::Partner => "partner",
        }
    }
}

/// The caller of a machine-facing request, resolved once by the middleware.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The key's owner, for keyed calls.
    pub user: Option<User>,
    pub tier: Tier,
    /// What the buckets are keyed by: `key:<id>` or `ip:<address>`.
    bucket: String,
}

/// The channel a request belongs to, for limits and for the shape of a refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// `/api/…`, the DCAT catalog and Data Packages: the JSON error envelope.
    Api,
    /// `/api/3/action/…` and `/api/action/…`: CKAN's envelope.
    Ckan,
    /// The website's catalog search: the site's error page.
    Search,
    /// Any other page (only downloads are limited there).
    Web,
}

impl Channel {
    pub fn of(method: &Method, path: &str, query: &str) -> Self {
        if path.starts_with("/api/3/action/") || path.starts_with("/api/action/") {
            Self::Ckan
        } else if path.starts_with("/api/")
            || path == "/catalog.ttl"
            || path == "/catalog.jsonld"
            || (path.starts_with("/datasets/")
                && (path.ends_with("/datapackage.json")
                    || path.ends_with("/dcat.ttl")
                    || path.ends_with("/dcat.jsonld")))
        {
            Self::Api
        } else if path == "/datasets"
            && !query.is_empty()
            && matches!(*method, Method::GET | Method::HEAD)
        {
            Self::Search
        } else {
            Self::Web
        }
    }

    fn machine(self) -> bool {
        matches!(self, Self::Api | Self::Ckan)
    }
}

/// `…/resources/{id}/download` on the website or the API.
fn is_download(path: &str) -> bool {
    path.ends_with("/download") && path.contains("/resources/")
}

/// The API key a request presents: `Authorization: Bearer <key>`, the raw key in
/// `Authorization` (as CKAN clients send it) or `X-CKAN-API-Key`.
pub fn presented_key(headers: &HeaderMap) -> Option<String> {
    let auth = headers
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .map(|v| v.strip_prefix("Bearer ").unwrap_or(v).trim().to_owned());
    auth.or_else(|| {
        headers
            .get("x-ckan-api-key")
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    })
}

/// The bucket of an anonymous caller: the address, or for IPv6 its /64 (one subscriber's
/// network, whose addresses are the subscriber's to choose).
fn address_bucket(ip: &str) -> String {
    match ip.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("ip:{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        _ => format!("ip:{ip}"),
    }
}

/// The outcome of counting one request against a bucket.
#[derive(Debug, Clone, Copy)]
struct Budget {
    limit: u32,
    remaining: u32,
    /// Seconds until the bucket is whole again.
    reset: u64,
    /// Set when refused: seconds until one more request is let through.
    retry_after: Option<u64>,
}

fn secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

fn quota(per_minute: u32) -> Quota {
    let n = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
    Quota::per_minute(n).allow_burst(n)
}

fn count(limiter: &Limiter, key: &str) -> Budget {
    match limiter.check_key(&key.to_owned()) {
        Ok(state) => {
            let q = state.quota();
            let limit = q.burst_size().get();
            let remaining = state.remaining_burst_capacity();
            Budget {
                limit,
                remaining,
                reset: secs(q.replenish_interval() * (limit - remaining)),
                retry_after: None,
            }
        }
        Err(not_until) => {
            let q = not_until.quota();
            let limit = q.burst_size().get();
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            Budget {
                limit,
                remaining: 0,
                reset: secs(wait + q.replenish_interval() * (limit - 1)),
                retry_after: Some(secs(wait).max(1)),
            }
        }
    }
}

pub struct RateLimits {
    anonymous: Limiter,
    registered: Limiter,
    partner: Limiter,
    search: Limiter,
    max_downloads: u32,
    downloads: Arc<Mutex<HashMap<String, u32>>>,
    checks: AtomicU32,
}

impl RateLimits {
    pub fn new(s: &ApiSettings) -> Self {
        Self {
            anonymous: RateLimiter::keyed(quota(s.anonymous_per_minute))
                .with_middleware::<StateInformationMiddleware>(),
            registered: RateLimiter::keyed(quota(s.registered_per_minute))
                .with_middleware::<StateInformationMiddleware>(),
            partner: RateLimiter::keyed(quota(s.partner_per_minute))
                .with_middleware::<StateInformationMiddleware>(),
            search: RateLimiter::keyed(quota(s.search_per_minute))
                .with_middleware::<StateInformationMiddleware>(),
            max_downloads: s.concurrent_downloads.max(1),
            downloads: Arc::default(),
            checks: AtomicU32::new(0),
        }
    }

    fn for_tier(&self, tier: Tier) -> &Limiter {
        match tier {
            Tier::Anonymous => &self.anonymous,
            Tier::Registered => &self.registered,
            Tier::Partner => &self.partner,
        }
    }

    /// Every 1,000 checks, forgets buckets that have refilled, so the maps stay small.
    fn tick(&self) {
        if self.checks.fetch_add(1, Ordering::Relaxed) % 1000 == 999 {
            for l in [
                &self.anonymous,
                &self.registered,
                &self.partner,
                &self.search,
            ] {
                l.retain_recent();
            }
        }
    }

    /// Takes a download slot for this caller, or says how many are allowed.
    fn take_download_slot(&self, bucket: &str) -> Result<Slot, u32> {
        let mut map = self.downloads.lock().unwrap_or_else(|e| e.into_inner());
        let n = map.entry(bucket.to_owned()).or_insert(0);
        if *n >= self.max_downloads {
            return Err(self.max_downloads);
        }
        *n += 1;
        Ok(Slot {
            map: self.downloads.clone(),
            bucket: bucket.to_owned(),
        })
    }
}

/// A download slot, given back when dropped (with the response body).
struct Slot {
    map: Arc<Mutex<HashMap<String, u32>>>,
    bucket: String,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = map.get_mut(&self.bucket) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                map.remove(&self.bucket);
            }
        }
    }
}

/// A response body that holds a download slot until it is finished or dropped.
struct Held {
    body: BoxBody,
    _slot: Slot,
}

impl MessageBody for Held {
    type Error = Box<dyn std::error::Error>;

    fn size(&self) -> BodySize {
        self.body.size()
    }

    fn poll_next(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        Pin::new(&mut self.body).poll_next(cx)
    }
}

static LIMIT: HeaderName = HeaderName::from_static("ratelimit-limit");
static REMAINING: HeaderName = HeaderName::from_static("ratelimit-remaining");
static RESET: HeaderName = HeaderName::from_static("ratelimit-reset");

fn set_headers(headers: &mut HeaderMap, b: &Budget) {
    for (name, value) in [
        (&LIMIT, u64::from(b.limit)),
        (&REMAINING, u64::from(b.remaining)),
        (&RESET, b.reset),
    ] {
        headers.insert(name.clone(), HeaderValue::from(value));
    }
    if let Some(s) = b.retry_after {
        headers.insert(actix_web::http::header::RETRY_AFTER, HeaderValue::from(s));
    }
}

/// The refusal in the channel's own shape.
fn refusal(
    req: ServiceRequest,
    channel: Channel,
    status: StatusCode,
    code: &'static str,
    ckan_type: &str,
    message: String,
    retry_after: Option<u64>,
) -> ServiceResponse<BoxBody> {
    match channel {
        Channel::Ckan => {
            let res =
                super::api::ckan::envelope::error_response(req.path(), status, ckan_type, &message);
            req.into_response(res)
        }
        Channel::Api => {
            let res = super::api_error::ApiError::new(status, code, message);
            req.into_response(actix_web::ResponseError::error_response(&res))
        }
        Channel::Search | Channel::Web => {
            let err = if status == StatusCode::TOO_MANY_REQUESTS {
                AppError::TooManyRequests {
                    retry_after: retry_after.unwrap_or(1),
                }
            } else {
                AppError::Forbidden(message)
            };
            req.error_response(err)
        }
    }
}

/// The 429 for a spent bucket, counted for `/metrics`.
fn over_quota(
    req: ServiceRequest,
    state: &AppState,
    channel: Channel,
    b: &Budget,
    tier: Tier,
) -> ServiceResponse<BoxBody> {
    state.metrics.rate_limited(channel);
    let what = if channel == Channel::Search {
        "搜索"
    } else {
        "API 调用"
    };
    let wait = b.retry_after.unwrap_or(1);
    let mut res = refusal(
        req,
        channel,
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
        "Rate Limit Error",
        format!(
            "{what}过于频繁：每分钟最多 {} 次（{}），请 {wait} 秒后再试",
            b.limit,
            tier.as_str()
        ),
        Some(wait),
    );
    set_headers(res.headers_mut(), b);
    res
}

/// The middleware: counts the request, refuses it past the quota, labels the response.
pub async fn limit(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    // Classified on the decoded path, the one routing uses: `/%61pi/v1/…` is `/api/v1/…`.
    let path = req.match_info().as_str().to_owned();
    let channel = Channel::of(req.method(), &path, req.query_string());
    let download = is_download(&path);
    if channel == Channel::Web && !download {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    if channel.machine() && req.method() != Method::OPTIONS {
        state.metrics.api_call();
    }
    if channel.machine() && req.method() == Method::OPTIONS {
        // A CORS preflight: reads may come from any origin; nothing else may.
        let res = HttpResponse::NoContent()
            .insert_header(("access-control-allow-origin", "*"))
            .insert_header(("access-control-allow-methods", "GET, HEAD"))
            .insert_header((
                "access-control-allow-headers",
                "Authorization, X-CKAN-API-Key, If-None-Match",
            ))
            .insert_header(("access-control-max-age", "86400"))
            .finish();
        return Ok(req.into_response(res));
    }
    let cors = channel.machine() && matches!(*req.method(), Method::GET | Method::HEAD);
    let limits = state.rate_limits.clone();
    limits.tick();
    let ip = client_ip(req.request(), &state.settings.auth).unwrap_or_else(|| "unknown".into());
    let mut caller = Caller {
        user: None,
        tier: Tier::Anonymous,
        bucket: address_bucket(&ip),
    };
    if channel.machine()
        && let Some(key) = presented_key(req.headers())
    {
        // Only the shape is checked for free; a lookup counts against the address's bucket
        // unless it finds a live key, so a flood of made-up keys is limited like anything else.
        let found = if api_keys::well_formed(&key) {
            let now = state.clock.now();
            state
                .db(move |c| Ok(api_keys::authenticate_key(c, &key, now)?))
                .await
        } else {
            Ok(None)
        };
        match found {
            Ok(Some((key, user))) => {
                caller = Caller {
                    // One bucket per person, however many keys they make.
                    bucket: format!("user:{}", user.id),
                    user: Some(user),
                    tier: Tier::of_key(&key.tier),
                };
            }
            Ok(None) => {
                let b = count(&limits.anonymous, &caller.bucket);
                if b.retry_after.is_some() {
                    return Ok(over_quota(req, &state, channel, &b, Tier::Anonymous));
                }
                let (status, code) = if channel == Channel::Ckan {
                    (StatusCode::FORBIDDEN, "forbidden")
                } else {
                    (StatusCode::UNAUTHORIZED, "unauthorized")
                };
                let mut res = refusal(
                    req,
                    channel,
                    status,
                    code,
                    "Authorization Error",
                    "API 密钥无效、已撤销或所属账号已停用".into(),
                    None,
                );
                set_headers(res.headers_mut(), &b);
                if status == StatusCode::UNAUTHORIZED {
                    res.headers_mut().insert(
                        actix_web::http::header::WWW_AUTHENTICATE,
                        HeaderValue::from_static("Bearer"),
                    );
                }
                return Ok(res);
            }
            Err(e) => return Ok(req.error_response(e)),
        }
    }
    let budget = match channel {
        Channel::Api | Channel::Ckan => Some(count(limits.for_tier(caller.tier), &caller.bucket)),
        Channel::Search => Some(count(&limits.search, &caller.bucket)),
        Channel::Web => None,
    };
    if let Some(b) = budget
        && b.retry_after.is_some()
    {
        return Ok(over_quota(req, &state, channel, &b, caller.tier));
    }
    let slot = if download {
        match limits.take_download_slot(&caller.bucket) {
            Ok(slot) => Some(slot),
            Err(max) => {
                state.metrics.rate_limited(channel);
                let mut res = refusal(
                    req,
                    channel,
                    StatusCode::TOO_MANY_REQUESTS,
                    "too_many_downloads",
                    "Rate Limit Error",
                    format!("同时进行的下载最多 {max} 个，请等已有下载完成后再试"),
                    Some(5),
                );
                res.headers_mut().insert(
                    actix_web::http::header::RETRY_AFTER,
                    HeaderValue::from_static("5"),
                );
                if let Some(b) = budget {
                    set_headers(
                        res.headers_mut(),
                        &Budget {
                            retry_after: None,
                            ..b
                        },
                    );
                }
                return Ok(res);
            }
        }
    } else {
        None
    };
    if channel.machine() {
        req.extensions_mut().insert(caller);
    }
    let mut res = next.call(req).await?.map_into_boxed_body();
    if let Some(b) = budget {
        set_headers(res.headers_mut(), &b);
    }
    if cors {
        let h = res.headers_mut();
        h.insert(
            HeaderName::from_static("access-control-allow-origin"),
            HeaderValue::from_static("*"),
        );
        h.insert(
            HeaderName::from_static("access-control-expose-headers"),
            HeaderValue::from_static(
                "ETag, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset",
            ),
        );
    }
    Ok(match slot {
        Some(slot) => res.map_body(|_, body| BoxBody::new(Held { body, _slot: slot })),
        None => res,
    })
}

#[cfg(test)]
#[path = "ratelimit_tests.rs"]
mod tests;
