//! Closed and unpublished datasets appear nowhere public: not in lists, counts, facets, the
//! home page, department or theme pages, and their slugs answer exactly like missing ones.

use kaifang::db::catalog::{self, Filter};
use kaifang::domain::{DatasetStatus, OpenClass, is_publicly_listed};

use crate::both_backends;
use crate::helpers::{Backend, DatasetBuilder, TestApp};

both_backends!(
    hidden_datasets_appear_nowhere,
    hidden_slugs_answer_like_missing_ones,
    withdrawn_datasets_say_so,
    sql_rule_matches_the_domain_rule,
);

const SECRET: &str = "绝密测试数据";

fn seed(app: &TestApp) {
    let dept = app.department("ah-health", "安徽省卫生健康委员会", "340000");
    let only_hidden = app.department("ah-secret", "安徽省保密测试部门", "340000");
    DatasetBuilder::new("public-clinics", "医疗机构名录", &dept)
        .theme("medical")
        .formats(&["CSV"])
        .records(10)
        .downloads(3)
        .insert(app);
    DatasetBuilder::new("closed-patients", &format!("{SECRET}患者明细"), &dept)
        .theme("medical")
        .keywords("绝密测试数据,患者")
        .formats(&["SHP"])
        .records(1_000_000)
        .downloads(999)
        .closed("《中华人民共和国个人信息保护法》第二十八条")
        .insert(app);
    DatasetBuilder::new("draft-vaccines", &format!("{SECRET}疫苗草稿"), &dept)
        .theme("health")
        .keywords("绝密测试数据")
        .formats(&["XML"])
        .records(2_000_000)
        .status(DatasetStatus::Draft)
        .insert(app);
    DatasetBuilder::new(
        "closed-draft",
        &format!("{SECRET}未发布非开放"),
        &only_hidden,
    )
    .theme("ocean")
    .keywords("绝密测试数据")
    .closed("《中华人民共和国保守国家秘密法》第二条")
    .status(DatasetStatus::Draft)
    .insert(app);
    DatasetBuilder::new("withdrawn-beds", &format!("{SECRET}已撤回床位"), &dept)
        .theme("ocean")
        .keywords("绝密测试数据")
        .status(DatasetStatus::Withdrawn)
        .insert(app);
}

async fn hidden_datasets_appear_nowhere(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    seed(&app);
    let pages = [
        "/",
        "/datasets",
        "/datasets?q=%E7%BB%9D%E5%AF%86", // 绝密
        "/datasets?q=closed",
        "/datasets?theme=medical",
        "/datasets?theme=health",
        "/datasets?theme=ocean",
        "/datasets?dept=ah-health",
        "/datasets?dept=ah-secret",
        "/datasets?format=SHP",
        "/datasets?format=XML",
        "/datasets?sort=downloads",
        "/datasets?sort=name",
        "/datasets?sort=newest",
        "/departments",
        "/departments/ah-health",
        "/departments/ah-secret",
        "/themes/medical",
        "/themes/health",
        "/themes/ocean",
    ];
    for path in pages {
        let res = app.get(path).await;
        let status = res.status().as_u16();
        let body = res.text().await.unwrap();
        assert!(status == 200, "{path} answered {status}");
        for hidden in [
            SECRET,
            "closed-patients",
            "draft-vaccines",
            "closed-draft",
            "withdrawn-beds",
        ] {
            assert!(!body.contains(hidden), "{path} shows {hidden}");
        }
        // Formats only hidden datasets have are never offered as a filter.
        let facets =
            crate::helpers::Page::new(body).texts("section[aria-labelledby=facet-format] li");
        assert!(
            facets
                .iter()
                .all(|f| !f.contains("SHP") && !f.contains("XML")),
            "{path}: {facets:?}"
        );
    }
    let shp = app.ok_page("/datasets?format=SHP").await;
    assert_eq!(shp.text("#results-title"), "共 0 个数据集");
    // Counts: only the one public dataset is counted anywhere.
    let home = app.ok_page("/").await;
    assert_eq!(home.texts(".totals dd")[0], "1");
    assert_eq!(
        home.texts(".totals dd")[2],
        "10",
        "records of hidden datasets are not counted"
    );
    assert_eq!(
        home.texts(".totals dd")[3],
        "3",
        "downloads of hidden datasets are not counted"
    );
    assert!(
        home.text(".theme-grid a[href='/themes/ocean']")
            .contains("0 个数据集")
    );
    assert!(
        home.text(".theme-grid a[href='/themes/health']")
            .contains("0 个数据集")
    );
    // Groups that mix public and hidden datasets count only the public one.
    assert!(
        home.text(".theme-grid a[href='/themes/medical']")
            .contains("1 个数据集")
    );
    let catalog = app.ok_page("/datasets").await;
    let themes = catalog.texts("section[aria-labelledby=facet-theme] li");
    assert_eq!(themes, ["医疗 1"], "{themes:?}");
    let depts = catalog.texts("section[aria-labelledby=facet-dept] li");
    assert_eq!(depts, ["安徽省卫生健康委员会 1"], "{depts:?}");
    let formats = catalog.texts("section[aria-labelledby=facet-format] li");
    assert_eq!(formats, ["CSV 1"], "{formats:?}");
    let by_dept = app.ok_page("/departments").await;
    assert!(
        by_dept
            .texts(".bar-list li")
            .contains(&"安徽省卫生健康委员会 1 个数据集".to_owned())
    );
    let dept_page = app.ok_page("/departments/ah-health").await;
    assert_eq!(dept_page.meta("开放数据集").unwrap(), "1 个");
    assert!(
        app.ok_page("/themes/medical")
            .await
            .text("main")
            .contains("共有 1 个开放数据集")
    );
    assert_eq!(catalog.text("#results-title"), "共 1 个数据集");
    assert_eq!(
        catalog.count("section[aria-labelledby=facet-open] li"),
        1,
        "no closed facet"
    );
    assert!(!catalog.text(".facets").contains("非开放"));
    let depts = app.ok_page("/departments").await;
    assert!(
        depts
            .texts(".bar-list li")
            .contains(&"安徽省保密测试部门 0 个数据集".to_owned())
    );
    // Asking for the closed class is a bad filter, not a way in.
    let (status, page) = app.page("/datasets?open=closed").await;
    assert_eq!(status, 400);
    assert!(!page.body.contains(SECRET));
}

async fn hidden_slugs_answer_like_missing_ones(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    seed(&app);
    let missing = app.get("/datasets/no-such-dataset").await;
    assert_eq!(missing.status(), 404);
    let missing_body = missing.text().await.unwrap();
    for slug in ["closed-patients", "draft-vaccines", "closed-draft"] {
        let res = app.get(&format!("/datasets/{slug}")).await;
        assert_eq!(res.status(), 404, "{slug}");
        let body = res.text().await.unwrap();
        assert_eq!(
            body, missing_body,
            "{slug} must be indistinguishable from a missing slug"
        );
    }
}

async fn withdrawn_datasets_say_so(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    seed(&app);
    let (status, page) = app.page("/datasets/withdrawn-beds").await;
    assert_eq!(status, 410);
    assert!(
        page.text("main").contains("已撤回"),
        "{}",
        page.text("main")
    );
    // Withdrawn before it was ever published: the public never saw it, so it is just missing.
    let dept = app.department("ah-x", "安徽省某厅", "340000");
    let d = DatasetBuilder::new("never-public", &format!("{SECRET}从未发布"), &dept)
        .status(DatasetStatus::Withdrawn)
        .insert(&app);
    {
        use diesel::prelude::*;
        use kaifang::db::schema::datasets;
        diesel::update(datasets::table.find(d.id))
            .set((
                datasets::published_at.eq(None::<chrono::NaiveDateTime>),
                datasets::public_since.eq(None::<chrono::NaiveDateTime>),
            ))
            .execute(&mut app.conn())
            .unwrap();
    }
    let (status, page) = app.page("/datasets/never-public").await;
    assert_eq!(status, 404);
    assert!(!page.body.contains(SECRET));
}

/// The SQL predicate in `db::catalog` and `domain::is_publicly_listed` agree on all nine
/// combinations of status and open class.
async fn sql_rule_matches_the_domain_rule(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let dept = app.department("ah-data", "安徽省数据资源管理局", "340000");
    let mut expected = Vec::new();
    for status in DatasetStatus::ALL {
        for class in OpenClass::ALL {
            let slug = format!("{}-{}", status.as_str(), class.as_str());
            let mut b = DatasetBuilder::new(&slug, &slug, &dept).status(*status);
            b = match class {
                OpenClass::Unconditional => b,
                OpenClass::Conditional => b.conditional("条件", "依据"),
                OpenClass::Closed => b.closed("依据"),
            };
            b.insert(&app);
            if is_publicly_listed(*status, class) {
                expected.push(slug.clone());
            }
            let found = catalog::public_by_slug(&mut app.conn(), &slug)
                .unwrap()
                .is_some();
            assert_eq!(found, is_publicly_listed(*status, class), "{slug}");
        }
    }
    let mut listed: Vec<String> = catalog::page(
        &mut app.conn(),
        &Filter::default(),
        Default::default(),
        100,
        0,
    )
    .unwrap()
    .into_iter()
    .map(|d| d.slug)
    .collect();
    listed.sort();
    expected.sort();
    assert_eq!(listed, expected);
    assert_eq!(
        expected,
        ["published-conditional", "published-unconditional"]
    );
}
