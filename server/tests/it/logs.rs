//! The binary with `SWITCHYARD_LOG_FORMAT=json` writes one JSON object per line, one line per
//! request (route template, status, duration), and never a query string.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use sqlx::PgPool;

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn json_logs_have_one_line_per_request(pool: PgPool) {
    let db: String = sqlx::query_scalar("SELECT current_database()").fetch_one(&pool).await.unwrap();
    let base = std::env::var("DATABASE_URL").unwrap();
    let url = format!("{}/{db}", base.rsplit_once('/').unwrap().0);
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut child = Command::new(env!("CARGO_BIN_EXE_switchyard"))
        .env("DATABASE_URL", &url)
        .env("SWITCHYARD_ADDR", format!("127.0.0.1:{port}"))
        .env("SWITCHYARD_LOG_FORMAT", "json")
        .env("SWITCHYARD_ADMIN_EMAIL", "admin@logs.test")
        .env("SWITCHYARD_ADMIN_PASSWORD", "logs admin passphrase")
        .env("LEPTOS_SITE_ROOT", "target/site")
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let start = Instant::now();
    while reqwest::get(format!("{base}/healthz")).await.is_err() {
        assert!(start.elapsed() < Duration::from_secs(60), "the server did not start");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let r = reqwest::get(format!("{base}/api/v1/clusters/17?secret=do-not-log")).await.unwrap();
    assert_eq!(r.status(), 401);
    let _ = child.kill();
    let _ = child.wait();
    let out = child.stdout.take().unwrap();
    let lines: Vec<String> = BufReader::new(out).lines().map_while(Result::ok).collect();
    assert!(!lines.is_empty());
    let mut access = Vec::new();
    for line in &lines {
        let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
        assert!(v["level"].is_string() && v["timestamp"].is_string(), "{line}");
        if v["target"] == "switchyard::access" {
            access.push(v);
        }
        assert!(!line.contains("do-not-log"), "a query string reached the log: {line}");
    }
    let hit = access
        .iter()
        .find(|v| v["route"] == "/api/v1/clusters/{id}")
        .unwrap_or_else(|| panic!("no access line for the cluster request in {access:#?}"));
    assert_eq!(hit["status"], 401);
    assert_eq!(hit["method"], "GET");
    assert_eq!(hit["path"], "/api/v1/clusters/17");
    assert!(hit["duration_ms"].as_f64().is_some());
    assert!(access.iter().any(|v| v["route"] == "/healthz" && v["status"] == 200));
}
