//! Machine-readable descriptions of the catalog for harvesters and crawlers:
//!
//! - DCAT-AP 3 at `/catalog.ttl` and `/catalog.jsonld` (Hydra paging, `?page=`,
//!   `?modified_since=`), and one dataset at `/datasets/{slug}/dcat.ttl|.jsonld`;
//!   `dct:accessRights` PUBLIC for unconditionally open data, RESTRICTED for conditional data.
//!   Both serialisations come from one list of triples, so they always say the same.
//! - Frictionless Data Package v2 at `/datasets/{slug}/datapackage.json` (open data only).
//! - schema.org `Dataset` JSON-LD for the dataset page (`/sitemap.xml` and `/robots.txt` are in
//!   `sitemap.rs`).
//!
//! Closed, draft and withdrawn datasets appear in none of them (everything starts from
//! `services::catalog`'s public queries).

use std::fmt::Write as _;

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Map, Value, json};

use crate::domain::license_id;
use crate::domain::{OpenClass, UpdateFrequency};
use crate::services::catalog::{self, DatasetPage};
use crate::services::resources::finished_or_created;
use crate::web::AppState;
use crate::web::api_error::ApiError;
use crate::web::format::iso;
use crate::web::machine::{HarvestQuery, base_url, download_urls, tagged};

// `/datasets/{slug}/datapackage.json`
pub mod datapackage;

pub use datapackage::datapackage;

/// Datasets per catalog page.
const PAGE_SIZE: i64 = 100;

const PREFIXES: [(&str, &str); 9] = [
    ("dcat", "http://www.w3.org/ns/dcat#"),
    ("dct", "http://purl.org/dc/terms/"),
    ("foaf", "http://xmlns.com/foaf/0.1/"),
    ("skos", "http://www.w3.org/2004/02/skos/core#"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
    ("hydra", "http://www.w3.org/ns/hydra/core#"),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("adms", "http://www.w3.org/ns/adms#"),
    ("vcard", "http://www.w3.org/2006/vcard/ns#"),
];

const ACCESS_RIGHT: &str = "http://publications.europa.eu/resource/authority/access-right/";
const FREQUENCY: &str = "http://publications.europa.eu/resource/authority/frequency/";

/// An RDF object: an IRI, a term of one of the prefixes above, or a literal.
#[derive(Debug, Clone)]
enum Obj {
    Iri(String),
    Term(&'static str),
    Text(String),
    Typed(String, &'static str),
}

/// Triples in the order they were said, grouped by subject when written.
#[derive(Debug, Default)]
struct Graph {
    triples: Vec<(String, &'static str, Obj)>,
}

impl Graph {
    fn add(&mut self, s: &str, p: &'static str, o: Obj) {
        self.triples.push((s.to_owned(), p, o));
    }

    fn subjects(&self) -> Vec<(&str, Vec<(&'static str, &Obj)>)> {
        let mut out: Vec<(&str, Vec<(&'static str, &Obj)>)> = Vec::new();
        let mut at = std::collections::HashMap::new();
        for (s, p, o) in &self.triples {
            let i = *at.entry(s.as_str()).or_insert_with(|| {
                out.push((s.as_str(), Vec::new()));
                out.len() - 1
            });
            out[i].1.push((*p, o));
        }
        out
    }

    fn turtle(&self) -> String {
        let mut out = String::new();
        for (p, iri) in PREFIXES {
            let _ = writeln!(out, "@prefix {p}: <{iri}> .");
        }
        for (s, props) in self.subjects() {
            let _ = write!(out, "\n<{}>", iri_escape(s));
            for (i, (p, o)) in props.iter().enumerate() {
                let sep = if i == 0 { "\n    " } else { " ;\n    " };
                let p = if *p == "rdf:type" { "a" } else { p };
                let _ = write!(out, "{sep}{p} {}", turtle_obj(o));
            }
            out.push_str(" .\n");
        }
        out
    }

    fn json_ld(&self) -> Value {
        let context: Map<String, Value> = PREFIXES
            .iter()
            .map(|(p, iri)| ((*p).to_owned(), json!(iri)))
            .collect();
        let graph: Vec<Value> = self
            .subjects()
            .into_iter()
            .map(|(s, props)| {
                let mut node = Map::new();
                node.insert("@id".into(), json!(s));
                for (p, o) in props {
                    if p == "rdf:type" {
                        if let Obj::Term(t) = o {
                            push(&mut node, "@type", json!(t));
                        }
                        continue;
                    }
                    let value = match o {
                        Obj::Iri(i) => json!({ "@id": i }),
                        Obj::Term(t) => json!({ "@id": t }),
                        Obj::Text(t) => json!({ "@value": t, "@language": "zh-CN" }),
                        Obj::Typed(v, dt) => json!({ "@value": v, "@type": dt }),
                    };
                    push(&mut node, p, value);
                }
                Value::Object(node)
            })
            .collect();
        json!({ "@context": context, "@graph": graph })
    }
}

/// Appends to the array under `key`, creating it.
fn push(node: &mut Map<String, Value>, key: &str, value: Value) {
    if let Value::Array(a) = node.entry(key).or_insert_with(|| json!([])) {
        a.push(value);
    }
}

fn iri_escape(s: &str) -> String {
    s.chars()
        .flat_map(|c| match c {
            '<' | '>' | '"' | ' ' | '{' | '}' | '|' | '\\' | '^' | '`' => {
                format!("%{:02X}", c as u32).chars().collect::<Vec<_>>()
            }
            c => vec![c],
        })
        .collect()
}

fn turtle_obj(o: &Obj) -> String {
    let lit = |s: &str| {
        let mut out = String::with_capacity(s.len() + 2);
        out.push('"');
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c => out.push(c),
            }
        }
        out.push('"');
        out
    };
    match o {
        Obj::Iri(i) => format!("<{}>", iri_escape(i)),
        Obj::Term(t) => (*t).to_owned(),
        Obj::Text(t) => format!("{}@zh-CN", lit(t)),
        Obj::Typed(v, dt) => format!("{}^^{dt}", lit(v)),
    }
}

fn frequency(f: UpdateFrequency) -> &'static str {
    match f {
        UpdateFrequency::Realtime => "UPDATE_CONT",
        UpdateFrequency::Daily => "DAILY",
        UpdateFrequency::Weekly => "WEEKLY",
        UpdateFrequency::Monthly => "MONTHLY",
        UpdateFrequency::Quarterly => "QUARTERLY",
        UpdateFrequency::Semiannual => "ANNUAL_2",
        UpdateFrequency::Annual => "ANNUAL",
        UpdateFrequency::Irregular => "IRREG",
    }
}

fn datetime(t: &chrono::NaiveDateTime) -> Obj {
    Obj::Typed(iso(t), "xsd:dateTime")
}

/// The catalog node, its publisher and the access-rights statements.
fn describe_catalog(g: &mut Graph, state: &AppState, base: &str) -> String {
    let catalog = format!("{base}/catalog");
    let publisher = format!("{base}/#publisher");
    g.add(&catalog, "rdf:type", Obj::Term("dcat:Catalog"));
    g.add(
        &catalog,
        "dct:title",
        Obj::Text(state.settings.site.name.clone()),
    );
    g.add(
        &catalog,
        "dct:description",
        Obj::Text(format!(
            "{}：省、市、县三级数据提供部门向社会开放的公共数据目录（无条件开放与有条件开放）",
            state.settings.site.name
        )),
    );
    g.add(&catalog, "dct:publisher", Obj::Iri(publisher.clone()));
    g.add(&catalog, "foaf:homepage", Obj::Iri(format!("{base}/")));
    g.add(
        &catalog,
        "dct:language",
        Obj::Iri("http://publications.europa.eu/resource/authority/language/ZHO".into()),
    );
    g.add(&publisher, "rdf:type", Obj::Term("foaf:Agent"));
    g.add(
        &publisher,
        "foaf:name",
        Obj::Text(state.settings.site.name.clone()),
    );
    for (right, label) in [("PUBLIC", "无条件开放"), ("RESTRICTED", "有条件开放")] {
        let iri = format!("{ACCESS_RIGHT}{right}");
        g.add(&iri, "rdf:type", Obj::Term("dct:RightsStatement"));
        g.add(&iri, "rdfs:label", Obj::Text(label.into()));
    }
    catalog
}

/// One dataset with its publisher, theme and distributions.
fn describe_dataset(g: &mut Graph, base: &str, page: &DatasetPage) -> String {
    let d = &page.dataset;
    let iri = format!("{base}/datasets/{}", d.slug);
    let dept = format!("{base}/departments/{}", page.department.slug);
    let theme = format!("{base}/themes/{}", page.theme.slug);
    g.add(&iri, "rdf:type", Obj::Term("dcat:Dataset"));
    g.add(
        &iri,
        "dct:identifier",
        Obj::Typed(d.slug.clone(), "xsd:string"),
    );
    // The catalog code (目录编码) as an ADMS identifier.
    let code = format!("{iri}#code");
    g.add(&iri, "adms:identifier", Obj::Iri(code.clone()));
    g.add(&code, "rdf:type", Obj::Term("adms:Identifier"));
    g.add(
        &code,
        "skos:notation",
        Obj::Typed(d.code.clone(), "xsd:string"),
    );
    g.add(&iri, "dct:title", Obj::Text(d.title.clone()));
    g.add(&iri, "dct:description", Obj::Text(d.summary.clone()));
    for k in page.keywords.as_slice() {
        g.add(&iri, "dcat:keyword", Obj::Text(k.clone()));
    }
    g.add(&iri, "dcat:landingPage", Obj::Iri(iri.clone()));
    g.add(&iri, "dct:publisher", Obj::Iri(dept.clone()));
    g.add(&iri, "dcat:theme", Obj::Iri(theme.clone()));
    if let Some(t) = &d.published_at {
        g.add(&iri, "dct:issued", datetime(t));
    }
    g.add(&iri, "dct:modified", datetime(&d.modified_at));
    let right = if d.open_class == OpenClass::Conditional {
        "RESTRICTED"
    } else {
        "PUBLIC"
    };
    g.add(
        &iri,
        "dct:accessRights",
        Obj::Iri(format!("{ACCESS_RIGHT}{right}")),
    );
    g.add(
        &iri,
        "dct:accrualPeriodicity",
        Obj::Iri(format!("{FREQUENCY}{}", frequency(d.update_frequency))),
    );
    g.add(&dept, "rdf:type", Obj::Term("foaf:Agent"));
    g.add(&dept, "foaf:name", Obj::Text(page.department.name.clone()));
    g.add(&theme, "rdf:type", Obj::Term("skos:Concept"));
    g.add(&theme, "skos:prefLabel", Obj::Text(page.theme.name.clone()));
    let license = format!("{base}/licenses/{}", license_id(&d.license));
    g.add(&license, "rdf:type", Obj::Term("dct:LicenseDocument"));
    g.add(&license, "rdfs:label", Obj::Text(d.license.clone()));
    for r in &page.resources {
        let dist = format!("{iri}/resources/{}", r.resource.id);
        let current = r
            .versions
            .iter()
            .find(|v| Some(v.id) == r.resource.current_version_id);
        g.add(&iri, "dcat:distribution", Obj::Iri(dist.clone()));
        g.add(&dist, "rdf:type", Obj::Term("dcat:Distribution"));
        g.add(&dist, "dct:title", Obj::Text(r.resource.name.clone()));
        if d.open_class == OpenClass::Unconditional {
            let csv = download_urls(base, &d.slug, r.resource.id)["csv"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            g.add(&dist, "dcat:accessURL", Obj::Iri(iri.clone()));
            g.add(&dist, "dcat:downloadURL", Obj::Iri(csv));
        } else {
            // Conditional data: the way in is the application, never a file.
            g.add(&dist, "dcat:accessURL", Obj::Iri(format!("{iri}/apply")));
        }
        g.add(
            &dist,
            "dcat:mediaType",
            Obj::Iri("http://www.iana.org/assignments/media-types/text/csv".into()),
        );
        g.add(
            &dist,
            "dct:format",
            Obj::Iri("http://publications.europa.eu/resource/authority/file-type/CSV".into()),
        );
        g.add(&dist, "dct:license", Obj::Iri(license.clone()));
        if let Some(size) = current.and_then(|v| v.data_size) {
            g.add(
                &dist,
                "dcat:byteSize",
                Obj::Typed(size.max(0).to_string(), "xsd:nonNegativeInteger"),
            );
        }
        if let Some(v) = current {
            g.add(&dist, "dct:modified", datetime(&finished_or_created(v)));
        }
    }
    g.add(
        "http://publications.europa.eu/resource/authority/file-type/CSV",
        "rdf:type",
        Obj::Term("dct:MediaTypeOrExtent"),
    );
    g.add(
        "http://www.iana.org/assignments/media-types/text/csv",
        "rdf:type",
        Obj::Term("dct:MediaType"),
    );
    iri
}

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
    let mut g = Graph::default();
    let catalog = describe_catalog(&mut g, &state, &base);
    for p in &pages {
        let ds = describe_dataset(&mut g, &base, p);
        g.add(&catalog, "dcat:dataset", Obj::Iri(ds));
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
    g.add(&catalog, "rdf:type", Obj::Term("hydra:Collection"));
    g.add(
        &catalog,
        "hydra:totalItems",
        Obj::Typed(total.to_string(), "xsd:integer"),
    );
    g.add(&catalog, "hydra:view", Obj::Iri(view.clone()));
    g.add(&view, "rdf:type", Obj::Term("hydra:PartialCollectionView"));
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
    let mut g = Graph::default();
    let catalog = describe_catalog(&mut g, &state, &base);
    let ds = describe_dataset(&mut g, &base, &page);
    g.add(&catalog, "dcat:dataset", Obj::Iri(ds));
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
#[path = "exports_tests.rs"]
mod tests;
