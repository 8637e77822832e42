//! The Meilisearch back-end (`MEILI_URL`, `MEILI_KEY`), written against Meilisearch's documented
//! v1 API through `meilisearch-sdk`.
//!
//! - Text reaches Meilisearch already folded to simplified characters ([`text::fold`]), for
//!   documents and queries alike; the original title and summary travel alongside, for display
//!   and for [`text::highlight`], so both back-ends highlight alike.
//! - Facet counts respect the other active filters: one multi-search request holds the page
//!   (with the counts of the dimensions that have no filter) and one facet-only search per
//!   filtered dimension, without that dimension's filter.
//! - Writes wait for their tasks: the index and the recorded outbox cursor only move on once
//!   Meilisearch has applied the documents. The cursor lives in a small companion index
//!   (`<uid>_meta`).
//! - The SDK is asynchronous; [`SearchIndex`] is not (its callers run on blocking threads), so
//!   each call runs on this back-end's own runtime from a scoped thread.

mod filters;

use std::future::Future;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use meilisearch_sdk::client::Client;
use meilisearch_sdk::errors::{Error, ErrorCode};
use meilisearch_sdk::indexes::Index;
use meilisearch_sdk::search::{MatchingStrategies, SearchQuery as MeiliQuery, Selectors};
use meilisearch_sdk::settings::{
    FacetSortValue, FacetingSettings, PaginationSetting, Settings, TypoToleranceSettings,
};
use meilisearch_sdk::task_info::TaskInfo;
use meilisearch_sdk::tasks::Task;
use serde::{Deserialize, Serialize};

use self::filters::{counts, filter, order_rules, paging, sort_rule, values};
use super::embedded::{SUMMARY_CHARS, TITLE_CHARS};
use super::text;
use super::{FacetCounts, Hit, SearchDoc, SearchError, SearchIndex, SearchQuery, SearchResults};

/// Documents per request when writing.
const BATCH: usize = 1_000;
/// How long a write may take before the portal reports Meilisearch unavailable.
const APPLY_TIMEOUT: Duration = Duration::from_secs(60);
const REBUILD_TIMEOUT: Duration = Duration::from_secs(600);
const POLL: Duration = Duration::from_millis(25);

/// The filterable dimensions, in the order of [`FacetCounts`].
/// The shape of the documents; an index holding another is emptied at start and rebuilt.
const SCHEMA: i64 = 3;

const DIMENSIONS: [&str; 5] = ["theme", "department", "open_class", "format", "frequency"];

/// What Meilisearch stores of a dataset.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct MeiliDoc {
    id: i32,
    /// Folded (simplified) text: what Meilisearch searches, title first.
    title: String,
    summary: String,
    body: String,
    /// The English title and summary (empty when none).
    title_en: String,
    summary_en: String,
    /// Toneless pinyin of the title and keywords ([`super::pinyin`]): searched last.
    pinyin: String,
    /// The text as written: what the portal shows.
    original_title: String,
    original_summary: String,
    theme: String,
    department: String,
    open_class: String,
    format: Vec<String>,
    frequency: String,
    updated: i64,
    published: i64,
    downloads: i64,
    name_key: String,
    tag: Vec<String>,
    license: String,
    license_text: String,
    slug: String,
    modified: i64,
    created: i64,
}

impl MeiliDoc {
    fn of(d: &SearchDoc) -> Self {
        let body = [
            d.keywords.join(" "),
            d.department_name.clone(),
            d.theme_name.clone(),
            d.formats.join(" "),
            d.fields.join(" "),
        ]
        .join("\n");
        MeiliDoc {
            id: d.id,
            title: text::fold(&d.title),
            summary: text::fold(&d.summary),
            body: text::fold(&body),
            title_en: d.title_en.clone(),
            summary_en: d.summary_en.clone(),
            pinyin: d.pinyin(),
            original_title: d.title.clone(),
            original_summary: d.summary.clone(),
            theme: d.theme_slug.clone(),
            department: d.department_slug.clone(),
            open_class: d.open_class.as_str().to_owned(),
            format: d.formats.iter().map(|f| f.to_uppercase()).collect(),
            frequency: d.update_frequency.as_str().to_owned(),
            updated: d.last_updated_at.and_utc().timestamp(),
            published: d.published_at.map_or(0, |t| t.and_utc().timestamp()),
            downloads: d.download_count,
            name_key: d.title.clone(),
            tag: d.keywords.clone(),
            license: d.license_id.clone(),
            license_text: d.license.clone(),
            slug: d.slug.clone(),
            modified: d.modified_at.and_utc().timestamp(),
            created: d.created_at.and_utc().timestamp(),
        }
    }
}

/// The displayed attributes of a hit.
#[derive(Debug, Deserialize)]
struct Shown {
    id: i32,
    #[serde(default)]
    original_title: String,
    #[serde(default)]
    original_summary: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct Meta {
    key: String,
    value: i64,
}

fn unavailable(e: impl std::fmt::Display) -> SearchError {
    SearchError::Unavailable(format!("Meilisearch：{e}"))
}

pub struct MeiliIndex {
    client: Client,
    uid: String,
    /// Always `Some` until dropped (see the `Drop` impl).
    runtime: Option<tokio::runtime::Runtime>,
    /// The outbox cursor last written by this process (others may be ahead: re-applying an
    /// entry is harmless).
    cursor: AtomicI64,
}

impl MeiliIndex {
    /// Connects, creates the index and its settings when missing, and reads the cursor.
    pub fn connect(url: &str, key: Option<&str>, uid: &str) -> Result<Self, SearchError> {
        let client = Client::new(url.trim_end_matches('/'), key).map_err(unavailable)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("meilisearch")
            .enable_all()
            .build()
            .map_err(unavailable)?;
        let index = MeiliIndex {
            client,
            uid: uid.to_owned(),
            runtime: Some(runtime),
            cursor: AtomicI64::new(0),
        };
        index.run(index.prepare())?;
        if index.run(index.read_meta("schema"))? != SCHEMA {
            // Documents of another shape: start empty, so that the portal rebuilds the index.
            index.run(index.write(true, &[], &[], 0, REBUILD_TIMEOUT))?;
            index.run(index.write_meta("schema", SCHEMA, APPLY_TIMEOUT))?;
        }
        let cursor = index.run(index.read_meta("cursor"))?;
        index.cursor.store(cursor, Ordering::SeqCst);
        Ok(index)
    }

    pub fn uid(&self) -> &str {
        &self.uid
    }

    /// Deletes the index and its companion (tests clean up with it).
    pub fn delete(&self) -> Result<(), SearchError> {
        self.run(async {
            for uid in [self.uid.clone(), self.meta_uid()] {
                let task = self.client.delete_index(&uid).await?;
                self.wait(task, APPLY_TIMEOUT).await.ok();
            }
            Ok(())
        })
    }

    fn meta_uid(&self) -> String {
        format!("{}_meta", self.uid)
    }

    fn index(&self) -> Index {
        self.client.index(&self.uid)
    }

    /// Runs a request on this back-end's runtime, from a thread of its own (so that callers on
    /// any thread, inside another runtime or not, can wait for it).
    fn run<T: Send>(
        &self,
        work: impl Future<Output = Result<T, Error>> + Send,
    ) -> Result<T, SearchError> {
        let runtime = self.runtime.as_ref().ok_or_else(|| unavailable("已关闭"))?;
        std::thread::scope(|s| {
            s.spawn(|| runtime.block_on(work))
                .join()
                .map_err(|_| unavailable("请求线程异常退出"))?
                .map_err(unavailable)
        })
    }

    /// Waits for a task; a failed task is an error carrying Meilisearch's message.
    async fn wait(&self, task: TaskInfo, timeout: Duration) -> Result<(), Error> {
        match self
            .client
            .wait_for_task(task, Some(POLL), Some(timeout))
            .await?
        {
            Task::Failed { content } => Err(Error::Meilisearch(content.error)),
            _ => Ok(()),
        }
    }

    async fn prepare(&self) -> Result<(), Error> {
        for (uid, key) in [(self.uid.clone(), "id"), (self.meta_uid(), "key")] {
            let task = self.client.create_index(&uid, Some(key)).await?;
            match self.wait(task, APPLY_TIMEOUT).await {
                Err(Error::Meilisearch(e)) if e.error_code == ErrorCode::IndexAlreadyExists => {}
                other => other?,
            }
        }
        let settings = Settings::new()
            // In this order: a match in the title ranks above one in the summary or the rest.
            // English and pinyin after the Chinese text, so that a Chinese match ranks first.
            .with_searchable_attributes([
                "title",
                "summary",
                "body",
                "title_en",
                "summary_en",
                "pinyin",
            ])
            // Pinyin is matched as typed: a typo there is another word (jiaotong, jiaotang).
            .with_typo_tolerance(TypoToleranceSettings {
                disable_on_attributes: Some(vec!["pinyin".to_owned()]),
                ..TypoToleranceSettings::default()
            })
            .with_displayed_attributes(["id", "original_title", "original_summary"])
            .with_filterable_attributes(DIMENSIONS.iter().chain(&[
                "tag",
                "license",
                "license_text",
                "slug",
                "modified",
                "id",
            ]))
            .with_sortable_attributes([
                "updated",
                "published",
                "downloads",
                "name_key",
                "modified",
                "created",
                "slug",
                "id",
            ])
            // An explicit sort decides the order (as in the embedded index); without one,
            // relevance does.
            .with_ranking_rules([
                "sort",
                "words",
                "typo",
                "proximity",
                "attribute",
                "exactness",
            ])
            .with_faceting(FacetingSettings {
                max_values_per_facet: 1_000,
                // Past the cap, the most frequent values are the ones kept.
                sort_facet_values_by: Some(
                    [("*".to_owned(), FacetSortValue::Count)]
                        .into_iter()
                        .collect(),
                ),
            })
            .with_pagination(PaginationSetting {
                max_total_hits: 1_000_000,
            });
        let task = self.index().set_settings(&settings).await?;
        self.wait(task, APPLY_TIMEOUT).await
    }

    /// A number kept beside the index (0 when missing).
    async fn read_meta(&self, key: &str) -> Result<i64, Error> {
        match self
            .client
            .index(self.meta_uid())
            .get_document::<Meta>(key)
            .await
        {
            Ok(meta) => Ok(meta.value),
            Err(Error::Meilisearch(e))
                if matches!(
                    e.error_code,
                    ErrorCode::DocumentNotFound | ErrorCode::IndexNotFound
                ) =>
            {
                Ok(0)
            }
            Err(e) => Err(e),
        }
    }

    async fn write(
        &self,
        clear: bool,
        remove: &[i32],
        docs: &[SearchDoc],
        cursor: i64,
        timeout: Duration,
    ) -> Result<(), Error> {
        let index = self.index();
        let mut tasks = Vec::new();
        if clear {
            tasks.push(index.delete_all_documents().await?);
        } else if !remove.is_empty() {
            tasks.push(index.delete_documents(remove).await?);
        }
        let docs: Vec<MeiliDoc> = docs.iter().map(MeiliDoc::of).collect();
        for batch in docs.chunks(BATCH) {
            tasks.push(index.add_or_replace(batch, Some("id")).await?);
        }
        // Tasks of one index run in order: each is checked, so a failure anywhere is seen.
        for task in tasks {
            self.wait(task, timeout).await?;
        }
        self.write_meta("cursor", cursor, timeout).await
    }

    async fn write_meta(&self, key: &str, value: i64, timeout: Duration) -> Result<(), Error> {
        let meta = Meta {
            key: key.into(),
            value,
        };
        let task = self
            .client
            .index(self.meta_uid())
            .add_or_replace(&[meta], Some("key"))
            .await?;
        self.wait(task, timeout).await
    }

    async fn query(&self, q: &SearchQuery, folded: &str) -> Result<SearchResults, Error> {
        let index = self.index();
        let has_text = !folded.trim().is_empty();
        let (page, per_page, skip) = paging(q.offset, q.limit);
        let rules = if q.order.is_empty() {
            sort_rule(q.sort, has_text)
                .into_iter()
                .map(str::to_owned)
                .collect()
        } else {
            order_rules(&q.order)
        };
        let sort: Vec<&str> = rules.iter().map(String::as_str).collect();
        let all_filters = filter(q, None);
        let facets_of = |filtered: bool| -> Vec<&str> {
            if q.no_facets {
                return Vec::new();
            }
            DIMENSIONS
                .iter()
                .copied()
                .filter(|d| values(q, d).is_empty() != filtered)
                .collect()
        };
        let mut unfiltered = facets_of(false);
        if q.more_facets && !q.no_facets {
            unfiltered.extend(["tag", "license"]);
        }
        let filtered = facets_of(true);
        let own: Vec<(&str, Option<String>)> =
            filtered.iter().map(|d| (*d, filter(q, Some(d)))).collect();
        let facet_lists: Vec<[&str; 1]> = filtered.iter().map(|d| [*d]).collect();

        let mut main = MeiliQuery::new(&index);
        main.with_matching_strategy(MatchingStrategies::ALL)
            .with_page(page)
            .with_hits_per_page(per_page)
            .with_facets(Selectors::Some(&unfiltered));
        if has_text {
            main.with_query(folded);
        }
        if q.ids_only {
            main.with_attributes_to_retrieve(Selectors::Some(&["id"]));
        }
        if let Some(f) = &all_filters {
            main.with_filter(f);
        }
        if !sort.is_empty() {
            main.with_sort(&sort);
        }
        let mut multi = self.client.multi_search();
        multi.with_search_query(main);
        for ((_, f), facets) in own.iter().zip(&facet_lists) {
            let mut counting = MeiliQuery::new(&index);
            counting
                .with_matching_strategy(MatchingStrategies::ALL)
                .with_limit(0)
                .with_facets(Selectors::Some(facets));
            if has_text {
                counting.with_query(folded);
            }
            if let Some(f) = f {
                counting.with_filter(f);
            }
            multi.with_search_query(counting);
        }
        let response = multi.execute::<Shown>().await?;
        let mut results = response.results.into_iter();
        let Some(main) = results.next() else {
            return Ok(SearchResults::default());
        };
        let mut distribution = main.facet_distribution.clone().unwrap_or_default();
        for (dim, r) in filtered.iter().zip(results) {
            if let Some(d) = r.facet_distribution.and_then(|mut d| d.remove(*dim)) {
                distribution.insert((*dim).to_owned(), d);
            }
        }
        let words = text::words(&q.text);
        let hits = main
            .hits
            .into_iter()
            .skip(skip)
            .map(|h| Hit {
                id: h.result.id,
                title_html: text::highlight(&h.result.original_title, &words, TITLE_CHARS),
                summary_html: text::highlight(&h.result.original_summary, &words, SUMMARY_CHARS),
            })
            .collect();
        let facet_of = |dim: &str| counts(Some(&distribution), dim);
        Ok(SearchResults {
            total: main
                .total_hits
                .or(main.estimated_total_hits)
                .unwrap_or_default() as u64,
            hits,
            facets: FacetCounts {
                theme: facet_of("theme"),
                department: facet_of("department"),
                open_class: facet_of("open_class"),
                format: facet_of("format"),
                frequency: facet_of("frequency"),
                tag: facet_of("tag"),
                license: facet_of("license"),
            },
        })
    }
}

impl Drop for MeiliIndex {
    /// A runtime dropped the ordinary way blocks, which tokio forbids inside another runtime (the
    /// server's, at shutdown): let it wind down in the background instead.
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl SearchIndex for MeiliIndex {
    fn rebuild(&self, docs: &[SearchDoc], cursor: i64) -> Result<(), SearchError> {
        self.run(self.write(true, &[], docs, cursor, REBUILD_TIMEOUT))?;
        self.cursor.store(cursor, Ordering::SeqCst);
        Ok(())
    }

    fn apply(&self, docs: &[SearchDoc], remove: &[i32], cursor: i64) -> Result<(), SearchError> {
        self.run(self.write(false, remove, docs, cursor, APPLY_TIMEOUT))?;
        self.cursor.store(cursor, Ordering::SeqCst);
        Ok(())
    }

    fn cursor(&self) -> Result<i64, SearchError> {
        Ok(self.cursor.load(Ordering::SeqCst))
    }

    fn search(&self, q: &SearchQuery) -> Result<SearchResults, SearchError> {
        if !q.text.trim().is_empty() && text::words(&q.text).is_empty() {
            // Only punctuation or symbols: nothing can match (as in the embedded index).
            return Ok(SearchResults::default());
        }
        let folded = text::fold(&q.text);
        self.run(self.query(q, &folded))
    }

    fn len(&self) -> Result<u64, SearchError> {
        let stats = self.run(self.index().get_stats())?;
        Ok(stats.number_of_documents as u64)
    }
}

#[cfg(test)]
mod tests;
