//! Throttling of logins and registrations, and the device cookie that lets a browser which has
//! logged in to an account before past the throttling that failures elsewhere cause.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use actix_web::HttpRequest;
use actix_web::cookie::{Cookie, SameSite};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use rand::RngCore;
use subtle::ConstantTimeEq;

use super::AppError;
use crate::settings::AuthSettings;

/// Rate limits for logins and registrations.
///
/// A login attempt without a valid device cookie for the account counts against three buckets:
/// its client address (any accounts: one address guessing many accounts), the account from
/// that address (`login_burst_per_account`), and the account from everywhere together, with a
/// much larger burst (`login_burst_per_account_untrusted`: a guessing attack spread over many
/// addresses). Failures from one address therefore never lock the account for another address
/// unless they come from so many addresses that the large bucket runs dry; and even then a
/// browser holding a device cookie for the account (see [`DeviceCookies`]) gets in, as its
/// attempts count only against its own bucket (of `login_burst_per_account`).
///
/// Memory stays bounded: a key enters the account and device maps only after the address's
/// bucket (or the cookie's signature) let the attempt through, and every 1,000 checks the
/// maps forget keys whose buckets have refilled.
pub struct Limiters {
    /// Per (account, client address).
    login_pair: DefaultKeyedRateLimiter<String>,
    /// Per client address (an IPv6 address per /64).
    login_ip: DefaultKeyedRateLimiter<String>,
    /// Per account, for attempts without a valid device cookie for it.
    login_account: DefaultKeyedRateLimiter<String>,
    /// Per device cookie (its nonce).
    login_device: DefaultKeyedRateLimiter<String>,
    register_ip: DefaultKeyedRateLimiter<String>,
    /// Checks since the maps were last trimmed.
    checks: std::sync::atomic::AtomicU32,
}

fn quota(burst: u32, refill_secs: u64) -> Quota {
    Quota::with_period(Duration::from_secs(refill_secs.max(1)))
        .unwrap_or_else(|| Quota::per_minute(NonZeroU32::MIN))
        .allow_burst(NonZeroU32::new(burst.max(1)).unwrap_or(NonZeroU32::MIN))
}

fn check(limiter: &DefaultKeyedRateLimiter<String>, key: String) -> Result<(), AppError> {
    use governor::clock::{Clock, DefaultClock};
    limiter.check_key(&key).map_err(|not_until| {
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        AppError::TooManyRequests {
            retry_after: wait.as_secs().max(1),
        }
    })
}

/// The key of a client address: the address, or its /64 for IPv6 (one subscriber usually
/// holds a whole /64 and could otherwise take a fresh budget for every address in it).
fn address_key(ip: Option<&str>) -> String {
    match ip.and_then(|ip| ip.parse::<IpAddr>().ok()) {
        Some(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                format!("{}/64", std::net::Ipv6Addr::from(prefix))
            }
        },
        Some(IpAddr::V4(v4)) => v4.to_string(),
        None => ip.unwrap_or("unknown").to_owned(),
    }
}

/// The key of an account: a hash of the normalised e-mail address (short, whatever was typed,
/// and no addresses kept in memory).
fn account_key(email: &str) -> String {
    use sha2::Digest;
    hex::encode(&sha2::Sha256::digest(normalised_email(email).as_bytes())[..16])
}

/// An e-mail address as accounts are looked up (`Email::parse` keeps addresses this way).
fn normalised_email(email: &str) -> String {
    email.trim().to_lowercase()
}

impl Limiters {
    pub fn new(a: &AuthSettings) -> Self {
        let login = quota(a.login_burst_per_account, a.login_refill_secs);
        Self {
            login_pair: RateLimiter::keyed(login),
            login_ip: RateLimiter::keyed(quota(a.login_burst_per_ip, a.login_refill_secs)),
            login_account: RateLimiter::keyed(quota(
                a.login_burst_per_account_untrusted,
                a.login_refill_secs,
            )),
            login_device: RateLimiter::keyed(login),
            register_ip: RateLimiter::keyed(quota(a.register_burst_per_ip, a.register_refill_secs)),
            checks: std::sync::atomic::AtomicU32::new(0),
        }
    }

    /// Every 1,000 checks, forgets keys whose limits have fully refilled.
    fn tick(&self) {
        use std::sync::atomic::Ordering;
        if self.checks.fetch_add(1, Ordering::Relaxed) % 1000 == 999 {
            self.shrink();
        }
    }

    /// Counts a login attempt for this account and address. `device` is the nonce of a valid
    /// device cookie for this very account ([`DeviceCookies::recognise`]): such an attempt
    /// counts only against that cookie's own bucket.
    pub fn login(
        &self,
        email: &str,
        ip: Option<&str>,
        device: Option<&str>,
    ) -> Result<(), AppError> {
        self.tick();
        if let Some(nonce) = device {
            return check(&self.login_device, nonce.to_owned());
        }
        let (address, account) = (address_key(ip), account_key(email));
        check(&self.login_ip, address.clone())?;
        check(&self.login_pair, format!("{account} {address}"))?;
        check(&self.login_account, account)
    }

    /// Counts a check of a logged-in user's current password (a login attempt in disguise):
    /// the buckets of the address and of the account from that address. Not the account's
    /// bucket for all addresses: an attack elsewhere must not stop the owner from changing
    /// their password.
    pub fn password_check(&self, email: &str, ip: Option<&str>) -> Result<(), AppError> {
        self.tick();
        let (address, account) = (address_key(ip), account_key(email));
        check(&self.login_ip, address.clone())?;
        check(&self.login_pair, format!("{account} {address}"))
    }

    pub fn register(&self, ip: Option<&str>) -> Result<(), AppError> {
        self.tick();
        check(&self.register_ip, address_key(ip))
    }

    /// Forgets idle keys, so the maps do not grow without bound.
    pub fn shrink(&self) {
        self.login_pair.retain_recent();
        self.login_ip.retain_recent();
        self.login_account.retain_recent();
        self.login_device.retain_recent();
        self.register_ip.retain_recent();
    }
}

/// The device cookie ("device cookies", OWASP): set after a successful login, it lets that
/// browser's later logins to the same account past the throttling that failures from elsewhere
/// cause. It is no credential: the password is still checked.
///
/// Value: up to [`DEVICE_ENTRIES`] entries joined by `_`, the newest first, one per account
/// logged in to from this browser, each `v1.<account>.<nonce>.<issued>.<mac>`:
/// - `account`: the first 16 bytes of HMAC-SHA256(key, "account\0" + normalised e-mail), hex
///   (the address cannot be read or confirmed from it without the key);
/// - `nonce`: 16 random bytes, hex, the key of the device's own bucket;
/// - `issued`: Unix seconds; the entry is honoured for `auth.device_cookie_days`;
/// - `mac`: HMAC-SHA256(key, "v1.<account>.<nonce>.<issued>"), hex.
///
/// The key is derived from the session key (itself derived from the master secret) under a
/// label of its own. Flags: `HttpOnly`, `SameSite=Lax`, `Path=/login`, `Secure` with
/// `auth.secure_cookies`.
pub struct DeviceCookies {
    key: [u8; 32],
    max_age_days: i64,
    secure: bool,
    /// The portal's clock: a cookie's age counts on it.
    clock: crate::services::clock::Clock,
}

pub const DEVICE_COOKIE: &str = "kaifang_device";
/// Accounts one browser's device cookie remembers.
const DEVICE_ENTRIES: usize = 4;

impl DeviceCookies {
    pub fn new(
        secrets: &crate::secrets::Secrets,
        auth: &AuthSettings,
        clock: crate::services::clock::Clock,
    ) -> Self {
        Self {
            key: crate::secrets::hmac_sha256(secrets.session_key(), &[b"kaifang device cookie"]),
            max_age_days: auth.device_cookie_days.max(1),
            secure: auth.secure_cookies,
            clock,
        }
    }

    fn mac(&self, parts: &[&[u8]]) -> Vec<u8> {
        crate::secrets::hmac_sha256(&self.key, parts).to_vec()
    }

    fn account_tag(&self, email: &str) -> String {
        hex::encode(&self.mac(&[b"account\0", normalised_email(email).as_bytes()])[..16])
    }

    /// The entries of the request's device cookie whose signature holds and that have not
    /// expired, as (account, nonce, the entry itself).
    fn valid_entries(&self, req: &HttpRequest) -> Vec<(String, String, String)> {
        let Some(cookie) = req.cookie(DEVICE_COOKIE) else {
            return Vec::new();
        };
        let now = self.clock.now().and_utc().timestamp();
        let max_age = self.max_age_days.saturating_mul(86_400);
        cookie
            .value()
            .split('_')
            .take(DEVICE_ENTRIES)
            .filter_map(|entry| {
                let parts: Vec<&str> = entry.split('.').collect();
                let [version, account, nonce, issued, mac] = parts[..] else {
                    return None;
                };
                if version != "v1" || account.len() != 32 || nonce.len() != 32 {
                    return None;
                }
                let signed = format!("v1.{account}.{nonce}.{issued}");
                let expected = self.mac(&[signed.as_bytes()]);
                let given = hex::decode(mac).ok()?;
                if !bool::from(expected.ct_eq(&given)) {
                    return None;
                }
                let issued_at: i64 = issued.parse().ok()?;
                (now.saturating_sub(issued_at) <= max_age)
                    .then(|| (account.to_owned(), nonce.to_owned(), entry.to_owned()))
            })
            .collect()
    }

    /// The nonce of the request's valid device cookie entry for this account, if any.
    pub fn recognise(&self, req: &HttpRequest, email: &str) -> Option<String> {
        let tag = self.account_tag(email);
        self.valid_entries(req)
            .into_iter()
            .find(|(account, _, _)| bool::from(account.as_bytes().ct_eq(tag.as_bytes())))
            .map(|(_, nonce, _)| nonce)
    }

    /// The device cookie to send after a successful login to this account: a new entry
    /// (a fresh nonce) first, then this browser's other accounts' entries still valid.
    pub fn issue(&self, req: &HttpRequest, email: &str) -> Cookie<'static> {
        let account = self.account_tag(email);
        let mut bytes = [0u8; 16];
        rand::rng().fill_bytes(&mut bytes);
        let nonce = hex::encode(bytes);
        let issued = self.clock.now().and_utc().timestamp();
        let signed = format!("v1.{account}.{nonce}.{issued}");
        let mac = hex::encode(self.mac(&[signed.as_bytes()]));
        let mut entries = vec![format!("{signed}.{mac}")];
        entries.extend(
            self.valid_entries(req)
                .into_iter()
                .filter(|(a, _, _)| *a != account)
                .map(|(_, _, entry)| entry)
                .take(DEVICE_ENTRIES - 1),
        );
        Cookie::build(DEVICE_COOKIE, entries.join("_"))
            .path("/login")
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(self.secure)
            .max_age(actix_web::cookie::time::Duration::days(self.max_age_days))
            .finish()
    }
}
