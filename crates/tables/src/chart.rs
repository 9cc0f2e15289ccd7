//! Charts for papers: a code's measure across the study's phases (timeline) and a heatmap of
//! any table, as SVG or PNG.
//!
//! Text uses DejaVu Sans shipped inside the `dejavu` crate, so a PNG renders the same on a
//! machine without fonts; SVG text is left to the viewer's sans-serif font. Colours come
//! from the codebook, with a colour-blind-safe palette for codes that have none.
//! [`ChartOptions`] size a chart for a journal column or a slide; PNGs are drawn on a
//! canvas of this crate's (`raster`) that lays out text itself.

use std::sync::Once;

use ambit_core::UNPHASED;
use plotters::coord::ranged1d::SegmentedCoord;
use plotters::coord::types::{RangedCoordf64, RangedCoordusize};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{register_font, FontStyle, FontTransform};

use crate::error::{Error, Result};
use crate::table::Table;

mod options;
mod raster;

use options::{shorten_to, wrap};
pub use options::{ChartOptions, MAX_SCALE, MAX_SIDE};
use raster::Canvas;

/// A chart file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartFormat {
    /// Scalable vector graphics.
    Svg,
    /// A PNG bitmap.
    Png,
}

impl ChartFormat {
    /// The format a file name's extension implies.
    pub fn from_extension(path: &std::path::Path) -> Option<ChartFormat> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "svg" => Some(ChartFormat::Svg),
            "png" => Some(ChartFormat::Png),
            _ => None,
        }
    }
}

const FONT: &str = "sans-serif";

fn register_fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The bundled fonts are valid; a failure would only drop text from PNGs, and the
        // drawing code then reports the missing font as a chart error.
        let _ = register_font(FONT, FontStyle::Normal, dejavu::sans::regular());
        let _ = register_font(FONT, FontStyle::Bold, dejavu::sans::bold());
    });
}

/// Okabe & Ito's colour-blind-safe palette (without yellow, which is unreadable on white).
const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(213, 94, 0),
    RGBColor(86, 180, 233),
    RGBColor(0, 0, 0),
];

/// Parses `#rrggbb` or `#rgb`.
pub fn parse_color(s: &str) -> Option<(u8, u8, u8)> {
    let h = s.trim().strip_prefix('#')?;
    let hex = |t: &str| u8::from_str_radix(t, 16).ok();
    match h.len() {
        6 => Some((hex(&h[0..2])?, hex(&h[2..4])?, hex(&h[4..6])?)),
        3 => {
            let d = |i: usize| hex(&h[i..i + 1]).map(|v| v * 17);
            Some((d(0)?, d(1)?, d(2)?))
        }
        _ => None,
    }
}

fn series_color(color: Option<&str>, i: usize) -> RGBColor {
    color
        .and_then(parse_color)
        .map_or(PALETTE[i % PALETTE.len()], |(r, g, b)| RGBColor(r, g, b))
}

fn chart_err<E: std::fmt::Debug>(e: E) -> Error {
    Error::Chart(format!("{e:?}"))
}

/// Renders with either backend and returns the file's bytes.
fn render(
    format: ChartFormat,
    size: (u32, u32),
    scale: u32,
    draw: &dyn Fn(&DrawingArea<SVGBackend<'_>, Shift>) -> Result<()>,
    draw_px: &dyn Fn(&DrawingArea<Canvas<'_>, Shift>) -> Result<()>,
) -> Result<Vec<u8>> {
    register_fonts();
    match format {
        ChartFormat::Svg => {
            let mut s = String::new();
            {
                let root = SVGBackend::with_string(&mut s, size).into_drawing_area();
                draw(&root)?;
                root.present().map_err(chart_err)?;
            }
            if scale > 1 {
                // The drawing keeps its coordinates (the viewBox); only the size it asks
                // to be shown at grows.
                let (w, h) = size;
                s = s.replacen(
                    &format!("<svg width=\"{w}\" height=\"{h}\""),
                    &format!("<svg width=\"{}\" height=\"{}\"", w * scale, h * scale),
                    1,
                );
            }
            Ok(s.into_bytes())
        }
        ChartFormat::Png => {
            let px_size = (size.0 * scale, size.1 * scale);
            let mut px = vec![0u8; px_size.0 as usize * px_size.1 as usize * 3];
            {
                let root = Canvas::new(&mut px, size, scale).into_drawing_area();
                draw_px(&root)?;
                root.present().map_err(chart_err)?;
            }
            let mut out = Vec::new();
            {
                let mut enc = png::Encoder::new(&mut out, px_size.0, px_size.1);
                enc.set_color(png::ColorType::Rgb);
                enc.set_depth(png::BitDepth::Eight);
                let mut w = enc.write_header().map_err(chart_err)?;
                w.write_image_data(&px).map_err(chart_err)?;
            }
            Ok(out)
        }
    }
}

/// Draws each row's values across the columns (phases) as a line, one colour per code, with
/// a legend of code names on the right and the column labels underneath.
pub fn timeline(table: &Table, format: ChartFormat) -> Result<Vec<u8>> {
    timeline_with(table, format, &ChartOptions::default())
}

/// [`timeline`] at a size, scale and title of the caller's.
pub fn timeline_with(
    table: &Table,
    format: ChartFormat,
    options: &ChartOptions,
) -> Result<Vec<u8>> {
    options.check_scale()?;
    let size = (options.width.unwrap_or(1280), options.height.unwrap_or(720));
    if format == ChartFormat::Png {
        options.check_pixels(size)?;
    }
    render(
        format,
        size,
        options.scale,
        &|root| draw_timeline(root, table, options),
        &|root| draw_timeline(root, table, options),
    )
}

/// The width of `text` in `font` as plotters lays it out (a generous guess if it cannot).
fn text_width<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    font: &TextStyle<'_>,
    text: &str,
) -> u32 {
    area.estimate_text_size(text, font).map_or(
        text.chars().count() as u32 * font.font.get_size() as u32,
        |(w, _)| w,
    )
}

/// The narrowest timeline.
const MIN_TIMELINE_WIDTH: u32 = 320;
/// Below this width a timeline is drawn compact: smaller type, the legend under the plot.
const COMPACT_BELOW: u32 = 900;
/// The least height the plot of a timeline needs, with its axis labels.
const MIN_PLOT_HEIGHT: u32 = 160;
/// Lines a legend entry's name may take before the rest is cut.
const LEGEND_NAME_LINES: usize = 4;

/// What a timeline draws, whatever its layout.
struct TimelineParts<'t> {
    t: &'t Table,
    rows: Vec<&'t crate::table::Row>,
    cols: Vec<&'t crate::table::Column>,
    heading: Option<String>,
    captions: Vec<String>,
    ymax: f64,
}

fn draw_timeline<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    t: &Table,
    options: &ChartOptions,
) -> Result<()> {
    // Documents outside every phase have no place in time: they are left off the lines
    // and named in the caption instead.
    let left_off = t.group == "phase" && t.columns.iter().any(|c| c.id == UNPHASED);
    let cols: Vec<_> = t
        .columns
        .iter()
        .filter(|c| !(c.total || (left_off && c.id == UNPHASED)))
        .collect();
    let rows: Vec<_> = t.rows.iter().filter(|r| !r.total).collect();
    let captions: Vec<String> = cols
        .iter()
        .filter(|c| c.label != c.id)
        .map(|c| format!("{}: {}", c.id, c.label))
        .chain(left_off.then(|| "Not shown: documents outside every phase".to_string()))
        .collect();
    let max = rows
        .iter()
        .flat_map(|r| r.values.iter().take(cols.len()))
        .fold(0.0f64, |a, &b| a.max(b));
    let parts = TimelineParts {
        t,
        rows,
        cols,
        heading: options.heading(&format!("{} per {}", t.measure.describe(), t.group)),
        captions,
        ymax: nice_ceiling(max.max(1.0) * 1.08),
    };
    let (w, _) = root.dim_in_pixel();
    if w < MIN_TIMELINE_WIDTH {
        return Err(Error::Chart(format!(
            "a timeline {w} pixels wide has no room for its plot; make it at least \
             {MIN_TIMELINE_WIDTH} wide"
        )));
    }
    if w < COMPACT_BELOW {
        draw_timeline_compact(root, &parts)
    } else {
        draw_timeline_wide(root, &parts)
    }
}

/// The room left for the plot is too little: says how high the chart must be.
fn too_low(h: u32, taken: u32, captions: usize) -> Error {
    Error::Chart(format!(
        "a timeline {h} pixels high leaves too little room for its plot under the title, \
         legend and {captions} captions ({taken} pixels); make it at least {} high, or \
         leave the title out with an empty one",
        taken + MIN_PLOT_HEIGHT
    ))
}

/// A timeline's coordinates: phases (segments) across, values up.
type TimelineCoord = Cartesian2d<SegmentedCoord<RangedCoordusize>, RangedCoordf64>;

/// The lines and points of every code.
fn draw_lines<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, TimelineCoord>,
    parts: &TimelineParts<'_>,
    (line_w, dot): (u32, u32),
) -> Result<()> {
    for (i, r) in parts.rows.iter().enumerate() {
        let color = series_color(r.color.as_deref(), i);
        let points: Vec<(SegmentValue<usize>, f64)> = r
            .values
            .iter()
            .take(parts.cols.len())
            .enumerate()
            .map(|(k, v)| (SegmentValue::CenterOf(k), *v))
            .collect();
        chart
            .draw_series(LineSeries::new(points.clone(), color.stroke_width(line_w)))
            .map_err(chart_err)?;
        chart
            .draw_series(
                points
                    .iter()
                    .map(|p| Circle::new(p.clone(), dot, color.filled())),
            )
            .map_err(chart_err)?;
    }
    Ok(())
}

fn y_label(t: &Table, v: f64) -> String {
    if t.measure.is_count() {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

fn x_desc(t: &Table) -> &str {
    if t.group == "phase" {
        "Study phase"
    } else {
        t.group.as_str()
    }
}

/// The default layout, for slides and screens: a legend on the right whose names wrap
/// under each code, captions in two columns underneath.
fn draw_timeline_wide<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    parts: &TimelineParts<'_>,
) -> Result<()> {
    let TimelineParts {
        t,
        rows,
        cols,
        captions,
        ..
    } = parts;
    let (w, h) = root.dim_in_pixel();
    let title_h = if parts.heading.is_some() { 56 } else { 12 };
    let legend_w = 330;
    let caption_h = if captions.len() > 12 {
        0
    } else {
        (captions.len().div_ceil(2) as u32) * 20 + 12
    };
    if h < title_h + caption_h + MIN_PLOT_HEIGHT {
        return Err(too_low(h, title_h + caption_h, captions.len()));
    }
    root.fill(&WHITE).map_err(chart_err)?;
    let (top, rest) = root.split_vertically(title_h);
    let (body, bottom) = rest.split_vertically(h - title_h - caption_h);
    let (plot, legend) = body.split_horizontally(w - legend_w);
    if let Some(heading) = &parts.heading {
        let font = FontDesc::new(FONT.into(), 26.0, FontStyle::Bold).color(&BLACK);
        let heading = shorten_to(heading, w - 48, &|s| text_width(root, &font, s));
        top.draw(&Text::new(heading, (24, 16), font))
            .map_err(chart_err)?;
    }

    let n = cols.len().max(1);
    let mut chart = ChartBuilder::on(&plot)
        .margin_left(16)
        .margin_right(24)
        .margin_top(8)
        .x_label_area_size(56)
        .y_label_area_size(72)
        .build_cartesian_2d((0..n - 1).into_segmented(), 0f64..parts.ymax)
        .map_err(chart_err)?;
    let label_style = (FONT, 17).into_font().color(&BLACK.mix(0.85));
    let axis_style = (FONT, 18).into_font().color(&BLACK);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(WHITE)
        .bold_line_style(BLACK.mix(0.12))
        .axis_style(BLACK.mix(0.6))
        .x_labels(n)
        .x_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) => cols.get(*i).map_or(String::new(), |c| c.id.clone()),
            _ => String::new(),
        })
        .y_label_formatter(&|v| y_label(t, *v))
        .x_label_style(label_style.clone())
        .y_label_style(label_style)
        .x_desc(x_desc(t))
        .y_desc(t.measure.describe())
        .axis_desc_style(axis_style)
        .draw()
        .map_err(chart_err)?;
    draw_lines(&mut chart, parts, (3, 5))?;

    // Legend: a coloured line and the code's id and name, in codebook order. Names wrap
    // under the id rather than being cut, so each entry is as tall as its name needs.
    let entry_font = (FONT, 16).into_font().color(&BLACK);
    let name_font = (FONT, 14).into_font().color(&BLACK.mix(0.7));
    let text_room = legend_w - 58;
    let mut y = 24;
    for (i, r) in rows.iter().enumerate() {
        let color = series_color(r.color.as_deref(), i);
        legend
            .draw(&PathElement::new(
                vec![(8, y + 9), (40, y + 9)],
                color.stroke_width(4),
            ))
            .map_err(chart_err)?;
        legend
            .draw(&Circle::new((24, y + 9), 5, color.filled()))
            .map_err(chart_err)?;
        let code = shorten_to(&r.code, text_room, &|s| text_width(root, &entry_font, s));
        legend
            .draw(&Text::new(code, (50, y), entry_font.clone()))
            .map_err(chart_err)?;
        let name = wrap(&r.name, text_room, LEGEND_NAME_LINES, &|s| {
            text_width(root, &name_font, s)
        });
        for (k, line) in name.iter().enumerate() {
            legend
                .draw(&Text::new(
                    line.clone(),
                    (50, y + 20 + k as i32 * 17),
                    name_font.clone(),
                ))
                .map_err(chart_err)?;
        }
        y += 44 + name.len().saturating_sub(1) as i32 * 17;
    }
    if caption_h > 0 {
        let font = (FONT, 14).into_font().color(&BLACK.mix(0.75));
        let half = (w as i32 - 48) / 2;
        for (i, c) in captions.iter().enumerate() {
            let x = 24 + (i % 2) as i32 * half;
            let y = 4 + (i / 2) as i32 * 20;
            let c = shorten_to(c, half as u32 - 8, &|s| text_width(root, &font, s));
            bottom
                .draw(&Text::new(c, (x, y), font.clone()))
                .map_err(chart_err)?;
        }
    }
    Ok(())
}

/// Lays out blocks of lines in columns, row by row: the lines of each block and the
/// height of each row of blocks (`line_h` a line, `gap` under a row).
fn block_rows(blocks: &[Vec<String>], columns: usize, line_h: u32, gap: u32) -> Vec<u32> {
    blocks
        .chunks(columns.max(1))
        .map(|row| row.iter().map(Vec::len).max().unwrap_or(1).max(1) as u32 * line_h + gap)
        .collect()
}

/// The layout for a journal column: smaller type, the legend in columns under the plot,
/// phase labels in two staggered rows when one would overlap, captions wrapped.
fn draw_timeline_compact<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    parts: &TimelineParts<'_>,
) -> Result<()> {
    let TimelineParts {
        t,
        rows,
        cols,
        captions,
        ..
    } = parts;
    let (w, h) = root.dim_in_pixel();
    let margin = 16i32;
    let inner = w - 2 * margin as u32;
    let title_font = FontDesc::new(FONT.into(), 20.0, FontStyle::Bold).color(&BLACK);
    let tick_font = (FONT, 14).into_font().color(&BLACK.mix(0.85));
    let axis_font = (FONT, 15).into_font().color(&BLACK);
    let code_font = (FONT, 13).into_font().color(&BLACK);
    let name_font = (FONT, 13).into_font().color(&BLACK.mix(0.7));
    let caption_font = (FONT, 12).into_font().color(&BLACK.mix(0.75));
    let title_h = if parts.heading.is_some() { 36 } else { 8 };

    // Legend entries: a marker, the code, and its name wrapping beside it.
    let legend_columns = (inner / 230).max(1) as usize;
    let legend_col_w = inner / legend_columns as u32;
    let marker_w = 30;
    let entries: Vec<(String, i32, Vec<String>)> = rows
        .iter()
        .map(|r| {
            let room = legend_col_w - marker_w - 8;
            let code = shorten_to(&r.code, room, &|s| text_width(root, &code_font, s));
            let code_w = text_width(root, &code_font, &code) + 6;
            let (name_x, name_room) = if room > code_w + 80 {
                (code_w as i32, room - code_w)
            } else {
                (0, room)
            };
            let mut lines = wrap(&r.name, name_room, LEGEND_NAME_LINES, &|s| {
                text_width(root, &name_font, s)
            });
            if name_x == 0 {
                // The name starts on a line of its own under a long code.
                lines.insert(0, String::new());
            }
            (code, name_x, lines)
        })
        .collect();
    let entry_lines: Vec<Vec<String>> = entries.iter().map(|e| e.2.clone()).collect();
    let legend_rows = block_rows(&entry_lines, legend_columns, 16, 4);
    let legend_h: u32 = legend_rows.iter().sum::<u32>() + if rows.is_empty() { 0 } else { 8 };

    // Captions wrap to two lines in their column rather than losing their end.
    let caption_columns = if inner >= 448 { 2 } else { 1 };
    let caption_col_w = inner / caption_columns as u32;
    let caption_lines: Vec<Vec<String>> = if captions.len() > 12 {
        Vec::new()
    } else {
        captions
            .iter()
            .map(|c| {
                wrap(c, caption_col_w - 8, 2, &|s| {
                    text_width(root, &caption_font, s)
                })
            })
            .collect()
    };
    let caption_rows = block_rows(&caption_lines, caption_columns, 15, 3);
    let caption_h: u32 =
        caption_rows.iter().sum::<u32>() + if caption_lines.is_empty() { 0 } else { 6 };

    let taken = title_h + legend_h + caption_h;
    if h < taken + MIN_PLOT_HEIGHT {
        return Err(too_low(h, taken, captions.len()));
    }
    root.fill(&WHITE).map_err(chart_err)?;
    if let Some(heading) = &parts.heading {
        let heading = shorten_to(heading, inner, &|s| text_width(root, &title_font, s));
        root.draw(&Text::new(heading, (margin, 10), title_font.clone()))
            .map_err(chart_err)?;
    }
    let (_, rest) = root.split_vertically(title_h);
    let (plot, _) = rest.split_vertically(h - taken);

    // Phase labels are drawn here, not by plotters, so that they can take two rows.
    let label_rows_h = 2 * 16 + 6;
    let n = cols.len().max(1);
    let plot_h = h - taken;
    let mut chart = ChartBuilder::on(&plot)
        .margin_left(8)
        .margin_right(margin as u32)
        .margin_top(6)
        .x_label_area_size(label_rows_h + 22)
        .y_label_area_size(56)
        .build_cartesian_2d((0..n - 1).into_segmented(), 0f64..parts.ymax)
        .map_err(chart_err)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(WHITE)
        .bold_line_style(BLACK.mix(0.12))
        .axis_style(BLACK.mix(0.6))
        .x_labels(n)
        .x_label_formatter(&|_| String::new())
        .y_labels(((plot_h - label_rows_h - 28) / 28).clamp(2, 11) as usize)
        .y_label_formatter(&|v| y_label(t, *v))
        .y_label_style(tick_font.clone())
        .y_desc(t.measure.describe())
        .axis_desc_style(axis_font.clone())
        .draw()
        .map_err(chart_err)?;
    draw_lines(&mut chart, parts, (2, 4))?;
    let centres: Vec<(i32, i32)> = (0..cols.len())
        .map(|i| chart.backend_coord(&(SegmentValue::CenterOf(i), 0.0)))
        .collect();
    let widths: Vec<i32> = cols
        .iter()
        .map(|c| text_width(root, &tick_font, &c.id) as i32)
        .collect();
    let overlap = centres
        .windows(2)
        .zip(widths.windows(2))
        .any(|(c, w)| (w[0] + w[1]) / 2 + 8 > c[1].0 - c[0].0);
    let axis_y = centres.first().map_or(0, |c| c.1);
    for (i, (col, centre)) in cols.iter().zip(&centres).enumerate() {
        let row = if overlap { (i % 2) as i32 } else { 0 };
        root.draw(&Text::new(
            col.id.clone(),
            (centre.0, axis_y + 8 + row * 16),
            tick_font.clone().pos(Pos::new(HPos::Center, VPos::Top)),
        ))
        .map_err(chart_err)?;
    }
    let (plot_left, plot_right) = (
        centres.first().map_or(0, |c| c.0),
        centres.last().map_or(0, |c| c.0),
    );
    root.draw(&Text::new(
        x_desc(t).to_string(),
        (
            (plot_left + plot_right) / 2,
            axis_y + 8 + if overlap { 32 } else { 16 } + 6,
        ),
        axis_font.pos(Pos::new(HPos::Center, VPos::Top)),
    ))
    .map_err(chart_err)?;

    // The legend and the captions under the plot.
    let mut y = (title_h + plot_h + 4) as i32;
    for (ri, (r, row_h)) in entries.chunks(legend_columns).zip(&legend_rows).enumerate() {
        for (k, (code, name_x, lines)) in r.iter().enumerate() {
            let index = ri * legend_columns + k;
            let x = margin + k as i32 * legend_col_w as i32;
            let color = series_color(rows[index].color.as_deref(), index);
            root.draw(&PathElement::new(
                vec![(x, y + 7), (x + 22, y + 7)],
                color.stroke_width(3),
            ))
            .map_err(chart_err)?;
            root.draw(&Circle::new((x + 11, y + 7), 4, color.filled()))
                .map_err(chart_err)?;
            let tx = x + marker_w as i32;
            root.draw(&Text::new(code.clone(), (tx, y), code_font.clone()))
                .map_err(chart_err)?;
            for (l, line) in lines.iter().enumerate().filter(|(_, l)| !l.is_empty()) {
                root.draw(&Text::new(
                    line.clone(),
                    (tx + name_x, y + l as i32 * 16),
                    name_font.clone(),
                ))
                .map_err(chart_err)?;
            }
        }
        y += *row_h as i32;
    }
    y += 8;
    for (r, row_h) in caption_lines.chunks(caption_columns).zip(&caption_rows) {
        for (k, lines) in r.iter().enumerate() {
            let x = margin + k as i32 * caption_col_w as i32;
            for (l, line) in lines.iter().enumerate() {
                root.draw(&Text::new(
                    line.clone(),
                    (x, y + l as i32 * 15),
                    caption_font.clone(),
                ))
                .map_err(chart_err)?;
            }
        }
        y += *row_h as i32;
    }
    Ok(())
}

/// A round number at or above `v` for the top of an axis.
fn nice_ceiling(v: f64) -> f64 {
    let mag = 10f64.powf(v.log10().floor());
    for step in [1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0] {
        if step * mag >= v {
            return step * mag;
        }
    }
    10.0 * mag
}

/// Draws a table as a heatmap: one cell per value, darker for larger values, with the value
/// printed in the cell.
pub fn heatmap(table: &Table, format: ChartFormat) -> Result<Vec<u8>> {
    heatmap_with(table, format, &ChartOptions::default())
}

/// The narrowest and lowest heatmap cells that still hold a number.
const MIN_CELL: (u32, u32) = (24, 16);

/// [`heatmap`] at a size, scale and title of the caller's: a width or height shares its
/// room out among the cells.
pub fn heatmap_with(table: &Table, format: ChartFormat, options: &ChartOptions) -> Result<Vec<u8>> {
    options.check_scale()?;
    let heading = options.heading(&table.title);
    let rows = table.rows.len() as u32;
    let cols = table.columns.len() as u32;
    let label_w = table
        .rows
        .iter()
        .map(|r| (r.code.chars().count() + 2 * r.depth) as u32 * 9 + 24)
        .max()
        .unwrap_or(100)
        .max(120);
    let mut cell = (76, 30);
    let head_h = if heading.is_some() { 70 } else { 40 }
        + table
            .columns
            .iter()
            .map(|c| c.id.chars().count() as u32)
            .max()
            .unwrap_or(4)
            * 8;
    let frame = (label_w + 40, head_h + 40);
    for (side, given, count, min, what) in [
        (0, options.width, cols, MIN_CELL.0, ("columns", "wide")),
        (1, options.height, rows, MIN_CELL.1, ("rows", "high")),
    ] {
        let Some(given) = given else { continue };
        let fixed = if side == 0 { frame.0 } else { frame.1 };
        let share = given.saturating_sub(fixed) / count.max(1);
        if share < min {
            return Err(Error::Chart(format!(
                "a heatmap of {count} {} needs at least {} pixels {}; {given} is too few",
                what.0,
                fixed + count.max(1) * min,
                what.1
            )));
        }
        if side == 0 {
            cell.0 = share;
        } else {
            cell.1 = share;
        }
    }
    let size = (
        options.width.unwrap_or(frame.0 + cols * cell.0),
        options.height.unwrap_or(frame.1 + rows * cell.1),
    );
    if format == ChartFormat::Png {
        options.check_pixels(size)?;
    }
    let layout = HeatmapLayout {
        heading,
        fit_heading: options.width.is_some(),
        label_w,
        head_h,
        cell,
    };
    render(
        format,
        size,
        options.scale,
        &|root| draw_heatmap(root, table, &layout),
        &|root| draw_heatmap(root, table, &layout),
    )
}

/// Where a heatmap's parts go.
struct HeatmapLayout {
    heading: Option<String>,
    /// Whether a heading wider than the chart is shortened to fit: only at a width the
    /// caller chose, so that a default heatmap stays as it always was.
    fit_heading: bool,
    label_w: u32,
    head_h: u32,
    cell: (u32, u32),
}

fn draw_heatmap<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    t: &Table,
    layout: &HeatmapLayout,
) -> Result<()> {
    let HeatmapLayout {
        label_w,
        head_h,
        cell,
        ..
    } = *layout;
    root.fill(&WHITE).map_err(chart_err)?;
    if let Some(heading) = &layout.heading {
        let font = FontDesc::new(FONT.into(), 20.0, FontStyle::Bold).color(&BLACK);
        let heading = if layout.fit_heading {
            let room = root.dim_in_pixel().0.saturating_sub(32);
            shorten_to(heading, room, &|s| text_width(root, &font, s))
        } else {
            heading.clone()
        };
        root.draw(&Text::new(heading, (16, 14), font))
            .map_err(chart_err)?;
    }
    let max = t
        .rows
        .iter()
        .flat_map(|r| r.values.iter())
        .fold(0.0f64, |a, &b| a.max(b));
    let (x0, y0) = (label_w as i32, head_h as i32);
    let (cw, ch) = (cell.0 as i32, cell.1 as i32);
    let head_font = (FONT, 14).into_font().color(&BLACK);
    for (c, col) in t.columns.iter().enumerate() {
        // Column ids run upwards so long ids fit over narrow cells.
        let style = head_font
            .clone()
            .transform(FontTransform::Rotate270)
            .pos(Pos::new(HPos::Left, VPos::Center));
        root.draw(&Text::new(
            col.id.clone(),
            (x0 + c as i32 * cw + cw / 2, y0 - 8),
            style,
        ))
        .map_err(chart_err)?;
    }
    let row_font = (FONT, 14).into_font().color(&BLACK);
    for (r, row) in t.rows.iter().enumerate() {
        let y = y0 + r as i32 * ch;
        root.draw(&Text::new(
            format!("{}{}", "  ".repeat(row.depth), row.code),
            (12, y + ch / 2),
            row_font.clone().pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .map_err(chart_err)?;
        for (c, v) in row.values.iter().enumerate() {
            let x = x0 + c as i32 * cw;
            let f = if max > 0.0 { v / max } else { 0.0 };
            // White to dark blue (ColorBrewer "Blues" end points).
            let lerp = |a: f64, b: f64| (a + (b - a) * f).round() as u8;
            let fill = RGBColor(lerp(247.0, 8.0), lerp(251.0, 48.0), lerp(255.0, 107.0));
            root.draw(&Rectangle::new([(x, y), (x + cw, y + ch)], fill.filled()))
                .map_err(chart_err)?;
            root.draw(&Rectangle::new(
                [(x, y), (x + cw, y + ch)],
                WHITE.stroke_width(1),
            ))
            .map_err(chart_err)?;
            let ink = if f > 0.55 { WHITE } else { BLACK };
            root.draw(&Text::new(
                t.format_value(*v),
                (x + cw / 2, y + ch / 2),
                (FONT, 14)
                    .into_font()
                    .color(&ink)
                    .pos(Pos::new(HPos::Center, VPos::Center)),
            ))
            .map_err(chart_err)?;
        }
    }
    Ok(())
}
