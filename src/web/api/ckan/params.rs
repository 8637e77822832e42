//! Reading a CKAN call's parameters: the query string and body, and `package_search`'s `q`,
//! `fq`, `sort` and `facet.field` turned into a [`SearchQuery`].

use std::collections::BTreeMap;

use actix_web::{HttpMessage, HttpRequest};
use chrono::NaiveDateTime;
use serde_json::{Map, Value};

use super::Failure;
use crate::search::{Direction, Literal, SearchQuery, SortKey, Term};
use crate::web::api::read::parse_since;

/// Most rows `package_search` returns at once (CKAN's own default limit).
pub const MAX_ROWS: usize = 1000;
/// Furthest `start` a search may page to.
const MAX_START: i64 = 1_000_000;
/// Most terms in one `fq` (each becomes a query clause).
const MAX_TERMS: usize = 100;

pub type Params = Map<String, Value>;

/// The parameters of a call: the query string, then the JSON or form body on POST.
pub fn params(req: &HttpRequest, body: &[u8]) -> Result<Params, Failure> {
    let mut out = Map::new();
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(req.query_string())
        .map_err(|_| Failure::BadRequest("查询参数格式有误".into()))?;
    for (k, v) in pairs {
        out.insert(k, Value::String(v));
    }
    // No body at all; a body of only blanks is not a JSON object (Schemathesis: the document
    // says the body, when there is one, is an object).
    if body.is_empty() {
        refuse_nul(&out)?;
        return Ok(out);
    }
    let is_form = req
        .content_type()
        .starts_with("application/x-www-form-urlencoded");
    if is_form {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body)
            .map_err(|_| Failure::BadRequest("表单格式有误".into()))?;
        for (k, v) in pairs {
            out.insert(k, Value::String(v));
        }
    } else {
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(map)) => out.extend(map),
            _ => {
                return Err(Failure::BadRequest(
                    "Bad request - JSON Error: 请求体应为 JSON 对象".into(),
                ));
            }
        }
    }
    refuse_nul(&out)?;
    Ok(out)
}

/// No parameter may hold a NUL character, at any depth: PostgreSQL cannot compare or store one
/// (a 500 before), and no record holds one. A 409 naming the parameter, as CKAN's validation.
fn refuse_nul(p: &Params) -> Result<(), Failure> {
    fn has_nul(v: &Value) -> bool {
        match v {
            Value::String(s) => s.contains('\0'),
            Value::Array(items) => items.iter().any(has_nul),
            Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
            _ => false,
        }
    }
    match p.iter().find(|(k, v)| k.contains('\0') || has_nul(v)) {
        Some((k, _)) => Err(Failure::Validation(BTreeMap::from([(
            k.replace('\0', "\\u0000"),
            "不能含有 NUL 字符（\\u0000）".to_owned(),
        )]))),
        None => Ok(()),
    }
}

pub fn text(p: &Params, name: &str) -> Option<String> {
    match p.get(name)? {
        Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

pub fn integer(p: &Params, name: &str, default: i64) -> Result<i64, Failure> {
    match p.get(name) {
        None | Some(Value::Null) => Ok(default),
        Some(Value::Number(n)) => n.as_i64().ok_or_else(|| invalid(name)),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(default),
        Some(Value::String(s)) => s.trim().parse().map_err(|_| invalid(name)),
        Some(_) => Err(invalid(name)),
    }
}

fn invalid(name: &str) -> Failure {
    Failure::Validation(BTreeMap::from([(
        name.to_owned(),
        "Invalid integer".to_owned(),
    )]))
}

pub fn missing(name: &str) -> Failure {
    Failure::Validation(BTreeMap::from([(
        name.to_owned(),
        "Missing value".to_owned(),
    )]))
}

/// The words a boolean parameter may be (blank is false); anything else is a 409, as in CKAN.
pub const BOOLEAN_WORDS: [&str; 9] = ["true", "false", "True", "False", "1", "0", "yes", "no", ""];

pub fn boolean(p: &Params, name: &str) -> Result<bool, Failure> {
    match p.get(name) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(Value::String(s)) if BOOLEAN_WORDS.contains(&s.as_str()) => {
            Ok(matches!(s.as_str(), "true" | "True" | "1" | "yes"))
        }
        Some(_) => Err(Failure::Validation(BTreeMap::from([(
            name.to_owned(),
            format!(
                "应为 true 或 false（可用：{}）",
                BOOLEAN_WORDS[..8].join("、") // i18n: a separator inside a value
            ),
        )]))),
    }
}

/// A list parameter: a JSON array of strings, a JSON array in a string, or comma-separated.
/// Anything else (an array holding other values, a number) is a 409.
pub fn list(p: &Params, name: &str) -> Result<Vec<String>, Failure> {
    let invalid = || {
        Failure::Validation(BTreeMap::from([(
            name.to_owned(),
            "应为字符串列表".to_owned(),
        )]))
    };
    match p.get(name) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| v.as_str().map(str::to_owned).ok_or_else(invalid))
            .collect(),
        Some(Value::String(s)) => Ok(match serde_json::from_str::<Vec<String>>(s) {
            Ok(v) => v,
            Err(_) => s
                .split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect(),
        }),
        Some(_) => Err(invalid()),
    }
}

/// The facet fields `package_search` can count.
pub const FACET_FIELDS: [&str; 7] = [
    "organization",
    "groups",
    "tags",
    "res_format",
    "license_id",
    "open_class",
    "update_frequency",
];

/// A `package_search` call, read.
pub struct Search {
    pub query: SearchQuery,
    /// The `sort` to echo back.
    pub sort: String,
    pub facet_fields: Vec<String>,
    /// Negative: all values.
    pub facet_limit: i64,
}

/// Reads `q`, `fq`, `sort`, `start`, `rows`, `facet.field` and `facet.limit`.
pub fn search(p: &Params, now: NaiveDateTime) -> Result<Search, Failure> {
    let rows = integer(p, "rows", 10)?.clamp(0, MAX_ROWS as i64) as usize;
    let start = integer(p, "start", 0)?.clamp(0, MAX_START) as usize;
    let mut clauses = parse_fq(&text(p, "fq").unwrap_or_default(), now).map_err(Failure::Search)?;
    // `field:value` terms in `q` filter like `fq` (as Solr reads them); the rest is text.
    let mut words = Vec::new();
    for tok in tokens(&text(p, "q").unwrap_or_default()) {
        match tok.split_once(':').map(|(f, v)| term(f, v, now)) {
            Some(Ok(t)) => clauses.push(vec![Literal {
                negated: false,
                term: t,
            }]),
            _ => words.push(tok),
        }
    }
    if clauses.len() > MAX_TERMS {
        return Err(Failure::Search(format!(
            "fq 和 q 中的筛选条件最多 {MAX_TERMS} 个"
        )));
    }
    let q = Some(words.join(" ")).filter(|q| !q.is_empty() && q != "*:*" && q != "*");
    let sort = text(p, "sort").unwrap_or_else(|| {
        if q.is_some() {
            "score desc, metadata_modified desc".into()
        } else {
            "metadata_modified desc".into()
        }
    });
    let order = parse_sort(&sort).map_err(Failure::Search)?;
    let facet_fields = list(p, "facet.field")?;
    if let Some(other) = facet_fields
        .iter()
        .find(|f| !FACET_FIELDS.contains(&f.as_str()))
    {
        return Err(Failure::Search(format!("不支持按“{other}”统计分面")));
    }
    let more_facets = facet_fields
        .iter()
        .any(|f| f == "tags" || f == "license_id");
    Ok(Search {
        query: SearchQuery {
            text: q.unwrap_or_default(),
            offset: start,
            limit: rows,
            clauses,
            order,
            more_facets,
            no_facets: facet_fields.is_empty(),
            ids_only: true,
            ..SearchQuery::default()
        },
        sort,
        facet_fields,
        facet_limit: integer(p, "facet.limit", 50)?,
    })
}

/// One `field:value` term of `fq`.
fn term(field: &str, value: &str, now: NaiveDateTime) -> Result<Term, String> {
    let v = value.trim_matches('"').to_owned();
    Ok(match field {
        "organization" | "owner_org" => Term::Department(v),
        "groups" => Term::Theme(v),
        "tags" => Term::Tag(v),
        "res_format" => Term::Format(v.to_uppercase()),
        "license_id" => Term::License(v),
        "name" | "id" => Term::Name(v),
        "open_class" => {
            Term::OpenClass(v.parse().map_err(|_| {
                format!("open_class 只能是 unconditional 或 conditional，收到“{v}”")
            })?)
        }
        "update_frequency" => {
            Term::Frequency(v.parse().map_err(|_| format!("不认识的更新频率“{v}”"))?)
        }
        "metadata_modified" => {
            let wrong = || format!("metadata_modified 应为区间 [起 TO 止]，收到“{v}”");
            let inner = v
                .strip_prefix('[')
                .and_then(|s| s.strip_suffix(']'))
                .ok_or_else(wrong)?;
            let (from, to) = inner.split_once(" TO ").ok_or_else(wrong)?;
            let bound = |s: &str| -> Result<Option<NaiveDateTime>, String> {
                let s = s.trim();
                if s == "*" {
                    return Ok(None);
                }
                if s == "NOW" {
                    return Ok(Some(now));
                }
                if s.starts_with("NOW") {
                    return Err(format!(
                        "不支持日期运算“{s}”；请写具体时间（RFC 3339）、NOW 或 *"
                    ));
                }
                parse_since(s).map(Some).map_err(|e| e.message)
            };
            Term::Modified(bound(from)?, bound(to)?)
        }
        other => {
            return Err(format!(
                "不支持按“{other}”筛选；可用：organization、groups、tags、res_format、license_id、name、open_class、update_frequency、metadata_modified"
            ));
        }
    })
}

/// Splits `fq` into tokens, keeping quoted values and `[… TO …]` ranges whole.
fn tokens(fq: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let (mut quote, mut bracket) = (false, 0);
    for ch in fq.chars() {
        match ch {
            '"' => {
                quote = !quote;
                cur.push(ch);
            }
            '[' if !quote => {
                bracket += 1;
                cur.push(ch);
            }
            ']' if !quote => {
                bracket -= 1;
                cur.push(ch);
            }
            c if c.is_whitespace() && !quote && bracket == 0 => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// A parsed `fq`: clauses that must all hold; each clause is terms joined by `OR`, each term
/// possibly negated (`-field:value`).
fn parse_fq(fq: &str, now: NaiveDateTime) -> Result<Vec<Vec<Literal>>, String> {
    if fq.chars().filter(|c| *c == '"').count() % 2 == 1 {
        return Err("fq 中的引号没有配对".into());
    }
    let mut clauses: Vec<Vec<Literal>> = Vec::new();
    let mut join_next = false;
    for tok in tokens(fq) {
        if tok == "OR" {
            if clauses.is_empty() {
                return Err("fq 不能以 OR 开头".into());
            }
            join_next = true;
            continue;
        }
        if tok == "AND" {
            continue;
        }
        let (negated, rest) = match tok.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, tok.strip_prefix('+').unwrap_or(&tok)),
        };
        let (field, value) = rest
            .split_once(':')
            .ok_or_else(|| format!("fq 的每一项应为 字段:值，收到“{tok}”"))?;
        let literal = Literal {
            negated,
            term: term(field, value, now)?,
        };
        match clauses.last_mut() {
            Some(last) if join_next => last.push(literal),
            _ => clauses.push(vec![literal]),
        }
        join_next = false;
    }
    if join_next {
        return Err("fq 不能以 OR 结尾".into());
    }
    Ok(clauses)
}

/// CKAN's `sort`: `field [asc|desc]`, comma-separated; fields metadata_modified,
/// metadata_created, name, title, score.
fn parse_sort(spec: &str) -> Result<Vec<(SortKey, Direction)>, String> {
    let mut keys = Vec::new();
    for part in spec.split(',') {
        let mut it = part.split_whitespace();
        let Some(field) = it.next() else { continue };
        let direction = match it.next().unwrap_or("asc") {
            "asc" => Direction::Ascending,
            "desc" => Direction::Descending,
            other => return Err(format!("排序方向只能是 asc 或 desc，不是“{other}”")),
        };
        let key = match field {
            "metadata_modified" => SortKey::Modified,
            "metadata_created" => SortKey::Created,
            "name" => SortKey::Name,
            "title" | "title_string" => SortKey::Title,
            "score" => SortKey::Score,
            other => return Err(format!("不支持按“{other}”排序")),
        };
        keys.push((key, direction));
    }
    if keys.len() > 4 {
        return Err("排序最多四个字段".into());
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_780_000_000, 0)
            .unwrap()
            .naive_utc()
    }

    #[test]
    fn fq_reads_terms_negations_or_and_ranges() {
        let c = parse_fq("organization:a -tags:x groups:g1 OR groups:g2 metadata_modified:[2026-01-01T00:00:00Z TO *]", now()).unwrap();
        assert_eq!(c.len(), 4);
        assert!(matches!(&c[1][0], Literal { negated: true, term: Term::Tag(t) } if t == "x"));
        assert_eq!(c[2].len(), 2, "OR joins the two groups terms");
        assert!(matches!(
            &c[3][0],
            Literal {
                negated: false,
                term: Term::Modified(Some(_), None)
            }
        ));
        assert!(parse_fq("bogus:1", now()).is_err());
        assert!(parse_fq("OR groups:a", now()).is_err());
        assert!(parse_fq("groups", now()).is_err());
        assert!(parse_fq("name:\"a", now()).is_err());
        assert!(parse_fq("open_class:purple", now()).is_err());
        assert!(parse_fq("", now()).unwrap().is_empty());
        assert_eq!(
            tokens("name:\"a b\" x:[1 TO 2]"),
            ["name:\"a b\"", "x:[1 TO 2]"]
        );
    }

    #[test]
    fn sort_reads_keys_and_directions() {
        assert_eq!(
            parse_sort("score desc, metadata_modified desc").unwrap(),
            [
                (SortKey::Score, Direction::Descending),
                (SortKey::Modified, Direction::Descending)
            ]
        );
        assert_eq!(
            parse_sort("title_string").unwrap(),
            [(SortKey::Title, Direction::Ascending)]
        );
        assert!(parse_sort("colour asc").is_err());
        assert!(parse_sort("name sideways").is_err());
        assert!(parse_sort("name,name,name,name,name").is_err());
    }
}
