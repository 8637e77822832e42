//! Error reviews (复核, issue 9): anyone reports an error in public data; the providing
//! department answers within 10 working days, extendable once with a public reason; the
//! public page shows the state and the answer and never who reported.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use kaifang::domain::{DayKind, Role};

use crate::both_backends;
use crate::helpers::{Backend, Browser, DatasetBuilder, Page, TestApp, ingest_file, location};

both_backends!(
    a_report_filed_on_a_friday_before_a_holiday_is_due_on_the_right_day,
    the_department_extends_once_with_a_reason_and_answers_in_public,
    reports_on_closed_data_bad_files_and_floods_are_refused,
);

struct Setup {
    app: TestApp,
    /// The `bus-lines` resource's id.
    resource: i32,
}

async fn setup(backend: Backend) -> Option<Setup> {
    let app = TestApp::spawn(backend).await?;
    let a = app.department("dept-a", "合肥市交通运输局", "340100");
    app.department("dept-b", "芜湖市交通运输局", "340200");
    let d = DatasetBuilder::new("bus-lines", "合肥市公交线路", &a).insert(&app);
    DatasetBuilder::new("secret", "合肥市内部数据", &a)
        .closed("《中华人民共和国保守国家秘密法》")
        .insert(&app);
    let (r, _) = ingest_file(
        &app,
        &d,
        "线路表",
        "lines.csv",
        "线路,票价\n1路,2\n2路,1\n".as_bytes(),
    );
    app.account("pa@hefei.gov.cn", Role::Publisher, Some("dept-a"));
    app.account("pb@wuhu.gov.cn", Role::Publisher, Some("dept-b"));
    app.account("citizen@example.cn", Role::User, None);
    Some(Setup {
        resource: r.id,
        app,
    })
}

async fn anonymous(app: &TestApp) -> Browser {
    let mut b = app.browser();
    b.refresh_csrf("/datasets/bus-lines/feedback").await;
    b
}

fn due_on(app: &TestApp, id: i32) -> (NaiveDate, Option<NaiveDate>) {
    let r = kaifang::db::reviews::by_id(&mut app.conn(), id)
        .unwrap()
        .unwrap();
    (r.due_on, r.extended_due_on)
}

fn id_of(res: &reqwest::Response) -> i32 {
    location(res)
        .strip_prefix("/feedback/")
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not a report: {}", location(res)))
}

/// Filed on a Friday; Monday to Wednesday are a holiday and the next Saturday a make-up day.
async fn a_report_filed_on_a_friday_before_a_holiday_is_due_on_the_right_day(backend: Backend) {
    let Some(s) = setup(backend).await else {
        return;
    };
    let app = &s.app;
    while app.clock.today().weekday() != Weekday::Fri {
        app.clock.advance(Duration::days(1));
    }
    let friday = app.clock.today();
    app.clear_calendar(friday, 60);
    let day = |n: i64| friday + Duration::days(n);
    for n in 3..=5 {
        kaifang::db::calendar::insert(&mut app.conn(), day(n), DayKind::Holiday, "测试假期")
            .unwrap();
    }
    kaifang::db::calendar::insert(&mut app.conn(), day(8), DayKind::Workday, "测试调休").unwrap();
    // Counted by hand: Thu +6, Fri +7, Sat +8 (make-up), Mon +10 … Fri +14, Mon +17, Tue +18.
    let expected = day(18);
    let b = anonymous(app).await;
    let form = b.page("/datasets/bus-lines/feedback").await.1;
    assert!(
        form.text("main").contains(&expected.to_string()),
        "{}",
        form.text("main")
    );
    // Anonymous without a contact: 400, what was typed is kept.
    let res = b
        .post(
            "/datasets/bus-lines/feedback",
            &[("description", "2路票价应为 2 元"), ("row", "2路")],
        )
        .await;
    assert_eq!(res.status(), 400);
    let page = Page::new(res.text().await.unwrap());
    assert!(page.text("#error-summary").contains("电子邮箱或手机号码"));
    assert_eq!(page.text("#f-description"), "2路票价应为 2 元");
    assert_eq!(page.attrs("#f-row", "value"), ["2路"]);
    let res = b
        .post(
            "/datasets/bus-lines/feedback",
            &[
                ("description", "2路票价应为 2 元"),
                ("row", "2路"),
                ("contact", "reporter@example.cn"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let id = id_of(&res);
    assert_eq!(due_on(app, id), (expected, None));
    let public = app.ok_page(&format!("/feedback/{id}")).await;
    assert!(
        public
            .text("#review-deadline")
            .contains(&expected.to_string())
    );
    assert!(public.text("#review-status").contains("已受理"));
    assert!(!public.body.contains("reporter@example.cn"));
    // Past the deadline the department can no longer extend it (the lateness stays).
    app.clock.advance(Duration::days(19));
    let pa = app.logged_in("pa@hefei.gov.cn").await;
    let res = pa
        .post(
            &format!("/console/feedback/{id}/extend"),
            &[
                ("days", "10"),
                ("extension_reason", "需要向公交集团核实线路数据"),
            ],
        )
        .await;
    assert_eq!(res.status(), 409);
    assert_eq!(due_on(app, id), (expected, None));
    let public = app.ok_page(&format!("/feedback/{id}")).await;
    assert!(public.text("#review-status").contains("已超过答复期限"));
}

/// Ten working days after `from` on the portal's own calendar (weekends, and the holidays and
/// make-up days it holds): the expectation must not depend on the day the test runs.
fn ten_working_days_after(app: &TestApp, from: NaiveDate) -> NaiveDate {
    kaifang::db::calendar::work_calendar(&mut app.conn())
        .expect("the calendar")
        .add_working_days(from, 10)
}

async fn the_department_extends_once_with_a_reason_and_answers_in_public(backend: Backend) {
    let Some(s) = setup(backend).await else {
        return;
    };
    let app = &s.app;
    let citizen = app.logged_in("citizen@example.cn").await;
    let pa = app.logged_in("pa@hefei.gov.cn").await;
    let pb = app.logged_in("pb@wuhu.gov.cn").await;
    let resource = s.resource.to_string();
    let res = citizen
        .post_multipart(
            "/datasets/bus-lines/feedback",
            &[
                ("description", "1路票价写成了 2 元，公交集团公告为 1 元"),
                ("resource", &resource),
                ("row", "1路"),
                ("field", "票价"),
                ("correction", "1"),
            ],
            Some(("票价公告.pdf", b"%PDF-1.7\n%evidence".to_vec())),
        )
        .await;
    assert_eq!(res.status(), 303);
    let id = id_of(&res);
    let public_url = format!("/feedback/{id}");
    // The dataset page lists it as open.
    let dataset = app.ok_page("/datasets/bus-lines").await;
    let listed = dataset.text(".open-reviews");
    assert!(
        listed.contains(&format!("纠错 #{id}")) && listed.contains("已受理"),
        "{listed}"
    );
    // The evidence is for the providing department only.
    let evidence = format!("/console/feedback/{id}/evidence");
    assert_eq!(citizen.get(&evidence).await.status(), 403);
    assert_eq!(pb.get(&evidence).await.status(), 403);
    let res = pa.get(&evidence).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"%PDF-1.7\n%evidence");
    // The queue: department A sees it, B does not.
    assert!(
        pa.page("/console/feedback")
            .await
            .1
            .text("table")
            .contains("合肥市公交线路")
    );
    assert!(
        !pb.page("/console/feedback")
            .await
            .1
            .text("main")
            .contains("合肥市公交线路")
    );
    let work = format!("/console/feedback/{id}");
    assert_eq!(pb.page(&work).await.0, 403);
    let (status, page) = pa.page(&work).await;
    assert_eq!(status, 200);
    assert!(
        page.text("dl").contains("citizen@example.cn"),
        "the department sees who asked"
    );

    // Start, then an extension without a reason: refused, nothing changes.
    assert_eq!(pa.post(&format!("{work}/start"), &[]).await.status(), 303);
    assert_eq!(pa.post(&format!("{work}/start"), &[]).await.status(), 409);
    let (due, _) = due_on(app, id);
    let res = pa
        .post(
            &format!("{work}/extend"),
            &[("days", "10"), ("extension_reason", "  ")],
        )
        .await;
    assert_eq!(res.status(), 400);
    let page = Page::new(res.text().await.unwrap());
    assert!(page.text("#error-summary").contains("延期须说明理由"));
    assert_eq!(page.attrs("#f-days", "value"), ["10"]);
    assert_eq!(due_on(app, id), (due, None));
    // Eleven days, or another department: refused too.
    let eleven = pa
        .post(
            &format!("{work}/extend"),
            &[("days", "11"), ("extension_reason", "需要向公交集团核实")],
        )
        .await;
    assert_eq!(eleven.status(), 400);
    let other = pb
        .post(
            &format!("{work}/extend"),
            &[("days", "10"), ("extension_reason", "需要向公交集团核实")],
        )
        .await;
    assert_eq!(other.status(), 403);
    assert_eq!(due_on(app, id), (due, None));
    // With a reason: extended by ten working days, the reason public.
    let res = pa
        .post(
            &format!("{work}/extend"),
            &[
                ("days", "10"),
                ("extension_reason", "需要向公交集团核实票价调整文件"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        due_on(app, id),
        (due, Some(ten_working_days_after(app, due)))
    );
    let public = app.ok_page(&public_url).await;
    assert_eq!(
        public.text("#review-extension"),
        "需要向公交集团核实票价调整文件"
    );
    assert!(
        public
            .text("#review-deadline")
            .contains(&ten_working_days_after(app, due).to_string())
    );
    // Once only.
    let again = pa
        .post(
            &format!("{work}/extend"),
            &[("days", "5"), ("extension_reason", "还需要更多时间核实")],
        )
        .await;
    assert_eq!(again.status(), 409);

    // The answer: a missing outcome is refused with the text kept.
    let res = pa
        .post(
            &format!("{work}/answer"),
            &[("answer", "已核实并更正 1 路票价。")],
        )
        .await;
    assert_eq!(res.status(), 400);
    let page = Page::new(res.text().await.unwrap());
    assert_eq!(page.text("#f-answer"), "已核实并更正 1 路票价。");
    // Corrected in the resource's version 1.
    let version = kaifang::db::versions::of_resource(&mut app.conn(), s.resource)
        .unwrap()
        .remove(0);
    let res = pa
        .post(
            &format!("{work}/answer"),
            &[
                ("outcome", "corrected"),
                ("answer", "已核实并更正 1 路票价。"),
                ("version", &version.id.to_string()),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let public = app.ok_page(&public_url).await;
    assert!(public.text("h1").contains("已更正"));
    assert_eq!(public.text("#review-answer"), "已核实并更正 1 路票价。");
    assert!(public.text("main").contains("数据集的新版本"));
    // Nobody is named on the public page, in any form.
    for who in ["citizen@example.cn", "citizen", "注册用户"] {
        assert!(!public.body.contains(who), "{who} on the public page");
    }
    let answered = pa
        .post(
            &format!("{work}/answer"),
            &[("outcome", "not_error"), ("answer", "再答一次试试看")],
        )
        .await;
    assert_eq!(answered.status(), 409);
    // The dataset page no longer lists it as open.
    let dataset = app.ok_page("/datasets/bus-lines").await;
    assert_eq!(dataset.count(".open-reviews li"), 0);
    // The audit log has every step, and no contact or e-mail.
    for action in [
        "review.submit",
        "review.start",
        "review.extend",
        "review.answer",
    ] {
        let events = app.audited(action);
        assert_eq!(events.len(), 1, "{action}");
        assert!(
            !events[0].to_string().contains('@'),
            "{action}: {}",
            events[0]
        );
    }
}

async fn reports_on_closed_data_bad_files_and_floods_are_refused(backend: Backend) {
    let Some(s) = setup(backend).await else {
        return;
    };
    let app = &s.app;
    let citizen = app.logged_in("citizen@example.cn").await;
    assert_eq!(citizen.get("/datasets/secret/feedback").await.status(), 404);
    // A multipart post from a client that never opened a form (no token in its session, an
    // empty one in the form) is refused like any other forged form.
    let forged = reqwest::multipart::Form::new()
        .text("csrf", "")
        .text("description", "伪造的跨站提交内容")
        .text("contact", "x@example.cn");
    let res = reqwest::Client::new()
        .post(format!("{}/datasets/bus-lines/feedback", app.address))
        .multipart(forged)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert!(app.audited("review.submit").is_empty());
    let res = citizen
        .post(
            "/datasets/secret/feedback",
            &[("description", "这个数据有错误")],
        )
        .await;
    assert_eq!(res.status(), 404);
    // Evidence that is not a PDF, PNG or JPEG: 400, nothing kept.
    let files = app.stored_files();
    let res = citizen
        .post_multipart(
            "/datasets/bus-lines/feedback",
            &[("description", "1路票价有误，应为 1 元")],
            Some(("证据.html", b"<script>alert(1)</script>".to_vec())),
        )
        .await;
    assert_eq!(res.status(), 400);
    let body = res.text().await.unwrap();
    assert!(body.contains("证明材料必须是 PDF、PNG 或 JPEG 文件"));
    assert!(body.contains("1路票价有误，应为 1 元"));
    assert_eq!(app.stored_files(), files);
    // Five reports a day per account; the sixth is refused and stores nothing.
    for i in 0..5 {
        let res = citizen
            .post(
                "/datasets/bus-lines/feedback",
                &[("description", &format!("第 {i} 处票价有误"))],
            )
            .await;
        assert_eq!(res.status(), 303);
    }
    let res = citizen
        .post(
            "/datasets/bus-lines/feedback",
            &[("description", "第六处票价有误")],
        )
        .await;
    assert_eq!(res.status(), 429);
    assert_eq!(app.audited("review.submit").len(), 5);
    // Twenty a day from one address, whoever is behind it: fifteen anonymous reports with
    // fifteen different contacts pass, the next one does not.
    let b = anonymous(app).await;
    for i in 0..15 {
        let contact = format!("reporter{i}@example.cn");
        let res = b
            .post(
                "/datasets/bus-lines/feedback",
                &[("description", "2路票价有误"), ("contact", &contact)],
            )
            .await;
        assert_eq!(res.status(), 303, "report {i}");
    }
    let res = b
        .post(
            "/datasets/bus-lines/feedback",
            &[
                ("description", "2路票价有误"),
                ("contact", "late@example.cn"),
            ],
        )
        .await;
    assert_eq!(res.status(), 429);
    assert_eq!(app.audited("review.submit").len(), 20);
}
