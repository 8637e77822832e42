//! The route table: every URL the portal answers, in one place.
//!
//! Pages answer GET and HEAD; forms POST (through `CsrfForm`, so a missing or forged token is a
//! 403). Other methods get 405 with an `Allow` header naming the methods served.

use actix_web::dev::HttpServiceFactory;
use actix_web::{FromRequest, Handler, Responder, guard, web};

use super::{api, assets, pages};

pub fn configure(cfg: &mut web::ServiceConfig) {
    use pages::{account, admin, applications, console, downloads, resources};
    cfg
        // The public catalog.
        .service(page("/", pages::home::show))
        .service(page("/datasets", pages::datasets::index))
        .service(page("/datasets/{slug}", pages::datasets::show))
        .service(page("/datasets/{slug}/api", pages::dataset_api::show))
        .service(page(
            "/datasets/{slug}/datapackage.json",
            pages::exports::datapackage,
        ))
        .service(page(
            "/datasets/{slug}/dcat.ttl",
            pages::exports::dataset_ttl,
        ))
        .service(page(
            "/datasets/{slug}/dcat.jsonld",
            pages::exports::dataset_jsonld,
        ))
        .service(page("/departments", pages::departments::index))
        .service(page("/developers", pages::developers::show))
        // The elder-friendly mode switch (a display preference in a cookie).
        .service(page("/elder", pages::elder::switch))
        // Error reviews (复核).
        .service(form(
            "/datasets/{slug}/feedback",
            pages::reviews::form,
            pages::reviews::submit,
        ))
        .service(page("/feedback/{id}", pages::reviews::show))
        // The showcase, ratings and comments.
        .service(page("/showcase", pages::showcase::index))
        .service(form(
            "/showcase/new",
            pages::showcase::new,
            pages::showcase::create,
        ))
        .service(page(
            "/showcase/{id}/screenshot",
            pages::showcase::screenshot,
        ))
        .service(post("/datasets/{slug}/rating", pages::social::rate))
        .service(post("/datasets/{slug}/comments", pages::social::comment))
        .service(post("/comments/{id}/report", pages::social::report))
        .service(post("/comments/{id}/moderate", pages::social::moderate))
        // Data requests (开放需求).
        .service(page("/requests", pages::requests::index))
        .service(form(
            "/requests/new",
            pages::requests::new,
            pages::requests::create,
        ))
        .service(page("/requests/{id}", pages::requests::show))
        .service(post("/requests/{id}/vote", pages::requests::vote))
        // The emergency zone.
        .service(page("/emergencies", pages::emergencies::index))
        .service(page(
            "/emergencies/feed.atom",
            pages::emergencies::feed::feed,
        ))
        .service(page("/emergencies/{slug}", pages::emergencies::show))
        .service(page("/emergencies/{slug}/live", pages::emergencies::live))
        .service(page(
            "/emergencies/{slug}/attachments/{id}",
            pages::emergencies::attachment,
        ))
        .service(page(
            "/emergencies/{slug}/feed.atom",
            pages::emergencies::feed::event_feed,
        ))
        .service(page("/departments/{slug}", pages::departments::show))
        .service(page("/themes/{slug}", pages::themes::show))
        .service(page(
            "/datasets/{slug}/resources/{id}/download",
            downloads::download,
        ))
        // Conditional access.
        .service(form(
            "/datasets/{slug}/apply",
            applications::apply_form,
            applications::apply_submit,
        ))
        .service(page("/account/applications", applications::mine))
        .service(page("/account/applications/{id}", applications::show))
        .service(page(
            "/account/applications/{id}/attachment",
            applications::attachment,
        ))
        .service(page(
            "/console/applications/{id}/attachment",
            applications::attachment,
        ))
        .service(post(
            "/account/applications/{id}/comments",
            applications::comment,
        ))
        .service(post(
            "/console/applications/{id}/comments",
            applications::comment,
        ))
        .service(page("/stats", pages::stats::index))
        .service(page("/stats/applications", pages::stats::applications))
        .service(page("/stats/{table}.csv", pages::stats::csv))
        .service(page("/account/inbox", applications::inbox))
        .service(post("/account/inbox/read", applications::mark_inbox_read))
        .service(post("/console/grants/{id}/revoke", applications::revoke))
        .service(post(
            "/account/applications/{id}/withdraw",
            applications::withdraw,
        ))
        .service(page("/console/applications", applications::queue))
        .service(page("/console/applications/{id}", applications::review))
        .service(post(
            "/console/applications/{id}/decide",
            applications::decide,
        ))
        // Accounts.
        .service(page("/register", account::register_choice))
        .service(form(
            "/register/{kind}",
            account::register_form,
            account::register_submit,
        ))
        .service(form("/login", account::login_form, account::login_submit))
        .service(post("/logout", account::logout))
        .service(page("/account", account::show))
        .service(form(
            "/account/password",
            account::password_form,
            account::password_submit,
        ))
        .service(page("/account/sessions", account::sessions::index))
        .service(post(
            "/account/sessions/end-all",
            account::sessions::end_all,
        ))
        .service(post("/account/sessions/{id}/end", account::sessions::end))
        .service(form(
            "/account/keys",
            account::keys::index,
            account::keys::create,
        ))
        .service(post("/account/keys/{id}/revoke", account::keys::revoke))
        // The publisher console.
        .service(page("/console", console::index))
        .service(page("/console/feedback", pages::reviews::queue))
        .service(page("/console/requests", pages::requests::console_index))
        .service(page("/console/comments", pages::social::console_reported))
        .service(post(
            "/console/requests/{id}/{action}",
            pages::requests::console_act,
        ))
        .service(page("/console/feedback/{id}", pages::reviews::work))
        .service(page(
            "/console/feedback/{id}/evidence",
            pages::reviews::evidence,
        ))
        .service(post("/console/feedback/{id}/{action}", pages::reviews::act))
        .service(page(
            "/console/emergencies",
            pages::emergencies::console::index,
        ))
        .service(form(
            "/console/emergencies/{slug}",
            pages::emergencies::console::form,
            pages::emergencies::console::post,
        ))
        .service(post(
            "/console/emergencies/{slug}/close",
            pages::emergencies::console::close,
        ))
        .service(post(
            "/console/emergencies/{slug}/datasets",
            pages::emergencies::console::link,
        ))
        .service(post(
            "/console/emergencies/{slug}/fast-track",
            pages::emergencies::console::fast_track,
        ))
        .service(form(
            "/console/datasets/new",
            console::new_form,
            console::create,
        ))
        .service(form(
            "/console/datasets/{slug}/edit",
            console::edit_form,
            console::update,
        ))
        .service(post("/console/datasets/{slug}/status", console::set_status))
        .service(page("/console/datasets/{slug}/history", console::history))
        .service(form(
            "/console/datasets/{slug}/resources",
            resources::index,
            resources::upload_new,
        ))
        .service(form(
            "/console/datasets/{slug}/resources/{id}",
            resources::show,
            resources::upload_version,
        ))
        .service(page(
            "/console/datasets/{slug}/resources/{id}/versions/{n}",
            resources::versions::show,
        ))
        .service(page(
            "/console/datasets/{slug}/resources/{id}/versions/{n}/status",
            resources::versions::status,
        ))
        .service(post(
            "/console/datasets/{slug}/resources/{id}/versions/{n}/decide",
            resources::versions::decide,
        ))
        .service(post(
            "/console/datasets/{slug}/resources/{id}/versions/{n}/retire",
            resources::versions::retire,
        ))
        // Administration.
        .service(page("/admin", admin::index))
        .service(page("/admin/departments", admin::departments::index))
        .service(form(
            "/admin/departments/new",
            admin::departments::new_form,
            admin::departments::create,
        ))
        .service(form(
            "/admin/departments/{slug}/edit",
            admin::departments::edit_form,
            admin::departments::update,
        ))
        .service(page("/admin/users", admin::users::index))
        .service(form(
            "/admin/users/{id}",
            admin::users::show,
            admin::users::update,
        ))
        .service(post("/admin/keys/{id}/tier", admin::users::set_key_tier))
        .service(form(
            "/admin/calendar",
            admin::calendar::index,
            admin::calendar::add_day,
        ))
        .service(post(
            "/admin/calendar/{day}/delete",
            admin::calendar::remove_day,
        ))
        .service(page("/admin/class-changes", admin::class_changes::index))
        .service(post(
            "/admin/class-changes/{id}",
            admin::class_changes::decide,
        ))
        .service(page("/admin/audit", admin::audit::index))
        .service(form(
            "/admin/emergencies",
            pages::emergencies::admin::index,
            pages::emergencies::admin::declare,
        ))
        .service(post(
            "/admin/emergencies/fast-tracks/{id}/review",
            pages::emergencies::admin::review,
        ))
        .service(page("/admin/requests", pages::requests::admin_index))
        .service(page("/admin/assessment", pages::stats::assessment))
        .service(page("/admin/showcase", pages::showcase::admin_index))
        .service(post(
            "/admin/showcase/check-links",
            pages::showcase::check_links,
        ))
        .service(post("/admin/showcase/{id}/decide", pages::showcase::decide))
        .service(page("/admin/comments", pages::social::admin_reported))
        .service(page("/admin/assessment.csv", pages::stats::assessment_csv))
        .service(post("/admin/requests/{id}/route", pages::requests::route))
        .service(page("/admin/uploads", admin::uploads::index))
        .service(post(
            "/admin/uploads/{id}/override",
            admin::uploads::override_upload,
        ))
        // The JSON API.
        .service(web::resource("/api/v1/account").route(web::get().to(api::account::show)))
        .service(
            web::resource("/api/v1/datasets")
                .route(web::route().guard(get_or_head()).to(api::catalog::search))
                .route(web::post().to(api::datasets::create))
                .default_service(refuse(GET_POST)),
        )
        .service(
            web::resource("/api/v1/datasets/{slug}")
                .route(web::route().guard(get_or_head()).to(api::read::dataset))
                .route(web::patch().to(api::datasets::update))
                .default_service(refuse("GET, HEAD, PATCH")),
        )
        .service(page("/api/v1/harvest", api::read::harvest_datasets))
        .service(page(
            "/api/v1/datasets/{slug}/resources/{id}",
            api::read::resource,
        ))
        .service(page("/api/v1/departments", api::read::departments))
        .service(page("/api/v1/departments/{slug}", api::read::department))
        .service(page("/api/v1/themes", api::read::themes))
        .service(page("/api/v1/themes/{slug}", api::read::theme))
        .service(
            web::resource("/api/v1/datasets/{slug}/resources")
                .route(web::route().guard(get_or_head()).to(api::read::resources))
                .route(web::post().to(api::resources::upload))
                .default_service(refuse(GET_POST)),
        )
        .service(page(
            "/api/v1/datasets/{slug}/resources/{id}/versions/{n}",
            api::resources::version,
        ))
        .service(page(
            "/api/v1/datasets/{slug}/resources/{id}/rows",
            api::resources::rows,
        ))
        .service(page(
            "/api/v1/datasets/{slug}/resources/{id}/download",
            api::resources::download,
        ))
        .service(page("/api/openapi.json", api::openapi::show))
        .service(page("/api/v1/emergencies", api::emergencies::index))
        .service(page("/api/v1/emergencies/{slug}", api::emergencies::show))
        .service(post(
            "/api/v1/emergencies/{slug}/updates",
            api::emergencies::post_update,
        ))
        .service(post(
            "/api/v1/emergencies/{slug}/updates/{id}/attachments",
            api::emergencies::attach,
        ))
        // The CKAN-compatible Action API (ckanapi uses the second form).
        .service(
            web::resource("/api/3/action/{name}")
                .route(web::route().guard(get_or_head()).to(api::ckan::action))
                .route(web::post().to(api::ckan::action))
                .default_service(refuse(GET_POST)),
        )
        .service(
            web::resource("/api/action/{name}")
                .route(web::route().guard(get_or_head()).to(api::ckan::action))
                .route(web::post().to(api::ckan::action))
                .default_service(refuse(GET_POST)),
        )
        // Operations and assets.
        .service(page("/healthz", pages::health::healthz))
        .service(page("/metrics", super::metrics::show))
        .service(page("/robots.txt", pages::sitemap::robots))
        .service(page("/sitemap.xml", pages::sitemap::sitemap))
        .service(page("/sitemaps/{n}.xml", pages::sitemap::part))
        .service(page("/catalog.ttl", pages::exports::catalog_ttl))
        .service(page("/catalog.jsonld", pages::exports::catalog_jsonld))
        .service(page("/favicon.ico", assets::favicon))
        .service(page("/static/{version}/{name}", assets::serve))
        .default_service(web::to(pages::not_found));
}

fn get_or_head() -> guard::AnyGuard {
    guard::Any(guard::Get()).or(guard::Head())
}

/// A resource answering GET and HEAD (actix sends no body for HEAD); other methods get 405.
fn page<F, Args>(path: &str, handler: F) -> impl HttpServiceFactory + use<F, Args>
where
    F: Handler<Args>,
    Args: FromRequest + 'static,
    F::Output: Responder + 'static,
{
    web::resource(path)
        .route(web::route().guard(get_or_head()).to(handler))
        .default_service(refuse(GET))
}

/// A form: GET/HEAD shows it, POST submits it.
fn form<F, A, G, B>(path: &str, show: F, submit: G) -> impl HttpServiceFactory + use<F, A, G, B>
where
    F: Handler<A>,
    A: FromRequest + 'static,
    F::Output: Responder + 'static,
    G: Handler<B>,
    B: FromRequest + 'static,
    G::Output: Responder + 'static,
{
    web::resource(path)
        .route(web::route().guard(get_or_head()).to(show))
        .route(web::post().to(submit))
        .default_service(refuse(GET_POST))
}

/// An action that only POSTs.
fn post<F, Args>(path: &str, handler: F) -> impl HttpServiceFactory + use<F, Args>
where
    F: Handler<Args>,
    Args: FromRequest + 'static,
    F::Output: Responder + 'static,
{
    web::resource(path)
        .route(web::post().to(handler))
        .default_service(refuse("POST"))
}

const GET: &str = "GET, HEAD";
const GET_POST: &str = "GET, HEAD, POST";

/// What a resource answers to a method it does not serve: 405 with the `Allow` header that
/// RFC 9110 (15.5.6) requires, naming the methods it does serve.
fn refuse(allow: &'static str) -> actix_web::Route {
    web::to(move || async move {
        actix_web::HttpResponse::MethodNotAllowed()
            .insert_header((actix_web::http::header::ALLOW, allow))
            .finish()
    })
}
