//! The one gate for dataset data that leaves the portal.
//!
//! Every byte of a resource version — page preview, every download format and version, Range
//! requests, the row API, `datastore_search`, exports — is read through a [`Served`], and only
//! this module makes one (its private field keeps everyone else from building it). The rule:
//!
//! - the public (and a grant holder, inside a live grant checked by the caller) gets a version
//!   only while the dataset is published and not closed, the version is ready, not retired, and
//!   holds no personal data that nobody treated — whatever the dataset's class is now: a version
//!   uploaded while the dataset was closed was never checked for the public;
//! - the original upload leaves only when nothing in it (any sheet) was found, or an
//!   administrator overrode the finding;
//! - a department reads its own versions in any of those states, in its console.
//!
//! `tests/it/gate.rs` reads the source tree and fails when anything else reads datastore rows,
//! resource files or versions for a reader.

use diesel::result::Error as DbError;

use super::ingest;
use crate::db::DbConnection;
use crate::db::datasets::Dataset;
use crate::db::resources::{self as resource_rows, Resource};
use crate::db::versions::{self, Version};
use crate::domain::{DatasetStatus, OpenClass, is_publicly_listed};

/// A version this caller may read: the dataset, the resource, the version.
#[derive(Debug, Clone)]
pub struct Served {
    pub dataset: Dataset,
    pub resource: Resource,
    pub version: Version,
    /// Whether the original upload may leave with it.
    pub original: bool,
    /// Private: only this module makes a `Served` (`#[non_exhaustive]` would only keep other
    /// crates out).
    _gate: Gate,
}

/// The mark of a `Served` made here.
#[derive(Debug, Clone, Copy)]
struct Gate;

impl Served {
    /// The datastore table to read.
    pub fn table(&self) -> Option<&str> {
        self.version.table_name.as_deref()
    }

    fn new(dataset: Dataset, resource: Resource, version: Version) -> Self {
        let original = original_allowed(&version);
        Self {
            dataset,
            resource,
            version,
            original,
            _gate: Gate,
        }
    }
}

/// Whether and what the public may read.
#[derive(Debug, Clone)]
pub enum Access {
    Open(Box<Served>),
    /// Conditionally open: only inside a grant; the page explains how to apply.
    Conditional(Box<Dataset>),
    /// Missing, draft, withdrawn, closed, or a version that may not leave: indistinguishable.
    NotFound,
}

/// Columns (by name) of a version that hold personal data nobody treated: empty when its data
/// may leave to the public. (Findings in other sheets of a spreadsheet concern the original
/// upload only, which [`Served::original`] then holds back.)
pub fn untreated(v: &Version) -> Vec<String> {
    if v.override_reason.is_some() || v.retired_at.is_some() {
        return Vec::new();
    }
    let columns = ingest::columns_of(v);
    let mut out: Vec<String> = Vec::new();
    for f in ingest::findings_of(v) {
        if f.sheet.is_some() {
            continue;
        }
        // A column missing from a ready version's columns was dropped.
        let treated = !columns.is_empty()
            && columns
                .iter()
                .find(|c| c.source == f.column)
                .is_none_or(|c| c.treatment.is_some());
        if !treated && !out.contains(&f.name) {
            out.push(f.name.clone());
        }
    }
    out
}

/// A ready version that may leave to the public.
fn publicly_servable(v: &Version) -> bool {
    v.status == "ready"
        && v.table_name.is_some()
        && v.retired_at.is_none()
        && untreated(v).is_empty()
}

/// The original upload may leave only when nothing personal was found in it and all of it was
/// scanned (or an administrator said it may).
pub fn original_allowed(v: &Version) -> bool {
    v.source_key.is_some()
        && v.retired_at.is_none()
        // A ready version's report lists parts of its upload nobody scanned.
        && (v.status != "ready" || v.report.is_none())
        && (v.override_reason.is_some() || ingest::findings_of(v).is_empty())
}

fn pick(
    conn: &mut DbConnection,
    r: &Resource,
    version: Option<i32>,
) -> Result<Option<Version>, DbError> {
    Ok(match version {
        Some(n) => versions::by_number(conn, r.id, n)?,
        None => match r.current_version_id {
            Some(vid) => versions::by_id(conn, vid)?,
            None => None,
        },
    })
}

/// The served version of a public resource (`version` picks an older one).
pub fn public(
    conn: &mut DbConnection,
    slug: &str,
    id: i32,
    version: Option<i32>,
) -> Result<Access, DbError> {
    let Some(d) = crate::db::catalog::public_by_slug(conn, slug)? else {
        return Ok(Access::NotFound);
    };
    if !is_publicly_listed(d.status, d.open_class) || d.status != DatasetStatus::Published {
        return Ok(Access::NotFound);
    }
    let Some(r) = resource_rows::by_id(conn, id)?.filter(|r| r.dataset_id == d.id) else {
        return Ok(Access::NotFound);
    };
    if d.open_class == OpenClass::Conditional {
        return Ok(Access::Conditional(Box::new(d)));
    }
    match pick(conn, &r, version)?.filter(publicly_servable) {
        Some(v) => Ok(Access::Open(Box::new(Served::new(d, r, v)))),
        None => Ok(Access::NotFound),
    }
}

/// The served version of a resource of a conditional dataset `d` (already checked to be
/// published), for a grant holder whose grant the caller checked: chosen as for open data.
pub fn granted(
    conn: &mut DbConnection,
    d: &Dataset,
    id: i32,
    version: Option<i32>,
) -> Result<Option<Served>, DbError> {
    if d.status != DatasetStatus::Published || d.open_class != OpenClass::Conditional {
        return Ok(None);
    }
    let Some(r) = resource_rows::by_id(conn, id)?.filter(|r| r.dataset_id == d.id) else {
        return Ok(None);
    };
    Ok(pick(conn, &r, version)?
        .filter(publicly_servable)
        .map(|v| Served::new(d.clone(), r, v)))
}

/// The preview of a public dataset's page: its first resource's current version, when the
/// dataset is unconditionally open and the version may leave.
pub fn public_preview(
    conn: &mut DbConnection,
    d: &Dataset,
    r: &Resource,
) -> Result<Option<Served>, DbError> {
    if !is_publicly_listed(d.status, d.open_class)
        || d.status != DatasetStatus::Published
        || d.open_class != OpenClass::Unconditional
        || r.dataset_id != d.id
    {
        return Ok(None);
    }
    Ok(pick(conn, r, None)?
        .filter(publicly_servable)
        .map(|v| Served::new(d.clone(), r.clone(), v)))
}

/// The versions of a resource the public may pick, newest first.
pub fn public_versions(conn: &mut DbConnection, resource_id: i32) -> Result<Vec<Version>, DbError> {
    // `of_resource` is newest first already.
    Ok(versions::of_resource(conn, resource_id)?
        .into_iter()
        .filter(publicly_servable)
        .collect())
}

/// [`public_versions`] of many resources at once, by resource id.
pub fn public_versions_of(
    conn: &mut DbConnection,
    resource_ids: &[i32],
) -> Result<std::collections::HashMap<i32, Vec<Version>>, DbError> {
    let mut out: std::collections::HashMap<i32, Vec<Version>> = std::collections::HashMap::new();
    for v in versions::of_resources(conn, resource_ids)? {
        if publicly_servable(&v) {
            out.entry(v.resource_id).or_default().push(v);
        }
    }
    Ok(out)
}

/// A version of a department's own resource with its dataset and resource, and the data
/// when it can be served.
pub type OwnVersion = (Dataset, Resource, Version, Option<Served>);

/// One version of a department's own resource, for its console: any ready version, treated
/// or not (the department holds the data anyway). `d` must be a dataset the caller has
/// checked is the publisher's own (`resources::own_served` does), hence only for services.
pub(in crate::services) fn own(
    conn: &mut DbConnection,
    d: Dataset,
    id: i32,
    number: i32,
) -> Result<Option<OwnVersion>, DbError> {
    let Some(r) = resource_rows::by_id(conn, id)?.filter(|r| r.dataset_id == d.id) else {
        return Ok(None);
    };
    let Some(v) = versions::by_number(conn, r.id, number)? else {
        return Ok(None);
    };
    let served = (v.status == "ready" && v.table_name.is_some())
        .then(|| Served::new(d.clone(), r.clone(), v.clone()));
    Ok(Some((d, r, v, served)))
}

/// Versions of a dataset that hold untreated personal data, as "文件名 第 n 版（列、列）":
/// while there is one the dataset cannot leave `closed`.
pub fn untreated_versions(
    conn: &mut DbConnection,
    dataset_id: i32,
) -> Result<Vec<String>, DbError> {
    let mut out = Vec::new();
    for r in resource_rows::for_dataset(conn, dataset_id)? {
        for v in versions::of_resource(conn, r.id)? {
            if v.status != "ready" {
                continue;
            }
            let names = untreated(&v);
            if !names.is_empty() {
                out.push(format!(
                    "{} 第 {} 版（{}）",
                    r.name,
                    v.number,
                    names.join("、") // i18n: a separator inside a value
                ));
            }
        }
    }
    Ok(out)
}

/// The refusal to open a dataset that still holds untreated personal data: what and how.
pub fn opening_refused(untreated: &[String]) -> String {
    format!(
        "这些版本含有未脱敏的个人信息：{}。请在该版本的页面选择脱敏方式生成新版本，\
         或停用旧版本（删除其数据表和原始文件），然后再开放",
        untreated.join("；") // i18n: a separator inside a value
    )
}
