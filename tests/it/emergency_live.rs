//! The emergency page's live stream (`/emergencies/{slug}/live`): every update arrives as JSON
//! in the API's shape, with its id, and a reader who reconnects with `Last-Event-ID` gets exactly
//! the updates it missed (issue 19); across instances on one PostgreSQL database too.

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::{Value, json};

use crate::both_backends;
use crate::emergencies::{post, zone};
use crate::helpers::{Backend, TestApp};

both_backends!(
    the_live_stream_announces_a_posted_update,
    a_reconnecting_reader_gets_exactly_the_updates_it_missed,
);

type Events = std::pin::Pin<
    Box<dyn futures_util::Stream<Item = reqwest::Result<actix_web::web::Bytes>> + Send>,
>;

/// Opens an event page's live stream and reads its greeting.
async fn listen(app: &TestApp) -> Events {
    listen_from(app, None).await.0
}

/// Opens the live stream, resuming after `last` when given; returns the stream and the greeting
/// (with any replayed updates in it).
async fn listen_from(app: &TestApp, last: Option<&str>) -> (Events, String) {
    let mut req = app
        .client
        .get(format!("{}/emergencies/chaohu-flood/live", app.address));
    if let Some(id) = last {
        req = req.header("Last-Event-ID", id);
    }
    let res = req.send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let mut stream: Events = Box::pin(res.bytes_stream());
    let hello = tokio::time::timeout(Duration::from_secs(10), stream.next())
        .await
        .expect("the stream opens")
        .unwrap()
        .unwrap();
    let hello = String::from_utf8_lossy(&hello).into_owned();
    assert!(hello.contains("connected"));
    (stream, hello)
}

/// Reads until an `update` event arrives (at most 10 s); returns what was read.
async fn next_update(stream: &mut Events) -> String {
    let mut got = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !got.contains("event: update") {
        let chunk = tokio::time::timeout_at(deadline, stream.next())
            .await
            .expect("the update arrives within 10 s")
            .unwrap()
            .unwrap();
        got.push_str(&String::from_utf8_lossy(&chunk));
    }
    got
}

async fn the_live_stream_announces_a_posted_update(backend: Backend) {
    let Some(z) = zone(backend).await else {
        return;
    };
    let mut stream = listen(&z.app).await;
    let (status, body) = post(&z, Some(&z.own), json!({"text": "新的数据"})).await;
    assert_eq!(status, 201);
    let got = updates(&next_update(&mut stream).await);
    let id = body["update"]["id"].as_i64().unwrap();
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, id);
    assert_eq!(got[0].1["text"], "新的数据");
    assert_eq!(
        z.app.get("/emergencies/no-such-event/live").await.status(),
        404
    );
}

/// Two instances on one PostgreSQL database: an update posted to one reaches the live pages of
/// the other (LISTEN/NOTIFY), and each page hears it once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_live_updates_through_one_postgres_database() {
    let Some(z) = zone(Backend::Postgres).await else {
        return;
    };
    let url = z.app.settings.database_url.clone();
    // A second portal process on the same database, with its own data directory and index.
    let second = TestApp::spawn_with(Backend::Sqlite, |s| s.database_url = url)
        .await
        .expect("a second instance");
    assert_eq!(
        second.get("/emergencies/chaohu-flood").await.status(),
        200,
        "the second instance sees the event"
    );
    let mut on_second = listen(&second).await;
    let mut on_first = listen(&z.app).await;
    let (status, body) = post(&z, Some(&z.own), json!({"text": "第一实例发布"})).await;
    assert_eq!(status, 201);
    let id = body["update"]["id"].as_i64().unwrap();
    let got = updates(&next_update(&mut on_second).await);
    assert_eq!(got.iter().map(|u| u.0).collect::<Vec<_>>(), [id]);
    assert_eq!(got[0].1["text"], "第一实例发布");
    let got = updates(&next_update(&mut on_first).await);
    assert_eq!(got.iter().map(|u| u.0).collect::<Vec<_>>(), [id]);
    // Once only: nothing more within a second.
    let more = tokio::time::timeout(Duration::from_secs(1), on_first.next()).await;
    assert!(more.is_err(), "no second announcement: {more:?}");
    // And the other way round.
    let page = second.ok_page("/emergencies/chaohu-flood").await;
    assert!(page.text("#live-root").contains("第一实例发布"));
}

/// The `update` events in what a stream sent: (the `id:` line, the data as JSON).
fn updates(text: &str) -> Vec<(i64, Value)> {
    text.split("\n\n")
        .filter(|block| block.lines().any(|l| l == "event: update"))
        .map(|block| {
            let field = |name: &str| {
                block
                    .lines()
                    .find_map(|l| l.strip_prefix(name))
                    .unwrap_or_else(|| panic!("no {name} in {block}"))
                    .to_owned()
            };
            let data: Value = serde_json::from_str(&field("data: ")).expect("the data is JSON");
            (field("id: ").parse().unwrap(), data)
        })
        .collect()
}

/// Reads until `n` update events have arrived (at most 10 s), starting from `got`.
async fn read_updates(stream: &mut Events, mut got: String, n: usize) -> Vec<(i64, Value)> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while updates(&got).len() < n {
        let chunk = tokio::time::timeout_at(deadline, stream.next())
            .await
            .unwrap_or_else(|_| panic!("{n} updates within 10 s: {got}"))
            .unwrap()
            .unwrap();
        got.push_str(&String::from_utf8_lossy(&chunk));
    }
    updates(&got)
}

async fn a_reconnecting_reader_gets_exactly_the_updates_it_missed(backend: Backend) {
    let Some(z) = zone(backend).await else {
        return;
    };
    let (status, _) = post(&z, Some(&z.own), json!({"text": "连接之前的更新"})).await;
    assert_eq!(status, 201);
    // A new reader is not sent the history.
    let (mut stream, hello) = listen_from(&z.app, None).await;
    assert!(updates(&hello).is_empty(), "{hello}");
    let update = json!({
        "text": "巢湖水位上涨",
        "indicators": [{"name": "降雨量", "value": 12.5, "unit": "mm", "region": "340102"}],
    });
    let (status, _) = post(&z, Some(&z.own), update).await;
    assert_eq!(status, 201);
    let got = read_updates(&mut stream, String::new(), 1).await;
    assert_eq!(got.len(), 1);
    let (seen, data) = got[0].clone();
    // The data is the update as the API lists it.
    let api: Value = z
        .app
        .get("/api/v1/emergencies/chaohu-flood")
        .await
        .json()
        .await
        .unwrap();
    let listed = api["updates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == seen)
        .expect("listed by the API")
        .clone();
    assert_eq!(data, listed);
    assert_eq!(data["indicators"][0]["name"], "降雨量");
    drop(stream);

    // Two updates while the reader is away; it comes back with the id it last saw.
    let mut missed = Vec::new();
    for text in ["第一条错过的更新", "第二条错过的更新"] {
        let (status, body) = post(&z, Some(&z.own), json!({ "text": text })).await;
        assert_eq!(status, 201);
        missed.push(body["update"]["id"].as_i64().unwrap());
    }
    let (mut stream, hello) = listen_from(&z.app, Some(&seen.to_string())).await;
    let got = read_updates(&mut stream, hello, 2).await;
    assert_eq!(got.iter().map(|u| u.0).collect::<Vec<_>>(), missed);
    assert_eq!(got[0].1["text"], "第一条错过的更新");
    assert_eq!(got[1].1["text"], "第二条错过的更新");
    // Exactly those: the next event is the next update, not a repeat.
    let (status, body) = post(&z, Some(&z.own), json!({"text": "重连之后的更新"})).await;
    assert_eq!(status, 201);
    let got = read_updates(&mut stream, String::new(), 1).await;
    assert_eq!(
        got.iter().map(|u| u.0).collect::<Vec<_>>(),
        [body["update"]["id"].as_i64().unwrap()]
    );

    // Ids that are not an update of this event resume from now, and never fail the stream.
    for bad in ["abc", "-5", "99999999", "1e9", ""] {
        let (_, hello) = listen_from(&z.app, Some(bad)).await;
        assert!(updates(&hello).is_empty(), "{bad}: {hello}");
    }
}
