//! Open classes (Art. 37) and the rule that restrictive classes need a legal basis (Art. 22).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// How a dataset is opened to the public.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpenClass {
    /// 无条件开放: anyone may browse and download, no account needed.
    Unconditional,
    /// 有条件开放: metadata is public; data only through an approved application.
    Conditional,
    /// 非开放: never exposed in any public channel.
    Closed,
}

impl OpenClass {
    pub const ALL: [OpenClass; 3] = [Self::Unconditional, Self::Conditional, Self::Closed];
    /// The classes whose metadata the public may see.
    pub const PUBLIC: [OpenClass; 2] = [Self::Unconditional, Self::Conditional];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unconditional => "unconditional",
            Self::Conditional => "conditional",
            Self::Closed => "closed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Unconditional => "无条件开放",
            Self::Conditional => "有条件开放",
            Self::Closed => "非开放",
        }
    }

    /// A sentence for citizens explaining what the class means for them.
    pub fn explanation(self) -> &'static str {
        match self {
            Self::Unconditional => {
                "任何人无需注册登录即可浏览、预览和下载本数据，并可依照开放许可用于科研、产品开发、咨询和数据加工等用途。"
            }
            Self::Conditional => {
                "本数据的目录信息公开，数据本身需要实名注册后提交开放申请，经数据提供部门在10个工作日内审核同意后，在授权的字段、方式和期限内使用，不得向第三方提供。"
            }
            Self::Closed => "本数据涉及个人隐私、商业秘密或国家秘密，依法不予开放。",
        }
    }

    pub fn is_public(self) -> bool {
        self != Self::Closed
    }

    pub fn requires_legal_basis(self) -> bool {
        self != Self::Unconditional
    }

    /// 0 for the most open class; a change to a higher number is a restriction.
    pub fn restrictiveness(self) -> u8 {
        match self {
            Self::Unconditional => 0,
            Self::Conditional => 1,
            Self::Closed => 2,
        }
    }
}

impl fmt::Display for OpenClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("未知的开放类型“{0}”（可选：unconditional、conditional、closed）")]
pub struct UnknownOpenClass(pub String);

impl FromStr for OpenClass {
    type Err = UnknownOpenClass;

    /// Accepts the API names and the Chinese labels.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|c| c.as_str() == s || c.label() == s)
            .ok_or_else(|| UnknownOpenClass(s.to_owned()))
    }
}

impl TryFrom<String> for OpenClass {
    type Error = UnknownOpenClass;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

/// An open class together with what the law requires to go with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classification {
    class: OpenClass,
    legal_basis: Option<String>,
    conditions: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClassificationError {
    #[error("{}需要填写法律依据", .0.label())]
    MissingLegalBasis(OpenClass),
    #[error("有条件开放的数据需要写明开放条件")]
    MissingConditions,
}

fn non_blank(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

impl Classification {
    /// Conditional and closed data need a legal basis; conditional data also needs the
    /// conditions an applicant must meet. Blank text counts as missing.
    pub fn new(
        class: OpenClass,
        legal_basis: Option<&str>,
        conditions: Option<&str>,
    ) -> Result<Self, ClassificationError> {
        let legal_basis = non_blank(legal_basis);
        let conditions = non_blank(conditions);
        if class.requires_legal_basis() && legal_basis.is_none() {
            return Err(ClassificationError::MissingLegalBasis(class));
        }
        if class == OpenClass::Conditional && conditions.is_none() {
            return Err(ClassificationError::MissingConditions);
        }
        Ok(Self {
            class,
            legal_basis,
            conditions,
        })
    }

    pub fn class(&self) -> OpenClass {
        self.class
    }
    pub fn legal_basis(&self) -> Option<&str> {
        self.legal_basis.as_deref()
    }
    pub fn conditions(&self) -> Option<&str> {
        self.conditions.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_api_names_and_chinese_labels() {
        assert_eq!("conditional".parse(), Ok(OpenClass::Conditional));
        assert_eq!("无条件开放".parse(), Ok(OpenClass::Unconditional));
        assert_eq!(" closed ".parse(), Ok(OpenClass::Closed));
        assert!("open".parse::<OpenClass>().is_err());
        assert!("".parse::<OpenClass>().is_err());
        assert!("CLOSED".parse::<OpenClass>().is_err());
    }

    #[test]
    fn round_trips_through_as_str() {
        for c in OpenClass::ALL {
            assert_eq!(c.as_str().parse(), Ok(c));
        }
    }

    #[test]
    fn only_closed_is_not_public() {
        assert!(OpenClass::Unconditional.is_public());
        assert!(OpenClass::Conditional.is_public());
        assert!(!OpenClass::Closed.is_public());
    }

    #[test]
    fn restrictive_classes_need_a_legal_basis() {
        assert!(Classification::new(OpenClass::Unconditional, None, None).is_ok());
        assert_eq!(
            Classification::new(OpenClass::Closed, None, None),
            Err(ClassificationError::MissingLegalBasis(OpenClass::Closed))
        );
        assert_eq!(
            Classification::new(OpenClass::Closed, Some("   "), None),
            Err(ClassificationError::MissingLegalBasis(OpenClass::Closed))
        );
        assert_eq!(
            Classification::new(OpenClass::Conditional, None, Some("仅限科研")),
            Err(ClassificationError::MissingLegalBasis(
                OpenClass::Conditional
            ))
        );
        let c = Classification::new(
            OpenClass::Closed,
            Some(" 《个人信息保护法》第二十八条 "),
            None,
        )
        .unwrap();
        assert_eq!(c.legal_basis(), Some("《个人信息保护法》第二十八条"));
    }

    #[test]
    fn conditional_needs_its_conditions() {
        assert_eq!(
            Classification::new(OpenClass::Conditional, Some("第三十七条"), Some("")),
            Err(ClassificationError::MissingConditions)
        );
        let c = Classification::new(OpenClass::Conditional, Some("第三十七条"), Some("仅限科研"))
            .unwrap();
        assert_eq!(c.conditions(), Some("仅限科研"));
    }

    #[test]
    fn restrictiveness_orders_the_classes() {
        assert!(
            OpenClass::Unconditional.restrictiveness() < OpenClass::Conditional.restrictiveness()
        );
        assert!(OpenClass::Conditional.restrictiveness() < OpenClass::Closed.restrictiveness());
    }
}
