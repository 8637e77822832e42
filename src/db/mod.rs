//! The database layer: diesel only. Schema, rows, inserts and queries, each returning
//! `QueryResult`. It knows nothing of HTTP; services own transactions and audit records.

pub mod api_keys;
pub mod audit;
pub mod calendar;
pub mod catalog;
pub mod connection;
pub mod datasets;
pub mod departments;
pub mod history;
pub mod migrations;
pub mod resources;
pub mod schema;
pub mod sessions;
pub mod themes;
pub mod users;

pub use connection::{
    Backend, BackendKind, DatabaseUrl, DbConnection, DbPool, PooledConn, write_transaction,
};
