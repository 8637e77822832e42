//! One connection type over SQLite and PostgreSQL, chosen at run time from the URL scheme,
//! and the r2d2 pool that hands them out.

use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{self, R2D2Connection};

#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Sqlite(SqliteConnection),
    Pg(PgConnection),
}

/// The diesel backend of [`DbConnection`]; queries are written once against it.
pub type Backend = MultiBackend;
pub type DbPool = r2d2::Pool<ConnectionManager>;
pub type PooledConn = r2d2::PooledConnection<ConnectionManager>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    Sqlite,
    Postgres,
}

/// A database URL whose scheme has been checked. diesel's own multi-connection `establish`
/// tries each back-end in turn and hides the real error, so we choose ourselves.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    kind: BackendKind,
    /// For SQLite, the file path; for PostgreSQL, the whole URL.
    target: String,
}

#[derive(Debug, thiserror::Error)]
pub enum DatabaseUrlError {
    #[error(
        "DATABASE_URL must start with sqlite:// or postgres:// (got a URL with another scheme)"
    )]
    Scheme,
    #[error("DATABASE_URL names no SQLite file")]
    EmptyPath,
}

impl DatabaseUrl {
    pub fn parse(url: &str) -> Result<Self, DatabaseUrlError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self {
                kind: BackendKind::Postgres,
                target: url.to_owned(),
            });
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .ok_or(DatabaseUrlError::Scheme)?;
        if path.is_empty() {
            return Err(DatabaseUrlError::EmptyPath);
        }
        Ok(Self {
            kind: BackendKind::Sqlite,
            target: path.to_owned(),
        })
    }

    pub fn sqlite_file(path: &std::path::Path) -> Self {
        Self {
            kind: BackendKind::Sqlite,
            target: path.to_string_lossy().into_owned(),
        }
    }

    pub fn kind(&self) -> BackendKind {
        self.kind
    }

    /// The SQLite file path, when this is a SQLite URL.
    pub fn sqlite_path(&self) -> Option<&std::path::Path> {
        (self.kind == BackendKind::Sqlite).then(|| std::path::Path::new(&self.target))
    }

    /// The connection string, when this is a PostgreSQL URL (it may hold a password).
    pub fn postgres_url(&self) -> Option<&str> {
        (self.kind == BackendKind::Postgres).then_some(self.target.as_str())
    }

    pub fn establish(&self, busy_timeout: Duration) -> ConnectionResult<DbConnection> {
        match self.kind {
            BackendKind::Sqlite => {
                // WAL is a property of the file, set once by `build_pool`; these are per connection.
                let mut conn = SqliteConnection::establish(&self.target)?;
                conn.batch_execute(&format!(
                    "PRAGMA busy_timeout = {}; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;",
                    busy_timeout.as_millis()
                ))
                .map_err(|e| ConnectionError::BadConnection(e.to_string()))?;
                Ok(DbConnection::Sqlite(conn))
            }
            BackendKind::Postgres => {
                let mut conn = PgConnection::establish(&self.target)?;
                conn.batch_execute("SET TIME ZONE 'UTC'")
                    .map_err(|e| ConnectionError::BadConnection(e.to_string()))?;
                Ok(DbConnection::Pg(conn))
            }
        }
    }
}

/// Never print a PostgreSQL password, whether in the user part (`user:secret@host`) or as a
/// `password=` parameter.
impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind {
            BackendKind::Sqlite => write!(f, "sqlite://{}", self.target),
            BackendKind::Postgres => {
                let (main, query) = match self.target.split_once('?') {
                    Some((m, q)) => (m, Some(q)),
                    None => (self.target.as_str(), None),
                };
                let mut shown = match (main.find("://"), main.rfind('@')) {
                    (Some(s), Some(at)) if at > s => {
                        format!("{}://…@{}", &main[..s], &main[at + 1..])
                    }
                    _ => main.to_owned(),
                };
                if let Some(q) = query {
                    let params: Vec<String> = q
                        .split('&')
                        .map(|p| match p.split_once('=') {
                            Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=…"),
                            _ => p.to_owned(),
                        })
                        .collect();
                    shown = format!("{shown}?{}", params.join("&"));
                }
                f.write_str(&shown)
            }
        }
    }
}

impl std::fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self, f)
    }
}

/// r2d2 manager that opens the right back-end and applies its session settings.
#[derive(Debug)]
pub struct ConnectionManager {
    url: DatabaseUrl,
    busy_timeout: Duration,
}

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        self.url
            .establish(self.busy_timeout)
            .map_err(r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        conn.ping().map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        conn.is_broken()
    }
}

pub struct PoolOptions {
    pub max_size: u32,
    pub connect_timeout: Duration,
    pub busy_timeout: Duration,
}

/// Builds the pool. For SQLite, first switches the file to write-ahead logging with a single
/// connection: the mode is stored in the file, and switching needs the database to itself.
pub fn build_pool(url: &DatabaseUrl, opts: &PoolOptions) -> Result<DbPool, r2d2::PoolError> {
    if url.kind() == BackendKind::Sqlite
        && let Ok(DbConnection::Sqlite(mut conn)) = url.establish(opts.busy_timeout)
        && let Err(e) = conn.batch_execute("PRAGMA journal_mode = WAL")
    {
        tracing::warn!(error = %e, "cannot switch SQLite to WAL");
    }
    r2d2::Pool::builder()
        .max_size(opts.max_size)
        .connection_timeout(opts.connect_timeout)
        .test_on_check_out(true)
        .build(ConnectionManager {
            url: url.clone(),
            busy_timeout: opts.busy_timeout,
        })
}

impl DbConnection {
    pub fn kind(&self) -> BackendKind {
        match self {
            Self::Sqlite(_) => BackendKind::Sqlite,
            Self::Pg(_) => BackendKind::Postgres,
        }
    }
}

/// A transaction that holds the write lock from its first statement.
///
/// SQLite starts transactions deferred: one that reads and then writes fails with "database is
/// locked" if another writer committed in between. On SQLite the outermost call therefore begins
/// with `BEGIN IMMEDIATE`, which takes the write lock up front (waiting up to the busy timeout);
/// nested calls become savepoints inside it. On PostgreSQL this is a plain transaction; callers
/// lock what they need.
pub fn write_transaction<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    let outermost_sqlite = match conn {
        DbConnection::Sqlite(inner) => {
            AnsiTransactionManager::transaction_manager_status_mut(inner)
                .transaction_depth()?
                .is_none()
        }
        DbConnection::Pg(_) => false,
    };
    if !outermost_sqlite {
        return conn.transaction(f);
    }
    if let DbConnection::Sqlite(inner) = conn {
        AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?;
    }
    let result = f(conn);
    let DbConnection::Sqlite(inner) = conn else {
        unreachable!("the connection was SQLite a moment ago");
    };
    match result {
        Ok(value) => match AnsiTransactionManager::commit_transaction(inner) {
            Ok(()) => Ok(value),
            Err(e) => {
                let _ = AnsiTransactionManager::rollback_transaction(inner);
                Err(e.into())
            }
        },
        Err(e) => {
            AnsiTransactionManager::rollback_transaction(inner)?;
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chooses_the_backend_from_the_scheme() {
        let s = DatabaseUrl::parse("sqlite://./data/kaifang.db").unwrap();
        assert_eq!(s.kind(), BackendKind::Sqlite);
        assert_eq!(
            s.sqlite_path().unwrap(),
            std::path::Path::new("./data/kaifang.db")
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:/tmp/x.db")
                .unwrap()
                .sqlite_path()
                .unwrap(),
            std::path::Path::new("/tmp/x.db")
        );
        let p = DatabaseUrl::parse("postgres://u:secret@localhost/db").unwrap();
        assert_eq!(p.kind(), BackendKind::Postgres);
        assert!(DatabaseUrl::parse("postgresql://localhost/db").is_ok());
        assert!(DatabaseUrl::parse("mysql://localhost/db").is_err());
        assert!(DatabaseUrl::parse("sqlite://").is_err());
        assert!(DatabaseUrl::parse("data/kaifang.db").is_err());
    }

    #[test]
    fn never_shows_a_password() {
        let p = DatabaseUrl::parse("postgres://kaifang:secret@db.example:5432/kaifang").unwrap();
        let shown = format!("{p} {p:?}");
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("db.example:5432/kaifang"), "{shown}");
        let q =
            DatabaseUrl::parse("postgres://db/k?user=k&password=secret&sslmode=disable").unwrap();
        let shown = q.to_string();
        assert_eq!(shown, "postgres://db/k?user=k&password=…&sslmode=disable");
    }
}
