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
            // Tables, indexes, sequences and views; triggers; functions.
            "SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i', 'S', 'v') \
             AND c.relname NOT LIKE '__diesel%' \
             UNION SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = 'public' AND NOT t.tgisinternal \
             UNION SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace \
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

both_backends!(
    migrations_go_up_down_and_up_again,
    the_schema_holds_the_legal_rules
);

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

/// The database refuses rows that break the rules even if code forgot them.
async fn the_schema_holds_the_legal_rules(backend: Backend) {
    use crate::helpers::DatasetBuilder;
    use kaifang::domain::DatasetStatus;
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let dept = app.department("ah-data", "安徽省数据资源管理局", "340000");
    let insert = |b: DatasetBuilder| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| b.insert(&app))).is_ok()
    };
    let mut no_basis = DatasetBuilder::new("closed-no-basis", "无依据", &dept).closed("依据");
    no_basis.legal_basis = None;
    assert!(!insert(no_basis), "closed data without a legal basis");
    let mut blank = DatasetBuilder::new("cond-blank", "空依据", &dept).conditional("条件", "依据");
    blank.legal_basis = Some(String::new());
    assert!(!insert(blank), "conditional data with a blank legal basis");
    let mut no_conditions =
        DatasetBuilder::new("cond-no-conditions", "无条件说明", &dept).conditional("条件", "依据");
    no_conditions.conditions = None;
    assert!(
        !insert(no_conditions),
        "conditional data without its conditions"
    );
    let ok = DatasetBuilder::new("cond-ok", "完整", &dept).conditional("条件", "依据");
    assert!(insert(ok));
    // Published means a publication date.
    let d = DatasetBuilder::new("draft-ok", "草稿", &dept)
        .status(DatasetStatus::Draft)
        .insert(&app);
    use diesel::prelude::*;
    use kaifang::db::schema::datasets;
    let publish_without_date = diesel::update(datasets::table.find(d.id))
        .set(datasets::status.eq("published"))
        .execute(&mut app.conn());
    assert!(publish_without_date.is_err());
}
