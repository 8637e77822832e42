//! Who is asking: the session cookie, CSRF protection for forms, login throttling.
//!
//! The session cookie (actix-session, encrypted and signed, `HttpOnly`, `SameSite=Lax`) holds a
//! random session token, a CSRF token and a one-time flash message. The token is looked up in
//! the `sessions` table, so sessions can be listed and ended from the server.

use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;

use actix_session::{Session, SessionExt};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use rand::RngCore;
use serde::de::DeserializeOwned;
use subtle::ConstantTimeEq;

use super::{AppError, AppState};
use crate::domain::Role;
use crate::services::accounts::User;
use crate::services::publishing::Publisher;
use crate::services::{Actor, accounts};
use crate::settings::AuthSettings;

pub const SESSION_TOKEN: &str = "sid";
pub const CSRF_TOKEN: &str = "csrf";
pub const FLASH: &str = "flash";

/// A logged-in user and the server-side session they are in.
#[derive(Debug, Clone)]
pub struct SessionUser {
    pub user: User,
    pub session_id: i32,
}

/// The person behind a request: logged in or not, with what the page layout needs.
pub struct Viewer {
    pub user: Option<SessionUser>,
    /// The session's CSRF token (always present for logged-in users).
    pub csrf: Option<String>,
    /// A one-time message from the previous request ("已保存").
    pub flash: Option<String>,
    pub ip: Option<String>,
    pub path: String,
    /// The language of the page (`/en/…` is English; `web::lang`).
    pub lang: crate::i18n::Lang,
    /// Elder-friendly mode is on (`elder_mode::COOKIE`).
    pub elder: bool,
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The session's CSRF token, created on first use.
pub fn csrf_token(session: &Session) -> String {
    if let Ok(Some(t)) = session.get::<String>(CSRF_TOKEN) {
        return t;
    }
    let t = random_token();
    let _ = session.insert(CSRF_TOKEN, &t);
    t
}

pub fn set_flash(session: &Session, message: &str) {
    let _ = session.insert(FLASH, message);
}

/// The client address: the socket's peer, unless the peer is one of the configured trusted
/// proxies (`auth.trusted_proxies`); then the rightmost `X-Forwarded-For` entry that is not itself
/// a trusted proxy (entries left of it come from the client and can be forged). An entry that is
/// not an address stops the walk at the last trustworthy hop.
pub fn client_ip(req: &HttpRequest, auth: &AuthSettings) -> Option<String> {
    let peer = req.peer_addr()?.ip();
    let trusted = &auth.trusted_networks;
    let is_proxy = |ip: &IpAddr| trusted.iter().any(|n| n.contains(ip));
    let mut client = peer;
    if is_proxy(&peer) {
        let hops: Vec<String> = req
            .headers()
            .get_all("x-forwarded-for")
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|s| s.trim().to_owned())
            .collect();
        for hop in hops.iter().rev() {
            let Some(ip) = hop
                .parse::<IpAddr>()
                .ok()
                .or_else(|| hop.parse::<std::net::SocketAddr>().ok().map(|a| a.ip()))
            else {
                break;
            };
            client = ip;
            if !is_proxy(&ip) {
                break;
            }
        }
    }
    Some(client.to_string())
}

impl FromRequest for Viewer {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = req
                .app_data::<web::Data<AppState>>()
                .cloned()
                .ok_or_else(|| AppError::internal(anyhow::anyhow!("no app state")))?;
            let session = req.get_session();
            let ip = client_ip(&req, &state.settings.auth);
            let path = super::elder_mode::here(&req);
            let elder = super::elder_mode::is_on(&req);
            let flash = session.remove_as::<String>(FLASH).and_then(Result::ok);
            let token = session.get::<String>(SESSION_TOKEN).ok().flatten();
            let user = match token {
                None => None,
                Some(token) => {
                    let (idle, now) = (state.settings.auth.session_idle_days, state.clock.now());
                    let found = state
                        .db(move |c| Ok(accounts::session_user(c, &token, idle, now)?))
                        .await?;
                    if found.is_none() {
                        session.remove(SESSION_TOKEN);
                    }
                    found.map(|(s, user)| SessionUser {
                        user,
                        session_id: s.id,
                    })
                }
            };
            let csrf = if user.is_some() {
                Some(csrf_token(&session))
            } else {
                session.get::<String>(CSRF_TOKEN).ok().flatten()
            };
            Ok(Viewer {
                user,
                csrf,
                flash,
                ip,
                path,
                lang: super::lang::of(&req),
                elder,
            })
        })
    }
}

impl Viewer {
    /// The logged-in user, or a redirect to the login page that comes back here.
    pub fn require_user(&self) -> Result<&SessionUser, AppError> {
        self.user
            .as_ref()
            .ok_or_else(|| AppError::LoginRequired(self.path.clone()))
    }

    pub fn require_admin(&self) -> Result<&SessionUser, AppError> {
        let u = self.require_user()?;
        if u.user.role == Role::Admin {
            Ok(u)
        } else {
            Err(AppError::Forbidden("此页面仅限平台管理员访问".into()))
        }
    }

    /// The logged-in publisher, as the publishing service sees them.
    pub fn require_publisher(&self) -> Result<Publisher, AppError> {
        let u = self.require_user()?;
        match (u.user.role, u.user.department_id) {
            (Role::Publisher, Some(department_id)) => Ok(Publisher {
                user_id: u.user.id,
                department_id,
                actor: self.actor(),
            }),
            _ => Err(AppError::Forbidden(
                "此页面仅限数据提供部门的工作人员访问".into(),
            )),
        }
    }

    pub fn actor(&self) -> Actor {
        match &self.user {
            Some(u) => Actor::user(u.user.id, self.ip.clone()),
            None => Actor::anonymous(self.ip.clone()),
        }
        .on_page(self.lang)
    }
}

/// A urlencoded form whose `csrf` field must match the session's token; anything else is a
/// 403 before the handler runs. Every state-changing form uses this extractor.
pub struct CsrfForm<T>(pub T);

/// The body of a urlencoded form whose `csrf` field matches the session's token.
/// Whether every name and value of a urlencoded body decodes to UTF-8 (`form_urlencoded`
/// would quietly replace broken bytes with U+FFFD).
fn form_is_utf8(body: &[u8]) -> bool {
    fn hex(b: u8) -> Option<u8> {
        (b as char).to_digit(16).map(|d| d as u8)
    }
    body.split(|b| *b == b'&').all(|pair| {
        let mut out = Vec::with_capacity(pair.len());
        let mut i = 0;
        while i < pair.len() {
            match pair[i] {
                b'%' if i + 2 < pair.len() => match (hex(pair[i + 1]), hex(pair[i + 2])) {
                    (Some(h), Some(l)) => {
                        out.push(h * 16 + l);
                        i += 3;
                        continue;
                    }
                    _ => out.push(b'%'),
                },
                b'+' => out.push(b' '),
                b => out.push(b),
            }
            i += 1;
        }
        std::str::from_utf8(&out).is_ok()
    })
}

fn checked_body(
    req: &HttpRequest,
    payload: &mut Payload,
) -> Pin<Box<dyn Future<Output = Result<web::Bytes, AppError>>>> {
    let req = req.clone();
    let body = web::Bytes::from_request(&req, payload);
    Box::pin(async move {
        let body = body
            .await
            .map_err(|_| AppError::BadRequest("提交的内容过大或无法读取".into()))?;
        let expected = req.get_session().get::<String>(CSRF_TOKEN).ok().flatten();
        if !form_is_utf8(&body) {
            return Err(AppError::BadRequest(
                "表单内容不是有效的 UTF-8 编码，请用浏览器重新提交".into(),
            ));
        }
        let submitted = form_urlencoded::parse(&body)
            .find(|(k, _)| k == "csrf")
            .map(|(_, v)| v.into_owned());
        match (expected, submitted) {
            (Some(e), Some(s)) if bool::from(e.as_bytes().ct_eq(s.as_bytes())) => Ok(body),
            _ => Err(AppError::CsrfRejected),
        }
    })
}

impl<T: DeserializeOwned + 'static> FromRequest for CsrfForm<T> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = checked_body(req, payload);
        Box::pin(async move {
            serde_urlencoded::from_bytes::<T>(&body.await?)
                .map(CsrfForm)
                .map_err(|_| AppError::BadRequest("表单内容格式不正确".into()))
        })
    }
}

/// A CSRF-checked form as its list of pairs, for forms with repeated keys (checkboxes).
pub struct CsrfPairs(pub Vec<(String, String)>);

impl CsrfPairs {
    /// The last value of `key`, or "".
    pub fn get(&self, key: &str) -> String {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// Every value of `key`, in order.
    pub fn all(&self, key: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

impl FromRequest for CsrfPairs {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = checked_body(req, payload);
        Box::pin(async move {
            let body = body.await?;
            Ok(CsrfPairs(
                form_urlencoded::parse(&body)
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect(),
            ))
        })
    }
}

pub use super::throttle::{DEVICE_COOKIE, DeviceCookies, Limiters};

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    #[test]
    fn forms_must_be_utf8() {
        assert!(form_is_utf8(b"csrf=a&body=%E5%A5%BD+%E7%9A%84&x=100%25"));
        assert!(form_is_utf8(b"a=%&b=%4"));
        assert!(!form_is_utf8(b"body=%BA%CF%B7%CA"), "GBK, percent-encoded");
        assert!(!form_is_utf8(b"body=\xff\xfe"), "raw bytes");
    }

    fn settings(proxies: &str) -> AuthSettings {
        let mut s = crate::settings::Settings::load_from(None, Vec::new())
            .unwrap()
            .auth;
        s.trusted_proxies = proxies.into();
        s.trusted_networks = crate::settings::parse_networks(proxies).unwrap();
        s
    }

    fn from(peer: &str, forwarded: Option<&str>) -> HttpRequest {
        let mut req = TestRequest::default().peer_addr(peer.parse().unwrap());
        if let Some(f) = forwarded {
            req = req.insert_header(("x-forwarded-for", f));
        }
        req.to_http_request()
    }

    #[test]
    fn the_client_address_is_the_peer_unless_a_trusted_proxy_forwards() {
        let req = from("10.0.0.9:4000", Some("6.6.6.6, 203.0.113.7"));
        // No proxy configured: the header is ignored.
        assert_eq!(client_ip(&req, &settings("")).as_deref(), Some("10.0.0.9"));
        // A peer that is not the configured proxy: ignored too.
        assert_eq!(
            client_ip(&req, &settings("10.0.0.1")).as_deref(),
            Some("10.0.0.9")
        );
        // Behind a trusted proxy: the entry it appended, not the one the client wrote.
        assert_eq!(
            client_ip(&req, &settings("10.0.0.0/8")).as_deref(),
            Some("203.0.113.7")
        );
        // Two proxies in a row: the first hop that is not one of ours.
        let chained = from("10.0.0.9:4000", Some("6.6.6.6, 198.51.100.4, 10.0.0.2"));
        assert_eq!(
            client_ip(&chained, &settings("10.0.0.0/8")).as_deref(),
            Some("198.51.100.4")
        );
        // A trusted proxy without the header: the proxy itself.
        let plain = from("10.0.0.9:4000", None);
        assert_eq!(
            client_ip(&plain, &settings("10.0.0.0/8")).as_deref(),
            Some("10.0.0.9")
        );
        // Garbage stops the walk at the last trustworthy hop.
        let garbage = from("10.0.0.9:4000", Some("not an address"));
        assert_eq!(
            client_ip(&garbage, &settings("10.0.0.0/8")).as_deref(),
            Some("10.0.0.9")
        );
    }
}
