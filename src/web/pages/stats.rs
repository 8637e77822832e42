//! Public statistics: `/stats/applications`, how each department answers applications for
//! conditionally open data (counts and working days only; no applicant is named).

use actix_web::web;
use askama::Template;

use super::render;
use crate::i18n::Lang;
use crate::services::applications::{self, Timeliness};
use crate::web::auth::Viewer;
use crate::web::layout::{Layout, NAV_NONE};
use crate::web::{AppError, AppState};

#[derive(Template)]
#[template(path = "stats/applications.html")]
pub struct ApplicationsPage {
    pub layout: Layout,
    pub lines: Vec<Timeliness>,
}

/// `GET /stats/applications`
pub async fn applications(
    state: web::Data<AppState>,
    viewer: Viewer,
) -> Result<web::Html, AppError> {
    let today = state.clock.today();
    let lines = state
        .db(move |c| Ok(applications::timeliness(c, today)?))
        .await?;
    render(&ApplicationsPage {
        layout: Layout::new(
            &state,
            &viewer,
            viewer.lang.t("public-stats-applications"),
            NAV_NONE,
        ),
        lines,
    })
}

use crate::services::preview::{Chart, layout_chart};
use crate::services::stats::{self as stats_service, DepartmentLine, Period, Stats};

/// Stores the API calls counted in memory, so that the figures shown include them.
async fn store_api_calls(state: &AppState) -> Result<(), AppError> {
    let n = state.metrics.take_api_calls();
    let now = state.clock.now();
    let metrics = state.metrics.clone();
    state
        .db(move |c| {
            stats_service::store_api_calls(c, n, now)
                .inspect_err(|_| metrics.return_api_calls(n))?;
            Ok(())
        })
        .await
}

async fn compute(state: &AppState, period: Option<Period>) -> Result<Stats, AppError> {
    store_api_calls(state).await?;
    let now = state.clock.now();
    state
        .db(move |c| Ok(stats_service::compute(c, now, period)?))
        .await
}

fn percent(v: Option<f64>) -> String {
    v.map(|p| format!("{p:.0}%")).unwrap_or_else(|| "—".into())
}

fn days(v: Option<f64>) -> String {
    v.map(crate::services::preview::format_number)
        .unwrap_or_else(|| "—".into())
}

/// The cells of a department line, in the order of [`DEPARTMENT_COLUMNS`] (page and CSV).
pub fn department_cells(l: &DepartmentLine) -> Vec<String> {
    let mut out = vec![
        l.name.clone(),
        l.published.to_string(),
        l.with_cycle.to_string(),
        l.on_time.to_string(),
        l.late_updates().to_string(),
        percent(l.update_rate()),
    ];
    for r in [&l.reviews, &l.requests, &l.applications] {
        out.push(r.received.to_string());
        out.push(r.answered.to_string());
        out.push(days(r.median_days));
        out.push(
            r.worst_days
                .map(|d| d.to_string())
                .unwrap_or_else(|| "—".into()),
        );
        out.push(r.late.to_string());
    }
    out.push(percent(l.score()));
    out
}

// i18n-off: the Chinese statistics CSV's headers (a Chinese document)
pub const DEPARTMENT_COLUMNS: &[&str] = &[
    "部门",
    "公开数据集",
    "有更新周期的",
    "按时更新",
    "更新逾期",
    "按时更新率",
    "纠错：收到",
    "纠错：已答复",
    "纠错：用时中位数（工作日）",
    "纠错：最长用时（工作日）",
    "纠错：逾期",
    "开放需求：分派",
    "开放需求：已答复",
    "开放需求：用时中位数（工作日）",
    "开放需求：最长用时（工作日）",
    "开放需求：逾期",
    "开放申请：收到",
    "开放申请：已答复",
    "开放申请：用时中位数（工作日）",
    "开放申请：最长用时（工作日）",
    "开放申请：逾期",
    "综合得分",
];
// i18n-on

/// [`DEPARTMENT_COLUMNS`] in a page's language (the CSV files keep the Chinese headers).
pub fn department_columns(lang: Lang) -> Vec<String> {
    (0..DEPARTMENT_COLUMNS.len())
        .map(|i| lang.t(&format!("public-stats-col-{i}")))
        .collect()
}

/// The labels of [`total_rows`], in order, as message ids.
const TOTAL_IDS: &[&str] = &[
    "public-stats-total-datasets",
    "public-stats-total-unconditional",
    "public-stats-total-conditional",
    "public-stats-total-departments",
    "public-stats-total-records",
    "public-stats-total-capacity",
    "public-stats-total-downloads",
    "public-stats-total-api-calls",
];

pub fn total_rows(s: &Stats) -> Vec<(&'static str, String)> {
    let t = &s.totals;
    // i18n-off: the Chinese labels (the CSV's); pages show TOTAL_LABELS' messages
    vec![
        ("公开数据集", t.datasets().to_string()),
        ("无条件开放", t.unconditional.to_string()),
        ("有条件开放", t.conditional.to_string()),
        ("提供数据的部门", t.departments.to_string()),
        ("数据量（条）", t.records.to_string()),
        ("数据容量（字段数×条数）", t.capacity.to_string()),
        ("下载次数", t.downloads.to_string()),
        ("接口调用次数", t.api_calls.to_string()),
    ]
    // i18n-on
}

#[derive(Template)]
#[template(path = "stats/index.html")]
pub struct StatsPage {
    pub layout: Layout,
    pub totals: Vec<(String, String)>,
    pub columns: Vec<String>,
    pub lines: Vec<Vec<String>>,
    pub charts: Vec<Chart>,
}

fn charts(lang: Lang, s: &Stats) -> Vec<Chart> {
    let with_data: Vec<&DepartmentLine> =
        s.departments.iter().filter(|l| l.published > 0).collect();
    let mut published: Vec<(String, f64)> = with_data
        .iter()
        .map(|l| (l.name.clone(), f64::from(l.published)))
        .collect();
    published.sort_by(|a, b| b.1.total_cmp(&a.1));
    let mut on_time: Vec<(String, f64)> = with_data
        .iter()
        .filter_map(|l| Some((l.name.clone(), l.update_rate()?)))
        .collect();
    on_time.sort_by(|a, b| b.1.total_cmp(&a.1));
    let mut out = Vec::new();
    if !published.is_empty() {
        out.push(layout_chart(
            lang.t("public-stats-chart-published"),
            lang.t("public-stats-col-1"),
            lang.t("public-stats-col-0"),
            published,
        ));
    }
    if !on_time.is_empty() {
        out.push(layout_chart(
            lang.t("public-stats-chart-on-time"),
            lang.t("public-stats-chart-on-time-value"),
            lang.t("public-stats-col-0"),
            on_time,
        ));
    }
    out
}

/// `GET /stats`
pub async fn index(state: web::Data<AppState>, viewer: Viewer) -> Result<web::Html, AppError> {
    let s = compute(&state, None).await?;
    let lang = viewer.lang;
    render(&StatsPage {
        layout: Layout::new(&state, &viewer, lang.t("footer-stats"), NAV_NONE),
        totals: total_rows(&s)
            .into_iter()
            .zip(TOTAL_IDS)
            .map(|((_, value), id)| (lang.t(id), value))
            .collect(),
        columns: department_columns(lang),
        lines: s.departments.iter().map(department_cells).collect(),
        charts: charts(lang, &s),
    })
}

/// A CSV answer: UTF-8 with a byte-order mark (so that Excel reads the Chinese), a Chinese
/// file name, formula-like cells neutralised.
fn csv_response(
    name: &str,
    header: &[&str],
    rows: Vec<Vec<String>>,
) -> Result<actix_web::HttpResponse, AppError> {
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    w.write_record(header).map_err(AppError::internal)?;
    for r in rows {
        // Titles and names are typed by people: none may run as a formula in Excel.
        w.write_record(
            r.iter()
                .map(|c| crate::domain::formula::neutralised(c).into_owned()),
        )
        .map_err(AppError::internal)?;
    }
    let body = w.into_inner().map_err(AppError::internal)?;
    let disposition = crate::web::downloads::disposition(name, "stats.csv".into());
    Ok(actix_web::HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((actix_web::http::header::CONTENT_DISPOSITION, disposition))
        .body(body))
}

/// `GET /stats/{table}.csv`: `departments`, `totals` or `applications`.
pub async fn csv(
    state: web::Data<AppState>,
    table: web::Path<String>,
) -> Result<actix_web::HttpResponse, AppError> {
    let table = table.into_inner();
    if table == "applications" {
        let today = state.clock.today();
        let lines = state
            .db(move |c| Ok(applications::timeliness(c, today)?))
            .await?;
        let rows = lines
            .iter()
            .map(|l| {
                vec![
                    l.department.clone(),
                    l.dataset_title.clone(),
                    l.applications.to_string(),
                    l.decided.to_string(),
                    percent(l.approval_rate()),
                    days(l.median_days),
                    l.longest_days
                        .map(|d| d.to_string())
                        .unwrap_or_else(|| "—".into()),
                    l.overdue.to_string(),
                ]
            })
            .collect();
        // i18n-off: the Chinese statistics CSV's name and headers (a Chinese document)
        return csv_response(
            "统计-开放申请答复.csv",
            &[
                "部门",
                "数据集（空为部门合计）",
                "申请数",
                "已答复",
                "批准率",
                "答复用时中位数（工作日）",
                "最长用时（工作日）",
                "逾期",
            ],
            rows,
        );
        // i18n-on
    }
    if !matches!(table.as_str(), "departments" | "totals") {
        return Err(AppError::NotFound);
    }
    let s = compute(&state, None).await?;
    if table == "totals" {
        let rows = total_rows(&s)
            .into_iter()
            .map(|(k, v)| vec![k.to_owned(), v])
            .collect();
        // i18n: the Chinese statistics CSV's headers (a Chinese document)
        csv_response("统计-总量.csv", &["指标", "数值"], rows)
    } else {
        let rows = s.departments.iter().map(department_cells).collect();
        // i18n: the Chinese statistics CSV's headers (a Chinese document)
        csv_response("统计-各部门.csv", DEPARTMENT_COLUMNS, rows)
    }
}

/// The assessment period as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct PeriodQuery {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
}

impl PeriodQuery {
    /// The period, or what is wrong with it (the default: this year so far).
    fn parse(
        &self,
        today: chrono::NaiveDate,
        lang: crate::i18n::Lang,
    ) -> Result<Period, Vec<(String, String)>> {
        use chrono::Datelike;
        let mut errors = Vec::new();
        let mut date = |field: &str, raw: &str, default: chrono::NaiveDate| {
            let raw = raw.trim();
            if raw.is_empty() {
                return Some(default);
            }
            match chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
                Ok(d) => Some(d),
                Err(_) => {
                    errors.push((
                        field.to_owned(),
                        lang.t_args("admin-as-not-a-date", &[("raw", raw.to_owned().into())]),
                    ));
                    None
                }
            }
        };
        let start_of_year = chrono::NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
        let from = date("from", &self.from, start_of_year);
        let to = date("to", &self.to, today);
        if let (Some(f), Some(t)) = (from, to) {
            if f > t {
                errors.push(("to".into(), lang.t("admin-as-end-before-start")));
            } else if (t - f).num_days() > 3 * 366 {
                errors.push(("to".into(), lang.t("admin-as-too-long")));
            }
        }
        match (from, to) {
            (Some(from), Some(to)) if errors.is_empty() => Ok(Period { from, to }),
            _ => Err(errors),
        }
    }
}

/// The messages naming the assessment's columns, in the order of [`DEPARTMENT_COLUMNS`].
const ASSESSMENT_COLUMNS: [&str; 22] = [
    "admin-as-col-department",
    "admin-as-col-published",
    "admin-as-col-with-cycle",
    "admin-as-col-on-time",
    "admin-as-col-late-updates",
    "admin-as-col-update-rate",
    "admin-as-col-reviews-received",
    "admin-as-col-reviews-answered",
    "admin-as-col-reviews-median",
    "admin-as-col-reviews-worst",
    "admin-as-col-reviews-late",
    "admin-as-col-requests-routed",
    "admin-as-col-requests-answered",
    "admin-as-col-requests-median",
    "admin-as-col-requests-worst",
    "admin-as-col-requests-late",
    "admin-as-col-applications-received",
    "admin-as-col-applications-answered",
    "admin-as-col-applications-median",
    "admin-as-col-applications-worst",
    "admin-as-col-applications-late",
    "admin-as-col-score",
];

#[derive(Template)]
#[template(path = "admin/assessment.html")]
pub struct AssessmentPage {
    pub layout: Layout,
    pub query: PeriodQuery,
    pub period: Option<Period>,
    pub errors: crate::web::forms::FormErrors,
    pub columns: Vec<String>,
    pub lines: Vec<Vec<String>>,
    pub chart: Option<Chart>,
    pub api_calls: i64,
}

impl AssessmentPage {
    pub fn csv_link(&self) -> String {
        match self.period {
            Some(p) => format!("/admin/assessment.csv?from={}&to={}", p.from, p.to),
            None => String::new(),
        }
    }
}

/// `GET /admin/assessment?from=&to=`: each department over a chosen period (考核评估).
pub async fn assessment(
    state: web::Data<AppState>,
    viewer: Viewer,
    query: web::Query<PeriodQuery>,
) -> Result<actix_web::HttpResponse, AppError> {
    viewer.require_admin()?;
    let query = query.into_inner();
    let lang = viewer.lang;
    let mut page = AssessmentPage {
        layout: Layout::new(
            &state,
            &viewer,
            lang.t("admin-nav-assessment"),
            crate::web::layout::NAV_ADMIN,
        ),
        query: query.clone(),
        period: None,
        errors: crate::web::forms::FormErrors::new(),
        columns: ASSESSMENT_COLUMNS.iter().map(|id| lang.t(id)).collect(),
        lines: Vec::new(),
        chart: None,
        api_calls: 0,
    };
    match query.parse(state.clock.today(), lang) {
        Err(list) => {
            page.errors.extend(list);
            super::render_with_status(actix_web::http::StatusCode::BAD_REQUEST, &page)
        }
        Ok(period) => {
            let s = compute(&state, Some(period)).await?;
            let mut scores: Vec<(String, f64)> = s
                .departments
                .iter()
                .filter_map(|l| Some((l.name.clone(), l.score()?)))
                .collect();
            scores.sort_by(|a, b| b.1.total_cmp(&a.1));
            page.chart = (!scores.is_empty()).then(|| {
                layout_chart(
                    lang.t("admin-as-chart-title"),
                    lang.t("admin-as-chart-value"),
                    lang.t("admin-as-col-department"),
                    scores,
                )
            });
            page.lines = s.departments.iter().map(department_cells).collect();
            page.api_calls = s.totals.api_calls;
            page.period = Some(period);
            Ok(actix_web::HttpResponse::Ok()
                .content_type("text/html; charset=utf-8")
                .body(page.render().map_err(AppError::internal)?))
        }
    }
}

/// `GET /admin/assessment.csv?from=&to=`
pub async fn assessment_csv(
    state: web::Data<AppState>,
    viewer: Viewer,
    query: web::Query<PeriodQuery>,
) -> Result<actix_web::HttpResponse, AppError> {
    viewer.require_admin()?;
    let period = query.parse(state.clock.today(), viewer.lang).map_err(|e| {
        AppError::BadRequest(e.into_iter().map(|(_, m)| m).collect::<Vec<_>>().join("；")) // i18n: a separator inside a value
    })?;
    let s = compute(&state, Some(period)).await?;
    csv_response(
        // i18n: the Chinese statistics CSV's headers (a Chinese document)
        &format!("考核评估-{}-{}.csv", period.from, period.to),
        DEPARTMENT_COLUMNS,
        s.departments.iter().map(department_cells).collect(),
    )
}
