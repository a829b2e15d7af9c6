//! Test helpers: the real router on 127.0.0.1:0 with a cookie-keeping client.

use reqwest::{Client, Response};
use serde_json::{Value, json};
use sqlx::PgPool;

use app::model::{NewUser, Role};
use app::ssr::accounts;
use app::ssr::auth::{Principal, Via};
use switchyard::{AppState, AuthConfig, leptos_options, prepare};

/// Password of every test user.
pub const PASSWORD: &str = "correct horse battery staple";

/// A running server for one test.
pub struct TestApp {
    pub base: String,
    pub client: Client,
    pub pool: PgPool,
}

impl TestApp {
    /// Loads the reference data, creates one user per role (`admin@test`, `architect@test`,
    /// `viewer@test`), serves the router on a free port, and signs the client in as architect.
    pub async fn spawn(pool: PgPool) -> TestApp {
        Self::spawn_with(pool, |_| {}).await
    }

    /// As [`TestApp::spawn`], with the authentication settings adjusted by `adjust`.
    pub async fn spawn_with(pool: PgPool, adjust: impl FnOnce(&mut AuthConfig)) -> TestApp {
        prepare(&pool).await.unwrap();
        for role in Role::ALL {
            let new = NewUser {
                email: format!("{}@test", role.as_str()),
                display_name: role.as_str().into(),
                role,
                password: PASSWORD.into(),
            };
            // A second server on the same database finds the users there already.
            match accounts::insert_user(&pool, None, new).await {
                Ok(_) | Err(app::AppError::Conflict { .. }) => {}
                Err(e) => panic!("creating the test users: {e}"),
            }
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut auth = AuthConfig::for_addr(addr);
        adjust(&mut auth);
        // Served as the application role, as in production: a missing grant fails the tests.
        let serving = switchyard::db_roles::serving_pool(&pool, None, 5).await.unwrap();
        let state = AppState::new(serving, leptos_options("target/site", addr), auth);
        tokio::spawn(async move { switchyard::serve(listener, state).await });
        let base = format!("http://{addr}");
        let mut app = TestApp { client: anonymous(&base), base, pool };
        app.client = app.signed_in(Role::Architect).await;
        app
    }

    /// A client with its own cookie jar, signed in with `role`.
    pub async fn signed_in(&self, role: Role) -> Client {
        let client = anonymous(&self.base);
        let r = client
            .post(format!("{}/api/v1/session", self.base))
            .json(&json!({"email": format!("{}@test", role.as_str()), "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204, "sign-in as {role:?} failed");
        client
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(format!("{}{path}", self.base)).send().await.unwrap()
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        self.client.post(format!("{}{path}", self.base)).json(body).send().await.unwrap()
    }

    pub async fn post_raw(&self, path: &str, body: &str) -> Response {
        self.client
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap()
    }

    pub async fn put_json(&self, path: &str, body: &Value) -> Response {
        self.client.put(format!("{}{path}", self.base)).json(body).send().await.unwrap()
    }

    pub async fn delete(&self, path: &str) -> Response {
        self.client.delete(format!("{}{path}", self.base)).send().await.unwrap()
    }
}

/// A cookie-keeping client that sends our own `Origin`, as a browser on our pages does.
pub fn anonymous(base: &str) -> Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::ORIGIN, base.parse().unwrap());
    Client::builder()
        .cookie_store(true)
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The seed's weights in percent.
pub fn seed_weights() -> Value {
    json!({
        "identity_policy": 15, "l7_policy": 10, "observability": 15, "multi_cluster": 10,
        "encryption": 10, "performance_footprint": 10, "bgp_underlay": 10,
        "operational_simplicity": 10, "governance": 10
    })
}

/// Asserts the API's error shape and returns the error object.
pub async fn error_of(resp: Response, status: u16) -> Value {
    let got = resp.status().as_u16();
    let body: Value = resp.json().await.unwrap_or_default();
    assert_eq!(got, status, "unexpected status, body {body}");
    let err = body["error"].clone();
    assert!(err["code"].is_string(), "error.code missing in {body}");
    assert!(err["message"].as_str().is_some_and(|m| !m.is_empty()), "error.message missing in {body}");
    err
}

/// A service context for a new user with `role` (signed in by session), for calling services
/// directly.
pub async fn ctx_as(pool: &PgPool, role: Role) -> app::ssr::Ctx {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let email = format!("{}-{n}@ctx.test", role.as_str());
    let new = NewUser { email: email.clone(), display_name: role.as_str().into(), role, password: PASSWORD.into() };
    let user = accounts::insert_user(pool, None, new).await.unwrap();
    let principal = Principal {
        user_id: user.id,
        email: user.email,
        display_name: user.display_name,
        role,
        via: Via::Session(vec![]),
    };
    let addr: std::net::SocketAddr = "127.0.0.1:3000".parse().unwrap();
    let state = AppState::new(pool.clone(), leptos_options("target/site", addr), AuthConfig::for_addr(addr));
    app::ssr::Ctx::new(&state, principal)
}

/// A running server with the demo fleet loaded.
pub async fn with_demo(pool: PgPool) -> TestApp {
    let app = TestApp::spawn(pool).await;
    let report =
        app::ssr::fleet::import_doc(&app.pool, None, &domain::fleet::demo_fleet(), false, "demo").await.unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    app
}

/// Rows in `table`.
pub async fn count(pool: &PgPool, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT count(*) FROM {table}")).fetch_one(pool).await.unwrap()
}
