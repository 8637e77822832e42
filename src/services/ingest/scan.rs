//! Pass 1: reading the whole file once to check its structure, infer column types, count nulls
//! and distinct values, and find personal data.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use rustc_hash::FxHashSet;

use super::progress::Progress;
use super::source::{self, CsvShape};
use super::{Context, IngestError, MAX_PROBLEMS, Problem, csv_problem, shown};
use crate::db::DbConnection;
use crate::domain::column_type::TypeGuess;
use crate::domain::pii::{self, PiiKind};

const DISTINCT_CAP: usize = 100_000;

/// Everything pass 1 learns.
pub(super) struct Scan {
    pub(super) headers: Vec<String>,
    pub(super) guesses: Vec<TypeGuess>,
    pub(super) nulls: Vec<u64>,
    /// Hashes of the values seen, up to `DISTINCT_CAP`.
    pub(super) distinct: Vec<FxHashSet<u64>>,
    pub(super) distinct_more: Vec<bool>,
    pub(super) findings: BTreeMap<(usize, PiiKind), (u64, Vec<String>)>,
    rows: u64,
    pub(super) problems: Vec<Problem>,
    /// Cells a spreadsheet program would run as formulas: how many, and the first few.
    pub(super) formulas: u64,
    pub(super) formula_cells: Vec<Problem>,
}

/// A fast, unkeyed hash: the values are the file's own, so there is nothing to defend against.
fn hash_cell(s: &str) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    s.hash(&mut h);
    h.finish()
}

/// Header names: trimmed; blank ones get "列N"; repeated ones get a suffix.
fn clean_headers(raw: &csv::StringRecord) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(raw.len());
    for (i, h) in raw.iter().enumerate() {
        let h = h.trim().trim_start_matches('\u{feff}');
        let mut name = if h.is_empty() {
            format!("列{}", i + 1)
        } else {
            h.to_owned()
        };
        if out.contains(&name) {
            let mut n = 2;
            while out.contains(&format!("{name}_{n}")) {
                n += 1;
            }
            name = format!("{name}_{n}");
        }
        out.push(name);
    }
    out
}

pub(super) fn scan(
    conn: &mut DbConnection,
    ctx: &Context,
    path: &Path,
    shape: CsvShape,
    progress: &mut Progress,
) -> Result<Scan, IngestError> {
    let bytes = Arc::new(AtomicU64::new(0));
    let reader = source::csv_reader(path, shape, bytes.clone(), ctx.limits.csv)?;
    std::thread::scope(|scope| {
        let records = source::read_ahead(scope, reader).into_iter().flatten();
        scan_records(conn, records, &bytes, progress)
    })
}

fn scan_records(
    conn: &mut DbConnection,
    mut records: impl Iterator<Item = Result<csv::StringRecord, csv::Error>>,
    bytes: &AtomicU64,
    progress: &mut Progress,
) -> Result<Scan, IngestError> {
    let headers = match records.next() {
        None => return Err(IngestError::Problems(vec![Problem::whole("文件为空")])),
        Some(Err(e)) => return Err(IngestError::Problems(vec![csv_problem(&e)])),
        Some(Ok(h)) => clean_headers(&h),
    };
    let n = headers.len();
    let mut header_findings = BTreeMap::new();
    for (i, h) in headers.iter().enumerate() {
        for f in pii::scan(h) {
            let entry: &mut (u64, Vec<String>) = header_findings
                .entry((i, f.kind))
                .or_insert((0, Vec::new()));
            entry.0 += 1;
            entry.1.push(pii::mask(f.kind, &h[f.start..f.end]));
        }
    }
    let mut s = Scan {
        guesses: vec![TypeGuess::default(); n],
        nulls: vec![0; n],
        distinct: vec![FxHashSet::default(); n],
        distinct_more: vec![false; n],
        // Header cells are scanned like any other: a column named after a person leaks too.
        findings: header_findings,
        rows: 0,
        problems: Vec::new(),
        formulas: 0,
        formula_cells: Vec::new(),
        headers,
    };
    for rec in records {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                s.problems.push(csv_problem(&e));
                break;
            }
        };
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        if rec.len() == 1 && rec.get(0).is_some_and(|c| c.trim().is_empty()) {
            continue; // a blank line
        }
        if rec.len() != n {
            let hint = if rec.iter().any(|c| c.contains('\n')) {
                "（可能有未闭合的引号）"
            } else {
                ""
            };
            s.problems.push(Problem {
                line,
                column: None,
                value: None,
                reason: format!("该行有 {} 个字段，表头有 {n} 个{hint}", rec.len()),
            });
            if s.problems.len() >= MAX_PROBLEMS {
                break;
            }
            continue;
        }
        s.rows += 1;
        for (i, cell) in rec.iter().enumerate() {
            let t = cell.trim();
            if t.is_empty() {
                s.nulls[i] += 1;
                continue;
            }
            s.guesses[i].see(t);
            if crate::domain::formula::looks_like_formula(t) {
                s.formulas += 1;
                if s.formula_cells.len() < 20 {
                    s.formula_cells.push(Problem {
                        line,
                        column: Some(s.headers[i].clone()),
                        value: Some(shown(t.to_owned())),
                        reason: "电子表格软件打开时会把它当作公式执行".into(),
                    });
                }
            }
            if !s.distinct_more[i] {
                s.distinct[i].insert(hash_cell(t));
                if s.distinct[i].len() >= DISTINCT_CAP {
                    s.distinct_more[i] = true;
                }
            }
            for f in pii::scan(t) {
                let entry = s.findings.entry((i, f.kind)).or_insert((0, Vec::new()));
                entry.0 += 1;
                if entry.1.len() < 3 {
                    entry.1.push(pii::mask(f.kind, &t[f.start..f.end]));
                }
            }
        }
        if s.rows.is_multiple_of(4096) {
            progress.tick(conn, s.rows, bytes)?;
        }
    }
    if s.rows == 0 && s.problems.is_empty() {
        s.problems.push(Problem::whole("文件只有表头，没有数据行"));
    }
    Ok(s)
}
