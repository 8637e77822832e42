//! Accessibility in a real browser (issue 20): axe-core on every page type, in the normal and
//! the elder-friendly mode (长辈模式, with axe's AAA contrast rule), and the three main journeys
//! done with the keyboard alone.
//!
//! axe-core is the npm package pinned by `tests/axe/package-lock.json`; `.ci/run` installs it
//! into `target/axe` and names its `axe.min.js` in `KAIFANG_AXE_JS`. Without Chromium or
//! without that file the tests are skipped, unless `KAIFANG_REQUIRE_BROWSER=1`.

use std::time::Duration;

use fantoccini::Client;
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use kaifang::domain::Role;

use crate::browser::{log_in, log_out, open, save_screenshot, start_browser, visible_text};
use crate::helpers::{Backend, TestApp, env_flag};
use crate::page_fixture::{ADMIN, Fixture, PUBLISHER, USER, fixture};

const TAB: char = '\u{E004}';
const ENTER: char = '\u{E007}';
const SPACE: char = '\u{E00D}';

/// The source of `axe.min.js`: `KAIFANG_AXE_JS`, else where `.ci/run` installs it.
fn axe_source() -> Option<String> {
    let path = std::env::var("KAIFANG_AXE_JS").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/target/axe/node_modules/axe-core/axe.min.js"
        )
        .to_owned()
    });
    match std::fs::read_to_string(&path) {
        Ok(s) => Some(s),
        Err(e) => {
            assert!(
                !env_flag("KAIFANG_REQUIRE_BROWSER"),
                "KAIFANG_REQUIRE_BROWSER=1 but axe-core is missing at {path} ({e}): \
                 npm ci --prefix target/axe (see .ci/run)"
            );
            eprintln!("skipped: axe-core is not installed at {path}");
            None
        }
    }
}

/// Runs axe-core on the page in the browser; returns one line per violation: the page, the
/// rule, its impact and the selectors of the elements that break it.
async fn axe_violations(c: &Client, axe: &str, elder: bool, page: &str) -> Vec<String> {
    c.execute(axe, vec![]).await.expect("inject axe-core");
    let tags = serde_json::json!(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]);
    // The A/AA rules by tag; in elder mode also the AAA contrast rule, run on its own.
    let mut runs = vec![serde_json::json!({"runOnly": {"type": "tag", "values": tags}})];
    if elder {
        runs.push(
            serde_json::json!({"runOnly": {"type": "rule", "values": ["color-contrast-enhanced"]}}),
        );
    }
    let mut out = Vec::new();
    for options in runs {
        let found = c
            .execute(
                "return axe.run(document, arguments[0]).then(function (r) {
                   return r.violations.map(function (v) {
                     return {id: v.id, impact: v.impact, help: v.help,
                             nodes: v.nodes.map(function (n) {
                               return n.target.join(' ') + ' — ' + (n.failureSummary || '').split('\\n').slice(0, 2).join(' ');
                             })};
                   });
                 });",
                vec![options],
            )
            .await
            .expect("axe.run");
        for v in found.as_array().cloned().unwrap_or_default() {
            let nodes: Vec<String> = v["nodes"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .filter_map(|n| n.as_str().map(str::to_owned))
                .collect();
            out.push(format!(
                "{page}{}: {} ({}) {}\n      {}",
                if elder { " [elder]" } else { "" },
                v["id"].as_str().unwrap_or("?"),
                v["impact"].as_str().unwrap_or("?"),
                v["help"].as_str().unwrap_or(""),
                nodes.join("\n      ")
            ));
        }
    }
    out
}

/// In elder mode, what axe does not measure: text under 18 px, and targets (links, buttons,
/// fields) smaller than 44 x 44 px. Links inside a sentence are exempt from the size (WCAG 2.5.5's
/// inline exception): they get a taller hit area from the CSS, not a wider one.
async fn elder_measurements(c: &Client, page: &str) -> Vec<String> {
    let found = c
        .execute(
            "var out = [];
             function shown(e) { var r = e.getBoundingClientRect(); var s = getComputedStyle(e);
               return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && !e.closest('.visually-hidden'); }
             function name(e) { return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
               (e.className && e.className.baseVal === undefined ? '.' + e.className.split(' ').join('.') : '') +
               ' [' + (e.textContent || e.value || '').trim().slice(0, 16) + ']'; }
             document.querySelectorAll('body *').forEach(function (e) {
               if (e.closest('svg') || !shown(e)) return;
               var own = Array.prototype.some.call(e.childNodes, function (n) { return n.nodeType === 3 && n.textContent.trim(); });
               var size = parseFloat(getComputedStyle(e).fontSize);
               if (own && size < 18) out.push('text of ' + size + ' px: ' + name(e));
             });
             document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary').forEach(function (e) {
               if (!shown(e) || e.classList.contains('skip-link')) return;
               var r = e.getBoundingClientRect();
               var inline = e.tagName === 'A' && getComputedStyle(e).display === 'inline';
               var label = e.closest('label');
               var box = label ? label.getBoundingClientRect() : r;
               if (r.height < 44 && box.height < 44 || (!inline && r.width < 44 && box.width < 44))
                 out.push('target of ' + Math.round(r.width) + ' x ' + Math.round(r.height) + ' px: ' + name(e));
             });
             return out;",
            vec![],
        )
        .await
        .expect("measure the page");
    found
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|v| v.as_str().map(|s| format!("{page} [elder]: {s}")))
        .collect()
}

/// Turns elder mode on or off the way a reader does without JavaScript: through the switch's URL.
async fn set_elder(c: &Client, app: &TestApp, on: bool) {
    open(
        c,
        &format!("{}/elder?on={}&next=/", app.address, u8::from(on)),
    )
    .await
    .expect("the elder-mode switch");
    let class = c
        .execute("return document.body.className;", vec![])
        .await
        .unwrap();
    assert_eq!(class.as_str() == Some("elder"), on, "elder mode is {on}");
}

/// The page types, by who sees them: (who logs in, paths).
fn page_types(f: &Fixture) -> Vec<(Option<&'static str>, Vec<String>)> {
    let own = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let mut public = own(&[
        "/",
        "/datasets",
        "/datasets?q=公交",
        "/datasets?q=没有这样的数据",
        "/datasets/hefei-bus-routes",
        "/datasets/hefei-enterprises",
        "/datasets/hefei-bus-routes/api",
        "/departments",
        "/departments/hefei-transport",
        "/themes/transport",
        "/emergencies",
        "/emergencies/chaohu-flood",
        "/developers",
        "/login",
        "/register",
        "/register/individual",
        "/register/organisation",
        "/no-such-page",
        "/stats",
        "/stats/applications",
        "/showcase",
        "/requests",
    ]);
    public.push(f.request.clone());
    let mut user = own(&[
        "/account",
        "/account/sessions",
        "/account/keys",
        "/account/password",
        "/account/applications",
        "/account/inbox",
        "/datasets/hefei-enterprises/apply",
        "/datasets/hefei-bus-routes/feedback",
        "/requests/new",
        "/showcase/new",
    ]);
    user.push(format!("/account/applications/{}", f.application));
    user.push(f.review.clone());
    let mut publisher = own(&[
        "/console",
        "/console/datasets/new",
        "/console/datasets/hefei-bus-routes/edit",
        "/console/datasets/hefei-bus-routes/resources",
        "/console/datasets/hefei-bus-routes/history",
        "/console/applications",
        "/console/feedback",
        "/console/requests",
        "/console/comments",
        "/console/emergencies",
        "/console/emergencies/chaohu-flood",
    ]);
    publisher.push(format!("/console/applications/{}", f.application));
    let review = f.review.trim_start_matches("/feedback/");
    publisher.push(format!("/console/feedback/{review}"));
    let resource = format!(
        "/console/datasets/hefei-bus-routes/resources/{}",
        f.resource
    );
    publisher.push(format!("{resource}/versions/1"));
    publisher.push(resource);
    let mut admin = own(&[
        "/admin",
        "/admin/departments",
        "/admin/departments/new",
        "/admin/departments/hefei-transport/edit",
        "/admin/users",
        "/admin/class-changes",
        "/admin/audit",
        "/admin/requests",
        "/admin/assessment",
        "/admin/showcase",
        "/admin/comments",
        "/admin/uploads",
        "/admin/calendar",
        "/admin/emergencies",
    ]);
    admin.push(format!("/admin/users/{}", f.user_id));
    // Every page type in English too (issue 20: axe in both languages).
    let both = |mut paths: Vec<String>| {
        let english: Vec<String> = paths.iter().map(|p| format!("/en{p}")).collect();
        paths.extend(english);
        paths
    };
    vec![
        (None, both(public)),
        (Some(USER), both(user)),
        (Some(PUBLISHER), both(publisher)),
        (Some(ADMIN), both(admin)),
    ]
}

/// axe-core finds no WCAG 2.1 A/AA violation on any page type, and in elder mode no AAA
/// contrast violation either.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_a11y_axe_finds_no_violation_on_any_page_type() {
    let Some(axe) = axe_source() else { return };
    let Some((_driver, c)) = start_browser().await else {
        return;
    };
    let f = fixture(Backend::Sqlite)
        .await
        .expect("SQLite is always available");
    let app = &f.app;
    let mut violations = Vec::new();
    let mut checked = 0;
    for elder in [false, true] {
        for (who, paths) in page_types(&f) {
            if let Some(email) = who {
                log_in(&c, app, email, crate::helpers::PASSWORD)
                    .await
                    .expect("log in");
            }
            if elder {
                set_elder(&c, app, true).await;
            }
            for path in &paths {
                open(&c, &format!("{}{path}", app.address))
                    .await
                    .unwrap_or_else(|e| panic!("{path}: {e}"));
                let here = c.current_url().await.unwrap();
                assert_eq!(
                    format!(
                        "{}{}",
                        here.path(),
                        here.query().map(|q| format!("?{q}")).unwrap_or_default()
                    ),
                    url_path(path),
                    "{path} is shown, not a redirect"
                );
                violations.extend(axe_violations(&c, &axe, elder, path).await);
                if elder {
                    violations.extend(elder_measurements(&c, path).await);
                }
                checked += 1;
            }
            if who.is_some() {
                log_out(&c).await.expect("log out");
            }
        }
        if elder {
            set_elder(&c, app, false).await;
        }
    }
    c.close().await.ok();
    eprintln!("axe-core checked {checked} pages");
    // 65 page types, in Chinese and English, in the normal and the elder mode.
    assert!(checked >= 2 * 2 * 65, "{checked} pages");
    assert!(
        violations.is_empty(),
        "axe-core found {} violations:\n{}",
        violations.len(),
        violations.join("\n")
    );
}

/// A path as the browser's URL shows it (non-ASCII query text percent-encoded).
fn url_path(path: &str) -> String {
    let url = url::Url::parse(&format!("http://x{path}")).unwrap();
    format!(
        "{}{}",
        url.path(),
        url.query().map(|q| format!("?{q}")).unwrap_or_default()
    )
}

/// Presses one key on whatever has the focus.
async fn press(c: &Client, key: char) -> Result<(), fantoccini::error::CmdError> {
    let actions = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: key })
        .then(KeyAction::Up { value: key });
    c.perform_actions(actions).await?;
    c.release_actions().await
}

/// Types text into whatever has the focus, key by key.
async fn type_text(c: &Client, text: &str) -> Result<(), fantoccini::error::CmdError> {
    let mut actions = KeyActions::new("keyboard".into());
    for ch in text.chars() {
        actions = actions
            .then(KeyAction::Down { value: ch })
            .then(KeyAction::Up { value: ch });
    }
    c.perform_actions(actions).await?;
    c.release_actions().await
}

/// Whether the focused element matches a CSS selector.
async fn focus_is(c: &Client, css: &str) -> bool {
    c.execute(
        "return !!document.activeElement && document.activeElement.matches(arguments[0]);",
        vec![serde_json::json!(css)],
    )
    .await
    .unwrap()
    .as_bool()
    .unwrap_or(false)
}

/// Presses Tab until the focus is on an element matching `css`; each stop must show a visible
/// focus indicator (an outline or a box shadow).
async fn tab_to(c: &Client, css: &str) -> Result<(), fantoccini::error::CmdError> {
    let mut seen = Vec::new();
    for _ in 0..150 {
        press(c, TAB).await?;
        let focus = c
            .execute(
                "var e = document.activeElement; if (!e || e === document.body) return null;
                 var s = getComputedStyle(e);
                 return {what: e.tagName + (e.id ? '#' + e.id : '') + ' ' + (e.textContent || e.name || '').trim().slice(0, 20),
                         visible: (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== 'none'};",
                vec![],
            )
            .await?;
        if !focus.is_null() {
            assert_eq!(
                focus["visible"],
                serde_json::json!(true),
                "no visible focus on {}",
                focus["what"]
            );
            seen.push(focus["what"].as_str().unwrap_or("").to_owned());
        }
        if focus_is(c, css).await {
            return Ok(());
        }
    }
    panic!("Tab never reached {css}; it went through {seen:#?}");
}

/// Presses a key that leaves the page, and waits for the next one (as `browser::follow`).
async fn press_and_follow(c: &Client, key: char) -> Result<(), fantoccini::error::CmdError> {
    let old = c
        .find(fantoccini::Locator::Css("footer.site-footer"))
        .await?;
    press(c, key).await?;
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while old.is_displayed().await.is_ok() {
        assert!(
            std::time::Instant::now() < deadline,
            "the key never left the page"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    c.wait()
        .at_most(Duration::from_secs(30))
        .for_element(fantoccini::Locator::Css("footer.site-footer"))
        .await?;
    Ok(())
}

/// Journey (a): search the catalog from the home page and download a file, keyboard only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_a11y_keyboard_search_and_download() {
    let Some((driver, c)) = start_browser().await else {
        return;
    };
    let f = fixture(Backend::Sqlite)
        .await
        .expect("SQLite is always available");
    let app = &f.app;
    let result = async {
        open(&c, &format!("{}/", app.address)).await?;
        // The skip link comes first and moves the focus to the main content.
        press(&c, TAB).await?;
        assert!(
            focus_is(&c, "a.skip-link[href='#main']").await,
            "the skip link is first"
        );
        assert_eq!(visible_text(&c, "a.skip-link").await, "跳到主要内容");
        press(&c, ENTER).await?;
        tab_to(&c, "#home-q").await?;
        type_text(&c, "公交").await?;
        press_and_follow(&c, ENTER).await?;
        assert_eq!(c.current_url().await?.path(), "/datasets");
        assert_eq!(visible_text(&c, "#results-title").await, "共 1 个数据集");
        tab_to(&c, ".results a[href='/datasets/hefei-bus-routes']").await?;
        press_and_follow(&c, ENTER).await?;
        assert_eq!(c.current_url().await?.path(), "/datasets/hefei-bus-routes");
        // The chart's summary is there for every reader.
        assert!(
            visible_text(&c, ".chart-summary")
                .await
                .contains("最高的是"),
            "the chart says its trend in words"
        );
        tab_to(&c, "table.resources a[href$='format=csv']").await?;
        press(&c, ENTER).await?;
        // The file arrives in the browser's download folder.
        let mut found = None;
        for _ in 0..200 {
            found = std::fs::read_dir(driver.downloads())
                .ok()
                .and_then(|mut d| d.find_map(|e| e.ok()))
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "csv"));
            if found.is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let file = found.expect("the CSV is downloaded");
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.starts_with("线路名称,客运量,统计日期"), "{text:.80}");
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    c.close().await.ok();
    result.expect("search and download with the keyboard");
}

/// Journey (b): log in and apply for a conditional dataset, keyboard only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_a11y_keyboard_login_and_apply() {
    let Some((_driver, c)) = start_browser().await else {
        return;
    };
    let f = fixture(Backend::Sqlite)
        .await
        .expect("SQLite is always available");
    let app = &f.app;
    app.account("applicant@example.cn", Role::User, None);
    let result = async {
        open(&c, &format!("{}/datasets/hefei-enterprises", app.address)).await?;
        tab_to(&c, "a[href='/datasets/hefei-enterprises/apply']").await?;
        press_and_follow(&c, ENTER).await?;
        // Not logged in: the login page, which comes back here.
        assert_eq!(c.current_url().await?.path(), "/login");
        tab_to(&c, "#f-email").await?;
        type_text(&c, "applicant@example.cn").await?;
        press(&c, TAB).await?;
        assert!(focus_is(&c, "#f-password").await);
        type_text(&c, crate::helpers::PASSWORD).await?;
        press_and_follow(&c, ENTER).await?;
        assert_eq!(
            c.current_url().await?.path(),
            "/datasets/hefei-enterprises/apply"
        );
        tab_to(&c, "#f-purpose").await?;
        type_text(&c, "研究合肥市企业分布").await?;
        tab_to(&c, "#f-scenario").await?;
        type_text(&c, "高校科研项目").await?;
        tab_to(&c, "input[name=fields][value='企业名称']").await?;
        press(&c, SPACE).await?;
        tab_to(&c, "input[name=access_mode]").await?;
        press(&c, SPACE).await?;
        tab_to(&c, "#f-period_days").await?;
        type_text(&c, "30").await?;
        tab_to(&c, "#f-security_measures").await?;
        type_text(&c, "加密存储，结题后销毁").await?;
        tab_to(&c, "input[name=undertaking]").await?;
        press(&c, SPACE).await?;
        tab_to(&c, "form[action$='/apply'] button[type=submit]").await?;
        press_and_follow(&c, ENTER).await?;
        assert_eq!(c.current_url().await?.path(), "/account/applications");
        let mine = visible_text(&c, "main").await;
        assert!(mine.contains("合肥市企业登记信息"), "{mine}");
        assert!(mine.contains("待审核"), "{mine}");
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    c.close().await.ok();
    result.expect("apply with the keyboard");
}

/// Journey (c): follow an emergency from the banner, keyboard only; a new update is announced
/// in the page's live region — in elder mode without moving the page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_a11y_keyboard_emergency_announced() {
    let Some((_driver, c)) = start_browser().await else {
        return;
    };
    let f = fixture(Backend::Sqlite)
        .await
        .expect("SQLite is always available");
    let app = &f.app;
    let result = async {
        // The banner counts active events every few seconds.
        for _ in 0..100 {
            open(&c, &format!("{}/", app.address)).await?;
            if c
                .find(fantoccini::Locator::Css(".emergency-banner"))
                .await
                .is_ok()
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        tab_to(&c, ".emergency-banner a[href='/emergencies']").await?;
        press_and_follow(&c, ENTER).await?;
        tab_to(&c, "main a[href='/emergencies/chaohu-flood']").await?;
        press_and_follow(&c, ENTER).await?;
        // Elder mode, switched on with the keyboard: the switch says it is pressed.
        tab_to(&c, ".elder-switch button").await?;
        assert_eq!(
            c.execute(
                "return document.activeElement.getAttribute('aria-pressed');",
                vec![]
            )
            .await?,
            serde_json::json!("false")
        );
        press_and_follow(&c, SPACE).await?;
        assert_eq!(c.current_url().await?.path(), "/emergencies/chaohu-flood");
        assert_eq!(
            c.execute(
                "return document.querySelector('.elder-switch button').getAttribute('aria-pressed');",
                vec![]
            )
            .await?,
            serde_json::json!("true")
        );
        let region = c
            .execute(
                "var e = document.getElementById('live-status'); return [e.getAttribute('role'), e.getAttribute('aria-live')];",
                vec![],
            )
            .await?;
        assert_eq!(region, serde_json::json!(["status", "polite"]));
        let mut connected = false;
        for _ in 0..100 {
            if visible_text(&c, "#live-status").await.contains("已连接") {
                connected = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(connected, "the live connection opens");
        let before = c
            .execute("return document.querySelectorAll('ol.timeline > li').length;", vec![])
            .await?;
        post_update(app, "巢湖大堤巡查正常，无新增险情。").await;
        let mut announced = String::new();
        for _ in 0..150 {
            announced = visible_text(&c, "#live-status").await;
            if announced.contains("无新增险情") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(
            announced.contains("已收到新的更新") && announced.contains("无新增险情"),
            "the live region announces the update: {announced}"
        );
        let after = c
            .execute("return document.querySelectorAll('ol.timeline > li').length;", vec![])
            .await?;
        assert_eq!(before, after, "in elder mode the page does not move by itself");
        // The reader chooses to see it: Tab to the link in the announcement.
        tab_to(&c, "#live-status a").await?;
        press_and_follow(&c, ENTER).await?;
        assert!(visible_text(&c, "ol.timeline").await.contains("无新增险情"));
        save_screenshot(&c, "elder-emergency.png").await?;
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    c.close().await.ok();
    result.expect("follow an emergency with the keyboard");
}

async fn post_update(app: &TestApp, text: &str) {
    let publisher = app.account(
        "duty@hefei.gov.cn",
        Role::Publisher,
        Some("hefei-transport"),
    );
    let key = app.api_key(publisher.id);
    let res = app
        .client
        .post(format!(
            "{}/api/v1/emergencies/chaohu-flood/updates",
            app.address
        ))
        .bearer_auth(&key)
        .json(&serde_json::json!({"text": text}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
}

/// Screenshots of the home and dataset pages in elder mode, for people to look at.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_a11y_elder_mode_screenshots() {
    let Some((_driver, c)) = start_browser().await else {
        return;
    };
    let f = fixture(Backend::Sqlite)
        .await
        .expect("SQLite is always available");
    let app = &f.app;
    let result = async {
        set_elder(&c, app, true).await;
        open(&c, &format!("{}/", app.address)).await?;
        let size = c
            .execute(
                "return parseFloat(getComputedStyle(document.querySelector('main p, main li')).fontSize);",
                vec![],
            )
            .await?;
        assert!(size.as_f64().unwrap() >= 18.0, "text of {size} px");
        save_screenshot(&c, "elder-home.png").await?;
        open(&c, &format!("{}/datasets/hefei-bus-routes", app.address)).await?;
        assert!(c.find(fantoccini::Locator::Css("ol.field-list")).await.is_ok(), "fields as a list");
        assert!(c.find(fantoccini::Locator::Css("table.fields")).await.is_err());
        // The whole page in one picture: a window as tall as the page.
        let height = c
            .execute("return document.documentElement.scrollHeight;", vec![])
            .await?
            .as_u64()
            .unwrap_or(900);
        c.set_window_size(1280, height.min(8000) as u32).await?;
        save_screenshot(&c, "elder-dataset.png").await?;
        c.set_window_size(1280, 900).await?;
        // And the metadata and field lists as the window shows them.
        c.execute(
            "document.getElementById('meta-title').scrollIntoView(); return true;",
            vec![],
        )
        .await?;
        save_screenshot(&c, "elder-dataset-metadata.png").await?;
        c.execute(
            "document.querySelector('.chart').scrollIntoView(); return true;",
            vec![],
        )
        .await?;
        save_screenshot(&c, "elder-dataset-chart.png").await?;
        // The English portal in elder mode: the same switch, the same styles.
        open(&c, &format!("{}/en/", app.address)).await?;
        assert_eq!(visible_text(&c, ".elder-switch button").await, "Easy reading");
        save_screenshot(&c, "elder-en-home.png").await?;
        // Off again, the same way.
        set_elder(&c, app, false).await;
        open(&c, &format!("{}/datasets/hefei-bus-routes", app.address)).await?;
        assert!(c.find(fantoccini::Locator::Css("table.fields")).await.is_ok());
        // English, normal mode: the home and dataset pages.
        open(&c, &format!("{}/en/", app.address)).await?;
        assert_eq!(visible_text(&c, "#hero-title").await, "Anhui Open Data Portal");
        save_screenshot(&c, "en-home.png").await?;
        open(&c, &format!("{}/en/datasets/hefei-bus-routes", app.address)).await?;
        assert_eq!(visible_text(&c, "#meta-title").await, "Catalog record");
        save_screenshot(&c, "en-dataset.png").await?;
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    c.close().await.ok();
    result.expect("elder-mode screenshots");
}
