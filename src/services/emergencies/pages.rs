//! Reading: the lists of events, an event's page with its series, the admin overview.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use diesel::result::Error as DbError;

use super::{Attachment, Department, Event, FastTrackView, Update, fast_tracks};
use crate::db::emergencies::{self as rows, Value};
use crate::db::{DbConnection, catalog as catalog_rows, departments};
use crate::domain::{EventCategory, EventStatus};

/// An event in a list.
#[derive(Debug, Clone)]
pub struct EventSummary {
    pub event: Event,
    pub department: String,
    pub last_update: Option<NaiveDateTime>,
    pub overdue: bool,
}

impl EventSummary {
    pub fn is_active(&self) -> bool {
        self.event.status == EventStatus::Active.as_str()
    }
    pub fn category_label(&self) -> &'static str {
        category_label(&self.event.category)
    }
}

pub fn category_label(category: &str) -> &'static str {
    category
        .parse::<EventCategory>()
        .map(|c| c.label())
        .unwrap_or("突发事件")
}

/// Whether an active event's figures are older than its declared update interval.
fn is_overdue(event: &Event, last: Option<NaiveDateTime>, now: NaiveDateTime) -> bool {
    event.status == EventStatus::Active.as_str()
        && now - last.unwrap_or(event.started_at)
            > chrono::Duration::minutes(i64::from(event.update_interval_minutes))
}

/// Every event, active first, each with its last update and whether it is overdue.
pub fn list(conn: &mut DbConnection, now: NaiveDateTime) -> Result<Vec<EventSummary>, DbError> {
    let last: BTreeMap<i32, Option<NaiveDateTime>> =
        rows::last_updates(conn)?.into_iter().collect();
    let names: BTreeMap<i32, String> = departments::all(conn)?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect();
    Ok(rows::all(conn)?
        .into_iter()
        .map(|event| {
            let last_update = last.get(&event.id).copied().flatten();
            EventSummary {
                overdue: is_overdue(&event, last_update, now),
                department: names.get(&event.department_id).cloned().unwrap_or_default(),
                last_update,
                event,
            }
        })
        .collect())
}

/// Active events (for the site banner).
pub fn active_count(conn: &mut DbConnection) -> Result<i64, DbError> {
    rows::active_count(conn)
}

/// One update with its values.
#[derive(Debug, Clone)]
pub struct UpdateView {
    pub update: Update,
    pub values: Vec<Value>,
    pub attachments: Vec<Attachment>,
}

/// One indicator's series: the sum of its values in each update, oldest first.
#[derive(Debug, Clone)]
pub struct Series {
    pub indicator: String,
    pub unit: String,
    pub points: Vec<(NaiveDateTime, f64)>,
}

impl Series {
    pub fn latest(&self) -> Option<&(NaiveDateTime, f64)> {
        self.points.last()
    }
}

/// A dataset opened for an event, with its published files (downloadable without an account
/// when the dataset is unconditionally open).
#[derive(Debug, Clone)]
pub struct LinkedDataset {
    pub slug: String,
    pub title: String,
    pub open: bool,
    /// (resource id, name) of resources with a published version.
    pub files: Vec<(i32, String)>,
    pub last_updated_at: NaiveDateTime,
}

/// An event page.
#[derive(Debug, Clone)]
pub struct EventPage {
    pub summary: EventSummary,
    /// Newest first.
    pub updates: Vec<UpdateView>,
    pub series: Vec<Series>,
    /// Linked datasets the public may see.
    pub datasets: Vec<LinkedDataset>,
}

pub fn page(
    conn: &mut DbConnection,
    slug: &str,
    now: NaiveDateTime,
) -> Result<Option<EventPage>, DbError> {
    let Some(event) = rows::by_slug(conn, slug)? else {
        return Ok(None);
    };
    let updates = rows::updates(conn, event.id)?;
    let updates = views(conn, updates)?;
    // Series in order of first appearance, oldest point first.
    let mut series: Vec<Series> = Vec::new();
    for u in updates.iter().rev() {
        let mut sums: Vec<((String, String), f64)> = Vec::new();
        for v in &u.values {
            let key = (v.indicator.clone(), v.unit.clone());
            match sums.iter_mut().find(|(k, _)| *k == key) {
                Some((_, s)) => *s += v.value,
                None => sums.push((key, v.value)),
            }
        }
        for ((indicator, unit), sum) in sums {
            let at = u.update.reported_at;
            match series
                .iter_mut()
                .find(|s| s.indicator == indicator && s.unit == unit)
            {
                Some(s) => s.points.push((at, sum)),
                None => series.push(Series {
                    indicator,
                    unit,
                    points: vec![(at, sum)],
                }),
            }
        }
    }
    let dataset_ids = rows::dataset_ids(conn, event.id)?;
    let mut datasets = Vec::new();
    for d in catalog_rows::public_by_ids(conn, &dataset_ids)? {
        let files = crate::db::resources::for_dataset(conn, d.id)?
            .into_iter()
            .filter(|r| r.current_version_id.is_some())
            .map(|r| (r.id, r.name))
            .collect();
        datasets.push(LinkedDataset {
            open: d.open_class == crate::domain::OpenClass::Unconditional,
            slug: d.slug,
            title: d.title,
            files,
            last_updated_at: d.last_updated_at,
        });
    }
    let last_update = updates.iter().map(|u| u.update.posted_at).max();
    let department = departments::by_id(conn, event.department_id)?.name;
    Ok(Some(EventPage {
        summary: EventSummary {
            overdue: is_overdue(&event, last_update, now),
            department,
            last_update,
            event,
        },
        updates,
        series,
        datasets,
    }))
}

/// Updates with their values and attachments, in the order given.
fn views(conn: &mut DbConnection, updates: Vec<Update>) -> Result<Vec<UpdateView>, DbError> {
    let ids: Vec<i32> = updates.iter().map(|u| u.id).collect();
    let mut by_update: BTreeMap<i32, Vec<Value>> = BTreeMap::new();
    for v in rows::values_of(conn, &ids)? {
        by_update.entry(v.update_id).or_default().push(v);
    }
    let mut files: BTreeMap<i32, Vec<Attachment>> = BTreeMap::new();
    for mut a in rows::attachments_of(conn, &ids)? {
        // Rows stored before names followed the type are offered as they are now.
        a.file_name = crate::domain::attachment::named_as(&a.file_name, &a.media_type);
        files.entry(a.update_id).or_default().push(a);
    }
    Ok(updates
        .into_iter()
        .map(|u| UpdateView {
            values: by_update.remove(&u.id).unwrap_or_default(),
            attachments: files.remove(&u.id).unwrap_or_default(),
            update: u,
        })
        .collect())
}

/// The updates of the event with this slug posted after update `after` (by id), oldest first,
/// or `None` when there is no such event: what a live stream sends, and replays to a reader
/// who reconnects with the id of the last update it received.
pub fn updates_after(
    conn: &mut DbConnection,
    slug: &str,
    after: i32,
) -> Result<Option<Vec<UpdateView>>, DbError> {
    let Some(event) = rows::by_slug(conn, slug)? else {
        return Ok(None);
    };
    let newer = rows::updates_after(conn, event.id, after)?;
    Ok(Some(views(conn, newer)?))
}

/// The id of the event's newest update (0 when none), where a new stream starts.
pub fn last_update_id(conn: &mut DbConnection, slug: &str) -> Result<Option<i32>, DbError> {
    let Some(event) = rows::by_slug(conn, slug)? else {
        return Ok(None);
    };
    Ok(Some(rows::last_update_id(conn, event.id)?.unwrap_or(0)))
}

/// Whether an event with this slug exists.
pub fn exists(conn: &mut DbConnection, slug: &str) -> Result<bool, DbError> {
    Ok(crate::db::emergencies::by_slug(conn, slug)?.is_some())
}

/// An update's attachment, when it belongs to the event with this slug.
pub fn public_attachment(
    conn: &mut DbConnection,
    slug: &str,
    id: i32,
) -> Result<Option<Attachment>, DbError> {
    let Some(event) = rows::by_slug(conn, slug)? else {
        return Ok(None);
    };
    let Some(a) = rows::attachment(conn, id)? else {
        return Ok(None);
    };
    let update = rows::update_by_id(conn, a.update_id)?;
    Ok(update.filter(|u| u.event_id == event.id).map(|_| a))
}

/// What the administrators' emergency page lists.
pub struct AdminOverview {
    pub events: Vec<EventSummary>,
    /// The departments an event can be given to.
    pub departments: Vec<Department>,
    pub fast_tracks: Vec<FastTrackView>,
}

pub fn admin_overview(
    conn: &mut DbConnection,
    now: NaiveDateTime,
) -> Result<AdminOverview, DbError> {
    Ok(AdminOverview {
        events: list(conn, now)?,
        departments: departments::all(conn)?,
        fast_tracks: fast_tracks(conn)?,
    })
}
