//! Reading the answer: a page in one of the catalog's orders or in the CKAN API's order of
//! several keys, the ids of a page without highlights, and the facet counts with the total.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use tantivy::collector::{Count, TopDocs};
use tantivy::query::Query;
use tantivy::{DocAddress, Order};

use super::{EmbeddedIndex, dims};
use crate::search::{FacetCounts, Hit, SearchQuery, SearchSort, order, tally};

impl EmbeddedIndex {
    pub(super) fn page(
        &self,
        searcher: &tantivy::Searcher,
        query: &dyn Query,
        sort: SearchSort,
        has_text: bool,
        offset: usize,
        limit: usize,
    ) -> tantivy::Result<Vec<DocAddress>> {
        let top = || TopDocs::with_limit(limit.max(1)).and_offset(offset);
        let by = |field: &str, order: Order| -> tantivy::Result<Vec<DocAddress>> {
            Ok(searcher
                .search(query, &top().order_by_fast_field::<i64>(field, order))?
                .into_iter()
                .map(|(_, a)| a)
                .collect())
        };
        match sort {
            SearchSort::Relevance if has_text => Ok(searcher
                .search(query, &top().order_by_score())?
                .into_iter()
                .map(|(_, a)| a)
                .collect()),
            SearchSort::Relevance | SearchSort::Updated => by("updated", Order::Desc),
            SearchSort::Newest => by("published", Order::Desc),
            SearchSort::Downloads => by("downloads", Order::Desc),
            SearchSort::Name => Ok(searcher
                .search(
                    query,
                    &top().order_by_string_fast_field("name_key", Order::Asc),
                )?
                .into_iter()
                .map(|(_, a)| a)
                .collect()),
        }
    }

    /// Hits without highlights, their ids read from the id column.
    pub(super) fn ids(
        &self,
        searcher: &tantivy::Searcher,
        addresses: &[DocAddress],
    ) -> tantivy::Result<Vec<Hit>> {
        let mut columns = HashMap::new();
        let mut hits = Vec::with_capacity(addresses.len());
        for a in addresses {
            let column = match columns.entry(a.segment_ord) {
                Entry::Occupied(e) => e.into_mut(),
                Entry::Vacant(e) => e.insert(
                    searcher
                        .segment_reader(a.segment_ord)
                        .fast_fields()
                        .u64("id")?,
                ),
            };
            hits.push(Hit {
                id: column.first(a.doc_id).unwrap_or_default() as i32,
                title_html: None,
                summary_html: None,
            });
        }
        Ok(hits)
    }

    /// The number of matches and a page in the order of [`SearchQuery::order`].
    pub(super) fn ordered(
        &self,
        searcher: &tantivy::Searcher,
        query: &dyn Query,
        q: &SearchQuery,
    ) -> tantivy::Result<(u64, Vec<DocAddress>)> {
        let collector = order::Ordered {
            keys: q.order.clone(),
            top: q.offset.saturating_add(q.limit),
            fields: order::Fields {
                modified: "modified",
                created: "created",
                name: "slug",
                title: "name_key",
                id: "id",
            },
        };
        let (total, found) = searcher.search(query, &(Count, collector))?;
        Ok((
            total as u64,
            found.into_iter().skip(q.offset).map(|(_, a)| a).collect(),
        ))
    }

    /// The facet counts and the total, in one pass (see [`tally`]).
    pub(super) fn facets(
        &self,
        searcher: &tantivy::Searcher,
        text: Option<&dyn Query>,
        q: &SearchQuery,
    ) -> tantivy::Result<(u64, FacetCounts)> {
        let collector = tally::FacetTally {
            dimensions: dims(q)
                .iter()
                .map(|d| tally::Dimension {
                    field: d.field_name(),
                    allowed: Self::values(q, *d),
                })
                .collect(),
        };
        let query = self.tally_query(searcher, text, q)?;
        let found = searcher.search(&*query, &collector)?;
        let mut it = found.counts.into_iter().map(|values| {
            let mut values: Vec<(String, u64)> = values.into_iter().collect();
            values.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            values
        });
        let mut next = || it.next().unwrap_or_default();
        let counts = FacetCounts {
            theme: next(),
            department: next(),
            open_class: next(),
            format: next(),
            frequency: next(),
            tag: next(),
            license: next(),
        };
        Ok((found.total, counts))
    }
}
