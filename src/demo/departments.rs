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

/// The English name of a region of the demo, as English titles begin (`Hefei bus stops`).
pub fn region_name_en(code: &str) -> &'static str {
    match code {
        "340100" => "Hefei",
        "340200" => "Wuhu",
        "340300" => "Bengbu",
        "340500" => "Ma'anshan",
        "340800" => "Anqing",
        "341000" => "Huangshan",
        "341100" => "Chuzhou",
        "341200" => "Fuyang",
        "340104" => "Shushan District",
        "340111" => "Baohe District",
        "340123" => "Feixi County",
        "340202" => "Jinghu District",
        _ => "Anhui",
    }
}

/// The English title and summary of a dataset of this template, department region and year,
/// when the template has them: `Hefei bus stops and lines`, `Anhui climate bulletin, 2023`.
pub fn english(
    t: &super::seed::DatasetSeed,
    region_code: &str,
    year: Option<u16>,
) -> (Option<String>, Option<String>) {
    let region = region_name_en(region_code);
    let title = t.title_en.as_ref().map(|title| match year {
        Some(y) => format!("{region} {title}, {y}"),
        None => format!("{region} {title}"),
    });
    let summary = t.summary_en.as_ref().map(|s| s.replace("{region}", region));
    (title, summary)
}
