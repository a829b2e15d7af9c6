//! The HTTP API on the real router: shapes, validation errors, 404, 409 and evaluation.

use serde_json::{Value, json};
use sqlx::PgPool;

use crate::helpers::{TestApp, error_of, seed_weights};

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn healthz_is_ok(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let r = app.get("/healthz").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap(), json!({"status": "ok"}));
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn criteria_and_candidates_come_from_the_seed(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let c: Value = app.get("/api/v1/criteria").await.json().await.unwrap();
    assert_eq!(c.as_array().unwrap().len(), 9);
    assert_eq!(c[6]["key"], "bgp_underlay");
    assert_eq!(c[6]["why"], "Plant network teams own the fabric and speak BGP");
    let cands: Value = app.get("/api/v1/candidates").await.json().await.unwrap();
    assert_eq!(cands[0]["scores"]["identity_policy"]["score"], 5);
    assert_eq!(cands[1]["scores"]["bgp_underlay"]["rationale"], "Calico is BGP-native");
    assert_eq!(cands[3]["key"], "flannel");
    assert_eq!(cands[3]["status"], "dismissed");
    assert!(cands[3]["dismissed_reason"].as_str().unwrap().to_lowercase().contains("no network policy"));
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn evaluate_reproduces_the_seed(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let r: Value = app.post_json("/api/v1/evaluate", &json!({"weights": seed_weights()})).await.json().await.unwrap();
    assert_eq!(r["winner"], "cilium");
    assert_eq!(r["results"][0]["total"], 4.2);
    assert_eq!(r["results"][0]["rank"], 1);
    assert_eq!(r["results"][1]["candidate"], "calico");
    assert_eq!(r["results"][1]["total"], 3.6);
    assert_eq!(r["results"][0]["contributions"]["identity_policy"], 0.75);
    assert_eq!(r["margin"], 0.6);
    assert_eq!(r["clear_winner"], true);
    assert_eq!(r["break_even"]["bgp_underlay"]["above"]["challenger"], "calico");
    assert_eq!(r["break_even"]["bgp_underlay"]["above"]["weight"], 30.77);
    assert_eq!(r["break_even"]["encryption"]["never_flips"], true);
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn evaluate_applies_tier_overrides(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let r: Value = app
        .post_json("/api/v1/evaluate", &json!({"weights": seed_weights(), "tier": "cell"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r["tier"], "cell");
    assert_eq!(r["results"][0]["total"], 4.1);
    assert_eq!(r["results"][1]["total"], 3.7);
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn evaluate_rejects_bad_input_with_field_messages(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let mut w = seed_weights();
    w["bgp_underlay"] = json!(20);
    let e = error_of(app.post_json("/api/v1/evaluate", &json!({"weights": w})).await, 422).await;
    assert_eq!(e["code"], "validation");
    assert!(e["fields"]["weights"].as_str().unwrap().contains("110.0 %"));

    let mut w = seed_weights();
    w["identity_policy"] = json!(-15);
    w["colour"] = json!(1);
    let e = error_of(app.post_json("/api/v1/evaluate", &json!({"weights": w})).await, 422).await;
    assert!(e["fields"]["weights.identity_policy"].as_str().unwrap().contains("negative"));
    assert!(e["fields"]["weights.colour"].as_str().unwrap().contains("unknown criterion"));

    let e = error_of(app.post_raw("/api/v1/evaluate", "{\"weights\": ").await, 400).await;
    assert!(e["message"].as_str().unwrap().contains("not valid JSON"));

    let e = error_of(app.post_json("/api/v1/evaluate", &json!({"weights": {"bgp_underlay": "ten"}})).await, 422).await;
    assert!(e["message"].as_str().unwrap().contains("bgp_underlay"), "{e}");

    let e = error_of(app.post_json("/api/v1/evaluate", &json!({"weights": seed_weights(), "tier": "edge"})).await, 422)
        .await;
    assert!(e["message"].as_str().unwrap().contains("tier"), "{e}");

    let r = app.client.post(format!("{}/api/v1/evaluate", app.base)).body("weights").send().await.unwrap();
    let e = error_of(r, 400).await;
    assert!(e["message"].as_str().unwrap().contains("Content-Type"));
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn profiles_crud_round_trip(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let list: Value = app.get("/api/v1/profiles").await.json().await.unwrap();
    assert_eq!(list.as_array().unwrap().len(), 6);
    assert_eq!(list[0]["name"], "Industrial ADR 2026");

    let body = json!({"name": "Plant 7 draft", "description": "d", "tier": "plant", "context": "brownfield", "weights": seed_weights()});
    let r = app.post_json("/api/v1/profiles", &body).await;
    assert_eq!(r.status(), 201);
    let p: Value = r.json().await.unwrap();
    let id = p["id"].as_i64().unwrap();
    assert_eq!(p["version"], 1);
    assert_eq!(p["tier"], "plant");
    assert_eq!(p["context"], "brownfield");

    let got: Value = app.get(&format!("/api/v1/profiles/{id}")).await.json().await.unwrap();
    assert_eq!(got, p);

    let mut upd = body.clone();
    upd["version"] = json!(1);
    upd["weights"]["bgp_underlay"] = json!(5);
    upd["weights"]["governance"] = json!(15);
    let r = app.put_json(&format!("/api/v1/profiles/{id}"), &upd).await;
    assert_eq!(r.status(), 200);
    let p2: Value = r.json().await.unwrap();
    assert_eq!(p2["version"], 2);
    assert_eq!(p2["weights"]["bgp_underlay"], 5.0);

    assert_eq!(app.delete(&format!("/api/v1/profiles/{id}?version=2")).await.status(), 204);
    error_of(app.get(&format!("/api/v1/profiles/{id}")).await, 404).await;
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn a_stale_put_gets_409_with_the_current_profile(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let body = json!({"name": "Contested", "weights": seed_weights()});
    let p: Value = app.post_json("/api/v1/profiles", &body).await.json().await.unwrap();
    let id = p["id"].as_i64().unwrap();
    let mut first = body.clone();
    first["version"] = json!(1);
    first["description"] = json!("first writer");
    assert_eq!(app.put_json(&format!("/api/v1/profiles/{id}"), &first).await.status(), 200);
    let mut second = body.clone();
    second["version"] = json!(1);
    second["description"] = json!("second writer");
    let e = error_of(app.put_json(&format!("/api/v1/profiles/{id}"), &second).await, 409).await;
    assert_eq!(e["code"], "conflict");
    assert_eq!(e["current"]["version"], 2);
    assert_eq!(e["current"]["description"], "first writer");
    let now: Value = app.get(&format!("/api/v1/profiles/{id}")).await.json().await.unwrap();
    assert_eq!(now["description"], "first writer");
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn profile_validation_and_not_found(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let e = error_of(app.post_json("/api/v1/profiles", &json!({"name": " ", "weights": {}})).await, 422).await;
    assert!(e["fields"]["name"].is_string());
    assert!(e["fields"]["weights.bgp_underlay"].as_str().unwrap().contains("missing"));

    let e = error_of(
        app.post_json("/api/v1/profiles", &json!({"name": "Industrial ADR 2026", "weights": seed_weights()})).await,
        409,
    )
    .await;
    assert!(e["message"].as_str().unwrap().contains("already exists"));

    let e =
        error_of(app.put_json("/api/v1/profiles/1", &json!({"name": "x", "weights": seed_weights()})).await, 422).await;
    assert!(e["fields"]["version"].is_string());

    error_of(app.get("/api/v1/profiles/999999").await, 404).await;
    error_of(app.get("/api/v1/profiles/abc").await, 404).await;
    error_of(app.delete("/api/v1/profiles/999999").await, 404).await;
    error_of(
        app.put_json("/api/v1/profiles/999999", &json!({"name": "x", "version": 1, "weights": seed_weights()})).await,
        404,
    )
    .await;
    error_of(app.get("/api/v1/nothing-here").await, 404).await;
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM profiles").fetch_one(&app.pool).await.unwrap();
    assert_eq!(count, 6, "nothing was written by the bad requests");
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn a_score_changed_in_the_database_reaches_every_evaluation(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let total = || async {
        let r: Value =
            app.post_json("/api/v1/evaluate", &json!({"weights": seed_weights()})).await.json().await.unwrap();
        r["results"].as_array().unwrap().iter().find(|x| x["candidate"] == "cilium").unwrap()["total"].as_f64().unwrap()
    };
    assert_eq!(total().await, 4.2);
    // Another server (here: plain SQL) changes a score; the trigger's NOTIFY drops the cached model.
    sqlx::query("UPDATE scores SET score = 0 WHERE candidate_key = 'cilium' AND criterion_key = 'identity_policy' AND tier IS NULL")
        .execute(&app.pool)
        .await
        .unwrap();
    let mut seen = 0.0;
    for _ in 0..100 {
        seen = total().await;
        if seen != 4.2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(seen, 3.45, "4.20 − 0.75 once the change is seen");
}
