//! `/stats` and the assessment view (issue 9): the figures equal what the database holds for a
//! seeded scenario; the late-update rule (unit-tested per frequency in
//! `domain::update_frequency`) decides the on-time columns.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use kaifang::domain::{DatasetStatus, Role, UpdateFrequency};
use kaifang::services::Actor;

use crate::both_backends;
use crate::helpers::{Backend, DatasetBuilder, Page, TestApp};

both_backends!(the_statistics_equal_what_the_database_holds);

/// 08:00 in China on that day, as stored (UTC).
fn china_morning(y: i32, m: u32, d: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
}

/// The page's department table as rows of cells.
fn table(page: &Page, selector: &str) -> Vec<Vec<String>> {
    let cells = page.texts(&format!("{selector} tbody th, {selector} tbody td"));
    cells.chunks(22).map(|c| c.to_vec()).collect()
}

async fn the_statistics_equal_what_the_database_holds(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let a = app.department("dept-a", "合肥市数据资源局", "340100");
    let b = app.department("dept-b", "芜湖市数据资源局", "340200");
    app.department("dept-c", "蚌埠市数据资源局", "340300");
    let now = app.clock.now();
    let build = |slug: &str, dept, f: UpdateFrequency, updated: NaiveDateTime, downloads: i64| {
        DatasetBuilder {
            frequency: f,
            updated,
            downloads,
            records: 1000 + downloads,
            ..DatasetBuilder::new(slug, &format!("数据集{slug}"), dept)
        }
    };
    // A: daily, two days old (late); weekly, three days old (on time); conditional and
    // irregular (public, no cycle); closed and draft (never counted).
    build(
        "a-daily",
        &a,
        UpdateFrequency::Daily,
        now - Duration::days(2),
        5,
    )
    .insert(&app);
    build(
        "a-weekly",
        &a,
        UpdateFrequency::Weekly,
        now - Duration::days(3),
        7,
    )
    .insert(&app);
    build(
        "a-irregular",
        &a,
        UpdateFrequency::Irregular,
        now - Duration::days(900),
        0,
    )
    .conditional("仅限科研", "《安徽省政务数据资源管理办法》第二十条")
    .insert(&app);
    build(
        "a-closed",
        &a,
        UpdateFrequency::Daily,
        now - Duration::days(30),
        100,
    )
    .closed("《中华人民共和国保守国家秘密法》")
    .insert(&app);
    build(
        "a-draft",
        &a,
        UpdateFrequency::Daily,
        now - Duration::days(30),
        50,
    )
    .status(DatasetStatus::Draft)
    .insert(&app);
    // B: annual, 400 days old (late).
    build(
        "b-annual",
        &b,
        UpdateFrequency::Annual,
        now - Duration::days(400),
        1,
    )
    .insert(&app);

    let citizen = app.account("citizen@example.cn", Role::User, None);
    let pa = app.account("pa@hefei.gov.cn", Role::Publisher, Some("dept-a"));
    app.account("admin@ah.gov.cn", Role::Admin, None);
    let cli = Actor::cli();
    let report = |at: NaiveDateTime| {
        kaifang::services::reviews::submit(
            &mut app.conn(),
            "a-daily",
            &kaifang::services::reviews::ReportForm {
                description: "票价有误，请核实".into(),
                ..Default::default()
            },
            Some(&citizen),
            None,
            at,
            &cli,
        )
        .unwrap()
    };
    // Reviews on A: filed Monday 2 November; answered Friday 6 November (4 working days) and
    // Friday 20 November (14, past the due date of 16 November); one filed today, open.
    let monday = china_morning(2026, 11, 2);
    let r1 = report(monday);
    let r2 = report(monday);
    report(now);
    for (r, at) in [
        (r1.id, china_morning(2026, 11, 6)),
        (r2.id, china_morning(2026, 11, 20)),
    ] {
        kaifang::services::reviews::answer(
            &mut app.conn(),
            &pa,
            r,
            kaifang::services::reviews::Answer {
                outcome: "not_error",
                text: "经核查数据无误。",
                version: "",
            },
            at,
            &cli,
        )
        .unwrap();
    }
    // Requests: routed to A on 2 November and answered the next day; routed to B on
    // 2 November and never answered (due 16 November).
    for (dept, answered_by) in [("dept-a", Some(&pa)), ("dept-b", None)] {
        let r = kaifang::services::requests::submit(
            &mut app.conn(),
            &citizen,
            &kaifang::services::requests::RequestForm {
                title: format!("{dept}的停车数据"),
                description: "停车场位置和实时空余车位".into(),
                intended_use: "停车导航".into(),
                department: String::new(),
            },
            monday - Duration::days(1),
            &cli,
        )
        .unwrap();
        kaifang::services::requests::route(&mut app.conn(), r.id, dept, 10, monday, &cli).unwrap();
        if let Some(p) = answered_by {
            kaifang::services::requests::answer(
                &mut app.conn(),
                p,
                r.id,
                "accepted",
                "同意开放，下月发布。",
                china_morning(2026, 11, 3),
                &cli,
            )
            .unwrap();
        }
    }
    // Three API calls.
    for _ in 0..3 {
        assert_eq!(app.get("/api/v1/themes").await.status(), 200);
    }

    let page = app.ok_page("/stats").await;
    // Totals, against the database read here on its own terms.
    let (unconditional, conditional, records, downloads, capacity) = {
        use diesel::prelude::*;
        use kaifang::db::schema::{dataset_fields, datasets};
        let mut conn = app.conn();
        let public: Vec<(i32, String, i64, i64)> = datasets::table
            .filter(datasets::status.eq("published"))
            .filter(datasets::open_class.ne("closed"))
            .select((
                datasets::id,
                datasets::open_class,
                datasets::record_count,
                datasets::download_count,
            ))
            .load(&mut *conn)
            .unwrap();
        let mut capacity = 0;
        for (id, _, records, _) in &public {
            let n: i64 = dataset_fields::table
                .filter(dataset_fields::dataset_id.eq(id))
                .count()
                .get_result(&mut *conn)
                .unwrap();
            capacity += n * records;
        }
        (
            public.iter().filter(|p| p.1 == "unconditional").count(),
            public.iter().filter(|p| p.1 == "conditional").count(),
            public.iter().map(|p| p.2).sum::<i64>(),
            public.iter().map(|p| p.3).sum::<i64>(),
            capacity,
        )
    };
    assert_eq!((unconditional, conditional, downloads), (3, 1, 13));
    let api_calls: i64 = {
        use diesel::prelude::*;
        kaifang::db::schema::usage_daily::table
            .select(kaifang::db::schema::usage_daily::api_calls)
            .load::<i64>(&mut *app.conn())
            .unwrap()
            .into_iter()
            .sum()
    };
    assert_eq!(api_calls, 3, "the calls were stored when /stats was read");
    let totals: Vec<String> = page.texts(".totals dd");
    assert_eq!(
        totals,
        [
            "4".to_owned(),
            unconditional.to_string(),
            conditional.to_string(),
            "2".to_owned(),
            records.to_string(),
            capacity.to_string(),
            downloads.to_string(),
            api_calls.to_string(),
        ]
    );
    let rows = table(&page, ".stats-table");
    let none = || "—".to_owned();
    let s = |v: &str| v.to_owned();
    assert_eq!(
        rows[0],
        [
            s("合肥市数据资源局"),
            s("3"),
            s("2"),
            s("1"),
            s("1"),
            s("50%"),
            // Reviews: 3 received, 2 answered, median (4 + 14) / 2, worst 14, one late.
            s("3"),
            s("2"),
            s("9"),
            s("14"),
            s("1"),
            // Requests: answered in one working day.
            s("1"),
            s("1"),
            s("1"),
            s("1"),
            s("0"),
            s("0"),
            s("0"),
            none(),
            none(),
            s("0"),
            // mean(50, 66.7, 100)
            s("72%"),
        ]
    );
    assert_eq!(
        rows[1],
        [
            s("芜湖市数据资源局"),
            s("1"),
            s("1"),
            s("0"),
            s("1"),
            s("0%"),
            s("0"),
            s("0"),
            none(),
            none(),
            s("0"),
            s("1"),
            s("0"),
            none(),
            none(),
            s("1"),
            s("0"),
            s("0"),
            none(),
            none(),
            s("0"),
            s("0%"),
        ]
    );
    assert_eq!(rows[2][0], "蚌埠市数据资源局");
    assert_eq!(rows[2][21], "—");
    assert_eq!(page.count("figure.chart svg"), 2, "two charts");
    // The CSV export says the same.
    let res = app.get("/stats/departments.csv").await;
    assert_eq!(res.status(), 200);
    let bytes = res.bytes().await.unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "a BOM for Excel");
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let csv_rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    assert_eq!(csv_rows, rows);
    assert_eq!(app.get("/stats/users.csv").await.status(), 404);

    // The assessment of 1 to 10 November, judged as of its end.
    let browser = app.logged_in("admin@ah.gov.cn").await;
    let (status, page) = browser
        .page("/admin/assessment?from=2026-11-01&to=2026-11-10")
        .await;
    assert_eq!(status, 200);
    let rows = table(&page, ".stats-table");
    // A: two reviews received in the period, one answered by its end (4 days), none late.
    assert_eq!(rows[0][6..11], [s("2"), s("1"), s("4"), s("4"), s("0")]);
    // B: the request was not yet due on 10 November.
    assert_eq!(rows[1][11..16], [s("1"), s("0"), none(), none(), s("0")]);
    assert_eq!(rows[0][1], "0", "nothing was published in the period");
    // Bad periods: 400, the input kept.
    let (status, page) = browser.page("/admin/assessment?from=2026-13-01&to=").await;
    assert_eq!(status, 400);
    assert!(page.text("#error-summary").contains("不是日期"));
    assert_eq!(page.attrs("#f-from", "value"), ["2026-13-01"]);
    let (status, page) = browser
        .page("/admin/assessment?from=2026-11-10&to=2026-11-01")
        .await;
    assert_eq!(status, 400);
    assert!(
        page.text("#error-summary")
            .contains("结束日期不能早于开始日期")
    );
}
