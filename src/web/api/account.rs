//! `GET /api/v1/account`: who the key belongs to (no personal data beyond what the holder
//! registered and sees on their account page anyway: masked forms only).

use actix_web::HttpResponse;

use super::ApiUser;

pub async fn show(ApiUser(user): ApiUser) -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({
        "account": {
            "id": user.id,
            "display_name": user.display_name,
            "kind": user.kind,
            "role": user.role,
            "status": user.status,
            "department_id": user.department_id,
        }
    }))
}
