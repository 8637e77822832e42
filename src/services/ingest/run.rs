//! A version's ingest from start to finish: the upload read as CSV, pass 1, the publisher's
//! review, pass 2 and the switch to the new version.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use diesel::result::Error as DbError;

use super::load::{Loaded, Pass2, Planned, load, plan_columns};
use super::progress::Progress;
use super::scan::{Scan, scan};
use super::source::{self, CsvShape, SourceFormat};
use super::xlsx::{self, SpreadsheetReport};
use super::{
    ColumnInfo, Context, Decisions, FULL_DURING_INGEST, Finding, IngestError, Outcome, Problem,
    Treatment, decisions_of, display, json, shown,
};
use crate::db::datasets::Dataset;
use crate::db::datastore;
use crate::db::resources::Resource;
use crate::db::versions::{self, Scanned, Version};
use crate::db::{DbConnection, datasets, resources, write_transaction};
use crate::domain::OpenClass;
use crate::services::{Actor, audit};
use crate::storage::StoredFile;

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
    versions::fail(conn, v.id, &json(&problems), ctx.clock.now())?;
    Ok(Outcome::Failed {
        problems: problems.len(),
    })
}

/// The CSV a run reads: the upload itself, or a spreadsheet's first sheet converted to CSV.
struct Input {
    path: PathBuf,
    shape: CsvShape,
    /// As recorded on the version: `UTF-8`, `GB18030`, `XLSX`, …
    encoding: String,
    /// As recorded on the version: `tab`, `;` or `,`.
    delimiter: &'static str,
    total_bytes: u64,
    /// Personal data in a spreadsheet's other sheets.
    sheet_findings: Vec<Finding>,
    /// Parts of a workbook nobody scanned: noted on the version, they keep the original private.
    unscanned: Vec<Problem>,
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
    let input = read_input(ctx, v, temps)?;
    // Pass 1.
    let mut progress = Progress {
        version: v.id,
        last: Instant::now(),
        base: 0,
        span: 400,
        total_bytes: input.total_bytes,
    };
    let started = Instant::now();
    let s = scan(conn, ctx, &input.path, input.shape, &mut progress)?;
    let scanned_in = started.elapsed();
    if !s.problems.is_empty() {
        return Err(IngestError::Problems(s.problems));
    }
    let decisions = merged_decisions(v, &s.headers);
    let findings = findings_in(&s);
    let scanned_columns = scanned_columns(&s, &decisions);
    let open = dataset.open_class != OpenClass::Closed;
    let scanned = PassOne {
        open,
        input: &input,
        scan: &s,
        decisions: &decisions,
        findings: &findings,
        columns: &scanned_columns,
        now: ctx.clock.now(),
    };
    if let Some(blocked) = record_scan(conn, v, scanned)? {
        return Ok(blocked);
    }
    // Pass 2: the plan says, per kept column, its type and treatment.
    let overridden = v.override_reason.is_some();
    let plan = plan_columns(&scanned_columns, &findings, overridden)?;
    let loaded = load_data(conn, ctx, v, &input, &plan, table, temps)?;
    let loaded_in = started.elapsed() - scanned_in;
    let stored = ctx.store.adopt(&loaded.data)?;
    let columns = published_columns(&plan, &loaded, &scanned_columns);
    let masked_any = plan
        .iter()
        .any(|p| matches!(p.treatment, Some(Treatment::Mask | Treatment::Hash)))
        || decisions.treatments.values().any(|t| *t == Treatment::Drop);
    let publication = Publication {
        table,
        resource: &resource,
        dataset: &dataset,
        stored: &stored,
        loaded: &loaded,
        columns: &columns,
        masked_any,
        now: ctx.clock.now(),
    };
    publish(conn, v, publication)?;
    // Its file goes once nothing refers to it.
    if masked_any
        && let Some(key) = &v.source_key
        && versions::references_to(conn, key)? == 0
    {
        let _ = ctx.store.remove(key);
    }
    log_timing(v.id, loaded.rows, started, scanned_in, loaded_in);
    Ok(Outcome::Ready { rows: loaded.rows })
}

/// The upload as a CSV to read: spreadsheets become a UTF-8 CSV of their first sheet first;
/// every other sheet (hidden ones too) is scanned for personal data on the way.
fn read_input(ctx: &Context, v: &Version, temps: &mut Vec<PathBuf>) -> Result<Input, IngestError> {
    let source_path = v
        .source_key
        .as_deref()
        .and_then(|k| ctx.store.path(k))
        .ok_or_else(|| IngestError::Problems(vec![Problem::whole("原始文件已不存在")]))?;
    let mut sheet_findings: Vec<Finding> = Vec::new();
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
            unscanned = unscanned_parts(&report);
            sheet_findings = other_sheet_findings(&report);
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
    Ok(Input {
        path: csv_path,
        shape,
        encoding,
        delimiter,
        total_bytes,
        sheet_findings,
        unscanned,
    })
}

/// The parts of a workbook nobody scanned, as notes for the version's report.
fn unscanned_parts(report: &SpreadsheetReport) -> Vec<Problem> {
    report
        .unscanned
        .iter()
        .map(|part| Problem {
            line: 0,
            column: None,
            value: Some(part.clone()),
            reason: "工作簿中的这一部分（批注、数据透视表缓存、外部链接、嵌入对象等）未扫描个人信息：原始文件不对外提供，公众可下载发布的 CSV、JSON 和 Excel".into(),
        })
        .collect()
}

/// Personal data found in a workbook's sheets other than the data sheet.
fn other_sheet_findings(report: &SpreadsheetReport) -> Vec<Finding> {
    let mut sheet_findings: Vec<Finding> = Vec::new();
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
    sheet_findings
}

/// The decisions stored on the version, with the treatments carried over by column name
/// applied to the columns of that name.
fn merged_decisions(v: &Version, headers: &[String]) -> Decisions {
    let mut decisions = decisions_of(v);
    for (name, t) in std::mem::take(&mut decisions.by_name) {
        if let Some(i) = headers.iter().position(|h| *h == name) {
            decisions.treatments.entry(i).or_insert(t);
        }
    }
    decisions
}

/// Personal data pass 1 found in the data, per column and kind.
fn findings_in(s: &Scan) -> Vec<Finding> {
    s.findings
        .iter()
        .map(|((col, kind), (count, examples))| Finding {
            column: *col,
            name: s.headers[*col].clone(),
            kind: *kind,
            count: *count,
            examples: examples.clone(),
            sheet: None,
        })
        .collect()
}

/// The columns as pass 1 saw them, with the publisher's types and treatments.
fn scanned_columns(s: &Scan, decisions: &Decisions) -> Vec<ColumnInfo> {
    s.headers
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
        .collect()
}

/// What pass 1 found, for [`record_scan`].
#[derive(Clone, Copy)]
struct PassOne<'a> {
    /// The dataset is meant to be open (unconditionally or conditionally).
    open: bool,
    input: &'a Input,
    scan: &'a Scan,
    decisions: &'a Decisions,
    findings: &'a [Finding],
    columns: &'a [ColumnInfo],
    /// When pass 1 finished (the ingest's clock).
    now: NaiveDateTime,
}

/// Records what pass 1 found on the version. The version stops `blocked` (the outcome
/// returned) while cells would run as formulas, or personal data in data meant to be open has
/// no decision; otherwise it stays `processing` for pass 2.
fn record_scan(
    conn: &mut DbConnection,
    v: &Version,
    scanned: PassOne<'_>,
) -> Result<Option<Outcome>, IngestError> {
    let PassOne {
        open,
        input,
        scan: s,
        decisions,
        findings,
        columns: scanned_columns,
        now,
    } = scanned;
    let (encoding, delimiter) = (&input.encoding, input.delimiter);
    // Personal data in data meant to be open waits for a decision on every affected column.
    let overridden = v.override_reason.is_some();
    let undecided = findings
        .iter()
        .any(|f| !decisions.treatments.contains_key(&f.column) && !overridden);
    // Other sheets' findings are recorded too: they keep the original upload from the public.
    let recorded: Vec<&Finding> = findings.iter().chain(&input.sheet_findings).collect();
    let pii_json = (!recorded.is_empty()).then(|| json(&recorded));
    // Cells that would run as formulas wait for the publisher to confirm they are data
    // (whatever the class: whoever opens the file in a spreadsheet program is at risk).
    if s.formulas > 0 && !decisions.formulas_confirmed {
        versions::scanned(
            conn,
            v.id,
            &Scanned {
                status: "blocked",
                encoding: Some(encoding),
                delimiter: Some(delimiter),
                column_info: Some(&json(&scanned_columns)),
                pii: pii_json.as_deref(),
                report: Some(&json(&formula_report(s))),
                finished_at: Some(now),
            },
        )?;
        return Ok(Some(Outcome::Blocked {
            findings: findings.len(),
        }));
    }
    if open && undecided {
        versions::scanned(
            conn,
            v.id,
            &Scanned {
                status: "blocked",
                encoding: Some(encoding),
                delimiter: Some(delimiter),
                column_info: Some(&json(&scanned_columns)),
                pii: pii_json.as_deref(),
                report: None,
                finished_at: Some(now),
            },
        )?;
        return Ok(Some(Outcome::Blocked {
            findings: findings.len(),
        }));
    }
    let unscanned = &input.unscanned;
    versions::scanned(
        conn,
        v.id,
        &Scanned {
            status: "processing",
            encoding: Some(encoding),
            delimiter: Some(delimiter),
            column_info: Some(&json(&scanned_columns)),
            pii: pii_json.as_deref(),
            report: (!unscanned.is_empty()).then(|| json(unscanned)).as_deref(),
            finished_at: None,
        },
    )?;
    Ok(None)
}

/// The cells that would run as formulas, for the report: the first few and, when there are
/// more, how many in all.
fn formula_report(s: &Scan) -> Vec<Problem> {
    let mut cells = s.formula_cells.clone();
    if s.formulas > cells.len() as u64 {
        cells.push(Problem::whole(format!(
            "共有 {} 个这样的单元格，以上列出前 {} 个",
            s.formulas,
            cells.len()
        )));
    }
    cells
}

/// Pass 2, into a scratch file for the published CSV.
fn load_data(
    conn: &mut DbConnection,
    ctx: &Context,
    v: &Version,
    input: &Input,
    plan: &[Planned],
    table: &str,
    temps: &mut Vec<PathBuf>,
) -> Result<Loaded, IngestError> {
    let data = scratch_file(ctx, v.id, "data.csv")?;
    temps.push(data.clone());
    let mut progress = Progress {
        version: v.id,
        last: Instant::now(),
        base: 400,
        span: 580,
        total_bytes: input.total_bytes,
    };
    let job = Pass2 {
        path: &input.path,
        shape: input.shape,
        plan,
        table,
        data,
    };
    load(conn, ctx, job, &mut progress)
}

/// The columns of the published version: the plan's, with pass 1's counts and pass 2's ranges.
fn published_columns(
    plan: &[Planned],
    loaded: &Loaded,
    scanned_columns: &[ColumnInfo],
) -> Vec<ColumnInfo> {
    plan.iter()
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
        .collect()
}

/// What a loaded version publishes, for [`publish`].
#[derive(Clone, Copy)]
struct Publication<'a> {
    table: &'a str,
    resource: &'a Resource,
    dataset: &'a Dataset,
    stored: &'a StoredFile,
    loaded: &'a Loaded,
    columns: &'a [ColumnInfo],
    /// Some column was masked, hashed or dropped.
    masked_any: bool,
    /// When the version becomes ready (the ingest's clock).
    now: NaiveDateTime,
}

/// The switch: in one small transaction the version becomes `ready` and the resource's
/// current version.
fn publish(
    conn: &mut DbConnection,
    v: &Version,
    publication: Publication<'_>,
) -> Result<(), IngestError> {
    let Publication {
        table,
        resource,
        dataset,
        stored,
        loaded,
        columns,
        masked_any,
        now,
    } = publication;
    write_transaction(conn, |conn| {
        let facts = versions::Loaded {
            table_name: table,
            data_key: &stored.key,
            data_sha256: &stored.sha256,
            data_size: stored.size as i64,
            row_count: loaded.rows as i64,
            column_info: &json(&columns),
        };
        versions::ready(conn, v.id, &facts, now)?;
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
        datasets::after_new_version(conn, dataset.id, &fields, now)?;
        audit::record(
            conn,
            &match v.created_by {
                Some(id) => Actor::user(id, None),
                None => Actor::cli(),
            },
            now,
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
    Ok(())
}

/// Long imports are worth a line in the log; the demo's thirty small ones are not.
fn log_timing(
    version: i32,
    rows: u64,
    started: Instant,
    scanned_in: Duration,
    loaded_in: Duration,
) {
    let (scan_ms, load_ms, total_ms) = (
        scanned_in.as_millis() as u64,
        loaded_in.as_millis() as u64,
        started.elapsed().as_millis() as u64,
    );
    if total_ms >= 1_000 {
        tracing::info!(version, rows, scan_ms, load_ms, total_ms, "ingest finished");
    }
}
