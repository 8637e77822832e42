//! `/elder`: the elder-friendly mode switch (长辈模式, 工信部《互联网网站适老化通用设计规范》).
//!
//! The switch in every page's header is a GET form (`on=1` or `on=0`, `next=` the page it is
//! on): it works without JavaScript and without a session, so anonymous readers can use it. It
//! only sets or clears a display preference, the `kf_elder` cookie (a year, `HttpOnly`,
//! `SameSite=Lax`, `Secure` with `auth.secure_cookies`), and sends the reader back with a 303 —
//! to a local path only: anything else in `next` goes to the home page.

use actix_web::cookie::{Cookie, SameSite, time::Duration};
use actix_web::{HttpRequest, HttpResponse, http::header, web};

use crate::web::elder_mode::COOKIE as ELDER_COOKIE;
use crate::web::{AppError, AppState};

/// Where the switch may send the reader back to: a path on this site (`/…`, not `//host` or
/// `/\host`, which browsers read as another host), without control characters.
pub fn local_next(next: Option<&str>) -> &str {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && n != "/elder"
                && !n.starts_with("/elder?")
                && n.len() <= 2000
                && !n.chars().any(char::is_control) =>
        {
            n
        }
        _ => "/",
    }
}

pub async fn switch(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let mut on = None;
    let mut next = None;
    for (name, value) in form_urlencoded::parse(req.query_string().as_bytes()) {
        match name.as_ref() {
            "on" => on = Some(value.into_owned()),
            "next" => next = Some(value.into_owned()),
            _ => return Err(AppError::BadRequest(format!("不认识的参数“{name}”"))),
        }
    }
    let on = match on.as_deref() {
        Some("1") => true,
        Some("0") => false,
        _ => {
            return Err(AppError::BadRequest(
                "on 须为 1（开启长辈模式）或 0（关闭）".into(),
            ));
        }
    };
    let mut cookie = Cookie::build(ELDER_COOKIE, if on { "1" } else { "" })
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.settings.auth.secure_cookies)
        .finish();
    if on {
        cookie.set_max_age(Duration::days(365));
    } else {
        cookie.make_removal();
    }
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, local_next(next.as_deref())))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .cookie(cookie)
        .finish())
}

#[cfg(test)]
mod tests {
    use super::local_next;

    #[test]
    fn next_stays_on_the_site() {
        assert_eq!(local_next(Some("/datasets?q=公交")), "/datasets?q=公交");
        assert_eq!(local_next(Some("/")), "/");
        for bad in [
            "//evil.example/",
            "/\\evil.example",
            "https://evil.example/",
            "javascript:alert(1)",
            "",
            "/a\nLocation: x",
            "/elder?on=1",
        ] {
            assert_eq!(local_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(local_next(None), "/");
    }
}
