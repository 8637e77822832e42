//! Killing the server (`kill -9`) in the middle of an ingest: after a restart the previous
//! version is still served and the interrupted ingest is tried again from its stored upload;
//! interrupted a second time, it is marked failed. The server runs as a
//! real process (the built binary) against the test's database and data directory.

use std::time::{Duration, Instant};

use kaifang::db::{datastore, resources, versions};
use kaifang::domain::Role;

use crate::both_backends;
use crate::helpers::{Backend, DatasetBuilder, ServerProcess, TestApp, csv_of, ingest_file};

/// The built binary serving the test's database and data directory.
async fn start(app: &TestApp) -> ServerProcess {
    ServerProcess::start(
        &app.client,
        app.data_dir.path(),
        &app.settings.database_url,
        &app.data_dir.path().join("search-restarted"),
    )
    .await
}

both_backends!(
    killing_the_server_mid_ingest_keeps_the_previous_version,
    an_ingest_interrupted_twice_fails_and_keeps_the_previous_version,
    killing_the_server_loses_no_acknowledged_application_or_update,
);

async fn killing_the_server_mid_ingest_keeps_the_previous_version(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let dept = app.department("hefei-transport", "合肥市交通运输局", "340100");
    let publisher = app.account(
        "staff@hefei.gov.cn",
        Role::Publisher,
        Some("hefei-transport"),
    );
    let key = app.api_key(publisher.id);
    let d = DatasetBuilder::new("hefei-bus-lines", "合肥市公交线路", &dept).insert(&app);
    let v1 = csv_of(&["线路", "票价"], 3, |i| {
        vec![format!("{}路", i + 1), "2".into()]
    });
    let (r, first) = ingest_file(&app, &d, "线路", "线路.csv", &v1);
    assert_eq!(first.status, "ready");

    let server = start(&app).await;
    let download = format!("/datasets/hefei-bus-lines/resources/{}/download", r.id);
    let served = server.text(&app, &download).await;
    assert_eq!(served.lines().count(), 4);

    // A large version 2: 400,000 rows.
    let big = csv_of(&["线路", "票价"], 400_000, |i| {
        vec![format!("{}路", i + 1), format!("{}", 1 + i % 3)]
    });
    let res = app
        .client
        .post(format!(
            "{}/api/v1/datasets/hefei-bus-lines/resources?resource={}&name=big.csv",
            server.address, r.id
        ))
        .bearer_auth(&key)
        .body(big)
        .timeout(Duration::from_secs(120))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["version"], 2);
    let status_url = format!("{}{}", server.address, body["report_url"].as_str().unwrap());

    // Wait until it is loading rows, then kill -9.
    let started = Instant::now();
    loop {
        let s: serde_json::Value = app.json_with_key(&status_url, &key).await;
        assert_eq!(s["status"], "processing", "killed too late: {s}");
        // Past 40 % the rows are being loaded into the new version's table.
        if s["progress"].as_f64().unwrap() > 41.0 && s["rows_done"].as_i64().unwrap() > 0 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no progress: {s}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    drop(server);
    let v2 = versions::by_number(&mut app.conn(), r.id, 2)
        .unwrap()
        .unwrap();
    assert_eq!(v2.status, "processing", "the kill interrupted it");
    assert!(
        datastore::table_exists(&mut app.conn(), &datastore::table_name(v2.id)).unwrap(),
        "half of version 2 was loaded"
    );

    // Restart: the half-built table is dropped and the ingest tried again from the stored
    // upload; version 1 is served until version 2 is ready, then version 2.
    let server = start(&app).await;
    let v2 = versions::by_number(&mut app.conn(), r.id, 2)
        .unwrap()
        .unwrap();
    assert_eq!(v2.restarts, 1, "tried again after the restart");
    if v2.status != "ready" {
        assert_eq!(
            resources::by_id(&mut app.conn(), r.id)
                .unwrap()
                .unwrap()
                .current_version_id,
            Some(first.id),
            "version 1 is served while version 2 is loaded again"
        );
    }
    let started = Instant::now();
    let v2 = loop {
        let v2 = versions::by_number(&mut app.conn(), r.id, 2)
            .unwrap()
            .unwrap();
        if v2.status != "processing" {
            break v2;
        }
        assert!(
            started.elapsed() < Duration::from_secs(180),
            "the retried ingest did not finish"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(v2.status, "ready", "{:?}", v2.report);
    assert_eq!(v2.row_count, Some(400_000));
    let rows: serde_json::Value = app
        .json_with_key(
            &format!(
                "{}/api/v1/datasets/hefei-bus-lines/resources/{}/rows?limit=1",
                server.address, r.id
            ),
            &key,
        )
        .await;
    assert_eq!(rows["total"], 400_000);
    assert_eq!(rows["version"], 2);
    drop(server);
}

/// An ingest that a restart interrupts again after its retry (it may be what brings the
/// process down) is marked failed, its half-built table dropped, the previous version kept.
async fn an_ingest_interrupted_twice_fails_and_keeps_the_previous_version(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let dept = app.department("hefei-transport", "合肥市交通运输局", "340100");
    let d = DatasetBuilder::new("hefei-bus-lines", "合肥市公交线路", &dept).insert(&app);
    let v1 = csv_of(&["线路", "票价"], 3, |i| {
        vec![format!("{}路", i + 1), "2".into()]
    });
    let (r, first) = ingest_file(&app, &d, "线路", "线路.csv", &v1);
    let (_, second) = ingest_file(
        &app,
        &d,
        "线路",
        "线路.csv",
        &csv_of(&["线路", "票价"], 5, |i| {
            vec![format!("{}路", i + 1), "3".into()]
        }),
    );
    assert_eq!(second.status, "ready");
    // As a restart finds it: processing, a half-built table, one restart already met.
    {
        use diesel::prelude::*;
        use kaifang::db::schema::{resource_versions as rv, resources as res};
        let mut conn = app.conn();
        diesel::update(rv::table.find(second.id))
            .set((rv::status.eq("processing"), rv::restarts.eq(1)))
            .execute(&mut *conn)
            .unwrap();
        diesel::update(res::table.find(r.id))
            .set(res::current_version_id.eq(Some(first.id)))
            .execute(&mut *conn)
            .unwrap();
    }
    let found = kaifang::services::ingest::recover(&mut app.conn(), app.clock.now()).unwrap();
    assert!(found.retried.is_empty());
    assert_eq!(found.failed, 1);
    let v2 = versions::by_id(&mut app.conn(), second.id)
        .unwrap()
        .unwrap();
    assert_eq!(v2.status, "failed");
    assert!(
        v2.report.as_deref().unwrap().contains("服务重启"),
        "{:?}",
        v2.report
    );
    assert!(!datastore::table_exists(&mut app.conn(), &datastore::table_name(v2.id)).unwrap());
    let download = format!("/datasets/hefei-bus-lines/resources/{}/download", r.id);
    assert_eq!(
        app.text(&download).await.lines().count(),
        4,
        "version 1 served"
    );
}

/// `kill -9` right after the portal acknowledged an application and an emergency update: after
/// a restart both are there (an answer is only sent once the transaction committed).
async fn killing_the_server_loses_no_acknowledged_application_or_update(backend: Backend) {
    let Some(s) = crate::applications::setup(backend).await else {
        return;
    };
    let app = &s.app;
    let dept = app.department("ah-emergency", "安徽省应急管理厅", "340000");
    app.emergency("chaohu-flood", "巢湖流域防汛", &dept);
    let duty = app.account("duty@ah.gov.cn", Role::Publisher, Some("ah-emergency"));
    let key = app.api_key(duty.id);
    let server = start(app).await;

    let mut applicant = app.browser();
    applicant.address = server.address.clone();
    assert_eq!(
        applicant
            .login("researcher@example.cn", crate::helpers::PASSWORD)
            .await
            .status(),
        303
    );
    applicant
        .refresh_csrf(&format!("/datasets/{}/apply", s.slug))
        .await;
    let mut fields: Vec<(&str, &str)> = vec![
        ("purpose", "研究合肥市企业成立趋势"),
        ("scenario", "高校科研项目"),
        ("access_mode", "download"),
        ("period_days", "60"),
        (
            "security_measures",
            "加密存储，仅项目组成员可访问，结题后销毁",
        ),
        ("undertaking", "yes"),
    ];
    fields.push(("fields", "企业名称"));
    let res = applicant
        .post(&format!("/datasets/{}/apply", s.slug), &fields)
        .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    let res = app
        .client
        .post(format!(
            "{}/api/v1/emergencies/chaohu-flood/updates",
            server.address
        ))
        .bearer_auth(&key)
        .json(&serde_json::json!({"text": "巢湖水位回落至警戒线以下"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    drop(server); // SIGKILL, at once

    let server = start(app).await;
    let mine = crate::helpers::Page::new({
        let mut b = app.browser();
        b.address = server.address.clone();
        b.login("researcher@example.cn", crate::helpers::PASSWORD)
            .await;
        b.get("/account/applications").await.text().await.unwrap()
    });
    assert!(
        mine.text("table").contains("待审核"),
        "{}",
        mine.text("main")
    );
    let event: serde_json::Value = app
        .client
        .get(format!(
            "{}/api/v1/emergencies/chaohu-flood",
            server.address
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        event.to_string().contains("巢湖水位回落至警戒线以下"),
        "{event}"
    );
}
