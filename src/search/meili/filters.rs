//! Meilisearch's side of a query: filter expressions from the catalog's facets and the CKAN
//! API's clauses, sort rules, paging, and facet distributions read back as counts.

use std::collections::HashMap;

use super::DIMENSIONS;
use crate::search::{Direction, Literal, SearchQuery, SearchSort, SortKey, Term};

/// The values the query allows in dimension `dim` (empty: no filter).
pub(super) fn values(q: &SearchQuery, dim: &str) -> Vec<String> {
    match dim {
        "theme" => q.themes.clone(),
        "department" => q.departments.clone(),
        "open_class" => q
            .open_classes
            .iter()
            .map(|c| c.as_str().to_owned())
            .collect(),
        "format" => q.formats.iter().map(|f| f.to_uppercase()).collect(),
        _ => q
            .frequencies
            .iter()
            .map(|f| f.as_str().to_owned())
            .collect(),
    }
}

/// A filter expression: OR within a dimension, AND across them, every dimension but `except`.
/// Values are quoted, with `"` and `\` escaped, so no value can change the expression.
/// `attribute = "value"`, the value quoted.
pub(super) fn equals(attribute: &str, value: &str) -> String {
    let quoted = value.replace('\\', "\\\\").replace('"', "\\\"");
    format!("{attribute} = \"{quoted}\"")
}

/// One literal of a clause as a Meilisearch filter.
pub(super) fn literal(l: &Literal) -> String {
    let condition = match &l.term {
        Term::Theme(v) => equals("theme", v),
        Term::Department(v) => equals("department", v),
        Term::OpenClass(c) => equals("open_class", c.as_str()),
        Term::Format(v) => equals("format", &v.to_uppercase()),
        Term::Frequency(f) => equals("frequency", f.as_str()),
        Term::Tag(v) => equals("tag", v),
        Term::License(v) => format!(
            "({} OR {})",
            equals("license", v),
            equals("license_text", v)
        ),
        Term::Name(v) => equals("slug", v),
        Term::Modified(from, to) => {
            let mut bounds = vec!["modified EXISTS".to_owned()];
            if let Some(t) = from {
                bounds.push(format!("modified >= {}", t.and_utc().timestamp()));
            }
            if let Some(t) = to {
                bounds.push(format!("modified <= {}", t.and_utc().timestamp()));
            }
            format!("({})", bounds.join(" AND "))
        }
    };
    if l.negated {
        format!("(NOT {condition})")
    } else {
        condition
    }
}

pub(super) fn filter(q: &SearchQuery, except: Option<&str>) -> Option<String> {
    let mut parts: Vec<String> = DIMENSIONS
        .iter()
        .filter(|d| Some(**d) != except)
        .filter_map(|d| {
            let any: Vec<String> = values(q, d).iter().map(|v| equals(d, v)).collect();
            (!any.is_empty()).then(|| format!("({})", any.join(" OR ")))
        })
        .collect();
    for clause in &q.clauses {
        let any: Vec<String> = clause.iter().map(literal).collect();
        // An empty clause holds for nothing, as in the embedded index.
        parts.push(if any.is_empty() {
            "(id NOT EXISTS)".to_owned()
        } else {
            format!("({})", any.join(" OR "))
        });
    }
    (!parts.is_empty()).then(|| parts.join(" AND "))
}

/// The Meilisearch sort of [`SearchQuery::order`]. Relevance is not a sortable attribute: it is
/// what Meilisearch ranks by when no sort is given, so an order starting with the score sends
/// none, and keys after the score are left to relevance (whose ties Meilisearch breaks itself).
pub(super) fn order_rules(order: &[(SortKey, Direction)]) -> Vec<String> {
    let mut rules = Vec::new();
    for (key, direction) in order {
        let attribute = match key {
            SortKey::Score => return rules,
            SortKey::Modified => "modified",
            SortKey::Created => "created",
            SortKey::Name => "slug",
            SortKey::Title => "name_key",
        };
        let direction = match direction {
            Direction::Ascending => "asc",
            Direction::Descending => "desc",
        };
        rules.push(format!("{attribute}:{direction}"));
    }
    rules.push("id:asc".to_owned());
    rules
}

/// `(page, hits_per_page, skip)`: Meilisearch counts hits exactly only when asked by page, so an
/// offset that is not a multiple of the limit is read as a first page that long, then skipped.
pub(super) fn paging(offset: usize, limit: usize) -> (usize, usize, usize) {
    if limit == 0 {
        (1, 0, 0)
    } else if offset.is_multiple_of(limit) {
        (offset / limit + 1, limit, 0)
    } else {
        (1, offset + limit, offset)
    }
}

pub(super) fn sort_rule(sort: SearchSort, has_text: bool) -> Option<&'static str> {
    match sort {
        SearchSort::Relevance if has_text => None,
        SearchSort::Relevance | SearchSort::Updated => Some("updated:desc"),
        SearchSort::Newest => Some("published:desc"),
        SearchSort::Downloads => Some("downloads:desc"),
        SearchSort::Name => Some("name_key:asc"),
    }
}

/// Counts as the portal wants them: nonzero, most first, then by value.
pub(super) fn counts(
    distribution: Option<&HashMap<String, HashMap<String, usize>>>,
    dim: &str,
) -> Vec<(String, u64)> {
    let mut values: Vec<(String, u64)> = distribution
        .and_then(|d| d.get(dim))
        .map(|m| {
            m.iter()
                .filter(|(_, n)| **n > 0)
                .map(|(v, n)| (v.clone(), *n as u64))
                .collect()
        })
        .unwrap_or_default();
    values.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    values
}
