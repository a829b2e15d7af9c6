//! The GitOps hand-off: Helm values per tier, the platform-repo bundle and the Argo CD plugin
//! generator's parameters, all rendered from the fleet map's clusters and decisions
//! (`domain::gitops` holds the rules). Anyone signed in, or any token, may read them.

use std::collections::BTreeMap;

use domain::gitops::{self, GitopsCluster};
use domain::{Tier, ValidationError};

use super::Ctx;
use super::fleet::{fleet, gitops_inputs, today};
use crate::AppError;
use crate::model::{ClusterParams, PluginRequest, Role};

/// Every cluster with its CNI, profile, ADR and pod MTU, from this server's fleet map.
async fn clusters(ctx: &Ctx) -> Result<Vec<GitopsCluster>, AppError> {
    ctx.reader(Role::Viewer)?;
    let map = fleet(ctx).await?;
    gitops_inputs(&ctx.pool, &*ctx.model().await?, &map.clusters, Some(ctx.recommendations())).await
}

/// Every file of the platform repo, by path.
async fn repo(ctx: &Ctx) -> Result<BTreeMap<String, String>, AppError> {
    let all = clusters(ctx).await?;
    Ok(gitops::repo_files(&all, &today().to_string()).into_iter().map(|f| (f.path, f.text)).collect())
}

/// One tier values file (`values-plant.yaml`) as YAML text; 404 naming the files there are.
/// Renders the tier files only, not every cluster's overrides and registration.
pub async fn values_file(ctx: &Ctx, name: &str) -> Result<String, AppError> {
    let tiers = gitops::tier_files(&clusters(ctx).await?);
    match tiers.iter().find(|f| f.name == name) {
        Some(f) => Ok(gitops::render_tier_file(f)),
        None => {
            let known: Vec<&str> = tiers.iter().map(|f| f.name.as_str()).collect();
            Err(AppError::NotFound(format!("no values file '{name}'; the fleet has {}", known.join(", "))))
        }
    }
}

/// The platform-repo layout as a tar.gz, byte-identical for the same fleet and decisions.
pub async fn bundle(ctx: &Ctx) -> Result<Vec<u8>, AppError> {
    super::tarball::tar_gz(&repo(ctx).await?)
}

/// The Argo CD plugin generator's answer: one parameter set per cluster with values, filtered
/// by the input parameters `tier`, `site` and `cni`.
pub async fn plugin_params(ctx: &Ctx, req: &PluginRequest) -> Result<Vec<ClusterParams>, AppError> {
    let filter = Filter::parse(&req.input.parameters)?;
    let all = clusters(ctx).await?;
    tracing::debug!(application_set = %req.application_set_name, "Argo CD plugin generator");
    let mut out: Vec<ClusterParams> = all.iter().filter(|c| filter.keeps(c)).filter_map(params).collect();
    out.sort_by(|a, b| (&a.site, &a.cluster).cmp(&(&b.site, &b.cluster)));
    Ok(out)
}

fn params(c: &GitopsCluster) -> Option<ClusterParams> {
    let chart = c.chart()?;
    let labels = gitops::labels(c).into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    Some(ClusterParams {
        cluster: c.name.clone(),
        site: c.site.clone(),
        site_path: gitops::path_segment(&c.site),
        tier: c.facts.tier.as_str().into(),
        context: c.facts.context.map_or("unknown", domain::Context::as_str).into(),
        cni: c.cni.clone().unwrap_or_default(),
        chart: chart.name().into(),
        chart_name: chart.name().rsplit('/').next().unwrap_or_default().into(),
        chart_repo: chart.repo_url().into(),
        namespace: chart.namespace().into(),
        chart_version: gitops::pinned(c).map(ToString::to_string),
        values_file: c.values_file().unwrap_or_default(),
        overrides_file: gitops::cluster_overrides(c).map(|_| gitops::overrides_path(c)),
        labels,
    })
}

/// The plugin's filters; an empty list keeps everything.
#[derive(Debug, Default)]
struct Filter {
    tiers: Vec<Tier>,
    sites: Vec<String>,
    cnis: Vec<String>,
}

impl Filter {
    fn parse(p: &BTreeMap<String, serde_json::Value>) -> Result<Filter, AppError> {
        let mut err = ValidationError::default();
        let mut list = |key: &str| -> Vec<String> {
            match p.get(key) {
                None | Some(serde_json::Value::Null) => Vec::new(),
                Some(serde_json::Value::String(s)) if s.is_empty() => Vec::new(),
                Some(serde_json::Value::String(s)) => vec![s.clone()],
                Some(serde_json::Value::Array(items)) if items.iter().all(|i| i.is_string()) => {
                    items.iter().filter_map(|i| i.as_str().map(str::to_string)).collect()
                }
                Some(_) => {
                    err.add(format!("input.parameters.{key}"), format!("give {key} as a string or a list of strings"));
                    Vec::new()
                }
            }
        };
        let (tiers, sites, cnis) = (list("tier"), list("site"), list("cni"));
        let mut parsed = Vec::new();
        for t in tiers {
            match t.parse::<Tier>() {
                Ok(t) => parsed.push(t),
                Err(e) => err.add("input.parameters.tier", e.to_string()),
            }
        }
        err.into_result(Filter { tiers: parsed, sites, cnis }).map_err(AppError::from)
    }

    fn keeps(&self, c: &GitopsCluster) -> bool {
        (self.tiers.is_empty() || self.tiers.contains(&c.facts.tier))
            && (self.sites.is_empty() || self.sites.contains(&c.site))
            && (self.cnis.is_empty() || c.cni.as_ref().is_some_and(|k| self.cnis.contains(k)))
    }
}
