//! The recommendation for one cluster: its profile's winner, with the tier's score overrides,
//! among the candidates its gates leave standing; and whether the decided CNI is an exception.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use super::ClusterRecord;
use crate::catalog::Catalog;
use crate::gates::knocked_out;
use crate::robustness::{Acceptability, DEFAULT_SAMPLES, SmaaOptions, smaa};
use crate::{
    Context, Gate, Model, NaiveDate, ScoreTable, Tier, ValidationError, Weights, evaluate, evaluate_gates, pod_mtu,
    points,
};

/// The weight profile a recommendation uses.
#[derive(Debug, Clone, Copy)]
pub struct ProfileChoice<'a> {
    /// Profile id.
    pub id: i64,
    /// Profile name, shown with the recommendation.
    pub name: &'a str,
    /// Its weights, aligned with the model's criteria.
    pub weights: &'a Weights,
}

/// Half-width of the weight band of a cluster's robustness, in tenths of a percent: each weight
/// of its profile may move 5 percentage points either way.
pub const ROBUSTNESS_BAND: u32 = 50;

/// Seed of a cluster's robustness draws (fixed, so a cluster's figure only moves with its inputs).
pub const ROBUSTNESS_SEED: u64 = 1;

/// A recommendation whose winner ranks first in fewer of the draws than this is contested.
pub const CONTESTED_BELOW: f64 = 0.70;

/// One scored candidate on one cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CandidateOutcome {
    /// Candidate key.
    pub candidate: String,
    /// Weighted total in score points (`4.2`), knocked out or not.
    pub total: f64,
    /// Rank among the candidates still standing (1 = best, ties share); `None` when knocked out.
    pub rank: Option<u32>,
    /// A gate rules it out on this cluster.
    pub knocked_out: bool,
    /// Codes of its gates, knock-outs first.
    pub gate_codes: Vec<String>,
}

/// What Switchyard recommends for a cluster, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Recommendation {
    /// Profile used.
    pub profile_id: i64,
    /// Its name.
    pub profile_name: String,
    /// The cluster's tier, whose score overrides applied.
    pub tier: Tier,
    /// The cluster's context.
    pub context: Option<Context>,
    /// Candidates standing, by rank, then the knocked-out ones by total.
    pub results: Vec<CandidateOutcome>,
    /// Strict leader among the candidates standing; `None` when all are knocked out or the top ties.
    pub winner: Option<String>,
    /// Winner's total minus the runner-up's (standing candidates only), in points.
    pub margin: f64,
    /// The margin is at least 10 % of the winner's total.
    pub clear_winner: bool,
    /// Every gate of every known candidate (including unscored ones such as Flannel).
    pub gates: Vec<Gate>,
    /// Pod MTU to configure per scored candidate with its default encapsulation (`None`: not modelled).
    pub pod_mtu: BTreeMap<String, Option<u32>>,
    /// The decided CNI, if any.
    pub decided_cni: Option<String>,
    /// A CNI is decided and it is not the winner.
    pub exception: bool,
    /// An exception without a written rationale.
    pub exception_needs_rationale: bool,
    /// Share of draws (SMAA, each weight within ±5 percentage points of the profile's, 10,000
    /// draws) in which the winner still ranks first among the candidates standing; `None` without
    /// a winner.
    #[serde(default)]
    pub acceptability: Option<f64>,
}

impl Recommendation {
    /// The winner's acceptability is under [`CONTESTED_BELOW`], or there is no winner.
    pub fn contested(&self) -> bool {
        self.acceptability.is_none_or(|a| a < CONTESTED_BELOW)
    }

    /// The whole analysis behind [`Recommendation::acceptability`]: every standing candidate's
    /// rank acceptability with `weights` (its profile's) on `model`'s scores for its tier.
    /// `None` when no candidate stands.
    pub fn robustness(&self, model: &Model, weights: &Weights) -> Option<Acceptability> {
        let standing = only(&model.score_table(Some(self.tier)), |c| {
            self.results.iter().any(|o| o.candidate == c && !o.knocked_out)
        });
        if standing.candidates.is_empty() {
            return None;
        }
        cluster_smaa(&standing, weights)
    }
}

/// The winner with `weights` on `table` once the `knocked_out` candidates are left out: what a
/// cluster would be recommended if these weights replaced its profile (the fleet what-if).
pub fn winner_without(table: &ScoreTable, knocked_out: &[String], weights: &Weights) -> Option<String> {
    evaluate(&only(table, |c| !knocked_out.iter().any(|k| k == c)), weights).winner
}

/// The rows of `table` whose candidate `keep` keeps.
fn only(table: &ScoreTable, keep: impl Fn(&str) -> bool) -> ScoreTable {
    let (candidates, rows) =
        table.candidates.iter().zip(&table.rows).filter(|(c, _)| keep(c)).map(|(c, r)| (c.clone(), r.clone())).unzip();
    ScoreTable { candidates, rows }
}

/// Scores the cluster with `profile` and the tier's overrides, applies its gates with the
/// `catalog` as of `today`, and ranks the candidates the gates leave standing the way
/// [`evaluate`] does. Errors when the cluster's facts are invalid or the weights do not match the
/// model's criteria. For many clusters, [`Recommender`] builds the score tables once.
pub fn recommend(
    model: &Model,
    profile: ProfileChoice<'_>,
    cluster: &ClusterRecord,
    catalog: &Catalog,
    today: NaiveDate,
) -> Result<Recommendation, ValidationError> {
    let table = model.score_table(Some(cluster.facts.tier));
    recommend_on(&table, model.criteria.len(), profile, cluster, catalog, today, &mut |standing, w, winner| {
        winner_acceptability(standing, w, winner)
    })
}

/// A cluster's robustness analysis: [`DEFAULT_SAMPLES`] draws within [`ROBUSTNESS_BAND`] of
/// `weights` on the candidates standing (`table`).
fn cluster_smaa(table: &ScoreTable, weights: &Weights) -> Option<Acceptability> {
    smaa(table, &SmaaOptions::around(weights, ROBUSTNESS_BAND, DEFAULT_SAMPLES, ROBUSTNESS_SEED)).ok()
}

/// Share of draws around `weights` in which `winner` ranks first on `table`.
fn winner_acceptability(table: &ScoreTable, weights: &Weights, winner: &str) -> Option<f64> {
    cluster_smaa(table, weights).map(|a| a.first_rank(winner))
}

/// Clusters with the same tier (score overrides), the same candidates standing and the same
/// weights have the same acceptability: it is computed once per such group.
type GroupKey = (usize, Vec<bool>, Vec<u32>);

/// Recommendations for many clusters on one model, catalog and day (the fleet map): each tier's
/// score table is built once instead of per cluster.
#[derive(Debug)]
pub struct Recommender<'a> {
    catalog: &'a Catalog,
    today: NaiveDate,
    criteria: usize,
    /// One table per tier, in [`Tier::ALL`] order.
    tables: Vec<ScoreTable>,
    /// Acceptability by group of identical inputs.
    groups: Mutex<HashMap<GroupKey, Option<f64>>>,
}

impl<'a> Recommender<'a> {
    /// Builds the score table of every tier.
    pub fn new(model: &Model, catalog: &'a Catalog, today: NaiveDate) -> Self {
        let tables = Tier::ALL.iter().map(|&t| model.score_table(Some(t))).collect();
        Self { catalog, today, criteria: model.criteria.len(), tables, groups: Mutex::default() }
    }

    /// Groups of identical robustness inputs analysed so far (benchmarks and tests).
    pub fn groups(&self) -> usize {
        self.groups.lock().map(|g| g.len()).unwrap_or(0)
    }

    /// Same as [`recommend`] with this recommender's model, catalog and day.
    pub fn recommend(
        &self,
        profile: ProfileChoice<'_>,
        cluster: &ClusterRecord,
    ) -> Result<Recommendation, ValidationError> {
        let i = Tier::ALL.iter().position(|&t| t == cluster.facts.tier).unwrap_or_default();
        let table = &self.tables[i];
        recommend_on(table, self.criteria, profile, cluster, self.catalog, self.today, &mut |standing, w, winner| {
            let standing_mask = table.candidates.iter().map(|c| standing.candidates.contains(c)).collect();
            let key = (i, standing_mask, w.0.clone());
            if let Some(hit) = self.groups.lock().ok().and_then(|g| g.get(&key).copied()) {
                return hit;
            }
            let a = winner_acceptability(standing, w, winner);
            if let Ok(mut g) = self.groups.lock() {
                g.insert(key, a);
            }
            a
        })
    }
}

/// The winner's acceptability among the candidates standing, as [`winner_acceptability`] or a
/// memo of it.
type AcceptabilityOf<'f> = dyn FnMut(&ScoreTable, &Weights, &str) -> Option<f64> + 'f;

fn recommend_on(
    table: &ScoreTable,
    criteria: usize,
    profile: ProfileChoice<'_>,
    cluster: &ClusterRecord,
    catalog: &Catalog,
    today: NaiveDate,
    acceptability_of: &mut AcceptabilityOf<'_>,
) -> Result<Recommendation, ValidationError> {
    if profile.weights.len() != criteria {
        return Err(ValidationError::field(
            "weights",
            format!(
                "profile '{}' has {} weights but the model has {criteria} criteria",
                profile.name,
                profile.weights.len(),
            ),
        ));
    }
    let facts = cluster.facts();
    let gates = evaluate_gates(facts, catalog, today)?;
    let all = evaluate(table, profile.weights);

    let standing = only(table, |c| !knocked_out(&gates, c));
    let ranked = evaluate(&standing, profile.weights);

    let codes = |cand: &str| -> Vec<String> {
        let mut own: Vec<&Gate> = gates.iter().filter(|g| g.candidate == cand).collect();
        own.sort_by_key(|g| g.severity);
        own.into_iter().map(|g| g.code.clone()).collect()
    };
    let mut results: Vec<CandidateOutcome> = ranked
        .results
        .iter()
        .map(|r| CandidateOutcome {
            candidate: r.candidate.clone(),
            total: points(r.total),
            rank: Some(r.rank),
            knocked_out: false,
            gate_codes: codes(&r.candidate),
        })
        .collect();
    results.extend(all.results.iter().filter(|r| knocked_out(&gates, &r.candidate)).map(|r| CandidateOutcome {
        candidate: r.candidate.clone(),
        total: points(r.total),
        rank: None,
        knocked_out: true,
        gate_codes: codes(&r.candidate),
    }));

    let pod_mtu = table.candidates.iter().map(|c| (c.clone(), pod_mtu(facts, catalog, c))).collect();
    let decided = cluster.decided_cni.clone();
    let exception = decided.is_some() && decided != ranked.winner;
    let rationale_missing = cluster.exception_rationale.as_deref().is_none_or(|r| r.trim().is_empty());
    let acceptability = ranked.winner.as_deref().and_then(|w| acceptability_of(&standing, profile.weights, w));
    Ok(Recommendation {
        profile_id: profile.id,
        profile_name: profile.name.to_string(),
        tier: cluster.facts.tier,
        context: cluster.facts.context,
        results,
        winner: ranked.winner,
        margin: points(ranked.margin),
        clear_winner: ranked.clear_winner,
        gates,
        pod_mtu,
        decided_cni: decided,
        exception,
        exception_needs_rationale: exception && rationale_missing,
        acceptability,
    })
}

/// The profile for a cluster, from `(id, tier, context)` of every profile: the override when
/// given; else the first profile with exactly this tier and context; else the first with this
/// tier and no context; else the first with no tier (the default). `None` when none applies.
pub fn pick_profile(
    profiles: &[(i64, Option<Tier>, Option<Context>)],
    tier: Tier,
    context: Option<Context>,
    override_id: Option<i64>,
) -> Option<i64> {
    if override_id.is_some() {
        return override_id;
    }
    let find = |t: Option<Tier>, c: Option<Context>| profiles.iter().find(|p| p.1 == t && p.2 == c).map(|p| p.0);
    context
        .and_then(|c| find(Some(tier), Some(c)))
        .or_else(|| find(Some(tier), None))
        .or_else(|| profiles.iter().find(|p| p.1.is_none()).map(|p| p.0))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::ClusterFacts;
    use crate::catalog::Catalog;
    use crate::catalog::catalog;
    use crate::gates::codes;
    use crate::reference::reference;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
    }

    fn profiles() -> Vec<(i64, Option<Tier>, Option<Context>)> {
        let r = reference().unwrap();
        r.profiles.iter().enumerate().map(|(i, p)| (i as i64, p.tier, p.context)).collect()
    }

    /// The recommendation with the reference profile `pick_profile` chooses.
    fn rec(c: &ClusterRecord) -> Recommendation {
        let r = reference().unwrap();
        let model = r.model();
        let id = pick_profile(&profiles(), c.facts.tier, c.facts.context, c.profile_id).unwrap();
        let p = &r.profiles[id as usize];
        let w = Weights::from_percent_map(&model, &p.weights).unwrap();
        recommend(&model, ProfileChoice { id, name: &p.name, weights: &w }, c, &catalog().unwrap(), today()).unwrap()
    }

    fn cell(kernel: &str) -> ClusterRecord {
        ClusterRecord {
            facts: ClusterFacts {
                cores_per_node: Some(4),
                memory_gib_per_node: Some(8.0),
                kernel: Some(kernel.into()),
                ..ClusterFacts::new(Tier::Cell)
            },
            decided_cni: Some("calico".into()),
            ..ClusterRecord::new("cell-a", "A", Tier::Cell)
        }
    }

    #[test]
    fn profiles_are_picked_by_override_then_tier_and_context_then_tier_then_default() {
        let p = profiles();
        // 0 default, 1 cloud, 2 regional, 3 plant greenfield, 4 plant brownfield, 5 cell
        assert_eq!(pick_profile(&p, Tier::Plant, Some(Context::Brownfield), None), Some(4));
        assert_eq!(pick_profile(&p, Tier::Plant, Some(Context::Greenfield), None), Some(3));
        assert_eq!(pick_profile(&p, Tier::Plant, None, None), Some(0), "no plant profile without context");
        assert_eq!(pick_profile(&p, Tier::Cell, Some(Context::Brownfield), None), Some(5));
        assert_eq!(pick_profile(&p, Tier::Cloud, None, Some(4)), Some(4));
        assert_eq!(pick_profile(&[(7, Some(Tier::Cell), None)], Tier::Cloud, None, None), None);
    }

    #[test]
    fn a_5_15_cell_gets_calico_with_cilium_ranked_second_and_warned() {
        let r = rec(&cell("5.15.0-113-generic"));
        assert_eq!(r.profile_name, "Cell controller");
        assert_eq!(r.winner.as_deref(), Some("calico"));
        assert!(!r.exception && !r.exception_needs_rationale);
        assert_eq!(r.results[0].candidate, "calico");
        assert_eq!(r.results[1].rank, Some(2));
        assert_eq!(r.results[1].gate_codes, [codes::SMALL_NODES]);
        assert!((r.margin - (r.results[0].total - r.results[1].total)).abs() < 1e-9);
        assert_eq!(r.pod_mtu["calico"], Some(1480));
        assert_eq!(r.pod_mtu["cilium"], Some(1450));
        assert!(r.gates.iter().any(|g| g.candidate == "flannel" && g.is_knock_out()));
    }

    #[test]
    fn a_5_4_cell_has_no_winner_and_its_calico_decision_is_an_exception() {
        let mut c = cell("5.4.0-186-generic");
        let r = rec(&c);
        assert_eq!(r.winner, None);
        assert!(r.results.iter().all(|o| o.knocked_out && o.rank.is_none()));
        assert_eq!(r.results[0].gate_codes[0], codes::KERNEL_BELOW_RELEASE_MINIMUM);
        assert_eq!((r.margin, r.clear_winner), (0.0, false));
        assert!(r.exception && r.exception_needs_rationale);
        c.exception_rationale = Some("OS upgrade in the 2027 shutdown".into());
        assert!(!rec(&c).exception_needs_rationale);
    }

    #[test]
    fn a_knocked_out_leader_leaves_the_runner_up_as_winner() {
        // A greenfield plant on RHEL 8.6: Cilium 1.20 needs RHEL 8.10, Calico accepts any RHEL 8.
        let c = ClusterRecord {
            facts: ClusterFacts {
                context: Some(Context::Greenfield),
                kernel: Some("4.18.0-372.9.1.el8.x86_64".into()),
                ..ClusterFacts::new(Tier::Plant)
            },
            ..ClusterRecord::new("plant-a", "A", Tier::Plant)
        };
        let r = rec(&c);
        assert_eq!(r.winner.as_deref(), Some("calico"));
        let cilium = r.results.iter().find(|o| o.candidate == "cilium").unwrap();
        assert!(cilium.knocked_out && cilium.rank.is_none());
        assert!(cilium.total > r.results[0].total, "knocked out although it scores higher");
        assert_eq!(r.margin, r.results[0].total, "a lone candidate's margin is its total, as in evaluate");
        assert!(r.clear_winner);
        assert!(!r.exception, "nothing decided, no exception");
    }

    #[test]
    fn a_decision_against_the_winner_is_an_exception_needing_a_rationale() {
        let mut c = ClusterRecord {
            decided_cni: Some("calico".into()),
            exception_rationale: Some("  ".into()),
            facts: ClusterFacts {
                context: Some(Context::Greenfield),
                kernel: Some("6.8.0-45-generic".into()),
                ..ClusterFacts::new(Tier::Plant)
            },
            ..ClusterRecord::new("plant-a", "A", Tier::Plant)
        };
        let r = rec(&c);
        assert_eq!(r.winner.as_deref(), Some("cilium"));
        assert!(r.exception && r.exception_needs_rationale, "blank text is no rationale");
        c.decided_cni = Some("cilium".into());
        assert!(!rec(&c).exception);
    }

    #[test]
    fn invalid_facts_and_mismatched_weights_are_errors() {
        let r = reference().unwrap();
        let model = r.model();
        let w = Weights(vec![100; 3]);
        let c = cell("5.15");
        let err = recommend(&model, ProfileChoice { id: 1, name: "x", weights: &w }, &c, &catalog().unwrap(), today());
        assert!(err.unwrap_err().fields.contains_key("weights"));
        let w = Weights(vec![0; 9]);
        let bad = cell("latest");
        let err =
            recommend(&model, ProfileChoice { id: 1, name: "x", weights: &w }, &bad, &catalog().unwrap(), today());
        assert!(err.unwrap_err().fields.contains_key("kernel"));
    }

    #[test]
    fn the_recommender_gives_what_recommend_gives() {
        let r = reference().unwrap();
        let model = r.model();
        let cat = catalog().unwrap();
        let w = Weights::from_percent_map(&model, &r.profiles[5].weights).unwrap();
        let many = Recommender::new(&model, &cat, today());
        for c in [cell("5.15"), cell("5.4"), ClusterRecord::new("cloud", "A", Tier::Cloud)] {
            let p = ProfileChoice { id: 5, name: "cell", weights: &w };
            assert_eq!(many.recommend(p, &c).unwrap(), recommend(&model, p, &c, &cat, today()).unwrap());
        }
    }

    #[test]
    fn each_recommendation_says_how_sure_its_winner_is() {
        // A lone candidate left standing wins every draw.
        let plant = ClusterRecord {
            facts: ClusterFacts {
                context: Some(Context::Greenfield),
                kernel: Some("4.18.0-372.9.1.el8.x86_64".into()),
                ..ClusterFacts::new(Tier::Plant)
            },
            ..ClusterRecord::new("plant-a", "A", Tier::Plant)
        };
        let r = rec(&plant);
        assert_eq!(r.acceptability, Some(1.0));
        assert!(!r.contested());
        // No winner: contested, with nothing to measure.
        let r = rec(&cell("5.4.0-186-generic"));
        assert_eq!(r.acceptability, None);
        assert!(r.contested());
        // A real contest: a share strictly between 0 and 1, and the same as SMAA says directly.
        let r = rec(&cell("5.15.0-113-generic"));
        let a = r.acceptability.unwrap();
        assert!(a > 0.0 && a <= 1.0, "{a}");
        let reference = reference().unwrap();
        let model = reference.model();
        let w = Weights::from_percent_map(&model, &reference.profiles[5].weights).unwrap();
        let table = model.score_table(Some(Tier::Cell));
        let direct = crate::robustness::smaa(
            &table,
            &SmaaOptions::around(&w, ROBUSTNESS_BAND, DEFAULT_SAMPLES, ROBUSTNESS_SEED),
        )
        .unwrap();
        assert_eq!(a, direct.first_rank("calico"));
        assert_eq!(r.robustness(&model, &w), Some(direct), "the page's panel shows the same analysis");
    }

    #[test]
    fn the_what_if_winner_is_the_recommendation_with_other_weights() {
        let r = reference().unwrap();
        let model = r.model();
        let table = model.score_table(Some(Tier::Cell));
        let cell_weights = Weights::from_percent_map(&model, &r.profiles[5].weights).unwrap();
        let rec = rec(&cell("5.15.0-113-generic"));
        assert_eq!(winner_without(&table, &[], &cell_weights), rec.winner, "the same weights, the same winner");
        assert_eq!(winner_without(&table, &["calico".into()], &cell_weights).as_deref(), Some("cilium"));
        assert_eq!(winner_without(&table, &["calico".into(), "cilium".into()], &cell_weights), None);
    }

    #[test]
    fn the_recommender_analyses_each_group_of_identical_inputs_once() {
        let r = reference().unwrap();
        let model = r.model();
        let cat = catalog().unwrap();
        let w = Weights::from_percent_map(&model, &r.profiles[5].weights).unwrap();
        let many = Recommender::new(&model, &cat, today());
        let p = ProfileChoice { id: 5, name: "cell", weights: &w };
        let first = many.recommend(p, &cell("5.15.0-113-generic")).unwrap();
        for i in 0..50 {
            let mut c = cell("5.15.0-113-generic");
            c.name = format!("cell-{i}");
            assert_eq!(many.recommend(p, &c).unwrap().acceptability, first.acceptability);
        }
        assert_eq!(many.groups(), 1, "fifty identical cells, one analysis");
        many.recommend(p, &ClusterRecord::new("cloud", "A", Tier::Cloud)).unwrap();
        assert_eq!(many.groups(), 2, "another tier's scores are another group");
    }

    #[test]
    fn a_recommendation_round_trips_through_json() {
        let r = rec(&cell("5.10.0-30-amd64"));
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(serde_json::from_str::<Recommendation>(&json).unwrap(), r);
    }

    /// The reference model with `kube-router` added as a scored candidate that scores 5 on every
    /// criterion, and the bundled catalog with one kube-router release and its capability entry:
    /// all of it data, no code knows the name.
    fn with_kube_router() -> (Model, Catalog) {
        let mut model = reference().unwrap().model();
        model.candidates.push(
            serde_json::from_value(serde_json::json!({
                "key": "kube-router", "name": "Kube-router", "status": "scored",
                "summary": "Routes pods over BGP with IPVS services and iptables policy.",
                "dismissed_reason": null
            }))
            .unwrap(),
        );
        for c in model.criteria.clone() {
            model.scores.push(
                serde_json::from_value(serde_json::json!({
                    "candidate": "kube-router", "criterion": c.key, "score": 5, "rationale": "test"
                }))
                .unwrap(),
            );
        }
        let mut matrix: serde_json::Value = serde_json::from_str(crate::catalog::RELEASE_MATRIX_JSON).unwrap();
        matrix["rows"].as_array_mut().unwrap().push(serde_json::json!({
            "product": "kube-router", "cycle": "2.5", "ga_date": "2025-02-01", "eol_date": null,
            "latest_patch": "2.5.0", "latest_patch_date": "2025-02-01", "min_kernel": "5.10"
        }));
        let mut caps: serde_json::Value = serde_json::from_str(crate::gates::CAPABILITIES_JSON).unwrap();
        caps["candidates"].as_array_mut().unwrap().push(serde_json::json!({
            "key": "kube-router", "name": "Kube-router", "enforces_network_policy": true,
            "mtu": {
                "encapsulations": [{"encapsulation": "ipip", "overhead": 20, "default_for": "ipv4"}],
                "overheads_add_up": false, "native_with_bgp_fabric": true,
                "setting": "kube-router --mtu={mtu}"
            },
            "ipam": {"ipv4_block_prefix": 24, "ipv6_block_prefix": 64, "blocks": "one_per_node",
                     "describe": "Kubernetes node IPAM gives each node one /{prefix}"}
        }));
        let cat =
            Catalog::from_data(&matrix.to_string(), crate::catalog::KERNEL_FEATURES_JSON, &caps.to_string()).unwrap();
        (model, cat)
    }

    #[test]
    fn a_candidate_added_as_data_only_gets_its_gates_and_can_win() {
        let (model, cat) = with_kube_router();
        let r = reference().unwrap();
        let w = Weights::from_percent_map(&model, &r.profiles[0].weights).unwrap();
        let p = ProfileChoice { id: 0, name: &r.profiles[0].name, weights: &w };
        let many = Recommender::new(&model, &cat, today());
        let plant = |kernel: &str| -> ClusterRecord {
            serde_json::from_value(serde_json::json!({
                "name": "plant-x", "site": "A", "tier": "plant", "nodes": 300, "kernel": kernel,
                "pod_cidr": "10.42.0.0/16", "underlay_mtu": 1380
            }))
            .unwrap()
        };

        let r = many.recommend(p, &plant("5.15.0-113-generic")).unwrap();
        assert_eq!(r.winner.as_deref(), Some("kube-router"), "{:#?}", r.results);
        assert_eq!(r, recommend(&model, p, &plant("5.15.0-113-generic"), &cat, today()).unwrap());
        let own: Vec<&Gate> = r.gates.iter().filter(|g| g.candidate == "kube-router").collect();
        let codes_of: Vec<&str> = own.iter().map(|g| g.code.as_str()).collect();
        assert_eq!(codes_of, [codes::POD_MTU_LOW, codes::POD_CIDR_EXHAUSTED], "{own:#?}");
        assert!(own[0].message.contains("Kube-router's default encapsulation (IP-in-IP)"), "{}", own[0].message);
        assert!(own[0].message.contains("kube-router --mtu=1360"), "{}", own[0].message);
        assert!(own[1].message.contains("holds 256 nodes and this cluster has 300"), "{}", own[1].message);
        assert_eq!(r.pod_mtu["kube-router"], Some(1360));
        let flannel = r.gates.iter().find(|g| g.code == codes::NO_NETWORK_POLICY).unwrap();
        assert!(flannel.message.contains("(Calico, Cilium or Kube-router)"), "{}", flannel.message);

        // Its release needs 5.10 with no RHEL clause: knocked out on RHEL 8.6, where Calico wins.
        let r = many.recommend(p, &plant("4.18.0-372.9.1.el8.x86_64")).unwrap();
        let ko = r.gates.iter().find(|g| g.candidate == "kube-router" && g.is_knock_out()).unwrap();
        assert_eq!(ko.code, codes::KERNEL_BELOW_RELEASE_MINIMUM);
        assert!(ko.message.contains("too old for Kube-router 2.5"), "{}", ko.message);
        assert_eq!(r.winner.as_deref(), Some("calico"));
    }
}
