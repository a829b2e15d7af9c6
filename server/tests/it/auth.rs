//! Accounts over HTTP: authorization matrix, CSRF, throttling, token scopes, session revocation.

use app::model::Role;
use leptos::server_fn::ServerFn;
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};
use sqlx::PgPool;

use crate::helpers::{PASSWORD, TestApp, anonymous, error_of, seed_weights};

/// Row counts of everything a mutation could touch.
async fn snapshot(pool: &PgPool) -> Vec<i64> {
    let mut out = Vec::new();
    for t in ["profiles", "profile_weights", "users", "api_tokens", "audit_log"] {
        out.push(sqlx::query_scalar(&format!("SELECT count(*) FROM {t}")).fetch_one(pool).await.unwrap());
    }
    let versions: i64 = sqlx::query_scalar("SELECT sum(version)::bigint FROM profiles").fetch_one(pool).await.unwrap();
    out.push(versions);
    out
}

async fn send(client: &Client, method: Method, url: String, body: Option<Value>) -> reqwest::Response {
    let mut req = client.request(method, url);
    if let Some(b) = body {
        req = req.json(&b);
    }
    req.send().await.unwrap()
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn every_mutating_route_refuses_the_wrong_caller_and_changes_nothing(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let profile = json!({"name": "Matrix", "weights": seed_weights()});
    let mut put = profile.clone();
    put["version"] = json!(1);
    let user = json!({"email": "new@test", "display_name": "New", "role": "viewer", "password": PASSWORD});
    // (method, path, body, least role allowed)
    let routes: Vec<(Method, String, Option<Value>, Role)> = vec![
        (Method::POST, "/api/v1/profiles".into(), Some(profile.clone()), Role::Architect),
        (Method::PUT, "/api/v1/profiles/1".into(), Some(put.clone()), Role::Architect),
        (Method::DELETE, "/api/v1/profiles/1".into(), None, Role::Architect),
        (Method::POST, "/api/v1/users".into(), Some(user.clone()), Role::Admin),
        (Method::PATCH, "/api/v1/users/1".into(), Some(json!({"role": "admin"})), Role::Admin),
        (Method::POST, "/api/v1/tokens".into(), Some(json!({"name": "ci", "scope": "write"})), Role::Architect),
    ];
    let viewer = app.signed_in(Role::Viewer).await;
    let architect = app.signed_in(Role::Architect).await;
    let nobody = anonymous(&app.base);
    for (method, path, body, least) in &routes {
        let before = snapshot(&app.pool).await;
        let r = send(&nobody, method.clone(), format!("{}{path}", app.base), body.clone()).await;
        error_of(r, 401).await;
        let callers: Vec<(&Client, Role)> = vec![(&viewer, Role::Viewer), (&architect, Role::Architect)];
        for (client, role) in callers {
            if role >= *least {
                continue;
            }
            let r = send(client, method.clone(), format!("{}{path}", app.base), body.clone()).await;
            let e = error_of(r, 403).await;
            assert_eq!(e["code"], "forbidden", "{method} {path} as {role:?}");
        }
        assert_eq!(snapshot(&app.pool).await, before, "{method} {path} changed something");
    }
    // Nor can a viewer save through the studio's form: it comes back with the reason and the
    // weights, and nothing changed.
    let before = snapshot(&app.pool).await;
    let weights = seed_weights().to_string();
    let r = viewer
        .post(format!("{}{}", app.base, app::api::SaveProfile::PATH))
        // What a browser's form post accepts: the server function then redirects.
        .header("accept", "text/html")
        .form(&[("save", "update"), ("profile", "1"), ("version", "1"), ("weights", weights.as_str()), ("tier", "")])
        .send()
        .await
        .unwrap();
    let back = location(&r);
    assert!(r.status().is_redirection() && back.contains("error=") && back.contains("weights="), "{back}");
    assert_eq!(snapshot(&app.pool).await, before, "a viewer's studio save changed something");
}

fn location(r: &reqwest::Response) -> String {
    let raw = r.headers().get(reqwest::header::LOCATION).and_then(|l| l.to_str().ok()).unwrap_or_default();
    form_urlencoded::parse(raw.replace('?', "&").as_bytes())
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The studio's save form: a new profile opens the studio on it, a stale update comes back as a
/// conflict with the form's weights, a taken name as an error; each write is audited.
#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn the_studio_save_form_saves_and_brings_refusals_back(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let architect = app.signed_in(Role::Architect).await;
    let mut weights = seed_weights();
    weights["bgp_underlay"] = json!(12.5);
    weights["governance"] = json!(7.5);
    let weights = weights.to_string();
    let post = |fields: Vec<(&'static str, String)>| {
        architect
            .post(format!("{}{}", app.base, app::api::SaveProfile::PATH))
            // What a browser's form post accepts: the server function then redirects.
            .header("accept", "text/html")
            .form(&fields)
            .send()
    };
    let r = post(vec![
        ("save", "new".into()),
        ("name", "Plant security first".into()),
        ("profile", "1".into()),
        ("tier", "plant".into()),
        ("weights", weights.clone()),
    ])
    .await
    .unwrap();
    let to = location(&r);
    assert!(r.status().is_redirection() && to.contains("saved=new"), "{to}");
    let id: i64 = sqlx::query_scalar("SELECT id FROM profiles WHERE name = 'Plant security first'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(to.contains(&format!("profile={id}")), "{to}");
    let saved: Value = app.get(&format!("/api/v1/profiles/{id}")).await.json().await.unwrap();
    assert_eq!(saved["tier"], "plant");
    assert_eq!(saved["weights"]["bgp_underlay"], 12.5);
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE entity = 'profile' AND entity_id = $1 AND action = 'create'",
    )
    .bind(id.to_string())
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(audited, 1);

    // Someone else updates it; our stale update comes back as a conflict, weights intact.
    let update = |version: &str| {
        vec![
            ("save", "update".into()),
            ("profile", id.to_string()),
            ("version", version.to_string()),
            ("tier", "plant".into()),
            ("weights", seed_weights().to_string()),
        ]
    };
    let r = post(update("1")).await.unwrap();
    assert!(location(&r).contains("saved=updated"), "{}", location(&r));
    let r = post(update("1")).await.unwrap();
    let back = location(&r);
    assert!(back.contains("conflict=") && back.contains("version 2"), "{back}");
    assert!(back.contains(&format!("weights={}", seed_weights())), "{back}");
    let version: i32 =
        sqlx::query_scalar("SELECT version FROM profiles WHERE id = $1").bind(id).fetch_one(&app.pool).await.unwrap();
    assert_eq!(version, 2, "the stale update changed nothing");

    // A taken name and a malformed form are errors that say what to do, never a 500.
    let r = post(vec![("save", "new".into()), ("name", "Plant security first".into()), ("weights", weights.clone())])
        .await
        .unwrap();
    assert!(location(&r).contains("already exists"), "{}", location(&r));
    let r = post(vec![("save", "new".into()), ("name", "x".into()), ("weights", "{not json".into())]).await.unwrap();
    assert!(location(&r).contains("error=the weights did not arrive"), "{}", location(&r));
    let r = post(vec![("save", "new".into()), ("weights", weights.clone())]).await.unwrap();
    assert!(location(&r).contains("give the new profile a name"), "{}", location(&r));
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn reads_need_a_session_and_pages_redirect_to_login(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let nobody = anonymous(&app.base);
    for path in ["/api/v1/criteria", "/api/v1/profiles", "/api/v1/me", "/api/v1/audit"] {
        error_of(nobody.get(format!("{}{path}", app.base)).send().await.unwrap(), 401).await;
    }
    let r = nobody.get(format!("{}/", app.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/login?next=%2F");
    assert_eq!(nobody.get(format!("{}/healthz", app.base)).send().await.unwrap().status(), 200);
    let me: Value = app.get("/api/v1/me").await.json().await.unwrap();
    assert_eq!(me, json!({"email": "architect@test", "display_name": "architect", "role": "architect"}));
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn cross_site_writes_are_refused(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let body = json!({"name": "CSRF", "weights": seed_weights()});
    let url = format!("{}/api/v1/profiles", app.base);
    let before = snapshot(&app.pool).await;
    let r = app.client.post(&url).header("origin", "https://evil.example").json(&body).send().await.unwrap();
    assert_eq!(error_of(r, 403).await["code"], "csrf");
    // No Origin and a foreign Referer: refused too.
    let plain = Client::builder().cookie_store(true).build().unwrap();
    let r = plain
        .post(format!("{}/api/v1/session", app.base))
        .header("referer", "https://evil.example/x")
        .json(&json!({"email": "architect@test", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(r, 403).await["code"], "csrf");
    assert_eq!(snapshot(&app.pool).await, before);
    // Our own Referer is fine.
    let r = plain
        .post(format!("{}/api/v1/session", app.base))
        .header("referer", format!("{}/login", app.base))
        .json(&json!({"email": "architect@test", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn repeated_failures_are_throttled_without_revealing_the_email(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let client = anonymous(&app.base);
    let attempt = |email: &'static str| {
        let client = client.clone();
        let url = format!("{}/api/v1/session", app.base);
        async move { client.post(url).json(&json!({"email": email, "password": "wrong password!"})).send().await.unwrap() }
    };
    let known = error_of(attempt("viewer@test").await, 401).await;
    let unknown = error_of(attempt("nobody@test").await, 401).await;
    assert_eq!(known["message"], unknown["message"], "the message must not reveal whether the email exists");
    let mut last = None;
    for _ in 0..6 {
        let r = attempt("viewer@test").await;
        if r.status() == 429 {
            last = Some(r);
            break;
        }
    }
    let r = last.expect("the account was never throttled");
    let wait: i64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(wait >= 1);
    assert_eq!(error_of(r, 429).await["code"], "throttled");
    // Even the right password waits now.
    let r = client
        .post(format!("{}/api/v1/session", app.base))
        .json(&json!({"email": "viewer@test", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn token_scopes_limit_what_a_pipeline_can_do(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let mut tokens = Vec::new();
    for scope in ["read", "write"] {
        let r = app.post_json("/api/v1/tokens", &json!({"name": format!("ci-{scope}"), "scope": scope})).await;
        assert_eq!(r.status(), 201);
        let t: Value = r.json().await.unwrap();
        assert!(t["token"].as_str().unwrap().starts_with("sy_"));
        tokens.push((t["id"].as_i64().unwrap(), t["token"].as_str().unwrap().to_string()));
    }
    let bare = Client::new();
    let with = |t: &str, m: Method, path: &str| bare.request(m, format!("{}{path}", app.base)).bearer_auth(t);
    let (read_id, read) = &tokens[0];
    let (_, write) = &tokens[1];
    assert_eq!(with(read, Method::GET, "/api/v1/profiles").send().await.unwrap().status(), 200);
    let body = json!({"name": "From CI", "weights": seed_weights()});
    let r = with(read, Method::POST, "/api/v1/profiles").json(&body).send().await.unwrap();
    error_of(r, 403).await;
    // Bearer requests need no Origin.
    let r = with(write, Method::POST, "/api/v1/profiles").json(&body).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let audit: Value = app.get("/api/v1/audit?entity=profile").await.json().await.unwrap();
    assert_eq!(audit[0]["actor"], "architect@test via token 'ci-write'");
    // Listed with last use, never with the secret; revocable.
    let list: Value = app.get("/api/v1/tokens").await.json().await.unwrap();
    assert!(list.as_array().unwrap().iter().all(|t| t.get("token").is_none()));
    assert!(list.as_array().unwrap().iter().any(|t| t["last_used_at"].is_string()));
    assert_eq!(app.delete(&format!("/api/v1/tokens/{read_id}")).await.status(), 204);
    error_of(with(read, Method::GET, "/api/v1/profiles").send().await.unwrap(), 401).await;
    error_of(with("sy_not-a-token", Method::GET, "/api/v1/profiles").send().await.unwrap(), 401).await;
    // A viewer cannot mint a write token.
    let viewer = app.signed_in(Role::Viewer).await;
    let r =
        viewer.post(format!("{}/api/v1/tokens", app.base)).json(&json!({"name": "x", "scope": "write"})).send().await;
    error_of(r.unwrap(), 403).await;
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn a_password_change_or_disable_ends_the_users_sessions(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.signed_in(Role::Admin).await;
    let viewer = app.signed_in(Role::Viewer).await;
    assert_eq!(viewer.get(format!("{}/api/v1/me", app.base)).send().await.unwrap().status(), 200);
    let users: Value = admin.get(format!("{}/api/v1/users", app.base)).send().await.unwrap().json().await.unwrap();
    let viewer_id =
        users.as_array().unwrap().iter().find(|u| u["email"] == "viewer@test").unwrap()["id"].as_i64().unwrap();
    let patch = |body: Value| admin.patch(format!("{}/api/v1/users/{viewer_id}", app.base)).json(&body).send();
    let e = error_of(patch(json!({"password": "short"})).await.unwrap(), 422).await;
    assert!(e["fields"]["password"].as_str().unwrap().contains("12 characters"));
    assert_eq!(patch(json!({"password": "a brand new passphrase"})).await.unwrap().status(), 200);
    error_of(viewer.get(format!("{}/api/v1/me", app.base)).send().await.unwrap(), 401).await;
    let again = anonymous(&app.base);
    let r = again
        .post(format!("{}/api/v1/session", app.base))
        .json(&json!({"email": "viewer@test", "password": "a brand new passphrase"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(patch(json!({"disabled": true})).await.unwrap().status(), 200);
    error_of(again.get(format!("{}/api/v1/me", app.base)).send().await.unwrap(), 401).await;
    // Sign-out ends the session too.
    let architect = app.signed_in(Role::Architect).await;
    assert_eq!(architect.delete(format!("{}/api/v1/session", app.base)).send().await.unwrap().status(), 204);
    error_of(architect.get(format!("{}/api/v1/me", app.base)).send().await.unwrap(), 401).await;
    // Audit: one row per user change, passwords never recorded.
    let audit: Value =
        admin.get(format!("{}/api/v1/audit?entity=user", app.base)).send().await.unwrap().json().await.unwrap();
    assert!(!audit.to_string().contains("brand new passphrase"));
    assert!(!audit.to_string().contains("argon2"));
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn admins_manage_users_and_the_audit_exports_as_csv(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.signed_in(Role::Admin).await;
    let r = admin
        .post(format!("{}/api/v1/users", app.base))
        .json(&json!({"email": "Ada@Plant7.example", "display_name": "Ada", "role": "architect", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let u: Value = r.json().await.unwrap();
    assert_eq!(u["email"], "ada@plant7.example");
    let dup = admin
        .post(format!("{}/api/v1/users", app.base))
        .json(&json!({"email": "ada@plant7.example", "display_name": "Ada", "role": "viewer", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    error_of(dup, 409).await;
    let bad = admin
        .post(format!("{}/api/v1/users", app.base))
        .json(&json!({"email": "nope", "display_name": "", "role": "viewer", "password": "x"}))
        .send()
        .await
        .unwrap();
    let e = error_of(bad, 422).await;
    for f in ["email", "display_name", "password"] {
        assert!(e["fields"][f].is_string(), "{f} in {e}");
    }
    let csv = admin.get(format!("{}/api/v1/audit.csv?entity=user", app.base)).send().await.unwrap();
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let text = csv.text().await.unwrap();
    assert!(text.starts_with("id,at,actor,entity,entity_id,action,before,after"));
    assert!(text.contains("admin@test,user"));
    let e = error_of(admin.get(format!("{}/api/v1/audit?since=yesterday", app.base)).send().await.unwrap(), 422).await;
    assert!(e["fields"]["since"].is_string());
}
