//! Registration, login and logout, and the account pages: profile, password, sessions, keys.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

// `/account/sessions` and `/account/keys`.
pub mod keys;
pub mod sessions;

use super::{render, render_with_status, see_other};
use crate::domain::{CreditCode, Email, Mobile, ResidentId};
use crate::i18n::Lang;
use crate::services::accounts::User;
use crate::services::accounts::{
    self, ChangePasswordError, LoginOutcome, RegisterError, Registered, Registration,
};
use crate::web::auth::{
    CSRF_TOKEN, CsrfForm, DeviceCookies, SESSION_TOKEN, Viewer, csrf_token, set_flash,
};
use crate::web::forms::{EmptyForm, FormErrors, safe_next};
use crate::web::layout::{Layout, NAV_ACCOUNT};
use crate::web::{AppError, AppState};

/// Starts a logged-in session in the cookie: a fresh cookie and fresh CSRF token.
async fn log_in(
    state: &AppState,
    session: &Session,
    req: &HttpRequest,
    viewer: &Viewer,
    user: User,
) -> Result<(), AppError> {
    let agent = req
        .headers()
        .get(actix_web::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let actor = crate::services::Actor::user(user.id, viewer.ip.clone());
    let replaces = viewer.user.as_ref().map(|u| u.session_id);
    let (idle, now) = (state.settings.auth.session_idle_days, state.clock.now());
    let token = state
        .db(move |c| {
            Ok(accounts::start_session(
                c, &user, &agent, replaces, idle, now, &actor,
            )?)
        })
        .await?;
    session.renew();
    session.remove(CSRF_TOKEN);
    session
        .insert(SESSION_TOKEN, token)
        .map_err(AppError::internal)?;
    csrf_token(session);
    Ok(())
}

// ---------------------------------------------------------------- registration

/// No `Debug`: it holds an ID number and a password.
#[derive(Clone, Default, Deserialize)]
#[serde(default)]
pub struct RegisterForm {
    pub org_name: String,
    pub credit_code: String,
    pub real_name: String,
    pub id_number: String,
    pub mobile: String,
    pub email: String,
    pub password: String,
    pub password_confirm: String,
    pub agree: String,
}

#[derive(Template)]
#[template(path = "account/register.html")]
pub struct RegisterPage {
    pub layout: Layout,
    pub organisation: bool,
    pub form: RegisterForm,
    pub errors: FormErrors,
}

#[derive(Template)]
#[template(path = "account/register_choice.html")]
pub struct RegisterChoice {
    pub layout: Layout,
}

pub async fn register_choice(
    state: web::Data<AppState>,
    viewer: Viewer,
) -> Result<web::Html, AppError> {
    render(&RegisterChoice {
        layout: Layout::new(&state, &viewer, viewer.lang.t("nav-register"), NAV_ACCOUNT),
    })
}

fn register_kind(kind: &str) -> Result<bool, AppError> {
    match kind {
        "individual" => Ok(false),
        "organisation" => Ok(true),
        _ => Err(AppError::NotFound),
    }
}

fn register_page(
    state: &AppState,
    viewer: &Viewer,
    session: &Session,
    organisation: bool,
    mut form: RegisterForm,
    errors: FormErrors,
) -> RegisterPage {
    form.password.clear();
    form.password_confirm.clear();
    let mut layout = Layout::new(
        state,
        viewer,
        viewer.lang.t(if organisation {
            "account-register-organisation-title"
        } else {
            "account-register-individual-title"
        }),
        NAV_ACCOUNT,
    );
    layout.csrf = csrf_token(session);
    RegisterPage {
        layout,
        organisation,
        form,
        errors,
    }
}

pub async fn register_form(
    state: web::Data<AppState>,
    viewer: Viewer,
    session: Session,
    kind: web::Path<String>,
) -> Result<web::Html, AppError> {
    let organisation = register_kind(&kind)?;
    render(&register_page(
        &state,
        &viewer,
        &session,
        organisation,
        RegisterForm::default(),
        FormErrors::new(),
    ))
}

/// Parses the form into a registration, or says what is wrong with each field.
fn parse_registration(
    f: &RegisterForm,
    organisation: bool,
    lang: Lang,
) -> Result<Registration, FormErrors> {
    let mut e = FormErrors::new();
    let name_len = f.real_name.trim().chars().count();
    if !(2..=50).contains(&name_len) {
        e.add(
            "real_name",
            lang.t(if organisation {
                "account-error-contact-name"
            } else {
                "account-error-name"
            }),
        );
    }
    let id_number = ResidentId::parse(&f.id_number)
        .map_err(|err| e.add("id_number", err.to_string()))
        .ok();
    let mobile = Mobile::parse(&f.mobile)
        .map_err(|err| e.add("mobile", err.to_string()))
        .ok();
    let email = Email::parse(&f.email)
        .map_err(|err| e.add("email", err.to_string()))
        .ok();
    let org = if organisation {
        let n = f.org_name.trim().chars().count();
        if !(2..=100).contains(&n) {
            e.add("org_name", lang.t("account-error-org-name"));
        }
        CreditCode::parse(&f.credit_code)
            .map_err(|err| e.add("credit_code", err.to_string()))
            .ok()
            .map(|c| (f.org_name.trim().to_owned(), c))
    } else {
        None
    };
    if f.password != f.password_confirm {
        e.add("password_confirm", lang.t("account-error-password-confirm"));
    }
    if f.agree != "yes" {
        e.add("agree", lang.t("account-error-agree"));
    }
    match (id_number, mobile, email, e.is_empty()) {
        (Some(id_number), Some(mobile), Some(email), true) => {
            if let Err(err) =
                crate::domain::password::check(&f.password, &[id_number.expose(), mobile.as_str()])
            {
                e.add("password", err.to_string());
                return Err(e);
            }
            Ok(Registration {
                email,
                password: f.password.clone(),
                real_name: f.real_name.trim().to_owned(),
                id_number,
                mobile,
                organisation: org,
            })
        }
        _ => {
            if let Err(err) =
                crate::domain::password::check(&f.password, &[f.id_number.trim(), f.mobile.trim()])
            {
                e.add("password", err.to_string());
            }
            Err(e)
        }
    }
}

pub async fn register_submit(
    state: web::Data<AppState>,
    viewer: Viewer,
    session: Session,
    kind: web::Path<String>,
    CsrfForm(form): CsrfForm<RegisterForm>,
) -> Result<HttpResponse, AppError> {
    let organisation = register_kind(&kind)?;
    state.limiters.register(viewer.ip.as_deref())?;
    let reg = match parse_registration(&form, organisation, viewer.lang) {
        Ok(r) => r,
        Err(errors) => {
            let page = register_page(&state, &viewer, &session, organisation, form, errors);
            return render_with_status(StatusCode::BAD_REQUEST, &page);
        }
    };
    let (st, actor, now) = (state.clone(), viewer.actor(), state.clock.now());
    // A new account and a refused one (its e-mail address, ID number or credit code belongs
    // to an existing account, whose owner is told by mail) are answered alike: the same
    // redirect, the same message, no login. Telling them apart here would tell anyone who
    // holds an account.
    let result = state
        .db(
            move |c| match accounts::register(c, &reg, &st.hasher, &st.secrets, now, &actor) {
                Ok(Registered::Created(_) | Registered::Refused) => Ok(Ok(())),
                // Checked with the form already; says nothing about other accounts.
                Err(RegisterError::Password(e)) => Ok(Err(e)),
                Err(e) => Err(e.into()),
            },
        )
        .await?;
    if let Err(e) = result {
        let mut errors = FormErrors::new();
        errors.add("password", e.to_string());
        let page = register_page(&state, &viewer, &session, organisation, form, errors);
        return render_with_status(StatusCode::BAD_REQUEST, &page);
    }
    // What the person registering reads, whatever became of the registration.
    set_flash(&session, &viewer.lang.t("account-registration-received"));
    Ok(see_other("/login"))
}

// ---------------------------------------------------------------- login / logout

/// No `Debug`: it holds a password.
#[derive(Clone, Default, Deserialize)]
#[serde(default)]
pub struct LoginForm {
    pub email: String,
    pub password: String,
    pub next: String,
}

#[derive(Template)]
#[template(path = "account/login.html")]
pub struct LoginPage {
    pub layout: Layout,
    pub email: String,
    pub next: String,
    pub message: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
}

fn login_page(
    state: &AppState,
    viewer: &Viewer,
    session: &Session,
    email: String,
    next: String,
    message: Option<String>,
) -> LoginPage {
    let mut layout = Layout::new(state, viewer, viewer.lang.t("nav-login"), NAV_ACCOUNT);
    layout.csrf = csrf_token(session);
    LoginPage {
        layout,
        email,
        next,
        message,
    }
}

pub async fn login_form(
    state: web::Data<AppState>,
    viewer: Viewer,
    session: Session,
    query: web::Query<NextQuery>,
) -> Result<HttpResponse, AppError> {
    if viewer.user.is_some() {
        return Ok(see_other(&safe_next(&query.next)));
    }
    let page = login_page(
        &state,
        &viewer,
        &session,
        String::new(),
        query.next.clone(),
        None,
    );
    render_with_status(StatusCode::OK, &page)
}

pub async fn login_submit(
    state: web::Data<AppState>,
    viewer: Viewer,
    session: Session,
    req: HttpRequest,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> Result<HttpResponse, AppError> {
    // A browser that has logged in to this account before is throttled on its own, not by
    // failures from elsewhere.
    let devices = DeviceCookies::new(&state.secrets, &state.settings.auth, state.clock.clone());
    let device = devices.recognise(&req, &form.email);
    state
        .limiters
        .login(&form.email, viewer.ip.as_deref(), device.as_deref())?;
    let (st, actor, email, password) = (
        state.clone(),
        viewer.actor(),
        form.email.clone(),
        form.password.clone(),
    );
    let now = state.clock.now();
    let outcome = state
        .db(move |c| {
            Ok(accounts::authenticate(
                c, &email, &password, &st.hasher, now, &actor,
            )?)
        })
        .await?;
    let (status, message) = match outcome {
        LoginOutcome::Success(user) => {
            let cookie = devices.issue(&req, &user.email);
            log_in(&state, &session, &req, &viewer, *user).await?;
            let mut res = see_other(&safe_next(&form.next));
            res.add_cookie(&cookie).map_err(AppError::internal)?;
            return Ok(res);
        }
        // The same words for an unknown address and a wrong password.
        LoginOutcome::Invalid => (StatusCode::UNAUTHORIZED, "login-invalid"),
        LoginOutcome::Disabled => (StatusCode::FORBIDDEN, "login-disabled"),
    };
    let page = login_page(
        &state,
        &viewer,
        &session,
        form.email,
        form.next,
        Some(viewer.lang.t(message)),
    );
    render_with_status(status, &page)
}

pub async fn logout(
    state: web::Data<AppState>,
    viewer: Viewer,
    session: Session,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> Result<HttpResponse, AppError> {
    if let Some(u) = &viewer.user {
        let (user_id, session_id, actor) = (u.user.id, u.session_id, viewer.actor());
        let now = state.clock.now();
        state
            .db(move |c| Ok(accounts::logout(c, user_id, session_id, now, &actor)?))
            .await?;
    }
    session.purge();
    Ok(see_other("/"))
}

// ---------------------------------------------------------------- account pages

#[derive(Template)]
#[template(path = "account/show.html")]
pub struct AccountPage {
    pub layout: Layout,
    pub user: User,
    pub department: Option<String>,
}

pub async fn show(state: web::Data<AppState>, viewer: Viewer) -> Result<web::Html, AppError> {
    let u = viewer.require_user()?.user.clone();
    let dept_id = u.department_id;
    let department = match dept_id {
        Some(id) => Some(
            state
                .db(move |c| Ok(accounts::department_name(c, id)?))
                .await?,
        ),
        None => None,
    };
    render(&AccountPage {
        layout: Layout::new(&state, &viewer, viewer.lang.t("nav-account"), NAV_ACCOUNT),
        user: u,
        department,
    })
}

/// No `Debug`: it holds passwords.
#[derive(Clone, Default, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    pub current: String,
    pub new_password: String,
    pub new_password_confirm: String,
}

#[derive(Template)]
#[template(path = "account/password.html")]
pub struct PasswordPage {
    pub layout: Layout,
    pub errors: FormErrors,
}

pub async fn password_form(
    state: web::Data<AppState>,
    viewer: Viewer,
) -> Result<web::Html, AppError> {
    viewer.require_user()?;
    render(&PasswordPage {
        layout: Layout::new(
            &state,
            &viewer,
            viewer.lang.t("account-password"),
            NAV_ACCOUNT,
        ),
        errors: FormErrors::new(),
    })
}

pub async fn password_submit(
    state: web::Data<AppState>,
    viewer: Viewer,
    session: Session,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> Result<HttpResponse, AppError> {
    let u = viewer.require_user()?.clone();
    // Checking the current password is a login attempt in disguise: the same limits apply.
    state
        .limiters
        .password_check(&u.user.email, viewer.ip.as_deref())?;
    let mut errors = FormErrors::new();
    if form.new_password != form.new_password_confirm {
        errors.add(
            "new_password_confirm",
            viewer.lang.t("account-error-new-password-confirm"),
        );
    } else {
        let (st, actor, now) = (state.clone(), viewer.actor(), state.clock.now());
        let result = state
            .db(move |c| {
                let change = accounts::PasswordChange {
                    current: &form.current,
                    new: &form.new_password,
                    keep_session: u.session_id,
                };
                match accounts::change_password(
                    c,
                    &u.user,
                    &change,
                    &st.hasher,
                    &st.secrets,
                    now,
                    &actor,
                ) {
                    Ok(()) => Ok(Ok(())),
                    // Shown beside the form (a failed hash too, as "无法计算密码哈希").
                    Err(
                        e @ (ChangePasswordError::WrongCurrent
                        | ChangePasswordError::Policy(_)
                        | ChangePasswordError::Same
                        | ChangePasswordError::Hash),
                    ) => Ok(Err(e)),
                    Err(e) => Err(e.into()),
                }
            })
            .await?;
        match result {
            Ok(()) => {
                set_flash(&session, &viewer.lang.t("account-password-changed"));
                return Ok(see_other("/account"));
            }
            Err(e @ ChangePasswordError::WrongCurrent) => errors.add("current", e.to_string()),
            Err(e) => errors.add("new_password", e.to_string()),
        }
    }
    render_with_status(
        StatusCode::BAD_REQUEST,
        &PasswordPage {
            layout: Layout::new(
                &state,
                &viewer,
                viewer.lang.t("account-password"),
                NAV_ACCOUNT,
            ),
            errors,
        },
    )
}
