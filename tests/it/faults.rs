//! Parts that fail while the portal runs. Meilisearch stopped while `MEILI_URL` is set: the
//! catalog search and the search API say "temporarily unavailable" (503) at once, dataset
//! pages and downloads keep working, and when Meilisearch returns the outbox catches up
//! without a restart. The test runs a Meilisearch of its own (the binary from
//! `KAIFANG_MEILI_BIN` or `../shared/tools/meilisearch`), so stopping it disturbs no other test.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::both_backends;
use crate::helpers::{Backend, DatasetBuilder, TestApp, csv_of, env_flag, ingest_file};

both_backends!(search_down_is_a_clear_503_and_catches_up_when_back);

fn meili_binary() -> Option<PathBuf> {
    let configured = std::env::var("KAIFANG_MEILI_BIN").ok().map(PathBuf::from);
    let shared = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/tools/meilisearch");
    configured.into_iter().chain([shared]).find(|p| p.is_file())
}

/// A Meilisearch process on a fixed port and data directory, so it can be stopped and
/// started again as the same server.
struct Meili {
    bin: PathBuf,
    db: tempfile::TempDir,
    port: u16,
    key: String,
    child: Option<Child>,
}

impl Meili {
    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn start(&mut self) {
        let child = Command::new(&self.bin)
            .arg("--db-path")
            .arg(self.db.path().join("meili"))
            .args(["--http-addr", &format!("127.0.0.1:{}", self.port)])
            .args([
                "--master-key",
                &self.key,
                "--no-analytics",
                "--env",
                "development",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start meilisearch");
        self.child = Some(child);
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "Meilisearch did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Meili {
    fn drop(&mut self) {
        self.stop();
    }
}

async fn search_down_is_a_clear_503_and_catches_up_when_back(backend: Backend) {
    let Some(bin) = meili_binary() else {
        assert!(
            !env_flag("KAIFANG_REQUIRE_MEILI"),
            "KAIFANG_REQUIRE_MEILI is set but no Meilisearch binary was found"
        );
        eprintln!("note: no Meilisearch binary; the search fault test is skipped");
        return;
    };
    let mut meili = Meili {
        bin,
        db: tempfile::tempdir().unwrap(),
        port: crate::helpers::free_port(),
        key: format!("fault-test-{}", uuid::Uuid::new_v4().simple()),
        child: None,
    };
    meili.start();
    let (url, key) = (meili.url(), meili.key.clone());
    let Some(app) = TestApp::spawn_with(backend, |s| {
        s.search.meili_url = url;
        s.search.meili_key = key;
        s.search.meili_index = "kaifang_fault".into();
    })
    .await
    else {
        return;
    };
    let dept = app.department("hefei-transport", "合肥市交通运输局", "340100");
    let bus = DatasetBuilder::new("hefei-bus-lines", "合肥市公交线路", &dept).insert(&app);
    let (r, v) = ingest_file(
        &app,
        &bus,
        "线路",
        "线路.csv",
        &csv_of(&["线路", "票价"], 3, |i| {
            vec![format!("{}路", i + 1), "2".into()]
        }),
    );
    assert_eq!(v.status, "ready");
    let download = format!("/datasets/hefei-bus-lines/resources/{}/download", r.id);
    let found = |app: &TestApp, q: &'static str| {
        let (address, client) = (app.address.clone(), app.client.clone());
        async move {
            let res = client
                .get(format!("{address}/api/v1/datasets?q={q}"))
                .send()
                .await
                .unwrap();
            let status = res.status().as_u16();
            let body: serde_json::Value = res.json().await.unwrap_or_default();
            (status, body)
        }
    };
    let (status, body) = found(&app, "公交").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["total"], 1, "{body}");

    // Stopped: a clear 503 at once for searches; everything else works.
    meili.stop();
    let asked = Instant::now();
    let res = app.get("/datasets?q=公交").await;
    assert_eq!(res.status(), 503);
    let page = crate::helpers::Page::new(res.text().await.unwrap());
    assert!(
        page.text("main").contains("暂时"),
        "says it is temporary: {}",
        page.text("main")
    );
    let (status, body) = found(&app, "公交").await;
    assert_eq!(status, 503, "{body}");
    assert!(body["error"]["code"].is_string(), "{body}");
    assert!(
        asked.elapsed() < Duration::from_secs(10),
        "answered within 10 s"
    );
    assert_eq!(app.get("/datasets/hefei-bus-lines").await.status(), 200);
    assert_eq!(app.get(&download).await.status(), 200);
    assert_eq!(
        app.get("/api/v1/datasets/hefei-bus-lines").await.status(),
        200
    );
    assert_eq!(app.get("/healthz").await.status(), 200);
    // A dataset published meanwhile waits in the outbox.
    DatasetBuilder::new("hefei-air", "合肥市空气质量", &dept).insert(&app);

    // Back: the outbox catches up without a restart.
    meili.start();
    let back = Instant::now();
    loop {
        let (status, body) = found(&app, "空气").await;
        if status == 200 && body["total"] == 1 {
            break;
        }
        assert!(
            back.elapsed() < Duration::from_secs(30),
            "search did not catch up: {status} {body}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (status, body) = found(&app, "公交").await;
    assert_eq!((status, body["total"].clone()), (200, 1.into()), "{body}");
}
