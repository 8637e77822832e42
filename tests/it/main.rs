//! The integration tests: one binary, the real app on a random port against a fresh SQLite
//! file, and against a fresh PostgreSQL database when `KAIFANG_TEST_PG` names a server.
//!
//! `KAIFANG_REQUIRE_PG=1` / `KAIFANG_REQUIRE_BROWSER=1` turn a missing PostgreSQL or
//! Chromium into a failure instead of a skip (CI sets both).

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests may panic")]

mod helpers;
mod page_fixture;

mod abuse;
mod accounts;
mod admin;
mod api;
mod applications;
mod audit;
mod authz;
mod backup;
mod bad_input;
mod bilingual;
mod browser;
mod browser_a11y;
mod ckan_harvest;
mod cli;
mod clock;
mod console;
mod dataset_api;
mod demo;
mod disk_full;
mod emergencies;
mod emergency_live;
mod english;
mod english_account;
mod english_routes;
mod faults;
mod gate;
mod hostile_images;
mod hostile_uploads;
mod interop;
mod layers;
mod methods;
mod migrations;
mod operations;
mod origin;
mod pages;
mod protection;
mod requests;
mod restart;
mod reviews;
mod search;
mod showcase;
mod shutdown;
mod sitemap;
mod slugs;
mod ssrf;
mod stats;
mod uploads;
mod visibility;
