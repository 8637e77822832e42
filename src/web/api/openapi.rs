//! `GET /api/openapi.json`: the OpenAPI 3.1 description of the JSON API and the CKAN Action
//! API, built from [`OPERATIONS`]. The test `every_api_route_is_documented` reads the route
//! table (`web/routes.rs`) and fails when a route under `/api/` is missing here, so the two
//! cannot drift apart.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Map, Value, json};

use crate::web::AppState;

/// Who may call an operation.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// Anyone; a key only raises the quota.
    Public,
    /// An API key is required (`Authorization: Bearer …`).
    Key,
}

/// A parameter: name, where (`path` or `query`), required, JSON type, description.
type Param = (&'static str, &'static str, bool, &'static str, &'static str);

pub struct Operation {
    pub method: &'static str,
    pub path: &'static str,
    pub id: &'static str,
    pub tag: &'static str,
    pub summary: &'static str,
    pub auth: Auth,
    pub params: &'static [Param],
    /// Request body content type, for writes.
    pub body: Option<&'static str>,
    /// The schema of a 200 answer (a name under `components.schemas`).
    pub answer: &'static str,
}

const SLUG: Param = ("slug", "path", true, "string", "数据集标识（slug）");
const RES: Param = ("id", "path", true, "integer", "资源编号");
const PAGE: Param = ("page", "query", false, "integer", "页码，从 1 开始");
const PER_PAGE: Param = ("per_page", "query", false, "integer", "每页条数，1–100");

pub const OPERATIONS: &[Operation] = &[
    Operation {
        method: "get",
        path: "/api/v1/datasets",
        id: "searchDatasets",
        tag: "datasets",
        summary: "检索数据目录（与 /datasets 页面相同的条件与分面）；带 modified_since 时按修改时间增量采集",
        auth: Auth::Public,
        params: &[
            ("q", "query", false, "string", "检索词（繁简体均可）"),
            ("theme", "query", false, "string", "主题标识"),
            ("dept", "query", false, "string", "部门标识"),
            (
                "open",
                "query",
                false,
                "string",
                "开放类型：unconditional 或 conditional",
            ),
            ("format", "query", false, "string", "格式，如 CSV"),
            ("freq", "query", false, "string", "更新频率"),
            (
                "sort",
                "query",
                false,
                "string",
                "relevance、updated、newest、downloads、name",
            ),
            (
                "modified_since",
                "query",
                false,
                "string",
                "RFC 3339 时间或日期：只列出此后修改的数据集（不能与检索条件同用）",
            ),
            PAGE,
            PER_PAGE,
        ],
        body: None,
        answer: "SearchPage",
    },
    Operation {
        method: "post",
        path: "/api/v1/datasets",
        id: "createDataset",
        tag: "publishing",
        summary: "数据提供部门创建数据集（JSON 元数据）",
        auth: Auth::Key,
        params: &[],
        body: Some("application/json"),
        answer: "Dataset",
    },
    Operation {
        method: "get",
        path: "/api/v1/datasets/{slug}",
        id: "getDataset",
        tag: "datasets",
        summary: "一个数据集的完整元数据、资源与链接（支持 ETag / If-None-Match）",
        auth: Auth::Public,
        params: &[SLUG],
        body: None,
        answer: "Dataset",
    },
    Operation {
        method: "patch",
        path: "/api/v1/datasets/{slug}",
        id: "updateDataset",
        tag: "publishing",
        summary: "数据提供部门修改数据集（须说明理由）",
        auth: Auth::Key,
        params: &[SLUG],
        body: Some("application/json"),
        answer: "Dataset",
    },
    Operation {
        method: "get",
        path: "/api/v1/datasets/{slug}/resources",
        id: "listResources",
        tag: "datasets",
        summary: "数据集的资源及其版本",
        auth: Auth::Public,
        params: &[SLUG],
        body: None,
        answer: "ItemList",
    },
    Operation {
        method: "post",
        path: "/api/v1/datasets/{slug}/resources",
        id: "uploadResource",
        tag: "publishing",
        summary: "上传 CSV / XLSX 资源（multipart，或原始请求体加 ?name=）",
        auth: Auth::Key,
        params: &[SLUG, ("name", "query", false, "string", "资源名称")],
        body: Some("multipart/form-data"),
        answer: "Object",
    },
    Operation {
        method: "get",
        path: "/api/v1/datasets/{slug}/resources/{id}",
        id: "getResource",
        tag: "datasets",
        summary: "一个资源及其版本",
        auth: Auth::Public,
        params: &[SLUG, RES],
        body: None,
        answer: "Object",
    },
    Operation {
        method: "get",
        path: "/api/v1/datasets/{slug}/resources/{id}/versions/{n}",
        id: "getVersionStatus",
        tag: "publishing",
        summary: "上传版本的处理进度与检查结果（本部门）",
        auth: Auth::Key,
        params: &[SLUG, RES, ("n", "path", true, "integer", "版本号")],
        body: None,
        answer: "Object",
    },
    Operation {
        method: "get",
        path: "/api/v1/datasets/{slug}/resources/{id}/rows",
        id: "queryRows",
        tag: "data",
        summary: "按字段筛选、排序、分页查询数据行；有条件开放数据须在有效授权内，且只返回授权字段",
        auth: Auth::Key,
        params: &[
            SLUG,
            RES,
            ("limit", "query", false, "integer", "条数，默认 100"),
            ("offset", "query", false, "integer", "起始位置"),
            ("sort", "query", false, "string", "字段:asc|desc，逗号分隔"),
            ("q", "query", false, "string", "全文检索"),
            ("version", "query", false, "integer", "版本号，默认当前版本"),
        ],
        body: None,
        answer: "Rows",
    },
    Operation {
        method: "get",
        path: "/api/v1/datasets/{slug}/resources/{id}/download",
        id: "downloadResource",
        tag: "data",
        summary: "下载整个资源（csv、json、xlsx）；同时进行的下载数受限",
        auth: Auth::Key,
        params: &[
            SLUG,
            RES,
            ("format", "query", false, "string", "csv、json 或 xlsx"),
        ],
        body: None,
        answer: "File",
    },
    Operation {
        method: "get",
        path: "/api/v1/departments",
        id: "listDepartments",
        tag: "catalog",
        summary: "数据提供部门及其开放数据集数量",
        auth: Auth::Public,
        params: &[],
        body: None,
        answer: "ItemList",
    },
    Operation {
        method: "get",
        path: "/api/v1/departments/{slug}",
        id: "getDepartment",
        tag: "catalog",
        summary: "一个部门",
        auth: Auth::Public,
        params: &[("slug", "path", true, "string", "部门标识")],
        body: None,
        answer: "Object",
    },
    Operation {
        method: "get",
        path: "/api/v1/themes",
        id: "listThemes",
        tag: "catalog",
        summary: "主题分类",
        auth: Auth::Public,
        params: &[],
        body: None,
        answer: "ItemList",
    },
    Operation {
        method: "get",
        path: "/api/v1/themes/{slug}",
        id: "getTheme",
        tag: "catalog",
        summary: "一个主题",
        auth: Auth::Public,
        params: &[("slug", "path", true, "string", "主题标识")],
        body: None,
        answer: "Object",
    },
    Operation {
        method: "get",
        path: "/api/v1/account",
        id: "getAccount",
        tag: "account",
        summary: "密钥所属账号",
        auth: Auth::Key,
        params: &[],
        body: None,
        answer: "Object",
    },
    Operation {
        method: "get",
        path: "/api/v1/emergencies",
        id: "listEmergencies",
        tag: "emergencies",
        summary: "突发事件：进行中的在前，然后是已结束的，每个带最近更新时间和是否逾期",
        auth: Auth::Public,
        params: &[],
        body: None,
        answer: "ItemList",
    },
    Operation {
        method: "get",
        path: "/api/v1/emergencies/{slug}",
        id: "getEmergency",
        tag: "emergencies",
        summary: "一个突发事件：更新记录、各指标的时间序列和相关数据集",
        auth: Auth::Public,
        params: &[("slug", "path", true, "string", "事件标识")],
        body: None,
        answer: "Object",
    },
    Operation {
        method: "post",
        path: "/api/v1/emergencies/{slug}/updates",
        id: "postEmergencyUpdate",
        tag: "emergencies",
        summary: "负责部门发布更新：{text, indicators: [{name, value, unit, region}], at?}",
        auth: Auth::Key,
        params: &[("slug", "path", true, "string", "事件标识")],
        body: Some("application/json"),
        answer: "Object",
    },
    Operation {
        method: "post",
        path: "/api/v1/emergencies/{slug}/updates/{id}/attachments",
        id: "attachToEmergencyUpdate",
        tag: "emergencies",
        summary: "为已发布的更新添加附件：PDF、PNG 或 JPEG，最大 10 MB，每条更新最多 5 个（multipart，或原始请求体加 ?name=）",
        auth: Auth::Key,
        params: &[
            ("slug", "path", true, "string", "事件标识"),
            ("id", "path", true, "integer", "更新编号"),
            ("name", "query", false, "string", "原始请求体时的文件名"),
        ],
        body: Some("multipart/form-data"),
        answer: "Object",
    },
    Operation {
        method: "get",
        path: "/api/openapi.json",
        id: "getOpenApi",
        tag: "meta",
        summary: "本文档",
        auth: Auth::Public,
        params: &[],
        body: None,
        answer: "Object",
    },
    Operation {
        method: "get",
        path: "/api/3/action/{name}",
        id: "ckanActionGet",
        tag: "ckan",
        summary: "CKAN 兼容 Action API（只读）：status_show、package_list、package_show、package_search、organization_list/show、group_list/show、tag_list、license_list、resource_show、resource_view_list、datastore_search",
        auth: Auth::Public,
        params: &[("name", "path", true, "string", "动作名")],
        body: None,
        answer: "CkanEnvelope",
    },
    Operation {
        method: "post",
        path: "/api/3/action/{name}",
        id: "ckanActionPost",
        tag: "ckan",
        summary: "同上，参数放在 JSON 或表单请求体中",
        auth: Auth::Public,
        params: &[("name", "path", true, "string", "动作名")],
        body: Some("application/json"),
        answer: "CkanEnvelope",
    },
    Operation {
        method: "get",
        path: "/api/action/{name}",
        id: "ckanActionGetShort",
        tag: "ckan",
        summary: "CKAN Action API 的另一路径（ckanapi 客户端使用）",
        auth: Auth::Public,
        params: &[("name", "path", true, "string", "动作名")],
        body: None,
        answer: "CkanEnvelope",
    },
    Operation {
        method: "post",
        path: "/api/action/{name}",
        id: "ckanActionPostShort",
        tag: "ckan",
        summary: "同上，参数放在 JSON 或表单请求体中",
        auth: Auth::Public,
        params: &[("name", "path", true, "string", "动作名")],
        body: Some("application/json"),
        answer: "CkanEnvelope",
    },
];

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
        let routes = include_str!("../routes.rs");
        let mut in_table: Vec<&str> = routes
            .split('"')
            .filter(|s| s.starts_with("/api/"))
            .collect();
        in_table.sort();
        in_table.dedup();
        let mut documented: Vec<&str> = OPERATIONS.iter().map(|o| o.path).collect();
        documented.sort();
        documented.dedup();
        assert_eq!(in_table, documented);
        let doc = document("http://x", "0");
        assert_eq!(doc["openapi"], "3.1.0");
        assert!(doc["paths"]["/api/v1/datasets"]["get"]["responses"]["429"].is_object());
    }
}
