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

mod load;
mod progress;
mod run;
mod scan;

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use diesel::result::Error as DbError;
use serde::{Deserialize, Serialize};

use self::source::{SourceError, SourceFormat};
use crate::db::DbConnection;
use crate::db::datastore;
use crate::db::versions::{self, Version};
use crate::domain::column_type::{ColumnType, Value};
use crate::domain::pii::PiiKind;
use crate::services::clock::Clock;
use crate::storage::FileStore;

pub use self::run::run;

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
    /// Versions are stamped (finished, ready, failed) by this clock: the server's own, so a
    /// test that moves it moves them too.
    pub clock: Clock,
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
/// that a restart interrupts again (it may be what brings the process down) is marked failed
/// at `now`.
pub fn recover(conn: &mut DbConnection, now: NaiveDateTime) -> Result<Recovered, DbError> {
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
        versions::fail(conn, v.id, &json(&report), now)?;
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
