//! The GitOps hand-off on the wire: the Argo CD ApplicationSet plugin generator's request and
//! response (Argo CD's contract: `input.parameters` in, `output.parameters` out).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What Argo CD posts to `/api/v1/getparams.execute`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ssr", schema(example = json!({"applicationSetName": "cni",
    "input": {"parameters": {"tier": ["plant", "cell"], "cni": "cilium"}}})))]
pub struct PluginRequest {
    /// The ApplicationSet asking (logged, not used).
    #[serde(rename = "applicationSetName", default)]
    pub application_set_name: String,
    /// The generator's `input`.
    #[serde(default)]
    pub input: PluginInput,
}

/// The generator's `input` block.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PluginInput {
    /// Filters: `tier`, `site` and `cni`, each a string or a list of strings (any of them
    /// matches); other keys are ignored.
    #[serde(default)]
    pub parameters: BTreeMap<String, serde_json::Value>,
}

/// What Switchyard answers: one parameter set per cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PluginResponse {
    /// Argo CD reads `output.parameters`.
    pub output: PluginOutput,
}

/// The parameter sets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PluginOutput {
    /// One per cluster with a CNI Switchyard writes values for, by site then name.
    pub parameters: Vec<ClusterParams>,
}

/// One cluster's parameters for an Application template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ClusterParams {
    /// Cluster name (the Argo CD cluster name, by convention).
    pub cluster: String,
    /// Its site.
    pub site: String,
    /// Its site as a path segment (`plant-leipzig`), as in the bundle's paths.
    pub site_path: String,
    /// Cell, plant, regional or cloud.
    pub tier: String,
    /// Greenfield, brownfield or unknown.
    pub context: String,
    /// CNI key (`cilium`, `calico`).
    pub cni: String,
    /// The Helm chart (`cilium/cilium`, `projectcalico/tigera-operator`).
    pub chart: String,
    /// The chart's name in its repository (`cilium`, `tigera-operator`).
    pub chart_name: String,
    /// Its repository URL.
    pub chart_repo: String,
    /// The namespace the chart installs into (`kube-system`, `tigera-operator`).
    pub namespace: String,
    /// The pinned release, when pinned: the chart version to install.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart_version: Option<String>,
    /// The tier values file (`values-plant.yaml`).
    pub values_file: String,
    /// The cluster's override file in the bundle, when it has one
    /// (`values/overrides/leipzig/plant-leipzig-01.yaml`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overrides_file: Option<String>,
    /// The `switchyard.io/*` registration labels.
    pub labels: BTreeMap<String, String>,
}
