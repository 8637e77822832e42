//! The data pipeline end to end, through HTTP as departments and citizens use it: uploads in
//! GBK and XLSX, the personal-data guard, malformed uploads that change nothing, downloads in
//! every format with their headers, and the typed row API.

use std::io::Cursor;
use std::time::{Duration, Instant};

use calamine::{Data, Reader, Xlsx};
use encoding_rs::GB18030;
use kaifang::db::datasets::Dataset;
use kaifang::db::{resources, versions};
use kaifang::domain::Role;

use crate::both_backends;
use crate::helpers::{
    Backend, Browser, DatasetBuilder, TestApp, csv_of, location, people_csv, resident_id,
};

const GBK_FIXTURE: &[u8] = include_bytes!("../fixtures/gbk_bus_lines.csv");

/// A department, its publisher logged in, and one of its published, unconditional datasets.
async fn setup(app: &TestApp) -> (Browser, String, Dataset) {
    let dept = app.department("hefei-transport", "合肥市交通运输局", "340100");
    let publisher = app.account(
        "staff@hefei.gov.cn",
        Role::Publisher,
        Some("hefei-transport"),
    );
    let d = DatasetBuilder::new("hefei-bus-lines", "合肥市公交线路", &dept).insert(app);
    let b = app.logged_in("staff@hefei.gov.cn").await;
    (b, app.api_key(publisher.id), d)
}

/// Posts a file the way the console's form does (CSRF field first, then the file).
async fn console_upload(
    b: &Browser,
    path: &str,
    file_name: &str,
    bytes: Vec<u8>,
    name: Option<&str>,
) -> reqwest::Response {
    let mut form = reqwest::multipart::Form::new().text("csrf", b.csrf.clone());
    if let Some(n) = name {
        form = form.text("name", n.to_owned());
    }
    form = form.part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_owned()),
    );
    b.client
        .post(format!("{}{}", b.address, path))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

/// The resource id and version number a console upload redirected to.
fn version_of(location: &str) -> (i32, i32) {
    let parts: Vec<&str> = location.split('/').collect();
    let n = parts.len();
    assert_eq!(parts[n - 2], "versions", "{location}");
    (parts[n - 3].parse().unwrap(), parts[n - 1].parse().unwrap())
}

/// Waits until the ingest of a version has finished.
pub async fn finished(app: &TestApp, resource: i32, number: i32) -> versions::Version {
    let started = Instant::now();
    loop {
        let v = versions::by_number(&mut app.conn(), resource, number)
            .unwrap()
            .expect("the version exists");
        if v.status != "processing" {
            return v;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "ingest of {resource}/{number} did not finish"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn bytes_of(res: reqwest::Response) -> Vec<u8> {
    res.bytes().await.unwrap().to_vec()
}

fn records(csv_bytes: &[u8]) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv_bytes)
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

fn xlsx_rows(bytes: Vec<u8>) -> Vec<Vec<String>> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).expect("a valid XLSX");
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

both_backends!(
    a_gbk_csv_uploads_previews_and_downloads_as_utf8,
    an_xlsx_upload_works_through_the_api,
    resident_ids_are_never_published_unmasked,
    an_administrator_may_override_with_a_reason,
    closed_data_with_personal_data_cannot_be_opened,
    malformed_uploads_leave_the_previous_version_served,
    the_row_api_filters_with_types_and_refuses_what_it_cannot_check
);

async fn a_gbk_csv_uploads_previews_and_downloads_as_utf8(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let (b, _, _) = setup(&app).await;
    assert!(
        String::from_utf8(GBK_FIXTURE.to_vec()).is_err(),
        "the fixture is really GBK"
    );
    let (expected, _, bad) = GB18030.decode(GBK_FIXTURE);
    assert!(!bad);
    let expected = records(expected.as_bytes());
    assert_eq!(expected[0][0], "线路名称");

    let res = console_upload(
        &b,
        "/console/datasets/hefei-bus-lines/resources",
        "公交线路（GBK）.csv",
        GBK_FIXTURE.to_vec(),
        Some("合肥市公交线路表"),
    )
    .await;
    assert_eq!(res.status(), 303);
    let (rid, n) = version_of(&location(&res));
    assert_eq!(n, 1);
    let v = finished(&app, rid, 1).await;
    assert_eq!(v.status, "ready", "{:?}", v.report);
    assert_eq!(v.encoding.as_deref(), Some("GB18030"));
    assert_eq!(v.row_count, Some(expected.len() as i64 - 1));

    // The publisher's view: types inferred from the data.
    let (status, page) = b
        .page(&format!(
            "/console/datasets/hefei-bus-lines/resources/{rid}/versions/1"
        ))
        .await;
    assert_eq!(status, 200);
    assert!(page.text("#version-status").contains("已发布"));
    let types: Vec<String> = page.attrs("table.columns select option[selected]", "value");
    assert_eq!(
        types,
        [
            "string", "string", "string", "decimal", "date", "boolean", "integer"
        ]
    );

    // The public page: Chinese headers and the first rows as uploaded, the field dictionary.
    let page = app.ok_page("/datasets/hefei-bus-lines").await;
    assert_eq!(page.texts("table.preview thead th"), expected[0]);
    assert_eq!(
        page.texts("table.preview tbody tr:first-child td"),
        expected[1]
    );
    assert_eq!(page.count("table.preview tbody tr"), 50);
    assert_eq!(page.texts("table.fields tbody th"), expected[0]);
    assert!(
        page.count("figure.chart svg rect.chart-bar") >= 2,
        "a chart"
    );
    assert_eq!(page.texts("table.resources tbody th"), ["合肥市公交线路表"]);

    // CSV in UTF-8 with the Chinese file name; the same rows.
    let base = format!("/datasets/hefei-bus-lines/resources/{rid}/download");
    let res = app.get(&format!("{base}?format=csv")).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    let cd = res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cd.starts_with("attachment"), "{cd}");
    assert!(
        cd.contains("filename*=UTF-8''%E5%90%88%E8%82%A5%E5%B8%82%E5%85%AC%E4%BA%A4%E7%BA%BF%E8%B7%AF%E8%A1%A8.csv"),
        "RFC 5987 name: {cd}"
    );
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    assert!(res.headers().contains_key("last-modified"));
    let csv_bytes = bytes_of(res).await;
    let text = String::from_utf8(csv_bytes.clone()).expect("UTF-8");
    assert_eq!(records(text.as_bytes()), expected);
    // Unchanged: 304.
    let res = app
        .client
        .get(format!("{}{base}?format=csv", app.address))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 304);
    // For Excel: the same bytes after a byte-order mark.
    let bom = bytes_of(app.get(&format!("{base}?format=csv&bom=1")).await).await;
    assert_eq!(&bom[..3], b"\xEF\xBB\xBF");
    assert_eq!(&bom[3..], &csv_bytes[..]);

    // JSON: one object per row, typed values, columns in order.
    let res = app.get(&format!("{base}?format=json")).await;
    assert_eq!(res.headers()["content-type"], "application/json");
    let json: serde_json::Value = res.json().await.unwrap();
    let rows = json.as_array().unwrap();
    assert_eq!(rows.len(), expected.len() - 1);
    let first = rows[0].as_object().unwrap();
    assert_eq!(first.keys().cloned().collect::<Vec<_>>(), expected[0]);
    assert_eq!(first["线路名称"], expected[1][0].as_str());
    assert!(first["票价（元）"].is_number());
    assert!(first["空调车"].is_boolean());

    // XLSX: the same table.
    let res = app.get(&format!("{base}?format=xlsx")).await;
    assert_eq!(res.status(), 200);
    let sheet = xlsx_rows(bytes_of(res).await);
    assert_eq!(sheet[0], expected[0]);
    assert_eq!(sheet.len(), expected.len());
    assert_eq!(sheet[1][0], expected[1][0]);

    // The original, byte for byte, with ranges.
    let res = app.get(&format!("{base}?format=original")).await;
    assert_eq!(res.headers()["content-type"], "text/csv; charset=gb18030");
    assert_eq!(bytes_of(res).await, GBK_FIXTURE);
    let res = app
        .client
        .get(format!("{}{base}?format=original", app.address))
        .header("range", "bytes=0-9")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 206);
    assert_eq!(bytes_of(res).await, &GBK_FIXTURE[..10]);

    // Counted: csv, csv+bom, json, xlsx and the original (not the 304 or the range).
    let page = app.ok_page("/datasets/hefei-bus-lines").await;
    assert_eq!(page.meta("下载次数").unwrap(), "5");

    // A bad format is a clear 400.
    let (status, page) = app.page(&format!("{base}?format=pdf")).await;
    assert_eq!(status, 400);
    assert!(page.body.contains("不支持的格式"));
}

/// An XLSX with a number, a date and text columns, as a statistics office would send it.
fn population_xlsx() -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    for (j, h) in ["区县", "常住人口（万人）", "统计日期"].iter().enumerate() {
        sheet.write_string(0, j as u16, *h).unwrap();
    }
    let counties = ["瑶海区", "庐阳区", "蜀山区", "包河区", "长丰县", "肥东县"];
    for (i, c) in counties.iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_string(row, 0, *c).unwrap();
        sheet.write_number(row, 1, 80.5 + i as f64).unwrap();
        let d = rust_xlsxwriter::ExcelDateTime::from_ymd(2025, 12, 31).unwrap();
        sheet.write_datetime_with_format(row, 2, &d, &date).unwrap();
    }
    book.save_to_buffer().unwrap()
}

async fn an_xlsx_upload_works_through_the_api(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let (_, key, _) = setup(&app).await;
    let res = app
        .client
        .post(format!(
            "{}/api/v1/datasets/hefei-bus-lines/resources?name=%E5%B8%B8%E4%BD%8F%E4%BA%BA%E5%8F%A3.xlsx",
            app.address
        ))
        .bearer_auth(&key)
        .header("content-type", "application/octet-stream")
        .body(population_xlsx())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["status"], "processing");
    assert_eq!(body["version"], 1);
    assert_eq!(body["resource"]["name"], "常住人口");
    let rid = body["resource"]["id"].as_i64().unwrap() as i32;
    let report_url = body["report_url"].as_str().unwrap().to_owned();
    let v = finished(&app, rid, 1).await;
    assert_eq!(v.status, "ready", "{:?}", v.report);
    assert_eq!(v.source_format, "xlsx");

    // The status as the API reports it.
    let status: serde_json::Value = app
        .client
        .get(format!("{}{report_url}", app.address))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status["status"], "ready");
    assert_eq!(status["row_count"], 6);
    let types: Vec<&str> = status["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["string", "decimal", "date"]);

    let csv = app
        .text(&format!(
            "/datasets/hefei-bus-lines/resources/{rid}/download"
        ))
        .await;
    let rows = records(csv.as_bytes());
    assert_eq!(rows[0], ["区县", "常住人口（万人）", "统计日期"]);
    assert_eq!(rows[1], ["瑶海区", "80.5", "2025-12-31"]);
    assert_eq!(rows.len(), 7);
    let original = bytes_of(
        app.get(&format!(
            "/datasets/hefei-bus-lines/resources/{rid}/download?format=original"
        ))
        .await,
    )
    .await;
    assert_eq!(&original[..2], b"PK", "the workbook as uploaded");
}

async fn resident_ids_are_never_published_unmasked(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let (b, _, d) = setup(&app).await;
    let people = people_csv(120);
    let res = console_upload(
        &b,
        "/console/datasets/hefei-bus-lines/resources",
        "低保名单.csv",
        people.clone(),
        None,
    )
    .await;
    assert_eq!(res.status(), 303);
    let (rid, _) = version_of(&location(&res));
    let v = finished(&app, rid, 1).await;
    assert_eq!(v.status, "blocked");
    let version_page = format!("/console/datasets/hefei-bus-lines/resources/{rid}/versions/1");
    let page = b.page(&version_page).await.1;
    assert!(page.text(".alert-warning").contains("发现个人信息"));
    assert_eq!(page.texts("table.pii tbody th"), ["身份证号", "联系电话"]);
    assert!(
        !page.body.contains(&resident_id(0)),
        "the report shows only masked examples"
    );

    // Not published anywhere.
    let public = app.ok_page("/datasets/hefei-bus-lines").await;
    assert!(public.text("main").contains("暂未提供数据文件"));
    let download = format!("/datasets/hefei-bus-lines/resources/{rid}/download");
    assert_eq!(app.get(&download).await.status(), 404);
    assert!(
        resources::by_id(&mut app.conn(), rid)
            .unwrap()
            .unwrap()
            .current_version_id
            .is_none()
    );

    // Publishing as is is not for the publisher to decide; every column needs a decision.
    let decide = format!("{version_page}/decide");
    let res = b.post(&decide, &[("treatment_1", "keep")]).await;
    assert_eq!(res.status(), 400);
    let res = b.post(&decide, &[("treatment_1", "mask")]).await;
    assert_eq!(res.status(), 400);
    let page = crate::helpers::Page::new(res.text().await.unwrap());
    assert!(
        page.text("#error-summary").contains("联系电话"),
        "{}",
        page.text("#error-summary")
    );
    assert_eq!(
        finished(&app, rid, 1).await.status,
        "blocked",
        "nothing changed"
    );

    // Mask the IDs, drop the phone numbers.
    let res = b
        .post(&decide, &[("treatment_1", "mask"), ("treatment_2", "drop")])
        .await;
    assert_eq!(res.status(), 303);
    let v = finished(&app, rid, 1).await;
    assert_eq!(v.status, "ready", "{:?}", v.report);
    assert!(v.source_key.is_none(), "the unmasked upload is forgotten");
    let store = kaifang::startup::file_store(&app.settings);
    let source = store
        .path(&format!("{}/{}", &v.source_sha256[..2], v.source_sha256))
        .unwrap();
    // The file goes right after the commit that made the version ready.
    for _ in 0..100 {
        if !source.exists() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(!source.exists(), "and deleted from the store");

    let masked_first = {
        let id = resident_id(0);
        format!("{}********{}", &id[..6], &id[14..])
    };
    let csv = app.text(&format!("{download}?format=csv")).await;
    let rows = records(csv.as_bytes());
    assert_eq!(rows[0], ["姓名", "身份证号", "办理事项"]);
    assert_eq!(rows[1][1], masked_first);
    let json = app.text(&format!("{download}?format=json")).await;
    assert!(json.contains(&masked_first));
    let sheet = xlsx_rows(bytes_of(app.get(&format!("{download}?format=xlsx")).await).await);
    assert_eq!(sheet[1][1], masked_first);
    let page = app.ok_page("/datasets/hefei-bus-lines").await;
    for i in 0..120 {
        let id = resident_id(i);
        let phone = format!("138{:08}", 10_000_000 + i);
        for (what, text) in [("CSV", &csv), ("JSON", &json), ("page", &page.body)] {
            assert!(
                !text.contains(&id) && !text.contains(&phone),
                "{what} leaks row {i}"
            );
        }
        assert!(
            !sheet.iter().flatten().any(|c| c == &id || c == &phone),
            "XLSX leaks row {i}"
        );
    }
    // The original is gone for good.
    let (status, page) = app.page(&format!("{download}?format=original")).await;
    assert_eq!(status, 400);
    assert!(page.body.contains("已在脱敏后删除"));
    // The field dictionary says the column is masked.
    assert_eq!(page_masked_fields(&app).await, ["身份证号"]);

    // A new version of the same layout keeps the decisions: published masked at once.
    let res = console_upload(
        &b,
        &format!("/console/datasets/hefei-bus-lines/resources/{rid}"),
        "低保名单-12月.csv",
        people_csv(130),
        None,
    )
    .await;
    assert_eq!(res.status(), 303);
    let v2 = finished(&app, rid, 2).await;
    assert_eq!(v2.status, "ready", "{:?}", v2.report);
    let csv = app.text(&download).await;
    assert_eq!(records(csv.as_bytes()).len(), 131);
    assert!(!csv.contains(&resident_id(125)));
    // Version 1 stays downloadable at its own URL.
    let old = app.get(&format!("{download}?version=1")).await;
    assert_eq!(old.status(), 200);
    assert_eq!(records(old.text().await.unwrap().as_bytes()).len(), 121);
    let page = app.ok_page("/datasets/hefei-bus-lines").await;
    assert_eq!(page.count("table.versions tbody tr"), 2);

    // Audited.
    let actions: Vec<String> = kaifang::db::audit::all_in_order(&mut app.conn())
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    for a in [
        "resource.upload",
        "resource.decide",
        "resource.version_ready",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
    }
    let _ = d;
}

async fn page_masked_fields(app: &TestApp) -> Vec<String> {
    let page = app.ok_page("/datasets/hefei-bus-lines").await;
    let names = page.texts("table.fields tbody th");
    let rows = page.texts("table.fields tbody tr");
    names
        .into_iter()
        .zip(rows)
        .filter(|(_, row)| row.contains("已脱敏"))
        .map(|(name, _)| name)
        .collect()
}

/// Percent-encodes a query-string component.
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

async fn an_administrator_may_override_with_a_reason(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let (b, _, _) = setup(&app).await;
    app.account("admin@ah.gov.cn", Role::Admin, None);
    let admin = app.logged_in("admin@ah.gov.cn").await;
    let res = console_upload(
        &b,
        "/console/datasets/hefei-bus-lines/resources",
        "名单.csv",
        people_csv(5),
        None,
    )
    .await;
    let (rid, _) = version_of(&location(&res));
    let v = finished(&app, rid, 1).await;
    assert_eq!(v.status, "blocked");

    let page = admin.page("/admin/uploads").await.1;
    assert!(page.text("main").contains("身份证号"));
    let path = format!("/admin/uploads/{}/override", v.id);
    let res = admin.post(&path, &[("reason", "太短")]).await;
    assert_eq!(res.status(), 400);
    let page = crate::helpers::Page::new(res.text().await.unwrap());
    assert_eq!(
        page.attrs(&format!("#reason-{}", v.id), "value"),
        ["太短"],
        "kept what was typed"
    );
    assert_eq!(finished(&app, rid, 1).await.status, "blocked");
    // A publisher cannot override.
    assert_eq!(
        b.post(&path, &[("reason", "依据当事人书面同意公开")])
            .await
            .status(),
        403
    );

    let reason = "依据当事人书面同意及《安徽省政务数据资源管理办法》第十九条公开";
    let res = admin.post(&path, &[("reason", reason)]).await;
    assert_eq!(res.status(), 303);
    let v = finished(&app, rid, 1).await;
    assert_eq!(v.status, "ready", "{:?}", v.report);
    assert_eq!(v.override_reason.as_deref(), Some(reason));
    let csv = app
        .text(&format!(
            "/datasets/hefei-bus-lines/resources/{rid}/download"
        ))
        .await;
    assert!(
        csv.contains(&resident_id(0)),
        "published as is, by decision"
    );
    let events = kaifang::db::audit::all_in_order(&mut app.conn()).unwrap();
    let e = events
        .iter()
        .find(|e| e.action == "resource.pii_override")
        .expect("the override is audited");
    assert!(e.details.contains(reason));
}

async fn closed_data_with_personal_data_cannot_be_opened(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let dept = app.department("hefei-civil", "合肥市民政局", "340100");
    let publisher = app.account("civil@hefei.gov.cn", Role::Publisher, Some("hefei-civil"));
    let key = app.api_key(publisher.id);
    let d = DatasetBuilder::new("hefei-aid", "合肥市低保名单", &dept)
        .closed("《中华人民共和国个人信息保护法》第二十八条")
        .insert(&app);
    let (_, v) = crate::helpers::ingest_file(&app, &d, "名单", "名单.csv", &people_csv(10));
    assert_eq!(v.status, "ready", "closed data is kept as uploaded");
    let res = app
        .client
        .patch(format!("{}/api/v1/datasets/hefei-aid", app.address))
        .bearer_auth(&key)
        .json(&serde_json::json!({
            "open_class": "unconditional",
            "legal_basis": null,
            "reason": "拟向社会开放"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let body: serde_json::Value = res.json().await.unwrap();
    assert!(
        body["error"]["fields"]["open_class"]
            .as_str()
            .unwrap()
            .contains("未脱敏的个人信息"),
        "{body}"
    );
    let d = kaifang::db::datasets::all_with_slug(&mut app.conn(), "hefei-aid")
        .map(|mut v| v.pop())
        .unwrap()
        .unwrap();
    assert_eq!(d.open_class, kaifang::domain::OpenClass::Closed);
}

async fn malformed_uploads_leave_the_previous_version_served(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |s| s.uploads.max_bytes = 3 << 20).await else {
        return;
    };
    let (b, key, _) = setup(&app).await;
    let good = csv_of(&["编号", "站点", "客流"], 20, |i| {
        vec![
            (i + 1).to_string(),
            format!("站点{i}"),
            (i * 10).to_string(),
        ]
    });
    let res = console_upload(
        &b,
        "/console/datasets/hefei-bus-lines/resources",
        "站点.csv",
        good.clone(),
        None,
    )
    .await;
    let (rid, _) = version_of(&location(&res));
    assert_eq!(finished(&app, rid, 1).await.status, "ready");
    let resource_page = format!("/console/datasets/hefei-bus-lines/resources/{rid}");
    let download = format!("/datasets/hefei-bus-lines/resources/{rid}/download");
    let served = app.text(&download).await;
    let still_served = || async {
        assert_eq!(app.text(&download).await, served);
        let r = resources::by_id(&mut app.conn(), rid).unwrap().unwrap();
        let v1 = versions::by_number(&mut app.conn(), rid, 1)
            .unwrap()
            .unwrap();
        assert_eq!(r.current_version_id, Some(v1.id));
    };

    // A broken quote at data row 70,001 (line 70,002 of the file).
    let mut broken = String::from("编号,站点,客流\n");
    for i in 1..=70_000 {
        broken.push_str(&format!("{i},站点{i},{}\n", i % 500));
    }
    broken.push_str("70001,\"未闭合的引号,3\n");
    for i in 70_002..=70_100 {
        broken.push_str(&format!("{i},站点{i},{}\n", i % 500));
    }
    let res = console_upload(&b, &resource_page, "站点.csv", broken.into_bytes(), None).await;
    assert_eq!(res.status(), 303);
    let v = finished(&app, rid, 2).await;
    assert_eq!(v.status, "failed");
    let page = b.page(&location(&res)).await.1;
    let report = page.text("table.report");
    assert!(report.contains("第 70002 行"), "{report}");
    assert!(report.contains("未闭合的引号"), "{report}");
    still_served().await;
    assert!(
        !kaifang::db::datastore::table_exists(
            &mut app.conn(),
            &kaifang::db::datastore::table_name(v.id)
        )
        .unwrap(),
        "the half-loaded table is gone"
    );

    // Over the limit: refused while it streams, nothing stored, the form says why.
    let big = vec![b'a'; (3 << 20) + 1];
    let res = console_upload(&b, &resource_page, "大文件.csv", big.clone(), None).await;
    assert_eq!(res.status(), 413);
    let page = crate::helpers::Page::new(res.text().await.unwrap());
    assert!(
        page.text("#f-file-error").contains("超过上传上限 3.0 MB"),
        "{}",
        page.text("#f-file-error")
    );
    let res = app
        .client
        .post(format!(
            "{}/api/v1/datasets/hefei-bus-lines/resources?name=big.csv",
            app.address
        ))
        .bearer_auth(&key)
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "too_large");
    let scratch = app.settings.files_dir().join(".tmp");
    assert_eq!(
        std::fs::read_dir(&scratch).map(|d| d.count()).unwrap_or(0),
        0,
        "no scratch left"
    );

    // Empty: refused at once.
    let res = console_upload(&b, &resource_page, "空.csv", Vec::new(), None).await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("上传的文件是空的"));

    // Binary content named .csv, and a header without rows: failed versions with a report.
    let mut binary = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    binary.extend((0..4000u32).map(|i| (i * 7 % 256) as u8));
    let res = console_upload(&b, &resource_page, "照片.csv", binary, None).await;
    assert_eq!(res.status(), 303);
    let v = finished(&app, rid, 3).await;
    assert_eq!(v.status, "failed");
    assert!(
        v.report.as_deref().unwrap().contains("二进制"),
        "{:?}",
        v.report
    );
    let res = console_upload(
        &b,
        &resource_page,
        "表头.csv",
        "编号,站点,客流\n".into(),
        None,
    )
    .await;
    assert_eq!(res.status(), 303);
    let v = finished(&app, rid, 4).await;
    assert_eq!(v.status, "failed");
    assert!(
        v.report.as_deref().unwrap().contains("只有表头"),
        "{:?}",
        v.report
    );
    still_served().await;

    // The API names what is missing.
    let res = app
        .client
        .post(format!(
            "{}/api/v1/datasets/hefei-bus-lines/resources",
            app.address
        ))
        .bearer_auth(&key)
        .body(good)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let body: serde_json::Value = res.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("?name=")
    );
    // And the resource page lists every attempt with its status.
    let page = b.page(&resource_page).await.1;
    assert_eq!(page.count("table.versions tbody tr"), 4);
    still_served().await;
}

async fn the_row_api_filters_with_types_and_refuses_what_it_cannot_check(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let dept = app.department("hefei-transport", "合肥市交通运输局", "340100");
    let user = app.account("dev@example.cn", Role::User, None);
    let key = app.api_key(user.id);
    let d = DatasetBuilder::new("hefei-bus-lines", "合肥市公交线路", &dept).insert(&app);
    let csv = csv_of(&["线路", "票价", "开通日期", "空调"], 100, |i| {
        vec![
            format!("{}路", i + 1),
            format!("{}", 1.0 + (i % 4) as f64 * 0.5),
            format!("2020-{:02}-{:02}", 1 + i % 12, 1 + i % 28),
            if i % 3 == 0 { "是" } else { "否" }.to_owned(),
        ]
    });
    let (r, _) = crate::helpers::ingest_file(&app, &d, "线路", "线路.csv", &csv);
    let rows = |query: &str| {
        let url = format!(
            "{}/api/v1/datasets/hefei-bus-lines/resources/{}/rows?{query}",
            app.address, r.id
        );
        let req = app.client.get(url).bearer_auth(&key);
        async move {
            let res = req.send().await.unwrap();
            let status = res.status().as_u16();
            (status, res.json::<serde_json::Value>().await.unwrap())
        }
    };

    let (status, body) = rows("limit=10").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["total"], 100);
    assert_eq!(body["records"].as_array().unwrap().len(), 10);
    assert_eq!(body["fields"][1]["type"], "decimal");
    assert_eq!(body["records"][0]["线路"], "1路");
    assert_eq!(body["records"][0]["票价"], 1.0);
    assert_eq!(body["records"][0]["空调"], true);

    // Typed filters: the count is what the data says.
    let expected = (0..100)
        .filter(|i| 1.0 + (i % 4) as f64 * 0.5 >= 2.0)
        .count();
    let (_, body) = rows(&format!("{}=2&limit=1", enc("票价__gte"))).await;
    assert_eq!(body["total"], expected);
    let (_, body) = rows(&format!(
        "{}=true&{}={}",
        enc("空调"),
        enc("开通日期__lt"),
        "2020-02-01"
    ))
    .await;
    let expected = (0..100).filter(|i| i % 3 == 0 && 1 + i % 12 == 1).count();
    assert_eq!(body["total"], expected);
    let (_, body) = rows(&format!("sort={}&limit=1", enc("票价:desc,线路:asc"))).await;
    assert_eq!(body["records"][0]["票价"], 2.5);
    assert_eq!(body["records"][0]["线路"], "100路");
    let (_, body) = rows(&format!("q={}", enc("99路"))).await;
    assert_eq!(body["total"], 1);
    let (_, body) = rows("limit=5&offset=98").await;
    assert_eq!(body["records"].as_array().unwrap().len(), 2);
    // A value is only ever a value.
    let (status, body) = rows(&format!("{}={}", enc("线路"), enc("' OR 1=1 --"))).await;
    assert_eq!((status, body["total"].clone()), (200, serde_json::json!(0)));

    // The form of the query is a 400; a field the resource lacks, or a value not of its
    // field's type, a 422 (it depends on the data, so the OpenAPI document cannot say it).
    for (bad, want) in [
        (format!("{}=1", enc("不存在")), 422),
        (format!("{}=1", enc("票价__like")), 400),
        (format!("{}={}", enc("票价"), enc("两元")), 422),
        (format!("{}={}", enc("开通日期__gte"), enc("去年")), 422),
        (format!("{}=1", enc("票价;DROP TABLE users")), 422),
        (format!("sort={}", enc("票价:up")), 400),
        (format!("sort={}", enc("密码")), 422),
        ("limit=10001".to_owned(), 400),
        ("limit=0".to_owned(), 400),
        ("offset=-1".to_owned(), 400),
        ("version=abc".to_owned(), 400),
    ] {
        let (status, body) = rows(&bad).await;
        assert_eq!(status, want, "{bad}: {body}");
        let code = if want == 400 {
            "bad_request"
        } else {
            "unprocessable"
        };
        assert_eq!(body["error"]["code"], code, "{bad}");
        assert!(!body["error"]["message"].as_str().unwrap().is_empty());
    }
    let (status, _) = rows("limit=10000").await;
    assert_eq!(status, 200);
    let (status, body) = rows("version=2").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
    assert!(
        kaifang::db::users::by_id(&mut app.conn(), user.id).is_ok(),
        "the users table is still there"
    );
}
