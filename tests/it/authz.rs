//! The authorization matrix: every route × (anonymous, user, publisher of department A,
//! publisher of department B, administrator) → the expected outcome, on both back-ends.
//! Later issues add their routes here.
//!
//! Rows that change state send bodies that fail validation, so the request passes (or fails)
//! authorization without changing what the next principal sees: a 400 proves the principal got
//! through to validation.

use kaifang::domain::{DatasetStatus, Role};

use crate::both_backends;
use crate::helpers::{Backend, Browser, DatasetBuilder, TestApp, ingest_file, location};

/// What a principal should get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Want {
    /// A redirect to the login page.
    Login,
    /// Any 2xx, or a 303 that is not to the login page.
    Ok,
    /// Exactly this status.
    Status(u16),
}

use Want::{Login, Ok as Pass, Status};
const BAD: Want = Status(400);
const FORBID: Want = Status(403);
const MISSING: Want = Status(404);
const NOKEY: Want = Status(401);

#[derive(Clone, Copy)]
enum Call<'a> {
    Get(&'a str),
    Post(&'static str, &'static [(&'static str, &'static str)]),
    Api(&'static str, &'static str, &'static str),
}

/// (call, [anonymous, user, publisher A, publisher B, admin])
fn matrix() -> Vec<(Call<'static>, [Want; 5])> {
    use Call::*;
    vec![
        // Public pages.
        (Get("/"), [Pass, Pass, Pass, Pass, Pass]),
        (Get("/datasets"), [Pass, Pass, Pass, Pass, Pass]),
        (Get("/datasets/a-published"), [Pass, Pass, Pass, Pass, Pass]),
        (
            Get("/datasets/a-draft"),
            [MISSING, MISSING, MISSING, MISSING, MISSING],
        ),
        // The API page (issue 19): every public dataset, conditional ones too (they say how to
        // apply); drafts and closed datasets are missing, even to their own department.
        (
            Get("/datasets/a-published/api"),
            [Pass, Pass, Pass, Pass, Pass],
        ),
        (Get("/datasets/a-cond/api"), [Pass, Pass, Pass, Pass, Pass]),
        (
            Get("/datasets/a-draft/api"),
            [MISSING, MISSING, MISSING, MISSING, MISSING],
        ),
        (
            Get("/datasets/a-closed/api"),
            [MISSING, MISSING, MISSING, MISSING, MISSING],
        ),
        (
            Get("/login"),
            [Pass, Status(303), Status(303), Status(303), Status(303)],
        ),
        (Get("/register"), [Pass, Pass, Pass, Pass, Pass]),
        (
            Get("/register/organisation"),
            [Pass, Pass, Pass, Pass, Pass],
        ),
        (Get("/register/individual"), [Pass, Pass, Pass, Pass, Pass]),
        (
            Get("/register/other"),
            [MISSING, MISSING, MISSING, MISSING, MISSING],
        ),
        (
            Post("/register/individual", &[("email", "")]),
            [BAD, BAD, BAD, BAD, BAD],
        ),
        (
            Post("/register/organisation", &[("email", "")]),
            [BAD, BAD, BAD, BAD, BAD],
        ),
        (
            Post(
                "/login",
                &[("email", "nobody@example.cn"), ("password", "wrong")],
            ),
            [
                Status(401),
                Status(401),
                Status(401),
                Status(401),
                Status(401),
            ],
        ),
        (Get("/departments"), [Pass, Pass, Pass, Pass, Pass]),
        (Get("/departments/dept-a"), [Pass, Pass, Pass, Pass, Pass]),
        (Get("/themes/transport"), [Pass, Pass, Pass, Pass, Pass]),
        (Get("/healthz"), [Pass, Pass, Pass, Pass, Pass]),
        (Get("/robots.txt"), [Pass, Pass, Pass, Pass, Pass]),
        (Get("/favicon.ico"), [Pass, Pass, Pass, Pass, Pass]),
        (Get("/static/any/site.css"), [Pass, Pass, Pass, Pass, Pass]),
        // The account area: any logged-in person.
        (Get("/account"), [Login, Pass, Pass, Pass, Pass]),
        (Get("/account/password"), [Login, Pass, Pass, Pass, Pass]),
        (Get("/account/sessions"), [Login, Pass, Pass, Pass, Pass]),
        (Get("/account/keys"), [Login, Pass, Pass, Pass, Pass]),
        (
            Post("/account/keys", &[("name", "")]),
            [Login, BAD, BAD, BAD, BAD],
        ),
        (
            Post("/account/keys/999999/revoke", &[]),
            [Login, MISSING, MISSING, MISSING, MISSING],
        ),
        (
            Post("/account/sessions/999999/end", &[]),
            [Login, MISSING, MISSING, MISSING, MISSING],
        ),
        (
            Post(
                "/account/password",
                &[
                    ("current", "x"),
                    ("new_password", "a"),
                    ("new_password_confirm", "b"),
                ],
            ),
            [Login, BAD, BAD, BAD, BAD],
        ),
        // The console: publishers, each for their own department only.
        (Get("/console"), [Login, FORBID, Pass, Pass, FORBID]),
        (
            Get("/console/datasets/new"),
            [Login, FORBID, Pass, Pass, FORBID],
        ),
        (
            Post("/console/datasets/new", &[("title", "")]),
            [Login, FORBID, BAD, BAD, FORBID],
        ),
        (
            Get("/console/datasets/a-draft/edit"),
            [Login, FORBID, Pass, MISSING, FORBID],
        ),
        (
            Get("/console/datasets/b-draft/edit"),
            [Login, FORBID, MISSING, Pass, FORBID],
        ),
        (
            Get("/console/datasets/a-published/edit"),
            [Login, FORBID, Pass, FORBID, FORBID],
        ),
        (
            Get("/console/datasets/a-draft/history"),
            [Login, FORBID, Pass, MISSING, FORBID],
        ),
        (
            Get("/console/datasets/b-draft/history"),
            [Login, FORBID, MISSING, Pass, FORBID],
        ),
        (
            Get("/console/datasets/a-published/history"),
            [Login, FORBID, Pass, FORBID, FORBID],
        ),
        (
            Post(
                "/console/datasets/a-published/status",
                &[("status", "bogus")],
            ),
            [Login, FORBID, BAD, FORBID, FORBID],
        ),
        (
            Post("/console/datasets/a-draft/edit", &[("title", "")]),
            [Login, FORBID, BAD, MISSING, FORBID],
        ),
        (
            Post("/console/datasets/b-draft/edit", &[("title", "")]),
            [Login, FORBID, MISSING, BAD, FORBID],
        ),
        (
            Post("/console/datasets/a-published/edit", &[("title", "")]),
            [Login, FORBID, BAD, FORBID, FORBID],
        ),
        (
            Post("/console/datasets/a-draft/status", &[("status", "bogus")]),
            [Login, FORBID, BAD, MISSING, FORBID],
        ),
        (
            Post("/console/datasets/b-draft/status", &[("status", "bogus")]),
            [Login, FORBID, MISSING, BAD, FORBID],
        ),
        (
            Get("/console/datasets/nothing/edit"),
            [Login, FORBID, MISSING, MISSING, FORBID],
        ),
        // Administration: administrators only.
        (Get("/admin"), [Login, FORBID, FORBID, FORBID, Pass]),
        (
            Get("/admin/departments"),
            [Login, FORBID, FORBID, FORBID, Pass],
        ),
        (
            Get("/admin/departments/new"),
            [Login, FORBID, FORBID, FORBID, Pass],
        ),
        (
            Get("/admin/departments/dept-a/edit"),
            [Login, FORBID, FORBID, FORBID, Pass],
        ),
        (
            Post("/admin/departments/new", &[("slug", "")]),
            [Login, FORBID, FORBID, FORBID, BAD],
        ),
        (
            Post("/admin/departments/dept-a/edit", &[("name", "")]),
            [Login, FORBID, FORBID, FORBID, BAD],
        ),
        (Get("/admin/users"), [Login, FORBID, FORBID, FORBID, Pass]),
        (Get("/admin/users/1"), [Login, FORBID, FORBID, FORBID, Pass]),
        (
            Post(
                "/admin/users/1",
                &[("role", "bogus"), ("status", "verified")],
            ),
            [Login, FORBID, FORBID, FORBID, BAD],
        ),
        (
            Get("/admin/calendar"),
            [Login, FORBID, FORBID, FORBID, Pass],
        ),
        (
            Post("/admin/calendar", &[("day", "not a day")]),
            [Login, FORBID, FORBID, FORBID, BAD],
        ),
        (
            Post("/admin/calendar/2026-03-03/delete", &[]),
            [Login, FORBID, FORBID, FORBID, MISSING],
        ),
        (
            Get("/admin/class-changes"),
            [Login, FORBID, FORBID, FORBID, Pass],
        ),
        (
            Post("/admin/class-changes/999999", &[("decision", "bogus")]),
            [Login, FORBID, FORBID, FORBID, BAD],
        ),
        (Get("/admin/audit"), [Login, FORBID, FORBID, FORBID, Pass]),
        (Get("/admin/uploads"), [Login, FORBID, FORBID, FORBID, Pass]),
        (
            Post("/admin/uploads/999999/override", &[("reason", "")]),
            [Login, FORBID, FORBID, FORBID, BAD],
        ),
        // Data files. Resources: 1 a-published, 2 a-draft, 3 b-draft, 4 a-cond, 5 a-closed.
        (
            Get("/datasets/a-published/resources/1/download"),
            [Pass, Pass, Pass, Pass, Pass],
        ),
        (
            Get("/datasets/a-published/resources/1/download?format=xlsx"),
            [Pass, Pass, Pass, Pass, Pass],
        ),
        (
            Get("/datasets/a-published/resources/1/download?format=bogus"),
            [BAD, BAD, BAD, BAD, BAD],
        ),
        (
            Get("/datasets/a-published/resources/2/download"),
            [MISSING, MISSING, MISSING, MISSING, MISSING],
        ),
        (
            Get("/datasets/a-draft/resources/2/download"),
            [MISSING, MISSING, MISSING, MISSING, MISSING],
        ),
        (
            Get("/datasets/a-cond/resources/4/download"),
            [FORBID, FORBID, FORBID, FORBID, FORBID],
        ),
        (
            Get("/datasets/a-closed/resources/5/download"),
            [MISSING, MISSING, MISSING, MISSING, MISSING],
        ),
        // Versions and formats (issue 16): every `version=` and format goes through one gate.
        (
            Get("/datasets/a-published/resources/1/download?version=1&format=original"),
            [Pass, Pass, Pass, Pass, Pass],
        ),
        (
            Get("/datasets/a-published/resources/1/download?version=1&format=json"),
            [Pass, Pass, Pass, Pass, Pass],
        ),
        (
            Get("/datasets/a-published/resources/1/download?version=2"),
            [MISSING, MISSING, MISSING, MISSING, MISSING],
        ),
        (
            Get("/datasets/a-published/resources/1/download?version=0"),
            [BAD, BAD, BAD, BAD, BAD],
        ),
        (
            Get("/datasets/a-closed/resources/5/download?version=1&format=original"),
            [MISSING, MISSING, MISSING, MISSING, MISSING],
        ),
        (
            Get("/datasets/a-cond/resources/4/download?version=1&format=xlsx"),
            [FORBID, FORBID, FORBID, FORBID, FORBID],
        ),
        (
            Api(
                "GET",
                "/api/v1/datasets/a-published/resources/1/rows?version=2",
                "",
            ),
            [NOKEY, MISSING, MISSING, MISSING, MISSING],
        ),
        (
            Api(
                "GET",
                "/api/v1/datasets/a-closed/resources/5/rows?version=1",
                "",
            ),
            [NOKEY, MISSING, MISSING, MISSING, MISSING],
        ),
        // Retiring a version: the department's publishers only (the reason is too short, so
        // nothing changes).
        (
            Post(
                "/console/datasets/a-published/resources/1/versions/1/retire",
                &[("retire_reason", "短")],
            ),
            [Login, FORBID, BAD, FORBID, FORBID],
        ),
        (
            Post(
                "/console/datasets/b-draft/resources/3/versions/1/retire",
                &[("retire_reason", "短")],
            ),
            [Login, FORBID, MISSING, BAD, FORBID],
        ),
        (
            Get("/console/datasets/a-published/resources"),
            [Login, FORBID, Pass, FORBID, FORBID],
        ),
        (
            Get("/console/datasets/b-draft/resources"),
            [Login, FORBID, MISSING, Pass, FORBID],
        ),
        (
            Get("/console/datasets/a-published/resources/1"),
            [Login, FORBID, Pass, FORBID, FORBID],
        ),
        (
            Get("/console/datasets/a-published/resources/3"),
            [Login, FORBID, MISSING, FORBID, FORBID],
        ),
        (
            Get("/console/datasets/b-draft/resources/3/versions/1"),
            [Login, FORBID, MISSING, Pass, FORBID],
        ),
        (
            Get("/console/datasets/a-published/resources/1/versions/1"),
            [Login, FORBID, Pass, FORBID, FORBID],
        ),
        (
            Get("/console/datasets/a-published/resources/1/versions/1/status"),
            [Login, FORBID, Pass, FORBID, FORBID],
        ),
        (
            Get("/console/datasets/a-published/resources/1/versions/9"),
            [Login, FORBID, MISSING, FORBID, FORBID],
        ),
        (
            Post(
                "/console/datasets/a-published/resources/1/versions/1/decide",
                &[("type_0", "bogus")],
            ),
            [Login, FORBID, BAD, FORBID, FORBID],
        ),
        (
            Post(
                "/console/datasets/b-draft/resources/3/versions/1/decide",
                &[("type_0", "bogus")],
            ),
            [Login, FORBID, MISSING, BAD, FORBID],
        ),
        // Not multipart: refused after the checks, before anything is stored.
        (
            Post("/console/datasets/a-published/resources", &[]),
            [Login, FORBID, BAD, FORBID, FORBID],
        ),
        (
            Post("/console/datasets/b-draft/resources", &[]),
            [Login, FORBID, MISSING, BAD, FORBID],
        ),
        (
            Post("/console/datasets/a-published/resources/1", &[]),
            [Login, FORBID, BAD, FORBID, FORBID],
        ),
        // The JSON API, with each principal's key (none for anonymous).
        (
            Api("GET", "/api/v1/account", ""),
            [NOKEY, Pass, Pass, Pass, Pass],
        ),
        (
            Api("POST", "/api/v1/datasets", "{}"),
            [NOKEY, FORBID, BAD, BAD, FORBID],
        ),
        (
            Api("PATCH", "/api/v1/datasets/a-draft", r#"{"title": ""}"#),
            [NOKEY, FORBID, BAD, MISSING, FORBID],
        ),
        (
            Api("PATCH", "/api/v1/datasets/b-draft", r#"{"title": ""}"#),
            [NOKEY, FORBID, MISSING, BAD, FORBID],
        ),
        (
            Api("PATCH", "/api/v1/datasets/a-published", r#"{"title": ""}"#),
            [NOKEY, FORBID, BAD, FORBID, FORBID],
        ),
        (
            Api("PATCH", "/api/v1/datasets/nothing", "{}"),
            [NOKEY, FORBID, MISSING, MISSING, FORBID],
        ),
        (
            Api("GET", "/api/v1/datasets?q=%E6%95%B0%E6%8D%AE", ""),
            [Pass, Pass, Pass, Pass, Pass],
        ),
        (
            Api("GET", "/api/v1/datasets?sort=bogus", ""),
            [BAD, BAD, BAD, BAD, BAD],
        ),
        (
            Api("GET", "/api/v1/datasets/a-published/resources/1/rows", ""),
            [NOKEY, Pass, Pass, Pass, Pass],
        ),
        (
            Api(
                "GET",
                "/api/v1/datasets/a-published/resources/1/rows?bogus=1",
                "",
            ),
            // A field the resource lacks: 422 (issue 19).
            [NOKEY, Status(422), Status(422), Status(422), Status(422)],
        ),
        (
            Api("GET", "/api/v1/datasets/a-draft/resources/2/rows", ""),
            [NOKEY, MISSING, MISSING, MISSING, MISSING],
        ),
        (
            Api("GET", "/api/v1/datasets/a-cond/resources/4/rows", ""),
            [NOKEY, FORBID, FORBID, FORBID, FORBID],
        ),
        (
            Api("GET", "/api/v1/datasets/a-closed/resources/5/rows", ""),
            [NOKEY, MISSING, MISSING, MISSING, MISSING],
        ),
        (
            Api(
                "GET",
                "/api/v1/datasets/a-published/resources/1/download",
                "",
            ),
            [NOKEY, Pass, Pass, Pass, Pass],
        ),
        (
            Api("GET", "/api/v1/datasets/a-closed/resources/5/download", ""),
            [NOKEY, MISSING, MISSING, MISSING, MISSING],
        ),
        (
            Api("POST", "/api/v1/datasets/a-published/resources", ""),
            [NOKEY, FORBID, BAD, FORBID, FORBID],
        ),
        (
            Api("POST", "/api/v1/datasets/b-draft/resources", ""),
            [NOKEY, FORBID, MISSING, BAD, FORBID],
        ),
        (
            Api(
                "GET",
                "/api/v1/datasets/a-published/resources/1/versions/1",
                "",
            ),
            [NOKEY, FORBID, Pass, FORBID, FORBID],
        ),
        (
            Api("GET", "/api/v1/datasets/b-draft/resources/3/versions/1", ""),
            [NOKEY, FORBID, MISSING, Pass, FORBID],
        ),
        (
            Api("GET", "/api/v1/nothing", ""),
            [MISSING, MISSING, MISSING, MISSING, MISSING],
        ),
        // Conditional access (issue 6). Application 1 is the citizen's, for a-cond (dept A).
        (
            Get("/datasets/a-cond/apply"),
            [Login, Pass, Pass, Pass, Pass],
        ),
        (
            Get("/datasets/a-published/apply"),
            [Login, BAD, BAD, BAD, BAD],
        ),
        (
            Get("/datasets/a-closed/apply"),
            [Login, MISSING, MISSING, MISSING, MISSING],
        ),
        (
            Post("/datasets/a-cond/apply", &[("purpose", "")]),
            [Login, BAD, BAD, BAD, BAD],
        ),
        (
            Get("/account/applications"),
            [Login, Pass, Pass, Pass, Pass],
        ),
        (
            Post("/account/applications/999/withdraw", &[]),
            [Login, MISSING, MISSING, MISSING, MISSING],
        ),
        (
            Get("/console/applications"),
            [Login, FORBID, Pass, Pass, Pass],
        ),
        (
            Get("/console/applications/1"),
            [Login, FORBID, Pass, MISSING, Pass],
        ),
        (
            Post(
                "/console/applications/1/decide",
                &[("decision", "reject"), ("reason", "")],
            ),
            [Login, FORBID, BAD, FORBID, BAD],
        ),
        // Application 1's pages. The conversation and the attachment serve the applicant and the
        // dataset's reviewers under either prefix (an empty message is a 400 to both); anyone
        // else gets what a wrong id gets. Application 1 has no attachment.
        (
            Get("/account/applications/1"),
            [Login, Pass, MISSING, MISSING, MISSING],
        ),
        (
            Get("/account/applications/1/attachment"),
            [Login, MISSING, MISSING, MISSING, MISSING],
        ),
        (
            Post("/account/applications/1/comments", &[("body", "")]),
            [Login, BAD, BAD, MISSING, BAD],
        ),
        (Get("/account/inbox"), [Login, Pass, Pass, Pass, Pass]),
        (
            Post("/account/inbox/read", &[]),
            [Login, Status(303), Status(303), Status(303), Status(303)],
        ),
        (
            Get("/console/applications/1/attachment"),
            [Login, MISSING, MISSING, MISSING, MISSING],
        ),
        (
            Post("/console/applications/1/comments", &[("body", "")]),
            [Login, BAD, BAD, MISSING, BAD],
        ),
        (
            Post("/console/grants/999/revoke", &[("reason", "")]),
            [Login, FORBID, MISSING, MISSING, MISSING],
        ),
        (Get("/stats/applications"), [Pass, Pass, Pass, Pass, Pass]),
        (
            Get("/stats/applications.csv"),
            [Pass, Pass, Pass, Pass, Pass],
        ),
        (
            Api("GET", "/api/v1/datasets/a-cond/resources/4/download", ""),
            [NOKEY, FORBID, FORBID, FORBID, FORBID],
        ),
        // The developer API (issue 7): public metadata, never closed or draft datasets.
        (
            Api("GET", "/api/v1/datasets/a-published", ""),
            [Pass, Pass, Pass, Pass, Pass],
        ),
        (
            Api("GET", "/api/v1/datasets/a-cond", ""),
            [Pass, Pass, Pass, Pass, Pass],
        ),
        (
            Api("GET", "/api/v1/datasets/a-closed", ""),
            [MISSING, MISSING, MISSING, MISSING, MISSING],
        ),
        (
            Api("GET", "/api/v1/datasets/a-draft", ""),
            [MISSING, MISSING, MISSING, MISSING, MISSING],
        ),
        (
            Api("GET", "/api/v1/datasets/a-published/resources", ""),
            [Pass, Pass, Pass, Pass, Pass],
        ),
        (
            Api("GET", "/api/v1/datasets/a-closed/resources", ""),
            [MISSING, MISSING, MISSING, MISSING, MISSING],
        ),
        (
            Api("GET", "/api/v1/datasets/a-published/resources/1", ""),
            [Pass, Pass, Pass, Pass, Pass],
        ),
        (
            Api("GET", "/api/v1/datasets/a-closed/resources/5", ""),
            [MISSING, MISSING, MISSING, MISSING, MISSING],
        ),
        (
            Api("GET", "/api/v1/departments", ""),
            [Pass, Pass, Pass, Pass, Pass],
        ),
        (
            Api("GET", "/api/v1/departments/dept-a", ""),
            [Pass, Pass, Pass, Pass, Pass],
        ),
        (
            Api("GET", "/api/v1/departments/nope", ""),
            [MISSING, MISSING, MISSING, MISSING, MISSING],
        ),
        (
            Api("GET", "/api/v1/themes", ""),
            [Pass, Pass, Pass, Pass, Pass],
        ),
        (
            Api("GET", "/api/v1/harvest?modified_since=2000-01-01", ""),
            [Pass, Pass, Pass, Pass, Pass],
        ),
        (
            Api("GET", "/api/v1/themes/transport", ""),
            [Pass, Pass, Pass, Pass, Pass],
        ),
        (
            Api("GET", "/api/openapi.json", ""),
            [Pass, Pass, Pass, Pass, Pass],
        ),
        (
            Api("GET", "/api/3/action/package_show?id=a-cond", ""),
            [Pass, Pass, Pass, Pass, Pass],
        ),
        (
            Api("POST", "/api/action/package_show", "{\"id\":\"a-closed\"}"),
            [MISSING, MISSING, MISSING, MISSING, MISSING],
        ),
        (
            Api("GET", "/api/3/action/package_show?id=a-draft", ""),
            [MISSING, MISSING, MISSING, MISSING, MISSING],
        ),
        (
            Api("GET", "/api/3/action/resource_show?id=5", ""),
            [MISSING, MISSING, MISSING, MISSING, MISSING],
        ),
        (
            Api("GET", "/api/3/action/datastore_search?resource_id=1", ""),
            [Pass, Pass, Pass, Pass, Pass],
        ),
        (
            Api("GET", "/api/3/action/datastore_search?resource_id=4", ""),
            [FORBID, FORBID, FORBID, FORBID, FORBID],
        ),
        (
            Api("GET", "/api/action/datastore_search?resource_id=5", ""),
            [MISSING, MISSING, MISSING, MISSING, MISSING],
        ),
        (Get("/catalog.ttl"), [Pass, Pass, Pass, Pass, Pass]),
        (Get("/catalog.jsonld"), [Pass, Pass, Pass, Pass, Pass]),
        (
            Get("/datasets/a-published/datapackage.json"),
            [Pass, Pass, Pass, Pass, Pass],
        ),
        (
            Get("/datasets/a-cond/datapackage.json"),
            [FORBID, FORBID, FORBID, FORBID, FORBID],
        ),
        (
            Get("/datasets/a-closed/datapackage.json"),
            [MISSING, MISSING, MISSING, MISSING, MISSING],
        ),
        (
            Get("/datasets/a-cond/dcat.ttl"),
            [Pass, Pass, Pass, Pass, Pass],
        ),
        (
            Get("/datasets/a-closed/dcat.jsonld"),
            [MISSING, MISSING, MISSING, MISSING, MISSING],
        ),
        (Get("/sitemap.xml"), [Pass, Pass, Pass, Pass, Pass]),
        // A small catalog has no sitemap index, so no files of one.
        (
            Get("/sitemaps/1.xml"),
            [MISSING, MISSING, MISSING, MISSING, MISSING],
        ),
        (Get("/developers"), [Pass, Pass, Pass, Pass, Pass]),
        // The elder-mode switch: a display preference anyone may set (issue 20).
        (
            Get("/elder?on=1&next=/datasets"),
            [Pass, Pass, Pass, Pass, Pass],
        ),
        (Get("/elder?on=2"), [BAD, BAD, BAD, BAD, BAD]),
        // Operators' metrics: by network (every principal here comes from loopback).
        (Get("/metrics"), [Pass, Pass, Pass, Pass, Pass]),
        (
            Post("/admin/keys/999999/tier", &[("tier", "partner")]),
            [Login, FORBID, FORBID, FORBID, MISSING],
        ),
        (
            Post("/admin/keys/1/tier", &[("tier", "gold")]),
            [Login, FORBID, FORBID, FORBID, BAD],
        ),
        // The emergency zone (issue 8): public pages; only department A's publishers post.
        (Get("/emergencies"), [Pass, Pass, Pass, Pass, Pass]),
        (
            Get("/admin/emergencies"),
            [Login, FORBID, FORBID, FORBID, Pass],
        ),
        (
            Post("/admin/emergencies", &[("title", "")]),
            [Login, FORBID, FORBID, FORBID, BAD],
        ),
        (
            Get("/console/emergencies"),
            [Login, FORBID, Pass, Pass, FORBID],
        ),
        (
            Get("/console/emergencies/flood"),
            [Login, FORBID, Pass, FORBID, FORBID],
        ),
        (
            Post("/console/emergencies/flood", &[("text", "")]),
            [Login, FORBID, BAD, FORBID, FORBID],
        ),
        (
            Post("/console/emergencies/flood/datasets", &[("link", "")]),
            [Login, FORBID, BAD, FORBID, FORBID],
        ),
        (
            Post(
                "/console/emergencies/flood/fast-track",
                &[("dataset", ""), ("reason", "")],
            ),
            [Login, FORBID, BAD, FORBID, FORBID],
        ),
        (
            Post(
                "/admin/emergencies/fast-tracks/999999/review",
                &[("note", "符合应急公开要求")],
            ),
            [Login, FORBID, FORBID, FORBID, MISSING],
        ),
        (
            Get("/emergencies/flood/attachments/999999"),
            [MISSING, MISSING, MISSING, MISSING, MISSING],
        ),
        (
            Api(
                "POST",
                "/api/v1/emergencies/flood/updates/999999/attachments",
                "%PDF-1.7",
            ),
            [NOKEY, FORBID, MISSING, FORBID, FORBID],
        ),
        // Error reviews (issue 9): anyone reports on public data; only the providing
        // department works the report; the public page names nobody.
        (
            Get("/datasets/a-published/feedback"),
            [Pass, Pass, Pass, Pass, Pass],
        ),
        (
            Get("/datasets/a-closed/feedback"),
            [MISSING, MISSING, MISSING, MISSING, MISSING],
        ),
        (
            Get("/datasets/a-draft/feedback"),
            [MISSING, MISSING, MISSING, MISSING, MISSING],
        ),
        (
            Post("/datasets/a-published/feedback", &[("description", "")]),
            [BAD, BAD, BAD, BAD, BAD],
        ),
        (
            Post(
                "/datasets/a-closed/feedback",
                &[
                    ("description", "数据有误需要核查"),
                    ("contact", "x@example.cn"),
                ],
            ),
            [MISSING, MISSING, MISSING, MISSING, MISSING],
        ),
        (Get("/feedback/1"), [Pass, Pass, Pass, Pass, Pass]),
        (
            Get("/feedback/999999"),
            [MISSING, MISSING, MISSING, MISSING, MISSING],
        ),
        (
            Get("/console/feedback"),
            [Login, FORBID, Pass, Pass, FORBID],
        ),
        (
            Get("/console/feedback/1"),
            [Login, FORBID, Pass, FORBID, FORBID],
        ),
        (
            Get("/console/feedback/1/evidence"),
            [Login, FORBID, MISSING, FORBID, FORBID],
        ),
        (
            Post(
                "/console/feedback/1/extend",
                &[("days", "3"), ("extension_reason", "")],
            ),
            [Login, FORBID, BAD, FORBID, FORBID],
        ),
        (
            Post("/console/feedback/1/answer", &[("outcome", "maybe")]),
            [Login, FORBID, BAD, FORBID, FORBID],
        ),
        (
            Post("/console/feedback/1/frobnicate", &[]),
            [Login, FORBID, MISSING, MISSING, FORBID],
        ),
        (
            Post("/console/feedback/999999/start", &[]),
            [Login, FORBID, MISSING, MISSING, FORBID],
        ),
        // Data requests (issue 9): people with accounts file and vote; administrators route;
        // only the routed department answers.
        (Get("/requests"), [Pass, Pass, Pass, Pass, Pass]),
        (Get("/requests/new"), [Login, Pass, Pass, Pass, Pass]),
        (
            Post("/requests/new", &[("title", "")]),
            [Login, BAD, BAD, BAD, BAD],
        ),
        (Get("/requests/1"), [Pass, Pass, Pass, Pass, Pass]),
        (
            Get("/requests/999999"),
            [MISSING, MISSING, MISSING, MISSING, MISSING],
        ),
        (
            Post("/requests/999999/vote", &[]),
            [Login, MISSING, MISSING, MISSING, MISSING],
        ),
        (
            Get("/admin/requests"),
            [Login, FORBID, FORBID, FORBID, Pass],
        ),
        (
            Post("/admin/requests/1/route", &[("department", "")]),
            [Login, FORBID, FORBID, FORBID, BAD],
        ),
        (
            Get("/console/requests"),
            [Login, FORBID, Pass, Pass, FORBID],
        ),
        (
            Post("/console/requests/1/answer", &[("outcome", "maybe")]),
            [Login, FORBID, BAD, FORBID, FORBID],
        ),
        (
            Post("/console/requests/1/link", &[("dataset", "b-draft")]),
            [Login, FORBID, BAD, FORBID, FORBID],
        ),
        (
            Post("/console/requests/1/frobnicate", &[]),
            [Login, FORBID, MISSING, MISSING, FORBID],
        ),
        // Statistics and the assessment view (issue 9).
        (Get("/stats"), [Pass, Pass, Pass, Pass, Pass]),
        (
            Get("/stats/departments.csv"),
            [Pass, Pass, Pass, Pass, Pass],
        ),
        (Get("/stats/totals.csv"), [Pass, Pass, Pass, Pass, Pass]),
        (
            Get("/stats/applications.csv"),
            [Pass, Pass, Pass, Pass, Pass],
        ),
        (
            Get("/stats/users.csv"),
            [MISSING, MISSING, MISSING, MISSING, MISSING],
        ),
        (
            Get("/admin/assessment"),
            [Login, FORBID, FORBID, FORBID, Pass],
        ),
        (
            Get("/admin/assessment?from=yesterday"),
            [Login, FORBID, FORBID, FORBID, BAD],
        ),
        (
            Get("/admin/assessment.csv?from=2026-01-01&to=2026-06-30"),
            [Login, FORBID, FORBID, FORBID, Pass],
        ),
        // Showcase, ratings and comments (issue 9).
        (Get("/showcase"), [Pass, Pass, Pass, Pass, Pass]),
        (Get("/showcase/new"), [Login, Pass, Pass, Pass, Pass]),
        (
            Post("/showcase/new", &[("title", "")]),
            [Login, BAD, BAD, BAD, BAD],
        ),
        (
            Get("/showcase/1/screenshot"),
            [MISSING, MISSING, MISSING, MISSING, MISSING],
        ),
        (
            Get("/admin/showcase"),
            [Login, FORBID, FORBID, FORBID, Pass],
        ),
        (
            Post("/admin/showcase/999999/decide", &[("decision", "approve")]),
            [Login, FORBID, FORBID, FORBID, MISSING],
        ),
        (
            Post("/admin/showcase/999999/decide", &[("decision", "maybe")]),
            [Login, FORBID, FORBID, FORBID, BAD],
        ),
        (
            Post("/admin/showcase/check-links", &[]),
            [Login, FORBID, FORBID, FORBID, Pass],
        ),
        (
            Post("/datasets/a-published/rating", &[("stars", "9")]),
            [Login, BAD, BAD, BAD, BAD],
        ),
        (
            Post("/datasets/a-closed/rating", &[("stars", "5")]),
            [Login, MISSING, MISSING, MISSING, MISSING],
        ),
        (
            Post("/datasets/a-draft/comments", &[("body", "这个数据很好")]),
            [Login, MISSING, MISSING, MISSING, MISSING],
        ),
        (
            Post("/datasets/a-published/comments", &[("body", "")]),
            [Login, BAD, BAD, BAD, BAD],
        ),
        (
            Post("/comments/999999/report", &[]),
            [Login, MISSING, MISSING, MISSING, MISSING],
        ),
        (
            Post("/comments/999999/moderate", &[("action", "remove")]),
            [Login, MISSING, MISSING, MISSING, MISSING],
        ),
        (
            Get("/console/comments"),
            [Login, FORBID, Pass, Pass, FORBID],
        ),
        (
            Get("/admin/comments"),
            [Login, FORBID, FORBID, FORBID, Pass],
        ),
        (
            Post("/console/emergencies/nope/close", &[]),
            [Login, FORBID, MISSING, MISSING, FORBID],
        ),
        (Get("/emergencies/flood"), [Pass, Pass, Pass, Pass, Pass]),
        (
            Get("/emergencies/nope"),
            [MISSING, MISSING, MISSING, MISSING, MISSING],
        ),
        (
            Get("/emergencies/flood/live"),
            [Pass, Pass, Pass, Pass, Pass],
        ),
        (
            Get("/emergencies/flood/feed.atom"),
            [Pass, Pass, Pass, Pass, Pass],
        ),
        (
            Get("/emergencies/feed.atom"),
            [Pass, Pass, Pass, Pass, Pass],
        ),
        (
            Api("GET", "/api/v1/emergencies", ""),
            [Pass, Pass, Pass, Pass, Pass],
        ),
        (
            Api("GET", "/api/v1/emergencies/flood", ""),
            [Pass, Pass, Pass, Pass, Pass],
        ),
        (
            Api(
                "POST",
                "/api/v1/emergencies/flood/updates",
                "{\"text\":\"\"}",
            ),
            [NOKEY, FORBID, BAD, FORBID, FORBID],
        ),
        (
            Api(
                "POST",
                "/api/v1/emergencies/nope/updates",
                "{\"text\":\"\"}",
            ),
            [NOKEY, MISSING, MISSING, MISSING, MISSING],
        ),
        // Last: this one ends everybody's sessions.
        // (Success also sends people to the login page; the sessions test checks the effect.)
        (
            Post("/account/sessions/end-all", &[]),
            [Login, Status(303), Status(303), Status(303), Status(303)],
        ),
        // After that the signed-in principals' forms carry a token of a session that has ended:
        // even logging out is refused as a stale form (the anonymous one's is still good).
        (Post("/logout", &[]), [Pass, FORBID, FORBID, FORBID, FORBID]),
    ]
}

/// Every route in `src/web/routes.rs` has at least one row in the matrix above: a new route
/// cannot go without saying who may use it.
#[test]
fn every_route_has_a_row_in_the_matrix() {
    let routes = include_str!("../../src/web/routes.rs");
    let rows: Vec<&str> = matrix()
        .iter()
        .map(|(call, _)| match call {
            Call::Get(p) | Call::Post(p, _) | Call::Api(_, p, _) => p.split('?').next().unwrap(),
        })
        .collect();
    // A `{name}` in a pattern's segment stands for one or more characters of that segment.
    let segment = |p: &str, s: &str| match (p.find('{'), p.find('}')) {
        (Some(open), Some(close)) => {
            let (pre, suf) = (&p[..open], &p[close + 1..]);
            s.len() > pre.len() + suf.len() && s.starts_with(pre) && s.ends_with(suf)
        }
        _ => p == s,
    };
    let matches = |pattern: &str, path: &str| {
        pattern.split('/').count() == path.split('/').count()
            && pattern
                .split('/')
                .zip(path.split('/'))
                .all(|(p, s)| segment(p, s))
    };
    let mut missing: Vec<&str> = routes
        .split('"')
        .filter(|s| s.starts_with('/') && !s.contains(' '))
        .filter(|pattern| !rows.iter().any(|r| matches(pattern, r)))
        .collect();
    missing.sort();
    missing.dedup();
    assert!(
        missing.is_empty(),
        "routes without a row in the authorization matrix: {missing:#?}"
    );
}

both_backends!(
    authorization_matrix,
    publishers_cannot_touch_other_departments
);

struct Principals {
    browsers: Vec<Browser>,
    keys: Vec<Option<String>>,
}

async fn setup(app: &TestApp) -> Principals {
    let a = app.department("dept-a", "合肥市数据资源局", "340100");
    let b = app.department("dept-b", "芜湖市数据资源管理局", "340200");
    let admin = app.account("admin@ah.gov.cn", Role::Admin, None);
    assert_eq!(admin.id, 1, "the matrix refers to /admin/users/1");
    let user = app.account("citizen@example.cn", Role::User, None);
    let pa = app.account("pa@hefei.gov.cn", Role::Publisher, Some("dept-a"));
    let pb = app.account("pb@wuhu.gov.cn", Role::Publisher, Some("dept-b"));
    let a_draft = DatasetBuilder::new("a-draft", "合肥草稿", &a)
        .status(DatasetStatus::Draft)
        .insert(app);
    let a_published = DatasetBuilder::new("a-published", "合肥公开", &a).insert(app);
    let b_draft = DatasetBuilder::new("b-draft", "芜湖草稿", &b)
        .status(DatasetStatus::Draft)
        .insert(app);
    let a_cond = DatasetBuilder::new("a-cond", "合肥有条件", &a)
        .conditional("仅限科研用途", "《安徽省政务数据资源管理办法》第二十条")
        .insert(app);
    let a_closed = DatasetBuilder::new("a-closed", "合肥非开放", &a)
        .closed("《中华人民共和国个人信息保护法》第二十八条")
        .insert(app);
    let csv = "线路,票价\n1路,2\n2路,1\n".as_bytes();
    for (i, d) in [&a_published, &a_draft, &b_draft, &a_cond, &a_closed]
        .into_iter()
        .enumerate()
    {
        let (r, v) = ingest_file(app, d, "文件", "f.csv", csv);
        assert_eq!((r.id, v.status.as_str()), (i as i32 + 1, "ready"));
    }
    kaifang::services::applications::submit(
        &mut app.conn(),
        &user,
        "a-cond",
        kaifang::services::applications::Submission {
            form: &kaifang::services::applications::ApplicationForm {
                purpose: "科研".into(),
                scenario: "论文".into(),
                fields: vec!["线路".into()],
                access_mode: "download".into(),
                period_days: "30".into(),
                security_measures: "加密存储".into(),
                undertaking: true,
            },
            attachment: None,
            allow_unverified: false,
        },
        kaifang::services::clock::Clock::default().now(),
        &kaifang::services::Actor::cli(),
    )
    .expect("application 1");
    app.emergency("flood", "合肥洪涝", &a);
    let review = kaifang::services::reviews::submit(
        &mut app.conn(),
        "a-published",
        &kaifang::services::reviews::ReportForm {
            description: "1路票价应为 1 元".into(),
            ..Default::default()
        },
        Some(&user),
        None,
        kaifang::services::clock::Clock::default().now(),
        &kaifang::services::Actor::cli(),
    )
    .expect("review 1");
    assert_eq!(review.id, 1, "the matrix refers to /feedback/1");
    let request = kaifang::services::requests::submit(
        &mut app.conn(),
        &user,
        &kaifang::services::requests::RequestForm {
            title: "合肥市公共停车场".into(),
            description: "停车场位置和实时空余车位".into(),
            intended_use: "停车导航".into(),
            department: String::new(),
        },
        kaifang::services::clock::Clock::default().now(),
        &kaifang::services::Actor::cli(),
    )
    .expect("request 1");
    kaifang::services::requests::route(
        &mut app.conn(),
        request.id,
        "dept-a",
        10,
        kaifang::services::clock::Clock::default().now(),
        &kaifang::services::Actor::cli(),
    )
    .expect("routed to department A");
    assert_eq!(request.id, 1, "the matrix refers to /requests/1");
    let mut anonymous = app.browser();
    anonymous.refresh_csrf("/login").await;
    Principals {
        browsers: vec![
            anonymous,
            app.logged_in("citizen@example.cn").await,
            app.logged_in("pa@hefei.gov.cn").await,
            app.logged_in("pb@wuhu.gov.cn").await,
            app.logged_in("admin@ah.gov.cn").await,
        ],
        keys: vec![
            None,
            Some(app.api_key(user.id)),
            Some(app.api_key(pa.id)),
            Some(app.api_key(pb.id)),
            Some(app.api_key(admin.id)),
        ],
    }
}

const WHO: [&str; 5] = ["anonymous", "user", "publisher A", "publisher B", "admin"];

async fn authorization_matrix(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let p = setup(&app).await;
    let mut failures = Vec::new();
    // Every page also in English, right after it (issue 20): the prefix opens nothing.
    let rows = matrix();
    let english: Vec<Option<String>> = rows
        .iter()
        .map(|(call, _)| match call {
            Call::Get(path) if !path.starts_with("/api/") => Some(format!("/en{path}")),
            _ => None,
        })
        .collect();
    let calls = rows.iter().zip(&english).flat_map(|((call, wants), en)| {
        std::iter::once((*call, *wants)).chain(en.as_deref().map(|path| (Call::Get(path), *wants)))
    });
    for (call, wants) in calls {
        for (i, want) in wants.iter().enumerate() {
            let b = &p.browsers[i];
            let (label, res) = match &call {
                Call::Get(path) => (format!("GET {path}"), b.get(path).await),
                Call::Post(path, fields) => (format!("POST {path}"), b.post(path, fields).await),
                Call::Api(method, path, body) => {
                    let mut r = app
                        .client
                        .request(method.parse().unwrap(), format!("{}{}", app.address, path))
                        .header("content-type", "application/json")
                        .body(body.to_string());
                    if let Some(k) = &p.keys[i] {
                        r = r.bearer_auth(k);
                    }
                    (format!("{method} {path}"), r.send().await.unwrap())
                }
            };
            let status = res.status().as_u16();
            let to = location(&res);
            let got_login =
                status == 303 && (to.starts_with("/login") || to.starts_with("/en/login"));
            let ok = match want {
                Want::Login => got_login,
                Want::Ok => (200..300).contains(&status) || (status == 303 && !got_login),
                Want::Status(s) => status == *s,
            };
            if !ok {
                failures.push(format!(
                    "{label} as {}: wanted {want:?}, got {status} {to}",
                    WHO[i]
                ));
            }
            if let Call::Api(..) = call
                && status >= 400
            {
                let body: serde_json::Value = res.json().await.unwrap_or_default();
                // The JSON envelope, or CKAN's on the Action API.
                if body["error"]["code"].as_str().is_none()
                    && body["error"]["__type"].as_str().is_none()
                {
                    failures.push(format!("{label} as {}: no error envelope", WHO[i]));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "authorization matrix:\n{}",
        failures.join("\n")
    );
}

/// Publisher A tries everything on B's draft; it stays exactly as it was and never shows up.
async fn publishers_cannot_touch_other_departments(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let p = setup(&app).await;
    let pa = &p.browsers[2];
    let key_a = p.keys[2].clone().unwrap();
    let before = kaifang::db::datasets::all_with_slug(&mut app.conn(), "b-draft")
        .map(|mut v| v.pop())
        .unwrap()
        .unwrap();

    let console = pa.page("/console").await.1;
    assert!(console.text("table").contains("合肥草稿"));
    assert!(!console.body.contains("芜湖草稿") && !console.body.contains("b-draft"));
    let valid = [
        ("title", "改掉芜湖的标题"),
        ("slug", "b-draft"),
        ("summary", "这是一段足够长的摘要说明。"),
        ("keywords", "测试"),
        ("theme", "transport"),
        ("maintainer", "合肥"),
        ("open_class", "unconditional"),
        ("update_frequency", "monthly"),
        ("formats", "CSV"),
        ("spatial_coverage", "340100"),
        ("license", "许可"),
        ("reason", "试图修改"),
    ];
    assert_eq!(
        pa.post("/console/datasets/b-draft/edit", &valid)
            .await
            .status(),
        404
    );
    assert_eq!(
        pa.post(
            "/console/datasets/b-draft/status",
            &[("status", "published")]
        )
        .await
        .status(),
        404
    );
    assert_eq!(
        pa.get("/console/datasets/b-draft/history").await.status(),
        404
    );
    let patch = app
        .client
        .patch(format!("{}/api/v1/datasets/b-draft", app.address))
        .bearer_auth(&key_a)
        .json(&serde_json::json!({"title": "改掉", "status": "published", "reason": "试图修改"}))
        .send()
        .await
        .unwrap();
    assert_eq!(patch.status(), 404);
    let body: serde_json::Value = patch.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");
    let after = kaifang::db::datasets::all_with_slug(&mut app.conn(), "b-draft")
        .map(|mut v| v.pop())
        .unwrap()
        .unwrap();
    assert_eq!(
        (after.title, after.status, after.modified_at),
        (before.title, before.status, before.modified_at)
    );
    // Issue 17: B's draft's slug is no obstacle (and so no oracle) for A; A gets a dataset of
    // its own under it and B's stays B's.
    let created = pa
        .post(
            "/console/datasets/new",
            &crate::console::valid_form("b-draft", "合肥同名"),
        )
        .await;
    assert_eq!(created.status(), 303);
    let both = kaifang::db::datasets::all_with_slug(&mut app.conn(), "b-draft").unwrap();
    assert_eq!(
        both.iter().map(|d| d.title.as_str()).collect::<Vec<_>>(),
        ["芜湖草稿", "合肥同名"]
    );
}
