//! Keeping the search index in step with the database, which stays the source of truth.
//!
//! Triggers write every dataset whose search document may have changed into `search_outbox`
//! (whatever changed it: a service, the demo loader, an administrator's SQL). [`drain`] takes
//! those entries into the index and only then forgets them, so a failed index update is retried
//! by the next drain; the catalog drains before it searches. [`ensure_complete`] rebuilds an
//! index that is empty or does not hold every public dataset (startup, `kaifang reindex`).

use std::collections::{BTreeSet, HashMap};

use diesel::result::Error as DbError;

use crate::db::{DbConnection, catalog, datasets, departments, themes};
use crate::search::{SearchDoc, SearchError, SearchIndex};

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Database(#[from] DbError),
    #[error(transparent)]
    Search(#[from] SearchError),
}

/// Outbox entries taken per round.
const DRAIN_BATCH: i64 = 1_000;

/// The search documents of the public datasets (all, or those among `ids`).
pub fn documents(conn: &mut DbConnection, ids: Option<&[i32]>) -> Result<Vec<SearchDoc>, DbError> {
    let rows = catalog::public_for_index(conn, ids)?;
    let wanted: Vec<i32> = rows.iter().map(|d| d.id).collect();
    let themes: HashMap<i32, (String, String)> = themes::all(conn)?
        .into_iter()
        .map(|t| (t.id, (t.slug, t.name)))
        .collect();
    let departments: HashMap<i32, (String, String)> = departments::all(conn)?
        .into_iter()
        .map(|d| (d.id, (d.slug, d.name)))
        .collect();
    let mut formats: HashMap<i32, Vec<String>> = HashMap::new();
    let mut fields: HashMap<i32, Vec<String>> = HashMap::new();
    for chunk in wanted.chunks(5_000) {
        for (id, f) in datasets::formats_of(conn, chunk)? {
            formats.entry(id).or_default().push(f);
        }
        for f in datasets::fields_of(conn, chunk)? {
            let words = fields.entry(f.dataset_id).or_default();
            words.push(f.name);
            if !f.description.is_empty() {
                words.push(f.description);
            }
            if let Some(unit) = f.unit.filter(|u| !u.is_empty()) {
                words.push(unit);
            }
        }
    }
    Ok(rows
        .into_iter()
        .map(|d| {
            let (theme_slug, theme_name) = themes.get(&d.theme_id).cloned().unwrap_or_default();
            let (department_slug, department_name) = departments
                .get(&d.department_id)
                .cloned()
                .unwrap_or_default();
            SearchDoc {
                keywords: d.keyword_list().as_slice().to_vec(),
                formats: formats.remove(&d.id).unwrap_or_default(),
                fields: fields.remove(&d.id).unwrap_or_default(),
                id: d.id,
                slug: d.slug,
                title: d.title,
                summary: d.summary,
                department_slug,
                department_name,
                theme_slug,
                theme_name,
                open_class: d.open_class,
                update_frequency: d.update_frequency,
                last_updated_at: d.last_updated_at,
                published_at: d.published_at,
                download_count: d.download_count,
                modified_at: d.modified_at,
                created_at: d.published_at.unwrap_or(d.created_at),
                license_id: crate::domain::license_id(&d.license),
                license: d.license,
                title_en: d.title_en.unwrap_or_default(),
                summary_en: d.summary_en.unwrap_or_default(),
            }
        })
        .collect())
}

/// Outbox entries re-read behind the cursor when there is something new: on PostgreSQL an
/// entry can commit after a later-numbered one, and re-applying a few is harmless.
const LOOK_BACK: i64 = 100;

/// Takes outbox entries past the index's cursor into the index: public datasets are
/// (re)indexed, others removed, and the cursor moves in the same commit. Returns how many
/// datasets were brought up to date. Entries stay in the outbox for other processes' indexes.
pub fn drain(conn: &mut DbConnection, index: &dyn SearchIndex) -> Result<usize, SyncError> {
    let mut done = 0;
    loop {
        let cursor = index.cursor()?;
        let entries = datasets::search_outbox_after(conn, cursor, DRAIN_BATCH)?;
        let Some(last) = entries.last().map(|(e, _)| *e) else {
            return Ok(done);
        };
        let mut ids: BTreeSet<i32> = entries.iter().map(|(_, d)| *d).collect();
        if done == 0 {
            ids.extend(datasets::search_outbox_between(
                conn,
                cursor - LOOK_BACK,
                cursor,
            )?);
        }
        let ids: Vec<i32> = ids.into_iter().collect();
        let docs = documents(conn, Some(&ids))?;
        let public: BTreeSet<i32> = docs.iter().map(|d| d.id).collect();
        let gone: Vec<i32> = ids
            .iter()
            .copied()
            .filter(|i| !public.contains(i))
            .collect();
        index.apply(&docs, &gone, last)?;
        done += ids.len();
    }
}

/// Rebuilds the whole index from the database. Returns the number of documents.
pub fn rebuild(conn: &mut DbConnection, index: &dyn SearchIndex) -> Result<usize, SyncError> {
    // Entries up to here are covered by the documents read next.
    let last = datasets::search_outbox_last(conn)?.unwrap_or(0);
    let docs = documents(conn, None)?;
    index.rebuild(&docs, last)?;
    Ok(docs.len())
}

/// A backlog longer than this is cheaper to rebuild than to drain (a rebuild is one commit;
/// draining is a commit per thousand entries, and leaves the index in many small segments).
const REBUILD_BACKLOG: i64 = 5_000;

/// Brings the index up to date at startup: rebuilt when empty, far behind the outbox, or not
/// holding exactly the public catalog; drained otherwise. Returns whether it rebuilt.
pub fn ensure_complete(
    conn: &mut DbConnection,
    index: &dyn SearchIndex,
) -> Result<bool, SyncError> {
    let backlog = datasets::search_outbox_count_after(conn, index.cursor()?)?;
    if index.is_empty()? || backlog > REBUILD_BACKLOG {
        rebuild(conn, index)?;
        drain(conn, index)?;
        return Ok(true);
    }
    drain(conn, index)?;
    if index.len()? == catalog::public_count(conn)? as u64 {
        return Ok(false);
    }
    rebuild(conn, index)?;
    drain(conn, index)?;
    Ok(true)
}
