//! Conditional access through the real app on both databases: an application, its review by the
//! dataset's department, and a grant that lets exactly the approved columns out, for exactly the
//! approved period and number of downloads, to exactly its holder.

use kaifang::domain::Role;

use crate::both_backends;
use crate::helpers::{Backend, Browser, DatasetBuilder, TestApp, csv_of, ingest_file, location};

both_backends!(
    a_grant_lets_out_the_approved_columns_for_the_approved_period,
    a_quota_of_three_downloads_refuses_the_fourth,
    a_rejection_needs_a_reason_and_bad_applications_change_nothing,
    only_the_datasets_department_reviews,
    the_due_date_follows_the_holiday_calendar,
    an_api_grant_opens_the_row_api_with_the_granted_fields_only,
    the_transparency_page_counts_without_naming_anyone,
    inboxes_the_overdue_job_and_revocation,
    the_department_asks_and_the_applicant_answers,
    a_pdf_attachment_reaches_the_reviewer_and_nothing_else_is_kept,
);

const HEADER: [&str; 5] = [
    "企业名称",
    "统一社会信用代码",
    "法定代表人",
    "注册资本",
    "成立日期",
];

/// A conditional dataset with a five-column file, a verified applicant and a reviewer.
pub(crate) struct Setup {
    pub app: TestApp,
    pub slug: String,
    pub download: String,
    pub applicant: Browser,
    pub reviewer: Browser,
}

pub(crate) async fn setup(backend: Backend) -> Option<Setup> {
    let app = TestApp::spawn(backend).await?;
    let dept = app.department("hefei-market", "合肥市市场监督管理局", "340100");
    let d = DatasetBuilder::new("hefei-enterprises", "合肥市企业登记信息", &dept)
        .conditional(
            "仅限科研和政务用途",
            "《安徽省政务数据资源管理办法》第二十一条",
        )
        .insert(&app);
    let csv = csv_of(&HEADER, 6, |i| {
        vec![
            format!("合肥测试企业{i}有限公司"),
            format!("91340100MA2N{i:06}"),
            format!("张{i}"),
            format!("{}", 100 + i),
            "2020-01-01".into(),
        ]
    });
    let (r, v) = ingest_file(&app, &d, "企业名录", "企业.csv", &csv);
    assert_eq!(v.status, "ready", "the fixture ingests");
    app.account("researcher@example.cn", Role::User, None);
    app.account("reviewer@example.cn", Role::Publisher, Some("hefei-market"));
    let applicant = app.logged_in("researcher@example.cn").await;
    let reviewer = app.logged_in("reviewer@example.cn").await;
    Some(Setup {
        download: format!("/datasets/{}/resources/{}/download", d.slug, r.id),
        slug: d.slug,
        app,
        applicant,
        reviewer,
    })
}

impl Setup {
    /// The applicant and the reviewer log in again: once the clock has moved past the sessions'
    /// idle period (`auth.session_idle_days`), their sessions are over, as anyone's would be.
    pub async fn log_in_again(&mut self) {
        self.applicant = self.app.logged_in("researcher@example.cn").await;
        self.reviewer = self.app.logged_in("reviewer@example.cn").await;
    }
}

/// Applies for every field to download; returns the application's id.
pub(crate) async fn apply(s: &Setup, period: &str) -> i32 {
    apply_for(s, period, "download").await
}

/// Applies for every field through `mode`; returns the application's id (from the reviewer's
/// queue, newest first by due date and id: the last link).
async fn apply_for(s: &Setup, period: &str, mode: &str) -> i32 {
    let mut fields: Vec<(&str, &str)> = vec![
        ("purpose", "研究合肥市企业成立趋势"),
        ("scenario", "高校科研项目"),
        ("access_mode", mode),
        ("period_days", period),
        (
            "security_measures",
            "加密存储，仅项目组成员可访问，结题后销毁",
        ),
        ("undertaking", "yes"),
    ];
    for f in HEADER {
        fields.push(("fields", f));
    }
    let res = s
        .applicant
        .post(&format!("/datasets/{}/apply", s.slug), &fields)
        .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    assert_eq!(location(&res), "/account/applications");
    let (status, mine) = s.applicant.page("/account/applications").await;
    assert_eq!(status, 200);
    assert!(
        mine.text("table").contains("待审核"),
        "{}",
        mine.text("table")
    );
    let (_, queue) = s.reviewer.page("/console/applications").await;
    let link = queue
        .attrs("table a[href^='/console/applications/']", "href")
        .into_iter()
        .last()
        .expect("the application is in the department's queue");
    link.rsplit('/').next().unwrap().parse().unwrap()
}

pub(crate) async fn approve(s: &Setup, id: i32, fields: &[&str], period: &str, quota: &str) {
    let mut form: Vec<(&str, &str)> = vec![
        ("decision", "approve"),
        ("period_days", period),
        ("quota", quota),
    ];
    for f in fields {
        form.push(("fields", f));
    }
    let res = s
        .reviewer
        .post(&format!("/console/applications/{id}/decide"), &form)
        .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
}

fn header_of(body: &str) -> Vec<String> {
    let mut r = csv::Reader::from_reader(body.as_bytes());
    r.headers().unwrap().iter().map(str::to_owned).collect()
}

async fn a_grant_lets_out_the_approved_columns_for_the_approved_period(backend: Backend) {
    let Some(mut s) = setup(backend).await else {
        return;
    };
    // Before any grant: 403 with how to apply, for the applicant and the anonymous alike.
    assert_eq!(s.applicant.get(&s.download).await.status(), 403);
    assert_eq!(s.app.get(&s.download).await.status(), 403);

    let id = apply(&s, "60").await;
    assert_eq!(s.applicant.get(&s.download).await.status(), 403, "pending");
    approve(&s, id, &["企业名称", "成立日期"], "30", "").await;

    // Exactly the two approved columns, in every format; the original upload is refused.
    let res = s.applicant.get(&s.download).await;
    assert_eq!(res.status(), 200);
    // The holder's file is for the holder only: no shared cache may keep it.
    let header = |name: &str| {
        res.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    assert!(
        header("cache-control").contains("private") && header("cache-control").contains("no-store"),
        "{:?}",
        res.headers()
    );
    assert!(
        header("vary").contains("Cookie") && header("vary").contains("Authorization"),
        "{:?}",
        res.headers()
    );
    let body = res.text().await.unwrap();
    assert_eq!(header_of(&body), ["企业名称", "成立日期"]);
    assert!(body.contains("合肥测试企业3有限公司"));
    assert!(!body.contains("91340100MA2N"), "no credit code leaks");
    assert!(!body.contains("张3"), "no legal representative leaks");
    let json = s
        .applicant
        .get(&format!("{}?format=json", s.download))
        .await;
    assert_eq!(json.status(), 200);
    let rows: Vec<serde_json::Map<String, serde_json::Value>> = json.json().await.unwrap();
    assert_eq!(rows.len(), 6);
    assert!(
        rows.iter()
            .all(|r| r.len() == 2 && r.contains_key("企业名称"))
    );
    let original = s
        .applicant
        .get(&format!("{}?format=original", s.download))
        .await;
    assert_eq!(original.status(), 403);

    // Another user using the holder's URL: 403.
    s.app.account("other@example.cn", Role::User, None);
    let other = s.app.logged_in("other@example.cn").await;
    assert_eq!(other.get(&s.download).await.status(), 403);

    // Every use is audited under the grant: the CSV and the JSON (the refused original is not a
    // use).
    {
        use diesel::prelude::*;
        use kaifang::db::schema::audit_events::dsl::*;
        let uses: i64 = audit_events
            .filter(action.eq("grant.download"))
            .count()
            .get_result(&mut *s.app.conn())
            .unwrap();
        assert_eq!(uses, 2);
    }
    let (_, mine) = s.applicant.page("/account/applications").await;
    assert!(mine.text("table").contains("已批准"));

    // After the period: 403 with the reason.
    s.app.clock.advance(chrono::Duration::days(31));
    s.log_in_again().await;
    let res = s.applicant.get(&s.download).await;
    assert_eq!(res.status(), 403);
    assert!(res.text().await.unwrap().contains("到期"));
}

async fn a_quota_of_three_downloads_refuses_the_fourth(backend: Backend) {
    let Some(s) = setup(backend).await else {
        return;
    };
    let id = apply(&s, "30").await;
    approve(&s, id, &HEADER, "30", "3").await;
    for n in 1..=3 {
        let res = s.applicant.get(&s.download).await;
        assert_eq!(res.status(), 200, "download {n}");
        assert_eq!(header_of(&res.text().await.unwrap()).len(), 5);
    }
    let res = s.applicant.get(&s.download).await;
    assert_eq!(res.status(), 403);
    assert!(res.text().await.unwrap().contains("次数"));
    let (_, mine) = s.applicant.page("/account/applications").await;
    assert!(
        mine.text("table").contains("已用 3/3 次"),
        "{}",
        mine.text("table")
    );
}

async fn a_rejection_needs_a_reason_and_bad_applications_change_nothing(backend: Backend) {
    let Some(s) = setup(backend).await else {
        return;
    };
    // An application without the undertaking, with a made-up field and an absurd period: 400,
    // the typed text kept, nothing stored.
    let res = s
        .applicant
        .post(
            &format!("/datasets/{}/apply", s.slug),
            &[
                ("purpose", "研究<script>用途"),
                ("scenario", "科研"),
                ("access_mode", "download"),
                ("period_days", "99999"),
                ("security_measures", "加密"),
                ("fields", "不存在的字段"),
            ],
        )
        .await;
    assert_eq!(res.status(), 400);
    let body = res.text().await.unwrap();
    assert!(
        body.contains("研究&#60;script&#62;用途"),
        "the input is kept, escaped: {body}"
    );
    assert!(body.contains("承诺") && body.contains("使用期限") && body.contains("不存在的字段"));
    let (_, queue) = s.reviewer.page("/console/applications").await;
    assert!(queue.text("main").contains("暂无开放申请"));

    let id = apply(&s, "30").await;
    // A rejection without a reason is refused and changes nothing.
    let path = format!("/console/applications/{id}/decide");
    let res = s
        .reviewer
        .post(&path, &[("decision", "reject"), ("reason", "   ")])
        .await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("请填写不予批准的理由"));
    let (_, mine) = s.applicant.page("/account/applications").await;
    assert!(mine.text("table").contains("待审核"));
    // With a reason, the applicant sees it.
    let res = s
        .reviewer
        .post(
            &path,
            &[("decision", "reject"), ("reason", "用途与开放条件不符")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (_, mine) = s.applicant.page("/account/applications").await;
    assert!(mine.text("table").contains("用途与开放条件不符"));
    // A decided application cannot be decided again.
    let again = s
        .reviewer
        .post(
            &path,
            &[
                ("decision", "approve"),
                ("period_days", "30"),
                ("fields", "企业名称"),
            ],
        )
        .await;
    assert_eq!(again.status(), 400);
    assert_eq!(s.applicant.get(&s.download).await.status(), 403);
}

async fn only_the_datasets_department_reviews(backend: Backend) {
    let Some(s) = setup(backend).await else {
        return;
    };
    let id = apply(&s, "30").await;
    s.app.department("wuhu-data", "芜湖市数据资源局", "340200");
    s.app
        .account("outsider@example.cn", Role::Publisher, Some("wuhu-data"));
    let outsider = s.app.logged_in("outsider@example.cn").await;
    let (status, _) = outsider.page(&format!("/console/applications/{id}")).await;
    assert_eq!(status, 404, "another department's application is invisible");
    let res = outsider
        .post(
            &format!("/console/applications/{id}/decide"),
            &[
                ("decision", "approve"),
                ("period_days", "30"),
                ("fields", "企业名称"),
            ],
        )
        .await;
    assert_eq!(res.status(), 403);
    // The applicant cannot review their own application either.
    let res = s
        .applicant
        .post(
            &format!("/console/applications/{id}/decide"),
            &[
                ("decision", "approve"),
                ("period_days", "30"),
                ("fields", "企业名称"),
            ],
        )
        .await;
    assert_eq!(res.status(), 403);
    assert_eq!(s.applicant.get(&s.download).await.status(), 403);
}

/// The due date skips the holidays administrators entered and counts their make-up days: the
/// next seven days are made a holiday week with a make-up Sunday after it.
async fn the_due_date_follows_the_holiday_calendar(backend: Backend) {
    use chrono::{Datelike, Duration, Weekday};
    use kaifang::domain::DayKind;
    let Some(s) = setup(backend).await else {
        return;
    };
    let today = s.app.clock.today();
    s.app.clear_calendar(today, 60);
    let holidays: Vec<_> = (1..=7).map(|n| today + Duration::days(n)).collect();
    let mut make_up = today + Duration::days(8);
    while make_up.weekday() != Weekday::Sun {
        make_up += Duration::days(1);
    }
    for d in &holidays {
        kaifang::db::calendar::insert(&mut s.app.conn(), *d, DayKind::Holiday, "测试假期").unwrap();
    }
    kaifang::db::calendar::insert(&mut s.app.conn(), make_up, DayKind::Workday, "测试调休")
        .unwrap();
    // Counted by hand: weekdays after the holiday week, plus the make-up Sunday.
    let mut expected = today + Duration::days(7);
    let mut left = 10;
    while left > 0 {
        expected += Duration::days(1);
        let weekday = !matches!(expected.weekday(), Weekday::Sat | Weekday::Sun);
        if weekday || expected == make_up {
            left -= 1;
        }
    }
    let (_, form) = s
        .applicant
        .page(&format!("/datasets/{}/apply", s.slug))
        .await;
    assert!(
        form.text("main").contains(&expected.to_string()),
        "{}",
        form.text("main")
    );
    apply(&s, "30").await;
    let (_, mine) = s.applicant.page("/account/applications").await;
    assert!(
        mine.text("table").contains(&expected.to_string()),
        "{}",
        mine.text("table")
    );
}

/// An API grant: the row API answers with the granted fields only, refuses filters on the
/// others, counts calls against the quota; the download stays closed (another channel); and no
/// cell value shows on the dataset page or in search, for anyone.
async fn an_api_grant_opens_the_row_api_with_the_granted_fields_only(backend: Backend) {
    let Some(s) = setup(backend).await else {
        return;
    };
    let user = {
        use diesel::prelude::*;
        use kaifang::db::schema::users::dsl::*;
        users
            .filter(email.eq("researcher@example.cn"))
            .select(id)
            .first::<i32>(&mut *s.app.conn())
            .unwrap()
    };
    let key = s.app.api_key(user);
    let rows_path = s
        .download
        .replace("/download", "/rows")
        .replace("/datasets/", "/api/v1/datasets/");
    let call = |query: &str| {
        s.app
            .client
            .get(format!("{}{rows_path}{query}", s.app.address))
            .bearer_auth(&key)
            .send()
    };
    assert_eq!(call("").await.unwrap().status(), 403, "no grant yet");

    let id = apply_for(&s, "30", "api").await;
    approve(&s, id, &["企业名称", "注册资本"], "30", "2").await;
    let res = call("?limit=3").await.unwrap();
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    let names: Vec<&str> = body["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["企业名称", "注册资本"]);
    assert!(
        body["records"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r.as_object().unwrap().len() == 2)
    );
    assert!(!body.to_string().contains("91340100MA2N"));
    // A filter on a field outside the grant is unknown (no oracle on hidden columns), not a use:
    // the 422 of any field the resource does not have (the OpenAPI document's rule).
    let res = call("?%E7%BB%9F%E4%B8%80%E7%A4%BE%E4%BC%9A%E4%BF%A1%E7%94%A8%E4%BB%A3%E7%A0%81=x")
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert_eq!(
        call("").await.unwrap().status(),
        200,
        "the second call of two"
    );
    let res = call("").await.unwrap();
    assert_eq!(res.status(), 403, "the quota of two calls is used up");
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"]["code"], "forbidden");
    // The download is another channel, not granted.
    let res = s.applicant.get(&s.download).await;
    assert_eq!(res.status(), 403);
    assert!(res.text().await.unwrap().contains("接口调用"));
    // No cell value on the dataset page or in search, for the holder or the public.
    for b in [&s.applicant, &s.app.browser()] {
        let (_, page) = b.page(&format!("/datasets/{}", s.slug)).await;
        assert!(
            !page.text("main").contains("合肥测试企业"),
            "no preview of conditional data"
        );
        let (_, found) = b
            .page("/datasets?q=%E5%90%88%E8%82%A5%E6%B5%8B%E8%AF%95%E4%BC%81%E4%B8%9A")
            .await;
        assert!(
            !found.text("main").contains("合肥测试企业0"),
            "no cell value in search"
        );
    }
}

/// `/stats/applications`: per department and dataset, counts, approval rate, working days to
/// answer and overdue ones; public, and naming no applicant.
async fn the_transparency_page_counts_without_naming_anyone(backend: Backend) {
    let Some(s) = setup(backend).await else {
        return;
    };
    let first = apply(&s, "30").await;
    approve(&s, first, &["企业名称"], "30", "").await;
    let second = apply(&s, "30").await;
    let res = s
        .reviewer
        .post(
            &format!("/console/applications/{second}/decide"),
            &[("decision", "reject"), ("reason", "用途不符")],
        )
        .await;
    assert_eq!(res.status(), 303);
    apply(&s, "30").await;
    // Three weeks later the third is past its due date, unanswered.
    s.app.clock.advance(chrono::Duration::days(21));
    let page = s.app.ok_page("/stats/applications").await;
    let rows = page.texts("tbody tr");
    assert_eq!(rows.len(), 2, "{rows:?}");
    let cells =
        |row: usize| -> Vec<String> { page.texts(&format!("tbody tr:nth-child({}) td", row + 1)) };
    assert!(rows[0].contains("合肥市市场监督管理局"), "{rows:?}");
    assert_eq!(cells(0), ["3", "2", "50%", "0", "0", "1"]);
    assert!(rows[1].contains("合肥市企业登记信息"));
    assert_eq!(cells(1), ["3", "2", "50%", "0", "0", "1"]);
    let all = page.text("main");
    for private in [
        "researcher",
        "example.cn",
        "研究合肥市企业成立趋势",
        "用途不符",
    ] {
        assert!(!all.contains(private), "{private} on the public page");
    }
    // The same table as CSV.
    let csv = s
        .app
        .get("/stats/applications.csv")
        .await
        .text()
        .await
        .unwrap();
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(
        lines[1].starts_with("合肥市市场监督管理局,,3,2,50%,0,0,1"),
        "{csv}"
    );
    assert!(!csv.contains("researcher"));
}

/// Every change reaches an inbox (and the mail outbox); the overdue job reports a late
/// application once, to the department and the administrators; a revoked grant stops at once.
async fn inboxes_the_overdue_job_and_revocation(backend: Backend) {
    let Some(mut s) = setup(backend).await else {
        return;
    };
    s.app.account("admin@ah.gov.cn", Role::Admin, None);
    let first = apply(&s, "30").await;
    let (_, inbox) = s.reviewer.page("/account/inbox").await;
    assert!(
        inbox
            .text("main")
            .contains("新的开放申请：合肥市企业登记信息"),
        "{}",
        inbox.text("main")
    );
    approve(&s, first, &["企业名称"], "30", "").await;
    let (_, inbox) = s.applicant.page("/account/inbox").await;
    assert!(inbox.text("main").contains("开放申请已批准"));
    assert!(inbox.text("main").contains("企业名称"));
    let queued: i64 = {
        use diesel::prelude::*;
        kaifang::db::schema::mail_outbox::table
            .count()
            .get_result(&mut *s.app.conn())
            .unwrap()
    };
    assert_eq!(queued, 2, "the same messages wait in the mail outbox");

    // A second application left unanswered: nothing to report until its due date has passed.
    let second = apply(&s, "30").await;
    let report =
        |at| kaifang::services::applications::report_overdue(&mut s.app.conn(), at).unwrap();
    assert_eq!(report(s.app.clock.now()), 0);
    s.app.clock.advance(chrono::Duration::days(20));
    assert_eq!(report(s.app.clock.now()), 1);
    assert_eq!(report(s.app.clock.now()), 0, "reported once");
    s.log_in_again().await;
    let admin = s.app.logged_in("admin@ah.gov.cn").await;
    let (_, inbox) = s.reviewer.page("/account/inbox").await;
    assert!(inbox.text("main").contains("开放申请已逾期"));
    let (_, dashboard) = admin.page("/admin").await;
    assert!(
        dashboard.text("main").contains(&format!("申请 {second}")),
        "{}",
        dashboard.text("main")
    );
    let (_, queue) = s.reviewer.page("/console/applications").await;
    assert!(queue.text("table").contains("已逾期"));

    // Revocation needs a reason; then the holder gets 403 with it, and a message.
    s.app.clock.advance(chrono::Duration::days(-15));
    assert_eq!(
        s.applicant.get(&s.download).await.status(),
        200,
        "still inside the grant"
    );
    let grant = {
        use diesel::prelude::*;
        use kaifang::db::schema::grants::dsl::*;
        grants.select(id).first::<i32>(&mut *s.app.conn()).unwrap()
    };
    let path = format!("/console/grants/{grant}/revoke");
    assert_eq!(
        s.reviewer.post(&path, &[("reason", "")]).await.status(),
        400
    );
    assert_eq!(
        s.applicant.get(&s.download).await.status(),
        200,
        "unchanged"
    );
    assert_eq!(
        s.applicant
            .post(&path, &[("reason", "自行撤销")])
            .await
            .status(),
        403
    );
    let res = s.reviewer.post(&path, &[("reason", "发现违反承诺")]).await;
    assert_eq!(res.status(), 303);
    let res = s.applicant.get(&s.download).await;
    assert_eq!(res.status(), 403);
    assert!(res.text().await.unwrap().contains("发现违反承诺"));
    let (_, inbox) = s.applicant.page("/account/inbox").await;
    assert!(inbox.text("main").contains("授权已撤销"));
}

/// The conversation on an application: the department asks for more, the applicant answers;
/// each side gets a message; nobody else can read or write it.
async fn the_department_asks_and_the_applicant_answers(backend: Backend) {
    let Some(s) = setup(backend).await else {
        return;
    };
    let id = apply(&s, "30").await;
    let console = format!("/console/applications/{id}");
    let mine = format!("/account/applications/{id}");
    let res = s
        .reviewer
        .post(
            &format!("{console}/comments"),
            &[("body", "请补充项目立项批文")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), console);
    let (_, inbox) = s.applicant.page("/account/inbox").await;
    assert!(inbox.text("main").contains("开放申请有新留言"));
    let (status, page) = s.applicant.page(&mine).await;
    assert_eq!(status, 200);
    assert!(page.text("main").contains("数据提供部门"));
    assert!(page.text("main").contains("请补充项目立项批文"));
    let res = s
        .applicant
        .post(
            &format!("{mine}/comments"),
            &[("body", "批文编号：皖科 2026-01")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), mine);
    let (_, review) = s.reviewer.page(&console).await;
    assert!(review.text("main").contains("批文编号：皖科 2026-01"));
    assert_eq!(
        s.applicant
            .post(&format!("{mine}/comments"), &[("body", " ")])
            .await
            .status(),
        400
    );
    // Nobody else reads or writes the conversation.
    s.app.account("other@example.cn", Role::User, None);
    let other = s.app.logged_in("other@example.cn").await;
    assert_eq!(other.page(&mine).await.0, 404);
    assert_eq!(
        other
            .post(&format!("{mine}/comments"), &[("body", "你好")])
            .await
            .status(),
        404
    );
    let (_, review) = s.reviewer.page(&console).await;
    assert!(!review.text("main").contains("你好"));
    // The applicant withdraws: the department is told, and the application shows when.
    let res = s.applicant.post(&format!("{mine}/withdraw"), &[]).await;
    assert_eq!(res.status(), 303);
    let (_, inbox) = s.reviewer.page("/account/inbox").await;
    assert!(inbox.text("main").contains("开放申请已撤回"));
    let (_, page) = s.applicant.page(&mine).await;
    assert!(page.text("main").contains("已撤回") && page.text("main").contains("撤回时间"));
    assert_eq!(
        s.applicant
            .post(&format!("{mine}/withdraw"), &[])
            .await
            .status(),
        400,
        "once"
    );
}

/// The application form as multipart, with `file` attached.
fn multipart_application(csrf: &str, file_name: &str, bytes: Vec<u8>) -> reqwest::multipart::Form {
    let mut form = reqwest::multipart::Form::new()
        .text("csrf", csrf.to_owned())
        .text("purpose", "研究合肥市企业成立趋势")
        .text("scenario", "高校科研项目")
        .text("access_mode", "download")
        .text("period_days", "30")
        .text("security_measures", "加密存储")
        .text("undertaking", "yes");
    for f in ["企业名称", "成立日期"] {
        form = form.text("fields", f);
    }
    form.part(
        "file",
        reqwest::multipart::Part::bytes(bytes)
            .file_name(file_name.to_owned())
            .mime_str("application/pdf")
            .unwrap(),
    )
}

/// An optional PDF up to 10 MB: checked to be a PDF, kept only when the application is, and
/// readable by the applicant and the reviewing department alone.
async fn a_pdf_attachment_reaches_the_reviewer_and_nothing_else_is_kept(backend: Backend) {
    let Some(s) = setup(backend).await else {
        return;
    };
    let url = format!("{}/datasets/{}/apply", s.app.address, s.slug);
    let files = || s.app.stored_files();
    let before = files();
    // Not a PDF: 400, the typed text kept, nothing stored.
    let res = s
        .applicant
        .client
        .post(&url)
        .multipart(multipart_application(
            &s.applicant.csrf,
            "批文.pdf",
            b"<html>not a pdf</html>".to_vec(),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let body = res.text().await.unwrap();
    assert!(body.contains("附件必须是 PDF 文件") && body.contains("研究合肥市企业成立趋势"));
    // Over 10 MB: 400 too.
    let mut big = b"%PDF-1.7\n".to_vec();
    big.resize(10 * 1024 * 1024 + 1, b'0');
    let res = s
        .applicant
        .client
        .post(&url)
        .multipart(multipart_application(&s.applicant.csrf, "大文件.pdf", big))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let body = res.text().await.unwrap();
    assert!(
        body.contains("上传上限") && body.contains("研究合肥市企业成立趋势"),
        "input kept"
    );
    // A PDF with an otherwise invalid application (no undertaking): 400 and no file kept.
    let pdf = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n".to_vec();
    let form =
        multipart_application(&s.applicant.csrf, "批文.pdf", pdf.clone()).text("undertaking", "no");
    let res = s
        .applicant
        .client
        .post(&url)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(files(), before, "refused applications leave no file");
    let (_, queue) = s.reviewer.page("/console/applications").await;
    assert!(queue.text("main").contains("暂无开放申请"));
    // Without the CSRF token: 403.
    let res = s
        .applicant
        .client
        .post(&url)
        .multipart(multipart_application("forged", "批文.pdf", pdf.clone()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);

    // A valid one: stored, and the reviewer downloads the same bytes.
    let res = s
        .applicant
        .client
        .post(&url)
        .multipart(multipart_application(
            &s.applicant.csrf,
            "项目批文.pdf",
            pdf.clone(),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let (_, queue) = s.reviewer.page("/console/applications").await;
    let id = queue.attrs("table a[href^='/console/applications/']", "href")[0]
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let (_, review) = s
        .reviewer
        .page(&format!("/console/applications/{id}"))
        .await;
    assert!(review.text("main").contains("项目批文.pdf"));
    assert!(review.text("main").contains("企业名称、成立日期"));
    for (who, path) in [
        (
            &s.reviewer,
            format!("/console/applications/{id}/attachment"),
        ),
        (
            &s.applicant,
            format!("/account/applications/{id}/attachment"),
        ),
    ] {
        let res = who.get(&path).await;
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "application/pdf");
        assert!(
            res.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .contains("UTF-8''")
        );
        assert_eq!(res.bytes().await.unwrap().to_vec(), pdf);
    }
    s.app.account("other@example.cn", Role::User, None);
    let other = s.app.logged_in("other@example.cn").await;
    assert_eq!(
        other
            .get(&format!("/account/applications/{id}/attachment"))
            .await
            .status(),
        404
    );
    assert_eq!(
        s.app
            .get(&format!("/console/applications/{id}/attachment"))
            .await
            .status(),
        303
    );
}
