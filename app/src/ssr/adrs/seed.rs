//! ADRs Switchyard writes itself: the seed as ADR-0001 on first start, and the demo's ADRs in
//! every review state relative to today, so a newcomer sees the annual review at work.

use chrono::{Days, Months};
use sqlx::{PgPool, Postgres, Transaction};

use super::{build, store};
use crate::AppError;
use crate::model::AdrInput;
use crate::ssr::fleet::{decision_context, today};
use crate::ssr::{audit, db};
use domain::adr::{Adr, AdrDraft, AdrNumber, ReviewOutcome, ReviewRecord, Scope, SnapshotDiff, seed_adr};
use domain::{Context, NaiveDate, Tier};

/// Who Switchyard's own ADRs are by, in the register and the audit log.
const REFERENCE: &str = "reference data";
const DEMO: &str = "demo data";

/// Records the seed ADR as ADR-0001, accepted today, with the seed's weights, scores, per-tier
/// calls and consequences and the current fleet as its scope, when no ADR was ever recorded.
/// Idempotent, and safe when several servers start at once (they queue on the counter).
pub async fn seed_first(pool: &PgPool) -> Result<bool, AppError> {
    let mut tx = pool.begin().await?;
    if store::lock_counter(&mut tx).await? > 0 {
        return Ok(false);
    }
    let reference = domain::reference::reference().map_err(|e| {
        tracing::error!(error = %e, "the bundled reference data does not parse");
        AppError::Internal
    })?;
    // The seed's own scores and profiles; the fleet as it is today, recommended on the stored model.
    let stored = db::load_model(pool).await?;
    let fleet = decision_context(pool, &stored, &Scope::whole_fleet(), None).await?.fleet;
    let mut adr = seed_adr(&reference.model(), &reference.profiles, fleet, today())?;
    adr.number = store::next_number(&mut tx).await?;
    store::insert(&mut tx, &adr, REFERENCE).await?;
    let after = serde_json::json!({
        "number": adr.number, "title": adr.draft.title, "status": adr.status, "chosen": adr.draft.chosen,
        "date": adr.date, "review_by": adr.review_by, "snapshot_sha256": adr.snapshot_sha256,
    });
    audit::record_as(&mut tx, None, REFERENCE, "adr", adr.number.0, "create", None, Some(after)).await?;
    tx.commit().await?;
    Ok(true)
}

/// The demo's ADRs, by title; each is added once.
pub const DEMO_TITLES: [&str; 5] = [
    "Calico for brownfield plant clusters",
    "Cilium with WireGuard for regional clusters",
    "Cilium for the cloud aggregators",
    "Calico on every cell controller",
    "Calico for cell controllers, minimal Cilium as the option",
];

/// One demo decision: what, where, with which profile's weights.
struct Demo {
    title: &'static str,
    chosen: &'static str,
    profile: &'static str,
    tier: Tier,
    contexts: &'static [Context],
    because: &'static str,
}

fn demos() -> [Demo; 5] {
    [
        Demo {
            title: DEMO_TITLES[0],
            chosen: "calico",
            profile: "Plant brownfield",
            tier: Tier::Plant,
            contexts: &[Context::Brownfield],
            because: "the plant network teams run the BGP fabric, and Calico peers with it natively",
        },
        Demo {
            title: DEMO_TITLES[1],
            chosen: "cilium",
            profile: "Regional cluster",
            tier: Tier::Regional,
            contexts: &[],
            because: "ClusterMesh and WireGuard cover the WAN links between the regions",
        },
        Demo {
            title: DEMO_TITLES[2],
            chosen: "cilium",
            profile: "Cloud aggregator",
            tier: Tier::Cloud,
            contexts: &[],
            because: "Hubble and identity-aware policy pay off most where every plant's data arrives",
        },
        Demo {
            title: DEMO_TITLES[3],
            chosen: "calico",
            profile: "Cell controller",
            tier: Tier::Cell,
            contexts: &[],
            because: "cell controllers are small boxes, and the lighter agent leaves room for the vision pipeline",
        },
        Demo {
            title: DEMO_TITLES[4],
            chosen: "calico",
            profile: "Cell controller",
            tier: Tier::Cell,
            contexts: &[],
            because: "footprint and simplicity still dominate at the cell, with a minimal Cilium build where flow \
                      visibility is required",
        },
    ]
}

fn months_ago(today: NaiveDate, months: u32) -> NaiveDate {
    today.checked_sub_months(Months::new(months)).unwrap_or(today)
}

/// A demo ADR accepted on `accepted`, proposed and frozen on today's model and fleet.
async fn demo_adr(pool: &PgPool, model: &domain::Model, d: &Demo, accepted: NaiveDate) -> Result<Adr, AppError> {
    let mut draft = AdrDraft::new(d.title, d.chosen);
    draft.scope = Scope { tiers: vec![d.tier], contexts: d.contexts.to_vec(), clusters: Vec::new() };
    draft.decision_makers = vec!["Platform architecture team".into()];
    draft.consulted = vec!["Plant network teams".into()];
    draft.informed = vec!["Plant managers".into()];
    draft.justification = d.because.into();
    draft.context = format!(
        "Demo data: which CNI should the {} clusters run? Loaded by the demo loader to show the annual review.",
        draft.scope.describe()
    );
    let ctx = decision_context(pool, model, &draft.scope, None).await?;
    let profile_id = ctx.profiles.iter().find(|p| p.name == d.profile).map(|p| p.id);
    let mut input = AdrInput::new(draft.clone());
    input.profile_id = profile_id;
    input.tier = Some(d.tier);
    let basis = build::basis_of(&input, &ctx, model)?;
    let snapshot = build::freeze(pool, model, &basis, ctx).await?;
    let mut adr = Adr::propose(AdrNumber::FIRST, draft, snapshot, accepted, model)?;
    adr.accept(accepted)?;
    Ok(adr)
}

async fn insert_demo(tx: &mut Transaction<'_, Postgres>, adr: &mut Adr) -> Result<(), AppError> {
    adr.number = store::next_number(tx).await?;
    store::insert(tx, adr, DEMO).await?;
    let after = serde_json::json!({
        "number": adr.number, "title": adr.draft.title, "status": adr.status, "date": adr.date,
        "review_by": adr.review_by, "supersedes": adr.supersedes, "snapshot_sha256": adr.snapshot_sha256,
    });
    audit::record_as(tx, None, DEMO, "adr", adr.number.0, "create", None, Some(after)).await
}

/// Adds the demo ADRs that are missing, relative to today: one overdue (accepted 13 months
/// ago), one due within 30 days, one reaffirmed eight months ago (with its stored review), and
/// one superseded six months ago by its successor (linked both ways, with the supersede review).
/// Returns how many were added; running it again adds none.
pub async fn load_demo(pool: &PgPool) -> Result<usize, AppError> {
    let model = db::load_model(pool).await?;
    let today = today();
    let [overdue, due_soon, reaffirmed, old_cells, new_cells] = demos();
    let mut tx = pool.begin().await?;
    store::lock_counter(&mut tx).await?;
    let mut added = 0;
    let soon = today.checked_add_days(Days::new(20)).unwrap_or(today);
    for (d, accepted) in [(&overdue, months_ago(today, 13)), (&due_soon, months_ago(soon, 12))] {
        if !store::title_taken(&mut tx, d.title).await? {
            let mut adr = demo_adr(pool, &model, d, accepted).await?;
            insert_demo(&mut tx, &mut adr).await?;
            added += 1;
        }
    }
    if !store::title_taken(&mut tx, reaffirmed.title).await? {
        let mut adr = demo_adr(pool, &model, &reaffirmed, months_ago(today, 20)).await?;
        let reviewed = months_ago(today, 8);
        let next = adr.reaffirm(reviewed)?;
        insert_demo(&mut tx, &mut adr).await?;
        let review = ReviewRecord {
            date: reviewed,
            reviewer: "Platform architecture team".into(),
            outcome: ReviewOutcome::Reaffirm,
            note: "Cilium still leads for the cloud tier; nothing in the fleet or the releases argues otherwise."
                .into(),
            next_review_by: Some(next),
            superseded_by: None,
            diff: SnapshotDiff::between(&adr.snapshot, &adr.snapshot),
        };
        store::insert_review(&mut tx, adr.number, &review, None).await?;
        added += 1;
    }
    if !store::title_taken(&mut tx, old_cells.title).await? {
        let mut old = demo_adr(pool, &model, &old_cells, months_ago(today, 30)).await?;
        insert_demo(&mut tx, &mut old).await?;
        let replaced_on = months_ago(today, 6);
        let mut new = demo_adr(pool, &model, &new_cells, replaced_on).await?;
        new.supersedes = Some(old.number);
        insert_demo(&mut tx, &mut new).await?;
        let before = old.clone();
        old.supersede(new.number)?;
        store::write_state(&mut tx, &old, 1, DEMO).await?;
        let after = serde_json::json!({"status": old.status, "superseded_by": new.number});
        let before = serde_json::json!({"status": before.status, "review_by": before.review_by});
        audit::record_as(&mut tx, None, DEMO, "adr", old.number.0, "supersede", Some(before), Some(after)).await?;
        let review = ReviewRecord {
            date: replaced_on,
            reviewer: "Platform architecture team".into(),
            outcome: ReviewOutcome::Supersede,
            note: "A minimal Cilium build is now an option at the cell where flow visibility is required.".into(),
            next_review_by: None,
            superseded_by: Some(new.number),
            diff: SnapshotDiff::between(&old.snapshot, &new.snapshot),
        };
        store::insert_review(&mut tx, old.number, &review, None).await?;
        added += 2;
    }
    tx.commit().await?;
    Ok(added)
}
