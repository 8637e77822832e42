//! The audit log is append-only and tamper-evident on both back-ends.

use diesel::RunQueryDsl;
use kaifang::db::DbConnection;
use kaifang::services::audit;

use crate::both_backends;
use crate::helpers::{Backend, TestApp};

both_backends!(audit_log_refuses_changes_and_detects_tampering);

async fn audit_log_refuses_changes_and_detects_tampering(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let mut conn = app.conn();
    let a = audit::record(
        &mut conn,
        &kaifang::services::Actor::cli(),
        app.clock.now(),
        "user.create",
        "user:1",
        serde_json::json!({"role": "admin"}),
    )
    .unwrap();
    let b = audit::record(
        &mut conn,
        &kaifang::services::Actor::user(1, Some("10.1.2.3".into())),
        app.clock.now(),
        "dataset.publish",
        "dataset:x",
        serde_json::json!({}),
    )
    .unwrap();
    assert_eq!(a.prev_hash, audit::GENESIS);
    assert_eq!(b.prev_hash, a.hash);
    assert_eq!(audit::verify(&mut conn).unwrap(), Ok(2));

    // The database refuses edits and deletions.
    let update =
        diesel::sql_query("UPDATE audit_events SET action = 'nothing'").execute(&mut *conn);
    assert!(update.is_err(), "UPDATE must be refused");
    let delete = diesel::sql_query("DELETE FROM audit_events").execute(&mut *conn);
    assert!(delete.is_err(), "DELETE must be refused");
    assert_eq!(audit::verify(&mut conn).unwrap(), Ok(2));

    // Someone with the power to drop the guard and edit a row is still caught by the chain.
    let bypass = match &mut *conn {
        DbConnection::Sqlite(_) => "DROP TRIGGER audit_events_no_update",
        DbConnection::Pg(_) => "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change",
    };
    diesel::sql_query(bypass).execute(&mut *conn).unwrap();
    diesel::sql_query(format!(
        "UPDATE audit_events SET target = 'dataset:y' WHERE id = {}",
        b.id
    ))
    .execute(&mut *conn)
    .unwrap();
    assert_eq!(
        audit::verify(&mut conn).unwrap(),
        Err(audit::ChainBreak { event_id: b.id })
    );
}
