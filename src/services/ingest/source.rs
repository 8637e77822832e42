//! Reading an upload: which format it is, which encoding and delimiter a CSV uses, and a
//! UTF-8 CSV reader over it. An XLSX becomes a UTF-8 CSV of its first worksheet, every other
//! sheet scanned for personal data (see [`super::xlsx`]); an XLS is refused, because its reader
//! (calamine) builds whole sheets in memory from sizes the file declares.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;

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
    #[error(
        "暂不支持旧版 Excel（.xls）文件：请将 .xls 文件另存为 .xlsx 或 CSV 后上传（设置了打开密码的 Excel 文件也会被识别为 .xls，请先取消密码）"
    )]
    XlsUnsupported,
    #[error(
        "工作表「{sheet}」的单元格 {cell} 超出了允许的范围（{limit}）：请删除数据区域以外的单元格，或将数据另存为 CSV 后上传"
    )]
    OutOfRange {
        sheet: String,
        cell: String,
        limit: String,
    },
    #[error(
        "工作表「{sheet}」的单元格 {cell} 的内容超过 {max} 字节：请缩短该单元格的内容后重新上传"
    )]
    CellTooLong {
        sheet: String,
        cell: String,
        max: usize,
    },
    #[error("电子表格中有文本超过 {max} 字节的单元格：请缩短过长的单元格内容后重新上传")]
    SharedStringTooLong { max: usize },
    #[error("工作表「{sheet}」的单元格超过 {max} 个：请拆分为多个文件，或另存为 CSV 后上传")]
    TooManyCells { sheet: String, max: u64 },
    #[error(
        "电子表格中的{part}解压后超过 {max_mib} MiB，文件可能已损坏或是压缩炸弹：请在 Excel 中重新保存，或另存为 CSV 后上传"
    )]
    PartTooLarge { part: String, max_mib: u64 },
    #[error(
        "电子表格解压后的内容合计超过 {max_mib} MiB，文件可能已损坏或是压缩炸弹：请拆分为多个文件，或另存为 CSV 后上传"
    )]
    WorkbookTooLarge { max_mib: u64 },
    #[error("电子表格的共享字符串表超过 {max_mib} MiB：请拆分为多个文件，或另存为 CSV 后上传")]
    SharedStringsTooLarge { max_mib: u64 },
    #[error("工作簿中的工作表超过 {max} 个：请删除不需要的工作表后重新上传")]
    TooManySheets { max: usize },
    #[error("电子表格中的文本展开后超过 {max_mib} MiB：请拆分为多个文件后上传")]
    TooMuchText { max_mib: u64 },
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
    limits: super::guard::CsvLimits,
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
    // No field or record may grow past the limits, whatever the file holds.
    let input: Box<dyn Read + Send> = Box::new(super::guard::RecordGuard::new(
        input,
        shape.delimiter,
        limits,
    ));
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
    // Records are bounded (see `guard`), and so is a chunk: at most this many bytes of them.
    const CHUNK_BYTES: usize = 4 << 20;
    let (tx, rx) = mpsc::sync_channel::<Chunk>(8);
    scope.spawn(move || {
        let mut chunk = Vec::with_capacity(CHUNK);
        let mut bytes = 0usize;
        loop {
            let mut record = csv::StringRecord::new();
            match reader.read_record(&mut record) {
                Ok(true) => {
                    bytes += record.as_byte_record().as_slice().len();
                    chunk.push(Ok(record));
                }
                Ok(false) => break,
                Err(e) => {
                    chunk.push(Err(e));
                    break;
                }
            }
            if chunk.len() == CHUNK || bytes >= CHUNK_BYTES {
                bytes = 0;
                if tx
                    .send(std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK)))
                    .is_err()
                {
                    return;
                }
            }
        }
        let _ = tx.send(chunk);
    });
    rx
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
