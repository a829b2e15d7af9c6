//! One cluster's CNI version against the catalog: end of life, how far behind, drift between what
//! is pinned and what runs, stale observations and a kernel too old for the pinned release.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{CniVersion, VersionCatalog, product_name};
use crate::{Cycle, Kernel, Release};

/// A minor whose end of life is at most this many days ahead is `eol_soon` (90 days ahead is
/// soon; 91 is not).
pub const EOL_SOON_DAYS: i64 = 90;

/// An observation this many days old or older is `stale` (29 days is fresh, 30 is stale).
pub const STALE_DAYS: i64 = 30;

/// What the cluster last reported running.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Observation {
    /// The CNI running (candidate key).
    pub cni: String,
    /// Its version.
    pub version: CniVersion,
    /// The nodes' kernel, when reported.
    #[serde(default)]
    pub kernel: Option<Kernel>,
    /// Day of the observation.
    pub observed_at: NaiveDate,
}

/// A cluster's CNI facts as the lifecycle check reads them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LifecycleInput {
    /// The CNI decided for it (candidate key).
    #[serde(default)]
    pub decided_cni: Option<String>,
    /// The pinned version.
    #[serde(default)]
    pub pinned: Option<CniVersion>,
    /// The kernel on record for the cluster.
    #[serde(default)]
    pub kernel: Option<Kernel>,
    /// The latest observation, if it ever reported.
    #[serde(default)]
    pub observation: Option<Observation>,
}

/// Where the cluster's minor stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LifecycleStatus {
    /// Supported, and not within [`EOL_SOON_DAYS`] of its end of life.
    Supported,
    /// End of life within [`EOL_SOON_DAYS`].
    EolSoon,
    /// End of life has come (on the EOL day itself too), or the minor fell out of the product's
    /// support window.
    Eol,
    /// No version, one the catalog does not list (or whose minor has no matrix row), or a minor
    /// not yet GA.
    UnknownVersion,
}

/// What a finding is about; stable API names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FindingCode {
    /// The minor is out of support.
    Eol,
    /// The minor ends within [`EOL_SOON_DAYS`].
    EolSoon,
    /// The version is not in the catalog.
    UnknownVersion,
    /// No version is pinned.
    Unpinned,
    /// The observed version differs from the pin.
    Drift,
    /// The observed CNI differs from the decided one.
    CniDrift,
    /// No observation for [`STALE_DAYS`], or never.
    Stale,
    /// The pinned release needs a newer kernel than the cluster's.
    KernelTooOld,
    /// Newer patches of the same minor exist.
    PatchesBehind,
    /// Newer minors exist.
    MinorsBehind,
}

impl FindingCode {
    /// The API name (`eol`, `kernel_too_old`).
    pub fn as_str(self) -> &'static str {
        match self {
            FindingCode::Eol => "eol",
            FindingCode::EolSoon => "eol_soon",
            FindingCode::UnknownVersion => "unknown_version",
            FindingCode::Unpinned => "unpinned",
            FindingCode::Drift => "drift",
            FindingCode::CniDrift => "cni_drift",
            FindingCode::Stale => "stale",
            FindingCode::KernelTooOld => "kernel_too_old",
            FindingCode::PatchesBehind => "patches_behind",
            FindingCode::MinorsBehind => "minors_behind",
        }
    }
}

/// One thing to act on, in a site engineer's words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Finding {
    /// Stable code.
    pub code: FindingCode,
    /// What is wrong and what to do.
    pub message: String,
}

/// The verdict on one cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Lifecycle {
    /// The product judged: the decided CNI, else the observed one.
    pub product: Option<String>,
    /// The version judged: the pin, else the observed version.
    pub version: Option<CniVersion>,
    /// Where its minor stands.
    pub status: LifecycleStatus,
    /// The minor's end of life, when announced.
    pub eol_date: Option<NaiveDate>,
    /// Newer releases of the same minor (0 for a pin naming the minor alone).
    pub patches_behind: Option<usize>,
    /// Newer minors already GA.
    pub minors_behind: Option<usize>,
    /// What to act on, in [`FindingCode`] order.
    pub findings: Vec<Finding>,
}

/// Judges one cluster's CNI version on `today`.
pub fn lifecycle(input: &LifecycleInput, catalog: &VersionCatalog, today: NaiveDate) -> Lifecycle {
    let observed = input.observation.as_ref();
    let product = input.decided_cni.clone().or_else(|| observed.map(|o| o.cni.clone()));
    let observed_version = observed.filter(|o| Some(&o.cni) == product.as_ref()).map(|o| o.version);
    let version = input.pinned.or(observed_version);
    let mut out = Lifecycle {
        product: product.clone(),
        version,
        status: LifecycleStatus::UnknownVersion,
        eol_date: None,
        patches_behind: None,
        minors_behind: None,
        findings: Vec::new(),
    };
    if let (Some(product), Some(version)) = (product.as_deref(), version) {
        judge_version(&mut out, product, version, catalog, today);
        if let Some(f) = kernel_too_old(input, product, version, catalog) {
            out.findings.push(f);
        }
    }
    out.findings.extend(pin_findings(input, product.as_deref(), catalog, today));
    out.findings.sort_by_key(|f| f.code);
    out
}

/// Status, EOL date, patches and minors behind, with their findings.
fn judge_version(out: &mut Lifecycle, product: &str, version: CniVersion, catalog: &VersionCatalog, today: NaiveDate) {
    let name = product_name(product);
    let Some(release) = catalog.minor(product, version.cycle()).filter(|_| catalog.knows(product, version)) else {
        out.findings.push(Finding {
            code: FindingCode::UnknownVersion,
            message: format!(
                "{name} {version} is not in the release catalog ({}): check the pin, or update the catalog",
                catalog.nearest_words(product, version)
            ),
        });
        return;
    };
    if release.ga_date > today {
        out.findings.push(Finding {
            code: FindingCode::UnknownVersion,
            message: format!(
                "{name} {} is not released yet (GA on {}): pin a released version",
                release.cycle, release.ga_date
            ),
        });
        return;
    }
    out.eol_date = release.eol_date;
    out.status = status(release, catalog, today);
    let target = catalog.recommended(product, today);
    if let Some(f) = eol_finding(out.status, release, target, catalog, today) {
        out.findings.push(f);
    }
    let (patches_behind, finding) = patches_behind(product, version, catalog, today);
    out.patches_behind = Some(patches_behind);
    out.findings.extend(finding);
    let (minors_behind, finding) = minors_behind(product, version, catalog, today);
    out.minors_behind = Some(minors_behind);
    out.findings.extend(finding);
}

/// Newer releases of the version's minor out on `today`; a minor alone is never behind.
fn patches_behind(
    product: &str,
    version: CniVersion,
    catalog: &VersionCatalog,
    today: NaiveDate,
) -> (usize, Option<Finding>) {
    let patches = catalog.patches_on(product, version.cycle(), today);
    let behind = version.patch.map_or(0, |p| patches.iter().filter(|x| x.patch.is_some_and(|q| q > p)).count());
    let finding = patches.last().filter(|_| behind > 0).map(|newest| Finding {
        code: FindingCode::PatchesBehind,
        message: format!(
            "{} {version} is {behind} patch release{} behind {newest}: take {newest} in the next maintenance window",
            product_name(product),
            plural(behind)
        ),
    });
    (behind, finding)
}

/// Newer minors already GA on `today`.
fn minors_behind(
    product: &str,
    version: CniVersion,
    catalog: &VersionCatalog,
    today: NaiveDate,
) -> (usize, Option<Finding>) {
    let newer: Vec<Cycle> =
        catalog.released_minors(product, today).iter().map(|r| r.cycle).filter(|c| *c > version.cycle()).collect();
    let finding = newer.last().map(|newest| Finding {
        code: FindingCode::MinorsBehind,
        message: format!(
            "{} {} is {} minor release{} behind {newest}",
            product_name(product),
            version.cycle(),
            newer.len(),
            plural(newer.len())
        ),
    });
    (newer.len(), finding)
}

fn status(release: &Release, catalog: &VersionCatalog, today: NaiveDate) -> LifecycleStatus {
    let in_window = catalog.supported_cycles(&release.product, today).contains(&release.cycle);
    match release.eol_date {
        _ if !in_window => LifecycleStatus::Eol,
        Some(eol) if (eol - today).num_days() <= EOL_SOON_DAYS => LifecycleStatus::EolSoon,
        _ => LifecycleStatus::Supported,
    }
}

fn eol_finding(
    status: LifecycleStatus,
    release: &Release,
    target: Option<CniVersion>,
    catalog: &VersionCatalog,
    today: NaiveDate,
) -> Option<Finding> {
    let name = product_name(&release.product);
    let steps = catalog.policy.of(&release.product).is_some_and(|p| p.one_minor_at_a_time);
    let plan = match target {
        Some(t) if steps => format!("plan the upgrade to {t}, one minor at a time, through the plant pilot first"),
        Some(t) => format!("plan the upgrade to {t} through the plant pilot first"),
        None => "plan an upgrade through the plant pilot first".to_string(),
    };
    let cycle = release.cycle;
    match (status, release.eol_date) {
        (LifecycleStatus::Eol, Some(eol)) if eol <= today => Some(Finding {
            code: FindingCode::Eol,
            message: format!("{name} {cycle} reached end of life on {eol}: {plan}"),
        }),
        (LifecycleStatus::Eol, _) => {
            let supported: Vec<String> =
                catalog.supported_cycles(&release.product, today).iter().map(ToString::to_string).collect();
            Some(Finding {
                code: FindingCode::Eol,
                message: format!(
                    "{name} {cycle} is no longer supported upstream (supported now: {}): {plan}",
                    supported.join(", ")
                ),
            })
        }
        (LifecycleStatus::EolSoon, Some(eol)) => {
            let days = (eol - today).num_days();
            Some(Finding {
                code: FindingCode::EolSoon,
                message: format!("{name} {cycle} reaches end of life on {eol}, in {days} day{}: {plan}", plural(days)),
            })
        }
        _ => None,
    }
}

/// The pinned (else observed) release needs a newer kernel than the observed (else recorded) one.
fn kernel_too_old(
    input: &LifecycleInput,
    product: &str,
    version: CniVersion,
    catalog: &VersionCatalog,
) -> Option<Finding> {
    let kernel = input.observation.as_ref().and_then(|o| o.kernel).or(input.kernel)?;
    let required = catalog.min_kernel(product, version.cycle())?;
    (!required.accepts(&kernel)).then(|| Finding {
        code: FindingCode::KernelTooOld,
        message: format!(
            "{} {} needs kernel {} or later; the nodes run {}: upgrade the kernel before this release",
            product_name(product),
            version.cycle(),
            required.describe(),
            kernel.version
        ),
    })
}

/// Unpinned, drift, CNI drift and stale.
fn pin_findings(
    input: &LifecycleInput,
    product: Option<&str>,
    catalog: &VersionCatalog,
    today: NaiveDate,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let observed = input.observation.as_ref();
    if let (Some(product), None) = (product, input.pinned) {
        let name = product_name(product);
        let running = observed.map_or_else(String::new, |o| format!(" (it was seen running {})", o.version));
        let suggestion = catalog.recommended(product, today).map_or_else(String::new, |v| format!(", e.g. {v}"));
        out.push(Finding {
            code: FindingCode::Unpinned,
            message: format!("No {name} version is pinned{running}: pin the release it should run{suggestion}"),
        });
    }
    if let (Some(o), Some(decided)) = (observed, input.decided_cni.as_deref())
        && o.cni != decided
    {
        out.push(Finding {
            code: FindingCode::CniDrift,
            message: format!(
                "The cluster runs {} but {} was decided: migrate it, or record a new decision",
                product_name(&o.cni),
                product_name(decided)
            ),
        });
    }
    if let (Some(o), Some(pin)) = (observed, input.pinned)
        && Some(o.cni.as_str()) == product
        && drifts(pin, o.version)
    {
        out.push(Finding {
            code: FindingCode::Drift,
            message: format!(
                "The cluster runs {} {} but {pin} is pinned: roll out the pinned release again, or change the pin",
                product_name(&o.cni),
                o.version
            ),
        });
    }
    out.extend(stale(observed, today));
    out
}

/// A pin naming a minor alone accepts every release of it.
fn drifts(pin: CniVersion, observed: CniVersion) -> bool {
    if pin.is_minor_only() { pin.cycle() != observed.cycle() } else { pin != observed }
}

fn stale(observed: Option<&Observation>, today: NaiveDate) -> Option<Finding> {
    let message = match observed {
        None => "The cluster has never reported the CNI it runs: check that its reporting job runs".to_string(),
        Some(o) => {
            let days = (today - o.observed_at).num_days();
            if days < STALE_DAYS {
                return None;
            }
            format!(
                "No report from the cluster for {days} days (last on {}): check that its reporting job runs",
                o.observed_at
            )
        }
    };
    Some(Finding { code: FindingCode::Stale, message })
}

fn plural<T: PartialEq + From<u8>>(n: T) -> &'static str {
    if n == T::from(1) { "" } else { "s" }
}

#[cfg(test)]
#[path = "lifecycle_tests.rs"]
mod tests;

#[cfg(test)]
mod code_tests {
    #![allow(clippy::unwrap_used)]
    use super::FindingCode;

    #[test]
    fn finding_codes_name_themselves_as_serde_does() {
        for c in [FindingCode::Eol, FindingCode::EolSoon, FindingCode::KernelTooOld, FindingCode::CniDrift] {
            assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
        }
    }
}
