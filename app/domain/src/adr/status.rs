//! The ADR status machine, in the MADR and Log4brains vocabulary.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use crate::ValidationError;

/// Where an ADR stands. A superseded ADR names its successor in
/// [`Adr::superseded_by`](super::Adr::superseded_by), not in the status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AdrStatus {
    /// Recorded, not yet decided; its text can still change.
    Proposed,
    /// Decided: the snapshot and decision text are frozen and it is reviewed on a schedule.
    Accepted,
    /// Decided against.
    Rejected,
    /// No longer applies, with nothing in its place.
    Deprecated,
    /// Replaced by a newer accepted ADR.
    Superseded,
}

impl AdrStatus {
    /// Every status, in lifecycle order.
    pub const ALL: [AdrStatus; 5] =
        [AdrStatus::Proposed, AdrStatus::Accepted, AdrStatus::Rejected, AdrStatus::Deprecated, AdrStatus::Superseded];

    /// The API and front-matter name.
    pub fn as_str(self) -> &'static str {
        match self {
            AdrStatus::Proposed => "proposed",
            AdrStatus::Accepted => "accepted",
            AdrStatus::Rejected => "rejected",
            AdrStatus::Deprecated => "deprecated",
            AdrStatus::Superseded => "superseded",
        }
    }

    /// The statuses this one may change to: proposed → accepted or rejected; accepted →
    /// deprecated or superseded; the others are final.
    pub fn successors(self) -> &'static [AdrStatus] {
        match self {
            AdrStatus::Proposed => &[AdrStatus::Accepted, AdrStatus::Rejected],
            AdrStatus::Accepted => &[AdrStatus::Deprecated, AdrStatus::Superseded],
            AdrStatus::Rejected | AdrStatus::Deprecated | AdrStatus::Superseded => &[],
        }
    }

    /// True when the status machine allows going from `self` to `next`.
    pub fn can_become(self, next: AdrStatus) -> bool {
        self.successors().contains(&next)
    }

    /// `Ok` when `self → next` is allowed, otherwise a `status` error that says what is.
    pub fn check_transition(self, next: AdrStatus) -> Result<(), ValidationError> {
        if self.can_become(next) {
            return Ok(());
        }
        let allowed: Vec<&str> = self.successors().iter().map(|s| s.as_str()).collect();
        let how = if allowed.is_empty() {
            format!("a {self} ADR is final; record a new ADR instead")
        } else {
            format!("a {self} ADR can only become {}", allowed.join(" or "))
        };
        Err(ValidationError::field("status", format!("cannot change status from {self} to {next}: {how}")))
    }

    /// True while the text and snapshot may still change.
    pub fn is_editable(self) -> bool {
        self == AdrStatus::Proposed
    }
}

impl fmt::Display for AdrStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AdrStatus {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AdrStatus::ALL.into_iter().find(|st| st.as_str() == s).ok_or_else(|| {
            ValidationError::field(
                "status",
                format!("unknown status '{s}'; use one of proposed, accepted, rejected, deprecated, superseded"),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use AdrStatus::*;

    #[test]
    fn proposed_becomes_accepted_or_rejected_and_accepted_becomes_deprecated_or_superseded() {
        let allowed = [(Proposed, Accepted), (Proposed, Rejected), (Accepted, Deprecated), (Accepted, Superseded)];
        for from in AdrStatus::ALL {
            for to in AdrStatus::ALL {
                assert_eq!(from.can_become(to), allowed.contains(&(from, to)), "{from} → {to}");
            }
        }
    }

    #[test]
    fn an_illegal_transition_says_what_is_allowed() {
        let err = Proposed.check_transition(Superseded).unwrap_err();
        assert_eq!(
            err.fields["status"],
            "cannot change status from proposed to superseded: a proposed ADR can only become accepted or rejected"
        );
        let err = Rejected.check_transition(Accepted).unwrap_err();
        assert!(err.fields["status"].contains("final; record a new ADR"), "{err}");
        Accepted.check_transition(Superseded).unwrap();
    }

    #[test]
    fn statuses_use_their_snake_case_names() {
        assert_eq!(serde_json::to_string(&Superseded).unwrap(), "\"superseded\"");
        assert_eq!("deprecated".parse::<AdrStatus>().unwrap(), Deprecated);
        assert!("Accepted".parse::<AdrStatus>().is_err());
    }
}
