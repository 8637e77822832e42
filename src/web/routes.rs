//! The route table: every URL the portal answers, in one place.

use actix_web::dev::HttpServiceFactory;
use actix_web::{FromRequest, Handler, Responder, guard, web};

use super::{assets, pages};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(page("/", pages::home::show))
        .service(page("/datasets", pages::datasets::index))
        .service(page("/datasets/{slug}", pages::datasets::show))
        .service(page("/departments", pages::departments::index))
        .service(page("/departments/{slug}", pages::departments::show))
        .service(page("/themes/{slug}", pages::themes::show))
        .service(page("/healthz", pages::health::healthz))
        .service(page("/robots.txt", pages::health::robots))
        .service(page("/favicon.ico", assets::favicon))
        .service(page("/static/{version}/{name}", assets::serve))
        .default_service(web::to(pages::not_found));
}

/// A resource answering GET and HEAD (actix sends no body for HEAD); other methods get 405.
fn page<F, Args>(path: &str, handler: F) -> impl HttpServiceFactory + use<F, Args>
where
    F: Handler<Args>,
    Args: FromRequest + 'static,
    F::Output: Responder + 'static,
{
    web::resource(path).route(
        web::route()
            .guard(guard::Any(guard::Get()).or(guard::Head()))
            .to(handler),
    )
}
