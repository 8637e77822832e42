//! Reading a ready version's datastore table: the preview on the dataset page (first rows,
//! column summary, a chart) and the row API's typed, checked queries. Rows are read only for a
//! [`Served`] version: one that `services::access` let this reader have.

use diesel::result::Error as DbError;

use super::access::Served;
use super::ingest::{self, ColumnInfo};
use crate::db::DbConnection;
use crate::db::datastore::{self, Col, Condition, Op, RowQuery};
use crate::db::versions::Version;
use crate::domain::column_type::{ColumnType, Value, parse_as};

/// Rows shown on the dataset page.
pub const PREVIEW_ROWS: i64 = 50;
/// Bytes of one cell shown in a preview.
const PREVIEW_CELL_BYTES: usize = 300;
/// Most rows one API request returns.
pub const MAX_LIMIT: i64 = 10_000;
const DEFAULT_LIMIT: i64 = 100;

/// The datastore columns of a version, in order, with their public names.
pub fn columns(v: &Version) -> Vec<ColumnInfo> {
    ingest::columns_of(v)
        .into_iter()
        .filter(|c| !c.key.is_empty())
        .collect()
}

fn cols(columns: &[ColumnInfo]) -> Vec<Col> {
    columns
        .iter()
        .map(|c| Col {
            key: c.key.clone(),
            ty: c.ty,
        })
        .collect()
}

/// The datastore table of a version the gate let this reader have.
fn table(served: &Served) -> Result<&str, DbError> {
    served.table().ok_or(DbError::NotFound)
}

/// A bar of the chart, with its geometry in the SVG's coordinates.
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub shown: String,
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    /// Baseline of the bar's label and value texts.
    pub text_y: f64,
    /// Where the value text starts, right of the bar.
    pub value_x: f64,
}

/// A bar chart of one numeric column summed over a date or category column.
#[derive(Debug, Clone)]
pub struct Chart {
    pub title: String,
    pub value_name: String,
    pub group_name: String,
    pub bars: Vec<Bar>,
    pub width: f64,
    pub height: f64,
    /// Where bars start (below the labels of the value axis).
    pub baseline: f64,
    pub max_shown: String,
    /// One sentence on what the chart shows (highest, lowest; the trend when it runs over
    /// time), written here so every reader gets it, beside the data table.
    pub summary: String,
    /// Whether the bars run in time order ([`Chart::over_time`]).
    pub chronological: bool,
    /// For a chart of a dataset's columns, what its title is made of (for another language):
    /// (the measured column, the grouping column, whether the values are added up).
    pub columns: Option<(String, String, bool)>,
}

impl Chart {
    /// For a chart whose bars run in time order: the summary also tells the trend.
    pub fn over_time(mut self) -> Self {
        self.chronological = true;
        if let (Some(a), Some(b)) = (self.bars.first(), self.bars.last()) {
            let from = (a.label.as_str(), a.shown.as_str(), a.value);
            let to = (b.label.as_str(), b.shown.as_str(), b.value);
            self.summary = format!(
                "{}；{}。", // i18n: Chinese only; English pages write their own
                self.summary.trim_end_matches('。'),
                movement(from, to)
            );
        }
        self
    }
}

/// How a value moved: "up", "down", or "level" (within half a percent).
pub fn direction(from: f64, to: f64) -> &'static str {
    let tolerance = from.abs().max(to.abs()) * 0.005;
    if (to - from).abs() <= tolerance {
        "level"
    } else if to > from {
        "up"
    } else {
        "down"
    }
}

// i18n-off: the Chinese chart text; English pages write their own (_bar_chart.html)
/// How a value moved between two points, each (when, as shown, value): "从 1月 的 10 上升到 3月 的 12".
pub fn movement(from: (&str, &str, f64), to: (&str, &str, f64)) -> String {
    let (a, b) = (
        format!("{} 的 {}", from.0, from.1),
        format!("{} 的 {}", to.0, to.1),
    );
    match direction(from.2, to.2) {
        "level" => format!("从 {a} 到 {b}，基本持平"),
        "up" => format!("从 {a} 上升到 {b}"),
        _ => format!("从 {a} 下降到 {b}"),
    }
}

/// "共 3 项，最高的是“甲”（10），最低的是“丙”（2）。"
fn extremes_sentence(bars: &[Bar]) -> String {
    let high = bars.iter().max_by(|a, b| a.value.total_cmp(&b.value));
    let low = bars.iter().min_by(|a, b| a.value.total_cmp(&b.value));
    match (high, low) {
        (Some(h), Some(l)) if bars.len() > 1 => format!(
            "共 {} 项，最高的是“{}”（{}），最低的是“{}”（{}）。",
            bars.len(),
            h.label,
            h.shown,
            l.label,
            l.shown
        ),
        (Some(h), _) => format!("只有 1 项：“{}”（{}）。", h.label, h.shown),
        _ => "暂无数据。".to_owned(),
    }
}
// i18n-on

#[derive(Debug, Clone)]
pub struct Preview {
    pub columns: Vec<ColumnInfo>,
    pub rows: Vec<Vec<String>>,
    pub total: i64,
    pub chart: Option<Chart>,
}

fn cell_text(v: &serde_json::Value, ty: ColumnType) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::Bool(b) => if *b { "是" } else { "否" }.to_owned(),
        // A preview is for reading: a long cell shows its start (the file has it whole).
        serde_json::Value::String(s) if s.len() > PREVIEW_CELL_BYTES => {
            let mut end = PREVIEW_CELL_BYTES;
            while !s.is_char_boundary(end) {
                end -= 1;
            }
            format!("{}…", &s[..end])
        }
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) if ty == ColumnType::Decimal => n
            .as_f64()
            .map(format_number)
            .unwrap_or_else(|| n.to_string()),
        other => other.to_string(),
    }
}

/// A number as people read it: no trailing zeros, at most two decimals past the integer part.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        return format!("{}", n as i64);
    }
    let s = format!("{n:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// The first rows, the summary and a chart when the data has a numeric column and a date or
/// category column to group it by.
pub fn preview(conn: &mut DbConnection, served: &Served) -> Result<Preview, DbError> {
    let v = &served.version;
    let columns = columns(v);
    let cols = cols(&columns);
    let table = table(served)?;
    let q = RowQuery {
        limit: PREVIEW_ROWS,
        ..RowQuery::default()
    };
    let rows = datastore::rows(conn, table, &cols, &q)?
        .into_iter()
        .map(|r| {
            r.iter()
                .zip(&columns)
                .map(|(v, c)| cell_text(v, c.ty))
                .collect()
        })
        .collect();
    let chart = chart(conn, table, &columns)?;
    Ok(Preview {
        total: v.row_count.unwrap_or(0),
        columns,
        rows,
        chart,
    })
}

/// Names that look like identifiers or codes are not worth summing.
fn is_measure(c: &ColumnInfo) -> bool {
    c.ty.is_numeric()
        && ![
            // i18n: words that tell a column's role, matched against Chinese column names (data)
            "编号", "编码", "代码", "序号", "号码", "邮编", "id", "ID", "年份", "年度",
        ]
        .iter()
        .any(|w| c.name.contains(w))
}

fn chart(
    conn: &mut DbConnection,
    table: &str,
    columns: &[ColumnInfo],
) -> Result<Option<Chart>, DbError> {
    let Some(value) = columns.iter().find(|c| is_measure(c)) else {
        return Ok(None);
    };
    let group = columns
        .iter()
        .find(|c| c.ty == ColumnType::Date)
        .map(|c| (c, true))
        .or_else(|| {
            columns
                .iter()
                .find(|c| {
                    c.ty == ColumnType::Text && !c.distinct_more && (2..=60).contains(&c.distinct)
                })
                .map(|c| (c, false))
        });
    let Some((group, chronological)) = group else {
        return Ok(None);
    };
    let (g, val) = (
        Col {
            key: group.key.clone(),
            ty: group.ty,
        },
        Col {
            key: value.key.clone(),
            ty: value.ty,
        },
    );
    // Counts and amounts add up; measurements (temperatures, prices, rates) are averaged.
    // i18n: words that tell a column's role (data)
    let additive = ["数", "量", "额", "金", "费", "收入", "支出", "产值", "合计", "总"]
    .iter()
    .any(|w| value.name.contains(w))
        // i18n: words that tell a column's role (data)
        && !["率", "均", "价格", "指数"]
            .iter()
            .any(|w| value.name.contains(w));
    let bars = datastore::sums_by(conn, table, &g, &val, chronological, !additive, 12)?;
    if bars.len() < 2 {
        return Ok(None);
    }
    // i18n-off: the Chinese chart text; English pages write their own (_bar_chart.html)
    let what = if additive { "合计" } else { "平均值" };
    let mut chart = layout_chart(
        format!(
            "{}{what}（按{}{}）",
            value.name,
            group.name,
            if chronological {
                "，最近 12 个"
            } else {
                "，前 12 位"
            }
        ),
        // i18n-on
        format!("{}{what}", value.name),
        group.name.clone(),
        bars,
    );
    chart.columns = Some((value.name.clone(), group.name.clone(), additive));
    Ok(Some(if chronological {
        chart.over_time()
    } else {
        chart
    }))
}

/// Geometry of a horizontal bar chart: one row per bar, label on the left, value on the right.
pub fn layout_chart(
    title: String,
    value_name: String,
    group_name: String,
    data: Vec<(String, f64)>,
) -> Chart {
    const WIDTH: f64 = 640.0;
    const ROW: f64 = 28.0;
    const LABEL: f64 = 170.0;
    const VALUE: f64 = 90.0;
    let max = data.iter().map(|(_, v)| *v).fold(0.0_f64, f64::max);
    let span = WIDTH - LABEL - VALUE;
    let bars = data
        .into_iter()
        .enumerate()
        .map(|(i, (label, value))| {
            let width = if max > 0.0 {
                (value.max(0.0) / max * span).max(1.0)
            } else {
                1.0
            };
            let width = (width * 10.0).round() / 10.0;
            let y = i as f64 * ROW + 6.0;
            Bar {
                label: label.chars().take(14).collect(),
                shown: format_number(value),
                value,
                x: LABEL,
                y,
                width,
                height: ROW - 10.0,
                text_y: y + 13.0,
                value_x: LABEL + width + 6.0,
            }
        })
        .collect::<Vec<_>>();
    Chart {
        height: bars.len() as f64 * ROW + 8.0,
        summary: extremes_sentence(&bars),
        title,
        value_name,
        group_name,
        bars,
        width: WIDTH,
        baseline: LABEL,
        max_shown: format_number(max),
        chronological: false,
        columns: None,
    }
}

/// Why a row query was refused (a 400 for the API).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct QueryError(pub String, pub QueryFault);

/// What is wrong with a refused row query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryFault {
    /// The query string itself: a bad limit, offset, sort direction, operator.
    Form,
    /// A field the resource does not have, or a value that is not of its field's type.
    Field,
}

impl QueryError {
    fn form(message: impl Into<String>) -> Self {
        Self(message.into(), QueryFault::Form)
    }

    fn field(message: impl Into<String>) -> Self {
        Self(message.into(), QueryFault::Field)
    }
}

/// A parsed row query.
#[derive(Debug, Clone)]
pub struct Query {
    pub rows: RowQuery,
}

fn column_index(columns: &[ColumnInfo], name: &str) -> Result<usize, QueryError> {
    columns.iter().position(|c| c.name == name).ok_or_else(|| {
        QueryError::field(format!(
            "没有名为“{name}”的字段；可用字段：{}",
            columns
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join("、") // i18n: a separator inside a value
        ))
    })
}

/// Parses the query string of the row API against the version's schema. Every column name
/// must be one of the schema's and every value must parse as its column's type.
pub fn parse_query(
    columns: &[ColumnInfo],
    params: &[(String, String)],
) -> Result<Query, QueryError> {
    let mut q = RowQuery {
        limit: DEFAULT_LIMIT,
        ..RowQuery::default()
    };
    for (key, value) in params {
        match key.as_str() {
            "limit" => {
                q.limit = value
                    .parse::<i64>()
                    .ok()
                    .filter(|n| (1..=MAX_LIMIT).contains(n))
                    .ok_or_else(|| {
                        QueryError::form(format!("limit 应为 1 到 {MAX_LIMIT} 之间的整数"))
                    })?;
            }
            "offset" => {
                q.offset = value
                    .parse::<i64>()
                    .ok()
                    .filter(|n| *n >= 0)
                    .ok_or_else(|| QueryError::form("offset 应为不小于 0 的整数"))?;
            }
            "sort" => {
                for part in value.split(',').filter(|p| !p.trim().is_empty()) {
                    let (name, dir) = part.trim().rsplit_once(':').unwrap_or((part.trim(), "asc"));
                    let desc = match dir {
                        "asc" => false,
                        "desc" => true,
                        other => {
                            return Err(QueryError::form(format!(
                                "排序方向只能是 asc 或 desc，不是“{other}”"
                            )));
                        }
                    };
                    q.sort.push((column_index(columns, name)?, desc));
                }
            }
            "q" => {
                let t = value.trim();
                if t.chars().count() > 100 {
                    return Err(QueryError::form("q 最多 100 个字"));
                }
                q.text = (!t.is_empty()).then(|| t.to_owned());
            }
            // Chooses the version; handled by the caller.
            "version" => {}
            _ => {
                let (name, op) = match key.rsplit_once("__") {
                    Some((name, op)) => (
                        name,
                        Op::parse(op).ok_or_else(|| {
                            QueryError::form(format!(
                                "不支持的运算符“{op}”；可用：eq、ne、gt、gte、lt、lte、contains"
                            ))
                        })?,
                    ),
                    None => (key.as_str(), Op::Eq),
                };
                let col = column_index(columns, name)?;
                let ty = columns[col].ty;
                let value = if op == Op::Contains {
                    Value::Text(value.clone())
                } else {
                    if matches!(op, Op::Gt | Op::Gte | Op::Lt | Op::Lte)
                        && ty == ColumnType::Boolean
                    {
                        return Err(QueryError::field(format!(
                            "字段“{name}”是布尔型，不能比较大小"
                        )));
                    }
                    parse_as(ty, value.trim())
                        .filter(|v| {
                            !(*v == Value::Null
                                && matches!(op, Op::Gt | Op::Gte | Op::Lt | Op::Lte))
                        })
                        .ok_or_else(|| {
                            QueryError::field(format!(
                                "字段“{name}”是{}，“{value}”不是有效的值",
                                ty.label()
                            ))
                        })?
                };
                q.conditions.push(Condition { col, op, value });
            }
        }
    }
    Ok(Query { rows: q })
}

/// One page of rows.
#[derive(Debug, Clone)]
pub struct RowsPage {
    pub total: i64,
    pub columns: Vec<ColumnInfo>,
    pub rows: Vec<Vec<serde_json::Value>>,
}

pub fn query(conn: &mut DbConnection, served: &Served, q: &Query) -> Result<RowsPage, DbError> {
    query_columns(conn, served, columns(&served.version), q)
}

/// As [`query`], over `columns` only (a grant's): `q` must have been parsed against the same
/// columns, so that filters and sorts can name no other.
pub fn query_columns(
    conn: &mut DbConnection,
    served: &Served,
    columns: Vec<ColumnInfo>,
    q: &Query,
) -> Result<RowsPage, DbError> {
    let cols = cols(&columns);
    let table = table(served)?;
    let total = datastore::count(conn, table, &cols, &q.rows)?;
    let rows = datastore::rows(conn, table, &cols, &q.rows)?;
    Ok(RowsPage {
        total,
        columns,
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(name: &str, ty: ColumnType, i: usize) -> ColumnInfo {
        ColumnInfo {
            source: i,
            name: name.into(),
            key: format!("c{}", i + 1),
            ty,
            nulls: 0,
            distinct: 0,
            distinct_more: false,
            min: None,
            max: None,
            treatment: None,
        }
    }

    fn params(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn queries_are_checked_against_the_schema() {
        let cols = [
            col("线路", ColumnType::Text, 0),
            col("票价", ColumnType::Decimal, 1),
            col("开通日期", ColumnType::Date, 2),
        ];
        let q = parse_query(
            &cols,
            &params(&[
                ("票价__gte", "2"),
                ("sort", "开通日期:desc"),
                ("limit", "10"),
            ]),
        )
        .unwrap();
        assert_eq!(q.rows.limit, 10);
        assert_eq!(q.rows.sort, vec![(2, true)]);
        assert_eq!(q.rows.conditions[0].op, Op::Gte);
        assert_eq!(q.rows.conditions[0].value, Value::Decimal(2.0));
        for bad in [
            vec![("不存在", "1")],
            vec![("票价__like", "1")],
            vec![("票价", "两元")],
            vec![("开通日期__gt", "昨天")],
            vec![("sort", "票价:down")],
            vec![("sort", "密码")],
            vec![("limit", "10001")],
            vec![("limit", "0")],
            vec![("offset", "-1")],
        ] {
            assert!(parse_query(&cols, &params(&bad)).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn numbers_read_naturally() {
        assert_eq!(format_number(12.0), "12");
        assert_eq!(format_number(2.5), "2.5");
        assert_eq!(format_number(1.0 / 3.0), "0.33");
    }

    #[test]
    fn bars_scale_to_the_largest() {
        let c = layout_chart(
            "t".into(),
            "v".into(),
            "g".into(),
            vec![("a".into(), 10.0), ("b".into(), 5.0)],
        );
        assert_eq!(c.bars.len(), 2);
        assert!((c.bars[0].width - 2.0 * c.bars[1].width).abs() < 1e-9);
        assert_eq!(c.summary, "共 2 项，最高的是“a”（10），最低的是“b”（5）。");
        assert_eq!(
            c.over_time().summary,
            "共 2 项，最高的是“a”（10），最低的是“b”（5）；从 a 的 10 下降到 b 的 5。"
        );
    }
}
