//! The catalog page: search with facets, from the search index or the database.

use std::collections::HashMap;

use diesel::QueryResult;

use super::lookups::Lookups;
use super::{CatalogPage, CatalogQuery, Dataset, Sort, UnknownFilter};
use crate::db::DbConnection;
use crate::db::catalog::{self as q, Filter};
use crate::search::{SearchIndex, SearchQuery, SearchSort};
use crate::services::search::SyncError;

/// The catalog page: text, filters, facets and order answered by the search index (after it
/// has taken in pending changes), the cards read from the database.
pub fn search(
    conn: &mut DbConnection,
    query: &CatalogQuery,
    per_page: u32,
    index: &dyn SearchIndex,
) -> Result<CatalogPage, SyncError> {
    // The index is brought up to date first. If that fails the search still answers from the
    // index as it is (logged; the next search or the background sync retries): the cards come
    // from the database under the public rule, so nothing withdrawn or closed can show.
    if let Err(e) = crate::services::search::drain(conn, index) {
        tracing::warn!(error = %e, "search index update failed; searching the index as it is");
    }
    let lookups = Lookups::load(conn)?;
    let mut unknown = Vec::new();
    if let Some(s) = &query.theme
        && !lookups.themes.iter().any(|t| t.slug == s.as_str())
    {
        unknown.push(UnknownFilter::Theme(s.to_string()));
    }
    if let Some(s) = &query.department
        && !lookups.departments.iter().any(|d| d.slug == s.as_str())
    {
        unknown.push(UnknownFilter::Department(s.to_string()));
    }
    let known = |u: UnknownFilter| !unknown.contains(&u);
    let page = query.page.max(1);
    let per_page = per_page.max(1);
    let text = query.text.clone().unwrap_or_default();
    let sort = match query.sort {
        Sort::Relevance => SearchSort::Relevance,
        Sort::Updated => SearchSort::Updated,
        Sort::Newest => SearchSort::Newest,
        Sort::Downloads => SearchSort::Downloads,
        Sort::Name => SearchSort::Name,
    };
    let found = index.search(&SearchQuery {
        text,
        themes: query
            .theme
            .iter()
            .map(|s| s.to_string())
            .filter(|s| known(UnknownFilter::Theme(s.clone())))
            .collect(),
        departments: query
            .department
            .iter()
            .map(|s| s.to_string())
            .filter(|s| known(UnknownFilter::Department(s.clone())))
            .collect(),
        open_classes: query
            .open_class
            .filter(|c| c.is_public())
            .into_iter()
            .collect(),
        formats: query.format.iter().map(|f| f.as_str().to_owned()).collect(),
        frequencies: query.frequency.into_iter().collect(),
        sort,
        offset: (page as usize - 1) * per_page as usize,
        limit: per_page as usize,
        ..SearchQuery::default()
    })?;
    // The index may be a moment behind: cards come from the database, under the public rule.
    let ids: Vec<i32> = found.hits.iter().map(|h| h.id).collect();
    let mut rows: HashMap<i32, Dataset> = q::public_by_ids(conn, &ids)?
        .into_iter()
        .map(|d| (d.id, d))
        .collect();
    let ordered: Vec<Dataset> = ids.iter().filter_map(|id| rows.remove(id)).collect();
    let ordered_ids: Vec<i32> = ordered.iter().map(|d| d.id).collect();
    let mut items = lookups.cards(conn, ordered)?;
    for (card, id) in items.iter_mut().zip(ordered_ids) {
        if let Some(hit) = found.hits.iter().find(|h| h.id == id) {
            // The index escapes the text and marks matches with <b>; <mark> says what it is.
            let marked = |h: &Option<String>| {
                h.as_ref()
                    .map(|h| h.replace("<b>", "<mark>").replace("</b>", "</mark>"))
            };
            card.title_html = marked(&hit.title_html);
            card.summary_html = marked(&hit.summary_html);
        }
    }
    let facets = lookups.index_facets(&found.facets);
    Ok(CatalogPage {
        total: found.total as i64,
        page,
        per_page,
        items,
        facets,
        theme_name: query
            .theme
            .as_ref()
            .and_then(|s| lookups.themes.iter().find(|t| t.slug == s.as_str()))
            .map(|t| t.name.clone()),
        department_name: query
            .department
            .as_ref()
            .and_then(|s| lookups.departments.iter().find(|d| d.slug == s.as_str()))
            .map(|d| d.name.clone()),
        unknown,
    })
}

pub(super) fn search_with(
    conn: &mut DbConnection,
    lookups: &Lookups,
    query: &CatalogQuery,
    per_page: u32,
) -> QueryResult<CatalogPage> {
    let mut unknown = Vec::new();
    let theme_id = query.theme.as_ref().and_then(|s| {
        let found = lookups
            .themes
            .iter()
            .find(|t| t.slug == s.as_str())
            .map(|t| t.id);
        if found.is_none() {
            unknown.push(UnknownFilter::Theme(s.to_string()));
        }
        found
    });
    let department_id = query.department.as_ref().and_then(|s| {
        let found = lookups
            .departments
            .iter()
            .find(|d| d.slug == s.as_str())
            .map(|d| d.id);
        if found.is_none() {
            unknown.push(UnknownFilter::Department(s.to_string()));
        }
        found
    });
    let filter = Filter {
        theme_id,
        department_id,
        open_class: query.open_class.filter(|c| c.is_public()),
        format: query.format.as_ref().map(|f| f.as_str().to_owned()),
        frequency: query.frequency,
        text: query.text.clone().filter(|t| !t.trim().is_empty()),
    };
    let page = query.page.max(1);
    let per_page = per_page.max(1);
    let total = q::count(conn, &filter)?;
    let offset = i64::from(page - 1) * i64::from(per_page);
    let rows = if offset < total {
        q::page(
            conn,
            &filter,
            query.sort.order(),
            i64::from(per_page),
            offset,
        )?
    } else {
        Vec::new()
    };
    let items = lookups.cards(conn, rows)?;
    let facets = lookups.facets(conn, &filter)?;
    Ok(CatalogPage {
        total,
        page,
        per_page,
        items,
        facets,
        unknown,
        theme_name: theme_id
            .and_then(|id| lookups.theme(id))
            .map(|t| t.name.clone()),
        department_name: department_id
            .and_then(|id| lookups.department(id))
            .map(|d| d.name.clone()),
    })
}
