//! `/healthz`: 200 when the database answers, 503 when it does not; `/robots.txt`.

use std::time::Duration;

use crate::services::operations;
use crate::web::AppState;
use actix_web::{HttpResponse, web};

pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    let pool = state.pool.clone();
    let check = web::block(move || -> Result<(), String> {
        let mut conn = pool
            .get_timeout(Duration::from_secs(2))
            .map_err(|e| e.to_string())?;
        operations::database_answers(&mut conn).map_err(|e| e.to_string())
    })
    .await;
    match check {
        Ok(Ok(())) => HttpResponse::Ok()
            .insert_header(("Cache-Control", "no-store"))
            .json(serde_json::json!({"status": "ok", "database": "ok"})),
        Ok(Err(cause)) => {
            tracing::warn!(%cause, "health check: database unreachable");
            unavailable()
        }
        Err(cause) => {
            tracing::error!(%cause, "health check did not run");
            unavailable()
        }
    }
}

fn unavailable() -> HttpResponse {
    HttpResponse::ServiceUnavailable()
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(("Retry-After", "10"))
        .json(serde_json::json!({"status": "unavailable", "database": "unreachable"}))
}
