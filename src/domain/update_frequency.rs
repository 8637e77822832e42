//! Update frequency (更新周期) of a dataset, as in the national catalog guide.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UpdateFrequency {
    Realtime,
    Daily,
    Weekly,
    Monthly,
    Quarterly,
    Semiannual,
    Annual,
    Irregular,
}

impl UpdateFrequency {
    pub const ALL: [UpdateFrequency; 8] = [
        Self::Realtime,
        Self::Daily,
        Self::Weekly,
        Self::Monthly,
        Self::Quarterly,
        Self::Semiannual,
        Self::Annual,
        Self::Irregular,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Realtime => "realtime",
            Self::Daily => "daily",
            Self::Weekly => "weekly",
            Self::Monthly => "monthly",
            Self::Quarterly => "quarterly",
            Self::Semiannual => "semiannual",
            Self::Annual => "annual",
            Self::Irregular => "irregular",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Realtime => "实时",
            Self::Daily => "每日",
            Self::Weekly => "每周",
            Self::Monthly => "每月",
            Self::Quarterly => "每季度",
            Self::Semiannual => "每半年",
            Self::Annual => "每年",
            Self::Irregular => "不定期",
        }
    }

    /// The longest gap between updates a user may expect, in days; `None` when irregular.
    pub fn expected_interval_days(self) -> Option<u32> {
        match self {
            Self::Realtime | Self::Daily => Some(1),
            Self::Weekly => Some(7),
            Self::Monthly => Some(31),
            Self::Quarterly => Some(92),
            Self::Semiannual => Some(183),
            Self::Annual => Some(366),
            Self::Irregular => None,
        }
    }
}

impl UpdateFrequency {
    /// Whether a dataset last updated at `last` is late at `now`: more than its declared cycle
    /// has passed (the cycle in [`expected_interval_days`](Self::expected_interval_days)).
    /// Irregular data is never late.
    pub fn is_late(self, last: chrono::NaiveDateTime, now: chrono::NaiveDateTime) -> bool {
        match self.expected_interval_days() {
            Some(days) => now - last > chrono::Duration::days(i64::from(days)),
            None => false,
        }
    }
}

impl fmt::Display for UpdateFrequency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("未知的更新周期“{0}”")]
pub struct UnknownFrequency(pub String);

impl FromStr for UpdateFrequency {
    type Err = UnknownFrequency;
    /// Accepts the API names and the Chinese labels.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|f| f.as_str() == s || f.label() == s)
            .ok_or_else(|| UnknownFrequency(s.to_owned()))
    }
}

impl TryFrom<String> for UpdateFrequency {
    type Error = UnknownFrequency;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_update_is_late_once_its_cycle_has_passed() {
        let last = chrono::NaiveDate::from_ymd_opt(2026, 1, 1)
            .unwrap()
            .and_hms_opt(8, 0, 0)
            .unwrap();
        let after =
            |d: i64, s: i64| last + chrono::Duration::days(d) + chrono::Duration::seconds(s);
        // (frequency, the last on-time moment in days): one second later it is late.
        for (f, days) in [
            (UpdateFrequency::Realtime, 1),
            (UpdateFrequency::Daily, 1),
            (UpdateFrequency::Weekly, 7),
            (UpdateFrequency::Monthly, 31),
            (UpdateFrequency::Quarterly, 92),
            (UpdateFrequency::Semiannual, 183),
            (UpdateFrequency::Annual, 366),
        ] {
            assert!(!f.is_late(last, last), "{f}: just updated");
            assert!(!f.is_late(last, after(days, 0)), "{f}: exactly one cycle");
            assert!(f.is_late(last, after(days, 1)), "{f}: past one cycle");
        }
        assert!(!UpdateFrequency::Irregular.is_late(last, after(3650, 0)));
        assert_eq!(
            UpdateFrequency::ALL.len(),
            8,
            "every frequency is covered above"
        );
    }

    #[test]
    fn parses_names_and_labels() {
        assert_eq!("quarterly".parse(), Ok(UpdateFrequency::Quarterly));
        assert_eq!("每半年".parse(), Ok(UpdateFrequency::Semiannual));
        assert_eq!("不定期".parse(), Ok(UpdateFrequency::Irregular));
        assert!("hourly".parse::<UpdateFrequency>().is_err());
        assert!("".parse::<UpdateFrequency>().is_err());
    }

    #[test]
    fn every_frequency_round_trips() {
        for f in UpdateFrequency::ALL {
            assert_eq!(f.as_str().parse(), Ok(f));
            assert_eq!(f.label().parse(), Ok(f));
        }
    }

    #[test]
    fn intervals_grow_with_the_period() {
        let days: Vec<u32> = UpdateFrequency::ALL
            .iter()
            .filter_map(|f| f.expected_interval_days())
            .collect();
        assert!(days.windows(2).all(|w| w[0] <= w[1]), "{days:?}");
        assert_eq!(UpdateFrequency::Irregular.expected_interval_days(), None);
    }
}
