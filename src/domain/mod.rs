//! Pure types and rules of the open-data domain. No I/O, no framework types.
//!
//! Every value that arrives from outside (query strings, forms, CSV cells, the command line)
//! becomes one of these types at the boundary, so the rest of the code works on values that
//! are already known to be valid.

pub mod attachment;
pub mod column_type;
pub mod credit_code;
pub mod dataset_code;
pub mod email;
pub mod emergency;
pub mod format;
pub mod formula;
pub mod keywords;
pub mod license;
pub mod masking;
pub mod mobile;
pub mod open_class;
pub mod password;
pub mod pii;
pub mod region_code;
pub mod resident_id;
pub mod slug;
pub mod status;
pub mod update_frequency;
pub mod working_days;

pub use credit_code::CreditCode;
pub use dataset_code::DatasetCode;
pub use email::Email;
pub use format::Format;
pub use keywords::Keywords;
pub use license::license_id;
pub use mobile::Mobile;
pub use open_class::{Classification, OpenClass};
pub use region_code::{RegionCode, RegionLevel};
pub use resident_id::ResidentId;
pub use slug::Slug;
pub use status::{
    AccountKind, AccountStatus, ApplicationStatus, DatasetStatus, DayKind, DecisionStatus,
    EventCategory, EventStatus, RequestStatus, ReviewStatus, Role,
};
pub use update_frequency::UpdateFrequency;
pub use working_days::WorkCalendar;

/// Whether a dataset with this status and open class may appear in any public channel.
///
/// Only published datasets that are not closed are public (DESIGN.md §2). The database layer
/// expresses the same rule as a SQL predicate; a test checks the two agree on every combination.
pub fn is_publicly_listed(status: DatasetStatus, class: OpenClass) -> bool {
    status == DatasetStatus::Published && class.is_public()
}
