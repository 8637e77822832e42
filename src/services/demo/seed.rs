//! The shape of the demo catalog's source data. The content lives in `departments.rs` and
//! `datasets.rs`; `mod.rs` expands it deterministically into rows and CSV files.

use crate::domain::UpdateFrequency;

/// A providing department. Its level comes from its region code.
#[derive(Debug)]
pub struct DeptSeed {
    pub slug: &'static str,
    pub name: &'static str,
    /// GB/T 2260 code of the region it serves, e.g. `340100` for 合肥市.
    pub region: &'static str,
    /// Slug of the department above it (guiding provincial department, or the city's data bureau).
    pub parent: Option<&'static str>,
    pub description: &'static str,
    /// Its systems export GBK-encoded CSV files, as many departments' still do.
    pub sends_gbk: bool,
}

/// Who publishes a dataset template, and so how many datasets it becomes.
#[derive(Debug)]
pub enum Scope {
    /// Once, by this department (slug). The title is prefixed with the department's region name.
    Dept(&'static str),
    /// Once per year in `from..=to`, by this department; the title is prefixed with `{year}年`
    /// and the region name, e.g. `2023年安徽省…`.
    DeptYears(&'static str, u16, u16),
    /// Once by every city in the demo: the city's department whose slug ends with `-{suffix}`
    /// (e.g. `hefei-transport` for `"transport"`) when there is one, else the city's data
    /// bureau `{city}-data`. The title is prefixed with the city name.
    Cities(&'static str),
    /// Once by every county-level data bureau; the title is prefixed with the county name.
    Counties,
}

/// How a dataset is opened, with the legal text the law requires for the restrictive classes.
#[derive(Debug)]
pub enum ClassSeed {
    Open,
    Conditional {
        conditions: &'static str,
        legal_basis: &'static str,
    },
    Closed {
        legal_basis: &'static str,
    },
}

/// Field types of the data dictionary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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
#[derive(Clone, Copy, Debug)]
pub enum Gen {
    /// Prefix followed by the zero-padded row number: `Serial("XL")` gives `XL000001`.
    Serial(&'static str),
    /// One of these values.
    Pick(&'static [&'static str]),
    /// An integer in `min..=max`.
    Int(i64, i64),
    /// A decimal in `min..=max` with this many decimals.
    Dec(f64, f64, u8),
    /// A date (`YYYY-MM-DD`) between the two dates.
    Date(&'static str, &'static str),
    /// A timestamp (`YYYY-MM-DD HH:MM:SS`) between the two dates.
    DateTime(&'static str, &'static str),
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
    Compose(&'static str, &'static [&'static str], &'static str),
    /// A boolean written as `是` / `否`.
    YesNo,
}

#[derive(Debug)]
pub struct FieldSeed {
    pub name: &'static str,
    pub ty: FieldType,
    pub description: &'static str,
    pub unit: Option<&'static str>,
    /// The column holds masked personal data (e.g. `张**`, `138****5678`).
    pub masked: bool,
    pub generate: Gen,
}

#[derive(Debug)]
pub struct DatasetSeed {
    /// Theme slug (one of the 21 in the `themes` table).
    pub theme: &'static str,
    /// Title without the region prefix, e.g. `公交线路信息`.
    pub title: &'static str,
    /// English slug stem, lower-case words joined by `-`, e.g. `bus-routes`. The dataset slug
    /// becomes `{department-slug}-{stem}` (plus `-{year}` for yearly datasets).
    pub slug: &'static str,
    /// One or two sentences; `{region}` is replaced by the region name.
    pub summary: &'static str,
    pub keywords: &'static [&'static str],
    pub frequency: UpdateFrequency,
    pub formats: &'static [&'static str],
    pub class: ClassSeed,
    /// Close to people's livelihood (priority opening).
    pub priority: bool,
    pub scope: Scope,
    pub fields: &'static [FieldSeed],
    /// Some(n): every dataset made from this template gets a real CSV file of about n rows.
    pub rows: Option<u32>,
}

/// Shorthand for a field in the seed tables.
pub const fn field(
    name: &'static str,
    ty: FieldType,
    description: &'static str,
    unit: Option<&'static str>,
    generate: Gen,
) -> FieldSeed {
    FieldSeed {
        name,
        ty,
        description,
        unit,
        masked: false,
        generate,
    }
}

/// A field holding masked personal data.
pub const fn masked(
    name: &'static str,
    ty: FieldType,
    description: &'static str,
    generate: Gen,
) -> FieldSeed {
    FieldSeed {
        name,
        ty,
        description,
        unit: None,
        masked: true,
        generate,
    }
}

/// Legal citations used by more than one part of the demo catalog.
pub mod legal {
    /// Conditional opening of government data under the data-security law and Art. 37.
    pub const DATA_SECURITY: &str =
        "《中华人民共和国数据安全法》第三十八条；《安徽省政务数据资源管理办法》第三十七条";
    /// Trade secrets: closed.
    pub const TRADE_SECRET: &str =
        "《中华人民共和国反不正当竞争法》第九条；《中华人民共和国政府信息公开条例》第十五条";
    /// Statistical data on individual respondents: conditional, aggregated.
    pub const STATISTICS: &str =
        "《中华人民共和国统计法》第二十五条；《安徽省政务数据资源管理办法》第三十七条";
}
