//! The PNG canvas: plotters' bitmap backend, drawn `scale` times larger, with text laid out
//! and rasterised here instead of by plotters.
//!
//! plotters 0.3.7 places each glyph of a bitmap text at the whole pixel left of its pen
//! position and drops the glyph's left side bearing, so round letters sit a pixel or two
//! too far left and words look unevenly spaced ("Kn owl edge b oundaries"); it also ignores
//! the bold style (`FontDesc::style` keeps the regular face). Here every glyph is placed at
//! its exact (subpixel) pen position with its bearing and kerning, on a baseline rounded to
//! a whole pixel, in the bold face when asked, and the text box matches the SVG backend's:
//! the em is `size / 1.24` and the baseline sits where SVG's `dy` puts it, so a PNG shows
//! what the SVG shows.

use std::sync::OnceLock;

use ab_glyph::{point, Font, FontRef, GlyphId, PxScale, ScaleFont};
use plotters::prelude::{BitMapBackend, DrawingBackend};
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind, FontStyle,
};

/// The two faces charts use, parsed once.
struct Faces {
    regular: FontRef<'static>,
    bold: FontRef<'static>,
}

fn faces() -> Option<&'static Faces> {
    static FACES: OnceLock<Option<Faces>> = OnceLock::new();
    FACES
        .get_or_init(|| {
            Some(Faces {
                regular: FontRef::try_from_slice(dejavu::sans::regular()).ok()?,
                bold: FontRef::try_from_slice(dejavu::sans::bold()).ok()?,
            })
        })
        .as_ref()
}

/// The bundled font failed to parse: only possible with a broken build of the `dejavu` crate.
#[derive(Debug)]
struct NoFont;

impl std::fmt::Display for NoFont {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the bundled DejaVu Sans font could not be read")
    }
}

impl std::error::Error for NoFont {}

/// A style whose strokes are `scale` times wider.
struct Scaled<'s, S>(&'s S, u32);

impl<S: BackendStyle> BackendStyle for Scaled<'_, S> {
    fn color(&self) -> BackendColor {
        self.0.color()
    }

    fn stroke_width(&self) -> u32 {
        self.0.stroke_width() * self.1
    }
}

/// A bitmap of `scale`² pixels per chart pixel; plotters lays the chart out in chart pixels.
pub(super) struct Canvas<'a> {
    inner: BitMapBackend<'a>,
    scale: u32,
}

impl<'a> Canvas<'a> {
    /// A canvas over `buf` (RGB, `size` × `scale` pixels each way).
    pub(super) fn new(buf: &'a mut [u8], size: (u32, u32), scale: u32) -> Canvas<'a> {
        Canvas {
            inner: BitMapBackend::with_buffer(buf, (size.0 * scale, size.1 * scale)),
            scale,
        }
    }

    /// The pixel at the centre of a chart pixel's block, for lines and shapes.
    fn centre(&self, p: BackendCoord) -> BackendCoord {
        let s = self.scale as i32;
        (p.0 * s + s / 2, p.1 * s + s / 2)
    }
}

type Failure<'a> = DrawingErrorKind<<BitMapBackend<'a> as DrawingBackend>::ErrorType>;

impl<'a> DrawingBackend for Canvas<'a> {
    type ErrorType = <BitMapBackend<'a> as DrawingBackend>::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        let (w, h) = self.inner.get_size();
        (w / self.scale, h / self.scale)
    }

    fn ensure_prepared(&mut self) -> Result<(), Failure<'a>> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), Failure<'a>> {
        self.inner.present()
    }

    fn draw_pixel(&mut self, p: BackendCoord, color: BackendColor) -> Result<(), Failure<'a>> {
        if self.scale == 1 {
            return self.inner.draw_pixel(p, color);
        }
        let s = self.scale as i32;
        let from = (p.0 * s, p.1 * s);
        self.inner
            .draw_rect(from, (from.0 + s - 1, from.1 + s - 1), &color, true)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), Failure<'a>> {
        if self.scale == 1 {
            return self.inner.draw_line(from, to, style);
        }
        let (from, to) = (self.centre(from), self.centre(to));
        self.inner.draw_line(from, to, &Scaled(style, self.scale))
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), Failure<'a>> {
        let s = self.scale as i32;
        // A filled rectangle covers whole blocks, so neighbouring cells still tile.
        let ul = (upper_left.0 * s, upper_left.1 * s);
        let br = (bottom_right.0 * s + s - 1, bottom_right.1 * s + s - 1);
        self.inner
            .draw_rect(ul, br, &Scaled(style, self.scale), fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), Failure<'a>> {
        let path: Vec<_> = path.into_iter().map(|p| self.centre(p)).collect();
        self.inner.draw_path(path, &Scaled(style, self.scale))
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), Failure<'a>> {
        let center = self.centre(center);
        self.inner.draw_circle(
            center,
            radius * self.scale,
            &Scaled(style, self.scale),
            fill,
        )
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), Failure<'a>> {
        let vert: Vec<_> = vert.into_iter().map(|p| self.centre(p)).collect();
        self.inner.fill_polygon(vert, style)
    }

    fn draw_text<T: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &T,
        pos: BackendCoord,
    ) -> Result<(), Failure<'a>> {
        let color = style.color();
        if color.alpha == 0.0 || text.is_empty() {
            return Ok(());
        }
        let faces = faces().ok_or_else(|| DrawingErrorKind::FontError(Box::new(NoFont)))?;
        let font = match style.style() {
            FontStyle::Bold => &faces.bold,
            _ => &faces.regular,
        };
        let s = self.scale as f32;
        let line = Line::new(font, style.size() as f32 * s, text);
        let dx = match style.anchor().h_pos {
            HPos::Left => 0.0,
            HPos::Center => -line.width / 2.0,
            HPos::Right => -line.width,
        };
        // The SVG backend's `dy` for each vertical anchor.
        let baseline = match style.anchor().v_pos {
            VPos::Top => 0.76 * line.em,
            VPos::Center => 0.5 * line.x_height,
            VPos::Bottom => -0.5 * line.x_height,
        }
        .round();
        let origin = (pos.0 * self.scale as i32, pos.1 * self.scale as i32);
        let transform = style.transform();
        let mut result = Ok(());
        for (id, x) in &line.glyphs {
            let glyph = id.with_scale_and_position(line.px, point(dx + x, baseline));
            let Some(outlined) = font.outline_glyph(glyph) else {
                continue; // a space
            };
            let bounds = outlined.px_bounds();
            let (left, top) = (bounds.min.x as i32, bounds.min.y as i32);
            outlined.draw(|gx, gy, coverage| {
                if result.is_err() || coverage <= 0.0 {
                    return;
                }
                // Laid out along the text, then turned with it about the anchor.
                let (tx, ty) = transform.transform(left + gx as i32, top + gy as i32);
                result = self.inner.draw_pixel(
                    (origin.0 + tx, origin.1 + ty),
                    color.mix(f64::from(coverage.min(1.0))),
                );
            });
            std::mem::replace(&mut result, Ok(()))?;
        }
        Ok(())
    }
}

/// One line of text laid out at a size: each glyph with its pen position along the line.
struct Line {
    /// The glyphs' scale in ab_glyph's terms (ascent to descent).
    px: PxScale,
    /// The em in pixels, as SVG's `font-size`.
    em: f32,
    x_height: f32,
    glyphs: Vec<(GlyphId, f32)>,
    width: f32,
}

impl Line {
    /// `size` is plotters' font size: SVG writes it as `font-size: size / 1.24`.
    fn new(font: &FontRef<'static>, size: f32, text: &str) -> Line {
        let em = size / 1.24;
        let units = font.units_per_em().unwrap_or(2048.0);
        let px = PxScale::from(em * font.height_unscaled() / units);
        let x_height = font
            .outline(font.glyph_id('x'))
            // ab_glyph keeps the font's y-up extremes in `min.y`/`max.y` in an order of its
            // own; the larger is the top of the x above the baseline.
            .map_or(0.55 * em, |o| {
                o.bounds.min.y.max(o.bounds.max.y) / units * em
            });
        let scaled = font.as_scaled(px);
        let mut glyphs = Vec::with_capacity(text.len());
        let mut pen = 0.0f32;
        let mut prev: Option<GlyphId> = None;
        for c in text.chars() {
            let id = scaled.glyph_id(c);
            if let Some(p) = prev {
                pen += scaled.kern(p, id);
            }
            glyphs.push((id, pen));
            pen += scaled.h_advance(id);
            prev = Some(id);
        }
        Line {
            px,
            em,
            x_height,
            glyphs,
            width: pen,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_line_is_as_wide_as_its_advances_and_kerning() {
        let faces = faces().unwrap();
        // plotters' size 124 is an em of 100 pixels, as SVG's `font-size` says.
        let av = Line::new(&faces.regular, 124.0, "AV");
        let (a, v) = (
            Line::new(&faces.regular, 124.0, "A"),
            Line::new(&faces.regular, 124.0, "V"),
        );
        assert!((av.em - 100.0).abs() < 1e-3);
        // DejaVu Sans kerns A and V closer than their advances.
        assert!(av.glyphs[1].1 < a.width, "{:?} {}", av.glyphs, a.width);
        assert!((av.width - (av.glyphs[1].1 + v.width)).abs() < 1e-3);
        // Its x-height is 1120/2048 em.
        assert!((av.x_height - 54.6875).abs() < 0.01, "{}", av.x_height);
    }

    /// The columns of `text` drawn black on white with its top left at (10, 10), as
    /// (first, last) inked column, and the whole bitmap's width.
    fn ink(text: &str, bold: bool) -> (Option<usize>, Option<usize>, usize) {
        use plotters::prelude::*;
        let (w, h) = (400u32, 160u32);
        let mut px = vec![255u8; (w * h * 3) as usize];
        {
            let root = Canvas::new(&mut px, (w, h), 1).into_drawing_area();
            let style = if bold {
                FontStyle::Bold
            } else {
                FontStyle::Normal
            };
            let font = FontDesc::new("sans-serif".into(), 124.0, style).color(&BLACK);
            root.draw(&Text::new(text.to_string(), (10, 10), font))
                .unwrap();
            root.present().unwrap();
        }
        let inked = |x: usize| (0..h as usize).any(|y| px[(y * w as usize + x) * 3] < 128);
        let first = (0..w as usize).find(|&x| inked(x));
        let last = (0..w as usize).rev().find(|&x| inked(x));
        (first, last, w as usize)
    }

    #[test]
    fn a_glyph_keeps_its_left_side_bearing() {
        // DejaVu Sans's "l" starts 193/2048 em right of its pen: 9 pixels at an em of 100.
        // plotters' own bitmap text drew its ink at the pen, which made words uneven.
        let (first, _, _) = ink("l", false);
        assert_eq!(first, Some(10 + 9), "{first:?}");
        // Two letters are one advance apart, whatever their bearings.
        let (l, _, _) = ink("ll", false);
        let (_, last_one, _) = ink("l", false);
        let (_, last_two, _) = ink("ll", false);
        let advance = Line::new(&faces().unwrap().regular, 124.0, "l").width;
        assert_eq!(l, first);
        let step = last_two.unwrap() - last_one.unwrap();
        assert!((step as f32 - advance).abs() <= 1.0, "{step} vs {advance}");
    }

    #[test]
    fn bold_text_is_drawn_in_the_bold_face() {
        let (a, b, _) = ink("I", false);
        let (c, d, _) = ink("I", true);
        // plotters drew both in the regular face; the bold stem is half as wide again.
        let (regular, bold) = (b.unwrap() - a.unwrap(), d.unwrap() - c.unwrap());
        assert!(
            bold * 2 > regular * 3,
            "regular {regular}, bold {bold} pixels"
        );
    }
}
