//! The emergency zone (Art. 36): events, updates posted by the responsible department, the
//! event pages' figures and series, and the live channel that tells open pages about updates.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use diesel::result::Error as DbError;

use super::{Actor, audit};
pub use crate::db::departments::Department;
use crate::db::emergencies::{self as rows, NewAttachment, NewEvent, NewUpdate, NewValue, Value};
pub use crate::db::emergencies::{Attachment, Event, Update};
use crate::db::users::User;
use crate::db::{DbConnection, catalog as catalog_rows, departments, write_transaction};
use crate::domain::emergency::{UpdateContent, ValueInput, check_update};
use crate::domain::{EventCategory, EventStatus, Role};

/// What tells open event pages that an update arrived (in process; see `startup`).
pub type Live = tokio::sync::broadcast::Sender<LiveUpdate>;

/// One update, as the live channel carries it.
#[derive(Debug, Clone)]
pub struct LiveUpdate {
    pub slug: String,
    pub update_id: i32,
}

pub fn live_channel() -> Live {
    tokio::sync::broadcast::channel(256).0
}

/// The PostgreSQL channel on which updates are announced to every instance.
pub const NOTIFY_CHANNEL: &str = "kaifang_emergency";

impl LiveUpdate {
    /// `slug:update_id`, the NOTIFY payload.
    pub fn payload(&self) -> String {
        format!("{}:{}", self.slug, self.update_id)
    }

    pub fn from_payload(p: &str) -> Option<Self> {
        let (slug, id) = p.rsplit_once(':')?;
        Some(Self {
            slug: slug.to_owned(),
            update_id: id.parse().ok()?,
        })
    }
}

/// Tells this instance's open pages about a stored update, unless the database announces it to
/// every instance (PostgreSQL: the listener passes it on).
pub fn announce(live: &Live, by_database: bool, event: &Event, update: &Update) {
    if !by_database {
        // No open page is not an error.
        let _ = live.send(LiveUpdate {
            slug: event.slug.clone(),
            update_id: update.id,
        });
    }
}

/// Whether updates reach other instances through the database (PostgreSQL's NOTIFY, sent on
/// commit); on SQLite there is one instance and the poster tells its own pages.
pub fn announced_by_database(conn: &DbConnection) -> bool {
    matches!(conn, DbConnection::Pg(_))
}

#[derive(Debug, thiserror::Error)]
pub enum EmergencyError {
    #[error("没有这个突发事件")]
    NotFound,
    #[error("只有负责该事件的部门（{0}）的数据提供人员可以发布更新")]
    Forbidden(String),
    #[error("该事件已结束，不能再发布更新")]
    Closed,
    #[error("提交的内容有误")]
    Invalid(Vec<(String, String)>),
    #[error(transparent)]
    Database(#[from] DbError),
}

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
            },
        )?;
        audit::record(
            conn,
            actor,
            "emergency.create",
            &format!("emergency:{}", event.id),
            serde_json::json!({ "slug": event.slug, "department": input.department_id }),
        )?;
        Ok(event)
    })
}

/// A file stored for an update's attachment (already in the file store).
#[derive(Debug, Clone)]
pub struct NewFile {
    pub key: String,
    pub name: String,
    pub media_type: &'static str,
    pub size: i64,
}

/// The largest attachment, in bytes.
pub const MAX_ATTACHMENT: u64 = 10 * 1024 * 1024;

/// Whether the file store holds a file with this SHA-256 already (the store is
/// content-addressed: an upload identical to a file kept for something else shares its file,
/// which must then outlive a refused attachment).
pub fn already_stored(store: &crate::storage::FileStore, sha256: &str) -> bool {
    sha256
        .get(..2)
        .and_then(|dir| store.path(&format!("{dir}/{sha256}")))
        .is_some_and(|p| p.exists())
}

/// After an attachment that was kept but then refused (the event closed, the update full
/// meanwhile): removes the file this request added, unless an attachment refers to it by now.
pub fn forget_attachment(
    conn: &mut DbConnection,
    store: &crate::storage::FileStore,
    key: &str,
) -> Result<(), DbError> {
    use crate::db::schema::emergency_attachments::dsl::{emergency_attachments, file_key};
    use diesel::prelude::*;
    let used: i64 = emergency_attachments
        .filter(file_key.eq(key))
        .count()
        .get_result(conn)?;
    if used == 0
        && let Err(e) = store.remove(key)
    {
        tracing::warn!(key, error = %e, "could not remove a refused attachment");
    }
    Ok(())
}

/// The event, if this user may post to it: a publisher of the responsible department, while
/// the event is active.
pub fn postable(conn: &mut DbConnection, user: &User, slug: &str) -> Result<Event, EmergencyError> {
    let event = rows::by_slug(conn, slug)?.ok_or(EmergencyError::NotFound)?;
    if user.role != Role::Publisher || user.department_id != Some(event.department_id) {
        let dept = departments::by_id(conn, event.department_id)?;
        return Err(EmergencyError::Forbidden(dept.name));
    }
    if event.status != EventStatus::Active.as_str() {
        return Err(EmergencyError::Closed);
    }
    Ok(event)
}

/// On PostgreSQL, tells every instance (on commit) that the update changed.
fn notify(conn: &mut DbConnection, event: &Event, update_id: i32) -> Result<(), DbError> {
    if announced_by_database(conn) {
        use diesel::RunQueryDsl;
        let payload = LiveUpdate {
            slug: event.slug.clone(),
            update_id,
        }
        .payload();
        diesel::sql_query("SELECT pg_notify($1, $2)")
            .bind::<diesel::sql_types::Text, _>(NOTIFY_CHANNEL)
            .bind::<diesel::sql_types::Text, _>(payload)
            .execute(conn)?;
    }
    Ok(())
}

/// Stores an attachment's row. The name it is offered under (page, API, feed, download) is
/// decided here: the client's name with the extension of the type told from the bytes, so that
/// `x.html` holding a PDF is offered as `x.pdf`.
fn insert_attachment(
    conn: &mut DbConnection,
    update_id: i32,
    file: &NewFile,
    now: NaiveDateTime,
) -> Result<Attachment, DbError> {
    let name = crate::domain::attachment::named_as(&file.name, file.media_type);
    rows::insert_attachment(
        conn,
        &NewAttachment {
            update_id,
            file_key: &file.key,
            file_name: &name,
            media_type: file.media_type,
            size: file.size,
            created_at: now,
        },
    )
}

/// Checks an update as [`post_update`] would, storing nothing (the console checks before it
/// keeps an attachment, so that a refused update leaves no file).
pub fn check_post(
    conn: &mut DbConnection,
    user: &User,
    slug: &str,
    text: &str,
    values: &[ValueInput],
    reported_at: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> Result<(Event, UpdateContent), EmergencyError> {
    let event = postable(conn, user, slug)?;
    let content: UpdateContent = check_update(text, values).map_err(EmergencyError::Invalid)?;
    if let Some(at) = reported_at
        && (at > now + chrono::Duration::minutes(5) || at < event.started_at)
    {
        return Err(EmergencyError::Invalid(vec![(
            "at".into(),
            "数据时间应在事件开始之后、不晚于现在".into(),
        )]));
    }
    Ok((event, content))
}

/// An update as a department posts it, for [`post_update`].
#[derive(Clone, Copy)]
pub struct Posted<'a> {
    pub text: &'a str,
    pub values: &'a [ValueInput],
    /// When the situation was observed (the posting time when not given).
    pub reported_at: Option<NaiveDateTime>,
    /// A file already in the store.
    pub attachment: Option<&'a NewFile>,
}

/// Posts an update, with an optional attachment: only a publisher of the responsible
/// department, only while the event is active, only a valid update. Nothing is stored
/// otherwise.
pub fn post_update(
    conn: &mut DbConnection,
    user: &User,
    slug: &str,
    posted: Posted<'_>,
    now: NaiveDateTime,
    actor: &Actor,
) -> Result<(Event, Update), EmergencyError> {
    let Posted {
        text,
        values,
        reported_at,
        attachment,
    } = posted;
    let (event, content) = check_post(conn, user, slug, text, values, reported_at, now)?;
    let update = write_transaction(conn, |conn| {
        let update = rows::insert_update(
            conn,
            &NewUpdate {
                event_id: event.id,
                reported_at: reported_at.unwrap_or(now),
                posted_at: now,
                body: &content.text,
                posted_by: Some(user.id),
            },
        )?;
        let values: Vec<NewValue<'_>> = content
            .values
            .iter()
            .map(|v| NewValue {
                update_id: update.id,
                indicator: &v.name,
                value: v.value,
                unit: v.unit,
                region: &v.region,
            })
            .collect();
        rows::insert_values(conn, &values)?;
        let attached = attachment
            .map(|f| insert_attachment(conn, update.id, f, now))
            .transpose()?;
        audit::record(
            conn,
            actor,
            "emergency.update",
            &format!("emergency:{}", event.id),
            serde_json::json!({
                "update": update.id,
                "values": values.len(),
                "attachment": attached.map(|a| a.id),
            }),
        )?;
        notify(conn, &event, update.id)?;
        Ok::<_, DbError>(update)
    })?;
    Ok((event, update))
}

/// Adds a file to an update already posted (the API's second step). Same rules as posting;
/// at most [`MAX_ATTACHMENTS`](crate::domain::emergency::MAX_ATTACHMENTS) per update.
pub fn attach(
    conn: &mut DbConnection,
    user: &User,
    slug: &str,
    update_id: i32,
    file: &NewFile,
    now: NaiveDateTime,
    actor: &Actor,
) -> Result<(Event, Update, Attachment), EmergencyError> {
    let (event, update) = attachable_update(conn, user, slug, update_id)?;
    write_transaction(conn, |conn| {
        room_for_attachment(conn, &update)?;
        let a = insert_attachment(conn, update.id, file, now)?;
        audit::record(
            conn,
            actor,
            "emergency.attachment",
            &format!("emergency:{}", event.id),
            serde_json::json!({ "update": update.id, "attachment": a.id, "size": a.size }),
        )?;
        notify(conn, &event, update.id)?;
        Ok((event, update, a))
    })
}

/// The event and update `user` may attach a file to.
fn attachable_update(
    conn: &mut DbConnection,
    user: &User,
    slug: &str,
    update_id: i32,
) -> Result<(Event, Update), EmergencyError> {
    let event = postable(conn, user, slug)?;
    let update = rows::update_by_id(conn, update_id)?
        .filter(|u| u.event_id == event.id)
        .ok_or(EmergencyError::NotFound)?;
    Ok((event, update))
}

/// Refuses an update that has its [`MAX_ATTACHMENTS`](crate::domain::emergency::MAX_ATTACHMENTS)
/// already.
fn room_for_attachment(conn: &mut DbConnection, update: &Update) -> Result<(), EmergencyError> {
    let max = crate::domain::emergency::MAX_ATTACHMENTS;
    if rows::attachments_of(conn, &[update.id])?.len() >= max {
        return Err(EmergencyError::Invalid(vec![(
            "file".into(),
            format!("每条更新最多 {max} 个附件"),
        )]));
    }
    Ok(())
}

/// Whether `user` may attach a file to this update and it has room for one: [`attach`]'s
/// checks, for the API to make before it reads the body.
pub fn check_attach(
    conn: &mut DbConnection,
    user: &User,
    slug: &str,
    update_id: i32,
) -> Result<(), EmergencyError> {
    let (_, update) = attachable_update(conn, user, slug, update_id)?;
    room_for_attachment(conn, &update)
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
            "emergency.close",
            &format!("emergency:{}", event.id),
            serde_json::json!({ "slug": event.slug }),
        )?;
        Ok(true)
    })
}

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
    let updates: Vec<UpdateView> = updates
        .into_iter()
        .map(|u| UpdateView {
            values: by_update.remove(&u.id).unwrap_or_default(),
            attachments: files.remove(&u.id).unwrap_or_default(),
            update: u,
        })
        .collect();
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

/// A line chart of one series, laid out for an SVG 640 × 200.
#[derive(Debug, Clone)]
pub struct LineChart {
    pub width: f64,
    pub height: f64,
    /// `x,y x,y …` for `<polyline points>`.
    pub points: String,
    pub dots: Vec<(f64, f64)>,
    pub max_label: String,
    /// The value at the baseline: 0, or just under the lowest value for series that move in a
    /// narrow band far from zero (a water level).
    pub min_label: String,
    pub first_label: String,
    pub last_label: String,
    /// Left edge of the plot and the baseline's y.
    pub left: f64,
    pub bottom: f64,
}

pub fn line_chart(series: &Series) -> LineChart {
    const W: f64 = 640.0;
    const H: f64 = 200.0;
    const LEFT: f64 = 60.0;
    const RIGHT: f64 = 16.0;
    const TOP: f64 = 14.0;
    const BOTTOM: f64 = 30.0;
    let max = series
        .points
        .iter()
        .map(|(_, v)| *v)
        .fold(0.0_f64, f64::max);
    let min = series
        .points
        .iter()
        .map(|(_, v)| *v)
        .fold(f64::INFINITY, f64::min);
    let lo = if min.is_finite() && min > 0.0 && max - min < 0.5 * max {
        (min - (max - min).max(max * 0.01) * 0.2).max(0.0)
    } else {
        0.0
    };
    let first = series.points.first().map(|(t, _)| *t);
    let last = series.points.last().map(|(t, _)| *t);
    let span = match (first, last) {
        (Some(a), Some(b)) => (b - a).num_seconds().max(1) as f64,
        _ => 1.0,
    };
    let dots: Vec<(f64, f64)> = series
        .points
        .iter()
        .map(|(t, v)| {
            let x = if series.points.len() == 1 {
                LEFT + (W - LEFT - RIGHT) / 2.0
            } else {
                LEFT + (*t - first.unwrap_or(*t)).num_seconds() as f64 / span * (W - LEFT - RIGHT)
            };
            let y = if max > lo {
                TOP + (1.0 - (v.max(lo) - lo) / (max - lo)) * (H - TOP - BOTTOM)
            } else {
                H - BOTTOM
            };
            ((x * 10.0).round() / 10.0, (y * 10.0).round() / 10.0)
        })
        .collect();
    // Beijing time, as everywhere on the site.
    let fmt = |t: Option<NaiveDateTime>| {
        t.map(|t| {
            (t + chrono::Duration::hours(8))
                .format("%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default()
    };
    LineChart {
        width: W,
        height: H,
        points: dots
            .iter()
            .map(|(x, y)| format!("{x},{y}"))
            .collect::<Vec<_>>()
            .join(" "),
        dots,
        max_label: super::preview::format_number(max),
        min_label: super::preview::format_number(lo),
        first_label: fmt(first),
        last_label: fmt(last),
        left: LEFT,
        bottom: H - BOTTOM,
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: u32) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 7, 1)
            .unwrap()
            .and_hms_opt(h, 0, 0)
            .unwrap()
    }

    #[test]
    fn the_chart_spans_the_series() {
        let s = Series {
            indicator: "转移安置人数".into(),
            unit: "人".into(),
            points: vec![(at(0), 0.0), (at(6), 50.0), (at(12), 100.0)],
        };
        let c = line_chart(&s);
        assert_eq!(c.dots.first(), Some(&(60.0, 170.0)));
        assert_eq!(c.dots.last(), Some(&(624.0, 14.0)));
        assert_eq!(c.dots[1], (342.0, 92.0));
        assert_eq!(c.max_label, "100");
        assert_eq!(c.first_label, "07-01 08:00", "Beijing time");
        assert_eq!(c.min_label, "0");
        // A narrow band far from zero gets a baseline under its lowest value.
        let level = Series {
            indicator: "水位".into(),
            unit: "m".into(),
            points: vec![(at(0), 11.0), (at(1), 12.0)],
        };
        let c = line_chart(&level);
        assert_eq!(c.min_label, "10.8");
        assert_eq!(
            c.dots[0].1, 144.0,
            "the lowest value sits just above the baseline"
        );
        assert_eq!(c.dots[1].1, 14.0);
    }
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
            "emergency.link",
            &format!("emergency:{}", event.id),
            serde_json::json!({ "dataset": d.slug }),
        )?;
        Ok(event)
    })
}

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
        let (before, after) =
            publishing::open_at_once(conn, publisher, &d.slug, reason).map_err(|e| match e {
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
            "emergency.fast_track_review",
            &format!("dataset:{}", d.slug),
            serde_json::json!({ "fast_track": ft.id, "note": note }),
        )?;
        rows::fast_track(conn, id)?.ok_or(ReviewError::NotFound)
    })
}
