//! A streaming XLSX reader: the first worksheet becomes a UTF-8 CSV, every other sheet is scanned
//! cell by cell for personal data, and nothing is held in memory beyond one row of the data
//! sheet, the shared string table and the (small) style table, each under a limit.
//!
//! The archive is read with `zip` (each part through a reader that fails past
//! [`SheetLimits::max_xml_bytes`] uncompressed bytes, whatever the archive declares) and every
//! part is parsed with the `quick_xml` pull parser, one event at a time, each event under a size
//! limit and the element nesting under a depth limit. Numbers written as integer literals are
//! kept as written (an 18-digit ID stays exact); other numbers print as the previous calamine
//! reader printed them; numbers with a date, time or duration format become text.

mod numbers;
mod parts;
mod sheet;
mod xml;

use std::cell::Cell;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;
use std::rc::Rc;

use zip::ZipArchive;

use self::parts::{
    dir_of, read_rels, read_shared_strings, read_styles, read_workbook, rels_of, resolve_target,
};
use self::sheet::{Cx, measure, scan, write_csv};
use self::xml::{Capped, Xml};
use super::source::{SourceError, SourceFormat};
use crate::domain::pii::PiiKind;

/// Limits on what a workbook may expand to. Whatever the input, memory stays below roughly
/// `max_columns × max_cell_bytes` (one row of the data sheet; 32 MiB by default) plus
/// `max_shared_strings_bytes` (the shared string table; 256 MiB by default) plus a few MiB (one
/// XML event, the style table, the workbook's sheet list and relationships).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetLimits {
    /// Columns of the data sheet: a non-empty cell in a column past this one is an error.
    pub max_columns: u32,
    /// Rows of the data sheet: a non-empty cell in a row past this one is an error.
    pub max_rows: u32,
    /// `<c>` elements in any one sheet.
    pub max_cells: u64,
    /// Bytes of one cell's text (and of one shared string).
    pub max_cell_bytes: usize,
    /// Uncompressed bytes of any one part of the archive (a sheet, the shared strings, ...).
    pub max_xml_bytes: u64,
    /// Uncompressed bytes read from the archive in all, every read counted (the data sheet is
    /// read twice): this bounds the time a workbook can take, e.g. one whose sheets all point
    /// at the same compressed data.
    pub max_total_xml_bytes: u64,
    /// Bytes held for the shared string table (text plus 4 bytes per string).
    pub max_shared_strings_bytes: u64,
    /// Sheets in the workbook.
    pub max_sheets: usize,
    /// Bytes of cell text the whole workbook may yield: the data sheet's CSV plus the text
    /// scanned in the other sheets (shared strings can repeat one long text many times).
    pub max_text_bytes: u64,
}

impl Default for SheetLimits {
    fn default() -> Self {
        Self {
            max_columns: 1_000,
            max_rows: 1_048_576,
            max_cells: 20_000_000,
            max_cell_bytes: 32 * 1024,
            max_xml_bytes: 2 << 30,
            max_total_xml_bytes: 8 << 30,
            max_shared_strings_bytes: 256 << 20,
            max_sheets: 256,
            max_text_bytes: 2 << 30,
        }
    }
}

/// One sheet of the workbook, in workbook order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetSummary {
    pub name: String,
    /// `state="hidden"` or `state="veryHidden"`.
    pub hidden: bool,
    /// The sheet that became the CSV.
    pub data_sheet: bool,
    /// Non-empty cells.
    pub cells: u64,
    /// Personal data found, per kind, in sheets other than the data sheet (whose CSV the ingest
    /// scans itself; empty for it).
    pub pii: Vec<(PiiKind, u64)>,
}

/// What converting a workbook found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpreadsheetReport {
    /// CSV records written (the header included; blank rows are skipped).
    pub rows: u64,
    pub sheets: Vec<SheetSummary>,
    /// Parts of the archive that hold text nobody scanned (comments, pivot caches, which can
    /// copy a deleted sheet whole, external links, embedded objects, drawings …): while there is
    /// one, the original upload is not served publicly.
    pub unscanned: Vec<String>,
}

/// Whether an archive part is one the reader scans, or holds no cell text (styles, themes,
/// relationships, document properties).
fn scanned_or_inert(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n == "[content_types].xml"
        || n.ends_with(".rels")
        || n.ends_with('/')
        || n.starts_with("docprops/")
        || n.starts_with("xl/theme/")
        || n.starts_with("xl/printersettings/")
        || matches!(
            n.as_str(),
            "xl/workbook.xml" | "xl/styles.xml" | "xl/sharedstrings.xml" | "xl/calcchain.xml"
        )
        || (n.starts_with("xl/worksheets/sheet") && n.ends_with(".xml") && !n[19..].contains('/'))
}

impl SpreadsheetReport {
    /// The sheets other than the data sheet that hold personal data.
    pub fn other_sheets_with_pii(&self) -> impl Iterator<Item = &SheetSummary> {
        self.sheets
            .iter()
            .filter(|s| !s.data_sheet && !s.pii.is_empty())
    }
}

fn mib(bytes: u64) -> u64 {
    bytes.div_ceil(1 << 20)
}

fn bad(message: impl Into<String>) -> SourceError {
    SourceError::Spreadsheet(message.into())
}

type PartReader<'a> = BufReader<Capped<zip::read::ZipFile<'a, BufReader<File>>>>;

struct Book {
    zip: ZipArchive<BufReader<File>>,
    /// Uncompressed bytes that may still be read, from all parts.
    total: Rc<Cell<u64>>,
}

impl Book {
    /// The archive's name for `path`, compared without regard to ASCII case as OPC does.
    fn find(&self, path: &str) -> Option<String> {
        if self.zip.index_for_name(path).is_some() {
            return Some(path.to_owned());
        }
        self.zip
            .file_names()
            .find(|n| n.eq_ignore_ascii_case(path))
            .map(str::to_owned)
    }

    /// Parses the part at `path` with `f`; `None` if there is no such part.
    fn read<'s, T>(
        &'s mut self,
        path: &str,
        label: &str,
        limits: &SheetLimits,
        f: impl FnOnce(&mut Xml<PartReader<'s>>) -> Result<T, SourceError>,
    ) -> Result<Option<T>, SourceError> {
        let Some(name) = self.find(path) else {
            return Ok(None);
        };
        let entry = self
            .zip
            .by_name(&name)
            .map_err(|e| bad(format!("{label}无法读取（{e}），文件可能已损坏或已加密")))?;
        let capped = Capped {
            inner: entry,
            left: limits.max_xml_bytes,
            total: Rc::clone(&self.total),
        };
        let mut xml = Xml::new(BufReader::with_capacity(64 * 1024, capped), label, limits);
        f(&mut xml).map(Some)
    }
}

/// Refuses archives with a ZIP64 end-of-central-directory locator anywhere: with one, the
/// `zip` crate trusts a 64-bit entry count when it reserves memory for the central directory.
/// Without one, counts are 16-bit. No XLSX under 4 GiB needs ZIP64.
fn refuse_zip64(file: &mut File) -> Result<(), SourceError> {
    const LOCATOR: &[u8] = b"PK\x06\x07";
    const END: &[u8] = b"PK\x05\x06";
    const SPAN: usize = 24;
    file.seek(SeekFrom::Start(0))?;
    let mut buf = vec![0u8; 1 << 20];
    let mut kept = 0;
    loop {
        let n = file.read(&mut buf[kept..])?;
        if n == 0 {
            break;
        }
        let len = kept + n;
        let mut i = 0;
        while i + SPAN <= len {
            match buf[i..=len - SPAN].iter().position(|&b| b == b'P') {
                None => break,
                Some(p) => {
                    let at = i + p;
                    if &buf[at..at + 4] == LOCATOR && &buf[at + 20..at + 24] == END {
                        return Err(bad(
                            "文件使用了 ZIP64 格式，暂不支持：请在 Excel 中重新保存为 .xlsx，或另存为 CSV 后上传",
                        ));
                    }
                    i = at + 1;
                }
            }
        }
        let keep = len.min(SPAN - 1);
        buf.copy_within(len - keep..len, 0);
        kept = keep;
    }
    file.seek(SeekFrom::Start(0))?;
    Ok(())
}

/// Counts the text taken from the workbook against [`SheetLimits::max_text_bytes`].
struct TextBudget {
    used: u64,
    max: u64,
}

impl TextBudget {
    fn take(&mut self, n: u64) -> Result<(), SourceError> {
        self.used = self.used.saturating_add(n);
        if self.used > self.max {
            return Err(SourceError::TooMuchText {
                max_mib: mib(self.max),
            });
        }
        Ok(())
    }
}

/// Converts the first worksheet of the XLSX at `source` to a UTF-8 CSV at `out` and scans every
/// other sheet for personal data.
pub fn xlsx_to_csv(
    source: &Path,
    out: &Path,
    limits: &SheetLimits,
) -> Result<SpreadsheetReport, SourceError> {
    let mut file = File::open(source)?;
    if file.metadata()?.len() == 0 {
        return Err(SourceError::Empty);
    }
    refuse_zip64(&mut file)?;
    let zip = ZipArchive::new(BufReader::with_capacity(64 * 1024, file)).map_err(|e| {
        bad(format!(
            "文件不是有效的 XLSX（ZIP 结构有误：{e}），请在 Excel 中重新保存，或另存为 CSV 后上传"
        ))
    })?;
    let mut book = Book {
        zip,
        total: Rc::new(Cell::new(limits.max_total_xml_bytes)),
    };
    let not_a_workbook = || {
        bad(
            "文件不是 Excel 工作簿（可能是 ODS、DOCX 等其他 ZIP 格式）：请在 Excel 中另存为 .xlsx 或 CSV 后上传",
        )
    };

    // The main part, from the package relationships (usually xl/workbook.xml).
    let package_rels = book.read("_rels/.rels", "包关系表", limits, read_rels)?;
    let workbook_path = package_rels
        .and_then(|rels| {
            rels.into_values()
                .find(|r| !r.external && r.kind.ends_with("/officeDocument"))
                .map(|r| resolve_target("", &r.target))
        })
        .unwrap_or_else(|| "xl/workbook.xml".to_owned());
    let dir = dir_of(&workbook_path).to_owned();
    let rels = book
        .read(&rels_of(&workbook_path), "工作簿关系表", limits, read_rels)?
        .unwrap_or_default();
    let workbook = book
        .read(&workbook_path, "工作簿", limits, |xml| {
            read_workbook(xml, limits)
        })?
        .ok_or_else(not_a_workbook)?;
    if workbook.sheets.is_empty() {
        return Err(SourceError::NoSheet);
    }
    let part_of = |kind: &str, default: &str| {
        rels.values()
            .find(|r| !r.external && r.kind.ends_with(kind))
            .map_or_else(
                || format!("{dir}{default}"),
                |r| resolve_target(&dir, &r.target),
            )
    };
    let styles = book
        .read(
            &part_of("/styles", "styles.xml"),
            "样式表",
            limits,
            read_styles,
        )?
        .unwrap_or_default();
    let sst = book
        .read(
            &part_of("/sharedStrings", "sharedStrings.xml"),
            "共享字符串表",
            limits,
            |xml| read_shared_strings(xml, limits),
        )?
        .unwrap_or_default();

    // Each sheet's part; the data sheet is the first worksheet (not a chart sheet).
    let mut parts = Vec::with_capacity(workbook.sheets.len());
    for s in &workbook.sheets {
        let rel = rels
            .get(&s.rel_id)
            .filter(|r| !r.external)
            .ok_or_else(|| bad(format!("工作表「{}」缺少数据，文件可能已损坏", s.name)))?;
        parts.push((
            resolve_target(&dir, &rel.target),
            rel.kind.ends_with("/worksheet"),
        ));
    }
    let data = parts.iter().position(|(_, ws)| *ws).unwrap_or(0);

    let mut budget = TextBudget {
        used: 0,
        max: limits.max_text_bytes,
    };
    let mut report = SpreadsheetReport::default();
    for (i, (s, (path, _))) in workbook.sheets.iter().zip(&parts).enumerate() {
        let cx = Cx {
            sst: &sst,
            styles: &styles,
            date1904: workbook.date1904,
            limits,
            sheet: &s.name,
        };
        let label = format!("工作表「{}」", s.name);
        let missing = || bad(format!("{label}的数据（{path}）不存在，文件可能已损坏"));
        let mut summary = SheetSummary {
            name: s.name.clone(),
            hidden: s.hidden,
            data_sheet: i == data,
            cells: 0,
            pii: Vec::new(),
        };
        if i == data {
            let extent = book
                .read(path, &label, limits, |xml| measure(xml, &cx, &mut budget))?
                .ok_or_else(missing)?;
            let Some(extent) = extent else {
                return Err(SourceError::Empty);
            };
            let rows = book
                .read(path, &label, limits, |xml| write_csv(xml, &cx, extent, out))?
                .ok_or_else(missing)?;
            summary.cells = extent.cells;
            report.rows = rows;
            if rows == 0 {
                return Err(SourceError::Empty);
            }
        } else {
            let (cells, found) = book
                .read(path, &label, limits, |xml| scan(xml, &cx, &mut budget))?
                .ok_or_else(missing)?;
            summary.cells = cells;
            summary.pii = found.into_iter().collect();
        }
        report.sheets.push(summary);
    }
    report.unscanned = book
        .zip
        .file_names()
        .filter(|n| !scanned_or_inert(n))
        .map(str::to_owned)
        .collect();
    report.unscanned.sort();
    Ok(report)
}

#[cfg(test)]
mod tests;

/// Converts a spreadsheet: an XLSX's first worksheet becomes a UTF-8 CSV at `out` and every
/// other sheet is scanned for personal data (see [`SpreadsheetReport`]); an XLS is refused with
/// [`SourceError::XlsUnsupported`] (calamine's XLS reader allocates from sizes declared in the
/// file before anything can be checked, so no limit can be enforced on it).
pub fn convert_spreadsheet(
    format: SourceFormat,
    source: &Path,
    out: &Path,
    limits: &SheetLimits,
) -> Result<SpreadsheetReport, SourceError> {
    match format {
        SourceFormat::Xlsx => xlsx_to_csv(source, out, limits),
        SourceFormat::Xls => Err(SourceError::XlsUnsupported),
        SourceFormat::Csv => Err(SourceError::Spreadsheet("文件不是电子表格".into())),
    }
}

/// Transitional: [`convert_spreadsheet`] with the default limits, returning only the number of
/// CSV records. It drops the report on the other sheets; callers should move to
/// [`convert_spreadsheet`].
pub fn spreadsheet_to_csv(
    format: SourceFormat,
    source: &Path,
    out: &Path,
) -> Result<u64, SourceError> {
    convert_spreadsheet(format, source, out, &SheetLimits::default()).map(|r| r.rows)
}
