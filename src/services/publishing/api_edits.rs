//! What the JSON API adds to publishing: the stored record it shows, and a create or an edit
//! together with a status change in one transaction.

use chrono::NaiveDateTime;
use diesel::result::Error as DbError;

use super::{
    ClassChangeRequest, Dataset, DatasetDraft, DatasetInput, PublishError, Publisher, create,
    draft_from_row, draft_of, set_status, update,
};
use crate::db::{DbConnection, departments, write_transaction};
use crate::domain::DatasetStatus;

/// A stored dataset with what its API record shows beyond the row.
pub struct Stored {
    pub dataset: Dataset,
    pub draft: DatasetDraft,
    /// The slug of the dataset's department.
    pub department: String,
}

/// The dataset with its draft and its department's slug.
pub fn stored(conn: &mut DbConnection, dataset: Dataset) -> Result<Stored, DbError> {
    let draft = draft_from_row(conn, &dataset)?;
    let department = departments::by_id(conn, dataset.department_id)?.slug;
    Ok(Stored {
        dataset,
        draft,
        department,
    })
}

/// Creates a dataset and, when asked, moves it to `status`: both or neither.
pub fn create_with_status(
    conn: &mut DbConnection,
    p: &Publisher,
    input: &DatasetInput,
    status: Option<DatasetStatus>,
    reason: &str,
    now: NaiveDateTime,
) -> Result<Stored, PublishError> {
    write_transaction(conn, |c| {
        let mut d = create(c, p, input, reason, now)?;
        if let Some(st) = status {
            d = set_status(c, p, &d.slug, st, reason, now)?;
        }
        Ok(stored(c, d)?)
    })
}

/// Why [`edit`] changed nothing: the portal refused, or the caller's `make` did.
#[derive(Debug)]
pub enum EditError<E> {
    Publish(PublishError),
    Refused(E),
}

impl<E> From<DbError> for EditError<E> {
    fn from(e: DbError) -> Self {
        Self::Publish(PublishError::Database(e))
    }
}

impl<E> From<PublishError> for EditError<E> {
    fn from(e: PublishError) -> Self {
        Self::Publish(e)
    }
}

/// What [`edit`] did: the dataset now, the fields that changed and a class change waiting
/// for an administrator.
pub struct Edited {
    pub stored: Stored,
    pub changed: Vec<String>,
    pub pending: Option<ClassChangeRequest>,
}

/// Edits one of the publisher's datasets starting from its stored draft: `make` turns the
/// draft into the new input, the status asked for (if any) and the reason. The edit and the
/// status change succeed or fail together.
pub fn edit<E>(
    conn: &mut DbConnection,
    p: &Publisher,
    slug: &str,
    now: NaiveDateTime,
    make: impl FnOnce(DatasetDraft) -> Result<(DatasetInput, Option<DatasetStatus>, String), E>,
) -> Result<Edited, EditError<E>> {
    write_transaction(conn, |c| {
        let (_, draft) = draft_of(c, p, slug)?;
        let (input, status, reason) = make(draft).map_err(EditError::Refused)?;
        let outcome = update(c, p, slug, &input, &reason, now)?;
        let mut d = outcome.dataset;
        if let Some(st) = status.filter(|st| *st != d.status) {
            d = set_status(c, p, &d.slug, st, &reason, now)?;
        }
        Ok(Edited {
            stored: stored(c, d)?,
            changed: outcome.changed,
            pending: outcome.pending,
        })
    })
}
