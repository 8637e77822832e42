//! The demo catalog: realistic, complete and deterministic.

use std::collections::{HashMap, HashSet};

use kaifang::db::{departments, resources, themes, versions};
use kaifang::demo;
use kaifang::domain::{DatasetStatus, OpenClass, RegionLevel};
use sha2::{Digest, Sha256};

use crate::both_backends;
use crate::helpers::{Backend, TestApp};

/// Theme codes as the migrations seed them, read from a fresh SQLite database.
fn theme_codes() -> HashMap<String, String> {
    let dir = tempfile::tempdir().unwrap();
    let url = kaifang::db::DatabaseUrl::sqlite_file(&dir.path().join("t.db"));
    let mut conn = url.establish(std::time::Duration::from_secs(5)).unwrap();
    kaifang::db::migrations::run_pending(&mut conn).unwrap();
    themes::all(&mut conn)
        .unwrap()
        .into_iter()
        .map(|t| (t.slug, t.code))
        .collect()
}

/// SHA-256 of the demo plan's `Debug` text.
const PLAN_DIGEST: &str = "89a670a55319a8cb3dba7b89aef4ec00ddc9b6ddf7aab8afc01d6274e11c59d1";

#[test]
fn the_plan_is_deterministic_and_balanced() {
    let a = demo::plan(&theme_codes()).unwrap();
    let b = demo::plan(&theme_codes()).unwrap();
    assert_eq!(
        a.iter()
            .map(|p| (&p.slug, &p.code, p.last_updated_at))
            .collect::<Vec<_>>(),
        b.iter()
            .map(|p| (&p.slug, &p.code, p.last_updated_at))
            .collect::<Vec<_>>()
    );
    // The whole plan (every template, department, title, code, date and field) is pinned: the
    // demo is data, and a change to it, or to how it is read, must be deliberate. Update the
    // digest together with the data.
    let digest = hex::encode(Sha256::digest(format!("{a:?}").as_bytes()));
    assert_eq!(digest, PLAN_DIGEST, "the demo plan changed");
    let n = a.len() as f64;
    let share = |c: OpenClass| a.iter().filter(|p| p.class == c).count() as f64 / n;
    assert!(
        (0.65..=0.75).contains(&share(OpenClass::Unconditional)),
        "{}",
        share(OpenClass::Unconditional)
    );
    assert!(
        (0.20..=0.30).contains(&share(OpenClass::Conditional)),
        "{}",
        share(OpenClass::Conditional)
    );
    assert!(
        (0.03..=0.08).contains(&share(OpenClass::Closed)),
        "{}",
        share(OpenClass::Closed)
    );
    // English: every department, and at least a third of the datasets (the bus datasets too).
    let english = a.iter().filter(|p| p.english.0.is_some()).count();
    assert!(
        english * 3 >= a.len(),
        "{english} of {} in English",
        a.len()
    );
    assert!(
        a.iter()
            .all(|p| p.english.0.is_some() == p.english.1.is_some()
                && !p.english.1.as_deref().unwrap_or_default().contains('{')),
        "titles and summaries together, regions filled in"
    );
    let bus = a
        .iter()
        .find(|p| p.slug == "hefei-transport-bus-stops")
        .unwrap();
    assert_eq!(bus.english.0.as_deref(), Some("Hefei bus stops and lines"));
    let yearly = a
        .iter()
        .find(|p| p.slug == "ah-meteorology-climate-bulletin-2023")
        .unwrap();
    assert_eq!(
        yearly.english.0.as_deref(),
        Some("Anhui climate bulletin, 2023")
    );
    assert!(
        demo::department_seeds()
            .unwrap()
            .iter()
            .all(|d| !d.name_en.is_empty() && !d.description_en.is_empty())
    );
    let public = a
        .iter()
        .filter(|p| p.status == DatasetStatus::Published && p.class != OpenClass::Closed)
        .count();
    assert!(public >= 300, "{public} public datasets");
    let slugs: HashSet<&str> = a.iter().map(|p| p.slug.as_str()).collect();
    assert_eq!(slugs.len(), a.len(), "slugs are unique");
    let codes: HashSet<&str> = a.iter().map(|p| p.code.as_str()).collect();
    assert_eq!(codes.len(), a.len(), "codes are unique");
    for p in &a {
        assert!(kaifang::domain::Slug::parse(&p.slug).is_ok(), "{}", p.slug);
        assert!(
            p.code.parse::<kaifang::domain::DatasetCode>().is_ok(),
            "{}",
            p.code
        );
        assert!(!p.summary.contains('{'), "{}: {}", p.slug, p.summary);
        assert!(
            p.template.fields.len() >= 3,
            "{} has a field dictionary",
            p.slug
        );
        if p.class != OpenClass::Unconditional {
            assert!(
                matches!(&p.template.class, kaifang::demo::seed::ClassSeed::Conditional { legal_basis, .. } | kaifang::demo::seed::ClassSeed::Closed { legal_basis } if !legal_basis.is_empty())
            );
        }
        if let Some(t) = p.published_at {
            assert!(p.last_updated_at >= t, "{}", p.slug);
        }
    }
}

both_backends!(demo_loads_a_realistic_catalog);

async fn demo_loads_a_realistic_catalog(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let ctx = kaifang::startup::offline_ingest_context(&app.settings).unwrap();
    let store = ctx.store.clone();
    let mut conn = app.conn();
    let report = demo::load_if_empty(&mut conn, &ctx)
        .unwrap()
        .expect("an empty catalog is filled");
    assert!(report.departments >= 25, "{report}");
    assert!(report.files >= 20, "{report}");
    assert!(
        demo::load_if_empty(&mut conn, &ctx).unwrap().is_none(),
        "a second load does nothing"
    );

    let depts = departments::all(&mut conn).unwrap();
    assert!(depts.len() >= 25);
    for level in [
        RegionLevel::Province,
        RegionLevel::City,
        RegionLevel::County,
    ] {
        assert!(depts.iter().any(|d| d.level == level), "{level:?}");
    }
    assert!(
        depts
            .iter()
            .all(|d| d.region_code.as_str().starts_with("34")),
        "Anhui codes"
    );

    // Its withdrawn open datasets were public once, so their pages say they were withdrawn.
    let withdrawn: Vec<String> = {
        use diesel::prelude::*;
        use kaifang::db::schema::datasets;
        datasets::table
            .filter(datasets::status.eq("withdrawn"))
            .filter(datasets::open_class.ne("closed"))
            .select(datasets::slug)
            .load(&mut conn)
            .unwrap()
    };
    assert!(!withdrawn.is_empty());
    for slug in &withdrawn {
        assert_eq!(
            app.get(&format!("/datasets/{slug}")).await.status(),
            410,
            "{slug}"
        );
    }

    // Every public dataset has its API page (issue 19).
    let names: serde_json::Value = app
        .get("/api/3/action/package_list")
        .await
        .json()
        .await
        .unwrap();
    let names = names["result"].as_array().unwrap();
    assert!(names.len() >= 300);
    for name in names {
        let path = format!("/datasets/{}/api", name.as_str().unwrap());
        assert_eq!(app.get(&path).await.status(), 200, "{path}");
    }

    // The home page shows the catalog; every theme has data.
    let home = app.ok_page("/").await;
    let shown: i64 = home.texts(".totals dd")[0]
        .replace(',', "")
        .parse()
        .unwrap();
    assert!(shown >= 300, "home shows {shown} datasets");
    let theme_counts = home.texts(".theme-grid .theme-count");
    assert_eq!(theme_counts.len(), 21);
    assert!(
        theme_counts.iter().all(|c| c != "0 个数据集"),
        "{theme_counts:?}"
    );
    assert_eq!(themes::all(&mut conn).unwrap().len(), 21);
    // Every theme and department has its English name and description.
    assert!(themes::all(&mut conn).unwrap().iter().all(
        |t| !t.name_en.is_empty() && t.description_en.as_deref().is_some_and(|d| !d.is_empty())
    ));
    assert!(
        depts
            .iter()
            .all(|d| d.name_en.is_some() && d.description_en.is_some())
    );

    // English and pinyin find the bus datasets (issue 20): "bus" by their English titles,
    // "gongjiao" by their Chinese ones, on whichever search back-end runs.
    for q in ["bus", "Hefei%20bus", "gongjiao", "gongjiao%20hefei", "gj"] {
        let body: serde_json::Value = app
            .get(&format!("/api/v1/datasets?per_page=100&q={q}"))
            .await
            .json()
            .await
            .unwrap();
        let slugs: Vec<&str> = body["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|i| i["slug"].as_str())
            .collect();
        assert!(
            slugs.contains(&"hefei-transport-bus-stops"),
            "{q}: {slugs:?}"
        );
        if !q.to_lowercase().contains("hefei") {
            assert!(
                slugs.contains(&"wuhu-transport-bus-stops"),
                "{q}: {slugs:?}"
            );
        }
    }

    // Real files, through the real ingest: the uploads as stored (checksums match, some GBK),
    // each published as a ready version in UTF-8 with every row loaded; one of 100,000 rows.
    let all = resources_with_class(&mut conn);
    assert!(all.len() >= 20);
    let mut gbk = 0;
    let mut conditional = 0;
    let mut biggest = 0;
    let mut sources = Vec::new();
    for (r, class) in &all {
        let v = versions::by_id(
            &mut conn,
            r.current_version_id.expect("a published version"),
        )
        .unwrap()
        .unwrap();
        assert_eq!(v.status, "ready", "{}: {:?}", r.name, v.report);
        let source = store
            .path(
                v.source_key
                    .as_deref()
                    .expect("no personal data was masked: the upload is kept"),
            )
            .unwrap();
        let bytes = std::fs::read(&source).unwrap_or_else(|e| panic!("{}: {e}", source.display()));
        assert_eq!(hex::encode(Sha256::digest(&bytes)), v.source_sha256);
        sources.push(v.source_sha256.clone());
        let text = match v.encoding.as_deref() {
            Some("GB18030") => {
                gbk += 1;
                assert!(
                    std::str::from_utf8(&bytes).is_err(),
                    "{} is really GBK",
                    r.name
                );
                let (t, _, errors) = encoding_rs::GB18030.decode(&bytes);
                assert!(!errors);
                t.into_owned()
            }
            other => {
                assert_eq!(other, Some("UTF-8"));
                String::from_utf8(bytes).expect("UTF-8")
            }
        };
        let rows = r.row_count.unwrap();
        assert_eq!(
            text.lines().count() as i64 - 1,
            rows,
            "{}: header + rows",
            r.name
        );
        // The published file: UTF-8, same rows, and the resource points at it.
        let published = std::fs::read(store.path(&r.storage_key).unwrap()).unwrap();
        assert_eq!(hex::encode(Sha256::digest(&published)), r.sha256);
        let published = String::from_utf8(published).expect("published as UTF-8");
        assert_eq!(published.lines().count() as i64 - 1, rows);
        assert_eq!(v.row_count, Some(rows));
        biggest = biggest.max(rows);
        if *class == OpenClass::Conditional {
            conditional += 1;
        }
        assert!(!r.name.is_ascii(), "Chinese name: {}", r.name);
    }
    assert!(gbk >= 3, "{gbk} GBK files");
    assert!(conditional >= 2, "{conditional} conditional files");
    assert!(biggest >= 100_000, "largest file has {biggest} rows");
    assert!(
        all.iter().any(|(r, _)| r.row_count.unwrap() <= 1_000),
        "a small file too"
    );

    // Deterministic: a second, independent plan regenerates byte-identical files.
    let codes: HashMap<String, String> = themes::all(&mut conn)
        .unwrap()
        .into_iter()
        .map(|t| (t.slug, t.code))
        .collect();
    let mut regenerated: Vec<String> = demo::plan(&codes)
        .unwrap()
        .iter()
        .filter_map(|p| {
            let rows = p.template.rows?;
            let (bytes, _) = demo::generate_csv(p, rows).unwrap();
            Some(hex::encode(Sha256::digest(&bytes)))
        })
        .collect();
    let mut stored = sources;
    regenerated.sort();
    stored.sort();
    assert_eq!(regenerated, stored);

    // The audit log recorded the load, every file's publication and the emergency zone (three
    // events declared, two closed), and its chain holds.
    assert_eq!(
        kaifang::services::audit::verify(&mut conn).unwrap(),
        Ok(1 + all.len() + 3 + 2)
    );
}

fn resources_with_class(
    conn: &mut kaifang::db::DbConnection,
) -> Vec<(resources::Resource, OpenClass)> {
    use diesel::prelude::*;
    use kaifang::db::schema::{datasets, resources as r};
    let rows: Vec<(resources::Resource, String)> = r::table
        .inner_join(datasets::table)
        .select((resources::Resource::as_select(), datasets::open_class))
        .load(conn)
        .unwrap();
    rows.into_iter()
        .map(|(r, c)| (r, c.parse().unwrap()))
        .collect()
}
