//! What every handler can reach: the pool, the settings and the asset table.

use std::sync::Arc;

use actix_web::web;

use super::AppError;
use super::assets::Assets;
use super::auth::Limiters;
use crate::db::{DbConnection, DbPool};
use crate::secrets::Secrets;
use crate::services::ingest::queue::Queue;
use crate::services::passwords::PasswordHasher;
use crate::settings::Settings;
use crate::storage::FileStore;

/// The connection [`AppState::db`] hands its closures. The web layer only passes it on to
/// services (see `api::resources::query_rows`, which the CKAN API shares).
pub type Connection = DbConnection;

#[derive(Clone)]
pub struct AppState {
    pub pool: DbPool,
    pub settings: Arc<Settings>,
    pub assets: Arc<Assets>,
    pub secrets: Arc<Secrets>,
    pub hasher: Arc<PasswordHasher>,
    pub limiters: Arc<Limiters>,
    /// Quotas of the API, the CKAN API, the exports, the catalog search and downloads.
    pub rate_limits: Arc<super::ratelimit::RateLimits>,
    pub metrics: Arc<super::metrics::Metrics>,
    /// Tells open emergency pages (their Server-Sent Events) about new updates.
    pub live: Arc<crate::services::emergencies::Live>,
    /// How many emergency events are active, for the site banner (refreshed every few seconds
    /// and at once when this process posts or closes).
    pub active_emergencies: Arc<std::sync::atomic::AtomicI64>,
    pub store: FileStore,
    /// Uploads waiting to be checked and loaded.
    pub ingest: Arc<Queue>,
    /// The catalog's search index (kept in step through `services::search`).
    pub search: Arc<dyn crate::search::SearchIndex>,
    /// Deadlines and grant periods are checked against this clock (tests move it).
    pub clock: crate::services::clock::Clock,
    /// Turns true when the portal starts stopping (SIGTERM): live streams say goodbye.
    pub stopping: tokio::sync::watch::Receiver<bool>,
}

impl AppState {
    /// Runs blocking database work on the blocking thread pool with a pooled connection.
    pub async fn db<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        self.db_as(f).await
    }

    /// As [`AppState::db`], for handlers with their own error type (the JSON API).
    pub async fn db_as<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<AppError> + Send + 'static,
    {
        let pool = self.pool.clone();
        web::block(move || {
            let mut conn = pool.get().map_err(|e| E::from(AppError::unavailable(e)))?;
            f(&mut conn)
        })
        .await
        .map_err(|e| E::from(AppError::internal(e)))?
    }
}
