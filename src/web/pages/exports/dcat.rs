//! The DCAT-AP description of the catalog, its datasets and their distributions.

use crate::domain::license_id;
use crate::domain::{OpenClass, UpdateFrequency};
use crate::services::catalog::DatasetPage;
use crate::services::resources::finished_or_created;
use crate::web::AppState;
use crate::web::format::iso;
use crate::web::machine::download_urls;

use super::graph::{Graph, Obj};

const ACCESS_RIGHT: &str = "http://publications.europa.eu/resource/authority/access-right/";
const FREQUENCY: &str = "http://publications.europa.eu/resource/authority/frequency/";

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
pub fn describe_catalog(g: &mut Graph, state: &AppState, base: &str) -> String {
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
pub fn describe_dataset(g: &mut Graph, base: &str, page: &DatasetPage) -> String {
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
