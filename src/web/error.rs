//! One error type for the web layer.
//!
//! Tiers: `NotFound`, `BadRequest`, `Gone` and `MethodNotAllowed` are the user's (4xx, shown
//! with what went wrong); `Unavailable` is a dependency that is down (503); `Internal` is our
//! fault (500, cause logged, never shown). An unknown failure is never turned into a 4xx.
//! The response carries the error; `middleware::error_pages` renders it in the site layout.
//! What each service's error becomes is written once, in `error_map.rs`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("页面不存在")]
    NotFound,
    #[error("{0}")]
    BadRequest(String),
    #[error("数据集“{title}”已由数据提供部门撤回")]
    Gone { title: String },
    #[error("不支持该请求方法")]
    MethodNotAllowed,
    #[error("{0}")]
    Forbidden(String),
    /// Not logged in: redirect to the login page, then back to this path.
    #[error("请先登录")]
    LoginRequired(String),
    #[error("表单已过期或来源不明，请返回上一页刷新后重试")]
    CsrfRejected,
    #[error("{0}")]
    Conflict(String),
    #[error("操作过于频繁，请 {retry_after} 秒后再试")]
    TooManyRequests { retry_after: u64 },

    /// The data directory is full (already logged where it was found).
    #[error("{}", crate::storage::FULL_MESSAGE)]
    StorageFull,
    #[error("服务暂时不可用")]
    Unavailable(#[source] anyhow::Error),
    #[error("服务器内部错误")]
    Internal(#[source] anyhow::Error),
}

impl AppError {
    /// A service's `(field, message)` list (or map) where no form can show it: one 400 page
    /// with the messages joined.
    pub fn invalid<K>(list: impl IntoIterator<Item = (K, String)>) -> Self {
        Self::BadRequest(
            list.into_iter()
                .map(|(_, m)| m)
                .collect::<Vec<_>>()
                .join("；"), // i18n: a separator inside a value
        )
    }

    /// A public form's daily budget is spent.
    pub fn over_daily_budget() -> Self {
        Self::TooManyRequests {
            retry_after: 24 * 3600,
        }
    }

    pub fn internal(e: impl Into<anyhow::Error>) -> Self {
        Self::Internal(e.into())
    }

    pub fn unavailable(e: impl Into<anyhow::Error>) -> Self {
        Self::Unavailable(e.into())
    }

    /// A short title for the error page.
    pub fn title(&self) -> &'static str {
        match self {
            Self::NotFound => "页面不存在",
            Self::BadRequest(_) => "请求有误",
            Self::Gone { .. } => "数据集已撤回",
            Self::MethodNotAllowed => "请求方法不被支持",
            Self::Forbidden(_) | Self::CsrfRejected => "无权访问",
            Self::LoginRequired(_) => "请先登录",
            Self::Conflict(_) => "操作冲突",
            Self::TooManyRequests { .. } => "请求过于频繁",
            Self::StorageFull => "存储空间不足",
            Self::Unavailable(_) => "服务暂时不可用",
            Self::Internal(_) => "服务器内部错误",
        }
    }

    /// The words a handler chose for this error, if it chose any (a 400's, 403's or 409's
    /// reason).
    pub fn own_message(&self) -> Option<String> {
        match self {
            Self::BadRequest(m) | Self::Forbidden(m) | Self::Conflict(m) => Some(m.clone()),
            _ => None,
        }
    }

    /// What the person should know, without internals.
    pub fn public_message(&self) -> String {
        match self {
            Self::NotFound => "您访问的页面不存在，或该数据集未向社会开放。".into(),
            Self::Unavailable(_) => "服务暂时无法使用（数据库或搜索），请稍后再试。".into(),
            Self::Internal(_) => "处理请求时出现错误，我们已记录此问题。请稍后再试。".into(),
            other => other.to_string(),
        }
    }
}

impl From<crate::services::DbError> for AppError {
    /// A database that went away or cannot be used is a 503 (try again later); anything else
    /// the database says is our fault (500).
    fn from(e: crate::services::DbError) -> Self {
        if crate::services::is_unavailable(&e) {
            Self::Unavailable(e.into())
        } else {
            Self::Internal(e.into())
        }
    }
}

impl From<crate::services::search::SyncError> for AppError {
    /// The search index failing is a 503: the database, the source of truth, is fine.
    fn from(e: crate::services::search::SyncError) -> Self {
        use crate::services::search::SyncError;
        match e {
            SyncError::Database(e) => e.into(),
            SyncError::Search(e) => Self::Unavailable(e.into()),
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Gone { .. } => StatusCode::GONE,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Forbidden(_) | Self::CsrfRejected => StatusCode::FORBIDDEN,
            Self::LoginRequired(_) => StatusCode::SEE_OTHER,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::StorageFull => StatusCode::INSUFFICIENT_STORAGE,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A plain-text fallback; the error-page middleware replaces it with the site's page.
    fn error_response(&self) -> HttpResponse {
        // The message chain only: database error details can quote row values (personal data).
        match self {
            Self::Internal(cause) => {
                tracing::error!(error = %format!("{cause:#}"), "request failed")
            }
            Self::Unavailable(cause) => {
                tracing::warn!(error = %format!("{cause:#}"), "a dependency is unavailable")
            }
            _ => {}
        }
        let mut res = HttpResponse::build(self.status_code());
        match self {
            Self::LoginRequired(next) => {
                let to = format!(
                    "/login?{}",
                    serde_urlencoded::to_string([("next", next)]).unwrap_or_default()
                );
                return res
                    .insert_header((actix_web::http::header::LOCATION, to))
                    .finish();
            }
            Self::TooManyRequests { retry_after } => {
                res.insert_header((
                    actix_web::http::header::RETRY_AFTER,
                    retry_after.to_string(),
                ));
            }
            _ => {}
        }
        res.content_type("text/plain; charset=utf-8").body(
            crate::i18n::Lang::current()
                .msg(&self.public_message())
                .into_owned(),
        )
    }
}
