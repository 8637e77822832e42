//! Licence identifiers: ours are titles (e.g. “政府数据开放许可协议”), CKAN and DCAT want ids.

use sha2::{Digest, Sha256};

/// A short, stable id for a licence text.
pub fn license_id(title: &str) -> String {
    format!(
        "kf-{}",
        &hex::encode(Sha256::digest(title.as_bytes()))[..10]
    )
}
