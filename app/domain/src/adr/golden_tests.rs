//! The MADR export checked byte for byte against golden files, and hostile titles checked by
//! parsing the front matter back. Set `SWITCHYARD_UPDATE_GOLDEN=1` to rewrite the golden files
//! after an intended change, then read the diff as a reviewer would.

#![allow(clippy::unwrap_used)]

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

use super::testing::{d, model, seed_weights, tier_profiles};
use super::*;
use crate::reference::reference;
use crate::{Context, Severity, Tier, Weights};

fn golden(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/adr/golden").join(name);
    if std::env::var_os("SWITCHYARD_UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; run with SWITCHYARD_UPDATE_GOLDEN=1 to create it", path.display()));
    if expected != actual {
        let line = expected.lines().zip(actual.lines()).position(|(a, b)| a != b).map_or(0, |n| n + 1);
        panic!(
            "{name} differs from the golden file from line {line}; run with SWITCHYARD_UPDATE_GOLDEN=1 and review the diff"
        );
    }
}

fn seed() -> Adr {
    let r = reference().unwrap();
    seed_adr(&r.model(), &r.profiles, FleetScopeSummary::default(), d(2026, 1, 15)).unwrap()
}

/// ADR-0002 as the demo might have it a year on: plant brownfield Calico, reviewed once and
/// reaffirmed, then superseded by ADR-0003 at its second review.
fn brownfield() -> (Adr, Vec<ReviewRecord>, AdrLinks) {
    let model = model();
    let profile = tier_profiles().into_iter().find(|p| p.name == "Plant brownfield").unwrap();
    let gate = |c: &str, code: &str| FiredGate { candidate: c.into(), code: code.into(), severity: Severity::Warning };
    let plant = |name: &str, gates: Vec<FiredGate>| ScopedCluster {
        name: name.into(),
        tier: Tier::Plant,
        context: Some(Context::Brownfield),
        gates,
    };
    let fleet = FleetScopeSummary {
        clusters: vec![
            plant("plant-gyor", vec![]),
            plant("plant-leipzig", vec![gate("calico", "asymmetric_underlay_dsr")]),
            plant("plant-lyon", vec![gate("cilium", "pod_cidr_tight")]),
        ],
        by_tier: BTreeMap::from([(Tier::Plant, 3)]),
        by_recommended: BTreeMap::from([("calico".into(), 3)]),
        no_recommendation: 0,
        by_decided: BTreeMap::from([("calico".into(), 2), ("cilium".into(), 1)]),
        undecided: 0,
        exceptions: vec![FleetException {
            cluster: "plant-gyor".into(),
            decided: "cilium".into(),
            recommended: Some("calico".into()),
            rationale: Some("The vision line needs Hubble flow logs for the IEC 62443 audit | see ticket #412".into()),
        }],
    };
    let mut snapshot = Snapshot::build(&model, &profile.weights, Some(Tier::Plant), fleet).unwrap();
    snapshot.profile = Some(profile.name.clone());
    let mut draft = AdrDraft::new("Calico for brownfield plant clusters", "calico");
    draft.scope = Scope { tiers: vec![Tier::Plant], contexts: vec![Context::Brownfield], clusters: vec![] };
    draft.decision_makers = vec!["Ana Silva".into(), "Plant network team: Leipzig".into()];
    draft.consulted = vec!["#ot-security".into()];
    draft.informed = vec![];
    draft.context = "The brownfield plants run an established BGP fabric owned by the plant network team.\n\
                     Their ToR switches already peer with the hosts (see https://docs.tigera.io/calico/latest/networking/configuring/bgp).\n\n\
                     - Which CNI should brownfield plant clusters run?\n\
                     # Open question: *who* owns <the> route filters | ASNs?"
        .into();
    draft.consequences_good = vec!["pod CIDRs are advertised over the existing fabric, with no overlay".into()];
    draft.consequences_bad = vec!["two CNIs to operate across the fleet".into()];
    draft.confirmation =
        "Brownfield plant clusters carry the label `context=brownfield`; the fleet map flags the rest.".into();
    let mut adr = Adr::propose(AdrNumber(2), draft, snapshot, d(2026, 2, 2), &model).unwrap();
    adr.accept(d(2026, 2, 10)).unwrap();

    // The first review: weights unchanged, one cluster joined.
    let mut now_fleet = adr.snapshot.fleet.clone();
    now_fleet.clusters.push(plant("plant-queretaro", vec![]));
    let now = Snapshot::build(&model, &profile.weights, Some(Tier::Plant), now_fleet).unwrap();
    let first = ReviewRecord {
        date: d(2027, 2, 1),
        reviewer: "Ana Silva".into(),
        outcome: ReviewOutcome::Reaffirm,
        note: "BGP is still the plant network team's language".into(),
        next_review_by: Some(adr.reaffirm(d(2027, 2, 1)).unwrap()),
        superseded_by: None,
        diff: SnapshotDiff::between(&adr.snapshot, &now),
    }
    .validated()
    .unwrap();
    // The second: Cilium's BGP caught up, a new ADR takes over.
    let mut better = model.clone();
    for s in better.scores.iter_mut().filter(|s| s.candidate == "cilium" && s.criterion == "bgp_underlay") {
        s.score = 5;
        s.rationale = "BGP Control Plane on par with Calico for our fabrics".into();
    }
    let later = Snapshot::build(&better, &profile.weights, Some(Tier::Plant), now.fleet.clone()).unwrap();
    let second = ReviewRecord {
        date: d(2028, 1, 20),
        reviewer: "Ben Okafor".into(),
        outcome: ReviewOutcome::Supersede,
        note: "Cilium now leads at brownfield plants too.".into(),
        next_review_by: None,
        superseded_by: Some(AdrNumber(3)),
        diff: SnapshotDiff::between(&adr.snapshot, &later),
    }
    .validated()
    .unwrap();
    adr.supersede(AdrNumber(3)).unwrap();
    let links = AdrLinks::from([(AdrNumber(3), "Cilium for every plant cluster".to_string())]);
    (adr, vec![first, second], links)
}

#[test]
fn adr_0001_renders_exactly_as_its_golden_file() {
    let md = render_madr(&seed(), &[], &AdrLinks::new());
    assert!(md.contains("| 4.20 | 3.60 |"), "the scoring table shows Cilium 4.20 and Calico 3.60");
    golden("adr-0001.md", &md);
}

#[test]
fn a_reviewed_and_superseded_adr_renders_exactly_as_its_golden_file() {
    let (adr, reviews, links) = brownfield();
    let md = render_madr(&adr, &reviews, &links);
    assert!(
        md.contains("Superseded by [ADR-0003: Cilium for every plant cluster](0003-cilium-for-every-plant-cluster.md)")
    );
    golden("adr-0002.md", &md);
}

#[test]
fn the_index_renders_exactly_as_its_golden_file() {
    let (adr, _, _) = brownfield();
    let mut pipe = seed();
    pipe.number = AdrNumber(4);
    pipe.draft.title = "Pipes | in | titles".into();
    let md = render_index(&[adr, seed(), pipe]);
    assert!(md.contains("| [ADR-0004](0004-pipes-in-titles.md) | Pipes \\| in \\| titles |"));
    golden("README.md", &md);
}

#[test]
fn the_same_record_renders_the_same_bytes_also_after_a_round_trip_through_json() {
    let (adr, reviews, links) = brownfield();
    let first = render_madr(&adr, &reviews, &links);
    let stored: Adr = serde_json::from_str(&serde_json::to_string(&adr).unwrap()).unwrap();
    let reviews_stored: Vec<ReviewRecord> = serde_json::from_str(&serde_json::to_string(&reviews).unwrap()).unwrap();
    assert_eq!(render_madr(&stored, &reviews_stored, &links), first);
    assert!(stored.snapshot_intact());
}

#[derive(Debug, Deserialize)]
struct FrontMatter {
    number: u32,
    title: String,
    status: String,
    date: String,
    #[serde(rename = "decision-makers")]
    decision_makers: Vec<String>,
    consulted: Vec<String>,
    informed: Vec<String>,
    #[serde(rename = "review-by")]
    review_by: Option<String>,
}

/// The front matter as the `adrs` CLI finds it (the text between the first two `---\n`), parsed.
fn front_matter(md: &str) -> FrontMatter {
    let parts: Vec<&str> = md.splitn(3, "---\n").collect();
    assert_eq!(parts[0], "", "the file starts with the front matter");
    let yaml = parts[1];
    assert!(parts[2].starts_with("\n<!-- markdownlint-disable-next-line MD025 -->\n# "), "{}", parts[2]);
    serde_saphyr::from_str(yaml).unwrap_or_else(|e| panic!("front matter does not parse: {e}\n{yaml}"))
}

const HOSTILE_TITLES: [&str; 24] = [
    "---",
    "x ---",
    "# Not a heading",
    "Use `rm -rf` carefully",
    "Calico | Cilium",
    "Decision: Calico",
    "key: value # comment",
    "\"Quoted\" title",
    "'Single' quoted",
    "- a list item",
    "[flow, sequence]",
    "{flow: map}",
    "&anchor and *alias",
    "!tag title",
    "%YAML directive",
    "@at sign",
    "yes",
    "null",
    "0x1F",
    "2026-01-15",
    "Ünïcode / ADR",
    "<script>alert(1)</script>",
    "Trailing backslash \\",
    "Line separator \u{2028} inside",
];

#[test]
fn hostile_titles_keep_the_front_matter_and_the_headings_intact() {
    let base = seed();
    for title in HOSTILE_TITLES.iter().copied().chain(["two\nlines", "tab\tinside", &"long ".repeat(50)]) {
        let mut adr = base.clone();
        adr.draft.title = title.to_string();
        adr.draft.decision_makers = vec![title.to_string()];
        let md = render_madr(&adr, &[], &AdrLinks::new());
        let fm = front_matter(&md);
        assert_eq!(fm.title, title, "title survives the front matter");
        assert_eq!(fm.decision_makers, [title]);
        assert_eq!((fm.number, fm.status.as_str(), fm.date.as_str()), (1, "accepted", "2026-01-15"));
        assert_eq!((fm.consulted.len(), fm.informed.len(), fm.review_by.as_deref()), (2, 1, Some("2027-01-15")));
        let body = md.splitn(3, "---\n").nth(2).unwrap();
        let h1: Vec<&str> = body.lines().filter(|l| l.starts_with("# ")).collect();
        assert_eq!(h1.len(), 1, "{title:?}: one top heading in\n{body}");
        let h2: Vec<&str> = body.lines().filter(|l| l.starts_with("## ")).collect();
        assert_eq!(
            h2,
            [
                "## Context and Problem Statement",
                "## Decision Drivers",
                "## Considered Options",
                "## Decision Outcome",
                "## Pros and Cons of the Options",
                "## More Information"
            ],
            "{title:?}"
        );
        assert!(!h1[0].contains('\n') && !h1[0][2..].contains(" #"), "{title:?} → {}", h1[0]);
    }
}

#[test]
fn hostile_titles_that_cannot_be_a_heading_are_refused_with_a_clear_message() {
    let m = model();
    let refused = |title: &str| AdrDraft::new(title, "cilium").validated(&m).unwrap_err().fields["title"].clone();
    assert!(refused("two\nlines").contains("a title is one line"));
    assert!(refused("tab\tinside").contains("control character U+0009"));
    assert!(refused(&"x".repeat(201)).contains("keep it to 200"));
    assert!(refused("Line separator \u{2028} inside").contains("a title is one line"));
    assert!(refused("Decision:").contains("leave out the final punctuation"));
    // Everything else is data: accepted, and written so that it stays data.
    for title in HOSTILE_TITLES.iter().filter(|t| !t.contains('\u{2028}')) {
        AdrDraft::new(*title, "cilium").validated(&m).unwrap_or_else(|e| panic!("{title:?}: {e}"));
    }
}

#[test]
fn the_seed_weights_are_the_default_profile() {
    let r = reference().unwrap();
    let w = Weights::from_percent_map(&r.model(), &r.profiles[0].weights).unwrap();
    assert_eq!(w, seed_weights());
    assert_eq!(seed().snapshot.weights(), w);
}
