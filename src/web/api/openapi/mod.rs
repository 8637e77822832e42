//! `GET /api/openapi.json`: the OpenAPI 3.1 description of the JSON API and the CKAN Action
//! API. Each parameter carries the schema its parser enforces (enums of the themes and
//! departments that exist, ranges, trimmed lengths), each operation every status it can answer
//! with. The test `every_api_route_is_documented` reads the route table (`web/routes.rs`) and
//! the CKAN dispatcher, and fails when a route or an action is missing here. Schemathesis runs
//! against the document in CI (`tests/it/interop.rs`).

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Map, Value, json};

use super::ApiError;
use crate::services::catalog;
use crate::web::AppState;

mod ckan;
mod operations;
mod schemas;

/// Who may call an operation.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Auth {
    /// Anyone; a key only raises the quota (a key presented must be live).
    Public,
    /// An API key is required (`Authorization: Bearer …`).
    Key,
}

/// One method on one path.
pub struct Operation {
    pub method: &'static str,
    pub path: String,
    pub id: String,
    pub tag: &'static str,
    pub summary: String,
    pub auth: Auth,
    /// OpenAPI parameter objects.
    pub params: Vec<Value>,
    /// The `requestBody`, for writes.
    pub body: Option<Value>,
    /// The answers other than errors, by status.
    pub ok: Vec<(&'static str, Value)>,
    /// The error statuses it can answer with (in the channel's envelope).
    pub errors: Vec<&'static str>,
}

/// What the document names from the database: the slugs filters and bodies accept.
#[derive(Debug, Default, Clone)]
pub struct Refs {
    pub themes: Vec<String>,
    pub departments: Vec<String>,
}

/// Every documented operation.
pub fn operations(refs: &Refs) -> Vec<Operation> {
    let mut all = operations::json_api(refs);
    all.extend(ckan::operations());
    all
}

fn rate_headers() -> Value {
    rate_headers_with(json!({}))
}

fn rate_headers_with(extra: Value) -> Value {
    let mut h = json!({
        "RateLimit-Limit": { "description": "每分钟配额", "schema": { "type": "integer" } },
        "RateLimit-Remaining": { "description": "剩余次数", "schema": { "type": "integer" } },
        "RateLimit-Reset": { "description": "配额恢复所需秒数", "schema": { "type": "integer" } }
    });
    if let (Some(h), Value::Object(extra)) = (h.as_object_mut(), extra) {
        h.extend(extra);
    }
    h
}

fn json_ok(schema: &str) -> Value {
    json!({
        "description": "成功",
        "headers": rate_headers(),
        "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } }
    })
}

fn not_modified() -> Value {
    json!({
        "description": "未修改（If-None-Match 与 ETag 相同）",
        "headers": rate_headers_with(json!({ "ETag": { "schema": { "type": "string" } } }))
    })
}

/// A whole resource in the format asked for.
fn download_ok() -> Value {
    let file = json!({ "type": "string" });
    json!({
        "description": "文件（Content-Disposition 给出中文文件名；支持 Range 与 If-None-Match）",
        "headers": rate_headers_with(json!({ "ETag": { "schema": { "type": "string" } } })),
        "content": {
            "text/csv": { "schema": file },
            "application/json": { "schema": { "type": "array", "items": { "type": "object" } } },
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": { "schema": file }
        }
    })
}

fn error_response(code: &str, ckan: bool) -> Value {
    let description = match code {
        "400" => "请求格式有误（参数或请求体不合本文档）",
        "401" => "缺少或无效的 API 密钥",
        "403" if ckan => "Authorization Error：API 密钥无效，或没有访问这些数据的授权",
        "403" => "无权访问（例如不是本部门、有条件开放数据没有有效授权）",
        "404" => "不存在或未开放",
        "409" if ckan => "Validation Error / Search Query Error：参数缺少或无法理解",
        "409" => "与现有状态冲突（标识已被使用、事件已结束、附件已满）",
        "410" => "原始文件已不保存",
        "413" => "文件过大",
        "415" => "文件类型不被接受",
        "422" => "格式正确，但违反本文档无法表达的规则（见各字段说明）",
        "429" => "超过频率限制或同时下载数；Retry-After 给出等待秒数",
        "507" => "存储空间不足",
        _ => "错误",
    };
    let schema = if ckan { "CkanEnvelope" } else { "Error" };
    let mut headers = rate_headers();
    if code == "429" {
        headers["Retry-After"] =
            json!({ "description": "等待秒数", "schema": { "type": "integer" } });
    }
    if code == "401" {
        headers["WWW-Authenticate"] = json!({ "schema": { "type": "string" } });
    }
    json!({
        "description": description,
        "headers": headers,
        "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } }
    })
}

/// No path or query parameter may hold a NUL: `web::nul` (and the CKAN parameters) refuse
/// one before any handler, so the document says so for every string parameter.
fn without_nul(schema: &mut Value) {
    const NO_NUL: &str = "^[^\\u0000]*$";
    let is_string = match schema.get("type") {
        Some(Value::String(t)) => t == "string",
        Some(Value::Array(ts)) => ts.iter().any(|t| t == "string"),
        _ => false,
    };
    if !is_string || schema.get("enum").is_some() {
        return;
    }
    // A parameter with a pattern of its own says it there (`schemas::trimmed` and the like;
    // the test `no_parameter_pattern_admits_a_nul` checks them): an `allOf` of two patterns
    // is more than Schemathesis' coverage phase can take.
    if schema.get("pattern").is_none() {
        schema["pattern"] = json!(NO_NUL);
    }
}

fn operation_value(op: &Operation) -> Value {
    let ckan = op.tag == "ckan";
    let mut params = op.params.clone();
    for p in &mut params {
        if matches!(p["in"].as_str(), Some("query" | "path"))
            && let Some(schema) = p.get_mut("schema")
        {
            without_nul(schema);
        }
    }
    let mut responses = Map::new();
    for (code, answer) in &op.ok {
        responses.insert((*code).into(), answer.clone());
    }
    for code in &op.errors {
        responses.insert((*code).into(), error_response(code, ckan));
    }
    let mut operation = json!({
        "operationId": op.id,
        "tags": [op.tag],
        "summary": op.summary,
        "parameters": params,
        "responses": responses,
    });
    if op.path.starts_with("/api/") {
        operation["security"] = match op.auth {
            Auth::Key => json!([{ "bearer": [] }]),
            // Optional: anonymous callers, or a key for a larger quota and granted data.
            Auth::Public if ckan => json!([{}, { "ckanKey": [] }, { "bearer": [] }]),
            Auth::Public => json!([{}, { "bearer": [] }]),
        };
    } else {
        operation["security"] = json!([{}]);
    }
    if let Some(body) = &op.body {
        operation["requestBody"] = body.clone();
    }
    operation
}

/// The whole document.
pub fn document(base: &str, version: &str, refs: &Refs) -> Value {
    let mut paths = Map::new();
    for op in operations(refs) {
        let value = operation_value(&op);
        if let Some(m) = paths
            .entry(op.path.clone())
            .or_insert_with(|| json!({}))
            .as_object_mut()
        {
            m.insert(op.method.into(), value);
        }
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "开放数据平台 API / Kaifang Open Data API",
            "version": version,
            "description": "公共数据开放平台的 JSON API 与 CKAN 兼容 API。说明、示例与配额见 /developers。错误统一为 {\"error\": {\"code\", \"message\", \"fields\"?}}（CKAN 路径为 CKAN 的 {help, success: false, error: {__type, message}}）；每个应答都带 RateLimit-* 头，429 另带 Retry-After。",
            "license": { "name": "Apache-2.0", "identifier": "Apache-2.0" }
        },
        "servers": [{ "url": base }],
        "tags": [
            { "name": "datasets", "description": "数据目录" },
            { "name": "data", "description": "数据行与下载" },
            { "name": "catalog", "description": "部门与主题" },
            { "name": "publishing", "description": "数据提供部门的发布接口" },
            { "name": "account", "description": "账号" },
            { "name": "emergencies", "description": "突发事件数据" },
            { "name": "ckan", "description": "CKAN 兼容 Action API（/api/3/action/… 与 /api/action/…）" },
            { "name": "meta", "description": "接口说明" }
        ],
        "paths": paths,
        "components": {
            "schemas": schemas::components(&refs.themes),
            "securitySchemes": {
                "bearer": { "type": "http", "scheme": "bearer", "description": "在 /account/keys 创建的 API 密钥" },
                "ckanKey": { "type": "apiKey", "in": "header", "name": "X-CKAN-API-Key" }
            }
        }
    })
}

/// `GET /api/openapi.json`
pub async fn show(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let refs = state
        .db_as(|c| {
            Ok::<_, ApiError>(Refs {
                themes: catalog::themes(c)?.into_iter().map(|t| t.slug).collect(),
                departments: catalog::departments(c)?
                    .into_iter()
                    .map(|d| d.slug)
                    .collect(),
            })
        })
        .await?;
    let base = crate::web::machine::base_url(&state, &req);
    Ok(crate::web::machine::tagged_json(
        &req,
        &document(&base, env!("CARGO_PKG_VERSION"), &refs),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CKAN_ROUTES: [&str; 2] = ["/api/3/action/{name}", "/api/action/{name}"];

    /// Every `/api/` route in the route table is described, and nothing else is; the CKAN
    /// routes are described action by action, every action the dispatcher knows under both.
    #[test]
    fn every_api_route_is_documented() {
        let routes = include_str!("../../routes.rs");
        let mut in_table: Vec<&str> = routes
            .split('"')
            .filter(|s| s.starts_with("/api/"))
            .collect();
        in_table.sort();
        in_table.dedup();
        let ops = operations(&Refs::default());
        // Documented pages outside /api/ (the live stream) are routes too.
        for op in ops.iter().filter(|o| !o.path.starts_with("/api/")) {
            assert!(routes.contains(&format!("\"{}\"", op.path)), "{}", op.path);
        }
        let actions = dispatched_actions();
        assert!(actions.len() >= 10, "{actions:?}");
        let mut documented: Vec<String> = Vec::new();
        for op in ops.iter().filter(|o| o.path.starts_with("/api/")) {
            let covered = CKAN_ROUTES.iter().find_map(|r| {
                let prefix = r.trim_end_matches("{name}");
                op.path
                    .strip_prefix(prefix)
                    .filter(|name| !name.contains('/'))
                    .map(|name| (*r, name))
            });
            match covered {
                Some((route, name)) => {
                    assert!(actions.contains(&name), "{name} is not dispatched");
                    documented.push(route.to_owned());
                }
                None => documented.push(op.path.clone()),
            }
        }
        documented.sort();
        documented.dedup();
        assert_eq!(in_table, documented);
        // Each action the dispatcher knows, under both paths, with GET and POST.
        for route in CKAN_ROUTES {
            for action in &actions {
                let path = route.replace("{name}", action);
                for method in ["get", "post"] {
                    assert!(
                        ops.iter().any(|o| o.path == path && o.method == method),
                        "{method} {path} is not documented"
                    );
                }
            }
        }
        let doc = document("http://x", "0", &Refs::default());
        assert_eq!(doc["openapi"], "3.1.0");
        assert!(doc["paths"]["/api/v1/datasets"]["get"]["responses"]["429"].is_object());
        // Operation ids are unique.
        let mut ids: Vec<&str> = ops.iter().map(|o| o.id.as_str()).collect();
        ids.sort();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n);
    }

    /// The action names `api::ckan::dispatch` matches on, read from its source.
    fn dispatched_actions() -> Vec<&'static str> {
        let source = include_str!("../ckan/mod.rs");
        let start = source.find("async fn dispatch").expect("dispatch");
        let end = start + source[start..].find("\nfn ").expect("the end of dispatch");
        let body = &source[start..end];
        let mut names = Vec::new();
        for (i, piece) in body.split('"').enumerate() {
            if i % 2 == 1
                && !piece.is_empty()
                && piece.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
            {
                let after = body.split('"').nth(i + 1).unwrap_or_default().trim_start();
                if after.starts_with("=>") || after.starts_with('|') {
                    names.push(piece);
                }
            }
        }
        names.sort();
        names.dedup();
        names
    }

    /// No path or query parameter's pattern matches a text holding a NUL.
    #[test]
    fn no_parameter_pattern_admits_a_nul() {
        let doc = document("http://x", "0", &Refs::default());
        let probes = ["\0", "a\0", "1\0", "a\0b", "x:asc\0", "2024\0"];
        for (path, ops) in doc["paths"].as_object().unwrap() {
            for (method, op) in ops.as_object().unwrap() {
                for p in op["parameters"].as_array().unwrap() {
                    let Some(pattern) = p["schema"]["pattern"].as_str() else {
                        continue;
                    };
                    let re = regex::Regex::new(&pattern.replace("\\u0000", "\\x00"))
                        .unwrap_or_else(|e| panic!("{method} {path} {}: {e}", p["name"]));
                    for probe in probes {
                        assert!(
                            !re.is_match(probe),
                            "{method} {path} {}: {pattern} admits {probe:?}",
                            p["name"]
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn the_documented_actions_are_the_dispatched_ones() {
        let mut documented = ckan::action_names();
        documented.sort();
        assert_eq!(documented, dispatched_actions());
    }
}
