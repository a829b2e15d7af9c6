// The review calendar as a calendar client reads it: ical.js parses the feed Switchyard serves
// (with a read token in the query, as calendar clients cannot send headers) and every accepted
// ADR's next review must be there as an all-day event with its alarm.
//   node readers/ics.mjs BASE_URL READ_TOKEN
import ICAL from 'ical.js';

const [base, token] = process.argv.slice(2);
const auth = { headers: { Authorization: `Bearer ${token}` } };
const feed = await fetch(`${base}/api/v1/reviews.ics?token=${encodeURIComponent(token)}`);
if (feed.status !== 200) throw new Error(`the feed answered ${feed.status}`);
if (!(feed.headers.get('content-type') ?? '').startsWith('text/calendar')) throw new Error('the feed is not text/calendar');
const calendar = new ICAL.Component(ICAL.parse(await feed.text()));
const events = calendar.getAllSubcomponents('vevent').map((e) => new ICAL.Event(e));

const list = await fetch(`${base}/api/v1/adrs?status=accepted`, auth);
const accepted = await list.json();
const adrs = Array.isArray(accepted) ? accepted : accepted.adrs;
if (adrs.length === 0) throw new Error('no accepted ADR to look for');
for (const adr of adrs) {
  const label = `ADR-${String(adr.number).padStart(4, '0')}`;
  const ev = events.find((e) => e.summary.startsWith(`Review ${label}:`));
  if (!ev) throw new Error(`no event for ${label} in the feed`);
  if (!ev.startDate.isDate) throw new Error(`${label}: the event is not all-day`);
  if (ev.startDate.toString() !== adr.review_by) throw new Error(`${label}: ${ev.startDate} is not its review date ${adr.review_by}`);
  if (!ev.uid) throw new Error(`${label}: no UID`);
  if (ev.component.getAllSubcomponents('valarm').length === 0) throw new Error(`${label}: no alarm`);
}
const badToken = await fetch(`${base}/api/v1/reviews.ics?token=not-a-token`);
if (badToken.status !== 401) throw new Error(`a bad token got ${badToken.status}, not 401`);
console.log(`ical.js read ${events.length} review events; each of the ${adrs.length} accepted ADRs is there on its date`);
