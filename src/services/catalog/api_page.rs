//! What the per-dataset API page (`/datasets/{slug}/api`, 接口文档) documents: for each
//! resource with a published version, the fields of the row API from the very dictionary that
//! API checks queries against (`preview::columns` of the version it serves), and, when the
//! dataset is unconditionally open, the first rows as the API answers them.

use diesel::QueryResult;

use super::dataset::{DatasetPage, metadata};
use crate::db::DbConnection;
use crate::db::catalog as q;
use crate::domain::{OpenClass, Slug};
use crate::services::access;
use crate::services::ingest::ColumnInfo;
use crate::services::preview::{self, RowsPage};

/// Rows in the example request and its response.
pub const EXAMPLE_ROWS: i64 = 3;

/// One resource's row API.
#[derive(Debug, Clone)]
pub struct ResourceApi {
    pub id: i32,
    pub name: String,
    /// The version the API serves by default (the current one).
    pub version: i32,
    pub columns: Vec<ColumnInfo>,
    /// The API's answer to the example request (unconditionally open data only).
    pub example: Option<RowsPage>,
}

#[derive(Debug, Clone)]
pub struct DatasetApi {
    pub page: DatasetPage,
    pub resources: Vec<ResourceApi>,
}

impl DatasetApi {
    pub fn is_open(&self) -> bool {
        self.page.dataset.open_class == OpenClass::Unconditional
    }
}

/// The API page of a public dataset; `None` for a missing, draft, withdrawn or closed one
/// (the same rule as the dataset page).
pub fn api_page(conn: &mut DbConnection, slug: &Slug) -> QueryResult<Option<DatasetApi>> {
    let Some(d) = q::public_by_slug(conn, slug.as_str())? else {
        return Ok(None);
    };
    let page = metadata(conn, d)?;
    let mut resources = Vec::new();
    for r in &page.resources {
        let Some(current) = r.versions.iter().find(|v| r.is_current(v)) else {
            continue;
        };
        let example = match access::public_preview(conn, &page.dataset, &r.resource)? {
            Some(served) => {
                let columns = preview::columns(&served.version);
                let limit = [("limit".to_owned(), EXAMPLE_ROWS.to_string())];
                match preview::parse_query(&columns, &limit) {
                    Ok(query) => Some(preview::query(conn, &served, &query)?),
                    Err(_) => None,
                }
            }
            None => None,
        };
        resources.push(ResourceApi {
            id: r.resource.id,
            name: r.resource.name.clone(),
            version: current.number,
            columns: preview::columns(current),
            example,
        });
    }
    Ok(Some(DatasetApi { page, resources }))
}
