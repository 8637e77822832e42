//! `/metrics` in the Prometheus text format: requests and latency by route, rate-limit
//! refusals, downloads, search latency, and ingest jobs by state (read from the database when
//! scraped). Only addresses in `api.metrics_allow` may read it; others get a 404.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, HttpRequest, HttpResponse, web};

use super::ratelimit::Channel;
use super::{AppError, AppState};
use crate::services::operations;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

#[derive(Debug, Default, Clone)]
struct Histogram {
    /// Cumulative counts per bucket bound, then the total count.
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Histogram {
    fn observe(&mut self, secs: f64) {
        for (bound, c) in BUCKETS.iter().zip(self.counts.iter_mut()) {
            if secs <= *bound {
                *c += 1;
            }
        }
        self.count += 1;
        self.sum += secs;
    }

    fn write(&self, out: &mut String, name: &str, labels: &str) {
        let sep = if labels.is_empty() { "" } else { "," };
        for (bound, c) in BUCKETS.iter().zip(self.counts.iter()) {
            let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"{bound}\"}} {c}");
        }
        let _ = writeln!(
            out,
            "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {}",
            self.count
        );
        let _ = writeln!(out, "{name}_sum{{{labels}}} {}", self.sum);
        let _ = writeln!(out, "{name}_count{{{labels}}} {}", self.count);
    }
}

/// (route pattern, method).
type RouteKey = (String, String);
/// Counts by status, and the latency.
type RouteStats = (BTreeMap<u16, u64>, Histogram);

#[derive(Debug, Default)]
pub struct Metrics {
    /// (route pattern, method) → status → count, and latency.
    routes: Mutex<BTreeMap<RouteKey, RouteStats>>,
    search: Mutex<Histogram>,
    rate_limited: [AtomicU64; 4],
    downloads: AtomicU64,
    /// Calls to the API channels not yet added to `usage_daily` (see `services::stats`).
    api_calls: AtomicU64,
}

fn channel_index(c: Channel) -> usize {
    match c {
        Channel::Api => 0,
        Channel::Ckan => 1,
        Channel::Search => 2,
        Channel::Web => 3,
    }
}

const CHANNELS: [(&str, Channel); 4] = [
    ("api", Channel::Api),
    ("ckan", Channel::Ckan),
    ("search", Channel::Search),
    ("download", Channel::Web),
];

impl Metrics {
    /// One call to the JSON API, the CKAN API or the exports.
    pub fn api_call(&self) {
        self.api_calls.fetch_add(1, Ordering::Relaxed);
    }

    /// Takes the calls counted since the last take.
    pub fn take_api_calls(&self) -> u64 {
        self.api_calls.swap(0, Ordering::Relaxed)
    }

    /// Gives back calls that could not be stored.
    pub fn return_api_calls(&self, n: u64) {
        self.api_calls.fetch_add(n, Ordering::Relaxed);
    }

    pub fn rate_limited(&self, channel: Channel) {
        self.rate_limited[channel_index(channel)].fetch_add(1, Ordering::Relaxed);
    }

    pub fn search_took(&self, d: Duration) {
        self.search
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .observe(d.as_secs_f64());
    }

    fn request(&self, route: String, method: String, status: u16, d: Duration) {
        if status < 400 && route.ends_with("/download") {
            self.downloads.fetch_add(1, Ordering::Relaxed);
        }
        let mut routes = self.routes.lock().unwrap_or_else(|e| e.into_inner());
        let (statuses, latency) = routes.entry((route, method)).or_default();
        *statuses.entry(status).or_default() += 1;
        latency.observe(d.as_secs_f64());
    }

    /// The text exposition (version 0.0.4).
    pub fn render(&self, ingest: &[(String, i64)]) -> String {
        let mut out = String::new();
        out.push_str(
            "# HELP kaifang_http_requests_total HTTP requests by route, method and status.\n",
        );
        out.push_str("# TYPE kaifang_http_requests_total counter\n");
        let routes = self
            .routes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        for ((route, method), (statuses, _)) in &routes {
            for (status, n) in statuses {
                let _ = writeln!(
                    out,
                    "kaifang_http_requests_total{{route=\"{}\",method=\"{method}\",status=\"{status}\"}} {n}",
                    escape(route)
                );
            }
        }
        out.push_str(
            "# HELP kaifang_http_request_duration_seconds Time to the response head, by route.\n",
        );
        out.push_str("# TYPE kaifang_http_request_duration_seconds histogram\n");
        for ((route, method), (_, latency)) in &routes {
            latency.write(
                &mut out,
                "kaifang_http_request_duration_seconds",
                &format!("route=\"{}\",method=\"{method}\"", escape(route)),
            );
        }
        out.push_str(
            "# HELP kaifang_rate_limited_total Requests refused by a rate limit, by channel.\n",
        );
        out.push_str("# TYPE kaifang_rate_limited_total counter\n");
        for (name, c) in CHANNELS {
            let n = self.rate_limited[channel_index(c)].load(Ordering::Relaxed);
            let _ = writeln!(out, "kaifang_rate_limited_total{{channel=\"{name}\"}} {n}");
        }
        out.push_str(
            "# HELP kaifang_downloads_total Downloads of whole files (website and API).\n",
        );
        out.push_str("# TYPE kaifang_downloads_total counter\n");
        let _ = writeln!(
            out,
            "kaifang_downloads_total {}",
            self.downloads.load(Ordering::Relaxed)
        );
        out.push_str(
            "# HELP kaifang_search_duration_seconds Catalog searches (index and database).\n",
        );
        out.push_str("# TYPE kaifang_search_duration_seconds histogram\n");
        self.search.lock().unwrap_or_else(|e| e.into_inner()).write(
            &mut out,
            "kaifang_search_duration_seconds",
            "",
        );
        out.push_str("# HELP kaifang_ingest_jobs Uploaded resource versions by state.\n");
        out.push_str("# TYPE kaifang_ingest_jobs gauge\n");
        for (status, n) in ingest {
            let _ = writeln!(
                out,
                "kaifang_ingest_jobs{{state=\"{}\"}} {n}",
                escape(status)
            );
        }
        out
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Counts every request by its route pattern (never the raw path: no slugs, no personal data).
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let state = req.app_data::<web::Data<AppState>>().cloned();
    // Made-up methods would each add a series that is never removed.
    let method = match *req.method() {
        actix_web::http::Method::GET => "GET",
        actix_web::http::Method::HEAD => "HEAD",
        actix_web::http::Method::POST => "POST",
        actix_web::http::Method::PATCH => "PATCH",
        actix_web::http::Method::PUT => "PUT",
        actix_web::http::Method::DELETE => "DELETE",
        actix_web::http::Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
    .to_owned();
    let res = next.call(req).await?;
    if let Some(state) = state {
        let route = res
            .request()
            .match_pattern()
            .unwrap_or_else(|| "(unmatched)".into());
        state
            .metrics
            .request(route, method, res.status().as_u16(), started.elapsed());
    }
    Ok(res)
}

/// `GET /metrics`.
pub async fn show(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, AppError> {
    let allowed = &state.settings.api.metrics_networks;
    // The client as far as the trusted proxies say. A forwarded request from a proxy that is not
    // configured as trusted (say nginx on the same host) would look like loopback: refused.
    let peer = req.peer_addr().map(|a| a.ip());
    let trusted = &state.settings.auth.trusted_networks;
    let forwarded = req.headers().contains_key("x-forwarded-for")
        || req
            .headers()
            .contains_key(actix_web::http::header::FORWARDED);
    let from_trusted = peer.is_some_and(|p| trusted.iter().any(|n| n.contains(&p)));
    let ip = crate::web::auth::client_ip(&req, &state.settings.auth)
        .and_then(|s| s.parse::<std::net::IpAddr>().ok());
    let allowed_ip = ip.is_some_and(|ip| allowed.iter().any(|n| n.contains(&ip)));
    if !allowed_ip || (forwarded && !from_trusted) {
        return Err(AppError::NotFound);
    }
    let ingest = state.db(|c| Ok(operations::ingest_counts(c)?)).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.metrics.render(&ingest)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exposition_counts_what_was_observed() {
        let m = Metrics::default();
        m.request(
            "/datasets/{slug}".into(),
            "GET".into(),
            200,
            Duration::from_millis(3),
        );
        m.request(
            "/datasets/{slug}".into(),
            "GET".into(),
            404,
            Duration::from_millis(30),
        );
        m.request(
            "/datasets/{slug}/resources/{id}/download".into(),
            "GET".into(),
            200,
            Duration::from_millis(1),
        );
        m.rate_limited(Channel::Ckan);
        m.search_took(Duration::from_millis(2));
        let text = m.render(&[("ready".into(), 4)]);
        assert!(text.contains(
            "kaifang_http_requests_total{route=\"/datasets/{slug}\",method=\"GET\",status=\"404\"} 1"
        ));
        assert!(text.contains(
            "kaifang_http_request_duration_seconds_bucket{route=\"/datasets/{slug}\",method=\"GET\",le=\"0.005\"} 1"
        ));
        assert!(text.contains(
            "kaifang_http_request_duration_seconds_count{route=\"/datasets/{slug}\",method=\"GET\"} 2"
        ));
        assert!(text.contains("kaifang_rate_limited_total{channel=\"ckan\"} 1"));
        assert!(text.contains("kaifang_downloads_total 1"));
        assert!(text.contains("kaifang_search_duration_seconds_bucket{le=\"0.0025\"} 1"));
        assert!(text.contains("kaifang_ingest_jobs{state=\"ready\"} 4"));
    }
}
