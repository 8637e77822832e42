//! The demo's emergency zone: one active flood with a week of hourly updates ending when the
//! demo is loaded, and two closed events in the archive, so the zone is alive on a fresh install.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::db::emergencies::{self as rows, NewUpdate, NewValue};
use crate::db::schema::{datasets, departments};
use crate::db::{DbConnection, write_transaction};
use crate::domain::EventCategory;
use crate::services::Actor;
use crate::services::emergencies::{EventInput, close_event, create_event};

fn department(conn: &mut DbConnection, slug: &str) -> QueryResult<Option<i32>> {
    departments::table
        .filter(departments::slug.eq(slug))
        .select(departments::id)
        .first(conn)
        .optional()
}

/// Up to `n` published, unconditionally open datasets of these departments.
fn open_datasets(conn: &mut DbConnection, depts: &[i32], n: i64) -> QueryResult<Vec<i32>> {
    datasets::table
        .filter(datasets::department_id.eq_any(depts.to_vec()))
        .filter(datasets::status.eq("published"))
        .filter(datasets::open_class.eq("unconditional"))
        .order(datasets::id)
        .limit(n)
        .select(datasets::id)
        .load(conn)
}

struct Figure {
    name: &'static str,
    unit: &'static str,
    value: f64,
}

fn post(
    conn: &mut DbConnection,
    event: i32,
    at: NaiveDateTime,
    text: &str,
    figures: &[Figure],
) -> QueryResult<()> {
    let u = rows::insert_update(
        conn,
        &NewUpdate {
            event_id: event,
            reported_at: at,
            posted_at: at,
            body: text,
            posted_by: None,
        },
    )?;
    let values: Vec<NewValue<'_>> = figures
        .iter()
        .map(|f| NewValue {
            update_id: u.id,
            indicator: f.name,
            value: (f.value * 10.0).round() / 10.0,
            unit: f.unit,
            region: "",
        })
        .collect();
    rows::insert_values(conn, &values)
}

/// Loads the three events (nothing when the departments are missing).
pub fn load(conn: &mut DbConnection, now: NaiveDateTime) -> Result<usize, diesel::result::Error> {
    let (Some(emergency), Some(water), Some(weather), Some(health)) = (
        department(conn, "ah-emergency")?,
        department(conn, "ah-water")?,
        department(conn, "ah-meteorology")?,
        department(conn, "ah-health")?,
    ) else {
        return Ok(0);
    };
    let actor = Actor::cli();
    write_transaction(conn, |conn| {
        // 1. Active: a flood in the Chaohu basin, hourly for the last seven days.
        let start = now - Duration::hours(168) - Duration::minutes(30);
        let flood = create_event(
            conn,
            &EventInput {
                slug: "2026-chaohu-flood".into(),
                title: "巢湖流域洪涝灾害".into(),
                category: EventCategory::NaturalDisaster,
                level: 3,
                regions: vec!["340100".into(), "340181".into(), "341500".into()],
                department_id: emergency,
                summary: "受持续强降雨影响，巢湖流域水位超警戒，合肥、六安部分地区发生内涝和山洪。省应急管理厅启动Ⅲ级应急响应，每两小时发布转移安置、避难场所和雨情水情数据。".into(),
                started_at: start,
                update_interval_minutes: 120,
                title_en: None,
                summary_en: None,
            },
            now,
            &actor,
        )?;
        for id in open_datasets(conn, &[emergency, water, weather], 4)? {
            rows::link_dataset(conn, flood.id, id)?;
        }
        for hour in 0..168 {
            let at = start + Duration::hours(hour) + Duration::minutes(30);
            let h = hour as f64;
            // Rain peaks on the second and fourth days; people moved follow with a lag.
            let rain = (8.0 * ((h - 30.0) / 9.0).cos().max(0.0)
                + 5.0 * ((h - 80.0) / 7.0).cos().max(0.0))
                * if (h as i64) % 3 == 0 { 1.2 } else { 0.9 };
            let moved = 12_000.0 / (1.0 + (-(h - 60.0) / 14.0).exp());
            let level =
                11.2 + 1.6 / (1.0 + (-(h - 50.0) / 12.0).exp()) - 0.004 * (h - 120.0).max(0.0);
            let shelters = (20.0 + moved / 180.0).floor();
            let text = match hour {
                0 => "省应急管理厅启动Ⅲ级应急响应，组织转移低洼地区群众。",
                h if h < 48 => "强降雨持续，巢湖水位上涨，各地继续转移受威胁群众。",
                h if h < 96 => "巢湖水位超警戒，避难场所全部开放，转移安置工作有序进行。",
                h if h < 144 => "降雨减弱，水位高位运行，加强堤防巡查。",
                _ => "水位缓慢回落，部分群众开始有序返回。",
            };
            post(
                conn,
                flood.id,
                at,
                text,
                &[
                    Figure {
                        name: "转移安置人数",
                        unit: "人",
                        value: moved.floor(),
                    },
                    Figure {
                        name: "避难场所开放数",
                        unit: "处",
                        value: shelters,
                    },
                    Figure {
                        name: "小时降雨量",
                        unit: "mm",
                        value: rain.max(0.0),
                    },
                    Figure {
                        name: "巢湖忠庙站水位",
                        unit: "m",
                        value: level,
                    },
                ],
            )?;
        }
        // 2. Closed: a dengue outbreak, daily reports.
        let dengue_start = now - Duration::days(400);
        let dengue = create_event(
            conn,
            &EventInput {
                slug: "2025-hefei-dengue".into(),
                title: "合肥市登革热本地疫情".into(),
                category: EventCategory::PublicHealth,
                level: 4,
                regions: vec!["340100".into()],
                department_id: health,
                summary: "合肥市发现登革热本地病例，卫生健康部门开展流行病学调查和媒介伊蚊控制，每日通报病例数。".into(),
                started_at: dengue_start,
                update_interval_minutes: 1440,
                title_en: None,
                summary_en: None,
            },
            now,
            &actor,
        )?;
        for day in 0..14 {
            let cases = (3.0 * (day as f64 + 1.0)).min(26.0 + day as f64);
            post(
                conn,
                dengue.id,
                dengue_start + Duration::days(day) + Duration::hours(9),
                "每日通报：新增病例均已隔离治疗，重点区域完成灭蚊。",
                &[
                    Figure {
                        name: "累计报告病例数",
                        unit: "人",
                        value: cases,
                    },
                    Figure {
                        name: "伊蚊监测点",
                        unit: "处",
                        value: 40.0 + day as f64 * 5.0,
                    },
                ],
            )?;
        }
        close_event(
            conn,
            "2025-hefei-dengue",
            dengue_start + Duration::days(14),
            &actor,
        )?;
        // 3. Closed: a chemical leak, a few reports on one day.
        let leak_start = now - Duration::days(700);
        let leak = create_event(
            conn,
            &EventInput {
                slug: "2024-chemical-park-leak".into(),
                title: "化工园区危险化学品泄漏事故".into(),
                category: EventCategory::Accident,
                level: 4,
                regions: vec!["340100".into()],
                department_id: emergency,
                summary: "某化工园区储罐阀门故障导致少量危险化学品泄漏，现场处置完毕，周边空气质量监测未见异常。".into(),
                started_at: leak_start,
                update_interval_minutes: 60,
                title_en: None,
                summary_en: None,
            },
            now,
            &actor,
        )?;
        for (i, (people, reading)) in [(300.0, 0.8), (300.0, 0.3), (0.0, 0.05)]
            .into_iter()
            .enumerate()
        {
            post(
                conn,
                leak.id,
                leak_start + Duration::hours(i as i64 + 1),
                "现场处置和周边空气监测进展。",
                &[
                    Figure {
                        name: "疏散人数",
                        unit: "人",
                        value: people,
                    },
                    Figure {
                        name: "周界监测超标点位",
                        unit: "处",
                        value: reading * 10.0,
                    },
                ],
            )?;
        }
        close_event(
            conn,
            "2024-chemical-park-leak",
            leak_start + Duration::hours(5),
            &actor,
        )?;
        Ok(3)
    })
}
