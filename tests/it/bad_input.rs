//! Bad input never produces a 500: unknown filter values, bad pages, huge slugs, SQL and HTML
//! metacharacters in every parameter give a normal page or a 400/404 page that says why.

use crate::both_backends;
use crate::helpers::{Backend, DatasetBuilder, TestApp};

both_backends!(
    unknown_filter_values_are_explained,
    page_numbers_out_of_range,
    metacharacters_in_every_parameter,
    metacharacters_in_staff_and_api_parameters,
    huge_and_odd_paths,
);

fn seed(app: &TestApp) {
    let dept = app.department("hefei-data", "合肥市数据资源局", "340100");
    for i in 0..3 {
        DatasetBuilder::new(&format!("bus-{i}"), &format!("公交数据{i}"), &dept).insert(app);
    }
}

async fn unknown_filter_values_are_explained(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    seed(&app);
    let cases = [
        ("theme=unicorns", "主题“unicorns”不存在"),
        ("dept=nobody", "部门“nobody”不存在"),
        ("open=secret", "开放类型“secret”无效"),
        ("open=closed", "开放类型“closed”无效"),
        ("format=c%20s%20v", "数据格式“c s v”无效"),
        ("freq=hourly", "更新周期“hourly”无效"),
        ("sort=price", "未知的排序方式“price”"),
        ("page=abc", "页码“abc”无效"),
    ];
    for (query, message) in cases {
        let (status, page) = app
            .page(&format!("/datasets?q=%E5%85%AC%E4%BA%A4&{query}"))
            .await;
        assert_eq!(status, 400, "{query}");
        let problems = page.text("#problems");
        assert!(problems.contains(message), "{query}: {problems}");
        // What the person typed stays in the box, and the other conditions still apply.
        assert_eq!(page.attrs("#q", "value"), ["公交"], "{query}");
        assert_eq!(page.text("#results-title"), "共 3 个数据集", "{query}");
        // Links on the page no longer carry the bad value.
        let value = query.split('=').nth(1).unwrap();
        let hrefs = page.attrs(".facets a, .sorts a, .pagination a", "href");
        assert!(
            hrefs.iter().all(|h| !h.contains(&format!("={value}"))),
            "{query}: {hrefs:?}"
        );
    }
}

async fn page_numbers_out_of_range(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    seed(&app);
    for bad in ["-1", "0", "1.5", "99999999999999999999"] {
        let (status, page) = app.page(&format!("/datasets?page={bad}")).await;
        assert_eq!(status, 400, "page={bad}");
        assert!(page.text("#problems").contains("页码"), "page={bad}");
    }
    let (status, page) = app.page("/datasets?page=99999").await;
    assert_eq!(status, 200);
    let notice = page.text(".alert-info");
    assert!(notice.contains("第 99999 页没有数据：共 1 页"), "{notice}");
    assert_eq!(page.attrs(".alert-info a", "href"), ["/datasets"]);
}

const NASTY: [&str; 8] = [
    "' OR '1'='1",
    "1; DROP TABLE datasets; --",
    "\" onmouseover=\"alert(1)",
    "<script>alert(1)</script>",
    "%' UNION SELECT password_hash FROM users --",
    "\\'\\\"",
    "😀 ％ ＿",
    "\u{0}\u{1}",
];

async fn metacharacters_in_every_parameter(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    seed(&app);
    for key in [
        "q", "theme", "dept", "open", "format", "freq", "sort", "page", "unknown",
    ] {
        for nasty in NASTY {
            let query = serde_urlencoded::to_string([(key, nasty)]).unwrap();
            let res = app.get(&format!("/datasets?{query}")).await;
            let status = res.status().as_u16();
            assert!(
                status == 200 || status == 400,
                "{key}={nasty:?} answered {status}"
            );
            let body = res.text().await.unwrap();
            assert!(
                !body.contains("<script>alert(1)"),
                "{key}: unescaped script"
            );
            assert!(
                !body.contains("\" onmouseover=\""),
                "{key}: unescaped attribute"
            );
        }
    }
    // The data is intact after all that.
    let page = app.ok_page("/datasets").await;
    assert_eq!(page.text("#results-title"), "共 3 个数据集");
    // A search for SQL text is just text: it finds nothing and says so.
    let page = app.ok_page("/datasets?q=%27%20OR%20%271%27%3D%271").await;
    assert_eq!(page.text("#results-title"), "共 0 个数据集");
    // LIKE wildcards are literal characters, not patterns.
    let page = app.ok_page("/datasets?q=%25").await;
    assert_eq!(page.text("#results-title"), "共 0 个数据集");
    let page = app.ok_page("/datasets?q=_").await;
    assert_eq!(page.text("#results-title"), "共 0 个数据集");
}

/// The staff pages' filters and the API's queries, with the same strings (a NUL among them:
/// PostgreSQL cannot compare one, which was a 500 in the CKAN actions Schemathesis found).
async fn metacharacters_in_staff_and_api_parameters(backend: Backend) {
    use kaifang::domain::Role;
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    seed(&app);
    app.account("admin@ah.gov.cn", Role::Admin, None);
    let admin = app.logged_in("admin@ah.gov.cn").await;
    let mut failures = Vec::new();
    let pages = [
        ("/admin/users", &["q", "role", "page"][..]),
        (
            "/admin/audit",
            &[
                "actor", "action", "target", "from", "until", "page", "verify",
            ],
        ),
        ("/admin/calendar", &["year"]),
        ("/stats", &["from", "to"]),
        ("/admin/assessment", &["from", "to"]),
        ("/login", &["next"]),
    ];
    for (path, keys) in pages {
        for key in keys {
            for nasty in NASTY {
                let query = serde_urlencoded::to_string([(key, nasty)]).unwrap();
                let res = admin.get(&format!("{path}?{query}")).await;
                let status = res.status().as_u16();
                // A year outside the calendar is a page that does not exist.
                let not_found_ok = path == "/admin/calendar" && status == 404;
                if ![200, 303, 400].contains(&status) && !not_found_ok {
                    failures.push(format!("{path}?{key}={nasty:?} answered {status}"));
                }
                let body = res.text().await.unwrap();
                assert!(!body.contains("<script>alert(1)"), "{path} {key}");
            }
        }
    }
    // A form whose text holds a NUL: PostgreSQL could not store it (a 500 there); nothing is
    // created on either back-end.
    let res = admin
        .post(
            "/admin/departments/new",
            &[
                ("slug", "nul-dept"),
                ("name", "合肥\0数据局"),
                ("region_code", "340100"),
                ("parent", ""),
                ("description", ""),
            ],
        )
        .await;
    if res.status() != 400 {
        failures.push(format!(
            "a department form with a NUL answered {}",
            res.status()
        ));
    }
    assert_eq!(app.get("/departments/nul-dept").await.status(), 404);
    let api = [
        (
            "/api/v1/datasets",
            &["q", "dept", "theme", "format", "sort"][..],
        ),
        (
            "/api/v1/datasets/bus-0/resources/1/rows",
            &["q", "sort", "fields"],
        ),
        ("/api/3/action/package_search", &["q", "fq", "sort"]),
        ("/api/3/action/tag_list", &["query"]),
    ];
    for (path, keys) in api {
        for key in keys {
            for nasty in NASTY {
                let query = serde_urlencoded::to_string([(key, nasty)]).unwrap();
                let res = app.get(&format!("{path}?{query}")).await;
                let status = res.status().as_u16();
                if status >= 500 {
                    failures.push(format!("{path}?{key}={nasty:?} answered {status}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

async fn huge_and_odd_paths(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    seed(&app);
    let long = "a".repeat(2048);
    for path in [
        format!("/datasets/{long}"),
        format!("/departments/{long}"),
        format!("/themes/{long}"),
        "/datasets/%3Cscript%3E".to_owned(),
        "/datasets/'%20OR%201=1".to_owned(),
        "/datasets/..%2F..%2Fetc%2Fpasswd".to_owned(),
        "/datasets/%FF%FE".to_owned(),
        "/datasets/BUS-0".to_owned(),
        "/static/x/../../Cargo.toml".to_owned(),
        "/nowhere".to_owned(),
    ] {
        let (status, page) = app.page(&path).await;
        assert_eq!(status, 404, "{path}");
        assert_eq!(
            page.text("h1"),
            "页面不存在",
            "{path}: the 404 page is in the site layout"
        );
        assert_eq!(page.count("header.site-header"), 1);
    }
    let res = app
        .client
        .post(format!("{}/datasets", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
    let huge_query = format!("/datasets?q={}", "数".repeat(3000));
    let (status, page) = app.page(&huge_query).await;
    assert_eq!(status, 400);
    assert!(page.text("#problems").contains("搜索词最长"));
}
