//! Uploads held back because they contain personal data: an administrator may allow one to be
//! published as it is, with a reason that goes into the audit log.

use super::*;
use crate::services::resources::{self, BlockedVersion, OverrideError};

#[derive(Template)]
#[template(path = "admin/uploads.html")]
pub struct UploadsPage {
    pub layout: Layout,
    pub blocked: Vec<BlockedVersion>,
    /// Keyed `reason-{version id}`.
    pub errors: FormErrors,
    pub reasons: std::collections::HashMap<i32, String>,
}

impl UploadsPage {
    pub fn reason_error(&self, id: &i32) -> Option<String> {
        self.errors.get(&format!("reason-{id}"))
    }

    pub fn reason_of(&self, id: &i32) -> &str {
        self.reasons.get(id).map(String::as_str).unwrap_or("")
    }

    /// What kind of personal data was found, in words.
    pub fn kind_label(&self, kind: &crate::domain::pii::PiiKind) -> String {
        use crate::domain::pii::PiiKind;
        self.layout.lang.t(match kind {
            PiiKind::ResidentId => "admin-pii-resident-id",
            PiiKind::Mobile => "admin-pii-mobile",
            PiiKind::BankCard => "admin-pii-bank-card",
            PiiKind::Email => "admin-pii-email",
        })
    }
}

async fn uploads_page(
    state: &AppState,
    viewer: &Viewer,
    errors: FormErrors,
    reasons: std::collections::HashMap<i32, String>,
) -> Result<UploadsPage, AppError> {
    let blocked = state.db(|c| Ok(resources::blocked(c)?)).await?;
    Ok(UploadsPage {
        layout: Layout::new(state, viewer, viewer.lang.t("admin-up-title"), NAV_ADMIN),
        blocked,
        errors,
        reasons,
    })
}

pub async fn index(state: web::Data<AppState>, viewer: Viewer) -> Result<web::Html, AppError> {
    viewer.require_admin()?;
    render(&uploads_page(&state, &viewer, FormErrors::new(), Default::default()).await?)
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct OverrideForm {
    pub reason: String,
}

pub async fn override_upload(
    state: web::Data<AppState>,
    viewer: Viewer,
    session: Session,
    id: web::Path<String>,
    CsrfForm(form): CsrfForm<OverrideForm>,
) -> Result<HttpResponse, AppError> {
    viewer.require_admin()?;
    let id = path_id(&id)?;
    let (actor, now) = (viewer.actor(), state.clock.now());
    let reason = form.reason.clone();
    let result = state
        .db(
            move |c| match resources::override_block(c, &actor, id, &reason, now) {
                Ok(v) => Ok(Ok(v)),
                Err(OverrideError::Invalid(m)) => Ok(Err(m)),
                Err(e) => Err(e.into()),
            },
        )
        .await?;
    match result {
        Ok(v) => {
            state.ingest.submit(v.id);
            set_flash(&session, &viewer.lang.t("admin-up-overridden"));
            Ok(see_other("/admin/uploads"))
        }
        Err(message) => {
            let mut errors = FormErrors::new();
            errors.add(&format!("reason-{id}"), message);
            let reasons = std::collections::HashMap::from([(id, form.reason)]);
            let page = uploads_page(&state, &viewer, errors, reasons).await?;
            render_with_status(StatusCode::BAD_REQUEST, &page)
        }
    }
}
