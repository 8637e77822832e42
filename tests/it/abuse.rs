//! Abuse of the login and registration forms: locking someone else out of their account, and
//! finding out who holds an account.
//!
//! Client addresses are simulated through a trusted proxy: the test client connects from
//! 127.0.0.1, which is configured as a proxy, and each simulated browser sends its own
//! `X-Forwarded-For`.

use std::sync::Arc;
use std::time::Duration;

use kaifang::domain::Role;
use kaifang::settings::Settings;

use crate::accounts::{org_form, person_form};
use crate::both_backends;
use crate::helpers::{Backend, Browser, PASSWORD, Page, TestApp, location};

both_backends!(
    failures_elsewhere_do_not_lock_the_owner_out,
    one_address_cannot_guess_many_accounts,
    registration_does_not_tell_whether_an_account_exists,
);

/// Requests from 127.0.0.1 are a proxy's: their `X-Forwarded-For` names the client.
fn behind_proxy(s: &mut Settings) {
    s.auth.trusted_proxies = "127.0.0.1".into();
    s.auth.trusted_networks = kaifang::settings::parse_networks("127.0.0.1").unwrap();
}

/// A browser (its own cookie jar, or the one given) at client address `ip`.
fn browser_at(app: &TestApp, ip: &str, jar: Option<Arc<reqwest::cookie::Jar>>) -> Browser {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-forwarded-for", ip.parse().unwrap());
    let builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .default_headers(headers);
    let builder = match jar {
        Some(jar) => builder.cookie_provider(jar),
        None => builder.cookie_store(true),
    };
    Browser {
        client: builder.build().unwrap(),
        address: app.address.clone(),
        csrf: String::new(),
    }
}

/// Logs in with the right password, expects to get in, and logs out again.
async fn owner_logs_in(b: &mut Browser, email: &str, when: &str) {
    let res = b.login(email, PASSWORD).await;
    assert_eq!(res.status(), 303, "the owner logs in ({when})");
    b.refresh_csrf("/account").await;
    assert_eq!(location(&b.post("/logout", &[]).await), "/");
}

async fn failures_elsewhere_do_not_lock_the_owner_out(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |s| {
        behind_proxy(s);
        s.auth.login_burst_per_account = 5;
        s.auth.login_burst_per_ip = 1000;
        s.auth.login_burst_per_account_untrusted = 20;
        s.auth.login_refill_secs = 600;
    })
    .await
    else {
        return;
    };
    let victim = "victim@example.cn";
    app.account(victim, Role::User, None);

    // The owner has logged in from their own browser before: it holds a device cookie.
    let jar = Arc::new(reqwest::cookie::Jar::default());
    let mut owner = browser_at(&app, "198.51.100.7", Some(jar.clone()));
    owner_logs_in(&mut owner, victim, "first time").await;

    // From address A, wrong passwords until throttled.
    let mut a = browser_at(&app, "203.0.113.1", None);
    let mut failed = 0;
    loop {
        match a.login(victim, "wrong password!").await.status().as_u16() {
            401 => failed += 1,
            429 => break,
            other => panic!("unexpected {other}"),
        }
        assert!(failed <= 5, "address A is throttled after 5 failures");
    }
    assert_eq!(
        a.login(victim, PASSWORD).await.status(),
        429,
        "address A waits, even with the right password"
    );

    // From address B, the right password still works.
    let mut b = browser_at(&app, "203.0.113.2", None);
    assert_eq!(
        b.login(victim, PASSWORD).await.status(),
        303,
        "failures from A do not lock the account for B"
    );

    // The device cookie: signed, HttpOnly, SameSite=Lax, only for /login.
    let mut c = browser_at(&app, "198.51.100.8", None);
    c.refresh_csrf("/login").await;
    let csrf = c.csrf.clone();
    let res = c
        .post_raw(
            "/login",
            &[("csrf", &csrf), ("email", victim), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.status(), 303);
    let cookies: Vec<String> = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let device = cookies
        .iter()
        .find(|c| !c.starts_with("kaifang_session="))
        .unwrap_or_else(|| panic!("no device cookie: {cookies:?}"));
    assert!(device.contains("HttpOnly"), "{device}");
    assert!(device.contains("SameSite=Lax"), "{device}");
    assert!(device.contains("Path=/login"), "{device}");
    assert!(!device.contains("Secure"), "plain HTTP in tests: {device}");
    assert!(
        !device.contains("victim"),
        "no e-mail address in the cookie"
    );

    // An attacker hammering from many addresses: the owner's browser keeps getting in.
    let mut throttled = 0;
    for n in 0..8 {
        let mut x = browser_at(&app, &format!("192.0.2.{}", 10 + n), None);
        for _ in 0..5 {
            match x.login(victim, "guess-guess-guess").await.status().as_u16() {
                401 => failed += 1,
                429 => throttled += 1,
                other => panic!("unexpected {other}"),
            }
        }
        if n % 2 == 1 {
            owner_logs_in(&mut owner, victim, &format!("during attack round {n}")).await;
        }
    }
    assert!(
        throttled > 0,
        "a distributed attack meets the per-account limit for browsers without a device cookie"
    );
    let mut stranger = browser_at(&app, "192.0.2.200", None);
    assert_eq!(
        stranger.login(victim, PASSWORD).await.status(),
        429,
        "a browser without a device cookie is held back while the account is under attack"
    );
    // The owner's browser, even behind the attacker's address (a shared NAT), still gets in.
    let mut owner_at_a = browser_at(&app, "203.0.113.1", Some(jar.clone()));
    owner_logs_in(&mut owner_at_a, victim, "from address A").await;

    // A forged device cookie is worth nothing: that browser is throttled like a stranger.
    let name = device.split('=').next().unwrap();
    let forged = reqwest::cookie::Jar::default();
    let url: reqwest::Url = app.address.parse().unwrap();
    forged.add_cookie_str(&format!("{name}=v1.00.00.00.00; Path=/login"), &url);
    let mut f = browser_at(&app, "192.0.2.201", Some(Arc::new(forged)));
    assert_eq!(f.login(victim, PASSWORD).await.status(), 429);

    // Every failure that reached the password check is in the audit log.
    let events = kaifang::db::audit::all_in_order(&mut app.conn()).unwrap();
    let audited = events
        .iter()
        .filter(|e| e.action == "login.failure")
        .count();
    assert_eq!(audited, failed);
}

async fn one_address_cannot_guess_many_accounts(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |s| {
        behind_proxy(s);
        s.auth.login_burst_per_account = 3;
        s.auth.login_burst_per_ip = 5;
        s.auth.login_refill_secs = 600;
    })
    .await
    else {
        return;
    };
    app.account("known@example.cn", Role::User, None);
    // The attacker logs in to an account of their own first, and so holds a device cookie.
    app.account("mine@example.cn", Role::User, None);
    let mut a = browser_at(&app, "203.0.113.9", None);
    assert_eq!(a.login("mine@example.cn", PASSWORD).await.status(), 303);
    a.refresh_csrf("/account").await;
    a.post("/logout", &[]).await;
    for i in 0..4 {
        assert_eq!(
            a.login(&format!("user{i}@example.cn"), "guess-guess-guess")
                .await
                .status(),
            401,
            "account {i}"
        );
    }
    assert_eq!(
        a.login("known@example.cn", "guess-guess-guess")
            .await
            .status(),
        429,
        "one address, many accounts: throttled (the device cookie of another account is no help)"
    );
    assert_eq!(
        a.login("known@example.cn", PASSWORD).await.status(),
        429,
        "the address waits"
    );
    // Moving within one IPv6 /64 does not give a fresh budget.
    for i in 0..5 {
        let mut v6 = browser_at(&app, &format!("2001:db8:1:2::{:x}", i + 1), None);
        assert_eq!(
            v6.login(&format!("v6user{i}@example.cn"), "guess-guess-guess")
                .await
                .status(),
            401,
            "v6 attempt {i}"
        );
    }
    let mut v6 = browser_at(&app, "2001:db8:1:2:ffff::1", None);
    assert_eq!(
        v6.login("v6user9@example.cn", "guess-guess-guess")
            .await
            .status(),
        429,
        "a /64 counts as one address"
    );
    // Another address is not affected.
    let mut b = browser_at(&app, "203.0.113.10", None);
    assert_eq!(b.login("known@example.cn", PASSWORD).await.status(), 303);
    let mut other_v6 = browser_at(&app, "2001:db8:1:3::1", None);
    assert_eq!(
        other_v6
            .login("v6user9@example.cn", "guess-guess-guess")
            .await
            .status(),
        401
    );
}

const OWNER_ID: &str = "11010519491231002X";
const FRESH_ID: &str = "440524188001010014";
const CREDIT: &str = "91110108551385082Q";

/// A page without its CSRF tokens (they differ per session).
fn without_tokens(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    let marker = "name=\"csrf\" value=\"";
    while let Some(i) = rest.find(marker) {
        out.push_str(&rest[..i + marker.len()]);
        rest = &rest[i + marker.len()..];
        let end = rest.find('"').unwrap();
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// What the person registering sees: the answer's status and target, and the page it leads to.
async fn register(
    app: &TestApp,
    ip: &str,
    path: &str,
    form: &[(&str, &str)],
) -> (u16, String, String) {
    let mut b = browser_at(app, ip, None);
    b.refresh_csrf(path).await;
    let res = b.post(path, form).await;
    let status = res.status().as_u16();
    let target = location(&res);
    let body = if target.is_empty() {
        res.text().await.unwrap()
    } else {
        b.get(&target).await.text().await.unwrap()
    };
    (status, target, without_tokens(&body))
}

fn mails_to(app: &TestApp, user_id: i32) -> Vec<(String, String)> {
    use diesel::prelude::*;
    use kaifang::db::schema::mail_outbox as m;
    m::table
        .filter(m::user_id.eq(user_id))
        .order(m::id)
        .select((m::subject, m::body))
        .load(&mut *app.conn())
        .unwrap()
}

fn user_id(app: &TestApp, email: &str) -> Option<i32> {
    kaifang::db::users::by_email(&mut app.conn(), email)
        .unwrap()
        .map(|u| u.id)
}

fn user_count(app: &TestApp) -> i64 {
    use diesel::prelude::*;
    kaifang::db::schema::users::table
        .count()
        .get_result(&mut *app.conn())
        .unwrap()
}

async fn registration_does_not_tell_whether_an_account_exists(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |s| {
        behind_proxy(s);
        s.auth.register_burst_per_ip = 100;
    })
    .await
    else {
        return;
    };
    // The existing accounts: a person, and an organisation.
    let person = "owner@example.cn";
    let first = register(
        &app,
        "198.51.100.1",
        "/register/individual",
        &person_form(person, OWNER_ID),
    )
    .await;
    let org = "wang@hengxin.cn";
    register(
        &app,
        "198.51.100.2",
        "/register/organisation",
        &org_form(org, CREDIT, FRESH_ID),
    )
    .await;
    let (owner, org_owner) = (user_id(&app, person).unwrap(), user_id(&app, org).unwrap());
    assert_eq!(user_count(&app), 2);
    let mails_before = (mails_to(&app, owner).len(), mails_to(&app, org_owner).len());

    // A new registration, then one with the existing e-mail address, one with the existing
    // resident ID number, one with the existing credit code: all answered alike.
    let fresh = register(
        &app,
        "203.0.113.1",
        "/register/individual",
        &person_form("fresh@example.cn", FRESH_ID),
    )
    .await;
    let same_email = register(
        &app,
        "203.0.113.2",
        "/register/individual",
        &person_form(person, "110101199003070038"),
    )
    .await;
    let same_id = register(
        &app,
        "203.0.113.3",
        "/register/individual",
        &person_form("someone.else@example.cn", OWNER_ID),
    )
    .await;
    let valid_code = format!(
        "91340100MA2N0X1B2{}",
        kaifang::domain::credit_code::check_character(b"91340100MA2N0X1B2").unwrap()
    );
    let fresh_org = register(
        &app,
        "203.0.113.4",
        "/register/organisation",
        &org_form("fresh@org.cn", &valid_code, OWNER_ID),
    )
    .await;
    let same_credit = register(
        &app,
        "203.0.113.5",
        "/register/organisation",
        &org_form("another@org.cn", CREDIT, OWNER_ID),
    )
    .await;
    assert_eq!(same_email.0, fresh.0, "status, existing e-mail");
    assert_eq!(same_id.0, fresh.0, "status, existing ID number");
    assert_eq!(same_email.1, fresh.1, "redirect, existing e-mail");
    assert_eq!(same_id.1, fresh.1, "redirect, existing ID number");
    assert_eq!(same_email.2, fresh.2, "page, existing e-mail");
    assert_eq!(same_id.2, fresh.2, "page, existing ID number");
    assert_eq!(
        (same_credit.0, &same_credit.1, &same_credit.2),
        (fresh_org.0, &fresh_org.1, &fresh_org.2),
        "existing credit code"
    );
    assert_eq!(fresh, first, "two new registrations look the same");
    let page = Page::new(fresh.2.clone());
    assert!(
        page.text("main").contains("注册申请已收到"),
        "{}",
        page.text("main")
    );
    assert!(
        !fresh.2.contains("已注册"),
        "no word of an existing account"
    );

    // No second account; the owners are told by mail.
    assert_eq!(user_count(&app), 4, "only the two new registrations");
    assert!(user_id(&app, "someone.else@example.cn").is_none());
    assert!(user_id(&app, "another@org.cn").is_none());
    let mails = mails_to(&app, owner);
    assert_eq!(
        mails.len(),
        mails_before.0 + 2,
        "the owner hears of both attempts: {mails:?}"
    );
    assert!(mails[mails_before.0..].iter().all(|(s, b)| {
        s.contains("注册") && !b.contains(OWNER_ID) && !b.contains("someone.else")
    }));
    assert_eq!(mails_to(&app, org_owner).len(), mails_before.1 + 1);
    // The attempt did not change the owner's password.
    let mut b = browser_at(&app, "198.51.100.1", None);
    assert_eq!(b.login(person, "雨天-芜湖-2026-数据").await.status(), 303);

    // Audited, without personal data.
    let attempts = app.audited("account.register.duplicate");
    assert_eq!(attempts.len(), 3, "{attempts:?}");
    let all = kaifang::db::audit::all_in_order(&mut app.conn()).unwrap();
    for e in &all {
        let row = format!("{} {} {}", e.target, e.details, e.actor);
        assert!(
            !row.contains(OWNER_ID) && !row.contains("someone.else") && !row.contains(person),
            "{row}"
        );
    }
    // The new account goes on as before: log in with the chosen password.
    let mut n = browser_at(&app, "203.0.113.1", None);
    assert_eq!(
        n.login("fresh@example.cn", "雨天-芜湖-2026-数据")
            .await
            .status(),
        303
    );
}
