//! The public catalog: search with facets, the home page, theme and department pages, and
//! dataset pages. Everything here goes through `db::catalog`, which only ever sees published,
//! non-closed datasets, or through [`dataset`], which applies the same rule to one dataset.

use std::collections::HashMap;
use std::str::FromStr;

use chrono::NaiveDateTime;
use diesel::QueryResult;

use crate::db::DbConnection;
use crate::db::catalog::{self as q, Dimension, Filter, Order};
use crate::db::datasets::{self as dataset_rows};
pub use crate::db::datasets::{Dataset, Field};
pub use crate::db::departments::Department;
use crate::db::departments::{self as department_rows};
pub use crate::db::resources::Resource;
use crate::db::resources::{self as resource_rows};
pub use crate::db::themes::Theme;
use crate::db::themes::{self as theme_rows};
use crate::domain::region_code::anhui_region_name;
use crate::domain::{Format, Keywords, OpenClass, RegionCode, RegionLevel, Slug, UpdateFrequency};
use crate::search::{FacetCounts, SearchIndex, SearchQuery, SearchSort};
use crate::services::search::SyncError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// Best match first; without search text, the newest update first.
    Relevance,
    #[default]
    Updated,
    Name,
    Downloads,
    Newest,
}

impl Sort {
    pub const ALL: [Sort; 5] = [
        Self::Relevance,
        Self::Updated,
        Self::Newest,
        Self::Downloads,
        Self::Name,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Relevance => "relevance",
            Self::Updated => "updated",
            Self::Name => "name",
            Self::Downloads => "downloads",
            Self::Newest => "newest",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Relevance => "相关度",
            Self::Updated => "最近更新",
            Self::Name => "名称",
            Self::Downloads => "下载量",
            Self::Newest => "最新发布",
        }
    }

    fn order(self) -> Order {
        match self {
            Self::Relevance | Self::Updated => Order::Updated,
            Self::Name => Order::Title,
            Self::Downloads => Order::Downloads,
            Self::Newest => Order::Published,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("未知的排序方式“{0}”（可选：relevance、updated、newest、downloads、name）")]
pub struct UnknownSort(pub String);

impl FromStr for Sort {
    type Err = UnknownSort;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|o| o.as_str() == s)
            .ok_or_else(|| UnknownSort(s.to_owned()))
    }
}

/// A catalog request whose values have been parsed; slugs are resolved by [`search`].
#[derive(Debug, Clone, Default)]
pub struct CatalogQuery {
    pub theme: Option<Slug>,
    pub department: Option<Slug>,
    pub open_class: Option<OpenClass>,
    pub format: Option<Format>,
    pub frequency: Option<UpdateFrequency>,
    pub text: Option<String>,
    pub sort: Sort,
    /// 1-based.
    pub page: u32,
}

/// A well-formed filter value that names nothing in the catalog; the search ignores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnknownFilter {
    Theme(String),
    Department(String),
}

/// What a list shows of one dataset.
#[derive(Debug, Clone)]
pub struct DatasetCard {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub theme_slug: String,
    pub theme_name: String,
    pub department_slug: String,
    pub department_name: String,
    pub open_class: OpenClass,
    pub update_frequency: UpdateFrequency,
    pub formats: Vec<String>,
    pub last_updated_at: NaiveDateTime,
    pub published_at: Option<NaiveDateTime>,
    pub download_count: i64,
    pub view_count: i64,
    pub record_count: i64,
    pub priority: bool,
    /// The title and summary with the search words marked (`<b>`, the rest escaped by the
    /// index), when a search matched them there.
    pub title_html: Option<String>,
    pub summary_html: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacetValue {
    pub value: String,
    pub label: String,
    pub count: i64,
}

#[derive(Debug, Clone, Default)]
pub struct Facets {
    pub theme: Vec<FacetValue>,
    pub department: Vec<FacetValue>,
    pub open_class: Vec<FacetValue>,
    pub format: Vec<FacetValue>,
    pub frequency: Vec<FacetValue>,
}

#[derive(Debug, Clone)]
pub struct CatalogPage {
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
    pub items: Vec<DatasetCard>,
    pub facets: Facets,
    pub unknown: Vec<UnknownFilter>,
    /// Names of the chosen theme and department, for labels even when nothing matches.
    pub theme_name: Option<String>,
    pub department_name: Option<String>,
}

impl CatalogPage {
    pub fn page_count(&self) -> u32 {
        let per = i64::from(self.per_page.max(1));
        u32::try_from((self.total + per - 1) / per).unwrap_or(u32::MAX)
    }
}

/// Themes and departments by id, for labels.
struct Lookups {
    themes: Vec<Theme>,
    departments: Vec<Department>,
    theme_index: HashMap<i32, usize>,
    department_index: HashMap<i32, usize>,
}

impl Lookups {
    fn load(conn: &mut DbConnection) -> QueryResult<Self> {
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

    fn theme(&self, id: i32) -> Option<&Theme> {
        self.theme_index.get(&id).map(|&i| &self.themes[i])
    }

    fn department(&self, id: i32) -> Option<&Department> {
        self.department_index
            .get(&id)
            .map(|&i| &self.departments[i])
    }

    fn cards(&self, conn: &mut DbConnection, rows: Vec<Dataset>) -> QueryResult<Vec<DatasetCard>> {
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
                    department_slug: dept.map(|x| x.slug.clone()).unwrap_or_default(),
                    department_name: dept.map(|x| x.name.clone()).unwrap_or_default(),
                    slug: d.slug,
                    title: d.title,
                    summary: d.summary,
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

    fn facets(&self, conn: &mut DbConnection, filter: &Filter) -> QueryResult<Facets> {
        Ok(Facets {
            theme: self.theme_facet(conn, filter)?,
            department: self.department_facet(conn, filter)?,
            open_class: open_class_facet(conn, filter)?,
            format: format_facet(conn, filter)?,
            frequency: frequency_facet(conn, filter)?,
        })
    }

    /// The index's counts as facets, labelled and ordered as the database facets are.
    fn index_facets(&self, counts: &FacetCounts) -> Facets {
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
    fn theme_facet(
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
    fn department_facet(
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
fn open_class_facet(conn: &mut DbConnection, filter: &Filter) -> QueryResult<Vec<FacetValue>> {
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
    if let Err(e) = super::search::drain(conn, index) {
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

fn search_with(
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
    pub preview: Option<(Resource, super::preview::Preview)>,
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
        Some(first) => match super::access::public_preview(conn, &page.dataset, &first.resource)? {
            Some(served) => Some((
                first.resource.clone(),
                super::preview::preview(conn, &served)?,
            )),
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
        let mut versions = super::access::public_versions_of(conn, &resource_ids)?;
        for r in listed {
            let versions = versions.remove(&r.id).unwrap_or_default();
            let original = versions
                .iter()
                .find(|v| Some(v.id) == r.current_version_id)
                .is_some_and(super::access::original_allowed);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_parses_its_names_only() {
        for s in Sort::ALL {
            assert_eq!(s.as_str().parse(), Ok(s));
        }
        assert!("title".parse::<Sort>().is_err());
        assert!("name; DROP TABLE datasets".parse::<Sort>().is_err());
    }

    #[test]
    fn page_count_rounds_up() {
        let page = |total| CatalogPage {
            total,
            page: 1,
            per_page: 20,
            items: vec![],
            facets: Facets::default(),
            unknown: vec![],
            theme_name: None,
            department_name: None,
        };
        assert_eq!(page(0).page_count(), 0);
        assert_eq!(page(1).page_count(), 1);
        assert_eq!(page(20).page_count(), 1);
        assert_eq!(page(21).page_count(), 2);
    }
}
