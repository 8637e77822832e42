//! Streaming a sheet's cells, and the passes over sheets: measuring and writing the data sheet,
//! scanning the others.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufRead, BufWriter};
use std::path::Path;

use quick_xml::events::Event;

use super::numbers::{NumKind, cell_ref, parse_ref, write_number, write_serial};
use super::parts::SharedStrings;
use super::xml::{Xml, append_text, attr_u32, for_each_attr, unescape_ooxml};
use super::{SheetLimits, TextBudget, bad};
use crate::domain::pii::{self, PiiKind};
use crate::services::ingest::source::SourceError;

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
pub(super) struct Cx<'a> {
    pub(super) sst: &'a SharedStrings,
    pub(super) styles: &'a [NumKind],
    pub(super) date1904: bool,
    pub(super) limits: &'a SheetLimits,
    pub(super) sheet: &'a str,
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

/// The columns the data sheet's non-empty cells span, and how many there are.
#[derive(Debug, Clone, Copy)]
pub(super) struct Extent {
    min_col: u32,
    max_col: u32,
    pub(super) cells: u64,
}

/// Pass 1 over the data sheet: checks every non-empty cell against the limits, finds the
/// columns they span (the CSV is as wide as that span, as calamine's range was) and counts the
/// CSV's text, separators included, against the text budget before anything is written.
pub(super) fn measure<R: BufRead>(
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
pub(super) fn write_csv<R: BufRead>(
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
pub(super) fn scan<R: BufRead>(
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
