//! The public catalog: search with facets, the home page, theme and department pages, and
//! dataset pages. Everything here goes through `db::catalog`, which only ever sees published,
//! non-closed datasets, or through [`dataset`], which applies the same rule to one dataset.

use std::str::FromStr;

use chrono::NaiveDateTime;

use crate::db::catalog::Order;
pub use crate::db::datasets::{Dataset, Field};
pub use crate::db::departments::Department;
pub use crate::db::resources::Resource;
pub use crate::db::themes::Theme;
use crate::domain::{Format, OpenClass, Slug, UpdateFrequency};

mod api_page;
mod dataset;
mod lookups;
mod pages;
mod search;
#[cfg(test)]
mod tests;

pub use api_page::{DatasetApi, EXAMPLE_ROWS, ResourceApi, api_page};
pub use dataset::{
    DatasetLookup, DatasetPage, PublicResource, dataset, example_slug, harvest, metadata,
    metadata_of, public_metadata,
};
pub use pages::{
    DepartmentCount, DepartmentPage, Home, ThemeCount, ThemePage, Totals, department,
    department_by_slug, departments, home, theme, theme_by_slug, themes,
};
pub use search::search;

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
    /// The English title and summary, where the department gave them.
    pub title_en: Option<String>,
    pub summary_en: Option<String>,
    pub theme_slug: String,
    pub theme_name: String,
    pub theme_name_en: String,
    pub department_slug: String,
    pub department_name: String,
    pub department_name_en: Option<String>,
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
