//! Number formats, serial dates, cell references and escapes.

use super::*;

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
