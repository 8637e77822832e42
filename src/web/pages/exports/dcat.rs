//! DCAT-AP 3.0.1 descriptions of the catalog, its datasets, their distributions and the two APIs
//! that serve them, written so that the official SHACL shapes accept them without inference:
//! every value whose class the shapes name says its class (`a foaf:Document`,
//! `a dct:Frequency`, …), since a harvester does not infer it.

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
const CHINESE: &str = "http://publications.europa.eu/resource/authority/language/ZHO";
const CSV_FILE_TYPE: &str = "http://publications.europa.eu/resource/authority/file-type/CSV";
const CSV_MEDIA_TYPE: &str = "http://www.iana.org/assignments/media-types/text/csv";
const SHA256: &str = "http://spdx.org/rdf/terms#checksumAlgorithm_sha256";

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

fn date(d: &chrono::NaiveDate) -> Obj {
    Obj::Typed(d.format("%Y-%m-%d").to_string(), "xsd:date")
}

/// A web page: the object of `foaf:homepage`, `dcat:landingPage` and the like.
fn document(g: &mut Graph, s: &str, p: &'static str, page: &str) {
    g.add(s, p, Obj::Iri(page.to_owned()));
    g.typed(page, "foaf:Document");
}

/// `dct:language` Chinese, from the EU language authority table.
fn chinese(g: &mut Graph, s: &str) {
    g.add(s, "dct:language", Obj::Iri(CHINESE.into()));
    g.typed(CHINESE, "dct:LinguisticSystem");
}

/// The portal as its documents name it: its public address, its name (the catalog's
/// publisher) and its two APIs.
pub struct Site<'a> {
    base: &'a str,
    name: &'a str,
}

impl<'a> Site<'a> {
    pub fn new(state: &'a AppState, base: &'a str) -> Self {
        Self {
            base,
            name: &state.settings.site.name,
        }
    }

    fn catalog(&self) -> String {
        format!("{}/catalog", self.base)
    }

    fn publisher(&self) -> String {
        format!("{}/#publisher", self.base)
    }

    /// The row API (`/api/v1`, OpenAPI-described) and the CKAN-compatible Action API.
    fn services(&self) -> [(String, String, &'static str, &'static str); 2] {
        [
            (
                format!("{}/api/v1#service", self.base),
                format!("{}/api/v1", self.base),
                "开放数据接口（REST API）",
                "数据集元数据查询，以及数据行查询与文件下载（需 API 密钥；有条件开放数据需先获授权）",
            ),
            (
                format!("{}/api/3/action#service", self.base),
                format!("{}/api/3/action", self.base),
                "CKAN 兼容接口（Action API）",
                "与 CKAN Action API 兼容的元数据接口（package_list、package_show、package_search 等）",
            ),
        ]
    }

    fn row_api(&self) -> String {
        format!("{}/api/v1#service", self.base)
    }
}

/// The catalog node, its publisher, the access-rights statements and the data services.
pub fn describe_catalog(g: &mut Graph, site: &Site) -> String {
    let catalog = site.catalog();
    let publisher = site.publisher();
    g.typed(&catalog, "dcat:Catalog");
    g.add(&catalog, "dct:title", Obj::Text(site.name.to_owned()));
    g.add(
        &catalog,
        "dct:description",
        Obj::Text(format!(
            "{}：省、市、县三级数据提供部门向社会开放的公共数据目录（无条件开放与有条件开放）",
            site.name
        )),
    );
    g.add(&catalog, "dct:publisher", Obj::Iri(publisher.clone()));
    document(g, &catalog, "foaf:homepage", &format!("{}/", site.base));
    chinese(g, &catalog);
    g.typed(&publisher, "foaf:Agent");
    g.add(&publisher, "foaf:name", Obj::Text(site.name.to_owned()));
    for (right, label) in [("PUBLIC", "无条件开放"), ("RESTRICTED", "有条件开放")] {
        let iri = format!("{ACCESS_RIGHT}{right}");
        g.typed(&iri, "dct:RightsStatement");
        g.add(&iri, "rdfs:label", Obj::Text(label.into()));
    }
    for (service, endpoint, title, description) in site.services() {
        g.add(&catalog, "dcat:service", Obj::Iri(service.clone()));
        g.typed(&service, "dcat:DataService");
        g.add(&service, "dct:title", Obj::Text(title.into()));
        g.add(&service, "dct:description", Obj::Text(description.into()));
        g.add(&service, "dcat:endpointURL", Obj::Iri(endpoint));
        g.add(
            &service,
            "dcat:endpointDescription",
            Obj::Iri(format!("{}/api/openapi.json", site.base)),
        );
        document(
            g,
            &service,
            "dcat:landingPage",
            &format!("{}/developers", site.base),
        );
        g.add(&service, "dct:publisher", Obj::Iri(publisher.clone()));
    }
    catalog
}

/// Lists a dataset in the catalog and as served by both APIs.
pub fn list_dataset(g: &mut Graph, site: &Site, catalog: &str, dataset: &str) {
    g.add(catalog, "dcat:dataset", Obj::Iri(dataset.to_owned()));
    for (service, ..) in site.services() {
        g.add(&service, "dcat:servesDataset", Obj::Iri(dataset.to_owned()));
    }
}

/// An office telephone number in a maintainer line such as `某某处（0551-62000000）`: the name
/// without the number, and the number as a `tel:` URI (RFC 3966, with China's +86). Only
/// fixed lines with an area code are taken: a mobile number is a person's, not an office's.
pub fn office_phone(maintainer: &str) -> Option<(String, String)> {
    let text = maintainer.trim();
    let mut runs = text.split(|c: char| !(c.is_ascii_digit() || c == '-'));
    let number = runs.find(|r| {
        let r = r.trim_matches('-');
        let digits = r.chars().filter(char::is_ascii_digit).count();
        r.starts_with('0') && !r.starts_with("00") && (10..=12).contains(&digits)
    })?;
    let number = number.trim_matches('-');
    let rest = &number[1..];
    let tel = if rest.contains('-') {
        format!("tel:+86-{rest}")
    } else {
        format!("tel:+86{rest}")
    };
    let name = [("（", "）"), ("(", ")")]
        .iter()
        .find_map(|(open, close)| {
            let inner = text.strip_suffix(close)?;
            let at = inner.rfind(open)?;
            (inner[at + open.len()..].trim() == number).then(|| inner[..at].trim())
        })
        .filter(|n| !n.is_empty())
        .unwrap_or(text);
    Some((name.to_owned(), tel))
}

/// The dataset's contact point: the maintaining office (`维护单位`) of the department, its
/// telephone when the maintainer line has one, and the department's page.
fn describe_contact(g: &mut Graph, base: &str, page: &DatasetPage, dataset: &str) {
    let contact = format!("{dataset}#contact");
    let department = &page.department;
    g.add(dataset, "dcat:contactPoint", Obj::Iri(contact.clone()));
    g.typed(&contact, "vcard:Kind");
    g.typed(&contact, "vcard:Organization");
    let maintainer = page.dataset.maintainer.trim();
    let (name, tel) = match office_phone(maintainer) {
        Some((name, tel)) => (name, Some(tel)),
        None if maintainer.is_empty() => (department.name.clone(), None),
        None => (maintainer.to_owned(), None),
    };
    g.add(&contact, "vcard:fn", Obj::Text(name));
    g.add(
        &contact,
        "vcard:organization-name",
        Obj::Text(department.name.clone()),
    );
    if let Some(tel) = tel {
        g.add(&contact, "vcard:hasTelephone", Obj::Iri(tel));
    }
    g.add(
        &contact,
        "vcard:hasURL",
        Obj::Iri(format!("{base}/departments/{}", department.slug)),
    );
}

/// One dataset with its publisher, contact point, theme and distributions.
pub fn describe_dataset(g: &mut Graph, site: &Site, page: &DatasetPage) -> String {
    let base = site.base;
    let d = &page.dataset;
    let iri = format!("{base}/datasets/{}", d.slug);
    let dept = format!("{base}/departments/{}", page.department.slug);
    let theme = format!("{base}/themes/{}", page.theme.slug);
    let open = d.open_class == OpenClass::Unconditional;
    g.typed(&iri, "dcat:Dataset");
    g.add(
        &iri,
        "dct:identifier",
        Obj::Typed(d.slug.clone(), "xsd:string"),
    );
    // The catalog code (目录编码) as an ADMS identifier.
    let code = format!("{iri}#code");
    g.add(&iri, "adms:identifier", Obj::Iri(code.clone()));
    g.typed(&code, "adms:Identifier");
    g.add(
        &code,
        "skos:notation",
        Obj::Typed(d.code.clone(), "xsd:string"),
    );
    g.add(&iri, "dct:title", Obj::Text(d.title.clone()));
    g.add(&iri, "dct:description", Obj::Text(d.summary.clone()));
    // The English title and summary beside the Chinese ones, when the department gave them.
    if let Some(t) = &d.title_en {
        g.add(&iri, "dct:title", Obj::English(t.clone()));
    }
    if let Some(t) = &d.summary_en {
        g.add(&iri, "dct:description", Obj::English(t.clone()));
    }
    for k in page.keywords.as_slice() {
        g.add(&iri, "dcat:keyword", Obj::Text(k.clone()));
    }
    // The dataset's IRI is its web page, and stays so (harvesters key on it): that page is the
    // landing page, so the node is a foaf:Document as well.
    document(g, &iri, "dcat:landingPage", &iri);
    chinese(g, &iri);
    g.add(&iri, "dct:publisher", Obj::Iri(dept.clone()));
    g.typed(&dept, "foaf:Agent");
    g.add(&dept, "foaf:name", Obj::Text(page.department.name.clone()));
    if let Some(n) = &page.department.name_en {
        g.add(&dept, "foaf:name", Obj::English(n.clone()));
    }
    describe_contact(g, base, page, &iri);
    g.add(&iri, "dcat:theme", Obj::Iri(theme.clone()));
    g.typed(&theme, "skos:Concept");
    g.add(&theme, "skos:prefLabel", Obj::Text(page.theme.name.clone()));
    if !page.theme.name_en.is_empty() {
        g.add(
            &theme,
            "skos:prefLabel",
            Obj::English(page.theme.name_en.clone()),
        );
    }
    if let Some(t) = &d.published_at {
        g.add(&iri, "dct:issued", datetime(t));
    }
    g.add(&iri, "dct:modified", datetime(&d.modified_at));
    if d.temporal_start.is_some() || d.temporal_end.is_some() {
        let period = format!("{iri}#temporal");
        g.add(&iri, "dct:temporal", Obj::Iri(period.clone()));
        g.typed(&period, "dct:PeriodOfTime");
        if let Some(start) = &d.temporal_start {
            g.add(&period, "dcat:startDate", date(start));
        }
        if let Some(end) = &d.temporal_end {
            g.add(&period, "dcat:endDate", date(end));
        }
    }
    let right = if open { "PUBLIC" } else { "RESTRICTED" };
    g.add(
        &iri,
        "dct:accessRights",
        Obj::Iri(format!("{ACCESS_RIGHT}{right}")),
    );
    let periodicity = format!("{FREQUENCY}{}", frequency(d.update_frequency));
    g.add(
        &iri,
        "dct:accrualPeriodicity",
        Obj::Iri(periodicity.clone()),
    );
    g.typed(&periodicity, "dct:Frequency");
    let license = format!("{base}/licenses/{}", license_id(&d.license));
    g.typed(&license, "dct:LicenseDocument");
    g.add(&license, "rdfs:label", Obj::Text(d.license.clone()));
    for r in &page.resources {
        let dist = format!("{iri}/resources/{}", r.resource.id);
        let current = r
            .versions
            .iter()
            .find(|v| Some(v.id) == r.resource.current_version_id);
        g.add(&iri, "dcat:distribution", Obj::Iri(dist.clone()));
        g.typed(&dist, "dcat:Distribution");
        g.add(&dist, "dct:title", Obj::Text(r.resource.name.clone()));
        if open {
            let csv = download_urls(base, &d.slug, r.resource.id)["csv"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            g.add(&dist, "dcat:accessURL", Obj::Iri(iri.clone()));
            g.add(&dist, "dcat:downloadURL", Obj::Iri(csv));
            g.add(&dist, "dcat:accessService", Obj::Iri(site.row_api()));
            // What the download URL serves is the published file of the current version:
            // its size and SHA-256 let a harvester check what it fetched.
            if let Some(sha) = current.and_then(|v| v.data_sha256.as_deref()) {
                let checksum = format!("{dist}#sha256");
                g.add(&dist, "spdx:checksum", Obj::Iri(checksum.clone()));
                g.typed(&checksum, "spdx:Checksum");
                g.add(&checksum, "spdx:algorithm", Obj::Iri(SHA256.into()));
                g.typed(SHA256, "spdx:ChecksumAlgorithm");
                g.add(
                    &checksum,
                    "spdx:checksumValue",
                    Obj::Typed(sha.to_ascii_lowercase(), "xsd:hexBinary"),
                );
            }
        } else {
            // Conditional data: the way in is the application, never a file.
            g.add(&dist, "dcat:accessURL", Obj::Iri(format!("{iri}/apply")));
        }
        g.add(&dist, "dcat:mediaType", Obj::Iri(CSV_MEDIA_TYPE.into()));
        g.typed(CSV_MEDIA_TYPE, "dct:MediaType");
        g.add(&dist, "dct:format", Obj::Iri(CSV_FILE_TYPE.into()));
        g.typed(CSV_FILE_TYPE, "dct:MediaTypeOrExtent");
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
    iri
}
