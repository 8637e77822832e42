//! Interoperability with the tools developers and harvesters already use (issue 7): the real
//! clients from PyPI (`ckanapi`, `frictionless`, `rdflib`, `pyshacl`, `openapi-spec-validator`)
//! run `tests/interop/check.py` against the running portal; pySHACL validates every catalog page
//! and the per-dataset DCAT documents against the official DCAT-AP 3.0.1 shapes, and
//! Schemathesis fuzzes every operation of the OpenAPI document (issue 19). The Python environment is
//! `KAIFANG_INTEROP_PYTHON`, or `target/interop-venv/bin/python` (`.ci/run` installs it from
//! `tests/interop/requirements.txt`); without one the test is skipped with a note, unless
//! `KAIFANG_REQUIRE_INTEROP=1` (CI) makes that a failure. The script's output is kept in
//! `target/interop-<backend>.log` for the CI log.

use std::path::PathBuf;

use crate::api::catalog;
use crate::both_backends;
use crate::helpers::{Backend, DatasetBuilder, env_flag};

both_backends!(real_clients_read_the_portal);

fn python() -> Option<PathBuf> {
    let given = std::env::var_os("KAIFANG_INTEROP_PYTHON").map(PathBuf::from);
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/interop-venv/bin/python");
    let found = given.or_else(|| venv.exists().then_some(venv));
    if found.is_none() {
        assert!(
            !env_flag("KAIFANG_REQUIRE_INTEROP"),
            "KAIFANG_REQUIRE_INTEROP=1 but there is no Python environment with the clients \
             (target/interop-venv or KAIFANG_INTEROP_PYTHON)"
        );
        eprintln!("interop: skipped (no target/interop-venv; see tests/interop/README.md)");
    }
    found
}

async fn real_clients_read_the_portal(backend: Backend) {
    let Some(python) = python() else {
        return;
    };
    let Some(c) = catalog(backend, |_| {}).await else {
        return;
    };
    // 99 more open datasets of a second department: 101 in the catalog, two pages of 100, so
    // that the paging is followed and every page validated.
    let b = c
        .app
        .department("dept-b", "合肥市自然资源和规划局", "340100");
    for n in 0..99 {
        DatasetBuilder::new(
            &format!("survey-{n:02}"),
            &format!("测绘成果目录第{n}号"),
            &b,
        )
        .insert(&c.app);
    }
    let work = tempfile::tempdir().expect("a work directory");
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/interop/check.py");
    let out = tokio::process::Command::new(&python)
        .arg(&script)
        .args(["--base", &c.app.address])
        .args(["--open", "bus-lines", "--conditional", "bus-cards"])
        .args(["--closed", "bus-staff", "--draft", "bus-plans"])
        .args(["--query", "公交"])
        .arg("--workdir")
        .arg(work.path())
        .kill_on_drop(true)
        .output()
        .await
        .expect("the interop script starts");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let name = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let log = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("target/interop-{name}.log"));
    let _ = std::fs::write(&log, &text);
    assert!(out.status.success(), "the real clients failed:\n{text}");
    assert!(text.contains(" 0 failed"), "{text}");
}

both_backends!(schemathesis_finds_nothing);

/// Schemathesis (issue 19): every operation of `/api/openapi.json`, every check, a fixed seed
/// and at least 100 examples per operation, with a publisher's key and real identifiers for the
/// path parameters (`tests/interop/schemathesis.toml`), so the dataset, resource, version and
/// emergency operations are reached and not only their 404s. Any finding fails the test; the
/// summary is kept in `target/schemathesis-<backend>.log`.
async fn schemathesis_finds_nothing(backend: Backend) {
    use kaifang::domain::Role;
    let Some(python) = python() else {
        return;
    };
    // Quotas out of the way: the run makes thousands of calls from one key.
    let Some(c) = catalog(backend, |s| {
        s.api.anonymous_per_minute = 1_000_000;
        s.api.registered_per_minute = 1_000_000;
        s.api.partner_per_minute = 1_000_000;
        s.api.search_per_minute = 1_000_000;
        s.api.concurrent_downloads = 64;
    })
    .await
    else {
        return;
    };
    let app = &c.app;
    let department = kaifang::services::catalog::department_by_slug(&mut app.conn(), "dept-a")
        .expect("read the department")
        .expect("the fixture's department");
    let publisher = app.account("st@example.cn", Role::Publisher, Some("dept-a"));
    let key = app.api_key(publisher.id);
    app.emergency("flood", "合肥市防汛应急", &department);
    let posted: serde_json::Value = app
        .client
        .post(format!("{}/api/v1/emergencies/flood/updates", app.address))
        .bearer_auth(&key)
        .json(&serde_json::json!({ "text": "水位持续上涨。" }))
        .send()
        .await
        .expect("post an update")
        .json()
        .await
        .expect("the update as JSON");
    let update = posted["update"]["id"].as_i64().expect("the update's id");
    let bin = python.with_file_name("schemathesis");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out = tokio::process::Command::new(&bin)
        .arg("--config-file")
        .arg(root.join("tests/interop/schemathesis.toml"))
        .arg("run")
        .arg(format!("{}/api/openapi.json", app.address))
        // The live stream never ends: it is tested in emergency_live.rs.
        .args(["--exclude-path", "/emergencies/{slug}/live"])
        .args(["--checks", "all"])
        .env("KAIFANG_ST_KEY", &key)
        .env("KAIFANG_ST_DATASET", "bus-lines")
        .env("KAIFANG_ST_RESOURCE", "1")
        .env("KAIFANG_ST_EDIT", "bus-plans")
        .env("KAIFANG_ST_DEPARTMENT", "dept-a")
        .env("KAIFANG_ST_THEME", "transport")
        .env("KAIFANG_ST_EMERGENCY", "flood")
        .env("KAIFANG_ST_UPDATE", update.to_string())
        .env("NO_COLOR", "1")
        .kill_on_drop(true)
        .output()
        .await
        .expect("schemathesis starts");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let name = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let _ = std::fs::write(root.join(format!("target/schemathesis-{name}.log")), &text);
    assert!(out.status.success(), "Schemathesis found problems:\n{text}");
    assert!(text.contains("Test cases:"), "{text}");
    assert!(!text.contains("FAILURES"), "{text}");
}
