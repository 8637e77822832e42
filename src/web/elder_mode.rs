//! Elder-friendly mode (长辈模式): the cookie that keeps it on, read by the `Viewer` extractor
//! and by the error pages; `pages::elder` sets and clears it.

use actix_web::HttpRequest;

/// The cookie that keeps elder-friendly mode on (`1`); absent means off.
pub const COOKIE: &str = "kf_elder";

/// Whether the request comes from a browser in elder-friendly mode.
pub fn is_on(req: &HttpRequest) -> bool {
    req.cookie(COOKIE).is_some_and(|c| c.value() == "1")
}

/// A request's path and query, as the switch's `next` carries it.
pub fn here(req: &HttpRequest) -> String {
    match req.query_string() {
        "" => req.path().to_owned(),
        q => format!("{}?{q}", req.path()),
    }
}
