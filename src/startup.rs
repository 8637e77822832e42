//! Wires settings, database, storage and the web layer into a running server. `main.rs` and
//! the tests both go through [`Application::build`].

use std::net::TcpListener;
use std::sync::Arc;

use actix_session::SessionMiddleware;
use actix_session::config::CookieContentSecurity;
use actix_session::storage::CookieSessionStore;
use actix_web::cookie::{Key, SameSite};
use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use anyhow::Context;

use crate::db::{self, DbPool};
use crate::search::SearchIndex;
use crate::search::embedded::EmbeddedIndex;
use crate::search::meili::MeiliIndex;
use crate::secrets::Secrets;
use crate::services::clock::Clock;
use crate::services::ingest::{self, queue::Queue};
use crate::services::passwords::PasswordHasher;
use crate::settings::Settings;
use crate::storage::FileStore;
use crate::web::assets::Assets;
use crate::web::auth::Limiters;
use crate::web::{AppState, middleware, routes};

/// Opens the database (creating the data directory for SQLite) and applies migrations.
pub fn open_database(settings: &Settings) -> anyhow::Result<DbPool> {
    let url = settings.database_url()?;
    if let Some(path) = url.sqlite_path()
        && let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the data directory {}", dir.display()))?;
    }
    let pool = db::connection::build_pool(&url, &settings.pool_options())
        .with_context(|| format!("cannot open the database {url}"))?;
    let mut conn = pool.get().context("cannot connect to the database")?;
    let applied = db::migrations::run_pending(&mut conn)
        .map_err(|e| anyhow::anyhow!("migrations failed: {e}"))?;
    if !applied.is_empty() {
        tracing::info!(?applied, "applied migrations");
    }
    Ok(pool)
}

pub fn file_store(settings: &Settings) -> FileStore {
    FileStore::new(settings.files_dir())
}

/// The portal's own address for absolute links (API, CKAN, DCAT, sitemap, robots.txt): from the
/// settings only, never from a request's `Host` header, which anyone can set and whose links
/// would then be cached publicly. Unset, it is the bound loopback address; a portal listening on
/// any other address must be told its public address.
pub fn public_url(configured: &str, bound: std::net::SocketAddr) -> anyhow::Result<String> {
    let configured = configured.trim().trim_end_matches('/');
    if !configured.is_empty() {
        if !(configured.starts_with("https://") || configured.starts_with("http://")) {
            // i18n: for the operator, at start-up
            anyhow::bail!(
                "site.public_url 应为 http:// 或 https:// 开头的地址（例如 https://data.example.gov.cn），现为“{configured}”"
            );
        }
        return Ok(configured.to_owned());
    }
    if !bound.ip().is_loopback() {
        // i18n: for the operator, at start-up
        anyhow::bail!(
            "the portal listens on {bound}, which is not a loopback address: set site.public_url \
             (or KAIFANG_SITE__PUBLIC_URL) to its public address, e.g. https://data.example.gov.cn, \
             so that absolute links never come from a request's Host header \
             （监听非本机地址时必须设置 site.public_url，即门户的公开地址）"
        );
    }
    Ok(format!("http://{bound}"))
}

/// What an ingest needs besides a connection; it stamps versions by `clock`.
pub fn ingest_context(
    settings: &Settings,
    store: &FileStore,
    secrets: &Secrets,
    clock: &Clock,
) -> ingest::Context {
    ingest::Context {
        store: store.clone(),
        clock: clock.clone(),
        hash_key: secrets.column_hash_key(),
        batch_rows: settings.uploads.batch_rows.max(1),
        limits: ingest::Limits {
            csv: ingest::guard::CsvLimits {
                max_field_bytes: settings.uploads.max_field_bytes.max(1),
                max_record_bytes: settings.uploads.max_record_bytes.max(1),
            },
            sheet: ingest::xlsx::SheetLimits {
                max_columns: settings.uploads.max_columns.max(1),
                max_cells: settings.uploads.max_cells.max(1),
                // A cell of a spreadsheet is bounded like a CSV field.
                max_cell_bytes: settings.uploads.max_field_bytes.max(1),
                ..ingest::xlsx::SheetLimits::default()
            },
        },
    }
}

/// The ingest context for work outside the server (the demo loader, the CLI), with a clock of
/// its own (the system time).
pub fn offline_ingest_context(settings: &Settings) -> anyhow::Result<ingest::Context> {
    let secrets = Secrets::load(&settings.auth.secret_key, &settings.data_dir)?;
    Ok(ingest_context(
        settings,
        &file_store(settings),
        &secrets,
        &Clock::default(),
    ))
}

/// Opens the embedded search index in the data directory and makes it hold the whole public
/// catalog (rebuilding it when it is empty, outdated or of an older schema).
/// The embedded index, or Meilisearch when `search.meili_url` is set (not yet synchronised).
pub fn search_backend(settings: &Settings) -> anyhow::Result<Arc<dyn SearchIndex>> {
    let s = &settings.search;
    Ok(if s.meili_url.trim().is_empty() {
        Arc::new(
            // i18n: for the operator, at start-up
            EmbeddedIndex::open(&settings.search_dir()).context(
                "cannot open the search index (is another process using it? 索引可能正被运行中的服务使用)",
            )?,
        )
    } else {
        let key = Some(s.meili_key.as_str()).filter(|k| !k.is_empty());
        let index = MeiliIndex::connect(s.meili_url.trim(), key, &s.meili_index)
            .with_context(|| format!("cannot use Meilisearch at {}", s.meili_url.trim()))?;
        tracing::info!(url = %s.meili_url.trim(), index = %s.meili_index, "search: Meilisearch");
        Arc::new(index)
    })
}

/// How often the background sync drains the search outbox.
const SEARCH_SYNC_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

/// Runs `job` on a thread of its own: first after `first`, then every `every`, while the
/// application lives (`alive`: the search index, which the application alone holds; the thread
/// checks it every two seconds, so a stopped application lets it go soon). A failure is logged
/// once and retried until it clears.
fn spawn_periodic<T: Send + Sync + ?Sized + 'static>(
    name: &str,
    (first, every): (std::time::Duration, std::time::Duration),
    alive: &Arc<T>,
    mut job: impl FnMut(&T) -> Result<(), String> + Send + 'static,
) {
    let alive = Arc::downgrade(alive);
    let thread = name.to_owned();
    let spawned = std::thread::Builder::new().name(name.into()).spawn(move || {
        let mut wait = first;
        let mut failing = false;
        loop {
            let until = std::time::Instant::now() + wait;
            while std::time::Instant::now() < until {
                std::thread::sleep(wait.min(std::time::Duration::from_secs(2)));
                if alive.strong_count() == 0 {
                    return;
                }
            }
            wait = every;
            let Some(held) = alive.upgrade() else {
                return;
            };
            match job(held.as_ref()) {
                Ok(()) if failing => {
                    tracing::info!(job = %thread, "background job working again");
                    failing = false;
                }
                Ok(()) => {}
                Err(e) if !failing => {
                    tracing::warn!(job = %thread, error = %e, "background job failed; retrying");
                    failing = true;
                }
                Err(_) => {}
            }
        }
    });
    if let Err(e) = spawned {
        tracing::warn!(job = name, error = %e, "cannot start a background job");
    }
}

/// Keeps the index in step with the database when nobody searches (every search drains the
/// outbox first too): publishing, withdrawals and class changes reach the index within
/// [`SEARCH_SYNC_EVERY`].
fn spawn_search_sync(pool: DbPool, index: &Arc<dyn SearchIndex>) {
    spawn_periodic(
        "search-sync",
        (SEARCH_SYNC_EVERY, SEARCH_SYNC_EVERY),
        index,
        move |index| {
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            crate::services::search::drain(&mut conn, index)
                .map(drop)
                .map_err(|e| e.to_string())
        },
    );
}

/// Keeps the count of active emergency events (the site banner) current: at once, then every
/// few seconds, so an event declared through another instance shows everywhere.
fn spawn_emergency_banner(pool: DbPool, count: &Arc<std::sync::atomic::AtomicI64>) {
    const EVERY: std::time::Duration = std::time::Duration::from_secs(5);
    if let Ok(mut conn) = pool.get()
        && let Ok(n) = crate::services::emergencies::active_count(&mut conn)
    {
        count.store(n, std::sync::atomic::Ordering::Relaxed);
    }
    spawn_periodic("emergency-banner", (EVERY, EVERY), count, move |count| {
        let mut conn = pool.get().map_err(|e| e.to_string())?;
        let n = crate::services::emergencies::active_count(&mut conn).map_err(|e| e.to_string())?;
        count.store(n, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    });
}

/// Adds the API calls counted in memory to the database about once a minute, for `/stats`.
fn spawn_usage_flush(pool: DbPool, clock: Clock, metrics: &Arc<crate::web::metrics::Metrics>) {
    const EVERY: std::time::Duration = std::time::Duration::from_secs(60);
    spawn_periodic("usage-flush", (EVERY, EVERY), metrics, move |metrics| {
        let n = metrics.take_api_calls();
        let stored = pool.get().map_err(|e| e.to_string()).and_then(|mut c| {
            crate::services::stats::store_api_calls(&mut c, n, clock.now())
                .map_err(|e| e.to_string())
        });
        if stored.is_err() {
            metrics.return_api_calls(n);
        }
        stored
    });
}

/// Checks the showcase's approved links an hour after start and then daily; dead ones are
/// marked on the showcase (services::showcase::check_links).
fn spawn_link_checker(pool: DbPool, clock: Clock, alive: &Arc<crate::web::metrics::Metrics>) {
    const FIRST: std::time::Duration = std::time::Duration::from_secs(3600);
    const EVERY: std::time::Duration = std::time::Duration::from_secs(24 * 3600);
    // Built on the checker's own thread: a blocking client may not be made in async code.
    let mut client = None;
    spawn_periodic("link-check", (FIRST, EVERY), alive, move |_| {
        let client = client.get_or_insert_with(crate::services::outbound::Outbound::new);
        let mut conn = pool.get().map_err(|e| e.to_string())?;
        crate::services::showcase::check_links(&mut conn, client, clock.now())
            .map(drop)
            .map_err(|e| e.to_string())
    });
}

/// On PostgreSQL, listens for emergency updates posted through any instance (NOTIFY on commit)
/// and hands them to this instance's live pages. The connection is polled every 200 ms
/// (diesel exposes no socket to wait on); a broken connection is made again on the next tick.
fn spawn_emergency_listener(
    url: crate::db::DatabaseUrl,
    live: &Arc<crate::services::emergencies::Live>,
) {
    use crate::services::emergencies::{LiveUpdate, NOTIFY_CHANNEL};
    const EVERY: std::time::Duration = std::time::Duration::from_millis(200);
    let connect = move || -> Result<diesel::PgConnection, String> {
        use diesel::RunQueryDsl;
        let Ok(crate::db::DbConnection::Pg(mut c)) =
            url.establish(std::time::Duration::from_secs(5))
        else {
            return Err("cannot connect to PostgreSQL to listen for emergency updates".into());
        };
        diesel::sql_query(format!("LISTEN {NOTIFY_CHANNEL}"))
            .execute(&mut c)
            .map_err(|e| e.to_string())?;
        Ok(c)
    };
    // Listening before the server accepts anyone: no update is missed after the start.
    let mut conn = match connect() {
        Ok(c) => Some(c),
        Err(e) => {
            tracing::warn!(error = %e, "emergency updates from other instances: retrying");
            None
        }
    };
    spawn_periodic("emergency-listener", (EVERY, EVERY), live, move |live| {
        let c = match conn.as_mut() {
            Some(c) => c,
            None => conn.insert(connect()?),
        };
        let mut received = Vec::new();
        let mut broken = None;
        for n in c.notifications_iter() {
            match n {
                Ok(n) => received.push(n.payload),
                Err(e) => {
                    broken = Some(e.to_string());
                    break;
                }
            }
        }
        if let Some(e) = broken {
            conn = None;
            return Err(format!("listening for emergency updates: {e}"));
        }
        for payload in received {
            if let Some(u) = LiveUpdate::from_payload(&payload) {
                let _ = live.send(u);
            }
        }
        Ok(())
    });
}

/// How often the overdue job looks for applications past their due date.
const OVERDUE_EVERY: std::time::Duration = std::time::Duration::from_secs(600);

/// Reports applications past their due date to their departments and the administrators
/// (`services::applications::report_overdue`), a minute after start and then every
/// [`OVERDUE_EVERY`], against the server's clock.
fn spawn_overdue_job(pool: DbPool, clock: Clock, alive: &Arc<dyn SearchIndex>) {
    spawn_periodic(
        "overdue",
        (std::time::Duration::from_secs(60), OVERDUE_EVERY),
        alive,
        move |_| {
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            let n = crate::services::applications::report_overdue(&mut conn, clock.now())
                .map_err(|e| e.to_string())?;
            if n > 0 {
                tracing::info!(applications = n, "overdue applications reported");
            }
            Ok(())
        },
    );
}

/// The search back-end, brought up to date with the database.
fn open_search(settings: &Settings, pool: &DbPool) -> anyhow::Result<Arc<dyn SearchIndex>> {
    let index = search_backend(settings)?;
    let mut conn = pool.get().context("cannot reach the database")?;
    let started = std::time::Instant::now();
    if crate::services::search::ensure_complete(&mut conn, index.as_ref())
        .context("cannot build the search index")?
    {
        tracing::info!(
            documents = index.len().unwrap_or_default(),
            ms = started.elapsed().as_millis() as u64,
            "search index rebuilt"
        );
    }
    Ok(index)
}

/// Starts the ingest workers and hands them the ingests a restart interrupted (tried again
/// once; see `ingest::recover`).
fn start_ingest(
    settings: &Settings,
    pool: &DbPool,
    store: &FileStore,
    secrets: &Secrets,
    clock: &Clock,
) -> anyhow::Result<Queue> {
    let mut conn = pool.get().context("cannot connect to the database")?;
    let found =
        ingest::recover(&mut conn, clock.now()).context("cannot recover interrupted uploads")?;
    if !found.retried.is_empty() || found.failed > 0 {
        tracing::warn!(
            retried = found.retried.len(),
            failed = found.failed,
            "uploads interrupted by a restart: tried again, or marked failed after a second interruption"
        );
    }
    let queue = Queue::start(
        pool.clone(),
        ingest_context(settings, store, secrets, clock),
        settings.uploads.workers,
    );
    for id in found.retried {
        queue.submit(id);
    }
    Ok(queue)
}

pub struct Application {
    port: u16,
    server: Server,
    pool: DbPool,
    clock: Clock,
    stop_tx: Arc<tokio::sync::watch::Sender<bool>>,
}

/// Stops a running portal gracefully: live pages are told to reconnect, no new connection is
/// accepted, requests in flight get `shutdown_grace_secs` to finish.
#[derive(Clone)]
pub struct Stopper {
    handle: actix_web::dev::ServerHandle,
    stop_tx: Arc<tokio::sync::watch::Sender<bool>>,
}

impl Stopper {
    pub async fn stop(&self) {
        self.stop_tx.send_replace(true);
        self.handle.stop(true).await;
    }
}

impl Application {
    /// Migrates the database and binds the listener (port 0 picks a free port).
    pub fn build(mut settings: Settings) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(&settings.bind)
            .with_context(|| format!("cannot listen on {}", settings.bind))?;
        let bound = listener.local_addr()?;
        let port = bound.port();
        settings.site.public_url = public_url(&settings.site.public_url, bound)?;
        let pool = open_database(&settings)?;
        let workers = settings.workers;
        let blocking_threads = settings.database.pool_size.max(1) as usize + 4;
        let secrets = Secrets::load(&settings.auth.secret_key, &settings.data_dir)?;
        let session_key = Key::from(secrets.session_key());
        let store = file_store(&settings);
        // The one clock of this server: the web layer, the ingest workers and the background
        // jobs all read it (tests move it).
        let clock = Clock::default();
        let ingest = start_ingest(&settings, &pool, &store, &secrets, &clock)?;
        let search = open_search(&settings, &pool)?;
        spawn_search_sync(pool.clone(), &search);
        spawn_overdue_job(pool.clone(), clock.clone(), &search);
        let active_emergencies = Arc::new(std::sync::atomic::AtomicI64::new(0));
        let live = Arc::new(crate::services::emergencies::live_channel());
        if let Ok(url) = settings.database_url()
            && url.kind() == crate::db::BackendKind::Postgres
        {
            spawn_emergency_listener(url, &live);
        }
        spawn_emergency_banner(pool.clone(), &active_emergencies);
        let metrics: Arc<crate::web::metrics::Metrics> = Arc::default();
        spawn_usage_flush(pool.clone(), clock.clone(), &metrics);
        spawn_link_checker(pool.clone(), clock.clone(), &metrics);
        let secure_cookies = settings.auth.secure_cookies;
        let grace = settings.shutdown_grace_secs;
        let (stop_tx, stopping) = tokio::sync::watch::channel(false);
        let state = web::Data::new(AppState {
            pool: pool.clone(),
            hasher: Arc::new(PasswordHasher::new(settings.auth.password_hashing)),
            limiters: Arc::new(Limiters::new(&settings.auth)),
            rate_limits: Arc::new(crate::web::ratelimit::RateLimits::new(&settings.api)),
            metrics,
            live: live.clone(),
            active_emergencies: active_emergencies.clone(),
            settings: Arc::new(settings),
            assets: Arc::new(Assets::new()),
            secrets: Arc::new(secrets),
            store,
            ingest: Arc::new(ingest),
            search,
            clock: clock.clone(),
            stopping,
        });
        let mut server = HttpServer::new(move || {
            let sessions =
                SessionMiddleware::builder(CookieSessionStore::default(), session_key.clone())
                    .cookie_name("kaifang_session".into())
                    .cookie_http_only(true)
                    .cookie_secure(secure_cookies)
                    .cookie_same_site(SameSite::Lax)
                    .cookie_content_security(CookieContentSecurity::Private)
                    .build();
            App::new()
                .app_data(state.clone())
                .app_data(
                    web::JsonConfig::default()
                        .limit(1 << 20)
                        .error_handler(crate::web::api::json_error),
                )
                .wrap(from_fn(crate::web::nul::refuse_nul))
                .wrap(from_fn(crate::web::ratelimit::limit))
                .wrap(from_fn(middleware::error_pages))
                .wrap(sessions)
                .wrap(from_fn(middleware::private_pages))
                .wrap(middleware::security_headers())
                .wrap(from_fn(crate::web::metrics::observe))
                .wrap(from_fn(middleware::request_log))
                .wrap(from_fn(crate::web::lang::language))
                .configure(routes::configure)
        });
        if workers > 0 {
            server = server.workers(workers);
        }
        // Blocking work waits for one of the pool's connections anyway; more threads than
        // that only queue, and each keeps an allocator heap of its own (actix's default is
        // 512 / workers threads per worker).
        server = server.worker_max_blocking_threads(blocking_threads);
        // Signals are ours (cli::serve), so that live pages hear of a stop before it happens.
        let server = server
            .disable_signals()
            .shutdown_timeout(grace)
            .listen(listener)?
            .run();
        Ok(Self {
            port,
            server,
            pool,
            clock,
            stop_tx: Arc::new(stop_tx),
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle to stop the server (tests stop theirs when done).
    pub fn server_handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    pub fn stopper(&self) -> Stopper {
        Stopper {
            handle: self.server.handle(),
            stop_tx: Arc::clone(&self.stop_tx),
        }
    }

    pub fn pool(&self) -> &DbPool {
        &self.pool
    }

    /// The clock the server checks deadlines and grants against (tests move it).
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
