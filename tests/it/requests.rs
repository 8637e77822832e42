//! Data requests (开放需求, issue 9): filed and voted for by people with accounts, routed by an
//! administrator, answered by the department on a working-day clock and linked to the dataset
//! once it is published.

use kaifang::domain::{DatasetStatus, Role};

use crate::both_backends;
use crate::helpers::{Backend, DatasetBuilder, Page, TestApp, location};

both_backends!(a_request_with_votes_is_routed_answered_and_linked_to_a_new_dataset);

fn votes(app: &TestApp, id: i32) -> i32 {
    kaifang::db::requests::by_id(&mut app.conn(), id)
        .unwrap()
        .unwrap()
        .votes
}

async fn a_request_with_votes_is_routed_answered_and_linked_to_a_new_dataset(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let a = app.department("hefei-transport", "合肥市交通运输局", "340100");
    app.department("wuhu-transport", "芜湖市交通运输局", "340200");
    app.account("dev@example.cn", Role::User, None);
    app.account("second@example.cn", Role::User, None);
    app.account("pa@hefei.gov.cn", Role::Publisher, Some("hefei-transport"));
    app.account("pb@wuhu.gov.cn", Role::Publisher, Some("wuhu-transport"));
    app.account("admin@ah.gov.cn", Role::Admin, None);
    // Anonymous people read the list but file nothing.
    assert_eq!(app.get("/requests").await.status(), 200);
    let res = app.get("/requests/new").await;
    assert_eq!(res.status(), 303);
    assert!(location(&res).starts_with("/login"));

    let dev = app.logged_in("dev@example.cn").await;
    // Too short: 400, what was typed kept.
    let res = dev
        .post(
            "/requests/new",
            &[
                ("title", "停车"),
                ("description", "合肥市公共停车场的实时空余车位数"),
                ("intended_use", "开发停车导航小程序"),
                ("department", "no-such-department"),
            ],
        )
        .await;
    assert_eq!(res.status(), 400);
    let page = Page::new(res.text().await.unwrap());
    assert!(page.text("#error-summary").contains("需要的数据"));
    assert!(page.text("#error-summary").contains("请从列表中选择部门"));
    assert_eq!(
        page.text("#f-description"),
        "合肥市公共停车场的实时空余车位数"
    );
    let res = dev
        .post(
            "/requests/new",
            &[
                ("title", "合肥市公共停车场实时空余车位"),
                (
                    "description",
                    "合肥市公共停车场的名称、位置、总车位和实时空余车位数",
                ),
                ("intended_use", "开发停车导航小程序"),
                ("department", "hefei-transport"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let url = location(&res);
    let id: i32 = url.strip_prefix("/requests/").unwrap().parse().unwrap();
    assert_eq!(votes(&app, id), 1, "the requester's own vote");
    // Another account: "I need this too", counted once however often it is pressed.
    let second = app.logged_in("second@example.cn").await;
    assert_eq!(second.post(&format!("{url}/vote"), &[]).await.status(), 303);
    assert_eq!(second.post(&format!("{url}/vote"), &[]).await.status(), 303);
    assert_eq!(dev.post(&format!("{url}/vote"), &[]).await.status(), 303);
    assert_eq!(votes(&app, id), 2);
    let res = app
        .client
        .post(format!("{}{url}/vote", app.address))
        .send()
        .await
        .unwrap();
    assert_ne!(res.status(), 200, "no anonymous votes");
    assert_eq!(votes(&app, id), 2);
    let public = app.ok_page(&url).await;
    assert_eq!(public.text("#request-votes"), "2");
    assert!(public.text("#request-status").contains("待分派"));
    assert!(
        !public.body.contains("dev@example.cn"),
        "who asked is not shown"
    );

    // An administrator routes it; the answer is due in 10 working days.
    let admin = app.logged_in("admin@ah.gov.cn").await;
    let route = format!("/admin/requests/{id}/route");
    assert_eq!(
        dev.post(&route, &[("department", "hefei-transport")])
            .await
            .status(),
        403
    );
    let res = admin.post(&route, &[("department", "")]).await;
    assert_eq!(res.status(), 400);
    let res = admin
        .post(&route, &[("department", "hefei-transport")])
        .await;
    assert_eq!(res.status(), 303);
    let r = kaifang::db::requests::by_id(&mut app.conn(), id)
        .unwrap()
        .unwrap();
    // Ten working days on the portal's own calendar (its public holidays included).
    let expected = kaifang::db::calendar::work_calendar(&mut app.conn())
        .unwrap()
        .add_working_days(app.clock.today(), 10);
    assert_eq!(r.due_on, Some(expected));
    let public = app.ok_page(&url).await;
    assert!(
        public
            .text("#request-department")
            .contains("合肥市交通运输局")
    );
    assert!(
        public
            .text("#request-department")
            .contains(&expected.to_string())
    );

    // Only the routed department answers.
    let pa = app.logged_in("pa@hefei.gov.cn").await;
    let pb = app.logged_in("pb@wuhu.gov.cn").await;
    let answer = format!("/console/requests/{id}/answer");
    let said = [
        ("outcome", "accepted"),
        ("answer", "同意开放，预计下月发布。"),
    ];
    assert_eq!(pb.post(&answer, &said).await.status(), 403);
    assert!(
        !pb.page("/console/requests")
            .await
            .1
            .text("main")
            .contains("停车场")
    );
    let res = pa
        .post(&answer, &[("answer", "同意开放，预计下月发布。")])
        .await;
    assert_eq!(res.status(), 400, "no outcome");
    let page = Page::new(res.text().await.unwrap());
    assert_eq!(
        page.text(&format!("#f-answer-{id}")),
        "同意开放，预计下月发布。"
    );
    assert_eq!(pa.post(&answer, &said).await.status(), 303);
    assert_eq!(pa.post(&answer, &said).await.status(), 409, "once");
    let public = app.ok_page(&url).await;
    assert!(public.text("#request-status").contains("部门同意开放"));
    assert_eq!(public.text("#request-answer"), "同意开放，预计下月发布。");

    // The department publishes the data and links it; a draft or another department's
    // dataset cannot be linked.
    DatasetBuilder::new("parking-draft", "合肥市停车场草稿", &a)
        .status(DatasetStatus::Draft)
        .insert(&app);
    let link = format!("/console/requests/{id}/link");
    assert_eq!(
        pa.post(&link, &[("dataset", "parking-draft")])
            .await
            .status(),
        400
    );
    DatasetBuilder::new("parking", "合肥市公共停车场实时空余车位", &a).insert(&app);
    assert_eq!(
        pb.post(&link, &[("dataset", "parking")]).await.status(),
        403
    );
    assert_eq!(
        pa.post(&link, &[("dataset", "parking")]).await.status(),
        303
    );
    let public = app.ok_page(&url).await;
    assert!(public.text("#request-status").contains("已开放"));
    assert_eq!(
        public.attrs("#request-dataset a", "href"),
        ["/datasets/parking"]
    );
    let list = app.ok_page("/requests").await;
    assert!(list.text("table").contains("合肥市公共停车场实时空余车位"));
    assert!(list.text("table").contains("已开放"));
    // Closed: no more votes.
    app.account("third@example.cn", Role::User, None);
    let third = app.logged_in("third@example.cn").await;
    assert_eq!(third.post(&format!("{url}/vote"), &[]).await.status(), 409);
    for action in [
        "request.submit",
        "request.route",
        "request.answer",
        "request.link",
    ] {
        assert_eq!(app.audited(action).len(), 1, "{action}");
    }
}
