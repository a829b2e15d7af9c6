//! Rules for text people type into names: no characters that are invisible or reorder what is
//! shown, so "Industrial ADR 2026" and a lookalike with a zero-width space cannot both exist.

/// The first character that is invisible or changes the display order: zero-width spaces and
/// joiners, bidirectional marks, embeddings, overrides and isolates, the word joiner and the
/// byte-order mark.
pub fn find_invisible(text: &str) -> Option<char> {
    text.chars().find(|c| {
        matches!(
            *c,
            '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{061C}'
                | '\u{FEFF}'
                | '\u{00AD}'
        )
    })
}

/// A message for [`find_invisible`]'s finding, or `None` when the text is clean.
pub fn invisible_problem(text: &str) -> Option<String> {
    find_invisible(text).map(|c| {
        format!(
            "contains the invisible character U+{:04X}; retype the text without it (it makes look-alike names)",
            u32::from(c)
        )
    })
}

/// `cell` with `'` in front when a spreadsheet would read it as a formula (it starts with `=`,
/// `+`, `-`, `@`, a tab or a carriage return): for CSV written outside the fleet's CSV module,
/// which also reads the prefix back.
pub fn formula_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{cell}").into() } else { cell.into() }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn zero_width_and_bidi_characters_are_found_and_plain_text_is_not() {
        assert_eq!(find_invisible("Industrial ADR 2026\u{200B}"), Some('\u{200B}'));
        assert_eq!(find_invisible("Leipzig\u{202E}"), Some('\u{202E}'));
        assert_eq!(find_invisible("Győr – Werk 2"), None);
        assert!(invisible_problem("a\u{FEFF}").unwrap().contains("U+FEFF"));
    }
}
