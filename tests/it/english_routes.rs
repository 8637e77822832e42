//! Every HTML route of `src/web/routes.rs` in English (issue 20): the route table is read from
//! the source, so a new page cannot be added without being walked here. Each page is fetched at
//! `/en/…` by the reader who can see it, and must have `lang="en"`, an English site name, no
//! Chinese UI text outside data marked `lang="zh-CN"`, and links and forms that stay English.

use scraper::Selector;

use crate::both_backends;
use crate::english::{chinese_ui_text, links_leaving_english};
use crate::page_fixture::{ADMIN, Fixture, PUBLISHER, USER, fixture};

both_backends!(every_html_route_reads_in_english);

/// Who opens a page: nobody, a registered reader, the department's publisher, an administrator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    Anyone,
    User,
    Publisher,
    Admin,
}

/// Routes that answer with something other than an HTML page (files, feeds, redirects, JSON).
const NOT_HTML: &[&str] = &[
    "/datasets/{slug}/datapackage.json",
    "/datasets/{slug}/dcat.ttl",
    "/datasets/{slug}/dcat.jsonld",
    "/elder",
    "/showcase/{id}/screenshot",
    "/emergencies/feed.atom",
    "/emergencies/{slug}/live",
    "/emergencies/{slug}/attachments/{id}",
    "/emergencies/{slug}/feed.atom",
    "/datasets/{slug}/resources/{id}/download",
    "/account/applications/{id}/attachment",
    "/console/applications/{id}/attachment",
    "/stats/{table}.csv",
    "/console/feedback/{id}/evidence",
    "/console/datasets/{slug}/resources/{id}/versions/{n}/status",
    "/admin/assessment.csv",
    "/api/v1/harvest",
    "/api/v1/datasets/{slug}/resources/{id}",
    "/api/v1/departments",
    "/api/v1/departments/{slug}",
    "/api/v1/themes",
    "/api/v1/themes/{slug}",
    "/api/v1/datasets/{slug}/resources/{id}/versions/{n}",
    "/api/v1/datasets/{slug}/resources/{id}/rows",
    "/api/v1/datasets/{slug}/resources/{id}/download",
    "/api/openapi.json",
    "/api/v1/emergencies",
    "/api/v1/emergencies/{slug}",
    "/healthz",
    "/metrics",
    "/robots.txt",
    "/sitemap.xml",
    "/sitemaps/{n}.xml",
    "/catalog.ttl",
    "/catalog.jsonld",
    "/favicon.ico",
    "/static/{version}/{name}",
];

/// The routes that GET a page, as `src/web/routes.rs` declares them (`page(…)` and `form(…)`).
fn declared_pages() -> Vec<String> {
    let source = include_str!("../../src/web/routes.rs");
    let mut found = Vec::new();
    for opener in ["page(", "form("] {
        for piece in source.split(opener).skip(1) {
            let piece = piece.trim_start();
            if let Some(rest) = piece.strip_prefix('"') {
                found.push(rest.split('"').next().unwrap().to_owned());
            }
        }
    }
    found
}

/// The HTML routes and the URL each is shown at, with the reader who can see it.
fn html_pages(f: &Fixture) -> Vec<(&'static str, Who, String)> {
    use Who::*;
    let app = f.application;
    let res = f.resource;
    let review = f.review.trim_start_matches("/feedback/").to_owned();
    vec![
        ("/", Anyone, "/".into()),
        ("/datasets", Anyone, "/datasets?q=公交".into()),
        (
            "/datasets/{slug}",
            Anyone,
            "/datasets/hefei-bus-routes".into(),
        ),
        (
            "/datasets/{slug}/api",
            Anyone,
            "/datasets/hefei-bus-routes/api".into(),
        ),
        ("/departments", Anyone, "/departments".into()),
        ("/developers", Anyone, "/developers".into()),
        (
            "/datasets/{slug}/feedback",
            User,
            "/datasets/hefei-bus-routes/feedback".into(),
        ),
        ("/feedback/{id}", User, f.review.clone()),
        ("/showcase", Anyone, "/showcase".into()),
        ("/showcase/new", User, "/showcase/new".into()),
        ("/requests", Anyone, "/requests".into()),
        ("/requests/new", User, "/requests/new".into()),
        ("/requests/{id}", Anyone, f.request.clone()),
        ("/emergencies", Anyone, "/emergencies".into()),
        (
            "/emergencies/{slug}",
            Anyone,
            "/emergencies/chaohu-flood".into(),
        ),
        (
            "/departments/{slug}",
            Anyone,
            "/departments/hefei-transport".into(),
        ),
        ("/themes/{slug}", Anyone, "/themes/transport".into()),
        (
            "/datasets/{slug}/apply",
            User,
            "/datasets/hefei-enterprises/apply".into(),
        ),
        (
            "/account/applications",
            User,
            "/account/applications".into(),
        ),
        (
            "/account/applications/{id}",
            User,
            format!("/account/applications/{app}"),
        ),
        ("/stats", Anyone, "/stats".into()),
        ("/stats/applications", Anyone, "/stats/applications".into()),
        ("/account/inbox", User, "/account/inbox".into()),
        (
            "/console/applications",
            Publisher,
            "/console/applications".into(),
        ),
        (
            "/console/applications/{id}",
            Publisher,
            format!("/console/applications/{app}"),
        ),
        ("/register", Anyone, "/register".into()),
        ("/register/{kind}", Anyone, "/register/organisation".into()),
        ("/login", Anyone, "/login".into()),
        ("/account", User, "/account".into()),
        ("/account/password", User, "/account/password".into()),
        ("/account/sessions", User, "/account/sessions".into()),
        ("/account/keys", User, "/account/keys".into()),
        ("/console", Publisher, "/console".into()),
        ("/console/feedback", Publisher, "/console/feedback".into()),
        ("/console/requests", Publisher, "/console/requests".into()),
        ("/console/comments", Publisher, "/console/comments".into()),
        (
            "/console/feedback/{id}",
            Publisher,
            format!("/console/feedback/{review}"),
        ),
        (
            "/console/emergencies",
            Publisher,
            "/console/emergencies".into(),
        ),
        (
            "/console/emergencies/{slug}",
            Publisher,
            "/console/emergencies/chaohu-flood".into(),
        ),
        (
            "/console/datasets/new",
            Publisher,
            "/console/datasets/new".into(),
        ),
        (
            "/console/datasets/{slug}/edit",
            Publisher,
            "/console/datasets/hefei-enterprises/edit".into(),
        ),
        (
            "/console/datasets/{slug}/history",
            Publisher,
            "/console/datasets/hefei-bus-routes/history".into(),
        ),
        (
            "/console/datasets/{slug}/resources",
            Publisher,
            "/console/datasets/hefei-bus-routes/resources".into(),
        ),
        (
            "/console/datasets/{slug}/resources/{id}",
            Publisher,
            format!("/console/datasets/hefei-bus-routes/resources/{res}"),
        ),
        (
            "/console/datasets/{slug}/resources/{id}/versions/{n}",
            Publisher,
            format!("/console/datasets/hefei-bus-routes/resources/{res}/versions/1"),
        ),
        ("/admin", Admin, "/admin".into()),
        ("/admin/departments", Admin, "/admin/departments".into()),
        (
            "/admin/departments/new",
            Admin,
            "/admin/departments/new".into(),
        ),
        (
            "/admin/departments/{slug}/edit",
            Admin,
            "/admin/departments/hefei-transport/edit".into(),
        ),
        ("/admin/users", Admin, "/admin/users".into()),
        (
            "/admin/users/{id}",
            Admin,
            format!("/admin/users/{}", f.user_id),
        ),
        ("/admin/calendar", Admin, "/admin/calendar".into()),
        ("/admin/class-changes", Admin, "/admin/class-changes".into()),
        ("/admin/audit", Admin, "/admin/audit".into()),
        ("/admin/emergencies", Admin, "/admin/emergencies".into()),
        ("/admin/requests", Admin, "/admin/requests".into()),
        ("/admin/assessment", Admin, "/admin/assessment".into()),
        ("/admin/showcase", Admin, "/admin/showcase".into()),
        ("/admin/comments", Admin, "/admin/comments".into()),
        ("/admin/uploads", Admin, "/admin/uploads".into()),
    ]
}

async fn every_html_route_reads_in_english(backend: crate::helpers::Backend) {
    let Some(f) = fixture(backend).await else {
        return;
    };
    let pages = html_pages(&f);
    // Every route the table declares is walked here or named as not HTML, and nothing else.
    let declared = declared_pages();
    for route in &declared {
        let known = NOT_HTML.contains(&route.as_str()) || pages.iter().any(|(r, ..)| r == route);
        assert!(
            known,
            "{route} is neither walked in English nor named as not HTML"
        );
    }
    for (route, ..) in &pages {
        assert!(
            declared.iter().any(|d| d == route),
            "{route} is not a route"
        );
    }
    let user = f.app.logged_in(USER).await;
    let publisher = f.app.logged_in(PUBLISHER).await;
    let admin = f.app.logged_in(ADMIN).await;
    let anyone = f.app.browser();
    let mut problems = Vec::new();
    for (route, who, url) in &pages {
        let b = match who {
            Who::Anyone => &anyone,
            Who::User => &user,
            Who::Publisher => &publisher,
            Who::Admin => &admin,
        };
        let path = format!("/en{url}");
        let (status, page) = b.page(&path).await;
        if status != 200 {
            problems.push(format!("{route} ({path}): status {status}"));
            continue;
        }
        let html = &page.html;
        if html.root_element().value().attr("lang") != Some("en") {
            problems.push(format!("{route}: <html> is not lang=en"));
        }
        let title = html
            .select(&Selector::parse("title").unwrap())
            .next()
            .map(|t| t.text().collect::<String>())
            .unwrap_or_default();
        if !title.ends_with("Anhui Open Data Portal") {
            problems.push(format!("{route}: title {title}"));
        }
        for text in chinese_ui_text(html) {
            problems.push(format!("{route}: {text}"));
        }
        for link in links_leaving_english(html) {
            problems.push(format!("{route}: {link}"));
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
