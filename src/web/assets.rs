//! Static assets compiled into the binary, served at `/static/{version}/{name}` where the
//! version is a hash of all asset bytes: URLs change when assets do, so they can be cached
//! for a year.

use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use actix_web::{HttpResponse, web};
use sha2::{Digest, Sha256};

use super::{AppError, AppState};

pub struct Asset {
    pub name: &'static str,
    pub content_type: &'static str,
    pub bytes: &'static [u8],
}

pub const FILES: &[Asset] = &[
    Asset {
        name: "site.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../../static/site.css"),
    },
    Asset {
        name: "progress.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../static/progress.js"),
    },
    Asset {
        name: "emergency.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../static/emergency.js"),
    },
    Asset {
        name: "favicon.svg",
        content_type: "image/svg+xml",
        bytes: include_bytes!("../../static/favicon.svg"),
    },
];

pub struct Assets {
    version: String,
}

impl Default for Assets {
    fn default() -> Self {
        Self::new()
    }
}

impl Assets {
    pub fn new() -> Self {
        let mut h = Sha256::new();
        for f in FILES {
            h.update(f.name.as_bytes());
            h.update(f.bytes);
        }
        Self {
            version: hex::encode(h.finalize())[..12].to_owned(),
        }
    }

    pub fn version(&self) -> &str {
        &self.version
    }

    pub fn prefix(&self) -> String {
        format!("/static/{}", self.version)
    }
}

pub async fn serve(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (version, name) = path.into_inner();
    let asset = FILES
        .iter()
        .find(|f| f.name == name)
        .ok_or(AppError::NotFound)?;
    // An old version still gets the current bytes (a page cached before a deploy keeps its
    // styles) but must not be cached under the old URL.
    let cache = if version == state.assets.version() {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, asset.content_type))
        .insert_header((CACHE_CONTROL, cache))
        .body(asset.bytes))
}

/// `/favicon.ico`, which browsers ask for on their own.
pub async fn favicon() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "image/svg+xml"))
        .insert_header((CACHE_CONTROL, "public, max-age=86400"))
        .body(
            FILES
                .iter()
                .find(|f| f.name == "favicon.svg")
                .map(|f| f.bytes)
                .unwrap_or_default(),
        )
}
