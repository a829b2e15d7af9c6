//! Rules for the text people write into an ADR, each returning the message to show when it fails.

/// Longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 200;

/// Most entries in a list of names, drivers or consequences.
pub const MAX_LIST_ENTRIES: usize = 50;

/// Longest name of a person or team, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// Longest one-line entry (a driver, a consequence, a decision detail), in characters.
pub const MAX_LINE_CHARS: usize = 500;

/// Longest multi-line text (context, confirmation, justification), in characters.
pub const MAX_TEXT_CHARS: usize = 10_000;

/// Characters that end a line in Markdown or YAML: LF, CR, NEL and the Unicode line and
/// paragraph separators.
const LINE_BREAKS: [char; 5] = ['\n', '\r', '\u{85}', '\u{2028}', '\u{2029}'];

/// What is wrong with a title, if anything: empty, too long, more than one line, control or
/// invisible characters.
pub fn title_problem(title: &str) -> Option<String> {
    if title.trim().is_empty() {
        return Some("the title is empty; say what was decided, e.g. \"Calico for brownfield plants\"".into());
    }
    if title.contains(LINE_BREAKS) {
        return Some(
            "the title has a line break; a title is one line, so put the details in the context and problem statement"
                .into(),
        );
    }
    let n = title.chars().count();
    if n > MAX_TITLE_CHARS {
        return Some(format!(
            "the title has {n} characters; keep it to {MAX_TITLE_CHARS} and move the rest to the context"
        ));
    }
    control_problem(title, "the title").or_else(|| crate::text::invisible_problem(title))
}

/// What is wrong with one line of text (`what` names it in the message), if anything.
pub fn line_problem(line: &str, what: &str, max: usize) -> Option<String> {
    if line.trim().is_empty() {
        return Some(format!("{what} is empty; remove the entry or write it"));
    }
    if line.contains(LINE_BREAKS) {
        return Some(format!("{what} has a line break; write one line per entry"));
    }
    let n = line.chars().count();
    if n > max {
        return Some(format!("{what} has {n} characters; keep it to {max}"));
    }
    control_problem(line, what).or_else(|| crate::text::invisible_problem(line))
}

/// What is wrong with multi-line text, if anything: control characters other than line breaks
/// and tabs, or invisible characters.
pub fn multiline_problem(text: &str) -> Option<String> {
    let n = text.chars().count();
    if n > MAX_TEXT_CHARS {
        return Some(format!("the text has {n} characters; keep it to {MAX_TEXT_CHARS} and link longer documents"));
    }
    text.chars()
        .find(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        .map(|c| control_message(c, "the text"))
        .or_else(|| crate::text::invisible_problem(text))
}

/// Multi-line text with `\r\n` as `\n`, tabs as spaces, trailing spaces and surrounding blank
/// lines removed.
pub fn normalize_multiline(text: &str) -> String {
    let lines: Vec<String> = text.replace("\r\n", "\n").replace('\r', "\n").lines().map(clean_line).collect();
    lines.join("\n").trim_matches('\n').to_string()
}

fn clean_line(line: &str) -> String {
    line.replace('\t', "    ").trim_end().to_string()
}

fn control_problem(text: &str, what: &str) -> Option<String> {
    text.chars().find(|c| c.is_control()).map(|c| control_message(c, what))
}

fn control_message(c: char, what: &str) -> String {
    format!("{what} contains the control character U+{:04X}; retype it without that character", u32::from(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_one_visible_line_of_at_most_200_characters() {
        assert_eq!(title_problem("Cilium by default"), None);
        assert_eq!(title_problem(&"x".repeat(200)), None);
        assert!(title_problem(&"x".repeat(201)).is_some_and(|m| m.contains("201 characters")));
        assert!(title_problem("two\nlines").is_some_and(|m| m.contains("line break")));
        assert!(title_problem("tab\there").is_some_and(|m| m.contains("U+0009")));
        assert!(title_problem("zero\u{200B}width").is_some_and(|m| m.contains("U+200B")));
        assert!(title_problem("   ").is_some_and(|m| m.contains("empty")));
    }

    #[test]
    fn multiline_text_keeps_its_lines_and_loses_tabs_and_trailing_spaces() {
        assert_eq!(normalize_multiline("\n\na  \r\n\tb\n\n"), "a\n    b");
        assert_eq!(multiline_problem("a\nb\tc"), None);
        assert!(multiline_problem("bell\u{7}").is_some());
    }
}
