//! The ADR register over HTTP against PostgreSQL: the seed as ADR-0001, consecutive numbers, the
//! status machine, stale edits, the frozen snapshot in the database, roles, reviews (reaffirm and
//! supersede), the exports and the calendar feed with its `?token=` rule, and the demo ADRs.

use std::io::Read;

use app::model::Role;
use reqwest::Client;
use serde_json::{Value, json};
use sqlx::PgPool;

use crate::helpers::{TestApp, anonymous, error_of, seed_weights};

fn today() -> domain::NaiveDate {
    app::ssr::fleet::today()
}

fn in_a_year() -> String {
    domain::adr::next_review(today(), 12).unwrap().to_string()
}

async fn json_of(resp: reqwest::Response, status: u16) -> Value {
    let got = resp.status().as_u16();
    let body: Value = resp.json().await.unwrap_or_default();
    assert_eq!(got, status, "unexpected status, body {body}");
    body
}

async fn post(client: &Client, app: &TestApp, path: &str, body: &Value) -> reqwest::Response {
    client.post(format!("{}{path}", app.base)).json(body).send().await.unwrap()
}

/// Records a proposed ADR as the architect and returns it.
async fn record(app: &TestApp, title: &str, chosen: &str) -> Value {
    let body = json!({"title": title, "chosen": chosen, "scope": {"tiers": ["cloud"]}, "weights": seed_weights(),
        "justification": "a test decision"});
    json_of(app.post_json("/api/v1/adrs", &body).await, 201).await
}

async fn set_status(client: &Client, app: &TestApp, number: u64, status: &str, version: i64) -> reqwest::Response {
    post(client, app, &format!("/api/v1/adrs/{number}/status"), &json!({"status": status, "version": version})).await
}

/// The review calendar with its folded lines joined (RFC 5545 folds lines over 75 octets).
fn unfolded(ics: &str) -> String {
    ics.replace("\r\n ", "")
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn the_seed_is_adr_0001_accepted_with_cilium_4_20_and_calico_3_60(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    // A second start records nothing more.
    switchyard::prepare(&app.pool).await.unwrap();
    let list = json_of(app.get("/api/v1/adrs").await, 200).await;
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1, "{list:?}");
    let seed = &list[0];
    assert_eq!((seed["number"].as_u64(), seed["status"].as_str()), (Some(1), Some("accepted")));
    assert_eq!(seed["title"], domain::adr::SEED_TITLE);
    assert_eq!(seed["date"], today().to_string());
    assert_eq!(seed["review_by"], in_a_year());
    assert_eq!(seed["review_state"], "later");
    assert_eq!(seed["snapshot_sha256"].as_str().unwrap().len(), 64);
    for path in ["/api/v1/adrs/1", "/api/v1/adrs/0001", "/api/v1/adrs/ADR-0001"] {
        let one = json_of(app.get(path).await, 200).await;
        assert_eq!(one["number"], 1, "{path}");
        assert_eq!(one["snapshot"]["options"][0]["total"], 4200, "{path}");
    }
    error_of(app.get("/api/v1/adrs/ADR-0999").await, 404).await;
    error_of(app.get("/api/v1/adrs/one").await, 404).await;

    let r = app.get("/api/v1/adrs/ADR-0001.md").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/markdown; charset=utf-8");
    assert_eq!(
        r.headers()["content-disposition"],
        "attachment; filename=\"0001-cilium-by-default-calico-for-brownfield-plants-and-cells.md\""
    );
    let md = r.text().await.unwrap();
    assert!(md.starts_with("---\nnumber: 1\n"), "{md}");
    assert!(md.contains("status: accepted\n"), "{md}");
    assert!(md.contains("| Total |") && md.contains("4.20") && md.contains("3.60"), "{md}");

    let audit = json_of(app.get("/api/v1/audit?entity=adr").await, 200).await;
    let entry = audit.as_array().unwrap().iter().find(|e| e["entity_id"] == "1").cloned().unwrap();
    assert_eq!((entry["action"].as_str(), entry["actor"].as_str()), (Some("create"), Some("reference data")));
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn numbers_are_consecutive_and_a_refused_record_takes_none(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    assert_eq!(record(&app, "Cilium for the cloud tier", "cilium").await["number"], 2);
    let e =
        error_of(app.post_json("/api/v1/adrs", &json!({"title": "Weave everywhere", "chosen": "weave"})).await, 422)
            .await;
    assert!(e["fields"]["chosen"].as_str().unwrap().contains("not a candidate"), "{e}");
    let e = error_of(app.post_json("/api/v1/adrs", &json!({"chosen": "cilium"})).await, 422).await;
    assert!(e["message"].as_str().unwrap().contains("title"), "{e}");
    let e = error_of(
        app.post_json(
            "/api/v1/adrs",
            &json!({"title": "Both", "chosen": "cilium", "profile_id": 1, "weights": seed_weights()}),
        )
        .await,
        422,
    )
    .await;
    assert!(e["fields"]["profile_id"].as_str().unwrap().contains("not both"), "{e}");
    let third = record(&app, "Calico for the cloud tier", "calico").await;
    assert_eq!(third["number"], 3);
    assert_eq!((third["status"].as_str(), third["version"].as_i64()), (Some("proposed"), Some(1)));
    assert_eq!(third["date"], Value::Null);
    // The default profile's weights when none are named, with the tier's score overrides.
    let body = json!({"title": "Calico at the cell", "chosen": "calico", "tier": "cell", "justification": "footprint"});
    let fourth = json_of(app.post_json("/api/v1/adrs", &body).await, 201).await;
    assert_eq!(fourth["number"], 4);
    assert_eq!(fourth["snapshot"]["profile"], "Industrial ADR 2026");
    assert_eq!(fourth["snapshot"]["tier"], "cell");
    let numbers: Vec<i32> =
        sqlx::query_scalar("SELECT number FROM adrs ORDER BY number").fetch_all(&app.pool).await.unwrap();
    assert_eq!(numbers, [1, 2, 3, 4]);
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn the_status_machine_refuses_illegal_transitions(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let admin = app.signed_in(Role::Admin).await;
    let adr = record(&app, "Cilium for the cloud tier", "cilium").await;
    let n = adr["number"].as_u64().unwrap();
    let e = error_of(set_status(&admin, &app, n, "deprecated", 1).await, 422).await;
    assert!(e["fields"]["status"].as_str().unwrap().contains("from proposed to deprecated"), "{e}");
    let e = error_of(set_status(&app.client, &app, n, "superseded", 1).await, 422).await;
    assert!(e["fields"]["status"].as_str().unwrap().contains("from proposed to superseded"), "{e}");
    error_of(set_status(&app.client, &app, n, "proposed", 1).await, 422).await;
    let e = error_of(
        post(&app.client, &app, &format!("/api/v1/adrs/{n}/status"), &json!({"status": "accepted"})).await,
        422,
    )
    .await;
    assert!(e["fields"]["version"].is_string(), "{e}");

    let accepted = json_of(set_status(&app.client, &app, n, "accepted", 1).await, 200).await;
    assert_eq!(accepted["status"], "accepted");
    assert_eq!(
        (accepted["date"].as_str(), accepted["version"].as_i64()),
        (Some(today().to_string().as_str()), Some(2))
    );
    assert_eq!(accepted["review_by"], in_a_year());
    let e = error_of(set_status(&app.client, &app, n, "accepted", 2).await, 422).await;
    assert!(e["fields"]["status"].as_str().unwrap().contains("can only become deprecated or superseded"), "{e}");
    error_of(set_status(&app.client, &app, n, "rejected", 2).await, 422).await;
    error_of(set_status(&app.client, &app, n, "accepted", 1).await, 409).await;
    let e = error_of(set_status(&app.client, &app, n, "superseded", 2).await, 422).await;
    assert!(e["fields"]["superseded_by"].is_string(), "{e}");

    let other = record(&app, "Calico for the cloud tier", "calico").await;
    let m = other["number"].as_u64().unwrap();
    json_of(set_status(&app.client, &app, m, "rejected", 1).await, 200).await;
    let e = error_of(set_status(&app.client, &app, m, "accepted", 2).await, 422).await;
    assert!(e["fields"]["status"].as_str().unwrap().contains("final"), "{e}");
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn a_stale_put_is_409_and_a_decided_adr_is_frozen(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let adr = record(&app, "Cilium for the cloud tier", "cilium").await;
    let n = adr["number"].as_u64().unwrap();
    let mut body = json!({"title": "Cilium for cloud aggregators", "chosen": "cilium", "version": 1,
        "scope": {"tiers": ["cloud"]}, "consulted": ["Cloud team"]});
    let put = json_of(app.put_json(&format!("/api/v1/adrs/{n}"), &body).await, 200).await;
    assert_eq!((put["title"].as_str(), put["version"].as_i64()), (Some("Cilium for cloud aggregators"), Some(2)));
    assert_eq!(put["consulted"], json!(["Cloud team"]));
    assert_eq!(put["snapshot"]["criteria"][0]["weight"], 150, "the weights it had are kept");
    let e = error_of(app.put_json(&format!("/api/v1/adrs/{n}"), &body).await, 409).await;
    assert_eq!(e["current"]["version"], 2);
    assert!(e["message"].as_str().unwrap().contains("you had version 1, it is now version 2"), "{e}");
    body.as_object_mut().unwrap().remove("version");
    let e = error_of(app.put_json(&format!("/api/v1/adrs/{n}"), &body).await, 422).await;
    assert!(e["fields"]["version"].is_string(), "{e}");

    body["version"] = json!(2);
    body["title"] = json!("Title: with a colon, still one heading");
    json_of(app.put_json(&format!("/api/v1/adrs/{n}"), &body).await, 200).await;
    json_of(set_status(&app.client, &app, n, "accepted", 3).await, 200).await;
    body["version"] = json!(4);
    body["title"] = json!("A new title after acceptance");
    let e = error_of(app.put_json(&format!("/api/v1/adrs/{n}"), &body).await, 422).await;
    assert!(e["fields"]["status"].as_str().unwrap().contains("frozen"), "{e}");
    let e =
        error_of(app.put_json("/api/v1/adrs/1", &json!({"title": "x", "chosen": "cilium", "version": 1})).await, 422)
            .await;
    assert!(e["fields"]["status"].as_str().unwrap().contains("ADR-0001 is accepted"), "{e}");
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn the_database_refuses_to_change_an_accepted_snapshot_or_delete_an_adr(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    for sql in [
        "UPDATE adrs SET snapshot = '{}'::jsonb WHERE number = 1",
        "UPDATE adrs SET snapshot_sha256 = repeat('0', 64) WHERE number = 1",
        "UPDATE adrs SET title = 'Calico everywhere', draft = jsonb_set(draft, '{title}', '\"Calico everywhere\"') \
         WHERE number = 1",
        "UPDATE adrs SET status = 'proposed', date = NULL, review_by = NULL WHERE number = 1",
        "DELETE FROM adrs WHERE number = 1",
        "TRUNCATE adrs CASCADE",
    ] {
        let e = sqlx::query(sql).execute(&app.pool).await.expect_err(sql).to_string();
        assert!(e.contains("frozen") || e.contains("never deleted") || e.contains("cannot go from"), "{sql}: {e}");
    }
    // What may change after acceptance: the next review date (and the version).
    sqlx::query("UPDATE adrs SET review_by = review_by + 1, version = version + 1 WHERE number = 1")
        .execute(&app.pool)
        .await
        .unwrap();
    let served = switchyard::db_roles::serving_pool(&app.pool, None, 1).await.unwrap();
    let e = sqlx::query("DELETE FROM adr_reviews").execute(&served).await.unwrap_err().to_string();
    assert!(e.contains("permission denied"), "{e}");
    let e = sqlx::query("ALTER TABLE adrs DISABLE TRIGGER adrs_decided_is_frozen").execute(&served).await.unwrap_err();
    assert!(e.to_string().contains("must be owner"), "{e}");
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn viewers_read_architects_decide_and_only_admins_deprecate(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let viewer = app.signed_in(Role::Viewer).await;
    let admin = app.signed_in(Role::Admin).await;
    let body = json!({"title": "Viewer decides", "chosen": "cilium"});
    error_of(post(&viewer, &app, "/api/v1/adrs", &body).await, 403).await;
    let r = viewer.get(format!("{}/api/v1/adrs/1.md", app.base)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let r = viewer.get(format!("{}/api/v1/reviews", app.base)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    error_of(set_status(&viewer, &app, 1, "deprecated", 1).await, 403).await;
    error_of(set_status(&app.client, &app, 1, "deprecated", 1).await, 403).await;
    let review = json!({"outcome": "reaffirm", "note": "still right", "version": 1});
    error_of(post(&viewer, &app, "/api/v1/adrs/1/reviews", &review).await, 403).await;
    let done = json_of(set_status(&admin, &app, 1, "deprecated", 1).await, 200).await;
    assert_eq!((done["status"].as_str(), done["review_by"].as_str()), (Some("deprecated"), None));
    let audit = json_of(app.get("/api/v1/audit?entity=adr").await, 200).await;
    assert!(
        audit.as_array().unwrap().iter().any(|e| e["action"] == "deprecate" && e["actor"] == "admin@test"),
        "{audit}"
    );
}

async fn token(app: &TestApp, scope: &str) -> (i64, String) {
    let r = json_of(
        app.post_json("/api/v1/tokens", &json!({"name": format!("calendar-{scope}"), "scope": scope})).await,
        201,
    )
    .await;
    (r["id"].as_i64().unwrap(), r["token"].as_str().unwrap().to_string())
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn the_calendar_takes_a_read_token_in_its_url_and_nothing_else_does(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let (read_id, read) = token(&app, "read").await;
    let (_, write) = token(&app, "write").await;
    let outsider = anonymous(&app.base);
    let feed = |t: &str| outsider.get(format!("{}/api/v1/reviews.ics?token={t}", app.base)).send();

    let r = feed(&read).await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/calendar; charset=utf-8");
    let ics = unfolded(&r.text().await.unwrap());
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n") && ics.contains("VERSION:2.0\r\n"), "{ics}");
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), 1, "{ics}");
    let due = domain::adr::next_review(today(), 12).unwrap().format("%Y%m%d").to_string();
    for line in [
        "UID:adr-0001-review@switchyard".to_string(),
        format!("SUMMARY:Review ADR-0001: {}", domain::adr::SEED_TITLE.replace(',', "\\,")),
        format!("DTSTART;VALUE=DATE:{due}"),
        format!("URL:{}/adrs/1", app.base),
        "BEGIN:VALARM".to_string(),
        "TRIGGER:-P30D".to_string(),
        "ACTION:DISPLAY".to_string(),
    ] {
        assert!(ics.contains(&format!("{line}\r\n")), "missing {line} in {ics}");
    }
    assert!(ics.contains("DTSTAMP:"), "{ics}");
    // The same records give the same feed.
    assert_eq!(unfolded(&feed(&read).await.unwrap().text().await.unwrap()), ics);

    let e = error_of(feed(&write).await.unwrap(), 401).await;
    assert!(e["message"].as_str().unwrap().contains("read-scope"), "{e}");
    error_of(feed("not-a-token").await.unwrap(), 401).await;
    // Only the calendar reads `?token=`.
    for path in ["/api/v1/adrs", "/api/v1/reviews", "/api/v1/adrs/1.md"] {
        let r = outsider.get(format!("{}{path}?token={read}", app.base)).send().await.unwrap();
        error_of(r, 401).await;
    }
    let r = outsider.get(format!("{}/api/v1/reviews.ics", app.base)).send().await.unwrap();
    error_of(r, 401).await;
    // A header works as everywhere, and a signed-in browser needs no token.
    let r = outsider.get(format!("{}/api/v1/reviews.ics", app.base)).bearer_auth(&read).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(app.get("/api/v1/reviews.ics").await.status(), 200);

    assert_eq!(app.delete(&format!("/api/v1/tokens/{read_id}")).await.status(), 204);
    error_of(feed(&read).await.unwrap(), 401).await;
}

fn tar_paths(gz: &[u8]) -> Vec<String> {
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(gz).read_to_end(&mut raw).unwrap();
    // ustar/gnu headers: 512-byte blocks, the path in the first 100 bytes, the size in octal at 124.
    let mut paths = Vec::new();
    let mut at = 0;
    while at + 512 <= raw.len() && raw[at] != 0 {
        let header = &raw[at..at + 512];
        let name = String::from_utf8_lossy(&header[..100]).trim_end_matches('\0').to_string();
        let size_text =
            String::from_utf8_lossy(&header[124..136]).trim_matches(|c: char| c == '\0' || c == ' ').to_string();
        let size = usize::from_str_radix(&size_text, 8).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&header[136..148]).trim_matches(|c: char| c == '\0' || c == ' '),
            "00000000000"
        );
        paths.push(name);
        at += 512 + size.div_ceil(512) * 512;
    }
    paths
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn the_bundle_is_byte_identical_on_every_export(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    record(&app, "Ünïcode / ADR: with | pipes and `ticks`", "cilium").await;
    let first = app.get("/api/v1/adrs/export.tar.gz").await;
    assert_eq!(first.status(), 200);
    assert_eq!(first.headers()["content-type"], "application/gzip");
    let first = first.bytes().await.unwrap();
    let second = app.get("/api/v1/adrs/export.tar.gz").await.bytes().await.unwrap();
    assert_eq!(first, second, "two exports of the same records differ");
    assert_eq!(
        tar_paths(&first),
        [
            "docs/decisions/0001-cilium-by-default-calico-for-brownfield-plants-and-cells.md",
            "docs/decisions/0002-unicode-adr-with-pipes-and-ticks.md",
            "docs/decisions/README.md",
        ]
    );
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn a_reaffirmation_needs_a_note_and_moves_the_review_a_year_on(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    let preview = json_of(app.get("/api/v1/adrs/1/review").await, 200).await;
    assert_eq!(preview["summary"][0].as_str().unwrap().split(':').next(), Some("Nothing changed since the snapshot"));
    assert_eq!(preview["now"]["options"][0]["total"], 4200);
    let e = error_of(app.post_json("/api/v1/adrs/1/reviews", &json!({"outcome": "reaffirm", "version": 1})).await, 422)
        .await;
    assert!(e["fields"]["note"].as_str().unwrap().contains("needs a note"), "{e}");
    // Move the review date into the past, as if a year had gone by, then review.
    sqlx::query("UPDATE adrs SET review_by = $1 WHERE number = 1")
        .bind(today().pred_opt().unwrap())
        .execute(&app.pool)
        .await
        .unwrap();
    let due = json_of(app.get("/api/v1/reviews").await, 200).await;
    assert_eq!(due["overdue"][0]["number"], 1, "{due}");
    let body = json!({"outcome": "reaffirm", "note": "Nothing material changed.", "version": 1});
    let done = json_of(app.post_json("/api/v1/adrs/1/reviews", &body).await, 201).await;
    assert_eq!(done["adr"]["review_by"], in_a_year());
    assert_eq!(
        (done["review"]["outcome"].as_str(), done["review"]["next_review_by"].as_str()),
        (Some("reaffirm"), Some(in_a_year().as_str()))
    );
    error_of(app.post_json("/api/v1/adrs/1/reviews", &body).await, 409).await;
    let due = json_of(app.get("/api/v1/reviews").await, 200).await;
    assert_eq!((due["overdue"].as_array().unwrap().len(), due["later"][0]["number"].as_u64()), (0, Some(1)));
    let md = app.get("/api/v1/adrs/1.md").await.text().await.unwrap();
    assert!(md.contains("Nothing material changed."), "the review shows in More Information: {md}");
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn a_supersede_review_proposes_a_successor_linked_both_ways_once_accepted(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    // The default profile now weighs BGP more: the review shows it.
    let profile = json_of(app.get("/api/v1/profiles/1").await, 200).await;
    let mut edited = profile.clone();
    edited["weights"]["bgp_underlay"] = json!(20);
    edited["weights"]["governance"] = json!(0);
    json_of(app.put_json("/api/v1/profiles/1", &edited).await, 200).await;
    let preview = json_of(app.get("/api/v1/adrs/1/review").await, 200).await;
    assert!(
        preview["diff"]["weights"].as_array().unwrap().iter().any(|w| w["criterion"] == "bgp_underlay"),
        "{preview}"
    );
    assert!(
        preview["summary"].as_array().unwrap().iter().any(|l| l.as_str().unwrap().contains("Weight of BGP")),
        "{preview}"
    );

    let body = json!({"outcome": "supersede", "note": "BGP matters more now.", "version": 1});
    let done = json_of(app.post_json("/api/v1/adrs/1/reviews", &body).await, 201).await;
    let successor = &done["successor"];
    assert_eq!((successor["number"].as_u64(), successor["status"].as_str()), (Some(2), Some("proposed")));
    assert_eq!(successor["supersedes"], 1);
    assert_eq!(successor["snapshot"]["criteria"][6]["weight"], 200, "pre-filled from today's weights");
    assert_eq!(done["adr"]["status"], "accepted", "superseded only once the successor is accepted");
    let e =
        error_of(app.post_json("/api/v1/adrs/1/reviews", &json!({"outcome": "supersede", "version": 2})).await, 409)
            .await;
    assert!(e["message"].as_str().unwrap().contains("already open"), "{e}");

    json_of(set_status(&app.client, &app, 2, "accepted", 1).await, 200).await;
    let old = json_of(app.get("/api/v1/adrs/1").await, 200).await;
    assert_eq!((old["status"].as_str(), old["superseded_by"].as_u64()), (Some("superseded"), Some(2)));
    assert_eq!(old["review_by"], Value::Null);
    let new = json_of(app.get("/api/v1/adrs/2").await, 200).await;
    assert_eq!(new["supersedes"], 1);
    let md = app.get("/api/v1/adrs/1.md").await.text().await.unwrap();
    assert!(md.contains("status: superseded") && md.contains("ADR-0002"), "{md}");
    let md = app.get("/api/v1/adrs/2.md").await.text().await.unwrap();
    assert!(md.contains("ADR-0001"), "{md}");
    // The manual way: an accepted ADR names the accepted one that replaces it.
    let third = record(&app, "Cilium for the cloud tier", "cilium").await;
    let fourth = record(&app, "Calico for the cloud tier", "calico").await;
    json_of(set_status(&app.client, &app, 3, "accepted", third["version"].as_i64().unwrap()).await, 200).await;
    let body = json!({"status": "superseded", "superseded_by": 4, "version": 2});
    let e = error_of(post(&app.client, &app, "/api/v1/adrs/3/status", &body).await, 422).await;
    assert!(e["fields"]["superseded_by"].as_str().unwrap().contains("accept it first"), "{e}");
    json_of(set_status(&app.client, &app, 4, "accepted", fourth["version"].as_i64().unwrap()).await, 200).await;
    let body = json!({"status": "superseded", "superseded_by": "ADR-0004", "version": 2});
    let done = json_of(post(&app.client, &app, "/api/v1/adrs/3/status", &body).await, 200).await;
    assert_eq!(done["superseded_by"], 4);
    assert_eq!(json_of(app.get("/api/v1/adrs/4").await, 200).await["supersedes"], 3);
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn the_demo_adds_adrs_in_every_review_state_once(pool: PgPool) {
    let app = TestApp::spawn(pool).await;
    app::ssr::fleet::import_doc(&app.pool, None, &domain::fleet::demo_fleet(), false, "demo").await.unwrap();
    assert_eq!(app::ssr::adrs::load_demo(&app.pool).await.unwrap(), 5);
    assert_eq!(app::ssr::adrs::load_demo(&app.pool).await.unwrap(), 0, "a second load adds nothing");
    let due = json_of(app.get("/api/v1/reviews").await, 200).await;
    let titles = |k: &str| -> Vec<String> {
        due[k].as_array().unwrap().iter().map(|a| a["title"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(titles("overdue"), ["Calico for brownfield plant clusters"]);
    assert_eq!(titles("due_soon"), ["Cilium with WireGuard for regional clusters"]);
    let later = titles("later");
    for t in ["Cilium for the cloud aggregators", "Calico for cell controllers, minimal Cilium as the option"] {
        assert!(later.iter().any(|l| l == t), "{t} not in {later:?}");
    }
    let all = json_of(app.get("/api/v1/adrs?status=superseded").await, 200).await;
    let old = &all[0];
    assert_eq!(old["title"], "Calico on every cell controller");
    let new = json_of(app.get(&format!("/api/v1/adrs/{}", old["superseded_by"])).await, 200).await;
    assert_eq!(new["supersedes"], old["number"]);
    let cloud = json_of(app.get("/api/v1/adrs?review=later&status=accepted").await, 200).await;
    let cloud = cloud.as_array().unwrap().iter().find(|a| a["title"] == "Cilium for the cloud aggregators").unwrap();
    let md = app.get(&format!("/api/v1/adrs/{}.md", cloud["number"])).await.text().await.unwrap();
    assert!(md.contains("Cilium still leads for the cloud tier"), "the stored review is in its history: {md}");
    error_of(app.get("/api/v1/adrs?status=done").await, 422).await;
    error_of(app.get("/api/v1/adrs?review=soon").await, 422).await;
    // The fleet map badges the brownfield plants of the overdue ADR and counts the reviews.
    let fleet = json_of(app.get("/api/v1/fleet").await, 200).await;
    assert_eq!(fleet["reviews"]["overdue"], 1, "{}", fleet["reviews"]);
    assert_eq!(fleet["review_overdue"], 3, "three brownfield plants in the demo");
    let page = json_of(app.get("/api/v1/fleet/clusters?status=review_overdue").await, 200).await;
    assert_eq!(page["total"], 3);
    assert!(page["clusters"].as_array().unwrap().iter().all(|c| c["tier"] == "plant" && c["overdue_adrs"][0].is_u64()));
}
