//! Review dates and review records: when an accepted ADR is due again, how urgent that is on a
//! given day, and what a review decided.

use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::{AdrNumber, SnapshotDiff};
use crate::ValidationError;

/// Default review interval: the seed says revisit the ADR every twelve months.
pub const DEFAULT_REVIEW_INTERVAL_MONTHS: u32 = 12;

/// Shortest review interval, in months.
pub const MIN_REVIEW_INTERVAL_MONTHS: u32 = 1;

/// Longest review interval, in months.
pub const MAX_REVIEW_INTERVAL_MONTHS: u32 = 36;

/// A review is "due soon" this many days ahead, inclusive.
pub const DUE_SOON_DAYS: u64 = 30;

/// Longest review note, in characters.
pub const MAX_NOTE_CHARS: usize = 2000;

/// Checks a review interval is 1–36 months.
pub fn check_interval(months: u32) -> Result<u32, ValidationError> {
    if (MIN_REVIEW_INTERVAL_MONTHS..=MAX_REVIEW_INTERVAL_MONTHS).contains(&months) {
        return Ok(months);
    }
    Err(ValidationError::field(
        "review_interval_months",
        format!(
            "{months} months is outside {MIN_REVIEW_INTERVAL_MONTHS}–{MAX_REVIEW_INTERVAL_MONTHS}; \
             review at least every three years and at most monthly (default {DEFAULT_REVIEW_INTERVAL_MONTHS})"
        ),
    ))
}

/// `date` plus `months` calendar months, clamped to the end of a shorter month
/// (2024-02-29 + 12 → 2025-02-28; 2026-01-31 + 1 → 2026-02-28). Refuses intervals outside
/// 1–36 months.
pub fn next_review(date: NaiveDate, months: u32) -> Result<NaiveDate, ValidationError> {
    let months = check_interval(months)?;
    date.checked_add_months(Months::new(months)).ok_or_else(|| {
        ValidationError::field("date", format!("{date} plus {months} months is past the last date the calendar knows"))
    })
}

/// How urgent a review is on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReviewState {
    /// The review-by date has passed.
    Overdue,
    /// Due today or within the next 30 days.
    DueSoon,
    /// Due later than that.
    Later,
}

impl ReviewState {
    /// All states, most urgent first.
    pub const ALL: [ReviewState; 3] = [ReviewState::Overdue, ReviewState::DueSoon, ReviewState::Later];

    /// The state of a review due by `review_by`, seen on `today`.
    pub fn of(review_by: NaiveDate, today: NaiveDate) -> Self {
        if review_by < today {
            ReviewState::Overdue
        } else if today.checked_add_days(Days::new(DUE_SOON_DAYS)).is_none_or(|soon| review_by <= soon) {
            ReviewState::DueSoon
        } else {
            ReviewState::Later
        }
    }

    /// The API name.
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewState::Overdue => "overdue",
            ReviewState::DueSoon => "due_soon",
            ReviewState::Later => "later",
        }
    }
}

/// What a review decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReviewOutcome {
    /// The decision still holds; the next review is one interval after this one.
    Reaffirm,
    /// A new ADR replaces it (proposed, pre-filled from the model of the review day).
    Supersede,
}

/// One review of an ADR, as its More Information lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewRecord {
    /// The day of the review.
    pub date: NaiveDate,
    /// Who reviewed.
    pub reviewer: String,
    /// Reaffirmed or superseded.
    pub outcome: ReviewOutcome,
    /// Why (required to reaffirm).
    pub note: String,
    /// For a reaffirmation: the next review date.
    #[serde(default)]
    pub next_review_by: Option<NaiveDate>,
    /// For a supersession: the new ADR.
    #[serde(default)]
    pub superseded_by: Option<AdrNumber>,
    /// What changed between the ADR's snapshot and the model of the review day.
    #[serde(default)]
    pub diff: SnapshotDiff,
}

impl ReviewRecord {
    /// Checks the reviewer and note, returning the record with both trimmed: a reaffirmation
    /// needs a note saying why the decision still holds.
    pub fn validated(mut self) -> Result<Self, ValidationError> {
        let mut err = ValidationError::default();
        self.reviewer = self.reviewer.trim().to_string();
        self.note = self.note.trim().to_string();
        if self.reviewer.is_empty() {
            err.add("reviewer", "name who reviewed the decision");
        }
        if self.outcome == ReviewOutcome::Reaffirm && self.note.is_empty() {
            err.add("note", "a reaffirmation needs a note: say why the decision still holds");
        }
        let n = self.note.chars().count();
        if n > MAX_NOTE_CHARS {
            err.add("note", format!("the note has {n} characters; keep it to {MAX_NOTE_CHARS}"));
        }
        if let Some(m) = super::text::multiline_problem(&self.note) {
            err.add("note", m);
        }
        err.into_result(self)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_leap_day_plus_a_year_is_the_last_day_of_february() {
        assert_eq!(next_review(d(2024, 2, 29), 12).unwrap(), d(2025, 2, 28));
        assert_eq!(next_review(d(2024, 2, 29), 36).unwrap(), d(2027, 2, 28));
        assert_eq!(next_review(d(2023, 2, 28), 12).unwrap(), d(2024, 2, 28));
    }

    #[test]
    fn month_ends_clamp_to_the_shorter_month() {
        assert_eq!(next_review(d(2026, 1, 31), 1).unwrap(), d(2026, 2, 28));
        assert_eq!(next_review(d(2027, 12, 31), 2).unwrap(), d(2028, 2, 29));
        assert_eq!(next_review(d(2026, 3, 31), 1).unwrap(), d(2026, 4, 30));
        assert_eq!(next_review(d(2026, 1, 15), 12).unwrap(), d(2027, 1, 15));
    }

    #[test]
    fn intervals_of_1_and_36_months_are_the_edges() {
        assert_eq!(next_review(d(2026, 1, 15), 1).unwrap(), d(2026, 2, 15));
        assert_eq!(next_review(d(2026, 1, 15), 36).unwrap(), d(2029, 1, 15));
    }

    #[test]
    fn intervals_of_0_and_37_months_are_refused() {
        for months in [0, 37, 120] {
            let err = next_review(d(2026, 1, 15), months).unwrap_err();
            assert!(err.fields["review_interval_months"].contains("outside 1–36"), "{err}");
        }
    }

    #[test]
    fn a_review_is_overdue_after_its_date_and_due_soon_for_30_days_before_it() {
        let due = d(2027, 1, 15);
        assert_eq!(ReviewState::of(due, d(2027, 1, 16)), ReviewState::Overdue);
        assert_eq!(ReviewState::of(due, due), ReviewState::DueSoon);
        assert_eq!(ReviewState::of(due, d(2026, 12, 16)), ReviewState::DueSoon, "30 days ahead, inclusive");
        assert_eq!(ReviewState::of(due, d(2026, 12, 15)), ReviewState::Later, "31 days ahead");
        assert_eq!(serde_json::to_string(&ReviewState::DueSoon).unwrap(), "\"due_soon\"");
    }

    #[test]
    fn a_reaffirmation_without_a_note_is_refused() {
        let r = ReviewRecord {
            date: d(2027, 1, 10),
            reviewer: " Ana ".into(),
            outcome: ReviewOutcome::Reaffirm,
            note: "  ".into(),
            next_review_by: None,
            superseded_by: None,
            diff: SnapshotDiff::default(),
        };
        let err = r.clone().validated().unwrap_err();
        assert!(err.fields["note"].contains("needs a note"), "{err}");
        let ok = ReviewRecord { note: "Nothing material changed.".into(), ..r }.validated().unwrap();
        assert_eq!(ok.reviewer, "Ana");
    }
}
