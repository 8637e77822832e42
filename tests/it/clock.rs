//! Time comes from the portal's `Clock` only: what a service stamps follows the server's clock
//! when a test moves it, as deadlines and grant periods do.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use kaifang::domain::Role;
use kaifang::services::clock::Clock;

use crate::both_backends;
use crate::helpers::{Backend, TestApp};

both_backends!(service_stamps_follow_a_moved_clock);

/// `stamped` lies `days` days ahead of `real` (give or take a few minutes of test run).
fn ahead_by(stamped: NaiveDateTime, real: NaiveDateTime, days: i64, what: &str) {
    let off = stamped - real - Duration::days(days);
    assert!(
        off.num_minutes().abs() < 5,
        "{what} was stamped {stamped}, expected about {} (real time {real} + {days} days)",
        real + Duration::days(days)
    );
}

/// The latest audit event with this action: when it happened.
fn audited_at(app: &TestApp, what: &str) -> NaiveDateTime {
    use kaifang::db::schema::audit_events::dsl::*;
    audit_events
        .filter(action.eq(what))
        .order(id.desc())
        .select(occurred_at)
        .first::<NaiveDateTime>(&mut *app.conn())
        .unwrap_or_else(|e| panic!("no audit event {what}: {e}"))
}

async fn service_stamps_follow_a_moved_clock(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let user = app.account("clock@example.cn", Role::User, None);
    app.clock.advance(Duration::days(30));
    // The real time (the process-wide start offset included), not the app's moved clock.
    let real = Clock::default().now();

    // A login (session and audit event) and a key made through the web, a call with the key.
    let b = app.logged_in("clock@example.cn").await;
    let res = b.post("/account/keys", &[("name", "时钟")]).await;
    assert_eq!(res.status(), 201);
    let page = crate::helpers::Page::new(res.text().await.unwrap());
    let key = page.text("#new-key-value");
    let url = format!("{}/api/v1/account", app.address);
    let res = app.client.get(url).bearer_auth(&key).send().await.unwrap();
    assert_eq!(res.status(), 200);

    ahead_by(
        audited_at(&app, "login.success"),
        real,
        30,
        "the login's audit event",
    );
    ahead_by(
        audited_at(&app, "api_key.create"),
        real,
        30,
        "the key's audit event",
    );
    let sessions = kaifang::db::sessions::for_user(&mut app.conn(), user.id).unwrap();
    assert_eq!(sessions.len(), 1);
    ahead_by(sessions[0].created_at, real, 30, "the session");
    let keys = kaifang::db::api_keys::for_user(&mut app.conn(), user.id).unwrap();
    ahead_by(keys[0].created_at, real, 30, "the key");
    let used = keys[0].last_used_at.expect("the key's use is recorded");
    ahead_by(used, real, 30, "the key's last use");
    // The account page lists the session the browser is in (it lists those seen in the last
    // idle period, counted on the same clock).
    let (status, sessions_page) = b.page("/account/sessions").await;
    assert_eq!(status, 200);
    assert_eq!(sessions_page.count("tbody tr"), 1, "{}", sessions_page.body);
    // The audit chain still verifies (timestamps are hashed at microsecond precision).
    let n = kaifang::services::audit::verify(&mut app.conn()).unwrap();
    assert!(n.is_ok(), "{n:?}");
}
