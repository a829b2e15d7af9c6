//! Weights in tenths of a percent: parsing, validation and proportional rebalancing.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::{Model, ValidationError};

/// 100.0 % in tenths of a percent.
pub const FULL: u32 = 1000;

/// A weight vector aligned with [`Model::criteria`], each entry in tenths of a percent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Weights(pub Vec<u32>);

impl Weights {
    /// Sum in tenths of a percent.
    pub fn sum(&self) -> u32 {
        self.0.iter().sum()
    }

    /// Number of criteria.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there are no criteria.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Parses `{"criterion_key": percent}` against the model's criteria. Every criterion must be
    /// present, no unknown key, each value between 0 and 100 with at most one decimal, and the sum
    /// exactly 100.0 %.
    pub fn from_percent_map(model: &Model, map: &BTreeMap<String, f64>) -> Result<Self, ValidationError> {
        let weights = Self::from_percent_map_unchecked(model, map)?;
        weights.validate_sum(model)?;
        Ok(weights)
    }

    /// Like [`Weights::from_percent_map`] but without the sum check (for drafts in the editor).
    pub fn from_percent_map_unchecked(model: &Model, map: &BTreeMap<String, f64>) -> Result<Self, ValidationError> {
        let mut err = ValidationError::default();
        for key in map.keys() {
            if model.criterion_index(key).is_none() {
                let known: Vec<&str> = model.criteria.iter().map(|c| c.key.as_str()).collect();
                err.add(format!("weights.{key}"), format!("unknown criterion '{key}'; known: {}", known.join(", ")));
            }
        }
        let mut out = Vec::with_capacity(model.criteria.len());
        for c in &model.criteria {
            match map.get(&c.key) {
                None => {
                    err.add(format!("weights.{}", c.key), "missing; give a weight in percent (0 is allowed)");
                    out.push(0);
                }
                Some(&p) => match percent_to_tenths(p) {
                    Ok(t) => out.push(t),
                    Err(msg) => {
                        err.add(format!("weights.{}", c.key), msg);
                        out.push(0);
                    }
                },
            }
        }
        err.into_result(Weights(out))
    }

    /// Checks the weights sum to exactly 100.0 % and match the model's criteria count.
    pub fn validate_sum(&self, model: &Model) -> Result<(), ValidationError> {
        if self.0.len() != model.criteria.len() {
            return Err(ValidationError::field(
                "weights",
                format!("expected {} weights, one per criterion, got {}", model.criteria.len(), self.0.len()),
            ));
        }
        let sum = self.sum();
        if sum != FULL {
            let diff = i64::from(FULL) - i64::from(sum);
            let how = if diff > 0 {
                format!("add {} to some weights", format_tenths(diff.unsigned_abs()))
            } else {
                format!("take {} off some weights", format_tenths(diff.unsigned_abs()))
            };
            return Err(ValidationError::field(
                "weights",
                format!("weights sum to {} %, they must sum to exactly 100.0 %; {how}", format_tenths(u64::from(sum))),
            ));
        }
        Ok(())
    }

    /// `{"criterion_key": percent}` in model order.
    pub fn to_percent_map(&self, model: &Model) -> BTreeMap<String, f64> {
        model.criteria.iter().zip(&self.0).map(|(c, &t)| (c.key.clone(), tenths_to_percent(t))).collect()
    }

    /// Sets criterion `index` to `value` tenths and rescales the other unlocked criteria
    /// proportionally (largest remainder, so the sum stays exactly 100.0 %). Locked criteria keep
    /// their weight; `value` is clamped to what the locks leave free. Returns the new weights.
    pub fn rebalance(&self, locked: &[bool], index: usize, value: u32) -> Result<Weights, ValidationError> {
        let field = "weights";
        if index >= self.0.len() {
            return Err(ValidationError::field(field, format!("no criterion at position {index}")));
        }
        if locked.len() != self.0.len() {
            return Err(ValidationError::field("locked", "one lock flag per criterion is needed"));
        }
        if locked[index] {
            return Err(ValidationError::field(
                field,
                "this criterion is locked; unlock it before changing its weight",
            ));
        }
        let locked_sum: u32 = self.0.iter().zip(locked).filter(|(_, l)| **l).map(|(w, _)| *w).sum();
        let free = FULL.saturating_sub(locked_sum);
        let others: Vec<usize> = (0..self.0.len()).filter(|&j| j != index && !locked[j]).collect();
        let mut out = self.0.clone();
        if others.is_empty() {
            out[index] = free;
            return Ok(Weights(out));
        }
        let value = value.min(free);
        out[index] = value;
        let remaining = free - value;
        let current: Vec<u64> = others.iter().map(|&j| u64::from(self.0[j])).collect();
        let shares = apportion(u64::from(remaining), &current);
        for (&j, share) in others.iter().zip(shares) {
            // `share` ≤ remaining ≤ FULL, so it fits in u32.
            out[j] = u32::try_from(share).unwrap_or(FULL);
        }
        Ok(Weights(out))
    }
}

/// Splits `total` into parts proportional to `basis` (equal parts when the basis sums to zero)
/// with the largest-remainder method, so the parts sum to exactly `total`.
pub fn apportion(total: u64, basis: &[u64]) -> Vec<u64> {
    if basis.is_empty() {
        return Vec::new();
    }
    let ones;
    let basis = if basis.iter().all(|&b| b == 0) {
        ones = vec![1; basis.len()];
        &ones
    } else {
        basis
    };
    let sum: u64 = basis.iter().sum();
    let mut parts: Vec<u64> = basis.iter().map(|&b| total * b / sum).collect();
    let mut left = total - parts.iter().sum::<u64>();
    let mut order: Vec<usize> = (0..basis.len()).collect();
    // Largest fractional remainder first; ties go to the earlier criterion.
    order.sort_by_key(|&i| std::cmp::Reverse((total * basis[i]) % sum));
    for i in order {
        if left == 0 {
            break;
        }
        parts[i] += 1;
        left -= 1;
    }
    parts
}

/// A percent as a person typed it (`12.5`, `12,5`, ` 7 `) in tenths of a percent, read digit by
/// digit: what the studio's weight boxes accept, with the same rules and messages as
/// [`percent_to_tenths`] but without floating point, so the browser bundle carries no float
/// parsing or formatting.
pub fn parse_percent_tenths(text: &str) -> Result<u32, String> {
    let t = text.trim().replace(',', ".");
    if t.is_empty() {
        return Err("empty; type a percent between 0 and 100, e.g. 12.5".into());
    }
    let not_a_number = || format!("'{text}' is not a number; type a percent between 0 and 100, e.g. 12.5");
    let (negative, body) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(&t)),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (int.is_empty() && frac.is_empty()) || !digits(int) || !digits(frac) {
        return Err(not_a_number());
    }
    let frac = frac.trim_end_matches('0');
    let int = int.trim_start_matches('0');
    if negative && !(int.is_empty() && frac.is_empty()) {
        return Err(format!("{t} is negative; weights are between 0 and 100 %"));
    }
    let above = || format!("{t} is above 100; weights are between 0 and 100 %");
    // Three integer digits at most before any arithmetic, so it cannot overflow.
    if int.len() > 3 {
        return Err(above());
    }
    let tenths = int.parse::<u32>().unwrap_or(0) * 10 + frac.bytes().next().map_or(0, |d| u32::from(d - b'0'));
    if tenths > FULL {
        return Err(above());
    }
    if frac.len() > 1 {
        return Err(format!("{t} has more than one decimal; weights are in steps of 0.1 %"));
    }
    Ok(tenths)
}

/// Converts a percent with at most one decimal into tenths, or says what is wrong.
pub fn percent_to_tenths(p: f64) -> Result<u32, String> {
    if !p.is_finite() {
        return Err("not a number; give a percent between 0 and 100".into());
    }
    if p < 0.0 {
        return Err(format!("{p} is negative; weights are between 0 and 100 %"));
    }
    if p > 100.0 {
        return Err(format!("{p} is above 100; weights are between 0 and 100 %"));
    }
    let t = (p * 10.0).round();
    if ((p * 10.0) - t).abs() > 1e-6 {
        return Err(format!("{p} has more than one decimal; weights are in steps of 0.1 %"));
    }
    // 0 ≤ t ≤ 1000 here.
    Ok(t as u32)
}

/// Tenths of a percent as a percent number.
pub fn tenths_to_percent(t: u32) -> f64 {
    f64::from(t) / 10.0
}

/// Tenths of a percent as text with one decimal (`125` → `12.5`).
pub fn format_tenths(t: u64) -> String {
    format!("{}.{}", t / 10, t % 10)
}

#[cfg(test)]
mod percent_text_tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn typed_percents_read_as_tenths_or_say_what_is_wrong() {
        for (text, tenths) in [
            ("12.5", 125),
            ("12,5", 125),
            (" 7 ", 70),
            ("100", 1000),
            ("0", 0),
            (".5", 5),
            ("5.", 50),
            ("-0", 0),
            ("+3", 30),
            ("10.50", 105),
        ] {
            assert_eq!(parse_percent_tenths(text), Ok(tenths), "{text}");
        }
        for (text, words) in [
            ("", "empty"),
            ("abc", "not a number"),
            ("1e2", "not a number"),
            ("-3", "negative"),
            ("100.5", "above 100"),
            ("1000", "above 100"),
            ("12.25", "more than one decimal"),
            (".", "not a number"),
            ("1.2.3", "not a number"),
        ] {
            let e = parse_percent_tenths(text).expect_err(text);
            assert!(e.contains(words), "{text}: {e}");
        }
    }

    proptest! {
        #[test]
        fn it_agrees_with_the_float_reading(tenths in 0u32..=1000, extra_zero in any::<bool>()) {
            let mut text = format_tenths(u64::from(tenths));
            if extra_zero && text.contains('.') { text.push('0'); }
            prop_assert_eq!(parse_percent_tenths(&text), Ok(tenths));
            prop_assert_eq!(percent_to_tenths(text.parse::<f64>().unwrap_or(f64::NAN)), Ok(tenths));
        }
    }
}
