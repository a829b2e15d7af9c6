//! `docs/decisions/README.md`: the table of every exported ADR, linking each file.

use std::fmt::Write;

use super::escape::md_line;
use super::{Adr, AdrStatus};

/// The index of `adrs`, by number, for the export bundle's `README.md`.
pub fn render_index(adrs: &[Adr]) -> String {
    let mut out = String::from("# Decision records\n\n");
    out.push_str(
        "The architecture decision records of this fleet in MADR 4 format, exported from Switchyard's ADR \
         register. Change a decision in Switchyard, not in these files: they are generated from its records.\n\n",
    );
    if adrs.is_empty() {
        out.push_str("No decisions are recorded yet.\n");
        return out;
    }
    let mut sorted: Vec<&Adr> = adrs.iter().collect();
    sorted.sort_by_key(|a| a.number);
    out.push_str("| ADR | Title | Status | Date | Review by |\n");
    out.push_str("| --- | --- | --- | --- | --- |\n");
    for adr in sorted {
        let status = match (adr.status, adr.superseded_by) {
            (AdrStatus::Superseded, Some(by)) => format!("superseded by {by}"),
            (status, _) => status.to_string(),
        };
        let date = adr.date.map_or_else(|| "–".to_string(), |d| d.to_string());
        let review = adr.review_by.map_or_else(|| "–".to_string(), |d| d.to_string());
        let _ = writeln!(
            out,
            "| [{}]({}) | {} | {status} | {date} | {review} |",
            adr.number,
            adr.file_name(),
            md_line(&adr.draft.title)
        );
    }
    out
}
