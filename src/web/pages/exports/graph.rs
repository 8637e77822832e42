//! A small RDF graph written as Turtle or as JSON-LD with an inline `@context`: both come from
//! the same list of triples, so the two serialisations always say the same.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use serde_json::{Map, Value, json};

/// The prefixes every document declares (Turtle `@prefix`, JSON-LD `@context`).
pub const PREFIXES: [(&str, &str); 10] = [
    ("dcat", "http://www.w3.org/ns/dcat#"),
    ("dct", "http://purl.org/dc/terms/"),
    ("foaf", "http://xmlns.com/foaf/0.1/"),
    ("skos", "http://www.w3.org/2004/02/skos/core#"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
    ("hydra", "http://www.w3.org/ns/hydra/core#"),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("adms", "http://www.w3.org/ns/adms#"),
    ("vcard", "http://www.w3.org/2006/vcard/ns#"),
    ("spdx", "http://spdx.org/rdf/terms#"),
];

/// An RDF object: an IRI, a term of one of the prefixes above, or a literal.
#[derive(Debug, Clone)]
pub enum Obj {
    Iri(String),
    Term(&'static str),
    /// Text in Chinese (`@zh-CN`).
    Text(String),
    /// Text in English (`@en`).
    English(String),
    Typed(String, &'static str),
}

/// Triples in the order they were first said, grouped by subject when written; a triple said
/// twice (a department publishing two datasets of one page) is kept once.
#[derive(Debug, Default)]
pub struct Graph {
    triples: Vec<(String, &'static str, Obj)>,
    seen: HashSet<(String, &'static str, String)>,
}

impl Graph {
    pub fn add(&mut self, s: &str, p: &'static str, o: Obj) {
        if self.seen.insert((s.to_owned(), p, turtle_obj(&o))) {
            self.triples.push((s.to_owned(), p, o));
        }
    }

    /// `s a class`.
    pub fn typed(&mut self, s: &str, class: &'static str) {
        self.add(s, "rdf:type", Obj::Term(class));
    }

    fn subjects(&self) -> Vec<(&str, Vec<(&'static str, &Obj)>)> {
        let mut out: Vec<(&str, Vec<(&'static str, &Obj)>)> = Vec::new();
        let mut at = HashMap::new();
        for (s, p, o) in &self.triples {
            let i = *at.entry(s.as_str()).or_insert_with(|| {
                out.push((s.as_str(), Vec::new()));
                out.len() - 1
            });
            out[i].1.push((*p, o));
        }
        out
    }

    pub fn turtle(&self) -> String {
        let mut out = String::new();
        for (p, iri) in PREFIXES {
            let _ = writeln!(out, "@prefix {p}: <{iri}> .");
        }
        for (s, props) in self.subjects() {
            let _ = write!(out, "\n<{}>", iri_escape(s));
            for (i, (p, o)) in props.iter().enumerate() {
                let sep = if i == 0 { "\n    " } else { " ;\n    " };
                let p = if *p == "rdf:type" { "a" } else { p };
                let _ = write!(out, "{sep}{p} {}", turtle_obj(o));
            }
            out.push_str(" .\n");
        }
        out
    }

    pub fn json_ld(&self) -> Value {
        let context: Map<String, Value> = PREFIXES
            .iter()
            .map(|(p, iri)| ((*p).to_owned(), json!(iri)))
            .collect();
        let graph: Vec<Value> = self
            .subjects()
            .into_iter()
            .map(|(s, props)| {
                let mut node = Map::new();
                node.insert("@id".into(), json!(s));
                for (p, o) in props {
                    let value = match o {
                        Obj::Term(t) if p == "rdf:type" => {
                            push(&mut node, "@type", json!(t));
                            continue;
                        }
                        Obj::Iri(i) if p == "rdf:type" => {
                            push(&mut node, "@type", json!(i));
                            continue;
                        }
                        Obj::Iri(i) => json!({ "@id": i }),
                        Obj::Term(t) => json!({ "@id": t }),
                        Obj::Text(t) => json!({ "@value": t, "@language": "zh-CN" }),
                        Obj::English(t) => json!({ "@value": t, "@language": "en" }),
                        Obj::Typed(v, dt) => json!({ "@value": v, "@type": dt }),
                    };
                    push(&mut node, p, value);
                }
                Value::Object(node)
            })
            .collect();
        json!({ "@context": context, "@graph": graph })
    }
}

/// Appends to the array under `key`, creating it.
fn push(node: &mut Map<String, Value>, key: &str, value: Value) {
    if let Value::Array(a) = node.entry(key).or_insert_with(|| json!([])) {
        a.push(value);
    }
}

fn iri_escape(s: &str) -> String {
    s.chars()
        .flat_map(|c| match c {
            '<' | '>' | '"' | ' ' | '{' | '}' | '|' | '\\' | '^' | '`' => {
                format!("%{:02X}", c as u32).chars().collect::<Vec<_>>()
            }
            c => vec![c],
        })
        .collect()
}

fn turtle_obj(o: &Obj) -> String {
    let lit = |s: &str| {
        let mut out = String::with_capacity(s.len() + 2);
        out.push('"');
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c => out.push(c),
            }
        }
        out.push('"');
        out
    };
    match o {
        Obj::Iri(i) => format!("<{}>", iri_escape(i)),
        Obj::Term(t) => (*t).to_owned(),
        Obj::Text(t) => format!("{}@zh-CN", lit(t)),
        Obj::English(t) => format!("{}@en", lit(t)),
        Obj::Typed(v, dt) => format!("{}^^{dt}", lit(v)),
    }
}
