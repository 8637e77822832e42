//! Server-side request forgery through the showcase's link checker (security review): the
//! checker must never connect to the portal's own host or network, whatever form the address
//! takes, and must not report the loopback-only `/metrics` page as a working link (the ok/dead
//! result is public on `/showcase`, so it would work as an internal port scanner).
//!
//! Everything here stays on loopback: local listeners count the connections they accept and
//! must count none. No test needs (or sends to) any other address.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use kaifang::db::showcase::{self as rows, NewItem};
use kaifang::domain::Role;
use kaifang::services::outbound::{Outbound, Outcome};

use crate::both_backends;
use crate::helpers::{Backend, DatasetBuilder, Page, TestApp};

both_backends!(
    the_link_checker_never_connects_to_the_portals_own_host,
    the_link_checker_does_not_report_the_metrics_page,
    the_showcase_form_refuses_internal_and_odd_port_links,
);

/// A listener on loopback that answers every request `200 OK` (so that a checker that does
/// connect would call the link alive) and counts the connections it accepts.
struct Listener {
    port: u16,
    accepted: Arc<AtomicUsize>,
}

impl Listener {
    fn bind(ip: &str) -> Option<Self> {
        let listener = TcpListener::bind((ip, 0)).ok()?;
        let port = listener.local_addr().ok()?.port();
        let accepted = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&accepted);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                counter.fetch_add(1, Ordering::SeqCst);
                let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf);
                let _ = stream.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                );
            }
        });
        Some(Self { port, accepted })
    }

    fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}

/// This machine's own host name, when it resolves to loopback only (as `/etc/hosts` usually
/// makes it): a name, not `localhost`, that only resolves privately.
fn own_host_name() -> Option<String> {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname").ok()?;
    let name = name.trim().to_owned();
    let addrs: Vec<SocketAddr> = (name.as_str(), 80).to_socket_addrs().ok()?.collect();
    (!addrs.is_empty() && addrs.iter().all(|a| a.ip().is_loopback())).then_some(name)
}

async fn setup(backend: Backend) -> Option<(TestApp, i32, i32)> {
    let app = TestApp::spawn(backend).await?;
    let a = app.department("dept-a", "合肥市交通运输局", "340100");
    let dataset = DatasetBuilder::new("bus-lines", "合肥市公交线路", &a).insert(&app);
    let dev = app.account("dev@example.cn", Role::User, None);
    app.account("admin@ah.gov.cn", Role::Admin, None);
    Some((app, dev.id, dataset.id))
}

/// An approved item with this link, put in the database directly: links already stored
/// (before the form refused such addresses) are exactly what the checker still meets.
fn approved(app: &TestApp, user: i32, dataset: i32, link: &str) -> i32 {
    rows::insert(
        &mut app.conn(),
        &NewItem {
            title: "内部地址测试",
            description: "一个指向门户自身网络的链接。",
            link,
            kind: "application",
            screenshot_key: None,
            submitted_by: user,
            status: "approved",
            link_status: "unchecked",
            created_at: kaifang::services::clock::Clock::default().now(),
        },
        &[dataset],
    )
    .expect("insert item")
    .id
}

fn link_status(app: &TestApp, id: i32) -> String {
    rows::by_id(&mut app.conn(), id)
        .unwrap()
        .expect("the item")
        .link_status
}

async fn run_checker(app: &TestApp) {
    let admin = app.logged_in("admin@ah.gov.cn").await;
    assert_eq!(
        admin
            .post("/admin/showcase/check-links", &[])
            .await
            .status(),
        303
    );
}

async fn the_link_checker_never_connects_to_the_portals_own_host(backend: Backend) {
    let Some((app, dev, dataset)) = setup(backend).await else {
        return;
    };
    let v4 = Listener::bind("127.0.0.1").expect("a loopback listener");
    let v6 = Listener::bind("::1");
    let p = v4.port;
    let mut links = vec![
        format!("http://127.0.0.1:{p}/"),
        format!("https://127.0.0.1:{p}/"),
        format!("http://localhost:{p}/"),
        format!("http://LOCALHOST.:{p}/"),
        format!("http://2130706433:{p}/"),
        format!("http://0x7f.0.0.1:{p}/"),
        format!("http://0x7f.1:{p}/"),
        format!("http://0177.0.0.1:{p}/"),
        format!("http://127.1:{p}/"),
        format!("http://0.0.0.0:{p}/"),
        format!("http://[::ffff:127.0.0.1]:{p}/"),
        format!("http://[::ffff:7f00:1]:{p}/"),
        format!("http://user:secret@127.0.0.1:{p}/"),
    ];
    if let Some(name) = own_host_name() {
        links.push(format!("http://{name}:{p}/"));
    }
    if let Some(v6) = &v6 {
        let q = v6.port;
        links.push(format!("http://[::1]:{q}/"));
        links.push(format!("http://[::]:{q}/"));
        links.push(format!("http://localhost:{q}/"));
    }
    let ids: Vec<(i32, &String)> = links
        .iter()
        .map(|l| (approved(&app, dev, dataset, l), l))
        .collect();

    run_checker(&app).await;

    let reported_ok: Vec<&String> = ids
        .iter()
        .filter(|(id, _)| link_status(&app, *id) != "dead")
        .map(|(_, l)| *l)
        .collect();
    assert!(
        reported_ok.is_empty(),
        "internal links not marked as not checkable (dead): {reported_ok:?}"
    );
    assert_eq!(
        v4.accepted(),
        0,
        "the checker connected to the IPv4 loopback listener"
    );
    if let Some(v6) = &v6 {
        assert_eq!(
            v6.accepted(),
            0,
            "the checker connected to the IPv6 loopback listener"
        );
    }
}

async fn the_link_checker_does_not_report_the_metrics_page(backend: Backend) {
    let Some((app, dev, dataset)) = setup(backend).await else {
        return;
    };
    let port = app.address.rsplit(':').next().unwrap().to_owned();
    let direct = approved(&app, dev, dataset, &format!("{}/metrics", app.address));
    let by_name = approved(
        &app,
        dev,
        dataset,
        &format!("http://localhost:{port}/metrics"),
    );

    run_checker(&app).await;

    assert_eq!(link_status(&app, direct), "dead", "{}/metrics", app.address);
    assert_eq!(
        link_status(&app, by_name),
        "dead",
        "localhost:{port}/metrics"
    );
    // The portal itself saw no request for its metrics from the checker: the page (read here,
    // from loopback, as an operator would) lists every route and method answered before it.
    let metrics = app.text("/metrics").await;
    assert!(metrics.contains("kaifang_http_requests_total"), "{metrics}");
    let asked: Vec<&str> = metrics
        .lines()
        .filter(|l| l.starts_with("kaifang_http_requests_total{route=\"/metrics\""))
        .collect();
    assert!(
        asked.is_empty(),
        "the checker requested /metrics: {asked:?}"
    );
}

async fn the_showcase_form_refuses_internal_and_odd_port_links(backend: Backend) {
    let Some((app, _, _)) = setup(backend).await else {
        return;
    };
    let dev = app.logged_in("dev@example.cn").await;
    let fields = |link: &str| {
        vec![
            ("title", "合肥公交到站提醒".to_owned()),
            ("kind", "application".to_owned()),
            (
                "description",
                "根据公交线路数据提醒乘客下车的微信小程序。".to_owned(),
            ),
            ("link", link.to_owned()),
            ("datasets", "bus-lines".to_owned()),
        ]
    };
    let refused = [
        ("http://127.0.0.1/", "内网"),
        ("http://127.0.0.1:8080/", "内网"),
        ("http://2130706433/", "内网"),
        ("http://0x7f.1/", "内网"),
        ("http://[::1]/", "内网"),
        ("http://[::ffff:10.0.0.1]/", "内网"),
        ("http://10.1.2.3/admin", "内网"),
        ("http://192.168.1.1/", "内网"),
        ("http://169.254.169.254/latest/meta-data/", "内网"),
        ("http://localhost/", "内网"),
        ("http://example.cn:8080/app", "端口"),
        ("https://example.cn:8443/", "端口"),
        ("http://user:pw@example.cn/", "用户名"),
    ];
    for (link, says) in refused {
        let form = fields(link);
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let res = dev.post_multipart("/showcase/new", &form, None).await;
        assert_eq!(res.status(), 400, "{link} was accepted");
        let page = Page::new(res.text().await.unwrap());
        let summary = page.text("#error-summary");
        assert!(summary.contains(says), "{link}: {summary}");
        assert_eq!(page.attrs("#f-link", "value"), [link], "the link is kept");
    }
    assert!(
        rows::in_status(&mut app.conn(), "pending")
            .unwrap()
            .is_empty()
    );
    // Ordinary links still go through (nothing is fetched when submitting).
    for link in ["https://example.cn/app", "http://example.cn:80/app"] {
        let form = fields(link);
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let res = dev.post_multipart("/showcase/new", &form, None).await;
        assert_eq!(res.status(), 303, "{link}");
    }
}

/// Loopback in every form, on the default ports (where no test listener can be): refused
/// before any connection, not merely found dead.
#[test]
fn internal_addresses_on_the_default_ports_are_refused() {
    let outbound = Outbound::new();
    for link in [
        "http://127.0.0.1/",
        "https://127.0.0.1/",
        "http://localhost/",
        "http://localhost./metrics",
        "http://[::1]/",
        "https://[::1]/",
        "http://2130706433/",
        "http://0x7f.0.0.1/",
        "http://0x7f.1/",
        "http://0177.0.0.1/",
        "http://127.1/",
        "http://0.0.0.0/",
        "http://[::]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:7f00:1]/",
        "http://127.0.0.1:443/",
        "https://127.0.0.1:80/",
    ] {
        assert!(
            matches!(outbound.check_link(link), Outcome::Refused(_)),
            "{link}: {:?}",
            outbound.check_link(link)
        );
    }
}

/// Other ports and schemes are refused as such, whatever the host.
#[test]
fn other_ports_schemes_and_userinfo_are_refused() {
    let outbound = Outbound::new();
    let v4 = Listener::bind("127.0.0.1").expect("a loopback listener");
    let p = v4.port;
    for link in [
        format!("http://127.0.0.1:{p}/"),
        format!("http://localhost:{p}/"),
        format!("http://[::1]:{p}/"),
        format!("http://2130706433:{p}/"),
        format!("http://0x7f.0.0.1:{p}/"),
        format!("http://[::ffff:127.0.0.1]:{p}/"),
        format!("http://user@127.0.0.1:{p}/"),
        "ftp://127.0.0.1/".to_owned(),
        "file:///etc/passwd".to_owned(),
        "gopher://127.0.0.1:70/".to_owned(),
        "not a link".to_owned(),
    ] {
        let outcome = outbound.check_link(&link);
        assert!(
            matches!(outcome, Outcome::Refused(_)),
            "{link}: {outcome:?}"
        );
    }
    assert_eq!(v4.accepted(), 0, "connected to the loopback listener");
}
