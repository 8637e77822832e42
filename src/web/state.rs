//! What every handler can reach: the pool, the settings and the asset table.

use std::sync::Arc;

use actix_web::web;

use super::AppError;
use super::assets::Assets;
use super::auth::Limiters;
use crate::db::{DbConnection, DbPool};
use crate::secrets::Secrets;
use crate::services::passwords::PasswordHasher;
use crate::settings::Settings;

#[derive(Clone)]
pub struct AppState {
    pub pool: DbPool,
    pub settings: Arc<Settings>,
    pub assets: Arc<Assets>,
    pub secrets: Arc<Secrets>,
    pub hasher: Arc<PasswordHasher>,
    pub limiters: Arc<Limiters>,
}

impl AppState {
    /// Runs blocking database work on the blocking thread pool with a pooled connection.
    pub async fn db<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        web::block(move || {
            let mut conn = pool.get().map_err(AppError::unavailable)?;
            f(&mut conn)
        })
        .await
        .map_err(AppError::internal)?
    }
}
