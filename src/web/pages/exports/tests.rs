//! Unit tests of the exports.

use serde_json::json;

use super::graph::{Graph, Obj};

#[test]
fn turtle_and_json_ld_say_the_same_triples() {
    let mut g = Graph::default();
    g.add("http://x/d", "rdf:type", Obj::Term("dcat:Dataset"));
    g.add(
        "http://x/d",
        "dct:title",
        Obj::Text("交通\"数据\"\n".into()),
    );
    g.add(
        "http://x/d",
        "dcat:byteSize",
        Obj::Typed("12".into(), "xsd:nonNegativeInteger"),
    );
    let ttl = g.turtle();
    assert!(ttl.contains(
        "<http://x/d>\n    a dcat:Dataset ;\n    dct:title \"交通\\\"数据\\\"\\n\"@zh-CN ;"
    ));
    assert!(ttl.contains("dcat:byteSize \"12\"^^xsd:nonNegativeInteger ."));
    let ld = g.json_ld();
    assert_eq!(ld["@graph"][0]["@type"], json!(["dcat:Dataset"]));
    assert_eq!(ld["@graph"][0]["dct:title"][0]["@value"], "交通\"数据\"\n");
    assert_eq!(ld["@context"]["dcat"], "http://www.w3.org/ns/dcat#");
}
