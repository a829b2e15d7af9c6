//! Writing data into Markdown and YAML so it stays data: titles, names and free text cannot open
//! a heading, a list, a table cell, an HTML tag or a second front matter.

use std::fmt::Write;

/// One line of text for a paragraph, list item, heading or table cell: Markdown punctuation
/// is backslash-escaped (so `#`, `*`, backticks, `|`, `<`, `[` stay literal), a marker that
/// would start a block at the beginning of the line is escaped, `http(s)://` addresses become
/// autolinks and `www.` and `@` are escaped so nothing else turns into a bare link.
pub fn md_line(text: &str) -> String {
    let text = text.trim();
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text;
    let mut at_start = true;
    while !rest.is_empty() {
        if let Some(url_len) = url_at(rest) {
            let _ = write!(out, "<{}>", &rest[..url_len]);
            rest = &rest[url_len..];
            at_start = false;
            continue;
        }
        if at_start && let Some(n) = block_marker_len(rest) {
            // Escape the marker's last character: `\-`, `\#`, `1\.`, `\>`.
            let (head, tail) = rest.split_at(n);
            let mut chars = head.chars();
            let last = chars.next_back().unwrap_or_default();
            out.push_str(chars.as_str());
            out.push('\\');
            out.push(last);
            rest = tail;
            at_start = false;
            continue;
        }
        let mut chars = rest.chars();
        let Some(c) = chars.next() else { break };
        let next = chars.as_str();
        if needs_escape(c, next) {
            out.push('\\');
        }
        out.push(c);
        if c == 'w' && rest.starts_with("www.") && (out.len() == 1 || !prev_is_word(&out)) {
            out.push_str("ww\\.");
            rest = &rest[4..];
        } else {
            rest = next;
        }
        at_start = false;
    }
    out
}

/// Multi-line text as Markdown paragraphs: blank lines separate paragraphs, every line goes
/// through [`md_line`], and leading spaces are dropped so nothing becomes a code block.
pub fn md_paragraphs(text: &str) -> String {
    let text = super::text::normalize_multiline(text);
    let mut paragraphs = Vec::new();
    let mut current: Vec<String> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !current.is_empty() {
                paragraphs.push(current.join("\n"));
                current.clear();
            }
        } else {
            current.push(md_line(line));
        }
    }
    if !current.is_empty() {
        paragraphs.push(current.join("\n"));
    }
    paragraphs.join("\n\n")
}

/// Multi-line text as one line (for a list item), then [`md_line`].
pub fn md_one_line(text: &str) -> String {
    md_line(&text.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// A YAML scalar for front matter: plain when it is unambiguously a string (starts with a
/// letter, holds only letters, digits, spaces and `, . ( ) / - _ + '`, ends with a letter, digit,
/// `.` or `)`, and is no YAML keyword), else double-quoted with escapes.
pub fn yaml_scalar(s: &str) -> String {
    if is_plain_safe(s) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            // Control characters, YAML's own line breaks (NEL, LS, PS) and the byte-order mark.
            c if c.is_control() || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{FEFF}') => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn is_plain_safe(s: &str) -> bool {
    const KEYWORDS: [&str; 10] = ["y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"];
    let Some(first) = s.chars().next() else { return false };
    let last = s.chars().next_back().unwrap_or(first);
    first.is_alphabetic()
        && (last.is_alphanumeric() || last == '.' || last == ')')
        && s.chars().all(|c| c.is_alphanumeric() || " ,.()/-_+'".contains(c))
        && !s.contains("  ")
        && !KEYWORDS.contains(&s.to_lowercase().as_str())
}

/// Length of a block marker at the start of `s`: `#`, `>`, `-`, `+`, `*`, `=`, `|`, or digits
/// followed by `.` or `)`.
fn block_marker_len(s: &str) -> Option<usize> {
    let first = s.chars().next()?;
    if "#>-+=".contains(first) {
        return Some(1);
    }
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if (1..=9).contains(&digits) && matches!(s.as_bytes().get(digits), Some(b'.' | b')')) {
        return Some(digits + 1);
    }
    None
}

fn needs_escape(c: char, next: &str) -> bool {
    match c {
        '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~' | '@' => true,
        // `&name;` is an entity (`&#…;` is defused by escaping the `#`).
        '&' => {
            let name = next.bytes().take_while(u8::is_ascii_alphanumeric).count();
            name > 0 && next.as_bytes().get(name) == Some(&b';')
        }
        _ => false,
    }
}

fn prev_is_word(out: &str) -> bool {
    out.chars().rev().nth(1).is_some_and(char::is_alphanumeric)
}

/// Length of an `http://` or `https://` address at the start of `s`, without trailing
/// punctuation, stopping where an autolink could not hold the character.
fn url_at(s: &str) -> Option<usize> {
    let scheme = ["https://", "http://"].into_iter().find(|p| s.starts_with(p))?;
    let end = s.find(|c: char| c.is_whitespace() || c.is_control() || "<>\"`|".contains(c)).unwrap_or(s.len());
    let url = s[..end].trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '\'']);
    (url.len() > scheme.len()).then_some(url.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_punctuation_stays_literal() {
        assert_eq!(
            md_line("a # b `c` | d <e> [f](g) *h* _i_ ~j~"),
            r"a \# b \`c\` \| d \<e\> \[f\](g) \*h\* \_i\_ \~j\~"
        );
        assert_eq!(md_line(r"back\slash"), r"back\\slash");
        assert_eq!(md_line("R&D &amp; &#35;"), r"R&D \&amp; &\#35;");
    }

    #[test]
    fn block_markers_at_the_start_of_a_line_are_escaped() {
        assert_eq!(md_line("# not a heading"), r"\# not a heading");
        assert_eq!(md_line("- not a list"), r"\- not a list");
        assert_eq!(md_line("---"), r"\---");
        assert_eq!(md_line("2026. A year"), r"2026\. A year");
        assert_eq!(md_line("1) one"), r"1\) one");
        assert_eq!(md_line("> quote"), r"\> quote");
        assert_eq!(md_line("=== "), r"\===");
        assert_eq!(md_line("a - b"), "a - b");
    }

    #[test]
    fn addresses_become_autolinks_and_nothing_else_links_itself() {
        assert_eq!(md_line("see https://docs.cilium.io/en/stable/."), "see <https://docs.cilium.io/en/stable/>.");
        assert_eq!(md_line("mail ops@example.com"), r"mail ops\@example.com");
        assert_eq!(md_line("www.example.com and awww.x"), r"www\.example.com and awww.x");
    }

    #[test]
    fn paragraphs_keep_their_breaks_and_lose_indentation() {
        assert_eq!(md_paragraphs("one\n    two\n\n\n- three"), "one\ntwo\n\n\\- three");
    }

    #[test]
    fn yaml_scalars_are_plain_only_when_unambiguous() {
        assert_eq!(
            yaml_scalar("Cilium by default, Calico for brownfield plants and cells"),
            "Cilium by default, Calico for brownfield plants and cells"
        );
        assert_eq!(yaml_scalar("Ana Silva"), "Ana Silva");
        assert_eq!(yaml_scalar("Győr – Werk 2"), "\"Győr – Werk 2\"");
        for (raw, quoted) in [
            ("a: b", r#""a: b""#),
            ("# x", r##""# x""##),
            ("say \"hi\"", r#""say \"hi\"""#),
            ("---", r#""---""#),
            ("x ---", r#""x ---""#),
            ("yes", r#""yes""#),
            ("2026-01-15", r#""2026-01-15""#),
            ("line\nbreak", r#""line\nbreak""#),
            ("nel\u{85}", r#""nel\u0085""#),
            ("", r#""""#),
        ] {
            assert_eq!(yaml_scalar(raw), quoted, "{raw:?}");
        }
    }
}
