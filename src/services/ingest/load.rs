//! Pass 2: applying the publisher's decisions, typing every value, writing the published CSV
//! and loading the rows into the version's datastore table.

use std::collections::HashSet;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::sync::mpsc;

use super::progress::Progress;
use super::source::{self, CsvShape};
use super::{ColumnInfo, Context, Finding, IngestError, MAX_PROBLEMS, Problem, Treatment, display};
use crate::db::DbConnection;
use crate::db::datastore::{self, Col};
use crate::domain::column_type::{ColumnType, Value, parse_as};
use crate::domain::pii;

/// Most bytes of cells in one batch on its way to the datastore.
const BATCH_BYTES: usize = 8 << 20;

/// A column of the load plan.
pub(super) struct Planned {
    pub(super) source: usize,
    pub(super) name: String,
    pub(super) ty: ColumnType,
    pub(super) treatment: Option<Treatment>,
    pub(super) key: String,
}

/// The load plan: per kept column, its type and treatment.
pub(super) fn plan_columns(
    scanned_columns: &[ColumnInfo],
    findings: &[Finding],
    overridden: bool,
) -> Result<Vec<Planned>, IngestError> {
    let finding_columns: HashSet<usize> = findings.iter().map(|f| f.column).collect();
    let mut plan = Vec::new();
    for c in scanned_columns {
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
    Ok(plan)
}

/// The values of min and max by type, as text.
#[derive(Default, Clone)]
pub(super) struct Range {
    pub(super) min: Option<Value>,
    pub(super) max: Option<Value>,
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

fn hash_value(key: &[u8; 32], s: &str) -> String {
    hex::encode(&crate::secrets::hmac_sha256(key, &[s.as_bytes()])[..8])
}

pub(super) struct Loaded {
    pub(super) rows: u64,
    pub(super) ranges: Vec<Range>,
    pub(super) data: PathBuf,
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

/// What pass 2 reads and writes.
pub(super) struct Pass2<'a> {
    /// The CSV to read (the upload, or its first sheet as CSV).
    pub(super) path: &'a Path,
    pub(super) shape: CsvShape,
    pub(super) plan: &'a [Planned],
    /// The datastore table to fill.
    pub(super) table: &'a str,
    /// Where the published CSV is written.
    pub(super) data: PathBuf,
}

/// Pass 2: three threads in a pipeline — reading the CSV, transforming the records (and writing
/// the published CSV), and loading batches into the datastore on this thread's connection.
pub(super) fn load(
    conn: &mut DbConnection,
    ctx: &Context,
    job: Pass2<'_>,
    progress: &mut Progress,
) -> Result<Loaded, IngestError> {
    let Pass2 {
        path,
        shape,
        plan,
        table,
        data,
    } = job;
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
