//! The embedded back-end: a tantivy index in `<data_dir>/search`, words from [`super::text`].

use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, FuzzyTermQuery, Occur, Query,
    RangeQuery, TermQuery,
};
use tantivy::schema::{
    FAST, Facet, FacetOptions, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema,
    TextFieldIndexing, TextOptions, Value,
};
use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, Order, ReloadPolicy, TantivyDocument, Term,
};

use super::order;
use super::tally;
use super::text::{self, ChineseTokenizer, TOKENIZER};
use super::{
    Clause, FacetCounts, Hit, SearchDoc, SearchError, SearchIndex, SearchQuery, SearchResults,
    SearchSort, Term as Want,
};

/// Bumped whenever the schema or the tokenizer changes: an index of another version is rebuilt.
const SCHEMA_VERSION: &str = "3";
const VERSION_FILE: &str = "kaifang-schema-version";
const WRITER_HEAP: usize = 50_000_000;
/// Highlighted titles and summaries are cut to about this many characters.
pub const TITLE_CHARS: usize = 200;
pub const SUMMARY_CHARS: usize = 160;

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    title: Field,
    summary: Field,
    /// Title, summary and everything else searchable: the field a word must match (one posting
    /// list per word); title and summary then only add to the score.
    all: Field,
    theme: Field,
    department: Field,
    open_class: Field,
    format: Field,
    frequency: Field,
    updated: Field,
    published: Field,
    downloads: Field,
    name_key: Field,
    tag: Field,
    license: Field,
    license_text: Field,
    slug: Field,
    modified: Field,
    created: Field,
}

/// The facet dimensions, in the order of [`FacetCounts`].
#[derive(Clone, Copy, PartialEq, Eq)]
enum Dim {
    Theme,
    Department,
    OpenClass,
    Format,
    Frequency,
    Tag,
    License,
}

/// The catalog's dimensions, then the two only the CKAN API counts.
const DIMS: [Dim; 7] = [
    Dim::Theme,
    Dim::Department,
    Dim::OpenClass,
    Dim::Format,
    Dim::Frequency,
    Dim::Tag,
    Dim::License,
];

/// The dimensions a query counts (and can filter by facet).
fn dims(q: &SearchQuery) -> &'static [Dim] {
    if q.more_facets { &DIMS } else { &DIMS[..5] }
}

impl Dim {
    fn field_name(self) -> &'static str {
        match self {
            Dim::Theme => "theme",
            Dim::Department => "department",
            Dim::OpenClass => "open_class",
            Dim::Format => "format",
            Dim::Frequency => "frequency",
            Dim::Tag => "tag",
            Dim::License => "license",
        }
    }
}

impl Fields {
    fn schema() -> (Schema, Fields) {
        let mut b = Schema::builder();
        let words = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        let all = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqs),
        );
        let facet = FacetOptions::default;
        let fields = Fields {
            id: b.add_u64_field("id", INDEXED | STORED | FAST),
            title: b.add_text_field("title", words.clone() | STORED),
            summary: b.add_text_field("summary", words.clone() | STORED),
            all: b.add_text_field("all", all),
            theme: b.add_facet_field("theme", facet()),
            department: b.add_facet_field("department", facet()),
            open_class: b.add_facet_field("open_class", facet()),
            format: b.add_facet_field("format", facet()),
            frequency: b.add_facet_field("frequency", facet()),
            updated: b.add_i64_field("updated", FAST),
            published: b.add_i64_field("published", FAST),
            downloads: b.add_i64_field("downloads", FAST),
            name_key: b.add_text_field("name_key", STRING | FAST),
            tag: b.add_facet_field("tag", facet()),
            license: b.add_facet_field("license", facet()),
            license_text: b.add_text_field("license_text", STRING),
            slug: b.add_text_field("slug", STRING | FAST),
            modified: b.add_i64_field("modified", INDEXED | FAST),
            created: b.add_i64_field("created", FAST),
        };
        (b.build(), fields)
    }

    fn of(self, dim: Dim) -> Field {
        match dim {
            Dim::Theme => self.theme,
            Dim::Department => self.department,
            Dim::OpenClass => self.open_class,
            Dim::Format => self.format,
            Dim::Frequency => self.frequency,
            Dim::Tag => self.tag,
            Dim::License => self.license,
        }
    }
}

fn facet(value: &str) -> Facet {
    Facet::from_path([value])
}

fn unavailable(e: impl std::fmt::Display) -> SearchError {
    SearchError::Unavailable(e.to_string())
}

pub struct EmbeddedIndex {
    /// The outbox cursor of the last commit (also in the commit's payload).
    cursor: std::sync::atomic::AtomicI64,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    dir: PathBuf,
}

impl EmbeddedIndex {
    /// Opens the index in `dir`, creating it (or recreating an index of another schema version).
    pub fn open(dir: &Path) -> Result<Self, SearchError> {
        let (schema, fields) = Fields::schema();
        let version = std::fs::read_to_string(dir.join(VERSION_FILE)).unwrap_or_default();
        if version.trim() != SCHEMA_VERSION && dir.exists() {
            std::fs::remove_dir_all(dir).map_err(unavailable)?;
        }
        std::fs::create_dir_all(dir).map_err(unavailable)?;
        let directory = tantivy::directory::MmapDirectory::open(dir).map_err(unavailable)?;
        let index = Index::open_or_create(directory, schema).map_err(unavailable)?;
        std::fs::write(dir.join(VERSION_FILE), SCHEMA_VERSION).map_err(unavailable)?;
        Self::with_index(index, fields, dir.to_owned())
    }

    /// An index in memory (tests and benchmarks).
    pub fn in_memory() -> Result<Self, SearchError> {
        let (schema, fields) = Fields::schema();
        Self::with_index(Index::create_in_ram(schema), fields, PathBuf::new())
    }

    fn with_index(index: Index, fields: Fields, dir: PathBuf) -> Result<Self, SearchError> {
        index.tokenizers().register(TOKENIZER, ChineseTokenizer);
        let writer = index.writer(WRITER_HEAP).map_err(unavailable)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(unavailable)?;
        let cursor = index
            .load_metas()
            .ok()
            .and_then(|m| m.payload)
            .and_then(|p| p.trim().parse().ok())
            .unwrap_or(0);
        Ok(Self {
            cursor: std::sync::atomic::AtomicI64::new(cursor),
            reader,
            writer: Mutex::new(writer),
            fields,
            dir,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn document(&self, d: &SearchDoc) -> TantivyDocument {
        let f = self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_u64(f.id, d.id as u64);
        doc.add_text(f.title, &d.title);
        doc.add_text(f.summary, &d.summary);
        let all = [
            d.title.clone(),
            d.summary.clone(),
            d.keywords.join(" "),
            d.department_name.clone(),
            d.theme_name.clone(),
            d.formats.join(" "),
            d.fields.join(" "),
        ]
        .join("\n");
        doc.add_text(f.all, all);
        doc.add_facet(f.theme, facet(&d.theme_slug));
        doc.add_facet(f.department, facet(&d.department_slug));
        doc.add_facet(f.open_class, facet(d.open_class.as_str()));
        for format in &d.formats {
            doc.add_facet(f.format, facet(&format.to_uppercase()));
        }
        doc.add_facet(f.frequency, facet(d.update_frequency.as_str()));
        doc.add_i64(f.updated, d.last_updated_at.and_utc().timestamp());
        doc.add_i64(
            f.published,
            d.published_at.map_or(i64::MIN, |t| t.and_utc().timestamp()),
        );
        doc.add_i64(f.downloads, d.download_count);
        doc.add_text(f.name_key, &d.title);
        for tag in d.keywords.iter().filter(|k| !k.is_empty()) {
            doc.add_facet(f.tag, facet(tag));
        }
        doc.add_facet(f.license, facet(&d.license_id));
        doc.add_text(f.license_text, &d.license);
        doc.add_text(f.slug, &d.slug);
        doc.add_i64(f.modified, d.modified_at.and_utc().timestamp());
        doc.add_i64(f.created, d.created_at.and_utc().timestamp());
        doc
    }

    fn write(
        &self,
        clear: bool,
        remove: &[i32],
        docs: &[SearchDoc],
        cursor: i64,
    ) -> Result<(), SearchError> {
        let mut writer = self.writer.lock().map_err(unavailable)?;
        let result = (|| {
            if clear {
                writer.delete_all_documents()?;
            }
            for id in remove.iter().copied().chain(docs.iter().map(|d| d.id)) {
                writer.delete_term(Term::from_field_u64(self.fields.id, id as u64));
            }
            for d in docs {
                writer.add_document(self.document(d))?;
            }
            let mut commit = writer.prepare_commit()?;
            commit.set_payload(&cursor.to_string());
            commit.commit()?;
            if clear {
                // A rebuilt index is searched as one segment: each query then opens one set of
                // posting lists instead of one per segment. (A merge the background policy has
                // already started makes this fail; the index stays correct, only less compact.)
                let segments = writer.index().searchable_segment_ids()?;
                if segments.len() > 1
                    && let Err(e) = writer.merge(&segments).wait()
                {
                    tracing::debug!(error = %e, "search index: merge after rebuild skipped");
                }
            }
            Ok::<_, tantivy::TantivyError>(())
        })();
        if let Err(e) = result {
            // Nothing half-written stays pending for the next commit.
            let _ = writer.rollback();
            return Err(unavailable(e));
        }
        self.cursor
            .store(cursor, std::sync::atomic::Ordering::SeqCst);
        drop(writer);
        self.reader.reload().map_err(unavailable)
    }

    /// The text part of a query: every word must appear in the title, the summary or the rest
    /// (title matches weigh most); longer Latin words also match with one typo.
    fn text_query(&self, text: &str) -> Option<Box<dyn Query>> {
        let f = self.fields;
        if text.trim().is_empty() {
            return None;
        }
        let words = text::words(text);
        if words.is_empty() {
            // Only punctuation or symbols: there is nothing such text can match.
            return Some(Box::new(EmptyQuery));
        }
        let per_word = words
            .iter()
            .map(|w| {
                let term = |field| Term::from_field_text(field, &w.text);
                let exact = |field| -> Box<dyn Query> {
                    Box::new(TermQuery::new(term(field), IndexRecordOption::WithFreqs))
                };
                let latin = w.text.chars().all(|c| c.is_ascii_alphanumeric());
                let matching: Box<dyn Query> = if latin && w.text.len() >= 5 {
                    let fuzzy = FuzzyTermQuery::new(term(f.all), 1, true);
                    Box::new(BooleanQuery::new(vec![
                        (Occur::Should, exact(f.all)),
                        (
                            Occur::Should,
                            Box::new(BoostQuery::new(Box::new(fuzzy), 0.5)),
                        ),
                    ]))
                } else {
                    exact(f.all)
                };
                let clauses: Vec<(Occur, Box<dyn Query>)> = vec![
                    (Occur::Must, matching),
                    (
                        Occur::Should,
                        Box::new(BoostQuery::new(exact(f.title), 3.0)),
                    ),
                    (
                        Occur::Should,
                        Box::new(BoostQuery::new(exact(f.summary), 1.5)),
                    ),
                ];
                (
                    Occur::Must,
                    Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>,
                )
            })
            .collect();
        Some(Box::new(BooleanQuery::new(per_word)))
    }

    fn values(q: &SearchQuery, dim: Dim) -> Vec<String> {
        match dim {
            Dim::Theme => q.themes.clone(),
            Dim::Department => q.departments.clone(),
            Dim::OpenClass => q
                .open_classes
                .iter()
                .map(|c| c.as_str().to_owned())
                .collect(),
            Dim::Format => q.formats.iter().map(|f| f.to_uppercase()).collect(),
            Dim::Frequency => q
                .frequencies
                .iter()
                .map(|f| f.as_str().to_owned())
                .collect(),
            // Only clauses filter by these.
            Dim::Tag | Dim::License => Vec::new(),
        }
    }

    /// The query of one filter term.
    fn term_query(&self, term: &Want) -> Box<dyn Query> {
        let f = self.fields;
        let exact =
            |t: Term| -> Box<dyn Query> { Box::new(TermQuery::new(t, IndexRecordOption::Basic)) };
        let of = |field: Field, value: &str| exact(Term::from_facet(field, &facet(value)));
        match term {
            Want::Theme(v) => of(f.theme, v),
            Want::Department(v) => of(f.department, v),
            Want::OpenClass(c) => of(f.open_class, c.as_str()),
            Want::Format(v) => of(f.format, &v.to_uppercase()),
            Want::Frequency(v) => of(f.frequency, v.as_str()),
            Want::Tag(v) => of(f.tag, v),
            Want::License(v) => Box::new(BooleanQuery::new(vec![
                (Occur::Should, of(f.license, v)),
                (
                    Occur::Should,
                    exact(Term::from_field_text(f.license_text, v)),
                ),
            ])),
            Want::Name(v) => exact(Term::from_field_text(f.slug, v)),
            Want::Modified(from, to) => {
                let bound = |t: &Option<chrono::NaiveDateTime>| match t {
                    Some(t) => {
                        Bound::Included(Term::from_field_i64(f.modified, t.and_utc().timestamp()))
                    }
                    None => Bound::Unbounded,
                };
                Box::new(RangeQuery::new(bound(from), bound(to)))
            }
        }
    }

    /// A clause: any of its literals holds (a negated one by failing its term).
    fn clause_query(&self, clause: &Clause) -> Box<dyn Query> {
        let any = clause
            .iter()
            .map(|l| {
                let q = self.term_query(&l.term);
                let q: Box<dyn Query> = if l.negated {
                    Box::new(BooleanQuery::new(vec![
                        (Occur::Must, Box::new(AllQuery) as Box<dyn Query>),
                        (Occur::MustNot, q),
                    ]))
                } else {
                    q
                };
                (Occur::Should, q)
            })
            .collect();
        Box::new(ConstScoreQuery::new(Box::new(BooleanQuery::new(any)), 0.0))
    }

    /// The filter of one dimension (any of its values), if the query sets one.
    fn dim_filter(&self, q: &SearchQuery, dim: Dim) -> Option<Box<dyn Query>> {
        let values = Self::values(q, dim);
        if values.is_empty() {
            return None;
        }
        let any = values
            .iter()
            .map(|v| {
                let term = Term::from_facet(self.fields.of(dim), &facet(v));
                (
                    Occur::Should,
                    Box::new(TermQuery::new(term, IndexRecordOption::Basic)) as Box<dyn Query>,
                )
            })
            .collect();
        // Filters do not score: relevance is the text's alone.
        Some(Box::new(ConstScoreQuery::new(
            Box::new(BooleanQuery::new(any)),
            0.0,
        )))
    }

    /// The text query AND the filters of every dimension.
    fn filtered(&self, text: Option<&dyn Query>, q: &SearchQuery) -> Box<dyn Query> {
        let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if let Some(t) = text {
            must.push((Occur::Must, t.box_clone()));
        }
        for dim in dims(q) {
            if let Some(filter) = self.dim_filter(q, *dim) {
                must.push((Occur::Must, filter));
            }
        }
        for clause in &q.clauses {
            must.push((Occur::Must, self.clause_query(clause)));
        }
        if must.is_empty() {
            Box::new(AllQuery)
        } else {
            Box::new(BooleanQuery::new(must))
        }
    }

    /// The documents any facet count can include (see [`tally`]): those matching the text and
    /// failing at most one active filter, and a few more that the collector then sets aside.
    fn tally_query(
        &self,
        searcher: &tantivy::Searcher,
        text: Option<&dyn Query>,
        q: &SearchQuery,
    ) -> tantivy::Result<Box<dyn Query>> {
        let mut filters: Vec<(u64, Box<dyn Query>)> = Vec::new();
        for dim in dims(q) {
            let dim = *dim;
            let Some(filter) = self.dim_filter(q, dim) else {
                continue;
            };
            let mut frequency = 0;
            for v in Self::values(q, dim) {
                frequency +=
                    searcher.doc_freq(&Term::from_facet(self.fields.of(dim), &facet(&v)))?;
            }
            filters.push((frequency, filter));
        }
        filters.sort_by_key(|(frequency, _)| *frequency);
        let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if let Some(t) = text {
            must.push((Occur::Must, t.box_clone()));
        }
        for clause in &q.clauses {
            must.push((Occur::Must, self.clause_query(clause)));
        }
        // Failing at most one filter is passing at least one of any two: the two rarest ORed
        // admit every such document, and few others.
        if filters.len() >= 2 {
            let either = filters
                .into_iter()
                .take(2)
                .map(|(_, f)| (Occur::Should, f))
                .collect();
            must.push((Occur::Must, Box::new(BooleanQuery::new(either))));
        }
        Ok(if must.is_empty() {
            Box::new(AllQuery)
        } else {
            Box::new(BooleanQuery::new(must))
        })
    }

    fn page(
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
    fn ids(
        &self,
        searcher: &tantivy::Searcher,
        addresses: &[DocAddress],
    ) -> tantivy::Result<Vec<Hit>> {
        let mut columns = std::collections::HashMap::new();
        let mut hits = Vec::with_capacity(addresses.len());
        for a in addresses {
            let column = match columns.entry(a.segment_ord) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => e.insert(
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
    fn ordered(
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
    fn facets(
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

impl SearchIndex for EmbeddedIndex {
    fn rebuild(&self, docs: &[SearchDoc], cursor: i64) -> Result<(), SearchError> {
        self.write(true, &[], docs, cursor)
    }

    fn apply(&self, docs: &[SearchDoc], remove: &[i32], cursor: i64) -> Result<(), SearchError> {
        self.write(false, remove, docs, cursor)
    }

    fn cursor(&self) -> Result<i64, SearchError> {
        Ok(self.cursor.load(std::sync::atomic::Ordering::SeqCst))
    }

    fn search(&self, q: &SearchQuery) -> Result<SearchResults, SearchError> {
        let searcher = self.reader.searcher();
        let text = self.text_query(&q.text);
        let query = self.filtered(text.as_deref(), q);
        let run = || -> tantivy::Result<SearchResults> {
            let (total, facets, page) = if !q.no_facets {
                let (total, facets) = self.facets(&searcher, text.as_deref(), q)?;
                (total, facets, None)
            } else if !q.order.is_empty() {
                // The page and the count in one pass.
                let (total, page) = self.ordered(&searcher, &*query, q)?;
                (total, FacetCounts::default(), Some(page))
            } else {
                let total = searcher.search(&*query, &Count)? as u64;
                (total, FacetCounts::default(), None)
            };
            let addresses = if let Some(page) = page {
                page
            } else if (q.offset as u64) >= total || q.limit == 0 {
                Vec::new()
            } else if !q.order.is_empty() {
                self.ordered(&searcher, &*query, q)?.1
            } else {
                self.page(
                    &searcher,
                    &*query,
                    q.sort,
                    text.is_some(),
                    q.offset,
                    q.limit,
                )?
            };
            let words = text::words(&q.text);
            if words.is_empty() || q.ids_only {
                // Nothing to highlight: the ids come from their column, no stored document is
                // decompressed.
                return Ok(SearchResults {
                    total,
                    hits: self.ids(&searcher, &addresses)?,
                    facets,
                });
            }
            let mut hits = Vec::with_capacity(addresses.len());
            for a in addresses {
                let doc: TantivyDocument = searcher.doc(a)?;
                let field = |f: Field| doc.get_first(f).and_then(|v| v.as_str()).unwrap_or("");
                let id = doc
                    .get_first(self.fields.id)
                    .and_then(|v| v.as_u64())
                    .unwrap_or_default() as i32;
                let title_html = text::highlight(field(self.fields.title), &words, TITLE_CHARS);
                let summary_html =
                    text::highlight(field(self.fields.summary), &words, SUMMARY_CHARS);
                hits.push(Hit {
                    id,
                    title_html,
                    summary_html,
                });
            }
            Ok(SearchResults {
                total,
                hits,
                facets,
            })
        };
        run().map_err(unavailable)
    }

    fn len(&self) -> Result<u64, SearchError> {
        Ok(self.reader.searcher().num_docs())
    }
}
