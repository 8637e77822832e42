//! Conditional access (有条件开放): applications, their review on a working-day clock, and the
//! grants that let an applicant obtain exactly the approved fields, within the approved period
//! and quota. Every decision and every use of a grant is in the audit log.

use chrono::{Duration, NaiveDateTime};
use diesel::result::Error as DbError;
use serde_json::json;

use super::Actor;
use super::audit;
use crate::db::applications::{self as rows, NewApplication, NewGrant};
pub use crate::db::applications::{Application, Comment, Grant, Notification};
use crate::db::datasets::{self as dataset_rows, Dataset};
use crate::db::users::User;
use crate::db::{DbConnection, calendar, write_transaction};
use crate::domain::{AccountStatus, ApplicationStatus, OpenClass, Role};

/// Working days a department has to answer (DESIGN.md §2).
pub const ANSWER_WITHIN: u32 = 10;
/// The longest period an application may ask for, in days.
pub const MAX_PERIOD_DAYS: i32 = 365;
/// Longest free-text answer.
const MAX_TEXT: usize = 2_000;

/// What an applicant typed (kept as typed, to show it again with the errors).
#[derive(Debug, Clone, Default)]
pub struct ApplicationForm {
    pub purpose: String,
    pub scenario: String,
    pub fields: Vec<String>,
    pub access_mode: String,
    pub period_days: String,
    pub security_measures: String,
    pub undertaking: bool,
}

/// A reviewer's approval: a subset of the requested fields, a period no longer than asked, an
/// optional quota of downloads or API calls.
#[derive(Debug, Clone, Default)]
pub struct Approval {
    pub fields: Vec<String>,
    pub period_days: String,
    pub quota: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ApplicationError {
    #[error("未找到该数据集或申请")]
    NotFound,
    #[error("该数据集不是有条件开放数据，无需申请")]
    NotConditional,
    #[error("请先完成实名核验后再申请有条件开放数据")]
    NotVerified,
    #[error("无权处理该申请")]
    Forbidden,
    #[error("该申请已处理，不能再次操作")]
    NotPending,
    /// Field → message, in form order.
    #[error("提交的内容有误")]
    Invalid(Vec<(&'static str, String)>),
    #[error(transparent)]
    Database(#[from] DbError),
}

/// Who reviews: a publisher of the dataset's department, or an administrator.
pub fn may_review(user: &User, dataset: &Dataset) -> bool {
    user.role == Role::Admin
        || (user.role == Role::Publisher && user.department_id == Some(dataset.department_id))
}

/// A published, conditionally open dataset by slug.
pub fn conditional_dataset(
    conn: &mut DbConnection,
    slug: &str,
) -> Result<Dataset, ApplicationError> {
    let d = crate::db::catalog::public_by_slug(conn, slug)?.ok_or(ApplicationError::NotFound)?;
    if d.open_class != OpenClass::Conditional {
        return Err(ApplicationError::NotConditional);
    }
    Ok(d)
}

/// The names of a dataset's fields, in order.
pub fn field_names(conn: &mut DbConnection, dataset_id: i32) -> Result<Vec<String>, DbError> {
    Ok(dataset_rows::fields_of(conn, &[dataset_id])?
        .into_iter()
        .map(|f| f.name)
        .collect())
}

fn text(
    errors: &mut Vec<(&'static str, String)>,
    key: &'static str,
    label: &str,
    value: &str,
) -> String {
    let v = value.trim();
    if v.is_empty() {
        errors.push((key, format!("请填写{label}")));
    } else if v.chars().count() > MAX_TEXT {
        errors.push((key, format!("{label}不能超过 {MAX_TEXT} 字")));
    }
    v.to_owned()
}

/// A PDF the applicant attached, already in the file store.
#[derive(Debug, Clone)]
pub struct Attachment {
    pub key: String,
    pub name: String,
    pub size: i64,
}

/// The largest attachment, in bytes.
pub const MAX_ATTACHMENT: u64 = 10 * 1024 * 1024;

/// An application that passed every check, ready to store.
struct Checked {
    dataset: Dataset,
    purpose: String,
    scenario: String,
    security: String,
    fields: Vec<String>,
    period: i32,
}

/// Checks an application without storing anything (the web layer checks before it keeps an
/// attachment, so that a refused application leaves no file behind).
pub fn check_application(
    conn: &mut DbConnection,
    user: &User,
    slug: &str,
    form: &ApplicationForm,
    allow_unverified: bool,
) -> Result<(), ApplicationError> {
    checked(conn, user, slug, form, allow_unverified).map(drop)
}

fn checked(
    conn: &mut DbConnection,
    user: &User,
    slug: &str,
    form: &ApplicationForm,
    allow_unverified: bool,
) -> Result<Checked, ApplicationError> {
    let d = conditional_dataset(conn, slug)?;
    if user.status != AccountStatus::Verified && !allow_unverified {
        return Err(ApplicationError::NotVerified);
    }
    let known = field_names(conn, d.id)?;
    let mut errors = Vec::new();
    let purpose = text(&mut errors, "purpose", "申请用途", &form.purpose);
    let scenario = text(&mut errors, "scenario", "应用场景", &form.scenario);
    let security = text(
        &mut errors,
        "security_measures",
        "安全保障措施",
        &form.security_measures,
    );
    let mut fields: Vec<String> = Vec::new();
    for f in &form.fields {
        if !known.contains(f) {
            errors.push((
                "fields",
                format!("字段“{}”不在该数据集的字段目录中", shorten(f)),
            ));
        } else if !fields.contains(f) {
            fields.push(f.clone());
        }
    }
    if form.fields.is_empty() {
        errors.push(("fields", "请至少选择一个字段".into()));
    }
    if !matches!(form.access_mode.as_str(), "download" | "api") {
        errors.push(("access_mode", "请选择获取方式：下载或接口".into()));
    }
    let period = match form.period_days.trim().parse::<i32>() {
        Ok(p) if (1..=MAX_PERIOD_DAYS).contains(&p) => p,
        _ => {
            errors.push((
                "period_days",
                format!("使用期限应为 1 至 {MAX_PERIOD_DAYS} 之间的天数"),
            ));
            0
        }
    };
    if !form.undertaking {
        errors.push((
            "undertaking",
            "请阅读并勾选承诺：仅用于申请用途，不向第三方提供".into(),
        ));
    }
    if !errors.is_empty() {
        return Err(ApplicationError::Invalid(errors));
    }
    Ok(Checked {
        dataset: d,
        purpose,
        scenario,
        security,
        fields,
        period,
    })
}

/// An application as submitted, for [`submit`].
#[derive(Clone, Copy)]
pub struct Submission<'a> {
    pub form: &'a ApplicationForm,
    /// The supporting document, already in the file store.
    pub attachment: Option<&'a Attachment>,
    /// Accounts whose real name is not yet verified may apply (a setting).
    pub allow_unverified: bool,
}

/// Submits an application; its answer is due [`ANSWER_WITHIN`] working days after `now`.
pub fn submit(
    conn: &mut DbConnection,
    user: &User,
    slug: &str,
    submission: Submission<'_>,
    now: NaiveDateTime,
    actor: &Actor,
) -> Result<Application, ApplicationError> {
    let Submission {
        form,
        attachment,
        allow_unverified,
    } = submission;
    let Checked {
        dataset: d,
        purpose,
        scenario,
        security,
        fields,
        period,
    } = checked(conn, user, slug, form, allow_unverified)?;
    let fields_json = serde_json::to_string(&fields).unwrap_or_else(|_| "[]".into());
    write_transaction(conn, |conn| {
        let today = (now + Duration::hours(8)).date();
        let due_on = calendar::work_calendar(conn)?.add_working_days(today, ANSWER_WITHIN);
        let a = rows::insert(
            conn,
            &NewApplication {
                dataset_id: d.id,
                user_id: user.id,
                purpose: &purpose,
                scenario: &scenario,
                fields: &fields_json,
                access_mode: &form.access_mode,
                period_days: period,
                security_measures: &security,
                attachment_key: attachment.map(|a| a.key.as_str()),
                attachment_name: attachment.map(|a| a.name.as_str()),
                attachment_size: attachment.map(|a| a.size),
                status: ApplicationStatus::Pending.as_str(),
                submitted_at: now,
                due_on,
            },
        )?;
        let to = rows::publishers_of(conn, d.department_id)?;
        record_and_tell(
            conn,
            actor,
            ("application.submit", format!("application:{}", a.id)),
            json!({
                "dataset": d.slug, "fields": fields.len(), "due_on": due_on.to_string(),
                "attachment": attachment.is_some(),
            }),
            Notice {
                to,
                subject: format!("新的开放申请：{}", d.title),
                body: format!("申请编号 {}，请在 {due_on} 前答复。", a.id),
                link: format!("/console/applications/{}", a.id),
            },
            now,
        )?;
        Ok(a)
    })
}

/// What the people concerned by an event read, in their inbox and the mail outbox.
struct Notice {
    to: Vec<i32>,
    subject: String,
    body: String,
    link: String,
}

/// Audits an event (`action` on `target`) and tells the people concerned, inside the caller's
/// transaction.
fn record_and_tell(
    conn: &mut DbConnection,
    actor: &Actor,
    (action, target): (&str, String),
    details: serde_json::Value,
    notice: Notice,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    audit::record(conn, actor, action, &target, details)?;
    for user in notice.to {
        rows::notify(conn, user, &notice.subject, &notice.body, &notice.link, now)?;
    }
    Ok(())
}

fn shorten(s: &str) -> String {
    let mut out: String = s.chars().take(40).collect();
    if s.chars().count() > 40 {
        out.push('…');
    }
    out
}

/// An application the reviewer may decide, with its dataset.
fn reviewable(
    conn: &mut DbConnection,
    reviewer: &User,
    id: i32,
) -> Result<(Application, Dataset), ApplicationError> {
    let a = rows::by_id(conn, id)?.ok_or(ApplicationError::NotFound)?;
    let d = dataset_rows::by_id(conn, a.dataset_id)?;
    if !may_review(reviewer, &d) {
        return Err(ApplicationError::Forbidden);
    }
    Ok((a, d))
}

/// Approves (possibly narrowing fields and period, setting a quota) and creates the grant.
pub fn approve(
    conn: &mut DbConnection,
    reviewer: &User,
    id: i32,
    approval: &Approval,
    now: NaiveDateTime,
    actor: &Actor,
) -> Result<Grant, ApplicationError> {
    let (a, d) = reviewable(conn, reviewer, id)?;
    if a.status != ApplicationStatus::Pending {
        return Err(ApplicationError::NotPending);
    }
    let requested = a.field_names();
    let mut errors = Vec::new();
    let fields: Vec<String> = requested
        .iter()
        .filter(|f| approval.fields.contains(f))
        .cloned()
        .collect();
    if approval.fields.iter().any(|f| !requested.contains(f)) {
        errors.push(("fields", "只能批准申请人申请的字段".into()));
    } else if fields.is_empty() {
        errors.push((
            "fields",
            "请至少批准一个字段；不同意请选择“不予批准”并说明理由".into(),
        ));
    }
    let period = match approval.period_days.trim().parse::<i32>() {
        Ok(p) if (1..=a.period_days).contains(&p) => p,
        _ => {
            errors.push((
                "period_days",
                format!(
                    "批准期限应为 1 至 {} 之间的天数（不超过申请的期限）",
                    a.period_days
                ),
            ));
            0
        }
    };
    let quota = match approval.quota.trim() {
        "" => None,
        q => match q.parse::<i32>() {
            Ok(n) if (1..=1_000_000).contains(&n) => Some(n),
            _ => {
                errors.push(("quota", "次数上限应为正整数，不限次数请留空".into()));
                None
            }
        },
    };
    if !errors.is_empty() {
        return Err(ApplicationError::Invalid(errors));
    }
    let fields_json = serde_json::to_string(&fields).unwrap_or_else(|_| "[]".into());
    write_transaction(conn, |conn| {
        if !rows::decide(
            conn,
            a.id,
            ApplicationStatus::Approved,
            Some(reviewer.id),
            now,
            None,
        )? {
            return Err(ApplicationError::NotPending);
        }
        let g = rows::insert_grant(
            conn,
            &NewGrant {
                application_id: a.id,
                dataset_id: d.id,
                user_id: a.user_id,
                fields: &fields_json,
                access_mode: &a.access_mode,
                valid_from: now,
                valid_until: now + Duration::days(period.into()),
                quota,
                used: 0,
            },
        )?;
        record_and_tell(
            conn,
            actor,
            ("application.approve", format!("application:{}", a.id)),
            json!({
                "dataset": d.slug, "grant": g.id, "fields": fields,
                "period_days": period, "quota": quota,
            }),
            Notice {
                to: vec![a.user_id],
                subject: format!("开放申请已批准：{}", d.title),
                body: format!(
                    "申请编号 {}：批准字段 {}，有效期 {} 天{}。",
                    a.id,
                    fields.join("、"),
                    period,
                    quota.map(|q| format!("，限 {q} 次")).unwrap_or_default()
                ),
                link: "/account/applications".into(),
            },
            now,
        )?;
        Ok(g)
    })
}

/// Rejects with a reason (mandatory: the applicant must learn why).
pub fn reject(
    conn: &mut DbConnection,
    reviewer: &User,
    id: i32,
    reason: &str,
    now: NaiveDateTime,
    actor: &Actor,
) -> Result<(), ApplicationError> {
    let (a, d) = reviewable(conn, reviewer, id)?;
    if a.status != ApplicationStatus::Pending {
        return Err(ApplicationError::NotPending);
    }
    let mut errors = Vec::new();
    let reason = text(&mut errors, "reason", "不予批准的理由", reason);
    if !errors.is_empty() {
        return Err(ApplicationError::Invalid(errors));
    }
    write_transaction(conn, |conn| {
        if !rows::decide(
            conn,
            a.id,
            ApplicationStatus::Rejected,
            Some(reviewer.id),
            now,
            Some(&reason),
        )? {
            return Err(ApplicationError::NotPending);
        }
        record_and_tell(
            conn,
            actor,
            ("application.reject", format!("application:{}", a.id)),
            json!({ "dataset": d.slug }),
            Notice {
                to: vec![a.user_id],
                subject: format!("开放申请未获批准：{}", d.title),
                body: format!("申请编号 {}：{reason}", a.id),
                link: "/account/applications".into(),
            },
            now,
        )?;
        Ok(())
    })
}

/// The applicant withdraws a pending application.
pub fn withdraw(
    conn: &mut DbConnection,
    user: &User,
    id: i32,
    now: NaiveDateTime,
    actor: &Actor,
) -> Result<(), ApplicationError> {
    let a = rows::by_id(conn, id)?
        .filter(|a| a.user_id == user.id)
        .ok_or(ApplicationError::NotFound)?;
    let d = dataset_rows::by_id(conn, a.dataset_id)?;
    write_transaction(conn, |conn| {
        if !rows::decide(conn, a.id, ApplicationStatus::Withdrawn, None, now, None)? {
            return Err(ApplicationError::NotPending);
        }
        let to = rows::publishers_of(conn, d.department_id)?;
        record_and_tell(
            conn,
            actor,
            ("application.withdraw", format!("application:{}", a.id)),
            json!({}),
            Notice {
                to,
                subject: format!("开放申请已撤回：{}", d.title),
                body: format!("申请编号 {} 已由申请人撤回，无需再答复。", a.id),
                link: format!("/console/applications/{}", a.id),
            },
            now,
        )?;
        Ok(())
    })
}

/// Why a user may not obtain a conditional dataset's data now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denial {
    NoGrant,
    /// A grant for the other channel (download or API) only.
    OtherMode(String),
    Revoked(String),
    Expired(NaiveDateTime),
    Exhausted(i32),
}

impl Denial {
    pub fn message(&self) -> String {
        match self {
            Denial::NoGrant => {
                "本数据为有条件开放数据，需提交开放申请并经数据提供部门批准后，在授权范围内获取。"
                    .into()
            }
            Denial::OtherMode(mode) => format!(
                "您的授权仅限{}，不包括这种获取方式；如需请另行申请。",
                if mode == "api" {
                    "接口调用"
                } else {
                    "下载文件"
                }
            ),
            Denial::Revoked(reason) => format!("您的授权已被撤销：{reason}"),
            Denial::Expired(at) => format!(
                "您的授权已于 {} 到期，如需继续使用请重新申请。",
                (*at + Duration::hours(8)).format("%Y-%m-%d %H:%M")
            ),
            Denial::Exhausted(quota) => {
                format!("您的授权次数（{quota} 次）已用完，如需继续使用请重新申请。")
            }
        }
    }
}

/// Whether a grant allows use at `now`.
pub fn check(g: &Grant, now: NaiveDateTime) -> Result<(), Denial> {
    if let Some(reason) = g.revoked_at.and(g.revoked_reason.clone()) {
        return Err(Denial::Revoked(reason));
    }
    if now < g.valid_from || now >= g.valid_until {
        return Err(Denial::Expired(g.valid_until));
    }
    if let Some(q) = g.quota
        && g.used >= q
    {
        return Err(Denial::Exhausted(q));
    }
    Ok(())
}

/// The grant under which `user_id` may obtain the dataset's data now through `mode`
/// (`download` or `api`), or why not: the newest usable grant, else the reason the newest grant
/// of that mode fails.
pub fn usable_grant(
    conn: &mut DbConnection,
    user_id: i32,
    dataset_id: i32,
    mode: &str,
    now: NaiveDateTime,
) -> Result<Result<Grant, Denial>, DbError> {
    let all = rows::grants_of(conn, user_id, dataset_id)?;
    let grants: Vec<&Grant> = all.iter().filter(|g| g.access_mode == mode).collect();
    if let Some(g) = grants.iter().find(|g| check(g, now).is_ok()) {
        return Ok(Ok((*g).clone()));
    }
    Ok(Err(match (grants.first(), all.first()) {
        (Some(g), _) => check(g, now).err().unwrap_or(Denial::NoGrant),
        (None, Some(other)) => Denial::OtherMode(other.access_mode.clone()),
        (None, None) => Denial::NoGrant,
    }))
}

/// Counts one use of a grant (atomically against its quota) and audits it.
pub fn use_grant(
    conn: &mut DbConnection,
    grant: &Grant,
    channel: &str,
    target: &str,
    actor: &Actor,
) -> Result<Result<(), Denial>, DbError> {
    write_transaction(conn, |conn| {
        if !rows::use_once(conn, grant.id)? {
            return Ok(Err(Denial::Exhausted(grant.quota.unwrap_or_default())));
        }
        audit::record(
            conn,
            actor,
            &format!("grant.{channel}"),
            &format!("grant:{}", grant.id),
            json!({ "target": target }),
        )?;
        Ok(Ok(()))
    })
}

/// Revokes a grant with a reason (the dataset's department or an administrator); the id of
/// the application it was granted on.
pub fn revoke(
    conn: &mut DbConnection,
    reviewer: &User,
    grant_id: i32,
    reason: &str,
    now: NaiveDateTime,
    actor: &Actor,
) -> Result<i32, ApplicationError> {
    let g = rows::grant_by_id(conn, grant_id)?.ok_or(ApplicationError::NotFound)?;
    let d = dataset_rows::by_id(conn, g.dataset_id)?;
    if !may_review(reviewer, &d) {
        return Err(ApplicationError::Forbidden);
    }
    let mut errors = Vec::new();
    let reason = text(&mut errors, "reason", "撤销理由", reason);
    if !errors.is_empty() {
        return Err(ApplicationError::Invalid(errors));
    }
    write_transaction(conn, |conn| {
        if !rows::revoke(conn, g.id, now, &reason)? {
            return Err(ApplicationError::NotPending);
        }
        record_and_tell(
            conn,
            actor,
            ("grant.revoke", format!("grant:{}", g.id)),
            json!({ "dataset": d.slug }),
            Notice {
                to: vec![g.user_id],
                subject: format!("授权已撤销：{}", d.title),
                body: format!("申请编号 {} 的授权已撤销：{reason}", g.application_id),
                link: "/account/applications".into(),
            },
            now,
        )?;
        Ok(g.application_id)
    })
}

/// One line of the public transparency table: a dataset, or a department's total.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Timeliness {
    pub department: String,
    /// Empty on a department's total line.
    pub dataset_title: String,
    pub dataset_slug: String,
    pub applications: u32,
    pub decided: u32,
    pub approved: u32,
    /// Working days from submission to decision.
    pub median_days: Option<f64>,
    pub longest_days: Option<u32>,
    /// Answered after the due date, or still pending past it.
    pub overdue: u32,
}

impl Timeliness {
    /// Approved among decided, in percent.
    pub fn approval_rate(&self) -> Option<f64> {
        (self.decided > 0).then(|| f64::from(self.approved) * 100.0 / f64::from(self.decided))
    }

    fn add(&mut self, a: &Application, days: Option<u32>, today: chrono::NaiveDate) {
        self.applications += 1;
        let decided = matches!(
            a.status,
            ApplicationStatus::Approved | ApplicationStatus::Rejected
        );
        if decided {
            self.decided += 1;
        }
        if a.status == ApplicationStatus::Approved {
            self.approved += 1;
        }
        let late = match a.decided_at {
            Some(at) if decided => (at + Duration::hours(8)).date() > a.due_on,
            _ => a.status == ApplicationStatus::Pending && a.due_on < today,
        };
        if late {
            self.overdue += 1;
        }
        if let Some(d) = days {
            self.longest_days = Some(self.longest_days.map_or(d, |l| l.max(d)));
        }
    }
}

fn median(mut v: Vec<u32>) -> Option<f64> {
    v.sort_unstable();
    let n = v.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(f64::from(v[n / 2])),
        _ => Some(f64::from(v[n / 2 - 1] + v[n / 2]) / 2.0),
    }
}

/// The transparency table: per department (its total first) and dataset, how many applications,
/// how many approved, and how fast and how late the answers were — counts only, no names.
pub fn timeliness(
    conn: &mut DbConnection,
    today: chrono::NaiveDate,
) -> Result<Vec<Timeliness>, DbError> {
    let calendar = calendar::work_calendar(conn)?;
    let all = rows::all(conn)?;
    let departments = crate::db::departments::all(conn)?;
    // Per dataset: its line, the working days, its department, whether it is publicly listed
    // now (a dataset closed or withdrawn since counts in its department's total only: its
    // name must not reappear here).
    let mut by_dataset: std::collections::BTreeMap<i32, (Timeliness, Vec<u32>, i32, bool)> =
        std::collections::BTreeMap::new();
    for a in &all {
        if a.status == ApplicationStatus::Withdrawn {
            continue;
        }
        let entry = match by_dataset.get_mut(&a.dataset_id) {
            Some(e) => e,
            None => {
                let d = dataset_rows::by_id(conn, a.dataset_id)?;
                let department = departments
                    .iter()
                    .find(|x| x.id == d.department_id)
                    .map(|x| x.name.clone())
                    .unwrap_or_default();
                by_dataset.entry(a.dataset_id).or_insert((
                    Timeliness {
                        department,
                        dataset_title: d.title,
                        dataset_slug: d.slug,
                        ..Timeliness::default()
                    },
                    Vec::new(),
                    d.department_id,
                    crate::domain::is_publicly_listed(d.status, d.open_class),
                ))
            }
        };
        let days = a
            .decided_at
            .filter(|_| a.status != ApplicationStatus::Pending)
            .map(|at| {
                calendar.working_days_between(
                    (a.submitted_at + Duration::hours(8)).date(),
                    (at + Duration::hours(8)).date(),
                )
            });
        entry.0.add(a, days, today);
        entry.1.extend(days);
    }
    let mut lines: Vec<(String, i32, Timeliness, Vec<u32>, bool)> = by_dataset
        .into_values()
        .map(|(mut t, days, dept, listed)| {
            t.median_days = median(days.clone());
            (t.department.clone(), dept, t, days, listed)
        })
        .collect();
    lines.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| a.2.dataset_title.cmp(&b.2.dataset_title))
    });
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let dept = lines[i].1;
        let group: Vec<&(String, i32, Timeliness, Vec<u32>, bool)> =
            lines[i..].iter().take_while(|l| l.1 == dept).collect();
        let mut total = Timeliness {
            department: group[0].0.clone(),
            ..Timeliness::default()
        };
        let mut days = Vec::new();
        for (_, _, t, d, _) in &group {
            total.applications += t.applications;
            total.decided += t.decided;
            total.approved += t.approved;
            total.overdue += t.overdue;
            total.longest_days = match (total.longest_days, t.longest_days) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            };
            days.extend(d.iter().copied());
        }
        total.median_days = median(days);
        let n = group.len();
        out.push(total);
        out.extend(
            group
                .into_iter()
                .filter(|line| line.4)
                .map(|(_, _, t, _, _)| t.clone()),
        );
        i += n;
    }
    Ok(out)
}

/// The overdue job: every pending application past its due date is reported once to its
/// department's publishers and the administrators (inbox and mail outbox) and audited.
/// Returns how many were reported.
pub fn report_overdue(conn: &mut DbConnection, now: NaiveDateTime) -> Result<usize, DbError> {
    let today = (now + Duration::hours(8)).date();
    let mut reported = 0;
    for a in rows::overdue_unnotified(conn, today)? {
        write_transaction(conn, |conn| -> Result<(), DbError> {
            if !rows::mark_overdue_notified(conn, a.id, now)? {
                return Ok(());
            }
            let d = dataset_rows::by_id(conn, a.dataset_id)?;
            let mut to = rows::publishers_of(conn, d.department_id)?;
            to.extend(rows::admins(conn)?);
            record_and_tell(
                conn,
                &Actor::system(),
                ("application.overdue", format!("application:{}", a.id)),
                json!({ "dataset": d.slug, "due_on": a.due_on.to_string() }),
                Notice {
                    to,
                    subject: format!("开放申请已逾期：{}", d.title),
                    body: format!("申请编号 {} 应于 {} 前答复，至今未答复。", a.id, a.due_on),
                    link: format!("/console/applications/{}", a.id),
                },
                now,
            )?;
            reported += 1;
            Ok(())
        })?;
    }
    Ok(reported)
}

/// Adds to an application's conversation: the applicant, or a reviewer of its dataset (asking
/// for more information). The other side gets a message.
pub fn comment(
    conn: &mut DbConnection,
    user: &User,
    id: i32,
    body: &str,
    now: NaiveDateTime,
    actor: &Actor,
) -> Result<(), ApplicationError> {
    let a = rows::by_id(conn, id)?.ok_or(ApplicationError::NotFound)?;
    let d = dataset_rows::by_id(conn, a.dataset_id)?;
    let applicant = a.user_id == user.id;
    if !applicant && !may_review(user, &d) {
        return Err(ApplicationError::NotFound);
    }
    let mut errors = Vec::new();
    let body = text(&mut errors, "body", "留言", body);
    if !errors.is_empty() {
        return Err(ApplicationError::Invalid(errors));
    }
    write_transaction(conn, |conn| {
        rows::add_comment(conn, a.id, user.id, &body, now)?;
        let (to, link) = if applicant {
            (
                rows::publishers_of(conn, d.department_id)?,
                format!("/console/applications/{}", a.id),
            )
        } else {
            (vec![a.user_id], format!("/account/applications/{}", a.id))
        };
        record_and_tell(
            conn,
            actor,
            ("application.comment", format!("application:{}", a.id)),
            json!({}),
            Notice {
                to,
                subject: format!("开放申请有新留言：{}", d.title),
                body: format!("申请编号 {} 有新留言，请查看。", a.id),
                link,
            },
            now,
        )?;
        Ok(())
    })
}

/// A user's messages, newest first (reading them changes nothing).
pub fn inbox(conn: &mut DbConnection, user_id: i32) -> Result<Vec<Notification>, DbError> {
    rows::inbox(conn, user_id)
}

/// Marks all of a user's unread messages read; how many were unread.
pub fn mark_inbox_read(
    conn: &mut DbConnection,
    user_id: i32,
    now: NaiveDateTime,
) -> Result<usize, DbError> {
    rows::mark_read(conn, user_id, now)
}
