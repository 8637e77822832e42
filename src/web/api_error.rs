//! The JSON error envelope `{"error":{"code","message","fields"?}}` (DESIGN.md §5), shared by
//! the JSON API and the machine-readable exports.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, ResponseError};

use crate::i18n::Lang;

/// An API error, rendered as the JSON envelope.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub fields: Option<BTreeMap<String, String>>,
    /// The language the message is in.
    pub lang: Lang,
}

impl ApiError {
    /// An error in the language of the request: made while the request is handled, because
    /// an error a middleware returns is turned into its response after the language's scope.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        let lang = Lang::current();
        Self {
            status,
            code,
            message: lang.msg(&message.into()).into_owned(),
            fields: None,
            lang,
        }
    }

    pub fn with_fields(mut self, fields: BTreeMap<String, String>) -> Self {
        let lang = self.lang;
        let fields = fields
            .into_iter()
            .map(|(k, v)| (k, lang.msg(&v).into_owned()))
            .collect();
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
        // In the language the client asked for (`Accept-Language`), Chinese by default.
        let lang = match self.lang {
            Lang::En => Lang::En,
            Lang::Zh => Lang::current(),
        };
        let mut error =
            serde_json::json!({ "code": self.code, "message": lang.msg(&self.message) });
        if let Some(f) = &self.fields {
            let fields: BTreeMap<&String, String> = f
                .iter()
                .map(|(k, v)| (k, lang.msg(v).into_owned()))
                .collect();
            error["fields"] = serde_json::json!(fields);
        }
        let mut res = HttpResponse::build(self.status);
        res.insert_header(("Content-Language", lang.tag()));
        if self.status == StatusCode::UNAUTHORIZED {
            res.insert_header(("WWW-Authenticate", "Bearer"));
        }
        res.json(serde_json::json!({ "error": error }))
    }
}

impl From<crate::web::AppError> for ApiError {
    fn from(e: crate::web::AppError) -> Self {
        use crate::web::AppError as A;
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
        Self::from(crate::web::AppError::from(e))
    }
}

/// Malformed JSON bodies get the envelope too.
pub fn json_error(err: actix_web::error::JsonPayloadError, _: &HttpRequest) -> actix_web::Error {
    ApiError::bad_request(format!("请求体不是有效的 JSON：{err}")).into()
}
