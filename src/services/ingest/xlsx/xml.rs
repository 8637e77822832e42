//! Reading archive parts under limits: capped and budgeted readers, the pull parser with its
//! depth limit, error mapping and attribute/text helpers.

use std::borrow::Cow;
use std::cell::Cell;
use std::fmt;
use std::io::{self, BufRead, Read};
use std::rc::Rc;

use quick_xml::Reader;
use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesStart, Event};

use super::{SheetLimits, bad, mib};
use crate::services::ingest::source::SourceError;

/// Events larger than this (a start tag, a run of text) are refused: enough for any cell text
/// within `max_cell_bytes` and for the longest tags Excel writes.
const MAX_EVENT_EXTRA: usize = 1 << 20;
/// Elements nested deeper than this are refused (the parser keeps every open element's name).
const MAX_DEPTH: u32 = 64;
/// Sheet names and relationship targets longer than this are refused.
const MAX_NAME_BYTES: usize = 2 * 1024;

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
pub(super) struct Capped<R> {
    pub(super) inner: R,
    pub(super) left: u64,
    pub(super) total: Rc<Cell<u64>>,
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
pub(super) struct Xml<R> {
    reader: Reader<Budget<R>>,
    buf: Vec<u8>,
    depth: u32,
    pub(super) part: String,
    max_part: u64,
    max_total: u64,
}

impl<R: BufRead> Xml<R> {
    pub(super) fn new(inner: R, part: impl Into<String>, limits: &SheetLimits) -> Self {
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

    pub(super) fn next(&mut self) -> Result<Event<'_>, SourceError> {
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

    pub(super) fn unexpected_end(&self) -> SourceError {
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
pub(super) fn append_text(
    dst: &mut String,
    event: &Event<'_>,
    part: &str,
) -> Result<(), SourceError> {
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
pub(super) fn for_each_attr(
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

pub(super) fn attr_text(a: &Attribute<'_>, part: &str) -> Result<String, SourceError> {
    if a.value.len() > MAX_NAME_BYTES {
        return Err(bad(format!("{part}中有过长的属性值")));
    }
    let raw = std::str::from_utf8(&a.value)
        .map_err(|e| bad(format!("{part}的 XML 属性不是 UTF-8（{e}）")))?;
    quick_xml::escape::unescape(raw)
        .map(Cow::into_owned)
        .map_err(|e| bad(format!("{part}的 XML 属性有误（{e}）")))
}

pub(super) fn attr_u32(a: &Attribute<'_>) -> Option<u32> {
    std::str::from_utf8(&a.value).ok()?.trim().parse().ok()
}

/// Excel's `_xHHHH_` escapes in string content (`_x000D_` is a carriage return, `_x005F_` an
/// underscore).
pub(super) fn unescape_ooxml(s: &str) -> Cow<'_, str> {
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
