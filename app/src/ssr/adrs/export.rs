//! What leaves Switchyard as files: one ADR as MADR 4 Markdown, every ADR as a tar.gz bundle
//! that is byte-identical for the same records, and the review calendar (RFC 5545).

use std::collections::BTreeMap;

use chrono::{DateTime, Days, Utc};
use icalendar::{Alarm, Calendar, Component, Event, EventLike, Property};

use crate::AppError;
use crate::model::{AdrRecord, AdrReview, AdrSummary};
use domain::adr::{AdrLinks, AdrNumber, AdrStatus, ReviewRecord, render_index, render_madr};

/// The folder of the bundle, as the `adrs` CLI and Log4brains expect it.
pub const BUNDLE_DIR: &str = "docs/decisions";

/// Days before a review its calendar alarm goes off.
pub const ALARM_DAYS: i64 = 30;

/// The Markdown of `adr` with its `reviews`, linking the ADRs `titles` names.
pub fn markdown(adr: &AdrRecord, reviews: &[AdrReview], titles: &BTreeMap<AdrNumber, String>) -> String {
    let links: AdrLinks = [adr.adr.supersedes, adr.adr.superseded_by]
        .into_iter()
        .flatten()
        .filter_map(|n| titles.get(&n).map(|t| (n, t.clone())))
        .collect();
    let records: Vec<ReviewRecord> = reviews.iter().map(|r| r.record.clone()).collect();
    render_madr(&adr.adr, &records, &links)
}

/// Every ADR as `docs/decisions/NNNN-slug.md` plus `docs/decisions/README.md`, in a gzipped tar
/// whose bytes depend only on the records ([`crate::ssr::tarball`]).
pub fn bundle(adrs: &[AdrRecord], reviews: &[AdrReview]) -> Result<Vec<u8>, AppError> {
    let titles: BTreeMap<AdrNumber, String> = adrs.iter().map(|a| (a.adr.number, a.adr.draft.title.clone())).collect();
    let mut by_adr: BTreeMap<AdrNumber, Vec<AdrReview>> = BTreeMap::new();
    for r in reviews {
        by_adr.entry(r.adr).or_default().push(r.clone());
    }
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    for a in adrs {
        let mine = by_adr.get(&a.adr.number).map_or(&[][..], Vec::as_slice);
        files.insert(format!("{BUNDLE_DIR}/{}", a.file_name), markdown(a, mine, &titles));
    }
    let records: Vec<domain::adr::Adr> = adrs.iter().map(|a| a.adr.clone()).collect();
    files.insert(format!("{BUNDLE_DIR}/README.md"), render_index(&records));
    crate::ssr::tarball::tar_gz(&files)
}

/// The review calendar: one all-day event per accepted ADR on its next review date, with a
/// stable UID (`adr-0001-review@switchyard`), DTSTAMP the ADR's last change (RFC 5545: without a
/// METHOD it is the last revision), the ADR page's URL under `base_url`, and an alarm
/// [`ALARM_DAYS`] days before.
pub fn calendar(adrs: &[(AdrSummary, DateTime<Utc>)], base_url: &str) -> String {
    let mut cal = Calendar::new();
    cal.name("Switchyard ADR reviews");
    cal.description("The next review of every accepted architecture decision record in Switchyard");
    for (a, changed) in adrs {
        let (AdrStatus::Accepted, Some(due)) = (a.status, a.review_by) else { continue };
        let n = a.number;
        let summary = format!("Review {n}: {}", a.draft.title);
        let url = format!("{}/adrs/{}", base_url.trim_end_matches('/'), n.0);
        let description = format!(
            "{n} \"{}\" (chosen: {}) is due for its review: re-run the decision on today's model, then reaffirm or \
             supersede it. {url}",
            a.draft.title, a.draft.chosen
        );
        let mut alarm =
            Alarm::display(&format!("{summary} is due in {ALARM_DAYS} days"), -chrono::Duration::days(ALARM_DAYS));
        // Without these the library writes a random UID and the current time, and the feed
        // would change on every fetch.
        alarm.uid(&format!("adr-{}-review-alarm@switchyard", n.padded())).timestamp(*changed);
        // In days, as people read it (the library writes the duration in seconds).
        alarm.append_property(Property::new("TRIGGER", format!("-P{ALARM_DAYS}D")));
        let day_after = due.checked_add_days(Days::new(1)).unwrap_or(due);
        let event = Event::new()
            .uid(&format!("adr-{}-review@switchyard", n.padded()))
            .timestamp(*changed)
            .summary(&summary)
            .description(&description)
            .url(&url)
            .starts(due)
            .ends(day_after)
            .alarm(alarm.done())
            .done();
        cal.push(event);
    }
    cal.to_string()
}
