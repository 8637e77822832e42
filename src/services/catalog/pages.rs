//! The home page, the theme and department pages, and the theme and department look-ups.

use std::collections::HashMap;

use diesel::QueryResult;

use super::lookups::{Lookups, open_class_facet};
use super::search::search_with;
use super::{CatalogPage, CatalogQuery, DatasetCard, Department, FacetValue, Theme};
use crate::db::DbConnection;
use crate::db::catalog::{self as q, Filter, Order};
use crate::db::departments::{self as department_rows};
use crate::db::themes::{self as theme_rows};
use crate::domain::region_code::anhui_region_name;
use crate::domain::{RegionLevel, Slug};

#[derive(Debug, Clone, Default)]
pub struct Totals {
    pub datasets: i64,
    pub departments: i64,
    pub records: i64,
    pub downloads: i64,
}

#[derive(Debug, Clone)]
pub struct ThemeCount {
    pub slug: String,
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub count: i64,
}

#[derive(Debug, Clone)]
pub struct DepartmentCount {
    pub slug: String,
    pub name: String,
    pub level: RegionLevel,
    pub count: i64,
}

#[derive(Debug, Clone)]
pub struct Home {
    pub totals: Totals,
    pub themes: Vec<ThemeCount>,
    pub newest: Vec<DatasetCard>,
    pub popular: Vec<DatasetCard>,
    /// The departments with the most public datasets.
    pub departments: Vec<DepartmentCount>,
    pub open_classes: Vec<FacetValue>,
}

pub fn home(conn: &mut DbConnection, list_len: u32) -> QueryResult<Home> {
    let lookups = Lookups::load(conn)?;
    let all = Filter::default();
    let (datasets, records, downloads) = q::totals(conn)?;
    let theme_facet = lookups.theme_facet(conn, &all)?;
    let department_facet = lookups.department_facet(conn, &all)?;
    let theme_counts: HashMap<&str, i64> = theme_facet
        .iter()
        .map(|f| (f.value.as_str(), f.count))
        .collect();
    let themes = lookups
        .themes
        .iter()
        .map(|t| ThemeCount {
            slug: t.slug.clone(),
            code: t.code.clone(),
            name: t.name.clone(),
            name_en: t.name_en.clone(),
            count: theme_counts.get(t.slug.as_str()).copied().unwrap_or(0),
        })
        .collect();
    let departments = department_counts(&lookups, &department_facet)
        .into_iter()
        .filter(|d| d.count > 0)
        .take(8)
        .collect();
    let n = i64::from(list_len);
    let newest = q::page(conn, &all, Order::Published, n, 0)?;
    let popular = q::page(conn, &all, Order::Downloads, n, 0)?;
    Ok(Home {
        totals: Totals {
            datasets,
            departments: lookups.departments.len() as i64,
            records,
            downloads,
        },
        themes,
        newest: lookups.cards(conn, newest)?,
        popular: lookups.cards(conn, popular)?,
        departments,
        open_classes: open_class_facet(conn, &all)?,
    })
}

/// Every department with its number of public datasets, most first.
fn department_counts(lookups: &Lookups, facet: &[FacetValue]) -> Vec<DepartmentCount> {
    let counts: HashMap<&str, i64> = facet.iter().map(|f| (f.value.as_str(), f.count)).collect();
    let mut list: Vec<DepartmentCount> = lookups
        .departments
        .iter()
        .map(|d| DepartmentCount {
            slug: d.slug.clone(),
            name: d.name.clone(),
            level: d.level,
            count: counts.get(d.slug.as_str()).copied().unwrap_or(0),
        })
        .collect();
    list.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.slug.cmp(&b.slug)));
    list
}

/// All departments in directory order (province, cities, counties) with public dataset counts.
pub fn departments(conn: &mut DbConnection) -> QueryResult<Vec<DepartmentCount>> {
    let lookups = Lookups::load(conn)?;
    let facet = lookups.department_facet(conn, &Filter::default())?;
    let counts: HashMap<String, i64> = department_counts(&lookups, &facet)
        .into_iter()
        .map(|d| (d.slug, d.count))
        .collect();
    Ok(lookups
        .departments
        .iter()
        .map(|d| DepartmentCount {
            slug: d.slug.clone(),
            name: d.name.clone(),
            level: d.level,
            count: counts.get(&d.slug).copied().unwrap_or(0),
        })
        .collect())
}

#[derive(Debug, Clone)]
pub struct DepartmentPage {
    pub department: Department,
    pub region_name: Option<&'static str>,
    pub parent: Option<Department>,
    pub children: Vec<Department>,
    /// Its public datasets: the newest page, with counts per theme.
    pub catalog: CatalogPage,
}

pub fn department(
    conn: &mut DbConnection,
    slug: &Slug,
    list_len: u32,
) -> QueryResult<Option<DepartmentPage>> {
    let lookups = Lookups::load(conn)?;
    let Some(department) = lookups
        .departments
        .iter()
        .find(|d| d.slug == slug.as_str())
        .cloned()
    else {
        return Ok(None);
    };
    let parent = department
        .parent_id
        .and_then(|id| lookups.department(id))
        .cloned();
    let children = lookups
        .departments
        .iter()
        .filter(|d| d.parent_id == Some(department.id))
        .cloned()
        .collect();
    let catalog = search_with(
        conn,
        &lookups,
        &CatalogQuery {
            department: Some(slug.clone()),
            page: 1,
            ..CatalogQuery::default()
        },
        list_len,
    )?;
    Ok(Some(DepartmentPage {
        region_name: anhui_region_name(&department.region_code),
        department,
        parent,
        children,
        catalog,
    }))
}

#[derive(Debug, Clone)]
pub struct ThemePage {
    pub theme: Theme,
    /// Its public datasets: the newest page, with counts per department.
    pub catalog: CatalogPage,
}

pub fn theme(
    conn: &mut DbConnection,
    slug: &Slug,
    list_len: u32,
) -> QueryResult<Option<ThemePage>> {
    let Some(theme) = theme_rows::by_slug(conn, slug.as_str())? else {
        return Ok(None);
    };
    let lookups = Lookups::load(conn)?;
    let catalog = search_with(
        conn,
        &lookups,
        &CatalogQuery {
            theme: Some(slug.clone()),
            page: 1,
            ..CatalogQuery::default()
        },
        list_len,
    )?;
    Ok(Some(ThemePage { theme, catalog }))
}

/// A department by its slug (the API's department resource).
pub fn department_by_slug(conn: &mut DbConnection, slug: &str) -> QueryResult<Option<Department>> {
    department_rows::by_slug(conn, slug)
}

/// Every theme.
pub fn themes(conn: &mut DbConnection) -> QueryResult<Vec<Theme>> {
    theme_rows::all(conn)
}

/// A theme by its slug.
pub fn theme_by_slug(conn: &mut DbConnection, slug: &str) -> QueryResult<Option<Theme>> {
    theme_rows::by_slug(conn, slug)
}
