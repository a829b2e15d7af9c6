//! The GitOps hand-off (issue 12): Helm values per tier and per cluster, and the labels that go
//! on each cluster's registration, generated from the decisions — never written by hand.
//!
//! The seed's advice, as rules:
//! - one values file per tier and CNI, differing only by what actually differs: encryption, BGP
//!   and Hubble ([`tier_file`], [`tier_values`]);
//! - Cilium runs its kube-proxy replacement everywhere;
//! - Hubble in observe-only first: Cilium's policy audit mode is on until policies are written
//!   from observed flows;
//! - WireGuard only where a cluster holds a WAN uplink (plant and cell), on by default in the
//!   regional and cloud tiers whose traffic crosses sites;
//! - BGP: Cilium's BGP control plane only where the platform team owns the fabric; Calico peers
//!   with any fabric (pure L3, no overlay), the network team's after their written agreement;
//! - the pod MTU from the MTU gate where the underlay is not plain Ethernet.
//!
//! Per-cluster differences go in an override file layered after the tier file
//! ([`cluster_overrides`]). The server renders the files and the bundle; the tests validate every
//! Cilium file against the chart's `values.schema.json` and every Calico `installation:` block
//! against the tigera-operator Installation spec.

use serde::Serialize;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

use crate::adr::AdrNumber;
use crate::gates::{BgpFabric, ClusterFacts};
use crate::versions::CniVersion;
use crate::{Context, Tier};

#[cfg(test)]
mod tests;

/// Label naming the cluster's CNI (candidate key).
pub const LABEL_CNI: &str = "switchyard.io/cni";
/// Label naming the cluster's tier.
pub const LABEL_TIER: &str = "switchyard.io/tier";
/// Label naming the cluster's context (greenfield, brownfield or unknown).
pub const LABEL_CONTEXT: &str = "switchyard.io/context";
/// Label naming the tier values file.
pub const LABEL_VALUES: &str = "switchyard.io/values";
/// Label naming the pinned CNI release (chart version), when pinned.
pub const LABEL_CNI_VERSION: &str = "switchyard.io/cni-version";

/// The Helm chart a values file is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Chart {
    /// `cilium/cilium`.
    Cilium,
    /// `projectcalico/tigera-operator` (Calico through its operator).
    TigeraOperator,
}

impl Chart {
    /// The chart for a CNI key; `None` for CNIs Switchyard has no values for (Flannel, …).
    pub fn for_cni(cni: &str) -> Option<Chart> {
        match cni {
            "cilium" => Some(Chart::Cilium),
            "calico" => Some(Chart::TigeraOperator),
            _ => None,
        }
    }

    /// `repo/chart` as Helm names it.
    pub fn name(self) -> &'static str {
        match self {
            Chart::Cilium => "cilium/cilium",
            Chart::TigeraOperator => "projectcalico/tigera-operator",
        }
    }

    /// The namespace it installs into.
    pub fn namespace(self) -> &'static str {
        match self {
            Chart::Cilium => "kube-system",
            Chart::TigeraOperator => "tigera-operator",
        }
    }

    /// The chart repository.
    pub fn repo_url(self) -> &'static str {
        match self {
            Chart::Cilium => "https://helm.cilium.io",
            Chart::TigeraOperator => "https://docs.tigera.io/calico/charts",
        }
    }
}

/// An accepted ADR that covers a cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdrRef {
    /// Its number.
    pub number: AdrNumber,
    /// Its title.
    pub title: String,
}

/// One cluster as GitOps sees it: where it is, its facts, and what was decided for it.
#[derive(Debug, Clone)]
pub struct GitopsCluster {
    /// Cluster name (a DNS label).
    pub name: String,
    /// Site name.
    pub site: String,
    /// Its facts.
    pub facts: ClusterFacts,
    /// The CNI it runs: the decided one, else the recommendation's winner; `None` when neither.
    pub cni: Option<String>,
    /// The weight profile behind the recommendation.
    pub profile: String,
    /// The newest accepted ADR covering it, if any.
    pub adr: Option<AdrRef>,
    /// The pod MTU the MTU gate computed for its CNI.
    pub pod_mtu: Option<u32>,
}

impl GitopsCluster {
    /// The chart its CNI installs with, if Switchyard writes values for it.
    pub fn chart(&self) -> Option<Chart> {
        self.cni.as_deref().and_then(Chart::for_cni)
    }

    /// The tier values file it uses, if any.
    pub fn values_file(&self) -> Option<String> {
        self.cni.as_deref().and_then(|c| tier_file(self.facts.tier, c))
    }
}

/// The tier values file for a CNI on a tier: Cilium's are named by tier alone except on cells
/// (`values-plant.yaml`, `values-cell-cilium.yaml`), Calico's by tier and CNI
/// (`values-cell-calico.yaml`). `None` for CNIs without a chart here.
pub fn tier_file(tier: Tier, cni: &str) -> Option<String> {
    match (Chart::for_cni(cni)?, tier) {
        (Chart::Cilium, Tier::Cell) => Some("values-cell-cilium.yaml".into()),
        (Chart::Cilium, t) => Some(format!("values-{}.yaml", t.as_str())),
        (Chart::TigeraOperator, t) => Some(format!("values-{}-calico.yaml", t.as_str())),
    }
}

/// The tier files every platform repo gets, whether or not a cluster uses them yet: the seed's
/// four and the regional tier's.
pub const STANDARD_FILES: [(Tier, &str); 5] = [
    (Tier::Cloud, "cilium"),
    (Tier::Regional, "cilium"),
    (Tier::Plant, "cilium"),
    (Tier::Cell, "cilium"),
    (Tier::Cell, "calico"),
];

/// The values of a tier file, or `None` for CNIs without a chart here.
pub fn tier_values(tier: Tier, cni: &str) -> Option<Value> {
    Some(match Chart::for_cni(cni)? {
        Chart::Cilium => cilium_tier(tier),
        Chart::TigeraOperator => calico_tier(tier),
    })
}

/// Regional and cloud traffic crosses sites and providers: encrypted on every node. Plants and
/// cells encrypt only where a cluster holds a WAN uplink (a per-cluster override).
fn encrypted_tier(tier: Tier) -> bool {
    matches!(tier, Tier::Regional | Tier::Cloud)
}

fn cilium_tier(tier: Tier) -> Value {
    let cell = tier == Tier::Cell;
    let big = encrypted_tier(tier);
    let mut v = json!({
        "kubeProxyReplacement": true,
        "k8sServiceHost": "auto",
        "routingMode": "tunnel",
        "tunnelProtocol": "vxlan",
        "policyAuditMode": true,
        "hubble": {
            "enabled": true,
            "relay": { "enabled": !cell },
            "ui": { "enabled": big },
        },
        "bgpControlPlane": { "enabled": false },
        "encryption": if big {
            json!({ "enabled": true, "type": "wireguard", "nodeEncryption": false })
        } else {
            json!({ "enabled": false })
        },
        "operator": { "replicas": if cell { 1 } else { 2 } },
    });
    if cell {
        // The minimal build for a four-core box: no Envoy, no L7 proxy.
        merge(&mut v, json!({ "envoy": { "enabled": false }, "l7Proxy": false }));
    }
    v
}

fn calico_tier(tier: Tier) -> Value {
    let cell = tier == Tier::Cell;
    let mut felix = json!({
        "enabled": true,
        "logSeverityScreen": "Warning",
        "prometheusMetricsEnabled": !cell,
        "wireguardEnabled": encrypted_tier(tier),
    });
    if cell {
        merge(&mut felix, json!({ "reportingInterval": "0s", "usageReportingEnabled": false }));
    }
    json!({
        "installation": {
            "enabled": true,
            "variant": "Calico",
            "controlPlaneReplicas": if cell { 1 } else { 2 },
            "calicoNetwork": {
                "linuxDataplane": "Iptables",
                "bgp": "Disabled",
                "hostPorts": if cell { "Disabled" } else { "Enabled" },
            },
        },
        "apiServer": { "enabled": !cell },
        "goldmane": { "enabled": !cell },
        "whisker": { "enabled": !cell },
        "defaultFelixConfiguration": felix,
    })
}

/// What a cluster needs on top of its tier file, with a comment line per change; `None` when
/// the tier file says it all (or it has no chart here).
pub fn cluster_overrides(c: &GitopsCluster) -> Option<(Value, Vec<String>)> {
    let chart = c.chart()?;
    let f = &c.facts;
    let mut v = json!({});
    let mut why = Vec::new();
    let (v4, v6) = pod_cidrs(f);
    match chart {
        Chart::Cilium => {
            if let Some(mtu) = f.underlay_mtu.filter(|&m| m != crate::gates::DEFAULT_UNDERLAY_MTU) {
                merge(&mut v, json!({ "MTU": mtu }));
                why.push(match c.pod_mtu {
                    Some(p) => {
                        format!("MTU: the underlay carries {mtu} bytes; pods get {p} after encapsulation (MTU gate)")
                    }
                    None => format!("MTU: the underlay carries {mtu} bytes"),
                });
            }
            match f.bgp_fabric {
                BgpFabric::PlatformTeam if !encrypted_tier(f.tier) => {
                    merge(&mut v, json!({ "bgpControlPlane": { "enabled": true } }));
                    if let Some(cidr) = v4.first() {
                        merge(
                            &mut v,
                            json!({ "routingMode": "native", "autoDirectNodeRoutes": false, "ipv4NativeRoutingCIDR": cidr }),
                        );
                        why.push("BGP: the platform team owns this fabric; native routing, pod CIDRs advertised by the Cilium BGP control plane".into());
                    } else {
                        why.push("BGP: the platform team owns this fabric; enter the pod CIDR in Switchyard for native routing".into());
                    }
                }
                BgpFabric::NetworkTeam => why.push(
                    "BGP: the plant network team owns this fabric; Cilium stays on VXLAN until they agree in writing to peer (ASNs, prefixes, route filters)"
                        .into(),
                ),
                _ => {}
            }
            if f.wan_uplink && !encrypted_tier(f.tier) {
                merge(
                    &mut v,
                    json!({ "encryption": { "enabled": true, "type": "wireguard", "nodeEncryption": false } }),
                );
                why.push("WireGuard: this cluster holds a WAN uplink; label the nodes without one node-encryption.cilium.io/opt-out=true to scope it".into());
            }
            if !v4.is_empty() || !v6.is_empty() {
                let mut operator = Map::new();
                if !v4.is_empty() {
                    operator.insert("clusterPoolIPv4PodCIDRList".into(), json!(v4));
                }
                if !v6.is_empty() {
                    operator.insert("clusterPoolIPv6PodCIDRList".into(), json!(v6));
                    merge(&mut v, json!({ "ipv6": { "enabled": true }, "ipv4": { "enabled": !v4.is_empty() } }));
                }
                merge(&mut v, json!({ "ipam": { "mode": "cluster-pool", "operator": operator } }));
                why.push(format!("Pod CIDR: {}", f.pod_cidr.as_deref().unwrap_or_default()));
            }
        }
        Chart::TigeraOperator => {
            if let Some(mtu) = f.underlay_mtu.filter(|&m| m != crate::gates::DEFAULT_UNDERLAY_MTU)
                && let Some(pod) = c.pod_mtu
            {
                merge(&mut v, json!({ "installation": { "calicoNetwork": { "mtu": pod } } }));
                why.push(format!("MTU: the underlay carries {mtu} bytes; pods get {pod} (MTU gate)"));
            }
            let bgp = f.bgp_fabric.is_present();
            if bgp {
                merge(&mut v, json!({ "installation": { "calicoNetwork": { "bgp": "Enabled" } } }));
                why.push(match f.bgp_fabric {
                    BgpFabric::NetworkTeam => "BGP: peer with the plant network team's fabric, pure L3 with no overlay; ASNs, prefixes and route filters agreed with them in writing (BGPConfiguration and BGPPeer)".into(),
                    _ => "BGP: peer with the platform team's fabric, pure L3 with no overlay (BGPConfiguration and BGPPeer)".into(),
                });
            }
            let pools: Vec<Value> = v4
                .iter()
                .map(|cidr| (cidr, if bgp { "None" } else { "VXLAN" }, "Enabled"))
                .chain(v6.iter().map(|cidr| (cidr, if bgp { "None" } else { "VXLAN" }, "Disabled")))
                .map(|(cidr, encapsulation, nat)| {
                    json!({ "cidr": cidr, "encapsulation": encapsulation, "natOutgoing": nat, "blockSize": block_size(cidr) })
                })
                .collect();
            if !pools.is_empty() {
                merge(&mut v, json!({ "installation": { "calicoNetwork": { "ipPools": pools } } }));
                why.push(format!("Pod CIDR: {}", f.pod_cidr.as_deref().unwrap_or_default()));
            }
            if f.wan_uplink && !encrypted_tier(f.tier) {
                merge(&mut v, json!({ "defaultFelixConfiguration": { "wireguardEnabled": true } }));
                why.push("WireGuard: this cluster holds a WAN uplink; keep it to the WAN-facing nodes with a FelixConfiguration per node (node.<name>)".into());
            }
        }
    }
    (!why.is_empty()).then_some((v, why))
}

/// Calico's default block size per family (/26 for IPv4, /122 for IPv6).
fn block_size(cidr: &str) -> u32 {
    if cidr.contains(':') { 122 } else { 26 }
}

/// The cluster's pod CIDRs by family, as written; empty when unknown or invalid.
fn pod_cidrs(f: &ClusterFacts) -> (Vec<String>, Vec<String>) {
    match f.pod_networks() {
        Some(Ok(nets)) => {
            let (v6, v4): (Vec<_>, Vec<_>) = nets.iter().map(|n| n.to_string()).partition(|s| s.contains(':'));
            (v4, v6)
        }
        _ => (Vec::new(), Vec::new()),
    }
}

/// The labels for a cluster's registration (`switchyard.io/…`); empty when it has no CNI.
pub fn labels(c: &GitopsCluster) -> BTreeMap<&'static str, String> {
    let mut out = BTreeMap::new();
    let Some(cni) = c.cni.as_deref() else { return out };
    out.insert(LABEL_CNI, cni.to_string());
    out.insert(LABEL_TIER, c.facts.tier.as_str().to_string());
    out.insert(LABEL_CONTEXT, c.facts.context.map_or("unknown", Context::as_str).to_string());
    if let Some(file) = c.values_file() {
        out.insert(LABEL_VALUES, file);
    }
    if let Some(v) = pinned(c) {
        out.insert(LABEL_CNI_VERSION, v.to_string());
    }
    out
}

/// The pinned release, when it is a full version (a chart version).
pub fn pinned(c: &GitopsCluster) -> Option<&CniVersion> {
    c.facts.pinned_version.as_ref().filter(|v| v.patch.is_some())
}

/// Deep-merges `patch` into `base` (objects merge key by key; anything else replaces).
pub fn merge(base: &mut Value, patch: Value) {
    match (base, patch) {
        (Value::Object(b), Value::Object(p)) => {
            for (k, v) in p {
                match b.get_mut(&k) {
                    Some(slot) => merge(slot, v),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (slot, v) => *slot = v,
    }
}

/// A rendered file of the platform repo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoFile {
    /// Path inside the repo, e.g. `values/values-plant.yaml`.
    pub path: String,
    /// Its text.
    pub text: String,
}

/// A tier file with what produced it.
#[derive(Debug, Clone)]
pub struct TierFile {
    /// File name (`values-plant.yaml`).
    pub name: String,
    /// Tier.
    pub tier: Tier,
    /// CNI key.
    pub cni: String,
    /// The chart it is for.
    pub chart: Chart,
    /// The values.
    pub values: Value,
    /// Clusters that use it.
    pub clusters: usize,
    /// The accepted ADRs behind those clusters (number order).
    pub adrs: Vec<AdrRef>,
    /// The profiles behind them (name order).
    pub profiles: Vec<String>,
}

/// Every tier file the fleet needs: the five standard ones, then any other (tier, CNI) pair a
/// cluster uses (`values-plant-calico.yaml` for a brownfield plant on Calico), each with the
/// ADRs and profiles of the clusters using it.
pub fn tier_files(clusters: &[GitopsCluster]) -> Vec<TierFile> {
    let mut files: Vec<TierFile> = Vec::new();
    let pairs = STANDARD_FILES
        .iter()
        .map(|&(t, c)| (t, c.to_string()))
        .chain(clusters.iter().filter_map(|c| c.cni.clone().map(|cni| (c.facts.tier, cni))));
    for (tier, cni) in pairs {
        let (Some(name), Some(chart), Some(values)) =
            (tier_file(tier, &cni), Chart::for_cni(&cni), tier_values(tier, &cni))
        else {
            continue;
        };
        if files.iter().any(|f| f.name == name) {
            continue;
        }
        let users: Vec<&GitopsCluster> =
            clusters.iter().filter(|c| c.values_file().as_deref() == Some(name.as_str())).collect();
        let mut adrs: Vec<AdrRef> = users.iter().filter_map(|c| c.adr.clone()).collect();
        adrs.sort_by_key(|a| a.number);
        adrs.dedup_by_key(|a| a.number);
        let mut profiles: Vec<String> = users.iter().map(|c| c.profile.clone()).collect();
        profiles.sort();
        profiles.dedup();
        files.push(TierFile { name, tier, cni, chart, values, clusters: users.len(), adrs, profiles });
    }
    files
}

/// One line of text for a YAML comment: control characters become spaces.
fn comment_text(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

fn adr_line(adrs: &[AdrRef]) -> String {
    if adrs.is_empty() {
        return "no accepted ADR covers these clusters yet (the recommendation alone)".into();
    }
    adrs.iter()
        .map(|a| format!("ADR-{} \"{}\"", a.number.padded(), comment_text(&a.title)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// YAML text of `values` (block style, keys sorted).
pub fn to_yaml(values: &Value) -> String {
    serde_saphyr::to_string(values).unwrap_or_else(|e| format!("# could not render these values: {e}\n"))
}

/// A tier file's text: a header saying what produced it, then the values.
pub fn render_tier_file(f: &TierFile) -> String {
    let profiles = if f.profiles.is_empty() { "none yet".to_string() } else { comment_text(&f.profiles.join(", ")) };
    format!(
        "# {name}: Helm values for {chart}, {tier} tier, {cni}.\n\
         # Generated by Switchyard from the fleet's decisions; do not edit by hand: change the decision\n\
         # in Switchyard and export again.\n\
         # ADRs: {adrs}\n\
         # Profiles: {profiles}\n\
         # Used by {n} cluster{s}.\n{body}",
        name = f.name,
        chart = f.chart.name(),
        tier = f.tier.as_str(),
        cni = f.cni,
        adrs = adr_line(&f.adrs),
        n = f.clusters,
        s = if f.clusters == 1 { "" } else { "s" },
        body = to_yaml(&f.values),
    )
}

/// A cluster's override file text (layered after its tier file), or `None` when it needs none.
pub fn render_overrides(c: &GitopsCluster) -> Option<String> {
    let (values, why) = cluster_overrides(c)?;
    let file = c.values_file().unwrap_or_default();
    let mut out = format!(
        "# Overrides for cluster {name} (site {site}) on top of {file}.\n\
         # Generated by Switchyard; ADR: {adr}; profile: {profile}.\n",
        name = c.name,
        site = comment_text(&c.site),
        adr = adr_line(c.adr.as_slice()),
        profile = comment_text(&c.profile),
    );
    for w in why {
        out.push_str("# - ");
        out.push_str(&comment_text(&w));
        out.push('\n');
    }
    out.push_str(&to_yaml(&values));
    Some(out)
}

/// Path of a cluster's override file in the bundle.
pub fn overrides_path(c: &GitopsCluster) -> String {
    format!("values/overrides/{}/{}.yaml", path_segment(&c.site), c.name)
}

/// Path of a cluster's registration file in the bundle.
pub fn registration_path(c: &GitopsCluster) -> String {
    format!("clusters/{}/{}.yaml", path_segment(&c.site), c.name)
}

/// A site name as one safe path segment: lowercase letters, digits, '-', '_' and '.' kept;
/// anything else becomes '-' ("Plant Leipzig" → "plant-leipzig"; never "." or "..").
pub fn path_segment(site: &str) -> String {
    let s: String = site
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' { c.to_ascii_lowercase() } else { '-' })
        .collect();
    if s.is_empty() { "site".into() } else { s }
}

/// The registration file: the labels to merge into the cluster's Argo CD cluster Secret (a
/// strategic-merge patch: its server and credentials stay where they are).
pub fn render_registration(c: &GitopsCluster) -> String {
    let mut secret_labels = Map::new();
    secret_labels.insert("argocd.argoproj.io/secret-type".into(), json!("cluster"));
    for (k, v) in labels(c) {
        secret_labels.insert(k.into(), json!(v));
    }
    let mut annotations = Map::new();
    annotations.insert("switchyard.io/site".into(), json!(c.site));
    if cluster_overrides(c).is_some() {
        annotations.insert("switchyard.io/values-overrides".into(), json!(overrides_path(c)));
    }
    let doc = json!({
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": format!("cluster-{}", c.name),
            "namespace": "argocd",
            "labels": secret_labels,
            "annotations": annotations,
        },
    });
    format!(
        "# Registration labels of cluster {name} (site {site}), generated by Switchyard.\n\
         # Merge into the cluster's Argo CD Secret (kubectl patch or a kustomize patch); its server\n\
         # and credentials stay as they are. ApplicationSets select on these labels.\n{body}",
        name = c.name,
        site = comment_text(&c.site),
        body = to_yaml(&doc),
    )
}

/// The whole platform-repo layout: `values/*.yaml`, `values/overrides/<site>/<cluster>.yaml`,
/// `clusters/<site>/<cluster>.yaml`, and a README. Clusters without a CNI Switchyard has values
/// for are listed in the README, not registered.
pub fn repo_files(clusters: &[GitopsCluster], generated_on: &str) -> Vec<RepoFile> {
    let tiers = tier_files(clusters);
    let mut files: Vec<RepoFile> =
        tiers.iter().map(|f| RepoFile { path: format!("values/{}", f.name), text: render_tier_file(f) }).collect();
    let mut skipped = Vec::new();
    for c in clusters {
        if c.chart().is_none() {
            skipped.push(c);
            continue;
        }
        if let Some(text) = render_overrides(c) {
            files.push(RepoFile { path: overrides_path(c), text });
        }
        files.push(RepoFile { path: registration_path(c), text: render_registration(c) });
    }
    files.push(RepoFile { path: "README.md".into(), text: readme(&tiers, clusters.len(), &skipped, generated_on) });
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

fn readme(tiers: &[TierFile], total: usize, skipped: &[&GitopsCluster], generated_on: &str) -> String {
    let mut out = format!(
        "# CNI values from Switchyard\n\n\
         Generated on {generated_on} from {total} clusters' decisions. Do not edit these files by hand:\n\
         change the decision in Switchyard and export again.\n\n\
         - `values/values-<tier>[-<cni>].yaml`: Helm values per tier and CNI.\n\
         - `values/overrides/<site>/<cluster>.yaml`: what one cluster needs on top of its tier file\n  \
         (MTU, BGP, WireGuard, pod CIDR); pass it after the tier file.\n\
         - `clusters/<site>/<cluster>.yaml`: the `switchyard.io/*` labels for the cluster's Argo CD\n  \
         registration Secret.\n\n\
         | File | Chart | Clusters |\n|---|---|---|\n"
    );
    for f in tiers {
        out.push_str(&format!("| `values/{}` | `{}` | {} |\n", f.name, f.chart.name(), f.clusters));
    }
    if !skipped.is_empty() {
        out.push_str("\nNo values for these clusters (no decided CNI with a chart Switchyard knows):\n\n");
        for c in skipped {
            let why = c.cni.as_deref().map_or("undecided".to_string(), |k| format!("CNI {k}, no chart here"));
            out.push_str(&format!("- {} ({})\n", c.name, why));
        }
    }
    out
}
