//! What each service's error means on the web, written once: a `From` impl into [`AppError`]
//! (the pages) and, where the JSON API meets it, into [`ApiError`]. Handlers use `?` or
//! `.map_err(AppError::from)`; a handler that shows its form again takes out the variants the
//! form shows (`Invalid`, …) first and hands every other one here.
//!
//! Field errors that reach a page without a form become one 400 with their messages joined by
//! `；` ([`AppError::invalid`]); the API keeps them as `fields`.
//!
//! Two paths have a web type of their own in between, mapped once beside it: a download's
//! `DownloadError` becomes a `downloads::Refusal` (then a page or an API error), and the CKAN
//! API's `CkanError` a `ckan::Failure` (CKAN's envelope).

use std::collections::BTreeMap;

use actix_web::http::StatusCode;

use super::AppError;
use super::api_error::ApiError;
use crate::services::accounts::{ChangePasswordError, RegisterError};
use crate::services::admin::AdminError;
use crate::services::api_keys::KeyError;
use crate::services::applications::ApplicationError;
use crate::services::emergencies::{self, EmergencyError};
use crate::services::publishing::{EditError, PublishError};
use crate::services::requests::RequestError;
use crate::services::resources::OverrideError;
use crate::services::reviews::ReviewError;
use crate::services::showcase::ShowcaseError;
use crate::services::social::SocialError;

/// A password could not be hashed: our fault.
fn hashing_failed() -> AppError {
    AppError::internal(anyhow::anyhow!("password hashing failed"))
}

impl From<PublishError> for AppError {
    fn from(e: PublishError) -> Self {
        match e {
            PublishError::NotFound => Self::NotFound,
            e @ PublishError::Forbidden => Self::Forbidden(e.to_string()),
            PublishError::Invalid(f) | PublishError::Conflict(f) => Self::invalid(f),
            PublishError::Transition(m) => Self::Conflict(m),
            PublishError::Database(e) => e.into(),
        }
    }
}

impl From<PublishError> for ApiError {
    fn from(e: PublishError) -> Self {
        match e {
            PublishError::NotFound => Self::not_found(),
            e @ PublishError::Forbidden => Self::forbidden(e.to_string()),
            PublishError::Invalid(fields) => invalid_publication(fields),
            PublishError::Conflict(fields) => {
                Self::new(StatusCode::CONFLICT, "conflict", "与已有内容冲突").with_fields(fields)
            }
            PublishError::Transition(m) => Self::new(StatusCode::CONFLICT, "conflict", m),
            PublishError::Database(e) => e.into(),
        }
    }
}

/// Members whose problems, in a body the OpenAPI document accepts, are rules JSON Schema
/// cannot state: dates in order, field names unique, the conditions and legal basis a class
/// needs, a reason for a status change, a public dataset's slug kept, a spatial coverage
/// inside the department's region.
const RULES_BEYOND_THE_SCHEMA: [&str; 8] = [
    "spatial_coverage",
    "temporal_start",
    "temporal_end",
    "fields",
    "open_conditions",
    "legal_basis",
    "reason",
    "slug",
];

/// A refused dataset body on the API: 422 when only those rules are broken, 400 otherwise.
pub fn invalid_publication(fields: crate::services::publishing::FieldErrors) -> ApiError {
    if !fields.is_empty()
        && fields
            .keys()
            .all(|k| RULES_BEYOND_THE_SCHEMA.contains(&k.as_str()))
    {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unprocessable",
            "提交的内容不符合规则",
        )
        .with_fields(fields)
    } else {
        ApiError::bad_request("提交的内容有误").with_fields(fields)
    }
}

/// An API edit: the portal's refusal as above, the request's own as it was worded.
impl From<EditError<ApiError>> for ApiError {
    fn from(e: EditError<ApiError>) -> Self {
        match e {
            EditError::Publish(e) => e.into(),
            EditError::Refused(e) => e,
        }
    }
}

impl From<AdminError> for AppError {
    fn from(e: AdminError) -> Self {
        match e {
            AdminError::NotFound => Self::NotFound,
            AdminError::Invalid(f) => Self::invalid(f),
            AdminError::Conflict(m) => Self::Conflict(m),
            AdminError::Database(e) => e.into(),
        }
    }
}

impl From<SocialError> for AppError {
    fn from(e: SocialError) -> Self {
        match e {
            SocialError::NotFound => Self::NotFound,
            e @ SocialError::Forbidden => Self::Forbidden(e.to_string()),
            SocialError::Conflict(m) => Self::Conflict(m),
            SocialError::OverBudget => Self::over_daily_budget(),
            e @ SocialError::Invalid(..) => Self::BadRequest(e.to_string()),
            SocialError::Database(e) => e.into(),
        }
    }
}

impl From<RequestError> for AppError {
    fn from(e: RequestError) -> Self {
        match e {
            RequestError::NotFound => Self::NotFound,
            e @ RequestError::Forbidden => Self::Forbidden(e.to_string()),
            RequestError::Conflict(m) => Self::Conflict(m),
            RequestError::OverBudget => Self::over_daily_budget(),
            RequestError::Invalid(list) => Self::invalid(list),
            RequestError::Database(e) => e.into(),
        }
    }
}

impl From<ReviewError> for AppError {
    fn from(e: ReviewError) -> Self {
        match e {
            ReviewError::NotFound => Self::NotFound,
            e @ ReviewError::Forbidden => Self::Forbidden(e.to_string()),
            ReviewError::Conflict(m) => Self::Conflict(m),
            ReviewError::OverBudget => Self::over_daily_budget(),
            ReviewError::Invalid(list) => Self::invalid(list),
            ReviewError::Database(e) => e.into(),
        }
    }
}

impl From<ShowcaseError> for AppError {
    fn from(e: ShowcaseError) -> Self {
        match e {
            ShowcaseError::NotFound => Self::NotFound,
            ShowcaseError::Conflict(m) => Self::Conflict(m),
            ShowcaseError::OverBudget => Self::over_daily_budget(),
            ShowcaseError::Invalid(list) => Self::invalid(list),
            ShowcaseError::Database(e) => e.into(),
        }
    }
}

impl From<ApplicationError> for AppError {
    fn from(e: ApplicationError) -> Self {
        match e {
            ApplicationError::NotFound => Self::NotFound,
            e @ ApplicationError::Forbidden => Self::Forbidden(e.to_string()),
            e @ (ApplicationError::NotConditional
            | ApplicationError::NotVerified
            | ApplicationError::NotPending) => Self::BadRequest(e.to_string()),
            // Forms without a page of their own (revoke, comment) answer with the messages.
            ApplicationError::Invalid(list) => Self::invalid(list),
            ApplicationError::Database(e) => e.into(),
        }
    }
}

impl From<EmergencyError> for AppError {
    fn from(e: EmergencyError) -> Self {
        match e {
            EmergencyError::NotFound => Self::NotFound,
            e @ EmergencyError::Forbidden(_) => Self::Forbidden(e.to_string()),
            e @ EmergencyError::Closed => Self::Conflict(e.to_string()),
            EmergencyError::Invalid(fields) => Self::invalid(fields),
            EmergencyError::Database(e) => e.into(),
        }
    }
}

impl From<EmergencyError> for ApiError {
    fn from(e: EmergencyError) -> Self {
        match e {
            EmergencyError::NotFound => Self::not_found(),
            e @ EmergencyError::Forbidden(_) => Self::forbidden(e.to_string()),
            e @ EmergencyError::Closed => {
                Self::new(StatusCode::CONFLICT, "conflict", e.to_string())
            }
            // An update that already has its attachments is a conflict with its state; a time
            // outside the event is a rule the document states but JSON Schema cannot.
            EmergencyError::Invalid(fields) if fields.iter().all(|(k, _)| k == "file") => {
                Self::new(StatusCode::CONFLICT, "conflict", "附件已满")
                    .with_fields(fields.into_iter().collect::<BTreeMap<_, _>>())
            }
            EmergencyError::Invalid(fields) if fields.iter().all(|(k, _)| k == "at") => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unprocessable",
                "提交的内容不符合规则",
            )
            .with_fields(fields.into_iter().collect::<BTreeMap<_, _>>()),
            EmergencyError::Invalid(fields) => Self::bad_request("提交的内容有误")
                .with_fields(fields.into_iter().collect::<BTreeMap<_, _>>()),
            EmergencyError::Database(e) => e.into(),
        }
    }
}

/// An administrator's review of a fast-tracked publication.
impl From<emergencies::ReviewError> for AppError {
    fn from(e: emergencies::ReviewError) -> Self {
        use emergencies::ReviewError as E;
        match e {
            E::NotFound => Self::NotFound,
            e @ E::AlreadyReviewed => Self::Conflict(e.to_string()),
            E::Invalid(m) => Self::BadRequest(m),
            E::Database(e) => e.into(),
        }
    }
}

impl From<OverrideError> for AppError {
    fn from(e: OverrideError) -> Self {
        match e {
            OverrideError::NotFound => Self::NotFound,
            OverrideError::Invalid(m) => Self::BadRequest(m),
            OverrideError::Database(e) => e.into(),
        }
    }
}

impl From<RegisterError> for AppError {
    fn from(e: RegisterError) -> Self {
        match e {
            e @ RegisterError::Password(_) => Self::BadRequest(e.to_string()),
            RegisterError::Hash => hashing_failed(),
            RegisterError::Database(e) => e.into(),
        }
    }
}

impl From<ChangePasswordError> for AppError {
    fn from(e: ChangePasswordError) -> Self {
        match e {
            e @ (ChangePasswordError::WrongCurrent
            | ChangePasswordError::Policy(_)
            | ChangePasswordError::Same) => Self::BadRequest(e.to_string()),
            ChangePasswordError::Hash => hashing_failed(),
            ChangePasswordError::Database(e) => e.into(),
        }
    }
}

impl From<KeyError> for AppError {
    fn from(e: KeyError) -> Self {
        match e {
            e @ KeyError::Name => Self::BadRequest(e.to_string()),
            KeyError::Database(e) => e.into(),
        }
    }
}
