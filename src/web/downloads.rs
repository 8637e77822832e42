//! Serving a resource's data, for the website (`pages::downloads`) and the API alike
//! (`?format=csv|json|xlsx|original&version=&bom=1`): streamed from disk in constant memory (actix-files), with the Chinese file name (RFC 5987),
//! ETag, Last-Modified, 304 and Range. Conditional data answers 403 with how to apply; closed,
//! draft and withdrawn data answer 404 like a missing dataset.

use std::io::Read;

use actix_files::NamedFile;
use actix_web::body::SizedStream;
use actix_web::http::header::{
    self, Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue,
};
use actix_web::http::{Method, StatusCode};
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::Stream;

use crate::services::Actor;
use crate::services::access::{self, Access};
use crate::services::accounts::User;
use crate::services::applications;
use crate::services::downloads::{self, DownloadError, Format};
use crate::services::ingest::export::ExportError;
use crate::services::resources;
use crate::web::api_error::ApiError;
use crate::web::forms::path_id;
use crate::web::{AppError, AppState};

/// Why a download was refused, for the page and the API to word.
#[derive(Debug)]
pub enum Refusal {
    BadRequest(String),
    NotFound,
    Conditional {
        title: String,
        slug: String,
    },
    /// Conditional data outside a live grant: expired, revoked, used up (the reason says which).
    Denied(String),
    Gone(String),
    Internal(AppError),
}

impl From<AppError> for Refusal {
    fn from(e: AppError) -> Self {
        Self::Internal(e)
    }
}

impl Refusal {
    pub fn conditional_message(title: &str) -> String {
        format!(
            "“{title}”是有条件开放数据，需要先申请：登录后在数据集页面提交开放申请（写明用途、数据范围、使用期限和安全措施），\
             数据提供部门在 10 个工作日内答复；获得授权后即可在授权范围和期限内下载。"
        )
    }
}

impl From<Refusal> for AppError {
    fn from(r: Refusal) -> Self {
        match r {
            Refusal::BadRequest(m) => AppError::BadRequest(m),
            Refusal::NotFound => AppError::NotFound,
            Refusal::Conditional { title, .. } => {
                AppError::Forbidden(Refusal::conditional_message(&title))
            }
            Refusal::Denied(m) => AppError::Forbidden(m),
            Refusal::Gone(m) => AppError::BadRequest(m),
            Refusal::Internal(e) => e,
        }
    }
}

/// The API words a refusal as its error envelope (a withdrawn original is a 410 there).
impl From<Refusal> for ApiError {
    fn from(r: Refusal) -> Self {
        match r {
            Refusal::BadRequest(m) => ApiError::bad_request(m),
            Refusal::NotFound => ApiError::not_found(),
            Refusal::Conditional { title, .. } => {
                ApiError::forbidden(Refusal::conditional_message(&title))
            }
            Refusal::Denied(m) => ApiError::forbidden(m),
            Refusal::Gone(m) => ApiError::new(StatusCode::GONE, "gone", m),
            Refusal::Internal(e) => ApiError::from(e),
        }
    }
}

/// What a prepared download's failure means: no original, not granted, too many rows for
/// Excel; anything else is ours.
impl From<DownloadError> for Refusal {
    fn from(e: DownloadError) -> Self {
        match e {
            DownloadError::NoOriginal => Refusal::Gone(e.to_string()),
            DownloadError::NotGranted => Refusal::Denied(e.to_string()),
            DownloadError::Export(ExportError::TooManyRows) => Refusal::BadRequest(e.to_string()),
            other => Refusal::Internal(AppError::internal(other)),
        }
    }
}
/// What `bom` may be: with a BOM for "1", "true" or "yes", without for the rest.
pub const BOM_VALUES: [&str; 7] = ["", "0", "1", "true", "false", "yes", "no"];

/// `format`, `version` and `bom` from the query string.
pub fn parse_query(query: &str) -> Result<(Format, Option<i32>, bool), Refusal> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query)
        .map_err(|_| Refusal::BadRequest("查询参数格式有误".into()))?;
    let mut format = Format::Csv;
    let mut version = None;
    let mut bom = false;
    for (k, v) in pairs {
        match k.as_str() {
            "format" => {
                format = Format::parse(&v).ok_or_else(|| {
                    Refusal::BadRequest(format!(
                        "不支持的格式“{v}”：可选 csv、json、xlsx 或 original"
                    ))
                })?;
            }
            "version" => {
                version = Some(
                    v.parse::<i32>()
                        .ok()
                        .filter(|n| *n > 0)
                        .ok_or_else(|| Refusal::BadRequest(format!("版本号“{v}”无效")))?,
                );
            }
            "bom" if BOM_VALUES.contains(&v.as_str()) => {
                bom = matches!(v.as_str(), "1" | "true" | "yes")
            }
            "bom" => {
                return Err(Refusal::BadRequest(format!(
                    "bom“{v}”无效：可选 1、0、true、false、yes 或 no"
                )));
            }
            _ => {}
        }
    }
    Ok((format, version, bom))
}

pub fn disposition(file_name: &str, fallback: String) -> ContentDisposition {
    ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![
            DispositionParam::Filename(fallback),
            DispositionParam::FilenameExt(ExtendedValue {
                charset: Charset::Ext("UTF-8".into()),
                language_tag: None,
                value: file_name.as_bytes().to_vec(),
            }),
        ],
    }
}

/// The download itself, shared by the page and the API. `holder` is who asks (for conditional
/// data: the grant is theirs, or nothing is served).
pub async fn serve(
    state: &AppState,
    req: &HttpRequest,
    slug: String,
    id: &str,
    holder: Option<(User, Actor)>,
) -> Result<HttpResponse, Refusal> {
    let id = path_id(id).map_err(|_| Refusal::NotFound)?;
    let (format, version, bom) = parse_query(req.query_string())?;
    let access = state
        .db(move |c| Ok(access::public(c, &slug, id, version)?))
        .await?;
    let (served, only) = match access {
        Access::NotFound => return Err(Refusal::NotFound),
        Access::Conditional(d) => {
            let Some((user, actor)) = holder else {
                return Err(Refusal::Conditional {
                    title: d.title,
                    slug: d.slug,
                });
            };
            if format == Format::Original {
                // The original holds every column: never under a grant (and not a use).
                return Err(Refusal::Denied(DownloadError::NotGranted.to_string()));
            }
            let now = state.clock.now();
            let counted = req.method() == Method::GET;
            let granted = state
                .db(move |c| {
                    let grant = match applications::usable_grant(c, user.id, d.id, "download", now)?
                    {
                        Ok(g) => g,
                        Err(denial) => return Ok(Err((d, denial))),
                    };
                    // The version is chosen as for open data; only the grant's columns leave.
                    let served = match access::granted(c, &d, id, version)? {
                        Some(s) => s,
                        None => return Ok(Ok(None)),
                    };
                    if !counted {
                        return Ok(Ok(Some((served, grant.field_names()))));
                    }
                    let target = format!("resource:{id}");
                    match applications::use_grant(c, &grant, "download", &target, now, &actor)? {
                        Ok(()) => Ok(Ok(Some((served, grant.field_names())))),
                        Err(denial) => Ok(Err((d, denial))),
                    }
                })
                .await?;
            match granted {
                Ok(Some((served, fields))) => (Box::new(served), Some(fields)),
                Ok(None) => return Err(Refusal::NotFound),
                Err((d, applications::Denial::NoGrant)) => {
                    return Err(Refusal::Conditional {
                        title: d.title,
                        slug: d.slug,
                    });
                }
                Err((_, denial)) => return Err(Refusal::Denied(denial.message())),
            }
        }
        Access::Open(s) => (s, None),
    };
    // A grant holder's file is theirs alone: no shared cache may keep it, whichever route.
    let private = only.is_some();
    let (store, cache) = (state.store.clone(), state.settings.cache_dir());
    let s = served.clone();
    let prepared =
        web::block(move || downloads::prepare(&store, &cache, &s, format, bom, only.as_deref()))
            .await
            .map_err(|e| Refusal::Internal(AppError::internal(e)))?
            .map_err(Refusal::from)?;
    let ext = prepared
        .file_name
        .rsplit('.')
        .next()
        .unwrap_or("csv")
        .to_ascii_lowercase();
    let fallback = format!(
        "resource-{}-v{}.{ext}",
        served.resource.id, served.version.number
    );
    let mime: mime::Mime = prepared
        .content_type
        .parse()
        .unwrap_or(mime::APPLICATION_OCTET_STREAM);
    let file = NamedFile::open_async(&prepared.path)
        .await
        .map_err(|e| Refusal::Internal(AppError::internal(e)))?
        // Chunks are read on the worker itself: published files are read sequentially and
        // are usually in the page cache, and a trip to the blocking pool for every chunk
        // costs more than the read (measured in docs/PERFORMANCE.md).
        .read_mode_threshold(u64::MAX)
        .set_content_type(mime)
        .set_content_disposition(disposition(&prepared.file_name, fallback));
    // NamedFile answers the conditional and Range requests; a whole file goes out in larger
    // chunks than its 64 KiB ones, with the same headers.
    let mut response = file.into_response(req);
    if private {
        let h = response.headers_mut();
        h.insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("private, no-store"),
        );
        h.insert(
            header::VARY,
            header::HeaderValue::from_static("Cookie, Authorization"),
        );
    }
    if response.status() == StatusCode::OK && req.method() == Method::GET {
        if let Ok(f) = std::fs::File::open(&prepared.path)
            && let Ok(meta) = f.metadata()
        {
            response = response
                .set_body(SizedStream::new(meta.len(), chunks(f, meta.len())))
                .map_into_boxed_body();
        }
        let dataset = served.dataset.id;
        if let Err(e) = state
            .db(move |c| Ok(resources::record_download(c, dataset)?))
            .await
        {
            tracing::warn!(error = %e, dataset, "could not count a download");
        }
    }
    Ok(response)
}

/// A file as a stream of chunks of up to 1 MiB, read on the calling worker (see `serve`).
/// Each buffer is no bigger than what is left of the file: a 40 KB file takes 40 KB, not 1 MiB,
/// while it waits to be sent.
fn chunks(file: std::fs::File, len: u64) -> impl Stream<Item = Result<web::Bytes, std::io::Error>> {
    futures_util::stream::unfold(Some((file, len)), |state| async move {
        let (mut file, left) = state?;
        let size = left.clamp(1, 1 << 20) as usize;
        let mut buf = vec![0u8; size];
        match file.read(&mut buf) {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                let left = left.saturating_sub(n as u64);
                Some((Ok(web::Bytes::from(buf)), Some((file, left))))
            }
            Err(e) => Some((Err(e), None)),
        }
    })
}
