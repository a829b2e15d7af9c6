//! The authorization matrix: every mutating REST route and server function × every kind of
//! caller (anonymous, each role by session, read and write tokens), with the status each must get.

use app::model::Role;
use leptos::server_fn::ServerFn;
use reqwest::{Client, Method};
use serde_json::{Value, json};
use sqlx::PgPool;

use crate::helpers::{PASSWORD, TestApp, anonymous, seed_weights};

/// A caller and what it may do.
struct Caller {
    label: &'static str,
    client: Client,
    /// Role, or `None` when anonymous.
    role: Option<Role>,
    /// False for a read-scope token.
    may_write: bool,
}

async fn token_client(app: &TestApp, as_role: Role, scope: &str) -> Client {
    let owner = app.signed_in(as_role).await;
    let r: Value = owner
        .post(format!("{}/api/v1/tokens", app.base))
        .json(&json!({"name": format!("{scope}-{}", as_role.as_str()), "scope": scope}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let secret = r["token"].as_str().unwrap().to_string();
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::AUTHORIZATION, format!("Bearer {secret}").parse().unwrap());
    Client::builder().default_headers(headers).redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

async fn callers(app: &TestApp) -> Vec<Caller> {
    vec![
        Caller { label: "anonymous", client: anonymous(&app.base), role: None, may_write: true },
        Caller {
            label: "viewer",
            client: app.signed_in(Role::Viewer).await,
            role: Some(Role::Viewer),
            may_write: true,
        },
        Caller {
            label: "architect",
            client: app.signed_in(Role::Architect).await,
            role: Some(Role::Architect),
            may_write: true,
        },
        Caller { label: "admin", client: app.signed_in(Role::Admin).await, role: Some(Role::Admin), may_write: true },
        Caller {
            label: "architect read token",
            client: token_client(app, Role::Architect, "read").await,
            role: Some(Role::Architect),
            may_write: false,
        },
        Caller {
            label: "architect write token",
            client: token_client(app, Role::Architect, "write").await,
            role: Some(Role::Architect),
            may_write: true,
        },
        Caller {
            label: "admin read token",
            client: token_client(app, Role::Admin, "read").await,
            role: Some(Role::Admin),
            may_write: false,
        },
    ]
}

/// What the caller must get: 401 without a principal, 403 without the role or with a read-only
/// token on a change, otherwise anything but 401/403 (the request itself may still be a 404 or
/// 409, which is not the point here).
fn expected(c: &Caller, least: Role, is_change: bool) -> Option<u16> {
    match c.role {
        None => Some(401),
        Some(r) if r < least => Some(403),
        Some(_) if is_change && !c.may_write => Some(403),
        Some(_) => None,
    }
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn every_mutating_route_and_server_function_checks_role_and_token_scope(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let demo = domain::fleet::demo_fleet();
    app::ssr::fleet::import_doc(&app.pool, None, &demo, false, "demo").await.unwrap();
    let cluster: Value = app.get("/api/v1/clusters?tier=cell").await.json().await.unwrap();
    let cluster = cluster[0].clone();
    let cid = cluster["id"].as_i64().unwrap();
    let profile = json!({"name": "Matrix", "weights": seed_weights()});
    let mut versioned = profile.clone();
    versioned["version"] = json!(1);
    let mut new_cluster = cluster.clone();
    new_cluster["name"] = json!("cell-matrix-02");
    let user = json!({"email": "matrix@test", "display_name": "M", "role": "viewer", "password": PASSWORD});
    let csv = "name,site,tier\ncell-matrix-01,Leipzig,cell\n";
    // ADR changes that fail after the role check (unknown option, stale version), so the matrix
    // changes no record.
    let bad_adr = json!({"title": "Matrix", "chosen": "weave"});
    let stale_adr = json!({"title": "Matrix", "chosen": "cilium", "version": 999});
    let reject = json!({"status": "rejected", "version": 999});
    let deprecate = json!({"status": "deprecated", "version": 999});
    let reaffirm = json!({"outcome": "reaffirm", "note": "still right", "version": 999});
    // (method, path, JSON body or raw CSV, least role, is a change)
    type Route<'a> = (Method, String, Option<Value>, Option<&'a str>, Role, bool);
    let rest: Vec<Route> = vec![
        (Method::POST, "/api/v1/profiles".into(), Some(profile.clone()), None, Role::Architect, true),
        (Method::PUT, "/api/v1/profiles/1".into(), Some(versioned.clone()), None, Role::Architect, true),
        (Method::DELETE, "/api/v1/profiles/999".into(), None, None, Role::Architect, true),
        // On someone's behalf (no `mine`), with weights that fail after the role check.
        (
            Method::POST,
            "/api/v1/profiles/1/stakeholders".into(),
            Some(json!({"name": "Matrix", "role": "consulted", "weights": {"governance": 100}})),
            None,
            Role::Architect,
            true,
        ),
        (
            Method::PUT,
            "/api/v1/profiles/1/aggregate".into(),
            Some(json!({"aggregate": "median", "version": 999})),
            None,
            Role::Architect,
            true,
        ),
        (Method::POST, "/api/v1/users".into(), Some(user), None, Role::Admin, true),
        (Method::PATCH, "/api/v1/users/999".into(), Some(json!({"display_name": "x"})), None, Role::Admin, true),
        (
            Method::POST,
            "/api/v1/tokens".into(),
            Some(json!({"name": "m", "scope": "read"})),
            None,
            Role::Architect,
            true,
        ),
        (Method::DELETE, "/api/v1/tokens/999".into(), None, None, Role::Viewer, true),
        (
            Method::POST,
            "/api/v1/sites".into(),
            Some(json!({"name": "bad name\n", "kind": "plant"})),
            None,
            Role::Architect,
            true,
        ),
        (Method::POST, "/api/v1/clusters".into(), Some(new_cluster.clone()), None, Role::Architect, true),
        (Method::PUT, format!("/api/v1/clusters/{cid}"), Some(cluster.clone()), None, Role::Architect, true),
        (Method::DELETE, "/api/v1/clusters/999999".into(), None, None, Role::Architect, true),
        (Method::POST, "/api/v1/clusters/import?dry_run=true".into(), None, Some(csv), Role::Architect, true),
        (Method::POST, "/api/v1/adrs".into(), Some(bad_adr.clone()), None, Role::Architect, true),
        (Method::PUT, "/api/v1/adrs/1".into(), Some(stale_adr.clone()), None, Role::Architect, true),
        (Method::POST, "/api/v1/adrs/1/status".into(), Some(reject.clone()), None, Role::Architect, true),
        (Method::POST, "/api/v1/adrs/1/status".into(), Some(deprecate.clone()), None, Role::Admin, true),
        (Method::POST, "/api/v1/adrs/1/reviews".into(), Some(reaffirm.clone()), None, Role::Architect, true),
        (
            Method::POST,
            "/api/v1/releases/import?product=cilium&dry_run=true".into(),
            None,
            Some("{}"),
            Role::Admin,
            true,
        ),
        (
            Method::POST,
            "/api/v1/observations".into(),
            Some(json!([{"cluster": "no-such-cluster", "cni": "cilium", "version": "1.18.1"}])),
            None,
            Role::Architect,
            true,
        ),
        (
            Method::POST,
            "/api/v1/versions/pin".into(),
            Some(json!({"cni": "cilium", "version": "1.18.999"})),
            None,
            Role::Architect,
            true,
        ),
        (Method::GET, "/api/v1/users".into(), None, None, Role::Admin, false),
        (Method::POST, "/api/v1/evaluate".into(), Some(json!({"weights": seed_weights()})), None, Role::Viewer, false),
    ];
    let server_fns: Vec<(&str, Value, Role, bool)> = vec![
        (app::api::SaveCluster::PATH, json!({"id": cid, "body": cluster}), Role::Architect, true),
        (app::api::RecordAdr::PATH, json!({"input": bad_adr}), Role::Architect, true),
        (app::api::SaveAdr::PATH, json!({"number": 1, "body": stale_adr}), Role::Architect, true),
        (
            app::api::SetAdrStatus::PATH,
            json!({"number": 1, "status": "rejected", "version": 999}),
            Role::Architect,
            true,
        ),
        (app::api::SetAdrStatus::PATH, json!({"number": 1, "status": "deprecated", "version": 999}), Role::Admin, true),
        (
            app::api::ReviewAdr::PATH,
            json!({"number": 1, "outcome": "reaffirm", "note": "still right", "version": 999}),
            Role::Architect,
            true,
        ),
        (app::api::ListUsers::PATH, json!({}), Role::Admin, false),
    ];
    let mut failures = Vec::new();
    for c in callers(&app).await {
        for (method, path, body, raw, least, change) in &rest {
            let mut req = c.client.request(method.clone(), format!("{}{path}", app.base));
            if let Some(b) = body {
                req = req.json(b);
            }
            if let Some(text) = raw {
                req = req.header("content-type", "text/csv").body(text.to_string());
            }
            let got = req.send().await.unwrap().status().as_u16();
            check(&mut failures, &c, &format!("{method} {path}"), got, expected(&c, *least, *change));
        }
        for (path, body, least, _change) in &server_fns {
            // Server functions are for the browser: a read token may not call a changing one
            // either, and an anonymous caller gets 401.
            let r = c
                .client
                .post(format!("{}{path}", app.base))
                .header("origin", &app.base)
                .header("content-type", "application/json")
                .body(body.to_string())
                .send()
                .await
                .unwrap();
            let got = r.status().as_u16();
            let want = match c.role {
                None => Some(401),
                Some(r) if r < *least => Some(403),
                Some(_) if !c.may_write && *_change => Some(403),
                Some(_) => None,
            };
            check(&mut failures, &c, path, got, want);
        }
        // The studio's save form answers every caller with a redirect: a stale update comes back
        // as a conflict only for those who may save, with the reason in `error=` for the others.
        let weights = seed_weights().to_string();
        let r = c
            .client
            .post(format!("{}{}", app.base, app::api::SaveProfile::PATH))
            // What a browser's form post accepts: the server function then redirects.
            .header("accept", "text/html")
            .header("origin", &app.base)
            .form(&[("save", "update"), ("profile", "1"), ("version", "999"), ("weights", weights.as_str())])
            .send()
            .await
            .unwrap();
        let back = r.headers().get("location").and_then(|l| l.to_str().ok()).unwrap_or_default().to_string();
        let may_save = c.role.is_some_and(|r| r >= Role::Architect) && c.may_write;
        let want = if may_save { "conflict=" } else { "error=" };
        if !back.contains(want) {
            failures.push(format!("the studio's save form as {}: redirected to {back:?}, want {want}", c.label));
        }
    }
    assert!(failures.is_empty(), "authorization matrix:\n{}", failures.join("\n"));
}

fn check(failures: &mut Vec<String>, c: &Caller, what: &str, got: u16, want: Option<u16>) {
    let ok = match want {
        Some(w) => got == w,
        None => got != 401 && got != 403,
    };
    if !ok {
        let want = want.map_or("not 401/403".to_string(), |w| w.to_string());
        failures.push(format!("{what} as {}: got {got}, want {want}", c.label));
    }
}
