//! Outbound HTTP for links people give us (the showcase's link checker): nothing may use the
//! portal to reach its own host or network (server-side request forgery).
//!
//! A link is vetted before any connection: http or https, no user name or password, port 80 or
//! 443, and a host that is neither a local name nor an internal address in any notation (the
//! URL parser turns `2130706433`, `0x7f.1`, `0177.0.0.1`, `127.1` and full-width digits into
//! the address they mean). Names are resolved here, every address is checked, and the
//! connection goes to the addresses that were checked (the client's resolver is this module's,
//! so a name cannot answer differently a second time). The client follows no redirect itself:
//! each `Location` is vetted like a new link, at most three times. Time (10 s) and bytes
//! (64 KiB) are capped, and proxies from the environment are ignored.

use std::io::{self, Read};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

use reqwest::Url;
use reqwest::blocking::{Client, Response};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type Lookup = Box<dyn Fn(&str) -> io::Result<Vec<IpAddr>> + Send + Sync>;

/// Redirects followed after the first request.
pub const MAX_REDIRECTS: usize = 3;
/// Bytes of a body read at most.
pub const MAX_BODY: usize = 64 * 1024;

/// What checking a link found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Answered below 400 (or 206 to a one-byte range).
    Ok,
    /// Did not answer, or answered 400 or above; the reason is for the log.
    Dead(String),
    /// Not asked at all: the link (or a redirect) points where the portal does not go.
    Refused(String),
}

/// Why a fetch gave nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    Dead(String),
    Refused(Refusal),
}

/// Why a link is not followed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("not a link: {0}")]
    Unparsable(String),
    #[error("scheme {0} (only http and https)")]
    Scheme(String),
    #[error("a user name or password in the link")]
    Userinfo,
    #[error("no host")]
    NoHost,
    #[error("port {0} (only 80 and 443)")]
    Port(u16),
    #[error("{0} is a local name")]
    LocalName(String),
    #[error("{host}: {addr} {what}")]
    Address {
        host: String,
        addr: IpAddr,
        what: String,
    },
}

/// Why an address is not on the public internet (`None` when it is), naming the range.
pub fn non_public(ip: IpAddr) -> Option<String> {
    match ip {
        IpAddr::V4(v4) => non_public_v4(v4),
        IpAddr::V6(v6) => non_public_v6(v6),
    }
}

pub fn is_public(ip: IpAddr) -> bool {
    non_public(ip).is_none()
}

fn non_public_v4(ip: Ipv4Addr) -> Option<String> {
    const RANGES: &[([u8; 4], u8, &str)] = &[
        ([0, 0, 0, 0], 8, "is \"this network\" (0.0.0.0/8)"),
        ([10, 0, 0, 0], 8, "is private (10.0.0.0/8)"),
        (
            [100, 64, 0, 0],
            10,
            "is shared address space (100.64.0.0/10)",
        ),
        ([127, 0, 0, 0], 8, "is loopback (127.0.0.0/8)"),
        ([169, 254, 0, 0], 16, "is link-local (169.254.0.0/16)"),
        ([172, 16, 0, 0], 12, "is private (172.16.0.0/12)"),
        (
            [192, 0, 0, 0],
            24,
            "is reserved for protocols (192.0.0.0/24)",
        ),
        ([192, 0, 2, 0], 24, "is for documentation (192.0.2.0/24)"),
        ([192, 88, 99, 0], 24, "is a 6to4 relay (192.88.99.0/24)"),
        ([192, 168, 0, 0], 16, "is private (192.168.0.0/16)"),
        ([198, 18, 0, 0], 15, "is for benchmarking (198.18.0.0/15)"),
        (
            [198, 51, 100, 0],
            24,
            "is for documentation (198.51.100.0/24)",
        ),
        (
            [203, 0, 113, 0],
            24,
            "is for documentation (203.0.113.0/24)",
        ),
        ([224, 0, 0, 0], 4, "is multicast (224.0.0.0/4)"),
        ([240, 0, 0, 0], 4, "is reserved or broadcast (240.0.0.0/4)"),
    ];
    let bits = u32::from(ip);
    RANGES
        .iter()
        .find(|(net, len, _)| bits >> (32 - len) == u32::from_be_bytes(*net) >> (32 - len))
        .map(|(_, _, what)| (*what).to_owned())
}

fn non_public_v6(ip: Ipv6Addr) -> Option<String> {
    let s = ip.segments();
    let embedded = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    let inner = |v4: Ipv4Addr, form: &str| non_public_v4(v4).map(|why| format!("{why} ({form})"));
    if let Some(v4) = ip.to_ipv4_mapped() {
        return inner(v4, "IPv4-mapped");
    }
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return inner(embedded(s[6], s[7]), "NAT64");
    }
    if s[0] == 0x2002 {
        return inner(embedded(s[1], s[2]), "6to4");
    }
    let why = if ip.is_unspecified() {
        "is unspecified (::)"
    } else if ip.is_loopback() {
        "is loopback (::1)"
    } else if s[..6] == [0; 6] {
        "is IPv4-compatible (::/96, deprecated)"
    } else if s[..5] == [0, 0, 0, 0, 0xffff] {
        "is IPv4-translated (::ffff:0:0/96)"
    } else if s[0] & 0xfe00 == 0xfc00 {
        "is unique-local (fc00::/7)"
    } else if s[0] & 0xffc0 == 0xfe80 {
        "is link-local (fe80::/10)"
    } else if s[0] & 0xffc0 == 0xfec0 {
        "is site-local (fec0::/10)"
    } else if s[0] & 0xff00 == 0xff00 {
        "is multicast (ff00::/8)"
    } else if s[0] & 0xe000 != 0x2000 {
        "is not global unicast (outside 2000::/3)"
    } else if s[0] == 0x2001 && s[1] < 0x200 {
        "is reserved for protocols (2001::/23, Teredo, ORCHID, benchmarking)"
    } else if s[0] == 0x2001 && s[1] == 0xdb8 {
        "is for documentation (2001:db8::/32)"
    } else if s[0] & 0xfff0 == 0x3ff0 {
        "is for documentation (3fff::/20)"
    } else {
        return None;
    };
    Some(why.to_owned())
}

/// `localhost`, any name under it, with or without the final dot.
fn local_name(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    host == "localhost" || host.ends_with(".localhost")
}

fn standard_port(port: u16) -> bool {
    port == 80 || port == 443
}

/// Vets a link as the standard policy does, without looking up any name.
pub fn vet_url(link: &str) -> Result<Url, Refusal> {
    vet(link, &Policy::standard())
}

/// The next address after a redirect from `from`, vetted like a new link.
pub fn next_hop(from: &Url, location: &str) -> Result<Url, Refusal> {
    hop(from, location, &Policy::standard())
}

fn hop(from: &Url, location: &str, policy: &Policy) -> Result<Url, Refusal> {
    let to = from
        .join(location)
        .map_err(|e| Refusal::Unparsable(e.to_string()))?;
    vet(to.as_str(), policy)
}

fn vet(link: &str, policy: &Policy) -> Result<Url, Refusal> {
    let url = Url::parse(link.trim()).map_err(|e| Refusal::Unparsable(e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Refusal::Scheme(url.scheme().to_owned()));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Refusal::Userinfo);
    }
    let address = |host: &str, addr: IpAddr| match (policy.non_public)(addr) {
        Some(what) => Err(Refusal::Address {
            host: host.to_owned(),
            addr,
            what,
        }),
        None => Ok(()),
    };
    match url.host() {
        None => return Err(Refusal::NoHost),
        Some(url::Host::Domain(d)) if local_name(d) => return Err(Refusal::LocalName(d.into())),
        Some(url::Host::Domain(_)) => {}
        Some(url::Host::Ipv4(ip)) => address(&ip.to_string(), ip.into())?,
        Some(url::Host::Ipv6(ip)) => address(&ip.to_string(), ip.into())?,
    }
    let port = url.port_or_known_default().unwrap_or(0);
    if !(policy.port_allowed)(port) {
        return Err(Refusal::Port(port));
    }
    Ok(url)
}

/// How names are looked up, which addresses are internal and which ports are allowed
/// (replaceable in tests, which have only loopback to work with).
struct Policy {
    lookup: Lookup,
    non_public: fn(IpAddr) -> Option<String>,
    port_allowed: fn(u16) -> bool,
}

impl Policy {
    fn standard() -> Self {
        Self {
            lookup: Box::new(|h| Ok((h, 0).to_socket_addrs()?.map(|a| a.ip()).collect())),
            non_public,
            port_allowed: standard_port,
        }
    }

    /// The addresses of a name, all of them public, or why not: a refusal (boxed, found again
    /// by [`failure`]) or an ordinary lookup error (the link is dead).
    fn resolve(&self, host: &str) -> Result<Vec<IpAddr>, BoxError> {
        if local_name(host) {
            return Err(Box::new(Refusal::LocalName(host.to_owned())));
        }
        let ips = (self.lookup)(host)?;
        if ips.is_empty() {
            return Err(Box::new(io::Error::new(
                io::ErrorKind::NotFound,
                format!("{host} has no address"),
            )));
        }
        for &addr in &ips {
            if let Some(what) = (self.non_public)(addr) {
                return Err(Box::new(Refusal::Address {
                    host: host.to_owned(),
                    addr,
                    what,
                }));
            }
        }
        Ok(ips)
    }
}

/// The client's resolver: the policy's lookup, checked; the client connects to what it returns.
struct Vetted(Arc<Policy>);

impl Resolve for Vetted {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = Arc::clone(&self.0);
        let host = name.as_str().to_owned();
        Box::pin(async move {
            // The system's lookup blocks: off the client's runtime, so its timeout still holds.
            let ips = tokio::task::spawn_blocking(move || policy.resolve(&host)).await??;
            let addrs: Addrs = Box::new(ips.into_iter().map(|ip| SocketAddr::new(ip, 0)));
            Ok(addrs)
        })
    }
}

/// A body read up to [`MAX_BODY`].
pub struct Fetched {
    pub status: u16,
    pub body: Vec<u8>,
    pub truncated: bool,
}

/// The one way the portal asks other servers for links people gave it.
pub struct Outbound {
    client: Result<Client, String>,
    policy: Arc<Policy>,
}

impl Default for Outbound {
    fn default() -> Self {
        Self::new()
    }
}

/// A refusal found anywhere in an error's chain (the resolver's), else a dead link.
fn failure(e: reqwest::Error) -> Failure {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
    while let Some(err) = source {
        if let Some(r) = err.downcast_ref::<Refusal>() {
            return Failure::Refused(r.clone());
        }
        source = err.source();
    }
    Failure::Dead(e.to_string())
}

impl Outbound {
    /// Builds a blocking client: call it off the async runtime (in `db` work or a thread).
    pub fn new() -> Self {
        Self::with_policy(Arc::new(Policy::standard()))
    }

    fn with_policy(policy: Arc<Policy>) -> Self {
        let client = Client::builder()
            .timeout(Duration::from_secs(10))
            .connect_timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .pool_max_idle_per_host(0)
            .user_agent("Kaifang link checker")
            .dns_resolver(Arc::new(Vetted(Arc::clone(&policy))))
            .build()
            .map_err(|e| e.to_string());
        Self { client, policy }
    }

    /// HEAD (or a one-byte GET when HEAD is not allowed), following vetted redirects.
    pub fn check_link(&self, link: &str) -> Outcome {
        let asked = self.follow(link, |client, url| {
            let res = client.head(url.clone()).send()?;
            if matches!(res.status().as_u16(), 405 | 501) {
                return client
                    .get(url)
                    .header(reqwest::header::RANGE, "bytes=0-0")
                    .send();
            }
            Ok(res)
        });
        match asked {
            Ok(res) if res.status().as_u16() < 400 => Outcome::Ok,
            Ok(res) => Outcome::Dead(format!("HTTP {}", res.status().as_u16())),
            Err(Failure::Dead(why)) => Outcome::Dead(why),
            Err(Failure::Refused(r)) => Outcome::Refused(r.to_string()),
        }
    }

    /// GET, following vetted redirects; the body up to [`MAX_BODY`] bytes.
    pub fn fetch(&self, link: &str) -> Result<Fetched, Failure> {
        let res = self.follow(link, |client, url| client.get(url).send())?;
        let status = res.status().as_u16();
        let mut body = Vec::new();
        res.take(MAX_BODY as u64 + 1)
            .read_to_end(&mut body)
            .map_err(|e| Failure::Dead(e.to_string()))?;
        let truncated = body.len() > MAX_BODY;
        body.truncate(MAX_BODY);
        Ok(Fetched {
            status,
            body,
            truncated,
        })
    }

    fn follow(
        &self,
        link: &str,
        ask: impl Fn(&Client, Url) -> Result<Response, reqwest::Error>,
    ) -> Result<Response, Failure> {
        let client = self.client.as_ref().map_err(|e| Failure::Dead(e.clone()))?;
        let mut url = vet(link, &self.policy).map_err(Failure::Refused)?;
        for hop_number in 0..=MAX_REDIRECTS {
            let res = ask(client, url.clone()).map_err(failure)?;
            let location = res
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|l| l.to_str().ok());
            let Some(location) = location.filter(|_| res.status().is_redirection()) else {
                return Ok(res);
            };
            if hop_number == MAX_REDIRECTS {
                break;
            }
            url = hop(&url, location, &self.policy).map_err(Failure::Refused)?;
        }
        Err(Failure::Dead(format!(
            "more than {MAX_REDIRECTS} redirects"
        )))
    }
}

#[cfg(test)]
mod tests;
