//! Migrations are a contract: both back-ends carry the same versions, and every migration
//! reverts cleanly (up → down → up).

use diesel::RunQueryDsl;
use diesel::sql_types::Text;
use kaifang::db::{DbConnection, migrations};

use crate::both_backends;
use crate::helpers::{Backend, TestApp};

#[test]
fn both_backends_have_the_same_migrations() {
    let (sqlite, postgres) = migrations::versions();
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, postgres);
    let dirs = |b: &str| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(format!("migrations/{b}"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(dirs("sqlite"), dirs("postgres"));
    for b in ["sqlite", "postgres"] {
        for d in dirs(b) {
            for f in ["up.sql", "down.sql"] {
                let p = format!("migrations/{b}/{d}/{f}");
                assert!(
                    std::fs::metadata(&p).map(|m| m.len() > 0).unwrap_or(false),
                    "{p}"
                );
            }
        }
    }
}

#[derive(diesel::QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

fn tables(conn: &mut DbConnection) -> Vec<String> {
    let sql = match conn {
        DbConnection::Sqlite(_) => {
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger', 'index') \
             AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__diesel%' ORDER BY name"
        }
        DbConnection::Pg(_) => {
            "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' \
             AND tablename NOT LIKE '__diesel%' \
             UNION SELECT proname AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace \
             WHERE n.nspname = 'public' ORDER BY name"
        }
    };
    diesel::sql_query(sql)
        .load::<Name>(conn)
        .unwrap()
        .into_iter()
        .map(|n| n.name)
        .collect()
}

both_backends!(migrations_go_up_down_and_up_again);

async fn migrations_go_up_down_and_up_again(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let mut conn = app.conn();
    let before = tables(&mut conn);
    assert!(before.contains(&"datasets".to_owned()), "{before:?}");
    assert!(before.contains(&"audit_events".to_owned()), "{before:?}");
    let reverted = migrations::revert_all(&mut conn).unwrap();
    assert_eq!(reverted.len(), migrations::versions().0.len());
    assert_eq!(
        tables(&mut conn),
        Vec::<String>::new(),
        "down.sql leaves nothing behind"
    );
    let applied = migrations::run_pending(&mut conn).unwrap();
    assert_eq!(applied.len(), reverted.len());
    assert_eq!(tables(&mut conn), before);
    // The reference data is back too.
    let themes = kaifang::db::themes::all(&mut conn).unwrap();
    assert_eq!(themes.len(), 21);
}
