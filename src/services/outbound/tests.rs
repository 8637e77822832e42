//! The link checker's rules, against loopback servers and a lookup table (no DNS, no internet).

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::*;

#[test]
fn the_address_classifier() {
    let internal = [
        // IPv4
        "0.0.0.0",
        "0.1.2.3",
        "10.0.0.1",
        "10.255.255.255",
        "100.64.0.1",
        "100.127.255.254",
        "127.0.0.1",
        "127.0.1.1",
        "127.255.255.254",
        "169.254.169.254",
        "172.16.0.1",
        "172.31.255.255",
        "192.0.0.8",
        "192.0.2.1",
        "192.88.99.1",
        "192.168.0.1",
        "192.168.255.255",
        "198.18.0.1",
        "198.19.255.255",
        "198.51.100.7",
        "203.0.113.9",
        "224.0.0.1",
        "239.255.255.250",
        "240.0.0.1",
        "255.255.255.255",
        // IPv6
        "::",
        "::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "::ffff:0.0.0.0",
        "::127.0.0.1",
        "::8.8.8.8",
        "64:ff9b::10.0.0.1",
        "64:ff9b::127.0.0.1",
        "64:ff9b::192.168.1.1",
        "64:ff9b:1::1",
        "100::1",
        "2001::1",
        "2001:0:4136:e378:8000:63bf:3fff:fdd2",
        "2001:2::1",
        "2001:10::1",
        "2001:db8::1",
        "2001:db8:ffff::1",
        "2002:7f00:1::1",
        "2002:c0a8:101::1",
        "2002:a00:1::",
        "2002:a9fe:a9fe::1",
        "3fff::1",
        "5f00::1",
        "fc00::1",
        "fd12:3456::1",
        "fe80::1",
        "febf::1",
        "fec0::1",
        "ff02::1",
        "ff05::1:3",
        "::ffff:0:7f00:1",
    ];
    for a in internal {
        let ip: IpAddr = a.parse().unwrap();
        assert!(!is_public(ip), "{a} must not be public");
        assert!(non_public(ip).is_some(), "{a}");
    }
    let public = [
        "8.8.8.8",
        "1.1.1.1",
        "114.114.114.114",
        "100.63.255.255",
        "100.128.0.0",
        "126.255.255.255",
        "128.0.0.1",
        "169.253.255.255",
        "172.15.255.255",
        "172.32.0.1",
        "192.0.3.1",
        "192.167.255.255",
        "192.169.0.1",
        "198.17.255.255",
        "198.20.0.1",
        "223.255.255.255",
        "2606:4700::1111",
        "2001:4860:4860::8888",
        "2400:3200::1",
        "2001:200::1",
        "::ffff:8.8.8.8",
        "64:ff9b::8.8.8.8",
        "2002:808:808::1",
    ];
    for a in public {
        let ip: IpAddr = a.parse().unwrap();
        assert!(is_public(ip), "{a} is public: {:?}", non_public(ip));
    }
    // The reason names the range (it is logged).
    assert!(
        non_public("127.0.0.1".parse().unwrap())
            .unwrap()
            .contains("loopback")
    );
    assert!(
        non_public("::ffff:10.0.0.1".parse().unwrap())
            .unwrap()
            .contains("private")
    );
}

#[test]
fn links_are_vetted_before_any_connection() {
    type Expected = fn(&Refusal) -> bool;
    let refused: &[(&str, Expected)] = &[
        ("http://127.0.0.1/", |r| {
            matches!(r, Refusal::Address { .. })
        }),
        ("http://2130706433/", |r| {
            matches!(r, Refusal::Address { .. })
        }),
        ("http://0x7f.1/", |r| matches!(r, Refusal::Address { .. })),
        ("http://0x7f000001/", |r| {
            matches!(r, Refusal::Address { .. })
        }),
        ("http://0177.0.0.1/", |r| {
            matches!(r, Refusal::Address { .. })
        }),
        ("http://127.1/", |r| matches!(r, Refusal::Address { .. })),
        ("http://127.0.0.1./", |r| {
            matches!(r, Refusal::Address { .. })
        }),
        ("http://%31%32%37.0.0.1/", |r| {
            matches!(r, Refusal::Address { .. })
        }),
        ("http://\u{ff11}\u{ff12}\u{ff17}.0.0.1/", |r| {
            matches!(r, Refusal::Address { .. })
        }),
        ("http://[::ffff:127.0.0.1]/", |r| {
            matches!(r, Refusal::Address { .. })
        }),
        ("http://[::1]/", |r| matches!(r, Refusal::Address { .. })),
        ("http://0.0.0.0/", |r| matches!(r, Refusal::Address { .. })),
        ("http://10.0.0.1/", |r| matches!(r, Refusal::Address { .. })),
        ("http://[fd00::1]/", |r| {
            matches!(r, Refusal::Address { .. })
        }),
        ("http://[64:ff9b::a00:1]/", |r| {
            matches!(r, Refusal::Address { .. })
        }),
        ("http://169.254.169.254/latest/meta-data/", |r| {
            matches!(r, Refusal::Address { .. })
        }),
        ("http://localhost/", |r| matches!(r, Refusal::LocalName(_))),
        ("http://LocalHost./", |r| matches!(r, Refusal::LocalName(_))),
        ("http://admin.localhost/", |r| {
            matches!(r, Refusal::LocalName(_))
        }),
        ("http://example.cn:8080/", |r| {
            matches!(r, Refusal::Port(8080))
        }),
        ("https://example.cn:8443/", |r| {
            matches!(r, Refusal::Port(8443))
        }),
        ("http://example.cn:22/", |r| matches!(r, Refusal::Port(22))),
        ("http://example.cn:0/", |r| matches!(r, Refusal::Port(0))),
        ("ftp://example.cn/", |r| matches!(r, Refusal::Scheme(_))),
        ("file:///etc/passwd", |r| matches!(r, Refusal::Scheme(_))),
        ("gopher://example.cn/", |r| matches!(r, Refusal::Scheme(_))),
        ("javascript:alert(1)", |r| matches!(r, Refusal::Scheme(_))),
        ("http://user:pw@example.cn/", |r| {
            matches!(r, Refusal::Userinfo)
        }),
        ("http://user@example.cn/", |r| {
            matches!(r, Refusal::Userinfo)
        }),
        ("not a link", |r| matches!(r, Refusal::Unparsable(_))),
        ("http://", |r| {
            matches!(r, Refusal::Unparsable(_) | Refusal::NoHost)
        }),
    ];
    for (link, expected) in refused {
        match vet_url(link) {
            Err(r) => assert!(expected(&r), "{link}: {r:?}"),
            Ok(url) => panic!("{link} passed as {url}"),
        }
    }
    for link in [
        "http://example.cn/",
        "https://example.cn/app?x=1#top",
        "http://example.cn:80/",
        "https://example.cn:443/",
        "http://example.cn:443/",
        "HTTP://EXAMPLE.CN/",
        "http://8.8.8.8/",
        "https://[2606:4700::1111]/",
        "http://localhost.example.cn/",
    ] {
        assert!(vet_url(link).is_ok(), "{link}: {:?}", vet_url(link));
    }
}

#[test]
fn every_redirect_target_is_vetted_again() {
    let from = Url::parse("https://data.example.cn/a/b").unwrap();
    for (location, to) in [
        ("/c", "https://data.example.cn/c"),
        ("c", "https://data.example.cn/a/c"),
        ("//other.example.cn/x", "https://other.example.cn/x"),
        ("http://other.example.cn/", "http://other.example.cn/"),
        ("https://8.8.8.8/", "https://8.8.8.8/"),
    ] {
        assert_eq!(
            next_hop(&from, location).unwrap().as_str(),
            to,
            "{location}"
        );
    }
    for location in [
        "http://127.0.0.1/",
        "//10.0.0.1/",
        "//2130706433/",
        "http://0x7f.1/metrics",
        "http://[::ffff:192.168.0.1]/",
        "http://[::1]:443/",
        "http://169.254.169.254/latest/meta-data/",
        "http://localhost/metrics",
        "https://data.example.cn:8443/",
        "ftp://data.example.cn/",
        "http://u:p@data.example.cn/",
    ] {
        assert!(next_hop(&from, location).is_err(), "{location}");
    }
}

fn fake_lookup(table: &'static [(&'static str, &'static [&'static str])]) -> Lookup {
    Box::new(move |host| {
        table
            .iter()
            .find(|(name, _)| *name == host)
            .map(|(_, ips)| ips.iter().map(|ip| ip.parse().unwrap()).collect())
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no such name"))
    })
}

#[test]
fn a_name_is_refused_if_any_of_its_addresses_is_internal() {
    let policy = Policy {
        lookup: fake_lookup(&[
            ("good.test", &["8.8.8.8", "2606:4700::1111"]),
            ("mixed.test", &["8.8.8.8", "10.0.0.1"]),
            ("v6-mixed.test", &["2606:4700::1111", "fe80::1"]),
            ("mapped.test", &["::ffff:127.0.0.1"]),
            ("nat64.test", &["64:ff9b::c0a8:101"]),
            ("metadata.test", &["169.254.169.254"]),
            ("empty.test", &[]),
            ("localhost", &["8.8.8.8"]),
        ]),
        ..Policy::standard()
    };
    let refused = |host: &str| {
        policy
            .resolve(host)
            .err()
            .is_some_and(|e| e.downcast_ref::<Refusal>().is_some())
    };
    assert_eq!(policy.resolve("good.test").unwrap().len(), 2);
    for host in [
        "mixed.test",
        "v6-mixed.test",
        "mapped.test",
        "nat64.test",
        "metadata.test",
        "localhost",
    ] {
        assert!(refused(host), "{host}: {:?}", policy.resolve(host));
    }
    // Names that do not resolve are dead, not refused.
    for host in ["empty.test", "unknown.test"] {
        let e = policy.resolve(host).unwrap_err();
        assert!(e.downcast_ref::<Refusal>().is_none(), "{host}: {e}");
    }
}

/// A loopback server for the tests below: answers each request with `respond(path)`,
/// counts connections and keeps the request heads.
struct Server {
    port: u16,
    accepted: Arc<AtomicUsize>,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Server {
    fn start(ip: &str, respond: fn(&str, &str) -> Vec<u8>) -> Self {
        Self::on(ip, 0, respond).expect("bind a loopback port")
    }

    fn on(ip: &str, port: u16, respond: fn(&str, &str) -> Vec<u8>) -> Option<Self> {
        let listener = TcpListener::bind((ip, port)).ok()?;
        let port = listener.local_addr().unwrap().port();
        let accepted = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (count, seen) = (Arc::clone(&accepted), Arc::clone(&requests));
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                count.fetch_add(1, Ordering::SeqCst);
                stream
                    .set_read_timeout(Some(Duration::from_secs(2)))
                    .unwrap();
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                    head.push(byte[0]);
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                let method = head.split(' ').next().unwrap_or("").to_owned();
                let path = head.split(' ').nth(1).unwrap_or("/").to_owned();
                seen.lock().unwrap().push(head);
                let _ = stream.write_all(&respond(&method, &path));
            }
        });
        Some(Self {
            port,
            accepted,
            requests,
        })
    }

    fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }

    fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

fn answer(status: &str, headers: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

/// The port of the "inside" server, which the "outside" one redirects to (set once).
static INSIDE_PORT: AtomicUsize = AtomicUsize::new(0);
static OUTSIDE_PORT: AtomicUsize = AtomicUsize::new(0);

fn outside(method: &str, path: &str) -> Vec<u8> {
    let inside = INSIDE_PORT.load(Ordering::SeqCst);
    let outside = OUTSIDE_PORT.load(Ordering::SeqCst);
    let redirect = |to: String| answer("302 Found", &format!("Location: {to}\r\n"), b"");
    match path {
        "/ok" => answer("200 OK", "", b"fine"),
        "/to-inside-literal" => redirect(format!("http://127.0.0.2:{inside}/")),
        "/to-inside-name" => redirect(format!("http://inside.test:{inside}/")),
        "/to-inside-mapped" => redirect(format!("http://[::ffff:127.0.0.2]:{inside}/")),
        "/to-inside-decimal" => redirect(format!("http://2130706434:{inside}/")),
        "/to-localhost" => redirect(format!("http://localhost:{inside}/")),
        "/to-outside-name" => redirect(format!("http://outside.test:{outside}/ok")),
        "/relative" => answer("301 Moved Permanently", "Location: /ok\r\n", b""),
        "/no-head" if method == "HEAD" => answer("405 Method Not Allowed", "", b""),
        "/no-head" => answer("206 Partial Content", "", b"x"),
        "/big" => answer("200 OK", "", &vec![b'x'; 1024 * 1024]),
        "/gone" => answer("404 Not Found", "", b""),
        p if p.starts_with("/loop/") => {
            let n: u32 = p[6..].parse().unwrap_or(0);
            redirect(format!("/loop/{}", n + 1))
        }
        _ => answer("404 Not Found", "", b""),
    }
}

fn inside(_: &str, _: &str) -> Vec<u8> {
    answer("200 OK", "", b"secret")
}

/// "outside" (127.0.0.1, taken as public for these tests, any port) and "inside"
/// (127.0.0.2, loopback as always); names resolve through a table, never through DNS.
fn servers() -> (Server, Server, Outbound) {
    let inside_server = Server::start("127.0.0.2", inside);
    let outside_server = Server::start("127.0.0.1", outside);
    INSIDE_PORT.store(inside_server.port.into(), Ordering::SeqCst);
    OUTSIDE_PORT.store(outside_server.port.into(), Ordering::SeqCst);
    let policy = Policy {
        lookup: fake_lookup(&[
            ("outside.test", &["127.0.0.1"]),
            ("inside.test", &["127.0.0.2"]),
        ]),
        non_public: |ip| {
            if ip == IpAddr::V4(Ipv4Addr::LOCALHOST) {
                None
            } else {
                non_public(ip)
            }
        },
        port_allowed: |_| true,
    };
    (
        outside_server,
        inside_server,
        Outbound::with_policy(Arc::new(policy)),
    )
}

/// One test (the servers' ports are process-wide statics), step by step.
#[test]
fn redirects_are_followed_by_hand_and_vetted_each_time() {
    let (out, ins, outbound) = servers();
    let at = |path: &str| format!("http://outside.test:{}{path}", out.port);

    assert_eq!(outbound.check_link(&at("/ok")), Outcome::Ok);
    assert_eq!(outbound.check_link(&at("/relative")), Outcome::Ok);
    assert_eq!(outbound.check_link(&at("/to-outside-name")), Outcome::Ok);
    assert!(matches!(
        outbound.check_link(&at("/gone")),
        Outcome::Dead(_)
    ));
    for path in [
        "/to-inside-literal",
        "/to-inside-name",
        "/to-inside-mapped",
        "/to-inside-decimal",
        "/to-localhost",
    ] {
        let outcome = outbound.check_link(&at(path));
        assert!(
            matches!(outcome, Outcome::Refused(_)),
            "{path}: {outcome:?}"
        );
    }
    assert_eq!(ins.accepted(), 0, "a redirect reached the inside server");

    // At most three redirects are followed: the first request and three more.
    let before = out.accepted();
    let outcome = outbound.check_link(&at("/loop/0"));
    assert!(
        matches!(outcome, Outcome::Dead(ref r) if r.contains("redirect")),
        "{outcome:?}"
    );
    assert_eq!(out.accepted() - before, 1 + MAX_REDIRECTS);

    // HEAD first; a server that refuses HEAD is asked for one byte.
    assert_eq!(outbound.check_link(&at("/no-head")), Outcome::Ok);
    let asked = out.requests();
    let get = asked
        .iter()
        .rev()
        .find(|r| r.starts_with("GET /no-head"))
        .expect("a GET after the 405");
    assert!(
        get.to_ascii_lowercase().contains("range: bytes=0-0"),
        "{get}"
    );
    assert!(
        asked
            .iter()
            .all(|r| r.starts_with("HEAD ") || r.starts_with("GET /no-head")),
        "only HEAD unless HEAD is refused: {asked:?}"
    );

    // A body is read up to 64 KiB and no further.
    let fetched = outbound.fetch(&at("/big")).unwrap();
    assert_eq!(fetched.status, 200);
    assert_eq!(fetched.body.len(), MAX_BODY);
    assert!(fetched.truncated);
    assert!(matches!(
        outbound.fetch(&at("/to-inside-name")),
        Err(Failure::Refused(_))
    ));

    // The client itself follows nothing: a 302 comes back as a 302.
    let res = outbound
        .client
        .as_ref()
        .unwrap()
        .get(at("/to-inside-literal"))
        .send()
        .unwrap();
    assert_eq!(res.status().as_u16(), 302);
    assert_eq!(ins.accepted(), 0);

    // The client itself refuses names with an internal address, whoever uses it.
    let err = outbound
        .client
        .as_ref()
        .unwrap()
        .get(format!("http://inside.test:{}/", ins.port))
        .send()
        .unwrap_err();
    assert!(matches!(failure(err), Failure::Refused(_)));
    assert_eq!(ins.accepted(), 0);
}

/// The address that is checked is the one connected to: a name that answers "outside" to
/// its first lookup and "inside" to every later one (DNS rebinding), with both servers on
/// the same port, never reaches inside.
#[test]
fn the_connection_goes_to_the_address_that_was_checked() {
    let (outside_server, inside_server) = (0..20)
        .find_map(|_| {
            let o = Server::start("127.0.0.1", inside);
            Server::on("127.0.0.2", o.port, inside).map(|i| (o, i))
        })
        .expect("one port free on both 127.0.0.1 and 127.0.0.2");
    let port = outside_server.port;
    let lookups = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&lookups);
    let policy = Policy {
        lookup: Box::new(move |_| {
            Ok(vec![if counter.fetch_add(1, Ordering::SeqCst) == 0 {
                IpAddr::V4(Ipv4Addr::LOCALHOST)
            } else {
                IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2))
            }])
        }),
        non_public: |ip| {
            if ip == IpAddr::V4(Ipv4Addr::LOCALHOST) {
                None
            } else {
                non_public(ip)
            }
        },
        port_allowed: |_| true,
    };
    let outbound = Outbound::with_policy(Arc::new(policy));
    let link = format!("http://flip.test:{port}/");
    assert_eq!(outbound.check_link(&link), Outcome::Ok);
    assert_eq!(
        lookups.load(Ordering::SeqCst),
        1,
        "one lookup, checked and used"
    );
    assert_eq!(outside_server.accepted(), 1);
    let again = outbound.check_link(&link);
    assert!(matches!(again, Outcome::Refused(_)), "{again:?}");
    assert_eq!(
        inside_server.accepted(),
        0,
        "rebinding reached the inside server"
    );
}

#[test]
fn the_standard_client_refuses_before_connecting() {
    let outbound = Outbound::new();
    let server = Server::start("127.0.0.1", inside);
    for link in [
        format!("http://127.0.0.1:{}/", server.port),
        format!("http://localhost:{}/", server.port),
        "http://127.0.0.1/".to_owned(),
        "http://localhost/".to_owned(),
    ] {
        let outcome = outbound.check_link(&link);
        assert!(
            matches!(outcome, Outcome::Refused(_)),
            "{link}: {outcome:?}"
        );
    }
    assert_eq!(server.accepted(), 0);
}
