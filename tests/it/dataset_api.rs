//! The per-dataset API page, `/datasets/{slug}/api` (issue 19): the row API's fields, examples
//! that work as written (the curl example is run with the real `curl` and must get the answer
//! the page shows), and for conditional data how to apply instead of rows.

use crate::both_backends;
use crate::helpers::{Backend, DatasetBuilder, TestApp, ingest_file};
use kaifang::domain::{DatasetStatus, Role};

both_backends!(the_api_page_documents_what_the_row_api_answers);

/// Runs a documented shell command (the curl example) with the key put in; its output as JSON
/// and the HTTP status curl saw.
async fn run_example(command: &str, key: &str) -> (serde_json::Value, String) {
    let command = command.replace(kaifang::web::pages::dataset_api::KEY, key);
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("{command} -sS -w '\\n%{{http_code}}'"))
            .output()
            .expect("curl runs (apt install curl)")
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let (body, status) = text.rsplit_once('\n').unwrap();
    (
        serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}")),
        status.to_owned(),
    )
}

async fn the_api_page_documents_what_the_row_api_answers(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let a = app.department("dept-a", "合肥市交通运输局", "340100");
    let open = DatasetBuilder::new("bus-fares", "合肥公交票价", &a).insert(&app);
    let cond = DatasetBuilder::new("taxi-trips", "合肥出租车行程", &a)
        .conditional("仅限交通研究", "《安徽省政务数据资源管理办法》第二十条")
        .insert(&app);
    let draft = DatasetBuilder::new("bus-draft", "草稿", &a)
        .status(DatasetStatus::Draft)
        .insert(&app);
    let csv = "线路,票价,通宵\n1路,2,否\n2路,1,是\n3路,2,否\n4路,3,否\n".as_bytes();
    let (r_open, _) = ingest_file(&app, &open, "票价表", "fares.csv", csv);
    let (r_cond, _) = ingest_file(&app, &cond, "行程", "trips.csv", csv);
    ingest_file(&app, &draft, "草稿", "d.csv", csv);
    let user = app.account("dev@example.cn", Role::User, None);
    let key = app.api_key(user.id);

    // The dataset page links to it.
    let page = app.ok_page("/datasets/bus-fares").await;
    assert!(
        page.attrs("a", "href")
            .contains(&"/datasets/bus-fares/api".to_owned())
    );

    // Open data: the fields with their types, and a curl example whose answer is on the page.
    let page = app.ok_page("/datasets/bus-fares/api").await;
    let fields = page.texts(&format!(
        "div[aria-labelledby='fields-{}'] tbody th",
        r_open.id
    ));
    assert_eq!(fields, ["线路", "票价", "通宵"]);
    let curl = page.text(&format!("#curl-{}", r_open.id));
    assert!(curl.starts_with("curl "), "{curl}");
    let shown: serde_json::Value =
        serde_json::from_str(&page.text(&format!("#answer-{}", r_open.id))).unwrap();
    assert_eq!(shown["records"].as_array().unwrap().len(), 3);
    assert_eq!(shown["records"][0]["线路"], "1路");
    let (got, status) = run_example(&curl, &key).await;
    assert_eq!(status, "200", "{got}");
    assert_eq!(got, shown, "the example gets exactly the documented answer");
    for code in ["python", "javascript", "ckan"] {
        assert!(page.count(&format!("#{code}-{}", r_open.id)) == 1, "{code}");
    }
    assert!(!page.text("main").contains("如何取得接口访问权限"));

    // Conditional data: how to apply, the answer's shape without rows, and the example is
    // refused without a grant.
    let page = app.ok_page("/datasets/taxi-trips/api").await;
    assert!(page.text("main").contains("如何取得接口访问权限"));
    assert!(
        page.attrs("a", "href")
            .contains(&"/datasets/taxi-trips/apply".to_owned())
    );
    let shape: serde_json::Value =
        serde_json::from_str(&page.text(&format!("#answer-{}", r_cond.id))).unwrap();
    assert_eq!(shape["records"], serde_json::json!([]));
    assert_eq!(shape["fields"][1]["name"], "票价");
    assert!(
        !page.text("main").contains("1路"),
        "no rows of conditional data"
    );
    let (got, status) = run_example(&page.text(&format!("#curl-{}", r_cond.id)), &key).await;
    assert_eq!(status, "403", "{got}");
    assert!(got["error"]["code"].is_string());

    // Drafts, unknown and malformed slugs: missing; a NUL is refused before any page.
    for path in ["/datasets/bus-draft/api", "/datasets/nothing/api"] {
        assert_eq!(app.get(path).await.status(), 404, "{path}");
    }
    assert_eq!(app.get("/datasets/%00/api").await.status(), 400);
}
