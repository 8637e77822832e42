//! The workbook's structural parts: the sheet list, relationships, styles and shared strings.

use std::collections::HashMap;
use std::io::BufRead;

use quick_xml::events::Event;

use super::numbers::{NumKind, builtin_kind, classify_format};
use super::xml::{Xml, append_text, attr_text, attr_u32, for_each_attr, unescape_ooxml};
use super::{SheetLimits, bad, mib};
use crate::services::ingest::source::SourceError;

/// Relationships in one relationships part, and custom number formats / cell formats in the
/// style part.
const MAX_RELATIONSHIPS: usize = 4_096;
const MAX_NUM_FORMATS: usize = 100_000;
const MAX_CELL_FORMATS: usize = 1_000_000;

pub(super) struct SheetEntry {
    pub(super) name: String,
    pub(super) hidden: bool,
    pub(super) rel_id: String,
}

pub(super) struct Workbook {
    pub(super) sheets: Vec<SheetEntry>,
    pub(super) date1904: bool,
}

pub(super) fn read_workbook<R: BufRead>(
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

pub(super) struct Relationship {
    pub(super) kind: String,
    pub(super) target: String,
    pub(super) external: bool,
}

pub(super) fn read_rels<R: BufRead>(
    xml: &mut Xml<R>,
) -> Result<HashMap<String, Relationship>, SourceError> {
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
pub(super) fn resolve_target(base_dir: &str, target: &str) -> String {
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
pub(super) fn dir_of(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..=i])
}

/// "xl/_rels/workbook.xml.rels" for "xl/workbook.xml".
pub(super) fn rels_of(path: &str) -> String {
    let dir = dir_of(path);
    format!("{dir}_rels/{}.rels", &path[dir.len()..])
}

/// The number kind of each cell format (`cellXfs/xf`), by index.
pub(super) fn read_styles<R: BufRead>(xml: &mut Xml<R>) -> Result<Vec<NumKind>, SourceError> {
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
pub(super) struct SharedStrings {
    text: String,
    ends: Vec<u32>,
}

impl SharedStrings {
    pub(super) fn get(&self, i: usize) -> Option<&str> {
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

pub(super) fn read_shared_strings<R: BufRead>(
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
