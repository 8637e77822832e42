//! SIGTERM while people use the portal (the built binary as a real process): live emergency
//! pages are told to reconnect and their streams end at once, a download under way finishes in
//! full, no new connection is taken, and the process exits well inside its grace period
//! instead of waiting for the live streams to time out.

use std::time::{Duration, Instant};

use futures_util::StreamExt;

use crate::both_backends;
use crate::helpers::{Backend, DatasetBuilder, ServerProcess, TestApp, csv_of, ingest_file};

both_backends!(sigterm_lets_downloads_finish_and_tells_live_pages_to_reconnect);

async fn sigterm_lets_downloads_finish_and_tells_live_pages_to_reconnect(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let dept = app.department("hefei-transport", "合肥市交通运输局", "340100");
    app.emergency("flood-2026", "合肥市防汛应急", &dept);
    let d = DatasetBuilder::new("hefei-bus-lines", "合肥市公交线路", &dept).insert(&app);
    let rows = csv_of(&["线路", "站点", "票价"], 60_000, |i| {
        vec![
            format!("{}路", i + 1),
            format!("合肥市第{i}号公交站台（示例）"),
            "2".into(),
        ]
    });
    let (r, v) = ingest_file(&app, &d, "线路", "线路.csv", &rows);
    assert_eq!(v.status, "ready");
    let mut server = ServerProcess::start(
        &app.client,
        app.data_dir.path(),
        &app.settings.database_url,
        &app.data_dir.path().join("search-shutdown"),
    )
    .await;
    let address = server.address.clone();
    let url = |path: &str| format!("{address}{path}");

    // Two live pages listening, and a download whose first bytes have arrived.
    let mut live = Vec::new();
    for _ in 0..2 {
        let res = app
            .client
            .get(url("/emergencies/flood-2026/live"))
            .timeout(Duration::from_secs(60))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let mut stream = res.bytes_stream();
        let hello = stream.next().await.unwrap().unwrap();
        assert!(String::from_utf8_lossy(&hello).contains("connected"));
        live.push(stream);
    }
    let download = app
        .client
        .get(url(&format!(
            "/datasets/hefei-bus-lines/resources/{}/download?format=json",
            r.id
        )))
        .timeout(Duration::from_secs(60))
        .send()
        .await
        .unwrap();
    assert_eq!(download.status(), 200);
    let mut body = download.bytes_stream();
    let mut got = body.next().await.unwrap().unwrap().to_vec();

    server.terminate();
    let stopped_at = Instant::now();

    // Each live page hears "reconnect" (and a short retry), then its stream ends.
    for mut stream in live {
        let mut said = String::new();
        while let Some(chunk) = stream.next().await {
            said.push_str(&String::from_utf8_lossy(&chunk.unwrap()));
        }
        assert!(said.contains("event: reconnect"), "{said:?}");
        assert!(said.contains("retry: 1000"), "{said:?}");
    }
    // The download goes on to its end: valid JSON with every row.
    while let Some(chunk) = body.next().await {
        got.extend_from_slice(&chunk.expect("the download is not cut off"));
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let json: serde_json::Value = serde_json::from_slice(&got).expect("the whole file");
    let records = json
        .as_array()
        .or_else(|| json["rows"].as_array())
        .or_else(|| json["records"].as_array())
        .map(Vec::len);
    assert_eq!(records, Some(60_000), "every row arrived");
    // Nobody new gets in, and the process is gone long before the 30 s grace.
    let status = server
        .wait_exit(Duration::from_secs(15))
        .expect("the portal exits once the download is done");
    assert!(status.success(), "{status}");
    assert!(stopped_at.elapsed() < Duration::from_secs(15));
    assert!(
        app.client
            .get(url("/healthz"))
            .timeout(Duration::from_secs(2))
            .send()
            .await
            .is_err(),
        "the stopped portal answers no more"
    );
}
