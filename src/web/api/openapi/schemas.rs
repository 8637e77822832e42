//! The schemas of the OpenAPI document: reusable `components.schemas`, and helpers that write a
//! parameter's or a field's schema exactly as the handler's parser reads it (trimmed lengths,
//! enums, ranges).

use serde_json::{Value, json};

use crate::domain::emergency::{MAX_INDICATOR_CHARS, MAX_TEXT_CHARS, MAX_VALUES, UNITS};
use crate::domain::{OpenClass, UpdateFrequency, region_code};

/// The characters `str::trim` strips (Rust's `char::is_whitespace`, Unicode White_Space), as the
/// inside of a regex class. ECMA-262's `\s` differs (it lacks U+0085 and has U+FEFF), so the
/// patterns name them one by one.
pub const WS: &str =
    "\t-\r \u{85}\u{a0}\u{1680}\u{2000}-\u{200a}\u{2028}\u{2029}\u{202f}\u{205f}\u{3000}";

/// A string whose trimmed length is `min..=max` characters (`min` at least 1).
pub fn trimmed(min: usize, max: usize) -> Value {
    // No NUL anywhere: PostgreSQL cannot store it, so the handlers refuse it.
    let (w, min) = (WS, min.max(1));
    let (first, any) = (format!("[^{w}\\u0000]"), "[^\\u0000]");
    let pattern = match max {
        0 | 1 => format!("^[{w}]*{first}[{w}]*$"),
        _ if min == 1 => format!("^[{w}]*{first}(?:{any}{{0,{}}}{first})?[{w}]*$", max - 2),
        _ => format!(
            "^[{w}]*{first}{any}{{{},{}}}{first}[{w}]*$",
            min - 2,
            max - 2
        ),
    };
    json!({ "type": "string", "pattern": pattern })
}

/// A string that, trimmed, is empty or at most `max` characters.
pub fn optional_trimmed(max: usize) -> Value {
    let w = WS;
    json!({
        "type": "string",
        // No NUL anywhere (`web::nul` refuses one before any handler).
        "pattern": format!("^[{w}]*(?:[^{w}\\u0000](?:[^\\u0000]{{0,{}}}[^{w}\\u0000])?)?[{w}]*$", max.saturating_sub(2)),
    })
}

/// An optional text in another language (the English title and summary): `null`, blank (none),
/// or a [`trimmed`] text of `min` to `max` characters.
pub fn optional_text(min: usize, max: usize) -> Value {
    let given = trimmed(min, max);
    let given = given["pattern"].as_str().unwrap_or_default();
    json!({
        "type": ["string", "null"],
        "pattern": format!("^[{WS}]*$|{given}"),
        "description": "英文；空白或 null 表示没有"
    })
}

/// A string that is one of `values` once trimmed; `empty` also allows a blank value (ignored).
pub fn trimmed_enum(values: &[&str], empty: bool) -> Value {
    let w = WS;
    let mut alts: Vec<String> = values.iter().map(|v| regex_escape(v)).collect();
    alts.sort();
    alts.dedup();
    let body = alts.join("|");
    let pattern = if empty {
        format!("^[{w}]*(?:{body})?[{w}]*$")
    } else {
        format!("^[{w}]*(?:{body})[{w}]*$")
    };
    json!({ "type": "string", "pattern": pattern, "examples": values.first().map(|v| vec![*v]).unwrap_or_default() })
}

fn regex_escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if "\\^$.|?*+()[]{}/-".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A slug: lower-case ASCII words joined by single hyphens, at most 80 characters.
pub fn slug() -> Value {
    json!({ "type": "string", "pattern": "^[a-z0-9]+(?:-[a-z0-9]+)*$", "maxLength": 80 })
}

/// A numeric id in a path. Any segment reaches the handler, and one that names nothing (not
/// digits, 0, beyond 32 bits) is a 404 like a missing record.
pub fn id() -> Value {
    json!({ "type": "string", "pattern": "^[0-9]+$", "description": "正整数" })
}

/// The update frequencies, by API name and by Chinese label.
pub fn frequencies() -> Vec<&'static str> {
    UpdateFrequency::ALL
        .iter()
        .map(|f| f.as_str())
        .chain(UpdateFrequency::ALL.iter().map(|f| f.label()))
        .collect()
}

/// Open classes a body may set (API names and Chinese labels).
pub fn open_classes(public_only: bool) -> Vec<&'static str> {
    OpenClass::ALL
        .iter()
        .filter(|c| !public_only || c.is_public())
        .flat_map(|c| [c.as_str(), c.label()])
        .collect()
}

/// What `services::resources::resource_name` accepts as a given name: blank, or trimmed at most
/// `NAME_MAX` characters without slashes or control characters.
fn resource_name() -> String {
    let (w, n) = (WS, crate::services::resources::NAME_MAX);
    let forbidden: String = crate::services::resources::NAME_FORBIDDEN
        .chars()
        .map(|c| regex_escape(&c.to_string()))
        .collect();
    let no = format!(r"\u0000-\u001f\u007f-\u009f{forbidden}");
    format!(
        "^[{w}]*(?:[^{w}{no}](?:[^{no}]{{0,{}}}[^{w}{no}])?)?[{w}]*$",
        n - 2
    )
}

/// `components.schemas`.
pub fn components(themes: &[String]) -> Value {
    let object = json!({ "type": "object" });
    let theme_names: Vec<&str> = themes.iter().map(String::as_str).collect();
    json!({
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": { "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": { "type": "string", "examples": ["bad_request", "unauthorized", "forbidden", "not_found", "conflict", "gone", "unprocessable", "rate_limited"] },
                    "message": { "type": "string" },
                    "fields": { "type": "object", "additionalProperties": { "type": "string" } }
                }
            }}
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
                    "required": ["__type"],
                    "properties": {
                        "__type": { "type": "string", "examples": ["Not Found Error", "Validation Error", "Authorization Error", "Search Query Error", "Rate Limit Error", "Bad Request"] },
                        "message": { "type": ["string", "array"] }
                    },
                    "additionalProperties": { "type": "array", "items": { "type": "string" } }
                }
            }
        },
        "Object": object,
        "EventStream": {
            "type": "string",
            "description": "event: update / id: 更新编号 / data: 更新的 JSON（id, at, posted_at, text, indicators, attachments）"
        },
        "ItemList": {
            "type": "object",
            "required": ["items"],
            "properties": { "items": { "type": "array", "items": object } }
        },
        "SearchPage": {
            "type": "object",
            "required": ["total", "page", "per_page", "pages", "items", "facets"],
            "properties": {
                "total": { "type": "integer", "minimum": 0 },
                "page": { "type": "integer", "minimum": 1 },
                "per_page": { "type": "integer", "minimum": 1, "maximum": 100 },
                "pages": { "type": "integer", "minimum": 0 },
                "items": { "type": "array", "items": {
                    "type": "object",
                    "required": ["slug", "url", "title", "open_class"],
                    "properties": {
                        "slug": { "type": "string" },
                        "url": { "type": "string" },
                        "title": { "type": "string" },
                        "open_class": { "enum": ["unconditional", "conditional"] }
                    }
                } },
                "facets": object
            }
        },
        "HarvestPage": {
            "type": "object",
            "required": ["total", "page", "per_page", "pages", "items"],
            "properties": {
                "total": { "type": "integer", "minimum": 0 },
                "page": { "type": "integer", "minimum": 1 },
                "per_page": { "type": "integer", "minimum": 1, "maximum": 100 },
                "pages": { "type": "integer", "minimum": 0 },
                "items": { "type": "array", "items": {
                    "type": "object",
                    "required": ["slug", "url", "modified_at", "resources"],
                    "properties": {
                        "slug": { "type": "string" },
                        "url": { "type": "string" },
                        "modified_at": { "type": "string" },
                        "resources": { "type": "array", "items": object }
                    }
                } }
            }
        },
        "Dataset": {
            "type": "object",
            "required": ["slug", "title", "open_class", "fields"],
            "properties": {
                "slug": { "type": "string" },
                "code": { "type": "string" },
                "title": { "type": "string" },
                "summary": { "type": "string" },
                "keywords": { "type": "array", "items": { "type": "string" } },
                "open_class": { "enum": ["unconditional", "conditional", "closed"] },
                "open_conditions": { "type": ["string", "null"] },
                "legal_basis": { "type": ["string", "null"] },
                "title_en": { "type": ["string", "null"] },
                "summary_en": { "type": ["string", "null"] },
                "update_frequency": { "type": "string" },
                "status": { "enum": ["draft", "published", "withdrawn"] },
                "modified_at": { "type": "string" },
                "fields": { "type": "array", "items": object },
                "resources": { "type": "array", "items": object },
                "links": object
            }
        },
        "DatasetWritten": {
            "type": "object",
            "required": ["dataset"],
            "properties": {
                "dataset": { "$ref": "#/components/schemas/Dataset" },
                "changed": { "type": "array", "items": { "type": "string" } },
                "pending_class_change": { "type": ["object", "null"] }
            }
        },
        "DatasetBody": dataset_body(&theme_names, true),
        "DatasetPatch": dataset_body(&theme_names, false),
        "Rows": {
            "type": "object",
            "required": ["total", "limit", "offset", "version", "fields", "records"],
            "properties": {
                "total": { "type": "integer" },
                "limit": { "type": "integer" },
                "offset": { "type": "integer" },
                "version": { "type": "integer" },
                "fields": { "type": "array", "items": object },
                "records": { "type": "array", "items": object }
            }
        },
        "EmergencyUpdateBody": emergency_update(),
        "Upload": {
            "type": "object",
            "additionalProperties": false,
            "description": format!("另可有文本字段 name：资源名称（匹配 {}；空白时取文件名）", resource_name()),
            "required": ["file"],
            "properties": {
                "file": { "type": "string", "format": "binary", "minLength": 1, "description": "CSV 或 XLSX 文件（不能为空）" },
                "resource": { "description": "给出资源编号时上传为该资源的新版本（不存在时为 404）" }
            }
        },
        "Attachment": {
            "type": "object",
            "additionalProperties": false,
            "required": ["file"],
            "properties": {
                "file": { "type": "string", "format": "binary", "minLength": 1, "description": "PDF、PNG 或 JPEG，最大 10 MB" }
            }
        }
    })
}

/// The body of `POST /api/v1/datasets` (`required`) or of `PATCH` (every member optional).
/// Unknown members are refused (`deny_unknown_fields`).
fn dataset_body(themes: &[&str], create: bool) -> Value {
    use crate::domain::Keywords;
    let keyword = format!(
        "^[{w}]*[^{w},，、;；\\u0000](?:[^,，、;；\\u0000]{{0,{}}}[^{w},，、;；\\u0000])?[{w}]*$",
        Keywords::MAX_CHARS - 2,
        w = WS
    );
    let field_types = crate::services::publishing::FIELD_TYPES
        .iter()
        .flat_map(|(api, label)| [*api, *label])
        .collect::<Vec<_>>();
    let date = json!({
        "type": ["string", "null"],
        "pattern": format!("^[{WS}]*(?:[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}})?[{WS}]*$"),
        "description": "YYYY-MM-DD；须为实际存在的日期，且开始不晚于结束（否则 422）"
    });
    let mut body = json!({
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "slug": slug(),
            "title": trimmed(1, 100),
            "summary": trimmed(10, 2000),
            "title_en": optional_text(1, 100),
            "summary_en": optional_text(10, 2000),
            "keywords": {
                "type": "array",
                "maxItems": Keywords::MAX_COUNT,
                "items": { "type": "string", "pattern": keyword }
            },
            "theme": { "enum": themes },
            "maintainer": trimmed(1, 100),
            "open_class": trimmed_enum(&open_classes(false), false),
            "open_conditions": { "type": ["string", "null"], "maxLength": 1000, "pattern": "^[^\\u0000]*$" },
            "legal_basis": { "type": ["string", "null"], "maxLength": 500, "pattern": "^[^\\u0000]*$" },
            "update_frequency": trimmed_enum(&frequencies(), false),
            "formats": {
                "type": "array",
                "minItems": 1,
                "items": { "type": "string", "pattern": format!("^[{WS}]*[A-Za-z0-9]{{1,10}}[{WS}]*$") }
            },
            "record_count": { "type": ["integer", "null"], "minimum": 0, "maximum": i64::MAX },
            "temporal_coverage": {
                "type": "object",
                "additionalProperties": false,
                "properties": { "start": date, "end": date }
            },
            "spatial_coverage": { "type": "string", "pattern": region_code::pattern(), "description": "6 位行政区划代码" },
            "license": trimmed(1, 100),
            "priority": { "type": "boolean" },
            "fields": {
                "type": "array",
                "maxItems": 300,
                "description": "字段名去掉首尾空白后不能重复（否则 422）",
                "items": {
                    "type": "object",
                    "required": ["name", "type"],
                    "properties": {
                        "name": trimmed(1, 50),
                        "type": trimmed_enum(&field_types, false),
                        "description": { "type": "string", "pattern": "^[^\\u0000]*$", "maxLength": 200 },
                        "unit": { "type": "string", "pattern": "^[^\\u0000]*$", "maxLength": 20 },
                        "masked": { "type": "boolean" }
                    }
                }
            },
            "reason": { "type": ["string", "null"], "pattern": "^[^\\u0000]*$", "description": "修改理由（记入历史）" },
            "status": { "type": ["string", "null"], "enum": ["published", "withdrawn", null] }
        },
        "description": "有条件开放（conditional）须填写 open_conditions，不予开放（closed）与有条件开放须填写 legal_basis（否则 422）"
    });
    if !create {
        body["required"] = json!(["reason"]);
        body["properties"]["reason"] = trimmed(1, 500);
        body["properties"]["reason"]["description"] = json!("修改理由（记入历史），必填");
    } else {
        body["required"] = json!([
            "slug",
            "title",
            "summary",
            "theme",
            "maintainer",
            "open_class",
            "update_frequency",
            "formats",
            "spatial_coverage",
            "license"
        ]);
    }
    body
}

/// `{text, indicators: [{name, value, unit, region}], at?}`; unknown members are refused.
fn emergency_update() -> Value {
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["text"],
        "properties": {
            "text": trimmed(1, MAX_TEXT_CHARS),
            "indicators": {
                "type": ["array", "null"],
                "maxItems": MAX_VALUES,
                "items": {
                    "type": "object",
                    "required": ["name", "value", "unit"],
                    "properties": {
                        "name": trimmed(1, MAX_INDICATOR_CHARS),
                        "value": { "anyOf": [
                            { "type": "number" },
                            { "type": "string", "pattern": format!("^[{WS}]*[+-]?(?:[0-9]{{1,15}}(?:\\.[0-9]{{0,15}})?|\\.[0-9]{{1,15}})(?:[eE][+-]?[0-9]{{1,2}})?[{WS}]*$") }
                        ] },
                        "unit": { "enum": UNITS },
                        "region": {
                            "type": ["string", "null"],
                            "pattern": format!("^[{WS}]*(?:{})?[{WS}]*$", region_code::pattern().trim_start_matches('^').trim_end_matches('$'))
                        }
                    }
                }
            },
            "at": {
                "anyOf": [
                    { "type": "null" },
                    { "type": "string", "format": "date-time" },
                    { "type": "string", "format": "date" }
                ],
                "description": "观测时间（RFC 3339）；须在事件开始之后、不晚于当前时间 5 分钟（否则 422）"
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `WS` is exactly what `str::trim` strips.
    #[test]
    fn the_whitespace_class_is_rusts() {
        let class: Vec<char> = {
            let mut out = Vec::new();
            let chars: Vec<char> = WS.chars().collect();
            let mut i = 0;
            while i < chars.len() {
                if i + 2 < chars.len() && chars[i + 1] == '-' {
                    out.extend(chars[i]..=chars[i + 2]);
                    i += 3;
                } else {
                    out.push(chars[i]);
                    i += 1;
                }
            }
            out
        };
        let rust: Vec<char> = (0..=0x10FFFFu32)
            .filter_map(char::from_u32)
            .filter(|c| c.is_whitespace())
            .collect();
        assert_eq!(class, rust);
    }
}
