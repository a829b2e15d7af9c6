//! Switchyard's decision engine: pure Rust, no I/O, no clock. It compiles to WASM for the browser
//! and natively for the server, so both compute the same numbers.

pub mod adr;
pub mod break_even;
pub mod catalog;
mod error;
pub mod fleet;
pub mod gates;
#[cfg(feature = "interchange")]
pub mod gitops;
mod model;
#[cfg(feature = "openapi")]
mod openapi;
pub mod reference;
pub mod robustness;
pub mod scoring;
pub mod stakeholders;
pub mod text;
pub mod versions;
pub mod weights;

pub use break_even::{BreakEven, Flip, Ratio, break_even};
pub use catalog::{Catalog, Cycle, Release};
pub use chrono::NaiveDate;
pub use error::ValidationError;
pub use fleet::{
    ClusterRecord, FleetDoc, ProfileChoice, Recommendation, RowError, SiteKind, SiteRecord, pick_profile, recommend,
    validate_doc,
};
pub use gates::{
    BgpFabric, ClusterFacts, Gate, GatePolicy, Kernel, KernelVersion, Severity, evaluate_gates, evaluate_gates_with,
    mtu_plan, pod_mtu,
};
pub use model::{Candidate, CandidateStatus, Context, Criterion, MAX_SCORE, Model, Score, ScoreTable, Tier};
pub use scoring::{CandidateResult, Evaluation, evaluate, format_points, points};
pub use versions::{
    CniVersion, FleetPlan, Lifecycle, LifecycleInput, UpgradePath, VersionCatalog, lifecycle, plan_waves, upgrade_path,
};
pub use weights::{FULL, Weights};

#[cfg(test)]
mod tests;
