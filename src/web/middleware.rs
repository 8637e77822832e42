//! Cross-cutting HTTP concerns: request ids and access logs, security headers, error pages.

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::{DefaultHeaders, Next};
use actix_web::{Error, HttpMessage, HttpResponse, HttpResponseBuilder, web};
use tracing::Instrument;

use super::layout::{Layout, NAV_NONE};
use super::pages::errors::ErrorPage;
use super::{AppError, AppState};

/// The id of the current request, also sent back as `X-Request-Id`.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

static X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Gives each request an id, runs it inside a tracing span carrying that id, and logs one
/// line when it completes. Logs hold method, path, status and duration: no query strings,
/// client addresses or user agents, so no personal data reaches the logs.
pub async fn request_log(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let id = uuid::Uuid::new_v4().simple().to_string();
    req.extensions_mut().insert(RequestId(id.clone()));
    let method = req.method().to_string();
    let path: String = req.path().chars().take(200).collect();
    let span = tracing::info_span!("request", request_id = %id, %method, %path);
    let started = Instant::now();
    let result = next.call(req).instrument(span.clone()).await;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    let _guard = span.enter();
    match result {
        Ok(mut res) => {
            let status = res.status().as_u16();
            if status >= 500 {
                tracing::error!(status, ms, "request completed");
            } else {
                tracing::info!(status, ms, "request completed");
            }
            if let Ok(v) = HeaderValue::from_str(&id) {
                res.headers_mut().insert(X_REQUEST_ID.clone(), v);
            }
            Ok(res)
        }
        Err(e) => {
            tracing::error!(error = %e, ms, "request failed");
            Err(e)
        }
    }
}

/// No inline script or style anywhere, so the policy can forbid both.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
    object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// Pages with personal data or secrets are not kept by browsers or proxies (after logging out,
/// "back" must not show them).
pub async fn private_pages(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    const PRIVATE: [&str; 6] = [
        "/account",
        "/admin",
        "/console",
        "/login",
        "/register",
        "/api/",
    ];
    // The decoded path, as routing sees it (`/%61ccount` is `/account`).
    let path = req.match_info().as_str().to_owned();
    let private = PRIVATE.iter().any(|p| path.starts_with(p));
    let mut res = next.call(req).await?;
    // Public API metadata says itself that it may be cached (with its ETag); nothing else does.
    let public_api = path.starts_with("/api/")
        && res
            .headers()
            .get(header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("public"));
    if private && !public_api {
        res.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(res)
}

pub fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add(("Content-Security-Policy", CONTENT_SECURITY_POLICY))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Referrer-Policy", "strict-origin-when-cross-origin"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Cross-Origin-Opener-Policy", "same-origin"))
        .add((
            "Permissions-Policy",
            "camera=(), microphone=(), geolocation=(), payment=()",
        ))
}

/// Replaces the plain-text body of an error response (from [`AppError`] or from actix
/// itself: unknown route, wrong method, malformed request) with the site's error page.
/// Responses that already are HTML or JSON (a catalog page with a 400, `/healthz`) pass.
pub async fn error_pages(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let res = next.call(req).await?;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return Ok(res.map_into_boxed_body());
    }
    let content_type = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if content_type.starts_with("text/html") || content_type.starts_with("application/json") {
        return Ok(res.map_into_boxed_body());
    }
    if res.request().match_info().as_str().starts_with("/api/") {
        // Programs get the JSON envelope, whatever produced the error.
        let (title, message) = generic_message(status.as_u16());
        let code = match status.as_u16() {
            401 => "unauthorized",
            403 => "forbidden",
            404 => "not_found",
            405 => "method_not_allowed",
            409 => "conflict",
            413 => "payload_too_large",
            429 => "too_many_requests",
            503 => "unavailable",
            s if s >= 500 => "internal",
            _ => "bad_request",
        };
        let body = serde_json::json!({"error": {"code": code, "message": crate::i18n::Lang::current().msg(&format!("{title}：{message}"))}});
        let mut builder = HttpResponse::build(status);
        keep_error_headers(&res, &mut builder);
        return Ok(res.into_response(builder.json(body)));
    }
    let Some(state) = res.request().app_data::<web::Data<AppState>>().cloned() else {
        return Ok(res.map_into_boxed_body());
    };
    let app_error = res
        .response()
        .error()
        .and_then(|e| e.as_error::<AppError>());
    let (title, message) = match app_error {
        Some(e) => (e.title().to_owned(), e.public_message()),
        None => generic_message(status.as_u16()),
    };
    let lang = super::lang::of(res.request());
    let (title, message, detail) = match lang {
        crate::i18n::Lang::Zh => (title, message, None),
        // The English page says what the status means; words a handler chose (a reason for a
        // 400, 403 or 409) follow in English from the catalog (in Chinese, marked as such, if
        // it has none).
        crate::i18n::Lang::En => {
            let code = status.as_u16();
            let known = [
                400, 401, 403, 404, 405, 409, 410, 413, 414, 429, 431, 500, 503, 507,
            ];
            let key = if known.contains(&code) {
                code
            } else if code >= 500 {
                500
            } else {
                400
            };
            let own = app_error
                .and_then(AppError::own_message)
                .map(|m| lang.msg(&m).into_owned());
            (
                lang.t(&format!("error-{key}-title")),
                lang.t(&format!("error-{key}-message")),
                own,
            )
        }
    };
    let layout = Layout::for_request(&state, res.request(), title.clone(), NAV_NONE);
    let page = ErrorPage {
        layout,
        status: status.as_u16(),
        title,
        message,
        detail,
    };
    let html = match askama::Template::render(&page) {
        Ok(html) => html,
        Err(e) => {
            tracing::error!(error = %e, "cannot render the error page");
            return Ok(res.map_into_boxed_body());
        }
    };
    let mut builder = HttpResponse::build(status);
    builder.content_type("text/html; charset=utf-8");
    keep_error_headers(&res, &mut builder);
    if status == actix_web::http::StatusCode::SERVICE_UNAVAILABLE
        && !res.headers().contains_key(header::RETRY_AFTER)
    {
        builder.insert_header((header::RETRY_AFTER, "10"));
    }
    Ok(res.into_response(builder.body(html)))
}

/// Headers that belong to the error itself survive the new body.
fn keep_error_headers(res: &ServiceResponse<impl MessageBody>, builder: &mut HttpResponseBuilder) {
    for name in [header::ALLOW, header::RETRY_AFTER, header::WWW_AUTHENTICATE] {
        if let Some(v) = res.headers().get(&name) {
            builder.insert_header((name, v.clone()));
        }
    }
}

fn generic_message(status: u16) -> (String, String) {
    let (t, m) = match status {
        404 => ("页面不存在", "您访问的页面不存在，或该数据集未向社会开放。"),
        405 => ("请求方法不被支持", "此地址不支持该请求方法。"),
        413 => ("内容过大", "提交的内容超过了允许的大小。"),
        414 | 431 => ("请求过长", "请求的地址或请求头过长。"),
        s if s >= 500 => ("服务器内部错误", "处理请求时出现错误，请稍后再试。"),
        _ => ("请求有误", "请求的格式不正确，请检查后重试。"),
    };
    (t.to_owned(), m.to_owned())
}
