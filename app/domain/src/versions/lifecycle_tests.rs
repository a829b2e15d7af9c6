#![allow(clippy::unwrap_used)]

use super::*;
use crate::versions::version_catalog;

use crate::versions::testing::{date, v};

fn kernel(s: &str) -> Kernel {
    Kernel::parse(s).unwrap()
}

/// A Cilium cluster pinned to `pin`, seen running it on `observed_at`.
fn pinned(pin: &str, observed_at: &str) -> LifecycleInput {
    LifecycleInput {
        decided_cni: Some("cilium".into()),
        pinned: Some(v(pin)),
        kernel: Some(kernel("6.8.0-1012-aws")),
        observation: Some(Observation {
            cni: "cilium".into(),
            version: v(pin),
            kernel: None,
            observed_at: date(observed_at),
        }),
    }
}

fn codes(l: &Lifecycle) -> Vec<FindingCode> {
    l.findings.iter().map(|f| f.code).collect()
}

fn message(l: &Lifecycle, code: FindingCode) -> &str {
    &l.findings.iter().find(|f| f.code == code).unwrap().message
}

#[test]
fn the_day_before_end_of_life_is_eol_soon_and_the_day_itself_is_eol() {
    let c = version_catalog().unwrap();
    let before = lifecycle(&pinned("1.14.19", "2025-02-01"), &c, date("2025-02-03"));
    assert_eq!(before.status, LifecycleStatus::EolSoon);
    assert!(message(&before, FindingCode::EolSoon).contains("in 1 day:"), "{before:?}");
    let on = lifecycle(&pinned("1.14.19", "2025-02-01"), &c, date("2025-02-04"));
    assert_eq!(on.status, LifecycleStatus::Eol);
    assert_eq!(on.eol_date, Some(date("2025-02-04")));
    assert_eq!(
        message(&on, FindingCode::Eol),
        "Cilium 1.14 reached end of life on 2025-02-04: plan the upgrade to 1.17.0, one minor at a time, \
         through the plant pilot first"
    );
    let after = lifecycle(&pinned("1.14.19", "2025-02-01"), &c, date("2025-02-05"));
    assert_eq!(after.status, LifecycleStatus::Eol);
}

#[test]
fn ninety_days_ahead_is_eol_soon_and_ninety_one_is_not() {
    let c = version_catalog().unwrap();
    let edge = lifecycle(&pinned("1.14.19", "2024-11-01"), &c, date("2024-11-06"));
    assert_eq!(edge.status, LifecycleStatus::EolSoon);
    assert!(message(&edge, FindingCode::EolSoon).contains("in 90 days"));
    let outside = lifecycle(&pinned("1.14.19", "2024-11-01"), &c, date("2024-11-05"));
    assert_eq!(outside.status, LifecycleStatus::Supported);
    assert!(!codes(&outside).contains(&FindingCode::EolSoon));
}

#[test]
fn a_current_pin_on_a_fresh_observation_has_no_findings() {
    let c = version_catalog().unwrap();
    let l = lifecycle(&pinned("1.20.1", "2026-12-01"), &c, date("2026-12-03"));
    assert_eq!(l.status, LifecycleStatus::Supported);
    assert_eq!((l.patches_behind, l.minors_behind), (Some(0), Some(0)));
    assert!(l.findings.is_empty(), "{:?}", l.findings);
}

#[test]
fn patches_and_minors_behind_are_counted() {
    let c = version_catalog().unwrap();
    let l = lifecycle(&pinned("1.18.10", "2026-12-01"), &c, date("2026-12-03"));
    assert_eq!((l.patches_behind, l.minors_behind), (Some(3), Some(2)));
    assert_eq!(codes(&l), [FindingCode::PatchesBehind, FindingCode::MinorsBehind]);
    assert!(message(&l, FindingCode::PatchesBehind).contains("3 patch releases behind 1.18.13"));
    assert_eq!(message(&l, FindingCode::MinorsBehind), "Cilium 1.18 is 2 minor releases behind 1.20");
}

#[test]
fn an_unpinned_cluster_is_judged_by_what_it_runs() {
    let c = version_catalog().unwrap();
    let mut input = pinned("1.19.7", "2026-12-01");
    input.pinned = None;
    let l = lifecycle(&input, &c, date("2026-12-03"));
    assert_eq!(l.version, Some(v("1.19.7")));
    assert_eq!(codes(&l), [FindingCode::Unpinned, FindingCode::MinorsBehind]);
    assert!(message(&l, FindingCode::Unpinned).contains("seen running 1.19.7"));
    assert!(message(&l, FindingCode::Unpinned).contains("e.g. 1.20.1"));
}

#[test]
fn drift_is_the_observed_release_differing_from_the_pin() {
    let c = version_catalog().unwrap();
    let mut input = pinned("1.20.1", "2026-12-01");
    input.observation.as_mut().unwrap().version = v("1.19.7");
    let l = lifecycle(&input, &c, date("2026-12-03"));
    assert_eq!(codes(&l), [FindingCode::Drift]);
    assert_eq!(
        message(&l, FindingCode::Drift),
        "The cluster runs Cilium 1.19.7 but 1.20.1 is pinned: roll out the pinned release again, or change the pin"
    );
    input.pinned = Some(v("1.19"));
    let l = lifecycle(&input, &c, date("2026-12-03"));
    assert!(!codes(&l).contains(&FindingCode::Drift), "a minor pin accepts its patches");
}

#[test]
fn cni_drift_is_the_observed_cni_differing_from_the_decision() {
    let c = version_catalog().unwrap();
    let mut input = pinned("1.20.1", "2026-12-01");
    let o = input.observation.as_mut().unwrap();
    o.cni = "calico".into();
    o.version = v("3.32.1");
    let l = lifecycle(&input, &c, date("2026-12-03"));
    assert_eq!(codes(&l), [FindingCode::CniDrift]);
    assert!(message(&l, FindingCode::CniDrift).starts_with("The cluster runs Calico but Cilium was decided"));
}

#[test]
fn an_observation_is_stale_from_thirty_days() {
    let c = version_catalog().unwrap();
    let at = |today: &str| codes(&lifecycle(&pinned("1.20.1", "2026-11-01"), &c, date(today)));
    assert!(at("2026-11-30").is_empty(), "29 days");
    assert_eq!(at("2026-12-01"), [FindingCode::Stale], "30 days");
    assert_eq!(at("2026-12-02"), [FindingCode::Stale], "31 days");
    let l = lifecycle(&pinned("1.20.1", "2026-11-01"), &c, date("2026-12-02"));
    assert!(message(&l, FindingCode::Stale).contains("for 31 days (last on 2026-11-01)"));
}

#[test]
fn a_cluster_that_never_reported_is_stale() {
    let c = version_catalog().unwrap();
    let mut input = pinned("1.20.1", "2026-12-01");
    input.observation = None;
    let l = lifecycle(&input, &c, date("2026-12-03"));
    assert_eq!(codes(&l), [FindingCode::Stale]);
    assert!(message(&l, FindingCode::Stale).contains("never reported"));
}

#[test]
fn a_kernel_too_old_for_the_pin_is_found_preferring_the_observed_kernel() {
    let c = version_catalog().unwrap();
    let mut input = pinned("1.20.1", "2026-12-01");
    input.kernel = Some(kernel("5.4.0-150-generic"));
    let l = lifecycle(&input, &c, date("2026-12-03"));
    assert_eq!(codes(&l), [FindingCode::KernelTooOld]);
    assert_eq!(
        message(&l, FindingCode::KernelTooOld),
        "Cilium 1.20 needs kernel 5.10 (or 4.18.0-553 on RHEL 8.10) or later; the nodes run 5.4: \
         upgrade the kernel before this release"
    );
    input.observation.as_mut().unwrap().kernel = Some(kernel("6.1.0-18-amd64"));
    assert!(lifecycle(&input, &c, date("2026-12-03")).findings.is_empty(), "the observed kernel wins");
    input.observation.as_mut().unwrap().kernel = Some(kernel("4.18.0-372.el8_6.x86_64"));
    input.kernel = Some(kernel("6.1.0-18-amd64"));
    assert_eq!(codes(&lifecycle(&input, &c, date("2026-12-03"))), [FindingCode::KernelTooOld]);
}

#[test]
fn an_unknown_version_says_so_with_the_nearest_releases() {
    let c = version_catalog().unwrap();
    let l = lifecycle(&pinned("1.18.99", "2026-12-01"), &c, date("2026-12-03"));
    assert_eq!(l.status, LifecycleStatus::UnknownVersion);
    assert_eq!(codes(&l), [FindingCode::UnknownVersion]);
    assert!(message(&l, FindingCode::UnknownVersion).contains("1.18.13, 1.18.12 or 1.18.11"));
}

#[test]
fn a_minor_out_of_the_support_window_without_eol_date_is_eol() {
    let mut c = version_catalog().unwrap();
    for r in &mut c.products.get_mut("calico").unwrap().minors {
        r.eol_date = None;
    }
    let mut input = pinned("3.29.7", "2026-12-01");
    input.decided_cni = Some("calico".into());
    input.observation.as_mut().unwrap().cni = "calico".into();
    let l = lifecycle(&input, &c, date("2026-12-03"));
    assert_eq!(l.status, LifecycleStatus::Eol);
    assert!(message(&l, FindingCode::Eol).contains("supported now: 3.31, 3.32"), "{l:?}");
}

#[test]
fn the_verdict_serialises_in_snake_case() {
    let c = version_catalog().unwrap();
    let l = lifecycle(&pinned("1.17.18", "2026-10-01"), &c, date("2026-12-03"));
    let json = serde_json::to_value(&l).unwrap();
    assert_eq!(json["status"], "eol");
    assert_eq!(json["findings"][0]["code"], "eol");
    assert_eq!(json["version"], "1.17.18");
    let codes: Vec<&str> = json["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["eol", "stale", "minors_behind"]);
}

#[test]
fn only_patches_out_on_the_day_count_as_behind() {
    let c = version_catalog().unwrap();
    // 1.14.17 came out on 2024-11-19, 1.14.18 on 2024-12-16 and 1.14.19 on 2025-01-21.
    let l = lifecycle(&pinned("1.14.16", "2024-12-01"), &c, date("2024-12-01"));
    assert_eq!(l.patches_behind, Some(1));
    let l = lifecycle(&pinned("1.14.16", "2025-01-21"), &c, date("2025-01-21"));
    assert_eq!(l.patches_behind, Some(3));
    let minor = lifecycle(&pinned("1.14", "2025-01-21"), &c, date("2025-01-21"));
    assert_eq!(minor.patches_behind, Some(0), "a minor pin takes its newest patch");
}

#[test]
fn the_input_reads_from_api_json() {
    let c = version_catalog().unwrap();
    let input: LifecycleInput = serde_json::from_str(
        r#"{"decided_cni": "calico", "pinned": "v3.31.7",
            "observation": {"cni": "calico", "version": "3.31.7", "observed_at": "2026-12-01"}}"#,
    )
    .unwrap();
    let l = lifecycle(&input, &c, date("2026-12-03"));
    assert_eq!(l.status, LifecycleStatus::Supported);
    assert_eq!(codes(&l), [FindingCode::MinorsBehind]);
    assert!(serde_json::from_str::<LifecycleInput>(r#"{"pinned": "latest"}"#).is_err());
}

#[test]
fn nothing_decided_nothing_seen_is_an_unknown_version_that_never_reported() {
    let c = version_catalog().unwrap();
    let l = lifecycle(&LifecycleInput::default(), &c, date("2026-12-03"));
    assert_eq!((l.status, &l.product, l.version), (LifecycleStatus::UnknownVersion, &None, None));
    assert_eq!(codes(&l), [FindingCode::Stale]);
}

#[test]
fn a_minor_before_its_ga_is_not_judged_as_end_of_life() {
    let c = version_catalog().unwrap();
    let l = lifecycle(&pinned("1.20.0", "2026-07-01"), &c, date("2026-07-01"));
    assert_eq!(l.status, LifecycleStatus::UnknownVersion);
    assert_eq!(
        message(&l, FindingCode::UnknownVersion),
        "Cilium 1.20 is not released yet (GA on 2026-07-29): pin a released version"
    );
}
