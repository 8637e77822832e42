//! JSON and XLSX renderings of a version's published CSV, written in constant memory (the
//! caller writes to a temporary path and renames, so readers never see half a file).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use super::ColumnInfo;
use crate::domain::column_type::{ColumnType, Value, parse_as};

/// Excel's row limit (header included).
pub const XLSX_MAX_ROWS: u64 = 1_048_576;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("数据超过 Excel 的行数上限（1,048,576 行），请下载 CSV 格式")]
    TooManyRows,
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Csv(#[from] csv::Error),
    #[error("生成 XLSX 出错：{0}")]
    Xlsx(String),
}

fn json_value(ty: ColumnType, cell: &str) -> serde_json::Value {
    match parse_as(ty, cell) {
        Some(Value::Null) | None if cell.is_empty() => serde_json::Value::Null,
        Some(Value::Integer(n)) => n.into(),
        Some(Value::Decimal(n)) => n.into(),
        Some(Value::Boolean(b)) => b.into(),
        _ => cell.into(),
    }
}

/// Writes `[{"列名": 值, …}, …]`, one object per row.
/// The published CSV with only the columns at `keep` (header included): the file a grant that
/// approves some fields may download.
pub fn select_columns(csv_path: &Path, keep: &[usize], out: &Path) -> Result<(), ExportError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(csv_path)?;
    let mut w = csv::Writer::from_writer(BufWriter::with_capacity(256 * 1024, File::create(out)?));
    for rec in reader.byte_records() {
        let rec = rec?;
        w.write_record(keep.iter().map(|&i| rec.get(i).unwrap_or(b"")))?;
    }
    w.flush()?;
    Ok(())
}

pub fn to_json(csv_path: &Path, columns: &[ColumnInfo], out: &Path) -> Result<(), ExportError> {
    let mut reader = csv::Reader::from_path(csv_path)?;
    let mut w = BufWriter::with_capacity(256 * 1024, File::create(out)?);
    w.write_all(b"[")?;
    let mut first = true;
    let mut object = serde_json::Map::with_capacity(columns.len());
    for rec in reader.records() {
        let rec = rec?;
        object.clear();
        for (c, cell) in columns.iter().zip(rec.iter()) {
            object.insert(c.name.clone(), json_value(c.ty, cell));
        }
        if !first {
            w.write_all(b",")?;
        }
        first = false;
        w.write_all(b"\n")?;
        serde_json::to_writer(&mut w, &object).map_err(std::io::Error::other)?;
    }
    w.write_all(b"\n]\n")?;
    w.flush()?;
    Ok(())
}

/// Writes the first (and only) sheet with typed cells, in rust_xlsxwriter's constant-memory mode.
pub fn to_xlsx(
    csv_path: &Path,
    columns: &[ColumnInfo],
    rows: u64,
    out: &Path,
) -> Result<(), ExportError> {
    if rows + 1 > XLSX_MAX_ROWS {
        return Err(ExportError::TooManyRows);
    }
    let xe = |e: rust_xlsxwriter::XlsxError| ExportError::Xlsx(e.to_string());
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet_with_constant_memory();
    for (j, c) in columns.iter().enumerate() {
        sheet.write_string(0, j as u16, &c.name).map_err(xe)?;
    }
    let mut reader = csv::Reader::from_path(csv_path)?;
    for (i, rec) in reader.records().enumerate() {
        let rec = rec?;
        let row = (i + 1) as u32;
        for (j, (c, cell)) in columns.iter().zip(rec.iter()).enumerate() {
            let col = j as u16;
            match parse_as(c.ty, cell) {
                Some(Value::Null) => {}
                Some(Value::Integer(n)) => {
                    sheet.write_number(row, col, n as f64).map_err(xe)?;
                }
                Some(Value::Decimal(n)) => {
                    sheet.write_number(row, col, n).map_err(xe)?;
                }
                Some(Value::Boolean(b)) => {
                    sheet.write_boolean(row, col, b).map_err(xe)?;
                }
                _ => {
                    sheet.write_string(row, col, cell).map_err(xe)?;
                }
            }
        }
    }
    book.save(out).map_err(xe)?;
    Ok(())
}
