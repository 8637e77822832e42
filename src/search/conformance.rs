//! The cases every search back-end must pass, run against each one available (the embedded
//! index always; Meilisearch when `MEILI_URL` is set). Each case panics with what went wrong.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test support: a case that fails panics with what went wrong"
)]

use chrono::NaiveDate;

use super::{Direction, Literal, SearchDoc, SearchIndex, SearchQuery, SearchSort, SortKey, Term};
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
        keywords: if id % 2 == 0 {
            vec!["交通".to_owned()]
        } else {
            vec!["环境".to_owned(), "开放".to_owned()]
        },
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
        modified_at: day(2026, 2, 1) + chrono::Duration::days(i64::from(7 - id)),
        created_at: day(2025, 1, 1) + chrono::Duration::days(i64::from(id)),
        license: license(id).to_owned(),
        license_id: crate::domain::license_id(license(id)),
        title_en: String::new(),
        summary_en: String::new(),
    }
}

fn day(y: i32, m: u32, d: u32) -> chrono::NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .and_then(|d| d.and_hms_opt(12, 0, 0))
        .expect("a date")
}

fn license(id: i32) -> &'static str {
    if id <= 3 {
        "政府数据开放许可协议"
    } else {
        "CC BY 4.0"
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

    clauses_and_orders(index);
    english_and_pinyin(index);
}

/// English words find datasets by their English title and summary; pinyin as people type it
/// (joined, spaced, initials) finds what the Chinese words find.
fn english_and_pinyin(index: &dyn SearchIndex) {
    let mut bus = catalog().remove(0);
    bus.title_en = "Hefei bus lines".into();
    bus.summary_en = "Bus lines and fares in Hefei.".into();
    let mut stops = doc(
        8,
        "合肥市公交站点",
        "全市公交站点的位置。",
        "transport",
        "hefei-transport",
        &["CSV"],
    );
    stops.title_en = "Hefei bus stops".into();
    index.upsert(&[bus, stops]).unwrap();

    assert_eq!(ids(index, &text("bus")), [1, 8], "bus: the English titles");
    assert_eq!(ids(index, &text("Hefei bus")), [1, 8]);
    assert_eq!(ids(index, &text("BUS STOPS")), [8], "English without case");
    assert_eq!(ids(index, &text("fares")), [1], "the English summary");
    assert!(ids(index, &text("subway")).is_empty());

    let zh = |t: &str| ids(index, &text(t));
    assert_eq!(zh("交通"), [2, 4, 6, 8]);
    assert_eq!(zh("公交 合肥"), [1, 8]);
    for (pinyin, chinese) in [
        ("jiaotong", "交通"),
        ("JiaoTong", "交通"),
        ("jt", "交通"),
        ("gongjiao", "公交"),
        ("gongjiao hefei", "公交 合肥"),
        ("hefei gongjiao", "公交 合肥"),
        ("gong jiao", "公交"),
        ("gj", "公交"),
        ("kongqi zhiliang", "空气质量"),
    ] {
        assert_eq!(
            zh(pinyin),
            zh(chinese),
            "{pinyin} finds what {chinese} finds"
        );
    }
    assert!(zh("jiaotang").is_empty(), "pinyin is matched as typed");

    // What leaves the index (withdrawn, closed, back to draft) is found by no English or pinyin
    // word either.
    index.remove(&[8]).unwrap();
    assert_eq!(zh("gongjiao"), [1]);
    assert_eq!(zh("bus stops"), Vec::<i32>::new());
    index.upsert(&catalog()[..1]).unwrap();
    assert!(zh("bus").is_empty(), "the English title removed");
    assert_eq!(zh("gongjiao"), [1]);
}

fn is(term: Term) -> Literal {
    Literal {
        negated: false,
        term,
    }
}

fn not(term: Term) -> Literal {
    Literal {
        negated: true,
        term,
    }
}

fn with(clauses: Vec<Vec<Literal>>) -> SearchQuery {
    SearchQuery {
        clauses,
        ..text("")
    }
}

/// The CKAN API's filters (`fq`) and orders (`sort`), on the catalog of [`run_all`].
fn clauses_and_orders(index: &dyn SearchIndex) {
    let tag = || Term::Tag("交通".into());
    assert_eq!(ids(index, &with(vec![vec![is(tag())]])), [2, 4, 6]);
    assert_eq!(ids(index, &with(vec![vec![not(tag())]])), [1, 3, 5]);
    let either = vec![
        is(Term::Department("hefei-metro".into())),
        is(Term::Theme("enterprise".into())),
    ];
    assert_eq!(
        ids(index, &with(vec![either])),
        [4, 5],
        "OR within a clause"
    );
    let transport_not_csv = vec![
        vec![is(Term::Theme("transport".into()))],
        vec![not(Term::Format("csv".into()))],
    ];
    assert_eq!(
        ids(index, &with(transport_not_csv)),
        [3],
        "AND across clauses"
    );
    let by_id = Term::License(crate::domain::license_id("CC BY 4.0"));
    assert_eq!(ids(index, &with(vec![vec![is(by_id)]])), [4, 5, 6]);
    let by_text = Term::License("政府数据开放许可协议".into());
    assert_eq!(ids(index, &with(vec![vec![is(by_text)]])), [1, 2, 3]);
    assert_eq!(
        ids(index, &with(vec![vec![is(Term::Name("d3".into()))]])),
        [3]
    );
    assert!(ids(index, &with(vec![vec![is(Term::Name("d".into()))]])).is_empty());
    // Modified: 2026-02-01 + (7 - id) days, noon; bounds are inclusive.
    let range = Term::Modified(Some(day(2026, 2, 3)), Some(day(2026, 2, 5)));
    assert_eq!(ids(index, &with(vec![vec![is(range)]])), [3, 4, 5]);
    let open = Term::Modified(Some(day(2026, 2, 6)), None);
    assert_eq!(ids(index, &with(vec![vec![is(open)]])), [1, 2]);
    let mut q = with(vec![vec![is(Term::OpenClass(OpenClass::Conditional))]]);
    q.text = "合肥".into();
    assert_eq!(ids(index, &q), [3], "clauses and text together");

    // Orders of several keys; ties go by id.
    let ordered = |order: Vec<(SortKey, Direction)>, offset: usize, limit: usize| -> Vec<i32> {
        let q = SearchQuery {
            order,
            offset,
            limit,
            ..text("")
        };
        index
            .search(&q)
            .unwrap()
            .hits
            .iter()
            .map(|h| h.id)
            .collect()
    };
    use Direction::{Ascending, Descending};
    assert_eq!(
        ordered(vec![(SortKey::Modified, Ascending)], 2, 3),
        [4, 3, 2]
    );
    assert_eq!(
        ordered(vec![(SortKey::Created, Descending)], 0, 10),
        [6, 5, 4, 3, 2, 1]
    );
    assert_eq!(ordered(vec![(SortKey::Name, Descending)], 4, 10), [2, 1]);
    let mut titles: Vec<(String, i32)> = catalog().into_iter().map(|d| (d.title, d.id)).collect();
    titles.sort();
    let by_title: Vec<i32> = titles.iter().map(|(_, id)| *id).collect();
    assert_eq!(ordered(vec![(SortKey::Title, Ascending)], 0, 10), by_title);
    // Filtered and ordered: transport is 1, 3, 5, most recently modified first.
    let q = SearchQuery {
        clauses: vec![vec![is(Term::Theme("transport".into()))]],
        order: vec![(SortKey::Modified, Descending)],
        limit: 2,
        offset: 1,
        ..text("")
    };
    let r = index.search(&q).unwrap();
    assert_eq!(r.total, 3);
    assert_eq!(r.hits.iter().map(|h| h.id).collect::<Vec<_>>(), [3, 5]);
    // Without facets: the same page and total, and no counts.
    let bare = index
        .search(&SearchQuery {
            no_facets: true,
            ..q.clone()
        })
        .unwrap();
    assert_eq!((bare.total, &bare.hits), (r.total, &r.hits));
    assert_eq!(bare.facets, Default::default());
    let mut ids = text("合肥");
    ids.ids_only = true;
    let r = index.search(&ids).unwrap();
    assert_eq!(r.hits.len(), 3);
    assert!(r.hits.iter().all(|h| h.title_html.is_none()));
    let mut plain = text("合肥");
    plain.no_facets = true;
    assert_eq!(index.search(&plain).unwrap().total, 3);

    // Keyword and licence counts over every match, on request.
    let mut q = with(vec![vec![is(Term::Theme("transport".into()))]]);
    assert!(index.search(&q).unwrap().facets.tag.is_empty());
    q.more_facets = true;
    let f = index.search(&q).unwrap().facets;
    assert_eq!(f.tag, [("开放".to_owned(), 3), ("环境".to_owned(), 3)]);
    let open_license = crate::domain::license_id("政府数据开放许可协议");
    let cc = crate::domain::license_id("CC BY 4.0");
    let mut expected = vec![(open_license, 2), (cc, 1)];
    expected.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    assert_eq!(f.license, expected);
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
