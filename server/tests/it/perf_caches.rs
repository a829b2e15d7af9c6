//! The per-server caches (verified credentials, fleet map) never serve a revoked token, a
//! disabled user or a stale map: each check uses a cached value first, then changes it.

use std::time::Duration;

use reqwest::Client;
use serde_json::{Value, json};
use sqlx::PgPool;

use crate::helpers::{TestApp, error_of};
use app::model::Role;

/// Gives the server's change listener time to connect, so the requests that follow are cached.
async fn settle() {
    tokio::time::sleep(Duration::from_millis(300)).await;
}

async fn token(app: &TestApp, name: &str) -> (i64, String) {
    let r = app.post_json("/api/v1/tokens", &json!({"name": name, "scope": "read"})).await;
    assert_eq!(r.status(), 201);
    let t: Value = r.json().await.unwrap();
    (t["id"].as_i64().unwrap(), t["token"].as_str().unwrap().to_string())
}

async fn me(base: &str, token: &str) -> reqwest::Response {
    Client::new().get(format!("{base}/api/v1/me")).bearer_auth(token).send().await.unwrap()
}

/// Uses the token a few times, so it is in the cache.
async fn cache(base: &str, token: &str) {
    for _ in 0..3 {
        assert_eq!(me(base, token).await.status(), 200);
    }
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn a_revoked_token_fails_on_the_next_request_even_when_cached(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    settle().await;
    let (id, secret) = token(&app, "cached").await;
    cache(&app.base, &secret).await;
    assert_eq!(app.delete(&format!("/api/v1/tokens/{id}")).await.status(), 204);
    error_of(me(&app.base, &secret).await, 401).await;
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn a_disabled_users_cached_token_fails_on_the_next_request(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    settle().await;
    let (_, secret) = token(&app, "owner-disabled").await;
    cache(&app.base, &secret).await;
    let admin = app.signed_in(Role::Admin).await;
    let users: Value = admin.get(format!("{}/api/v1/users", app.base)).send().await.unwrap().json().await.unwrap();
    let id = users.as_array().unwrap().iter().find(|u| u["email"] == "architect@test").unwrap()["id"].as_i64().unwrap();
    let r = admin.patch(format!("{}/api/v1/users/{id}", app.base)).json(&json!({"disabled": true})).send().await;
    assert_eq!(r.unwrap().status(), 200);
    error_of(me(&app.base, &secret).await, 401).await;
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn a_revocation_reaches_another_servers_cache(pool: PgPool) {
    // Two servers on one database: the token is cached on `b` and revoked through `a`, so only
    // the NOTIFY can tell `b`.
    let a = TestApp::spawn(pool.clone()).await;
    let b = TestApp::spawn(pool).await;
    settle().await;
    let (id, secret) = token(&a, "two-servers").await;
    cache(&b.base, &secret).await;
    assert_eq!(a.delete(&format!("/api/v1/tokens/{id}")).await.status(), 204);
    // The notification is asynchronous: wait for it (far less than the cache's 30 s).
    let mut status = 200;
    for _ in 0..100 {
        status = me(&b.base, &secret).await.status().as_u16();
        if status == 401 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status, 401, "server b still accepts a token revoked through server a");
}

async fn with_demo(pool: PgPool) -> TestApp {
    let app = TestApp::spawn(pool).await;
    let report =
        app::ssr::fleet::import_doc(&app.pool, None, &domain::fleet::demo_fleet(), false, "demo").await.unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    settle().await;
    app
}

async fn fleet(app: &TestApp) -> Value {
    let r = app.get("/api/v1/fleet/clusters?limit=5000").await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

fn cluster_names(fleet: &Value) -> Vec<String> {
    fleet["clusters"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap().to_string()).collect()
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn a_cluster_edit_shows_in_the_next_fleet_map(pool: PgPool) {
    let app = with_demo(pool).await;
    let before = fleet(&app).await;
    assert_eq!(fleet(&app).await, before, "the map is stable between changes");
    let list: Value = app.get("/api/v1/clusters?tier=cell").await.json().await.unwrap();
    let mut c = list[0].clone();
    c["name"] = json!("renamed-by-the-cache-test");
    let r = app.put_json(&format!("/api/v1/clusters/{}", c["id"]), &c).await;
    assert_eq!(r.status(), 200);
    let names = cluster_names(&fleet(&app).await);
    assert!(names.contains(&"renamed-by-the-cache-test".to_string()), "{names:?}");
    assert!(!names.contains(&list[0]["name"].as_str().unwrap().to_string()));
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn a_profile_change_shows_in_the_next_fleet_map(pool: PgPool) {
    let app = with_demo(pool).await;
    let before = fleet(&app).await;
    assert_eq!(fleet(&app).await, before);
    let profiles: Value = app.get("/api/v1/profiles").await.json().await.unwrap();
    for p in profiles.as_array().unwrap() {
        let mut p = p.clone();
        let mut weights = serde_json::Map::new();
        for k in p["weights"].as_object().unwrap().keys() {
            weights.insert(k.clone(), json!(0));
        }
        weights.insert("operational_simplicity".into(), json!(50));
        weights.insert("performance_footprint".into(), json!(50));
        p["weights"] = Value::Object(weights);
        let r = app.put_json(&format!("/api/v1/profiles/{}", p["id"]), &p).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    }
    let after = fleet(&app).await;
    assert_ne!(after, before, "the fleet map still shows the old weights' recommendations");
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn the_recommendation_cache_recomputes_only_what_changed(pool: PgPool) {
    use app::ssr::fleet;
    switchyard::prepare(&pool).await.unwrap();
    fleet::import_doc(&pool, None, &domain::fleet::demo_fleet(), false, "demo").await.unwrap();
    let ctx = crate::helpers::ctx_as(&pool, Role::Architect).await;
    let addr: std::net::SocketAddr = "127.0.0.1:3000".parse().unwrap();
    let state = switchyard::AppState::new(
        pool.clone(),
        switchyard::leptos_options("target/site", addr),
        switchyard::AuthConfig::for_addr(addr),
    );
    let ctx = app::ssr::Ctx::new(&state, ctx.principal().clone());
    tokio::spawn(app::ssr::model_cache::listen_all(pool.clone(), state.caches()));
    settle().await;
    let recs = state.recommendations.clone();
    let map = fleet::fleet(&ctx).await.unwrap();
    let clusters: usize = map.sites.iter().map(|s| s.clusters.len()).sum();
    assert_eq!(recs.len(), clusters, "every cluster's recommendation is kept");
    let id_of = |name: &str| map.sites.iter().flat_map(|s| &s.clusters).find(|c| c.name == name).unwrap().id;
    let (edited, other) = (id_of("cell-leipzig-press-01"), id_of("plant-brno"));
    let before = (recs.peek(edited).unwrap(), recs.peek(other).unwrap());

    // One cluster's kernel changes: only its recommendation is computed again.
    let mut c = fleet::get_cluster(&ctx, edited).await.unwrap();
    c.record.facts.kernel = Some("5.4.0-186-generic".into());
    c.record.exception_rationale = Some("The OS vendor ships 5.4 until the 2027 refresh.".into());
    fleet::update_cluster(&ctx, edited, app::model::Versioned::new(c.record, c.version)).await.unwrap();
    settle().await;
    let map = fleet::fleet(&ctx).await.unwrap();
    let after = (recs.peek(edited).unwrap(), recs.peek(other).unwrap());
    assert!(!std::sync::Arc::ptr_eq(&before.0, &after.0), "the edited cluster is recommended again");
    assert!(after.0.gates.iter().any(|g| g.code == "kernel_below_release_minimum"), "{:?}", after.0.gates);
    assert!(std::sync::Arc::ptr_eq(&before.1, &after.1), "an unchanged cluster is looked up");
    let mark = map.sites.iter().flat_map(|s| &s.clusters).find(|c| c.id == edited).unwrap();
    assert!(mark.knock_outs > 0);

    // A model change drops every entry (the model has no version to key on).
    sqlx::query("UPDATE scores SET rationale = rationale || '.' WHERE criterion_key = 'governance'")
        .execute(&pool)
        .await
        .unwrap();
    settle().await;
    assert!(recs.is_empty(), "{} entries survived a model change", recs.len());
}
