//! Sites and clusters over HTTP against PostgreSQL: CRUD, 409, import dry run, export round trip,
//! filters, recommendations and the fleet map.

use serde_json::{Value, json};
use sqlx::PgPool;

use crate::helpers::{TestApp, count, error_of, with_demo};

async fn first_cluster(app: &TestApp, query: &str) -> Value {
    let list: Value = app.get(&format!("/api/v1/clusters?{query}")).await.json().await.unwrap();
    list.as_array().unwrap().first().cloned().unwrap_or_else(|| panic!("no cluster for {query}"))
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn the_demo_fleet_follows_the_seed_table(pool: PgPool) {
    let app = with_demo(pool).await;
    let fleet: Value = app.get("/api/v1/fleet").await.json().await.unwrap();
    let page: Value = app.get("/api/v1/fleet/clusters?limit=5000").await.json().await.unwrap();
    let clusters: Vec<&Value> = page["clusters"].as_array().unwrap().iter().collect();
    assert!(clusters.len() >= 35, "{}", clusters.len());
    assert_eq!(page["total"].as_u64().unwrap() as usize, clusters.len());
    // The overview counts per site what the page lists one by one.
    let counted: u64 = fleet["sites"].as_array().unwrap().iter().map(|s| s["clusters"].as_u64().unwrap()).sum();
    assert_eq!(counted as usize, clusters.len());
    assert_eq!(fleet["clusters"].as_u64(), Some(counted));
    for c in &clusters {
        let expected = match (c["tier"].as_str().unwrap(), c["context"].as_str()) {
            ("cloud" | "regional", _) | ("plant", Some("greenfield")) => "cilium",
            _ => "calico",
        };
        let decided = c["decided"].as_str().unwrap_or(expected);
        assert!(decided == expected || c["exception"] == true, "{c}");
    }
    assert!(fleet["summary"]["cell"]["calico"].as_u64().unwrap() >= 20, "{}", fleet["summary"]);
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn cluster_crud_filters_and_a_stale_update(pool: PgPool) {
    let app = with_demo(pool).await;
    let sites: Value = app.get("/api/v1/sites").await.json().await.unwrap();
    let plant =
        sites.as_array().unwrap().iter().find(|s| s["kind"] == "plant").unwrap()["name"].as_str().unwrap().to_string();
    let body = json!({"name": "cell-test-01", "site": plant, "tier": "cell", "nodes": 1, "cores_per_node": 4,
        "memory_gib_per_node": 8, "kernel": "5.15.0-113-generic", "distribution": "k3s"});
    let r = app.post_json("/api/v1/clusters", &body).await;
    assert_eq!(r.status(), 201);
    let c: Value = r.json().await.unwrap();
    let id = c["id"].as_i64().unwrap();
    assert_eq!(c["version"], 1);
    assert_eq!(c["underlay_symmetric"], true, "defaults apply");
    error_of(app.post_json("/api/v1/clusters", &body).await, 409).await;

    let cells: Value = app.get(&format!("/api/v1/clusters?tier=cell&site={plant}")).await.json().await.unwrap();
    assert!(cells.as_array().unwrap().iter().all(|c| c["tier"] == "cell" && c["site"] == plant.as_str()));
    assert!(cells.as_array().unwrap().iter().any(|c| c["name"] == "cell-test-01"));
    error_of(app.get("/api/v1/clusters?tier=edge").await, 422).await;

    let mut upd = c.clone();
    upd["kernel"] = json!("5.4.0-186-generic");
    let r = app.put_json(&format!("/api/v1/clusters/{id}"), &upd).await;
    assert_eq!(r.status(), 200);
    let rec: Value = app.get(&format!("/api/v1/clusters/{id}/recommendation")).await.json().await.unwrap();
    assert!(rec["gates"].as_array().unwrap().iter().any(|g| g["code"] == "kernel_below_release_minimum"), "{rec}");
    let stale = app.put_json(&format!("/api/v1/clusters/{id}"), &upd).await;
    let e = error_of(stale, 409).await;
    assert_eq!(e["current"]["version"], 2);
    assert_eq!(app.delete(&format!("/api/v1/clusters/{id}")).await.status(), 204);
    error_of(app.get(&format!("/api/v1/clusters/{id}")).await, 404).await;
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn unknown_site_and_missing_rationale_are_field_errors(pool: PgPool) {
    let app = with_demo(pool).await;
    let e = error_of(
        app.post_json("/api/v1/clusters", &json!({"name": "x1", "site": "Atlantis", "tier": "cell"})).await,
        422,
    )
    .await;
    assert!(e["fields"]["site"].as_str().unwrap().contains("Atlantis"), "{e}");
    let cloud = first_cluster(&app, "tier=cloud").await;
    let mut upd = cloud.clone();
    upd["decided_cni"] = json!("calico");
    upd["exception_rationale"] = Value::Null;
    let e = error_of(app.put_json(&format!("/api/v1/clusters/{}", cloud["id"]), &upd).await, 422).await;
    assert!(e["fields"]["exception_rationale"].is_string(), "{e}");
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn an_import_with_bad_rows_writes_nothing_and_names_every_row(pool: PgPool) {
    let app = with_demo(pool).await;
    let before = (count(&app.pool, "clusters").await, count(&app.pool, "sites").await);
    let csv = "name,site,tier,nodes,kernel\n\
               good-1,Nowhere,cell,1,5.15.0\n\
               good-2,plant-leipzig,cell,abc,5.15.0\n\
               Bad Name,plant-leipzig,moon,1,\n";
    let r = app
        .client
        .post(format!("{}/api/v1/clusters/import?dry_run=false", app.base))
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let report: Value = r.json().await.unwrap();
    let lines: Vec<u64> = report["errors"].as_array().unwrap().iter().map(|e| e["line"].as_u64().unwrap()).collect();
    for line in [2, 3, 4] {
        assert!(lines.contains(&line), "line {line} missing from {report}");
    }
    assert_eq!((count(&app.pool, "clusters").await, count(&app.pool, "sites").await), before);
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn export_and_import_round_trip_in_csv_and_yaml(pool: PgPool) {
    let app = with_demo(pool).await;
    let before: Value = app.get("/api/v1/clusters").await.json().await.unwrap();
    for (format, ctype) in [("yaml", "application/yaml"), ("csv", "text/csv")] {
        let text = app.get(&format!("/api/v1/clusters/export?format={format}")).await.text().await.unwrap();
        for dry in [true, false] {
            let r = app
                .client
                .post(format!("{}/api/v1/clusters/import?dry_run={dry}", app.base))
                .header("content-type", ctype)
                .body(text.clone())
                .send()
                .await
                .unwrap();
            let report: Value = r.json().await.unwrap();
            assert_eq!(report["errors"], json!([]), "{format}: {report}");
            assert_eq!(report["dry_run"], dry);
        }
        let after: Value = app.get("/api/v1/clusters").await.json().await.unwrap();
        let strip = |v: &Value| {
            v.as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    let mut c = c.clone();
                    c.as_object_mut().unwrap().remove("version");
                    c
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(strip(&after), strip(&before), "{format} round trip changed the fleet");
    }
    error_of(app.get("/api/v1/clusters/export?format=xml").await, 422).await;
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn sites_are_created_once_with_field_errors_for_bad_input(pool: PgPool) {
    let app = with_demo(pool).await;
    let r = app.post_json("/api/v1/sites", &json!({"name": "plant-tampere", "kind": "plant", "region": "EMEA"})).await;
    assert_eq!(r.status(), 201);
    error_of(app.post_json("/api/v1/sites", &json!({"name": "plant-tampere", "kind": "plant"})).await, 409).await;
    let e = error_of(
        app.post_json("/api/v1/sites", &json!({"name": "x", "kind": "plant", "region": "Atlantis"})).await,
        422,
    )
    .await;
    assert!(e["fields"]["region"].as_str().unwrap().contains("Atlantis"), "{e}");
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn concurrent_creates_of_one_name_give_one_201_and_the_rest_409(pool: PgPool) {
    let app = with_demo(pool).await;
    let site = json!({"name": "plant-race", "kind": "plant", "region": "EMEA"});
    let cluster = json!({"name": "cell-race-01", "site": "plant-race", "tier": "cell", "decided_cni": "calico"});
    for (path, body) in [("/api/v1/sites", &site), ("/api/v1/clusters", &cluster)] {
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..8 {
            let (client, url, body) = (app.client.clone(), format!("{}{path}", app.base), body.clone());
            set.spawn(async move { client.post(url).json(&body).send().await.unwrap().status().as_u16() });
        }
        let statuses = set.join_all().await;
        let created = statuses.iter().filter(|s| **s == 201).count();
        let conflicts = statuses.iter().filter(|s| **s == 409).count();
        assert_eq!((created, conflicts), (1, 7), "{path}: {statuses:?}");
    }
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE entity = 'cluster' AND action = 'create' AND after->>'name' = 'cell-race-01'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(n, 1, "only the create that happened is audited");
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn renaming_a_cluster_to_a_taken_name_is_a_conflict(pool: PgPool) {
    let app = with_demo(pool).await;
    let a = first_cluster(&app, "tier=cell").await;
    let mut body = a.clone();
    body["name"] = json!("plant-leipzig");
    let e = error_of(app.put_json(&format!("/api/v1/clusters/{}", a["id"]), &body).await, 409).await;
    assert!(e["message"].as_str().unwrap().contains("plant-leipzig"), "{e}");
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn the_audit_filter_finds_every_entity_kind(pool: PgPool) {
    let app = with_demo(pool).await;
    // One change of every kind the log records.
    let p: Value = app.get("/api/v1/profiles").await.json().await.unwrap();
    let mut profile = p[0].clone();
    profile["description"] = json!("audited");
    assert_eq!(app.put_json(&format!("/api/v1/profiles/{}", profile["id"]), &profile).await.status(), 200);
    let stakeholder = json!({"name": "Security", "role": "consulted", "weights": crate::helpers::seed_weights()});
    let stakeholders = format!("/api/v1/profiles/{}/stakeholders", profile["id"]);
    assert_eq!(app.post_json(&stakeholders, &stakeholder).await.status(), 201);
    assert_eq!(app.post_json("/api/v1/sites", &json!({"name": "plant-audit", "kind": "plant"})).await.status(), 201);
    let c = first_cluster(&app, "tier=cell").await;
    assert_eq!(app.delete(&format!("/api/v1/clusters/{}", c["id"])).await.status(), 204);
    assert_eq!(app.post_json("/api/v1/tokens", &json!({"name": "ci", "scope": "read"})).await.status(), 201);
    let seen = json!([{"cluster": "plant-leipzig", "cni": "calico", "version": "3.31.7"}]);
    assert_eq!(app.post_json("/api/v1/observations", &seen).await.status(), 200);
    let admin = app.signed_in(app::model::Role::Admin).await;
    let new_user =
        json!({"email": "new@test", "display_name": "New", "role": "viewer", "password": "a long enough passphrase"});
    assert_eq!(admin.post(format!("{}/api/v1/users", app.base)).json(&new_user).send().await.unwrap().status(), 201);
    for entity in app::model::AUDIT_ENTITIES {
        let list: Value = app.get(&format!("/api/v1/audit?entity={entity}")).await.json().await.unwrap();
        let list = list.as_array().unwrap();
        assert!(!list.is_empty(), "no audit entry for {entity}");
        assert!(list.iter().all(|e| e["entity"] == entity), "{entity}: {list:?}");
    }
}
