//! Hostile uploads (issue 16, findings 2 and 4): files made to exhaust memory or to smuggle
//! personal data past the scan, sent by a publisher through the real API while the server keeps
//! answering.

use std::io::Write;
use std::time::{Duration, Instant};

use kaifang::db::versions;
use kaifang::domain::Role;

use crate::both_backends;
use crate::helpers::{Backend, DatasetBuilder, TestApp, resident_id};

both_backends!(
    hostile_files_fail_cleanly_while_the_server_keeps_answering,
    every_sheet_is_scanned_and_long_numbers_are_read_exactly,
);

/// A minimal XLSX: each sheet as (name, hidden, sheetData XML).
pub fn xlsx(sheets: &[(&str, bool, String)]) -> Vec<u8> {
    xlsx_with(sheets, &[])
}

/// [`xlsx`] with more parts in the archive (name, content).
pub fn xlsx_with(sheets: &[(&str, bool, String)], extra: &[(&str, String)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    let mut put = |name: &str, body: &str| {
        zip.start_file(name, opts).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    };
    let overrides: String = (1..=sheets.len())
        .map(|i| format!(r#"<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#))
        .collect();
    put(
        "[Content_Types].xml",
        &format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>{overrides}</Types>"#
        ),
    );
    put(
        "_rels/.rels",
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
    );
    let list: String = sheets
        .iter()
        .enumerate()
        .map(|(i, (name, hidden, _))| {
            let state = if *hidden { r#" state="hidden""# } else { "" };
            format!(
                r#"<sheet name="{name}" sheetId="{}"{state} r:id="rId{}"/>"#,
                i + 1,
                i + 1
            )
        })
        .collect();
    put(
        "xl/workbook.xml",
        &format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>{list}</sheets></workbook>"#
        ),
    );
    let rels: String = (1..=sheets.len())
        .map(|i| format!(r#"<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i}.xml"/>"#))
        .collect();
    put(
        "xl/_rels/workbook.xml.rels",
        &format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>"#
        ),
    );
    for (i, (_, _, data)) in sheets.iter().enumerate() {
        put(
            &format!("xl/worksheets/sheet{}.xml", i + 1),
            &format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{data}</sheetData></worksheet>"#
            ),
        );
    }
    for (name, body) in extra {
        zip.start_file(*name, opts).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn text(r: &str, s: &str) -> String {
    format!(r#"<c r="{r}" t="inlineStr"><is><t>{s}</t></is></c>"#)
}

async fn upload(app: &TestApp, key: &str, name: &str, body: Vec<u8>) -> i32 {
    let res = app
        .client
        .post(format!(
            "{}/api/v1/datasets/bus-lines/resources?name={name}",
            app.address
        ))
        .bearer_auth(key)
        .header("content-type", "application/octet-stream")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "{name}");
    let body: serde_json::Value = res.json().await.unwrap();
    body["resource"]["id"].as_i64().unwrap() as i32
}

async fn finished(app: &TestApp, rid: i32, healthz: &mut Vec<Duration>) -> versions::Version {
    let started = Instant::now();
    loop {
        let t = Instant::now();
        let res = app
            .client
            .get(format!("{}/healthz", app.address))
            .timeout(Duration::from_secs(5))
            .send()
            .await
            .expect("the server keeps answering");
        assert!(res.status().is_success(), "/healthz: {}", res.status());
        healthz.push(t.elapsed());
        let v = versions::by_number(&mut app.conn(), rid, 1)
            .unwrap()
            .unwrap();
        if v.status != "processing" {
            return v;
        }
        assert!(started.elapsed() < Duration::from_secs(120), "ingest ends");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn setup(backend: Backend) -> Option<(TestApp, String)> {
    let app = TestApp::spawn(backend).await?;
    let dept = app.department("hefei-transport", "合肥市交通运输局", "340100");
    let p = app.account(
        "staff@hefei.gov.cn",
        Role::Publisher,
        Some("hefei-transport"),
    );
    DatasetBuilder::new("bus-lines", "合肥市公交线路", &dept).insert(&app);
    let key = app.api_key(p.id);
    Some((app, key))
}

async fn hostile_files_fail_cleanly_while_the_server_keeps_answering(backend: Backend) {
    let Some((app, key)) = setup(backend).await else {
        return;
    };
    let mut healthz = Vec::new();
    // 1. Two cells, A1 and XFD1048576: calamine once allocated 512 GiB for the range between.
    let sparse = xlsx(&[(
        "Sheet1",
        false,
        format!(
            r#"<row r="1">{}</row><row r="1048576">{}</row>"#,
            text("A1", "线路"),
            text("XFD1048576", "x")
        ),
    )]);
    assert!(sparse.len() < 4096, "a small file: {} bytes", sparse.len());
    let rid = upload(&app, &key, "sparse.xlsx", sparse).await;
    let v = finished(&app, rid, &mut healthz).await;
    assert_eq!(v.status, "failed");
    let report = kaifang::services::ingest::problems_of(&v);
    assert!(
        report.iter().any(|p| p.reason.contains("XFD1048576")),
        "the report names the cell: {report:?}"
    );
    // 2. A 100 MB single cell in a CSV.
    let mut big = "线路,备注\n1路,".as_bytes().to_vec();
    big.resize(big.len() + (100 << 20), b'x');
    big.extend_from_slice("\n2路,ok\n".as_bytes());
    let rid = upload(&app, &key, "big.csv", big).await;
    let v = finished(&app, rid, &mut healthz).await;
    assert_eq!(v.status, "failed");
    let report = kaifang::services::ingest::problems_of(&v);
    assert!(
        report
            .iter()
            .any(|p| p.line == 2 && p.reason.contains("128 KiB")),
        "the report names the line and the limit: {report:?}"
    );
    // 3. A PNG that claims 20,000 × 20,000 pixels, as a showcase screenshot.
    app.account("dev@example.cn", Role::User, None);
    let dev = app.logged_in("dev@example.cn").await;
    let t = Instant::now();
    let res = dev
        .post_multipart(
            "/showcase/new",
            &[
                ("title", "合肥公交到站提醒"),
                ("kind", "application"),
                ("description", "根据公交线路数据提醒乘客下车的微信小程序。"),
                ("link", "https://example.cn/bus"),
                ("datasets", "/datasets/bus-lines"),
            ],
            Some((
                "截图.png",
                crate::hostile_images::claimed_png(20_000, 20_000),
            )),
        )
        .await;
    assert_eq!(res.status(), 400);
    healthz.push(t.elapsed());
    // The server answered throughout, each time within a second.
    assert!(healthz.len() >= 3);
    let worst = healthz.iter().max().unwrap();
    assert!(
        *worst < Duration::from_secs(1),
        "slowest /healthz during the uploads: {worst:?}"
    );
    assert!(app.get("/healthz").await.status().is_success());
}

async fn every_sheet_is_scanned_and_long_numbers_are_read_exactly(backend: Backend) {
    let Some((app, key)) = setup(backend).await else {
        return;
    };
    let mut healthz = Vec::new();
    // A clean first sheet and a hidden second one full of resident IDs and mobiles.
    let hidden: String = (0..20)
        .map(|i| {
            format!(
                r#"<row r="{r}">{}{}</row>"#,
                text(&format!("A{}", i + 1), &resident_id(i)),
                text(&format!("B{}", i + 1), &format!("138{:08}", 10_000_000 + i)),
                r = i + 1
            )
        })
        .collect();
    let book = xlsx(&[
        (
            "线路",
            false,
            format!(
                r#"<row r="1">{}{}</row><row r="2">{}<c r="B2"><v>2</v></c></row>"#,
                text("A1", "线路"),
                text("B1", "票价"),
                text("A2", "1路")
            ),
        ),
        ("名单", true, hidden),
    ]);
    let rid = upload(&app, &key, "lines.xlsx", book).await;
    let v = finished(&app, rid, &mut healthz).await;
    assert_eq!(v.status, "ready", "{:?}", v.report);
    let findings = kaifang::services::ingest::findings_of(&v);
    assert!(
        findings
            .iter()
            .any(|f| f.sheet.as_deref() == Some("名单") && f.name.contains("隐藏")),
        "the hidden sheet was scanned: {findings:?}"
    );
    // The data is served; the original, which holds the hidden sheet, is not.
    let base = format!("/datasets/bus-lines/resources/{rid}/download");
    assert_eq!(app.get(&base).await.status(), 200);
    let original = app.get(&format!("{base}?format=original")).await;
    assert_eq!(original.status(), 400, "refused, saying why");
    assert!(original.text().await.unwrap().contains("个人信息"));
    let page = app.ok_page("/datasets/bus-lines").await;
    assert!(
        !page.body.contains("format=original"),
        "no link to it either"
    );

    // A comment (a part the reader does not scan) holding an ID: the data is served, the
    // original is not.
    let book = xlsx_with(
        &[(
            "线路",
            false,
            format!(
                r#"<row r="1">{}</row><row r="2">{}</row>"#,
                text("A1", "线路"),
                text("A2", "1路")
            ),
        )],
        &[(
            "xl/comments1.xml",
            format!(
                r#"<?xml version="1.0"?><comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><commentList><comment ref="A2"><text><t>联系人 {}</t></text></comment></commentList></comments>"#,
                resident_id(4)
            ),
        )],
    );
    let rid = upload(&app, &key, "comments.xlsx", book).await;
    let v = finished(&app, rid, &mut healthz).await;
    assert_eq!(v.status, "ready", "{:?}", v.report);
    let base = format!("/datasets/bus-lines/resources/{rid}/download");
    assert_eq!(app.get(&base).await.status(), 200);
    let original = app.get(&format!("{base}?format=original")).await;
    assert_eq!(
        original.status(),
        400,
        "unscanned parts keep the original private"
    );

    // An 18-digit ID stored as a number keeps all its digits, and is found.
    let digits_only = (0..)
        .map(resident_id)
        .find(|id| id.bytes().all(|b| b.is_ascii_digit()))
        .unwrap();
    let book = xlsx(&[(
        "Sheet1",
        false,
        format!(
            r#"<row r="1">{}{}</row><row r="2">{}<c r="B2"><v>{digits_only}</v></c></row>"#,
            text("A1", "姓名"),
            text("B1", "证件号"),
            text("A2", "张三")
        ),
    )]);
    let rid = upload(&app, &key, "ids.xlsx", book).await;
    let v = finished(&app, rid, &mut healthz).await;
    assert_eq!(
        v.status, "blocked",
        "the 18 digits were read exactly and found: {:?}",
        v.pii
    );
}
