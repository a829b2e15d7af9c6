//! Stakeholder weights (issue 13): `/api/v1/profiles/{id}/stakeholders`, the studio's forms,
//! roles, versions, the audit trail, SMAA within their ranges and the ADR snapshot.

use leptos::server_fn::ServerFn;
use reqwest::Client;
use serde_json::{Value, json};
use sqlx::PgPool;

use crate::helpers::{TestApp, count, error_of, seed_weights};
use app::model::Role;

/// Weights in percent that favour Calico strongly (BGP, footprint, simplicity).
fn calico_weights() -> Value {
    json!({
        "identity_policy": 5, "l7_policy": 0, "observability": 5, "multi_cluster": 0,
        "encryption": 5, "performance_footprint": 25, "bgp_underlay": 35,
        "operational_simplicity": 25, "governance": 0
    })
}

async fn profile_id(app: &TestApp, name: &str) -> i64 {
    let profiles: Value = app.get("/api/v1/profiles").await.json().await.unwrap();
    profiles.as_array().unwrap().iter().find(|p| p["name"] == name).unwrap()["id"].as_i64().unwrap()
}

async fn send(client: &Client, method: reqwest::Method, url: String, body: Option<&Value>) -> reqwest::Response {
    let mut r = client.request(method, url);
    if let Some(b) = body {
        r = r.json(b);
    }
    r.send().await.unwrap()
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn stakeholders_are_entered_analysed_and_audited(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let id = profile_id(&app, "Industrial ADR 2026").await;
    let base = format!("/api/v1/profiles/{id}/stakeholders");

    // None yet: the profile's winner, no aggregate.
    let empty: Value = app.get(&base).await.json().await.unwrap();
    assert_eq!(empty["profile_winner"], "cilium");
    assert_eq!(empty["stakeholders"], json!([]));
    assert!(empty["aggregate_weights"].is_null() && empty["aggregate"] == "mean", "{empty}");

    // An architect enters two on others' behalf.
    let r =
        app.post_json(&base, &json!({"name": "Security", "role": "decision-maker", "weights": seed_weights()})).await;
    assert_eq!(r.status(), 201);
    let security: Value = r.json().await.unwrap();
    assert_eq!(security["role"], "decision-maker");
    assert!(security["user_id"].is_null());
    let r = app
        .post_json(&base, &json!({"name": "Plant network team", "role": "consulted", "weights": calico_weights()}))
        .await;
    assert_eq!(r.status(), 201);
    let network: Value = r.json().await.unwrap();

    let board: Value = app.get(&base).await.json().await.unwrap();
    let rows = board["stakeholders"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    // Sorted by name: the network team first; its weights pick Calico and would flip the call.
    assert_eq!(rows[0]["name"], "Plant network team");
    assert_eq!(rows[0]["winner"], "calico");
    assert_eq!(rows[0]["flips"], true);
    assert_eq!(rows[1]["winner"], "cilium");
    assert_eq!(rows[1]["flips"], false);
    let spread = board["spread"].as_array().unwrap();
    let bgp = spread.iter().find(|s| s["criterion"] == "bgp_underlay").unwrap();
    assert_eq!((bgp["lo"].as_f64(), bgp["hi"].as_f64(), bgp["mean"].as_f64()), (Some(10.0), Some(35.0), Some(22.5)));
    let agg = board["aggregate_weights"].as_object().unwrap();
    assert!((agg.values().map(|v| v.as_f64().unwrap()).sum::<f64>() - 100.0).abs() < 1e-9, "{agg:?}");

    // Median instead of mean: needs the profile's version; a stale one is refused.
    let version = board["profile_version"].as_i64().unwrap();
    let r = app
        .put_json(&format!("/api/v1/profiles/{id}/aggregate"), &json!({"aggregate": "median", "version": version}))
        .await;
    assert_eq!(r.status(), 200);
    let median: Value = r.json().await.unwrap();
    assert_eq!(median["aggregate"], "median");
    error_of(
        app.put_json(&format!("/api/v1/profiles/{id}/aggregate"), &json!({"aggregate": "mean", "version": version}))
            .await,
        409,
    )
    .await;
    let e = error_of(
        app.put_json(&format!("/api/v1/profiles/{id}/aggregate"), &json!({"aggregate": "mode", "version": 1})).await,
        422,
    )
    .await;
    assert!(e["message"].as_str().unwrap().contains("mean"), "{e}");

    // SMAA within their ranges: the disagreement shows as a contest.
    let r =
        app.post_json("/api/v1/robustness", &json!({"profile_id": id, "stakeholders": true, "samples": 4000})).await;
    assert_eq!(r.status(), 200);
    let smaa: Value = r.json().await.unwrap();
    let cilium = smaa["rank_acceptability"]["cilium"][0].as_f64().unwrap();
    assert!(cilium > 0.0 && cilium < 1.0, "{smaa}");
    let e = error_of(
        app.post_json("/api/v1/robustness", &json!({"weights": seed_weights(), "stakeholders": true})).await,
        422,
    )
    .await;
    assert!(e["fields"]["stakeholders"].is_string(), "{e}");

    // A stale change is refused with the entry as it is now; the current version works.
    let sid = network["id"].as_i64().unwrap();
    let change =
        json!({"name": "Plant network team", "role": "decision-maker", "weights": seed_weights(), "version": 7});
    let e = error_of(app.put_json(&format!("{base}/{sid}"), &change).await, 409).await;
    assert_eq!(e["current"]["version"], 1);
    let mut change = change;
    change["version"] = json!(1);
    let r = app.put_json(&format!("{base}/{sid}"), &change).await;
    assert_eq!(r.status(), 200);
    let changed: Value = r.json().await.unwrap();
    assert_eq!((changed["version"].as_i64(), changed["role"].as_str()), (Some(2), Some("decision-maker")));

    // Removing needs the version; then it is gone.
    error_of(app.delete(&format!("{base}/{sid}")).await, 422).await;
    assert_eq!(app.delete(&format!("{base}/{sid}?version=2")).await.status(), 204);
    error_of(app.delete(&format!("{base}/{sid}?version=2")).await, 404).await;

    // Every change is in the audit log.
    let audited: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE entity = 'stakeholder'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(audited, 4, "two creates, an update, a delete");
    let aggregate_audits: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE entity = 'profile' AND action = 'aggregate'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(aggregate_audits, 1);
    let _ = security;
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn bad_stakeholder_input_is_refused_with_what_to_fix(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let id = profile_id(&app, "Industrial ADR 2026").await;
    let base = format!("/api/v1/profiles/{id}/stakeholders");
    let mut short = seed_weights();
    short["governance"] = json!(5);
    let e =
        error_of(app.post_json(&base, &json!({"name": "Security", "role": "consulted", "weights": short})).await, 422)
            .await;
    assert!(e["message"].as_str().unwrap().contains("100"), "{e}");
    let e = error_of(
        app.post_json(&base, &json!({"name": " ", "role": "consulted", "weights": seed_weights()})).await,
        422,
    )
    .await;
    assert!(e["fields"]["name"].is_string(), "{e}");
    error_of(app.post_json(&base, &json!({"name": "X", "role": "boss", "weights": seed_weights()})).await, 422).await;
    error_of(
        app.post_json(&base, &json!({"name": "X", "role": "consulted", "weights": seed_weights(), "extra": 1})).await,
        422,
    )
    .await;
    // The same name twice in one profile.
    let ok = json!({"name": "Security", "role": "consulted", "weights": seed_weights()});
    assert_eq!(app.post_json(&base, &ok).await.status(), 201);
    let e = error_of(app.post_json(&base, &ok).await, 409).await;
    assert!(e["message"].as_str().unwrap().contains("already exists"), "{e}");
    error_of(app.get("/api/v1/profiles/999999/stakeholders").await, 404).await;
    error_of(app.get("/api/v1/profiles/abc/stakeholders").await, 404).await;
    error_of(app.put_json(&format!("{base}/abc"), &ok).await, 404).await;
    assert_eq!(count(&pool, "profile_stakeholders").await, 1);
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn a_viewer_enters_and_changes_only_their_own_weights(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let id = profile_id(&app, "Industrial ADR 2026").await;
    let url = |p: &str| format!("{}/api/v1/profiles/{id}/stakeholders{p}", app.base);
    let viewer = app.signed_in(Role::Viewer).await;
    use reqwest::Method;

    // On someone's behalf: architects only.
    let theirs = json!({"name": "Security", "role": "consulted", "weights": seed_weights()});
    error_of(send(&viewer, Method::POST, url(""), Some(&theirs)).await, 403).await;
    // Their own: allowed, named after them when they give no name, linked to their account.
    let own = json!({"role": "consulted", "weights": calico_weights(), "mine": true});
    let r = send(&viewer, Method::POST, url(""), Some(&own)).await;
    assert_eq!(r.status(), 201);
    let mine: Value = r.json().await.unwrap();
    assert_eq!(mine["name"], "viewer");
    assert!(mine["user_id"].is_i64());
    // One entry of one's own per profile.
    let e = error_of(send(&viewer, Method::POST, url(""), Some(&own)).await, 409).await;
    assert!(e["message"].as_str().unwrap().contains("already gave"), "{e}");
    // They change their own...
    let sid = mine["id"].as_i64().unwrap();
    let change = json!({"name": "viewer", "role": "decision-maker", "weights": seed_weights(), "version": 1});
    assert_eq!(send(&viewer, Method::PUT, url(&format!("/{sid}")), Some(&change)).await.status(), 200);
    // ...but not an architect's entry, nor the aggregate.
    let r = app.post_json(&format!("/api/v1/profiles/{id}/stakeholders"), &theirs).await;
    let other: Value = r.json().await.unwrap();
    let other_change = json!({"name": "Security", "role": "consulted", "weights": calico_weights(), "version": 1});
    error_of(send(&viewer, Method::PUT, url(&format!("/{}", other["id"])), Some(&other_change)).await, 403).await;
    error_of(send(&viewer, Method::DELETE, url(&format!("/{}?version=1", other["id"])), None).await, 403).await;
    let agg = json!({"aggregate": "median", "version": 1});
    error_of(send(&viewer, Method::PUT, format!("{}/api/v1/profiles/{id}/aggregate", app.base), Some(&agg)).await, 403)
        .await;
    // An architect may change or remove anyone's.
    assert_eq!(app.delete(&format!("/api/v1/profiles/{id}/stakeholders/{sid}?version=2")).await.status(), 204);
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn the_studio_forms_add_change_and_remove_weights_and_bring_back_a_refusal(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let id = profile_id(&app, "Industrial ADR 2026").await;
    let save = format!("{}{}", app.base, app::api::SaveStakeholder::PATH);
    let html = |form: Vec<(String, String)>| app.client.post(&save).header("accept", "text/html").form(&form).send();
    let mut form: Vec<(String, String)> = vec![
        ("profile".into(), id.to_string()),
        ("name".into(), "OT security".into()),
        ("role".into(), "consulted".into()),
        ("rescale".into(), "on".into()),
    ];
    // Typed as they like: they add up to 50 and are scaled to 100 %.
    for (k, v) in seed_weights().as_object().unwrap() {
        form.push((format!("weights[{k}]"), (v.as_f64().unwrap() / 2.0).to_string().replace('.', ",")));
    }
    let r = html(form.clone()).await.unwrap();
    assert_eq!(r.status(), 302);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(to.contains("stakeholders=added") && to.ends_with("#stakeholders"), "{to}");
    let board: Value = app.get(&format!("/api/v1/profiles/{id}/stakeholders")).await.json().await.unwrap();
    assert_eq!(board["stakeholders"][0]["weights"]["identity_policy"], 15.0);

    // The studio page shows the section with them.
    let page = app.client.get(format!("{}/?profile={id}", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("data-testid=\"stakeholder-table\"") && page.contains("OT security"), "section missing");

    // Without rescaling a wrong sum comes back with what was typed and the reason.
    let mut bad: Vec<(String, String)> = form.into_iter().filter(|(k, _)| k != "rescale").collect();
    bad.iter_mut().find(|(k, _)| k == "name").unwrap().1 = "Maintenance".into();
    let r = html(bad).await.unwrap();
    assert_eq!(r.status(), 302);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(to.contains("sh_error=") && to.contains("sh_draft=") && to.ends_with("#stakeholder-form"), "{to}");
    let page = app.client.get(format!("{}{to}", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("data-testid=\"stakeholder-error\"") && page.contains("value=\"Maintenance\""), "no draft");

    // A form without any weight box and with a made-up role names every problem at once.
    let bare = vec![("profile".to_string(), id.to_string()), ("role".to_string(), "boss".to_string())];
    let r = html(bare).await.unwrap();
    let to = r.headers()["location"].to_str().unwrap().to_string();
    let back: std::collections::HashMap<String, String> =
        form_urlencoded::parse(to.split_once('?').unwrap().1.split('#').next().unwrap().as_bytes())
            .into_owned()
            .collect();
    let why = &back["sh_error"];
    assert!(why.contains("role") && why.contains("weights.bgp_underlay"), "{why}");

    // Remove it through its form.
    let sid = board["stakeholders"][0]["id"].as_i64().unwrap();
    let r = app
        .client
        .post(format!("{}{}", app.base, app::api::DeleteStakeholder::PATH))
        .header("accept", "text/html")
        .form(&[("profile", id.to_string()), ("stakeholder", sid.to_string()), ("version", "1".to_string())])
        .send()
        .await
        .unwrap();
    assert!(r.headers()["location"].to_str().unwrap().contains("stakeholders=removed"));
    assert_eq!(count(&pool, "profile_stakeholders").await, 0);
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn an_adr_records_the_stakeholders_weights_in_its_snapshot(pool: PgPool) {
    let app = TestApp::spawn(pool.clone()).await;
    let id = profile_id(&app, "Industrial ADR 2026").await;
    let base = format!("/api/v1/profiles/{id}/stakeholders");
    for (name, role, w) in
        [("Security", "decision-maker", seed_weights()), ("Plant network team", "consulted", calico_weights())]
    {
        assert_eq!(app.post_json(&base, &json!({"name": name, "role": role, "weights": w})).await.status(), 201);
    }
    let r = app
        .post_json("/api/v1/adrs", &json!({"title": "Cilium by default", "chosen": "cilium", "profile_id": id}))
        .await;
    assert_eq!(r.status(), 201);
    let adr: Value = r.json().await.unwrap();
    let number = adr["number"].as_u64().unwrap();
    let recorded = adr["snapshot"]["stakeholder_weights"].as_array().unwrap().clone();
    assert_eq!(recorded.len(), 2);
    assert_eq!(recorded[0]["name"], "Plant network team");
    assert_eq!(recorded[0]["role"], "consulted");
    assert_eq!(recorded[0]["weights"].as_array().unwrap().iter().map(|w| w.as_u64().unwrap()).sum::<u64>(), 1000);
    // The exported Markdown lists them with the option each set ranks first.
    let md = app.get(&format!("/api/v1/adrs/{number}.md")).await.text().await.unwrap();
    assert!(md.contains("### Stakeholders' weights") && md.contains("Plant network team (consulted)"), "{md}");
    // Weights given directly record the stakeholders only when asked to.
    let r = app
        .post_json("/api/v1/adrs", &json!({"title": "Weights given", "chosen": "cilium", "weights": seed_weights()}))
        .await;
    assert_eq!(r.status(), 201);
    let adr: Value = r.json().await.unwrap();
    assert_eq!(adr["snapshot"]["stakeholder_weights"], json!([]));
    let e = error_of(
        app.post_json(
            "/api/v1/adrs",
            &json!({"title": "Bad", "chosen": "cilium", "weights": seed_weights(), "stakeholders_of": 99999}),
        )
        .await,
        422,
    )
    .await;
    assert!(e["fields"]["stakeholders_of"].is_string(), "{e}");
}
