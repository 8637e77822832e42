//! One version of a data file in the console: its page (the report, the personal-data and
//! column-type decisions), its processing status, the decision and retirement.

use std::collections::{BTreeMap, HashMap};

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::{label_of, status_label, version_url};
use crate::domain::column_type::ColumnType;
use crate::services::ingest::{self, ColumnInfo, Finding, Problem, Treatment};
use crate::services::preview::{self, Preview};
use crate::services::publishing::{PublishError, Publisher};
use crate::services::resources::{self, Dataset, Decision, Resource, Version};
use crate::web::auth::{CsrfForm, Viewer, set_flash};
use crate::web::forms::{FormErrors, path_id};
use crate::web::layout::{Layout, NAV_CONSOLE};
use crate::web::pages::{render, render_with_status, see_other};
use crate::web::{AppError, AppState};

/// A column of the version page, with the decision inputs it offers.
pub struct ColumnView {
    pub info: ColumnInfo,
    pub finding_kinds: Vec<&'static str>,
    pub finding_count: u64,
}

#[derive(Template)]
#[template(path = "console/version.html")]
pub struct VersionPage {
    pub layout: Layout,
    pub dataset: Dataset,
    pub resource: Resource,
    pub version: Version,
    pub status_label: &'static str,
    pub percent: i32,
    pub columns: Vec<ColumnView>,
    pub findings: Vec<Finding>,
    pub problems: Vec<Problem>,
    pub preview: Option<Preview>,
    pub types: [ColumnType; 6],
    pub errors: FormErrors,
    pub is_current: bool,
    /// What was typed into the retire form (kept when it is refused).
    pub retire_reason: String,
}

impl VersionPage {
    pub fn treatment_of(&self, column: &usize) -> &'static str {
        ingest::decisions_of(&self.version)
            .treatments
            .get(column)
            .map(|t| match t {
                Treatment::Mask => "mask",
                Treatment::Drop => "drop",
                Treatment::Hash => "hash",
                Treatment::Keep => "keep",
            })
            .unwrap_or("")
    }

    pub fn base(&self) -> String {
        version_url(&self.dataset.slug, &self.resource, &self.version)
    }

    pub fn can_decide(&self) -> bool {
        matches!(self.version.status.as_str(), "blocked" | "ready")
            && self.version.retired_at.is_none()
    }

    /// An old version (not the one served now) may be retired.
    pub fn can_retire(&self) -> bool {
        !self.is_current
            && self.version.retired_at.is_none()
            && matches!(self.version.status.as_str(), "ready" | "blocked" | "failed")
    }
}

async fn version_page(
    state: &AppState,
    viewer: &Viewer,
    p: &Publisher,
    slug: &str,
    id: i32,
    number: i32,
    errors: FormErrors,
) -> Result<VersionPage, AppError> {
    let (p, slug) = (p.clone(), slug.to_owned());
    let (dataset, resource, version, preview) = state
        .db(move |c| {
            let (d, r, v, served) =
                resources::own_served(c, &p, &slug, id, number).map_err(AppError::from)?;
            let preview = match served {
                Some(s) => Some(preview::preview(c, &s)?),
                None => None,
            };
            Ok((d, r, v, preview))
        })
        .await?;
    let findings = ingest::findings_of(&version);
    let columns = ingest::columns_of(&version)
        .into_iter()
        .map(|info| {
            let mine: Vec<&Finding> = findings
                .iter()
                .filter(|f| f.column == info.source)
                .collect();
            ColumnView {
                finding_kinds: mine.iter().map(|f| f.kind.label()).collect(),
                finding_count: mine.iter().map(|f| f.count).sum(),
                info,
            }
        })
        .collect();
    Ok(VersionPage {
        layout: Layout::new(
            state,
            viewer,
            format!("{} 第 {} 版", resource.name, version.number),
            NAV_CONSOLE,
        ),
        status_label: label_of(&version),
        percent: version.progress / 10,
        is_current: resource.current_version_id == Some(version.id),
        problems: ingest::problems_of(&version),
        findings,
        columns,
        preview,
        dataset,
        resource,
        version,
        types: ColumnType::ALL,
        errors,
        retire_reason: String::new(),
    })
}

pub async fn show(
    state: web::Data<AppState>,
    viewer: Viewer,
    path: web::Path<(String, String, String)>,
) -> Result<web::Html, AppError> {
    let p = viewer.require_publisher()?;
    let (slug, id, number) = path.into_inner();
    let (id, number) = (path_id(&id)?, path_id(&number)?);
    render(&version_page(&state, &viewer, &p, &slug, id, number, FormErrors::new()).await?)
}

/// `GET …/versions/{n}/status`: progress as JSON for the page's script.
pub async fn status(
    state: web::Data<AppState>,
    viewer: Viewer,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, AppError> {
    let p = viewer.require_publisher()?;
    let (slug, id, number) = path.into_inner();
    let (id, number) = (path_id(&id)?, path_id(&number)?);
    let v = state
        .db(move |c| {
            Ok(resources::own_version(c, &p, &slug, id, number)
                .map_err(AppError::from)?
                .2)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(serde_json::json!({
            "status": v.status,
            "label": status_label(&v.status),
            "progress": v.progress,
            "rows_done": v.rows_done,
        })))
}

/// `POST …/versions/{n}/decide`: `treatment_{col}` = mask|drop|hash and `type_{col}` = a type
/// name, for source columns by position.
pub async fn decide(
    state: web::Data<AppState>,
    viewer: Viewer,
    session: Session,
    path: web::Path<(String, String, String)>,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let p = viewer.require_publisher()?;
    let (slug, id, number) = path.into_inner();
    let (id, number) = (path_id(&id)?, path_id(&number)?);
    let current = version_page(&state, &viewer, &p, &slug, id, number, FormErrors::new()).await?;
    let mut errors = FormErrors::new();
    let mut decision = Decision::default();
    let known: BTreeMap<usize, ColumnType> = current
        .columns
        .iter()
        .map(|c| (c.info.source, c.info.ty))
        .collect();
    for (key, value) in &form {
        if let Some(col) = key.strip_prefix("treatment_") {
            let Some(col) = col.parse::<usize>().ok().filter(|c| known.contains_key(c)) else {
                errors.add("decide", format!("表单字段 {key} 无效"));
                continue;
            };
            match value.as_str() {
                "" => {}
                v => match Treatment::parse(v) {
                    Some(t) => {
                        decision.treatments.insert(col, t);
                    }
                    None => errors.add(key, format!("处理方式“{v}”无效")),
                },
            }
        } else if let Some(col) = key.strip_prefix("type_") {
            let Some(col) = col.parse::<usize>().ok().filter(|c| known.contains_key(c)) else {
                errors.add("decide", format!("表单字段 {key} 无效"));
                continue;
            };
            match ColumnType::parse_name(value) {
                Some(t) if known.get(&col) != Some(&t) => {
                    decision.types.insert(col, t);
                }
                Some(_) => {}
                None => errors.add(key, format!("类型“{value}”无效")),
            }
        }
    }
    decision.confirm_formulas = form.get("confirm_formulas").is_some_and(|v| v == "yes");
    if errors.is_empty()
        && decision.treatments.is_empty()
        && decision.types.is_empty()
        && !decision.confirm_formulas
    {
        errors.add(
            "decide",
            "没有需要保存的修改：请为含个人信息的列选择处理方式，或修改列的类型",
        );
    }
    if errors.is_empty() {
        let (p2, slug2, now) = (p.clone(), slug.clone(), state.clock.now());
        let result = state
            .db(
                move |c| match resources::decide(c, &p2, &slug2, id, number, &decision, now) {
                    Ok(v) => Ok(Ok(v)),
                    Err(PublishError::Transition(m)) => Ok(Err(m)),
                    Err(e) => Err(e.into()),
                },
            )
            .await?;
        match result {
            Ok(v) => {
                state.ingest.submit(v.id);
                set_flash(
                    &session,
                    &if v.number == number {
                        "已保存处理方式，正在按此重新导入。".to_owned()
                    } else {
                        format!("已按新的设置生成第 {} 版，正在导入。", v.number)
                    },
                );
                return Ok(see_other(&version_url(&slug, &current.resource, &v)));
            }
            Err(m) => errors.add("decide", m),
        }
    }
    let page = version_page(&state, &viewer, &p, &slug, id, number, errors).await?;
    render_with_status(StatusCode::BAD_REQUEST, &page)
}

/// `POST …/versions/{n}/retire`: `retire_reason`. An old version is retired for good (see
/// `services::resources::retire`); the current one cannot be.
pub async fn retire(
    state: web::Data<AppState>,
    viewer: Viewer,
    session: Session,
    path: web::Path<(String, String, String)>,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let p = viewer.require_publisher()?;
    let (slug, id, number) = path.into_inner();
    let (id, number) = (path_id(&id)?, path_id(&number)?);
    let reason = form.get("retire_reason").cloned().unwrap_or_default();
    let (p2, slug2, reason2) = (p.clone(), slug.clone(), reason.clone());
    let now = state.clock.now();
    let result = state
        .db(
            move |c| match resources::retire(c, &p2, &slug2, id, number, &reason2, now) {
                Ok(done) => Ok(Ok(done)),
                Err(PublishError::Invalid(f)) => Ok(Err((StatusCode::BAD_REQUEST, f))),
                Err(PublishError::Transition(m)) => Ok(Err((
                    StatusCode::CONFLICT,
                    [("retire_reason".to_owned(), m)].into(),
                ))),
                Err(e) => Err(e.into()),
            },
        )
        .await?;
    match result {
        Ok((v, unused)) => {
            let store = state.store.clone();
            web::block(move || {
                for key in unused {
                    let _ = store.remove(&key);
                }
            })
            .await
            .map_err(AppError::internal)?;
            set_flash(
                &session,
                &format!("第 {} 版已停用，其数据和文件已删除。", v.number),
            );
            Ok(see_other(&format!(
                "/console/datasets/{slug}/resources/{id}/versions/{number}"
            )))
        }
        Err((status, fields)) => {
            let mut errors = FormErrors::new();
            for (k, m) in fields {
                errors.add(&k, m);
            }
            let mut page = version_page(&state, &viewer, &p, &slug, id, number, errors).await?;
            page.retire_reason = reason;
            render_with_status(status, &page)
        }
    }
}
