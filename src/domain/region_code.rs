//! Administrative region codes (GB/T 2260): six digits, province + city + county.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionLevel {
    Province,
    City,
    County,
}

impl RegionLevel {
    pub const ALL: [RegionLevel; 3] = [Self::Province, Self::City, Self::County];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Province => "province",
            Self::City => "city",
            Self::County => "county",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Province => "省级",
            Self::City => "市级",
            Self::County => "县级",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("未知的层级“{0}”（可选：province、city、county）")]
pub struct UnknownLevel(pub String);

impl FromStr for RegionLevel {
    type Err = UnknownLevel;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|l| l.as_str() == s)
            .ok_or_else(|| UnknownLevel(s.to_owned()))
    }
}

impl TryFrom<String> for RegionLevel {
    type Error = UnknownLevel;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

/// The regex (ECMA-262) of what [`RegionCode::parse`] accepts, for the OpenAPI document.
pub fn pattern() -> String {
    format!(
        "^(?:{})(?:0000|(?:0[1-9]|[1-9][0-9])[0-9]{{2}})$",
        PROVINCES.join("|")
    )
}

/// Province-level codes of GB/T 2260 (mainland, Taiwan, Hong Kong, Macao).
const PROVINCES: [&str; 34] = [
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41",
    "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71",
    "81", "82",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegionCode([u8; 6]);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegionCodeError {
    #[error("行政区划代码应为 6 位数字")]
    Shape,
    #[error("行政区划代码的前两位不是有效的省级代码")]
    Province,
    #[error("县级代码不能属于一个不存在的地级代码（中间两位为 00）")]
    CountyWithoutCity,
}

impl RegionCode {
    pub fn parse(s: &str) -> Result<Self, RegionCodeError> {
        let bytes: [u8; 6] = s
            .as_bytes()
            .try_into()
            .map_err(|_| RegionCodeError::Shape)?;
        if !bytes.iter().all(u8::is_ascii_digit) {
            return Err(RegionCodeError::Shape);
        }
        if !PROVINCES.contains(&&s[0..2]) {
            return Err(RegionCodeError::Province);
        }
        // A county-level code always sits under a city-level part (province-administered
        // county-level units use 90, as in 429004), so 00 followed by a county part is invalid.
        if &s[2..4] == "00" && &s[4..6] != "00" {
            return Err(RegionCodeError::CountyWithoutCity);
        }
        Ok(Self(bytes))
    }

    pub fn as_str(&self) -> &str {
        // The bytes were checked to be ASCII digits in `parse`.
        std::str::from_utf8(&self.0).unwrap_or("000000")
    }

    pub fn level(&self) -> RegionLevel {
        match (&self.0[2..4], &self.0[4..6]) {
            (b"00", b"00") => RegionLevel::Province,
            (_, b"00") => RegionLevel::City,
            _ => RegionLevel::County,
        }
    }

    /// The region one level up, or `None` for a province.
    pub fn parent(&self) -> Option<RegionCode> {
        let mut up = self.0;
        match self.level() {
            RegionLevel::Province => return None,
            RegionLevel::City => up[2..6].copy_from_slice(b"0000"),
            RegionLevel::County => up[4..6].copy_from_slice(b"00"),
        }
        Some(Self(up))
    }

    /// Whether `other` is this region or lies inside it.
    pub fn contains(&self, other: &RegionCode) -> bool {
        match self.level() {
            RegionLevel::Province => self.0[0..2] == other.0[0..2],
            RegionLevel::City => self.0[0..4] == other.0[0..4],
            RegionLevel::County => self == other,
        }
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RegionCode {
    type Err = RegionCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for RegionCode {
    type Error = RegionCodeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

/// Names of the Anhui regions the portal serves (GB/T 2260, 2023 edition); `None` for others.
pub fn anhui_region_name(code: &RegionCode) -> Option<&'static str> {
    ANHUI
        .iter()
        .find(|(c, _)| *c == code.as_str())
        .map(|(_, n)| *n)
}

const ANHUI: &[(&str, &str)] = &[
    ("340000", "安徽省"),
    ("340100", "合肥市"),
    ("340102", "瑶海区"),
    ("340103", "庐阳区"),
    ("340104", "蜀山区"),
    ("340111", "包河区"),
    ("340121", "长丰县"),
    ("340122", "肥东县"),
    ("340123", "肥西县"),
    ("340124", "庐江县"),
    ("340181", "巢湖市"),
    ("340200", "芜湖市"),
    ("340202", "镜湖区"),
    ("340207", "鸠江区"),
    ("340209", "弋江区"),
    ("340210", "湾沚区"),
    ("340212", "繁昌区"),
    ("340223", "南陵县"),
    ("340281", "无为市"),
    ("340300", "蚌埠市"),
    ("340302", "龙子湖区"),
    ("340303", "蚌山区"),
    ("340304", "禹会区"),
    ("340311", "淮上区"),
    ("340321", "怀远县"),
    ("340322", "五河县"),
    ("340323", "固镇县"),
    ("340400", "淮南市"),
    ("340500", "马鞍山市"),
    ("340503", "花山区"),
    ("340504", "雨山区"),
    ("340506", "博望区"),
    ("340521", "当涂县"),
    ("340522", "含山县"),
    ("340523", "和县"),
    ("340600", "淮北市"),
    ("340700", "铜陵市"),
    ("340800", "安庆市"),
    ("340802", "迎江区"),
    ("340803", "大观区"),
    ("340811", "宜秀区"),
    ("340822", "怀宁县"),
    ("340825", "太湖县"),
    ("340826", "宿松县"),
    ("340827", "望江县"),
    ("340828", "岳西县"),
    ("340881", "桐城市"),
    ("340882", "潜山市"),
    ("341000", "黄山市"),
    ("341002", "屯溪区"),
    ("341003", "黄山区"),
    ("341004", "徽州区"),
    ("341021", "歙县"),
    ("341022", "休宁县"),
    ("341023", "黟县"),
    ("341024", "祁门县"),
    ("341100", "滁州市"),
    ("341102", "琅琊区"),
    ("341103", "南谯区"),
    ("341122", "来安县"),
    ("341124", "全椒县"),
    ("341125", "定远县"),
    ("341126", "凤阳县"),
    ("341181", "天长市"),
    ("341182", "明光市"),
    ("341200", "阜阳市"),
    ("341202", "颍州区"),
    ("341203", "颍东区"),
    ("341204", "颍泉区"),
    ("341221", "临泉县"),
    ("341222", "太和县"),
    ("341225", "阜南县"),
    ("341226", "颍上县"),
    ("341282", "界首市"),
    ("341300", "宿州市"),
    ("341500", "六安市"),
    ("341600", "亳州市"),
    ("341700", "池州市"),
    ("341800", "宣城市"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_follow_the_trailing_zeros() {
        assert_eq!(
            RegionCode::parse("340000").unwrap().level(),
            RegionLevel::Province
        );
        assert_eq!(
            RegionCode::parse("340100").unwrap().level(),
            RegionLevel::City
        );
        assert_eq!(
            RegionCode::parse("340104").unwrap().level(),
            RegionLevel::County
        );
    }

    #[test]
    fn parents_walk_up_the_tree() {
        let shushan = RegionCode::parse("340104").unwrap();
        let hefei = shushan.parent().unwrap();
        assert_eq!(hefei.as_str(), "340100");
        assert_eq!(hefei.parent().unwrap().as_str(), "340000");
        assert_eq!(hefei.parent().unwrap().parent(), None);
        assert!(hefei.contains(&shushan));
        assert!(!RegionCode::parse("340200").unwrap().contains(&shushan));
        assert!(RegionCode::parse("340000").unwrap().contains(&shushan));
    }

    #[test]
    fn rejects_malformed_codes() {
        for bad in [
            "",
            "34010",
            "3401000",
            "34010a",
            "３４０１００",
            "000000",
            "990000",
            "-34010",
        ] {
            assert!(RegionCode::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            RegionCode::parse("340001"),
            Err(RegionCodeError::CountyWithoutCity)
        );
    }

    #[test]
    fn names_the_anhui_regions() {
        assert_eq!(
            anhui_region_name(&RegionCode::parse("340100").unwrap()),
            Some("合肥市")
        );
        assert_eq!(
            anhui_region_name(&RegionCode::parse("110000").unwrap()),
            None
        );
        for (code, _) in ANHUI {
            let c = RegionCode::parse(code).unwrap();
            assert!(RegionCode::parse("340000").unwrap().contains(&c), "{code}");
        }
    }
}
