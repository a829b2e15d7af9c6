//! ADR-0001, the seed ADR itself as the first record: "Cilium by default, Calico for brownfield
//! plants and cells", accepted, with the seed's weights, scores, per-tier calls and consequences.

use chrono::NaiveDate;

use super::{Adr, AdrDraft, AdrNumber, FleetScopeSummary, Scope, Snapshot, TierProfile};
use crate::reference::{ProfileSeed, Reference};
use crate::{Model, ValidationError, Weights, format_points};

/// The seed ADR's title.
pub const SEED_TITLE: &str = "Cilium by default, Calico for brownfield plants and cells";

/// The profiles of `profiles` that have a tier, with their weights parsed against `model`.
pub fn tier_profiles(model: &Model, profiles: &[ProfileSeed]) -> Result<Vec<TierProfile>, ValidationError> {
    profiles
        .iter()
        .filter_map(|p| p.tier.map(|tier| (p, tier)))
        .map(|(p, tier)| {
            Ok(TierProfile {
                name: p.name.clone(),
                tier,
                context: p.context,
                weights: Weights::from_percent_map(model, &p.weights)?,
            })
        })
        .collect()
}

/// The tier profiles of the bundled reference data.
pub fn tier_profiles_from(reference: &Reference) -> Result<Vec<TierProfile>, ValidationError> {
    tier_profiles(&reference.model(), &reference.profiles)
}

/// ADR-0001 as first start records it: the default profile of `profiles` (the first without a
/// tier) as its weights, every tier profile in the per-tier outcomes, the `fleet` in scope
/// (the whole fleet), accepted on `date`, next review twelve months later.
pub fn seed_adr(
    model: &Model,
    profiles: &[ProfileSeed],
    fleet: FleetScopeSummary,
    date: NaiveDate,
) -> Result<Adr, ValidationError> {
    let default = profiles.iter().find(|p| p.tier.is_none()).ok_or_else(|| {
        ValidationError::field("profiles", "no default profile (one without a tier) to take the seed's weights from")
    })?;
    let weights = Weights::from_percent_map(model, &default.weights)?;
    let mut snapshot =
        Snapshot::build(model, &weights, None, fleet)?.with_tier_profiles(model, &tier_profiles(model, profiles)?)?;
    snapshot.profile = Some(default.name.clone());
    let draft = seed_draft(&snapshot);
    let mut adr = Adr::propose(AdrNumber::FIRST, draft, snapshot, date, model)?;
    adr.accept(date)?;
    Ok(adr)
}

fn seed_draft(snapshot: &Snapshot) -> AdrDraft {
    let total = |key: &str| snapshot.option(key).map_or_else(|| "–".to_string(), |o| format_points(o.total));
    let lines = |items: &[&str]| items.iter().map(|s| (*s).to_string()).collect::<Vec<_>>();
    AdrDraft {
        title: SEED_TITLE.into(),
        scope: Scope::whole_fleet(),
        chosen: "cilium".into(),
        decision_makers: lines(&["Platform architecture team"]),
        consulted: lines(&["Plant network teams", "Site engineers"]),
        informed: lines(&["Plant managers"]),
        context: [
            "Choosing a CNI for a single SaaS cluster is mostly a tooling preference. Here the same control \
             plane reaches from cell controllers on a noisy plant floor through plant and regional clusters \
             into a cloud aggregator, so the choice is an architecture decision whose consequences last for \
             years: get it wrong and the next eighteen months go to fighting MTU on overlays, BGP with the \
             network team, or an open-source licence change.",
            "Three things change the calculus in industrial Kubernetes. The OT/IT boundary: the plant network \
             team owns the underlay and speaks BGP, MPLS and VLAN, and native routing is a far easier \
             conversation than an overlay everywhere. The edge footprint: cell controllers are four-core, \
             eight-gigabyte boxes that already run a vision pipeline, on 5.10 or 5.15 LTS kernels. Regulation: \
             NIS2, IEC 62443 and zero-trust postures expect an answer to who talked to whom, when, and over \
             what protocol.",
            "Which CNI should each tier of the fleet run, from the cell to the cloud? This record carries \
             forward the seed ADR, \"Cilium vs Calico for Industrial Kubernetes Networking — ADR (2026)\".",
        ]
        .join("\n\n"),
        drivers: AdrDraft::drivers_from(snapshot),
        justification: format!(
            "it leads the weighted score, {} against {} for Calico, but not by a landslide: the margin is small \
             enough that the right answer is a default per tier, not one CNI for the whole fleet",
            total("cilium"),
            total("calico")
        ),
        decision_details: lines(&[
            "Cloud and regional tier: Cilium. ClusterMesh, Hubble, Tetragon and identity pay off most where \
             observability and multi-cluster matter.",
            "Plant tier, greenfield: Cilium, for the same reasons, with WireGuard scoped to WAN-facing nodes.",
            "Plant tier, brownfield: Calico. Where the plant network team already speaks BGP and the fabric is \
             a given, Calico saves months of cross-team negotiation.",
            "Cell controller tier: Calico by default, with a minimal Cilium build as the option. Footprint and \
             operational simplicity dominate at this scale.",
            "GitOps lays down the CNI from the tier and brownfield labels of each cluster registration, with no \
             further argument needed.",
        ]),
        consequences_good: lines(&[
            "unified identity across clusters simplifies zero-trust enforcement: a pod label such as \
             tier=historian carries the same meaning from cell to cloud",
            "Hubble gives flow visibility out of the box, so “who talked to what” is a query, not a forensic \
             exercise, and incident response gets faster",
            "ClusterMesh provides multi-cluster services without a sidecar mesh, covering most of what teams \
             reach for Istio to do at a fraction of the operational cost",
            "eBPF becomes a substrate for other capabilities: runtime security via Tetragon, observability via \
             Pixie or Cilium-native exporters, traffic engineering down the road",
        ]),
        consequences_bad: lines(&[
            "some Cilium features need 5.15 or 6.x kernels: confirm that the edge OS vendor supports the \
             version you depend on before committing",
            "engineers who debug networking with iptables need to learn cilium monitor, cilium bpf and hubble \
             observe: allow time for the learning curve",
            "of the Cisco overhang: if Cilium's commercial direction changes meaningfully, a documented exit is \
             needed, and Calico is that exit path",
            "Cilium's BGP is competent but not yet on par with Calico's, so BGP-first plant network teams meet \
             real friction; Calico is the kinder choice for those clusters",
        ]),
        confirmation: [
            "GitOps pipelines pick each cluster's Helm values from its tier and brownfield labels, and \
             Switchyard's fleet map shows every cluster whose decided CNI differs from its recommendation as an \
             exception that needs a written rationale.",
            "Hubble runs in observe-only mode for a week per tier before any CiliumNetworkPolicy is written; CNI \
             versions are pinned, images mirrored on-prem and upgrades staged through a pilot plant cluster. \
             The decision is revisited every twelve months, because CNI maturity moves fast.",
        ]
        .join("\n\n"),
        review_interval_months: 12,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::adr::AdrStatus;
    use crate::adr::testing::d;
    use crate::reference::reference;

    #[test]
    fn the_seed_adr_is_adr_0001_accepted_with_cilium_4_20_and_calico_3_60() {
        let r = reference().unwrap();
        let adr = seed_adr(&r.model(), &r.profiles, FleetScopeSummary::default(), d(2026, 1, 15)).unwrap();
        assert_eq!(adr.number.to_string(), "ADR-0001");
        assert_eq!(adr.draft.title, SEED_TITLE);
        assert_eq!(adr.status, AdrStatus::Accepted);
        assert_eq!((adr.date, adr.review_by), (Some(d(2026, 1, 15)), Some(d(2027, 1, 15))));
        assert_eq!(adr.draft.review_interval_months, 12);
        let totals: Vec<(&str, u32)> = adr.snapshot.options.iter().map(|o| (o.key.as_str(), o.total)).collect();
        assert_eq!(totals, [("cilium", 4200), ("calico", 3600)]);
        assert_eq!(adr.snapshot.profile.as_deref(), Some("Industrial ADR 2026"));
        assert!(adr.snapshot_intact());
        assert_eq!(adr.file_name(), "0001-cilium-by-default-calico-for-brownfield-plants-and-cells.md");
    }

    #[test]
    fn the_seed_adr_per_tier_profiles_reproduce_the_seed_calls() {
        let r = reference().unwrap();
        let adr = seed_adr(&r.model(), &r.profiles, FleetScopeSummary::default(), d(2026, 1, 15)).unwrap();
        let calls: Vec<(String, &str)> = adr
            .snapshot
            .per_tier
            .iter()
            .filter(|t| t.profile.is_some())
            .map(|t| {
                (
                    format!("{}{}", t.tier, t.context.map(|c| format!(" {}", c.as_str())).unwrap_or_default()),
                    t.winner.as_deref().unwrap(),
                )
            })
            .collect();
        let expected = [
            ("cell", "calico"),
            ("plant greenfield", "cilium"),
            ("plant brownfield", "calico"),
            ("regional", "cilium"),
            ("cloud", "cilium"),
        ];
        assert_eq!(calls.iter().map(|(t, w)| (t.as_str(), *w)).collect::<Vec<_>>(), expected);
    }
}
