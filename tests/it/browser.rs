//! A real headless Chromium goes home → catalog → filter → dataset page and checks what a
//! person sees. Needs Debian's `chromium` and `chromium-driver`; skipped when they are
//! missing unless `KAIFANG_REQUIRE_BROWSER=1`.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use kaifang::domain::UpdateFrequency;

use crate::helpers::{Backend, DatasetBuilder, TestApp, add_resource, env_flag};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

struct Driver {
    child: Child,
    port: u16,
    _profile: tempfile::TempDir,
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

async fn start_browser() -> Option<(Driver, Client)> {
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
                     format!("--user-data-dir={}", driver._profile.path().display())]
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
async fn open(c: &Client, url: &str) -> Result<(), fantoccini::error::CmdError> {
    c.goto(url).await?;
    c.wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css("footer.site-footer"))
        .await?;
    Ok(())
}

async fn visible_text(c: &Client, css: &str) -> String {
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
    add_resource(&app, &bus, "合肥市公交线路信息.csv", 20480, 120);
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
        c.find(Locator::Css(".hero button[type=submit]"))
            .await?
            .click()
            .await?;
        let url = c.current_url().await?;
        assert_eq!(url.path(), "/datasets");
        assert_eq!(visible_text(&c, "#results-title").await, "共 1 个数据集");

        // Back to the whole catalog, then filter by theme with a click.
        open(&c, &format!("{}/datasets", app.address)).await?;
        assert_eq!(visible_text(&c, "#results-title").await, "共 2 个数据集");
        c.find(Locator::Css(
            "section[aria-labelledby=facet-theme] a[href*='theme=environment']",
        ))
        .await?
        .click()
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
        c.find(Locator::Css(".active-filters a[href='/datasets']"))
            .await?
            .click()
            .await?;
        c.find(Locator::LinkText("合肥市公交线路信息"))
            .await?
            .click()
            .await?;
        assert_eq!(c.current_url().await?.path(), "/datasets/hefei-bus-routes");
        assert_eq!(visible_text(&c, "h1").await, "合肥市公交线路信息");
        assert!(visible_text(&c, ".open-class").await.contains("无条件开放"));
        assert!(
            visible_text(&c, "table.resources")
                .await
                .contains("20.0 KB")
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
        let shot = c.screenshot().await?;
        assert!(shot.len() > 10_000, "a real screenshot");
        std::fs::create_dir_all("target/browser").ok();
        std::fs::write("target/browser/home.png", &shot).ok();
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    c.close().await.ok();
    result.expect("the browser walk-through");
}
