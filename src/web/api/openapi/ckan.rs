//! The CKAN Action API in the document: one path per action the dispatcher knows
//! (`api::ckan::dispatch`), under both `/api/3/action/` and `/api/action/`, GET with query
//! parameters and POST with a JSON or form body, each action with its own parameters.

use serde_json::{Map, Value, json};

use super::{Auth, Operation};
use crate::web::api::ckan::BOOLEAN_WORDS;

/// How a parameter is read (`api::ckan::params`).
#[derive(Clone, Copy)]
enum Kind {
    Text,
    Integer,
    Boolean,
    /// A JSON array, a JSON array in a string, or comma-separated.
    List,
    /// A JSON object, or one as a string.
    Object,
}

struct Param {
    name: &'static str,
    kind: Kind,
    required: bool,
    description: &'static str,
}

const fn p(name: &'static str, kind: Kind, description: &'static str) -> Param {
    Param {
        name,
        kind,
        required: false,
        description,
    }
}

const fn required(name: &'static str, kind: Kind, description: &'static str) -> Param {
    Param {
        name,
        kind,
        required: true,
        description,
    }
}

/// An action: its name, what it does, its parameters and whether it can answer 404.
struct Action {
    name: &'static str,
    summary: &'static str,
    params: &'static [Param],
    not_found: bool,
}

use Kind::{Boolean, Integer, List, Object, Text};

const ACTIONS: &[Action] = &[
    Action {
        name: "status_show",
        summary: "站点与 CKAN 版本信息",
        params: &[],
        not_found: false,
    },
    Action {
        name: "package_list",
        summary: "公开数据集的标识列表",
        params: &[
            p("limit", Integer, "最多条数（负数按 0）"),
            p("offset", Integer, "起始位置（负数按 0）"),
        ],
        not_found: false,
    },
    Action {
        name: "package_show",
        summary: "一个数据集（CKAN package）",
        params: &[
            p("id", Text, "数据集标识（id 与 name 给一个；都缺时为 409）"),
            p("name", Text, "同 id"),
        ],
        not_found: true,
    },
    Action {
        name: "package_search",
        summary: "检索数据集：q、fq（字段:值，支持 -否定、OR 与 metadata_modified:[起 TO 止]）、sort、rows、start、facet.field；无法理解的条件为 409 Search Query Error",
        params: &[
            p("q", Text, "检索词；其中的 字段:值 按 fq 理解"),
            p(
                "fq",
                Text,
                "筛选：organization、groups、tags、res_format、license_id、name、open_class、update_frequency、metadata_modified",
            ),
            p(
                "sort",
                Text,
                "如 metadata_modified desc；字段 metadata_modified、metadata_created、name、title、score",
            ),
            p("rows", Integer, "条数，超出 0–1000 的按边界"),
            p("start", Integer, "起始位置（负数按 0）"),
            p(
                "facet.field",
                List,
                "分面字段：organization、groups、tags、res_format、license_id、open_class、update_frequency",
            ),
            p("facet.limit", Integer, "每个分面最多几项；负数为全部"),
        ],
        not_found: false,
    },
    Action {
        name: "current_package_list_with_resources",
        summary: "最近修改的公开数据集及其资源，按修改时间从新到旧（CKAN 采集器用）",
        params: &[
            p("limit", Integer, "每页条数，1–1000，默认 100；超出为 409"),
            p("offset", Integer, "起始位置（负数按 0）；给了 page 时不用"),
            p("page", Integer, "页码，从 1 开始；小于 1 为 409"),
        ],
        not_found: false,
    },
    Action {
        name: "package_autocomplete",
        summary: "按标识或标题补全数据集名称：[{name, title, match_field, match_displayed}]",
        params: &[
            p(
                "q",
                Text,
                "已输入的文字，1–100 字（也可写作 incomplete；都缺时为 409）",
            ),
            p("incomplete", Text, "同 q"),
            p("limit", Integer, "最多条数，1–100，默认 10；超出为 409"),
        ],
        not_found: false,
    },
    Action {
        name: "format_autocomplete",
        summary: "补全资源格式名称（如 CSV、XLSX）：字符串列表",
        params: &[
            p(
                "q",
                Text,
                "已输入的文字，1–100 字（也可写作 incomplete；都缺时为 409）",
            ),
            p("incomplete", Text, "同 q"),
            p("limit", Integer, "最多条数，1–100，默认 5；超出为 409"),
        ],
        not_found: false,
    },
    Action {
        name: "organization_list",
        summary: "部门（CKAN organization）",
        params: &[p("all_fields", Boolean, "为真时返回完整记录而不是标识")],
        not_found: false,
    },
    Action {
        name: "organization_show",
        summary: "一个部门",
        params: &[
            required("id", Text, "部门标识（缺少时为 409）"),
            p("include_datasets", Boolean, "为真时附带其数据集"),
        ],
        not_found: true,
    },
    Action {
        name: "group_list",
        summary: "主题（CKAN group）",
        params: &[p("all_fields", Boolean, "为真时返回完整记录而不是标识")],
        not_found: false,
    },
    Action {
        name: "group_show",
        summary: "一个主题",
        params: &[
            required("id", Text, "主题标识（缺少时为 409）"),
            p("include_datasets", Boolean, "为真时附带其数据集"),
        ],
        not_found: true,
    },
    Action {
        name: "tag_list",
        summary: "关键词",
        params: &[p("query", Text, "只列出包含此文字的关键词")],
        not_found: false,
    },
    Action {
        name: "license_list",
        summary: "开放许可",
        params: &[],
        not_found: false,
    },
    Action {
        name: "resource_show",
        summary: "一个资源",
        params: &[required("id", Text, "资源编号（缺少时为 409）")],
        not_found: true,
    },
    Action {
        name: "resource_view_list",
        summary: "资源的预览视图",
        params: &[required("id", Text, "资源编号（缺少时为 409）")],
        not_found: true,
    },
    Action {
        name: "datastore_search",
        summary: "资源的数据行（与行查询接口相同的规则：有条件开放数据须有授权，否则 403）",
        params: &[
            p("resource_id", Text, "资源编号（也可写作 id；都缺时为 409）"),
            p("id", Text, "同 resource_id"),
            p("limit", Integer, "条数，默认 100；0 只返回字段；负数为 409"),
            p("offset", Integer, "起始位置；负数为 409"),
            p("q", Text, "全文检索"),
            p("sort", Text, "字段 asc|desc，逗号分隔"),
            p("filters", Object, "{\"字段\": \"值\"}"),
            p("fields", List, "只返回这些字段"),
            p("include_total", Boolean, "是否返回 total（默认是）"),
        ],
        not_found: true,
    },
];

/// The names of the documented actions.
#[cfg(test)]
pub fn action_names() -> Vec<&'static str> {
    ACTIONS.iter().map(|a| a.name).collect()
}

fn query_schema(kind: Kind) -> Value {
    match kind {
        // No NUL: every parameter holding one is a 409 (`params::params`).
        Text | List | Object => json!({ "type": "string", "pattern": "^[^\\u0000]*$" }),
        // `integer` trims and parses an i64 (a leading `+` too); blank is the default. Beyond
        // i64 is a 409 like any other bad value.
        Integer => json!({
            "type": "string",
            "pattern": format!("^[{w}]*(?:[+-]?[0-9]+)?[{w}]*$", w = super::schemas::WS)
        }),
        Boolean => json!({ "enum": BOOLEAN_WORDS }),
    }
}

fn body_schema(kind: Kind) -> Value {
    match kind {
        Text => json!({}),
        Integer => json!({ "type": ["integer", "null", "string"] }),
        Boolean => json!({ "anyOf": [{ "type": ["boolean", "null"] }, { "enum": BOOLEAN_WORDS }] }),
        List => json!({
            "anyOf": [{ "type": ["array", "null"], "items": { "type": "string" } }, { "type": "string" }]
        }),
        Object => json!({ "anyOf": [{ "type": ["object", "null"] }, { "type": "string" }] }),
    }
}

fn object(action: &Action, schema: fn(Kind) -> Value) -> Value {
    let mut properties = Map::new();
    for p in action.params {
        let mut s = schema(p.kind);
        s["description"] = json!(p.description);
        properties.insert(p.name.into(), s);
    }
    json!({ "type": "object", "properties": properties })
}

/// Every action under both prefixes, GET and POST.
pub fn operations() -> Vec<Operation> {
    let mut out = Vec::new();
    for (prefix, suffix) in [("/api/3/action", ""), ("/api/action", "Short")] {
        for a in ACTIONS {
            let path = format!("{prefix}/{}", a.name);
            let camel: String = a
                .name
                .split('_')
                .map(|w| {
                    let mut c = w.chars();
                    c.next()
                        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                        .unwrap_or_default()
                })
                .collect();
            let mut errors = vec!["403", "409", "429"];
            if a.not_found {
                errors.push("404");
            }
            let params = a
                .params
                .iter()
                .map(|p| {
                    json!({
                        "name": p.name, "in": "query", "required": p.required,
                        "description": p.description, "schema": query_schema(p.kind)
                    })
                })
                .collect();
            out.push(Operation {
                method: "get",
                path: path.clone(),
                id: format!("ckan{camel}{suffix}"),
                tag: "ckan",
                summary: a.summary.to_owned(),
                auth: Auth::Public,
                params,
                body: None,
                ok: vec![("200", super::json_ok("CkanEnvelope"))],
                errors: errors.clone(),
            });
            let mut post_errors = errors;
            post_errors.push("400");
            out.push(Operation {
                method: "post",
                path,
                id: format!("ckan{camel}Post{suffix}"),
                tag: "ckan",
                summary: format!(
                    "{}（参数放在 JSON 请求体中，也接受 application/x-www-form-urlencoded 表单；请求体不是 JSON 对象时为 400）",
                    a.summary
                ),
                auth: Auth::Public,
                params: vec![],
                body: Some(json!({
                    "required": false,
                    "content": {
                        "application/json": { "schema": object(a, body_schema) }
                    }
                })),
                ok: vec![("200", super::json_ok("CkanEnvelope"))],
                errors: post_errors,
            });
        }
    }
    out
}
