//! Absolute links come from the settings only (issue 17, finding 4): a request's `Host` header,
//! which anyone can set, once ended up in API and DCAT links cached publicly, and in robots.txt.

use crate::both_backends;
use crate::helpers::{Backend, DatasetBuilder, TestApp, ingest_file};

both_backends!(
    a_forged_host_never_reaches_a_link,
    the_configured_public_address_is_used_everywhere,
);

const PATHS: [&str; 6] = [
    "/robots.txt",
    "/sitemap.xml",
    "/api/v1/datasets/bus-lines",
    "/api/3/action/package_show?id=bus-lines",
    "/catalog.ttl",
    "/datasets/bus-lines/datapackage.json",
];

async fn setup(app: &TestApp) {
    let dept = app.department("hefei-transport", "合肥市交通运输局", "340100");
    let d = DatasetBuilder::new("bus-lines", "合肥市公交线路", &dept).insert(app);
    ingest_file(
        app,
        &d,
        "线路",
        "lines.csv",
        "线路,票价\n1路,2\n".as_bytes(),
    );
}

async fn with_host(app: &TestApp, path: &str, host: &str) -> String {
    let res = app
        .client
        .get(format!("{}{path}", app.address))
        .header("Host", host)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{path}: {}", res.status());
    res.text().await.unwrap()
}

async fn a_forged_host_never_reaches_a_link(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    setup(&app).await;
    for path in PATHS {
        let body = with_host(&app, path, "evil.example").await;
        assert!(!body.contains("evil.example"), "{path}: {body}");
        assert!(
            body.contains(&app.address),
            "{path} links to the portal itself: {body}"
        );
    }
}

async fn the_configured_public_address_is_used_everywhere(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, |s| {
        s.site.public_url = "https://data.example.gov.cn/".into();
    })
    .await
    else {
        return;
    };
    setup(&app).await;
    for path in PATHS {
        let body = with_host(&app, path, "evil.example").await;
        assert!(!body.contains("evil.example"), "{path}");
        assert!(
            body.contains("https://data.example.gov.cn/"),
            "{path}: {body}"
        );
        assert!(!body.contains("https://data.example.gov.cn//"), "{path}");
    }
}

#[test]
fn a_portal_on_a_public_address_needs_its_public_url() {
    use kaifang::startup::public_url;
    let public: std::net::SocketAddr = "0.0.0.0:8080".parse().unwrap();
    let err = public_url("", public).unwrap_err().to_string();
    assert!(err.contains("site.public_url"), "{err}");
    assert!(public_url("", "10.1.2.3:80".parse().unwrap()).is_err());
    assert_eq!(
        public_url("", "127.0.0.1:8080".parse().unwrap()).unwrap(),
        "http://127.0.0.1:8080"
    );
    assert_eq!(
        public_url("", "[::1]:8080".parse().unwrap()).unwrap(),
        "http://[::1]:8080"
    );
    assert_eq!(
        public_url("https://data.example.gov.cn/", public).unwrap(),
        "https://data.example.gov.cn"
    );
    assert!(public_url("data.example.gov.cn", public).is_err());
    // And the portal refuses to start so, saying what to set.
    let mut settings = kaifang::settings::Settings::load_from(None, Vec::new()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    settings.bind = "0.0.0.0:0".into();
    settings.data_dir = dir.path().to_path_buf();
    settings.database_url = format!("sqlite://{}", dir.path().join("k.db").display());
    let err = match kaifang::startup::Application::build(settings) {
        Ok(_) => panic!("a portal on 0.0.0.0 without site.public_url started"),
        Err(e) => format!("{e:#}"),
    };
    assert!(err.contains("site.public_url"), "{err}");
}
