//! Hostile uploads (security review, finding 5): a screenshot is looked at only once the form
//! is valid and the budget allows it, its header is read before its pixels, nothing reaches the
//! file store for a refused submission, and an attachment is named after what it really is.

use kaifang::domain::Role;
use serde_json::Value;

use crate::both_backends;
use crate::helpers::{Backend, DatasetBuilder, Page, TestApp};
use crate::showcase::png;

both_backends!(
    an_invalid_showcase_form_never_looks_at_the_screenshot,
    a_screenshot_over_the_pixel_cap_is_refused_from_its_header,
    a_spent_budget_stores_no_screenshot,
    an_attachment_is_named_after_its_detected_type,
    review_evidence_is_named_after_its_detected_type,
);

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let mut body = kind.to_vec();
    body.extend_from_slice(data);
    out.extend_from_slice(&body);
    out.extend_from_slice(&crc32(&body).to_be_bytes());
}

/// A PNG whose header claims `w` × `h` RGB pixels, followed by a few KB of zeros (a zlib stream
/// of stored blocks): decoding it would allocate `w × h × 3` bytes before finding the data short.
pub fn claimed_png(w: u32, h: u32) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    let zeros = vec![0u8; 4096];
    let mut z = vec![0x78, 0x01, 0x01];
    z.extend_from_slice(&(zeros.len() as u16).to_le_bytes());
    z.extend_from_slice(&(!(zeros.len() as u16)).to_le_bytes());
    z.extend_from_slice(&zeros);
    // Adler-32 of 4096 zero bytes: a = 1, b = 4096.
    z.extend_from_slice(&((4096u32 << 16) | 1).to_be_bytes());
    chunk(&mut out, b"IDAT", &z);
    chunk(&mut out, b"IEND", &[]);
    out
}

async fn setup(backend: Backend) -> Option<TestApp> {
    let app = TestApp::spawn(backend).await?;
    let a = app.department("dept-a", "合肥市交通运输局", "340100");
    DatasetBuilder::new("bus-lines", "合肥市公交线路", &a).insert(&app);
    app.account("dev@example.cn", Role::User, None);
    Some(app)
}

fn fields(title: &'static str) -> Vec<(&'static str, &'static str)> {
    vec![
        ("title", title),
        ("kind", "application"),
        ("description", "根据公交线路数据提醒乘客下车的微信小程序。"),
        ("link", "https://example.cn/bus"),
        ("datasets", "/datasets/bus-lines"),
    ]
}

fn items(app: &TestApp) -> usize {
    kaifang::db::showcase::in_status(&mut app.conn(), "pending")
        .unwrap()
        .len()
}

async fn an_invalid_showcase_form_never_looks_at_the_screenshot(backend: Backend) {
    let Some(app) = setup(backend).await else {
        return;
    };
    let dev = app.logged_in("dev@example.cn").await;
    let files = app.stored_files();
    // A good screenshot in a form without a title: 400, the input kept, nothing stored.
    let res = dev
        .post_multipart(
            "/showcase/new",
            &fields(""),
            Some(("截图.png", png(1200, 700))),
        )
        .await;
    assert_eq!(res.status(), 400);
    let page = Page::new(res.text().await.unwrap());
    assert!(page.text("#error-summary").contains("名称"));
    assert_eq!(page.attrs("#f-link", "value"), ["https://example.cn/bus"]);
    assert!(page.text("#f-description").contains("提醒乘客下车"));
    assert_eq!(app.stored_files(), files, "an invalid form stores nothing");
    // A header claiming 20,000 × 20,000 pixels in a form without a title: only the title is
    // wrong; the image was not looked at (nor decoded, which would have cost 1.2 GB).
    let res = dev
        .post_multipart(
            "/showcase/new",
            &fields(""),
            Some(("巨图.png", claimed_png(20_000, 20_000))),
        )
        .await;
    assert_eq!(res.status(), 400);
    let page = Page::new(res.text().await.unwrap());
    let summary = page.text("#error-summary");
    assert!(summary.contains("名称"), "{summary}");
    assert!(
        !summary.contains("像素"),
        "the image was looked at: {summary}"
    );
    assert_eq!(page.count("#f-file-error"), 0, "{summary}");
    assert_eq!(app.stored_files(), files);
    assert_eq!(items(&app), 0);
}

async fn a_screenshot_over_the_pixel_cap_is_refused_from_its_header(backend: Backend) {
    let Some(app) = setup(backend).await else {
        return;
    };
    let dev = app.logged_in("dev@example.cn").await;
    let files = app.stored_files();
    // 20,000 × 20,000 and 5,000 × 5,000 (25 MP, each side allowed): both over the cap.
    for (w, h) in [(20_000, 20_000), (5_000, 5_000)] {
        let res = dev
            .post_multipart(
                "/showcase/new",
                &fields("合肥公交到站提醒"),
                Some(("巨图.png", claimed_png(w, h))),
            )
            .await;
        assert_eq!(res.status(), 400, "{w}×{h}");
        let page = Page::new(res.text().await.unwrap());
        let message = page.text("#f-file-error");
        assert!(
            message.contains("像素") && message.contains("请缩小后再上传"),
            "{w}×{h}: {message}"
        );
        assert_eq!(page.attrs("#f-title", "value"), ["合肥公交到站提醒"]);
    }
    assert_eq!(app.stored_files(), files, "nothing stored");
    assert_eq!(items(&app), 0);
    assert_eq!(app.get("/healthz").await.status(), 200);
    // A reasonable screenshot still goes through, resized and stored once.
    let res = dev
        .post_multipart(
            "/showcase/new",
            &fields("合肥公交到站提醒"),
            Some(("截图.png", png(1600, 900))),
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.stored_files(), files + 1);
    assert_eq!(items(&app), 1);
}

async fn a_spent_budget_stores_no_screenshot(backend: Backend) {
    let Some(app) = setup(backend).await else {
        return;
    };
    let budget = kaifang::services::showcase::DAILY_BUDGET as usize;
    let dev = app.logged_in("dev@example.cn").await;
    for _ in 1..budget {
        let res = dev
            .post_multipart("/showcase/new", &fields("合肥公交到站提醒"), None)
            .await;
        assert_eq!(res.status(), 303);
    }
    // One left, three at once, each with its own screenshot: one is accepted; the others are
    // refused before their screenshot is decoded, or after (then it leaves the store again).
    let files = app.stored_files();
    let form = fields("合肥公交到站提醒");
    let sizes = [(1600, 900), (1601, 900), (1602, 900)];
    let answers =
        futures_util::future::join_all(sizes.map(|(w, h)| {
            dev.post_multipart("/showcase/new", &form, Some(("截图.png", png(w, h))))
        }))
        .await;
    let mut statuses: Vec<u16> = answers.iter().map(|r| r.status().as_u16()).collect();
    statuses.sort();
    assert_eq!(statuses, [303, 429, 429]);
    assert_eq!(items(&app), budget);
    assert_eq!(app.stored_files(), files + 1, "no orphan");
    // Spent: refused before the screenshot is looked at.
    let files = app.stored_files();
    let res = dev
        .post_multipart(
            "/showcase/new",
            &fields("合肥公交到站提醒"),
            Some(("截图.png", png(1600, 800))),
        )
        .await;
    assert_eq!(res.status(), 429);
    assert_eq!(
        app.stored_files(),
        files,
        "a refused submission leaves no file"
    );
    // Not even a header that would be refused is looked at: the budget answers first.
    let res = dev
        .post_multipart(
            "/showcase/new",
            &fields("合肥公交到站提醒"),
            Some(("巨图.png", claimed_png(20_000, 20_000))),
        )
        .await;
    assert_eq!(res.status(), 429);
    assert_eq!(app.stored_files(), files);
    assert_eq!(items(&app), budget);

    // Forgetting a refused screenshot never takes a file something else holds.
    use kaifang::services::showcase::{forget_screenshot, keep_screenshot};
    let store = kaifang::storage::FileStore::new(app.data_dir.path().join("files"));
    let (key, added) = keep_screenshot(&store, b"\xFF\xD8\xFF a refused screenshot").unwrap();
    assert!(added);
    assert_eq!(
        keep_screenshot(&store, b"\xFF\xD8\xFF a refused screenshot").unwrap(),
        (key.clone(), false),
        "already there: not this request's to forget"
    );
    forget_screenshot(&mut app.conn(), &store, &key).unwrap();
    assert_eq!(app.stored_files(), files);
    let shown = kaifang::db::showcase::in_status(&mut app.conn(), "pending")
        .unwrap()
        .into_iter()
        .find_map(|i| i.screenshot_key)
        .expect("the accepted screenshot");
    forget_screenshot(&mut app.conn(), &store, &shown).unwrap();
    assert!(store.path(&shown).unwrap().exists(), "an item refers to it");
}

async fn an_attachment_is_named_after_its_detected_type(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let a = app.department("dept-a", "合肥市应急管理局", "340100");
    let pa = app.account("pa@hefei.gov.cn", Role::Publisher, Some("dept-a"));
    app.emergency("chaohu-flood", "巢湖流域洪涝灾害", &a);
    let key = app.api_key(pa.id);
    let b = app.logged_in("pa@hefei.gov.cn").await;
    // From the console: a PDF named like a web page, and a PNG without an extension.
    let pdf = b"%PDF-1.7\n1 0 obj\n".to_vec();
    let res = b
        .post_multipart(
            "/console/emergencies/chaohu-flood",
            &[("text", "今晨 6 时巢湖水位回落。")],
            Some(("防汛通报.html", pdf.clone())),
        )
        .await;
    assert_eq!(res.status(), 303);
    let res = b
        .post_multipart(
            "/console/emergencies/chaohu-flood",
            &[("text", "受灾范围图。")],
            Some(("受灾范围图", png(40, 30))),
        )
        .await;
    assert_eq!(res.status(), 303);
    // Through the API: `x.html` holding a PDF.
    let api: Value = app
        .get("/api/v1/emergencies/chaohu-flood")
        .await
        .json()
        .await
        .unwrap();
    let update_id = api["updates"][0]["id"].as_i64().unwrap();
    let res = app
        .client
        .post(format!(
            "{}/api/v1/emergencies/chaohu-flood/updates/{update_id}/attachments?name=x.html",
            app.address
        ))
        .bearer_auth(&key)
        .body(pdf.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["attachment"]["name"], "x.pdf");
    assert_eq!(body["attachment"]["media_type"], "application/pdf");
    // Every channel offers the corrected names.
    let api: Value = app
        .get("/api/v1/emergencies/chaohu-flood")
        .await
        .json()
        .await
        .unwrap();
    let mut names: Vec<String> = api["updates"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|u| u["attachments"].as_array().unwrap().clone())
        .map(|a| a["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["x.pdf", "受灾范围图.png", "防汛通报.pdf"]);
    let page = app.ok_page("/emergencies/chaohu-flood").await;
    let mut shown = page.texts(".attachments a:not(:has(img))");
    shown.sort();
    assert_eq!(
        shown,
        ["附件：x.pdf", "附件：受灾范围图.png", "附件：防汛通报.pdf"]
    );
    let feed = app.text("/emergencies/chaohu-flood/feed.atom").await;
    assert!(feed.contains("title=\"x.pdf\""), "{feed}");
    assert!(!feed.contains(".html"), "{feed}");
    // The download says `.pdf` too, in both of its names.
    let url = body["attachment"]["url"].as_str().unwrap();
    let res = app.get(url).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let disposition = res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.contains("filename*=UTF-8''x.pdf"),
        "{disposition}"
    );
    assert!(
        disposition.contains(".pdf\";") || disposition.contains(".pdf;"),
        "{disposition}"
    );
    assert!(!disposition.contains("html"), "{disposition}");
}

async fn review_evidence_is_named_after_its_detected_type(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let a = app.department("dept-a", "合肥市交通运输局", "340100");
    DatasetBuilder::new("bus-lines", "合肥市公交线路", &a).insert(&app);
    app.account("pa@hefei.gov.cn", Role::Publisher, Some("dept-a"));
    app.account("citizen@example.cn", Role::User, None);
    let citizen = app.logged_in("citizen@example.cn").await;
    let res = citizen
        .post_multipart(
            "/datasets/bus-lines/feedback",
            &[("description", "1路票价写成了 2 元，公交集团公告为 1 元")],
            Some(("票价公告.html", b"%PDF-1.7\n%evidence".to_vec())),
        )
        .await;
    assert_eq!(res.status(), 303);
    let id: i32 = crate::helpers::location(&res)
        .strip_prefix("/feedback/")
        .and_then(|s| s.parse().ok())
        .unwrap();
    let review = kaifang::db::reviews::by_id(&mut app.conn(), id)
        .unwrap()
        .unwrap();
    assert_eq!(review.evidence_name.as_deref(), Some("票价公告.pdf"));
    let pa = app.logged_in("pa@hefei.gov.cn").await;
    let res = pa.get(&format!("/console/feedback/{id}/evidence")).await;
    assert_eq!(res.status(), 200);
    let disposition = res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(!disposition.contains("html"), "{disposition}");
    assert!(disposition.contains(".pdf"), "{disposition}");
}
