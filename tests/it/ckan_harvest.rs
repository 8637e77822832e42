//! The CKAN actions harvesters and catalogue front-ends call besides `package_search`
//! (issue 19): `current_package_list_with_resources`, `package_autocomplete`,
//! `format_autocomplete`. Public datasets only; bad parameters are CKAN validation errors,
//! never a 500. (tests/interop/check.py drives the same actions through ckanapi.)

use serde_json::Value;

use crate::api::catalog;
use crate::both_backends;
use crate::helpers::Backend;

both_backends!(harvester_actions_list_only_public_datasets);

async fn call(app: &crate::helpers::TestApp, q: &str) -> (u16, Value) {
    let res = app.get(&format!("/api/3/action/{q}")).await;
    let status = res.status().as_u16();
    (status, res.json().await.unwrap())
}

fn names(v: &Value) -> Vec<String> {
    v["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect()
}

async fn harvester_actions_list_only_public_datasets(backend: Backend) {
    let Some(c) = catalog(backend, |_| {}).await else {
        return;
    };
    let app = &c.app;
    let (status, all) = call(app, "current_package_list_with_resources").await;
    assert_eq!(status, 200, "{all}");
    let mut listed = names(&all);
    listed.sort();
    assert_eq!(
        listed,
        ["bus-cards", "bus-lines"],
        "never the closed or draft one"
    );
    assert!(all["result"][0]["resources"].is_array());
    let (_, page2) = call(app, "current_package_list_with_resources?limit=1&page=2").await;
    assert_eq!(names(&page2), [names(&all)[1].clone()]);
    let (_, off) = call(app, "current_package_list_with_resources?limit=1&offset=1").await;
    assert_eq!(names(&off), names(&page2));

    // By name or by title, with CKAN's fields; the closed "bus-staff" never.
    let (status, found) = call(app, "package_autocomplete?q=bus").await;
    assert_eq!(status, 200);
    assert_eq!(names(&found), ["bus-cards", "bus-lines"]);
    assert_eq!(found["result"][0]["match_field"], "name");
    let (_, found) = call(app, "package_autocomplete?q=%E5%88%B7%E5%8D%A1").await; // 刷卡
    assert_eq!(names(&found), ["bus-cards"]);
    assert_eq!(found["result"][0]["match_field"], "title");
    assert_eq!(found["result"][0]["match_displayed"], "合肥市公交刷卡数据");
    let (_, found) = call(app, "package_autocomplete?q=staff").await;
    assert_eq!(names(&found), Vec::<String>::new());
    // LIKE's wildcards are text here.
    let (_, found) = call(app, "package_autocomplete?q=%25").await;
    assert_eq!(names(&found), Vec::<String>::new());

    let (status, formats) = call(app, "format_autocomplete?q=CS").await;
    assert_eq!(status, 200);
    assert_eq!(formats["result"], serde_json::json!(["csv"]));

    // Bad input: validation errors that say which parameter, nothing else.
    let long = "a".repeat(101);
    for bad in [
        "current_package_list_with_resources?limit=0".to_owned(),
        "current_package_list_with_resources?limit=100000".to_owned(),
        "current_package_list_with_resources?page=0".to_owned(),
        "current_package_list_with_resources?limit=abc".to_owned(),
        "package_autocomplete".to_owned(),
        format!("package_autocomplete?q={long}"),
        "format_autocomplete?q=c&limit=-1".to_owned(),
        // Schemathesis: `offset` was not read when `page` was given, so any text passed.
        "current_package_list_with_resources?page=2&offset=abc".to_owned(),
        // Schemathesis on PostgreSQL: a NUL in a text compared in the database was a 500.
        "format_autocomplete?q=c%00".to_owned(),
        "package_autocomplete?q=bus%00".to_owned(),
        "datastore_search?resource_id=1&q=%00".to_owned(),
        "package_search?q=%00".to_owned(),
    ] {
        let (status, body) = call(app, &bad).await;
        assert_eq!(status, 409, "{bad}: {body}");
        assert_eq!(body["success"], false);
        assert_eq!(body["error"]["__type"], "Validation Error", "{bad}");
    }
}
