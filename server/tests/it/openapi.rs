//! The OpenAPI document covers every route the server serves under `/api/v1` (read from the
//! router's source, so a new route without its `#[utoipa::path]` fails here), with the error
//! shape and both security schemes; the reference page shows every operation.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::TestApp;

/// (method, path) of every `.route(…)` in the server's sources, constants resolved.
fn served_routes() -> BTreeSet<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let sources: Vec<String> =
        std::fs::read_dir(&dir).unwrap().map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap()).collect();
    let mut consts = BTreeMap::new();
    for s in &sources {
        for line in s.lines() {
            if let Some(rest) = line.trim().strip_prefix("pub const ")
                && let Some((name, value)) = rest.split_once(": &str = \"")
            {
                consts.insert(name.to_string(), value.trim_end_matches("\";").to_string());
            }
        }
    }
    let mut out = BTreeSet::new();
    for s in &sources {
        // A route call may span lines: join the source, then read each `.route(` up to its `)`s.
        let flat = s.replace('\n', " ");
        for call in flat.split(".route(").skip(1) {
            let (path_expr, rest) = call.split_once(',').unwrap();
            let path_expr = path_expr.trim();
            let path = match path_expr.strip_prefix('"') {
                Some(p) => p.trim_end_matches('"').to_string(),
                None => {
                    let name = path_expr.rsplit("::").next().unwrap();
                    consts.get(name).unwrap_or_else(|| panic!("unknown route constant {path_expr}")).clone()
                }
            };
            // The handlers: `get(a).post(b)` up to the call's closing parenthesis.
            let mut depth = 1;
            let end = rest
                .char_indices()
                .find(|&(_, c)| {
                    depth += i32::from(c == '(') - i32::from(c == ')');
                    depth == 0
                })
                .map_or(rest.len(), |(i, _)| i);
            for method in ["get", "post", "put", "patch", "delete", "any"] {
                let handlers = &rest[..end];
                if handlers.contains(&format!("{method}(")) && !handlers.contains(&format!("_{method}(")) {
                    out.insert((method.to_string(), path.clone()));
                }
            }
        }
    }
    out
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn every_api_route_is_in_the_openapi_document(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    // Public, like the routes it describes.
    let r = reqwest::get(format!("{}/api/v1/openapi.json", app.base)).await.unwrap();
    assert_eq!(r.status(), 200);
    let doc: Value = r.json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let routes = served_routes();
    assert!(routes.len() >= 50, "the route scan found only {routes:?}");
    let mut missing = Vec::new();
    for (method, path) in &routes {
        let documented = path == "/api/v1/{*rest}" // the JSON 404 for unknown API paths
            || path == "/api/v1/openapi.json"
            || !path.starts_with("/api/v1") && path != "/healthz"
            || doc["paths"][path][method].is_object();
        if !documented {
            missing.push(format!("{} {path}", method.to_uppercase()));
        }
    }
    assert!(missing.is_empty(), "routes missing from the OpenAPI document: {missing:#?}");

    // The error shape, both security schemes, and the common answers on every operation.
    let schemas = &doc["components"]["schemas"];
    assert!(schemas["ErrorBody"]["properties"]["error"].is_object());
    assert_eq!(doc["components"]["securitySchemes"]["token"]["scheme"], "bearer");
    assert_eq!(doc["components"]["securitySchemes"]["session"]["in"], "cookie");
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            assert!(op["responses"]["422"].is_object(), "{method} {path} lacks the error answers");
            assert!(op["summary"].as_str().is_some_and(|s| !s.is_empty()), "{method} {path} lacks a summary");
        }
    }
    assert!(schemas["EvaluateRequest"]["example"].is_object() || schemas["EvaluateRequest"]["examples"].is_array());
    assert!(schemas["ErrorBody"]["example"].is_object() || schemas["ErrorBody"]["examples"].is_array());

    // The reference page lists every operation, with nothing from elsewhere.
    let page = reqwest::get(format!("{}/api/docs", app.base)).await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            assert!(html.contains(&format!("{} {path}", method.to_uppercase())), "{method} {path} not on /api/docs");
        }
    }
    assert!(!html.contains("src=\"http") && !html.contains("href=\"http"), "the page loads nothing from elsewhere");
    assert!(!html.contains("<script"), "the reference page needs no script");
}
