//! The web layer: the only place that knows HTTP (actix-web) and HTML (askama).

pub mod api;
pub mod api_error;
pub mod assets;
pub mod auth;
pub mod catalog_params;
pub mod charts;
pub mod downloads;
pub mod elder_mode;
pub mod emergency_json;
pub mod error;
mod error_map;
pub mod format;
pub mod forms;
pub mod lang;
pub mod layout;
pub mod machine;
pub mod metrics;
pub mod middleware;
pub mod nul;
pub mod pages;
pub mod ratelimit;
pub mod routes;
pub mod rows_json;
pub mod state;
pub mod throttle;
pub mod upload;

pub use error::AppError;
pub use state::AppState;
