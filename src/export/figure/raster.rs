//! Paints a figure's items with tiny-skia (anti-aliased, CPU only, deterministic).

use tiny_skia::{
    FillRule, FilterQuality, Mask, Paint, PathBuilder, Pattern, Pixmap, SpreadMode, Stroke,
    Transform,
};

use super::error::RenderError;
use super::model::{Figure, Item};
use super::text::PathCmd;

fn paint(color: [u8; 4]) -> Paint<'static> {
    let mut p = Paint::default();
    p.set_color_rgba8(color[0], color[1], color[2], color[3]);
    p.anti_alias = true;
    p
}

fn polygon(points: &[[f64; 2]], closed: bool) -> Option<tiny_skia::Path> {
    let mut pb = PathBuilder::new();
    let (first, rest) = points.split_first()?;
    pb.move_to(first[0] as f32, first[1] as f32);
    for p in rest {
        pb.line_to(p[0] as f32, p[1] as f32);
    }
    if closed {
        pb.close();
    }
    pb.finish()
}

pub(crate) fn outline(commands: &[PathCmd]) -> Option<tiny_skia::Path> {
    let mut pb = PathBuilder::new();
    let f = |p: [f64; 2]| (p[0] as f32, p[1] as f32);
    for c in commands {
        match *c {
            PathCmd::MoveTo(p) => {
                let (x, y) = f(p);
                pb.move_to(x, y);
            }
            PathCmd::LineTo(p) => {
                let (x, y) = f(p);
                pb.line_to(x, y);
            }
            PathCmd::QuadTo(a, b) => {
                let ((ax, ay), (bx, by)) = (f(a), f(b));
                pb.quad_to(ax, ay, bx, by);
            }
            PathCmd::CubicTo(a, b, c) => {
                let ((ax, ay), (bx, by), (cx, cy)) = (f(a), f(b), f(c));
                pb.cubic_to(ax, ay, bx, by, cx, cy);
            }
            PathCmd::Close => pb.close(),
        }
    }
    pb.finish()
}

/// The figure as RGBA pixels.
pub fn render(figure: &Figure) -> Result<image::RgbaImage, RenderError> {
    let mut canvas = Pixmap::new(figure.width, figure.height).ok_or(RenderError::Canvas {
        width: figure.width,
        height: figure.height,
    })?;
    let sources: Vec<Pixmap> = figure
        .sources
        .iter()
        .map(|s| {
            let (w, h) = s.pixels.dimensions();
            let mut data = Vec::with_capacity(w as usize * h as usize * 4);
            for p in s.pixels.pixels() {
                data.extend_from_slice(&[p[0], p[1], p[2], 255]);
            }
            tiny_skia::IntSize::from_wh(w, h)
                .and_then(|size| Pixmap::from_vec(data, size))
                .ok_or_else(|| RenderError::EmptySource {
                    name: s.name.clone(),
                })
        })
        .collect::<Result<_, _>>()?;
    let mut clips: Vec<Mask> = Vec::new();
    let id = Transform::identity();
    for item in &figure.items {
        let mask = clips.last();
        match item {
            Item::BeginClip(r) => {
                let mut m = Mask::new(figure.width, figure.height).ok_or(RenderError::ClipMask)?;
                if let Some(path) = polygon(&super::model::rect_points(*r), true) {
                    m.fill_path(&path, FillRule::Winding, false, id);
                }
                clips.push(m);
            }
            Item::EndClip => {
                clips.pop();
            }
            Item::Image { source, transform } => {
                let src = &sources[*source];
                let [a, b, c, d, e, f] = transform.map(|v| v as f32);
                let t = Transform::from_row(a, b, c, d, e, f);
                let quality = if (a * a + b * b).sqrt() > 1.0 {
                    FilterQuality::Bicubic
                } else {
                    FilterQuality::Bilinear
                };
                let pattern = Pattern::new(src.as_ref(), SpreadMode::Pad, quality, 1.0, t);
                let p = Paint {
                    shader: pattern,
                    ..Paint::default()
                };
                // Fill the image's own quad, so padding never shows beyond its edges.
                let (w, h) = (src.width() as f64, src.height() as f64);
                let quad: Vec<[f64; 2]> = [[0.0, 0.0], [w, 0.0], [w, h], [0.0, h]]
                    .iter()
                    .map(|q| {
                        [
                            transform[0] * q[0] + transform[2] * q[1] + transform[4],
                            transform[1] * q[0] + transform[3] * q[1] + transform[5],
                        ]
                    })
                    .collect();
                if let Some(path) = polygon(&quad, true) {
                    canvas.fill_path(&path, &p, FillRule::Winding, id, mask);
                }
            }
            Item::Stroke {
                points,
                closed,
                color,
                width,
            } => {
                if let Some(path) = polygon(points, *closed) {
                    let stroke = Stroke {
                        width: *width as f32,
                        line_join: tiny_skia::LineJoin::Round,
                        line_cap: tiny_skia::LineCap::Round,
                        ..Stroke::default()
                    };
                    canvas.stroke_path(&path, &paint(*color), &stroke, id, mask);
                }
            }
            Item::Fill { points, color } => {
                if let Some(path) = polygon(points, true) {
                    canvas.fill_path(&path, &paint(*color), FillRule::Winding, id, mask);
                }
            }
            Item::Circle {
                center,
                radius,
                fill,
                outline: rim,
            } => {
                if let Some(path) =
                    PathBuilder::from_circle(center[0] as f32, center[1] as f32, *radius as f32)
                {
                    canvas.fill_path(&path, &paint(*fill), FillRule::Winding, id, mask);
                    if let Some((color, width)) = rim {
                        let stroke = Stroke {
                            width: *width as f32,
                            ..Stroke::default()
                        };
                        canvas.stroke_path(&path, &paint(*color), &stroke, id, mask);
                    }
                }
            }
            Item::Path { commands, color } => {
                if let Some(path) = outline(commands) {
                    canvas.fill_path(&path, &paint(*color), FillRule::Winding, id, mask);
                }
            }
        }
    }
    image::RgbaImage::from_raw(figure.width, figure.height, canvas.take())
        .ok_or(RenderError::Buffer)
}

/// PNG bytes: RGB, no ancillary chunks unless metadata was asked for.
pub fn encode_png(figure: &Figure, include_metadata: bool) -> Result<Vec<u8>, RenderError> {
    let rgba = render(figure)?;
    // Opaque figure: drop alpha (the canvas is white everywhere).
    let rgb: Vec<u8> = rgba.pixels().flat_map(|p| [p[0], p[1], p[2]]).collect();
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, figure.width, figure.height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    if include_metadata {
        let text = |e: &mut png::Encoder<&mut Vec<u8>>, k: &str, v: String| {
            e.add_text_chunk(k.to_owned(), v)
        };
        text(&mut encoder, "Title", figure.title.clone())?;
        text(
            &mut encoder,
            "Source",
            format!("geoproof finding {}", figure.finding),
        )?;
        text(
            &mut encoder,
            "Software",
            format!("geoproof {}", env!("CARGO_PKG_VERSION")),
        )?;
    }
    let mut writer = encoder.write_header()?;
    writer.write_image_data(&rgb)?;
    writer.finish()?;
    Ok(out)
}
