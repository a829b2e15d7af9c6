//! Test helpers: the real router on 127.0.0.1:0 with a cookie-keeping client.

use reqwest::{Client, Response};
use serde_json::{Value, json};
use sqlx::PgPool;

use server::{AppState, leptos_options, prepare};

/// A running server for one test.
pub struct TestApp {
    pub base: String,
    pub client: Client,
    pub pool: PgPool,
}

impl TestApp {
    /// Loads the reference data into the test database and serves the router on a free port.
    pub async fn spawn(pool: PgPool) -> TestApp {
        prepare(&pool).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = AppState {
            pool: pool.clone(),
            leptos_options: leptos_options("target/site", addr),
        };
        tokio::spawn(async move { server::serve(listener, state).await });
        let client = Client::builder().cookie_store(true).build().unwrap();
        TestApp {
            base: format!("http://{addr}"),
            client,
            pool,
        }
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        self.client
            .post(format!("{}{path}", self.base))
            .json(body)
            .send()
            .await
            .unwrap()
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
        self.client
            .put(format!("{}{path}", self.base))
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn delete(&self, path: &str) -> Response {
        self.client
            .delete(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
    }
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
    assert_eq!(resp.status().as_u16(), status, "unexpected status");
    let body: Value = resp.json().await.unwrap();
    let err = body["error"].clone();
    assert!(err["code"].is_string(), "error.code missing in {body}");
    assert!(
        err["message"].as_str().is_some_and(|m| !m.is_empty()),
        "error.message missing in {body}"
    );
    err
}
