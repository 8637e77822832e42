//! The public dataset page and the public metadata of datasets (API, CKAN, exports,
//! harvesters).

use chrono::NaiveDateTime;
use diesel::QueryResult;

use super::{Dataset, Department, Field, Resource, Theme};
use crate::db::DbConnection;
use crate::db::catalog::{self as q};
use crate::db::datasets::{self as dataset_rows};
use crate::db::departments::{self as department_rows};
use crate::db::resources::{self as resource_rows};
use crate::db::themes::{self as theme_rows};
use crate::domain::region_code::anhui_region_name;
use crate::domain::{Keywords, OpenClass, RegionCode, Slug};
use crate::services::{access, preview};

#[derive(Debug, Clone)]
pub struct DatasetPage {
    pub dataset: Dataset,
    pub keywords: Keywords,
    pub theme: Theme,
    pub department: Department,
    pub spatial_name: Option<&'static str>,
    pub fields: Vec<Field>,
    pub formats: Vec<String>,
    /// Resources with a published version, each with its version history.
    pub resources: Vec<PublicResource>,
    /// The first rows, summary and chart of the first resource (unconditionally open only).
    pub preview: Option<(Resource, preview::Preview)>,
}

/// A resource on the dataset page.
#[derive(Debug, Clone)]
pub struct PublicResource {
    pub resource: Resource,
    /// The versions the public may pick, newest first.
    pub versions: Vec<crate::db::versions::Version>,
    /// The original upload may leave (nothing personal was found in any of its sheets).
    pub original: bool,
}

impl PublicResource {
    pub fn is_current(&self, v: &crate::db::versions::Version) -> bool {
        self.resource.current_version_id == Some(v.id)
    }
}

#[derive(Debug, Clone)]
pub enum DatasetLookup {
    Found(Box<DatasetPage>),
    /// Once public, now withdrawn by its department: the page says so instead of vanishing.
    Withdrawn {
        title: String,
    },
    /// Missing, draft or closed: indistinguishable to the public.
    NotFound,
}

/// A dataset page for the public. With `count_view` the view is counted; failing to count is
/// logged and does not fail the page.
pub fn dataset(
    conn: &mut DbConnection,
    slug: &Slug,
    count_view: bool,
) -> QueryResult<DatasetLookup> {
    let Some(d) = q::public_by_slug(conn, slug.as_str())? else {
        // Only what the public once saw may say it was withdrawn.
        return Ok(
            match dataset_rows::once_public_by_slug(conn, slug.as_str())? {
                Some(d) => DatasetLookup::Withdrawn { title: d.title },
                None => DatasetLookup::NotFound,
            },
        );
    };
    if count_view && let Err(e) = dataset_rows::record_view(conn, d.id) {
        tracing::warn!(error = %e, dataset = d.id, "could not count a view");
    }
    let mut page = metadata(conn, d)?;
    page.preview = match page.resources.first() {
        Some(first) => match access::public_preview(conn, &page.dataset, &first.resource)? {
            Some(served) => Some((first.resource.clone(), preview::preview(conn, &served)?)),
            None => None,
        },
        None => None,
    };
    Ok(DatasetLookup::Found(Box::new(page)))
}

/// A public dataset's metadata, resources and versions, without the preview: what the API, the
/// CKAN API and the exports describe. The caller has checked that `d` is public.
pub fn metadata(conn: &mut DbConnection, d: Dataset) -> QueryResult<DatasetPage> {
    let mut pages = metadata_of(conn, vec![d])?;
    pages.pop().ok_or(diesel::result::Error::NotFound)
}

/// [`metadata`] of many datasets, in their order, in a fixed number of queries (a handful per
/// 5,000 datasets) however many there are.
pub fn metadata_of(conn: &mut DbConnection, rows: Vec<Dataset>) -> QueryResult<Vec<DatasetPage>> {
    use std::collections::HashMap;
    let ids: Vec<i32> = rows.iter().map(|d| d.id).collect();
    let mut themes: HashMap<i32, Theme> = HashMap::new();
    let mut departments: HashMap<i32, Department> = HashMap::new();
    let mut fields: HashMap<i32, Vec<Field>> = HashMap::new();
    let mut formats: HashMap<i32, Vec<String>> = HashMap::new();
    let mut resources: HashMap<i32, Vec<PublicResource>> = HashMap::new();
    for chunk in ids.chunks(5_000) {
        for f in dataset_rows::fields_of(conn, chunk)? {
            fields.entry(f.dataset_id).or_default().push(f);
        }
        for (id, f) in dataset_rows::formats_of(conn, chunk)? {
            formats.entry(id).or_default().push(f);
        }
        let listed: Vec<Resource> = resource_rows::for_datasets(conn, chunk)?
            .into_iter()
            .filter(|r| r.current_version_id.is_some())
            .collect();
        let resource_ids: Vec<i32> = listed.iter().map(|r| r.id).collect();
        let mut versions = access::public_versions_of(conn, &resource_ids)?;
        for r in listed {
            let versions = versions.remove(&r.id).unwrap_or_default();
            let original = versions
                .iter()
                .find(|v| Some(v.id) == r.current_version_id)
                .is_some_and(access::original_allowed);
            resources
                .entry(r.dataset_id)
                .or_default()
                .push(PublicResource {
                    resource: r,
                    versions,
                    original,
                });
        }
    }
    let mut pages = Vec::with_capacity(rows.len());
    for d in rows {
        let theme = match themes.get(&d.theme_id) {
            Some(t) => t.clone(),
            None => {
                let t = theme_rows::by_id(conn, d.theme_id)?;
                themes.insert(t.id, t.clone());
                t
            }
        };
        let department = match departments.get(&d.department_id) {
            Some(x) => x.clone(),
            None => {
                let x = department_rows::by_id(conn, d.department_id)?;
                departments.insert(x.id, x.clone());
                x
            }
        };
        let spatial_name = RegionCode::parse(&d.spatial_coverage)
            .ok()
            .and_then(|c| anhui_region_name(&c));
        pages.push(DatasetPage {
            keywords: d.keyword_list(),
            theme,
            department,
            spatial_name,
            fields: fields.remove(&d.id).unwrap_or_default(),
            formats: formats.remove(&d.id).unwrap_or_default(),
            resources: resources.remove(&d.id).unwrap_or_default(),
            preview: None,
            dataset: d,
        });
    }
    Ok(pages)
}

/// A public dataset's metadata by slug; `None` for missing, draft, withdrawn or closed ones.
pub fn public_metadata(conn: &mut DbConnection, slug: &str) -> QueryResult<Option<DatasetPage>> {
    match q::public_by_slug(conn, slug)? {
        Some(d) => metadata(conn, d).map(Some),
        None => Ok(None),
    }
}

/// Public datasets changed at or after `since` (all when `None`), oldest change first: the
/// total and one page, for harvesters.
pub fn harvest(
    conn: &mut DbConnection,
    since: Option<NaiveDateTime>,
    offset: i64,
    limit: i64,
) -> QueryResult<(i64, Vec<DatasetPage>)> {
    let (total, rows) = q::changed_since(conn, since, offset, limit)?;
    let pages = rows
        .into_iter()
        .map(|d| metadata(conn, d))
        .collect::<QueryResult<Vec<_>>>()?;
    Ok((total, pages))
}

/// The slug of an unconditionally open dataset among the 200 most recently changed, for the
/// developers' page to use in its examples.
pub fn example_slug(conn: &mut DbConnection) -> QueryResult<Option<String>> {
    Ok(q::changed_since(conn, None, 0, 200)?
        .1
        .into_iter()
        .find(|d| d.open_class == OpenClass::Unconditional)
        .map(|d| d.slug))
}
