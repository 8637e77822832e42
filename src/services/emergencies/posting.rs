//! Posting updates to an event: checks, the update with its values, attachments.

use chrono::NaiveDateTime;
use diesel::result::Error as DbError;

use super::{
    Attachment, EmergencyError, Event, LiveUpdate, NOTIFY_CHANNEL, Update, announced_by_database,
    postable,
};
use crate::db::emergencies::{self as rows, NewAttachment, NewUpdate, NewValue};
use crate::db::users::User;
use crate::db::{DbConnection, write_transaction};
use crate::domain::emergency::{UpdateContent, ValueInput, check_update};
use crate::services::{Actor, audit};

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
            now,
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
            now,
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
