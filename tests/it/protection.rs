//! Data protection (issue 16): personal data never leaves unmasked, in any version, format or
//! channel, whatever the dataset's class becomes; the department retires what it must.

use kaifang::db::versions::{self, Version};
use kaifang::domain::{OpenClass, Role};
use kaifang::services::Actor;
use kaifang::services::publishing::Publisher;

use crate::both_backends;
use crate::helpers::{
    Backend, DatasetBuilder, TestApp, csv_of, ingest_file, location, people_csv, resident_id,
};

both_backends!(
    old_versions_of_a_formerly_closed_dataset_never_leave_unmasked,
    every_channel_refuses_an_untreated_version_whatever_the_class,
    the_newest_version_is_current_and_carries_its_decisions,
    applications_statistics_name_only_public_datasets,
    formula_cells_wait_for_the_publisher_and_our_csvs_neutralise_them,
    every_notation_is_masked_in_every_download_format,
);

/// Version n+1 of `resource` from `bytes`, through the real ingest.
fn ingest_version(app: &TestApp, resource_id: i32, file_name: &str, bytes: &[u8]) -> Version {
    let ctx = kaifang::startup::offline_ingest_context(&app.settings).expect("ingest context");
    let stored = ctx.store.put(bytes).expect("store the file");
    let mut conn = app.conn();
    let number = versions::next_number(&mut conn, resource_id).unwrap();
    let format = kaifang::services::ingest::format_of(bytes, file_name);
    let v = versions::insert(
        &mut conn,
        &versions::NewVersion {
            resource_id,
            number,
            status: "processing",
            source_name: file_name,
            source_format: format.as_str(),
            source_key: Some(&stored.key),
            source_sha256: &stored.sha256,
            source_size: stored.size as i64,
            masking: None,
            column_info: None,
            created_by: None,
            created_at: kaifang::services::clock::Clock::default().now(),
        },
    )
    .expect("insert version");
    kaifang::services::ingest::run(&mut conn, &ctx, v.id).expect("ingest runs");
    versions::by_id(&mut conn, v.id).unwrap().unwrap()
}

fn clean_csv() -> Vec<u8> {
    csv_of(&["办理事项", "数量"], 5, |i| {
        vec!["最低生活保障".into(), (i * 3).to_string()]
    })
}

/// Every way the public can ask for version `n` (or the current one) of a resource, with the
/// statuses they got.
async fn public_statuses(
    app: &TestApp,
    key: &str,
    slug: &str,
    rid: i32,
    n: Option<i32>,
) -> Vec<(String, u16)> {
    let v = n.map(|n| format!("version={n}&")).unwrap_or_default();
    let base = format!("/datasets/{slug}/resources/{rid}/download");
    let api = format!("/api/v1/datasets/{slug}/resources/{rid}");
    let mut out = Vec::new();
    for path in [
        format!("{base}?{v}"),
        format!("{base}?{v}format=csv&bom=1"),
        format!("{base}?{v}format=json"),
        format!("{base}?{v}format=xlsx"),
        format!("{base}?{v}format=original"),
        format!("{api}/download?{v}format=csv"),
        format!("{api}/download?{v}format=original"),
        format!("{api}/rows?{v}limit=5"),
    ] {
        // The API's downloads need a key (any registered developer's).
        let res = app
            .client
            .get(format!("{}{path}", app.address))
            .bearer_auth(key)
            .send()
            .await
            .unwrap();
        out.push((path, res.status().as_u16()));
    }
    // A Range request and HEAD go through the same gate.
    let ranged = app
        .client
        .get(format!("{}{base}?{v}", app.address))
        .header("Range", "bytes=0-99")
        .send()
        .await
        .unwrap();
    out.push((format!("{base}?{v} (Range)"), ranged.status().as_u16()));
    let head = app
        .client
        .head(format!("{}{base}?{v}", app.address))
        .send()
        .await
        .unwrap();
    out.push((format!("HEAD {base}?{v}"), head.status().as_u16()));
    out
}

fn all_not_found(statuses: &[(String, u16)]) {
    for (path, status) in statuses {
        assert_eq!(*status, 404, "{path} must not leave");
    }
}

async fn old_versions_of_a_formerly_closed_dataset_never_leave_unmasked(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let dept = app.department("hefei-civil", "合肥市民政局", "340100");
    let publisher = app.account("civil@hefei.gov.cn", Role::Publisher, Some("hefei-civil"));
    let key = app.api_key(publisher.id);
    let developer = app.account("dev@example.cn", Role::User, None);
    let reader = app.api_key(developer.id);
    let d = DatasetBuilder::new("hefei-aid", "合肥市低保统计", &dept)
        .closed("《中华人民共和国个人信息保护法》第二十八条")
        .insert(&app);
    // v1 with resident IDs and mobiles (allowed while closed), then a clean v2.
    let (r, v1) = ingest_file(&app, &d, "名单", "名单.csv", &people_csv(10));
    assert_eq!(v1.status, "ready");
    let v2 = ingest_version(&app, r.id, "统计.csv", &clean_csv());
    assert_eq!(v2.status, "ready", "{:?}", v2.report);
    let patch = |reason: &'static str| {
        app.client
            .patch(format!("{}/api/v1/datasets/hefei-aid", app.address))
            .bearer_auth(&key)
            .json(&serde_json::json!({
                "open_class": "unconditional",
                "legal_basis": null,
                "reason": reason
            }))
            .send()
    };
    // Opening is refused while v1 holds untreated personal data, naming it and the way out.
    let res = patch("拟向社会开放").await.unwrap();
    assert_eq!(res.status(), 400);
    let body: serde_json::Value = res.json().await.unwrap();
    let message = body["error"]["fields"]["open_class"].as_str().unwrap();
    assert!(
        message.contains("名单 第 1 版")
            && message.contains("身份证号")
            && message.contains("停用"),
        "{message}"
    );
    let still = kaifang::db::datasets::all_with_slug(&mut app.conn(), "hefei-aid")
        .map(|mut v| v.pop())
        .unwrap()
        .unwrap();
    assert_eq!(still.open_class, OpenClass::Closed);

    // The department retires v1 from its console: the current one cannot be retired, a
    // reason is required (and kept when missing), another department cannot.
    let console = app.logged_in("civil@hefei.gov.cn").await;
    let v1_page = format!("/console/datasets/hefei-aid/resources/{}/versions/1", r.id);
    let v2_page = format!("/console/datasets/hefei-aid/resources/{}/versions/2", r.id);
    let res = console
        .post(
            &format!("{v2_page}/retire"),
            &[("retire_reason", "当前版本也想停用")],
        )
        .await;
    assert_eq!(res.status(), 409, "the current version stays");
    let res = console
        .post(&format!("{v1_page}/retire"), &[("retire_reason", "短")])
        .await;
    assert_eq!(res.status(), 400);
    let page = crate::helpers::Page::new(res.text().await.unwrap());
    assert!(page.text("#error-summary").contains("停用理由"));
    assert_eq!(
        page.text("#f-retire_reason"),
        "短",
        "what was typed is kept"
    );
    let res = console
        .post(
            &format!("{v1_page}/retire"),
            &[("retire_reason", "含未脱敏的公民身份号码，已上传统计版")],
        )
        .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    assert_eq!(location(&res), v1_page);
    let retired = versions::by_number(&mut app.conn(), r.id, 1)
        .unwrap()
        .unwrap();
    assert!(retired.retired_at.is_some());
    assert!(retired.table_name.is_none() && retired.source_key.is_none());
    assert!(
        !app.audited("resource.version_retire").is_empty(),
        "retiring is audited"
    );
    let (_, page) = console.page(&v1_page).await;
    assert!(page.text("#version-status").contains("已停用"));

    // Now it opens, and v1 stays gone on every channel; v2 leaves.
    let res = patch("统计数据向社会开放").await.unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    all_not_found(&public_statuses(&app, &reader, "hefei-aid", r.id, Some(1)).await);
    for (path, status) in public_statuses(&app, &reader, "hefei-aid", r.id, Some(2)).await {
        assert!(
            [200, 206].contains(&status),
            "{path}: {status} (the clean current version leaves)"
        );
    }
    let csv = app
        .text(&format!("/datasets/hefei-aid/resources/{}/download", r.id))
        .await;
    assert!(!csv.contains(&resident_id(0)) && csv.contains("最低生活保障"));
}

async fn every_channel_refuses_an_untreated_version_whatever_the_class(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let dept = app.department("hefei-civil", "合肥市民政局", "340100");
    let developer = app.account("dev@example.cn", Role::User, None);
    let reader = app.api_key(developer.id);
    let d = DatasetBuilder::new("hefei-aid", "合肥市低保名单", &dept)
        .closed("《中华人民共和国个人信息保护法》第二十八条")
        .insert(&app);
    let (r, v1) = ingest_file(&app, &d, "名单", "名单.csv", &people_csv(10));
    assert_eq!(v1.status, "ready");
    let v2 = ingest_version(&app, r.id, "名单2.csv", &people_csv(12));
    assert_eq!(v2.status, "ready");
    // Opened by a path that skipped the check (data opened before it existed, or a future
    // feature's bug): the gate still holds every version back, for every class.
    for class in [OpenClass::Unconditional, OpenClass::Conditional] {
        kaifang::db::datasets::set_class(
            &mut app.conn(),
            d.id,
            class,
            (class == OpenClass::Conditional).then_some("《安徽省政务数据资源管理办法》第二十一条"),
            (class == OpenClass::Conditional).then_some("仅限科研用途"),
            kaifang::services::clock::Clock::default().now(),
        )
        .unwrap();
        for n in [None, Some(1), Some(2)] {
            let statuses = public_statuses(&app, &reader, "hefei-aid", r.id, n).await;
            for (path, status) in statuses {
                assert!([403, 404].contains(&status), "{class:?} {path}: {status}");
            }
        }
        let page = app.text("/datasets/hefei-aid").await;
        assert!(!page.contains(&resident_id(0)), "no preview of it");
        assert!(!page.contains("version=1") && !page.contains("version=2"));
        let ckan = app
            .text(&format!(
                "/api/3/action/datastore_search?resource_id={}",
                r.id
            ))
            .await;
        assert!(!ckan.contains(&resident_id(0)), "{ckan}");
        let ckan: serde_json::Value = serde_json::from_str(&ckan).unwrap();
        assert_eq!(ckan["success"], false, "{ckan}");
    }
    // The department still reads its own untreated version in its console.
    app.account("civil@hefei.gov.cn", Role::Publisher, Some("hefei-civil"));
    let console = app.logged_in("civil@hefei.gov.cn").await;
    let (status, page) = console
        .page(&format!(
            "/console/datasets/hefei-aid/resources/{}/versions/1",
            r.id
        ))
        .await;
    assert_eq!(status, 200);
    assert!(page.text("table.preview").contains(&resident_id(0)));
}

/// `people_csv` with its ID column under another name.
fn people_csv_as(id_header: &str, rows: usize) -> Vec<u8> {
    csv_of(
        &["姓名", id_header, "联系电话", "办理事项"],
        rows,
        |i| {
            vec![
                format!("申请人{i}"),
                resident_id(i),
                format!("138{:08}", 10_000_000 + i),
                "最低生活保障".to_owned(),
            ]
        },
    )
}

async fn the_newest_version_is_current_and_carries_its_decisions(backend: Backend) {
    use kaifang::services::ingest::{Treatment, columns_of, source::SourceFormat};
    use kaifang::services::resources::{self, Decision, Upload};
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let dept = app.department("hefei-civil", "合肥市民政局", "340100");
    let user = app.account("civil@hefei.gov.cn", Role::Publisher, Some("hefei-civil"));
    let d = DatasetBuilder::new("hefei-aid", "合肥市低保名单", &dept).insert(&app);
    let p = Publisher {
        user_id: user.id,
        department_id: dept.id,
        actor: Actor::user(user.id, None),
    };
    let ctx = kaifang::startup::offline_ingest_context(&app.settings).unwrap();
    let run = |v: Version| {
        kaifang::services::ingest::run(&mut app.conn(), &ctx, v.id).unwrap();
        versions::by_id(&mut app.conn(), v.id).unwrap().unwrap()
    };
    let upload = |file: &str, bytes: Vec<u8>| {
        let upload = Upload {
            file_name: file.into(),
            format: SourceFormat::Csv,
            stored: ctx.store.put(&bytes).unwrap(),
        };
        resources::start_upload(
            &mut app.conn(),
            &p,
            "hefei-aid",
            Some(1),
            "名单",
            &upload,
            app.clock.now(),
        )
        .unwrap()
        .2
    };
    let decide = |n: i32, id: Treatment| {
        let decision = Decision {
            treatments: [(1usize, id), (2usize, Treatment::Mask)].into(),
            ..Decision::default()
        };
        resources::decide(
            &mut app.conn(),
            &p,
            "hefei-aid",
            1,
            n,
            &decision,
            app.clock.now(),
        )
        .unwrap()
    };
    // v1: blocked on personal data; the publisher drops the ID column, masks the mobiles.
    let (r, v1) = ingest_file(&app, &d, "名单", "名单.csv", &people_csv(6));
    assert_eq!(r.id, 1);
    assert_eq!(v1.status, "blocked");
    assert_eq!(run(decide(1, Treatment::Drop)).status, "ready");
    // v2: the ID column is named differently, so nothing carries over for it: blocked, then
    // masked.
    let v2 = run(upload("名单2.csv", people_csv_as("公民身份号码", 7)));
    assert_eq!(v2.status, "blocked", "{:?}", v2.pii);
    assert_eq!(run(decide(2, Treatment::Mask)).status, "ready");
    // v3: a new upload carries the NEWEST ready version's decisions (v2: mask the IDs), not
    // the oldest's (v1, whose decision does not fit this column: the upload would block).
    let v3 = run(upload("名单3.csv", people_csv_as("公民身份号码", 8)));
    assert_eq!(v3.status, "ready", "carried from v2: {:?}", v3.pii);
    let id_column = columns_of(&v3)
        .into_iter()
        .find(|c| c.name == "公民身份号码")
        .expect("the masked ID column");
    assert_eq!(id_column.treatment, Some(Treatment::Mask));
    // The public page marks the newest version current, and lists newest first.
    let page = app.ok_page("/datasets/hefei-aid").await;
    let rows = page.texts("table.versions tbody th");
    assert_eq!(
        rows.first().map(String::as_str),
        Some("第 3 版（当前）"),
        "{rows:?}"
    );
    assert_eq!(
        rows.iter().filter(|r| r.contains("当前")).count(),
        1,
        "{rows:?}"
    );
}

async fn applications_statistics_name_only_public_datasets(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let dept = app.department("hefei-market", "合肥市市场监督管理局", "340100");
    let d = DatasetBuilder::new("hefei-enterprises", "合肥市企业登记信息", &dept)
        .conditional(
            "仅限科研和政务用途",
            "《安徽省政务数据资源管理办法》第二十一条",
        )
        .insert(&app);
    let csv = csv_of(&["企业名称", "成立日期"], 3, |i| {
        vec![format!("合肥测试企业{i}有限公司"), "2020-01-01".into()]
    });
    ingest_file(&app, &d, "企业名录", "企业.csv", &csv);
    app.account("researcher@example.cn", Role::User, None);
    let applicant = app.logged_in("researcher@example.cn").await;
    let mut fields: Vec<(&str, &str)> = vec![
        ("purpose", "研究合肥市企业成立趋势"),
        ("scenario", "高校科研项目"),
        ("access_mode", "download"),
        ("period_days", "30"),
        (
            "security_measures",
            "加密存储，仅项目组成员可访问，结题后销毁",
        ),
        ("undertaking", "yes"),
        ("fields", "企业名称"),
    ];
    fields.push(("fields", "成立日期"));
    let res = applicant
        .post("/datasets/hefei-enterprises/apply", &fields)
        .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let page = app.text("/stats/applications").await;
    assert!(page.contains("合肥市企业登记信息"), "listed while public");
    // Closed later: its name leaves the statistics; its department's total still counts it.
    kaifang::db::datasets::set_class(
        &mut app.conn(),
        d.id,
        OpenClass::Closed,
        Some("《中华人民共和国数据安全法》第二十一条"),
        None,
        kaifang::services::clock::Clock::default().now(),
    )
    .unwrap();
    for path in ["/stats/applications", "/stats/applications.csv"] {
        let body = app.text(path).await;
        assert!(!body.contains("合肥市企业登记信息"), "{path}: {body}");
        assert!(!body.contains("hefei-enterprises"), "{path}");
        assert!(
            body.contains("合肥市市场监督管理局"),
            "{path}: the total stays"
        );
    }
}

async fn formula_cells_wait_for_the_publisher_and_our_csvs_neutralise_them(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let dept = app.department(
        "hefei-transport",
        "=cmd|' /C calc'!A0 合肥市交通运输局",
        "340100",
    );
    app.account(
        "staff@hefei.gov.cn",
        Role::Publisher,
        Some("hefei-transport"),
    );
    let d = DatasetBuilder::new("bus-lines", "合肥市公交线路", &dept).insert(&app);
    let csv = csv_of(&["线路", "备注", "票价"], 4, |i| {
        vec![
            format!("{i}路"),
            if i == 2 {
                "=HYPERLINK(\"http://example.com/x\",\"点击查看\")".into()
            } else {
                "-".into()
            },
            format!("-{i}"),
        ]
    });
    let (r, v) = ingest_file(&app, &d, "线路", "lines.csv", &csv);
    assert_eq!(v.status, "blocked", "a formula waits for the publisher");
    let report = kaifang::services::ingest::problems_of(&v);
    assert_eq!(
        report.len(),
        1,
        "only the formula; '-' and '-2' are data: {report:?}"
    );
    assert_eq!(report[0].line, 4);
    assert_eq!(report[0].column.as_deref(), Some("备注"));
    assert_eq!(
        app.get(&format!("/datasets/bus-lines/resources/{}/download", r.id))
            .await
            .status(),
        404
    );
    let console = app.logged_in("staff@hefei.gov.cn").await;
    let page_url = format!("/console/datasets/bus-lines/resources/{}/versions/1", r.id);
    let (_, page) = console.page(&page_url).await;
    assert!(page.text("table.formulas").contains("=HYPERLINK"));
    // Saving without the confirmation changes nothing.
    let res = console.post(&format!("{page_url}/decide"), &[]).await;
    assert_eq!(res.status(), 400);
    let res = console
        .post(
            &format!("{page_url}/decide"),
            &[("confirm_formulas", "yes")],
        )
        .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let started = std::time::Instant::now();
    let v = loop {
        let v = versions::by_number(&mut app.conn(), r.id, 1)
            .unwrap()
            .unwrap();
        if v.status != "processing" {
            break v;
        }
        assert!(started.elapsed().as_secs() < 60, "the ingest finishes");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(v.status, "ready", "{:?}", v.report);
    // Our own statistics CSV never hands a spreadsheet a formula.
    let stats = app.text("/stats/departments.csv").await;
    assert!(stats.contains("'=cmd|"), "{stats}");
    assert!(
        !stats.contains(",=cmd") && !stats.contains("\n=cmd"),
        "{stats}"
    );
}

/// Only the digits of `s`, full-width ones folded.
fn digits(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            '0'..='9' => Some(c),
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
            _ => None,
        })
        .collect()
}

async fn every_notation_is_masked_in_every_download_format(backend: Backend) {
    use kaifang::services::ingest::Treatment;
    use kaifang::services::resources::{Decision, decide};
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let dept = app.department("hefei-civil", "合肥市民政局", "340100");
    let user = app.account("civil@hefei.gov.cn", Role::Publisher, Some("hefei-civil"));
    let d = DatasetBuilder::new("hefei-aid", "合肥市低保名单", &dept).insert(&app);
    let id = resident_id(3);
    let spaced = format!("{} {} {}", &id[..6], &id[6..14], &id[14..]);
    let dashed = spaced.replace(' ', "-");
    let wide: String = id
        .chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap(),
            'X' => 'Ｘ',
            c => c,
        })
        .collect();
    let values = [
        id.clone(),
        spaced,
        dashed,
        wide,
        format!("ID{id}"),
        format!("身份证{id}"),
        "+8613812345678".to_owned(),
        "8613812345678".to_owned(),
        "138-1234-5678".to_owned(),
        "138 1234 5678".to_owned(),
        "tel13812345678".to_owned(),
        "6222 0212 3456 7890 128".to_owned(),
    ];
    let csv = csv_of(&["序号", "联系方式"], values.len(), |i| {
        vec![(i + 1).to_string(), values[i].clone()]
    });
    let (r, v) = ingest_file(&app, &d, "名单", "名单.csv", &csv);
    assert_eq!(v.status, "blocked", "every notation is found");
    let p = Publisher {
        user_id: user.id,
        department_id: dept.id,
        actor: Actor::user(user.id, None),
    };
    let decision = Decision {
        treatments: [(1usize, Treatment::Mask)].into(),
        ..Decision::default()
    };
    let v = decide(
        &mut app.conn(),
        &p,
        "hefei-aid",
        r.id,
        1,
        &decision,
        app.clock.now(),
    )
    .unwrap();
    let ctx = kaifang::startup::offline_ingest_context(&app.settings).unwrap();
    kaifang::services::ingest::run(&mut app.conn(), &ctx, v.id).unwrap();
    let base = format!("/datasets/hefei-aid/resources/{}/download", r.id);
    let csv = app.text(&base).await;
    let json = app.text(&format!("{base}?format=json")).await;
    let xlsx = {
        use calamine::Reader;
        let bytes = app
            .get(&format!("{base}?format=xlsx"))
            .await
            .bytes()
            .await
            .unwrap()
            .to_vec();
        let mut book: calamine::Xlsx<_> = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range_at(0).unwrap().unwrap();
        range
            .rows()
            .map(|row| {
                row.iter()
                    .map(|c| c.to_string())
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    for (format, body) in [("csv", &csv), ("json", &json), ("xlsx", &xlsx)] {
        assert!(!body.is_empty(), "{format}");
        for value in &values {
            let secret = digits(value);
            let tail = &secret[secret.len() - 11..];
            for line in body.lines() {
                let found = digits(line);
                assert!(
                    !found.contains(tail),
                    "{format}: {value} survives masking in {line}"
                );
            }
        }
        assert!(
            kaifang::domain::pii::scan(body).is_empty(),
            "{format}: nothing left to find"
        );
    }
}
