//! How a search becomes tantivy queries: the text, each filter term and clause, the facet
//! dimensions' filters, and the wider query the facet tally runs on.

use std::ops::Bound;

use tantivy::Term;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, FuzzyTermQuery, Occur, Query,
    RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};

use super::{Dim, EmbeddedIndex, dims, facet};
use crate::search::text;
use crate::search::{Clause, SearchQuery, Term as Want};

/// A lower-case word as the `en_stem` analyser indexes it.
fn english_stem(word: &str) -> String {
    use tantivy::tokenizer::{Language, LowerCaser, SimpleTokenizer, Stemmer, TextAnalyzer};
    let mut analyzer = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(LowerCaser)
        .filter(Stemmer::new(Language::English))
        .build();
    let mut stream = analyzer.token_stream(word);
    let mut out = String::new();
    while let Some(t) = stream.next() {
        out.push_str(&t.text);
    }
    out
}

impl EmbeddedIndex {
    /// The text part of a query: every word must appear in the title, the summary or the rest
    /// (title matches weigh most); longer Latin words also match with one typo.
    pub(super) fn text_query(&self, text: &str) -> Option<Box<dyn Query>> {
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
                let mut any: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Should, exact(f.all))];
                if latin && w.text.len() >= 5 {
                    let fuzzy = FuzzyTermQuery::new(term(f.all), 1, true);
                    any.push((
                        Occur::Should,
                        Box::new(BoostQuery::new(Box::new(fuzzy), 0.5)),
                    ));
                }
                if latin {
                    // An English word of the English title or summary, stemmed as indexed.
                    let stemmed = Term::from_field_text(f.english, &english_stem(&w.text));
                    any.push((
                        Occur::Should,
                        Box::new(TermQuery::new(stemmed, IndexRecordOption::WithFreqs)),
                    ));
                }
                if crate::search::pinyin::may_be_pinyin(&w.text) {
                    any.push((Occur::Should, exact(f.pinyin)));
                }
                let matching: Box<dyn Query> = Box::new(BooleanQuery::new(any));
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

    pub(super) fn values(q: &SearchQuery, dim: Dim) -> Vec<String> {
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
    pub(super) fn term_query(&self, term: &Want) -> Box<dyn Query> {
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
    pub(super) fn clause_query(&self, clause: &Clause) -> Box<dyn Query> {
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
    pub(super) fn dim_filter(&self, q: &SearchQuery, dim: Dim) -> Option<Box<dyn Query>> {
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
    pub(super) fn filtered(&self, text: Option<&dyn Query>, q: &SearchQuery) -> Box<dyn Query> {
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
    pub(super) fn tally_query(
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
}
