//! The cases every search back-end must pass, run against each one available (the embedded
//! index always; Meilisearch when `MEILI_URL` is set). Each case panics with what went wrong.

use chrono::NaiveDate;

use super::{SearchDoc, SearchIndex, SearchQuery, SearchSort};
use crate::domain::{OpenClass, UpdateFrequency};

fn doc(
    id: i32,
    title: &str,
    summary: &str,
    theme: &str,
    dept: &str,
    formats: &[&str],
) -> SearchDoc {
    SearchDoc {
        id,
        slug: format!("d{id}"),
        title: title.to_owned(),
        summary: summary.to_owned(),
        keywords: Vec::new(),
        department_slug: dept.to_owned(),
        department_name: format!("部门{dept}"),
        theme_slug: theme.to_owned(),
        theme_name: theme.to_owned(),
        formats: formats.iter().map(|f| (*f).to_owned()).collect(),
        open_class: if id % 3 == 0 {
            OpenClass::Conditional
        } else {
            OpenClass::Unconditional
        },
        update_frequency: if id % 2 == 0 {
            UpdateFrequency::Monthly
        } else {
            UpdateFrequency::Daily
        },
        fields: vec!["线路名称".to_owned()],
        last_updated_at: NaiveDate::from_ymd_opt(2026, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
            + chrono::Duration::days(i64::from(id)),
        published_at: None,
        download_count: i64::from(100 - id),
    }
}

/// The catalog the cases run on.
pub fn catalog() -> Vec<SearchDoc> {
    vec![
        doc(
            1,
            "合肥市公交线路数据",
            "合肥市公交线路、站点和票价。",
            "transport",
            "hefei-transport",
            &["CSV", "JSON"],
        ),
        doc(
            2,
            "蕪湖市空氣質量監測數據",
            "蕪湖市各監測點的空氣質量指數。",
            "environment",
            "wuhu-eco",
            &["CSV"],
        ),
        doc(
            3,
            "合肥市出租车运营数据",
            "出租车企业的营运车辆与里程。",
            "transport",
            "hefei-transport",
            &["XLSX"],
        ),
        doc(
            4,
            "安徽省企业登记信息",
            "市场主体登记<信息> & 变更记录。",
            "enterprise",
            "ah-market",
            &["CSV"],
        ),
        doc(
            5,
            "合肥市地铁客流统计",
            "地铁各线路每日客流。",
            "transport",
            "hefei-metro",
            &["CSV", "API"],
        ),
        doc(
            6,
            "芜湖市环境噪声监测",
            "功能区噪声监测结果。",
            "environment",
            "wuhu-eco",
            &["JSON"],
        ),
    ]
}

fn ids(index: &dyn SearchIndex, q: &SearchQuery) -> Vec<i32> {
    let mut found: Vec<i32> = index
        .search(q)
        .unwrap_or_else(|e| panic!("{q:?}: {e}"))
        .hits
        .iter()
        .map(|h| h.id)
        .collect();
    found.sort_unstable();
    found
}

fn text(t: &str) -> SearchQuery {
    SearchQuery {
        text: t.to_owned(),
        limit: 50,
        ..SearchQuery::default()
    }
}

/// Runs every case on `index`, which it fills with [`catalog`].
/// Checks each facet count of `q` against the total of the search narrowed to that value.
fn every_count_is_its_hits(index: &dyn SearchIndex, q: &SearchQuery) {
    let r = index.search(q).unwrap();
    let f = &r.facets;
    let dims: [(&str, &Vec<(String, u64)>); 5] = [
        ("theme", &f.theme),
        ("department", &f.department),
        ("open_class", &f.open_class),
        ("format", &f.format),
        ("frequency", &f.frequency),
    ];
    for (dim, values) in dims {
        for (value, count) in values {
            let mut narrowed = q.clone();
            match dim {
                "theme" => narrowed.themes = vec![value.clone()],
                "department" => narrowed.departments = vec![value.clone()],
                "open_class" => narrowed.open_classes = vec![value.parse().expect("class")],
                "format" => narrowed.formats = vec![value.clone()],
                _ => narrowed.frequencies = vec![value.parse().expect("frequency")],
            }
            let hits = index.search(&narrowed).unwrap().total;
            assert_eq!(
                hits, *count,
                "{q:?}: {dim}={value}: facet says {count}, search finds {hits}"
            );
        }
        if values.is_empty() {
            continue;
        }
        let own: u64 = values.iter().map(|(_, n)| n).sum();
        assert!(
            own >= r.total || dim == "format",
            "{dim}: counts cover the hits"
        );
    }
}

pub fn run_all(index: &dyn SearchIndex) {
    index.rebuild(&catalog(), 0).expect("rebuild");
    assert_eq!(index.len().unwrap(), 6);

    // Traditional finds simplified and the reverse.
    assert_eq!(
        ids(index, &text("數據")),
        [1, 2, 3],
        "數據 finds 数据 (and 數據)"
    );
    assert_eq!(
        ids(index, &text("空气质量")),
        [2],
        "simplified finds traditional"
    );
    assert_eq!(ids(index, &text("公交線路")), [1]);

    // Several words, with or without spaces: all must match.
    assert_eq!(ids(index, &text("合肥 公交")), [1]);
    assert_eq!(ids(index, &text("合肥公交")), [1]);
    assert_eq!(ids(index, &text("合肥市 客流")), [5]);
    assert!(ids(index, &text("公交 噪声")).is_empty());

    // Empty text lists everything; relevance without text is the newest update first.
    let all = index.search(&text("")).unwrap();
    assert_eq!(all.total, 6);
    assert_eq!(all.hits.first().map(|h| h.id), Some(6));
    assert_eq!(
        index.search(&text("   ")).unwrap().total,
        6,
        "blank text is no text"
    );
    assert_eq!(
        index.search(&text("，。%_")).unwrap().total,
        0,
        "text without words finds nothing"
    );

    // Filters: OR within a dimension, AND across dimensions.
    let mut q = text("");
    q.themes = vec!["transport".into(), "environment".into()];
    assert_eq!(ids(index, &q), [1, 2, 3, 5, 6]);
    q.departments = vec!["wuhu-eco".into()];
    assert_eq!(ids(index, &q), [2, 6]);
    q.formats = vec!["json".into()];
    assert_eq!(ids(index, &q), [6], "formats compare without case");

    // Facet counts: each dimension counts with the other filters, and equals the hits.
    let mut q = text("合肥");
    q.themes = vec!["transport".into()];
    let r = index.search(&q).unwrap();
    assert_eq!(r.total, 3);
    assert_eq!(
        r.facets.theme,
        [("transport".to_owned(), 3)],
        "only 合肥 datasets are transport"
    );
    let depts: u64 = r.facets.department.iter().map(|(_, n)| n).sum();
    assert_eq!(depts, 3);
    for (dim, values) in [
        ("department", &r.facets.department),
        ("format", &r.facets.format),
    ] {
        for (value, count) in values {
            let mut narrowed = q.clone();
            match dim {
                "department" => narrowed.departments = vec![value.clone()],
                _ => narrowed.formats = vec![value.clone()],
            }
            let hits = index.search(&narrowed).unwrap().total;
            assert_eq!(
                hits, *count,
                "{dim}={value}: facet says {count}, search finds {hits}"
            );
        }
    }
    // With several filters at once, every count of every dimension equals the hits of the search
    // that replaces that dimension's filter with the value counted.
    let mut q = text("");
    q.themes = vec!["transport".into(), "environment".into()];
    q.departments = vec!["hefei-transport".into(), "wuhu-eco".into()];
    q.formats = vec!["CSV".into()];
    every_count_is_its_hits(index, &q);
    q.text = "數據".into();
    every_count_is_its_hits(index, &q);
    q.open_classes = vec![OpenClass::Unconditional];
    every_count_is_its_hits(index, &q);

    let mut q = text("");
    q.open_classes = vec![OpenClass::Conditional];
    let r = index.search(&q).unwrap();
    assert_eq!(r.total, 2);
    let open: u64 = r.facets.open_class.iter().map(|(_, n)| n).sum();
    assert_eq!(open, 6, "the open-class facet ignores its own filter");

    // Order and pages.
    let mut q = text("");
    q.sort = SearchSort::Downloads;
    q.limit = 2;
    let in_order = |q: &SearchQuery| -> Vec<i32> {
        index.search(q).unwrap().hits.iter().map(|h| h.id).collect()
    };
    assert_eq!(in_order(&q), [1, 2]);
    q.offset = 4;
    assert_eq!(in_order(&q), [5, 6]);
    q.offset = 100;
    assert!(index.search(&q).unwrap().hits.is_empty());

    // Highlights mark the match and escape the rest.
    let r = index.search(&text("登记")).unwrap();
    let hit = &r.hits[0];
    assert!(
        hit.title_html
            .as_deref()
            .is_some_and(|h| h.contains("<b>登记</b>")),
        "{hit:?}"
    );
    let summary = hit.summary_html.as_deref().unwrap_or_default();
    assert!(
        summary.contains("&lt;信息&gt;") && !summary.contains("<信息>"),
        "{summary}"
    );

    // Hostile input is just text.
    for nasty in [
        "title:合肥 AND (x OR y)* ~2 ^3",
        "'; DROP TABLE datasets; --",
        "\"unbalanced",
        "%_\\",
        "\u{0}\u{fffd}",
    ] {
        index
            .search(&text(nasty))
            .unwrap_or_else(|e| panic!("{nasty:?}: {e}"));
    }
    index
        .search(&text(&"数据".repeat(2_000)))
        .expect("a 12 KB query");

    // Typo tolerance for longer Latin words.
    index
        .upsert(&[doc(
            7,
            "Shuttle bus timetable",
            "Airport shuttle",
            "transport",
            "hefei-transport",
            &["CSV"],
        )])
        .unwrap();
    assert_eq!(ids(index, &text("shutle")), [7]);

    // Updates replace, removals disappear.
    let mut renamed = doc(
        7,
        "机场大巴时刻表",
        "机场大巴",
        "transport",
        "hefei-transport",
        &["CSV"],
    );
    renamed.download_count = 0;
    index.upsert(&[renamed]).unwrap();
    assert!(ids(index, &text("shuttle")).is_empty());
    assert_eq!(ids(index, &text("大巴")), [7]);
    index.remove(&[7, 999]).unwrap();
    assert!(ids(index, &text("大巴")).is_empty());
    assert_eq!(index.len().unwrap(), 6);
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_embedded_index_conforms() {
        let index = super::super::embedded::EmbeddedIndex::in_memory().expect("index");
        super::run_all(&index);
    }

    #[test]
    fn the_embedded_index_survives_reopening() {
        let dir = tempfile::tempdir().unwrap();
        {
            let index = super::super::embedded::EmbeddedIndex::open(dir.path()).unwrap();
            use super::SearchIndex;
            index.rebuild(&super::catalog(), 42).unwrap();
        }
        let index = super::super::embedded::EmbeddedIndex::open(dir.path()).unwrap();
        use super::SearchIndex;
        assert_eq!(index.len().unwrap(), 6);
        assert_eq!(
            index.cursor().unwrap(),
            42,
            "the outbox cursor is kept with the data"
        );
        assert_eq!(index.search(&super::text("數據")).unwrap().total, 3);
    }
}
