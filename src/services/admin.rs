//! Administration by the data authority: departments, accounts, the holiday calendar and
//! decisions on open-class restrictions. Every action is audited.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::result::Error as DbError;

use super::publishing::FieldErrors;
use super::{Actor, audit};
pub use crate::db::calendar::CalendarDay;
pub use crate::db::datasets::Dataset;
pub use crate::db::departments::Department;
use crate::db::departments::{self as dept_rows, DepartmentChanges, NewDepartment};
pub use crate::db::history::ClassChangeRequest;
use crate::db::history::{self, NewDatasetChange};
pub use crate::db::users::User;
use crate::db::users::{self as user_rows};
use crate::db::{DbConnection, calendar, datasets, write_transaction};
use crate::domain::{
    AccountStatus, Classification, DayKind, DecisionStatus, RegionCode, Role, Slug,
};

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("不存在")]
    NotFound,
    #[error("提交的内容有误")]
    Invalid(FieldErrors),
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Database(#[from] DbError),
}

impl AdminError {
    fn field(key: &str, message: impl Into<String>) -> Self {
        Self::Invalid(FieldErrors::from([(key.to_owned(), message.into())]))
    }
}

/// A department as submitted by the form.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct DepartmentDraft {
    pub slug: String,
    pub name: String,
    pub region_code: String,
    pub parent: String,
    pub description: String,
    /// The English name and description; empty when there is none.
    pub name_en: String,
    pub description_en: String,
}

/// Creates (`existing == None`) or updates a department. The slug cannot change: URLs and
/// accounts refer to it. A parent must exist, must not be the department itself or one of its
/// descendants, and must cover the department's region.
pub fn save_department(
    conn: &mut DbConnection,
    existing: Option<&str>,
    d: &DepartmentDraft,
    now: NaiveDateTime,
    actor: &Actor,
) -> Result<Department, AdminError> {
    let mut e = FieldErrors::new();
    let name = d.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        e.insert("name".into(), "请填写部门名称（最多 100 字）".into());
    }
    if d.description.chars().count() > 1000 {
        e.insert("description".into(), "简介最长 1000 字".into());
    }
    // The English name and description: optional, the same lengths, no NUL (PostgreSQL cannot
    // store one).
    let name_en = Some(d.name_en.trim()).filter(|s| !s.is_empty());
    let description_en = Some(d.description_en.trim()).filter(|s| !s.is_empty());
    if name_en.is_some_and(|n| n.chars().count() > 100 || n.contains('\0')) {
        e.insert(
            "name_en".into(),
            "英文名称最多 100 字，且不能含有 NUL 字符".into(),
        );
    }
    if description_en.is_some_and(|n| n.chars().count() > 1000 || n.contains('\0')) {
        e.insert(
            "description_en".into(),
            "英文简介最长 1000 字，且不能含有 NUL 字符".into(),
        );
    }
    let region = RegionCode::parse(d.region_code.trim())
        .map_err(|err| e.insert("region_code".into(), err.to_string()))
        .ok();
    let slug = match existing {
        Some(s) => Slug::parse(s).map_err(|_| AdminError::NotFound)?,
        None => match Slug::parse(d.slug.trim()) {
            Ok(s) => s,
            Err(err) => {
                e.insert("slug".into(), err.to_string());
                Slug::parse("x").map_err(|_| AdminError::NotFound)?
            }
        },
    };
    write_transaction(conn, |conn| {
        let current = match existing {
            Some(s) => Some(dept_rows::by_slug(conn, s)?.ok_or(AdminError::NotFound)?),
            None => {
                if !e.contains_key("slug") && dept_rows::by_slug(conn, slug.as_str())?.is_some() {
                    e.insert("slug".into(), "该标识已被使用".into());
                }
                None
            }
        };
        let parent = match d.parent.trim() {
            "" => None,
            p => match dept_rows::by_slug(conn, p)? {
                None => {
                    e.insert("parent".into(), format!("上级部门“{p}”不存在"));
                    None
                }
                Some(parent) => {
                    if let Some(cur) = &current {
                        let mut up = Some(parent.clone());
                        while let Some(node) = up {
                            if node.id == cur.id {
                                e.insert(
                                    "parent".into(),
                                    "上级部门不能是本部门或其下级部门".into(),
                                );
                                break;
                            }
                            up = node
                                .parent_id
                                .map(|id| dept_rows::by_id(conn, id))
                                .transpose()?;
                        }
                    }
                    if let Some(r) = region
                        && !parent.region_code.contains(&r)
                    {
                        e.entry("parent".into())
                            .or_insert_with(|| "上级部门的行政区划应包含本部门的行政区划".into());
                    }
                    Some(parent)
                }
            },
        };
        let region = match (region, e.is_empty()) {
            (Some(r), true) => r,
            _ => return Err(AdminError::Invalid(e.clone())),
        };
        let saved = match &current {
            None => dept_rows::insert(
                conn,
                &NewDepartment {
                    slug: slug.as_str(),
                    name,
                    level: region.level().as_str(),
                    region_code: region.as_str(),
                    parent_id: parent.as_ref().map(|p| p.id),
                    description: d.description.trim(),
                    created_at: now,
                    name_en,
                    description_en,
                },
            )?,
            Some(cur) => dept_rows::update(
                conn,
                cur.id,
                &DepartmentChanges {
                    name,
                    level: region.level().as_str(),
                    region_code: region.as_str(),
                    parent_id: parent.as_ref().map(|p| p.id),
                    description: d.description.trim(),
                    name_en,
                    description_en,
                },
            )?,
        };
        let action = if current.is_some() {
            "department.update"
        } else {
            "department.create"
        };
        audit::record(
            conn,
            actor,
            now,
            action,
            &format!("department:{}", saved.slug),
            serde_json::json!({ "region_code": saved.region_code.as_str(), "parent": d.parent.trim() }),
        )?;
        Ok(saved)
    })
}

/// What an administrator sets on an account.
#[derive(Debug, Clone, Copy)]
pub struct UserSettings<'a> {
    pub role: Role,
    /// The slug of a publisher's department.
    pub department: Option<&'a str>,
    pub status: AccountStatus,
}

/// Changes an account's role, department and status. Administrators cannot change their own
/// role or status (so the last administrator cannot lock everyone out by mistake).
pub fn update_user(
    conn: &mut DbConnection,
    admin_id: i32,
    user_id: i32,
    set: UserSettings<'_>,
    now: NaiveDateTime,
    actor: &Actor,
) -> Result<User, AdminError> {
    let UserSettings {
        role,
        department,
        status,
    } = set;
    write_transaction(conn, |conn| {
        let user = user_rows::by_id(conn, user_id)?.ok_or(AdminError::NotFound)?;
        if user.id == admin_id && (role != user.role || status != user.status) {
            return Err(AdminError::Conflict("不能修改自己的角色或状态".into()));
        }
        let department_id = match (role, department.map(str::trim).filter(|s| !s.is_empty())) {
            (Role::Publisher, None) => {
                return Err(AdminError::field(
                    "department",
                    "数据提供部门账号必须指定所属部门",
                ));
            }
            (Role::Publisher, Some(slug)) => Some(
                dept_rows::by_slug(conn, slug)?
                    .ok_or_else(|| AdminError::field("department", format!("部门“{slug}”不存在")))?
                    .id,
            ),
            (_, Some(_)) => {
                return Err(AdminError::field(
                    "department",
                    "只有数据提供部门账号可以指定所属部门",
                ));
            }
            (_, None) => None,
        };
        let target = format!("user:{}", user.id);
        if role != user.role || department_id != user.department_id {
            user_rows::set_role(conn, user.id, role, department_id)?;
            audit::record(
                conn,
                actor,
                now,
                "user.role",
                &target,
                serde_json::json!({
                    "role": [user.role.as_str(), role.as_str()],
                    "department_id": [user.department_id, department_id],
                }),
            )?;
        }
        if status != user.status {
            user_rows::set_status(conn, user.id, status)?;
            if status == AccountStatus::Disabled {
                crate::db::sessions::delete_for_user(conn, user.id)?;
            }
            audit::record(
                conn,
                actor,
                now,
                "user.status",
                &target,
                serde_json::json!({ "status": [user.status.as_str(), status.as_str()] }),
            )?;
        }
        user_rows::by_id(conn, user.id)?.ok_or(AdminError::NotFound)
    })
}

/// Adds a holiday or make-up workday.
pub fn add_day(
    conn: &mut DbConnection,
    day: &str,
    kind: &str,
    name: &str,
    now: NaiveDateTime,
    actor: &Actor,
) -> Result<NaiveDate, AdminError> {
    let mut e = FieldErrors::new();
    let date = NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d")
        .map_err(|_| e.insert("day".into(), "日期格式应为 YYYY-MM-DD".into()))
        .ok();
    let kind = kind
        .parse::<DayKind>()
        .map_err(|_| e.insert("kind".into(), "请选择放假或调休上班".into()))
        .ok();
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        e.insert(
            "name".into(),
            "请填写名称，例如“国庆节”（最多 100 字）".into(),
        );
    }
    let (Some(date), Some(kind), true) = (date, kind, e.is_empty()) else {
        return Err(AdminError::Invalid(e));
    };
    write_transaction(conn, |conn| {
        if calendar::get(conn, date)?.is_some() {
            return Err(AdminError::field("day", "这一天已在日历中，请先删除再添加"));
        }
        calendar::insert(conn, date, kind, name)?;
        audit::record(
            conn,
            actor,
            now,
            "calendar.add",
            &format!("day:{date}"),
            serde_json::json!({ "kind": kind.as_str(), "name": name }),
        )?;
        Ok(date)
    })
}

pub fn remove_day(
    conn: &mut DbConnection,
    day: NaiveDate,
    now: NaiveDateTime,
    actor: &Actor,
) -> Result<(), AdminError> {
    write_transaction(conn, |conn| {
        if !calendar::delete(conn, day)? {
            return Err(AdminError::NotFound);
        }
        audit::record(
            conn,
            actor,
            now,
            "calendar.remove",
            &format!("day:{day}"),
            serde_json::json!({}),
        )?;
        Ok(())
    })
}

/// Approves or rejects a pending move to a more restrictive open class.
pub fn decide_class_change(
    conn: &mut DbConnection,
    admin_id: i32,
    request_id: i32,
    approve: bool,
    note: &str,
    now: NaiveDateTime,
    actor: &Actor,
) -> Result<(), AdminError> {
    let note = note.trim();
    if !approve && note.is_empty() {
        return Err(AdminError::field("note", "驳回需要填写理由"));
    }
    if note.chars().count() > 500 {
        return Err(AdminError::field("note", "说明最长 500 字"));
    }
    write_transaction(conn, |conn| {
        let req = history::by_id(conn, request_id)?.ok_or(AdminError::NotFound)?;
        if req.status != DecisionStatus::Pending {
            return Err(AdminError::Conflict(format!(
                "该申请已{}",
                req.status.label()
            )));
        }
        let (status, action) = if approve {
            let c = Classification::new(
                req.to_class,
                Some(&req.legal_basis),
                req.open_conditions.as_deref(),
            )
            .map_err(|e| AdminError::Conflict(e.to_string()))?;
            // Whatever the change, data that leaves `closed` must hold no untreated personal data.
            if c.class() != crate::domain::OpenClass::Closed {
                let untreated = super::access::untreated_versions(conn, req.dataset_id)?;
                if !untreated.is_empty() {
                    return Err(AdminError::Conflict(super::access::opening_refused(
                        &untreated,
                    )));
                }
                // Slugs of hidden datasets are unique per department only; one that comes
                // into view must not share its slug with another public dataset.
                let d = datasets::by_id(conn, req.dataset_id)?;
                if d.status == crate::domain::DatasetStatus::Published
                    && datasets::slug_holder(conn, &d.slug)?.is_some_and(|other| other.id != d.id)
                {
                    return Err(AdminError::Conflict(format!(
                        "已有公开（或曾经公开）的数据集使用标识“{}”，请该部门先修改本数据集的标识",
                        d.slug
                    )));
                }
            }
            datasets::set_class(
                conn,
                req.dataset_id,
                c.class(),
                c.legal_basis(),
                c.conditions(),
                now,
            )?;
            (DecisionStatus::Approved, "class_approve")
        } else {
            (DecisionStatus::Rejected, "class_reject")
        };
        history::decide(conn, req.id, status, admin_id, now, note)?;
        let changes = serde_json::json!({ "open_class": [req.from_class.as_str(), req.to_class.as_str()], "decision": status.as_str() });
        history::record(
            conn,
            &NewDatasetChange {
                dataset_id: req.dataset_id,
                actor: &actor.label,
                changed_at: now,
                action,
                changes: &changes.to_string(),
                reason: note,
            },
        )?;
        let slug = datasets::slug_of(conn, req.dataset_id)?;
        audit::record(
            conn,
            actor,
            now,
            &format!("dataset.{action}"),
            &format!("dataset:{slug}"),
            changes,
        )?;
        Ok(())
    })
}

/// The figures of the administrators' dashboard.
pub struct Dashboard {
    /// Accounts waiting for their e-mail address to be verified.
    pub unverified: i64,
    /// Class changes waiting for a decision.
    pub pending: usize,
    pub departments: i64,
    /// Pending applications past their due date: (id, due on, dataset title).
    pub overdue: Vec<(i32, NaiveDate, String)>,
}

pub fn dashboard(conn: &mut DbConnection, today: NaiveDate) -> Result<Dashboard, DbError> {
    let unverified = user_rows::count_with_status(conn, AccountStatus::Unverified)?;
    let pending = history::list(conn, Some(DecisionStatus::Pending))?.len();
    let mut overdue = Vec::new();
    for a in crate::db::applications::overdue(conn, today)? {
        let d = datasets::by_id(conn, a.dataset_id)?;
        overdue.push((a.id, a.due_on, d.title));
    }
    Ok(Dashboard {
        unverified,
        pending,
        departments: dept_rows::count(conn)?,
        overdue,
    })
}

/// The calendar's days between `from` and `to`, and the day ten working days after `today`.
pub fn calendar_between(
    conn: &mut DbConnection,
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
) -> Result<(Vec<CalendarDay>, NaiveDate), DbError> {
    let days = calendar::between(conn, from, to)?;
    let cal = calendar::work_calendar(conn)?;
    Ok((days, cal.add_working_days(today, 10)))
}

pub fn departments(conn: &mut DbConnection) -> Result<Vec<Department>, DbError> {
    dept_rows::all(conn)
}

/// The department with this slug as its edit form shows it.
pub fn department_draft(
    conn: &mut DbConnection,
    slug: &str,
) -> Result<Option<DepartmentDraft>, DbError> {
    let Some(d) = dept_rows::by_slug(conn, slug)? else {
        return Ok(None);
    };
    let parent = match d.parent_id {
        Some(id) => dept_rows::by_id(conn, id)?.slug,
        None => String::new(),
    };
    Ok(Some(DepartmentDraft {
        slug: d.slug,
        name: d.name,
        region_code: d.region_code.to_string(),
        parent,
        description: d.description,
        name_en: d.name_en.unwrap_or_default(),
        description_en: d.description_en.unwrap_or_default(),
    }))
}

/// Every class-change request, decided or not, with its dataset.
pub fn class_changes(
    conn: &mut DbConnection,
) -> Result<Vec<(ClassChangeRequest, Dataset)>, DbError> {
    history::list(conn, None)
}

/// A page of users matching `text` and `role`, and how many match.
pub fn search_users(
    conn: &mut DbConnection,
    text: Option<&str>,
    role: Option<Role>,
    limit: i64,
    offset: i64,
) -> Result<(i64, Vec<User>), DbError> {
    user_rows::search(conn, text, role, limit, offset)
}

/// A user with the departments to choose from and the user's API keys.
pub struct UserDetail {
    pub user: User,
    pub departments: Vec<Department>,
    pub keys: Vec<super::api_keys::ApiKey>,
}

pub fn user_detail(conn: &mut DbConnection, id: i32) -> Result<Option<UserDetail>, DbError> {
    let Some(user) = user_rows::by_id(conn, id)? else {
        return Ok(None);
    };
    let keys = super::api_keys::list(conn, id)?;
    Ok(Some(UserDetail {
        user,
        departments: dept_rows::all(conn)?,
        keys,
    }))
}
