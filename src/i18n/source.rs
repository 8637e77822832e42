//! English for the messages services compose in Chinese (form errors, refusals, flash texts),
//! looked up by their Chinese text, as gettext looks up a message by its source text. The
//! services keep one language; the catalog `locales/en/source/*.tsv` holds each message's
//! English, one per line (`Chinese<TAB>English`), with `{name}` standing for a value formatted
//! into it. A value that is itself a catalog message (a field's label, a status) is translated
//! too; any other value (a title, what the reader typed) is kept as it is.
//!
//! A unit test reads every Chinese string literal of the code that can reach a reader and
//! fails if the catalog has no line for it, so a message cannot be added without its English.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

const FILES: [&str; 5] = [
    include_str!("../../locales/en/source/common.tsv"),
    include_str!("../../locales/en/source/public.tsv"),
    include_str!("../../locales/en/source/account.tsv"),
    include_str!("../../locales/en/source/console.tsv"),
    include_str!("../../locales/en/source/admin.tsv"),
];

/// A message with values in it.
struct Pattern {
    re: Regex,
    names: Vec<String>,
    english: &'static str,
}

struct Catalog {
    exact: HashMap<&'static str, &'static str>,
    patterns: Vec<Pattern>,
}

/// The catalog's lines: (Chinese, English).
pub(super) fn entries() -> impl Iterator<Item = (&'static str, &'static str)> {
    FILES
        .iter()
        .flat_map(|f| f.lines())
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
        .map(|(zh, en)| (zh.trim(), en.trim()))
}

/// The names of the `{…}` placeholders of a message, in order.
pub(super) fn placeholders(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        names.push(rest[start + 1..start + len].to_owned());
        rest = &rest[start + len + 1..];
    }
    names
}

fn compile(zh: &str) -> Option<Regex> {
    let mut re = String::from("^");
    let mut rest = zh;
    while let Some(start) = rest.find('{') {
        let len = rest[start..].find('}')?;
        re.push_str(&regex::escape(&rest[..start]));
        re.push_str("(.+?)");
        rest = &rest[start + len + 1..];
    }
    re.push_str(&regex::escape(rest));
    re.push('$');
    Regex::new(&re).ok()
}

static CATALOG: LazyLock<Catalog> = LazyLock::new(|| {
    let mut exact = HashMap::new();
    let mut patterns = Vec::new();
    for (zh, en) in entries() {
        let names = placeholders(zh);
        if names.is_empty() {
            exact.insert(zh, en);
        } else if let Some(re) = compile(zh) {
            patterns.push((
                zh.len() - names.iter().map(|n| n.len() + 2).sum::<usize>(),
                {
                    Pattern {
                        re,
                        names,
                        english: en,
                    }
                },
            ));
        }
    }
    // The most specific message (the most fixed text) is tried first.
    patterns.sort_by_key(|p| std::cmp::Reverse(p.0));
    Catalog {
        exact,
        patterns: patterns.into_iter().map(|(_, p)| p).collect(),
    }
});

/// The English of a message the services wrote in Chinese; the message itself when the
/// catalog has no line for it (a value, or text that is not ours).
pub fn english(message: &str) -> String {
    translate(message, 2)
}

fn translate(message: &str, depth: u8) -> String {
    let catalog = &*CATALOG;
    if let Some(en) = catalog.exact.get(message.trim()) {
        return (*en).to_owned();
    }
    if depth == 0 {
        return message.to_owned();
    }
    for p in &catalog.patterns {
        let Some(caps) = p.re.captures(message) else {
            continue;
        };
        let mut out = p.english.to_owned();
        for (i, name) in p.names.iter().enumerate() {
            let value = caps.get(i + 1).map_or("", |m| m.as_str());
            out = out.replace(&format!("{{{name}}}"), &translate(value, depth - 1));
        }
        // A sentence that starts with a value ("the title can be …") starts with a capital.
        if p.english.starts_with('{') {
            let mut chars = out.chars();
            if let Some(first) = chars.next().filter(char::is_ascii_lowercase) {
                out = first.to_ascii_uppercase().to_string() + chars.as_str();
            }
        }
        return out;
    }
    message.to_owned()
}

#[cfg(test)]
mod tests;
