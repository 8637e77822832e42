//! Data files in the console: upload a file (a new resource or version n+1 of one), follow its
//! processing, read the report, decide what happens to personal data and column types.

use actix_multipart::Multipart;
use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

// A version's page, processing status, decisions and retirement.
pub mod versions;

use super::{render, render_with_status, see_other};
use crate::services::ingest::{self};
use crate::services::publishing::Publisher;
use crate::services::resources::{self, Dataset, Resource, Upload, Version};
use crate::web::auth::{Viewer, set_flash};
use crate::web::forms::{FormErrors, path_id};
use crate::web::layout::{Layout, NAV_CONSOLE};
use crate::web::upload::{self, Received, UploadError};
use crate::web::{AppError, AppState};

/// A version as a row of the console's lists.
pub struct VersionRow {
    pub version: Version,
    /// The message id of its status.
    pub status_label: &'static str,
}

/// A version's state for the console (a message id): a retired one says so, whatever it was.
pub fn label_of(v: &Version) -> &'static str {
    if v.retired_at.is_some() {
        "console-vstatus-retired"
    } else {
        status_label(&v.status)
    }
}

/// The message id of a version's processing status.
pub fn status_label(status: &str) -> &'static str {
    match status {
        "processing" => "console-vstatus-processing",
        "ready" => "console-vstatus-ready",
        "blocked" => "console-vstatus-blocked",
        "failed" => "console-vstatus-failed",
        _ => "console-vstatus-unknown",
    }
}

fn rows_of(versions: Vec<Version>) -> Vec<VersionRow> {
    versions
        .into_iter()
        .map(|v| VersionRow {
            status_label: label_of(&v),
            version: v,
        })
        .collect()
}

/// A resource in the console's list of a dataset's files.
pub struct ResourceRow {
    pub resource: Resource,
    pub latest: Option<VersionRow>,
}

#[derive(Template)]
#[template(path = "console/resources.html")]
pub struct ResourcesPage {
    pub layout: Layout,
    pub dataset: Dataset,
    pub resources: Vec<ResourceRow>,
    pub errors: FormErrors,
    pub name: String,
    pub max_size: String,
}

async fn resources_page(
    state: &AppState,
    viewer: &Viewer,
    p: &Publisher,
    slug: &str,
    errors: FormErrors,
    name: String,
) -> Result<ResourcesPage, AppError> {
    let (p, slug) = (p.clone(), slug.to_owned());
    let (dataset, list) = state
        .db(move |c| resources::of_dataset(c, &p, &slug).map_err(AppError::from))
        .await?;
    let list = list
        .into_iter()
        .map(|(r, latest)| ResourceRow {
            latest: latest.map(|v| VersionRow {
                status_label: status_label(&v.status),
                version: v,
            }),
            resource: r,
        })
        .collect();
    Ok(ResourcesPage {
        layout: Layout::new(
            state,
            viewer,
            viewer.lang.t_args(
                "console-files-title",
                &[("title", dataset.title.clone().into())],
            ),
            NAV_CONSOLE,
        ),
        dataset,
        resources: list,
        errors,
        name,
        max_size: crate::web::format::size(&(state.settings.uploads.max_bytes as i64)),
    })
}

pub async fn index(
    state: web::Data<AppState>,
    viewer: Viewer,
    slug: web::Path<String>,
) -> Result<web::Html, AppError> {
    let p = viewer.require_publisher()?;
    render(&resources_page(&state, &viewer, &p, &slug, FormErrors::new(), String::new()).await?)
}

#[derive(Template)]
#[template(path = "console/resource.html")]
pub struct ResourcePage {
    pub layout: Layout,
    pub dataset: Dataset,
    pub resource: Resource,
    pub versions: Vec<VersionRow>,
    pub errors: FormErrors,
    pub max_size: String,
}

impl ResourcePage {
    pub fn is_current(&self, v: &Version) -> bool {
        self.resource.current_version_id == Some(v.id)
    }
}

async fn resource_page(
    state: &AppState,
    viewer: &Viewer,
    p: &Publisher,
    slug: &str,
    id: i32,
    errors: FormErrors,
) -> Result<ResourcePage, AppError> {
    let (p, slug) = (p.clone(), slug.to_owned());
    let (dataset, resource, versions) = state
        .db(move |c| resources::own_resource(c, &p, &slug, id).map_err(AppError::from))
        .await?;
    Ok(ResourcePage {
        layout: Layout::new(
            state,
            viewer,
            viewer.lang.t_args(
                "console-resource-title",
                &[
                    ("dataset", dataset.title.clone().into()),
                    ("name", resource.name.clone().into()),
                ],
            ),
            NAV_CONSOLE,
        ),
        dataset,
        resource,
        versions: rows_of(versions),
        errors,
        max_size: crate::web::format::size(&(state.settings.uploads.max_bytes as i64)),
    })
}

pub async fn show(
    state: web::Data<AppState>,
    viewer: Viewer,
    path: web::Path<(String, String)>,
) -> Result<web::Html, AppError> {
    let p = viewer.require_publisher()?;
    let (slug, id) = path.into_inner();
    let id = path_id(&id)?;
    render(&resource_page(&state, &viewer, &p, &slug, id, FormErrors::new()).await?)
}

fn upload_status(e: &UploadError) -> StatusCode {
    match e {
        UploadError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
        UploadError::Csrf => StatusCode::FORBIDDEN,
        UploadError::StorageFull => StatusCode::INSUFFICIENT_STORAGE,
        UploadError::Io(_) => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_REQUEST,
    }
}

/// Stores a received file and starts its ingest. Returns where to look at it.
pub async fn accept(
    state: &AppState,
    p: &Publisher,
    slug: &str,
    resource_id: Option<i32>,
    name: &str,
    received: Received,
) -> Result<(Dataset, Resource, Version), AppError> {
    let format = ingest::format_of(&received.head, &received.file_name);
    let file_name = received.file_name.clone();
    let store = state.store.clone();
    let stored = web::block(move || received.adopt(&store))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)?;
    let upload = Upload {
        file_name,
        format,
        stored,
    };
    let (p, slug, name) = (p.clone(), slug.to_owned(), name.to_owned());
    let now = state.clock.now();
    let (d, r, v) = state
        .db(move |c| {
            resources::start_upload(c, &p, &slug, resource_id, &name, &upload, now)
                .map_err(AppError::from)
        })
        .await?;
    state.ingest.submit(v.id);
    Ok((d, r, v))
}

fn version_url(slug: &str, r: &Resource, v: &Version) -> String {
    format!(
        "/console/datasets/{slug}/resources/{}/versions/{}",
        r.id, v.number
    )
}

/// `POST /console/datasets/{slug}/resources`: a new resource.
pub async fn upload_new(
    state: web::Data<AppState>,
    viewer: Viewer,
    session: Session,
    slug: web::Path<String>,
    req: HttpRequest,
    body: web::Payload,
) -> Result<HttpResponse, AppError> {
    let p = viewer.require_publisher()?;
    let slug = slug.into_inner();
    // Nothing is read from another department's dataset.
    resources_page(&state, &viewer, &p, &slug, FormErrors::new(), String::new()).await?;
    let csrf = viewer.csrf.clone().unwrap_or_default();
    let limit = state.settings.uploads.max_bytes;
    // Read only after the checks above: nothing is received for another department.
    let form = Multipart::new(req.headers(), body);
    let received = upload::multipart(form, &state.store, limit, Some(&csrf)).await;
    let (received, name) = match received {
        Err(UploadError::Csrf) => return Err(AppError::CsrfRejected),
        Err(e) => {
            let mut errors = FormErrors::new();
            errors.add("file", e.to_string());
            let page = resources_page(&state, &viewer, &p, &slug, errors, String::new()).await?;
            return render_with_status(upload_status(&e), &page);
        }
        Ok(r) => {
            let given = r.fields.get("name").cloned().unwrap_or_default();
            match resources::resource_name(&given, &r.file_name) {
                Ok(name) => (r, name),
                Err(message) => {
                    let mut errors = FormErrors::new();
                    errors.add("name", message);
                    let page = resources_page(&state, &viewer, &p, &slug, errors, given).await?;
                    return render_with_status(StatusCode::BAD_REQUEST, &page);
                }
            }
        }
    };
    let (_, r, v) = accept(&state, &p, &slug, None, &name, received).await?;
    set_flash(&session, &viewer.lang.t("console-upload-flash"));
    Ok(see_other(&version_url(&slug, &r, &v)))
}

/// `POST /console/datasets/{slug}/resources/{id}`: version n+1 of a resource.
pub async fn upload_version(
    state: web::Data<AppState>,
    viewer: Viewer,
    session: Session,
    path: web::Path<(String, String)>,
    req: HttpRequest,
    body: web::Payload,
) -> Result<HttpResponse, AppError> {
    let p = viewer.require_publisher()?;
    let (slug, id) = path.into_inner();
    let id = path_id(&id)?;
    let page = resource_page(&state, &viewer, &p, &slug, id, FormErrors::new()).await?;
    let csrf = viewer.csrf.clone().unwrap_or_default();
    let limit = state.settings.uploads.max_bytes;
    let form = Multipart::new(req.headers(), body);
    let received = match upload::multipart(form, &state.store, limit, Some(&csrf)).await {
        Err(UploadError::Csrf) => return Err(AppError::CsrfRejected),
        Err(e) => {
            let mut page = page;
            page.errors.add("file", e.to_string());
            return render_with_status(upload_status(&e), &page);
        }
        Ok(r) => r,
    };
    let name = page.resource.name.clone();
    match accept(&state, &p, &slug, Some(id), &name, received).await {
        Ok((_, r, v)) => {
            set_flash(
                &session,
                &viewer
                    .lang
                    .t_args("console-upload-version-flash", &[("n", v.number.into())]),
            );
            Ok(see_other(&version_url(&slug, &r, &v)))
        }
        Err(AppError::Conflict(m)) => {
            let mut page = page;
            page.errors.add("file", m);
            render_with_status(StatusCode::CONFLICT, &page)
        }
        Err(e) => Err(e),
    }
}
