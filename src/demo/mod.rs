//! The demo catalog: Anhui departments and several hundred realistic datasets, some with
//! real CSV files (a few hundred to 100,000 rows, some GBK-encoded as departments send them).
//!
//! Deterministic: the same seeds give the same catalog, files and dates every time (dates are
//! relative to a fixed reference day, not to the clock).

pub mod departments;
pub mod emergencies;
pub mod participation;
pub mod seed;
pub mod values;

use std::collections::HashMap;
use std::fmt;

use chrono::{Duration, NaiveDate, NaiveDateTime};

use self::departments::CITIES;
use self::seed::{ClassSeed, DatasetSeed, DeptSeed, Scope};
use self::values::{ANHUI_CITIES, Rng, RowContext, city_of};
use crate::db::datasets::{self as dataset_rows, NewDataset, NewField};
use crate::db::departments::{self as department_rows, NewDepartment};
use crate::db::resources::{self as resource_rows, NewResource};
use crate::db::versions::{self as version_rows, NewVersion};
use crate::db::{DbConnection, themes, write_transaction};
use crate::domain::region_code::anhui_region_name;
use crate::domain::{
    Classification, DatasetCode, DatasetStatus, OpenClass, RegionCode, RegionLevel, UpdateFrequency,
};
use crate::services::ingest::{self, Outcome};
use crate::storage::StoredFile;

/// The embedded seed data (`data/*.toml`).
pub fn seeds() -> Result<&'static seed::Catalog, DemoError> {
    seed::catalog().map_err(DemoError::Seed)
}

/// All dataset templates.
pub fn templates() -> Result<impl Iterator<Item = &'static DatasetSeed>, DemoError> {
    Ok(seeds()?.datasets.iter())
}

/// All departments, parents before their children.
pub fn department_seeds() -> Result<&'static [DeptSeed], DemoError> {
    Ok(&seeds()?.departments)
}

/// The day the demo catalog is "as of".
fn reference_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 20).unwrap_or_default()
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
    #[error("cannot write a demo file: {0}")]
    Io(#[from] std::io::Error),
    #[error("demo seed data is inconsistent: {0}")]
    Seed(String),
}

/// One dataset of the demo, fully decided before anything is written.
#[derive(Debug, Clone)]
pub struct Planned {
    pub template: &'static DatasetSeed,
    pub department: &'static DeptSeed,
    pub slug: String,
    pub code: String,
    pub title: String,
    pub summary: String,
    /// English title and summary, for the templates that have them.
    pub english: (Option<String>, Option<String>),
    pub class: OpenClass,
    pub status: DatasetStatus,
    pub year: Option<u16>,
    pub published_at: Option<NaiveDateTime>,
    pub last_updated_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub temporal: (Option<NaiveDate>, Option<NaiveDate>),
    pub record_count: i64,
    pub views: i64,
    pub downloads: i64,
    pub maintainer: String,
    pub license: &'static str,
}

fn region_name(code: &str) -> &'static str {
    RegionCode::parse(code)
        .ok()
        .and_then(|c| anhui_region_name(&c))
        .unwrap_or("安徽省")
}

fn department(slug: &str) -> Result<&'static DeptSeed, DemoError> {
    department_seeds()?
        .iter()
        .find(|d| d.slug == slug)
        .ok_or_else(|| DemoError::Seed(format!("unknown department {slug}")))
}

fn class_of(seed: &DatasetSeed) -> OpenClass {
    match seed.class {
        ClassSeed::Open => OpenClass::Unconditional,
        ClassSeed::Conditional { .. } => OpenClass::Conditional,
        ClassSeed::Closed { .. } => OpenClass::Closed,
    }
}

/// Every (template, department, year) the seeds expand to, in a fixed order.
/// A template, the department publishing it, and the year for yearly datasets.
type Instance = (&'static DatasetSeed, &'static DeptSeed, Option<u16>);

fn expand() -> Result<Vec<Instance>, DemoError> {
    let mut out = Vec::new();
    for t in templates()? {
        match &t.scope {
            Scope::Dept(slug) => out.push((t, department(slug)?, None)),
            Scope::DeptYears(slug, from, to) => {
                let d = department(slug)?;
                for year in *from..=*to {
                    out.push((t, d, Some(year)));
                }
            }
            Scope::Cities(suffix) => {
                for (city, _) in CITIES {
                    let own = format!("{city}-{suffix}");
                    let d = department(&own).or_else(|_| department(&format!("{city}-data")))?;
                    out.push((t, d, None));
                }
            }
            Scope::Counties => {
                for d in department_seeds()?.iter().filter(|d| {
                    RegionCode::parse(&d.region).map(|c| c.level()) == Ok(RegionLevel::County)
                }) {
                    out.push((t, d, None));
                }
            }
        }
    }
    Ok(out)
}

/// Decides every dataset of the demo: slugs, codes, titles, dates and counters. `theme_codes`
/// maps theme slugs to their two-digit codes (from the `themes` table).
pub fn plan(theme_codes: &HashMap<String, String>) -> Result<Vec<Planned>, DemoError> {
    let today = reference_day();
    let mut sequences: HashMap<String, u32> = HashMap::new();
    let mut planned = Vec::new();
    for (i, (t, d, year)) in expand()?.into_iter().enumerate() {
        let region = region_name(&d.region);
        let (slug, title) = match year {
            Some(y) => (
                format!("{}-{}-{y}", d.slug, t.slug),
                format!("{y}年{region}{}", t.title),
            ),
            None => (
                format!("{}-{}", d.slug, t.slug),
                format!("{region}{}", t.title),
            ),
        };
        let mut rng = Rng::from_text(&slug);
        let theme_code = theme_codes
            .get(&t.theme)
            .ok_or_else(|| DemoError::Seed(format!("unknown theme {}", t.theme)))?;
        let dept_number = department_seeds()?
            .iter()
            .position(|x| x.slug == d.slug)
            .unwrap_or(0)
            + 1;
        let classification = format!("2{theme_code}{dept_number:03}");
        let seq = sequences.entry(classification.clone()).or_insert(0);
        *seq += 1;
        let code = DatasetCode::new(&classification, *seq)
            .map_err(|e| DemoError::Seed(e.to_string()))?
            .to_string();
        let class = class_of(t);
        // A handful of drafts and withdrawn datasets, so the public views have something to hide.
        let status = match i % 97 {
            41 | 83 => DatasetStatus::Draft,
            67 => DatasetStatus::Withdrawn,
            _ => DatasetStatus::Published,
        };
        let created = (today - Duration::days(rng.range(120, 2_300)))
            .and_hms_opt(rng.range(8, 17) as u32, rng.range(0, 59) as u32, 0)
            .unwrap_or_default();
        let published = created + Duration::days(rng.range(1, 20));
        let max_age = t.frequency.expected_interval_days().unwrap_or(540) as i64;
        let mut last_updated = match year {
            Some(y) => {
                NaiveDate::from_ymd_opt(i32::from(y) + 1, 3, 1)
                    .unwrap_or(today)
                    .and_hms_opt(10, 0, 0)
                    .unwrap_or_default()
                    + Duration::days(rng.range(0, 60))
            }
            None => (today - Duration::days(rng.range(0, max_age)))
                .and_hms_opt(rng.range(0, 23) as u32, rng.range(0, 59) as u32, 0)
                .unwrap_or_default(),
        };
        if last_updated < published {
            last_updated = published;
        }
        let temporal = match year {
            Some(y) => (
                NaiveDate::from_ymd_opt(i32::from(y), 1, 1),
                NaiveDate::from_ymd_opt(i32::from(y), 12, 31),
            ),
            None => (
                Some(created.date() - Duration::days(rng.range(0, 1_500))),
                match t.frequency {
                    UpdateFrequency::Irregular | UpdateFrequency::Annual => {
                        Some(last_updated.date())
                    }
                    _ => None,
                },
            ),
        };
        let record_count = match t.rows {
            Some(n) => i64::from(n),
            None => {
                // Log-uniform between 50 and 500,000 records.
                (50.0 * 10f64.powf(rng.unit() * 4.0)).round() as i64
            }
        };
        let views = if status == DatasetStatus::Published {
            (30.0 * 10f64.powf(rng.unit() * 3.0)).round() as i64
        } else {
            0
        };
        let downloads = match class {
            OpenClass::Unconditional => (views as f64 * (0.05 + rng.unit() * 0.35)).round() as i64,
            _ => 0,
        };
        let office = rng.pick(&["信息中心", "办公室", "数据管理处", "政策法规处"]);
        let area = city_of(&d.region).map(|c| c.area).unwrap_or("0551");
        let maintainer = format!(
            "{}{}（{area}-6{:07}）",
            d.name,
            office,
            rng.range(0, 9_999_999)
        );
        let license = match class {
            OpenClass::Unconditional => "安徽省公共数据开放许可协议（署名）",
            OpenClass::Conditional => "安徽省公共数据有条件开放授权协议",
            OpenClass::Closed => "不予开放",
        };
        planned.push(Planned {
            template: t,
            department: d,
            summary: t.summary.replace("{region}", region),
            english: departments::english(t, &d.region, year),
            slug,
            code,
            title,
            class,
            status,
            year,
            published_at: (status != DatasetStatus::Draft).then_some(published),
            last_updated_at: last_updated,
            created_at: created,
            temporal,
            record_count,
            views,
            downloads,
            maintainer,
            license,
        });
    }
    Ok(planned)
}

/// A generated data file, already in the file store.
pub struct GeneratedFile {
    pub stored: StoredFile,
    pub rows: u64,
    pub encoding: &'static str,
}

/// Writes the CSV of a planned dataset: a header of field names, then `rows` generated rows,
/// encoded in GBK when the department's systems export GBK.
pub fn generate_csv(p: &Planned, rows: u32) -> Result<(Vec<u8>, &'static str), DemoError> {
    let mut rng = Rng::from_text(&format!("{}#rows", p.slug));
    let county = RegionCode::parse(&p.department.region)
        .ok()
        .filter(|c| c.level() == RegionLevel::County)
        .and_then(|c| anhui_region_name(&c));
    let own_city = city_of(&p.department.region);
    let mut w = csv::WriterBuilder::new().from_writer(Vec::with_capacity(rows as usize * 96));
    w.write_record(p.template.fields.iter().map(|f| f.name.as_str()))
        .map_err(|e| DemoError::Seed(e.to_string()))?;
    let mut record = Vec::with_capacity(p.template.fields.len());
    for row in 0..u64::from(rows) {
        let city = own_city.unwrap_or_else(|| rng.pick(ANHUI_CITIES));
        let ctx = RowContext {
            city,
            district: county,
            row,
        };
        record.clear();
        record.extend(
            p.template
                .fields
                .iter()
                .map(|f| values::value(f, &ctx, &mut rng)),
        );
        w.write_record(&record)
            .map_err(|e| DemoError::Seed(e.to_string()))?;
    }
    let utf8 = w.into_inner().map_err(|e| DemoError::Seed(e.to_string()))?;
    if p.department.sends_gbk {
        let text = String::from_utf8(utf8).map_err(|e| DemoError::Seed(e.to_string()))?;
        let (bytes, _, unmappable) = encoding_rs::GBK.encode(&text);
        if unmappable {
            return Err(DemoError::Seed(format!(
                "{} has characters GBK cannot hold",
                p.slug
            )));
        }
        Ok((bytes.into_owned(), "GBK"))
    } else {
        Ok((utf8, "UTF-8"))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DemoReport {
    pub departments: usize,
    pub datasets: usize,
    pub unconditional: usize,
    pub conditional: usize,
    pub closed: usize,
    pub unpublished: usize,
    pub files: usize,
    pub rows: u64,
    pub bytes: u64,
    pub emergencies: usize,
    /// Reviews, data requests, showcase items and comments.
    pub participation: usize,
}

impl fmt::Display for DemoReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "演示数据已加载：{} 个部门，{} 个数据集（无条件开放 {}，有条件开放 {}，非开放 {}；未发布 {}），\
             {} 个数据文件共 {} 行、{} 字节；突发事件 {} 个；纠错、开放需求、应用展示和评论 {} 条",
            self.departments,
            self.datasets,
            self.unconditional,
            self.conditional,
            self.closed,
            self.unpublished,
            self.files,
            self.rows,
            self.bytes,
            self.emergencies,
            self.participation
        )
    }
}

/// Loads the demo unless the catalog already has departments or datasets.
pub fn load_if_empty(
    conn: &mut DbConnection,
    ctx: &ingest::Context,
) -> Result<Option<DemoReport>, DemoError> {
    if dataset_rows::count_all(conn)? > 0 || department_rows::count(conn)? > 0 {
        return Ok(None);
    }
    load(conn, ctx).map(Some)
}

/// Loads the demo catalog in one transaction, then puts every file through the same ingest a
/// department's upload goes through (encoding detection, typing, the personal-data scan, the
/// datastore). Files are written to the store first: they are content-addressed, so a failed
/// load leaves at most unreferenced files behind. The time comes from the context's clock.
pub fn load(conn: &mut DbConnection, ctx: &ingest::Context) -> Result<DemoReport, DemoError> {
    let store = &ctx.store;
    let themes = themes::all(conn)?;
    let theme_codes: HashMap<String, String> = themes
        .iter()
        .map(|t| (t.slug.clone(), t.code.clone()))
        .collect();
    let theme_ids: HashMap<String, i32> = themes.into_iter().map(|t| (t.slug, t.id)).collect();
    let planned = plan(&theme_codes)?;
    let mut files: Vec<Option<GeneratedFile>> = Vec::with_capacity(planned.len());
    for p in &planned {
        files.push(match p.template.rows {
            Some(rows) => {
                let (bytes, encoding) = generate_csv(p, rows)?;
                Some(GeneratedFile {
                    stored: store.put(&bytes)?,
                    rows: u64::from(rows),
                    encoding,
                })
            }
            None => None,
        });
    }
    let (mut report, uploads) = write_transaction(conn, |conn| {
        let mut report = DemoReport::default();
        let mut uploads: Vec<(i32, i32, NaiveDateTime)> = Vec::new();
        let created =
            reference_day().and_hms_opt(9, 0, 0).unwrap_or_default() - Duration::days(2_400);
        let mut dept_ids: HashMap<&str, i32> = HashMap::new();
        for d in department_seeds()? {
            let region =
                RegionCode::parse(&d.region).map_err(|e| DemoError::Seed(e.to_string()))?;
            let row = department_rows::insert(
                conn,
                &NewDepartment {
                    slug: &d.slug,
                    name: &d.name,
                    level: region.level().as_str(),
                    region_code: &d.region,
                    parent_id: d.parent.as_deref().and_then(|p| dept_ids.get(p).copied()),
                    description: &d.description,
                    created_at: created,
                    name_en: Some(&d.name_en),
                    description_en: Some(&d.description_en),
                },
            )?;
            dept_ids.insert(&d.slug, row.id);
            report.departments += 1;
        }
        for (p, file) in planned.iter().zip(&files) {
            if let Some(upload) = insert_planned(conn, p, file.as_ref(), &theme_ids, &dept_ids)? {
                uploads.push(upload);
            }
            report.datasets += 1;
            match p.class {
                OpenClass::Unconditional => report.unconditional += 1,
                OpenClass::Conditional => report.conditional += 1,
                OpenClass::Closed => report.closed += 1,
            }
            if p.status != DatasetStatus::Published {
                report.unpublished += 1;
            }
            if let Some(f) = file {
                report.files += 1;
                report.rows += f.rows;
                report.bytes += f.stored.size;
            }
        }
        crate::services::audit::record(
            conn,
            &crate::services::Actor::cli(),
            ctx.clock.now(),
            "demo.load",
            "catalog",
            serde_json::json!({ "departments": report.departments, "datasets": report.datasets }),
        )?;
        Ok::<_, DemoError>((report, uploads))
    })?;
    for (dataset, version, at) in uploads {
        match ingest::run(conn, ctx, version)? {
            Outcome::Ready { .. } => {}
            other => {
                let v = version_rows::by_id(conn, version)?;
                return Err(DemoError::Seed(format!(
                    "demo file of version {version} did not load: {other:?} {:?}",
                    v.map(|v| v.report)
                )));
            }
        }
        // The demo's dates are its own, not the moment it was loaded.
        dataset_rows::set_updated(conn, dataset, at)?;
        version_rows::set_times(conn, version, at)?;
    }
    // The emergency zone follows the clock instead: its active event's week of hourly updates
    // ends when the demo is loaded.
    let now = ctx.clock.now();
    report.emergencies = emergencies::load(conn, now)?;
    report.participation = participation::load(conn, now)?;
    Ok(report)
}

fn insert_planned(
    conn: &mut DbConnection,
    p: &Planned,
    file: Option<&GeneratedFile>,
    theme_ids: &HashMap<String, i32>,
    dept_ids: &HashMap<&str, i32>,
) -> Result<Option<(i32, i32, NaiveDateTime)>, DemoError> {
    let t = p.template;
    let (conditions, basis) = match &t.class {
        ClassSeed::Open => (None, None),
        ClassSeed::Conditional {
            conditions,
            legal_basis,
        } => (Some(conditions.as_str()), Some(legal_basis.as_str())),
        ClassSeed::Closed { legal_basis } => (None, Some(legal_basis.as_str())),
    };
    // The same rule every other way into the catalog obeys.
    let classification = Classification::new(p.class, basis, conditions)
        .map_err(|e| DemoError::Seed(format!("{}: {e}", p.slug)))?;
    let keywords = t.keywords.join(",");
    let dataset = dataset_rows::insert(
        conn,
        &NewDataset {
            slug: &p.slug,
            code: &p.code,
            title: &p.title,
            summary: &p.summary,
            keywords: &keywords,
            theme_id: *theme_ids
                .get(&t.theme)
                .ok_or_else(|| DemoError::Seed(format!("unknown theme {}", t.theme)))?,
            department_id: dept_ids[p.department.slug.as_str()],
            maintainer: &p.maintainer,
            open_class: p.class.as_str(),
            open_conditions: classification.conditions(),
            legal_basis: classification.legal_basis(),
            update_frequency: t.frequency.as_str(),
            published_at: p.published_at,
            last_updated_at: p.last_updated_at,
            record_count: p.record_count,
            temporal_start: p.temporal.0,
            temporal_end: p.temporal.1,
            spatial_coverage: &p.department.region,
            license: p.license,
            status: p.status.as_str(),
            priority: t.priority,
            view_count: p.views,
            download_count: p.downloads,
            created_at: p.created_at,
            modified_at: p.last_updated_at.max(p.created_at),
            title_en: p.english.0.as_deref(),
            summary_en: p.english.1.as_deref(),
        },
    )?;
    // The demo's withdrawn open datasets stand for ones the public saw before (the trigger that
    // records that only sees them inserted withdrawn).
    if p.status == DatasetStatus::Withdrawn && p.class.is_public() {
        dataset_rows::set_public_since(conn, dataset.id, p.published_at)?;
    }
    for (i, f) in t.fields.iter().enumerate() {
        dataset_rows::insert_field(
            conn,
            &NewField {
                dataset_id: dataset.id,
                position: i as i32 + 1,
                name: &f.name,
                data_type: f.ty.as_str(),
                description: &f.description,
                unit: f.unit.as_deref(),
                masked: f.masked,
            },
        )?;
    }
    let mut formats: Vec<&str> = t.formats.iter().map(String::as_str).collect();
    formats.sort_unstable();
    formats.dedup();
    for f in formats {
        dataset_rows::add_format(conn, dataset.id, f)?;
    }
    let Some(file) = file else {
        return Ok(None);
    };
    let resource = resource_rows::insert(
        conn,
        &NewResource {
            dataset_id: dataset.id,
            name: &p.title,
            format: "CSV",
            size_bytes: file.stored.size as i64,
            sha256: &file.stored.sha256,
            encoding: "UTF-8",
            row_count: None,
            storage_key: &file.stored.key,
            created_at: p.last_updated_at,
        },
    )?;
    let version = version_rows::insert(
        conn,
        &NewVersion {
            resource_id: resource.id,
            number: 1,
            status: "processing",
            source_name: &format!("{}.csv", p.title),
            source_format: "csv",
            source_key: Some(&file.stored.key),
            source_sha256: &file.stored.sha256,
            source_size: file.stored.size as i64,
            masking: None,
            column_info: None,
            created_by: None,
            created_at: p.last_updated_at,
        },
    )?;
    Ok(Some((dataset.id, version.id, p.last_updated_at)))
}
