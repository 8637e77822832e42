//! Unit tests of the exports: the graph both RDF serialisations are written from, and the
//! contact point read from a maintainer line.

use serde_json::json;

use super::dcat::office_phone;
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

#[test]
fn a_triple_said_twice_is_written_once() {
    let mut g = Graph::default();
    for _ in 0..2 {
        g.typed("http://x/dept", "foaf:Agent");
        g.add("http://x/dept", "foaf:name", Obj::Text("交通局".into()));
    }
    g.add("http://x/dept", "foaf:name", Obj::Text("交通运输局".into()));
    g.typed("http://x/dept", "vcard:Organization");
    let ttl = g.turtle();
    assert_eq!(ttl.matches(" foaf:Agent").count(), 1, "{ttl}");
    assert_eq!(ttl.matches("foaf:name").count(), 2, "{ttl}");
    let ld = g.json_ld();
    let node = &ld["@graph"][0];
    assert_eq!(node["@type"], json!(["foaf:Agent", "vcard:Organization"]));
    assert_eq!(node["foaf:name"].as_array().map(Vec::len), Some(2));
    assert_eq!(ld["@context"]["spdx"], "http://spdx.org/rdf/terms#");
}

#[test]
fn an_office_number_becomes_a_tel_uri_and_a_mobile_number_does_not() {
    let some = |name: &str, tel: &str| Some((name.to_owned(), tel.to_owned()));
    assert_eq!(
        office_phone("测试维护单位（0551-62000000）"),
        some("测试维护单位", "tel:+86-551-62000000")
    );
    assert_eq!(
        office_phone(" 合肥市交通运输局信息中心(010-12345678) "),
        some("合肥市交通运输局信息中心", "tel:+86-10-12345678")
    );
    // A number that is not the whole bracket, or has no bracket: the line stays the name.
    assert_eq!(
        office_phone("办公室，电话055162000000"),
        some("办公室，电话055162000000", "tel:+8655162000000")
    );
    assert_eq!(
        office_phone("（0551-62000000）"),
        some("（0551-62000000）", "tel:+86-551-62000000")
    );
    assert_eq!(office_phone("数据管理处（张三，13812345678）"), None);
    assert_eq!(office_phone("合肥市数据资源局"), None);
    assert_eq!(office_phone("编号 20250601"), None);
}
