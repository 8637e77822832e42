//! One emergency update as JSON: the shape `GET /api/v1/emergencies/{slug}` lists and the event
//! page's live stream sends (`event: update`), so a program reads both the same way.

use serde_json::{Value, json};

use crate::services::emergencies::{Attachment, UpdateView};
use crate::web::format::iso;

pub fn update(slug: &str, u: &UpdateView) -> Value {
    json!({
        "id": u.update.id,
        "at": iso(&u.update.reported_at),
        "posted_at": iso(&u.update.posted_at),
        "text": u.update.body,
        "indicators": u.values.iter().map(|v| json!({
            "name": v.indicator, "value": v.value, "unit": v.unit, "region": v.region,
        })).collect::<Vec<_>>(),
        "attachments": u.attachments.iter().map(|a| attachment(slug, a)).collect::<Vec<_>>(),
    })
}

pub fn attachment(slug: &str, a: &Attachment) -> Value {
    json!({
        "id": a.id,
        "name": a.file_name,
        "media_type": a.media_type,
        "size": a.size,
        "url": format!("/emergencies/{slug}/attachments/{}", a.id),
    })
}
