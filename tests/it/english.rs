//! The English portal (issue 20): `/en/…` serves every page in English, keeps the reader in
//! English through links, forms and redirects, says which text is Chinese data (`lang="zh-CN"`),
//! offers the same page in the other language, and sends a first visit whose browser prefers
//! English there once. The Chinese portal is unchanged.

use scraper::{ElementRef, Html, Node, Selector};

use crate::both_backends;
use crate::helpers::{Backend, DatasetBuilder, TestApp};

both_backends!(
    english_pages_have_no_chinese_ui_text,
    the_language_follows_the_reader,
    messages_speak_the_readers_language
);

/// The pages translated so far; each grows with the translation of its templates.
const TRANSLATED: [&str; 15] = [
    "/en/",
    "/en/emergencies",
    "/en/datasets/bus-0",
    "/en/login",
    "/en/register",
    "/en/departments",
    "/en/departments/hefei-transport",
    "/en/themes/transport",
    "/en/datasets",
    "/en/datasets?q=%E5%85%AC%E4%BA%A4",
    "/en/datasets?open=unconditional&freq=monthly",
    "/en/datasets?sort=downloads&page=9",
    "/en/datasets?q=nothing-matches-this",
    "/en/no-such-page",
    "/en/datasets?theme=unicorns",
];

/// What the tests type into the search box.
const TYPED: &str = "公交";

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{303f}' | '\u{4e00}'..='\u{9fff}' | '\u{ff00}'..='\u{ffef}')
}

/// Text outside any element marked Chinese (`lang="zh…"`) that holds Chinese characters.
pub(crate) fn chinese_ui_text(html: &Html) -> Vec<String> {
    let mut found = Vec::new();
    for node in html.tree.nodes() {
        let Node::Text(text) = node.value() else {
            continue;
        };
        // The reader's own search words are theirs, in whatever language they typed.
        if !text.replace(TYPED, "").chars().any(is_cjk) {
            continue;
        }
        // The <title> names the page's subject (a department, a dataset: data, which no element
        // inside a title can mark); its UI part, the site name, is checked below.
        let marked = node.ancestors().filter_map(ElementRef::wrap).any(|e| {
            matches!(e.value().name(), "script" | "style" | "title")
                || e.value().attr("lang").is_some_and(|l| l.starts_with("zh"))
        });
        if !marked {
            found.push(text.trim().to_owned());
        }
    }
    // Attributes a person hears or sees: labels, titles, placeholders, alternatives.
    let sel = Selector::parse("[aria-label], [title], [placeholder], [alt]").unwrap();
    for e in html.select(&sel) {
        let marked = std::iter::once(e)
            .chain(e.ancestors().filter_map(ElementRef::wrap))
            .any(|a| a.value().attr("lang").is_some_and(|l| l.starts_with("zh")));
        for attr in ["aria-label", "title", "placeholder", "alt"] {
            if let Some(v) = e.value().attr(attr)
                && v.chars().any(is_cjk)
                && !marked
            {
                found.push(format!("{attr}={v}"));
            }
        }
    }
    found
}

/// Local links and forms that leave English (assets, files and the API excepted).
pub(crate) fn links_leaving_english(html: &Html) -> Vec<String> {
    let mut found = Vec::new();
    for (sel, attr) in [("a[href^='/']", "href"), ("form[action^='/']", "action")] {
        for e in html.select(&Selector::parse(sel).unwrap()) {
            let target = e.value().attr(attr).unwrap();
            let other_language = e.value().attr("hreflang") == Some("zh-CN");
            let fine = target.starts_with("/en/")
                || target == "/en"
                || target.starts_with("/static/")
                || target.starts_with("/api/")
                || other_language;
            if !fine {
                found.push(format!("{attr}={target} leaves English"));
            }
        }
    }
    found
}

fn seed(app: &TestApp) {
    let dept = app.department("hefei-transport", "合肥市交通运输局", "340100");
    for i in 0..3 {
        DatasetBuilder::new(&format!("bus-{i}"), &format!("公交线路{i}"), &dept).insert(app);
    }
    DatasetBuilder::new("bus-en", "公交线路英文", &dept)
        .english("Hefei bus lines", "Every bus line of Hefei with its stops.")
        .insert(app);
}

async fn english_pages_have_no_chinese_ui_text(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    seed(&app);
    let mut problems = Vec::new();
    for path in TRANSLATED {
        let (status, page) = app.page(path).await;
        assert!(status < 500, "{path}: {status}");
        let html = &page.html;
        let root = html.root_element();
        assert_eq!(root.value().attr("lang"), Some("en"), "{path}");
        let title = html
            .select(&Selector::parse("title").unwrap())
            .next()
            .map(|t| t.text().collect::<String>())
            .unwrap_or_default();
        assert!(title.ends_with("Anhui Open Data Portal"), "{path}: {title}");
        for text in chinese_ui_text(html) {
            problems.push(format!("{path}: {text}"));
        }
        for link in links_leaving_english(html) {
            problems.push(format!("{path}: {link}"));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

async fn the_language_follows_the_reader(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    seed(&app);
    // The Chinese portal is as it was.
    let zh = app.ok_page("/datasets").await;
    assert_eq!(zh.html.root_element().value().attr("lang"), Some("zh-CN"));
    assert_eq!(zh.text("#results-title"), "共 4 个数据集");

    // The English page: its title, counts, the switcher and both alternates.
    let en = app.ok_page("/en/datasets?q=%E5%85%AC%E4%BA%A4").await;
    assert_eq!(en.text("#results-title"), "4 datasets");
    assert_eq!(
        en.attrs("link[rel=alternate][hreflang=zh-CN]", "href"),
        ["/datasets?q=%E5%85%AC%E4%BA%A4"]
    );
    assert_eq!(
        en.attrs("link[rel=alternate][hreflang=en]", "href"),
        ["/en/datasets?q=%E5%85%AC%E4%BA%A4"]
    );
    assert_eq!(
        en.attrs(".lang-switch a", "href"),
        ["/datasets?q=%E5%85%AC%E4%BA%A4"]
    );
    assert_eq!(
        zh.attrs(".lang-switch a", "href"),
        ["/en/datasets"],
        "the Chinese page offers the same page in English"
    );
    // A dataset with an English title shows it; the others are Chinese data, marked as such.
    let mut langs = en.attrs(".card-title", "lang");
    langs.sort();
    assert_eq!(langs, ["en", "zh-CN", "zh-CN", "zh-CN"]);
    assert!(
        en.texts(".card-title")
            .contains(&"Hefei bus lines".to_owned())
    );
    let page = app.ok_page("/en/datasets/bus-en").await;
    assert_eq!(page.text("h1"), "Hefei bus lines 公交线路英文");
    assert_eq!(
        page.text(".lead"),
        "Every bus line of Hefei with its stops."
    );
    // The Chinese page keeps the Chinese title.
    let page = app.ok_page("/datasets/bus-en").await;
    assert_eq!(page.text("h1"), "公交线路英文");
    // The search keeps the reader's text.
    assert_eq!(en.attrs("#q", "value"), ["公交"]);
    // An English error page.
    let (status, missing) = app.page("/en/no-such-page").await;
    assert_eq!(status, 404);
    assert_eq!(missing.text("h1"), "Page not found");

    // A first visit whose browser prefers English goes to the English page, once.
    let fresh = || {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    };
    let url = format!("{}/datasets?q=bus", app.address);
    let res = fresh()
        .get(&url)
        .header("Accept-Language", "en-US,en;q=0.9")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    assert_eq!(res.headers()["location"], "/en/datasets?q=bus");
    // Chinese first, or a reader who chose Chinese before: no redirect.
    for (accept, cookie) in [
        ("zh-CN,zh;q=0.9,en;q=0.8", ""),
        ("en-US,en;q=0.9", "kaifang_lang=zh-CN"),
    ] {
        let mut req = fresh().get(&url).header("Accept-Language", accept);
        if !cookie.is_empty() {
            req = req.header("Cookie", cookie);
        }
        assert_eq!(req.send().await.unwrap().status(), 200, "{accept} {cookie}");
    }
    // Files and the API are never redirected.
    let res = fresh()
        .get(format!("{}/api/v1/datasets", app.address))
        .header("Accept-Language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // A page sets the cookie that remembers the language.
    let res = fresh()
        .get(format!("{}/en/datasets", app.address))
        .send()
        .await
        .unwrap();
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("kaifang_lang=en"), "{cookie}");
}

/// What services say (refusals, form errors) reaches an English reader in English: on pages by
/// the URL, in the API by `Accept-Language`; the Chinese side is unchanged.
async fn messages_speak_the_readers_language(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    seed(&app);
    // A refused catalog page: the reason in English, not marked as Chinese.
    let (status, page) = app.page("/en/datasets?page=abc").await;
    assert_eq!(status, 400);
    let main = page.text("main");
    assert!(
        main.contains("Page \"abc\" is not valid: a page is a positive whole number"),
        "{main}"
    );
    assert!(chinese_ui_text(&page.html).is_empty(), "{main}");
    let (_, page) = app.page("/datasets?page=abc").await;
    assert!(page.text("main").contains("页码“abc”无效，页码应为正整数"));

    // Dates as each language writes them.
    let en = app.ok_page("/en/datasets").await.text("main");
    assert!(en.contains("Last updated 1 Jan 2026"), "{en}");
    assert!(en.contains("Updated: Monthly"), "{en}");
    assert!(!en.contains("2026-01-01"), "{en}");
    let zh = app.ok_page("/datasets").await.text("main");
    assert!(zh.contains("2026-01-01"), "{zh}");

    // The API: Accept-Language chooses, Chinese by default; fields too.
    let api = |lang: Option<&'static str>| {
        let mut req = app
            .client
            .get(format!("{}/api/v1/datasets?per_page=1000", app.address));
        if let Some(l) = lang {
            req = req.header("Accept-Language", l);
        }
        async move {
            let res = req.send().await.unwrap();
            assert_eq!(res.status(), 400);
            let language = res.headers()["content-language"]
                .to_str()
                .unwrap()
                .to_owned();
            let body: serde_json::Value = res.json().await.unwrap();
            (
                language,
                body["error"]["message"].as_str().unwrap().to_owned(),
            )
        }
    };
    let (language, message) = api(Some("en-GB,en;q=0.9")).await;
    assert_eq!(language, "en");
    assert_eq!(message, "per_page must be a whole number from 1 to 100");
    let (language, message) = api(None).await;
    assert_eq!(language, "zh-CN");
    assert_eq!(message, "per_page 应为 1 到 100 之间的整数");
    let (_, message) = api(Some("zh-CN,en;q=0.5")).await;
    assert_eq!(message, "per_page 应为 1 到 100 之间的整数");
    // A long value is cut inside the message, which stays translatable.
    let res = app
        .client
        .get(format!(
            "{}/api/v1/datasets?sort={}",
            app.address,
            "x".repeat(500)
        ))
        .header("Accept-Language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let body: serde_json::Value = res.json().await.unwrap();
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.starts_with("Unknown sort order"), "{message}");
    // An unknown key, in English.
    let res = app
        .client
        .get(format!("{}/api/v1/account", app.address))
        .header("Accept-Language", "en")
        .bearer_auth("kf_not_a_key")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let body: serde_json::Value = res.json().await.unwrap();
    let message = body["error"]["message"].as_str().unwrap();
    assert!(!message.chars().any(is_cjk), "{message}");
}
