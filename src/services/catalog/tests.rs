use super::*;

#[test]
fn sort_parses_its_names_only() {
    for s in Sort::ALL {
        assert_eq!(s.as_str().parse(), Ok(s));
    }
    assert!("title".parse::<Sort>().is_err());
    assert!("name; DROP TABLE datasets".parse::<Sort>().is_err());
}

#[test]
fn page_count_rounds_up() {
    let page = |total| CatalogPage {
        total,
        page: 1,
        per_page: 20,
        items: vec![],
        facets: Facets::default(),
        unknown: vec![],
        theme_name: None,
        department_name: None,
    };
    assert_eq!(page(0).page_count(), 0);
    assert_eq!(page(1).page_count(), 1);
    assert_eq!(page(20).page_count(), 1);
    assert_eq!(page(21).page_count(), 2);
}
