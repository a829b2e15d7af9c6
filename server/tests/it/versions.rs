//! CNI versions over HTTP against PostgreSQL: the catalog and its import (dry run, bad file),
//! observation batches (all or nothing), pins through the API and import/export, lifecycles,
//! upgrade paths and the fleet plan.

use serde_json::{Value, json};
use sqlx::PgPool;

use crate::helpers::{TestApp, count, error_of, with_demo};
use app::model::Role;

async fn cluster_id(app: &TestApp, name: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM clusters WHERE name = $1").bind(name).fetch_one(&app.pool).await.unwrap()
}

async fn post_as(app: &TestApp, role: Role, path: &str, body: &str) -> reqwest::Response {
    app.signed_in(role)
        .await
        .post(format!("{}{path}", app.base))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap()
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn the_catalog_is_seeded_into_postgres_with_the_support_rule(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    assert!(count(&app.pool, "cni_releases").await >= 20);
    assert!(count(&app.pool, "cni_patches").await >= 300);
    let list: Value = app.get("/api/v1/releases?cni=cilium").await.json().await.unwrap();
    let rows = list.as_array().unwrap();
    let r118 = rows.iter().find(|r| r["cycle"] == "1.18").unwrap();
    assert_eq!(r118["ga_date"], "2025-07-29");
    assert_eq!(r118["latest_patch"], "1.18.13");
    assert!(r118["min_kernel"].as_str().unwrap().starts_with("5.10"));
    // Cilium supports three minors, Calico two (on today's date, whatever it is).
    assert_eq!(rows.iter().filter(|r| r["supported"] == true).count(), 3);
    let calico: Value = app.get("/api/v1/releases?cni=calico").await.json().await.unwrap();
    assert_eq!(calico.as_array().unwrap().iter().filter(|r| r["supported"] == true).count(), 2);
    let err = error_of(app.get("/api/v1/releases?cni=weave").await, 422).await;
    assert!(err["fields"]["cni"].as_str().unwrap().contains("cilium"), "{err}");
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn a_catalog_import_dry_run_changes_nothing_and_a_bad_file_neither(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let before = count(&app.pool, "cni_patches").await;
    let data = json!({"releases": {}, "versions": {
        "1.21.0": {"name": "1.21.0", "date": "2026-11-20"},
        "1.20.1": {"name": "1.20.1", "date": "2026-08-18"},
        "1.21.0-rc.1": {"name": "1.21.0-rc.1", "date": "2026-11-01"}
    }})
    .to_string();
    let path = "/api/v1/releases/import?product=cilium&dry_run=true";
    // Architects may not change the catalog.
    error_of(post_as(&app, Role::Architect, path, &data).await, 403).await;
    let r = post_as(&app, Role::Admin, path, &data).await;
    assert_eq!(r.status(), 200);
    let report: Value = r.json().await.unwrap();
    assert_eq!(report["dry_run"], true);
    assert_eq!(report["changed"], true);
    let added = report["changes"]["patches_added"].as_array().unwrap();
    assert_eq!(added.len(), 1, "{report}");
    assert_eq!(added[0]["version"], "1.21.0");
    assert_eq!(report["changes"]["prereleases_skipped"]["cilium"], 1);
    assert_eq!(count(&app.pool, "cni_patches").await, before);
    // Bad files: not JSON, neither shape, a bad version, a matrix without the product.
    for bad in [
        "not json".to_string(),
        "{}".to_string(),
        json!({"versions": {"x": {"name": "banana", "date": "2026-01-01"}}}).to_string(),
        json!({"rows": [{"product": "calico", "cycle": "3.33", "ga_date": "2026-10-01", "eol_date": null,
            "latest_patch": "3.33.0", "latest_patch_date": null, "min_kernel": "5.10"}]})
        .to_string(),
    ] {
        let r = post_as(&app, Role::Admin, "/api/v1/releases/import?product=cilium", &bad).await;
        let err = error_of(r, 422).await;
        assert!(!err["fields"].as_object().unwrap().is_empty(), "{bad}: {err}");
    }
    assert_eq!(count(&app.pool, "cni_patches").await, before);
    // Applied: the new release is known, the audit says so, and the catalog's version moved.
    let v0: i32 = sqlx::query_scalar("SELECT version FROM catalog_state").fetch_one(&app.pool).await.unwrap();
    let r = post_as(&app, Role::Admin, "/api/v1/releases/import?product=cilium", &data).await;
    assert_eq!(r.status(), 200);
    let v1: i32 = sqlx::query_scalar("SELECT version FROM catalog_state").fetch_one(&app.pool).await.unwrap();
    assert_eq!(v1, v0 + 1);
    let known: i64 = sqlx::query_scalar("SELECT count(*) FROM cni_patches WHERE product = 'cilium'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(known, 2, "the release data replaces the product's patches");
    let audited: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE entity = 'catalog' AND action = 'import'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(audited, 1);
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn an_observation_batch_with_one_bad_item_writes_nothing(pool: PgPool) {
    let app = with_demo(pool).await;
    let batch = json!([
        {"cluster": "plant-leipzig", "cni": "calico", "version": "3.31.7", "kernel": "5.15.0-113-generic",
         "observed_at": "2026-11-30T08:00:00Z"},
        {"cluster": "no-such-cluster", "cni": "calico", "version": "3.31.7"},
        {"cluster": "plant-brno", "cni": "weave", "version": "v3.x"},
        {"cluster": "plant-brno", "cni": "calico", "version": "3.31.7", "observed_at": "2999-01-01T00:00:00Z"}
    ]);
    let err = error_of(app.post_json("/api/v1/observations", &batch).await, 422).await;
    let fields = err["fields"].as_object().unwrap();
    for f in ["[1].cluster", "[2].cni", "[2].version", "[3].observed_at"] {
        assert!(fields.contains_key(f), "{f} missing in {err}");
    }
    assert!(!fields.contains_key("[0].cluster"), "{err}");
    assert_eq!(count(&app.pool, "cluster_observations").await, 0);
    assert_eq!(count(&app.pool, "cluster_latest_observations").await, 0);
    // The good item alone is stored, the latest kept, and a read token may not report.
    let good = json!([batch[0].clone(), {"cluster": "plant-leipzig", "cni": "calico", "version": "3.31.5",
        "observed_at": "2026-11-01T08:00:00Z"}]);
    let r = app.post_json("/api/v1/observations", &good).await;
    assert_eq!(r.status(), 200);
    let report: Value = r.json().await.unwrap();
    assert_eq!(report["accepted"], 2);
    let latest: String =
        sqlx::query_scalar("SELECT version FROM cluster_latest_observations").fetch_one(&app.pool).await.unwrap();
    assert_eq!(latest, "3.31.7", "the newer observation stays the latest");
    let token: Value =
        app.post_json("/api/v1/tokens", &json!({"name": "reader", "scope": "read"})).await.json().await.unwrap();
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/observations", app.base))
        .bearer_auth(token["token"].as_str().unwrap())
        .json(&good)
        .send()
        .await
        .unwrap();
    error_of(r, 403).await;
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn pins_are_checked_against_the_catalog_and_travel_through_import_and_export(pool: PgPool) {
    let app = with_demo(pool).await;
    let id = cluster_id(&app, "plant-gyor").await;
    let mut c: Value = app.get(&format!("/api/v1/clusters/{id}")).await.json().await.unwrap();
    assert_eq!(c["pinned_version"], "1.19.7");
    assert_eq!(c["pilot"], true);
    let mut body = c.clone();
    body["pinned_version"] = json!("1.19.99");
    let err = error_of(app.put_json(&format!("/api/v1/clusters/{id}"), &body).await, 422).await;
    let m = err["fields"]["pinned_version"].as_str().unwrap();
    assert!(m.contains("1.19.7"), "names the nearest known: {m}");
    body["pinned_version"] = json!("1.20.1");
    let r = app.put_json(&format!("/api/v1/clusters/{id}"), &body).await;
    assert_eq!(r.status(), 200);
    c = r.json().await.unwrap();
    assert_eq!(c["pinned_version"], "1.20.1");
    // A pilot must be a plant cluster.
    let cell = cluster_id(&app, "cell-leipzig-press-01").await;
    let mut cb: Value = app.get(&format!("/api/v1/clusters/{cell}")).await.json().await.unwrap();
    cb["pilot"] = json!(true);
    let err = error_of(app.put_json(&format!("/api/v1/clusters/{cell}"), &cb).await, 422).await;
    assert!(err["fields"]["pilot"].is_string(), "{err}");
    // Export carries the pins; an import pinning an unknown version is refused row by row.
    let csv = app.get("/api/v1/clusters/export?format=csv").await.text().await.unwrap();
    let header = csv.lines().next().unwrap();
    assert!(header.contains("pinned_version") && header.contains("pilot"), "{header}");
    assert!(csv.contains("1.20.1"));
    let yaml = app.get("/api/v1/clusters/export?format=yaml").await.text().await.unwrap();
    assert!(yaml.contains("pinned_version"), "yaml export");
    let bad = "name,site,tier,decided_cni,pinned_version\ncell-new-01,Leipzig,cell,calico,3.31.99\n";
    let r = app
        .client
        .post(format!("{}/api/v1/clusters/import", app.base))
        .header("content-type", "text/csv")
        .body(bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let report: Value = r.json().await.unwrap();
    assert_eq!(report["errors"][0]["field"], "pinned_version", "{report}");
    assert!(report["errors"][0]["reason"].as_str().unwrap().contains("3.31.7"), "{report}");
    // A bulk pin by tier and site.
    let r = app
        .post_json(
            "/api/v1/versions/pin",
            &json!({"cni": "calico", "version": "3.32.1", "tier": "cell",
        "site": "Leipzig"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let report: Value = r.json().await.unwrap();
    assert_eq!(report["selected"], 5);
    assert_eq!(report["pinned"], 5);
    let err =
        error_of(app.post_json("/api/v1/versions/pin", &json!({"cni": "calico", "version": "3.32.9"})).await, 422)
            .await;
    assert!(err["fields"]["version"].as_str().unwrap().contains("3.32.1"), "{err}");
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn lifecycles_upgrade_paths_and_the_fleet_plan(pool: PgPool) {
    let app = with_demo(pool).await;
    app::ssr::versions::demo::load(&app.pool).await.unwrap();
    // The Cilium-minimal cell on 1.14 is past end of life; its path goes one minor at a time.
    let id = cluster_id(&app, "cell-gyor-vision-01").await;
    let lc: Value = app.get(&format!("/api/v1/clusters/{id}/lifecycle")).await.json().await.unwrap();
    assert_eq!(lc["status"], "eol", "{lc}");
    assert!(lc["codes"].as_array().unwrap().contains(&json!("eol")), "{lc}");
    assert!(lc["findings"][0]["message"].as_str().unwrap().len() > 20);
    let plan: Value = app.get(&format!("/api/v1/clusters/{id}/upgrade-plan?target=1.18")).await.json().await.unwrap();
    let steps: Vec<&str> = plan["steps"].as_array().unwrap().iter().map(|s| s["version"].as_str().unwrap()).collect();
    assert_eq!(steps, ["1.15.19", "1.16.19", "1.17.18", "1.18.13"], "{plan}");
    error_of(app.get(&format!("/api/v1/clusters/{id}/upgrade-plan?target=1.12")).await, 422).await;
    // The drifted plant.
    let q = cluster_id(&app, "plant-queretaro").await;
    let lc: Value = app.get(&format!("/api/v1/clusters/{q}/lifecycle")).await.json().await.unwrap();
    assert!(lc["codes"].as_array().unwrap().contains(&json!("drift")), "{lc}");
    // The table: filters, counts, a stale and an unpinned cluster.
    let eol: Value = app.get("/api/v1/versions?status=eol&limit=500").await.json().await.unwrap();
    assert!(eol["total"].as_u64().unwrap() >= 6, "{}", eol["total"]);
    assert!(eol["rows"].as_array().unwrap().iter().all(|r| r["status"] == "eol"));
    let all: Value = app.get("/api/v1/versions?limit=500").await.json().await.unwrap();
    for s in ["eol", "supported", "unpinned", "drift", "stale", "behind"] {
        assert!(all["summary"]["by_status"][s].as_u64().unwrap_or(0) > 0, "no {s} in {}", all["summary"]);
    }
    error_of(app.get("/api/v1/versions?status=old").await, 422).await;
    // The fleet plan: pilots first, each wave a soak apart; CSV and Markdown downloads.
    let plan: Value = app.get("/api/v1/upgrade-plan?cni=cilium&target=1.20").await.json().await.unwrap();
    assert_eq!(plan["waves"][0]["wave"], 0);
    assert_eq!(plan["waves"][0]["name"], "pilot", "{plan}");
    assert_eq!(plan["waves"][1]["start_day"], 7);
    let csv = app.get("/api/v1/upgrade-plan?cni=cilium&target=1.20&format=csv").await;
    assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert!(csv.text().await.unwrap().starts_with("wave,"));
    let md = app.get("/api/v1/upgrade-plan?cni=cilium&format=md").await.text().await.unwrap();
    assert!(md.contains("pilot"), "{md}");
    error_of(app.get("/api/v1/upgrade-plan?cni=cilium&format=pdf").await, 422).await;
    error_of(app.get("/api/v1/upgrade-plan").await, 422).await;
    // The fleet map badges and counts follow.
    let fleet: Value = app.get("/api/v1/fleet").await.json().await.unwrap();
    assert!(fleet["versions"]["eol"].as_u64().unwrap() >= 6, "{}", fleet["versions"]);
    assert!(fleet["versions"]["drift"].as_u64().unwrap() >= 1);
    let eol_marks: Value = app.get("/api/v1/fleet/clusters?status=eol&limit=500").await.json().await.unwrap();
    assert_eq!(eol_marks["total"], fleet["versions"]["eol"]);
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn a_review_lists_end_of_life_pins_and_drift_in_scope(pool: PgPool) {
    let app = with_demo(pool).await;
    app::ssr::versions::demo::load(&app.pool).await.unwrap();
    // ADR-0001, the seed, covers the whole fleet.
    let preview: Value = app.get("/api/v1/adrs/1/review").await.json().await.unwrap();
    let summary: Vec<&str> = preview["summary"].as_array().unwrap().iter().map(|l| l.as_str().unwrap()).collect();
    let eol = summary.iter().find(|l| l.contains("end-of-life")).unwrap_or_else(|| panic!("{summary:?}"));
    assert!(eol.contains("cell-gyor-vision-01 (cilium 1.14.19)"), "{eol}");
    assert!(summary.iter().any(|l| l.contains("another release than") && l.contains("plant-queretaro")));
    let rows = preview["versions"].as_array().unwrap();
    assert!(rows.iter().any(|r| r["cluster"] == "plant-brno" && r["status"] == "eol"), "{rows:?}");
    // The preview leaves the whole-fleet cluster lists out; the counts stay.
    assert_eq!(preview["now"]["fleet"]["clusters"].as_array().unwrap().len(), 0);
    assert!(preview["now"]["fleet"]["by_tier"]["cell"].as_u64().unwrap() > 20);
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn the_bulk_pin_form_pins_for_architects_and_tells_viewers_why_not(pool: PgPool) {
    use leptos::server_fn::ServerFn;
    let app = with_demo(pool).await;
    let url = format!("{}{}", app.base, app::api::PinVersions::PATH);
    let form = [("cni", "calico"), ("version", "3.32.1"), ("tier", "plant"), ("site", "")];
    let viewer = app.signed_in(Role::Viewer).await;
    let r = viewer.post(&url).header("origin", &app.base).form(&form).send().await.unwrap();
    let back = r.headers()["location"].to_str().unwrap().to_string();
    assert!(back.starts_with("/versions?error="), "{back}");
    let pinned: i64 = sqlx::query_scalar("SELECT count(*) FROM clusters WHERE facts ->> 'pinned_version' = '3.32.1'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let r = app.client.post(&url).header("origin", &app.base).form(&form).send().await.unwrap();
    let done = r.headers()["location"].to_str().unwrap().to_string();
    assert!(done.starts_with("/versions?pinned=4&selected=4&pin_version=3.32.1"), "{done}");
    let after: i64 = sqlx::query_scalar("SELECT count(*) FROM clusters WHERE facts ->> 'pinned_version' = '3.32.1'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(after, pinned + 4, "the four Calico plants");
}
