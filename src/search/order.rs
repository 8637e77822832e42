//! An order of several keys (the CKAN API's `sort`), in one pass over the matching documents.
//!
//! Each segment keeps its best `top` documents in a bounded heap, comparing numbers as they are
//! and text by its term ordinal, which within one segment sorts as the text does. Ordinals of
//! different segments do not compare, so a segment hands over its documents with their text
//! read back, and the merge compares that. Any document of the global top is among its own
//! segment's top, so nothing is missed. Ties are broken by the dataset id, ascending.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use super::{Direction, SortKey};

/// At most this many keys in one order (the id that breaks ties comes on top).
pub const MAX_KEYS: usize = 5;

/// The fast fields each key reads.
pub struct Fields {
    pub modified: &'static str,
    pub created: &'static str,
    pub name: &'static str,
    pub title: &'static str,
    pub id: &'static str,
}

pub struct Ordered {
    pub keys: Vec<(SortKey, Direction)>,
    /// How many documents the caller needs from the top (offset + limit).
    pub top: usize,
    pub fields: Fields,
}

/// One part of a key after the merge: numbers already turned so that ascending is wanted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Number(i64),
    Text(String, Direction),
}

impl Ord for Part {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Part::Number(a), Part::Number(b)) => a.cmp(b),
            (Part::Text(a, d), Part::Text(b, _)) => match d {
                Direction::Ascending => a.cmp(b),
                Direction::Descending => b.cmp(a),
            },
            // The same key position always holds the same kind.
            (Part::Number(_), Part::Text(..)) => Ordering::Less,
            (Part::Text(..), Part::Number(_)) => Ordering::Greater,
        }
    }
}

impl PartialOrd for Part {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

enum Source {
    Score,
    Number(Column<i64>),
    Id(Column<u64>),
    Text(Option<StrColumn>),
}

/// Within one segment: the key as numbers, ascending being the wanted order.
type Key = [i64; MAX_KEYS];

#[derive(PartialEq, Eq)]
struct Entry {
    key: Key,
    doc: DocId,
}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key.cmp(&other.key).then(self.doc.cmp(&other.doc))
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

pub struct SegmentOrdered {
    sources: Vec<(Source, Direction)>,
    segment: SegmentOrdinal,
    top: usize,
    /// The best so far; the worst of them on top.
    heap: BinaryHeap<Entry>,
}

type Found = Vec<(Vec<Part>, DocAddress)>;

impl Collector for Ordered {
    type Fruit = Found;
    type Child = SegmentOrdered;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentOrdered> {
        let fast = reader.fast_fields();
        let mut sources = Vec::with_capacity(self.keys.len() + 1);
        for (key, direction) in self.keys.iter().take(MAX_KEYS - 1) {
            let source = match key {
                SortKey::Score => Source::Score,
                SortKey::Modified => Source::Number(fast.i64(self.fields.modified)?),
                SortKey::Created => Source::Number(fast.i64(self.fields.created)?),
                SortKey::Name => Source::Text(fast.str(self.fields.name)?),
                SortKey::Title => Source::Text(fast.str(self.fields.title)?),
            };
            sources.push((source, *direction));
        }
        sources.push((Source::Id(fast.u64(self.fields.id)?), Direction::Ascending));
        Ok(SegmentOrdered {
            sources,
            segment,
            top: self.top,
            heap: BinaryHeap::with_capacity(self.top.min(100_000) + 1),
        })
    }

    fn requires_scoring(&self) -> bool {
        self.keys.iter().any(|(k, _)| *k == SortKey::Score)
    }

    fn merge_fruits(&self, fruits: Vec<Found>) -> tantivy::Result<Found> {
        let mut all: Found = fruits.into_iter().flatten().collect();
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all.truncate(self.top);
        Ok(all)
    }
}

impl SegmentCollector for SegmentOrdered {
    type Fruit = Found;

    fn collect(&mut self, doc: DocId, score: Score) {
        if self.top == 0 {
            return;
        }
        let mut key = [0i64; MAX_KEYS];
        for (slot, (source, direction)) in key.iter_mut().zip(&self.sources) {
            let value = match source {
                // Scores are never negative, so their bits sort as they do.
                Source::Score => i64::from(score.max(0.0).to_bits()),
                Source::Number(c) => c.first(doc).unwrap_or(i64::MIN),
                Source::Id(c) => c.first(doc).map_or(i64::MAX, |v| v as i64),
                Source::Text(c) => c
                    .as_ref()
                    .and_then(|c| c.term_ords(doc).next())
                    .map_or(-1, |o| o as i64),
            };
            // `!v` reverses the order of every i64 without overflowing.
            *slot = match direction {
                Direction::Ascending => value,
                Direction::Descending => !value,
            };
        }
        let entry = Entry { key, doc };
        if self.heap.len() < self.top {
            self.heap.push(entry);
        } else if self.heap.peek().is_some_and(|worst| entry < *worst) {
            self.heap.pop();
            self.heap.push(entry);
        }
    }

    fn harvest(self) -> Found {
        let mut text = String::new();
        self.heap
            .into_vec()
            .into_iter()
            .map(|entry| {
                let parts = self
                    .sources
                    .iter()
                    .zip(entry.key)
                    .map(|((source, direction), value)| match source {
                        Source::Text(Some(c)) => {
                            let ord = match direction {
                                Direction::Ascending => value,
                                Direction::Descending => !value,
                            };
                            text.clear();
                            if ord >= 0 && !matches!(c.ord_to_str(ord as u64, &mut text), Ok(true))
                            {
                                text.clear();
                            }
                            Part::Text(text.clone(), *direction)
                        }
                        Source::Text(None) => Part::Text(String::new(), *direction),
                        _ => Part::Number(value),
                    })
                    .collect();
                (parts, DocAddress::new(self.segment, entry.doc))
            })
            .collect()
    }
}
