//! The holiday calendar: public holidays and make-up workdays, maintained by administrators.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::DbConnection;
use super::schema::calendar_days;
use crate::domain::{DayKind, WorkCalendar};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = calendar_days)]
pub struct CalendarDay {
    pub day: NaiveDate,
    #[diesel(deserialize_as = String)]
    pub kind: DayKind,
    pub name: String,
}

pub fn between(
    conn: &mut DbConnection,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<CalendarDay>> {
    calendar_days::table
        .filter(calendar_days::day.ge(from))
        .filter(calendar_days::day.le(to))
        .order(calendar_days::day.asc())
        .select(CalendarDay::as_select())
        .load(conn)
}

/// The whole calendar, for working-day arithmetic.
pub fn work_calendar(conn: &mut DbConnection) -> QueryResult<WorkCalendar> {
    let days: Vec<CalendarDay> = calendar_days::table
        .select(CalendarDay::as_select())
        .load(conn)?;
    let holidays = days
        .iter()
        .filter(|d| d.kind == DayKind::Holiday)
        .map(|d| d.day);
    let workdays = days
        .iter()
        .filter(|d| d.kind == DayKind::Workday)
        .map(|d| d.day);
    Ok(WorkCalendar::new(
        holidays.collect::<Vec<_>>(),
        workdays.collect::<Vec<_>>(),
    ))
}

pub fn get(conn: &mut DbConnection, day: NaiveDate) -> QueryResult<Option<CalendarDay>> {
    calendar_days::table
        .find(day)
        .select(CalendarDay::as_select())
        .first(conn)
        .optional()
}

pub fn insert(
    conn: &mut DbConnection,
    day: NaiveDate,
    kind: DayKind,
    name: &str,
) -> QueryResult<()> {
    diesel::insert_into(calendar_days::table)
        .values((
            calendar_days::day.eq(day),
            calendar_days::kind.eq(kind.as_str()),
            calendar_days::name.eq(name),
        ))
        .execute(conn)
        .map(drop)
}

pub fn delete(conn: &mut DbConnection, day: NaiveDate) -> QueryResult<bool> {
    diesel::delete(calendar_days::table.find(day))
        .execute(conn)
        .map(|n| n > 0)
}
