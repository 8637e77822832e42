//! Administration: departments, accounts, the calendar, the audit-log viewer.

use kaifang::domain::Role;

use crate::both_backends;
use crate::helpers::{Backend, Page, TestApp, location};

both_backends!(
    departments_form_a_tree,
    accounts_are_verified_and_disabled,
    the_calendar_is_data,
    the_audit_log_can_be_searched,
    refused_english_forms_keep_their_english_labels
);

async fn departments_form_a_tree(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.account("admin@ah.gov.cn", Role::Admin, None);
    let a = app.logged_in("admin@ah.gov.cn").await;
    let create =
        |slug: &'static str, name: &'static str, region: &'static str, parent: &'static str| {
            vec![
                ("slug", slug),
                ("name", name),
                ("region_code", region),
                ("parent", parent),
                ("description", ""),
            ]
        };
    assert_eq!(
        a.post(
            "/admin/departments/new",
            &create("ah-data", "安徽省数据资源管理局", "340000", "")
        )
        .await
        .status(),
        303
    );
    assert_eq!(
        a.post(
            "/admin/departments/new",
            &create("hefei-data", "合肥市数据资源局", "340100", "ah-data")
        )
        .await
        .status(),
        303
    );
    let d = kaifang::db::departments::by_slug(&mut app.conn(), "hefei-data")
        .unwrap()
        .unwrap();
    assert_eq!(
        d.level.as_str(),
        "city",
        "the level follows the region code"
    );
    // Errors: bad region, unknown parent, a parent that does not cover the region, a cycle,
    // a taken slug.
    for (form, field) in [
        (create("x", "某局", "3401", ""), "region_code"),
        (create("y", "某局", "340100", "nobody"), "parent"),
        (create("z", "某局", "320100", "ah-data"), "parent"),
        (create("hefei-data", "重复", "340100", ""), "slug"),
        (create("Bad Slug", "某局", "340100", ""), "slug"),
    ] {
        let res = a.post("/admin/departments/new", &form).await;
        assert_eq!(res.status(), 400, "{field}");
        assert!(
            !Page::new(res.text().await.unwrap())
                .text(&format!("#f-{field}-error"))
                .is_empty(),
            "{field}"
        );
    }
    let cycle = vec![
        ("name", "安徽省数据资源管理局"),
        ("region_code", "340000"),
        ("parent", "hefei-data"),
        ("description", ""),
    ];
    let res = a.post("/admin/departments/ah-data/edit", &cycle).await;
    assert_eq!(res.status(), 400);
    assert!(
        Page::new(res.text().await.unwrap())
            .text("#f-parent-error")
            .contains("下级")
    );
    let page = a.page("/admin/departments").await.1;
    assert_eq!(page.count("tbody tr"), 2);
    assert_eq!(
        page.count("th.depth-1"),
        1,
        "the city bureau sits under the province"
    );
}

async fn accounts_are_verified_and_disabled(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.department("hefei-data", "合肥市数据资源局", "340100");
    let admin = app.account("admin@ah.gov.cn", Role::Admin, None);
    let user = app.account("li@example.cn", Role::User, None);
    kaifang::db::users::set_status(
        &mut app.conn(),
        user.id,
        kaifang::domain::AccountStatus::Unverified,
    )
    .unwrap();
    let a = app.logged_in("admin@ah.gov.cn").await;
    let li = app.logged_in("li@example.cn").await;
    let key = app.api_key(user.id);
    let list = a.page("/admin/users?q=li%40example&role=user").await.1;
    assert_eq!(list.count("tbody tr"), 1);
    assert!(list.text("tbody").contains("待核验"));
    assert_eq!(a.page("/admin/users?q=nobody").await.1.count("tbody tr"), 0);
    let path = format!("/admin/users/{}", user.id);
    let res = a
        .post(
            &path,
            &[("role", "user"), ("department", ""), ("status", "verified")],
        )
        .await;
    assert_eq!(location(&res), path);
    assert_eq!(
        li.page("/account").await.1.meta("实名状态").unwrap(),
        "已核验"
    );
    let res = a
        .post(
            &path,
            &[("role", "root"), ("department", ""), ("status", "sleeping")],
        )
        .await;
    assert_eq!(res.status(), 400);
    let page = Page::new(res.text().await.unwrap());
    assert!(page.text("#f-role-error").contains("未知的角色"));
    assert!(page.text("#f-status-error").contains("未知的账号状态"));
    // A publisher needs a department.
    let res = a
        .post(
            &path,
            &[
                ("role", "publisher"),
                ("department", ""),
                ("status", "verified"),
            ],
        )
        .await;
    assert_eq!(res.status(), 400);
    a.post(
        &path,
        &[
            ("role", "publisher"),
            ("department", "hefei-data"),
            ("status", "verified"),
        ],
    )
    .await;
    assert_eq!(
        li.get("/console").await.status(),
        200,
        "the new role applies at once"
    );
    // Disabling logs them out everywhere and stops their keys.
    a.post(
        &path,
        &[
            ("role", "publisher"),
            ("department", "hefei-data"),
            ("status", "disabled"),
        ],
    )
    .await;
    assert!(location(&li.get("/account").await).starts_with("/login"));
    let api = app
        .client
        .get(format!("{}/api/v1/account", app.address))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 401);
    let mut again = app.browser();
    let res = again.login("li@example.cn", crate::helpers::PASSWORD).await;
    assert_eq!(res.status(), 403);
    // An administrator cannot demote or disable themselves.
    let res = a
        .post(
            &format!("/admin/users/{}", admin.id),
            &[("role", "user"), ("department", ""), ("status", "verified")],
        )
        .await;
    assert_eq!(res.status(), 409);
    let audit = kaifang::db::audit::all_in_order(&mut app.conn()).unwrap();
    assert!(
        audit
            .iter()
            .any(|e| e.action == "user.role" && e.target == format!("user:{}", user.id))
    );
    assert!(
        audit
            .iter()
            .any(|e| e.action == "user.status" && e.details.contains("disabled"))
    );
}

async fn the_calendar_is_data(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.account("admin@ah.gov.cn", Role::Admin, None);
    let a = app.logged_in("admin@ah.gov.cn").await;
    let page = a.page("/admin/calendar?year=2026").await.1;
    assert!(
        page.text("tbody").contains("2026-10-01 放假 国庆节"),
        "seeded with 2026"
    );
    assert!(
        page.text("tbody").contains("2026-10-10 调休上班"),
        "with make-up workdays"
    );
    let next = a.page("/admin/calendar?year=2027").await.1;
    assert!(
        next.text("tbody").contains("春节"),
        "and next year provisionally"
    );
    let res = a
        .post(
            "/admin/calendar",
            &[
                ("day", "2026-12-31"),
                ("kind", "holiday"),
                ("name", "测试假日"),
            ],
        )
        .await;
    assert_eq!(location(&res), "/admin/calendar?year=2026");
    let cal = kaifang::db::calendar::work_calendar(&mut app.conn()).unwrap();
    assert!(!cal.is_working_day(chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()));
    for (day, kind, name, field) in [
        ("2026-12-31", "holiday", "重复", "day"),
        ("31/12/2026", "holiday", "格式", "day"),
        ("2026-12-30", "sometimes", "类型", "kind"),
        ("2026-12-30", "workday", "", "name"),
    ] {
        let res = a
            .post(
                "/admin/calendar",
                &[("day", day), ("kind", kind), ("name", name)],
            )
            .await;
        assert_eq!(res.status(), 400, "{day} {kind} {name}");
        assert!(
            !Page::new(res.text().await.unwrap())
                .text(&format!("#f-{field}-error"))
                .is_empty(),
            "{field}"
        );
    }
    a.post("/admin/calendar/2026-12-31/delete", &[]).await;
    let cal = kaifang::db::calendar::work_calendar(&mut app.conn()).unwrap();
    assert!(cal.is_working_day(chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()));
    assert_eq!(a.get("/admin/calendar?year=abc").await.status(), 404);
    assert_eq!(
        a.post("/admin/calendar/not-a-day/delete", &[])
            .await
            .status(),
        404
    );
}

async fn the_audit_log_can_be_searched(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.account("admin@ah.gov.cn", Role::Admin, None);
    app.account("li@example.cn", Role::User, None);
    let a = app.logged_in("admin@ah.gov.cn").await;
    let mut li = app.browser();
    li.login("li@example.cn", "wrong password 1").await;
    let all = a.page("/admin/audit").await.1;
    assert!(
        all.count("tbody tr") >= 4,
        "two accounts, a login, a failure"
    );
    let failures = a.page("/admin/audit?action=login.failure").await.1;
    assert_eq!(failures.count("tbody tr"), 1);
    assert!(
        failures.text("tbody").contains("127.0.0.1"),
        "the address is recorded"
    );
    let by_actor = a.page("/admin/audit?actor=cli").await.1;
    assert_eq!(by_actor.count("tbody tr"), 2);
    let future = a.page("/admin/audit?from=2099-01-01").await.1;
    assert_eq!(future.count("tbody tr"), 0);
    let (status, bad) = a.page("/admin/audit?from=yesterday").await;
    assert_eq!(status, 400);
    assert!(bad.text(".alert-error").contains("开始日期"));
    let verified = a.page("/admin/audit?verify=1").await.1;
    assert!(verified.text(".alert-success").contains("哈希链完整"));
    for path in [
        "/admin/audit?page=99999999999999999",
        "/admin/users?page=9223372036854775807",
        "/admin/users?q=%25",
    ] {
        assert_eq!(a.get(path).await.status(), 200, "{path}");
    }
    assert_eq!(a.get("/admin/audit?from=-262143-01-01").await.status(), 400);
    let sneaky = a.page("/admin/audit?action=%25").await.1;
    assert_eq!(
        sneaky.count("tbody tr"),
        0,
        "% is a literal character, not a wildcard"
    );
}

/// An administrator's form refused at `/en/…` is shown again in English (issue 20): the labels
/// stay English, and what the handlers themselves say is wrong is English too.
async fn refused_english_forms_keep_their_english_labels(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.account("admin@ah.gov.cn", Role::Admin, None);
    let a = app.logged_in("admin@ah.gov.cn").await;
    let form = [
        ("slug", "x"),
        ("name", "某局"),
        ("region_code", "3401"),
        ("parent", ""),
        ("description", ""),
    ];
    let res = a.post("/en/admin/departments/new", &form).await;
    assert_eq!(res.status(), 400);
    let page = Page::new(res.text().await.unwrap());
    assert_eq!(page.text("h1"), "New department");
    assert_eq!(
        page.text("label[for=f-region_code]"),
        "Administrative division code"
    );
    assert!(!page.text("#f-region_code-error").is_empty());

    let day = [("day", "2026-13-01"), ("kind", "holiday"), ("name", "")];
    let res = a.post("/en/admin/calendar", &day).await;
    assert_eq!(res.status(), 400);
    let page = Page::new(res.text().await.unwrap());
    assert_eq!(page.text("label[for=f-kind]"), "Type");
    assert_eq!(
        page.text("form[action$=\"/admin/calendar\"] > button"),
        "Add"
    );

    let (status, page) = a.page("/en/admin/assessment?from=soon&to=").await;
    assert_eq!(status, 400);
    assert_eq!(page.text("label[for=f-from]"), "From");
    assert!(
        page.text("#f-from-error").contains("is not a date"),
        "{}",
        page.text("#f-from-error")
    );
    let (status, page) = a.page("/en/admin/audit?from=1800-01-01").await;
    assert_eq!(status, 400);
    assert!(
        page.text(".alert-error")
            .contains("must be a date between 1900 and 2100")
    );
    // The Chinese pages say the same in Chinese.
    let (status, page) = a.page("/admin/audit?from=1800-01-01").await;
    assert_eq!(status, 400);
    assert_eq!(
        page.text(".alert-error"),
        "开始日期应为 1900 至 2100 年间的日期，格式 YYYY-MM-DD"
    );
}
