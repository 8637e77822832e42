use super::*;
use crate::services::publishing::draft::tests::good;

#[test]
fn diff_names_changed_fields_only() {
    let a = good();
    let mut b = good();
    b.title = "新标题".into();
    let d = diff(&a, &b);
    assert_eq!(d.as_object().unwrap().keys().collect::<Vec<_>>(), ["title"]);
    assert_eq!(d["title"], serde_json::json!(["合肥市公交线路", "新标题"]));
}
