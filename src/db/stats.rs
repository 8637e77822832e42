//! Reads for the statistics page and the assessment view.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::DbConnection;
use super::datasets::Dataset;
use super::schema::{dataset_fields, datasets, usage_daily};

/// Every dataset, whatever its class and status (callers keep to the public ones).
pub fn all_datasets(conn: &mut DbConnection) -> QueryResult<Vec<Dataset>> {
    datasets::table
        .order(datasets::id)
        .select(Dataset::as_select())
        .load(conn)
}

/// (dataset id, number of fields) for every dataset with fields.
pub fn field_counts(conn: &mut DbConnection) -> QueryResult<Vec<(i32, i64)>> {
    dataset_fields::table
        .group_by(dataset_fields::dataset_id)
        .select((dataset_fields::dataset_id, diesel::dsl::count_star()))
        .load(conn)
}

/// Adds API calls to a day's count.
pub fn add_api_calls(conn: &mut DbConnection, day: NaiveDate, n: i64) -> QueryResult<()> {
    let updated = diesel::update(usage_daily::table.find(day))
        .set(usage_daily::api_calls.eq(usage_daily::api_calls + n))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(usage_daily::table)
            .values((usage_daily::day.eq(day), usage_daily::api_calls.eq(n)))
            .execute(conn)?;
    }
    Ok(())
}

/// API calls from `from` to `to`, inclusive (all days when both are `None`).
pub fn api_calls(
    conn: &mut DbConnection,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> QueryResult<i64> {
    let mut q = usage_daily::table
        .select(usage_daily::api_calls)
        .into_boxed();
    if let Some(f) = from {
        q = q.filter(usage_daily::day.ge(f));
    }
    if let Some(t) = to {
        q = q.filter(usage_daily::day.le(t));
    }
    Ok(q.load::<i64>(conn)?.into_iter().sum())
}
