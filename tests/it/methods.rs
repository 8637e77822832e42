//! Methods a route does not serve (issue 19): every 405 names what is served in `Allow`
//! (RFC 9110, 15.5.6), on pages and in the API's error envelope alike.

use crate::both_backends;
use crate::helpers::{Backend, TestApp};

both_backends!(every_405_carries_allow);

/// Every pattern of `src/web/routes.rs`, with each `{name}` filled in.
fn route_paths() -> Vec<String> {
    let routes = include_str!("../../src/web/routes.rs");
    let mut paths: Vec<String> = routes
        .split('"')
        .filter(|s| s.starts_with('/') && !s.contains(' '))
        .map(|pattern| {
            pattern
                .split('/')
                .map(|seg| match (seg.find('{'), seg.find('}')) {
                    (Some(open), Some(close)) => format!("{}x1{}", &seg[..open], &seg[close + 1..]),
                    _ => seg.to_owned(),
                })
                .collect::<Vec<_>>()
                .join("/")
        })
        .collect();
    paths.sort();
    paths.dedup();
    paths
}

async fn every_405_carries_allow(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let paths = route_paths();
    assert!(paths.len() > 80, "{} routes read", paths.len());
    let mut wrong = Vec::new();
    for path in &paths {
        for method in ["TRACE", "DELETE", "PUT"] {
            let res = app
                .client
                .request(
                    reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
                    format!("{}{path}", app.address),
                )
                .send()
                .await
                .unwrap();
            let status = res.status().as_u16();
            let allow = res
                .headers()
                .get("allow")
                .map(|v| v.to_str().unwrap().to_owned());
            let json = path.starts_with("/api/");
            let body = res.text().await.unwrap();
            let served = allow
                .as_deref()
                .is_some_and(|a| !a.contains(method) && (a.contains("GET") || a.contains("POST")));
            let shaped = if json {
                body.contains("\"method_not_allowed\"")
            } else {
                body.contains("请求方法不被支持")
            };
            if status != 405 || !served || !shaped {
                wrong.push(format!("{method} {path}: {status}, Allow {allow:?}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    // HEAD is served wherever GET is.
    let res = app
        .client
        .put(format!("{}/api/v1/datasets/x1", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.headers().get("allow").unwrap(),
        "GET, HEAD, PATCH",
        "the record also takes PATCH"
    );
}
