//! Decisions on restrictions of the open class.

use super::*;

#[derive(Template)]
#[template(path = "admin/class_changes.html")]
pub struct ClassChangesPage {
    pub layout: Layout,
    pub requests: Vec<(ClassChangeRequest, Dataset)>,
    /// Keyed `note-{request id}`.
    pub errors: FormErrors,
}

impl ClassChangesPage {
    pub fn note_error(&self, id: &i32) -> Option<String> {
        self.errors.get(&format!("note-{id}"))
    }
}

async fn class_changes_page(
    state: &AppState,
    viewer: &Viewer,
    errors: FormErrors,
) -> Result<ClassChangesPage, AppError> {
    let requests = state.db(|c| Ok(admin::class_changes(c)?)).await?;
    Ok(ClassChangesPage {
        layout: Layout::new(state, viewer, viewer.lang.t("admin-cc-title"), NAV_ADMIN),
        requests,
        errors,
    })
}

pub async fn index(state: web::Data<AppState>, viewer: Viewer) -> Result<web::Html, AppError> {
    viewer.require_admin()?;
    render(&class_changes_page(&state, &viewer, FormErrors::new()).await?)
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    pub decision: String,
    pub note: String,
}

pub async fn decide(
    state: web::Data<AppState>,
    viewer: Viewer,
    session: Session,
    id: web::Path<String>,
    CsrfForm(form): CsrfForm<DecisionForm>,
) -> Result<HttpResponse, AppError> {
    let admin_id = viewer.require_admin()?.user.id;
    let id = path_id(&id)?;
    let approve = match form.decision.as_str() {
        "approve" => true,
        "reject" => false,
        _ => return Err(AppError::BadRequest(viewer.lang.t("admin-cc-choose"))),
    };
    let (actor, now) = (viewer.actor(), state.clock.now());
    let result = state
        .db(move |c| {
            match admin::decide_class_change(c, admin_id, id, approve, &form.note, now, &actor) {
                Ok(()) => Ok(Ok(())),
                Err(AdminError::Invalid(f)) => Ok(Err(f)),
                Err(e) => Err(e.into()),
            }
        })
        .await?;
    match result {
        Ok(()) => {
            set_flash(
                &session,
                &viewer.lang.t(if approve {
                    "admin-cc-approved"
                } else {
                    "admin-cc-rejected"
                }),
            );
            Ok(see_other("/admin/class-changes"))
        }
        Err(fields) => {
            let mut errors = FormErrors::new();
            for (_, message) in fields {
                errors.add(&format!("note-{id}"), message);
            }
            let page = class_changes_page(&state, &viewer, errors).await?;
            render_with_status(StatusCode::BAD_REQUEST, &page)
        }
    }
}
