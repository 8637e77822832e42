//! Bounded CSV reading: the csv crate grows a record's buffer as far as the input asks, so a
//! single 300 MB cell became 300 MB (and more) of memory, and its min/max and preview were
//! copied into every later page. [`RecordGuard`] sits under the CSV reader, follows the quoting
//! as the parser does, and stops the read with a clear message at the first field or record
//! longer than the limits.

use std::io::{self, Read};

/// Limits on one CSV field and one record (line), in bytes of UTF-8.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsvLimits {
    pub max_field_bytes: usize,
    pub max_record_bytes: usize,
}

impl Default for CsvLimits {
    fn default() -> Self {
        Self {
            max_field_bytes: 128 * 1024,
            max_record_bytes: 1024 * 1024,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    FieldStart,
    Unquoted,
    Quoted,
    /// A quote inside a quoted field: an escaped quote if another follows, else its end.
    QuoteInQuoted,
}

/// What stopped the read: carried inside the `io::Error` the CSV reader reports.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct TooLong {
    /// 1-based record (line) of the file where it happened.
    pub line: u64,
    pub message: String,
}

fn size(n: usize) -> String {
    if n >= 1024 * 1024 && n.is_multiple_of(1024 * 1024) {
        format!("{} MiB", n / (1024 * 1024))
    } else if n >= 1024 && n.is_multiple_of(1024) {
        format!("{} KiB", n / 1024)
    } else {
        format!("{n} 字节")
    }
}

/// A reader that fails at the first field or record over its limits.
pub struct RecordGuard<R> {
    inner: R,
    delimiter: u8,
    limits: CsvLimits,
    state: State,
    field: usize,
    record: usize,
    line: u64,
}

impl<R: Read> RecordGuard<R> {
    pub fn new(inner: R, delimiter: u8, limits: CsvLimits) -> Self {
        Self {
            inner,
            delimiter,
            limits,
            state: State::FieldStart,
            field: 0,
            record: 0,
            line: 1,
        }
    }

    fn end_record(&mut self) {
        self.state = State::FieldStart;
        self.field = 0;
        self.record = 0;
        self.line += 1;
    }

    fn end_field(&mut self) {
        self.state = State::FieldStart;
        self.field = 0;
    }

    fn check(&mut self, bytes: &[u8]) -> io::Result<()> {
        for &b in bytes {
            match (self.state, b) {
                (State::FieldStart, b'"') => self.state = State::Quoted,
                (State::FieldStart | State::Unquoted | State::QuoteInQuoted, b'\n') => {
                    self.end_record();
                    continue;
                }
                (State::FieldStart | State::Unquoted | State::QuoteInQuoted, d)
                    if d == self.delimiter =>
                {
                    self.end_field();
                    self.record += 1;
                    continue;
                }
                (State::FieldStart, _) => self.state = State::Unquoted,
                (State::Unquoted, _) => {}
                (State::Quoted, b'"') => self.state = State::QuoteInQuoted,
                (State::Quoted, _) => {}
                (State::QuoteInQuoted, b'"') => self.state = State::Quoted,
                (State::QuoteInQuoted, _) => self.state = State::Unquoted,
            }
            self.field += 1;
            self.record += 1;
            if self.field > self.limits.max_field_bytes {
                return Err(self.too_long(format!(
                    "第 {} 行有一个字段超过 {}，平台不接收这样长的单元格（可能是未闭合的引号，或把整个文件放进了一个单元格）；请检查该行后重新上传",
                    self.line,
                    size(self.limits.max_field_bytes)
                )));
            }
            if self.record > self.limits.max_record_bytes {
                return Err(self.too_long(format!(
                    "第 {} 行超过 {}，平台不接收这样长的行；请检查该行后重新上传",
                    self.line,
                    size(self.limits.max_record_bytes)
                )));
            }
        }
        Ok(())
    }

    fn too_long(&self, message: String) -> io::Error {
        io::Error::new(
            io::ErrorKind::InvalidData,
            TooLong {
                line: self.line,
                message,
            },
        )
    }
}

impl<R: Read> Read for RecordGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.check(&buf[..n])?;
        Ok(n)
    }
}

/// The guard's message, when `e` (or the error inside it) is one.
pub fn too_long(e: &io::Error) -> Option<&TooLong> {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<TooLong>())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(input: &[u8], limits: CsvLimits) -> Result<usize, io::Error> {
        let mut g = RecordGuard::new(input, b',', limits);
        let mut out = Vec::new();
        g.read_to_end(&mut out)
    }

    const SMALL: CsvLimits = CsvLimits {
        max_field_bytes: 8,
        max_record_bytes: 20,
    };

    #[test]
    fn follows_quotes_as_the_parser_does() {
        assert!(read_all(b"a,b\n12345678,12345678\n", SMALL).is_ok());
        // Newlines and delimiters inside quotes belong to the field.
        assert!(read_all(b"\"a\nb\",c\n", SMALL).is_ok());
        let e = read_all(b"x\n\"1234,5678,9\"\n", SMALL).unwrap_err();
        assert_eq!(too_long(&e).unwrap().line, 2);
        // An escaped quote stays inside the field; a stray quote mid-field is a character.
        assert!(read_all(b"\"a\"\"b\",c\nab\"c,d\n", SMALL).is_ok());
        // Records are counted too.
        let e = read_all(b"a,b\n1234567,1234567,1234567\n", SMALL).unwrap_err();
        let t = too_long(&e).unwrap();
        assert_eq!(t.line, 2);
        assert!(t.message.contains("第 2 行超过 20 字节"), "{}", t.message);
    }

    #[test]
    fn a_huge_cell_stops_at_the_limit_without_reading_on() {
        // An endless unquoted cell: the read stops after the limit, not at the end of input.
        let endless = std::io::repeat(b'x').take(u64::MAX);
        let mut g = RecordGuard::new(endless, b',', CsvLimits::default());
        let mut buf = vec![0u8; 64 * 1024];
        let mut total = 0usize;
        let err = loop {
            match g.read(&mut buf) {
                Ok(n) => total += n,
                Err(e) => break e,
            }
        };
        assert!(total <= CsvLimits::default().max_field_bytes + buf.len());
        assert!(too_long(&err).unwrap().message.contains("128 KiB"));
    }
}
