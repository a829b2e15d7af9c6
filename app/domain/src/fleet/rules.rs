//! The rules for names, labels and free text in fleet records, each returning the message to
//! show when it fails.

use super::records::MAX_SITE_NAME_CHARS;

/// A cluster name: a DNS label (RFC 1123), 1–63 of `a-z`, `0-9` and `-`, starting and ending with a
/// letter or digit, so it can name Kubernetes objects, DNS records and Git paths.
pub fn check_cluster_name(name: &str) -> Result<(), String> {
    if is_dns_label(name) {
        return Ok(());
    }
    let why = if name.is_empty() { "the name is empty".to_string() } else { format!("'{name}' is not a DNS label") };
    Err(format!(
        "{why}: cluster names are DNS labels, 1–63 lowercase letters, digits and '-', starting and \
         ending with a letter or digit, e.g. cell-leipzig-press-01"
    ))
}

/// True for an RFC 1123 DNS label.
pub fn is_dns_label(s: &str) -> bool {
    let b = s.as_bytes();
    (1..=63).contains(&b.len())
        && b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b.first().is_some_and(u8::is_ascii_alphanumeric)
        && b.last().is_some_and(u8::is_ascii_alphanumeric)
}

/// A site name: 1–100 characters, no control characters, no leading or trailing spaces.
pub(super) fn check_site_name(name: &str) -> Result<(), String> {
    if name.trim().is_empty() {
        return Err("the site name is empty; name a plant or region, e.g. Leipzig or EMEA".into());
    }
    if name.trim() != name {
        return Err(format!("'{name}' has leading or trailing spaces; remove them"));
    }
    check_text(name, MAX_SITE_NAME_CHARS)
}

/// Free text: at most `max` characters and no control characters.
pub(crate) fn check_text(text: &str, max: usize) -> Result<(), String> {
    let n = text.chars().count();
    if n > max {
        return Err(format!("{n} characters is too long; keep it to {max}"));
    }
    if text.chars().any(char::is_control) {
        return Err("contains a control character such as a line break or tab; use one line of text".into());
    }
    crate::text::invisible_problem(text).map_or(Ok(()), Err)
}

/// A candidate key: lowercase letter first, then lowercase letters, digits, `_` or `-` (≤ 32).
pub(super) fn is_candidate_key(s: &str) -> bool {
    let b = s.as_bytes();
    (1..=32).contains(&b.len())
        && b[0].is_ascii_lowercase()
        && b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_' || *c == b'-')
}

/// A label in Kubernetes syntax: key `[prefix/]name`, value empty or like a name. This also keeps
/// `=`, `;` and `,` out, so the CSV form `key=value;key2=value2` needs no escaping.
pub fn check_label(key: &str, value: &str) -> Result<(), String> {
    let rule = "labels follow Kubernetes syntax: key [prefix/]name and value of at most 63 letters, \
                digits, '-', '_' or '.', starting and ending with a letter or digit";
    let (prefix, name) = match key.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    let prefix_ok = prefix.is_none_or(|p| p.len() <= 253 && p.split('.').all(is_dns_label));
    if !(prefix_ok && is_label_name(name)) {
        return Err(format!("label key '{key}' is not valid; {rule}"));
    }
    if !(value.is_empty() || is_label_name(value)) {
        return Err(format!("label '{key}' has the value '{value}', which is not valid; {rule}"));
    }
    Ok(())
}

/// 1–63 of `[A-Za-z0-9-_.]`, alphanumeric at both ends.
fn is_label_name(s: &str) -> bool {
    let b = s.as_bytes();
    (1..=63).contains(&b.len())
        && b.iter().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
        && b.first().is_some_and(u8::is_ascii_alphanumeric)
        && b.last().is_some_and(u8::is_ascii_alphanumeric)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn cluster_names_must_be_dns_labels_and_the_message_says_so() {
        for good in ["a", "cell-leipzig-press-01", "0plant", &"x".repeat(63)] {
            check_cluster_name(good).unwrap();
        }
        for bad in ["", "Cell", "cell_a", "-cell", "cell-", "cell a", "zelle-größe", &"x".repeat(64)] {
            let m = check_cluster_name(bad).unwrap_err();
            assert!(m.contains("DNS label"), "{bad}: {m}");
        }
    }

    #[test]
    fn kubernetes_style_labels_pass_and_others_do_not() {
        check_label("line", "press").unwrap();
        check_label("switchyard.io/owner", "ot-team_2").unwrap();
        check_label("empty", "").unwrap();
        for (k, v) in [("", "x"), ("a=b", "x"), ("k", "a;b"), ("k", "-x"), ("Bad_Prefix/k", "x"), ("k", "a b")] {
            assert!(check_label(k, v).is_err(), "{k}={v}");
        }
    }
}
