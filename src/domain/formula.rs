//! Cells that a spreadsheet program would run as a formula when a CSV is opened (CSV
//! injection): text starting with `=`, `+`, `-` or `@` that is not a number.

/// Whether a spreadsheet program would read `cell` as a formula.
pub fn looks_like_formula(cell: &str) -> bool {
    let t = cell.trim_start_matches([' ', '\t', '\r', '\n']);
    let Some(first) = t.chars().next() else {
        return false;
    };
    if !matches!(first, '=' | '+' | '-' | '@') {
        return false;
    }
    let rest = t[first.len_utf8()..].trim();
    if rest.is_empty() || rest.chars().all(|c| c == '-' || c == '=') {
        // "-", "--", "==" are dashes as people type them, not formulas.
        return false;
    }
    // A number (-5, +3.2, -1e3, +86 138 1234 5678) is data.
    let digits: String = rest.chars().filter(|c| !matches!(c, ' ' | ',')).collect();
    if first != '=' && first != '@' && digits.parse::<f64>().is_ok() {
        return false;
    }
    true
}

/// `cell` as our own CSVs write it: a formula-like cell gets a leading apostrophe, so that a
/// spreadsheet program shows the text instead of running it.
pub fn neutralised(cell: &str) -> std::borrow::Cow<'_, str> {
    if looks_like_formula(cell) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_formulas_from_numbers_and_dashes() {
        for f in [
            "=1+1",
            "=HYPERLINK(\"http://x\",\"点我\")",
            "+cmd|' /C calc'!A0",
            "-2+3+cmd|' /C calc'!A0",
            "@SUM(A1:A9)",
            "  =A1",
        ] {
            assert!(looks_like_formula(f), "{f}");
        }
        for d in [
            "",
            "-",
            "--",
            "-5",
            "+3.2",
            "-1e3",
            "+86 138 1234 5678",
            "合肥",
            "a=b",
            "1,234",
        ] {
            assert!(!looks_like_formula(d), "{d}");
        }
        assert_eq!(neutralised("=1+1"), "'=1+1");
        assert_eq!(neutralised("合肥"), "合肥");
    }
}
