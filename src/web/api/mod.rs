//! The JSON API: `Authorization: Bearer <key>`, errors as
//! `{"error":{"code","message","fields"?}}` (DESIGN.md §5).

pub mod account;
pub mod catalog;
pub mod ckan;
pub mod datasets;
pub mod emergencies;
pub mod openapi;
pub mod read;
pub mod records;
pub mod resources;

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError, web};

use super::AppState;
use crate::services::accounts::User;
use crate::services::api_keys;

/// An API error, rendered as the JSON envelope.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub fields: Option<BTreeMap<String, String>>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            fields: None,
        }
    }

    pub fn with_fields(mut self, fields: BTreeMap<String, String>) -> Self {
        self.fields = Some(fields);
        self
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "需要有效的 API 密钥：Authorization: Bearer <key>",
        )
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "资源不存在")
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    pub fn internal(e: impl Into<anyhow::Error>) -> Self {
        let e = e.into();
        tracing::error!(error = %format!("{e:#}"), "API request failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "服务器内部错误",
        )
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut error = serde_json::json!({ "code": self.code, "message": self.message });
        if let Some(f) = &self.fields {
            error["fields"] = serde_json::json!(f);
        }
        let mut res = HttpResponse::build(self.status);
        if self.status == StatusCode::UNAUTHORIZED {
            res.insert_header(("WWW-Authenticate", "Bearer"));
        }
        res.json(serde_json::json!({ "error": error }))
    }
}

impl From<super::AppError> for ApiError {
    fn from(e: super::AppError) -> Self {
        use super::AppError as A;
        match e {
            A::NotFound => Self::not_found(),
            A::BadRequest(m) => Self::bad_request(m),
            A::Forbidden(m) => Self::forbidden(m),
            A::Conflict(m) => Self::new(StatusCode::CONFLICT, "conflict", m),
            A::Unavailable(cause) => {
                tracing::warn!(error = %format!("{cause:#}"), "API: a dependency is unavailable");
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "服务暂时不可用",
                )
            }
            other => Self::internal(anyhow::anyhow!("{other}")),
        }
    }
}

impl From<crate::services::DbError> for ApiError {
    fn from(e: crate::services::DbError) -> Self {
        Self::from(super::AppError::from(e))
    }
}

/// Malformed JSON bodies get the envelope too.
pub fn json_error(err: actix_web::error::JsonPayloadError, _: &HttpRequest) -> actix_web::Error {
    ApiError::bad_request(format!("请求体不是有效的 JSON：{err}")).into()
}

/// The user an API key belongs to.
pub struct ApiUser(pub User);

impl FromRequest for ApiUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        use actix_web::HttpMessage;
        // The rate-limit middleware has resolved the key already on API paths.
        if let Some(caller) = req.extensions().get::<super::ratelimit::Caller>() {
            let user = caller.user.clone();
            return Box::pin(async move { user.map(ApiUser).ok_or_else(ApiError::unauthorized) });
        }
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let key = super::ratelimit::presented_key(req.headers());
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal(anyhow::anyhow!("no app state")))?;
            let key = key.ok_or_else(ApiError::unauthorized)?;
            let user = state
                .db(move |c| Ok(api_keys::authenticate(c, &key)?))
                .await
                .map_err(ApiError::from)?;
            user.map(ApiUser).ok_or_else(ApiError::unauthorized)
        })
    }
}
