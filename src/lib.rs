//! Kaifang (开放): an open-data portal for a provincial government.

pub mod db;
pub mod domain;
pub mod services;
pub mod storage;
