//! Charts for papers: a code's measure across the study's phases (timeline) and a heatmap of
//! any table, as SVG or PNG.
//!
//! Text uses DejaVu Sans shipped inside the `dejavu` crate, so a PNG renders the same on a
//! machine without fonts; SVG text is left to the viewer's sans-serif font. Colours come
//! from the codebook, with a colour-blind-safe palette for codes that have none.

use std::sync::Once;

use ambit_core::UNPHASED;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{register_font, FontStyle, FontTransform};

use crate::error::{Error, Result};
use crate::table::Table;

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
    draw: &dyn Fn(&DrawingArea<SVGBackend<'_>, Shift>) -> Result<()>,
    draw_px: &dyn Fn(&DrawingArea<BitMapBackend<'_>, Shift>) -> Result<()>,
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
            Ok(s.into_bytes())
        }
        ChartFormat::Png => {
            let mut px = vec![0u8; size.0 as usize * size.1 as usize * 3];
            {
                let root = BitMapBackend::with_buffer(&mut px, size).into_drawing_area();
                draw_px(&root)?;
                root.present().map_err(chart_err)?;
            }
            let mut out = Vec::new();
            {
                let mut enc = png::Encoder::new(&mut out, size.0, size.1);
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
    let size = (1280, 720);
    render(format, size, &|root| draw_timeline(root, table), &|root| {
        draw_timeline(root, table)
    })
}

fn draw_timeline<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, t: &Table) -> Result<()> {
    let rows: Vec<_> = t.rows.iter().filter(|r| !r.total).collect();
    // Documents outside every phase have no place in time: they are left off the lines
    // and named in the caption instead.
    let left_off = t.group == "phase" && t.columns.iter().any(|c| c.id == UNPHASED);
    let cols: Vec<_> = t
        .columns
        .iter()
        .filter(|c| !(c.total || (left_off && c.id == UNPHASED)))
        .collect();
    root.fill(&WHITE).map_err(chart_err)?;
    let (w, h) = root.dim_in_pixel();
    let title_h = 56;
    let legend_w = 330;
    let captions: Vec<String> = cols
        .iter()
        .filter(|c| c.label != c.id)
        .map(|c| format!("{}: {}", c.id, c.label))
        .chain(left_off.then(|| "Not shown: documents outside every phase".to_string()))
        .collect();
    let caption_h = if captions.len() > 12 {
        0
    } else {
        (captions.len().div_ceil(2) as u32) * 20 + 12
    };
    let (top, rest) = root.split_vertically(title_h);
    let (body, bottom) = rest.split_vertically(h - title_h - caption_h);
    let (plot, legend) = body.split_horizontally(w - legend_w);
    top.draw(&Text::new(
        format!("{} per {}", t.measure.describe(), t.group),
        (24, 16),
        (FONT, 26).into_font().style(FontStyle::Bold).color(&BLACK),
    ))
    .map_err(chart_err)?;

    let max = rows
        .iter()
        .flat_map(|r| r.values.iter().take(cols.len()))
        .fold(0.0f64, |a, &b| a.max(b));
    let ymax = nice_ceiling(max.max(1.0) * 1.08);
    let n = cols.len().max(1);
    let mut chart = ChartBuilder::on(&plot)
        .margin_left(16)
        .margin_right(24)
        .margin_top(8)
        .x_label_area_size(56)
        .y_label_area_size(72)
        .build_cartesian_2d((0..n - 1).into_segmented(), 0f64..ymax)
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
        .y_label_formatter(&|v| {
            if t.measure.is_count() {
                format!("{v:.0}")
            } else {
                format!("{v:.1}")
            }
        })
        .x_label_style(label_style.clone())
        .y_label_style(label_style)
        .x_desc(if t.group == "phase" {
            "Study phase"
        } else {
            t.group.as_str()
        })
        .y_desc(t.measure.describe())
        .axis_desc_style(axis_style)
        .draw()
        .map_err(chart_err)?;
    for (i, r) in rows.iter().enumerate() {
        let color = series_color(r.color.as_deref(), i);
        let points: Vec<(SegmentValue<usize>, f64)> = r
            .values
            .iter()
            .take(cols.len())
            .enumerate()
            .map(|(k, v)| (SegmentValue::CenterOf(k), *v))
            .collect();
        chart
            .draw_series(LineSeries::new(points.clone(), color.stroke_width(3)))
            .map_err(chart_err)?;
        chart
            .draw_series(
                points
                    .iter()
                    .map(|p| Circle::new(p.clone(), 5, color.filled())),
            )
            .map_err(chart_err)?;
    }

    // Legend: a coloured line and the code's id and name, in codebook order.
    let entry_font = (FONT, 16).into_font().color(&BLACK);
    let name_font = (FONT, 14).into_font().color(&BLACK.mix(0.7));
    for (i, r) in rows.iter().enumerate() {
        let color = series_color(r.color.as_deref(), i);
        let y = 24 + i as i32 * 44;
        legend
            .draw(&PathElement::new(
                vec![(8, y + 9), (40, y + 9)],
                color.stroke_width(4),
            ))
            .map_err(chart_err)?;
        legend
            .draw(&Circle::new((24, y + 9), 5, color.filled()))
            .map_err(chart_err)?;
        legend
            .draw(&Text::new(r.code.clone(), (50, y), entry_font.clone()))
            .map_err(chart_err)?;
        legend
            .draw(&Text::new(
                shorten(&r.name, 34),
                (50, y + 20),
                name_font.clone(),
            ))
            .map_err(chart_err)?;
    }
    if caption_h > 0 {
        let font = (FONT, 14).into_font().color(&BLACK.mix(0.75));
        let half = (w as i32 - 48) / 2;
        for (i, c) in captions.iter().enumerate() {
            let x = 24 + (i % 2) as i32 * half;
            let y = 4 + (i / 2) as i32 * 20;
            bottom
                .draw(&Text::new(shorten(c, 70), (x, y), font.clone()))
                .map_err(chart_err)?;
        }
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

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let cut: String = s.chars().take(max - 1).collect();
        format!("{cut}…")
    }
}

/// Draws a table as a heatmap: one cell per value, darker for larger values, with the value
/// printed in the cell.
pub fn heatmap(table: &Table, format: ChartFormat) -> Result<Vec<u8>> {
    let rows = table.rows.len() as u32;
    let cols = table.columns.len() as u32;
    let label_w = table
        .rows
        .iter()
        .map(|r| (r.code.chars().count() + 2 * r.depth) as u32 * 9 + 24)
        .max()
        .unwrap_or(100)
        .max(120);
    let cell = (76, 30);
    let head_h = 70
        + table
            .columns
            .iter()
            .map(|c| c.id.chars().count() as u32)
            .max()
            .unwrap_or(4)
            * 8;
    let size = (label_w + cols * cell.0 + 40, head_h + rows * cell.1 + 40);
    render(
        format,
        size,
        &|root| draw_heatmap(root, table, label_w, head_h, cell),
        &|root| draw_heatmap(root, table, label_w, head_h, cell),
    )
}

fn draw_heatmap<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    t: &Table,
    label_w: u32,
    head_h: u32,
    cell: (u32, u32),
) -> Result<()> {
    root.fill(&WHITE).map_err(chart_err)?;
    root.draw(&Text::new(
        t.title.clone(),
        (16, 14),
        (FONT, 20).into_font().style(FontStyle::Bold).color(&BLACK),
    ))
    .map_err(chart_err)?;
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
