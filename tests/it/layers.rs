//! The layering rules of `docs/ARCHITECTURE.md` ("Rules"), checked on the source tree.
//!
//! Every file under `src/` is read as text. Comments and the contents of string literals are
//! blanked out first (line numbers kept), and everything from a line `#[cfg(test)]` to the end
//! of the file is dropped: unit tests live at the end of files here and may reach anywhere.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Files allowed to break rules 1 and 2 (relative to `src/`).
const DB_ALLOWED: &[&str] = &["web/state.rs"];

/// Imports between these pairs of files (either way) are left out of the circle check
/// (relative to `src/`).
const CIRCLES_ALLOWED: &[(&str, &str)] = &[];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`, as (path relative to `src/` with `/`, cleaned text).
fn sources(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(src()).unwrap();
                let rel = rel.to_string_lossy().replace('\\', "/");
                let text = std::fs::read_to_string(&path).unwrap();
                out.push((rel, clean(&text)));
            }
        }
    }
    out.sort();
    out
}

/// The text without tests, comments and string contents; newlines stay where they were.
fn clean(text: &str) -> String {
    let mut kept = String::new();
    for line in text.lines() {
        if line.trim() == "#[cfg(test)]" {
            break;
        }
        kept.push_str(line);
        kept.push('\n');
    }
    let chars: Vec<char> = kept.chars().collect();
    let mut out = String::with_capacity(kept.len());
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
        } else if c == 'r'
            && (next == Some('"') || next == Some('#'))
            && (i == 0 || !is_ident(chars[i - 1]))
        {
            // A raw string: r"…" or r#"…"#.
            let mut j = i + 1;
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            out.push_str(&" ".repeat(j + 1 - i));
            i = j + 1;
            while i < chars.len() {
                if chars[i] == '"' && (1..=hashes).all(|k| chars.get(i + k) == Some(&'#')) {
                    out.push_str(&" ".repeat(hashes + 1));
                    i += hashes + 1;
                    break;
                }
                out.push(blank(chars[i]));
                i += 1;
            }
        } else if c == '"' {
            out.push(' ');
            i += 1;
            while i < chars.len() {
                if chars[i] == '\\' {
                    out.push(' ');
                    out.push(blank(chars.get(i + 1).copied().unwrap_or(' ')));
                    i += 2;
                } else if chars[i] == '"' {
                    out.push(' ');
                    i += 1;
                    break;
                } else {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
        } else if c == '\'' {
            // A char literal ('x', '\n', '\u{..}') or a lifetime ('a).
            if next == Some('\\') {
                let mut j = i + 2;
                while j < chars.len() && chars[j] != '\'' {
                    j += 1;
                }
                out.push_str(&" ".repeat(j + 1 - i));
                i = j + 1;
            } else if chars.get(i + 2) == Some(&'\'') {
                out.push_str("   ");
                i += 3;
            } else {
                out.push(c);
                i += 1;
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The identifier-and-`::` tokens of a line, with what follows each: a tiny lexer enough to
/// read paths (`a::b::{c, d}`).
fn tokens(line: &str) -> Vec<String> {
    let chars: Vec<char> = line.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if is_ident(c) {
            let start = i;
            while i < chars.len() && is_ident(chars[i]) {
                i += 1;
            }
            out.push(chars[start..i].iter().collect());
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            out.push("::".into());
            i += 2;
        } else if c.is_whitespace() {
            i += 1;
        } else {
            out.push(c.to_string());
            i += 1;
        }
    }
    out
}

/// Where a rule is broken: `file:line: what`.
fn violation(file: &str, line: usize, what: &str, text: &str) -> String {
    format!("src/{file}:{line}: {what}: {}", text.trim())
}

/// The whole `use …;` statements of a cleaned file, each with the line it starts on.
fn use_statements(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (n, line) in text.lines().enumerate() {
        let toks = tokens(line);
        if let Some((_, tree)) = &mut current {
            tree.push('\n');
            tree.push_str(line);
        } else {
            let at = toks.iter().position(|t| t == "use");
            // `use` as a keyword: at the start, or after `pub`, `pub(crate)`.
            if let Some(at) = at
                && toks[..at]
                    .iter()
                    .all(|t| ["pub", "(", ")", "crate", "super", "in"].contains(&t.as_str()))
            {
                let rest = line.split_once("use ").map(|(_, r)| r).unwrap_or("");
                current = Some((n + 1, rest.to_string()));
            }
        }
        if let Some((_, s)) = &current
            && s.contains(';')
        {
            let (start, s) = current.take().unwrap();
            out.push((start, s.split(';').next().unwrap().to_string()));
        }
    }
    out
}

/// The paths a use tree names: `crate::{a::{b, c}, d}` gives `crate::a::b`, `crate::a::c`,
/// `crate::d` (aliases dropped, `self` in braces meaning the prefix).
fn expand(tree: &str) -> Vec<Vec<String>> {
    fn walk(toks: &[String], i: &mut usize, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
        let mut path = prefix.clone();
        while *i < toks.len() {
            let t = toks[*i].as_str();
            match t {
                "::" => *i += 1,
                "{" => {
                    *i += 1;
                    loop {
                        walk(toks, i, path.clone(), out);
                        match toks.get(*i).map(String::as_str) {
                            Some(",") => *i += 1,
                            Some("}") => {
                                *i += 1;
                                break;
                            }
                            _ => break,
                        }
                    }
                    return;
                }
                "," | "}" => break,
                "as" => *i += 2,
                "self" if path.len() == prefix.len() && !prefix.is_empty() => *i += 1,
                _ => {
                    path.push(t.to_string());
                    *i += 1;
                }
            }
        }
        if path.len() > prefix.len() || !prefix.is_empty() {
            out.push(path);
        }
    }
    let toks = tokens(tree);
    let mut out = Vec::new();
    let mut i = 0;
    walk(&toks, &mut i, Vec::new(), &mut out);
    out
}

/// Every path a line names outside `use` statements: runs of `ident::ident::…`.
fn inline_paths(line: &str) -> Vec<Vec<String>> {
    let toks = tokens(line);
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        if is_ident(toks[i].chars().next().unwrap())
            && toks.get(i + 1).map(String::as_str) == Some("::")
            && (i == 0 || toks[i - 1] != "::")
        {
            let mut path = vec![toks[i].clone()];
            let mut j = i + 1;
            while toks.get(j).map(String::as_str) == Some("::")
                && toks
                    .get(j + 1)
                    .is_some_and(|t| is_ident(t.chars().next().unwrap()))
            {
                path.push(toks[j + 1].clone());
                j += 2;
            }
            out.push(path);
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

/// All paths of a file with their line: those of `use` statements, then inline ones.
fn paths(text: &str) -> Vec<(usize, Vec<String>)> {
    let mut out = Vec::new();
    let mut in_use = BTreeSet::new();
    for (line, tree) in use_statements(text) {
        for p in expand(&tree) {
            out.push((line, p));
        }
        for n in line..line + tree.matches('\n').count() + 1 {
            in_use.insert(n);
        }
    }
    for (n, line) in text.lines().enumerate() {
        if !in_use.contains(&(n + 1)) {
            for p in inline_paths(line) {
                out.push((n + 1, p));
            }
        }
    }
    out
}

fn line_of(text: &str, line: usize) -> &str {
    text.lines().nth(line - 1).unwrap_or("")
}

fn web_files() -> Vec<(String, String)> {
    sources(&src().join("web"))
}

fn fail_if_any(rule: &str, found: Vec<String>) {
    assert!(
        found.is_empty(),
        "{rule}, docs/ARCHITECTURE.md \"Rules\", is broken {} time(s):\n{}\n",
        found.len(),
        found.join("\n")
    );
}

#[test]
fn only_the_state_names_the_db_module() {
    let mut found = Vec::new();
    for (file, text) in web_files() {
        if DB_ALLOWED.contains(&file.as_str()) {
            continue;
        }
        for (line, path) in paths(&text) {
            if path.iter().any(|s| s == "db") {
                let what = format!("names the db module ({})", path.join("::"));
                found.push(violation(&file, line, &what, line_of(&text, line)));
            }
        }
    }
    fail_if_any("Rule 1 (only web/state.rs names the db module)", found);
}

#[test]
fn the_web_layer_names_no_diesel_schema_or_transaction() {
    let mut found = Vec::new();
    for (file, text) in web_files() {
        if DB_ALLOWED.contains(&file.as_str()) {
            continue;
        }
        let mut seen = BTreeSet::new();
        for (n, line) in text.lines().enumerate() {
            let toks = tokens(line);
            for (k, t) in toks.iter().enumerate() {
                let next = toks.get(k + 1).map(String::as_str);
                let prev = k.checked_sub(1).map(|p| toks[p].as_str());
                let bad = match t.as_str() {
                    "diesel" | "write_transaction" => Some(t.as_str()),
                    "schema" if next == Some("::") || prev == Some("::") => Some("schema"),
                    _ => None,
                };
                if let Some(bad) = bad
                    && seen.insert((n, bad.to_string()))
                {
                    found.push(violation(&file, n + 1, &format!("names {bad}"), line));
                }
            }
        }
    }
    fail_if_any(
        "Rule 2 (no diesel, schema or write_transaction in src/web)",
        found,
    );
}

/// Rule 5: the web layer takes the time from the portal's `Clock` (`state.clock`), which the
/// tests move, never from `services::now()`.
#[test]
fn the_web_layer_reads_time_from_the_clock() {
    let mut found = Vec::new();
    for (file, text) in web_files() {
        for (n, line) in text.lines().enumerate() {
            let toks = tokens(line);
            for (k, t) in toks.iter().enumerate() {
                let prev = k
                    .checked_sub(2)
                    .map(|p| (toks[p].as_str(), toks[p + 1].as_str()));
                if t == "now" && prev == Some(("services", "::")) {
                    found.push(violation(&file, n + 1, "reads services::now()", line));
                }
            }
        }
    }
    fail_if_any("Rule 5 (time in src/web from the Clock only)", found);
}

/// The one file that reads the system clock (rule 6).
const CLOCK_FILE: &str = "services/clock.rs";

/// Rule 6 on one cleaned file: every path naming the old free function `services::now`
/// (`services::now()`, `super::now`, `crate::services::now`, `use crate::services::{now, …}`).
fn system_time_readings(file: &str, text: &str) -> Vec<String> {
    if file == CLOCK_FILE {
        return Vec::new();
    }
    let mut found = Vec::new();
    for (line, path) in paths(text) {
        let n = path.len();
        let tail = (n >= 2 && path[n - 1] == "now").then(|| path[n - 2].as_str());
        let resolved = absolute(file, &path).is_some_and(|p| p == ["crate", "services", "now"]);
        if resolved || matches!(tail, Some("services" | "super")) {
            let what = format!("reads the time outside the Clock ({})", path.join("::"));
            found.push(violation(file, line, &what, line_of(text, line)));
        }
    }
    found
}

/// Rule 6: time comes from the portal's `Clock` only. No file but `services/clock.rs` names a
/// free `now` of the services (the system clock is read there, privately); services take the
/// time from their caller's clock.
#[test]
fn time_comes_from_the_clock_only() {
    let mut found = Vec::new();
    for (file, text) in sources(&src()) {
        found.extend(system_time_readings(&file, &text));
    }
    fail_if_any("Rule 6 (time from the Clock only)", found);
}

/// Rule 6 catches what it is meant to: readings planted in services, the demo and the web
/// layer, in every spelling, and nothing in the clock module itself or in comments.
#[test]
fn rule_6_catches_a_planted_reading() {
    let planted = [
        ("services/audit.rs", "let at = super::now();", "super::now"),
        (
            "services/ingest/run.rs",
            "let at = super::super::now();",
            "super::super::now",
        ),
        (
            "demo/mod.rs",
            "let at = crate::services::now();",
            "crate::services::now",
        ),
        (
            "web/pages/home.rs",
            "use crate::services::{now, Actor};",
            "crate::services::now",
        ),
        ("cli.rs", "let at = services::now();", "services::now"),
    ];
    for (file, line, path) in planted {
        let text = clean(&format!("//! A module.\n\n{line}\n"));
        let found = system_time_readings(file, &text);
        assert_eq!(
            found,
            [format!(
                "src/{file}:3: reads the time outside the Clock ({path}): {line}"
            )],
            "planted in {file}"
        );
    }
    let harmless = [
        ("services/clock.rs", "let at = system_now() + super::now();"),
        ("services/audit.rs", "// super::now() was the old way"),
        (
            "services/audit.rs",
            "let at = clock.now() + Utc::now() - Instant::now();",
        ),
        ("services/audit.rs", "let s = \"services::now()\";"),
    ];
    for (file, line) in harmless {
        let text = clean(&format!("{line}\n"));
        assert_eq!(
            system_time_readings(file, &text),
            Vec::<String>::new(),
            "{line}"
        );
    }
}

#[test]
fn pages_and_api_do_not_import_each_other() {
    let mut found = Vec::new();
    for (file, text) in web_files() {
        let (own, other) = if file.starts_with("web/pages/") {
            ("pages", "api")
        } else if file.starts_with("web/api/") {
            ("api", "pages")
        } else {
            continue;
        };
        for (line, path) in paths(&text) {
            let hit = match path.first().map(String::as_str) {
                Some("crate") => {
                    path.get(1).map(String::as_str) == Some("web")
                        && path.get(2).map(String::as_str) == Some(other)
                }
                Some("super") => {
                    let rest: Vec<_> = path.iter().skip_while(|s| *s == "super").collect();
                    rest.first().is_some_and(|s| *s == other)
                }
                _ => false,
            };
            if hit {
                let what = format!("{} imports {other} ({})", own, path.join("::"));
                found.push(violation(&file, line, &what, line_of(&text, line)));
            }
        }
    }
    fail_if_any("Rule 3 (pages and api do not import each other)", found);
}

/// The module file a `crate::…` path lands in: the deepest existing one.
fn module_file(path: &[String], files: &BTreeSet<String>) -> Option<String> {
    let segments = &path[1..];
    for n in (1..=segments.len()).rev() {
        let base = segments[..n].join("/");
        for candidate in [format!("{base}.rs"), format!("{base}/mod.rs")] {
            if files.contains(&candidate) {
                return Some(candidate);
            }
        }
    }
    None
}

/// A `crate::`, `super::` or `self::` path as seen from `file`, made absolute (`crate::…`).
fn absolute(file: &str, path: &[String]) -> Option<Vec<String>> {
    let mut module: Vec<String> = file
        .trim_end_matches(".rs")
        .trim_end_matches("/mod")
        .split('/')
        .map(String::from)
        .collect();
    if ["lib", "main"].contains(&file.trim_end_matches(".rs")) {
        module.clear();
    }
    let mut rest = path;
    match path.first().map(String::as_str) {
        Some("crate") => {
            module.clear();
            rest = &path[1..];
        }
        Some("self") => rest = &path[1..],
        Some("super") => {
            while rest.first().map(String::as_str) == Some("super") {
                module.pop()?;
                rest = &rest[1..];
            }
        }
        _ => return None,
    }
    let mut out = vec!["crate".to_string()];
    out.extend(module);
    out.extend(rest.iter().cloned());
    (out.len() > 1).then_some(out)
}

/// The directory a module file's children live in (`a/mod.rs` and `a.rs`: `a/`).
fn children_dir(file: &str) -> String {
    match file.strip_suffix("/mod.rs") {
        Some(dir) => format!("{dir}/"),
        None => format!("{}/", file.trim_end_matches(".rs")),
    }
}

#[test]
fn no_import_circles_between_files() {
    let all = sources(&src());
    let files: BTreeSet<String> = all.iter().map(|(f, _)| f.clone()).collect();
    // file -> (file it names -> first line naming it)
    let mut edges: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for (file, text) in &all {
        let entry = edges.entry(file.clone()).or_default();
        for (line, path) in paths(text) {
            let Some(path) = absolute(file, &path) else {
                continue;
            };
            let Some(target) = module_file(&path, &files) else {
                continue;
            };
            if &target == file || target.starts_with(&children_dir(file)) {
                continue;
            }
            let pair = (file.as_str(), target.as_str());
            if CIRCLES_ALLOWED.contains(&pair) || CIRCLES_ALLOWED.contains(&(pair.1, pair.0)) {
                continue;
            }
            entry.entry(target).or_insert(line);
        }
    }
    let circles = strongly_connected(&edges);
    let mut found = Vec::new();
    for circle in circles {
        let names: Vec<&str> = circle.iter().map(String::as_str).collect();
        let mut report = format!("circle of {} files: {}", names.len(), names.join(", "));
        for from in &circle {
            for (to, line) in &edges[from] {
                if circle.contains(to) {
                    let text = all.iter().find(|(f, _)| f == from).unwrap();
                    let shown = line_of(&text.1, *line).trim();
                    report.push_str(&format!("\n  src/{from}:{line}: -> src/{to}: {shown}"));
                }
            }
        }
        found.push(report);
    }
    fail_if_any("Rule 4 (no import circles between files)", found);
}

/// Tarjan's strongly connected components with more than one file, each sorted.
fn strongly_connected(edges: &BTreeMap<String, BTreeMap<String, usize>>) -> Vec<Vec<String>> {
    struct Walk<'a> {
        edges: &'a BTreeMap<String, BTreeMap<String, usize>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(w: &mut Walk<'a>, v: &'a str) {
        let n = w.index.len();
        w.index.insert(v, n);
        w.low.insert(v, n);
        w.stack.push(v);
        w.on_stack.insert(v);
        let targets: Vec<&'a str> = w
            .edges
            .get(v)
            .map(|t| t.keys().map(String::as_str).collect())
            .unwrap_or_default();
        for t in targets {
            if !w.index.contains_key(t) {
                visit(w, t);
                let l = w.low[v].min(w.low[t]);
                w.low.insert(v, l);
            } else if w.on_stack.contains(t) {
                let l = w.low[v].min(w.index[t]);
                w.low.insert(v, l);
            }
        }
        if w.low[v] == w.index[v] {
            let mut component = Vec::new();
            loop {
                let x = w.stack.pop().unwrap();
                w.on_stack.remove(x);
                component.push(x.to_string());
                if x == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                w.out.push(component);
            }
        }
    }
    let mut w = Walk {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in edges.keys() {
        if !w.index.contains_key(v.as_str()) {
            visit(&mut w, v);
        }
    }
    w.out.sort();
    w.out
}
