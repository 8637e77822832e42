//! Themes and departments by id for labels, dataset cards, and the facets counted by the
//! database or the search index.

use std::collections::HashMap;

use diesel::QueryResult;

use super::{Dataset, DatasetCard, Department, FacetValue, Facets, Theme};
use crate::db::DbConnection;
use crate::db::catalog::{self as q, Dimension, Filter};
use crate::db::datasets::{self as dataset_rows};
use crate::db::departments::{self as department_rows};
use crate::db::themes::{self as theme_rows};
use crate::domain::{OpenClass, UpdateFrequency};
use crate::search::FacetCounts;

/// Themes and departments by id, for labels.
pub(super) struct Lookups {
    pub(super) themes: Vec<Theme>,
    pub(super) departments: Vec<Department>,
    theme_index: HashMap<i32, usize>,
    department_index: HashMap<i32, usize>,
}

impl Lookups {
    pub(super) fn load(conn: &mut DbConnection) -> QueryResult<Self> {
        let themes = theme_rows::all(conn)?;
        let departments = department_rows::all(conn)?;
        let theme_index = themes.iter().enumerate().map(|(i, t)| (t.id, i)).collect();
        let department_index = departments
            .iter()
            .enumerate()
            .map(|(i, d)| (d.id, i))
            .collect();
        Ok(Self {
            themes,
            departments,
            theme_index,
            department_index,
        })
    }

    pub(super) fn theme(&self, id: i32) -> Option<&Theme> {
        self.theme_index.get(&id).map(|&i| &self.themes[i])
    }

    pub(super) fn department(&self, id: i32) -> Option<&Department> {
        self.department_index
            .get(&id)
            .map(|&i| &self.departments[i])
    }

    pub(super) fn cards(
        &self,
        conn: &mut DbConnection,
        rows: Vec<Dataset>,
    ) -> QueryResult<Vec<DatasetCard>> {
        let ids: Vec<i32> = rows.iter().map(|d| d.id).collect();
        let mut formats: HashMap<i32, Vec<String>> = HashMap::new();
        for (id, f) in dataset_rows::formats_of(conn, &ids)? {
            formats.entry(id).or_default().push(f);
        }
        Ok(rows
            .into_iter()
            .map(|d| {
                let theme = self.theme(d.theme_id);
                let dept = self.department(d.department_id);
                DatasetCard {
                    formats: formats.remove(&d.id).unwrap_or_default(),
                    theme_slug: theme.map(|t| t.slug.clone()).unwrap_or_default(),
                    theme_name: theme.map(|t| t.name.clone()).unwrap_or_default(),
                    theme_name_en: theme.map(|t| t.name_en.clone()).unwrap_or_default(),
                    department_slug: dept.map(|x| x.slug.clone()).unwrap_or_default(),
                    department_name: dept.map(|x| x.name.clone()).unwrap_or_default(),
                    department_name_en: dept.and_then(|x| x.name_en.clone()),
                    slug: d.slug,
                    title: d.title,
                    summary: d.summary,
                    title_en: d.title_en,
                    summary_en: d.summary_en,
                    open_class: d.open_class,
                    update_frequency: d.update_frequency,
                    last_updated_at: d.last_updated_at,
                    published_at: d.published_at,
                    download_count: d.download_count,
                    view_count: d.view_count,
                    record_count: d.record_count,
                    priority: d.priority,
                    title_html: None,
                    summary_html: None,
                }
            })
            .collect())
    }

    pub(super) fn facets(&self, conn: &mut DbConnection, filter: &Filter) -> QueryResult<Facets> {
        Ok(Facets {
            theme: self.theme_facet(conn, filter)?,
            department: self.department_facet(conn, filter)?,
            open_class: open_class_facet(conn, filter)?,
            format: format_facet(conn, filter)?,
            frequency: frequency_facet(conn, filter)?,
        })
    }

    /// The index's counts as facets, labelled and ordered as the database facets are.
    pub(super) fn index_facets(&self, counts: &FacetCounts) -> Facets {
        let count_of = |values: &[(String, u64)], v: &str| {
            values.iter().find(|(x, _)| x == v).map(|(_, n)| *n as i64)
        };
        let theme = self
            .themes
            .iter()
            .filter_map(|t| {
                Some(FacetValue {
                    count: count_of(&counts.theme, &t.slug)?,
                    value: t.slug.clone(),
                    label: t.name.clone(),
                })
            })
            .collect();
        let mut department: Vec<FacetValue> = counts
            .department
            .iter()
            .filter_map(|(slug, n)| {
                let d = self.departments.iter().find(|d| d.slug == *slug)?;
                Some(FacetValue {
                    value: d.slug.clone(),
                    label: d.name.clone(),
                    count: *n as i64,
                })
            })
            .collect();
        department.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.label.cmp(&b.label)));
        let fixed = |values: &[(String, u64)], order: &[(&str, &str)]| -> Vec<FacetValue> {
            order
                .iter()
                .filter_map(|(value, label)| {
                    Some(FacetValue {
                        count: count_of(values, value)?,
                        value: (*value).to_owned(),
                        label: (*label).to_owned(),
                    })
                })
                .collect()
        };
        let mut format: Vec<FacetValue> = counts
            .format
            .iter()
            .map(|(f, n)| FacetValue {
                value: f.clone(),
                label: f.clone(),
                count: *n as i64,
            })
            .collect();
        format.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        Facets {
            theme,
            department,
            open_class: fixed(
                &counts.open_class,
                &OpenClass::PUBLIC.map(|c| (c.as_str(), c.label())),
            ),
            format,
            frequency: fixed(
                &counts.frequency,
                &UpdateFrequency::ALL.map(|f| (f.as_str(), f.label())),
            ),
        }
    }

    /// Themes in their fixed order.
    pub(super) fn theme_facet(
        &self,
        conn: &mut DbConnection,
        filter: &Filter,
    ) -> QueryResult<Vec<FacetValue>> {
        let mut theme: Vec<(usize, FacetValue)> = by_id(q::facet(conn, filter, Dimension::Theme)?)
            .into_iter()
            .filter_map(|(id, count)| {
                let i = *self.theme_index.get(&id)?;
                let t = &self.themes[i];
                Some((
                    i,
                    FacetValue {
                        value: t.slug.clone(),
                        label: t.name.clone(),
                        count,
                    },
                ))
            })
            .collect();
        theme.sort_by_key(|(i, _)| *i);
        Ok(theme.into_iter().map(|(_, f)| f).collect())
    }

    /// Departments, most datasets first.
    pub(super) fn department_facet(
        &self,
        conn: &mut DbConnection,
        filter: &Filter,
    ) -> QueryResult<Vec<FacetValue>> {
        let mut department: Vec<FacetValue> = by_id(q::facet(conn, filter, Dimension::Department)?)
            .into_iter()
            .filter_map(|(id, count)| {
                let d = self.department(id)?;
                Some(FacetValue {
                    value: d.slug.clone(),
                    label: d.name.clone(),
                    count,
                })
            })
            .collect();
        department.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.label.cmp(&b.label)));
        Ok(department)
    }
}

fn by_id(rows: Vec<(String, i64)>) -> Vec<(i32, i64)> {
    rows.into_iter()
        .filter_map(|(id, n)| id.parse().ok().map(|id| (id, n)))
        .collect()
}

/// The public classes in their fixed order (closed never appears: the query cannot see it).
pub(super) fn open_class_facet(
    conn: &mut DbConnection,
    filter: &Filter,
) -> QueryResult<Vec<FacetValue>> {
    let order = OpenClass::PUBLIC.map(|c| (c.as_str(), c.label()));
    fixed_order_facet(conn, filter, Dimension::OpenClass, &order)
}

fn frequency_facet(conn: &mut DbConnection, filter: &Filter) -> QueryResult<Vec<FacetValue>> {
    let order = UpdateFrequency::ALL.map(|f| (f.as_str(), f.label()));
    fixed_order_facet(conn, filter, Dimension::Frequency, &order)
}

/// Counts of an enumerated dimension, in the enumeration's order, with its labels.
fn fixed_order_facet(
    conn: &mut DbConnection,
    filter: &Filter,
    dim: Dimension,
    order: &[(&str, &str)],
) -> QueryResult<Vec<FacetValue>> {
    let counts: HashMap<String, i64> = q::facet(conn, filter, dim)?.into_iter().collect();
    Ok(order
        .iter()
        .filter_map(|(value, label)| {
            let count = *counts.get(*value)?;
            Some(FacetValue {
                value: (*value).to_owned(),
                label: (*label).to_owned(),
                count,
            })
        })
        .collect())
}

fn format_facet(conn: &mut DbConnection, filter: &Filter) -> QueryResult<Vec<FacetValue>> {
    let mut format: Vec<FacetValue> = q::facet(conn, filter, Dimension::Format)?
        .into_iter()
        .map(|(f, count)| FacetValue {
            label: f.clone(),
            value: f,
            count,
        })
        .collect();
    format.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    Ok(format)
}
