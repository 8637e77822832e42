//! Ingest: turning an uploaded file into a published, typed, masked resource version.
//!
//! Pass 1 (scan) reads the whole file once: it checks the structure (every line has as many
//! fields as the header), infers column types, counts nulls and distinct values, and scans every
//! cell for personal data. If personal data is found and the dataset is meant to be open, the
//! version stops as `blocked` until the publisher decides, per column, to mask, drop or hash it
//! (or an administrator records an override). Pass 2 (load) applies those decisions, types every
//! value, writes the published data as a normalised UTF-8 CSV and loads the rows into the
//! version's datastore table in batches. Only then, in one small transaction, does the version
//! become `ready` and the resource's current version: until that moment the previous version
//! stays served, and any failure leaves it untouched with a report.

pub mod export;
pub mod guard;
pub mod queue;
pub mod source;
pub mod xlsx;

use std::collections::{BTreeMap, HashSet};
use std::sync::mpsc;

use rustc_hash::FxHashSet;
use std::fs::File;
use std::hash::{Hash, Hasher};
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use diesel::result::Error as DbError;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use self::source::{CsvShape, SourceError, SourceFormat};
use super::{Actor, audit};
use crate::db::datastore::{self, Col};
use crate::db::versions::{self, Scanned, Version};
use crate::db::{DbConnection, datasets, resources, write_transaction};
use crate::domain::OpenClass;
use crate::domain::column_type::{ColumnType, TypeGuess, Value, parse_as};
use crate::domain::pii::{self, PiiKind};
use crate::storage::FileStore;

/// What happens to a column that holds personal data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Treatment {
    /// Replace each ID, mobile, card number or address with its masked form.
    Mask,
    /// Leave the column out.
    Drop,
    /// Replace each value with a keyed hash (keeps it usable as a join key).
    Hash,
    /// Publish as is (only with an administrator's override).
    Keep,
}

impl Treatment {
    pub fn label(self) -> &'static str {
        match self {
            Self::Mask => "脱敏",
            Self::Drop => "删除该列",
            Self::Hash => "替换为加密哈希",
            Self::Keep => "保留原值（管理员核准）",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "mask" => Self::Mask,
            "drop" => Self::Drop,
            "hash" => Self::Hash,
            "keep" => Self::Keep,
            _ => return None,
        })
    }
}

/// The publisher's decisions for a version: per source column, a treatment and a type.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decisions {
    #[serde(default)]
    pub treatments: BTreeMap<usize, Treatment>,
    #[serde(default)]
    pub types: BTreeMap<usize, ColumnType>,
    /// Treatments carried over from the previous version, by column name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub by_name: BTreeMap<String, Treatment>,
    /// The publisher confirmed that cells a spreadsheet program would run as formulas are
    /// data, to be published as they are.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub formulas_confirmed: bool,
}

/// A column of a version, as stored in `column_info`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnInfo {
    /// Position in the uploaded file (0-based).
    pub source: usize,
    pub name: String,
    /// Datastore column (`c1`…); empty for a dropped column.
    pub key: String,
    #[serde(rename = "type")]
    pub ty: ColumnType,
    pub nulls: u64,
    pub distinct: u64,
    /// More distinct values than were counted.
    pub distinct_more: bool,
    pub min: Option<String>,
    pub max: Option<String>,
    pub treatment: Option<Treatment>,
}

/// Personal data found in one column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub column: usize,
    pub name: String,
    pub kind: PiiKind,
    pub count: u64,
    /// A few occurrences, already masked.
    pub examples: Vec<String>,
    /// Found in another sheet of a spreadsheet (not published as data; the original upload,
    /// which holds it, is then never served publicly).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
}

/// A problem with the file, for the publisher's report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// 1-based line of the file (0: the file as a whole).
    pub line: u64,
    pub column: Option<String>,
    pub value: Option<String>,
    pub reason: String,
}

impl Problem {
    fn whole(reason: impl Into<String>) -> Self {
        Self {
            line: 0,
            column: None,
            value: None,
            reason: reason.into(),
        }
    }
}

/// How an ingest ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Ready { rows: u64 },
    Blocked { findings: usize },
    Failed { problems: usize },
}

/// What the ingest needs besides a database connection.
#[derive(Clone)]
pub struct Context {
    pub store: FileStore,
    /// Key for `Treatment::Hash`.
    pub hash_key: [u8; 32],
    /// Rows per datastore transaction.
    pub batch_rows: usize,
    /// How large a CSV field or record, and a spreadsheet, may be.
    pub limits: Limits,
}

/// The bounds every upload is read within, whatever it holds.
#[derive(Debug, Clone, Default)]
pub struct Limits {
    pub csv: guard::CsvLimits,
    pub sheet: xlsx::SheetLimits,
}

/// Longest text kept for display (a column's min and max, a problem's value).
const SHOWN_CHARS: usize = 100;

/// `s` cut to [`SHOWN_CHARS`] characters, marked when cut.
fn shown(s: String) -> String {
    if s.chars().count() <= SHOWN_CHARS {
        s
    } else {
        let mut cut: String = s.chars().take(SHOWN_CHARS).collect();
        cut.push('…');
        cut
    }
}

const MAX_PROBLEMS: usize = 100;
/// Most bytes of cells in one batch on its way to the datastore.
const BATCH_BYTES: usize = 8 << 20;
const DISTINCT_CAP: usize = 100_000;
const PROGRESS_EVERY: Duration = Duration::from_millis(500);

fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

/// Reads the decisions stored on a version.
pub fn decisions_of(v: &Version) -> Decisions {
    v.masking
        .as_deref()
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or_default()
}

pub fn columns_of(v: &Version) -> Vec<ColumnInfo> {
    v.column_info
        .as_deref()
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or_default()
}

pub fn findings_of(v: &Version) -> Vec<Finding> {
    v.pii
        .as_deref()
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or_default()
}

pub fn problems_of(v: &Version) -> Vec<Problem> {
    v.report
        .as_deref()
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or_default()
}

/// Reports progress at most twice a second.
struct Progress {
    version: i32,
    last: Instant,
    /// Per mille where this pass starts and how much of the job it covers.
    base: i32,
    span: i32,
    total_bytes: u64,
}

impl Progress {
    fn tick(
        &mut self,
        conn: &mut DbConnection,
        rows: u64,
        bytes: &AtomicU64,
    ) -> Result<(), DbError> {
        if self.last.elapsed() < PROGRESS_EVERY {
            return Ok(());
        }
        self.last = Instant::now();
        let done = bytes.load(Ordering::Relaxed) as f64 / self.total_bytes.max(1) as f64;
        let per_mille = self.base + (f64::from(self.span) * done.min(1.0)) as i32;
        versions::progress(conn, self.version, rows as i64, per_mille)
    }
}

/// Everything pass 1 learns.
struct Scan {
    headers: Vec<String>,
    guesses: Vec<TypeGuess>,
    nulls: Vec<u64>,
    /// Hashes of the values seen, up to `DISTINCT_CAP`.
    distinct: Vec<FxHashSet<u64>>,
    distinct_more: Vec<bool>,
    findings: BTreeMap<(usize, PiiKind), (u64, Vec<String>)>,
    rows: u64,
    problems: Vec<Problem>,
    /// Cells a spreadsheet program would run as formulas: how many, and the first few.
    formulas: u64,
    formula_cells: Vec<Problem>,
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

fn scan(
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

/// What an ingest that met a full disk reports.
const FULL_DURING_INGEST: &str =
    "服务器存储空间不足，本次导入未完成；之前的版本不受影响，请稍后重新上传或联系平台管理员";

fn csv_problem(e: &csv::Error) -> Problem {
    let mut line = e.position().map(|p| p.line()).unwrap_or(0);
    if let csv::ErrorKind::Io(io) = e.kind()
        && let Some(t) = guard::too_long(io)
    {
        line = t.line;
        return Problem {
            line,
            column: None,
            value: None,
            reason: t.message.clone(),
        };
    }
    let reason = match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "该行含有无法识别的字符编码".to_owned(),
        csv::ErrorKind::Io(io) if crate::storage::is_full(io) => {
            tracing::error!(error = %io, "the data directory is full: an ingest failed");
            line = 0;
            FULL_DURING_INGEST.to_owned()
        }
        csv::ErrorKind::Io(io) => format!("读取文件出错：{io}"),
        _ => format!("无法解析：{e}"),
    };
    Problem {
        line,
        column: None,
        value: None,
        reason,
    }
}

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("文件有问题")]
    Problems(Vec<Problem>),
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Database(#[from] DbError),
}

impl From<csv::Error> for IngestError {
    fn from(e: csv::Error) -> Self {
        Self::Problems(vec![csv_problem(&e)])
    }
}

/// A column of the load plan.
struct Planned {
    source: usize,
    name: String,
    ty: ColumnType,
    treatment: Option<Treatment>,
    key: String,
}

/// The values of min and max by type, as text.
#[derive(Default, Clone)]
struct Range {
    min: Option<Value>,
    max: Option<Value>,
}

fn less(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Integer(x), Value::Integer(y)) => x < y,
        (Value::Decimal(x), Value::Decimal(y)) => x < y,
        (Value::Boolean(x), Value::Boolean(y)) => x < y,
        (Value::Date(x), Value::Date(y)) => x < y,
        (Value::DateTime(x), Value::DateTime(y)) => x < y,
        (Value::Text(x), Value::Text(y)) => x < y,
        _ => false,
    }
}

pub fn display(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::Integer(n) => n.to_string(),
        Value::Decimal(n) => n.to_string(),
        Value::Boolean(b) => if *b { "是" } else { "否" }.to_owned(),
        Value::Date(d) => d.format("%Y-%m-%d").to_string(),
        Value::DateTime(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
        Value::Text(s) => s.clone(),
    }
}

fn hash_value(key: &[u8; 32], s: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(s.as_bytes());
    hex::encode(&mac.finalize().into_bytes()[..8])
}

struct Loaded {
    rows: u64,
    ranges: Vec<Range>,
    data: PathBuf,
}

/// What the transforming thread of pass 2 ends with.
struct Transformed {
    rows: u64,
    ranges: Vec<Range>,
    problems: Vec<Problem>,
}

/// Whether `display` would write the cell exactly as it is (so it can be copied as is).
fn canonical(ty: ColumnType, cell: &str) -> bool {
    let b = cell.as_bytes();
    match ty {
        ColumnType::Text => true,
        ColumnType::Integer => !cell.starts_with('+'),
        ColumnType::Date => b.len() == 10 && b[4] == b'-',
        ColumnType::DateTime => b.len() == 19 && b[10] == b' ',
        ColumnType::Decimal | ColumnType::Boolean => false,
    }
}

/// Pass 2's work on the records, on a thread of its own: masks, types and checks every cell,
/// writes the published CSV, and hands rows to the loading thread in batches. Once a problem is
/// found no more batches are sent (the load will be discarded) but checking goes on, so that
/// the report lists up to `MAX_PROBLEMS` of them.
fn transform(
    ctx: &Context,
    plan: &[Planned],
    records: impl Iterator<Item = Result<csv::StringRecord, csv::Error>>,
    out: &mut csv::Writer<BufWriter<File>>,
    batches: mpsc::SyncSender<(i64, Vec<Vec<Value>>)>,
) -> Result<Transformed, IngestError> {
    let mut t = Transformed {
        rows: 0,
        ranges: vec![Range::default(); plan.len()],
        problems: Vec::new(),
    };
    let mut batch: Vec<Vec<Value>> = Vec::with_capacity(ctx.batch_rows);
    let mut batch_bytes = 0usize;
    let mut records = records;
    records.next(); // the header
    for rec in records {
        let rec = rec?;
        if rec.len() == 1 && rec.get(0).is_some_and(|c| c.trim().is_empty()) {
            continue;
        }
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        let mut values = Vec::with_capacity(plan.len());
        for (p, r) in plan.iter().zip(t.ranges.iter_mut()) {
            let raw = rec.get(p.source).unwrap_or("").trim();
            let treated;
            let cell = match p.treatment {
                Some(Treatment::Mask) => {
                    treated = pii::mask_all(raw);
                    treated.as_str()
                }
                Some(Treatment::Hash) if !raw.is_empty() => {
                    treated = hash_value(&ctx.hash_key, raw);
                    treated.as_str()
                }
                _ => raw,
            };
            match parse_as(p.ty, cell) {
                Some(v) => {
                    if v != Value::Null {
                        if r.min.as_ref().is_none_or(|m| less(&v, m)) {
                            r.min = Some(v.clone());
                        }
                        if r.max.as_ref().is_none_or(|m| less(m, &v)) {
                            r.max = Some(v.clone());
                        }
                    }
                    if canonical(p.ty, cell) {
                        out.write_field(cell)?;
                    } else {
                        out.write_field(display(&v))?;
                    }
                    values.push(v);
                }
                None => {
                    if t.problems.len() < MAX_PROBLEMS {
                        t.problems.push(Problem {
                            line,
                            column: Some(p.name.clone()),
                            value: Some(cell.chars().take(100).collect()),
                            reason: format!("不是{}", p.ty.label()),
                        });
                    }
                    out.write_field("")?;
                    values.push(Value::Null);
                }
            }
        }
        out.write_record(None::<&[u8]>)?;
        batch_bytes += rec.as_byte_record().as_slice().len();
        batch.push(values);
        t.rows += 1;
        // A batch is bounded in rows and in bytes (long cells make few rows a lot of memory).
        if batch.len() >= ctx.batch_rows || batch_bytes >= BATCH_BYTES {
            batch_bytes = 0;
            let first = t.rows as i64 - batch.len() as i64 + 1;
            let full = std::mem::replace(&mut batch, Vec::with_capacity(ctx.batch_rows));
            if t.problems.is_empty() && batches.send((first, full)).is_err() {
                // The loading thread stopped on an error of its own, which it reports.
                return Ok(t);
            }
        }
    }
    if t.problems.is_empty() && !batch.is_empty() {
        let first = t.rows as i64 - batch.len() as i64 + 1;
        let _ = batches.send((first, batch));
    }
    Ok(t)
}

/// Pass 2: three threads in a pipeline — reading the CSV, transforming the records (and writing
/// the published CSV), and loading batches into the datastore on this thread's connection.
#[allow(clippy::too_many_arguments)]
fn load(
    conn: &mut DbConnection,
    ctx: &Context,
    path: &Path,
    shape: CsvShape,
    plan: &[Planned],
    table: &str,
    data: PathBuf,
    progress: &mut Progress,
) -> Result<Loaded, IngestError> {
    let cols: Vec<Col> = plan
        .iter()
        .map(|p| Col {
            key: p.key.clone(),
            ty: p.ty,
        })
        .collect();
    datastore::drop_table(conn, table)?;
    datastore::create_table(conn, table, &cols)?;
    let mut loader = datastore::BulkLoader::new(conn, table, &cols)?;
    let bytes = Arc::new(AtomicU64::new(0));
    let reader = source::csv_reader(path, shape, bytes.clone(), ctx.limits.csv)?;
    let mut out = csv::WriterBuilder::new()
        .from_writer(BufWriter::with_capacity(256 * 1024, File::create(&data)?));
    out.write_record(plan.iter().map(|p| p.name.as_str()))?;
    let (transformed, loaded) = std::thread::scope(|scope| {
        let records = source::read_ahead(scope, reader).into_iter().flatten();
        let (tx, rx) = mpsc::sync_channel(2);
        let worker = scope.spawn(|| transform(ctx, plan, records, &mut out, tx));
        let mut loaded: Result<(), IngestError> = Ok(());
        for (first, batch) in rx.iter() {
            loaded = loader
                .insert(conn, table, &cols, first, &batch)
                .map_err(IngestError::from)
                .and_then(|()| {
                    let rows = first as u64 + batch.len() as u64 - 1;
                    progress.tick(conn, rows, &bytes).map_err(IngestError::from)
                });
            if loaded.is_err() {
                break;
            }
        }
        drop(rx);
        let transformed = worker
            .join()
            .unwrap_or_else(|_| Err(IngestError::Io(std::io::Error::other("导入线程异常退出"))));
        (transformed, loaded)
    });
    let transformed = transformed?;
    if !transformed.problems.is_empty() {
        return Err(IngestError::Problems(transformed.problems));
    }
    loaded?;
    out.flush()?;
    drop(out);
    Ok(Loaded {
        rows: transformed.rows,
        ranges: transformed.ranges,
        data,
    })
}

fn scratch_file(ctx: &Context, version: i32, what: &str) -> Result<PathBuf, IngestError> {
    Ok(ctx.store.scratch()?.join(format!("v{version}.{what}")))
}

/// Runs the whole ingest of a version that is `processing`. Never leaves it `processing`.
pub fn run(conn: &mut DbConnection, ctx: &Context, version_id: i32) -> Result<Outcome, DbError> {
    let Some(v) = versions::by_id(conn, version_id)? else {
        return Ok(Outcome::Failed { problems: 0 });
    };
    let table = datastore::table_name(v.id);
    let mut temps: Vec<PathBuf> = Vec::new();
    let result = run_inner(conn, ctx, &v, &table, &mut temps);
    for t in temps {
        let _ = std::fs::remove_file(t);
    }
    let problems = match result {
        Ok(outcome) => return Ok(outcome),
        Err(IngestError::Problems(p)) => p,
        Err(IngestError::Source(e)) => vec![Problem::whole(e.to_string())],
        Err(IngestError::Io(e)) if crate::storage::is_full(&e) => {
            tracing::error!(error = %e, version = v.id, "the data directory is full: an ingest failed");
            vec![Problem::whole(FULL_DURING_INGEST)]
        }
        Err(IngestError::Io(e)) => {
            tracing::error!(error = %e, version = v.id, "ingest failed reading or writing a file");
            vec![Problem::whole(format!("读写文件出错：{e}"))]
        }
        Err(IngestError::Database(e)) => {
            tracing::error!(error = %e, version = v.id, "ingest failed in the database");
            vec![Problem::whole("保存数据时出错，请稍后重试")]
        }
    };
    datastore::drop_table(conn, &table)?;
    versions::fail(conn, v.id, &json(&problems), super::now())?;
    Ok(Outcome::Failed {
        problems: problems.len(),
    })
}

fn run_inner(
    conn: &mut DbConnection,
    ctx: &Context,
    v: &Version,
    table: &str,
    temps: &mut Vec<PathBuf>,
) -> Result<Outcome, IngestError> {
    let resource = resources::by_id(conn, v.resource_id)?.ok_or(DbError::NotFound)?;
    let dataset = datasets::by_id(conn, resource.dataset_id)?;
    let source_path = v
        .source_key
        .as_deref()
        .and_then(|k| ctx.store.path(k))
        .ok_or_else(|| IngestError::Problems(vec![Problem::whole("原始文件已不存在")]))?;
    // Spreadsheets become a UTF-8 CSV of their first sheet first; every other sheet (hidden
    // ones too) is scanned for personal data on the way.
    let mut sheet_findings: Vec<Finding> = Vec::new();
    // Parts of a workbook nobody scanned: noted on the version, they keep the original private.
    let mut unscanned: Vec<Problem> = Vec::new();
    let (csv_path, shape, encoding) = match v.source_format.as_str() {
        "xlsx" | "xls" => {
            let out = scratch_file(ctx, v.id, "sheet.csv")?;
            temps.push(out.clone());
            let format = if v.source_format == "xls" {
                SourceFormat::Xls
            } else {
                SourceFormat::Xlsx
            };
            let report = xlsx::convert_spreadsheet(format, &source_path, &out, &ctx.limits.sheet)?;
            unscanned = report
                .unscanned
                .iter()
                .map(|part| Problem {
                    line: 0,
                    column: None,
                    value: Some(part.clone()),
                    reason: "工作簿中的这一部分（批注、数据透视表缓存、外部链接、嵌入对象等）未扫描个人信息：原始文件不对外提供，公众可下载发布的 CSV、JSON 和 Excel".into(),
                })
                .collect();
            for sheet in report.other_sheets_with_pii() {
                let name = if sheet.hidden {
                    format!("工作表「{}」（隐藏）", sheet.name)
                } else {
                    format!("工作表「{}」", sheet.name)
                };
                for (kind, count) in &sheet.pii {
                    sheet_findings.push(Finding {
                        column: usize::MAX,
                        name: name.clone(),
                        kind: *kind,
                        count: *count,
                        examples: Vec::new(),
                        sheet: Some(sheet.name.clone()),
                    });
                }
            }
            let shape = CsvShape {
                encoding: encoding_rs::UTF_8,
                delimiter: b',',
            };
            (out, shape, v.source_format.to_uppercase())
        }
        _ => {
            let shape = source::inspect_csv(&source_path)?;
            let name = if shape.encoding == encoding_rs::UTF_8 {
                "UTF-8"
            } else {
                "GB18030"
            };
            (source_path.clone(), shape, name.to_owned())
        }
    };
    let total_bytes = std::fs::metadata(&csv_path)?.len();
    let delimiter = match shape.delimiter {
        b'\t' => "tab",
        b';' => ";",
        _ => ",",
    };
    // Pass 1.
    let mut progress = Progress {
        version: v.id,
        last: Instant::now(),
        base: 0,
        span: 400,
        total_bytes,
    };
    let started = Instant::now();
    let s = scan(conn, ctx, &csv_path, shape, &mut progress)?;
    let scanned_in = started.elapsed();
    if !s.problems.is_empty() {
        return Err(IngestError::Problems(s.problems));
    }
    let mut decisions = decisions_of(v);
    for (name, t) in std::mem::take(&mut decisions.by_name) {
        if let Some(i) = s.headers.iter().position(|h| *h == name) {
            decisions.treatments.entry(i).or_insert(t);
        }
    }
    let findings: Vec<Finding> = s
        .findings
        .iter()
        .map(|((col, kind), (count, examples))| Finding {
            column: *col,
            name: s.headers[*col].clone(),
            kind: *kind,
            count: *count,
            examples: examples.clone(),
            sheet: None,
        })
        .collect();
    let scanned_columns: Vec<ColumnInfo> = s
        .headers
        .iter()
        .enumerate()
        .map(|(i, name)| ColumnInfo {
            source: i,
            name: name.clone(),
            key: String::new(),
            ty: decisions
                .types
                .get(&i)
                .copied()
                .unwrap_or_else(|| s.guesses[i].result()),
            nulls: s.nulls[i],
            distinct: s.distinct[i].len() as u64,
            distinct_more: s.distinct_more[i],
            min: None,
            max: None,
            treatment: decisions.treatments.get(&i).copied(),
        })
        .collect();
    // Personal data in data meant to be open waits for a decision on every affected column.
    let open = dataset.open_class != OpenClass::Closed;
    let overridden = v.override_reason.is_some();
    let undecided = findings
        .iter()
        .any(|f| !decisions.treatments.contains_key(&f.column) && !overridden);
    // Other sheets' findings are recorded too: they keep the original upload from the public.
    let recorded: Vec<&Finding> = findings.iter().chain(&sheet_findings).collect();
    let pii_json = (!recorded.is_empty()).then(|| json(&recorded));
    // Cells that would run as formulas wait for the publisher to confirm they are data
    // (whatever the class: whoever opens the file in a spreadsheet program is at risk).
    if s.formulas > 0 && !decisions.formulas_confirmed {
        let mut cells = s.formula_cells.clone();
        if s.formulas > cells.len() as u64 {
            cells.push(Problem::whole(format!(
                "共有 {} 个这样的单元格，以上列出前 {} 个",
                s.formulas,
                cells.len()
            )));
        }
        versions::scanned(
            conn,
            v.id,
            &Scanned {
                status: "blocked",
                encoding: Some(&encoding),
                delimiter: Some(delimiter),
                column_info: Some(&json(&scanned_columns)),
                pii: pii_json.as_deref(),
                report: Some(&json(&cells)),
                finished_at: Some(super::now()),
            },
        )?;
        return Ok(Outcome::Blocked {
            findings: findings.len(),
        });
    }
    if open && undecided {
        versions::scanned(
            conn,
            v.id,
            &Scanned {
                status: "blocked",
                encoding: Some(&encoding),
                delimiter: Some(delimiter),
                column_info: Some(&json(&scanned_columns)),
                pii: pii_json.as_deref(),
                report: None,
                finished_at: Some(super::now()),
            },
        )?;
        return Ok(Outcome::Blocked {
            findings: findings.len(),
        });
    }
    versions::scanned(
        conn,
        v.id,
        &Scanned {
            status: "processing",
            encoding: Some(&encoding),
            delimiter: Some(delimiter),
            column_info: Some(&json(&scanned_columns)),
            pii: pii_json.as_deref(),
            report: (!unscanned.is_empty()).then(|| json(&unscanned)).as_deref(),
            finished_at: None,
        },
    )?;
    // Pass 2: the plan says, per kept column, its type and treatment.
    let finding_columns: HashSet<usize> = findings.iter().map(|f| f.column).collect();
    let mut plan = Vec::new();
    for c in &scanned_columns {
        let treatment = c.treatment.or_else(|| {
            (overridden && finding_columns.contains(&c.source)).then_some(Treatment::Keep)
        });
        if treatment == Some(Treatment::Drop) {
            continue;
        }
        let ty = match treatment {
            Some(Treatment::Mask) | Some(Treatment::Hash) => ColumnType::Text,
            _ => c.ty,
        };
        // A header that names a person is masked with its column.
        let name = match treatment {
            Some(Treatment::Mask | Treatment::Hash) => pii::mask_all(&c.name),
            _ => c.name.clone(),
        };
        plan.push(Planned {
            source: c.source,
            name,
            ty,
            treatment,
            key: format!("c{}", plan.len() + 1),
        });
    }
    if plan.is_empty() {
        return Err(IngestError::Problems(vec![Problem::whole(
            "删除个人信息列之后没有剩下任何列",
        )]));
    }
    let data = scratch_file(ctx, v.id, "data.csv")?;
    temps.push(data.clone());
    let mut progress = Progress {
        version: v.id,
        last: Instant::now(),
        base: 400,
        span: 580,
        total_bytes,
    };
    let loaded = load(
        conn,
        ctx,
        &csv_path,
        shape,
        &plan,
        table,
        data,
        &mut progress,
    )?;
    let loaded_in = started.elapsed() - scanned_in;
    let stored = ctx.store.adopt(&loaded.data)?;
    let columns: Vec<ColumnInfo> = plan
        .iter()
        .zip(&loaded.ranges)
        .map(|(p, r)| {
            let scanned = &scanned_columns[p.source];
            ColumnInfo {
                source: p.source,
                name: p.name.clone(),
                key: p.key.clone(),
                ty: p.ty,
                nulls: scanned.nulls,
                distinct: scanned.distinct,
                distinct_more: scanned.distinct_more,
                min: r.min.as_ref().map(display).map(shown),
                max: r.max.as_ref().map(display).map(shown),
                treatment: p.treatment,
            }
        })
        .collect();
    let masked_any = plan
        .iter()
        .any(|p| matches!(p.treatment, Some(Treatment::Mask | Treatment::Hash)))
        || decisions.treatments.values().any(|t| *t == Treatment::Drop);
    // The switch: one small transaction.
    write_transaction(conn, |conn| {
        versions::ready(
            conn,
            v.id,
            table,
            &stored.key,
            &stored.sha256,
            stored.size as i64,
            loaded.rows as i64,
            &json(&columns),
            super::now(),
        )?;
        resources::set_current(
            conn,
            resource.id,
            v.id,
            stored.size as i64,
            &stored.sha256,
            loaded.rows as i64,
            &stored.key,
        )?;
        let fields: Vec<(String, String, bool)> = columns
            .iter()
            .map(|c| {
                (
                    c.name.clone(),
                    c.ty.as_str().to_owned(),
                    c.treatment.is_some_and(|t| t != Treatment::Keep),
                )
            })
            .collect();
        datasets::after_new_version(conn, dataset.id, &fields, super::now())?;
        audit::record(
            conn,
            &match v.created_by {
                Some(id) => Actor::user(id, None),
                None => Actor::cli(),
            },
            "resource.version_ready",
            &format!("dataset:{}", dataset.slug),
            serde_json::json!({
                "resource": resource.id,
                "version": v.number,
                "rows": loaded.rows,
                "masked": masked_any,
                "override": v.override_reason.is_some(),
            }),
        )?;
        // The unmasked upload is forgotten in the same commit that makes the masked version
        // ready: no moment shows a ready version still pointing at it.
        if masked_any && v.source_key.is_some() {
            versions::forget_source(conn, v.id)?;
        }
        Ok::<_, DbError>(())
    })?;
    // Its file goes once nothing refers to it.
    if masked_any
        && let Some(key) = &v.source_key
        && versions::references_to(conn, key)? == 0
    {
        let _ = ctx.store.remove(key);
    }
    let (scan_ms, load_ms, total_ms) = (
        scanned_in.as_millis() as u64,
        loaded_in.as_millis() as u64,
        started.elapsed().as_millis() as u64,
    );
    // Long imports are worth a line in the log; the demo's thirty small ones are not.
    if total_ms >= 1_000 {
        tracing::info!(
            version = v.id,
            rows = loaded.rows,
            scan_ms,
            load_ms,
            total_ms,
            "ingest finished"
        );
    }
    Ok(Outcome::Ready { rows: loaded.rows })
}

/// Restarts an ingest may meet and still be tried again.
pub const RETRIES_AFTER_RESTART: i32 = 1;

/// What a restart found of the ingests that were running.
#[derive(Debug, Default)]
pub struct Recovered {
    /// Tried again from the start (their half-built tables dropped): submit them.
    pub retried: Vec<i32>,
    /// Interrupted too often, or their upload is gone: marked failed.
    pub failed: usize,
}

/// After a restart: every ingest that was running has its half-built table dropped (its
/// previous version was never replaced) and is tried again from its stored upload, once; one
/// that a restart interrupts again (it may be what brings the process down) is marked failed.
pub fn recover(conn: &mut DbConnection) -> Result<Recovered, DbError> {
    let mut found = Recovered::default();
    for v in versions::in_status(conn, "processing")? {
        datastore::drop_table(conn, &datastore::table_name(v.id))?;
        if v.restarts < RETRIES_AFTER_RESTART && v.source_key.is_some() {
            versions::requeue_after_restart(conn, v.id)?;
            found.retried.push(v.id);
            continue;
        }
        let report = vec![Problem::whole(
            "导入过程中服务重启，本次导入未完成；之前的版本不受影响，请重新上传",
        )];
        versions::fail(conn, v.id, &json(&report), super::now())?;
        found.failed += 1;
    }
    Ok(found)
}

/// Which source format an upload is, from its first bytes and its name.
pub fn format_of(first_bytes: &[u8], name: &str) -> SourceFormat {
    let lower = name.to_ascii_lowercase();
    match source::sniff_format(first_bytes) {
        SourceFormat::Csv if lower.ends_with(".xlsx") || lower.ends_with(".xls") => {
            SourceFormat::Csv
        }
        f => f,
    }
}
