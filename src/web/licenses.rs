//! Licence identifiers shared by the exports and the CKAN API.

use sha2::{Digest, Sha256};

/// The CKAN-style identifier of a licence: `kf-` and the first ten hex digits of the SHA-256
/// of its title. `api::ckan` has its own copy until its rewrite (issue 18); both must agree.
pub fn license_id(title: &str) -> String {
    format!(
        "kf-{}",
        &hex::encode(Sha256::digest(title.as_bytes()))[..10]
    )
}
