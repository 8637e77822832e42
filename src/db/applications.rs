//! Applications for conditionally open data and the grants that approve them.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::DbConnection;
use super::schema::{
    application_comments, applications, datasets, grants, mail_outbox, notifications, users,
};
use crate::domain::ApplicationStatus;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = applications)]
pub struct Application {
    pub id: i32,
    pub dataset_id: i32,
    pub user_id: i32,
    pub purpose: String,
    pub scenario: String,
    /// JSON array of field names.
    pub fields: String,
    pub access_mode: String,
    pub period_days: i32,
    pub security_measures: String,
    pub attachment_key: Option<String>,
    pub attachment_name: Option<String>,
    pub attachment_size: Option<i64>,
    #[diesel(deserialize_as = String)]
    pub status: ApplicationStatus,
    pub submitted_at: NaiveDateTime,
    pub due_on: NaiveDate,
    pub decided_at: Option<NaiveDateTime>,
    pub decided_by: Option<i32>,
    pub reason: Option<String>,
    pub overdue_notified_at: Option<NaiveDateTime>,
}

impl Application {
    pub fn field_names(&self) -> Vec<String> {
        serde_json::from_str(&self.fields).unwrap_or_default()
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = applications)]
pub struct NewApplication<'a> {
    pub dataset_id: i32,
    pub user_id: i32,
    pub purpose: &'a str,
    pub scenario: &'a str,
    pub fields: &'a str,
    pub access_mode: &'a str,
    pub period_days: i32,
    pub security_measures: &'a str,
    pub attachment_key: Option<&'a str>,
    pub attachment_name: Option<&'a str>,
    pub attachment_size: Option<i64>,
    pub status: &'a str,
    pub submitted_at: NaiveDateTime,
    pub due_on: NaiveDate,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = grants)]
pub struct Grant {
    pub id: i32,
    pub application_id: i32,
    pub dataset_id: i32,
    pub user_id: i32,
    pub fields: String,
    pub access_mode: String,
    pub valid_from: NaiveDateTime,
    pub valid_until: NaiveDateTime,
    pub quota: Option<i32>,
    pub used: i32,
    pub revoked_at: Option<NaiveDateTime>,
    pub revoked_reason: Option<String>,
}

impl Grant {
    pub fn field_names(&self) -> Vec<String> {
        serde_json::from_str(&self.fields).unwrap_or_default()
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = grants)]
pub struct NewGrant<'a> {
    pub application_id: i32,
    pub dataset_id: i32,
    pub user_id: i32,
    pub fields: &'a str,
    pub access_mode: &'a str,
    pub valid_from: NaiveDateTime,
    pub valid_until: NaiveDateTime,
    pub quota: Option<i32>,
    pub used: i32,
}

pub fn insert(conn: &mut DbConnection, a: &NewApplication) -> QueryResult<Application> {
    diesel::insert_into(applications::table)
        .values(a)
        .returning(applications::all_columns)
        .get_result(conn)
}

pub fn by_id(conn: &mut DbConnection, id: i32) -> QueryResult<Option<Application>> {
    applications::table
        .find(id)
        .select(Application::as_select())
        .first(conn)
        .optional()
}

/// A user's applications, newest first.
pub fn of_user(conn: &mut DbConnection, user_id: i32) -> QueryResult<Vec<Application>> {
    applications::table
        .filter(applications::user_id.eq(user_id))
        .order(applications::id.desc())
        .select(Application::as_select())
        .load(conn)
}

/// The review queue: applications for the datasets of `department` (every department's when
/// `None`, for administrators), the earliest due first. A join, not a list of dataset ids: an
/// administrator's list would be the whole catalog, past SQLite's limit on bound parameters.
pub fn queue(conn: &mut DbConnection, department: Option<i32>) -> QueryResult<Vec<Application>> {
    let mut q = applications::table
        .inner_join(datasets::table)
        .select(Application::as_select())
        .order((applications::due_on.asc(), applications::id.asc()))
        .into_boxed();
    if let Some(dept) = department {
        q = q.filter(datasets::department_id.eq(dept));
    }
    q.load(conn)
}

/// The titles and slugs of these datasets, by id (one query for a page of applications).
pub fn dataset_labels(
    conn: &mut DbConnection,
    ids: &[i32],
) -> QueryResult<Vec<(i32, String, String)>> {
    datasets::table
        .filter(datasets::id.eq_any(ids))
        .select((datasets::id, datasets::title, datasets::slug))
        .load(conn)
}

/// The grants of these applications (one query for a page of applications).
pub fn grants_of_applications(conn: &mut DbConnection, ids: &[i32]) -> QueryResult<Vec<Grant>> {
    grants::table
        .filter(grants::application_id.eq_any(ids))
        .select(Grant::as_select())
        .load(conn)
}

/// Moves a pending application to a decision; false when it was no longer pending.
pub fn decide(
    conn: &mut DbConnection,
    id: i32,
    status: ApplicationStatus,
    by: Option<i32>,
    at: NaiveDateTime,
    reason: Option<&str>,
) -> QueryResult<bool> {
    let n = diesel::update(
        applications::table
            .find(id)
            .filter(applications::status.eq(ApplicationStatus::Pending.as_str())),
    )
    .set((
        applications::status.eq(status.as_str()),
        applications::decided_at.eq(Some(at)),
        applications::decided_by.eq(by),
        applications::reason.eq(reason),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn insert_grant(conn: &mut DbConnection, g: &NewGrant) -> QueryResult<Grant> {
    diesel::insert_into(grants::table)
        .values(g)
        .returning(grants::all_columns)
        .get_result(conn)
}

pub fn grant_by_id(conn: &mut DbConnection, id: i32) -> QueryResult<Option<Grant>> {
    grants::table
        .find(id)
        .select(Grant::as_select())
        .first(conn)
        .optional()
}

/// A user's grants on a dataset, the latest first.
pub fn grants_of(
    conn: &mut DbConnection,
    user_id: i32,
    dataset_id: i32,
) -> QueryResult<Vec<Grant>> {
    grants::table
        .filter(grants::user_id.eq(user_id))
        .filter(grants::dataset_id.eq(dataset_id))
        .order(grants::id.desc())
        .select(Grant::as_select())
        .load(conn)
}

/// Counts one use against the quota, atomically: false when the quota was already used up.
pub fn use_once(conn: &mut DbConnection, grant_id: i32) -> QueryResult<bool> {
    let n = diesel::update(
        grants::table.find(grant_id).filter(
            grants::quota
                .is_null()
                .or(grants::used.nullable().lt(grants::quota)),
        ),
    )
    .set(grants::used.eq(grants::used + 1))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn revoke(
    conn: &mut DbConnection,
    grant_id: i32,
    at: NaiveDateTime,
    reason: &str,
) -> QueryResult<bool> {
    let n = diesel::update(
        grants::table
            .find(grant_id)
            .filter(grants::revoked_at.is_null()),
    )
    .set((
        grants::revoked_at.eq(Some(at)),
        grants::revoked_reason.eq(Some(reason)),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Every application (for the public statistics, which show no personal data).
pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<Application>> {
    applications::table
        .order(applications::id.asc())
        .select(Application::as_select())
        .load(conn)
}

/// Pending applications past their due date that the department has not been told about.
pub fn overdue_unnotified(
    conn: &mut DbConnection,
    today: NaiveDate,
) -> QueryResult<Vec<Application>> {
    applications::table
        .filter(applications::status.eq(ApplicationStatus::Pending.as_str()))
        .filter(applications::due_on.lt(today))
        .filter(applications::overdue_notified_at.is_null())
        .select(Application::as_select())
        .load(conn)
}

/// Pending applications past their due date (the administrators' dashboard).
pub fn overdue(conn: &mut DbConnection, today: NaiveDate) -> QueryResult<Vec<Application>> {
    applications::table
        .filter(applications::status.eq(ApplicationStatus::Pending.as_str()))
        .filter(applications::due_on.lt(today))
        .order(applications::due_on.asc())
        .select(Application::as_select())
        .load(conn)
}

pub fn mark_overdue_notified(
    conn: &mut DbConnection,
    id: i32,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        applications::table
            .find(id)
            .filter(applications::overdue_notified_at.is_null()),
    )
    .set(applications::overdue_notified_at.eq(Some(at)))
    .execute(conn)?;
    Ok(n == 1)
}

/// The accounts that review a department's applications: its publishers.
pub fn publishers_of(conn: &mut DbConnection, department_id: i32) -> QueryResult<Vec<i32>> {
    users::table
        .filter(users::role.eq("publisher"))
        .filter(users::department_id.eq(department_id))
        .select(users::id)
        .load(conn)
}

pub fn admins(conn: &mut DbConnection) -> QueryResult<Vec<i32>> {
    users::table
        .filter(users::role.eq("admin"))
        .select(users::id)
        .load(conn)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = notifications)]
pub struct Notification {
    pub id: i32,
    pub user_id: i32,
    pub subject: String,
    pub body: String,
    pub link: String,
    pub created_at: NaiveDateTime,
    pub read_at: Option<NaiveDateTime>,
}

/// A message in the user's inbox and, the same, in the mail outbox.
pub fn notify(
    conn: &mut DbConnection,
    user_id: i32,
    subject: &str,
    body: &str,
    link: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    notify_and_mail(conn, user_id, (subject, body), link, (subject, body), at)
}

/// A message in the user's inbox (`inbox`: subject and body) and a mail in the outbox, which
/// may be worded otherwise (`mail`: in another language).
pub fn notify_and_mail(
    conn: &mut DbConnection,
    user_id: i32,
    (subject, body): (&str, &str),
    link: &str,
    mail: (&str, &str),
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(notifications::table)
        .values((
            notifications::user_id.eq(user_id),
            notifications::subject.eq(subject),
            notifications::body.eq(body),
            notifications::link.eq(link),
            notifications::created_at.eq(at),
        ))
        .execute(conn)?;
    diesel::insert_into(mail_outbox::table)
        .values((
            mail_outbox::user_id.eq(user_id),
            mail_outbox::subject.eq(mail.0),
            mail_outbox::body.eq(mail.1),
            mail_outbox::created_at.eq(at),
        ))
        .execute(conn)
        .map(drop)
}

/// A user's inbox, newest first (the latest 200).
pub fn inbox(conn: &mut DbConnection, user_id: i32) -> QueryResult<Vec<Notification>> {
    notifications::table
        .filter(notifications::user_id.eq(user_id))
        .order(notifications::id.desc())
        .limit(200)
        .select(Notification::as_select())
        .load(conn)
}

pub fn mark_read(conn: &mut DbConnection, user_id: i32, at: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        notifications::table
            .filter(notifications::user_id.eq(user_id))
            .filter(notifications::read_at.is_null()),
    )
    .set(notifications::read_at.eq(Some(at)))
    .execute(conn)
}

/// One message of an application's conversation, with who wrote it (as shown: the applicant,
/// or the department).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = application_comments)]
pub struct Comment {
    pub id: i32,
    pub application_id: i32,
    pub user_id: i32,
    pub body: String,
    pub created_at: NaiveDateTime,
}

pub fn comments(conn: &mut DbConnection, application_id: i32) -> QueryResult<Vec<Comment>> {
    application_comments::table
        .filter(application_comments::application_id.eq(application_id))
        .order(application_comments::id.asc())
        .select(Comment::as_select())
        .load(conn)
}

pub fn add_comment(
    conn: &mut DbConnection,
    application_id: i32,
    user_id: i32,
    body: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(application_comments::table)
        .values((
            application_comments::application_id.eq(application_id),
            application_comments::user_id.eq(user_id),
            application_comments::body.eq(body),
            application_comments::created_at.eq(at),
        ))
        .execute(conn)
        .map(drop)
}
