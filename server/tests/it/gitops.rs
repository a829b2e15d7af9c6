//! The GitOps hand-off over HTTP: the Argo CD plugin generator's contract (token, filters,
//! shape), the values files, the platform-repo bundle, and the Prometheus scrape.

use std::io::Read;

use reqwest::Client;
use serde_json::{Value, json};
use sqlx::PgPool;

use crate::helpers::{TestApp, error_of, with_demo};
use app::model::Role;

async fn read_token(app: &TestApp) -> String {
    let r = app.post_json("/api/v1/tokens", &json!({"name": "argocd", "scope": "read"})).await;
    assert_eq!(r.status(), 201);
    let t: Value = r.json().await.unwrap();
    t["token"].as_str().unwrap().to_string()
}

async fn plugin(app: &TestApp, token: Option<&str>, body: &Value) -> reqwest::Response {
    // Argo CD sends no Origin and no cookie: only its bearer token.
    let mut req = Client::new().post(format!("{}/api/v1/getparams.execute", app.base)).json(body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap()
}

fn input(parameters: Value) -> Value {
    json!({"applicationSetName": "cni", "input": {"parameters": parameters}})
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn the_plugin_generator_answers_argo_cds_contract(pool: PgPool) {
    let app = with_demo(pool).await;
    let token = read_token(&app).await;
    let r = plugin(&app, Some(&token), &input(json!({}))).await;
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    let all = body["output"]["parameters"].as_array().unwrap().clone();
    let clusters: i64 = sqlx::query_scalar("SELECT count(*) FROM clusters").fetch_one(&app.pool).await.unwrap();
    assert_eq!(all.len() as i64, clusters, "one entry per demo cluster (all decided on Cilium or Calico)");
    for p in &all {
        for key in ["cluster", "site", "sitePath", "tier", "context", "cni", "chart", "chartRepo", "valuesFile"] {
            assert!(p[key].as_str().is_some_and(|s| !s.is_empty()), "{key} missing in {p}");
        }
        let labels = &p["labels"];
        assert_eq!(labels["switchyard.io/cni"], p["cni"]);
        assert_eq!(labels["switchyard.io/tier"], p["tier"]);
        assert_eq!(labels["switchyard.io/values"], p["valuesFile"]);
        if let Some(v) = p["chartVersion"].as_str() {
            assert_eq!(labels["switchyard.io/cni-version"], v, "{p}");
        }
    }
    assert!(all.iter().any(|p| p["chartVersion"].is_string()), "the demo pins some cells");
    assert!(all.iter().any(|p| p["overridesFile"].is_string()), "the demo has MTU and WAN overrides");
    let plant = all.iter().find(|p| p["tier"] == "plant" && p["cni"] == "cilium").unwrap();
    assert_eq!(plant["valuesFile"], "values-plant.yaml");
    assert_eq!(plant["chart"], "cilium/cilium");

    // Filters: a string or a list, any of which matches.
    let cells: Value = plugin(&app, Some(&token), &input(json!({"tier": "cell"}))).await.json().await.unwrap();
    let cells = cells["output"]["parameters"].as_array().unwrap();
    assert!(!cells.is_empty() && cells.len() < all.len());
    assert!(cells.iter().all(|p| p["tier"] == "cell"));
    let calico: Value = plugin(&app, Some(&token), &input(json!({"cni": ["calico"], "tier": ["cell", "plant"]})))
        .await
        .json()
        .await
        .unwrap();
    let calico = calico["output"]["parameters"].as_array().unwrap();
    assert!(!calico.is_empty());
    assert!(calico.iter().all(|p| p["cni"] == "calico" && p["tier"] != "cloud"));
    let site = plant["site"].as_str().unwrap();
    let at_site: Value = plugin(&app, Some(&token), &input(json!({"site": site}))).await.json().await.unwrap();
    assert!(at_site["output"]["parameters"].as_array().unwrap().iter().all(|p| p["site"] == site));

    // Bad filters name the parameter; a body of the wrong shape is a 422 with the error JSON.
    let e = error_of(plugin(&app, Some(&token), &input(json!({"tier": "mars"}))).await, 422).await;
    assert!(e["fields"]["input.parameters.tier"].is_string(), "{e}");
    let e = error_of(plugin(&app, Some(&token), &input(json!({"cni": 3}))).await, 422).await;
    assert!(e["fields"]["input.parameters.cni"].as_str().unwrap().contains("string"), "{e}");
    error_of(plugin(&app, Some(&token), &json!({"input": {"parameters": []}})).await, 422).await;
    // An array where the input object belongs is refused, not read as "no filters" (schemathesis).
    let e = error_of(plugin(&app, Some(&token), &json!({"input": [], "applicationSetName": ""})).await, 422).await;
    assert!(e["fields"]["input"].is_string(), "{e}");

    // Argo CD expects 401 for a missing or wrong token.
    error_of(plugin(&app, None, &input(json!({}))).await, 401).await;
    error_of(plugin(&app, Some("sy_wrong"), &input(json!({}))).await, 401).await;
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn values_files_and_the_bundle_come_from_the_decisions(pool: PgPool) {
    let app = with_demo(pool).await;
    let r = app.get("/api/v1/gitops/values/values-plant.yaml").await;
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("application/yaml"));
    let text = r.text().await.unwrap();
    assert!(text.starts_with("# values-plant.yaml: Helm values for cilium/cilium, plant tier"), "{text}");
    assert!(text.contains("# ADRs: ADR-0001"), "{text}");
    assert!(text.contains("kubeProxyReplacement: true"), "{text}");
    let calico = app.get("/api/v1/gitops/values/values-cell-calico.yaml").await.text().await.unwrap();
    assert!(calico.contains("linuxDataplane: Iptables"), "{calico}");
    let e = error_of(app.get("/api/v1/gitops/values/values-mars.yaml").await, 404).await;
    assert!(e["message"].as_str().unwrap().contains("values-cloud.yaml"), "{e}");
    error_of(app.get("/api/v1/gitops/values/..%2F..%2Fetc%2Fpasswd").await, 404).await;

    let first = app.get("/api/v1/gitops/bundle.tar.gz").await;
    assert_eq!(first.status(), 200);
    assert_eq!(first.headers()["content-type"], "application/gzip");
    let first = first.bytes().await.unwrap();
    let second = app.get("/api/v1/gitops/bundle.tar.gz").await.bytes().await.unwrap();
    assert_eq!(first, second, "two bundles of the same fleet differ");
    let files = untar(&first);
    let paths: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
    for f in ["README.md", "values/values-cloud.yaml", "values/values-regional.yaml", "values/values-plant.yaml"] {
        assert!(paths.contains(&f), "{f} missing from {paths:?}");
    }
    let clusters: i64 = sqlx::query_scalar("SELECT count(*) FROM clusters").fetch_one(&app.pool).await.unwrap();
    assert_eq!(paths.iter().filter(|p| p.starts_with("clusters/")).count() as i64, clusters);
    let (_, reg) = files.iter().find(|(p, _)| p.starts_with("clusters/")).unwrap();
    assert!(reg.contains("argocd.argoproj.io/secret-type: cluster"), "{reg}");
    assert!(reg.contains("switchyard.io/cni:"), "{reg}");
    assert!(paths.iter().any(|p| p.starts_with("values/overrides/")));

    // Viewers read it too; nobody signed in does not.
    let viewer = app.signed_in(Role::Viewer).await;
    assert_eq!(viewer.get(format!("{}/api/v1/gitops/bundle.tar.gz", app.base)).send().await.unwrap().status(), 200);
    let anon = Client::new().get(format!("{}/api/v1/gitops/bundle.tar.gz", app.base)).send().await.unwrap();
    error_of(anon, 401).await;
}

/// (path, text) of every file in a tar.gz.
fn untar(gz: &[u8]) -> Vec<(String, String)> {
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(gz).read_to_end(&mut raw).unwrap();
    let mut out = Vec::new();
    let mut at = 0;
    while at + 512 <= raw.len() && raw[at] != 0 {
        let header = &raw[at..at + 512];
        let name = String::from_utf8_lossy(&header[..100]).trim_end_matches('\0').to_string();
        let size_text =
            String::from_utf8_lossy(&header[124..136]).trim_matches(|c: char| c == '\0' || c == ' ').to_string();
        let size = usize::from_str_radix(&size_text, 8).unwrap();
        let body = String::from_utf8(raw[at + 512..at + 512 + size].to_vec()).unwrap();
        out.push((name, body));
        at += 512 + size.div_ceil(512) * 512;
    }
    out
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn metrics_need_no_session_and_count_requests_by_route_template(pool: PgPool) {
    let app = with_demo(pool).await;
    let id: i64 = sqlx::query_scalar("SELECT min(id) FROM clusters").fetch_one(&app.pool).await.unwrap();
    assert_eq!(app.get(&format!("/api/v1/clusters/{id}")).await.status(), 200);
    let text = Client::new().get(format!("{}/metrics", app.base)).send().await.unwrap();
    assert_eq!(text.status(), 200);
    assert!(text.headers()["content-type"].to_str().unwrap().starts_with("text/plain; version=0.0.4"));
    let text = text.text().await.unwrap();
    assert!(
        text.contains(r#"switchyard_http_requests_total{method="GET",route="/api/v1/clusters/{id}",status="200"}"#),
        "{text}"
    );
    assert!(text.contains("switchyard_http_request_duration_seconds_bucket"), "{text}");
    assert!(text.contains(r#"switchyard_clusters{cni="cilium",tier="cloud"}"#), "{text}");
    assert!(text.contains(r#"switchyard_db_pool_connections{state="idle"}"#), "{text}");
    assert!(text.contains(r#"switchyard_cluster_versions{finding="eol"}"#), "{text}");
    assert!(text.contains("switchyard_adr_reviews_overdue 0"), "{text}");
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn a_metrics_token_restricts_the_scrape(pool: PgPool) {
    let app = TestApp::spawn_with(pool, |a| a.metrics_token = app::ssr::Secret::new("scrape-me")).await;
    let url = format!("{}/metrics", app.base);
    error_of(Client::new().get(&url).send().await.unwrap(), 401).await;
    error_of(Client::new().get(&url).bearer_auth("scrape-you").send().await.unwrap(), 401).await;
    // A signed-in session is not the metrics token either.
    error_of(app.get("/metrics").await, 401).await;
    assert_eq!(Client::new().get(&url).bearer_auth("scrape-me").send().await.unwrap().status(), 200);
}
