//! What people write for an ADR ([`AdrDraft`]) and its validation: every problem under its
//! field name, with how to fix it.

use serde::{Deserialize, Serialize};

use super::text::{
    MAX_LINE_CHARS, MAX_LIST_ENTRIES, MAX_NAME_CHARS, line_problem, multiline_problem, normalize_multiline,
    title_problem,
};
use super::{DEFAULT_REVIEW_INTERVAL_MONTHS, Scope, Snapshot, check_interval};
use crate::weights::format_tenths;
use crate::{Model, ValidationError};

/// What a person writes for an ADR. Frozen, with the snapshot, once the ADR is accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdrDraft {
    /// What was decided, one line of at most 200 characters.
    pub title: String,
    /// The clusters the decision covers (empty: the whole fleet).
    #[serde(default)]
    pub scope: Scope,
    /// The chosen option, a candidate key.
    pub chosen: String,
    /// Who decided.
    #[serde(default)]
    pub decision_makers: Vec<String>,
    /// Whose opinion was sought.
    #[serde(default)]
    pub consulted: Vec<String>,
    /// Who is kept up to date.
    #[serde(default)]
    pub informed: Vec<String>,
    /// Context and problem statement; paragraphs separated by blank lines.
    #[serde(default)]
    pub context: String,
    /// Decision drivers, one per line (see [`AdrDraft::drivers_from`]).
    #[serde(default)]
    pub drivers: Vec<String>,
    /// Why the chosen option: the text after "because" (derived from the snapshot when empty;
    /// required when the chosen option is not the weighted winner).
    #[serde(default)]
    pub justification: String,
    /// Further lines of the decision, e.g. the per-tier calls.
    #[serde(default)]
    pub decision_details: Vec<String>,
    /// Good consequences, each read after "Good, because".
    #[serde(default)]
    pub consequences_good: Vec<String>,
    /// Bad consequences, each read after "Bad, because".
    #[serde(default)]
    pub consequences_bad: Vec<String>,
    /// How compliance with the decision is confirmed.
    #[serde(default)]
    pub confirmation: String,
    /// Months between reviews, 1–36.
    #[serde(default = "default_interval")]
    pub review_interval_months: u32,
}

fn default_interval() -> u32 {
    DEFAULT_REVIEW_INTERVAL_MONTHS
}

impl AdrDraft {
    /// A draft with a title and chosen option and everything else at its default.
    pub fn new(title: impl Into<String>, chosen: impl Into<String>) -> Self {
        AdrDraft {
            title: title.into(),
            scope: Scope::default(),
            chosen: chosen.into(),
            decision_makers: Vec::new(),
            consulted: Vec::new(),
            informed: Vec::new(),
            context: String::new(),
            drivers: Vec::new(),
            justification: String::new(),
            decision_details: Vec::new(),
            consequences_good: Vec::new(),
            consequences_bad: Vec::new(),
            confirmation: String::new(),
            review_interval_months: DEFAULT_REVIEW_INTERVAL_MONTHS,
        }
    }

    /// Decision drivers pre-filled from the criteria and weights: "Identity-aware policy
    /// (15.0 %): why it matters", heaviest first, criteria weighted 0 % left out.
    pub fn drivers_from(snapshot: &Snapshot) -> Vec<String> {
        let mut criteria: Vec<_> = snapshot.criteria.iter().filter(|c| c.weight > 0).collect();
        criteria.sort_by_key(|c| std::cmp::Reverse(c.weight));
        criteria.iter().map(|c| format!("{} ({} %): {}", c.name, format_tenths(u64::from(c.weight)), c.why)).collect()
    }

    /// The draft trimmed and checked against `model`; every problem is reported under its field
    /// name (`title`, `decision_makers[2]`, …) with how to fix it.
    pub fn validated(mut self, model: &Model) -> Result<AdrDraft, ValidationError> {
        let mut err = ValidationError::default();
        self.title = self.title.trim().to_string();
        if let Some(m) = title_problem(&self.title) {
            err.add("title", m);
        } else if let Some(last) = self.title.chars().last().filter(|c| ".,;:!".contains(*c)) {
            // A title is the file's top heading, and a heading does not end in punctuation.
            err.add("title", format!("the title ends with '{last}'; leave out the final punctuation, it is a heading"));
        }
        self.chosen = self.chosen.trim().to_string();
        if !model.candidates.iter().any(|c| c.key == self.chosen) {
            let known: Vec<&str> = model.candidates.iter().map(|c| c.key.as_str()).collect();
            let what = if self.chosen.is_empty() {
                "no option is chosen".to_string()
            } else {
                format!("'{}' is not a candidate", self.chosen)
            };
            err.add("chosen", format!("{what}; choose one of {}", known.join(", ")));
        }
        match self.scope.normalized() {
            Ok(scope) => self.scope = scope,
            Err(e) => err.fields.extend(e.fields),
        }
        for (field, list) in [
            ("decision_makers", &mut self.decision_makers),
            ("consulted", &mut self.consulted),
            ("informed", &mut self.informed),
        ] {
            check_list(field, list, "the name", MAX_NAME_CHARS, &mut err);
            for (i, name) in list.iter().enumerate() {
                if list[..i].contains(name) {
                    err.add(format!("{field}[{i}]"), format!("'{name}' is listed twice; list each name once"));
                }
            }
        }
        for (field, list) in [
            ("drivers", &mut self.drivers),
            ("decision_details", &mut self.decision_details),
            ("consequences_good", &mut self.consequences_good),
            ("consequences_bad", &mut self.consequences_bad),
        ] {
            check_list(field, list, "the entry", MAX_LINE_CHARS, &mut err);
        }
        for (field, text) in [
            ("context", &mut self.context),
            ("justification", &mut self.justification),
            ("confirmation", &mut self.confirmation),
        ] {
            *text = normalize_multiline(text);
            if let Some(m) = multiline_problem(text) {
                err.add(field, m);
            }
        }
        if let Err(e) = check_interval(self.review_interval_months) {
            err.fields.extend(e.fields);
        }
        err.into_result(self)
    }
}

/// Trims every entry and checks the list's length and each entry.
fn check_list(field: &str, list: &mut [String], what: &str, max: usize, err: &mut ValidationError) {
    if list.len() > MAX_LIST_ENTRIES {
        err.add(field, format!("{} entries; keep the list to {MAX_LIST_ENTRIES}", list.len()));
    }
    for (i, entry) in list.iter_mut().enumerate() {
        *entry = entry.trim().to_string();
        if let Some(m) = line_problem(entry, what, max) {
            err.add(format!("{field}[{i}]"), m);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::adr::testing::model;

    #[test]
    fn a_draft_needs_a_title_and_a_known_chosen_option() {
        let err = AdrDraft::new("  ", "weave").validated(&model()).unwrap_err();
        assert!(err.fields["title"].contains("empty"), "{err}");
        assert_eq!(err.fields["chosen"], "'weave' is not a candidate; choose one of cilium, calico, antrea, flannel");
    }

    #[test]
    fn names_are_trimmed_and_empty_repeated_or_too_many_names_are_refused() {
        let mut draft = AdrDraft::new("Calico for cells", "calico");
        draft.decision_makers = vec!["  Ana Silva ".into(), "Ben".into()];
        assert_eq!(draft.clone().validated(&model()).unwrap().decision_makers, ["Ana Silva", "Ben"]);
        draft.consulted = vec!["Ops".into(), " ".into(), "Ops".into()];
        draft.informed = (0..51).map(|i| format!("Person {i}")).collect();
        let err = draft.validated(&model()).unwrap_err();
        assert!(err.fields["consulted[1]"].contains("empty"), "{err}");
        assert!(err.fields["consulted[2]"].contains("listed twice"), "{err}");
        assert_eq!(err.fields["informed"], "51 entries; keep the list to 50");
    }

    #[test]
    fn a_title_ending_in_punctuation_is_refused_because_it_is_a_heading() {
        let err = AdrDraft::new("Use Calico.", "calico").validated(&model()).unwrap_err();
        assert!(err.fields["title"].contains("ends with '.'"), "{err}");
        AdrDraft::new("Use Calico?", "calico").validated(&model()).unwrap();
    }

    #[test]
    fn the_review_interval_is_checked_with_the_draft() {
        let mut draft = AdrDraft::new("Calico for cells", "calico");
        draft.review_interval_months = 0;
        let err = draft.validated(&model()).unwrap_err();
        assert!(err.fields["review_interval_months"].contains("outside 1–36"), "{err}");
    }

    #[test]
    fn a_draft_from_the_api_needs_only_title_and_chosen() {
        let draft: AdrDraft = serde_json::from_str(r#"{"title": "Calico for cells", "chosen": "calico"}"#).unwrap();
        assert_eq!(draft, AdrDraft::new("Calico for cells", "calico"));
    }
}
