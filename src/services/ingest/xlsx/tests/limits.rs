//! Limits: oversized parts, text and nesting, broken archives, XLS.

use super::*;

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
