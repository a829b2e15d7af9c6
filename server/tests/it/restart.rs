//! Reliability: PostgreSQL restarts while clients write.
//!
//! The test runs its own PostgreSQL (initdb in a temporary directory, a free port) so that it can
//! stop it without disturbing the shared server other tests use. Four writers create sites, two
//! with API tokens and two with session cookies; meanwhile PostgreSQL is fast-stopped and started
//! again. It checks that `/healthz` answers 503 quickly while the database is down, that the
//! server recovers without a restart (health, writes, and the model cache's LISTEN connection),
//! and that every write acknowledged with a 2xx survived.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use app::model::{NewUser, Role};
use app::ssr::accounts;
use app::ssr::model_cache::ModelCache;
use sqlx::PgPool;
use switchyard::{AppState, AuthConfig, connect, leptos_options, prepare};

use crate::helpers::{PASSWORD, anonymous, seed_weights};

/// A private PostgreSQL cluster, stopped and deleted on drop (also when the test fails).
struct PrivatePg {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
}

impl PrivatePg {
    /// `initdb` and start a cluster on a free port, as the `postgres` OS user (PostgreSQL refuses
    /// to run as root).
    fn start_new() -> PrivatePg {
        let bin = pg_bin_dir();
        assert!(
            Path::new("/usr/sbin/runuser").exists() || Path::new("/sbin/runuser").exists(),
            "this test needs `runuser` (util-linux) to run PostgreSQL as the `postgres` user"
        );
        static N: AtomicU32 = AtomicU32::new(0);
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
        let dir = std::env::temp_dir().join(format!(
            "switchyard-restart-{}-{}-{nanos}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        // From here on the guard owns the directory, so a failing step still removes it.
        let pg = PrivatePg { bin, dir, port: free_port() };
        run(Command::new("chown").arg("-R").arg("postgres:postgres").arg(&pg.dir));
        let data = pg.data();
        run(pg.as_postgres("initdb").arg("-D").arg(&data).args([
            "--auth=trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
        ]));
        pg.start();
        pg
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// `tool` from PostgreSQL's bin directory, run as the `postgres` user.
    fn as_postgres(&self, tool: &str) -> Command {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(self.bin.join(tool));
        c
    }

    /// Starts (or restarts) the cluster on the same port and data directory; waits until it accepts
    /// connections.
    fn start(&self) {
        let opts = format!("-p {} -k {} -c listen_addresses=127.0.0.1", self.port, self.dir.display());
        run(self
            .as_postgres("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .arg("-l")
            .arg(self.dir.join("log"))
            .args(["-w", "-t", "30", "-o", &opts, "start"]));
    }

    /// Stops the cluster with `mode` (`fast`: roll back open transactions, end every session).
    fn stop(&self, mode: &str) -> bool {
        self.as_postgres("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .args(["-w", "-t", "30", "-m", mode, "stop"])
            .output()
            .is_ok_and(|o| o.status.success())
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/switchyard_restart", self.port)
    }
}

impl Drop for PrivatePg {
    fn drop(&mut self) {
        if self.data().join("postmaster.pid").exists() {
            self.stop("immediate");
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The newest installed PostgreSQL's bin directory (`/usr/lib/postgresql/<version>/bin`).
fn pg_bin_dir() -> PathBuf {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            (bin.join("initdb").exists() && bin.join("pg_ctl").exists()).then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin).expect(
        "this test needs PostgreSQL's server binaries (initdb, pg_ctl) in /usr/lib/postgresql/<version>/bin; \
         install Debian's `postgresql` package",
    )
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Polls `check` every 100 ms until it holds; returns how long that took, or panics after `limit`.
async fn wait_until<F, Fut>(what: &str, limit: Duration, mut check: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while !check().await {
        assert!(start.elapsed() < limit, "{what} did not happen within {limit:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    start.elapsed()
}

/// A client that sends `Authorization: Bearer token` and keeps no cookies.
fn bearer(token: &str) -> Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::AUTHORIZATION, format!("Bearer {token}").parse().unwrap());
    Client::builder().default_headers(headers).timeout(Duration::from_secs(40)).build().unwrap()
}

async fn signed_in(base: &str, email: &str) -> Client {
    let client = anonymous(base);
    let r = client
        .post(format!("{base}/api/v1/session"))
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204, "sign-in failed");
    client
}

/// `/healthz`'s status and how long it took; `None` when the request itself failed.
async fn health(client: &Client, base: &str) -> (Option<StatusCode>, Duration) {
    let start = Instant::now();
    let r = client.get(format!("{base}/healthz")).timeout(Duration::from_secs(10)).send().await;
    (r.ok().map(|r| r.status()), start.elapsed())
}

/// The server on a private PostgreSQL, with an architect signed in.
struct Running {
    pg: Arc<PrivatePg>,
    pool: PgPool,
    base: String,
    model: Arc<ModelCache>,
    server: tokio::task::JoinHandle<anyhow::Result<()>>,
    /// A session-cookie client of the architect.
    session: Client,
}

const EMAIL: &str = "architect@restart.test";

impl Running {
    async fn start() -> Running {
        let pg = Arc::new(tokio::task::spawn_blocking(PrivatePg::start_new).await.unwrap());
        let pool = connect(&pg.url(), 10).await.unwrap();
        prepare(&pool).await.unwrap();
        let new = NewUser {
            email: EMAIL.into(),
            display_name: "Architect".into(),
            role: Role::Architect,
            password: PASSWORD.into(),
        };
        accounts::insert_user(&pool, None, new).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = AppState::new(pool.clone(), leptos_options("target/site", addr), AuthConfig::for_addr(addr));
        let model = state.model.clone();
        let server = tokio::spawn(switchyard::serve(listener, state));
        let base = format!("http://{addr}");
        let session = signed_in(&base, EMAIL).await;
        wait_until("the model listener connecting", Duration::from_secs(10), || async { model.is_listening() }).await;
        Running { pg, pool, base, model, server, session }
    }

    /// A client with a new write token of the architect.
    async fn token_client(&self, name: &str) -> Client {
        let r = self
            .session
            .post(format!("{}/api/v1/tokens", self.base))
            .json(&json!({"name": name, "scope": "write"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let token: Value = r.json().await.unwrap();
        bearer(token["token"].as_str().unwrap())
    }

    async fn stop_pg(&self) {
        let pg = self.pg.clone();
        assert!(tokio::task::spawn_blocking(move || pg.stop("fast")).await.unwrap(), "pg_ctl stop -m fast failed");
    }

    async fn start_pg(&self) {
        let pg = self.pg.clone();
        tokio::task::spawn_blocking(move || pg.start()).await.unwrap();
    }

    async fn shut_down(self) {
        self.server.abort();
        // The listener task may still hold a connection until it notices the close; do not wait
        // for it forever. The cluster itself goes when `pg` drops.
        let _ = tokio::time::timeout(Duration::from_secs(5), self.pool.close()).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_restart_under_writes_loses_no_acknowledged_write() {
    let run = Running::start().await;
    let (base, model) = (run.base.clone(), run.model.clone());
    // Two writers with API tokens, two with session cookies (`anonymous` sends our `Origin`).
    let mut writers = vec![run.token_client("writer-0").await, run.token_client("writer-1").await];
    for _ in 0..2 {
        writers.push(signed_in(&base, EMAIL).await);
    }
    let probe = anonymous(&base);

    let stop = Arc::new(AtomicBool::new(false));
    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let failed = Arc::new(AtomicU32::new(0));
    let mut tasks = Vec::new();
    for (w, client) in writers.into_iter().enumerate() {
        let (stop, acked, failed, base) = (stop.clone(), acked.clone(), failed.clone(), base.clone());
        tasks.push(tokio::spawn(async move {
            let mut n = 0u32;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let name = format!("restart-w{w}-{n}");
                let body = json!({"name": name, "kind": "plant"});
                match client.post(format!("{base}/api/v1/sites")).json(&body).send().await {
                    Ok(r) if r.status().is_success() => acked.lock().unwrap().push(name),
                    // Expected while the database is down: a 5xx, or a connection error.
                    _ => {
                        failed.fetch_add(1, Ordering::Relaxed);
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                }
            }
        }));
    }

    tokio::time::sleep(Duration::from_secs(2)).await;
    let before_stop = acked.lock().unwrap().len();
    assert!(before_stop > 0, "no write succeeded before the restart");

    run.stop_pg().await;
    let down_at = Instant::now();
    // While the database is down, a probe gets a quick 503.
    let mut probes = Vec::new();
    while down_at.elapsed() < Duration::from_secs(4) {
        probes.push(health(&probe, &base).await);
    }
    for (status, took) in &probes {
        assert_eq!(*status, Some(StatusCode::SERVICE_UNAVAILABLE), "/healthz while the database is down: {probes:?}");
        assert!(*took < Duration::from_secs(3), "/healthz took {took:?} while the database is down");
    }
    let slowest = probes.iter().map(|p| p.1).max().unwrap();
    // The model listener noticed the lost connection and stopped trusting the cache.
    assert!(!model.is_listening(), "the model cache is still trusted although its LISTEN connection is gone");

    run.start_pg().await;
    let down_for = down_at.elapsed();
    let acked_at_restart = acked.lock().unwrap().len();
    let recovery = wait_until("/healthz answering 200 again", Duration::from_secs(60), || async {
        health(&probe, &base).await.0 == Some(StatusCode::OK)
    })
    .await;
    // Writes resume by themselves.
    let writes_back = wait_until("a write succeeding after the restart", Duration::from_secs(30), || async {
        acked.lock().unwrap().len() > acked_at_restart
    })
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await.unwrap();
    }

    // The model cache listens again: evaluate works, and a change made directly in the database
    // after the restart reaches the cached copy through NOTIFY.
    let relisten =
        wait_until("the model listener reconnecting", Duration::from_secs(30), || async { model.is_listening() }).await;
    let session = &run.session;
    let r =
        session.post(format!("{base}/api/v1/evaluate")).json(&json!({"weights": seed_weights()})).send().await.unwrap();
    assert_eq!(r.status(), 200, "evaluate after the restart");
    let criteria = || async {
        let r = session.get(format!("{base}/api/v1/criteria")).send().await.unwrap();
        r.json::<Value>().await.unwrap().to_string()
    };
    assert!(criteria().await.contains("\"Project governance and OSS risk\""), "the seed's criteria");
    sqlx::query("UPDATE criteria SET name = 'Project governance (after restart)' WHERE key = 'governance'")
        .execute(&run.pool)
        .await
        .unwrap();
    wait_until("the cached model seeing a change made after the restart", Duration::from_secs(10), || async {
        criteria().await.contains("Project governance (after restart)")
    })
    .await;
    assert!(model.is_listening(), "the model listener dropped again");

    let acked = acked.lock().unwrap().clone();
    let stored: HashSet<String> =
        sqlx::query_scalar("SELECT name FROM sites").fetch_all(&run.pool).await.unwrap().into_iter().collect();
    let lost: Vec<&String> = acked.iter().filter(|n| !stored.contains(*n)).collect();
    eprintln!(
        "restart: {} writes acknowledged ({before_stop} before the stop), {} failed attempts, {} sites stored; \
         database down for {down_for:?}; {} /healthz probes while down, all 503, slowest {slowest:?}; after \
         `pg_ctl start` returned: /healthz 200 in {recovery:?}, first write in {writes_back:?}; model listener \
         back {relisten:?} after the writers stopped",
        acked.len(),
        failed.load(Ordering::Relaxed),
        stored.len(),
        probes.len(),
    );
    assert!(lost.is_empty(), "{} acknowledged writes are missing: {lost:?}", lost.len());
    run.shut_down().await;
}

/// A probe that carries credentials (a browser's session cookie, a pipeline's token) should get
/// the same quick 503.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn healthz_with_credentials_answers_503_while_the_database_is_down() {
    let run = Running::start().await;
    let token = run.token_client("probe").await;
    run.stop_pg().await;
    for (who, client) in [("bearer token", &token), ("session cookie", &run.session)] {
        let (status, took) = health(client, &run.base).await;
        assert_eq!(status, Some(StatusCode::SERVICE_UNAVAILABLE), "/healthz with a {who}, after {took:?}");
        assert!(took < Duration::from_secs(3), "/healthz with a {who} took {took:?}");
    }
    run.shut_down().await;
}
