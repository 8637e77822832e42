//! The public pages, asserted by CSS selector.

use kaifang::domain::UpdateFrequency;

use crate::both_backends;
use crate::helpers::{Backend, DatasetBuilder, TestApp, at, csv_of, ingest_file};

/// A small catalog: two departments, datasets in two themes.
fn seed(app: &TestApp) {
    let hefei = app.department("hefei-data", "合肥市数据资源局", "340100");
    let ah = app.department("ah-transport", "安徽省交通运输厅", "340000");
    DatasetBuilder::new("hefei-bus-routes", "合肥市公交线路信息", &hefei)
        .keywords("公交,线路")
        .formats(&["CSV", "JSON"])
        .downloads(500)
        .updated(at(2026, 3, 1))
        .insert(app);
    DatasetBuilder::new("hefei-bus-stops", "合肥市公交站点", &hefei)
        .frequency(UpdateFrequency::Weekly)
        .downloads(20)
        .updated(at(2026, 5, 1))
        .insert(app);
    DatasetBuilder::new("ah-highway-service-areas", "安徽省高速公路服务区", &ah)
        .formats(&["XLSX"])
        .downloads(90)
        .updated(at(2026, 4, 1))
        .insert(app);
    DatasetBuilder::new("hefei-air-quality", "合肥市空气质量实时监测", &hefei)
        .theme("environment")
        .frequency(UpdateFrequency::Realtime)
        .downloads(1000)
        .updated(at(2026, 6, 1))
        .insert(app);
    DatasetBuilder::new("hefei-taxi-orders", "合肥市网约车订单统计", &hefei)
        .conditional(
            "仅限科研机构用于交通规划研究",
            "《安徽省政务数据资源管理办法》第三十七条",
        )
        .downloads(5)
        .insert(app);
}

both_backends!(
    home_shows_totals_themes_and_lists,
    catalog_filters_by_theme,
    catalog_filters_combine_with_counts,
    catalog_sorts_and_pages,
    dataset_page_shows_every_field,
    conditional_dataset_explains_the_application,
    department_and_theme_pages,
);

async fn home_shows_totals_themes_and_lists(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    seed(&app);
    let page = app.ok_page("/").await;
    assert_eq!(page.count("form[role=search] input[name=q]"), 1);
    assert_eq!(
        page.count("label[for=home-q]"),
        1,
        "the search box has a label"
    );
    let totals = page.texts(".totals dd");
    assert_eq!(totals[0], "5", "five public datasets: {totals:?}");
    assert_eq!(totals[1], "2", "two departments: {totals:?}");
    assert_eq!(page.count(".theme-grid li"), 21, "all 21 themes are shown");
    let transport = page.text(".theme-grid a[href='/themes/transport']");
    assert!(transport.contains("4 个数据集"), "{transport}");
    let popular = page.texts("section[aria-labelledby=popular-title] .card-title");
    assert_eq!(
        popular.first().map(String::as_str),
        Some("合肥市空气质量实时监测")
    );
    assert_eq!(page.count("section[aria-labelledby=newest-title] .card"), 5);
    assert!(page.text("#depts-title + ul").contains("合肥市数据资源局"));
    // Landmarks and the skip link.
    assert_eq!(page.count("header.site-header"), 1);
    assert_eq!(page.count("nav[aria-label]"), 1);
    assert_eq!(page.count("main#main"), 1);
    assert_eq!(page.count("a.skip-link[href='#main']"), 1);
    assert_eq!(page.attrs("html", "lang"), ["zh-CN"]);
}

async fn catalog_filters_by_theme(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    seed(&app);
    let page = app.ok_page("/datasets?theme=environment").await;
    assert_eq!(
        page.texts(".results .card-title"),
        ["合肥市空气质量实时监测"]
    );
    assert_eq!(page.text("#results-title"), "共 1 个数据集");
    let page = app.ok_page("/datasets?theme=transport").await;
    let themes = page.attrs(".results .card-meta a[href^='/themes/']", "href");
    assert_eq!(themes.len(), 4);
    assert!(
        themes.iter().all(|h| h == "/themes/transport"),
        "{themes:?}"
    );
    // The chosen theme is marked and can be removed.
    assert_eq!(page.texts(".facet a.selected .facet-label"), ["交通"]);
    assert_eq!(
        page.attrs("#facet-theme ~ .facet-clear a", "href"),
        ["/datasets"]
    );
    // A theme with no data still shows its name, not its slug.
    let page = app.ok_page("/datasets?theme=ocean").await;
    assert_eq!(page.text("#results-title"), "共 0 个数据集");
    assert!(
        page.text(".active-filters").contains("主题：海洋"),
        "{}",
        page.text(".active-filters")
    );
}

async fn catalog_filters_combine_with_counts(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    seed(&app);
    let page = app.ok_page("/datasets?dept=hefei-data").await;
    assert_eq!(page.text("#results-title"), "共 4 个数据集");
    // Theme counts under the department filter; department counts ignore their own filter.
    let themes = page.texts("section[aria-labelledby=facet-theme] li");
    assert!(themes.contains(&"交通 3".to_owned()), "{themes:?}");
    assert!(themes.contains(&"环境 1".to_owned()), "{themes:?}");
    let depts = page.texts("section[aria-labelledby=facet-dept] li");
    assert!(
        depts.iter().any(|d| d.starts_with("安徽省交通运输厅 1")),
        "{depts:?}"
    );
    // Facet links keep the other filters.
    let open = page.attrs("section[aria-labelledby=facet-open] a", "href");
    assert!(
        open.contains(&"/datasets?dept=hefei-data&open=conditional".to_owned()),
        "{open:?}"
    );
    let page = app
        .ok_page("/datasets?dept=hefei-data&open=conditional")
        .await;
    assert_eq!(page.texts(".results .card-title"), ["合肥市网约车订单统计"]);
    let page = app.ok_page("/datasets?format=json").await;
    assert_eq!(page.texts(".results .card-title"), ["合肥市公交线路信息"]);
    let page = app.ok_page("/datasets?freq=weekly&theme=transport").await;
    assert_eq!(page.texts(".results .card-title"), ["合肥市公交站点"]);
    let page = app.ok_page("/datasets?q=%E7%BA%BF%E8%B7%AF").await; // 线路 (a keyword)
    assert_eq!(
        page.texts(".results .card-title mark"),
        ["线路"],
        "the match is marked"
    );
    assert_eq!(
        page.texts(".results .card-title")
            .iter()
            .map(|t| t.replace(' ', ""))
            .collect::<Vec<_>>(),
        ["合肥市公交线路信息"]
    );
    assert_eq!(
        page.attrs("#q", "value"),
        ["线路"],
        "the search box keeps the text"
    );
    // Active filters are listed with links that remove them.
    let page = app
        .ok_page("/datasets?theme=transport&open=unconditional")
        .await;
    let active = page.texts(".active-filters li");
    assert!(
        active.iter().any(|a| a.starts_with("主题：交通")),
        "{active:?}"
    );
    assert!(
        active.iter().any(|a| a.starts_with("开放类型：无条件开放")),
        "{active:?}"
    );
}

async fn catalog_sorts_and_pages(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |s| s.catalog.per_page = 2).await else {
        return;
    };
    seed(&app);
    let page = app.ok_page("/datasets?sort=downloads").await;
    assert_eq!(
        page.texts(".results .card-title"),
        ["合肥市空气质量实时监测", "合肥市公交线路信息"]
    );
    let page = app.ok_page("/datasets").await;
    assert_eq!(
        page.texts(".results .card-title"),
        ["合肥市空气质量实时监测", "合肥市公交站点"]
    );
    let page = app.ok_page("/datasets?sort=name&page=3").await;
    assert_eq!(page.count(".results .card"), 1);
    assert_eq!(page.texts(".pagination a[aria-current=page]"), ["3"]);
    assert_eq!(
        page.attrs(".pagination a[rel=prev]", "href"),
        ["/datasets?sort=name&page=2"]
    );
    assert_eq!(page.count(".pagination a[rel=next]"), 0);
    // Sorting by name is code-point order on both back-ends.
    let mut titles = Vec::new();
    for p in 1..=3 {
        titles.extend(
            app.ok_page(&format!("/datasets?sort=name&page={p}"))
                .await
                .texts(".results .card-title"),
        );
    }
    let mut sorted = titles.clone();
    sorted.sort();
    assert_eq!(titles, sorted);
    assert_eq!(titles.len(), 5);
}

async fn dataset_page_shows_every_field(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    seed(&app);
    let hefei = app.department("hefei-health", "合肥市卫生健康委员会", "340100");
    let d = DatasetBuilder::new("hefei-clinics", "合肥市社区卫生服务中心", &hefei)
        .theme("health")
        .keywords("社区,卫生,门诊")
        .records(1234)
        .fields(&[
            ("机构名称", "string", false),
            ("负责人", "string", true),
            ("床位数", "integer", false),
        ])
        .insert(&app);
    let csv = csv_of(&["机构名称", "负责人", "床位数"], 1234, |i| {
        vec![
            format!("合肥市第{i}社区卫生服务中心"),
            "张**".into(),
            (i % 80).to_string(),
        ]
    });
    let (r, v) = ingest_file(&app, &d, "合肥市社区卫生服务中心", "社区卫生.csv", &csv);
    assert_eq!(v.status, "ready", "{:?}", v.report);
    let page = app.ok_page("/datasets/hefei-clinics").await;
    assert_eq!(page.text("h1"), "合肥市社区卫生服务中心");
    for label in [
        "数据集代码",
        "数据提供部门",
        "主题",
        "维护单位",
        "开放类型",
        "开放条件",
        "法律依据",
        "关键词",
        "数据格式",
        "更新周期",
        "发布日期",
        "最近更新",
        "数据量",
        "时间范围",
        "空间范围",
        "开放许可",
        "浏览次数",
        "下载次数",
        "目录创建时间",
        "目录修改时间",
    ] {
        let v = page
            .meta(label)
            .unwrap_or_else(|| panic!("no metadata row {label}"));
        assert!(!v.is_empty(), "{label} is empty");
    }
    assert_eq!(page.meta("数据提供部门").unwrap(), "合肥市卫生健康委员会");
    assert_eq!(page.meta("主题").unwrap(), "卫生");
    assert_eq!(page.meta("更新周期").unwrap(), "每月");
    assert_eq!(page.meta("数据量").unwrap(), "1,234 条记录");
    assert_eq!(
        page.meta("空间范围").unwrap(),
        "合肥市（行政区划代码 340100）"
    );
    assert_eq!(
        page.meta("浏览次数").unwrap(),
        "0",
        "the count shown is before this view"
    );
    assert_eq!(
        page.texts("table.fields tbody th"),
        ["机构名称", "负责人", "床位数"]
    );
    assert_eq!(page.count("table.fields tbody .badge-masked"), 1);
    assert_eq!(
        page.texts("table.resources tbody th"),
        ["合肥市社区卫生服务中心"]
    );
    assert!(
        page.text("table.resources tbody")
            .contains(&kaifang::web::format::size(&r.size_bytes)),
        "the published file's size"
    );
    // The preview: the first 50 rows and a summary of every column.
    assert_eq!(page.count("table.preview tbody tr"), 50);
    assert_eq!(
        page.texts("table.preview thead th"),
        ["机构名称", "负责人", "床位数"]
    );
    assert_eq!(page.texts("table.summary tbody th").len(), 3);
    assert_eq!(
        page.texts(".breadcrumbs li"),
        ["首页", "数据目录", "卫生", "合肥市社区卫生服务中心"]
    );
    assert_eq!(
        page.attrs(".breadcrumbs a", "href"),
        ["/", "/datasets", "/themes/health"]
    );
    assert!(page.text(".open-class").contains("任何人无需注册登录"));
    // The view was counted.
    let again = app.ok_page("/datasets/hefei-clinics").await;
    assert_eq!(again.meta("浏览次数").unwrap(), "1");
    // HEAD requests are not views.
    let head = app
        .client
        .head(format!("{}/datasets/hefei-clinics", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), 200);
    let third = app.ok_page("/datasets/hefei-clinics").await;
    assert_eq!(third.meta("浏览次数").unwrap(), "2");
}

async fn conditional_dataset_explains_the_application(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    seed(&app);
    let page = app.ok_page("/datasets/hefei-taxi-orders").await;
    let box_text = page.text(".open-class");
    assert!(box_text.contains("有条件开放"), "{box_text}");
    assert!(
        box_text.contains("仅限科研机构用于交通规划研究"),
        "{box_text}"
    );
    assert!(
        box_text.contains("《安徽省政务数据资源管理办法》第三十七条"),
        "{box_text}"
    );
    assert!(box_text.contains("提交开放申请"), "{box_text}");
    assert!(box_text.contains("10个工作日"), "{box_text}");
    assert_eq!(
        page.meta("开放条件").unwrap(),
        "仅限科研机构用于交通规划研究"
    );
}

async fn department_and_theme_pages(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    seed(&app);
    let page = app.ok_page("/departments").await;
    assert_eq!(page.texts("section h2"), ["省级部门", "市级部门"]);
    let rows = page.texts(".bar-list li");
    assert!(
        rows.contains(&"合肥市数据资源局 4 个数据集".to_owned()),
        "{rows:?}"
    );
    let page = app.ok_page("/departments/hefei-data").await;
    assert_eq!(page.text("h1"), "合肥市数据资源局");
    assert_eq!(page.meta("开放数据集").unwrap(), "4 个");
    assert_eq!(page.meta("行政区划").unwrap(), "合肥市（340100）");
    assert_eq!(page.count(".cards .card"), 4);
    let page = app.ok_page("/themes/environment").await;
    assert_eq!(page.text("h1"), "环境 Environment");
    assert_eq!(page.texts(".cards .card-title"), ["合肥市空气质量实时监测"]);
    assert_eq!(app.page("/departments/nobody").await.0, 404);
    assert_eq!(app.page("/themes/nothing").await.0, 404);
}

both_backends!(elder_mode_is_a_cookie_switched_without_javascript);

/// Issue 20: the elder-mode switch is a GET form in every page's header; it sets a cookie and
/// comes back to the same page, which then carries `class="elder"`; it goes back only to a
/// local path, and off the same way.
async fn elder_mode_is_a_cookie_switched_without_javascript(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    seed(&app);
    let b = app.browser();
    let (_, page) = b.page("/datasets?q=公交").await;
    assert_eq!(page.attrs("form.elder-switch", "action"), ["/elder"]);
    assert_eq!(
        page.attrs("form.elder-switch input[name=on]", "value"),
        ["1"]
    );
    assert_eq!(
        page.attrs("form.elder-switch input[name=next]", "value"),
        ["/datasets?q=%E5%85%AC%E4%BA%A4"]
    );
    assert_eq!(
        page.attrs("form.elder-switch button", "aria-pressed"),
        ["false"]
    );
    assert_eq!(page.count("body.elder"), 0);
    let res = b
        .get("/elder?on=1&next=%2Fdatasets%3Fq%3D%25E5%2585%25AC")
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(crate::helpers::location(&res), "/datasets?q=%E5%85%AC");
    let cookie = res.headers().get("set-cookie").unwrap().to_str().unwrap();
    assert!(cookie.starts_with("kf_elder=1"), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let (_, page) = b.page("/datasets/hefei-bus-routes").await;
    assert_eq!(page.count("body.elder"), 1);
    assert_eq!(page.attrs("html", "lang"), ["zh-CN"]);
    assert_eq!(
        page.attrs("form.elder-switch input[name=on]", "value"),
        ["0"]
    );
    assert_eq!(
        page.attrs("form.elder-switch button", "aria-pressed"),
        ["true"]
    );
    // Error pages follow the mode too.
    let (status, page) = b.page("/no-such-page").await;
    assert_eq!(status, 404);
    assert_eq!(page.count("body.elder"), 1);
    // Only local paths: anything else goes home.
    for next in [
        "//evil.example/",
        "https://evil.example/",
        "/%5Cevil.example",
        "javascript:x",
    ] {
        let res = b.get(&format!("/elder?on=1&next={next}")).await;
        assert_eq!(crate::helpers::location(&res), "/", "{next}");
    }
    assert_eq!(b.get("/elder?on=yes").await.status(), 400);
    assert_eq!(b.get("/elder?on=1&colour=red").await.status(), 400);
    // Off the same way.
    let res = b.get("/elder?on=0&next=/").await;
    assert_eq!(res.status(), 303);
    let (_, page) = b.page("/").await;
    assert_eq!(page.count("body.elder"), 0);
}
