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

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::{BTreeMap, HashMap};
use std::fmt::{self, Write as _};
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Seek, SeekFrom};
use std::path::Path;
use std::rc::Rc;

use quick_xml::Reader;
use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesStart, Event};
use zip::ZipArchive;

use super::source::{SourceError, SourceFormat};
use crate::domain::pii::{self, PiiKind};

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

/// Events larger than this (a start tag, a run of text) are refused: enough for any cell text
/// within `max_cell_bytes` and for the longest tags Excel writes.
const MAX_EVENT_EXTRA: usize = 1 << 20;
/// Elements nested deeper than this are refused (the parser keeps every open element's name).
const MAX_DEPTH: u32 = 64;
/// Relationships in one relationships part, and custom number formats / cell formats in the
/// style part.
const MAX_RELATIONSHIPS: usize = 4_096;
const MAX_NUM_FORMATS: usize = 100_000;
const MAX_CELL_FORMATS: usize = 1_000_000;
/// Sheet names and relationship targets longer than this are refused.
const MAX_NAME_BYTES: usize = 2 * 1024;

fn mib(bytes: u64) -> u64 {
    bytes.div_ceil(1 << 20)
}

fn bad(message: impl Into<String>) -> SourceError {
    SourceError::Spreadsheet(message.into())
}

/// Reading past a limit, carried through `io::Error` (the XML parser reports reader errors).
#[derive(Debug)]
enum Overrun {
    /// A part's uncompressed size.
    Part,
    /// The uncompressed size of all parts read.
    Total,
    /// One XML event.
    Event,
}

impl fmt::Display for Overrun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Part => f.write_str("part too large"),
            Self::Total => f.write_str("workbook too large"),
            Self::Event => f.write_str("XML event too large"),
        }
    }
}

impl std::error::Error for Overrun {}

/// Fails once more than `left` bytes have come out of `inner`, or more than `total` bytes out
/// of all the parts read, whatever sizes the archive declares.
struct Capped<R> {
    inner: R,
    left: u64,
    total: Rc<Cell<u64>>,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)? as u64;
        if n > self.left {
            return Err(io::Error::other(Overrun::Part));
        }
        if n > self.total.get() {
            return Err(io::Error::other(Overrun::Total));
        }
        self.left -= n;
        self.total.set(self.total.get() - n);
        Ok(n as usize)
    }
}

/// Counts the bytes the XML parser consumes for one event and fails past `max`, so that the
/// parser's event buffer stays bounded (it would otherwise grow to the size of any one text
/// run or tag).
struct Budget<R> {
    inner: R,
    used: usize,
    max: usize,
}

impl<R: BufRead> Read for Budget<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = {
            let available = self.fill_buf()?;
            let n = available.len().min(out.len());
            out[..n].copy_from_slice(&available[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Budget<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.used > self.max {
            return Err(io::Error::other(Overrun::Event));
        }
        self.inner.fill_buf()
    }

    fn consume(&mut self, n: usize) {
        self.used = self.used.saturating_add(n);
        self.inner.consume(n);
    }
}

/// One part being parsed: the pull parser with its reused buffer, the nesting depth and what
/// to call the part in messages.
struct Xml<R> {
    reader: Reader<Budget<R>>,
    buf: Vec<u8>,
    depth: u32,
    part: String,
    max_part: u64,
    max_total: u64,
}

impl<R: BufRead> Xml<R> {
    fn new(inner: R, part: impl Into<String>, limits: &SheetLimits) -> Self {
        let budget = Budget {
            inner,
            used: 0,
            max: limits.max_cell_bytes.saturating_add(MAX_EVENT_EXTRA),
        };
        Self {
            reader: Reader::from_reader(budget),
            buf: Vec::with_capacity(8 * 1024),
            depth: 0,
            part: part.into(),
            max_part: limits.max_xml_bytes,
            max_total: limits.max_total_xml_bytes,
        }
    }

    fn next(&mut self) -> Result<Event<'_>, SourceError> {
        self.buf.clear();
        self.reader.get_mut().used = 0;
        let (part, max_part, max_total) = (&self.part, self.max_part, self.max_total);
        let event = self
            .reader
            .read_event_into(&mut self.buf)
            .map_err(|e| xml_error(part, max_part, max_total, e))?;
        match &event {
            Event::Start(_) => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(bad(format!(
                        "{part}的 XML 元素嵌套超过 {MAX_DEPTH} 层，文件可能已损坏"
                    )));
                }
            }
            Event::End(_) => self.depth = self.depth.saturating_sub(1),
            _ => {}
        }
        Ok(event)
    }

    fn unexpected_end(&self) -> SourceError {
        bad(format!("{}的 XML 不完整，文件可能已损坏", self.part))
    }
}

fn xml_error(part: &str, max_part: u64, max_total: u64, e: quick_xml::Error) -> SourceError {
    if let quick_xml::Error::Io(io) = &e {
        return io_error(part, max_part, max_total, io);
    }
    bad(format!("{part}的 XML 格式有误（{e}），文件可能已损坏"))
}

fn io_error(part: &str, max_part: u64, max_total: u64, e: &io::Error) -> SourceError {
    match e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<Overrun>())
    {
        Some(Overrun::Part) => SourceError::PartTooLarge {
            part: part.to_owned(),
            max_mib: mib(max_part),
        },
        Some(Overrun::Total) => SourceError::WorkbookTooLarge {
            max_mib: mib(max_total),
        },
        Some(Overrun::Event) => bad(format!("{part}中有过长的 XML 元素或文本，文件可能已损坏")),
        None => match e.kind() {
            io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof => {
                bad(format!("{part}无法解压（{e}），文件可能已损坏"))
            }
            kind => SourceError::Io(io::Error::new(kind, e.to_string())),
        },
    }
}

/// Appends the text of a text-like event (text, CDATA, an entity or character reference).
fn append_text(dst: &mut String, event: &Event<'_>, part: &str) -> Result<(), SourceError> {
    let garbled = |e: &dyn fmt::Display| bad(format!("{part}中有无法解码的文本（{e}）"));
    match event {
        Event::Text(t) => dst.push_str(&t.xml10_content().map_err(|e| garbled(&e))?),
        Event::CData(t) => dst.push_str(&t.decode().map_err(|e| garbled(&e))?),
        Event::GeneralRef(r) => {
            if let Some(c) = r.resolve_char_ref().map_err(|e| garbled(&e))? {
                dst.push(c);
            } else {
                let name = r.decode().map_err(|e| garbled(&e))?;
                let resolved = quick_xml::escape::resolve_xml_entity(&name)
                    .ok_or_else(|| bad(format!("{part}中有未知的实体引用 &{name};")))?;
                dst.push_str(resolved);
            }
        }
        _ => {}
    }
    Ok(())
}

/// Calls `f` with each attribute's local name, whether it has a namespace prefix, and the
/// attribute. Duplicate checks are off: they are quadratic in the number of attributes.
fn for_each_attr(
    e: &BytesStart<'_>,
    part: &str,
    mut f: impl FnMut(&[u8], bool, &Attribute<'_>) -> Result<(), SourceError>,
) -> Result<(), SourceError> {
    let mut attrs = e.attributes();
    attrs.with_checks(false);
    for a in attrs {
        let a = a.map_err(|e| bad(format!("{part}的 XML 属性有误（{e}）")))?;
        f(a.key.local_name().as_ref(), a.key.prefix().is_some(), &a)?;
    }
    Ok(())
}

fn attr_text(a: &Attribute<'_>, part: &str) -> Result<String, SourceError> {
    if a.value.len() > MAX_NAME_BYTES {
        return Err(bad(format!("{part}中有过长的属性值")));
    }
    let raw = std::str::from_utf8(&a.value)
        .map_err(|e| bad(format!("{part}的 XML 属性不是 UTF-8（{e}）")))?;
    quick_xml::escape::unescape(raw)
        .map(Cow::into_owned)
        .map_err(|e| bad(format!("{part}的 XML 属性有误（{e}）")))
}

fn attr_u32(a: &Attribute<'_>) -> Option<u32> {
    std::str::from_utf8(&a.value).ok()?.trim().parse().ok()
}

/// Excel's `_xHHHH_` escapes in string content (`_x000D_` is a carriage return, `_x005F_` an
/// underscore).
fn unescape_ooxml(s: &str) -> Cow<'_, str> {
    if !s.contains("_x") {
        return Cow::Borrowed(s);
    }
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let (mut i, mut copied) = (0, 0);
    while let Some(p) = s[i..].find("_x") {
        let at = i + p;
        if at + 7 <= b.len()
            && b[at + 6] == b'_'
            && b[at + 2..at + 6].iter().all(u8::is_ascii_hexdigit)
        {
            let code = u32::from_str_radix(&s[at + 2..at + 6], 16).unwrap_or(0xD800);
            if let Some(c) = char::from_u32(code) {
                out.push_str(&s[copied..at]);
                out.push(c);
                i = at + 7;
                copied = i;
                continue;
            }
        }
        i = at + 2;
    }
    out.push_str(&s[copied..]);
    Cow::Owned(out)
}

/// "A1" for a zero-based row and column.
fn cell_ref(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut n = u64::from(col) + 1;
    while n > 0 {
        letters.push(b'A' + ((n - 1) % 26) as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    format!(
        "{}{}",
        String::from_utf8(letters).unwrap_or_default(),
        u64::from(row) + 1
    )
}

/// A cell reference ("B2") as a zero-based (row, column).
fn parse_ref(r: &[u8]) -> Option<(u32, u32)> {
    let letters = r.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    let digits = &r[letters..];
    if !(1..=3).contains(&letters)
        || !(1..=7).contains(&digits.len())
        || !digits.iter().all(u8::is_ascii_digit)
    {
        return None;
    }
    let col = r[..letters].iter().fold(0u32, |acc, b| {
        acc * 26 + u32::from(b.to_ascii_uppercase() - b'A' + 1)
    });
    let row = digits
        .iter()
        .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'));
    (row > 0).then(|| (row - 1, col - 1))
}

// ---------------------------------------------------------------------------------------------
// Number formats and values

/// What a cell format makes of a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NumKind {
    Plain,
    /// A date, with a time of day when it has one.
    Date,
    /// A time of day (a date too when the value is a day or more).
    Time,
    /// Elapsed time (`[h]:mm:ss`).
    Duration,
}

/// Built-in number formats: 14–22 and 45–47 everywhere, 27–36 and 50–58 in East Asian
/// versions of Excel (年/月/日, 时/分/秒), which reference them without defining them.
fn builtin_kind(id: u32) -> NumKind {
    match id {
        14..=17 | 22 | 27..=31 | 36 | 50..=54 | 57 | 58 => NumKind::Date,
        18..=21 | 32..=35 | 45 | 47 | 55 | 56 => NumKind::Time,
        46 => NumKind::Duration,
        _ => NumKind::Plain,
    }
}

/// A custom format code's kind, from its first section: `d`/`y` (and a lone `m`) outside
/// quotes, escapes and brackets make a date, `h`/`s`/AM/PM a time, `[h]`/`[m]`/`[s]` a
/// duration.
fn classify_format(code: &str) -> NumKind {
    let (mut date, mut time, mut month_or_minute, mut duration) = (false, false, false, false);
    let mut chars = code.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                for c in chars.by_ref() {
                    if c == '"' {
                        break;
                    }
                }
            }
            '\\' | '_' | '*' => {
                chars.next();
            }
            ';' => break,
            '[' => {
                let mut inner = String::new();
                for c in chars.by_ref() {
                    if c == ']' {
                        break;
                    }
                    if inner.len() < 16 {
                        inner.push(c.to_ascii_lowercase());
                    }
                }
                if let Some(first @ ('h' | 'm' | 's')) = inner.chars().next()
                    && inner.chars().all(|c| c == first)
                {
                    duration = true;
                }
            }
            'y' | 'Y' | 'd' | 'D' => date = true,
            'h' | 'H' | 's' | 'S' => time = true,
            'm' | 'M' => month_or_minute = true,
            'a' | 'A' => {
                // AM/PM and A/P.
                let rest: String = chars
                    .clone()
                    .take(4)
                    .collect::<String>()
                    .to_ascii_lowercase();
                if rest.starts_with("m/pm") || rest.starts_with("/p") {
                    time = true;
                }
            }
            _ => {}
        }
    }
    if duration {
        NumKind::Duration
    } else if date {
        NumKind::Date
    } else if time {
        NumKind::Time
    } else if month_or_minute {
        NumKind::Date
    } else {
        NumKind::Plain
    }
}

/// Days from 1899-12-30 to 9999-12-31, the last date Excel shows.
const LAST_SERIAL: f64 = 2_958_466.0;

/// A date/time serial as text: `YYYY-MM-DD`, or `YYYY-MM-DD HH:MM:SS` when it has a time of
/// day, or `HH:MM:SS` for a time-only format and a value under a day. The 1900 system counts
/// the fictitious 1900-02-29 (serial 60), so serials before it are shifted by a day; serial 60
/// itself shows as 1900-02-28, as calamine showed it. `false` if the value is no date.
fn write_serial(serial: f64, kind: NumKind, date1904: bool, out: &mut String) -> bool {
    if !serial.is_finite() {
        return false;
    }
    if kind == NumKind::Duration {
        if serial.abs() >= 1e9 {
            return false;
        }
        let secs = (serial * 86_400.0).round() as i64;
        let sign = if secs < 0 { "-" } else { "" };
        let secs = secs.unsigned_abs();
        let _ = write!(
            out,
            "{sign}{}:{:02}:{:02}",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        );
        return true;
    }
    if serial < 0.0 {
        return false;
    }
    if kind == NumKind::Time && serial < 1.0 {
        let ms = (serial * 86_400_000.0).round() as i64;
        let secs = ms / 1000;
        if secs < 86_400 {
            let _ = write!(
                out,
                "{:02}:{:02}:{:02}",
                secs / 3600,
                secs / 60 % 60,
                secs % 60
            );
            return true;
        }
    }
    let days = if date1904 { serial + 1462.0 } else { serial };
    let days = if days >= 60.0 { days } else { days + 1.0 };
    if days >= LAST_SERIAL {
        return false;
    }
    let ms = (days * 86_400_000.0).round() as i64;
    let Some(epoch) = chrono::NaiveDate::from_ymd_opt(1899, 12, 30) else {
        return false;
    };
    let Some(t) = chrono::TimeDelta::try_milliseconds(ms)
        .and_then(|d| epoch.and_time(chrono::NaiveTime::MIN).checked_add_signed(d))
    else {
        return false;
    };
    if t.time() == chrono::NaiveTime::MIN {
        let _ = write!(out, "{}", t.format("%Y-%m-%d"));
    } else {
        let _ = write!(out, "{}", t.format("%Y-%m-%d %H:%M:%S"));
    }
    true
}

fn is_integer_literal(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// A number as text: integer literals as written (no precision lost), other numbers as f64,
/// integral ones under 1e15 without ".0" (as the calamine-based reader printed them).
fn write_number(v: &str, out: &mut String) {
    if is_integer_literal(v) {
        out.push_str(v);
        return;
    }
    match v.parse::<f64>() {
        Ok(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 => {
            let _ = write!(out, "{}", f as i64);
        }
        Ok(f) if f.is_finite() => {
            let _ = write!(out, "{f}");
        }
        _ => out.push_str(v),
    }
}

// ---------------------------------------------------------------------------------------------
// Workbook structure

struct SheetEntry {
    name: String,
    hidden: bool,
    rel_id: String,
}

struct Workbook {
    sheets: Vec<SheetEntry>,
    date1904: bool,
}

fn read_workbook<R: BufRead>(
    xml: &mut Xml<R>,
    limits: &SheetLimits,
) -> Result<Workbook, SourceError> {
    let mut wb = Workbook {
        sheets: Vec::new(),
        date1904: false,
    };
    let part = xml.part.clone();
    loop {
        match xml.next()? {
            Event::Eof => break,
            Event::Start(ref e) | Event::Empty(ref e) => match e.local_name().as_ref() {
                b"workbookPr" => for_each_attr(e, &part, |name, _, a| {
                    if name == b"date1904" {
                        wb.date1904 = matches!(a.value.as_ref(), b"1" | b"true");
                    }
                    Ok(())
                })?,
                b"sheet" => {
                    if wb.sheets.len() >= limits.max_sheets {
                        return Err(SourceError::TooManySheets {
                            max: limits.max_sheets,
                        });
                    }
                    let mut sheet = SheetEntry {
                        name: String::new(),
                        hidden: false,
                        rel_id: String::new(),
                    };
                    for_each_attr(e, &part, |name, prefixed, a| {
                        match name {
                            b"name" => sheet.name = attr_text(a, &part)?,
                            b"state" => {
                                sheet.hidden = matches!(a.value.as_ref(), b"hidden" | b"veryHidden")
                            }
                            b"id" if prefixed => sheet.rel_id = attr_text(a, &part)?,
                            _ => {}
                        }
                        Ok(())
                    })?;
                    wb.sheets.push(sheet);
                }
                _ => {}
            },
            _ => {}
        }
    }
    Ok(wb)
}

struct Relationship {
    kind: String,
    target: String,
    external: bool,
}

fn read_rels<R: BufRead>(xml: &mut Xml<R>) -> Result<HashMap<String, Relationship>, SourceError> {
    let mut rels = HashMap::new();
    let part = xml.part.clone();
    loop {
        match xml.next()? {
            Event::Eof => break,
            Event::Start(ref e) | Event::Empty(ref e)
                if e.local_name().as_ref() == b"Relationship" =>
            {
                if rels.len() >= MAX_RELATIONSHIPS {
                    return Err(bad(format!("{part}中的关系过多，文件可能已损坏")));
                }
                let mut id = String::new();
                let mut rel = Relationship {
                    kind: String::new(),
                    target: String::new(),
                    external: false,
                };
                for_each_attr(e, &part, |name, _, a| {
                    match name {
                        b"Id" => id = attr_text(a, &part)?,
                        b"Type" => rel.kind = attr_text(a, &part)?,
                        b"Target" => rel.target = attr_text(a, &part)?,
                        b"TargetMode" => rel.external = a.value.as_ref() == b"External",
                        _ => {}
                    }
                    Ok(())
                })?;
                rels.insert(id, rel);
            }
            _ => {}
        }
    }
    Ok(rels)
}

/// A relationship target as a path in the archive: absolute ("/xl/worksheets/sheet1.xml") or
/// relative to the directory of the part that refers to it ("worksheets/sheet1.xml").
fn resolve_target(base_dir: &str, target: &str) -> String {
    let target = target.replace('\\', "/");
    let joined = match target.strip_prefix('/') {
        Some(absolute) => absolute.to_owned(),
        None => format!("{base_dir}{target}"),
    };
    let mut parts: Vec<&str> = Vec::new();
    for seg in joined.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// "xl/" for "xl/workbook.xml".
fn dir_of(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..=i])
}

/// "xl/_rels/workbook.xml.rels" for "xl/workbook.xml".
fn rels_of(path: &str) -> String {
    let dir = dir_of(path);
    format!("{dir}_rels/{}.rels", &path[dir.len()..])
}

/// The number kind of each cell format (`cellXfs/xf`), by index.
fn read_styles<R: BufRead>(xml: &mut Xml<R>) -> Result<Vec<NumKind>, SourceError> {
    let mut custom: HashMap<u32, NumKind> = HashMap::new();
    let mut xfs: Vec<u32> = Vec::new();
    let (mut in_num_fmts, mut in_cell_xfs) = (false, false);
    let part = xml.part.clone();
    loop {
        match xml.next()? {
            Event::Eof => break,
            Event::End(ref e) => match e.local_name().as_ref() {
                b"numFmts" => in_num_fmts = false,
                b"cellXfs" => in_cell_xfs = false,
                _ => {}
            },
            ref ev @ (Event::Start(ref e) | Event::Empty(ref e)) => {
                let open = matches!(ev, Event::Start(_));
                match e.local_name().as_ref() {
                    b"numFmts" => in_num_fmts = open,
                    b"cellXfs" => in_cell_xfs = open,
                    b"numFmt" if in_num_fmts => {
                        if custom.len() >= MAX_NUM_FORMATS {
                            return Err(bad(format!("{part}中的数字格式过多，文件可能已损坏")));
                        }
                        let (mut id, mut code) = (None, String::new());
                        for_each_attr(e, &part, |name, _, a| {
                            match name {
                                b"numFmtId" => id = attr_u32(a),
                                b"formatCode" => code = attr_text(a, &part)?,
                                _ => {}
                            }
                            Ok(())
                        })?;
                        if let Some(id) = id {
                            custom.insert(id, classify_format(&code));
                        }
                    }
                    b"xf" if in_cell_xfs => {
                        if xfs.len() >= MAX_CELL_FORMATS {
                            return Err(bad(format!("{part}中的单元格格式过多，文件可能已损坏")));
                        }
                        let mut id = 0;
                        for_each_attr(e, &part, |name, _, a| {
                            if name == b"numFmtId" {
                                id = attr_u32(a).unwrap_or(0);
                            }
                            Ok(())
                        })?;
                        xfs.push(id);
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    Ok(xfs
        .into_iter()
        .map(|id| custom.get(&id).copied().unwrap_or_else(|| builtin_kind(id)))
        .collect())
}

/// The shared string table: all strings in one buffer, with each one's end offset.
#[derive(Debug, Default)]
struct SharedStrings {
    text: String,
    ends: Vec<u32>,
}

impl SharedStrings {
    fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)? as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        self.text.get(start..end)
    }

    fn held(&self) -> u64 {
        self.text.capacity() as u64 + 4 * self.ends.capacity() as u64
    }

    /// Adds a string; its buffers grow by doubling but never past `max` bytes in all.
    fn push(&mut self, s: &str, max: u64) -> Result<(), SourceError> {
        let too_large = || SourceError::SharedStringsTooLarge { max_mib: mib(max) };
        let need = self.text.len() as u64 + s.len() as u64;
        if need > u64::from(u32::MAX) || need + 4 * (self.ends.len() as u64 + 1) > max {
            return Err(too_large());
        }
        if self.text.capacity() - self.text.len() < s.len() {
            let budget = max.saturating_sub(4 * self.ends.capacity() as u64);
            let doubled = (2 * self.text.capacity() as u64).min(budget);
            let target = need.max(doubled) as usize;
            self.text.reserve_exact(target - self.text.len());
        }
        if self.ends.capacity() == self.ends.len() {
            let budget = max.saturating_sub(self.text.capacity() as u64) / 4;
            let doubled = (2 * self.ends.capacity() as u64).max(16).min(budget);
            let target = (self.ends.len() as u64 + 1).max(doubled) as usize;
            self.ends.reserve_exact(target - self.ends.len());
        }
        if self.held() > max {
            return Err(too_large());
        }
        self.text.push_str(s);
        self.ends.push(self.text.len() as u32);
        Ok(())
    }
}

fn read_shared_strings<R: BufRead>(
    xml: &mut Xml<R>,
    limits: &SheetLimits,
) -> Result<SharedStrings, SourceError> {
    let mut sst = SharedStrings::default();
    let mut current = String::new();
    let (mut in_si, mut in_t, mut in_phonetic) = (false, false, false);
    let part = xml.part.clone();
    loop {
        let event = xml.next()?;
        match event {
            Event::Eof => break,
            Event::Start(ref e) => match e.local_name().as_ref() {
                b"si" => {
                    in_si = true;
                    current.clear();
                }
                b"t" => in_t = true,
                b"rPh" => in_phonetic = true,
                _ => {}
            },
            Event::Empty(ref e) if e.local_name().as_ref() == b"si" => {
                sst.push("", limits.max_shared_strings_bytes)?;
            }
            Event::End(ref e) => match e.local_name().as_ref() {
                b"si" => {
                    in_si = false;
                    let s = unescape_ooxml(&current);
                    sst.push(&s, limits.max_shared_strings_bytes)?;
                }
                b"t" => in_t = false,
                b"rPh" => in_phonetic = false,
                _ => {}
            },
            Event::Text(_) | Event::CData(_) | Event::GeneralRef(_)
                if in_si && in_t && !in_phonetic =>
            {
                append_text(&mut current, &event, &part)?;
                if current.len() > limits.max_cell_bytes {
                    return Err(SourceError::SharedStringTooLong {
                        max: limits.max_cell_bytes,
                    });
                }
            }
            _ => {}
        }
    }
    Ok(sst)
}

// ---------------------------------------------------------------------------------------------
// Sheets

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CellType {
    Number,
    Shared,
    FormulaString,
    Inline,
    Bool,
    Error,
    IsoDate,
}

/// What a sheet's cells are read with.
struct Cx<'a> {
    sst: &'a SharedStrings,
    styles: &'a [NumKind],
    date1904: bool,
    limits: &'a SheetLimits,
    sheet: &'a str,
}

enum Item<'a> {
    /// A non-empty cell.
    Cell { row: u32, col: u32, text: &'a str },
    /// The end of a `<row>`.
    RowEnd,
}

/// Streams a sheet's cells to `on`, in document order, one at a time.
fn stream_sheet<R: BufRead>(
    xml: &mut Xml<R>,
    cx: &Cx<'_>,
    on: &mut dyn FnMut(Item<'_>) -> Result<(), SourceError>,
) -> Result<(), SourceError> {
    let (mut in_data, mut row, mut next_row, mut next_col) = (false, 0u32, 0u32, 0u32);
    let mut elements = 0u64;
    let (mut v, mut inline, mut text) = (String::new(), String::new(), String::new());
    let part = xml.part.clone();
    loop {
        let cell = match xml.next()? {
            Event::Eof => break,
            Event::Start(ref e) | Event::Empty(ref e)
                if e.local_name().as_ref() == b"sheetData" =>
            {
                in_data = true;
                continue;
            }
            Event::End(ref e) if e.local_name().as_ref() == b"sheetData" => {
                in_data = false;
                continue;
            }
            ref ev @ (Event::Start(ref e) | Event::Empty(ref e)) if in_data => {
                let empty = matches!(ev, Event::Empty(_));
                match e.local_name().as_ref() {
                    b"row" => {
                        let mut r = None;
                        for_each_attr(e, &part, |name, _, a| {
                            if name == b"r" {
                                r = Some(
                                    attr_u32(a)
                                        .filter(|r| (1..=9_999_999).contains(r))
                                        .ok_or_else(|| bad(format!("{part}中有无效的行号")))?,
                                );
                            }
                            Ok(())
                        })?;
                        row = r.map_or(next_row, |r| r - 1);
                        next_col = 0;
                        if empty {
                            on(Item::RowEnd)?;
                            next_row = row.saturating_add(1);
                        }
                        continue;
                    }
                    b"c" => {
                        elements += 1;
                        if elements > cx.limits.max_cells {
                            return Err(SourceError::TooManyCells {
                                sheet: cx.sheet.to_owned(),
                                max: cx.limits.max_cells,
                            });
                        }
                        let (mut pos, mut ty, mut style) = (None, CellType::Number, 0u32);
                        for_each_attr(e, &part, |name, _, a| {
                            match name {
                                b"r" => {
                                    pos = Some(parse_ref(&a.value).ok_or_else(|| {
                                        bad(format!("{part}中有无效的单元格引用"))
                                    })?)
                                }
                                b"t" => {
                                    ty = match a.value.as_ref() {
                                        b"s" => CellType::Shared,
                                        b"str" => CellType::FormulaString,
                                        b"inlineStr" => CellType::Inline,
                                        b"b" => CellType::Bool,
                                        b"e" => CellType::Error,
                                        b"d" => CellType::IsoDate,
                                        _ => CellType::Number,
                                    }
                                }
                                b"s" => style = attr_u32(a).unwrap_or(0),
                                _ => {}
                            }
                            Ok(())
                        })?;
                        let (r, c) = pos.unwrap_or((row, next_col));
                        next_col = c.saturating_add(1);
                        (r, c, ty, style, empty)
                    }
                    _ => continue,
                }
            }
            Event::End(ref e) if in_data && e.local_name().as_ref() == b"row" => {
                on(Item::RowEnd)?;
                next_row = row.saturating_add(1);
                next_col = 0;
                continue;
            }
            _ => continue,
        };
        let (r, c, ty, style, empty) = cell;
        v.clear();
        inline.clear();
        let (mut has_v, mut has_is) = (false, false);
        if !empty {
            let (mut in_v, mut in_is, mut in_t, mut in_phonetic) = (false, false, false, false);
            loop {
                let event = xml.next()?;
                match event {
                    Event::Start(ref e) => match e.local_name().as_ref() {
                        b"v" => (in_v, has_v) = (true, true),
                        b"is" => (in_is, has_is) = (true, true),
                        b"t" => in_t = true,
                        b"rPh" => in_phonetic = true,
                        _ => {}
                    },
                    Event::Empty(ref e) => match e.local_name().as_ref() {
                        b"v" => has_v = true,
                        b"is" => has_is = true,
                        _ => {}
                    },
                    Event::End(ref e) => match e.local_name().as_ref() {
                        b"c" => break,
                        b"v" => in_v = false,
                        b"is" => in_is = false,
                        b"t" => in_t = false,
                        b"rPh" => in_phonetic = false,
                        _ => {}
                    },
                    Event::Text(_) | Event::CData(_) | Event::GeneralRef(_) => {
                        let dst = if in_v {
                            &mut v
                        } else if in_is && in_t && !in_phonetic {
                            &mut inline
                        } else {
                            continue;
                        };
                        append_text(dst, &event, &part)?;
                        if dst.len() > cx.limits.max_cell_bytes {
                            return Err(SourceError::CellTooLong {
                                sheet: cx.sheet.to_owned(),
                                cell: cell_ref(r, c),
                                max: cx.limits.max_cell_bytes,
                            });
                        }
                    }
                    Event::Eof => return Err(xml.unexpected_end()),
                    _ => {}
                }
            }
        }
        text.clear();
        cell_text(
            cx,
            ty,
            style,
            has_v.then_some(v.as_str()),
            has_is.then_some(inline.as_str()),
            &mut text,
        )
        .map_err(|e| match e {
            SourceError::Spreadsheet(m) => bad(format!(
                "工作表「{}」的单元格 {}：{m}",
                cx.sheet,
                cell_ref(r, c)
            )),
            e => e,
        })?;
        if text.len() > cx.limits.max_cell_bytes {
            return Err(SourceError::CellTooLong {
                sheet: cx.sheet.to_owned(),
                cell: cell_ref(r, c),
                max: cx.limits.max_cell_bytes,
            });
        }
        if !text.is_empty() {
            on(Item::Cell {
                row: r,
                col: c,
                text: &text,
            })?;
        }
    }
    Ok(())
}

/// A cell's text: strings as they are, booleans as 是/否, errors empty, numbers as
/// [`write_number`] or, with a date format, [`write_serial`].
fn cell_text(
    cx: &Cx<'_>,
    ty: CellType,
    style: u32,
    v: Option<&str>,
    inline: Option<&str>,
    out: &mut String,
) -> Result<(), SourceError> {
    if ty == CellType::Inline || (inline.is_some() && v.is_none()) {
        if let Some(s) = inline {
            out.push_str(&unescape_ooxml(s));
        }
        return Ok(());
    }
    let Some(v) = v else {
        return Ok(());
    };
    match ty {
        CellType::Shared => {
            let s = v
                .trim()
                .parse::<usize>()
                .ok()
                .and_then(|i| cx.sst.get(i))
                .ok_or_else(|| bad("共享字符串索引无效，文件可能已损坏"))?;
            out.push_str(s);
        }
        CellType::FormulaString | CellType::IsoDate => out.push_str(v),
        CellType::Inline => {}
        CellType::Bool => match v.trim() {
            "" => {}
            "0" | "false" => out.push('否'),
            _ => out.push('是'),
        },
        CellType::Error => {}
        CellType::Number => {
            let v = v.trim();
            if v.is_empty() {
                return Ok(());
            }
            let kind = cx
                .styles
                .get(style as usize)
                .copied()
                .unwrap_or(NumKind::Plain);
            if kind != NumKind::Plain
                && let Ok(f) = v.parse::<f64>()
                && write_serial(f, kind, cx.date1904, out)
            {
                return Ok(());
            }
            write_number(v, out);
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The archive

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

/// The columns the data sheet's non-empty cells span, and how many there are.
#[derive(Debug, Clone, Copy)]
struct Extent {
    min_col: u32,
    max_col: u32,
    cells: u64,
}

/// Pass 1 over the data sheet: checks every non-empty cell against the limits, finds the
/// columns they span (the CSV is as wide as that span, as calamine's range was) and counts the
/// CSV's text, separators included, against the text budget before anything is written.
fn measure<R: BufRead>(
    xml: &mut Xml<R>,
    cx: &Cx<'_>,
    budget: &mut TextBudget,
) -> Result<Option<Extent>, SourceError> {
    let mut extent: Option<Extent> = None;
    let (mut records, mut pending) = (0u64, None);
    let limits = cx.limits;
    stream_sheet(xml, cx, &mut |item| {
        match item {
            Item::Cell { row, col, text } => {
                let out_of_range = |limit: String| SourceError::OutOfRange {
                    sheet: cx.sheet.to_owned(),
                    cell: cell_ref(row, col),
                    limit,
                };
                if col >= limits.max_columns {
                    return Err(out_of_range(format!("最多 {} 列", limits.max_columns)));
                }
                if row >= limits.max_rows {
                    return Err(out_of_range(format!("最多 {} 行", limits.max_rows)));
                }
                budget.take(text.len() as u64)?;
                if pending.is_some_and(|p| p != row) {
                    records += 1;
                }
                pending = Some(row);
                let e = extent.get_or_insert(Extent {
                    min_col: col,
                    max_col: col,
                    cells: 0,
                });
                e.min_col = e.min_col.min(col);
                e.max_col = e.max_col.max(col);
                e.cells += 1;
            }
            Item::RowEnd => {
                if pending.take().is_some() {
                    records += 1;
                }
            }
        }
        Ok(())
    })?;
    if pending.is_some() {
        records += 1;
    }
    if let Some(e) = extent {
        // A separator per field and a line end per record.
        budget.take(records.saturating_mul(u64::from(e.max_col - e.min_col) + 1))?;
    }
    Ok(extent)
}

/// Pass 2 over the data sheet: one CSV record per row that has a non-empty cell, as wide as
/// the extent; blank rows are skipped.
fn write_csv<R: BufRead>(
    xml: &mut Xml<R>,
    cx: &Cx<'_>,
    extent: Extent,
    out: &Path,
) -> Result<u64, SourceError> {
    let mut w = csv::Writer::from_writer(BufWriter::new(File::create(out)?));
    let width = (extent.max_col - extent.min_col) as usize + 1;
    let mut record = vec![String::new(); width];
    let mut pending: Option<u32> = None;
    let mut rows = 0u64;
    let mut flush = |record: &mut [String]| -> Result<(), SourceError> {
        w.write_record(record.iter())
            .map_err(|e| SourceError::Io(io::Error::other(e)))?;
        for cell in record.iter_mut() {
            cell.clear();
        }
        rows += 1;
        Ok(())
    };
    stream_sheet(xml, cx, &mut |item| {
        match item {
            Item::Cell { row, col, text } => {
                if pending.is_some_and(|p| p != row) {
                    flush(&mut record)?;
                }
                pending = Some(row);
                if let Some(cell) = col
                    .checked_sub(extent.min_col)
                    .and_then(|i| record.get_mut(i as usize))
                {
                    cell.clear();
                    cell.push_str(text);
                }
            }
            Item::RowEnd => {
                if pending.take().is_some() {
                    flush(&mut record)?;
                }
            }
        }
        Ok(())
    })?;
    if pending.is_some() {
        flush(&mut record)?;
    }
    w.flush()?;
    Ok(rows)
}

/// A sheet other than the data sheet: its non-empty cells and the personal data in them.
fn scan<R: BufRead>(
    xml: &mut Xml<R>,
    cx: &Cx<'_>,
    budget: &mut TextBudget,
) -> Result<(u64, BTreeMap<PiiKind, u64>), SourceError> {
    let mut cells = 0u64;
    let mut found = BTreeMap::new();
    stream_sheet(xml, cx, &mut |item| {
        if let Item::Cell { text, .. } = item {
            cells += 1;
            budget.take(text.len() as u64)?;
            for f in pii::scan(text) {
                *found.entry(f.kind).or_insert(0) += 1;
            }
        }
        Ok(())
    })?;
    Ok((cells, found))
}

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

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Write as _};
    use std::time::{Duration, Instant};

    use calamine::{Data, DataType as _, Reader as _};
    use zip::write::SimpleFileOptions;

    use super::*;
    use crate::services::ingest::source::SourceFormat;

    const MAIN_NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    const REL_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

    fn convert_with(
        bytes: &[u8],
        limits: &SheetLimits,
    ) -> (Result<SpreadsheetReport, SourceError>, String) {
        let dir = tempfile::tempdir().unwrap();
        let (src, out) = (dir.path().join("in.xlsx"), dir.path().join("out.csv"));
        std::fs::write(&src, bytes).unwrap();
        let result = xlsx_to_csv(&src, &out, limits);
        (result, std::fs::read_to_string(&out).unwrap_or_default())
    }

    fn convert(bytes: &[u8]) -> (SpreadsheetReport, String) {
        let (result, csv) = convert_with(bytes, &SheetLimits::default());
        (result.unwrap(), csv)
    }

    fn records(csv: &str) -> Vec<Vec<String>> {
        csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(csv.as_bytes())
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect()
    }

    /// One sheet of a hand-written workbook: its name, its `state` and the inside of its
    /// `<sheetData>`.
    struct Sheet<'a> {
        name: &'a str,
        state: Option<&'a str>,
        data: &'a str,
    }

    fn sheet<'a>(name: &'a str, data: &'a str) -> Sheet<'a> {
        Sheet {
            name,
            state: None,
            data,
        }
    }

    /// A minimal XLSX written by hand, for shapes rust_xlsxwriter does not write. The first
    /// sheet's relationship target is absolute, the others' relative. `extra` entries are
    /// stored uncompressed.
    fn handmade(
        sheets: &[Sheet<'_>],
        shared: Option<&str>,
        styles: Option<&str>,
        extra: &[(&str, &[u8])],
    ) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let deflated = SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(1));
        let mut put = |name: &str, body: &[u8]| {
            zip.start_file(name, deflated).unwrap();
            zip.write_all(body).unwrap();
        };
        put(
            "[Content_Types].xml",
            br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>"#,
        );
        put(
            "_rels/.rels",
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#).as_bytes(),
        );
        let mut list = String::new();
        let mut rels = String::new();
        for (i, s) in sheets.iter().enumerate() {
            let n = i + 1;
            let state = s
                .state
                .map(|st| format!(r#" state="{st}""#))
                .unwrap_or_default();
            list += &format!(
                r#"<sheet name="{}" sheetId="{n}"{state} r:id="rId{n}"/>"#,
                s.name
            );
            let target = if i == 0 {
                format!("/xl/worksheets/sheet{n}.xml")
            } else {
                format!("worksheets/sheet{n}.xml")
            };
            rels += &format!(
                r#"<Relationship Id="rId{n}" Type="{REL_NS}/worksheet" Target="{target}"/>"#
            );
        }
        if shared.is_some() {
            rels += &format!(
                r#"<Relationship Id="rIdS" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/>"#
            );
        }
        if styles.is_some() {
            rels +=
                &format!(r#"<Relationship Id="rIdT" Type="{REL_NS}/styles" Target="styles.xml"/>"#);
        }
        put(
            "xl/workbook.xml",
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><workbookPr/><sheets>{list}</sheets></workbook>"#).as_bytes(),
        );
        put(
            "xl/_rels/workbook.xml.rels",
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>"#).as_bytes(),
        );
        for (i, s) in sheets.iter().enumerate() {
            put(
                &format!("xl/worksheets/sheet{}.xml", i + 1),
                format!(r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheetData>{}</sheetData></worksheet>"#, s.data).as_bytes(),
            );
        }
        if let Some(items) = shared {
            put(
                "xl/sharedStrings.xml",
                format!(
                    r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN_NS}">{items}</sst>"#
                )
                .as_bytes(),
            );
        }
        if let Some(body) = styles {
            put(
                "xl/styles.xml",
                format!(r#"<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN_NS}">{body}</styleSheet>"#).as_bytes(),
            );
        }
        for (name, body) in extra {
            let stored =
                SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
            zip.start_file(*name, stored).unwrap();
            zip.write_all(body).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    fn inline(r: &str, text: &str) -> String {
        format!(r#"<c r="{r}" t="inlineStr"><is><t>{text}</t></is></c>"#)
    }

    #[test]
    fn a_far_corner_cell_fails_fast_without_allocating() {
        let data = format!(
            r#"<row r="1">{}</row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#,
            inline("A1", "a")
        );
        let bytes = handmade(&[sheet("Sheet1", &data)], None, None, &[]);
        let started = Instant::now();
        let (result, _) = convert_with(&bytes, &SheetLimits::default());
        assert!(started.elapsed() < Duration::from_secs(2));
        let err = result.unwrap_err();
        assert!(
            matches!(&err, SourceError::OutOfRange { sheet, cell, .. } if sheet == "Sheet1" && cell == "XFD1048576"),
            "{err:?}"
        );
        let message = err.to_string();
        assert!(
            message
                .contains("工作表「Sheet1」的单元格 XFD1048576 超出了允许的范围（最多 1000 列）"),
            "{message}"
        );
    }

    #[test]
    fn a_far_row_in_the_same_column_gives_two_lines() {
        let data = format!(
            r#"<row r="1">{}</row><row r="1048576">{}</row>"#,
            inline("A1", "a"),
            inline("A1048576", "b")
        );
        let bytes = handmade(&[sheet("Sheet1", &data)], None, None, &[]);
        let started = Instant::now();
        let (report, csv) = convert(&bytes);
        assert!(started.elapsed() < Duration::from_secs(2));
        assert_eq!(csv, "a\nb\n");
        assert_eq!(report.rows, 2);
        // One row further is past the default row limit.
        let data = format!(r#"<row r="1">{}</row>"#, inline("A1048577", "c"));
        let bytes = handmade(&[sheet("Sheet1", &data)], None, None, &[]);
        let (result, _) = convert_with(&bytes, &SheetLimits::default());
        assert!(
            matches!(result, Err(SourceError::OutOfRange { ref cell, .. }) if cell == "A1048577")
        );
    }

    #[test]
    fn hidden_sheets_are_scanned_for_personal_data() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let open = book.add_worksheet();
        open.set_name("公开数据").unwrap();
        open.write_string(0, 0, "区县").unwrap();
        open.write_string(1, 0, "瑶海区").unwrap();
        let hidden = book.add_worksheet();
        hidden.set_name("内部名单").unwrap().set_hidden(true);
        hidden.write_string(0, 0, "身份证号").unwrap();
        hidden.write_string(0, 1, "手机").unwrap();
        hidden.write_string(1, 0, "11010519491231002X").unwrap();
        hidden.write_string(1, 1, "13812345678").unwrap();
        hidden.write_number(2, 1, 13812345679.0).unwrap();
        let very = book.add_worksheet();
        very.set_name("备注").unwrap().set_very_hidden(true);
        very.write_string(0, 0, "联系 zhangsan@example.com")
            .unwrap();
        let visible = book.add_worksheet();
        visible.set_name("说明").unwrap();
        visible.write_string(0, 0, "无个人信息").unwrap();
        let (report, csv) = convert(&book.save_to_buffer().unwrap());
        assert_eq!(csv, "区县\n瑶海区\n");
        assert_eq!(report.rows, 2);
        let summary = |name: &str| report.sheets.iter().find(|s| s.name == name).unwrap();
        assert_eq!(report.sheets.len(), 4);
        assert!(summary("公开数据").data_sheet && !summary("公开数据").hidden);
        assert!(summary("公开数据").pii.is_empty());
        let hidden = summary("内部名单");
        assert!(hidden.hidden && !hidden.data_sheet);
        assert_eq!(hidden.cells, 5);
        assert_eq!(
            hidden.pii,
            vec![(PiiKind::ResidentId, 1), (PiiKind::Mobile, 2)]
        );
        assert!(summary("备注").hidden);
        assert_eq!(summary("备注").pii, vec![(PiiKind::Email, 1)]);
        assert!(!summary("说明").hidden && summary("说明").pii.is_empty());
        let flagged: Vec<&str> = report
            .other_sheets_with_pii()
            .map(|s| s.name.as_str())
            .collect();
        assert_eq!(flagged, ["内部名单", "备注"]);
    }

    #[test]
    fn a_hidden_first_sheet_is_still_the_data_sheet() {
        let data = format!(r#"<row r="1">{}</row>"#, inline("A1", "x"));
        let bytes = handmade(
            &[
                Sheet {
                    name: "隐藏",
                    state: Some("hidden"),
                    data: &data,
                },
                sheet("Sheet2", ""),
            ],
            None,
            None,
            &[],
        );
        let (report, csv) = convert(&bytes);
        assert_eq!(csv, "x\n");
        assert!(report.sheets[0].data_sheet && report.sheets[0].hidden);
        assert!(!report.sheets[1].data_sheet && report.sheets[1].cells == 0);
    }

    #[test]
    fn long_integers_are_kept_as_written() {
        let data = format!(
            r#"<row r="1">{}{}</row><row r="2"><c r="A2"><v>1</v></c><c r="B2"><v>340102198501011234</v></c></row><row r="3"><c r="A3"><v>-12345678901234567890</v></c><c r="B3" t="n"><v>12345678901234567</v></c></row>"#,
            inline("A1", "序号"),
            inline("B1", "证件号")
        );
        let bytes = handmade(&[sheet("Sheet1", &data)], None, None, &[]);
        let (_, csv) = convert(&bytes);
        assert_eq!(
            csv,
            "序号,证件号\n1,340102198501011234\n-12345678901234567890,12345678901234567\n"
        );
        // What the f64 path made of it.
        assert_ne!(
            format!("{}", "340102198501011234".parse::<f64>().unwrap()),
            "340102198501011234"
        );
    }

    const STYLES: &str = r#"<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy\-mm\-dd"/><numFmt numFmtId="165" formatCode="&quot;¥&quot;#,##0.00"/></numFmts><cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs><cellXfs count="7"><xf numFmtId="0" xfId="0"/><xf numFmtId="164" xfId="0" applyNumberFormat="1"/><xf numFmtId="165" xfId="0"/><xf numFmtId="22" xfId="0"><alignment horizontal="left"/></xf><xf numFmtId="46"/><xf numFmtId="20"/><xf numFmtId="31"/></cellXfs>"#;

    #[test]
    fn dates_strings_booleans_and_gaps() {
        let shared = r#"<si><t>区县</t></si><si><r><t>合肥</t></r><r><rPr><b/></rPr><t>市</t></r><rPh sb="0" eb="2"><t>ヘフェイ</t></rPh></si><si><t xml:space="preserve"> 空格 &amp; 符号&#x20;</t></si><si><t>a_x000D_b</t></si><si/>"#;
        let data = concat!(
            r#"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>日期</t></is></c><c r="C1" t="inlineStr"><is><r><t>布</t></r><r><t>尔</t></r></is></c><c r="D1" t="inlineStr"><is><t>金额</t></is></c><c r="E1" t="inlineStr"><is><t>备注</t></is></c></row>"#,
            r#"<row r="2"><c r="A2" t="s"><v>1</v></c><c r="B2" s="1"><v>46022</v></c><c r="C2" t="b"><v>1</v></c><c r="D2" s="2"><v>80.5</v></c><c r="E2" t="s"><v>2</v></c></row>"#,
            // Cells without r follow the previous one; D3 is missing; E3 is an error.
            r#"<row r="3"><c r="A3" t="s"><v>3</v></c><c s="3"><v>46022.5</v></c><c t="b"><v>0</v></c><c r="E3" t="e"><v>#N/A</v></c></row>"#,
            // Row 4 is blank, and so is row 5 (only empty cells).
            r#"<row r="5"><c r="A5" t="s"><v>4</v></c><c r="B5" s="1"/></row>"#,
            // A row without r follows the previous one (row 6).
            r#"<row><c r="A6" t="str"><f>A1&amp;"x"</f><v>区县x</v></c><c r="B6" s="4"><v>1.5</v></c><c r="C6" s="5"><v>0.75</v></c><c r="D6"><v>1.5E+3</v></c><c r="E6" s="6"><v>46022</v></c></row>"#,
            r#"<row r="7"><c r="A7" t="inlineStr"><is><t><![CDATA[<b>]]></t></is></c><c r="B7" t="d"><v>2025-01-02T00:00:00</v></c><c r="C7"><v>0.1</v></c><c r="D7"><v>1E+20</v></c><c r="E7"><v>-2.50</v></c></row>"#,
        );
        let bytes = handmade(&[sheet("Sheet1", data)], Some(shared), Some(STYLES), &[]);
        let (report, csv) = convert(&bytes);
        assert_eq!(
            records(&csv),
            vec![
                vec!["区县", "日期", "布尔", "金额", "备注"],
                vec!["合肥市", "2025-12-31", "是", "80.5", " 空格 & 符号 "],
                vec!["a\rb", "2025-12-31 12:00:00", "否", "", ""],
                vec!["区县x", "36:00:00", "18:00:00", "1500", "2025-12-31"],
                vec![
                    "<b>",
                    "2025-01-02T00:00:00",
                    "0.1",
                    "100000000000000000000",
                    "-2.5"
                ],
            ]
        );
        assert_eq!(report.rows, 5);
        assert_eq!(report.sheets[0].cells, 23);
    }

    #[test]
    fn the_upload_tests_population_workbook() {
        // As tests/it/uploads.rs population_xlsx() builds it.
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
        for (j, h) in ["区县", "常住人口（万人）", "统计日期"].iter().enumerate() {
            sheet.write_string(0, j as u16, *h).unwrap();
        }
        let counties = ["瑶海区", "庐阳区", "蜀山区", "包河区", "长丰县", "肥东县"];
        for (i, c) in counties.iter().enumerate() {
            let row = i as u32 + 1;
            sheet.write_string(row, 0, *c).unwrap();
            sheet.write_number(row, 1, 80.5 + i as f64).unwrap();
            let d = rust_xlsxwriter::ExcelDateTime::from_ymd(2025, 12, 31).unwrap();
            sheet.write_datetime_with_format(row, 2, &d, &date).unwrap();
        }
        let (report, csv) = convert(&book.save_to_buffer().unwrap());
        assert_eq!(
            csv,
            "区县,常住人口（万人）,统计日期\n\
             瑶海区,80.5,2025-12-31\n\
             庐阳区,81.5,2025-12-31\n\
             蜀山区,82.5,2025-12-31\n\
             包河区,83.5,2025-12-31\n\
             长丰县,84.5,2025-12-31\n\
             肥东县,85.5,2025-12-31\n"
        );
        assert_eq!(report.rows, 7);
        assert_eq!(report.sheets.len(), 1);
        assert_eq!(report.sheets[0].cells, 21);
    }

    /// The previous reader's text for a calamine cell.
    fn calamine_text(cell: &Data) -> String {
        match cell {
            Data::Empty | Data::Error(_) => String::new(),
            Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
            Data::Int(n) => n.to_string(),
            Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
            Data::Float(f) => f.to_string(),
            Data::Bool(b) => if *b { "是" } else { "否" }.to_owned(),
            Data::DateTime(_) => match cell.as_datetime() {
                Some(t) if t.time() == chrono::NaiveTime::MIN => t.format("%Y-%m-%d").to_string(),
                Some(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
                None => String::new(),
            },
        }
    }

    #[test]
    fn ordinary_workbooks_read_as_calamine_read_them() {
        for constant_memory in [false, true] {
            same_as_calamine(constant_memory);
        }
    }

    /// With constant memory, rust_xlsxwriter writes inline strings instead of shared ones.
    fn same_as_calamine(constant_memory: bool) {
        let mut book = rust_xlsxwriter::Workbook::new();
        let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
        let datetime = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
        let money = rust_xlsxwriter::Format::new().set_num_format("#,##0.00");
        let sheet = if constant_memory {
            book.add_worksheet_with_constant_memory()
        } else {
            book.add_worksheet()
        };
        for (j, h) in ["名称", "数量", "比例", "日期", "时间", "布尔", "金额"]
            .iter()
            .enumerate()
        {
            sheet.write_string(1, j as u16 + 1, *h).unwrap();
        }
        for i in 0..50u32 {
            let row = i + 2;
            let f = f64::from(i);
            sheet
                .write_string(row, 1, format!("名称{i}, \"引号\""))
                .unwrap();
            sheet.write_number(row, 2, f * 1000.0 - 7.0).unwrap();
            sheet.write_number(row, 3, f / 7.0).unwrap();
            let d = rust_xlsxwriter::ExcelDateTime::from_ymd(2020, 1, 1 + (i % 28) as u8).unwrap();
            sheet.write_datetime_with_format(row, 4, &d, &date).unwrap();
            let t = rust_xlsxwriter::ExcelDateTime::from_ymd(2024, 2, 29)
                .unwrap()
                .and_hms((i % 24) as u16, i as u8, 30)
                .unwrap();
            sheet
                .write_datetime_with_format(row, 5, &t, &datetime)
                .unwrap();
            sheet.write_boolean(row, 6, i % 2 == 0).unwrap();
            sheet
                .write_number_with_format(row, 7, f * 1.25e9, &money)
                .unwrap();
        }
        let bytes = book.save_to_buffer().unwrap();
        let (_, csv) = convert(&bytes);
        let mut xlsx = calamine::Xlsx::new(Cursor::new(bytes)).unwrap();
        let range = xlsx.worksheet_range_at(0).unwrap().unwrap();
        let expected: Vec<Vec<String>> = range
            .rows()
            .map(|r| r.iter().map(calamine_text).collect())
            .collect();
        assert_eq!(records(&csv), expected);
    }

    #[test]
    fn a_part_over_the_size_limit_fails_cleanly() {
        // About 24 MiB of XML that deflates to a few dozen KiB.
        let data = "<row/>".repeat(4 << 20);
        let bytes = handmade(&[sheet("Sheet1", &data)], None, None, &[]);
        assert!(bytes.len() < 1 << 20, "{}", bytes.len());
        let limits = SheetLimits {
            max_xml_bytes: 8 << 20,
            ..SheetLimits::default()
        };
        let (result, _) = convert_with(&bytes, &limits);
        let err = result.unwrap_err();
        assert!(
            matches!(&err, SourceError::PartTooLarge { part, max_mib: 8 } if part == "工作表「Sheet1」"),
            "{err:?}"
        );
        assert!(err.to_string().contains("压缩炸弹"));
        // Parts under their own limit, over the limit for all parts together (the data sheet
        // is read twice).
        let data = format!(
            r#"<row r="1">{}</row>{}"#,
            inline("A1", "a"),
            "<row/>".repeat(1 << 20)
        );
        let bytes = handmade(
            &[sheet("Sheet1", &data), sheet("Sheet2", &data)],
            None,
            None,
            &[],
        );
        let limits = SheetLimits {
            max_total_xml_bytes: 12 << 20,
            ..SheetLimits::default()
        };
        let (result, _) = convert_with(&bytes, &limits);
        assert!(
            matches!(result, Err(SourceError::WorkbookTooLarge { max_mib: 12 })),
            "{result:?}"
        );
        // A shared string table over its limit.
        let shared = "<si><t>一二三四五六七八九十</t></si>".repeat(100);
        let data = r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#;
        let bytes = handmade(&[sheet("Sheet1", data)], Some(&shared), None, &[]);
        let limits = SheetLimits {
            max_shared_strings_bytes: 1000,
            ..SheetLimits::default()
        };
        let (result, _) = convert_with(&bytes, &limits);
        assert!(
            matches!(result, Err(SourceError::SharedStringsTooLarge { .. })),
            "{result:?}"
        );
        let (report, csv) = convert(&bytes);
        assert_eq!((report.rows, csv.as_str()), (1, "一二三四五六七八九十\n"));
    }

    #[test]
    fn oversized_text_and_deep_nesting_fail_cleanly() {
        // One text run far past the per-event budget: refused while it is being read.
        let huge = "x".repeat(3 << 20);
        let data = format!(r#"<row r="1">{}</row>"#, inline("A1", &huge));
        let bytes = handmade(&[sheet("Sheet1", &data)], None, None, &[]);
        let (result, _) = convert_with(&bytes, &SheetLimits::default());
        assert!(
            matches!(&result, Err(SourceError::Spreadsheet(m)) if m.contains("过长")),
            "{result:?}"
        );
        // A cell over max_cell_bytes, in pieces.
        let long = "长".repeat(5000) + "&amp;" + &"长".repeat(7000);
        let data = format!(r#"<row r="1">{}</row>"#, inline("C1", &long));
        let bytes = handmade(&[sheet("Sheet1", &data)], None, None, &[]);
        let (result, _) = convert_with(&bytes, &SheetLimits::default());
        assert!(
            matches!(&result, Err(SourceError::CellTooLong { cell, .. }) if cell == "C1"),
            "{result:?}"
        );
        // Deep nesting.
        let data = format!(
            r#"<row r="1">{}{}</row>"#,
            "<x>".repeat(200),
            "</x>".repeat(200)
        );
        let bytes = handmade(&[sheet("Sheet1", &data)], None, None, &[]);
        let (result, _) = convert_with(&bytes, &SheetLimits::default());
        assert!(
            matches!(&result, Err(SourceError::Spreadsheet(m)) if m.contains("嵌套")),
            "{result:?}"
        );
        // Too many cells.
        let data = format!(
            r#"<row r="1">{}{}</row><row r="2"><c/><c/></row>"#,
            inline("A1", "a"),
            inline("B1", "b")
        );
        let bytes = handmade(&[sheet("Sheet1", &data)], None, None, &[]);
        let limits = SheetLimits {
            max_cells: 3,
            ..SheetLimits::default()
        };
        let (result, _) = convert_with(&bytes, &limits);
        assert!(
            matches!(result, Err(SourceError::TooManyCells { max: 3, .. })),
            "{result:?}"
        );
    }

    #[test]
    fn repeated_shared_text_counts_against_the_text_limit() {
        // One long shared string referenced by many cells, in the data sheet and in another.
        let shared = format!("<si><t>{}</t></si>", "文".repeat(1000));
        let row = |r: u32| format!(r#"<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>"#);
        let many: String = (1..=400).map(row).collect();
        let limits = SheetLimits {
            max_text_bytes: 1 << 20,
            ..SheetLimits::default()
        };
        for sheets in [
            vec![sheet("Sheet1", &many)],
            vec![sheet("Sheet1", &row(1)), sheet("Sheet2", &many)],
        ] {
            let bytes = handmade(&sheets, Some(&shared), None, &[]);
            let (result, _) = convert_with(&bytes, &limits);
            assert!(
                matches!(result, Err(SourceError::TooMuchText { max_mib: 1 })),
                "{result:?}"
            );
            assert!(convert_with(&bytes, &SheetLimits::default()).0.is_ok());
        }
        // Separators count too: wide rows with two cells each.
        let wide: String = (1..=700)
            .map(|r| {
                format!(
                    r#"<row r="{r}">{}{}</row>"#,
                    inline(&format!("A{r}"), "a"),
                    inline(&format!("ALL{r}"), "b")
                )
            })
            .collect();
        let bytes = handmade(&[sheet("Sheet1", &wide)], None, None, &[]);
        let (result, _) = convert_with(
            &bytes,
            &SheetLimits {
                max_text_bytes: 600_000,
                ..SheetLimits::default()
            },
        );
        assert!(
            matches!(result, Err(SourceError::TooMuchText { .. })),
            "{result:?}"
        );
        let (report, csv) = convert(&bytes);
        assert_eq!(report.rows, 700);
        assert_eq!(csv.len(), 700 * 1002);
    }

    #[test]
    fn broken_archives_fail_cleanly() {
        let (result, _) = convert_with(b"PK\x03\x04 not really a zip", &SheetLimits::default());
        assert!(
            matches!(result, Err(SourceError::Spreadsheet(_))),
            "{result:?}"
        );
        // A ZIP64 locator anywhere is refused before the archive is opened.
        let mut locator = b"PK\x06\x07".to_vec();
        locator.extend([0u8; 16]);
        locator.extend(b"PK\x05\x06");
        let data = format!(r#"<row r="1">{}</row>"#, inline("A1", "a"));
        let bytes = handmade(
            &[sheet("Sheet1", &data)],
            None,
            None,
            &[("junk.bin", &locator)],
        );
        let (result, _) = convert_with(&bytes, &SheetLimits::default());
        assert!(
            matches!(&result, Err(SourceError::Spreadsheet(m)) if m.contains("ZIP64")),
            "{result:?}"
        );
        // A shared string index past the table.
        let data = r#"<row r="1"><c r="A1" t="s"><v>7</v></c></row>"#;
        let bytes = handmade(
            &[sheet("Sheet1", data)],
            Some("<si><t>a</t></si>"),
            None,
            &[],
        );
        let (result, _) = convert_with(&bytes, &SheetLimits::default());
        assert!(
            matches!(&result, Err(SourceError::Spreadsheet(m)) if m.contains("A1")),
            "{result:?}"
        );
        // A ZIP that is not a workbook.
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        zip.start_file("content.xml", SimpleFileOptions::default())
            .unwrap();
        zip.write_all(b"<office:document/>").unwrap();
        let bytes = zip.finish().unwrap().into_inner();
        let (result, _) = convert_with(&bytes, &SheetLimits::default());
        assert!(
            matches!(&result, Err(SourceError::Spreadsheet(m)) if m.contains("不是 Excel 工作簿")),
            "{result:?}"
        );
        // An empty data sheet.
        let bytes = handmade(
            &[sheet("Sheet1", r#"<row r="1"><c r="A1"/></row>"#)],
            None,
            None,
            &[],
        );
        let (result, _) = convert_with(&bytes, &SheetLimits::default());
        assert!(matches!(result, Err(SourceError::Empty)), "{result:?}");
    }

    #[test]
    fn xls_is_refused_and_the_old_signature_still_works() {
        let dir = tempfile::tempdir().unwrap();
        let (src, out) = (dir.path().join("in.xls"), dir.path().join("out.csv"));
        std::fs::write(&src, [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]).unwrap();
        let err = convert_spreadsheet(SourceFormat::Xls, &src, &out, &SheetLimits::default())
            .unwrap_err();
        assert!(matches!(err, SourceError::XlsUnsupported));
        assert!(
            err.to_string()
                .contains("请将 .xls 文件另存为 .xlsx 或 CSV 后上传")
        );
        let data = format!(
            r#"<row r="1">{}</row><row r="2"><c r="A2"><v>3</v></c></row>"#,
            inline("A1", "n")
        );
        std::fs::write(&src, handmade(&[sheet("Sheet1", &data)], None, None, &[])).unwrap();
        assert_eq!(
            spreadsheet_to_csv(SourceFormat::Xlsx, &src, &out).unwrap(),
            2
        );
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "n\n3\n");
    }

    #[test]
    fn format_codes_are_classified() {
        use NumKind::*;
        for (code, kind) in [
            ("General", Plain),
            ("0.00", Plain),
            ("#,##0.00", Plain),
            ("0.00E+00", Plain),
            ("@", Plain),
            ("\"¥\"#,##0.00;[Red]\\-\"¥\"#,##0.00", Plain),
            ("0\" 元\"", Plain),
            ("\"Y: \"0.00\"m\";\"Y: \"-0.00\"m\"", Plain),
            ("\\Y000000", Plain),
            ("yyyy-mm-dd", Date),
            ("yyyy\\-mm\\-dd", Date),
            ("DD/MM/YY", Date),
            ("mmm", Date),
            ("[$-804]yyyy\"年\"m\"月\"d\"日\";@", Date),
            ("[DBNum1][$-804]m\"月\"d\"日\"", Date),
            ("yyyy-mm-dd hh:mm:ss", Date),
            ("h:mm", Time),
            ("H:MM:SS;@", Time),
            ("h:mm AM/PM", Time),
            ("mm:ss.0", Time),
            ("[h]:mm:ss", Duration),
            ("[mm]:ss", Duration),
            ("[Red][h]:mm", Duration),
            ("[Red]0.00", Plain),
        ] {
            assert_eq!(classify_format(code), kind, "{code}");
        }
        assert_eq!(builtin_kind(14), Date);
        assert_eq!(builtin_kind(31), Date);
        assert_eq!(builtin_kind(20), Time);
        assert_eq!(builtin_kind(46), Duration);
        assert_eq!(builtin_kind(49), Plain);
    }

    #[test]
    fn serials_become_dates() {
        let text = |serial: f64, kind: NumKind, date1904: bool| {
            let mut s = String::new();
            write_serial(serial, kind, date1904, &mut s).then_some(s)
        };
        let date = |serial| text(serial, NumKind::Date, false);
        assert_eq!(date(46022.0).as_deref(), Some("2025-12-31"));
        assert_eq!(date(1.0).as_deref(), Some("1900-01-01"));
        assert_eq!(date(59.0).as_deref(), Some("1900-02-28"));
        // Serial 60 is Excel's fictitious 1900-02-29; it shows as calamine showed it.
        assert_eq!(date(60.0).as_deref(), Some("1900-02-28"));
        assert_eq!(date(61.0).as_deref(), Some("1900-03-01"));
        assert_eq!(date(45351.75).as_deref(), Some("2024-02-29 18:00:00"));
        assert_eq!(date(2_958_465.0).as_deref(), Some("9999-12-31"));
        assert_eq!(date(2_958_466.0), None);
        assert_eq!(date(-1.0), None);
        assert_eq!(date(f64::NAN), None);
        assert_eq!(
            text(0.0, NumKind::Date, true).as_deref(),
            Some("1904-01-01")
        );
        assert_eq!(
            text(44560.0, NumKind::Date, true).as_deref(),
            Some("2025-12-31")
        );
        assert_eq!(text(0.5, NumKind::Time, false).as_deref(), Some("12:00:00"));
        assert_eq!(
            text(1.5, NumKind::Time, false).as_deref(),
            Some("1900-01-01 12:00:00")
        );
        assert_eq!(
            text(1.0 / 86400.0 * 3661.0, NumKind::Duration, false).as_deref(),
            Some("1:01:01")
        );
        assert_eq!(
            text(-0.5, NumKind::Duration, false).as_deref(),
            Some("-12:00:00")
        );
    }

    #[test]
    fn references_and_escapes() {
        assert_eq!(parse_ref(b"A1"), Some((0, 0)));
        assert_eq!(parse_ref(b"XFD1048576"), Some((1_048_575, 16_383)));
        assert_eq!(parse_ref(b"ab12"), Some((11, 27)));
        for bad in [&b""[..], b"A", b"1", b"A0", b"ABCD1", b"A12345678", b"A1B"] {
            assert_eq!(parse_ref(bad), None, "{bad:?}");
        }
        for (row, col) in [
            (0, 0),
            (9, 25),
            (0, 26),
            (1_048_575, 16_383),
            (4, 701),
            (4, 702),
        ] {
            let r = cell_ref(row, col);
            assert_eq!(parse_ref(r.as_bytes()), Some((row, col)), "{r}");
        }
        assert_eq!(cell_ref(0, 16_383), "XFD1");
        assert_eq!(unescape_ooxml("a_x000D__x000A_b"), "a\r\nb");
        assert_eq!(unescape_ooxml("_x005F_x000D_"), "_x000D_");
        assert_eq!(unescape_ooxml("_xD800_ _x12_ x_"), "_xD800_ _x12_ x_");
        assert_eq!(
            resolve_target("xl/", "worksheets/sheet1.xml"),
            "xl/worksheets/sheet1.xml"
        );
        assert_eq!(
            resolve_target("xl/", "/xl/worksheets/sheet1.xml"),
            "xl/worksheets/sheet1.xml"
        );
        assert_eq!(resolve_target("xl/", "../xl/./sheet.xml"), "xl/sheet.xml");
        assert_eq!(rels_of("xl/workbook.xml"), "xl/_rels/workbook.xml.rels");
        let mut s = String::new();
        for v in [
            "340102198501011234",
            "-0",
            "80.5",
            "1.5E+3",
            "1e20",
            "0.1",
            "abc",
            "inf",
        ] {
            write_number(v, &mut s);
            s.push('|');
        }
        assert_eq!(
            s,
            "340102198501011234|-0|80.5|1500|100000000000000000000|0.1|abc|inf|"
        );
    }
}
