//! Helpers shared by the versions tests.
#![allow(clippy::unwrap_used)]

use chrono::NaiveDate;

use super::CniVersion;

/// A date from `YYYY-MM-DD`.
pub fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// A version from its text.
pub fn v(s: &str) -> CniVersion {
    s.parse().unwrap()
}
