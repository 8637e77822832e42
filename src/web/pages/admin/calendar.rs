//! The holiday calendar: public holidays and make-up workdays.

use super::*;

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

impl CalendarPage {
    /// A year as a link names it ("2026 年", "2026").
    pub fn year_name(&self, year: i32) -> String {
        self.layout
            .lang
            .t_args("admin-cal-year", &[("year", year.to_string().into())])
    }
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
    let today = state.clock.today();
    let (days, ten_days) = state
        .db(move |c| Ok(admin::calendar_between(c, from, to, today)?))
        .await?;
    Ok(CalendarPage {
        layout: Layout::new(
            state,
            viewer,
            viewer
                .lang
                .t_args("admin-cal-title", &[("year", year.to_string().into())]),
            NAV_ADMIN,
        ),
        year,
        days,
        form,
        errors,
        today,
        ten_days,
    })
}

pub async fn index(
    state: web::Data<AppState>,
    viewer: Viewer,
    q: web::Query<YearQuery>,
) -> Result<web::Html, AppError> {
    viewer.require_admin()?;
    let this_year = state.clock.today().year();
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
    let (actor, f, now) = (viewer.actor(), form.clone(), state.clock.now());
    let result = state
        .db(
            move |c| match admin::add_day(c, &f.day, &f.kind, &f.name, now, &actor) {
                Ok(d) => Ok(Ok(d)),
                Err(AdminError::Invalid(f)) => Ok(Err(f.into())),
                Err(e) => Err(e.into()),
            },
        )
        .await?;
    match result {
        Ok(day) => {
            let added = viewer
                .lang
                .t_args("admin-cal-added", &[("day", day.to_string().into())]);
            set_flash(&session, &added);
            Ok(see_other(&format!("/admin/calendar?year={}", day.year())))
        }
        Err(errors) => {
            let year = NaiveDate::parse_from_str(form.day.trim(), "%Y-%m-%d")
                .map(|d| d.year())
                .unwrap_or_else(|_| state.clock.today().year());
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
    let (actor, now) = (viewer.actor(), state.clock.now());
    state
        .db(move |c| admin::remove_day(c, day, now, &actor).map_err(AppError::from))
        .await?;
    let removed = viewer
        .lang
        .t_args("admin-cal-removed", &[("day", day.to_string().into())]);
    set_flash(&session, &removed);
    Ok(see_other(&format!("/admin/calendar?year={}", day.year())))
}
