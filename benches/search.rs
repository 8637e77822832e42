//! Search benchmark: `cargo bench --bench search [-- DATASETS QUERIES]` (100,000 and 1,000).
//!
//! A deterministic catalog of Chinese dataset titles and summaries is loaded into a fresh
//! SQLite database through the library; then
//! 1. **build**: the portal's own startup builds the embedded index from the database (timed
//!    around `Application::build`, which also opens the database: the index dominates);
//! 2. **in process**: 1,000 realistic queries — one or two Chinese words, some in traditional
//!    characters, with four facet filters (theme, department, open class, format) — straight
//!    against the index: p50/p95/p99;
//! 3. **over HTTP**: the same queries through `GET /api/v1/datasets` on the running server,
//!    one client, keep-alive: p50/p95/p99.
//!
//! Prints a Markdown table for docs/PERFORMANCE.md.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark may stop at the first failure"
)]

use std::time::{Duration, Instant};

/// The allocator the portal's binary uses (`src/main.rs`): the server runs in this process.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use chrono::NaiveDate;
use kaifang::db::datasets::{self, NewDataset};
use kaifang::db::departments::{self, NewDepartment};
use kaifang::db::themes;
use kaifang::search::{SearchIndex, SearchQuery};
use kaifang::settings::Settings;
use kaifang::startup::Application;

const CITIES: [&str; 16] = [
    "合肥",
    "芜湖",
    "蚌埠",
    "淮南",
    "马鞍山",
    "淮北",
    "铜陵",
    "安庆",
    "黄山",
    "滁州",
    "阜阳",
    "宿州",
    "六安",
    "亳州",
    "池州",
    "宣城",
];
const SUBJECTS: [&str; 24] = [
    "公交线路",
    "公交站点",
    "出租车运营",
    "道路运输",
    "空气质量",
    "水质监测",
    "噪声监测",
    "企业登记",
    "个体工商户",
    "医疗机构",
    "药品零售",
    "学校名录",
    "幼儿园",
    "养老机构",
    "公共图书馆",
    "体育场馆",
    "停车场",
    "充电桩",
    "旅游景区",
    "农产品价格",
    "气象观测",
    "地质灾害",
    "建设工程",
    "政府采购",
];
const KINDS: [&str; 8] = [
    "信息",
    "数据",
    "名录",
    "统计",
    "目录",
    "明细",
    "监测数据",
    "年报",
];
const PHRASES: [&str; 8] = [
    "按月更新，包含",
    "来源于部门业务系统，",
    "覆盖全市各区县，",
    "可用于交通规划与研究，",
    "字段包括名称、地址、经纬度，",
    "数据经脱敏处理，",
    "依照公共数据开放目录提供，",
    "支持按区县筛选，",
];
/// Query words: some as people type them in traditional characters.
const WORDS: [&str; 20] = [
    "公交", "線路", "空气", "質量", "企业", "登記", "医疗", "学校", "养老", "停车", "充电", "旅游",
    "价格", "气象", "灾害", "工程", "采购", "數據", "统计", "名录",
];
const THEMES: [&str; 6] = [
    "transport",
    "environment",
    "enterprise",
    "health",
    "education",
    "culture",
];
const FORMATS: [&str; 4] = ["CSV", "JSON", "XLSX", "API"];

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n as u64) as usize
    }
}

fn percentiles(mut v: Vec<Duration>) -> [f64; 3] {
    v.sort();
    let at = |p: f64| v[((v.len() as f64 * p).ceil() as usize).clamp(1, v.len()) - 1];
    [0.50, 0.95, 0.99].map(|p| at(p).as_secs_f64() * 1000.0)
}

fn queries(n: usize, departments: &[String]) -> Vec<SearchQuery> {
    let mut rng = Rng(0x5EED_CAFE_F00D_D00D);
    (0..n)
        .map(|_| {
            let words = 1 + rng.below(2);
            let text = (0..words)
                .map(|_| WORDS[rng.below(WORDS.len())])
                .collect::<Vec<_>>()
                .join(if rng.below(2) == 0 { " " } else { "" });
            SearchQuery {
                text,
                themes: vec![THEMES[rng.below(THEMES.len())].to_owned()],
                departments: vec![departments[rng.below(departments.len())].clone()],
                open_classes: vec![if rng.below(4) == 0 {
                    kaifang::domain::OpenClass::Conditional
                } else {
                    kaifang::domain::OpenClass::Unconditional
                }],
                formats: vec![FORMATS[rng.below(FORMATS.len())].to_owned()],
                limit: 20,
                ..SearchQuery::default()
            }
        })
        .collect()
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let count: usize = args.first().and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let query_count: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1_000);
    let dir = tempfile::tempdir()?;
    let mut settings = Settings::load_from(None, Vec::new())?;
    settings.bind = "127.0.0.1:0".into();
    settings.workers = 2;
    settings.data_dir = dir.path().to_path_buf();
    settings.log.level = "warn".into();
    // A latency benchmark, not a quota test.
    settings.api.anonymous_per_minute = 1_000_000;
    settings.api.search_per_minute = 1_000_000;

    // The catalog, written through the library into SQLite.
    let started = Instant::now();
    let pool = kaifang::startup::open_database(&settings)?;
    let mut conn = pool.get()?;
    let at = NaiveDate::from_ymd_opt(2026, 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    let theme_ids: Vec<i32> = THEMES
        .iter()
        .map(|t| themes::by_slug(&mut conn, t).map(|x| x.expect("theme").id))
        .collect::<Result<_, _>>()?;
    let mut department_ids = Vec::new();
    let mut department_slugs = Vec::new();
    for (i, city) in CITIES.iter().enumerate() {
        let slug = format!("city-{i:02}");
        let d = departments::insert(
            &mut conn,
            &NewDepartment {
                slug: &slug,
                name: &format!("{city}市数据资源局"),
                level: "city",
                region_code: &format!("34{:02}00", i + 1),
                parent_id: None,
                description: "",
                created_at: at,
                name_en: None,
                description_en: None,
            },
        )?;
        department_ids.push(d.id);
        department_slugs.push(slug);
    }
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    kaifang::db::write_transaction(&mut conn, |conn| -> anyhow::Result<()> {
        for n in 0..count {
            let city = rng.below(CITIES.len());
            let subject = SUBJECTS[rng.below(SUBJECTS.len())];
            let title = format!(
                "{}市{}{}",
                CITIES[city],
                subject,
                KINDS[rng.below(KINDS.len())]
            );
            let summary = format!(
                "{}市{}{}{}{}共{}条记录。",
                CITIES[city],
                subject,
                PHRASES[rng.below(PHRASES.len())],
                PHRASES[rng.below(PHRASES.len())],
                PHRASES[rng.below(PHRASES.len())],
                1 + rng.below(100_000)
            );
            let conditional = rng.below(4) == 0;
            let d = datasets::insert(
                conn,
                &NewDataset {
                    slug: &format!("bench-{n}"),
                    code: &format!("B{n:07}"),
                    title: &title,
                    summary: &summary,
                    keywords: subject,
                    theme_id: theme_ids[rng.below(theme_ids.len())],
                    department_id: department_ids[city],
                    maintainer: "基准测试",
                    open_class: if conditional {
                        "conditional"
                    } else {
                        "unconditional"
                    },
                    open_conditions: conditional.then_some("仅限科研用途"),
                    legal_basis: conditional.then_some("《安徽省政务数据资源管理办法》第三十七条"),
                    update_frequency: "monthly",
                    published_at: Some(at),
                    last_updated_at: at + chrono::Duration::minutes(n as i64),
                    record_count: 100,
                    temporal_start: None,
                    temporal_end: None,
                    spatial_coverage: "340000",
                    license: "安徽省公共数据开放许可协议（署名）",
                    status: "published",
                    priority: false,
                    view_count: 0,
                    download_count: rng.below(10_000) as i64,
                    created_at: at,
                    modified_at: at,
                    title_en: None,
                    summary_en: None,
                },
            )?;
            let format = FORMATS[rng.below(FORMATS.len())];
            datasets::add_format(conn, d.id, format)?;
            if format != "CSV" && rng.below(2) == 0 {
                datasets::add_format(conn, d.id, "CSV")?;
            }
        }
        Ok(())
    })?;
    drop(conn);
    drop(pool);
    eprintln!(
        "catalog: {count} datasets written in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // 1. The index, built by the portal's own startup.
    let started = Instant::now();
    let app = Application::build(settings.clone())?;
    let build = started.elapsed();
    let port = app.port();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let _server = runtime.spawn(app.run_until_stopped());

    // 2. In process, on an index opened next to it from the same database.
    let index = kaifang::search::embedded::EmbeddedIndex::open(&dir.path().join("bench-index"))?;
    let pool = kaifang::startup::open_database(&settings)?;
    kaifang::services::search::rebuild(&mut *pool.get()?, &index)?;
    let qs = queries(query_count, &department_slugs);
    let mut hits = 0u64;
    let mut in_process = Vec::with_capacity(qs.len());
    for q in &qs {
        let t = Instant::now();
        hits += index.search(q)?.total;
        in_process.push(t.elapsed());
    }

    // 3. Over HTTP, through the JSON API.
    let client = reqwest::blocking_client()?;
    let mut over_http = Vec::with_capacity(qs.len());
    runtime.block_on(async {
        for q in &qs {
            let url = format!(
                "http://127.0.0.1:{port}/api/v1/datasets?q={}&theme={}&dept={}&open={}&format={}",
                form_urlencoded::byte_serialize(q.text.as_bytes()).collect::<String>(),
                q.themes[0],
                q.departments[0],
                q.open_classes[0].as_str(),
                q.formats[0].to_lowercase(),
            );
            let t = Instant::now();
            let res = client.get(&url).send().await?;
            assert!(res.status().is_success(), "{url}: {}", res.status());
            res.bytes().await?;
            over_http.push(t.elapsed());
        }
        Ok::<_, anyhow::Error>(())
    })?;

    // The floor: the same client and server answering `/healthz` (one database ping).
    let mut floor = Vec::with_capacity(200);
    runtime.block_on(async {
        for _ in 0..200 {
            let t = Instant::now();
            client
                .get(format!("http://127.0.0.1:{port}/healthz"))
                .send()
                .await?
                .bytes()
                .await?;
            floor.push(t.elapsed());
        }
        Ok::<_, anyhow::Error>(())
    })?;
    // 4. The CKAN Action API's package_search, with and without text and fq, at 10 and 1,000
    //    rows (and a page deep into the catalog).
    let mut ckan_rows = Vec::new();
    for rows in [10usize, 1000] {
        let repeat = if rows == 10 { 300 } else { 40 };
        for (label, text, fq) in [
            ("no q, no fq", false, false),
            ("q", true, false),
            ("fq", false, true),
            ("q and fq", true, true),
        ] {
            let mut took = Vec::with_capacity(repeat);
            runtime.block_on(async {
                for q in qs.iter().take(repeat) {
                    let mut url =
                        format!("http://127.0.0.1:{port}/api/3/action/package_search?rows={rows}");
                    if text {
                        let word = q.text.split(' ').next().unwrap_or_default();
                        url.push_str(&format!(
                            "&q={}",
                            form_urlencoded::byte_serialize(word.as_bytes()).collect::<String>()
                        ));
                    }
                    if fq {
                        let fq = format!(
                            "organization:{} -res_format:{}",
                            q.departments[0], q.formats[0]
                        );
                        url.push_str(&format!(
                            "&fq={}",
                            form_urlencoded::byte_serialize(fq.as_bytes()).collect::<String>()
                        ));
                    }
                    let t = Instant::now();
                    let res = client.get(&url).send().await?;
                    assert!(res.status().is_success(), "{url}: {}", res.status());
                    res.bytes().await?;
                    took.push(t.elapsed());
                }
                Ok::<_, anyhow::Error>(())
            })?;
            ckan_rows.push((format!("rows={rows}, {label}"), rows, percentiles(took)));
        }
    }
    let mut deep = Vec::with_capacity(40);
    runtime.block_on(async {
        for _ in 0..40 {
            let url = format!(
                "http://127.0.0.1:{port}/api/3/action/package_search?rows=1000&start={}",
                count / 2
            );
            let t = Instant::now();
            let res = client.get(&url).send().await?;
            assert!(res.status().is_success(), "{url}: {}", res.status());
            res.bytes().await?;
            deep.push(t.elapsed());
        }
        Ok::<_, anyhow::Error>(())
    })?;
    ckan_rows.push((
        format!("rows=1000, start={}", count / 2),
        1000,
        percentiles(deep),
    ));

    let [f50, f95, f99] = percentiles(floor);
    let [p50, p95, p99] = percentiles(in_process);
    let [h50, h95, h99] = percentiles(over_http);
    println!(
        "Machine: {} cores; {}. Catalog: {count} datasets; {query_count} queries, four facet filters each ({hits} hits in all).\n",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        kaifang::services::clock::Clock::default()
            .now()
            .format("%Y-%m-%d")
    );
    println!("| Measure | Kaifang (embedded index) | Target |\n|---|---|---|");
    println!(
        "| Full index build at startup | {:.2} s | < 15 s |",
        build.as_secs_f64()
    );
    println!(
        "| Query latency in process, p50 / p95 / p99 | {p50:.2} / {p95:.2} / {p99:.2} ms | — |"
    );
    println!(
        "| Query latency over HTTP (`/api/v1/datasets`), p50 / p95 / p99 | {h50:.2} / {h95:.2} / {h99:.2} ms | p95 < 5 ms |"
    );
    println!(
        "| Reference: `/healthz` over HTTP, same client, p50 / p95 / p99 | {f50:.2} / {f95:.2} / {f99:.2} ms | — |"
    );
    for (label, rows, [c50, c95, c99]) in ckan_rows {
        let target = if rows == 10 {
            "p95 < 10 ms"
        } else {
            "p95 < 150 ms"
        };
        println!(
            "| CKAN `package_search` over HTTP, {label}, p50 / p95 / p99 | {c50:.2} / {c95:.2} / {c99:.2} ms | {target} |"
        );
    }
    if let Ok(ckanapi) = std::env::var("KAIFANG_BENCH_CKANAPI") {
        dump_matches_list(&runtime, &client, port, &ckanapi, dir.path())?;
    }
    Ok(())
}

/// `ckanapi dump datasets --all` against the running portal: it must finish and hold exactly
/// the names `package_list` returns.
fn dump_matches_list(
    runtime: &tokio::runtime::Runtime,
    client: &reqwest::Client,
    port: u16,
    ckanapi: &str,
    dir: &std::path::Path,
) -> anyhow::Result<()> {
    let out = dir.join("dump.jsonl");
    let started = Instant::now();
    // Its worker processes are started as `ckanapi` from PATH.
    let bin = std::path::Path::new(ckanapi)
        .parent()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let path = format!("{bin}:{}", std::env::var("PATH").unwrap_or_default());
    let status = std::process::Command::new(ckanapi)
        .env("PATH", path)
        .args(["dump", "datasets", "--all", "-q", "-p", "2", "-r"])
        .arg(format!("http://127.0.0.1:{port}"))
        .arg("-O")
        .arg(&out)
        .status()?;
    anyhow::ensure!(status.success(), "ckanapi dump failed: {status}");
    let took = started.elapsed();
    let mut dumped: Vec<String> = std::fs::read_to_string(&out)?
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("a JSON line");
            v["name"].as_str().unwrap_or_default().to_owned()
        })
        .collect();
    dumped.sort();
    let listed: serde_json::Value = runtime.block_on(async {
        client
            .get(format!("http://127.0.0.1:{port}/api/3/action/package_list"))
            .send()
            .await?
            .json()
            .await
    })?;
    let mut listed: Vec<String> = listed["result"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    listed.sort();
    anyhow::ensure!(
        dumped == listed,
        "the dump holds {} datasets, package_list {}",
        dumped.len(),
        listed.len()
    );
    println!(
        "\n`ckanapi dump datasets --all`: {} datasets in {:.0} s, the same names as `package_list`.",
        dumped.len(),
        took.as_secs_f64()
    );
    Ok(())
}

mod reqwest {
    pub use ::reqwest::*;

    /// One keep-alive client, as a harvester would use.
    pub fn blocking_client() -> Result<Client> {
        Client::builder().pool_max_idle_per_host(1).build()
    }
}
