//! Every generated values file against the charts' own schemas (the `jsonschema` crate, not a
//! hand-written check), made strict: an object whose schema lists its properties accepts no
//! others, so a misspelt key fails instead of being ignored by Helm.

use serde_json::{Value, json};
use std::sync::OnceLock;

use super::*;
use crate::gates::{BgpFabric, ClusterFacts};
use crate::{Context, Tier};

const CILIUM_SCHEMA: &str = include_str!("../../data/helm/cilium-values.schema-v1.18.0.json");
const INSTALLATION_SCHEMA: &str = include_str!("../../data/helm/installation-spec-openapi-v3.32.1.json");

/// Chart values the Cilium templates read that the chart's values.yaml leaves commented out, so
/// its generated schema omits them (kube-proxy replacement and policy audit mode).
const CILIUM_UNLISTED: [(&str, &str); 2] = [("kubeProxyReplacement", "boolean"), ("policyAuditMode", "boolean")];

/// Sets `additionalProperties: false` on every object schema that lists properties and says
/// nothing about others.
fn strict(schema: &mut Value) {
    match schema {
        Value::Object(m) => {
            if m.contains_key("properties") && !m.contains_key("additionalProperties") {
                m.insert("additionalProperties".into(), json!(false));
            }
            m.values_mut().for_each(strict);
        }
        Value::Array(a) => a.iter_mut().for_each(strict),
        _ => {}
    }
}

fn cilium_validator() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| {
        let mut schema: Value = serde_json::from_str(CILIUM_SCHEMA).expect("the Cilium schema is JSON");
        for (key, ty) in CILIUM_UNLISTED {
            schema["properties"][key] = json!({ "type": ty });
        }
        strict(&mut schema);
        jsonschema::validator_for(&schema).expect("the Cilium schema compiles")
    })
}

fn installation_validator() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| {
        let mut schema: Value = serde_json::from_str(INSTALLATION_SCHEMA).expect("the Installation spec is JSON");
        strict(&mut schema);
        jsonschema::validator_for(&schema).expect("the Installation spec compiles")
    })
}

/// The tigera-operator chart's own keys around the Installation spec.
const TIGERA_CHART_KEYS: [&str; 5] = ["installation", "apiServer", "goldmane", "whisker", "defaultFelixConfiguration"];

/// Problems of `values` for `chart`, as "path: message" lines.
fn problems(chart: Chart, values: &Value) -> Vec<String> {
    let report = |v: &jsonschema::Validator, x: &Value| -> Vec<String> {
        v.iter_errors(x).map(|e| format!("{}: {e}", e.instance_path())).collect()
    };
    match chart {
        Chart::Cilium => report(cilium_validator(), values),
        Chart::TigeraOperator => {
            let mut out: Vec<String> = values
                .as_object()
                .expect("values are an object")
                .keys()
                .filter(|k| !TIGERA_CHART_KEYS.contains(&k.as_str()))
                .map(|k| format!("/{k}: not a key of the tigera-operator chart"))
                .collect();
            // `enabled` is the chart's switch, not part of the Installation spec.
            let mut installation = values["installation"].clone();
            installation.as_object_mut().expect("installation is an object").remove("enabled");
            out.extend(report(installation_validator(), &installation));
            for key in ["apiServer", "goldmane", "whisker", "defaultFelixConfiguration"] {
                if !values[key]["enabled"].is_boolean() {
                    out.push(format!("/{key}/enabled: the chart needs a boolean"));
                }
            }
            out
        }
    }
}

fn cluster(tier: Tier, cni: &str) -> GitopsCluster {
    GitopsCluster {
        name: "plant-leipzig-01".into(),
        site: "Leipzig".into(),
        facts: ClusterFacts::new(tier),
        cni: Some(cni.into()),
        profile: "Plant greenfield".into(),
        adr: Some(AdrRef { number: AdrNumber(1), title: "Cilium by default, Calico for brownfield plants".into() }),
        pod_mtu: None,
    }
}

/// The tier file with the cluster's overrides layered on, as Helm merges `-f a -f b`.
fn effective(c: &GitopsCluster) -> Value {
    let mut v = tier_values(c.facts.tier, c.cni.as_deref().expect("a CNI")).expect("a chart");
    if let Some((o, _)) = cluster_overrides(c) {
        merge(&mut v, o);
    }
    v
}

#[test]
fn the_strict_schemas_reject_a_misspelt_key_and_a_wrong_enum() {
    let mut v = tier_values(Tier::Plant, "cilium").expect("cilium");
    merge(&mut v, json!({ "hubble": { "relay": { "enabeld": true } } }));
    assert!(!problems(Chart::Cilium, &v).is_empty(), "a misspelt key must fail");
    let mut v = tier_values(Tier::Cell, "calico").expect("calico");
    merge(&mut v, json!({ "installation": { "calicoNetwork": { "linuxDataplane": "Ebpf" } } }));
    assert!(!problems(Chart::TigeraOperator, &v).is_empty(), "an unknown dataplane must fail");
    let mut v = tier_values(Tier::Cell, "calico").expect("calico");
    merge(&mut v, json!({ "instalation": {} }));
    assert!(!problems(Chart::TigeraOperator, &v).is_empty(), "an unknown chart key must fail");
}

#[test]
fn every_tier_file_validates_against_its_chart_schema() {
    for tier in Tier::ALL {
        for cni in ["cilium", "calico"] {
            let v = tier_values(tier, cni).expect("a chart");
            let chart = Chart::for_cni(cni).expect("a chart");
            let p = problems(chart, &v);
            assert!(p.is_empty(), "{tier:?} {cni}: {p:#?}");
        }
    }
}

#[test]
fn every_variant_validates_after_its_overrides() {
    let fabrics = BgpFabric::ALL;
    let cidrs = [None, Some("10.42.0.0/16"), Some("10.42.0.0/16,fd00:10:42::/56"), Some("fd00:10:42::/56")];
    let mut checked = 0;
    for tier in Tier::ALL {
        for cni in ["cilium", "calico"] {
            for fabric in fabrics {
                for wan in [false, true] {
                    for (mtu, pod) in [(None, None), (Some(9000), Some(8950)), (Some(1400), Some(1290))] {
                        for cidr in cidrs {
                            let mut c = cluster(tier, cni);
                            c.facts.bgp_fabric = fabric;
                            c.facts.wan_uplink = wan;
                            c.facts.underlay_mtu = mtu;
                            c.facts.pod_cidr = cidr.map(str::to_string);
                            c.pod_mtu = pod;
                            let v = effective(&c);
                            let p = problems(Chart::for_cni(cni).expect("chart"), &v);
                            assert!(
                                p.is_empty(),
                                "{tier:?} {cni} {fabric:?} wan={wan} mtu={mtu:?} cidr={cidr:?}: {p:#?}"
                            );
                            checked += 1;
                        }
                    }
                }
            }
        }
    }
    assert_eq!(checked, 4 * 2 * 3 * 2 * 3 * 4);
}

#[test]
fn rendered_yaml_reads_back_as_the_values_that_were_validated() {
    for tier in Tier::ALL {
        for cni in ["cilium", "calico"] {
            let mut c = cluster(tier, cni);
            c.facts.bgp_fabric = BgpFabric::PlatformTeam;
            c.facts.wan_uplink = true;
            c.facts.underlay_mtu = Some(9000);
            c.facts.pod_cidr = Some("10.42.0.0/16".into());
            c.pod_mtu = Some(8950);
            let files = tier_files(std::slice::from_ref(&c));
            let file = files.iter().find(|f| Some(&f.name) == c.values_file().as_ref()).expect("its tier file");
            let text = render_tier_file(file);
            let back: Value = serde_saphyr::from_str(&text).expect("the tier file is YAML");
            assert_eq!(back, file.values, "{}", file.name);
            let text = render_overrides(&c).expect("overrides");
            let back: Value = serde_saphyr::from_str(&text).expect("the overrides are YAML");
            assert_eq!(back, cluster_overrides(&c).expect("overrides").0);
        }
    }
}

#[test]
fn the_five_standard_files_always_exist_with_the_seeds_names() {
    let names: Vec<String> = tier_files(&[]).into_iter().map(|f| f.name).collect();
    assert_eq!(
        names,
        [
            "values-cloud.yaml",
            "values-regional.yaml",
            "values-plant.yaml",
            "values-cell-cilium.yaml",
            "values-cell-calico.yaml"
        ]
    );
    // A brownfield plant on Calico adds its own file.
    let c = cluster(Tier::Plant, "calico");
    let names: Vec<String> = tier_files(&[c]).into_iter().map(|f| f.name).collect();
    assert!(names.contains(&"values-plant-calico.yaml".to_string()), "{names:?}");
}

#[test]
fn cilium_runs_its_kube_proxy_replacement_and_hubble_observes_first_on_every_tier() {
    for tier in Tier::ALL {
        let v = tier_values(tier, "cilium").expect("cilium");
        assert_eq!(v["kubeProxyReplacement"], json!(true), "{tier:?}");
        assert_eq!(v["hubble"]["enabled"], json!(true), "{tier:?}");
        assert_eq!(v["policyAuditMode"], json!(true), "{tier:?}");
        assert_eq!(v["bgpControlPlane"]["enabled"], json!(false), "{tier:?}: BGP is per cluster");
    }
    let cell = tier_values(Tier::Cell, "cilium").expect("cilium");
    assert_eq!(cell["envoy"]["enabled"], json!(false), "the minimal cell build");
    assert_eq!(cell["operator"]["replicas"], json!(1));
}

#[test]
fn the_calico_cell_file_is_pure_iptables_with_a_minimal_felix() {
    let v = tier_values(Tier::Cell, "calico").expect("calico");
    assert_eq!(v["installation"]["calicoNetwork"]["linuxDataplane"], json!("Iptables"));
    assert_eq!(v["installation"]["calicoNetwork"]["bgp"], json!("Disabled"));
    assert_eq!(v["defaultFelixConfiguration"]["prometheusMetricsEnabled"], json!(false));
    assert_eq!(v["apiServer"]["enabled"], json!(false));
}

#[test]
fn wireguard_only_on_clusters_with_a_wan_uplink_below_the_regional_tier() {
    for tier in [Tier::Cell, Tier::Plant] {
        let mut c = cluster(tier, "cilium");
        assert_eq!(effective(&c)["encryption"]["enabled"], json!(false), "{tier:?} without WAN");
        c.facts.wan_uplink = true;
        let v = effective(&c);
        assert_eq!(v["encryption"]["enabled"], json!(true), "{tier:?} with WAN");
        assert_eq!(v["encryption"]["type"], json!("wireguard"));
        let mut c = cluster(tier, "calico");
        assert_eq!(effective(&c)["defaultFelixConfiguration"]["wireguardEnabled"], json!(false));
        c.facts.wan_uplink = true;
        assert_eq!(effective(&c)["defaultFelixConfiguration"]["wireguardEnabled"], json!(true));
    }
    for tier in [Tier::Regional, Tier::Cloud] {
        assert_eq!(tier_values(tier, "cilium").expect("cilium")["encryption"]["enabled"], json!(true));
    }
}

#[test]
fn bgp_follows_who_owns_the_fabric() {
    let mut c = cluster(Tier::Plant, "cilium");
    c.facts.pod_cidr = Some("10.42.0.0/16".into());
    c.facts.bgp_fabric = BgpFabric::PlatformTeam;
    let v = effective(&c);
    assert_eq!(v["bgpControlPlane"]["enabled"], json!(true));
    assert_eq!(v["routingMode"], json!("native"));
    assert_eq!(v["ipv4NativeRoutingCIDR"], json!("10.42.0.0/16"));

    c.facts.bgp_fabric = BgpFabric::NetworkTeam;
    let v = effective(&c);
    assert_eq!(v["bgpControlPlane"]["enabled"], json!(false), "no peering without the network team");
    assert_eq!(v["routingMode"], json!("tunnel"));
    let (_, why) = cluster_overrides(&c).expect("overrides");
    assert!(why.iter().any(|w| w.contains("network team")), "{why:?}");

    let mut c = cluster(Tier::Plant, "calico");
    c.facts.context = Some(Context::Brownfield);
    c.facts.bgp_fabric = BgpFabric::NetworkTeam;
    c.facts.pod_cidr = Some("10.42.0.0/16".into());
    let v = effective(&c);
    assert_eq!(v["installation"]["calicoNetwork"]["bgp"], json!("Enabled"));
    assert_eq!(v["installation"]["calicoNetwork"]["ipPools"][0]["encapsulation"], json!("None"), "pure L3");
}

#[test]
fn the_mtu_comes_from_the_mtu_gate() {
    let mut c = cluster(Tier::Cell, "calico");
    c.facts.underlay_mtu = Some(1400);
    c.pod_mtu = Some(1350);
    assert_eq!(effective(&c)["installation"]["calicoNetwork"]["mtu"], json!(1350));
    let mut c = cluster(Tier::Plant, "cilium");
    c.facts.underlay_mtu = Some(9000);
    c.pod_mtu = Some(8950);
    assert_eq!(effective(&c)["MTU"], json!(9000));
    let (_, why) = cluster_overrides(&c).expect("overrides");
    assert!(why.iter().any(|w| w.contains("8950")), "{why:?}");
    // Plain Ethernet needs no override at all.
    assert!(cluster_overrides(&cluster(Tier::Plant, "cilium")).is_none());
}

#[test]
fn labels_name_cni_tier_context_values_and_the_pin() {
    let mut c = cluster(Tier::Plant, "cilium");
    c.facts.context = Some(Context::Greenfield);
    c.facts.pinned_version = Some("1.18.2".parse().expect("a version"));
    let l = labels(&c);
    assert_eq!(l[LABEL_CNI], "cilium");
    assert_eq!(l[LABEL_TIER], "plant");
    assert_eq!(l[LABEL_CONTEXT], "greenfield");
    assert_eq!(l[LABEL_VALUES], "values-plant.yaml");
    assert_eq!(l[LABEL_CNI_VERSION], "1.18.2");
    for (k, v) in &l {
        crate::fleet::check_label(k, v).unwrap_or_else(|e| panic!("{e}"));
    }
    c.cni = None;
    assert!(labels(&c).is_empty(), "an undecided cluster gets no labels");
}

#[test]
fn files_name_their_adr_and_profile_and_stay_inside_the_repo() {
    let mut c = cluster(Tier::Plant, "cilium");
    c.site = "../Plant Leipzig\n# injected".into();
    c.adr = Some(AdrRef { number: AdrNumber(7), title: "Cilium\nkind: Pod".into() });
    c.facts.wan_uplink = true;
    let mut undecided = cluster(Tier::Cell, "cilium");
    undecided.name = "cell-undecided".into();
    undecided.cni = None;
    let files = repo_files(&[c, undecided], "2026-12-04");
    let plant = files.iter().find(|f| f.path == "values/values-plant.yaml").expect("plant file");
    assert!(plant.text.contains("ADR-0007 \"Cilium kind: Pod\""), "{}", plant.text);
    assert!(plant.text.contains("Profiles: Plant greenfield"), "{}", plant.text);
    for f in &files {
        assert!(!f.path.contains(".."), "{}", f.path);
        assert!(f.path.split('/').all(|s| !s.is_empty() && s != "."), "{}", f.path);
        if f.path.ends_with(".yaml") {
            // Every line is a comment or YAML: nothing from a name escapes its comment.
            let v: Value = serde_saphyr::from_str(&f.text).unwrap_or_else(|e| panic!("{}: {e}", f.path));
            assert!(v.is_object(), "{}", f.path);
        }
    }
    let reg = files.iter().find(|f| f.path.starts_with("clusters/")).expect("a registration");
    assert_eq!(reg.path, "clusters/---plant-leipzig---injected/plant-leipzig-01.yaml");
    let readme = files.iter().find(|f| f.path == "README.md").expect("README");
    assert!(readme.text.contains("cell-undecided (undecided)"), "{}", readme.text);
    assert!(!files.iter().any(|f| f.path.contains("cell-undecided")));
}
