//! `GET /datasets/{slug}/resources/{id}/download?format=csv|json|xlsx|original&version=&bom=1`
//! (the serving itself is `web::downloads`, shared with the API).

use actix_web::{HttpRequest, HttpResponse, web};

use crate::web::auth::Viewer;
use crate::web::downloads::serve;
use crate::web::{AppError, AppState};

pub async fn download(
    state: web::Data<AppState>,
    req: HttpRequest,
    viewer: Viewer,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (slug, id) = path.into_inner();
    let holder = viewer
        .user
        .as_ref()
        .map(|u| (u.user.clone(), viewer.actor()));
    Ok(serve(&state, &req, slug, &id, holder).await?)
}
