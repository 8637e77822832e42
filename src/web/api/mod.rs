//! The JSON API: `Authorization: Bearer <key>`, errors as
//! `{"error":{"code","message","fields"?}}` (DESIGN.md §5).

pub mod account;
pub mod catalog;
pub mod ckan;
pub mod datasets;
pub mod emergencies;
pub mod openapi;
pub mod read;
pub mod records;
pub mod resources;

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};

use super::AppState;
pub use super::api_error::{ApiError, json_error};
use crate::services::accounts::User;
use crate::services::api_keys;

/// The user an API key belongs to.
pub struct ApiUser(pub User);

impl FromRequest for ApiUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        use actix_web::HttpMessage;
        // The rate-limit middleware has resolved the key already on API paths.
        if let Some(caller) = req.extensions().get::<super::ratelimit::Caller>() {
            let user = caller.user.clone();
            return Box::pin(async move { user.map(ApiUser).ok_or_else(ApiError::unauthorized) });
        }
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let key = super::ratelimit::presented_key(req.headers());
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal(anyhow::anyhow!("no app state")))?;
            let key = key.ok_or_else(ApiError::unauthorized)?;
            let now = state.clock.now();
            let user = state
                .db(move |c| Ok(api_keys::authenticate(c, &key, now)?))
                .await
                .map_err(ApiError::from)?;
            user.map(ApiUser).ok_or_else(ApiError::unauthorized)
        })
    }
}
