//! `/admin`: the data authority's tools. Every page requires the admin role.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{Datelike, NaiveDate, NaiveDateTime};
use serde::Deserialize;

use super::{render, render_with_status, see_other};
use crate::db::audit::{AuditEvent, AuditFilter};
use crate::db::calendar::CalendarDay;
use crate::db::datasets::Dataset;
use crate::db::departments::Department;
use crate::db::history::ClassChangeRequest;
use crate::db::users::User;
use crate::domain::{AccountStatus, DecisionStatus, Role};
use crate::services::admin::{self, AdminError, DepartmentDraft};
use crate::web::auth::{CsrfForm, Viewer, set_flash};
use crate::web::forms::{EmptyForm, FormErrors, path_id};
use crate::web::layout::{Layout, NAV_ADMIN};
use crate::web::{AppError, AppState};

/// An admin error where no form is re-rendered: field errors become a 400 with their text.
fn admin_failure(e: AdminError) -> AppError {
    match e {
        AdminError::Invalid(f) => {
            AppError::BadRequest(f.into_values().collect::<Vec<_>>().join("；"))
        }
        other => admin_error(other).err().unwrap_or(AppError::NotFound),
    }
}

fn admin_error(e: AdminError) -> Result<FormErrors, AppError> {
    match e {
        AdminError::Invalid(f) => Ok(f.into()),
        AdminError::NotFound => Err(AppError::NotFound),
        AdminError::Conflict(m) => Err(AppError::Conflict(m)),
        AdminError::Database(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "admin/index.html")]
pub struct Dashboard {
    pub layout: Layout,
    pub unverified: i64,
    pub pending: usize,
    pub departments: i64,
}

pub async fn index(state: web::Data<AppState>, viewer: Viewer) -> Result<web::Html, AppError> {
    viewer.require_admin()?;
    let (unverified, pending, departments) = state
        .db(|c| {
            let unverified = crate::db::users::count_with_status(c, AccountStatus::Unverified)?;
            let pending = crate::db::history::list(c, Some(DecisionStatus::Pending))?.len();
            Ok((unverified, pending, crate::db::departments::count(c)?))
        })
        .await?;
    render(&Dashboard {
        layout: Layout::new(&state, &viewer, "平台管理", NAV_ADMIN),
        unverified,
        pending,
        departments,
    })
}

// ---------------------------------------------------------------- departments

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

pub async fn departments(
    state: web::Data<AppState>,
    viewer: Viewer,
) -> Result<web::Html, AppError> {
    viewer.require_admin()?;
    let all = state.db(|c| Ok(crate::db::departments::all(c)?)).await?;
    render(&DepartmentsPage {
        layout: Layout::new(&state, &viewer, "部门管理", NAV_ADMIN),
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

async fn department_form(
    state: &AppState,
    viewer: &Viewer,
    editing: Option<String>,
    form: DepartmentDraft,
    errors: FormErrors,
) -> Result<DepartmentForm, AppError> {
    let parents = state.db(|c| Ok(crate::db::departments::all(c)?)).await?;
    let title = match &editing {
        Some(_) => format!("编辑部门：{}", form.name),
        None => "新建部门".to_owned(),
    };
    Ok(DepartmentForm {
        layout: Layout::new(state, viewer, title, NAV_ADMIN),
        editing,
        form,
        errors,
        parents,
    })
}

pub async fn new_department(
    state: web::Data<AppState>,
    viewer: Viewer,
) -> Result<web::Html, AppError> {
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

pub async fn edit_department(
    state: web::Data<AppState>,
    viewer: Viewer,
    slug: web::Path<String>,
) -> Result<web::Html, AppError> {
    viewer.require_admin()?;
    let slug = slug.into_inner();
    let d = state
        .db(move |c| {
            let d = crate::db::departments::by_slug(c, &slug)?.ok_or(AppError::NotFound)?;
            let parent = match d.parent_id {
                Some(id) => crate::db::departments::by_id(c, id)?.slug,
                None => String::new(),
            };
            Ok(DepartmentDraft {
                slug: d.slug,
                name: d.name,
                region_code: d.region_code.to_string(),
                parent,
                description: d.description,
            })
        })
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
    let result = state
        .db(
            move |c| match admin::save_department(c, existing.as_deref(), &draft, &actor) {
                Ok(d) => Ok(Ok(d)),
                Err(e) => admin_error(e).map(Err),
            },
        )
        .await?;
    match result {
        Ok(d) => {
            set_flash(&session, &format!("已保存部门“{}”。", d.name));
            Ok(see_other("/admin/departments"))
        }
        Err(errors) => {
            let page = department_form(&state, &viewer, editing, form, errors).await?;
            render_with_status(StatusCode::BAD_REQUEST, &page)
        }
    }
}

pub async fn create_department(
    state: web::Data<AppState>,
    viewer: Viewer,
    session: Session,
    CsrfForm(form): CsrfForm<DepartmentDraft>,
) -> Result<HttpResponse, AppError> {
    save_department(state, viewer, session, None, form).await
}

pub async fn update_department(
    state: web::Data<AppState>,
    viewer: Viewer,
    session: Session,
    slug: web::Path<String>,
    CsrfForm(form): CsrfForm<DepartmentDraft>,
) -> Result<HttpResponse, AppError> {
    save_department(state, viewer, session, Some(slug.into_inner()), form).await
}

// ---------------------------------------------------------------- users

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct UserQuery {
    pub q: String,
    pub role: String,
    pub page: String,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
pub struct UsersPage {
    pub layout: Layout,
    pub q: String,
    pub role: String,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    pub users: Vec<User>,
    pub roles: &'static [Role],
}

const USERS_PER_PAGE: i64 = 50;

pub async fn users(
    state: web::Data<AppState>,
    viewer: Viewer,
    query: web::Query<UserQuery>,
) -> Result<web::Html, AppError> {
    viewer.require_admin()?;
    let q = query.into_inner();
    let role = q.role.parse::<Role>().ok();
    let page = q
        .page
        .parse::<i64>()
        .ok()
        .filter(|p| (1..=100_000).contains(p))
        .unwrap_or(1);
    let text = Some(q.q.trim().to_owned()).filter(|t| !t.is_empty() && t.chars().count() <= 100);
    let (total, users) = state
        .db(move |c| {
            Ok(crate::db::users::search(
                c,
                text.as_deref(),
                role,
                USERS_PER_PAGE,
                (page - 1) * USERS_PER_PAGE,
            )?)
        })
        .await?;
    render(&UsersPage {
        layout: Layout::new(&state, &viewer, "用户管理", NAV_ADMIN),
        q: q.q,
        role: role.map(|r| r.as_str().to_owned()).unwrap_or_default(),
        pages: (total + USERS_PER_PAGE - 1) / USERS_PER_PAGE,
        total,
        page,
        users,
        roles: Role::ALL,
    })
}

#[derive(Template)]
#[template(path = "admin/user.html")]
pub struct UserPage {
    pub layout: Layout,
    pub user: User,
    pub department: String,
    pub departments: Vec<Department>,
    pub roles: &'static [Role],
    pub statuses: &'static [AccountStatus],
    pub errors: FormErrors,
}

async fn user_page(
    state: &AppState,
    viewer: &Viewer,
    id: i32,
    errors: FormErrors,
) -> Result<UserPage, AppError> {
    let (user, departments) = state
        .db(move |c| {
            let user = crate::db::users::by_id(c, id)?.ok_or(AppError::NotFound)?;
            Ok((user, crate::db::departments::all(c)?))
        })
        .await?;
    let department = departments
        .iter()
        .find(|d| Some(d.id) == user.department_id)
        .map(|d| d.slug.clone())
        .unwrap_or_default();
    Ok(UserPage {
        layout: Layout::new(state, viewer, format!("用户 #{}", user.id), NAV_ADMIN),
        user,
        department,
        departments,
        roles: Role::ALL,
        statuses: AccountStatus::ALL,
        errors,
    })
}

pub async fn user(
    state: web::Data<AppState>,
    viewer: Viewer,
    id: web::Path<String>,
) -> Result<web::Html, AppError> {
    viewer.require_admin()?;
    let id = path_id(&id)?;
    render(&user_page(&state, &viewer, id, FormErrors::new()).await?)
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct UserForm {
    pub role: String,
    pub department: String,
    pub status: String,
}

pub async fn update_user(
    state: web::Data<AppState>,
    viewer: Viewer,
    session: Session,
    id: web::Path<String>,
    CsrfForm(form): CsrfForm<UserForm>,
) -> Result<HttpResponse, AppError> {
    let admin_id = viewer.require_admin()?.user.id;
    let id = path_id(&id)?;
    let mut errors = FormErrors::new();
    let role = form
        .role
        .parse::<Role>()
        .map_err(|e| errors.add("role", e))
        .ok();
    let status = form
        .status
        .parse::<AccountStatus>()
        .map_err(|e| errors.add("status", e))
        .ok();
    let (Some(role), Some(status)) = (role, status) else {
        let page = user_page(&state, &viewer, id, errors).await?;
        return render_with_status(StatusCode::BAD_REQUEST, &page);
    };
    let actor = viewer.actor();
    let result = state
        .db(move |c| {
            let dept = Some(form.department.as_str()).filter(|d| !d.is_empty());
            match admin::update_user(c, admin_id, id, role, dept, status, &actor) {
                Ok(u) => Ok(Ok(u)),
                Err(e) => admin_error(e).map(Err),
            }
        })
        .await?;
    match result {
        Ok(_) => {
            set_flash(&session, "已保存账号设置。");
            Ok(see_other(&format!("/admin/users/{id}")))
        }
        Err(errors) => {
            let page = user_page(&state, &viewer, id, errors).await?;
            render_with_status(StatusCode::BAD_REQUEST, &page)
        }
    }
}

// ---------------------------------------------------------------- calendar

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct YearQuery {
    pub year: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DayForm {
    pub day: String,
    pub kind: String,
    pub name: String,
}

#[derive(Template)]
#[template(path = "admin/calendar.html")]
pub struct CalendarPage {
    pub layout: Layout,
    pub year: i32,
    pub days: Vec<CalendarDay>,
    pub form: DayForm,
    pub errors: FormErrors,
    /// "10 working days from today end on …", to check the calendar at a glance.
    pub today: NaiveDate,
    pub ten_days: NaiveDate,
}

async fn calendar_page(
    state: &AppState,
    viewer: &Viewer,
    year: i32,
    form: DayForm,
    errors: FormErrors,
) -> Result<CalendarPage, AppError> {
    let from = NaiveDate::from_ymd_opt(year, 1, 1).ok_or(AppError::NotFound)?;
    let to = NaiveDate::from_ymd_opt(year, 12, 31).ok_or(AppError::NotFound)?;
    let today = (crate::services::now() + chrono::Duration::hours(8)).date();
    let (days, ten_days) = state
        .db(move |c| {
            let days = crate::db::calendar::between(c, from, to)?;
            let cal = crate::db::calendar::work_calendar(c)?;
            Ok((days, cal.add_working_days(today, 10)))
        })
        .await?;
    Ok(CalendarPage {
        layout: Layout::new(state, viewer, format!("{year} 年节假日与调休"), NAV_ADMIN),
        year,
        days,
        form,
        errors,
        today,
        ten_days,
    })
}

pub async fn calendar(
    state: web::Data<AppState>,
    viewer: Viewer,
    q: web::Query<YearQuery>,
) -> Result<web::Html, AppError> {
    viewer.require_admin()?;
    let this_year = crate::services::now().year();
    let year = match q.year.as_str() {
        "" => this_year,
        y => y
            .parse::<i32>()
            .ok()
            .filter(|y| (2000..=2100).contains(y))
            .ok_or(AppError::NotFound)?,
    };
    render(&calendar_page(&state, &viewer, year, DayForm::default(), FormErrors::new()).await?)
}

pub async fn add_day(
    state: web::Data<AppState>,
    viewer: Viewer,
    session: Session,
    CsrfForm(form): CsrfForm<DayForm>,
) -> Result<HttpResponse, AppError> {
    viewer.require_admin()?;
    let (actor, f) = (viewer.actor(), form.clone());
    let result = state
        .db(
            move |c| match admin::add_day(c, &f.day, &f.kind, &f.name, &actor) {
                Ok(d) => Ok(Ok(d)),
                Err(e) => admin_error(e).map(Err),
            },
        )
        .await?;
    match result {
        Ok(day) => {
            set_flash(&session, &format!("已添加 {day}。"));
            Ok(see_other(&format!("/admin/calendar?year={}", day.year())))
        }
        Err(errors) => {
            let year = NaiveDate::parse_from_str(form.day.trim(), "%Y-%m-%d")
                .map(|d| d.year())
                .unwrap_or_else(|_| crate::services::now().year());
            let page = calendar_page(&state, &viewer, year, form, errors).await?;
            render_with_status(StatusCode::BAD_REQUEST, &page)
        }
    }
}

pub async fn remove_day(
    state: web::Data<AppState>,
    viewer: Viewer,
    session: Session,
    day: web::Path<String>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> Result<HttpResponse, AppError> {
    viewer.require_admin()?;
    let day = NaiveDate::parse_from_str(&day, "%Y-%m-%d").map_err(|_| AppError::NotFound)?;
    let actor = viewer.actor();
    state
        .db(move |c| admin::remove_day(c, day, &actor).map_err(admin_failure))
        .await?;
    set_flash(&session, &format!("已删除 {day}。"));
    Ok(see_other(&format!("/admin/calendar?year={}", day.year())))
}

// ---------------------------------------------------------------- class changes

#[derive(Template)]
#[template(path = "admin/class_changes.html")]
pub struct ClassChangesPage {
    pub layout: Layout,
    pub requests: Vec<(ClassChangeRequest, Dataset)>,
    /// Keyed `note-{request id}`.
    pub errors: FormErrors,
}

impl ClassChangesPage {
    pub fn note_error(&self, id: &i32) -> Option<&String> {
        self.errors.get(&format!("note-{id}"))
    }
}

async fn class_changes_page(
    state: &AppState,
    viewer: &Viewer,
    errors: FormErrors,
) -> Result<ClassChangesPage, AppError> {
    let requests = state.db(|c| Ok(crate::db::history::list(c, None)?)).await?;
    Ok(ClassChangesPage {
        layout: Layout::new(state, viewer, "开放类型变更审批", NAV_ADMIN),
        requests,
        errors,
    })
}

pub async fn class_changes(
    state: web::Data<AppState>,
    viewer: Viewer,
) -> Result<web::Html, AppError> {
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
        _ => return Err(AppError::BadRequest("请选择批准或驳回".into())),
    };
    let actor = viewer.actor();
    let result = state
        .db(move |c| {
            match admin::decide_class_change(c, admin_id, id, approve, &form.note, &actor) {
                Ok(()) => Ok(Ok(())),
                Err(AdminError::Invalid(f)) => Ok(Err(f)),
                Err(e) => Err(admin_failure(e)),
            }
        })
        .await?;
    match result {
        Ok(()) => {
            set_flash(
                &session,
                if approve {
                    "已批准，开放类型已变更。"
                } else {
                    "已驳回。"
                },
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

// ---------------------------------------------------------------- audit log

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AuditQuery {
    pub actor: String,
    pub action: String,
    pub target: String,
    pub from: String,
    pub until: String,
    pub page: String,
    pub verify: String,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
pub struct AuditPage {
    pub layout: Layout,
    pub q: AuditQuery,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    pub events: Vec<AuditEvent>,
    pub problems: Vec<String>,
    /// Result of checking the whole chain, when asked for.
    pub chain: Option<Result<usize, i32>>,
    pub next_href: Option<String>,
    pub prev_href: Option<String>,
}

const EVENTS_PER_PAGE: i64 = 50;

fn day_start(s: &str, field: &str, problems: &mut Vec<String>) -> Option<NaiveDateTime> {
    match s.trim() {
        "" => None,
        v => match NaiveDate::parse_from_str(v, "%Y-%m-%d") {
            // Days are Beijing days; stored times are UTC.
            Ok(d) if (1900..=2100).contains(&d.year()) => d
                .and_hms_opt(0, 0, 0)
                .map(|t| t - chrono::Duration::hours(8)),
            _ => {
                problems.push(format!(
                    "{field}应为 1900 至 2100 年间的日期，格式 YYYY-MM-DD"
                ));
                None
            }
        },
    }
}

pub async fn audit(
    state: web::Data<AppState>,
    viewer: Viewer,
    q: web::Query<AuditQuery>,
) -> Result<HttpResponse, AppError> {
    viewer.require_admin()?;
    let q = q.into_inner();
    let mut problems = Vec::new();
    let opt =
        |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty() && s.chars().count() <= 200);
    let filter = AuditFilter {
        actor: opt(&q.actor),
        action: opt(&q.action),
        target: opt(&q.target),
        from: day_start(&q.from, "开始日期", &mut problems),
        until: day_start(&q.until, "结束日期", &mut problems)
            .map(|t| t + chrono::Duration::days(1)),
    };
    let page = q
        .page
        .parse::<i64>()
        .ok()
        .filter(|p| (1..=100_000).contains(p))
        .unwrap_or(1);
    let verify = q.verify == "1";
    let (total, events, chain) = state
        .db(move |c| {
            let (total, events) = crate::db::audit::search(
                c,
                &filter,
                EVENTS_PER_PAGE,
                (page - 1) * EVENTS_PER_PAGE,
            )?;
            let chain = if verify {
                Some(crate::services::audit::verify(c)?.map_err(|b| b.event_id))
            } else {
                None
            };
            Ok((total, events, chain))
        })
        .await?;
    let pages = (total + EVENTS_PER_PAGE - 1) / EVENTS_PER_PAGE;
    let href = |p: i64| {
        let pairs = [
            ("actor", q.actor.as_str()),
            ("action", q.action.as_str()),
            ("target", q.target.as_str()),
            ("from", q.from.as_str()),
            ("until", q.until.as_str()),
        ];
        let mut kept: Vec<(&str, String)> = pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (*k, v.to_string()))
            .collect();
        kept.push(("page", p.to_string()));
        format!(
            "/admin/audit?{}",
            serde_urlencoded::to_string(&kept).unwrap_or_default()
        )
    };
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let page_view = AuditPage {
        layout: Layout::new(&state, &viewer, "审计日志", NAV_ADMIN),
        next_href: (page < pages).then(|| href(page + 1)),
        prev_href: (page > 1).then(|| href(page - 1)),
        q,
        total,
        page,
        pages,
        events,
        problems,
        chain,
    };
    render_with_status(status, &page_view)
}
