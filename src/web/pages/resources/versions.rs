//! One version of a data file in the console: its page (the report, the personal-data and
//! column-type decisions), its processing status, the decision and retirement.

use std::collections::{BTreeMap, HashMap};

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::{label_of, status_label, version_url};
use crate::domain::column_type::ColumnType;
use crate::domain::pii::PiiKind;
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
    /// The kinds of personal information found in it, in words.
    pub finding_kinds: Vec<String>,
    pub finding_count: u64,
}

#[derive(Template)]
#[template(path = "console/version.html")]
pub struct VersionPage {
    pub layout: Layout,
    pub dataset: Dataset,
    pub resource: Resource,
    pub version: Version,
    /// The message id of its status.
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

/// The message id of a kind of personal information.
fn kind_id(kind: PiiKind) -> &'static str {
    match kind {
        PiiKind::ResidentId => "console-pii-resident_id",
        PiiKind::Mobile => "console-pii-mobile",
        PiiKind::BankCard => "console-pii-bank_card",
        PiiKind::Email => "console-pii-email",
    }
}

impl VersionPage {
    pub fn kind_id(&self, kind: &PiiKind) -> &'static str {
        kind_id(*kind)
    }

    /// The message id of a column's treatment.
    pub fn treatment_id(&self, t: &Treatment) -> &'static str {
        match t {
            Treatment::Mask => "console-treatment-mask",
            Treatment::Drop => "console-treatment-drop",
            Treatment::Hash => "console-treatment-hash",
            Treatment::Keep => "console-treatment-keep",
        }
    }

    /// The statuses the progress script may report (their words are in the page).
    pub fn statuses(&self) -> [&'static str; 4] {
        ["processing", "ready", "blocked", "failed"]
    }
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
                finding_kinds: mine
                    .iter()
                    .map(|f| viewer.lang.t(kind_id(f.kind)))
                    .collect(),
                finding_count: mine.iter().map(|f| f.count).sum(),
                info,
            }
        })
        .collect();
    Ok(VersionPage {
        layout: Layout::new(
            state,
            viewer,
            viewer.lang.t_args(
                "console-version-title",
                &[
                    ("name", resource.name.clone().into()),
                    ("n", version.number.into()),
                ],
            ),
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
            "label": viewer.lang.t(status_label(&v.status)),
            "progress": v.progress,
            "rows_done": v.rows_done,
        })))
}

/// "The form field {key} is not valid."
fn bad_field(viewer: &Viewer, key: &str) -> String {
    viewer
        .lang
        .t_args("console-bad-field", &[("key", key.to_owned().into())])
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
                errors.add("decide", bad_field(&viewer, key));
                continue;
            };
            match value.as_str() {
                "" => {}
                v => match Treatment::parse(v) {
                    Some(t) => {
                        decision.treatments.insert(col, t);
                    }
                    None => errors.add(
                        key,
                        viewer
                            .lang
                            .t_args("console-bad-treatment", &[("value", v.into())]),
                    ),
                },
            }
        } else if let Some(col) = key.strip_prefix("type_") {
            let Some(col) = col.parse::<usize>().ok().filter(|c| known.contains_key(c)) else {
                errors.add("decide", bad_field(&viewer, key));
                continue;
            };
            match ColumnType::parse_name(value) {
                Some(t) if known.get(&col) != Some(&t) => {
                    decision.types.insert(col, t);
                }
                Some(_) => {}
                None => errors.add(
                    key,
                    viewer
                        .lang
                        .t_args("console-bad-type", &[("value", value.as_str().into())]),
                ),
            }
        }
    }
    decision.confirm_formulas = form.get("confirm_formulas").is_some_and(|v| v == "yes");
    if errors.is_empty()
        && decision.treatments.is_empty()
        && decision.types.is_empty()
        && !decision.confirm_formulas
    {
        errors.add("decide", viewer.lang.t("console-decide-nothing"));
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
                        viewer.lang.t("console-decided-reimport")
                    } else {
                        viewer
                            .lang
                            .t_args("console-decided-new-version", &[("n", v.number.into())])
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
                &viewer
                    .lang
                    .t_args("console-retired-flash", &[("n", v.number.into())]),
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
