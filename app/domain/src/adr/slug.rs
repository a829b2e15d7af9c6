//! File names for exported ADRs: `NNNN-title-with-dashes.md`, ASCII only, bounded in length, so a
//! title can never put a `/`, `..` or a space into a path.

use super::AdrNumber;

/// Longest slug, in characters (the number and `.md` come on top).
pub const MAX_SLUG_CHARS: usize = 60;

/// The slug of a title: Latin letters with diacritics folded to ASCII ("Ünïcode" → "unicode"),
/// other characters dropped, runs of anything else one `-`, lowercase, at most
/// [`MAX_SLUG_CHARS`] characters cut at a dash; `untitled` when nothing is left.
pub fn slug(title: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in title.chars() {
        let folded = fold(c);
        match folded {
            Some(ascii) => {
                if dash && !out.is_empty() {
                    out.push('-');
                }
                dash = false;
                out.push_str(ascii);
            }
            None if c.is_alphanumeric() => {} // a letter with no ASCII form: dropped
            None => dash = true,
        }
    }
    if out.len() > MAX_SLUG_CHARS {
        let cut = out[..=MAX_SLUG_CHARS].rfind('-').unwrap_or(MAX_SLUG_CHARS);
        out.truncate(cut);
    }
    if out.is_empty() { "untitled".to_string() } else { out }
}

/// The export file name of an ADR: `0001-cilium-by-default.md`.
pub fn file_name(number: AdrNumber, title: &str) -> String {
    format!("{}-{}.md", number.padded(), slug(title))
}

/// The lowercase ASCII letters or digits for `c`, or `None` for a separator or a letter
/// without an ASCII form.
fn fold(c: char) -> Option<&'static str> {
    const ALNUM: &str = "0123456789abcdefghijklmnopqrstuvwxyz";
    if c.is_ascii_alphanumeric() {
        let lower = c.to_ascii_lowercase();
        let i = ALNUM.find(lower)?;
        return ALNUM.get(i..=i);
    }
    let s = match c.to_lowercase().next().unwrap_or(c) {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'ĥ' | 'ħ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => "i",
        'ĵ' => "j",
        'ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => "o",
        'œ' => "oe",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' => "s",
        'ß' => "ss",
        'ţ' | 'ť' | 'ŧ' | 'ț' => "t",
        'þ' => "th",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => "u",
        'ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => return None,
    };
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_become_lowercase_ascii_words_with_dashes() {
        assert_eq!(
            slug("Cilium by default, Calico for brownfield plants and cells"),
            "cilium-by-default-calico-for-brownfield-plants-and-cells"
        );
        assert_eq!(slug("Ünïcode / ADR"), "unicode-adr");
        assert_eq!(slug("Győr: Werk 2 — Straße"), "gyor-werk-2-strasse");
        assert_eq!(slug("  --Leading and trailing--  "), "leading-and-trailing");
    }

    #[test]
    fn slugs_never_hold_slashes_dots_or_spaces() {
        for hostile in ["../../etc/passwd", "a/b\\c", "..", "x .. y", "a\u{0}b", "tab\there", "C:\\Windows"] {
            let s = slug(hostile);
            assert!(s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'), "{hostile:?} → {s}");
            assert!(!s.starts_with('-') && !s.ends_with('-'), "{s}");
        }
        assert_eq!(slug("../../etc/passwd"), "etc-passwd");
    }

    #[test]
    fn titles_without_latin_letters_are_untitled_and_long_titles_are_cut_at_a_dash() {
        assert_eq!(slug("日本語"), "untitled");
        assert_eq!(slug("---"), "untitled");
        let long = slug(&"segment ".repeat(40));
        assert!(long.len() <= MAX_SLUG_CHARS, "{long}");
        assert!(long.ends_with("segment"), "{long}");
    }

    #[test]
    fn file_names_carry_the_padded_number() {
        assert_eq!(file_name(AdrNumber(1), "Ünïcode / ADR"), "0001-unicode-adr.md");
        assert_eq!(file_name(AdrNumber(12), "日本語"), "0012-untitled.md");
    }
}
