//! Chinese text for search: traditional characters folded to simplified in our own code (the
//! engines do not do it reliably), then words segmented by charabia (jieba for Chinese, with
//! case and width folding). Used for documents and queries alike, by every back-end.

use charabia::Tokenize;

/// Traditional → simplified, character for character, so byte offsets into the folded text
/// are offsets into the original wherever both characters have the same UTF-8 length (every
/// CJK character in the Basic Multilingual Plane).
pub fn fold(text: &str) -> String {
    fast2s::convert(text)
}

/// A word of a text: its normalised form and where it stands in the original.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

/// The words of a text (separators and punctuation left out), normalised.
pub fn words(text: &str) -> Vec<Word> {
    let folded = fold(text);
    // Offsets are only trusted when folding kept every character's length.
    let same_length = folded.len() == text.len();
    folded
        .as_str()
        .tokenize()
        .filter(|t| t.is_word())
        .map(|t| {
            let (start, end) = if same_length {
                (t.byte_start, t.byte_end)
            } else {
                (0, text.len())
            };
            Word {
                text: t.lemma().to_lowercase(),
                start,
                end,
            }
        })
        .filter(|w| !w.text.trim().is_empty())
        .collect()
}

/// One character as words compare it: simplified, full-width Latin made narrow, lower case.
fn fold_char(c: char) -> char {
    let c = match c as u32 {
        0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        0x3000 => ' ',
        _ => c,
    };
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

/// `text` as HTML with every occurrence of the query's `words` (as [`words`] gives them) in
/// `<b>…</b>`, whatever characters the text is written in; `None` when nothing matches. A text
/// longer than `max_chars` is cut to a window around the first match, with "…" where cut.
///
/// The same highlighter serves every back-end, and it segments nothing: a word is found as a
/// run of characters in the folded text (Latin words only between word boundaries), so the
/// highlights of a page of hits cost microseconds, not a segmentation per hit.
pub fn highlight(text: &str, words: &[Word], max_chars: usize) -> Option<String> {
    let original: Vec<char> = text.chars().collect();
    let folded: Vec<char> = fold(text).chars().map(fold_char).collect();
    if folded.len() != original.len() {
        return None;
    }
    let mut marked = vec![false; folded.len()];
    let latin = |c: char| c.is_ascii_alphanumeric();
    for w in words {
        let needle: Vec<char> = w.text.chars().collect();
        if needle.is_empty() || needle.len() > folded.len() {
            continue;
        }
        let bounded = needle.iter().all(|c| latin(*c));
        for start in 0..=folded.len() - needle.len() {
            let end = start + needle.len();
            if folded[start..end] != needle[..] {
                continue;
            }
            if bounded
                && (start > 0 && latin(folded[start - 1])
                    || end < folded.len() && latin(folded[end]))
            {
                continue;
            }
            marked[start..end].iter_mut().for_each(|m| *m = true);
        }
    }
    let first = marked.iter().position(|m| *m)?;
    let (from, to) = if original.len() <= max_chars {
        (0, original.len())
    } else {
        // Some context before the first match, the rest after it.
        let from = first.saturating_sub(max_chars / 4);
        let from = from.min(original.len() - max_chars);
        (from, from + max_chars)
    };
    let mut html = String::with_capacity((to - from) * 4);
    if from > 0 {
        html.push('…');
    }
    let mut open = false;
    for i in from..to {
        if marked[i] != open {
            html.push_str(if marked[i] { "<b>" } else { "</b>" });
            open = marked[i];
        }
        match original[i] {
            '&' => html.push_str("&amp;"),
            '<' => html.push_str("&lt;"),
            '>' => html.push_str("&gt;"),
            '"' => html.push_str("&quot;"),
            '\'' => html.push_str("&#39;"),
            c => html.push(c),
        }
    }
    if open {
        html.push_str("</b>");
    }
    if to < original.len() {
        html.push('…');
    }
    Some(html)
}

/// The tantivy tokenizer over [`words`], registered as [`TOKENIZER`] each time an index is
/// opened (tantivy does not store tokenizers).
#[derive(Clone, Default)]
pub struct ChineseTokenizer;

pub const TOKENIZER: &str = "zh";

pub struct WordStream {
    tokens: Vec<tantivy::tokenizer::Token>,
    next: usize,
}

impl tantivy::tokenizer::TokenStream for WordStream {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &tantivy::tokenizer::Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut tantivy::tokenizer::Token {
        &mut self.tokens[self.next - 1]
    }
}

impl tantivy::tokenizer::Tokenizer for ChineseTokenizer {
    type TokenStream<'a> = WordStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordStream {
        let tokens = words(text)
            .into_iter()
            .enumerate()
            .map(|(position, w)| tantivy::tokenizer::Token {
                offset_from: w.start,
                offset_to: w.end,
                position,
                text: w.text,
                position_length: 1,
            })
            .collect();
        WordStream { tokens, next: 0 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lemmas(text: &str) -> Vec<String> {
        words(text).into_iter().map(|w| w.text).collect()
    }

    #[test]
    fn traditional_and_simplified_give_the_same_words() {
        let simplified = lemmas("政务数据资源按照开放属性分为无条件开放类");
        assert_eq!(
            lemmas("政務數據資源按照開放屬性分為無條件開放類"),
            simplified
        );
        assert!(simplified.contains(&"数据".to_owned()), "{simplified:?}");
        assert_eq!(lemmas("公交線路"), lemmas("公交线路"));
    }

    #[test]
    fn offsets_point_into_the_original_text() {
        let text = "合肥市公交線路信息";
        for w in words(text) {
            assert!(text.is_char_boundary(w.start) && text.is_char_boundary(w.end));
            assert_eq!(fold(&text[w.start..w.end]), w.text, "{w:?}");
        }
    }

    #[test]
    fn highlights_mark_the_original_characters_of_folded_matches() {
        let q = words("数据 api");
        assert_eq!(
            highlight("蕪湖市空氣質量監測數據（API）", &q, 100).as_deref(),
            Some("蕪湖市空氣質量監測<b>數據</b>（<b>API</b>）")
        );
        // Latin words only as whole words; the text is escaped.
        assert_eq!(
            highlight("<rapid> API & 数据资源", &q, 100).as_deref(),
            Some("&lt;rapid&gt; <b>API</b> &amp; <b>数据</b>资源")
        );
        assert_eq!(highlight("公交线路", &q, 100), None);
        // A long text is cut around the first match.
        let long = format!("{}开放数据{}", "前".repeat(100), "后".repeat(100));
        let cut = highlight(&long, &words("开放"), 20).unwrap();
        assert!(cut.starts_with('…') && cut.ends_with('…'), "{cut}");
        assert!(cut.contains("<b>开放</b>数据"), "{cut}");
        assert_eq!(cut.chars().filter(|c| *c == '前').count(), 5, "{cut}");
    }

    #[test]
    fn latin_is_case_and_width_folded_and_punctuation_dropped() {
        assert_eq!(lemmas("ＣＳＶ，Api！"), ["csv", "api"]);
        assert!(lemmas("  ，。！?  ").is_empty());
        assert!(lemmas("").is_empty());
    }
}
