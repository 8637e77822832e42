//! Accounts: search, verify, role, department, disable.

use super::*;

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

pub async fn index(
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
            Ok(admin::search_users(
                c,
                text.as_deref(),
                role,
                USERS_PER_PAGE,
                (page - 1) * USERS_PER_PAGE,
            )?)
        })
        .await?;
    render(&UsersPage {
        layout: Layout::new(
            &state,
            &viewer,
            viewer.lang.t("admin-users-title"),
            NAV_ADMIN,
        ),
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
    /// The user's API keys, live and revoked, with their rate-limit tiers.
    pub keys: Vec<crate::services::api_keys::ApiKey>,
}

async fn user_page(
    state: &AppState,
    viewer: &Viewer,
    id: i32,
    errors: FormErrors,
) -> Result<UserPage, AppError> {
    let admin::UserDetail {
        user,
        departments,
        keys,
    } = state
        .db(move |c| admin::user_detail(c, id)?.ok_or(AppError::NotFound))
        .await?;
    let department = departments
        .iter()
        .find(|d| Some(d.id) == user.department_id)
        .map(|d| d.slug.clone())
        .unwrap_or_default();
    Ok(UserPage {
        layout: Layout::new(
            state,
            viewer,
            viewer
                .lang
                .t_args("admin-user-title", &[("id", user.id.to_string().into())]),
            NAV_ADMIN,
        ),
        user,
        department,
        departments,
        roles: Role::ALL,
        statuses: AccountStatus::ALL,
        errors,
        keys,
    })
}

pub async fn show(
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

pub async fn update(
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
    let (actor, now) = (viewer.actor(), state.clock.now());
    let result = state
        .db(move |c| {
            let set = admin::UserSettings {
                role,
                department: Some(form.department.as_str()).filter(|d| !d.is_empty()),
                status,
            };
            match admin::update_user(c, admin_id, id, set, now, &actor) {
                Ok(u) => Ok(Ok(u)),
                Err(AdminError::Invalid(f)) => Ok(Err(f.into())),
                Err(e) => Err(e.into()),
            }
        })
        .await?;
    match result {
        Ok(_) => {
            set_flash(&session, &viewer.lang.t("admin-user-saved"));
            Ok(see_other(&format!("/admin/users/{id}")))
        }
        Err(errors) => {
            let page = user_page(&state, &viewer, id, errors).await?;
            render_with_status(StatusCode::BAD_REQUEST, &page)
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct TierForm {
    pub tier: String,
}

/// `POST /admin/keys/{id}/tier`: makes a key a partner key (a larger quota), or back.
pub async fn set_key_tier(
    state: web::Data<AppState>,
    viewer: Viewer,
    session: Session,
    id: web::Path<String>,
    CsrfForm(form): CsrfForm<TierForm>,
) -> Result<HttpResponse, AppError> {
    viewer.require_admin()?;
    let id = path_id(&id)?;
    if !crate::services::api_keys::TIERS.contains(&form.tier.as_str()) {
        return Err(AppError::BadRequest(viewer.lang.t_args(
            "admin-tier-unknown",
            &[("tier", form.tier.clone().into())],
        )));
    }
    let (actor, now) = (viewer.actor(), state.clock.now());
    let tier = form.tier.clone();
    let owner = state
        .db(move |c| {
            crate::services::api_keys::set_tier(c, id, &tier, now, &actor)?
                .ok_or(AppError::NotFound)
        })
        .await?;
    set_flash(
        &session,
        &viewer.lang.t(if form.tier == "partner" {
            "admin-tier-set-partner"
        } else {
            "admin-tier-set-registered"
        }),
    );
    Ok(see_other(&format!("/admin/users/{owner}")))
}
