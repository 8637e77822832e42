//! Error reviews (复核, Art. 26): anyone who finds an error in a dataset reports it; the
//! providing department answers within 10 working days, extendable once by up to 10 working
//! days with a recorded reason. Services are not refused meanwhile: the dataset stays served.
//! The report's state, the answer and any extension are public; the reporter is not.

use diesel::result::Error as DbError;

pub use crate::db::reviews::ErrorReview;

// One file per job; the public paths stay here.
mod answers;
mod reports;

pub use answers::{
    Answer, PublicReview, answer, extend, open_for_dataset, public, queue, staff_view, start,
    versions_of, work_view, workable,
};
pub use reports::{
    ADDRESS_BUDGET, check, check_report, forget_evidence, report_form, reportable, submit,
    within_budget,
};

/// Working days a department has to answer, and the most one extension adds.
pub const ANSWER_WITHIN: u32 = 10;
pub const MAX_EXTENSION: u32 = 10;
/// The largest evidence file, in bytes.
pub const MAX_EVIDENCE: u64 = 5 * 1024 * 1024;
/// Reports one account or contact may file in a day (spam budget; the web layer adds one per
/// address).
pub const DAILY_BUDGET: i64 = 5;

#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    #[error("不存在")]
    NotFound,
    #[error("只有提供该数据集的部门可以处理")]
    Forbidden,
    #[error("提交的内容有误")]
    Invalid(Vec<(String, String)>),
    #[error("{0}")]
    Conflict(String),
    #[error("今天提交的纠错已达上限，请明天再试")]
    OverBudget,
    #[error(transparent)]
    Database(#[from] DbError),
}

/// What a reporter typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ReportForm {
    #[serde(default)]
    pub resource: String,
    #[serde(default)]
    pub row: String,
    #[serde(default)]
    pub field: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub correction: String,
    /// An anonymous reporter's e-mail or mobile number, to be told the answer.
    #[serde(default)]
    pub contact: String,
}

/// An evidence file already in the file store.
#[derive(Debug, Clone)]
pub struct Evidence {
    pub key: String,
    pub name: String,
    pub media_type: &'static str,
}

/// What a form offers to choose from: (id, label).
pub type Choices = Vec<(i32, String)>;
