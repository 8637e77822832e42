//! Publishing: a department's staff create and edit their own catalog entries.
//!
//! The console form and the JSON API both arrive here as a [`DatasetDraft`] of raw values and
//! go through one [`validate`]. Rules: every catalog field checked; conditional and closed data
//! with a legal basis; a dataset belongs to its department and is invisible to others; draft →
//! published → withdrawn (and back to published); a move to a more restrictive open class of a
//! dataset that has been public waits for an administrator; every change records who, when,
//! what and why.

use chrono::NaiveDateTime;
use diesel::result::Error as DbError;

mod api_edits;
pub mod draft;
mod status;

pub use api_edits::{EditError, Edited, Stored, create_with_status, edit, stored};
use draft::diff;
pub use draft::{DatasetDraft, DatasetInput, FIELD_TYPES, FieldDraft, FieldErrors, validate};
pub use status::{open_at_once, set_status};

use super::{Actor, audit};
pub use crate::db::datasets::Dataset;
use crate::db::datasets::{self as rows, DatasetChanges, NewDataset, NewField};
pub use crate::db::departments::Department;
use crate::db::history::{self, NewClassChangeRequest, NewDatasetChange};
pub use crate::db::history::{ClassChangeRequest, DatasetChange};
pub use crate::db::themes::Theme;
use crate::db::{DbConnection, catalog, departments, themes, write_transaction};
use crate::domain::{DatasetCode, DatasetStatus, OpenClass};

/// A member of a providing department acting in the console or through the API.
#[derive(Debug, Clone)]
pub struct Publisher {
    pub user_id: i32,
    pub department_id: i32,
    pub actor: Actor,
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
    pub(crate) fn field(key: &str, message: impl Into<String>) -> Self {
        Self::Invalid(FieldErrors::from([(key.to_owned(), message.into())]))
    }
}

/// A dataset of another department: 404 unless the public may see it anyway, then 403.
/// The publisher's own dataset with this slug. Another department's public dataset is a 403;
/// anything else, including another department's draft or closed dataset, is a 404 like a slug
/// nobody uses.
fn own(conn: &mut DbConnection, p: &Publisher, slug: &str) -> Result<Dataset, PublishError> {
    if let Some(d) = rows::in_department(conn, p.department_id, slug)? {
        return Ok(d);
    }
    Err(match catalog::public_by_slug(conn, slug)? {
        Some(_) => PublishError::Forbidden,
        None => PublishError::NotFound,
    })
}

/// The slug is free for a dataset the public may see: no other dataset the public sees or has
/// seen holds it. Only those are looked at, so the answer tells nothing about other
/// departments' hidden ones.
/// `then` says what the publisher should do about it.
fn public_slug_free(
    conn: &mut DbConnection,
    slug: &str,
    own_id: Option<i32>,
    then: &str,
) -> Result<(), PublishError> {
    match rows::slug_holder(conn, slug)? {
        Some(other) if Some(other.id) != own_id => Err(slug_conflict(&format!(
            "该标识已被公开（或曾经公开）的数据集使用，{then}"
        ))),
        _ => Ok(()),
    }
}

fn slug_conflict(message: &str) -> PublishError {
    PublishError::Conflict(FieldErrors::from([("slug".to_owned(), message.to_owned())]))
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
        title_en: d.title_en.clone().unwrap_or_default(),
        summary_en: d.summary_en.clone().unwrap_or_default(),
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
    // Only the department's own datasets and public ones can be in the way: another
    // department's drafts and closed datasets may share the slug, so trying one reveals nothing.
    if let Some(other) = rows::in_department(conn, p.department_id, input.slug.as_str())?
        && Some(other.id) != own_id
    {
        return Err(slug_conflict("该标识已被本部门的数据集使用，请换一个"));
    }
    public_slug_free(conn, input.slug.as_str(), own_id, "请换一个")?;
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
    now: NaiveDateTime,
) -> Result<(), DbError> {
    history::record(
        conn,
        &NewDatasetChange {
            dataset_id: d.id,
            actor: &p.actor.label,
            changed_at: now,
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
        now,
        &format!("dataset.{action}"),
        &format!("dataset:{}", d.slug),
        serde_json::json!({ "fields": fields, "reason": reason }),
    )?;
    Ok(())
}

/// A unique violation that lost a race with a concurrent request, as the conflict it means.
fn conflict_of(e: DbError) -> PublishError {
    match crate::db::unique_violation(&e) {
        Some(c) if c.contains("slug") => slug_conflict("该标识已被使用，请换一个"),
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
    now: NaiveDateTime,
) -> Result<Dataset, PublishError> {
    let mut attempts = 0;
    loop {
        attempts += 1;
        match create_once(conn, p, input, reason, now) {
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
    now: NaiveDateTime,
) -> Result<Dataset, PublishError> {
    write_transaction(conn, |conn| {
        let (theme_id, theme_code) = check_references(conn, p, input, None)?;
        let code = next_code(conn, &theme_code, p.department_id)?;
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
                title_en: input.title_en.as_deref(),
                summary_en: input.summary_en.as_deref(),
            },
        )?;
        write_fields_and_formats(conn, d.id, input)?;
        let snapshot = serde_json::json!({ "title": d.title, "open_class": d.open_class.as_str(), "code": d.code });
        record(conn, p, &d, "create", snapshot, reason.trim(), now)?;
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
    now: NaiveDateTime,
) -> Result<UpdateOutcome, PublishError> {
    update_once(conn, p, slug, input, reason, now).map_err(race_lost)
}

/// A unique violation behind an error, as the conflict it means; other errors as they are.
fn race_lost(e: PublishError) -> PublishError {
    match e {
        PublishError::Database(e) => conflict_of(e),
        other => other,
    }
}

fn update_once(
    conn: &mut DbConnection,
    p: &Publisher,
    slug: &str,
    input: &DatasetInput,
    reason: &str,
    now: NaiveDateTime,
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
        // Links to a page the public has seen must keep working; a dataset nobody outside
        // its department has seen (a draft, a closed one) may still change its slug.
        if old.public_since.is_some() && input.slug.as_str() != old.slug {
            return Err(PublishError::field(
                "slug",
                "公开过的数据集不能修改标识（地址会失效）",
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
                    requested_at: now,
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
        // Closed data may hold personal data as uploaded; it opens only once that is treated.
        if class != OpenClass::Closed && old.open_class == OpenClass::Closed {
            let unmasked = super::access::untreated_versions(conn, old.id)?;
            if !unmasked.is_empty() {
                return Err(PublishError::field(
                    "open_class",
                    super::access::opening_refused(&unmasked),
                ));
            }
        }
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
                modified_at: now,
                title_en: input.title_en.as_deref(),
                summary_en: input.summary_en.as_deref(),
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
            record(conn, p, &d, "update", diff, reason, now)?;
        }
        if let Some(req) = &pending {
            let details = serde_json::json!({ "open_class": [req.from_class.as_str(), req.to_class.as_str()] });
            record(conn, p, &d, "class_request", details, reason, now)?;
        }
        Ok(UpdateOutcome {
            dataset: d,
            changed,
            pending,
        })
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

/// The console's list with the name of the publisher's department.
pub fn console_page(
    conn: &mut DbConnection,
    p: &Publisher,
) -> Result<(String, Vec<ConsoleRow>), DbError> {
    let department = departments::by_id(conn, p.department_id)?;
    Ok((department.name, console(conn, p)?))
}

/// The publisher's department (a new dataset's defaults come from it).
pub fn department(conn: &mut DbConnection, p: &Publisher) -> Result<Department, DbError> {
    departments::by_id(conn, p.department_id)
}

/// The themes a dataset can be filed under.
pub fn themes(conn: &mut DbConnection) -> Result<Vec<Theme>, DbError> {
    themes::all(conn)
}

/// What an edit page shows of a stored dataset: the row, its draft and the class a pending
/// change asks for.
pub fn edit_state(
    conn: &mut DbConnection,
    p: &Publisher,
    slug: &str,
) -> Result<(Dataset, DatasetDraft, Option<OpenClass>), PublishError> {
    let (d, draft) = draft_of(conn, p, slug)?;
    let pending = history::pending_for(conn, d.id)?.map(|r| r.to_class);
    Ok((d, draft, pending))
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
mod tests;
