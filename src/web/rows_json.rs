//! Rows as the row API answers them (`fields` and `records`): shared by the JSON API, the CKAN
//! `datastore_search` and the per-dataset API page's example response.

use serde_json::{Value, json};

use crate::services::preview::RowsPage;

/// Rows as JSON objects keyed by column name.
pub fn records(page: RowsPage) -> (Vec<Value>, Vec<Value>) {
    let fields = page
        .columns
        .iter()
        .map(|c| json!({"name": c.name, "type": c.ty.as_str()}))
        .collect();
    let records = page
        .rows
        .into_iter()
        .map(|row| {
            let obj: serde_json::Map<String, Value> = page
                .columns
                .iter()
                .zip(row)
                .map(|(c, v)| (c.name.clone(), v))
                .collect();
            Value::Object(obj)
        })
        .collect();
    (fields, records)
}

/// The row API's whole answer to one request.
pub fn answer(page: RowsPage, limit: i64, offset: i64, version: i32) -> Value {
    let total = page.total;
    let (fields, records) = records(page);
    json!({
        "total": total,
        "limit": limit,
        "offset": offset,
        "version": version,
        "fields": fields,
        "records": records,
    })
}
