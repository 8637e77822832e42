//! Toneless pinyin for search: people type `gongjiao`, `gong jiao` or `gj` for 公交 without
//! choosing characters. The pinyin lives in a field of its own, never in the main text field
//! (charabia's pinyin keeps tones and misreads polyphones, and mixing it into the Chinese words
//! would let Latin words match Chinese text by accident).
//!
//! For every Chinese word of a text (as [`super::text::words`] segments it) the field holds its
//! syllables joined (`gongjiao`), their initials (`gj`), each syllable alone (`gong`, `jiao`),
//! and the same for each run of two or more characters inside a longer word (合肥市 also gives
//! `hefei`, `hf`). A character with several readings gives each of them (a few combinations
//! per word at most), so 银行 is found by `yinhang` as well as by the common reading of 行.

use std::collections::BTreeSet;

use pinyin::ToPinyinMulti;

use super::text;

/// Readings tried per word (the product of the characters' readings is capped here).
const MAX_COMBINATIONS: usize = 8;
/// Longer words give their runs of characters only up to this length.
const MAX_RUN: usize = 6;

/// The readings of one character, toneless, without repeats (ü written `v`, as on keyboards;
/// `u` too, as many type it); `None` for a character without pinyin.
fn readings(c: char) -> Option<Vec<String>> {
    let multi = c.to_pinyin_multi()?;
    let mut out: Vec<String> = Vec::new();
    for p in multi {
        let plain = p.plain().replace('ü', "v");
        for r in [plain.clone(), plain.replace('v', "u")] {
            if !out.contains(&r) {
                out.push(r);
            }
        }
    }
    (!out.is_empty()).then_some(out)
}

/// Ways to read a run of characters, as lists of syllables: the common reading first, then
/// others up to [`MAX_COMBINATIONS`].
fn spellings(chars: &[Vec<String>]) -> Vec<Vec<&str>> {
    let mut out: Vec<Vec<&str>> = vec![Vec::new()];
    for options in chars {
        let mut next = Vec::new();
        for prefix in &out {
            for option in options {
                if next.len() >= MAX_COMBINATIONS {
                    break;
                }
                let mut p = prefix.clone();
                p.push(option.as_str());
                next.push(p);
            }
        }
        out = next;
    }
    out
}

/// The pinyin terms of these texts, space-separated, each once.
pub fn terms<'a>(texts: impl IntoIterator<Item = &'a str>) -> String {
    let mut terms: BTreeSet<String> = BTreeSet::new();
    for t in texts {
        for word in text::words(t) {
            let chars: Option<Vec<Vec<String>>> = word.text.chars().map(readings).collect();
            let Some(chars) = chars else {
                continue;
            };
            for (i, options) in chars.iter().enumerate() {
                terms.extend(options.iter().cloned());
                let end_max = chars.len().min(i + MAX_RUN);
                for end in i + 2..=end_max {
                    // Inside a long word only runs from its start or its end, and the whole.
                    if chars.len() > 2 && !(i == 0 || end == chars.len()) {
                        continue;
                    }
                    for s in spellings(&chars[i..end]) {
                        terms.insert(s.concat());
                        terms.insert(s.iter().filter_map(|p| p.get(..1)).collect());
                    }
                }
            }
        }
    }
    terms.into_iter().collect::<Vec<_>>().join(" ")
}

/// Whether a query word can be pinyin (Latin letters only): only such words are looked up in the
/// pinyin field.
pub fn may_be_pinyin(word: &str) -> bool {
    !word.is_empty() && word.chars().all(|c| c.is_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has(text: &str, wanted: &[&str]) {
        let t = terms([text]);
        let got: Vec<&str> = t.split(' ').collect();
        for w in wanted {
            assert!(got.contains(w), "{text}: {w} missing from {got:?}");
        }
    }

    #[test]
    fn words_give_joined_syllables_initials_and_syllables() {
        has(
            "合肥市公交线路",
            &[
                "gongjiao", "gj", "gong", "jiao", "hefei", "hf", "xianlu", "xl",
            ],
        );
        has("交通", &["jiaotong", "jt"]);
        has("公交線路", &["gongjiao", "xianlu"]);
        // A polyphone's other reading is there too.
        has("银行", &["yinhang", "yinxing", "yh"]);
        // ü as v and as u.
        has("绿色", &["lvse", "luse"]);
        // No tones, no Chinese, no Latin words of the text.
        let t = terms(["CSV 公交"]);
        assert!(t.chars().all(|c| c.is_ascii_lowercase() || c == ' '), "{t}");
        assert!(!t.split(' ').any(|w| w == "csv"), "{t}");
        assert!(terms(["", "ABC"]).is_empty());
    }
}
