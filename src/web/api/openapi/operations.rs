//! The JSON API's operations: one per method and path, each parameter with the schema its
//! parser enforces and each status the handler can answer with. Checked against the route table
//! by `every_api_route_is_documented`.

use serde_json::{Value, json};

use super::schemas::{WS, frequencies, id, open_classes, optional_trimmed, trimmed_enum};
use super::{Auth, Operation, Refs};
use crate::services::catalog::Sort;

fn query(name: &str, schema: Value, description: &str) -> Value {
    json!({ "name": name, "in": "query", "required": false, "description": description, "schema": schema })
}

fn path(name: &str, schema: Value, description: &str) -> Value {
    json!({ "name": name, "in": "path", "required": true, "description": description, "schema": schema })
}

fn dataset() -> Value {
    // Any slug reaches the handler; one that names no public dataset is a 404.
    path("slug", json!({ "type": "string" }), "数据集标识（slug）")
}

fn resource() -> Value {
    path("id", id(), "资源编号")
}

/// `page`, as `catalog_params` and `HarvestQuery` read it.
fn page(max: u64) -> Value {
    query(
        "page",
        json!({ "type": "integer", "minimum": 1, "maximum": max }),
        "页码，从 1 开始",
    )
}

fn per_page() -> Value {
    query(
        "per_page",
        json!({ "type": "integer", "minimum": 1, "maximum": 100 }),
        "每页条数，1–100",
    )
}

fn json_body(schema: &str) -> Value {
    json!({
        "required": true,
        "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } }
    })
}

fn multipart(schema: &str) -> Value {
    json!({
        "required": true,
        "content": { "multipart/form-data": {
            "schema": { "$ref": format!("#/components/schemas/{schema}") },
            "encoding": { "file": { "contentType": "application/octet-stream" } }
        } }
    })
}

#[allow(clippy::too_many_arguments)]
fn op(
    method: &'static str,
    path: &str,
    id: &str,
    tag: &'static str,
    summary: &str,
    auth: Auth,
    params: Vec<Value>,
    body: Option<Value>,
    ok: Vec<(&'static str, Value)>,
    errors: &[&'static str],
) -> Operation {
    Operation {
        method,
        path: path.to_owned(),
        id: id.to_owned(),
        tag,
        summary: summary.to_owned(),
        auth,
        params,
        body,
        ok,
        errors: errors.to_vec(),
    }
}

/// The JSON API (and the live stream, which it links to).
pub fn json_api(refs: &Refs) -> Vec<Operation> {
    use super::{json_ok, not_modified};
    use Auth::{Key, Public};
    let mut themes: Vec<&str> = refs.themes.iter().map(String::as_str).collect();
    let mut depts: Vec<&str> = refs.departments.iter().map(String::as_str).collect();
    themes.sort();
    depts.sort();
    let sorts: Vec<&str> = Sort::ALL.iter().map(|s| s.as_str()).collect();
    let int32 = json!({ "type": "integer", "minimum": 1, "maximum": i32::MAX });
    let tagged = |schema: &str| vec![("200", json_ok(schema)), ("304", not_modified())];
    let read = &["401", "404", "429"];
    vec![
        op(
            "get",
            "/api/v1/datasets",
            "searchDatasets",
            "datasets",
            "检索数据目录（与 /datasets 页面相同的条件与分面）。空值的参数视为未给出；旧的增量采集写法 ?modified_since= 以 308 转到 /api/v1/harvest",
            Public,
            vec![
                query(
                    "q",
                    optional_trimmed(crate::web::catalog_params::MAX_TEXT_CHARS),
                    "检索词（繁简体均可），最长 100 字",
                ),
                query("theme", trimmed_enum(&themes, true), "主题标识"),
                query("dept", trimmed_enum(&depts, true), "部门标识"),
                query(
                    "open",
                    trimmed_enum(&open_classes(true), true),
                    "开放类型：unconditional（无条件开放）或 conditional（有条件开放）",
                ),
                query(
                    "format",
                    json!({ "type": "string", "pattern": format!("^[{WS}]*[A-Za-z0-9]{{0,10}}[{WS}]*$") }),
                    "格式，如 CSV（不区分大小写）",
                ),
                query("freq", trimmed_enum(&frequencies(), true), "更新频率"),
                query("sort", trimmed_enum(&sorts, true), "排序"),
                page(u64::from(u32::MAX)),
                per_page(),
            ],
            None,
            vec![
                ("200", json_ok("SearchPage")),
                (
                    "308",
                    json!({ "description": "带 modified_since 的旧写法：转到 /api/v1/harvest（同样的查询参数）",
                            "headers": { "Location": { "schema": { "type": "string" } } } }),
                ),
            ],
            &["400", "401", "429"],
        ),
        op(
            "get",
            "/api/v1/harvest",
            "harvestDatasets",
            "datasets",
            "增量采集：modified_since 之后修改过的公开数据集（完整记录与资源），按修改时间从早到晚；最后一页最新的 modified_at 即下次采集的起点。只接受下列参数",
            Public,
            vec![
                query(
                    "modified_since",
                    json!({ "anyOf": [
                        { "type": "string", "format": "date-time" },
                        { "type": "string", "format": "date" }
                    ] }),
                    "RFC 3339 时间（如 2026-11-01T00:00:00Z）或日期；省略时列出全部",
                ),
                page(crate::web::machine::MAX_HARVEST_PAGE as u64),
                per_page(),
            ],
            None,
            vec![("200", json_ok("HarvestPage"))],
            &["400", "401", "429"],
        ),
        op(
            "post",
            "/api/v1/datasets",
            "createDataset",
            "publishing",
            "数据提供部门创建数据集（JSON 元数据）；给出 status 时一并发布或撤回（须写 reason）",
            Key,
            vec![],
            Some(json_body("DatasetBody")),
            vec![(
                "201",
                json!({
                    "description": "已创建",
                    "headers": super::rate_headers_with(json!({ "Location": { "schema": { "type": "string" } } })),
                    "content": { "application/json": { "schema": { "$ref": "#/components/schemas/DatasetWritten" } } }
                }),
            )],
            &["400", "401", "403", "409", "422", "429"],
        ),
        op(
            "get",
            "/api/v1/datasets/{slug}",
            "getDataset",
            "datasets",
            "一个公开数据集的完整元数据、资源与链接（支持 ETag / If-None-Match）",
            Public,
            vec![dataset()],
            None,
            tagged("Dataset"),
            read,
        ),
        op(
            "patch",
            "/api/v1/datasets/{slug}",
            "updateDataset",
            "publishing",
            "数据提供部门修改本部门的数据集：只写要改的成员，reason 必填",
            Key,
            vec![dataset()],
            Some(json_body("DatasetPatch")),
            vec![("200", json_ok("DatasetWritten"))],
            &["400", "401", "403", "404", "409", "422", "429"],
        ),
        op(
            "get",
            "/api/v1/datasets/{slug}/resources",
            "listResources",
            "datasets",
            "数据集的资源及其版本",
            Public,
            vec![dataset()],
            None,
            tagged("ItemList"),
            read,
        ),
        op(
            "post",
            "/api/v1/datasets/{slug}/resources",
            "uploadResource",
            "publishing",
            "上传 CSV / XLSX 资源（multipart 的 file 字段；也可把文件作为原始请求体并以 ?name= 给出文件名）",
            Key,
            vec![dataset()],
            Some(multipart("Upload")),
            vec![("201", json_ok("Object"))],
            &["400", "401", "403", "404", "409", "413", "429", "507"],
        ),
        op(
            "get",
            "/api/v1/datasets/{slug}/resources/{id}",
            "getResource",
            "datasets",
            "一个资源及其版本",
            Public,
            vec![dataset(), resource()],
            None,
            tagged("Object"),
            read,
        ),
        op(
            "get",
            "/api/v1/datasets/{slug}/resources/{id}/versions/{n}",
            "getVersionStatus",
            "publishing",
            "上传版本的处理进度与检查结果（本部门）",
            Key,
            vec![dataset(), resource(), path("n", id(), "版本号")],
            None,
            vec![("200", json_ok("Object"))],
            &["401", "403", "404", "429"],
        ),
        op(
            "get",
            "/api/v1/datasets/{slug}/resources/{id}/rows",
            "queryRows",
            "data",
            "按字段筛选、排序、分页查询数据行（筛选写作 字段=值 或 字段__运算符=值，运算符 eq、ne、gt、gte、lt、lte、contains）；有条件开放数据须在有效授权内，且只返回授权字段。字段名不属于该资源、或值不合字段类型时为 422",
            Key,
            vec![
                dataset(),
                resource(),
                query(
                    "limit",
                    json!({ "type": "integer", "minimum": 1, "maximum": crate::services::preview::MAX_LIMIT }),
                    "条数，默认 100",
                ),
                query(
                    "offset",
                    json!({ "type": "integer", "minimum": 0, "maximum": i64::MAX }),
                    "起始位置",
                ),
                query(
                    "sort",
                    {
                        let part = format!("(?:[^,:\\u0000]*|[^,\\u0000]*:(?:asc|desc)[{WS}]*)");
                        json!({ "type": "string", "pattern": format!("^{part}(?:,{part})*$") })
                    },
                    "字段:asc|desc，逗号分隔（字段须属于该资源，否则 422）",
                ),
                query("q", optional_trimmed(100), "全文检索，最长 100 字"),
                query("version", int32.clone(), "版本号，默认当前版本"),
            ],
            None,
            vec![("200", json_ok("Rows"))],
            &["400", "401", "403", "404", "422", "429"],
        ),
        op(
            "get",
            "/api/v1/datasets/{slug}/resources/{id}/download",
            "downloadResource",
            "data",
            "下载整个资源（csv、json、xlsx，或原始上传文件 original）；同时进行的下载数受限（429）",
            Key,
            vec![
                dataset(),
                resource(),
                query(
                    "format",
                    json!({ "enum": ["", "csv", "json", "xlsx", "original"] }),
                    "格式，默认 csv",
                ),
                query("version", int32, "版本号，默认当前版本"),
                query(
                    "bom",
                    json!({ "enum": crate::web::downloads::BOM_VALUES }),
                    "CSV 是否带 UTF-8 BOM（便于 Excel 打开）",
                ),
            ],
            None,
            vec![("200", super::download_ok()), ("304", not_modified())],
            &["400", "401", "403", "404", "410", "429"],
        ),
        op(
            "get",
            "/api/v1/departments",
            "listDepartments",
            "catalog",
            "数据提供部门及其开放数据集数量",
            Public,
            vec![],
            None,
            tagged("ItemList"),
            &["401", "429"],
        ),
        op(
            "get",
            "/api/v1/departments/{slug}",
            "getDepartment",
            "catalog",
            "一个部门",
            Public,
            vec![path("slug", json!({ "type": "string" }), "部门标识")],
            None,
            tagged("Object"),
            read,
        ),
        op(
            "get",
            "/api/v1/themes",
            "listThemes",
            "catalog",
            "主题分类",
            Public,
            vec![],
            None,
            tagged("ItemList"),
            &["401", "429"],
        ),
        op(
            "get",
            "/api/v1/themes/{slug}",
            "getTheme",
            "catalog",
            "一个主题",
            Public,
            vec![path("slug", json!({ "type": "string" }), "主题标识")],
            None,
            tagged("Object"),
            read,
        ),
        op(
            "get",
            "/api/v1/account",
            "getAccount",
            "account",
            "密钥所属账号",
            Key,
            vec![],
            None,
            vec![("200", json_ok("Object"))],
            &["401", "429"],
        ),
        op(
            "get",
            "/api/v1/emergencies",
            "listEmergencies",
            "emergencies",
            "突发事件：进行中的在前，然后是已结束的，每个带最近更新时间和是否逾期",
            Public,
            vec![],
            None,
            vec![("200", json_ok("ItemList"))],
            &["401", "429"],
        ),
        op(
            "get",
            "/api/v1/emergencies/{slug}",
            "getEmergency",
            "emergencies",
            "一个突发事件：更新记录、各指标的时间序列和相关数据集",
            Public,
            vec![path("slug", json!({ "type": "string" }), "事件标识")],
            None,
            vec![("200", json_ok("Object"))],
            read,
        ),
        op(
            "get",
            "/emergencies/{slug}/live",
            "followEmergency",
            "emergencies",
            "突发事件实时数据流（Server-Sent Events）：每条新更新一个 `update` 事件，`id:` 为更新编号，`data:` 为该更新的 JSON（与 getEmergency 的 updates 元素相同）；断线重连时带 Last-Event-ID 可补发错过的更新；每 15 秒一条注释保持连接",
            Public,
            vec![
                path("slug", json!({ "type": "string" }), "事件标识"),
                json!({
                    "name": "Last-Event-ID", "in": "header", "required": false,
                    "description": "最后收到的更新编号：先补发其后的全部更新",
                    "schema": { "type": "integer" }
                }),
            ],
            None,
            vec![(
                "200",
                json!({ "description": "事件流（不结束）", "content": { "text/event-stream": { "schema": { "$ref": "#/components/schemas/EventStream" } } } }),
            )],
            &["404"],
        ),
        op(
            "post",
            "/api/v1/emergencies/{slug}/updates",
            "postEmergencyUpdate",
            "emergencies",
            "负责部门发布更新：{text, indicators: [{name, value, unit, region}], at?}；事件已结束为 409",
            Key,
            vec![path("slug", json!({ "type": "string" }), "事件标识")],
            Some(json_body("EmergencyUpdateBody")),
            vec![("201", json_ok("Object"))],
            &["400", "401", "403", "404", "409", "422", "429"],
        ),
        op(
            "post",
            "/api/v1/emergencies/{slug}/updates/{id}/attachments",
            "attachToEmergencyUpdate",
            "emergencies",
            "为已发布的更新添加附件：PDF、PNG 或 JPEG（按内容判断，否则 415），最大 10 MB（413），每条更新最多 5 个（409）。multipart 的 file 字段，或原始请求体加 ?name=",
            Key,
            vec![
                path("slug", json!({ "type": "string" }), "事件标识"),
                path("id", id(), "更新编号"),
            ],
            Some(multipart("Attachment")),
            vec![("201", json_ok("Object"))],
            &["400", "401", "403", "404", "409", "413", "415", "429", "507"],
        ),
        op(
            "get",
            "/api/openapi.json",
            "getOpenApi",
            "meta",
            "本文档",
            Public,
            vec![],
            None,
            tagged("Object"),
            &["401", "429"],
        ),
    ]
    .into_iter()
    .map(|mut o| {
        // Only the live stream is outside the API channel (no quota, no key check).
        if !o.path.starts_with("/api/") {
            o.errors.retain(|e| *e == "404");
        }
        o
    })
    .collect()
}
