//! `/console/emergencies`: the providing departments post updates, attach files, link and
//! fast-track datasets, and close their events.

use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::load;
use crate::services::emergencies::{self, EventSummary};
use crate::web::auth::Viewer;
use crate::web::layout::Layout;
use crate::web::pages::{render, see_other};
use crate::web::{AppError, AppState};

/// The console list: the events of the publisher's department.
#[derive(Template)]
#[template(path = "console/emergencies.html")]
pub struct ConsoleList {
    pub layout: Layout,
    pub events: Vec<EventSummary>,
}

pub async fn index(state: web::Data<AppState>, viewer: Viewer) -> Result<web::Html, AppError> {
    let publisher = viewer.require_publisher()?;
    let now = state.clock.now();
    let events = state
        .db(move |c| Ok(emergencies::list(c, now)?))
        .await?
        .into_iter()
        .filter(|e| e.event.department_id == publisher.department_id)
        .collect();
    render(&ConsoleList {
        layout: Layout::new(
            &state,
            &viewer,
            viewer.lang.t("console-emergencies"),
            crate::web::layout::NAV_CONSOLE,
        ),
        events,
    })
}

/// One indicator row of the console form, as typed.
#[derive(Debug, Clone, Default)]
pub struct Row {
    pub name: String,
    pub value: String,
    pub unit: String,
    pub region: String,
}

/// How many indicator rows the console form offers.
const ROWS: usize = 6;

#[derive(Template)]
#[template(path = "console/emergency.html")]
pub struct ConsoleForm {
    pub layout: Layout,
    pub s: EventSummary,
    pub input: ConsoleInput,
    pub units: &'static [&'static str],
    pub errors: crate::web::forms::FormErrors,
    /// The department's datasets, those linked to the event first.
    pub datasets: Vec<emergencies::OwnDataset>,
    pub max_attachment: String,
}

/// What the publisher typed in the console's forms, kept when one is refused.
#[derive(Debug, Clone)]
pub struct ConsoleInput {
    pub text: String,
    pub rows: Vec<Row>,
    /// The dataset chosen to link.
    pub link: String,
    /// The dataset chosen for the fast track and its reason.
    pub dataset: String,
    pub reason: String,
}

impl Default for ConsoleInput {
    fn default() -> Self {
        Self {
            text: String::new(),
            rows: vec![Row::default(); ROWS],
            link: String::new(),
            dataset: String::new(),
            reason: String::new(),
        }
    }
}

impl ConsoleForm {
    pub fn field_id(&self, i: &usize, f: &str) -> String {
        format!("f-indicators[{i}].{f}")
    }
    pub fn error_of(&self, i: &usize, f: &str) -> Option<String> {
        self.errors.get(&format!("indicators[{i}].{f}"))
    }
    /// Linked datasets the public cannot yet download without conditions.
    pub fn fast_trackable(&self) -> Vec<&emergencies::OwnDataset> {
        self.datasets
            .iter()
            .filter(|d| d.linked && !d.is_open())
            .collect()
    }
    pub fn any_linked(&self) -> bool {
        self.datasets.iter().any(|d| d.linked)
    }
    pub fn linkable(&self) -> Vec<&emergencies::OwnDataset> {
        self.datasets.iter().filter(|d| !d.linked).collect()
    }
    /// A unit of the figures in the page's language (the value posted stays the unit).
    pub fn unit_label(&self, unit: &str) -> String {
        let id = match unit {
            "人" => "people",
            "万人" => "10k-people",
            "户" => "households",
            "个" => "items",
            "处" => "places",
            "座" => "structures",
            "间" => "rooms",
            "辆" => "vehicles",
            "艘" => "vessels",
            "次" => "times",
            "起" => "incidents",
            "所" => "institutions",
            "家" => "businesses",
            "条" => "lines",
            "公顷" => "hectares",
            "亩" => "mu",
            "万元" => "10k-yuan",
            "亿元" => "100m-yuan",
            "吨" => "tonnes",
            "万m³" => "10k-m3",
            other => return other.to_owned(),
        };
        self.layout.lang.t(&format!("console-unit-{id}"))
    }
}

/// The event, if it belongs to the publisher's department (another department's is a 403).
async fn own_event(
    state: &AppState,
    viewer: &Viewer,
    slug: String,
) -> Result<EventSummary, AppError> {
    let publisher = viewer.require_publisher()?;
    let page = load(state, slug).await?;
    if page.summary.event.department_id != publisher.department_id {
        return Err(AppError::Forbidden(viewer.lang.t_args(
            "console-em-forbidden",
            &[("department", page.summary.department.clone().into())],
        )));
    }
    Ok(page.summary)
}

/// The console page of an event, with what was typed and what was wrong.
async fn console_page(
    state: &AppState,
    viewer: &Viewer,
    s: EventSummary,
    input: ConsoleInput,
    errors: crate::web::forms::FormErrors,
) -> Result<ConsoleForm, AppError> {
    let (event_id, department_id) = (s.event.id, s.event.department_id);
    let datasets = state
        .db(move |c| Ok(emergencies::own_datasets(c, event_id, department_id)?))
        .await?;
    Ok(ConsoleForm {
        layout: Layout::new(
            state,
            viewer,
            viewer.lang.t_args(
                "console-em-post-title",
                &[("title", s.event.title.clone().into())],
            ),
            crate::web::layout::NAV_CONSOLE,
        ),
        s,
        input,
        units: crate::domain::emergency::UNITS,
        errors,
        datasets,
        max_attachment: crate::web::format::size(&(emergencies::MAX_ATTACHMENT as i64)),
    })
}

pub async fn form(
    state: web::Data<AppState>,
    viewer: Viewer,
    slug: web::Path<String>,
) -> Result<web::Html, AppError> {
    let s = own_event(&state, &viewer, slug.into_inner()).await?;
    render(
        &console_page(
            &state,
            &viewer,
            s,
            ConsoleInput::default(),
            crate::web::forms::FormErrors::new(),
        )
        .await?,
    )
}

/// The console's answer to a refused form: the page again, with the errors and the input.
async fn console_refused(
    state: &AppState,
    viewer: &Viewer,
    s: EventSummary,
    input: ConsoleInput,
    errors: crate::web::forms::FormErrors,
) -> Result<HttpResponse, AppError> {
    crate::web::pages::render_with_status(
        actix_web::http::StatusCode::BAD_REQUEST,
        &console_page(state, viewer, s, input, errors).await?,
    )
}

/// The service's field errors for the form; any other failure as the error page it means.
fn form_errors(e: emergencies::EmergencyError) -> Result<crate::web::forms::FormErrors, AppError> {
    match e {
        emergencies::EmergencyError::Invalid(fields) => {
            Ok(crate::web::forms::FormErrors::from_list(fields))
        }
        e => Err(e.into()),
    }
}

/// `POST /console/emergencies/{slug}`: an update, urlencoded or multipart with an optional
/// attachment (PDF, PNG or JPEG, told from its bytes).
pub async fn post(
    state: web::Data<AppState>,
    viewer: Viewer,
    session: actix_session::Session,
    req: HttpRequest,
    slug: web::Path<String>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    let s = own_event(&state, &viewer, slug.into_inner()).await?;
    let mut errors = crate::web::forms::FormErrors::new();
    let (pairs, file) = crate::web::pages::form_with_file(
        &state,
        &viewer,
        &req,
        payload,
        emergencies::MAX_ATTACHMENT,
        &mut errors,
    )
    .await?;
    let input = ConsoleInput {
        text: pairs.get("text"),
        rows: (0..ROWS)
            .map(|i| Row {
                name: pairs.get(&format!("name_{i}")),
                value: pairs.get(&format!("value_{i}")),
                unit: pairs.get(&format!("unit_{i}")),
                region: pairs.get(&format!("region_{i}")),
            })
            .collect(),
        ..ConsoleInput::default()
    };
    // Empty rows are not indicators; their positions stay, so errors point at the right row.
    let filled: Vec<(usize, crate::domain::emergency::ValueInput)> = input
        .rows
        .iter()
        .enumerate()
        .filter(|(_, r)| !(r.name.trim().is_empty() && r.value.trim().is_empty()))
        .map(|(i, r)| {
            (
                i,
                crate::domain::emergency::ValueInput {
                    name: r.name.clone(),
                    value: r.value.clone(),
                    unit: r.unit.clone(),
                    region: r.region.clone(),
                },
            )
        })
        .collect();
    let media_type = match &file {
        Some(f) => match crate::domain::attachment::media_type(&f.head) {
            Some(t) => Some(t),
            None => {
                errors.add("file", viewer.lang.t("console-em-bad-file"));
                None
            }
        },
        None => None,
    };
    let values: Vec<_> = filled.iter().map(|(_, v)| v.clone()).collect();
    let user = viewer.require_user()?.user.clone();
    let now = state.clock.now();
    let slug = s.event.slug.clone();
    // Everything is checked before the attachment is kept: a refused update leaves no file.
    let checked = {
        let (user, slug, text, values) = (
            user.clone(),
            slug.clone(),
            input.text.clone(),
            values.clone(),
        );
        state
            .db(move |c| {
                Ok(emergencies::check_post(c, &user, &slug, &text, &values, None, now).map(drop))
            })
            .await?
    };
    if let Err(e) = checked {
        for (field, message) in form_errors(e)?.iter() {
            // `indicators[k]` counts filled rows; the form's rows keep their own numbers.
            let field = match field
                .strip_prefix("indicators[")
                .and_then(|r| r.split_once(']'))
                .and_then(|(k, rest)| Some((k.parse::<usize>().ok()?, rest)))
            {
                Some((k, rest)) => match filled.get(k) {
                    Some((row, _)) => format!("indicators[{row}]{rest}"),
                    None => "indicators".into(),
                },
                None => field.clone(),
            };
            errors.add(&field, message.clone());
        }
    }
    if !errors.is_empty() {
        return console_refused(&state, &viewer, s, input, errors).await;
    }
    let (attachment, added) = match (file, media_type) {
        (Some(received), Some(media_type)) => {
            let added = !emergencies::already_stored(&state.store, &received.sha256);
            let (key, name, size) = crate::web::pages::keep_file(&state, received, "附件").await?;
            let file = emergencies::NewFile {
                key,
                name,
                media_type,
                size,
            };
            (Some(file), added)
        }
        _ => (None, false),
    };
    let actor = viewer.actor();
    let text = input.text.clone();
    let kept = attachment.as_ref().map(|f| f.key.clone()).filter(|_| added);
    let result = state
        .db(move |c| {
            let by_database = emergencies::announced_by_database(c);
            let posted = emergencies::Posted {
                text: &text,
                values: &values,
                reported_at: None,
                attachment: attachment.as_ref(),
            };
            Ok(
                emergencies::post_update(c, &user, &slug, posted, now, &actor)
                    .map(|(e, u)| (e, u, by_database)),
            )
        })
        .await;
    // Refused after all (the event closed meanwhile): the file this request added goes again.
    if !matches!(result, Ok(Ok(_)))
        && let Some(key) = kept
    {
        let store = state.store.clone();
        let forgotten = state
            .db(move |c| Ok(emergencies::forget_attachment(c, &store, &key)?))
            .await;
        if let Err(e) = forgotten {
            tracing::warn!(error = %e, "could not forget a refused attachment");
        }
    }
    match result? {
        Ok((event, update, by_database)) => {
            emergencies::announce(&state.live, by_database, &event, &update);
            crate::web::auth::set_flash(&session, &viewer.lang.t("console-em-posted"));
            Ok(see_other(&format!(
                "/emergencies/{}#update-{}",
                event.slug, update.id
            )))
        }
        Err(e) => console_refused(&state, &viewer, s, input, form_errors(e)?).await,
    }
}

/// `POST /console/emergencies/{slug}/datasets`: links one of the department's datasets.
pub async fn link(
    state: web::Data<AppState>,
    viewer: Viewer,
    session: actix_session::Session,
    slug: web::Path<String>,
    pairs: crate::web::auth::CsrfPairs,
) -> Result<HttpResponse, AppError> {
    let s = own_event(&state, &viewer, slug.into_inner()).await?;
    let user = viewer.require_user()?.user.clone();
    let input = ConsoleInput {
        link: pairs.get("link"),
        ..ConsoleInput::default()
    };
    let (slug, dataset, actor) = (s.event.slug.clone(), input.link.clone(), viewer.actor());
    let now = state.clock.now();
    let result = state
        .db(move |c| {
            Ok(emergencies::link_own_dataset(
                c, &user, &slug, &dataset, now, &actor,
            ))
        })
        .await?;
    match result {
        Ok(event) => {
            crate::web::auth::set_flash(&session, &viewer.lang.t("console-em-linked-flash"));
            Ok(see_other(&format!(
                "/console/emergencies/{}#datasets",
                event.slug
            )))
        }
        Err(e) => console_refused(&state, &viewer, s, input, form_errors(e)?).await,
    }
}

/// `POST /console/emergencies/{slug}/fast-track`: a linked dataset opened unconditionally at
/// once, flagged for an administrator's review.
pub async fn fast_track(
    state: web::Data<AppState>,
    viewer: Viewer,
    session: actix_session::Session,
    slug: web::Path<String>,
    pairs: crate::web::auth::CsrfPairs,
) -> Result<HttpResponse, AppError> {
    let s = own_event(&state, &viewer, slug.into_inner()).await?;
    let publisher = viewer.require_publisher()?;
    let user = viewer.require_user()?.user.clone();
    let input = ConsoleInput {
        dataset: pairs.get("dataset"),
        reason: pairs.get("reason"),
        ..ConsoleInput::default()
    };
    let (slug, dataset, reason, now) = (
        s.event.slug.clone(),
        input.dataset.clone(),
        input.reason.clone(),
        state.clock.now(),
    );
    let result = state
        .db(move |c| {
            Ok(emergencies::fast_track(
                c, &user, &publisher, &slug, &dataset, &reason, now,
            ))
        })
        .await?;
    match result {
        Ok((event, d)) => {
            crate::web::auth::set_flash(
                &session,
                &viewer.lang.t_args(
                    "console-em-fast-flash",
                    &[("title", d.title.clone().into())],
                ),
            );
            Ok(see_other(&format!("/emergencies/{}#datasets", event.slug)))
        }
        Err(e) => console_refused(&state, &viewer, s, input, form_errors(e)?).await,
    }
}

/// `POST /console/emergencies/{slug}/close`: the event moves to the archive.
pub async fn close(
    state: web::Data<AppState>,
    viewer: Viewer,
    session: actix_session::Session,
    slug: web::Path<String>,
    _csrf: crate::web::auth::CsrfPairs,
) -> Result<HttpResponse, AppError> {
    let s = own_event(&state, &viewer, slug.into_inner()).await?;
    let actor = viewer.actor();
    let now = state.clock.now();
    let slug = s.event.slug.clone();
    state
        .db(move |c| Ok(emergencies::close_event(c, &slug, now, &actor)?))
        .await?;
    state.active_emergencies.fetch_sub(
        i64::from(s.is_active()),
        std::sync::atomic::Ordering::Relaxed,
    );
    crate::web::auth::set_flash(&session, &viewer.lang.t("console-em-closed-flash"));
    Ok(see_other(&format!("/emergencies/{}", s.event.slug)))
}
