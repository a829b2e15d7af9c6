//! Every repository function against a real, freshly migrated database.

use app::AppError;
use app::api::types::ProfileInput;
use app::ssr::{db, seed};
use domain::reference::reference;
use sqlx::PgPool;
use std::collections::BTreeMap;

async fn seeded(pool: &PgPool) -> domain::Model {
    assert!(seed::load_reference_if_empty(pool, &reference().unwrap()).await.unwrap());
    db::load_model(pool).await.unwrap()
}

fn input(name: &str, bgp: f64) -> ProfileInput {
    let mut weights: BTreeMap<String, f64> = reference().unwrap().profiles[0].weights.clone();
    weights.insert("bgp_underlay".into(), bgp);
    weights.insert("governance".into(), 20.0 - bgp);
    ProfileInput { name: name.into(), description: "test".into(), tier: None, context: None, weights }
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn reference_data_loads_once(pool: PgPool) {
    let model = seeded(&pool).await;
    assert_eq!(model.criteria.len(), 9);
    assert_eq!(model.candidates.len(), 4);
    assert_eq!(model, reference().unwrap().model());
    assert!(!seed::load_reference_if_empty(&pool, &reference().unwrap()).await.unwrap(), "second load is a no-op");
    let profiles = db::list_profiles(&pool, &model).await.unwrap();
    assert_eq!(profiles.len(), 6);
    assert_eq!(profiles[0].name, "Industrial ADR 2026");
    assert_eq!(profiles[0].weights["identity_policy"], 15.0);
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn create_get_update_delete_profile(pool: PgPool) {
    let model = seeded(&pool).await;
    let created =
        db::create_profile(&pool, &model, &input("Mine", 12.5).validate(&model).unwrap(), None).await.unwrap();
    assert_eq!(created.version, 1);
    assert_eq!(created.weights["bgp_underlay"], 12.5);
    let got = db::get_profile(&pool, &model, created.id).await.unwrap();
    assert_eq!(got, created);
    let updated = db::update_profile(&pool, &model, created.id, 1, &input("Mine", 5.0).validate(&model).unwrap(), None)
        .await
        .unwrap();
    assert_eq!(updated.version, 2);
    assert_eq!(updated.weights["bgp_underlay"], 5.0);
    assert_eq!(updated.weights["governance"], 15.0);
    db::delete_profile(&pool, &model, created.id, None).await.unwrap();
    assert!(matches!(db::get_profile(&pool, &model, created.id).await, Err(AppError::NotFound(_))));
    assert!(matches!(db::delete_profile(&pool, &model, created.id, None).await, Err(AppError::NotFound(_))));
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn a_stale_update_is_refused_with_the_current_profile(pool: PgPool) {
    let model = seeded(&pool).await;
    let p = db::create_profile(&pool, &model, &input("Shared", 10.0).validate(&model).unwrap(), None).await.unwrap();
    db::update_profile(&pool, &model, p.id, 1, &input("Shared", 15.0).validate(&model).unwrap(), None).await.unwrap();
    let err = db::update_profile(&pool, &model, p.id, 1, &input("Shared", 2.0).validate(&model).unwrap(), None).await;
    let Err(AppError::Conflict { current: Some(current), message }) = err else {
        panic!("expected a conflict: {err:?}")
    };
    assert_eq!(current["version"], 2);
    assert_eq!(current["weights"]["bgp_underlay"], 15.0);
    assert!(message.contains("changed by someone else"));
    let now = db::get_profile(&pool, &model, p.id).await.unwrap();
    assert_eq!(now.weights["bgp_underlay"], 15.0, "the stale write changed nothing");
}

#[sqlx::test(migrator = "switchyard::MIGRATOR")]
async fn a_taken_name_is_a_conflict(pool: PgPool) {
    let model = seeded(&pool).await;
    let err =
        db::create_profile(&pool, &model, &input("Industrial ADR 2026", 10.0).validate(&model).unwrap(), None).await;
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
    let model = seeded(&pool).await;
    db::create_profile(&pool, &model, &input("Audited", 10.0).validate(&model).unwrap(), None).await.unwrap();
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
    let model = seeded(&pool).await;
    let count =
        || async { sqlx::query_scalar::<_, i64>("SELECT count(*) FROM audit_log").fetch_one(&pool).await.unwrap() };
    let start = count().await;
    let p = db::create_profile(&pool, &model, &input("Once", 10.0).validate(&model).unwrap(), None).await.unwrap();
    assert_eq!(count().await, start + 1);
    db::update_profile(&pool, &model, p.id, 1, &input("Once", 12.0).validate(&model).unwrap(), None).await.unwrap();
    assert_eq!(count().await, start + 2);
    let stale = db::update_profile(&pool, &model, p.id, 1, &input("Once", 13.0).validate(&model).unwrap(), None).await;
    assert!(stale.is_err());
    assert_eq!(count().await, start + 2, "a refused write is not audited as a change");
    db::delete_profile(&pool, &model, p.id, None).await.unwrap();
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
