//! The portal's two languages: Simplified Chinese (the default, at `/…`) and English (at
//! `/en/…`). UI strings live in Fluent files, `locales/zh-CN/*.ftl` and `locales/en/*.ftl`,
//! compiled into the binary by `fluent-templates` (Project Fluent: plurals and arguments in
//! the translation, not in code). Numbers read as each language writes them: 万 and 亿 in
//! Chinese, thousands separators in English.

use std::borrow::Cow;
use std::collections::HashMap;

pub mod source;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader};

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "zh-CN",
        // No Unicode isolation marks around arguments: they would land in the HTML.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

tokio::task_local! {
    static CURRENT: Lang;
}

/// A language the portal is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

static ZH: LanguageIdentifier = fluent_templates::langid!("zh-CN");
static EN: LanguageIdentifier = fluent_templates::langid!("en");

impl Lang {
    /// The BCP 47 tag for `lang` and `hreflang` attributes.
    pub fn tag(self) -> &'static str {
        match self {
            Self::Zh => "zh-CN",
            Self::En => "en",
        }
    }

    /// What the language's pages start with: nothing for Chinese, `/en` for English.
    pub fn prefix(self) -> &'static str {
        match self {
            Self::Zh => "",
            Self::En => "/en",
        }
    }

    /// The other language (for the switcher).
    pub fn other(self) -> Self {
        match self {
            Self::Zh => Self::En,
            Self::En => Self::Zh,
        }
    }

    fn id(self) -> &'static LanguageIdentifier {
        match self {
            Self::Zh => &ZH,
            Self::En => &EN,
        }
    }

    /// The message `id`.
    pub fn t(self, id: &str) -> String {
        LOCALES.lookup(self.id(), id)
    }

    /// A message a service composed in Chinese, in this language (see [`source`]).
    pub fn msg<'a>(self, message: &'a str) -> Cow<'a, str> {
        match self {
            Self::Zh => Cow::Borrowed(message),
            Self::En => Cow::Owned(source::english(message)),
        }
    }

    /// The language of the request being answered (set by the language middleware around
    /// every request; Chinese outside one).
    pub fn current() -> Self {
        CURRENT.try_with(|l| *l).unwrap_or_default()
    }

    /// Runs `f` (a request's handling) in this language.
    pub async fn scope<F: std::future::Future>(self, f: F) -> F::Output {
        CURRENT.scope(self, f).await
    }

    /// The message `id`, if there is one.
    pub fn try_t(self, id: &str) -> Option<String> {
        LOCALES.try_lookup(self.id(), id)
    }

    /// The message `id` with arguments (numbers stay numbers, for plural selection).
    pub fn t_args(self, id: &str, args: &[(&'static str, FluentValue<'_>)]) -> String {
        let map: HashMap<Cow<'static, str>, FluentValue<'_>> = args
            .iter()
            .map(|(k, v)| (Cow::Borrowed(*k), v.clone()))
            .collect();
        LOCALES.lookup_with_args(self.id(), id, &map)
    }

    /// A message about a count: `$count` is the number (for `[one]`/`[other]`), `$n` the
    /// number with separators.
    pub fn count(self, id: &str, count: i64) -> String {
        self.t_args(
            id,
            &[
                ("count", FluentValue::from(count)),
                ("n", FluentValue::from(self.number(count))),
            ],
        )
    }

    /// A whole number with thousands separators, as both languages' portals print counts.
    pub fn number(self, n: i64) -> String {
        let digits = n.unsigned_abs().to_string();
        let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
        if n < 0 {
            out.push('-');
        }
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        out
    }

    /// A large number as statistics are read: 12.3万 and 3.4亿 in Chinese, 1.2 million and
    /// 3.4 billion in English; smaller ones as [`Lang::number`].
    pub fn large(self, n: i64) -> String {
        let v = n as f64;
        let a = n.unsigned_abs();
        match self {
            Self::Zh if a >= 100_000_000 => format!("{:.1}亿", v / 1e8),
            Self::Zh if a >= 10_000 => format!("{:.1}万", v / 1e4),
            Self::En if a >= 1_000_000_000 => format!("{:.1} billion", v / 1e9),
            Self::En if a >= 1_000_000 => format!("{:.1} million", v / 1e6),
            _ => self.number(n),
        }
    }

    /// The language a first-time visitor's `Accept-Language` prefers, if it is one of ours
    /// (the highest `q` wins; `zh*` is Chinese, `en*` English; anything else says nothing).
    pub fn from_accept_language(header: &str) -> Option<Self> {
        let mut best: Option<(f32, Self)> = None;
        for part in header.split(',').take(20) {
            let mut bits = part.trim().split(';');
            let tag = bits.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = bits
                .find_map(|b| b.trim().strip_prefix("q=").map(str::to_owned))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let lang = if tag == "zh" || tag.starts_with("zh-") {
                Self::Zh
            } else if tag == "en" || tag.starts_with("en-") {
                Self::En
            } else {
                continue;
            };
            if q > 0.0 && best.is_none_or(|(b, _)| q > b) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l)
    }
}

#[cfg(test)]
mod tests {
    use super::Lang;

    #[test]
    fn numbers_read_as_each_language_writes_them() {
        assert_eq!(Lang::En.number(1_234_567), "1,234,567");
        assert_eq!(Lang::En.number(999), "999");
        assert_eq!(Lang::En.number(-1000), "-1,000");
        assert_eq!(Lang::Zh.large(9_999), "9,999");
        assert_eq!(Lang::Zh.large(12_000), "1.2万");
        assert_eq!(Lang::Zh.large(340_000_000), "3.4亿");
        assert_eq!(Lang::En.large(12_000), "12,000");
        assert_eq!(Lang::En.large(3_400_000), "3.4 million");
    }

    #[test]
    fn accept_language_picks_the_preferred_of_ours() {
        assert_eq!(Lang::from_accept_language("en-US,en;q=0.9"), Some(Lang::En));
        assert_eq!(
            Lang::from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"),
            Some(Lang::Zh)
        );
        assert_eq!(
            Lang::from_accept_language("fr;q=1, en;q=0.5, zh-TW;q=0.7"),
            Some(Lang::Zh)
        );
        assert_eq!(Lang::from_accept_language("fr, de"), None);
        assert_eq!(Lang::from_accept_language(""), None);
    }

    /// The message ids of every `.ftl` file of a language's directory.
    fn ids(dir: &str) -> std::collections::BTreeSet<String> {
        let mut text = String::new();
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            if e.path().extension().is_some_and(|x| x == "ftl") {
                text.push_str(&std::fs::read_to_string(e.path()).unwrap());
                text.push('\n');
            }
        }
        text.lines()
            .filter_map(|l| l.split_once(" = ").or_else(|| l.split_once(" =")))
            .map(|(id, _)| id.to_owned())
            .filter(|id| {
                id.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            })
            .collect()
    }

    /// Both languages have the same messages, and every message the templates and the code
    /// name literally exists (a missing one would print its id on the page).
    #[test]
    fn every_message_exists_in_both_languages() {
        let root = env!("CARGO_MANIFEST_DIR");
        let zh = ids(&format!("{root}/locales/zh-CN"));
        let en = ids(&format!("{root}/locales/en"));
        assert_eq!(
            zh.symmetric_difference(&en).collect::<Vec<_>>(),
            Vec::<&String>::new()
        );
        let mut sources = Vec::new();
        for dir in ["templates", "src"] {
            let mut stack = vec![std::path::PathBuf::from(format!("{root}/{dir}"))];
            while let Some(d) = stack.pop() {
                for e in std::fs::read_dir(d).unwrap().flatten() {
                    let p = e.path();
                    if p.is_dir() {
                        stack.push(p);
                    } else if p.extension().is_some_and(|x| x == "html" || x == "rs") {
                        sources.push(std::fs::read_to_string(&p).unwrap());
                    }
                }
            }
        }
        let mut missing = Vec::new();
        for text in &sources {
            for call in [
                ".t(\"",
                ".tc(\"",
                "t_args(\"",
                ".count(\"",
                ".cx1(\"",
                ".cx2(\"",
            ] {
                for piece in text.split(call).skip(1) {
                    let id = piece.split('"').next().unwrap_or("");
                    if id
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                        && !id.is_empty()
                        && !zh.contains(id)
                    {
                        missing.push(id.to_owned());
                    }
                }
            }
        }
        // Ids made from a value: every value has its message.
        for class in ["unconditional", "conditional", "closed"] {
            assert!(zh.contains(&format!("class-{class}")));
        }
        for f in crate::domain::UpdateFrequency::ALL {
            assert!(zh.contains(&format!("freq-{}", f.as_str())), "{f:?}");
        }
        for l in crate::domain::RegionLevel::ALL {
            assert!(zh.contains(&format!("level-{}", l.as_str())));
            assert!(zh.contains(&format!("departments-{}", l.as_str())));
        }
        for s in crate::services::catalog::Sort::ALL {
            assert!(zh.contains(&format!("sort-{}", s.as_str())));
        }
        for facet in ["theme", "dept", "open", "format", "freq"] {
            assert!(zh.contains(&format!("facet-{facet}")));
        }
        // The console's words for the values it names (`layout.cx_key`).
        use crate::domain::{DatasetStatus, RequestStatus, ReviewStatus};
        let mut owned: Vec<String> = Vec::new();
        owned.extend(
            DatasetStatus::ALL
                .iter()
                .map(|s| format!("console-status-{}", s.as_str())),
        );
        owned.extend(
            ReviewStatus::ALL
                .iter()
                .map(|s| format!("console-review-{}", s.as_str())),
        );
        owned.extend(
            RequestStatus::ALL
                .iter()
                .map(|s| format!("console-request-{}", s.as_str())),
        );
        for s in [
            "processing",
            "ready",
            "blocked",
            "failed",
            "unknown",
            "retired",
        ] {
            owned.push(format!("console-vstatus-{s}"));
        }
        for a in [
            "create",
            "update",
            "publish",
            "withdraw",
            "class_request",
            "class_approve",
            "class_reject",
        ] {
            owned.push(format!("console-action-{a}"));
        }
        for id in owned {
            assert!(zh.contains(&id), "{id}");
        }
        missing.sort();
        missing.dedup();
        assert!(
            missing.is_empty(),
            "messages used but not written: {missing:?}"
        );
    }

    #[test]
    fn plurals_and_arguments() {
        assert_eq!(Lang::En.count("datasets-count", 1), "1 dataset");
        assert_eq!(Lang::En.count("datasets-count", 12_345), "12,345 datasets");
        assert_eq!(Lang::Zh.count("datasets-count", 3), "3 个数据集");
    }
}
