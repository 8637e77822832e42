//! Publishing: a department's staff create and edit their own catalog entries.
//!
//! The console form and the JSON API both arrive here as a [`DatasetDraft`] of raw values and
//! go through one [`validate`]. Rules: every catalog field checked; conditional and closed data
//! with a legal basis; a dataset belongs to its department and is invisible to others; draft →
//! published → withdrawn (and back to published); a move to a more restrictive open class of a
//! dataset that has been public waits for an administrator; every change records who, when,
//! what and why.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use diesel::result::Error as DbError;
use serde::{Deserialize, Serialize};

use super::{Actor, audit};
use crate::db::datasets::{self as rows, Dataset, DatasetChanges, NewDataset, NewField};
use crate::db::history::{
    self, ClassChangeRequest, DatasetChange, NewClassChangeRequest, NewDatasetChange,
};
use crate::db::{DbConnection, departments, themes, write_transaction};
use crate::domain::{
    Classification, DatasetCode, DatasetStatus, Format, Keywords, OpenClass, RegionCode, Slug,
    UpdateFrequency, is_publicly_listed,
};

/// A member of a providing department acting in the console or through the API.
#[derive(Debug, Clone)]
pub struct Publisher {
    pub user_id: i32,
    pub department_id: i32,
    pub actor: Actor,
}

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
        }),
        _ => Err(e),
    }
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
                    .join("、")
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

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("数据集不存在")]
    NotFound,
    #[error("只能管理本部门的数据集")]
    Forbidden,
    #[error("提交的内容有误")]
    Invalid(FieldErrors),
    #[error("与已有内容冲突")]
    Conflict(FieldErrors),
    #[error("{0}")]
    Transition(String),
    #[error(transparent)]
    Database(#[from] DbError),
}

impl PublishError {
    fn field(key: &str, message: impl Into<String>) -> Self {
        Self::Invalid(FieldErrors::from([(key.to_owned(), message.into())]))
    }
}

/// A dataset of another department: 404 unless the public may see it anyway, then 403.
fn foreign(d: &Dataset) -> PublishError {
    if is_publicly_listed(d.status, d.open_class) {
        PublishError::Forbidden
    } else {
        PublishError::NotFound
    }
}

/// The publisher's own dataset with this slug.
fn own(conn: &mut DbConnection, p: &Publisher, slug: &str) -> Result<Dataset, PublishError> {
    let d = rows::by_slug(conn, slug)?.ok_or(PublishError::NotFound)?;
    if d.department_id != p.department_id {
        return Err(foreign(&d));
    }
    Ok(d)
}

/// Checks that the dataset is the publisher's own before anything else is looked at: another
/// department's draft is a 404, another department's public dataset a 403.
pub fn ensure_own(
    conn: &mut DbConnection,
    p: &Publisher,
    slug: &str,
) -> Result<Dataset, PublishError> {
    own(conn, p, slug)
}

/// The draft of an existing dataset, for an edit form or a PATCH to start from.
pub fn draft_of(
    conn: &mut DbConnection,
    p: &Publisher,
    slug: &str,
) -> Result<(Dataset, DatasetDraft), PublishError> {
    let d = own(conn, p, slug)?;
    let draft = draft_from_row(conn, &d)?;
    Ok((d, draft))
}

/// The draft form of a stored dataset (no ownership check: for callers that did their own).
pub fn draft_from_row(conn: &mut DbConnection, d: &Dataset) -> Result<DatasetDraft, DbError> {
    let theme = themes::by_id(conn, d.theme_id)?;
    let fields = rows::fields(conn, d.id)?
        .into_iter()
        .map(|f| FieldDraft {
            name: f.name,
            data_type: f.data_type,
            description: f.description,
            unit: f.unit.unwrap_or_default(),
            masked: f.masked,
        })
        .collect();
    Ok(DatasetDraft {
        title: d.title.clone(),
        slug: d.slug.clone(),
        summary: d.summary.clone(),
        keywords: d.keyword_list().as_slice().to_vec(),
        theme: theme.slug,
        maintainer: d.maintainer.clone(),
        open_class: d.open_class.as_str().into(),
        open_conditions: d.open_conditions.clone().unwrap_or_default(),
        legal_basis: d.legal_basis.clone().unwrap_or_default(),
        update_frequency: d.update_frequency.as_str().into(),
        formats: rows::formats(conn, d.id)?,
        record_count: d.record_count.to_string(),
        temporal_start: d.temporal_start.map(|t| t.to_string()).unwrap_or_default(),
        temporal_end: d.temporal_end.map(|t| t.to_string()).unwrap_or_default(),
        spatial_coverage: d.spatial_coverage.clone(),
        license: d.license.clone(),
        priority: d.priority,
        fields,
    })
}

/// Checks what needs the database: the theme exists, the area lies in the department's region,
/// the slug is free. Returns the theme's id and code.
fn check_references(
    conn: &mut DbConnection,
    p: &Publisher,
    input: &DatasetInput,
    own_id: Option<i32>,
) -> Result<(i32, String), PublishError> {
    let mut e = FieldErrors::new();
    let theme = themes::by_slug(conn, input.theme.as_str())?;
    if theme.is_none() {
        e.insert("theme".into(), "主题不存在".into());
    }
    let dept = departments::by_id(conn, p.department_id)?;
    if !dept.region_code.contains(&input.spatial) {
        e.insert(
            "spatial_coverage".into(),
            format!("空间范围应在本部门所辖区域（{}）之内", dept.region_code),
        );
    }
    if !e.is_empty() {
        return Err(PublishError::Invalid(e));
    }
    if let Some(other) = rows::by_slug(conn, input.slug.as_str())?
        && Some(other.id) != own_id
    {
        return Err(PublishError::Conflict(FieldErrors::from([(
            "slug".to_owned(),
            "该标识已被使用，请换一个".to_owned(),
        )])));
    }
    let theme = theme.ok_or(PublishError::NotFound)?;
    Ok((theme.id, theme.code))
}

fn next_code(
    conn: &mut DbConnection,
    theme_code: &str,
    department_id: i32,
) -> Result<String, PublishError> {
    let classification = format!("2{theme_code}{:03}", department_id % 1000);
    let max = rows::codes_with_classification(conn, &classification)?
        .iter()
        .filter_map(|c| c.parse::<DatasetCode>().ok())
        .map(|c| c.sequence())
        .max()
        .unwrap_or(0);
    DatasetCode::new(&classification, max + 1)
        .map(|c| c.to_string())
        .map_err(|e| PublishError::Transition(e.to_string()))
}

fn write_fields_and_formats(
    conn: &mut DbConnection,
    id: i32,
    input: &DatasetInput,
) -> Result<(), DbError> {
    rows::delete_fields(conn, id)?;
    for (i, f) in input.fields.iter().enumerate() {
        rows::insert_field(
            conn,
            &NewField {
                dataset_id: id,
                position: i as i32 + 1,
                name: &f.name,
                data_type: &f.data_type,
                description: &f.description,
                unit: Some(f.unit.as_str()).filter(|u| !u.is_empty()),
                masked: f.masked,
            },
        )?;
    }
    rows::delete_formats(conn, id)?;
    for f in &input.formats {
        rows::add_format(conn, id, f.as_str())?;
    }
    Ok(())
}

fn record(
    conn: &mut DbConnection,
    p: &Publisher,
    d: &Dataset,
    action: &str,
    changes: serde_json::Value,
    reason: &str,
) -> Result<(), DbError> {
    history::record(
        conn,
        &NewDatasetChange {
            dataset_id: d.id,
            actor: &p.actor.label,
            changed_at: super::now(),
            action,
            changes: &changes.to_string(),
            reason,
        },
    )?;
    let fields: Vec<&str> = changes
        .as_object()
        .map(|m| m.keys().map(String::as_str).collect())
        .unwrap_or_default();
    audit::record(
        conn,
        &p.actor,
        &format!("dataset.{action}"),
        &format!("dataset:{}", d.slug),
        serde_json::json!({ "fields": fields, "reason": reason }),
    )?;
    Ok(())
}

/// A unique violation that lost a race with a concurrent request, as the conflict it means.
fn conflict_of(e: DbError) -> PublishError {
    match crate::db::unique_violation(&e) {
        Some(c) if c.contains("slug") => PublishError::Conflict(FieldErrors::from([(
            "slug".to_owned(),
            "该标识已被使用，请换一个".to_owned(),
        )])),
        Some(c) if c.contains("one_pending") || c.contains("class_change") => {
            PublishError::Conflict(FieldErrors::from([(
                "open_class".to_owned(),
                "该数据集已有待审批的开放类型变更".to_owned(),
            )]))
        }
        _ => PublishError::Database(e),
    }
}

/// Creates a draft in the publisher's department; the code is assigned from theme and
/// department. Two creations racing for the same next code: the loser tries again.
pub fn create(
    conn: &mut DbConnection,
    p: &Publisher,
    input: &DatasetInput,
    reason: &str,
) -> Result<Dataset, PublishError> {
    let mut attempts = 0;
    loop {
        attempts += 1;
        match create_once(conn, p, input, reason) {
            Err(PublishError::Database(e))
                if attempts < 3
                    && crate::db::unique_violation(&e).is_some_and(|c| c.contains("code")) => {}
            Err(PublishError::Database(e)) => return Err(conflict_of(e)),
            other => return other,
        }
    }
}

fn create_once(
    conn: &mut DbConnection,
    p: &Publisher,
    input: &DatasetInput,
    reason: &str,
) -> Result<Dataset, PublishError> {
    write_transaction(conn, |conn| {
        let (theme_id, theme_code) = check_references(conn, p, input, None)?;
        let code = next_code(conn, &theme_code, p.department_id)?;
        let now = super::now();
        let c = &input.classification;
        let d = rows::insert(
            conn,
            &NewDataset {
                slug: input.slug.as_str(),
                code: &code,
                title: &input.title,
                summary: &input.summary,
                keywords: &input.keywords.to_stored(),
                theme_id,
                department_id: p.department_id,
                maintainer: &input.maintainer,
                open_class: c.class().as_str(),
                open_conditions: c.conditions(),
                legal_basis: c.legal_basis(),
                update_frequency: input.frequency.as_str(),
                published_at: None,
                last_updated_at: now,
                record_count: input.record_count,
                temporal_start: input.temporal.0,
                temporal_end: input.temporal.1,
                spatial_coverage: input.spatial.as_str(),
                license: &input.license,
                status: DatasetStatus::Draft.as_str(),
                priority: input.priority,
                view_count: 0,
                download_count: 0,
                created_at: now,
                modified_at: now,
            },
        )?;
        write_fields_and_formats(conn, d.id, input)?;
        let snapshot = serde_json::json!({ "title": d.title, "open_class": d.open_class.as_str(), "code": d.code });
        record(conn, p, &d, "create", snapshot, reason.trim())?;
        Ok(d)
    })
}

/// What an update did.
#[derive(Debug)]
pub struct UpdateOutcome {
    pub dataset: Dataset,
    /// Names of the fields that changed.
    pub changed: Vec<String>,
    /// A move to a more restrictive class that now waits for an administrator.
    pub pending: Option<ClassChangeRequest>,
}

/// Applies an edit to one of the publisher's datasets. A reason is required.
pub fn update(
    conn: &mut DbConnection,
    p: &Publisher,
    slug: &str,
    input: &DatasetInput,
    reason: &str,
) -> Result<UpdateOutcome, PublishError> {
    update_once(conn, p, slug, input, reason).map_err(|e| match e {
        PublishError::Database(e) => conflict_of(e),
        other => other,
    })
}

fn update_once(
    conn: &mut DbConnection,
    p: &Publisher,
    slug: &str,
    input: &DatasetInput,
    reason: &str,
) -> Result<UpdateOutcome, PublishError> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(PublishError::field(
            "reason",
            "请填写修改说明（最多 500 字），它会记入修改记录",
        ));
    }
    write_transaction(conn, |conn| {
        let old = own(conn, p, slug)?;
        let before = draft_from_row(conn, &old)?;
        let (theme_id, _) = check_references(conn, p, input, Some(old.id))?;
        if old.published_at.is_some() && input.slug.as_str() != old.slug {
            return Err(PublishError::field(
                "slug",
                "已发布过的数据集不能修改标识（地址会失效）",
            ));
        }
        let new_class = input.classification.class();
        let restrictive = new_class.restrictiveness() > old.open_class.restrictiveness()
            && old.published_at.is_some();
        let pending = if restrictive {
            if history::pending_for(conn, old.id)?.is_some() {
                return Err(PublishError::Conflict(FieldErrors::from([(
                    "open_class".to_owned(),
                    "该数据集已有待审批的开放类型变更".to_owned(),
                )])));
            }
            let c = &input.classification;
            Some(history::request(
                conn,
                &NewClassChangeRequest {
                    dataset_id: old.id,
                    from_class: old.open_class.as_str(),
                    to_class: new_class.as_str(),
                    legal_basis: c.legal_basis().unwrap_or_default(),
                    open_conditions: c.conditions(),
                    reason,
                    requested_by: Some(p.user_id),
                    requested_at: super::now(),
                },
            )?)
        } else {
            None
        };
        // A pending restriction leaves the class (and its legal texts) as they are for now.
        let (class, basis, conditions) = if pending.is_some() {
            (
                old.open_class,
                old.legal_basis.clone(),
                old.open_conditions.clone(),
            )
        } else {
            let c = &input.classification;
            (
                c.class(),
                c.legal_basis().map(str::to_owned),
                c.conditions().map(str::to_owned),
            )
        };
        let keywords = input.keywords.to_stored();
        let d = rows::update(
            conn,
            old.id,
            &DatasetChanges {
                slug: input.slug.as_str(),
                title: &input.title,
                summary: &input.summary,
                keywords: &keywords,
                theme_id,
                maintainer: &input.maintainer,
                open_class: class.as_str(),
                open_conditions: conditions.as_deref(),
                legal_basis: basis.as_deref(),
                update_frequency: input.frequency.as_str(),
                record_count: input.record_count,
                temporal_start: input.temporal.0,
                temporal_end: input.temporal.1,
                spatial_coverage: input.spatial.as_str(),
                license: &input.license,
                priority: input.priority,
                modified_at: super::now(),
            },
        )?;
        write_fields_and_formats(conn, d.id, input)?;
        let after = draft_from_row(conn, &d)?;
        let diff = diff(&before, &after);
        let changed: Vec<String> = diff
            .as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        if !changed.is_empty() {
            record(conn, p, &d, "update", diff, reason)?;
        }
        if let Some(req) = &pending {
            let details = serde_json::json!({ "open_class": [req.from_class.as_str(), req.to_class.as_str()] });
            record(conn, p, &d, "class_request", details, reason)?;
        }
        Ok(UpdateOutcome {
            dataset: d,
            changed,
            pending,
        })
    })
}

/// `{field: [old, new]}` for every field that differs.
fn diff(before: &DatasetDraft, after: &DatasetDraft) -> serde_json::Value {
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

/// Publishes, withdraws or re-publishes one of the publisher's datasets.
pub fn set_status(
    conn: &mut DbConnection,
    p: &Publisher,
    slug: &str,
    to: DatasetStatus,
    reason: &str,
) -> Result<Dataset, PublishError> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        let message = match to {
            DatasetStatus::Withdrawn => "撤回数据集需要填写原因（最多 500 字），它会公开记录",
            _ => "发布需要填写发布说明（最多 500 字），它会记入修改记录",
        };
        return Err(PublishError::field("reason", message));
    }
    write_transaction(conn, |conn| {
        let d = own(conn, p, slug)?;
        let allowed = matches!(
            (d.status, to),
            (DatasetStatus::Draft, DatasetStatus::Published)
                | (DatasetStatus::Published, DatasetStatus::Withdrawn)
                | (DatasetStatus::Withdrawn, DatasetStatus::Published)
        );
        if !allowed {
            return Err(PublishError::Transition(format!(
                "状态为“{}”的数据集不能改为“{}”",
                d.status.label(),
                to.label()
            )));
        }
        let now = super::now();
        let published_at = d
            .published_at
            .or((to == DatasetStatus::Published).then_some(now));
        let updated = rows::set_status(conn, d.id, to, published_at, now)?;
        let action = if to == DatasetStatus::Published {
            "publish"
        } else {
            "withdraw"
        };
        let details = serde_json::json!({ "status": [d.status.as_str(), to.as_str()] });
        record(conn, p, &updated, action, details, reason)?;
        Ok(updated)
    })
}

/// A row of the console's list.
#[derive(Debug, Clone)]
pub struct ConsoleRow {
    pub dataset: Dataset,
    pub pending_class: Option<OpenClass>,
}

pub fn console(conn: &mut DbConnection, p: &Publisher) -> Result<Vec<ConsoleRow>, DbError> {
    let list = rows::of_department(conn, p.department_id)?;
    let mut out = Vec::with_capacity(list.len());
    for d in list {
        let pending_class = history::pending_for(conn, d.id)?.map(|r| r.to_class);
        out.push(ConsoleRow {
            dataset: d,
            pending_class,
        });
    }
    Ok(out)
}

pub struct DatasetHistory {
    pub dataset: Dataset,
    pub changes: Vec<DatasetChange>,
    pub pending: Option<ClassChangeRequest>,
}

pub fn history_of(
    conn: &mut DbConnection,
    p: &Publisher,
    slug: &str,
) -> Result<DatasetHistory, PublishError> {
    let dataset = own(conn, p, slug)?;
    let changes = history::for_dataset(conn, dataset.id)?;
    let pending = history::pending_for(conn, dataset.id)?;
    Ok(DatasetHistory {
        dataset,
        changes,
        pending,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> DatasetDraft {
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

    #[test]
    fn diff_names_changed_fields_only() {
        let a = good();
        let mut b = good();
        b.title = "新标题".into();
        let d = diff(&a, &b);
        assert_eq!(d.as_object().unwrap().keys().collect::<Vec<_>>(), ["title"]);
        assert_eq!(d["title"], serde_json::json!(["合肥市公交线路", "新标题"]));
    }
}
