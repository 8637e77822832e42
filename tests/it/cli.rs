//! The command line, run as a real process: `migrate`, `user add`.

use std::io::Write;
use std::process::{Command, Stdio};

use kaifang::services::audit;

fn kaifang(data_dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kaifang"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("KAIFANG_DATA_DIR", data_dir)
        .env("KAIFANG_LOG__LEVEL", "warn")
        .current_dir(data_dir);
    cmd
}

fn run(cmd: &mut Command) -> (bool, String, String) {
    let out = cmd.output().expect("run kaifang");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn user_add_creates_accounts_and_refuses_bad_ones() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, out, err) = run(kaifang(dir.path()).arg("migrate"));
    assert!(ok, "{out}{err}");
    assert!(
        dir.path().join("kaifang.db").exists(),
        "the default data directory holds kaifang.db"
    );

    let (ok, out, err) = run(kaifang(dir.path()).args([
        "user",
        "add",
        "--email",
        "Admin@Data.AH.gov.cn",
        "--role",
        "admin",
    ]));
    assert!(ok, "{out}{err}");
    assert!(out.contains("admin@data.ah.gov.cn"), "{out}");
    let password = out
        .lines()
        .find_map(|l| {
            l.split_once('：')
                .filter(|(k, _)| k.contains("初始密码"))
                .map(|(_, v)| v.trim().to_owned())
        })
        .expect("a generated password is printed once");
    assert_eq!(password.len(), 20);
    assert!(
        !err.contains(&password),
        "the password never reaches the logs"
    );

    let mut child = kaifang(dir.path())
        .args([
            "user",
            "add",
            "--email",
            "li@hefei.gov.cn",
            "--role",
            "user",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"a long enough secret\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("初始密码"));

    for (args, message) in [
        (
            vec!["--email", "admin@data.ah.gov.cn", "--role", "admin"],
            "已注册",
        ),
        (
            vec!["--email", "not-an-email", "--role", "user"],
            "电子邮箱格式不正确",
        ),
        (vec!["--email", "x@y.cn", "--role", "root"], "未知的角色"),
        (
            vec!["--email", "p@y.cn", "--role", "publisher"],
            "必须指定所属部门",
        ),
        (
            vec![
                "--email",
                "p@y.cn",
                "--role",
                "publisher",
                "--department",
                "nowhere",
            ],
            "部门“nowhere”不存在",
        ),
        (
            vec![
                "--email",
                "u@y.cn",
                "--role",
                "user",
                "--department",
                "nowhere",
            ],
            "只有数据提供部门账号",
        ),
    ] {
        let (ok, out, err) = run(kaifang(dir.path()).args(["user", "add"]).args(&args));
        assert!(!ok, "{args:?} should fail: {out}");
        assert!(err.contains(message), "{args:?}: {err}");
    }

    // Two accounts, two audit events, the chain intact, no e-mail address in the log.
    let url = kaifang::db::DatabaseUrl::sqlite_file(&dir.path().join("kaifang.db"));
    let mut conn = url.establish(std::time::Duration::from_secs(5)).unwrap();
    assert_eq!(audit::verify(&mut conn).unwrap(), Ok(2));
    let events = kaifang::db::audit::all_in_order(&mut conn).unwrap();
    assert!(
        events
            .iter()
            .all(|e| e.action == "user.create" && e.actor == "cli")
    );
    assert!(
        events
            .iter()
            .all(|e| !e.details.contains('@') && !e.target.contains('@'))
    );
    let user = kaifang::db::users::by_email(&mut conn, "li@hefei.gov.cn")
        .unwrap()
        .unwrap();
    assert!(
        user.password_hash.starts_with("$argon2id$"),
        "only a hash is stored"
    );
}

#[test]
fn bad_settings_are_reported_not_panicked() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, _, err) = run(kaifang(dir.path())
        .env("DATABASE_URL", "mysql://x")
        .arg("migrate"));
    assert!(!ok);
    assert!(
        err.contains("DATABASE_URL must start with sqlite:// or postgres://"),
        "{err}"
    );
    let (ok, _, err) = run(kaifang(dir.path()).args(["--config", "/nonexistent.toml", "migrate"]));
    assert!(!ok);
    assert!(err.contains("错误"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_create_prints_a_working_key() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, out, err) = run(kaifang(dir.path()).args([
        "user",
        "add",
        "--email",
        "dev@example.cn",
        "--role",
        "user",
    ]));
    assert!(ok, "{out}{err}");
    let (ok, out, err) = run(kaifang(dir.path()).args([
        "key",
        "create",
        "--email",
        "dev@example.cn",
        "--name",
        "脚本",
    ]));
    assert!(ok, "{out}{err}");
    let key = out
        .lines()
        .find(|l| l.starts_with("kf_"))
        .expect("the key is printed")
        .to_owned();
    let (ok, _, err) = run(kaifang(dir.path()).args([
        "key",
        "create",
        "--email",
        "nobody@example.cn",
        "--name",
        "x",
    ]));
    assert!(!ok && err.contains("nobody@example.cn"), "{err}");
    // The key works against the portal on the same data directory.
    let app = crate::helpers::TestApp::spawn_with(crate::helpers::Backend::Sqlite, |s| {
        s.data_dir = dir.path().to_path_buf();
        s.database_url = format!("sqlite://{}", dir.path().join("kaifang.db").display());
    })
    .await
    .unwrap();
    let res = app
        .client
        .get(format!("{}/api/v1/account", app.address))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[test]
fn audit_verify_names_the_edited_row() {
    let dir = tempfile::tempdir().unwrap();
    for email in ["a@example.cn", "b@example.cn", "c@example.cn"] {
        let (ok, out, err) =
            run(kaifang(dir.path()).args(["user", "add", "--email", email, "--role", "user"]));
        assert!(ok, "{out}{err}");
    }
    let (ok, out, err) = run(kaifang(dir.path()).args(["audit", "verify"]));
    assert!(ok, "{out}{err}");
    assert!(out.contains("审计日志完整：3 条记录"), "{out}");
    // Someone with direct access to the database edits the second event.
    let url = kaifang::db::DatabaseUrl::sqlite_file(&dir.path().join("kaifang.db"));
    let mut conn = url.establish(std::time::Duration::from_secs(5)).unwrap();
    use diesel::RunQueryDsl;
    diesel::sql_query("DROP TRIGGER audit_events_no_update")
        .execute(&mut conn)
        .unwrap();
    diesel::sql_query("UPDATE audit_events SET details = '{\"role\":\"admin\"}' WHERE id = 2")
        .execute(&mut conn)
        .unwrap();
    let (ok, out, err) = run(kaifang(dir.path()).args(["audit", "verify"]));
    assert!(!ok, "a broken chain exits non-zero: {out}");
    assert!(err.contains("第 2 号记录处断开"), "{err}");
}

/// The real binary at debug log level: after a registration through the web, neither the logs
/// nor the database file hold the resident ID number in plain text.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_plain_resident_id_in_logs_or_database() {
    const ID: &str = "11010519491231002X";
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let log = std::fs::File::create(dir.path().join("server.log")).unwrap();
    let mut server = kaifang(dir.path())
        .env("RUST_LOG", "debug")
        .env("KAIFANG_AUTH__PASSWORD_HASHING", "fast")
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut up = false;
    for _ in 0..100 {
        if client.get(format!("{base}/healthz")).send().await.is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(up, "the server started");
    let form = crate::helpers::Page::new(
        client
            .get(format!("{base}/register/individual"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    let csrf = form.attrs("input[name=csrf]", "value")[0].clone();
    let fields = [
        ("csrf", csrf.as_str()),
        ("real_name", "李明"),
        ("id_number", ID),
        ("mobile", "13912345678"),
        ("email", "li@example.cn"),
        ("password", "雨天-芜湖-2026-数据"),
        ("password_confirm", "雨天-芜湖-2026-数据"),
        ("agree", "yes"),
    ];
    let res = client
        .post(format!("{base}/register/individual"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    // A failed registration with the same number is logged too, if anything logs it.
    client
        .post(format!("{base}/register/individual"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    let _ = server.kill();
    let _ = server.wait();
    let logs = std::fs::read_to_string(dir.path().join("server.log")).unwrap();
    assert!(
        logs.contains("request completed"),
        "the log was written: {logs}"
    );
    assert!(
        !logs.contains(ID) && !logs.contains(&ID.to_lowercase()),
        "plain ID number in the logs"
    );
    assert!(
        !logs.contains("13912345678"),
        "plain mobile number in the logs"
    );
    for file in ["kaifang.db", "kaifang.db-wal"] {
        let bytes = std::fs::read(dir.path().join(file)).unwrap_or_default();
        assert!(
            !bytes.windows(ID.len()).any(|w| w == ID.as_bytes()),
            "plain ID number in {file}"
        );
    }
    let db = std::fs::read(dir.path().join("kaifang.db")).unwrap();
    let wal = std::fs::read(dir.path().join("kaifang.db-wal")).unwrap_or_default();
    let masked = "1101**********002X".as_bytes();
    assert!(
        db.windows(masked.len()).any(|w| w == masked)
            || wal.windows(masked.len()).any(|w| w == masked),
        "the masked form is stored (so the grep looks where the data is)"
    );
}
