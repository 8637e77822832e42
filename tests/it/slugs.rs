//! Issue 17, finding 5: a dataset's slug must not reveal another department's hidden datasets.
//! Slugs are unique within a department and among public datasets; trying another department's
//! draft or closed dataset's slug answers exactly as a slug nobody uses.

use kaifang::domain::{DatasetStatus, Role};

use crate::both_backends;
use crate::console::valid_form;
use crate::helpers::{Backend, DatasetBuilder, Page, TestApp, location};

both_backends!(
    another_departments_hidden_slugs_are_neither_found_nor_in_the_way,
    a_slug_comes_into_view_only_when_no_public_dataset_has_it
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
    assert!(page.body.contains("已被公开的数据集使用"), "{}", page.body);
    let still = kaifang::db::datasets::all_with_slug(&mut app.conn(), "bus-lines").unwrap();
    assert_eq!(
        still.iter().map(|d| d.status).collect::<Vec<_>>(),
        [DatasetStatus::Draft, DatasetStatus::Published],
        "nothing changed"
    );
    // Once A's dataset is withdrawn the slug is free, and the page shows B's.
    let pa = app.logged_in("pa@hefei.gov.cn").await;
    let res = pa
        .post(
            "/console/datasets/bus-lines/status",
            &[("status", "withdrawn"), ("reason", "线路调整")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let res = pb
        .post(
            "/console/datasets/bus-lines/status",
            &[("status", "published"), ("reason", "首次发布")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let page = app.page("/datasets/bus-lines").await.1;
    assert!(page.body.contains("芜湖公交线路"), "{}", page.body);
}
