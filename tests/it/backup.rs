//! `kaifang backup` while the portal runs, `kaifang restore` into a fresh data directory and
//! database: the restored portal serves the same pages and downloads, honours the same grant,
//! and its audit chain verifies with the same number of events.

use std::process::Command;

use crate::applications::{apply, approve, setup};
use crate::both_backends;
use crate::helpers::{
    Backend, DatasetBuilder, PASSWORD, PgDatabase, ServerProcess, csv_of, ingest_file, pg_server,
};

both_backends!(a_backup_restores_pages_downloads_grants_and_the_audit_chain);

/// Runs the binary against a data directory and database; (success, stdout + stderr).
fn kaifang(args: &[&str], data_dir: &std::path::Path, database_url: &str) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kaifang"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("KAIFANG_DATA_DIR", data_dir)
        .env("KAIFANG_SEARCH__DIR", data_dir.join("search"))
        .env("DATABASE_URL", database_url)
        .env("KAIFANG_LOG__LEVEL", "warn")
        .current_dir(data_dir)
        .output()
        .expect("run kaifang");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// A page without what differs per request (CSRF tokens), per server (its own address in
/// absolute links) or is counted in memory and written once a minute (views and downloads: a
/// backup has what was written when it ran).
fn stable(body: &str, origin: &str) -> String {
    let body = body.replace(origin, "ORIGIN");
    let body = body.as_str();
    if let Ok(mut json) = serde_json::from_str::<serde_json::Value>(body) {
        for key in ["views", "downloads", "view_count", "download_count"] {
            strip(&mut json, key);
        }
        return json.to_string();
    }
    body.lines()
        .filter(|l| {
            !["name=\"csrf\"", "csrf-token", "浏览次数", "下载次数"]
                .iter()
                .any(|w| l.contains(w))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn strip(json: &mut serde_json::Value, key: &str) {
    match json {
        serde_json::Value::Object(map) => {
            map.remove(key);
            map.values_mut().for_each(|v| strip(v, key));
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| strip(v, key)),
        _ => {}
    }
}

async fn a_backup_restores_pages_downloads_grants_and_the_audit_chain(backend: Backend) {
    let Some(s) = setup(backend).await else {
        return;
    };
    let app = &s.app;
    // A grant (and with it audit events), and an open dataset with a file of its own.
    let id = apply(&s, "60").await;
    approve(&s, id, &["企业名称", "成立日期"], "30", "").await;
    let granted = s.applicant.get(&s.download).await;
    assert_eq!(granted.status(), 200);
    let granted = granted.text().await.unwrap();
    let dept = app.department("hefei-transport", "合肥市交通运输局", "340100");
    let open = DatasetBuilder::new("hefei-bus-lines", "合肥市公交线路", &dept).insert(app);
    let lines = csv_of(&["线路", "票价"], 50, |i| {
        vec![format!("{}路", i + 1), "2".into()]
    });
    let (r, v) = ingest_file(app, &open, "线路", "线路.csv", &lines);
    assert_eq!(v.status, "ready");
    let download = format!("/datasets/hefei-bus-lines/resources/{}/download", r.id);
    let paths = [
        "/datasets/hefei-bus-lines".to_owned(),
        "/datasets/hefei-enterprises".to_owned(),
        download.clone(),
        "/api/v1/datasets/hefei-bus-lines".to_owned(),
    ];
    let mut before = Vec::new();
    for p in &paths {
        before.push(stable(&app.text(p).await, &app.address));
    }
    let (ok, audit_before) = kaifang(
        &["audit", "verify"],
        app.data_dir.path(),
        &app.settings.database_url,
    );
    assert!(ok, "{audit_before}");

    // The backup, while the portal runs.
    let backups = tempfile::tempdir().unwrap();
    let to = backups.path().join("b1");
    let (ok, said) = kaifang(
        &["backup", "--to", to.to_str().unwrap()],
        app.data_dir.path(),
        &app.settings.database_url,
    );
    assert!(ok, "{said}");
    assert!(to.join("manifest.json").exists());
    // Not over a non-empty directory.
    let (ok, said) = kaifang(
        &["backup", "--to", to.to_str().unwrap()],
        app.data_dir.path(),
        &app.settings.database_url,
    );
    assert!(!ok && said.contains("不为空"), "{said}");

    // Restored into a fresh directory and an empty database.
    let fresh = tempfile::tempdir().unwrap();
    let fresh_pg = match backend {
        Backend::Postgres => Some(PgDatabase::create(&pg_server().expect("PostgreSQL"))),
        Backend::Sqlite => None,
    };
    let fresh_url = match &fresh_pg {
        Some(db) => db.url(),
        None => format!("sqlite://{}", fresh.path().join("kaifang.db").display()),
    };
    let (ok, said) = kaifang(
        &["restore", "--from", to.to_str().unwrap()],
        fresh.path(),
        &fresh_url,
    );
    assert!(ok, "{said}");
    // Once only: the target is no longer empty.
    let (ok, said) = kaifang(
        &["restore", "--from", to.to_str().unwrap()],
        fresh.path(),
        &fresh_url,
    );
    assert!(!ok && said.contains("只能恢复到空"), "{said}");
    let (ok, audit_after) = kaifang(&["audit", "verify"], fresh.path(), &fresh_url);
    assert!(ok, "{audit_after}");
    assert_eq!(audit_after, audit_before, "the same intact chain");

    let restored = ServerProcess::start(
        &app.client,
        fresh.path(),
        &fresh_url,
        &fresh.path().join("search"),
    )
    .await;
    for (p, expected) in paths.iter().zip(&before) {
        let body = restored.text(app, p).await;
        let body = stable(&body, &restored.address);
        let differs = body
            .lines()
            .zip(expected.lines())
            .find(|(a, b)| a != b)
            .map(|(a, b)| format!("restored: {a}\nbefore:   {b}"));
        assert!(
            differs.is_none(),
            "{p} differs after the restore:\n{differs:?}"
        );
        assert_eq!(&body, expected, "{p} differs after the restore");
    }
    let found = restored.text(app, "/datasets?q=公交").await;
    let found = crate::helpers::Page::new(found);
    assert_eq!(
        found.text("#results-title"),
        "共 1 个数据集",
        "the index was rebuilt: {}",
        found.text("main")
    );
    // The grant holder logs in with the same password and gets the same columns.
    let mut b = app.browser();
    b.address = restored.address.clone();
    assert_eq!(
        b.login("researcher@example.cn", PASSWORD).await.status(),
        303
    );
    let again = b.get(&s.download).await;
    assert_eq!(again.status(), 200);
    assert_eq!(again.text().await.unwrap(), granted);
    // Anyone else still gets nothing.
    assert_eq!(
        app.client
            .get(format!("{}{}", restored.address, s.download))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    // A damaged backup is refused before anything is touched.
    let file = std::fs::read_dir(to.join("files"))
        .unwrap()
        .flatten()
        .find_map(|d| std::fs::read_dir(d.path()).ok()?.flatten().next())
        .expect("a stored file")
        .path();
    std::fs::write(&file, b"tampered").unwrap();
    let empty = tempfile::tempdir().unwrap();
    let empty_url = format!("sqlite://{}", empty.path().join("kaifang.db").display());
    let (ok, said) = kaifang(
        &["restore", "--from", to.to_str().unwrap()],
        empty.path(),
        &empty_url,
    );
    assert!(!ok && said.contains("与清单不符"), "{said}");
    assert!(!empty.path().join("kaifang.db").exists());
}
