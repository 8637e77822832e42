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
    let err =
        convert_spreadsheet(SourceFormat::Xls, &src, &out, &SheetLimits::default()).unwrap_err();
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
