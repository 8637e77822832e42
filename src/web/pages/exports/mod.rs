//! Machine-readable descriptions of the catalog for harvesters and crawlers:
//!
//! - DCAT-AP 3.0.1 at `/catalog.ttl` and `/catalog.jsonld` (Hydra paging, `?page=`,
//!   `?modified_since=`), and one dataset at `/datasets/{slug}/dcat.ttl|.jsonld` (`dcat.rs`);
//!   `dct:accessRights` PUBLIC for unconditionally open data, RESTRICTED for conditional data.
//!   Both serialisations come from one list of triples (`graph.rs`), so they always say the
//!   same. `tests/interop/check.py` validates them with pySHACL against the official shapes.
//! - Frictionless Data Package v2 at `/datasets/{slug}/datapackage.json` (open data only).
//! - schema.org `Dataset` JSON-LD for the dataset page (`/sitemap.xml` and `/robots.txt` are in
//!   `sitemap.rs`).
//!
//! Closed, draft and withdrawn datasets appear in none of them (everything starts from
//! `services::catalog`'s public queries).

use std::fmt::Write as _;

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use crate::domain::OpenClass;
use crate::services::catalog::{self, DatasetPage};
use crate::web::AppState;
use crate::web::api_error::ApiError;
use crate::web::format::iso;
use crate::web::machine::{HarvestQuery, base_url, download_urls, tagged};

// `/datasets/{slug}/datapackage.json`
pub mod datapackage;
// The DCAT-AP description, and the graph it is written from.
mod dcat;
mod graph;

pub use datapackage::datapackage;

use dcat::{Site, describe_catalog, describe_dataset, list_dataset};
use graph::{Graph, Obj};

/// Datasets per catalog page.
const PAGE_SIZE: i64 = 100;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Rdf {
    Turtle,
    JsonLd,
}

impl Rdf {
    fn ext(self) -> &'static str {
        match self {
            Self::Turtle => "ttl",
            Self::JsonLd => "jsonld",
        }
    }

    fn respond(self, req: &HttpRequest, g: &Graph) -> HttpResponse {
        match self {
            Self::Turtle => tagged(req, "text/turtle; charset=utf-8", g.turtle().into_bytes()),
            Self::JsonLd => tagged(
                req,
                "application/ld+json",
                serde_json::to_vec(&g.json_ld()).unwrap_or_default(),
            ),
        }
    }
}

async fn catalog_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    format: Rdf,
) -> Result<HttpResponse, ApiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(req.query_string())
        .map_err(|_| ApiError::bad_request("查询参数格式有误"))?;
    let h = HarvestQuery::parse(&pairs, None)?;
    let page = h.page;
    let (total, pages) = h.run(&state).await?;
    let base = base_url(&state, &req);
    let site = Site::new(&state, &base);
    let mut g = Graph::default();
    let catalog = describe_catalog(&mut g, &site);
    for p in &pages {
        let ds = describe_dataset(&mut g, &site, p);
        list_dataset(&mut g, &site, &catalog, &ds);
    }
    // Hydra paging: the catalog is the collection, this document one view of it.
    let last = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let url = |n: i64| {
        let mut u = format!("{base}/catalog.{}?page={n}", format.ext());
        if let Some((_, v)) = pairs.iter().find(|(k, _)| k == "modified_since") {
            let _ = write!(u, "&modified_since={}", urlencoding_component(v));
        }
        u
    };
    let view = url(page);
    g.typed(&catalog, "hydra:Collection");
    g.add(
        &catalog,
        "hydra:totalItems",
        Obj::Typed(total.to_string(), "xsd:integer"),
    );
    g.add(&catalog, "hydra:view", Obj::Iri(view.clone()));
    g.typed(&view, "hydra:PartialCollectionView");
    g.add(&view, "hydra:first", Obj::Iri(url(1)));
    g.add(&view, "hydra:last", Obj::Iri(url(last)));
    if page > 1 {
        g.add(&view, "hydra:previous", Obj::Iri(url(page - 1)));
    }
    if page < last {
        g.add(&view, "hydra:next", Obj::Iri(url(page + 1)));
    }
    Ok(format.respond(&req, &g))
}

fn urlencoding_component(v: &str) -> String {
    form_urlencoded::byte_serialize(v.as_bytes()).collect()
}

/// `GET /catalog.ttl`
pub async fn catalog_ttl(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    catalog_page(state, req, Rdf::Turtle).await
}

/// `GET /catalog.jsonld`
pub async fn catalog_jsonld(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    catalog_page(state, req, Rdf::JsonLd).await
}

async fn public_page(state: &AppState, slug: String) -> Result<DatasetPage, ApiError> {
    state
        .db_as(move |c| Ok::<_, ApiError>(catalog::public_metadata(c, &slug)?))
        .await?
        .ok_or_else(ApiError::not_found)
}

async fn dataset_rdf(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: String,
    format: Rdf,
) -> Result<HttpResponse, ApiError> {
    let page = public_page(&state, slug).await?;
    let base = base_url(&state, &req);
    let site = Site::new(&state, &base);
    let mut g = Graph::default();
    let catalog = describe_catalog(&mut g, &site);
    let ds = describe_dataset(&mut g, &site, &page);
    list_dataset(&mut g, &site, &catalog, &ds);
    Ok(format.respond(&req, &g))
}

/// `GET /datasets/{slug}/dcat.ttl`
pub async fn dataset_ttl(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    dataset_rdf(state, req, slug.into_inner(), Rdf::Turtle).await
}

/// `GET /datasets/{slug}/dcat.jsonld`
pub async fn dataset_jsonld(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    dataset_rdf(state, req, slug.into_inner(), Rdf::JsonLd).await
}

/// schema.org `Dataset` for the dataset page, as JSON safe to put in a `<script>` element.
pub fn schema_org(base: &str, page: &DatasetPage) -> String {
    let d = &page.dataset;
    let url = format!("{base}/datasets/{}", d.slug);
    let mut value = json!({
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": url,
        "url": url,
        "name": d.title,
        "description": d.summary,
        "identifier": d.code,
        "keywords": page.keywords.as_slice(),
        "inLanguage": "zh-CN",
        "license": d.license,
        "isAccessibleForFree": true,
        "dateModified": iso(&d.modified_at),
        "creator": { "@type": "GovernmentOrganization", "name": page.department.name,
                     "url": format!("{base}/departments/{}", page.department.slug) },
        "includedInDataCatalog": { "@type": "DataCatalog", "url": format!("{base}/catalog.jsonld") },
        "conditionsOfAccess": if d.open_class == OpenClass::Conditional {
            d.open_conditions.clone().unwrap_or_else(|| "有条件开放：需申请".into())
        } else {
            "无条件开放".into()
        },
    });
    if let Some(t) = &d.published_at {
        value["datePublished"] = json!(iso(t));
    }
    if d.open_class == OpenClass::Unconditional {
        value["distribution"] = page
            .resources
            .iter()
            .map(|r| {
                json!({
                    "@type": "DataDownload",
                    "name": r.resource.name,
                    "encodingFormat": "text/csv",
                    "contentUrl": download_urls(base, &d.slug, r.resource.id)["csv"],
                })
            })
            .collect();
    }
    // `</script>` inside the JSON would end the element: escape `<` (still valid JSON).
    value.to_string().replace('<', "\\u003c")
}

#[cfg(test)]
mod tests;
