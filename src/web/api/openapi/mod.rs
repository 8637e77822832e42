//! `GET /api/openapi.json`: the OpenAPI 3.1 description of the JSON API and the CKAN Action
//! API, built from [`OPERATIONS`]. The test `every_api_route_is_documented` reads the route
//! table (`web/routes.rs`) and fails when a route under `/api/` is missing here, so the two
//! cannot drift apart.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Map, Value, json};

use crate::web::AppState;

mod operations;

pub use operations::{Auth, OPERATIONS, Operation};

fn schemas() -> Value {
    let object = json!({ "type": "object", "additionalProperties": true });
    json!({
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": { "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": { "type": "string", "examples": ["bad_request", "rate_limited"] },
                    "message": { "type": "string" },
                    "fields": { "type": "object", "additionalProperties": { "type": "string" } }
                }
            }}
        },
        "Object": object,
        "File": { "type": "string", "contentMediaType": "text/csv" },
        "EventStream": {
            "type": "string",
            "contentMediaType": "text/event-stream",
            "description": "event: update / id: 更新编号 / data: 更新的 JSON（id, at, posted_at, text, indicators, attachments）"
        },
        "ItemList": {
            "type": "object",
            "required": ["items"],
            "properties": { "items": { "type": "array", "items": object } }
        },
        "SearchPage": {
            "type": "object",
            "required": ["total", "page", "per_page", "items"],
            "properties": {
                "total": { "type": "integer" },
                "page": { "type": "integer" },
                "per_page": { "type": "integer" },
                "pages": { "type": "integer" },
                "items": { "type": "array", "items": object },
                "facets": object
            }
        },
        "Dataset": {
            "type": "object",
            "required": ["slug", "title", "open_class"],
            "properties": {
                "slug": { "type": "string" },
                "code": { "type": "string" },
                "title": { "type": "string" },
                "summary": { "type": "string" },
                "keywords": { "type": "array", "items": { "type": "string" } },
                "open_class": { "enum": ["unconditional", "conditional"] },
                "open_conditions": { "type": ["string", "null"] },
                "legal_basis": { "type": ["string", "null"] },
                "update_frequency": { "type": "string" },
                "modified_at": { "type": "string", "format": "date-time" },
                "fields": { "type": "array", "items": object },
                "resources": { "type": "array", "items": object },
                "links": object
            }
        },
        "Rows": {
            "type": "object",
            "required": ["total", "fields", "records"],
            "properties": {
                "total": { "type": "integer" },
                "limit": { "type": "integer" },
                "offset": { "type": "integer" },
                "version": { "type": "integer" },
                "fields": { "type": "array", "items": object },
                "records": { "type": "array", "items": object }
            }
        },
        "CkanEnvelope": {
            "type": "object",
            "required": ["help", "success"],
            "properties": {
                "help": { "type": "string" },
                "success": { "type": "boolean" },
                "result": {},
                "error": {
                    "type": "object",
                    "properties": {
                        "__type": { "type": "string", "examples": ["Not Found Error", "Validation Error", "Authorization Error", "Search Query Error", "Rate Limit Error"] },
                        "message": { "type": "string" }
                    }
                }
            }
        }
    })
}

fn rate_headers() -> Value {
    json!({
        "RateLimit-Limit": { "description": "每分钟配额", "schema": { "type": "integer" } },
        "RateLimit-Remaining": { "description": "剩余次数", "schema": { "type": "integer" } },
        "RateLimit-Reset": { "description": "配额恢复所需秒数", "schema": { "type": "integer" } }
    })
}

fn error_response(description: &str, ckan: bool) -> Value {
    let schema = if ckan { "CkanEnvelope" } else { "Error" };
    json!({
        "description": description,
        "headers": rate_headers(),
        "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } }
    })
}

/// The whole document.
pub fn document(base: &str, version: &str) -> Value {
    let mut paths = Map::new();
    for op in OPERATIONS {
        let ckan = op.tag == "ckan";
        let mut responses = Map::new();
        let content_type = match op.answer {
            "File" => "text/csv",
            "EventStream" => "text/event-stream",
            _ => "application/json",
        };
        responses.insert(
            "200".into(),
            json!({
                "description": "成功",
                "headers": rate_headers(),
                "content": { content_type: { "schema": { "$ref": format!("#/components/schemas/{}", op.answer) } } }
            }),
        );
        for (code, what) in [
            ("400", "请求参数有误"),
            ("401", "缺少或无效的 API 密钥"),
            ("403", "无权访问（例如有条件开放数据没有有效授权）"),
            ("404", "不存在或未开放"),
            (
                "409",
                "冲突或校验失败（CKAN：Validation Error / Search Query Error）",
            ),
        ] {
            if code == "401" && op.auth == Auth::Public {
                continue;
            }
            responses.insert(code.into(), error_response(what, ckan));
        }
        let mut too_many = error_response("超过频率限制；Retry-After 给出等待秒数", ckan);
        too_many["headers"]["Retry-After"] =
            json!({ "description": "等待秒数", "schema": { "type": "integer" } });
        responses.insert("429".into(), too_many);
        let params: Vec<Value> = op
            .params
            .iter()
            .map(|(name, location, required, ty, description)| {
                json!({
                    "name": name, "in": location, "required": required,
                    "description": description, "schema": { "type": ty }
                })
            })
            .collect();
        let mut operation = json!({
            "operationId": op.id,
            "tags": [op.tag],
            "summary": op.summary,
            "parameters": params,
            "responses": responses,
        });
        operation["security"] = match op.auth {
            Auth::Key => json!([{ "bearer": [] }]),
            // Optional: anonymous callers, or a key for a larger quota and granted data.
            Auth::Public if ckan => json!([{}, { "ckanKey": [] }, { "bearer": [] }]),
            Auth::Public => json!([{}, { "bearer": [] }]),
        };
        if let Some(ct) = op.body {
            operation["requestBody"] = json!({
                "required": op.method != "post" || !ckan,
                "content": { ct: { "schema": { "type": "object" } } }
            });
        }
        paths
            .entry(op.path)
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .map(|m| m.insert(op.method.into(), operation));
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "开放数据平台 API / Kaifang Open Data API",
            "version": version,
            "description": "公共数据开放平台的 JSON API 与 CKAN 兼容 API。说明、示例与配额见 /developers。",
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
            { "name": "ckan", "description": "CKAN 兼容 Action API" },
            { "name": "meta", "description": "接口说明" }
        ],
        "paths": paths,
        "components": {
            "schemas": schemas(),
            "securitySchemes": {
                "bearer": { "type": "http", "scheme": "bearer", "description": "在 /account/keys 创建的 API 密钥" },
                "ckanKey": { "type": "apiKey", "in": "header", "name": "X-CKAN-API-Key" }
            }
        }
    })
}

/// `GET /api/openapi.json`
pub async fn show(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    let base = crate::web::machine::base_url(&state, &req);
    crate::web::machine::tagged_json(&req, &document(&base, env!("CARGO_PKG_VERSION")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `/api/` route in the route table is described, and nothing else is.
    #[test]
    fn every_api_route_is_documented() {
        let routes = include_str!("../../routes.rs");
        let mut in_table: Vec<&str> = routes
            .split('"')
            .filter(|s| s.starts_with("/api/"))
            .collect();
        in_table.sort();
        in_table.dedup();
        // Documented pages outside /api/ (the live stream) are routes too.
        for op in OPERATIONS.iter().filter(|o| !o.path.starts_with("/api/")) {
            assert!(routes.contains(&format!("\"{}\"", op.path)), "{}", op.path);
        }
        let mut documented: Vec<&str> = OPERATIONS
            .iter()
            .map(|o| o.path)
            .filter(|p| p.starts_with("/api/"))
            .collect();
        documented.sort();
        documented.dedup();
        assert_eq!(in_table, documented);
        let doc = document("http://x", "0");
        assert_eq!(doc["openapi"], "3.1.0");
        assert!(doc["paths"]["/api/v1/datasets"]["get"]["responses"]["429"].is_object());
    }
}
