//! The shape of the demo catalog's source data. The content lives in `data/*.toml` (embedded in
//! the binary and read once with these types, which refuse unknown keys); `mod.rs` expands it
//! deterministically into rows and CSV files.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::domain::UpdateFrequency;

/// A providing department. Its level comes from its region code.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeptSeed {
    pub slug: String,
    pub name: String,
    /// GB/T 2260 code of the region it serves, e.g. `340100` for 合肥市.
    pub region: String,
    /// Slug of the department above it (guiding provincial department, or the city's data bureau).
    #[serde(default)]
    pub parent: Option<String>,
    pub description: String,
    /// Its English name and description.
    pub name_en: String,
    pub description_en: String,
    /// Its systems export GBK-encoded CSV files, as many departments' still do.
    pub sends_gbk: bool,
}

/// Who publishes a dataset template, and so how many datasets it becomes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Once, by this department (slug). The title is prefixed with the department's region name.
    Dept(String),
    /// Once per year in `from..=to`, by this department; the title is prefixed with `{year}年`
    /// and the region name, e.g. `2023年安徽省…`.
    DeptYears(String, u16, u16),
    /// Once by every city in the demo: the city's department whose slug ends with `-{suffix}`
    /// (e.g. `hefei-transport` for `"transport"`) when there is one, else the city's data
    /// bureau `{city}-data`. The title is prefixed with the city name.
    Cities(String),
    /// Once by every county-level data bureau; the title is prefixed with the county name.
    Counties,
}

/// How a dataset is opened, with the legal text the law requires for the restrictive classes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(rename_all = "snake_case")]
pub enum ClassSeed {
    Open,
    Conditional {
        conditions: String,
        legal_basis: String,
    },
    Closed {
        legal_basis: String,
    },
}

/// Field types of the data dictionary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    String,
    Integer,
    Decimal,
    Date,
    DateTime,
    Boolean,
}

impl FieldType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::String => "string",
            Self::Integer => "integer",
            Self::Decimal => "decimal",
            Self::Date => "date",
            Self::DateTime => "datetime",
            Self::Boolean => "boolean",
        }
    }
}

/// How the demo generates a column's values when the dataset has a real CSV file.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gen {
    /// Prefix followed by the zero-padded row number: `Serial("XL")` gives `XL000001`.
    Serial(String),
    /// One of these values.
    Pick(Vec<String>),
    /// An integer in `min..=max`.
    Int(i64, i64),
    /// A decimal in `min..=max` with this many decimals.
    Dec(f64, f64, u8),
    /// A date (`YYYY-MM-DD`) between the two dates.
    Date(String, String),
    /// A timestamp (`YYYY-MM-DD HH:MM:SS`) between the two dates.
    DateTime(String, String),
    /// A time of day `HH:MM` between the two hours.
    Time(u8, u8),
    /// A Chinese personal name (masked when the field is masked).
    Person,
    /// An 11-digit mobile number (masked when the field is masked).
    Mobile,
    /// An office landline in the dataset's region, e.g. `0551-62781234`.
    Phone,
    /// A company name in the dataset's region, e.g. `合肥恒信电子科技有限公司`.
    Company,
    /// A valid unified social credit code.
    CreditCode,
    /// A street address in the dataset's region.
    Address,
    /// A county-level district name of the dataset's region.
    District,
    /// A road name.
    Road,
    /// Longitude / latitude inside the dataset's region.
    Lon,
    Lat,
    /// `prefix + one of parts + suffix`, e.g. `Compose("", &["阳光","育才"], "小学")`.
    Compose(String, Vec<String>, String),
    /// A boolean written as `是` / `否`.
    YesNo,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSeed {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: FieldType,
    pub description: String,
    #[serde(default)]
    pub unit: Option<String>,
    /// The column holds masked personal data (e.g. `张**`, `138****5678`).
    #[serde(default)]
    pub masked: bool,
    pub generate: Gen,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatasetSeed {
    /// Theme slug (one of the 21 in the `themes` table).
    pub theme: String,
    /// Title without the region prefix, e.g. `公交线路信息`.
    pub title: String,
    /// English slug stem, lower-case words joined by `-`, e.g. `bus-routes`. The dataset slug
    /// becomes `{department-slug}-{stem}` (plus `-{year}` for yearly datasets).
    pub slug: String,
    /// One or two sentences; `{region}` is replaced by the region name.
    pub summary: String,
    /// The English title without the region (`bus stops and lines`, which becomes
    /// `Hefei bus stops and lines`) and summary (`{region}` replaced by the English name).
    #[serde(default)]
    pub title_en: Option<String>,
    #[serde(default)]
    pub summary_en: Option<String>,
    pub keywords: Vec<String>,
    pub frequency: UpdateFrequency,
    pub formats: Vec<String>,
    pub class: ClassSeed,
    /// Close to people's livelihood (priority opening).
    pub priority: bool,
    pub scope: Scope,
    pub fields: Vec<FieldSeed>,
    /// Some(n): every dataset made from this template gets a real CSV file of about n rows.
    #[serde(default)]
    pub rows: Option<u32>,
}

/// The demo's departments and dataset templates, as embedded.
#[derive(Debug)]
pub struct Catalog {
    pub departments: Vec<DeptSeed>,
    /// Livelihood, then economy, then environment: the order datasets are numbered in.
    pub datasets: Vec<DatasetSeed>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DepartmentsFile {
    department: Vec<DeptSeed>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DatasetsFile {
    dataset: Vec<DatasetSeed>,
}

const DEPARTMENTS: &str = include_str!("data/departments.toml");
const DATASETS: [(&str, &str); 3] = [
    (
        "datasets_livelihood.toml",
        include_str!("data/datasets_livelihood.toml"),
    ),
    (
        "datasets_economy.toml",
        include_str!("data/datasets_economy.toml"),
    ),
    (
        "datasets_environment.toml",
        include_str!("data/datasets_environment.toml"),
    ),
];

fn parse() -> Result<Catalog, String> {
    let departments = toml::from_str::<DepartmentsFile>(DEPARTMENTS)
        .map_err(|e| format!("departments.toml: {e}"))?
        .department;
    let mut datasets = Vec::new();
    for (name, text) in DATASETS {
        let file: DatasetsFile = toml::from_str(text).map_err(|e| format!("{name}: {e}"))?;
        datasets.extend(file.dataset);
    }
    Ok(Catalog {
        departments,
        datasets,
    })
}

/// The embedded catalog, read on first use.
pub fn catalog() -> Result<&'static Catalog, String> {
    static CATALOG: OnceLock<Result<Catalog, String>> = OnceLock::new();
    CATALOG.get_or_init(parse).as_ref().map_err(Clone::clone)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_files_are_read_whole() {
        let c = catalog().expect("the embedded demo data parses");
        assert_eq!(c.departments.len(), 37);
        assert!(c.datasets.len() > 100, "{}", c.datasets.len());
        let slugs: std::collections::HashSet<&str> =
            c.departments.iter().map(|d| d.slug.as_str()).collect();
        for d in &c.departments {
            if let Some(p) = &d.parent {
                assert!(slugs.contains(p.as_str()), "{}: unknown parent {p}", d.slug);
            }
        }
    }

    #[test]
    fn unknown_keys_are_refused_by_name() {
        let text = r#"[[department]]
slug = "x"
name = "某部门"
region = "340000"
description = ""
name_en = ""
description_en = ""
sends_gbk = false
colour = "red"
"#;
        let e = toml::from_str::<DepartmentsFile>(text)
            .err()
            .expect("an unknown key is an error");
        assert!(e.to_string().contains("colour"), "{e}");
        let typo = "[[dataset]]\ntheme = \"x\"\ntitel = \"y\"\n";
        let e = toml::from_str::<DatasetsFile>(typo)
            .err()
            .expect("a misspelt key is an error");
        assert!(e.to_string().contains("titel"), "{e}");
    }
}
