//! `POST /api/v1/robustness` (issue 13's API): SMAA of a weighting, deterministic per seed.

use serde_json::{Value, json};
use sqlx::PgPool;

use crate::helpers::{TestApp, error_of, seed_weights};

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn robustness_reports_acceptability_per_candidate(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    // The seed's weights exactly: Cilium wins every draw.
    let r = app.post_json("/api/v1/robustness", &json!({"weights": seed_weights(), "band": 0, "samples": 2000})).await;
    assert_eq!(r.status(), 200);
    let exact: Value = r.json().await.unwrap();
    assert_eq!(exact["winner"], "cilium");
    assert_eq!(exact["rank_acceptability"]["cilium"], json!([1.0, 0.0]));
    assert_eq!(exact["rank_acceptability"]["calico"], json!([0.0, 1.0]));
    assert_eq!(exact["confidence"]["cilium"], 1.0);
    assert!(exact["central_weights"]["calico"].is_null());
    let cw = exact["central_weights"]["cilium"].as_object().unwrap();
    assert!((cw["observability"].as_f64().unwrap() - 0.15).abs() < 1e-9, "{cw:?}");

    // A wide band on the plant tier: the call is less sure, the shares still sum to 1.
    let body = json!({"weights": seed_weights(), "tier": "plant", "band": 30, "samples": 10000, "seed": 7});
    let wide: Value = app.post_json("/api/v1/robustness", &body).await.json().await.unwrap();
    let cilium = wide["rank_acceptability"]["cilium"][0].as_f64().unwrap();
    let calico = wide["rank_acceptability"]["calico"][0].as_f64().unwrap();
    assert!(cilium < 1.0 && calico > 0.0, "{wide}");
    assert!((cilium + calico - 1.0).abs() < 1e-9);
    assert_eq!(wide["samples"], 10000);
    // The same seed gives the same answer.
    let again: Value = app.post_json("/api/v1/robustness", &body).await.json().await.unwrap();
    assert_eq!(again, wide);

    // A saved profile's weights and tier.
    let profiles: Value = app.get("/api/v1/profiles").await.json().await.unwrap();
    let brownfield = profiles.as_array().unwrap().iter().find(|p| p["name"] == "Plant brownfield").unwrap();
    let by_profile: Value = app
        .post_json("/api/v1/robustness", &json!({"profile_id": brownfield["id"], "band": 0}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(by_profile["tier"], "plant");
    assert_eq!(by_profile["winner"], "calico");
    assert_eq!(by_profile["rank_acceptability"]["calico"][0], 1.0);

    // Bad requests say what to fix.
    let e = error_of(app.post_json("/api/v1/robustness", &json!({"band": 5})).await, 422).await;
    assert!(e["fields"]["weights"].as_str().unwrap().contains("profile_id"), "{e}");
    let e = error_of(app.post_json("/api/v1/robustness", &json!({"weights": seed_weights(), "samples": 0})).await, 422)
        .await;
    assert!(e["fields"]["samples"].is_string(), "{e}");
    let e = error_of(app.post_json("/api/v1/robustness", &json!({"weights": seed_weights(), "band": 101})).await, 422)
        .await;
    assert!(e["fields"]["band"].is_string(), "{e}");
    error_of(app.post_json("/api/v1/robustness", &json!({"weights": seed_weights(), "bands": 3})).await, 422).await;
    error_of(app.post_json("/api/v1/robustness", &json!({"profile_id": 999999})).await, 404).await;
}
