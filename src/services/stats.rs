//! Public statistics (`/stats`) and the administrators' assessment view (考核评估, Art. 43):
//! what is open, how much of it, how often it is used, and per department how timely the
//! updates and the answers to reviews, requests and applications are. Counts only; nobody is
//! named.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::result::Error as DbError;

use crate::db::{DbConnection, calendar, departments, stats as rows};
use crate::domain::working_days::WorkCalendar;
use crate::domain::{
    ApplicationStatus, OpenClass, RequestStatus, UpdateFrequency, is_publicly_listed,
};

/// How one kind of request was answered.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reply {
    pub received: u32,
    pub answered: u32,
    /// Working days from receipt to answer.
    pub median_days: Option<f64>,
    pub worst_days: Option<u32>,
    /// Answered after the deadline, or unanswered past it.
    pub late: u32,
}

impl Reply {
    /// Not late among those received, in percent (`None` when nothing was received).
    pub fn on_time_rate(&self) -> Option<f64> {
        (self.received > 0)
            .then(|| f64::from(self.received - self.late) * 100.0 / f64::from(self.received))
    }
}

/// One item to answer: when it arrived, its deadline, when it was answered (China dates).
struct Item {
    department_id: i32,
    received: NaiveDate,
    deadline: Option<NaiveDate>,
    answered: Option<NaiveDate>,
}

fn china(t: NaiveDateTime) -> NaiveDate {
    (t + Duration::hours(8)).date()
}

/// Folds items into a [`Reply`] per department, as of `today`.
fn tally(items: &[Item], calendar: &WorkCalendar, today: NaiveDate) -> BTreeMap<i32, Reply> {
    let mut days: BTreeMap<i32, Vec<u32>> = BTreeMap::new();
    let mut out: BTreeMap<i32, Reply> = BTreeMap::new();
    for i in items {
        let r = out.entry(i.department_id).or_default();
        r.received += 1;
        let late = match (i.answered, i.deadline) {
            (Some(a), Some(d)) => a > d,
            (None, Some(d)) => today > d,
            _ => false,
        };
        if late {
            r.late += 1;
        }
        if let Some(a) = i.answered {
            r.answered += 1;
            let n = calendar.working_days_between(i.received, a);
            r.worst_days = Some(r.worst_days.map_or(n, |w| w.max(n)));
            days.entry(i.department_id).or_default().push(n);
        }
    }
    for (dept, mut d) in days {
        d.sort_unstable();
        let n = d.len();
        let median = if n % 2 == 1 {
            f64::from(d[n / 2])
        } else {
            f64::from(d[n / 2 - 1] + d[n / 2]) / 2.0
        };
        if let Some(r) = out.get_mut(&dept) {
            r.median_days = Some(median);
        }
    }
    out
}

/// One department's line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DepartmentLine {
    pub slug: String,
    pub name: String,
    /// Public datasets (published in the period, for an assessment).
    pub published: u32,
    /// Public datasets with a declared cycle (not irregular), and how many are up to date.
    pub with_cycle: u32,
    pub on_time: u32,
    pub reviews: Reply,
    pub requests: Reply,
    pub applications: Reply,
}

impl DepartmentLine {
    pub fn late_updates(&self) -> u32 {
        self.with_cycle - self.on_time
    }

    /// Up-to-date datasets among those with a cycle, in percent.
    pub fn update_rate(&self) -> Option<f64> {
        (self.with_cycle > 0).then(|| f64::from(self.on_time) * 100.0 / f64::from(self.with_cycle))
    }

    /// The assessment score: the mean of the rates that apply (updates on time, and the share
    /// of reviews, requests and applications not late), in percent.
    pub fn score(&self) -> Option<f64> {
        let parts: Vec<f64> = [
            self.update_rate(),
            self.reviews.on_time_rate(),
            self.requests.on_time_rate(),
            self.applications.on_time_rate(),
        ]
        .into_iter()
        .flatten()
        .collect();
        (!parts.is_empty()).then(|| parts.iter().sum::<f64>() / parts.len() as f64)
    }
}

/// The portal's totals.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Totals {
    pub unconditional: u32,
    pub conditional: u32,
    /// Departments with at least one public dataset.
    pub departments: u32,
    /// Declared records of the public datasets.
    pub records: i64,
    /// Fields × records over the public datasets (数据容量).
    pub capacity: i64,
    pub downloads: i64,
    pub api_calls: i64,
}

impl Totals {
    pub fn datasets(&self) -> u32 {
        self.unconditional + self.conditional
    }
}

#[derive(Debug, Clone, Default)]
pub struct Stats {
    pub totals: Totals,
    pub departments: Vec<DepartmentLine>,
}

/// A period of the assessment, inclusive (China dates).
#[derive(Debug, Clone, Copy)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    fn holds(&self, d: NaiveDate) -> bool {
        self.from <= d && d <= self.to
    }
}

/// Everything, as of `now`; with a period, only what arrived (or was published) in it, judged
/// as of the period's end (or now, if earlier).
pub fn compute(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    period: Option<Period>,
) -> Result<Stats, DbError> {
    let today = match period {
        Some(p) => p.to.min(china(now)),
        None => china(now),
    };
    let judged_at = match period {
        Some(p) if p.to < china(now) => {
            (p.to + Duration::days(1))
                .and_hms_opt(0, 0, 0)
                .unwrap_or(now)
                - Duration::hours(8)
        }
        _ => now,
    };
    let in_period = |d: NaiveDate| period.is_none_or(|p| p.holds(d));
    let calendar = calendar::work_calendar(conn)?;
    let all = rows::all_datasets(conn)?;
    let fields: BTreeMap<i32, i64> = rows::field_counts(conn)?.into_iter().collect();
    let mut totals = Totals::default();
    let mut lines: BTreeMap<i32, DepartmentLine> = BTreeMap::new();
    let department_of: BTreeMap<i32, i32> = all.iter().map(|d| (d.id, d.department_id)).collect();
    for d in &all {
        if !is_publicly_listed(d.status, d.open_class) {
            continue;
        }
        match d.open_class {
            OpenClass::Unconditional => totals.unconditional += 1,
            OpenClass::Conditional => totals.conditional += 1,
            OpenClass::Closed => {}
        }
        totals.records += d.record_count;
        totals.capacity += d.record_count * fields.get(&d.id).copied().unwrap_or(0);
        totals.downloads += d.download_count;
        let line = lines.entry(d.department_id).or_default();
        let published_in = d.published_at.map(china).is_some_and(in_period);
        if period.is_none() || published_in {
            line.published += 1;
        }
        if d.update_frequency != UpdateFrequency::Irregular && d.last_updated_at <= judged_at {
            line.with_cycle += 1;
            if !d.update_frequency.is_late(d.last_updated_at, judged_at) {
                line.on_time += 1;
            }
        }
    }
    totals.departments = lines.values().filter(|l| l.published > 0).count() as u32;
    totals.api_calls = rows::api_calls(conn, period.map(|p| p.from), period.map(|p| p.to))?;

    let reviews: Vec<Item> = crate::db::reviews::all(conn)?
        .into_iter()
        .filter(|r| in_period(china(r.created_at)))
        .filter_map(|r| {
            Some(Item {
                department_id: *department_of.get(&r.dataset_id)?,
                received: china(r.created_at),
                deadline: Some(r.deadline()),
                answered: r.answered_at.map(china).filter(|a| *a <= today),
            })
        })
        .collect();
    let requests: Vec<Item> = crate::db::requests::all(conn)?
        .into_iter()
        .filter(|r| r.status != RequestStatus::Open)
        .filter_map(|r| {
            let routed = china(r.routed_at?);
            Some(Item {
                department_id: r.department_id?,
                received: routed,
                deadline: r.due_on,
                answered: r.answered_at.map(china).filter(|a| *a <= today),
            })
        })
        .filter(|i| in_period(i.received))
        .collect();
    let applications: Vec<Item> = crate::db::applications::all(conn)?
        .into_iter()
        .filter(|a| a.status != ApplicationStatus::Withdrawn)
        .filter(|a| in_period(china(a.submitted_at)))
        .filter_map(|a| {
            let decided = matches!(
                a.status,
                ApplicationStatus::Approved | ApplicationStatus::Rejected
            );
            Some(Item {
                department_id: *department_of.get(&a.dataset_id)?,
                received: china(a.submitted_at),
                deadline: Some(a.due_on),
                answered: a
                    .decided_at
                    .filter(|_| decided)
                    .map(china)
                    .filter(|d| *d <= today),
            })
        })
        .collect();
    let (mut rv, mut rq, mut ap) = (
        tally(&reviews, &calendar, today),
        tally(&requests, &calendar, today),
        tally(&applications, &calendar, today),
    );
    let mut out = Vec::new();
    for dept in departments::all(conn)? {
        let mut line = lines.remove(&dept.id).unwrap_or_default();
        line.slug = dept.slug;
        line.name = dept.name;
        line.reviews = rv.remove(&dept.id).unwrap_or_default();
        line.requests = rq.remove(&dept.id).unwrap_or_default();
        line.applications = ap.remove(&dept.id).unwrap_or_default();
        out.push(line);
    }
    Ok(Stats {
        totals,
        departments: out,
    })
}

/// Adds the API calls counted in memory to today's row (China date).
pub fn store_api_calls(conn: &mut DbConnection, n: u64, now: NaiveDateTime) -> Result<(), DbError> {
    if n == 0 {
        return Ok(());
    }
    crate::db::write_transaction(conn, |conn| {
        rows::add_api_calls(conn, china(now), i64::try_from(n).unwrap_or(i64::MAX))
    })
}
