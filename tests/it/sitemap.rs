//! Issue 18: the sitemap protocol allows 50,000 URLs a file; a larger catalog gets a sitemap
//! index, and every public dataset is listed exactly once (the old sitemap cut off after 49,000
//! and silently left the rest out).

use std::collections::HashMap;

use diesel::RunQueryDsl;
use quick_xml::events::Event;

use crate::both_backends;
use crate::helpers::{Backend, DatasetBuilder, TestApp};

both_backends!(
    a_small_catalog_has_one_sitemap,
    a_catalog_of_100_000_datasets_gets_a_sitemap_index_listing_each_once
);

/// The root element's name and every `<loc>` in a sitemap file, checking it is well-formed XML.
fn parse(xml: &str) -> (String, Vec<String>) {
    let mut reader = quick_xml::Reader::from_str(xml);
    let (mut root, mut locs, mut in_loc) = (String::new(), Vec::new(), false);
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                if root.is_empty() {
                    assert_eq!(
                        e.try_get_attribute("xmlns")
                            .unwrap()
                            .unwrap()
                            .value
                            .as_ref(),
                        b"http://www.sitemaps.org/schemas/sitemap/0.9"
                    );
                    root = name.clone();
                }
                in_loc = name == "loc";
            }
            Event::Text(t) if in_loc => locs.push(t.decode().unwrap().into_owned()),
            Event::End(_) => in_loc = false,
            Event::Eof => break,
            _ => {}
        }
    }
    (root, locs)
}

async fn a_small_catalog_has_one_sitemap(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let d = app.department("hefei-data", "合肥市数据资源局", "340100");
    DatasetBuilder::new("bus-lines", "公交线路", &d).insert(&app);
    DatasetBuilder::new("staff", "人员", &d)
        .closed("《中华人民共和国个人信息保护法》第二十八条")
        .insert(&app);
    let (root, locs) = parse(&app.text("/sitemap.xml").await);
    assert_eq!(root, "urlset");
    assert!(locs.iter().any(|l| l.ends_with("/datasets/bus-lines")));
    assert!(locs.iter().any(|l| l.ends_with("/departments/hefei-data")));
    assert!(!locs.iter().any(|l| l.contains("staff")));
    for missing in ["/sitemaps/1.xml", "/sitemaps/0.xml", "/sitemaps/x.xml"] {
        assert_eq!(app.get(missing).await.status(), 404, "{missing}");
    }
}

async fn a_catalog_of_100_000_datasets_gets_a_sitemap_index_listing_each_once(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let d = app.department("hefei-data", "合肥市数据资源局", "340100");
    // 100,000 public datasets and 500 closed ones, in one statement each back-end understands.
    let insert = |n: i32, open_class: &str, status: &str| {
        format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n}) \
             INSERT INTO datasets (slug, code, title, summary, theme_id, department_id, maintainer, \
             open_class, legal_basis, update_frequency, published_at, last_updated_at, \
             spatial_coverage, license, status, created_at, modified_at) \
             SELECT '{open_class}-' || i, '{open_class}-' || i, '数据集', '摘要', \
             (SELECT MIN(id) FROM themes), {dept}, '合肥', '{open_class}', '依据', 'monthly', \
             '2026-01-01 00:00:00', '2026-01-01 00:00:00', '340100', '许可', '{status}', \
             '2026-01-01 00:00:00', '2026-01-01 00:00:00' FROM n",
            dept = d.id
        )
    };
    {
        let mut conn = app.conn();
        diesel::sql_query(insert(100_000, "unconditional", "published"))
            .execute(&mut conn)
            .unwrap();
        diesel::sql_query(insert(500, "closed", "published"))
            .execute(&mut conn)
            .unwrap();
        // Not what this test is about: keep the indexer from working through 100,500 rows.
        diesel::sql_query("DELETE FROM search_outbox")
            .execute(&mut conn)
            .unwrap();
    }
    let (root, files) = parse(&app.text("/sitemap.xml").await);
    assert_eq!(root, "sitemapindex");
    assert_eq!(
        files.len(),
        3,
        "100,000 datasets and the fixed pages: {files:?}"
    );
    assert!(app.text("/robots.txt").await.contains("/sitemap.xml"));
    let mut seen: HashMap<String, usize> = HashMap::new();
    for file in &files {
        let path = file.split_once("://").unwrap().1;
        let path = &path[path.find('/').unwrap()..];
        let (root, locs) = parse(&app.text(path).await);
        assert_eq!(root, "urlset", "{path}");
        assert!(locs.len() <= 50_000, "{path}: {} URLs", locs.len());
        for l in locs {
            *seen.entry(l).or_default() += 1;
        }
    }
    let datasets: Vec<&String> = seen.keys().filter(|l| l.contains("/datasets/")).collect();
    assert_eq!(datasets.len(), 100_000);
    assert!(seen.values().all(|&n| n == 1), "a URL listed twice");
    assert!(
        seen.keys()
            .any(|l| l.ends_with("/datasets/unconditional-100000"))
    );
    assert!(!seen.keys().any(|l| l.contains("closed-")));
    assert!(seen.keys().any(|l| l.ends_with("/departments/hefei-data")));
    assert_eq!(app.get("/sitemaps/4.xml").await.status(), 404);
}
