//! HTTP hardening: the error JSON for every rejection, body limits, security headers with a CSP
//! that lets the hydration script run, the `__Host-` session cookie, and 400 for server-function
//! arguments that do not decode. Each test failed before its fix.

use leptos::server_fn::ServerFn;
use reqwest::Response;
use reqwest::header::{CONTENT_SECURITY_POLICY, SET_COOKIE};
use serde_json::{Value, json};
use sqlx::PgPool;

use app::AppError;
use app::model::{NewUser, Role};
use app::ssr::auth::{
    SECURE_SESSION_COOKIE, SESSION_COOKIE, SessionPolicy, clear_session_cookie, session_cookie,
    session_from_cookie_header,
};
use switchyard::{AppState, AuthConfig, HttpLimits, leptos_options, prepare};

use crate::helpers::{PASSWORD, TestApp, anonymous, error_of, seed_weights};

const MIB: usize = 1024 * 1024;

/// A server with the given body limits and cookie policy, its client signed in as an architect.
async fn spawn_custom(pool: PgPool, limits: HttpLimits, secure_cookie: bool) -> TestApp {
    prepare(&pool).await.unwrap();
    let new = NewUser {
        email: "architect@test".into(),
        display_name: "architect".into(),
        role: Role::Architect,
        password: PASSWORD.into(),
    };
    app::ssr::accounts::insert_user(&pool, None, new).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut auth = AuthConfig::for_addr(addr);
    auth.session.secure_cookie = secure_cookie;
    let state = AppState::new(pool.clone(), leptos_options("target/site", addr), auth);
    tokio::spawn(async move { switchyard::serve_with(listener, state, limits).await });
    let base = format!("http://{addr}");
    let mut app = TestApp { client: anonymous(&base), base, pool };
    app.client = app.signed_in(Role::Architect).await;
    app
}

/// A server whose session cookie is `Secure` (as behind HTTPS). Its client's cookie jar keeps
/// the cookie but, over plain HTTP, never sends it.
async fn spawn_secure(pool: PgPool) -> TestApp {
    spawn_custom(pool, HttpLimits::default(), true).await
}

/// The error object of a JSON error answer, after checking status and content type.
async fn json_error(resp: Response, status: u16) -> Value {
    let content_type = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    assert!(content_type.starts_with("application/json"), "status {status} answered as {content_type:?}");
    error_of(resp, status).await
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn a_malformed_query_string_is_answered_with_the_error_json_on_every_route_that_reads_one(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.signed_in(Role::Admin).await;
    let cases = [
        ("GET", "/api/v1/audit?since=2026-01-01&since=2026-02-01"),
        ("GET", "/api/v1/audit.csv?until=2026-01-01&until=2026-02-01"),
        ("GET", "/api/v1/clusters?tier=plant&tier=cell"),
        ("GET", "/api/v1/clusters/export?format=csv&format=yaml"),
        ("POST", "/api/v1/clusters/import?dry_run=maybe"),
    ];
    for (method, path) in cases {
        let url = format!("{}{path}", app.base);
        let req = match method {
            "GET" => admin.get(url),
            _ => admin.post(url).header("content-type", "text/csv").body("name,site,tier\n"),
        };
        let e = json_error(req.send().await.unwrap(), 400).await;
        assert_eq!(e["code"], "bad_request", "{method} {path}: {e}");
        assert!(e["message"].as_str().unwrap().contains("query string"), "{method} {path}: {e}");
    }
    // `?dry_run=maybe` says which value is wrong.
    let r = admin
        .post(format!("{}/api/v1/clusters/import?dry_run=maybe", app.base))
        .header("content-type", "text/csv")
        .body("name,site,tier\n")
        .send()
        .await
        .unwrap();
    let e = json_error(r, 400).await;
    assert!(e["message"].as_str().unwrap().contains("dry_run"), "{e}");
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn a_body_over_one_mib_is_refused_with_413_and_the_error_json(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let padding = "x".repeat(MIB + MIB / 2);
    let big = json!({"weights": seed_weights(), "padding": padding}).to_string();
    for path in ["/api/v1/evaluate", "/api/v1/profiles", "/api/v1/sites", "/api/v1/session"] {
        let e = json_error(app.post_raw(path, &big).await, 413).await;
        assert_eq!(e["code"], "payload_too_large", "{path}: {e}");
        assert!(e["message"].as_str().unwrap().contains("1 MiB"), "{path}: {e}");
    }
    // A server function reads its arguments under the same limit.
    let url = format!("{}{}", app.base, app::api::SaveCluster::PATH);
    let r = app.client.post(url).header("content-type", "application/json").body(big.clone()).send().await.unwrap();
    assert_eq!(r.status(), 413);
    let err: AppError = r.json().await.unwrap();
    assert!(matches!(err, AppError::PayloadTooLarge(_)), "{err:?}");
    // Just under the limit is read (and then judged on its content).
    let fits = json!({"weights": seed_weights(), "padding": "x".repeat(MIB - 1024)}).to_string();
    assert_ne!(app.post_raw("/api/v1/evaluate", &fits).await.status(), 413);
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn a_ten_thousand_cluster_yaml_export_reimports(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let doc = domain::fleet::synthetic_fleet(10_000, 1);
    let report = app::ssr::fleet::import_doc(&app.pool, None, &doc, false, "test").await.unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors.first());
    let r = app.get("/api/v1/clusters/export?format=yaml").await;
    assert_eq!(r.status(), 200);
    let yaml = r.text().await.unwrap();
    assert!(yaml.len() > 2 * MIB, "the export is {} bytes, over the default limit of every other route", yaml.len());
    let r = app
        .client
        .post(format!("{}/api/v1/clusters/import?dry_run=true", app.base))
        .header("content-type", "application/yaml")
        .body(yaml)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let body: Value = r.json().await.unwrap();
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["clusters"], 10_000);
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn an_import_over_its_configured_limit_is_refused_with_413_and_the_error_json(pool: PgPool) {
    let app = spawn_custom(pool, HttpLimits { body: MIB, import: 2 * MIB }, false).await;
    let import = |body: String| {
        app.client
            .post(format!("{}/api/v1/clusters/import?dry_run=true", app.base))
            .header("content-type", "text/csv")
            .body(body)
            .send()
    };
    let row = "plant-x,site-x,plant\n";
    let over = format!("name,site,tier\n{}", row.repeat(3 * MIB / row.len()));
    let e = json_error(import(over).await.unwrap(), 413).await;
    assert_eq!(e["code"], "payload_too_large");
    let message = e["message"].as_str().unwrap();
    assert!(message.contains("2 MiB") && message.contains("SWITCHYARD_IMPORT_LIMIT_MIB"), "{message}");
    // Over the 1 MiB of other routes, under the import's own limit: read and judged.
    let under = format!("name,site,tier\n{}", row.repeat(3 * MIB / 2 / row.len()));
    assert_ne!(import(under).await.unwrap().status(), 413);
}

#[test]
fn the_import_limit_is_configured_in_mib_and_defaults_to_32() {
    assert_eq!(HttpLimits::default().import, 32 * MIB);
    assert_eq!(HttpLimits::default().body, MIB);
    assert_eq!(HttpLimits::with_import_mib(64).import, 64 * MIB);
    assert_eq!(HttpLimits::with_import_mib(64).body, MIB);
}

/// Asserts the headers every response carries.
fn assert_security_headers(r: &Response, what: &str) {
    let h = r.headers();
    let get = |name: &str| h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    assert_eq!(get("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(get("referrer-policy"), "same-origin", "{what}");
    let csp = get("content-security-policy");
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
    assert!(csp.contains("object-src 'none'"), "{what}: {csp}");
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn every_response_carries_the_security_headers_and_no_hsts_over_plain_http(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let anon = anonymous(&app.base);
    let responses = [
        ("healthz", app.get("/healthz").await),
        ("api 404", app.get("/api/v1/nothing-here").await),
        ("page", app.get("/").await),
        ("page 404", app.get("/no-such-page").await),
        ("login redirect", anon.get(format!("{}/", app.base)).send().await.unwrap()),
        ("401", anon.get(format!("{}/api/v1/me", app.base)).send().await.unwrap()),
        ("csrf 403", reqwest::Client::new().post(format!("{}/api/v1/session", app.base)).send().await.unwrap()),
    ];
    for (what, r) in &responses {
        assert_security_headers(r, what);
        assert!(r.headers().get("strict-transport-security").is_none(), "{what}: HSTS over plain HTTP");
    }
    assert_eq!(responses[4].1.status(), 303);
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn with_the_secure_cookie_every_response_carries_hsts(pool: PgPool) {
    let app = spawn_secure(pool).await;
    for path in ["/healthz", "/", "/api/v1/nothing-here"] {
        let r = app.get(path).await;
        assert_security_headers(&r, path);
        let hsts = r.headers().get("strict-transport-security").and_then(|v| v.to_str().ok()).unwrap_or("");
        assert!(hsts.starts_with("max-age="), "{path}: {hsts:?}");
    }
}

/// The `script-src` sources of a policy.
fn script_sources(csp: &str) -> Vec<String> {
    csp.split(';')
        .map(str::trim)
        .find_map(|d| d.strip_prefix("script-src "))
        .unwrap_or_else(|| panic!("no script-src in {csp}"))
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

/// The value of `attr` in an HTML start tag (`<script …>`), if present.
fn attribute(tag: &str, attr: &str) -> Option<String> {
    let start = tag.find(&format!(" {attr}=\""))? + attr.len() + 3;
    Some(tag[start..].split('"').next()?.to_string())
}

/// Asserts that every `<script>` of the page is allowed by the policy it came with.
async fn assert_scripts_allowed(r: Response, what: &str) -> String {
    let csp = r.headers().get(CONTENT_SECURITY_POLICY).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let html = r.text().await.unwrap();
    let sources = script_sources(&csp);
    assert!(sources.contains(&"'self'".to_string()), "{what}: {csp}");
    assert!(sources.contains(&"'wasm-unsafe-eval'".to_string()), "{what}: the WASM bundle must compile: {csp}");
    assert!(!sources.contains(&"'unsafe-inline'".to_string()), "{what}: {csp}");
    let nonce = sources
        .iter()
        .find_map(|s| s.strip_prefix("'nonce-").and_then(|n| n.strip_suffix('\'')))
        .unwrap_or_else(|| panic!("{what}: no nonce in {csp}"))
        .to_string();
    let tags: Vec<&str> = html.split("<script").skip(1).map(|rest| rest.split('>').next().unwrap_or("")).collect();
    assert!(!tags.is_empty(), "{what}: the page has no hydration script");
    let mut inline = 0;
    for tag in &tags {
        match attribute(tag, "src") {
            Some(src) => {
                assert!(src.starts_with('/') && !src.starts_with("//"), "{what}: script from elsewhere: {src}")
            }
            None => {
                inline += 1;
                assert_eq!(attribute(tag, "nonce").as_deref(), Some(nonce.as_str()), "{what}: <script{tag}>");
            }
        }
    }
    assert!(inline > 0, "{what}: expected the inline hydration script");
    assert!(
        !html.contains(" onclick=") && !html.contains("javascript:"),
        "{what}: inline handlers need 'unsafe-inline'"
    );
    nonce
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn every_script_on_a_page_is_allowed_by_its_content_security_policy(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let studio = assert_scripts_allowed(app.get("/").await, "studio").await;
    let again = assert_scripts_allowed(app.get("/").await, "studio again").await;
    assert_ne!(studio, again, "the nonce must change with every response");
    assert_scripts_allowed(app.get("/fleet").await, "fleet").await;
    assert_scripts_allowed(app.get("/no-such-page").await, "404 page").await;
    let anon = anonymous(&app.base);
    assert_scripts_allowed(anon.get(format!("{}/login", app.base)).send().await.unwrap(), "login").await;
    // JSON and files get the policy without a nonce: nothing inline runs there.
    let r = app.get("/healthz").await;
    let csp = r.headers().get(CONTENT_SECURITY_POLICY).unwrap().to_str().unwrap();
    assert!(!csp.contains("nonce-"), "{csp}");
}

#[test]
fn the_secure_session_cookie_is_a_host_cookie_and_only_its_own_name_is_read() {
    let secure = SessionPolicy { secure_cookie: true, ..SessionPolicy::default() };
    let plain = SessionPolicy::default();

    let set = session_cookie("s3cret", secure);
    assert!(set.starts_with(&format!("{SECURE_SESSION_COOKIE}=s3cret")), "{set}");
    assert_eq!(SECURE_SESSION_COOKIE, "__Host-switchyard_session");
    for part in ["Secure", "Path=/", "HttpOnly"] {
        assert!(set.split("; ").any(|p| p == part), "{part} missing in {set}");
    }
    assert!(!set.to_lowercase().contains("domain="), "{set}");
    assert!(clear_session_cookie(secure).starts_with(&format!("{SECURE_SESSION_COOKIE}=;")));

    let set = session_cookie("s3cret", plain);
    assert!(set.starts_with(&format!("{SESSION_COOKIE}=s3cret")), "{set}");
    assert!(!set.contains("Secure"), "{set}");
    assert!(clear_session_cookie(plain).starts_with(&format!("{SESSION_COOKIE}=;")));

    let both = format!("{SESSION_COOKIE}=planted; {SECURE_SESSION_COOKIE}=real");
    assert_eq!(session_from_cookie_header(&both, secure).as_deref(), Some("real"));
    assert_eq!(session_from_cookie_header(&both, plain).as_deref(), Some("planted"));
    assert_eq!(session_from_cookie_header(&format!("{SESSION_COOKIE}=planted"), secure), None);
    assert_eq!(session_from_cookie_header(&format!("{SECURE_SESSION_COOKIE}=x"), plain), None);
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn behind_https_a_sign_in_sets_the_host_cookie_and_only_that_name_signs_in(pool: PgPool) {
    let app = spawn_secure(pool).await;
    let r = app
        .client
        .post(format!("{}/api/v1/session", app.base))
        .json(&json!({"email": "architect@test", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let set = r.headers().get(SET_COOKIE).unwrap().to_str().unwrap().to_string();
    assert!(set.starts_with("__Host-switchyard_session="), "{set}");
    let secret = set.split(';').next().unwrap().split_once('=').unwrap().1.to_string();
    let me =
        |cookie: String| reqwest::Client::new().get(format!("{}/api/v1/me", app.base)).header("cookie", cookie).send();
    let r = me(format!("__Host-switchyard_session={secret}")).await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["email"], "architect@test");
    error_of(me(format!("switchyard_session={secret}")).await.unwrap(), 401).await;
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn server_function_arguments_that_do_not_decode_answer_400(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let post = |path: &str, content_type: &str, body: &str| {
        app.client
            .post(format!("{}{path}", app.base))
            .header("content-type", content_type.to_string())
            .body(body.to_string())
            .send()
    };
    let form = "application/x-www-form-urlencoded";
    let cases = [
        (app::api::LoadCluster::PATH, form, "id=not-a-number"),
        (app::api::LoadCluster::PATH, form, ""),
        (app::api::LoadClusters::PATH, form, "filter[tier]=edge"),
        (app::api::SaveCluster::PATH, "application/json", "{\"id\": "),
        (app::api::SaveCluster::PATH, "application/json", "{\"id\": \"seven\", \"body\": {}}"),
        (app::api::SaveProfile::PATH, form, "save=new"),
    ];
    for (path, content_type, body) in cases {
        let r = post(path, content_type, body).await.unwrap();
        let status = r.status();
        let text = r.text().await.unwrap();
        assert_eq!(status, 400, "{path} with {body:?}: {text}");
        // The body is the server-function error encoding the pages decode.
        let err: AppError = serde_json::from_str(&text).unwrap();
        assert!(matches!(&err, AppError::BadRequest(m) if !m.is_empty()), "{path}: {err:?}");
    }
    // An error from inside the function keeps its own status.
    let r = post(app::api::LoadCluster::PATH, form, "id=999999").await.unwrap();
    assert_eq!(r.status(), 404);
}

/// Found by schemathesis: a NUL character reached PostgreSQL, which cannot store it, and the
/// batch failed with a 500.
#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn a_nul_character_is_the_callers_mistake_not_a_server_error(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let body = serde_json::json!([{"cluster": "cell-\u{0}-01", "cni": "cilium", "version": "1.18.2"}]);
    let r = app.post_json("/api/v1/observations", &body).await;
    assert!(r.status().is_client_error(), "{}", r.status());
    let e = error_of(r, 400).await;
    assert!(e["message"].as_str().unwrap().contains("NUL"), "{e}");
}
