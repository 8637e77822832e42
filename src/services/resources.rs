//! Resources and their versions: uploads by a department, the publisher's decisions on
//! personal data and column types, an administrator's override, and what the public may reach.
//!
//! Every version is immutable once ready. A new upload is version n+1 of the resource; it only
//! replaces the served version when its ingest succeeds (see [`super::ingest`]).

use chrono::NaiveDateTime;
use diesel::result::Error as DbError;

use super::access::{self, OwnVersion};
use super::ingest::{self, Decisions, Treatment, source::SourceFormat};
use super::publishing::{self, PublishError, Publisher};
use super::{Actor, audit};
pub use crate::db::datasets::Dataset;
use crate::db::datasets::{self as dataset_rows};
pub use crate::db::resources::Resource;
use crate::db::resources::{self as resource_rows, NewResource};
pub use crate::db::versions::Version;
use crate::db::versions::{self, NewVersion};
use crate::db::{DbConnection, write_transaction};
use crate::domain::OpenClass;
use crate::storage::StoredFile;

/// Longest resource name.
pub const NAME_MAX: usize = 100;
/// Characters a resource name may not hold (besides control characters): those Windows refuses
/// in a file name, which the name becomes on download.
pub const NAME_FORBIDDEN: &str = "/\\*?:\"<>|";

/// A received upload, already in the file store.
#[derive(Debug, Clone)]
pub struct Upload {
    /// The file name as the browser or client sent it.
    pub file_name: String,
    pub format: SourceFormat,
    pub stored: StoredFile,
}

/// The resource name a publisher gave, or the file name without its extension.
pub fn resource_name(given: &str, file_name: &str) -> Result<String, String> {
    let given = given.trim();
    let name = if given.is_empty() {
        let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
        match base.rsplit_once('.') {
            Some((stem, _)) if !stem.trim().is_empty() => stem.trim().to_owned(),
            _ => base.trim().to_owned(),
        }
    } else {
        given.to_owned()
    };
    if name.is_empty() {
        return Err("请填写文件名称".into());
    }
    if name.chars().count() > NAME_MAX {
        return Err(format!("文件名称最多 {NAME_MAX} 个字"));
    }
    // The name becomes the download's file name: nothing a file system refuses.
    if name
        .chars()
        .any(|c| c.is_control() || NAME_FORBIDDEN.contains(c))
    {
        return Err("文件名称不能含有控制字符或 / \\ * ? : \" < > |".into());
    }
    Ok(name)
}

/// Starts an upload: a new resource (when `resource_id` is `None`) or version n+1 of an
/// existing one, in status `processing`. The caller submits the version to the ingest queue.
pub fn start_upload(
    conn: &mut DbConnection,
    p: &Publisher,
    slug: &str,
    resource_id: Option<i32>,
    name: &str,
    upload: &Upload,
    now: NaiveDateTime,
) -> Result<(Dataset, Resource, Version), PublishError> {
    write_transaction(conn, |conn| {
        let d = publishing::ensure_own(conn, p, slug)?;
        let resource = match resource_id {
            Some(id) => resource_rows::by_id(conn, id)?
                .filter(|r| r.dataset_id == d.id)
                .ok_or(PublishError::NotFound)?,
            None => resource_rows::insert(
                conn,
                &NewResource {
                    dataset_id: d.id,
                    name,
                    format: "CSV",
                    // The upload's facts until its published version replaces them.
                    size_bytes: upload.stored.size as i64,
                    sha256: &upload.stored.sha256,
                    encoding: "UTF-8",
                    row_count: None,
                    storage_key: &upload.stored.key,
                    created_at: now,
                },
            )?,
        };
        // A version still being processed is finished first: one ingest per resource at a time.
        let all = versions::of_resource(conn, resource.id)?;
        if all.iter().any(|v| v.status == "processing") {
            return Err(PublishError::Transition(
                "该文件上一次上传还在处理中，请等处理完成后再上传".into(),
            ));
        }
        // A new version of a column layout the publisher has already decided on keeps the
        // decisions on personal data (by column name, since positions may move).
        // `all` is newest first: the decisions of the newest ready version carry over.
        let masking = all
            .iter()
            .find(|v| v.status == "ready" && v.retired_at.is_none())
            .map(carried_decisions)
            .filter(|m| !m.is_empty());
        let number = versions::next_number(conn, resource.id)?;
        let v = versions::insert(
            conn,
            &NewVersion {
                resource_id: resource.id,
                number,
                status: "processing",
                source_name: &upload.file_name,
                source_format: upload.format.as_str(),
                source_key: Some(&upload.stored.key),
                source_sha256: &upload.stored.sha256,
                source_size: upload.stored.size as i64,
                masking: masking.as_deref(),
                column_info: None,
                created_by: Some(p.user_id),
                created_at: now,
            },
        )?;
        audit::record(
            conn,
            &p.actor,
            now,
            "resource.upload",
            &format!("dataset:{}", d.slug),
            serde_json::json!({
                "resource": resource.id,
                "version": v.number,
                "format": upload.format.as_str(),
                "size": upload.stored.size,
                "sha256": upload.stored.sha256,
            }),
        )?;
        Ok((d, resource, v))
    })
}

/// The treatments of a ready version by column name, as JSON for the next version's
/// `masking`; the next ingest maps them back to positions.
fn carried_decisions(v: &Version) -> String {
    let by_name: std::collections::BTreeMap<String, Treatment> = ingest::columns_of(v)
        .into_iter()
        .filter_map(|c| c.treatment.map(|t| (c.name, t)))
        // An administrator's override is for one version only.
        .filter(|(_, t)| *t != Treatment::Keep)
        .chain(
            ingest::decisions_of(v)
                .treatments
                .iter()
                .filter(|(_, t)| **t == Treatment::Drop)
                .filter_map(|(i, t)| {
                    ingest::findings_of(v)
                        .iter()
                        .find(|f| f.column == *i)
                        .map(|f| (f.name.clone(), *t))
                }),
        )
        .collect();
    if by_name.is_empty() {
        return String::new();
    }
    serde_json::json!({ "by_name": by_name }).to_string()
}

/// The publisher's own resource and its versions (newest first).
pub fn own_resource(
    conn: &mut DbConnection,
    p: &Publisher,
    slug: &str,
    id: i32,
) -> Result<(Dataset, Resource, Vec<Version>), PublishError> {
    let d = publishing::ensure_own(conn, p, slug)?;
    let r = resource_rows::by_id(conn, id)?
        .filter(|r| r.dataset_id == d.id)
        .ok_or(PublishError::NotFound)?;
    let mut all = versions::of_resource(conn, r.id)?;
    all.reverse();
    Ok((d, r, all))
}

/// One version of the publisher's own resource.
pub fn own_version(
    conn: &mut DbConnection,
    p: &Publisher,
    slug: &str,
    id: i32,
    number: i32,
) -> Result<(Dataset, Resource, Version), PublishError> {
    let (d, r, _) = own_resource(conn, p, slug, id)?;
    let v = versions::by_number(conn, r.id, number)?.ok_or(PublishError::NotFound)?;
    Ok((d, r, v))
}

/// What the publisher decided for a version.
#[derive(Debug, Clone, Default)]
pub struct Decision {
    pub treatments: std::collections::BTreeMap<usize, Treatment>,
    pub types: std::collections::BTreeMap<usize, crate::domain::column_type::ColumnType>,
    /// Cells that look like formulas are data: publish them as they are.
    pub confirm_formulas: bool,
}

/// Applies the publisher's decisions. A blocked version is processed again with them; a ready
/// version stays as it is and its upload is processed again as version n+1 (versions are
/// immutable). Returns the version that will be processed.
pub fn decide(
    conn: &mut DbConnection,
    p: &Publisher,
    slug: &str,
    id: i32,
    number: i32,
    decision: &Decision,
    now: NaiveDateTime,
) -> Result<Version, PublishError> {
    write_transaction(conn, |conn| {
        let (d, r, v) = own_version(conn, p, slug, id, number)?;
        let columns = ingest::columns_of(&v);
        let findings = ingest::findings_of(&v);
        for (col, t) in &decision.treatments {
            if !findings.iter().any(|f| f.column == *col) {
                return Err(PublishError::Transition(format!(
                    "第 {} 列没有发现个人信息，无需处理",
                    col + 1
                )));
            }
            if *t == Treatment::Keep {
                return Err(PublishError::Transition(
                    "保留个人信息原值需要平台管理员核准".into(),
                ));
            }
        }
        if let Some(col) = decision.types.keys().find(|c| **c >= columns.len()) {
            return Err(PublishError::Transition(format!("没有第 {} 列", col + 1)));
        }
        let mut decisions = ingest::decisions_of(&v);
        decisions.treatments.extend(decision.treatments.clone());
        decisions.types.extend(decision.types.clone());
        decisions.formulas_confirmed |= decision.confirm_formulas;
        let masking =
            serde_json::to_string(&decisions).map_err(|e| DbError::SerializationError(e.into()))?;
        let target = match v.status.as_str() {
            "blocked" => {
                let undecided: Vec<&str> = findings
                    .iter()
                    .filter(|f| !decisions.treatments.contains_key(&f.column))
                    .map(|f| f.name.as_str())
                    .collect();
                if !ingest::problems_of(&v).is_empty() && !decisions.formulas_confirmed {
                    return Err(PublishError::Transition(
                        "文件中有会被电子表格软件当作公式执行的单元格：请核对后勾选“确认按原文发布”".into(),
                    ));
                }
                if !undecided.is_empty() && d.open_class != OpenClass::Closed {
                    return Err(PublishError::Transition(format!(
                        "还需为这些含个人信息的列选择处理方式：{}",
                        undecided.join("、") // i18n: a separator inside a value
                    )));
                }
                versions::decide(conn, v.id, Some(&masking), None, None)?;
                versions::by_id(conn, v.id)?.ok_or(PublishError::NotFound)?
            }
            "ready" => {
                let (key, sha, size, format) = match (&v.source_key, &v.data_key) {
                    (Some(k), _) => (
                        k.clone(),
                        v.source_sha256.clone(),
                        v.source_size,
                        v.source_format.clone(),
                    ),
                    // The unmasked upload is gone: the published data is the new source, and
                    // what was masked stays masked.
                    (None, Some(k)) => (
                        k.clone(),
                        v.data_sha256.clone().unwrap_or_default(),
                        v.data_size.unwrap_or(0),
                        "csv".to_owned(),
                    ),
                    (None, None) => return Err(PublishError::NotFound),
                };
                let decisions = if v.source_key.is_some() {
                    decisions
                } else {
                    // Positions refer to the published columns now.
                    let mut types = std::collections::BTreeMap::new();
                    for (src, ty) in &decision.types {
                        if let Some(pos) = columns.iter().position(|c| c.source == *src) {
                            types.insert(pos, *ty);
                        }
                    }
                    Decisions {
                        types,
                        formulas_confirmed: decisions.formulas_confirmed,
                        ..Decisions::default()
                    }
                };
                let masking = serde_json::to_string(&decisions)
                    .map_err(|e| DbError::SerializationError(e.into()))?;
                if versions::of_resource(conn, r.id)?
                    .iter()
                    .any(|x| x.status == "processing")
                {
                    return Err(PublishError::Transition(
                        "该文件还有一个版本在处理中，请等处理完成".into(),
                    ));
                }
                let number = versions::next_number(conn, r.id)?;
                versions::insert(
                    conn,
                    &NewVersion {
                        resource_id: r.id,
                        number,
                        status: "processing",
                        source_name: &v.source_name,
                        source_format: &format,
                        source_key: Some(&key),
                        source_sha256: &sha,
                        source_size: size,
                        masking: Some(&masking),
                        column_info: None,
                        created_by: Some(p.user_id),
                        created_at: now,
                    },
                )?
            }
            _ => {
                return Err(PublishError::Transition(
                    "这个版本已失败或正在处理，不能修改；请重新上传".into(),
                ));
            }
        };
        audit::record(
            conn,
            &p.actor,
            now,
            "resource.decide",
            &format!("dataset:{}", d.slug),
            serde_json::json!({
                "resource": r.id,
                "version": v.number,
                "processed_as": target.number,
                "treatments": decision.treatments.iter().map(|(c, t)| (c.to_string(), *t)).collect::<std::collections::BTreeMap<_, _>>(),
                "types": decision.types.iter().map(|(c, t)| (c.to_string(), t.as_str())).collect::<std::collections::BTreeMap<_, _>>(),
            }),
        )?;
        Ok(target)
    })
}

/// Retires an old version of the department's own resource (e.g. one uploaded with personal
/// data while the dataset was closed): its datastore table is dropped, its published file and
/// its upload forgotten (and removed from the store once nothing refers to them), and it never
/// leaves again. The current version cannot be retired: a new one must replace it first.
/// Returns the keys of files that may now be removed.
pub fn retire(
    conn: &mut DbConnection,
    p: &Publisher,
    slug: &str,
    id: i32,
    number: i32,
    reason: &str,
    now: NaiveDateTime,
) -> Result<(Version, Vec<String>), PublishError> {
    let reason = reason.trim();
    write_transaction(conn, |conn| {
        // Who asks first: another department learns nothing from the form's checks.
        let (d, r, v) = own_version(conn, p, slug, id, number)?;
        if reason.chars().count() < 5 || reason.chars().count() > 500 {
            return Err(PublishError::field(
                "retire_reason",
                "请填写停用理由（5 至 500 字），例如“含未脱敏的公民身份号码，已上传脱敏后的新版本”",
            ));
        }
        if v.retired_at.is_some() {
            return Err(PublishError::Transition("该版本已经停用".into()));
        }
        if !matches!(v.status.as_str(), "ready" | "blocked" | "failed") {
            return Err(PublishError::Transition(
                "该版本正在处理中，请等处理完成后再停用".into(),
            ));
        }
        if r.current_version_id == Some(v.id) {
            return Err(PublishError::Transition(
                "这是当前提供的版本，不能停用：请先上传或生成处理后的新版本".into(),
            ));
        }
        if let Some(table) = &v.table_name {
            crate::db::datastore::drop_table(conn, table)?;
        }
        versions::retire(conn, v.id, reason, now)?;
        audit::record(
            conn,
            &p.actor,
            now,
            "resource.version_retire",
            &format!("dataset:{}", d.slug),
            serde_json::json!({
                "resource": r.id,
                "version": v.number,
                "reason": reason,
                "untreated": super::access::untreated(&v),
            }),
        )?;
        let mut unused = Vec::new();
        for key in [v.source_key.clone(), v.data_key.clone()]
            .into_iter()
            .flatten()
        {
            if versions::references_to(conn, &key)? == 0 && !unused.contains(&key) {
                unused.push(key);
            }
        }
        let v = versions::by_id(conn, v.id)?.ok_or(PublishError::NotFound)?;
        Ok((v, unused))
    })
}

#[derive(Debug, thiserror::Error)]
pub enum OverrideError {
    #[error("不存在")]
    NotFound,
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Database(#[from] DbError),
}

/// An administrator allows a blocked version to be published with its personal data as is.
/// The reason is required and audited.
pub fn override_block(
    conn: &mut DbConnection,
    admin: &Actor,
    version_id: i32,
    reason: &str,
    now: NaiveDateTime,
) -> Result<Version, OverrideError> {
    let reason = reason.trim();
    if reason.chars().count() < 5 || reason.chars().count() > 500 {
        return Err(OverrideError::Invalid(
            "请填写核准理由（5 至 500 字），例如所依据的法律法规或当事人的同意".into(),
        ));
    }
    write_transaction(conn, |conn| {
        let v = versions::by_id(conn, version_id)?.ok_or(OverrideError::NotFound)?;
        if v.status != "blocked" {
            return Err(OverrideError::Invalid(
                "只有因个人信息暂停的版本可以核准".into(),
            ));
        }
        let r = resource_rows::by_id(conn, v.resource_id)?.ok_or(OverrideError::NotFound)?;
        let d = dataset_rows::by_id(conn, r.dataset_id)?;
        versions::decide(
            conn,
            v.id,
            v.masking.as_deref(),
            Some(reason),
            admin.user_id,
        )?;
        audit::record(
            conn,
            admin,
            now,
            "resource.pii_override",
            &format!("dataset:{}", d.slug),
            serde_json::json!({
                "resource": r.id,
                "version": v.number,
                "columns": ingest::findings_of(&v).iter().map(|f| f.name.clone()).collect::<Vec<_>>(),
                "reason": reason,
            }),
        )?;
        versions::by_id(conn, v.id)?.ok_or(OverrideError::NotFound)
    })
}

/// A blocked version awaiting the publisher or an administrator.
#[derive(Debug, Clone)]
pub struct BlockedVersion {
    pub dataset: Dataset,
    pub resource: Resource,
    pub version: Version,
    pub findings: Vec<ingest::Finding>,
}

pub fn blocked(conn: &mut DbConnection) -> Result<Vec<BlockedVersion>, DbError> {
    let mut out = Vec::new();
    for v in versions::in_status(conn, "blocked")? {
        let Some(r) = resource_rows::by_id(conn, v.resource_id)? else {
            continue;
        };
        let d = dataset_rows::by_id(conn, r.dataset_id)?;
        out.push(BlockedVersion {
            findings: ingest::findings_of(&v),
            dataset: d,
            resource: r,
            version: v,
        });
    }
    Ok(out)
}

/// Counts a completed download of the dataset.
pub fn record_download(conn: &mut DbConnection, dataset_id: i32) -> Result<(), DbError> {
    dataset_rows::record_download(conn, dataset_id)
}

/// When a version was last touched, for the console.
pub fn finished_or_created(v: &Version) -> NaiveDateTime {
    v.finished_at.unwrap_or(v.created_at)
}

/// Resources, each with its latest version.
pub type ResourceList = Vec<(Resource, Option<Version>)>;

/// A publisher's dataset with its resources, each with its latest version.
pub fn of_dataset(
    conn: &mut DbConnection,
    p: &Publisher,
    slug: &str,
) -> Result<(Dataset, ResourceList), PublishError> {
    let d = publishing::ensure_own(conn, p, slug)?;
    let mut out = Vec::new();
    for r in resource_rows::for_dataset(conn, d.id)? {
        let latest = versions::of_resource(conn, r.id)?.pop();
        out.push((r, latest));
    }
    Ok((d, out))
}

/// One version of the department's own resource, for its console: any ready version, treated
/// or not (the department holds the data anyway).
pub fn own_served(
    conn: &mut DbConnection,
    p: &Publisher,
    slug: &str,
    id: i32,
    number: i32,
) -> Result<OwnVersion, PublishError> {
    let d = publishing::ensure_own(conn, p, slug)?;
    access::own(conn, d, id, number)?.ok_or(PublishError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_names_come_from_the_form_or_the_file() {
        assert_eq!(resource_name("", "公交线路.csv").unwrap(), "公交线路");
        assert_eq!(resource_name(" 线路表 ", "a.csv").unwrap(), "线路表");
        assert_eq!(resource_name("", "C:\\导出\\统计.xlsx").unwrap(), "统计");
        assert_eq!(resource_name("", ".csv").unwrap(), ".csv");
        assert!(resource_name("", "").is_err());
        assert!(resource_name("a/b", "x.csv").is_err());
        assert!(resource_name(&"长".repeat(101), "x.csv").is_err());
    }
}
