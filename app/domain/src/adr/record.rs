//! The [`Adr`]: number, status, dates, links and the frozen snapshot, moved through the status
//! machine.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{AdrDraft, AdrNumber, AdrStatus, ReviewState, Snapshot, next_review};
use crate::{Model, ValidationError};

/// An architecture decision record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Adr {
    /// `ADR-0001`, on the wire the plain integer.
    pub number: AdrNumber,
    /// Where it stands.
    pub status: AdrStatus,
    /// Title, scope, chosen option, people and decision text.
    #[serde(flatten)]
    pub draft: AdrDraft,
    /// The day it was recorded (proposed); the export's `date` until it is decided.
    pub recorded_on: NaiveDate,
    /// The day it was accepted or rejected.
    pub date: Option<NaiveDate>,
    /// Next review, while accepted.
    pub review_by: Option<NaiveDate>,
    /// The ADR this one replaces.
    pub supersedes: Option<AdrNumber>,
    /// The ADR that replaced this one.
    pub superseded_by: Option<AdrNumber>,
    /// The model it was decided on.
    pub snapshot: Snapshot,
    /// SHA-256 of the snapshot's canonical JSON.
    pub snapshot_sha256: String,
}

impl Adr {
    /// A new proposed ADR: the draft validated against `model` and the snapshot hashed. When
    /// the chosen option is not the snapshot's winner, the draft must say why.
    pub fn propose(
        number: AdrNumber,
        draft: AdrDraft,
        snapshot: Snapshot,
        recorded_on: NaiveDate,
        model: &Model,
    ) -> Result<Adr, ValidationError> {
        let draft = checked(draft, &snapshot, model)?;
        let snapshot_sha256 = hash(&snapshot)?;
        Ok(Adr {
            number,
            status: AdrStatus::Proposed,
            draft,
            recorded_on,
            date: None,
            review_by: None,
            supersedes: None,
            superseded_by: None,
            snapshot,
            snapshot_sha256,
        })
    }

    /// This ADR with new text and snapshot, while it is still proposed; an accepted (or
    /// otherwise decided) ADR's text and snapshot are frozen.
    pub fn revise(&self, draft: AdrDraft, snapshot: Snapshot, model: &Model) -> Result<Adr, ValidationError> {
        if !self.status.is_editable() {
            return Err(ValidationError::field(
                "status",
                format!(
                    "{} is {}: its decision text and snapshot are frozen; record a new ADR that supersedes it",
                    self.number, self.status
                ),
            ));
        }
        let draft = checked(draft, &snapshot, model)?;
        let snapshot_sha256 = hash(&snapshot)?;
        Ok(Adr { draft, snapshot, snapshot_sha256, ..self.clone() })
    }

    /// Accepts a proposed ADR on `today`: sets `date` and the first review (date + interval).
    pub fn accept(&mut self, today: NaiveDate) -> Result<(), ValidationError> {
        self.status.check_transition(AdrStatus::Accepted)?;
        let review_by = next_review(today, self.draft.review_interval_months)?;
        self.status = AdrStatus::Accepted;
        self.date = Some(today);
        self.review_by = Some(review_by);
        Ok(())
    }

    /// Rejects a proposed ADR on `today`.
    pub fn reject(&mut self, today: NaiveDate) -> Result<(), ValidationError> {
        self.status.check_transition(AdrStatus::Rejected)?;
        self.status = AdrStatus::Rejected;
        self.date = Some(today);
        self.review_by = None;
        Ok(())
    }

    /// Deprecates an accepted ADR: it no longer applies and is no longer reviewed.
    pub fn deprecate(&mut self) -> Result<(), ValidationError> {
        self.status.check_transition(AdrStatus::Deprecated)?;
        self.status = AdrStatus::Deprecated;
        self.review_by = None;
        Ok(())
    }

    /// Marks an accepted ADR as superseded by `by` (call it when `by` is accepted).
    pub fn supersede(&mut self, by: AdrNumber) -> Result<(), ValidationError> {
        self.status.check_transition(AdrStatus::Superseded)?;
        if by == self.number {
            return Err(ValidationError::field("superseded_by", format!("{by} cannot supersede itself")));
        }
        self.status = AdrStatus::Superseded;
        self.superseded_by = Some(by);
        self.review_by = None;
        Ok(())
    }

    /// Applies a status change as the API asks for it; `superseded_by` is needed for
    /// `superseded` and refused otherwise.
    pub fn set_status(
        &mut self,
        next: AdrStatus,
        today: NaiveDate,
        superseded_by: Option<AdrNumber>,
    ) -> Result<(), ValidationError> {
        if next != AdrStatus::Superseded && superseded_by.is_some() {
            return Err(ValidationError::field("superseded_by", "only a superseded ADR names its successor"));
        }
        match next {
            AdrStatus::Accepted => self.accept(today),
            AdrStatus::Rejected => self.reject(today),
            AdrStatus::Deprecated => self.deprecate(),
            AdrStatus::Superseded => match superseded_by {
                Some(by) => self.supersede(by),
                None => {
                    self.status.check_transition(next)?;
                    Err(ValidationError::field("superseded_by", "name the ADR that supersedes this one, e.g. ADR-0002"))
                }
            },
            AdrStatus::Proposed => self.status.check_transition(next),
        }
    }

    /// Records a reaffirming review on `review_date`: the next review is one interval later.
    pub fn reaffirm(&mut self, review_date: NaiveDate) -> Result<NaiveDate, ValidationError> {
        if self.status != AdrStatus::Accepted {
            return Err(ValidationError::field(
                "status",
                format!("{} is {}; only an accepted ADR is reviewed and reaffirmed", self.number, self.status),
            ));
        }
        let next = next_review(review_date, self.draft.review_interval_months)?;
        self.review_by = Some(next);
        Ok(next)
    }

    /// The review state on `today`, for an accepted ADR with a review date.
    pub fn review_state(&self, today: NaiveDate) -> Option<ReviewState> {
        match (self.status, self.review_by) {
            (AdrStatus::Accepted, Some(by)) => Some(ReviewState::of(by, today)),
            _ => None,
        }
    }

    /// True when the stored hash matches the snapshot.
    pub fn snapshot_intact(&self) -> bool {
        self.snapshot.sha256_hex().is_ok_and(|h| h == self.snapshot_sha256)
    }

    /// The export file name, `0001-title-with-dashes.md`.
    pub fn file_name(&self) -> String {
        super::file_name(self.number, &self.draft.title)
    }

    /// The date the export's front matter carries: the decision date, else the day recorded.
    pub fn export_date(&self) -> NaiveDate {
        self.date.unwrap_or(self.recorded_on)
    }
}

fn checked(draft: AdrDraft, snapshot: &Snapshot, model: &Model) -> Result<AdrDraft, ValidationError> {
    let draft = draft.validated(model)?;
    if snapshot.winner.as_deref() != Some(draft.chosen.as_str()) && draft.justification.is_empty() {
        let winner = snapshot.winner.as_deref().map_or("no option (a tie)", |w| snapshot.name_of(w));
        return Err(ValidationError::field(
            "justification",
            format!(
                "the weighted winner is {winner}, not {}; write a justification saying why it is chosen",
                snapshot.name_of(&draft.chosen)
            ),
        ));
    }
    Ok(draft)
}

fn hash(snapshot: &Snapshot) -> Result<String, ValidationError> {
    snapshot.sha256_hex().map_err(|e| ValidationError::field("snapshot", format!("the snapshot cannot be stored: {e}")))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::adr::testing::{d, model, seed_snapshot};

    fn proposed() -> Adr {
        let draft = AdrDraft::new("Cilium for the cloud tier", "cilium");
        Adr::propose(AdrNumber(2), draft, seed_snapshot(), d(2026, 3, 1), &model()).unwrap()
    }

    #[test]
    fn choosing_against_the_weighted_winner_needs_a_justification() {
        let draft = AdrDraft::new("Calico everywhere", "calico");
        let err = Adr::propose(AdrNumber(2), draft.clone(), seed_snapshot(), d(2026, 3, 1), &model()).unwrap_err();
        assert!(err.fields["justification"].contains("the weighted winner is Cilium, not Calico"), "{err}");
        let justified = AdrDraft { justification: "one CNI for the whole fleet is simpler to run".into(), ..draft };
        Adr::propose(AdrNumber(2), justified, seed_snapshot(), d(2026, 3, 1), &model()).unwrap();
    }

    #[test]
    fn accepting_sets_the_date_and_the_first_review_one_interval_later() {
        let mut adr = proposed();
        assert!(adr.snapshot_intact());
        adr.accept(d(2026, 3, 31)).unwrap();
        assert_eq!(
            (adr.status, adr.date, adr.review_by),
            (AdrStatus::Accepted, Some(d(2026, 3, 31)), Some(d(2027, 3, 31)))
        );
        assert_eq!(adr.review_state(d(2027, 3, 1)), Some(ReviewState::DueSoon));
        assert_eq!(adr.reaffirm(d(2027, 3, 20)).unwrap(), d(2028, 3, 20));
        assert!(adr.accept(d(2027, 3, 20)).is_err(), "accepted is not a successor of accepted");
    }

    #[test]
    fn a_decided_adr_is_frozen_and_a_proposed_one_can_be_revised() {
        let adr = proposed();
        let mut draft = adr.draft.clone();
        draft.title = "Cilium for cloud and regional clusters".into();
        let revised = adr.revise(draft.clone(), seed_snapshot(), &model()).unwrap();
        assert_eq!(revised.draft.title, "Cilium for cloud and regional clusters");
        let mut accepted = revised;
        accepted.accept(d(2026, 4, 1)).unwrap();
        let err = accepted.revise(draft, seed_snapshot(), &model()).unwrap_err();
        assert!(
            err.fields["status"].contains("ADR-0002 is accepted: its decision text and snapshot are frozen"),
            "{err}"
        );
    }

    #[test]
    fn status_changes_follow_the_machine_and_superseding_names_the_successor() {
        let mut adr = proposed();
        let err = adr.set_status(AdrStatus::Superseded, d(2026, 4, 1), Some(AdrNumber(3))).unwrap_err();
        assert!(err.fields["status"].contains("from proposed to superseded"), "{err}");
        adr.set_status(AdrStatus::Accepted, d(2026, 4, 1), None).unwrap();
        let err = adr.set_status(AdrStatus::Superseded, d(2027, 4, 1), None).unwrap_err();
        assert!(err.fields["superseded_by"].contains("name the ADR"), "{err}");
        assert!(adr.supersede(AdrNumber(2)).is_err(), "an ADR cannot supersede itself");
        adr.set_status(AdrStatus::Superseded, d(2027, 4, 1), Some(AdrNumber(3))).unwrap();
        assert_eq!((adr.status, adr.superseded_by, adr.review_by), (AdrStatus::Superseded, Some(AdrNumber(3)), None));
        assert_eq!(adr.review_state(d(2027, 4, 1)), None);
        assert!(adr.reaffirm(d(2027, 4, 2)).is_err());
    }

    #[test]
    fn an_adr_travels_with_the_issue_field_names() {
        let adr = proposed();
        let json = serde_json::to_value(&adr).unwrap();
        for key in [
            "number",
            "title",
            "status",
            "scope",
            "chosen",
            "decision_makers",
            "consulted",
            "informed",
            "review_interval_months",
            "date",
            "review_by",
            "supersedes",
            "superseded_by",
            "snapshot_sha256",
        ] {
            assert!(json.get(key).is_some(), "missing {key}");
        }
        assert_eq!(json["number"], 2);
        assert_eq!(json["status"], "proposed");
        assert_eq!(json["scope"], serde_json::json!({"tiers": [], "contexts": [], "clusters": []}));
        let back: Adr = serde_json::from_value(json).unwrap();
        assert_eq!(back, adr);
    }
}
