use super::filters::{filter, paging};
use super::*;
use crate::domain::OpenClass;
use crate::search::SearchSort;

#[test]
fn filters_quote_values_and_combine_dimensions() {
    let q = SearchQuery {
        themes: vec!["transport".into(), "a\"b\\c".into()],
        open_classes: vec![OpenClass::Conditional],
        formats: vec!["csv".into()],
        ..SearchQuery::default()
    };
    assert_eq!(
        filter(&q, None).as_deref(),
        Some(
            r#"(theme = "transport" OR theme = "a\"b\\c") AND (open_class = "conditional") AND (format = "CSV")"#
        )
    );
    assert_eq!(
        filter(&q, Some("theme")).as_deref(),
        Some(r#"(open_class = "conditional") AND (format = "CSV")"#)
    );
    assert_eq!(filter(&SearchQuery::default(), None), None);
}

#[test]
fn pages_are_exact_whatever_the_offset() {
    assert_eq!(paging(0, 20), (1, 20, 0));
    assert_eq!(paging(40, 20), (3, 20, 0));
    assert_eq!(paging(4, 3), (1, 7, 4));
    assert_eq!(paging(5, 0), (1, 0, 0));
}

#[test]
fn documents_carry_folded_text_and_the_original() {
    let d = &super::super::conformance::catalog()[1];
    let m = MeiliDoc::of(d);
    assert_eq!(m.original_title, "蕪湖市空氣質量監測數據");
    assert_eq!(m.title, "芜湖市空气质量监测数据");
    assert!(m.format.iter().all(|f| *f == f.to_uppercase()));
    assert_eq!(sort_rule(SearchSort::Relevance, true), None);
    assert_eq!(
        sort_rule(SearchSort::Relevance, false),
        Some("updated:desc")
    );
}

/// The shared conformance suite against a real Meilisearch: run with
/// `MEILI_URL=http://127.0.0.1:7700 MEILI_KEY=… cargo test --lib meilisearch -- --include-ignored`.
#[test]
#[ignore = "needs a Meilisearch server: set MEILI_URL (and MEILI_KEY)"]
fn the_meilisearch_index_conforms() {
    let url = std::env::var("MEILI_URL").expect("MEILI_URL must point at a Meilisearch server");
    let key = std::env::var("MEILI_KEY").ok();
    let uid = format!("kaifang_conformance_{}", std::process::id());
    let index = MeiliIndex::connect(&url, key.as_deref(), &uid).expect("connect");
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        super::super::conformance::run_all(&index)
    }));
    index.delete().ok();
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

#[test]
fn an_unreachable_server_is_unavailable_not_a_panic() {
    // Port 9 (discard) on the loopback: nothing listens there.
    match MeiliIndex::connect("http://127.0.0.1:9", None, "kaifang_nowhere") {
        Err(SearchError::Unavailable(message)) => {
            assert!(message.starts_with("Meilisearch"), "{message}")
        }
        Ok(_) => panic!("connected to nothing"),
    }
}
