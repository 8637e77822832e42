//! The per-cell work of an ingest, measured with criterion: `cargo bench --bench ingest`.
//!
//! Every cell of an upload goes through the personal-data scan and the type guess in pass 1,
//! and through typing (and, for a treated column, masking) in pass 2, so these functions bound
//! the ingest rate. The end-to-end figures, against `sqlite3 .import` and nginx, come from
//! `benches/pipeline.sh` (docs/PERFORMANCE.md).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark may stop at the first failure"
)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kaifang::domain::column_type::{ColumnType, TypeGuess, parse_as};
use kaifang::domain::pii;

/// One row of a market-entity register, as the pipeline benchmark generates them.
const ROW: [&str; 12] = [
    "48213",
    "安徽新能源58617科技有限公司",
    "91340477MA6D5A586E",
    "肥西县",
    "软件和信息技术服务业",
    "2011-09-05",
    "27783.54",
    "4762",
    "是",
    "合肥市肥西县新能源路572号",
    "软件开发；信息系统集成服务",
    "2026-11-28 21:18:48",
];

/// Cells that do hold personal data (the resident ID has a valid check digit).
const PERSONAL: [&str; 4] = [
    "340104197001011234",
    "联系电话 13812345678",
    "退款账户 6222021234567890128",
    "zhang.san@example.cn",
];

fn scan(c: &mut Criterion) {
    let mut g = c.benchmark_group("pii_scan");
    g.throughput(Throughput::Elements(ROW.len() as u64));
    g.bench_function("plain_row", |b| {
        b.iter(|| {
            ROW.iter()
                .map(|cell| pii::scan(black_box(cell)).len())
                .sum::<usize>()
        })
    });
    g.throughput(Throughput::Elements(PERSONAL.len() as u64));
    g.bench_function("personal_cells", |b| {
        b.iter(|| {
            PERSONAL
                .iter()
                .map(|cell| pii::scan(black_box(cell)).len())
                .sum::<usize>()
        })
    });
    g.bench_function("mask_personal_cells", |b| {
        b.iter(|| {
            PERSONAL
                .iter()
                .map(|cell| pii::mask_all(black_box(cell)).len())
                .sum::<usize>()
        })
    });
    g.finish();
}

fn types(c: &mut Criterion) {
    let mut g = c.benchmark_group("types");
    g.throughput(Throughput::Elements(ROW.len() as u64));
    g.bench_function("guess_row", |b| {
        b.iter(|| {
            let mut guesses = [TypeGuess::default(); 12];
            for (g, cell) in guesses.iter_mut().zip(ROW) {
                g.see(black_box(cell));
            }
            guesses.map(TypeGuess::result)
        })
    });
    let typed = [
        ColumnType::Integer,
        ColumnType::Text,
        ColumnType::Text,
        ColumnType::Text,
        ColumnType::Text,
        ColumnType::Date,
        ColumnType::Decimal,
        ColumnType::Integer,
        ColumnType::Boolean,
        ColumnType::Text,
        ColumnType::Text,
        ColumnType::DateTime,
    ];
    g.bench_function("parse_row", |b| {
        b.iter(|| {
            typed
                .iter()
                .zip(ROW)
                .filter(|(ty, cell)| parse_as(**ty, black_box(cell)).is_some())
                .count()
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = scan, types
}
criterion_main!(benches);
