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
    fn latin_is_case_and_width_folded_and_punctuation_dropped() {
        assert_eq!(lemmas("ＣＳＶ，Api！"), ["csv", "api"]);
        assert!(lemmas("  ，。！?  ").is_empty());
        assert!(lemmas("").is_empty());
    }
}
