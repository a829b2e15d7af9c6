//! A CNI version as an engineer types it and a pin stores it: `1.16.5`, `v1.16.5`, or a minor
//! alone, `1.16`.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use crate::{Cycle, ValidationError};

/// The largest number accepted in any part; anything bigger is a typo, not a release.
const MAX_PART: u32 = 9_999;

/// A Cilium or Calico version: `1.16.5`, or `1.16` for a minor line with no patch named.
///
/// Ordered numerically, part by part (1.9 < 1.10); a minor alone sorts before its patches
/// (1.16 < 1.16.0). Displays without the `v` and (de)serialises as that string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CniVersion {
    /// Major version, e.g. 1.
    pub major: u32,
    /// Minor version, e.g. 16.
    pub minor: u32,
    /// Patch level; `None` when only the minor was given.
    pub patch: Option<u32>,
}

impl CniVersion {
    /// A full version, `major.minor.patch`.
    pub const fn new(major: u32, minor: u32, patch: u32) -> Self {
        Self { major, minor, patch: Some(patch) }
    }

    /// A minor line without patch, `major.minor`.
    pub const fn minor_only(major: u32, minor: u32) -> Self {
        Self { major, minor, patch: None }
    }

    /// The minor line this version belongs to.
    pub fn cycle(&self) -> Cycle {
        Cycle { major: self.major, minor: self.minor }
    }

    /// The first release of a minor line, `1.16` as a version.
    pub fn of_cycle(cycle: Cycle) -> Self {
        Self::minor_only(cycle.major, cycle.minor)
    }

    /// Reads `1.16.5`, `v1.16.5` or `1.16`, spaces around it ignored. Errors name the field
    /// `version` and show an example.
    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        let example = "give a release such as 1.16.5 (or v1.16.5), or a minor line such as 1.16";
        let bad = |why: &str| ValidationError::field("version", format!("'{text}' {why}; {example}"));
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(ValidationError::field("version", format!("the version is empty; {example}")));
        }
        let body = trimmed.strip_prefix(['v', 'V']).unwrap_or(trimmed);
        let parts: Vec<&str> = body.split('.').collect();
        if !(2..=3).contains(&parts.len()) {
            return Err(bad("is not a version of two or three numbers"));
        }
        let mut numbers = Vec::with_capacity(3);
        for part in parts {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad("is not a version: each part must be a plain number"));
            }
            match part.parse::<u32>() {
                Ok(n) if n <= MAX_PART => numbers.push(n),
                _ => return Err(bad(&format!("has a part larger than {MAX_PART}"))),
            }
        }
        match numbers.as_slice() {
            [major, minor] => Ok(Self::minor_only(*major, *minor)),
            [major, minor, patch] => Ok(Self::new(*major, *minor, *patch)),
            _ => Err(bad("is not a version")),
        }
    }

    /// True when this names the minor line only.
    pub fn is_minor_only(&self) -> bool {
        self.patch.is_none()
    }
}

impl fmt::Display for CniVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.patch {
            Some(p) => write!(f, "{}.{}.{p}", self.major, self.minor),
            None => write!(f, "{}.{}", self.major, self.minor),
        }
    }
}

impl FromStr for CniVersion {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for CniVersion {
    type Error = ValidationError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<CniVersion> for String {
    fn from(v: CniVersion) -> Self {
        v.to_string()
    }
}

/// A product key in an engineer's words: `cilium` → "Cilium".
pub(crate) fn product_name(product: &str) -> String {
    let mut chars = product.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_full_version_parses_with_or_without_v_and_spaces() {
        assert_eq!(CniVersion::parse("1.16.5").unwrap(), CniVersion::new(1, 16, 5));
        assert_eq!(CniVersion::parse("v1.16.5").unwrap(), CniVersion::new(1, 16, 5));
        assert_eq!(CniVersion::parse("  V1.16.5 ").unwrap(), CniVersion::new(1, 16, 5));
    }

    #[test]
    fn a_minor_alone_parses_without_patch() {
        let v = CniVersion::parse("1.16").unwrap();
        assert_eq!(v, CniVersion::minor_only(1, 16));
        assert!(v.is_minor_only());
        assert_eq!(v.cycle(), "1.16".parse().unwrap());
    }

    #[test]
    fn garbage_versions_are_refused_in_plain_words_with_an_example() {
        for bad in ["", "  ", "latest", "1.x", "1.16.5.7", "1", "1..5", "1.16.-1", "1.16.5-rc.1", "1.99999999999", "v"]
        {
            let err = CniVersion::parse(bad).unwrap_err();
            let msg = &err.fields["version"];
            assert!(msg.contains("such as 1.16.5"), "{bad}: {msg}");
        }
        assert!(CniVersion::parse("1.16.10000").unwrap_err().fields["version"].contains("larger than"));
    }

    #[test]
    fn versions_order_numerically_and_a_minor_before_its_patches() {
        assert!(CniVersion::new(1, 9, 0) < CniVersion::new(1, 10, 0));
        assert!(CniVersion::new(1, 16, 9) < CniVersion::new(1, 16, 10));
        assert!(CniVersion::minor_only(1, 16) < CniVersion::new(1, 16, 0));
    }

    #[test]
    fn a_version_displays_without_v_and_serialises_as_a_string() {
        let v = CniVersion::parse("v1.18.13").unwrap();
        assert_eq!(v.to_string(), "1.18.13");
        assert_eq!(serde_json::to_string(&v).unwrap(), "\"1.18.13\"");
        let back: CniVersion = serde_json::from_str("\"1.18\"").unwrap();
        assert_eq!(back, CniVersion::minor_only(1, 18));
        assert!(serde_json::from_str::<CniVersion>("\"latest\"").is_err());
    }

    #[test]
    fn product_keys_read_as_names() {
        assert_eq!(product_name("cilium"), "Cilium");
        assert_eq!(product_name(""), "");
    }

    proptest! {
        #[test]
        fn display_and_parse_round_trip(major in 0u32..=MAX_PART, minor in 0u32..=MAX_PART, patch in proptest::option::of(0u32..=MAX_PART)) {
            let v = CniVersion { major, minor, patch };
            prop_assert_eq!(CniVersion::parse(&v.to_string()).unwrap(), v);
        }

        #[test]
        fn order_follows_the_numbers(a in (0u32..50, 0u32..50, 0u32..50), b in (0u32..50, 0u32..50, 0u32..50)) {
            let (x, y) = (CniVersion::new(a.0, a.1, a.2), CniVersion::new(b.0, b.1, b.2));
            prop_assert_eq!(x.cmp(&y), a.cmp(&b));
        }
    }
}
