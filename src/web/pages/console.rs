//! `/console`: the publisher's workspace for their department's datasets.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

// The console's messages with arguments, for its templates.

use super::{render, render_with_status, see_other};
use crate::domain::{DatasetStatus, OpenClass, UpdateFrequency};
use crate::i18n::Lang;
use crate::services::publishing::{
    self, ClassChangeRequest, ConsoleRow, Dataset, DatasetChange, DatasetDraft, FieldDraft,
    PublishError, Publisher, Theme,
};
use crate::web::auth::{CsrfForm, Viewer, set_flash};
use crate::web::forms::FormErrors;
use crate::web::layout::{Layout, NAV_CONSOLE};
use crate::web::{AppError, AppState};

/// 404 or 403 unless the dataset belongs to the publisher's department.
async fn ensure_own(state: &AppState, p: &Publisher, slug: &str) -> Result<(), AppError> {
    let (p, slug) = (p.clone(), slug.to_owned());
    state
        .db(move |c| {
            publishing::ensure_own(c, &p, &slug)?;
            Ok(())
        })
        .await
}

/// What the edit page shows of a stored dataset: the row, its draft, a pending class change.
async fn edit_state(
    state: &AppState,
    p: &Publisher,
    slug: &str,
) -> Result<(Dataset, DatasetDraft, Option<OpenClass>), AppError> {
    let (p, slug) = (p.clone(), slug.to_owned());
    state
        .db(move |c| Ok(publishing::edit_state(c, &p, &slug)?))
        .await
}

#[derive(Template)]
#[template(path = "console/index.html")]
pub struct ConsolePage {
    pub layout: Layout,
    pub department: String,
    pub rows: Vec<ConsoleRow>,
}

impl ConsolePage {
    /// How many datasets the department has.
    pub fn count(&self) -> i64 {
        self.rows.len() as i64
    }
}

pub async fn index(state: web::Data<AppState>, viewer: Viewer) -> Result<web::Html, AppError> {
    let p = viewer.require_publisher()?;
    let (department, rows) = state
        .db(move |c| Ok(publishing::console_page(c, &p)?))
        .await?;
    render(&ConsolePage {
        layout: Layout::new(&state, &viewer, viewer.lang.t("nav-console"), NAV_CONSOLE),
        department,
        rows,
    })
}

/// The dataset form as posted: one string per input; the data dictionary as lines of
/// `名称 | 类型 | 说明 | 单位 | 是否脱敏`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DatasetForm {
    pub title: String,
    pub slug: String,
    pub summary: String,
    pub keywords: String,
    pub theme: String,
    pub maintainer: String,
    pub open_class: String,
    pub open_conditions: String,
    pub legal_basis: String,
    pub update_frequency: String,
    pub formats: String,
    pub record_count: String,
    pub temporal_start: String,
    pub temporal_end: String,
    pub spatial_coverage: String,
    pub license: String,
    pub priority: String,
    pub fields: String,
    pub reason: String,
    pub title_en: String,
    pub summary_en: String,
}

impl DatasetForm {
    /// The stored draft as the form shows it; an English page writes the data dictionary's
    /// types and "masked" as the API names them (`string`, `yes`), which the form also reads.
    fn from_draft(d: &DatasetDraft, lang: Lang) -> Self {
        Self {
            title: d.title.clone(),
            slug: d.slug.clone(),
            summary: d.summary.clone(),
            keywords: d.keywords.join("，"), // i18n: a separator inside a value
            theme: d.theme.clone(),
            maintainer: d.maintainer.clone(),
            open_class: d.open_class.clone(),
            open_conditions: d.open_conditions.clone(),
            legal_basis: d.legal_basis.clone(),
            update_frequency: d.update_frequency.clone(),
            formats: d.formats.join(", "),
            record_count: d.record_count.clone(),
            temporal_start: d.temporal_start.clone(),
            temporal_end: d.temporal_end.clone(),
            spatial_coverage: d.spatial_coverage.clone(),
            license: d.license.clone(),
            priority: if d.priority {
                "yes".into()
            } else {
                String::new()
            },
            fields: d
                .fields
                .iter()
                .map(|f| {
                    let ty = match lang {
                        Lang::En => &f.data_type,
                        Lang::Zh => publishing::FIELD_TYPES
                            .iter()
                            .find(|(api, _)| *api == f.data_type)
                            .map(|(_, label)| *label)
                            .unwrap_or(&f.data_type),
                    };
                    let masked = match (lang, f.masked) {
                        (Lang::Zh, true) => "是",
                        (Lang::Zh, false) => "否",
                        (Lang::En, true) => "yes",
                        (Lang::En, false) => "no",
                    };
                    format!(
                        "{} | {} | {} | {} | {}",
                        f.name, ty, f.description, f.unit, masked
                    )
                })
                .collect::<Vec<_>>()
                .join("\n"),
            reason: String::new(),
            title_en: d.title_en.clone(),
            summary_en: d.summary_en.clone(),
        }
    }

    /// The draft, or the line of the data dictionary that cannot be read.
    fn to_draft(&self, lang: Lang) -> Result<DatasetDraft, String> {
        let mut fields = Vec::new();
        for (i, line) in self.fields.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let parts: Vec<&str> = line.split(['|', '｜']).map(str::trim).collect();
            let masked = match parts.get(4).copied().unwrap_or("") {
                "" | "否" | "no" | "false" => false,
                "是" | "yes" | "true" => true,
                other => {
                    return Err(lang.t_args(
                        "console-masked-bad",
                        &[("line", (i + 1).into()), ("value", other.into())],
                    ));
                }
            };
            fields.push(FieldDraft {
                name: parts.first().copied().unwrap_or("").to_owned(),
                data_type: parts.get(1).copied().unwrap_or("").to_owned(),
                description: parts.get(2).copied().unwrap_or("").to_owned(),
                unit: parts.get(3).copied().unwrap_or("").to_owned(),
                masked,
            });
        }
        Ok(DatasetDraft {
            title: self.title.clone(),
            slug: self.slug.clone(),
            summary: self.summary.clone(),
            keywords: vec![self.keywords.clone()],
            theme: self.theme.clone(),
            maintainer: self.maintainer.clone(),
            open_class: self.open_class.clone(),
            open_conditions: self.open_conditions.clone(),
            legal_basis: self.legal_basis.clone(),
            update_frequency: self.update_frequency.clone(),
            formats: self
                .formats
                .split([',', '，', '、', ';', ' '])
                .map(str::to_owned)
                .collect(),
            record_count: self.record_count.clone(),
            temporal_start: self.temporal_start.clone(),
            temporal_end: self.temporal_end.clone(),
            spatial_coverage: self.spatial_coverage.clone(),
            license: self.license.clone(),
            priority: self.priority == "yes",
            fields,
            title_en: self.title_en.clone(),
            summary_en: self.summary_en.clone(),
        })
    }
}

#[derive(Template)]
#[template(path = "console/form.html")]
pub struct DatasetFormPage {
    pub layout: Layout,
    /// `None` when creating.
    pub editing: Option<String>,
    pub status: Option<DatasetStatus>,
    pub pending: Option<OpenClass>,
    pub form: DatasetForm,
    pub errors: FormErrors,
    pub themes: Vec<Theme>,
    pub classes: [OpenClass; 3],
    pub frequencies: [UpdateFrequency; 8],
    /// Errors and input of the publish/withdraw form.
    pub status_errors: FormErrors,
    pub status_reason: String,
}

async fn form_page(
    state: &AppState,
    viewer: &Viewer,
    editing: Option<String>,
    status: Option<DatasetStatus>,
    pending: Option<OpenClass>,
    form: DatasetForm,
    errors: FormErrors,
) -> Result<DatasetFormPage, AppError> {
    let themes = state.db(|c| Ok(publishing::themes(c)?)).await?;
    let title = match &editing {
        Some(_) => viewer.lang.t_args(
            "console-edit-title",
            &[("title", form.title.clone().into())],
        ),
        None => viewer.lang.t("console-new-title"),
    };
    Ok(DatasetFormPage {
        layout: Layout::new(state, viewer, title, NAV_CONSOLE),
        editing,
        status,
        pending,
        form,
        errors,
        themes,
        classes: OpenClass::ALL,
        frequencies: UpdateFrequency::ALL,
        status_errors: FormErrors::new(),
        status_reason: String::new(),
    })
}

pub async fn new_form(state: web::Data<AppState>, viewer: Viewer) -> Result<web::Html, AppError> {
    let p = viewer.require_publisher()?;
    let d = state
        .db(move |c| Ok(publishing::department(c, &p)?))
        .await?;
    let form = DatasetForm {
        maintainer: d.name.clone(),
        open_class: OpenClass::Unconditional.as_str().into(),
        update_frequency: UpdateFrequency::Irregular.as_str().into(),
        formats: "CSV".into(),
        spatial_coverage: d.region_code.to_string(),
        // i18n: the licence's name is data (its legal title)
        license: "安徽省公共数据开放许可协议（署名）".into(),
        ..DatasetForm::default()
    };
    render(&form_page(&state, &viewer, None, None, None, form, FormErrors::new()).await?)
}

pub async fn create(
    state: web::Data<AppState>,
    viewer: Viewer,
    session: Session,
    CsrfForm(form): CsrfForm<DatasetForm>,
) -> Result<HttpResponse, AppError> {
    let p = viewer.require_publisher()?;
    let result = match form.to_draft(viewer.lang) {
        Err(line) => Err(FormErrors::from(std::collections::BTreeMap::from([(
            "fields".to_owned(),
            line,
        )]))),
        Ok(draft) => match publishing::validate(&draft) {
            Err(f) => Err(f.into()),
            Ok(input) => {
                let (reason, now) = (form.reason.clone(), state.clock.now());
                state
                    .db(
                        move |c| match publishing::create(c, &p, &input, &reason, now) {
                            Ok(d) => Ok(Ok(d)),
                            Err(PublishError::Invalid(f) | PublishError::Conflict(f)) => {
                                Ok(Err(f.into()))
                            }
                            Err(e) => Err(e.into()),
                        },
                    )
                    .await?
            }
        },
    };
    match result {
        Ok(d) => {
            set_flash(
                &session,
                &viewer.lang.t_args(
                    "console-created",
                    &[
                        ("title", d.title.clone().into()),
                        ("code", d.code.to_string().into()),
                    ],
                ),
            );
            Ok(see_other(&format!("/console/datasets/{}/edit", d.slug)))
        }
        Err(errors) => {
            let page = form_page(&state, &viewer, None, None, None, form, errors).await?;
            render_with_status(StatusCode::BAD_REQUEST, &page)
        }
    }
}

pub async fn edit_form(
    state: web::Data<AppState>,
    viewer: Viewer,
    slug: web::Path<String>,
) -> Result<web::Html, AppError> {
    let p = viewer.require_publisher()?;
    let slug = slug.into_inner();
    let (d, draft, pending) = edit_state(&state, &p, &slug).await?;
    let form = DatasetForm::from_draft(&draft, viewer.lang);
    render(
        &form_page(
            &state,
            &viewer,
            Some(d.slug),
            Some(d.status),
            pending,
            form,
            FormErrors::new(),
        )
        .await?,
    )
}

pub async fn update(
    state: web::Data<AppState>,
    viewer: Viewer,
    session: Session,
    slug: web::Path<String>,
    CsrfForm(form): CsrfForm<DatasetForm>,
) -> Result<HttpResponse, AppError> {
    let p = viewer.require_publisher()?;
    let slug = slug.into_inner();
    ensure_own(&state, &p, &slug).await?;
    let result = match form.to_draft(viewer.lang) {
        Err(line) => Err(FormErrors::from(std::collections::BTreeMap::from([(
            "fields".to_owned(),
            line,
        )]))),
        Ok(draft) => match publishing::validate(&draft) {
            Err(f) => Err(f.into()),
            Ok(input) => {
                let (reason, slug, now) = (form.reason.clone(), slug.clone(), state.clock.now());
                state
                    .db(
                        move |c| match publishing::update(c, &p, &slug, &input, &reason, now) {
                            Ok(o) => Ok(Ok(o)),
                            Err(PublishError::Invalid(f) | PublishError::Conflict(f)) => {
                                Ok(Err(f.into()))
                            }
                            Err(e) => Err(e.into()),
                        },
                    )
                    .await?
            }
        },
    };
    match result {
        Ok(outcome) => {
            let lang = viewer.lang;
            let message = match (&outcome.pending, outcome.changed.is_empty()) {
                (Some(r), _) => lang.t_args(
                    "console-saved-pending",
                    &[
                        (
                            "from",
                            lang.t(&format!("class-{}", r.from_class.as_str())).into(),
                        ),
                        (
                            "to",
                            lang.t(&format!("class-{}", r.to_class.as_str())).into(),
                        ),
                    ],
                ),
                (None, true) => lang.t("console-saved-nothing"),
                (None, false) => lang.count("console-saved", outcome.changed.len() as i64),
            };
            set_flash(&session, &message);
            Ok(see_other(&format!(
                "/console/datasets/{}/edit",
                outcome.dataset.slug
            )))
        }
        Err(errors) => {
            let (d, _, pending) = edit_state(&state, &viewer.require_publisher()?, &slug).await?;
            let status = Some(d.status);
            let page =
                form_page(&state, &viewer, Some(slug), status, pending, form, errors).await?;
            render_with_status(StatusCode::BAD_REQUEST, &page)
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct StatusForm {
    pub status: String,
    /// `status_reason` is the input's name on the edit page (its error key there).
    #[serde(alias = "status_reason")]
    pub reason: String,
}

pub async fn set_status(
    state: web::Data<AppState>,
    viewer: Viewer,
    session: Session,
    slug: web::Path<String>,
    CsrfForm(form): CsrfForm<StatusForm>,
) -> Result<HttpResponse, AppError> {
    let p = viewer.require_publisher()?;
    let slug = slug.into_inner();
    ensure_own(&state, &p, &slug).await?;
    let to = match form.status.parse::<DatasetStatus>() {
        Ok(s) if s != DatasetStatus::Draft => s,
        _ => {
            return Err(AppError::BadRequest(
                viewer.lang.t("console-status-invalid"),
            ));
        }
    };
    let (target, reason, now) = (slug.clone(), form.reason.clone(), state.clock.now());
    let result = state
        .db(
            move |c| match publishing::set_status(c, &p, &target, to, &reason, now) {
                Ok(d) => Ok(Ok(d)),
                Err(PublishError::Invalid(f)) => Ok(Err((StatusCode::BAD_REQUEST, f))),
                // A public dataset already has the slug: said beside the status form.
                Err(PublishError::Conflict(f)) => Ok(Err((StatusCode::CONFLICT, f))),
                Err(e) => Err(e.into()),
            },
        )
        .await?;
    match result {
        Ok(d) => {
            set_flash(
                &session,
                &viewer.lang.t(match d.status {
                    DatasetStatus::Published => "console-published-flash",
                    _ => "console-withdrawn-flash",
                }),
            );
            Ok(see_other(&format!("/console/datasets/{slug}/edit")))
        }
        Err((status, fields)) => {
            // The reason box of the status form shows the error; the edit form is as stored.
            let mut errors = FormErrors::new();
            for (_, message) in fields {
                errors.add("status_reason", message);
            }
            let (d, draft, pending) =
                edit_state(&state, &viewer.require_publisher()?, &slug).await?;
            let mut page = form_page(
                &state,
                &viewer,
                Some(d.slug),
                Some(d.status),
                pending,
                DatasetForm::from_draft(&draft, viewer.lang),
                FormErrors::new(),
            )
            .await?;
            page.status_errors = errors;
            page.status_reason = form.reason;
            render_with_status(status, &page)
        }
    }
}

#[derive(Template)]
#[template(path = "console/history.html")]
pub struct HistoryPage {
    pub layout: Layout,
    pub title: String,
    pub slug: String,
    pub changes: Vec<DatasetChange>,
    pub pending: Option<ClassChangeRequest>,
}

pub async fn history(
    state: web::Data<AppState>,
    viewer: Viewer,
    slug: web::Path<String>,
) -> Result<web::Html, AppError> {
    let p = viewer.require_publisher()?;
    let slug = slug.into_inner();
    let h = state
        .db(move |c| Ok(publishing::history_of(c, &p, &slug)?))
        .await?;
    render(&HistoryPage {
        layout: Layout::new(
            &state,
            &viewer,
            viewer.lang.t_args(
                "console-history-title",
                &[("title", h.dataset.title.clone().into())],
            ),
            NAV_CONSOLE,
        ),
        title: h.dataset.title,
        slug: h.dataset.slug,
        changes: h.changes,
        pending: h.pending,
    })
}
