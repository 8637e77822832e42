//! `datastore_search`: rows of one resource, under the same rules as the row API.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::Failure;
use super::params::{Params, boolean, integer, list, missing, text};

/// What a `datastore_search` call asks, in the row API's terms.
pub struct Request {
    pub resource_id: String,
    pub limit: i64,
    pub offset: i64,
    /// The row query's parameters (`limit`, `offset`, `q`, `sort`, field filters).
    pub params: Vec<(String, String)>,
    pub fields: Vec<String>,
    pub include_total: bool,
}

fn invalid(name: &str, message: impl Into<String>) -> Failure {
    Failure::Validation(BTreeMap::from([(name.to_owned(), message.into())]))
}

pub fn read(p: &Params) -> Result<Request, Failure> {
    let resource_id = text(p, "resource_id")
        .or_else(|| text(p, "id"))
        .ok_or_else(|| missing("resource_id"))?;
    let limit = integer(p, "limit", 100)?;
    let offset = integer(p, "offset", 0)?;
    for (name, v) in [("limit", limit), ("offset", offset)] {
        if v < 0 {
            return Err(invalid(name, "Must be a natural number"));
        }
    }
    // Our row query's parameters, from CKAN's. `limit: 0` asks for the fields only (ckanapi
    // does that for every resource it dumps): one row is read and none returned.
    let mut params: Vec<(String, String)> = vec![
        ("limit".into(), limit.max(1).to_string()),
        ("offset".into(), offset.to_string()),
    ];
    if let Some(q) = text(p, "q") {
        params.push(("q".into(), q));
    }
    if let Some(sort) = text(p, "sort") {
        let spec: Vec<String> = sort
            .split(',')
            .filter_map(|part| {
                let mut it = part.split_whitespace();
                let field = it.next()?.trim_matches('"');
                Some(format!("{field}:{}", it.next().unwrap_or("asc")))
            })
            .collect();
        params.push(("sort".into(), spec.join(",")));
    }
    let filters = match p.get("filters") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(m)) => m.clone(),
        Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
            Ok(Value::Object(m)) => m,
            _ => {
                return Err(invalid(
                    "filters",
                    "应为 JSON 对象，键为字段名，值为要匹配的值",
                ));
            }
        },
        Some(_) => return Err(invalid("filters", "应为 JSON 对象")),
    };
    for (k, v) in filters {
        if ["limit", "offset", "sort", "q", "version"].contains(&k.as_str()) {
            return Err(invalid("filters", format!("“{k}”不是字段名")));
        }
        let v = match v {
            Value::String(s) => s,
            other => other.to_string(),
        };
        params.push((k, v));
    }
    Ok(Request {
        resource_id,
        limit,
        offset,
        params,
        fields: list(p, "fields")?,
        include_total: p.get("include_total").is_none() || boolean(p, "include_total")?,
    })
}

/// The answer, from the rows the row API returned.
pub fn answer(
    request: &Request,
    resource_id: i32,
    total: i64,
    fields: Vec<Value>,
    mut records: Vec<Value>,
) -> Result<Value, Failure> {
    let (limit, offset) = (request.limit, request.offset);
    if limit == 0 {
        records.clear();
    }
    let mut fields: Vec<Value> = fields
        .into_iter()
        .map(|f| json!({"id": f["name"], "type": f["type"]}))
        .collect();
    let wanted = &request.fields;
    if !wanted.is_empty() {
        if let Some(bad) = wanted
            .iter()
            .find(|w| !fields.iter().any(|f| f["id"] == **w))
        {
            return Err(invalid("fields", format!("没有名为“{bad}”的字段")));
        }
        fields.retain(|f| wanted.iter().any(|w| f["id"] == *w));
        for rec in &mut records {
            if let Value::Object(m) = rec {
                m.retain(|k, _| wanted.contains(k));
            }
        }
    }
    let mut out = json!({
        "resource_id": resource_id.to_string(),
        "fields": fields,
        "records": records,
        "limit": limit,
        "offset": offset,
        "_links": {
            "start": format!("/api/3/action/datastore_search?resource_id={resource_id}&limit={limit}"),
            "next": format!("/api/3/action/datastore_search?resource_id={resource_id}&limit={limit}&offset={}", offset.saturating_add(limit)),
        },
    });
    if request.include_total {
        out["total"] = json!(total);
    }
    Ok(out)
}
