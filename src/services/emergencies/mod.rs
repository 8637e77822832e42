//! The emergency zone (Art. 36): events, updates posted by the responsible department, the
//! event pages' figures and series, and the live channel that tells open pages about updates.

use diesel::result::Error as DbError;

pub use crate::db::departments::Department;
use crate::db::emergencies as rows;
pub use crate::db::emergencies::{Attachment, Event, Update};
use crate::db::users::User;
use crate::db::{DbConnection, departments};
use crate::domain::{EventStatus, Role};

// One file per job; the public paths stay here.
mod events;
mod fast_track;
mod pages;
mod posting;

pub use events::{
    EventDraft, EventInput, OwnDataset, close_event, create_event, declare, link_own_dataset,
    own_datasets,
};
pub use fast_track::{FastTrackView, ReviewError, fast_track, fast_tracks, review_fast_track};
pub use pages::{
    AdminOverview, EventPage, EventSummary, LinkedDataset, Series, UpdateView, active_count,
    admin_overview, category_label, exists, last_update_id, list, page, public_attachment,
    updates_after,
};
pub use posting::{
    MAX_ATTACHMENT, NewFile, Posted, already_stored, attach, check_attach, check_post,
    forget_attachment, post_update,
};

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
