//! The audit-log viewer: filters, paging, chain verification.

use super::*;

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

fn day_start(
    s: &str,
    field: &str,
    lang: crate::i18n::Lang,
    problems: &mut Vec<String>,
) -> Option<NaiveDateTime> {
    match s.trim() {
        "" => None,
        v => match NaiveDate::parse_from_str(v, "%Y-%m-%d") {
            // Days are Beijing days; stored times are UTC.
            Ok(d) if (1900..=2100).contains(&d.year()) => d
                .and_hms_opt(0, 0, 0)
                .map(|t| t - chrono::Duration::hours(8)),
            _ => {
                problems
                    .push(lang.t_args("admin-audit-bad-date", &[("field", lang.t(field).into())]));
                None
            }
        },
    }
}

pub async fn index(
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
        from: day_start(&q.from, "admin-from", viewer.lang, &mut problems),
        until: day_start(&q.until, "admin-to", viewer.lang, &mut problems)
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
            let (total, events) = crate::services::audit::search(
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
        layout: Layout::new(&state, &viewer, viewer.lang.t("admin-nav-audit"), NAV_ADMIN),
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
