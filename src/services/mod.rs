//! Use cases. Services own transactions and audit records and know no HTTP.

pub mod access;
pub mod accounts;
pub mod admin;
pub mod api_keys;
pub mod application_views;
pub mod applications;
pub mod audit;
pub mod backup;
pub mod catalog;
pub mod ckan;
pub mod clock;
pub mod dataset_page;
pub mod downloads;
pub mod emergencies;
pub mod ingest;
pub mod notices;
pub mod operations;
pub mod outbound;
pub mod passwords;
pub mod preview;
pub mod publishing;
pub mod requests;
pub mod resources;
pub mod reviews;
pub mod search;
pub mod showcase;
pub mod sitemap;
pub mod social;
pub mod stats;
pub mod users;

/// What a failed query answers, as services hand it on; [`is_unavailable`] tells a database
/// that went away (try again later) from a query that went wrong.
pub use crate::db::{DbError, is_unavailable};

/// Who does something, as the audit log records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// `cli`, `system`, `anonymous` or `user:{id}`.
    pub label: String,
    pub user_id: Option<i32>,
    /// The client address of a web request.
    pub ip: Option<String>,
    /// The language of the page the action was taken on (`None`: no page, as for the command
    /// line and background jobs); the mail it sends is written in it (`notices`).
    pub lang: Option<crate::i18n::Lang>,
}

impl Actor {
    pub fn cli() -> Self {
        Self {
            label: "cli".into(),
            user_id: None,
            ip: None,
            lang: None,
        }
    }

    /// The portal itself (background jobs).
    pub fn system() -> Self {
        Self {
            label: "system".into(),
            user_id: None,
            ip: None,
            lang: None,
        }
    }

    pub fn anonymous(ip: Option<String>) -> Self {
        Self {
            label: "anonymous".into(),
            user_id: None,
            ip,
            lang: None,
        }
    }

    /// The same actor, on a page in `lang`.
    pub fn on_page(self, lang: crate::i18n::Lang) -> Self {
        Self {
            lang: Some(lang),
            ..self
        }
    }

    pub fn user(id: i32, ip: Option<String>) -> Self {
        Self {
            label: format!("user:{id}"),
            user_id: Some(id),
            ip,
            lang: None,
        }
    }
}
