//! Charts as SVG strings, on the server and in the browser alike.
//!
//! The studio's two charts (contributions and the break-even tornado) are redrawn in the browser
//! on every slider move, so they are written with the small [`Svg`] writer below: integers only,
//! no float formatting and no charting library in the WASM bundle (plotters alone was 18 KB of
//! it). The server-only charts (the fleet's tier × CNI bars, the versions lifecycle) are drawn
//! with plotters. Layout is fixed geometry (no font measuring), so the server-rendered SVG and the
//! hydrated one are identical. Every coloured mark also carries a text label, so the charts read
//! without colour.

use domain::{BreakEven, Evaluation, Model, format_points, scoring::UNITS_PER_POINT, weights::FULL};

/// Okabe–Ito palette plus two greys: distinguishable with the common colour-vision deficiencies.
pub const PALETTE: [(u8, u8, u8); 9] = [
    (0, 114, 178),
    (230, 159, 0),
    (0, 158, 115),
    (204, 121, 167),
    (86, 180, 233),
    (213, 94, 0),
    (240, 228, 66),
    (120, 120, 120),
    (40, 40, 40),
];

/// Text and tick colour.
const INK: (u8, u8, u8) = (0, 0, 0);
/// Background and segment borders.
const PAPER: (u8, u8, u8) = (255, 255, 255);
/// Grid lines.
const GRID: (u8, u8, u8) = (220, 220, 220);

fn palette(i: usize) -> (u8, u8, u8) {
    PALETTE[i % PALETTE.len()]
}

/// CSS colour of criterion `i` for legends outside the SVG.
pub fn criterion_css_colour(i: usize) -> String {
    css(palette(i))
}

fn css((r, g, b): (u8, u8, u8)) -> String {
    format!("rgb({r},{g},{b})")
}

/// Text colour readable on top of palette colour `i`.
fn ink_on(i: usize) -> (u8, u8, u8) {
    let (r, g, b) = palette(i);
    let luma = 299 * u32::from(r) + 587 * u32::from(g) + 114 * u32::from(b);
    if luma > 140_000 { INK } else { PAPER }
}

/// Where a text's `x` is.
#[derive(Clone, Copy)]
enum Anchor {
    Start,
    Middle,
    End,
}

/// A minimal SVG writer: rectangles, lines and escaped text on a white canvas, integer
/// coordinates.
struct Svg(String);

impl Svg {
    fn new(width: i32, height: i32) -> Svg {
        let mut svg = Svg(format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\">"
        ));
        svg.rect((0, 0), (width, height), PAPER, None, 100);
        svg
    }

    /// A rectangle from (x0, y0) to (x1, y1), filled at `opacity` percent, with an optional
    /// one-pixel border.
    fn rect(
        &mut self,
        (x0, y0): (i32, i32),
        (x1, y1): (i32, i32),
        fill: (u8, u8, u8),
        stroke: Option<(u8, u8, u8)>,
        opacity: u8,
    ) {
        let (w, h) = (x1 - x0, y1 - y0);
        self.0.push_str(&format!("<rect x=\"{x0}\" y=\"{y0}\" width=\"{w}\" height=\"{h}\" fill=\"{}\"", css(fill)));
        if opacity < 100 {
            self.0.push_str(&format!(" fill-opacity=\"0.{opacity:02}\""));
        }
        if let Some(s) = stroke {
            self.0.push_str(&format!(" stroke=\"{}\" stroke-width=\"1\"", css(s)));
        }
        self.0.push_str("/>");
    }

    fn line(&mut self, x0: i32, y0: i32, x1: i32, y1: i32, colour: (u8, u8, u8)) {
        self.0.push_str(&format!("<line x1=\"{x0}\" y1=\"{y0}\" x2=\"{x1}\" y2=\"{y1}\" stroke=\"{}\"/>", css(colour)));
    }

    /// `text` (escaped) centred vertically on `y`.
    fn text(&mut self, x: i32, y: i32, size: u32, anchor: Anchor, colour: (u8, u8, u8), text: &str) {
        let anchor = match anchor {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        };
        self.0.push_str(&format!(
            "<text x=\"{x}\" y=\"{y}\" font-family=\"sans-serif\" font-size=\"{size}\" text-anchor=\"{anchor}\" \
             dominant-baseline=\"middle\" fill=\"{}\">{}</text>",
            css(colour),
            html_escape::encode_text(text)
        ));
    }

    fn finish(mut self) -> String {
        self.0.push_str("</svg>");
        self.0
    }
}

fn name_of<'m>(model: &'m Model, key: &'m str) -> &'m str {
    model.candidates.iter().find(|c| c.key == key).map_or(key, |c| c.name.as_str())
}

/// Stacked horizontal bars: one bar per candidate, one segment per criterion (numbered 1–9 as
/// in the legend), the total at the end of the bar.
pub fn contribution_svg(model: &Model, e: &Evaluation) -> String {
    const LEFT: i32 = 90;
    const RIGHT: i32 = 60;
    const WIDTH: i32 = 640;
    const BAR: i32 = 30;
    const GAP: i32 = 16;
    const TOP: i32 = 10;
    let rows = e.results.len() as i32;
    let height = TOP + rows * (BAR + GAP) + 24;
    let plot_w = WIDTH - LEFT - RIGHT;
    let max_units = 5 * UNITS_PER_POINT as i32;
    let x_of = |units: i32| LEFT + units * plot_w / max_units;
    let mut svg = Svg::new(WIDTH, height);
    for tick in 0..=5 {
        let x = x_of(tick * UNITS_PER_POINT as i32);
        svg.line(x, TOP - 4, x, TOP + rows * (BAR + GAP), GRID);
        svg.text(x, TOP + rows * (BAR + GAP) + 10, 12, Anchor::Middle, INK, &tick.to_string());
    }
    for (row, r) in e.results.iter().enumerate() {
        let y0 = TOP + row as i32 * (BAR + GAP);
        svg.text(LEFT - 8, y0 + BAR / 2, 14, Anchor::End, INK, name_of(model, &r.candidate));
        let mut acc = 0;
        for (i, &c) in r.contributions.iter().enumerate() {
            let c = c as i32;
            let (x0, x1) = (x_of(acc), x_of(acc + c));
            acc += c;
            if x1 <= x0 {
                continue;
            }
            svg.rect((x0, y0), (x1, y0 + BAR), palette(i), Some(PAPER), 100);
            if x1 - x0 >= 14 {
                svg.text((x0 + x1) / 2, y0 + BAR / 2, 12, Anchor::Middle, ink_on(i), &(i + 1).to_string());
            }
        }
        svg.text(x_of(acc) + 6, y0 + BAR / 2, 14, Anchor::Start, INK, &format_points(r.total));
    }
    svg.finish()
}

/// Tornado of break-even weights: per criterion, the band of weights (0–100 %) within which the
/// winner stays the same, the current weight as a tick, and where and to whom it flips. The most
/// sensitive criteria (narrowest band) come first. Integer arithmetic throughout (weights in
/// tenths of a percent), so the browser bundle carries no float formatting.
pub fn tornado_svg(model: &Model, be: &[BreakEven]) -> String {
    // Wide enough for the longest criterion name with its number.
    const LEFT: i32 = 260;
    const RIGHT: i32 = 170;
    const WIDTH: i32 = 730;
    const ROW: i32 = 26;
    const TOP: i32 = 10;
    let plot_w = WIDTH - LEFT - RIGHT;
    let full = i128::from(FULL);
    // x of a weight num/den tenths, rounded half up.
    let x_of = |num: i128, den: i128| {
        let scaled = (2 * num * i128::from(plot_w) + den * full).div_euclid(2 * den * full);
        LEFT + i32::try_from(scaled).unwrap_or(0).clamp(0, plot_w)
    };
    let lo = |b: &BreakEven| b.below.as_ref().map_or((0, 1), |f| (f.weight.num, f.weight.den));
    let hi = |b: &BreakEven| b.above.as_ref().map_or((full, 1), |f| (f.weight.num, f.weight.den));
    let mut order: Vec<usize> = (0..be.len().min(model.criteria.len())).collect();
    // Narrowest band first: hi - lo compared as exact fractions.
    let band = |b: &BreakEven| {
        let ((ln, ld), (hn, hd)) = (lo(b), hi(b));
        (hn * ld - ln * hd, hd * ld)
    };
    order.sort_by(|&a, &b| {
        let ((an, ad), (bn, bd)) = (band(&be[a]), band(&be[b]));
        (an * bd).cmp(&(bn * ad))
    });
    let rows = order.len() as i32;
    let height = TOP + rows * ROW + 28;
    let mut svg = Svg::new(WIDTH, height);
    for pct in (0..=100).step_by(25) {
        let x = x_of(pct * 10, 1);
        svg.line(x, TOP - 4, x, TOP + rows * ROW, GRID);
        svg.text(x, TOP + rows * ROW + 12, 12, Anchor::Middle, INK, &format!("{pct} %"));
    }
    for (row, &i) in order.iter().enumerate() {
        let b = &be[i];
        let y0 = TOP + row as i32 * ROW;
        let mid = y0 + ROW / 2;
        svg.text(LEFT - 8, mid, 12, Anchor::End, INK, &format!("{}. {}", i + 1, model.criteria[i].name));
        let ((ln, ld), (hn, hd)) = (lo(b), hi(b));
        let (x0, x1) = (x_of(ln, ld), x_of(hn, hd).max(x_of(ln, ld) + 1));
        svg.rect((x0, y0 + 5), (x1, y0 + ROW - 5), palette(0), Some(palette(0)), 35);
        let xc = x_of(i128::from(b.current), 1);
        svg.rect((xc - 1, y0 + 2), (xc + 1, y0 + ROW - 2), INK, None, 100);
        let note = match (&b.below, &b.above) {
            (None, None) => "never flips".to_string(),
            (Some(l), Some(h)) => format!(
                "≤ {} % → {}, ≥ {} % → {}",
                l.weight.percent_text(),
                name_of(model, &l.challenger),
                h.weight.percent_text(),
                name_of(model, &h.challenger)
            ),
            (None, Some(f)) => format!("≥ {} % → {}", f.weight.percent_text(), name_of(model, &f.challenger)),
            (Some(f), None) => format!("≤ {} % → {}", f.weight.percent_text(), name_of(model, &f.challenger)),
        };
        svg.text(LEFT + plot_w + 8, mid, 12, Anchor::Start, INK, &note);
    }
    svg.finish()
}

/// A share of 1 in whole per mille, rounded half up (a cast, no float formatting).
pub fn per_mille(share: f64) -> i32 {
    (share.clamp(0.0, 1.0) * 1000.0 + 0.5) as i32
}

/// "83 %" or "0.4 %" from per mille.
pub fn percent_text(pm: i32) -> String {
    if pm >= 100 || pm % 10 == 0 { format!("{} %", (pm + 5) / 10) } else { format!("{}.{} %", pm / 10, pm % 10) }
}

fn ordinal(rank: usize) -> String {
    match rank {
        1 => "1st".into(),
        2 => "2nd".into(),
        3 => "3rd".into(),
        n => format!("{n}th"),
    }
}

/// Rank acceptability as stacked bars: one bar per candidate, one segment per rank (1st first,
/// labelled "1st 83 %" where it fits), so how often each candidate wins reads at a glance.
pub fn acceptability_svg(model: &Model, acc: &domain::robustness::Acceptability) -> String {
    const LEFT: i32 = 90;
    const RIGHT: i32 = 20;
    const WIDTH: i32 = 640;
    const BAR: i32 = 30;
    const GAP: i32 = 14;
    const TOP: i32 = 10;
    let rows = acc.candidates.len() as i32;
    let height = TOP + rows * (BAR + GAP) + 24;
    let plot_w = WIDTH - LEFT - RIGHT;
    let x_of = |pm: i32| LEFT + pm * plot_w / 1000;
    let mut svg = Svg::new(WIDTH, height);
    for pct in (0..=100).step_by(25) {
        let x = x_of(pct * 10);
        svg.line(x, TOP - 4, x, TOP + rows * (BAR + GAP), GRID);
        svg.text(x, TOP + rows * (BAR + GAP) + 10, 12, Anchor::Middle, INK, &format!("{pct} %"));
    }
    for (row, (key, shares)) in acc.candidates.iter().zip(&acc.rank_acceptability).enumerate() {
        let y0 = TOP + row as i32 * (BAR + GAP);
        svg.text(LEFT - 8, y0 + BAR / 2, 14, Anchor::End, INK, name_of(model, key));
        let mut at = 0;
        for (rank, &share) in shares.iter().enumerate() {
            let pm = per_mille(share);
            let (x0, x1) = (x_of(at), x_of((at + pm).min(1000)));
            at += pm;
            if x1 <= x0 {
                continue;
            }
            // Rank 1 in the first palette colour, later ranks lighter and lighter.
            svg.rect((x0, y0), (x1, y0 + BAR), palette(0), Some(PAPER), (100 - 30 * rank as i32).max(15) as u8);
            let label = format!("{} {}", ordinal(rank + 1), percent_text(pm));
            if x1 - x0 >= 8 * label.len() as i32 {
                let ink = if rank == 0 { ink_on(0) } else { INK };
                svg.text((x0 + x1) / 2, y0 + BAR / 2, 12, Anchor::Middle, ink, &label);
            }
        }
    }
    svg.finish()
}

pub use server::{cni_colour, lifecycle_svg, tier_cni_svg};

/// The charts only the server draws (no island shows them, so none of this reaches the WASM
/// bundles), with plotters.
mod server {
    use plotters::prelude::*;
    use plotters::style::text_anchor::{HPos, Pos, VPos};

    const FONT: &str = "sans-serif";

    fn colour(i: usize) -> RGBColor {
        let (r, g, b) = super::palette(i);
        RGBColor(r, g, b)
    }

    fn text_style(size: u32, colour: &'static RGBColor, h: HPos) -> TextStyle<'static> {
        TextStyle::from((FONT, size).into_font()).color(colour).pos(Pos::new(h, VPos::Center))
    }

    type Area<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;
    type DrawResult = Result<(), Box<dyn std::error::Error>>;

    fn render(width: u32, height: u32, draw: impl FnOnce(&Area<'_>) -> DrawResult) -> String {
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
            let ok = root.fill(&WHITE).is_ok() && draw(&root).is_ok() && root.present().is_ok();
            if !ok {
                // A chart that failed to draw is left out rather than shown half-drawn.
                drop(root);
                svg.clear();
            }
        }
        svg
    }

    /// Colour of a CNI on the fleet map and charts (always shown with its name or initials too).
    pub fn cni_colour(cni: &str) -> RGBColor {
        match cni {
            "cilium" => colour(0),
            "calico" => colour(1),
            "antrea" => colour(2),
            "flannel" => colour(3),
            _ => RGBColor(160, 160, 160),
        }
    }

    /// Stacked bars of cluster counts per tier, one segment per CNI, each segment labelled with the
    /// CNI's name and count.
    pub fn tier_cni_svg(
        summary: &std::collections::BTreeMap<String, std::collections::BTreeMap<String, usize>>,
    ) -> String {
        let rows: Vec<StackedRow> = ["cell", "plant", "regional", "cloud"]
            .into_iter()
            .filter_map(|t| summary.get(t).map(|counts| (t, counts)))
            .map(|(t, counts)| {
                let segments = counts
                    .iter()
                    .map(|(cni, &n)| Segment {
                        label: cni.clone(),
                        count: n,
                        fill: cni_colour(cni),
                        ink: if cni == "calico" { &BLACK } else { &WHITE },
                    })
                    .collect();
                StackedRow { label: t.to_string(), segments }
            })
            .collect();
        stacked_svg(80, &rows)
    }

    /// Lifecycle status colours: end of life vermillion, within 90 days orange, supported green,
    /// unknown grey; each segment also says its status in words.
    fn status_colour(status: &str) -> (RGBColor, &'static RGBColor) {
        match status {
            "eol" => (colour(5), &WHITE),
            "eol_soon" => (colour(1), &BLACK),
            "supported" => (colour(2), &WHITE),
            _ => (RGBColor(200, 200, 200), &BLACK),
        }
    }

    /// Stacked bars of clusters per CNI minor (`cilium 1.16`, `calico unpinned`), one segment per
    /// lifecycle status, each labelled with the status and count.
    pub fn lifecycle_svg(
        by_minor: &std::collections::BTreeMap<String, std::collections::BTreeMap<String, usize>>,
    ) -> String {
        let order = ["eol", "eol_soon", "supported", "unknown"];
        let rows: Vec<StackedRow> = by_minor
            .iter()
            .map(|(minor, counts)| {
                let segments = order
                    .iter()
                    .filter_map(|s| counts.get(*s).map(|&n| (*s, n)))
                    .map(|(s, n)| {
                        let (fill, ink) = status_colour(s);
                        Segment { label: s.replace('_', " "), count: n, fill, ink }
                    })
                    .collect();
                StackedRow { label: minor.clone(), segments }
            })
            .collect();
        stacked_svg(130, &rows)
    }

    /// One bar of a stacked bar chart.
    struct StackedRow {
        label: String,
        segments: Vec<Segment>,
    }

    /// One segment: its label, count, fill and the colour of text on it.
    struct Segment {
        label: String,
        count: usize,
        fill: RGBColor,
        ink: &'static RGBColor,
    }

    /// Horizontal stacked bars, `left` pixels for the row labels, each segment labelled with its
    /// name and count when it is wide enough (its count alone otherwise) and the row's total after it.
    fn stacked_svg(left: i32, rows: &[StackedRow]) -> String {
        const WIDTH: i32 = 640;
        const BAR: i32 = 26;
        const GAP: i32 = 12;
        let max: usize =
            rows.iter().map(|r| r.segments.iter().map(|s| s.count).sum::<usize>()).max().unwrap_or(1).max(1);
        let plot_w = WIDTH - left - 60;
        let height = 10 + rows.len() as i32 * (BAR + GAP) + 10;
        render(WIDTH as u32, height.max(40) as u32, |root| {
            for (i, row) in rows.iter().enumerate() {
                let y0 = 10 + i as i32 * (BAR + GAP);
                root.draw(&Text::new(
                    row.label.clone(),
                    (left - 8, y0 + BAR / 2),
                    text_style(13, &BLACK, HPos::Right),
                ))?;
                let mut x = left;
                for seg in &row.segments {
                    let w = (seg.count as i64 * i64::from(plot_w) / max as i64) as i32;
                    if w <= 0 {
                        continue;
                    }
                    root.draw(&Rectangle::new([(x, y0), (x + w, y0 + BAR)], seg.fill.filled()))?;
                    root.draw(&Rectangle::new([(x, y0), (x + w, y0 + BAR)], WHITE.stroke_width(1)))?;
                    let label = if w > 8 * (seg.label.len() as i32 + 3) {
                        format!("{} {}", seg.label, seg.count)
                    } else {
                        seg.count.to_string()
                    };
                    if w > 14 {
                        root.draw(&Text::new(label, (x + w / 2, y0 + BAR / 2), text_style(12, seg.ink, HPos::Center)))?;
                    }
                    x += w;
                }
                let total: usize = row.segments.iter().map(|s| s.count).sum();
                root.draw(&Text::new(total.to_string(), (x + 6, y0 + BAR / 2), text_style(12, &BLACK, HPos::Left)))?;
            }
            Ok(())
        })
    }
}

/// The stakeholders' spread, one row per criterion on a 0–100 % axis: a bar from the lowest to
/// the highest weight given, a dot per stakeholder, a black tick at the aggregate and a hollow
/// square at the profile's own weight; the right column writes the range out, so the chart reads
/// without colour.
pub fn spread_svg(
    model: &Model,
    spread: &[domain::stakeholders::Spread],
    sets: &[&domain::Weights],
    aggregate: &domain::Weights,
    profile: &domain::Weights,
) -> String {
    // Wide enough for the longest criterion name with its number.
    const LEFT: i32 = 260;
    const RIGHT: i32 = 110;
    const WIDTH: i32 = 700;
    const ROW: i32 = 26;
    const TOP: i32 = 10;
    let plot_w = WIDTH - LEFT - RIGHT;
    // The axis ends at the largest weight anyone gave, rounded up to 10 %, so small weights
    // stay apart.
    let top =
        spread.iter().map(|s| s.hi).chain(profile.0.iter().copied()).max().unwrap_or(0).div_ceil(100).max(1) * 100;
    let x_of =
        |tenths: u32| LEFT + i32::try_from(u64::from(tenths.min(top)) * plot_w as u64 / u64::from(top)).unwrap_or(0);
    let rows = spread.len().min(model.criteria.len()) as i32;
    let height = TOP + rows * ROW + 28;
    let mut svg = Svg::new(WIDTH, height);
    for step in 0..=4u32 {
        let t = top * step / 4;
        let x = x_of(t);
        svg.line(x, TOP - 4, x, TOP + rows * ROW, GRID);
        svg.text(
            x,
            TOP + rows * ROW + 12,
            12,
            Anchor::Middle,
            INK,
            &format!("{} %", domain::weights::format_tenths(u64::from(t))),
        );
    }
    for (i, s) in spread.iter().enumerate().take(rows as usize) {
        let y0 = TOP + i as i32 * ROW;
        let mid = y0 + ROW / 2;
        svg.text(LEFT - 8, mid, 12, Anchor::End, INK, &format!("{}. {}", i + 1, model.criteria[i].name));
        svg.rect(
            (x_of(s.lo), y0 + 7),
            (x_of(s.hi).max(x_of(s.lo) + 2), y0 + ROW - 7),
            palette(0),
            Some(palette(0)),
            30,
        );
        for w in sets {
            let x = x_of(w.0.get(i).copied().unwrap_or(0));
            svg.rect((x - 2, mid - 2), (x + 2, mid + 2), palette(0), None, 100);
        }
        let xa = x_of(aggregate.0.get(i).copied().unwrap_or(0));
        svg.rect((xa - 1, y0 + 2), (xa + 1, y0 + ROW - 2), INK, None, 100);
        let xp = x_of(profile.0.get(i).copied().unwrap_or(0));
        svg.rect((xp - 4, mid - 4), (xp + 4, mid + 4), PAPER, Some(INK), 0);
        let range = |t: u32| domain::weights::format_tenths(u64::from(t));
        svg.text(LEFT + plot_w + 8, mid, 12, Anchor::Start, INK, &format!("{}–{} %", range(s.lo), range(s.hi)));
    }
    svg.finish()
}
