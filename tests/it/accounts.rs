//! Registration, login, sessions, CSRF, throttling, API keys.

use diesel::RunQueryDsl;
use kaifang::db::DbConnection;
use kaifang::domain::Role;

use crate::both_backends;
use crate::helpers::{Backend, PASSWORD, TestApp, location};

const ID: &str = "11010519491231002X";
const ID2: &str = "440524188001010014";
const CREDIT: &str = "91110108551385082Q";

pub(crate) fn org_form<'a>(
    email: &'a str,
    credit: &'a str,
    id: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("org_name", "合肥恒信数据科技有限公司"),
        ("credit_code", credit),
        ("real_name", "王芳"),
        ("id_number", id),
        ("mobile", "13812345678"),
        ("email", email),
        ("password", "晴天-合肥-2026-数据"),
        ("password_confirm", "晴天-合肥-2026-数据"),
        ("agree", "yes"),
    ]
}

pub(crate) fn person_form<'a>(email: &'a str, id: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("real_name", "李明"),
        ("id_number", id),
        ("mobile", "13912345678"),
        ("email", email),
        ("password", "雨天-芜湖-2026-数据"),
        ("password_confirm", "雨天-芜湖-2026-数据"),
        ("agree", "yes"),
    ]
}

fn user_count(app: &TestApp) -> i64 {
    use diesel::prelude::*;
    kaifang::db::schema::users::table
        .count()
        .get_result(&mut app.conn())
        .unwrap()
}

/// Every row of every table, as text (to look for data that must not be stored).
fn everything_stored(conn: &mut DbConnection) -> String {
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        t: String,
    }
    let tables = [
        "users",
        "sessions",
        "api_keys",
        "audit_events",
        "departments",
        "datasets",
    ];
    let mut out = String::new();
    for table in tables {
        let sql = match conn {
            DbConnection::Pg(_) => format!("SELECT CAST(x AS TEXT) AS t FROM {table} x"),
            DbConnection::Sqlite(_) => {
                // SQLite has no row-to-text cast: concatenate the columns instead.
                #[derive(diesel::QueryableByName)]
                struct Col {
                    #[diesel(sql_type = diesel::sql_types::Text)]
                    name: String,
                }
                let cols: Vec<Col> =
                    diesel::sql_query(format!("SELECT name FROM pragma_table_info('{table}')"))
                        .load(conn)
                        .unwrap();
                let joined = cols
                    .iter()
                    .map(|c| format!("COALESCE(CAST({} AS TEXT), '')", c.name))
                    .collect::<Vec<_>>()
                    .join(" || '|' || ");
                format!("SELECT {joined} AS t FROM {table}")
            }
        };
        for r in diesel::sql_query(sql).load::<Row>(conn).unwrap() {
            out.push_str(&r.t);
            out.push('\n');
        }
    }
    out
}

both_backends!(
    passwords_may_not_contain_the_id_number,
    organisations_and_people_register,
    bad_registrations_store_nothing,
    login_messages_do_not_tell_accounts_apart,
    repeated_logins_are_throttled,
    forms_need_the_sessions_csrf_token,
    sessions_can_be_listed_and_ended,
    password_change_checks_and_logs_out_elsewhere,
    api_keys_are_shown_once_and_revocable,
);

async fn organisations_and_people_register(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let mut b = app.browser();
    b.refresh_csrf("/register/organisation").await;
    let res = b
        .post(
            "/register/organisation",
            &org_form("wang@hengxin.cn", CREDIT, ID),
        )
        .await;
    assert_eq!(res.status(), 303);
    // Not logged in: a registration is answered the same whether or not the details belong to
    // an account already (tests/it/abuse.rs), so it cannot be a login.
    assert_eq!(location(&res), "/login");
    let page = b.page("/login").await.1;
    assert!(
        page.text(".alert-success").contains("注册申请已收到"),
        "flash message"
    );
    assert_eq!(
        b.login("wang@hengxin.cn", "晴天-合肥-2026-数据")
            .await
            .status(),
        303
    );
    let page = b.page("/account").await.1;
    assert_eq!(page.meta("账号类型").unwrap(), "法人或其他组织");
    assert_eq!(page.meta("实名状态").unwrap(), "待核验");
    assert_eq!(page.meta("统一社会信用代码").unwrap(), CREDIT);
    assert_eq!(page.meta("公民身份号码").unwrap(), "1101**********002X");
    assert_eq!(page.meta("手机号码").unwrap(), "138****5678");
    assert!(
        !page.body.contains(ID),
        "the page shows only the masked number"
    );

    // A person, in another browser; the same person cannot register twice.
    let mut p = app.browser();
    p.refresh_csrf("/register/individual").await;
    assert_eq!(
        p.post("/register/individual", &person_form("li@example.cn", ID2))
            .await
            .status(),
        303
    );
    let mut again = app.browser();
    again.refresh_csrf("/register/individual").await;
    let users = |app: &TestApp| {
        kaifang::db::users::search(&mut app.conn(), None, None, 10, 0)
            .unwrap()
            .0
    };
    let before = users(&app);
    let res = again
        .post("/register/individual", &person_form("li2@example.cn", ID2))
        .await;
    assert_eq!(location(&res), "/login", "answered like any registration");
    assert_eq!(users(&app), before, "but nothing created");
    // The organisation's contact person may also hold a personal account.
    let res = again
        .post(
            "/register/individual",
            &person_form("wang.personal@example.cn", ID),
        )
        .await;
    assert_eq!(res.status(), 303);
    // But the organisation cannot register twice, nor the e-mail address.
    let mut third = app.browser();
    third.refresh_csrf("/register/organisation").await;
    let res = third
        .post(
            "/register/organisation",
            &org_form("other@hengxin.cn", CREDIT, ID2),
        )
        .await;
    assert_eq!(location(&res), "/login");
    let valid_code = format!(
        "91340100MA2N0X1B2{}",
        kaifang::domain::credit_code::check_character(b"91340100MA2N0X1B2").unwrap()
    );
    let res = third
        .post(
            "/register/organisation",
            &org_form("wang@hengxin.cn", &valid_code, ID2),
        )
        .await;
    assert_eq!(location(&res), "/login", "the e-mail address is taken");
    assert_eq!(
        users(&app),
        before + 1,
        "only the personal account was added"
    );

    // Nowhere in the database is the resident ID number stored in plain text.
    let stored = everything_stored(&mut app.conn());
    assert!(
        stored.contains("1101**********002X"),
        "the masked form is kept"
    );
    assert!(
        !stored.contains(ID) && !stored.contains(ID2),
        "a plain ID number is stored"
    );
    if let Some(path) = app.settings.database_url().unwrap().sqlite_path() {
        for suffix in ["", "-wal"] {
            let bytes = std::fs::read(format!("{}{suffix}", path.display())).unwrap_or_default();
            assert!(
                !bytes.windows(ID.len()).any(|w| w == ID.as_bytes()),
                "plain ID in the SQLite file{suffix}"
            );
        }
    }
}

async fn bad_registrations_store_nothing(backend: Backend) {
    // More attempts than the per-address registration limit allows by default.
    let Some(app) = TestApp::spawn_with(backend, |s| s.auth.register_burst_per_ip = 100).await
    else {
        return;
    };
    let mut b = app.browser();
    b.refresh_csrf("/register/organisation").await;
    let good = org_form("wang@hengxin.cn", CREDIT, ID);
    let cases: Vec<(&str, &str, &str)> = vec![
        ("credit_code", "91110108551385082A", "校验位不正确"),
        ("credit_code", "9111010855138508", "应为 18 位"),
        ("id_number", "110105194912310021", "校验位不正确"),
        ("id_number", "11010519491331002X", "出生日期"),
        ("mobile", "1381234567", "手机号码"),
        ("email", "not-an-email", "电子邮箱"),
        ("password", "short", "至少需要 10 个字符"),
        ("password", "x13812345678x", "不能包含"),
        ("password_confirm", "something else", "不一致"),
        ("agree", "", "请阅读并同意"),
        ("real_name", "", "联系人姓名"),
        ("org_name", "", "单位名称"),
    ];
    for (field, value, message) in cases {
        let mut form = good.clone();
        for f in form.iter_mut() {
            if f.0 == field {
                f.1 = value;
            }
        }
        if field == "password" {
            for f in form.iter_mut() {
                if f.0 == "password_confirm" {
                    f.1 = value;
                }
            }
        }
        let res = b.post("/register/organisation", &form).await;
        assert_eq!(res.status(), 400, "{field}={value}");
        let page = crate::helpers::Page::new(res.text().await.unwrap());
        let error = page.text(&format!("#f-{field}-error"));
        assert!(error.contains(message), "{field}={value}: {error:?}");
        // Linked from the summary; the field is marked; what was typed is kept (not passwords).
        assert_eq!(
            page.attrs(&format!("#error-summary a[href='#f-{field}']"), "href")
                .len(),
            1,
            "{field}"
        );
        if field != "agree" {
            assert_eq!(
                page.attrs(&format!("#f-{field}"), "aria-invalid"),
                ["true"],
                "{field}"
            );
        }
        if field == "mobile" {
            assert_eq!(page.attrs("#f-mobile", "value"), [value]);
        }
        if field != "org_name" {
            assert_eq!(
                page.attrs("#f-org_name", "value"),
                ["合肥恒信数据科技有限公司"],
                "{field}"
            );
        }
        assert_eq!(
            page.attrs("#f-password", "value"),
            [""],
            "passwords are not sent back"
        );
    }
    assert_eq!(user_count(&app), 0, "nothing was stored");
}

async fn login_messages_do_not_tell_accounts_apart(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.account("known@example.cn", Role::User, None);
    let mut b = app.browser();
    let wrong = b.login("known@example.cn", "not the password").await;
    assert_eq!(wrong.status(), 401);
    let wrong = crate::helpers::Page::new(wrong.text().await.unwrap());
    let unknown = b.login("nobody@example.cn", "not the password").await;
    assert_eq!(unknown.status(), 401);
    let unknown = crate::helpers::Page::new(unknown.text().await.unwrap());
    assert_eq!(wrong.text("#login-error"), "电子邮箱或密码不正确");
    assert_eq!(wrong.text("#login-error"), unknown.text("#login-error"));
    assert_eq!(
        wrong.attrs("#f-email", "value"),
        ["known@example.cn"],
        "the address is kept"
    );
    // A login sends the person where they were going, but never off the site.
    let mut c = app.browser();
    c.refresh_csrf("/login?next=%2Fconsole").await;
    let csrf = c.csrf.clone();
    let res = c
        .post_raw(
            "/login",
            &[
                ("csrf", &csrf),
                ("email", "known@example.cn"),
                ("password", PASSWORD),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(location(&res), "/account");
    // Both failures are in the audit log, without the password.
    let events = kaifang::db::audit::all_in_order(&mut app.conn()).unwrap();
    let failures: Vec<_> = events
        .iter()
        .filter(|e| e.action == "login.failure")
        .collect();
    assert_eq!(failures.len(), 2);
    assert!(
        failures
            .iter()
            .all(|e| e.ip.as_deref() == Some("127.0.0.1"))
    );
    assert!(
        events
            .iter()
            .all(|e| !e.details.contains("not the password"))
    );
    assert!(events.iter().any(|e| e.action == "login.success"));
}

async fn repeated_logins_are_throttled(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |s| {
        s.auth.login_burst_per_account = 3;
        s.auth.login_refill_secs = 600;
    })
    .await
    else {
        return;
    };
    app.account("target@example.cn", Role::User, None);
    let mut b = app.browser();
    for _ in 0..3 {
        assert_eq!(
            b.login("target@example.cn", "wrong password!")
                .await
                .status(),
            401
        );
    }
    let res = b.login("target@example.cn", PASSWORD).await;
    assert_eq!(
        res.status(),
        429,
        "even the right password waits once the account is throttled"
    );
    let retry: u64 = res
        .headers()
        .get("retry-after")
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=600).contains(&retry), "{retry}");
    let page = crate::helpers::Page::new(res.text().await.unwrap());
    assert_eq!(page.text("h1"), "请求过于频繁");
    assert!(page.text("main").contains("秒后再试"));
    // Another account is not affected.
    app.account("other@example.cn", Role::User, None);
    assert_eq!(b.login("other@example.cn", PASSWORD).await.status(), 303);
}

async fn forms_need_the_sessions_csrf_token(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.account("a@example.cn", Role::User, None);
    app.account("b@example.cn", Role::User, None);
    let a = app.logged_in("a@example.cn").await;
    let b = app.logged_in("b@example.cn").await;
    for (label, fields) in [
        ("missing", vec![("name", "密钥")]),
        ("forged", vec![("csrf", "0000"), ("name", "密钥")]),
        (
            "another session's",
            vec![("csrf", b.csrf.as_str()), ("name", "密钥")],
        ),
        ("empty", vec![("csrf", ""), ("name", "密钥")]),
    ] {
        let res = a.post_raw("/account/keys", &fields).await;
        assert_eq!(res.status(), 403, "{label} token");
        let page = crate::helpers::Page::new(res.text().await.unwrap());
        assert!(
            page.text("main").contains("表单已过期或来源不明"),
            "{label}"
        );
    }
    assert!(
        kaifang::db::api_keys::for_user(&mut app.conn(), 1)
            .unwrap()
            .is_empty(),
        "nothing created"
    );
    assert_eq!(
        a.post("/account/keys", &[("name", "密钥")]).await.status(),
        201
    );
    // Login and registration forms are protected too.
    let anonymous = app.browser();
    let res = anonymous
        .post_raw(
            "/login",
            &[("email", "a@example.cn"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.status(), 403);
    let res = anonymous.post_raw("/logout", &[]).await;
    assert_eq!(res.status(), 403);
}

async fn sessions_can_be_listed_and_ended(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.account("multi@example.cn", Role::User, None);
    let laptop = app.logged_in("multi@example.cn").await;
    let phone = app.logged_in("multi@example.cn").await;
    let page = laptop.page("/account/sessions").await.1;
    assert_eq!(page.count("tbody tr"), 2);
    assert_eq!(page.count("tbody .badge"), 1, "this device is marked");
    // Two logins, two different server-side sessions.
    let sessions = kaifang::db::sessions::for_user(&mut app.conn(), 1).unwrap();
    assert_ne!(sessions[0].token_hash, sessions[1].token_hash);
    // Log out everywhere: both browsers are logged out at once.
    let res = laptop.post("/account/sessions/end-all", &[]).await;
    assert_eq!(location(&res), "/login");
    assert!(location(&phone.get("/account").await).starts_with("/login"));
    assert!(location(&laptop.get("/account").await).starts_with("/login"));
    assert!(
        kaifang::db::sessions::for_user(&mut app.conn(), 1)
            .unwrap()
            .is_empty()
    );
    // Logging out ends the session on the server too.
    let mut c = app.logged_in("multi@example.cn").await;
    c.refresh_csrf("/account").await;
    assert_eq!(location(&c.post("/logout", &[]).await), "/");
    assert!(
        kaifang::db::sessions::for_user(&mut app.conn(), 1)
            .unwrap()
            .is_empty()
    );
    let events = kaifang::db::audit::all_in_order(&mut app.conn()).unwrap();
    assert!(events.iter().any(|e| e.action == "logout.everywhere"));
    assert!(events.iter().any(|e| e.action == "logout"));
}

async fn password_change_checks_and_logs_out_elsewhere(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.account("pw@example.cn", Role::User, None);
    let here = app.logged_in("pw@example.cn").await;
    let elsewhere = app.logged_in("pw@example.cn").await;
    let res = here
        .post(
            "/account/password",
            &[
                ("current", "wrong password"),
                ("new_password", "新的密码-2027-安徽"),
                ("new_password_confirm", "新的密码-2027-安徽"),
            ],
        )
        .await;
    assert_eq!(res.status(), 400);
    assert!(
        crate::helpers::Page::new(res.text().await.unwrap())
            .text("#f-current-error")
            .contains("当前密码不正确")
    );
    let res = here
        .post(
            "/account/password",
            &[
                ("current", PASSWORD),
                ("new_password", "新的密码-2027-安徽"),
                ("new_password_confirm", "新的密码-2027-安徽"),
            ],
        )
        .await;
    assert_eq!(location(&res), "/account");
    assert_eq!(
        here.get("/account").await.status(),
        200,
        "this session stays"
    );
    assert!(
        location(&elsewhere.get("/account").await).starts_with("/login"),
        "others end"
    );
    // Private pages are not cached.
    let cache = here.get("/account/password").await;
    assert_eq!(cache.headers().get("cache-control").unwrap(), "no-store");
    assert!(app.get("/").await.headers().get("cache-control").is_none());
    let mut fresh = app.browser();
    assert_eq!(fresh.login("pw@example.cn", PASSWORD).await.status(), 401);
    assert_eq!(
        fresh
            .login("pw@example.cn", "新的密码-2027-安徽")
            .await
            .status(),
        303
    );
}

async fn api_keys_are_shown_once_and_revocable(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.account("dev@example.cn", Role::User, None);
    let b = app.logged_in("dev@example.cn").await;
    let res = b.post("/account/keys", &[("name", "数据分析脚本")]).await;
    assert_eq!(res.status(), 201);
    let page = crate::helpers::Page::new(res.text().await.unwrap());
    let key = page.text("#new-key-value");
    assert!(key.starts_with("kf_") && key.len() == 43, "{key}");
    assert_eq!(
        page.attrs("#f-name", "value"),
        [""],
        "the name box is empty again"
    );
    let long = "长".repeat(51);
    let res = b.post("/account/keys", &[("name", &long)]).await;
    assert_eq!(res.status(), 400);
    let page_err = crate::helpers::Page::new(res.text().await.unwrap());
    assert_eq!(
        page_err.attrs("#f-name", "value"),
        [long.as_str()],
        "what was typed is kept"
    );
    assert!(page_err.text("#f-name-error").contains("最多 50 个字"));
    // Listed by prefix only; the key itself is never shown again nor stored.
    let list = b.page("/account/keys").await.1;
    assert!(!list.body.contains(&key));
    assert!(list.text("tbody").contains(&key[..9]));
    assert!(!everything_stored(&mut app.conn()).contains(&key));
    let call = |k: String| {
        let client = app.client.clone();
        let url = format!("{}/api/v1/account", app.address);
        async move { client.get(url).bearer_auth(k).send().await.unwrap() }
    };
    let res = call(key.clone()).await;
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["account"]["role"], "user");
    let listed = b.page("/account/keys").await.1;
    assert!(
        !listed.text("tbody").contains("从未使用"),
        "last use is recorded"
    );
    // Revoked: refused at once, with the error envelope.
    let id = kaifang::db::api_keys::for_user(&mut app.conn(), 1).unwrap()[0].id;
    let res = b.post(&format!("/account/keys/{id}/revoke"), &[]).await;
    assert_eq!(location(&res), "/account/keys");
    let res = call(key.clone()).await;
    assert_eq!(res.status(), 401);
    assert_eq!(res.headers().get("www-authenticate").unwrap(), "Bearer");
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthorized");
    // Someone else cannot revoke my keys.
    app.account("other@example.cn", Role::User, None);
    let (_, mine) = kaifang::services::api_keys::create(
        &mut app.conn(),
        1,
        "第二个",
        app.clock.now(),
        &kaifang::services::Actor::cli(),
    )
    .unwrap();
    let other = app.logged_in("other@example.cn").await;
    let second = kaifang::db::api_keys::for_user(&mut app.conn(), 1).unwrap()[0].id;
    assert_eq!(
        other
            .post(&format!("/account/keys/{second}/revoke"), &[])
            .await
            .status(),
        404
    );
    assert_eq!(call(mine).await.status(), 200);
    for bad in ["", "kf_", "Bearer", &"k".repeat(5000)] {
        assert_eq!(call(bad.to_owned()).await.status(), 401);
    }
}

/// The ID number is not stored, yet a new password containing it is refused (via its keyed hash).
async fn passwords_may_not_contain_the_id_number(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let mut b = app.browser();
    b.refresh_csrf("/register/individual").await;
    assert_eq!(
        b.post("/register/individual", &person_form("li@example.cn", ID2))
            .await
            .status(),
        303
    );
    assert_eq!(
        b.login("li@example.cn", "雨天-芜湖-2026-数据")
            .await
            .status(),
        303
    );
    b.refresh_csrf("/account").await;
    let new = format!("新-{ID2}-密码");
    let change = |new: &str| {
        vec![
            ("current", "雨天-芜湖-2026-数据".to_owned()),
            ("new_password", new.to_owned()),
            ("new_password_confirm", new.to_owned()),
        ]
    };
    let fields = change(&new);
    let as_refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = b.post("/account/password", &as_refs).await;
    assert_eq!(res.status(), 400);
    let page = crate::helpers::Page::new(res.text().await.unwrap());
    assert!(
        page.text("#f-new_password-error")
            .contains("不能包含身份证号码"),
        "{}",
        page.text("main")
    );
    let ok = "新的密码-2027-安徽";
    let fields = change(ok);
    let as_refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(
        location(&b.post("/account/password", &as_refs).await),
        "/account"
    );
    // Logging in again on top of a session replaces it instead of leaving it behind.
    let before = kaifang::db::sessions::for_user(&mut app.conn(), 1)
        .unwrap()
        .len();
    b.refresh_csrf("/account").await;
    let res = b
        .post("/login", &[("email", "li@example.cn"), ("password", ok)])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        kaifang::db::sessions::for_user(&mut app.conn(), 1)
            .unwrap()
            .len(),
        before
    );
}
