//! Emergency updates (Art. 36): what a department may post, checked before anything is stored.
//!
//! An update is a text and indicator values: a name (转移安置人数), a finite number, a unit from a
//! fixed list (so that a series never mixes 人 and 万人) and optionally the region it counts.

use super::RegionCode;

/// Units an indicator may be counted in.
pub const UNITS: &[&str] = &[
    "人", "万人", "户", "个", "处", "座", "间", "辆", "艘", "次", "起", "所", "家", "条", "mm",
    "m", "km", "m³", "m³/s", "万m³", "℃", "hPa", "m/s", "公顷", "亩", "万元", "亿元", "吨", "%",
];

/// Longest update text, in characters.
pub const MAX_TEXT_CHARS: usize = 2000;
/// Most indicator values in one update.
pub const MAX_VALUES: usize = 50;
/// Longest indicator name, in characters.
pub const MAX_INDICATOR_CHARS: usize = 30;

/// An indicator value as it arrives (from the console form or the API).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ValueInput {
    pub name: String,
    pub value: String,
    pub unit: String,
    pub region: String,
}

/// A checked indicator value.
#[derive(Debug, Clone, PartialEq)]
pub struct IndicatorValue {
    pub name: String,
    pub value: f64,
    pub unit: &'static str,
    /// A division code, or empty for the whole affected area.
    pub region: String,
}

/// A checked update: the text and its values.
#[derive(Debug, Clone, PartialEq)]
pub struct UpdateContent {
    pub text: String,
    pub values: Vec<IndicatorValue>,
}

/// Checks an update. Errors are keyed by field (`text`, `indicators[2].unit`, …).
pub fn check_update(
    text: &str,
    values: &[ValueInput],
) -> Result<UpdateContent, Vec<(String, String)>> {
    let mut errors = Vec::new();
    let text = text.trim();
    let chars = text.chars().count();
    if chars == 0 {
        errors.push(("text".into(), "请填写更新内容".into()));
    } else if chars > MAX_TEXT_CHARS {
        errors.push((
            "text".into(),
            format!("更新内容最多 {MAX_TEXT_CHARS} 个字（现有 {chars} 个）"),
        ));
    }
    if values.len() > MAX_VALUES {
        errors.push(("indicators".into(), format!("一次最多 {MAX_VALUES} 项指标")));
    }
    let mut checked = Vec::new();
    for (i, v) in values.iter().enumerate().take(MAX_VALUES) {
        let at = |f: &str| format!("indicators[{i}].{f}");
        let name = v.name.trim();
        let name_chars = name.chars().count();
        if name_chars == 0 || name_chars > MAX_INDICATOR_CHARS {
            errors.push((
                at("name"),
                format!("指标名称应为 1 到 {MAX_INDICATOR_CHARS} 个字"),
            ));
        }
        let number = v.value.trim().parse::<f64>().ok().filter(|n| n.is_finite());
        if number.is_none() {
            errors.push((at("value"), format!("“{}”不是数值", v.value.trim())));
        }
        let unit = UNITS.iter().copied().find(|u| *u == v.unit.trim());
        if unit.is_none() {
            errors.push((
                at("unit"),
                format!(
                    "未知的计量单位“{}”；可用：{}",
                    v.unit.trim(),
                    UNITS.join("、") // i18n: a separator inside a value
                ),
            ));
        }
        let region = v.region.trim();
        if !region.is_empty() && RegionCode::parse(region).is_err() {
            errors.push((at("region"), format!("“{region}”不是有效的行政区划代码")));
        }
        if let (Some(value), Some(unit)) = (number, unit) {
            checked.push(IndicatorValue {
                name: name.to_owned(),
                value,
                unit,
                region: region.to_owned(),
            });
        }
    }
    if errors.is_empty() {
        Ok(UpdateContent {
            text: text.to_owned(),
            values: checked,
        })
    } else {
        Err(errors)
    }
}

/// The most attachments one update carries.
pub const MAX_ATTACHMENTS: usize = 5;

/// Roman numerals of the response levels.
pub fn level_label(level: &i32) -> &'static str {
    match *level {
        1 => "Ⅰ级（特别重大）",
        2 => "Ⅱ级（重大）",
        3 => "Ⅲ级（较大）",
        _ => "Ⅳ级（一般）",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(name: &str, value: &str, unit: &str) -> ValueInput {
        ValueInput {
            name: name.into(),
            value: value.into(),
            unit: unit.into(),
            region: String::new(),
        }
    }

    #[test]
    fn a_good_update_passes_and_bad_ones_say_where() {
        let ok = check_update("  水位回落  ", &[v("转移安置人数", "1250", "人")]).unwrap();
        assert_eq!(ok.text, "水位回落");
        assert_eq!(ok.values[0].value, 1250.0);
        let errors = check_update(
            "",
            &[
                v("降雨量", "很多", "mm"),
                v("水位", "3", "米"),
                v("", "1", "人"),
            ],
        )
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(
            fields,
            [
                "text",
                "indicators[0].value",
                "indicators[1].unit",
                "indicators[2].name"
            ]
        );
        assert!(check_update(&"字".repeat(MAX_TEXT_CHARS + 1), &[]).is_err());
        assert!(check_update("x", &[v("a", "NaN", "人")]).is_err());
        assert!(check_update("x", &[v("a", "inf", "人")]).is_err());
    }
}
