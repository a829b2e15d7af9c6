//! CSV and YAML import and export: round trips, escaping, and bad rows reported all at once with
//! their line and field.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use super::*;
use crate::{BgpFabric, ClusterFacts, Context, Tier};

/// Records that exercise the edges: every optional field empty; text with commas, quotes, line
/// breaks and formula characters; dual-stack CIDRs; labels with prefixes.
fn edge_clusters() -> Vec<ClusterRecord> {
    vec![
        ClusterRecord::new("bare", "Leipzig", Tier::Cell),
        ClusterRecord {
            parent: Some("bare".into()),
            labels: BTreeMap::from([
                ("switchyard.io/owner".to_string(), "ot-team_2".to_string()),
                ("line".to_string(), "press.01".to_string()),
                ("empty".to_string(), String::new()),
            ]),
            profile_id: Some(3),
            decided_cni: Some("calico".into()),
            exception_rationale: Some("- kernel pinned by the vendor, \"certified\" image;\n- upgrade in 2027".into()),
            facts: ClusterFacts {
                context: Some(Context::Brownfield),
                distribution: r#"RKE2, "hardened" (CIS)"#.into(),
                nodes: 12,
                cores_per_node: Some(16),
                memory_gib_per_node: Some(7.5),
                kernel: Some("4.18.0-553.el8_10.x86_64".into()),
                bgp_fabric: BgpFabric::NetworkTeam,
                wan_uplink: true,
                underlay_mtu: Some(9000),
                underlay_symmetric: false,
                pod_cidr: Some("10.42.0.0/16,fd00:10:42::/56".into()),
                max_pods_per_node: Some(250),
                ..ClusterFacts::new(Tier::Plant)
            },
            ..ClusterRecord::new("plant-a", "=HYPERLINK(\"http://x\")", Tier::Plant)
        },
        ClusterRecord {
            exception_rationale: Some("'s-Hertogenbosch asked for it; +1 from ops; @here".into()),
            facts: ClusterFacts {
                kernel: Some("5.10".into()),
                distribution: "+k3s".into(),
                ..ClusterFacts::new(Tier::Cell)
            },
            ..ClusterRecord::new("cell-b", "'s-Hertogenbosch", Tier::Cell)
        },
    ]
}

fn lines_and_fields(errors: &[RowError]) -> Vec<(usize, &str)> {
    errors.iter().map(|e| (e.line, e.field.as_str())).collect()
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_string()).collect()
}

#[test]
fn csv_export_then_import_gives_the_same_demo_clusters() {
    let demo = demo_fleet();
    let text = clusters_to_csv(&demo.clusters);
    assert!(text.starts_with(&(cluster_fields().join(",") + "\n")), "{}", &text[..200]);
    assert_eq!(clusters_from_csv(&text).unwrap(), demo.clusters);
}

#[test]
fn csv_round_trips_empty_fields_commas_quotes_line_breaks_and_formula_text() {
    let records = edge_clusters();
    let text = clusters_to_csv(&records);
    assert!(text.contains(r#""RKE2, ""hardened"" (CIS)""#), "quotes doubled, cell quoted: {text}");
    assert!(text.contains(r#""'=HYPERLINK(""http://x"")""#), "formula defused: {text}");
    assert!(text.contains("\"'- kernel pinned"), "a list is not a formula either: {text}");
    assert!(text.contains(",'+k3s,"), "{text}");
    assert!(text.contains(",'s-Hertogenbosch,"), "a lone apostrophe stays as it is: {text}");
    assert!(text.contains("empty=;line=press.01;switchyard.io/owner=ot-team_2"), "{text}");
    assert!(text.lines().nth(1).unwrap().starts_with("bare,Leipzig,,cell,,,1,"), "{text}");
    assert_eq!(clusters_from_csv(&text).unwrap(), records);
}

#[test]
fn sites_round_trip_through_csv() {
    let sites = demo_fleet().sites;
    assert_eq!(sites_from_csv(&sites_to_csv(&sites)).unwrap(), sites);
    let err = sites_from_csv("name,kind\nPune,factory\n,plant\n").unwrap_err();
    assert_eq!(lines_and_fields(&err), [(2, "kind"), (3, "name")]);
}

#[test]
fn every_bad_csv_row_is_reported_at_once_with_line_and_field() {
    let text = "name,site,tier,nodes,kernel,labels\n\
                cell-a,Leipzig,cell,abc,5.15.0-113-generic,\n\
                cell-b,Leipzig,,1,latest,line\n\
                cell-c,Leipzig,cell,1,5.10,\n\
                Cell D,Leipzig,edge,0,,\n";
    let errors = clusters_from_csv(text).unwrap_err();
    assert_eq!(
        lines_and_fields(&errors),
        [(2, "nodes"), (3, "kernel"), (3, "labels"), (3, "tier"), (5, "name"), (5, "nodes"), (5, "tier")]
    );
    assert_eq!(errors[0].to_string(), "line 2, nodes: 'abc' is not a whole number; write digits only, e.g. 3");
    assert!(errors[1].reason.contains("'latest' is not a kernel version"), "{}", errors[1]);
    assert!(errors[3].reason.starts_with("required"), "{}", errors[3]);
    assert!(errors[4].reason.contains("DNS label"), "{}", errors[4]);
}

#[test]
fn a_bad_csv_header_is_reported_before_any_row() {
    let errors = clusters_from_csv("name,site,kernal,name\ncell-a,Leipzig,5.15,x\n").unwrap_err();
    assert_eq!(lines_and_fields(&errors), [(1, "kernal"), (1, "name"), (1, "tier")]);
    assert!(errors[0].reason.contains("unknown column 'kernal'"), "{}", errors[0]);
}

#[test]
fn csv_rows_with_the_wrong_cell_count_are_reported_and_blank_rows_skipped() {
    let text = "\u{feff}name,site,tier\ncell-a,Leipzig\n,,\ncell-b,Leipzig,cell\n";
    let errors = clusters_from_csv(text).unwrap_err();
    assert_eq!(lines_and_fields(&errors), [(2, "")]);
    assert!(errors[0].to_string().starts_with("line 2: this row has 2 cells and the header has 3"));
    assert_eq!(clusters_from_csv("").unwrap(), []);
    assert_eq!(clusters_from_csv("name,site,tier\n").unwrap(), []);
}

#[test]
fn a_csv_import_checks_sites_parents_and_names_against_the_fleet_with_physical_lines() {
    // The quoted rationale spans lines 3–4, so the rows after it start on lines 5, 6, 7 and 8.
    let text = "name,site,parent,tier,exception_rationale\n\
                plant-a,Leipzig,,plant,\n\
                cell-a,Leipzig,plant-a,cell,\"two\nlines\"\n\
                cell-b,Dresden,plant-x,cell,\n\
                cell-a,Leipzig,,cell,\n\
                cell-c,Leipzig,cell-c,cell,\n\
                cell-d,Leipzig,plant-old,cell,\n";
    let errors = import_csv(text, &names(&["Leipzig"]), &names(&["plant-old"])).unwrap_err();
    assert_eq!(lines_and_fields(&errors), [(5, "site"), (5, "parent"), (6, "name"), (7, "parent")]);
    assert!(errors[0].reason.contains("no site named 'Dresden'"), "{}", errors[0]);
    assert!(errors[1].reason.contains("no cluster named 'plant-x'"), "{}", errors[1]);
    assert!(errors[2].reason.contains("already defined on line 3"), "{}", errors[2]);
    assert!(errors[3].reason.contains("its own parent"), "{}", errors[3]);
    let ok = import_csv(&text.lines().take(4).collect::<Vec<_>>().join("\n"), &names(&["Leipzig"]), &[]).unwrap();
    assert_eq!(ok.clusters[1].exception_rationale.as_deref(), Some("two\nlines"));
}

#[test]
fn a_csv_import_does_not_call_a_broken_row_an_unknown_parent() {
    let text = "name,site,parent,tier,nodes\nplant-a,Leipzig,,plant,zero\ncell-a,Leipzig,plant-a,cell,1\n";
    let errors = import_csv(text, &names(&["Leipzig"]), &[]).unwrap_err();
    assert_eq!(lines_and_fields(&errors), [(2, "nodes")]);
}

#[test]
fn yaml_export_then_import_gives_the_same_demo_fleet() {
    let demo = demo_fleet();
    let text = fleet_to_yaml(&demo);
    assert!(text.contains("bgp_fabric: network_team"), "{}", &text[..600]);
    assert_eq!(fleet_from_yaml(&text).unwrap(), demo);
}

#[test]
fn yaml_round_trips_the_edge_records() {
    let doc = FleetDoc::new(vec![SiteRecord::new("'s-Hertogenbosch", SiteKind::Plant)], edge_clusters());
    let text = fleet_to_yaml(&doc);
    assert!(!text.contains("parent: null"), "absent fields are left out: {text}");
    assert_eq!(fleet_from_yaml(&text).unwrap(), doc);
}

#[test]
fn yaml_values_are_read_as_written() {
    let text = "clusters:\n  - name: cell-a\n    site: Leipzig\n    tier: cell\n    kernel: 5.10\n    nodes: 2\n    \
                wan_uplink: yes\n    memory_gib_per_node: 8\n    parent: ~\n    labels: {line: press, rev: 1.10}\n";
    let doc = fleet_from_yaml(text).unwrap();
    let c = &doc.clusters[0];
    assert_eq!(c.facts.kernel.as_deref(), Some("5.10"), "not the number 5.1");
    assert_eq!(
        (c.facts.nodes, c.facts.wan_uplink, c.facts.memory_gib_per_node, c.parent.as_deref()),
        (2, true, Some(8.0), None)
    );
    assert_eq!(c.labels["rev"], "1.10");
    assert_eq!(fleet_from_yaml("").unwrap(), FleetDoc::default());
    assert_eq!(fleet_from_yaml("# nothing yet\n").unwrap(), FleetDoc::default());
}

#[test]
fn every_bad_yaml_item_is_reported_at_once_with_its_line_and_prefixed_field() {
    let text = "sites:\n  - name: Leipzig\n    kind: factory\nclusters:\n  - name: cell-a\n    site: Leipzig\n    \
                tier: cell\n    nodes: abc\n  - name: cell-b\n    site: Leipzig\n    tier: cell\n    kernal: 5.15\n";
    let errors = fleet_from_yaml(text).unwrap_err();
    assert_eq!(lines_and_fields(&errors), [(2, "sites[0].kind"), (5, "clusters[0].nodes"), (9, "clusters[1].kernal")]);
    assert_eq!(
        errors[1].to_string(),
        "line 5, clusters[0].nodes: 'abc' is not a whole number; write digits only, e.g. 3"
    );
    assert!(errors[2].reason.contains("unknown field"), "{}", errors[2]);
}

#[test]
fn broken_yaml_is_one_error_at_the_parsers_line() {
    let errors = fleet_from_yaml("clusters:\n  - name: a\n    site: [unclosed\n").unwrap_err();
    assert_eq!(errors.len(), 1);
    assert!(errors[0].line >= 3, "{errors:?}");
    let errors = fleet_from_yaml("cluster:\n  - name: a\n").unwrap_err();
    assert_eq!(errors.len(), 1);
    assert!(errors[0].reason.contains("cluster"), "{errors:?}");
    let errors = fleet_from_yaml("clusters:\n  - name: a\n    labels: [a, b]\n").unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
}

#[test]
fn a_yaml_import_checks_references_loops_and_duplicates_with_lines() {
    let text = "sites:\n\
                - {name: EMEA, kind: region}\n\
                - {name: Leipzig, kind: plant, region: APAC}\n\
                clusters:\n\
                - {name: plant-a, site: Leipzig, tier: plant, parent: cell-a}\n\
                - {name: cell-a, site: Leipzig, tier: cell, parent: plant-a}\n\
                - {name: cell-b, site: Dresden, tier: cell, parent: cell-b}\n\
                - {name: cell-a, site: Leipzig, tier: cell}\n\
                - {name: cell-c, site: Leipzig, tier: cell, parent: plant-z}\n";
    let errors = import_yaml(text, &[], &[]).unwrap_err();
    assert_eq!(
        lines_and_fields(&errors),
        [
            (3, "sites[1].region"),
            (5, "clusters[0].parent"),
            (6, "clusters[1].parent"),
            (7, "clusters[2].site"),
            (7, "clusters[2].parent"),
            (8, "clusters[3].name"),
            (9, "clusters[4].parent"),
        ]
    );
    assert!(errors[1].reason.contains("loop (plant-a → cell-a → plant-a)"), "{}", errors[1]);
    assert!(errors[4].reason.contains("its own parent"), "{}", errors[4]);
    assert!(errors[6].reason.contains("plant-z"), "{}", errors[6]);
    assert!(fleet_from_yaml(text).is_ok(), "references are checked by the import, not the parser");
}

mod properties {
    use proptest::prelude::*;

    use super::*;

    /// Any text that is not blank (blank means "absent" on import).
    fn text() -> impl Strategy<Value = String> {
        "\\PC{0,3}[=+@'\\-\t\r\n,;\" a-zA-Zé]{0,6}\\PC{0,40}".prop_filter("not blank", |s| !s.trim().is_empty())
    }

    proptest! {
        #[test]
        fn any_rationale_survives_csv_and_yaml(rationale in text(), site in "[=+@'\\-]?[A-Za-ző ,\"']{0,20}[a-z]") {
            let c = ClusterRecord {
                exception_rationale: Some(rationale),
                ..ClusterRecord::new("cell-a", site.clone(), Tier::Cell)
            };
            prop_assume!(c.validate().is_ok());
            let csv = clusters_to_csv(std::slice::from_ref(&c));
            prop_assert_eq!(clusters_from_csv(&csv).unwrap(), vec![c.clone()], "{}", csv);
            let doc = FleetDoc::new(vec![SiteRecord::new(site, SiteKind::Plant)], vec![c]);
            let yaml = fleet_to_yaml(&doc);
            prop_assert_eq!(fleet_from_yaml(&yaml).unwrap(), doc, "{}", yaml);
        }
    }
}

#[test]
fn exported_versions_travel_through_csv_and_yaml_and_back() {
    let mut doc = demo_fleet();
    doc.versions = doc.clusters.iter().enumerate().map(|(i, c)| (c.name.clone(), i as i32 + 1)).collect();
    let csv = doc_to_csv(&doc);
    assert!(csv.lines().next().unwrap().ends_with(",version"), "{}", &csv[..300]);
    let site_names: Vec<String> = doc.sites.iter().map(|s| s.name.clone()).collect();
    let back = import_csv(&csv, &site_names, &[]).unwrap();
    assert_eq!(back.versions, doc.versions);
    assert_eq!(back.lines[&doc.clusters[0].name], 2);
    let yaml = fleet_to_yaml(&doc);
    let back = import_yaml(&yaml, &[], &[]).unwrap();
    assert_eq!(back.versions, doc.versions);
    assert!(back.lines.values().all(|l| *l > 1));
    let err = import_csv("name,site,tier,version\ncell-a,Leipzig,cell,seven\n", &names(&["Leipzig"]), &[]).unwrap_err();
    assert_eq!(lines_and_fields(&err), [(2, "version")]);
}
