//! Reading an upload: which format it is, which encoding and delimiter a CSV uses, and a
//! UTF-8 CSV reader over it. Spreadsheets (XLSX, XLS) become a UTF-8 CSV of their first sheet.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;

use calamine::{Data, DataType, Reader};
use encoding_rs::{Encoding, GB18030, UTF_8};
use encoding_rs_io::DecodeReaderBytesBuilder;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceFormat {
    Csv,
    Xlsx,
    Xls,
}

impl SourceFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Xlsx => "xlsx",
            Self::Xls => "xls",
        }
    }
}

/// The format by the file's first bytes (a ZIP is an XLSX, an OLE compound file an XLS).
pub fn sniff_format(head: &[u8]) -> SourceFormat {
    if head.starts_with(b"PK\x03\x04") {
        SourceFormat::Xlsx
    } else if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        SourceFormat::Xls
    } else {
        SourceFormat::Csv
    }
}

/// Why a file cannot be read at all.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("文件为空")]
    Empty,
    #[error("文件不是文本格式的 CSV（含有二进制内容），请上传 CSV、XLSX 或 XLS 文件")]
    Binary,
    #[error("无法读取电子表格：{0}")]
    Spreadsheet(String),
    #[error("电子表格没有工作表")]
    NoSheet,
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// A CSV's encoding from its first bytes: a UTF-8 byte-order mark or valid UTF-8 means UTF-8;
/// anything else is read as GB18030, which also covers GBK and GB2312.
pub fn sniff_encoding(head: &[u8]) -> &'static Encoding {
    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return UTF_8;
    }
    match std::str::from_utf8(head) {
        Ok(_) => UTF_8,
        // A sample cut in the middle of a character is still UTF-8.
        Err(e) if e.error_len().is_none() && e.valid_up_to() + 4 > head.len() => UTF_8,
        Err(_) => GB18030,
    }
}

/// The delimiter whose count per line is the same (and not zero) on the most sample lines;
/// ties prefer the comma.
pub fn sniff_delimiter(sample: &str) -> u8 {
    let lines: Vec<&str> = sample
        .lines()
        .take(20)
        .filter(|l| !l.trim().is_empty())
        .collect();
    let mut best = (b',', 0usize);
    for d in [b',', b'\t', b';'] {
        let counts: Vec<usize> = lines
            .iter()
            .map(|l| l.bytes().filter(|b| *b == d).count())
            .collect();
        let Some(first) = counts.first().copied().filter(|c| *c > 0) else {
            continue;
        };
        let consistent = counts.iter().filter(|c| **c == first).count();
        if consistent > best.1 {
            best = (d, consistent);
        }
    }
    best.0
}

/// Counts the bytes read from the file, for progress.
pub struct Counting<R> {
    inner: R,
    pub read: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// How a CSV is read.
#[derive(Debug, Clone, Copy)]
pub struct CsvShape {
    pub encoding: &'static Encoding,
    pub delimiter: u8,
}

/// Looks at the start of a CSV file: not empty, text, which encoding and delimiter.
pub fn inspect_csv(path: &Path) -> Result<CsvShape, SourceError> {
    let mut head = Vec::with_capacity(64 * 1024);
    File::open(path)?.take(64 * 1024).read_to_end(&mut head)?;
    let body = head.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(&head);
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(SourceError::Empty);
    }
    if head.contains(&0) {
        return Err(SourceError::Binary);
    }
    let encoding = sniff_encoding(&head);
    let (sample, _, _) = encoding.decode(&head);
    Ok(CsvShape {
        encoding,
        delimiter: sniff_delimiter(&sample),
    })
}

/// A CSV reader over the file as UTF-8 (GB18030 is decoded; a byte-order mark is dropped),
/// counting bytes read. UTF-8 input is not copied through a decoder: the CSV reader checks it
/// itself and reports a line with invalid bytes.
pub fn csv_reader(
    path: &Path,
    shape: CsvShape,
    read: Arc<AtomicU64>,
) -> io::Result<csv::Reader<Box<dyn Read + Send>>> {
    let mut file = BufReader::with_capacity(256 * 1024, File::open(path)?);
    let input: Box<dyn Read + Send> = if shape.encoding == UTF_8 {
        if file.fill_buf()?.starts_with(&[0xEF, 0xBB, 0xBF]) {
            file.consume(3);
            read.fetch_add(3, Ordering::Relaxed);
        }
        Box::new(Counting { inner: file, read })
    } else {
        Box::new(
            DecodeReaderBytesBuilder::new()
                .encoding(Some(shape.encoding))
                .bom_override(true)
                .strip_bom(true)
                .build(Counting { inner: file, read }),
        )
    };
    Ok(csv::ReaderBuilder::new()
        .delimiter(shape.delimiter)
        .flexible(true)
        .has_headers(false)
        .buffer_capacity(256 * 1024)
        .from_reader(input))
}

/// Records read ahead on a thread of their own, in chunks, so that parsing overlaps the work
/// done with each record. A read error ends the stream after the records before it.
pub type Chunk = Vec<Result<csv::StringRecord, csv::Error>>;

/// Reads `reader` on a scoped thread; the receiver yields chunks until the end of the file.
/// Dropping the receiver stops the thread at its next chunk.
pub fn read_ahead<'scope, R: Read + Send + 'scope>(
    scope: &'scope std::thread::Scope<'scope, '_>,
    mut reader: csv::Reader<R>,
) -> mpsc::Receiver<Chunk> {
    const CHUNK: usize = 1024;
    let (tx, rx) = mpsc::sync_channel::<Chunk>(8);
    scope.spawn(move || {
        let mut chunk = Vec::with_capacity(CHUNK);
        loop {
            let mut record = csv::StringRecord::new();
            match reader.read_record(&mut record) {
                Ok(true) => chunk.push(Ok(record)),
                Ok(false) => break,
                Err(e) => {
                    chunk.push(Err(e));
                    break;
                }
            }
            if chunk.len() == CHUNK
                && tx
                    .send(std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK)))
                    .is_err()
            {
                return;
            }
        }
        let _ = tx.send(chunk);
    });
    rx
}

fn cell_text(cell: &Data) -> String {
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

/// Writes the first sheet of a spreadsheet to `out` as UTF-8 CSV.
pub fn spreadsheet_to_csv(
    format: SourceFormat,
    source: &Path,
    out: &Path,
) -> Result<u64, SourceError> {
    let file = BufReader::new(File::open(source)?);
    let bad = |e: &dyn std::fmt::Display| SourceError::Spreadsheet(e.to_string());
    let range = match format {
        SourceFormat::Xlsx => {
            let mut book = calamine::Xlsx::new(file).map_err(|e| bad(&e))?;
            book.worksheet_range_at(0)
                .ok_or(SourceError::NoSheet)?
                .map_err(|e| bad(&e))?
        }
        SourceFormat::Xls => {
            let mut book = calamine::Xls::new(file).map_err(|e| bad(&e))?;
            book.worksheet_range_at(0)
                .ok_or(SourceError::NoSheet)?
                .map_err(|e| bad(&e))?
        }
        SourceFormat::Csv => return Err(SourceError::Spreadsheet("not a spreadsheet".into())),
    };
    let mut w = csv::Writer::from_writer(BufWriter::new(File::create(out)?));
    let mut rows = 0u64;
    for row in range.rows() {
        w.write_record(row.iter().map(cell_text))
            .map_err(|e| SourceError::Io(io::Error::other(e)))?;
        rows += 1;
    }
    w.flush()?;
    if rows == 0 {
        return Err(SourceError::Empty);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_formats_encodings_and_delimiters() {
        assert_eq!(sniff_format(b"PK\x03\x04rest"), SourceFormat::Xlsx);
        assert_eq!(sniff_format(b"name,value"), SourceFormat::Csv);
        let (gbk, _, _) = encoding_rs::GBK.encode("线路名称,票价\n1路,2\n");
        assert_eq!(sniff_encoding(&gbk), GB18030);
        assert_eq!(sniff_encoding("线路名称,票价".as_bytes()), UTF_8);
        assert_eq!(sniff_encoding(b"\xEF\xBB\xBFa,b"), UTF_8);
        let cut = &"线路名称".as_bytes()[..5];
        assert_eq!(
            sniff_encoding(cut),
            UTF_8,
            "a character cut at the end of the sample"
        );
        assert_eq!(sniff_delimiter("a,b,c\n1,2,3\n"), b',');
        assert_eq!(sniff_delimiter("a\tb\tc\n1\t2,5\t3\n"), b'\t');
        assert_eq!(sniff_delimiter("a;b\n1;2\n3;4\n"), b';');
        assert_eq!(sniff_delimiter("single\nvalues\n"), b',');
    }
}
