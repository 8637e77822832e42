//! Charts drawn on the server as SVG: the layout of an emergency indicator's line chart.

use chrono::NaiveDateTime;

use crate::i18n::Lang;
use crate::services::emergencies::Series;
use crate::services::preview::{Bar, Chart, direction, format_number, movement};

/// What a bar chart's summary says, for writing it in another language than the service's.
impl Chart {
    pub fn highest(&self) -> Option<&Bar> {
        self.bars.iter().max_by(|a, b| a.value.total_cmp(&b.value))
    }

    pub fn lowest(&self) -> Option<&Bar> {
        self.bars.iter().min_by(|a, b| a.value.total_cmp(&b.value))
    }

    /// For a chart over time, how the last bar compares with the first: "up", "down" or
    /// "level" (within half a percent).
    pub fn trend(&self) -> Option<&'static str> {
        match (self.bars.first(), self.bars.last()) {
            (Some(a), Some(b)) if self.chronological => Some(direction(a.value, b.value)),
            _ => None,
        }
    }
}

/// Text for HTML (the data inside the English summary).
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Beijing time, as everywhere on the site: 07-01 08:00.
fn beijing(t: NaiveDateTime) -> String {
    (t + chrono::Duration::hours(8))
        .format("%m-%d %H:%M")
        .to_string()
}

/// [`LineChart::summary`] in the page's language, as HTML: on English pages the indicator and
/// its unit (data, in Chinese) are marked `lang="zh-CN"`.
pub fn summary_html(series: &Series, lang: &Lang) -> String {
    let lang = *lang;
    let what = format!(
        "<span lang=\"zh-CN\">{}</span>{}<span lang=\"zh-CN\">{}</span>{}",
        escape(&series.indicator),
        lang.t("public-api-paren-open"),
        escape(&series.unit),
        lang.t("public-api-paren-close"),
    );
    let max = series
        .points
        .iter()
        .map(|(_, v)| *v)
        .fold(0.0_f64, f64::max);
    match (series.points.first(), series.points.last()) {
        (Some(a), Some(b)) if series.points.len() > 1 => {
            let movement = lang.t_args(
                &format!("public-line-{}", direction(a.1, b.1)),
                &[
                    ("a", beijing(a.0).into()),
                    ("sa", format_number(a.1).into()),
                    ("b", beijing(b.0).into()),
                    ("sb", format_number(b.1).into()),
                ],
            );
            lang.t_args(
                "public-line-summary",
                &[
                    ("what", what.into()),
                    ("count", (series.points.len() as i64).into()),
                    ("movement", movement.into()),
                    ("max", format_number(max).into()),
                ],
            )
        }
        (Some(a), _) => lang.t_args(
            "public-line-one",
            &[
                ("what", what.into()),
                ("t", beijing(a.0).into()),
                ("v", format_number(a.1).into()),
            ],
        ),
        _ => lang.t_args("public-line-none", &[("what", what.into())]),
    }
}

/// A line chart of one series, laid out for an SVG 640 × 200.
#[derive(Debug, Clone)]
pub struct LineChart {
    pub width: f64,
    pub height: f64,
    /// `x,y x,y …` for `<polyline points>`.
    pub points: String,
    pub dots: Vec<(f64, f64)>,
    pub max_label: String,
    /// The value at the baseline: 0, or just under the lowest value for series that move in a
    /// narrow band far from zero (a water level).
    pub min_label: String,
    pub first_label: String,
    pub last_label: String,
    /// Left edge of the plot and the baseline's y.
    pub left: f64,
    pub bottom: f64,
    /// One sentence on the trend (first to last, highest), for every reader beside the table.
    pub summary: String,
}

pub fn line_chart(series: &Series) -> LineChart {
    const W: f64 = 640.0;
    const H: f64 = 200.0;
    const LEFT: f64 = 60.0;
    const RIGHT: f64 = 16.0;
    const TOP: f64 = 14.0;
    const BOTTOM: f64 = 30.0;
    let max = series
        .points
        .iter()
        .map(|(_, v)| *v)
        .fold(0.0_f64, f64::max);
    let min = series
        .points
        .iter()
        .map(|(_, v)| *v)
        .fold(f64::INFINITY, f64::min);
    let lo = if min.is_finite() && min > 0.0 && max - min < 0.5 * max {
        (min - (max - min).max(max * 0.01) * 0.2).max(0.0)
    } else {
        0.0
    };
    let first = series.points.first().map(|(t, _)| *t);
    let last = series.points.last().map(|(t, _)| *t);
    let span = match (first, last) {
        (Some(a), Some(b)) => (b - a).num_seconds().max(1) as f64,
        _ => 1.0,
    };
    let dots: Vec<(f64, f64)> = series
        .points
        .iter()
        .map(|(t, v)| {
            let x = if series.points.len() == 1 {
                LEFT + (W - LEFT - RIGHT) / 2.0
            } else {
                LEFT + (*t - first.unwrap_or(*t)).num_seconds() as f64 / span * (W - LEFT - RIGHT)
            };
            let y = if max > lo {
                TOP + (1.0 - (v.max(lo) - lo) / (max - lo)) * (H - TOP - BOTTOM)
            } else {
                H - BOTTOM
            };
            ((x * 10.0).round() / 10.0, (y * 10.0).round() / 10.0)
        })
        .collect();
    // Beijing time, as everywhere on the site.
    let fmt = |t: Option<NaiveDateTime>| {
        t.map(|t| {
            (t + chrono::Duration::hours(8))
                .format("%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default()
    };
    let summary = match (series.points.first(), series.points.last()) {
        (Some(a), Some(b)) if series.points.len() > 1 => {
            let (fa, fb) = (fmt(Some(a.0)), fmt(Some(b.0)));
            let (sa, sb) = (format_number(a.1), format_number(b.1));
            format!(
                // i18n: the Chinese summary; English pages use summary_html
                "{}（{}）共 {} 个数据，{}，最高为 {}。",
                series.indicator,
                series.unit,
                series.points.len(),
                movement((&fa, &sa, a.1), (&fb, &sb, b.1)),
                format_number(max)
            )
        }
        (Some(a), _) => format!(
            // i18n: the Chinese summary; English pages use summary_html
            "{}（{}）只有 1 个数据：{} 的 {}。",
            series.indicator,
            series.unit,
            fmt(Some(a.0)),
            format_number(a.1)
        ),
        // i18n: the Chinese summary; English pages use summary_html
        _ => format!("{}暂无数据。", series.indicator),
    };
    LineChart {
        summary,
        width: W,
        height: H,
        points: dots
            .iter()
            .map(|(x, y)| format!("{x},{y}"))
            .collect::<Vec<_>>()
            .join(" "),
        dots,
        max_label: format_number(max),
        min_label: format_number(lo),
        first_label: fmt(first),
        last_label: fmt(last),
        left: LEFT,
        bottom: H - BOTTOM,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: u32) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 7, 1)
            .unwrap()
            .and_hms_opt(h, 0, 0)
            .unwrap()
    }

    #[test]
    fn the_chart_spans_the_series() {
        let s = Series {
            indicator: "转移安置人数".into(),
            unit: "人".into(),
            points: vec![(at(0), 0.0), (at(6), 50.0), (at(12), 100.0)],
        };
        let c = line_chart(&s);
        assert_eq!(c.dots.first(), Some(&(60.0, 170.0)));
        assert_eq!(c.dots.last(), Some(&(624.0, 14.0)));
        assert_eq!(c.dots[1], (342.0, 92.0));
        assert_eq!(c.max_label, "100");
        assert_eq!(c.first_label, "07-01 08:00", "Beijing time");
        assert_eq!(c.min_label, "0");
        assert_eq!(
            c.summary,
            "转移安置人数（人）共 3 个数据，从 07-01 08:00 的 0 上升到 07-01 20:00 的 100，最高为 100。"
        );
        // A narrow band far from zero gets a baseline under its lowest value.
        let level = Series {
            indicator: "水位".into(),
            unit: "m".into(),
            points: vec![(at(0), 11.0), (at(1), 12.0)],
        };
        let c = line_chart(&level);
        assert_eq!(c.min_label, "10.8");
        assert_eq!(
            c.dots[0].1, 144.0,
            "the lowest value sits just above the baseline"
        );
        assert_eq!(c.dots[1].1, 14.0);
    }
}
