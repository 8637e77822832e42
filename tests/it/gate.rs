//! The one gate (issue 16), checked on the source tree: dataset data leaves only through a
//! `services::access::Served`, which only `services::access` makes. A handler or service that
//! reads datastore rows, a version's files or its table any other way fails this test.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every source file, as (path relative to `src/`, text without comment lines).
fn sources() -> Vec<(String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files
        .into_iter()
        .map(|p| {
            let rel = p
                .strip_prefix(&src)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let text: String = std::fs::read_to_string(&p)
                .unwrap()
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n");
            (rel, text)
        })
        .collect()
}

/// Files allowed to use `needle`, by path prefix.
fn only_in(sources: &[(String, String)], needles: &[&str], allowed: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for (path, text) in sources {
        if allowed.iter().any(|a| path.starts_with(a)) {
            continue;
        }
        for needle in needles {
            if text.contains(needle) {
                out.push(format!("src/{path}: {needle}"));
            }
        }
    }
    out
}

#[test]
fn dataset_data_leaves_only_through_the_access_gate() {
    let sources = sources();
    assert!(sources.len() > 50, "the source tree was found");
    let mut bypasses = Vec::new();
    // Rows of a datastore table are read by the preview (whose functions take a `Served`).
    bypasses.extend(only_in(
        &sources,
        &[
            "datastore::rows",
            "datastore::count",
            "datastore::sums_by",
            "RowQuery",
        ],
        &["db/", "services/preview.rs"],
    ));
    // A version's files and table are named by the gate, the downloads (given a `Served`), the
    // department's own upload workflow and the ingest.
    bypasses.extend(only_in(
        &sources,
        &[
            ".data_key",
            ".source_key",
            ".table_name",
            "source_key:",
            "table_name:",
        ],
        &[
            "db/",
            "services/access.rs",
            "services/downloads.rs",
            "services/resources.rs",
            "services/ingest/",
            "demo/",
        ],
    ));
    // Only the gate makes a `Served`, and decides who may have a version.
    bypasses.extend(only_in(
        &sources,
        &["Served {", "Served::new"],
        &["services/access.rs"],
    ));
    // The readers of rows and files take what the gate gave.
    for (path, fns) in [
        (
            "services/preview.rs",
            &["pub fn preview(", "pub fn query(", "pub fn query_columns("][..],
        ),
        ("services/downloads.rs", &["pub fn prepare("][..]),
    ] {
        let text = &sources.iter().find(|(p, _)| p == path).unwrap().1;
        for f in fns {
            let at = text.find(f).unwrap_or_else(|| panic!("{path} has {f}"));
            let signature = &text[at..at + text[at..].find('{').unwrap()];
            if !signature.contains("&Served") {
                bypasses.push(format!("src/{path}: {f} does not take a &Served"));
            }
        }
    }
    assert!(
        bypasses.is_empty(),
        "dataset data read around services::access:\n{}",
        bypasses.join("\n")
    );
}
