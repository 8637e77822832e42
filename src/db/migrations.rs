//! Embedded migrations, one set per back-end with identical version names.

use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use super::DbConnection;

pub const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
pub const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Applies every pending migration; returns the versions applied.
pub fn run_pending(conn: &mut DbConnection) -> Result<Vec<String>, BoxError> {
    let versions = match conn {
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE)?,
        DbConnection::Pg(c) => c.run_pending_migrations(POSTGRES)?,
    };
    Ok(versions.iter().map(ToString::to_string).collect())
}

/// Reverts every applied migration (used by the up → down → up test and by operators).
pub fn revert_all(conn: &mut DbConnection) -> Result<Vec<String>, BoxError> {
    let versions = match conn {
        DbConnection::Sqlite(c) => c.revert_all_migrations(SQLITE)?,
        DbConnection::Pg(c) => c.revert_all_migrations(POSTGRES)?,
    };
    Ok(versions.iter().map(ToString::to_string).collect())
}

/// The migration versions this binary carries for each back-end, in order.
pub fn versions() -> (Vec<String>, Vec<String>) {
    use diesel::migration::MigrationSource;
    let names = |src: EmbeddedMigrations| -> Vec<String> {
        MigrationSource::<diesel::sqlite::Sqlite>::migrations(&src)
            .map(|ms| ms.iter().map(|m| m.name().version().to_string()).collect())
            .unwrap_or_default()
    };
    (names(SQLITE), names(POSTGRES))
}
