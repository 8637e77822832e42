//! The showcase, ratings and comments (issue 9): items are hidden until approved and then
//! appear on the datasets they use; screenshots are checked and resized on the server; dead
//! links are marked; one rating per account; reported comments hidden until reviewed.

use kaifang::domain::Role;

use crate::both_backends;
use crate::helpers::{Backend, DatasetBuilder, Page, TestApp};

both_backends!(
    a_showcase_item_waits_for_approval_and_its_screenshot_is_resized,
    ratings_count_once_and_reported_comments_hide_until_reviewed,
);

/// A real PNG, `w` × `h`.
pub fn png(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

async fn setup(backend: Backend) -> Option<TestApp> {
    let app = TestApp::spawn(backend).await?;
    let a = app.department("dept-a", "合肥市交通运输局", "340100");
    app.department("dept-b", "芜湖市交通运输局", "340200");
    DatasetBuilder::new("bus-lines", "合肥市公交线路", &a).insert(&app);
    DatasetBuilder::new("secret", "合肥市内部数据", &a)
        .closed("《中华人民共和国保守国家秘密法》")
        .insert(&app);
    app.account("dev@example.cn", Role::User, None);
    app.account("other@example.cn", Role::User, None);
    app.account("pa@hefei.gov.cn", Role::Publisher, Some("dept-a"));
    app.account("pb@wuhu.gov.cn", Role::Publisher, Some("dept-b"));
    app.account("admin@ah.gov.cn", Role::Admin, None);
    Some(app)
}

fn showcase_audit(app: &TestApp, action: &str) -> usize {
    app.audited(action).len()
}

async fn a_showcase_item_waits_for_approval_and_its_screenshot_is_resized(backend: Backend) {
    let Some(app) = setup(backend).await else {
        return;
    };
    let dev = app.logged_in("dev@example.cn").await;
    let fields = |link: &'static str, datasets: &'static str| {
        vec![
            ("title", "合肥公交到站提醒"),
            ("kind", "application"),
            ("description", "根据公交线路数据提醒乘客下车的微信小程序。"),
            ("link", link),
            ("datasets", datasets),
        ]
    };
    let files = app.stored_files();
    // Not an image, a script link, a closed dataset: 400, everything typed kept, nothing stored.
    let res = dev
        .post_multipart(
            "/showcase/new",
            &fields("javascript:alert(1)", "/datasets/secret"),
            Some(("截图.png", b"<svg onload=alert(1)>".to_vec())),
        )
        .await;
    assert_eq!(res.status(), 400);
    let page = Page::new(res.text().await.unwrap());
    let summary = page.text("#error-summary");
    assert!(summary.contains("截图"), "{summary}");
    assert!(summary.contains("http://"), "{summary}");
    assert!(
        summary.contains("没有公开的数据集“/datasets/secret”"),
        "{summary}"
    );
    assert_eq!(page.attrs("#f-title", "value"), ["合肥公交到站提醒"]);
    assert_eq!(app.stored_files(), files);
    // Accepted, with a 1600 × 900 screenshot.
    // (The portal itself is not a link the checker may follow: tests/it/ssrf.rs.)
    let link = "https://bus.example.cn/";
    let res = dev
        .post_multipart(
            "/showcase/new",
            &fields(link, "/datasets/bus-lines"),
            Some(("截图.png", png(1600, 900))),
        )
        .await;
    assert_eq!(res.status(), 303);
    let item = kaifang::db::showcase::in_status(&mut app.conn(), "pending")
        .unwrap()
        .remove(0);
    // Hidden until approved: not in the gallery, not on the dataset page, no public screenshot.
    assert!(
        !app.ok_page("/showcase")
            .await
            .text("main")
            .contains("到站提醒")
    );
    assert!(
        !app.ok_page("/datasets/bus-lines")
            .await
            .text("main")
            .contains("到站提醒")
    );
    let shot = format!("/showcase/{}/screenshot", item.id);
    assert_eq!(app.get(&shot).await.status(), 404);
    assert_eq!(dev.get(&shot).await.status(), 200, "the submitter sees it");
    let other = app.logged_in("other@example.cn").await;
    assert_eq!(other.get(&shot).await.status(), 404);
    // Only administrators decide; a rejection needs a reason.
    let decide = format!("/admin/showcase/{}/decide", item.id);
    assert_eq!(
        dev.post(&decide, &[("decision", "approve")]).await.status(),
        403
    );
    let admin = app.logged_in("admin@ah.gov.cn").await;
    let res = admin
        .post(&decide, &[("decision", "reject"), ("reason", "")])
        .await;
    assert_eq!(res.status(), 400);
    assert_eq!(
        admin
            .post(&decide, &[("decision", "approve")])
            .await
            .status(),
        303
    );
    assert_eq!(
        admin
            .post(&decide, &[("decision", "approve")])
            .await
            .status(),
        409
    );
    assert_eq!(showcase_audit(&app, "showcase.approve"), 1);
    // Now public, on the gallery and the dataset's page.
    let gallery = app.ok_page("/showcase").await;
    assert!(gallery.text(".showcase-list").contains("合肥公交到站提醒"));
    let dataset = app.ok_page("/datasets/bus-lines").await;
    assert!(dataset.text(".showcase-uses").contains("合肥公交到站提醒"));
    let res = app.get(&shot).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/jpeg");
    let bytes = res.bytes().await.unwrap();
    let img = image::load_from_memory(&bytes).unwrap();
    assert_eq!(
        (img.width(), img.height()),
        (800, 450),
        "resized on the server"
    );

    // A second item whose link is dead (.invalid never resolves); the checker marks it. Whether
    // the first one answers depends on this machine's network: services::outbound's tests show
    // a link that answers marked alive, against a local server.
    let dead = "https://no-such-host.example.invalid/app";
    let res = dev
        .post_multipart("/showcase/new", &fields(dead, "bus-lines"), None)
        .await;
    assert_eq!(res.status(), 303);
    let second = kaifang::db::showcase::in_status(&mut app.conn(), "pending")
        .unwrap()
        .remove(0);
    let decide = format!("/admin/showcase/{}/decide", second.id);
    assert_eq!(
        admin
            .post(&decide, &[("decision", "approve")])
            .await
            .status(),
        303
    );
    assert_eq!(
        admin
            .post("/admin/showcase/check-links", &[])
            .await
            .status(),
        303
    );
    let status = |id| {
        kaifang::db::showcase::by_id(&mut app.conn(), id)
            .unwrap()
            .unwrap()
            .link_status
    };
    assert_ne!(status(item.id), "unchecked");
    assert_eq!(status(second.id), "dead");
    let gallery = app.ok_page("/showcase").await;
    assert!(
        gallery
            .text(&format!("#showcase-{}", second.id))
            .contains("链接可能已失效")
    );
}

async fn ratings_count_once_and_reported_comments_hide_until_reviewed(backend: Backend) {
    let Some(app) = setup(backend).await else {
        return;
    };
    let dev = app.logged_in("dev@example.cn").await;
    let other = app.logged_in("other@example.cn").await;
    // Anonymous people neither rate nor comment.
    let res = app
        .client
        .post(format!("{}/datasets/bus-lines/rating", app.address))
        .form(&[("stars", "5")])
        .send()
        .await
        .unwrap();
    assert_ne!(res.status(), 303);
    assert_eq!(
        dev.post("/datasets/bus-lines/rating", &[("stars", "6")])
            .await
            .status(),
        400
    );
    assert_eq!(
        dev.post("/datasets/secret/rating", &[("stars", "5")])
            .await
            .status(),
        404
    );
    for stars in ["4", "2"] {
        assert_eq!(
            dev.post("/datasets/bus-lines/rating", &[("stars", stars)])
                .await
                .status(),
            303
        );
    }
    assert_eq!(
        other
            .post("/datasets/bus-lines/rating", &[("stars", "5")])
            .await
            .status(),
        303
    );
    let page = app.ok_page("/datasets/bus-lines").await;
    assert_eq!(page.text("#rating-summary"), "平均 3.5 星（2 人评分）");
    let mine = dev.page("/datasets/bus-lines").await.1;
    assert_eq!(mine.attrs(".rating-form input[checked]", "value"), ["2"]);

    // Comments: too short is refused with the text kept.
    let res = dev
        .post("/datasets/bus-lines/comments", &[("body", "好")])
        .await;
    assert_eq!(res.status(), 400);
    assert_eq!(Page::new(res.text().await.unwrap()).text("#f-body"), "好");
    let res = dev
        .post(
            "/datasets/bus-lines/comments",
            &[("body", "数据很有用，希望增加站点坐标。")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let comment = kaifang::services::social::visible(&mut app.conn(), 1).unwrap();
    let id = comment[0].id;
    assert!(
        app.ok_page("/datasets/bus-lines")
            .await
            .text(".comments")
            .contains("站点坐标")
    );
    // Reported: hidden at once.
    assert_eq!(
        other
            .post(&format!("/comments/{id}/report"), &[])
            .await
            .status(),
        303
    );
    assert_eq!(
        other
            .post(&format!("/comments/{id}/report"), &[])
            .await
            .status(),
        409
    );
    assert!(
        !app.ok_page("/datasets/bus-lines")
            .await
            .text("main")
            .contains("站点坐标")
    );
    // Another department cannot review it; the providing department sees it in its queue.
    let pb = app.logged_in("pb@wuhu.gov.cn").await;
    assert!(
        !pb.page("/console/comments")
            .await
            .1
            .text("main")
            .contains("站点坐标")
    );
    let moderate = format!("/comments/{id}/moderate");
    assert_eq!(
        pb.post(&moderate, &[("action", "restore")]).await.status(),
        403
    );
    assert_eq!(
        other
            .post(&moderate, &[("action", "restore")])
            .await
            .status(),
        403
    );
    let pa = app.logged_in("pa@hefei.gov.cn").await;
    assert!(
        pa.page("/console/comments")
            .await
            .1
            .text("main")
            .contains("站点坐标")
    );
    assert_eq!(
        pa.post(&moderate, &[("action", "restore")]).await.status(),
        303
    );
    // The department's decision stands: it cannot be reported again.
    assert_eq!(
        other
            .post(&format!("/comments/{id}/report"), &[])
            .await
            .status(),
        409
    );
    assert!(
        app.ok_page("/datasets/bus-lines")
            .await
            .text(".comments")
            .contains("站点坐标")
    );
    // The department removes it for good.
    assert_eq!(
        pa.post(&moderate, &[("action", "remove")]).await.status(),
        303
    );
    assert!(
        !app.ok_page("/datasets/bus-lines")
            .await
            .text("main")
            .contains("站点坐标")
    );
    for action in [
        "comment.create",
        "comment.report",
        "comment.restore",
        "comment.remove",
    ] {
        assert_eq!(app.audited(action).len(), 1, "{action}");
    }
}
