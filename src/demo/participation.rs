//! The demo's public participation: error reviews in every state (one answered late, one
//! extended), data requests with votes (open, routed, accepted, answered with a dataset),
//! approved showcase items and one awaiting review, ratings and comments (one reported), so
//! that `/requests`, `/showcase`, `/stats` and the consoles are alive on a fresh install. The
//! demo people cannot log in (their password hash is not a hash).

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::datasets;
use crate::db::users::{self as user_rows, NewUser};
use crate::db::{DbConnection, calendar, requests, reviews, showcase, social, write_transaction};
use crate::domain::{RequestStatus, ReviewStatus};

/// The first `n` published datasets of this class, with their department.
fn public(conn: &mut DbConnection, class: &str, n: i64) -> QueryResult<Vec<(i32, i32)>> {
    datasets::table
        .filter(datasets::status.eq("published"))
        .filter(datasets::open_class.eq(class))
        .order(datasets::id)
        .limit(n)
        .select((datasets::id, datasets::department_id))
        .load(conn)
}

fn china_day(t: NaiveDateTime) -> chrono::NaiveDate {
    (t + Duration::hours(8)).date()
}

/// Loads it all; returns how many items (reviews, requests, showcase items, comments).
pub fn load(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<usize> {
    let open = public(conn, "unconditional", 8)?;
    if open.len() < 8 {
        return Ok(0);
    }
    write_transaction(conn, |conn| {
        let cal = calendar::work_calendar(conn)?;
        let mut people = Vec::new();
        for i in 1..=12 {
            let email = format!("citizen{i}@demo.kaifang.invalid");
            people.push(
                user_rows::insert(
                    conn,
                    &NewUser {
                        email: &email,
                        display_name: &format!("演示用户{i}"),
                        // Not a PHC string: nobody can log in as a demo person.
                        password_hash: "!demo",
                        role: "user",
                        department_id: None,
                        created_at: now - Duration::days(120),
                        kind: "individual",
                        status: "unverified",
                        real_name: None,
                        mobile: None,
                        id_number_hash: None,
                        id_number_masked: None,
                        org_name: None,
                        credit_code: None,
                        password_changed_at: None,
                    },
                )?
                .id,
            );
        }
        let mut items = 0;

        // Error reviews: corrected in 6 working days; extended then answered; under review;
        // unanswered past its deadline.
        let reviews_seed: [(usize, i64, &str, &str, &str); 4] = [
            (
                0,
                30,
                "第 3 行的开放时间与现场公示不一致",
                "7:00-22:00",
                "corrected",
            ),
            (1, 45, "统计口径说明缺少 2023 年的调整", "", "extended"),
            (
                2,
                3,
                "部分记录的行政区划代码已撤销",
                "使用新代码",
                "reviewing",
            ),
            (3, 25, "数据中有重复记录", "", "late"),
        ];
        for (i, (d, days_ago, what, fix, state)) in reviews_seed.into_iter().enumerate() {
            let created = now - Duration::days(days_ago);
            let due = cal.add_working_days(china_day(created), 10);
            let r = reviews::insert(
                conn,
                &reviews::NewErrorReview {
                    dataset_id: open[d].0,
                    resource_id: None,
                    location_row: "",
                    location_field: "",
                    description: what,
                    correction: fix,
                    evidence_key: None,
                    evidence_name: None,
                    evidence_type: None,
                    reporter_id: Some(people[i]),
                    reporter_contact: None,
                    status: ReviewStatus::Received.as_str(),
                    due_on: due,
                    created_at: created,
                },
            )?;
            let answer_at = |wd: u32| {
                cal.add_working_days(china_day(created), wd)
                    .and_hms_opt(2, 0, 0)
                    .unwrap_or(now)
            };
            match state {
                "corrected" => {
                    reviews::answer(
                        conn,
                        r.id,
                        ReviewStatus::Corrected,
                        "经核实已更正开放时间，新数据已发布。",
                        None,
                        people[0],
                        answer_at(6),
                    )?;
                }
                "extended" => {
                    let until = cal.add_working_days(due, 5);
                    reviews::extend(conn, r.id, until, "需要向统计部门核实历年口径调整文件")?;
                    reviews::answer(
                        conn,
                        r.id,
                        ReviewStatus::NotError,
                        "经核实，2023 年口径未调整，说明无误。",
                        None,
                        people[1],
                        answer_at(13),
                    )?;
                }
                "reviewing" => {
                    reviews::set_status(
                        conn,
                        r.id,
                        ReviewStatus::Received,
                        ReviewStatus::Reviewing,
                    )?;
                }
                _ => {}
            }
            items += 1;
        }

        // Data requests with votes, routed to the department of the dataset that answers the
        // first one.
        let (linked_title, city) = {
            let d = crate::db::datasets::by_id(conn, open[7].0)?;
            let dept = crate::db::departments::by_id(conn, d.department_id)?.name;
            let city = match dept.find('市') {
                Some(i) => dept[..i + '市'.len_utf8()].to_owned(),
                None => "安徽省".to_owned(),
            };
            (d.title, city)
        };
        let (parking, charging, schools) = (
            linked_title.clone(),
            format!("{city}充电桩位置与空闲状态"),
            format!("{city}中小学学区划分范围"),
        );
        let requests_seed: [(&str, &str, &str, usize, &str); 4] = [
            (
                &parking,
                "希望开放完整的数据，并按月更新",
                "开发出行服务小程序",
                11,
                "published",
            ),
            (
                &charging,
                "公共充电桩的位置、功率、运营单位和实时空闲状态",
                "新能源汽车出行规划研究",
                8,
                "accepted",
            ),
            (
                &schools,
                "各中小学的学区范围（街道、小区）和招生年份",
                "帮助家长了解学区",
                6,
                "routed",
            ),
            (
                "历年气象灾害影响评估",
                "台风、暴雨、干旱等气象灾害对农业的影响评估",
                "农业保险精算模型",
                3,
                "open",
            ),
        ];
        for (title, description, used_for, votes, state) in requests_seed {
            let created = now - Duration::days(40);
            let r = requests::insert(
                conn,
                &requests::NewDataRequest {
                    title,
                    description,
                    intended_use: used_for,
                    suggested_department_id: None,
                    requested_by: people[0],
                    status: RequestStatus::Open.as_str(),
                    votes: 0,
                    created_at: created,
                },
            )?;
            for p in people.iter().take(votes) {
                requests::vote(conn, r.id, *p, created + Duration::days(1))?;
            }
            if state != "open" {
                let routed = created + Duration::days(2);
                let due = cal.add_working_days(china_day(routed), 10);
                requests::route(conn, r.id, open[7].1, due, routed)?;
                let answered = routed + Duration::days(6);
                match state {
                    "accepted" => {
                        requests::answer(
                            conn,
                            r.id,
                            RequestStatus::Accepted,
                            "同意开放，正在与运营单位对接数据接口，预计下季度发布。",
                            people[0],
                            answered,
                        )?;
                    }
                    "published" => {
                        requests::answer(
                            conn,
                            r.id,
                            RequestStatus::Accepted,
                            "同意开放。",
                            people[0],
                            answered,
                        )?;
                        requests::link(conn, r.id, open[7].0, (answered, people[0]))?;
                    }
                    _ => {}
                }
            }
            items += 1;
        }

        // The showcase: three approved, one awaiting review.
        let showcase_seed: [(&str, &str, &str, &[usize], &str); 4] = [
            (
                "安徽公交出行助手",
                "application",
                "基于公交线路和站点数据的换乘查询与到站提醒小程序，日活约 2 万人。",
                &[0, 1],
                "approved",
            ),
            (
                "安徽省空气质量十年变化研究",
                "report",
                "利用空气质量监测数据分析 2015 年以来主要污染物浓度变化，发表于省环境科学学会年会。",
                &[2],
                "approved",
            ),
            (
                "合肥市医疗资源分布地图",
                "visualisation",
                "把医疗机构名录画在地图上，按街道统计每千人床位数。",
                &[3, 4],
                "approved",
            ),
            (
                "安徽景区客流预测",
                "application",
                "根据历史客流预测节假日景区拥挤程度。",
                &[5],
                "pending",
            ),
        ];
        for (i, (title, kind, description, used, state)) in showcase_seed.into_iter().enumerate() {
            let ids: Vec<i32> = used.iter().map(|&k| open[k].0).collect();
            let link = format!("https://example.org/kaifang-demo/{}", i + 1);
            let item = showcase::insert(
                conn,
                &showcase::NewItem {
                    title,
                    description,
                    link: &link,
                    kind,
                    screenshot_key: None,
                    submitted_by: people[i + 2],
                    status: "pending",
                    link_status: "unchecked",
                    created_at: now - Duration::days(20 - i as i64),
                },
                &ids,
            )?;
            if state == "approved" {
                showcase::decide(
                    conn,
                    item.id,
                    "approved",
                    None,
                    people[0],
                    now - Duration::days(18),
                )?;
            }
            items += 1;
        }

        // Ratings and comments on the first dataset; one comment reported.
        for (k, stars) in [5, 4, 4, 5, 3].into_iter().enumerate() {
            social::rate(conn, open[0].0, people[k], stars, now - Duration::days(10))?;
        }
        for (k, body) in [
            "数据很实用，希望能增加站点的经纬度。",
            "更新及时，点赞。",
            "加微信领取更多数据 xxx",
        ]
        .into_iter()
        .enumerate()
        {
            let c = social::insert_comment(
                conn,
                open[0].0,
                people[k + 5],
                body,
                now - Duration::days(9 - k as i64),
            )?;
            if k == 2 {
                social::set_status(
                    conn,
                    c.id,
                    "visible",
                    "reported",
                    None,
                    now - Duration::days(6),
                )?;
            }
            items += 1;
        }
        Ok(items)
    })
}
