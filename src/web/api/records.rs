//! The JSON shapes of datasets: what the API returns (`DatasetRecord`, field names as in
//! DESIGN.md §5) and what POST/PATCH accept (`DatasetBody`).

use serde::{Deserialize, Serialize};

use crate::domain::{DatasetStatus, OpenClass, UpdateFrequency};
use crate::services::publishing::{Dataset, DatasetDraft, FieldDraft, Stored};

/// A dataset as the JSON API shows it (field names are the contract of DESIGN.md §5).
#[derive(Debug, Clone, Serialize)]
pub struct DatasetRecord {
    pub slug: String,
    pub code: String,
    pub title: String,
    pub summary: String,
    pub keywords: Vec<String>,
    pub theme: String,
    pub department: String,
    pub maintainer: String,
    pub open_class: OpenClass,
    pub open_conditions: Option<String>,
    pub legal_basis: Option<String>,
    pub update_frequency: UpdateFrequency,
    pub formats: Vec<String>,
    pub record_count: i64,
    pub temporal_coverage: Temporal,
    pub spatial_coverage: String,
    pub license: String,
    pub status: DatasetStatus,
    pub priority: bool,
    pub published_at: Option<String>,
    pub updated_at: String,
    pub fields: Vec<FieldDraft>,
    /// The English title and summary (`null` when none was given).
    pub title_en: Option<String>,
    pub summary_en: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Temporal {
    pub start: Option<String>,
    pub end: Option<String>,
}

pub fn record_of(s: Stored) -> DatasetRecord {
    record(
        &s.dataset,
        s.draft.keywords,
        s.draft.theme,
        s.department,
        s.draft.formats,
        s.draft.fields,
    )
}

/// The record of a public dataset already read with its metadata (no further queries).
pub fn record_of_page(page: &crate::services::catalog::DatasetPage) -> DatasetRecord {
    let fields = page
        .fields
        .iter()
        .map(|f| FieldDraft {
            name: f.name.clone(),
            data_type: f.data_type.clone(),
            description: f.description.clone(),
            unit: f.unit.clone().unwrap_or_default(),
            masked: f.masked,
        })
        .collect();
    record(
        &page.dataset,
        page.keywords.as_slice().to_vec(),
        page.theme.slug.clone(),
        page.department.slug.clone(),
        page.formats.clone(),
        fields,
    )
}

fn record(
    d: &Dataset,
    keywords: Vec<String>,
    theme: String,
    department: String,
    formats: Vec<String>,
    fields: Vec<FieldDraft>,
) -> DatasetRecord {
    let iso = |t: chrono::NaiveDateTime| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    DatasetRecord {
        slug: d.slug.clone(),
        code: d.code.clone(),
        title: d.title.clone(),
        summary: d.summary.clone(),
        keywords,
        theme,
        department,
        maintainer: d.maintainer.clone(),
        open_class: d.open_class,
        open_conditions: d.open_conditions.clone(),
        legal_basis: d.legal_basis.clone(),
        update_frequency: d.update_frequency,
        formats,
        record_count: d.record_count,
        temporal_coverage: Temporal {
            start: d.temporal_start.map(|t| t.to_string()),
            end: d.temporal_end.map(|t| t.to_string()),
        },
        spatial_coverage: d.spatial_coverage.clone(),
        license: d.license.clone(),
        status: d.status,
        priority: d.priority,
        published_at: d.published_at.map(iso),
        updated_at: iso(d.last_updated_at),
        fields,
        title_en: d.title_en.clone(),
        summary_en: d.summary_en.clone(),
    }
}

/// The JSON body of POST and PATCH: the record's writable fields, plus `reason` and `status`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatasetBody {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub keywords: Vec<String>,
    pub theme: String,
    pub maintainer: String,
    pub open_class: String,
    pub open_conditions: Option<String>,
    pub legal_basis: Option<String>,
    pub update_frequency: String,
    pub formats: Vec<String>,
    pub record_count: Option<i64>,
    pub temporal_coverage: Temporal,
    pub spatial_coverage: String,
    pub license: String,
    pub priority: bool,
    pub fields: Vec<FieldDraft>,
    /// Why the change is made (required for PATCH; recorded in the history).
    pub reason: Option<String>,
    /// `published` or `withdrawn` to change the status after the other changes.
    pub status: Option<String>,
    /// The English title and summary (`null` or absent: none).
    pub title_en: Option<String>,
    pub summary_en: Option<String>,
}

impl DatasetBody {
    pub fn from_draft(d: &DatasetDraft) -> Self {
        Self {
            slug: d.slug.clone(),
            title: d.title.clone(),
            summary: d.summary.clone(),
            keywords: d.keywords.clone(),
            theme: d.theme.clone(),
            maintainer: d.maintainer.clone(),
            open_class: d.open_class.clone(),
            open_conditions: Some(d.open_conditions.clone()).filter(|s| !s.is_empty()),
            legal_basis: Some(d.legal_basis.clone()).filter(|s| !s.is_empty()),
            update_frequency: d.update_frequency.clone(),
            formats: d.formats.clone(),
            record_count: d.record_count.parse().ok(),
            temporal_coverage: Temporal {
                start: Some(d.temporal_start.clone()).filter(|s| !s.is_empty()),
                end: Some(d.temporal_end.clone()).filter(|s| !s.is_empty()),
            },
            spatial_coverage: d.spatial_coverage.clone(),
            license: d.license.clone(),
            priority: d.priority,
            fields: d.fields.clone(),
            reason: None,
            status: None,
            title_en: Some(d.title_en.clone()).filter(|s| !s.is_empty()),
            summary_en: Some(d.summary_en.clone()).filter(|s| !s.is_empty()),
        }
    }

    pub fn to_draft(&self) -> DatasetDraft {
        DatasetDraft {
            title: self.title.clone(),
            slug: self.slug.clone(),
            summary: self.summary.clone(),
            keywords: self.keywords.clone(),
            theme: self.theme.clone(),
            maintainer: self.maintainer.clone(),
            open_class: self.open_class.clone(),
            open_conditions: self.open_conditions.clone().unwrap_or_default(),
            legal_basis: self.legal_basis.clone().unwrap_or_default(),
            update_frequency: self.update_frequency.clone(),
            formats: self.formats.clone(),
            record_count: self.record_count.map(|n| n.to_string()).unwrap_or_default(),
            temporal_start: self.temporal_coverage.start.clone().unwrap_or_default(),
            temporal_end: self.temporal_coverage.end.clone().unwrap_or_default(),
            spatial_coverage: self.spatial_coverage.clone(),
            license: self.license.clone(),
            priority: self.priority,
            fields: self.fields.clone(),
            title_en: self.title_en.clone().unwrap_or_default(),
            summary_en: self.summary_en.clone().unwrap_or_default(),
        }
    }
}
