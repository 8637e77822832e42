//! Departments: the tree, create and edit.

use super::*;

/// A department with its depth in the tree, for an indented list.
pub struct TreeRow {
    pub department: Department,
    pub depth: usize,
}

#[derive(Template)]
#[template(path = "admin/departments.html")]
pub struct DepartmentsPage {
    pub layout: Layout,
    pub rows: Vec<TreeRow>,
}

fn tree(all: Vec<Department>) -> Vec<TreeRow> {
    fn walk(all: &[Department], parent: Option<i32>, depth: usize, out: &mut Vec<TreeRow>) {
        for d in all.iter().filter(|d| d.parent_id == parent) {
            out.push(TreeRow {
                department: d.clone(),
                depth,
            });
            walk(all, Some(d.id), depth + 1, out);
        }
    }
    let mut out = Vec::with_capacity(all.len());
    walk(&all, None, 0, &mut out);
    out
}

pub async fn index(state: web::Data<AppState>, viewer: Viewer) -> Result<web::Html, AppError> {
    viewer.require_admin()?;
    let all = state.db(|c| Ok(admin::departments(c)?)).await?;
    render(&DepartmentsPage {
        layout: Layout::new(
            &state,
            &viewer,
            viewer.lang.t("admin-departments-title"),
            NAV_ADMIN,
        ),
        rows: tree(all),
    })
}

#[derive(Template)]
#[template(path = "admin/department_form.html")]
pub struct DepartmentForm {
    pub layout: Layout,
    pub editing: Option<String>,
    pub form: DepartmentDraft,
    pub errors: FormErrors,
    pub parents: Vec<Department>,
}

impl DepartmentForm {
    /// "New department", or what precedes the department's name when it is edited.
    pub fn heading_prefix(&self) -> String {
        let id = match self.editing {
            Some(_) => "admin-dept-edit-lead",
            None => "admin-dept-new",
        };
        self.layout.lang.t(id)
    }
}

async fn department_form(
    state: &AppState,
    viewer: &Viewer,
    editing: Option<String>,
    form: DepartmentDraft,
    errors: FormErrors,
) -> Result<DepartmentForm, AppError> {
    let parents = state.db(|c| Ok(admin::departments(c)?)).await?;
    let title = match &editing {
        Some(_) => format!("{}{}", viewer.lang.t("admin-dept-edit-lead"), form.name),
        None => viewer.lang.t("admin-dept-new"),
    };
    Ok(DepartmentForm {
        layout: Layout::new(state, viewer, title, NAV_ADMIN),
        editing,
        form,
        errors,
        parents,
    })
}

pub async fn new_form(state: web::Data<AppState>, viewer: Viewer) -> Result<web::Html, AppError> {
    viewer.require_admin()?;
    render(
        &department_form(
            &state,
            &viewer,
            None,
            DepartmentDraft::default(),
            FormErrors::new(),
        )
        .await?,
    )
}

pub async fn edit_form(
    state: web::Data<AppState>,
    viewer: Viewer,
    slug: web::Path<String>,
) -> Result<web::Html, AppError> {
    viewer.require_admin()?;
    let slug = slug.into_inner();
    let d = state
        .db(move |c| admin::department_draft(c, &slug)?.ok_or(AppError::NotFound))
        .await?;
    render(&department_form(&state, &viewer, Some(d.slug.clone()), d, FormErrors::new()).await?)
}

async fn save_department(
    state: web::Data<AppState>,
    viewer: Viewer,
    session: Session,
    editing: Option<String>,
    form: DepartmentDraft,
) -> Result<HttpResponse, AppError> {
    viewer.require_admin()?;
    let (actor, draft, existing) = (viewer.actor(), form.clone(), editing.clone());
    let now = state.clock.now();
    let result = state
        .db(
            move |c| match admin::save_department(c, existing.as_deref(), &draft, now, &actor) {
                Ok(d) => Ok(Ok(d)),
                Err(AdminError::Invalid(f)) => Ok(Err(f.into())),
                Err(e) => Err(e.into()),
            },
        )
        .await?;
    match result {
        Ok(d) => {
            let saved = viewer
                .lang
                .t_args("admin-dept-saved", &[("name", d.name.clone().into())]);
            set_flash(&session, &saved);
            Ok(see_other("/admin/departments"))
        }
        Err(errors) => {
            let page = department_form(&state, &viewer, editing, form, errors).await?;
            render_with_status(StatusCode::BAD_REQUEST, &page)
        }
    }
}

pub async fn create(
    state: web::Data<AppState>,
    viewer: Viewer,
    session: Session,
    CsrfForm(form): CsrfForm<DepartmentDraft>,
) -> Result<HttpResponse, AppError> {
    save_department(state, viewer, session, None, form).await
}

pub async fn update(
    state: web::Data<AppState>,
    viewer: Viewer,
    session: Session,
    slug: web::Path<String>,
    CsrfForm(form): CsrfForm<DepartmentDraft>,
) -> Result<HttpResponse, AppError> {
    save_department(state, viewer, session, Some(slug.into_inner()), form).await
}
