//! What the CKAN Action API reads: searches through the same [`SearchIndex`] as the catalog,
//! then the packages of one page in a fixed number of queries. Nothing here loads the whole
//! catalog: lists and counts come from the index or from one narrow query.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use diesel::result::Error as DbError;

use super::catalog;
use crate::db::DbConnection;
use crate::db::{catalog as catalog_rows, departments, resources as resource_rows, themes};
use crate::domain::Keywords;
use crate::search::{FacetCounts, SearchError, SearchIndex, SearchQuery};

pub use super::catalog::{DatasetPage, PublicResource};
pub use crate::db::departments::Department;
pub use crate::db::themes::Theme;

#[derive(Debug, thiserror::Error)]
pub enum CkanError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Search(#[from] SearchError),
}

/// A page of `package_search`.
pub struct Found {
    pub total: u64,
    /// In the order of the search.
    pub packages: Vec<DatasetPage>,
    pub facets: FacetCounts,
}

/// Brings the index up to date (a failure is logged: the index is searched as it is).
fn catch_up(c: &mut DbConnection, index: &dyn SearchIndex) {
    if let Err(e) = super::search::drain(c, index) {
        tracing::warn!(error = %e, "search index update failed; searching the index as it is");
    }
}

/// The public datasets among `ids`, with their metadata, in the order of `ids` (any the index
/// still holds but the public may no longer see are left out).
fn packages(c: &mut DbConnection, ids: &[i32]) -> Result<Vec<DatasetPage>, DbError> {
    let mut rows: HashMap<i32, crate::db::datasets::Dataset> = HashMap::new();
    for chunk in ids.chunks(5_000) {
        rows.extend(
            catalog_rows::public_by_ids(c, chunk)?
                .into_iter()
                .map(|d| (d.id, d)),
        );
    }
    let ordered = ids.iter().filter_map(|id| rows.remove(id)).collect();
    catalog::metadata_of(c, ordered)
}

/// `package_search`: one search of the index, then the packages of its page.
pub fn search(
    c: &mut DbConnection,
    index: &dyn SearchIndex,
    q: &SearchQuery,
) -> Result<Found, CkanError> {
    catch_up(c, index);
    let found = index.search(q)?;
    let ids: Vec<i32> = found.hits.iter().map(|h| h.id).collect();
    Ok(Found {
        total: found.total,
        packages: packages(c, &ids)?,
        facets: found.facets,
    })
}

/// `package_list`: public slugs in order.
pub fn names(c: &mut DbConnection, offset: i64, limit: i64) -> Result<Vec<String>, CkanError> {
    Ok(catalog_rows::public_slugs_page(c, offset, limit)?
        .into_iter()
        .map(|(s, _)| s)
        .collect())
}

/// `current_package_list_with_resources`: public datasets, most recently modified first, with
/// their metadata and resources.
pub fn recent(
    c: &mut DbConnection,
    offset: i64,
    limit: i64,
) -> Result<Vec<DatasetPage>, CkanError> {
    let rows = catalog_rows::recently_modified(c, offset, limit)?;
    Ok(catalog::metadata_of(c, rows)?)
}

/// `package_autocomplete`: (slug, title) of public datasets whose slug or title contains `q`.
pub fn autocomplete(
    c: &mut DbConnection,
    q: &str,
    limit: i64,
) -> Result<Vec<(String, String)>, CkanError> {
    Ok(catalog_rows::autocomplete(c, q, limit)?
        .into_iter()
        .map(|d| (d.slug, d.title))
        .collect())
}

/// `format_autocomplete`: the formats of public datasets that contain `q`, lower case as CKAN
/// gives them.
pub fn formats(c: &mut DbConnection, q: &str, limit: i64) -> Result<Vec<String>, CkanError> {
    let mut out: Vec<String> = catalog_rows::formats_like(c, q, limit)?
        .into_iter()
        .map(|f| f.to_lowercase())
        .collect();
    out.dedup();
    Ok(out)
}

/// `package_show`: a public dataset by slug.
pub fn package(c: &mut DbConnection, slug: &str) -> Result<Option<DatasetPage>, CkanError> {
    Ok(catalog::public_metadata(c, slug)?)
}

/// Public datasets per slug.
type Counts = HashMap<String, u64>;

/// Public datasets per department and per theme, from the index.
fn counts(c: &mut DbConnection, index: &dyn SearchIndex) -> Result<(Counts, Counts), CkanError> {
    catch_up(c, index);
    let f = index
        .search(&SearchQuery {
            limit: 0,
            ..SearchQuery::default()
        })?
        .facets;
    Ok((
        f.department.into_iter().collect(),
        f.theme.into_iter().collect(),
    ))
}

/// `organization_list`: every department with its public dataset count.
pub fn organizations(
    c: &mut DbConnection,
    index: &dyn SearchIndex,
) -> Result<Vec<(Department, u64)>, CkanError> {
    let (by_department, _) = counts(c, index)?;
    Ok(departments::all(c)?
        .into_iter()
        .map(|d| {
            let n = by_department.get(&d.slug).copied().unwrap_or(0);
            (d, n)
        })
        .collect())
}

/// `group_list`: every theme with its public dataset count.
pub fn groups(
    c: &mut DbConnection,
    index: &dyn SearchIndex,
) -> Result<Vec<(Theme, u64)>, CkanError> {
    let (_, by_theme) = counts(c, index)?;
    Ok(themes::all(c)?
        .into_iter()
        .map(|t| {
            let n = by_theme.get(&t.slug).copied().unwrap_or(0);
            (t, n)
        })
        .collect())
}

/// A department or a theme, as `organization_show` and `group_show` name them.
pub enum Owner {
    Department(Department),
    Theme(Theme),
}

/// `organization_show` / `group_show`: the owner, its count and (when `first` > 0) its first
/// `first` datasets, newest change first.
pub fn owner(
    c: &mut DbConnection,
    index: &dyn SearchIndex,
    department: bool,
    slug: &str,
    first: usize,
) -> Result<Option<(Owner, Found)>, CkanError> {
    use crate::search::{Direction, Literal, SortKey, Term};
    let (owner, term) = if department {
        match departments::by_slug(c, slug)? {
            Some(d) => {
                let term = Term::Department(d.slug.clone());
                (Owner::Department(d), term)
            }
            None => return Ok(None),
        }
    } else {
        match themes::by_slug(c, slug)? {
            Some(t) => {
                let term = Term::Theme(t.slug.clone());
                (Owner::Theme(t), term)
            }
            None => return Ok(None),
        }
    };
    let q = SearchQuery {
        clauses: vec![vec![Literal {
            negated: false,
            term,
        }]],
        order: vec![(SortKey::Modified, Direction::Descending)],
        limit: first,
        no_facets: true,
        ids_only: true,
        ..SearchQuery::default()
    };
    Ok(Some((owner, search(c, index, &q)?)))
}

/// `tag_list`: the keywords of public datasets (containing `query`, without case, if given).
pub fn tags(c: &mut DbConnection, query: Option<&str>) -> Result<Vec<String>, CkanError> {
    let query = query.map(str::to_lowercase);
    let mut tags = BTreeSet::new();
    for stored in catalog_rows::public_keywords(c)? {
        for k in Keywords::from_stored(&stored).as_slice() {
            if query.as_ref().is_none_or(|q| k.to_lowercase().contains(q)) {
                tags.insert(k.clone());
            }
        }
    }
    Ok(tags.into_iter().collect())
}

/// `license_list`: (id, title) of the licences public datasets use, by id.
pub fn licenses(c: &mut DbConnection) -> Result<Vec<(String, String)>, CkanError> {
    let seen: BTreeMap<String, String> = catalog_rows::public_licenses(c)?
        .into_iter()
        .map(|title| (crate::domain::license_id(&title), title))
        .collect();
    Ok(seen.into_iter().collect())
}

/// `resource_show` and the rest: a public resource by its id, with its dataset.
pub fn resource(
    c: &mut DbConnection,
    id: &str,
) -> Result<Option<(DatasetPage, PublicResource)>, CkanError> {
    let Ok(id) = id.parse::<i32>() else {
        return Ok(None);
    };
    let Some(r) = resource_rows::by_id(c, id)? else {
        return Ok(None);
    };
    let Some(page) = packages(c, &[r.dataset_id])?.pop() else {
        return Ok(None);
    };
    let found = page.resources.iter().find(|x| x.resource.id == id).cloned();
    Ok(found.map(|r| (page, r)))
}
