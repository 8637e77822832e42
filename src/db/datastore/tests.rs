use super::bulk::iso_text;
use super::*;

#[test]
fn only_generated_names_are_accepted() {
    assert!(checked("ds_v12").is_ok());
    for bad in [
        "ds_v",
        "users",
        "ds_v1; DROP TABLE users",
        "ds_v1 --",
        "DS_V1",
    ] {
        assert!(checked(bad).is_err(), "{bad}");
    }
    assert!(checked_key("c12").is_ok());
    for bad in ["c", "name", "c1)", "c12345"] {
        assert!(checked_key(bad).is_err(), "{bad}");
    }
}

#[test]
fn timestamps_are_written_as_chrono_writes_them() {
    let t = chrono::NaiveDate::from_ymd_opt(2026, 3, 7)
        .unwrap()
        .and_hms_opt(8, 5, 9)
        .unwrap();
    assert_eq!(iso_text(t), t.format("%Y-%m-%d %H:%M:%S").to_string());
    assert_eq!(iso_text(t), "2026-03-07 08:05:09");
}

#[test]
fn like_patterns_escape_wildcards() {
    assert_eq!(like("50%_off"), "%50\\%\\_off%");
}
