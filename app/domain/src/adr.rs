//! Architecture decision records: the record and its status machine, the frozen snapshot of the
//! model it was decided on (with its canonical JSON and SHA-256), review dates and review
//! records, the diff between a snapshot and today's model, the MADR 4 export with its file names
//! and index, and the seed ADR as ADR-0001.
//!
//! Pure like the rest of the crate: no clock (every date is an argument), no I/O. The server
//! stores [`Adr`] and [`ReviewRecord`] and serves [`render_madr`]'s bytes.

mod canonical;
mod diff;
mod draft;
mod escape;
mod fleet_scope;
mod index;
mod madr;
mod madr_more;
mod number;
mod record;
mod review;
mod scope;
mod seed;
mod slug;
mod snapshot;
mod status;
mod summary;
mod text;

#[cfg(test)]
mod golden_tests;
#[cfg(test)]
mod testing;

pub use canonical::{canonical_json, canonical_json_of, sha256_hex};
pub use diff::{
    ClusterGates, FleetDiff, ScoreChange, ScoreValue, SnapshotDiff, ThenNow, TierWinnerChange, TotalChange,
    WeightChange,
};
pub use draft::AdrDraft;
pub use escape::{md_line, yaml_scalar};
pub use fleet_scope::{FiredGate, FleetException, FleetScopeSummary, ScopedCluster};
pub use index::render_index;
pub use madr::{AdrLinks, render_madr};
pub use number::AdrNumber;
pub use record::Adr;
pub use review::{
    DEFAULT_REVIEW_INTERVAL_MONTHS, DUE_SOON_DAYS, MAX_NOTE_CHARS, MAX_REVIEW_INTERVAL_MONTHS,
    MIN_REVIEW_INTERVAL_MONTHS, ReviewOutcome, ReviewRecord, ReviewState, check_interval, next_review,
};
pub use scope::{MAX_SCOPE_CLUSTERS, Scope};
pub use seed::{SEED_TITLE, seed_adr, tier_profiles, tier_profiles_from};
pub use slug::{MAX_SLUG_CHARS, file_name, slug};
pub use snapshot::{
    DismissedOption, EffectiveScore, SNAPSHOT_FORMAT, Snapshot, SnapshotBreakEven, SnapshotCriterion, SnapshotFlip,
    SnapshotOption, SnapshotOverride, SnapshotScore, StakeholderWeights, TierOutcome, TierProfile, TierTotal,
};
pub use status::AdrStatus;
pub use text::{MAX_LINE_CHARS, MAX_LIST_ENTRIES, MAX_NAME_CHARS, MAX_TEXT_CHARS, MAX_TITLE_CHARS};
