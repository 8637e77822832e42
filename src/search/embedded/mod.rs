//! The embedded back-end: a tantivy index in `<data_dir>/search`, words from [`super::text`].

mod pages;
mod queries;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tantivy::collector::Count;
use tantivy::schema::{
    FAST, Facet, FacetOptions, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema,
    TextFieldIndexing, TextOptions, Value,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use super::text::{self, ChineseTokenizer, TOKENIZER};
use super::{FacetCounts, Hit, SearchDoc, SearchError, SearchIndex, SearchQuery, SearchResults};

/// Bumped whenever the schema or the tokenizer changes: an index of another version is rebuilt.
const SCHEMA_VERSION: &str = "4";
const VERSION_FILE: &str = "kaifang-schema-version";
const WRITER_HEAP: usize = 50_000_000;
/// Highlighted titles and summaries are cut to about this many characters.
pub const TITLE_CHARS: usize = 200;
pub const SUMMARY_CHARS: usize = 160;
/// tantivy's own analysers: English words lower-cased and stemmed; pinyin terms as written.
const ENGLISH: &str = "en_stem";
const PINYIN: &str = "default";

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    title: Field,
    summary: Field,
    /// Title, summary and everything else searchable: the field a word must match (one posting
    /// list per word); title and summary then only add to the score.
    all: Field,
    /// The English title and summary, lower-cased and stemmed (tantivy's `en_stem`): English
    /// words match here, and the Chinese field's statistics stay as they were.
    english: Field,
    /// Toneless pinyin of the title and keywords ([`super::pinyin`]), matched by Latin words.
    pinyin: Field,
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
        let latin = |tokenizer: &str| {
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(tokenizer)
                    .set_index_option(IndexRecordOption::WithFreqs),
            )
        };
        let facet = FacetOptions::default;
        let fields = Fields {
            id: b.add_u64_field("id", INDEXED | STORED | FAST),
            title: b.add_text_field("title", words.clone() | STORED),
            summary: b.add_text_field("summary", words.clone() | STORED),
            all: b.add_text_field("all", all),
            english: b.add_text_field("english", latin(ENGLISH)),
            pinyin: b.add_text_field("pinyin", latin(PINYIN)),
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
        doc.add_text(f.english, format!("{}\n{}", d.title_en, d.summary_en));
        doc.add_text(f.pinyin, d.pinyin());
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
