//! No NUL character enters the portal: a `%00` in the path, the query string or a form body
//! is refused with a 400 before any handler runs. No stored text holds one, so it could only
//! ever be a probe, and PostgreSQL cannot bind a string holding one (every filter, search and
//! form that passed one on was a 500 there). JSON bodies are checked where they are read (the
//! API's bodies, the CKAN actions' parameters, which answer in CKAN's envelope: its paths are
//! left to it), and uploaded files may hold any byte.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, web};

use super::AppError;
use super::api_error::ApiError;

const MESSAGE: &str = "请求中不能含有 NUL 字符（%00）";

fn holds_nul(bytes: &[u8]) -> bool {
    bytes.contains(&0) || bytes.windows(3).any(|w| w == b"%00")
}

fn is_ckan(path: &str) -> bool {
    path.starts_with("/api/3/action/") || path.starts_with("/api/action/")
}

pub async fn refuse_nul(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let path = req.uri().path().to_owned();
    if is_ckan(&path) {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let mut found = holds_nul(path.as_bytes()) || holds_nul(req.query_string().as_bytes());
    if !found && req.content_type() == "application/x-www-form-urlencoded" {
        // The whole form, within the limit any handler reading it has (actix's 256 KiB for
        // bytes; forms 16 KiB), then handed on unchanged.
        let body = req.extract::<web::Bytes>().await?;
        found = holds_nul(&body);
        req.set_payload(Payload::from(body));
    }
    if !found {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let res = if path.starts_with("/api/") {
        req.error_response(ApiError::bad_request(MESSAGE))
    } else {
        req.error_response(AppError::BadRequest(MESSAGE.to_owned()))
    };
    Ok(res.map_into_boxed_body())
}

#[cfg(test)]
mod tests {
    use super::holds_nul;

    #[test]
    fn percent_zero_zero_and_raw_nul_are_found() {
        assert!(holds_nul(b"q=a%00b"));
        assert!(holds_nul(b"q=a\0"));
        assert!(!holds_nul(b"q=%2500&r=%E4%BA%A4"));
        assert!(!holds_nul(b"q=100%25"));
    }
}
