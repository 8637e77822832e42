//! CKAN's dictionaries: packages, resources, organizations and groups as JSON.

use serde_json::{Value, json};

use crate::domain::{OpenClass, license_id};
use crate::services::ckan::{DatasetPage, Department, PublicResource, Theme};
use crate::web::api::read::download_urls;
use crate::web::format::iso;

pub fn organization(d: &Department, count: u64) -> Value {
    json!({
        "id": d.slug,
        "name": d.slug,
        "title": d.name,
        "display_name": d.name,
        "description": d.description,
        "type": "organization",
        "is_organization": true,
        "state": "active",
        "approval_status": "approved",
        "image_url": "",
        "created": iso(&d.created_at),
        "package_count": count,
    })
}

pub fn group(t: &Theme, count: u64) -> Value {
    json!({
        "id": t.slug,
        "name": t.slug,
        "title": t.name,
        "display_name": t.name,
        "description": t.description,
        "type": "group",
        "is_organization": false,
        "state": "active",
        "approval_status": "approved",
        "image_url": "",
        "package_count": count,
    })
}

pub fn resource(base: &str, page: &DatasetPage, r: &PublicResource) -> Value {
    let d = &page.dataset;
    let current = r
        .versions
        .iter()
        .find(|v| Some(v.id) == r.resource.current_version_id);
    let modified = current.map(crate::services::resources::finished_or_created);
    let position = page
        .resources
        .iter()
        .position(|x| x.resource.id == r.resource.id)
        .unwrap_or(0);
    json!({
        "id": r.resource.id.to_string(),
        "package_id": d.slug,
        "name": r.resource.name,
        "description": "",
        "format": "CSV",
        "mimetype": "text/csv",
        "url": download_urls(base, &d.slug, r.resource.id)["csv"],
        "url_type": Value::Null,
        "size": current.and_then(|v| v.data_size).unwrap_or(r.resource.size_bytes),
        "hash": current.and_then(|v| v.data_sha256.clone()).unwrap_or_default(),
        "created": iso(&r.resource.created_at),
        "last_modified": modified.map(|t| iso(&t)),
        "metadata_modified": modified.map(|t| iso(&t)),
        "position": position,
        "state": "active",
        // Rows through datastore_search for open data; conditional rows need a grant.
        "datastore_active": d.open_class == OpenClass::Unconditional,
        "access": if d.open_class == OpenClass::Conditional { "grant_required" } else { "open" },
    })
}

/// A dataset as CKAN's package dictionary.
pub fn package(base: &str, page: &DatasetPage) -> Value {
    let d = &page.dataset;
    let tags: Vec<Value> = page
        .keywords
        .as_slice()
        .iter()
        .map(|k| json!({"id": k, "name": k, "display_name": k, "state": "active", "vocabulary_id": Value::Null}))
        .collect();
    let resources: Vec<Value> = page
        .resources
        .iter()
        .map(|r| resource(base, page, r))
        .collect();
    let extras = [
        ("code", Some(d.code.clone())),
        ("open_class", Some(d.open_class.as_str().to_owned())),
        ("open_conditions", d.open_conditions.clone()),
        ("legal_basis", d.legal_basis.clone()),
        (
            "update_frequency",
            Some(d.update_frequency.as_str().to_owned()),
        ),
        ("spatial_coverage", Some(d.spatial_coverage.clone())),
        ("temporal_start", d.temporal_start.map(|t| t.to_string())),
        ("temporal_end", d.temporal_end.map(|t| t.to_string())),
        ("record_count", Some(d.record_count.to_string())),
    ];
    json!({
        "id": d.slug,
        "name": d.slug,
        "title": d.title,
        "notes": d.summary,
        // CKAN's multilingual fields (ckanext-fluent): the English only where it was given.
        "title_translated": translated(&d.title, d.title_en.as_deref()),
        "notes_translated": translated(&d.summary, d.summary_en.as_deref()),
        "url": format!("{base}/datasets/{}", d.slug),
        "type": "dataset",
        "state": "active",
        "private": false,
        "author": page.department.name,
        "maintainer": d.maintainer,
        "license_id": license_id(&d.license),
        "license_title": d.license,
        "metadata_created": iso(&d.published_at.unwrap_or(d.created_at)),
        "metadata_modified": iso(&d.modified_at),
        "owner_org": page.department.slug,
        "organization": organization(&page.department, 0),
        "groups": [group(&page.theme, 0)],
        "tags": tags,
        "num_tags": page.keywords.as_slice().len(),
        "resources": resources,
        "num_resources": page.resources.len(),
        "open_class": d.open_class.as_str(),
        "extras": extras
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| json!({"key": k, "value": v})))
            .collect::<Vec<_>>(),
    })
}

/// `{"zh": …, "en": …}` as ckanext-fluent writes a translated text; `en` only when there is one.
fn translated(zh: &str, en: Option<&str>) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("zh".into(), json!(zh));
    if let Some(en) = en {
        m.insert("en".into(), json!(en));
    }
    Value::Object(m)
}
