//! Kaifang (开放): an open-data portal for a provincial government.
//!
//! Layers (see `docs/ARCHITECTURE.md`): `domain` ← `db` ← `services` → `storage`;
//! `web` is the only layer that knows HTTP; `startup` wires everything together and
//! `main.rs` only parses the command line.

pub mod cli;
pub mod db;
pub mod demo;
pub mod domain;
pub mod i18n;
pub mod search;
pub mod secrets;
pub mod services;
pub mod settings;
pub mod startup;
pub mod storage;
pub mod telemetry;
pub mod web;
