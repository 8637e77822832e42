use std::io::{Cursor, Write as _};
use std::time::{Duration, Instant};

use calamine::{Data, DataType as _, Reader as _};
use zip::write::SimpleFileOptions;

use super::numbers::{
    NumKind, builtin_kind, cell_ref, classify_format, parse_ref, write_number, write_serial,
};
use super::parts::{rels_of, resolve_target};
use super::xml::unescape_ooxml;
use super::*;
use crate::services::ingest::source::SourceFormat;

mod limits;
mod units;

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
        rels +=
            &format!(r#"<Relationship Id="rId{n}" Type="{REL_NS}/worksheet" Target="{target}"/>"#);
    }
    if shared.is_some() {
        rels += &format!(
            r#"<Relationship Id="rIdS" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/>"#
        );
    }
    if styles.is_some() {
        rels += &format!(r#"<Relationship Id="rIdT" Type="{REL_NS}/styles" Target="styles.xml"/>"#);
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
        message.contains("工作表「Sheet1」的单元格 XFD1048576 超出了允许的范围（最多 1000 列）"),
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
    assert!(matches!(result, Err(SourceError::OutOfRange { ref cell, .. }) if cell == "A1048577"));
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
