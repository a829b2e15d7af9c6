//! ADR numbers: `ADR-0001` on screen and in files, the plain integer on the wire.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

use crate::ValidationError;

/// The number of an ADR, consecutive from 1 and never reused. Displays as `ADR-0001`; parses
/// from `1`, `0001`, `ADR-0001` (any case) and `ADR 1`; serialises as the plain integer and
/// deserialises from an integer or any of those strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AdrNumber(pub u32);

impl AdrNumber {
    /// The first ADR.
    pub const FIRST: AdrNumber = AdrNumber(1);

    /// The number zero-padded to four digits, as in file names (`0001`).
    pub fn padded(self) -> String {
        format!("{:04}", self.0)
    }

    /// The number after this one, or `None` past `u32::MAX`.
    pub fn next(self) -> Option<AdrNumber> {
        self.0.checked_add(1).map(AdrNumber)
    }
}

impl fmt::Display for AdrNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ADR-{:04}", self.0)
    }
}

impl FromStr for AdrNumber {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let how = "write the number as 1, 0001 or ADR-0001";
        let trimmed = s.trim();
        let digits = match trimmed.get(..3) {
            Some(prefix) if prefix.eq_ignore_ascii_case("adr") => {
                let rest = &trimmed[3..];
                rest.strip_prefix(['-', ' ']).unwrap_or(rest)
            }
            _ => trimmed,
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ValidationError::field("number", format!("'{s}' is not an ADR number; {how}")));
        }
        match digits.parse::<u32>() {
            Ok(0) => Err(ValidationError::field("number", format!("ADR numbers start at 1; {how}"))),
            Ok(n) => Ok(AdrNumber(n)),
            Err(_) => Err(ValidationError::field("number", format!("'{s}' is too large for an ADR number"))),
        }
    }
}

impl Serialize for AdrNumber {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u32(self.0)
    }
}

impl<'de> Deserialize<'de> for AdrNumber {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Wire {
            Int(u64),
            Text(String),
        }
        let parsed = match Wire::deserialize(deserializer)? {
            Wire::Int(n) => u32::try_from(n).ok().filter(|&n| n > 0).map(AdrNumber).ok_or_else(|| n.to_string()),
            Wire::Text(s) => s.parse().map_err(|_| s),
        };
        parsed.map_err(|s| serde::de::Error::custom(format!("'{s}' is not an ADR number; use 1, 0001 or ADR-0001")))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn numbers_parse_from_plain_padded_and_prefixed_forms() {
        for s in ["1", "0001", "ADR-0001", "adr-1", "ADR 1", " ADR-0001 ", "ADR0001"] {
            assert_eq!(s.parse::<AdrNumber>().unwrap(), AdrNumber(1), "{s}");
        }
        assert_eq!("ADR-0042".parse::<AdrNumber>().unwrap(), AdrNumber(42));
        assert_eq!("12345".parse::<AdrNumber>().unwrap(), AdrNumber(12345));
    }

    #[test]
    fn zero_signs_and_words_are_not_adr_numbers() {
        for s in ["0", "ADR-0000", "-1", "+1", "", "ADR-", "one", "1.0", "ADR--1", "99999999999"] {
            let err = s.parse::<AdrNumber>().unwrap_err();
            assert!(err.fields.contains_key("number"), "{s}: {err}");
        }
    }

    #[test]
    fn numbers_display_as_adr_and_four_digits() {
        assert_eq!(AdrNumber(1).to_string(), "ADR-0001");
        assert_eq!(AdrNumber(12345).to_string(), "ADR-12345");
        assert_eq!(AdrNumber(7).padded(), "0007");
    }

    #[test]
    fn numbers_travel_as_integers_and_arrive_in_any_form() {
        assert_eq!(serde_json::to_string(&AdrNumber(3)).unwrap(), "3");
        for json in ["3", "\"0003\"", "\"ADR-0003\""] {
            assert_eq!(serde_json::from_str::<AdrNumber>(json).unwrap(), AdrNumber(3));
        }
        assert!(serde_json::from_str::<AdrNumber>("0").is_err());
        assert!(serde_json::from_str::<AdrNumber>("\"x\"").is_err());
    }
}
