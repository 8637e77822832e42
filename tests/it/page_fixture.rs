//! A catalog with every kind of page to show: the accessibility tests and the English route
//! walk render every page type against it.

use kaifang::domain::Role;

use crate::helpers::{Backend, DatasetBuilder, TestApp, csv_of, ingest_file, location};

/// The catalog the page types are shown with: an open dataset with a file and its chart, a
/// conditional one, an emergency event with figures, an application, a data request; a user, a
/// publisher of the department and an administrator.
pub struct Fixture {
    pub app: TestApp,
    pub application: i32,
    pub request: String,
    pub user_id: i32,
    pub resource: i32,
    pub review: String,
}

pub const USER: &str = "reader@example.cn";
pub const PUBLISHER: &str = "pub@hefei.gov.cn";
pub const ADMIN: &str = "admin@ahzwfw.gov.cn";

pub async fn fixture(backend: Backend) -> Option<Fixture> {
    let app = TestApp::spawn(backend).await?;
    let dept = app.department("hefei-transport", "合肥市交通运输局", "340100");
    let bus = DatasetBuilder::new("hefei-bus-routes", "合肥市公交线路信息", &dept)
        .keywords("公交,线路")
        .fields(&[
            ("线路名称", "string", false),
            ("客运量", "integer", false),
            ("统计日期", "date", false),
        ])
        .insert(&app);
    let csv = csv_of(&["线路名称", "客运量", "统计日期"], 60, |i| {
        vec![
            format!("{}路", i + 1),
            format!("{}", 1000 + i * 37 % 500),
            format!("2026-{:02}-01", 1 + i % 12),
        ]
    });
    let (resource, _) = ingest_file(&app, &bus, "合肥市公交线路信息", "线路.csv", &csv);
    let cond = DatasetBuilder::new("hefei-enterprises", "合肥市企业登记信息", &dept)
        .conditional(
            "仅限科研和政务用途",
            "《安徽省政务数据资源管理办法》第二十一条",
        )
        .insert(&app);
    let csv = csv_of(&["企业名称", "注册资本"], 6, |i| {
        vec![format!("合肥测试企业{i}有限公司"), format!("{}", 100 + i)]
    });
    ingest_file(&app, &cond, "企业名录", "企业.csv", &csv);
    let user = app.account(USER, Role::User, None);
    let publisher = app.account(PUBLISHER, Role::Publisher, Some("hefei-transport"));
    app.account(ADMIN, Role::Admin, None);
    app.emergency("chaohu-flood", "巢湖流域洪涝灾害", &dept);
    let key = app.api_key(publisher.id);
    for (n, text) in [(1200, "已转移安置群众。"), (2400, "继续转移安置群众。")] {
        let res = app
            .client
            .post(format!(
                "{}/api/v1/emergencies/chaohu-flood/updates",
                app.address
            ))
            .bearer_auth(&key)
            .json(&serde_json::json!({
                "text": text,
                "indicators": [{"name": "转移安置人数", "value": n, "unit": "人"}],
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
    }
    // An application and a data request, filed as a person does.
    let reader = app.logged_in(USER).await;
    let res = reader
        .post(
            "/datasets/hefei-enterprises/apply",
            &[
                ("purpose", "研究合肥市企业成立趋势"),
                ("scenario", "高校科研项目"),
                ("access_mode", "download"),
                ("period_days", "30"),
                ("security_measures", "加密存储，结题后销毁"),
                ("undertaking", "yes"),
                ("fields", "企业名称"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let reviewer = app.logged_in(PUBLISHER).await;
    let (_, queue) = reviewer.page("/console/applications").await;
    let application = queue
        .attrs("table a[href^='/console/applications/']", "href")
        .into_iter()
        .last()
        .expect("the application is in the queue")
        .rsplit('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let res = reader
        .post(
            "/requests/new",
            &[
                ("title", "合肥市公共停车场实时空余车位"),
                (
                    "description",
                    "合肥市公共停车场的名称、位置、总车位和实时空余车位数",
                ),
                ("intended_use", "开发停车导航小程序"),
                ("department", "hefei-transport"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let request = location(&res);
    // An error report (复核) on the open dataset.
    let res = reader
        .post(
            "/datasets/hefei-bus-routes/feedback",
            &[("description", "2路票价应为 2 元"), ("row", "2路")],
        )
        .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    Some(Fixture {
        app,
        application,
        request,
        user_id: user.id,
        resource: resource.id,
        review: location(&res),
    })
}
