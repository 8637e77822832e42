//! Issue 17, finding 5: a dataset's slug must not reveal another department's hidden datasets.
//! Slugs are unique within a department and among public datasets; trying another department's
//! draft or closed dataset's slug answers exactly as a slug nobody uses.

use kaifang::domain::{DatasetStatus, Role};

use crate::both_backends;
use crate::console::valid_form;
use crate::helpers::{Backend, DatasetBuilder, Page, TestApp, location};

both_backends!(
    another_departments_hidden_slugs_are_neither_found_nor_in_the_way,
    a_slug_comes_into_view_only_when_no_public_dataset_has_it,
    only_what_the_public_saw_is_reserved
);

/// The answer to creating a dataset with this slug in the console: status, where it leads, and
/// the slug field's error.
async fn create(p: &crate::helpers::Browser, slug: &str) -> (u16, String, String) {
    let res = p
        .post("/console/datasets/new", &valid_form(slug, "合肥市公交线路"))
        .await;
    let status = res.status().as_u16();
    let to = location(&res);
    let page = Page::new(res.text().await.unwrap());
    (status, to, page.text("#f-slug-error"))
}

/// Publishes or withdraws from the console; the answer's status.
async fn set_status(b: &crate::helpers::Browser, slug: &str, to: &str, reason: &str) -> u16 {
    b.post(
        &format!("/console/datasets/{slug}/status"),
        &[("status", to), ("reason", reason)],
    )
    .await
    .status()
    .as_u16()
}

async fn another_departments_hidden_slugs_are_neither_found_nor_in_the_way(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let a = app.department("dept-a", "合肥市数据资源局", "340100");
    let b = app.department("dept-b", "芜湖市数据资源管理局", "340200");
    let pa = app.account("pa@hefei.gov.cn", Role::Publisher, Some("dept-a"));
    app.account("pb@wuhu.gov.cn", Role::Publisher, Some("dept-b"));
    DatasetBuilder::new("wuhu-secret", "芜湖非开放", &b)
        .closed("《中华人民共和国个人信息保护法》第二十八条")
        .insert(&app);
    DatasetBuilder::new("wuhu-draft", "芜湖草稿", &b)
        .status(DatasetStatus::Draft)
        .insert(&app);
    DatasetBuilder::new("wuhu-public", "芜湖公开", &b).insert(&app);
    DatasetBuilder::new("hefei-own", "合肥自有", &a)
        .status(DatasetStatus::Draft)
        .insert(&app);
    let p = app.logged_in("pa@hefei.gov.cn").await;

    // A slug nobody uses, and the slugs of B's closed dataset and draft: the same answer.
    let fresh = create(&p, "nobody-uses-this").await;
    assert_eq!(fresh.0, 303, "{fresh:?}");
    for hidden in ["wuhu-secret", "wuhu-draft"] {
        let got = create(&p, hidden).await;
        assert_eq!(
            (got.0, got.2.as_str()),
            (303, ""),
            "trying {hidden} revealed B's hidden dataset: {got:?}"
        );
        assert_eq!(got.1, fresh.1.replace("nobody-uses-this", hidden));
        // The console now finds A's own dataset under that slug, never B's.
        let edit = p.page(&format!("/console/datasets/{hidden}/edit")).await;
        assert_eq!(edit.0, 200);
        assert_eq!(edit.1.attrs("#f-title", "value"), ["合肥市公交线路"]);
        assert!(!edit.1.body.contains("芜湖"), "B's dataset shown to A");
    }
    // Public information may stop a slug: A's own datasets and public ones.
    for (taken, why) in [("hefei-own", "本部门"), ("wuhu-public", "公开")] {
        let got = create(&p, taken).await;
        assert_eq!(got.0, 400, "{taken}: {got:?}");
        assert!(got.2.contains(why), "{taken}: {}", got.2);
    }
    // The write API answers the same way.
    let key = app.api_key(pa.id);
    let body = |slug: &str| {
        serde_json::json!({
            "slug": slug, "title": "合肥市停车场", "summary": "合肥市公共停车场的位置和泊位数。",
            "keywords": ["停车"], "theme": "transport", "maintainer": "合肥市交通运输局",
            "open_class": "unconditional", "update_frequency": "weekly", "formats": ["CSV"],
            "spatial_coverage": "340100", "license": "安徽省公共数据开放许可协议（署名）",
            "fields": [{"name": "名称", "type": "string", "description": "名称"}]
        })
    };
    let post = |slug: &str| {
        app.client
            .post(format!("{}/api/v1/datasets", app.address))
            .bearer_auth(&key)
            .json(&body(slug))
            .send()
    };
    assert_eq!(post("api-nobody").await.unwrap().status(), 201);
    // B's closed dataset's slug is free for A once A's console draft moved off it.
    let rename = app
        .client
        .patch(format!("{}/api/v1/datasets/wuhu-secret", app.address))
        .bearer_auth(&key)
        .json(&serde_json::json!({"slug": "hefei-renamed", "reason": "改标识"}))
        .send()
        .await
        .unwrap();
    assert_eq!(rename.status(), 200, "{:?}", rename.text().await);
    assert_eq!(post("wuhu-secret").await.unwrap().status(), 201);
    let res = post("wuhu-public").await.unwrap();
    assert_eq!(res.status(), 409);
    // The public never sees any of the hidden ones.
    for slug in ["wuhu-secret", "wuhu-draft"] {
        assert_eq!(app.get(&format!("/datasets/{slug}")).await.status(), 404);
        assert_eq!(
            app.get(&format!("/api/v1/datasets/{slug}")).await.status(),
            404
        );
    }
}

async fn a_slug_comes_into_view_only_when_no_public_dataset_has_it(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let a = app.department("dept-a", "合肥市数据资源局", "340100");
    let b = app.department("dept-b", "芜湖市数据资源管理局", "340200");
    app.account("pa@hefei.gov.cn", Role::Publisher, Some("dept-a"));
    app.account("pb@wuhu.gov.cn", Role::Publisher, Some("dept-b"));
    DatasetBuilder::new("bus-lines", "芜湖公交线路", &b)
        .status(DatasetStatus::Draft)
        .insert(&app);
    DatasetBuilder::new("bus-lines", "合肥公交线路", &a).insert(&app);
    assert!(
        app.page("/datasets/bus-lines")
            .await
            .1
            .body
            .contains("合肥公交线路")
    );
    // B's draft cannot come into view under a slug the public already knows.
    let pb = app.logged_in("pb@wuhu.gov.cn").await;
    let res = pb
        .post(
            "/console/datasets/bus-lines/status",
            &[("status", "published"), ("reason", "首次发布")],
        )
        .await;
    assert_eq!(res.status(), 409, "{}", location(&res));
    let page = Page::new(res.text().await.unwrap());
    assert!(
        page.body.contains("已被公开（或曾经公开）的数据集使用"),
        "{}",
        page.body
    );
    let still = kaifang::db::datasets::all_with_slug(&mut app.conn(), "bus-lines").unwrap();
    assert_eq!(
        still.iter().map(|d| d.status).collect::<Vec<_>>(),
        [DatasetStatus::Draft, DatasetStatus::Published],
        "nothing changed"
    );
    // A slug the public has seen stays reserved after its dataset is withdrawn: links and
    // harvesters go on naming it, and the page says it was withdrawn.
    let pa = app.logged_in("pa@hefei.gov.cn").await;
    assert_eq!(
        set_status(&pa, "bus-lines", "withdrawn", "线路调整").await,
        303
    );
    assert_eq!(
        set_status(&pb, "bus-lines", "published", "首次发布").await,
        409
    );
    let (status, page) = app.page("/datasets/bus-lines").await;
    assert_eq!(status, 410);
    assert!(page.body.contains("合肥公交线路") && !page.body.contains("芜湖"));
    // B's dataset has never been public, so B may still change its slug, and publish.
    let mut form = crate::console::valid_form("wuhu-bus-lines", "芜湖公交线路");
    form.retain(|(k, _)| *k != "spatial_coverage" && *k != "reason");
    form.extend([("spatial_coverage", "340200"), ("reason", "改标识")]);
    let res = pb.post("/console/datasets/bus-lines/edit", &form).await;
    assert_eq!(
        res.status(),
        303,
        "{}",
        Page::new(res.text().await.unwrap()).text("#error-summary")
    );
    assert_eq!(
        set_status(&pb, "wuhu-bus-lines", "published", "首次发布").await,
        303
    );
    // A's withdrawn dataset comes back under its own slug; its slug can no longer change.
    assert_eq!(set_status(&pa, "bus-lines", "published", "恢复").await, 303);
    assert!(
        app.page("/datasets/bus-lines")
            .await
            .1
            .body
            .contains("合肥公交线路")
    );
    let res = pa
        .post(
            "/console/datasets/bus-lines/edit",
            &crate::console::valid_form("hefei-bus-lines", "合肥公交线路"),
        )
        .await;
    assert_eq!(res.status(), 400);
}

/// A dataset that was closed when published and opened later never showed the public anything
/// before: its withdrawal page must not exist, and its slug was never reserved.
async fn only_what_the_public_saw_is_reserved(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let b = app.department("dept-b", "芜湖市数据资源管理局", "340200");
    let hidden = DatasetBuilder::new("quiet", "芜湖内部", &b)
        .closed("《中华人民共和国个人信息保护法》第二十八条")
        .status(DatasetStatus::Withdrawn)
        .insert(&app);
    assert!(hidden.public_since.is_none());
    assert_eq!(app.get("/datasets/quiet").await.status(), 404);
    DatasetBuilder::new("open", "芜湖公开", &b).insert(&app);
    let open = kaifang::db::datasets::all_with_slug(&mut app.conn(), "open").unwrap();
    assert!(
        open[0].public_since.is_some(),
        "set when it is inserted public"
    );
}
