//! Search through the real app, on both databases: the embedded index follows the database
//! (whatever path changed it), folds traditional and simplified characters, counts facets that
//! match the list, never shows closed or draft data, and treats any input as text.

use kaifang::domain::DatasetStatus;

use crate::both_backends;
use crate::helpers::{Backend, DatasetBuilder, TestApp, drop_meili_index};

both_backends!(
    the_shared_conformance_suite_passes,
    traditional_and_simplified_find_each_other,
    facet_counts_match_the_list,
    closed_draft_and_withdrawn_datasets_never_show,
    any_search_text_gets_a_page_never_a_500,
    the_json_api_searches_the_same_way,
    english_and_pinyin_find_public_datasets_only,
);

/// The same cases for every back-end, on an index of its own next to this back-end's database:
/// the embedded one in the test's data directory, or Meilisearch when `MEILI_URL` is set.
async fn the_shared_conformance_suite_passes(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let mut settings = app.settings.clone();
    settings.search.dir = app.data_dir.path().join("conformance");
    if !settings.search.meili_index.is_empty() {
        settings.search.meili_index.push_str("_conformance");
    }
    let index = kaifang::startup::search_backend(&settings).expect("an index");
    let index = index.as_ref();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        kaifang::search::conformance::run_all(index)
    }));
    if let Err(panic) = outcome {
        drop_meili_index(&settings);
        std::panic::resume_unwind(panic);
    }
    // And an index built from this database holds exactly its public catalog.
    let dept = app.department("hefei-data", "合肥市数据资源局", "340100");
    DatasetBuilder::new("hefei-bus", "合肥市公交線路數據", &dept).insert(&app);
    DatasetBuilder::new("hefei-secret", "合肥市非开放数据", &dept)
        .closed("《中华人民共和国个人信息保护法》第二十八条")
        .insert(&app);
    let rebuilt = kaifang::services::search::rebuild(&mut app.conn(), index).expect("rebuild");
    assert_eq!(rebuilt, 1);
    assert_eq!(index.len().unwrap(), 1);
    drop_meili_index(&settings);
}

/// A Meilisearch that cannot be reached stops the start with a message that names it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_meilisearch_stops_the_start_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = kaifang::settings::Settings::load_from(
        None,
        [
            ("MEILI_URL".to_owned(), "http://127.0.0.1:9".to_owned()),
            ("MEILI_KEY".to_owned(), "not-a-real-key".to_owned()),
        ],
    )
    .unwrap();
    assert_eq!(settings.search.meili_url, "http://127.0.0.1:9");
    assert!(
        !format!("{settings:?}").contains("not-a-real-key"),
        "the key is never printed"
    );
    settings.bind = "127.0.0.1:0".into();
    settings.data_dir = dir.path().to_path_buf();
    let error = match kaifang::startup::Application::build(settings) {
        Err(e) => format!("{e:#}"),
        Ok(_) => panic!("started without its search engine"),
    };
    assert!(
        error.contains("cannot use Meilisearch at http://127.0.0.1:9")
            && error.contains("搜索服务暂时不可用"),
        "{error}"
    );
    assert!(!error.contains("not-a-real-key"), "{error}");
}

async fn result_titles(app: &TestApp, query: &str) -> (String, Vec<String>) {
    let page = app.ok_page(&format!("/datasets?{query}")).await;
    let titles = page
        .texts(".results .card-title")
        .iter()
        .map(|t| t.replace(' ', ""))
        .collect();
    (page.text("#results-title"), titles)
}

async fn traditional_and_simplified_find_each_other(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    // (A department without 数据 in its name: department names are searched too.)
    let dept = app.department("hefei-build", "合肥市城乡建设局", "340100");
    // (Keywords without 数据 either: the builder's default has it.)
    DatasetBuilder::new("hefei-bus", "合肥市公交线路数据", &dept)
        .keywords("公交")
        .insert(&app);
    DatasetBuilder::new("wuhu-air", "蕪湖市空氣質量監測", &dept)
        .keywords("环境")
        .theme("environment")
        .insert(&app);
    DatasetBuilder::new("hefei-parks", "合肥市公园名录", &dept)
        .keywords("公园")
        .insert(&app);

    // 數據 (traditional) finds 数据; 空气质量 (simplified) finds 空氣質量.
    let (count, titles) = result_titles(&app, "q=%E6%95%B8%E6%93%9A").await;
    assert_eq!(
        (count.as_str(), titles),
        ("共 1 个数据集", vec!["合肥市公交线路数据".to_owned()])
    );
    let page = app.ok_page("/datasets?q=%E6%95%B8%E6%93%9A").await;
    assert_eq!(
        page.texts(".results .card-title mark"),
        ["数据"],
        "the match is marked"
    );
    let (_, titles) = result_titles(&app, "q=%E7%A9%BA%E6%B0%94%E8%B4%A8%E9%87%8F").await;
    assert_eq!(titles, ["蕪湖市空氣質量監測"]);
    // Words run together or apart: all of them must match.
    let (_, titles) = result_titles(&app, "q=%E5%90%88%E8%82%A5%E5%85%AC%E5%9B%AD").await; // 合肥公园
    assert_eq!(titles, ["合肥市公园名录"]);
    let (_, titles) = result_titles(&app, "q=%E5%90%88%E8%82%A5+%E5%85%AC%E5%9B%AD").await; // 合肥 公园
    assert_eq!(titles, ["合肥市公园名录"]);
    // A change made straight in the database reaches the index before the next search.
    diesel::RunQueryDsl::execute(
        diesel::sql_query(
            "UPDATE datasets SET title = '合肥市城市公园名录' WHERE slug = 'hefei-parks'",
        ),
        &mut app.conn(),
    )
    .unwrap();
    let (_, titles) = result_titles(&app, "q=%E5%9F%8E%E5%B8%82").await; // 城市
    assert_eq!(titles, ["合肥市城市公园名录"]);
}

async fn facet_counts_match_the_list(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let hefei = app.department("hefei-data", "合肥市数据资源局", "340100");
    let wuhu = app.department("wuhu-data", "芜湖市数据资源局", "340200");
    for (slug, title, dept, theme) in [
        ("hefei-bus", "合肥市公交数据", &hefei, "transport"),
        ("hefei-metro", "合肥市地铁客流数据", &hefei, "transport"),
        ("hefei-air", "合肥市空气质量数据", &hefei, "environment"),
        ("wuhu-bus", "芜湖市公交数据", &wuhu, "transport"),
        ("wuhu-parks", "芜湖市公园名录", &wuhu, "environment"),
    ] {
        DatasetBuilder::new(slug, title, dept)
            .theme(theme)
            .insert(&app);
    }
    let page = app
        .ok_page("/datasets?q=%E6%95%B0%E6%8D%AE&theme=transport")
        .await; // 数据
    assert_eq!(page.text("#results-title"), "共 3 个数据集");
    // Every facet link's count is the number of results that link leads to.
    for section in ["facet-dept", "facet-theme"] {
        // Selected values link to the list without them; the others narrow it.
        let options = format!("section[aria-labelledby={section}] ul a:not(.selected)");
        let links = page.attrs(&options, "href");
        let labels = page.texts(&options);
        let counts = page.texts(&format!("{options} .facet-count"));
        assert!(!links.is_empty(), "{section}");
        for ((href, label), count) in links.iter().zip(labels).zip(counts) {
            let target = app.ok_page(href).await;
            assert_eq!(
                target.text("#results-title"),
                format!("共 {count} 个数据集"),
                "{section}: {label} → {href}"
            );
        }
    }
}

async fn closed_draft_and_withdrawn_datasets_never_show(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let dept = app.department("hefei-data", "合肥市数据资源局", "340100");
    DatasetBuilder::new("hefei-open", "合肥市开放数据目录", &dept).insert(&app);
    DatasetBuilder::new("hefei-closed", "合肥市户籍人口数据", &dept)
        .closed("《中华人民共和国个人信息保护法》第二十八条")
        .insert(&app);
    DatasetBuilder::new("hefei-draft", "合肥市草稿数据", &dept)
        .status(DatasetStatus::Draft)
        .insert(&app);
    let (count, titles) = result_titles(&app, "q=%E6%95%B0%E6%8D%AE").await; // 数据
    assert_eq!(
        (count.as_str(), titles),
        ("共 1 个数据集", vec!["合肥市开放数据目录".to_owned()])
    );
    let (count, _) = result_titles(&app, "q=%E6%88%B7%E7%B1%8D").await; // 户籍
    assert_eq!(count, "共 0 个数据集");
    // Withdrawn: gone from search at the next request.
    diesel::RunQueryDsl::execute(
        diesel::sql_query("UPDATE datasets SET status = 'withdrawn' WHERE slug = 'hefei-open'"),
        &mut app.conn(),
    )
    .unwrap();
    let (count, _) = result_titles(&app, "q=%E6%95%B0%E6%8D%AE").await;
    assert_eq!(count, "共 0 个数据集");
}

async fn any_search_text_gets_a_page_never_a_500(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let dept = app.department("hefei-data", "合肥市数据资源局", "340100");
    DatasetBuilder::new("hefei-bus", "合肥市公交线路数据", &dept).insert(&app);
    let long = "%E6%95%B0".repeat(3_500); // 数 × 3,500: 10.5 KB of text
    for q in [
        "",
        "q=",
        "q=%20%20",
        "q=title%3A*+AND+(x+OR+y)~2%5E3",
        "q=%27%3B+DROP+TABLE+datasets%3B+--",
        "q=%ED%A0%80",    // a lone surrogate, percent-encoded
        "q=%F0%9F%98%80", // an emoji
        "q=%00",
        "q=%25_%5C",
        &format!("q={long}"),
    ] {
        let res = app.get(&format!("/datasets?{q}")).await;
        let status = res.status().as_u16();
        assert!(status == 200 || status == 400, "{q:.60}: {status}");
        let body = res.text().await.unwrap();
        assert!(
            body.contains("id=\"results-title\"") || status == 400,
            "{q:.60}"
        );
    }
    // The data is still there.
    let (count, _) = result_titles(&app, "q=%E5%85%AC%E4%BA%A4").await;
    assert_eq!(count, "共 1 个数据集");
}

async fn the_json_api_searches_the_same_way(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let dept = app.department("hefei-build", "合肥市城乡建设局", "340100");
    DatasetBuilder::new("hefei-bus", "合肥市公交线路数据", &dept)
        .keywords("公交")
        .formats(&["CSV", "JSON"])
        .insert(&app);
    DatasetBuilder::new("hefei-parks", "合肥市公园名录", &dept)
        .keywords("公园")
        .theme("environment")
        .insert(&app);
    DatasetBuilder::new("hefei-census", "合肥市户籍数据", &dept)
        .keywords("户籍")
        .closed("《中华人民共和国个人信息保护法》第二十八条")
        .insert(&app);
    let res = app.get("/api/v1/datasets?q=%E6%95%B8%E6%93%9A").await; // 數據
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["total"], 1, "{body}");
    assert_eq!(body["items"][0]["title"], "合肥市公交线路数据");
    assert_eq!(
        body["items"][0]["highlight"]["title"],
        "合肥市公交线路<mark>数据</mark>"
    );
    assert_eq!(body["facets"]["theme"][0]["value"], "transport");
    assert_eq!(body["facets"]["theme"][0]["count"], 1);
    let formats: Vec<&str> = body["facets"]["format"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["value"].as_str().unwrap())
        .collect();
    assert_eq!(formats, ["CSV", "JSON"]);
    // Everything public, paged.
    let body: serde_json::Value = app
        .get("/api/v1/datasets?per_page=1&page=2&sort=name")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (body["total"].as_i64(), body["pages"].as_i64()),
        (Some(2), Some(2))
    );
    assert_eq!(body["items"].as_array().unwrap().len(), 1);
    assert!(
        !body.to_string().contains("户籍"),
        "closed data never appears"
    );
    // Bad parameters: the envelope and a 400.
    for q in [
        "sort=bogus",
        "per_page=0",
        "per_page=abc",
        "theme=no-such-theme",
        "page=-1",
    ] {
        let res = app.get(&format!("/api/v1/datasets?{q}")).await;
        assert_eq!(res.status(), 400, "{q}");
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "bad_request", "{q}: {body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
    }
}

/// The search API's slugs for a query (every page of up to 100).
async fn found(app: &TestApp, q: &str) -> Vec<String> {
    let body: serde_json::Value = app
        .get(&format!("/api/v1/datasets?per_page=100&q={q}"))
        .await
        .json()
        .await
        .unwrap();
    let mut slugs: Vec<String> = body["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{q}: {body}"))
        .iter()
        .map(|i| i["slug"].as_str().unwrap().to_owned())
        .collect();
    slugs.sort();
    slugs
}

/// English words find datasets by their English titles and summaries, pinyin (joined, spaced or
/// initials) by their Chinese titles and keywords; neither finds closed or draft datasets, and
/// an English title changed in the database is searched at the next request.
async fn english_and_pinyin_find_public_datasets_only(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let dept = app.department("hefei-build", "合肥市城乡建设局", "340100");
    DatasetBuilder::new("hefei-bus", "合肥市公交线路数据", &dept)
        .keywords("公交,交通")
        .english("Hefei bus lines", "Routes and stops of the city buses.")
        .insert(&app);
    DatasetBuilder::new("hefei-parks", "合肥市公园名录", &dept)
        .keywords("公园")
        .english("Hefei parks", "Parks of Hefei.")
        .insert(&app);
    DatasetBuilder::new("hefei-bus-cards", "合肥市公交卡实名数据", &dept)
        .keywords("公交")
        .english("Hefei bus card holders", "Named bus cards.")
        .closed("《中华人民共和国个人信息保护法》第二十八条")
        .insert(&app);
    DatasetBuilder::new("hefei-bus-draft", "合肥市公交线路调整", &dept)
        .keywords("公交")
        .english("Hefei bus line changes", "Planned changes.")
        .status(DatasetStatus::Draft)
        .insert(&app);
    let bus = vec!["hefei-bus".to_owned()];
    for q in [
        "bus",
        "Hefei%20bus",
        "BUS",
        "stops",
        "gongjiao",
        "gongjiao%20hefei",
        "gong%20jiao",
        "gj",
        "jiaotong",
        "jt",
    ] {
        assert_eq!(found(&app, q).await, bus, "{q}");
    }
    assert_eq!(found(&app, "%E5%85%AC%E4%BA%A4").await, bus, "公交");
    assert_eq!(
        found(&app, "hefei").await.len(),
        2,
        "hefei: both public ones"
    );
    assert_eq!(
        found(&app, "park").await,
        ["hefei-parks"],
        "park: stemmed parks"
    );
    // The catalog page finds the same.
    let (count, titles) = result_titles(&app, "q=gongjiao").await;
    assert_eq!(
        (count.as_str(), titles),
        ("共 1 个数据集", vec!["合肥市公交线路数据".to_owned()])
    );
    // An English title changed by any path reaches the index (the outbox trigger watches it).
    diesel::RunQueryDsl::execute(
        diesel::sql_query(
            "UPDATE datasets SET title_en = 'Hefei tram lines' WHERE slug = 'hefei-bus'",
        ),
        &mut app.conn(),
    )
    .unwrap();
    assert_eq!(found(&app, "tram").await, bus);
}
