//! `TestApp`: the real application, started on port 0 against a fresh database.

use std::time::Duration;

use chrono::NaiveDate;
use diesel::Connection;
use diesel::RunQueryDsl;
use diesel::pg::PgConnection;
use kaifang::db::datasets::{self, Dataset, NewDataset, NewField};
use kaifang::db::departments::{self, Department, NewDepartment};
use kaifang::db::resources::{self, NewResource};
use kaifang::db::versions;
use kaifang::db::{DbPool, PooledConn, themes};
use kaifang::domain::{DatasetStatus, OpenClass, UpdateFrequency};
use kaifang::settings::Settings;
use kaifang::startup::Application;
use scraper::{Html, Selector};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs one test body on SQLite and on PostgreSQL: `both_backends!(name)` makes the tests
/// `name::sqlite` and `name::postgres` from `async fn name(backend: Backend)`.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::helpers::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name($crate::helpers::Backend::Postgres).await
            }
        }
    )*};
}

pub fn env_flag(name: &str) -> bool {
    std::env::var(name)
        .map(|v| v == "1" || v == "true")
        .unwrap_or(false)
}

/// The PostgreSQL server URL for tests, or `None` (then PostgreSQL tests are skipped, unless
/// `KAIFANG_REQUIRE_PG=1`, when they fail).
pub fn pg_server() -> Option<String> {
    match std::env::var("KAIFANG_TEST_PG") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                !env_flag("KAIFANG_REQUIRE_PG"),
                "KAIFANG_REQUIRE_PG=1 but KAIFANG_TEST_PG is not set"
            );
            eprintln!("skipped: set KAIFANG_TEST_PG=postgres://… to run the PostgreSQL suite");
            None
        }
    }
}

/// A throw-away PostgreSQL database, dropped (with its connections) when this is dropped.
pub struct PgDatabase {
    pub server: String,
    pub name: String,
}

impl PgDatabase {
    pub fn create(server: &str) -> Self {
        let name = format!("kaifang_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = PgConnection::establish(server)
            .unwrap_or_else(|e| panic!("cannot reach the PostgreSQL test server: {e}"));
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .expect("create test database");
        Self {
            server: server.to_owned(),
            name,
        }
    }

    /// The URL of this database on the same server.
    pub fn url(&self) -> String {
        let (base, _) = self.server.rsplit_once('/').expect("server URL has a path");
        format!("{base}/{}", self.name)
    }

    pub fn admin(&self) -> PgConnection {
        PgConnection::establish(&self.server).expect("admin connection")
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        if let Ok(mut admin) = PgConnection::establish(&self.server) {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .execute(&mut admin);
        }
    }
}

/// `KAIFANG_TEST_NOW=2027-02-05` (10:00 in China) or `=2027-02-05T02:00:00` (UTC) runs the
/// whole suite as if it were that moment: no test may depend on the day it runs (a deadline
/// counted over a holiday once broke the suite on the day it crossed New Year).
fn start_clock_from_env() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let raw = std::env::var("KAIFANG_TEST_NOW").unwrap_or_default();
        if raw.trim().is_empty() {
            return;
        }
        let at = chrono::NaiveDateTime::parse_from_str(raw.trim(), "%Y-%m-%dT%H:%M:%S")
            .or_else(|_| {
                chrono::NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
                    .map(|d| d.and_hms_opt(2, 0, 0).expect("a time"))
            })
            .unwrap_or_else(|e| panic!("KAIFANG_TEST_NOW={raw}: {e}"));
        kaifang::services::clock::start_at(at);
        eprintln!("note: the suite runs as if it were {at} UTC (KAIFANG_TEST_NOW)");
    });
}

pub struct TestApp {
    pub address: String,
    pub pool: DbPool,
    pub client: reqwest::Client,
    pub settings: Settings,
    pub pg: Option<PgDatabase>,
    pub data_dir: tempfile::TempDir,
    /// The server's clock: tests move it to reach deadlines and the end of grants.
    pub clock: kaifang::services::clock::Clock,
    server: actix_web::dev::ServerHandle,
}

impl TestApp {
    /// Starts the app; `None` when the back-end is not available here (see [`pg_server`]).
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        Self::spawn_with(backend, |_| {}).await
    }

    pub async fn spawn_with(
        backend: Backend,
        adjust: impl FnOnce(&mut Settings),
    ) -> Option<TestApp> {
        start_clock_from_env();
        let data_dir = tempfile::tempdir().expect("temp dir");
        let pg = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(PgDatabase::create(&pg_server()?)),
        };
        let mut settings = Settings::load_from(None, Vec::new()).expect("default settings");
        settings.bind = "127.0.0.1:0".into();
        settings.workers = 2;
        settings.data_dir = data_dir.path().to_path_buf();
        settings.database_url = match &pg {
            Some(db) => db.url(),
            None => format!("sqlite://{}", data_dir.path().join("kaifang.db").display()),
        };
        settings.database.pool_size = 4;
        settings.database.connect_timeout_secs = 2;
        settings.auth.password_hashing = kaifang::services::passwords::Cost::Fast;
        // Generous quotas, so only the rate-limit tests (which set their own) meet them.
        settings.api.anonymous_per_minute = 100_000;
        settings.api.registered_per_minute = 100_000;
        settings.api.partner_per_minute = 100_000;
        settings.api.search_per_minute = 100_000;
        if let Some((url, key)) = meili_server() {
            // With MEILI_URL set every test searches through Meilisearch, in an index of its own.
            settings.search.meili_url = url;
            settings.search.meili_key = key.unwrap_or_default();
            settings.search.meili_index = format!("kaifang_test_{}", uuid::Uuid::new_v4().simple());
        }
        adjust(&mut settings);
        let app = Application::build(settings.clone()).expect("the app builds");
        let address = format!("http://127.0.0.1:{}", app.port());
        let pool = app.pool().clone();
        let server = app.server_handle();
        let clock = app.clock().clone();
        tokio::spawn(app.run_until_stopped());
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client");
        Some(TestApp {
            address,
            pool,
            client,
            settings,
            pg,
            data_dir,
            clock,
            server,
        })
    }

    /// GETs an absolute URL with an API key and reads the answer as JSON.
    pub async fn json_with_key(&self, url: &str, key: &str) -> serde_json::Value {
        self.client
            .get(url)
            .bearer_auth(key)
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {url}: {e}"))
            .json()
            .await
            .unwrap_or_else(|e| panic!("GET {url}: not JSON: {e}"))
    }

    pub fn conn(&self) -> PooledConn {
        self.pool.get().expect("a database connection")
    }

    /// Removes the holidays and make-up days the calendar holds (the seeded public holidays
    /// included) from `from` for `days` days: a test that builds its own holiday scenario must
    /// not meet the real Spring Festival when it runs near one.
    pub fn clear_calendar(&self, from: chrono::NaiveDate, days: i64) {
        let mut conn = self.conn();
        let to = from + chrono::Duration::days(days);
        for d in kaifang::db::calendar::between(&mut conn, from, to).expect("the calendar") {
            kaifang::db::calendar::delete(&mut conn, d.day).expect("delete a calendar day");
        }
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{}", self.address, path))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    /// GET a body as text (any status).
    pub async fn text(&self, path: &str) -> String {
        self.get(path)
            .await
            .text()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    /// GET a page: its status and its parsed HTML.
    pub async fn page(&self, path: &str) -> (u16, Page) {
        let res = self.get(path).await;
        let status = res.status().as_u16();
        let body = res.text().await.expect("a body");
        (status, Page::new(body))
    }

    /// GET a page that must answer 200.
    /// How many files the file store holds.
    pub fn stored_files(&self) -> usize {
        fn walk(dir: &std::path::Path) -> usize {
            std::fs::read_dir(dir)
                .map(|entries| {
                    entries
                        .flatten()
                        .map(|e| {
                            let p = e.path();
                            if p.is_dir() { walk(&p) } else { 1 }
                        })
                        .sum()
                })
                .unwrap_or(0)
        }
        walk(&self.data_dir.path().join("files"))
    }

    /// The details of the audit events with this action, oldest first.
    pub fn audited(&self, what: &str) -> Vec<serde_json::Value> {
        use diesel::prelude::*;
        use kaifang::db::schema::audit_events::dsl::*;
        audit_events
            .filter(action.eq(what))
            .order(id)
            .select(details)
            .load::<String>(&mut *self.conn())
            .unwrap()
            .iter()
            .map(|d| serde_json::from_str(d).unwrap())
            .collect()
    }

    pub async fn ok_page(&self, path: &str) -> Page {
        let (status, page) = self.page(path).await;
        assert_eq!(
            status,
            200,
            "GET {path} answered {status}:\n{}",
            page.text("main")
        );
        page
    }

    /// An active emergency event of this department, started now, expecting hourly updates.
    pub fn emergency(
        &self,
        slug: &str,
        title: &str,
        department: &Department,
    ) -> kaifang::db::emergencies::Event {
        kaifang::services::emergencies::create_event(
            &mut self.conn(),
            &kaifang::services::emergencies::EventInput {
                slug: slug.into(),
                title: title.into(),
                category: kaifang::domain::EventCategory::NaturalDisaster,
                level: 3,
                regions: vec![department.region_code.as_str().to_owned()],
                department_id: department.id,
                summary: "受持续强降雨影响，部分地区发生洪涝。".into(),
                started_at: self.clock.now(),
                update_interval_minutes: 60,
                title_en: None,
                summary_en: None,
            },
            self.clock.now(),
            &kaifang::services::Actor::cli(),
        )
        .expect("an emergency event")
    }

    pub fn department(&self, slug: &str, name: &str, region: &str) -> Department {
        let level = kaifang::domain::RegionCode::parse(region)
            .expect("region")
            .level();
        departments::insert(
            &mut self.conn(),
            &NewDepartment {
                slug,
                name,
                level: level.as_str(),
                region_code: region,
                parent_id: None,
                description: "测试部门",
                created_at: at(2024, 1, 1),
                name_en: None,
                description_en: None,
            },
        )
        .expect("insert department")
    }
}

impl Drop for TestApp {
    /// Asks the server to stop (the command is sent at once; nothing to await), and removes
    /// the test's Meilisearch index, if any.
    fn drop(&mut self) {
        drop(self.server.stop(false));
        drop_meili_index(&self.settings);
    }
}

/// Deletes the Meilisearch index these settings name, if they name one.
pub fn drop_meili_index(settings: &Settings) {
    let s = &settings.search;
    if !s.meili_url.is_empty() {
        let key = Some(s.meili_key.as_str()).filter(|k| !k.is_empty());
        if let Ok(index) =
            kaifang::search::meili::MeiliIndex::connect(&s.meili_url, key, &s.meili_index)
        {
            index.delete().ok();
        }
    }
}

/// A Meilisearch server for tests (`MEILI_URL`, `MEILI_KEY`), or `None`: then the embedded
/// index serves every test.
pub fn meili_server() -> Option<(String, Option<String>)> {
    let url = std::env::var("MEILI_URL").ok().filter(|u| !u.is_empty())?;
    Some((
        url,
        std::env::var("MEILI_KEY").ok().filter(|k| !k.is_empty()),
    ))
}

pub fn at(y: i32, m: u32, d: u32) -> chrono::NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .unwrap()
        .and_hms_opt(10, 0, 0)
        .unwrap()
}

/// Parsed HTML with selector helpers.
pub struct Page {
    pub body: String,
    pub html: Html,
}

impl Page {
    pub fn new(body: String) -> Self {
        let html = Html::parse_document(&body);
        Self { body, html }
    }

    fn sel(css: &str) -> Selector {
        Selector::parse(css).unwrap_or_else(|e| panic!("bad selector {css}: {e:?}"))
    }

    pub fn count(&self, css: &str) -> usize {
        self.html.select(&Self::sel(css)).count()
    }

    /// Text of every match, whitespace collapsed.
    pub fn texts(&self, css: &str) -> Vec<String> {
        self.html
            .select(&Self::sel(css))
            .map(|e| {
                e.text()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    /// Text of all matches joined.
    pub fn text(&self, css: &str) -> String {
        self.texts(css).join(" ")
    }

    pub fn attrs(&self, css: &str, attr: &str) -> Vec<String> {
        self.html
            .select(&Self::sel(css))
            .filter_map(|e| e.value().attr(attr).map(str::to_owned))
            .collect()
    }

    /// The `<dd>` following the `<dt>` with this label in a `dl.meta`.
    pub fn meta(&self, label: &str) -> Option<String> {
        let rows = Self::sel("dl.meta > div");
        let dt = Self::sel("dt");
        let dd = Self::sel("dd");
        self.html.select(&rows).find_map(|row| {
            let l = row.select(&dt).next()?.text().collect::<String>();
            (l.trim() == label).then(|| {
                row.select(&dd)
                    .next()
                    .map(|d| {
                        d.text()
                            .collect::<Vec<_>>()
                            .join(" ")
                            .split_whitespace()
                            .collect::<Vec<_>>()
                            .join(" ")
                    })
                    .unwrap_or_default()
            })
        })
    }
}

/// Builds datasets for tests with sensible defaults.
pub struct DatasetBuilder {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub keywords: String,
    pub theme: String,
    pub department_id: i32,
    pub class: OpenClass,
    pub conditions: Option<String>,
    pub legal_basis: Option<String>,
    pub status: DatasetStatus,
    pub frequency: UpdateFrequency,
    pub formats: Vec<String>,
    pub downloads: i64,
    pub records: i64,
    pub updated: chrono::NaiveDateTime,
    pub fields: Vec<(&'static str, &'static str, bool)>,
    pub priority: bool,
    pub english: (Option<String>, Option<String>),
}

impl DatasetBuilder {
    pub fn new(slug: &str, title: &str, department: &Department) -> Self {
        Self {
            slug: slug.into(),
            title: title.into(),
            summary: format!("{title}的摘要。"),
            keywords: "测试,数据".into(),
            theme: "transport".into(),
            department_id: department.id,
            class: OpenClass::Unconditional,
            conditions: None,
            legal_basis: None,
            status: DatasetStatus::Published,
            frequency: UpdateFrequency::Monthly,
            formats: vec!["CSV".into()],
            downloads: 0,
            records: 100,
            updated: at(2026, 1, 1),
            fields: vec![("名称", "string", false)],
            priority: false,
            english: (None, None),
        }
    }

    /// The English title and summary.
    pub fn english(mut self, title: &str, summary: &str) -> Self {
        self.english = (Some(title.into()), Some(summary.into()));
        self
    }

    pub fn theme(mut self, t: &str) -> Self {
        self.theme = t.into();
        self
    }
    pub fn keywords(mut self, k: &str) -> Self {
        self.keywords = k.into();
        self
    }
    pub fn conditional(mut self, conditions: &str, basis: &str) -> Self {
        self.class = OpenClass::Conditional;
        self.conditions = Some(conditions.into());
        self.legal_basis = Some(basis.into());
        self
    }
    pub fn closed(mut self, basis: &str) -> Self {
        self.class = OpenClass::Closed;
        self.legal_basis = Some(basis.into());
        self
    }
    pub fn status(mut self, s: DatasetStatus) -> Self {
        self.status = s;
        self
    }
    pub fn frequency(mut self, f: UpdateFrequency) -> Self {
        self.frequency = f;
        self
    }
    pub fn formats(mut self, f: &[&str]) -> Self {
        self.formats = f.iter().map(|s| s.to_string()).collect();
        self
    }
    pub fn downloads(mut self, n: i64) -> Self {
        self.downloads = n;
        self
    }
    pub fn records(mut self, n: i64) -> Self {
        self.records = n;
        self
    }
    pub fn updated(mut self, t: chrono::NaiveDateTime) -> Self {
        self.updated = t;
        self
    }
    pub fn fields(mut self, f: &[(&'static str, &'static str, bool)]) -> Self {
        self.fields = f.to_vec();
        self
    }

    pub fn insert(self, app: &TestApp) -> Dataset {
        let mut conn = app.conn();
        let theme = themes::by_slug(&mut conn, &self.theme)
            .expect("theme query")
            .expect("theme exists");
        let code = format!(
            "2{}{:03}/{:06}",
            theme.code,
            self.department_id,
            1 + (self.slug.len() * 7919 + self.title.len()) % 999_999
        );
        let published = (self.status != DatasetStatus::Draft).then_some(at(2025, 6, 1));
        let d = datasets::insert(
            &mut conn,
            &NewDataset {
                slug: &self.slug,
                code: &format!("{code}{}", self.slug),
                title: &self.title,
                summary: &self.summary,
                keywords: &self.keywords,
                theme_id: theme.id,
                department_id: self.department_id,
                maintainer: "测试维护单位（0551-62000000）",
                open_class: self.class.as_str(),
                open_conditions: self.conditions.as_deref(),
                legal_basis: self.legal_basis.as_deref(),
                update_frequency: self.frequency.as_str(),
                published_at: published,
                last_updated_at: self.updated,
                record_count: self.records,
                temporal_start: NaiveDate::from_ymd_opt(2020, 1, 1),
                temporal_end: None,
                spatial_coverage: "340100",
                license: "安徽省公共数据开放许可协议（署名）",
                status: self.status.as_str(),
                priority: self.priority,
                view_count: 0,
                download_count: self.downloads,
                created_at: at(2025, 5, 1),
                modified_at: self.updated,
                title_en: self.english.0.as_deref(),
                summary_en: self.english.1.as_deref(),
            },
        )
        .expect("insert dataset");
        // A withdrawn open dataset was public before (the trigger only sees it inserted
        // withdrawn): give it the history it stands for.
        if self.status == DatasetStatus::Withdrawn && self.class != OpenClass::Closed {
            use diesel::prelude::*;
            diesel::update(kaifang::db::schema::datasets::table.find(d.id))
                .set(kaifang::db::schema::datasets::public_since.eq(published))
                .execute(&mut conn)
                .expect("public_since");
        }
        for (i, (name, ty, masked)) in self.fields.iter().enumerate() {
            datasets::insert_field(
                &mut conn,
                &NewField {
                    dataset_id: d.id,
                    position: i as i32 + 1,
                    name,
                    data_type: ty,
                    description: "字段说明",
                    unit: None,
                    masked: *masked,
                },
            )
            .expect("insert field");
        }
        for f in &self.formats {
            datasets::add_format(&mut conn, d.id, f).expect("insert format");
        }
        d
    }
}

/// Puts a file through the real ingest, as a department's upload does (without the HTTP
/// part); returns the resource and the version it made (ready, blocked or failed).
pub fn ingest_file(
    app: &TestApp,
    dataset: &Dataset,
    name: &str,
    file_name: &str,
    bytes: &[u8],
) -> (resources::Resource, versions::Version) {
    let ctx = kaifang::startup::offline_ingest_context(&app.settings).expect("ingest context");
    let stored = ctx.store.put(bytes).expect("store the file");
    let mut conn = app.conn();
    let r = resources::insert(
        &mut conn,
        &NewResource {
            dataset_id: dataset.id,
            name,
            format: "CSV",
            size_bytes: stored.size as i64,
            sha256: &stored.sha256,
            encoding: "UTF-8",
            row_count: None,
            storage_key: &stored.key,
            created_at: at(2026, 1, 2),
        },
    )
    .expect("insert resource");
    let format = kaifang::services::ingest::format_of(bytes, file_name);
    let v = versions::insert(
        &mut conn,
        &versions::NewVersion {
            resource_id: r.id,
            number: 1,
            status: "processing",
            source_name: file_name,
            source_format: format.as_str(),
            source_key: Some(&stored.key),
            source_sha256: &stored.sha256,
            source_size: stored.size as i64,
            masking: None,
            column_info: None,
            created_by: None,
            created_at: kaifang::services::clock::Clock::default().now(),
        },
    )
    .expect("insert version");
    kaifang::services::ingest::run(&mut conn, &ctx, v.id).expect("ingest runs");
    (
        resources::by_id(&mut conn, r.id).unwrap().unwrap(),
        versions::by_id(&mut conn, v.id).unwrap().unwrap(),
    )
}

/// A CSV of `rows` generated rows under the given header; `row(i)` gives row i's cells.
pub fn csv_of(header: &[&str], rows: usize, row: impl Fn(usize) -> Vec<String>) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header).unwrap();
    for i in 0..rows {
        w.write_record(row(i)).unwrap();
    }
    w.into_inner().unwrap()
}

pub const PASSWORD: &str = "测试-合肥-2026-数据";

impl TestApp {
    pub fn hasher(&self) -> kaifang::services::passwords::PasswordHasher {
        kaifang::services::passwords::PasswordHasher::new(kaifang::services::passwords::Cost::Fast)
    }

    /// A staff or plain account created as `kaifang user add` would, with [`PASSWORD`].
    pub fn account(
        &self,
        email: &str,
        role: kaifang::domain::Role,
        department: Option<&str>,
    ) -> kaifang::db::users::User {
        kaifang::services::users::add_user(
            &mut self.conn(),
            &kaifang::services::users::NewAccount {
                email: kaifang::domain::Email::parse(email).unwrap(),
                display_name: email.split('@').next().unwrap().to_owned(),
                role,
                department: department.map(|d| kaifang::domain::Slug::parse(d).unwrap()),
                password: PASSWORD.to_owned(),
            },
            &self.hasher(),
            self.clock.now(),
            &kaifang::services::Actor::cli(),
        )
        .expect("add account")
    }

    /// An API key for a user.
    pub fn api_key(&self, user_id: i32) -> String {
        kaifang::services::api_keys::create(
            &mut self.conn(),
            user_id,
            "测试",
            self.clock.now(),
            &kaifang::services::Actor::cli(),
        )
        .expect("create key")
        .1
    }

    /// A browser-like client with its own cookies.
    pub fn browser(&self) -> Browser {
        Browser {
            client: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(30))
                .build()
                .expect("client"),
            address: self.address.clone(),
            csrf: String::new(),
        }
    }

    /// A browser logged in as `email` with [`PASSWORD`].
    pub async fn logged_in(&self, email: &str) -> Browser {
        let mut b = self.browser();
        let res = b.login(email, PASSWORD).await;
        assert_eq!(res.status(), 303, "login of {email} failed");
        b.refresh_csrf("/account").await;
        b
    }
}

/// A client with a cookie jar and the CSRF token of its session.
pub struct Browser {
    pub client: reqwest::Client,
    pub address: String,
    pub csrf: String,
}

impl Browser {
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{}", self.address, path))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    pub async fn page(&self, path: &str) -> (u16, Page) {
        let res = self.get(path).await;
        let status = res.status().as_u16();
        (status, Page::new(res.text().await.unwrap()))
    }

    /// Reads the CSRF token from a page's forms.
    pub async fn refresh_csrf(&mut self, path: &str) {
        let (_, page) = self.page(path).await;
        self.csrf = page
            .attrs("input[name=csrf]", "value")
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no CSRF token on {path}"));
    }

    /// POSTs a form with this session's CSRF token.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut all: Vec<(&str, &str)> = vec![("csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// POSTs a multipart form with this session's CSRF token and, if given, a `file`.
    pub async fn post_multipart(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, Vec<u8>)>,
    ) -> reqwest::Response {
        let mut form = reqwest::multipart::Form::new().text("csrf", self.csrf.clone());
        for (k, v) in fields {
            form = form.text(k.to_string(), v.to_string());
        }
        if let Some((name, bytes)) = file {
            form = form.part(
                "file",
                reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
            );
        }
        self.client
            .post(format!("{}{}", self.address, path))
            .multipart(form)
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {e}"))
    }

    /// POSTs exactly these fields (no token added).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(format!("{}{}", self.address, path))
            .form(fields)
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {e}"))
    }

    pub async fn login(&mut self, email: &str, password: &str) -> reqwest::Response {
        self.refresh_csrf("/login").await;
        let csrf = self.csrf.clone();
        self.post_raw(
            "/login",
            &[("csrf", &csrf), ("email", email), ("password", password)],
        )
        .await
    }
}

/// Where a redirect points.
pub fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// A valid resident ID number (GB 11643 check character) for the `i`th person.
pub fn resident_id(i: usize) -> String {
    let first17 = format!(
        "34010419{:02}0{}{:02}{:03}",
        70 + i % 30,
        1 + i % 9,
        1 + i % 28,
        i % 1000
    );
    let check = kaifang::domain::resident_id::check_character(first17.as_bytes()).unwrap();
    format!("{first17}{}", check as char)
}

pub fn people_csv(rows: usize) -> Vec<u8> {
    csv_of(
        &["姓名", "身份证号", "联系电话", "办理事项"],
        rows,
        |i| {
            vec![
                format!("申请人{i}"),
                resident_id(i),
                format!("138{:08}", 10_000_000 + i),
                "最低生活保障".to_owned(),
            ]
        },
    )
}

/// `kaifang serve` as a real process (the built binary); killed (SIGKILL) when dropped.
pub struct ServerProcess {
    child: std::process::Child,
    pub address: String,
}

impl ServerProcess {
    /// Starts the binary on a free port against this data directory and database (its
    /// embedded index in `search_dir`), and waits until `/healthz` answers.
    pub async fn start(
        client: &reqwest::Client,
        data_dir: &std::path::Path,
        database_url: &str,
        search_dir: &std::path::Path,
    ) -> ServerProcess {
        use std::process::{Command, Stdio};
        use std::time::Instant;
        let port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_kaifang"))
            .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("KAIFANG_DATA_DIR", data_dir)
            .env("KAIFANG_SEARCH__DIR", search_dir)
            .env("DATABASE_URL", database_url)
            .env("KAIFANG_LOG__LEVEL", "warn")
            .current_dir(data_dir)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start kaifang serve");
        let server = ServerProcess {
            child,
            address: format!("http://127.0.0.1:{port}"),
        };
        let started = Instant::now();
        loop {
            if let Ok(r) = client
                .get(format!("{}/healthz", server.address))
                .send()
                .await
                && r.status() == 200
            {
                return server;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the server did not start"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// GET a body from this server as text.
    pub async fn text(&self, app: &TestApp, path: &str) -> String {
        app.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
            .text()
            .await
            .unwrap()
    }
}

impl ServerProcess {
    /// Sends SIGTERM, as a service manager stopping the portal does.
    pub fn terminate(&self) {
        let status = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success());
    }

    /// Waits up to `limit` for the process to exit; its status, or `None` if it still runs.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let started = std::time::Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return Some(status);
            }
            if started.elapsed() > limit {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
