//! CKAN's answer envelope, also used by the quota checks in front of the Action API.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use serde_json::json;

/// The `help` link CKAN puts in every envelope.
pub fn help_url(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or_default();
    format!("/api/3/action/help_show?name={name}")
}

/// CKAN's error envelope: `{help, success: false, error: {__type, message}}`.
pub fn error_response(path: &str, status: StatusCode, kind: &str, message: &str) -> HttpResponse {
    HttpResponse::build(status).json(json!({
        "help": help_url(path),
        "success": false,
        "error": { "__type": kind, "message": crate::i18n::Lang::current().msg(message) },
    }))
}
