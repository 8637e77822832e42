//! The emergency zone (issue 8): updates posted through the API reach the event page, the JSON
//! API, the Atom feeds and the page's live stream; only the responsible department may post, and
//! malformed updates change nothing.

use std::time::Duration;

use kaifang::domain::{EventCategory, Role};
use kaifang::services::Actor;
use kaifang::services::emergencies::{self, EventInput};
use serde_json::{Value, json};

use crate::both_backends;
use crate::helpers::{Backend, DatasetBuilder, TestApp};

both_backends!(
    an_update_reaches_the_page_the_api_and_the_feeds,
    only_the_responsible_department_posts_and_bad_updates_change_nothing,
    a_publisher_posts_from_the_console_and_closes_the_event,
    an_administrator_declares_an_event,
    an_update_carries_attachments_to_the_page_the_api_and_the_feed,
    a_linked_dataset_is_fast_tracked_and_reviewed_afterwards,
);

async fn an_administrator_declares_an_event(backend: Backend) {
    let Some(z) = zone(backend).await else {
        return;
    };
    let app = &z.app;
    app.account("admin@ah.gov.cn", Role::Admin, None);
    let admin = app.logged_in("admin@ah.gov.cn").await;
    let good = [
        ("title", "合肥市暴雪灾害"),
        ("slug", "hefei-snow"),
        ("category", "natural_disaster"),
        ("level", "4"),
        ("regions", "340100, 340102"),
        ("department", "dept-a"),
        ("summary", "强降雪导致道路结冰。"),
        ("interval", "60"),
        ("datasets", "rainfall rainfall"),
    ];
    // Bad values: 400, each named, what was typed kept, nothing stored.
    let mut bad = good;
    bad[1] = ("slug", "chaohu-flood");
    bad[4] = ("regions", "999999");
    bad[7] = ("interval", "5");
    bad[8] = ("datasets", "no-such-data");
    let res = admin.post("/admin/emergencies", &bad).await;
    assert_eq!(res.status(), 400);
    let page = crate::helpers::Page::new(res.text().await.unwrap());
    let summary = page.text("#error-summary");
    for part in ["已被使用", "999999", "10080", "no-such-data"] {
        assert!(summary.contains(part), "{part} in {summary}");
    }
    assert_eq!(page.attrs("#f-title", "value"), ["合肥市暴雪灾害"]);
    assert_eq!(app.get("/emergencies/hefei-snow").await.status(), 404);
    // Good: declared, linked once to the dataset, audited; the department can post.
    let res = admin.post("/admin/emergencies", &good).await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let one: Value = app
        .get("/api/v1/emergencies/hefei-snow")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(one["status"], "active");
    assert_eq!(one["datasets"].as_array().unwrap().len(), 1);
    assert_eq!(one["regions"], json!(["340100", "340102"]));
    let res = z
        .app
        .client
        .post(format!(
            "{}/api/v1/emergencies/hefei-snow/updates",
            app.address
        ))
        .bearer_auth(&z.own)
        .json(&json!({"text": "道路除雪进展"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
}

async fn a_publisher_posts_from_the_console_and_closes_the_event(backend: Backend) {
    let Some(z) = zone(backend).await else {
        return;
    };
    let app = &z.app;
    let b = app.logged_in("pa@hefei.gov.cn").await;
    let (status, list) = b.page("/console/emergencies").await;
    assert_eq!(status, 200);
    assert!(list.text("main").contains("巢湖流域洪涝灾害"));
    let form = "/console/emergencies/chaohu-flood";
    assert_eq!(b.page(form).await.0, 200);
    // Row 0 is fine, row 2 has a bad number: 400, the error points at row 2, input kept.
    let res = b
        .post(
            form,
            &[
                ("text", "堤防巡查发现管涌，已处置。"),
                ("name_0", "转移安置人数"),
                ("value_0", "2400"),
                ("unit_0", "人"),
                ("name_2", "降雨量"),
                ("value_2", "很大"),
                ("unit_2", "mm"),
            ],
        )
        .await;
    assert_eq!(res.status(), 400);
    let page = crate::helpers::Page::new(res.text().await.unwrap());
    assert!(page.text("#error-summary").contains("不是数值"));
    assert_eq!(
        page.attrs("#error-summary a", "href"),
        ["#f-indicators[2].value"]
    );
    assert_eq!(page.text("#f-text"), "堤防巡查发现管涌，已处置。");
    assert_eq!(page.attrs("input[name=value_2]", "value"), ["很大"]);
    assert_eq!(updates_in_db(&z), 0);
    // Corrected: published, and the reader is sent to the update on the public page.
    let res = b
        .post(
            form,
            &[
                ("text", "堤防巡查发现管涌，已处置。"),
                ("name_0", "转移安置人数"),
                ("value_0", "2400"),
                ("unit_0", "人"),
                ("name_2", "降雨量"),
                ("value_2", "12.5"),
                ("unit_2", "mm"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert!(crate::helpers::location(&res).starts_with("/emergencies/chaohu-flood#update-"));
    assert_eq!(updates_in_db(&z), 1);
    let public = app.ok_page("/emergencies/chaohu-flood").await;
    assert!(public.text("#live-root").contains("2400"));
    // Another department's publisher cannot open the form.
    let other = app.logged_in("pb@wuhu.gov.cn").await;
    assert_eq!(other.page(form).await.0, 403);
    // Closing moves it to the archive.
    let res = b.post("/console/emergencies/chaohu-flood/close", &[]).await;
    assert_eq!(res.status(), 303);
    let (_, one) = {
        let r = app.get("/api/v1/emergencies/chaohu-flood").await;
        (r.status(), r.json::<Value>().await.unwrap())
    };
    assert_eq!(one["status"], "closed");
    assert_eq!(
        b.page(form).await.0,
        200,
        "the form still opens for the record"
    );
    let res = b.post(form, &[("text", "补充")]).await;
    assert_eq!(res.status(), 409, "but a closed event takes no updates");
}

pub(crate) struct Zone {
    pub(crate) app: TestApp,
    /// Keys of a publisher of the responsible department, of another department, of a citizen.
    pub(crate) own: String,
    other: String,
    citizen: String,
}

pub(crate) async fn zone(backend: Backend) -> Option<Zone> {
    let app = TestApp::spawn(backend).await?;
    let a = app.department("dept-a", "合肥市应急管理局", "340100");
    app.department("dept-b", "芜湖市应急管理局", "340200");
    let rain = DatasetBuilder::new("rainfall", "合肥市实时降雨量监测数据", &a).insert(&app);
    let pa = app.account("pa@hefei.gov.cn", Role::Publisher, Some("dept-a"));
    let pb = app.account("pb@wuhu.gov.cn", Role::Publisher, Some("dept-b"));
    let citizen = app.account("citizen@example.cn", Role::User, None);
    let now = app.clock.now();
    let mut conn = app.conn();
    let event = emergencies::create_event(
        &mut conn,
        &EventInput {
            slug: "chaohu-flood".into(),
            title: "巢湖流域洪涝灾害".into(),
            category: EventCategory::NaturalDisaster,
            level: 3,
            regions: vec!["340100".into()],
            department_id: a.id,
            summary: "受持续强降雨影响，巢湖流域部分地区发生洪涝。".into(),
            started_at: now - chrono::Duration::hours(6),
            update_interval_minutes: 60,
            title_en: None,
            summary_en: None,
        },
        now,
        &Actor::cli(),
    )
    .expect("an event");
    kaifang::db::emergencies::link_dataset(&mut conn, event.id, rain.id).unwrap();
    drop(conn);
    Some(Zone {
        own: app.api_key(pa.id),
        other: app.api_key(pb.id),
        citizen: app.api_key(citizen.id),
        app,
    })
}

pub(crate) async fn post(z: &Zone, key: Option<&str>, body: Value) -> (u16, Value) {
    let mut r = z
        .app
        .client
        .post(format!(
            "{}/api/v1/emergencies/chaohu-flood/updates",
            z.app.address
        ))
        .json(&body);
    if let Some(k) = key {
        r = r.bearer_auth(k);
    }
    let res = r.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or_default())
}

fn updates_in_db(z: &Zone) -> i64 {
    use diesel::prelude::*;
    kaifang::db::schema::emergency_updates::table
        .count()
        .get_result(&mut *z.app.conn())
        .unwrap()
}

/// Checks an Atom document: the feed's and every entry's required elements (RFC 4287 §4.1).
fn assert_atom(doc: &str) -> usize {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(doc);
    let mut path: Vec<String> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    let mut entries = 0;
    let mut root_ns = String::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                if path.is_empty() {
                    root_ns = e
                        .attributes()
                        .flatten()
                        .find(|a| a.key.as_ref() == b"xmlns")
                        .map(|a| String::from_utf8_lossy(&a.value).into_owned())
                        .unwrap_or_default();
                }
                if name == "entry" {
                    entries += 1;
                }
                path.push(name);
                seen.push(path.join("/"));
            }
            Event::Empty(e) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                seen.push(format!("{}/{name}", path.join("/")));
            }
            Event::End(_) => {
                path.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(root_ns, "http://www.w3.org/2005/Atom");
    for required in ["feed/id", "feed/title", "feed/updated", "feed/author"] {
        assert!(seen.iter().any(|s| s == required), "{required} in {doc}");
    }
    for required in ["id", "title", "updated"] {
        let n = seen
            .iter()
            .filter(|s| **s == format!("feed/entry/{required}"))
            .count();
        assert_eq!(n, entries, "every entry has {required}");
    }
    entries
}

async fn an_update_reaches_the_page_the_api_and_the_feeds(backend: Backend) {
    let Some(z) = zone(backend).await else {
        return;
    };
    let app = &z.app;
    let page = app.ok_page("/emergencies/chaohu-flood").await;
    assert!(page.text("#live-root").contains("尚未发布更新"));
    // An hour later than the start: not yet overdue (interval 60 min, started 6 h ago → it is).
    assert!(
        page.count(".warning") == 1,
        "no update for 6 hours: overdue"
    );
    for (people, rain) in [("820", "35.5"), ("1250", "12")] {
        let (status, body) = post(
            &z,
            Some(&z.own),
            json!({
                "text": "巢湖水位继续上涨，已转移安置群众。",
                "indicators": [
                    {"name": "转移安置人数", "value": people, "unit": "人", "region": "340102"},
                    {"name": "降雨量", "value": rain.parse::<f64>().unwrap(), "unit": "mm"},
                ],
            }),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        assert!(
            body["url"]
                .as_str()
                .unwrap()
                .starts_with("/emergencies/chaohu-flood#update-")
        );
    }
    let page = app.ok_page("/emergencies/chaohu-flood").await;
    let latest = page.text("#live-root table");
    assert!(
        latest.contains("转移安置人数") && latest.contains("1250"),
        "{latest}"
    );
    assert_eq!(
        page.count("svg polyline.chart-line"),
        2,
        "a chart per indicator"
    );
    assert_eq!(page.count("ol.timeline > li"), 2);
    assert_eq!(page.count(".warning"), 0, "just updated: not overdue");
    assert_eq!(page.attrs("a[href='/datasets/rainfall']", "href").len(), 1);
    // A new CSV for a linked dataset shows on the event page, downloadable.
    let rainfall = kaifang::db::datasets::all_with_slug(&mut app.conn(), "rainfall")
        .map(|mut v| v.pop())
        .unwrap()
        .unwrap();
    let (r, v) = crate::helpers::ingest_file(
        app,
        &rainfall,
        "逐小时降雨量",
        "rain.csv",
        "站点,降雨量\n忠庙,35.5\n".as_bytes(),
    );
    assert_eq!(v.status, "ready");
    let link = format!("/datasets/rainfall/resources/{}/download?format=csv", r.id);
    let page = app.ok_page("/emergencies/chaohu-flood").await;
    assert_eq!(
        page.attrs(&format!("a[href='{link}']"), "href").len(),
        1,
        "{link}"
    );
    assert_eq!(app.get(&link).await.status(), 200);
    // The JSON API.
    let (_, list) = {
        let res = app.get("/api/v1/emergencies").await;
        (res.status().as_u16(), res.json::<Value>().await.unwrap())
    };
    assert_eq!(list["items"][0]["slug"], "chaohu-flood");
    assert_eq!(list["items"][0]["overdue"], false);
    let one: Value = app
        .get("/api/v1/emergencies/chaohu-flood")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(one["updates"].as_array().unwrap().len(), 2);
    assert_eq!(one["series"][0]["indicator"], "转移安置人数");
    assert_eq!(one["series"][0]["points"][1][1], 1250.0);
    // Both Atom feeds parse with the required elements.
    assert_eq!(
        assert_atom(&app.text("/emergencies/chaohu-flood/feed.atom").await),
        2
    );
    assert_eq!(assert_atom(&app.text("/emergencies/feed.atom").await), 2);
    // The banner shows on every page while an event is active (refreshed within seconds).
    let mut banner = false;
    for _ in 0..40 {
        if app.text("/").await.contains("emergency-banner") {
            banner = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(banner, "the site banner");
    // Closing moves it to the archive; its page and data stay.
    emergencies::close_event(
        &mut app.conn(),
        "chaohu-flood",
        app.clock.now(),
        &Actor::cli(),
    )
    .unwrap();
    let index = app.ok_page("/emergencies").await;
    assert!(index.text("body").contains("目前没有进行中的突发事件"));
    assert!(index.text(".event-list").contains("巢湖流域洪涝灾害"));
    assert_eq!(app.get("/emergencies/chaohu-flood").await.status(), 200);
    let (status, _) = post(&z, Some(&z.own), json!({"text": "补充"})).await;
    assert_eq!(status, 409, "a closed event takes no updates");
}

async fn only_the_responsible_department_posts_and_bad_updates_change_nothing(backend: Backend) {
    let Some(z) = zone(backend).await else {
        return;
    };
    let good = json!({"text": "水位回落", "indicators": [{"name": "转移安置人数", "value": 10, "unit": "人"}]});
    assert_eq!(post(&z, None, good.clone()).await.0, 401);
    let (status, body) = post(&z, Some(&z.other), good.clone()).await;
    assert_eq!(status, 403);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("合肥市应急管理局")
    );
    assert_eq!(post(&z, Some(&z.citizen), good.clone()).await.0, 403);
    for (bad, field) in [
        (
            json!({"text": "x", "indicators": [{"name": "水位", "value": 3, "unit": "米"}]}),
            "indicators[0].unit",
        ),
        (
            json!({"text": "x", "indicators": [{"name": "水位", "value": "高", "unit": "m"}]}),
            "indicators[0].value",
        ),
        (json!({"text": "字".repeat(2001)}), "text"),
        (json!({"text": ""}), "text"),
    ] {
        let (status, body) = post(&z, Some(&z.own), bad).await;
        assert_eq!(status, 400, "{body}");
        assert!(
            body["error"]["fields"][field].is_string(),
            "{field}: {body}"
        );
    }
    // A megabyte of text: 400 in the envelope, not a 413 page or a 500.
    let (status, body) = post(&z, Some(&z.own), json!({"text": "a".repeat(1 << 20)})).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], "bad_request");
    let (status, _) = post(&z, Some(&z.own), json!({"text": "x", "colour": "red"})).await;
    assert_eq!(status, 400);
    let (status, _) = post(
        &z,
        Some(&z.own),
        json!({"text": "x", "at": "2099-01-01T00:00:00Z"}),
    )
    .await;
    // A well-formed time outside the event: 422 since issue 19 (JSON Schema cannot say it).
    assert_eq!(status, 422, "figures from the future");
    assert_eq!(updates_in_db(&z), 0, "nothing was stored");
    assert_eq!(post(&z, Some(&z.own), good).await.0, 201);
    assert_eq!(updates_in_db(&z), 1);
}

/// A PNG as far as its first bytes tell.
fn png() -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n".to_vec();
    b.extend_from_slice(b"\0\0\0\rIHDR-a-test-image");
    b
}

fn attachments_in_db(z: &Zone) -> i64 {
    use diesel::prelude::*;
    kaifang::db::schema::emergency_attachments::table
        .count()
        .get_result(&mut *z.app.conn())
        .unwrap()
}

/// An update's files: from the console with the update (checked before anything is kept), and
/// through the API afterwards; shown on the page, in the JSON API and as Atom enclosures.
async fn an_update_carries_attachments_to_the_page_the_api_and_the_feed(backend: Backend) {
    let Some(z) = zone(backend).await else {
        return;
    };
    let app = &z.app;
    let b = app.logged_in("pa@hefei.gov.cn").await;
    let form = "/console/emergencies/chaohu-flood";
    let fields = [
        ("text", "今晨 6 时巢湖水位回落。"),
        ("name_0", "转移安置人数"),
        ("value_0", "1800"),
        ("unit_0", "人"),
    ];
    let files_before = app.stored_files();
    // Not a PDF, PNG or JPEG (an SVG can carry script): 400, the text kept, nothing stored.
    let res = b
        .post_multipart(
            form,
            &fields,
            Some((
                "水位.png",
                b"<svg xmlns='http://www.w3.org/2000/svg'>".to_vec(),
            )),
        )
        .await;
    assert_eq!(res.status(), 400);
    let page = crate::helpers::Page::new(res.text().await.unwrap());
    assert!(
        page.text("#error-summary")
            .contains("附件必须是 PDF、PNG 或 JPEG 文件")
    );
    assert_eq!(page.text("#f-text"), "今晨 6 时巢湖水位回落。");
    // A good file with a bad update: refused too, and the file is not kept.
    let res = b
        .post_multipart(
            form,
            &[
                ("text", ""),
                ("name_0", "转移安置人数"),
                ("value_0", "很多"),
            ],
            Some(("水位.png", png())),
        )
        .await;
    assert_eq!(res.status(), 400);
    // Over 10 MB.
    let mut big = png();
    big.resize(10 * 1024 * 1024 + 1, 0);
    let res = b
        .post_multipart(form, &fields, Some(("大图.png", big)))
        .await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("文件超过上传上限"));
    assert_eq!((updates_in_db(&z), attachments_in_db(&z)), (0, 0));
    assert_eq!(
        app.stored_files(),
        files_before,
        "refused updates leave no file"
    );

    // Accepted: the update and its map.
    let res = b
        .post_multipart(form, &fields, Some(("C:\\地图\\受灾范围图.png", png())))
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!((updates_in_db(&z), attachments_in_db(&z)), (1, 1));
    let page = app.ok_page("/emergencies/chaohu-flood").await;
    assert_eq!(
        page.texts(".attachments a:not(:has(img))"),
        ["附件：受灾范围图.png"]
    );
    assert_eq!(
        page.attrs(".attachments img", "alt"),
        ["附件图片：受灾范围图.png"]
    );
    let href = page.attrs(".attachments img", "src").remove(0);
    let res = app.get(&href).await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("image/png")
    );
    let disposition = res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.contains("filename*=UTF-8''%E5%8F%97%E7%81%BE"),
        "{disposition}"
    );
    assert_eq!(res.bytes().await.unwrap().to_vec(), png());

    // The API adds a PDF to the same update; only the responsible department may.
    let api: Value = app
        .get("/api/v1/emergencies/chaohu-flood")
        .await
        .json()
        .await
        .unwrap();
    let update_id = api["updates"][0]["id"].as_i64().unwrap();
    assert_eq!(
        api["updates"][0]["attachments"][0]["name"],
        "受灾范围图.png"
    );
    assert_eq!(api["updates"][0]["attachments"][0]["url"], href.as_str());
    let attach = |key: Option<&str>, body: Vec<u8>| {
        let mut r = app
            .client
            .post(format!(
                "{}/api/v1/emergencies/chaohu-flood/updates/{update_id}/attachments?name=防汛通报.pdf",
                app.address
            ))
            .body(body);
        if let Some(k) = key {
            r = r.bearer_auth(k.to_owned());
        }
        async move {
            let res = r.send().await.unwrap();
            (
                res.status().as_u16(),
                res.json::<Value>().await.unwrap_or_default(),
            )
        }
    };
    let pdf = b"%PDF-1.7\n1 0 obj\n".to_vec();
    assert_eq!(attach(None, pdf.clone()).await.0, 401);
    assert_eq!(attach(Some(&z.other), pdf.clone()).await.0, 403);
    assert_eq!(attach(Some(&z.citizen), pdf.clone()).await.0, 403);
    let (status, body) = attach(Some(&z.own), b"MZ\x90\0 an executable".to_vec()).await;
    assert_eq!(status, 415);
    assert_eq!(body["error"]["code"], "unsupported_media_type");
    assert_eq!(attachments_in_db(&z), 1);
    let (status, body) = attach(Some(&z.own), pdf.clone()).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["attachment"]["name"], "防汛通报.pdf");
    assert_eq!(body["attachment"]["media_type"], "application/pdf");
    let pdf_url = body["attachment"]["url"].as_str().unwrap().to_owned();
    let res = app.get(&pdf_url).await;
    assert_eq!(
        res.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/pdf")
    );
    // The attachment belongs to this event only.
    let elsewhere = pdf_url.replace("chaohu-flood", "no-such-event");
    assert_eq!(app.get(&elsewhere).await.status(), 404);
    // Five per update.
    for _ in 0..3 {
        assert_eq!(attach(Some(&z.own), pdf.clone()).await.0, 201);
    }
    // A full update is a conflict with its state (409 since issue 19), not a bad request.
    let (status, body) = attach(Some(&z.own), pdf.clone()).await;
    assert_eq!(status, 409);
    assert!(
        body["error"]["fields"]["file"]
            .as_str()
            .unwrap()
            .contains("最多 5 个")
    );
    assert_eq!(app.audited("emergency.attachment").len(), 4);

    // The feed carries them as enclosures.
    let feed = app
        .get("/emergencies/chaohu-flood/feed.atom")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(assert_atom(&feed), 1);
    assert_eq!(feed.matches("rel=\"enclosure\"").count(), 5);
    assert!(feed.contains(&format!("type=\"image/png\" length=\"{}\"", png().len())));
}

/// Fast track: a dataset of the responsible department, linked to the active event, is opened
/// unconditionally at once; the audit log flags it for review and an administrator reviews it.
async fn a_linked_dataset_is_fast_tracked_and_reviewed_afterwards(backend: Backend) {
    let Some(z) = zone(backend).await else {
        return;
    };
    let app = &z.app;
    let a = kaifang::db::departments::by_slug(&mut app.conn(), "dept-a")
        .unwrap()
        .unwrap();
    let b_dept = kaifang::db::departments::by_slug(&mut app.conn(), "dept-b")
        .unwrap()
        .unwrap();
    DatasetBuilder::new("shelters", "合肥市应急避难场所名录", &a)
        .conditional("经申请获批后使用", "《安徽省政务数据资源管理办法》")
        .status(kaifang::domain::DatasetStatus::Draft)
        .insert(app);
    DatasetBuilder::new("wuhu-shelters", "芜湖市应急避难场所名录", &b_dept)
        .status(kaifang::domain::DatasetStatus::Draft)
        .insert(app);
    let b = app.logged_in("pa@hefei.gov.cn").await;
    let console = "/console/emergencies/chaohu-flood";
    let page = b.page(console).await.1;
    assert!(
        page.attrs("#f-link option", "value")
            .contains(&"shelters".to_owned())
    );
    assert!(
        !page
            .attrs("#f-link option", "value")
            .contains(&"wuhu-shelters".to_owned()),
        "only the department's own datasets are offered"
    );
    // Another department's dataset cannot be linked, even by typing its slug.
    let res = b
        .post(&format!("{console}/datasets"), &[("link", "wuhu-shelters")])
        .await;
    assert_eq!(res.status(), 400);
    let res = b
        .post(&format!("{console}/datasets"), &[("link", "shelters")])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.audited("emergency.link").len(), 1);
    // Linked but still a conditional draft: not on the public page.
    let public = app.ok_page("/emergencies/chaohu-flood").await;
    assert!(!public.text("main").contains("应急避难场所"));

    // No reason: 400, nothing changes, the choice is kept.
    let res = b
        .post(
            &format!("{console}/fast-track"),
            &[("dataset", "shelters"), ("reason", " ")],
        )
        .await;
    assert_eq!(res.status(), 400);
    let page = crate::helpers::Page::new(res.text().await.unwrap());
    assert!(page.text("#error-summary").contains("请填写快速发布的理由"));
    assert_eq!(
        page.attrs("#f-dataset option[selected]", "value"),
        ["shelters"]
    );
    assert_eq!(app.get("/datasets/shelters").await.status(), 404);
    // Another department's publisher: 403.
    let other = app.logged_in("pb@wuhu.gov.cn").await;
    let res = other
        .post(
            &format!("{console}/fast-track"),
            &[("dataset", "shelters"), ("reason", "应急需要")],
        )
        .await;
    assert_eq!(res.status(), 403);
    // A dataset that does not exist: 404.
    let res = b
        .post(
            &format!("{console}/fast-track"),
            &[("dataset", "rainfall-missing"), ("reason", "应急需要")],
        )
        .await;
    assert_eq!(res.status(), 404);
    // Personal data is not waived: a closed list of evacuees with resident ID numbers, linked,
    // cannot be fast-tracked.
    let evacuees = DatasetBuilder::new("evacuees", "巢湖流域转移安置人员名单", &a)
        .closed("《中华人民共和国个人信息保护法》第二十八条")
        .insert(app);
    crate::helpers::ingest_file(
        app,
        &evacuees,
        "名单",
        "名单.csv",
        &crate::helpers::people_csv(5),
    );
    let res = b
        .post(&format!("{console}/datasets"), &[("link", "evacuees")])
        .await;
    assert_eq!(res.status(), 303);
    let res = b
        .post(
            &format!("{console}/fast-track"),
            &[("dataset", "evacuees"), ("reason", "便于亲属查询")],
        )
        .await;
    assert_eq!(res.status(), 400);
    let page = crate::helpers::Page::new(res.text().await.unwrap());
    assert!(page.text("#error-summary").contains("未脱敏的个人信息"));
    assert_eq!(page.text("#f-reason"), "便于亲属查询");
    assert_eq!(app.get("/datasets/evacuees").await.status(), 404);
    assert!(app.audited("emergency.fast_track").is_empty());

    // Fast track: open at once.
    let res = b
        .post(
            &format!("{console}/fast-track"),
            &[
                ("dataset", "shelters"),
                ("reason", "群众转移需要查询避难场所"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        crate::helpers::location(&res),
        "/emergencies/chaohu-flood#datasets"
    );
    let api: Value = app
        .get("/api/v1/datasets/shelters")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(api["open_class"], "unconditional", "{api}");
    let public = app.ok_page("/emergencies/chaohu-flood").await;
    assert!(
        public
            .text("#datasets + ul")
            .contains("合肥市应急避难场所名录")
    );
    let flagged = app.audited("emergency.fast_track");
    assert_eq!(flagged.len(), 1);
    assert_eq!(flagged[0]["review"], "pending");
    assert_eq!(flagged[0]["event"], "chaohu-flood");
    assert_eq!(
        flagged[0]["open_class"],
        json!(["conditional", "unconditional"])
    );
    assert_eq!(flagged[0]["status"], json!(["draft", "published"]));
    let history = b.page("/console/datasets/shelters/history").await.1;
    assert!(history.text("main").contains("群众转移需要查询避难场所"));
    // Already open: nothing to fast-track.
    let res = b
        .post(
            &format!("{console}/fast-track"),
            &[("dataset", "shelters"), ("reason", "再次")],
        )
        .await;
    assert_eq!(res.status(), 400);
    assert_eq!(app.audited("emergency.fast_track").len(), 1);

    // The administrator reviews it afterwards.
    app.account("admin@ah.gov.cn", Role::Admin, None);
    let admin = app.logged_in("admin@ah.gov.cn").await;
    let page = admin.page("/admin/emergencies").await.1;
    assert!(
        page.text("#fast-tracks ~ div")
            .contains("合肥市应急避难场所名录")
    );
    assert!(page.text("#fast-tracks ~ div").contains("待复核"));
    let id = flagged[0]["fast_track"].as_i64().unwrap();
    let review = format!("/admin/emergencies/fast-tracks/{id}/review");
    let res = admin.post(&review, &[("note", "")]).await;
    assert_eq!(res.status(), 400);
    let page = crate::helpers::Page::new(res.text().await.unwrap());
    assert!(page.text(".field-error").contains("请填写复核意见"));
    assert!(app.audited("emergency.fast_track_review").is_empty());
    let res = admin
        .post(&review, &[("note", "符合应急公开要求，不含个人信息")])
        .await;
    assert_eq!(res.status(), 303);
    let reviewed = app.audited("emergency.fast_track_review");
    assert_eq!(reviewed.len(), 1);
    assert_eq!(reviewed[0]["fast_track"], id);
    let page = admin.page("/admin/emergencies").await.1;
    assert!(page.text("#fast-tracks ~ div").contains("已复核"));
    assert_eq!(
        admin.post(&review, &[("note", "再次复核")]).await.status(),
        409
    );
    // A publisher cannot review.
    assert_eq!(b.post(&review, &[("note", "自己复核")]).await.status(), 403);

    // Once the event is closed, there is no fast track.
    DatasetBuilder::new("dikes", "合肥市堤防巡查记录", &a)
        .closed("《中华人民共和国保守国家秘密法》")
        .insert(app);
    let res = b
        .post(&format!("{console}/datasets"), &[("link", "dikes")])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(b.post(&format!("{console}/close"), &[]).await.status(), 303);
    let res = b
        .post(
            &format!("{console}/fast-track"),
            &[("dataset", "dikes"), ("reason", "应急需要")],
        )
        .await;
    assert_eq!(res.status(), 409);
    assert_eq!(app.get("/datasets/dikes").await.status(), 404);
}
