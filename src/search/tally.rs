//! Facet counts that respect the other active filters, in one pass over the matching documents.
//!
//! A count for dimension D must include every document that matches the text and the filters of
//! all *other* dimensions, whether or not it passes D's own filter. Running one facet pass per
//! dimension visits the same documents five times; instead the caller runs a single query that
//! admits every document failing at most one dimension's filter (and some failing more), and
//! this collector decides, per document, which counts it feeds: all of them (and the total) when
//! it passes every filter, only the one dimension it fails, or none.
//!
//! (Keeping the best-scoring hits in the same pass was tried: scoring every candidate, including
//! those set aside, cost more than a second, filtered pass for the page.)

use std::collections::HashMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::fastfield::FacetReader;
use tantivy::schema::Facet;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// One facet dimension: its field and the values its filter allows (empty: no filter).
pub struct Dimension {
    pub field: &'static str,
    pub allowed: Vec<String>,
}

/// Counts per dimension (value → documents) and the number of documents passing every filter.
#[derive(Default)]
pub struct Tally {
    pub total: u64,
    pub counts: Vec<HashMap<String, u64>>,
}

pub struct FacetTally {
    pub dimensions: Vec<Dimension>,
}

struct SegmentDim {
    reader: FacetReader,
    /// `None` when the dimension has no filter; else the segment ordinals of allowed values.
    allowed: Option<Vec<u64>>,
    counts: Vec<u64>,
}

pub struct SegmentTally {
    dims: Vec<SegmentDim>,
    total: u64,
    ords: Vec<Vec<u64>>,
}

impl Collector for FacetTally {
    type Fruit = Tally;
    type Child = SegmentTally;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentTally> {
        let mut dims = Vec::with_capacity(self.dimensions.len());
        for d in &self.dimensions {
            let facets = reader.facet_reader(d.field)?;
            let allowed = if d.allowed.is_empty() {
                None
            } else {
                let mut ords = Vec::new();
                for value in &d.allowed {
                    let facet = Facet::from_path([value.as_str()]);
                    if let Some(ord) = facets.facet_dict().term_ord(facet.encoded_str())? {
                        ords.push(ord);
                    }
                }
                Some(ords)
            };
            dims.push(SegmentDim {
                counts: vec![0; facets.num_facets()],
                reader: facets,
                allowed,
            });
        }
        Ok(SegmentTally {
            ords: vec![Vec::new(); dims.len()],
            dims,
            total: 0,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Tally>) -> tantivy::Result<Tally> {
        let mut merged = Tally {
            total: 0,
            counts: vec![HashMap::new(); self.dimensions.len()],
        };
        for fruit in fruits {
            merged.total += fruit.total;
            for (into, from) in merged.counts.iter_mut().zip(fruit.counts) {
                for (value, n) in from {
                    *into.entry(value).or_default() += n;
                }
            }
        }
        Ok(merged)
    }
}

impl SegmentCollector for SegmentTally {
    type Fruit = Tally;

    fn collect(&mut self, doc: DocId, _score: Score) {
        let mut failed = None;
        for (i, dim) in self.dims.iter().enumerate() {
            let ords = &mut self.ords[i];
            ords.clear();
            ords.extend(dim.reader.facet_ords(doc));
            if let Some(allowed) = &dim.allowed
                && !ords.iter().any(|o| allowed.contains(o))
            {
                if failed.is_some() {
                    // Fails two filters: counts nowhere.
                    return;
                }
                failed = Some(i);
            }
        }
        let count = |i: usize, dims: &mut [SegmentDim]| {
            let mut previous = None;
            for &ord in &self.ords[i] {
                // Ordinals come sorted: a value repeated in one document counts once.
                if previous != Some(ord) {
                    dims[i].counts[ord as usize] += 1;
                }
                previous = Some(ord);
            }
        };
        match failed {
            Some(i) => count(i, &mut self.dims),
            None => {
                self.total += 1;
                for i in 0..self.dims.len() {
                    count(i, &mut self.dims);
                }
            }
        }
    }

    fn harvest(self) -> Tally {
        let mut counts = Vec::with_capacity(self.dims.len());
        for dim in self.dims {
            let mut values = HashMap::new();
            let mut bytes = Vec::new();
            for (ord, n) in dim.counts.iter().enumerate() {
                if *n == 0 {
                    continue;
                }
                bytes.clear();
                if !matches!(
                    dim.reader.facet_dict().ord_to_term(ord as u64, &mut bytes),
                    Ok(true)
                ) {
                    continue;
                }
                if let Ok(facet) = Facet::from_encoded(bytes.clone())
                    && let Some(value) = facet.to_path().first()
                {
                    values.insert((*value).to_owned(), *n);
                }
            }
            counts.push(values);
        }
        Tally {
            total: self.total,
            counts,
        }
    }
}
