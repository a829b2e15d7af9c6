//! The profile services and the reference reconciler against a real, freshly migrated database.

use app::AppError;
use app::model::{ProfileInput, Role, Versioned};
use app::ssr::{Ctx, db, profiles, seed};
use domain::reference::{REFERENCE_JSON, reference};
use sqlx::PgPool;
use std::collections::BTreeMap;

use crate::helpers::ctx_as;

async fn seeded(pool: &PgPool) -> Ctx {
    let done = seed::reconcile(pool, &reference().unwrap(), REFERENCE_JSON).await.unwrap();
    assert!(!done.added.is_empty());
    ctx_as(pool, Role::Architect).await
}

fn input(name: &str, bgp: f64) -> ProfileInput {
    let mut weights: BTreeMap<String, f64> = reference().unwrap().profiles[0].weights.clone();
    weights.insert("bgp_underlay".into(), bgp);
    weights.insert("governance".into(), 20.0 - bgp);
    ProfileInput { name: name.into(), description: "test".into(), tier: None, context: None, weights }
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn reference_data_loads_once(pool: PgPool) {
    let ctx = seeded(&pool).await;
    let model = db::load_model(&pool).await.unwrap();
    assert_eq!(model.criteria.len(), 9);
    assert_eq!(model.candidates.len(), 4);
    assert_eq!(model, reference().unwrap().model());
    let again = seed::reconcile(&pool, &reference().unwrap(), REFERENCE_JSON).await.unwrap();
    assert_eq!(again, seed::Reconciled::default(), "a second start with the same reference changes nothing");
    let profiles = profiles::list(&ctx).await.unwrap();
    assert_eq!(profiles.len(), 6);
    assert_eq!(profiles[0].name, "Industrial ADR 2026");
    assert_eq!(profiles[0].weights["identity_policy"], 15.0);
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn a_new_reference_adds_new_keys_and_never_overwrites_edited_rows(pool: PgPool) {
    seeded(&pool).await;
    // An admin edited one criterion's text; a new release brings a tenth criterion and changes
    // the text of that criterion and of another one.
    sqlx::query("UPDATE criteria SET why = 'our own words', edited = true WHERE key = 'governance'")
        .execute(&pool)
        .await
        .unwrap();
    let mut next = reference().unwrap();
    next.criteria.push(domain::Criterion {
        key: "supply_chain".into(),
        name: "Supply-chain provenance".into(),
        why: "Signed images and SBOMs for the agent.".into(),
    });
    for p in &mut next.profiles {
        p.weights.insert("supply_chain".into(), 0.0);
    }
    for c in next.criteria.iter_mut().filter(|c| c.key == "governance" || c.key == "encryption") {
        c.why = format!("{} (revised)", c.why);
    }
    let json = serde_json::to_string(&next).unwrap();
    let done = seed::reconcile(&pool, &next, &json).await.unwrap();
    assert_eq!(done.added, ["criterion:supply_chain"]);
    let criteria_updated: Vec<&String> = done.updated.iter().filter(|k| k.starts_with("criterion:")).collect();
    assert_eq!(criteria_updated, ["criterion:encryption"]);
    // Unedited reference profiles take the new criterion (at 0 %) with the new release.
    assert!(done.updated.contains(&"profile:Industrial ADR 2026".to_string()), "{done:?}");
    assert_eq!(done.kept, ["criterion:governance"]);
    let model = db::load_model(&pool).await.unwrap();
    assert_eq!(model.criteria.len(), 10);
    assert_eq!(model.criteria.last().unwrap().key, "supply_chain", "a new criterion comes last");
    let why = |k: &str| model.criteria.iter().find(|c| c.key == k).unwrap().why.clone();
    assert_eq!(why("governance"), "our own words");
    assert!(why("encryption").ends_with("(revised)"));
    let (entity, action, after): (String, String, serde_json::Value) =
        sqlx::query_as("SELECT entity, action, after FROM audit_log ORDER BY id DESC LIMIT 1")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!((entity.as_str(), action.as_str()), ("reference", "reconcile"));
    assert_eq!(after["added"], serde_json::json!(["criterion:supply_chain"]));
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn an_edited_reference_profile_is_kept_and_an_unedited_one_follows_the_reference(pool: PgPool) {
    let ctx = seeded(&pool).await;
    let list = profiles::list(&ctx).await.unwrap();
    let (mine, theirs) = (&list[0], &list[1]);
    let body = ProfileInput {
        name: mine.name.clone(),
        description: "tuned for us".into(),
        tier: mine.tier,
        context: mine.context,
        weights: mine.weights.clone(),
    };
    profiles::update(&ctx, mine.id, Versioned::new(body, mine.version)).await.unwrap();
    let mut next = reference().unwrap();
    for p in &mut next.profiles {
        p.description = format!("{} (2027)", p.description);
    }
    let done = seed::reconcile(&pool, &next, &serde_json::to_string(&next).unwrap()).await.unwrap();
    assert!(!done.updated.contains(&format!("profile:{}", mine.name)), "{done:?}");
    assert!(done.updated.contains(&format!("profile:{}", theirs.name)), "{done:?}");
    assert_eq!(profiles::get(&ctx, mine.id).await.unwrap().description, "tuned for us");
    assert!(profiles::get(&ctx, theirs.id).await.unwrap().description.ends_with("(2027)"));
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn create_get_update_delete_profile(pool: PgPool) {
    let ctx = seeded(&pool).await;
    let created = profiles::create(&ctx, input("Mine", 12.5)).await.unwrap();
    assert_eq!(created.version, 1);
    assert_eq!(created.weights["bgp_underlay"], 12.5);
    assert_eq!(profiles::get(&ctx, created.id).await.unwrap(), created);
    let updated = profiles::update(&ctx, created.id, Versioned::new(input("Mine", 5.0), 1)).await.unwrap();
    assert_eq!(updated.version, 2);
    assert_eq!(updated.weights["bgp_underlay"], 5.0);
    assert_eq!(updated.weights["governance"], 15.0);
    profiles::delete(&ctx, created.id, Some(2)).await.unwrap();
    assert!(matches!(profiles::get(&ctx, created.id).await, Err(AppError::NotFound(_))));
    assert!(matches!(profiles::delete(&ctx, created.id, Some(2)).await, Err(AppError::NotFound(_))));
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn a_viewer_cannot_change_profiles(pool: PgPool) {
    seeded(&pool).await;
    let viewer = ctx_as(&pool, Role::Viewer).await;
    assert_eq!(profiles::create(&viewer, input("Nope", 10.0)).await, Err(AppError::Forbidden));
    assert_eq!(profiles::delete(&viewer, 1, Some(1)).await, Err(AppError::Forbidden));
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn a_stale_update_is_refused_with_the_current_profile(pool: PgPool) {
    let ctx = seeded(&pool).await;
    let p = profiles::create(&ctx, input("Shared", 10.0)).await.unwrap();
    profiles::update(&ctx, p.id, Versioned::new(input("Shared", 15.0), 1)).await.unwrap();
    let err = profiles::update(&ctx, p.id, Versioned::new(input("Shared", 2.0), 1)).await;
    let Err(AppError::Conflict { current: Some(current), message }) = err else {
        panic!("expected a conflict: {err:?}")
    };
    let current: serde_json::Value = serde_json::from_str(&current).unwrap();
    assert_eq!(current["version"], 2);
    assert_eq!(current["weights"]["bgp_underlay"], 15.0);
    assert!(message.contains("changed by someone else"));
    let now = profiles::get(&ctx, p.id).await.unwrap();
    assert_eq!(now.weights["bgp_underlay"], 15.0, "the stale write changed nothing");
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn an_update_without_a_version_names_the_field(pool: PgPool) {
    let ctx = seeded(&pool).await;
    let p = profiles::create(&ctx, input("Versionless", 10.0)).await.unwrap();
    let body = Versioned { input: input("", 10.0), version: None };
    let Err(AppError::Validation { fields, .. }) = profiles::update(&ctx, p.id, body).await else {
        panic!("expected a validation error")
    };
    assert!(fields.contains_key("version") && fields.contains_key("name"), "{fields:?}");
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn a_taken_name_is_a_conflict(pool: PgPool) {
    let ctx = seeded(&pool).await;
    let err = profiles::create(&ctx, input("Industrial ADR 2026", 10.0)).await;
    assert!(matches!(err, Err(AppError::Conflict { .. })), "{err:?}");
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn the_schema_refuses_out_of_range_scores_and_weights(pool: PgPool) {
    seeded(&pool).await;
    let bad_score = sqlx::query("UPDATE scores SET score = 6 WHERE candidate_key = 'cilium'").execute(&pool).await;
    assert!(bad_score.is_err());
    let bad_weight = sqlx::query("UPDATE profile_weights SET weight_tenths = -1").execute(&pool).await;
    assert!(bad_weight.is_err());
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn ping_answers(pool: PgPool) {
    assert!(db::ping(&pool).await);
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn the_audit_log_refuses_update_delete_and_truncate(pool: PgPool) {
    let ctx = seeded(&pool).await;
    profiles::create(&ctx, input("Audited", 10.0)).await.unwrap();
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log").fetch_one(&pool).await.unwrap();
    assert!(n >= 1);
    for sql in ["UPDATE audit_log SET actor = 'mallory'", "DELETE FROM audit_log", "TRUNCATE audit_log"] {
        let err = sqlx::query(sql).execute(&pool).await.unwrap_err();
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    let after: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log").fetch_one(&pool).await.unwrap();
    assert_eq!(after, n);
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn each_profile_mutation_writes_exactly_one_audit_row(pool: PgPool) {
    let ctx = seeded(&pool).await;
    let count =
        || async { sqlx::query_scalar::<_, i64>("SELECT count(*) FROM audit_log").fetch_one(&pool).await.unwrap() };
    let start = count().await;
    let p = profiles::create(&ctx, input("Once", 10.0)).await.unwrap();
    assert_eq!(count().await, start + 1);
    profiles::update(&ctx, p.id, Versioned::new(input("Once", 12.0), 1)).await.unwrap();
    assert_eq!(count().await, start + 2);
    let stale = profiles::update(&ctx, p.id, Versioned::new(input("Once", 13.0), 1)).await;
    assert!(stale.is_err());
    assert_eq!(count().await, start + 2, "a refused write is not audited as a change");
    profiles::delete(&ctx, p.id, Some(2)).await.unwrap();
    assert_eq!(count().await, start + 3);
    let (action, before, after): (String, Option<serde_json::Value>, Option<serde_json::Value>) =
        sqlx::query_as("SELECT action, before, after FROM audit_log ORDER BY id DESC LIMIT 1")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(action, "delete");
    assert_eq!(before.unwrap()["weights"]["bgp_underlay"], 12.0);
    assert!(after.is_none());
}
