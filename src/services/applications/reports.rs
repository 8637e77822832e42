//! The public transparency figures and the overdue report.

use super::{Application, Notice, record_and_tell, words};
use crate::db::DbConnection;
use crate::db::applications as rows;
use crate::db::calendar;
use crate::db::datasets as dataset_rows;
use crate::db::write_transaction;
use crate::domain::ApplicationStatus;
use crate::services::Actor;
use chrono::Duration;
use chrono::NaiveDateTime;
use diesel::result::Error as DbError;
use serde_json::json;

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
                    text: words(
                        &Actor::system(),
                        ("account-mail-overdue-subject", "account-mail-overdue-body"),
                        &[
                            ("title", &d.title),
                            ("id", &a.id.to_string()),
                            ("due", &a.due_on.to_string()),
                        ],
                    ),
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
