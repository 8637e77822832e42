//! The command line: `serve`, `migrate`, `demo`, `reindex`, `user add`, `key create`,
//! `audit verify`, `backup`, `restore`.

use std::io::Read;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};

use crate::demo;
use crate::domain::{Email, Role, Slug};
use crate::services::clock::Clock;
use crate::services::passwords::PasswordHasher;
use crate::services::{Actor, api_keys, audit, users};
use crate::settings::Settings;
use crate::startup::{self, Application};

#[derive(Debug, Parser)]
#[command(
    name = "kaifang",
    version,
    about = "Kaifang (开放): a provincial open-data portal"
)]
pub struct Cli {
    /// Settings file (default: config/default.toml when present).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the portal (applies pending migrations first).
    Serve {
        /// Address to listen on, e.g. 127.0.0.1:8080 (overrides the settings).
        #[arg(long)]
        bind: Option<String>,
        /// Load the demo catalog first when the catalog is empty.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations.
    Migrate,
    /// Load the demo catalog (only into an empty catalog).
    Demo,
    /// Rebuild the search index from the database (stop the server first, or point
    /// `search.dir` elsewhere: one process writes an index at a time).
    Reindex,
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API keys.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Check the audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Copy the database, the file store and the key file into DIR (absent or empty), with a
    /// manifest of checksums; safe while the portal runs (PostgreSQL needs pg_dump).
    Backup {
        #[arg(long, value_name = "DIR")]
        to: PathBuf,
    },
    /// Restore a backup into an empty data directory and database, then rebuild the search
    /// index (PostgreSQL needs pg_restore).
    Restore {
        #[arg(long, value_name = "DIR")]
        from: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Create an API key for an existing account and print it (shown only this once).
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Walk the hash chain; name the first broken link (exit status 1) or confirm it is intact.
    Verify,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account; prints a generated password unless --password-stdin is given.
    Add(UserAdd),
}

#[derive(Debug, Args)]
pub struct UserAdd {
    #[arg(long)]
    pub email: String,
    /// user, publisher or admin
    #[arg(long)]
    pub role: String,
    /// Department slug; required for publishers.
    #[arg(long)]
    pub department: Option<String>,
    /// Display name (default: the part of the e-mail before @).
    #[arg(long)]
    pub name: Option<String>,
    /// Read the password from standard input instead of generating one.
    #[arg(long)]
    pub password_stdin: bool,
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = Settings::load(cli.config.as_deref())?;
    crate::telemetry::init(&settings.log);
    match cli.command {
        Command::Serve { bind, demo } => serve(settings, bind, demo).await,
        Command::Migrate => {
            startup::open_database(&settings)?;
            println!("数据库已是最新版本 (database is up to date)");
            Ok(())
        }
        Command::Reindex => {
            let pool = startup::open_database(&settings)?;
            let index = startup::search_backend(&settings)?;
            let mut conn = pool.get()?;
            let started = std::time::Instant::now();
            let n = crate::services::search::rebuild(&mut conn, index.as_ref())?;
            println!(
                "搜索索引已重建：{n} 个数据集，用时 {:.1} 秒 (search index rebuilt: {n} datasets)",
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Demo => {
            let pool = startup::open_database(&settings)?;
            let ctx = startup::offline_ingest_context(&settings)?;
            let report = actix_web::web::block(move || -> anyhow::Result<_> {
                let mut conn = pool.get()?;
                Ok(demo::load_if_empty(&mut conn, &ctx)?)
            })
            .await??;
            match report {
                Some(r) => println!("{r}"),
                None => println!("目录不为空，未加载演示数据 (catalog not empty; nothing loaded)"),
            }
            Ok(())
        }
        Command::User(UserCommand::Add(args)) => user_add(settings, args),
        Command::Key(KeyCommand::Create { email, name }) => key_create(settings, &email, &name),
        Command::Audit(AuditCommand::Verify) => audit_verify(settings),
        Command::Backup { to } => {
            let report = crate::services::backup::backup(&settings, &to, &Clock::default())?;
            println!("备份完成 (backup done): {report} → {}", to.display());
            Ok(())
        }
        Command::Restore { from } => restore(settings, &from),
    }
}

async fn serve(
    mut settings: Settings,
    bind: Option<String>,
    load_demo: bool,
) -> anyhow::Result<()> {
    if let Some(bind) = bind {
        settings.bind = bind;
    }
    let app = Application::build(settings.clone())?;
    if load_demo {
        let pool = app.pool().clone();
        let ctx = startup::offline_ingest_context(&settings)?;
        let report = actix_web::web::block(move || -> anyhow::Result<_> {
            let mut conn = pool.get()?;
            Ok(demo::load_if_empty(&mut conn, &ctx)?)
        })
        .await??;
        if let Some(r) = report {
            tracing::info!(%r, "demo catalog loaded");
        }
    }
    let shown = settings
        .bind
        .rsplit_once(':')
        .map(|(host, _)| format!("http://{host}:{}", app.port()))
        .unwrap_or_default();
    tracing::info!(address = %shown, database = %settings.database_url()?, "Kaifang is serving");
    println!("Kaifang 已启动：{shown}");
    let stopper = app.stopper();
    actix_web::rt::spawn(async move {
        stop_signal().await;
        tracing::info!("stopping: letting requests in flight finish");
        stopper.stop().await;
    });
    app.run_until_stopped().await?;
    tracing::info!("stopped");
    Ok(())
}

fn user_add(settings: Settings, args: UserAdd) -> anyhow::Result<()> {
    let email = Email::parse(&args.email)?;
    let role: Role = args.role.parse().map_err(anyhow::Error::msg)?;
    let department = args
        .department
        .as_deref()
        .map(Slug::parse)
        .transpose()
        .context("--department must be a department slug")?;
    let (password, generated) = if args.password_stdin {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s)?;
        (s.trim_end_matches(['\r', '\n']).to_owned(), false)
    } else {
        (generate_password(), true)
    };
    if password.is_empty() {
        bail!("no password on standard input");
    }
    let display_name = args
        .name
        .unwrap_or_else(|| email.as_str().split('@').next().unwrap_or("").to_owned());
    let pool = startup::open_database(&settings)?;
    let mut conn = pool.get()?;
    let hasher = PasswordHasher::new(settings.auth.password_hashing);
    let user = users::add_user(
        &mut conn,
        &users::NewAccount {
            email,
            display_name,
            role,
            department,
            password: password.clone(),
        },
        &hasher,
        Clock::default().now(),
        &Actor::cli(),
    )?;
    println!(
        "已创建账号 #{}（{}，{}）",
        user.id,
        user.email,
        user.role.label()
    );
    if generated {
        println!("初始密码（只显示这一次，请妥善保管）：{password}");
    }
    Ok(())
}

/// 20 characters from an alphabet without look-alikes (no 0/O, 1/l/I).
fn generate_password() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..20)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

fn key_create(settings: Settings, email: &str, name: &str) -> anyhow::Result<()> {
    let email = Email::parse(email)?;
    let pool = startup::open_database(&settings)?;
    let mut conn = pool.get()?;
    let user = crate::db::users::by_email(&mut conn, email.as_str())?
        .ok_or_else(|| anyhow::anyhow!("没有使用 {email} 的账号"))?;
    let (row, key) = api_keys::create(
        &mut conn,
        user.id,
        name,
        Clock::default().now(),
        &Actor::cli(),
    )?;
    println!(
        "已为账号 #{} 创建 API 密钥 #{}（{}）",
        user.id, row.id, row.name
    );
    println!("{key}");
    eprintln!("密钥只显示这一次，请妥善保管。");
    Ok(())
}

/// SIGTERM (service managers, containers) or SIGINT (Ctrl-C).
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn restore(settings: Settings, from: &std::path::Path) -> anyhow::Result<()> {
    let report = crate::services::backup::restore(&settings, from)?;
    println!("恢复完成 (restored): {report}");
    // Migrations bring an older backup up to this version; the index is rebuilt from the rows.
    let pool = startup::open_database(&settings)?;
    let index = startup::search_backend(&settings)?;
    let mut conn = pool.get()?;
    let n = crate::services::search::rebuild(&mut conn, index.as_ref())?;
    println!("搜索索引已重建：{n} 个数据集 (search index rebuilt: {n} datasets)");
    audit_verify(settings)
}

fn audit_verify(settings: Settings) -> anyhow::Result<()> {
    let pool = startup::open_database(&settings)?;
    let mut conn = pool.get()?;
    match audit::verify(&mut conn)? {
        Ok(n) => {
            println!("审计日志完整：{n} 条记录，哈希链无断点 (audit log intact: {n} events)");
            Ok(())
        }
        Err(b) => {
            bail!(
                "审计日志在第 {} 号记录处断开：该记录或其之前的记录被修改或删除 (chain broken at event {})",
                b.event_id,
                b.event_id
            )
        }
    }
}
