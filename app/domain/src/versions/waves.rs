//! A fleet's staged upgrade: the pilot plant clusters first, then the plants, then regional and
//! cloud, then the cells, each wave a soak period after the one before.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::upgrade::resolve_target;
use super::{CniVersion, UpgradeError, VersionCatalog, product_name, upgrade_path};
use crate::{Kernel, Tier};

/// Days each wave runs before the next starts, unless told otherwise.
pub const DEFAULT_SOAK_DAYS: u32 = 7;

/// A cluster as the wave planner reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WaveCluster {
    /// Cluster name.
    pub name: String,
    /// Site name.
    pub site: String,
    /// Its tier.
    pub tier: Tier,
    /// Marked as a pilot; only a non-production plant cluster pilots.
    #[serde(default)]
    pub pilot: bool,
    /// Runs production workloads.
    #[serde(default)]
    pub production: bool,
    /// Its pinned version.
    #[serde(default)]
    pub pinned: Option<CniVersion>,
    /// Its nodes' kernel.
    #[serde(default)]
    pub kernel: Option<Kernel>,
}

impl WaveCluster {
    fn is_pilot(&self) -> bool {
        self.pilot && !self.production && self.tier == Tier::Plant
    }

    fn kind(&self) -> WaveKind {
        match self.tier {
            _ if self.is_pilot() => WaveKind::Pilot,
            Tier::Plant => WaveKind::Plants,
            Tier::Regional | Tier::Cloud => WaveKind::RegionalAndCloud,
            Tier::Cell => WaveKind::Cells,
        }
    }
}

/// Which clusters a wave takes, in rollout order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum WaveKind {
    /// Non-production plant clusters marked as pilots.
    Pilot,
    /// The other plant clusters.
    Plants,
    /// Regional and cloud clusters.
    RegionalAndCloud,
    /// Cell clusters.
    Cells,
}

impl WaveKind {
    /// The wave's name for people: "pilot", "plants", "regional and cloud", "cells".
    pub fn label(self) -> &'static str {
        match self {
            WaveKind::Pilot => "pilot",
            WaveKind::Plants => "plants",
            WaveKind::RegionalAndCloud => "regional and cloud",
            WaveKind::Cells => "cells",
        }
    }
}

/// One cluster in a wave, or up to date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlannedCluster {
    /// Cluster name.
    pub name: String,
    /// Site name.
    pub site: String,
    /// Its tier.
    pub tier: Tier,
    /// Its pinned version.
    pub from: CniVersion,
    /// Releases to roll out, in order (empty when up to date).
    pub steps: Vec<CniVersion>,
    /// False when its kernel is unknown, so the steps were not checked against it.
    pub kernel_checked: bool,
}

/// A cluster that cannot join the rollout, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BlockedCluster {
    /// Cluster name.
    pub name: String,
    /// Site name.
    pub site: String,
    /// Its tier.
    pub tier: Tier,
    /// What blocks it, in words.
    pub reason: String,
}

/// One wave of the rollout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Wave {
    /// 0 for the first wave.
    pub number: u32,
    /// Which clusters it takes.
    pub kind: WaveKind,
    /// Days after wave 0 it starts (number × soak days).
    pub start_day: u32,
    /// Its clusters, by name.
    pub clusters: Vec<PlannedCluster>,
}

/// The staged rollout of a target release over a fleet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FleetPlan {
    /// Product key.
    pub product: String,
    /// Release every cluster ends at.
    pub target: CniVersion,
    /// Days between waves.
    pub soak_days: u32,
    /// Non-empty waves, in order.
    pub waves: Vec<Wave>,
    /// Clusters already at the target.
    pub up_to_date: Vec<PlannedCluster>,
    /// Clusters that cannot join, with the reason.
    pub blocked: Vec<BlockedCluster>,
}

/// Plans the rollout of `target` (default: the newest patch of the newest supported minor) over
/// `clusters` (the caller passes those that run `product`), soaking `soak_days` (default [`DEFAULT_SOAK_DAYS`]) between waves. Empty waves are
/// left out, so wave numbers and start days stay consecutive.
pub fn plan_waves(
    clusters: &[WaveCluster],
    product: &str,
    target: Option<CniVersion>,
    soak_days: Option<u32>,
    catalog: &VersionCatalog,
    today: NaiveDate,
) -> Result<FleetPlan, UpgradeError> {
    let target = resolve_target(product, target, catalog, today)?;
    let soak_days = soak_days.unwrap_or(DEFAULT_SOAK_DAYS);
    let mut plan = FleetPlan {
        product: product.to_string(),
        target,
        soak_days,
        waves: Vec::new(),
        up_to_date: Vec::new(),
        blocked: Vec::new(),
    };
    let mut by_kind: Vec<(WaveKind, PlannedCluster)> = Vec::new();
    for c in clusters {
        match plan_one(c, product, target, catalog, today) {
            Err(reason) => {
                plan.blocked.push(BlockedCluster { name: c.name.clone(), site: c.site.clone(), tier: c.tier, reason })
            }
            Ok(p) if p.steps.is_empty() => plan.up_to_date.push(p),
            Ok(p) => by_kind.push((c.kind(), p)),
        }
    }
    by_kind.sort_by(|a, b| (a.0, &a.1.name).cmp(&(b.0, &b.1.name)));
    for (kind, p) in by_kind {
        match plan.waves.last_mut() {
            Some(w) if w.kind == kind => w.clusters.push(p),
            _ => {
                let number = u32::try_from(plan.waves.len()).unwrap_or(u32::MAX);
                plan.waves.push(Wave { number, kind, start_day: number.saturating_mul(soak_days), clusters: vec![p] });
            }
        }
    }
    plan.up_to_date.sort_by(|a, b| a.name.cmp(&b.name));
    plan.blocked.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(plan)
}

/// One cluster's steps, or why it is blocked.
fn plan_one(
    c: &WaveCluster,
    product: &str,
    target: CniVersion,
    catalog: &VersionCatalog,
    today: NaiveDate,
) -> Result<PlannedCluster, String> {
    let name = product_name(product);
    let from = c.pinned.ok_or_else(|| format!("no {name} version is pinned: pin the release it runs first"))?;
    let path =
        upgrade_path(product, from, Some(target), c.kernel.as_ref(), catalog, today).map_err(|e| e.to_string())?;
    if let (Some(step), Some(kernel)) = (path.first_kernel_block(), c.kernel) {
        return Err(format!(
            "kernel {} is too old for {name} {} (needs {}): upgrade the kernel first",
            kernel.version,
            step.version,
            step.min_kernel.as_deref().unwrap_or("a newer kernel")
        ));
    }
    Ok(PlannedCluster {
        name: c.name.clone(),
        site: c.site.clone(),
        tier: c.tier,
        from,
        steps: path.steps.iter().map(|s| s.version).collect(),
        kernel_checked: c.kernel.is_some(),
    })
}

impl FleetPlan {
    /// The plan as CSV (RFC 4180: fields with `,`, `"` or line breaks quoted, quotes doubled), one
    /// row per cluster: `wave,wave_name,start_day,cluster,site,tier,from,steps,status`.
    pub fn to_csv(&self) -> String {
        let mut out = String::from("wave,wave_name,start_day,cluster,site,tier,from,steps,status\r\n");
        for w in &self.waves {
            for c in &w.clusters {
                let status = if c.kernel_checked { "planned" } else { "planned (kernel unknown)" };
                let row = [
                    &w.number.to_string(),
                    w.kind.label(),
                    &w.start_day.to_string(),
                    &c.name,
                    &c.site,
                    c.tier.as_str(),
                    &c.from.to_string(),
                    &steps(c),
                    status,
                ];
                push_csv_row(&mut out, &row);
            }
        }
        for c in &self.up_to_date {
            push_csv_row(
                &mut out,
                &["", "", "", &c.name, &c.site, c.tier.as_str(), &c.from.to_string(), "", "up to date"],
            );
        }
        for b in &self.blocked {
            push_csv_row(
                &mut out,
                &["", "", "", &b.name, &b.site, b.tier.as_str(), "", "", &format!("blocked: {}", b.reason)],
            );
        }
        out
    }

    /// The plan as Markdown: a table per wave, then the clusters up to date and the blocked ones.
    pub fn to_markdown(&self) -> String {
        let mut out = format!(
            "# {} {} rollout\n\nWaves start {} days apart.\n",
            product_name(&self.product),
            self.target,
            self.soak_days
        );
        if self.waves.first().is_some_and(|w| w.kind != WaveKind::Pilot) {
            out.push_str("\nNo pilot wave: no non-production plant cluster is marked as a pilot.\n");
        }
        for w in &self.waves {
            out.push_str(&format!(
                "\n## Wave {}: {} (day {})\n\n| cluster | site | tier | from | steps |\n|---|---|---|---|---|\n",
                w.number,
                w.kind.label(),
                w.start_day
            ));
            for c in &w.clusters {
                out.push_str(&format!(
                    "| {} | {} | {} | {} | {} |\n",
                    md(&c.name),
                    md(&c.site),
                    c.tier.as_str(),
                    c.from,
                    steps(c)
                ));
            }
        }
        if !self.up_to_date.is_empty() {
            out.push_str("\n## Up to date\n\n");
            for c in &self.up_to_date {
                out.push_str(&format!("- {} ({}, {})\n", md(&c.name), md(&c.site), c.from));
            }
        }
        if !self.blocked.is_empty() {
            out.push_str("\n## Blocked\n\n| cluster | site | tier | reason |\n|---|---|---|---|\n");
            for b in &self.blocked {
                out.push_str(&format!(
                    "| {} | {} | {} | {} |\n",
                    md(&b.name),
                    md(&b.site),
                    b.tier.as_str(),
                    md(&b.reason)
                ));
            }
        }
        out
    }
}

/// "1.19.7 → 1.20.1".
fn steps(c: &PlannedCluster) -> String {
    c.steps.iter().map(ToString::to_string).collect::<Vec<_>>().join(" → ")
}

fn push_csv_row(out: &mut String, fields: &[&str]) {
    let quoted: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
    out.push_str(&quoted.join(","));
    out.push_str("\r\n");
}

/// A field quoted where RFC 4180 needs it, with `'` in front of what a spreadsheet would read as a
/// formula (a site named `=HYPERLINK(…)`).
fn csv_field(f: &str) -> String {
    let f = crate::text::formula_safe(f);
    if f.contains([',', '"', '\r', '\n']) { format!("\"{}\"", f.replace('"', "\"\"")) } else { f.into_owned() }
}

/// A table cell: `|` escaped, line breaks as spaces, `<` as an entity so no text becomes HTML.
fn md(text: &str) -> String {
    text.replace('\\', "\\\\").replace('|', "\\|").replace('<', "&lt;").replace("\r\n", " ").replace(['\r', '\n'], " ")
}

#[cfg(test)]
#[path = "waves_tests.rs"]
mod tests;
