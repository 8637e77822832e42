//! Fast track (Art. 36): opening a linked dataset at once, and its review afterwards.

use chrono::NaiveDateTime;
use diesel::result::Error as DbError;

use super::{EmergencyError, Event, postable};
use crate::db::emergencies as rows;
use crate::db::users::User;
use crate::db::{DbConnection, departments, write_transaction};
use crate::services::{Actor, audit};

/// Fast track (Art. 36): a publisher of the responsible department opens a dataset linked to
/// an active event unconditionally and publishes it at once. The audit log flags it for an
/// administrator's review afterwards (`review: pending`), and `/admin/emergencies` lists it
/// until reviewed. Personal data is not waived (see [`publishing::open_at_once`]).
pub fn fast_track(
    conn: &mut DbConnection,
    user: &User,
    publisher: &crate::services::publishing::Publisher,
    slug: &str,
    dataset_slug: &str,
    reason: &str,
    now: NaiveDateTime,
) -> Result<(Event, crate::db::datasets::Dataset), EmergencyError> {
    use crate::services::publishing::{self, PublishError};
    let event = postable(conn, user, slug)?;
    let reason = reason.trim();
    if reason.chars().count() < 2 || reason.chars().count() > 500 {
        return Err(EmergencyError::Invalid(vec![(
            "reason".into(),
            "请填写快速发布的理由（2 至 500 字），它会公开记入修改记录并供事后复核".into(),
        )]));
    }
    let d = crate::db::datasets::in_department(conn, publisher.department_id, dataset_slug)?
        .ok_or(EmergencyError::NotFound)?;
    if !rows::dataset_ids(conn, event.id)?.contains(&d.id) {
        return Err(EmergencyError::Invalid(vec![(
            "dataset".into(),
            "只有关联到此事件的数据集可以快速发布，请先关联".into(),
        )]));
    }
    write_transaction(conn, |conn| {
        let (before, after) = publishing::open_at_once(conn, publisher, &d.slug, reason, now)
            .map_err(|e| match e {
                PublishError::NotFound => EmergencyError::NotFound,
                PublishError::Forbidden => EmergencyError::Invalid(vec![(
                    "dataset".into(),
                    "只能快速发布本部门的数据集".into(),
                )]),
                PublishError::Invalid(f) | PublishError::Conflict(f) => {
                    EmergencyError::Invalid(f.into_iter().collect())
                }
                PublishError::Transition(m) => EmergencyError::Invalid(vec![("dataset".into(), m)]),
                PublishError::Database(e) => EmergencyError::Database(e),
            })?;
        let ft = rows::insert_fast_track(
            conn,
            &rows::NewFastTrack {
                event_id: event.id,
                dataset_id: after.id,
                from_class: before.open_class.as_str(),
                from_status: before.status.as_str(),
                reason,
                published_by: Some(user.id),
                published_at: now,
            },
        )?;
        audit::record(
            conn,
            &publisher.actor,
            now,
            "emergency.fast_track",
            &format!("dataset:{}", after.slug),
            serde_json::json!({
                "event": event.slug,
                "fast_track": ft.id,
                "open_class": [before.open_class.as_str(), after.open_class.as_str()],
                "status": [before.status.as_str(), after.status.as_str()],
                "reason": reason,
                "review": "pending",
            }),
        )?;
        Ok((event, after))
    })
}

/// A fast-tracked publication, for the administrators' review list.
#[derive(Debug, Clone)]
pub struct FastTrackView {
    pub fast_track: rows::FastTrack,
    pub event_slug: String,
    pub event_title: String,
    pub dataset_slug: String,
    pub dataset_title: String,
    pub department: String,
}

impl FastTrackView {
    pub fn from_label(&self) -> String {
        let class = self
            .fast_track
            .from_class
            .parse::<crate::domain::OpenClass>()
            .map(|c| c.label())
            .unwrap_or("");
        let status = self
            .fast_track
            .from_status
            .parse::<crate::domain::DatasetStatus>()
            .map(|s| s.label())
            .unwrap_or("");
        format!("{class}·{status}")
    }
}

pub fn fast_tracks(conn: &mut DbConnection) -> Result<Vec<FastTrackView>, DbError> {
    let events = rows::all(conn)?;
    let mut out = Vec::new();
    for ft in rows::fast_tracks(conn)? {
        let event = events.iter().find(|e| e.id == ft.event_id).cloned();
        let d = crate::db::datasets::by_id(conn, ft.dataset_id)?;
        let department = departments::by_id(conn, d.department_id)?.name;
        out.push(FastTrackView {
            event_slug: event.as_ref().map(|e| e.slug.clone()).unwrap_or_default(),
            event_title: event.map(|e| e.title).unwrap_or_default(),
            dataset_slug: d.slug,
            dataset_title: d.title,
            department,
            fast_track: ft,
        });
    }
    Ok(out)
}

#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    #[error("没有这条快速发布记录")]
    NotFound,
    #[error("{0}")]
    Invalid(String),
    #[error("这条快速发布已复核过")]
    AlreadyReviewed,
    #[error(transparent)]
    Database(#[from] DbError),
}

/// An administrator reviews a fast-tracked publication afterwards; the note is audited. A
/// dataset that should not have been opened is then reclassified through the usual edit form.
pub fn review_fast_track(
    conn: &mut DbConnection,
    admin: &Actor,
    id: i32,
    note: &str,
    now: NaiveDateTime,
) -> Result<rows::FastTrack, ReviewError> {
    let note = note.trim();
    if note.chars().count() < 2 || note.chars().count() > 500 {
        return Err(ReviewError::Invalid(
            "请填写复核意见（2 至 500 字），例如“符合应急公开要求”".into(),
        ));
    }
    let by = admin
        .user_id
        .ok_or_else(|| ReviewError::Invalid("只有管理员可以复核".into()))?;
    write_transaction(conn, |conn| {
        let ft = rows::fast_track(conn, id)?.ok_or(ReviewError::NotFound)?;
        if !rows::review_fast_track(conn, ft.id, by, now, note)? {
            return Err(ReviewError::AlreadyReviewed);
        }
        let d = crate::db::datasets::by_id(conn, ft.dataset_id)?;
        audit::record(
            conn,
            admin,
            now,
            "emergency.fast_track_review",
            &format!("dataset:{}", d.slug),
            serde_json::json!({ "fast_track": ft.id, "note": note }),
        )?;
        rows::fast_track(conn, id)?.ok_or(ReviewError::NotFound)
    })
}
