use super::*;

/// Code whose Chinese is not UI, with the reason.
const NOT_UI: [(&str, &str); 8] = [
    (
        "src/services/backup.rs",
        "the operator's backup and restore commands, already in both languages",
    ),
    ("src/demo", "the demo catalog is data"),
    (
        "src/search",
        "search synonyms, pinyin tables and the conformance cases are data",
    ),
    (
        "src/cli.rs",
        "the operator's command line (Chinese, documented in the README)",
    ),
    (
        "src/web/api/openapi",
        "the API's description (one language, like its field names)",
    ),
    ("src/domain/region_code.rs", "region names are data"),
    ("src/i18n", "the translation machinery itself"),
    (
        "src/web/pages/exports",
        "DCAT literals carry their language tag",
    ),
];

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{303f}' | '\u{4e00}'..='\u{9fff}' | '\u{ff00}'..='\u{ffef}')
}

/// The string literals of Rust source (not comments, not char literals), with their line.
fn literals(src: &str) -> Vec<(usize, String)> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line) = (0, 1);
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match c {
            '\n' => line += 1,
            '/' if next == Some('/') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
                continue;
            }
            '/' if next == Some('*') => {
                while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                    line += usize::from(chars[i] == '\n');
                    i += 1;
                }
                i += 2;
                continue;
            }
            '\'' if next == Some('\\') || chars.get(i + 2) == Some(&'\'') => {
                i += 1;
                while i < chars.len() && chars[i] != '\'' {
                    i += if chars[i] == '\\' { 2 } else { 1 };
                }
            }
            'r' if (next == Some('"') || next == Some('#'))
                && !chars[i.saturating_sub(1)].is_alphanumeric() =>
            {
                let mut j = i + 1;
                let mut hashes = 0;
                while chars.get(j) == Some(&'#') {
                    hashes += 1;
                    j += 1;
                }
                if chars.get(j) != Some(&'"') {
                    i += 1;
                    continue;
                }
                let start = j + 1;
                let close: String = std::iter::once('"')
                    .chain("#".repeat(hashes).chars())
                    .collect();
                let rest: String = chars[start..].iter().collect();
                let end = rest.find(&close).unwrap_or(rest.len());
                let text: String = rest.chars().take(rest[..end].chars().count()).collect();
                let at = line;
                line += text.matches('\n').count();
                out.push((at, text.clone()));
                i = start + text.chars().count() + close.chars().count();
                continue;
            }
            '"' => {
                let at = line;
                let mut text = String::new();
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' {
                        // `\` at a line's end continues the string without its indentation.
                        if chars.get(i + 1) == Some(&'\n') {
                            i += 2;
                            line += 1;
                            while chars.get(i).is_some_and(|c| c.is_whitespace()) {
                                line += usize::from(chars[i] == '\n');
                                i += 1;
                            }
                            continue;
                        }
                        match chars.get(i + 1) {
                            Some('n') => text.push('\n'),
                            Some('t') => text.push('\t'),
                            Some(&c) => text.push(c),
                            None => {}
                        }
                        i += 2;
                        continue;
                    }
                    line += usize::from(chars[i] == '\n');
                    text.push(chars[i]);
                    i += 1;
                }
                out.push((at, text));
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// `{}`, `{0}`, `{name}`, `{name:?}`, `{:.1}` all become `{}`; `{{` stays literal.
fn normalise(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '{' {
            if chars.peek() == Some(&'{') {
                chars.next();
                out.push('{');
                continue;
            }
            for d in chars.by_ref() {
                if d == '}' {
                    break;
                }
            }
            out.push_str("{}");
        } else if c == '}' && chars.peek() == Some(&'}') {
            chars.next();
            out.push('}');
        } else {
            out.push(c);
        }
    }
    out
}

fn sources(dir: &std::path::Path, found: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n != "tests") {
                sources(&p, found);
            }
        } else if p.extension().is_some_and(|x| x == "rs")
            && p.file_name().is_some_and(|n| n != "tests.rs")
        {
            found.push(p);
        }
    }
}

/// Every Chinese string literal a reader can meet has its English in the catalog.
#[test]
fn every_chinese_message_has_its_english() {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let known: std::collections::HashSet<String> = entries().map(|(zh, _)| normalise(zh)).collect();
    let mut files = Vec::new();
    sources(&root.join("src"), &mut files);
    files.sort();
    let mut missing = Vec::new();
    for file in files {
        let rel = file
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if NOT_UI.iter().any(|(p, _)| rel.starts_with(p)) {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        // An inline test module is at the end of a file (`#[cfg(test)] mod tests;` is not).
        let end = text
            .match_indices("#[cfg(test)]\n")
            .find(|(at, m)| {
                let next = text[at + m.len()..].lines().next().unwrap_or("");
                next.trim_end().ends_with("mod tests {")
            })
            .map_or(text.len(), |(at, _)| at);
        let code = &text[..end];
        let lines: Vec<&str> = code.lines().collect();
        // Lines between `// i18n-off: <why not>` and `// i18n-on` are not UI either.
        let mut off = vec![false; lines.len() + 1];
        let mut in_block = false;
        for (n, l) in lines.iter().enumerate() {
            if l.contains("// i18n-off:") {
                in_block = true;
            } else if l.contains("// i18n-on") {
                in_block = false;
            }
            off[n + 1] = in_block;
        }
        for (line, literal) in literals(code) {
            if !literal.chars().any(is_cjk) {
                continue;
            }
            // The marker is on the literal's line or one of the two above.
            let marked = [
                line.saturating_sub(1),
                line.saturating_sub(2),
                line.saturating_sub(3),
            ]
            .iter()
            .any(|&n| lines.get(n).is_some_and(|l| l.contains("// i18n:")));
            if !marked && !off[line] && !known.contains(&normalise(&literal)) {
                missing.push(format!("{rel}:{line}\t{literal}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "{} Chinese messages without English in locales/en/source/*.tsv (or `// i18n: <why not>` on \
         its line, for data and punctuation):\n{}",
        missing.len(),
        missing.join("\n")
    );
}

#[test]
fn the_catalog_is_well_formed() {
    let mut seen = std::collections::HashSet::new();
    for (zh, en) in entries() {
        assert!(seen.insert(zh), "{zh}: twice in the catalog");
        let mut a = placeholders(zh);
        let mut b = placeholders(en);
        a.sort();
        b.sort();
        assert_eq!(a, b, "{zh} → {en}: the values must be the same");
        // Chinese only as an example of what a reader types, in quotation marks.
        let outside_quotes: String = en
            .split('“')
            .map(|piece| piece.split_once('”').map_or(piece, |(_, rest)| rest))
            .collect();
        assert!(
            !outside_quotes.chars().any(is_cjk),
            "{en}: English is not English"
        );
    }
}

#[test]
fn messages_and_their_values_are_translated() {
    assert_eq!(english("没有这样的消息 xyz"), "没有这样的消息 xyz");
    // A value that is a message is translated; one that is not (what was typed) is kept.
    assert_eq!(
        english("标识最长 64 个字符"),
        "An identifier has at most 64 characters"
    );
    assert_eq!(english("请填写标题"), "Please fill in the title");
    assert_eq!(
        english("标题最长 100 个字"),
        "The title can be at most 100 characters long"
    );
    assert_eq!(
        english("部门“合肥”不存在"),
        "There is no department \"合肥\""
    );
    let lits = literals("let a = \"中文\"; // \"注释\"\nlet c = '\"'; let b = r#\"原 \"文\"#;");
    assert_eq!(
        lits,
        vec![(1, "中文".to_owned()), (2, "原 \"文".to_owned())]
    );
    assert_eq!(
        normalise("{label}最长 {max:?} 个字{{x}}"),
        "{}最长 {} 个字{x}"
    );
}
