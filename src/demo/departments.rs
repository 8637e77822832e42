//! The cities of the demo. The departments themselves (the province's data authority and
//! providing departments, eight cities' data bureaus and a few city bureaus, four county-level
//! data bureaus, with real GB/T 2260 region codes) are in `data/departments.toml`.

/// The cities of the demo: (slug prefix, region code).
pub const CITIES: [(&str, &str); 8] = [
    ("hefei", "340100"),
    ("wuhu", "340200"),
    ("bengbu", "340300"),
    ("maanshan", "340500"),
    ("anqing", "340800"),
    ("huangshan", "341000"),
    ("chuzhou", "341100"),
    ("fuyang", "341200"),
];
