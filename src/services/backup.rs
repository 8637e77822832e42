//! Backups: a consistent copy of a running portal, and a restore into an empty place.
//!
//! A backup directory holds the database (SQLite: a copy made with SQLite's online backup
//! API, one consistent snapshot however busy the portal is; PostgreSQL: `pg_dump`'s custom
//! format), the file store, the master key file when the key is not configured, and
//! `manifest.json` listing every file with its size and SHA-256. The manifest is written last:
//! a directory without one is not a backup. Restore checks every checksum before it touches
//! anything, refuses a target that already holds a portal, and rebuilds the search index.
//!
//! The database is copied before the file store: files are content-addressed and written
//! before the rows that name them commit, so every file the copied rows name is there.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::db::BackendKind;
use crate::services::clock::Clock;
use crate::settings::Settings;

pub const MANIFEST: &str = "manifest.json";
const SQLITE_COPY: &str = "database.sqlite";
const PG_DUMP: &str = "database.pgdump";
const SECRET_KEY: &str = "secret.key";
const FILES: &str = "files";

#[derive(Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub created_at: String,
    pub kaifang_version: String,
    /// `sqlite` or `postgresql`.
    pub database: String,
    /// False when the master key is configured (`KAIFANG_AUTH__SECRET_KEY`): keep it with the backup
    /// yourself, or restored resident-ID hashes and sessions will not match.
    pub secret_key_included: bool,
    pub entries: Vec<Entry>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Entry {
    /// Relative to the backup directory, `/`-separated.
    pub path: String,
    pub size: u64,
    pub sha256: String,
}

/// What a backup or a restore did, for the person who ran it.
#[derive(Debug)]
pub struct Report {
    pub database: String,
    pub files: usize,
    pub bytes: u64,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "数据库（{}）与 {} 个文件，共 {} 字节 (database {} and {} files, {} bytes)",
            self.database, self.files, self.bytes, self.database, self.files, self.bytes
        )
    }
}

fn kind_name(kind: BackendKind) -> &'static str {
    match kind {
        BackendKind::Sqlite => "sqlite",
        BackendKind::Postgres => "postgresql",
    }
}

/// Copies `src` to `dst` (creating its directory), returning its size and SHA-256.
fn copy_hashed(src: &Path, dst: &Path) -> anyhow::Result<(u64, String)> {
    if let Some(dir) = dst.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("create {}", dir.display()))?;
    }
    let mut input = std::fs::File::open(src).with_context(|| format!("open {}", src.display()))?;
    let mut output =
        std::fs::File::create(dst).with_context(|| format!("create {}", dst.display()))?;
    let (mut hasher, mut size, mut buf) = (Sha256::new(), 0u64, vec![0u8; 64 * 1024]);
    loop {
        let n = input.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        output.write_all(&buf[..n])?;
        size += n as u64;
    }
    output
        .sync_all()
        .with_context(|| format!("write {}", dst.display()))?;
    Ok((size, hex::encode(hasher.finalize())))
}

fn hash_file(path: &Path) -> anyhow::Result<(u64, String)> {
    let mut f = std::fs::File::open(path).with_context(|| format!("open {}", path.display()))?;
    let mut hasher = Sha256::new();
    let size = std::io::copy(&mut f, &mut hasher)?;
    Ok((size, hex::encode(hasher.finalize())))
}

/// Every regular file under `root`, as paths relative to it, sorted; temporary files (names
/// starting with a dot) are left out.
fn walk(root: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut todo = vec![PathBuf::new()];
    while let Some(rel) = todo.pop() {
        let dir = root.join(&rel);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let entry = entry?;
            let name = entry.file_name();
            if name.to_string_lossy().starts_with('.') {
                continue;
            }
            let kind = entry.file_type()?;
            if kind.is_dir() {
                todo.push(rel.join(&name));
            } else if kind.is_file() {
                out.push(rel.join(&name));
            }
        }
    }
    out.sort();
    Ok(out)
}

fn slash(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

fn empty_or_absent(dir: &Path) -> bool {
    std::fs::read_dir(dir).map_or(true, |mut d| d.next().is_none())
}

fn run(cmd: &mut Command, what: &str) -> anyhow::Result<()> {
    let out = match cmd.output() {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(
            "{what} 未安装：PostgreSQL 的备份与恢复需要它 ({what} not found: install the \
             PostgreSQL client tools, e.g. `apt install postgresql-client`, matching the \
             server's major version)"
        ),
        Err(e) => return Err(e).with_context(|| format!("run {what}")),
    };
    if !out.status.success() {
        bail!(
            "{what} 失败 ({what} failed, {}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

/// Makes a backup of the portal the settings describe into `to` (absent or empty), while it
/// runs. The manifest is dated by `clock` when it is written.
pub fn backup(settings: &Settings, to: &Path, clock: &Clock) -> anyhow::Result<Report> {
    if !empty_or_absent(to) {
        bail!(
            "备份目录 {} 不为空 (the backup directory must be empty or not exist yet)",
            to.display()
        );
    }
    std::fs::create_dir_all(to).with_context(|| format!("create {}", to.display()))?;
    let url = settings.database_url()?;
    let mut entries = Vec::new();
    let mut add = |path: &str, (size, sha256): (u64, String)| {
        entries.push(Entry {
            path: path.to_owned(),
            size,
            sha256,
        })
    };
    match (url.sqlite_path(), url.postgres_url()) {
        (Some(db), _) => {
            let src =
                rusqlite::Connection::open(db).with_context(|| format!("open {}", db.display()))?;
            src.busy_timeout(std::time::Duration::from_secs(30))?;
            let dst = to.join(SQLITE_COPY);
            src.backup(rusqlite::MAIN_DB, &dst, None)
                .context("SQLite online backup")?;
            add(SQLITE_COPY, hash_file(&dst)?);
        }
        (None, Some(pg)) => {
            let dst = to.join(PG_DUMP);
            run(
                Command::new("pg_dump")
                    .args(["--format=custom", "--no-owner", "--no-privileges", "--file"])
                    .arg(&dst)
                    .arg(format!("--dbname={pg}")),
                "pg_dump",
            )?;
            add(PG_DUMP, hash_file(&dst)?);
        }
        (None, None) => bail!("no database configured"),
    }
    let secret_key_included = settings.auth.secret_key.trim().is_empty();
    if secret_key_included {
        let key = settings.data_dir.join(SECRET_KEY);
        if key.exists() {
            let dst = to.join(SECRET_KEY);
            let copied = copy_hashed(&key, &dst)?;
            restrict(&dst)?;
            add(SECRET_KEY, copied);
        }
    }
    let store = settings.files_dir();
    let mut bytes = 0;
    let files = walk(&store)?;
    for rel in &files {
        let (size, sha256) = copy_hashed(&store.join(rel), &to.join(FILES).join(rel))?;
        let name = rel.file_name().unwrap_or_default().to_string_lossy();
        if name.len() == 64 && name.bytes().all(|b| b.is_ascii_hexdigit()) && name != sha256 {
            bail!(
                "存储的文件 {} 已损坏：内容与其名称中的 SHA-256 不符 (stored file is corrupt)",
                slash(rel)
            );
        }
        bytes += size;
        add(&format!("{FILES}/{}", slash(rel)), (size, sha256));
    }
    let manifest = Manifest {
        format: 1,
        created_at: clock.now().and_utc().to_rfc3339(),
        kaifang_version: env!("CARGO_PKG_VERSION").to_owned(),
        database: kind_name(url.kind()).to_owned(),
        secret_key_included,
        entries,
    };
    let tmp = to.join(".manifest.json.tmp");
    std::fs::write(&tmp, serde_json::to_vec_pretty(&manifest)?)?;
    std::fs::rename(&tmp, to.join(MANIFEST))?;
    Ok(Report {
        database: manifest.database,
        files: files.len(),
        bytes,
    })
}

#[cfg(unix)]
fn restrict(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
}

#[cfg(not(unix))]
fn restrict(_: &Path) -> std::io::Result<()> {
    Ok(())
}

/// Reads a backup's manifest and checks every file it lists.
pub fn verify(from: &Path) -> anyhow::Result<Manifest> {
    let text = std::fs::read(from.join(MANIFEST)).with_context(|| {
        format!(
            "{} 中没有 {MANIFEST}：不是完整的备份 (not a complete backup)",
            from.display()
        )
    })?;
    let manifest: Manifest = serde_json::from_slice(&text).context("manifest.json")?;
    if manifest.format != 1 {
        bail!("unknown backup format {}", manifest.format);
    }
    for e in &manifest.entries {
        if e.path.split('/').any(|p| p == ".." || p.is_empty()) {
            bail!("manifest names a path outside the backup: {}", e.path);
        }
        let (size, sha256) = hash_file(&from.join(&e.path))?;
        if size != e.size || sha256 != e.sha256 {
            bail!(
                "备份中的 {} 与清单不符：已损坏或被修改 (does not match the manifest)",
                e.path
            );
        }
    }
    Ok(manifest)
}

/// Restores a backup into the empty data directory and database the settings describe.
pub fn restore(settings: &Settings, from: &Path) -> anyhow::Result<Report> {
    let manifest = verify(from)?;
    let url = settings.database_url()?;
    if manifest.database != kind_name(url.kind()) {
        bail!(
            "备份来自 {}，而目标数据库是 {} (the backup is of a {} database)",
            manifest.database,
            kind_name(url.kind()),
            manifest.database
        );
    }
    let store = settings.files_dir();
    if !empty_or_absent(&store) {
        bail!(
            "{} 已有文件：只能恢复到空的数据目录 (restore needs an empty data directory)",
            store.display()
        );
    }
    let key = settings.data_dir.join(SECRET_KEY);
    if manifest.secret_key_included && key.exists() {
        bail!(
            "{} 已存在：只能恢复到空的数据目录 (restore needs an empty data directory)",
            key.display()
        );
    }
    if let Some(db) = url.sqlite_path()
        && db.exists()
    {
        bail!(
            "数据库文件 {} 已存在：只能恢复到空的数据目录 (restore needs an empty data directory)",
            db.display()
        );
    }
    if let Some(pg) = url.postgres_url() {
        ensure_empty_pg(pg)?;
    }
    std::fs::create_dir_all(&settings.data_dir)?;
    let (mut files, mut bytes) = (0, 0);
    for e in &manifest.entries {
        let src = from.join(&e.path);
        if let Some(rel) = e.path.strip_prefix(&format!("{FILES}/")) {
            copy_hashed(&src, &store.join(rel))?;
            files += 1;
            bytes += e.size;
        } else if e.path == SECRET_KEY {
            copy_hashed(&src, &key)?;
            restrict(&key)?;
        }
    }
    match (url.sqlite_path(), url.postgres_url()) {
        (Some(db), _) => {
            let partial = db.with_extension("restoring");
            copy_hashed(&from.join(SQLITE_COPY), &partial)?;
            std::fs::rename(&partial, db)?;
        }
        (None, Some(pg)) => run(
            Command::new("pg_restore")
                .args(["--no-owner", "--no-privileges", "--exit-on-error"])
                .arg(format!("--dbname={pg}"))
                .arg(from.join(PG_DUMP)),
            "pg_restore",
        )?,
        (None, None) => bail!("no database configured"),
    }
    Ok(Report {
        database: manifest.database,
        files,
        bytes,
    })
}

fn ensure_empty_pg(url: &str) -> anyhow::Result<()> {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = diesel::PgConnection::establish(url).context("connect to PostgreSQL")?;
    let tables = diesel::sql_query(
        "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'public'",
    )
    .get_result::<Count>(&mut conn)?
    .n;
    if tables > 0 {
        bail!("目标数据库已有 {tables} 张表：只能恢复到空数据库 (restore needs an empty database)");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tampered_backup_is_refused_before_anything_is_touched() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("files/ab")).unwrap();
        std::fs::write(dir.path().join("files/ab/x"), b"data").unwrap();
        let (size, sha256) = hash_file(&dir.path().join("files/ab/x")).unwrap();
        let manifest = Manifest {
            format: 1,
            created_at: String::new(),
            kaifang_version: String::new(),
            database: "sqlite".into(),
            secret_key_included: false,
            entries: vec![Entry {
                path: "files/ab/x".into(),
                size,
                sha256,
            }],
        };
        std::fs::write(
            dir.path().join(MANIFEST),
            serde_json::to_vec(&manifest).unwrap(),
        )
        .unwrap();
        assert!(verify(dir.path()).is_ok());
        std::fs::write(dir.path().join("files/ab/x"), b"dat4").unwrap();
        let err = verify(dir.path()).unwrap_err().to_string();
        assert!(err.contains("files/ab/x"), "{err}");
        let escaping = manifest_with_path("../etc/passwd");
        std::fs::write(dir.path().join(MANIFEST), escaping).unwrap();
        assert!(verify(dir.path()).is_err());
    }

    fn manifest_with_path(path: &str) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({
            "format": 1, "created_at": "", "kaifang_version": "", "database": "sqlite",
            "secret_key_included": false,
            "entries": [{"path": path, "size": 0, "sha256": ""}]
        }))
        .unwrap()
    }
}
