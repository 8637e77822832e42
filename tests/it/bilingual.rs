//! English metadata beside the Chinese (issue 20): the console's dataset form, the write API and
//! the administrator's department and emergency forms accept, keep and show it; DCAT gives it as
//! `@en` literals beside the `@zh-CN` ones, CKAN as `title_translated` / `notes_translated`.

use kaifang::domain::Role;
use serde_json::{Value, json};

use crate::both_backends;
use crate::console::valid_form;
use crate::helpers::{Backend, DatasetBuilder, Page, TestApp};

both_backends!(
    the_console_form_keeps_and_shows_the_english_fields,
    the_api_accepts_keeps_and_clears_the_english_fields,
    dcat_and_ckan_carry_the_english_title_and_summary,
    departments_and_events_take_english_names,
);

const SUMMARY_EN: &str = "Bus lines of Hefei: names, terminals, first and last buses, fares.";

fn with<'a>(
    mut form: Vec<(&'a str, &'a str)>,
    changes: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    for (k, v) in changes {
        match form.iter_mut().find(|(f, _)| f == k) {
            Some(f) => f.1 = v,
            None => form.push((k, v)),
        }
    }
    form
}

async fn the_console_form_keeps_and_shows_the_english_fields(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.department("hefei-transport", "合肥市交通运输局", "340100");
    app.account("pub@hefei.gov.cn", Role::Publisher, Some("hefei-transport"));
    let p = app.logged_in("pub@hefei.gov.cn").await;
    let new = p.page("/console/datasets/new").await.1;
    assert!(
        new.text("label[for=f-title_en]").contains("English title"),
        "the form has labelled English fields"
    );
    assert_eq!(new.count("#f-summary_en"), 1);

    // Too short an English summary: the form comes back with the error beside the field and
    // what was typed kept.
    let bad = with(
        valid_form("hefei-bus", "合肥市公交线路"),
        &[("title_en", "Hefei bus lines"), ("summary_en", "Buses.")],
    );
    let res = p.post("/console/datasets/new", &bad).await;
    assert_eq!(res.status(), 400);
    let page = Page::new(res.text().await.unwrap());
    assert!(!page.text("#f-summary_en-error").is_empty());
    assert_eq!(page.attrs("#f-title_en", "value"), ["Hefei bus lines"]);
    assert_eq!(page.text("#f-summary_en"), "Buses.");
    // Too long an English title, like the Chinese one.
    let long = "a".repeat(101);
    let res = p
        .post(
            "/console/datasets/new",
            &with(
                valid_form("hefei-bus", "合肥市公交线路"),
                &[("title_en", &long)],
            ),
        )
        .await;
    assert_eq!(res.status(), 400);

    let good = with(
        valid_form("hefei-bus", "合肥市公交线路"),
        &[
            ("title_en", " Hefei bus lines "),
            ("summary_en", SUMMARY_EN),
        ],
    );
    let res = p.post("/console/datasets/new", &good).await;
    assert_eq!(res.status(), 303);
    let d = kaifang::db::datasets::all_with_slug(&mut app.conn(), "hefei-bus")
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(d.title_en.as_deref(), Some("Hefei bus lines"), "trimmed");
    assert_eq!(d.summary_en.as_deref(), Some(SUMMARY_EN));
    let edit = p.page("/console/datasets/hefei-bus/edit").await.1;
    assert_eq!(edit.attrs("#f-title_en", "value"), ["Hefei bus lines"]);
    assert_eq!(edit.text("#f-summary_en"), SUMMARY_EN);

    // Emptied: no English title any more (NULL, not an empty text).
    let cleared = with(
        valid_form("hefei-bus", "合肥市公交线路"),
        &[
            ("title_en", "  "),
            ("summary_en", ""),
            ("reason", "英文标题待译"),
        ],
    );
    let res = p.post("/console/datasets/hefei-bus/edit", &cleared).await;
    assert_eq!(res.status(), 303);
    let d = kaifang::db::datasets::all_with_slug(&mut app.conn(), "hefei-bus")
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!((d.title_en, d.summary_en), (None, None));
}

async fn the_api_accepts_keeps_and_clears_the_english_fields(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.department("hefei-transport", "合肥市交通运输局", "340100");
    let publisher = app.account("pub@hefei.gov.cn", Role::Publisher, Some("hefei-transport"));
    let key = app.api_key(publisher.id);
    let api = |method: &str, path: &str, body: Value| {
        app.client
            .request(method.parse().unwrap(), format!("{}{}", app.address, path))
            .bearer_auth(&key)
            .json(&body)
    };
    let body = json!({
        "slug": "hefei-bus",
        "title": "合肥市公交线路",
        "title_en": "Hefei bus lines",
        "summary": "合肥市公交线路的名称、起止站点、首末班时间和票价。",
        "summary_en": SUMMARY_EN,
        "keywords": ["公交"],
        "theme": "transport",
        "maintainer": "合肥市交通运输局",
        "open_class": "unconditional",
        "update_frequency": "monthly",
        "formats": ["CSV"],
        "spatial_coverage": "340100",
        "license": "安徽省公共数据开放许可协议（署名）",
        "status": "published",
        "reason": "首次发布"
    });
    // NUL is refused in the English fields as in the Chinese ones.
    for field in ["title_en", "summary_en"] {
        let mut nul = body.clone();
        nul[field] = json!("Hefei bus lines\u{0} and more");
        let res = api("POST", "/api/v1/datasets", nul).send().await.unwrap();
        assert_eq!(res.status(), 400, "{field}");
    }
    // The same lengths as the Chinese fields, per field in the envelope.
    let mut short = body.clone();
    short["summary_en"] = json!("Buses.");
    let res = api("POST", "/api/v1/datasets", short).send().await.unwrap();
    assert_eq!(res.status(), 400);
    let err: Value = res.json().await.unwrap();
    assert!(err["error"]["fields"]["summary_en"].is_string(), "{err}");

    let res = api("POST", "/api/v1/datasets", body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    assert_eq!(created["dataset"]["title_en"], "Hefei bus lines");
    assert_eq!(created["dataset"]["summary_en"], SUMMARY_EN);
    let public: Value = app
        .get("/api/v1/datasets/hefei-bus")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(public["title_en"], "Hefei bus lines", "{public}");

    // A PATCH that does not name them keeps them; null clears one.
    let res = api(
        "PATCH",
        "/api/v1/datasets/hefei-bus",
        json!({"title": "合肥市公交线路信息", "reason": "标题补充"}),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(res.status(), 200);
    let kept: Value = res.json().await.unwrap();
    assert_eq!(kept["dataset"]["title_en"], "Hefei bus lines");
    let res = api(
        "PATCH",
        "/api/v1/datasets/hefei-bus",
        json!({"summary_en": null, "title_en": "Hefei bus routes", "reason": "英文更正"}),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(res.status(), 200);
    let patched: Value = res.json().await.unwrap();
    assert_eq!(patched["dataset"]["title_en"], "Hefei bus routes");
    assert_eq!(patched["dataset"]["summary_en"], Value::Null);
    let changed: Vec<&str> = patched["changed"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        changed.contains(&"title_en") && changed.contains(&"summary_en"),
        "{changed:?}"
    );
}

async fn dcat_and_ckan_carry_the_english_title_and_summary(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let dept = app.department("hefei-transport", "合肥市交通运输局", "340100");
    DatasetBuilder::new("hefei-bus", "合肥市公交线路", &dept)
        .english("Hefei bus lines", SUMMARY_EN)
        .insert(&app);
    DatasetBuilder::new("hefei-taxi", "合肥市出租车企业", &dept).insert(&app);

    let ttl = app.text("/datasets/hefei-bus/dcat.ttl").await;
    assert!(ttl.contains("\"Hefei bus lines\"@en"), "{ttl}");
    assert!(ttl.contains(&format!("\"{SUMMARY_EN}\"@en")), "{ttl}");
    assert!(
        ttl.contains("\"合肥市公交线路\"@zh-CN"),
        "the Chinese stays"
    );
    assert!(
        ttl.contains("\"Transport\"@en"),
        "the theme's English label"
    );
    let ld: Value =
        serde_json::from_str(&app.text("/datasets/hefei-bus/dcat.jsonld").await).unwrap();
    let titles: Vec<&Value> = ld["@graph"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n.get("dct:title"))
        .collect();
    assert!(
        titles.iter().any(|t| t
            .as_array()
            .is_some_and(|a| a.contains(&json!({"@value": "Hefei bus lines", "@language": "en"})))),
        "{titles:?}"
    );
    let catalog = app.text("/catalog.ttl").await;
    assert!(catalog.contains("\"Hefei bus lines\"@en"));
    // Without English, no English literal is made up.
    let ttl = app.text("/datasets/hefei-taxi/dcat.ttl").await;
    assert_eq!(
        ttl.matches("@en").count(),
        1,
        "only the theme's label: {ttl}"
    );

    let show = |id: &'static str| {
        let app = &app;
        async move {
            let body: Value = app
                .get(&format!("/api/3/action/package_show?id={id}"))
                .await
                .json()
                .await
                .unwrap();
            body["result"].clone()
        }
    };
    let bus = show("hefei-bus").await;
    assert_eq!(
        bus["title_translated"],
        json!({"zh": "合肥市公交线路", "en": "Hefei bus lines"})
    );
    assert_eq!(bus["notes_translated"]["en"], SUMMARY_EN);
    assert_eq!(
        bus["title"], "合肥市公交线路",
        "the plain title stays Chinese"
    );
    let taxi = show("hefei-taxi").await;
    assert_eq!(taxi["title_translated"], json!({"zh": "合肥市出租车企业"}));
}

async fn departments_and_events_take_english_names(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    app.account("admin@ah.gov.cn", Role::Admin, None);
    let a = app.logged_in("admin@ah.gov.cn").await;
    let dept = |region: &'static str| {
        vec![
            ("slug", "hefei-data"),
            ("name", "合肥市数据资源局"),
            ("region_code", region),
            ("parent", ""),
            ("description", "合肥市政务数据主管部门。"),
            ("name_en", "Hefei Data Resources Bureau"),
            ("description_en", "Hefei's authority for government data."),
        ]
    };
    let res = a.post("/admin/departments/new", &dept("12345")).await;
    assert_eq!(res.status(), 400);
    let page = Page::new(res.text().await.unwrap());
    assert_eq!(
        page.attrs("#f-name_en", "value"),
        ["Hefei Data Resources Bureau"],
        "kept when the form comes back"
    );
    let res = a.post("/admin/departments/new", &dept("340100")).await;
    assert_eq!(res.status(), 303);
    let d = kaifang::db::departments::by_slug(&mut app.conn(), "hefei-data")
        .unwrap()
        .unwrap();
    assert_eq!(d.name_en.as_deref(), Some("Hefei Data Resources Bureau"));
    let edit = a.page("/admin/departments/hefei-data/edit").await.1;
    assert_eq!(
        edit.attrs("#f-name_en", "value"),
        ["Hefei Data Resources Bureau"]
    );
    assert_eq!(
        edit.text("#f-description_en"),
        "Hefei's authority for government data."
    );
    let long = "a".repeat(101);
    let mut too_long = dept("340100");
    too_long[0] = ("slug", "hefei-data-2");
    too_long[5] = ("name_en", &long);
    assert_eq!(
        a.post("/admin/departments/new", &too_long).await.status(),
        400
    );

    let event = |slug: &'static str, title_en: &'static str| {
        vec![
            ("title", "合肥市暴雪灾害"),
            ("slug", slug),
            ("category", "natural_disaster"),
            ("level", "4"),
            ("regions", "340100"),
            ("department", "hefei-data"),
            ("summary", "强降雪导致道路结冰。"),
            ("title_en", title_en),
            ("summary_en", "Heavy snow has frozen the roads."),
            ("interval", "5"),
            ("datasets", ""),
        ]
    };
    let res = a
        .post(
            "/admin/emergencies",
            &event("hefei-snow", "Hefei snowstorm"),
        )
        .await;
    assert_eq!(res.status(), 400, "the interval is too short");
    let page = Page::new(res.text().await.unwrap());
    assert_eq!(page.attrs("#f-title_en", "value"), ["Hefei snowstorm"]);
    assert_eq!(
        page.text("#f-summary_en"),
        "Heavy snow has frozen the roads."
    );
    let mut good = event("hefei-snow", "Hefei snowstorm");
    good[9] = ("interval", "60");
    let res = a.post("/admin/emergencies", &good).await;
    assert_eq!(res.status(), 303);
    let e = kaifang::db::emergencies::by_slug(&mut app.conn(), "hefei-snow")
        .unwrap()
        .unwrap();
    assert_eq!(e.title_en.as_deref(), Some("Hefei snowstorm"));
    assert_eq!(
        e.summary_en.as_deref(),
        Some("Heavy snow has frozen the roads.")
    );
}
