//! The security issue's findings, each as a test that failed before its fix: lock-outs, burst
//! guessing, open redirect, tokens surviving a reset, the last admin, profile deletion, parent
//! loops, invisible characters, out-of-range numbers.

use app::model::Role;
use leptos::server_fn::ServerFn;
use reqwest::Client;
use serde_json::{Value, json};
use sqlx::PgPool;

use crate::helpers::{PASSWORD, TestApp, anonymous, error_of};

/// A server trusting loopback as its proxy, so `X-Forwarded-For` picks the client address.
async fn behind_proxy(pool: PgPool) -> TestApp {
    TestApp::spawn_with(pool, |auth| {
        auth.trusted_proxies = app::ssr::throttle::parse_trusted("127.0.0.1,::1").unwrap();
    })
    .await
}

async fn sign_in(app: &TestApp, client: &Client, from: &str, email: &str, password: &str) -> reqwest::Response {
    client
        .post(format!("{}/api/v1/session", app.base))
        .header("x-forwarded-for", from)
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap()
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn failures_from_one_address_never_lock_the_owner_out_from_another(pool: PgPool) {
    let app = behind_proxy(pool).await;
    let client = anonymous(&app.base);
    let mut throttled = 0;
    for _ in 0..25 {
        let r = sign_in(&app, &client, "198.51.100.66", "admin@test", "wrong password!").await;
        throttled += usize::from(r.status() == 429);
    }
    assert!(throttled > 0, "the guessing address was never slowed down");
    let r = sign_in(&app, &client, "203.0.113.10", "admin@test", PASSWORD).await;
    assert_eq!(r.status(), 204, "the owner on another address must get in");
    // A forged X-Forwarded-For from an untrusted peer is ignored: this server trusts no proxy.
    let direct = TestApp::spawn(app.pool.clone()).await;
    let plain = anonymous(&direct.base);
    for i in 0..8 {
        let from = format!("192.0.2.{i}");
        let _ = sign_in(&direct, &plain, &from, "viewer@test", "wrong password!").await;
    }
    let r = sign_in(&direct, &plain, "192.0.2.200", "viewer@test", "wrong password!").await;
    assert_eq!(r.status(), 429, "rotating X-Forwarded-For must not reset the count");
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn reset_password_clears_the_throttle_and_revokes_tokens(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let r = app.post_json("/api/v1/tokens", &json!({"name": "before reset", "scope": "read"})).await;
    let token = r.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_string();
    let client = anonymous(&app.base);
    for _ in 0..8 {
        let _ = client
            .post(format!("{}/api/v1/session", app.base))
            .json(&json!({"email": "architect@test", "password": "wrong password!"}))
            .send()
            .await
            .unwrap();
    }
    let done =
        app::ssr::accounts::reset_password(&app.pool, "architect@test", "a brand new passphrase".into()).await.unwrap();
    assert_eq!(done.tokens_revoked, 1);
    let r = client
        .post(format!("{}/api/v1/session", app.base))
        .json(&json!({"email": "architect@test", "password": "a brand new passphrase"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204, "the reset must clear the account's throttle");
    let r = Client::new().get(format!("{}/api/v1/me", app.base)).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), 401, "a token made before the reset must stop working");
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn parallel_guesses_get_no_more_tries_than_sequential_ones(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let (client, url) = (anonymous(&app.base), format!("{}/api/v1/session", app.base));
        set.spawn(async move {
            let body = json!({"email": "viewer@test", "password": "wrong password!"});
            client.post(url).json(&body).send().await.unwrap().status().as_u16()
        });
    }
    let statuses = set.join_all().await;
    let checked = statuses.iter().filter(|s| **s == 401).count();
    assert!(checked <= 6, "{checked} of 20 parallel guesses had their password checked: {statuses:?}");
    assert!(statuses.iter().all(|s| *s == 401 || *s == 429), "{statuses:?}");
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn sign_in_redirects_only_to_local_paths(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let url = format!("{}{}", app.base, app::api::SignIn::PATH);
    for (next, want) in
        [("/fleet", "/fleet"), ("/\\evil.com", "/"), ("//evil.com", "/"), ("/\n", "/"), ("https://evil.com", "/")]
    {
        let r = anonymous(&app.base)
            .post(&url)
            .header("accept", "text/html")
            .form(&[("email", "viewer@test"), ("password", PASSWORD), ("next", next)])
            .send()
            .await
            .unwrap();
        let status = r.status();
        let location = r.headers().get("location").map(|v| v.to_str().unwrap().to_string());
        assert_eq!(location.as_deref(), Some(want), "{next:?}: {status} {:?}", r.headers());
    }
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn two_admins_demoting_each_other_leave_one_admin(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.signed_in(Role::Admin).await;
    let second = json!({"email": "second@test", "display_name": "Second", "role": "admin", "password": PASSWORD});
    let r = admin.post(format!("{}/api/v1/users", app.base)).json(&second).send().await.unwrap();
    let second_id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let first_id: i64 =
        sqlx::query_scalar("SELECT id FROM users WHERE email = 'admin@test'").fetch_one(&app.pool).await.unwrap();
    let other = anonymous(&app.base);
    let r = other
        .post(format!("{}/api/v1/session", app.base))
        .json(&json!({"email": "second@test", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let demote = json!({"role": "viewer"});
    let (a, b) = tokio::join!(
        admin.patch(format!("{}/api/v1/users/{second_id}", app.base)).json(&demote).send(),
        other.patch(format!("{}/api/v1/users/{first_id}", app.base)).json(&demote).send(),
    );
    let mut codes = [a.unwrap().status().as_u16(), b.unwrap().status().as_u16()];
    codes.sort_unstable();
    let admins: i64 = sqlx::query_scalar("SELECT count(*) FROM users WHERE role = 'admin' AND NOT disabled")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(admins, 1, "statuses {codes:?}");
    assert!(codes.contains(&200), "{codes:?}");
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn a_profile_in_use_cannot_be_deleted_and_deletes_need_the_version(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let list: Value = app.get("/api/v1/profiles").await.json().await.unwrap();
    let default = &list[0];
    let e =
        error_of(app.delete(&format!("/api/v1/profiles/{}?version={}", default["id"], default["version"])).await, 409)
            .await;
    assert!(e["message"].as_str().unwrap().contains("default"), "{e}");
    let body = json!({"name": "Spare", "weights": crate::helpers::seed_weights()});
    let spare: Value = app.post_json("/api/v1/profiles", &body).await.json().await.unwrap();
    error_of(app.delete(&format!("/api/v1/profiles/{}", spare["id"])).await, 422).await;
    error_of(app.delete(&format!("/api/v1/profiles/{}?version=7", spare["id"])).await, 409).await;
    assert_eq!(app.delete(&format!("/api/v1/profiles/{}?version=1", spare["id"])).await.status(), 204);
    // The fleet map still answers.
    assert_eq!(app.get("/api/v1/fleet").await.status(), 200);
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn a_parent_loop_through_stored_clusters_is_refused(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    assert_eq!(app.post_json("/api/v1/sites", &json!({"name": "Loop", "kind": "plant"})).await.status(), 201);
    let a: Value = app
        .post_json("/api/v1/clusters", &json!({"name": "loop-a", "site": "Loop", "tier": "plant"}))
        .await
        .json()
        .await
        .unwrap();
    let b = json!({"name": "loop-b", "site": "Loop", "tier": "cell", "parent": "loop-a"});
    assert_eq!(app.post_json("/api/v1/clusters", &b).await.status(), 201);
    let mut body = a.clone();
    body["parent"] = json!("loop-b");
    let e = error_of(app.put_json(&format!("/api/v1/clusters/{}", a["id"]), &body).await, 422).await;
    assert!(e["fields"]["parent"].as_str().unwrap().contains("loop"), "{e}");
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn invisible_characters_and_huge_numbers_are_refused(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let lookalike = json!({"name": "Industrial ADR 2026\u{200B}", "weights": crate::helpers::seed_weights()});
    let e = error_of(app.post_json("/api/v1/profiles", &lookalike).await, 422).await;
    assert!(e["fields"]["name"].is_string(), "{e}");
    let bidi = json!({"name": "Leipzig\u{202E}", "kind": "plant"});
    error_of(app.post_json("/api/v1/sites", &bidi).await, 422).await;
    assert_eq!(app.post_json("/api/v1/sites", &json!({"name": "Big", "kind": "plant"})).await.status(), 201);
    let huge = json!({"name": "big-1", "site": "Big", "tier": "plant", "nodes": 3_000_000_000u64});
    let e = error_of(app.post_json("/api/v1/clusters", &huge).await, 422).await;
    assert!(e.to_string().contains("nodes"), "{e}");
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn an_import_applies_the_rules_of_a_single_edit_and_audits_each_row(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app::ssr::fleet::import_doc(&app.pool, None, &domain::fleet::demo_fleet(), false, "demo").await.unwrap();
    let export = app.get("/api/v1/clusters/export?format=csv").await.text().await.unwrap();
    assert!(export.lines().next().unwrap().ends_with(",version"));
    // Someone edits one cluster after the export was taken.
    let c: Value = app.get("/api/v1/clusters?tier=plant").await.json().await.unwrap();
    let mut edited = c[0].clone();
    edited["distribution"] = json!("RKE2 1.31");
    assert_eq!(app.put_json(&format!("/api/v1/clusters/{}", edited["id"]), &edited).await.status(), 200);
    let import = |body: String| {
        let (client, url) = (app.client.clone(), format!("{}/api/v1/clusters/import", app.base));
        async move { client.post(url).header("content-type", "text/csv").body(body).send().await.unwrap() }
    };
    let r = import(export.clone()).await;
    assert_eq!(r.status(), 409, "the stale row must be refused");
    let report: Value = r.json().await.unwrap();
    let name = edited["name"].as_str().unwrap();
    assert!(
        report["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["conflict"] == true && e["reason"].as_str().unwrap().contains(name)),
        "{report}"
    );
    // A decision against the recommendation without a rationale is refused, as in a single edit.
    let fresh = app.get("/api/v1/clusters/export?format=csv").await.text().await.unwrap();
    let cell_line = fresh.lines().find(|l| l.starts_with("cell-brno-test-01,")).unwrap().to_string();
    let flipped = fresh.replace(&cell_line, &cell_line.replace(",calico,", ",cilium,"));
    let cluster_updates_before: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE entity = 'cluster'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let r = import(flipped).await;
    assert_eq!(r.status(), 422);
    let report: Value = r.json().await.unwrap();
    assert!(report.to_string().contains("exception_rationale"), "{report}");
    // A good edit imports and is audited per row with before and after.
    let good = fresh.replace(&cell_line, &cell_line.replace(",K3s,", ",K3s 1.31,"));
    assert_eq!(import(good).await.status(), 200);
    let (n, before, after): (i64, Value, Value) = sqlx::query_as(
        "SELECT count(*) OVER (), before, after FROM audit_log WHERE entity = 'cluster' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let _ = n;
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE entity = 'cluster'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(total, cluster_updates_before + 1, "exactly the changed row is audited");
    assert_eq!(before["distribution"], "K3s", "{before}");
    assert_eq!(after["distribution"], "K3s 1.31");
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn the_serving_role_cannot_rewrite_or_unguard_the_audit_log(pool: PgPool) {
    switchyard::prepare(&pool).await.unwrap();
    let serving = switchyard::db_roles::serving_pool(&pool, None, 1).await.unwrap();
    let role: String = sqlx::query_scalar("SELECT current_user::text").fetch_one(&serving).await.unwrap();
    assert_eq!(role, switchyard::db_roles::APP_ROLE);
    sqlx::query("INSERT INTO audit_log (actor, entity, entity_id, action) VALUES ('t', 'test', '1', 'create')")
        .execute(&serving)
        .await
        .unwrap();
    for sql in [
        "ALTER TABLE audit_log DISABLE TRIGGER ALL",
        "DROP TRIGGER audit_log_no_update_or_delete ON audit_log",
        "DROP TABLE audit_log",
        "DELETE FROM audit_log",
        "UPDATE audit_log SET actor = 'mallory'",
        "TRUNCATE audit_log",
        "DELETE FROM _sqlx_migrations",
    ] {
        let err = sqlx::query(sql).execute(&serving).await.unwrap_err().to_string();
        assert!(
            err.contains("permission denied") || err.contains("must be owner") || err.contains("append-only"),
            "{sql}: {err}"
        );
    }
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn the_audit_log_pages_with_a_cursor_and_streams_csv_without_formulas(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    sqlx::query(
        "INSERT INTO audit_log (actor, entity, entity_id, action)
         SELECT 'loader', 'site', CASE WHEN n = 1 THEN '=HYPERLINK(\"http://evil\")' ELSE 'site-' || n END, 'create'
         FROM generate_series(1, 2500) AS n",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log").fetch_one(&app.pool).await.unwrap();
    // Follow the Link headers through every page of 1000.
    let mut url = format!("{}/api/v1/audit?limit=1000", app.base);
    let mut seen = 0;
    let mut pages = 0;
    loop {
        let r = app.client.get(&url).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let next = r.headers().get("link").map(|v| v.to_str().unwrap().to_string());
        let page: Vec<Value> = r.json().await.unwrap();
        seen += page.len() as i64;
        pages += 1;
        let Some(link) = next else { break };
        let path = link.trim_start_matches('<').split('>').next().unwrap().to_string();
        url = format!("{}{path}", app.base);
    }
    assert_eq!((seen, pages), (total, 3));
    error_of(app.get("/api/v1/audit?limit=5000").await, 422).await;
    let csv = app.get("/api/v1/audit.csv?entity=site").await.text().await.unwrap();
    assert_eq!(csv.lines().count(), 2501, "a header and every row, past the first chunk");
    assert!(csv.contains("'=HYPERLINK"), "a formula cell is defused");
    assert!(!csv.lines().any(|l| l.split(',').any(|c| c.starts_with('='))));
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn the_cluster_list_pages_by_name(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app::ssr::fleet::import_doc(&app.pool, None, &domain::fleet::demo_fleet(), false, "demo").await.unwrap();
    let mut names: Vec<String> = Vec::new();
    let mut url = format!("{}/api/v1/clusters?limit=10&tier=cell", app.base);
    loop {
        let r = app.client.get(&url).send().await.unwrap();
        let link = r.headers().get("link").map(|v| v.to_str().unwrap().to_string());
        let page: Vec<Value> = r.json().await.unwrap();
        assert!(page.len() <= 10);
        names.extend(page.iter().map(|c| c["name"].as_str().unwrap().to_string()));
        let Some(link) = link else { break };
        assert!(link.contains("tier=cell"), "{link}");
        url = format!("{}{}", app.base, link.trim_start_matches('<').split('>').next().unwrap());
    }
    let all: Vec<Value> = app.get("/api/v1/clusters?tier=cell").await.json().await.unwrap();
    assert_eq!(names.len(), all.len());
    assert!(names.windows(2).all(|w| w[0] < w[1]), "by name, no repeats");
    error_of(app.get("/api/v1/clusters?limit=0").await, 422).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_password_hashes_waits_in_a_bounded_queue_and_the_rest_are_refused() {
    let mut set = tokio::task::JoinSet::new();
    for i in 0..200 {
        set.spawn(async move { app::ssr::auth::hash_password(format!("burst passphrase {i}")).await });
    }
    let results = set.join_all().await;
    let busy = results.iter().filter(|r| matches!(r, Err(app::AppError::Busy(_)))).count();
    let hashed = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(busy + hashed, 200, "nothing but a hash or a 503");
    assert!(busy > 0, "200 hashes at once must not all queue (19 MiB each)");
    assert!(hashed > app::ssr::auth::MAX_HASH_QUEUE, "the cores and the queue are used: {hashed}");
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn an_expired_token_authenticates_nothing(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let r = app.post_json("/api/v1/tokens", &json!({"name": "short", "scope": "read", "expires_in_days": 1})).await;
    assert_eq!(r.status(), 201);
    let t: Value = r.json().await.unwrap();
    assert!(t["expires_at"].is_string(), "{t}");
    let secret = t["token"].as_str().unwrap().to_string();
    let me = || Client::new().get(format!("{}/api/v1/me", app.base)).bearer_auth(&secret).send();
    assert_eq!(me().await.unwrap().status(), 200);
    sqlx::query("UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1")
        .bind(t["id"].as_i64().unwrap())
        .execute(&app.pool)
        .await
        .unwrap();
    // A change made straight in the database reaches the server's credential cache by NOTIFY,
    // which is asynchronous: wait for it (briefly) rather than race it.
    let mut status = 0;
    for _ in 0..50 {
        status = me().await.unwrap().status().as_u16();
        if status == 401 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(status, 401, "the expired token still authenticated after the notification's grace");
    let bad = json!({"name": "forever-ish", "scope": "read", "expires_in_days": 0});
    error_of(app.post_json("/api/v1/tokens", &bad).await, 422).await;
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn reset_password_on_a_disabled_user_is_audited_as_a_re_enable(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    sqlx::query("UPDATE users SET disabled = true WHERE email = 'viewer@test'").execute(&app.pool).await.unwrap();
    let done =
        app::ssr::accounts::reset_password(&app.pool, "viewer@test", "another long passphrase".into()).await.unwrap();
    assert!(done.re_enabled);
    let after: Value =
        sqlx::query_scalar("SELECT after FROM audit_log WHERE action = 'reset_password' ORDER BY id DESC LIMIT 1")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(after["re_enabled"], true);
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn server_functions_refuse_cross_site_calls(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let weights = crate::helpers::seed_weights().to_string();
    let r = app
        .client
        .post(format!("{}{}", app.base, app::api::SaveProfile::PATH))
        .header("origin", "https://evil.example")
        .form(&[("save", "new"), ("name", "From evil"), ("weights", weights.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(r, 403).await["code"], "csrf");
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM profiles WHERE name = 'From evil'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(n, 0);
}
