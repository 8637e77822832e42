//! The developer API (issue 7): rate limits, the REST read side, the CKAN Action API, the DCAT
//! and Data Package exports, the crawler files and `/metrics`, against the real app.

use kaifang::domain::{DatasetStatus, Role};
use kaifang::services::Actor;
use kaifang::services::applications::{self, ApplicationForm, Approval};
use serde_json::Value;

use crate::both_backends;
use crate::helpers::{Backend, DatasetBuilder, TestApp, ingest_file};

both_backends!(
    a_burst_past_the_quota_gets_429_while_another_key_keeps_working,
    conditional_data_never_leaves_through_ckan_or_dcat,
    the_rest_read_side_tags_pages_and_harvests_incrementally,
    ckan_actions_answer_like_ckan,
);

pub struct Catalog {
    pub app: TestApp,
    /// An API key of a registered user, and that user's id.
    pub key: String,
    pub user_id: i32,
}

/// dept-a with an open, a conditional, a closed and a draft dataset, each with one CSV
/// (resources 1–4 in that order).
pub async fn catalog(
    backend: Backend,
    adjust: impl FnOnce(&mut kaifang::settings::Settings),
) -> Option<Catalog> {
    let app = TestApp::spawn_with(backend, adjust).await?;
    let a = app.department("dept-a", "合肥市数据资源局", "340100");
    let open = DatasetBuilder::new("bus-lines", "合肥市公交线路数据", &a)
        .keywords("公交,线路")
        .insert(&app);
    let cond = DatasetBuilder::new("bus-cards", "合肥市公交刷卡数据", &a)
        .conditional("仅限科研用途", "《安徽省政务数据资源管理办法》第二十条")
        .insert(&app);
    let closed = DatasetBuilder::new("bus-staff", "合肥市公交司机名册", &a)
        .keywords("司机名册")
        .closed("《中华人民共和国个人信息保护法》第二十八条")
        .insert(&app);
    let draft = DatasetBuilder::new("bus-plans", "合肥市公交规划草稿", &a)
        .status(DatasetStatus::Draft)
        .insert(&app);
    let csv = "线路,票价,卡号\n1路,2,A001\n2路,1,A002\n".as_bytes();
    for (i, d) in [&open, &cond, &closed, &draft].into_iter().enumerate() {
        let (r, v) = ingest_file(&app, d, "线路表", "lines.csv", csv);
        assert_eq!((r.id, v.status.as_str()), (i as i32 + 1, "ready"));
    }
    let user = app.account("dev@example.cn", Role::User, None);
    let key = app.api_key(user.id);
    Some(Catalog {
        app,
        key,
        user_id: user.id,
    })
}

async fn json_of(res: reqwest::Response) -> (u16, Value) {
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or_default())
}

fn header(res: &reqwest::Response, name: &str) -> Option<String> {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

async fn a_burst_past_the_quota_gets_429_while_another_key_keeps_working(backend: Backend) {
    let Some(c) = catalog(backend, |s| {
        s.api.anonymous_per_minute = 3;
        s.api.registered_per_minute = 4;
        s.api.partner_per_minute = 8;
        s.api.search_per_minute = 2;
    })
    .await
    else {
        return;
    };
    let app = &c.app;
    let other = app.account("other@example.cn", Role::User, None);
    let other_key = app.api_key(other.id);
    let get = |path: &str, key: Option<&str>| {
        let mut r = app.client.get(format!("{}{path}", app.address));
        if let Some(k) = key {
            r = r.bearer_auth(k);
        }
        r.send()
    };
    // The first key's burst: four answered, counting down; the fifth refused.
    for left in (0..4).rev() {
        let res = get("/api/v1/datasets/bus-lines", Some(&c.key))
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(header(&res, "ratelimit-limit").as_deref(), Some("4"));
        assert_eq!(header(&res, "ratelimit-remaining"), Some(left.to_string()));
        assert!(header(&res, "ratelimit-reset").is_some());
    }
    let refused = get("/api/v1/datasets/bus-lines", Some(&c.key))
        .await
        .unwrap();
    assert_eq!(refused.status(), 429);
    let wait: u64 = header(&refused, "retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "Retry-After {wait}");
    assert_eq!(
        header(&refused, "ratelimit-remaining").as_deref(),
        Some("0")
    );
    let (_, body) = json_of(refused).await;
    assert_eq!(body["error"]["code"], "rate_limited");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("每分钟最多 4 次")
    );
    // The CKAN channel shares the key's bucket and refuses in CKAN's envelope.
    let (status, body) = json_of(
        app.client
            .post(format!("{}/api/action/package_list", app.address))
            .header("Authorization", &c.key)
            .json(&serde_json::json!({}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 429);
    assert_eq!(body["success"], false);
    assert_eq!(body["error"]["__type"], "Rate Limit Error");
    // Another key keeps working.
    let res = get("/api/v1/datasets/bus-lines", Some(&other_key))
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "ratelimit-remaining").as_deref(), Some("3"));
    // Anonymous callers have their own, smaller bucket (by address). A key that is not live is
    // refused, never served as anonymous, and counts against the address.
    let res = get("/api/v1/themes", Some("kf_not-a-real-key"))
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(header(&res, "ratelimit-remaining").as_deref(), Some("2"));
    for _ in 0..2 {
        assert_eq!(get("/api/v1/themes", None).await.unwrap().status(), 200);
    }
    assert_eq!(get("/api/v1/themes", None).await.unwrap().status(), 429);
    // Neither made-up keys nor a percent-encoded path get round the spent bucket.
    let made_up = format!("kf_{}", "A".repeat(40));
    for path in [
        "/api/v1/themes",
        "/%61pi/v1/themes",
        "/api/3/action/status_show",
    ] {
        let res = get(path, Some(&made_up)).await.unwrap();
        assert_eq!(res.status(), 429, "{path}");
    }
    assert_eq!(get("/%61pi/v1/themes", None).await.unwrap().status(), 429);
    // An administrator makes the other key a partner key: a larger quota.
    let other_key_id = {
        use diesel::prelude::*;
        use kaifang::db::schema::api_keys::dsl::*;
        api_keys
            .filter(user_id.eq(other.id))
            .select(id)
            .first::<i32>(&mut *app.conn())
            .unwrap()
    };
    app.account("admin@ah.gov.cn", Role::Admin, None);
    let admin = app.logged_in("admin@ah.gov.cn").await;
    let res = admin
        .post(
            &format!("/admin/keys/{other_key_id}/tier"),
            &[("tier", "partner")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let res = get("/api/v1/themes", Some(&other_key)).await.unwrap();
    assert_eq!(header(&res, "ratelimit-limit").as_deref(), Some("8"));
    let audited: i64 = {
        use diesel::prelude::*;
        use kaifang::db::schema::audit_events::dsl::*;
        audit_events
            .filter(action.eq("api_key.tier"))
            .count()
            .get_result(&mut *app.conn())
            .unwrap()
    };
    assert_eq!(audited, 1, "the tier change is in the audit log");
    // The website's search has its own limit, with the site's error page.
    for _ in 0..2 {
        assert_eq!(get("/datasets?q=公交", None).await.unwrap().status(), 200);
    }
    let res = get("/datasets?q=公交", None).await.unwrap();
    assert_eq!(res.status(), 429);
    let wait = header(&res, "retry-after").unwrap();
    let page = res.text().await.unwrap();
    assert!(page.contains("请求过于频繁"));
    assert!(
        page.contains(&format!("{wait} 秒")),
        "the page says the real wait"
    );
    let head = app
        .client
        .head(format!("{}/datasets?q=公交", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), 429, "HEAD searches count too");
    // The refusals are counted for operators.
    let metrics = app.text("/metrics").await;
    assert!(
        metrics.contains("kaifang_rate_limited_total{channel=\"api\"} 5"),
        "{metrics}"
    );
    assert!(metrics.contains("kaifang_rate_limited_total{channel=\"ckan\"} 2"));
    assert!(metrics.contains("kaifang_rate_limited_total{channel=\"search\"} 2"));
}

async fn conditional_data_never_leaves_through_ckan_or_dcat(backend: Backend) {
    let Some(c) = catalog(backend, |_| {}).await else {
        return;
    };
    let app = &c.app;
    let ckan = |action: &str, body: Value, key: Option<&str>| {
        let mut r = app
            .client
            .post(format!("{}/api/3/action/{action}", app.address))
            .json(&body);
        if let Some(k) = key {
            r = r.header("X-CKAN-API-Key", k);
        }
        r.send()
    };
    // Listed: the open and the conditional dataset; never the closed or the draft one.
    let (_, list) = json_of(
        ckan("package_list", serde_json::json!({}), None)
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        list["result"],
        serde_json::json!(["bus-cards", "bus-lines"])
    );
    let (_, found) = json_of(
        ckan(
            "package_search",
            serde_json::json!({"q": "公交", "rows": 1000}),
            None,
        )
        .await
        .unwrap(),
    )
    .await;
    let names: Vec<&str> = found["result"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(found["result"]["count"], 2);
    assert!(names.contains(&"bus-cards") && names.contains(&"bus-lines"));
    for hidden in ["bus-staff", "bus-plans"] {
        let (status, body) = json_of(
            ckan("package_show", serde_json::json!({"id": hidden}), None)
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 404, "{hidden}");
        assert_eq!(body["error"]["__type"], "Not Found Error");
    }
    for resource in ["3", "4"] {
        let (status, _) = json_of(
            ckan("resource_show", serde_json::json!({"id": resource}), None)
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 404, "resource {resource}");
    }
    // The conditional dataset's metadata is there; its rows are not, without a grant.
    let (status, cond) = json_of(
        ckan("package_show", serde_json::json!({"id": "bus-cards"}), None)
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(cond["result"]["open_class"], "conditional");
    assert_eq!(cond["result"]["resources"][0]["datastore_active"], false);
    for key in [None, Some(c.key.as_str())] {
        let (status, body) = json_of(
            ckan(
                "datastore_search",
                serde_json::json!({"resource_id": "2"}),
                key,
            )
            .await
            .unwrap(),
        )
        .await;
        assert_eq!(status, 403, "key {key:?}");
        assert_eq!(body["error"]["__type"], "Authorization Error");
        assert!(!body.to_string().contains("A001"));
    }
    let (status, _) = json_of(
        ckan(
            "datastore_search",
            serde_json::json!({"resource_id": "3"}),
            Some(&c.key),
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 404, "closed rows");
    // Inside an API grant for one field: exactly that field.
    grant(app, c.user_id, &["线路"]);
    let (status, rows) = json_of(
        ckan(
            "datastore_search",
            serde_json::json!({"resource_id": "2"}),
            Some(&c.key),
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{rows}");
    assert_eq!(
        rows["result"]["fields"],
        serde_json::json!([{"id": "线路", "type": "string"}])
    );
    assert!(
        !rows.to_string().contains("A001"),
        "the card numbers were not granted"
    );
    // DCAT: the conditional dataset is RESTRICTED and has no download URL; closed and draft
    // datasets are absent from both serialisations, the sitemap and their own documents.
    let ttl = app.text("/catalog.ttl").await;
    let ld = app.text("/catalog.jsonld").await;
    for doc in [&ttl, &ld] {
        assert!(doc.contains("/datasets/bus-lines"));
        assert!(doc.contains("/datasets/bus-cards"));
        assert!(!doc.contains("bus-staff") && !doc.contains("bus-plans"));
        assert!(!doc.contains("/datasets/bus-cards/resources/2/download"));
        assert!(doc.contains("access-right/RESTRICTED") && doc.contains("access-right/PUBLIC"));
    }
    let sitemap = app.text("/sitemap.xml").await;
    assert!(sitemap.contains("/datasets/bus-cards") && sitemap.contains("/datasets/bus-lines"));
    assert!(!sitemap.contains("bus-staff") && !sitemap.contains("bus-plans"));
    for (path, want) in [
        ("/datasets/bus-lines/datapackage.json", 200),
        ("/datasets/bus-cards/datapackage.json", 403),
        ("/datasets/bus-staff/datapackage.json", 404),
        ("/datasets/bus-plans/datapackage.json", 404),
        ("/datasets/bus-staff/dcat.ttl", 404),
        ("/datasets/bus-cards/dcat.jsonld", 200),
        ("/api/v1/datasets/bus-staff", 404),
        ("/api/v1/datasets/bus-cards/resources/2", 200),
        ("/api/v1/datasets/bus-staff/resources/3", 404),
    ] {
        assert_eq!(app.get(path).await.status(), want, "{path}");
    }
    // The dataset page names its machine-readable descriptions and carries schema.org.
    let page = app.ok_page("/datasets/bus-lines").await;
    let alternates = page.attrs("link[rel=alternate]", "href");
    assert!(alternates.contains(&"/datasets/bus-lines/dcat.ttl".to_owned()));
    assert!(alternates.contains(&"/datasets/bus-lines/datapackage.json".to_owned()));
    let ld: Value = serde_json::from_str(&page.text("script[type='application/ld+json']")).unwrap();
    assert_eq!(ld["@type"], "Dataset");
    assert_eq!(ld["name"], "合肥市公交线路数据");
}

/// An approved API application of the user for `fields` of bus-cards.
fn grant(app: &TestApp, user_id: i32, fields: &[&str]) {
    let mut conn = app.conn();
    let user = kaifang::db::users::by_id(&mut conn, user_id)
        .unwrap()
        .unwrap();
    let now = app.clock.now();
    let a = applications::submit(
        &mut conn,
        &user,
        "bus-cards",
        applications::Submission {
            form: &ApplicationForm {
                purpose: "公交客流研究".into(),
                scenario: "学术论文".into(),
                fields: fields.iter().map(|f| (*f).to_owned()).collect(),
                access_mode: "api".into(),
                period_days: "30".into(),
                security_measures: "加密存储，专人管理".into(),
                undertaking: true,
            },
            attachment: None,
            allow_unverified: true,
        },
        now,
        &Actor::cli(),
    )
    .expect("an application");
    let reviewer = app.account("pa@hefei.gov.cn", Role::Publisher, Some("dept-a"));
    applications::approve(
        &mut conn,
        &reviewer,
        a.id,
        &Approval {
            fields: fields.iter().map(|f| (*f).to_owned()).collect(),
            period_days: "30".into(),
            quota: String::new(),
        },
        now,
        &Actor::cli(),
    )
    .expect("approved");
}

async fn the_rest_read_side_tags_pages_and_harvests_incrementally(backend: Backend) {
    let Some(c) = catalog(backend, |_| {}).await else {
        return;
    };
    let app = &c.app;
    let res = app.get("/api/v1/datasets/bus-lines").await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        header(&res, "access-control-allow-origin").as_deref(),
        Some("*")
    );
    let etag = header(&res, "etag").expect("an ETag");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["slug"], "bus-lines");
    assert_eq!(body["department"]["slug"], "dept-a");
    assert_eq!(body["resources"][0]["id"], 1);
    assert!(
        body["resources"][0]["download"]["csv"]
            .as_str()
            .unwrap()
            .ends_with("/datasets/bus-lines/resources/1/download?format=csv")
    );
    let again = app
        .client
        .get(format!("{}/api/v1/datasets/bus-lines", app.address))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    // A CORS preflight for reads.
    let pre = app
        .client
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/api/v1/datasets", app.address),
        )
        .header("Origin", "https://example.org")
        .header("Access-Control-Request-Method", "GET")
        .send()
        .await
        .unwrap();
    assert_eq!(pre.status(), 204);
    assert_eq!(
        header(&pre, "access-control-allow-methods").as_deref(),
        Some("GET, HEAD")
    );
    // Departments and themes.
    let (_, depts) = json_of(app.get("/api/v1/departments").await).await;
    assert_eq!(depts["items"][0]["slug"], "dept-a");
    assert_eq!(
        depts["items"][0]["dataset_count"], 2,
        "open and conditional only"
    );
    let (status, _) = json_of(app.get("/api/v1/themes/transport").await).await;
    assert_eq!(status, 200);
    // Incremental harvesting: everything, then only what changed since. It has its own
    // operation (issue 19); the old form on the search is redirected there, query and all.
    let old = app
        .get("/api/v1/datasets?modified_since=2000-01-01&page=1")
        .await;
    assert_eq!(old.status(), 308);
    assert_eq!(
        header(&old, "location").as_deref(),
        Some("/api/v1/harvest?modified_since=2000-01-01&page=1")
    );
    let (_, all) = json_of(app.get("/api/v1/harvest?modified_since=2000-01-01").await).await;
    assert_eq!(all["total"], 2);
    let future = (kaifang::services::clock::Clock::default().now() + chrono::Duration::days(1))
        .format("%Y-%m-%dT%H:%M:%SZ");
    let (_, none) = json_of(
        app.get(&format!("/api/v1/harvest?modified_since={future}"))
            .await,
    )
    .await;
    assert_eq!(none["total"], 0);
    let harvest = "/api/v1/harvest?modified_since=2000-01-01&per_page=1&page=";
    let (_, first) = json_of(app.get(&format!("{harvest}1")).await).await;
    let (_, second) = json_of(app.get(&format!("{harvest}2")).await).await;
    assert_eq!(first["pages"], 2);
    assert_eq!(second["items"].as_array().unwrap().len(), 1);
    assert_ne!(first["items"][0]["slug"], second["items"][0]["slug"]);
    for bad in [
        "/api/v1/harvest?modified_since=yesterday",
        "/api/v1/harvest?modified_since=2026-01-01&q=公交",
        "/api/v1/datasets?per_page=1000",
        "/catalog.ttl?page=0",
        "/catalog.jsonld?modified_since=soon",
        "/catalog.ttl?page=9223372036854775807",
        "/api/v1/harvest?modified_since=2026-01-01&page=9223372036854775807",
        "/api/v1/harvest?page=1000001",
    ] {
        let (status, body) = json_of(app.get(bad).await).await;
        assert_eq!(status, 400, "{bad}");
        assert!(body["error"]["message"].as_str().is_some(), "{bad}");
    }
    // The OpenAPI document, the developers page, robots.txt and /metrics.
    let (status, doc) = json_of(app.get("/api/openapi.json").await).await;
    assert_eq!(status, 200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(doc["paths"]["/api/3/action/package_search"]["post"].is_object());
    assert!(doc["paths"]["/api/v1/harvest"]["get"].is_object());
    let dev = app.ok_page("/developers").await;
    assert!(dev.text("#quota-caption").contains("配额"));
    assert!(dev.text("body").contains("RateLimit-Remaining"));
    let robots = app.text("/robots.txt").await;
    assert!(robots.contains("Sitemap: http://127.0.0.1:"), "{robots}");
    let metrics = app.text("/metrics").await;
    assert!(metrics.contains(
        "kaifang_http_requests_total{route=\"/api/v1/datasets/{slug}\",method=\"GET\",status=\"304\"} 1"
    ), "{metrics}");
    assert!(metrics.contains("kaifang_ingest_jobs{state=\"ready\"} 4"));
    // Forwarded by a proxy that is not configured as trusted: it could be anyone.
    let forwarded = app
        .client
        .get(format!("{}/metrics", app.address))
        .header("X-Forwarded-For", "203.0.113.9")
        .send()
        .await
        .unwrap();
    assert_eq!(forwarded.status(), 404);
    // Public metadata may be cached (with its ETag); the rest of the API may not.
    let cached = app.get("/api/v1/datasets/bus-lines").await;
    assert_eq!(
        header(&cached, "cache-control").as_deref(),
        Some("public, max-age=60")
    );
    let search = app.get("/api/v1/datasets?q=公交").await;
    assert_eq!(
        header(&search, "cache-control").as_deref(),
        Some("no-store")
    );
}

async fn ckan_get(app: &TestApp, q: &str) -> reqwest::Response {
    app.get(&format!("/api/3/action/{q}")).await
}

async fn ckan_actions_answer_like_ckan(backend: Backend) {
    let Some(c) = catalog(backend, |_| {}).await else {
        return;
    };
    let app = &c.app;
    let (_, status) = json_of(ckan_get(app, "status_show").await).await;
    assert_eq!(status["success"], true);
    assert!(status["help"].as_str().unwrap().contains("status_show"));
    // fq with negation, OR and a date range; facets in both shapes; rows clamped.
    let (_, s) = json_of(
        ckan_get(app, "package_search?fq=organization:dept-a%20-open_class:conditional&facet.field=[\"groups\",\"res_format\"]&rows=5000")
            .await,
    )
    .await;
    assert_eq!(s["result"]["count"], 1, "{s}");
    assert_eq!(s["result"]["results"][0]["name"], "bus-lines");
    assert_eq!(s["result"]["facets"]["groups"]["transport"], 1);
    assert_eq!(
        s["result"]["search_facets"]["groups"]["items"][0]["count"],
        1
    );
    let (_, s) = json_of(
        ckan_get(
            app,
            "package_search?fq=open_class:conditional%20OR%20name:bus-lines&sort=name%20asc",
        )
        .await,
    )
    .await;
    assert_eq!(s["result"]["count"], 2);
    assert_eq!(s["result"]["results"][0]["name"], "bus-cards");
    let (_, s) = json_of(
        ckan_get(
            app,
            "package_search?fq=metadata_modified:[2999-01-01T00:00:00Z%20TO%20*]",
        )
        .await,
    )
    .await;
    assert_eq!(s["result"]["count"], 0);
    let (status, s) = json_of(ckan_get(app, "package_search?fq=colour:red").await).await;
    assert_eq!(status, 409);
    assert_eq!(s["error"]["__type"], "Search Query Error");
    // Form bodies work like JSON bodies; a missing id is a validation error.
    let res = app
        .client
        .post(format!("{}/api/action/package_show", app.address))
        .form(&[("id", "bus-lines")])
        .send()
        .await
        .unwrap();
    let (status, p) = json_of(res).await;
    assert_eq!(status, 200);
    assert!(
        p["result"]["resources"][0]["url"]
            .as_str()
            .unwrap()
            .starts_with("http://")
    );
    let (status, v) = json_of(ckan_get(app, "package_show").await).await;
    assert_eq!(status, 409);
    assert_eq!(v["error"]["__type"], "Validation Error");
    assert_eq!(v["error"]["id"][0], "Missing value");
    let (status, v) = json_of(ckan_get(app, "no_such_action").await).await;
    assert_eq!(status, 400);
    assert_eq!(v["success"], false);
    // Organisations, groups, tags, licenses, views.
    let (_, o) =
        json_of(ckan_get(app, "organization_show?id=dept-a&include_datasets=true").await).await;
    assert_eq!(o["result"]["package_count"], 2);
    assert_eq!(o["result"]["packages"].as_array().unwrap().len(), 2);
    let (_, g) = json_of(ckan_get(app, "group_list?all_fields=true").await).await;
    assert!(
        g["result"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["name"] == "transport" && x["package_count"] == 2)
    );
    let (_, t) = json_of(ckan_get(app, "tag_list").await).await;
    assert!(t["result"].as_array().unwrap().iter().any(|x| x == "公交"));
    assert!(
        !t.to_string().contains("司机名册"),
        "a closed dataset's keywords never show"
    );
    let (_, l) = json_of(ckan_get(app, "license_list").await).await;
    assert_eq!(l["result"].as_array().unwrap().len(), 1);
    let (_, v) = json_of(ckan_get(app, "resource_view_list?id=1").await).await;
    assert_eq!(v["result"][0]["view_type"], "datatables_view");
    // datastore_search on open data: filters, fields, sort, paging, total.
    let (status, d) = json_of(
        ckan_get(app, "datastore_search?resource_id=1&filters={\"线路\":\"2路\"}&fields=线路,票价&sort=票价%20desc")
            .await,
    )
    .await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["result"]["total"], 1);
    assert_eq!(
        d["result"]["records"],
        serde_json::json!([{"线路": "2路", "票价": 1}])
    );
    // limit 0 asks for the fields alone (ckanapi's dump does); huge offsets are empty pages.
    let (status, d) = json_of(ckan_get(app, "datastore_search?resource_id=1&limit=0").await).await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["result"]["records"], serde_json::json!([]));
    assert_eq!(d["result"]["fields"].as_array().unwrap().len(), 3);
    let (status, d) = json_of(
        ckan_get(
            app,
            "datastore_search?resource_id=1&offset=9223372036854775807",
        )
        .await,
    )
    .await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["result"]["records"], serde_json::json!([]));
    for bad in [
        "datastore_search?resource_id=1&filters=oops",
        "datastore_search?resource_id=1&limit=-5",
        "datastore_search?resource_id=1&filters={\"limit\":\"1\"}",
        "package_search?fq=metadata_modified:[NOW-7DAYS%20TO%20NOW]",
    ] {
        let (status, d) = json_of(ckan_get(app, bad).await).await;
        assert_eq!(status, 409, "{bad}: {d}");
    }
    // API paths never redirect.
    let res = ckan_get(app, "package_list/").await;
    assert_ne!(res.status().as_u16() / 100, 3);
}
