//! The publisher console and the write API: the dataset lifecycle, validation, restrictive
//! class changes awaiting approval, history.

use kaifang::domain::{DatasetStatus, Role};

use crate::both_backends;
use crate::helpers::{Backend, Browser, DatasetBuilder, Page, TestApp, location};

pub(crate) fn valid_form<'a>(slug: &'a str, title: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("title", title),
        ("slug", slug),
        (
            "summary",
            "合肥市公交线路的名称、起止站点、首末班时间和票价。",
        ),
        ("keywords", "公交，线路"),
        ("theme", "transport"),
        ("maintainer", "合肥市交通运输局信息中心"),
        ("open_class", "unconditional"),
        ("open_conditions", ""),
        ("legal_basis", ""),
        ("update_frequency", "monthly"),
        ("formats", "csv, JSON"),
        ("record_count", "1,200"),
        ("temporal_start", "2024-01-01"),
        ("temporal_end", ""),
        ("spatial_coverage", "340100"),
        ("license", "安徽省公共数据开放许可协议（署名）"),
        ("priority", "yes"),
        (
            "fields",
            "线路名称 | 字符型 | 公交线路名称 | | 否\n票价 | 数值型 | 单一票价 | 元 | 否\n驾驶员 | 字符型 | 驾驶员姓名 | | 是",
        ),
        ("reason", ""),
    ]
}

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

async fn setup(app: &TestApp) -> (Browser, Browser) {
    app.department("hefei-transport", "合肥市交通运输局", "340100");
    app.account("pub@hefei.gov.cn", Role::Publisher, Some("hefei-transport"));
    app.account("admin@ah.gov.cn", Role::Admin, None);
    (
        app.logged_in("pub@hefei.gov.cn").await,
        app.logged_in("admin@ah.gov.cn").await,
    )
}

both_backends!(
    a_dataset_from_draft_to_withdrawn,
    restrictive_changes_wait_for_an_administrator,
    form_errors_are_shown_next_to_fields,
    the_api_creates_and_patches_with_the_same_rules,
);

async fn a_dataset_from_draft_to_withdrawn(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let (p, _) = setup(&app).await;
    let new = p.page("/console/datasets/new").await.1;
    assert_eq!(
        new.attrs("#f-spatial_coverage", "value"),
        ["340100"],
        "defaults from the department"
    );
    let res = p
        .post(
            "/console/datasets/new",
            &valid_form("hefei-bus", "合肥市公交线路"),
        )
        .await;
    assert_eq!(
        res.status(),
        303,
        "{}",
        Page::new(res.text().await.unwrap()).text("#error-summary")
    );
    let d = kaifang::db::datasets::all_with_slug(&mut app.conn(), "hefei-bus")
        .map(|mut v| v.pop())
        .unwrap()
        .unwrap();
    assert_eq!(d.status, DatasetStatus::Draft);
    assert!(
        d.code.starts_with("202"),
        "code from theme and department: {}",
        d.code
    );
    assert_eq!(
        kaifang::db::datasets::formats(&mut app.conn(), d.id).unwrap(),
        ["CSV", "JSON"]
    );
    let fields = kaifang::db::datasets::fields(&mut app.conn(), d.id).unwrap();
    assert_eq!(fields.len(), 3);
    assert!(fields[2].masked && fields[1].unit.as_deref() == Some("元"));
    assert_eq!(
        app.get("/datasets/hefei-bus").await.status(),
        404,
        "drafts are not public"
    );

    // Edit: a reason is required, and the change is recorded.
    let res = p
        .post(
            "/console/datasets/hefei-bus/edit",
            &with(valid_form("hefei-bus", "合肥市公交线路信息"), &[]),
        )
        .await;
    assert_eq!(res.status(), 400, "no reason given");
    let res = p
        .post(
            "/console/datasets/hefei-bus/edit",
            &with(
                valid_form("hefei-bus", "合肥市公交线路信息"),
                &[("reason", "标题补充“信息”")],
            ),
        )
        .await;
    assert_eq!(location(&res), "/console/datasets/hefei-bus/edit");
    assert!(
        p.page("/console/datasets/hefei-bus/edit")
            .await
            .1
            .text(".alert-success")
            .contains("已保存 1 项修改")
    );

    // Publishing needs a reason, shown at its box.
    let res = p
        .post(
            "/console/datasets/hefei-bus/status",
            &[("status", "published")],
        )
        .await;
    assert_eq!(res.status(), 400);
    let page = Page::new(res.text().await.unwrap());
    assert!(page.text("#f-status_reason-error").contains("发布说明"));
    assert_eq!(
        page.attrs("#f-title", "value"),
        ["合肥市公交线路信息"],
        "the edit form is intact"
    );
    // Publish: now public, with every field as entered.
    let res = p
        .post(
            "/console/datasets/hefei-bus/status",
            &[("status", "published"), ("reason", "首次发布")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let public = app.ok_page("/datasets/hefei-bus").await;
    assert_eq!(public.text("h1"), "合肥市公交线路信息");
    assert_eq!(public.meta("数据量").unwrap(), "1,200 条记录");
    assert_eq!(public.count(".badge-priority"), 1);
    // Published datasets keep their address.
    let res = p
        .post(
            "/console/datasets/hefei-bus/edit",
            &with(
                valid_form("hefei-bus-2", "合肥市公交线路信息"),
                &[("reason", "改地址")],
            ),
        )
        .await;
    assert_eq!(res.status(), 400);
    assert!(
        Page::new(res.text().await.unwrap())
            .text("#f-slug-error")
            .contains("不能修改标识")
    );

    // Withdraw needs a reason; then the public page says it was withdrawn.
    p.post(
        "/console/datasets/hefei-bus/status",
        &[("status", "withdrawn")],
    )
    .await;
    assert_eq!(
        app.get("/datasets/hefei-bus").await.status(),
        200,
        "no reason, no withdrawal"
    );
    p.post(
        "/console/datasets/hefei-bus/status",
        &[("status", "withdrawn"), ("reason", "数据源停止更新")],
    )
    .await;
    assert_eq!(app.get("/datasets/hefei-bus").await.status(), 410);
    // Draft is not a target; nonsense is a 400.
    assert_eq!(
        p.post("/console/datasets/hefei-bus/status", &[("status", "draft")])
            .await
            .status(),
        400
    );

    let history = p.page("/console/datasets/hefei-bus/history").await.1;
    let actions: Vec<String> = history.texts("tbody tr td:nth-child(3)");
    assert_eq!(actions, ["撤回", "发布", "修改", "创建"]);
    assert!(history.text("tbody").contains("数据源停止更新"));
    assert!(history.text("tbody").contains("标题补充"));
    let audit = kaifang::db::audit::all_in_order(&mut app.conn()).unwrap();
    for action in [
        "dataset.create",
        "dataset.update",
        "dataset.publish",
        "dataset.withdraw",
    ] {
        assert!(
            audit
                .iter()
                .any(|e| e.action == action && e.target == "dataset:hefei-bus"),
            "{action}"
        );
    }
}

async fn restrictive_changes_wait_for_an_administrator(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let (p, admin) = setup(&app).await;
    p.post(
        "/console/datasets/new",
        &valid_form("hefei-bus", "合肥市公交线路"),
    )
    .await;
    p.post(
        "/console/datasets/hefei-bus/status",
        &[("status", "published"), ("reason", "首次发布")],
    )
    .await;
    let restrict = with(
        valid_form("hefei-bus", "合肥市公交线路"),
        &[
            ("open_class", "conditional"),
            ("open_conditions", "仅限交通规划研究机构"),
            ("legal_basis", "《中华人民共和国数据安全法》第三十八条"),
            ("reason", "含有驾驶员排班信息"),
        ],
    );
    let res = p.post("/console/datasets/hefei-bus/edit", &restrict).await;
    assert_eq!(res.status(), 303);
    let edit = p.page("/console/datasets/hefei-bus/edit").await.1;
    assert!(edit.text(".alert-success").contains("已提交平台管理员审批"));
    // Still unconditional for the public until approved.
    let public = app.ok_page("/datasets/hefei-bus").await;
    assert_eq!(public.meta("开放类型").unwrap(), "无条件开放");
    // A second request while one is pending is refused.
    let res = p
        .post(
            "/console/datasets/hefei-bus/edit",
            &with(restrict.clone(), &[("open_class", "closed")]),
        )
        .await;
    assert_eq!(res.status(), 400);
    assert!(
        Page::new(res.text().await.unwrap())
            .text("#f-open_class-error")
            .contains("已有待审批")
    );

    // The administrator sees it; a rejection needs a note; approval applies it.
    let list = admin.page("/admin/class-changes").await.1;
    assert!(list.text("main").contains("无条件开放 → 有条件开放"));
    let id = list.attrs("form[action^='/admin/class-changes/']", "action")[0]
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let res = admin
        .post(
            &format!("/admin/class-changes/{id}"),
            &[("decision", "reject")],
        )
        .await;
    assert_eq!(res.status(), 400);
    let page = Page::new(res.text().await.unwrap());
    assert!(
        page.text(&format!("#note-{id}-error"))
            .contains("驳回需要填写理由")
    );
    assert_eq!(page.attrs(&format!("#note-{id}"), "aria-invalid"), ["true"]);
    let res = admin
        .post(
            &format!("/admin/class-changes/{id}"),
            &[("decision", "approve"), ("note", "同意")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let public = app.ok_page("/datasets/hefei-bus").await;
    assert_eq!(public.meta("开放类型").unwrap(), "有条件开放");
    assert_eq!(
        public.meta("法律依据").unwrap(),
        "《中华人民共和国数据安全法》第三十八条"
    );
    // Decided requests cannot be decided again; publishers cannot decide at all.
    let again = admin
        .post(
            &format!("/admin/class-changes/{id}"),
            &[("decision", "approve")],
        )
        .await;
    assert_eq!(again.status(), 409);
    assert_eq!(
        p.post(
            &format!("/admin/class-changes/{id}"),
            &[("decision", "approve")]
        )
        .await
        .status(),
        403
    );
    // Loosening is immediate (with its reason recorded).
    let loosen = with(
        valid_form("hefei-bus", "合肥市公交线路"),
        &[("reason", "驾驶员信息已脱敏")],
    );
    p.post("/console/datasets/hefei-bus/edit", &loosen).await;
    assert_eq!(
        app.ok_page("/datasets/hefei-bus")
            .await
            .meta("开放类型")
            .unwrap(),
        "无条件开放"
    );
    let history = p.page("/console/datasets/hefei-bus/history").await.1;
    let actions = history.texts("tbody tr td:nth-child(3)");
    assert!(
        actions.contains(&"申请收紧开放类型".to_owned())
            && actions.contains(&"批准开放类型变更".to_owned()),
        "{actions:?}"
    );
    let audit = kaifang::db::audit::all_in_order(&mut app.conn()).unwrap();
    assert!(audit.iter().any(|e| e.action == "dataset.class_request"));
    assert!(
        audit
            .iter()
            .any(|e| e.action == "dataset.class_approve" && e.actor == "user:2")
    );
}

async fn form_errors_are_shown_next_to_fields(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let (p, _) = setup(&app).await;
    let other = app.department("wuhu-data", "芜湖市数据资源管理局", "340200");
    DatasetBuilder::new("taken", "已占用", &other).insert(&app);
    let bad = with(
        valid_form("taken", "合肥市公交线路"),
        &[
            ("title", ""),
            ("open_class", "closed"),
            ("temporal_start", "2024-05-01"),
            ("temporal_end", "2024-01-01"),
            ("spatial_coverage", "340200"),
            ("fields", "名称 | 字符型\n名称 | 数字"),
            ("record_count", "很多"),
        ],
    );
    let res = p.post("/console/datasets/new", &bad).await;
    assert_eq!(res.status(), 400);
    let page = Page::new(res.text().await.unwrap());
    for field in [
        "title",
        "legal_basis",
        "temporal_end",
        "fields",
        "record_count",
    ] {
        assert!(
            !page.text(&format!("#f-{field}-error")).is_empty(),
            "{field}: {}",
            page.text("#error-summary")
        );
    }
    assert_eq!(page.attrs("#f-summary", "id").len(), 1);
    assert_eq!(
        page.text("#f-summary"),
        "合肥市公交线路的名称、起止站点、首末班时间和票价。",
        "input kept"
    );
    // Area outside the department, and a slug in use: checked once the form itself is valid.
    let res = p
        .post(
            "/console/datasets/new",
            &with(
                valid_form("taken", "合肥"),
                &[("spatial_coverage", "340200")],
            ),
        )
        .await;
    assert!(
        Page::new(res.text().await.unwrap())
            .text("#f-spatial_coverage-error")
            .contains("所辖区域")
    );
    let res = p
        .post("/console/datasets/new", &valid_form("taken", "合肥"))
        .await;
    assert_eq!(res.status(), 400);
    assert!(
        Page::new(res.text().await.unwrap())
            .text("#f-slug-error")
            .contains("已被公开（或曾经公开）的数据集使用")
    );
    assert_eq!(
        kaifang::db::datasets::count_all(&mut app.conn()).unwrap(),
        1,
        "nothing stored"
    );
}

async fn the_api_creates_and_patches_with_the_same_rules(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    setup(&app).await;
    let publisher = kaifang::db::users::by_email(&mut app.conn(), "pub@hefei.gov.cn")
        .unwrap()
        .unwrap();
    let key = app.api_key(publisher.id);
    let api = |method: &str, path: &str, body: serde_json::Value| {
        app.client
            .request(method.parse().unwrap(), format!("{}{}", app.address, path))
            .bearer_auth(&key)
            .json(&body)
    };
    let body = serde_json::json!({
        "slug": "hefei-parking",
        "title": "合肥市公共停车场",
        "summary": "合肥市公共停车场的位置、泊位数和收费标准。",
        "keywords": ["停车", "泊位"],
        "theme": "transport",
        "maintainer": "合肥市交通运输局",
        "open_class": "unconditional",
        "update_frequency": "weekly",
        "formats": ["CSV"],
        "record_count": 820,
        "temporal_coverage": {"start": "2023-01-01"},
        "spatial_coverage": "340100",
        "license": "安徽省公共数据开放许可协议（署名）",
        "fields": [{"name": "停车场名称", "type": "string", "description": "名称"}],
        "status": "published",
        "reason": "首次发布"
    });
    let res = api("POST", "/api/v1/datasets", body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    assert_eq!(
        res.headers().get("location").unwrap(),
        "/api/v1/datasets/hefei-parking"
    );
    let created: serde_json::Value = res.json().await.unwrap();
    assert_eq!(created["dataset"]["status"], "published");
    assert_eq!(created["dataset"]["department"], "hefei-transport");
    assert_eq!(
        created["dataset"]["temporal_coverage"]["start"],
        "2023-01-01"
    );
    assert_eq!(app.get("/datasets/hefei-parking").await.status(), 200);

    // Validation errors come back per field in the envelope.
    let mut invalid = body.clone();
    invalid["slug"] = "Hefei Parking".into();
    invalid["open_class"] = "closed".into();
    let res = api("POST", "/api/v1/datasets", invalid)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let err: serde_json::Value = res.json().await.unwrap();
    assert_eq!(err["error"]["code"], "bad_request");
    assert!(
        err["error"]["fields"]["slug"].is_string()
            && err["error"]["fields"]["legal_basis"].is_string(),
        "{err}"
    );
    let res = api("POST", "/api/v1/datasets", body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 409, "the slug is taken");
    // Create and status change are one: a refused status leaves nothing behind.
    let mut withdrawn = body.clone();
    withdrawn["slug"] = "hefei-parking-2".into();
    withdrawn["status"] = "withdrawn".into();
    let res = api("POST", "/api/v1/datasets", withdrawn)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 409);
    assert!(
        kaifang::db::datasets::all_with_slug(&mut app.conn(), "hefei-parking-2")
            .map(|mut v| v.pop())
            .unwrap()
            .is_none()
    );
    let res = api("POST", "/api/v1/datasets", serde_json::json!({"slug": 5}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let res = app
        .client
        .post(format!("{}/api/v1/datasets", app.address))
        .bearer_auth(&key)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let err: serde_json::Value = res.json().await.unwrap();
    assert_eq!(err["error"]["code"], "bad_request");
    let res = api(
        "POST",
        "/api/v1/datasets",
        serde_json::json!({"unknown_field": 1}),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(res.status(), 400);

    // PATCH: only what is sent changes; a reason is required; restrictions wait.
    let res = api(
        "PATCH",
        "/api/v1/datasets/hefei-parking",
        serde_json::json!({"record_count": 900}),
    )
    .send()
    .await
    .unwrap();
    // A reason is a rule the document states but JSON Schema cannot: 422.
    assert_eq!(res.status(), 422, "no reason");
    let res = api(
        "PATCH",
        "/api/v1/datasets/hefei-parking",
        serde_json::json!({"record_count": 900, "reason": "新增停车场"}),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(res.status(), 200);
    let patched: serde_json::Value = res.json().await.unwrap();
    assert_eq!(patched["dataset"]["record_count"], 900);
    assert_eq!(patched["dataset"]["title"], "合肥市公共停车场");
    assert_eq!(patched["changed"], serde_json::json!(["record_count"]));
    let res = api(
        "PATCH",
        "/api/v1/datasets/hefei-parking",
        serde_json::json!({"open_class": "closed", "legal_basis": "《中华人民共和国个人信息保护法》第二十八条", "reason": "包含车牌信息"}),
    )
    .send()
    .await
    .unwrap();
    let pending: serde_json::Value = res.json().await.unwrap();
    assert_eq!(pending["pending_class_change"]["to"], "closed");
    assert_eq!(
        pending["dataset"]["open_class"], "unconditional",
        "unchanged until approved"
    );
    assert_eq!(app.get("/datasets/hefei-parking").await.status(), 200);
    // Unknown dataset: envelope 404; wrong method: envelope 405.
    let res = api(
        "PATCH",
        "/api/v1/datasets/nothing-here",
        serde_json::json!({}),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(res.status(), 404);
    let res = app
        .client
        .delete(format!("{}/api/v1/datasets/hefei-parking", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
    let err: serde_json::Value = res.json().await.unwrap();
    assert_eq!(err["error"]["code"], "method_not_allowed");
}
