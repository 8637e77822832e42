//! The catalog's query string: parsed into a [`CatalogQuery`], with every bad value reported
//! to the person (and dropped), and turned back into links that combine filters.

use crate::domain::{Format, OpenClass, Slug, UpdateFrequency};
use crate::services::catalog::{CatalogQuery, Sort, UnknownFilter};

/// The longest search text accepted.
pub const MAX_TEXT_CHARS: usize = 100;

/// The valid parameters of a request, as strings, in the order links write them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CatalogParams {
    pub q: String,
    pub theme: Option<String>,
    pub dept: Option<String>,
    pub open: Option<String>,
    pub format: Option<String>,
    pub freq: Option<String>,
    pub sort: Option<String>,
}

/// The result of reading a query string.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub query: CatalogQuery,
    pub params: CatalogParams,
    /// What the search box shows: the text exactly as typed, even when it was refused.
    pub typed_text: String,
    /// Human-readable problems, one per bad parameter.
    pub problems: Vec<String>,
}

/// Reads `?q=&theme=&dept=&open=&format=&freq=&sort=&page=`. A repeated key keeps its last
/// value; unknown keys are ignored. Errors only when the query string itself is not valid
/// (e.g. bad percent-encoding).
pub fn parse(query_string: &str) -> Result<Parsed, String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query_string)
        .map_err(|_| "查询参数的编码不正确（应为 UTF-8 的 URL 编码）".to_owned())?;
    let get = |key: &str| {
        pairs
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let mut problems = Vec::new();
    let mut params = CatalogParams::default();
    let mut query = CatalogQuery {
        page: 1,
        ..CatalogQuery::default()
    };

    let typed_text = get("q").unwrap_or_default();
    let text: String = typed_text.chars().filter(|c| !c.is_control()).collect();
    if text.chars().count() > MAX_TEXT_CHARS {
        problems.push(format!("搜索词最长 {MAX_TEXT_CHARS} 个字，请缩短后再试"));
    } else if !text.is_empty() {
        params.q = text.clone();
        query.text = Some(text);
    }

    if let Some(v) = get("theme") {
        match Slug::parse(&v) {
            Ok(s) => {
                params.theme = Some(v);
                query.theme = Some(s);
            }
            Err(_) => problems.push(format!("主题“{}”不存在", shorten(&v))),
        }
    }
    if let Some(v) = get("dept") {
        match Slug::parse(&v) {
            Ok(s) => {
                params.dept = Some(v);
                query.department = Some(s);
            }
            Err(_) => problems.push(format!("部门“{}”不存在", shorten(&v))),
        }
    }
    if let Some(v) = get("open") {
        match v.parse::<OpenClass>() {
            Ok(c) if c.is_public() => {
                params.open = Some(c.as_str().to_owned());
                query.open_class = Some(c);
            }
            _ => problems.push(format!(
                "开放类型“{}”无效（可选：unconditional 无条件开放、conditional 有条件开放）",
                shorten(&v)
            )),
        }
    }
    if let Some(v) = get("format") {
        match Format::parse(&v) {
            Ok(f) => {
                params.format = Some(f.as_str().to_owned());
                query.format = Some(f);
            }
            Err(e) => problems.push(format!("数据格式“{}”无效：{e}", shorten(&v))),
        }
    }
    if let Some(v) = get("freq") {
        match v.parse::<UpdateFrequency>() {
            Ok(f) => {
                params.freq = Some(f.as_str().to_owned());
                query.frequency = Some(f);
            }
            Err(_) => problems.push(format!("更新周期“{}”无效", shorten(&v))),
        }
    }
    if let Some(v) = get("sort") {
        match v.parse::<Sort>() {
            Ok(s) => {
                params.sort = Some(s.as_str().to_owned());
                query.sort = s;
            }
            // The value is cut, not the message (whose English is found by its whole text).
            Err(_) => problems.push(crate::services::catalog::UnknownSort(shorten(&v)).to_string()),
        }
    }
    // Searching for words orders by relevance unless another order is asked for.
    if params.sort.is_none() && query.text.as_deref().is_some_and(|t| !t.trim().is_empty()) {
        query.sort = Sort::Relevance;
    }
    if let Some(v) = get("page") {
        match v.parse::<u32>() {
            Ok(p) if p >= 1 => query.page = p,
            _ => problems.push(format!("页码“{}”无效，页码应为正整数", shorten(&v))),
        }
    }
    Ok(Parsed {
        query,
        params,
        typed_text,
        problems,
    })
}

/// Turns unknown theme/department slugs reported by the search into problems, and drops
/// them from the links.
pub fn report_unknown(parsed: &mut Parsed, unknown: &[UnknownFilter]) {
    for u in unknown {
        match u {
            UnknownFilter::Theme(s) => {
                parsed.problems.push(format!("主题“{}”不存在", shorten(s)));
                parsed.params.theme = None;
            }
            UnknownFilter::Department(s) => {
                parsed.problems.push(format!("部门“{}”不存在", shorten(s)));
                parsed.params.dept = None;
            }
        }
    }
}

/// Long values are cut in messages so an error page never echoes kilobytes.
fn shorten(s: &str) -> String {
    const MAX: usize = 40;
    if s.chars().count() > MAX {
        format!("{}…", s.chars().take(MAX).collect::<String>())
    } else {
        s.to_owned()
    }
}

/// Parameter names, as they appear in URLs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Theme,
    Dept,
    Open,
    Format,
    Freq,
    Sort,
}

impl CatalogParams {
    fn slot(&mut self, key: Key) -> &mut Option<String> {
        match key {
            Key::Theme => &mut self.theme,
            Key::Dept => &mut self.dept,
            Key::Open => &mut self.open,
            Key::Format => &mut self.format,
            Key::Freq => &mut self.freq,
            Key::Sort => &mut self.sort,
        }
    }

    pub fn get(&self, key: Key) -> Option<&str> {
        match key {
            Key::Theme => self.theme.as_deref(),
            Key::Dept => self.dept.as_deref(),
            Key::Open => self.open.as_deref(),
            Key::Format => self.format.as_deref(),
            Key::Freq => self.freq.as_deref(),
            Key::Sort => self.sort.as_deref(),
        }
    }

    /// The catalog URL with `key` set to `value` (or removed), back on page 1.
    pub fn with(&self, key: Key, value: Option<&str>) -> String {
        let mut next = self.clone();
        *next.slot(key) = value.map(str::to_owned);
        next.href(None)
    }

    /// The catalog URL for these parameters on `page` (page 1 is written without a number).
    pub fn href(&self, page: Option<u32>) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if !self.q.is_empty() {
            pairs.push(("q", self.q.clone()));
        }
        let keyed = [
            ("theme", &self.theme),
            ("dept", &self.dept),
            ("open", &self.open),
            ("format", &self.format),
            ("freq", &self.freq),
            ("sort", &self.sort),
        ];
        for (k, v) in keyed {
            if let Some(v) = v {
                pairs.push((k, v.clone()));
            }
        }
        if let Some(p) = page.filter(|p| *p > 1) {
            pairs.push(("page", p.to_string()));
        }
        if pairs.is_empty() {
            "/datasets".to_owned()
        } else {
            format!(
                "/datasets?{}",
                serde_urlencoded::to_string(&pairs).unwrap_or_default()
            )
        }
    }

    /// Hidden inputs that keep the filters when the search form is submitted.
    pub fn hidden(&self) -> Vec<(&'static str, String)> {
        [
            ("theme", &self.theme),
            ("dept", &self.dept),
            ("open", &self.open),
            ("format", &self.format),
            ("freq", &self.freq),
            ("sort", &self.sort),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.clone().map(|v| (k, v)))
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_parameter() {
        let p = parse("q=%E5%85%AC%E4%BA%A4&theme=transport&dept=hefei-data&open=conditional&format=csv&freq=monthly&sort=downloads&page=3").unwrap();
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        assert_eq!(p.query.text.as_deref(), Some("公交"));
        assert_eq!(p.query.theme.unwrap().as_str(), "transport");
        assert_eq!(p.query.open_class, Some(OpenClass::Conditional));
        assert_eq!(p.query.format.unwrap().as_str(), "CSV");
        assert_eq!(p.query.frequency, Some(UpdateFrequency::Monthly));
        assert_eq!(p.query.sort, Sort::Downloads);
        assert_eq!(p.query.page, 3);
    }

    #[test]
    fn reports_and_drops_bad_values() {
        let p = parse("theme=<script>&open=closed&format=c;sv&freq=hourly&sort=1;drop&page=-1")
            .unwrap();
        assert_eq!(p.problems.len(), 6, "{:?}", p.problems);
        assert_eq!(p.params, CatalogParams::default());
        assert_eq!(p.query.page, 1);
        assert!(
            p.query.open_class.is_none(),
            "closed must never become a filter"
        );
        for bad in ["page=0", "page=abc", "page=99999999999"] {
            assert_eq!(parse(bad).unwrap().problems.len(), 1, "{bad}");
        }
        // Invalid UTF-8 is decoded lossily: a replacement character, searched harmlessly.
        assert_eq!(
            parse("q=%FF").unwrap().query.text.as_deref(),
            Some("\u{FFFD}")
        );
    }

    #[test]
    fn keeps_over_long_text_for_the_box_but_does_not_search() {
        let long = "数".repeat(MAX_TEXT_CHARS + 1);
        let p = parse(&format!("q={long}")).unwrap();
        assert_eq!(p.problems.len(), 1);
        assert_eq!(p.typed_text, long);
        assert!(p.query.text.is_none());
    }

    #[test]
    fn links_combine_filters_and_reset_the_page() {
        let p = parse("q=a b&theme=transport&page=4").unwrap().params;
        assert_eq!(p.href(None), "/datasets?q=a+b&theme=transport");
        assert_eq!(p.href(Some(2)), "/datasets?q=a+b&theme=transport&page=2");
        assert_eq!(
            p.with(Key::Open, Some("conditional")),
            "/datasets?q=a+b&theme=transport&open=conditional"
        );
        assert_eq!(p.with(Key::Theme, None), "/datasets?q=a+b");
        assert_eq!(CatalogParams::default().href(Some(1)), "/datasets");
    }

    #[test]
    fn last_repeated_value_wins() {
        let p = parse("theme=a&theme=transport").unwrap();
        assert_eq!(p.params.theme.as_deref(), Some("transport"));
    }
}
