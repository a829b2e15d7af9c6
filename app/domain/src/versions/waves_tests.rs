#![allow(clippy::unwrap_used)]

use super::*;
use crate::versions::version_catalog;

fn cluster(name: &str, tier: Tier, pinned: &str, kernel: Option<&str>) -> WaveCluster {
    WaveCluster {
        name: name.into(),
        site: "leipzig".into(),
        tier,
        pilot: false,
        production: true,
        pinned: Some(pinned.parse().unwrap()),
        kernel: kernel.map(|k| Kernel::parse(k).unwrap()),
    }
}

fn fleet() -> Vec<WaveCluster> {
    let mut pilot = cluster("plant-pilot", Tier::Plant, "1.19.7", Some("6.1.0-18-amd64"));
    pilot.production = false;
    pilot.pilot = true;
    let mut prod_pilot = cluster("plant-prod", Tier::Plant, "1.19.7", Some("6.1.0-18-amd64"));
    prod_pilot.pilot = true; // production: not a pilot
    let mut unpinned = cluster("cell-unpinned", Tier::Cell, "1.19.7", None);
    unpinned.pinned = None;
    vec![
        cluster("cell-a", Tier::Cell, "1.19.7", Some("5.15.0-113-generic")),
        cluster("cloud-eu", Tier::Cloud, "1.19.7", Some("6.8.0-1012-aws")),
        cluster("regional-de", Tier::Regional, "1.18.13", None),
        prod_pilot,
        pilot,
        cluster("cell-old-kernel", Tier::Cell, "1.18.13", Some("4.18.0-372.el8_6.x86_64")),
        cluster("cell-current", Tier::Cell, "1.20.1", Some("5.15.0-113-generic")),
        unpinned,
    ]
}

fn today() -> NaiveDate {
    "2026-12-03".parse().unwrap()
}

fn names(w: &Wave) -> Vec<&str> {
    w.clusters.iter().map(|c| c.name.as_str()).collect()
}

#[test]
fn waves_go_pilot_plants_regional_and_cloud_then_cells() {
    let c = version_catalog().unwrap();
    let plan = plan_waves(&fleet(), "cilium", None, None, &c, today()).unwrap();
    assert_eq!(plan.target.to_string(), "1.20.1");
    let kinds: Vec<(u32, WaveKind, u32)> = plan.waves.iter().map(|w| (w.number, w.kind, w.start_day)).collect();
    assert_eq!(
        kinds,
        [
            (0, WaveKind::Pilot, 0),
            (1, WaveKind::Plants, 7),
            (2, WaveKind::RegionalAndCloud, 14),
            (3, WaveKind::Cells, 21)
        ]
    );
    assert_eq!(names(&plan.waves[0]), ["plant-pilot"]);
    assert_eq!(names(&plan.waves[1]), ["plant-prod"], "a production plant cluster is no pilot");
    assert_eq!(names(&plan.waves[2]), ["cloud-eu", "regional-de"]);
    assert_eq!(names(&plan.waves[3]), ["cell-a"]);
    assert_eq!(plan.waves[2].clusters[1].steps.len(), 2, "1.18 → 1.19 → 1.20");
    assert!(!plan.waves[2].clusters[1].kernel_checked);
    assert_eq!(plan.up_to_date.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["cell-current"]);
}

#[test]
fn clusters_with_a_kernel_too_old_or_no_pin_are_blocked_with_the_reason() {
    let c = version_catalog().unwrap();
    let plan = plan_waves(&fleet(), "cilium", None, Some(3), &c, today()).unwrap();
    let blocked: Vec<(&str, &str)> = plan.blocked.iter().map(|b| (b.name.as_str(), b.reason.as_str())).collect();
    assert_eq!(blocked.len(), 2);
    assert_eq!(blocked[0].0, "cell-old-kernel");
    assert_eq!(
        blocked[0].1,
        "kernel 4.18 is too old for Cilium 1.19.7 (needs 5.10 (or 4.18.0-553 on RHEL 8.10)): upgrade the kernel first"
    );
    assert_eq!(blocked[1].0, "cell-unpinned");
    assert!(blocked[1].1.contains("no Cilium version is pinned"));
    assert_eq!(plan.waves[3].start_day, 9, "three soak days");
}

#[test]
fn a_bad_target_is_refused_before_planning() {
    let c = version_catalog().unwrap();
    let err = plan_waves(&fleet(), "cilium", Some("1.18.99".parse().unwrap()), None, &c, today()).unwrap_err();
    assert!(matches!(err, UpgradeError::UnknownTarget(_)));
    let plan = plan_waves(&fleet(), "cilium", Some("1.19".parse().unwrap()), None, &c, today()).unwrap();
    assert!(plan.blocked.iter().any(|b| b.name == "cell-current" && b.reason.contains("older than 1.20.1")));
}

#[test]
fn the_csv_quotes_per_rfc_4180_and_the_markdown_escapes_pipes() {
    let c = version_catalog().unwrap();
    let mut clusters = fleet();
    clusters[0].name = "cell \"a\", line|1\nB".into();
    let plan = plan_waves(&clusters, "cilium", None, None, &c, today()).unwrap();
    let csv = plan.to_csv();
    assert!(csv.starts_with("wave,wave_name,start_day,cluster,site,tier,from,steps,status\r\n"));
    assert!(csv.contains("3,cells,21,\"cell \"\"a\"\", line|1\nB\",leipzig,cell,1.19.7,1.20.1,planned\r\n"), "{csv}");
    assert!(
        csv.contains(",regional-de,leipzig,regional,1.18.13,1.19.7 → 1.20.1,planned (kernel unknown)\r\n"),
        "{csv}"
    );
    assert!(csv.contains(",,,cell-current,leipzig,cell,1.20.1,,up to date\r\n"), "{csv}");
    let md = plan.to_markdown();
    assert!(md.starts_with("# Cilium 1.20.1 rollout\n"));
    assert!(md.contains("## Wave 0: pilot (day 0)"));
    assert!(md.contains("| cell \"a\", line\\|1 B | leipzig | cell | 1.19.7 | 1.20.1 |\n"), "{md}");
    assert!(md.contains("## Blocked"));
}

#[test]
fn without_a_pilot_the_plants_go_first_and_the_markdown_says_so() {
    let c = version_catalog().unwrap();
    let clusters: Vec<WaveCluster> = fleet().into_iter().filter(|x| x.name != "plant-pilot").collect();
    let plan = plan_waves(&clusters, "cilium", None, None, &c, today()).unwrap();
    assert_eq!((plan.waves[0].kind, plan.waves[0].start_day), (WaveKind::Plants, 0));
    assert!(plan.to_markdown().contains("No pilot wave"));
    let with_pilot = plan_waves(&fleet(), "cilium", None, None, &c, today()).unwrap();
    assert!(!with_pilot.to_markdown().contains("No pilot wave"));
}

#[test]
fn a_site_named_like_a_formula_is_defused_in_the_csv() {
    let mut c = cluster("plant-x", Tier::Plant, "1.19.7", None);
    c.site = "=HYPERLINK(\"http://x\")".into();
    let catalog = version_catalog().unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    let plan = plan_waves(&[c], "cilium", "1.20.1".parse().ok(), None, &catalog, today).unwrap();
    let csv = plan.to_csv();
    assert!(csv.contains(",\"'=HYPERLINK(\"\"http://x\"\")\","), "{csv}");
}
