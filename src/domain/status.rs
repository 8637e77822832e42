//! Lifecycle status of a dataset and the roles of accounts.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident, $err:literal, { $($variant:ident => $s:literal, $label:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$(Self::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $s),+ }
            }
            pub fn label(self) -> &'static str {
                match self { $(Self::$variant => $label),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == s)
                    .ok_or_else(|| format!($err, s))
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                s.parse()
            }
        }
    };
}

text_enum!(
    /// Where a dataset is in its life: only `Published` is visible to the public.
    DatasetStatus, "未知的数据集状态“{}”", {
        Draft => "draft", "草稿";
        Published => "published", "已发布";
        Withdrawn => "withdrawn", "已撤回";
    }
);

text_enum!(
    /// What an account may do: `Publisher` acts for one department, `Admin` for the data authority.
    Role, "未知的角色“{}”（可选：user、publisher、admin）", {
        User => "user", "注册用户";
        Publisher => "publisher", "数据提供部门";
        Admin => "admin", "管理员";
    }
);

text_enum!(
    /// Who holds an account: a person, or an organisation through its contact person.
    AccountKind, "未知的账号类型“{}”", {
        Individual => "individual", "个人";
        Organisation => "organisation", "法人或其他组织";
    }
);

text_enum!(
    /// Real-name verification: an administrator verifies; a disabled account cannot log in.
    AccountStatus, "未知的账号状态“{}”", {
        Unverified => "unverified", "待核验";
        Verified => "verified", "已核验";
        Disabled => "disabled", "已停用";
    }
);

text_enum!(
    /// A request that an administrator decides.
    DecisionStatus, "未知的审批状态“{}”", {
        Pending => "pending", "待审批";
        Approved => "approved", "已批准";
        Rejected => "rejected", "已驳回";
    }
);

text_enum!(
    /// An application for conditionally open data.
    ApplicationStatus, "未知的申请状态“{}”", {
        Pending => "pending", "待审核";
        Approved => "approved", "已批准";
        Rejected => "rejected", "未获批准";
        Withdrawn => "withdrawn", "已撤回";
    }
);

text_enum!(
    /// A calendar day that differs from the Monday-to-Friday rule.
    DayKind, "未知的日期类型“{}”（可选：holiday、workday）", {
        Holiday => "holiday", "放假";
        Workday => "workday", "调休上班";
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_round_trips() {
        for s in DatasetStatus::ALL {
            assert_eq!(s.as_str().parse(), Ok(*s));
        }
        for r in Role::ALL {
            assert_eq!(r.as_str().parse(), Ok(*r));
        }
        assert!("Published".parse::<DatasetStatus>().is_err());
        assert!("root".parse::<Role>().unwrap_err().contains("root"));
    }
}

text_enum!(
    /// The four kinds of 突发事件 in the Emergency Response Law.
    EventCategory, "未知的事件类别：{}", {
        NaturalDisaster => "natural_disaster", "自然灾害";
        Accident => "accident", "事故灾难";
        PublicHealth => "public_health", "公共卫生事件";
        SocialSecurity => "social_security", "社会安全事件";
    }
);

text_enum!(
    /// An emergency event is followed live while active; closed ones are the archive.
    EventStatus, "未知的事件状态：{}", {
        Active => "active", "进行中";
        Closed => "closed", "已结束";
    }
);

text_enum!(
    /// Where an error report (复核) stands; the last two are answers.
    ReviewStatus, "未知的复核状态“{}”", {
        Received => "received", "已受理";
        Reviewing => "reviewing", "核查中";
        Corrected => "corrected", "已更正";
        NotError => "not_error", "经核查无误";
    }
);

impl ReviewStatus {
    pub fn is_answered(self) -> bool {
        matches!(self, Self::Corrected | Self::NotError)
    }
}

text_enum!(
    /// Where a data request (开放需求) stands.
    RequestStatus, "未知的需求状态“{}”", {
        Open => "open", "待分派";
        Routed => "routed", "待部门答复";
        Accepted => "accepted", "部门同意开放";
        Declined => "declined", "暂不开放";
        Published => "published", "已开放";
    }
);
