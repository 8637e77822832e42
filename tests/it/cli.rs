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
