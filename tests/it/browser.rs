//! A real headless Chromium goes home → catalog → filter → dataset page and checks what a
//! person sees. Needs Debian's `chromium` and `chromium-driver`; skipped when they are
//! missing unless `KAIFANG_REQUIRE_BROWSER=1`.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use kaifang::domain::UpdateFrequency;

use crate::helpers::{Backend, DatasetBuilder, TestApp, csv_of, env_flag, ingest_file};

pub(crate) const CHROMIUM: &str = "/usr/bin/chromium";
pub(crate) const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

pub(crate) struct Driver {
    child: Child,
    port: u16,
    _profile: tempfile::TempDir,
}

impl Driver {
    /// Where the browser saves downloaded files.
    pub(crate) fn downloads(&self) -> std::path::PathBuf {
        self._profile.path().join("downloads")
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub(crate) async fn start_browser() -> Option<(Driver, Client)> {
    let present =
        std::path::Path::new(CHROMIUM).exists() && std::path::Path::new(CHROMEDRIVER).exists();
    if !present {
        assert!(
            !env_flag("KAIFANG_REQUIRE_BROWSER"),
            "KAIFANG_REQUIRE_BROWSER=1 but {CHROMIUM} or {CHROMEDRIVER} is missing"
        );
        eprintln!("skipped: install chromium and chromium-driver to run the browser test");
        return None;
    }
    let port = free_port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let profile = tempfile::tempdir().unwrap();
    let driver = Driver {
        child,
        port,
        _profile: profile,
    };
    let caps: serde_json::Map<String, serde_json::Value> = serde_json::from_value(serde_json::json!({
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-quic", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--window-size=1280,900",
                     "--lang=zh-CN",
                     format!("--user-data-dir={}", driver._profile.path().display())],
            // Downloads land in the profile's own folder, without asking; and a reader whose
            // browser asks for Chinese (headless Chromium sends en-US otherwise, and a first
            // visit would be sent to the English portal).
            "prefs": {"download.default_directory": driver.downloads().display().to_string(),
                      "download.prompt_for_download": false,
                      "intl.accept_languages": "zh-CN,zh"}
        }
    }))
    .unwrap();
    let url = format!("http://127.0.0.1:{}", driver.port);
    for _ in 0..100 {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(caps.clone())
            .connect(&url)
            .await
        {
            Ok(client) => return Some((driver, client)),
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    panic!("chromedriver did not answer on port {}", driver.port);
}

/// Loads a page and waits until its footer (the last thing in the layout) is there.
pub(crate) async fn open(c: &Client, url: &str) -> Result<(), fantoccini::error::CmdError> {
    c.goto(url).await?;
    c.wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css("footer.site-footer"))
        .await?;
    Ok(())
}

pub(crate) async fn visible_text(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .text()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_home_catalog_filter_dataset() {
    let Some((_driver, c)) = start_browser().await else {
        return;
    };
    let app = TestApp::spawn(Backend::Sqlite)
        .await
        .expect("SQLite is always available");
    let dept = app.department("hefei-transport", "合肥市交通运输局", "340100");
    let bus = DatasetBuilder::new("hefei-bus-routes", "合肥市公交线路信息", &dept)
        .keywords("公交,线路")
        .downloads(100)
        .insert(&app);
    let csv = csv_of(&["线路名称", "票价", "开通日期"], 120, |i| {
        vec![
            format!("{}路", i + 1),
            format!("{}", 1 + i % 3),
            format!("2020-01-{:02}", 1 + i % 28),
        ]
    });
    let (bus_file, _) = ingest_file(&app, &bus, "合肥市公交线路信息", "线路.csv", &csv);
    DatasetBuilder::new("hefei-air", "合肥市空气质量", &dept)
        .theme("environment")
        .frequency(UpdateFrequency::Realtime)
        .insert(&app);
    DatasetBuilder::new("hefei-secret", "合肥市非开放测试", &dept)
        .closed("《中华人民共和国个人信息保护法》第二十八条")
        .insert(&app);

    let result = async {
        // Home: the person sees the portal's name, the total and the themes.
        open(&c, &format!("{}/", app.address)).await?;
        let title = c.title().await?;
        if title != "安徽省公共数据开放平台" {
            let source = c.source().await?;
            panic!(
                "home page title {title:?} at {}:\n{}",
                c.current_url().await?,
                source.chars().take(1500).collect::<String>()
            );
        }
        assert_eq!(visible_text(&c, "h1").await, "安徽省公共数据开放平台");
        assert_eq!(visible_text(&c, ".totals div:first-child dd").await, "2");
        assert!(!c.source().await?.contains("合肥市非开放测试"));

        // Search from the home page by typing and pressing the button.
        c.find(Locator::Css("#home-q"))
            .await?
            .send_keys("公交")
            .await?;
        follow(&c, c.find(Locator::Css(".hero button[type=submit]")).await?).await?;
        let url = c.current_url().await?;
        assert_eq!(url.path(), "/datasets");
        assert_eq!(visible_text(&c, "#results-title").await, "共 1 个数据集");

        // Back to the whole catalog, then filter by theme with a click.
        open(&c, &format!("{}/datasets", app.address)).await?;
        assert_eq!(visible_text(&c, "#results-title").await, "共 2 个数据集");
        follow(
            &c,
            c.find(Locator::Css(
                "section[aria-labelledby=facet-theme] a[href*='theme=environment']",
            ))
            .await?,
        )
        .await?;
        assert_eq!(visible_text(&c, "#results-title").await, "共 1 个数据集");
        assert_eq!(
            visible_text(&c, ".results .card-title").await,
            "合肥市空气质量"
        );
        assert!(
            visible_text(&c, ".active-filters")
                .await
                .contains("主题：环境")
        );

        // Clear the filter, open the bus dataset.
        follow(
            &c,
            c.find(Locator::Css(".active-filters a[href='/datasets']"))
                .await?,
        )
        .await?;
        follow(&c, c.find(Locator::LinkText("合肥市公交线路信息")).await?).await?;
        assert_eq!(c.current_url().await?.path(), "/datasets/hefei-bus-routes");
        assert_eq!(visible_text(&c, "h1").await, "合肥市公交线路信息");
        assert!(visible_text(&c, ".open-class").await.contains("无条件开放"));
        assert!(
            visible_text(&c, "table.resources")
                .await
                .contains(&kaifang::web::format::size(&bus_file.size_bytes))
        );
        assert_eq!(
            visible_text(&c, ".breadcrumbs li:last-child").await,
            "合肥市公交线路信息"
        );

        // Keyboard: the skip link is the first thing Tab reaches, and it is visible then.
        open(&c, &format!("{}/", app.address)).await?;
        let body = c.find(Locator::Css("body")).await?;
        body.send_keys("\u{E004}").await?; // Tab
        let focused = c.active_element().await?;
        assert_eq!(focused.text().await?, "跳到主要内容");
        let shot = save_screenshot(&c, "home.png").await?;
        assert!(shot.len() > 10_000, "a real screenshot");
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    c.close().await.ok();
    result.expect("the browser walk-through");
}

/// A screenshot into `target/browser/`, for people to look at.
pub(crate) async fn save_screenshot(
    c: &Client,
    name: &str,
) -> Result<Vec<u8>, fantoccini::error::CmdError> {
    let shot = c.screenshot().await?;
    std::fs::create_dir_all("target/browser").ok();
    std::fs::write(format!("target/browser/{name}"), &shot).ok();
    Ok(shot)
}

pub(crate) async fn fill(
    c: &Client,
    id: &str,
    value: &str,
) -> Result<(), fantoccini::error::CmdError> {
    let field = c.find(Locator::Id(id)).await?;
    field.clear().await?;
    field.send_keys(value).await
}

/// Logs out and waits for the logged-out page: opening another page while the logout is still
/// in flight would find the session alive.
pub(crate) async fn log_out(c: &Client) -> Result<(), fantoccini::error::CmdError> {
    follow(
        c,
        c.find(Locator::Css("form[action$='/logout'] button"))
            .await?,
    )
    .await?;
    c.wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css("a[href$='/login']"))
        .await?;
    Ok(())
}

/// Logs in through the login form, as a person does.
pub(crate) async fn log_in(
    c: &Client,
    app: &TestApp,
    email: &str,
    password: &str,
) -> Result<(), fantoccini::error::CmdError> {
    open(c, &format!("{}/login", app.address)).await?;
    fill(c, "f-email", email).await?;
    fill(c, "f-password", password).await?;
    submit(c, "/login").await
}

/// Submits a form and waits for the page it leads to.
pub(crate) async fn submit(
    c: &Client,
    form_action: &str,
) -> Result<(), fantoccini::error::CmdError> {
    let button = c
        .find(Locator::Css(&format!(
            "form[action='{form_action}'] button[type=submit]"
        )))
        .await?;
    follow(c, button).await
}

/// Clicks a link or button and waits for the page it leads to: first until the page it was on is
/// gone (its footer goes stale), then until the new page's footer is there. Waiting only for a
/// footer would find the old page's and race the navigation.
pub(crate) async fn follow(
    c: &Client,
    target: fantoccini::elements::Element,
) -> Result<(), fantoccini::error::CmdError> {
    let old_footer = c.find(Locator::Css("footer.site-footer")).await?;
    target.click().await?;
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while old_footer.is_displayed().await.is_ok() {
        assert!(
            std::time::Instant::now() < deadline,
            "the click never left the page"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    c.wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css("footer.site-footer"))
        .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_register_login_and_use_an_api_key() {
    let Some((_driver, c)) = start_browser().await else {
        return;
    };
    let app = TestApp::spawn(Backend::Sqlite)
        .await
        .expect("SQLite is always available");
    let users = || {
        kaifang::db::users::search(&mut app.conn(), None, None, 10, 0)
            .unwrap()
            .0
    };

    let result = async {
        // Registration with a wrong check character: the error is shown, nothing is stored.
        open(&c, &format!("{}/register", app.address)).await?;
        follow(
            &c,
            c.find(Locator::Css("a[href='/register/organisation']"))
                .await?,
        )
        .await?;
        for (id, value) in [
            ("f-org_name", "合肥恒信数据科技有限公司"),
            ("f-credit_code", "91110108551385082A"),
            ("f-real_name", "王芳"),
            ("f-id_number", "11010519491231002X"),
            ("f-mobile", "13812345678"),
            ("f-email", "wang@hengxin.cn"),
            ("f-password", "晴天-合肥-2026-数据"),
            ("f-password_confirm", "晴天-合肥-2026-数据"),
        ] {
            fill(&c, id, value).await?;
        }
        c.find(Locator::Id("f-agree")).await?.click().await?;
        submit(&c, "/register/organisation").await?;
        assert!(
            visible_text(&c, "#f-credit_code-error")
                .await
                .contains("校验位不正确")
        );
        assert!(
            visible_text(&c, "#error-summary")
                .await
                .contains("统一社会信用代码校验位不正确")
        );
        assert_eq!(
            c.find(Locator::Id("f-org_name"))
                .await?
                .prop("value")
                .await?
                .as_deref(),
            Some("合肥恒信数据科技有限公司")
        );
        assert_eq!(users(), 0, "nothing stored");

        // Corrected: registered and logged in.
        fill(&c, "f-credit_code", "91110108551385082Q").await?;
        fill(&c, "f-password", "晴天-合肥-2026-数据").await?;
        fill(&c, "f-password_confirm", "晴天-合肥-2026-数据").await?;
        submit(&c, "/register/organisation").await?;
        assert_eq!(c.current_url().await?.path(), "/login");
        assert!(
            visible_text(&c, ".alert-success")
                .await
                .contains("注册申请已收到")
        );
        assert_eq!(users(), 1);

        // Log in, see the account page.
        log_in(&c, &app, "wang@hengxin.cn", "晴天-合肥-2026-数据").await?;
        assert_eq!(c.current_url().await?.path(), "/account");
        assert_eq!(visible_text(&c, "h1").await, "我的账户");
        let account = visible_text(&c, "dl.meta").await;
        assert!(
            account.contains("合肥恒信数据科技有限公司") && account.contains("1101**********002X"),
            "{account}"
        );
        assert!(!c.source().await?.contains("11010519491231002X"));

        // Create an API key and use it with curl.
        follow(&c, c.find(Locator::LinkText("API 密钥")).await?).await?;
        fill(&c, "f-name", "curl 测试").await?;
        submit(&c, "/account/keys").await?;
        let key = visible_text(&c, "#new-key-value").await;
        assert!(key.starts_with("kf_"), "{key}");
        let out = std::process::Command::new("curl")
            .args([
                "-sS",
                "-H",
                &format!("Authorization: Bearer {key}"),
                &format!("{}/api/v1/account", app.address),
            ])
            .output()
            .expect("curl runs");
        let body: serde_json::Value = serde_json::from_slice(&out.stdout).expect("curl got JSON");
        assert_eq!(body["account"]["kind"], "organisation");
        assert_eq!(body["account"]["display_name"], "合肥恒信数据科技有限公司");
        save_screenshot(&c, "account-keys.png").await?;
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    c.close().await.ok();
    result.expect("the browser walk-through");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_publisher_uploads_a_gbk_file_and_the_public_sees_its_preview() {
    let Some((_driver, c)) = start_browser().await else {
        return;
    };
    let app = TestApp::spawn(Backend::Sqlite)
        .await
        .expect("SQLite is always available");
    let dept = app.department("hefei-transport", "合肥市交通运输局", "340100");
    DatasetBuilder::new("hefei-bus-lines", "合肥市公交线路", &dept).insert(&app);
    app.account(
        "staff@hefei.gov.cn",
        kaifang::domain::Role::Publisher,
        Some("hefei-transport"),
    );
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/gbk_bus_lines.csv")
        .canonicalize()
        .expect("the GBK fixture");

    let result = async {
        log_in(&c, &app, "staff@hefei.gov.cn", crate::helpers::PASSWORD).await?;

        // The console: choose the file with the file input, as a person does, and upload.
        let console = "/console/datasets/hefei-bus-lines/resources";
        open(&c, &format!("{}{console}", app.address)).await?;
        c.find(Locator::Id("f-file"))
            .await?
            .send_keys(&fixture.display().to_string())
            .await?;
        submit(&c, console).await?;
        assert!(
            c.current_url()
                .await?
                .path()
                .starts_with("/console/datasets/hefei-bus-lines/resources/"),
            "the upload leads to its version page"
        );
        // Still processing: the page follows the import by itself and says when it ends.
        // Already done: the status says so.
        if c.find(Locator::Id("ingest-progress")).await.is_ok() {
            c.wait()
                .at_most(Duration::from_secs(60))
                .for_element(Locator::XPath(
                    "//*[@id='progress-text'][contains(., '处理结束')]",
                ))
                .await?;
            open(&c, c.current_url().await?.as_str()).await?;
        }
        assert_eq!(visible_text(&c, "#version-status").await, "已发布");
        assert!(
            visible_text(&c, "dl.version-meta")
                .await
                .contains("GB18030")
        );

        // The public dataset page: the preview shows the Chinese headers and values decoded,
        // and a chart drawn on the server.
        log_out(&c).await?;
        open(&c, &format!("{}/datasets/hefei-bus-lines", app.address)).await?;
        let preview = visible_text(&c, "table.preview").await;
        assert!(
            preview.contains("线路名称") && preview.contains("瑶海公园"),
            "{preview}"
        );
        assert!(
            c.find(Locator::Css("figure.chart svg rect.chart-bar"))
                .await
                .is_ok()
        );
        save_screenshot(&c, "dataset-preview.png").await?;
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    c.close().await.ok();
    result.expect("the browser walk-through");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_searches_in_traditional_characters_and_narrows_by_a_facet() {
    let Some((_driver, c)) = start_browser().await else {
        return;
    };
    let app = TestApp::spawn(Backend::Sqlite)
        .await
        .expect("SQLite is always available");
    let hefei = app.department("hefei-build", "合肥市城乡建设局", "340100");
    let wuhu = app.department("wuhu-build", "芜湖市城乡建设局", "340200");
    for (slug, title, dept, theme) in [
        ("hefei-bus-data", "合肥市公交数据", &hefei, "transport"),
        ("hefei-park-data", "合肥市公园数据", &hefei, "environment"),
        ("wuhu-bus-data", "芜湖市公交数据", &wuhu, "transport"),
        ("wuhu-parks", "芜湖市公园名录", &wuhu, "environment"),
    ] {
        DatasetBuilder::new(slug, title, dept)
            .keywords("城市")
            .theme(theme)
            .insert(&app);
    }

    let result = async {
        open(&c, &format!("{}/", app.address)).await?;
        c.find(Locator::Css("#home-q"))
            .await?
            .send_keys("數據")
            .await?;
        follow(&c, c.find(Locator::Css(".hero button[type=submit]")).await?).await?;
        assert_eq!(visible_text(&c, "#results-title").await, "共 3 个数据集");
        let marks = c
            .find_all(Locator::Css(".results .card-title mark"))
            .await?;
        assert_eq!(marks.len(), 3, "each title has its match marked");
        for m in marks {
            assert_eq!(m.text().await?, "数据");
        }
        // Narrow by department: the facet said how many, the list has that many.
        let link = c
            .find(Locator::Css(
                "section[aria-labelledby=facet-dept] a[href*='dept=wuhu-build']",
            ))
            .await?;
        let promised = link
            .find(Locator::Css(".facet-count"))
            .await?
            .text()
            .await?;
        follow(&c, link).await?;
        let cards = c.find_all(Locator::Css(".results .card")).await?;
        assert_eq!(promised, "1");
        assert_eq!(cards.len(), 1);
        assert_eq!(visible_text(&c, "#results-title").await, "共 1 个数据集");
        assert_eq!(
            visible_text(&c, ".results .card-title").await,
            "芜湖市公交数据"
        );
        save_screenshot(&c, "search.png").await?;
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    c.close().await.ok();
    result.expect("the browser walk-through");
}

/// Issue 8: an event page kept open shows a figure posted through the API without a reload.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_sees_an_emergency_update_arrive_without_reloading() {
    let Some((_driver, c)) = start_browser().await else {
        return;
    };
    let app = TestApp::spawn(Backend::Sqlite)
        .await
        .expect("SQLite is always available");
    let dept = app.department("hefei-emergency", "合肥市应急管理局", "340100");
    let publisher = app.account(
        "duty@hefei.gov.cn",
        kaifang::domain::Role::Publisher,
        Some("hefei-emergency"),
    );
    let key = app.api_key(publisher.id);
    app.emergency("chaohu-flood", "巢湖流域洪涝灾害", &dept);

    let result = async {
        open(&c, &format!("{}/emergencies/chaohu-flood", app.address)).await?;
        // The page says when its live connection is open.
        let mut connected = false;
        for _ in 0..100 {
            if visible_text(&c, "#live-status").await.contains("已连接") {
                connected = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(connected, "the live connection opens");
        // A mark that a reload would wipe out.
        c.execute("window.kaifangMark = 'still here'; return true;", vec![])
            .await?;
        let res = app
            .client
            .post(format!(
                "{}/api/v1/emergencies/chaohu-flood/updates",
                app.address
            ))
            .bearer_auth(&key)
            .json(&serde_json::json!({
                "text": "巢湖水位超警戒，已转移安置群众。",
                "indicators": [{"name": "转移安置人数", "value": 4321, "unit": "人"}],
            }))
            .send()
            .await
            .expect("the API answers");
        assert_eq!(res.status(), 201);
        let mut shown = false;
        for _ in 0..150 {
            if visible_text(&c, "#live-root").await.contains("4321") {
                shown = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(shown, "the new figure appears on the open page");
        let mark = c
            .execute("return window.kaifangMark || null;", vec![])
            .await?;
        assert_eq!(mark, serde_json::json!("still here"), "without a reload");
        assert!(
            visible_text(&c, "#live-status")
                .await
                .contains("已收到新的更新")
        );
        assert_eq!(
            c.find_all(Locator::Css("svg polyline.chart-line"))
                .await?
                .len(),
            1,
            "the chart came with it"
        );
        // An update without figures comes from the stream's data alone: no page is fetched.
        c.execute(
            "window.kaifangFetches = 0; var f = window.fetch; \
             window.fetch = function () { window.kaifangFetches++; return f.apply(this, arguments); }; \
             return true;",
            vec![],
        )
        .await?;
        let res = app
            .client
            .post(format!(
                "{}/api/v1/emergencies/chaohu-flood/updates",
                app.address
            ))
            .bearer_auth(&key)
            .json(&serde_json::json!({"text": "巢湖大堤巡查正常，无新增险情。"}))
            .send()
            .await
            .expect("the API answers");
        assert_eq!(res.status(), 201);
        let id = res.json::<serde_json::Value>().await.expect("JSON")["update"]["id"].clone();
        let mut shown = false;
        for _ in 0..150 {
            let item = c.find(Locator::Css(&format!("#update-{id}"))).await;
            if let Ok(item) = item
                && item.text().await?.contains("无新增险情")
            {
                shown = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(shown, "the text-only update appears from the stream's data");
        let fetches = c.execute("return window.kaifangFetches;", vec![]).await?;
        assert_eq!(fetches, serde_json::json!(0), "without fetching the page");
        save_screenshot(&c, "emergency-live.png").await?;
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    c.close().await.ok();
    result.expect("the live emergency page");
}

/// A showcase item is hidden until an administrator approves it, then appears on the page of
/// the dataset it uses, with its screenshot resized on the server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_showcase_item_appears_on_its_dataset_once_approved() {
    let Some((_driver, c)) = start_browser().await else {
        return;
    };
    let app = TestApp::spawn(Backend::Sqlite)
        .await
        .expect("SQLite is always available");
    let dept = app.department("hefei-transport", "合肥市交通运输局", "340100");
    DatasetBuilder::new("hefei-bus-lines", "合肥市公交线路", &dept).insert(&app);
    app.account("dev@example.cn", kaifang::domain::Role::User, None);
    app.account("admin@ah.gov.cn", kaifang::domain::Role::Admin, None);
    let shot = tempfile::Builder::new().suffix(".png").tempfile().unwrap();
    std::fs::write(shot.path(), crate::showcase::png(1200, 900)).unwrap();

    let result = async {
        // A developer submits an app built on the bus lines, with a screenshot.
        log_in(&c, &app, "dev@example.cn", crate::helpers::PASSWORD).await?;
        open(
            &c,
            &format!("{}/showcase/new?dataset=hefei-bus-lines", app.address),
        )
        .await?;
        fill(&c, "f-title", "合肥公交到站提醒").await?;
        fill(&c, "f-description", "根据公交线路数据提醒乘客下车的小程序。").await?;
        fill(&c, "f-link", "https://bus.example.cn/").await?;
        c.find(Locator::Id("f-file"))
            .await?
            .send_keys(&shot.path().display().to_string())
            .await?;
        submit(&c, "/showcase/new").await?;
        assert!(
            visible_text(&c, "main").await.contains("审核通过后"),
            "the flash says it waits for review"
        );
        // Not shown yet, anywhere.
        log_out(&c).await?;
        open(&c, &format!("{}/datasets/hefei-bus-lines", app.address)).await?;
        assert!(!visible_text(&c, "main").await.contains("合肥公交到站提醒"));
        open(&c, &format!("{}/showcase", app.address)).await?;
        assert!(!visible_text(&c, "main").await.contains("合肥公交到站提醒"));

        // An administrator approves it.
        log_in(&c, &app, "admin@ah.gov.cn", crate::helpers::PASSWORD).await?;
        open(&c, &format!("{}/admin/showcase", app.address)).await?;
        assert!(visible_text(&c, "main").await.contains("合肥公交到站提醒"));
        follow(&c, c.find(Locator::Css("button[name=decision][value=approve]")).await?).await?;
        c.wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::XPath("//*[contains(., '已通过')]"))
            .await?;
        log_out(&c).await?;

        // Now on the dataset's page and in the gallery, with the screenshot 800 pixels wide.
        open(&c, &format!("{}/datasets/hefei-bus-lines", app.address)).await?;
        assert!(visible_text(&c, ".showcase-uses").await.contains("合肥公交到站提醒"));
        follow(&c, c.find(Locator::Css(".showcase-uses a")).await?).await?;
        c.wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Css(".showcase-item img"))
            .await?;
        let mut width = serde_json::Value::Null;
        for _ in 0..50 {
            width = c
                .execute(
                    "var i = document.querySelector('.showcase-item img'); return i && i.complete ? i.naturalWidth : null;",
                    vec![],
                )
                .await?;
            if width.is_number() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(width, serde_json::json!(800), "resized on the server");
        save_screenshot(&c, "showcase.png").await?;
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    c.close().await.ok();
    result.expect("the showcase walk-through");
}
