//! Fixtures shared by the ADR tests: the seed model, its profiles and snapshots built from them.

#![allow(clippy::unwrap_used)]

use super::{FleetScopeSummary, Snapshot, TierProfile};
use crate::reference::reference;
use crate::{Model, NaiveDate, Weights};

/// The reference model.
pub fn model() -> Model {
    reference().unwrap().model()
}

/// The seed's default weights ("Industrial ADR 2026").
pub fn seed_weights() -> Weights {
    let r = reference().unwrap();
    Weights::from_percent_map(&r.model(), &r.profiles[0].weights).unwrap()
}

/// The reference profiles that have a tier.
pub fn tier_profiles() -> Vec<TierProfile> {
    super::tier_profiles_from(&reference().unwrap()).unwrap()
}

/// The seed weights frozen with no tier and an empty fleet.
pub fn seed_snapshot() -> Snapshot {
    Snapshot::build(&model(), &seed_weights(), None, FleetScopeSummary::default()).unwrap()
}

/// A date.
pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}
