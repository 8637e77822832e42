//! What a dataset looks like as submitted ([`DatasetDraft`], from the console form or a JSON
//! body) and the one place it is checked ([`validate`]) before anything touches the database.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::domain::{
    Classification, Format, Keywords, OpenClass, RegionCode, Slug, UpdateFrequency,
};

/// One field of the data dictionary as submitted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FieldDraft {
    pub name: String,
    #[serde(rename = "type")]
    pub data_type: String,
    pub description: String,
    pub unit: String,
    pub masked: bool,
}

/// A dataset's catalog fields as submitted, before validation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DatasetDraft {
    pub title: String,
    pub slug: String,
    pub summary: String,
    pub keywords: Vec<String>,
    pub theme: String,
    pub maintainer: String,
    pub open_class: String,
    pub open_conditions: String,
    pub legal_basis: String,
    pub update_frequency: String,
    pub formats: Vec<String>,
    pub record_count: String,
    pub temporal_start: String,
    pub temporal_end: String,
    pub spatial_coverage: String,
    pub license: String,
    pub priority: bool,
    pub fields: Vec<FieldDraft>,
    /// The English title and summary; empty when there is none.
    pub title_en: String,
    pub summary_en: String,
}

/// Field name → what is wrong with it, in Chinese.
pub type FieldErrors = BTreeMap<String, String>;

/// A validated dataset.
#[derive(Debug, Clone)]
pub struct DatasetInput {
    pub title: String,
    pub slug: Slug,
    pub summary: String,
    pub keywords: Keywords,
    pub theme: Slug,
    pub maintainer: String,
    pub classification: Classification,
    pub frequency: UpdateFrequency,
    pub formats: Vec<Format>,
    pub record_count: i64,
    pub temporal: (Option<NaiveDate>, Option<NaiveDate>),
    pub spatial: RegionCode,
    pub license: String,
    pub priority: bool,
    pub fields: Vec<FieldDraft>,
    pub title_en: Option<String>,
    pub summary_en: Option<String>,
}

pub const FIELD_TYPES: [(&str, &str); 6] = [
    ("string", "字符型"),
    ("integer", "整数型"),
    ("decimal", "数值型"),
    ("date", "日期型"),
    ("datetime", "日期时间型"),
    ("boolean", "布尔型"),
];

fn text(
    errors: &mut FieldErrors,
    key: &str,
    value: &str,
    label: &str,
    min: usize,
    max: usize,
) -> String {
    let v = value.trim();
    let n = v.chars().count();
    if n < min.max(1) {
        errors.insert(key.into(), format!("请填写{label}"));
    } else if n > max {
        errors.insert(key.into(), format!("{label}最长 {max} 个字"));
    } else if n < min {
        errors.insert(key.into(), format!("{label}至少 {min} 个字"));
    }
    v.to_owned()
}

/// An optional text (the English title and summary): nothing when blank, else the same length
/// rules as its Chinese counterpart, and no NUL character (PostgreSQL cannot store one).
fn optional_text(
    errors: &mut FieldErrors,
    key: &str,
    value: &str,
    label: &str,
    min: usize,
    max: usize,
) -> Option<String> {
    if value.contains('\0') {
        errors.insert(key.into(), format!("{label}不能含有 NUL 字符"));
        return None;
    }
    if value.trim().is_empty() {
        return None;
    }
    Some(text(errors, key, value, label, min, max))
}

fn date(errors: &mut FieldErrors, key: &str, value: &str) -> Option<NaiveDate> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    match NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errors.insert(
                key.into(),
                "日期格式应为 YYYY-MM-DD，例如 2024-01-31".into(),
            );
            None
        }
    }
}

/// Parses every field, collecting all problems at once so the form can show them together.
pub fn validate(d: &DatasetDraft) -> Result<DatasetInput, FieldErrors> {
    let mut e = FieldErrors::new();
    let title = text(&mut e, "title", &d.title, "标题", 1, 100);
    let summary = text(&mut e, "summary", &d.summary, "摘要", 10, 2000);
    let title_en = optional_text(&mut e, "title_en", &d.title_en, "英文标题", 1, 100);
    let summary_en = optional_text(&mut e, "summary_en", &d.summary_en, "英文摘要", 10, 2000);
    let maintainer = text(&mut e, "maintainer", &d.maintainer, "维护单位", 1, 100);
    let license = text(&mut e, "license", &d.license, "开放许可", 1, 100);
    let slug = Slug::parse(d.slug.trim())
        .map_err(|err| e.insert("slug".into(), err.to_string()))
        .ok();
    let theme = Slug::parse(d.theme.trim())
        .map_err(|_| e.insert("theme".into(), "请选择主题".into()))
        .ok();
    let keywords = Keywords::parse(&d.keywords.join(","))
        .map_err(|err| e.insert("keywords".into(), err.to_string()))
        .ok();
    let frequency = d
        .update_frequency
        .parse::<UpdateFrequency>()
        .map_err(|_| e.insert("update_frequency".into(), "请选择更新周期".into()))
        .ok();
    let class = d
        .open_class
        .parse::<OpenClass>()
        .map_err(|_| e.insert("open_class".into(), "请选择开放类型".into()))
        .ok();
    let over = |s: &str, max: usize| s.trim().chars().count() > max;
    if over(&d.legal_basis, 500) {
        e.insert("legal_basis".into(), "法律依据最长 500 个字".into());
    }
    if over(&d.open_conditions, 1000) {
        e.insert("open_conditions".into(), "开放条件最长 1000 个字".into());
    }
    let classification = class.and_then(|c| {
        Classification::new(c, Some(&d.legal_basis), Some(&d.open_conditions))
            .map_err(|err| {
                let key = match err {
                    crate::domain::open_class::ClassificationError::MissingConditions => {
                        "open_conditions"
                    }
                    _ => "legal_basis",
                };
                e.insert(key.into(), err.to_string());
            })
            .ok()
    });
    let mut formats = Vec::new();
    for f in d.formats.iter().map(|f| f.trim()).filter(|f| !f.is_empty()) {
        match Format::parse(f) {
            Ok(f) if !formats.contains(&f) => formats.push(f),
            Ok(_) => {}
            Err(err) => {
                e.insert("formats".into(), format!("“{f}”：{err}"));
            }
        }
    }
    if formats.is_empty() && !e.contains_key("formats") {
        e.insert("formats".into(), "请至少填写一种数据格式，例如 CSV".into());
    }
    let record_count = match d.record_count.trim() {
        "" => 0,
        v => match v.replace([',', '，'], "").parse::<i64>() {
            Ok(n) if n >= 0 => n,
            _ => {
                e.insert("record_count".into(), "数据量应为不小于 0 的整数".into());
                0
            }
        },
    };
    let start = date(&mut e, "temporal_start", &d.temporal_start);
    let end = date(&mut e, "temporal_end", &d.temporal_end);
    if let (Some(s), Some(t)) = (start, end)
        && s > t
    {
        e.insert("temporal_end".into(), "结束日期不能早于开始日期".into());
    }
    let spatial = RegionCode::parse(d.spatial_coverage.trim())
        .map_err(|err| e.insert("spatial_coverage".into(), err.to_string()))
        .ok();
    let fields = validate_fields(&mut e, &d.fields);
    match (slug, theme, keywords, frequency, classification, spatial) {
        (
            Some(slug),
            Some(theme),
            Some(keywords),
            Some(frequency),
            Some(classification),
            Some(spatial),
        ) if e.is_empty() => Ok(DatasetInput {
            title,
            slug,
            summary,
            keywords,
            theme,
            maintainer,
            classification,
            frequency,
            formats,
            record_count,
            temporal: (start, end),
            spatial,
            license,
            priority: d.priority,
            fields,
            title_en,
            summary_en,
        }),
        _ => Err(e),
    }
}

/// `{field: [old, new]}` for every field that differs.
pub(super) fn diff(before: &DatasetDraft, after: &DatasetDraft) -> serde_json::Value {
    let (a, b) = (
        serde_json::to_value(before).unwrap_or_default(),
        serde_json::to_value(after).unwrap_or_default(),
    );
    let mut out = serde_json::Map::new();
    if let (Some(a), Some(b)) = (a.as_object(), b.as_object()) {
        for (k, old) in a {
            let new = b.get(k).cloned().unwrap_or_default();
            if *old != new {
                out.insert(k.clone(), serde_json::json!([old, new]));
            }
        }
    }
    serde_json::Value::Object(out)
}

fn validate_fields(e: &mut FieldErrors, fields: &[FieldDraft]) -> Vec<FieldDraft> {
    let mut out: Vec<FieldDraft> = Vec::new();
    if fields.len() > 300 {
        e.insert("fields".into(), "字段最多 300 个".into());
        return out;
    }
    for (i, f) in fields.iter().enumerate() {
        let n = i + 1;
        let name = f.name.trim();
        let ty = FIELD_TYPES
            .iter()
            .find(|(api, label)| *api == f.data_type.trim() || *label == f.data_type.trim())
            .map(|(api, _)| *api);
        let problem = if name.is_empty() || name.chars().count() > 50 {
            Some(format!("第 {n} 个字段：名称应为 1 至 50 个字"))
        } else if ty.is_none() {
            Some(format!(
                "第 {n} 个字段“{name}”：类型应为 {}",
                FIELD_TYPES
                    .iter()
                    .map(|(_, l)| *l)
                    .collect::<Vec<_>>()
                    .join("、") // i18n: a separator inside a value
            ))
        } else if out.iter().any(|o| o.name == name) {
            Some(format!("字段“{name}”重复"))
        } else if f.description.chars().count() > 200 || f.unit.chars().count() > 20 {
            Some(format!(
                "第 {n} 个字段“{name}”：说明最长 200 字，单位最长 20 字"
            ))
        } else {
            None
        };
        match problem {
            Some(p) => {
                e.entry("fields".into()).or_insert(p);
            }
            None => out.push(FieldDraft {
                name: name.to_owned(),
                data_type: ty.unwrap_or("string").to_owned(),
                description: f.description.trim().to_owned(),
                unit: f.unit.trim().to_owned(),
                masked: f.masked,
            }),
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn good() -> DatasetDraft {
        DatasetDraft {
            title: "合肥市公交线路".into(),
            slug: "hefei-bus".into(),
            summary: "合肥市公交线路的名称、站点和首末班时间。".into(),
            keywords: vec!["公交".into(), "线路".into()],
            theme: "transport".into(),
            maintainer: "合肥市交通运输局".into(),
            open_class: "unconditional".into(),
            update_frequency: "monthly".into(),
            formats: vec!["csv".into(), "JSON".into(), "CSV".into()],
            record_count: "1,200".into(),
            temporal_start: "2024-01-01".into(),
            spatial_coverage: "340100".into(),
            license: "安徽省公共数据开放许可协议（署名）".into(),
            fields: vec![FieldDraft {
                name: "线路名称".into(),
                data_type: "字符型".into(),
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    #[test]
    fn accepts_a_complete_draft() {
        let input = validate(&good()).unwrap();
        assert_eq!(input.formats.len(), 2, "deduplicated, upper-cased");
        assert_eq!(input.record_count, 1200);
        assert_eq!(input.fields[0].data_type, "string");
    }

    #[test]
    fn english_fields_are_optional_with_the_chinese_lengths() {
        let mut d = good();
        let input = validate(&d).unwrap();
        assert_eq!((input.title_en, input.summary_en), (None, None));
        d.title_en = "  Hefei bus lines ".into();
        d.summary_en = "Bus lines of Hefei and their stops.".into();
        let input = validate(&d).unwrap();
        assert_eq!(input.title_en.as_deref(), Some("Hefei bus lines"));
        assert!(input.summary_en.is_some());
        d.title_en = "x".repeat(101);
        d.summary_en = "Buses.".into();
        let e = validate(&d).unwrap_err();
        assert!(
            e.contains_key("title_en") && e.contains_key("summary_en"),
            "{e:?}"
        );
        d.title_en = "Hefei\0bus".into();
        d.summary_en = "   ".into();
        let e = validate(&d).unwrap_err();
        assert_eq!(e.keys().collect::<Vec<_>>(), ["title_en"]);
    }

    #[test]
    fn reports_every_problem_at_once() {
        let mut d = good();
        d.title = " ".into();
        d.slug = "Hefei Bus".into();
        d.open_class = "conditional".into();
        d.temporal_end = "2023-12-31".into();
        d.record_count = "-5".into();
        d.formats = vec![];
        d.spatial_coverage = "3401".into();
        d.fields.push(FieldDraft {
            name: "线路名称".into(),
            data_type: "string".into(),
            ..Default::default()
        });
        let e = validate(&d).unwrap_err();
        for key in [
            "title",
            "slug",
            "legal_basis",
            "temporal_end",
            "record_count",
            "formats",
            "spatial_coverage",
            "fields",
        ] {
            assert!(e.contains_key(key), "{key}: {e:?}");
        }
        let mut d = good();
        d.open_class = "conditional".into();
        d.legal_basis = "《安徽省政务数据资源管理办法》第三十七条".into();
        assert!(validate(&d).unwrap_err().contains_key("open_conditions"));
        d.open_conditions = "仅限科研".into();
        assert!(validate(&d).is_ok());
    }
}
