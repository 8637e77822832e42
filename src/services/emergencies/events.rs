//! Declaring, creating and closing events, and the datasets linked to them.

use chrono::NaiveDateTime;
use diesel::result::Error as DbError;

use super::{EmergencyError, Event, postable};
use crate::db::emergencies::{self as rows, NewEvent};
use crate::db::users::User;
use crate::db::{DbConnection, catalog as catalog_rows, departments, write_transaction};
use crate::domain::{EventCategory, EventStatus};
use crate::services::{Actor, audit};

/// A new event, as an administrator (or the demo) declares it.
#[derive(Debug, Clone)]
pub struct EventInput {
    pub slug: String,
    pub title: String,
    pub category: EventCategory,
    pub level: i32,
    pub regions: Vec<String>,
    pub department_id: i32,
    pub summary: String,
    pub started_at: NaiveDateTime,
    pub update_interval_minutes: i32,
    /// The English title and summary, when given.
    pub title_en: Option<String>,
    pub summary_en: Option<String>,
}

pub fn create_event(
    conn: &mut DbConnection,
    input: &EventInput,
    now: NaiveDateTime,
    actor: &Actor,
) -> Result<Event, DbError> {
    write_transaction(conn, |conn| {
        let event = rows::insert_event(
            conn,
            &NewEvent {
                slug: &input.slug,
                title: &input.title,
                category: input.category.as_str(),
                level: input.level.clamp(1, 4),
                regions: &input.regions.join(","),
                department_id: input.department_id,
                summary: &input.summary,
                started_at: input.started_at,
                ended_at: None,
                status: EventStatus::Active.as_str(),
                update_interval_minutes: input.update_interval_minutes.max(1),
                created_at: now,
                title_en: input.title_en.as_deref(),
                summary_en: input.summary_en.as_deref(),
            },
        )?;
        audit::record(
            conn,
            actor,
            now,
            "emergency.create",
            &format!("emergency:{}", event.id),
            serde_json::json!({ "slug": event.slug, "department": input.department_id }),
        )?;
        Ok(event)
    })
}

/// Closes an event: it moves to the archive; its pages and data stay.
pub fn close_event(
    conn: &mut DbConnection,
    slug: &str,
    now: NaiveDateTime,
    actor: &Actor,
) -> Result<bool, DbError> {
    let Some(event) = rows::by_slug(conn, slug)? else {
        return Ok(false);
    };
    write_transaction(conn, |conn| {
        if rows::close(conn, event.id, now)? == 0 {
            return Ok(false);
        }
        audit::record(
            conn,
            actor,
            now,
            "emergency.close",
            &format!("emergency:{}", event.id),
            serde_json::json!({ "slug": event.slug }),
        )?;
        Ok(true)
    })
}

/// An event as an administrator declares it on the form, before checks.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct EventDraft {
    pub slug: String,
    pub title: String,
    pub category: String,
    pub level: String,
    pub regions: String,
    pub department: String,
    pub summary: String,
    pub interval: String,
    /// Comma- or space-separated dataset slugs opened for the event.
    pub datasets: String,
    /// The English title and summary; empty when there is none.
    pub title_en: String,
    pub summary_en: String,
}

/// Checks a draft and declares the event, linking its datasets (public ones only). Errors are
/// keyed by form field; nothing is stored unless all is well.
pub fn declare(
    conn: &mut DbConnection,
    draft: &EventDraft,
    now: NaiveDateTime,
    actor: &Actor,
) -> Result<Result<Event, Vec<(String, String)>>, DbError> {
    let mut errors: Vec<(String, String)> = Vec::new();
    let slug = crate::domain::Slug::parse(draft.slug.trim())
        .map_err(|e| errors.push(("slug".into(), e.to_string())))
        .ok();
    if let Some(s) = &slug
        && rows::by_slug(conn, s.as_str())?.is_some()
    {
        errors.push(("slug".into(), format!("标识“{s}”已被使用")));
    }
    let title = draft.title.trim();
    if title.is_empty() || title.chars().count() > 100 {
        errors.push(("title".into(), "请填写事件名称（最多 100 字）".into()));
    }
    let category = draft
        .category
        .parse::<EventCategory>()
        .map_err(|e| errors.push(("category".into(), e)))
        .ok();
    let level = draft
        .level
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|l| (1..=4).contains(l));
    if level.is_none() {
        errors.push(("level".into(), "响应级别应为 1 到 4（Ⅰ 到 Ⅳ 级）".into()));
    }
    let mut regions = Vec::new();
    for r in draft
        .regions
        .split([',', '，', ' '])
        .filter(|r| !r.trim().is_empty())
    {
        match crate::domain::RegionCode::parse(r.trim()) {
            Ok(c) => regions.push(c.as_str().to_owned()),
            Err(_) => errors.push((
                "regions".into(),
                format!("“{}”不是有效的行政区划代码", r.trim()),
            )),
        }
    }
    if regions.is_empty() && !errors.iter().any(|(f, _)| f == "regions") {
        errors.push((
            "regions".into(),
            "请至少填写一个受影响地区的行政区划代码".into(),
        ));
    }
    let department = departments::by_slug(conn, draft.department.trim())?;
    if department.is_none() {
        errors.push(("department".into(), "请选择负责部门".into()));
    }
    let summary = draft.summary.trim();
    if summary.is_empty() || summary.chars().count() > 1000 {
        errors.push(("summary".into(), "请填写事件概况（最多 1000 字）".into()));
    }
    // The English title and summary: optional, the same lengths as the Chinese ones.
    let english = |key: &str, value: &str, max: usize, errors: &mut Vec<(String, String)>| {
        let v = value.trim();
        if v.chars().count() > max || v.contains('\0') {
            errors.push((key.into(), format!("最多 {max} 字，且不能含有 NUL 字符")));
        }
        Some(v.to_owned()).filter(|v| !v.is_empty())
    };
    let title_en = english("title_en", &draft.title_en, 100, &mut errors);
    let summary_en = english("summary_en", &draft.summary_en, 1000, &mut errors);
    let interval = draft
        .interval
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|m| (10..=10_080).contains(m));
    if interval.is_none() {
        errors.push((
            "interval".into(),
            "更新间隔应为 10 到 10080 分钟（一周）之间的整数".into(),
        ));
    }
    let mut dataset_ids = Vec::new();
    for s in draft
        .datasets
        .split([',', '，', ' ', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        match catalog_rows::public_by_slug(conn, s)? {
            Some(d) => dataset_ids.push(d.id),
            None => errors.push(("datasets".into(), format!("没有公开的数据集“{s}”"))),
        }
    }
    dataset_ids.sort_unstable();
    dataset_ids.dedup();
    let (Some(slug), Some(category), Some(level), Some(department), Some(interval)) =
        (slug, category, level, department, interval)
    else {
        return Ok(Err(errors));
    };
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    write_transaction(conn, |conn| {
        let event = create_event(
            conn,
            &EventInput {
                slug: slug.to_string(),
                title: title.to_owned(),
                category,
                level,
                regions,
                department_id: department.id,
                summary: summary.to_owned(),
                started_at: now,
                update_interval_minutes: interval,
                title_en,
                summary_en,
            },
            now,
            actor,
        )?;
        for id in dataset_ids {
            rows::link_dataset(conn, event.id, id)?;
        }
        Ok(Ok(event))
    })
}

/// A dataset of the publisher's department, as the event's console shows it.
#[derive(Debug, Clone)]
pub struct OwnDataset {
    pub dataset: crate::db::datasets::Dataset,
    pub linked: bool,
}

impl OwnDataset {
    /// Whether the public may already download it without conditions.
    pub fn is_open(&self) -> bool {
        self.dataset.status == crate::domain::DatasetStatus::Published
            && self.dataset.open_class == crate::domain::OpenClass::Unconditional
    }
}

/// The datasets of a department, those linked to the event first.
pub fn own_datasets(
    conn: &mut DbConnection,
    event_id: i32,
    department_id: i32,
) -> Result<Vec<OwnDataset>, DbError> {
    let linked = rows::dataset_ids(conn, event_id)?;
    let mut out: Vec<OwnDataset> = crate::db::datasets::of_department(conn, department_id)?
        .into_iter()
        .map(|d| OwnDataset {
            linked: linked.contains(&d.id),
            dataset: d,
        })
        .collect();
    out.sort_by_key(|o| !o.linked);
    Ok(out)
}

/// A publisher of the responsible department links one of its own datasets (of any class and
/// status) to an active event; it shows on the event page once the public may see it.
pub fn link_own_dataset(
    conn: &mut DbConnection,
    user: &User,
    slug: &str,
    dataset_slug: &str,
    now: NaiveDateTime,
    actor: &Actor,
) -> Result<Event, EmergencyError> {
    let event = postable(conn, user, slug)?;
    let d = match user.department_id {
        Some(dept) => crate::db::datasets::in_department(conn, dept, dataset_slug)?,
        None => None,
    }
    .ok_or_else(|| EmergencyError::Invalid(vec![("link".into(), "请选择本部门的数据集".into())]))?;
    write_transaction(conn, |conn| {
        if rows::dataset_ids(conn, event.id)?.contains(&d.id) {
            return Err(EmergencyError::Invalid(vec![(
                "link".into(),
                format!("“{}”已关联此事件", d.title),
            )]));
        }
        rows::link_dataset(conn, event.id, d.id)?;
        audit::record(
            conn,
            actor,
            now,
            "emergency.link",
            &format!("emergency:{}", event.id),
            serde_json::json!({ "dataset": d.slug }),
        )?;
        Ok(event)
    })
}
