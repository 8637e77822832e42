//! Files for download: the published CSV (optionally with a byte-order mark for Excel), its
//! JSON and XLSX renderings — generated on first request into the cache directory and kept,
//! since a version never changes — and the original upload while it is kept.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::access::Served;
use super::ingest::export::{self, ExportError};
use super::preview;
use crate::storage::FileStore;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
    Xlsx,
    Original,
}

impl Format {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "" | "csv" => Self::Csv,
            "json" => Self::Json,
            "xlsx" => Self::Xlsx,
            "original" => Self::Original,
            _ => return None,
        })
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Csv => "text/csv; charset=utf-8",
            Self::Json => "application/json",
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Self::Original => "application/octet-stream",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DownloadError {
    #[error("原始文件含有个人信息，已在脱敏后删除；请下载脱敏后的数据")]
    NoOriginal,
    #[error("授权只包含部分字段，不提供含全部字段的原始文件；请选择 CSV、JSON 或 Excel 格式")]
    NotGranted,
    #[error("{0}")]
    Export(#[from] ExportError),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// A file ready to be sent.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub path: PathBuf,
    /// The name the user's browser saves it under (Chinese as it is).
    pub file_name: String,
    pub content_type: &'static str,
}

fn generate(
    out: &Path,
    make: impl FnOnce(&Path) -> Result<(), ExportError>,
) -> Result<(), DownloadError> {
    if out.exists() {
        return Ok(());
    }
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = out.with_extension(format!("{}.tmp", hex::encode(rand::random::<[u8; 6]>())));
    match make(&tmp) {
        Ok(()) => {
            std::fs::rename(&tmp, out)?;
            Ok(())
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e.into())
        }
    }
}

/// The file for a format of a served version (blocking: run on the blocking pool). With `only`
/// (the fields a grant approves), every format holds those columns alone, and the original
/// upload, which holds them all, is refused.
pub fn prepare(
    store: &FileStore,
    cache: &Path,
    s: &Served,
    format: Format,
    bom: bool,
    only: Option<&[String]>,
) -> Result<Prepared, DownloadError> {
    let v = &s.version;
    let mut data = v
        .data_key
        .as_deref()
        .and_then(|k| store.path(k))
        .ok_or_else(|| DownloadError::Io(std::io::Error::other("published file missing")))?;
    let suffix = if s.resource.current_version_id == Some(v.id) {
        String::new()
    } else {
        format!("（第{}版）", v.number)
    };
    let name = |ext: &str| format!("{}{suffix}.{ext}", s.resource.name);
    let mut columns = preview::columns(v);
    let mut hash = v
        .data_sha256
        .clone()
        .unwrap_or_else(|| format!("v{}", v.id));
    if let Some(only) = only {
        if format == Format::Original {
            return Err(DownloadError::NotGranted);
        }
        let keep: Vec<usize> = (0..columns.len())
            .filter(|i| only.contains(&columns[*i].name))
            .collect();
        let mut h = <sha2::Sha256 as sha2::Digest>::new();
        for i in &keep {
            sha2::Digest::update(&mut h, columns[*i].name.as_bytes());
            sha2::Digest::update(&mut h, b"\n");
        }
        let fingerprint = hex::encode(&sha2::Digest::finalize(h)[..8]);
        hash = format!("{hash}.fields-{fingerprint}");
        let subset = cache.join(format!("{hash}.csv"));
        generate(&subset, |tmp| export::select_columns(&data, &keep, tmp))?;
        data = subset;
        columns = keep.iter().map(|i| columns[*i].clone()).collect();
    }
    Ok(match format {
        Format::Csv if !bom => Prepared {
            path: data,
            file_name: name("csv"),
            content_type: format.content_type(),
        },
        Format::Csv => {
            let out = cache.join(format!("{hash}.bom.csv"));
            generate(&out, |tmp| {
                let mut w = std::io::BufWriter::new(std::fs::File::create(tmp)?);
                w.write_all(b"\xEF\xBB\xBF")?;
                std::io::copy(&mut std::fs::File::open(&data)?, &mut w)?;
                w.flush()?;
                Ok(())
            })?;
            Prepared {
                path: out,
                file_name: name("csv"),
                content_type: format.content_type(),
            }
        }
        Format::Json => {
            let out = cache.join(format!("{hash}.json"));
            generate(&out, |tmp| export::to_json(&data, &columns, tmp))?;
            Prepared {
                path: out,
                file_name: name("json"),
                content_type: format.content_type(),
            }
        }
        Format::Xlsx => {
            let out = cache.join(format!("{hash}.xlsx"));
            let rows = v.row_count.unwrap_or(0) as u64;
            generate(&out, |tmp| export::to_xlsx(&data, &columns, rows, tmp))?;
            Prepared {
                path: out,
                file_name: name("xlsx"),
                content_type: format.content_type(),
            }
        }
        Format::Original => {
            // The gate decided whether the original may leave with this version.
            let path = Some(v)
                .filter(|_| s.original)
                .and_then(|v| v.source_key.as_deref())
                .and_then(|k| store.path(k))
                .filter(|p| p.exists())
                .ok_or(DownloadError::NoOriginal)?;
            let content_type = match v.source_format.as_str() {
                "xlsx" => Format::Xlsx.content_type(),
                "xls" => "application/vnd.ms-excel",
                _ if v.encoding.as_deref() == Some("GB18030") => "text/csv; charset=gb18030",
                _ => "text/csv; charset=utf-8",
            };
            let base = v
                .source_name
                .rsplit(['/', '\\'])
                .next()
                .unwrap_or(&v.source_name);
            Prepared {
                path,
                file_name: if base.is_empty() {
                    name(&v.source_format)
                } else {
                    base.to_owned()
                },
                content_type,
            }
        }
    })
}
