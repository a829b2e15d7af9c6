//! Charts drawn with plotters into SVG strings, on the server and in the browser alike.
//!
//! Layout is computed here with fixed geometry (no font measuring), so the server-rendered SVG
//! and the hydrated one are identical. Every coloured mark also carries a text label, so the
//! charts read without colour.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use domain::{BreakEven, Evaluation, Model, format_points, scoring::UNITS_PER_POINT, weights::FULL};

/// Okabe–Ito palette plus two greys: distinguishable with the common colour-vision deficiencies.
pub const PALETTE: [RGBColor; 9] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(213, 94, 0),
    RGBColor(240, 228, 66),
    RGBColor(120, 120, 120),
    RGBColor(40, 40, 40),
];

/// CSS colour of criterion `i` for legends outside the SVG.
pub fn criterion_css_colour(i: usize) -> String {
    let RGBColor(r, g, b) = PALETTE[i % PALETTE.len()];
    format!("rgb({r},{g},{b})")
}

/// Text colour readable on top of palette colour `i`.
fn ink_on(i: usize) -> &'static RGBColor {
    let RGBColor(r, g, b) = PALETTE[i % PALETTE.len()];
    let luma = 299 * u32::from(r) + 587 * u32::from(g) + 114 * u32::from(b);
    if luma > 140_000 { &BLACK } else { &WHITE }
}

const FONT: &str = "sans-serif";

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
    render(WIDTH as u32, height as u32, |root| {
        for tick in 0..=5 {
            let x = x_of(tick * UNITS_PER_POINT as i32);
            root.draw(&PathElement::new(vec![(x, TOP - 4), (x, TOP + rows * (BAR + GAP))], RGBColor(220, 220, 220)))?;
            root.draw(&Text::new(
                tick.to_string(),
                (x, TOP + rows * (BAR + GAP) + 10),
                text_style(12, &BLACK, HPos::Center),
            ))?;
        }
        for (row, r) in e.results.iter().enumerate() {
            let y0 = TOP + row as i32 * (BAR + GAP);
            let name = name_of(model, &r.candidate);
            root.draw(&Text::new(name.to_string(), (LEFT - 8, y0 + BAR / 2), text_style(14, &BLACK, HPos::Right)))?;
            let mut acc = 0;
            for (i, &c) in r.contributions.iter().enumerate() {
                let c = c as i32;
                let (x0, x1) = (x_of(acc), x_of(acc + c));
                acc += c;
                if x1 <= x0 {
                    continue;
                }
                let colour = PALETTE[i % PALETTE.len()];
                root.draw(&Rectangle::new([(x0, y0), (x1, y0 + BAR)], colour.filled()))?;
                root.draw(&Rectangle::new([(x0, y0), (x1, y0 + BAR)], WHITE.stroke_width(1)))?;
                if x1 - x0 >= 14 {
                    root.draw(&Text::new(
                        (i + 1).to_string(),
                        ((x0 + x1) / 2, y0 + BAR / 2),
                        text_style(12, ink_on(i), HPos::Center),
                    ))?;
                }
            }
            root.draw(&Text::new(
                format_points(r.total),
                (x_of(acc) + 6, y0 + BAR / 2),
                text_style(14, &BLACK, HPos::Left),
            ))?;
        }
        Ok(())
    })
}

/// Tornado of break-even weights: per criterion, the band of weights (0–100 %) within which the
/// winner stays the same, the current weight as a tick, and where and to whom it flips. The most
/// sensitive criteria (narrowest band) come first.
pub fn tornado_svg(model: &Model, be: &[BreakEven]) -> String {
    const LEFT: i32 = 200;
    const RIGHT: i32 = 170;
    const WIDTH: i32 = 640;
    const ROW: i32 = 26;
    const TOP: i32 = 10;
    let plot_w = WIDTH - LEFT - RIGHT;
    let x_of = |tenths: f64| LEFT + (tenths * f64::from(plot_w) / f64::from(FULL)).round() as i32;
    let mut order: Vec<usize> = (0..be.len().min(model.criteria.len())).collect();
    let band = |b: &BreakEven| {
        b.above.as_ref().map_or(f64::from(FULL), |f| f.weight.tenths())
            - b.below.as_ref().map_or(0.0, |f| f.weight.tenths())
    };
    order.sort_by(|&a, &b| band(&be[a]).total_cmp(&band(&be[b])));
    let rows = order.len() as i32;
    let height = TOP + rows * ROW + 28;
    render(WIDTH as u32, height as u32, |root| {
        for pct in (0..=100).step_by(25) {
            let x = x_of(f64::from(pct) * 10.0);
            root.draw(&PathElement::new(vec![(x, TOP - 4), (x, TOP + rows * ROW)], RGBColor(220, 220, 220)))?;
            root.draw(&Text::new(
                format!("{pct} %"),
                (x, TOP + rows * ROW + 12),
                text_style(12, &BLACK, HPos::Center),
            ))?;
        }
        for (row, &i) in order.iter().enumerate() {
            let b = &be[i];
            let y0 = TOP + row as i32 * ROW;
            let mid = y0 + ROW / 2;
            let label = format!("{}. {}", i + 1, model.criteria[i].name);
            root.draw(&Text::new(label, (LEFT - 8, mid), text_style(12, &BLACK, HPos::Right)))?;
            let lo = b.below.as_ref().map_or(0.0, |f| f.weight.tenths());
            let hi = b.above.as_ref().map_or(f64::from(FULL), |f| f.weight.tenths());
            let (x0, x1) = (x_of(lo), x_of(hi).max(x_of(lo) + 1));
            root.draw(&Rectangle::new([(x0, y0 + 5), (x1, y0 + ROW - 5)], RGBColor(0, 114, 178).mix(0.35).filled()))?;
            root.draw(&Rectangle::new([(x0, y0 + 5), (x1, y0 + ROW - 5)], RGBColor(0, 114, 178).stroke_width(1)))?;
            let xc = x_of(f64::from(b.current));
            root.draw(&Rectangle::new([(xc - 1, y0 + 2), (xc + 1, y0 + ROW - 2)], BLACK.filled()))?;
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
            root.draw(&Text::new(note, (LEFT + plot_w + 8, mid), text_style(12, &BLACK, HPos::Left)))?;
        }
        Ok(())
    })
}

/// Colour of a CNI on the fleet map and charts (always shown with its name or initials too).
pub fn cni_colour(cni: &str) -> RGBColor {
    match cni {
        "cilium" => PALETTE[0],
        "calico" => PALETTE[1],
        "antrea" => PALETTE[2],
        "flannel" => PALETTE[3],
        _ => RGBColor(160, 160, 160),
    }
}

/// Stacked bars of cluster counts per tier, one segment per CNI, each segment labelled with the
/// CNI's name and count.
pub fn tier_cni_svg(summary: &std::collections::BTreeMap<String, std::collections::BTreeMap<String, usize>>) -> String {
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
        "eol" => (PALETTE[5], &WHITE),
        "eol_soon" => (PALETTE[1], &BLACK),
        "supported" => (PALETTE[2], &WHITE),
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
    let max: usize = rows.iter().map(|r| r.segments.iter().map(|s| s.count).sum::<usize>()).max().unwrap_or(1).max(1);
    let plot_w = WIDTH - left - 60;
    let height = 10 + rows.len() as i32 * (BAR + GAP) + 10;
    render(WIDTH as u32, height.max(40) as u32, |root| {
        for (i, row) in rows.iter().enumerate() {
            let y0 = 10 + i as i32 * (BAR + GAP);
            root.draw(&Text::new(row.label.clone(), (left - 8, y0 + BAR / 2), text_style(13, &BLACK, HPos::Right)))?;
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
