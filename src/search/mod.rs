//! Search over the public catalog: one [`SearchIndex`] trait, an embedded tantivy back-end by
//! default and a Meilisearch back-end when `MEILI_URL` is set. Both see text that
//! [`text`] has already folded from traditional to simplified characters.
//!
//! Documents are the datasets that are published and not closed; the database stays the
//! source of truth and an index can always be rebuilt from it.

#[cfg(any(test, feature = "conformance"))]
pub mod conformance;
pub mod embedded;
pub mod meili;
mod order;
pub mod pinyin;
mod tally;
pub mod text;

use chrono::NaiveDateTime;

use crate::domain::{OpenClass, UpdateFrequency};

/// What the index knows of one dataset.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchDoc {
    pub id: i32,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub keywords: Vec<String>,
    pub department_slug: String,
    pub department_name: String,
    pub theme_slug: String,
    pub theme_name: String,
    pub formats: Vec<String>,
    pub open_class: OpenClass,
    pub update_frequency: UpdateFrequency,
    /// Field names, descriptions and units of the field dictionary.
    pub fields: Vec<String>,
    pub last_updated_at: NaiveDateTime,
    pub published_at: Option<NaiveDateTime>,
    pub download_count: i64,
    /// When the catalog record last changed (CKAN's `metadata_modified`).
    pub modified_at: NaiveDateTime,
    /// When it was first published, or created if never (CKAN's `metadata_created`).
    pub created_at: NaiveDateTime,
    /// The licence as written, and its CKAN identifier.
    pub license: String,
    pub license_id: String,
    /// The English title and summary (empty when none).
    pub title_en: String,
    pub summary_en: String,
}

impl SearchDoc {
    /// The toneless pinyin of the title and keywords ([`pinyin::terms`]).
    pub fn pinyin(&self) -> String {
        pinyin::terms(
            std::iter::once(self.title.as_str()).chain(self.keywords.iter().map(String::as_str)),
        )
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SearchSort {
    /// Best match first (newest update first without search text).
    #[default]
    Relevance,
    Updated,
    Newest,
    Downloads,
    Name,
}

/// A search: text, filters (OR within a dimension, AND across dimensions), order and page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchQuery {
    pub text: String,
    pub themes: Vec<String>,
    pub departments: Vec<String>,
    pub open_classes: Vec<OpenClass>,
    pub formats: Vec<String>,
    pub frequencies: Vec<UpdateFrequency>,
    pub sort: SearchSort,
    pub offset: usize,
    pub limit: usize,
    /// More filters, all of which must hold (the CKAN API's `fq`).
    pub clauses: Vec<Clause>,
    /// An order of several keys; when set it replaces `sort` (the CKAN API's `sort`).
    pub order: Vec<(SortKey, Direction)>,
    /// Also count keywords and licences ([`FacetCounts::tag`], [`FacetCounts::license`]).
    pub more_facets: bool,
    /// Only the page and the total, no facet counts (the CKAN API when it asks for none).
    pub no_facets: bool,
    /// Hits without highlights (the CKAN API shows none).
    pub ids_only: bool,
}

/// One indexed value a filter can name.
#[derive(Debug, Clone, PartialEq)]
pub enum Term {
    Theme(String),
    Department(String),
    OpenClass(OpenClass),
    /// Upper case, as indexed.
    Format(String),
    Frequency(UpdateFrequency),
    /// A keyword, exactly.
    Tag(String),
    /// The licence's CKAN identifier or its text.
    License(String),
    /// The dataset's slug.
    Name(String),
    /// `modified_at` within the bounds, both inclusive; `None` leaves a side open.
    Modified(Option<NaiveDateTime>, Option<NaiveDateTime>),
}

/// A term that must hold, or (`negated`) must not.
#[derive(Debug, Clone, PartialEq)]
pub struct Literal {
    pub negated: bool,
    pub term: Term,
}

/// Literals of which at least one holds.
pub type Clause = Vec<Literal>;

/// A key of [`SearchQuery::order`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    /// Relevance to the text (without text every document scores the same).
    Score,
    Modified,
    Created,
    /// The slug.
    Name,
    Title,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Ascending,
    Descending,
}

/// One result: the dataset and, when the text matched there, its title and summary as HTML
/// with the matches in `<b>` (everything else escaped).
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub id: i32,
    pub title_html: Option<String>,
    pub summary_html: Option<String>,
}

/// Counts per value of each facet; each dimension counts with every *other* active filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FacetCounts {
    pub theme: Vec<(String, u64)>,
    pub department: Vec<(String, u64)>,
    pub open_class: Vec<(String, u64)>,
    pub format: Vec<(String, u64)>,
    pub frequency: Vec<(String, u64)>,
    /// Only with [`SearchQuery::more_facets`].
    pub tag: Vec<(String, u64)>,
    pub license: Vec<(String, u64)>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchResults {
    pub total: u64,
    pub hits: Vec<Hit>,
    pub facets: FacetCounts,
}

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The engine cannot answer now (Meilisearch down, index unreadable): a 503.
    #[error("搜索服务暂时不可用：{0}")]
    Unavailable(String),
}

/// A search back-end. Implementations are shared between threads.
///
/// Each index remembers the last `search_outbox` entry it has taken in (its *cursor*), stored
/// with the data it describes, so that several portal processes, each with its own index, all
/// follow the same outbox.
pub trait SearchIndex: Send + Sync {
    /// Replaces the whole index with these documents, up to outbox entry `cursor`.
    fn rebuild(&self, docs: &[SearchDoc], cursor: i64) -> Result<(), SearchError>;
    /// Adds or replaces documents (by id) and removes others (unknown ids are ignored), in one
    /// commit that also records `cursor`.
    fn apply(&self, docs: &[SearchDoc], remove: &[i32], cursor: i64) -> Result<(), SearchError>;
    /// The last outbox entry taken in (0 for a new index).
    fn cursor(&self) -> Result<i64, SearchError>;
    fn search(&self, query: &SearchQuery) -> Result<SearchResults, SearchError>;
    /// How many documents the index holds.
    fn len(&self) -> Result<u64, SearchError>;

    fn is_empty(&self) -> Result<bool, SearchError> {
        Ok(self.len()? == 0)
    }
    fn upsert(&self, docs: &[SearchDoc]) -> Result<(), SearchError> {
        self.apply(docs, &[], self.cursor()?)
    }
    fn remove(&self, ids: &[i32]) -> Result<(), SearchError> {
        self.apply(&[], ids, self.cursor()?)
    }
}
