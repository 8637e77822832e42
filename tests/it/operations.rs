//! Health checks, security headers, request ids and static assets.

use diesel::RunQueryDsl;

use crate::both_backends;
use crate::helpers::{Backend, TestApp};

both_backends!(healthz_reports_the_database, security_headers_everywhere);

async fn healthz_reports_the_database(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let res = app.get("/healthz").await;
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"], "ok");

    // Make the database unreachable.
    match backend {
        Backend::Postgres => {
            let db = app.pg.as_ref().unwrap();
            let mut admin = db.admin();
            diesel::sql_query(format!(
                "ALTER DATABASE {} ALLOW_CONNECTIONS false",
                db.name
            ))
            .execute(&mut admin)
            .unwrap();
            diesel::sql_query(format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{}'",
                db.name
            ))
            .execute(&mut admin)
            .unwrap();
        }
        Backend::Sqlite => {
            // Replace the database file's contents with something that is not a database.
            let path = app.data_dir.path().join("kaifang.db");
            for suffix in ["", "-wal", "-shm"] {
                let p = format!("{}{suffix}", path.display());
                if std::path::Path::new(&p).exists() {
                    std::fs::write(&p, vec![0x5a; 8192]).unwrap();
                }
            }
        }
    }
    let res = app.get("/healthz").await;
    assert_eq!(res.status(), 503);
    assert_eq!(res.headers().get("retry-after").unwrap(), "10");
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["status"], "unavailable");
    // Pages say the service is unavailable (503), in the site layout, instead of a 500.
    let res = app.get("/datasets").await;
    assert_eq!(res.status(), 503);
    assert_eq!(res.headers().get("retry-after").unwrap(), "10");
    let page = crate::helpers::Page::new(res.text().await.unwrap());
    assert_eq!(page.text("h1"), "服务暂时不可用");
    assert_eq!(page.count("header.site-header"), 1);
    if let Some(db) = &app.pg {
        let mut admin = db.admin();
        diesel::sql_query(format!("ALTER DATABASE {} ALLOW_CONNECTIONS true", db.name))
            .execute(&mut admin)
            .unwrap();
    }
}

async fn security_headers_everywhere(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    for path in ["/", "/datasets?page=-1", "/no-such-page", "/healthz"] {
        let res = app.get(path).await;
        let h = res.headers();
        let csp = h.get("content-security-policy").unwrap().to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert_eq!(
            h.get("x-content-type-options").unwrap(),
            "nosniff",
            "{path}"
        );
        assert_eq!(
            h.get("referrer-policy").unwrap(),
            "strict-origin-when-cross-origin",
            "{path}"
        );
        assert_eq!(h.get("x-request-id").unwrap().len(), 32, "{path}");
    }
    // Each request gets its own id.
    let a = app.get("/").await.headers().get("x-request-id").cloned();
    let b = app.get("/").await.headers().get("x-request-id").cloned();
    assert_ne!(a, b);
    // No inline script or style on a page, so the CSP can forbid them.
    let page = app.ok_page("/").await;
    assert_eq!(page.count("script"), 0);
    assert_eq!(page.count("style, [style]"), 0);
    // Assets are versioned and cached for a year; the page links the current version.
    let css = page.attrs("link[rel=stylesheet]", "href");
    assert_eq!(css.len(), 1);
    assert!(
        css[0].starts_with("/static/") && css[0].ends_with("/site.css"),
        "{css:?}"
    );
    let res = app.get(&css[0]).await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers().get("content-type").unwrap(),
        "text/css; charset=utf-8"
    );
    assert_eq!(
        res.headers().get("cache-control").unwrap(),
        "public, max-age=31536000, immutable"
    );
    let stale = app.get("/static/0000/site.css").await;
    assert_eq!(stale.status(), 200);
    assert_eq!(stale.headers().get("cache-control").unwrap(), "no-cache");
    assert_eq!(app.get("/static/0000/secret.txt").await.status(), 404);
    // HEAD works like GET without a body.
    let head = app
        .client
        .head(format!("{}/datasets", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), 200);
    // A wrong method gets the site's 405 page.
    let res = app
        .client
        .delete(format!("{}/", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 405);
    let ct = res
        .headers()
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(ct.starts_with("text/html"), "{ct}");
}
