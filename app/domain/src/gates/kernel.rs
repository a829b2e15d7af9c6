//! Linux kernel versions: what a node reports (`uname -r`) and what a CNI release requires.
//!
//! A reported kernel is read leniently: the leading `major.minor[.patch]` is the version and the
//! rest is the distribution's suffix (`5.15.0-113-generic`, `4.18.0-553.el8_10.x86_64`,
//! `5.10.0+k3s1`, `6.8.0-1012-aws`, or just `5.4`).
//!
//! **RHEL 8 special case.** Red Hat keeps the upstream version at 4.18.0 for all of RHEL 8 and
//! backports eBPF features into it, so upstream numbers say nothing about what an `el8` kernel can
//! do. Cilium and Calico document this as "4.18 on RHEL 8.6", "RHEL 8.4: 4.18.0-305" and so on.
//! A kernel whose version is 4.18.0 and whose suffix carries `.el8` (RHEL, Rocky, Alma, CentOS
//! Stream 8) keeps its build number (the `553` in `4.18.0-553.el8_10`), and a
//! [`KernelRequirement`] with a RHEL 8 clause accepts it when the build is at least the GA build
//! of the named RHEL minor release ([`RHEL8_BUILDS`]). Without a RHEL clause an `el8` kernel is
//! judged by its upstream version, 4.18.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

use crate::ValidationError;

/// The kernel build that each RHEL 8 minor release shipped at GA: `(minor, build)`, where the
/// kernel is `4.18.0-<build>.el8`. Later z-stream kernels of a minor release have higher builds.
pub const RHEL8_BUILDS: [(u8, u32); 11] =
    [(0, 80), (1, 147), (2, 193), (3, 240), (4, 305), (5, 348), (6, 372), (7, 425), (8, 477), (9, 513), (10, 553)];

/// An upstream kernel version, ordered numerically (5.4 < 5.10 < 5.15 < 6.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KernelVersion {
    /// Major version, e.g. 5.
    pub major: u32,
    /// Minor version, e.g. 15.
    pub minor: u32,
    /// Patch level, 0 when not given.
    pub patch: u32,
}

impl KernelVersion {
    /// A version from its parts.
    pub const fn new(major: u32, minor: u32, patch: u32) -> Self {
        Self { major, minor, patch }
    }

    /// The version at the start of a reported kernel string; errors name the field `kernel`.
    pub fn parse(reported: &str) -> Result<Self, ValidationError> {
        Kernel::parse(reported).map(|k| k.version)
    }
}

impl fmt::Display for KernelVersion {
    /// `5.10` when the patch level is 0, otherwise `4.19.57`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.patch == 0 {
            write!(f, "{}.{}", self.major, self.minor)
        } else {
            write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
        }
    }
}

impl FromStr for KernelVersion {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// A kernel as a node reports it: the upstream version plus, for RHEL 8 family kernels, the build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Kernel {
    /// Upstream version.
    pub version: KernelVersion,
    /// For `4.18.0-<build>.el8…` kernels, the build number; `None` for every other kernel.
    pub rhel8_build: Option<u32>,
}

impl Kernel {
    /// Parses what `uname -r` prints. Errors name the field `kernel` and show a valid example.
    pub fn parse(reported: &str) -> Result<Self, ValidationError> {
        let example = "give what `uname -r` prints on a node, e.g. 5.15.0-113-generic \
                       or 4.18.0-553.el8_10.x86_64";
        let bad = || ValidationError::field("kernel", format!("'{reported}' is not a kernel version; {example}"));
        let trimmed = reported.trim();
        if trimmed.is_empty() {
            return Err(ValidationError::field("kernel", format!("the kernel version is empty; {example}")));
        }
        let body = trimmed.strip_prefix(['v', 'V']).unwrap_or(trimmed);
        let (version, rest) = leading_version(body).ok_or_else(bad)?;
        if !(rest.is_empty() || rest.starts_with(['-', '+', '_', '~', '.'])) {
            return Err(bad());
        }
        if version.major == 1 {
            return Err(ValidationError::field(
                "kernel",
                format!("'{reported}' looks like a Kubernetes version, not a kernel; {example}"),
            ));
        }
        if version.major == 0 || version.major > 19 {
            return Err(ValidationError::field(
                "kernel",
                format!("'{reported}' is not a Linux kernel version; {example}"),
            ));
        }
        let rhel8_build = if version == KernelVersion::new(4, 18, 0) && rest.contains(".el8") {
            rest.strip_prefix('-').and_then(|r| leading_number(r).map(|(n, _)| n))
        } else {
            None
        };
        Ok(Self { version, rhel8_build })
    }

    /// The RHEL 8 minor release whose GA build this kernel has reached (8.10 for build 553).
    pub fn rhel8_minor(&self) -> Option<u8> {
        let build = self.rhel8_build?;
        RHEL8_BUILDS.iter().rev().find(|(_, b)| build >= *b).map(|(m, _)| *m)
    }
}

impl FromStr for Kernel {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// The RHEL 8 clause of a kernel requirement ("or 4.18 on RHEL 8.6").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rhel8Minimum {
    /// The RHEL 8 minor release named, `None` for "any RHEL 8".
    pub minor: Option<u8>,
    /// Lowest accepted build of `4.18.0-<build>.el8` (0 for any RHEL 8 kernel).
    pub build: u32,
}

impl Rhel8Minimum {
    /// The clause as text that [`KernelRequirement::parse_lenient`] reads back.
    fn clause(&self) -> String {
        match self.minor {
            None => "; or 4.18 on RHEL 8".to_string(),
            Some(m) => format!("; or 4.18.0-{} on RHEL 8.{m}", self.build),
        }
    }
}

/// A minimum kernel as the catalog states it, e.g. "5.10 or 4.18 on RHEL 8.10".
///
/// It (de)serialises as its original text, so an edited catalog round-trips.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct KernelRequirement {
    /// The upstream minimum.
    pub min: KernelVersion,
    /// Older RHEL 8 kernels that are accepted anyway, thanks to Red Hat's backports.
    pub rhel8: Option<Rhel8Minimum>,
    /// The text it was read from.
    pub text: String,
}

impl KernelRequirement {
    /// A plain upstream minimum without RHEL clause.
    pub fn at_least(min: KernelVersion) -> Self {
        Self { min, rhel8: None, text: min.to_string() }
    }

    /// Reads a requirement leniently: the first `x.y[.z]` in `text` is the upstream minimum
    /// ("4.19.57 (or equivalent)", "5.10 (docs edited …)"), and a `RHEL 8[.N]` mention, in `text`
    /// or in `note`, adds the RHEL 8 clause; an explicit `4.18.0-<build>` there wins over the
    /// [`RHEL8_BUILDS`] table. Only the RHEL clause is taken from `note`.
    pub fn parse_lenient(text: &str, note: Option<&str>) -> Result<Self, String> {
        let min = find_version(text).ok_or_else(|| format!("no kernel version such as 5.10 in '{text}'"))?;
        let mut text = text.to_string();
        let rhel8 = match rhel8_clause(&text)? {
            Some(r) => Some(r),
            None => {
                let from_note = match note {
                    Some(n) => rhel8_clause(n)?,
                    None => None,
                };
                if let Some(r) = from_note {
                    text.push_str(&r.clause());
                }
                from_note
            }
        };
        Ok(Self { min, rhel8, text })
    }

    /// The same requirement, with every RHEL 8 kernel accepted when it names no RHEL clause.
    /// The clause is appended to the text, so it survives a round trip.
    pub fn or_any_rhel8(mut self) -> Self {
        if self.rhel8.is_none() {
            let any = Rhel8Minimum { minor: None, build: 0 };
            self.text.push_str(&any.clause());
            self.rhel8 = Some(any);
        }
        self
    }

    /// True when the kernel meets the upstream minimum or the RHEL 8 clause.
    pub fn accepts(&self, kernel: &Kernel) -> bool {
        kernel.version >= self.min
            || match (self.rhel8, kernel.rhel8_build) {
                (Some(req), Some(build)) => build >= req.build,
                _ => false,
            }
    }

    /// Words for a message: "5.10 (or 4.18.0-553 on RHEL 8.10)".
    pub fn describe(&self) -> String {
        match self.rhel8 {
            None => self.min.to_string(),
            Some(Rhel8Minimum { minor: None, .. }) => {
                format!("{} (or any RHEL 8 kernel)", self.min)
            }
            Some(Rhel8Minimum { minor: Some(m), build }) => format!("{} (or 4.18.0-{build} on RHEL 8.{m})", self.min),
        }
    }
}

impl fmt::Display for KernelRequirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

impl TryFrom<String> for KernelRequirement {
    type Error = String;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse_lenient(&text, None)
    }
}

impl From<KernelRequirement> for String {
    fn from(r: KernelRequirement) -> Self {
        r.text
    }
}

/// Digits at the start of `s`, and the rest.
fn leading_number(s: &str) -> Option<(u32, &str)> {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    if end == 0 {
        return None;
    }
    s[..end].parse().ok().map(|n| (n, &s[end..]))
}

/// `major.minor[.patch]` at the start of `s`, and the rest.
fn leading_version(s: &str) -> Option<(KernelVersion, &str)> {
    let (major, rest) = leading_number(s)?;
    let (minor, rest) = leading_number(rest.strip_prefix('.')?)?;
    let (patch, rest) = match rest.strip_prefix('.').and_then(leading_number) {
        Some((p, r)) => (p, r),
        None => (0, rest),
    };
    Some((KernelVersion::new(major, minor, patch), rest))
}

/// The first `x.y[.z]` in free text that does not start inside another number.
fn find_version(text: &str) -> Option<KernelVersion> {
    text.char_indices()
        .filter(|&(i, c)| {
            c.is_ascii_digit() && !text[..i].ends_with(|p: char| p.is_ascii_digit() || p == '.' || p == '-')
        })
        .find_map(|(i, _)| leading_version(&text[i..]).map(|(v, _)| v))
}

/// The RHEL 8 clause in free text: "RHEL8", "RHEL 8.6", "RHEL 8.2: 4.18.0-193".
fn rhel8_clause(text: &str) -> Result<Option<Rhel8Minimum>, String> {
    let Some(at) = text.find("RHEL") else {
        return Ok(None);
    };
    let after = text[at + 4..].trim_start();
    let Some((major, rest)) = leading_number(after) else {
        return Ok(None);
    };
    if major != 8 {
        return Ok(None);
    }
    let minor = match rest.strip_prefix('.').and_then(leading_number) {
        Some((m, _)) => Some(u8::try_from(m).map_err(|_| format!("unknown RHEL 8.{m}"))?),
        None => None,
    };
    let explicit = text.find("4.18.0-").and_then(|i| leading_number(&text[i + 7..]).map(|(b, _)| b));
    let build = match (explicit, minor) {
        (Some(b), _) => b,
        (None, None) => 0,
        (None, Some(m)) => RHEL8_BUILDS
            .iter()
            .find(|(minor, _)| *minor == m)
            .map(|(_, b)| *b)
            .ok_or_else(|| format!("unknown RHEL release 8.{m}"))?,
    };
    Ok(Some(Rhel8Minimum { minor, build }))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn v(major: u32, minor: u32, patch: u32) -> KernelVersion {
        KernelVersion::new(major, minor, patch)
    }

    #[test]
    fn an_ubuntu_generic_kernel_reads_as_its_upstream_version() {
        let k = Kernel::parse("5.15.0-113-generic").unwrap();
        assert_eq!(k.version, v(5, 15, 0));
        assert_eq!(k.rhel8_build, None);
    }

    #[test]
    fn an_ubuntu_cloud_kernel_reads_as_its_upstream_version() {
        assert_eq!(KernelVersion::parse("6.8.0-1012-aws").unwrap(), v(6, 8, 0));
    }

    #[test]
    fn a_rhel_8_10_kernel_keeps_its_build_number() {
        let k = Kernel::parse("4.18.0-553.el8_10.x86_64").unwrap();
        assert_eq!(k.version, v(4, 18, 0));
        assert_eq!(k.rhel8_build, Some(553));
        assert_eq!(k.rhel8_minor(), Some(10));
    }

    #[test]
    fn a_rhel_z_stream_kernel_maps_to_its_minor_release() {
        let k = Kernel::parse("4.18.0-305.25.1.el8_4.x86_64").unwrap();
        assert_eq!(k.rhel8_build, Some(305));
        assert_eq!(k.rhel8_minor(), Some(4));
        let k = Kernel::parse("4.18.0-372.9.1.el8.x86_64").unwrap();
        assert_eq!(k.rhel8_minor(), Some(6));
    }

    #[test]
    fn a_plain_4_18_kernel_is_not_taken_for_rhel() {
        let k = Kernel::parse("4.18.0-553").unwrap();
        assert_eq!(k.rhel8_build, None);
    }

    #[test]
    fn a_k3s_image_kernel_with_a_plus_suffix_parses() {
        assert_eq!(KernelVersion::parse("5.10.0+k3s1").unwrap(), v(5, 10, 0));
        assert_eq!(KernelVersion::parse("5.10.120-rt70-v8+").unwrap(), v(5, 10, 120));
    }

    #[test]
    fn short_and_prefixed_versions_parse() {
        assert_eq!(KernelVersion::parse("5.4").unwrap(), v(5, 4, 0));
        assert_eq!(KernelVersion::parse("6.1.0").unwrap(), v(6, 1, 0));
        assert_eq!(KernelVersion::parse(" v6.6.30 ").unwrap(), v(6, 6, 30));
        assert_eq!(KernelVersion::parse("5.10.0-28-amd64").unwrap(), v(5, 10, 0));
    }

    #[test]
    fn versions_order_numerically_not_as_text() {
        assert!(v(5, 4, 0) < v(5, 10, 0));
        assert!(v(5, 10, 0) < v(5, 15, 0));
        assert!(v(4, 19, 57) < v(5, 0, 0));
        assert_eq!(v(5, 10, 0).to_string(), "5.10");
        assert_eq!(v(4, 19, 57).to_string(), "4.19.57");
    }

    #[test]
    fn garbage_kernel_strings_are_refused_naming_the_kernel_field() {
        for bad in ["", "  ", "latest", "5", "5.x", "5.15abc", "0.1", "42.0", "5.99999999999"] {
            let err = Kernel::parse(bad).unwrap_err();
            assert!(err.fields.contains_key("kernel"), "{bad}: {err}");
            assert!(err.fields["kernel"].contains("uname -r"), "{bad}: {err}");
        }
    }

    #[test]
    fn a_kubernetes_version_in_the_kernel_field_gets_a_hint() {
        let err = Kernel::parse("1.30.2+k3s1").unwrap_err();
        assert!(err.fields["kernel"].contains("Kubernetes version"), "{err}");
    }

    #[test]
    fn catalog_requirements_are_read_leniently() {
        let r = KernelRequirement::parse_lenient("4.19.57 (or equivalent)", None).unwrap();
        assert_eq!((r.min, r.rhel8), (v(4, 19, 57), None));

        let r = KernelRequirement::parse_lenient("4.19.57 or 4.18 on RHEL8", None).unwrap();
        assert_eq!(r.rhel8, Some(Rhel8Minimum { minor: None, build: 0 }));

        let r = KernelRequirement::parse_lenient("5.4 or 4.18 on RHEL 8.6", None).unwrap();
        assert_eq!(r.min, v(5, 4, 0));
        assert_eq!(r.rhel8.unwrap().build, 372);

        let r = KernelRequirement::parse_lenient("5.10 or 4.18 on RHEL 8.10 (from 1.20.0-dev main, 2026-03-29)", None)
            .unwrap();
        assert_eq!(r.min, v(5, 10, 0));
        assert_eq!(r.rhel8, Some(Rhel8Minimum { minor: Some(10), build: 553 }));
        assert_eq!(r.describe(), "5.10 (or 4.18.0-553 on RHEL 8.10)");

        let r =
            KernelRequirement::parse_lenient("5.3 (RHEL 8.2: 4.18.0-193); 5.8+ with CO-RE recommended", None).unwrap();
        assert_eq!(r.min, v(5, 3, 0));
        assert_eq!(r.rhel8.unwrap().build, 193);

        let r = KernelRequirement::parse_lenient("5.10 (docs edited 2025-12-08; was 3.10 before)", None).unwrap();
        assert_eq!((r.min, r.rhel8), (v(5, 10, 0), None));

        let r = KernelRequirement::parse_lenient("5.10", Some("RHEL 8.4 4.18.0-305")).unwrap();
        assert_eq!(r.rhel8.unwrap().build, 305);
        let again = KernelRequirement::parse_lenient(&r.text, None).unwrap();
        assert_eq!(again, r, "a clause from the note survives as text");

        assert!(KernelRequirement::parse_lenient("recent", None).is_err());
    }

    #[test]
    fn a_rhel_clause_accepts_backported_kernels_only_from_its_build() {
        let r = KernelRequirement::parse_lenient("5.10 or 4.18 on RHEL 8.10", None).unwrap();
        assert!(r.accepts(&Kernel::parse("4.18.0-553.el8_10.x86_64").unwrap()));
        assert!(!r.accepts(&Kernel::parse("4.18.0-372.el8_6.x86_64").unwrap()));
        assert!(!r.accepts(&Kernel::parse("5.4.0-150-generic").unwrap()));
        assert!(r.accepts(&Kernel::parse("5.14.0-427.el9.x86_64").unwrap()));
        let plain = KernelRequirement::parse_lenient("5.10", None).unwrap();
        assert!(!plain.accepts(&Kernel::parse("4.18.0-553.el8_10.x86_64").unwrap()));
        assert!(plain.or_any_rhel8().accepts(&Kernel::parse("4.18.0-80.el8.x86_64").unwrap()));
    }

    #[test]
    fn a_requirement_round_trips_as_its_text() {
        let r = KernelRequirement::parse_lenient("5.4 or 4.18 on RHEL 8.6", None).unwrap();
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(json, "\"5.4 or 4.18 on RHEL 8.6\"");
        let back: KernelRequirement = serde_json::from_str(&json).unwrap();
        assert_eq!(back, r);
    }
}
