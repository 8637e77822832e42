//! The account and application pages in English (issue 20): a form sent from an English page
//! comes back with English labels and errors, and the mail an action sends is written in the
//! language of the page it was taken on, while the inbox keeps the portal's Chinese record.

use diesel::prelude::*;
use kaifang::db::schema::{mail_outbox as m, notifications as n};

use crate::accounts::person_form;
use crate::applications::{apply, setup};
use crate::both_backends;
use crate::english::chinese_ui_text;
use crate::helpers::{Backend, TestApp, location};

both_backends!(
    registering_in_english_answers_and_mails_in_english,
    mail_follows_the_page_the_action_was_taken_on
);

fn mails_to(app: &TestApp, user_id: i32) -> Vec<(String, String)> {
    m::table
        .filter(m::user_id.eq(user_id))
        .order(m::id)
        .select((m::subject, m::body))
        .load(&mut *app.conn())
        .unwrap()
}

fn inbox_of(app: &TestApp, user_id: i32) -> Vec<(String, String)> {
    n::table
        .filter(n::user_id.eq(user_id))
        .order(n::id)
        .select((n::subject, n::body))
        .load(&mut *app.conn())
        .unwrap()
}

fn user_id(app: &TestApp, email: &str) -> i32 {
    kaifang::db::users::by_email(&mut app.conn(), email)
        .unwrap()
        .unwrap()
        .id
}

async fn registering_in_english_answers_and_mails_in_english(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let mut b = app.browser();
    for kind in ["individual", "organisation"] {
        let (status, page) = b.page(&format!("/en/register/{kind}")).await;
        assert_eq!(status, 200);
        assert_eq!(chinese_ui_text(&page.html), Vec::<String>::new(), "{kind}");
    }
    // Bad input: the page comes back in English, errors and labels alike.
    b.refresh_csrf("/en/register/individual").await;
    let res = b
        .post(
            "/en/register/individual",
            &[
                ("real_name", "李"),
                ("password", "a"),
                ("password_confirm", "b"),
            ],
        )
        .await;
    assert_eq!(res.status(), 400);
    let page = crate::helpers::Page::new(res.text().await.unwrap());
    let main = page.text("main");
    assert!(
        main.contains("Enter your name (2 to 50 characters)"),
        "{main}"
    );
    assert!(
        main.contains("The two passwords are not the same"),
        "{main}"
    );
    assert!(main.contains("Resident identity card number"), "{main}");
    assert!(
        page.attrs("form", "action")
            .contains(&"/en/register/individual".to_owned())
    );

    // A registration from the English page: the answer and the welcome mail are English.
    let res = b
        .post(
            "/en/register/individual",
            &person_form("li@example.cn", "440524188001010014"),
        )
        .await;
    assert_eq!(location(&res), "/en/login");
    let (_, login) = b.page("/en/login").await;
    assert!(
        login
            .text("main")
            .contains("Your registration has been received")
    );
    let id = user_id(&app, "li@example.cn");
    let mails = mails_to(&app, id);
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].0, "Welcome");
    assert!(
        mails[0].1.starts_with("Your account has been created"),
        "{}",
        mails[0].1
    );
    assert!(
        !mails[0]
            .1
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    );
    assert_eq!(
        inbox_of(&app, id)[0].0,
        "欢迎注册",
        "the inbox keeps the Chinese record"
    );

    // Someone registers again with the same details from the English page: the owner is told
    // in English.
    let mut again = app.browser();
    again.refresh_csrf("/en/register/individual").await;
    let res = again
        .post(
            "/en/register/individual",
            &person_form("li@example.cn", "440524188001010014"),
        )
        .await;
    assert_eq!(location(&res), "/en/login");
    let mails = mails_to(&app, id);
    assert_eq!(mails.len(), 2);
    assert_eq!(
        mails[1].0,
        "Someone tried to register an account with your details"
    );
    assert!(
        mails[1]
            .1
            .contains("your email address and your resident identity card number"),
        "{}",
        mails[1].1
    );
}

async fn mail_follows_the_page_the_action_was_taken_on(backend: Backend) {
    let Some(mut s) = setup(backend).await else {
        return;
    };
    let reviewer = user_id(&s.app, "reviewer@example.cn");
    let applicant = user_id(&s.app, "researcher@example.cn");
    // Applied on a Chinese page: the reviewer's mail is Chinese, as before.
    let first = apply(&s, "30").await;
    let mails = mails_to(&s.app, reviewer);
    assert_eq!(mails.last().unwrap().0, "新的开放申请：合肥市企业登记信息");

    // The applicant withdraws it on an English page: the reviewer's mail is English, the
    // inbox Chinese.
    s.applicant.refresh_csrf("/en/account/applications").await;
    let res = s
        .applicant
        .post(&format!("/en/account/applications/{first}/withdraw"), &[])
        .await;
    assert_eq!(location(&res), "/en/account/applications");
    let (_, mine) = s.applicant.page("/en/account/applications").await;
    assert!(
        mine.text("main")
            .contains("The application has been withdrawn.")
    );
    let (subject, body) = mails_to(&s.app, reviewer).pop().unwrap();
    assert_eq!(subject, "Application withdrawn: 合肥市企业登记信息");
    assert_eq!(
        body,
        format!(
            "Application no. {first} has been withdrawn by the applicant; no answer is needed."
        )
    );
    let (subject, _) = inbox_of(&s.app, reviewer).pop().unwrap();
    assert_eq!(subject, "开放申请已撤回：合肥市企业登记信息");

    // The reviewer asks on an English page, with an empty message first: the error is English.
    let second = apply(&s, "30").await;
    s.reviewer
        .refresh_csrf(&format!("/en/console/applications/{second}"))
        .await;
    let res = s
        .reviewer
        .post(
            &format!("/en/console/applications/{second}/decide"),
            &[("decision", "approve"), ("period_days", "400")],
        )
        .await;
    assert_eq!(res.status(), 400);
    let page = crate::helpers::Page::new(res.text().await.unwrap());
    assert!(
        page.text("main").contains("Period approved (days)"),
        "{}",
        page.text("main")
    );
    let res = s
        .reviewer
        .post(
            &format!("/en/console/applications/{second}/decide"),
            &[
                ("decision", "approve"),
                ("fields", "企业名称"),
                ("period_days", "30"),
                ("quota", "3"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (subject, body) = mails_to(&s.app, applicant).pop().unwrap();
    assert_eq!(subject, "Application approved: 合肥市企业登记信息");
    assert_eq!(
        body,
        format!(
            "Application no. {second}: approved fields 企业名称, valid for 30 days, at most 3 times."
        )
    );
    let (subject, body) = inbox_of(&s.app, applicant).pop().unwrap();
    assert_eq!(subject, "开放申请已批准：合肥市企业登记信息");
    assert_eq!(
        body,
        format!("申请编号 {second}：批准字段 企业名称，有效期 30 天，限 3 次。")
    );

    // A background job has no page: its mail holds both languages.
    apply(&s, "30").await;
    s.app.clock.advance(chrono::Duration::days(20));
    let reported =
        kaifang::services::applications::report_overdue(&mut s.app.conn(), s.app.clock.now())
            .unwrap();
    assert_eq!(reported, 1);
    let (subject, body) = mails_to(&s.app, reviewer).pop().unwrap();
    assert_eq!(
        subject,
        "开放申请已逾期：合肥市企业登记信息 / Application overdue: 合肥市企业登记信息"
    );
    assert!(body.starts_with("申请编号 "), "{body}");
    assert!(body.contains("has not been answered"), "{body}");
}
