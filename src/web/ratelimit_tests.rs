//! Unit tests of `ratelimit.rs`.

use super::*;

#[test]
fn channels_follow_the_path() {
    let get = Method::GET;
    assert_eq!(
        Channel::of(&get, "/api/3/action/package_show", ""),
        Channel::Ckan
    );
    assert_eq!(
        Channel::of(&get, "/api/action/package_list", ""),
        Channel::Ckan
    );
    assert_eq!(Channel::of(&get, "/api/v1/datasets", ""), Channel::Api);
    assert_eq!(Channel::of(&get, "/catalog.ttl", ""), Channel::Api);
    assert_eq!(
        Channel::of(&get, "/datasets/a/datapackage.json", ""),
        Channel::Api
    );
    assert_eq!(Channel::of(&get, "/datasets", "q=x"), Channel::Search);
    assert_eq!(Channel::of(&get, "/datasets", ""), Channel::Web);
    assert_eq!(Channel::of(&get, "/datasets/a", ""), Channel::Web);
    assert!(is_download("/datasets/a/resources/3/download"));
    assert!(is_download("/api/v1/datasets/a/resources/3/download"));
    assert!(!is_download("/datasets/download"));
}

#[test]
fn a_bucket_counts_down_and_then_refuses_with_a_wait() {
    let limits = RateLimits::new(&ApiSettings {
        anonymous_per_minute: 3,
        registered_per_minute: 10,
        partner_per_minute: 100,
        search_per_minute: 5,
        concurrent_downloads: 1,
        metrics_allow: String::new(),
        metrics_networks: Vec::new(),
    });
    let l = limits.for_tier(Tier::Anonymous);
    let seen: Vec<u32> = (0..3).map(|_| count(l, "ip:a").remaining).collect();
    assert_eq!(seen, [2, 1, 0]);
    let refused = count(l, "ip:a");
    assert_eq!(refused.limit, 3);
    assert!(refused.retry_after.is_some_and(|s| (1..=20).contains(&s)));
    // Another caller has a bucket of its own.
    assert_eq!(count(l, "ip:b").remaining, 2);
    // Download slots are given back when dropped.
    let slot = limits.take_download_slot("ip:a").expect("a first slot");
    assert_eq!(limits.take_download_slot("ip:a").err(), Some(1));
    drop(slot);
    assert!(limits.take_download_slot("ip:a").is_ok());
}

#[test]
fn ipv6_callers_are_counted_by_their_64() {
    assert_eq!(address_bucket("203.0.113.7"), "ip:203.0.113.7");
    assert_eq!(
        address_bucket("2001:db8:1:2:aaaa::1"),
        address_bucket("2001:db8:1:2:bbbb::9")
    );
    assert_ne!(
        address_bucket("2001:db8:1:2::1"),
        address_bucket("2001:db8:1:3::1")
    );
    assert_eq!(address_bucket("unknown"), "ip:unknown");
}

#[test]
fn keys_come_from_any_of_the_usual_headers() {
    let mut h = HeaderMap::new();
    assert_eq!(presented_key(&h), None);
    h.insert(
        HeaderName::from_static("x-ckan-api-key"),
        HeaderValue::from_static("kf_1"),
    );
    assert_eq!(presented_key(&h).as_deref(), Some("kf_1"));
    h.insert(
        actix_web::http::header::AUTHORIZATION,
        HeaderValue::from_static("Bearer kf_2"),
    );
    assert_eq!(presented_key(&h).as_deref(), Some("kf_2"));
    h.insert(
        actix_web::http::header::AUTHORIZATION,
        HeaderValue::from_static("kf_3"),
    );
    assert_eq!(presented_key(&h).as_deref(), Some("kf_3"));
}
